package logictest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestEnumPgx drives an enum column with pgx in the binary (extended
// protocol) and text (simple protocol) formats: without registering the
// type, pgx treats its unknown OID as text; after LoadType, which reads
// pg_type and pg_enum, it decodes the enum and its array type itself.
func TestEnumPgx(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := freshPgx(ctx, t, "enum_pgx")
	for _, q := range []string{
		`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
		`CREATE TABLE d (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'ok', ms mood[])`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	id := 0
	check := func(t *testing.T, mode pgx.QueryExecMode) {
		id++
		if _, err := conn.Exec(ctx, "INSERT INTO d (id, m) VALUES ($1, $2)", mode, id, "happy"); err != nil {
			t.Fatalf("insert: %v", err)
		}
		var m string
		if err := conn.QueryRow(ctx, "SELECT m FROM d WHERE id = $1 AND m = $2", mode, id, "happy").Scan(&m); err != nil {
			t.Fatalf("select: %v", err)
		}
		if m != "happy" {
			t.Errorf("got %q, want happy", m)
		}
		var first string
		if err := conn.QueryRow(ctx, "SELECT enum_first(NULL::mood)", mode).Scan(&first); err != nil || first != "sad" {
			t.Errorf("enum_first: %q, %v", first, err)
		}
		_, err := conn.Exec(ctx, "INSERT INTO d (id, m) VALUES ($1, $2)", mode, 1000+id, "meh")
		if err == nil || !strings.Contains(err.Error(), `invalid input value for enum mood: "meh" (SQLSTATE 22P02)`) {
			t.Errorf("bad label: err = %v", err)
		}
	}
	for _, m := range pgxModes() {
		t.Run(m.name, func(t *testing.T) { check(t, m.mode) })
	}

	// A statement pgx prepared and cached before ALTER TYPE reads the new
	// label in its parameters.
	if _, err := conn.Exec(ctx, "ALTER TYPE mood ADD VALUE 'ecstatic'"); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := conn.QueryRow(ctx, "SELECT m FROM d WHERE id = $1 AND m = $2", pgx.QueryExecModeCacheStatement, 1, "happy").Scan(&got); err != nil {
		t.Fatalf("cached statement before ADD VALUE's label: %v", err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO d (id, m) VALUES ($1, $2)", pgx.QueryExecModeCacheStatement, 500, "ecstatic"); err != nil {
		t.Fatalf("cached INSERT with a label added after it was prepared: %v", err)
	}

	// Registered: pgx reads the labels from the catalog.
	for _, name := range []string{"mood", "_mood"} {
		typ, err := conn.LoadType(ctx, name)
		if err != nil {
			t.Fatalf("LoadType(%s): %v", name, err)
		}
		conn.TypeMap().RegisterType(typ)
	}
	for _, m := range pgxModes() {
		t.Run("registered/"+m.name, func(t *testing.T) {
			id++
			if _, err := conn.Exec(ctx, "INSERT INTO d VALUES ($1, $2, $3)", m.mode, id, "sad", []string{"ok", "sad"}); err != nil {
				t.Fatalf("insert: %v", err)
			}
			var got string
			var arr []string
			if err := conn.QueryRow(ctx, "SELECT m, ms FROM d WHERE id = $1", m.mode, id).Scan(&got, &arr); err != nil {
				t.Fatalf("select: %v", err)
			}
			if got != "sad" || !slices.Equal(arr, []string{"ok", "sad"}) {
				t.Errorf("got %q %v", got, arr)
			}
			rows, err := conn.Query(ctx, "SELECT m FROM d ORDER BY m, id", m.mode)
			if err != nil {
				t.Fatal(err)
			}
			order, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.IsSortedFunc(order, func(a, b string) int {
				rank := map[string]int{"sad": 0, "ok": 1, "happy": 2, "ecstatic": 3}
				return rank[a] - rank[b]
			}) {
				t.Errorf("ORDER BY m gave %v", order)
			}
		})
	}
}
