package server

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/executor"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// Start-up packet codes (PostgreSQL's pqcomm.h).
const (
	protocol30        = 3 << 16
	sslRequestCode    = 80877103
	gssEncRequestCode = 80877104
	cancelRequestCode = 80877102
	maxStartupPacket  = 10000
)

// flushThreshold is how much output a connection buffers before writing it
// out in the middle of a result, so large results stream.
const flushThreshold = 64 << 10

// defaultParameterStatus is what the connection reports at start-up when
// the session reports nothing for a name; drivers and psql read these.
var defaultParameterStatus = map[string]string{
	"server_version":              "15.0 (Quiver 0.1.0)",
	"server_encoding":             "UTF8",
	"client_encoding":             "UTF8",
	"DateStyle":                   "ISO, MDY",
	"integer_datetimes":           "on",
	"standard_conforming_strings": "on",
	"TimeZone":                    "UTC",
	"application_name":            "",
	"is_superuser":                "on",
	"IntervalStyle":               "postgres",
}

// conn is one client connection; its goroutine owns everything but the
// fields under mu.
type conn struct {
	srv *Server
	nc  net.Conn
	rd  *bufio.Reader
	be  *pgproto3.Backend
	log *slog.Logger

	sess   Session
	pid    int32
	secret []byte
	// role is the authenticated role, counted in Server.roleSessions.
	role string
	// tlsConn is the encrypted stream after an SSLRequest was accepted;
	// nc stays the raw connection (deadlines and Close reach both).
	tlsConn *tls.Conn

	// pending counts bytes sent but not flushed.
	pending int
	// rowBuf is reused to encode each DataRow's values (Send copies them
	// into the output buffer at once).
	rowBuf    []byte
	rowValues [][]byte
	// timeoutSetting and timeout cache the last statement_timeout value
	// parsed, which rarely changes between statements.
	timeoutSetting string
	timeout        time.Duration

	// Extended protocol state.
	stmts          map[string]*executor.Prepared
	portals        map[string]*portal
	ignoreTillSync bool
	// batchImplicit is set while an extended-protocol batch runs in an
	// implicit transaction that Sync ends.
	batchImplicit bool
	// copyBroken is set when reading COPY data failed: the connection
	// cannot continue.
	copyBroken bool

	// terminated is set by TerminateBackend: the session ends as at
	// shutdown.
	terminated atomic.Bool
	// readySent is set between a ReadyForQuery and the next message: the
	// only wait idle_in_transaction_session_timeout bounds.
	readySent bool

	mu sync.Mutex
	// cancelStmt cancels the statement running now (nil when idle).
	cancelStmt context.CancelFunc
	// act is what pg_stat_activity shows of this session.
	act activity
	// cancelPending is a cancel that arrived between a query's arrival
	// and its statement's start; ReadyForQuery drops it.
	cancelPending bool

	// notifyMu guards notifyIdle and, while it is set, writing: the
	// notifier goroutine sends NOTIFYs only between a ReadyForQuery
	// outside a transaction and the next message (server/notify.go).
	notifyMu   sync.Mutex
	notifyIdle bool
}

// ending reports whether the session must end with 57P01 (shutdown or
// TerminateBackend).
func (c *conn) ending() bool { return c.srv.closing.Load() || c.terminated.Load() }

func newConn(s *Server, nc net.Conn) *conn {
	rd := bufio.NewReader(nc)
	c := &conn{
		srv:     s,
		nc:      nc,
		rd:      rd,
		be:      pgproto3.NewBackend(rd, nc),
		log:     s.log.With("remote", nc.RemoteAddr().String()),
		stmts:   map[string]*executor.Prepared{},
		portals: map[string]*portal{},
	}
	c.be.SetMaxBodyLen(s.cfg.MaxMessageSize)
	return c
}

// wake interrupts a read so the connection notices the shutdown.
func (c *conn) wake() { _ = c.nc.SetReadDeadline(time.Now()) }

func (c *conn) cancelRunning() {
	c.mu.Lock()
	if c.cancelStmt != nil {
		c.cancelStmt()
	} else if c.act.state == "active" {
		// The query arrived but its statement has not started: cancel it
		// when it does, as PostgreSQL's pending interrupt would.
		c.cancelPending = true
	}
	c.mu.Unlock()
}

// running marks cancel as the current statement's, until the returned func
// is called.
func (c *conn) running(cancel context.CancelFunc) func() {
	c.mu.Lock()
	c.cancelStmt = cancel
	if c.cancelPending {
		c.cancelPending = false
		cancel()
	}
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		c.cancelStmt = nil
		c.mu.Unlock()
	}
}

