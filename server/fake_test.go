package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/executor"
	"github.com/quiverdb/quiver/sql/pgdialect"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// fakeEngine hands out scripted sessions. Statements are recognised by
// their text:
//
//	select 1            one int4 row
//	select null         one text row holding NULL
//	select empty        one text row holding ''""
//	select two          two columns (int8 "a", text "b"), two rows
//	gen N               N int8 rows 1..N
//	echo $1 ...         one row holding the parameters (types from Prepare)
//	bad                 42601 at Parse
//	missing             42P01 at Execute, with position and table fields
//	rowfail             one row, then 22012 from Next
//	panic               panics in Execute
//	sleep               blocks until its context ends (57014); closes started
//	notice              raises a NOTICE, tag DROP TABLE
//	set tz              reports TimeZone changed to Europe/Paris
//	begin / commit      moves the status to T / I
//	copy                a *tree.Copy
type fakeEngine struct {
	mu       sync.Mutex
	started  chan struct{} // receives when "sleep" starts
	lastOpts executor.SessionOptions
	sessions int
	// events records implicit-transaction calls, in order.
	events []string
	// recordsFailures makes sessions implement StatementFailed.
	recordsFailures bool
}

func (e *fakeEngine) event(ev string) {
	e.mu.Lock()
	e.events = append(e.events, ev)
	e.mu.Unlock()
}

// takeEvents returns and clears the recorded events.
func (e *fakeEngine) takeEvents() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev := e.events
	e.events = nil
	return ev
}

func newFakeEngine() *fakeEngine { return &fakeEngine{started: make(chan struct{}, 8)} }

func (e *fakeEngine) NewSession(ctx context.Context, opts executor.SessionOptions) (Session, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lastOpts = opts
	if opts.Database == "nodb" {
		return nil, pgerror.New(pgerror.CodeInvalidCatalogName, "database \"%s\" does not exist", opts.Database)
	}
	e.sessions++
	tz := opts.Settings["TimeZone"]
	fs := &fakeSession{eng: e, status: 'I', tz: tz, timeout: opts.Settings["statement_timeout"]}
	if e.recordsFailures {
		return &failureRecordingSession{fs}, nil
	}
	return fs, nil
}

// failureRecordingSession is a session that can be told about failures,
// which then supersedes AbortImplicit.
type failureRecordingSession struct{ *fakeSession }

func (s *failureRecordingSession) StatementFailed() {
	s.eng.event("failed")
	if s.status == 'T' {
		s.status = 'E'
	}
}

func (e *fakeEngine) options() executor.SessionOptions {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lastOpts
}

type fakeSession struct {
	eng      *fakeEngine
	status   byte
	tz       string
	timeout  string
	notices  []*pgerror.Error
	changed  map[string]string
	implicit int // StartImplicit calls not yet ended
}

func (s *fakeSession) Parse(sql string) ([]pgdialect.Parsed, error) {
	var out []pgdialect.Parsed
	for _, part := range strings.Split(sql, ";") {
		text := strings.TrimSpace(part)
		if text == "" {
			continue
		}
		if text == "bad" {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near \"bad\"").WithPosition(strings.Index(sql, "bad") + 1)
		}
		var st tree.Statement = &tree.Unsupported{What: text}
		if text == "copy" {
			st = &tree.Copy{}
		}
		out = append(out, pgdialect.Parsed{Stmt: st, SQL: text, NumParams: strings.Count(text, "$")})
	}
	if len(out) == 0 {
		out = append(out, pgdialect.Parsed{Stmt: &tree.Empty{}})
	}
	return out, nil
}

func col(name string, t *types.T) executor.ResultColumn {
	return executor.ResultColumn{Name: name, Type: t}
}

func (s *fakeSession) Prepare(ctx context.Context, p pgdialect.Parsed, paramTypes []*types.T) (*executor.Prepared, error) {
	prep := &executor.Prepared{Parsed: p}
	for i := 0; i < p.NumParams; i++ {
		t := types.Int4
		if i < len(paramTypes) && paramTypes[i] != nil {
			t = paramTypes[i]
		}
		prep.Params = append(prep.Params, t)
	}
	switch {
	case p.SQL == "select 1":
		prep.Columns = []executor.ResultColumn{col("?column?", types.Int4)}
	case p.SQL == "select null", p.SQL == "select empty":
		prep.Columns = []executor.ResultColumn{col("n", types.Text)}
	case p.SQL == "select two":
		prep.Columns = []executor.ResultColumn{
			{Name: "a", Type: types.Int8, TableOID: 16384, AttNum: 1},
			{Name: "b", Type: types.VarcharN(10), TableOID: 16384, AttNum: 2},
		}
	case strings.HasPrefix(p.SQL, "gen "), p.SQL == "rowfail", p.SQL == "sleep":
		prep.Columns = []executor.ResultColumn{col("g", types.Int8)}
	case strings.HasPrefix(p.SQL, "echo"):
		for i, t := range prep.Params {
			prep.Columns = append(prep.Columns, col(fmt.Sprintf("p%d", i+1), t))
		}
	}
	return prep, nil
}

