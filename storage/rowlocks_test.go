package storage

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// TestRowLocksWait: a change to a row another open transaction changed
// waits for it; its commit makes the waiter fail with ErrConcurrentUpdate
// (the snapshot misses the commit), its rollback lets the waiter go on,
// and a cancelled wait ends with 57014.
func TestRowLocksWait(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 3)
	row := user(1, "u1", "u1@x", 1)

	waitFor := func(fn func() error) <-chan error {
		done := make(chan error, 1)
		go func() { done <- fn() }()
		select {
		case err := <-done:
			t.Fatalf("change of a locked row ended at once: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		return done
	}

	holder := e.Begin()
	if err := holder.UpdateRow(ctx, tb, row, user(1, "h", "u1@x", 1)); err != nil {
		t.Fatal(err)
	}
	waiter := e.Begin()
	done := waitFor(func() error { return waiter.DeleteRow(ctx, tb, row) })
	if err := holder.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrConcurrentUpdate) || pgCode(err) != pgerror.CodeSerializationFailure {
		t.Fatalf("waiter after the holder committed: %v", err)
	}
	waiter.Rollback()

	row = user(1, "h", "u1@x", 1)
	holder = e.Begin()
	if err := holder.DeleteRow(ctx, tb, row); err != nil {
		t.Fatal(err)
	}
	waiter = e.Begin()
	done = waitFor(func() error { return waiter.UpdateRow(ctx, tb, row, user(1, "w", "u1@x", 1)) })
	holder.Rollback()
	if err := <-done; err != nil {
		t.Fatalf("waiter after the holder rolled back: %v", err)
	}
	if err := waiter.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	row = user(1, "w", "u1@x", 1)
	holder = e.Begin()
	defer holder.Rollback()
	if err := holder.DeleteRow(ctx, tb, row); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	waiter = e.Begin()
	defer waiter.Rollback()
	done = waitFor(func() error { return waiter.DeleteRow(cctx, tb, row) })
	cancel()
	if err := <-done; pgCode(err) != pgerror.CodeQueryCanceled {
		t.Fatalf("cancelled wait: %v", err)
	}
}

// TestRowLocksDeadlock: the transaction whose wait would close a cycle
// is refused with 40P01; the other then gets its row.
func TestRowLocksDeadlock(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 2)
	r1, r2 := user(1, "u1", "u1@x", 1), user(2, "u2", "u2@x", 2)
	a, b := e.Begin(), e.Begin()
	defer a.Rollback()
	if err := a.DeleteRow(ctx, tb, r1); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteRow(ctx, tb, r2); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.DeleteRow(ctx, tb, r2) }()
	time.Sleep(100 * time.Millisecond)
	err := b.DeleteRow(ctx, tb, r1)
	if pgCode(err) != pgerror.CodeDeadlockDetected || err.Error() != "deadlock detected" {
		t.Fatalf("closing the cycle: %v, want 40P01", err)
	}
	b.Rollback()
	if err := <-done; err != nil {
		t.Fatalf("the other transaction after the victim rolled back: %v", err)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestNewSnapshotCommitCheck: after NewSnapshot, a key first written
// under the new snapshot does not conflict with a commit that snapshot
// includes, while a key written under the first snapshot still conflicts
// with a commit after it, also when the transaction later locks it.
func TestNewSnapshotCommitCheck(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 3)

	// Seen: another transaction changes row 2 and deletes row 3, then
	// NewSnapshot, then this one updates row 2's new version and inserts
	// a new row 3 (the keys the delete wrote, written under a snapshot
	// that includes it).
	tx := e.Begin()
	if err := tx.InsertRow(ctx, tb, user(10, "x", "x10@x", 1)); err != nil {
		t.Fatal(err)
	}
	other := e.Begin()
	if err := other.UpdateRow(ctx, tb, user(2, "u2", "u2@x", 2), user(2, "o", "u2@x", 2)); err != nil {
		t.Fatal(err)
	}
	if err := other.DeleteRow(ctx, tb, user(3, "u3", "u3@x", 3)); err != nil {
		t.Fatal(err)
	}
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tx.NewSnapshot()
	if err := tx.UpdateRow(ctx, tb, user(2, "o", "u2@x", 2), user(2, "t", "u2@x", 2)); err != nil {
		t.Fatalf("update of the version the new snapshot sees: %v", err)
	}
	if err := tx.InsertRow(ctx, tb, user(3, "new", "u3@x", 3)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}

	// Raced: row 30 inserted by both, this one first (under its first
	// snapshot); the other commits; this one updates its own row 30
	// under a new snapshot. Both inserts must not stand.
	tx = e.Begin()
	defer tx.Rollback()
	if err := tx.InsertRow(ctx, tb, user(30, "mine", "m30@x", 1)); err != nil {
		t.Fatal(err)
	}
	other = e.Begin()
	// Its other index keys differ from this one's: only the row key is
	// written by both.
	if err := other.InsertRow(ctx, tb, user(30, "theirs", "t30@x", 2)); err != nil {
		t.Fatal(err)
	}
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tx.NewSnapshot()
	if err := tx.UpdateRow(ctx, tb, user(30, "mine", "m30@x", 1), user(30, "mine2", "m30@x", 1)); err != nil && pgCode(err) != pgerror.CodeSerializationFailure {
		t.Fatal(err)
	} else if err == nil {
		if err := tx.Commit(ctx); pgCode(err) != pgerror.CodeSerializationFailure {
			t.Fatalf("commit over a raced insert: %v, want 40001", err)
		}
	}
	check := e.Begin()
	defer check.Rollback()
	r, err := check.GetRow(ctx, tb, user(30, "", "", 0)[:1])
	if err != nil || r == nil || r[1] != user(30, "theirs", "", 0)[1] {
		t.Fatalf("row 30 = %v %v, want the other transaction's", r, err)
	}
}

