package planner

import "github.com/quiverdb/quiver/sql/types"

// pushSpan narrows a scan to the primary-key range its filter implies:
// equality on a prefix of the key columns, then an optional range on the
// next one. The filter stays in place, so the span only has to be a
// superset of the matching rows.
func pushSpan(s *Scan) {
	s.Lower, s.Upper = nil, nil
	s.LowerIncl, s.UpperIncl = true, true
	conds := conjunctsOf(s.Filter)
	for _, col := range s.Table.PrimaryKey {
		if v := findBound(conds, col, "="); v != nil {
			s.Lower = append(s.Lower, v)
			s.Upper = append(s.Upper, v)
			continue
		}
		// A range on this column ends the span.
		lo, loIncl := findBound(conds, col, ">="), true
		if lo == nil {
			lo, loIncl = findBound(conds, col, ">"), false
		}
		hi, hiIncl := findBound(conds, col, "<="), true
		if hi == nil {
			hi, hiIncl = findBound(conds, col, "<"), false
		}
		if lo != nil {
			s.Lower = append(s.Lower, lo)
			s.LowerIncl = loIncl
		}
		if hi != nil {
			s.Upper = append(s.Upper, hi)
			s.UpperIncl = hiIncl
		}
		break
	}
}

var flipped = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// findBound returns the value v of a conjunct `col op v` (or `v op' col`)
// whose value side can be computed before the scan starts.
func findBound(conds []Expr, col int, op string) Expr {
	for _, c := range conds {
		call, ok := c.(*Call)
		if !ok || len(call.Args) != 2 {
			continue
		}
		for side := 0; side < 2; side++ {
			ref, ok := call.Args[side].(*ColRef)
			other := call.Args[1-side]
			want := op
			if side == 1 {
				want = flipped[op]
			}
			if !ok || ref.Idx != col || call.Name != want || !isScanConstant(other) {
				continue
			}
			if !other.Type().Identical(ref.T) && !(other.Type().Family == ref.T.Family) {
				continue
			}
			if other.Type().Family == types.FamUnknown {
				continue
			}
			return other
		}
	}
	return nil
}

// isScanConstant: no references to the scanned row, no volatile calls.
func isScanConstant(e Expr) bool {
	ok := true
	walkExpr(e, func(x Expr) {
		switch n := x.(type) {
		case *ColRef, *SubqueryExpr, *AggRef, *SeqFuncExpr:
			ok = false
		case *Call:
			if n.Fn != nil && n.Fn.Volatile {
				ok = false
			}
		}
	})
	return ok
}
