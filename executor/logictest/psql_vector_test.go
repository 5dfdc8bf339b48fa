package logictest

import (
	"path/filepath"
	"testing"
)

// TestPsqlVectorMeta runs testdata/psql/vector/*.sql — psql's \d family
// over pgvector's objects — through the real psql. PostgreSQL 15 on the
// recording machine has no pgvector, so the .expected files hold Quiver's
// output, checked against the shape psql gives with pgvector installed.
func TestPsqlVectorMeta(t *testing.T) {
	runPsqlScripts(t, filepath.Join(repoRoot, "testdata", "psql", "vector"))
}
