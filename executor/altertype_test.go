package executor

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// bigAlterRows is enough rows that a rewrite streams through many storage
// batches.
const bigAlterRows = 20000

// newBigAlterTable makes big: id, a text holding the number, a numeric
// and a unique int, over bigAlterRows rows.
func newBigAlterTable(t *testing.T, s *Session) {
	t.Helper()
	mustRun(t, s, "CREATE TABLE big (id int PRIMARY KEY, v text, n numeric(12,3), u int UNIQUE)")
	mustRun(t, s, fmt.Sprintf("INSERT INTO big SELECT i, i::text, i / 8.0, i FROM generate_series(1, %d) i", bigAlterRows))
}

// bigState is what the tests compare before and after an ALTER that
// must leave the table as it was.
func bigState(t *testing.T, s *Session) string {
	t.Helper()
	return flat(mustRun(t, s, "SELECT count(*), sum(length(v::text)), sum(n), sum(u), min(v::text), max(v::text) FROM big")) + "\n" +
		flat(mustRun(t, s, "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'big'"))
}

// TestAlterColumnTypeLargeTable converts every row of a table larger than
// a storage batch, through the primary key, a unique index and USING
// expressions, and checks values and index lookups afterwards.
func TestAlterColumnTypeLargeTable(t *testing.T) {
	s := newTestSession(t)
	newBigAlterTable(t, s)
	mustRun(t, s, "ALTER TABLE big ALTER COLUMN id TYPE bigint, ALTER COLUMN v TYPE bigint USING v::bigint * 2 + id, "+
		"ALTER COLUMN n TYPE numeric(12,1), ALTER COLUMN u TYPE numeric USING u + 0.5")
	n := int64(bigAlterRows)
	sum := n * (n + 1) / 2
	expectRows(t, s, []queryCase{
		{"SELECT count(*), sum(v), sum(u) FROM big", fmt.Sprintf("%d|%d|%d.0", n, 3*sum, sum+n/2)},
		{"SELECT v, n, u FROM big WHERE id = 12345", "37035|1543.1|12345.5"},
		{"SELECT id FROM big WHERE u = 777.5", "777"},
		{"SELECT count(*) FROM big WHERE n = 2.5", "1"},
		{"SELECT string_agg(data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'big'", "bigint,bigint,numeric,numeric"},
	})
	if _, err := run(t, s, "INSERT INTO big VALUES (12345, 0, 0, 1)"); pgerror.CodeOf(err) != pgerror.CodeUniqueViolation {
		t.Fatalf("duplicate primary key after the rewrite: %v", err)
	}
	if _, err := run(t, s, "INSERT INTO big VALUES (0, 0, 0, 10.5)"); pgerror.CodeOf(err) != pgerror.CodeUniqueViolation {
		t.Fatalf("duplicate unique key after the rewrite: %v", err)
	}
}

// TestAlterColumnTypeFailsMidway: a conversion failing at a row in the
// middle of the table, or two converted keys colliding, aborts the
// statement and leaves every row, index entry and type as it was.
func TestAlterColumnTypeFailsMidway(t *testing.T) {
	s := newTestSession(t)
	newBigAlterTable(t, s)
	mustRun(t, s, "UPDATE big SET v = 'bad' WHERE id = 12345")
	before := bigState(t, s)
	for _, c := range []struct{ sql, code, msg string }{
		{"ALTER TABLE big ALTER COLUMN id TYPE bigint, ALTER COLUMN v TYPE int USING v::int", "22P02", `invalid input syntax for type integer: "bad"`},
		{"ALTER TABLE big ALTER COLUMN u TYPE int USING u / 3", "23505", `could not create unique index "big_u_key"`},
		{"ALTER TABLE big ALTER COLUMN id TYPE smallint USING id * 2", "22003", "smallint out of range"},
		{"ALTER TABLE big ALTER COLUMN n TYPE numeric(4,3)", "22003", "numeric field overflow"},
	} {
		_, err := run(t, s, c.sql)
		var pe *pgerror.Error
		if !errors.As(err, &pe) || pe.Code != c.code || pe.Message != c.msg {
			t.Fatalf("%s: got %v, want %s %s", c.sql, err, c.code, c.msg)
		}
		if got := bigState(t, s); got != before {
			t.Fatalf("after the failed %s:\n%s\nwant\n%s", c.sql, got, before)
		}
		expectRows(t, s, []queryCase{
			{"SELECT v FROM big WHERE id = 12345", "bad"},
			{"SELECT id, v FROM big WHERE u = 20000", "20000|20000"},
		})
	}
	if _, err := run(t, s, "INSERT INTO big VALUES (1, 'x', 0, 5)"); pgerror.CodeOf(err) != pgerror.CodeUniqueViolation {
		t.Fatalf("duplicate primary key after the failed ALTERs: %v", err)
	}
}

