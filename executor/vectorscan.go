package executor

import (
	"github.com/quiverdb/quiver/index/hnsw"
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
	"unsafe"
)

// buildVectorScan runs an HNSW search for the reader's snapshot and
// returns the matching rows nearest first. A WHERE filter is applied while
// searching, so the search goes on until k rows pass it (or the graph is
// exhausted): a filtered query is never short because of the index. With
// a prefilter whose span holds few rows, their exact distances replace
// the search (prefilterSearch).
func (ec *execCtx) buildVectorScan(n *planner.VectorScan) (rowIter, error) {
	qf, err := ec.compile(n.Query)
	if err != nil {
		return nil, err
	}
	qv, err := qf(nil)
	if err != nil {
		return nil, err
	}
	var filter evalFn
	if n.Filter != nil {
		if filter, err = ec.compile(n.Filter); err != nil {
			return nil, err
		}
	}
	q, ok := opclassMetric[n.Index.Opclass[0]].elems(qv)
	if !ok {
		// A NULL query vector orders nothing: every distance is NULL, so
		// the rows come from a plain scan and the sort above keeps them.
		it, err := ec.txn.ScanTable(ec.ctx, n.Table, storage.Span{}, false)
		if err != nil {
			return nil, err
		}
		rows, err := ec.filtered(storageIter{it}, n.Filter)
		if err != nil {
			return nil, err
		}
		cols := make([]evalFn, len(n.Table.Columns)+1)
		for i := range n.Table.Columns {
			cols[i] = func(r []types.Datum) (types.Datum, error) { return r[i], nil }
		}
		cols[len(cols)-1] = func([]types.Datum) (types.Datum, error) { return types.Null, nil }
		return &projectIter{in: rows, exprs: cols}, nil
	}
	kf, err := ec.compile(n.K)
	if err != nil {
		return nil, err
	}
	kv, err := kf(nil)
	if err != nil {
		return nil, err
	}
	k := 0
	if d, ok := kv.(types.DInt); ok && d > 0 {
		k = int(d)
	}
	if k == 0 {
		return &sliceIter{}, nil
	}
	vt, _ := ec.txn.Observer().(*vectorTxn)
	if vt == nil {
		return nil, pgerror.New(pgerror.CodeInternal, "transaction does not track vector indexes")
	}
	vi, err := vt.index(ec.ctx, n.Table, n.Index)
	if err != nil {
		return nil, err
	}
	if b, ok := qv.(*types.DBit); ok && b.Len != vi.dims {
		// pgvector's index scan measures the query against the nodes,
		// so its message names the query's length first.
		return nil, builtins.BitLengthsDiffer(b.Len, vi.dims)
	}
	ef := ec.sess.efSearch()
	if ef < k {
		ef = k
	}
	rows := map[string][]types.Datum{} // by primary-key encoding
	fetch := func(pk string) ([]types.Datum, error) {
		if r, ok := rows[pk]; ok {
			return r, nil
		}
		r, err := ec.txn.GetRowByKey(ec.ctx, n.Table, keyBytes(pk))
		if err != nil {
			return nil, err
		}
		rows[pk] = r
		return r, nil
	}
	var keep func(pk string) (bool, error)
	if filter != nil {
		// At 1% selectivity the search tests some hundred rows for each
		// it keeps: a tested row decodes only the columns the filter
		// reads (not the vector), and only kept rows are remembered for
		// the output, which fetch reads whole.
		var want []bool
		if cols, all := planner.ColumnsRead(n.Filter); !all {
			want = make([]bool, len(n.Table.Columns))
			for _, c := range cols {
				if c < len(want) {
					want[c] = true
				}
			}
		}
		keep = func(pk string) (bool, error) {
			r, err := ec.txn.GetRowColumnsByKey(ec.ctx, n.Table, keyBytes(pk), want)
			if err != nil || r == nil {
				return false, err
			}
			v, err := filter(r)
			if err != nil || !isTrue(v) {
				return false, err
			}
			if want == nil {
				rows[pk] = r
			}
			return true, nil
		}
	}
	var st *hnsw.Stats
	if ns := ec.analyze[planner.Plan(n)]; ns != nil {
		if ns.search == nil {
			ns.search = &hnsw.Stats{}
		}
		st = ns.search
	}
	var hits []vectorHit
	done := false
	if n.Prefilter != nil {
		if hits, done, err = ec.prefilterSearch(n, vi, q, k, ef, vt, filter, rows, ec.analyze[planner.Plan(n)]); err != nil {
			return nil, err
		}
	}
	if !done {
		if hits, err = vi.searchSnapshot(q, k, ef, ec.txn.ReadTs(), vt, keep, n.KeyOnly && n.ReadsVector, st); err != nil {
			return nil, err
		}
	}
	// Each row is the table's plus the operator's value (planner.VectorScan).
	width := len(n.Table.Columns) + 1
	out := make([][]types.Datum, 0, len(hits))
	// One array backs every row: k rows, one allocation.
	var slab datumSlab
	slab.reserve(width * len(hits))
	if n.KeyOnly {
		// Visible nodes are exactly the snapshot's row versions, and their
		// key and vector are all the query reads: no row fetches.
		var pk []types.Datum
		for _, h := range hits {
			row := slab.row(width)
			for i := range row {
				row[i] = types.Null
			}
			var ok bool
			if pk, ok = decodeKeyDatums(n.Table, keyBytes(h.pk), pk[:0]); !ok {
				// A key type whose encoding does not read back (floats,
				// numerics, intervals): the row has the values.
				r, err := fetch(h.pk)
				if err != nil {
					return nil, err
				}
				if r == nil {
					continue
				}
				pk = pk[:0]
				for _, c := range n.Table.PrimaryKey {
					pk = append(pk, r[c])
				}
			}
			for i, c := range n.Table.PrimaryKey {
				row[c] = pk[i]
			}
			if h.vec != nil {
				row[vi.col] = vi.datum(h.vec)
			}
			row[width-1] = types.DFloat(h.value)
			out = append(out, row)
		}
		return &sliceIter{rows: out}, nil
	}
	for _, h := range hits {
		r, err := fetch(h.pk)
		if err != nil {
			return nil, err
		}
		if r != nil {
			row := slab.row(width)
			copy(row, r)
			row[width-1] = types.DFloat(h.value)
			out = append(out, row)
		}
	}
	return &sliceIter{rows: out}, nil
}

