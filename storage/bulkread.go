package storage

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// bulkReadCacheBytes is what Badger's block cache may hold while a bulk
// read runs: enough for the blocks a pass revisits at once, not for the
// whole table it streams through.
const bulkReadCacheBytes = 1 << 20

// bulkReads counts the bulk reads in progress and keeps the block cache
// size to restore when the last one ends.
type bulkReads struct {
	n         int
	cacheCost int64
}

// BulkRead runs fn, a maintenance pass that reads a large part of the
// store once (a vector index's restart load or build scan), so that the
// pass does not stay in memory after it, as PostgreSQL's bulk-read ring
// keeps a large scan from displacing shared buffers. While it runs the
// block cache admits no more than bulkReadCacheBytes (a restart load
// otherwise left the cache full of blocks no query read again), and when
// the last such pass ends, the table file pages mapped into the server's
// memory are handed back to the kernel (releaseMappedTables): Badger
// reads tables through memory maps, and every page a pass touched stayed
// resident, 62 MB for a 100,000 x 128 table whose k-NN queries, answered
// from the index, never read the rows again.
func (e *Engine) BulkRead(fn func() error) error {
	e.bulkMu.Lock()
	if e.bulk.n == 0 {
		cost, err := e.db.CacheMaxCost(badger.BlockCache, -1)
		if err == nil && cost > bulkReadCacheBytes {
			e.bulk.cacheCost = cost
			_, _ = e.db.CacheMaxCost(badger.BlockCache, bulkReadCacheBytes)
		}
	}
	e.bulk.n++
	e.bulkMu.Unlock()

	err := fn()

	e.bulkMu.Lock()
	defer e.bulkMu.Unlock()
	e.bulk.n--
	if e.bulk.n > 0 {
		return err
	}
	if e.bulk.cacheCost > 0 {
		_, _ = e.db.CacheMaxCost(badger.BlockCache, e.bulk.cacheCost)
		e.bulk.cacheCost = 0
	}
	if !e.opts.InMemory {
		if rerr := releaseMappedTables(e.opts.Dir); rerr != nil {
			// Only a hint was lost: the pages are clean and the kernel
			// reclaims them under pressure anyway.
			e.log.Warn("could not release mapped table pages", "err", fmt.Errorf("storage: %w", rerr))
		}
	}
	return err
}

// ReleaseWrittenTables pages out, once, each Badger table file mapped
// since the last call (releaseNewTables): the tables Badger wrote since,
// which writing left wholly resident. Reads fault back in what they use.
// It reads /proc/self/maps, so call it every few seconds, not per
// statement; a no-op for a store in memory.
func (e *Engine) ReleaseWrittenTables() error {
	if e.opts.InMemory {
		return nil
	}
	e.tablesMu.Lock()
	defer e.tablesMu.Unlock()
	if err := releaseNewTables(e.opts.Dir, e.releasedTables); err != nil {
		return fmt.Errorf("storage: release written tables: %w", err)
	}
	return nil
}
