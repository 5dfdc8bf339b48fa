package executor

import (
	"context"
	"time"

	"github.com/quiverdb/quiver/executor/pgcatalog"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/pgerror"
)

// Backends is what the server lets a session see and do to the server's
// other sessions: pg_cancel_backend, pg_terminate_backend and
// pg_stat_activity reach them through it. The server passes it in
// SessionOptions; without one a session knows only itself.
type Backends interface {
	// CancelBackend cancels the running statement of the session with
	// this PID; false when there is none.
	CancelBackend(pid int32) bool
	// TerminateBackend ends the session with this PID (its client gets
	// 57P01); false when there is none.
	TerminateBackend(pid int32) bool
	// Activity lists the sessions as pg_stat_activity shows them.
	Activity() []BackendActivity
}

// BackendActivity is one session as pg_stat_activity shows it.
type BackendActivity = pgcatalog.Activity

// terminateWaitPoll is how often pg_terminate_backend(pid, timeout) looks
// for the session to be gone.
const terminateWaitPoll = 5 * time.Millisecond

// SignalBackend implements builtins.BackendSignaler: it cancels the
// statement of, or terminates, the session with this PID. As in
// PostgreSQL an unknown PID is a WARNING and false, and with a wait the
// call returns true only once the session has ended.
func (s *Session) SignalBackend(ctx context.Context, pid int32, terminate bool, wait time.Duration) (bool, error) {
	var ok bool
	switch {
	case s.backends == nil:
	case terminate:
		ok = s.backends.TerminateBackend(pid)
	default:
		ok = s.backends.CancelBackend(pid)
	}
	if !ok {
		s.warning("PID %d is not a PostgreSQL backend process", pid)
		return false, nil
	}
	if !terminate || wait <= 0 || pid == s.pid {
		return true, nil
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(terminateWaitPoll)
	defer tick.Stop()
	for {
		if !s.backendExists(pid) {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return false, pgerror.New(pgerror.CodeQueryCanceled, "canceling statement due to user request")
		case <-deadline.C:
			s.warning("backend with PID %d did not terminate within %d milliseconds", pid, wait.Milliseconds())
			return false, nil
		case <-tick.C:
		}
	}
}

func (s *Session) backendExists(pid int32) bool {
	for _, a := range s.backends.Activity() {
		if a.PID == pid {
			return true
		}
	}
	return false
}

// warning queues a WARNING-level notice for the client.
func (s *Session) warning(format string, args ...any) {
	w := pgerror.Notice(format, args...)
	w.Severity, w.Code = "WARNING", pgerror.CodeWarning
	s.notices = append(s.notices, w)
}

// activity is the pg_stat_activity source of catalog contexts: the
// server's list when it gave one.
func (s *Session) activity() func() []pgcatalog.Activity {
	if s.backends == nil {
		return nil
	}
	return s.backends.Activity
}

var _ builtins.BackendSignaler = (*Session)(nil)
