package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openMem(t *testing.T) *Engine {
	t.Helper()
	e, err := Open(Options{InMemory: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func openDir(t *testing.T, dir string) *Engine {
	t.Helper()
	e, err := Open(Options{Dir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func pgCode(err error) string {
	var pe *pgerror.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// usersTable: id int8 primary key, name text, email text unique, age int4
// with a non-unique index on age.
func usersTable(id catalog.ID) *catalog.Table {
	return &catalog.Table{
		ID: id, DatabaseID: BootstrapDatabaseID, SchemaID: PublicSchemaID, Name: "users",
		Columns: []catalog.Column{
			{ID: 1, Name: "id", Type: types.Int8, NotNull: true},
			{ID: 2, Name: "name", Type: types.Text},
			{ID: 3, Name: "email", Type: types.Text},
			{ID: 4, Name: "age", Type: types.Int4},
		},
		PrimaryKey: []int{0},
		Indexes: []catalog.Index{
			{ID: id + 1, Name: "users_email_key", Unique: true, Method: "btree", Columns: []int{2}, Constraint: true},
			{ID: id + 2, Name: "users_age_idx", Method: "btree", Columns: []int{3}},
		},
	}
}

func user(id int64, name, email string, age int64) []types.Datum {
	var em types.Datum = types.DString(email)
	if email == "" {
		em = types.Null
	}
	return []types.Datum{types.DInt(id), types.DString(name), em, types.DInt(age)}
}

// createTable commits tb and returns the stored descriptor.
func createTable(t *testing.T, e *Engine, tb *catalog.Table) *catalog.Table {
	t.Helper()
	ctx := context.Background()
	tx := e.Begin()
	if err := tx.PutTable(tb); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tx = e.Begin()
	defer tx.Rollback()
	c, err := tx.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	return c.Tables[tb.ID]
}

func insertUsers(t *testing.T, e *Engine, tb *catalog.Table, n int) {
	t.Helper()
	ctx := context.Background()
	tx := e.Begin()
	for i := 1; i <= n; i++ {
		if err := tx.InsertRow(ctx, tb, user(int64(i), fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@x", i), int64(i%50))); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

func collect(t *testing.T) func(RowIterator, error) [][]types.Datum {
	return func(it RowIterator, err error) [][]types.Datum { return collectRows(t, it, err) }
}

func collectRows(t *testing.T, it RowIterator, err error) [][]types.Datum {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var rows [][]types.Datum
	for {
		r, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if r == nil {
			return rows
		}
		rows = append(rows, r)
	}
}

func ids(rows [][]types.Datum) []int64 {
	out := []int64{}
	for _, r := range rows {
		out = append(out, int64(r[0].(types.DInt)))
	}
	return out
}

func TestBootstrapCatalog(t *testing.T) {
	e := openMem(t)
	tx := e.Begin()
	defer tx.Rollback()
	c, err := tx.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	db := c.DatabaseByName("postgres")
	if db == nil {
		t.Fatal("no database postgres")
	}
	for _, s := range []string{"public", "pg_catalog", "information_schema"} {
		if c.SchemaByName(db.ID, s) == nil {
			t.Errorf("schema %s missing", s)
		}
	}
	r := c.RoleByName("postgres")
	if r == nil || !r.Superuser || !r.Login {
		t.Fatalf("role postgres = %+v", r)
	}
}

func dec(s string) *types.DDecimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		panic(err)
	}
	return &types.DDecimal{Decimal: *d}
}

func TestRowCodecRoundTrip(t *testing.T) {
	tests := []struct {
		typ *types.T
		val types.Datum
	}{
		{types.Bool, types.DBool(true)},
		{types.Bool, types.DBool(false)},
		{types.Int2, types.DInt(-32768)},
		{types.Int8, types.DInt(math.MaxInt64)},
		{types.Float4, types.DFloat(1.5)},
		{types.Float8, types.DFloat(math.Inf(-1))},
		{types.Numeric, dec("1.00")},
		{types.Numeric, dec("-123456789012345678901234567890.5")},
		{types.Numeric, dec("NaN")},
		{types.Numeric, dec("0.000")},
		{types.Text, types.DString("héllo\x00")},
		{types.Varchar, types.DString("")},
		{types.Bytea, types.DBytes{0, 1, 255}},
		{types.Date, types.DDate(-730000)},
		{types.Timestamp, types.DTimestamp(1234567890123)},
		{types.TimestampTZ, types.DTimestampTZ(-5)},
		{types.Interval, types.DInterval{Months: -1, Days: 40, Micros: 99}},
		{types.UUID, types.DUUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
		{types.JSONB, types.DJSON(`{"a": [1, 2]}`)},
		{types.Oid, types.DOid(4000000000)},
		{types.VectorN(3), types.DVector{1, -2.5, float32(math.NaN())}},
		{types.HalfvecN(4), types.DHalfvec{1, -2.5, 65504, float32(math.Copysign(0, -1))}},
		{types.SparsevecN(1000000000), &types.DSparsevec{Dim: 1000000000, Indices: []int32{0, 3, 999999999}, Values: []float32{1.5, -2, 1e-40}}},
		{types.Sparsevec, &types.DSparsevec{Dim: 7, Indices: []int32{}, Values: []float32{}}},
		{types.BitN(11), &types.DBit{Len: 11, Bytes: []byte{0xA5, 0xE0}}},
		{types.Varbit, &types.DBit{Len: 16, Bytes: []byte{0, 0xFF}}},
		{types.ArrayOf(types.Int4), &types.DArray{Elem: types.Int4, Elems: []types.Datum{types.DInt(1), types.Null, types.DInt(-3)}}},
		{types.ArrayOf(types.Text), &types.DArray{Elem: types.Text, Elems: []types.Datum{}}},
		{types.Text, types.Null},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%v/%v", tc.typ, tc.val), func(t *testing.T) {
			tb := &catalog.Table{Name: "t", Columns: []catalog.Column{
				{ID: 1, Name: "k", Type: types.Int8}, {ID: 7, Name: "v", Type: tc.typ}}}
			row := []types.Datum{types.DInt(1), tc.val}
			b, err := encodeRow(nil, tb, row, RowVersion{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeRow(tb, columnIndex(tb), b)
			if err != nil {
				t.Fatal(err)
			}
			if d, ok := tc.val.(*types.DDecimal); ok {
				g := got[1].(*types.DDecimal)
				if g.String() != d.String() {
					t.Fatalf("decimal round trip %s -> %s", d.String(), g.String())
				}
				return
			}
			if v, ok := tc.val.(types.DVector); ok {
				g := got[1].(types.DVector)
				for i := range v {
					if math.Float32bits(v[i]) != math.Float32bits(g[i]) {
						t.Fatalf("vector round trip %v -> %v", v, g)
					}
				}
				return
			}
			if v, ok := tc.val.(types.DHalfvec); ok {
				g := got[1].(types.DHalfvec)
				for i := range v {
					if math.Float32bits(v[i]) != math.Float32bits(g[i]) {
						t.Fatalf("halfvec round trip %v -> %v", v, g)
					}
				}
				// Two bytes per element: the format byte, k's tag and varint, then
				// v's tag, length and payload.
				if want := 1 + 2 + 1 + 1 + 2*len(v); len(b) != want {
					t.Fatalf("halfvec row is %d bytes, want %d", len(b), want)
				}
				return
			}
			if !reflect.DeepEqual(got, row) {
				t.Fatalf("round trip %#v -> %#v", row, got)
			}
		})
	}
}

// TestSparsevecRowSize checks a sparsevec's stored size follows its
// non-zero elements, not its dimensions: a 1,000,000,000-dimension value
// with two elements takes a few bytes beyond its 8 bytes of values.
func TestSparsevecRowSize(t *testing.T) {
	tb := &catalog.Table{Name: "t", Columns: []catalog.Column{{ID: 1, Name: "v", Type: types.Sparsevec}}}
	v := &types.DSparsevec{Dim: 1000000000, Indices: []int32{5, 999999999}, Values: []float32{1, 2}}
	b, err := encodeRow(nil, tb, []types.Datum{v}, RowVersion{})
	if err != nil {
		t.Fatal(err)
	}
	// Format byte, tag, length, then uvarint dim (5 bytes), count (1),
	// gaps (1 + 5) and two float32s.
	if want := 1 + 1 + 1 + 5 + 1 + 1 + 5 + 8; len(b) != want {
		t.Fatalf("sparsevec row is %d bytes, want %d", len(b), want)
	}
	for _, bad := range [][]byte{
		{0},                            // no dimensions
		{3, 4},                         // more elements than dimensions
		{3, 1},                         // missing index
		{3, 1, 3, 0, 0, 128, 63},       // index past the dimensions
		{3, 2, 0, 0, 0, 0, 128, 63, 0}, // repeated index, short values
		{3, 1, 0, 0, 0, 128},           // short value
	} {
		if _, err := decodeSparsePayload(bad); err != errCorruptRow {
			t.Errorf("decodeSparsePayload(%v) = %v, want errCorruptRow", bad, err)
		}
	}
}

// TestBitPayloadCorrupt checks a stored bit string must have the bytes
// its length needs, with zero padding.
func TestBitPayloadCorrupt(t *testing.T) {
	for _, bad := range [][]byte{
		{},                                   // no length
		{3},                                  // no byte for 3 bits
		{3, 0xE0, 0},                         // a byte too many
		{3, 0xF0},                            // a padding bit set
		{9, 0xFF},                            // short of the second byte
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80}, // bad uvarint
	} {
		if _, err := decodeBitPayload(bad); err != errCorruptRow {
			t.Errorf("decodeBitPayload(%v) = %v, want errCorruptRow", bad, err)
		}
	}
	for _, good := range [][]byte{{0}, {3, 0xE0}, {8, 0xFF}, {9, 0xFF, 0x80}} {
		if _, err := decodeBitPayload(good); err != nil {
			t.Errorf("decodeBitPayload(%v) = %v", good, err)
		}
	}
}

func TestRowCodecSchemaChange(t *testing.T) {
	v1 := &catalog.Table{Name: "t", Columns: []catalog.Column{
		{ID: 1, Name: "a", Type: types.Int8}, {ID: 2, Name: "b", Type: types.Text}}}
	b, err := encodeRow(nil, v1, []types.Datum{types.DInt(1), types.DString("x")}, RowVersion{})
	if err != nil {
		t.Fatal(err)
	}
	// v2 drops b and adds c: the old row decodes with b dropped (NULL) and
	// c NULL; the new layout needs no rewrite.
	v2 := &catalog.Table{Name: "t", Columns: []catalog.Column{
		{ID: 1, Name: "a", Type: types.Int8}, {ID: 2, Name: "b", Type: types.Text, Dropped: true},
		{ID: 3, Name: "c", Type: types.Float8}}}
	got, err := decodeRow(v2, columnIndex(v2), b)
	if err != nil {
		t.Fatal(err)
	}
	want := []types.Datum{types.DInt(1), types.Null, types.Null}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decode with v2 = %v, want %v", got, want)
	}
	// A descriptor that forgot column 2 entirely still skips it.
	v3 := &catalog.Table{Name: "t", Columns: []catalog.Column{{ID: 1, Name: "a", Type: types.Int8}}}
	got, err = decodeRow(v3, columnIndex(v3), b)
	if err != nil || !reflect.DeepEqual(got, []types.Datum{types.DInt(1)}) {
		t.Fatalf("decode with v3 = %v, %v", got, err)
	}
	// A single-row read passes no column map: the same answers, also when
	// IDs are not ordinal + 1.
	v4 := &catalog.Table{Name: "t", Columns: []catalog.Column{
		{ID: 3, Name: "c", Type: types.Float8}, {ID: 1, Name: "a", Type: types.Int8}}}
	for _, c := range []struct {
		tb   *catalog.Table
		want []types.Datum
	}{{v2, want}, {v3, []types.Datum{types.DInt(1)}}, {v4, []types.Datum{types.Null, types.DInt(1)}}} {
		got, err := decodeRow(c.tb, nil, b)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("decode without a column map = %v, %v; want %v", got, err, c.want)
		}
	}
}

func TestSnapshotIsolationAndConflicts(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 3)

	old := e.Begin()
	defer old.Rollback()
	w := e.Begin()
	if err := w.InsertRow(ctx, tb, user(4, "d", "d@x", 4)); err != nil {
		t.Fatal(err)
	}
	if err := w.DeleteRow(ctx, tb, user(1, "u1", "u1@x", 1)); err != nil {
		t.Fatal(err)
	}
	// Own writes are visible before commit, others' are not.
	if got := ids(collect(t)(w.ScanTable(ctx, tb, Span{}, false))); !reflect.DeepEqual(got, []int64{2, 3, 4}) {
		t.Fatalf("writer sees %v", got)
	}
	if got := ids(collect(t)(old.ScanTable(ctx, tb, Span{}, false))); !reflect.DeepEqual(got, []int64{1, 2, 3}) {
		t.Fatalf("concurrent reader sees %v", got)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ids(collect(t)(old.ScanTable(ctx, tb, Span{}, false))); !reflect.DeepEqual(got, []int64{1, 2, 3}) {
		t.Fatalf("old snapshot sees %v after commit", got)
	}
	fresh := e.Begin()
	if got := ids(collect(t)(fresh.ScanTable(ctx, tb, Span{}, false))); !reflect.DeepEqual(got, []int64{2, 3, 4}) {
		t.Fatalf("new snapshot sees %v", got)
	}
	fresh.Rollback()

	// old wrote nothing yet; updating a row w deleted after old's
	// snapshot conflicts as soon as old locks the row, as in PostgreSQL.
	err := old.UpdateRow(ctx, tb, user(1, "u1", "u1@x", 1), user(1, "z", "u1@x", 1))
	if pgCode(err) != pgerror.CodeSerializationFailure || err.Error() != "could not serialize access due to concurrent update" || !errors.Is(err, ErrConcurrentUpdate) {
		t.Fatalf("conflicting update: %v", err)
	}
	old.Rollback()

	// Disjoint writes do not conflict.
	a, b := e.Begin(), e.Begin()
	if err := a.InsertRow(ctx, tb, user(10, "a", "", 1)); err != nil {
		t.Fatal(err)
	}
	if err := b.InsertRow(ctx, tb, user(11, "b", "", 1)); err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx); err != nil {
		t.Fatalf("disjoint commit: %v", err)
	}

	// Concurrent inserts of the same unique email conflict.
	a, b = e.Begin(), e.Begin()
	if err := a.InsertRow(ctx, tb, user(20, "a", "same@x", 1)); err != nil {
		t.Fatal(err)
	}
	if err := b.InsertRow(ctx, tb, user(21, "b", "same@x", 1)); err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx); pgCode(err) != pgerror.CodeSerializationFailure {
		t.Fatalf("same unique key from two transactions: %v", err)
	}
}

// TestDependOnRows: a transaction that depends on a table's rows fails to
// commit when another one wrote a row of the table after its snapshot,
// and only then; writers of the table do not conflict with each other
// for it.
func TestDependOnRows(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	other := createTable(t, e, usersTable(20010))
	insertUsers(t, e, tb, 3)
	for _, c := range []struct {
		name     string
		write    func(w *Txn) error
		conflict bool
	}{
		{"insert", func(w *Txn) error { return w.InsertRow(ctx, tb, user(50, "n", "", 1)) }, true},
		{"update", func(w *Txn) error { return w.UpdateRow(ctx, tb, user(2, "u2", "u2@x", 2), user(2, "z", "u2@x", 2)) }, true},
		{"another table", func(w *Txn) error { return w.InsertRow(ctx, other, user(1, "o", "", 1)) }, false},
	} {
		ddl := e.Begin()
		ddl.DependOnRows(tb)
		if err := ddl.PutSequence(&catalog.Sequence{ID: 20100, DatabaseID: BootstrapDatabaseID, SchemaID: PublicSchemaID, Name: "s_" + strings.ReplaceAll(c.name, " ", "_"), Increment: 1, Min: 1, Max: 9, Start: 1}); err != nil {
			t.Fatal(err)
		}
		w := e.Begin()
		if err := c.write(w); err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(ctx); err != nil {
			t.Fatalf("%s: writer: %v", c.name, err)
		}
		err := ddl.Commit(ctx)
		if c.conflict && pgCode(err) != pgerror.CodeSerializationFailure || !c.conflict && err != nil {
			t.Fatalf("%s: commit of the dependent transaction: %v (conflict expected: %v)", c.name, err, c.conflict)
		}
	}
	// Two writers of the table's rows both commit.
	a, b := e.Begin(), e.Begin()
	if err := a.InsertRow(ctx, tb, user(60, "a", "", 1)); err != nil {
		t.Fatal(err)
	}
	if err := b.InsertRow(ctx, tb, user(61, "b", "", 1)); err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx); err != nil {
		t.Fatalf("second writer: %v", err)
	}
}

func TestConcurrentDDLConflicts(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	a, b := e.Begin(), e.Begin()
	if err := a.PutSchema(&catalog.Schema{ID: 30000, DatabaseID: BootstrapDatabaseID, Name: "s1"}); err != nil {
		t.Fatal(err)
	}
	if err := b.PutSchema(&catalog.Schema{ID: 30001, DatabaseID: BootstrapDatabaseID, Name: "s2"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx); pgCode(err) != pgerror.CodeSerializationFailure {
		t.Fatalf("concurrent DDL: %v", err)
	}
}

func TestUniqueViolations(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 3)
	tests := []struct {
		name       string
		row        []types.Datum
		constraint string
		detail     string
	}{
		{"primary key", user(2, "x", "new@x", 1), "users_pkey", "Key (id)=(2) already exists."},
		{"unique index", user(9, "x", "u3@x", 1), "users_email_key", "Key (email)=(u3@x) already exists."},
		{"null never conflicts", user(9, "x", "", 1), "", ""},
		{"second null never conflicts", user(10, "x", "", 1), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := e.Begin()
			defer tx.Rollback()
			if tc.name == "second null never conflicts" {
				if err := tx.InsertRow(ctx, tb, user(11, "y", "", 1)); err != nil {
					t.Fatal(err)
				}
			}
			err := tx.InsertRow(ctx, tb, tc.row)
			if tc.constraint == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var pe *pgerror.Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a unique violation", err)
			}
			want := fmt.Sprintf("duplicate key value violates unique constraint \"%s\"", tc.constraint)
			if pe.Code != "23505" || pe.Message != want || pe.Detail != tc.detail || pe.Constraint != tc.constraint || pe.Table != "users" {
				t.Fatalf("got %s %q %q constraint=%q table=%q", pe.Code, pe.Message, pe.Detail, pe.Constraint, pe.Table)
			}
		})
	}
	// Named primary key and update onto an existing key.
	tx := e.Begin()
	defer tx.Rollback()
	named := *tb
	named.PrimaryKeyName = "users_pk"
	err := tx.UpdateRow(ctx, &named, user(1, "u1", "u1@x", 1), user(2, "u1", "u1@x", 1))
	if pgCode(err) != "23505" || !strings.Contains(err.Error(), `"users_pk"`) {
		t.Fatalf("update onto existing pk: %v", err)
	}
}

func TestPrimaryKeyRangeReadsOnlyNeededKeys(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 1000)
	b := func(v int64, incl bool) *Bound { return &Bound{Values: []types.Datum{types.DInt(v)}, Inclusive: incl} }
	tests := []struct {
		name    string
		span    Span
		reverse bool
		first   int64
		last    int64
		count   int
	}{
		{"closed", Span{b(100, true), b(109, true)}, false, 100, 109, 10},
		{"half open", Span{b(100, true), b(110, false)}, false, 100, 109, 10},
		{"open start", Span{b(99, false), b(109, true)}, false, 100, 109, 10},
		{"reverse closed", Span{b(100, true), b(109, true)}, true, 109, 100, 10},
		{"reverse exclusive end", Span{b(100, false), b(110, false)}, true, 109, 101, 9},
		{"prefix start", Span{Start: b(996, true)}, false, 996, 1000, 5},
		{"reverse to end", Span{End: b(3, true)}, true, 3, 1, 3},
		{"reverse from end", Span{Start: b(997, false)}, true, 1000, 998, 3},
		{"equality", Span{b(500, true), b(500, true)}, false, 500, 500, 1},
		{"empty", Span{b(500, false), b(500, true)}, false, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := e.Begin()
			defer tx.Rollback()
			got := ids(collect(t)(tx.ScanTable(ctx, tb, tc.span, tc.reverse)))
			if len(got) != tc.count {
				t.Fatalf("got %d rows %v, want %d", len(got), got, tc.count)
			}
			if tc.count > 0 && (got[0] != tc.first || got[len(got)-1] != tc.last) {
				t.Fatalf("got %v, want %d..%d", got, tc.first, tc.last)
			}
			st := tx.Stats()
			if st.RowsRead != int64(tc.count) || st.KeysRead != int64(tc.count) {
				t.Fatalf("stats %+v, want %d rows and keys", st, tc.count)
			}
		})
	}
	tx := e.Begin()
	defer tx.Rollback()
	row, err := tx.GetRow(ctx, tb, []types.Datum{types.DInt(777)})
	if err != nil || row == nil || row[1] != types.DString("u777") {
		t.Fatalf("GetRow = %v, %v", row, err)
	}
	if st := tx.Stats(); st.KeysRead != 1 || st.RowsRead != 1 {
		t.Fatalf("point lookup stats %+v", st)
	}
	if row, err := tx.GetRow(ctx, tb, []types.Datum{types.DInt(5000)}); err != nil || row != nil {
		t.Fatalf("GetRow(missing) = %v, %v", row, err)
	}
}

