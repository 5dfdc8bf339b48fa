package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/storage"
)

// newSpillingSession opens a session over a store on disk whose
// transactions spill their writes past spillBytes.
func newSpillingSession(t testing.TB, dir string, spillBytes int64) (*Engine, *Session) {
	t.Helper()
	store, err := storage.Open(storage.Options{Dir: dir, NoSync: true, SpillBytes: spillBytes})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	eng := NewEngine(store)
	s, err := eng.NewSession(context.Background(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	t.Cleanup(s.Close)
	return eng, s
}

// runWant runs sql and compares its rows as flat renders them.
func runWant(t *testing.T, s *Session, sql string, want string) {
	t.Helper()
	if got := flat(mustRun(t, s, sql)); got != want {
		t.Fatalf("%s: got %q, want %q", sql, got, want)
	}
}

func sqlState(err error) string {
	var pe *pgerror.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// A COPY far larger than the spill threshold, inside a transaction block:
// the block reads its own rows (aggregates, point reads, updates, deletes,
// unique and foreign key checks, ON CONFLICT, ROLLBACK TO SAVEPOINT)
// merged from memory and the spill area; another session sees none of
// them and commits meanwhile; COMMIT makes them all visible.
func TestCopySpilledTransaction(t *testing.T) {
	eng, s := newSpillingSession(t, t.TempDir(), 256<<10)
	other, err := eng.NewSession(context.Background(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := run(t, s, "create table parent (id int primary key, name text unique); create table child (id int primary key, pid int references parent); create table side (x int)"); err != nil {
		t.Fatal(err)
	}
	runWant(t, s, "begin", "")
	tag, err := copyFrom(context.Background(), t, s, "copy parent from stdin", &genRowsFrom{genRows: genRows{n: 30_000, pad: "n"}})
	if err != nil || tag != "COPY 30000" {
		t.Fatalf("COPY: %q %v", tag, err)
	}
	if n := s.txn.Stats().SpilledWrites; n < 20_000 {
		t.Fatalf("COPY of 30,000 rows spilled %d writes past 256 kB", n)
	}
	runWant(t, s, "update parent set name = 'n' || id", "")
	runWant(t, s, "select count(*), sum(id), min(id), max(id) from parent", "30000|450015000|1|30000")
	runWant(t, s, "select name from parent where id = 12345", "n12345")
	runWant(t, s, "select id from parent where name = 'n29999'", "29999")
	runWant(t, s, "select id from parent where id > 29997 order by id desc", "30000\n29999\n29998")
	runWant(t, s, "delete from parent where id between 100 and 199", "")
	runWant(t, s, "update parent set name = 'changed' || id where id % 1000 = 0", "")
	runWant(t, s, "select count(*), count(*) filter (where name like 'changed%') from parent", "29900|30")
	wantCodeSp := func(sql, code string) {
		t.Helper()
		runWant(t, s, "savepoint sp", "")
		if _, err := run(t, s, sql); sqlState(err) != code {
			t.Fatalf("%s: %v, want %s", sql, err, code)
		}
		runWant(t, s, "rollback to savepoint sp", "")
	}
	wantCodeSp("insert into parent values (5, 'dup')", "23505")
	wantCodeSp("insert into parent values (1000000, 'n6')", "23505")
	wantCodeSp("insert into child values (1, 150)", "23503")
	runWant(t, s, "insert into child values (1, 20000), (2, 150000 / 10)", "")
	runWant(t, s, "insert into parent values (7, 'x'), (150, 'back') on conflict (id) do nothing", "")
	runWant(t, s, "insert into parent values (8, 'x') on conflict (id) do update set name = 'upserted'", "")
	runWant(t, s, "select id, name from parent where id in (7, 8, 150) order by id", "7|n7\n8|upserted\n150|back")
	// A savepoint rolled back over more spilled writes.
	runWant(t, s, "savepoint big", "")
	if _, err := copyFrom(context.Background(), t, s, "copy parent from stdin", &genRowsFrom{genRows: genRows{n: 20_000, pad: "q"}, base: 100_000}); err != nil {
		t.Fatal(err)
	}
	runWant(t, s, "select count(*) from parent", "49901")
	runWant(t, s, "rollback to savepoint big", "")
	runWant(t, s, "select count(*) from parent", "29901")

	// The other session sees nothing of it and is not held up.
	done := make(chan error, 1)
	go func() {
		rows, err := run(t, other, "select count(*) from parent")
		if err == nil && rows[0][0] != "0" {
			err = fmt.Errorf("other session sees %s rows", rows[0][0])
		}
		if err == nil {
			_, err = run(t, other, "insert into side values (1)")
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("another session waited for the open transaction")
	}
	runWant(t, s, "commit", "")
	runWant(t, other, "select count(*), sum(id) from parent", "29901|450000200")
	runWant(t, other, "select name from parent where id = 30000", "changed30000")
	runWant(t, other, "select count(*) from child", "2")
}

// genRowsFrom numbers its rows from base+1.
type genRowsFrom struct {
	genRows
	base int
}

func (g *genRowsFrom) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i < g.n {
		g.i++
		g.buf = fmt.Appendf(g.buf, "%d\t%s%d\n", g.base+g.i, g.pad, g.i)
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// ROLLBACK of a spilled COPY leaves nothing, and a cancelled one too.
func TestCopySpilledRollback(t *testing.T) {
	_, s := newSpillingSession(t, t.TempDir(), 256<<10)
	if _, err := run(t, s, "create table big (a int primary key, b text)"); err != nil {
		t.Fatal(err)
	}
	runWant(t, s, "begin", "")
	if _, err := copyFrom(context.Background(), t, s, "copy big from stdin", &genRows{n: 20_000, pad: "x"}); err != nil {
		t.Fatal(err)
	}
	if n := s.txn.Stats().SpilledWrites; n == 0 {
		t.Fatal("the COPY did not spill")
	}
	runWant(t, s, "rollback", "")
	runWant(t, s, "select count(*) from big", "0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &genRows{n: 100_000, pad: "x", at: func(i int) {
		if i == 50_000 {
			cancel()
		}
	}}
	if _, err := copyFrom(ctx, t, s, "copy big from stdin", src); sqlState(err) != "57014" {
		t.Fatalf("cancelled COPY: %v", err)
	}
	if src.i > 50_000+10_000 {
		t.Fatalf("the cancelled COPY read on to row %d", src.i)
	}
	runWant(t, s, "select count(*) from big", "0")
}

// heapPeak samples the Go heap until stop is closed and returns the
// largest heap object bytes seen (garbage included) and the largest live
// heap a collection found.
func heapPeak(stop <-chan struct{}) <-chan [2]uint64 {
	out := make(chan [2]uint64, 1)
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
		var peak [2]uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak[0] = max(peak[0], sample[0].Value.Uint64())
			peak[1] = max(peak[1], sample[1].Value.Uint64())
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// copyRows streams n rows "i\ti*7\tname-i<pad>".
type copyRows struct {
	n, i int
	pad  string
	buf  []byte
	read atomic.Int64
}

func (g *copyRows) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i < g.n {
		g.i++
		g.buf = fmt.Appendf(g.buf, "%d\t%d\tname-%08d%s\n", g.i, g.i*7%100003, g.i, g.pad)
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	g.read.Add(int64(n))
	return n, nil
}

// BenchmarkCopyMillionRows COPYs 1,000,000 rows into a durable store on
// disk in one statement, with the default spill threshold, a 32 MB one
// (so that narrow rows spill too) and with spilling off, and reports the peak Go heap (heap objects sampled every
// 2 ms, and the live heap after collections) next to the input size and
// rows/s. Narrow rows are about 27 bytes of text; wide ones 227.
//
//	go test ./executor -run '^$' -bench CopyMillionRows -benchtime 1x
func BenchmarkCopyMillionRows(b *testing.B) {
	const n = 1_000_000
	for _, width := range []struct {
		name string
		pad  string
	}{{"narrow", ""}, {"wide", strings.Repeat("w", 200)}} {
		for _, c := range []struct {
			name  string
			spill int64
		}{{"spill=default", 0}, {"spill=32MB", 32 << 20}, {"spill=64MB", 64 << 20}, {"spill=off", -1}} {
			b.Run(width.name+"/"+c.name, func(b *testing.B) {
				for range b.N {
					copyMillion(b, n, width.pad, c.spill)
				}
			})
		}
	}
}

func copyMillion(b *testing.B, n int, pad string, spill int64) {
	b.StopTimer()
	store, err := storage.Open(storage.Options{Dir: b.TempDir(), SpillBytes: spill})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	s, err := NewEngine(store).NewSession(context.Background(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := run(b, s, "create table c (id int primary key, v int, s text)"); err != nil {
		b.Fatal(err)
	}
	st, err := s.Parse("copy c from stdin")
	if err != nil {
		b.Fatal(err)
	}
	p, err := s.Prepare(context.Background(), st[0], nil)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	stop := make(chan struct{})
	peak := heapPeak(stop)
	src := &copyRows{n: n, pad: pad}
	start := time.Now()
	b.StartTimer()
	tag, err := s.CopyIn(context.Background(), p, func(int, bool) error { return nil }, src)
	b.StopTimer()
	elapsed := time.Since(start)
	close(stop)
	if err != nil || tag != fmt.Sprintf("COPY %d", n) {
		b.Fatalf("COPY: %q %v", tag, err)
	}
	pk := <-peak
	b.ReportMetric(float64(pk[0])/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(pk[1])/(1<<20), "peak-live-MB")
	b.ReportMetric(float64(src.read.Load())/(1<<20), "input-MB")
	b.ReportMetric(float64(n)/elapsed.Seconds(), "rows/s")
	b.StartTimer()
}

// BenchmarkInsertMillionRows is BenchmarkCopyMillionRows's yardstick: the
// same 1,000,000 narrow rows into the same durable store as 1,000-row
// INSERT statements, each its own transaction, which a COPY should match.
//
//	go test ./executor -run '^$' -bench InsertMillionRows -benchtime 1x
func BenchmarkInsertMillionRows(b *testing.B) {
	const n, batch = 1_000_000, 1000
	for range b.N {
		b.StopTimer()
		store, err := storage.Open(storage.Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		s, err := NewEngine(store).NewSession(context.Background(), SessionOptions{User: "postgres", Database: "postgres"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := run(b, s, "create table c (id int primary key, v int, s text)"); err != nil {
			b.Fatal(err)
		}
		stmts := make([]string, 0, n/batch)
		for i := 1; i <= n; i += batch {
			var sb strings.Builder
			sb.WriteString("insert into c values ")
			for j := i; j < i+batch; j++ {
				if j > i {
					sb.WriteByte(',')
				}
				fmt.Fprintf(&sb, "(%d,%d,'name-%08d')", j, j*7%100003, j)
			}
			stmts = append(stmts, sb.String())
		}
		start := time.Now()
		b.StartTimer()
		for _, sql := range stmts {
			if _, err := run(b, s, sql); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
		s.Close()
		store.Close()
		b.StartTimer()
	}
}
