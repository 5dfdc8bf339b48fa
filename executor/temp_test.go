package executor

import (
	"fmt"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// TestTemporaryTables: a temporary table shadows a permanent one of its
// name for its own session only, pg_temp names it, its serial sequence and
// CREATE TEMP TABLE AS work, and everything goes when the session ends;
// other sessions never see it and may create their own of the same name.
func TestTemporaryTables(t *testing.T) {
	s := newTestSession(t)
	other := openSession(t, s)
	mustRun(t, s, "CREATE TABLE t (id int)")
	mustRun(t, s, "INSERT INTO t VALUES (1)")
	mustRun(t, s, "CREATE TEMP TABLE t (id int, note text)")
	mustRun(t, s, "INSERT INTO t VALUES (2, 'temp')")
	mustRun(t, s, "CREATE TEMPORARY TABLE s (id serial PRIMARY KEY, v text)")
	mustRun(t, s, "INSERT INTO s (v) VALUES ('a'), ('b')")
	mustRun(t, s, "CREATE TEMP TABLE tas AS SELECT 42 AS x")
	expectRows(t, s, []queryCase{
		{"SELECT id, note FROM t", "2|temp"},
		{"SELECT id FROM public.t", "1"},
		{"SELECT id FROM pg_temp.t", "2"},
		{"SELECT id, v FROM s ORDER BY id", "1|a\n2|b"},
		{"SELECT x FROM tas", "42"},
	})
	expectRows(t, other, []queryCase{{"SELECT * FROM t", "1"}})
	// Like PostgreSQL, pg_class lists another session's temporary tables
	// (in its pg_temp_N), but names do not resolve to them.
	wantCode(t, other, "SELECT x FROM tas", pgerror.CodeUndefinedTable, `relation "tas" does not exist`)
	mustRun(t, other, "CREATE TEMP TABLE s (z int)")
	wantCode(t, s, "CREATE TEMP TABLE public.bad (x int)", "42P16", "cannot create temporary relation in non-temporary schema")

	temp := s.tempSchemaName()
	s.Close()
	expectRows(t, other, []queryCase{
		{"SELECT * FROM t", "1"},
		{"SELECT count(*) FROM pg_namespace WHERE nspname = '" + temp + "'", "0"},
		{"SELECT count(*) FROM pg_class WHERE relname IN ('t', 's', 'tas', 's_id_seq')", "2"}, // public.t and other's s
		{"SELECT z FROM s", ""},
	})
	other.Close()
	fresh := openSession(t, s)
	expectRows(t, fresh, []queryCase{
		{"SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pg_temp%'", "0"},
		{"SELECT count(*) FROM pg_class WHERE relname IN ('t', 's', 'tas', 's_id_seq')", "1"},
	})
}

// TestDiscardTempRolledBack: DISCARD TEMP in a block that rolls back
// leaves the temporary table with its ON COMMIT DELETE ROWS action, as in
// PostgreSQL.
func TestDiscardTempRolledBack(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TEMP TABLE d (x int) ON COMMIT DELETE ROWS")
	mustRun(t, s, "BEGIN")
	mustRun(t, s, "DISCARD TEMP")
	mustRun(t, s, "ROLLBACK")
	mustRun(t, s, "BEGIN")
	mustRun(t, s, "INSERT INTO d VALUES (1)")
	expectRows(t, s, []queryCase{{"SELECT count(*) FROM d", "1"}})
	mustRun(t, s, "COMMIT")
	expectRows(t, s, []queryCase{{"SELECT count(*) FROM d", "0"}})
}

// TestConcurrentDDLTempTables: sessions creating temporary tables while
// another session creates and drops a table never see 40001 (every DDL
// commit writes the catalog's version, and an autocommit DDL statement
// that conflicts runs again), and each ending session takes its
// temporary tables with it (the drop at its end retries too).
func TestConcurrentDDLTempTables(t *testing.T) {
	s := newTestSession(t)
	ddl := openSession(t, s)
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				done <- nil
				return
			case <-time.After(200 * time.Microsecond):
			}
			for _, q := range []string{"CREATE TABLE churn (x int)", "DROP TABLE churn"} {
				if _, err := run(t, ddl, q); err != nil {
					done <- fmt.Errorf("%s: %w", q, err)
					return
				}
			}
		}
	}()
	stopped := false
	stopChurn := func() error {
		if stopped {
			return nil
		}
		stopped = true
		close(stop)
		return <-done
	}
	defer stopChurn() // before the store closes, even when a check fails
	for i := 0; i < 200; i++ {
		temp := openSession(t, s)
		mustRun(t, temp, "CREATE TEMP TABLE scratch (x int)")
		temp.Close()
	}
	if err := stopChurn(); err != nil {
		t.Fatalf("concurrent DDL: %v", err)
	}
	expectRows(t, s, []queryCase{{"SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pg_temp%'", "0"}})
}