func (c *conn) serve() {
	defer c.srv.untrack(c)
	defer func() {
		if r := recover(); r != nil {
			// Only protocol plumbing runs outside the per-message recover;
			// a bug there ends this connection, never the server.
			c.log.Error("panic in connection", "panic", r, "stack", string(debug.Stack()))
		}
		c.closeSession()
		_ = c.nc.Close()
	}()
	if !c.startup() {
		return
	}
	c.loop()
}

func (c *conn) closeSession() {
	for name, p := range c.portals {
		p.close()
		delete(c.portals, name)
	}
	if c.sess != nil {
		func() {
			defer func() {
				if r := recover(); r != nil {
					c.log.Error("panic closing session", "panic", r, "stack", string(debug.Stack()))
				}
			}()
			c.sess.Close()
		}()
		c.sess = nil
	}
}

// fatal sends a FATAL report and flushes it; the caller closes.
func (c *conn) fatal(pe *pgerror.Error) {
	// It may follow a ReadyForQuery: the notifier must stop writing first.
	c.notifyBusy()
	c.be.Send(errorResponse(pe, "FATAL"))
	if err := c.be.Flush(); err != nil {
		c.log.Debug("sending fatal error", "err", err)
	}
}

// readStartupPacket reads one length-prefixed start-up packet. It is read
// here rather than by the Backend so versions and codes pgproto3 does not
// know still get PostgreSQL's answer.
func (c *conn) readStartupPacket() ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(c.rd, hdr[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[:]))) - 4
	if n < 4 || n > maxStartupPacket {
		return nil, pgerror.New(pgerror.CodeProtocolViolation, "invalid length of startup packet")
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(c.rd, body); err != nil {
		return nil, err
	}
	return body, nil
}

// startup runs the start-up phase; false means the connection is done.
func (c *conn) startup() bool {
	// A client that connects and never speaks must not hold a slot forever.
	_ = c.nc.SetReadDeadline(time.Now().Add(time.Minute))
	if c.srv.closing.Load() {
		// Shutdown may have woken this connection before the deadline
		// above replaced its wake-up.
		return false
	}
	var params map[string]string
	for params == nil {
		body, err := c.readStartupPacket()
		if err != nil {
			var pe *pgerror.Error
			if errors.As(err, &pe) {
				c.fatal(pe)
			}
			c.log.Debug("reading startup packet", "err", err)
			return false
		}
		code := binary.BigEndian.Uint32(body)
		switch {
		case (code == sslRequestCode || code == gssEncRequestCode) && c.tlsConn == nil:
			if c.rd.Buffered() > 0 {
				// Data after the request would be read as plaintext the
				// client meant to encrypt (CVE-2021-23222's lesson).
				c.fatal(pgerror.New(pgerror.CodeProtocolViolation, "received unencrypted data after SSL request"))
				return false
			}
			if code == sslRequestCode && c.srv.cfg.TLS != nil {
				if !c.startTLS() {
					return false
				}
				continue
			}
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return false
			}
			continue
		case code == cancelRequestCode:
			var m pgproto3.CancelRequest
			if err := m.Decode(body); err != nil {
				return false
			}
			c.srv.cancel(int32(m.ProcessID), m.SecretKey)
			return false
		}
		major, minor := code>>16, code&0xffff
		if major != 3 {
			c.fatal(pgerror.New(pgerror.CodeFeatureNotSupported,
				"unsupported frontend protocol %d.%d: server supports 3.0 to 3.0", major, minor))
			return false
		}
		params, err = decodeStartupParams(body[4:])
		if err != nil {
			c.fatal(toPgError(err))
			return false
		}
		if minor > 0 {
			c.negotiateProtocol(params)
		}
	}
	_ = c.nc.SetReadDeadline(time.Time{})
	if c.srv.closing.Load() {
		c.fatal(pgerror.New(pgerror.CodeAdminShutdown, "the database system is shutting down"))
		return false
	}
	opts, err := sessionOptions(params)
	if err != nil {
		c.fatal(toPgError(err))
		return false
	}
	if c.srv.cfg.TLSRequired && c.tlsConn == nil {
		c.fatal(tlsRequiredError(c.nc.RemoteAddr(), opts.User, opts.Database))
		return false
	}
	opts.Backends = c.srv
	c.activityStart(opts)
	if !c.srv.register(c) {
		c.fatal(pgerror.New(pgerror.CodeTooManyConnections, "sorry, too many clients already"))
		return false
	}
	opts.BackendPID = c.pid
	c.log = c.log.With("pid", c.pid, "user", opts.User, "database", opts.Database)
	if !c.authenticate(opts.User) {
		return false
	}
	c.be.Send(&pgproto3.AuthenticationOk{})
	var sess Session
	err = c.guard(func() error {
		var err error
		sess, err = c.srv.sessions.NewSession(c.srv.baseCtx, opts)
		return err
	})
	if err != nil {
		c.fatal(toPgError(err))
		return false
	}
	c.sess = sess
	status := map[string]string{}
	for k, v := range defaultParameterStatus {
		status[k] = v
	}
	status["session_authorization"] = opts.User
	if v, ok := opts.Settings["application_name"]; ok {
		status["application_name"] = v
	}
	for k, v := range sess.ParameterStatus() {
		if v != "" {
			status[canonicalParam(k)] = v
		}
	}
	names := make([]string, 0, len(status))
	for k := range status {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c.be.Send(&pgproto3.ParameterStatus{Name: k, Value: status[k]})
	}
	c.be.Send(&pgproto3.BackendKeyData{ProcessID: uint32(c.pid), SecretKey: c.secret})
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: sess.TxnStatus()})
	if err := c.be.Flush(); err != nil {
		c.log.Debug("sending startup response", "err", err)
		return false
	}
	c.log.Debug("session started")
	return true
}

