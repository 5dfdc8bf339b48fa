package executor

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// TestWindowRunningMatchesRecomputed checks the running aggregation of
// frames from UNBOUNDED PRECEDING against frames recomputed row by row
// (EXCLUDE forces recomputation) and against a correlated subquery, over
// partitions with peers.
func TestWindowRunningMatchesRecomputed(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE r (id int PRIMARY KEY, p int, k int, x int); INSERT INTO r SELECT g, g % 7, g % 13, g * 3 % 101 FROM generate_series(1, 600) g")
	q := `SELECT count(*) FROM (
		SELECT id, x,
			sum(x) OVER (PARTITION BY p ORDER BY k) run,
			coalesce(sum(x) OVER (PARTITION BY p ORDER BY k RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE GROUP), 0) before,
			sum(x) FILTER (WHERE k = k) OVER (PARTITION BY p ORDER BY k GROUPS BETWEEN CURRENT ROW AND CURRENT ROW) peers,
			(SELECT sum(x) FROM r r2 WHERE r2.p = r.p AND r2.k <= r.k) naive
		FROM r) t WHERE run <> before + peers OR run <> naive`
	if got := flat(mustRun(t, s, q)); got != "0" {
		t.Fatalf("%s rows differ between running and recomputed frames", got)
	}
	if got := flat(mustRun(t, s, "SELECT count(*) FROM (SELECT sum(x) OVER (PARTITION BY p ORDER BY k) FROM r) t")); got != "600" {
		t.Fatalf("window output has %s rows, want 600", got)
	}
}

func TestWindowExplain(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE e (id int PRIMARY KEY, v int)")
	plan := flat(mustRun(t, s, "EXPLAIN SELECT id, sum(v) OVER (ORDER BY id), lag(v) OVER (ORDER BY id) FROM e"))
	if strings.Count(plan, "WindowAgg") != 1 || !strings.Contains(plan, "Seq Scan on e") {
		t.Fatalf("plan %q is not one WindowAgg over the scan", plan)
	}
	plan = flat(mustRun(t, s, "EXPLAIN SELECT rank() OVER (ORDER BY v), sum(v) OVER (PARTITION BY id), lag(v) OVER (ORDER BY v) FROM e"))
	if strings.Count(plan, "WindowAgg") != 2 {
		t.Fatalf("plan %q should have one WindowAgg per distinct window", plan)
	}
}

// TestWindowCancel cancels a window whose frames are recomputed per row
// (quadratic in the rows): the statement must stop with 57014 rather than
// run to completion.
func TestWindowCancel(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE c (id int PRIMARY KEY, x int); INSERT INTO c SELECT g, g FROM generate_series(1, 40000) g")
	st, err := s.Parse("SELECT max(s) FROM (SELECT sum(x) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) s FROM c) t")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	p, err := s.Prepare(ctx, st[0], nil)
	if err == nil {
		var res Result
		if res, err = s.Execute(ctx, p, nil); err == nil {
			for {
				var r []types.Datum
				if r, err = res.Next(ctx); err != nil || r == nil {
					break
				}
			}
			res.Close()
		}
	}
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != "57014" {
		t.Fatalf("cancelled window query: %v, want 57014", err)
	}
}
