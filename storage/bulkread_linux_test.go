package storage

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
	"golang.org/x/sys/unix"
)

// mappedTableRSS sums the resident kilobytes of the table files under dir
// that this process maps.
func mappedTableRSS(t *testing.T, dir string) int {
	t.Helper()
	abs, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	total, inTable := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			inTable = len(fields) >= 6 && strings.HasPrefix(fields[5], abs+"/") && strings.HasSuffix(fields[5], ".sst")
		case inTable && len(fields) >= 2 && fields[0] == "Rss:":
			kb, _ := strconv.Atoi(fields[1])
			total += kb
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return total
}

func countRows(t *testing.T, e *Engine, id catalog.ID) int {
	t.Helper()
	tx := e.Begin()
	defer tx.Rollback()
	c, err := tx.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	it, err := tx.ScanTable(context.Background(), c.Tables[id], Span{}, false)
	return len(collectRows(t, it, err))
}

// TestBulkReadReleasesTablePages: a bulk pass leaves neither its table
// pages resident nor its blocks in the block cache, and the cache gets
// its size back when the last of two overlapping passes ends.
func TestBulkReadReleasesTablePages(t *testing.T) {
	probe, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	perr := unix.Madvise(probe, unix.MADV_PAGEOUT)
	_ = unix.Munmap(probe)
	if perr != nil {
		t.Skipf("kernel has no MADV_PAGEOUT: %v", perr)
	}

	dir := t.TempDir()
	e := openDir(t, dir)
	tb := createTable(t, e, usersTable(30000))
	ctx := context.Background()
	// Random letters, so that compressed tables stay large.
	rng := rand.New(rand.NewPCG(1, 2))
	pad := make([]byte, 1000)
	const rows = 30000
	for start := 0; start < rows; start += 5000 {
		tx := e.Begin()
		for i := start; i < start+5000; i++ {
			for j := range pad {
				pad[j] = byte('a' + rng.IntN(26))
			}
			row := []types.Datum{types.DInt(i), types.DString(pad), types.Null, types.DInt(i % 7)}
			if err := tx.InsertRow(ctx, tb, row); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = openDir(t, dir)
	defer e.Close()

	if n := countRows(t, e, tb.ID); n != rows {
		t.Fatalf("plain scan read %d rows, want %d", n, rows)
	}
	if kb := mappedTableRSS(t, dir); kb < 16<<10 {
		t.Fatalf("a plain scan of %d rows of 1 KB left %d KB of table pages resident; the test cannot tell release from never loaded", rows, kb)
	}
	full, err := e.db.CacheMaxCost(badger.BlockCache, -1)
	if err != nil {
		t.Fatal(err)
	}
	err = e.BulkRead(func() error {
		return e.BulkRead(func() error {
			if n := countRows(t, e, tb.ID); n != rows {
				t.Errorf("bulk scan read %d rows, want %d", n, rows)
			}
			if c, _ := e.db.CacheMaxCost(badger.BlockCache, -1); c != bulkReadCacheBytes {
				t.Errorf("block cache during a bulk read: %d bytes, want %d", c, bulkReadCacheBytes)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if kb := mappedTableRSS(t, dir); kb > 2<<10 {
		t.Fatalf("after a bulk read %d KB of table pages stay resident", kb)
	}
	if c, _ := e.db.CacheMaxCost(badger.BlockCache, -1); c != full {
		t.Fatalf("block cache after the bulk reads: %d bytes, want %d back", c, full)
	}
	// The pages come back when read: nothing was lost.
	if n := countRows(t, e, tb.ID); n != rows {
		t.Fatalf("scan after release read %d rows, want %d", n, rows)
	}
}
