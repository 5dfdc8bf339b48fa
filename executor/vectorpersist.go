package executor

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/quiverdb/quiver/index/hnsw"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// A checkpoint stores a graph in the index's raw key space so a restart
// loads it instead of rebuilding it: a meta record (checkpoint timestamp
// C, node count, entry point) and one record per node (layers, links,
// vector, row key, and whether the version was live at C). Loading then
// reconciles it with the table in one pass: rows whose current version was
// committed after C replace their nodes, and nodes whose rows are gone are
// deleted. So a stale checkpoint (say, from before a crash) still yields
// an index that agrees with the table; it only costs more catch-up.

var errNoCheckpoint = errors.New("no vector index checkpoint")

func checkpointMetaKey(t, i catalog.ID) []byte { return append(storage.VectorIndexPrefix(t, i), 'm') }

func checkpointNodeKey(t, i catalog.ID, n hnsw.Node) []byte {
	return binary.BigEndian.AppendUint32(append(storage.VectorIndexPrefix(t, i), 'n'), uint32(n))
}

// checkpoint writes vi's graph in txn as of txn's snapshot. The caller
// ensures no writer is changing the graph meanwhile (shutdown).
func (vi *vectorIndex) checkpoint(txn *storage.Txn, tb *catalog.Table, idx *catalog.Index) error {
	c := txn.ReadTs()
	n := hnsw.Node(vi.graph.Len())
	entry, maxLevel, ok := vi.graph.Entry()
	if !ok {
		n = 0
	}
	var rec []byte
	for node := hnsw.Node(0); node < n; node++ {
		info := vi.info(vi.graph.Key(node))
		live := info != nil && !info.dead.Load()
		if live {
			ins, del := info.insertTs.Load(), info.deleteTs.Load()
			live = ins != 0 && ins <= c && (del == 0 || del > c)
		}
		rec = rec[:0]
		level := vi.graph.Level(node)
		rec = binary.AppendUvarint(rec, uint64(level+1))
		for l := 0; l <= level; l++ {
			ls := vi.graph.Links(node, l)
			rec = binary.AppendUvarint(rec, uint64(len(ls)))
			for _, x := range ls {
				rec = binary.LittleEndian.AppendUint32(rec, uint32(x))
			}
		}
		for _, f := range vi.graph.Vector(node) {
			rec = binary.LittleEndian.AppendUint32(rec, math.Float32bits(f))
		}
		if live {
			rec = append(rec, 1)
			for k, d := range info.pk {
				var err error
				if rec, err = appendLenPrefixed(rec, tb.Columns[tb.PrimaryKey[k]].Type, d); err != nil {
					return err
				}
			}
		} else {
			rec = append(rec, 0)
		}
		if err := txn.RawSet(checkpointNodeKey(tb.ID, idx.ID, node), rec); err != nil {
			return err
		}
	}
	meta := binary.BigEndian.AppendUint64(nil, c)
	for _, v := range []int{int(n), int(entry), maxLevel, vi.dims} {
		meta = binary.BigEndian.AppendUint32(meta, uint32(v))
	}
	return txn.RawSet(checkpointMetaKey(tb.ID, idx.ID), meta)
}

func appendLenPrefixed(buf []byte, t *types.T, d types.Datum) ([]byte, error) {
	enc, err := types.EncodeBinary(nil, t, d)
	if err != nil {
		return nil, fmt.Errorf("encode checkpoint key: %w", err)
	}
	buf = binary.AppendUvarint(buf, uint64(len(enc)))
	return append(buf, enc...), nil
}

