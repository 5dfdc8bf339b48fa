package storage

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestBadgerCacheReportIsDebug: Badger's minutely cache report is logged
// at debug level, other Badger warnings as warnings.
func TestBadgerCacheReportIsDebug(t *testing.T) {
	var buf bytes.Buffer
	l := badgerLogger{slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	l.Warningf("%s might be too small. Metrics: %s\n", "Block cache", "hit: 5")
	l.Warningf("Cache life expectancy (in seconds): %+v\n", 2)
	l.Warningf("Compaction failed: %v", "disk full")
	out := buf.String()
	if strings.Count(out, "level=DEBUG") != 2 || !strings.Contains(out, "level=WARN msg=\"badger: Compaction failed: disk full\"") {
		t.Fatalf("log:\n%s", out)
	}
}
