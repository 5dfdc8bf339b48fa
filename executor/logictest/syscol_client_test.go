package logictest

import (
	"context"
	"testing"
	"time"
)

// TestXminConcurrencyTokenPgx runs the optimistic concurrency pattern of
// Npgsql/EF Core: read a row's xmin (type xid, OID 28, binary uint32 in
// the extended protocol), update WHERE xmin = $n with it, RETURNING the
// new token; a stale token updates nothing. The upsert idiom's
// (xmax = 0) comes back as a boolean.
func TestXminConcurrencyTokenPgx(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := freshPgx(ctx, t, "xmin_pgx")
	if _, err := conn.Exec(ctx, "CREATE TABLE acct (id int PRIMARY KEY, balance int)"); err != nil {
		t.Fatal(err)
	}
	for i, m := range pgxModes() {
		t.Run(m.name, func(t *testing.T) {
			id := i + 1
			if _, err := conn.Exec(ctx, "INSERT INTO acct VALUES ($1, 100)", m.mode, id); err != nil {
				t.Fatal(err)
			}
			var token uint32
			if err := conn.QueryRow(ctx, "SELECT xmin FROM acct WHERE id = $1", m.mode, id).Scan(&token); err != nil {
				t.Fatal(err)
			}
			var next uint32
			err := conn.QueryRow(ctx, "UPDATE acct SET balance = balance - 10 WHERE id = $1 AND xmin = $2 RETURNING xmin", m.mode, id, token).Scan(&next)
			if err != nil {
				t.Fatalf("update with current token: %v", err)
			}
			if next == token {
				t.Fatalf("xmin %d unchanged by UPDATE", token)
			}
			tag, err := conn.Exec(ctx, "UPDATE acct SET balance = 0 WHERE id = $1 AND xmin = $2", m.mode, id, token)
			if err != nil {
				t.Fatal(err)
			}
			if tag.RowsAffected() != 0 {
				t.Fatalf("stale token updated %d rows", tag.RowsAffected())
			}
			var balance int
			var inserted bool
			if err := conn.QueryRow(ctx, "INSERT INTO acct VALUES ($1, 5) ON CONFLICT (id) DO UPDATE SET balance = acct.balance + excluded.balance RETURNING balance, (xmax = 0) AS inserted", m.mode, id).Scan(&balance, &inserted); err != nil {
				t.Fatal(err)
			}
			if balance != 95 || inserted {
				t.Fatalf("upsert of an existing row: balance %d inserted %v, want 95 false", balance, inserted)
			}
			if err := conn.QueryRow(ctx, "INSERT INTO acct VALUES ($1, 5) ON CONFLICT (id) DO UPDATE SET balance = 0 RETURNING balance, (xmax = 0) AS inserted", m.mode, id+10).Scan(&balance, &inserted); err != nil {
				t.Fatal(err)
			}
			if balance != 5 || !inserted {
				t.Fatalf("upsert of a new row: balance %d inserted %v, want 5 true", balance, inserted)
			}
		})
	}
}
