package storage

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"unsafe"

	"github.com/dgraph-io/badger/v4"
	"github.com/quiverdb/quiver/storage/keys"
)

// A transaction buffers its writes itself rather than in a Badger
// transaction, so its size is not bounded by one Badger batch: at commit
// the buffer is written in as many batches as it needs, all at the same
// commit timestamp (see Engine.commitTxn). A buffer grown past
// Options.SpillBytes moves out to the transaction's spill area (spill.go).

// arena hands out copies of keys and values carved from large chunks: a
// bulk load buffers millions of them, and a few big allocations cost the
// allocator and the garbage collector far less than one or two per entry.
// Chunks are never written again once handed out, so the strings made
// from them are immutable. Chunks start small and double up to
// arenaChunk: most transactions write one row, and zeroing a megabyte for
// each of them cost more than the rest of a single-row INSERT.
type arena struct{ cur []byte }

const (
	arenaFirst = 4 << 10
	arenaChunk = 1 << 20
	// arenaMax: larger values get an allocation of their own rather than
	// wasting the rest of a chunk.
	arenaMax = arenaChunk / 8
)

// bytes returns a copy of b (never nil, so an empty value stays present).
func (a *arena) bytes(b []byte) []byte {
	if len(b) > arenaMax {
		return append([]byte{}, b...)
	}
	if a.cur == nil || cap(a.cur)-len(a.cur) < len(b) {
		size := max(arenaFirst, min(2*cap(a.cur), arenaChunk), len(b))
		a.cur = make([]byte, 0, size)
	}
	n := len(a.cur)
	a.cur = append(a.cur, b...)
	return a.cur[n:len(a.cur):len(a.cur)]
}

// str returns b as a string in the arena.
func (a *arena) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	c := a.bytes(b)
	return unsafe.String(unsafe.SliceData(c), len(c))
}

type wentry struct {
	val []byte
	del bool
}

// sortedWrites is an immutable sorted copy of the write buffer, shared by
// iterators created while the buffer is unchanged. Iterators keep the copy
// they started with, so a scan never sees rows its own statement writes.
type sortedWrites struct {
	keys []string
	vals []wentry
}

// ExpectWrites tells the transaction about n more key writes to come (a
// table rewrite knows its row count), so the write buffer is sized once
// instead of growing and rehashing step by step.
func (t *Txn) ExpectWrites(n int) {
	if t.spillAt > 0 {
		// Never size past what the buffer may hold before it spills.
		n = min(n, int((t.spillAt-t.bufBytes)/bufEntryOverhead))
	}
	if n <= 0 || t.usable() != nil {
		return
	}
	buf := make(map[string]wentry, len(t.buf)+n)
	for k, v := range t.buf {
		buf[k] = v
	}
	writes := make(map[uint64]struct{}, len(t.writes)+n)
	for k := range t.writes {
		writes[k] = struct{}{}
	}
	t.buf, t.writes = buf, writes
	t.order = slices.Grow(t.order, n)
}

func (t *Txn) sorted() *sortedWrites {
	if t.sortedBuf != nil {
		return t.sortedBuf
	}
	keys := make([]string, 0, len(t.buf))
	clean := len(t.order) == len(t.buf)
	if clean {
		keys = append(keys, t.order...)
	} else {
		// A savepoint rollback removed keys: drop them, and the repeats of
		// keys written again afterwards.
		for _, k := range t.order {
			if _, ok := t.buf[k]; ok {
				keys = append(keys, k)
			}
		}
	}
	if !slices.IsSorted(keys) {
		slices.Sort(keys)
	}
	if !clean {
		keys = slices.Compact(keys)
		t.order = append(t.order[:0], keys...)
	}
	s := &sortedWrites{keys: keys, vals: make([]wentry, len(keys))}
	for i, k := range keys {
		s.vals[i] = t.buf[k]
	}
	t.sortedBuf = s
	return s
}

// lookup reads key from the write buffer, then the spilled writes, then
// the snapshot; nil when absent or deleted. A value from the row cache or
// Badger is the caller's own copy.
func (t *Txn) lookup(key []byte) ([]byte, bool, error) {
	return t.lookupShared(key, false)
}

// lookupShared is lookup that, when shared is set, returns a row-cache
// hit as the cache's own bytes instead of a copy: they never change, and
// the caller only reads them (an existence check, a decode into new
// datums), which saves a copy of each row a filtered search tests.
func (t *Txn) lookupShared(key []byte, shared bool) ([]byte, bool, error) {
	if e, ok := t.buf[string(key)]; ok {
		if e.del {
			return nil, false, nil
		}
		return e.val, true, nil
	}
	var fp uint64 // the spill filter and the row cache find keys by it
	if t.spill != nil || t.e.rows != nil {
		fp = t.fingerprint(key)
	}
	if t.spill != nil {
		v, del, found, err := t.spilledGet(fp, key)
		if err != nil {
			return nil, false, err
		}
		if found {
			return v, !del, nil
		}
	}
	if t.e.rows != nil {
		if v, ok := t.e.rows.get(fp, key, t.readTs, !shared); ok {
			return v, true, nil
		}
	}
	item, err := t.btx.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("storage: read: %w", err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, false, fmt.Errorf("storage: read: %w", err)
	}
	if t.e.rows != nil {
		t.e.cacheRow(fp, key, v, item.Version(), t.readTs)
	}
	return v, true, nil
}

// ownIter walks a transaction's own writes in key order: the sorted
// buffer over the spilled writes, the buffer winning on equal keys.
type ownIter struct {
	buf     *sortedWrites
	lo, hi  int // buffer range within the prefix
	i       int // next buffer position
	reverse bool
	sp      *spillIter // spilled writes; nil when none
	side    int        // 0 exhausted, 1 buffer, 2 spill, 3 both
}

