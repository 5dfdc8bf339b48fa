// Package storage owns everything Quiver keeps on disk: a Badger instance
// opened in managed mode with Quiver's own timestamp oracle (MVCC snapshots,
// commit-time conflict detection), order-preserving key encodings, the row
// codec, catalog persistence, sequences and secondary-index maintenance.
// Layers above see snapshot transactions over tables and descriptors.
//
// Conflicts are write-write (PostgreSQL's first-updater-wins under
// snapshot isolation), checked by the Engine at commit rather than by
// Badger's read-set check, so a reader never fails because of what it
// read. Row writes also depend on their table's descriptor version, so
// DML racing DDL on the same table is 40001 instead of rows written
// against a stale schema.
//
// Transactions buffer their writes; a commit larger than one Badger batch
// is written in several batches at one commit timestamp behind a marker,
// invisible until complete and rolled back by Open after a crash
// (largecommit.go). A buffer that outgrows Options.SpillBytes is moved to
// a key space only its transaction reads (spill.go), so a transaction's
// size is bounded by the disk, not by RAM.
package storage

import (
	"errors"
	"log/slog"

	"github.com/quiverdb/quiver/sql/types"
)

// ErrNotFound reports a missing key or descriptor.
var ErrNotFound = errors.New("storage: not found")

// Options configures Open.
type Options struct {
	// Dir holds the data; ignored when InMemory.
	Dir      string
	InMemory bool
	// NoSync turns off fsync on commit (tests, benchmarks). Commits are
	// synced by default.
	NoSync bool
	Logger *slog.Logger
	// Superuser names the bootstrap superuser of a fresh store (initdb's
	// -U); "postgres" when empty. An existing store keeps its roles.
	Superuser string
	// SpillBytes is how much memory a transaction's buffered writes may
	// take before they are moved out into a private key space on disk
	// (spill.go). Zero means DefaultSpillBytes for a store on disk and
	// never for an in-memory one (whose disk is memory); negative, never.
	SpillBytes int64
	// RowCacheBytes bounds the cache of recently read rows' newest
	// versions (rowcache.go). Zero means DefaultRowCacheBytes; negative,
	// no cache.
	RowCacheBytes int64
}

func (o Options) rowCacheBytes() int64 {
	if o.RowCacheBytes == 0 {
		return DefaultRowCacheBytes
	}
	return o.RowCacheBytes
}

// DefaultSpillBytes is the write buffer size at which a transaction of a
// store on disk starts spilling. A spill is one sequential write of a
// sorted run file (spillrun.go), so a spilled COPY of 1,000,000 narrow rows
// runs as fast as an unspilled one (161-165k rows/s against 157k, peak
// live heap 140-180 MB against 380 MB; BenchmarkCopyMillionRows) and
// the buffer can stay small.
const DefaultSpillBytes = 64 << 20

// Bound is one end of a key range over a primary key or index prefix:
// Values are the leading key columns; Inclusive says whether rows equal on
// those columns belong to the range. A nil *Bound is unbounded.
type Bound struct {
	Values    []types.Datum
	Inclusive bool
}

// Span is a key range; Start <= keys <= End subject to the bounds.
type Span struct {
	Start *Bound
	End   *Bound
}

// RowIterator yields full-width rows.
type RowIterator interface {
	// Next returns the next row, or nil at the end. The returned slice is
	// owned by the caller.
	Next() ([]types.Datum, error)
	Close()
}

// Stats counts work done, for tests and EXPLAIN ANALYZE.
type Stats struct {
	RowsRead int64
	KeysRead int64
	// SpilledWrites counts buffered writes moved out of memory (spill.go).
	SpilledWrites int64
}
