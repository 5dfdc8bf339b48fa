package pgdialect

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
)

func kindName(k tokKind) string {
	return [...]string{"eof", "ident", "qident", "string", "bits", "hex", "number", "param", "op", "punct"}[k]
}

// lexString renders tokens as kind:value, space separated.
func lexString(toks []token) string {
	var parts []string
	for _, t := range toks {
		if t.kind == tEOF {
			break
		}
		parts = append(parts, kindName(t.kind)+":"+t.val)
	}
	return strings.Join(parts, " ")
}

func TestLexer(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SELECT Foo, \"Bar\"", "ident:select ident:foo punct:, qident:Bar"},
		{"'a''b' E'c\\nd\\'e' e'\\x41\\101\\u00e9'", "string:a'b string:c\nd'e string:AAé"},
		{"'std\\n'", "string:std\\n"},
		{"$$a'b$$ $tag$x$$y$tag$", "string:a'b string:x$$y"},
		{"U&'\\0041\\+000042' U&\"\\0063\"", "string:AB qident:c"},
		{"B'1010' X'1F' N'nat'", "bits:1010 hex:1F string:nat"},
		{"$1 $23 a$b", "param:$1 param:$23 ident:a$b"},
		{"1 1.5 .5 1e10 1.5E-3 3.", "number:1 number:1.5 number:.5 number:1e10 number:1.5E-3 number:3."},
		{"a<->b a<=>b a<#>b a<+>b", "ident:a op:<-> ident:b ident:a op:<=> ident:b ident:a op:<#> ident:b ident:a op:<+> ident:b"},
		{"a->>'k' a#>>'{x}' a@>b a!=b a||b", "ident:a op:->> string:k ident:a op:#>> string:{x} ident:a op:@> ident:b ident:a op:<> ident:b ident:a op:|| ident:b"},
		{"a=-1 a<-1 a*-1 a@-1", "ident:a op:= op:- number:1 ident:a op:< op:- number:1 ident:a op:* op:- number:1 ident:a op:@- number:1"},
		{"x::int a[1:2]", "ident:x punct::: ident:int ident:a punct:[ number:1 punct:: number:2 punct:]"},
		{"1 --c\n+ 2 --", "number:1 op:+ number:2"},
		{"1 /* a /* b */ c */ + 2", "number:1 op:+ number:2"},
		{"a+/*c*/b a--c\n", "ident:a op:+ ident:b ident:a"},
		{"'a'\n'b' 'c' 'd'", "string:ab string:c string:d"},
		{"héllo", "ident:héllo"},
		{strings.Repeat("a", 70), "ident:" + strings.Repeat("a", 63)},
		{"\"" + strings.Repeat("B", 64) + "\"", "qident:" + strings.Repeat("B", 63)},
	}
	for _, c := range cases {
		toks, err := lex(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got := lexString(toks); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

// TestSyntaxErrors checks PostgreSQL's wording, SQLSTATE 42601 and the
// 1-based character position into the original text.
func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		sql  string
		msg  string
		pos  int
		code string
	}{
		{"SELECT * FROM", "syntax error at end of input", 14, pgerror.CodeSyntaxError},
		{"SELECT 1 +", "syntax error at end of input", 11, pgerror.CodeSyntaxError},
		{"SELECT * FORM t", "syntax error at or near \"FORM\"", 10, pgerror.CodeSyntaxError},
		{"SELEC 1", "syntax error at or near \"SELEC\"", 1, pgerror.CodeSyntaxError},
		{"SELECT 'héllo' FRM x", "syntax error at or near \"x\"", 20, pgerror.CodeSyntaxError},
		{"SELECT 1; SELECT (", "syntax error at end of input", 19, pgerror.CodeSyntaxError},
		{"SELECT (;", "syntax error at or near \";\"", 9, pgerror.CodeSyntaxError},
		{"SELECT 1 2", "syntax error at or near \"2\"", 10, pgerror.CodeSyntaxError},
		{"SELECT 'abc", "unterminated quoted string at or near \"'abc\"", 8, pgerror.CodeSyntaxError},
		{"SELECT \"abc", "unterminated quoted identifier at or near \"\"abc\"", 8, pgerror.CodeSyntaxError},
		{"SELECT 1 /* x", "unterminated /* comment at or near \"/* x\"", 10, pgerror.CodeSyntaxError},
		{"SELECT $$x", "unterminated dollar-quoted string at or near \"$$x\"", 8, pgerror.CodeSyntaxError},
		{"SELECT a = b = c", "syntax error at or near \"=\"", 14, pgerror.CodeSyntaxError},
		{"SELECT a FROM t WHERE", "syntax error at end of input", 22, pgerror.CodeSyntaxError},
		{"INSERT INTO t VALUES (1,)", "syntax error at or near \")\"", 25, pgerror.CodeSyntaxError},
		{"CREATE TABLE t (a int,, b int)", "syntax error at or near \",\"", 23, pgerror.CodeSyntaxError},
		{"SELECT $0", "there is no parameter $0", 8, pgerror.CodeUndefinedParameter},
		{"SELECT ''::vector('a')", "invalid input syntax for type integer: \"a\"", 12, pgerror.CodeInvalidTextRepresentation},
	}
	for _, c := range cases {
		_, err := Parse(c.sql)
		var pe *pgerror.Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want a *pgerror.Error", c.sql, err)
			continue
		}
		if pe.Code != c.code || pe.Message != c.msg || pe.Position != c.pos {
			t.Errorf("%s: got %s %q pos %d, want %s %q pos %d", c.sql, pe.Code, pe.Message, pe.Position, c.code, c.msg, c.pos)
		}
	}
}

// TestNodePositions checks that Pos fields point at the node in the text.
func TestNodePositions(t *testing.T) {
	p, err := ParseOne("SELECT nosuch, f(x) FROM t WHERE y = 'é' AND z = $1")
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(collectPositions(p.Stmt))
	want := "[nosuch@8 f@16 x@18 y@34 'é'@38 z@46 $1@50]"
	if got != want {
		t.Errorf("positions %s, want %s", got, want)
	}
}
