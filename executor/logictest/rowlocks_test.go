package logictest

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// fails checks that res ended with the error of SQLSTATE code and
// message msg ("" for any).
func (x *twoSessions) fails(res Result, what, code, msg string) {
	x.t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(res.Err, &pgErr) || pgErr.Code != code || msg != "" && pgErr.Message != msg {
		x.t.Fatalf("%s: %+v, want %s %s", what, res, code, msg)
	}
}

// TestSelectForShare checks FOR SHARE and FOR KEY SHARE against the
// other row locks, as PostgreSQL's table of row-level lock conflicts has
// them: sharers hold a row together and a writer waits for all of them;
// a sharer waits for a writer and then reads the newest version (READ
// COMMITTED) or fails (REPEATABLE READ); FOR KEY SHARE lets an UPDATE of
// non-key columns through but not a DELETE or a key change; NOWAIT and
// SKIP LOCKED go by the same conflicts; a sharer's upgrade waits for the
// other sharers, and two upgrading sharers deadlock.
func TestSelectForShare(t *testing.T) {
	x := newTwoSessions(t, "select_for_share_test")
	a, b, must, value := x.a, x.b, x.must, x.value
	must(a, "CREATE TABLE acct (id int PRIMARY KEY, email text UNIQUE, bal int)")
	must(a, "INSERT INTO acct VALUES (1, 'a@x', 100), (2, 'b@x', 100), (3, 'c@x', 100)")
	const share1 = "SELECT id FROM acct WHERE id = 1 FOR SHARE"
	const lockNotAvailable = `could not obtain lock on row in relation "acct"`

	// Two sharers at once; a writer waits for both.
	must(a, "BEGIN")
	must(b, "BEGIN")
	if got := value(a, share1); got != "1" {
		t.Fatalf("first sharer: %s", got)
	}
	if got := value(b, share1+" NOWAIT"); got != "1" {
		t.Fatalf("second sharer: %s", got)
	}
	c := x.another()
	done := x.start(c, "UPDATE acct SET bal = bal + 1 WHERE id = 1")
	x.waits(done, "UPDATE of a row two transactions share")
	must(a, "COMMIT")
	x.waits(done, "UPDATE of a row one transaction still shares")
	must(b, "COMMIT")
	if res := <-done; res.Err != nil || res.Affected != 1 {
		t.Fatalf("UPDATE after both sharers committed: %d rows, %v", res.Affected, res.Err)
	}

	// A sharer waits for a writer; READ COMMITTED then locks and returns
	// the version the writer committed.
	must(a, "BEGIN")
	must(a, "UPDATE acct SET bal = 500 WHERE id = 1")
	done = x.start(b, "SELECT id, bal FROM acct WHERE id = 1 FOR SHARE")
	x.waits(done, "FOR SHARE of a row another transaction updated")
	must(a, "COMMIT")
	if res := <-done; res.Err != nil || len(res.Rows) != 1 || FormatRows(res.Rows, SortNone)[0] != "1 | 500" {
		t.Fatalf("FOR SHARE after the writer committed: %+v, want 1 | 500", res)
	}

	// REPEATABLE READ fails instead.
	must(a, "BEGIN")
	must(a, "UPDATE acct SET bal = 600 WHERE id = 1")
	must(b, "BEGIN ISOLATION LEVEL REPEATABLE READ")
	must(b, "SELECT 1")
	done = x.start(b, "SELECT id, bal FROM acct WHERE id = 1 FOR SHARE")
	x.waits(done, "REPEATABLE READ FOR SHARE of a row another transaction updated")
	must(a, "COMMIT")
	x.fails(<-done, "REPEATABLE READ FOR SHARE after the writer committed", "40001", "could not serialize access due to concurrent update")
	must(b, "ROLLBACK")

	// FOR KEY SHARE lets FOR NO KEY UPDATE and an UPDATE of non-key
	// columns through at once.
	must(a, "BEGIN")
	if got := value(a, "SELECT id FROM acct WHERE id = 2 FOR KEY SHARE"); got != "2" {
		t.Fatalf("FOR KEY SHARE: %s", got)
	}
	must(b, "BEGIN")
	if got := value(b, "SELECT id FROM acct WHERE id = 2 FOR NO KEY UPDATE NOWAIT"); got != "2" {
		t.Fatalf("FOR NO KEY UPDATE of a row locked FOR KEY SHARE: %s", got)
	}
	must(b, "UPDATE acct SET bal = 7 WHERE id = 2")
	must(b, "COMMIT")
	// A DELETE waits for it.
	done = x.start(b, "DELETE FROM acct WHERE id = 2")
	x.waits(done, "DELETE of a row locked FOR KEY SHARE")
	must(a, "COMMIT")
	if res := <-done; res.Err != nil || res.Affected != 1 {
		t.Fatalf("DELETE after the key sharer committed: %d rows, %v", res.Affected, res.Err)
	}
	// So does an UPDATE of a key column (email is unique), but not one
	// that sets it to the value it has.
	must(a, "BEGIN")
	must(a, "SELECT id FROM acct WHERE id = 3 FOR KEY SHARE")
	if res := b.Run(x.ctx, "UPDATE acct SET email = 'c@x', bal = 8 WHERE id = 3"); res.Err != nil || res.Affected != 1 {
		t.Fatalf("UPDATE leaving the key as it was: %d rows, %v", res.Affected, res.Err)
	}
	done = x.start(b, "UPDATE acct SET email = 'z@x' WHERE id = 3")
	x.waits(done, "UPDATE of the key of a row locked FOR KEY SHARE")
	must(a, "COMMIT")
	if res := <-done; res.Err != nil || res.Affected != 1 {
		t.Fatalf("key UPDATE after the key sharer committed: %d rows, %v", res.Affected, res.Err)
	}

	// NOWAIT and SKIP LOCKED against shared locks.
	must(a, "BEGIN")
	if res := must(a, "SELECT id FROM acct ORDER BY id FOR SHARE"); len(res.Rows) != 2 {
		t.Fatalf("FOR SHARE of every row: %d rows, want 2", len(res.Rows))
	}
	must(b, "BEGIN")
	if res := must(b, "SELECT id FROM acct ORDER BY id FOR UPDATE SKIP LOCKED"); len(res.Rows) != 0 {
		t.Fatalf("FOR UPDATE SKIP LOCKED of shared rows: %d rows, want none", len(res.Rows))
	}
	if got := FormatRows(must(b, "SELECT id FROM acct ORDER BY id FOR KEY SHARE SKIP LOCKED").Rows, SortNone); len(got) != 2 || got[0] != "1" || got[1] != "3" {
		t.Fatalf("FOR KEY SHARE SKIP LOCKED of shared rows: %v, want 1 and 3", got)
	}
	x.fails(b.Run(x.ctx, "SELECT id FROM acct WHERE id = 1 FOR NO KEY UPDATE NOWAIT"), "FOR NO KEY UPDATE NOWAIT of a shared row", "55P03", lockNotAvailable)
	must(b, "ROLLBACK")
	must(a, "COMMIT")

	// A sharer alone upgrades at once, and then holds FOR UPDATE.
	must(a, "BEGIN")
	must(a, share1)
	if got := value(a, "SELECT id FROM acct WHERE id = 1 FOR UPDATE NOWAIT"); got != "1" {
		t.Fatalf("upgrade of a row shared alone: %s", got)
	}
	x.fails(b.Run(x.ctx, "SELECT id FROM acct WHERE id = 1 FOR KEY SHARE NOWAIT"), "FOR KEY SHARE NOWAIT of an upgraded row", "55P03", lockNotAvailable)
	must(a, "COMMIT")
	// With another sharer, the upgrade waits for it.
	must(a, "BEGIN")
	must(b, "BEGIN")
	must(a, share1)
	must(b, share1)
	done = x.start(a, "UPDATE acct SET bal = 1 WHERE id = 1")
	x.waits(done, "UPDATE of a row the updater and another transaction share")
	must(b, "COMMIT")
	if res := <-done; res.Err != nil || res.Affected != 1 {
		t.Fatalf("upgrade after the other sharer committed: %d rows, %v", res.Affected, res.Err)
	}
	must(a, "COMMIT")

	// Both sharers upgrade: one of them is told 40P01 (PostgreSQL the
	// first to wait, once its deadlock_timeout passes; Quiver the one
	// whose wait would close the cycle), and the other goes on.
	must(a, "BEGIN")
	must(b, "BEGIN")
	must(a, share1)
	must(b, share1)
	doneA := x.start(a, "UPDATE acct SET bal = 2 WHERE id = 1")
	x.waits(doneA, "UPDATE of a row another transaction shares")
	resB := b.Run(x.ctx, "UPDATE acct SET bal = 3 WHERE id = 1")
	victim, survivor, want := b, a, "2"
	if resB.Err == nil {
		victim, survivor, want = a, b, "3"
		x.fails(<-doneA, "the first upgrade", "40P01", "deadlock detected")
	} else {
		x.fails(resB, "the second upgrade", "40P01", "deadlock detected")
		must(b, "ROLLBACK")
		if res := <-doneA; res.Err != nil {
			t.Fatalf("the survivor's upgrade: %v", res.Err)
		}
	}
	must(victim, "ROLLBACK")
	must(survivor, "COMMIT")
	if got := value(a, "SELECT bal FROM acct WHERE id = 1"); got != want {
		t.Errorf("bal = %s, want the survivor's %s", got, want)
	}
}

