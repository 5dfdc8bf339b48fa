package executor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/quiverdb/quiver/index/hnsw"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

func vecText(v []float32) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("%g", x)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// loadVectors creates items(id, cat, embedding vector(dims)) with n
// clustered rows and returns the vectors by id.
func loadVectors(t testing.TB, s *Session, n, dims int, rng *rand.Rand) map[int][]float32 {
	mustRun(t, s, fmt.Sprintf("CREATE TABLE items (id int PRIMARY KEY, cat int, embedding vector(%d))", dims))
	centres := make([][]float32, 10)
	for c := range centres {
		centres[c] = make([]float32, dims)
		for d := range centres[c] {
			centres[c][d] = float32(rng.NormFloat64() * 3)
		}
	}
	vecs := map[int][]float32{}
	var sb strings.Builder
	for i := 1; i <= n; i++ {
		v := make([]float32, dims)
		c := centres[rng.IntN(len(centres))]
		for d := range v {
			v[d] = c[d] + float32(rng.NormFloat64())
		}
		vecs[i] = v
		if sb.Len() > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, "(%d, %d, '%s')", i, i%100, vecText(v))
		if i%500 == 0 || i == n {
			mustRun(t, s, "INSERT INTO items VALUES "+sb.String())
			sb.Reset()
		}
	}
	return vecs
}

func l2sq(a, b []float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i] - b[i])
		s += d * d
	}
	return s
}

func nearest(vecs map[int][]float32, q []float32, k int, keep func(id int) bool) []string {
	var ids []int
	for id := range vecs {
		if keep == nil || keep(id) {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return l2sq(vecs[ids[i]], q) < l2sq(vecs[ids[j]], q) })
	if len(ids) > k {
		ids = ids[:k]
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprint(id)
	}
	return out
}

func overlap(got [][]string, want []string) int {
	set := map[string]bool{}
	for _, w := range want {
		set[w] = true
	}
	n := 0
	for _, g := range got {
		if set[g[0]] {
			n++
		}
	}
	return n
}

func TestHNSWIndexScan(t *testing.T) {
	s := newTestSession(t)
	rng := rand.New(rand.NewPCG(11, 12))
	vecs := loadVectors(t, s, 3000, 16, rng)
	mustRun(t, s, "CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)")
	plan := flat(mustRun(t, s, "EXPLAIN SELECT id FROM items ORDER BY embedding <-> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]' LIMIT 5"))
	if !strings.Contains(plan, "Index Scan using items_hnsw on items") {
		t.Fatalf("plan does not use the index:\n%s", plan)
	}
	cosPlan := flat(mustRun(t, s, "EXPLAIN SELECT id FROM items ORDER BY embedding <=> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]' LIMIT 5"))
	if strings.Contains(cosPlan, "items_hnsw") {
		t.Fatalf("an L2 index answered a cosine query:\n%s", cosPlan)
	}
	hits, total := 0, 0
	for qi := 0; qi < 30; qi++ {
		q := vecs[1+rng.IntN(len(vecs))]
		q = append([]float32(nil), q...)
		q[0] += 0.5
		rows := mustRun(t, s, fmt.Sprintf("SELECT id FROM items ORDER BY embedding <-> '%s' LIMIT 10", vecText(q)))
		if len(rows) != 10 {
			t.Fatalf("query %d: %d rows", qi, len(rows))
		}
		hits += overlap(rows, nearest(vecs, q, 10, nil))
		total += 10
		// Filtered at 1% selectivity: always k rows, all matching.
		frows := mustRun(t, s, fmt.Sprintf("SELECT id, cat FROM items WHERE cat = 7 ORDER BY embedding <-> '%s' LIMIT 10", vecText(q)))
		if len(frows) != 10 {
			t.Fatalf("filtered query %d: %d rows, want 10", qi, len(frows))
		}
		for _, r := range frows {
			if r[1] != "7" {
				t.Fatalf("filtered query returned cat %s", r[1])
			}
		}
	}
	if recall := float64(hits) / float64(total); recall < 0.9 {
		t.Fatalf("recall@10 = %.3f", recall)
	}
}

