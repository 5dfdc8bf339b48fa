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
// record /xd/<X>. The writes are streamed from the buffer and the spill
// area (spill.go), so a commit holds only the batches in flight. Badger's log is sequential, so after a crash either the
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

// keyBytes views a buffered key as bytes without copying: Badger copies
// keys it keeps and never modifies the ones it is given.
func keyBytes(k string) []byte { return unsafe.Slice(unsafe.StringData(k), len(k)) }

// batchesInFlight bounds how many batches are handed to Badger before the
// first is applied: the next batch is built while the previous one is
// written, and memory stays bounded.
const batchesInFlight = 4

// batchWriter streams entries into Badger batches at version ts. Badger
// applies batches in the order they are handed over. With large set (a
// commit), a write that takes more than one batch carries the crash
// bookkeeping: the marker in batch 0, each batch's key list, and the
// completion record in the last; whether there will be more than one is
// known only when the first fills up, so every key is listed until then.
// Keys and values must stay untouched until close returns.
type batchWriter struct {
	e        *Engine
	ts       uint64
	large    bool
	btx      *badger.Txn
	size, n  int
	list     []byte
	batches  int // handed over
	inflight []<-chan error
}

func (w *batchWriter) add(key, val []byte, del bool) error {
	sz := 2*len(key) + len(val) + entryOverhead
	if w.btx != nil && (w.size+sz > batchBudgetBytes || w.n >= batchBudgetEntries) {
		if err := w.flush(false); err != nil {
			return err
		}
	}
	if w.btx == nil {
		w.btx = w.e.db.NewTransactionAt(w.ts-1, true)
		w.size, w.n, w.list = 0, 0, nil
	}
	var err error
	switch {
	case del:
		err = w.btx.Delete(key)
	default:
		err = w.btx.Set(key, val)
	}
	if err != nil {
		return writeErr(err)
	}
	if w.large {
		w.list = binary.AppendUvarint(w.list, uint64(len(key)))
		w.list = append(w.list, key...)
	}
	w.size += sz
	w.n++
	return nil
}

// flush hands the current batch to Badger.
func (w *batchWriter) flush(last bool) error {
	if w.btx == nil {
		// Nothing buffered (a transaction that only locked rows).
		w.btx = w.e.db.NewTransactionAt(w.ts-1, true)
	}
	if w.large && (w.batches > 0 || !last) {
		var err error
		if w.batches == 0 {
			err = w.btx.Set(largeMarkerKey(w.ts), []byte{})
		}
		if err == nil {
			err = w.btx.Set(largeKeysKey(w.ts, uint32(w.batches)), w.list)
		}
		if err == nil && last {
			err = w.btx.Set(largeDoneKey(w.ts), []byte{1})
		}
		if err != nil {
			return writeErr(err)
		}
	}
	if len(w.inflight) == batchesInFlight {
		if err := w.wait(); err != nil {
			return err
		}
	}
	done := make(chan error, 1)
	_ = w.btx.CommitAt(w.ts, func(err error) {
		if err != nil {
			err = fmt.Errorf("storage: commit: %w", err)
		}
		done <- err
	})
	w.btx = nil
	w.inflight = append(w.inflight, done)
	w.batches++
	if w.large && w.e.afterBatch != nil && (w.batches > 1 || !last) {
		// Crash tests stop after a batch of a multi-batch commit is
		// applied.
		if err := w.wait(); err != nil {
			return err
		}
		w.e.afterBatch(w.batches - 1)
	}
	return nil
}

func (w *batchWriter) wait() error {
	err := <-w.inflight[0]
	w.inflight = w.inflight[1:]
	return err
}

// close writes the last batch and waits until every batch is applied.
func (w *batchWriter) close() error {
	err := w.flush(true)
	for len(w.inflight) > 0 {
		if werr := w.wait(); err == nil {
			err = werr
		}
	}
	return err
}

// abort drops the unsent batch and waits for the sent ones. Batches of a
// commit written so far stay behind its marker; the next Open rolls them
// back.
func (w *batchWriter) abort() {
	if w.btx != nil {
		w.btx.Discard()
		w.btx = nil
	}
	for len(w.inflight) > 0 {
		_ = w.wait()
	}
}

// eachWrite calls fn with the transaction's writes in key order: the
// buffer merged with the spilled writes. Keys and values handed to fn stay
// valid until the transaction ends.
func (t *Txn) eachWrite(fn func(key, val []byte, del bool) error) error {
	s := t.sorted()
	if t.spill == nil {
		for i, k := range s.keys {
			if err := fn(keyBytes(k), s.vals[i].val, s.vals[i].del); err != nil {
				return err
			}
		}
		return nil
	}
	o := t.newOwnIter(nil, false)
	defer o.close()
	for o.seek(nil); o.valid(); o.next() {
		// Spilled keys and values live in block buffers that are never
		// reused, so they stay valid as the buffer's do.
		v, err := o.value()
		if err != nil {
			return err
		}
		if err := fn(o.key(), v, o.deleted()); err != nil {
			return err
		}
	}
	// A run that could not be read ends the walk early: the commit must
	// fail rather than miss its writes.
	return o.err()
}

// commitTxn commits a transaction's writes atomically.
func (e *Engine) commitTxn(t *Txn) error {
	ts, err := e.reserveChecked(t.commitCheck(), t.conflictKeys(), keySet{m: t.refs}, t.rowMarks(), true)
	if err != nil {
		return err
	}
	e.dropCachedRows(t.conflictKeys())
	if t.observer != nil {
		// Before finish(ts): no snapshot can include ts yet.
		t.observer.Committed(ts)
	}
	w := &batchWriter{e: e, ts: ts, large: true}
	bulk := t.conflictKeys().size() > rowCacheWriteThroughKeys
	err = t.eachWrite(func(k, v []byte, del bool) error {
		if !del {
			e.cacheWritten(t, k, v, ts, bulk)
		}
		return w.add(k, v, del)
	})
	if err == nil {
		err = w.close()
	} else {
		w.abort()
	}
	if err != nil {
		// The entries just added may name versions Badger does not have.
		e.dropCachedRows(t.conflictKeys())
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
	if w.batches > 1 {
		cleanup := map[string][]byte{string(largeMarkerKey(ts)): nil, string(largeDoneKey(ts)): nil}
		for i := range w.batches {
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