// loadCheckpoint restores vi's graph from its checkpoint and reconciles it
// with the table as txn sees it (errNoCheckpoint when there is none).
func (vi *vectorIndex) loadCheckpoint(ctx context.Context, txn *storage.Txn, tb *catalog.Table, idx *catalog.Index) error {
	meta, err := txn.RawGet(checkpointMetaKey(tb.ID, idx.ID))
	if err != nil {
		return err
	}
	if len(meta) != 24 {
		return errNoCheckpoint
	}
	c := binary.BigEndian.Uint64(meta)
	n := hnsw.Node(binary.BigEndian.Uint32(meta[8:]))
	entry := hnsw.Node(binary.BigEndian.Uint32(meta[12:]))
	maxLevel := int(binary.BigEndian.Uint32(meta[16:]))
	if int(binary.BigEndian.Uint32(meta[20:])) != vi.dims {
		return errNoCheckpoint
	}
	corrupt := func(node hnsw.Node) error {
		return fmt.Errorf("vector index %s: corrupt checkpoint record %d", idx.Name, node)
	}
	byPK := map[string][]uint64{}
	vec := make([]float32, vi.dims)
	for node := hnsw.Node(0); node < n; node++ {
		rec, err := txn.RawGet(checkpointNodeKey(tb.ID, idx.ID, node))
		if err != nil {
			return err
		}
		layers, k := binary.Uvarint(rec)
		if k <= 0 || layers == 0 || layers > 64 {
			return corrupt(node)
		}
		rec = rec[k:]
		links := make([][]hnsw.Node, layers)
		for l := range links {
			cnt, k := binary.Uvarint(rec)
			if k <= 0 || uint64(len(rec)-k) < cnt*4 {
				return corrupt(node)
			}
			rec = rec[k:]
			links[l] = make([]hnsw.Node, cnt)
			for j := range links[l] {
				links[l][j] = hnsw.Node(binary.LittleEndian.Uint32(rec))
				rec = rec[4:]
			}
		}
		if len(rec) < 4*vi.dims+1 {
			return corrupt(node)
		}
		for d := range vec {
			vec[d] = math.Float32frombits(binary.LittleEndian.Uint32(rec))
			rec = rec[4:]
		}
		info := &nodeInfo{}
		if rec[0] == 1 {
			rec = rec[1:]
			for _, col := range tb.PrimaryKey {
				l, k := binary.Uvarint(rec)
				if k <= 0 || uint64(len(rec)-k) < l {
					return corrupt(node)
				}
				d, err := types.DecodeBinary(tb.Columns[col].Type, rec[k:k+int(l)])
				if err != nil {
					return corrupt(node)
				}
				info.pk = append(info.pk, d)
				rec = rec[k+int(l):]
			}
			info.insertTs.Store(1)
			pkKey := string(appendRowKey(nil, info.pk))
			byPK[pkKey] = append(byPK[pkKey], uint64(node))
		} else {
			info.dead.Store(true)
		}
		if _, err := vi.graph.Restore(uint64(node), vec, links, n); err != nil {
			return fmt.Errorf("vector index %s: %w", idx.Name, err)
		}
		// Restored in order, so a node's info key is its node id.
		if key, err := vi.infos.add(info); err != nil {
			return err
		} else if key != uint64(node) {
			return corrupt(node)
		}
		vi.infos.setNode(uint64(node), node)
	}
	if n > 0 {
		vi.graph.SetEntry(entry, maxLevel)
	}
	vi.byPK = byPK
	return vi.reconcile(ctx, txn, tb, c)
}

// reconcile brings a restored graph up to txn's snapshot: rows changed
// after the checkpoint get fresh nodes, and nodes of rows that no longer
// exist (or changed) are deleted.
func (vi *vectorIndex) reconcile(ctx context.Context, txn *storage.Txn, tb *catalog.Table, c uint64) error {
	seen := map[string]bool{}
	err := txn.ScanCommittedVersions(ctx, tb, func(row []types.Datum, version uint64) error {
		pkKey := string(appendRowKey(nil, vi.pkOf(tb, row)))
		seen[pkKey] = true
		if version <= c {
			return nil
		}
		for _, k := range vi.byPK[pkKey] {
			vi.info(k).deleteTs.Store(1)
		}
		return vi.add(tb, row, nil, 1)
	})
	if err != nil {
		return err
	}
	for pkKey, keys := range vi.byPK {
		if !seen[pkKey] {
			for _, k := range keys {
				vi.info(k).deleteTs.Store(1)
			}
		}
	}
	return nil
}

// Close writes a checkpoint of every loaded HNSW graph whose index still
// exists, so the next start loads them instead of rebuilding. Call it
// after the last session ended and before closing the store.
func (e *Engine) Close(ctx context.Context) error {
	e.stopMaintenance()
	e.vindex.mu.Lock()
	defer e.vindex.mu.Unlock()
	if len(e.vindex.byIndex) == 0 {
		return nil
	}
	txn := e.store.Begin()
	defer txn.Rollback()
	cat, err := txn.Catalog()
	if err != nil {
		return err
	}
	for id, li := range e.vindex.byIndex {
		select {
		case <-li.ready:
		default:
			continue // still loading: its previous checkpoint stays
		}
		vi := li.vi
		if vi == nil {
			continue
		}
		tb := cat.Tables[vi.tableID]
		if tb == nil {
			continue
		}
		var idx *catalog.Index
		for i := range tb.Indexes {
			if tb.Indexes[i].ID == id {
				idx = &tb.Indexes[i]
			}
		}
		if idx == nil {
			continue
		}
		if err := vi.checkpoint(txn, tb, idx); err != nil {
			return fmt.Errorf("checkpoint of index %s: %w", idx.Name, err)
		}
	}
	return txn.Commit(ctx)
}
