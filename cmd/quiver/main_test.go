package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestRunRejectsBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--log-level", "loud"}, `invalid --log-level "loud"`},
		{[]string{"stray"}, `unexpected argument "stray"`},
		{[]string{"--no-such-flag"}, "flag provided but not defined: -no-such-flag"},
	}
	for _, tc := range tests {
		var out strings.Builder
		if code := run(tc.args, &out); code != 2 {
			t.Errorf("run(%q) = %d, want 2", tc.args, code)
		}
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("run(%q) printed %q, want it to mention %q", tc.args, out.String(), tc.want)
		}
	}
}

// startRun runs the server in-process and returns its address once the
// ready line is logged, plus a channel with its exit status.
func startRun(t *testing.T, args ...string) (string, <-chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(append([]string{"--listen", "127.0.0.1:0", "--log-level", "info"}, args...), pw)
		pw.Close()
		done <- code
	}()
	sc := bufio.NewScanner(pr)
	const ready = "ready to accept connections on "
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, ready); i >= 0 {
			addr := strings.TrimSuffix(line[i+len(ready):], `"`)
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			return addr, done
		}
	}
	t.Fatalf("server exited before its ready line (status %d)", <-done)
	return "", nil
}

// stopRun ends a server started by startRun with SIGTERM and checks it
// exits cleanly.
func stopRun(t *testing.T, done <-chan int) {
	t.Helper()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit status %d after SIGTERM, want 0", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop after SIGTERM")
	}
}

func TestRunServesAndShutsDownOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	addr, done := startRun(t, "--data-dir", dir, "--no-sync")

	// A second server on the same data directory fails clearly.
	var out strings.Builder
	if code := run([]string{"--listen", "127.0.0.1:0", "--data-dir", dir}, &out); code != 1 {
		t.Errorf("second server exit status %d, want 1", code)
	}
	if !strings.Contains(out.String(), "cannot open data directory") {
		t.Errorf("second server printed %q", out.String())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://postgres@"+addr+"/postgres?sslmode=disable")
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	if err := conn.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
	stopRun(t, done)
	if err := conn.Ping(ctx); err == nil {
		t.Error("session still usable after shutdown")
	}
}