// TestRowLocksTableShrinks: the lock table a large statement grew is
// made again once its locks are gone, and whole-table deletes
// (DeleteRowNoLock) take no locks at all.
func TestRowLocksTableShrinks(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	const n = 2 * rowLocksRemake
	insertUsers(t, e, tb, n)
	tx := e.Begin()
	for i := 1; i <= n; i++ {
		if err := tx.DeleteRow(ctx, tb, user(int64(i), fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@x", i), int64(i%50))); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(e.locks.held); got != n {
		t.Fatalf("%d locks held while deleting %d rows", got, n)
	}
	tx.Rollback()
	if len(e.locks.held) != 0 || e.locks.peak != 0 {
		t.Fatalf("after the rollback: %d locks, peak %d; want a fresh empty table", len(e.locks.held), e.locks.peak)
	}
	tx = e.Begin()
	for i := 1; i <= n; i++ {
		if err := tx.DeleteRowNoLock(ctx, tb, user(int64(i), fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@x", i), int64(i%50))); err != nil {
			t.Fatal(err)
		}
	}
	if len(e.locks.held) != 0 {
		t.Fatalf("DeleteRowNoLock took %d locks", len(e.locks.held))
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestInsertLocksExemptNothing: a key an upsert locked before inserting
// is still checked at commit, as a plain INSERT of it takes no lock; both
// inserts must not stand.
func TestInsertLocksExemptNothing(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 2)
	tx := e.Begin()
	defer tx.Rollback()
	bump := e.Begin()
	if err := bump.UpdateRow(ctx, tb, user(1, "u1", "u1@x", 1), user(1, "b", "u1@x", 1)); err != nil {
		t.Fatal(err)
	}
	if err := bump.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tx.NewSnapshot() // a second snapshot: the commit check goes by key
	if err := tx.InsertRowLockingKeys(ctx, tb, user(50, "mine", "m50@x", 1)); err != nil {
		t.Fatal(err)
	}
	other := e.Begin()
	if err := other.InsertRow(ctx, tb, user(50, "theirs", "t50@x", 2)); err != nil {
		t.Fatal(err)
	}
	if err := other.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); pgCode(err) != pgerror.CodeSerializationFailure {
		t.Fatalf("commit of an insert a plain insert raced: %v, want 40001", err)
	}
}

// TestLockModesConflict: the four modes conflict as PostgreSQL's table
// of row-level locks says.
func TestLockModesConflict(t *testing.T) {
	modes := []LockMode{LockKeyShare, LockShare, LockNoKeyUpdate, LockUpdate}
	// want[i][j]: mode i held by one transaction conflicts with mode j
	// requested by another.
	want := [4][4]bool{
		{false, false, false, true},
		{false, false, true, true},
		{false, true, true, true},
		{true, true, true, true},
	}
	for i, m := range modes {
		for j, o := range modes {
			if got := m.conflicts(o); got != want[i][j] {
				t.Errorf("%d conflicts with %d = %v, want %v", m, o, got, want[i][j])
			}
		}
	}
}

// waiting runs fn in the background and checks it has not ended after a
// while (it waits for a lock); the channel reports its result.
func waiting(t *testing.T, what string, fn func() error) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		t.Fatalf("%s ended at once: %v", what, err)
	case <-time.After(100 * time.Millisecond):
	}
	return done
}

// notDone checks that a background call is still waiting.
func notDone(t *testing.T, what string, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("%s ended while a conflicting lock was held: %v", what, err)
	case <-time.After(100 * time.Millisecond):
	}
}

