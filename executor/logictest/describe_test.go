package logictest

import (
	"path/filepath"
	"testing"
)

// TestPsqlDescribe runs testdata/psql/describe/*.sql — psql's \d family
// over a schema — through the real psql and compares the output with the
// .expected file recorded from PostgreSQL 15 for the same script.
func TestPsqlDescribe(t *testing.T) {
	runPsqlScripts(t, filepath.Join(repoRoot, "testdata", "psql", "describe"))
}