func TestHNSWTransactions(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE v (id int PRIMARY KEY, e vector(2))")
	mustRun(t, s, "INSERT INTO v VALUES (1, '[0,0]'), (2, '[10,10]'), (3, NULL)")
	mustRun(t, s, "CREATE INDEX ON v USING hnsw (e vector_l2_ops)")
	q := "SELECT id FROM v ORDER BY e <-> '[0,0]' LIMIT 3"
	if got := flat(mustRun(t, s, q)); got != "1\n2" {
		t.Fatalf("got %q", got)
	}
	// Own uncommitted writes are seen; a rollback removes them.
	mustRun(t, s, "BEGIN; INSERT INTO v VALUES (4, '[0,1]'); DELETE FROM v WHERE id = 1")
	if got := flat(mustRun(t, s, q)); got != "4\n2" {
		t.Fatalf("in transaction: %q", got)
	}
	other := NewEngine(s.eng.store)
	s2, err := other.NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	s2.eng = s.eng // share the loaded graph, as sessions of one server do
	if got := flat(mustRun(t, s2, q)); got != "1\n2" {
		t.Fatalf("other session sees uncommitted changes: %q", got)
	}
	mustRun(t, s, "ROLLBACK")
	if got := flat(mustRun(t, s, q)); got != "1\n2" {
		t.Fatalf("after rollback: %q", got)
	}
	// Committed updates move the row; the old vector never matches.
	mustRun(t, s, "UPDATE v SET e = '[100,100]' WHERE id = 1")
	if got := flat(mustRun(t, s, q)); got != "2\n1" {
		t.Fatalf("after update: %q", got)
	}
	mustRun(t, s, "BEGIN; INSERT INTO v VALUES (5, '[1,1]'); SAVEPOINT a; INSERT INTO v VALUES (6, '[0,0]'); ROLLBACK TO a; COMMIT")
	if got := flat(mustRun(t, s, q)); got != "5\n2\n1" {
		t.Fatalf("after savepoint rollback: %q", got)
	}
	if _, err := run(t, s, "SELECT id FROM v ORDER BY e <-> '[1,2,3]' LIMIT 1"); pgerror.CodeOf(err) != pgerror.CodeDataException {
		t.Fatalf("wrong dimensions: %v", err)
	}
	if got := flat(mustRun(t, s, "SELECT count(*) FROM (SELECT id FROM v ORDER BY e <-> NULL LIMIT 10) s")); got != "4" {
		t.Fatalf("NULL query vector: %q", got)
	}
}

func TestHNSWOptionErrors(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE v (id int PRIMARY KEY, e vector(2), u vector, n int)")
	cases := []struct{ sql, code, msg string }{
		{"CREATE INDEX ON v USING hnsw (e vector_l2_ops) WITH (m = 1)", "22023", `value 1 out of bounds for option "m"`},
		{"CREATE INDEX ON v USING hnsw (e vector_l2_ops) WITH (m = 16, ef_construction = 20)", "22023", "ef_construction must be greater than or equal to 2 * m"},
		{"CREATE INDEX ON v USING hnsw (e vector_foo_ops)", "42704", `operator class "vector_foo_ops" does not exist for access method "hnsw"`},
		// pgvector's build reports this with errcode 22023.
		{"CREATE INDEX ON v USING hnsw (u vector_l2_ops)", "22023", "column does not have dimensions"},
		{"CREATE INDEX ON v USING hnsw (n vector_l2_ops)", "42804", `operator class "vector_l2_ops" does not accept data type integer`},
		// pgvector's hnsw classes are not the type's default, and the
		// options are checked before the class, as PostgreSQL does.
		{"CREATE INDEX ON v USING hnsw (e)", "42704", `data type vector has no default operator class for access method "hnsw"`},
		{"CREATE INDEX ON v USING hnsw (n)", "42704", `data type integer has no default operator class for access method "hnsw"`},
		{"CREATE INDEX ON v USING hnsw (e) WITH (m = 1)", "22023", `value 1 out of bounds for option "m"`},
	}
	for _, c := range cases {
		_, err := run(t, s, c.sql)
		if pgerror.CodeOf(err) != c.code || err.Error() != c.msg {
			t.Errorf("%s: got %v (%s), want %s %s", c.sql, err, pgerror.CodeOf(err), c.code, c.msg)
		}
	}
}

// BenchmarkHNSWQuery is one prepared k-NN query through the session
// (parse once, bind and run per iteration), without the wire.
func BenchmarkHNSWQuery(b *testing.B) {
	s := newTestSession(b)
	rng := rand.New(rand.NewPCG(21, 22))
	vecs := loadVectors(b, s, 10000, 128, rng)
	mustRun(b, s, "CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)")
	p := prepareOne(b, s, "SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10")
	q := types.DVector(vecs[17])
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n := executeCount(b, s, p, q); n != 10 {
			b.Fatalf("%d rows", n)
		}
	}
}

// TestHNSWConcurrentWritersAndReaders runs writers and searchers on one
// indexed table: inserts never fail with serialization errors (the graph
// is not in the key space), and every row a search returns is visible to
// that search's snapshot.
func TestHNSWConcurrentWritersAndReaders(t *testing.T) {
	for _, store := range []string{"memory", "disk"} {
		t.Run(store, func(t *testing.T) {
			if store == "disk" {
				// Half-precision graph: exact vectors written and read
				// back concurrently.
				s, _ := newDiskSession(t)
				concurrentWritersAndReaders(t, s)
				return
			}
			concurrentWritersAndReaders(t, newTestSession(t))
		})
	}
}

