package pgdialect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

// deparse renders an expression fully parenthesised, so PostgreSQL reading
// it back must group exactly as this parser did.
func deparse(e tree.Expr) string { return deparseWith(e, deparse) }

// deparseWith renders e, using sub for its operands.
func deparseWith(e tree.Expr, deparse func(tree.Expr) string) string {
	deparseList := func(l []tree.Expr) string {
		var parts []string
		for _, e := range l {
			parts = append(parts, deparse(e))
		}
		return strings.Join(parts, ", ")
	}
	switch x := e.(type) {
	case *tree.ColumnRef:
		return strings.Join(x.Parts, ".")
	case *tree.NumberLit:
		return "(" + x.Text + ")"
	case *tree.StringLit:
		return "'" + strings.ReplaceAll(x.Val, "'", "''") + "'"
	case *tree.BoolLit:
		return fmt.Sprint(x.Val)
	case *tree.NullLit:
		return "NULL"
	case *tree.DefaultExpr:
		return "DEFAULT"
	case *tree.BinaryExpr:
		op := x.Op
		if x.Schema != "" {
			op = "OPERATOR(" + x.Schema + "." + op + ")"
		}
		s := "(" + deparse(x.Left) + " " + op + " " + deparse(x.Right)
		if x.Escape != nil {
			s += " ESCAPE " + deparse(x.Escape)
		}
		return s + ")"
	case *tree.UnaryExpr:
		return "(" + x.Op + " " + deparse(x.Operand) + ")"
	case *tree.IsExpr:
		not := ""
		if x.Not {
			not = "NOT "
		}
		return "(" + deparse(x.Operand) + " IS " + not + x.What + ")"
	case *tree.BetweenExpr:
		not := ""
		if x.Not {
			not = "NOT "
		}
		return "(" + deparse(x.Operand) + " " + not + "BETWEEN " + deparse(x.Lo) + " AND " + deparse(x.Hi) + ")"
	case *tree.InExpr:
		not := ""
		if x.Not {
			not = "NOT "
		}
		return "(" + deparse(x.Operand) + " " + not + "IN (" + deparseList(x.List) + "))"
	case *tree.QuantifiedExpr:
		q := "ANY"
		if x.All {
			q = "ALL"
		}
		return "(" + deparse(x.Operand) + " " + x.Op + " " + q + " (" + deparse(x.Array) + "))"
	case *tree.CaseExpr:
		s := "(CASE"
		if x.Operand != nil {
			s += " " + deparse(x.Operand)
		}
		for _, w := range x.Whens {
			s += " WHEN " + deparse(w.Cond) + " THEN " + deparse(w.Result)
		}
		if x.Else != nil {
			s += " ELSE " + deparse(x.Else)
		}
		return s + " END)"
	case *tree.CastExpr:
		return "CAST(" + deparse(x.Operand) + " AS " + typeStr(x.Type) + ")"
	case *tree.CollateExpr:
		return "(" + deparse(x.Operand) + " COLLATE \"" + x.Collation + "\")"
	case *tree.FuncCall:
		if x.Name == "timezone" && len(x.Args) == 2 {
			return "(" + deparse(x.Args[1]) + " AT TIME ZONE " + deparse(x.Args[0]) + ")"
		}
		name := x.Name
		if x.Schema != "" {
			name = x.Schema + "." + name
		}
		return name + "(" + deparseList(x.Args) + ")"
	case *tree.ArrayExpr:
		return "ARRAY[" + deparseList(x.Elems) + "]"
	case *tree.RowExpr:
		return "ROW(" + deparseList(x.Elems) + ")"
	case *tree.Subscript:
		s := "(" + deparse(x.Operand) + ")["
		if x.Index != nil {
			s += deparse(x.Index)
		}
		if x.Slice {
			s += ":"
			if x.Upper != nil {
				s += deparse(x.Upper)
			}
		}
		return s + "]"
	case *tree.ParenExpr:
		return "(" + deparse(x.Inner) + ")"
	}
	return fmt.Sprintf("<%T>", e)
}

