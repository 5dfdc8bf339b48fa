package server

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

func startupStatuses(user, tz, app string) []string {
	return []string{
		"AuthOk",
		"Param DateStyle=ISO, MDY",
		"Param IntervalStyle=postgres",
		"Param TimeZone=" + tz,
		"Param application_name=" + app,
		"Param client_encoding=UTF8",
		"Param integer_datetimes=on",
		"Param is_superuser=on",
		"Param server_encoding=UTF8",
		"Param server_version=15.0 (Quiver 0.1.0)",
		"Param session_authorization=" + user,
		"Param standard_conforming_strings=on",
		"KeyData",
		"Ready I",
	}
}

func TestStartup(t *testing.T) {
	_, eng, addr := startServer(t, Config{})
	tests := []struct {
		name         string
		params       map[string]string
		want         []string
		wantDB       string
		wantSettings map[string]string
	}{
		{
			name:         "defaults",
			params:       map[string]string{"user": "alice"},
			want:         startupStatuses("alice", "UTC", ""),
			wantDB:       "alice",
			wantSettings: map[string]string{},
		},
		{
			name: "options and parameters",
			params: map[string]string{
				"user": "bob", "database": "shop", "application_name": "psql",
				"options": `-c TimeZone=Europe/Paris --search-path=a\ b -csearch_path=s1,public`,
			},
			want:   startupStatuses("bob", "Europe/Paris", "psql"),
			wantDB: "shop",
			wantSettings: map[string]string{
				"application_name": "psql", "TimeZone": "Europe/Paris", "search_path": "s1,public",
			},
		},
		{
			name:   "unknown database",
			params: map[string]string{"user": "carol", "database": "nodb"},
			want:   []string{"AuthOk", `FATAL 3D000 database "nodb" does not exist`},
		},
		{
			name:   "no user",
			params: map[string]string{"database": "x"},
			want:   []string{"FATAL 28000 no PostgreSQL user name specified in startup packet"},
		},
		{
			name:   "bad options",
			params: map[string]string{"user": "u", "options": "-x"},
			want:   []string{"FATAL 42601 invalid command-line argument for server process: -x"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, got := connect(t, addr, tc.params)
			expectSeq(t, "startup", got, tc.want)
			if tc.wantSettings == nil {
				if _, err := c.fe.Receive(); err == nil {
					t.Errorf("connection still open after FATAL")
				}
				return
			}
			opts := eng.options()
			if opts.Database != tc.wantDB {
				t.Errorf("database = %q, want %q", opts.Database, tc.wantDB)
			}
			if len(opts.Settings) != len(tc.wantSettings) {
				t.Errorf("settings = %v, want %v", opts.Settings, tc.wantSettings)
			}
			for k, v := range tc.wantSettings {
				if opts.Settings[k] != v {
					t.Errorf("setting %s = %q, want %q (all: %v)", k, opts.Settings[k], v, opts.Settings)
				}
			}
			if c.pid == 0 || len(c.secret) != 4 {
				t.Errorf("BackendKeyData pid=%d secret=%x", c.pid, c.secret)
			}
		})
	}
}

// rawStartup writes a start-up packet with an arbitrary code.
func rawStartup(t *testing.T, nc net.Conn, code uint32, rest []byte) {
	t.Helper()
	buf := binary.BigEndian.AppendUint32(nil, uint32(8+len(rest)))
	buf = binary.BigEndian.AppendUint32(buf, code)
	buf = append(buf, rest...)
	if _, err := nc.Write(buf); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func TestEncryptionRequestsAnsweredN(t *testing.T) {
	_, _, addr := startServer(t, Config{})
	for _, code := range []uint32{sslRequestCode, gssEncRequestCode} {
		c := dial(t, addr)
		rawStartup(t, c.nc, code, nil)
		var b [1]byte
		if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'N' {
			t.Fatalf("code %d: answer %q, %v; want 'N'", code, b[0], err)
		}
		c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
		expectSeq(t, "startup after 'N'", c.untilReady(), startupStatuses("u", "UTC", ""))
	}
}

func TestUnsupportedProtocol(t *testing.T) {
	_, _, addr := startServer(t, Config{})
	c := dial(t, addr)
	rawStartup(t, c.nc, 2<<16, []byte("user\x00u\x00\x00"))
	expectSeq(t, "2.0 start-up", []string{c.receive()},
		[]string{"FATAL 0A000 unsupported frontend protocol 2.0: server supports 3.0 to 3.0"})
}

func TestNewerMinorProtocolNegotiated(t *testing.T) {
	_, eng, addr := startServer(t, Config{})
	c := dial(t, addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32,
		Parameters: map[string]string{"user": "u", "_pq_.future": "1"}})
	want := append([]string{"Negotiate 3.0 [_pq_.future]"}, startupStatuses("u", "UTC", "")...)
	expectSeq(t, "3.2 start-up", c.untilReady(), want)
	if _, ok := eng.options().Settings["_pq_.future"]; ok {
		t.Error("protocol option passed to the session as a setting")
	}
}

