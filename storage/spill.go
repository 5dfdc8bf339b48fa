package storage

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/dgraph-io/badger/v4"
)

// A transaction whose buffered writes outgrow Options.SpillBytes moves
// them out of memory into its spill area: runs of sorted entries in files
// of the data directory's spill folder (spillrun.go). Nobody else reads
// them and a crash discards them, so they need no timestamps, logging or
// fsync. A run keeps each entry's kind (a spilled deletion must still
// hide the snapshot's row), and an iterator keeps the runs that existed
// when it opened, so it reads the state it started with (the buffer copy
// it holds plus the runs of the same moment) however many spills follow.
//
// At commit the runs and the buffer are merged in key order and written
// at the commit timestamp in the batches of a large commit, with its
// crash bookkeeping (largecommit.go); the run files are then deleted, as
// they are after a rollback, and Open deletes whatever a crash left. The
// fingerprints of spilled keys stay in memory as sorted runs (8 bytes a
// key) for the conflict check, and serve as a filter that spares point
// reads of keys never spilled a look into the runs.
//
// Savepoints: a spill moves only the entries whose keys have no undo
// record (no write since the oldest open savepoint), so the runs always
// hold each key's state as of that savepoint or later unchanged, and
// ROLLBACK TO, which restores buffer entries or drops them to uncover what
// lies below, stays exact. Keys written after the oldest open savepoint
// stay in memory.

// prefixSpill is where stores written before spills went to files kept
// their spill areas; Open removes what a crash left there.
var prefixSpill = []byte("/s/")

const (
	// bufEntryOverhead approximates what a buffered write costs in memory
	// besides its key and value bytes: its map slot, its place in the
	// write order, its fingerprint and its slot in the sorted copy.
	bufEntryOverhead = 128
	// maxSpillRuns bounds the sorted fingerprint runs a lookup searches;
	// past it the smaller runs are merged.
	maxSpillRuns = 8
)

// spillArea is a transaction's spilled writes, oldest run first.
type spillArea struct {
	runs []*spillRun
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

// iterator merges the runs written so far, within prefix.
func (a *spillArea) iterator(prefix []byte, reverse bool) *spillIter {
	return newSpillIter(slices.Clone(a.runs), prefix, reverse)
}

func (e *Engine) spillDir() string { return filepath.Join(e.opts.Dir, "spill") }

// ScratchDir returns a directory for files that live only as long as this
// process (a transaction's spilled writes, an HNSW graph's exact
// vectors), creating it if needed: Open clears it, so a crash leaves
// nothing there for long. It is "" for a store in memory, which keeps
// nothing on disk.
func (e *Engine) ScratchDir() (string, error) {
	if e.opts.InMemory {
		return "", nil
	}
	dir := e.spillDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("storage: scratch directory: %w", err)
	}
	return dir, nil
}

// conflictKeys is the set of fingerprints the commit-time conflict check
// uses: recent writes (and locks) plus the spilled ones.
func (t *Txn) conflictKeys() keySet {
	return keySet{m: t.writes, runs: t.spilledFps}
}

// spilledGet reads key (fingerprint fp) from the spill area; found
// reports whether the area holds an entry for it (del: a deletion).
func (t *Txn) spilledGet(fp uint64, key []byte) (val []byte, del, found bool, err error) {
	if !(keySet{runs: t.spilledFps}).has(fp) {
		return nil, false, false, nil
	}
	a := t.spill
	for i := len(a.runs) - 1; i >= 0; i-- {
		e, ok := a.runs[i].get(key)
		if err := a.runs[i].err(); err != nil {
			return nil, false, false, err
		}
		if ok {
			return e.val, e.del, true, nil
		}
	}
	return nil, false, false, nil
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
	written, moved, err := writeSpillRun(t.e.spillDir(), s, keep)
	if err != nil {
		return err
	}
	if moved > 0 {
		if t.spill == nil {
			t.spill = &spillArea{}
		}
		t.spill.runs = append(t.spill.runs, written)
	} else {
		written.remove()
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
	if t.spill == nil {
		return false
	}
	it := t.spill.iterator(prefix, false)
	it.seek(prefix)
	return it.valid()
}

// endSpill deletes the transaction's runs (its iterators are closed by
// now).
func (t *Txn) endSpill() {
	if t.spill == nil {
		return
	}
	for _, r := range t.spill.runs {
		r.remove()
	}
	t.spill = nil
}

// dropLeftoverSpills removes the spill runs of transactions a crash or a
// stop ended, and the spill areas older stores kept in Badger (run by Open
// before anything else uses the store).
func (e *Engine) dropLeftoverSpills() error {
	if !e.opts.InMemory {
		if err := os.RemoveAll(e.spillDir()); err != nil {
			return fmt.Errorf("storage: remove spilled writes of unfinished transactions: %w", err)
		}
	}
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
