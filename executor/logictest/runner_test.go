package logictest

import (
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestParse(t *testing.T) {
	text := strings.Join([]string{
		"# comment",
		"statement ok",
		"CREATE TABLE t (a int)",
		"",
		"statement count 2",
		"INSERT INTO t",
		"VALUES (1), (2)",
		"",
		"statement error 23505 duplicate key .*",
		"INSERT INTO t VALUES (1)",
		"",
		"query error division by zero",
		"SELECT 1/0",
		"",
		"onlyif quiver",
		"query IT rowsort",
		"SELECT a, 'x' FROM t",
		"----",
		"1 | x",
		"2 | x",
		"",
		"connection other",
		"query I",
		"SELECT 1",
	}, "\n")
	f, err := Parse("x.test", text)
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{Kind: KindStatement, Line: 2, SQL: "CREATE TABLE t (a int)", Count: -1},
		{Kind: KindStatement, Line: 5, SQL: "INSERT INTO t\nVALUES (1), (2)", Count: 2},
		{Kind: KindStatement, Line: 9, SQL: "INSERT INTO t VALUES (1)", Count: -1, ExpectError: true, ErrCode: "23505", ErrPattern: "duplicate key .*"},
		{Kind: KindStatement, Line: 12, SQL: "SELECT 1/0", Count: -1, ExpectError: true, ErrPattern: "division by zero"},
		{Kind: KindQuery, Line: 16, SQL: "SELECT a, 'x' FROM t", Count: -1, Types: "IT", SortMode: SortRows,
			Expected: []string{"1 | x", "2 | x"}, ResultStart: 18, ResultEnd: 20, OnlyIf: []string{"quiver"}},
		{Kind: KindConnection, Line: 22, Conn: "other", Count: -1},
		{Kind: KindQuery, Line: 23, SQL: "SELECT 1", Count: -1, Types: "I", SortMode: SortNone},
	}
	if len(f.Records) != len(want) {
		t.Fatalf("got %d records, want %d: %+v", len(f.Records), len(want), f.Records)
	}
	for i, w := range want {
		g := f.Records[i]
		if w.Kind != KindQuery || w.Expected == nil {
			w.ResultStart = -1
		}
		if g.Kind != w.Kind || g.Line != w.Line || g.SQL != w.SQL || g.Conn != w.Conn || g.Count != w.Count ||
			g.ExpectError != w.ExpectError || g.ErrCode != w.ErrCode || g.ErrPattern != w.ErrPattern ||
			g.Types != w.Types || g.SortMode != w.SortMode || strings.Join(g.Expected, "\n") != strings.Join(w.Expected, "\n") ||
			g.ResultStart != w.ResultStart || g.ResultEnd != w.ResultEnd ||
			strings.Join(g.OnlyIf, ",") != strings.Join(w.OnlyIf, ",") {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if f.Records[4].Applies("postgres") || !f.Records[4].Applies("quiver") {
		t.Error("onlyif quiver applied to the wrong targets")
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		text, want string
	}{
		{"bogus directive\nSELECT 1", "unknown directive"},
		{"query IX\nSELECT 1", "unknown column type"},
		{"query I sideways\nSELECT 1", "unknown sort mode"},
		{"statement ok\n\nSELECT 1", "record without SQL"},
		{"statement ok\nSELECT 1\n----\n1", "only a query has results"},
		{"statement error 42601 (\nSELECT", "bad error pattern"},
		{"statement count x\nSELECT 1", "bad count"},
	}
	for _, c := range cases {
		_, err := Parse("bad.test", c.text)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", c.text, err, c.want)
		}
	}
}

func str(s string) *string { return &s }

func TestFormatRows(t *testing.T) {
	rows := [][]*string{{str("b"), nil}, {str("a"), str("")}}
	cases := []struct {
		mode string
		want []string
	}{
		{SortNone, []string{"b | NULL", "a | ''"}},
		{SortRows, []string{"a | ''", "b | NULL"}},
		{SortValue, []string{"''", "NULL", "a", "b"}},
	}
	for _, c := range cases {
		if got := FormatRows(rows, c.mode); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s: got %q, want %q", c.mode, got, c.want)
		}
	}
}

func TestCheck(t *testing.T) {
	intCol := []pgconn.FieldDescription{{Name: "a", DataTypeOID: 23}}
	textCol := []pgconn.FieldDescription{{Name: "a", DataTypeOID: 25}}
	dupErr := &pgconn.PgError{Code: "23505", Message: `duplicate key value violates unique constraint "t_pkey"`}
	cases := []struct {
		name string
		rec  Record
		res  Result
		ok   bool
	}{
		{"rows match", Record{Kind: KindQuery, Types: "I", Expected: []string{"1"}}, Result{Columns: intCol, Rows: [][]*string{{str("1")}}}, true},
		{"rows differ", Record{Kind: KindQuery, Types: "I", Expected: []string{"2"}}, Result{Columns: intCol, Rows: [][]*string{{str("1")}}}, false},
		{"wrong type", Record{Kind: KindQuery, Types: "I", Expected: []string{"1"}}, Result{Columns: textCol, Rows: [][]*string{{str("1")}}}, false},
		{"column count", Record{Kind: KindQuery, Types: "II", Expected: []string{"1"}}, Result{Columns: intCol, Rows: [][]*string{{str("1")}}}, false},
		{"error code and message", Record{Kind: KindStatement, ExpectError: true, ErrCode: "23505", ErrPattern: "duplicate key"}, Result{Err: dupErr}, true},
		{"wrong code", Record{Kind: KindStatement, ExpectError: true, ErrCode: "42601"}, Result{Err: dupErr}, false},
		{"wrong message", Record{Kind: KindStatement, ExpectError: true, ErrPattern: "syntax"}, Result{Err: dupErr}, false},
		{"missing error", Record{Kind: KindStatement, ExpectError: true}, Result{}, false},
		{"not a server error", Record{Kind: KindStatement, ExpectError: true}, Result{Err: errors.New("broken pipe")}, false},
		{"unexpected error", Record{Kind: KindStatement, Count: -1}, Result{Err: dupErr}, false},
		{"count", Record{Kind: KindStatement, Count: 2}, Result{Affected: 2}, true},
		{"count differs", Record{Kind: KindStatement, Count: 2}, Result{Affected: 3}, false},
	}
	for _, c := range cases {
		problems, _ := Check(&c.rec, c.res)
		if (len(problems) == 0) != c.ok {
			t.Errorf("%s: problems %q, want ok=%v", c.name, problems, c.ok)
		}
	}
}

func TestRewrite(t *testing.T) {
	text := "query I\nSELECT 1\n----\n9\n\nquery T\nSELECT 'a'\n\nstatement ok\nSELECT 2"
	f, err := Parse("r.test", text)
	if err != nil {
		t.Fatal(err)
	}
	got := string(f.Rewrite(map[int][]string{0: {"1"}, 1: {"a", "b"}}))
	want := "query I\nSELECT 1\n----\n1\n\nquery T\nSELECT 'a'\n----\na\nb\n\nstatement ok\nSELECT 2\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