// TestPrecedenceAgainstPostgres compares this parser's grouping with a real
// PostgreSQL's: EXPLAIN VERBOSE prints PostgreSQL's own parenthesised
// reading of the original text and of our fully parenthesised deparse; they
// must be identical. Set QUIVER_TEST_PG_URL to run it.
func TestPrecedenceAgainstPostgres(t *testing.T) {
	url := os.Getenv("QUIVER_TEST_PG_URL")
	if url == "" {
		t.Skip("QUIVER_TEST_PG_URL not set (a PostgreSQL 15 to compare with)")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	setup := []string{
		"DROP SCHEMA IF EXISTS pgdialect_cmp CASCADE",
		"CREATE SCHEMA pgdialect_cmp",
		"SET search_path = pgdialect_cmp, public",
		"CREATE TABLE t (a int, b int, c int, d int, x int, y int, s text, u text, arr int[], j jsonb, f float8, bo bool, bo2 bool, ts timestamptz)",
	}
	for _, op := range []string{"<->", "<#>", "<=>", "<+>", "<~>"} {
		setup = append(setup, "CREATE OPERATOR "+op+" (function = int4mi, leftarg = int4, rightarg = int4)",
			"CREATE OPERATOR "+op+" (function = left, leftarg = text, rightarg = int4)")
	}
	for _, s := range setup {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	exprs := []string{
		"a <-> b + c < d", "a <-> b * c", "s || u <-> a", "s || a + b", "1 - (a <=> b)", "-2 ^ 2", "- a ^ 2", "2 ^ 3 ^ 2",
		"NOT a <-> b = c", "bo = s LIKE u", "a = ANY(arr) AND bo", "a + b = ANY(arr)", "a BETWEEN b AND c <-> d",
		"a BETWEEN 1 AND 2 AND bo", "a IS NULL AND bo", "NOT a = b", "bo OR bo2 AND bo", "a + b * c - d / x % y",
		"a - b - c", "~ a + b", "|/ f + 1", "@ a - 1", "a & b + c", "a | b & c", "a << b + 1", "a # b * c",
		"a::int8 + b", "-a::int8", "arr[1] + a", "arr[1:2] || arr", "ts AT TIME ZONE 'UTC' < now()",
		"s COLLATE \"C\" < u", "j -> 'k' ->> 'x' = s", "j #> '{a}' @> j", "j ? 'k' AND bo", "j ?| ARRAY['a'] OR bo",
		"s ~ u AND s !~* u", "s ILIKE u OR s NOT LIKE u ESCAPE '!'", "bo IS DISTINCT FROM a = b", "arr[1]::text || s", "a::text::int + 1", "-arr[1] * 2", "NOT bo = bo2 AND bo", "a + b BETWEEN c AND d IS TRUE", "s LIKE u IS NOT NULL", "NOT s NOT LIKE u", "a <-> b IS NULL", "j - 'k' ? 'x'", "j #- '{a}' || j", "f ^ 2 ^ -f",
		"a IS NOT DISTINCT FROM b + 1", "a IN (1, 2) = bo", "a NOT IN (1) AND bo", "a IS NULL = bo", "a = ANY(arr) = bo",
		"CASE WHEN a > b THEN a ELSE b END + 1", "coalesce(a, b) * 2", "a NOT BETWEEN b AND c + 1",
		"s SIMILAR TO u || 'x'", "ROW(a, b) = ROW(c, d)", "(a, b) < (c, d)", "a IS NULL IS NOT NULL",
		"s || 'a' LIKE u", "a + 1 IN (b, c)", "NOT bo IS TRUE", "a > b IS TRUE", "a OPERATOR(pg_catalog.+) b * c",
		"x % y * 2", "a = b AND c = d OR x = y", "arr[1] <-> b", "a <-> b <#> c", "f::int4 <-> a",
		"- a <-> b", "a <-> - b", "@ a <-> 2", "s || u <-> a + 1", "s <-> a || u", "ARRAY[a, b] && arr", "arr @> ARRAY[1] = bo",
		"a - -b", "a*-1", "s || 1 || u", "'x' || s COLLATE \"C\"", "interval '1 day' + ts > now()",
	}
	for _, src := range exprs {
		e, err := ParseExpr(src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		mine := deparse(e)
		want, err1 := explainOutput(ctx, conn, src)
		got, err2 := explainOutput(ctx, conn, mine)
		if err1 != nil || err2 != nil {
			t.Errorf("%s: postgres: %v / %v (deparse %s)", src, err1, err2, mine)
			continue
		}
		if want != got {
			t.Errorf("%s\n postgres reads: %s\n     we read as: %s (deparse %s)", src, want, got, mine)
		}
	}
}

func explainOutput(ctx context.Context, conn *pgx.Conn, expr string) (string, error) {
	rows, err := conn.Query(ctx, "EXPLAIN (VERBOSE, COSTS OFF) SELECT "+expr+" FROM t")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", err
		}
		if strings.Contains(line, "Output:") {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return strings.Join(out, "\n"), rows.Err()
}

// TestLiteralsAgainstPostgres compares the lexer's decoding of string
// constants with the value PostgreSQL computes for the same text.
func TestLiteralsAgainstPostgres(t *testing.T) {
	url := os.Getenv("QUIVER_TEST_PG_URL")
	if url == "" {
		t.Skip("QUIVER_TEST_PG_URL not set (a PostgreSQL 15 to compare with)")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	lits := []string{
		`'plain'`, `'it''s'`, `'back\slash'`, `E'a\nb\tc'`, `E'\x41\101\u00e9\U0001F600'`, `E'\'q\''`, `E'\\'`,
		`E'\z'`, `$$dollar 'q' \n$$`, `$tag$a$$b$tag$`, `U&'d\0061t\+000061'`, `U&'\\'`, `N'nat'`,
		"'con'\n'cat'", "'a' -- c\n'b'", `e'\x4'`, `E'\7'`, `'multi
line'`,
	}
	for _, lit := range lits {
		e, err := ParseExpr(lit)
		if err != nil {
			t.Errorf("%s: %v", lit, err)
			continue
		}
		s, ok := e.(*tree.StringLit)
		if !ok {
			t.Errorf("%s: parsed as %T", lit, e)
			continue
		}
		var want string
		if err := conn.QueryRow(ctx, "SELECT ("+lit+")::text").Scan(&want); err != nil {
			t.Errorf("%s: postgres: %v", lit, err)
			continue
		}
		if s.Val != want {
			t.Errorf("%s: we read %q, postgres %q", lit, s.Val, want)
		}
	}
}

// TestIdentifiersAgainstPostgres compares case folding, quoting and
// truncation of column labels with the names PostgreSQL reports.
func TestIdentifiersAgainstPostgres(t *testing.T) {
	url := os.Getenv("QUIVER_TEST_PG_URL")
	if url == "" {
		t.Skip("QUIVER_TEST_PG_URL not set (a PostgreSQL 15 to compare with)")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	sql := `SELECT 1 AS "Quoted", 1 AS Unquoted, 1 AS "a""b", 1 AS ÉtÉ, 1 AS U&"\0041b", 1 AS ` +
		strings.Repeat("Long", 20) + `, 1 AS "` + strings.Repeat("é", 40) + `", 1 value, 1 AS "select"`
	p, err := ParseOne(sql)
	if err != nil {
		t.Fatal(err)
	}
	var ours []string
	for _, tg := range p.Stmt.(*tree.Select).Body.(*tree.SelectClause).Targets {
		ours = append(ours, tg.Alias)
	}
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	var theirs []string
	for _, f := range rows.FieldDescriptions() {
		theirs = append(theirs, f.Name)
	}
	rows.Close()
	if fmt.Sprint(ours) != fmt.Sprint(theirs) {
		t.Errorf("labels differ:\n ours   %q\n theirs %q", ours, theirs)
	}
}

// TestSyntaxErrorsAgainstPostgres compares SQLSTATE, message and position
// of syntax errors with PostgreSQL's.
func TestSyntaxErrorsAgainstPostgres(t *testing.T) {
	url := os.Getenv("QUIVER_TEST_PG_URL")
	if url == "" {
		t.Skip("QUIVER_TEST_PG_URL not set (a PostgreSQL 15 to compare with)")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	bad := []string{
		"SELECT * FROM", "SELECT 1 +", "SELECT * FORM t", "SELEC 1", "SELECT 'héllo' FRM x", "SELECT (",
		"SELECT 1 2", "SELECT 'abc", "SELECT \"abc", "SELECT 1 /* x", "SELECT $$x", "SELECT a = b = c",
		"SELECT a FROM t WHERE", "INSERT INTO t VALUES (1,)", "CREATE TABLE t (a int,, b int)",
		"SELECT a < b < c", "SELECT a LIKE b LIKE c", "UPDATE t SET", "DELETE t", "SELECT 1 FROM t ORDER",
		"CREATE INDEX ON t USING hnsw", "SET x", "SHOW", "SELECT CASE END", "SELECT ARRAY[1,", "SELECT x::",
		"SELECT f(,)", "SELECT 1 UNION", "SELECT * FROM a JOIN b", "SELECT (1, 2", "BEGIN x", "COMMIT x",
		"SELECT e'\\u00'", "SELECT U&'\\00'", "SELECT 1 AS", "WITH x AS (SELECT 1)", "INSERT INTO t (a VALUES (1)",
		"SELECT \"\"", "SELECT 1 FROM t LIMIT", "SELECT $0", "SELECT x FROM t GROUP a",
		"CREATE TABLE t (a int", "DROP TABLE", "ALTER TABLE t ADD", "SELECT a FROM t WHERE a IN ()",
		"SELECT count(DISTINCT)", "SELECT 1 ORDER BY 1 NULLS", "COPY t FROM", "EXPLAIN",
		"SET TIME ZONE", "CREATE INDEX i ON t ()", "SELECT 'a' 'b'", "SELECT 1 FROM t t2 t3",
		"SELECT * FROM t WHERE a = ANY", "SELECT a BETWEEN 1", "VALUES (1), (2",
		"SELECT 1 FROM t JOIN u USING", "INSERT INTO t VALUES (1) ON CONFLICT DO", "SELECT * FROM t FOR",
		"SELECT a @", "SELECT 1 INTERSECT ALL", "TRUNCATE", "PREPARE p AS", "DEALLOCATE", "LISTEN",
		"SELECT 0x1F", "SELECT 1::int(", "SELECT ''::varchar('a')", "SELECT 1::numeric(x)", "SELECT 1::integer(2)", "SELECT B'1'::bit('z')", "SELECT 1::float('a')", "SELECT now()::timestamp(x)", "SELECT 1e", "SELECT .e1", "SELECT 1..2", "SELECT a.b.c.d.e FROM pg_class", "SELECT 1e", "SELECT 12abc", "SELECT 1.5e+x",
	}
	for _, sql := range bad {
		_, ourErr := Parse(sql)
		var ours *pgerror.Error
		if !errors.As(ourErr, &ours) {
			t.Errorf("%s: we accept it or fail oddly (%v)", sql, ourErr)
			continue
		}
		_, pgErr := conn.Exec(ctx, sql)
		var theirs *pgconn.PgError
		if !errors.As(pgErr, &theirs) {
			t.Errorf("%s: postgres said %v", sql, pgErr)
			continue
		}
		if ours.Code != theirs.Code || ours.Message != theirs.Message || int32(ours.Position) != theirs.Position {
			t.Errorf("%s:\n ours   %s %q at %d\n theirs %s %q at %d", sql, ours.Code, ours.Message, ours.Position, theirs.Code, theirs.Message, theirs.Position)
		}
	}
}
