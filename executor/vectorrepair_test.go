package executor

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// recallAt10 runs queries through the index at ef_search 40 and returns
// recall@10 against exact search over vecs.
func recallAt10(t *testing.T, s *Session, table string, truth [][]string, queries [][]float32) float64 {
	t.Helper()
	mustRun(t, s, "SET hnsw.ef_search = 40")
	hits := 0
	for i, q := range queries {
		rows := mustRun(t, s, fmt.Sprintf("SELECT id FROM %s ORDER BY embedding <-> '%s' LIMIT 10", table, vecText(q)))
		hits += overlap(rows, truth[i])
	}
	return float64(hits) / float64(10*len(queries))
}

// TestHNSWRepairAfterDeletes deletes half the rows and waits for the
// background pass to drop their nodes: recall of the remaining rows is
// then within 0.02 of a fresh build on the same rows.
func TestHNSWRepairAfterDeletes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three 32-dimensional graphs")
	}
	start := time.Now()
	s := newTestSession(t)
	rng := rand.New(rand.NewPCG(21, 22))
	vecs := loadVectors(t, s, 10000, 32, rng)
	mustRun(t, s, "CREATE INDEX items_e ON items USING hnsw (embedding)")
	mustRun(t, s, "DELETE FROM items WHERE id % 2 = 0")
	for id := range vecs {
		if id%2 == 0 {
			delete(vecs, id)
		}
	}
	var queries [][]float32
	for i := 0; i < 100; i++ {
		q := append([]float32(nil), vecs[1+2*rng.IntN(5000)]...)
		for d := range q {
			q[d] += float32(rng.NormFloat64() * 0.5)
		}
		queries = append(queries, q)
	}
	truth := make([][]string, len(queries))
	for i, q := range queries {
		truth[i] = nearest(vecs, q, 10, nil)
	}
	tombstoned := recallAt10(t, s, "items", truth, queries)

	vi := func() *vectorIndex {
		s.eng.vindex.mu.Lock()
		defer s.eng.vindex.mu.Unlock()
		for _, li := range s.eng.vindex.byIndex {
			return li.vi
		}
		return nil
	}
	deadline := time.Now().Add(60 * time.Second)
	for vi().graph.Len() > 5000 {
		if time.Now().After(deadline) {
			t.Fatalf("no compaction: graph has %d nodes, %d tombstoned", vi().graph.Len(), vi().graph.DeletedCount())
		}
		time.Sleep(50 * time.Millisecond)
	}
	repaired := recallAt10(t, s, "items", truth, queries)
	indexAgreesWithTable(t, s, "items", "embedding")

	mustRun(t, s, "CREATE TABLE fresh (id int PRIMARY KEY, embedding vector(32))")
	mustRun(t, s, "INSERT INTO fresh SELECT id, embedding FROM items")
	mustRun(t, s, "CREATE INDEX fresh_e ON fresh USING hnsw (embedding)")
	fresh := recallAt10(t, s, "fresh", truth, queries)
	t.Logf("timing: %v", time.Since(start))
	t.Logf("recall@10 at ef_search 40 over the remaining 5000 rows: tombstoned %.4f, repaired %.4f, fresh build %.4f", tombstoned, repaired, fresh)
	if repaired < fresh-0.02 {
		t.Fatalf("recall after repair %.4f, fresh build %.4f", repaired, fresh)
	}
}
