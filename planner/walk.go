package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// mapChildren rebuilds e with each direct child replaced by f(child).
// Subquery plans are left alone.
func mapChildren(e Expr, f func(Expr) Expr) Expr {
	mapAll := func(xs []Expr) []Expr {
		out := make([]Expr, len(xs))
		for i, x := range xs {
			out[i] = f(x)
		}
		return out
	}
	switch n := e.(type) {
	case *Call:
		c := *n
		c.Args = mapAll(n.Args)
		return &c
	case *CastExpr:
		c := *n
		c.Operand = f(n.Operand)
		return &c
	case *BoolOp:
		return &BoolOp{Or: n.Or, Args: mapAll(n.Args)}
	case *NotExpr:
		return &NotExpr{Operand: f(n.Operand)}
	case *IsNullExpr:
		return &IsNullExpr{Operand: f(n.Operand), Not: n.Not}
	case *IsBoolExpr:
		return &IsBoolExpr{Operand: f(n.Operand), Not: n.Not, What: n.What}
	case *CaseExpr:
		c := &CaseExpr{T: n.T}
		for _, w := range n.Whens {
			c.Whens = append(c.Whens, CaseWhen{Cond: f(w.Cond), Result: f(w.Result)})
		}
		if n.Else != nil {
			c.Else = f(n.Else)
		}
		return c
	case *CoalesceExpr:
		return &CoalesceExpr{Args: mapAll(n.Args), T: n.T}
	case *NullIfExpr:
		return &NullIfExpr{Left: f(n.Left), Right: f(n.Right), Eq: n.Eq}
	case *MinMaxExpr:
		return &MinMaxExpr{Greatest: n.Greatest, Args: mapAll(n.Args), T: n.T}
	case *InListExpr:
		return &InListExpr{Operand: f(n.Operand), List: mapAll(n.List), Eq: n.Eq, Not: n.Not}
	case *SubqueryExpr:
		c := *n
		if n.Operand != nil {
			c.Operand = f(n.Operand)
		}
		return &c
	case *QuantifiedArrayExpr:
		return &QuantifiedArrayExpr{Operand: f(n.Operand), Array: f(n.Array), Cmp: n.Cmp, All: n.All}
	case *ArrayExpr:
		return &ArrayExpr{Elems: mapAll(n.Elems), T: n.T}
	case *RowExpr:
		return &RowExpr{Fields: mapAll(n.Fields), T: n.T}
	case *SubscriptExpr:
		return &SubscriptExpr{Operand: f(n.Operand), Index: f(n.Index), T: n.T}
	case *FieldExpr:
		return &FieldExpr{Operand: f(n.Operand), Idx: n.Idx, T: n.T}
	case *DistinctExpr:
		return &DistinctExpr{Left: f(n.Left), Right: f(n.Right), Eq: n.Eq, Not: n.Not}
	case *LimitSum:
		return &LimitSum{Count: f(n.Count), Offset: f(n.Offset)}
	case *SysColumn:
		return &SysColumn{Name: n.Name, Table: n.Table, Key: mapAll(n.Key)}
	}
	return e
}

// walkExpr calls f for e and every expression below it (not descending
// into subquery plans).
func walkExpr(e Expr, f func(Expr)) {
	if e == nil {
		return
	}
	f(e)
	mapChildren(e, func(c Expr) Expr {
		walkExpr(c, f)
		return c
	})
}

// exprKey is a structural fingerprint: equal keys mean the same
// computation (used to match GROUP BY expressions in the select list).
func exprKey(e Expr) string {
	var sb strings.Builder
	var rec func(Expr)
	rec = func(x Expr) {
		switch n := x.(type) {
		case *ColRef:
			fmt.Fprintf(&sb, "c%d", n.Idx)
			return
		case *OuterRef:
			fmt.Fprintf(&sb, "o%d.%d", n.Depth, n.Idx)
			return
		case *Const:
			fmt.Fprintf(&sb, "k(%s:%s)", n.T, constText(n))
			return
		case *ParamRef:
			fmt.Fprintf(&sb, "$%d", n.N)
			return
		case *Call:
			fmt.Fprintf(&sb, "f(%s:%p", n.Name, n.Fn)
		case *CastExpr:
			fmt.Fprintf(&sb, "cast(%s", n.T)
		case *SubqueryExpr:
			fmt.Fprintf(&sb, "sub(%p", n.Plan)
		case *AggRef:
			fmt.Fprintf(&sb, "agg%d", n.Idx)
			return
		case *SeqFuncExpr:
			fmt.Fprintf(&sb, "seq(%s %d)", n.Func, n.Seq.ID)
			return
		default:
			fmt.Fprintf(&sb, "%T(", x)
		}
		mapChildren(x, func(c Expr) Expr {
			rec(c)
			sb.WriteByte(',')
			return c
		})
		sb.WriteByte(')')
	}
	rec(e)
	return sb.String()
}

