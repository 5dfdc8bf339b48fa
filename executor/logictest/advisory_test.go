package logictest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// advisorySessions opens n simple-protocol sessions on one fresh
// database, for tests of advisory locks between sessions.
func advisorySessions(t *testing.T, db string, n int) (context.Context, string, []*Conn) {
	srv := startLogicServer(t)
	dsn := freshDatabase(t, srv.adminDSN, db)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	conns := make([]*Conn, n)
	for i := range conns {
		conns[i] = &Conn{PG: connect(t, dsn), Simple: true}
	}
	return ctx, dsn, conns
}

// advisoryRunner has the helpers of the advisory lock tests.
type advisoryRunner struct {
	t   *testing.T
	ctx context.Context
}

func (r advisoryRunner) must(c *Conn, sql string) Result {
	r.t.Helper()
	res := c.Run(r.ctx, sql)
	if res.Err != nil {
		r.t.Fatalf("%s: %v", sql, res.Err)
	}
	return res
}

func (r advisoryRunner) value(c *Conn, sql string) string {
	r.t.Helper()
	rows := FormatRows(r.must(c, sql).Rows, SortNone)
	if len(rows) != 1 {
		r.t.Fatalf("%s: %d rows", sql, len(rows))
	}
	return rows[0]
}

// start runs sql on c in the background.
func (r advisoryRunner) start(c *Conn, sql string) chan Result {
	done := make(chan Result, 1)
	go func() { done <- c.Run(r.ctx, sql) }()
	return done
}

// blocked fails the test if done delivers within a short while.
func (r advisoryRunner) blocked(done chan Result, what string) {
	r.t.Helper()
	select {
	case res := <-done:
		r.t.Fatalf("%s did not wait: %+v", what, res)
	case <-time.After(300 * time.Millisecond):
	}
}

// granted waits for done and fails the test on an error.
func (r advisoryRunner) granted(done chan Result, what string) {
	r.t.Helper()
	select {
	case res := <-done:
		if res.Err != nil {
			r.t.Fatalf("%s: %v", what, res.Err)
		}
	case <-time.After(10 * time.Second):
		r.t.Fatalf("%s still waits", what)
	}
}

// failed waits for done and checks its error.
func (r advisoryRunner) failed(done chan Result, code, msg string) *pgconn.PgError {
	r.t.Helper()
	var res Result
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		r.t.Fatalf("still waiting, want %s", code)
	}
	var pe *pgconn.PgError
	if !errors.As(res.Err, &pe) || pe.Code != code || pe.Message != msg {
		r.t.Fatalf("got %v, want %s %s", res.Err, code, msg)
	}
	return pe
}

