package executor

import (
	"bytes"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// partitionsPerWorker splits the table finer than the worker count, so a
// worker that finishes early takes more ranges while a slow one (another
// query on its core, a key range denser than the others) finishes its own.
const partitionsPerWorker = 8

// knnEntry is one kept row: its distance (null for a NULL distance), and
// copies of its primary key encoding (the tie-breaker, since a stable sort
// of the primary-key-order scan would leave ties in that order) and its
// stored value, decoded only if the row is among the winners.
type knnEntry struct {
	d        float64
	null     bool
	key, val []byte
}

// knnOrder is the sort's order over entries.
type knnOrder struct{ desc, nullsFirst bool }

// before reports whether a sorts before b.
func (o knnOrder) before(a, b *knnEntry) bool {
	if a.null != b.null {
		return a.null == o.nullsFirst
	}
	if !a.null {
		c := types.CompareFloat(a.d, b.d)
		if o.desc {
			c = -c
		}
		if c != 0 {
			return c < 0
		}
	}
	return bytes.Compare(a.key, b.key) < 0
}

// sort puts entries in the order's sequence.
func (o knnOrder) sort(items []knnEntry) {
	slices.SortFunc(items, func(a, b knnEntry) int {
		switch {
		case o.before(&a, &b):
			return -1
		case o.before(&b, &a):
			return 1
		}
		return 0
	})
}

// knnHeap keeps the k entries that sort first; the one that sorts last is
// at the root, so a candidate is compared with it once.
type knnHeap struct {
	order knnOrder
	k     int
	items []knnEntry
}

func (h *knnHeap) after(i, j int) bool { return h.order.before(&h.items[j], &h.items[i]) }

// offer keeps the candidate if it belongs among the k first. The key and
// value are copied (into the evicted entry's buffers when there is one),
// so a row that does not make the cut costs nothing.
func (h *knnHeap) offer(d float64, null bool, key, val []byte) {
	if len(h.items) < h.k {
		h.items = append(h.items, knnEntry{d: d, null: null, key: append([]byte(nil), key...), val: append([]byte(nil), val...)})
		for i := len(h.items) - 1; i > 0; {
			p := (i - 1) / 2
			if !h.after(i, p) {
				break
			}
			h.items[i], h.items[p] = h.items[p], h.items[i]
			i = p
		}
		return
	}
	cand := knnEntry{d: d, null: null, key: key}
	if !h.order.before(&cand, &h.items[0]) {
		return
	}
	top := &h.items[0]
	top.d, top.null = d, null
	top.key = append(top.key[:0], key...)
	top.val = append(top.val[:0], val...)
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h.items) && h.after(l, m) {
			m = l
		}
		if r < len(h.items) && h.after(r, m) {
			m = r
		}
		if m == i {
			return
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
}

// buildExactScan answers ORDER BY distance LIMIT k by scanning the table
// with one goroutine per core, each over key ranges it takes in turn with
// its own bounded heap; the heaps are merged at the end. Rows are read
// still encoded: only the vector (into a reused []float32) and the columns
// the filter reads are decoded, and only the k winners become full rows.
func (ec *execCtx) buildExactScan(n *planner.ExactScan) (rowIter, error) {
	kf, err := ec.compile(n.K)
	if err != nil {
		return nil, err
	}
	kv, err := kf(nil)
	if err != nil {
		return nil, err
	}
	kd, ok := kv.(types.DInt)
	if !ok || kd < 0 {
		// LIMIT NULL keeps every row: the sort above does the work.
		return ec.buildScan(n.Scan)
	}
	if kd == 0 {
		return &sliceIter{}, nil
	}
	qf, err := ec.compile(n.Order.Args[n.QueryArg])
	if err != nil {
		return nil, err
	}
	qv, err := qf(nil)
	if err != nil {
		return nil, err
	}
	// The query has the column's type: the binder cast it to the
	// distance function's parameter type, which is the column's.
	var query []float32
	var valueQuery types.Datum
	colFam := n.Scan.Table.Columns[n.Column].Type.Family
	ok = false
	switch q := qv.(type) {
	case types.DVector:
		query, ok = q, colFam == types.FamVector
	case types.DHalfvec:
		query, ok = q, colFam == types.FamHalfvec
	case *types.DSparsevec:
		valueQuery, ok = q, colFam == types.FamSparsevec
	case *types.DBit:
		valueQuery, ok = q, colFam == types.FamBit
	}
	if !ok && !types.IsNull(qv) {
		return ec.buildScan(n.Scan)
	}
	span, empty, err := ec.span(n.Scan.Lower, n.Scan.Upper, n.Scan.LowerIncl, n.Scan.UpperIncl)
	if err != nil || empty {
		return &sliceIter{}, err
	}
	tb := n.Scan.Table
	workers := runtime.GOMAXPROCS(0)
	if !n.Parallel {
		workers = 1
	}
	parts := workers * partitionsPerWorker
	if workers == 1 {
		parts = 1
	}
	ps, err := ec.txn.NewPartitionScan(ec.ctx, tb, span, parts)
	if err != nil {
		return nil, err
	}
	defer ps.Close()
	parts = ps.Partitions()
	workers = min(workers, parts)
	if workers == 0 {
		return &sliceIter{}, nil
	}

	k := &knnScan{
		ec: ec, n: n, dec: storage.NewRowDecoder(tb), ps: ps, query: query, qNull: !ok, wrap: vectorWrapper(tb.Columns[n.Column].Type),
		order: knnOrder{desc: n.Desc, nullsFirst: n.NullsFirst}, k: int(min(int64(kd), int64(^uint(0)>>1))),
		want: make([]bool, len(tb.Columns)), valueQuery: valueQuery, vecCol: n.Column,
	}
	k.firstErr.Store(int64(parts))
	k.errs = make([]error, parts)
	if n.Scan.Filter != nil {
		if n.Parallel {
			for _, c := range n.FilterCols {
				k.want[c] = true
			}
		} else {
			for i := range k.want {
				k.want[i] = true
			}
		}
		k.filterVec = k.want[n.Column]
	}
	if !tb.Columns[n.Column].Type.IsVectorFamily() {
		// A sparsevec or bit column is decoded as a value: there is no
		// dense slice to reuse.
		k.want[n.Column], k.vecCol, k.filterVec = true, -1, false
	}
	ws := make([]*knnWorker, workers)
	for i := range ws {
		if ws[i], err = k.newWorker(); err != nil {
			return nil, err
		}
	}
	if workers == 1 {
		ws[0].run()
	} else {
		var wg sync.WaitGroup
		for _, w := range ws {
			wg.Go(w.run)
		}
		wg.Wait()
	}
	for _, e := range k.errs {
		if e != nil {
			return nil, e
		}
	}

	var all []knnEntry
	for _, w := range ws {
		all = append(all, w.heap.items...)
	}
	k.order.sort(all)
	all = all[:min(len(all), k.k)]
	rows := make([][]types.Datum, len(all))
	for i := range all {
		if rows[i], err = k.dec.Row(all[i].val); err != nil {
			return nil, err
		}
	}
	return &sliceIter{rows: rows}, nil
}

// knnScan is the state the workers of one exact scan share (read-only but
// for next, firstErr and each worker's own errs entries).
type knnScan struct {
	ec    *execCtx
	n     *planner.ExactScan
	dec   *storage.RowDecoder
	ps    *storage.PartitionScan
	query []float32
	// valueQuery is the query when the column is a sparsevec or bit;
	// vecCol is then -1, as the decoder has no dense elements to give.
	valueQuery types.Datum
	vecCol     int
	qNull      bool
	// wrap makes a Datum of the column's type (vector or halfvec) from
	// decoded elements.
	wrap      func([]float32) types.Datum
	order     knnOrder
	k         int
	want      []bool // columns the filter reads
	filterVec bool   // the filter reads the vector column too
	next      atomic.Int64
	// firstErr is the lowest partition that failed: a row error is
	// reported as a serial scan would report it, the first in key order,
	// so partitions after it are not started.
	firstErr atomic.Int64
	errs     []error
}

type knnWorker struct {
	s      *knnScan
	filter evalFn
	row    []types.Datum
	vec    []float32
	heap   knnHeap
	part   int64 // the partition being scanned
	rows   int
}

// errAbandoned stops a partition after an earlier one failed: its rows
// can no longer change the statement's outcome.
var errAbandoned = errors.New("exact scan: partition abandoned")

// newWorker compiles the filter afresh for each worker: a compiled
// expression keeps per-call argument buffers, so it must not be shared.
func (s *knnScan) newWorker() (*knnWorker, error) {
	w := &knnWorker{s: s, row: make([]types.Datum, len(s.n.Scan.Table.Columns)), heap: knnHeap{order: s.order, k: s.k}}
	for i := range w.row {
		w.row[i] = types.Null
	}
	if s.n.Scan.Filter != nil {
		var err error
		if w.filter, err = s.ec.compile(s.n.Scan.Filter); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func (w *knnWorker) run() {
	s := w.s
	ctx := s.ec.ctx
	for {
		i := s.next.Add(1) - 1
		if i >= int64(len(s.errs)) || i > s.firstErr.Load() {
			return
		}
		w.part = i
		if err := s.ps.Scan(ctx, int(i), w.row1); err != nil && err != errAbandoned {
			s.errs[i] = err
			for {
				f := s.firstErr.Load()
				if i >= f || s.firstErr.CompareAndSwap(f, i) {
					break
				}
			}
			if ctx.Err() != nil {
				return
			}
		}
	}
}

// row1 handles one stored row.
func (w *knnWorker) row1(key, val []byte) error {
	s := w.s
	if w.rows++; w.rows%256 == 0 && s.firstErr.Load() < w.part {
		return errAbandoned
	}
	var isNull bool
	var err error
	w.vec, isNull, err = s.dec.Columns(val, s.want, w.row, s.vecCol, w.vec)
	if err != nil {
		return err
	}
	if s.vecCol < 0 {
		isNull = types.IsNull(w.row[s.n.Column])
	}
	if w.filter != nil {
		if s.filterVec {
			w.row[s.n.Column] = types.Null
			if !isNull {
				w.row[s.n.Column] = s.wrap(w.vec)
			}
		}
		v, err := w.filter(w.row)
		if err != nil {
			return err
		}
		if !isTrue(v) {
			return nil
		}
	}
	null := isNull || s.qNull
	var d float64
	if !null && s.vecCol < 0 {
		if d, err = s.valueDistance(w.row[s.n.Column]); err != nil {
			return err
		}
	} else if !null {
		a, b := s.query, w.vec
		if s.n.QueryArg == 1 {
			a, b = b, a
		}
		if len(a) != len(b) {
			// The function's own error (pgvector's message, operands in
			// the query's order).
			_, err := s.n.Order.Fn.Fn(s.ec.eval, []types.Datum{s.wrap(a), s.wrap(b)})
			return err
		}
		d = s.n.Order.Fn.Distance(a, b)
	}
	w.heap.offer(d, null, key, val)
	return nil
}

// valueDistance is the order's distance between the query and a row's
// sparsevec or bit value, in the query's operand order.
func (s *knnScan) valueDistance(row types.Datum) (float64, error) {
	a, b := s.valueQuery, row
	if s.n.QueryArg == 1 {
		a, b = b, a
	}
	d, ok := s.n.Order.Fn.ValueDistance(a, b)
	if !ok {
		// The function's own error (pgvector's message).
		_, err := s.n.Order.Fn.Fn(s.ec.eval, []types.Datum{a, b})
		return 0, err
	}
	return d, nil
}

// vectorWrapper returns the conversion of float32 elements to a value of
// t, a vector or halfvec type.
func vectorWrapper(t *types.T) func([]float32) types.Datum {
	if t.Family == types.FamHalfvec {
		return func(v []float32) types.Datum { return types.DHalfvec(v) }
	}
	return func(v []float32) types.Datum { return types.DVector(v) }
}
