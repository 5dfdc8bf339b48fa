package planner

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// PostgreSQL's limits on grouping-set expansion (parse_clause.c).
const (
	maxCubeItems    = 12
	maxGroupingSets = 4096
)

// hasGroupingSets reports whether a GROUP BY list uses ROLLUP, CUBE,
// GROUPING SETS, () or a parenthesised column list.
func hasGroupingSets(items []tree.Expr) bool {
	for _, it := range items {
		switch it.(type) {
		case *tree.GroupingSet, *tree.RowExpr:
			// GROUP BY (a, b) groups by a and b, not by a row value
			return true
		}
	}
	return false
}

// expandGroupingSets turns a GROUP BY list into its grouping sets, each a
// list of expressions: the cartesian product of the top-level items, as
// PostgreSQL's expand_grouping_sets does. Duplicate sets are kept (GROUP BY
// DISTINCT drops them once they are bound).
func expandGroupingSets(items []tree.Expr) ([][]tree.Expr, error) {
	result := [][]tree.Expr{nil}
	for _, it := range items {
		sets, err := groupingItemSets(it)
		if err != nil {
			return nil, err
		}
		if len(result)*len(sets) > maxGroupingSets {
			return nil, pgerror.New("54001", "too many grouping sets present (maximum %d)", maxGroupingSets).WithPosition(int(exprPos(it)))
		}
		next := make([][]tree.Expr, 0, len(result)*len(sets))
		for _, r := range result {
			for _, s := range sets {
				next = append(next, append(append([]tree.Expr(nil), r...), s...))
			}
		}
		result = next
	}
	return result, nil
}

// columnList is the list of columns a parenthesised item stands for.
func columnList(e tree.Expr) []tree.Expr {
	if r, ok := e.(*tree.RowExpr); ok {
		return r.Elems
	}
	return []tree.Expr{e}
}

// groupingItemSets expands one GROUP BY element into its grouping sets.
func groupingItemSets(e tree.Expr) ([][]tree.Expr, error) {
	gs, ok := e.(*tree.GroupingSet)
	if !ok {
		// a parenthesised list is a set of columns, at the top level too
		return [][]tree.Expr{columnList(e)}, nil
	}
	switch gs.Kind {
	case "empty":
		return [][]tree.Expr{nil}, nil
	case "rollup":
		out := make([][]tree.Expr, 0, len(gs.Items)+1)
		for n := len(gs.Items); n >= 0; n-- {
			var s []tree.Expr
			for _, it := range gs.Items[:n] {
				s = append(s, columnList(it)...)
			}
			out = append(out, s)
		}
		return out, nil
	case "cube":
		if len(gs.Items) > maxCubeItems {
			return nil, pgerror.New("54011", "CUBE is limited to %d elements", maxCubeItems).WithPosition(int(gs.Pos))
		}
		n := len(gs.Items)
		out := make([][]tree.Expr, 0, 1<<n)
		// larger sets first, as PostgreSQL lists them
		for mask := (1 << n) - 1; mask >= 0; mask-- {
			var s []tree.Expr
			for i, it := range gs.Items {
				if mask&(1<<(n-1-i)) != 0 {
					s = append(s, columnList(it)...)
				}
			}
			out = append(out, s)
		}
		return out, nil
	}
	var out [][]tree.Expr
	for _, it := range gs.Items {
		sets, err := groupingItemSets(it)
		if err != nil {
			return nil, err
		}
		out = append(out, sets...)
		if len(out) > maxGroupingSets {
			return nil, pgerror.New("54001", "too many grouping sets present (maximum %d)", maxGroupingSets).WithPosition(int(gs.Pos))
		}
	}
	return out, nil
}