// TestAdvisoryLockWaits: a lock another session holds is waited for and
// granted when the holder unlocks, commits (transaction locks) or goes
// away (session end, a dropped connection, pg_terminate_backend); a try
// fails instead of waiting; shared holders keep out an exclusive locker
// only; session locks survive ROLLBACK; databases are separate lock
// spaces.
func TestAdvisoryLockWaits(t *testing.T) {
	ctx, dsn, cs := advisorySessions(t, "advisory_waits_test", 3)
	r := advisoryRunner{t, ctx}
	a, b, c := cs[0], cs[1], cs[2]

	r.must(a, "SELECT pg_advisory_lock(1)")
	if got := r.value(b, "SELECT pg_try_advisory_lock(1)"); got != "f" {
		t.Fatalf("try of a held lock = %s, want f", got)
	}
	done := r.start(b, "SELECT pg_advisory_lock(1)")
	r.blocked(done, "locking a held lock")
	want := fmt.Sprintf("%d | 1 | ExclusiveLock | f | t", b.PG.PID())
	if got := r.value(a, "SELECT pid, objid, mode, granted, waitstart IS NOT NULL FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"); got != want {
		t.Errorf("pg_locks' waiting row = %s, want %s", got, want)
	}
	r.must(a, "SELECT pg_advisory_unlock(1)")
	r.granted(done, "lock after the holder's unlock")

	// Transaction locks end at COMMIT; session locks outlive ROLLBACK.
	r.must(a, "BEGIN")
	r.must(a, "SELECT pg_advisory_xact_lock(2), pg_advisory_lock(3)")
	done = r.start(c, "SELECT pg_advisory_lock(2)")
	r.blocked(done, "locking a transaction lock")
	r.must(a, "ROLLBACK")
	r.granted(done, "lock after the holder's transaction ended")
	if got := r.value(c, "SELECT pg_try_advisory_lock(3)"); got != "f" {
		t.Errorf("try of a session lock taken in a rolled-back transaction = %s, want f", got)
	}
	r.must(a, "SELECT pg_advisory_unlock(3)")

	// Shared holders share; an exclusive locker waits for all of them.
	r.must(a, "SELECT pg_advisory_lock_shared(4)")
	r.must(c, "SELECT pg_advisory_lock_shared(4)")
	done = r.start(b, "SELECT pg_advisory_lock(4)")
	r.blocked(done, "exclusive lock of a shared-held lock")
	r.must(a, "SELECT pg_advisory_unlock_shared(4)")
	r.blocked(done, "exclusive lock while a shared holder remains")
	r.must(c, "SELECT pg_advisory_unlock_shared(4)")
	r.granted(done, "exclusive lock after the shared holders left")
	if got := r.value(a, "SELECT pg_try_advisory_lock_shared(4)"); got != "f" {
		t.Errorf("shared try of an exclusive-held lock = %s, want f", got)
	}

	// The same key in another database is another lock.
	srv := startLogicServer(t)
	other := &Conn{PG: connect(t, freshDatabase(t, srv.adminDSN, "advisory_waits_other")), Simple: true}
	if got := r.value(other, "SELECT pg_try_advisory_lock(4)"); got != "t" {
		t.Errorf("the same key in another database: try = %s, want t", got)
	}

	// A session's locks end with it: closed, dropped or terminated.
	for _, end := range []string{"close", "drop", "terminate"} {
		holder := &Conn{PG: connect(t, dsn), Simple: true}
		r.must(holder, "SELECT pg_advisory_lock(5), pg_advisory_lock_shared(6)")
		done = r.start(a, "SELECT pg_advisory_lock(5)")
		r.blocked(done, "lock held by a session about to "+end)
		switch end {
		case "close":
			_ = holder.PG.Close(ctx)
		case "drop":
			_ = holder.PG.Conn().Close()
		case "terminate":
			pid := holder.PG.PID()
			// With a timeout the call returns once the session has ended.
			r.must(c, fmt.Sprintf("SELECT pg_terminate_backend(%d, 10000)", pid))
		}
		r.granted(done, "lock after its holder's session ended by "+end)
		// A wait, since the ended session may free its locks one by one.
		r.must(a, "SET lock_timeout = '5s'")
		r.must(a, "SELECT pg_advisory_lock(6)")
		r.must(a, "RESET lock_timeout")
		r.must(a, "SELECT pg_advisory_unlock_all()")
	}
}

// TestAdvisoryLockWaitEnds: a wait ends with PostgreSQL's errors on a
// cancel request, pg_cancel_backend, statement_timeout and lock_timeout,
// leaving the session usable and not queued for the lock.
func TestAdvisoryLockWaitEnds(t *testing.T) {
	ctx, _, cs := advisorySessions(t, "advisory_wait_ends_test", 2)
	r := advisoryRunner{t, ctx}
	a, b := cs[0], cs[1]
	r.must(a, "SELECT pg_advisory_lock(7)")
	bPID := b.PG.PID()
	for _, c := range []struct {
		name, setup, code, msg string
		end                    func()
	}{
		{"cancel request", "", "57014", "canceling statement due to user request", func() {
			if err := b.PG.CancelRequest(ctx); err != nil {
				t.Fatal(err)
			}
		}},
		{"pg_cancel_backend", "", "57014", "canceling statement due to user request", func() {
			r.must(a, fmt.Sprintf("SELECT pg_cancel_backend(%d)", bPID))
		}},
		{"statement_timeout", "SET statement_timeout = '400ms'", "57014", "canceling statement due to statement timeout", nil},
		{"lock_timeout", "SET lock_timeout = '400ms'", "55P03", "canceling statement due to lock timeout", nil},
		{"lock_timeout in a transaction lock", "SET lock_timeout = '400ms'", "55P03", "canceling statement due to lock timeout", nil},
	} {
		if c.setup != "" {
			r.must(b, c.setup)
		}
		sql := "SELECT pg_advisory_lock(7)"
		if strings.Contains(c.name, "transaction") {
			r.must(b, "BEGIN")
			sql = "SELECT pg_advisory_xact_lock(7)"
		}
		done := r.start(b, sql)
		if c.end != nil {
			r.blocked(done, c.name)
			c.end()
		}
		r.failed(done, c.code, c.msg)
		if strings.Contains(c.name, "transaction") {
			r.must(b, "ROLLBACK")
		}
		r.must(b, "RESET statement_timeout")
		r.must(b, "RESET lock_timeout")
		if got := r.value(b, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"); got != "0" {
			t.Errorf("after %s the session has %s advisory lock rows, want none", c.name, got)
		}
	}
	r.must(a, "SELECT pg_advisory_unlock(7)")
	if got := r.value(b, "SELECT pg_try_advisory_lock(7)"); got != "t" {
		t.Errorf("try after the holder unlocked = %s", got)
	}
}

