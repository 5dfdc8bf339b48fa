package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/dgraph-io/badger/v4"
)

// A transaction whose buffered writes outgrow Options.SpillBytes moves
// them out of memory into its spill area, /s/<area id>/<key>, in Badger.
// Nobody else reads that key space, so the spill writes need no place in
// the visible watermark: each spill takes a timestamp of its own that is
// marked applied at once, and nothing waits on the transaction until it
// commits. Spilled entries keep their kind in the entry's user meta (a
// spilled deletion must still hide the snapshot's row), and each spill
// opens a Badger snapshot of the area at its timestamp, so an iterator
// keeps reading the state it started with (the buffer copy it holds plus
// the spill snapshot of the same moment) however many spills follow.
//
// At commit the spilled entries and the buffer are merged in key order and
// written at the commit timestamp in the batches of a large commit, with
// its crash bookkeeping (largecommit.go); the area is then deleted in the
// background, as it is after a rollback, and Open drops whatever a crash
// left of any area. The fingerprints of spilled keys stay in memory as
// sorted runs (8 bytes a key) for the conflict check, and serve as a
// filter that spares point reads of keys never spilled a look into the
// area.
//
// Savepoints: a spill moves only the entries whose keys have no undo
// record (no write since the oldest open savepoint), so the area always
// holds each key's state as of that savepoint or later unchanged, and
// ROLLBACK TO, which restores buffer entries or drops them to uncover what
// lies below, stays exact. Keys written after the oldest open savepoint
// stay in memory.

var prefixSpill = []byte("/s/")

const (
	// spillDeleted is the user meta of a spilled deletion.
	spillDeleted byte = 1
	// bufEntryOverhead approximates what a buffered write costs in memory
	// besides its key and value bytes: its map slot, its place in the
	// write order, its fingerprint and its slot in the sorted copy.
	bufEntryOverhead = 128
	// spillDropChunk is how many spill keys one background deletion
	// commit removes.
	spillDropChunk = 8000
	// maxSpillRuns bounds the sorted fingerprint runs a lookup searches;
	// past it the smaller runs are merged.
	maxSpillRuns = 8
)

// spillArea is a transaction's spilled writes.
type spillArea struct {
	prefix []byte        // /s/<area id>/
	reads  []*badger.Txn // one snapshot per spill; the last sees them all
}

// spillBytes is the buffer size at which transactions spill (0: never).
func (e *Engine) spillBytes() int64 {
	switch {
	case e.opts.SpillBytes < 0:
		return 0
	case e.opts.SpillBytes > 0:
		return e.opts.SpillBytes
	case e.opts.InMemory:
		return 0
	}
	return DefaultSpillBytes
}

// privateTs hands out a timestamp for writes only their writer reads. It
// is marked applied at once: the watermark may pass it before the writes
// land, which no reader can notice.
func (e *Engine) privateTs() (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0, errors.New("storage: engine is closed")
	}
	ts := e.nextTs
	e.nextTs++
	e.markAppliedLocked(ts)
	return ts, nil
}

// iterator opens the latest snapshot of the area over the spilled writes
// under prefix.
func (a *spillArea) iterator(prefix []byte, reverse bool) *badger.Iterator {
	p := append(a.prefix[:len(a.prefix):len(a.prefix)], prefix...)
	return a.reads[len(a.reads)-1].NewIterator(badger.IteratorOptions{Prefix: p, Reverse: reverse})
}

// conflictKeys is the set of fingerprints the commit-time conflict check
// uses: recent writes (and locks) plus the spilled ones.
func (t *Txn) conflictKeys() keySet {
	return keySet{m: t.writes, runs: t.spilledFps}
}

// spilledGet reads key from the spill area; found reports whether the
// area holds an entry for it (del: a deletion).
func (t *Txn) spilledGet(key []byte) (val []byte, del, found bool, err error) {
	if !(keySet{runs: t.spilledFps}).has(t.fingerprint(key)) {
		return nil, false, false, nil
	}
	a := t.spill
	item, err := a.reads[len(a.reads)-1].Get(append(a.prefix[:len(a.prefix):len(a.prefix)], key...))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, false, nil
	}
	if err != nil {
		return nil, false, false, fmt.Errorf("storage: read spilled write: %w", err)
	}
	if item.UserMeta() == spillDeleted {
		return nil, true, true, nil
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, false, false, fmt.Errorf("storage: read spilled write: %w", err)
	}
	return v, false, true, nil
}

