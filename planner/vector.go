package planner

import (
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// useVectorIndex turns a top-k sort by a vector distance over a table scan
// into an HNSW index scan when an index on that column has the operator's
// class, and otherwise into an exact scan (useExactScan). The sort stays on
// top: it orders the k rows the scan returns by the exact distance (and
// keeps ties as an exact sort would order them).
func useVectorIndex(sort *Sort, implied func(t *catalog.Table, idx *catalog.Index, filter Expr) bool) {
	if len(sort.Keys) != 1 {
		return
	}
	proj, ok := sort.Input.(*Project)
	if !ok {
		return
	}
	if in, ok := proj.Input.(*Project); ok && columnsOnly(in) {
		switch in.Input.(type) {
		case *Scan, *IndexScan:
			// A view over one table (bindView): the two projections
			// are one over the scan.
			proj = &Project{Input: in.Input, Exprs: substituteColumns(proj.Exprs, in.Exprs), Cols: proj.Cols}
			sort.Input = proj
		}
	}
	scan, ok := proj.Input.(*Scan)
	// A filter that a b-tree index serves turned the scan into an index
	// scan; the HNSW scan keeps it as its prefilter.
	pre, isIndex := proj.Input.(*IndexScan)
	if isIndex {
		scan, ok = &Scan{Table: pre.Table, Cols: pre.Cols, Filter: pre.Filter, LowerIncl: true, UpperIncl: true}, true
	}
	if !ok || scan.Reverse {
		return
	}
	key, ok := sort.Keys[0].Expr.(*ColRef)
	if !ok || key.Idx >= len(proj.Exprs) {
		return
	}
	call, ok := proj.Exprs[key.Idx].(*Call)
	if !ok || len(call.Args) != 2 {
		return
	}
	for side := 0; side < 2; side++ {
		col, ok := call.Args[side].(*ColRef)
		query := call.Args[1-side]
		if !ok && isQueryVector(query) && !isQueryVector(call.Args[side]) {
			// an expression an HNSW index holds in a hidden column
			if g := IndexExprColumn(scan.Table, call.Args[side]); g >= 0 {
				if ref := (&ColRef{Idx: g, T: scan.Table.Columns[g].Type}); useHNSW(sort, proj, scan, call, ref, query, pre, implied) {
					return
				}
			}
			continue
		}
		if !ok || !isQueryVector(query) {
			continue
		}
		if useHNSW(sort, proj, scan, call, col, query, pre, implied) {
			return
		}
		if !isIndex {
			// Without an HNSW index, an index scan of the filter's rows
			// under the top-k sort stays: it reads only those rows.
			useExactScan(sort, proj, scan, call, col, side)
		}
		return
	}
}

// isQueryVector reports whether e is the same for every row of the scan: a
// scan constant, or an uncorrelated subquery (pgvector's README finds a
// row's neighbours with `ORDER BY embedding <-> (SELECT embedding FROM
// items WHERE id = 1)`), which the scan evaluates once.
func isQueryVector(e Expr) bool {
	ok := true
	walkExpr(e, func(x Expr) {
		switch n := x.(type) {
		case *ColRef, *AggRef, *SeqFuncExpr:
			ok = false
		case *SubqueryExpr:
			ok = ok && !n.Correlated
		case *Call:
			if n.Fn != nil && n.Fn.Volatile {
				ok = false
			}
		}
	})
	return ok
}

func useHNSW(sort *Sort, proj *Project, scan *Scan, call *Call, col *ColRef, query Expr, pre *IndexScan, implied func(*catalog.Table, *catalog.Index, Expr) bool) bool {
	if sort.Keys[0].Desc || sort.Keys[0].NullsFirst || len(scan.Lower) > 0 || len(scan.Upper) > 0 {
		return false
	}
	// A partial index whose WHERE the query implies is smaller than a
	// full one on the same column, as PostgreSQL's costs prefer it too.
	var idx *catalog.Index
	for i := range scan.Table.Indexes {
		x := &scan.Table.Indexes[i]
		if x.Method != "hnsw" || x.Building || len(x.Columns) != 1 || x.Columns[0] != col.Idx {
			continue
		}
		if HNSWOperator[x.Opclass[0]] != call.Name {
			continue
		}
		if x.Where != "" && !implied(scan.Table, x, scan.Filter) {
			continue // a partial index misses the rows its WHERE leaves out
		}
		if idx == nil || idx.Where == "" && x.Where != "" {
			idx = x
		}
	}
	if idx == nil {
		return false
	}
	// The search has computed each row's distance: the projection
	// reads it from the scan's extra column instead of computing it a
	// second time.
	distCol := len(scan.Cols)
	order := exprKey(call)
	var useDist func(Expr) Expr
	useDist = func(x Expr) Expr {
		if c, ok := x.(*Call); ok && exprKey(c) == order {
			return &ColRef{Idx: distCol, T: c.Type()}
		}
		return mapChildren(x, useDist)
	}
	for i, e := range proj.Exprs {
		proj.Exprs[i] = useDist(e)
	}
	cols := append(scan.Cols[:len(scan.Cols):len(scan.Cols)], Column{Name: "distance", T: call.Type(), Hidden: true})
	// The filter is applied inside the scan, so its columns need not
	// be returned: KeyOnly depends on the projection alone.
	proj.Input = &VectorScan{Table: scan.Table, Index: idx, Cols: cols, Query: query, K: sort.TopK, Filter: scan.Filter, Order: call,
		KeyOnly:     readsOnly(proj.Exprs, append([]int{col.Idx, distCol}, scan.Table.PrimaryKey...)),
		ReadsVector: !readsOnly(proj.Exprs, excluding(len(cols), col.Idx)),
		Prefilter:   pre, PrefilterExact: pre != nil && spanIsFilter(pre)}
	return true
}

// spanIsFilter reports whether an index scan's span is exactly its
// filter: every conjunct is a comparison on one of the index's columns
// whose value is the very bound the span holds (`cat = 1 AND cat = 2`
// spans cat = 1 only) — equalities on the leading columns, a range on the
// next. Key encodings order and compare as SQL does, so the span then
// holds exactly the rows the filter passes.
func spanIsFilter(is *IndexScan) bool {
	eq := 0
	for eq < len(is.Lower) && eq < len(is.Upper) && is.Lower[eq] == is.Upper[eq] {
		eq++
	}
	for _, c := range conjunctsOf(is.Filter) {
		found := false
		for i, col := range is.Index.Columns[:eq] {
			found = found || findBound([]Expr{c}, col, "=") == is.Lower[i]
		}
		if eq < len(is.Index.Columns) {
			col := is.Index.Columns[eq]
			if eq < len(is.Lower) {
				op := map[bool]string{true: ">=", false: ">"}[is.LowerIncl]
				found = found || findBound([]Expr{c}, col, op) == is.Lower[eq]
			}
			if eq < len(is.Upper) {
				op := map[bool]string{true: "<=", false: "<"}[is.UpperIncl]
				found = found || findBound([]Expr{c}, col, op) == is.Upper[eq]
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// ExactScan answers ORDER BY <distance of a vector column to a constant>
// LIMIT k without an index: it scans Scan's rows in parallel, keeps the K
// best passing Scan's Filter (ties in primary-key order, as a stable sort
// of the scan would leave them) and returns them in that order as
// full-width table rows. The Sort above recomputes the key over those rows.
type ExactScan struct {
	Scan *Scan
	// Order is the distance call; its argument QueryArg is the constant
	// query vector, the other one the table's vector column Column.
	Order    *Call
	QueryArg int
	Column   int
	Desc     bool
	// NullsFirst places rows whose distance is NULL first.
	NullsFirst bool
	K          Expr
	// Parallel: Filter may be evaluated by several goroutines at once (it
	// holds no subquery, sequence call, volatile function or catalog
	// lookup); otherwise one goroutine scans.
	Parallel bool
	// FilterCols are the columns Filter reads (when Parallel).
	FilterCols []int
}

func (p *ExactScan) Columns() []Column { return p.Scan.Cols }

func useExactScan(sort *Sort, proj *Project, scan *Scan, call *Call, col *ColRef, colSide int) {
	if call.Fn == nil || sort.TopK == nil || col.Idx >= len(scan.Table.Columns) {
		return
	}
	colType := scan.Table.Columns[col.Idx].Type
	dense := call.Fn.Distance != nil && colType.IsVectorFamily()
	// sparsevec and bit columns: the distance's parameter is the
	// column's type.
	byValue := call.Fn.ValueDistance != nil && colType.Family == call.Fn.Params[colSide].Family
	if !dense && !byValue {
		return
	}
	e := &ExactScan{Scan: scan, Order: call, QueryArg: 1 - colSide, Column: col.Idx, Desc: sort.Keys[0].Desc,
		NullsFirst: sort.Keys[0].NullsFirst, K: sort.TopK, Parallel: true}
	walkExpr(scan.Filter, func(x Expr) {
		switch n := x.(type) {
		case *ColRef:
			e.FilterCols = append(e.FilterCols, n.Idx)
		case *SubqueryExpr, *SeqFuncExpr, *AggRef:
			e.Parallel = false
		case *Call:
			e.Parallel = e.Parallel && (n.Fn == nil || !n.Fn.Volatile)
		case *CastExpr:
			e.Parallel = e.Parallel && n.T.Family != types.FamRegclass && n.T.Family != types.FamRegtype
		}
	})
	proj.Input = e
}

// readsOnly reports whether exprs read no input columns but allowed (and
// hold no subqueries, whose correlated references are not visible here).
// excluding returns the ordinals below n other than skip.
func excluding(n, skip int) []int {
	out := make([]int, 0, n)
	for i := range n {
		if i != skip {
			out = append(out, i)
		}
	}
	return out
}

func readsOnly(exprs []Expr, allowed []int) bool {
	ok := true
	for _, e := range exprs {
		walkExpr(e, func(x Expr) {
			switch n := x.(type) {
			case *ColRef:
				found := false
				for _, a := range allowed {
					found = found || a == n.Idx
				}
				ok = ok && found
			case *SubqueryExpr:
				ok = false
			}
		})
	}
	return ok
}
