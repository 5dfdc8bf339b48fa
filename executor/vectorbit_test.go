package executor

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestHNSWBitRestart: indexes on a bit column with bit_hamming_ops and
// bit_jaccard_ops answer like an exact search with the operators' own
// values, return the rows' bit strings, and after a restart serve from
// their checkpoints, whose live vectors come back from the bit rows.
func TestHNSWBitRestart(t *testing.T) {
	s, store := newDiskSession(t)
	mustRun(t, s, "CREATE TABLE hb (id int PRIMARY KEY, b bit(64))")
	mustRun(t, s, "INSERT INTO hb SELECT g, ('x' || md5(g::text))::bit(64) FROM generate_series(1, 2000) g")
	mustRun(t, s, "CREATE INDEX hb_ham ON hb USING hnsw (b bit_hamming_ops)")
	mustRun(t, s, "CREATE INDEX hb_jac ON hb USING hnsw (b bit_jaccard_ops)")
	mustRun(t, s, "SET hnsw.ef_search = 100")
	for op, idx := range map[string]string{"<~>": "hb_ham", "<%>": "hb_jac"} {
		plan := flat(mustRun(t, s, "EXPLAIN SELECT id FROM hb ORDER BY b "+op+" X'0123456789ABCDEF' LIMIT 10"))
		if !strings.Contains(plan, "Index Scan using "+idx+" on hb") {
			t.Fatalf("plan for %s does not use %s:\n%s", op, idx, plan)
		}
	}
	queries := []string{"X'0123456789ABCDEF'", "X'FFFFFFFF00000000'", "X'5555555555555555'", "X'0000000000000001'"}
	check := func(s *Session) []string {
		t.Helper()
		var answers []string
		for _, op := range []string{"<~>", "<%>"} {
			for _, q := range queries {
				got := mustRun(t, s, fmt.Sprintf("SELECT id, b::text, b %s %s FROM hb ORDER BY b %s %s LIMIT 10", op, q, op, q))
				// Two sort keys keep the index out: the exact answer.
				want := mustRun(t, s, fmt.Sprintf("SELECT b %s %s FROM hb ORDER BY b %s %s, id LIMIT 10", op, q, op, q))
				worst, err := strconv.ParseFloat(want[len(want)-1][0], 64)
				if err != nil || len(got) != 10 {
					t.Fatalf("%s %s: index gave %v, exact %v", op, q, got, want)
				}
				near := 0
				for _, r := range got {
					stored := mustRun(t, s, fmt.Sprintf("SELECT b::text, b %s %s FROM hb WHERE id = %s", op, q, r[0]))
					if r[1] != stored[0][0] || r[2] != stored[0][1] {
						t.Fatalf("row %s: index returned %s at %s, the row holds %s at %s", r[0], r[1], r[2], stored[0][0], stored[0][1])
					}
					if d, _ := strconv.ParseFloat(r[2], 64); d <= worst {
						near++
					}
				}
				if near < 9 {
					t.Fatalf("%s %s: %d of the index's 10 rows are among the exact 10 (%v, exact %v)", op, q, near, got, want)
				}
				answers = append(answers, flat(got))
			}
		}
		return answers
	}
	before := check(s)
	if err := s.eng.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	s2, err := NewEngine(store).NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	mustRun(t, s2, "SET hnsw.ef_search = 100")
	if after := check(s2); !slices.Equal(before, after) {
		t.Fatalf("answers changed across the restart:\nbefore %q\nafter  %q", before, after)
	}
	txn := store.Begin()
	defer txn.Rollback()
	cat, err := txn.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"hb_ham", "hb_jac"} {
		tb, idx := cat.IndexByName(cat.SchemaByName(s2.db.ID, "public").ID, name)
		vi, err := newVectorIndex(cat, tb, idx, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := vi.loadCheckpoint(t.Context(), txn, tb, idx); err != nil {
			t.Fatalf("load checkpoint of %s: %v", name, err)
		}
		if vi.graph.Len() != 2000 {
			t.Fatalf("restored graph of %s has %d nodes, want 2000", name, vi.graph.Len())
		}
	}
}

// TestJaccard01 checks the graph's Jaccard distance over 0/1 vectors
// against pgvector's counts.
func TestJaccard01(t *testing.T) {
	cases := []struct {
		a, b []float32
		want float64
	}{
		{[]float32{1, 1, 1, 1}, []float32{1, 1, 1, 0}, 0.25},
		{[]float32{1, 1, 0, 0}, []float32{1, 0, 0, 0}, 0.5},
		{[]float32{0, 0, 0, 0}, []float32{0, 0, 0, 0}, 1},
		// pgvector computes 1 - 2/3 in double precision: 0.33333333333333337.
		{[]float32{1, 0, 1}, []float32{1, 1, 1}, 0.33333333333333337},
		{[]float32{1, 0}, []float32{0, 1}, 1},
	}
	for _, c := range cases {
		if got := jaccard01(c.a, c.b); got != c.want {
			t.Errorf("jaccard01(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if v := bitsOf([]float32{1, 0, 1, 1, 0, 0, 0, 0, 1}); fmt.Sprintf("%08b", v.Bytes) != "[10110000 10000000]" || v.Len != 9 {
		t.Errorf("bitsOf gave %08b (%d bits)", v.Bytes, v.Len)
	}
}
