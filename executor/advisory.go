package executor

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quiverdb/quiver/executor/pgcatalog"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/pgerror"
)

// Advisory locks (pg_advisory_lock and its family) are locks on numbers
// whose meaning only the application knows, as in PostgreSQL: one table
// per server, keyed by database, so the same number in two databases is
// two locks. A session holds a lock at session level (counted, until
// unlocked or the session ends) or at transaction level (until the
// transaction ends), and its own holds never conflict with each other.
//
// Waiters queue in order. A request waits behind an earlier waiter it
// conflicts with, so a stream of shared lockers cannot starve an
// exclusive one, except that a session already holding the lock goes
// ahead of the queue (PostgreSQL lets it jump the waiters its hold
// blocks, which would otherwise deadlock at once).
//
// Deadlocks are looked for as PostgreSQL does: a waiter that has waited
// deadlock_timeout searches the waits-for graph once for a cycle through
// itself and, finding one, fails with 40P01. Row-lock waits (storage's
// rowLocks, per transaction) are not in this graph, so a cycle through a
// row lock and an advisory lock is not detected; lock_timeout or
// statement_timeout end it.

type advisoryMode uint8

const (
	advisoryShare advisoryMode = iota
	advisoryExclusive
)

func advisoryModeOf(shared bool) advisoryMode {
	if shared {
		return advisoryShare
	}
	return advisoryExclusive
}

// String is the mode's name in pg_locks and in messages.
func (m advisoryMode) String() string {
	if m == advisoryShare {
		return "ShareLock"
	}
	return "ExclusiveLock"
}

func (m advisoryMode) conflicts(o advisoryMode) bool {
	return m == advisoryExclusive || o == advisoryExclusive
}

type advisoryTag struct {
	db  uint32
	key builtins.AdvisoryKey
}

func (t advisoryTag) String() string {
	return fmt.Sprintf("advisory lock [%d,%d,%d,%d]", t.db, t.key.ClassID, t.key.ObjID, t.key.ObjSubID)
}

// advisoryHold counts one session's holds of one lock, by mode.
type advisoryHold struct{ session, xact [2]int }

func (h *advisoryHold) holds(m advisoryMode) bool { return h.session[m]+h.xact[m] > 0 }

func (h *advisoryHold) empty() bool { return !h.holds(advisoryShare) && !h.holds(advisoryExclusive) }

type advisoryLock struct {
	holders map[*advisoryOwner]*advisoryHold
	queue   []*advisoryWaiter
}

type advisoryWaiter struct {
	owner *advisoryOwner
	tag   advisoryTag
	mode  advisoryMode
	xact  bool
	start time.Time
	// granted is closed, and done set, when the lock is granted.
	granted chan struct{}
	done    bool
}

// advisoryOwner is one session in the lock table. Its fields other than
// pid and lxid are guarded by the table's mutex.
type advisoryOwner struct {
	pid int32
	// lxid numbers the session's transactions, for pg_locks'
	// virtualtransaction.
	lxid    atomic.Uint32
	held    map[advisoryTag]*advisoryHold
	waiting *advisoryWaiter
}

// advisoryLocks is the server's advisory lock table; the Engine owns one
// (its zero value is ready to use).
type advisoryLocks struct {
	mu    sync.Mutex
	locks map[advisoryTag]*advisoryLock
}

func (t *advisoryLocks) lockOf(tag advisoryTag) *advisoryLock {
	l := t.locks[tag]
	if l == nil {
		if t.locks == nil {
			t.locks = map[advisoryTag]*advisoryLock{}
		}
		l = &advisoryLock{holders: map[*advisoryOwner]*advisoryHold{}}
		t.locks[tag] = l
	}
	return l
}

// conflictsHolders reports whether another session holds the lock in a
// mode that conflicts with m.
func (l *advisoryLock) conflictsHolders(o *advisoryOwner, m advisoryMode) bool {
	for h, hold := range l.holders {
		if h == o {
			continue
		}
		if hold.holds(advisoryExclusive) || m == advisoryExclusive && hold.holds(advisoryShare) {
			return true
		}
	}
	return false
}

