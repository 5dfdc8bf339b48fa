package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"github.com/dgraph-io/badger/v4"
)

// Commits larger than one Badger batch are written as several batches at
// the same commit timestamp X. Readers cannot see any of them before the
// visible watermark reaches X, which happens only after the last batch.
// For crash atomicity, batch 0 carries a marker /x/<X>, every batch the
// list of keys it writes (/x/<X><i>), and the last batch a completion
// record /xd/<X>. Badger's log is sequential, so after a crash either the
// completion record survived (and with it every batch), or Open restores
// the pre-images (versions below X) of every listed key at a new
// timestamp.

const (
	// Badger takes batches of up to 15% of the memtable and that size over
	// its skiplist node size (~100 B) in entries; stay under both.
	batchBudgetBytes   = memTableSize / 8
	batchBudgetEntries = memTableSize / 1024
	entryOverhead      = 64
)

var (
	prefixLarge     = []byte("/x/")
	prefixLargeDone = []byte("/xd/")
)

func largeMarkerKey(ts uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), prefixLarge...), ts)
}

func largeKeysKey(ts uint64, batch uint32) []byte {
	return binary.BigEndian.AppendUint32(largeMarkerKey(ts), batch)
}

func largeDoneKey(ts uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), prefixLargeDone...), ts)
}

// splitBatches cuts the sorted write set into ranges that each fit one
// Badger batch together with their key list.
func splitBatches(s *sortedWrites) [][2]int {
	var out [][2]int
	start, size := 0, 0
	for i, k := range s.keys {
		sz := 2*len(k) + len(s.vals[i].val) + entryOverhead
		if i > start && (size+sz > batchBudgetBytes || i-start >= batchBudgetEntries) {
			out = append(out, [2]int{start, i})
			start, size = i, 0
		}
		size += sz
	}
	return append(out, [2]int{start, len(s.keys)})
}

// keyBytes views a buffered key as bytes without copying: Badger copies
// keys it keeps and never modifies the ones it is given.
func keyBytes(k string) []byte { return unsafe.Slice(unsafe.StringData(k), len(k)) }

// batchesInFlight bounds how many batches of a large commit are handed to
// Badger before the first is applied: the next batch is built while the
// previous one is written, and memory stays bounded.
const batchesInFlight = 4

// startBatch hands entries [lo, hi) of s plus extra to Badger at version ts;
// the returned channel yields the outcome once the batch is applied.
// Badger applies batches in the order they are handed over.
func (e *Engine) startBatch(ts uint64, s *sortedWrites, lo, hi int, extra map[string][]byte) (<-chan error, error) {
	btx := e.db.NewTransactionAt(ts-1, true)
	for i := lo; i < hi; i++ {
		var err error
		if s.vals[i].del {
			err = btx.Delete(keyBytes(s.keys[i]))
		} else {
			err = btx.Set(keyBytes(s.keys[i]), s.vals[i].val)
		}
		if err != nil {
			btx.Discard()
			return nil, writeErr(err)
		}
	}
	for k, v := range extra {
		if err := btx.Set([]byte(k), v); err != nil {
			btx.Discard()
			return nil, writeErr(err)
		}
	}
	done := make(chan error, 1)
	_ = btx.CommitAt(ts, func(err error) {
		if err != nil {
			err = fmt.Errorf("storage: commit: %w", err)
		}
		done <- err
	})
	return done, nil
}

// writeBatch writes entries [lo, hi) of s plus extra at version ts.
func (e *Engine) writeBatch(ts uint64, s *sortedWrites, lo, hi int, extra map[string][]byte) error {
	done, err := e.startBatch(ts, s, lo, hi, extra)
	if err != nil {
		return err
	}
	return <-done
}

