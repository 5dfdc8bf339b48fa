package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// PartitionScan reads a table's rows within a span as several key ranges
// that goroutines scan at the same time, each seeing exactly what a
// ScanTable of the transaction would see (its snapshot merged with its own
// buffered writes). Rows are handed over still encoded, so a reader that
// needs one column of most rows decodes only that column.
//
// Scan may be called from several goroutines at once; the transaction must
// not be written, and no other method of it called, until Close, which
// must be called once every Scan has returned.
type PartitionScan struct {
	t      *Txn
	tb     *catalog.Table
	prefix []byte
	bounds [][]byte // partition i is [bounds[i], bounds[i+1])
	keys   atomic.Int64
	closed bool
}

// NewPartitionScan splits tb's rows within span into at most parts key
// ranges of roughly equal key-space width (exactly equal row counts would
// need a pass over the keys; callers that want balance ask for more
// partitions than they have goroutines and hand them out as they finish).
func (t *Txn) NewPartitionScan(ctx context.Context, tb *catalog.Table, span Span, parts int) (*PartitionScan, error) {
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
	prefix := rowPrefix(tb.ID)
	lo, hi, err := spanKeys(prefix, cols, nil, span)
	if err != nil {
		return nil, fmt.Errorf("storage: table %q: %w", tb.Name, err)
	}
	t.sorted() // sorted now, so concurrent Scans share it read-only
	p := &PartitionScan{t: t, tb: tb, prefix: prefix}
	if bytes.Compare(lo, hi) >= 0 {
		return p, nil
	}
	first, last := p.edge(lo, hi, false), p.edge(lo, hi, true)
	if first == nil {
		return p, nil
	}
	p.bounds = append(p.bounds, lo)
	for _, b := range splitKeys(first, last, parts) {
		if bytes.Compare(b, p.bounds[len(p.bounds)-1]) > 0 && bytes.Compare(b, hi) < 0 {
			p.bounds = append(p.bounds, b)
		}
	}
	p.bounds = append(p.bounds, hi)
	return p, nil
}

// edge returns the first (or, with last, the final) key in [lo, hi), nil
// when the range holds no row.
func (p *PartitionScan) edge(lo, hi []byte, last bool) []byte {
	it := p.mergeIter(last)
	defer it.Close()
	if last {
		it.Seek(hi)
		if it.Valid() && bytes.Compare(it.Key(), hi) >= 0 {
			it.Next()
		}
	} else {
		it.Seek(lo)
	}
	if !it.Valid() {
		return nil
	}
	k := it.Key()
	if bytes.Compare(k, lo) < 0 || bytes.Compare(k, hi) >= 0 {
		return nil
	}
	return append([]byte(nil), k...)
}

// mergeIter opens an iterator over the table's rows. The write buffer was
// sorted by NewPartitionScan, so goroutines only read it here.
func (p *PartitionScan) mergeIter(reverse bool) *mergeIter {
	return p.t.newMergeIter(badger.IteratorOptions{Prefix: p.prefix, Reverse: reverse})
}

// splitKeys returns up to parts-1 increasing keys strictly between first
// and last, spaced evenly over the 64 bits that follow their common
// prefix. Primary keys of one integer column are spaced exactly evenly.
func splitKeys(first, last []byte, parts int) [][]byte {
	if parts < 2 {
		return nil
	}
	common := 0
	for common < len(first) && common < len(last) && first[common] == last[common] {
		common++
	}
	word := func(k []byte) uint64 {
		var w [8]byte
		if common < len(k) {
			copy(w[:], k[common:])
		}
		return binary.BigEndian.Uint64(w[:])
	}
	a, b := word(first), word(last)
	if b <= a {
		return nil
	}
	step := (b - a) / uint64(parts)
	if step == 0 {
		step = 1
	}
	var out [][]byte
	for i := uint64(1); i < uint64(parts) && a+i*step < b; i++ {
		k := append([]byte(nil), first[:common]...)
		out = append(out, binary.BigEndian.AppendUint64(k, a+i*step))
	}
	return out
}

// Partitions is how many key ranges Scan serves (0 for no rows).
func (p *PartitionScan) Partitions() int {
	if len(p.bounds) < 2 {
		return 0
	}
	return len(p.bounds) - 1
}