// bindGroupingSets binds every expression named by the grouping sets once
// (the Aggregate's group columns) and returns each set as indexes into
// them.
func (b *Binder) bindGroupingSets(items []tree.Expr, distinct bool, targets []boundTarget, in *scope, st *aggState) ([]Expr, [][]int, error) {
	sets, err := expandGroupingSets(items)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	var groupExprs []Expr
	out := make([][]int, len(sets))
	for i, s := range sets {
		for _, g := range s {
			ge, err := b.bindGroupItem(g, targets, in)
			if err != nil {
				return nil, nil, err
			}
			key := exprKey(ge)
			idx := -1
			for k, gk := range st.groupKeys {
				if gk == key {
					idx = k
				}
			}
			if idx < 0 {
				idx = len(groupExprs)
				groupExprs = append(groupExprs, ge)
				st.groupKeys = append(st.groupKeys, key)
				st.groupT = append(st.groupT, ge.Type())
			}
			if !containsInt(out[i], idx) {
				out[i] = append(out[i], idx)
			}
		}
	}
	if distinct {
		kept := out[:0]
		for _, s := range out {
			sorted := append([]int(nil), s...)
			sort.Ints(sorted)
			k := fmt.Sprint(sorted)
			if !seen[k] {
				seen[k] = true
				kept = append(kept, s)
			}
		}
		out = kept
	}
	return groupExprs, out, nil
}

func containsInt(l []int, v int) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// bindGrouping binds GROUPING(args): each argument must be one of the query
// level's group expressions. It becomes an AggCall the Aggregate node
// answers with the bit mask of the arguments absent from the row's set.
func (b *Binder) bindGrouping(n *tree.FuncCall, sc *scope) (Expr, error) {
	st := sc.agg
	if st == nil {
		if sc.noAggReason == "aggregate function calls cannot be nested" {
			return nil, pgerror.New(pgerror.CodeGroupingError, "aggregate function calls cannot be nested").WithPosition(int(n.Pos))
		}
		reason := sc.noAggReason
		if reason == "" {
			reason = "this context"
		}
		return nil, pgerror.New(pgerror.CodeGroupingError, "grouping operations are not allowed in %s", reason).WithPosition(int(n.Pos))
	}
	if len(n.Args) > 31 {
		return nil, pgerror.New("54023", "GROUPING must have fewer than 32 arguments").WithPosition(int(n.Pos))
	}
	sc.agg = nil
	defer func() { sc.agg = st }()
	sc.noAggReason = "aggregate function calls cannot be nested"
	defer func() { sc.noAggReason = "" }()
	call := AggCall{Name: "grouping", T: types.Int4}
	for _, a := range n.Args {
		x, err := b.bindExpr(a, sc)
		if err != nil {
			if pgerror.CodeOf(err) == pgerror.CodeGroupingError {
				return nil, pgerror.New(pgerror.CodeGroupingError, "aggregate function calls cannot be nested").WithPosition(int(exprPos(a)))
			}
			return nil, err
		}
		key := exprKey(x)
		idx := -1
		for k, gk := range st.groupKeys {
			if gk == key {
				idx = k
			}
		}
		if idx < 0 {
			return nil, pgerror.New(pgerror.CodeGroupingError, "arguments to GROUPING must be grouping expressions of the associated query level").WithPosition(int(exprPos(a)))
		}
		call.Grouping = append(call.Grouping, idx)
	}
	call.IsGrouping = true
	key := aggKey(&call)
	for _, g := range call.Grouping {
		key += "|g" + strconv.Itoa(g)
	}
	for i, k := range st.aggKeys {
		if k == key {
			return &AggRef{Idx: i, T: call.T}, nil
		}
	}
	st.aggs = append(st.aggs, call)
	st.aggKeys = append(st.aggKeys, key)
	return &AggRef{Idx: len(st.aggs) - 1, T: call.T}, nil
}

// isGroupingCall reports whether a call is the GROUPING(...) operation
// (not a user-visible function, so never schema-qualified).
func isGroupingCall(f *tree.FuncCall) bool {
	return f.Name == "grouping" && f.Schema == "" && !f.Star && len(f.Args) > 0
}
