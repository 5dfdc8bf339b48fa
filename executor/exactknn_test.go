package executor

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// knnRef is the brute-force answer the exact scan must give: candidates
// ordered by distance (NULLs last, or first with nullsFirst; reversed with
// desc), ties by id, the first k.
type knnCand struct {
	id   int
	d    float64
	null bool
}

func knnRef(cands []knnCand, k int, desc, nullsFirst bool) []knnCand {
	out := slices.Clone(cands)
	slices.SortStableFunc(out, func(a, b knnCand) int {
		if a.null != b.null {
			if a.null == nullsFirst {
				return -1
			}
			return 1
		}
		if !a.null {
			c := types.CompareFloat(a.d, b.d)
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(a.id, b.id)
	})
	return out[:min(k, len(out))]
}

// TestExactScanMatchesBruteForce checks the parallel exact scan against a
// brute-force reference computed with the same distance functions, over
// rows the table holds committed, rows the transaction itself inserted,
// updated and deleted but has not committed, NULL vectors, and ties.
func TestExactScanMatchesBruteForce(t *testing.T) {
	const n, dims = 2000, 8
	s := newTestSession(t)
	rng := rand.New(rand.NewPCG(11, 3))
	randVec := func() []float32 {
		v := make([]float32, dims)
		for i := range v {
			// Few distinct values, so many distances tie exactly.
			v[i] = float32(rng.IntN(5) - 2)
		}
		return v
	}
	vecs := map[int][]float32{}
	grp := map[int]int{}
	var b strings.Builder
	mustRun(t, s, fmt.Sprintf("CREATE TABLE pts (id int PRIMARY KEY, grp int, v vector(%d))", dims))
	for start := 0; start < n; start += 500 {
		b.Reset()
		b.WriteString("INSERT INTO pts VALUES ")
		for id := start; id < start+500; id++ {
			if id > start {
				b.WriteString(",")
			}
			grp[id] = rng.IntN(4)
			if id%97 == 0 {
				fmt.Fprintf(&b, "(%d, %d, NULL)", id, grp[id])
				continue
			}
			vecs[id] = randVec()
			fmt.Fprintf(&b, "(%d, %d, '%s')", id, grp[id], vecText(vecs[id]))
		}
		mustRun(t, s, b.String())
	}
	// The transaction's own writes: new rows, deletions, updates.
	mustRun(t, s, "BEGIN")
	for id := n; id < n+50; id++ {
		vecs[id], grp[id] = randVec(), rng.IntN(4)
		mustRun(t, s, fmt.Sprintf("INSERT INTO pts VALUES (%d, %d, '%s')", id, grp[id], vecText(vecs[id])))
	}
	mustRun(t, s, "DELETE FROM pts WHERE id % 7 = 3")
	for id := range grp {
		if id%7 == 3 {
			delete(grp, id)
			delete(vecs, id)
		}
	}
	for id := 5; id < n; id += 101 {
		if _, ok := grp[id]; ok {
			vecs[id] = randVec()
			mustRun(t, s, fmt.Sprintf("UPDATE pts SET v = '%s' WHERE id = %d", vecText(vecs[id]), id))
		}
	}
	dist := map[string]func(a, b []float32) float64{}
	for _, op := range []string{"<->", "<#>", "<=>", "<+>"} {
		for _, o := range builtins.BinaryOps(op) {
			if o.Distance != nil {
				dist[op] = o.Distance
			}
		}
		if dist[op] == nil {
			t.Fatalf("operator %s has no distance function", op)
		}
	}
	for q := 0; q < 3; q++ {
		query := randVec()
		for op, f := range dist {
			for _, k := range []int{1, 10, 100} {
				for _, where := range []int{-1, 2} {
					for _, order := range []string{"", " DESC", " NULLS FIRST"} {
						var cands []knnCand
						for id, g := range grp {
							if where >= 0 && g != where {
								continue
							}
							v, ok := vecs[id]
							c := knnCand{id: id, null: !ok}
							if ok {
								c.d = f(query, v)
							}
							cands = append(cands, c)
						}
						want := knnRef(cands, k, order == " DESC", order != "")
						cond := ""
						if where >= 0 {
							cond = fmt.Sprintf(" WHERE grp = %d", where)
						}
						sql := fmt.Sprintf("SELECT id, v %s '%s' FROM pts%s ORDER BY v %s '%s'%s LIMIT %d", op, vecText(query), cond, op, vecText(query), order, k)
						if plan := flat(mustRun(t, s, "EXPLAIN "+sql)); !strings.Contains(plan, "exact") {
							t.Fatalf("%s: not an exact scan:\n%s", sql, plan)
						}
						got := mustRun(t, s, sql)
						if len(got) != len(want) {
							t.Fatalf("%s: %d rows, want %d", sql, len(got), len(want))
						}
						for i, w := range want {
							wd := "NULL"
							if !w.null {
								wd = types.FormatText(types.Float8, types.DFloat(w.d))
							}
							if got[i][0] != strconv.Itoa(w.id) || got[i][1] != wd {
								t.Fatalf("%s: row %d is %v, want %d|%s", sql, i, got[i], w.id, wd)
							}
						}
					}
				}
			}
		}
	}
	mustRun(t, s, "ROLLBACK")
	// After the rollback the transaction's rows are gone again.
	if got := flat(mustRun(t, s, fmt.Sprintf("SELECT count(*) FROM (SELECT id FROM pts ORDER BY v <-> '%s' LIMIT 5000) x", vecText(randVec())))); got != strconv.Itoa(n) {
		t.Fatalf("rows after rollback: %s, want %d", got, n)
	}
}

// TestExactScanEdges covers what the scan must answer as a sort would:
// filters it cannot run in parallel, a NULL query, LIMIT with OFFSET and
// LIMIT NULL, a key range, and pgvector's dimension error.
func TestExactScanEdges(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, `CREATE TABLE e (id int PRIMARY KEY, v vector);
		INSERT INTO e VALUES (1, '[1,1]'), (2, '[0,0]'), (3, NULL), (4, '[2,2]'), (5, '[0,1]'), (6, '[0,0]')`)
	expectRows(t, s, []queryCase{
		{"SELECT id FROM e ORDER BY v <-> '[0,0]' LIMIT 3", "2\n6\n5"},
		{"SELECT id FROM e ORDER BY '[0,0]' <-> v LIMIT 2 OFFSET 1", "6\n5"},
		{"SELECT id FROM e ORDER BY v <-> '[0,0]' LIMIT NULL", "2\n6\n5\n1\n4\n3"},
		{"SELECT id FROM e ORDER BY v <-> NULL LIMIT 3", "1\n2\n3"},
		{"SELECT id FROM e WHERE id IN (SELECT id FROM e WHERE id > 2) ORDER BY v <-> '[0,0]' LIMIT 2", "6\n5"},
		{"SELECT id FROM e WHERE id BETWEEN 2 AND 5 ORDER BY l2_distance(v, '[2,2]') LIMIT 2", "4\n5"},
		{"SELECT id FROM e WHERE vector_dims(v) = 2 ORDER BY v <=> '[1,0]' DESC LIMIT 2", "2\n6"},
		{"SELECT id FROM e ORDER BY v <-> '[0,0]' LIMIT 0", ""},
	})
	mustRun(t, s, "INSERT INTO e VALUES (7, '[1,2,3]')")
	_, err := run(t, s, "SELECT id FROM e ORDER BY v <-> '[0,0]' LIMIT 3")
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != pgerror.CodeDataException || pe.Message != "different vector dimensions 3 and 2" {
		t.Fatalf("mixed dimensions: %v", err)
	}
	_, err = run(t, s, "SELECT id FROM e ORDER BY '[0,0]' <-> v LIMIT 3")
	if !errors.As(err, &pe) || pe.Message != "different vector dimensions 2 and 3" {
		t.Fatalf("mixed dimensions, query first: %v", err)
	}
	// With several bad rows the error is the first one in key order, as a
	// serial scan reports it, whichever worker meets its row first.
	mustRun(t, s, `CREATE TABLE m (id int PRIMARY KEY, v vector);
		INSERT INTO m SELECT g, '[1,1]' FROM generate_series(1, 5000) g;
		UPDATE m SET v = '[1,2,3]' WHERE id = 1200;
		UPDATE m SET v = '[1,2,3,4]' WHERE id IN (1300, 2500, 4999)`)
	for range 5 {
		_, err = run(t, s, "SELECT id FROM m ORDER BY v <-> '[0,0]' LIMIT 3")
		if !errors.As(err, &pe) || pe.Message != "different vector dimensions 3 and 2" {
			t.Fatalf("several bad rows: %v", err)
		}
	}
}

