package storage

import (
	"context"
	"reflect"
	"testing"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// An equality span over the whole primary key is answered by a point read;
// it must see exactly what a range scan sees: the snapshot plus the
// transaction's own writes.
func TestPointScanSeesSnapshotAndOwnWrites(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 10)
	eq := func(v int64) Span {
		b := &Bound{Values: []types.Datum{types.DInt(v)}, Inclusive: true}
		return Span{Start: b, End: b}
	}
	names := func(tx *Txn, v int64) []string {
		t.Helper()
		out := []string{}
		for _, r := range collect(t)(tx.ScanTable(ctx, tb, eq(v), false)) {
			out = append(out, string(r[1].(types.DString)))
		}
		return out
	}

	old := e.Begin()
	defer old.Rollback()
	w := e.Begin()
	if err := w.UpdateRow(ctx, tb, user(3, "u3", "u3@x", 3), user(3, "changed", "u3@x", 3)); err != nil {
		t.Fatal(err)
	}
	if err := w.DeleteRow(ctx, tb, user(4, "u4", "u4@x", 4)); err != nil {
		t.Fatal(err)
	}
	if err := w.InsertRow(ctx, tb, user(11, "new", "", 1)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		tx   *Txn
		id   int64
		want []string
	}{
		{w, 3, []string{"changed"}}, {w, 4, []string{}}, {w, 11, []string{"new"}}, {w, 12, []string{}},
		{old, 3, []string{"u3"}}, {old, 4, []string{"u4"}}, {old, 11, []string{}},
	} {
		if got := names(c.tx, c.id); !reflect.DeepEqual(got, c.want) {
			t.Errorf("id %d: got %v, want %v", c.id, got, c.want)
		}
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := names(old, 3); !reflect.DeepEqual(got, []string{"u3"}) {
		t.Errorf("old snapshot after commit: %v", got)
	}
	fresh := e.Begin()
	defer fresh.Rollback()
	if got := names(fresh, 3); !reflect.DeepEqual(got, []string{"changed"}) {
		t.Errorf("new snapshot: %v", got)
	}
	if st := fresh.Stats(); st.KeysRead != 1 || st.RowsRead != 1 {
		t.Errorf("point read stats %+v, want one key and one row", st)
	}

	// A bound that differs between start and end is a range, not a point.
	r := Span{Start: eq(5).Start, End: eq(7).End}
	if got := ids(collect(t)(fresh.ScanTable(ctx, tb, r, false))); !reflect.DeepEqual(got, []int64{5, 6, 7}) {
		t.Errorf("range 5..7: %v", got)
	}

	// A point scan left open when its transaction ends yields nothing more.
	it, err := fresh.ScanTable(ctx, tb, eq(5), false)
	if err != nil {
		t.Fatal(err)
	}
	fresh.Rollback()
	if row, err := it.Next(); row != nil || err != nil {
		t.Errorf("after rollback: %v, %v", row, err)
	}
}

// The catalog cache is shared without reading the version key only by
// snapshots that cannot miss a catalog change.
func TestCatalogCacheFollowsCatalogCommits(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 3)

	before := e.Begin() // snapshot before the DDL, catalog not read yet
	defer before.Rollback()
	a := e.Begin()
	ca, err := a.Catalog()
	a.Rollback()
	if err != nil {
		t.Fatal(err)
	}

	// Row writes do not invalidate the cached catalog.
	insertUsers2 := e.Begin()
	if err := insertUsers2.InsertRow(ctx, tb, user(50, "x", "", 1)); err != nil {
		t.Fatal(err)
	}
	if err := insertUsers2.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	b := e.Begin()
	cb, _ := b.Catalog()
	b.Rollback()
	if cb != ca {
		t.Error("a row write made the next transaction reload the catalog")
	}

	ddl := e.Begin()
	changed := *tb
	changed.Columns = append(append([]catalog.Column(nil), tb.Columns...), catalog.Column{ID: 5, Name: "extra", Type: types.Bool})
	if err := ddl.PutTable(&changed); err != nil {
		t.Fatal(err)
	}
	if err := ddl.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	c1 := e.Begin()
	cat1, err := c1.Catalog()
	c1.Rollback()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cat1.Tables[tb.ID].Columns); n != 5 {
		t.Fatalf("after DDL a new transaction sees %d columns, want 5", n)
	}
	c2 := e.Begin()
	cat2, _ := c2.Catalog()
	c2.Rollback()
	if cat2 != cat1 {
		t.Error("two transactions after the DDL do not share the cached catalog")
	}
	// The older snapshot, reading the catalog only now, keeps its own view.
	cold, err := before.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cold.Tables[tb.ID].Columns); n != 4 {
		t.Fatalf("snapshot from before the DDL sees %d columns, want 4", n)
	}
	c3 := e.Begin()
	cat3, _ := c3.Catalog()
	c3.Rollback()
	if len(cat3.Tables[tb.ID].Columns) != 5 {
		t.Fatal("an old snapshot's catalog replaced the current one in the cache")
	}
}