func (l *advisoryLock) conflictsWaiters(m advisoryMode) bool {
	for _, w := range l.queue {
		if w.mode.conflicts(m) {
			return true
		}
	}
	return false
}

func (t *advisoryLocks) grant(l *advisoryLock, o *advisoryOwner, tag advisoryTag, m advisoryMode, xact bool) {
	h := l.holders[o]
	if h == nil {
		h = &advisoryHold{}
		l.holders[o] = h
		if o.held == nil {
			o.held = map[advisoryTag]*advisoryHold{}
		}
		o.held[tag] = h
	}
	if xact {
		h.xact[m]++
	} else {
		h.session[m]++
	}
}

// lockTimeouts are the waits a lock request is bounded by besides its
// statement's context.
type lockTimeouts struct{ lock, deadlock time.Duration }

// lock takes the lock for o, waiting unless try. granted is false only
// for a try that found it taken.
func (t *advisoryLocks) lock(ctx context.Context, o *advisoryOwner, tag advisoryTag, m advisoryMode, xact, try bool, to lockTimeouts) (granted bool, err error) {
	t.mu.Lock()
	l := t.lockOf(tag)
	h := l.holders[o]
	if h != nil && h.holds(m) || !l.conflictsHolders(o, m) && (h != nil || !l.conflictsWaiters(m)) {
		t.grant(l, o, tag, m, xact)
		t.mu.Unlock()
		return true, nil
	}
	if try {
		t.dropIfUnused(tag, l)
		t.mu.Unlock()
		return false, nil
	}
	w := &advisoryWaiter{owner: o, tag: tag, mode: m, xact: xact, start: time.Now(), granted: make(chan struct{})}
	if h != nil {
		l.queue = append([]*advisoryWaiter{w}, l.queue...)
	} else {
		l.queue = append(l.queue, w)
	}
	o.waiting = w
	t.mu.Unlock()

	var lockTimer <-chan time.Time
	if to.lock > 0 {
		tm := time.NewTimer(to.lock)
		defer tm.Stop()
		lockTimer = tm.C
	}
	dt := time.NewTimer(to.deadlock)
	defer dt.Stop()
	deadlockTimer := dt.C
	for {
		var err error
		select {
		case <-w.granted:
			return true, nil
		case <-ctx.Done():
			err = canceled(ctx.Err())
		case <-lockTimer:
			err = pgerror.New(pgerror.CodeLockNotAvailable, "canceling statement due to lock timeout")
		case <-deadlockTimer:
			// One search per wait, as PostgreSQL's deadlock timeout: a
			// cycle closed later is found by the waiter that closed it.
			deadlockTimer = nil
		}
		t.mu.Lock()
		if w.done {
			// Granted as the wait ended: the lock is the caller's.
			t.mu.Unlock()
			return true, nil
		}
		if err == nil {
			err = t.deadlock(w)
		}
		if err != nil {
			t.abandon(w)
		}
		t.mu.Unlock()
		if err != nil {
			return false, err
		}
	}
}

// abandon takes a waiter that gave up out of its queue; those behind it
// may go ahead now.
func (t *advisoryLocks) abandon(w *advisoryWaiter) {
	l := t.locks[w.tag]
	for i, x := range l.queue {
		if x == w {
			l.queue = append(l.queue[:i], l.queue[i+1:]...)
			break
		}
	}
	w.owner.waiting = nil
	t.wakeup(w.tag, l)
}

// wakeup grants the lock to the waiters, in queue order, that neither
// its holders nor an earlier waiter block.
func (t *advisoryLocks) wakeup(tag advisoryTag, l *advisoryLock) {
	var ahead [2]bool
	q := l.queue[:0]
	for _, w := range l.queue {
		if !l.conflictsHolders(w.owner, w.mode) && !ahead[advisoryExclusive] && !(w.mode == advisoryExclusive && ahead[advisoryShare]) {
			t.grant(l, w.owner, tag, w.mode, w.xact)
			w.owner.waiting, w.done = nil, true
			close(w.granted)
			continue
		}
		ahead[w.mode] = true
		q = append(q, w)
	}
	clear(l.queue[len(q):])
	l.queue = q
	t.dropIfUnused(tag, l)
}

