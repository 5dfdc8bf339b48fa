package server

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestPgxDriver drives the server with the real pgx driver: TLS refused
// and plaintext fallback, the extended protocol, error fields and a
// context cancellation that reaches the running statement.
func TestPgxDriver(t *testing.T) {
	_, eng, addr := startServer(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://alice@"+addr+"/shop?sslmode=prefer&application_name=pgxtest")
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())

	for name, want := range map[string]string{
		"server_version": "15.0 (Quiver 0.1.0)", "application_name": "pgxtest",
		"standard_conforming_strings": "on", "client_encoding": "UTF8",
	} {
		if got := conn.PgConn().ParameterStatus(name); got != want {
			t.Errorf("ParameterStatus(%s) = %q, want %q", name, got, want)
		}
	}

	var s *string
	if err := conn.QueryRow(ctx, "select null").Scan(&s); err != nil || s != nil {
		t.Errorf("select null: %v, %v; want nil string", s, err)
	}

	tag, err := conn.Exec(ctx, "begin")
	if err != nil || tag.String() != "BEGIN" {
		t.Errorf("begin: %q, %v", tag, err)
	}
	if got := conn.PgConn().TxStatus(); got != 'T' {
		t.Errorf("status after begin = %c, want T", got)
	}
	if _, err := conn.Exec(ctx, "commit"); err != nil {
		t.Errorf("commit: %v", err)
	}

	_, err = conn.Exec(ctx, "missing")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42P01" || pgErr.Position != 15 || pgErr.TableName != "nope" {
		t.Errorf("missing table: %v, want 42P01 at 15 on table nope", err)
	}

	eng.takeEvents()
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	_, err = conn.Exec(short, "sleep")
	cancelShort()
	if err == nil {
		t.Fatal("sleep returned no error after its context expired")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ev := eng.takeEvents()
		if len(ev) > 0 && ev[len(ev)-1] == "sleep cancelled" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the statement was not cancelled on the server (events %v)", ev)
		}
		time.Sleep(10 * time.Millisecond)
	}

	if !typesReady || !binaryReady || !inputReady {
		t.Log("sql/types formats not implemented yet; skipping value round trips")
		return
	}
	// pgx may have closed the connection after the cancelled query.
	conn2, err := pgx.Connect(ctx, "postgres://alice@"+addr+"/shop?sslmode=disable")
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn2.Close(context.Background())
	var n int32
	if err := conn2.QueryRow(ctx, "select 1").Scan(&n); err != nil || n != 1 {
		t.Errorf("select 1: %d, %v", n, err)
	}
	var a, b int32
	if err := conn2.QueryRow(ctx, "echo $1 $2", 41, 42).Scan(&a, &b); err != nil || a != 41 || b != 42 {
		t.Errorf("echo: %d %d, %v", a, b, err)
	}
	var text string
	if err := conn2.QueryRow(ctx, "select two", pgx.QueryExecModeSimpleProtocol).Scan(&n, &text); err != nil || n != 1 || text != "x" {
		t.Errorf("select two (simple protocol): %d %q, %v", n, text, err)
	}
}
