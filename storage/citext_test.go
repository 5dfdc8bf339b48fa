package storage

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// TestCitextKeyEncoding: a citext key encodes its lowered value, so case
// variants share one key, while text keeps them apart.
func TestCitextKeyEncoding(t *testing.T) {
	tb := &catalog.Table{ID: 30000, Name: "k", Columns: []catalog.Column{
		{ID: 1, Name: "c", Type: types.Citext}, {ID: 2, Name: "t", Type: types.Text}}}
	enc := func(c, tx string) (ci, te []byte) {
		t.Helper()
		a, err := encodeCols(nil, tb, []types.Datum{types.DString(c), types.DString(tx)}, []int{0}, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := encodeCols(nil, tb, []types.Datum{types.DString(c), types.DString(tx)}, []int{1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
	c1, t1 := enc("Foo@X.com", "Foo@X.com")
	c2, t2 := enc("FOO@x.COM", "FOO@x.COM")
	if !bytes.Equal(c1, c2) {
		t.Fatalf("citext case variants encode differently: %x %x", c1, c2)
	}
	if bytes.Equal(t1, t2) {
		t.Fatal("text case variants encode alike")
	}
	// Non-ASCII letters fold too (ÄB and äb), and order follows the
	// lowered values: "B" sorts after "a" as citext, before it as text.
	c3, _ := enc("ÄB", "")
	c4, _ := enc("äb", "")
	if !bytes.Equal(c3, c4) {
		t.Fatalf("citext ÄB and äb encode differently: %x %x", c3, c4)
	}
	ca, ta := enc("a", "a")
	cb, tbb := enc("B", "B")
	if bytes.Compare(ca, cb) >= 0 || bytes.Compare(ta, tbb) <= 0 {
		t.Fatalf("order: citext a<B %v, text a>B %v", bytes.Compare(ca, cb) < 0, bytes.Compare(ta, tbb) > 0)
	}
	// Descending keys fold alike too.
	d1, err := encodeCols(nil, tb, []types.Datum{types.DString("Ab")}, []int{0}, []bool{true})
	if err != nil {
		t.Fatal(err)
	}
	d2, err := encodeCols(nil, tb, []types.Datum{types.DString("aB")}, []int{0}, []bool{true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d1, d2) {
		t.Fatalf("descending citext case variants encode differently: %x %x", d1, d2)
	}
}

// TestCitextUniqueAndLookup: a unique citext index refuses a case variant
// (the detail shows the new row's spelling), an index lookup with any
// spelling finds the row, and the row keeps its spelling.
func TestCitextUniqueAndLookup(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := usersTable(30100)
	tb.Columns[2].Type = types.Citext
	tb = createTable(t, e, tb)
	tx := e.Begin()
	defer tx.Rollback()
	if err := tx.InsertRow(ctx, tb, user(1, "a", "Foo@X.com", 1)); err != nil {
		t.Fatal(err)
	}
	err := tx.InsertRow(ctx, tb, user(2, "b", "foo@x.COM", 1))
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != "23505" || pe.Detail != "Key (email)=(foo@x.COM) already exists." {
		t.Fatalf("case variant insert: %v", err)
	}
	email := func(s string) *Bound { return &Bound{Values: []types.Datum{types.DString(s)}, Inclusive: true} }
	rows := collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[0], Span{email("FOO@x.com"), email("FOO@x.com")}, false))
	if len(rows) != 1 || !reflect.DeepEqual(rows[0][2], types.DString("Foo@X.com")) {
		t.Fatalf("lookup FOO@x.com -> %v", rows)
	}
}

// TestCitextPrimaryKey: a citext primary key refuses case variants and
// a point read with another spelling finds the row as spelled.
func TestCitextPrimaryKey(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, &catalog.Table{ID: 30200, DatabaseID: BootstrapDatabaseID, SchemaID: PublicSchemaID, Name: "ck",
		Columns:    []catalog.Column{{ID: 1, Name: "k", Type: types.Citext, NotNull: true}, {ID: 2, Name: "v", Type: types.Int4}},
		PrimaryKey: []int{0}})
	tx := e.Begin()
	defer tx.Rollback()
	if err := tx.InsertRow(ctx, tb, []types.Datum{types.DString("Hello"), types.DInt(1)}); err != nil {
		t.Fatal(err)
	}
	if err := tx.InsertRow(ctx, tb, []types.Datum{types.DString("hELLO"), types.DInt(2)}); pgCode(err) != "23505" {
		t.Fatalf("case variant primary key: %v", err)
	}
	k := &Bound{Values: []types.Datum{types.DString("HELLO")}, Inclusive: true}
	rows := collect(t)(tx.ScanTable(ctx, tb, Span{k, k}, false))
	if len(rows) != 1 || rows[0][0] != types.DString("Hello") || rows[0][1] != types.DInt(1) {
		t.Fatalf("point read HELLO -> %v", rows)
	}
}
