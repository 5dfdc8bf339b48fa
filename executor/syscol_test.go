package executor

import (
	"strconv"
	"testing"
)

// TestXminSurvivesRestart: xmin and ctid are stored with each row
// version, so a reopened data directory shows the values it showed
// before; transaction ids keep increasing across the restart, so an
// UPDATE afterwards gives a new, larger xmin, and only to the row it
// changes.
func TestXminSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s, shutdown := sessionOnDir(t, dir)
	mustRun(t, s, "CREATE TABLE t (id int PRIMARY KEY, v text)")
	mustRun(t, s, "INSERT INTO t VALUES (1, 'a')")
	mustRun(t, s, "INSERT INTO t VALUES (2, 'b')")
	const q = "SELECT id, xmin::text, ctid::text, xmax::text FROM t ORDER BY id"
	before := flat(mustRun(t, s, q))
	x1 := mustRun(t, s, "SELECT xmin::text FROM t WHERE id = 1")[0][0]
	x2 := mustRun(t, s, "SELECT xmin::text FROM t WHERE id = 2")[0][0]
	if x1 == x2 {
		t.Fatalf("rows inserted by two transactions share xmin %s", x1)
	}
	shutdown()

	s, shutdown = sessionOnDir(t, dir)
	defer shutdown()
	if after := flat(mustRun(t, s, q)); after != before {
		t.Fatalf("after restart:\n%s\nbefore:\n%s", after, before)
	}
	mustRun(t, s, "UPDATE t SET v = v WHERE id = 1")
	y1 := mustRun(t, s, "SELECT xmin::text FROM t WHERE id = 1")[0][0]
	n1, _ := strconv.ParseUint(x1, 10, 32)
	m1, err := strconv.ParseUint(y1, 10, 32)
	if err != nil || m1 <= n1 {
		t.Fatalf("xmin after UPDATE following restart = %s, want more than %s", y1, x1)
	}
	if got := mustRun(t, s, "SELECT xmin::text FROM t WHERE id = 2")[0][0]; got != x2 {
		t.Fatalf("untouched row's xmin %s became %s", x2, got)
	}
}
