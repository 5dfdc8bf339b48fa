package storage

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// Row locks make a transaction that changes a row (UPDATE, DELETE,
// SELECT FOR UPDATE/SHARE, a foreign key's check of its parent) wait for
// another open transaction that changed or locked the same row in a
// conflicting mode, as PostgreSQL's tuple locks do, instead of both going
// ahead and the later committer failing. They live in memory: a lock is
// held from the change until the transaction ends, and a crash ends
// every transaction. ROLLBACK TO SAVEPOINT keeps them, where PostgreSQL
// lets go of those taken after the savepoint: the keys written after it
// keep their conflict fingerprints (savepoint.go), so a write of one by
// another transaction, once let through, would fail this one's COMMIT.
//
// A lock does not say what to do about a version committed after the
// reader's snapshot: lockRowKey reports it as ErrConcurrentUpdate, which
// READ COMMITTED answers by running the statement again on a new snapshot
// and the other levels by failing with 40001, as PostgreSQL does.

// ErrConcurrentUpdate is in the chain of the 40001 error a row change
// gets when the row has a version committed after the snapshot.
var ErrConcurrentUpdate = errors.New("storage: row changed after the snapshot")

// LockMode is a row lock's strength: PostgreSQL's four tuple lock modes,
// weakest first.
type LockMode uint8

const (
	// LockKeyShare is FOR KEY SHARE, a foreign key check's lock of the
	// referenced row: the row may change, but not its key or existence.
	LockKeyShare LockMode = iota + 1
	// LockShare is FOR SHARE: the row may not change; several
	// transactions may hold it at once.
	LockShare
	// LockNoKeyUpdate is FOR NO KEY UPDATE, the lock of an UPDATE that
	// changes no key column.
	LockNoKeyUpdate
	// LockUpdate is FOR UPDATE, the lock of a DELETE or of an UPDATE of a
	// key column.
	LockUpdate
)

// conflicts reports whether two transactions' locks of one row, of
// strengths m and o, conflict. PostgreSQL's table: KEY SHARE conflicts
// with UPDATE only, SHARE with NO KEY UPDATE and UPDATE, NO KEY UPDATE
// with SHARE and up, UPDATE with all; numbered 1 to 4, two modes conflict
// when their numbers add up to more than 4.
func (m LockMode) conflicts(o LockMode) bool { return m+o > LockUpdate }

type rowLocks struct {
	mu sync.Mutex
	// held is each locked key's first holder (fingerprint -> holder);
	// others the further holders of keys several transactions lock in
	// modes that do not conflict. A key one transaction locks, as every
	// UPDATE's, costs one entry of held and no slice.
	held    map[uint64]lockHolder
	others  map[uint64][]lockHolder
	waiting map[*Txn]lockWant // waiter -> the lock it waits for
	// peak is the most locks held since held was last made: a Go map
	// keeps the table its peak needed, which the collector scans on
	// every cycle, so a large statement's locks are not kept paying for.
	peak int
}

type lockHolder struct {
	t    *Txn
	mode LockMode
}

type lockWant struct {
	fp   uint64
	mode LockMode
}

// rowLocksRemake: past this many locks, held is made again once fewer
// than a sixteenth of its peak remain.
const rowLocksRemake = 4096

func concurrentUpdate() error {
	return pgerror.New(pgerror.CodeSerializationFailure, "could not serialize access due to concurrent update").WithCause(ErrConcurrentUpdate)
}

// LockWait is what taking a row lock does while another transaction
// holds a conflicting one.
type LockWait int

const (
	// LockWaitFor waits for the holder to end.
	LockWaitFor LockWait = iota
	// LockNoWait fails at once with 55P03 (FOR UPDATE NOWAIT).
	LockNoWait
	// LockSkip passes the row over (FOR UPDATE SKIP LOCKED).
	LockSkip
)

// lockRequest says how a row key's lock is taken.
type lockRequest struct {
	mode LockMode
	wait LockWait
	// exempts: the lock exempts the key from the commit check when the
	// transaction had not written it before (commitCheck), which a lock
	// that keeps every writer off until the transaction ends may.
	exempts bool
	// changesKey: the lock is a DELETE's or a key-changing UPDATE's,
	// which also fails on a commit after the snapshot whose foreign key
	// checks locked the row (Txn.refs): the referencing rows that commit
	// added are not in the snapshot, so the statement's own check of them
	// would miss them.
	changesKey bool
	// table is set for FOR KEY SHARE, which fails only on a commit that
	// changed the row's key, not on any that wrote the row.
	table *catalog.Table
}

