package executor

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// testPIDs numbers openSession's sessions: a backend pid names the
// session's temporary schema, which a new session of the same pid drops,
// so two live sessions must never share one (random pids could).
var testPIDs atomic.Int32

func openSession(t testing.TB, s *Session) *Session {
	t.Helper()
	o, err := s.eng.NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres", BackendPID: 1000 + testPIDs.Add(1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.Close)
	return o
}

// indexAgreesWithTable checks that an index scan with a limit of the row
// count returns exactly the table's (id, vector) pairs: every visible row
// is reachable and no result is a deleted or superseded version.
func indexAgreesWithTable(t testing.TB, s *Session, table, col string) {
	t.Helper()
	want := mustRun(t, s, fmt.Sprintf("SELECT id::text || ' ' || %s::text FROM %s WHERE %[1]s IS NOT NULL", col, table))
	mustRun(t, s, "SET hnsw.ef_search = 1000")
	defer mustRun(t, s, "RESET hnsw.ef_search")
	dims := strings.Count(want[0][0], ",") + 1
	q := "[" + strings.TrimSuffix(strings.Repeat("0,", dims), ",") + "]"
	plan := flat(mustRun(t, s, fmt.Sprintf("EXPLAIN SELECT id, %[1]s FROM %[2]s ORDER BY %[1]s <-> '%[3]s' LIMIT %[4]d", col, table, q, len(want))))
	if !strings.Contains(plan, "Index Scan") {
		t.Fatalf("not an index scan:\n%s", plan)
	}
	got := mustRun(t, s, fmt.Sprintf("SELECT id::text || ' ' || %[1]s::text FROM (SELECT id, %[1]s FROM %[2]s ORDER BY %[1]s <-> '%[3]s' LIMIT %[4]d) x", col, table, q, len(want)))
	set := func(rows [][]string) []string {
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = r[0]
		}
		sort.Strings(out)
		return out
	}
	w, g := set(want), set(got)
	if strings.Join(w, "\n") != strings.Join(g, "\n") {
		missing, ghosts := diffSorted(w, g)
		t.Fatalf("index and table disagree: %d rows, index %d; %d missing (e.g. %v), %d not in the table (e.g. %v)",
			len(w), len(g), len(missing), head(missing), len(ghosts), head(ghosts))
	}
}

func head(s []string) []string {
	if len(s) > 3 {
		return s[:3]
	}
	return s
}

// diffSorted returns what a has and b lacks, and the reverse.
func diffSorted(a, b []string) (onlyA, onlyB []string) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j >= len(b) || (i < len(a) && a[i] < b[j]):
			onlyA = append(onlyA, a[i])
			i++
		case i >= len(a) || b[j] < a[i]:
			onlyB = append(onlyB, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return onlyA, onlyB
}

// TestHNSWBuildFollowsConcurrentWriters builds an index while writers
// insert, move and delete rows (some in transactions that started before
// the build): no writer fails, and the finished index holds exactly the
// table's rows.
func TestHNSWBuildFollowsConcurrentWriters(t *testing.T) {
	for _, concurrently := range []bool{false, true} {
		t.Run(fmt.Sprintf("concurrently=%v", concurrently), func(t *testing.T) {
			s := newTestSession(t)
			rng := rand.New(rand.NewPCG(3, 4))
			loadVectors(t, s, 4000, 16, rng)
			const writers = 4
			var stop atomic.Bool
			var ops atomic.Int64
			errs := make(chan error, writers)
			var wg sync.WaitGroup
			started := make(chan struct{}, writers)
			for w := 0; w < writers; w++ {
				ws := openSession(t, s)
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(w), 77))
					vec := func() string {
						v := make([]float32, 16)
						for i := range v {
							v[i] = float32(rng.NormFloat64() * 3)
						}
						return vecText(v)
					}
					next := 100000 + w*100000
					for i := 0; !stop.Load() || i < 40; i++ {
						// Each writer owns ids = w mod writers, so writers never
						// conflict with each other.
						own := 1 + writers*rng.IntN(4000/writers) + w
						var sql string
						switch i % 4 {
						case 0:
							sql = fmt.Sprintf("INSERT INTO items VALUES (%d, 1, '%s')", next, vec())
							next++
						case 1:
							sql = fmt.Sprintf("UPDATE items SET embedding = '%s' WHERE id = %d", vec(), own)
						case 2:
							sql = fmt.Sprintf("DELETE FROM items WHERE id = %d", own)
						case 3:
							// A transaction that stays open for a while.
							sql = fmt.Sprintf("BEGIN; INSERT INTO items VALUES (%d, 2, '%s'); UPDATE items SET embedding = NULL WHERE id = %d", next, vec(), own)
							next++
						}
						if _, err := run(t, ws, sql); err != nil {
							errs <- fmt.Errorf("writer %d: %s: %w", w, sql, err)
							return
						}
						if i%4 == 3 {
							time.Sleep(2 * time.Millisecond)
							if _, err := run(t, ws, "COMMIT"); err != nil {
								errs <- fmt.Errorf("writer %d commit: %w", w, err)
								return
							}
						}
						ops.Add(1)
						if i == 10 {
							started <- struct{}{}
						}
					}
				}(w)
			}
			for w := 0; w < writers; w++ {
				<-started
			}
			before := ops.Load()
			stmt := "CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)"
			if concurrently {
				stmt = "CREATE INDEX CONCURRENTLY ON items USING hnsw (embedding vector_l2_ops)"
			}
			mustRun(t, s, stmt)
			during := ops.Load() - before
			stop.Store(true)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if during == 0 {
				t.Fatalf("no write ran during the build")
			}
			indexAgreesWithTable(t, s, "items", "embedding")
		})
	}
}