func (t *advisoryLocks) dropIfUnused(tag advisoryTag, l *advisoryLock) {
	if len(l.holders) == 0 && len(l.queue) == 0 {
		delete(t.locks, tag)
	}
}

// release drops holds of o on tag: one of mode m at the level xact says,
// or with all every hold at that level. It reports whether o held one.
func (t *advisoryLocks) release(o *advisoryOwner, tag advisoryTag, m advisoryMode, xact bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := o.held[tag]
	if h == nil {
		return false
	}
	n := &h.session
	if xact {
		n = &h.xact
	}
	if n[m] == 0 {
		return false
	}
	n[m]--
	if !h.holds(m) {
		t.dropHold(o, tag, h)
	}
	return true
}

// releaseLevel drops every hold of o at session level, transaction
// level, or both.
func (t *advisoryLocks) releaseLevel(o *advisoryOwner, session, xact bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for tag, h := range o.held {
		if session {
			h.session = [2]int{}
		}
		if xact {
			h.xact = [2]int{}
		}
		t.dropHold(o, tag, h)
	}
}

// dropHold wakes the waiters of a lock o held less of, forgetting the
// hold once it is empty.
func (t *advisoryLocks) dropHold(o *advisoryOwner, tag advisoryTag, h *advisoryHold) {
	l := t.locks[tag]
	if h.empty() {
		delete(l.holders, o)
		delete(o.held, tag)
	}
	t.wakeup(tag, l)
}

// deadlock looks for a cycle of waits through w's session and reports it
// with PostgreSQL's 40P01, each step in its DETAIL. A waiter is blocked by
// the other holders of a conflicting mode, and by the earlier waiters of
// one (PostgreSQL would reorder its queue to break a cycle that runs
// through such a waiter alone; here that too is a deadlock).
func (t *advisoryLocks) deadlock(w *advisoryWaiter) error {
	me := w.owner
	blockers := func(o *advisoryOwner) []*advisoryOwner {
		ow := o.waiting
		if ow == nil {
			return nil
		}
		l := t.locks[ow.tag]
		var out []*advisoryOwner
		for h, hold := range l.holders {
			if h != o && (hold.holds(advisoryExclusive) || ow.mode == advisoryExclusive && hold.holds(advisoryShare)) {
				out = append(out, h)
			}
		}
		for _, x := range l.queue {
			if x == ow {
				break
			}
			if x.mode.conflicts(ow.mode) {
				out = append(out, x.owner)
			}
		}
		return out
	}
	visited := map[*advisoryOwner]bool{}
	var path []*advisoryOwner
	var search func(o *advisoryOwner) bool
	search = func(o *advisoryOwner) bool {
		path = append(path, o)
		for _, b := range blockers(o) {
			if b == me {
				return true
			}
			if !visited[b] {
				visited[b] = true
				if search(b) {
					return true
				}
			}
		}
		path = path[:len(path)-1]
		return false
	}
	visited[me] = true
	if !search(me) {
		return nil
	}
	var detail strings.Builder
	for i, o := range path {
		next := path[(i+1)%len(path)]
		if i > 0 {
			detail.WriteByte('\n')
		}
		fmt.Fprintf(&detail, "Process %d waits for %s on %s; blocked by process %d.", o.pid, o.waiting.mode, o.waiting.tag, next.pid)
	}
	return pgerror.New(pgerror.CodeDeadlockDetected, "deadlock detected").
		WithDetail("%s", detail.String()).WithHint("See server log for query details.")
}

// rows lists the locks as pg_locks shows them: a row per session and mode
// held, and one per waiter.
func (t *advisoryLocks) rows() []pgcatalog.Lock {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []pgcatalog.Lock
	vxid := func(o *advisoryOwner) string { return fmt.Sprintf("%d/%d", o.pid, o.lxid.Load()) }
	for tag, l := range t.locks {
		for o, h := range l.holders {
			for _, m := range []advisoryMode{advisoryShare, advisoryExclusive} {
				if h.holds(m) {
					out = append(out, pgcatalog.Lock{Database: tag.db, Key: tag.key, VirtualXact: vxid(o), PID: o.pid, Mode: m.String(), Granted: true})
				}
			}
		}
		for _, w := range l.queue {
			out = append(out, pgcatalog.Lock{Database: tag.db, Key: tag.key, VirtualXact: vxid(w.owner), PID: w.owner.pid, Mode: w.mode.String(), WaitStart: w.start})
		}
	}
	return out
}

