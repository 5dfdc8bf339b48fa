//go:build unix

package server

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// compatTimeout bounds the whole client-compatibility run. Installed
// clients are reused between runs (run.sh keeps them in COMPAT_WORKDIR),
// so a warm run takes about a minute; a first run also installs them.
const compatTimeout = 6 * time.Minute

// The superuser the compat run logs in as, with SCRAM-SHA-256.
const (
	compatUser     = "postgres"
	compatPassword = "compat-Secret-1"
)

// repoRoot finds the module root (the directory holding go.mod) above the
// test's working directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// TestCompat runs the real-client harness (../shared/compat/run.sh: psql,
// pgbench, pgx, lib/pq, psycopg2, node-postgres, pgvector) against an
// in-process server with SCRAM-SHA-256 authentication and TLS offered, streaming
// its output to the test log. Every check must pass or skip.
func TestCompat(t *testing.T) {
	if testing.Short() {
		t.Skip("client compatibility run skipped in -short mode")
	}
	script := filepath.Join(repoRoot(t), "..", "shared", "compat", "run.sh")
	if _, err := os.Stat(script); err != nil {
		t.Skipf("compat harness not found at %s (needs ../shared next to the repository)", script)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	// With TLS offered, the clients that default to sslmode=prefer (psql,
	// pgbench, pgx, psycopg2) encrypt while lib/pq (sslmode=disable) and
	// node-postgres stay plaintext: one run covers both paths.
	tlsConf, err := SelfSignedTLSConfig("")
	if err != nil {
		t.Fatal(err)
	}
	// SCRAM-SHA-256 with a superuser password, as a deployment runs: every
	// client logs in with SCRAM, and pgx.auth_failure sees 28P01 for a
	// wrong password (it skips under trust).
	srv, addr := startRealServerWith(t, Config{TLS: tlsConf, Auth: AuthSCRAM})
	if err := srv.cfg.Engine.EnsureSuperuser(context.Background(), compatUser, compatPassword); err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	logDir := os.Getenv("COMPAT_LOGDIR")
	if logDir == "" {
		logDir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), compatTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, script, host, port, compatUser, compatPassword, "postgres")
	cmd.Env = append(os.Environ(), "COMPAT_LOGDIR="+logDir)
	// The harness starts clients of its own: a timeout kills them all.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", script, err)
	}
	var fails []string
	summary := ""
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		t.Log(line)
		switch {
		case strings.HasPrefix(line, "FAIL "):
			fails = append(fails, line)
		case strings.Contains(line, " passed, "):
			summary = line
		}
	}
	err = cmd.Wait()
	t.Logf("compat run took %s; per-check logs in %s", time.Since(start).Round(time.Second), logDir)
	if ctx.Err() != nil {
		t.Fatalf("compat run did not finish within %s", compatTimeout)
	}
	for _, f := range fails {
		name, _, _ := strings.Cut(strings.TrimPrefix(f, "FAIL "), ":")
		if log, rerr := os.ReadFile(filepath.Join(logDir, name+".log")); rerr == nil {
			t.Logf("--- %s.log (last 2000 bytes):\n%s", name, tail(log, 2000))
		}
	}
	if len(fails) > 0 {
		t.Fatalf("%d compat checks failed:\n%s", len(fails), strings.Join(fails, "\n"))
	}
	if err != nil {
		t.Fatalf("run.sh: %v (summary %q)", err, summary)
	}
	if summary == "" {
		t.Fatal("run.sh printed no summary line")
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