// TestProgressCreateIndex watches a build from another session: while an
// older transaction is open the build waits for it, and
// pg_stat_progress_create_index shows the wait; once done the row is gone.
func TestProgressCreateIndex(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE p (id int PRIMARY KEY, e vector(2))")
	mustRun(t, s, "INSERT INTO p SELECT g, ARRAY[g, g]::real[]::vector FROM generate_series(1, 500) g")
	older := openSession(t, s)
	mustRun(t, older, "BEGIN; SELECT 1")
	builder := openSession(t, s)
	watcher := openSession(t, s)
	done := make(chan error, 1)
	go func() {
		_, err := run(t, builder, "CREATE INDEX p_e ON p USING hnsw (e vector_l2_ops)")
		done <- err
	}()
	q := "SELECT pid = " + fmt.Sprint(builder.BackendPID()) + ", datname, relid = 'p'::regclass, command, phase, lockers_total, lockers_done, tuples_total, tuples_done, current_locker_pid, blocks_total FROM pg_stat_progress_create_index"
	want := "t|postgres|t|CREATE INDEX|waiting for writers before build|1|0|0|0|0|0"
	deadline := time.Now().Add(10 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		if got = flat(mustRun(t, watcher, q)); got == want {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got != want {
		t.Fatalf("progress row: %q, want %q", got, want)
	}
	mustRun(t, older, "COMMIT")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := flat(mustRun(t, watcher, "SELECT count(*) FROM pg_stat_progress_create_index")); got != "0" {
		t.Fatalf("rows after the build: %s", got)
	}
	if got := flat(mustRun(t, watcher, "SELECT id FROM p ORDER BY e <-> '[3,3]' LIMIT 2")); got != "3\n2" && got != "3\n4" {
		t.Fatalf("index scan after the build: %q", got)
	}
}

// TestHNSWManyWritersNoSerializationFailures has 8 sessions inserting,
// moving and deleting rows of one indexed table (their own rows, so any
// 40001 would come from the index) while 2 sessions check, inside one
// snapshot, that an exhaustive index scan returns exactly the rows a
// sequential scan sees.
func TestHNSWManyWritersNoSerializationFailures(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE v (id int PRIMARY KEY, w int, e vector(4))")
	mustRun(t, s, "CREATE INDEX ON v USING hnsw (e vector_l2_ops)")
	const writers, perWriter = 8, 60
	errs := make(chan error, writers+2)
	var writing, reading sync.WaitGroup
	var stop atomic.Bool
	for w := 0; w < writers; w++ {
		ws := openSession(t, s)
		writing.Add(1)
		go func(w int) {
			defer writing.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 5))
			vec := func() string {
				return vecText([]float32{rng.Float32(), rng.Float32(), rng.Float32(), rng.Float32()})
			}
			for i := 0; i < perWriter; i++ {
				id := w*perWriter + i
				sql := fmt.Sprintf("INSERT INTO v VALUES (%d, %d, '%s')", id, w, vec())
				switch {
				case i%10 == 9:
					sql += fmt.Sprintf("; DELETE FROM v WHERE id = %d", id-3)
				case i%5 == 4:
					sql += fmt.Sprintf("; UPDATE v SET e = '%s' WHERE id = %d", vec(), id-1)
				}
				if _, err := run(t, ws, sql); err != nil {
					errs <- fmt.Errorf("writer %d: %s: %w", w, sql, err)
					return
				}
			}
		}(w)
	}
	checks := atomic.Int64{}
	for r := 0; r < 2; r++ {
		rs := openSession(t, s)
		reading.Add(1)
		go func() {
			defer reading.Done()
			for !stop.Load() {
				if err := snapshotAgrees(t, rs); err != nil {
					errs <- err
					return
				}
				checks.Add(1)
			}
		}()
	}
	writing.Wait()
	stop.Store(true)
	reading.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if checks.Load() == 0 {
		t.Fatal("no snapshot check ran")
	}
	if err := snapshotAgrees(t, s); err != nil {
		t.Fatal(err)
	}
}

// snapshotAgrees compares, in one transaction, an index scan over every
// row with a sequential scan.
func snapshotAgrees(t testing.TB, s *Session) error {
	defer run(t, s, "ROLLBACK")
	// One snapshot for both reads: READ COMMITTED would take one each.
	if _, err := run(t, s, "BEGIN ISOLATION LEVEL REPEATABLE READ; SET LOCAL hnsw.ef_search = 1000"); err != nil {
		return err
	}
	seq, err := run(t, s, "SELECT id FROM v ORDER BY id")
	if err != nil {
		return err
	}
	if len(seq) == 0 {
		return nil
	}
	idx, err := run(t, s, fmt.Sprintf("SELECT id FROM (SELECT id FROM v ORDER BY e <-> '[0.5,0.5,0.5,0.5]' LIMIT %d) x ORDER BY id", len(seq)))
	if err != nil {
		return err
	}
	if flat(seq) != flat(idx) {
		return fmt.Errorf("index scan returned %d rows, the snapshot has %d", len(idx), len(seq))
	}
	return nil
}

func TestCreateIndexConcurrentlyInBlock(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE c (id int PRIMARY KEY, e vector(2))")
	mustRun(t, s, "BEGIN")
	_, err := run(t, s, "CREATE INDEX CONCURRENTLY ON c USING hnsw (e vector_l2_ops)")
	if pgerror.CodeOf(err) != pgerror.CodeActiveSQLTransaction || err.Error() != "CREATE INDEX CONCURRENTLY cannot run inside a transaction block" {
		t.Fatalf("got %v", err)
	}
	mustRun(t, s, "ROLLBACK")
	mustRun(t, s, "CREATE INDEX CONCURRENTLY ON c USING hnsw (e vector_l2_ops)")
}
