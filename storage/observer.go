package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// WriteObserver follows a transaction's writes to tables that have
// indexes storage does not maintain itself (HNSW), so the index can take
// the new versions in before commit and learn their commit timestamp.
type WriteObserver interface {
	// RowWritten reports an insert (oldRow nil), update or delete (newRow
	// nil) that storage has accepted.
	RowWritten(ctx context.Context, tb *catalog.Table, oldRow, newRow []types.Datum) error
	// Committed gives the commit timestamp before any transaction can see
	// the commit.
	Committed(ts uint64)
	// Aborted reports a rollback or a failed commit.
	Aborted()
	// Savepoint returns a mark of the writes seen so far; RollbackTo
	// forgets the writes after it.
	Savepoint() int
	RollbackTo(mark int)
}

// Observe attaches an observer (one per transaction).
func (t *Txn) Observe(o WriteObserver) { t.observer = o }

// Observer returns the attached observer (nil when none).
func (t *Txn) Observer() WriteObserver { return t.observer }

// TableWatcher is an optional WriteObserver extension: an observer that
// wants a table's writes although the transaction's catalog lists no index
// storage does not maintain (an index being built concurrently, which
// becomes visible in the catalog only when its build commits).
type TableWatcher interface {
	WatchesTable(tb *catalog.Table) bool
}

// observed reports whether a table's writes go to the observer.
func (t *Txn) observed(tb *catalog.Table) bool {
	if t.observer == nil {
		return false
	}
	if w, ok := t.observer.(TableWatcher); ok && w.WatchesTable(tb) {
		return true
	}
	for i := range tb.Indexes {
		if m := tb.Indexes[i].Method; m != "btree" && m != "" {
			return true
		}
	}
	return false
}

// InsertRow stores a new row (Columns order, full width including hidden
// and dropped columns — a hidden rowid is filled in when Null). A duplicate
// primary key or unique-index key is 23505 with PostgreSQL's message and
// detail.
func (t *Txn) InsertRow(ctx context.Context, tb *catalog.Table, row []types.Datum) error {
	return t.insertRowLocking(ctx, tb, row, false)
}

// InsertRowLockingKeys is InsertRow that first takes the locks of the
// row's primary key and unique keys (rowlocks.go), as INSERT ... ON
// CONFLICT needs: a concurrent insert of the same key waits for this
// transaction, and when the key was committed after the snapshot the
// insert fails with ErrConcurrentUpdate, which READ COMMITTED answers by
// running the statement again, now seeing the row it conflicts with.
// Plain inserts take no locks: a million-row COPY would take a million.
func (t *Txn) InsertRowLockingKeys(ctx context.Context, tb *catalog.Table, row []types.Datum) error {
	return t.insertRowLocking(ctx, tb, row, true)
}

func (t *Txn) insertRowLocking(ctx context.Context, tb *catalog.Table, row []types.Datum, lockKeys bool) error {
	if err := t.insertRow(ctx, tb, row, lockKeys); err != nil {
		return err
	}
	if t.observed(tb) {
		return t.observer.RowWritten(ctx, tb, nil, row)
	}
	return nil
}

// UpdateRow replaces oldRow (as read) by newRow, moving the row if its
// primary key changed and maintaining secondary indexes. It first takes
// the row's lock (rowlocks.go): FOR UPDATE's when a key column changes,
// else FOR NO KEY UPDATE's, which a foreign key check's FOR KEY SHARE
// lets through.
func (t *Txn) UpdateRow(ctx context.Context, tb *catalog.Table, oldRow, newRow []types.Datum) error {
	return t.updateRowLocked(ctx, tb, oldRow, newRow, false)
}

// UpsertRow is UpdateRow for INSERT ... ON CONFLICT DO UPDATE, which in
// PostgreSQL locks the row before updating it: the new version keeps the
// transaction as its xmax, so that RETURNING xmax = 0 tells inserted rows
// from updated ones.
func (t *Txn) UpsertRow(ctx context.Context, tb *catalog.Table, oldRow, newRow []types.Datum) error {
	return t.updateRowLocked(ctx, tb, oldRow, newRow, true)
}

func (t *Txn) updateRowLocked(ctx context.Context, tb *catalog.Table, oldRow, newRow []types.Datum, locked bool) error {
	if err := t.updateRow(ctx, tb, oldRow, newRow, locked); err != nil {
		return err
	}
	if t.observed(tb) {
		return t.observer.RowWritten(ctx, tb, oldRow, newRow)
	}
	return nil
}

// DeleteRow deletes a row (as read) and its index entries, first taking
// the row's lock (rowlocks.go).
func (t *Txn) DeleteRow(ctx context.Context, tb *catalog.Table, row []types.Datum) error {
	return t.deleteRowLocking(ctx, tb, row, true)
}

// DeleteRowNoLock is DeleteRow without the row lock, for statements that
// delete every row of a table (TRUNCATE, a rewrite by ALTER TABLE), which
// PostgreSQL runs under a table lock instead: a concurrent change of a
// row is found at commit (40001), and a million rows do not take a
// million locks.
func (t *Txn) DeleteRowNoLock(ctx context.Context, tb *catalog.Table, row []types.Datum) error {
	return t.deleteRowLocking(ctx, tb, row, false)
}

func (t *Txn) deleteRowLocking(ctx context.Context, tb *catalog.Table, row []types.Datum, lock bool) error {
	if err := t.deleteRow(ctx, tb, row, lock); err != nil {
		return err
	}
	if t.observed(tb) {
		return t.observer.RowWritten(ctx, tb, row, nil)
	}
	return nil
}

// IndexBuildError turns a unique violation met while building an index
// over existing rows into PostgreSQL's report of the index it could not
// create (still 23505); other errors pass unchanged.
func IndexBuildError(err error) error {
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != pgerror.CodeUniqueViolation {
		return err
	}
	dup := *pe
	dup.Message = fmt.Sprintf("could not create unique index \"%s\"", pe.Constraint)
	dup.Detail = strings.Replace(pe.Detail, " already exists.", " is duplicated.", 1)
	return &dup
}

// BackfillIndex adds the entries of a new b-tree index for every row the
// transaction sees (CREATE INDEX on a filled table). A duplicate in a
// unique index is 23505 (IndexBuildError).
func (t *Txn) BackfillIndex(ctx context.Context, tb *catalog.Table, idx *catalog.Index) error {
	it, err := t.ScanTable(ctx, tb, Span{}, false)
	if err != nil {
		return err
	}
	defer it.Close()
	for {
		row, err := it.Next()
		if err != nil {
			return err
		}
		if row == nil {
			return nil
		}
		if in, err := t.inIndex(tb, idx, row); err != nil || !in {
			if err != nil {
				return err
			}
			continue
		}
		_, pk, err := t.pkKey(tb, row)
		if err != nil {
			return err
		}
		if err := t.addIndexEntry(tb, idx, row, pk); err != nil {
			return IndexBuildError(err)
		}
	}
}

// WroteTable reports whether the transaction has buffered writes to a
// table's rows.
func (t *Txn) WroteTable(id catalog.ID) bool {
	p := string(rowPrefix(id))
	for k := range t.buf {
		if len(k) >= len(p) && k[:len(p)] == p {
			return true
		}
	}
	return t.spillHasPrefix(rowPrefix(id))
}
