package logictest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// TestPreparedParams drives the extended protocol the way applications do:
// pgx prepares statements with $n parameters, sends them in binary where
// it can, and decodes binary results into Go values.
func TestPreparedParams(t *testing.T) {
	srv := startLogicServer(t)
	dsn := freshDatabase(t, srv.adminDSN, "params_test")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`CREATE TABLE p (id bigint PRIMARY KEY, i int, b boolean, f float8, n numeric(10,2), s text, d date, ts timestamptz)`)
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	day := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	var num pgtype.Numeric
	if err := num.Scan("12.50"); err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 3; id++ {
		exec(`INSERT INTO p VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, int32(id*10), id%2 == 1, float64(id)/4, num, "row", day, when)
	}
	exec(`INSERT INTO p (id, s) VALUES ($1, $2)`, int64(4), nil)

	var (
		i  int32
		b  bool
		f  float64
		n  pgtype.Numeric
		s  string
		d  time.Time
		ts time.Time
	)
	err = conn.QueryRow(ctx, `SELECT i, b, f, n, s, d, ts FROM p WHERE id = $1`, int64(2)).Scan(&i, &b, &f, &n, &s, &d, &ts)
	if err != nil {
		t.Fatal(err)
	}
	nv, err := n.Value()
	if err != nil {
		t.Fatal(err)
	}
	if i != 20 || b || f != 0.5 || nv != "12.50" || s != "row" || !d.Equal(day) || !ts.Equal(when) {
		t.Errorf("row 2 = %v %v %v %v %q %v %v", i, b, f, nv, s, d, ts)
	}

	// The same prepared statement with different parameters.
	if _, err := conn.Prepare(ctx, "by_id", `SELECT s FROM p WHERE id = $1`); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id   int64
		want *string
	}{{1, ptr("row")}, {4, nil}, {3, ptr("row")}}
	for _, c := range cases {
		var got *string
		if err := conn.QueryRow(ctx, "by_id", c.id).Scan(&got); err != nil {
			t.Fatalf("by_id(%d): %v", c.id, err)
		}
		if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
			t.Errorf("by_id(%d) = %v, want %v", c.id, deref(got), deref(c.want))
		}
	}
	var missing string
	if err := conn.QueryRow(ctx, "by_id", int64(99)).Scan(&missing); !errors.Is(err, pgx.ErrNoRows) {
		t.Errorf("by_id(99): %v, want no rows", err)
	}

	// Parameter types inferred from the context they are used in.
	var sum int64
	if err := conn.QueryRow(ctx, `SELECT sum(i) + $1 FROM p WHERE id <= $2`, int64(4), int64(3)).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if sum != 64 {
		t.Errorf("sum = %d, want 64", sum)
	}
	var casted string
	if err := conn.QueryRow(ctx, `SELECT $1::text || '!'`, "hi").Scan(&casted); err != nil || casted != "hi!" {
		t.Errorf("$1::text || '!' = %q, %v", casted, err)
	}

	// An error in the extended protocol carries its SQLSTATE too, and the
	// connection stays usable.
	_, err = conn.Exec(ctx, `INSERT INTO p (id) VALUES ($1)`, int64(1))
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Errorf("duplicate insert: %v, want 23505", err)
	}
	var count int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM p`).Scan(&count); err != nil || count != 4 {
		t.Errorf("count = %d, %v; want 4", count, err)
	}
}

func ptr(s string) *string { return &s }

func deref(s *string) string {
	if s == nil {
		return "NULL"
	}
	return *s
}

// TestSnapshotAndConflict checks snapshot reads inside a transaction and
// that two transactions writing the same row cannot both commit: the loser
// gets 40001. PostgreSQL needs REPEATABLE READ for both; Quiver's
// transactions are snapshots always. PostgreSQL reports the conflict at the
// UPDATE and Quiver may report it at COMMIT; either is accepted.
func TestSnapshotAndConflict(t *testing.T) {
	srv := startLogicServer(t)
	dsn := freshDatabase(t, srv.adminDSN, "conflict_test")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	begin := "BEGIN"
	if srv.target == "postgres" {
		begin = "BEGIN ISOLATION LEVEL REPEATABLE READ"
	}
	a := &Conn{PG: connect(t, dsn), Simple: true}
	b := &Conn{PG: connect(t, dsn), Simple: true}
	run := func(c *Conn, sql string) Result {
		t.Helper()
		return c.Run(ctx, sql)
	}
	must := func(c *Conn, sql string) Result {
		t.Helper()
		res := run(c, sql)
		if res.Err != nil {
			t.Fatalf("%s: %v", sql, res.Err)
		}
		return res
	}
	value := func(c *Conn, sql string) string {
		t.Helper()
		rows := FormatRows(must(c, sql).Rows, SortNone)
		if len(rows) != 1 {
			t.Fatalf("%s: %d rows", sql, len(rows))
		}
		return rows[0]
	}
	must(a, "CREATE TABLE acct (id int PRIMARY KEY, bal int)")
	must(a, "INSERT INTO acct VALUES (1, 100), (2, 100)")

	// Snapshot reads: B's commit is invisible to A's open transaction.
	must(a, begin)
	if got := value(a, "SELECT sum(bal) FROM acct"); got != "200" {
		t.Fatalf("sum = %s", got)
	}
	must(b, "INSERT INTO acct VALUES (3, 50)")
	if got := value(a, "SELECT sum(bal) FROM acct"); got != "200" {
		t.Errorf("inside the transaction, sum = %s after another session's commit, want the snapshot's 200", got)
	}
	must(a, "COMMIT")
	if got := value(a, "SELECT sum(bal) FROM acct"); got != "250" {
		t.Errorf("after COMMIT, sum = %s, want 250", got)
	}

	// Write-write conflict: B commits a change to row 1 after A's snapshot.
	must(a, begin)
	must(a, "SELECT bal FROM acct WHERE id = 1")
	must(b, "UPDATE acct SET bal = bal + 1 WHERE id = 1")
	var conflict error
	if res := run(a, "UPDATE acct SET bal = bal - 10 WHERE id = 1"); res.Err != nil {
		conflict = res.Err
		must(a, "ROLLBACK")
	} else if res := run(a, "COMMIT"); res.Err != nil {
		conflict = res.Err
	}
	var pgErr *pgconn.PgError
	if !errors.As(conflict, &pgErr) || pgErr.Code != "40001" {
		t.Errorf("conflicting update: %v, want SQLSTATE 40001", conflict)
	}
	if got := value(a, "SELECT bal FROM acct WHERE id = 1"); got != "101" {
		t.Errorf("bal = %s, want 101 (only the winner's update)", got)
	}
	if a.PG.TxStatus() != 'I' {
		t.Errorf("session status %q after the conflict, want idle", a.PG.TxStatus())
	}
}
