package executor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// filterCase is one WHERE filter over fitems: its SQL and which ids pass.
type filterCase struct {
	name  string
	where string
	pass  func(id int, cols map[string]int) bool
}

// TestFilteredKNNRowCounts checks that a filtered k-NN query returns
// min(k, matching rows) rows, all of them matching, at 0.1%, 1%, 10% and
// 50% selectivity, through the b-tree prefilter (exact distances while the
// span is small, the graph search beyond) and without one (graph search),
// and that the query sees its transaction's own inserts, deletes and
// updates and no other transaction's uncommitted ones.
func TestFilteredKNNRowCounts(t *testing.T) {
	s := newTestSession(t)
	const n, dims = 4000, 8
	mustRun(t, s, fmt.Sprintf("CREATE TABLE fitems (id int PRIMARY KEY, s1 int, s2 int, s3 int, s4 int, u2 int, embedding vector(%d))", dims))
	rng := rand.New(rand.NewPCG(31, 32))
	vecs := map[int][]float32{}
	// Each filter column has one value per selectivity; u2 has no b-tree
	// index. The vectors are independent of the columns.
	cols := func(id int) map[string]int {
		return map[string]int{"s1": id % 1000, "s2": id % 100, "s3": id % 10, "s4": id % 2, "u2": id % 100}
	}
	var sb strings.Builder
	for id := 1; id <= n; id++ {
		v := make([]float32, dims)
		for d := range v {
			v[d] = float32(rng.NormFloat64())
		}
		vecs[id] = v
		c := cols(id)
		if sb.Len() > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, "(%d,%d,%d,%d,%d,%d,'%s')", id, c["s1"], c["s2"], c["s3"], c["s4"], c["u2"], vecText(v))
		if id%500 == 0 {
			mustRun(t, s, "INSERT INTO fitems VALUES "+sb.String())
			sb.Reset()
		}
	}
	mustRun(t, s, "CREATE INDEX fitems_hnsw ON fitems USING hnsw (embedding vector_l2_ops)")
	// ef_search 20 puts the prefilter's limit at 1697 rows, between the
	// 30% and 50% filters.
	mustRun(t, s, "SET hnsw.ef_search = 20")
	for _, c := range []string{"s1", "s2", "s3", "s4"} {
		mustRun(t, s, fmt.Sprintf("CREATE INDEX fitems_%s ON fitems (%s)", c, c))
	}
	eq := func(col string, v int) filterCase {
		return filterCase{fmt.Sprintf("%s=%d", col, v), fmt.Sprintf("%s = %d", col, v), func(_ int, c map[string]int) bool { return c[col] == v }}
	}
	cases := []filterCase{
		eq("s1", 7), // 0.1%: 4 rows, fewer than k
		eq("s2", 7), // 1%
		eq("s3", 7), // 10%
		eq("s4", 1), // 50%: past the prefilter's limit, graph search
		eq("u2", 7), // 1% without a b-tree index: graph search
		// A range: 30%, within the prefilter's limit (6*sqrt(20*4000)).
		{"s3<3", "s3 < 3", func(_ int, c map[string]int) bool { return c["s3"] < 3 }},
		// More than the span: each row of the span is read to check it.
		{"s2=7 and s1<500", "s2 = 7 AND s1 < 500", func(_ int, c map[string]int) bool { return c["s2"] == 7 && c["s1"] < 500 }},
	}

	// check runs the filter for k nearest to q and compares with the exact
	// answer over the rows of live (id -> vector) that pass.
	check := func(s *Session, label string, fc filterCase, q []float32, k int, live map[int][]float32, colsOf func(int) map[string]int, exact bool) {
		t.Helper()
		var want []int
		for id := range live {
			if fc.pass(id, colsOf(id)) {
				want = append(want, id)
			}
		}
		matches := len(want)
		slices.SortFunc(want, func(a, b int) int {
			da, db := l2sq(live[a], q), l2sq(live[b], q)
			switch {
			case da < db:
				return -1
			case da > db:
				return 1
			}
			return a - b
		})
		want = want[:min(k, len(want))]
		rows := mustRun(t, s, fmt.Sprintf("SELECT id FROM fitems WHERE %s ORDER BY embedding <-> '%s' LIMIT %d", fc.where, vecText(q), k))
		if len(rows) != min(k, matches) {
			t.Fatalf("%s %s k=%d: %d rows, want min(k, %d matches) = %d", label, fc.name, k, len(rows), matches, min(k, matches))
		}
		got := make([]int, len(rows))
		for i, r := range rows {
			id, err := strconv.Atoi(r[0])
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := live[id]; !ok || !fc.pass(id, colsOf(id)) {
				t.Fatalf("%s %s k=%d: row %d does not match (or is not visible)", label, fc.name, k, id)
			}
			got[i] = id
		}
		if exact && !slices.Equal(got, want) {
			t.Fatalf("%s %s k=%d: got %v, want the exact %v", label, fc.name, k, got, want)
		}
		if hits := overlap(rows, strings.Fields(strings.Trim(fmt.Sprint(want), "[]"))); float64(hits) < 0.8*float64(len(want)) {
			t.Fatalf("%s %s k=%d: %d of the %d nearest matching rows", label, fc.name, k, hits, len(want))
		}
	}
	graphPath := func(i int) bool { return i == 3 || i == 4 } // s4 = 1, u2 = 7
	for qi := range 5 {
		q := vecs[1+rng.IntN(n)]
		for i, fc := range cases {
			for _, k := range []int{1, 10, 50} {
				// The b-tree prefilter is exact up to its limit (s4 and u2
				// go to the graph).
				check(s, "committed", fc, q, k, vecs, cols, graphPath(i))
			}
		}
		_ = qi
	}

	// EXPLAIN ANALYZE tells which way each execution took.
	for _, c := range []struct{ where, want string }{
		{"s2 = 7", "Prefilter Rows: 40 rows: exact distances"},
		{"s4 = 1", "Prefilter Rows: more than 1697 rows: graph search"},
		{"s3 < 3", "Prefilter Rows: 1200 rows: exact distances"},
	} {
		out := flat(mustRun(t, s, fmt.Sprintf("EXPLAIN ANALYZE SELECT id FROM fitems WHERE %s ORDER BY embedding <-> '%s' LIMIT 10", c.where, vecText(vecs[1]))))
		if !strings.Contains(out, c.want) || !strings.Contains(out, "Prefilter: Index Scan using fitems_") {
			t.Errorf("EXPLAIN ANALYZE lacks %q:\n%s", c.want, out)
		}
	}

	// Visibility: in an open transaction, insert matching rows next to the
	// query, delete the nearest matching ones, move rows into and out of
	// the filter; another session sees none of it until the commit.
	other, err := s.eng.NewSession(context.Background(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	q := vecs[11]
	txnVecs := map[int][]float32{}
	txnCols := map[int]map[string]int{}
	for id, v := range vecs {
		txnVecs[id] = v
		txnCols[id] = cols(id)
	}
	colsOf := func(id int) map[string]int { return txnCols[id] }
	mustRun(t, s, "BEGIN")
	for i := range 3 {
		id := n + 1 + i
		v := slices.Clone(q)
		v[1] += float32(i+1) * 0.01
		txnVecs[id] = v
		txnCols[id] = map[string]int{"s1": 7, "s2": 7, "s3": 7, "s4": 1, "u2": 7}
		mustRun(t, s, fmt.Sprintf("INSERT INTO fitems VALUES (%d,7,7,7,1,7,'%s')", id, vecText(v)))
	}
	for _, fc := range cases {
		for _, id := range nearest(vecs, q, 2, func(id int) bool { return fc.pass(id, cols(id)) && id <= n }) {
			x, _ := strconv.Atoi(id)
			if _, ok := txnVecs[x]; ok {
				delete(txnVecs, x)
				mustRun(t, s, "DELETE FROM fitems WHERE id = "+id)
			}
		}
	}
	// id 107 leaves s2 = 7 (and u2 = 7); id 108 joins them.
	mustRun(t, s, "UPDATE fitems SET s2 = 8, u2 = 8 WHERE id = 107")
	txnCols[107] = map[string]int{"s1": 107, "s2": 8, "s3": 7, "s4": 1, "u2": 8}
	mustRun(t, s, "UPDATE fitems SET s2 = 7, u2 = 7 WHERE id = 108")
	txnCols[108] = map[string]int{"s1": 108, "s2": 7, "s3": 8, "s4": 0, "u2": 7}
	// id 207 (s2 = 7) moves next to the query.
	moved := slices.Clone(q)
	moved[2] += 0.005
	if _, ok := txnVecs[207]; ok {
		txnVecs[207] = moved
		mustRun(t, s, fmt.Sprintf("UPDATE fitems SET embedding = '%s' WHERE id = 207", vecText(moved)))
	}
	for i, fc := range cases {
		for _, k := range []int{1, 10, 50} {
			check(s, "own writes", fc, q, k, txnVecs, colsOf, graphPath(i))
			check(other, "other session", fc, q, k, vecs, cols, graphPath(i))
		}
	}
	mustRun(t, s, "ROLLBACK")
	for i, fc := range cases {
		check(s, "after rollback", fc, q, 10, vecs, cols, graphPath(i))
	}
}