// Scan calls fn with the primary key encoding and the encoded value of
// every row of partition i, in key order, stopping at fn's first error.
// fn must not keep key or val past its call. The context is checked every
// few hundred rows.
func (p *PartitionScan) Scan(ctx context.Context, i int, fn func(key, val []byte) error) error {
	if i < 0 || i >= p.Partitions() {
		return fmt.Errorf("storage: partition %d of %d", i, p.Partitions())
	}
	lo, hi := p.bounds[i], p.bounds[i+1]
	it := p.mergeIter(false)
	defer it.Close()
	var visited int64
	defer func() { p.keys.Add(visited) }()
	for it.Seek(lo); it.Valid(); it.Next() {
		k := it.Key()
		if bytes.Compare(k, hi) >= 0 {
			break
		}
		visited++
		if visited%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return canceled(err)
			}
		}
		err := it.valueFunc(func(v []byte) error { return fn(k[len(p.prefix):], v) })
		if err != nil {
			return err
		}
	}
	return nil
}

// Close adds the rows read to the transaction's counters.
func (p *PartitionScan) Close() {
	if p.closed {
		return
	}
	p.closed = true
	n := p.keys.Load()
	p.t.stats.KeysRead += n
	p.t.stats.RowsRead += n
}

// valueFunc passes the current value to fn without copying a snapshot
// value (it is valid only during the call).
func (m *mergeIter) valueFunc(fn func([]byte) error) error {
	if m.cur == 0 {
		var ferr error
		if err := m.it.Item().Value(func(v []byte) error { ferr = fn(v); return nil }); err != nil {
			return fmt.Errorf("storage: read: %w", err)
		}
		return ferr
	}
	return m.own.valueFunc(fn)
}

// RowDecoder decodes one table's stored rows, whole or a few columns at a
// time. It is read-only after NewRowDecoder, so goroutines may share it.
type RowDecoder struct {
	tb     *catalog.Table
	colIdx map[uint32]int
}

// NewRowDecoder returns a decoder for tb's rows.
func NewRowDecoder(tb *catalog.Table) *RowDecoder {
	return &RowDecoder{tb: tb, colIdx: columnIndex(tb)}
}

// Row decodes a full-width row.
func (d *RowDecoder) Row(val []byte) ([]types.Datum, error) {
	row, err := decodeRow(d.tb, d.colIdx, val)
	if err != nil {
		return nil, fmt.Errorf("storage: table %q: %w", d.tb.Name, err)
	}
	return row, nil
}

// Columns decodes the columns whose ordinals have want[ord] set into row
// (full width; the other entries are left as they are), NULL for a column
// absent from the stored row. The vector column vecCol (vector or halfvec)
// is decoded into vec as float32s instead (grown as needed and returned),
// so once vec is large enough a row costs no allocation; isNull reports a
// NULL vector.
func (d *RowDecoder) Columns(val []byte, want []bool, row []types.Datum, vecCol int, vec []float32) (_ []float32, isNull bool, err error) {
	for i, w := range want {
		if w {
			row[i] = types.Null
		}
	}
	isNull = true
	err = eachColumn(d.tb, d.colIdx, val, func(ord int, raw []byte) error {
		if ord == vecCol {
			if d.tb.Columns[ord].Type.Family == types.FamHalfvec {
				if len(raw)%2 != 0 {
					return errCorruptRow
				}
				vec = decodeHalves(slices.Grow(vec[:0], len(raw)/2)[:len(raw)/2], raw)
			} else {
				if len(raw)%4 != 0 {
					return errCorruptRow
				}
				vec = decodeFloat32s(slices.Grow(vec[:0], len(raw)/4)[:len(raw)/4], raw)
			}
			isNull = false
			return nil
		}
		if ord >= len(want) || !want[ord] {
			return nil
		}
		v, err := decodePayload(d.tb.Columns[ord].Type, raw)
		if err != nil {
			return fmt.Errorf("column %q: %w", d.tb.Columns[ord].Name, err)
		}
		row[ord] = v
		return nil
	})
	if err != nil {
		return vec, false, fmt.Errorf("storage: table %q: %w", d.tb.Name, err)
	}
	return vec, isNull, nil
}