// searchSnapshot is search for the common query without a filter: it
// first searches the graph without consulting visibility records, then
// keeps the visible nodes among the ef nearest found. Checking every
// candidate's record during the traversal is a chain of dependent memory
// loads per node, about a fifth of a search's time, while nearly every
// node is visible to nearly every snapshot. When fewer than k of the ef
// are visible (heavy concurrent deletes, a young snapshot) it falls back
// to search, which applies the snapshot throughout. EXPLAIN ANALYZE (st
// set) and filters always take search, so their counters and row counts
// keep their meaning.
func (vi *vectorIndex) searchSnapshot(q []float32, k, ef int, readTs uint64, me *vectorTxn, keep func(pk string) (bool, error), withVec bool, st *hnsw.Stats) ([]vectorHit, error) {
	if keep != nil || st != nil || len(q) != vi.dims {
		return vi.search(q, k, ef, readTs, me, keep, withVec, st)
	}
	res, err := vi.graph.Search(q, ef, ef, nil, nil)
	if err != nil {
		return nil, err
	}
	visible, pks := res[:0], make([]string, 0, len(res))
	for _, c := range res {
		if info := vi.info(c.Key); info != nil && info.visible(readTs, me) {
			visible = append(visible, c)
			pks = append(pks, info.pk)
		}
	}
	if len(visible) < k {
		return vi.search(q, k, ef, readTs, me, keep, withVec, st)
	}
	return vi.ranker(q).top(visible, pks, k, withVec)
}

// keyBytes views a primary-key encoding held as a string (nodeInfo.pk) as
// bytes without copying it: a filtered search reads a row per candidate,
// thousands per query. The readers only read it (the store copies it
// into the row key), never keep or change it.
func keyBytes(pk string) []byte { return unsafe.Slice(unsafe.StringData(pk), len(pk)) }
