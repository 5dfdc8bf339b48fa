package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestRunRefusesTrustOffLoopback(t *testing.T) {
	for _, listen := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		var out strings.Builder
		if code := run([]string{"--in-memory", "--listen", listen}, &out); code != 1 {
			t.Errorf("--listen %s with trust: exit status %d, want 1", listen, code)
		}
		if !strings.Contains(out.String(), "refusing to start: --auth trust on "+listen) || !strings.Contains(out.String(), "--insecure") {
			t.Errorf("--listen %s printed %q", listen, out.String())
		}
	}
	var out strings.Builder
	if code := run([]string{"--in-memory", "--auth", "kerberos"}, &out); code != 2 || !strings.Contains(out.String(), `unknown authentication method "kerberos"`) {
		t.Errorf("--auth kerberos: %d, %q", code, out.String())
	}
}

// --insecure allows trust anywhere; a password method needs no flag.
func TestRunInsecureAndSCRAMOffLoopback(t *testing.T) {
	_, done := startRun(t, "--in-memory", "--listen", "0.0.0.0:0", "--insecure")
	stopRun(t, done)
	_, done = startRun(t, "--in-memory", "--listen", "0.0.0.0:0", "--auth", "scram-sha-256")
	stopRun(t, done)
}

// The initial superuser gets its name from --superuser and its password
// from QUIVER_PASSWORD, and with scram-sha-256 only that password works.
func TestRunSuperuserPassword(t *testing.T) {
	t.Setenv("QUIVER_PASSWORD", "s3cret")
	dir := t.TempDir()
	// startRun listens on 127.0.0.1:0; a later --listen overrides it.
	addr, done := startRun(t, "--data-dir", dir, "--no-sync", "--auth", "scram-sha-256", "--superuser", "admin")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://admin:s3cret@"+addr+"/postgres?sslmode=disable")
	if err != nil {
		t.Fatalf("connect as admin: %v", err)
	}
	var name string
	var super bool
	var oid uint32
	if err := conn.QueryRow(ctx, "select rolname, rolsuper, oid from pg_roles where rolname = current_user").Scan(&name, &super, &oid); err != nil {
		t.Fatal(err)
	}
	// A fresh store's bootstrap superuser is admin itself (OID 10), as
	// initdb -U admin makes it.
	if name != "admin" || !super || oid != 10 {
		t.Errorf("current role = %s super=%v oid=%d", name, super, oid)
	}
	var n int
	if err := conn.QueryRow(ctx, "select count(*) from pg_roles where rolname = 'postgres'").Scan(&n); err != nil || n != 0 {
		t.Errorf("postgres role count = %d, %v", n, err)
	}
	conn.Close(ctx)
	_, err = pgx.Connect(ctx, "postgres://admin:wrong@"+addr+"/postgres?sslmode=disable")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "28P01" {
		t.Errorf("wrong password: %v", err)
	}
	stopRun(t, done)

	// A restart with another QUIVER_PASSWORD changes it.
	t.Setenv("QUIVER_PASSWORD", "n3w")
	addr, done = startRun(t, "--data-dir", dir, "--no-sync", "--auth", "scram-sha-256", "--superuser", "admin")
	if _, err := pgx.Connect(ctx, "postgres://admin:s3cret@"+addr+"/postgres?sslmode=disable"); !errors.As(err, &pe) || pe.Code != "28P01" {
		t.Errorf("old password after restart: %v", err)
	}
	conn, err = pgx.Connect(ctx, "postgres://admin:n3w@"+addr+"/postgres?sslmode=disable")
	if err != nil {
		t.Fatalf("new password after restart: %v", err)
	}
	conn.Close(ctx)
	stopRun(t, done)
}