// LockRow takes a lock of strength mode on the row of tb whose primary
// key values are pk, as SELECT ... FOR UPDATE/NO KEY UPDATE/SHARE/KEY
// SHARE does, and holds it until the transaction ends. skipped reports a
// row LockSkip passed over. A row with a version committed after the
// snapshot fails with ErrConcurrentUpdate, as a change of it would (for
// FOR KEY SHARE, only a version with another key or none).
func (t *Txn) LockRow(ctx context.Context, tb *catalog.Table, pk []types.Datum, mode LockMode, wait LockWait) (skipped bool, err error) {
	if err := t.usable(); err != nil {
		return false, err
	}
	key, err := t.pkKeyOf(tb, pk)
	if err != nil {
		return false, err
	}
	req := lockRequest{mode: mode, wait: wait, exempts: mode >= LockShare}
	if mode == LockKeyShare {
		req.table = tb
	}
	locked, err := t.lockRowKeyWaiting(ctx, key, req)
	if errors.Is(err, errLockHeld) {
		err = pgerror.New(pgerror.CodeLockNotAvailable, "could not obtain lock on row in relation \"%s\"", tb.Name)
	}
	return !locked && err == nil, err
}

// LockReferencedRow takes FOR KEY SHARE on a row of tb (full width, as
// read) that a foreign key check found referenced, as PostgreSQL's check
// does: a concurrent DELETE of the row, or an UPDATE of its key, waits
// for this transaction, and once it commits fails (READ COMMITTED runs it
// again and sees the referencing row), so neither can leave the new
// referencing row without its parent. Changes of other columns go on.
func (t *Txn) LockReferencedRow(ctx context.Context, tb *catalog.Table, row []types.Datum) error {
	if err := t.usable(); err != nil {
		return err
	}
	key, _, err := t.pkKey(tb, row)
	if err != nil {
		return err
	}
	if _, err := t.lockRowKeyWaiting(ctx, key, lockRequest{mode: LockKeyShare, table: tb}); err != nil {
		return err
	}
	if t.refs == nil {
		t.refs = map[uint64]struct{}{}
	}
	t.refs[t.fingerprint(key)] = struct{}{}
	return nil
}

// errLockHeld is LockNoWait's answer when another transaction holds a
// conflicting lock; LockRow reports it with the table's name.
var errLockHeld = errors.New("storage: row lock held by another transaction")

// lockRowKey takes the transaction's lock of strength mode on a row key
// it is about to change, waiting while another open transaction holds a
// conflicting one, and then fails with ErrConcurrentUpdate if a version
// of the key committed after the transaction's snapshot.
func (t *Txn) lockRowKey(ctx context.Context, key []byte, mode LockMode) error {
	_, err := t.lockRowKeyWaiting(ctx, key, lockRequest{mode: mode, exempts: true, changesKey: mode == LockUpdate})
	return err
}

// lockNewKey is lockRowKey for a key an insert is about to write. Such a
// lock exempts nothing from the commit check: a plain INSERT of the same
// key from a query or COPY takes no lock, so only that check stops two
// inserts of it.
func (t *Txn) lockNewKey(ctx context.Context, key []byte) error {
	_, err := t.lockRowKeyWaiting(ctx, key, lockRequest{mode: LockUpdate})
	return err
}

