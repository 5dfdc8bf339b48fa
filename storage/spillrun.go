package storage

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"sort"
	"sync"
	"syscall"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// A spill writes the buffered entries it moves, in key order, to a run: a
// file of its own in the data directory's spill folder, read back in
// blocks of spillBlockEntries entries through an in-memory index of each
// block's first key. Runs are never changed once written, so an iterator
// keeps the runs that existed when it was opened and reads the state of
// that moment, and a later run overrides an earlier one on equal keys.
// Writing a run is one sequential write; in Badger the same spill cost a
// write-ahead log entry, a memtable insert, an SST flush, compactions and
// then as many deletions again, which made a spilled COPY half as fast as
// an unspilled one and left the store compacting long after.

// spillBlockEntries is how many entries a run block holds.
const spillBlockEntries = 64

// spillRun is one spill's entries, sorted by key.
type spillRun struct {
	f      *os.File
	blocks []spillBlock
	mu     sync.Mutex // guards the fields below (parallel scans share runs)
	// failed holds the first read error: an unreadable run fails the
	// transaction's commit rather than committing without its writes.
	failed error
	// lastBlock and lastEnts keep the block read last: a table rewrite or
	// a bulk load checks its keys in order, 64 to a block, and without it
	// paid a read per key.
	lastBlock int
	lastEnts  []spillEntry
}

type spillBlock struct {
	first  string // the block's first key
	off    int64
	length int64
}

type spillEntry struct {
	key, val []byte
	del      bool
}

// writeSpillRun writes s's entries except those in skip to a new run
// file in dir and returns it with the number of entries written.
func writeSpillRun(dir string, s *sortedWrites, skip map[string]struct{}) (*spillRun, int, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, 0, spillIOError("write spilled writes", err)
	}
	f, err := os.CreateTemp(dir, "run-*")
	if err != nil {
		return nil, 0, spillIOError("write spilled writes", err)
	}
	r := &spillRun{f: f, lastBlock: -1}
	w := bufio.NewWriterSize(f, 1<<20)
	var off int64
	var scratch []byte
	n := 0
	for i, k := range s.keys {
		if _, ok := skip[k]; ok {
			continue
		}
		if n%spillBlockEntries == 0 {
			if len(r.blocks) > 0 {
				r.blocks[len(r.blocks)-1].length = off - r.blocks[len(r.blocks)-1].off
			}
			r.blocks = append(r.blocks, spillBlock{first: k, off: off})
		}
		v := s.vals[i]
		scratch = binary.AppendUvarint(scratch[:0], uint64(len(k)))
		scratch = append(scratch, k...)
		flag := byte(0)
		if v.del {
			flag = 1
		}
		scratch = append(scratch, flag)
		scratch = binary.AppendUvarint(scratch, uint64(len(v.val)))
		if _, err := w.Write(scratch); err != nil {
			r.remove()
			return nil, 0, spillIOError("write spilled writes", err)
		}
		if _, err := w.Write(v.val); err != nil {
			r.remove()
			return nil, 0, spillIOError("write spilled writes", err)
		}
		off += int64(len(scratch) + len(v.val))
		n++
	}
	if len(r.blocks) > 0 {
		r.blocks[len(r.blocks)-1].length = off - r.blocks[len(r.blocks)-1].off
	}
	if err := w.Flush(); err != nil {
		r.remove()
		return nil, 0, spillIOError("write spilled writes", err)
	}
	return r, n, nil
}

// remove closes and deletes the run's file.
func (r *spillRun) remove() {
	name := r.f.Name()
	_ = r.f.Close()
	_ = os.Remove(name)
}

func (r *spillRun) fail(err error) {
	r.mu.Lock()
	if r.failed == nil {
		r.failed = spillIOError("read spilled writes", err)
	}
	r.mu.Unlock()
}

func (r *spillRun) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// load decodes block b (nil after a read error, which is recorded). The
// entries are shared: callers must not modify them.
func (r *spillRun) load(b int) []spillEntry {
	r.mu.Lock()
	if r.lastBlock == b {
		ents := r.lastEnts
		r.mu.Unlock()
		return ents
	}
	r.mu.Unlock()
	ents := r.read(b)
	if ents != nil {
		r.mu.Lock()
		r.lastBlock, r.lastEnts = b, ents
		r.mu.Unlock()
	}
	return ents
}

func (r *spillRun) read(b int) []spillEntry {
	blk := r.blocks[b]
	buf := make([]byte, blk.length)
	if _, err := r.f.ReadAt(buf, blk.off); err != nil && !(errors.Is(err, io.EOF) && blk.length == 0) {
		r.fail(err)
		return nil
	}
	out := make([]spillEntry, 0, spillBlockEntries)
	for len(buf) > 0 {
		kl, n := binary.Uvarint(buf)
		if n <= 0 || uint64(len(buf)-n) < kl+1 {
			r.fail(errors.New("corrupt run block"))
			return nil
		}
		buf = buf[n:]
		e := spillEntry{key: buf[:kl:kl], del: buf[kl] == 1}
		buf = buf[kl+1:]
		vl, n := binary.Uvarint(buf)
		if n <= 0 || uint64(len(buf)-n) < vl {
			r.fail(errors.New("corrupt run block"))
			return nil
		}
		e.val = buf[n : n+int(vl) : n+int(vl)]
		buf = buf[n+int(vl):]
		out = append(out, e)
	}
	return out
}

