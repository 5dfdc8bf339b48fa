package server

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// noticeLog collects the notices a pgx connection receives.
type noticeLog struct {
	mu  sync.Mutex
	got []string
}

func (n *noticeLog) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	got := n.got
	n.got = nil
	return got
}

// connectPgx opens a pgx connection to a real-engine server, recording
// notices as "SEVERITY CODE message".
func connectPgx(t *testing.T, ctx context.Context, addr, params string) (*pgx.Conn, *noticeLog) {
	t.Helper()
	cfg, err := pgx.ParseConfig("postgres://postgres@" + addr + "/postgres?sslmode=disable" + params)
	if err != nil {
		t.Fatal(err)
	}
	notices := &noticeLog{}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		notices.mu.Lock()
		notices.got = append(notices.got, n.Severity+" "+n.Code+" "+n.Message)
		notices.mu.Unlock()
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn, notices
}

func backendPID(t *testing.T, ctx context.Context, conn *pgx.Conn) int32 {
	t.Helper()
	var pid int32
	if err := conn.QueryRow(ctx, "select pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if pid != int32(conn.PgConn().PID()) {
		t.Fatalf("pg_backend_pid() = %d, BackendKeyData said %d", pid, conn.PgConn().PID())
	}
	return pid
}

// waitState polls pg_stat_activity through conn until the session pid is
// in state, returning its query.
func waitState(t *testing.T, ctx context.Context, conn *pgx.Conn, pid int32, state string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got, query string
		err := conn.QueryRow(ctx, "select state, query from pg_stat_activity where pid = $1", pid).Scan(&got, &query)
		if err == nil && got == state {
			return query
		}
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			t.Fatalf("pg_stat_activity: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("session %d never reached state %q (last %q, %v)", pid, state, got, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Severity + " " + pgErr.Code + " " + pgErr.Message
	}
	return ""
}

