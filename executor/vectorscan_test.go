package executor

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestHNSWInvisibleNeighbours checks the unfiltered index scan when the
// nearest nodes are invisible to the reader (here: deleted by its own
// open transaction): it must still return k visible rows, none deleted,
// and close to the true nearest visible ones.
func TestHNSWInvisibleNeighbours(t *testing.T) {
	s := newTestSession(t)
	rng := rand.New(rand.NewPCG(21, 22))
	vecs := loadVectors(t, s, 2000, 16, rng)
	mustRun(t, s, "CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)")
	mustRun(t, s, "SET hnsw.ef_search = 10")
	q := append([]float32(nil), vecs[1]...)
	q[0] += 0.25
	deleted := map[int]bool{}
	var ids []string
	for _, r := range nearest(vecs, q, 60, nil) {
		id, err := strconv.Atoi(r)
		if err != nil {
			t.Fatal(err)
		}
		deleted[id] = true
		ids = append(ids, r)
	}
	mustRun(t, s, "BEGIN")
	mustRun(t, s, "DELETE FROM items WHERE id IN ("+strings.Join(ids, ",")+")")
	rows := mustRun(t, s, fmt.Sprintf("SELECT id FROM items ORDER BY embedding <-> '%s' LIMIT 10", vecText(q)))
	if len(rows) != 10 {
		t.Fatalf("%d rows, want 10", len(rows))
	}
	for _, r := range rows {
		id, _ := strconv.Atoi(r[0])
		if deleted[id] {
			t.Fatalf("row %d deleted by this transaction was returned", id)
		}
	}
	if hits := overlap(rows, nearest(vecs, q, 10, func(id int) bool { return !deleted[id] })); hits < 8 {
		t.Fatalf("%d of the 10 nearest visible rows found", hits)
	}
	mustRun(t, s, "ROLLBACK")
	rows = mustRun(t, s, fmt.Sprintf("SELECT id FROM items ORDER BY embedding <-> '%s' LIMIT 10", vecText(q)))
	if hits := overlap(rows, nearest(vecs, q, 10, nil)); hits < 8 {
		t.Fatalf("after rollback: %d of the 10 nearest rows found", hits)
	}
}