// TestAdvisoryDeadlock: two sessions each waiting for the other's lock
// deadlock; the one whose deadlock_timeout passes first fails with 40P01
// and PostgreSQL's DETAIL, and the other gets the lock once it is freed.
func TestAdvisoryDeadlock(t *testing.T) {
	ctx, _, cs := advisorySessions(t, "advisory_deadlock_test", 2)
	r := advisoryRunner{t, ctx}
	a, b := cs[0], cs[1]
	db := r.value(a, "SELECT oid FROM pg_database WHERE datname = current_database()")
	r.must(a, "SET deadlock_timeout = '10s'")
	r.must(b, "SET deadlock_timeout = '100ms'")
	r.must(a, "SELECT pg_advisory_lock(101)")
	r.must(b, "SELECT pg_advisory_lock(1, 102)")
	doneA := r.start(a, "SELECT pg_advisory_lock(1, 102)")
	r.blocked(doneA, "lock held by the other session")
	pe := r.failed(r.start(b, "SELECT pg_advisory_lock(101)"), "40P01", "deadlock detected")
	want := fmt.Sprintf("Process %d waits for ExclusiveLock on advisory lock [%s,0,101,1]; blocked by process %d.\n"+
		"Process %d waits for ExclusiveLock on advisory lock [%s,1,102,2]; blocked by process %d.",
		b.PG.PID(), db, a.PG.PID(), a.PG.PID(), db, b.PG.PID())
	if pe.Detail != want || pe.Hint != "See server log for query details." {
		t.Errorf("deadlock DETAIL = %q, HINT = %q; want %q", pe.Detail, pe.Hint, want)
	}
	r.blocked(doneA, "the surviving waiter while the lock is still held")
	r.must(b, "SELECT pg_advisory_unlock(1, 102)")
	r.granted(doneA, "the surviving waiter's lock")
}

// TestAdvisoryLockParam: golang-migrate's query, a bigint key as a
// parameter of the extended protocol, in text with its type left to the
// server and in binary as int8.
func TestAdvisoryLockParam(t *testing.T) {
	ctx, _, cs := advisorySessions(t, "advisory_param_test", 2)
	r := advisoryRunner{t, ctx}
	a, b := cs[0], cs[1]
	key := int64(-3_000_000_000_123)
	if _, err := a.PG.ExecParams(ctx, "SELECT pg_advisory_lock($1)", [][]byte{[]byte(fmt.Sprint(key))}, nil, nil, nil).Close(); err != nil {
		t.Fatalf("text parameter: %v", err)
	}
	bin := binary.BigEndian.AppendUint64(nil, uint64(key))
	res := b.PG.ExecParams(ctx, "SELECT pg_try_advisory_lock($1)", [][]byte{bin}, []uint32{20}, []int16{1}, nil).Read()
	if res.Err != nil || len(res.Rows) != 1 || string(res.Rows[0][0]) != "f" {
		t.Fatalf("binary try of the held key: %v %q", res.Err, res.Rows)
	}
	want := fmt.Sprintf("%d | %d | 1", uint32(uint64(key)>>32), uint32(key))
	if got := r.value(a, "SELECT classid, objid, objsubid FROM pg_locks WHERE locktype = 'advisory'"); got != want {
		t.Errorf("pg_locks key = %s, want %s", got, want)
	}
	r.must(a, fmt.Sprintf("SELECT pg_advisory_unlock(%d)", key))
}