func (o *ownIter) bufValid() bool {
	if o.reverse {
		return o.i >= o.lo
	}
	return o.i < o.hi
}

func (o *ownIter) bufStep() {
	if o.reverse {
		o.i--
	} else {
		o.i++
	}
}

// seek positions at the first key >= k (forward) or the last key <= k
// (reverse).
func (o *ownIter) seek(k []byte) {
	ks := o.buf.keys[o.lo:o.hi]
	if !o.reverse {
		o.i = o.lo + sort.SearchStrings(ks, string(k))
	} else {
		// Last index with key <= k.
		o.i = o.lo + sort.Search(len(ks), func(i int) bool { return ks[i] > string(k) }) - 1
	}
	if o.sp != nil {
		o.sp.seek(k)
	}
	o.settle()
}

func (o *ownIter) settle() {
	bv := o.bufValid()
	sv := o.sp != nil && o.sp.valid()
	switch {
	case !bv && !sv:
		o.side = 0
	case !sv:
		o.side = 1
	case !bv:
		o.side = 2
	default:
		c := bytes.Compare(keyBytes(o.buf.keys[o.i]), o.sp.entry().key)
		if o.reverse {
			c = -c
		}
		switch {
		case c < 0:
			o.side = 1
		case c > 0:
			o.side = 2
		default:
			o.side = 3
		}
	}
}

func (o *ownIter) valid() bool { return o.side != 0 }

func (o *ownIter) next() {
	if o.side&1 != 0 {
		o.bufStep()
	}
	if o.side&2 != 0 {
		o.sp.next()
	}
	o.settle()
}

// key is valid until the next move.
func (o *ownIter) key() []byte {
	if o.side&1 != 0 {
		return keyBytes(o.buf.keys[o.i])
	}
	return o.sp.entry().key
}

func (o *ownIter) deleted() bool {
	if o.side&1 != 0 {
		return o.buf.vals[o.i].del
	}
	return o.sp.entry().del
}

// value returns the current value; the caller may keep it (a spilled
// one lives in a block buffer that is never reused).
func (o *ownIter) value() ([]byte, error) {
	if o.side&1 != 0 {
		return o.buf.vals[o.i].val, nil
	}
	return o.sp.entry().val, o.sp.err()
}

// valueFunc passes the current value to fn.
func (o *ownIter) valueFunc(fn func([]byte) error) error {
	if o.side&1 != 0 {
		return fn(o.buf.vals[o.i].val)
	}
	if err := o.sp.err(); err != nil {
		return err
	}
	return fn(o.sp.entry().val)
}

// err is the first read error of the spilled writes walked.
func (o *ownIter) err() error {
	if o.sp == nil {
		return nil
	}
	return o.sp.err()
}

func (o *ownIter) close() { o.sp = nil }

// newOwnIter opens an iterator over the own writes under prefix.
func (t *Txn) newOwnIter(prefix []byte, reverse bool) ownIter {
	s := t.sorted()
	lo := sort.SearchStrings(s.keys, string(prefix))
	hi := len(s.keys)
	if end := keys.PrefixEnd(prefix); end != nil {
		hi = sort.SearchStrings(s.keys, string(end))
	}
	o := ownIter{buf: s, lo: lo, hi: hi, reverse: reverse}
	if t.spill != nil {
		o.sp = t.spill.iterator(prefix, reverse)
	}
	return o
}

// mergeIter merges a Badger snapshot iterator with the transaction's own
// writes (which win on equal keys; deletions hide keys).
type mergeIter struct {
	it      *badger.Iterator
	own     ownIter
	reverse bool
	cur     int // 0 snapshot, 1 own writes, 2 both (own wins)
	valid   bool
}

func (t *Txn) newMergeIter(opts badger.IteratorOptions) *mergeIter {
	return &mergeIter{it: t.btx.NewIterator(opts), own: t.newOwnIter(opts.Prefix, opts.Reverse), reverse: opts.Reverse}
}

// Seek positions at the first key >= k (forward) or the last key <= k
// (reverse).
func (m *mergeIter) Seek(k []byte) {
	m.it.Seek(k)
	m.own.seek(k)
	m.settle()
}

func (m *mergeIter) settle() {
	for {
		bv, uv := m.it.Valid(), m.own.valid()
		if !bv && !uv {
			m.valid = false
			return
		}
		c := 1
		switch {
		case !uv:
			c = -1
		case bv:
			c = bytes.Compare(m.it.Item().Key(), m.own.key())
			if m.reverse {
				c = -c
			}
		}
		if c < 0 {
			m.cur, m.valid = 0, true
			return
		}
		if m.own.deleted() {
			if c == 0 {
				m.it.Next()
			}
			m.own.next()
			continue
		}
		m.cur, m.valid = 1, true
		if c == 0 {
			m.cur = 2
		}
		return
	}
}

func (m *mergeIter) Valid() bool { return m.valid }

func (m *mergeIter) Next() {
	if m.cur != 1 {
		m.it.Next()
	}
	if m.cur != 0 {
		m.own.next()
	}
	m.settle()
}

func (m *mergeIter) Key() []byte {
	if m.cur == 0 {
		return m.it.Item().Key()
	}
	return m.own.key()
}

// Value returns the current value; the caller may keep it.
func (m *mergeIter) Value() ([]byte, error) {
	if m.cur == 0 {
		return m.it.Item().ValueCopy(nil)
	}
	return m.own.value()
}

func (m *mergeIter) Close() {
	m.it.Close()
	m.own.close()
}