func (s *fakeSession) Execute(ctx context.Context, p *executor.Prepared, params []types.Datum) (executor.Result, error) {
	sql := p.Parsed.SQL
	switch {
	case sql == "select 1":
		return &fakeResult{cols: p.Columns, rows: [][]types.Datum{{types.DInt(1)}}, tag: "SELECT 1"}, nil
	case sql == "select null":
		return &fakeResult{cols: p.Columns, rows: [][]types.Datum{{types.Null}}, tag: "SELECT 1"}, nil
	case sql == "select empty":
		return &fakeResult{cols: p.Columns, rows: [][]types.Datum{{types.DString("")}}, tag: "SELECT 1"}, nil
	case sql == "select two":
		return &fakeResult{cols: p.Columns, rows: [][]types.Datum{
			{types.DInt(1), types.DString("x")}, {types.DInt(2), types.Null},
		}, tag: "SELECT 2"}, nil
	case strings.HasPrefix(sql, "gen "):
		var n int
		if _, err := fmt.Sscanf(sql, "gen %d", &n); err != nil {
			return nil, fmt.Errorf("fake: %w", err)
		}
		rows := make([][]types.Datum, n)
		for i := range rows {
			rows[i] = []types.Datum{types.DInt(i + 1)}
		}
		return &fakeResult{cols: p.Columns, rows: rows, tag: fmt.Sprintf("SELECT %d", n)}, nil
	case strings.HasPrefix(sql, "echo"):
		return &fakeResult{cols: p.Columns, rows: [][]types.Datum{params}, tag: "SELECT 1"}, nil
	case sql == "missing":
		e := pgerror.New(pgerror.CodeUndefinedTable, "relation \"nope\" does not exist").WithPosition(15)
		e.Schema, e.Table = "public", "nope"
		return nil, e
	case sql == "rowfail":
		return &fakeResult{cols: p.Columns, rows: [][]types.Datum{{types.DInt(1)}},
			err: pgerror.New(pgerror.CodeDivisionByZero, "division by zero")}, nil
	case sql == "panic":
		panic("scripted panic")
	case sql == "sleep":
		s.eng.started <- struct{}{}
		select {
		case <-ctx.Done():
			s.eng.event("sleep cancelled")
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, pgerror.New(pgerror.CodeQueryCanceled, "canceling statement due to statement timeout")
			}
			return nil, pgerror.New(pgerror.CodeQueryCanceled, "canceling statement due to user request")
		case <-time.After(10 * time.Second):
			return nil, errors.New("fake: sleep was never cancelled")
		}
	case sql == "notice":
		s.notices = append(s.notices, pgerror.Notice("table \"t\" does not exist, skipping"))
		return &fakeResult{tag: "DROP TABLE"}, nil
	case sql == "set tz":
		s.changed = map[string]string{"timezone": "Europe/Paris"}
		return &fakeResult{tag: "SET"}, nil
	case sql == "begin":
		s.status = 'T'
		return &fakeResult{tag: "BEGIN"}, nil
	case sql == "commit":
		s.status = 'I'
		return &fakeResult{tag: "COMMIT"}, nil
	}
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "fake: no script for %q", sql)
}

func (s *fakeSession) TxnStatus() byte { return s.status }

func (s *fakeSession) TakeNotices() []*pgerror.Error {
	n := s.notices
	s.notices = nil
	return n
}

func (s *fakeSession) ChangedParameters() map[string]string {
	c := s.changed
	s.changed = nil
	return c
}

func (s *fakeSession) ParameterStatus() map[string]string {
	return map[string]string{"timezone": s.tz, "server_version": ""}
}

func (s *fakeSession) Close() {}

func (s *fakeSession) Setting(name string) (string, bool) {
	if name == "statement_timeout" && s.timeout != "" {
		return s.timeout, true
	}
	return "", false
}

func (s *fakeSession) StartImplicit() { s.eng.event("start") }

func (s *fakeSession) EndImplicit(ctx context.Context) error {
	s.eng.event("end")
	return nil
}

func (s *fakeSession) AbortImplicit() { s.eng.event("abort") }

type fakeResult struct {
	cols []executor.ResultColumn
	rows [][]types.Datum
	tag  string
	err  error // returned once rows are used up
	pos  int
}

func (r *fakeResult) Columns() []executor.ResultColumn { return r.cols }

func (r *fakeResult) Next(ctx context.Context) ([]types.Datum, error) {
	if r.pos < len(r.rows) {
		r.pos++
		return r.rows[r.pos-1], nil
	}
	return nil, r.err
}

func (r *fakeResult) Tag() string  { return r.tag }
func (r *fakeResult) Close() error { return nil }