// TestRowLocksShared: several transactions hold FOR SHARE on a row at
// once; a change of it waits for all of them; FOR KEY SHARE lets an
// update of non-key columns through but not one of a key column; NOWAIT
// and SKIP LOCKED go by the same conflicts; and the table is empty once
// they all ended.
func TestRowLocksShared(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 3)
	pk1 := user(1, "", "", 0)[:1]
	row := user(1, "u1", "u1@x", 1)
	lock := func(tx *Txn, mode LockMode, wait LockWait) (bool, error) {
		return tx.LockRow(ctx, tb, pk1, mode, wait)
	}

	a, b, c := e.Begin(), e.Begin(), e.Begin()
	for _, tx := range []*Txn{a, b} {
		if _, err := lock(tx, LockShare, LockNoWait); err != nil {
			t.Fatalf("second FOR SHARE: %v", err)
		}
	}
	if _, err := lock(c, LockUpdate, LockNoWait); pgCode(err) != pgerror.CodeLockNotAvailable ||
		err.Error() != `could not obtain lock on row in relation "users"` {
		t.Fatalf("FOR UPDATE NOWAIT of a shared row: %v, want 55P03", err)
	}
	if skipped, err := lock(c, LockNoKeyUpdate, LockSkip); err != nil || !skipped {
		t.Fatalf("FOR NO KEY UPDATE SKIP LOCKED of a shared row: skipped %v, %v", skipped, err)
	}
	if skipped, err := lock(c, LockKeyShare, LockSkip); err != nil || skipped {
		t.Fatalf("FOR KEY SHARE SKIP LOCKED of a shared row: skipped %v, %v", skipped, err)
	}
	c.Rollback()
	c = e.Begin()
	done := waiting(t, "update of a row two transactions share", func() error {
		return c.UpdateRow(ctx, tb, row, user(1, "c", "u1@x", 1))
	})
	a.Rollback()
	notDone(t, "update of a row one transaction still shares", done)
	b.Rollback()
	if err := <-done; err != nil {
		t.Fatalf("update after the sharers ended: %v", err)
	}
	if err := c.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	row = user(1, "c", "u1@x", 1)

	// FOR KEY SHARE against an update of a non-key column, and of a key
	// column (email is unique).
	a, b = e.Begin(), e.Begin()
	if _, err := lock(a, LockKeyShare, LockWaitFor); err != nil {
		t.Fatal(err)
	}
	if err := b.UpdateRow(ctx, tb, row, user(1, "b", "u1@x", 7)); err != nil {
		t.Fatalf("non-key update of a row locked FOR KEY SHARE: %v", err)
	}
	if _, err := lock(a, LockShare, LockNoWait); pgCode(err) != pgerror.CodeLockNotAvailable {
		t.Fatalf("FOR SHARE NOWAIT of a row another transaction updates: %v, want 55P03", err)
	}
	b.Rollback()
	b = e.Begin()
	done = waiting(t, "key update of a row locked FOR KEY SHARE", func() error {
		return b.UpdateRow(ctx, tb, row, user(1, "b", "new@x", 1))
	})
	a.Rollback()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	b.Rollback()
	if len(e.locks.held) != 0 || len(e.locks.others) != 0 || len(e.locks.waiting) != 0 {
		t.Fatalf("after every transaction ended: held %v, others %v, waiting %v", e.locks.held, e.locks.others, e.locks.waiting)
	}
}

