package executor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/quiverdb/quiver/index/hnsw"
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage/keys"
)

// A filtered HNSW search pays for every candidate the filter rejects: at
// 1% selectivity it visits about a hundred nodes per row it keeps, each
// with a row read to evaluate the filter. When a b-tree index holds the
// filter's rows (VectorScan.Prefilter) and they are few, computing the
// exact distance of each is far cheaper and exact. Which is cheaper
// depends on how many rows match, which the plan cannot know for a
// parameter, so the scan counts the index span as it goes and gives up
// past prefilterLimit rows.
//
// Cost model (measured on 100,000 x 128, ef_search 40, EXPLAIN ANALYZE on
// a busy machine): a span row whose vector comes from the graph's memory
// costs about 2 us (index step, key decode, lookup, distance); the graph
// search with a filter reads rows as it goes and costs about 80 us per
// unit of ef*N/m for m matching rows (30 ms at 9%, 16 ms at 20%, 10 ms at
// 50%, against 10 ms for an exact pass over 5,000 rows). They cross near
// m = 6*sqrt(ef*N). When the filter is more than the span, each span row
// is read to check it (about 9 us), and they cross near m = 3*sqrt(ef*N).
func prefilterLimit(nodes, ef int, exact bool) int {
	f := 3.0
	if exact {
		f = 6
	}
	return max(int(f*math.Sqrt(float64(ef)*float64(max(nodes, 1)))), 100)
}

// prefilterChunk is the fewest span rows worth a goroutine of their own.
const prefilterChunk = 256

// errPrefilterFull stops the span scan past prefilterLimit rows.
var errPrefilterFull = errors.New("prefilter span holds too many rows")

