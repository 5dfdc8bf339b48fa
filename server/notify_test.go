package server

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"
)

// notifyClient is a pgx connection that records every notification and
// notice it receives, whenever pgx reads them.
type notifyClient struct {
	t       *testing.T
	conn    *pgx.Conn
	notes   chan *pgconn.Notification
	notices chan *pgconn.Notice
}

func newNotifyClient(t *testing.T, ctx context.Context, addr string) *notifyClient {
	t.Helper()
	cfg, err := pgx.ParseConfig("postgres://postgres@" + addr + "/postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	c := &notifyClient{t: t, notes: make(chan *pgconn.Notification, 1000), notices: make(chan *pgconn.Notice, 100)}
	cfg.OnNotification = func(_ *pgconn.PgConn, n *pgconn.Notification) { c.notes <- n }
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { c.notices <- n }
	c.conn, err = pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.conn.Close(context.Background()) })
	return c
}

func (c *notifyClient) pid() uint32 { return c.conn.PgConn().PID() }

func (c *notifyClient) exec(ctx context.Context, sql string) {
	c.t.Helper()
	if _, err := c.conn.Exec(ctx, sql); err != nil {
		c.t.Fatalf("%s: %v", sql, err)
	}
}

// next returns the next notification, reading from the server while idle
// if none has been received yet.
func (c *notifyClient) next(ctx context.Context) *pgconn.Notification {
	c.t.Helper()
	select {
	case n := <-c.notes:
		return n
	default:
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.conn.PgConn().WaitForNotification(wctx); err != nil {
		c.t.Fatalf("no notification within 5s: %v", err)
	}
	return <-c.notes
}

// expect checks the next notifications' payloads on channel, all from pid.
func (c *notifyClient) expect(ctx context.Context, channel string, pid uint32, payloads ...string) {
	c.t.Helper()
	for _, want := range payloads {
		n := c.next(ctx)
		if n.Channel != channel || n.Payload != want || n.PID != pid {
			c.t.Fatalf("notification {pid %d, %q, %q}, want {pid %d, %q, %q}", n.PID, n.Channel, n.Payload, pid, channel, want)
		}
	}
}

// none checks that no notification has been received so far.
func (c *notifyClient) none(what string) {
	c.t.Helper()
	select {
	case n := <-c.notes:
		c.t.Fatalf("%s: unexpected notification {pid %d, %q, %q}", what, n.PID, n.Channel, n.Payload)
	default:
	}
}

// TestListenNotify drives LISTEN/NOTIFY with pgx between two sessions:
// delivery to an idle listener, commit/rollback, folding, savepoints,
// implicit transactions, self-notification, UNLISTEN and a listener inside
// a transaction block.
func TestListenNotify(t *testing.T) {
	_, addr := startRealServerWith(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	l := newNotifyClient(t, ctx, addr)
	n := newNotifyClient(t, ctx, addr)

	l.exec(ctx, "LISTEN ch")
	// Idle delivery: the listener is waiting, not running a query.
	n.exec(ctx, "NOTIFY ch, 'hello'")
	l.expect(ctx, "ch", n.pid(), "hello")
	n.exec(ctx, "NOTIFY other, 'not listened'")
	n.exec(ctx, "NOTIFY ch")
	l.expect(ctx, "ch", n.pid(), "")

	// Rolled back and failed transactions notify nobody; committed ones
	// deliver once per distinct channel and payload, in order.
	n.exec(ctx, "BEGIN")
	n.exec(ctx, "NOTIFY ch, 'rolled back'")
	n.exec(ctx, "ROLLBACK")
	n.exec(ctx, "BEGIN")
	n.exec(ctx, "NOTIFY ch, 'x'")
	n.exec(ctx, "NOTIFY ch, 'y'")
	n.exec(ctx, "SELECT pg_notify('ch', 'x')")
	n.exec(ctx, "NOTIFY ch, 'y'")
	n.exec(ctx, "SAVEPOINT s")
	n.exec(ctx, "NOTIFY ch, 'after savepoint'")
	n.exec(ctx, "ROLLBACK TO SAVEPOINT s")
	n.exec(ctx, "NOTIFY ch, 'z'")
	n.exec(ctx, "COMMIT")
	if _, err := n.conn.Exec(ctx, "NOTIFY ch, 'implicit failed'; SELECT 1/0"); err == nil {
		t.Fatal("1/0 succeeded")
	}
	n.exec(ctx, "NOTIFY ch, 'implicit 1'; NOTIFY ch, 'implicit 2'; SELECT 1")
	n.exec(ctx, "SELECT pg_notify('ch', 'autocommit select')")
	l.expect(ctx, "ch", n.pid(), "x", "y", "z", "implicit 1", "implicit 2", "autocommit select")

	// The extended protocol: a batch up to Sync is one implicit
	// transaction, delivered at its end or dropped when it fails.
	if _, err := n.conn.Exec(ctx, "SELECT pg_notify($1, $2)", "ch", "extended"); err != nil {
		t.Fatalf("pg_notify with parameters: %v", err)
	}
	if _, err := n.conn.Exec(ctx, "NOTIFY ch, 'described'", pgx.QueryExecModeDescribeExec); err != nil {
		t.Fatalf("NOTIFY over the extended protocol: %v", err)
	}
	b := &pgx.Batch{}
	b.Queue("SELECT pg_notify('ch', 'batch failed')")
	b.Queue("SELECT 1/0")
	if err := n.conn.SendBatch(ctx, b).Close(); err == nil {
		t.Fatal("batch with 1/0 succeeded")
	}
	b = &pgx.Batch{}
	b.Queue("SELECT pg_notify('ch', 'batch 1')")
	b.Queue("SELECT pg_notify($1, $2)", "ch", "batch 2")
	if err := n.conn.SendBatch(ctx, b).Close(); err != nil {
		t.Fatalf("batch: %v", err)
	}
	l.expect(ctx, "ch", n.pid(), "extended", "described", "batch 1", "batch 2")

	// A session hears its own notifications, before its ReadyForQuery.
	l.exec(ctx, "NOTIFY ch, 'self'")
	l.expect(ctx, "ch", l.pid(), "self")

	// A listener inside a block gets notifications once the block ends.
	l.exec(ctx, "BEGIN")
	n.exec(ctx, "NOTIFY ch, 'during block'")
	l.exec(ctx, "SELECT 1")
	time.Sleep(50 * time.Millisecond)
	l.exec(ctx, "SELECT 1")
	l.none("inside a block")
	l.exec(ctx, "COMMIT")
	l.expect(ctx, "ch", n.pid(), "during block")

	// LISTEN and UNLISTEN take effect at commit.
	l.exec(ctx, "BEGIN")
	l.exec(ctx, "LISTEN later")
	n.exec(ctx, "NOTIFY later, 'before commit'")
	l.exec(ctx, "ROLLBACK")
	l.exec(ctx, "BEGIN")
	l.exec(ctx, "LISTEN later")
	l.exec(ctx, "UNLISTEN ch")
	n.exec(ctx, "NOTIFY ch, 'still listening'")
	l.exec(ctx, "COMMIT")
	l.expect(ctx, "ch", n.pid(), "still listening")
	var chans []string
	rows, _ := l.conn.Query(ctx, "SELECT * FROM pg_listening_channels()")
	chans, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || strings.Join(chans, ",") != "later" {
		t.Fatalf("pg_listening_channels() = %v, %v; want [later]", chans, err)
	}
	n.exec(ctx, "NOTIFY ch, 'unlistened'")
	n.exec(ctx, "NOTIFY later, 'marker'")
	l.expect(ctx, "later", n.pid(), "marker")

	// A second listener gets the same notifications; UNLISTEN * and
	// DISCARD ALL stop them.
	n.exec(ctx, "LISTEN later")
	n.exec(ctx, "NOTIFY later, 'both'")
	n.expect(ctx, "later", n.pid(), "both")
	l.expect(ctx, "later", n.pid(), "both")
	l.exec(ctx, "UNLISTEN *")
	n.exec(ctx, "DISCARD ALL")
	l.exec(ctx, "LISTEN marker")
	n.exec(ctx, "NOTIFY later, 'nobody'")
	n.exec(ctx, "NOTIFY marker")
	l.expect(ctx, "marker", n.pid(), "")
	n.none("after DISCARD ALL")
	rows, _ = n.conn.Query(ctx, "SELECT count(*)::text FROM pg_listening_channels()")
	chans, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || strings.Join(chans, ",") != "0" {
		t.Fatalf("pg_listening_channels() after DISCARD ALL counted %v, %v; want 0", chans, err)
	}
}

// TestNotifyErrors checks PostgreSQL's channel and payload limits.
func TestNotifyErrors(t *testing.T) {
	_, addr := startRealServerWith(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := newNotifyClient(t, ctx, addr)
	c.exec(ctx, "LISTEN ch")
	for _, tc := range []struct{ sql, code, msg string }{
		{"NOTIFY ch, '" + strings.Repeat("p", 8000) + "'", "22023", "payload string too long"},
		{"SELECT pg_notify('ch', repeat('p', 8000))", "22023", "payload string too long"},
		{"SELECT pg_notify('', 'x')", "22023", "channel name cannot be empty"},
		{"SELECT pg_notify(NULL, 'x')", "22023", "channel name cannot be empty"},
		{"SELECT pg_notify(repeat('c', 64), 'x')", "22023", "channel name too long"},
	} {
		_, err := c.conn.Exec(ctx, tc.sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != tc.code || pe.Message != tc.msg {
			t.Errorf("%.60s: %v, want %s %s", tc.sql, err, tc.code, tc.msg)
		}
	}
	c.exec(ctx, "SELECT pg_notify('ch', repeat('p', 7999))")
	c.exec(ctx, "SELECT pg_notify('ch', NULL)")
	if got := c.next(ctx); len(got.Payload) != 7999 {
		t.Errorf("payload of %d bytes, want 7999", len(got.Payload))
	}
	c.expect(ctx, "ch", c.pid(), "")
}

// TestNotifyQueueOverflow checks the policy for a listener whose queue is
// full: the notifications that do not fit are dropped for it alone, the
// notifier is not held up, and the listener is warned with the count.
func TestNotifyQueueOverflow(t *testing.T) {
	srv, addr := startRealServerWith(t, Config{})
	// Room for exactly three notifications of channel "ch" and a
	// two-byte payload (2 + 2 + 48 bytes each).
	srv.cfg.Engine.SetNotifyQueueBytes(3 * 52)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	slow := newNotifyClient(t, ctx, addr)
	fast := newNotifyClient(t, ctx, addr)
	n := newNotifyClient(t, ctx, addr)
	slow.exec(ctx, "LISTEN ch")
	fast.exec(ctx, "LISTEN ch")
	// The slow listener holds its notifications back inside a block.
	slow.exec(ctx, "BEGIN")
	for i := 0; i < 10; i++ {
		n.exec(ctx, fmt.Sprintf("NOTIFY ch, 'n%d'", i))
		// The fast listener keeps up and loses nothing.
		fast.expect(ctx, "ch", n.pid(), fmt.Sprintf("n%d", i))
	}
	slow.exec(ctx, "COMMIT")
	slow.expect(ctx, "ch", n.pid(), "n0", "n1", "n2")
	slow.none("past the queue bound")
	select {
	case w := <-slow.notices:
		if w.Severity != "WARNING" || !strings.HasPrefix(w.Message, "7 notifications for this session were dropped") {
			t.Errorf("warning %s %q, want WARNING about 7 dropped notifications", w.Severity, w.Message)
		}
	default:
		t.Error("no warning about dropped notifications")
	}
	// Once drained, the queue takes notifications again.
	n.exec(ctx, "NOTIFY ch, 'ok'")
	slow.expect(ctx, "ch", n.pid(), "ok")
}

// TestPsqlNotify runs psql over LISTEN/NOTIFY: its "Asynchronous
// notification" lines, with the session's own PID, must match what
// PostgreSQL 15 printed for testdata/notify_psql.sql (recorded with the
// PID replaced by <PID>).
func TestPsqlNotify(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed")
	}
	script, err := os.ReadFile(filepath.Join("testdata", "notify_psql.sql"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "notify_psql.expected"))
	if err != nil {
		t.Fatal(err)
	}
	dsn := startRealServer(t)
	cmd := exec.Command(psql, "-X", "-At", dsn)
	cmd.Stdin = bytes.NewReader(script)
	out, _ := cmd.CombinedOutput()
	// The script ends with SELECT pg_backend_pid().
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	pid := lines[len(lines)-1]
	got := strings.ReplaceAll(string(out), "with PID "+pid+".", "with PID <PID>.")
	got = strings.TrimSuffix(got, pid+"\n") + "<PID>\n"
	if got != string(want) {
		t.Errorf("psql printed:\n%s\nwant (PID %s as <PID>):\n%s", out, pid, want)
	}
}

// TestLibPQListener receives notifications through lib/pq's Listener,
// which LISTENs on its own connection and waits for them idle.
func TestLibPQListener(t *testing.T) {
	_, addr := startRealServerWith(t, Config{})
	dsn := "postgres://postgres@" + addr + "/postgres?sslmode=disable"
	ln := pq.NewListener(dsn, 10*time.Millisecond, time.Second, nil)
	defer ln.Close()
	if err := ln.Listen("pq_chan"); err != nil {
		t.Fatalf("Listen: %v", err)
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var pid int
	if err := db.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "SELECT pg_notify('pq_chan', $1)", "from lib/pq"); err != nil {
		t.Fatalf("pg_notify: %v", err)
	}
	select {
	case n := <-ln.Notify:
		if n == nil || n.Channel != "pq_chan" || n.Extra != "from lib/pq" || n.BePid != pid {
			t.Fatalf("notification %+v, want pq_chan %q from pid %d", n, "from lib/pq", pid)
		}
	case <-ctx.Done():
		t.Fatal("no notification through lib/pq's Listener")
	}
	if err := ln.Unlisten("pq_chan"); err != nil {
		t.Fatalf("Unlisten: %v", err)
	}
}

// BenchmarkNotifyRoundTrip measures one NOTIFY committed by one session
// until an idle listener has received it.
func BenchmarkNotifyRoundTrip(b *testing.B) {
	_, addr := startRealServerWith(b, Config{})
	ctx := context.Background()
	connect := func() *pgx.Conn {
		c, err := pgx.Connect(ctx, "postgres://postgres@"+addr+"/postgres?sslmode=disable")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close(context.Background()) })
		return c
	}
	l, n := connect(), connect()
	if _, err := l.Exec(ctx, "LISTEN bench"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := n.Exec(ctx, "NOTIFY bench, 'x'"); err != nil {
			b.Fatal(err)
		}
		if _, err := l.WaitForNotification(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