func TestSecondaryIndexMaintenance(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 100) // age = id % 50
	tx := e.Begin()
	defer tx.Rollback()
	age := func(v int64) *Bound { return &Bound{Values: []types.Datum{types.DInt(v)}, Inclusive: true} }
	if got := ids(collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[1], Span{age(7), age(7)}, false))); !reflect.DeepEqual(got, []int64{7, 57}) {
		t.Fatalf("age=7 -> %v", got)
	}
	if st := tx.Stats(); st.RowsRead != 2 || st.KeysRead != 4 {
		t.Fatalf("index lookup stats %+v", st)
	}
	if err := tx.UpdateRow(ctx, tb, user(7, "u7", "u7@x", 7), user(7, "u7", "seven@x", 8)); err != nil {
		t.Fatal(err)
	}
	if err := tx.DeleteRow(ctx, tb, user(57, "u57", "u57@x", 7)); err != nil {
		t.Fatal(err)
	}
	if got := ids(collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[1], Span{age(7), age(7)}, false))); len(got) != 0 {
		t.Fatalf("age=7 after update/delete -> %v", got)
	}
	if got := ids(collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[1], Span{age(8), age(8)}, true))); !reflect.DeepEqual(got, []int64{58, 8, 7}) {
		t.Fatalf("age=8 reverse -> %v", got)
	}
	email := func(s string) *Bound { return &Bound{Values: []types.Datum{types.DString(s)}, Inclusive: true} }
	if got := ids(collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[0], Span{email("seven@x"), email("seven@x")}, false))); !reflect.DeepEqual(got, []int64{7}) {
		t.Fatalf("email=seven@x -> %v", got)
	}
	if got := ids(collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[0], Span{email("u7@x"), email("u7@x")}, false))); len(got) != 0 {
		t.Fatalf("old email still indexed -> %v", got)
	}
	// The freed unique value can be reused.
	if err := tx.InsertRow(ctx, tb, user(500, "n", "u7@x", 1)); err != nil {
		t.Fatal(err)
	}
}

