package executor

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
)

func copyIn(t *testing.T, s *Session, sql, data string) (string, error) {
	t.Helper()
	st, err := s.Parse(sql)
	if err != nil {
		t.Fatalf("parse %q: %v", sql, err)
	}
	p, err := s.Prepare(context.Background(), st[0], nil)
	if err != nil {
		t.Fatalf("prepare %q: %v", sql, err)
	}
	return s.CopyIn(context.Background(), p, func(int, bool) error { return nil }, strings.NewReader(data))
}

func copyOut(t *testing.T, s *Session, sql string) (string, string) {
	t.Helper()
	st, err := s.Parse(sql)
	if err != nil {
		t.Fatalf("parse %q: %v", sql, err)
	}
	p, err := s.Prepare(context.Background(), st[0], nil)
	if err != nil {
		t.Fatalf("prepare %q: %v", sql, err)
	}
	var out bytes.Buffer
	tag, err := s.CopyOut(context.Background(), p, func(int, bool) error { return nil }, func(b []byte) error {
		out.Write(b)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return tag, out.String()
}

func TestCopyInFormats(t *testing.T) {
	tests := []struct {
		name, copy, data, tag, want string
	}{
		{"text", `copy t (a, b) from stdin`, "1\tone\n2\t\\N\n3\ta\\tb\\\\c\n\\.\n", "COPY 3",
			"1\tone\t7\n2\t\\N\t7\n3\ta\\tb\\\\c\t7\n"},
		{"text delimiter null", `copy t from stdin with (delimiter '|', null 'NULL')`, "1|x\\|y|NULL\n", "COPY 1",
			"1\tx|y\t\\N\n"},
		{"csv header quotes", `copy t from stdin with (format csv, header)`, "a,b,c\n1,\"he said \"\"hi\"\"\",\n2,\"two\nlines\",3\n3,\"\",4\n", "COPY 3",
			"1\the said \"hi\"\t\\N\n2\ttwo\\nlines\t3\n3\t\t4\n"},
		{"csv quote escape null", `copy t from stdin with (format csv, quote '''', escape '\', null 'n/a')`, "1,'it\\'s',n/a\n", "COPY 1",
			"1\tit's\t\\N\n"},
		{"text header", `copy t from stdin with (header)`, "a\tb\tc\n5\tfive\t5\n", "COPY 1", "5\tfive\t5\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession(t)
			if _, err := run(t, s, "create table t (a int primary key, b text, c int default 7)"); err != nil {
				t.Fatal(err)
			}
			tag, err := copyIn(t, s, tc.copy, tc.data)
			if err != nil || tag != tc.tag {
				t.Fatalf("copy in = %q, %v; want %q", tag, err, tc.tag)
			}
			_, out := copyOut(t, s, "copy (select * from t order by a) to stdout")
			if out != tc.want {
				t.Errorf("table holds %q, want %q", out, tc.want)
			}
		})
	}
}

func TestCopyOutFormats(t *testing.T) {
	s := newTestSession(t)
	if _, err := run(t, s, "create table t (a int, b text, c float8); insert into t values (1, 'x,y', 1.5), (2, null, null), (3, 'q\"', 0)"); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ sql, tag, want string }{
		{"copy t to stdout", "COPY 3", "1\tx,y\t1.5\n2\t\\N\t\\N\n3\tq\"\t0\n"},
		{"copy t (b, a) to stdout with (format csv, header)", "COPY 3", "b,a\n\"x,y\",1\n,2\n\"q\"\"\",3\n"},
		{"copy t to stdout with (format csv, force_quote (a), null 'NULL')", "COPY 3", "\"1\",\"x,y\",1.5\n\"2\",NULL,NULL\n\"3\",\"q\"\"\",0\n"},
		{"copy t to stdout with (format csv, force_quote *, delimiter ';')", "COPY 3", "\"1\";\"x,y\";\"1.5\"\n\"2\";;\n\"3\";\"q\"\"\";\"0\"\n"},
		{"copy (select a * 10 as x from t where a > 1) to stdout", "COPY 2", "20\n30\n"},
		{"copy (select 1::int2 as a, 'z'::text as b) to stdout binary", "COPY 1",
			"PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x02\x00\x01\x00\x00\x00\x01z\xff\xff"},
	}
	for _, tc := range tests {
		tag, out := copyOut(t, s, tc.sql)
		if tag != tc.tag || out != tc.want {
			t.Errorf("%s = %q, %q; want %q, %q", tc.sql, tag, out, tc.tag, tc.want)
		}
	}
}

