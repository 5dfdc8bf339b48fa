package executor

import (
	"strings"
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// TestViewsSurviveRestart: views, their column names, comments and
// dependencies are catalog descriptors, so a server that reopens its
// data directory has them all and still enforces them.
func TestViewsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	s, shutdown := sessionOnDir(t, dir)
	mustRun(t, s, `CREATE TABLE t (id int PRIMARY KEY, v text);
		INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');
		CREATE VIEW odd (ident, val) AS SELECT id, v FROM t WHERE id % 2 = 1;
		CREATE VIEW odd_count AS SELECT count(*) AS n FROM odd;
		COMMENT ON VIEW odd IS 'odd rows'`)
	shutdown()

	s, shutdown = sessionOnDir(t, dir)
	defer shutdown()
	expectRows(t, s, []queryCase{
		{"SELECT ident, val FROM odd ORDER BY ident", "1|a\n3|c"},
		{"SELECT n FROM odd_count", "2"},
		{"SELECT viewname, definition FROM pg_views ORDER BY viewname", "odd| SELECT id AS ident, v AS val FROM t WHERE id % 2 = 1;\nodd_count| SELECT count(*) AS n FROM odd;"},
		{"SELECT relkind, obj_description(oid, 'pg_class') FROM pg_class WHERE relname = 'odd'", "v|odd rows"},
	})
	if _, err := run(t, s, "DROP TABLE t"); pgerror.CodeOf(err) != pgerror.CodeDependentObjectsStillExist {
		t.Fatalf("DROP TABLE t after restart: %v, want 2BP01", err)
	}
	mustRun(t, s, "DROP TABLE t CASCADE")
	if got := flat(mustRun(t, s, "SELECT count(*) FROM pg_views")); got != "0" {
		t.Fatalf("views left after DROP TABLE CASCADE: %s", got)
	}
}

// TestViewOverChangedTable: Quiver binds a view's stored query again on
// every use, so a change to a table that would leave a view reading
// something else, or nothing, is refused; one the view does not notice
// is not. Tables and views the query names are kept by ID, so renaming
// them is such a change, as in PostgreSQL.
func TestViewOverChangedTable(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, `CREATE TABLE t (a int, b text, c int);
		INSERT INTO t VALUES (1, 'x', 10);
		CREATE VIEW v AS SELECT a, b FROM t;
		CREATE VIEW star AS SELECT * FROM t;
		CREATE VIEW vv AS SELECT 'é' AS e, a FROM v`)
	for _, stmt := range []string{
		"ALTER TABLE t RENAME COLUMN b TO bb",
		"ALTER TABLE t DROP COLUMN c",
	} {
		_, err := run(t, s, stmt)
		if pgerror.CodeOf(err) != pgerror.CodeFeatureNotSupported || !strings.Contains(err.Error(), "because view") {
			t.Fatalf("%s: %v, want 0A000 naming the view", stmt, err)
		}
	}
	mustRun(t, s, `ALTER TABLE t ADD COLUMN d int; ALTER TABLE t RENAME COLUMN d TO e;
		CREATE SCHEMA s2; ALTER TABLE t RENAME TO t2; ALTER VIEW v RENAME TO w`)
	expectRows(t, s, []queryCase{
		{"SELECT * FROM star", "1|x|10"},
		{"SELECT * FROM w", "1|x"},
		{"SELECT * FROM vv", "é|1"},
		{"SELECT pg_get_viewdef('vv'::regclass)", " SELECT 'é' AS e, a FROM w;"},
		{"SELECT pg_get_viewdef('star'::regclass)", " SELECT * FROM t2;"},
		// Not visible on the search path: qualified, as pg_dump needs.
		{"SET search_path = s2; SELECT pg_catalog.pg_get_viewdef('public.star'::regclass)", " SELECT * FROM public.t2;"},
	})
}

// TestExplainView: EXPLAIN shows the view's query expanded in the plan;
// a view that picks columns of one table is read as the table would be:
// the reading query's WHERE reaches the table's keys and a distance
// ORDER BY ... LIMIT its HNSW index.
func TestExplainView(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, `CREATE TABLE t (id int PRIMARY KEY, v text);
		CREATE VIEW v AS SELECT id, v FROM t WHERE id > 10;
		CREATE VIEW agg AS SELECT v, count(*) AS n FROM t GROUP BY v;
		CREATE TABLE items (id int PRIMARY KEY, kind int, e vector(2));
		INSERT INTO items SELECT g, g % 3, ARRAY[g, 0]::real[]::vector FROM generate_series(1, 200) g;
		CREATE INDEX ON items USING hnsw (e vector_l2_ops);
		CREATE VIEW kinds (ident, k, emb) AS SELECT id, kind, e FROM items`)
	for _, c := range []struct{ sql, want string }{
		{"EXPLAIN SELECT * FROM v WHERE v = 'x'", "on t|Index Cond: (id > 10)|Filter: (v = 'x'::text)"},
		{"EXPLAIN SELECT * FROM v WHERE id = 42", "Index Scan using t_pkey on t|Index Cond: (id = 42)"},
		{"EXPLAIN SELECT * FROM agg WHERE n > 1", "Subquery Scan"},
		{"EXPLAIN SELECT ident FROM kinds WHERE k = 1 ORDER BY emb <-> '[100.2,0]' LIMIT 3", "Index Scan using items_e_idx on items"},
	} {
		plan := flat(mustRun(t, s, c.sql))
		for _, want := range strings.Split(c.want, "|") {
			if !strings.Contains(plan, want) {
				t.Fatalf("%s: plan lacks %q:\n%s", c.sql, want, plan)
			}
		}
	}
	expectRows(t, s, []queryCase{
		{"SELECT ident FROM kinds WHERE k = 1 ORDER BY emb <-> '[100.2,0]' LIMIT 3", "100\n103\n97"},
		{"SELECT count(*) FROM kinds WHERE ident IN (SELECT id FROM items WHERE id < 5)", "4"},
	})
}

// TestViewColumnListAliases: a column list that renames the query's
// columns becomes aliases in the stored query, so the definition alone
// yields the view's columns (pg_get_viewdef, pg_dump); a star's columns
// have nothing to alias and keep the text as written.
func TestViewColumnListAliases(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, `CREATE TABLE t (a int, b text);
		INSERT INTO t VALUES (1, 'x');
		CREATE VIEW r (x, y) AS SELECT a, b AS bee FROM t WHERE a IN (SELECT a FROM t);
		CREATE VIEW k (a, why) AS SELECT a, b FROM t UNION SELECT 2, 'z';
		CREATE VIEW rs (x) AS SELECT * FROM t`)
	expectRows(t, s, []queryCase{
		{"SELECT pg_get_viewdef('r'::regclass)", " SELECT a AS x, b AS y FROM t WHERE a IN (SELECT a FROM t);"},
		{"SELECT pg_get_viewdef('k'::regclass)", " SELECT a, b AS why FROM t UNION SELECT 2, 'z';"},
		{"SELECT pg_get_viewdef('rs'::regclass)", " SELECT * FROM t;"},
		{"SELECT x, y FROM r", "1|x"},
		{"SELECT * FROM k ORDER BY a", "1|x\n2|z"},
		{"SELECT x, b FROM rs", "1|x"},
	})
	// The aliases moved the table names in the text: renaming still finds them.
	mustRun(t, s, "ALTER TABLE t RENAME TO t3")
	expectRows(t, s, []queryCase{
		{"SELECT pg_get_viewdef('r'::regclass)", " SELECT a AS x, b AS y FROM t3 WHERE a IN (SELECT a FROM t3);"},
	})
}
