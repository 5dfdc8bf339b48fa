package logictest

import (
	"context"
	"errors"
	"fmt"
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

// twoSessions is two simple-protocol sessions on a fresh database, for
// tests of what concurrent transactions see.
type twoSessions struct {
	t    *testing.T
	ctx  context.Context
	a, b *Conn
	dsn  string
	// target is "quiver" or "postgres", for the few answers that differ.
	target string
}

func newTwoSessions(t *testing.T, db string) *twoSessions {
	srv := startLogicServer(t)
	dsn := freshDatabase(t, srv.adminDSN, db)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return &twoSessions{t: t, ctx: ctx, a: sessionConn(t, dsn), b: sessionConn(t, dsn), dsn: dsn, target: srv.target}
}

func sessionConn(t *testing.T, dsn string) *Conn { return &Conn{PG: connect(t, dsn), Simple: true} }

// another opens one more session on the database.
func (x *twoSessions) another() *Conn { return sessionConn(x.t, x.dsn) }

// start runs sql on c in the background; the channel reports its result.
func (x *twoSessions) start(c *Conn, sql string) <-chan Result {
	done := make(chan Result, 1)
	go func() { done <- c.Run(x.ctx, sql) }()
	return done
}

// waits checks that a statement start began has not ended after a while:
// it waits for a lock another transaction holds.
func (x *twoSessions) waits(done <-chan Result, what string) {
	x.t.Helper()
	select {
	case res := <-done:
		x.t.Fatalf("%s did not wait: %+v", what, res)
	case <-time.After(300 * time.Millisecond):
	}
}

// must runs sql on c and fails the test on an error.
func (x *twoSessions) must(c *Conn, sql string) Result {
	x.t.Helper()
	res := c.Run(x.ctx, sql)
	if res.Err != nil {
		x.t.Fatalf("%s: %v", sql, res.Err)
	}
	return res
}

// value runs a query of one row on c and returns it formatted.
func (x *twoSessions) value(c *Conn, sql string) string {
	x.t.Helper()
	rows := FormatRows(x.must(c, sql).Rows, SortNone)
	if len(rows) != 1 {
		x.t.Fatalf("%s: %d rows", sql, len(rows))
	}
	return rows[0]
}

// TestSnapshotAndConflict checks REPEATABLE READ: snapshot reads inside a
// transaction, and two transactions writing the same row cannot both
// commit: the loser gets 40001 at its UPDATE.
func TestSnapshotAndConflict(t *testing.T) {
	x := newTwoSessions(t, "conflict_test")
	a, b, must, value := x.a, x.b, x.must, x.value
	run := func(c *Conn, sql string) Result { return c.Run(x.ctx, sql) }
	begin := "BEGIN ISOLATION LEVEL REPEATABLE READ"
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

// TestReadCommitted checks PostgreSQL's default level: each statement
// sees the commits before it, and a change to a row another open
// transaction changed waits for that transaction and then applies to the
// row's newest version (or skips the row if it no longer qualifies)
// instead of failing. Two transactions that wait for each other's rows
// end in one 40P01.
func TestReadCommitted(t *testing.T) {
	x := newTwoSessions(t, "read_committed_test")
	ctx, a, b, must, value := x.ctx, x.a, x.b, x.must, x.value
	inBackground, waiting := x.start, x.waits
	must(a, "CREATE TABLE acct (id int PRIMARY KEY, bal int)")
	must(a, "INSERT INTO acct VALUES (1, 100), (2, 100)")

	// Each statement reads a snapshot of its own.
	must(a, "BEGIN")
	if got := value(a, "SELECT sum(bal) FROM acct"); got != "200" {
		t.Fatalf("sum = %s", got)
	}
	must(b, "INSERT INTO acct VALUES (3, 50)")
	if got := value(a, "SELECT sum(bal) FROM acct"); got != "250" {
		t.Errorf("second statement's sum = %s after another session's commit, want 250", got)
	}
	must(a, "COMMIT")

	// A statement of its own waits, then works on the committed version.
	must(a, "BEGIN")
	must(a, "UPDATE acct SET bal = bal + 1 WHERE id = 1")
	done := inBackground(b, "UPDATE acct SET bal = bal * 2 WHERE id = 1")
	waiting(done, "UPDATE of a row another transaction changed")
	must(a, "COMMIT")
	if res := <-done; res.Err != nil || res.Affected != 1 {
		t.Fatalf("waiting UPDATE: %d rows, %v", res.Affected, res.Err)
	}
	if got := value(a, "SELECT bal FROM acct WHERE id = 1"); got != "202" {
		t.Errorf("bal = %s, want (100 + 1) * 2 = 202", got)
	}

	// In a block too, and a row that stops qualifying is skipped.
	must(a, "BEGIN")
	must(a, "UPDATE acct SET bal = 0 WHERE id = 2")
	must(b, "BEGIN")
	done = inBackground(b, "DELETE FROM acct WHERE id = 2 AND bal > 50")
	waiting(done, "DELETE of a row another transaction changed")
	must(a, "COMMIT")
	if res := <-done; res.Err != nil || res.Affected != 0 {
		t.Fatalf("waiting DELETE: %d rows, %v; want 0 rows (bal is 0 now)", res.Affected, res.Err)
	}
	must(b, "UPDATE acct SET bal = bal + 5 WHERE id = 2")
	must(b, "COMMIT")
	if got := value(a, "SELECT bal FROM acct WHERE id = 2"); got != "5" {
		t.Errorf("bal = %s, want 5", got)
	}

	// A rolled-back writer lets the waiter go on.
	must(a, "BEGIN")
	must(a, "UPDATE acct SET bal = -1 WHERE id = 3")
	done = inBackground(b, "UPDATE acct SET bal = bal + 1 WHERE id = 3")
	waiting(done, "UPDATE of a row another transaction changed")
	must(a, "ROLLBACK")
	if res := <-done; res.Err != nil || res.Affected != 1 {
		t.Fatalf("UPDATE after the other writer rolled back: %d rows, %v", res.Affected, res.Err)
	}
	if got := value(a, "SELECT bal FROM acct WHERE id = 3"); got != "51" {
		t.Errorf("bal = %s, want 51", got)
	}

	// Each waits for a row the other changed: one of them is told.
	must(a, "BEGIN")
	must(b, "BEGIN")
	must(a, "UPDATE acct SET bal = bal + 1 WHERE id = 1")
	must(b, "UPDATE acct SET bal = bal + 1 WHERE id = 2")
	doneA := inBackground(a, "UPDATE acct SET bal = bal + 1 WHERE id = 2")
	waiting(doneA, "UPDATE of a row another transaction changed")
	resB := b.Run(ctx, "UPDATE acct SET bal = bal + 1 WHERE id = 1")
	var victim, survivor *Conn
	var resA Result
	if resB.Err != nil {
		victim, survivor = b, a
		must(b, "ROLLBACK")
		resA = <-doneA
	} else {
		resA = <-doneA
		victim, survivor = a, b
	}
	bad := resB.Err
	if victim == a {
		bad = resA.Err
	}
	var pgErr *pgconn.PgError
	if !errors.As(bad, &pgErr) || pgErr.Code != "40P01" {
		t.Fatalf("deadlock: %v, want SQLSTATE 40P01", bad)
	}
	if victim == a {
		must(a, "ROLLBACK")
	} else if resA.Err != nil {
		t.Fatalf("the survivor's UPDATE: %v", resA.Err)
	}
	must(survivor, "COMMIT")
	if got := value(a, "SELECT sum(bal) FROM acct"); got != "260" {
		t.Errorf("sum = %s, want 202 + 5 + 51 + 2 (the survivor's two updates)", got)
	}
}

// TestSelectForUpdate checks row locks taken by SELECT ... FOR UPDATE: a
// change of a locked row waits for the locker, SKIP LOCKED passes locked
// rows over (a job queue), NOWAIT fails at once with 55P03, and a row
// that stopped qualifying while the SELECT waited for it is left out.
func TestSelectForUpdate(t *testing.T) {
	x := newTwoSessions(t, "select_for_update_test")
	ctx, a, b, must, value := x.ctx, x.a, x.b, x.must, x.value
	must(a, "CREATE TABLE jobs (id int PRIMARY KEY, status text)")
	must(a, "INSERT INTO jobs SELECT g, 'pending' FROM generate_series(1, 4) g")

	must(a, "BEGIN")
	if got := value(a, "SELECT id FROM jobs WHERE id = 1 FOR UPDATE"); got != "1" {
		t.Fatalf("locked id = %s", got)
	}
	done := x.start(b, "UPDATE jobs SET status = 'stolen' WHERE id = 1")
	x.waits(done, "UPDATE of a row locked FOR UPDATE")
	must(a, "UPDATE jobs SET status = 'running' WHERE id = 1")
	must(a, "COMMIT")
	if res := <-done; res.Err != nil || res.Affected != 1 {
		t.Fatalf("UPDATE after the locker committed: %d rows, %v", res.Affected, res.Err)
	}
	if got := value(a, "SELECT status FROM jobs WHERE id = 1"); got != "stolen" {
		t.Errorf("status = %s, want stolen (the waiting UPDATE ran after the lock's commit)", got)
	}

	// Two workers take different jobs.
	next := "SELECT id FROM jobs WHERE status = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
	must(a, "BEGIN")
	must(b, "BEGIN")
	if got := value(a, next); got != "2" {
		t.Fatalf("first worker took %s, want 2", got)
	}
	if got := value(b, next); got != "3" {
		t.Fatalf("second worker took %s, want 3 (2 is locked)", got)
	}
	res := b.Run(ctx, "SELECT id FROM jobs WHERE id = 2 FOR UPDATE NOWAIT")
	var pgErr *pgconn.PgError
	if !errors.As(res.Err, &pgErr) || pgErr.Code != "55P03" || pgErr.Message != `could not obtain lock on row in relation "jobs"` {
		t.Fatalf("NOWAIT on a locked row: %v, want 55P03", res.Err)
	}
	must(b, "ROLLBACK")
	must(a, "UPDATE jobs SET status = 'done' WHERE id = 2")
	must(a, "COMMIT")

	// The locker changed the row so that it no longer qualifies.
	must(a, "BEGIN")
	must(a, "UPDATE jobs SET status = 'done' WHERE id = 3")
	done = x.start(b, "SELECT id FROM jobs WHERE status = 'pending' AND id = 3 FOR UPDATE")
	x.waits(done, "FOR UPDATE of a row another transaction changed")
	must(a, "COMMIT")
	if res := <-done; res.Err != nil || len(res.Rows) != 0 {
		t.Fatalf("FOR UPDATE after the row stopped qualifying: %d rows, %v; want none", len(res.Rows), res.Err)
	}
}

// TestConcurrentUpsert: two INSERT ... ON CONFLICT DO UPDATE of a key
// that does not exist yet, on the primary key and on a unique secondary
// key: the second waits for the first and then updates its row, as in
// PostgreSQL, instead of inserting a duplicate or failing with 40001.
func TestConcurrentUpsert(t *testing.T) {
	x := newTwoSessions(t, "concurrent_upsert_test")
	a, b, must, value := x.a, x.b, x.must, x.value
	must(a, "CREATE TABLE kv (k text PRIMARY KEY, v int)")
	must(a, "CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE, n int)")
	for _, c := range []struct{ upsert, check, want string }{
		{"INSERT INTO kv VALUES ('k', %d) ON CONFLICT (k) DO UPDATE SET v = kv.v + EXCLUDED.v", "SELECT count(*), sum(v) FROM kv", "1 | 11"},
		{"INSERT INTO users (email, n) VALUES ('a@x', %d) ON CONFLICT (email) DO UPDATE SET n = users.n + EXCLUDED.n", "SELECT count(*), sum(n) FROM users", "1 | 11"},
	} {
		must(a, "BEGIN")
		must(a, fmt.Sprintf(c.upsert, 1))
		done := x.start(b, fmt.Sprintf(c.upsert, 10))
		x.waits(done, fmt.Sprintf("%s: the second upsert of an uncommitted key", c.upsert))
		must(a, "COMMIT")
		if res := <-done; res.Err != nil || res.Affected != 1 {
			t.Fatalf("%s: the waiting upsert: %d rows, %v", c.upsert, res.Affected, res.Err)
		}
		if got := value(a, c.check); got != c.want {
			t.Errorf("%s: %s = %s, want %s", c.upsert, c.check, got, c.want)
		}
	}
}

// TestConcurrentInsertSameKey: an INSERT of a key another open
// transaction inserted waits for it; when that one commits the insert is
// a unique violation (23505), when it rolls back the insert succeeds.
func TestConcurrentInsertSameKey(t *testing.T) {
	x := newTwoSessions(t, "concurrent_insert_test")
	a, b, must, value := x.a, x.b, x.must, x.value
	must(a, "CREATE TABLE u (id int PRIMARY KEY, email text UNIQUE)")
	for _, commit := range []bool{true, false} {
		must(a, "DELETE FROM u")
		must(a, "BEGIN")
		must(a, "INSERT INTO u VALUES (1, 'a@x')")
		done := x.start(b, "INSERT INTO u VALUES (2, 'a@x')")
		x.waits(done, "an insert of a key another open transaction inserted")
		if commit {
			must(a, "COMMIT")
			res := <-done
			var pgErr *pgconn.PgError
			if !errors.As(res.Err, &pgErr) || pgErr.Code != "23505" {
				t.Fatalf("insert after the other committed: %v, want 23505", res.Err)
			}
		} else {
			must(a, "ROLLBACK")
			if res := <-done; res.Err != nil {
				t.Fatalf("insert after the other rolled back: %v", res.Err)
			}
			if got := value(a, "SELECT id FROM u"); got != "2" {
				t.Fatalf("row = %s, want 2", got)
			}
		}
	}
}
