package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestRunRejectsBadTLSFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", "c.pem"}, "--tls-cert and --tls-key must be given together"},
		{[]string{"--tls-self-signed", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, "cannot be combined"},
		{[]string{"--tls-required"}, "--tls-required needs"},
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
	var out strings.Builder
	missing := filepath.Join(t.TempDir(), "missing.pem")
	if code := run([]string{"--in-memory", "--listen", "127.0.0.1:0", "--tls-cert", missing, "--tls-key", missing}, &out); code != 1 ||
		!strings.Contains(out.String(), "loading TLS certificate") {
		t.Errorf("missing certificate: status %d, printed %q", code, out.String())
	}
}

// TestRunSelfSignedTLS checks that --tls-self-signed keeps its certificate
// in the data directory (clients verify against server.crt across a
// restart) and that --tls-required refuses plaintext.
func TestRunSelfSignedTLS(t *testing.T) {
	dir := t.TempDir()
	crt := filepath.Join(dir, "server.crt")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var first []byte
	for round := range 2 {
		addr, done := startRun(t, "--data-dir", dir, "--no-sync", "--tls-self-signed", "--tls-required")
		pem, err := os.ReadFile(crt)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if round == 0 {
			first = pem
		} else if !bytes.Equal(first, pem) {
			t.Error("restart replaced the self-signed certificate")
		}
		conn, err := pgx.Connect(ctx, "postgres://postgres@"+addr+"/postgres?sslmode=verify-full&sslrootcert="+crt)
		if err != nil {
			t.Fatalf("round %d: verify-full against server.crt: %v", round, err)
		}
		if err := conn.Ping(ctx); err != nil {
			t.Errorf("round %d: ping: %v", round, err)
		}
		_ = conn.Close(ctx)
		_, err = pgx.Connect(ctx, "postgres://postgres@"+addr+"/postgres?sslmode=disable")
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "28000" {
			t.Errorf("round %d: plaintext: %v, want 28000", round, err)
		}
		stopRun(t, done)
	}

	// --in-memory generates a certificate without writing one anywhere.
	addr, done := startRun(t, "--in-memory", "--tls-self-signed")
	conn, err := pgx.Connect(ctx, "postgres://postgres@"+addr+"/postgres?sslmode=require")
	if err != nil {
		t.Fatalf("in-memory, sslmode=require: %v", err)
	}
	_ = conn.Close(ctx)
	stopRun(t, done)
}
