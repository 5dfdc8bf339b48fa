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
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
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
			sql := strings.Join(sqlLines, "\n")
			expectSyntax := head[0] == "statement" && len(head) > 2 && head[1] == "error" && strings.Contains(lines[0], "42601")
			n++
			_, err := Parse(sql)
			var pe *pgerror.Error
			switch {
			case err != nil && !expectSyntax && errors.As(err, &pe) && pe.Code == pgerror.CodeSyntaxError:
				t.Errorf("%s: %v (pos %d): %s", filepath.Base(f), err, pe.Position, sql)
			}
		}
	}
	t.Logf("%d logic-test statements parsed", n)
}