// TestRowLocksUpgrade: a transaction's FOR SHARE becomes FOR UPDATE at
// once when it shares the row alone, and waits for the others otherwise;
// two sharers that both upgrade deadlock (40P01), and a cycle through the
// second holder of a shared row is found too.
func TestRowLocksUpgrade(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 2)
	pk1, pk2 := user(1, "", "", 0)[:1], user(2, "", "", 0)[:1]
	lock := func(tx *Txn, pk []types.Datum, mode LockMode) error {
		_, err := tx.LockRow(ctx, tb, pk, mode, LockWaitFor)
		return err
	}

	a := e.Begin()
	if err := lock(a, pk1, LockShare); err != nil {
		t.Fatal(err)
	}
	if err := lock(a, pk1, LockUpdate); err != nil {
		t.Fatalf("upgrade of a lock held alone: %v", err)
	}
	b := e.Begin()
	if _, err := b.LockRow(ctx, tb, pk1, LockKeyShare, LockNoWait); pgCode(err) != pgerror.CodeLockNotAvailable {
		t.Fatalf("FOR KEY SHARE of an upgraded row: %v, want 55P03", err)
	}
	a.Rollback()
	b.Rollback()

	// Both share, both upgrade: the second to ask closes the cycle.
	a, b = e.Begin(), e.Begin()
	for _, tx := range []*Txn{a, b} {
		if err := lock(tx, pk1, LockShare); err != nil {
			t.Fatal(err)
		}
	}
	done := waiting(t, "upgrade of a shared row", func() error { return lock(a, pk1, LockUpdate) })
	if err := lock(b, pk1, LockUpdate); pgCode(err) != pgerror.CodeDeadlockDetected {
		t.Fatalf("second upgrade: %v, want 40P01", err)
	}
	b.Rollback()
	if err := <-done; err != nil {
		t.Fatalf("first upgrade after the other sharer rolled back: %v", err)
	}
	a.Rollback()

	// a and b share row 1, c holds row 2; b waits for row 2; c's wait
	// for row 1 (held by a first, b second) closes the cycle c -> b -> c.
	a, b, c := e.Begin(), e.Begin(), e.Begin()
	defer a.Rollback()
	defer c.Rollback()
	for _, tx := range []*Txn{a, b} {
		if err := lock(tx, pk1, LockShare); err != nil {
			t.Fatal(err)
		}
	}
	if err := lock(c, pk2, LockUpdate); err != nil {
		t.Fatal(err)
	}
	done = waiting(t, "b's wait for row 2", func() error { return lock(b, pk2, LockShare) })
	if err := lock(c, pk1, LockUpdate); pgCode(err) != pgerror.CodeDeadlockDetected {
		t.Fatalf("c's wait for row 1: %v, want 40P01", err)
	}
	c.Rollback()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	b.Rollback()
}

// TestKeyShareAfterCommit: a FOR KEY SHARE of a row whose newer version
// another transaction committed after the snapshot fails only if that
// version changed the key or removed the row, while FOR SHARE fails on
// any; a foreign key check's lock (LockReferencedRow), once committed,
// fails a delete from an older snapshot but not an update of non-key
// columns.
func TestKeyShareAfterCommit(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 3)
	commit := func(fn func(*Txn) error) {
		t.Helper()
		tx := e.Begin()
		if err := fn(tx); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pk := func(id int64) []types.Datum { return user(id, "", "", 0)[:1] }

	tx := e.Begin()
	commit(func(o *Txn) error { return o.UpdateRow(ctx, tb, user(1, "u1", "u1@x", 1), user(1, "o", "u1@x", 9)) })
	commit(func(o *Txn) error { return o.UpdateRow(ctx, tb, user(2, "u2", "u2@x", 2), user(2, "u2", "o2@x", 2)) })
	commit(func(o *Txn) error { return o.DeleteRow(ctx, tb, user(3, "u3", "u3@x", 3)) })
	if _, err := tx.LockRow(ctx, tb, pk(1), LockKeyShare, LockWaitFor); err != nil {
		t.Fatalf("FOR KEY SHARE after a non-key update: %v", err)
	}
	if _, err := tx.LockRow(ctx, tb, pk(1), LockShare, LockWaitFor); !errors.Is(err, ErrConcurrentUpdate) {
		t.Fatalf("FOR SHARE after a non-key update: %v, want ErrConcurrentUpdate", err)
	}
	for _, id := range []int64{2, 3} {
		if _, err := tx.LockRow(ctx, tb, pk(id), LockKeyShare, LockWaitFor); !errors.Is(err, ErrConcurrentUpdate) {
			t.Fatalf("FOR KEY SHARE of row %d after its key changed: %v, want ErrConcurrentUpdate", id, err)
		}
	}
	tx.Rollback()

	tx = e.Begin()
	row := user(1, "o", "u1@x", 9)
	commit(func(o *Txn) error {
		if err := o.LockReferencedRow(ctx, tb, row); err != nil {
			return err
		}
		return o.InsertRow(ctx, tb, user(10, "child", "c@x", 1))
	})
	if err := tx.UpdateRow(ctx, tb, row, user(1, "t", "u1@x", 9)); err != nil {
		t.Fatalf("non-key update of a row a committed check locked: %v", err)
	}
	tx.Rollback()
	tx = e.Begin()
	defer tx.Rollback()
	commit(func(o *Txn) error {
		if err := o.LockReferencedRow(ctx, tb, row); err != nil {
			return err
		}
		return o.InsertRow(ctx, tb, user(11, "child", "c11@x", 1))
	})
	if err := tx.DeleteRow(ctx, tb, row); !errors.Is(err, ErrConcurrentUpdate) {
		t.Fatalf("delete of a row a check committed after the snapshot locked: %v, want ErrConcurrentUpdate", err)
	}
}
