package executor

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// newTestSession opens an in-memory store and a session on "postgres".
func newTestSession(t testing.TB) *Session {
	t.Helper()
	store, err := storage.Open(storage.Options{InMemory: true, NoSync: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	s, err := NewEngine(store).NewSession(context.Background(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// sessionOnDir opens a store on dir and a session on it; shutdown closes
// the session, the engine and the store as a server stopping does, so that
// the next call on dir finds what a restart finds.
func sessionOnDir(t *testing.T, dir string) (s *Session, shutdown func()) {
	t.Helper()
	store, err := storage.Open(storage.Options{Dir: dir, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	eng := NewEngine(store)
	s, err = eng.NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	return s, func() {
		s.Close()
		if err := eng.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// run executes every statement of sql and returns the last statement's
// rows in text form ("NULL" for NULL), or its error.
// prepareOne parses and prepares a single statement, as the extended
// protocol's Parse does.
func prepareOne(t testing.TB, s *Session, sql string) *Prepared {
	t.Helper()
	parsed, err := s.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Prepare(t.Context(), parsed[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// executeCount runs a prepared statement and returns how many rows it
// produced.
func executeCount(t testing.TB, s *Session, p *Prepared, params ...types.Datum) int {
	t.Helper()
	ctx := t.Context()
	res, err := s.Execute(ctx, p, params)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		r, err := res.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r == nil {
			break
		}
		n++
	}
	if err := res.Close(); err != nil {
		t.Fatal(err)
	}
	return n
}

func run(t testing.TB, s *Session, sql string) ([][]string, error) {
	t.Helper()
	ctx := context.Background()
	stmts, err := s.Parse(sql)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	if len(stmts) > 1 {
		s.StartImplicit()
	}
	for _, st := range stmts {
		rows = nil
		p, err := s.Prepare(ctx, st, nil)
		if err != nil {
			s.StatementFailed()
			return nil, err
		}
		res, err := s.Execute(ctx, p, nil)
		if err != nil {
			return nil, err
		}
		cols := res.Columns()
		for {
			r, err := res.Next(ctx)
			if err != nil {
				res.Close()
				return nil, err
			}
			if r == nil {
				break
			}
			out := make([]string, len(r))
			for i, d := range r {
				if types.IsNull(d) {
					out[i] = "NULL"
				} else {
					out[i] = types.FormatText(cols[i].Type, d)
				}
			}
			rows = append(rows, out)
		}
		if err := res.Close(); err != nil {
			return nil, err
		}
	}
	if err := s.EndImplicit(ctx); err != nil {
		return nil, err
	}
	return rows, nil
}

func mustRun(t testing.TB, s *Session, sql string) [][]string {
	t.Helper()
	rows, err := run(t, s, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return rows
}

// queryCase is a query and its rows as flat renders them.
type queryCase struct{ sql, want string }

// expectRows runs each query and compares its rows.
func expectRows(t testing.TB, s *Session, cases []queryCase) {
	t.Helper()
	for _, c := range cases {
		rows, err := run(t, s, c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if got := flat(rows); got != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q", c.sql, got, c.want)
		}
	}
}

func flat(rows [][]string) string {
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = strings.Join(r, "|")
	}
	return strings.Join(lines, "\n")
}

func TestQueries(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, `CREATE TABLE t (id int PRIMARY KEY, name text, x double precision);
		INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', 2.5), (3, NULL, NULL), (4, 'a', 4);
		CREATE TABLE u (id int PRIMARY KEY, t_id int, v text);
		INSERT INTO u VALUES (10, 1, 'x'), (11, 1, 'y'), (12, 2, 'z'), (13, 9, 'w')`)
	cases := []queryCase{
		{"SELECT id, name FROM t WHERE id >= 2 ORDER BY id", "2|b\n3|NULL\n4|a"},
		{"SELECT name, count(*), sum(x) FROM t GROUP BY name ORDER BY name", "a|2|5.5\nb|1|2.5\nNULL|1|NULL"},
		{"SELECT count(*) FILTER (WHERE x > 2), max(id) FROM t", "2|4"},
		{"SELECT name FROM t ORDER BY name NULLS FIRST, id DESC", "NULL\na\na\nb"},
		{"SELECT t.id, u.v FROM t JOIN u ON u.t_id = t.id ORDER BY u.id", "1|x\n1|y\n2|z"},
		{"SELECT t.id, u.v FROM t LEFT JOIN u ON u.t_id = t.id ORDER BY t.id, u.v", "1|x\n1|y\n2|z\n3|NULL\n4|NULL"},
		{"SELECT t.id, u.id FROM t RIGHT JOIN u ON u.t_id = t.id ORDER BY u.id", "1|10\n1|11\n2|12\nNULL|13"},
		{"SELECT id FROM t WHERE id IN (SELECT t_id FROM u) ORDER BY 1", "1\n2"},
		{"SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.t_id = t.id) ORDER BY 1", "1\n2"},
		{"SELECT id, (SELECT count(*) FROM u WHERE u.t_id = t.id) FROM t ORDER BY id", "1|2\n2|1\n3|0\n4|0"},
		{"SELECT DISTINCT name FROM t WHERE name IS NOT NULL ORDER BY name", "a\nb"},
		{"SELECT id FROM t ORDER BY id LIMIT 2 OFFSET 1", "2\n3"},
		{"SELECT id FROM t UNION SELECT t_id FROM u ORDER BY 1", "1\n2\n3\n4\n9"},
		{"WITH big AS (SELECT id FROM t WHERE id > 2) SELECT count(*) FROM big", "2"},
		{"SELECT CASE WHEN id < 2 THEN 'low' ELSE 'high' END FROM t ORDER BY id LIMIT 2", "low\nhigh"},
		{"SELECT coalesce(name, '?') FROM t ORDER BY id", "a\nb\n?\na"},
		{"SELECT id FROM t WHERE name LIKE 'a%' AND id BETWEEN 1 AND 3", "1"},
		{"SELECT g FROM generate_series(1, 3) g", "1\n2\n3"},
		{"SELECT name, count(*) FROM t GROUP BY name HAVING count(*) > 1", "a|2"},
		{"SELECT 7 / 2, 7.0 / 2, -3 % 2", "3|3.5000000000000000|-1"},
	}
	expectRows(t, s, cases)
}

func TestErrors(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)")
	cases := []struct{ sql, code string }{
		{"SELECT * FROM nope", pgerror.CodeUndefinedTable},
		{"SELECT nope FROM t", pgerror.CodeUndefinedColumn},
		{"CREATE TABLE t (a int)", pgerror.CodeDuplicateTable},
		{"INSERT INTO t VALUES (1, NULL)", pgerror.CodeNotNullViolation},
		{"SELECT 1/0", pgerror.CodeDivisionByZero},
		{"SELECT 'abc'::int", pgerror.CodeInvalidTextRepresentation},
		{"SELECT 2147483647 + 1", pgerror.CodeNumericValueOutOfRange},
		{"SELECT v, count(*) FROM t", pgerror.CodeGroupingError},
		{"SELECT nosuchfn(1)", pgerror.CodeUndefinedFunction},
	}
	for _, c := range cases {
		_, err := run(t, s, c.sql)
		if got := pgerror.CodeOf(err); got != c.code {
			t.Errorf("%s: got %s (%v), want %s", c.sql, got, err, c.code)
		}
	}
	mustRun(t, s, "INSERT INTO t VALUES (1, 'a')")
	if _, err := run(t, s, "INSERT INTO t VALUES (1, 'b')"); pgerror.CodeOf(err) != pgerror.CodeUniqueViolation {
		t.Errorf("duplicate key: got %v", err)
	}
}

func TestTransactionBlock(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE t (id int PRIMARY KEY)")
	mustRun(t, s, "BEGIN; INSERT INTO t VALUES (1)")
	if s.TxnStatus() != 'T' {
		t.Fatalf("status %c, want T", s.TxnStatus())
	}
	if _, err := run(t, s, "SELECT 1/0"); err == nil {
		t.Fatal("want division by zero")
	}
	if s.TxnStatus() != 'E' {
		t.Fatalf("status %c, want E", s.TxnStatus())
	}
	if _, err := run(t, s, "SELECT 1"); pgerror.CodeOf(err) != pgerror.CodeInFailedSQLTransaction {
		t.Fatalf("want 25P02, got %v", err)
	}
	mustRun(t, s, "ROLLBACK")
	if got := flat(mustRun(t, s, "SELECT count(*) FROM t")); got != "0" {
		t.Fatalf("rolled back insert visible: %s", got)
	}
	mustRun(t, s, "BEGIN; INSERT INTO t VALUES (2); COMMIT")
	if got := flat(mustRun(t, s, "SELECT id FROM t")); got != "2" {
		t.Fatalf("committed row: %s", got)
	}
}

// TestPrimaryKeyLookupReadsOneRow proves a primary-key predicate becomes a
// key span instead of a full scan.
func TestImplicitTransaction(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE t (id int PRIMARY KEY)")
	if _, err := run(t, s, "INSERT INTO t VALUES (1); SELECT 1/0"); err == nil {
		t.Fatal("want division by zero")
	}
	if got := flat(mustRun(t, s, "SELECT count(*) FROM t")); got != "0" {
		t.Fatalf("statement before the failure in one query string was kept: %s", got)
	}
}

func TestPrimaryKeyLookupReadsOneRow(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g * 10 FROM generate_series(1, 1000) g")
	if got := flat(mustRun(t, s, "SELECT v FROM t WHERE id = 500")); got != "5000" {
		t.Fatalf("point lookup: %s", got)
	}
	if n := s.LastStats().RowsRead; n != 1 {
		t.Errorf("point lookup read %d rows, want 1", n)
	}
	if got := flat(mustRun(t, s, "SELECT count(*) FROM t WHERE id > 990")); got != "10" {
		t.Fatalf("range: %s", got)
	}
	if n := s.LastStats().RowsRead; n != 10 {
		t.Errorf("range read %d rows, want 10", n)
	}
}

func TestOrderedAggregatesAndRegFunctions(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (2, 'b'), (1, 'a'), (3, 'c')")
	cases := []queryCase{
		{"SELECT string_agg(v, ',' ORDER BY id DESC) FROM t", "c,b,a"},
		{"SELECT array_agg(id ORDER BY v) FROM t", "{1,2,3}"},
		{"SELECT to_regclass('t')::oid IS NOT NULL, to_regclass('nope') IS NULL", "t|t"},
		{"SELECT to_regtype('vector')::oid, to_regtype('_vector')::oid, to_regtype('halfvec')::oid, to_regtype('sparsevec')::oid, to_regtype('_sparsevec')::oid", "16385|16386|16395|16398|16399"},
		{"SELECT 't'::regclass, pg_typeof(1)", "t|integer"},
	}
	expectRows(t, s, cases)
	_, err := run(t, s, "SELECT 'abc'::int4")
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Position != 8 {
		t.Errorf("bad literal: %v, want position 8", err)
	}
}

func TestLikeEscape(t *testing.T) {
	s := newTestSession(t)
	rows := mustRun(t, s, `SELECT 'a%b' LIKE 'a#%b' ESCAPE '#', 'axb' LIKE 'a#%b' ESCAPE '#', 'A_B' NOT ILIKE 'a!_b' ESCAPE '!'`)
	if got := flat(rows); got != "t|f|f" {
		t.Fatalf("got %q", got)
	}
}

func TestRegtypeLiteral(t *testing.T) {
	s := newTestSession(t)
	if got := flat(mustRun(t, s, "SELECT 'vector'::regtype::oid, 'integer[]'::regtype")); got != "16385|integer[]" {
		t.Fatalf("got %q", got)
	}
	if _, err := run(t, s, "SELECT 'nosuchtype'::regtype"); pgerror.CodeOf(err) != pgerror.CodeUndefinedObject {
		t.Fatalf("unknown type: %v", err)
	}
}

func TestVirtualCatalog(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE SCHEMA s1")
	got := flat(mustRun(t, s, "SELECT nspname FROM pg_namespace WHERE nspname IN ('public', 's1') ORDER BY 1"))
	if got != "public\ns1" {
		t.Fatalf("got %q", got)
	}
	got = flat(mustRun(t, s, "SELECT count(*) FROM pg_catalog.pg_namespace n WHERE n.nspname = 'pg_catalog'"))
	if got != "1" {
		t.Fatalf("got %q", got)
	}
}

func TestSavepoints(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE t (id int PRIMARY KEY)")
	mustRun(t, s, "BEGIN")
	mustRun(t, s, "INSERT INTO t VALUES (1)")
	mustRun(t, s, "SAVEPOINT a")
	mustRun(t, s, "INSERT INTO t VALUES (2)")
	if _, err := run(t, s, "INSERT INTO t VALUES (1)"); pgerror.CodeOf(err) != pgerror.CodeUniqueViolation {
		t.Fatalf("want 23505, got %v", err)
	}
	if s.TxnStatus() != 'E' {
		t.Fatalf("status %c", s.TxnStatus())
	}
	mustRun(t, s, "ROLLBACK TO SAVEPOINT a")
	mustRun(t, s, "INSERT INTO t VALUES (3)")
	mustRun(t, s, "SAVEPOINT b")
	mustRun(t, s, "INSERT INTO t VALUES (4)")
	mustRun(t, s, "RELEASE SAVEPOINT b")
	if _, err := run(t, s, "ROLLBACK TO b"); pgerror.CodeOf(err) != "3B001" {
		t.Fatalf("released savepoint: %v", err)
	}
	mustRun(t, s, "ROLLBACK TO a")
	mustRun(t, s, "COMMIT")
	if got := flat(mustRun(t, s, "SELECT id FROM t ORDER BY id")); got != "1" {
		t.Fatalf("got %q, want 1", got)
	}
	if _, err := run(t, s, "SAVEPOINT x"); pgerror.CodeOf(err) != pgerror.CodeNoActiveSQLTransaction {
		t.Fatalf("savepoint outside a block: %v", err)
	}
}

func TestPgSleepIsCancellable(t *testing.T) {
	s := newTestSession(t)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	stmts, err := s.Parse("SELECT pg_sleep(10)")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Prepare(ctx, stmts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := s.Execute(ctx, p, nil)
	if err == nil {
		_, err = res.Next(ctx)
		res.Close()
	}
	if pgerror.CodeOf(err) != pgerror.CodeQueryCanceled || time.Since(start) > 5*time.Second {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
}

func TestRuntimeRegCasts(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE t (id int)")
	ctx := t.Context()
	stmts, err := s.Parse("SELECT $1::text::regtype::oid, $2::text::regclass = 't'::regclass, 'pg_catalog.pg_class'::regclass::oid")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Prepare(ctx, stmts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Execute(ctx, p, []types.Datum{types.DString("vector"), types.DString("t")})
	if err != nil {
		t.Fatal(err)
	}
	row, err := res.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res.Close()
	if row[0] != types.DOid(types.OidVector) || row[1] != types.DBool(true) || row[2] != types.DOid(1259) {
		t.Fatalf("got %v", row)
	}
}

func TestTypmodErrorsHaveNoPosition(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE t (v vector(3), s varchar(2))")
	for _, c := range []struct{ sql, code string }{
		{"INSERT INTO t (v) VALUES ('[1,2]')", "22000"},
		{"INSERT INTO t (s) VALUES ('abc')", "22001"},
	} {
		_, err := run(t, s, c.sql)
		pe := pgerror.Convert(err)
		if pe == nil || pe.Code != c.code || pe.Position != 0 {
			t.Errorf("%s: %+v", c.sql, pe)
		}
	}
	_, err := run(t, s, "INSERT INTO t (v) VALUES ('[1,x]')")
	if pe := pgerror.Convert(err); pe == nil || pe.Code != "22P02" || pe.Position == 0 {
		t.Errorf("bad literal: %+v", pe)
	}
}

func TestAlterTable(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE a (id int, v text); INSERT INTO a VALUES (1, 'x'), (2, NULL)")
	mustRun(t, s, "ALTER TABLE a ADD PRIMARY KEY (id)")
	mustRun(t, s, "SELECT v FROM a WHERE id = 2")
	if n := s.LastStats().RowsRead; n != 1 {
		t.Fatalf("primary key lookup read %d rows", n)
	}
	if _, err := run(t, s, "INSERT INTO a VALUES (1, 'dup')"); pgerror.CodeOf(err) != pgerror.CodeUniqueViolation {
		t.Fatalf("duplicate after ADD PRIMARY KEY: %v", err)
	}
	mustRun(t, s, "ALTER TABLE a ADD COLUMN n int NOT NULL DEFAULT 7, ADD COLUMN s serial")
	if got := flat(mustRun(t, s, "SELECT id, n, s FROM a ORDER BY id")); got != "1|7|1\n2|7|2" {
		t.Fatalf("added columns: %q", got)
	}
	if _, err := run(t, s, "ALTER TABLE a ALTER COLUMN v SET NOT NULL"); pgerror.CodeOf(err) != pgerror.CodeNotNullViolation {
		t.Fatalf("SET NOT NULL over a NULL: %v", err)
	}
	mustRun(t, s, "ALTER TABLE a RENAME COLUMN v TO w; ALTER TABLE a DROP COLUMN n; ALTER TABLE a ADD CONSTRAINT a_w_key UNIQUE (w)")
	if _, err := run(t, s, "INSERT INTO a (id, w) VALUES (3, 'x')"); pgerror.CodeOf(err) != pgerror.CodeUniqueViolation {
		t.Fatalf("unique after ADD CONSTRAINT: %v", err)
	}
	mustRun(t, s, "ALTER TABLE a RENAME TO b")
	if got := flat(mustRun(t, s, "SELECT * FROM b ORDER BY id")); got != "1|x|1\n2|NULL|2" {
		t.Fatalf("after rename: %q", got)
	}
	if _, err := run(t, s, "ALTER TABLE b ADD PRIMARY KEY (w)"); pgerror.CodeOf(err) != pgerror.CodeInvalidTableDefinition {
		t.Fatalf("second primary key: %v", err)
	}
}

func TestVectorFunctionsAdded(t *testing.T) {
	s := newTestSession(t)
	cases := []queryCase{
		{"SELECT '[1,2,3]'::vector || '[4,5]'", "[1,2,3,4,5]"},
		{"SELECT subvector('[1,2,3,4,5]'::vector, 3, 2), subvector('[1,2,3,4,5]'::vector, -1, 3)", "[3,4]|[1]"},
		{"SELECT vector_cmp('[1,2]', '[1,3]'), vector_cmp('[1,2]', '[1,2]')", "-1|0"},
		{"SELECT vec_l2_distance('[0,0]'::vector, '[3,4]'::vector), vec_dims('[1,2,3]'::vector), vec_as_text(vec_from_text('[1,2]'))", "5|3|[1,2]"},
	}
	expectRows(t, s, cases)
	if _, err := run(t, s, "SELECT subvector('[1,2,3]'::vector, 1, 0)"); pgerror.CodeOf(err) != "22000" {
		t.Errorf("empty subvector: %v", err)
	}
	if got := flat(mustRun(t, s, "SELECT binary_quantize('[1,0,-1]'::vector), binary_quantize('[0.5,-0.5]'::halfvec)")); got != "100|10" {
		t.Errorf("binary_quantize: %q", got)
	}
}

func TestTwoOperandForms(t *testing.T) {
	s := newTestSession(t)
	rows := mustRun(t, s, `SELECT nullif(1, 1), nullif(1, 2), NULL IS DISTINCT FROM 1, NULL IS NOT DISTINCT FROM NULL, 2 = ANY(ARRAY[1,2]), 3 = ALL(ARRAY[3,NULL]), (ARRAY[10,20])[2], (ARRAY[10,20])[3]`)
	if got := flat(rows); got != "NULL|1|t|t|t|NULL|20|NULL" {
		t.Fatalf("got %q", got)
	}
}

func TestCursors(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT g FROM generate_series(1, 5) g")
	if _, err := run(t, s, "DECLARE c CURSOR FOR SELECT id FROM t"); pgerror.CodeOf(err) != pgerror.CodeNoActiveSQLTransaction {
		t.Fatalf("outside a block: %v", err)
	}
	mustRun(t, s, "BEGIN")
	mustRun(t, s, "DECLARE c CURSOR WITHOUT HOLD FOR SELECT id FROM t ORDER BY id")
	if got := flat(mustRun(t, s, "FETCH FORWARD 2 FROM c")); got != "1\n2" {
		t.Fatalf("first fetch: %q", got)
	}
	mustRun(t, s, "MOVE 1 IN c")
	if got := flat(mustRun(t, s, "FETCH ALL FROM c")); got != "4\n5" {
		t.Fatalf("rest: %q", got)
	}
	if got := flat(mustRun(t, s, "FETCH c")); got != "" {
		t.Fatalf("exhausted: %q", got)
	}
	mustRun(t, s, "CLOSE c")
	mustRun(t, s, "COMMIT")
	mustRun(t, s, "DECLARE h CURSOR WITH HOLD FOR SELECT count(*) FROM t")
	if got := flat(mustRun(t, s, "FETCH h")); got != "5" {
		t.Fatalf("hold cursor: %q", got)
	}
	if _, err := run(t, s, "FETCH nope"); pgerror.CodeOf(err) != pgerror.CodeInvalidCursorName {
		t.Fatalf("missing cursor: %v", err)
	}
}

func TestIntervalsGroupBySpan(t *testing.T) {
	s := newTestSession(t)
	got := flat(mustRun(t, s, "SELECT count(DISTINCT x) FROM (VALUES (interval '1 month'), (interval '30 days'), (interval '720 hours'), (interval '1 day')) v(x)"))
	if got != "2" {
		t.Fatalf("got %q, want 2", got)
	}
}

func TestAggregatesInSubqueriesBelongToThem(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE t (id int PRIMARY KEY, g int); INSERT INTO t VALUES (1, 1), (2, 1), (3, 2)")
	// The outer query does not aggregate: each aggregate is its subquery's.
	got := flat(mustRun(t, s, "SELECT id FROM t WHERE id IN (SELECT max(id) FROM t GROUP BY g) AND id > (SELECT min(id) FROM t) ORDER BY id"))
	if got != "2\n3" {
		t.Fatalf("got %q", got)
	}
	if got := flat(mustRun(t, s, "SELECT g, count(*) FROM t WHERE EXISTS (SELECT sum(id) FROM t) GROUP BY g ORDER BY g")); got != "1|2\n2|1" {
		t.Fatalf("got %q", got)
	}
}

// TestCastColumnNames: a cast names its column after its type unless its
// operand names it strongly (a column, a function, a subquery), as
// PostgreSQL's FigureColname does; the expected names are PostgreSQL 15's.
func TestCastColumnNames(t *testing.T) {
	s := newTestSession(t)
	ctx := context.Background()
	stmts, err := s.Parse("SELECT 1::int::text, (CASE WHEN true THEN 1 END)::text, 'a'::text::varchar, (SELECT 1)::text, ARRAY[1]::text, now()::date, (1+2)::text, relname::text FROM pg_class LIMIT 1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Prepare(ctx, stmts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Execute(ctx, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var names []string
	for _, c := range res.Columns() {
		names = append(names, c.Name)
	}
	want := []string{"text", "text", "varchar", "?column?", "array", "now", "text", "relname"}
	if !slices.Equal(names, want) {
		t.Fatalf("column names %q, want %q", names, want)
	}
}
