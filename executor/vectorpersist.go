package executor

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"github.com/quiverdb/quiver/index/hnsw"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// A checkpoint stores a graph in the index's raw key space so a restart
// loads it instead of rebuilding it: a meta record (checkpoint timestamp
// C, node count, entry point, generation, format) and one record per node
// (layers, links, and either the row key of a version live at C or, for
// a version that was not, its vector). Loading then reconciles it with
// the table in one pass: rows whose current version was committed at or
// before C give their nodes' vectors, rows whose current version was
// committed after C replace their nodes, and nodes whose rows are gone
// are deleted. So a stale checkpoint (say, from before a crash) still
// yields an index that agrees with the table; it only costs more
// catch-up.
//
// The vectors of live versions stay in the table: storing them again
// made a checkpoint of 100,000 x 128 about 66 MB instead of 15, and the
// load scans the table anyway. The price is paid after a crash only: a
// node whose row changed between the last checkpoint and the crash has
// no vector left to read (the store keeps one version), so the load
// detaches it from the graph (hnsw.Graph.Detach); its neighbours keep
// their other links, and it is tombstoned like any superseded version.
//
// Checkpoints are written while the server runs (every few seconds or
// changes, by the maintenance goroutine) and at Close, in batches of
// node records under a new generation; the meta record switches to the
// new generation only once all of them are stored, and the previous
// generation is deleted afterwards. A crash at any point leaves the
// previous complete checkpoint (or none) in place.

var errNoCheckpoint = errors.New("no vector index checkpoint")

const (
	checkpointBatch = 2048 // node records per write
	// A loaded index is checkpointed once it changed this much, or changed
	// at all and checkpointEvery passed.
	checkpointChanges = 50_000
	checkpointEvery   = time.Minute
)

func checkpointMetaKey(t, i catalog.ID) []byte { return append(storage.VectorIndexPrefix(t, i), 'm') }

func checkpointGenPrefix(t, i catalog.ID, gen uint64) []byte {
	return binary.BigEndian.AppendUint64(append(storage.VectorIndexPrefix(t, i), 'g'), gen)
}

func checkpointNodeKey(t, i catalog.ID, gen uint64, n hnsw.Node) []byte {
	return binary.BigEndian.AppendUint32(checkpointGenPrefix(t, i, gen), uint32(n))
}

// checkpointFormat is stored in the meta record; a checkpoint of another
// format is ignored (the index is rebuilt from the table once). Format 3
// adds keyTypes to format 2's meta, whose checkpoints still load.
const (
	checkpointFormat   = 3
	checkpointFormatV2 = 2
)

// checkpointMeta is the decoded meta record.
type checkpointMeta struct {
	c, gen         uint64
	n, entry       hnsw.Node
	maxLevel, dims int
	// keyTypes fingerprints the primary key's types (keyTypesOf) the
	// records' key encodings were made with; hasKeyTypes is false for a
	// format 2 meta, which predates it.
	keyTypes    uint32
	hasKeyTypes bool
}

func decodeCheckpointMeta(b []byte) (checkpointMeta, bool) {
	var m checkpointMeta
	switch {
	case len(b) == 33 && b[32] == checkpointFormatV2:
	case len(b) == 37 && b[36] == checkpointFormat:
		m.keyTypes, m.hasKeyTypes = binary.BigEndian.Uint32(b[32:]), true
	default:
		return m, false
	}
	m.c = binary.BigEndian.Uint64(b)
	m.n = hnsw.Node(binary.BigEndian.Uint32(b[8:]))
	m.entry = hnsw.Node(binary.BigEndian.Uint32(b[12:]))
	m.maxLevel = int(binary.BigEndian.Uint32(b[16:]))
	m.dims = int(binary.BigEndian.Uint32(b[20:]))
	m.gen = binary.BigEndian.Uint64(b[24:])
	return m, true
}

