package types

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/quiverdb/quiver/sql/pgerror"
)

// TestAgainstPostgres replays testdata/pgcases.txt against a real
// PostgreSQL 15 server (QUIVER_TEST_PG_DSN, e.g.
// "host=/tmp/pgq port=5499 user=postgres") and checks that ours agrees on
// text output, binary output and errors. With -update-pg it rewrites
// testdata/pgexpect.txt, which TestPGExpectations checks without a server.
func TestAgainstPostgres(t *testing.T) {
	dsn := os.Getenv("QUIVER_TEST_PG_DSN")
	if dsn == "" {
		t.Skip("QUIVER_TEST_PG_DSN not set; no PostgreSQL server to compare with")
	}
	ctx := context.Background()
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	cases := readLines(t, "testdata/pgcases.txt")
	var out []string
	for _, c := range cases {
		want := runPG(ctx, conn, c)
		out = append(out, c+"\t=> "+want)
		got := runOurs(c)
		if got != want {
			t.Errorf("%s\n  postgres: %s\n  quiver:   %s", c, want, got)
		}
	}
	if os.Getenv("QUIVER_TEST_PG_UPDATE") != "" {
		if err := os.WriteFile("testdata/pgexpect.txt", []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPGExpectations checks ours against outputs recorded from
// PostgreSQL 15 by TestAgainstPostgres.
func TestPGExpectations(t *testing.T) {
	for _, line := range readLines(t, "testdata/pgexpect.txt") {
		c, want, ok := strings.Cut(line, "\t=> ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		if got := runOurs(c); got != want {
			t.Errorf("%s\n  postgres: %s\n  quiver:   %s", c, want, got)
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return lines
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// A case is "in|type|literal", "cast|from|literal|to", "assign|from|literal|to"
// or "cmp|type|a|b".
func runPG(ctx context.Context, conn *pgconn.PgConn, c string) string {
	f := strings.Split(c, "|")
	var q string
	switch f[0] {
	case "in":
		q = fmt.Sprintf("SELECT %s::%s", sqlQuote(f[2]), f[1])
	case "cast":
		q = fmt.Sprintf("SELECT %s::%s::%s", sqlQuote(f[2]), f[1], f[3])
	case "assign":
		if r := conn.Exec(ctx, fmt.Sprintf("DROP TABLE IF EXISTS qa; CREATE TEMP TABLE qa (c %s)", f[3])); r != nil {
			if _, err := r.ReadAll(); err != nil {
				return "setup " + err.Error()
			}
		}
		q = fmt.Sprintf("INSERT INTO qa VALUES (%s::%s) RETURNING c", sqlQuote(f[2]), f[1])
	case "cmp":
		q = fmt.Sprintf("SELECT CASE WHEN %[1]s::%[3]s < %[2]s::%[3]s THEN -1 WHEN %[1]s::%[3]s = %[2]s::%[3]s THEN 0 ELSE 1 END", sqlQuote(f[2]), sqlQuote(f[3]), f[1])
	}
	text, err := pgValue(ctx, conn, q, 0)
	if err != nil {
		return err.Error()
	}
	if f[0] == "cmp" {
		return text
	}
	bin, err := pgValue(ctx, conn, q, 1)
	if err != nil {
		return err.Error()
	}
	return text + " | " + fmt.Sprintf("%x", bin)
}

func pgValue(ctx context.Context, conn *pgconn.PgConn, q string, format int16) (string, error) {
	rr := conn.ExecParams(ctx, q, nil, nil, nil, []int16{format}).Read()
	if rr.Err != nil {
		var pe *pgconn.PgError
		if errors.As(rr.Err, &pe) {
			return "", fmt.Errorf("ERROR %s: %s", pe.Code, pe.Message)
		}
		return "", rr.Err
	}
	if len(rr.Rows) != 1 || len(rr.Rows[0]) != 1 {
		return "", fmt.Errorf("unexpected result shape")
	}
	if rr.Rows[0][0] == nil {
		return "NULL", nil
	}
	return string(rr.Rows[0][0]), nil
}

// resolveSQL reads a type spelled as in SQL, e.g. "varchar(3)",
// "numeric(5,2)", "integer[]", "double precision".
func resolveSQL(s string) (*T, error) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "[]") {
		e, err := resolveSQL(s[:len(s)-2])
		if err != nil {
			return nil, err
		}
		return ArrayOf(e), nil
	}
	name, args, hasArgs := strings.Cut(s, "(")
	var mods []int32
	if hasArgs {
		args, rest, _ := strings.Cut(args, ")")
		name = strings.TrimSpace(name + " " + rest)
		for _, a := range strings.Split(args, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(a))
			if err != nil {
				return nil, err
			}
			mods = append(mods, int32(n))
		}
	}
	return Resolve(name, mods)
}

func errText(err error) string {
	var pe *pgerror.Error
	if errors.As(err, &pe) {
		return fmt.Sprintf("ERROR %s: %s", pe.Code, pe.Message)
	}
	return "GOERROR " + err.Error()
}

func runOurs(c string) string {
	f := strings.Split(c, "|")
	switch f[0] {
	case "in":
		t, err := resolveSQL(f[1])
		if err != nil {
			return errText(err)
		}
		d, err := Cast(DString(f[2]), Unknown, t, CastExplicit)
		if err != nil {
			return errText(err)
		}
		return ourValue(t, d)
	case "cast", "assign":
		from, err := resolveSQL(f[1])
		if err != nil {
			return errText(err)
		}
		to, err := resolveSQL(f[3])
		if err != nil {
			return errText(err)
		}
		d, err := Cast(DString(f[2]), Unknown, from, CastExplicit)
		if err != nil {
			return errText(err)
		}
		cc := CastExplicit
		if f[0] == "assign" {
			cc = CastAssignment
			if !CanCast(from, to, cc) {
				return fmt.Sprintf("ERROR 42804: column \"c\" is of type %s but expression is of type %s", to.BaseString(), from.BaseString())
			}
		}
		r, err := Cast(d, from, to, cc)
		if err != nil {
			return errText(err)
		}
		return ourValue(to, r)
	case "cmp":
		t, err := resolveSQL(f[1])
		if err != nil {
			return errText(err)
		}
		a, err := Cast(DString(f[2]), Unknown, t, CastExplicit)
		if err != nil {
			return errText(err)
		}
		b, err := Cast(DString(f[3]), Unknown, t, CastExplicit)
		if err != nil {
			return errText(err)
		}
		return strconv.Itoa(Compare(t, a, b))
	}
	return "bad case"
}

// ourValue renders text and binary forms and checks both read back.
func ourValue(t *T, d Datum) string {
	text := FormatText(t, d)
	bin, err := EncodeBinary(nil, t, d)
	if err != nil {
		return errText(err)
	}
	back, err := DecodeBinary(t, bin)
	if err != nil {
		return "binary round trip: " + errText(err)
	}
	if FormatText(t, back) != text {
		return "binary round trip changed " + text + " to " + FormatText(t, back)
	}
	again, err := ParseText(t, text)
	if err != nil {
		return "text round trip: " + errText(err)
	}
	if FormatText(t, again) != text {
		return "text round trip changed " + text + " to " + FormatText(t, again)
	}
	return text + " | " + fmt.Sprintf("%x", bin)
}