func TestSimpleQuery(t *testing.T) {
	_, _, addr := startServer(t, Config{})
	c, _ := connect(t, addr, nil)
	tests := []struct {
		query string
		want  []string
	}{
		{"select 1", []string{"RowDesc ?column?:23/4/-1/0.0/f0", rowText("1"), "Complete SELECT 1", "Ready I"}},
		{"select null", []string{"RowDesc n:25/-1/-1/0.0/f0", "Row NULL", "Complete SELECT 1", "Ready I"}},
		{"select empty", []string{"RowDesc n:25/-1/-1/0.0/f0", rowText(""), "Complete SELECT 1", "Ready I"}},
		{"select two", []string{"RowDesc a:20/8/-1/16384.1/f0 b:1043/-1/14/16384.2/f0",
			rowText("1", "x"), rowText("2", "NULL"), "Complete SELECT 2", "Ready I"}},
		{"select 1; gen 2", []string{"RowDesc ?column?:23/4/-1/0.0/f0", rowText("1"), "Complete SELECT 1",
			"RowDesc g:20/8/-1/0.0/f0", rowText("1"), rowText("2"), "Complete SELECT 2", "Ready I"}},
		{"", []string{"Empty", "Ready I"}},
		{" ; ", []string{"Empty", "Ready I"}},
		{"bad", []string{`ERROR 42601 syntax error at or near "bad" @1`, "Ready I"}},
		// An error stops the rest of the query string.
		{"select 1; missing; select 1", []string{"RowDesc ?column?:23/4/-1/0.0/f0", rowText("1"), "Complete SELECT 1",
			`ERROR 42P01 relation "nope" does not exist @15`, "Ready I"}},
		{"rowfail", []string{"RowDesc g:20/8/-1/0.0/f0", rowText("1"), "ERROR 22012 division by zero", "Ready I"}},
		{"notice", []string{`Notice 00000 table "t" does not exist, skipping`, "Complete DROP TABLE", "Ready I"}},
		{"set tz", []string{"Complete SET", "Param TimeZone=Europe/Paris", "Ready I"}},
		{"begin", []string{"Complete BEGIN", "Ready T"}},
		{"commit", []string{"Complete COMMIT", "Ready I"}},
		{"copy", []string{"ERROR 0A000 COPY is not supported yet", "Ready I"}},
	}
	for _, tc := range tests {
		c.send(&pgproto3.Query{String: tc.query})
		expectSeq(t, tc.query, c.untilReady(), tc.want)
	}
}

func TestErrorFields(t *testing.T) {
	_, _, addr := startServer(t, Config{})
	c, _ := connect(t, addr, nil)
	c.send(&pgproto3.Query{String: "missing"})
	m, err := c.fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	e, ok := m.(*pgproto3.ErrorResponse)
	if !ok {
		t.Fatalf("got %T, want ErrorResponse", m)
	}
	if e.Severity != "ERROR" || e.SeverityUnlocalized != "ERROR" || e.Code != "42P01" || e.Position != 15 ||
		e.SchemaName != "public" || e.TableName != "nope" {
		t.Errorf("error fields: %+v", e)
	}
}