// spillWrites moves the buffered writes (those not changed since the
// oldest open savepoint) into the spill area.
func (t *Txn) spillWrites() error {
	s := t.sorted()
	var keep map[string]struct{}
	if t.savepoint > 0 && len(t.undo) > 0 {
		keep = make(map[string]struct{}, len(t.undo))
		for _, u := range t.undo {
			keep[u.key] = struct{}{}
		}
	}
	// A new area becomes the transaction's only once a spill into it
	// succeeded: every user of t.spill expects a snapshot in it.
	a := t.spill
	if a == nil {
		id := t.e.spillSeq.Add(1)
		a = &spillArea{prefix: binary.BigEndian.AppendUint64(append([]byte(nil), prefixSpill...), id)}
		a.prefix = append(a.prefix, '/')
	}
	ts, err := t.e.privateTs()
	if err != nil {
		return err
	}
	w := &batchWriter{e: t.e, ts: ts}
	var keys arena
	var scratch []byte
	moved := 0
	for i, k := range s.keys {
		if _, ok := keep[k]; ok {
			continue
		}
		// Badger keeps the key until the batch is applied.
		scratch = append(append(scratch[:0], a.prefix...), k...)
		sk := keys.bytes(scratch)
		meta := byte(0)
		if s.vals[i].del {
			meta = spillDeleted
		}
		if err := w.add(sk, s.vals[i].val, meta, false); err != nil {
			w.abort()
			t.dropFailedSpill(a)
			return err
		}
		moved++
	}
	if err := w.close(); err != nil {
		t.dropFailedSpill(a)
		return err
	}
	if moved > 0 {
		a.reads = append(a.reads, t.e.db.NewTransactionAt(ts, false))
		t.spill = a
	}
	// Every fingerprint moves into a sorted run; kept keys are found in
	// the buffer before the run is consulted.
	run := make([]uint64, 0, len(t.writes))
	for fp := range t.writes {
		run = append(run, fp)
	}
	slices.Sort(run)
	t.spilledFps = mergeRuns(append(t.spilledFps, run))
	t.writes = make(map[uint64]struct{}, len(keep))
	for k := range keep {
		t.writes[t.fingerprint(keyBytes(k))] = struct{}{}
	}

	buf := make(map[string]wentry, len(keep))
	order := make([]string, 0, len(keep))
	var size int64
	for k := range keep {
		if e, ok := t.buf[k]; ok {
			buf[k] = e
			order = append(order, k)
			size += int64(len(k) + len(e.val) + bufEntryOverhead)
		}
	}
	t.buf, t.order, t.sortedBuf, t.arena = buf, order, nil, arena{}
	t.bufBytes = size
	// Kept entries do not count against the next spill, or a savepoint
	// holding most of the buffer would make every write try again.
	t.spillAt = size + t.e.spillBytes()
	t.stats.SpilledWrites += int64(moved)
	return nil
}

// dropFailedSpill removes what a failed first spill wrote into area,
// which the transaction never adopted; the buffer still holds every
// write.
func (t *Txn) dropFailedSpill(a *spillArea) {
	if t.spill == nil {
		t.e.dropSpillAsync(a.prefix)
	}
}

// mergeRuns merges the two newest runs while there are more than
// maxSpillRuns or the newest is at least as large as the one before (so
// run sizes shrink towards the newest and there are O(log n) runs).
func mergeRuns(runs [][]uint64) [][]uint64 {
	for len(runs) > 1 {
		a, b := runs[len(runs)-2], runs[len(runs)-1]
		if len(runs) <= maxSpillRuns && len(b) < len(a) {
			break
		}
		m := make([]uint64, 0, len(a)+len(b))
		i, j := 0, 0
		for i < len(a) && j < len(b) {
			switch {
			case a[i] < b[j]:
				m = append(m, a[i])
				i++
			case a[i] > b[j]:
				m = append(m, b[j])
				j++
			default:
				m = append(m, a[i])
				i, j = i+1, j+1
			}
		}
		m = append(append(m, a[i:]...), b[j:]...)
		runs = append(runs[:len(runs)-2], m)
	}
	return runs
}

// spillHasPrefix reports whether the spill area holds a write under
// prefix.
func (t *Txn) spillHasPrefix(prefix []byte) bool {
	if t.spill == nil || len(t.spill.reads) == 0 {
		return false
	}
	it := t.spill.iterator(prefix, false)
	defer it.Close()
	it.Rewind()
	return it.Valid()
}

// endSpill drops the transaction's spill snapshots (its iterators are
// closed by now) and hands the area to background removal.
func (t *Txn) endSpill() {
	if t.spill == nil {
		return
	}
	for _, r := range t.spill.reads {
		r.Discard()
	}
	t.e.dropSpillAsync(t.spill.prefix)
	t.spill = nil
}

// dropSpillAsync deletes a finished transaction's spill area in the
// background. Close stops it; Open drops what is left.
func (e *Engine) dropSpillAsync(prefix []byte) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.bg.Add(1)
	e.mu.Unlock()
	go func() {
		defer e.bg.Done()
		if err := e.dropSpill(prefix); err != nil && !e.Closed() {
			e.log.Warn("storage: removing a transaction's spilled writes failed; the next start removes them", "err", err)
		}
	}()
}

// dropSpill deletes every key under prefix, a chunk per commit. It reads
// at the newest version: only the finished owner ever wrote there.
func (e *Engine) dropSpill(prefix []byte) error {
	from := prefix
	for {
		btx := e.db.NewTransactionAt(math.MaxUint64, false)
		it := btx.NewIterator(badger.IteratorOptions{Prefix: prefix})
		del := make(map[string][]byte, spillDropChunk)
		var last []byte
		for it.Seek(from); it.Valid() && len(del) < spillDropChunk; it.Next() {
			last = it.Item().KeyCopy(nil)
			del[string(last)] = nil
		}
		it.Close()
		btx.Discard()
		if len(del) == 0 {
			return nil
		}
		if err := e.writeInternal(del); err != nil {
			return err
		}
		from = append(last, 0)
	}
}

// dropLeftoverSpills removes the spill areas of transactions a crash or
// a stop ended (run by Open before anything else uses the store).
func (e *Engine) dropLeftoverSpills() error {
	btx := e.db.NewTransactionAt(math.MaxUint64, false)
	it := btx.NewIterator(badger.IteratorOptions{Prefix: prefixSpill})
	it.Rewind()
	found := it.Valid()
	it.Close()
	btx.Discard()
	if !found {
		return nil
	}
	if err := e.db.DropPrefix(prefixSpill); err != nil {
		return fmt.Errorf("storage: drop spilled writes of unfinished transactions: %w", err)
	}
	e.log.Info("storage: dropped the spilled writes of transactions that did not finish")
	return nil
}
