package storage

import (
	"bytes"
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage/keys"
)

// ctxCheckEvery is how many keys a scan visits between cancellation checks.
const ctxCheckEvery = 256

// ScanTable iterates rows in primary-key order within span (a zero Span
// is the whole table). Reverse iterates backwards.
func (t *Txn) ScanTable(ctx context.Context, tb *catalog.Table, span Span, reverse bool) (RowIterator, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}
	cols := make([]*types.T, len(tb.PrimaryKey))
	for i, c := range tb.PrimaryKey {
		cols[i] = tb.Columns[c].Type
	}
	if key, ok, err := pointKey(rowPrefix(tb.ID), cols, span); err != nil {
		return nil, fmt.Errorf("storage: table %q: %w", tb.Name, err)
	} else if ok {
		return &pointIter{t: t, tb: tb, key: key}, nil
	}
	lo, hi, err := spanKeys(rowPrefix(tb.ID), cols, nil, span)
	if err != nil {
		return nil, fmt.Errorf("storage: table %q: %w", tb.Name, err)
	}
	return t.newIter(ctx, tb, rowPrefix(tb.ID), lo, hi, reverse, false, span), nil
}

// pointKey returns the row key a span selects when both of its bounds are
// inclusive and give the same value for every primary key column: at
// most one row matches, and a point read (which Badger's bloom filters
// answer without building an iterator over every table) finds it.
func pointKey(prefix []byte, cols []*types.T, span Span) ([]byte, bool, error) {
	s, e := span.Start, span.End
	if s == nil || e == nil || !s.Inclusive || !e.Inclusive || len(s.Values) != len(cols) || len(e.Values) != len(cols) {
		return nil, false, nil
	}
	key := append(make([]byte, 0, len(prefix)+16), prefix...)
	end := len(key)
	var err error
	for i, v := range s.Values {
		if key, err = keys.Encode(key, coerceKey(cols[i], v), false); err != nil {
			return nil, false, err
		}
	}
	// Encode the end bound after the start's bytes and compare the halves.
	start := key[end:]
	endKey := key
	for i, v := range e.Values {
		if endKey, err = keys.Encode(endKey, coerceKey(cols[i], v), false); err != nil {
			return nil, false, err
		}
	}
	if !bytes.Equal(start, endKey[len(key):]) {
		return nil, false, nil
	}
	return key[:len(key):len(key)], true, nil
}

// pointIter yields the one row stored under key, if any.
type pointIter struct {
	t    *Txn
	tb   *catalog.Table
	key  []byte
	done bool
}

// Next returns the row on the first call and nil afterwards (also once
// the transaction ended, as a closed scan does).
func (p *pointIter) Next() ([]types.Datum, error) {
	if p.done || p.t.finished {
		return nil, nil
	}
	p.done = true
	return p.t.readRow(p.tb, p.key)
}

// Close is a no-op: a point read holds no iterator.
func (p *pointIter) Close() { p.done = true }

// ScanIndex iterates rows through a secondary b-tree index within span
// (bounds over the index's leading columns), in index order.
func (t *Txn) ScanIndex(ctx context.Context, tb *catalog.Table, idx *catalog.Index, span Span, reverse bool) (RowIterator, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}
	prefix, lo, hi, err := indexSpanKeys(tb, idx, span)
	if err != nil {
		return nil, err
	}
	return t.newIter(ctx, tb, prefix, lo, hi, reverse, true, span), nil
}

// indexSpanKeys returns a b-tree index's key prefix and span as [lo, hi).
func indexSpanKeys(tb *catalog.Table, idx *catalog.Index, span Span) (prefix, lo, hi []byte, err error) {
	if idx.Method != "btree" && idx.Method != "" {
		return nil, nil, nil, fmt.Errorf("storage: index %q is not a b-tree index", idx.Name)
	}
	cols := make([]*types.T, len(idx.Columns))
	for i, c := range idx.Columns {
		cols[i] = tb.Columns[c].Type
	}
	prefix = indexPrefix(tb.ID, idx.ID)
	if lo, hi, err = spanKeys(prefix, cols, idx.Desc, span); err != nil {
		return nil, nil, nil, fmt.Errorf("storage: index %q: %w", idx.Name, err)
	}
	return prefix, lo, hi, nil
}

