package storage

import (
	"context"

	"github.com/dgraph-io/badger/v4"

	"github.com/quiverdb/quiver/sql/catalog"
)

// TableBytes is how many bytes a table's rows take in the store: the sum of
// the latest committed keys and values under its row prefix, as Badger
// sizes them (pg_relation_size of a table). It reads every key, so it costs
// a key-only pass over the table.
func (e *Engine) TableBytes(ctx context.Context, tableID catalog.ID) (int64, error) {
	return e.prefixBytes(ctx, rowPrefix(tableID))
}

// IndexBytes is the same for one secondary index: its b-tree entries, or an
// HNSW index's persisted graph.
func (e *Engine) IndexBytes(ctx context.Context, tableID, indexID catalog.ID) (int64, error) {
	n, err := e.prefixBytes(ctx, indexPrefix(tableID, indexID))
	if err != nil {
		return 0, err
	}
	v, err := e.prefixBytes(ctx, VectorIndexPrefix(tableID, indexID))
	return n + v, err
}

func (e *Engine) prefixBytes(ctx context.Context, prefix []byte) (int64, error) {
	ts, err := e.pin()
	if err != nil {
		return 0, err
	}
	defer e.release(ts)
	btx := e.db.NewTransactionAt(ts, false)
	defer btx.Discard()
	it := btx.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	var n, keys int64
	for it.Rewind(); it.Valid(); it.Next() {
		if keys++; keys%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, canceled(err)
			}
		}
		n += it.Item().EstimatedSize()
	}
	return n, nil
}