// typesReady reports whether sql/types formats values yet; until it does,
// tests compare the shape of data rows but not their text.
var typesReady = types.FormatText(types.Int4, types.DInt(1)) == "1"

// startServer serves a fake engine on a loopback port.
func startServer(t *testing.T, cfg Config) (*Server, *fakeEngine, string) {
	t.Helper()
	eng := newFakeEngine()
	if cfg.Sessions == nil {
		cfg.Sessions = eng
	}
	srv := New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve returned %v, want nil after Shutdown", err)
		}
	})
	return srv, eng, ln.Addr().String()
}

// client is a raw protocol client.
type client struct {
	t  *testing.T
	nc net.Conn
	fe *pgproto3.Frontend
	// pid and secret are the BackendKeyData received at start-up.
	pid    uint32
	secret []byte
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(20 * time.Second))
	return &client{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

// connect dials and completes start-up, returning the start-up messages.
func connect(t *testing.T, addr string, params map[string]string) (*client, []string) {
	t.Helper()
	c := dial(t, addr)
	if params == nil {
		params = map[string]string{"user": "alice"}
	}
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params})
	return c, c.untilReady()
}

func (c *client) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	for _, m := range msgs {
		c.fe.Send(m)
	}
	if err := c.fe.Flush(); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// receive returns the next message, summarised.
func (c *client) receive() string {
	c.t.Helper()
	m, err := c.fe.Receive()
	if err != nil {
		c.t.Fatalf("receive: %v", err)
	}
	if k, ok := m.(*pgproto3.BackendKeyData); ok {
		c.pid, c.secret = k.ProcessID, append([]byte(nil), k.SecretKey...)
	}
	return summarize(m)
}

// untilReady collects messages up to and including ReadyForQuery.
func (c *client) untilReady() []string {
	c.t.Helper()
	var out []string
	for {
		s := c.receive()
		out = append(out, s)
		if strings.HasPrefix(s, "Ready") || strings.HasPrefix(s, "FATAL") {
			return out
		}
	}
}

// summarize renders a backend message as a short string (messages from
// Receive are only valid until the next call).
func summarize(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.AuthenticationOk:
		return "AuthOk"
	case *pgproto3.ParameterStatus:
		return "Param " + m.Name + "=" + m.Value
	case *pgproto3.BackendKeyData:
		return "KeyData"
	case *pgproto3.ReadyForQuery:
		return "Ready " + string(m.TxStatus)
	case *pgproto3.RowDescription:
		var parts []string
		for _, f := range m.Fields {
			parts = append(parts, fmt.Sprintf("%s:%d/%d/%d/%d.%d/f%d", f.Name, f.DataTypeOID, f.DataTypeSize, f.TypeModifier, f.TableOID, f.TableAttributeNumber, f.Format))
		}
		return "RowDesc " + strings.Join(parts, " ")
	case *pgproto3.DataRow:
		var parts []string
		for _, v := range m.Values {
			switch {
			case v == nil:
				parts = append(parts, "NULL")
			case !typesReady:
				parts = append(parts, "*")
			default:
				parts = append(parts, fmt.Sprintf("%q", v))
			}
		}
		return "Row " + strings.Join(parts, ",")
	case *pgproto3.CommandComplete:
		return "Complete " + string(m.CommandTag)
	case *pgproto3.EmptyQueryResponse:
		return "Empty"
	case *pgproto3.ErrorResponse:
		s := m.Severity + " " + m.Code + " " + m.Message
		if m.Position != 0 {
			s += fmt.Sprintf(" @%d", m.Position)
		}
		return s
	case *pgproto3.NoticeResponse:
		return "Notice " + m.Code + " " + m.Message
	case *pgproto3.ParseComplete:
		return "ParseOk"
	case *pgproto3.BindComplete:
		return "BindOk"
	case *pgproto3.CloseComplete:
		return "CloseOk"
	case *pgproto3.NoData:
		return "NoData"
	case *pgproto3.PortalSuspended:
		return "Suspended"
	case *pgproto3.NegotiateProtocolVersion:
		return fmt.Sprintf("Negotiate 3.%d %v", m.NewestMinorProtocol, m.UnrecognizedOptions)
	case *pgproto3.ParameterDescription:
		return fmt.Sprintf("ParamDesc %v", m.ParameterOIDs)
	}
	return fmt.Sprintf("%T", m)
}

// rowText is how summarize shows a non-NULL text value.
func rowText(vals ...string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		switch {
		case v == "NULL":
			parts[i] = v
		case !typesReady:
			parts[i] = "*"
		default:
			parts[i] = fmt.Sprintf("%q", v)
		}
	}
	return "Row " + strings.Join(parts, ",")
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func expectSeq(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !equalStrings(got, want) {
		t.Errorf("%s:\ngot  %q\nwant %q", what, got, want)
	}
}