// blockFor returns the last block whose first key is <= key (-1: none).
func (r *spillRun) blockFor(key []byte) int {
	return sort.Search(len(r.blocks), func(i int) bool { return r.blocks[i].first > string(key) }) - 1
}

// get returns key's entry in the run.
func (r *spillRun) get(key []byte) (spillEntry, bool) {
	b := r.blockFor(key)
	if b < 0 {
		return spillEntry{}, false
	}
	ents := r.load(b)
	i := sort.Search(len(ents), func(i int) bool { return bytes.Compare(ents[i].key, key) >= 0 })
	if i < len(ents) && bytes.Equal(ents[i].key, key) {
		return ents[i], true
	}
	return spillEntry{}, false
}

// runCursor walks one run within a key prefix, forward or in reverse.
type runCursor struct {
	r       *spillRun
	prefix  []byte
	reverse bool
	b       int // loaded block
	ents    []spillEntry
	i       int
}

func (c *runCursor) valid() bool {
	return c.i >= 0 && c.i < len(c.ents) && bytes.HasPrefix(c.ents[c.i].key, c.prefix)
}

func (c *runCursor) cur() spillEntry { return c.ents[c.i] }

// seek positions at the first entry >= k (forward) or the last <= k
// (reverse).
func (c *runCursor) seek(k []byte) {
	c.ents, c.i = nil, 0
	b := c.r.blockFor(k)
	if b < 0 {
		if c.reverse {
			return
		}
		b = 0
	}
	if b >= len(c.r.blocks) {
		return
	}
	c.b, c.ents = b, c.r.load(b)
	if !c.reverse {
		c.i = sort.Search(len(c.ents), func(i int) bool { return bytes.Compare(c.ents[i].key, k) >= 0 })
		if c.i == len(c.ents) {
			c.step()
		}
		return
	}
	c.i = sort.Search(len(c.ents), func(i int) bool { return bytes.Compare(c.ents[i].key, k) > 0 }) - 1
}

// step moves one entry on, loading the next block in the walk's direction
// when this one is done.
func (c *runCursor) step() {
	if c.reverse {
		c.i--
		if c.i < 0 && c.b > 0 && c.ents != nil {
			c.b--
			c.ents = c.r.load(c.b)
			c.i = len(c.ents) - 1
		}
		return
	}
	c.i++
	if c.i >= len(c.ents) && c.b+1 < len(c.r.blocks) && c.ents != nil {
		c.b++
		c.ents, c.i = c.r.load(c.b), 0
	}
}

// spillIter merges a spill area's runs as they were when it was opened,
// later runs winning on equal keys. It walks only keys under prefix.
type spillIter struct {
	cursors []*runCursor // oldest run first
	reverse bool
	cur     int // cursor at the current key (-1: exhausted)
}

func newSpillIter(runs []*spillRun, prefix []byte, reverse bool) *spillIter {
	it := &spillIter{reverse: reverse, cur: -1}
	for _, r := range runs {
		it.cursors = append(it.cursors, &runCursor{r: r, prefix: prefix, reverse: reverse})
	}
	return it
}

func (it *spillIter) seek(k []byte) {
	for _, c := range it.cursors {
		c.seek(k)
	}
	it.settle()
}

// settle picks the smallest key (largest in reverse), the newest run's
// entry among equal ones.
func (it *spillIter) settle() {
	it.cur = -1
	for i, c := range it.cursors {
		if !c.valid() {
			continue
		}
		if it.cur < 0 {
			it.cur = i
			continue
		}
		d := bytes.Compare(c.cur().key, it.cursors[it.cur].cur().key)
		if it.reverse {
			d = -d
		}
		if d <= 0 {
			it.cur = i
		}
	}
}

func (it *spillIter) valid() bool { return it.cur >= 0 }

func (it *spillIter) entry() spillEntry { return it.cursors[it.cur].cur() }

// next moves every run past the current key.
func (it *spillIter) next() {
	k := it.entry().key
	for _, c := range it.cursors {
		if c.valid() && bytes.Equal(c.cur().key, k) {
			c.step()
		}
	}
	it.settle()
}

// err is the first read error of any of the iterator's runs.
func (it *spillIter) err() error {
	for _, c := range it.cursors {
		if err := c.r.err(); err != nil {
			return err
		}
	}
	return nil
}

// spillIOError reports a spill file's failure as PostgreSQL reports one of
// its temporary files': 53100 when the disk is full, else 58030.
func spillIOError(what string, err error) error {
	code := pgerror.CodeIOError
	if errors.Is(err, syscall.ENOSPC) {
		code = pgerror.CodeDiskFull
	}
	return pgerror.Wrap(err, code, "storage: "+what)
}
