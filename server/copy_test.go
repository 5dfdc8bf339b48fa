package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// copyMsg renders the messages of the COPY sub-protocol (and the rest via
// summarize).
func copyMsg(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.CopyInResponse:
		return fmt.Sprintf("CopyIn %d %v", m.OverallFormat, m.ColumnFormatCodes)
	case *pgproto3.CopyOutResponse:
		return fmt.Sprintf("CopyOut %d %v", m.OverallFormat, m.ColumnFormatCodes)
	case *pgproto3.CopyData:
		return fmt.Sprintf("CopyData %q", m.Data)
	case *pgproto3.CopyDone:
		return "CopyDone"
	case *pgproto3.ErrorResponse:
		return "ERROR " + m.Code + " " + m.Message + " / " + m.Where
	}
	return summarize(m)
}

func (c *client) copyUntilReady() []string {
	c.t.Helper()
	var out []string
	for {
		m, err := c.fe.Receive()
		if err != nil {
			c.t.Fatalf("receive: %v", err)
		}
		s := copyMsg(m)
		out = append(out, s)
		if strings.HasPrefix(s, "Ready") {
			return out
		}
		if strings.HasPrefix(s, "CopyIn") {
			return out
		}
	}
}

// TestCopyProtocol drives COPY's sub-protocol message by message.
func TestCopyProtocol(t *testing.T) {
	dsn := startRealServer(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := connect(t, u.Host, map[string]string{"user": "postgres", "database": "postgres"})
	steps := []struct {
		send []pgproto3.FrontendMessage
		want []string
	}{
		{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "create table t (a int, b text)"}},
			[]string{"Complete CREATE TABLE", "Ready I"}},
		{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "copy t from stdin"}},
			[]string{"CopyIn 0 [0 0]"}},
		{[]pgproto3.FrontendMessage{&pgproto3.CopyData{Data: []byte("1\tx\n2\t")}, &pgproto3.CopyData{Data: []byte("y\n")}, &pgproto3.CopyDone{}},
			[]string{"Complete COPY 2", "Ready I"}},
		{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "copy t (a) from stdin binary"}},
			[]string{"CopyIn 1 [1]"}},
		{[]pgproto3.FrontendMessage{&pgproto3.CopyData{Data: []byte("1\n")}, &pgproto3.CopyFail{Message: "client gave up"}},
			[]string{"ERROR 57014 COPY from stdin failed: client gave up / ", "Ready I"}},
		// A CopyFail in text data names the line being read.
		{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "copy t from stdin"}},
			[]string{"CopyIn 0 [0 0]"}},
		{[]pgproto3.FrontendMessage{&pgproto3.CopyData{Data: []byte("5\tu\n6\t")}, &pgproto3.CopyFail{Message: "client gave up"}},
			[]string{"ERROR 57014 COPY from stdin failed: client gave up / COPY t, line 2", "Ready I"}},
		{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "copy t from stdin"}},
			[]string{"CopyIn 0 [0 0]"}},
		// The error is answered at once; the rest of the data is ignored.
		{[]pgproto3.FrontendMessage{&pgproto3.CopyData{Data: []byte("3\tz\nq\tw\n")}},
			[]string{`ERROR 22P02 invalid input syntax for type integer: "q" / COPY t, line 2, column a: "q"`, "Ready I"}},
		{[]pgproto3.FrontendMessage{&pgproto3.CopyData{Data: []byte("4\tv\n")}, &pgproto3.CopyDone{}, &pgproto3.Query{String: "copy t to stdout with (format csv)"}},
			[]string{"CopyOut 0 [0 0]", `CopyData "1,x\n"`, `CopyData "2,y\n"`, "CopyDone", "Complete COPY 2", "Ready I"}},
		// The extended protocol: the COPY runs at Execute.
		{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "copy t (b, a) from stdin csv"}, &pgproto3.Bind{}, &pgproto3.Execute{}},
			[]string{"ParseOk", "BindOk", "CopyIn 0 [0 0]"}},
		{[]pgproto3.FrontendMessage{&pgproto3.CopyData{Data: []byte("w,5\n")}, &pgproto3.CopyDone{}, &pgproto3.Sync{}},
			[]string{"Complete COPY 1", "Ready I"}},
		{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "copy (select count(*) from t) to stdout"}},
			[]string{"CopyOut 0 [0]", `CopyData "3\n"`, "CopyDone", "Complete COPY 1", "Ready I"}},
		{[]pgproto3.FrontendMessage{&pgproto3.Query{String: "copy t to '/tmp/x'"}},
			[]string{"ERROR 42501 must be superuser or have privileges of the pg_read_server_files role to COPY to or from a file / ", "Ready I"}},
	}
	for i, s := range steps {
		c.send(s.send...)
		got := c.copyUntilReady()
		if strings.Join(got, "\n") != strings.Join(s.want, "\n") {
			t.Fatalf("step %d: got\n%s\nwant\n%s", i, strings.Join(got, "\n"), strings.Join(s.want, "\n"))
		}
	}
}

