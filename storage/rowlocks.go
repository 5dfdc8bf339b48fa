package storage

import (
	"context"
	"errors"
	"maps"
	"sync"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// Row locks make a transaction that changes a row (UPDATE, DELETE,
// SELECT FOR UPDATE/SHARE, a foreign key's check of its parent) wait for
// another open transaction that changed or locked the same row, as
// PostgreSQL's tuple locks do, instead of both going ahead and the later
// committer failing. They live in memory: a lock is held from the change
// until the transaction ends, and a crash ends every transaction.
//
// A lock does not say what to do about a version committed after the
// reader's snapshot: LockRowKey reports it as ErrConcurrentUpdate, which
// READ COMMITTED answers by running the statement again on a new snapshot
// and the other levels by failing with 40001, as PostgreSQL does.

// ErrConcurrentUpdate is in the chain of the 40001 error a row change
// gets when the row has a version committed after the snapshot.
var ErrConcurrentUpdate = errors.New("storage: row changed after the snapshot")

type rowLocks struct {
	mu      sync.Mutex
	held    map[uint64]*Txn // row key fingerprint -> holder
	waiting map[*Txn]*Txn   // waiter -> the holder it waits for
	// peak is the most locks held since held was last made: a Go map
	// keeps the table its peak needed, which the collector scans on
	// every cycle, so a large statement's locks are not kept paying for.
	peak int
}

// rowLocksRemake: past this many locks, held is made again once fewer
// than a sixteenth of its peak remain.
const rowLocksRemake = 4096

func concurrentUpdate() error {
	return pgerror.New(pgerror.CodeSerializationFailure, "could not serialize access due to concurrent update").WithCause(ErrConcurrentUpdate)
}

// LockWait is what taking a row lock does while another transaction
// holds it.
type LockWait int

const (
	// LockWaitFor waits for the holder to end.
	LockWaitFor LockWait = iota
	// LockNoWait fails at once with 55P03 (FOR UPDATE NOWAIT).
	LockNoWait
	// LockSkip passes the row over (FOR UPDATE SKIP LOCKED).
	LockSkip
)

// LockRowForUpdate takes the lock of the row of tb whose primary key
// values are pk, as SELECT ... FOR UPDATE does, and holds it until the
// transaction ends. skipped reports a row LockSkip passed over. A row
// with a version committed after the snapshot fails with
// ErrConcurrentUpdate, as a change of it would.
func (t *Txn) LockRowForUpdate(ctx context.Context, tb *catalog.Table, pk []types.Datum, wait LockWait) (skipped bool, err error) {
	if err := t.usable(); err != nil {
		return false, err
	}
	key, err := t.pkKeyOf(tb, pk)
	if err != nil {
		return false, err
	}
	locked, err := t.lockRowKeyWaiting(ctx, key, wait, true)
	if errors.Is(err, errLockHeld) {
		err = pgerror.New(pgerror.CodeLockNotAvailable, "could not obtain lock on row in relation \"%s\"", tb.Name)
	}
	return !locked && err == nil, err
}

// errLockHeld is LockNoWait's answer when another transaction holds the
// lock; LockRowForUpdate reports it with the table's name.
var errLockHeld = errors.New("storage: row lock held by another transaction")

// lockRowKey takes the transaction's lock on a row key, waiting while
// another open transaction holds it, and then fails with
// ErrConcurrentUpdate if a version of the key committed after the
// transaction's snapshot.
func (t *Txn) lockRowKey(ctx context.Context, key []byte) error {
	_, err := t.lockRowKeyWaiting(ctx, key, LockWaitFor, true)
	return err
}

// lockNewKey is lockRowKey for a key an insert is about to write. Such a
// lock exempts nothing from the commit check: a plain INSERT of the same
// key from a query or COPY takes no lock, so only that check stops two
// inserts of it.
func (t *Txn) lockNewKey(ctx context.Context, key []byte) error {
	_, err := t.lockRowKeyWaiting(ctx, key, LockWaitFor, false)
	return err
}

// lockRowKeyWaiting is lockRowKey with a choice of what to do about a
// held lock (locked is false when LockSkip passed the key over) and of
// whether the lock exempts the key from the commit check (commitCheck)
// when the transaction had not written it before.
func (t *Txn) lockRowKeyWaiting(ctx context.Context, key []byte, wait LockWait, exempts bool) (locked bool, err error) {
	fp := t.fingerprint(key)
	l := &t.e.locks
	for {
		l.mu.Lock()
		h := l.held[fp]
		if h == nil || h == t {
			if h == nil {
				if l.held == nil {
					l.held = map[uint64]*Txn{}
				}
				l.held[fp] = t
				l.peak = max(l.peak, len(l.held))
				if t.ended == nil {
					t.ended = make(chan struct{})
				}
				t.locked = append(t.locked, fp)
			}
			if exempts && !t.conflictKeys().has(fp) {
				t.freshLocks = append(t.freshLocks, fp)
			}
			l.mu.Unlock()
			break
		}
		switch wait {
		case LockNoWait:
			l.mu.Unlock()
			return false, errLockHeld
		case LockSkip:
			l.mu.Unlock()
			return false, nil
		}
		// Waiting for h closes a cycle if h (or whoever it waits for,
		// and so on) waits for this transaction.
		for x := h; x != nil; x = l.waiting[x] {
			if x == t {
				l.mu.Unlock()
				return false, pgerror.New(pgerror.CodeDeadlockDetected, "deadlock detected").
					WithDetail("Two transactions wait for rows each other has changed.").
					WithHint("See server log for query details.")
			}
		}
		if l.waiting == nil {
			l.waiting = map[*Txn]*Txn{}
		}
		l.waiting[t] = h
		ended := h.ended
		l.mu.Unlock()
		var err error
		select {
		case <-ended:
		case <-ctx.Done():
			err = canceled(ctx.Err())
		}
		l.mu.Lock()
		delete(l.waiting, t)
		l.mu.Unlock()
		if err != nil {
			return false, err
		}
	}
	if t.e.committedSince(t.readTs, fp) {
		return true, concurrentUpdate()
	}
	return true, nil
}

// releaseLocks ends the transaction's locks and wakes their waiters; a
// commit calls it once its writes are visible, so a waiter that goes on
// finds them.
func (t *Txn) releaseLocks() {
	if t.ended == nil {
		return
	}
	l := &t.e.locks
	l.mu.Lock()
	for _, fp := range t.locked {
		if l.held[fp] == t {
			delete(l.held, fp)
		}
	}
	close(t.ended)
	t.ended, t.locked = nil, nil
	if l.peak > rowLocksRemake && len(l.held) < l.peak/16 {
		// A fresh map sized for what is left (maps.Clone may keep the
		// old table's size).
		held := make(map[uint64]*Txn, len(l.held))
		maps.Copy(held, l.held)
		l.held, l.peak = held, len(held)
	}
	l.mu.Unlock()
}

// committedSince reports whether a commit after readTs wrote the key
// with fingerprint fp (the commits a snapshot at readTs does not see are
// kept while it is open).
func (e *Engine) committedSince(readTs, fp uint64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.committed {
		if c.ts > readTs && c.keys.has(fp) {
			return true
		}
	}
	return false
}

// commitCheck is what the transaction's commit must not conflict with:
// a commit that wrote one of its keys after the snapshot the key was
// first written under (READ COMMITTED's statements each take one, so that
// differs by key), and one that changed the schema after the first
// snapshot. A row key locked before the transaction wrote it is exempt:
// its lock checked the snapshot then, and kept writers off since.
func (t *Txn) commitCheck() commitCheck {
	cc := commitCheck{readTs: t.readTs, depsTs: t.startTs, deps: t.deps}
	if len(t.earlier) == 0 {
		return cc // one snapshot for every key
	}
	cc.readTs = t.startTs
	cc.seenAt = make(map[uint64]uint64, len(t.freshLocks)+len(t.lateWrites))
	for _, w := range t.lateWrites {
		cc.seenAt[w.fp] = w.ts
	}
	for _, fp := range t.freshLocks {
		cc.seenAt[fp] = ^uint64(0)
	}
	return cc
}