func concurrentWritersAndReaders(t *testing.T, s *Session) {
	mustRun(t, s, "CREATE TABLE v (id int PRIMARY KEY, w int, e vector(4))")
	mustRun(t, s, "CREATE INDEX ON v USING hnsw (e vector_l2_ops)")
	open := func() *Session {
		o, err := s.eng.NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(o.Close)
		return o
	}
	const writers, perWriter = 2, 150
	errs := make(chan error, 8)
	done := make(chan struct{})
	var wg, writing sync.WaitGroup
	for w := 0; w < writers; w++ {
		ws := open()
		writing.Add(1)
		go func(w int) {
			defer writing.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for i := 0; i < perWriter; i++ {
				id := w*perWriter + i
				v := []float32{rng.Float32(), rng.Float32(), rng.Float32(), rng.Float32()}
				if _, err := run(t, ws, fmt.Sprintf("INSERT INTO v VALUES (%d, %d, '%s')", id, w, vecText(v))); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				if i%10 == 9 {
					if _, err := run(t, ws, fmt.Sprintf("DELETE FROM v WHERE id = %d", id-5)); err != nil {
						errs <- fmt.Errorf("writer %d delete: %w", w, err)
						return
					}
				}
			}
		}(w)
	}
	for r := 0; r < 2; r++ {
		rs := open()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				// Inside one snapshot: every id the index returns must be
				// readable by primary key.
				// The search and the checks read one snapshot.
				if _, err := run(t, rs, "BEGIN ISOLATION LEVEL REPEATABLE READ"); err != nil {
					errs <- err
					return
				}
				rows, err := run(t, rs, "SELECT id FROM v ORDER BY e <-> '[0.5,0.5,0.5,0.5]' LIMIT 20")
				if err != nil {
					errs <- fmt.Errorf("search: %w", err)
					return
				}
				for _, row := range rows {
					got, err := run(t, rs, "SELECT count(*) FROM v WHERE id = "+row[0])
					if err != nil || flat(got) != "1" {
						errs <- fmt.Errorf("search returned id %s not visible to its snapshot (%v %v)", row[0], got, err)
						return
					}
				}
				if _, err := run(t, rs, "COMMIT"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	writing.Wait()
	close(done) // readers stop once the writers are done
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := flat(mustRun(t, s, "SELECT count(*) FROM (SELECT id FROM v ORDER BY e <-> '[0,0,0,0]' LIMIT 1000) x")); got != fmt.Sprint(writers*perWriter*9/10) {
		t.Fatalf("index scan sees %s rows", got)
	}
}

func TestExplainAnalyzeVectorScan(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE v (id int PRIMARY KEY, e vector(2)); INSERT INTO v SELECT g, ARRAY[g, g * 2]::real[]::vector FROM generate_series(1, 200) g")
	mustRun(t, s, "CREATE INDEX v_e ON v USING hnsw (e vector_l2_ops)")
	out := flat(mustRun(t, s, "EXPLAIN ANALYZE SELECT id FROM v ORDER BY e <-> '[3,6]' LIMIT 3"))
	for _, want := range []string{"Index Scan using v_e on v (actual time=", "rows=3 loops=1", "nodes visited=", "exact vectors read=0", "Execution Time:"} {
		if !strings.Contains(out, want) {
			t.Errorf("EXPLAIN ANALYZE lacks %q:\n%s", want, out)
		}
	}
}

func TestReindexKeepsResults(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE v (id int PRIMARY KEY, e vector(2)); INSERT INTO v VALUES (1, '[0,0]'), (2, '[5,5]'), (3, '[9,9]')")
	mustRun(t, s, "CREATE INDEX v_e ON v USING hnsw (e vector_l1_ops)")
	mustRun(t, s, "DELETE FROM v WHERE id = 2")
	mustRun(t, s, "REINDEX INDEX v_e")
	mustRun(t, s, "REINDEX TABLE v")
	if got := flat(mustRun(t, s, "SELECT id FROM v ORDER BY e <+> '[4,4]' LIMIT 5")); got != "1\n3" {
		t.Fatalf("got %q", got)
	}
	if _, err := run(t, s, "REINDEX INDEX nope"); pgerror.CodeOf(err) != pgerror.CodeUndefinedObject {
		t.Fatalf("missing index: %v", err)
	}
}

// newDiskSession opens an on-disk store and a session on it.
func newDiskSession(t *testing.T) (*Session, *storage.Engine) {
	t.Helper()
	store, err := storage.Open(storage.Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s, err := NewEngine(store).NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, store
}

// reopenedSession is a session on a new engine over s's store, as after
// a restart; s's engine must be closed first (its shutdown checkpoint).
func reopenedSession(t *testing.T, s *Session) *Session {
	t.Helper()
	s2, err := NewEngine(s.eng.store).NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s2.Close)
	return s2
}

// newDiskHNSWTable opens an on-disk store (an in-memory one has no use
// for checkpoints) with a session and a table v of 300 rows, e = [id,0],
// under an HNSW index v_e.
func newDiskHNSWTable(t *testing.T) (*Session, *storage.Engine) {
	t.Helper()
	s, store := newDiskSession(t)
	mustRun(t, s, "CREATE TABLE v (id int PRIMARY KEY, e vector(2))")
	mustRun(t, s, "INSERT INTO v SELECT g, ARRAY[g, 0]::real[]::vector FROM generate_series(1, 300) g")
	mustRun(t, s, "CREATE INDEX v_e ON v USING hnsw (e vector_l2_ops)")
	return s, store
}

// TestHNSWCheckpointRestart persists a graph at shutdown, changes the table
// afterwards (so the checkpoint is stale, as after a crash), and checks a
// new engine loads the checkpoint and reconciles it with the table.
func TestHNSWCheckpointRestart(t *testing.T) {
	s, _ := newDiskHNSWTable(t)
	q := "SELECT id FROM v ORDER BY e <-> '[100.2,0]' LIMIT 3"
	if got := flat(mustRun(t, s, q)); got != "100\n101\n99" {
		t.Fatalf("before restart: %q", got)
	}
	if err := s.eng.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Changes after the checkpoint: a delete, a moved vector, a new row.
	mustRun(t, s, "DELETE FROM v WHERE id = 100; UPDATE v SET e = '[500,0]' WHERE id = 101; INSERT INTO v VALUES (1000, '[100.3,0]')")

	eng2 := NewEngine(s.eng.store)
	s2, err := eng2.NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := flat(mustRun(t, s2, q)); got != "1000\n99\n102" {
		t.Fatalf("after restart: %q", got)
	}
	// The graph came from the checkpoint, not a rebuild.
	txn := s2.eng.store.Begin()
	defer txn.Rollback()
	cat, err := txn.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	sc := cat.SchemaByName(s2.db.ID, "public")
	tb, idx := cat.IndexByName(sc.ID, "v_e")
	dir, err := s2.eng.store.ScratchDir()
	if err != nil {
		t.Fatal(err)
	}
	vi, err := newVectorIndex(cat, tb, idx, dir) // half precision: the exact vectors come back from the table
	if err != nil {
		t.Fatal(err)
	}
	if err := vi.loadCheckpoint(t.Context(), txn, tb, idx); err != nil {
		t.Fatalf("load checkpoint: %v", err)
	}
	if vi.graph.Len() != 302 { // 300 checkpointed + 2 re-added versions
		t.Fatalf("restored graph has %d nodes", vi.graph.Len())
	}
	// The checkpoint holds no vectors of live versions: those of rows 100
	// and 101, changed after it, were gone, so their nodes are detached
	// (tombstoned, and no node links to them); every other checkpointed
	// node has its row's vector.
	gone := map[hnsw.Node]bool{}
	for n := hnsw.Node(0); n < 300; n++ {
		pk, ok := decodeKeyDatums(tb, []byte(vi.info(vi.graph.Key(n)).pk), nil)
		if !ok {
			t.Fatalf("node %d has an unreadable key %q", n, vi.info(vi.graph.Key(n)).pk)
		}
		id := int(pk[0].(types.DInt))
		switch {
		case id == 100 || id == 101:
			gone[n] = true
			if !vi.graph.Deleted(n) {
				t.Fatalf("node of row %d, changed after the checkpoint, is not tombstoned", id)
			}
		case mustExact(t, vi.graph, n)[0] != float32(id):
			t.Fatalf("node of row %d restored with vector %v", id, mustExact(t, vi.graph, n))
		}
	}
	if len(gone) != 2 {
		t.Fatalf("%d checkpointed nodes belong to rows 100 and 101, want 2", len(gone))
	}
	for n := hnsw.Node(0); int(n) < vi.graph.Len(); n++ {
		for l := 0; l <= vi.graph.Level(n) && !gone[n]; l++ {
			for _, x := range vi.graph.Links(n, l) {
				if gone[x] {
					t.Fatalf("node %d links to detached node %d", n, x)
				}
			}
		}
	}
}

// TestHNSWParallelMultiRowInsert: a multi-row INSERT links its rows'
// graph nodes on several cores (parallelVectorInserts); by the end of the
// statement every row is in the graph, a rollback removes them all, and a
// statement that fails half way leaves none of its rows visible.
func TestHNSWParallelMultiRowInsert(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE v (id int PRIMARY KEY, e vector(8))")
	mustRun(t, s, "CREATE INDEX ON v USING hnsw (e vector_l2_ops)")
	rng := rand.New(rand.NewPCG(5, 6))
	vecs := map[int][]float32{}
	values := func(from, to int) string {
		var sb strings.Builder
		for id := from; id < to; id++ {
			v := make([]float32, 8)
			for d := range v {
				v[d] = float32(rng.NormFloat64())
			}
			vecs[id] = v
			if sb.Len() > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "(%d, '%s')", id, vecText(v))
		}
		return sb.String()
	}
	count := func(s *Session) string {
		return flat(mustRun(t, s, "SELECT count(*) FROM (SELECT id FROM v ORDER BY e <-> '[0,0,0,0,0,0,0,0]' LIMIT 100000) x"))
	}
	mustRun(t, s, "BEGIN")
	mustRun(t, s, "INSERT INTO v VALUES "+values(0, 300))
	if got := count(s); got != "300" {
		t.Fatalf("own multi-row insert: index scan sees %s rows, want 300", got)
	}
	mustRun(t, s, "ROLLBACK")
	if got := count(s); got != "0" {
		t.Fatalf("after rollback: index scan sees %s rows", got)
	}
	clear(vecs)
	mustRun(t, s, "INSERT INTO v VALUES "+values(0, 400))
	// Row 400 is new, then 10 collides: the statement fails after linking
	// 401 nodes, and none of them may appear.
	if _, err := run(t, s, "INSERT INTO v VALUES "+values(1000, 1400)+", (10, '[1,1,1,1,1,1,1,1]')"); pgerror.CodeOf(err) != pgerror.CodeUniqueViolation {
		t.Fatalf("duplicate key: %v", err)
	}
	for id := 1000; id < 1400; id++ {
		delete(vecs, id)
	}
	other, err := s.eng.NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	if got := count(other); got != "400" {
		t.Fatalf("after the failed insert: another session's index scan sees %s rows, want 400", got)
	}
	hits := 0
	for qi := 0; qi < 20; qi++ {
		q := make([]float32, 8)
		for d := range q {
			q[d] = float32(rng.NormFloat64())
		}
		rows := mustRun(t, other, fmt.Sprintf("SELECT id FROM v ORDER BY e <-> '%s' LIMIT 10", vecText(q)))
		hits += overlap(rows, nearest(vecs, q, 10, nil))
	}
	if recall := float64(hits) / 200; recall < 0.95 {
		t.Fatalf("recall@10 after parallel inserts = %.3f", recall)
	}
}

// BenchmarkPointSelect is pgbench -S's statement, prepared, through the
// session without the wire: a primary-key lookup of one row, over 1,000
// hot rows of 10,000 (after the first thousand, row cache hits).
func BenchmarkPointSelect(b *testing.B) {
	s := newTestSession(b)
	mustRun(b, s, "CREATE TABLE acc (aid int PRIMARY KEY, bid int, abalance int, filler char(84))")
	mustRun(b, s, "INSERT INTO acc SELECT i, 1, 0, '' FROM generate_series(1, 10000) i")
	p := prepareOne(b, s, "SELECT abalance FROM acc WHERE aid = $1")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if n := executeCount(b, s, p, types.DInt(1+i%1000)); n != 1 {
			b.Fatalf("%d rows", n)
		}
	}
}

