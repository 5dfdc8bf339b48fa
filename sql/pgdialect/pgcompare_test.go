package pgdialect

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
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
