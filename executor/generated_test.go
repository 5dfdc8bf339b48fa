package executor

import (
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// TestCopyGeneratedAndIdentity checks COPY against generated and identity
// columns as PostgreSQL 15 behaves: generated columns are left out of the
// default column list and computed, naming one is 42P10, and a GENERATED
// ALWAYS identity column takes COPY's values as given.
func TestCopyGeneratedAndIdentity(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TABLE cg (id int GENERATED ALWAYS AS IDENTITY, a int, b int GENERATED ALWAYS AS (a * 10) STORED)")
	if tag, err := copyIn(t, s, "COPY cg FROM STDIN", "5\t1\n6\t2\n\\.\n"); err != nil || tag != "COPY 2" {
		t.Fatalf("COPY cg: %q %v", tag, err)
	}
	if tag, err := copyIn(t, s, "COPY cg (a) FROM STDIN", "3\n\\.\n"); err != nil || tag != "COPY 1" {
		t.Fatalf("COPY cg (a): %q %v", tag, err)
	}
	if got := flat(mustRun(t, s, "SELECT id, a, b FROM cg ORDER BY a")); got != "5|1|10\n6|2|20\n1|3|30" {
		t.Errorf("rows: %s", got)
	}
	_, err := copyIn(t, s, "COPY cg (a, b) FROM STDIN", "\\.\n")
	if pgerror.CodeOf(err) != pgerror.CodeInvalidColumnReference {
		t.Errorf("COPY naming a generated column: %v", err)
	}
	if _, out := copyOut(t, s, "COPY cg TO STDOUT"); out != "5\t1\n6\t2\n1\t3\n" {
		t.Errorf("COPY TO: %q", out)
	}
}