// TestExactScanCancel checks that a cancelled statement stops every
// worker with 57014 and leaves the transaction usable (no iterator left
// open, which would make its rollback fail).
func TestExactScanCancel(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE big (id int PRIMARY KEY, v vector(64))")
	loadRandomVectors(t, s, "big", 20000, 64)
	mustRun(t, s, "BEGIN")
	stmts, err := s.Parse("SELECT id FROM big ORDER BY v <-> $1 LIMIT 10")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Prepare(context.Background(), stmts[0], []*types.T{types.Vector})
	if err != nil {
		t.Fatal(err)
	}
	q := make(types.DVector, 64)
	// The cancel should land mid-scan; on a machine fast enough to finish
	// first, sooner, and at last before the query starts.
	var err2 error
	for _, after := range []time.Duration{2 * time.Millisecond, 200 * time.Microsecond, 0} {
		ctx, cancel := context.WithCancel(context.Background())
		timer := time.AfterFunc(after, cancel)
		if after == 0 {
			timer.Stop()
			cancel()
		}
		res, err := s.Execute(ctx, p, []types.Datum{q})
		if err == nil {
			for {
				var r []types.Datum
				if r, err = res.Next(ctx); err != nil || r == nil {
					break
				}
			}
			res.Close()
		}
		cancel()
		if err2 = err; err != nil {
			break
		}
	}
	var pe *pgerror.Error
	if !errors.As(err2, &pe) || pe.Code != pgerror.CodeQueryCanceled {
		t.Fatalf("cancelled query: %v", err2)
	}
	mustRun(t, s, "ROLLBACK")
	if got := flat(mustRun(t, s, "SELECT count(*) FROM big")); got != "20000" {
		t.Fatalf("count after cancel: %s", got)
	}
}

