package pgdialect

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/quiverdb/quiver/sql/tree"
)

var posType = reflect.TypeOf(tree.Pos(0))

// clearPos zeroes every tree.Pos reachable from v so expected values in
// tests need not spell positions (TestPositions checks those).
func clearPos(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearPos(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.Type() == posType && f.CanSet() {
				f.SetInt(0)
				continue
			}
			clearPos(f)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			clearPos(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			clearPos(v.MapIndex(k))
		}
	}
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func strp(s string) *string { return &s }

// TestStatements checks the PostgreSQL-only statements and DDL field by
// field.
func TestStatements(t *testing.T) {
	costsOff := false
	cases := []struct {
		sql  string
		want tree.Statement
	}{
		{"SET hnsw.ef_search = 100", &tree.Set{Name: "hnsw.ef_search", Values: []string{"100"}}},
		{"set search_path to s1, public", &tree.Set{Name: "search_path", Values: []string{"s1", "public"}}},
		{"SET LOCAL statement_timeout = '5s'", &tree.Set{Name: "statement_timeout", Values: []string{"5s"}, Local: true}},
		{"SET SESSION DateStyle TO 'ISO, MDY'", &tree.Set{Name: "datestyle", Values: []string{"ISO, MDY"}}},
		{"SET TIME ZONE 'UTC'", &tree.Set{Name: "timezone", Values: []string{"UTC"}}},
		{"SET TIME ZONE LOCAL", &tree.Set{Name: "timezone", Default: true}},
		{"SET application_name = DEFAULT", &tree.Set{Name: "application_name", Default: true}},
		{"SET extra_float_digits = -3", &tree.Set{Name: "extra_float_digits", Values: []string{"-3"}}},
		{"SET NAMES 'UTF8'", &tree.Set{Name: "client_encoding", Values: []string{"UTF8"}}},
		{"SET SCHEMA 'app'", &tree.Set{Name: "search_path", Values: []string{"app"}}},
		{"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE", &tree.SetTransaction{Modes: []string{"isolation level serializable"}, Session: true}},
		{"SET TRANSACTION READ ONLY", &tree.SetTransaction{Modes: []string{"read only"}}},
		{"SHOW hnsw.ef_search", &tree.Show{Name: "hnsw.ef_search"}},
		{"SHOW TIME ZONE", &tree.Show{Name: "timezone"}},
		{"SHOW TRANSACTION ISOLATION LEVEL", &tree.Show{Name: "transaction_isolation"}},
		{"SHOW ALL", &tree.Show{Name: "all"}},
		{"RESET ALL", &tree.Reset{All: true}},
		{"RESET search_path", &tree.Reset{Name: "search_path"}},
		{"BEGIN", &tree.Begin{}},
		{"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", &tree.Begin{Modes: []string{"isolation level repeatable read", "read only"}}},
		{"START TRANSACTION READ WRITE", &tree.Begin{Modes: []string{"read write"}}},
		{"COMMIT", &tree.Commit{}},
		{"END TRANSACTION", &tree.Commit{}},
		{"COMMIT AND CHAIN", &tree.Commit{Chain: true}},
		{"ROLLBACK", &tree.Rollback{}},
		{"ABORT", &tree.Rollback{}},
		{"ROLLBACK TO SAVEPOINT sp1", &tree.Rollback{Savepoint: "sp1"}},
		{"ROLLBACK TO sp1", &tree.Rollback{Savepoint: "sp1"}},
		{"SAVEPOINT sp1", &tree.Savepoint{Name: "sp1"}},
		{"RELEASE SAVEPOINT sp1", &tree.ReleaseSavepoint{Name: "sp1"}},
		{"CREATE INDEX ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)", &tree.CreateIndex{
			Table: tree.ObjectName{Name: "items"}, Method: "hnsw",
			Elems: []tree.IndexElem{{Column: "embedding", Opclass: "vector_l2_ops"}},
			With:  []tree.StorageParam{{Name: "m", Value: "16"}, {Name: "ef_construction", Value: "64"}}}},
		{"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx ON public.t (lower(name), (a + b) DESC NULLS FIRST) INCLUDE (c) WHERE d > 0", &tree.CreateIndex{
			Name: "idx", Table: tree.ObjectName{Schema: "public", Name: "t"}, Unique: true, Concurrently: true, IfNotExists: true,
			Elems: []tree.IndexElem{
				{Expr: &tree.FuncCall{Name: "lower", Args: []tree.Expr{&tree.ColumnRef{Parts: []string{"name"}}}}},
				{Expr: &tree.BinaryExpr{Op: "+", Left: &tree.ColumnRef{Parts: []string{"a"}}, Right: &tree.ColumnRef{Parts: []string{"b"}}}, Desc: true, Nulls: "first"},
			},
			Include: []string{"c"},
			Where:   &tree.BinaryExpr{Op: ">", Left: &tree.ColumnRef{Parts: []string{"d"}}, Right: &tree.NumberLit{Text: "0"}}}},
		{"DROP INDEX CONCURRENTLY IF EXISTS a, b CASCADE", &tree.DropIndex{Names: []tree.ObjectName{{Name: "a"}, {Name: "b"}}, IfExists: true, Concurrently: true, Cascade: true}},
		{"CREATE SCHEMA IF NOT EXISTS s1", &tree.CreateSchema{Name: "s1", IfNotExists: true}},
		{"DROP SCHEMA s1, s2 CASCADE", &tree.DropSchema{Names: []string{"s1", "s2"}, Cascade: true}},
		{"CREATE DATABASE db1", &tree.CreateDatabase{Name: "db1"}},
		{"DROP DATABASE IF EXISTS \"Db1\"", &tree.DropDatabase{Name: "Db1", IfExists: true}},
		{"CREATE EXTENSION IF NOT EXISTS vector", &tree.CreateExtension{Name: "vector", IfNotExists: true}},
		{"DROP EXTENSION vector CASCADE", &tree.DropExtension{Names: []string{"vector"}, Cascade: true}},
		{"EXPLAIN ANALYZE SELECT 1", &tree.Explain{Analyze: true, Stmt: sel1()}},
		{"EXPLAIN (ANALYZE, COSTS OFF, FORMAT JSON) SELECT 1", &tree.Explain{Analyze: true, Costs: &costsOff, Format: "json", Stmt: sel1(),
			Options: []tree.StorageParam{{Name: "analyze"}, {Name: "costs", Value: "off"}, {Name: "format", Value: "json"}}}},
		{"COPY items (id, embedding) FROM STDIN WITH (FORMAT BINARY)", &tree.Copy{Table: tree.ObjectName{Name: "items"}, Columns: []string{"id", "embedding"}, From: true, Target: "stdin",
			Options: []tree.StorageParam{{Name: "format", Value: "binary"}}}},
		{"COPY (SELECT 1) TO STDOUT WITH CSV HEADER", &tree.Copy{Query: sel1(), Target: "stdout",
			Options: []tree.StorageParam{{Name: "format", Value: "csv"}, {Name: "header", Value: "true"}}}},
		{"COPY t FROM STDIN (FORMAT csv, DELIMITER ',', NULL '')", &tree.Copy{Table: tree.ObjectName{Name: "t"}, From: true, Target: "stdin",
			Options: []tree.StorageParam{{Name: "format", Value: "csv"}, {Name: "delimiter", Value: ","}, {Name: "null", Value: ""}}}},
		{"PREPARE p1 (int, text) AS SELECT 1", &tree.Prepare{Name: "p1", Types: []tree.TypeName{{Name: "int4"}, {Name: "text"}}, Stmt: sel1(), Text: "SELECT 1"}},
		{"EXECUTE p1 (1, 'a')", &tree.Execute{Name: "p1", Params: []tree.Expr{&tree.NumberLit{Text: "1"}, &tree.StringLit{Val: "a"}}}},
		{"DEALLOCATE ALL", &tree.Deallocate{All: true}},
		{"DEALLOCATE PREPARE p1", &tree.Deallocate{Name: "p1"}},
		{"DISCARD ALL", &tree.Discard{What: "all"}},
		{"TRUNCATE TABLE a, b RESTART IDENTITY CASCADE", &tree.Truncate{Names: []tree.ObjectName{{Name: "a"}, {Name: "b"}}, RestartIdentity: true, Cascade: true}},
		{"VACUUM ANALYZE items", &tree.Vacuum{Analyze: true, Tables: []tree.ObjectName{{Name: "items"}}}},
		{"VACUUM", &tree.Vacuum{}},
		{"ANALYZE items", &tree.Vacuum{Analyze: true, Tables: []tree.ObjectName{{Name: "items"}}}},
		{"LISTEN ch", &tree.Listen{Channel: "ch"}},
		{"NOTIFY ch, 'hello'", &tree.Notify{Channel: "ch", Payload: "hello"}},
		{"UNLISTEN *", &tree.Unlisten{Channel: "*"}},
		{"COMMENT ON TABLE t IS 'hi'", &tree.CommentOn{Kind: "table", Name: tree.ObjectName{Name: "t"}, Comment: strp("hi")}},
		{"COMMENT ON COLUMN s.t.c IS NULL", &tree.CommentOn{Kind: "column", Name: tree.ObjectName{Schema: "s", Name: "t"}, Column: "c"}},
		{"CREATE SEQUENCE IF NOT EXISTS seq1 START WITH 10 INCREMENT BY 2 NO CYCLE", &tree.CreateSequence{Name: tree.ObjectName{Name: "seq1"}, IfNotExists: true,
			Options: []tree.SeqOption{{Name: "start", Value: "10"}, {Name: "increment", Value: "2"}, {Name: "no cycle"}}}},
		{"CREATE TYPE mood AS ENUM ('sad', 'ok')", &tree.CreateType{Name: tree.ObjectName{Name: "mood"}, Labels: []string{"sad", "ok"}}},
		{`CREATE TYPE s."Role" AS ENUM ()`, &tree.CreateType{Name: tree.ObjectName{Schema: "s", Name: "Role"}}},
		{`DROP TYPE IF EXISTS mood, s."Role" CASCADE`, &tree.DropType{Names: []tree.ObjectName{{Name: "mood"}, {Schema: "s", Name: "Role"}}, IfExists: true, Cascade: true}},
		{"DROP TYPE mood RESTRICT", &tree.DropType{Names: []tree.ObjectName{{Name: "mood"}}}},
		{"ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok'", &tree.AlterType{Name: tree.ObjectName{Name: "mood"}, Kind: "add value", Value: "meh", Neighbor: "ok", HasNeighbor: true, IfNotExists: true}},
		{"ALTER TYPE mood ADD VALUE 'great' AFTER 'ok'", &tree.AlterType{Name: tree.ObjectName{Name: "mood"}, Kind: "add value", Value: "great", Neighbor: "ok", HasNeighbor: true, After: true}},
		{"ALTER TYPE mood ADD VALUE 'x'", &tree.AlterType{Name: tree.ObjectName{Name: "mood"}, Kind: "add value", Value: "x"}},
		{"ALTER TYPE mood RENAME VALUE 'a' TO 'b'", &tree.AlterType{Name: tree.ObjectName{Name: "mood"}, Kind: "rename value", Value: "a", NewValue: "b"}},
		{`ALTER TYPE mood RENAME TO "Feeling"`, &tree.AlterType{Name: tree.ObjectName{Name: "mood"}, Kind: "rename to", Value: "Feeling"}},
		{"ALTER TYPE public.mood OWNER TO bob", &tree.AlterType{Name: tree.ObjectName{Schema: "public", Name: "mood"}, Kind: "owner to", Value: "bob"}},
		{"GRANT SELECT ON t TO bob", &tree.Grant{Text: "GRANT SELECT ON t TO bob"}},
		{"CREATE ROLE bob WITH LOGIN PASSWORD 'x'", &tree.CreateRole{Name: "bob", Options: []tree.RoleOption{{Name: "login", Pos: 22}, {Name: "password", Value: strp("x"), Pos: 28}}}},
		{"ALTER ROLE bob RENAME TO carol", &tree.AlterRole{Name: "bob", NewName: "carol"}},
		{"ALTER USER bob WITH PASSWORD NULL NOLOGIN", &tree.AlterRole{Name: "bob", Options: []tree.RoleOption{{Name: "password", Pos: 21}, {Name: "nologin", Pos: 35}}}},
		{"DROP TABLE IF EXISTS a, s.b CASCADE", &tree.DropTable{Names: []tree.ObjectName{{Name: "a"}, {Schema: "s", Name: "b"}}, IfExists: true, Cascade: true}},
		{"DROP TABLE t", &tree.DropTable{Names: []tree.ObjectName{{Name: "t"}}}},
		{"CREATE TABLE IF NOT EXISTS items (id bigserial PRIMARY KEY, embedding vector(3) NOT NULL, name text DEFAULT 'x' || 'y', price numeric(10,2) CHECK (price > 0))",
			&tree.CreateTable{Name: tree.ObjectName{Name: "items"}, IfNotExists: true, Columns: []tree.ColumnDef{
				{Name: "id", Type: tree.TypeName{Name: "bigserial"}, Constraints: []tree.Constraint{{Kind: "primary key"}}},
				{Name: "embedding", Type: tree.TypeName{Name: "vector", Mods: []int32{3}}, NotNull: true},
				{Name: "name", Type: tree.TypeName{Name: "text"}, DefaultText: "'x' || 'y'",
					Default: &tree.BinaryExpr{Op: "||", Left: &tree.StringLit{Val: "x"}, Right: &tree.StringLit{Val: "y"}}},
				{Name: "price", Type: tree.TypeName{Name: "numeric", Mods: []int32{10, 2}}, Constraints: []tree.Constraint{{Kind: "check", CheckText: "price > 0",
					Check: &tree.BinaryExpr{Op: ">", Left: &tree.ColumnRef{Parts: []string{"price"}}, Right: &tree.NumberLit{Text: "0"}}}}},
			}}},
		{"CREATE TABLE t (a int, b text NOT NULL, key text, c char(3), v varchar, ts timestamp with time zone DEFAULT now(), d double precision, r real, tags int[], u uuid UNIQUE, o int REFERENCES other(id) ON DELETE CASCADE, CONSTRAINT pk PRIMARY KEY (a, b))",
			&tree.CreateTable{Name: tree.ObjectName{Name: "t"}, Columns: []tree.ColumnDef{
				{Name: "a", Type: tree.TypeName{Name: "int4"}},
				{Name: "b", Type: tree.TypeName{Name: "text"}, NotNull: true},
				{Name: "key", Type: tree.TypeName{Name: "text"}},
				{Name: "c", Type: tree.TypeName{Name: "bpchar", Mods: []int32{3}}},
				{Name: "v", Type: tree.TypeName{Name: "varchar"}},
				{Name: "ts", Type: tree.TypeName{Name: "timestamptz"}, Default: &tree.FuncCall{Name: "now"}, DefaultText: "now()"},
				{Name: "d", Type: tree.TypeName{Name: "float8"}},
				{Name: "r", Type: tree.TypeName{Name: "float4"}},
				{Name: "tags", Type: tree.TypeName{Name: "int4", ArrayDims: 1}},
				{Name: "u", Type: tree.TypeName{Name: "uuid"}, Constraints: []tree.Constraint{{Kind: "unique"}}},
				{Name: "o", Type: tree.TypeName{Name: "int4"}, Constraints: []tree.Constraint{{Kind: "foreign key", RefTable: tree.ObjectName{Name: "other"}, RefColumns: []string{"id"}, OnDelete: "cascade"}}},
			}, Constraints: []tree.Constraint{{Name: "pk", Kind: "primary key", Columns: []string{"a", "b"}}}}},
		{"CREATE TABLE t (id serial, n integer GENERATED BY DEFAULT AS IDENTITY)", &tree.CreateTable{Name: tree.ObjectName{Name: "t"}, Columns: []tree.ColumnDef{
			{Name: "id", Type: tree.TypeName{Name: "serial"}},
			{Name: "n", Type: tree.TypeName{Name: "int4"}, Identity: "by default"},
		}}},
		{"CREATE TEMP TABLE t ()", &tree.CreateTable{Name: tree.ObjectName{Name: "t"}, Temporary: true}},
		{"ALTER TABLE t ADD COLUMN x int NOT NULL DEFAULT 0, DROP COLUMN IF EXISTS y, ADD CONSTRAINT c1 UNIQUE (z), RENAME COLUMN a TO b", &tree.AlterTable{
			Name: tree.ObjectName{Name: "t"}, Cmds: []tree.AlterTableCmd{
				{Kind: "add column", Column: &tree.ColumnDef{Name: "x", Type: tree.TypeName{Name: "int4"}, NotNull: true, Default: &tree.NumberLit{Text: "0"}, DefaultText: "0"}},
				{Kind: "drop column", Name: "y", IfExists: true},
				{Kind: "add constraint", Constraint: &tree.Constraint{Name: "c1", Kind: "unique", Columns: []string{"z"}}},
				{Kind: "rename column", Name: "a", NewName: "b"},
			}}},
		{"ALTER TABLE items ALTER COLUMN price TYPE numeric(10,2) USING price::numeric + 1, ALTER id SET DATA TYPE bigint, ALTER name TYPE text COLLATE \"C\", ALTER COLUMN a SET NOT NULL", &tree.AlterTable{
			Name: tree.ObjectName{Name: "items"}, Cmds: []tree.AlterTableCmd{
				{Kind: "alter column type", Name: "price", Type: &tree.TypeName{Name: "numeric", Mods: []int32{10, 2}},
					Using: &tree.BinaryExpr{Op: "+", Left: &tree.CastExpr{Operand: &tree.ColumnRef{Parts: []string{"price"}}, Type: tree.TypeName{Name: "numeric"}}, Right: &tree.NumberLit{Text: "1"}}},
				{Kind: "alter column type", Name: "id", Type: &tree.TypeName{Name: "int8"}},
				{Kind: "alter column type", Name: "name", Type: &tree.TypeName{Name: "text"}, Collate: "C"},
				{Kind: "alter column set not null", Name: "a"},
			}}},
		{"ALTER TABLE t RENAME TO u", &tree.AlterTable{Name: tree.ObjectName{Name: "t"}, Cmds: []tree.AlterTableCmd{{Kind: "rename to", NewName: "u"}}}},
		{"ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID, VALIDATE CONSTRAINT d", &tree.AlterTable{Name: tree.ObjectName{Name: "t"}, Cmds: []tree.AlterTableCmd{
			{Kind: "add constraint", Constraint: &tree.Constraint{Name: "c", Kind: "check", Check: &tree.BinaryExpr{Op: ">", Left: &tree.ColumnRef{Parts: []string{"a"}}, Right: &tree.NumberLit{Text: "0"}}, CheckText: "a > 0", NotValid: true}},
			{Kind: "validate constraint", Name: "d"}}}},
		{"CREATE FUNCTION f() RETURNS int AS $$ select 1; $$ LANGUAGE sql", &tree.Unsupported{What: "CREATE FUNCTION"}},
		{"CREATE OR REPLACE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql", &tree.Unsupported{What: "CREATE FUNCTION"}},
		{"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", &tree.Unsupported{What: "CREATE TRIGGER"}},
		{"DO $$ BEGIN END $$", &tree.Unsupported{What: "DO"}},
		{"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", &tree.Unsupported{What: "MERGE"}},
		{"DECLARE c CURSOR WITHOUT HOLD FOR SELECT 1", &tree.DeclareCursor{Name: "c", Query: &tree.Select{Body: &tree.SelectClause{Targets: []tree.Target{{Expr: &tree.NumberLit{Text: "1"}}}}}}},
		{"DECLARE c SCROLL CURSOR FOR SELECT 1", &tree.Unsupported{What: "DECLARE SCROLL CURSOR"}},
		{"FETCH NEXT FROM c", &tree.FetchCursor{Name: "c", Count: 1}},
		{"FETCH FORWARD 2000 FROM \"c\"", &tree.FetchCursor{Name: "c", Count: 2000}},
		{"MOVE ALL IN c", &tree.FetchCursor{Name: "c", Count: -1, Move: true}},
		{"FETCH BACKWARD 1 FROM c", &tree.Unsupported{What: "FETCH in directions other than forward"}},
		{"CLOSE c", &tree.CloseCursor{Name: "c"}},
		{"CLOSE ALL", &tree.CloseCursor{All: true}},
		{"CREATE MATERIALIZED VIEW mv WITH (fillfactor=70) AS SELECT 1", &tree.Unsupported{What: "CREATE MATERIALIZED VIEW ... WITH"}},
		{"REFRESH MATERIALIZED VIEW CONCURRENTLY s.mv WITH NO DATA", &tree.RefreshMatview{Name: tree.ObjectName{Schema: "s", Name: "mv"}, Concurrently: true, WithNoData: true}},
		{"REFRESH MATERIALIZED VIEW mv WITH DATA", &tree.RefreshMatview{Name: tree.ObjectName{Name: "mv"}}},
		{"DROP MATERIALIZED VIEW IF EXISTS a, b CASCADE", &tree.DropView{Materialized: true, IfExists: true, Cascade: true, Names: []tree.ObjectName{{Name: "a"}, {Name: "b"}}}},
		{"ALTER MATERIALIZED VIEW mv RENAME COLUMN a TO b", &tree.AlterTable{Matview: true, Name: tree.ObjectName{Name: "mv"}, Cmds: []tree.AlterTableCmd{{Kind: "rename column", Name: "a", NewName: "b"}}}},
		{"ALTER MATERIALIZED VIEW IF EXISTS mv OWNER TO bob", &tree.AlterTable{Matview: true, IfExists: true, Name: tree.ObjectName{Name: "mv"}, Cmds: []tree.AlterTableCmd{{Kind: "owner to", NewName: "bob"}}}},
		{"", &tree.Empty{}},
		{";", &tree.Empty{}},
		{"-- ping", &tree.Empty{}},
		{" /* c */ ; ;", &tree.Empty{}},
	}
	for _, c := range cases {
		ps, err := Parse(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if len(ps) != 1 {
			t.Errorf("%s: %d statements", c.sql, len(ps))
			continue
		}
		got := ps[0].Stmt
		clearPos(reflect.ValueOf(got))
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s\n got: %T %s\nwant: %T %s", c.sql, got, dump(got), c.want, dump(c.want))
		}
	}
}

func sel1() *tree.Select {
	return &tree.Select{Body: &tree.SelectClause{Targets: []tree.Target{{Expr: &tree.NumberLit{Text: "1"}}}}}
}

// TestSplit checks simple-protocol splitting: ';' inside strings, dollar
// quotes and comments does not end a statement, and each SQL is its own text.
func TestSplit(t *testing.T) {
	ps, err := Parse("SELECT ';'; SELECT $$;$$ /* ; */; -- ;\nSELECT 3;")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"SELECT ';'", "SELECT $$;$$", "SELECT 3"}
	if len(ps) != len(want) {
		t.Fatalf("got %d statements, want %d", len(ps), len(want))
	}
	for i, w := range want {
		if ps[i].SQL != w {
			t.Errorf("statement %d: SQL %q, want %q", i, ps[i].SQL, w)
		}
	}
	if _, err := ParseOne("SELECT 1; SELECT 2"); err == nil {
		t.Errorf("ParseOne accepted two statements")
	}
}