func TestCopyBinaryRoundTrip(t *testing.T) {
	s := newTestSession(t)
	if _, err := run(t, s, "create table t (a int, b text, v vector(2), n numeric); insert into t values (1, 'x', '[1,2]', 1.25), (2, null, null, null)"); err != nil {
		t.Fatal(err)
	}
	_, bin := copyOut(t, s, "copy t to stdout binary")
	if _, err := run(t, s, "create table u (a int, b text, v vector(2), n numeric)"); err != nil {
		t.Fatal(err)
	}
	if tag, err := copyIn(t, s, "copy u from stdin (format binary)", bin); err != nil || tag != "COPY 2" {
		t.Fatalf("binary copy in = %q, %v", tag, err)
	}
	_, a := copyOut(t, s, "copy t to stdout")
	_, b := copyOut(t, s, "copy u to stdout")
	if a != b || a != "1\tx\t[1,2]\t1.25\n2\t\\N\t\\N\t\\N\n" {
		t.Errorf("copied %q, source %q", b, a)
	}
}

// TestCopyInErrors checks PostgreSQL's error, context line and that a
// failed COPY leaves no row behind.
func TestCopyInErrors(t *testing.T) {
	tests := []struct {
		name, copy, data, code, msg, where string
	}{
		{"bad value", "copy t from stdin", "1\tx\t1\n2\ty\tabc\n", "22P02", `invalid input syntax for type integer: "abc"`, `COPY t, line 2, column c: "abc"`},
		{"extra column", "copy t from stdin", "1\tx\t1\t9\n", "22P04", "extra data after last expected column", "COPY t, line 1: \"1\tx\t1\t9\""},
		{"missing column", "copy t from stdin", "1\tx\n", "22P04", `missing data for column "c"`, "COPY t, line 1: \"1\tx\""},
		{"not null", "copy t (b) from stdin", "x\n", "23502", `null value in column "a" of relation "t" violates not-null constraint`, `COPY t, line 1: "x"`},
		{"duplicate", "copy t from stdin csv", "1,x,1\n1,y,2\n", "23505", `duplicate key value violates unique constraint "t_pkey"`, "COPY t, line 2"},
		{"unterminated csv", "copy t from stdin csv", "1,\"x,1\n", "22P04", "unterminated CSV quoted field", "COPY t, line 1: \"1,\"x,1\n\""},
		// PostgreSQL counts line breaks in quoted fields once a record
		// has ended (recorded from PostgreSQL 15).
		{"csv line breaks", "copy t from stdin csv", "1,a,1\n2,\"x\ny\nq\",2\nz,w,3\n", "22P02", `invalid input syntax for type integer: "z"`, `COPY t, line 5, column a: "z"`},
		{"csv first record line breaks", "copy t from stdin csv", "1,\"x\ny\",1\nz,w,3\n", "22P02", `invalid input syntax for type integer: "z"`, `COPY t, line 2, column a: "z"`},
		{"unterminated csv after a record", "copy t from stdin csv", "1,a,1\n2,\"x\ny", "22P04", "unterminated CSV quoted field", "COPY t, line 3: \"2,\"x\ny\""},
		{"unterminated csv line break", "copy t from stdin csv", "1,a,1\n2,\"x\ny\n", "22P04", "unterminated CSV quoted field", "COPY t, line 4: \"2,\"x\ny\n\""},
		{"unterminated csv crlf", "copy t from stdin csv", "1,a,1\r\n2,\"x\r\ny\r\n", "22P04", "unterminated CSV quoted field", "COPY t, line 4: \"2,\"x\r\ny\r\n\""},
		{"bad binary", "copy t from stdin binary", "junk", "22P04", "COPY file signature not recognized", "COPY t, line 0"},
		{"unknown column", "copy t (zz) from stdin", "", "42703", `column "zz" of relation "t" does not exist`, ""},
		{"quote in text", "copy t from stdin with (quote '\"')", "", "0A000", "COPY quote available only in CSV mode", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSession(t)
			if _, err := run(t, s, "create table t (a int primary key, b text, c int)"); err != nil {
				t.Fatal(err)
			}
			_, err := copyIn(t, s, tc.copy, tc.data)
			var pe *pgerror.Error
			if !errors.As(err, &pe) || pe.Code != tc.code || pe.Message != tc.msg || pe.Where != tc.where {
				t.Fatalf("error = %#v, want %s %q where %q", err, tc.code, tc.msg, tc.where)
			}
			if _, out := copyOut(t, s, "copy t to stdout"); out != "" {
				t.Errorf("failed COPY left %q behind", out)
			}
		})
	}
}

