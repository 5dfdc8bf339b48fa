package executor

import (
	"github.com/quiverdb/quiver/index/hnsw"
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// buildVectorScan runs an HNSW search for the reader's snapshot and
// returns the matching rows nearest first. A WHERE filter is applied while
// searching, so the search goes on until k rows pass it (or the graph is
// exhausted): a filtered query is never short because of the index.
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
	q, ok := qv.(types.DVector)
	if !ok {
		// A NULL query vector orders nothing: every distance is NULL, so
		// the rows come from a plain scan and the sort above keeps them.
		it, err := ec.txn.ScanTable(ec.ctx, n.Table, storage.Span{}, false)
		if err != nil {
			return nil, err
		}
		return ec.filtered(storageIter{it}, n.Filter)
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
	ef := ec.sess.efSearch()
	if ef < k {
		ef = k
	}
	rows := map[string][]types.Datum{}
	fetch := func(pk []types.Datum) ([]types.Datum, error) {
		key := string(appendRowKey(nil, pk))
		if r, ok := rows[key]; ok {
			return r, nil
		}
		r, err := ec.txn.GetRow(ec.ctx, n.Table, pk)
		if err != nil {
			return nil, err
		}
		rows[key] = r
		return r, nil
	}
	var keep func([]types.Datum) (bool, error)
	if filter != nil {
		keep = func(pk []types.Datum) (bool, error) {
			r, err := fetch(pk)
			if err != nil || r == nil {
				return false, err
			}
			v, err := filter(r)
			return isTrue(v), err
		}
	}
	var st *hnsw.Stats
	if ns := ec.analyze[planner.Plan(n)]; ns != nil {
		if ns.search == nil {
			ns.search = &hnsw.Stats{}
		}
		st = ns.search
	}
	hits, err := vi.search(q, k, ef, ec.txn.ReadTs(), vt, keep, st)
	if err != nil {
		return nil, err
	}
	out := make([][]types.Datum, 0, len(hits))
	if n.KeyOnly {
		// Visible nodes are exactly the snapshot's row versions, and their
		// key and vector are all the query reads: no row fetches.
		for _, h := range hits {
			row := make([]types.Datum, len(n.Table.Columns))
			for i := range row {
				row[i] = types.Null
			}
			for i, c := range n.Table.PrimaryKey {
				row[c] = h.pk[i]
			}
			row[vi.col] = types.DVector(h.vec)
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
			out = append(out, r)
		}
	}
	return &sliceIter{rows: out}, nil
}
