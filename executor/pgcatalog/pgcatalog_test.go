package pgcatalog

import (
	"strings"
	"testing"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// testContext opens an in-memory engine (bootstrapped with database
// postgres, schema public and role postgres), adds descriptors in an open
// transaction and returns the catalog that transaction sees.
func testContext(t *testing.T, tables []*catalog.Table, seqs []*catalog.Sequence) *Context {
	t.Helper()
	e, err := storage.Open(storage.Options{InMemory: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	txn := e.Begin()
	t.Cleanup(txn.Rollback)
	for _, tb := range tables {
		if err := txn.PutTable(tb); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range seqs {
		if err := txn.PutSequence(s); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := txn.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	db := cat.DatabaseByName("postgres")
	if db == nil {
		t.Fatal("bootstrap database postgres missing")
	}
	settings := map[string]string{"search_path": `"$user", public`, "application_name": "test"}
	return &Context{Cat: cat, DB: db, User: "postgres", Setting: func(n string) string { return settings[n] }}
}

func sampleTables() []*catalog.Table {
	db, pub := storage.BootstrapDatabaseID, storage.PublicSchemaID
	return []*catalog.Table{
		{ID: 20000, DatabaseID: db, SchemaID: pub, Name: "items", Owner: "postgres",
			Columns: []catalog.Column{
				{ID: 1, Name: "id", Type: types.Int4, NotNull: true},
				{ID: 2, Name: "gone", Type: types.Text, Dropped: true},
				{ID: 3, Name: "Label", Type: types.VarcharN(20), Default: "'x'"},
				{ID: 4, Name: "emb", Type: types.VectorN(3)},
			},
			PrimaryKey: []int{0},
			Indexes: []catalog.Index{
				{ID: 20001, Name: "items_label_key", Unique: true, Constraint: true, Method: "btree", Columns: []int{2}},
				{ID: 20002, Name: "items_emb_idx", Method: "hnsw", Columns: []int{3}, Opclass: []string{"vector_l2_ops"}, Options: map[string]string{"m": "16"}},
			},
			Checks: []catalog.Check{{Name: "items_id_check", Expr: "(id > 0)"}},
		},
		{ID: 20010, DatabaseID: db, SchemaID: pub, Name: "nopk", Owner: "postgres",
			Columns: []catalog.Column{
				{ID: 1, Name: "a", Type: types.Int4},
				{ID: 2, Name: "?rowid?", Type: types.Int8, NotNull: true, Hidden: true},
			},
			PrimaryKey:  []int{1},
			ForeignKeys: []catalog.ForeignKey{{Name: "nopk_a_fkey", Columns: []int{0}, RefTable: 20000, RefColumns: []int{0}, OnDelete: "CASCADE"}},
		},
	}
}

func rowsOf(t *testing.T, c *Context, schema, name string) [][]types.Datum {
	t.Helper()
	vt := Lookup(schema, name)
	if vt == nil {
		t.Fatalf("%s.%s not registered", schema, name)
	}
	rows, err := Rows(vt, c)
	if err != nil {
		t.Fatalf("%s.%s: %v", schema, name, err)
	}
	return rows
}

func colIdx(t *testing.T, schema, name, col string) int {
	t.Helper()
	for i, c := range Lookup(schema, name).Columns {
		if c.Name == col {
			return i
		}
	}
	t.Fatalf("%s.%s has no column %s", schema, name, col)
	return -1
}

// Every relation has an OID below the user range (so it never collides
// with a table's), unique among relations, unique column names, and rows
// as wide as its columns.
func TestRegistryShapes(t *testing.T) {
	c := testContext(t, sampleTables(), []*catalog.Sequence{{ID: 20020, DatabaseID: storage.BootstrapDatabaseID,
		SchemaID: storage.PublicSchemaID, Name: "s", Increment: 1, Min: 1, Max: 100, Start: 1}})
	oids := map[uint32]string{}
	for key, tb := range registry {
		d := tb.def
		if d.OID == 0 || d.OID >= uint32(catalog.FirstUserID) {
			t.Errorf("%s: OID %d outside the built-in range", key, d.OID)
		}
		if other, dup := oids[d.OID]; dup {
			t.Errorf("%s and %s share OID %d", key, other, d.OID)
		}
		oids[d.OID] = key
		seen := map[string]bool{}
		for _, col := range d.Columns {
			if seen[col.Name] {
				t.Errorf("%s: duplicate column %s", key, col.Name)
			}
			seen[col.Name] = true
		}
		rows, err := tb.rows(c)
		if err != nil {
			t.Errorf("%s: %v", key, err)
		}
		for _, r := range rows {
			if len(r) != len(d.Columns) {
				t.Errorf("%s: row has %d values for %d columns", key, len(r), len(d.Columns))
				break
			}
		}
	}
}

func TestAttributes(t *testing.T) {
	c := testContext(t, sampleTables(), nil)
	rel, name, num, dropped, typmod := colIdx(t, "pg_catalog", "pg_attribute", "attrelid"), colIdx(t, "pg_catalog", "pg_attribute", "attname"),
		colIdx(t, "pg_catalog", "pg_attribute", "attnum"), colIdx(t, "pg_catalog", "pg_attribute", "attisdropped"),
		colIdx(t, "pg_catalog", "pg_attribute", "atttypmod")
	got := map[uint32][]string{}
	for _, r := range rowsOf(t, c, "pg_catalog", "pg_attribute") {
		o := uint32(r[rel].(types.DOid))
		if o != 20000 && o != 20010 {
			continue
		}
		got[o] = append(got[o], string(r[name].(types.DString))+"/"+itoa(int(r[num].(types.DInt)))+"/"+
			map[bool]string{true: "dropped", false: "live"}[bool(r[dropped].(types.DBool))]+"/"+itoa(int(r[typmod].(types.DInt))+1))
	}
	want := map[uint32]string{
		20000: "id/1/live/0 ........pg.dropped.2......../2/dropped/0 Label/3/live/25 emb/4/live/4",
		20010: "a/1/live/0", // the hidden rowid is no attribute
	}
	for o, w := range want {
		if g := strings.Join(got[o], " "); g != w {
			t.Errorf("attributes of %d:\n got %s\nwant %s", o, g, w)
		}
	}
}

func TestDefinitions(t *testing.T) {
	c := testContext(t, sampleTables(), nil)
	tests := []struct {
		name string
		got  func() (string, bool)
		want string
	}{
		{"pkey index", func() (string, bool) { return IndexDef(c, PKIndexOID(c.Cat.Tables[20000]), true) },
			"CREATE UNIQUE INDEX items_pkey ON items USING btree (id)"},
		{"unique index quotes its column", func() (string, bool) { return IndexDef(c, 20001, true) },
			`CREATE UNIQUE INDEX items_label_key ON items USING btree ("Label")`},
		{"hnsw index", func() (string, bool) { return IndexDef(c, 20002, true) },
			"CREATE INDEX items_emb_idx ON items USING hnsw (emb vector_l2_ops) WITH (m='16')"},
		{"plain form qualifies the table", func() (string, bool) { return IndexDef(c, 20001, false) },
			`CREATE UNIQUE INDEX items_label_key ON public.items USING btree ("Label")`},
		{"index column", func() (string, bool) { return IndexColumn(c, 20001, 1, false) }, `"Label"`},
		{"primary key", func() (string, bool) { return ConstraintDef(c, constraintPK|20000) }, "PRIMARY KEY (id)"},
		{"unique", func() (string, bool) { return ConstraintDef(c, constraintUQ|20001) }, `UNIQUE ("Label")`},
		{"check", func() (string, bool) { return ConstraintDef(c, uint32(c.Cat.Tables[20000].Checks[0].OID)) }, "CHECK ((id > 0))"},
		{"foreign key", func() (string, bool) { return ConstraintDef(c, uint32(c.Cat.Tables[20010].ForeignKeys[0].OID)) },
			"FOREIGN KEY (a) REFERENCES items(id) ON DELETE CASCADE"},
	}
	for _, tc := range tests {
		got, ok := tc.got()
		if !ok || got != tc.want {
			t.Errorf("%s: got %q (%v), want %q", tc.name, got, ok, tc.want)
		}
	}
	if _, ok := IndexDef(c, 999999, false); ok {
		t.Error("IndexDef of an unknown OID succeeded")
	}
	if !RelationVisible(c, []string{"public"}, 20000) || RelationVisible(c, []string{"other"}, 20000) {
		t.Error("pg_table_is_visible does not follow the search path")
	}
}

func TestDefaultExpr(t *testing.T) {
	tests := []struct {
		typ  *types.T
		def  string
		want string
	}{
		{types.Text, "'x'", "'x'::text"},
		{types.VarcharN(3), "'ab'", "'ab'::character varying"},
		{types.BpcharN(3), "'abc'", "'abc'::bpchar"},
		{types.Int4, "-1", "'-1'::integer"},
		{types.Int4, "42", "42"},
		{types.TimestampTZ, "now()", "now()"},
		{types.Text, "'a' || 'b'", "'a' || 'b'"},
		{types.Date, "'2024-01-01'::date", "'2024-01-01'::date"},
		{types.Int4, "", ""},
		{types.BitN(3), "'101'", `'101'::"bit"`},
		{types.VarbitN(4), "'101'", "'101'::bit varying"},
		{types.Varbit, "B'11'", `'11'::"bit"`},
		{types.BitN(8), "X'1F'", `'00011111'::"bit"`},
	}
	for _, tc := range tests {
		if got := DefaultExpr(&catalog.Column{Type: tc.typ, Default: tc.def}); got != tc.want {
			t.Errorf("DefaultExpr(%s DEFAULT %s) = %q, want %q", tc.typ, tc.def, got, tc.want)
		}
	}
}

func TestInformationSchemaColumns(t *testing.T) {
	c := testContext(t, sampleTables(), nil)
	tn, cn, dt, udt, ml := colIdx(t, "information_schema", "columns", "table_name"), colIdx(t, "information_schema", "columns", "column_name"),
		colIdx(t, "information_schema", "columns", "data_type"), colIdx(t, "information_schema", "columns", "udt_name"),
		colIdx(t, "information_schema", "columns", "character_maximum_length")
	var got []string
	for _, r := range rowsOf(t, c, "information_schema", "columns") {
		if r[tn].(types.DString) != "items" {
			continue
		}
		l := "NULL"
		if v, ok := r[ml].(types.DInt); ok {
			l = itoa(int(v))
		}
		got = append(got, string(r[cn].(types.DString))+":"+string(r[dt].(types.DString))+":"+string(r[udt].(types.DString))+":"+l)
	}
	want := "id:integer:int4:NULL Label:character varying:varchar:20 emb:USER-DEFINED:vector:NULL"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("information_schema.columns:\n got %s\nwant %s", g, want)
	}
}

// TestIndexColumnText checks how an expression index's hidden column is
// spelled in pg_get_indexdef: a function call bare, anything else in its
// own parentheses, the pretty form being the column's name.
func TestIndexColumnText(t *testing.T) {
	cases := []struct {
		col           catalog.Column
		plain, pretty string
	}{
		{catalog.Column{Name: "Label"}, `"Label"`, `"Label"`},
		{catalog.Column{Name: "lower(email::text)", Hidden: true, Generated: "lower((email)::text)", GeneratedPretty: "lower(email::text)"},
			"lower((email)::text)", "lower(email::text)"},
		{catalog.Column{Name: "(id + 1)", Hidden: true, Generated: "(id + 1)", GeneratedPretty: "id + 1"}, "((id + 1))", "(id + 1)"},
		{catalog.Column{Name: "((a + b) * c)", Hidden: true, Generated: "((a + b) * c)", GeneratedPretty: "(a + b) * c"}, "(((a + b) * c))", "((a + b) * c)"},
	}
	for _, c := range cases {
		if got := indexColumnText(&c.col, false); got != c.plain {
			t.Errorf("%s plain: got %s, want %s", c.col.Name, got, c.plain)
		}
		if got := indexColumnText(&c.col, true); got != c.pretty {
			t.Errorf("%s pretty: got %s, want %s", c.col.Name, got, c.pretty)
		}
	}
}
