package planner

// useVectorIndex turns a top-k sort by a vector distance over a table scan
// into an HNSW index scan when an index on that column has the operator's
// class. The sort stays on top: it orders the k rows the index returns by
// the exact distance (and keeps ties as an exact sort would order them).
func useVectorIndex(sort *Sort) {
	if len(sort.Keys) != 1 || sort.Keys[0].Desc || sort.Keys[0].NullsFirst {
		return
	}
	proj, ok := sort.Input.(*Project)
	if !ok {
		return
	}
	scan, ok := proj.Input.(*Scan)
	if !ok || len(scan.Lower) > 0 || len(scan.Upper) > 0 {
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
		if !ok || !isScanConstant(query) {
			continue
		}
		for i := range scan.Table.Indexes {
			idx := &scan.Table.Indexes[i]
			if idx.Method != "hnsw" || idx.Building || len(idx.Columns) != 1 || idx.Columns[0] != col.Idx {
				continue
			}
			if HNSWOperator[idx.Opclass[0]] != call.Name {
				continue
			}
			proj.Input = &VectorScan{Table: scan.Table, Index: idx, Cols: scan.Cols, Query: query, K: sort.TopK, Filter: scan.Filter, Order: call,
				KeyOnly: scan.Filter == nil && readsOnly(proj.Exprs, append([]int{col.Idx}, scan.Table.PrimaryKey...))}
			return
		}
	}
}

// readsOnly reports whether exprs read no input columns but allowed (and
// hold no subqueries, whose correlated references are not visible here).
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