// TestPgxCopyFrom loads rows with pgx's CopyFrom (binary COPY) and reads
// them back; a bad row rolls everything back.
func TestPgxCopyFrom(t *testing.T) {
	dsn := startRealServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "create table items (id int8 primary key, name text, score float8, v vector(3))"); err != nil {
		t.Fatal(err)
	}
	const n = 5000
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{int64(i), fmt.Sprintf("item %d", i), float64(i) / 2, nil}
	}
	got, err := conn.CopyFrom(ctx, pgx.Identifier{"items"}, []string{"id", "name", "score", "v"}, pgx.CopyFromRows(rows))
	if err != nil || got != n {
		t.Fatalf("CopyFrom = %d, %v; want %d", got, err, n)
	}
	var count int64
	var sum float64
	if err := conn.QueryRow(ctx, "select count(*), sum(score) from items").Scan(&count, &sum); err != nil || count != n || sum != float64(n*(n-1))/4 {
		t.Errorf("count, sum = %d, %v, %v", count, sum, err)
	}
	dup := [][]any{{int64(n), "new", 1.0, nil}, {int64(3), "dup", 1.0, nil}}
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"items"}, []string{"id", "name", "score", "v"}, pgx.CopyFromRows(dup))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" || pe.Where != "COPY items, line 2" {
		t.Fatalf("duplicate CopyFrom: %v, want 23505 at line 2", err)
	}
	if err := conn.QueryRow(ctx, "select count(*) from items").Scan(&count); err != nil || count != n {
		t.Errorf("after failed COPY count = %d, %v; want %d", count, err, n)
	}
	var buf bytes.Buffer
	tag, err := conn.PgConn().CopyTo(ctx, &buf, "copy (select id, name from items where id < 3 order by id) to stdout with (format csv, header)")
	if err != nil || tag.String() != "COPY 3" || buf.String() != "id,name\n0,item 0\n1,item 1\n2,item 2\n" {
		t.Errorf("CopyTo = %q, %q, %v", tag, buf.String(), err)
	}
}

// TestPsqlCopy runs the real psql's \copy in both directions.
func TestPsqlCopy(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed")
	}
	dsn := startRealServer(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("id,note\n1,\"a, b\"\n2,\n3,\"multi\nline\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.txt")
	script := fmt.Sprintf("create table n (id int, note text);\n\\copy n from '%s' with (format csv, header)\n\\copy n to '%s'\n", in, out)
	cmd := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", dsn)
	cmd.Stdin = strings.NewReader(script)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("psql: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "1\ta, b\n2\t\\N\n3\tmulti\\nline\n"; string(got) != want {
		t.Errorf("\\copy out wrote %q, want %q", got, want)
	}
	cmd = exec.Command(psql, "-X", "-q", dsn)
	cmd.Stdin = strings.NewReader("\\copy n from stdin\n4\tok\n5\tbad\tcol\n\\.\nselect count(*) from n;\n")
	b, _ := cmd.CombinedOutput()
	if s := string(b); !strings.Contains(s, "ERROR:  extra data after last expected column") ||
		!strings.Contains(s, "CONTEXT:  COPY n, line 2: \"5\tbad\tcol\"") || !strings.Contains(s, "\n     3\n") {
		t.Errorf("psql \\copy with a bad row printed:\n%s", s)
	}
}