// noPKTable is a table without a declared primary key: its rows are keyed
// by a hidden row id.
func noPKTable(id catalog.ID) *catalog.Table {
	return &catalog.Table{ID: id, DatabaseID: BootstrapDatabaseID, SchemaID: PublicSchemaID, Name: "nopk",
		Columns: []catalog.Column{
			{ID: 1, Name: "v", Type: types.Text},
			{ID: 2, Name: "rowid", Type: types.Int8, Hidden: true},
		}, PrimaryKey: []int{1}}
}

func TestHiddenRowID(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, noPKTable(20000))
	tx := e.Begin()
	for range 3 {
		if err := tx.InsertRow(ctx, tb, []types.Datum{types.DString("same"), types.Null}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tx = e.Begin()
	defer tx.Rollback()
	rows := collect(t)(tx.ScanTable(ctx, tb, Span{}, false))
	var got []types.Datum
	for _, r := range rows {
		got = append(got, r[1])
	}
	if !reflect.DeepEqual(got, []types.Datum{types.DInt(1), types.DInt(2), types.DInt(3)}) {
		t.Fatalf("rowids %v", got)
	}
}

func TestDropTableRemovesData(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{10, smallDropKeys + 10} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e := openMem(t)
			tb := createTable(t, e, usersTable(20000))
			insertUsers(t, e, tb, n)
			tx := e.Begin()
			if err := tx.DropTable(tb.ID); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			tx = e.Begin()
			defer tx.Rollback()
			c, err := tx.Catalog()
			if err != nil {
				t.Fatal(err)
			}
			if c.Tables[tb.ID] != nil || c.TableByName(PublicSchemaID, "users") != nil {
				t.Fatal("table descriptor survived the drop")
			}
			if got := collect(t)(tx.ScanTable(ctx, tb, Span{}, false)); len(got) != 0 {
				t.Fatalf("%d rows survived the drop", len(got))
			}
			if got := collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[1], Span{}, false)); len(got) != 0 {
				t.Fatalf("%d index entries survived the drop", len(got))
			}
		})
	}
}

