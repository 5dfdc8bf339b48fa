package storage

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
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