func (m checkpointMeta) encode() []byte {
	b := binary.BigEndian.AppendUint64(nil, m.c)
	for _, v := range []int{int(m.n), int(m.entry), m.maxLevel, m.dims} {
		b = binary.BigEndian.AppendUint32(b, uint32(v))
	}
	b = binary.BigEndian.AppendUint64(b, m.gen)
	return append(binary.BigEndian.AppendUint32(b, m.keyTypes), checkpointFormat)
}

// keyTypesOf fingerprints tb's primary-key column types: a checkpoint's
// records hold key encodings, which a change of a key column's type
// (ALTER COLUMN TYPE) makes unreadable, so such a checkpoint is not
// loaded.
func keyTypesOf(tb *catalog.Table) uint32 {
	h := fnv.New32a()
	for _, c := range tb.PrimaryKey {
		t := tb.Columns[c].Type
		_ = binary.Write(h, binary.BigEndian, [2]uint32{t.OID(), uint32(t.Typmod())})
	}
	return h.Sum32()
}

// checkpoint writes vi's graph as of a snapshot taken now, in batches,
// while writers go on. Nodes added later are left to the next checkpoint
// (or to reconciliation after a crash).
func (e *Engine) checkpoint(ctx context.Context, vi *vectorIndex, tb *catalog.Table, idx *catalog.Index) error {
	snap := e.store.Begin()
	defer snap.Rollback()
	prev := uint64(0)
	if b, err := snap.RawGet(checkpointMetaKey(tb.ID, idx.ID)); err != nil {
		return err
	} else if m, ok := decodeCheckpointMeta(b); ok {
		prev = m.gen
	}
	meta := checkpointMeta{c: snap.ReadTs(), gen: prev + 1, dims: vi.dims, keyTypes: keyTypesOf(tb)}
	changes := vi.changes.Load()
	// With no write half applied, every node below n is complete, and
	// every version committed at or before c has its node below n.
	e.lockWrites()
	meta.n = hnsw.Node(vi.graph.Len())
	entry, maxLevel, ok := vi.graph.Entry()
	e.vindex.writeMu.Unlock()
	if !ok {
		meta.n = 0
	}
	meta.entry, meta.maxLevel = entry, maxLevel
	batch := map[string][]byte{}
	for node := hnsw.Node(0); node < meta.n; node++ {
		rec, err := vi.nodeRecord(node, meta.c)
		if err != nil {
			return fmt.Errorf("checkpoint of index %s: %w", idx.Name, err)
		}
		batch[string(checkpointNodeKey(tb.ID, idx.ID, meta.gen, node))] = rec
		if len(batch) >= checkpointBatch || node == meta.n-1 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := e.store.WriteRaw(batch); err != nil {
				return fmt.Errorf("checkpoint of index %s: %w", idx.Name, err)
			}
			batch = map[string][]byte{}
		}
	}
	if err := e.store.WriteRaw(map[string][]byte{string(checkpointMetaKey(tb.ID, idx.ID)): meta.encode()}); err != nil {
		return fmt.Errorf("checkpoint of index %s: %w", idx.Name, err)
	}
	vi.checkpointed.Store(changes)
	vi.checkpointAt.Store(time.Now().UnixNano())
	return e.dropCheckpointGens(ctx, tb, idx, meta.gen)
}

// dropCheckpointGens deletes node records of every generation but keep
// (superseded checkpoints and ones a crash interrupted).
func (e *Engine) dropCheckpointGens(ctx context.Context, tb *catalog.Table, idx *catalog.Index, keep uint64) error {
	prefix := append(storage.VectorIndexPrefix(tb.ID, idx.ID), 'g')
	return e.deleteRawPrefix(ctx, prefix, string(checkpointGenPrefix(tb.ID, idx.ID, keep)))
}

// dropCheckpoint deletes the whole checkpoint of a dropped index (its
// ID is never reused, so nothing writes there again).
func (e *Engine) dropCheckpoint(ctx context.Context, table, index catalog.ID) error {
	return e.deleteRawPrefix(ctx, storage.VectorIndexPrefix(table, index), "")
}