// prefilterSearch answers the scan from its prefilter's span when the
// span holds at most prefilterLimit rows: exact distances, the k nearest
// (ties in primary-key order, as the exact scan orders them). done is
// false when the span is larger, and the caller searches the graph.
// Vectors come from the graph's visible node of each row, so the rows are
// read only when the filter is more than the span or a row has no such
// node (a NULL vector). Rows read are added to rows for the caller.
func (ec *execCtx) prefilterSearch(n *planner.VectorScan, vi *vectorIndex, q []float32, k, ef int, vt *vectorTxn,
	filter evalFn, rows map[string][]types.Datum, ns *nodeStats) (hits []vectorHit, done bool, err error) {
	if len(q) != vi.dims {
		return nil, false, nil // the graph search reports the error
	}
	pre, tb := n.Prefilter, n.Table
	span, empty, err := ec.span(pre.Lower, pre.Upper, pre.LowerIncl, pre.UpperIncl)
	if err != nil {
		return nil, false, err
	}
	limit := prefilterLimit(vi.graph.Len(), ef, n.PrefilterExact)
	fetched := map[string][]types.Datum{} // by primary-key encoding
	// The span's keys are collected first and then looked up in a tight
	// loop: the lookups are independent memory misses (map, visibility
	// record, vector) that the processor overlaps when no iterator step
	// runs between them.
	var encs []byte
	var ends []int
	if !empty {
		err = ec.txn.ScanIndexKeys(ec.ctx, tb, pre.Index, span, func(enc []byte) error {
			if len(ends) >= limit {
				return errPrefilterFull
			}
			encs = append(encs, enc...)
			ends = append(ends, len(encs))
			return nil
		})
	}
	if errors.Is(err, errPrefilterFull) {
		if ns != nil {
			ns.prefilter = fmt.Sprintf("more than %d rows: graph search", limit)
		}
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	count := len(ends)
	// nodes[i] is the i-th row's visible node + 1 (0: the graph holds
	// none); dists[i] its graph distance, or its exact distance once
	// exact[i] is set (a row read, a node measured exactly).
	nodes := make([]uint32, count)
	dists := make([]float32, count)
	exact := make([]bool, count)
	if n.PrefilterExact {
		// Lookups and distances of a large span split over the cores.
		workers := max(1, min(runtime.GOMAXPROCS(0), count/prefilterChunk))
		var wg sync.WaitGroup
		for w := range workers {
			lo, hi := w*count/workers, (w+1)*count/workers
			lookup := func() {
				vi.visibleNodes(encs, ends, lo, hi, ec.txn.ReadTs(), vt, nodes)
				for i := lo; i < hi; i++ {
					if nodes[i] != 0 {
						dists[i] = vi.graph.Distance(q, hnsw.Node(nodes[i]-1))
					}
				}
			}
			if workers == 1 {
				lookup()
			} else {
				wg.Go(lookup)
			}
		}
		wg.Wait()
	}
	keyAt := func(i int) []byte {
		if i == 0 {
			return encs[:ends[0]]
		}
		return encs[ends[i-1]:ends[i]]
	}
	// The k nearest by graph distance, measured exactly, bound the k-th
	// exact distance; only rows that may be nearer than that bound need
	// measuring exactly (vectorrerank.go). A float32 graph's distances
	// are exact, and its vectors are read from memory.
	r := vi.ranker(q)
	if ns != nil {
		if ns.search == nil {
			ns.search = &hnsw.Stats{}
		}
		r.st = ns.search
	}
	measure := func(i int) error {
		if exact[i] {
			return nil
		}
		v, err := r.exact(hnsw.Node(nodes[i] - 1))
		if err != nil {
			return err
		}
		dists[i], exact[i] = vi.dist(q, v), true
		return nil
	}
	candidate := make([]bool, count)
	byGraph := knnHeap{k: k}
	var idx [4]byte
	for i := range ends {
		enc := keyAt(i)
		if nodes[i] == 0 {
			row, err := ec.txn.GetRowByKey(ec.ctx, tb, enc)
			if err != nil {
				return nil, false, err
			}
			if row == nil {
				continue
			}
			if !n.PrefilterExact {
				v, err := filter(row)
				if err != nil {
					return nil, false, err
				}
				if !isTrue(v) {
					continue
				}
			}
			rv, ok := vi.metric.elems(row[vi.col])
			if !ok || len(rv) != vi.dims {
				continue // NULL vectors are not in the index
			}
			fetched[string(enc)] = row
			dists[i], exact[i] = vi.dist(q, rv), true
		}
		candidate[i] = true
		binary.LittleEndian.PutUint32(idx[:], uint32(i))
		byGraph.offer(float64(dists[i]), false, enc, idx[:])
	}
	bound := float32(math.NaN()) // no bound while fewer than k rows qualify
	if len(byGraph.items) == k {
		bound = float32(math.Inf(-1))
		for _, e := range byGraph.items {
			i := int(binary.LittleEndian.Uint32(e.val))
			if err := measure(i); err != nil {
				return nil, false, err
			}
			bound = max(bound, dists[i])
		}
	}
	heap := knnHeap{k: k}
	for i := range ends {
		if !candidate[i] {
			continue
		}
		if !exact[i] && !isNaN32(bound) && distBefore(bound, r.nearest(dists[i])) {
			continue
		}
		if err := measure(i); err != nil {
			return nil, false, err
		}
		binary.LittleEndian.PutUint32(idx[:], uint32(i))
		heap.offer(float64(dists[i]), false, keyAt(i), idx[:])
	}
	if ns != nil {
		ns.prefilter = fmt.Sprintf("%d rows: exact distances", count)
		ns.search.Distances += count
	}
	heap.order.sort(heap.items)
	hits = make([]vectorHit, 0, len(heap.items))
	for _, e := range heap.items {
		h := vectorHit{dist: float32(e.d), pk: string(e.key)}
		if row := fetched[h.pk]; row != nil {
			rv, ok := vi.metric.elems(row[vi.col])
			if !ok {
				continue
			}
			h.vec = slices.Clone([]float32(rv))
			rows[h.pk] = row
		} else {
			i := int(binary.LittleEndian.Uint32(e.val))
			v, err := r.exact(hnsw.Node(nodes[i] - 1))
			if err != nil {
				return nil, false, err
			}
			h.vec = slices.Clone(v)
		}
		h.value = vi.metric.value(q, h.vec, h.dist)
		hits = append(hits, h)
	}
	return hits, true, nil
}

// visibleNodes sets out[i], for i in [lo, hi), to the graph node (+1) of
// the row version that the reader sees with the i-th primary-key encoding
// in encs (which ends at ends[i]); it stays 0 when the graph holds none (a
// NULL vector, no such row). Several goroutines may run it at once on
// disjoint ranges.
func (vi *vectorIndex) visibleNodes(encs []byte, ends []int, lo, hi int, readTs uint64, me *vectorTxn, out []uint32) {
	// Rows go in batches, each in passes (map lookups, then visibility
	// records, then nodes): every pass is a run of independent memory
	// misses that the processor overlaps, where one row at a time would
	// wait for each miss in turn. The read lock is released between
	// batches so that a writer adding a row's key does not wait for a
	// whole span.
	const batch = 256
	var (
		firsts [batch]uint64
		found  [batch]bool
		infos  [batch]*nodeInfo
		keys   []uint64
	)
	start := 0
	if lo > 0 {
		start = ends[lo-1]
	}
	for b := lo; b < hi; b += batch {
		e := min(b+batch, hi)
		vi.mu.RLock()
		starts := start
		for i := b; i < e; i++ {
			firsts[i-b], found[i-b] = vi.versions.first[string(encs[start:ends[i]])]
			start = ends[i]
		}
		for i := b; i < e; i++ {
			infos[i-b] = nil
			if found[i-b] {
				infos[i-b] = vi.info(firsts[i-b])
			}
		}
		start = starts
		for i := b; i < e; i++ {
			pk := encs[start:ends[i]]
			start = ends[i]
			if !found[i-b] {
				continue
			}
			keys = append(keys[:0], firsts[i-b])
			if vi.versions.more != nil {
				keys = append(keys, vi.versions.more[string(pk)]...)
			}
			for j, key := range keys {
				info := infos[i-b]
				if j > 0 {
					info = vi.info(key) // a newer version
				}
				if info == nil || !info.visible(readTs, me) {
					continue
				}
				if node, ok := vi.infos.node(key); ok && !vi.graph.Deleted(node) {
					out[i] = uint32(node) + 1
				}
				break
			}
		}
		vi.mu.RUnlock()
	}
}

// decodeKeyDatums decodes a primary-key encoding (as storage.ScanIndexKeys
// passes it) into buf; ok is false for key types keys.Decode does not
// read back.
func decodeKeyDatums(tb *catalog.Table, enc []byte, buf []types.Datum) ([]types.Datum, bool) {
	for _, c := range tb.PrimaryKey {
		d, rest, ok := keys.Decode(enc, tb.Columns[c].Type)
		if !ok {
			return buf, false
		}
		buf, enc = append(buf, d), rest
	}
	return buf, len(enc) == 0
}
