package pgdialect

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// FuzzParse: any input parses or fails with a *pgerror.Error (never a
// panic, never an internal error) whose position lies inside the input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"SELECT a <-> b + c < d FROM t WHERE x = ANY($1) ORDER BY 1 LIMIT 5",
		"INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = EXCLUDED.a RETURNING *",
		"CREATE INDEX ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16)",
		"SELECT E'\\x41', $$a$$, U&'\\0041', B'1', X'f', \"Q\"::int[] /* /* */ */ -- c",
		"SET hnsw.ef_search = 100; SHOW x; BEGIN; COMMIT",
		"CREATE TABLE t (id serial PRIMARY KEY, v vector(3) NOT NULL DEFAULT '[1,2,3]')",
		"SELECT ((((((1))))))", "SELECT (SELECT (SELECT 1))", "(",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		_, err := Parse(sql)
		if err == nil {
			return
		}
		var pe *pgerror.Error
		if !errors.As(err, &pe) {
			t.Fatalf("%q: non-pgerror %v", sql, err)
		}
		if pe.Code == pgerror.CodeInternal {
			t.Fatalf("%q: internal error %v", sql, err)
		}
		if pe.Position < 0 || pe.Position > utf8.RuneCountInString(sql)+1 {
			t.Fatalf("%q: position %d outside input", sql, pe.Position)
		}
	})
}

// TestDeepNesting: pathological nesting ends in an error, not a crash.
func TestDeepNesting(t *testing.T) {
	cases := []string{
		"SELECT " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000),
		"SELECT ARRAY" + strings.Repeat("[", 100000),
		"SELECT " + strings.Repeat("- ", 100000) + "1",
		"SELECT " + strings.Repeat("NOT ", 100000) + "true",
		"SELECT " + strings.Repeat("a IN (1) || ", 50000) + "1",
		"SELECT * FROM " + strings.Repeat("(", 100000) + "t",
		"SELECT " + strings.Repeat("(SELECT ", 50000),
		"SELECT " + strings.Repeat("~ ", 100000) + "1",
	}
	for _, sql := range cases {
		_, err := Parse(sql)
		var pe *pgerror.Error
		if !errors.As(err, &pe) || (pe.Code != pgerror.CodeProgramLimitExceeded && pe.Code != pgerror.CodeSyntaxError) {
			t.Errorf("%.30s...: got %v", sql, err)
		}
	}
	// moderate nesting still parses
	if _, err := Parse("SELECT " + strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200)); err != nil {
		t.Errorf("200 nested parentheses: %v", err)
	}
}
