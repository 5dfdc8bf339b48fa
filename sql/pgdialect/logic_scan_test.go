package pgdialect

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// TestLogicTestsParse parses every statement of the repository's SQL logic
// tests: none fails with a syntax error unless the test expects 42601 (some
// of those are the planner's, e.g. a column-count mismatch).
func TestLogicTestsParse(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/logic/*.test")
	if len(files) == 0 {
		t.Skip("no logic tests found")
	}
	n := 0
	for _, f := range files {
		for _, st := range logicFileStatements(t, f) {
			n++
			_, err := Parse(st.sql)
			var pe *pgerror.Error
			if err != nil && !st.expectSyntax && errors.As(err, &pe) && pe.Code == pgerror.CodeSyntaxError {
				t.Errorf("%s: %v (pos %d): %s", filepath.Base(f), err, pe.Position, st.sql)
			}
		}
	}
	t.Logf("%d logic-test statements parsed", n)
}

// logicStatement is one statement of a logic-test file and whether the
// file expects it to fail with 42601.
type logicStatement struct {
	sql          string
	expectSyntax bool
}

// logicFileStatements splits a sqllogictest-style file into statements.
func logicFileStatements(t *testing.T, path string) []logicStatement {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []logicStatement
	blocks := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n\n")
	for _, b := range blocks {
		lines := strings.Split(strings.TrimSpace(b), "\n")
		for len(lines) > 0 && strings.HasPrefix(lines[0], "#") {
			lines = lines[1:]
		}
		if len(lines) < 2 {
			continue
		}
		head := strings.Fields(lines[0])
		if len(head) == 0 || (head[0] != "statement" && head[0] != "query") {
			continue
		}
		var sqlLines []string
		for _, l := range lines[1:] {
			if l == "----" {
				break
			}
			sqlLines = append(sqlLines, l)
		}
		out = append(out, logicStatement{
			sql:          strings.Join(sqlLines, "\n"),
			expectSyntax: head[0] == "statement" && len(head) > 2 && head[1] == "error" && strings.Contains(lines[0], "42601"),
		})
	}
	return out
}

// logicStatements is the SQL of every statement of a logic-test file.
func logicStatements(t *testing.T, path string) []string {
	var out []string
	for _, s := range logicFileStatements(t, path) {
		out = append(out, s.sql)
	}
	return out
}