// TestForeignKeyRace: a child insert locks its parent FOR KEY SHARE, so
// a DELETE of the parent waits for the child's transaction and then
// fails (or cascades), a child insert waits for an open DELETE of its
// parent and then fails, and other children of the parent and updates
// of its non-key columns go on at once: no interleaving leaves a child
// without its parent, and none that PostgreSQL commits fails.
func TestForeignKeyRace(t *testing.T) {
	x := newTwoSessions(t, "foreign_key_race_test")
	a, b, must, value := x.a, x.b, x.must, x.value
	must(a, "CREATE TABLE p (id int PRIMARY KEY, n int)")
	must(a, "CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p)")
	must(a, "CREATE TABLE cc (id int PRIMARY KEY, pid int REFERENCES p ON DELETE CASCADE)")
	must(a, "INSERT INTO p SELECT g, 0 FROM generate_series(1, 6) g")
	const parentViolation = `update or delete on table "p" violates foreign key constraint "c_pid_fkey" on table "c"`
	const childViolation = `insert or update on table "c" violates foreign key constraint "c_pid_fkey"`

	// The child first: the parent's DELETE waits, then meets the child.
	must(a, "BEGIN")
	must(a, "INSERT INTO c VALUES (1, 1)")
	done := x.start(b, "DELETE FROM p WHERE id = 1")
	x.waits(done, "DELETE of a parent an open transaction inserted a child of")
	must(a, "COMMIT")
	x.fails(<-done, "DELETE of the parent after the child committed", "23503", parentViolation)
	// In a transaction block too.
	must(a, "BEGIN")
	must(a, "INSERT INTO c VALUES (2, 2)")
	must(b, "BEGIN")
	done = x.start(b, "DELETE FROM p WHERE id = 2")
	x.waits(done, "DELETE of a parent an open transaction inserted a child of, in a block")
	must(a, "COMMIT")
	x.fails(<-done, "DELETE of the parent in a block after the child committed", "23503", parentViolation)
	must(b, "ROLLBACK")

	// The DELETE first: the child's insert waits, then misses its parent.
	must(a, "BEGIN")
	must(a, "DELETE FROM p WHERE id = 3")
	must(b, "BEGIN")
	done = x.start(b, "INSERT INTO c VALUES (3, 3)")
	x.waits(done, "insert of a child of a parent an open transaction deleted")
	must(a, "COMMIT")
	x.fails(<-done, "child insert after the parent's delete committed", "23503", childViolation)
	must(b, "ROLLBACK")

	// ON DELETE CASCADE removes the child that committed while it waited.
	must(a, "BEGIN")
	must(a, "INSERT INTO cc VALUES (4, 4)")
	done = x.start(b, "DELETE FROM p WHERE id = 4")
	x.waits(done, "DELETE of a parent of an uncommitted cascading child")
	must(a, "COMMIT")
	if res := <-done; res.Err != nil || res.Affected != 1 {
		t.Fatalf("cascading DELETE after the child committed: %d rows, %v", res.Affected, res.Err)
	}
	if got := value(a, "SELECT count(*) FROM cc"); got != "0" {
		t.Errorf("%s children left after the cascade, want 0", got)
	}

	// Two children of one parent and an update of the parent's other
	// column: nobody waits, all commit.
	must(a, "BEGIN")
	must(a, "INSERT INTO c VALUES (5, 5)")
	must(b, "BEGIN")
	must(b, "INSERT INTO c VALUES (6, 5)")
	must(b, "UPDATE p SET n = n + 1 WHERE id = 5")
	must(b, "COMMIT")
	must(a, "COMMIT")
	if got := value(a, "SELECT count(*), (SELECT n FROM p WHERE id = 5) FROM c WHERE pid = 5"); got != "2 | 1" {
		t.Errorf("children of 5 and its n = %s, want 2 | 1", got)
	}

	// REPEATABLE READ: a child committed after the deleter's snapshot.
	// PostgreSQL's check of the referencing rows reads past the snapshot
	// and reports 23503; Quiver's reads the snapshot, so the delete fails
	// with 40001 instead (a retry then meets the child as 23503).
	must(b, "BEGIN ISOLATION LEVEL REPEATABLE READ")
	must(b, "SELECT 1")
	must(a, "INSERT INTO c VALUES (7, 6)")
	res := b.Run(x.ctx, "DELETE FROM p WHERE id = 6")
	if x.target == "quiver" {
		x.fails(res, "REPEATABLE READ DELETE of a parent that got a child after the snapshot", "40001", "could not serialize access due to concurrent update")
	} else {
		x.fails(res, "REPEATABLE READ DELETE of a parent that got a child after the snapshot", "23503", parentViolation)
	}
	must(b, "ROLLBACK")

	if got := value(a, "SELECT count(*) FROM c LEFT JOIN p ON p.id = c.pid WHERE p.id IS NULL"); got != "0" {
		t.Errorf("%s children without a parent", got)
	}
	if got := value(a, "SELECT string_agg(id::text, ',' ORDER BY id) FROM p"); got != "1,2,5,6" {
		t.Errorf("parents %s, want 1,2,5,6", got)
	}
}
