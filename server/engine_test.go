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
	store, err := storage.Open(storage.Options{InMemory: true})
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	defer store.Close()
	srv := New(Config{Engine: executor.NewEngine(store)})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		<-served
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dsn := "postgres://postgres@" + ln.Addr().String() + "/postgres?sslmode=disable"
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
