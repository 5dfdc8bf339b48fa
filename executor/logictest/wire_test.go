package logictest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// TestWire checks the connection-level behaviour clients rely on: the
// ParameterStatus set, startup options, unknown databases, several
// statements in one query string, empty queries, the transaction status in
// ReadyForQuery and a bounded message size. Like the logic tests it runs
// against QUIVER_LOGIC_DSN when that is set.
func TestWire(t *testing.T) {
	srv := startLogicServer(t)
	dsn := freshDatabase(t, srv.adminDSN, "wire_test")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	t.Run("parameter status", func(t *testing.T) {
		c := connect(t, dsn)
		want := map[string]string{
			"server_encoding":             "UTF8",
			"client_encoding":             "UTF8",
			"DateStyle":                   "ISO, MDY",
			"integer_datetimes":           "on",
			"standard_conforming_strings": "on",
			"is_superuser":                "on",
			"session_authorization":       "postgres",
		}
		for k, v := range want {
			if got := c.ParameterStatus(k); got != v {
				t.Errorf("ParameterStatus %s = %q, want %q", k, got, v)
			}
		}
		if c.ParameterStatus("TimeZone") == "" {
			t.Error("ParameterStatus TimeZone not sent")
		}
		if v := c.ParameterStatus("server_version"); !strings.HasPrefix(v, "15") {
			t.Errorf("server_version = %q, want 15.x (psql picks its catalog queries by it)", v)
		}
	})

	t.Run("startup options", func(t *testing.T) {
		cfg, err := pgconn.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		cfg.RuntimeParams["options"] = "-c search_path=s1,public"
		cfg.RuntimeParams["application_name"] = "wiretest"
		c, err := pgconn.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if got := c.ParameterStatus("application_name"); got != "wiretest" {
			t.Errorf("application_name = %q, want wiretest", got)
		}
		got := runText(ctx, t, c, "SHOW search_path")
		// PostgreSQL keeps the text as given in options.
		if got != "s1,public" {
			t.Errorf("search_path = %q, want %q", got, "s1,public")
		}
	})

	t.Run("unknown database", func(t *testing.T) {
		cfg, err := pgconn.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Database = "no_such_database"
		c, err := pgconn.ConnectConfig(ctx, cfg)
		if err == nil {
			_ = c.Close(ctx)
			t.Fatal("connecting to a missing database succeeded")
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "3D000" || pgErr.Message != `database "no_such_database" does not exist` {
			t.Errorf("got %v, want 3D000 database \"no_such_database\" does not exist", err)
		}
	})

	t.Run("databases are separate", func(t *testing.T) {
		other := freshDatabase(t, srv.adminDSN, "wire_test_other")
		c1, c2 := connect(t, dsn), connect(t, other)
		for i, c := range []*pgconn.PgConn{c1, c2} {
			for _, q := range []string{
				"CREATE TABLE same_name (v int)",
				fmt.Sprintf("INSERT INTO same_name VALUES (%d)", i+1),
			} {
				if _, err := c.Exec(ctx, q).ReadAll(); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
		}
		for i, c := range []*pgconn.PgConn{c1, c2} {
			if got, want := runText(ctx, t, c, "SELECT sum(v) FROM same_name"), fmt.Sprint(i+1); got != want {
				t.Errorf("database %d sees sum %s, want %s", i+1, got, want)
			}
		}
	})

	t.Run("multiple statements", func(t *testing.T) {
		c := connect(t, dsn)
		results, err := c.Exec(ctx, "SELECT 1; SELECT 'two', 3; CREATE TABLE IF NOT EXISTS w (a int)").ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var tags []string
		for _, r := range results {
			tags = append(tags, r.CommandTag.String())
		}
		if strings.Join(tags, ",") != "SELECT 1,SELECT 1,CREATE TABLE" {
			t.Errorf("command tags %q", tags)
		}
		if len(results) == 3 && (len(results[1].Rows) != 1 || string(results[1].Rows[0][0]) != "two" || string(results[1].Rows[0][1]) != "3") {
			t.Errorf("second result rows %q", results[1].Rows)
		}
		// An error stops the rest of the string; the session goes on.
		_, err = c.Exec(ctx, "SELECT 1; SELECT 1/0; CREATE TABLE never_created (a int)").ReadAll()
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "22012" {
			t.Errorf("got %v, want 22012", err)
		}
		res := (&Conn{PG: c, Simple: true}).Run(ctx, "SELECT * FROM never_created")
		if !errors.As(res.Err, &pgErr) || pgErr.Code != "42P01" {
			t.Errorf("statement after the error in the same string ran: %v", res.Err)
		}
	})

	t.Run("empty query", func(t *testing.T) {
		c := connect(t, dsn)
		for _, q := range []string{"", ";", "-- only a comment"} {
			results, err := c.Exec(ctx, q).ReadAll()
			if err != nil {
				t.Errorf("%q: %v", q, err)
				continue
			}
			if len(results) > 1 || (len(results) == 1 && results[0].CommandTag.String() != "") {
				t.Errorf("%q: got %d results, first tag %q", q, len(results), results[0].CommandTag.String())
			}
		}
	})

	t.Run("transaction status", func(t *testing.T) {
		c := connect(t, dsn)
		steps := []struct {
			sql  string
			want byte
		}{
			{"SELECT 1", 'I'},
			{"BEGIN", 'T'},
			{"SELECT 1", 'T'},
			{"SELECT 1/0", 'E'},
			{"SELECT 1", 'E'},
			{"ROLLBACK", 'I'},
			{"START TRANSACTION", 'T'},
			{"COMMIT", 'I'},
		}
		for _, s := range steps {
			_, _ = c.Exec(ctx, s.sql).ReadAll()
			if got := c.TxStatus(); got != s.want {
				t.Errorf("after %q: status %q, want %q", s.sql, got, s.want)
			}
		}
	})

	t.Run("oversized message", func(t *testing.T) {
		c := connect(t, dsn)
		hj, err := c.Hijack()
		if err != nil {
			t.Fatal(err)
		}
		defer hj.Conn.Close()
		// A Query message announcing ~2 GB: the server must answer with an
		// error or hang up, not try to allocate and read it.
		if _, err := hj.Conn.Write([]byte{'Q', 0x7f, 0xff, 0xff, 0xf0}); err != nil {
			t.Fatal(err)
		}
		_ = hj.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		fe := pgproto3.NewFrontend(hj.Conn, hj.Conn)
		for {
			msg, err := fe.Receive()
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("server neither answered nor closed the connection after a 2 GB message header")
			}
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "reset") {
					t.Logf("connection ended with %v", err)
				}
				break
			}
			if _, ok := msg.(*pgproto3.ErrorResponse); ok {
				break
			}
		}
		// The server itself is fine.
		if got := runText(ctx, t, connect(t, dsn), "SELECT 42"); got != "42" {
			t.Errorf("after the oversized message, SELECT 42 = %q", got)
		}
	})
}

// runText runs a one-value query with the simple protocol and returns the
// value as text ("" for no rows).
func runText(ctx context.Context, t *testing.T, c *pgconn.PgConn, sql string) string {
	t.Helper()
	res := (&Conn{PG: c, Simple: true}).Run(ctx, sql)
	if res.Err != nil {
		t.Fatalf("%s: %v", sql, res.Err)
	}
	if len(res.Rows) == 0 || len(res.Rows[0]) == 0 || res.Rows[0][0] == nil {
		return ""
	}
	return *res.Rows[0][0]
}