// canonicalParam spells reported parameters as PostgreSQL does (the
// executor keys settings in lower case).
func canonicalParam(name string) string {
	for k := range defaultParameterStatus {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// negotiateProtocol answers a 3.x (x > 0) start-up as PostgreSQL 15 does:
// it speaks 3.0 and lists the _pq_ options it did not recognise.
func (c *conn) negotiateProtocol(params map[string]string) {
	var unknown []string
	for k := range params {
		if strings.HasPrefix(k, "_pq_.") {
			unknown = append(unknown, k)
			delete(params, k)
		}
	}
	sort.Strings(unknown)
	c.be.Send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unknown})
}

// decodeStartupParams reads the name/value pairs of a StartupMessage.
func decodeStartupParams(b []byte) (map[string]string, error) {
	params := map[string]string{}
	for len(b) > 0 {
		i := indexNUL(b)
		if i < 0 {
			return nil, pgerror.New(pgerror.CodeProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
		}
		if i == 0 {
			if len(b) != 1 {
				return nil, pgerror.New(pgerror.CodeProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
			}
			return params, nil
		}
		name := string(b[:i])
		b = b[i+1:]
		j := indexNUL(b)
		if j < 0 {
			return nil, pgerror.New(pgerror.CodeProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
		}
		params[name] = string(b[:j])
		b = b[j+1:]
	}
	return nil, pgerror.New(pgerror.CodeProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
}

func indexNUL(b []byte) int {
	for i, x := range b {
		if x == 0 {
			return i
		}
	}
	return -1
}

// sessionOptions turns start-up parameters into session options: user and
// database, plus every other parameter and each `options` setting.
func sessionOptions(params map[string]string) (executor.SessionOptions, error) {
	opts := executor.SessionOptions{User: params["user"], Database: params["database"], Settings: map[string]string{}}
	if opts.User == "" {
		return opts, pgerror.New(pgerror.CodeInvalidAuthorization, "no PostgreSQL user name specified in startup packet")
	}
	if opts.Database == "" {
		opts.Database = opts.User
	}
	for k, v := range params {
		switch k {
		case "user", "database", "options", "replication":
			continue
		}
		opts.Settings[k] = v
	}
	if o := params["options"]; o != "" {
		settings, err := parseOptions(o)
		if err != nil {
			return opts, err
		}
		for k, v := range settings {
			opts.Settings[k] = v
		}
	}
	return opts, nil
}

// parseOptions reads the `options` start-up parameter: words separated by
// spaces (a backslash escapes the next character), each `-c name=value`,
// `-cname=value` or `--name=value`. Dashes in names become underscores, as
// in PostgreSQL.
func parseOptions(s string) (map[string]string, error) {
	var words []string
	var cur strings.Builder
	inWord, escaped := false, false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped, inWord = true, true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	out := map[string]string{}
	for i := 0; i < len(words); i++ {
		w := words[i]
		var kv string
		switch {
		case w == "-c":
			if i+1 >= len(words) {
				return nil, pgerror.New(pgerror.CodeSyntaxError, "invalid command-line argument for server process: %s", w).
					WithHint("Try \"postgres --help\" for more information.")
			}
			i++
			kv = words[i]
		case strings.HasPrefix(w, "--"):
			kv = w[2:]
		case strings.HasPrefix(w, "-c"):
			kv = w[2:]
		default:
			return nil, pgerror.New(pgerror.CodeSyntaxError, "invalid command-line argument for server process: %s", w).
				WithHint("Try \"postgres --help\" for more information.")
		}
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			if !ok {
				return nil, pgerror.New(pgerror.CodeSyntaxError, "-c %s requires a value", kv)
			}
			return nil, pgerror.New(pgerror.CodeSyntaxError, "invalid command-line argument for server process: %s", w)
		}
		out[strings.ReplaceAll(name, "-", "_")] = value
	}
	return out, nil
}

// guard runs f, turning a panic into an XX000 error after logging it with
// its stack, so one session's bug never takes down the server.
func (c *conn) guard(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("panic in session", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = pgerror.New(pgerror.CodeInternal, "internal error: %v", r)
		}
	}()
	return f()
}

// loop reads and answers messages until Terminate, EOF or shutdown.
func (c *conn) loop() {
	defer c.startNotifier()()
	for {
		idleArmed := c.armIdleTimeout()
		if idleArmed && c.ending() {
			// Shutdown's wake-up may have been overwritten by the deadline.
			c.fatal(pgerror.New(pgerror.CodeAdminShutdown, "terminating connection due to administrator command"))
			return
		}
		msg, err := c.be.Receive()
		if c.readySent {
			// The first message after ReadyForQuery: work starts.
			wakePoller()
		}
		c.notifyBusy()
		c.readySent = false
		if idleArmed {
			_ = c.nc.SetReadDeadline(time.Time{})
		}
		if err != nil {
			if idleArmed && errors.Is(err, os.ErrDeadlineExceeded) && !c.ending() {
				c.log.Info("idle-in-transaction timeout")
				c.fatal(idleInTransactionTimeoutError())
				return
			}
			c.receiveFailed(err)
			return
		}
		var ok bool
		switch m := msg.(type) {
		case *pgproto3.Terminate:
			c.log.Debug("client terminated the session")
			return
		case *pgproto3.Sync:
			ok = c.handleSync()
		default:
			if c.ignoreTillSync {
				continue
			}
			switch m := m.(type) {
			case *pgproto3.Query:
				c.activityBegin(m.String)
				ok = c.handleQuery(m.String)
			case *pgproto3.Parse:
				ok = c.extended(func() error { return c.handleParse(m) })
			case *pgproto3.Bind:
				ok = c.extended(func() error { return c.handleBind(m) })
			case *pgproto3.Describe:
				ok = c.extended(func() error { return c.handleDescribe(m) })
			case *pgproto3.Execute:
				c.activityBegin(c.portalSQL(m.Portal))
				ok = c.extended(func() error { return c.handleExecute(m) })
			case *pgproto3.Close:
				ok = c.extended(func() error { return c.handleClose(m) })
			case *pgproto3.Flush:
				ok = c.flush() == nil
			case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
				// PostgreSQL ignores these outside COPY: they are what is
				// left of a COPY that already failed.
				ok = true
			case *pgproto3.FunctionCall:
				ok = c.extended(func() error {
					return pgerror.New(pgerror.CodeFeatureNotSupported, "fastpath function calls are not supported")
				})
			default:
				c.fatal(pgerror.New(pgerror.CodeProtocolViolation, "invalid frontend message type %T", msg))
				return
			}
		}
		if !ok {
			return
		}
		if c.ending() {
			c.fatal(pgerror.New(pgerror.CodeAdminShutdown, "terminating connection due to administrator command"))
			return
		}
	}
}

// receiveFailed reports why reading stopped, when the client can still be
// told.
func (c *conn) receiveFailed(err error) {
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	switch {
	case c.ending():
		c.fatal(pgerror.New(pgerror.CodeAdminShutdown, "terminating connection due to administrator command"))
	case errors.As(err, &tooBig):
		c.log.Warn("message too large", "size", tooBig.ActualBodyLen, "max", tooBig.MaxExpectedBodyLen)
		c.fatal(pgerror.New(pgerror.CodeProgramLimitExceeded, "message of %d bytes exceeds the maximum message size of %d bytes",
			tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), errors.Is(err, os.ErrDeadlineExceeded):
		c.log.Debug("connection closed", "err", err)
	default:
		c.log.Debug("invalid message", "err", err)
		c.fatal(pgerror.New(pgerror.CodeProtocolViolation, "invalid frontend message: %v", err))
	}
}

// send queues a message, writing out the buffer when it grows large.
func (c *conn) send(msg pgproto3.BackendMessage, size int) error {
	c.be.Send(msg)
	c.pending += size
	if c.pending >= flushThreshold {
		return c.flush()
	}
	return nil
}

func (c *conn) flush() error {
	c.pending = 0
	if err := c.be.Flush(); err != nil {
		return fmt.Errorf("writing to client: %w", err)
	}
	return nil
}

// sendNotices forwards notices raised by the last statement.
func (c *conn) sendNotices() {
	for _, n := range c.sess.TakeNotices() {
		c.be.Send(noticeResponse(n))
	}
}

// sendChangedParameters reports settings changed since the last report; as
// in PostgreSQL this happens just before ReadyForQuery.
func (c *conn) sendChangedParameters() {
	changed := c.sess.ChangedParameters()
	if len(changed) == 0 {
		return
	}
	c.activityApplicationName(changed)
	names := make([]string, 0, len(changed))
	for k := range changed {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c.be.Send(&pgproto3.ParameterStatus{Name: canonicalParam(k), Value: changed[k]})
	}
}

// sendError reports err; during shutdown the report is the FATAL 57P01 the
// loop sends afterwards instead.
func (c *conn) sendError(err error) {
	if c.ending() {
		return
	}
	c.be.Send(errorResponse(toPgError(err), ""))
}

func (c *conn) readyForQuery() bool {
	if c.ending() {
		// The session ends here; PostgreSQL tells the client why instead of
		// inviting another query.
		c.fatal(pgerror.New(pgerror.CodeAdminShutdown, "terminating connection due to administrator command"))
		return false
	}
	c.sendChangedParameters()
	status := c.sess.TxnStatus()
	c.activityIdle(status)
	if err := c.sendReady(status); err != nil {
		c.log.Debug("sending ReadyForQuery", "err", err)
		return false
	}
	c.readySent = true
	return true
}

// handleQuery runs a simple-protocol query string.
func (c *conn) handleQuery(sql string) bool {
	// A simple query ends any extended-protocol batch state PostgreSQL would
	// drop: the unnamed statement and portal.
	c.dropUnnamed()
	var writeErr error
	// A Query in the middle of an extended batch (no Sync yet) ends the
	// batch's implicit transaction with its own, as in PostgreSQL.
	implicitStarted := c.batchImplicit
	c.batchImplicit = false
	err := c.guard(func() error {
		stmts, err := c.sess.Parse(sql)
		if err != nil {
			return err
		}
		implicit, _ := c.sess.(implicitTxnSession)
		if len(stmts) > 1 && implicit != nil && !implicitStarted {
			implicit.StartImplicit()
			implicitStarted = true
		}
		for _, st := range stmts {
			if _, ok := st.Stmt.(*tree.Empty); ok {
				writeErr = c.send(&pgproto3.EmptyQueryResponse{}, 5)
				continue
			}
			if err := c.runSimple(st, &writeErr); err != nil {
				return err
			}
			if writeErr != nil {
				return nil
			}
		}
		if implicitStarted && implicit != nil {
			if err := implicit.EndImplicit(c.srv.baseCtx); err != nil {
				return err
			}
		}
		return nil
	})
	if writeErr != nil {
		c.log.Debug("writing result", "err", writeErr)
		return false
	}
	if err != nil {
		c.statementFailed(implicitStarted)
	}
	c.sendNotices()
	if err != nil {
		c.sendError(err)
	}
	return c.readyForQuery()
}

// runSimple runs one statement of a simple query, sending its rows in text
// format. An error it returns ends the query string.
func (c *conn) runSimple(st parsedStmt, writeErr *error) error {
	ctx, cancel := c.statementContext()
	defer cancel()
	defer c.running(cancel)()
	if n, ok := st.Stmt.(*tree.Copy); ok {
		return c.runCopy(ctx, st, n, writeErr)
	}
	prep, err := c.sess.Prepare(ctx, st, nil)
	if err != nil {
		return err
	}
	res, err := c.sess.Execute(ctx, prep, nil)
	if err != nil {
		return err
	}
	finished := false
	defer func() {
		if !finished {
			// A panic while streaming: the result must still release its
			// transaction (Close is idempotent).
			_ = res.Close()
		}
	}()
	c.sendNotices()
	cols := res.Columns()
	if cols != nil {
		if *writeErr = c.send(rowDescription(cols, nil), 64*len(cols)); *writeErr != nil {
			_ = res.Close()
			return nil
		}
	}
	_, err = c.streamRows(ctx, res, cols, nil, 0, writeErr)
	finished = true
	if err != nil {
		return err
	}
	if *writeErr != nil {
		return nil
	}
	c.sendNotices()
	*writeErr = c.send(&pgproto3.CommandComplete{CommandTag: []byte(res.Tag())}, 32)
	return nil
}

// statementContext is the context of one statement: cancelled by a
// CancelRequest or Shutdown, and bounded by statement_timeout.
func (c *conn) statementContext() (context.Context, context.CancelFunc) {
	if ss, ok := c.sess.(settingSession); ok {
		if v, ok := ss.Setting("statement_timeout"); ok {
			if v != c.timeoutSetting {
				c.timeoutSetting, c.timeout = v, parseTimeout(v)
			}
			if d := c.timeout; d > 0 {
				return context.WithTimeout(c.srv.baseCtx, d)
			}
		}
	}
	return context.WithCancel(c.srv.baseCtx)
}

// parseTimeout reads a time setting's value; anything SET would refuse is
// no timeout.
func parseTimeout(v string) time.Duration {
	d, err := executor.ParseTimeSetting("", v)
	if err != nil {
		return 0
	}
	return d
}

// streamRows sends up to limit rows (all when limit is 0). It returns true
// when the result is exhausted, in which case it has been closed; an error
// also closes it.
func (c *conn) streamRows(ctx context.Context, res executor.Result, cols []executor.ResultColumn, formats []int16, limit int64, writeErr *error) (done bool, err error) {
	// buf starts non-nil so an empty first value is not taken for NULL.
	if c.rowBuf == nil {
		c.rowBuf = make([]byte, 0, 256)
	}
	buf, values := c.rowBuf, c.rowValues
	defer func() {
		// Keep what grew for the next result, within reason.
		if cap(buf) <= 64<<10 {
			c.rowBuf = buf[:0]
		}
		clear(values)
		c.rowValues = values[:0]
	}()
	var n int64
	for limit <= 0 || n < limit {
		row, err := res.Next(ctx)
		if err != nil {
			_ = res.Close()
			return true, err
		}
		if row == nil {
			if err := res.Close(); err != nil {
				return true, err
			}
			return true, nil
		}
		n++
		// Send encodes the message into the output buffer at once, so the
		// value buffer and slice are reused for every row.
		buf = buf[:0]
		values = values[:0]
		for i, d := range row {
			if d == nil || types.IsNull(d) {
				values = append(values, nil)
				continue
			}
			var t *types.T
			if i < len(cols) {
				t = cols[i].Type
			}
			if t == nil {
				t = types.Text
			}
			start := len(buf)
			if formatFor(formats, i) == 1 {
				buf, err = types.EncodeBinary(buf, t, d)
				if err != nil {
					_ = res.Close()
					return true, err
				}
			} else {
				buf = types.AppendText(buf, t, d)
			}
			// A non-NULL empty value must stay non-nil to be sent as
			// length 0 rather than NULL.
			values = append(values, buf[start:len(buf):len(buf)])
		}
		// Earlier values may point into an older array if buf grew; it
		// stays alive until Send has copied them.
		if *writeErr = c.send(&pgproto3.DataRow{Values: values}, len(buf)+4*len(values)+7); *writeErr != nil {
			_ = res.Close()
			return true, nil
		}
	}
	return false, nil
}

// formatFor returns the format code of column i given Bind's list: none
// means text, one applies to every column.
func formatFor(formats []int16, i int) int16 {
	switch len(formats) {
	case 0:
		return 0
	case 1:
		return formats[0]
	}
	if i < len(formats) {
		return formats[i]
	}
	return 0
}

// rowDescription describes result columns with the given format codes.
func rowDescription(cols []executor.ResultColumn, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		t := col.Type
		if t == nil {
			t = types.Text
		}
		fields[i] = pgproto3.FieldDescription{
			Name:                 []byte(col.Name),
			TableOID:             col.TableOID,
			TableAttributeNumber: uint16(col.AttNum),
			DataTypeOID:          t.OID(),
			DataTypeSize:         t.Len(),
			TypeModifier:         t.Typmod(),
			Format:               formatFor(formats, i),
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}