// deleteRawPrefix deletes the raw keys under prefix, except those under
// keepPrefix (when not empty), in batches.
func (e *Engine) deleteRawPrefix(ctx context.Context, prefix []byte, keepPrefix string) error {
	snap := e.store.Begin()
	defer snap.Rollback()
	batch := map[string][]byte{}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := e.store.WriteRaw(batch)
		batch = map[string][]byte{}
		return err
	}
	err := snap.RawScan(ctx, prefix, func(k, _ []byte) error {
		if keepPrefix != "" && len(k) >= len(keepPrefix) && string(k[:len(keepPrefix)]) == keepPrefix {
			return nil
		}
		batch[string(k)] = nil
		if len(batch) >= checkpointBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// Node record kinds: what follows a node's links.
const (
	recordVector  = 0 // a version not live at C: its vector
	recordKeyCols = 1 // a live version: each key column's binary form (written before the key encoding was kept)
	recordKey     = 2 // a live version: its primary-key encoding
)

// nodeRecord encodes one node: its layers' links, then its row key when
// its version was live at c, or else its vector.
func (vi *vectorIndex) nodeRecord(node hnsw.Node, c uint64) ([]byte, error) {
	info := vi.info(vi.graph.Key(node))
	live := info != nil
	if live {
		ins, del := info.insertTs.Load(), info.deleteTs.Load()
		live = ins != 0 && ins <= c && (del == 0 || del > c)
	}
	var rec []byte
	level := vi.graph.Level(node)
	rec = binary.AppendUvarint(rec, uint64(level+1))
	for l := 0; l <= level; l++ {
		ls := vi.graph.Links(node, l)
		rec = binary.AppendUvarint(rec, uint64(len(ls)))
		for _, x := range ls {
			rec = binary.LittleEndian.AppendUint32(rec, uint32(x))
		}
	}
	if !live {
		v, err := vi.graph.Exact(node, nil)
		if err != nil {
			return nil, err
		}
		rec = append(rec, recordVector)
		for _, f := range v {
			rec = binary.LittleEndian.AppendUint32(rec, math.Float32bits(f))
		}
		return rec, nil
	}
	rec = append(rec, recordKey)
	return append(binary.AppendUvarint(rec, uint64(len(info.pk))), info.pk...), nil
}

// loadCheckpoint restores vi's graph from its checkpoint and reconciles it
// with the table as txn sees it (errNoCheckpoint when there is none).
func (vi *vectorIndex) loadCheckpoint(ctx context.Context, txn *storage.Txn, tb *catalog.Table, idx *catalog.Index) error {
	b, err := txn.RawGet(checkpointMetaKey(tb.ID, idx.ID))
	if err != nil {
		return err
	}
	meta, ok := decodeCheckpointMeta(b)
	if !ok || meta.dims != vi.dims || meta.hasKeyTypes && meta.keyTypes != keyTypesOf(tb) {
		return errNoCheckpoint
	}
	corrupt := func(node hnsw.Node) error {
		return fmt.Errorf("vector index %s: corrupt checkpoint record %d", idx.Name, node)
	}
	versions := newVersionKeys()
	vec := make([]float32, vi.dims)
	needVec := make([]bool, meta.n)
	next := hnsw.Node(0)
	err = txn.RawScan(ctx, checkpointGenPrefix(tb.ID, idx.ID, meta.gen), func(k, rec []byte) error {
		if next >= meta.n {
			return nil
		}
		node := next
		if len(k) < 4 || hnsw.Node(binary.BigEndian.Uint32(k[len(k)-4:])) != node {
			return corrupt(node)
		}
		next++
		layers, n := binary.Uvarint(rec)
		if n <= 0 || layers == 0 || layers > 64 {
			return corrupt(node)
		}
		rec = rec[n:]
		links := make([][]hnsw.Node, layers)
		for l := range links {
			cnt, n := binary.Uvarint(rec)
			if n <= 0 || uint64(len(rec)-n) < cnt*4 {
				return corrupt(node)
			}
			rec = rec[n:]
			links[l] = make([]hnsw.Node, cnt)
			for j := range links[l] {
				links[l][j] = hnsw.Node(binary.LittleEndian.Uint32(rec))
				rec = rec[4:]
			}
		}
		if len(rec) < 1 {
			return corrupt(node)
		}
		info := &nodeInfo{}
		switch rec[0] {
		case recordVector:
			rec = rec[1:]
			if len(rec) != 4*vi.dims {
				return corrupt(node)
			}
			for d := range vec {
				vec[d] = math.Float32frombits(binary.LittleEndian.Uint32(rec))
				rec = rec[4:]
			}
			info.kill()
		case recordKey, recordKeyCols:
			// The vector comes from the row (reconcile); until then the
			// node holds a placeholder no search sees.
			clear(vec)
			needVec[node] = true
			pk, ok := checkpointKey(tb, rec)
			if !ok {
				return corrupt(node)
			}
			info.pk = pk
			info.insertTs.Store(1)
			versions.add(pk, uint64(node))
		default:
			return corrupt(node)
		}
		restored := vec
		if needVec[node] {
			restored = nil // the graph's zeroed memory is the placeholder
		}
		if _, err := vi.graph.Restore(uint64(node), restored, links, meta.n); err != nil {
			return fmt.Errorf("vector index %s: %w", idx.Name, err)
		}
		if info.dead() {
			// Not live at C: a tombstone that routes searches until
			// compaction drops it.
			vi.graph.Delete(node)
		}
		// Restored in order, so a node's info key is its node id.
		if key, err := vi.infos.add(info); err != nil {
			return err
		} else if key != uint64(node) {
			return corrupt(node)
		}
		vi.infos.setNode(uint64(node), node)
		return nil
	})
	if err != nil {
		return err
	}
	if next != meta.n {
		return fmt.Errorf("vector index %s: checkpoint has %d of %d node records", idx.Name, next, meta.n)
	}
	if meta.n > 0 {
		vi.graph.SetEntry(meta.entry, meta.maxLevel)
	}
	vi.versions = versions
	return vi.reconcile(ctx, txn, tb, meta.c, needVec)
}

// checkpointKey reads the row key of a live node's record (rec from its
// kind byte on) as a primary-key encoding.
func checkpointKey(tb *catalog.Table, rec []byte) (string, bool) {
	kind := rec[0]
	rec = rec[1:]
	if kind == recordKey {
		l, n := binary.Uvarint(rec)
		if n <= 0 || uint64(len(rec)-n) != l {
			return "", false
		}
		return string(rec[n:]), true
	}
	var buf [4]types.Datum
	pk := buf[:0]
	for _, col := range tb.PrimaryKey {
		l, n := binary.Uvarint(rec)
		if n <= 0 || uint64(len(rec)-n) < l {
			return "", false
		}
		d, err := types.DecodeBinary(tb.Columns[col].Type, rec[n:n+int(l)])
		if err != nil {
			return "", false
		}
		pk = append(pk, d)
		rec = rec[n+int(l):]
	}
	enc, err := storage.AppendPrimaryKey(nil, tb, pk)
	return string(enc), err == nil && len(rec) == 0
}

// reconcile brings a restored graph up to txn's snapshot. Rows unchanged
// since the checkpoint give the vectors of their nodes that needVec
// marks; nodes of rows that changed after it or no longer exist are
// deleted, and those of them still without a vector are detached; then
// the changed rows' current versions are added. The adds come last
// because an insert searches the graph, which must not hold placeholders
// by then.
func (vi *vectorIndex) reconcile(ctx context.Context, txn *storage.Txn, tb *catalog.Table, c uint64, needVec []bool) error {
	// seen marks the restored records whose row the table still has;
	// restored record keys are their node ids, below len(needVec).
	seen := make([]bool, len(needVec))
	var changed [][]types.Datum
	var enc []byte
	var keys []uint64
	err := txn.ScanCommittedVersions(ctx, tb, func(row []types.Datum, version uint64) error {
		var pkBuf [4]types.Datum
		pk := pkBuf[:0]
		for _, c := range tb.PrimaryKey {
			pk = append(pk, row[c])
		}
		var err error
		if enc, err = storage.AppendPrimaryKey(enc[:0], tb, pk); err != nil {
			return fmt.Errorf("vector index on %s: %w", tb.Name, err)
		}
		keys = vi.versions.appendKeys(keys[:0], string(enc))
		for _, k := range keys {
			if k < uint64(len(seen)) {
				seen[k] = true
			}
		}
		if version > c {
			for _, k := range keys {
				vi.info(k).deleteTs.Store(1)
				vi.dying.push(k)
			}
			changed = append(changed, row)
			return nil
		}
		// The version live at C: its nodes' vector is this row's.
		v, _ := vi.metric.elems(row[vi.col])
		for _, k := range keys {
			if k >= uint64(len(needVec)) || !needVec[k] {
				continue
			}
			if len(v) != vi.dims {
				return fmt.Errorf("vector index on %s: row of checkpointed node %d has no vector of %d dimensions", tb.Name, k, vi.dims)
			}
			if err := vi.graph.RestoreVector(hnsw.Node(k), v); err != nil {
				return fmt.Errorf("vector index on %s: %w", tb.Name, err)
			}
			needVec[k] = false
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Live records whose row is gone.
	for k, ok := range seen {
		if info := vi.info(uint64(k)); !ok && info != nil && !info.dead() {
			info.deleteTs.Store(1)
			vi.dying.push(uint64(k))
			vi.changes.Add(1)
		}
	}
	vi.graph.Detach(func(n hnsw.Node) bool { return int(n) < len(needVec) && needVec[n] })
	for _, row := range changed {
		if err := ctx.Err(); err != nil {
			return err
		}
		vi.changes.Add(1) // so the next checkpoint records the catch-up
		if err := vi.add(tb, row, nil, 1); err != nil {
			return err
		}
	}
	return nil
}

// Close stops background maintenance and writes a checkpoint of every
// loaded HNSW graph whose index still exists, so the next start loads
// them instead of rebuilding. Call it after the last session ended and
// before closing the store.
func (e *Engine) Close(ctx context.Context) error {
	e.stopMaintenance()
	return e.checkpointAll(ctx, true)
}

// checkpointAll checkpoints the loaded graphs: all that changed since
// their last checkpoint (force), or those that changed enough.
func (e *Engine) checkpointAll(ctx context.Context, force bool) error {
	if e.store.InMemory() {
		return nil // nothing survives a restart anyway
	}
	type entry struct {
		id catalog.ID
		vi *vectorIndex
	}
	var list []entry
	e.vindex.mu.Lock()
	for id, li := range e.vindex.byIndex {
		select {
		case <-li.ready:
			if li.vi != nil {
				list = append(list, entry{id, li.vi})
			}
		default: // still loading: its previous checkpoint stays
		}
	}
	e.vindex.mu.Unlock()
	if len(list) == 0 {
		return nil
	}
	txn := e.store.Begin()
	cat, err := txn.Catalog()
	txn.Rollback()
	if err != nil {
		return err
	}
	for _, en := range list {
		vi := en.vi
		if force && vi.changes.Load() == vi.checkpointed.Load() {
			continue // the stored checkpoint is current
		}
		if !force && !vi.checkpointDue(e.vindex.checkpointEvery) {
			continue
		}
		tb := cat.Tables[vi.tableID]
		if tb == nil {
			continue
		}
		var idx *catalog.Index
		for i := range tb.Indexes {
			if tb.Indexes[i].ID == en.id {
				idx = &tb.Indexes[i]
			}
		}
		if idx == nil {
			continue
		}
		if err := e.checkpoint(ctx, vi, tb, idx); err != nil {
			return fmt.Errorf("checkpoint of index %s: %w", idx.Name, err)
		}
	}
	return nil
}

// checkpointDue reports whether the graph changed enough since its last
// checkpoint (or since it was loaded) to write a new one.
func (vi *vectorIndex) checkpointDue(every time.Duration) bool {
	changed := vi.changes.Load() - vi.checkpointed.Load()
	if changed <= 0 {
		return false
	}
	if every <= 0 {
		every = checkpointEvery
	}
	last := vi.checkpointAt.Load()
	return changed >= checkpointChanges || time.Since(time.Unix(0, last)) >= every
}