func TestPanicRecovery(t *testing.T) {
	_, _, addr := startServer(t, Config{})
	bystander, _ := connect(t, addr, nil)
	c, _ := connect(t, addr, nil)
	c.send(&pgproto3.Query{String: "panic"})
	expectSeq(t, "panic", c.untilReady(), []string{"ERROR XX000 internal error: scripted panic", "Ready I"})
	for _, cl := range []*client{c, bystander} {
		cl.send(&pgproto3.Query{String: "select 1"})
		expectSeq(t, "after panic", cl.untilReady(),
			[]string{"RowDesc ?column?:23/4/-1/0.0/f0", rowText("1"), "Complete SELECT 1", "Ready I"})
	}
	// In the extended protocol the panic is an error that skips to Sync.
	c.send(&pgproto3.Parse{Query: "panic"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	expectSeq(t, "extended panic", c.untilReady(),
		[]string{"ParseOk", "BindOk", "ERROR XX000 internal error: scripted panic", "Ready I"})
}

func TestOversizeMessage(t *testing.T) {
	_, _, addr := startServer(t, Config{MaxMessageSize: 1024})
	c, _ := connect(t, addr, nil)
	// A Query announcing 2 GB; the body never follows.
	hdr := []byte{'Q', 0x7f, 0xff, 0xff, 0xff}
	if _, err := c.nc.Write(hdr); err != nil {
		t.Fatal(err)
	}
	expectSeq(t, "oversize", []string{c.receive()},
		[]string{"FATAL 54000 message of 2147483643 bytes exceeds the maximum message size of 1024 bytes"})
	if _, err := c.fe.Receive(); err == nil {
		t.Error("connection still open after an oversize message")
	}
	// A message under the cap still works on a new connection.
	c2, _ := connect(t, addr, nil)
	c2.send(&pgproto3.Query{String: "select 1"})
	expectSeq(t, "small query", c2.untilReady(),
		[]string{"RowDesc ?column?:23/4/-1/0.0/f0", rowText("1"), "Complete SELECT 1", "Ready I"})
}

func TestMalformedMessageClosesConnection(t *testing.T) {
	_, _, addr := startServer(t, Config{})
	tests := []struct {
		name string
		raw  []byte
		want string
	}{
		{"unknown type", []byte{'z', 0, 0, 0, 4}, "FATAL 08P01 invalid frontend message: unknown message type: z"},
		{"length below 4", []byte{'Q', 0, 0, 0, 2}, "FATAL 08P01 invalid frontend message: invalid message length: 2"},
	}
	for _, tc := range tests {
		c, _ := connect(t, addr, nil)
		if _, err := c.nc.Write(tc.raw); err != nil {
			t.Fatal(err)
		}
		expectSeq(t, tc.name, []string{c.receive()}, []string{tc.want})
		if _, err := c.fe.Receive(); err == nil {
			t.Errorf("%s: connection still open", tc.name)
		}
	}
}

func TestCancelRequest(t *testing.T) {
	_, eng, addr := startServer(t, Config{})
	c, _ := connect(t, addr, nil)
	c.send(&pgproto3.Query{String: "sleep"})
	select {
	case <-eng.started:
	case <-time.After(5 * time.Second):
		t.Fatal("statement did not start")
	}
	// A wrong secret cancels nothing.
	wrong := dial(t, addr)
	wrong.send(&pgproto3.CancelRequest{ProcessID: c.pid, SecretKey: []byte{^c.secret[0], 0, 0, 0}})
	if _, err := wrong.fe.Receive(); err == nil {
		t.Error("cancel connection not closed")
	}
	canceller := dial(t, addr)
	canceller.send(&pgproto3.CancelRequest{ProcessID: c.pid, SecretKey: c.secret})
	if _, err := canceller.fe.Receive(); !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		t.Errorf("cancel connection: %v, want EOF", err)
	}
	expectSeq(t, "cancelled", c.untilReady(),
		[]string{"RowDesc g:20/8/-1/0.0/f0", "ERROR 57014 canceling statement due to user request", "Ready I"}[1:])
	c.send(&pgproto3.Query{String: "select 1"})
	expectSeq(t, "after cancel", c.untilReady(),
		[]string{"RowDesc ?column?:23/4/-1/0.0/f0", rowText("1"), "Complete SELECT 1", "Ready I"})
}

func TestStatementTimeout(t *testing.T) {
	_, _, addr := startServer(t, Config{})
	c, _ := connect(t, addr, map[string]string{"user": "u", "options": "-c statement_timeout=50ms"})
	start := time.Now()
	c.send(&pgproto3.Query{String: "sleep"})
	expectSeq(t, "timeout", c.untilReady(), []string{"ERROR 57014 canceling statement due to statement timeout", "Ready I"})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timeout took %v", d)
	}
	c.send(&pgproto3.Parse{Query: "sleep"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	expectSeq(t, "extended timeout", c.untilReady(),
		[]string{"ParseOk", "BindOk", "ERROR 57014 canceling statement due to statement timeout", "Ready I"})
}

func TestParseTimeout(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"0", 0}, {"250", 250 * time.Millisecond}, {"5s", 5 * time.Second}, {"1.5s", 1500 * time.Millisecond},
		{"2min", 2 * time.Minute}, {"1h", time.Hour}, {"10 ms", 10 * time.Millisecond}, {"1d", 24 * time.Hour},
		{"abc", 0}, {"5parsecs", 0}, {"-1", 0},
	}
	for _, tc := range tests {
		if got := parseTimeout(tc.in); got != tc.want {
			t.Errorf("parseTimeout(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestCancelAndTerminateBackend(t *testing.T) {
	srv, eng, addr := startServer(t, Config{})
	c, _ := connect(t, addr, nil)
	other, _ := connect(t, addr, nil)
	if srv.CancelBackend(99999) || srv.TerminateBackend(99999) {
		t.Error("unknown PID reported as found")
	}
	c.send(&pgproto3.Query{String: "sleep"})
	<-eng.started
	if !srv.CancelBackend(int32(c.pid)) {
		t.Fatal("CancelBackend did not find the session")
	}
	expectSeq(t, "cancelled", c.untilReady(), []string{"ERROR 57014 canceling statement due to user request", "Ready I"})

	// Terminating an idle session and a busy one.
	if !srv.TerminateBackend(int32(other.pid)) {
		t.Fatal("TerminateBackend did not find the idle session")
	}
	expectSeq(t, "terminated idle", []string{other.receive()},
		[]string{"FATAL 57P01 terminating connection due to administrator command"})
	c.send(&pgproto3.Query{String: "sleep"})
	<-eng.started
	srv.TerminateBackend(int32(c.pid))
	expectSeq(t, "terminated busy", []string{c.receive()},
		[]string{"FATAL 57P01 terminating connection due to administrator command"})
	for _, cl := range []*client{c, other} {
		if _, err := cl.fe.Receive(); err == nil {
			t.Error("connection open after TerminateBackend")
		}
	}
}

func TestMaxConnections(t *testing.T) {
	_, _, addr := startServer(t, Config{MaxConnections: 1})
	first, _ := connect(t, addr, nil)
	_, got := connect(t, addr, nil)
	expectSeq(t, "second connection", got, []string{"FATAL 53300 sorry, too many clients already"})
	first.send(&pgproto3.Terminate{})
	if _, err := first.fe.Receive(); err == nil {
		t.Fatal("connection open after Terminate")
	}
	// The slot is free again once the first session has gone.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, got = connect(t, addr, nil)
		if got[len(got)-1] == "Ready I" || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	expectSeq(t, "after Terminate", got, startupStatuses("alice", "UTC", ""))
}

func TestShutdown(t *testing.T) {
	eng := newFakeEngine()
	srv := New(Config{Sessions: eng})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	idle, _ := connect(t, ln.Addr().String(), nil)
	busy, _ := connect(t, ln.Addr().String(), nil)
	busy.send(&pgproto3.Query{String: "sleep"})
	<-eng.started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v, want nil", err)
	}
	for _, c := range []*client{idle, busy} {
		expectSeq(t, "shutdown", []string{c.receive()},
			[]string{"FATAL 57P01 terminating connection due to administrator command"})
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("still accepting after Shutdown")
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr string
	}{
		{"-c search_path=s1,public", map[string]string{"search_path": "s1,public"}, ""},
		{"-cstatement_timeout=5s --application-name=my\\ app", map[string]string{"statement_timeout": "5s", "application_name": "my app"}, ""},
		{"  -c  a=1   -c b=x\\\\y ", map[string]string{"a": "1", "b": `x\y`}, ""},
		{"-c", nil, "42601"},
		{"-c novalue", nil, "42601"},
		{"search_path=x", nil, "42601"},
	}
	for _, tc := range tests {
		got, err := parseOptions(tc.in)
		if tc.wantErr != "" {
			if code := toPgError(err); err == nil || code.Code != tc.wantErr {
				t.Errorf("parseOptions(%q) error = %v, want %s", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseOptions(%q): %v", tc.in, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("parseOptions(%q) = %v, want %v", tc.in, got, tc.want)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("parseOptions(%q)[%s] = %q, want %q", tc.in, k, got[k], v)
			}
		}
	}
}
