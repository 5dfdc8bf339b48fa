package logictest

import (
	"path/filepath"
	"testing"
)

// TestPsqlVectorMeta runs testdata/psql/vector/*.sql — psql's \d family
// over pgvector's objects, and pgvector README statements — through the
// real psql. meta.expected holds Quiver's output, checked against the
// shape psql gives with pgvector installed (its recording machine had
// none); upgrade.expected was recorded from PostgreSQL 15 with pgvector
// 0.8.0.
func TestPsqlVectorMeta(t *testing.T) {
	runPsqlScripts(t, filepath.Join(repoRoot, "testdata", "psql", "vector"))
}