// sessionAdvisory is a session's part in the advisory lock table.
type sessionAdvisory struct {
	owner *advisoryOwner // nil until the session first locks
	// xact lists the open transaction's transaction-level locks in the
	// order taken, so ROLLBACK TO releases those taken after the
	// savepoint, as PostgreSQL's subtransaction abort does.
	xact []advisoryTaken
}

type advisoryTaken struct {
	tag  advisoryTag
	mode advisoryMode
}

func (s *Session) advisoryTag(key builtins.AdvisoryKey) advisoryTag {
	return advisoryTag{db: uint32(s.db.ID), key: key}
}

// AdvisoryLock implements builtins.AdvisoryLocker.
func (s *Session) AdvisoryLock(ctx context.Context, r builtins.AdvisoryLockRequest) (bool, error) {
	if s.advisory.owner == nil {
		s.advisory.owner = &advisoryOwner{pid: s.pid}
	}
	var to lockTimeouts
	var err error
	if to.lock, err = ParseTimeSetting("lock_timeout", s.Setting0("lock_timeout")); err != nil {
		return false, err
	}
	if to.deadlock, err = parseTimeSettingMin("deadlock_timeout", s.Setting0("deadlock_timeout"), 1); err != nil {
		return false, err
	}
	tag, m := s.advisoryTag(r.Key), advisoryModeOf(r.Shared)
	ok, err := s.eng.advisory.lock(ctx, s.advisory.owner, tag, m, r.Xact, r.Try, to)
	if ok && r.Xact {
		s.advisory.xact = append(s.advisory.xact, advisoryTaken{tag, m})
	}
	return ok, err
}

// AdvisoryUnlock implements builtins.AdvisoryLocker.
func (s *Session) AdvisoryUnlock(key builtins.AdvisoryKey, shared bool) bool {
	m := advisoryModeOf(shared)
	if s.advisory.owner == nil || !s.eng.advisory.release(s.advisory.owner, s.advisoryTag(key), m, false) {
		s.warning("you don't own a lock of type %s", m)
		return false
	}
	return true
}

// AdvisoryUnlockAll implements builtins.AdvisoryLocker.
func (s *Session) AdvisoryUnlockAll() {
	if s.advisory.owner != nil {
		s.eng.advisory.releaseLevel(s.advisory.owner, true, false)
	}
}

// advisoryTxnEnded releases the ended transaction's transaction-level
// locks.
func (s *Session) advisoryTxnEnded() {
	o := s.advisory.owner
	if o == nil {
		return
	}
	o.lxid.Add(1)
	if len(s.advisory.xact) > 0 {
		s.eng.advisory.releaseLevel(o, false, true)
		s.advisory.xact = nil
	}
}

// advisoryRollbackTo releases the transaction-level locks taken after a
// savepoint that is rolled back to (mark is how many were taken before).
func (s *Session) advisoryRollbackTo(mark int) {
	for i := len(s.advisory.xact) - 1; i >= mark; i-- {
		x := s.advisory.xact[i]
		s.eng.advisory.release(s.advisory.owner, x.tag, x.mode, true)
	}
	if mark < len(s.advisory.xact) {
		s.advisory.xact = s.advisory.xact[:mark]
	}
}

// advisoryClosed releases every lock of an ending session.
func (s *Session) advisoryClosed() {
	if s.advisory.owner != nil {
		s.eng.advisory.releaseLevel(s.advisory.owner, true, true)
		s.advisory.xact = nil
	}
}

// advisoryLockRows is the pg_locks source of catalog contexts.
func (s *Session) advisoryLockRows() []pgcatalog.Lock { return s.eng.advisory.rows() }

var _ builtins.AdvisoryLocker = (*Session)(nil)