func loadRandomVectors(t testing.TB, s *Session, table string, n, dims int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 9))
	v := make([]float32, dims)
	var b strings.Builder
	for start := 0; start < n; start += 1000 {
		b.Reset()
		fmt.Fprintf(&b, "INSERT INTO %s VALUES ", table)
		for id := start; id < min(n, start+1000); id++ {
			if id > start {
				b.WriteString(",")
			}
			for i := range v {
				v[i] = float32(rng.NormFloat64())
			}
			fmt.Fprintf(&b, "(%d, '%s')", id, vecText(v))
		}
		mustRun(t, s, b.String())
	}
}

// BenchmarkExactTopK is the exact top-10 over 100,000 x 128 vectors
// without the wire: "exact" is the parallel exact scan, "sort" the same
// answer from the generic top-k sort (a second ORDER BY key keeps the
// planner from using the exact scan), for a ratio in the same conditions.
func BenchmarkExactTopK(b *testing.B) {
	const n, dims = 100000, 128
	s := newTestSession(b)
	mustRun(b, s, fmt.Sprintf("CREATE TABLE items (id int PRIMARY KEY, v vector(%d))", dims))
	loadRandomVectors(b, s, "items", n, dims)
	q := make([]float32, dims)
	for i := range q {
		q[i] = float32(math.Sin(float64(i)))
	}
	qs := vecText(q)
	for _, c := range []struct{ name, sql string }{
		{"exact", fmt.Sprintf("SELECT id FROM items ORDER BY v <-> '%s' LIMIT 10", qs)},
		{"sort", fmt.Sprintf("SELECT id FROM items ORDER BY v <-> '%s', id LIMIT 10", qs)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rows := mustRun(b, s, c.sql); len(rows) != 10 {
					b.Fatalf("%d rows", len(rows))
				}
			}
		})
	}
}
