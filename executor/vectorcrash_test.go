package executor

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quiverdb/quiver/storage"
)

const (
	hnswCrashDirEnv  = "QUIVER_HNSW_CRASH_DIR"
	hnswCrashModeEnv = "QUIVER_HNSW_CRASH_MODE"
)

// checkpointGen returns the generation of an index's checkpoint (0: none).
func checkpointGen(t testing.TB, s *Session, index string) uint64 {
	t.Helper()
	txn := s.eng.store.Begin()
	defer txn.Rollback()
	cat, err := txn.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	sc := cat.SchemaByName(s.db.ID, "public")
	tb, idx := cat.IndexByName(sc.ID, index)
	if idx == nil {
		return 0
	}
	b, err := txn.RawGet(checkpointMetaKey(tb.ID, idx.ID))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := decodeCheckpointMeta(b)
	return m.gen
}

// TestHNSWCrashHelper is the child process of TestHNSWCrashRecovery: it
// loads an indexed table, then writes from several sessions (and, in
// "build" mode, builds a second index) until it is killed, printing what
// it reached.
func TestHNSWCrashHelper(t *testing.T) {
	dir, mode := os.Getenv(hnswCrashDirEnv), os.Getenv(hnswCrashModeEnv)
	if dir == "" {
		t.Skip("helper process for TestHNSWCrashRecovery")
	}
	fail := func(err error) {
		fmt.Println("ERR", err)
		os.Exit(2)
	}
	store, err := storage.Open(storage.Options{Dir: dir, NoSync: true})
	if err != nil {
		fail(err)
	}
	eng := NewEngine(store)
	eng.vindex.checkpointEvery = 50 * time.Millisecond
	ctx := context.Background()
	s, err := eng.NewSession(ctx, SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		fail(err)
	}
	exec := func(s *Session, sql string) {
		if _, err := run(t, s, sql); err != nil {
			fail(fmt.Errorf("%s: %w", sql, err))
		}
	}
	rows := 3000
	if mode == "build" {
		rows = 15000
	}
	exec(s, "CREATE TABLE v (id int PRIMARY KEY, e vector(8), e2 vector(16))")
	exec(s, fmt.Sprintf("INSERT INTO v SELECT g, ARRAY[sin(g), cos(g), sin(g*2), cos(g*3), g %% 7, g %% 11, sin(g*5), cos(g*7)]::real[]::vector, "+
		"ARRAY[sin(g), cos(g), sin(g*2), cos(g*3), g %% 7, g %% 11, sin(g*5), cos(g*7), sin(g*11), cos(g*13), g %% 5, g %% 3, sin(g*17), cos(g*19), g %% 13, g %% 17]::real[]::vector FROM generate_series(1, %d) g", rows))
	exec(s, "CREATE INDEX v_e ON v USING hnsw (e vector_l2_ops)")
	var ops atomic.Int64
	for w := 0; w < 3; w++ {
		ws, err := eng.NewSession(ctx, SessionOptions{User: "postgres", Database: "postgres"})
		if err != nil {
			fail(err)
		}
		go func(w int) {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			vec := func(d int) string {
				v := make([]float32, d)
				for i := range v {
					v[i] = float32(rng.NormFloat64())
				}
				return vecText(v)
			}
			next := 1_000_000 * (w + 1)
			for i := 0; ; i++ {
				own := 1 + 3*rng.IntN(rows/3) + w
				switch i % 4 {
				case 0, 3:
					exec(ws, fmt.Sprintf("INSERT INTO v VALUES (%d, '%s', '%s')", next, vec(8), vec(16)))
					next++
				case 1:
					exec(ws, fmt.Sprintf("UPDATE v SET e = '%s', e2 = '%s' WHERE id = %d", vec(8), vec(16), own))
				case 2:
					exec(ws, fmt.Sprintf("DELETE FROM v WHERE id = %d", own))
				}
				ops.Add(1)
			}
		}(w)
	}
	// Report progress: committed operations and checkpoint generations.
	go func() {
		for {
			time.Sleep(20 * time.Millisecond)
			fmt.Printf("ops %d ckpt %d\n", ops.Load(), checkpointGen(t, s, "v_e"))
		}
	}()
	if mode == "build" {
		for checkpointGen(t, s, "v_e") < 2 {
			time.Sleep(10 * time.Millisecond)
		}
		go func() {
			// Tell the parent once the build is halfway through its scan.
			for {
				for _, p := range eng.buildProgress() {
					if p.TuplesTotal > 0 && p.TuplesDone > p.TuplesTotal/2 && p.TuplesDone < p.TuplesTotal {
						fmt.Println("midbuild")
						return
					}
				}
				time.Sleep(time.Millisecond)
			}
		}()
		fmt.Println("building")
		exec(s, "CREATE INDEX v_e2 ON v USING hnsw (e2 vector_l2_ops)")
		fmt.Println("built")
	}
	select {}
}

// TestHNSWCrashRecovery kills a server process (SIGKILL) while writers
// run against an indexed table — after periodic checkpoints, and in
// "build" mode in the middle of a CREATE INDEX — then restarts on the
// same directory: every visible row is reachable by an index scan, no
// index result is a row that is not visible, and no REINDEX is needed.
func TestHNSWCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, mode := range []string{"inserts", "build"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHNSWCrashHelper$", "-test.count=1")
			cmd.Env = append(os.Environ(), hnswCrashDirEnv+"="+dir, hnswCrashModeEnv+"="+mode)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			sc := bufio.NewScanner(out)
			var ops, gen int64
			midBuild := false
			deadline := time.Now().Add(2 * time.Minute)
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "ERR"):
					t.Fatalf("helper: %s", line)
				case line == "midbuild":
					midBuild = true
				case line == "built":
					t.Fatalf("the build finished before the kill; make it bigger")
				}
				fmt.Sscanf(line, "ops %d ckpt %d", &ops, &gen)
				done := ops > 300 && gen >= 2
				if mode == "build" {
					done = midBuild
				}
				if done {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("helper made no progress: ops %d, checkpoint generation %d", ops, gen)
				}
			}
			if err := cmd.Process.Signal(os.Kill); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			t.Logf("killed after %d writes, checkpoint generation %d", ops, gen)

			start := time.Now()
			store, err := storage.Open(storage.Options{Dir: dir, NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			eng := NewEngine(store)
			defer eng.Close(context.Background())
			s, err := eng.NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			mustRun(t, s, "SELECT id FROM v ORDER BY e <-> '[0,0,0,0,0,0,0,0]' LIMIT 1")
			t.Logf("restart to first index scan: %v (checkpoint generation %d)", time.Since(start).Round(time.Millisecond), checkpointGen(t, s, "v_e"))
			if checkpointGen(t, s, "v_e") == 0 {
				t.Fatal("no checkpoint survived")
			}
			indexAgreesWithTable(t, s, "v", "e")
			if checkpointGen(t, s, "v_e2") != 0 || flat(mustRun(t, s, "SELECT count(*) FROM pg_indexes WHERE indexname = 'v_e2'")) == "1" {
				indexAgreesWithTable(t, s, "v", "e2")
			}
			// The index stays right for writes after the restart.
			mustRun(t, s, "DELETE FROM v WHERE id % 5 = 0; INSERT INTO v VALUES (7777777, '[1,2,3,4,5,6,7,8]', NULL)")
			indexAgreesWithTable(t, s, "v", "e")
		})
	}
}
