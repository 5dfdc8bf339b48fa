package server

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/quiverdb/quiver/executor"
	"github.com/quiverdb/quiver/storage"
)

// The executor's session provides the optional capabilities the server
// relies on; a rename there should fail here, not silently turn them off.
var (
	_ Session            = (*executor.Session)(nil)
	_ implicitTxnSession = (*executor.Session)(nil)
	_ settingSession     = (*executor.Session)(nil)
)

// TestRealEngine runs the server over the real executor and an in-memory
// store: implicit transactions of multi-statement queries and extended
// batches, and that a failed batch leaves no open transaction behind.
func TestRealEngine(t *testing.T) {
	if !typesReady || !inputReady || !binaryReady {
		t.Skip("sql/types formats not implemented yet")
	}
	dsn := startRealServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer a.Close(context.Background())
	b, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer b.Close(context.Background())

	steps := []struct {
		sql     string
		args    []any
		wantErr string
	}{
		{sql: "create table t (id int primary key, v text)"},
		{sql: "insert into t values ($1, $2)", args: []any{1, "a"}},
		// The failing second statement rolls back the first.
		{sql: "insert into t values (2, 'b'); select * from nope", args: []any{pgx.QueryExecModeSimpleProtocol}, wantErr: "42P01"},
		// A statement that fails at Prepare inside the query string too.
		{sql: "insert into t values (3, 'c'); select nope from t", args: []any{pgx.QueryExecModeSimpleProtocol}, wantErr: "42703"},
		{sql: "insert into t values ($1, $2)", args: []any{4, "d"}},
	}
	for _, st := range steps {
		_, err := a.Exec(ctx, st.sql, st.args...)
		if got := errCode(err); got != st.wantErr {
			t.Fatalf("%s: error %v, want code %q", st.sql, err, st.wantErr)
		}
	}
	// Another session sees exactly the committed rows.
	rows, err := b.Query(ctx, "select id, v from t order by id")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID int32
		V  string
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		t.Fatal(err)
	}
	want := []row{{1, "a"}, {4, "d"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("rows = %v, want %v", got, want)
	}
	if s := a.PgConn().TxStatus(); s != 'I' {
		t.Errorf("status %c, want I", s)
	}
}

// startRealServer serves the real executor over an in-memory store and
// returns a DSN for the postgres database.
func startRealServer(t *testing.T) string {
	t.Helper()
	_, addr := startRealServerWith(t, Config{})
	return "postgres://postgres@" + addr + "/postgres?sslmode=disable"
}

// startRealServerWith serves the real executor over an in-memory store
// with cfg (its Engine is set here) and returns the server and its address.
func startRealServerWith(t testing.TB, cfg Config) (*Server, string) {
	t.Helper()
	store, err := storage.Open(storage.Options{InMemory: true})
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	cfg.Engine = executor.NewEngine(store)
	srv := New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		<-served
		if err := store.Close(); err != nil {
			t.Errorf("closing store: %v", err)
		}
	})
	return srv, ln.Addr().String()
}

// TestRealEngineErrorsAbortTransactions checks PostgreSQL's rule that any
// error — including one at Parse/bind time, which the executor's Prepare
// does not record — aborts a block, and that a failed multi-statement
// query leaves no implicit transaction open.
func TestRealEngineErrorsAbortTransactions(t *testing.T) {
	dsn := startRealServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	simple := pgx.QueryExecModeSimpleProtocol
	steps := []struct {
		sql        string
		simple     bool
		wantErr    string
		wantStatus byte
	}{
		{sql: "begin", wantStatus: 'T'},
		{sql: "select * from nope", wantErr: "42P01", wantStatus: 'E'},
		{sql: "drop table if exists zz", wantErr: "25P02", wantStatus: 'E'},
		{sql: "rollback", wantStatus: 'I'},
		{sql: "begin", simple: true, wantStatus: 'T'},
		{sql: "select * from nope", simple: true, wantErr: "42P01", wantStatus: 'E'},
		{sql: "rollback", simple: true, wantStatus: 'I'},
		{sql: "drop table if exists zz; select * from nope", simple: true, wantErr: "42P01", wantStatus: 'I'},
		{sql: "drop table if exists zz", wantStatus: 'I'},
		{sql: "begin; drop table if exists zz", simple: true, wantStatus: 'T'},
		{sql: "commit", wantStatus: 'I'},
	}
	for _, st := range steps {
		var args []any
		if st.simple {
			args = append(args, simple)
		}
		_, err := conn.Exec(ctx, st.sql, args...)
		if got := errCode(err); got != st.wantErr {
			t.Fatalf("%s: error %v, want code %q", st.sql, err, st.wantErr)
		}
		if got := conn.PgConn().TxStatus(); got != st.wantStatus {
			t.Errorf("%s: status %c, want %c", st.sql, got, st.wantStatus)
		}
	}
}

func errCode(err error) string {
	if err == nil {
		return ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return err.Error()
}
