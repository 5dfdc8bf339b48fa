package server

import (
	"cmp"
	"net"
	"slices"
	"time"

	"github.com/quiverdb/quiver/executor"
	"github.com/quiverdb/quiver/sql/pgerror"
)

// activity is what pg_stat_activity shows of a connection. The
// connection's goroutine writes it and other sessions read it, both under
// conn.mu.
type activity struct {
	database, user, app string
	backendStart        time.Time
	xactStart           time.Time
	queryStart          time.Time
	stateChange         time.Time
	state, query        string
}

var _ executor.Backends = (*Server)(nil)

// Activity lists the sessions for pg_stat_activity, in PID order.
func (s *Server) Activity() []executor.BackendActivity {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.byPID))
	for _, c := range s.byPID {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	out := make([]executor.BackendActivity, 0, len(conns))
	for _, c := range conns {
		a := executor.BackendActivity{PID: c.pid}
		if tcp, ok := c.nc.RemoteAddr().(*net.TCPAddr); ok {
			a.ClientAddr, a.ClientPort = tcp.IP.String(), int32(tcp.Port)
		}
		c.mu.Lock()
		act := c.act
		c.mu.Unlock()
		a.Database, a.User, a.ApplicationName = act.database, act.user, act.app
		a.BackendStart, a.XactStart, a.QueryStart, a.StateChange = act.backendStart, act.xactStart, act.queryStart, act.stateChange
		a.State, a.Query = act.state, act.query
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b executor.BackendActivity) int { return cmp.Compare(a.PID, b.PID) })
	return out
}

// activityStart records the session before it becomes visible.
func (c *conn) activityStart(opts executor.SessionOptions) {
	now := time.Now()
	c.mu.Lock()
	c.act = activity{database: opts.Database, user: opts.User, app: opts.Settings["application_name"],
		backendStart: now, stateChange: now, state: "idle"}
	c.mu.Unlock()
}

// activityBegin marks a statement (a Query or an Execute) as running.
func (c *conn) activityBegin(query string) {
	now := time.Now()
	c.mu.Lock()
	if c.act.xactStart.IsZero() {
		c.act.xactStart = now
	}
	c.act.queryStart, c.act.stateChange = now, now
	c.act.state, c.act.query = "active", query
	c.mu.Unlock()
}

// activityIdle records the state ReadyForQuery reports.
func (c *conn) activityIdle(txStatus byte) {
	state := "idle"
	switch txStatus {
	case 'T':
		state = "idle in transaction"
	case 'E':
		state = "idle in transaction (aborted)"
	}
	now := time.Now()
	c.mu.Lock()
	if txStatus == 'I' {
		c.act.xactStart = time.Time{}
	}
	if c.act.state != state {
		c.act.stateChange = now
	}
	c.act.state = state
	c.cancelPending = false
	c.mu.Unlock()
}

// activityApplicationName follows SET application_name.
func (c *conn) activityApplicationName(changed map[string]string) {
	for k, v := range changed {
		if canonicalParam(k) == "application_name" {
			c.mu.Lock()
			c.act.app = v
			c.mu.Unlock()
		}
	}
}

// portalSQL is the statement text of a portal, for pg_stat_activity.
func (c *conn) portalSQL(name string) string {
	if p, ok := c.portals[name]; ok {
		return p.prep.Parsed.SQL
	}
	return ""
}

// armIdleTimeout bounds the wait for the next message by
// idle_in_transaction_session_timeout when the session sits in a
// transaction block after ReadyForQuery, as PostgreSQL arms its timer
// only there. It reports whether a deadline was set.
func (c *conn) armIdleTimeout() bool {
	if !c.readySent || c.sess == nil || c.sess.TxnStatus() == 'I' {
		return false
	}
	ss, ok := c.sess.(settingSession)
	if !ok {
		return false
	}
	v, ok := ss.Setting("idle_in_transaction_session_timeout")
	if !ok {
		return false
	}
	d := parseTimeout(v)
	if d <= 0 {
		return false
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(d))
	return true
}

func idleInTransactionTimeoutError() *pgerror.Error {
	return pgerror.New(pgerror.CodeIdleInTransactionTimeout, "terminating connection due to idle-in-transaction timeout")
}