// spanKeys turns a span over leading key columns into [lo, hi) in key
// space. Because every value encoding is prefix-free, the keys whose
// leading columns equal a bound are exactly the keys that start with the
// bound's encoding.
func spanKeys(prefix []byte, cols []*types.T, desc []bool, span Span) (lo, hi []byte, err error) {
	enc := func(b *Bound) ([]byte, error) {
		if len(b.Values) > len(cols) {
			return nil, fmt.Errorf("bound has %d values for %d key columns", len(b.Values), len(cols))
		}
		k := append([]byte(nil), prefix...)
		for i, v := range b.Values {
			if k, err = keys.Encode(k, coerceKey(cols[i], v), i < len(desc) && desc[i]); err != nil {
				return nil, err
			}
		}
		return k, nil
	}
	lo = prefix
	if span.Start != nil {
		k, err := enc(span.Start)
		if err != nil {
			return nil, nil, err
		}
		if span.Start.Inclusive {
			lo = k
		} else {
			lo = keys.PrefixEnd(k)
		}
	}
	hi = keys.PrefixEnd(prefix)
	if span.End != nil {
		k, err := enc(span.End)
		if err != nil {
			return nil, nil, err
		}
		if span.End.Inclusive {
			hi = keys.PrefixEnd(k)
		} else {
			hi = k
		}
	}
	return lo, hi, nil
}

type rowIter struct {
	t       *Txn
	ctx     context.Context
	tb      *catalog.Table
	colIdx  map[uint32]int
	it      *mergeIter
	lo, hi  []byte
	reverse bool
	index   bool
	started bool
	done    bool
	err     error
	visited int
}

func (t *Txn) newIter(ctx context.Context, tb *catalog.Table, prefix, lo, hi []byte, reverse, index bool, span Span) *rowIter {
	r := &rowIter{t: t, ctx: ctx, tb: tb, colIdx: columnIndex(tb), lo: lo, hi: hi, reverse: reverse, index: index}
	if bytes.Compare(lo, hi) >= 0 {
		r.done = true
		return r
	}
	// No value prefetching: rows are small and stored inline with their
	// keys, so prefetch goroutines only add copies and scheduling (measured:
	// a full scan of 100,000 rows got slower with it).
	opts := badger.IteratorOptions{Prefix: prefix, Reverse: reverse}
	r.it = t.newMergeIter(opts)
	if len(t.iters) >= 32 {
		live := t.iters[:0]
		for _, o := range t.iters {
			if o.it != nil {
				live = append(live, o)
			}
		}
		clear(t.iters[len(live):])
		t.iters = live
	}
	t.iters = append(t.iters, r)
	return r
}

// Next returns the next row, or nil at the end.
func (r *rowIter) Next() ([]types.Datum, error) {
	for {
		if r.done || r.err != nil {
			return nil, r.err
		}
		if !r.started {
			r.started = true
			if r.reverse {
				r.it.Seek(r.hi)
				// Reverse Seek lands on the last key <= hi; hi is exclusive.
				if r.it.Valid() && bytes.Compare(r.it.Key(), r.hi) >= 0 {
					r.it.Next()
				}
			} else {
				r.it.Seek(r.lo)
			}
		} else {
			r.it.Next()
		}
		if !r.it.Valid() {
			r.finish()
			return nil, nil
		}
		k := r.it.Key()
		if (!r.reverse && bytes.Compare(k, r.hi) >= 0) || (r.reverse && bytes.Compare(k, r.lo) < 0) {
			r.finish()
			return nil, nil
		}
		r.visited++
		if r.visited%ctxCheckEvery == 0 {
			if err := r.ctx.Err(); err != nil {
				r.err = canceled(err)
				r.finish()
				return nil, r.err
			}
		}
		r.t.stats.KeysRead++
		val, err := r.it.Value()
		if err != nil {
			r.err = fmt.Errorf("storage: scan %q: %w", r.tb.Name, err)
			return nil, r.err
		}
		if r.index {
			// The entry's value is the row's encoded primary key.
			val, err = r.t.get(append(rowPrefix(r.tb.ID), val...))
			if err != nil {
				r.err = err
				return nil, err
			}
			if val == nil {
				continue
			}
		}
		row, err := decodeRow(r.tb, r.colIdx, val)
		if err != nil {
			r.err = fmt.Errorf("storage: table %q: %w", r.tb.Name, err)
			return nil, r.err
		}
		r.t.stats.RowsRead++
		return row, nil
	}
}

func (r *rowIter) finish() {
	r.done = true
	if r.it != nil {
		r.it.Close()
		r.it = nil
	}
}

// Close releases the iterator; safe to call twice.
func (r *rowIter) Close() { r.finish() }
