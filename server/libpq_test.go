package server

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/lib/pq"
)

// TestLibPQ drives the server with lib/pq through database/sql: simple
// queries without arguments, the unnamed extended protocol with them.
func TestLibPQ(t *testing.T) {
	_, _, addr := startServer(t, Config{})
	db, err := sql.Open("postgres", "postgres://alice@"+addr+"/shop?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var s sql.NullString
	if err := db.QueryRowContext(ctx, "select null").Scan(&s); err != nil || s.Valid {
		t.Errorf("select null: %+v, %v; want NULL", s, err)
	}
	_, err = db.ExecContext(ctx, "missing")
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "42P01" || pqErr.Position != "15" || pqErr.Table != "nope" {
		t.Errorf("missing: %v, want 42P01 at 15 on nope", err)
	}
	if !inputReady || !typesReady {
		t.Log("sql/types formats not implemented yet; skipping value round trips")
		return
	}
	rows, err := db.QueryContext(ctx, "gen 3")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil || n != 3 {
		t.Errorf("gen 3: %d rows, %v", n, err)
	}
	var a, b int64
	if err := db.QueryRowContext(ctx, "echo $1 $2", 5, 6).Scan(&a, &b); err != nil || a != 5 || b != 6 {
		t.Errorf("echo: %d %d, %v", a, b, err)
	}
}
