// Package storage owns everything Quiver keeps on disk: a Badger instance
// opened in managed mode with Quiver's own timestamp oracle (MVCC snapshots,
// commit-time conflict detection), order-preserving key encodings, the row
// codec, catalog persistence, sequences and secondary-index maintenance.
// Layers above see snapshot transactions over tables and descriptors.
package storage

import (
	"context"
	"errors"
	"log/slog"

	"github.com/quiverdb/quiver/sql/catalog"
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
}

// Engine is one open store.
type Engine struct{}

// Open opens (creating if needed) the store and bootstraps a fresh one with
// the database "postgres", its schema "public" and the role "postgres".
// A directory locked by another process is a clear error.
func Open(opts Options) (*Engine, error) { return nil, errors.New("storage: not implemented") }

// Close flushes and closes the store.
func (e *Engine) Close() error { return nil }

// Begin starts a transaction reading a snapshot taken now.
func (e *Engine) Begin() *Txn { return nil }

// AllocateID hands out a new catalog ID (durable, never reused).
func (e *Engine) AllocateID(ctx context.Context) (catalog.ID, error) { return 0, nil }

// NextVal advances a sequence outside any transaction (as PostgreSQL's
// nextval), durably; 2200H when the sequence is exhausted.
func (e *Engine) NextVal(ctx context.Context, seq *catalog.Sequence) (int64, error) { return 0, nil }

// SetVal sets a sequence's value; isCalled false means the next NextVal
// returns v itself.
func (e *Engine) SetVal(ctx context.Context, seq *catalog.Sequence, v int64, isCalled bool) error {
	return nil
}

// SequenceState returns a sequence's last value and whether it was called.
func (e *Engine) SequenceState(seq *catalog.Sequence) (last int64, isCalled bool, err error) {
	return 0, false, nil
}

// Txn is a snapshot transaction. It is not safe for concurrent use.
type Txn struct{}

// Commit makes the writes durable and visible atomically. A write-write
// conflict with a transaction that committed after this one's snapshot is
// SQLSTATE 40001.
func (t *Txn) Commit(ctx context.Context) error { return nil }

// Rollback discards the transaction; safe after Commit.
func (t *Txn) Rollback() {}

// Catalog returns every descriptor visible to this transaction's snapshot
// plus its own uncommitted catalog changes. The result is shared and must
// not be modified; put changed copies back with the Put methods.
func (t *Txn) Catalog() (*Catalog, error) { return nil, nil }

// PutDatabase, PutSchema, PutTable, PutSequence and PutRole create or
// replace a descriptor (PutTable bumps its Version).
func (t *Txn) PutDatabase(d *catalog.Database) error { return nil }
func (t *Txn) PutSchema(s *catalog.Schema) error     { return nil }
func (t *Txn) PutTable(tb *catalog.Table) error      { return nil }
func (t *Txn) PutSequence(s *catalog.Sequence) error { return nil }
func (t *Txn) PutRole(r *catalog.Role) error         { return nil }

// DropDatabase, DropSchema, DropTable, DropSequence and DropRole delete a
// descriptor; dropping a table or database also deletes its data.
func (t *Txn) DropDatabase(id catalog.ID) error { return nil }
func (t *Txn) DropSchema(id catalog.ID) error   { return nil }
func (t *Txn) DropTable(id catalog.ID) error    { return nil }
func (t *Txn) DropSequence(id catalog.ID) error { return nil }
func (t *Txn) DropRole(id catalog.ID) error     { return nil }

// InsertRow stores a new row (Columns order, full width including hidden
// and dropped columns — a hidden rowid is filled in when Null). A duplicate
// primary key or unique-index key is 23505 with PostgreSQL's message and
// detail (`duplicate key value violates unique constraint "t_pkey"`,
// `Key (id)=(1) already exists.`).
func (t *Txn) InsertRow(ctx context.Context, tb *catalog.Table, row []types.Datum) error { return nil }

// UpdateRow replaces oldRow (as read) by newRow, moving the row if its
// primary key changed and maintaining secondary indexes.
func (t *Txn) UpdateRow(ctx context.Context, tb *catalog.Table, oldRow, newRow []types.Datum) error {
	return nil
}

// DeleteRow deletes a row (as read) and its index entries.
func (t *Txn) DeleteRow(ctx context.Context, tb *catalog.Table, row []types.Datum) error { return nil }

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

// ScanTable iterates rows in primary-key order within span (a zero Span
// is the whole table). Reverse iterates backwards.
func (t *Txn) ScanTable(ctx context.Context, tb *catalog.Table, span Span, reverse bool) (RowIterator, error) {
	return nil, nil
}

// ScanIndex iterates rows through a secondary b-tree index within span
// (bounds over the index's leading columns), in index order.
func (t *Txn) ScanIndex(ctx context.Context, tb *catalog.Table, idx *catalog.Index, span Span, reverse bool) (RowIterator, error) {
	return nil, nil
}

// GetRow fetches the row with the given primary key values (nil, nil when
// absent).
func (t *Txn) GetRow(ctx context.Context, tb *catalog.Table, pk []types.Datum) ([]types.Datum, error) {
	return nil, nil
}

// Stats counts work done, for tests and EXPLAIN ANALYZE.
type Stats struct {
	RowsRead int64
	KeysRead int64
}

// Stats returns this transaction's counters.
func (t *Txn) Stats() Stats { return Stats{} }

// Catalog is an immutable view of all descriptors.
type Catalog struct {
	Databases map[catalog.ID]*catalog.Database
	Schemas   map[catalog.ID]*catalog.Schema
	Tables    map[catalog.ID]*catalog.Table
	Sequences map[catalog.ID]*catalog.Sequence
	Roles     map[catalog.ID]*catalog.Role
}

// DatabaseByName, SchemaByName, TableByName, SequenceByName and RoleByName
// resolve names; nil when absent.
func (c *Catalog) DatabaseByName(name string) *catalog.Database                    { return nil }
func (c *Catalog) SchemaByName(db catalog.ID, name string) *catalog.Schema         { return nil }
func (c *Catalog) TableByName(schema catalog.ID, name string) *catalog.Table       { return nil }
func (c *Catalog) SequenceByName(schema catalog.ID, name string) *catalog.Sequence { return nil }
func (c *Catalog) RoleByName(name string) *catalog.Role                            { return nil }