// TestHNSWPartialIndexRestart: a partial index holds only the rows its
// WHERE passes, through writes that move rows in and out of it, a
// checkpoint, changes after the checkpoint (as after a crash) and the
// load that reconciles them.
func TestHNSWPartialIndexRestart(t *testing.T) {
	s, _ := newDiskHNSWTable(t)
	mustRun(t, s, "ALTER TABLE v ADD COLUMN cat int")
	mustRun(t, s, "UPDATE v SET cat = id % 2")
	mustRun(t, s, "CREATE INDEX v_odd ON v USING hnsw (e vector_l2_ops) WHERE cat = 1")
	q := "SELECT id FROM v WHERE cat = 1 ORDER BY e <-> '[100.2,0]' LIMIT 3"
	if plan := flat(mustRun(t, s, "EXPLAIN "+q)); !strings.Contains(plan, "Index Scan using v_odd") {
		t.Fatalf("partial index not used for its own predicate:\n%s", plan)
	}
	if plan := flat(mustRun(t, s, "EXPLAIN SELECT id FROM v WHERE cat = 0 ORDER BY e <-> '[100.2,0]' LIMIT 3")); strings.Contains(plan, "v_odd") {
		t.Fatalf("partial index used for a query its rows do not cover:\n%s", plan)
	}
	if got := flat(mustRun(t, s, q)); got != "101\n99\n103" {
		t.Fatalf("before restart: %q", got)
	}
	// Rows move in and out of the index by updates of cat alone.
	mustRun(t, s, "UPDATE v SET cat = 1 WHERE id = 100; UPDATE v SET cat = 0 WHERE id = 101")
	if got := flat(mustRun(t, s, q)); got != "100\n99\n103" {
		t.Fatalf("after updates: %q", got)
	}
	if err := s.eng.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	// After the checkpoint: 100 leaves, 102 enters, 99 moves.
	mustRun(t, s, "UPDATE v SET cat = 0 WHERE id = 100; UPDATE v SET cat = 1 WHERE id = 102; UPDATE v SET e = '[500,0]' WHERE id = 99")
	eng2 := NewEngine(s.eng.store)
	s2, err := eng2.NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := flat(mustRun(t, s2, q)); got != "102\n103\n97" {
		t.Fatalf("after restart: %q", got)
	}
	// The index holds exactly the matching rows: as many visible nodes
	// as rows with cat = 1.
	want := flat(mustRun(t, s2, "SELECT count(*) FROM v WHERE cat = 1"))
	got := flat(mustRun(t, s2, "SELECT count(*) FROM (SELECT id FROM v WHERE cat = 1 ORDER BY e <-> '[0,0]' LIMIT 1000) x"))
	if got != want {
		missing := flat(mustRun(t, s2, "SELECT id FROM v WHERE cat = 1 EXCEPT SELECT id FROM (SELECT id FROM v WHERE cat = 1 ORDER BY e <-> '[0,0]' LIMIT 1000) x ORDER BY 1"))
		t.Fatalf("index scan returns %s rows, %s match; missing %q", got, want, missing)
	}
}

