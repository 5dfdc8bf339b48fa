package logictest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// repoRoot is the module root relative to this package's directory (go test
// runs in the package directory).
const repoRoot = "../.."

// dsnEnv names an external server to run the logic tests against instead
// of an in-process Quiver (e.g. a PostgreSQL 15 cluster, to validate the
// expected results). The database in the DSN must allow CREATE DATABASE.
const dsnEnv = "QUIVER_LOGIC_DSN"

// targetEnv overrides the target name used by skipif/onlyif when the DSN
// points at something other than PostgreSQL (for example a Quiver binary).
const targetEnv = "QUIVER_LOGIC_TARGET"

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// quiverBinary builds ./cmd/quiver once per test run.
func quiverBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "quiver-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "quiver")
		cmd := exec.Command("go", "build", "-o", buildPath, "./cmd/quiver")
		cmd.Dir = repoRoot
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/quiver: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building the server binary: %v", buildErr)
	}
	return buildPath
}

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatalf("closing probe listener: %v", err)
	}
	return addr
}

// quiverProc is a server running as a child process.
type quiverProc struct {
	cmd  *exec.Cmd
	addr string
	// log collects the child's stdout and stderr.
	log  *lockedBuffer
	done chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	sb strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.String()
}

// startQuiverProc starts the binary with args plus --listen on a free port
// and waits until it accepts connections. The process is killed at cleanup
// if the test did not stop it.
func startQuiverProc(t *testing.T, args ...string) *quiverProc {
	t.Helper()
	p, err := launchQuiverProc(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// launchQuiverProc is startQuiverProc returning the start-up failure (with
// the server's output) instead of failing the test.
func launchQuiverProc(t *testing.T, args ...string) (*quiverProc, error) {
	t.Helper()
	bin := quiverBinary(t)
	addr := freeAddr(t)
	p := &quiverProc{addr: addr, log: &lockedBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, append([]string{"--listen", addr, "--log-level", "info"}, args...)...)
	p.cmd.Stdout = p.log
	p.cmd.Stderr = p.log
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.kill() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			p.done <- err
			return nil, fmt.Errorf("server exited before accepting connections (%v); output:\n%s", err, p.log.String())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return p, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.kill()
	return nil, fmt.Errorf("server did not accept connections on %s within 30s; output:\n%s", addr, p.log.String())
}

func (p *quiverProc) dsn(database string) string {
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", p.addr, database)
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *quiverProc) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	p.wait(10 * time.Second)
}

// stop asks for a graceful shutdown and returns the exit error.
func (p *quiverProc) stop(t *testing.T) error {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("sending SIGTERM: %w", err)
	}
	return p.wait(30 * time.Second)
}

func (p *quiverProc) wait(timeout time.Duration) error {
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(timeout):
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		return fmt.Errorf("server did not exit within %v", timeout)
	}
}

// connect opens a pgconn connection with a bounded handshake.
func connect(t *testing.T, dsn string) *pgconn.PgConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to %s: %v", dsn, err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}