// lockRowKeyWaiting takes a row key's lock as req says; locked is false
// when LockSkip passed the key over.
func (t *Txn) lockRowKeyWaiting(ctx context.Context, key []byte, req lockRequest) (locked bool, err error) {
	fp := t.fingerprint(key)
	l := &t.e.locks
	for {
		l.mu.Lock()
		h, added := l.take(t, fp, req.mode)
		if h == nil {
			if added {
				if t.ended == nil {
					t.ended = make(chan struct{})
				}
				t.locked = append(t.locked, fp)
			}
			if req.exempts && !t.conflictKeys().has(fp) {
				t.freshLocks = append(t.freshLocks, fp)
			}
			l.mu.Unlock()
			break
		}
		switch req.wait {
		case LockNoWait:
			l.mu.Unlock()
			return false, errLockHeld
		case LockSkip:
			l.mu.Unlock()
			return false, nil
		}
		if l.closesCycle(t, fp, req.mode) {
			l.mu.Unlock()
			return false, pgerror.New(pgerror.CodeDeadlockDetected, "deadlock detected").
				WithDetail("Two transactions wait for rows each other has changed.").
				WithHint("See server log for query details.")
		}
		if l.waiting == nil {
			l.waiting = map[*Txn]lockWant{}
		}
		l.waiting[t] = lockWant{fp: fp, mode: req.mode}
		// Any one conflicting holder's end is worth a look: the others
		// are checked again then.
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
	if t.e.committedSince(t.readTs, fp, req.changesKey) {
		if req.table != nil {
			changed, err := t.keyChangedSince(req.table, key)
			if err != nil || !changed {
				return true, err
			}
		}
		return true, concurrentUpdate()
	}
	return true, nil
}

// take gives t the lock of fp in mode, or a stronger one it holds
// already, unless another transaction holds a conflicting one, which it
// returns. added reports a key t did not hold before. The caller holds
// l.mu.
func (l *rowLocks) take(t *Txn, fp uint64, mode LockMode) (blocker *Txn, added bool) {
	h, ok := l.held[fp]
	if !ok {
		if l.held == nil {
			l.held = map[uint64]lockHolder{}
		}
		l.held[fp] = lockHolder{t: t, mode: mode}
		l.peak = max(l.peak, len(l.held))
		return nil, true
	}
	var others []lockHolder
	if len(l.others) > 0 {
		others = l.others[fp]
	}
	mine := -1 // t's place: 0 in held, i+1 at others[i]
	if h.t == t {
		mine = 0
	} else if h.mode.conflicts(mode) {
		return h.t, false
	}
	for i, o := range others {
		if o.t == t {
			mine = i + 1
		} else if o.mode.conflicts(mode) {
			return o.t, false
		}
	}
	switch {
	case mine < 0:
		if l.others == nil {
			l.others = map[uint64][]lockHolder{}
		}
		l.others[fp] = append(others, lockHolder{t: t, mode: mode})
		return nil, true
	case mine == 0 && h.mode < mode:
		h.mode = mode
		l.held[fp] = h
	case mine > 0:
		others[mine-1].mode = max(others[mine-1].mode, mode)
	}
	return nil, false
}

// closesCycle reports whether t's wait for the holders of fp whose locks
// conflict with mode would close a cycle: one of them (or whoever it
// waits for, and so on) waits for t. The caller holds l.mu.
func (l *rowLocks) closesCycle(t *Txn, fp uint64, mode LockMode) bool {
	next := l.blockers(nil, t, fp, mode)
	seen := map[*Txn]bool{}
	for len(next) > 0 {
		x := next[len(next)-1]
		next = next[:len(next)-1]
		if x == t {
			return true
		}
		if seen[x] {
			continue
		}
		seen[x] = true
		if w, ok := l.waiting[x]; ok {
			next = l.blockers(next, x, w.fp, w.mode)
		}
	}
	return false
}

// blockers appends to out the transactions other than t that hold fp in
// a mode conflicting with mode. The caller holds l.mu.
func (l *rowLocks) blockers(out []*Txn, t *Txn, fp uint64, mode LockMode) []*Txn {
	h, ok := l.held[fp]
	if !ok {
		return out
	}
	for _, o := range append([]lockHolder{h}, l.others[fp]...) {
		if o.t != t && o.mode.conflicts(mode) {
			out = append(out, o.t)
		}
	}
	return out
}

// drop ends t's lock of fp. The caller holds l.mu.
func (l *rowLocks) drop(t *Txn, fp uint64) {
	h, ok := l.held[fp]
	if !ok {
		return
	}
	var others []lockHolder
	if len(l.others) > 0 {
		others = l.others[fp]
	}
	if h.t == t {
		if len(others) == 0 {
			delete(l.held, fp)
			return
		}
		l.held[fp] = others[len(others)-1]
	} else if i := slices.IndexFunc(others, func(o lockHolder) bool { return o.t == t }); i >= 0 {
		others[i] = others[len(others)-1]
	} else {
		return
	}
	others[len(others)-1] = lockHolder{}
	if others = others[:len(others)-1]; len(others) == 0 {
		delete(l.others, fp)
	} else {
		l.others[fp] = others
	}
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
		if len(l.others) == 0 {
			// No key has a second holder: this one's are its own.
			delete(l.held, fp)
			continue
		}
		l.drop(t, fp)
	}
	close(t.ended)
	t.ended, t.locked = nil, nil
	if l.peak > rowLocksRemake && len(l.held) < l.peak/16 {
		// A fresh map sized for what is left (maps.Clone may keep the
		// old table's size).
		held := make(map[uint64]lockHolder, len(l.held))
		maps.Copy(held, l.held)
		l.held, l.peak = held, len(held)
	}
	if len(l.others) == 0 {
		l.others = nil
	}
	l.mu.Unlock()
}

// keyChangedSince reports whether the newest committed version of the
// row of tb under key has another key than the snapshot's version (a
// different value in a column a foreign key can reference) or is gone:
// what fails FOR KEY SHARE in PostgreSQL, which changes of other columns
// do not.
func (t *Txn) keyChangedSince(tb *catalog.Table, key []byte) (bool, error) {
	seen, err := t.readRow(tb, key)
	if err != nil {
		return false, err
	}
	newest := t.e.Begin()
	defer newest.Rollback()
	now, err := newest.readRow(tb, key)
	if err != nil || seen == nil || now == nil {
		return true, err
	}
	return changesKey(tb, seen, now), nil
}

// changesKey reports whether an update of a row of tb from oldRow to
// newRow with the same primary key changes a column a foreign key can
// reference: one of a unique b-tree index without a predicate. Such an
// update locks FOR UPDATE and the others FOR NO KEY UPDATE, as in
// PostgreSQL, which a foreign key check's FOR KEY SHARE lets through.
func changesKey(tb *catalog.Table, oldRow, newRow []types.Datum) bool {
	for i := range tb.Indexes {
		idx := &tb.Indexes[i]
		if idx.Unique && idx.Where == "" && (idx.Method == "btree" || idx.Method == "") &&
			!tb.SameValues(idx.Columns, oldRow, newRow) {
			return true
		}
	}
	return false
}

// committedSince reports whether a commit after readTs wrote the key
// with fingerprint fp, or with refs, locked it for a foreign key check
// (the commits a snapshot at readTs does not see are kept while it is
// open).
func (e *Engine) committedSince(readTs, fp uint64, refs bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.committed {
		if c.ts > readTs && (c.keys.has(fp) || refs && c.refs.has(fp)) {
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