func TestCatalogPersistsAndCaches(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := openDir(t, dir)
	tb := createTable(t, e, usersTable(20000))
	if tb.Version != 1 {
		t.Fatalf("new table version %d, want 1", tb.Version)
	}
	insertUsers(t, e, tb, 5)
	// Two transactions at the same catalog version share one decoded view.
	a, b := e.Begin(), e.Begin()
	ca, _ := a.Catalog()
	cb, _ := b.Catalog()
	a.Rollback()
	b.Rollback()
	if ca != cb {
		t.Fatal("catalog not cached across transactions at the same version")
	}
	// A transaction's own DDL is visible to it only.
	w := e.Begin()
	changed := *tb
	changed.Columns = append(append([]catalog.Column(nil), tb.Columns...), catalog.Column{ID: 5, Name: "extra", Type: types.Bool})
	if err := w.PutTable(&changed); err != nil {
		t.Fatal(err)
	}
	cw, _ := w.Catalog()
	if got := cw.Tables[tb.ID]; len(got.Columns) != 5 || got.Version != 2 {
		t.Fatalf("own change not visible: %+v", got)
	}
	r := e.Begin()
	cr, _ := r.Catalog()
	r.Rollback()
	if len(cr.Tables[tb.ID].Columns) != 4 {
		t.Fatal("uncommitted DDL leaked")
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e = openDir(t, dir)
	defer e.Close()
	tx := e.Begin()
	defer tx.Rollback()
	c, err := tx.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	got := c.TableByName(PublicSchemaID, "users")
	if got == nil || len(got.Columns) != 5 || got.Version != 2 || got.Columns[4].Type.Family != types.FamBool {
		t.Fatalf("reloaded table %+v", got)
	}
	if rt, idx := c.IndexByName(PublicSchemaID, "users_age_idx"); rt != got || idx == nil || idx.ID != 20002 {
		t.Fatalf("IndexByName = %v, %v", rt, idx)
	}
	if ts := c.TablesInSchema(PublicSchemaID); len(ts) != 1 || ts[0] != got {
		t.Fatalf("TablesInSchema = %v", ts)
	}
	// Old rows decode under the new descriptor with the added column NULL.
	rows := collect(t)(tx.ScanTable(ctx, got, Span{}, false))
	if len(rows) != 5 || rows[0][4] != types.Null || rows[4][1] != types.DString("u5") {
		t.Fatalf("rows after reopen: %v", rows)
	}
	id, err := e.AllocateID(ctx)
	if err != nil || id < catalog.FirstUserID {
		t.Fatalf("AllocateID = %d, %v", id, err)
	}
}

func TestAllocateIDNeverRepeatsAcrossReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	seen := map[catalog.ID]bool{}
	for range 3 {
		e := openDir(t, dir)
		for range 100 {
			id, err := e.AllocateID(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if seen[id] || id < catalog.FirstUserID {
				t.Fatalf("id %d repeated or below FirstUserID", id)
			}
			seen[id] = true
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSequences(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e := openDir(t, dir)
	s := &catalog.Sequence{ID: 20000, Name: "s", Increment: 2, Min: 1, Max: 7, Start: 1}
	cyc := &catalog.Sequence{ID: 20001, Name: "c", Increment: -1, Min: 1, Max: 2, Start: 2, Cycle: true}
	var got []int64
	for range 4 {
		v, err := e.NextVal(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if !reflect.DeepEqual(got, []int64{1, 3, 5, 7}) {
		t.Fatalf("nextval sequence %v", got)
	}
	_, err := e.NextVal(ctx, s)
	if pgCode(err) != "2200H" || err.Error() != `nextval: reached maximum value of sequence "s" (7)` {
		t.Fatalf("exhausted: %v", err)
	}
	got = nil
	for range 3 {
		v, err := e.NextVal(ctx, cyc)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if !reflect.DeepEqual(got, []int64{2, 1, 2}) {
		t.Fatalf("cycling sequence %v", got)
	}
	if err := e.SetVal(ctx, s, 3, false); err != nil {
		t.Fatal(err)
	}
	if err := e.SetVal(ctx, s, 99, true); pgCode(err) != "22003" {
		t.Fatalf("setval out of bounds: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e = openDir(t, dir)
	defer e.Close()
	last, called, err := e.SequenceState(s)
	if err != nil || last != 3 || called {
		t.Fatalf("state after reopen = %d, %v, %v", last, called, err)
	}
	if v, err := e.NextVal(ctx, s); err != nil || v != 3 {
		t.Fatalf("nextval after setval(3, false) = %d, %v", v, err)
	}
	if v, err := e.NextVal(ctx, s); err != nil || v != 5 {
		t.Fatalf("second nextval = %d, %v", v, err)
	}
}

func TestSecondOpenFailsClearly(t *testing.T) {
	dir := t.TempDir()
	e := openDir(t, dir)
	defer e.Close()
	_, err := Open(Options{Dir: dir, Logger: quiet})
	if err == nil || !strings.Contains(err.Error(), "another server holds the data directory") {
		t.Fatalf("second Open: %v", err)
	}
}

func TestScanHonoursCancellation(t *testing.T) {
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 2*ctxCheckEvery)
	ctx, cancel := context.WithCancel(context.Background())
	tx := e.Begin()
	defer tx.Rollback()
	it, err := tx.ScanTable(ctx, tb, Span{}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	cancel()
	for range 2 * ctxCheckEvery {
		if _, err = it.Next(); err != nil {
			break
		}
	}
	if pgCode(err) != pgerror.CodeQueryCanceled || err.Error() != "canceling statement due to user request" {
		t.Fatalf("scan after cancel: %v", err)
	}
}

// Rollback with an iterator still open must not panic (Badger refuses to
// discard a transaction with open iterators).
func TestRollbackClosesIterators(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 3)
	tx := e.Begin()
	if _, err := tx.ScanTable(ctx, tb, Span{}, false); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	tx.Rollback()
}

// Concurrent committers on disjoint keys all succeed, and every snapshot
// sees a prefix-closed set of commits (never a later commit without an
// earlier one of the same writer).
func TestConcurrentCommitsAreOrdered(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	const writers, each = 4, 50
	errc := make(chan error, writers+1)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				errc <- nil
				return
			default:
			}
			tx := e.Begin()
			it, err := tx.ScanTable(ctx, tb, Span{}, false)
			if err != nil {
				errc <- err
				return
			}
			last := map[int64]int64{}
			for {
				r, err := it.Next()
				if err != nil {
					errc <- err
					return
				}
				if r == nil {
					break
				}
				id := int64(r[0].(types.DInt))
				w, seq := id/1000, id%1000
				if seq != last[w]+1 {
					errc <- fmt.Errorf("writer %d: saw %d after %d", w, seq, last[w])
					return
				}
				last[w] = seq
			}
			it.Close()
			tx.Rollback()
		}
	}()
	done := make(chan error, writers)
	for w := 1; w <= writers; w++ {
		go func() {
			for i := 1; i <= each; i++ {
				tx := e.Begin()
				if err := tx.InsertRow(ctx, tb, user(int64(w*1000+i), "c", "", 0)); err != nil {
					done <- err
					return
				}
				if err := tx.Commit(ctx); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range writers {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	tx := e.Begin()
	defer tx.Rollback()
	if rows := collect(t)(tx.ScanTable(ctx, tb, Span{}, false)); len(rows) != writers*each {
		t.Fatalf("%d rows, want %d", len(rows), writers*each)
	}
}

// A transaction larger than one Badger batch commits atomically: nobody
// sees it before Commit returns, everyone sees all of it after.
func TestLargeTransactionCommitsAtomically(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 10)
	wide := strings.Repeat("x", 1024)
	const n = 12_000 // ~12 MB of rows plus index entries: several batches
	var batches int
	e.afterBatch = func(int) { batches++ }
	tx := e.Begin()
	for i := int64(11); i <= n; i++ {
		if err := tx.InsertRow(ctx, tb, user(i, wide, fmt.Sprintf("%d@x", i), i%50)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.UpdateRow(ctx, tb, user(1, "u1", "u1@x", 1), user(1, "changed", "u1@x", 1)); err != nil {
		t.Fatal(err)
	}
	before := e.Begin()
	defer before.Rollback()
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if batches < 2 {
		t.Fatalf("commit used %d batches, want several", batches)
	}
	if got := collect(t)(before.ScanTable(ctx, tb, Span{}, false)); len(got) != 10 || got[0][1] != types.DString("u1") {
		t.Fatalf("older snapshot sees %d rows", len(got))
	}
	after := e.Begin()
	defer after.Rollback()
	rows := collect(t)(after.ScanTable(ctx, tb, Span{}, false))
	if len(rows) != n || rows[0][1] != types.DString("changed") {
		t.Fatalf("after commit: %d rows, first %v", len(rows), rows[0][1])
	}
	if got := collect(t)(after.ScanIndex(ctx, tb, &tb.Indexes[0], Span{}, false)); len(got) != n {
		t.Fatalf("unique index has %d entries, want %d", len(got), n)
	}
}

func TestRawVectorIndexKeys(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	p := VectorIndexPrefix(20000, 20005)
	if err := e.WriteRaw(map[string][]byte{string(p) + "a": []byte("1"), string(p) + "c": []byte("3")}); err != nil {
		t.Fatal(err)
	}
	if err := e.WriteRaw(map[string][]byte{"/c/x": nil}); err == nil {
		t.Fatal("WriteRaw accepted a key outside the vector index space")
	}
	tx := e.Begin()
	defer tx.Rollback()
	if err := tx.RawSet(append(append([]byte(nil), p...), 'b'), []byte("2")); err != nil {
		t.Fatal(err)
	}
	if err := tx.RawDelete(append(append([]byte(nil), p...), 'c')); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := tx.RawScan(ctx, p, func(k, v []byte) error {
		got = append(got, string(k[len(p):])+"="+string(v))
		return nil
	})
	if err != nil || !reflect.DeepEqual(got, []string{"a=1", "b=2"}) {
		t.Fatalf("RawScan = %v, %v", got, err)
	}
	if v, err := tx.RawGet(append(append([]byte(nil), p...), 'a')); err != nil || string(v) != "1" {
		t.Fatalf("RawGet = %q, %v", v, err)
	}
}

func TestReverseFullScans(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	other := usersTable(20001 + 10)
	other.Name = "later"
	other = createTable(t, e, other)
	insertUsers(t, e, tb, 20)
	insertUsers(t, e, other, 5)
	tx := e.Begin()
	defer tx.Rollback()
	// Own uncommitted writes merge into reverse scans too.
	if err := tx.InsertRow(ctx, tb, user(21, "new", "", 1)); err != nil {
		t.Fatal(err)
	}
	if err := tx.DeleteRow(ctx, tb, user(20, "u20", "u20@x", 20)); err != nil {
		t.Fatal(err)
	}
	got := ids(collect(t)(tx.ScanTable(ctx, tb, Span{}, true)))
	if len(got) != 20 || got[0] != 21 || got[1] != 19 || got[19] != 1 {
		t.Fatalf("reverse scan = %v", got)
	}
	got = ids(collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[1], Span{}, true)))
	if len(got) != 20 || got[0] != 19 {
		t.Fatalf("reverse index scan = %v", got)
	}
}

func TestDropDatabaseCascades(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tx := e.Begin()
	steps := []error{
		tx.PutDatabase(&catalog.Database{ID: 30000, Name: "other"}),
		tx.PutSchema(&catalog.Schema{ID: 30001, DatabaseID: 30000, Name: "public"}),
		tx.PutSequence(&catalog.Sequence{ID: 30002, DatabaseID: 30000, SchemaID: 30001, Name: "s", Increment: 1}),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tb := usersTable(30010)
	tb.DatabaseID, tb.SchemaID = 30000, 30001
	tb = createTable(t, e, tb)
	insertUsers(t, e, tb, 5)
	tx = e.Begin()
	if err := tx.DropDatabase(30000); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tx = e.Begin()
	defer tx.Rollback()
	c, err := tx.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseByName("other") != nil || c.Schemas[30001] != nil || c.Sequences[30002] != nil || c.Tables[30010] != nil {
		t.Fatal("descriptors of the dropped database survived")
	}
	if c.DatabaseByName("postgres") == nil {
		t.Fatal("DropDatabase removed another database")
	}
	if got := collect(t)(tx.ScanTable(ctx, tb, Span{}, false)); len(got) != 0 {
		t.Fatalf("%d rows of the dropped database survived", len(got))
	}
}

// TestTxnIDsIncreaseAcrossRestarts checks that transaction ids are unique
// and keep increasing after a reopen, as PostgreSQL's xids do.
func TestTxnIDsIncreaseAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	e := openDir(t, dir)
	var last int64
	for i := 0; i < 3*rowidBlockSize; i++ {
		id, err := e.AllocateTxnID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && id != firstTxnID {
			t.Fatalf("first id %d, want %d", id, firstTxnID)
		}
		if id <= last {
			t.Fatalf("id %d after %d", id, last)
		}
		last = id
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = openDir(t, dir)
	id, err := e.AllocateTxnID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id <= last {
		t.Fatalf("after reopen id %d, last before %d", id, last)
	}
}

// TestCatalogReusesUnchangedDescriptors: a catalog loaded after a DDL
// commit takes the decoded descriptors of the tables the DDL did not
// change from the last load, decodes the changed one afresh, and a
// transaction's private catalog shares nothing with the committed one.
func TestCatalogReusesUnchangedDescriptors(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	a := createTable(t, e, usersTable(20000))
	b := createTable(t, e, usersTable(30000))
	read := func() *Catalog {
		tx := e.Begin()
		defer tx.Rollback()
		c, err := tx.Catalog()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := read()
	w := e.Begin()
	changed := *b
	changed.Columns = append(append([]catalog.Column(nil), b.Columns...), catalog.Column{ID: 5, Name: "extra", Type: types.Bool})
	if err := w.PutTable(&changed); err != nil {
		t.Fatal(err)
	}
	private, err := w.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if private.Tables[a.ID] == before.Tables[a.ID] {
		t.Fatal("a transaction's private catalog shares a descriptor with the committed one")
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	after := read()
	if after == before {
		t.Fatal("the catalog was not reloaded after DDL")
	}
	if after.Tables[a.ID] != before.Tables[a.ID] {
		t.Error("the unchanged table's descriptor was decoded again")
	}
	if after.Tables[b.ID] == before.Tables[b.ID] || len(after.Tables[b.ID].Columns) != 5 || len(before.Tables[b.ID].Columns) != 4 {
		t.Errorf("changed table: before %d columns, after %d (same descriptor: %v)", len(before.Tables[b.ID].Columns), len(after.Tables[b.ID].Columns), after.Tables[b.ID] == before.Tables[b.ID])
	}
}
