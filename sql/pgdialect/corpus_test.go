package pgdialect

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

// corpusDir is the shared corpus of real client SQL, next to the repo.
const corpusDir = "../../../shared/pgdialect/corpus"

// corpusEntries splits a corpus file on lines holding only "-- next".
func corpusEntries(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read corpus: %v", err)
	}
	var entries []string
	var cur strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "-- next" {
			entries = append(entries, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
	}
	if strings.TrimSpace(cur.String()) != "" {
		entries = append(entries, cur.String())
	}
	return entries
}

// TestCorpus parses every entry of the shared corpus. An entry passes when
// it parses to statements or is a recognised-but-unsupported statement
// (0A000); a 42601 or an internal error fails it.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.sql"))
	if len(files) == 0 {
		t.Skipf("corpus not found at %s (needs ../shared next to the repo)", corpusDir)
	}
	// floors are the pass rates this front end reaches; raise them, never lower
	floors := map[string]float64{
		"psql_meta.sql":       1.0,
		"drivers_live.sql":    1.0,
		"orm_live.sql":        1.0,
		"pgvector_readme.sql": 1.0,
		"pgvector_tests.sql":  1.0,
	}
	total, passed := 0, 0
	for _, f := range files {
		base := filepath.Base(f)
		entries := corpusEntries(t, f)
		ok := 0
		for _, e := range entries {
			ps, err := Parse(e)
			var pe *pgerror.Error
			switch {
			case err == nil:
				if len(ps) == 1 {
					if _, empty := ps[0].Stmt.(*tree.Empty); empty && strings.Contains(e, "SELECT") {
						t.Errorf("%s: parsed as empty: %s", base, e)
						continue
					}
				}
				ok++
			case errors.As(err, &pe) && (pe.Code == pgerror.CodeFeatureNotSupported || pe.Code == pgerror.CodeInvalidTextRepresentation):
				// recognised but unsupported, or rejected as PostgreSQL
				// rejects it (e.g. a non-integer type modifier)
				ok++
			default:
				if os.Getenv("CORPUS_VERBOSE") != "" {
					t.Logf("%s: %v (pos %d)\n%s", base, err, positionOf(err), e)
				}
			}
		}
		total += len(entries)
		passed += ok
		rate := float64(ok) / float64(len(entries))
		t.Logf("%s: %d/%d (%.1f%%)", base, ok, len(entries), 100*rate)
		if floor, has := floors[base]; has && rate < floor {
			t.Errorf("%s: pass rate %.3f below floor %.3f", base, rate, floor)
		}
	}
	t.Logf("corpus total: %d/%d (%.1f%%)", passed, total, 100*float64(passed)/float64(total))
}

func positionOf(err error) int {
	var pe *pgerror.Error
	if errors.As(err, &pe) {
		return pe.Position
	}
	return 0
}