func constText(c *Const) string {
	if types.IsNull(c.Val) {
		return "NULL"
	}
	return fmt.Sprintf("%v", c.Val)
}

// walkTree visits syntax-tree expressions; f returns false to skip a
// node's children. Subqueries are not entered.
func walkTree(e tree.Expr, f func(tree.Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	switch n := e.(type) {
	case *tree.BinaryExpr:
		walkTree(n.Left, f)
		walkTree(n.Right, f)
		walkTree(n.Escape, f)
	case *tree.UnaryExpr:
		walkTree(n.Operand, f)
	case *tree.IsExpr:
		walkTree(n.Operand, f)
	case *tree.BetweenExpr:
		walkTree(n.Operand, f)
		walkTree(n.Lo, f)
		walkTree(n.Hi, f)
	case *tree.InExpr:
		walkTree(n.Operand, f)
		for _, x := range n.List {
			walkTree(x, f)
		}
	case *tree.QuantifiedExpr:
		walkTree(n.Operand, f)
		walkTree(n.Array, f)
	case *tree.CaseExpr:
		walkTree(n.Operand, f)
		for _, w := range n.Whens {
			walkTree(w.Cond, f)
			walkTree(w.Result, f)
		}
		walkTree(n.Else, f)
	case *tree.CastExpr:
		walkTree(n.Operand, f)
	case *tree.CollateExpr:
		walkTree(n.Operand, f)
	case *tree.FuncCall:
		for _, x := range n.Args {
			walkTree(x, f)
		}
		walkTree(n.Filter, f)
	case *tree.ArrayExpr:
		for _, x := range n.Elems {
			walkTree(x, f)
		}
	case *tree.RowExpr:
		for _, x := range n.Elems {
			walkTree(x, f)
		}
	case *tree.Subscript:
		walkTree(n.Operand, f)
		walkTree(n.Index, f)
		walkTree(n.Upper, f)
	case *tree.ParenExpr:
		walkTree(n.Inner, f)
	case *tree.FieldAccess:
		walkTree(n.Operand, f)
	}
}

// planHasOuterRefs reports whether a subplan refers to any enclosing
// query's row (depth counted from the subplan's own level).
func planHasOuterRefs(p Plan) bool {
	found := false
	visitPlanExprs(p, 1, func(e Expr, depth int) {
		walkExpr(e, func(x Expr) {
			if o, ok := x.(*OuterRef); ok && o.Depth >= depth {
				found = true
			}
			if s, ok := x.(*SubqueryExpr); ok && s.Correlated {
				if planHasOuterRefsAt(s.Plan, depth+1) {
					found = true
				}
			}
		})
	})
	return found
}

func planHasOuterRefsAt(p Plan, depth int) bool {
	found := false
	visitPlanExprs(p, depth, func(e Expr, d int) {
		walkExpr(e, func(x Expr) {
			if o, ok := x.(*OuterRef); ok && o.Depth >= d {
				found = true
			}
		})
	})
	return found
}

// visitPlanExprs calls f on every expression held by the plan's nodes.
func visitPlanExprs(p Plan, depth int, f func(Expr, int)) {
	each := func(xs ...Expr) {
		for _, x := range xs {
			if x != nil {
				f(x, depth)
			}
		}
	}
	switch n := p.(type) {
	case *Scan:
		each(n.Lower...)
		each(n.Upper...)
		each(n.Filter)
	case *IndexScan:
		each(n.Lower...)
		each(n.Upper...)
		each(n.Filter)
	case *VirtualScan:
		each(n.Filter)
	case *VectorScan:
		each(n.Query, n.K, n.Filter)
		if n.Prefilter != nil {
			each(n.Prefilter.Lower...)
			each(n.Prefilter.Upper...)
		}
	case *ExactScan:
		each(n.K)
		visitPlanExprs(n.Scan, depth, f)
	case *ValuesNode:
		for _, r := range n.Rows {
			each(r...)
		}
	case *FuncScan:
		each(n.Args...)
	case *RowsFromScan:
		for _, in := range n.Inputs {
			visitPlanExprs(in, depth, f)
		}
	case *WindowNode:
		for _, sp := range n.Specs {
			each(sp.Partition...)
			for _, k := range sp.Order {
				each(k.Expr)
			}
		}
		for _, fn := range n.Funcs {
			each(fn.Args...)
			if fn.Agg != nil && fn.Agg.Filter != nil {
				each(fn.Agg.Filter)
			}
			each(fn.Frame.Start.Offset, fn.Frame.Start.Value, fn.Frame.End.Offset, fn.Frame.End.Value)
		}
		visitPlanExprs(n.Input, depth, f)
	case *ProjectSet:
		for _, fn := range n.Funcs {
			each(fn.Args...)
		}
		visitPlanExprs(n.Input, depth, f)
	case *Filter:
		each(n.Cond)
		visitPlanExprs(n.Input, depth, f)
	case *Project:
		each(n.Exprs...)
		visitPlanExprs(n.Input, depth, f)
	case *Join:
		each(n.LeftKeys...)
		each(n.RightKeys...)
		each(n.Cond)
		visitPlanExprs(n.Left, depth, f)
		if n.Lateral {
			// Its right side runs under the left row: one level deeper.
			visitPlanExprs(n.Right, depth+1, f)
		} else {
			visitPlanExprs(n.Right, depth, f)
		}
	case *Aggregate:
		each(n.GroupBy...)
		for _, a := range n.Aggs {
			each(a.Args...)
			each(a.Filter)
			for _, k := range a.OrderBy {
				each(k.Expr)
			}
		}
		visitPlanExprs(n.Input, depth, f)
	case *Sort:
		for _, k := range n.Keys {
			each(k.Expr)
		}
		each(n.TopK)
		visitPlanExprs(n.Input, depth, f)
	case *Limit:
		each(n.Count, n.Offset)
		visitPlanExprs(n.Input, depth, f)
	case *LockRows:
		visitPlanExprs(n.Input, depth, f)
	case *Distinct:
		visitPlanExprs(n.Input, depth, f)
	case *SetOpNode:
		visitPlanExprs(n.Left, depth, f)
		visitPlanExprs(n.Right, depth, f)
	case *RecursiveUnion:
		visitPlanExprs(n.NonRecursive, depth, f)
		visitPlanExprs(n.Recursive, depth, f)
	case *WithNode:
		for _, c := range n.CTEs {
			visitPlanExprs(c.Plan, depth, f)
		}
		visitPlanExprs(n.Input, depth, f)
	case *renamed:
		visitPlanExprs(n.Plan, depth, f)
	}
}

// ColumnsRead returns the ordinals of the input row's columns that e reads,
// in ascending order, or all=true when that cannot be known from e alone:
// a subquery may read the row through correlated references, and a node
// mapChildren does not open may hide column references.
func ColumnsRead(e Expr) (cols []int, all bool) {
	seen := map[int]bool{}
	walkExpr(e, func(x Expr) {
		switch x := x.(type) {
		case *ColRef:
			seen[x.Idx] = true
		case *Const, *ParamRef, *OuterRef,
			*Call, *CastExpr, *BoolOp, *NotExpr, *IsNullExpr, *IsBoolExpr, *CaseExpr,
			*CoalesceExpr, *NullIfExpr, *MinMaxExpr, *InListExpr, *QuantifiedArrayExpr,
			*ArrayExpr, *RowExpr, *SubscriptExpr, *FieldExpr, *DistinctExpr, *SysColumn:
		default: // subqueries and nodes whose children are not walked
			all = true
		}
	})
	if all {
		return nil, true
	}
	for c := range seen {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	return cols, false
}
