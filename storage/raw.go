package storage

import (
	"bytes"
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/quiverdb/quiver/sql/catalog"
)

// Raw key access for access methods that keep their own structures (HNSW
// graphs, pending-vector records). Raw keys must live under a table's
// /t/<table>/v/<index>/ space, so they are dropped with the table and can
// never collide with rows, index entries or the catalog.

// VectorIndexPrefix is the key space of a vector index's persisted data.
func VectorIndexPrefix(tableID, indexID catalog.ID) []byte {
	return append(be32(append(tablePrefix(tableID), 'v', '/'), indexID), '/')
}

func checkRawKey(key []byte) error {
	// "/t/" + 4-byte table ID + "/v/"
	if len(key) < 10 || !bytes.HasPrefix(key, []byte("/t/")) || string(key[7:10]) != "/v/" {
		return fmt.Errorf("storage: raw key %q is outside a vector index key space", key)
	}
	return nil
}

// RawGet reads a raw key at the snapshot plus own writes (nil when absent).
func (t *Txn) RawGet(key []byte) ([]byte, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if err := checkRawKey(key); err != nil {
		return nil, err
	}
	v, _, err := t.lookup(key)
	return v, err
}

// RawSet writes a raw key in the transaction.
func (t *Txn) RawSet(key, val []byte) error {
	if err := checkRawKey(key); err != nil {
		return err
	}
	return t.set(key, val)
}

// RawDelete deletes a raw key in the transaction.
func (t *Txn) RawDelete(key []byte) error {
	if err := checkRawKey(key); err != nil {
		return err
	}
	return t.del(key)
}

// RawScan calls fn for every raw key with the given prefix in key order,
// stopping at fn's first error. fn must not keep k or v past the call.
func (t *Txn) RawScan(ctx context.Context, prefix []byte, fn func(k, v []byte) error) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := checkRawKey(prefix); err != nil {
		return err
	}
	it := t.newMergeIter(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	n := 0
	for it.Seek(prefix); it.Valid(); it.Next() {
		if n++; n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return canceled(err)
			}
		}
		v, err := it.Value()
		if err != nil {
			return fmt.Errorf("storage: raw scan: %w", err)
		}
		if err := fn(it.Key(), v); err != nil {
			return err
		}
	}
	return nil
}

// WriteRaw writes raw keys outside any transaction (a nil value deletes),
// atomically and visible to snapshots taken afterwards; for background
// work such as an index applier persisting graph changes. It is durable
// once a later synced commit (or Close) has happened.
func (e *Engine) WriteRaw(kv map[string][]byte) error {
	for k := range kv {
		if err := checkRawKey([]byte(k)); err != nil {
			return err
		}
	}
	return e.writeInternal(kv)
}
