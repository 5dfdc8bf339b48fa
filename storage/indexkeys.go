package storage

import (
	"bytes"
	"context"

	"github.com/dgraph-io/badger/v4"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// ScanIndexKeys calls fn with the primary-key encoding of every row a
// b-tree index holds within span, in index order, as a ScanIndex of the
// transaction would find them (its snapshot merged with its own writes),
// without reading the rows: a caller that keeps the rows' other columns
// elsewhere (a vector index) or needs a few of them (GetRowByKey) skips a
// point read per entry. fn must not keep pk past its call; the scan stops
// at fn's first error, which it returns.
func (t *Txn) ScanIndexKeys(ctx context.Context, tb *catalog.Table, idx *catalog.Index, span Span, fn func(pk []byte) error) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return canceled(err)
	}
	prefix, lo, hi, err := indexSpanKeys(tb, idx, span)
	if err != nil {
		return err
	}
	if bytes.Compare(lo, hi) >= 0 {
		return nil
	}
	it := t.newMergeIter(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	var visited int64
	defer func() { t.stats.KeysRead += visited }()
	for it.Seek(lo); it.Valid(); it.Next() {
		if bytes.Compare(it.Key(), hi) >= 0 {
			break
		}
		if visited++; visited%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return canceled(err)
			}
		}
		// The entry's value is the row's encoded primary key.
		if err := it.valueFunc(fn); err != nil {
			return err
		}
	}
	return nil
}

// GetRowByKey fetches the row with primary-key encoding pk, as
// ScanIndexKeys passes it (nil, nil when absent).
func (t *Txn) GetRowByKey(ctx context.Context, tb *catalog.Table, pk []byte) ([]types.Datum, error) {
	return t.GetRowColumnsByKey(ctx, tb, pk, nil)
}
