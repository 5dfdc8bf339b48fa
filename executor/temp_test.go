package executor

import (
	"testing"

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

// TestTempTablesDroppedDespiteConcurrentDDL: a session ending while other
// sessions run DDL (every DDL commit writes the catalog's version, so the
// drop can fail with 40001) still takes its temporary tables with it.
func TestTempTablesDroppedDespiteConcurrentDDL(t *testing.T) {
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
			default:
			}
			_, err := run(t, ddl, "CREATE TABLE churn (x int); DROP TABLE churn")
			if err != nil && pgerror.CodeOf(err) != pgerror.CodeSerializationFailure {
				done <- err
				return
			}
		}
	}()
	for i := 0; i < 200; i++ {
		temp := openSession(t, s)
		// CREATE itself meets the same conflict (40001); a client retries.
		for {
			_, err := run(t, temp, "CREATE TEMP TABLE scratch (x int)")
			if err == nil {
				break
			}
			if pgerror.CodeOf(err) != pgerror.CodeSerializationFailure {
				t.Fatal(err)
			}
		}
		temp.Close()
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("concurrent DDL: %v", err)
	}
	expectRows(t, s, []queryCase{{"SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pg_temp%'", "0"}})
}
