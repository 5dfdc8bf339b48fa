package storage

import (
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// ScanCommittedVersions calls fn for every row of the snapshot with the
// commit timestamp of the row's current version, so an access method with
// a persisted checkpoint can tell which rows changed after it. It reads
// committed data only (the transaction's own writes are ignored).
func (t *Txn) ScanCommittedVersions(ctx context.Context, tb *catalog.Table, fn func(row []types.Datum, version uint64) error) error {
	if err := t.usable(); err != nil {
		return err
	}
	prefix := rowPrefix(tb.ID)
	it := t.btx.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	colIdx := columnIndex(tb)
	n := 0
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		if n++; n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return canceled(err)
			}
		}
		item := it.Item()
		val, err := item.ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("storage: version scan %q: %w", tb.Name, err)
		}
		row, err := decodeRow(tb, colIdx, val)
		if err != nil {
			return fmt.Errorf("storage: version scan %q: %w", tb.Name, err)
		}
		if err := fn(row, item.Version()); err != nil {
			return err
		}
	}
	return nil
}

// CountRows counts the rows of the snapshot reading keys only (progress
// reporting's tuples_total); own writes are ignored.
func (t *Txn) CountRows(ctx context.Context, tb *catalog.Table) (int64, error) {
	if err := t.usable(); err != nil {
		return 0, err
	}
	prefix := rowPrefix(tb.ID)
	it := t.btx.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	var n int64
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		if n++; n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return 0, canceled(err)
			}
		}
	}
	return n, nil
}