// TestIndexPredicateConcurrent: a partial index's compiled WHERE is
// called by build workers and writing sessions at once; each call must
// see only its own row (a compiled expression's scratch space is not
// shared). Run with -race too.
func TestIndexPredicateConcurrent(t *testing.T) {
	s, store := newDiskHNSWTable(t)
	mustRun(t, s, "ALTER TABLE v ADD COLUMN cat int")
	txn := store.Begin()
	defer txn.Rollback()
	cat, err := txn.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := cat.IndexByName(cat.SchemaByName(s.db.ID, "public").ID, "v_e")
	holds, err := compileIndexPredicate(cat, tb, &catalog.Index{Name: "p", Where: "((cat = 1) AND (abs(id) > 5))"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20000; i++ {
				id := (i*7 + w) % 20
				row := []types.Datum{types.DInt(id), types.Null, types.DInt(id % 2)}
				got, err := holds(row)
				if want := id%2 == 1 && id > 5; err != nil || got != want {
					errs <- fmt.Errorf("row id %d cat %d: holds = %v, %v; want %v", id, id%2, got, err, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
}

// TestHNSWHalfvecRestart: an index on a halfvec column answers like an
// exact search, returns halfvec values, and after a restart serves from
// its checkpoint, whose live vectors come back from the halfvec rows.
func TestHNSWHalfvecRestart(t *testing.T) {
	s, store := newDiskSession(t)
	mustRun(t, s, "CREATE TABLE hv (id int PRIMARY KEY, e halfvec(8))")
	mustRun(t, s, "INSERT INTO hv SELECT g, ARRAY(SELECT x - floor(x) FROM generate_series(1, 8) k, LATERAL (SELECT sin(g * 12.9898 + k * 78.233) * 43758.5453 AS x) r)::real[]::halfvec FROM generate_series(1, 2000) g")
	mustRun(t, s, "CREATE INDEX hv_e ON hv USING hnsw (e halfvec_cosine_ops)")
	plan := flat(mustRun(t, s, "EXPLAIN SELECT id FROM hv ORDER BY e <=> '[1,2,3,4,5,6,7,8]' LIMIT 10"))
	if !strings.Contains(plan, "Index Scan using hv_e on hv") {
		t.Fatalf("plan does not use the halfvec index:\n%s", plan)
	}
	queries := []string{"[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]", "[0.8,0.1,0.7,0.2,0.6,0.3,0.5,0.4]", "[0.05,0.3,0.1,0.4,0.1,0.5,0.9,0.2]", "[0.2,0.2,0.2,0.2,0.9,0.9,0.9,0.9]"}
	check := func(s *Session) []string {
		t.Helper()
		var answers []string
		for _, q := range queries {
			got := mustRun(t, s, fmt.Sprintf("SELECT id, e::text FROM hv ORDER BY e <=> '%s' LIMIT 10", q))
			// Two sort keys keep the index out: the exact answer.
			want := mustRun(t, s, fmt.Sprintf("SELECT id, e::text FROM hv ORDER BY e <=> '%s', id LIMIT 10", q))
			var wantIDs []string
			for _, r := range want {
				wantIDs = append(wantIDs, r[0])
			}
			if overlap(got, wantIDs) < 9 {
				t.Fatalf("query %s: index gave %v, exact %v", q, got, want)
			}
			for _, r := range got {
				stored := flat(mustRun(t, s, "SELECT e::text FROM hv WHERE id = "+r[0]))
				if r[1] != stored {
					t.Fatalf("row %s: index returned %s, the row holds %s", r[0], r[1], stored)
				}
			}
			answers = append(answers, flat(got))
		}
		return answers
	}
	before := check(s)
	if err := s.eng.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	s2 := reopenedSession(t, s)
	after := check(s2)
	if !slices.Equal(before, after) {
		t.Fatalf("answers changed across the restart:\nbefore %q\nafter  %q", before, after)
	}
	txn := store.Begin()
	defer txn.Rollback()
	cat, err := txn.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	tb, idx := cat.IndexByName(cat.SchemaByName(s2.db.ID, "public").ID, "hv_e")
	vi, err := newVectorIndex(cat, tb, idx, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := vi.loadCheckpoint(t.Context(), txn, tb, idx); err != nil {
		t.Fatalf("load checkpoint: %v", err)
	}
	if vi.graph.Len() != 2000 {
		t.Fatalf("restored graph has %d nodes, want 2000", vi.graph.Len())
	}
}

// TestHNSWNumericKeyRestart checkpoints an index whose table's key is
// numeric and text (encodings that do not decode back to values) and
// restores it: the records keep each row's key encoding.
func TestHNSWNumericKeyRestart(t *testing.T) {
	s, store := newDiskSession(t)
	mustRun(t, s, "CREATE TABLE nk (a numeric, b text, e vector(2), PRIMARY KEY (a, b))")
	mustRun(t, s, "INSERT INTO nk SELECT (g / 8.0)::numeric(8,3), 'r' || (g % 3), ARRAY[g, (g * 7) % 31]::real[]::vector FROM generate_series(1, 300) g")
	mustRun(t, s, "CREATE INDEX nk_e ON nk USING hnsw (e vector_l2_ops)")
	q := "SELECT a, b FROM nk ORDER BY e <-> '[150.2,3]' LIMIT 3"
	// Two sort keys keep the index out: the exact answer.
	exact := "SELECT a, b FROM nk ORDER BY e <-> '[150.2,3]', a LIMIT 3"
	before := flat(mustRun(t, s, q))
	if want := flat(mustRun(t, s, exact)); before != want || want != "18.875|r1\n18.375|r0\n19.375|r2" {
		t.Fatalf("before restart: index %q, exact %q", before, want)
	}
	if err := s.eng.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustRun(t, s, "DELETE FROM nk WHERE a = 18.875")
	s2 := reopenedSession(t, s)
	if got, want := flat(mustRun(t, s2, q)), flat(mustRun(t, s2, exact)); got != want || strings.Contains(got, "18.875") {
		t.Fatalf("after restart: index %q, exact %q", got, want)
	}
	txn := store.Begin()
	defer txn.Rollback()
	cat, err := txn.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	tb, idx := cat.IndexByName(cat.SchemaByName(s2.db.ID, "public").ID, "nk_e")
	vi, err := newVectorIndex(cat, tb, idx, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := vi.loadCheckpoint(t.Context(), txn, tb, idx); err != nil {
		t.Fatalf("load checkpoint: %v", err)
	}
	// The checkpoint's 300 records, less the deleted row's (tombstoned,
	// still in the graph) plus nothing re-added.
	if vi.graph.Len() != 300 {
		t.Fatalf("restored graph has %d nodes, want 300", vi.graph.Len())
	}
	// A record written before checkpoints kept key encodings (each key
	// column's binary form) reads as the same key.
	a, err := types.ParseText(tb.Columns[0].Type, "19.375")
	if err != nil {
		t.Fatal(err)
	}
	row := []types.Datum{a, types.DString("r2"), nil}
	var old []byte
	old = append(old, recordKeyCols)
	for i, c := range tb.PrimaryKey {
		b, err := types.EncodeBinary(nil, tb.Columns[c].Type, row[i])
		if err != nil {
			t.Fatal(err)
		}
		old = append(binary.AppendUvarint(old, uint64(len(b))), b...)
	}
	got, ok := checkpointKey(tb, old)
	want, err := pkOf(tb, row)
	if err != nil || !ok || got != want {
		t.Fatalf("old record reads as %q (%v), want %q (%v)", got, ok, want, err)
	}
	if vi.versions.appendKeys(nil, want) == nil {
		t.Fatalf("restored index has no version of row (19.375, r2)")
	}
	// Records whose key encodings a key column's new type cannot read
	// (a checkpoint from before ALTER COLUMN TYPE) are not loaded.
	altered := *tb
	altered.Columns = slices.Clone(tb.Columns)
	altered.Columns[1].Type = types.Int8
	vi, err = newVectorIndex(cat, &altered, idx, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := vi.loadCheckpoint(t.Context(), txn, &altered, idx); !errors.Is(err, errNoCheckpoint) {
		t.Fatalf("a checkpoint of other key types loaded: %v", err)
	}
	// A format 2 meta (no key types) still decodes.
	meta, ok := decodeCheckpointMeta(append(checkpointMeta{c: 7, gen: 3, n: 5, dims: 2}.encode()[:32], checkpointFormatV2))
	if !ok || meta.hasKeyTypes || meta.c != 7 || meta.gen != 3 || meta.n != 5 || meta.dims != 2 {
		t.Fatalf("format 2 meta decodes as %+v, %v", meta, ok)
	}
}

func mustExact(t testing.TB, g *hnsw.Graph, n hnsw.Node) []float32 {
	t.Helper()
	v, err := g.Exact(n, nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestHNSWHalfGraphExact: an index on disk keeps its vectors in half
// precision, where rows closer together than half precision's spacing
// are ties. Each way an index scan answers must still return the exact
// nearest rows in exact order with exact distances: the graph search
// (when its candidates hold them), the exhaustive pass after a short
// filtered search, and the exact pass over a b-tree span; and so again
// after a restart, which refills the exact vectors from the table.
func TestHNSWHalfGraphExact(t *testing.T) {
	s, store := newDiskSession(t)
	// Rows 1..60 lie 1e-5 apart along x from [1,2,3], all one vector in
	// half precision; 400 more rows spread around them.
	mustRun(t, s, "CREATE TABLE h (id int PRIMARY KEY, cat int, e vector(3))")
	mustRun(t, s, "INSERT INTO h SELECT g, g % 3, ARRAY[1 + g * 1e-5, 2, 3]::real[]::vector FROM generate_series(1, 60) g")
	mustRun(t, s, "INSERT INTO h SELECT g, 5, ARRAY[1 + sin(g), 2 + cos(g * 7), 3 + sin(g * 3)]::real[]::vector FROM generate_series(100, 499) g")
	mustRun(t, s, "CREATE INDEX h_e ON h USING hnsw (e vector_l2_ops)")
	mustRun(t, s, "CREATE INDEX h_cat ON h (cat)")
	const q = "'[1,2,3]'"
	// Two sort keys keep the index out: the exact answer.
	cases := []struct{ where, limit string }{
		{"", "5"},
		{"WHERE id % 20 = 0", "100"}, // 23 rows: the search comes back short
		{"WHERE cat = 1", "5"},       // a span of 20 rows, measured exactly
	}
	check := func(s *Session) []string {
		t.Helper()
		var answers []string
		mustRun(t, s, "SET hnsw.ef_search = 100")
		for _, c := range cases {
			sel := "SELECT id, e <-> " + q + " FROM h " + c.where + " ORDER BY e <-> " + q
			plan := flat(mustRun(t, s, "EXPLAIN "+sel+" LIMIT "+c.limit))
			if !strings.Contains(plan, "Index Scan using h_e") {
				t.Fatalf("%s: no index scan:\n%s", sel, plan)
			}
			got := flat(mustRun(t, s, sel+" LIMIT "+c.limit))
			if want := flat(mustRun(t, s, sel+", id LIMIT "+c.limit)); got != want {
				t.Fatalf("%s LIMIT %s:\nindex %q\nexact %q", sel, c.limit, got, want)
			}
			answers = append(answers, got)
		}
		// At ef_search 10 the candidates hold some of the tied rows: the
		// ones returned are in exact order, with exact distances.
		mustRun(t, s, "SET hnsw.ef_search = 10")
		rows := mustRun(t, s, "SELECT id, e <-> "+q+" FROM h ORDER BY e <-> "+q+" LIMIT 5")
		if len(rows) != 5 {
			t.Fatalf("ef_search 10: %d rows", len(rows))
		}
		prev := -1.0
		for _, r := range rows {
			d, err := strconv.ParseFloat(r[1], 64)
			if err != nil {
				t.Fatal(err)
			}
			if want := flat(mustRun(t, s, "SELECT e <-> "+q+" FROM h WHERE id = "+r[0])); r[1] != want {
				t.Fatalf("row %s: index distance %s, exact %s", r[0], r[1], want)
			}
			if d < prev {
				t.Fatalf("ef_search 10: rows out of exact order: %v", rows)
			}
			prev = d
		}
		mustRun(t, s, "RESET hnsw.ef_search")
		return answers
	}
	before := check(s)
	// EXPLAIN ANALYZE counts the exact vectors the re-ranking read: at
	// least the k returned (a float32 graph reads none: see
	// TestExplainAnalyzeVectorScan).
	plan := flat(mustRun(t, s, "EXPLAIN ANALYZE SELECT id FROM h ORDER BY e <-> "+q+" LIMIT 5"))
	m := regexp.MustCompile(`exact vectors read=(\d+)`).FindStringSubmatch(plan)
	if m == nil {
		t.Fatalf("EXPLAIN ANALYZE lacks the exact read count:\n%s", plan)
	}
	if n, _ := strconv.Atoi(m[1]); n < 5 {
		t.Fatalf("EXPLAIN ANALYZE: %d exact vectors read for 5 rows:\n%s", n, plan)
	}
	var ids []string
	for _, line := range strings.Split(before[0], "\n") {
		ids = append(ids, strings.Split(line, "|")[0])
	}
	if got := strings.Join(ids, ","); got != "1,2,3,4,5" {
		t.Fatalf("nearest rows %q, want ids 1..5", before[0])
	}
	txn := store.Begin()
	cat, err := txn.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	_, idx := cat.IndexByName(cat.SchemaByName(s.db.ID, "public").ID, "h_e")
	txn.Rollback()
	s.eng.vindex.mu.Lock()
	li := s.eng.vindex.byIndex[idx.ID]
	s.eng.vindex.mu.Unlock()
	if li == nil || !li.vi.graph.Half() {
		t.Fatal("the index of a store on disk does not keep half-precision vectors")
	}
	if err := s.eng.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if after := check(reopenedSession(t, s)); !slices.Equal(before, after) {
		t.Fatalf("answers changed across the restart:\nbefore %q\nafter  %q", before, after)
	}
}