// TestCopyInBlock checks that a COPY inside a block belongs to it and that
// its failure aborts the block.
func TestCopyInBlock(t *testing.T) {
	s := newTestSession(t)
	if _, err := run(t, s, "create table t (a int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, s, "begin"); err != nil {
		t.Fatal(err)
	}
	if tag, err := copyIn(t, s, "copy t from stdin", "1\n2\n"); err != nil || tag != "COPY 2" {
		t.Fatalf("copy = %q, %v", tag, err)
	}
	if _, err := copyIn(t, s, "copy t from stdin", "x\n"); err == nil {
		t.Fatal("bad row accepted")
	}
	if _, err := run(t, s, "select 1"); err == nil || !strings.Contains(err.Error(), "current transaction is aborted") {
		t.Fatalf("block not aborted: %v", err)
	}
	if _, err := run(t, s, "rollback"); err != nil {
		t.Fatal(err)
	}
	if rows, err := run(t, s, "select count(*) from t"); err != nil || rows[0][0] != "0" {
		t.Errorf("after rollback: %v, %v", rows, err)
	}
}

func TestCopyInCancelled(t *testing.T) {
	s := newTestSession(t)
	if _, err := run(t, s, "create table t (a int)"); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Parse("copy t from stdin")
	p, err := s.Prepare(context.Background(), st[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.CopyIn(ctx, p, func(int, bool) error { return nil }, strings.NewReader("1\n"))
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != "57014" {
		t.Errorf("cancelled copy: %v, want 57014", err)
	}
}

// TestCopyBitStrings checks COPY's text and binary forms of bit and
// varbit and bit_in's errors with COPY's context, as PostgreSQL 15 gives
// them.
func TestCopyBitStrings(t *testing.T) {
	s := newTestSession(t)
	if _, err := run(t, s, "create table t (a int, b bit(3), v varbit(4))"); err != nil {
		t.Fatal(err)
	}
	if tag, err := copyIn(t, s, "copy t from stdin", "1\t101\tx1\n2\t\\N\t\n"); err != nil || tag != "COPY 2" {
		t.Fatalf("copy in = %q, %v", tag, err)
	}
	const want = "1\t101\t0001\n2\t\\N\t\n"
	if _, out := copyOut(t, s, "copy t to stdout"); out != want {
		t.Errorf("copy out = %q, want %q", out, want)
	}
	if _, out := copyOut(t, s, "copy t to stdout with (format csv)"); out != "1,101,0001\n2,,\"\"\n" {
		t.Errorf("copy out csv = %q", out)
	}
	for _, tc := range []struct{ data, code, msg, where string }{
		{"3\t01\t1\n", "22026", "bit string length 2 does not match type bit(3)", `COPY t, line 1, column b: "01"`},
		{"3\t012\t1\n", "22P02", `"2" is not a valid binary digit`, `COPY t, line 1, column b: "012"`},
		{"3\t111\t11111\n", "22001", "bit string too long for type bit varying(4)", `COPY t, line 1, column v: "11111"`},
	} {
		_, err := copyIn(t, s, "copy t from stdin", tc.data)
		var pe *pgerror.Error
		if !errors.As(err, &pe) || pe.Code != tc.code || pe.Message != tc.msg || pe.Where != tc.where {
			t.Errorf("copy in %q: error = %#v, want %s %q where %q", tc.data, err, tc.code, tc.msg, tc.where)
		}
	}
	_, bin := copyOut(t, s, "copy t to stdout binary")
	if _, err := run(t, s, "create table u (a int, b bit(3), v varbit(4))"); err != nil {
		t.Fatal(err)
	}
	if tag, err := copyIn(t, s, "copy u from stdin (format binary)", bin); err != nil || tag != "COPY 2" {
		t.Fatalf("binary copy in = %q, %v", tag, err)
	}
	if _, out := copyOut(t, s, "copy u to stdout"); out != want {
		t.Errorf("after a binary round trip: %q, want %q", out, want)
	}
	// bit_recv checks the column's length too.
	if _, err := run(t, s, "create table w (a int, b bit(4), v varbit(4))"); err != nil {
		t.Fatal(err)
	}
	_, err := copyIn(t, s, "copy w from stdin (format binary)", bin)
	if pgerror.CodeOf(err) != pgerror.CodeStringDataLengthMismatch || !strings.Contains(err.Error(), "bit string length 3 does not match type bit(4)") {
		t.Errorf("binary copy of bit(3) into bit(4): %v", err)
	}
}
