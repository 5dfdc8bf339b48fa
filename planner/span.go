package planner

import (
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// pushSpan narrows a scan to the primary-key range its filter implies:
// equality on a prefix of the key columns, then an optional range on the
// next one. The filter stays in place, so the span only has to be a
// superset of the matching rows.
func pushSpan(s *Scan) {
	s.Lower, s.Upper, s.LowerIncl, s.UpperIncl, _ = keySpan(conjunctsOf(s.Filter), s.Table.PrimaryKey, nil)
}

// keySpan is the key range conds imply on keyCols (see spanBounds): its
// ends, whether each is inclusive, and how many leading columns are
// fixed by equality.
func keySpan(conds []Expr, keyCols []int, desc []bool) (lower, upper []Expr, lowerIncl, upperIncl bool, eq int) {
	lowerIncl, upperIncl = true, true
	spanBounds(conds, keyCols, desc, func(op string, _, v Expr) {
		switch op {
		case "=":
			lower = append(lower, v)
			upper = append(upper, v)
			eq++
		case ">=", ">":
			lower = append(lower, v)
			lowerIncl = op == ">="
		default:
			upper = append(upper, v)
			upperIncl = op == "<="
		}
	})
	return lower, upper, lowerIncl, upperIncl, eq
}

// spanBounds finds the conjuncts a key range is made of: equality on a
// prefix of keyCols, then an optional range on the next column unless
// desc marks it descending. It calls bound for each with the operator as
// seen from the column, the conjunct and its value side.
func spanBounds(conds []Expr, keyCols []int, desc []bool, bound func(op string, conj, v Expr)) {
	for k, col := range keyCols {
		if c, v := findBoundConj(conds, col, "="); v != nil {
			bound("=", c, v)
			continue
		}
		if k < len(desc) && desc[k] {
			break
		}
		// A range on this column ends the span.
		for _, ops := range [][2]string{{">=", ">"}, {"<=", "<"}} {
			op := ops[0]
			c, v := findBoundConj(conds, col, op)
			if v == nil {
				op = ops[1]
				c, v = findBoundConj(conds, col, op)
			}
			if v != nil {
				bound(op, c, v)
			}
		}
		break
	}
}

// IndexQuals splits a scan's filter into the conjuncts its key range on
// keyCols is built from (PostgreSQL's "Index Cond") and the rest.
func IndexQuals(filter Expr, keyCols []int) (quals, rest Expr) {
	conds := conjunctsOf(filter)
	used := map[Expr]bool{}
	var qs, rs []Expr
	spanBounds(conds, keyCols, nil, func(_ string, c, _ Expr) {
		if !used[c] {
			used[c] = true
			qs = append(qs, c)
		}
	})
	for _, c := range conds {
		if !used[c] {
			rs = append(rs, c)
		}
	}
	return andOf(qs), andOf(rs)
}

func andOf(xs []Expr) Expr {
	switch len(xs) {
	case 0:
		return nil
	case 1:
		return xs[0]
	}
	return &BoolOp{Args: xs}
}

var flipped = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// findBound returns the value v of a conjunct `col op v` (or `v op' col`)
// whose value side can be computed before the scan starts.
func findBound(conds []Expr, col int, op string) Expr {
	_, v := findBoundConj(conds, col, op)
	return v
}

// findBoundConj is findBound returning the conjunct too.
func findBoundConj(conds []Expr, col int, op string) (conj, v Expr) {
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
			return c, other
		}
	}
	return nil, nil
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

// chooseIndex replaces a scan that found no primary-key span by a
// secondary b-tree index scan when the filter has equality on the index's
// leading columns (and optionally a range on the next one). The longest
// equality prefix wins. A partial index serves only a filter that implies
// its WHERE.
func chooseIndex(s *Scan, implied func(*catalog.Table, *catalog.Index, Expr) bool) Plan {
	if len(s.Lower) > 0 || len(s.Upper) > 0 || s.Filter == nil {
		return s
	}
	conds := indexExprConds(s.Table, conjunctsOf(s.Filter))
	filter := andOf(conds)
	var best *IndexScan
	bestEq := 0
	for i := range s.Table.Indexes {
		idx := &s.Table.Indexes[i]
		if idx.Method != "btree" || idx.Building || idx.Where != "" && !implied(s.Table, idx, s.Filter) {
			continue
		}
		is := &IndexScan{Table: s.Table, Index: idx, Cols: s.Cols, Filter: filter}
		var eq int
		is.Lower, is.Upper, is.LowerIncl, is.UpperIncl, eq = keySpan(conds, idx.Columns, idx.Desc)
		if len(is.Lower) == 0 && len(is.Upper) == 0 {
			continue
		}
		if best == nil || eq > bestEq {
			best, bestEq = is, eq
		}
	}
	if best == nil {
		return s
	}
	return best
}

// indexExprConds rewrites the comparisons in conds whose side is an
// expression an expression index holds (lower(email) = $1) to compare
// the index's hidden column instead, which carries the same value, so
// that key spans find them as they find plain columns.
func indexExprConds(t *catalog.Table, conds []Expr) []Expr {
	has := false
	for i := range t.Columns {
		has = has || t.Columns[i].Hidden && t.Columns[i].Generated != "" && !t.Columns[i].Dropped
	}
	if !has {
		return conds
	}
	out := make([]Expr, len(conds))
	for k, c := range conds {
		out[k] = c
		call, ok := c.(*Call)
		if !ok || len(call.Args) != 2 || flipped[call.Name] == "" {
			continue
		}
		for side := 0; side < 2; side++ {
			arg := call.Args[side]
			if _, isRef := arg.(*ColRef); isRef || isScanConstant(arg) {
				continue
			}
			if g := IndexExprColumn(t, arg); g >= 0 {
				nc := *call
				nc.Args = append([]Expr(nil), call.Args...)
				nc.Args[side] = &ColRef{Idx: g, T: t.Columns[g].Type}
				out[k] = &nc
				break
			}
		}
	}
	return out
}