func TestPgStatActivity(t *testing.T) {
	_, addr := startRealServerWith(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, _ := connectPgx(t, ctx, addr, "&application_name=first")
	b, _ := connectPgx(t, ctx, addr, "")
	pidA, pidB := backendPID(t, ctx, a), backendPID(t, ctx, b)
	if _, err := a.Exec(ctx, "begin"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exec(ctx, "select 1", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	if q := waitState(t, ctx, b, pidA, "idle in transaction"); q != "select 1" {
		t.Errorf("idle session's query = %q, want its last statement", q)
	}
	if _, err := b.Exec(ctx, "set application_name = 'second'"); err != nil {
		t.Fatal(err)
	}
	rows, err := b.Query(ctx, `select pid, datname, usename, application_name, state, client_addr,
		backend_start is not null, xact_start is not null, query_start is not null, query
		from pg_stat_activity order by pid`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		pid                          int32
		db, user, app, state, client string
		started, inXact, queried     bool
		query                        string
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.pid, &x.db, &x.user, &x.app, &x.state, &x.client, &x.started, &x.inXact, &x.queried, &x.query)
		return x, err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []row{
		{pidA, "postgres", "postgres", "first", "idle in transaction", "127.0.0.1", true, true, true, "select 1"},
		{pidB, "postgres", "postgres", "second", "active", "127.0.0.1", true, true, true, ""},
	}
	if len(got) != 2 {
		t.Fatalf("pg_stat_activity rows %+v, want 2", got)
	}
	for i := range want {
		if i == 1 {
			// The caller's own row shows the query it is running.
			if !strings.Contains(got[i].query, "from pg_stat_activity") {
				t.Errorf("own query = %q", got[i].query)
			}
			got[i].query = ""
		}
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := a.Exec(ctx, "commit"); err != nil {
		t.Fatal(err)
	}
	waitState(t, ctx, b, pidA, "idle")
	var xact *time.Time
	if err := b.QueryRow(ctx, "select xact_start from pg_stat_activity where pid = $1", pidA).Scan(&xact); err != nil || xact != nil {
		t.Errorf("xact_start of an idle session = %v, %v; want NULL", xact, err)
	}
}

func TestPgCancelBackend(t *testing.T) {
	_, addr := startRealServerWith(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, _ := connectPgx(t, ctx, addr, "")
	b, notices := connectPgx(t, ctx, addr, "")
	pidA := backendPID(t, ctx, a)

	errc := make(chan error, 1)
	go func() {
		_, err := a.Exec(ctx, "select pg_sleep(30)")
		errc <- err
	}()
	if q := waitState(t, ctx, b, pidA, "active"); q != "select pg_sleep(30)" {
		t.Errorf("running query = %q", q)
	}
	var ok bool
	if err := b.QueryRow(ctx, "select pg_cancel_backend($1)", pidA).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_cancel_backend: %v, %v", ok, err)
	}
	select {
	case err := <-errc:
		if got := pgCode(err); got != "ERROR 57014 canceling statement due to user request" {
			t.Errorf("cancelled statement: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("pg_cancel_backend did not stop the statement")
	}
	// The session survives a cancel.
	var n int
	if err := a.QueryRow(ctx, "select 7").Scan(&n); err != nil || n != 7 {
		t.Errorf("after cancel: %d, %v", n, err)
	}
	if got := notices.take(); len(got) != 0 {
		t.Errorf("notices %v, want none", got)
	}

	if err := b.QueryRow(ctx, "select pg_cancel_backend(999999)").Scan(&ok); err != nil || ok {
		t.Errorf("unknown pid: %v, %v; want false", ok, err)
	}
	if got := notices.take(); len(got) != 1 || got[0] != "WARNING 01000 PID 999999 is not a PostgreSQL backend process" {
		t.Errorf("notices %q, want the unknown-PID warning", got)
	}
}

func TestPgTerminateBackend(t *testing.T) {
	_, addr := startRealServerWith(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, _ := connectPgx(t, ctx, addr, "")
	b, notices := connectPgx(t, ctx, addr, "")
	pidA := backendPID(t, ctx, a)

	var ok bool
	if err := b.QueryRow(ctx, "select pg_terminate_backend($1, 5000)", pidA).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_terminate_backend with a wait: %v, %v", ok, err)
	}
	// With the wait, the session is already gone when the call returns.
	var n int
	if err := b.QueryRow(ctx, "select count(*) from pg_stat_activity where pid = $1", pidA).Scan(&n); err != nil || n != 0 {
		t.Errorf("terminated session still listed: %d, %v", n, err)
	}
	_, err := a.Exec(ctx, "select 1")
	if got := pgCode(err); got != "FATAL 57P01 terminating connection due to administrator command" {
		t.Errorf("victim's next statement: %v, want FATAL 57P01", err)
	}

	// A busy victim: its statement is interrupted and the session ends.
	c, _ := connectPgx(t, ctx, addr, "")
	pidC := backendPID(t, ctx, c)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Exec(ctx, "select pg_sleep(30)")
		errc <- err
	}()
	waitState(t, ctx, b, pidC, "active")
	if err := b.QueryRow(ctx, "select pg_terminate_backend($1)", pidC).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_terminate_backend: %v, %v", ok, err)
	}
	select {
	case err := <-errc:
		if got := pgCode(err); got != "FATAL 57P01 terminating connection due to administrator command" {
			t.Errorf("terminated statement: %v, want FATAL 57P01", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("pg_terminate_backend did not stop the statement")
	}

	if err := b.QueryRow(ctx, "select pg_terminate_backend(999999)").Scan(&ok); err != nil || ok {
		t.Errorf("unknown pid: %v, %v; want false", ok, err)
	}
	if got := notices.take(); len(got) != 1 || got[0] != "WARNING 01000 PID 999999 is not a PostgreSQL backend process" {
		t.Errorf("notices %q, want the unknown-PID warning", got)
	}
	_, err = b.Exec(ctx, "select pg_terminate_backend(1, -1)")
	if got := pgCode(err); got != `ERROR 22023 "timeout" must not be negative` {
		t.Errorf("negative timeout: %v", err)
	}
}

func TestIdleInTransactionSessionTimeout(t *testing.T) {
	_, addr := startRealServerWith(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const fatal = "FATAL 25P03 terminating connection due to idle-in-transaction timeout"

	// As a start-up option: idle outside a block is not limited. The
	// margins are wide so a loaded machine cannot delay a client past them.
	a, _ := connectPgx(t, ctx, addr, "&idle_in_transaction_session_timeout=600")
	time.Sleep(900 * time.Millisecond)
	if _, err := a.Exec(ctx, "begin"); err != nil {
		t.Fatalf("begin after idling outside a transaction: %v", err)
	}
	// Statements inside the block within the limit are fine.
	for range 3 {
		time.Sleep(50 * time.Millisecond)
		if _, err := a.Exec(ctx, "select 1"); err != nil {
			t.Fatalf("statement within the timeout: %v", err)
		}
	}
	time.Sleep(1500 * time.Millisecond)
	_, err := a.Exec(ctx, "select 1")
	if got := pgCode(err); got != fatal {
		t.Errorf("after idling in a block: %v, want %s", err, fatal)
	}

	// Through SET, in an aborted block too.
	b, _ := connectPgx(t, ctx, addr, "")
	if _, err := b.Exec(ctx, "set idle_in_transaction_session_timeout = '0.6s'"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Exec(ctx, "begin"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Exec(ctx, "select 1/0"); err == nil {
		t.Fatal("1/0 succeeded")
	}
	time.Sleep(1500 * time.Millisecond)
	_, err = b.Exec(ctx, "rollback")
	if got := pgCode(err); got != fatal {
		t.Errorf("after idling in an aborted block: %v, want %s", err, fatal)
	}

	// 0 disables the limit.
	c, _ := connectPgx(t, ctx, addr, "&idle_in_transaction_session_timeout=0")
	if _, err := c.Exec(ctx, "begin"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(900 * time.Millisecond)
	if _, err := c.Exec(ctx, "commit"); err != nil {
		t.Errorf("commit with the timeout disabled: %v", err)
	}
}

// TestTimeoutSettingsValidated checks that bad timeout values are refused
// at SET (22023) and at start-up (FATAL), as in PostgreSQL.
func TestTimeoutSettingsValidated(t *testing.T) {
	_, addr := startRealServerWith(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, _ := connectPgx(t, ctx, addr, "")
	_, err := a.Exec(ctx, "set idle_in_transaction_session_timeout = '10 parsecs'")
	if got := pgCode(err); got != `ERROR 22023 invalid value for parameter "idle_in_transaction_session_timeout": "10 parsecs"` {
		t.Errorf("bad SET: %v", err)
	}
	_, err = pgx.Connect(ctx, "postgres://postgres@"+addr+"/postgres?sslmode=disable&statement_timeout=-5")
	if got := pgCode(err); got != `FATAL 22023 -5 ms is outside the valid range for parameter "statement_timeout" (0 .. 2147483647)` {
		t.Errorf("bad start-up option: %v", err)
	}
}
