package executor

import (
	"errors"
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// TestMatviewsSurviveRestart: a materialized view's rows, query, column
// names, populated state and dependencies are a table and its descriptor,
// so a reopened data directory has them all and REFRESH still runs the
// query.
func TestMatviewsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	s, shutdown := sessionOnDir(t, dir)
	mustRun(t, s, `CREATE TABLE t (id int PRIMARY KEY, v text);
		INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');
		CREATE MATERIALIZED VIEW odd (ident, val) AS SELECT id, v FROM t WHERE id % 2 = 1;
		CREATE UNIQUE INDEX odd_ident ON odd (ident);
		CREATE MATERIALIZED VIEW empty AS SELECT v FROM t WITH NO DATA;
		INSERT INTO t VALUES (5, 'e')`)
	shutdown()

	s, shutdown = sessionOnDir(t, dir)
	defer shutdown()
	expectRows(t, s, []queryCase{
		{"SELECT ident, val FROM odd ORDER BY ident", "1|a\n3|c"},
		{"SELECT matviewname, hasindexes, ispopulated FROM pg_matviews ORDER BY 1", "empty|f|f\nodd|t|t"},
	})
	wantCode(t, s, "SELECT * FROM empty", "55000", `materialized view "empty" has not been populated`)
	mustRun(t, s, "REFRESH MATERIALIZED VIEW CONCURRENTLY odd; REFRESH MATERIALIZED VIEW empty")
	expectRows(t, s, []queryCase{
		{"SELECT ident, val FROM odd ORDER BY ident", "1|a\n3|c\n5|e"},
		{"SELECT count(*) FROM empty", "4"},
	})
	if _, err := run(t, s, "DROP TABLE t"); pgerror.CodeOf(err) != pgerror.CodeDependentObjectsStillExist {
		t.Fatalf("DROP TABLE t after restart: %v, want 2BP01", err)
	}
}

// TestMatviewPopulatedCheckedAtRun: whether a materialized view may be
// read is decided when a plan runs, so a prepared statement planned while
// the view was populated fails after REFRESH ... WITH NO DATA and works
// again after a REFRESH, and EXPLAIN (which runs nothing) works either way.
func TestMatviewPopulatedCheckedAtRun(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, `CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2);
		CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
		PREPARE q AS SELECT count(*) FROM mv`)
	expectRows(t, s, []queryCase{{"EXECUTE q", "2"}})
	mustRun(t, s, "REFRESH MATERIALIZED VIEW mv WITH NO DATA")
	wantCode(t, s, "EXECUTE q", "55000", `materialized view "mv" has not been populated`)
	mustRun(t, s, "EXPLAIN SELECT * FROM mv")
	mustRun(t, s, "REFRESH MATERIALIZED VIEW mv")
	expectRows(t, s, []queryCase{{"EXECUTE q", "2"}})
}

// TestMatviewRefreshIsolated: another session reads the rows of the last
// committed refresh while a refresh is under way, and the new ones once it
// commits.
func TestMatviewRefreshIsolated(t *testing.T) {
	s := newTestSession(t)
	other := openSession(t, s)
	mustRun(t, s, `CREATE TABLE t (id int); INSERT INTO t VALUES (1);
		CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
		INSERT INTO t VALUES (2)`)
	mustRun(t, s, "BEGIN")
	mustRun(t, s, "REFRESH MATERIALIZED VIEW mv")
	expectRows(t, s, []queryCase{{"SELECT count(*) FROM mv", "2"}})
	expectRows(t, other, []queryCase{{"SELECT count(*) FROM mv", "1"}})
	mustRun(t, s, "COMMIT")
	expectRows(t, other, []queryCase{{"SELECT count(*) FROM mv", "2"}})
}

// TestCopyMatview: COPY never writes a materialized view, with
// PostgreSQL's error, and reads one through a query (COPY mv TO, refused,
// is in testdata/psql/describe/matviews.sql).
func TestCopyMatview(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2); CREATE MATERIALIZED VIEW mv AS SELECT id FROM t")
	_, err := copyIn(t, s, "COPY mv FROM STDIN", "3\n")
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != pgerror.CodeWrongObjectType || pe.Message != `cannot copy to materialized view "mv"` {
		t.Errorf("COPY mv FROM STDIN: %v", err)
	}
	if tag, out := copyOut(t, s, "COPY (SELECT id FROM mv ORDER BY id) TO STDOUT"); tag != "COPY 2" || out != "1\n2\n" {
		t.Errorf("COPY (SELECT ...) TO STDOUT = %q, %q", tag, out)
	}
}

// TestMatviewRenameColumnKeepsDefinition: RENAME COLUMN puts the new
// name into the stored query as an alias, so that pg_get_viewdef (what
// pg_dump recreates the view from) still yields the renamed columns, and
// a refresh binds it; names the text spells in other scripts and quoted
// names survive. A star, which Quiver keeps as written, takes no alias:
// renaming its columns is refused rather than lost in a dump.
func TestMatviewRenameColumnKeepsDefinition(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, `CREATE TABLE "Tä" (a int PRIMARY KEY, "B" text);
		INSERT INTO "Tä" VALUES (1, 'x');
		CREATE MATERIALIZED VIEW mv2 AS SELECT a, "B" AS bee, a + 1 FROM "Tä" WHERE a > 0;
		ALTER MATERIALIZED VIEW mv2 RENAME COLUMN a TO aa;
		ALTER MATERIALIZED VIEW mv2 RENAME COLUMN bee TO "Bee";
		ALTER MATERIALIZED VIEW mv2 RENAME COLUMN "?column?" TO c;
		ALTER TABLE "Tä" RENAME TO tb;
		REFRESH MATERIALIZED VIEW mv2`)
	expectRows(t, s, []queryCase{
		{"SELECT definition FROM pg_matviews", ` SELECT a AS aa, "B" AS "Bee", a + 1 AS c FROM tb WHERE a > 0;`},
		{`SELECT aa, "Bee", c FROM mv2`, "1|x|2"},
	})
	mustRun(t, s, "CREATE MATERIALIZED VIEW star AS SELECT * FROM tb")
	wantCode(t, s, "ALTER MATERIALIZED VIEW star RENAME COLUMN a TO z", pgerror.CodeFeatureNotSupported,
		`cannot rename column "a" of materialized view "star": its query's select list has no item to give the new name to`)
	expectRows(t, s, []queryCase{{"SELECT a FROM star", "1"}})
}