// commitTxn commits a transaction's buffered writes atomically.
func (e *Engine) commitTxn(t *Txn) error {
	ts, err := e.reserve(t.readTs, t.writes, t.deps, true)
	if err != nil {
		return err
	}
	if t.observer != nil {
		// Before finish(ts): no snapshot can include ts yet.
		t.observer.Committed(ts)
	}
	s := t.sorted()
	batches := splitBatches(s)
	if len(batches) == 1 {
		err = e.writeBatch(ts, s, 0, len(s.keys), nil)
	} else {
		var inflight []<-chan error
		wait := func() error {
			werr := <-inflight[0]
			inflight = inflight[1:]
			return werr
		}
		for i, b := range batches {
			extra := map[string][]byte{}
			if i == 0 {
				extra[string(largeMarkerKey(ts))] = binary.BigEndian.AppendUint32(nil, uint32(len(batches)))
			}
			var list []byte
			for _, k := range s.keys[b[0]:b[1]] {
				list = binary.AppendUvarint(list, uint64(len(k)))
				list = append(list, k...)
			}
			extra[string(largeKeysKey(ts, uint32(i)))] = list
			if i == len(batches)-1 {
				extra[string(largeDoneKey(ts))] = []byte{1}
			}
			if len(inflight) == batchesInFlight {
				if err = wait(); err != nil {
					break
				}
			}
			var done <-chan error
			if done, err = e.startBatch(ts, s, b[0], b[1], extra); err != nil {
				// The batches written so far stay behind the marker; the
				// next Open rolls them back.
				break
			}
			inflight = append(inflight, done)
			if e.afterBatch != nil {
				// Crash tests stop after batch i is applied.
				if err = wait(); err != nil {
					break
				}
				e.afterBatch(i)
			}
		}
		for len(inflight) > 0 {
			if werr := wait(); err == nil {
				err = werr
			}
		}
	}
	e.finish(ts)
	if err != nil {
		return err
	}
	if !e.opts.NoSync {
		if err := e.syncTo(ts); err != nil {
			return err
		}
	}
	if len(batches) > 1 {
		cleanup := map[string][]byte{string(largeMarkerKey(ts)): nil, string(largeDoneKey(ts)): nil}
		for i := range batches {
			cleanup[string(largeKeysKey(ts, uint32(i)))] = nil
		}
		if err := e.writeInternal(cleanup); err != nil {
			e.log.Warn("storage: large commit cleanup failed", "ts", ts, "err", err)
		}
	}
	return nil
}

// recoverLarge finishes or rolls back large commits a crash interrupted.
func (e *Engine) recoverLarge() error {
	type pending struct {
		ts    uint64
		lists [][]byte
		done  bool
		keys  [][]byte // marker bookkeeping keys to delete
	}
	btx := e.db.NewTransactionAt(e.visible, false)
	defer btx.Discard()
	byTs := map[uint64]*pending{}
	get := func(ts uint64) *pending {
		if byTs[ts] == nil {
			byTs[ts] = &pending{ts: ts}
		}
		return byTs[ts]
	}
	it := btx.NewIterator(badger.IteratorOptions{Prefix: prefixLarge})
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().KeyCopy(nil)
		if len(k) < len(prefixLarge)+8 {
			continue
		}
		p := get(binary.BigEndian.Uint64(k[len(prefixLarge):]))
		p.keys = append(p.keys, k)
		if len(k) == len(prefixLarge)+12 {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				it.Close()
				return fmt.Errorf("storage: recover large commit: %w", err)
			}
			p.lists = append(p.lists, v)
		}
	}
	it.Close()
	for ts, p := range byTs {
		k := largeDoneKey(ts)
		if _, err := btx.Get(k); err == nil {
			p.done = true
			p.keys = append(p.keys, k)
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("storage: recover large commit: %w", err)
		}
	}
	for _, p := range byTs {
		if !p.done {
			if err := e.undoLarge(p.ts, p.lists); err != nil {
				return err
			}
			e.log.Warn("storage: rolled back a large commit interrupted by a crash", "ts", p.ts)
		}
		cleanup := map[string][]byte{}
		for _, k := range p.keys {
			cleanup[string(k)] = nil
		}
		if err := e.writeInternal(cleanup); err != nil {
			return err
		}
	}
	return nil
}

// undoLarge restores, at a new timestamp, the versions below ts of every
// key an interrupted large commit listed.
func (e *Engine) undoLarge(ts uint64, lists [][]byte) error {
	e.mu.Lock()
	e.active[ts-1]++ // keep the pre-images from being compacted away
	e.mu.Unlock()
	defer e.release(ts - 1)
	old := e.db.NewTransactionAt(ts-1, false)
	defer old.Discard()
	restore := map[string][]byte{}
	flush := func() error {
		if len(restore) == 0 {
			return nil
		}
		err := e.writeInternal(restore)
		restore = map[string][]byte{}
		return err
	}
	for _, list := range lists {
		for len(list) > 0 {
			l, n := binary.Uvarint(list)
			if n <= 0 || uint64(len(list)-n) < l {
				return errors.New("storage: corrupt large-commit key list")
			}
			key := list[n : n+int(l)]
			list = list[n+int(l):]
			item, err := old.Get(key)
			switch {
			case errors.Is(err, badger.ErrKeyNotFound):
				restore[string(key)] = nil
			case err != nil:
				return fmt.Errorf("storage: undo large commit: %w", err)
			default:
				v, err := item.ValueCopy(nil)
				if err != nil {
					return fmt.Errorf("storage: undo large commit: %w", err)
				}
				if v == nil {
					v = []byte{}
				}
				restore[string(key)] = v
			}
			if len(restore) >= 1000 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}
