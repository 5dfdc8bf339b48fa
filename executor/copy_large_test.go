package executor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/storage"
)

// genRows streams n COPY text rows "i\t<filler>" without holding them,
// calling at(i) before row i (1-based) and at(n+1) at the end.
type genRows struct {
	n, i int
	pad  string
	at   func(i int)
	buf  []byte
}

func (g *genRows) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i <= g.n {
		g.i++
		if g.at != nil {
			g.at(g.i)
		}
		if g.i > g.n {
			break
		}
		g.buf = fmt.Appendf(g.buf, "%d\t%s\n", g.i, g.pad)
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func copyFrom(ctx context.Context, t *testing.T, s *Session, sql string, src io.Reader) (string, error) {
	t.Helper()
	st, err := s.Parse(sql)
	if err != nil {
		t.Fatalf("parse %q: %v", sql, err)
	}
	p, err := s.Prepare(ctx, st[0], nil)
	if err != nil {
		t.Fatalf("prepare %q: %v", sql, err)
	}
	return s.CopyIn(ctx, p, func(int, bool) error { return nil }, src)
}

// A COPY cancelled after many rows (more than one storage batch holds)
// leaves no row behind, and the session goes on.
func TestCopyLargeCancelled(t *testing.T) {
	s := newTestSession(t)
	if _, err := run(t, s, "create table big (a int primary key, b text)"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &genRows{n: 200_000, pad: strings.Repeat("x", 40), at: func(i int) {
		if i == 150_000 {
			cancel()
		}
	}}
	_, err := copyFrom(ctx, t, s, "copy big from stdin", src)
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != pgerror.CodeQueryCanceled {
		t.Fatalf("cancelled COPY: %v, want 57014", err)
	}
	if src.i < 150_000 {
		t.Fatalf("COPY stopped reading at row %d, before the cancel", src.i)
	}
	rows, err := run(t, s, "select count(*) from big")
	if err != nil || rows[0][0] != "0" {
		t.Fatalf("rows after a cancelled COPY: %v %v, want 0", rows, err)
	}
	tag, err := copyFrom(context.Background(), t, s, "copy big from stdin", &genRows{n: 3, pad: "y"})
	if err != nil || tag != "COPY 3" {
		t.Fatalf("COPY after the cancelled one: %q %v", tag, err)
	}
}

const (
	copyKillDirEnv   = "QUIVER_COPY_KILL_HELPER_DIR"
	copyKillDelayEnv = "QUIVER_COPY_KILL_HELPER_DELAY"
)

// copyKillRows is more than one storage batch holds (50,000 entries), so
// the commit is a multi-batch one.
const copyKillRows = 120_000

// TestCopyKillHelper is the child of TestCopyLargeKilled: it runs a large
// COPY on disk and SIGKILLs itself shortly after the input ends, while the
// COPY commits.
func TestCopyKillHelper(t *testing.T) {
	dir := os.Getenv(copyKillDirEnv)
	if dir == "" {
		t.Skip("helper process for TestCopyLargeKilled")
	}
	// A small spill threshold: the COPY spills many times before its
	// commit streams the spilled rows out.
	store, err := storage.Open(storage.Options{Dir: dir, SpillBytes: 4 << 20})
	if err != nil {
		os.Exit(2)
	}
	s, err := NewEngine(store).NewSession(context.Background(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		os.Exit(2)
	}
	if _, err := run(t, s, "create table big (a int primary key, b text)"); err != nil {
		os.Exit(2)
	}
	when := os.Getenv(copyKillDelayEnv)
	var delay time.Duration
	if when != "input" {
		if delay, err = time.ParseDuration(when); err != nil {
			os.Exit(2)
		}
	}
	src := &genRows{n: copyKillRows, pad: strings.Repeat("x", 200), at: func(i int) {
		if when == "input" && i == copyKillRows-20_000 {
			// In the middle of the input, after several spills.
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
		if when != "input" && i == copyKillRows+1 {
			go func() {
				time.Sleep(delay)
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}()
		}
	}}
	_, _ = copyFrom(context.Background(), t, s, "copy big from stdin", src)
	// Committed before the kill: wait for it.
	time.Sleep(10 * time.Second)
	os.Exit(3)
}

// A large COPY killed while it commits is, after a restart, either all
// there or not at all. The kill comes at several delays after the input
// ended, to land before, during and after the multi-batch commit, and
// in the middle of the input ("input": nothing may be there).
func TestCopyLargeKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	for _, delay := range []string{"input", "20ms", "150ms", "400ms"} {
		t.Run(delay, func(t *testing.T) { copyKilled(t, delay) })
	}
}

func copyKilled(t *testing.T, delay string) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCopyKillHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), copyKillDirEnv+"="+dir, copyKillDelayEnv+"="+delay)
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper did not die by SIGKILL: %v", err)
	}
	var logBuf bytes.Buffer
	store, err := storage.Open(storage.Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	if err != nil {
		out, _ := exec.Command("ls", "-la", dir).CombinedOutput()
		t.Fatalf("%v\n%s", err, out)
	}
	t.Cleanup(func() { store.Close() })
	// Which case the kill hit depends on timing; both must hold.
	t.Logf("mid-commit rollback at restart: %v", strings.Contains(logBuf.String(), "rolled back a large commit"))
	s, err := NewEngine(store).NewSession(context.Background(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	rows, err := run(t, s, "select count(*), coalesce(min(a), 0), coalesce(max(a), 0) from big")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rows[0], " ")
	all := fmt.Sprintf("%d 1 %d", copyKillRows, copyKillRows)
	if got != "0 0 0" && (got != all || delay == "input") {
		t.Fatalf("after a kill during COPY: count, min, max = %s, want all (%s) or nothing", got, all)
	}
	t.Logf("the killed COPY left: %s", got)
	// The table takes new rows either way.
	if _, err := run(t, s, fmt.Sprintf("insert into big values (%d, 'z')", copyKillRows+1)); err != nil {
		t.Fatal(err)
	}
}