// TestAlterColumnTypeCancel cancels a rewrite while it runs: the
// statement stops with 57014 long before it would have finished, and the
// table is as it was.
func TestAlterColumnTypeCancel(t *testing.T) {
	s := newTestSession(t)
	newBigAlterTable(t, s)
	before := bigState(t, s)
	// Hashing up to 250 KB a row, the whole rewrite takes seconds; nothing in
	// the expression watches the context, the rewrite's loop must.
	stmts, err := s.Parse("ALTER TABLE big ALTER COLUMN v TYPE text USING md5(repeat(v, 50000))")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	p, err := s.Prepare(ctx, stmts[0], nil)
	if err == nil {
		var res Result
		if res, err = s.Execute(ctx, p, nil); err == nil {
			err = res.Close()
		}
	}
	if pgerror.CodeOf(err) != pgerror.CodeQueryCanceled {
		t.Fatalf("cancelled ALTER: %v, want 57014", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the cancelled ALTER ran %v", d)
	}
	if got := bigState(t, s); got != before {
		t.Fatalf("after the cancelled ALTER:\n%s\nwant\n%s", got, before)
	}
}

// TestPreparedResultTypeChanged: a statement prepared through the
// extended protocol described its columns to the client; once their type
// changes, executing it fails as in PostgreSQL instead of sending values
// the client would decode by the old type.
func TestPreparedResultTypeChanged(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE pt (a int, b text); INSERT INTO pt VALUES (1, 'x')")
	all := prepareOne(t, s, "SELECT * FROM pt")
	onlyB := prepareOne(t, s, "SELECT b FROM pt")
	upd := prepareOne(t, s, "UPDATE pt SET b = 'y' WHERE a = 1")
	mustRun(t, s, "ALTER TABLE pt ALTER COLUMN a TYPE bigint")
	if _, err := s.Execute(t.Context(), all, nil); pgerror.CodeOf(err) != pgerror.CodeFeatureNotSupported {
		t.Fatalf("SELECT * after the type change: %v, want 0A000", err)
	}
	s.StatementFailed()
	if n := executeCount(t, s, onlyB); n != 1 {
		t.Fatalf("SELECT b: %d rows", n)
	}
	executeCount(t, s, upd)
	expectRows(t, s, []queryCase{{"SELECT a, b FROM pt", "1|y"}})
}

// TestHNSWCheckpointAfterKeyTypeChange: a checkpoint names rows by their
// primary key in the key's binary form; after the key's type changed, an
// engine started on the same data (as after a crash, before the next
// checkpoint) must not read it with the new type but build the graph
// from the table.
func TestHNSWCheckpointAfterKeyTypeChange(t *testing.T) {
	s, _ := newDiskHNSWTable(t)
	if err := s.eng.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if checkpointGen(t, s, "v_e") == 0 {
		t.Fatal("no checkpoint to begin with")
	}
	mustRun(t, s, "ALTER TABLE v ALTER COLUMN id TYPE bigint")
	s2, err := NewEngine(s.eng.store).NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	mustRun(t, s2, "SET enable_seqscan = off")
	if got := flat(mustRun(t, s2, "SELECT id FROM v ORDER BY e <-> '[100.2,0]' LIMIT 3")); got != "100\n101\n99" {
		t.Fatalf("after the restart: %q", got)
	}
}

// TestKeepsValue: the conversions that leave stored values alone (no
// rewrite) and those PostgreSQL counts as binary-coercible (no index
// rebuild).
func TestKeepsValue(t *testing.T) {
	col := &planner.ColRef{Idx: 1}
	vc := func(n int32) *types.T { return &types.T{Family: types.FamVarchar, Width: n} }
	num := func(p, s int32) *types.T { return &types.T{Family: types.FamNumeric, Width: p, Scale: s} }
	vec := func(n int32) *types.T { return &types.T{Family: types.FamVector, Width: n} }
	for _, c := range []struct {
		x          planner.Expr
		from, to   *types.T
		keeps, bin bool
	}{
		{col, types.Int4, types.Int4, true, true},
		{col, types.Int4, types.Int8, true, false},
		{col, types.Int8, types.Int4, false, false},
		{col, types.Int2, types.Int4, true, false},
		{col, vc(5), vc(10), true, true},
		{col, vc(10), vc(5), false, false},
		{col, vc(5), types.Text, true, true},
		{col, types.Text, types.Varchar, true, true},
		{col, types.Text, vc(5), false, false},
		{col, num(10, 2), num(12, 2), true, true},
		{col, num(10, 2), num(12, 3), false, false},
		{col, num(10, 2), types.Numeric, true, true},
		{col, types.Numeric, num(10, 2), false, false},
		{col, vec(3), types.Vector, true, true},
		{col, vec(3), vec(2), false, false},
		{col, types.Int4, types.Text, false, false},
		{&planner.ColRef{Idx: 0}, types.Int4, types.Int4, false, true},
		{&planner.Const{Val: types.DInt(1), T: types.Int4}, types.Int4, types.Int4, false, true},
	} {
		x := c.x
		if !c.from.Identical(c.to) {
			x = &planner.CastExpr{Operand: c.x, T: c.to, Ctx: types.CastAssignment}
		}
		if got := keepsValue(x, 1, c.from, c.to); got != c.keeps {
			t.Errorf("keepsValue %s -> %s over %T: %v, want %v", c.from, c.to, c.x, got, c.keeps)
		}
		if got := binaryCoercible(c.from, c.to); got != c.bin {
			t.Errorf("binaryCoercible %s -> %s: %v, want %v", c.from, c.to, got, c.bin)
		}
	}
}

// TestAlterColumnTypeConcurrentInsert: a row another transaction adds
// and commits while an ALTER's rewrite is uncommitted was written under
// the old type; the ALTER then fails to commit (40001) rather than leave
// a row it never converted.
func TestAlterColumnTypeConcurrentInsert(t *testing.T) {
	a := newTestSession(t)
	b, err := a.eng.NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mustRun(t, a, "CREATE TABLE rc (id int PRIMARY KEY, a int); INSERT INTO rc VALUES (1, 10)")
	mustRun(t, a, "BEGIN")
	mustRun(t, a, "ALTER TABLE rc ALTER COLUMN a TYPE text USING 'v' || a")
	mustRun(t, b, "INSERT INTO rc VALUES (2, 20)")
	if _, err := run(t, a, "COMMIT"); pgerror.CodeOf(err) != pgerror.CodeSerializationFailure {
		t.Fatalf("COMMIT of the ALTER after a concurrent insert: %v, want 40001", err)
	}
	expectRows(t, a, []queryCase{
		{"SELECT id, a FROM rc ORDER BY id", "1|10\n2|20"},
		{"SELECT data_type FROM information_schema.columns WHERE table_name = 'rc' AND column_name = 'a'", "integer"},
	})
}
