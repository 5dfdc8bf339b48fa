package planner

import (
	"strconv"

	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// WindowNode computes the select list's ranking window functions
// (row_number, rank, dense_rank) over the whole input and emits each input
// row followed by one value per function. Rows come out in the order of
// the last function's window (PARTITION BY, then ORDER BY keys), as
// PostgreSQL's WindowAgg does.
type WindowNode struct {
	Input Plan
	Funcs []WindowFunc
	Cols  []Column
}

// WindowFunc is one ranking function and its window.
type WindowFunc struct {
	Name      string
	Partition []Expr
	Order     []SortKey
}

func (p *WindowNode) Columns() []Column { return p.Cols }

// rankingFunctions are the window functions Quiver computes.
var rankingFunctions = map[string]bool{"row_number": true, "rank": true, "dense_rank": true}

// windowTarget is a select-list window call taken out by hoistWindows,
// referred to as column alias.<function name>.
type windowTarget struct {
	alias string
	call  *tree.FuncCall
}

// hoistWindows takes top-level window calls out of the select list,
// leaving references to their columns.
func hoistWindows(sc *tree.SelectClause) (*tree.SelectClause, []windowTarget) {
	var out *tree.SelectClause
	var calls []windowTarget
	for i, t := range sc.Targets {
		f, ok := t.Expr.(*tree.FuncCall)
		if !ok || f.Over == nil {
			continue
		}
		if out == nil {
			c := *sc
			c.Targets = append([]tree.Target(nil), sc.Targets...)
			out = &c
		}
		alias := "?window" + strconv.Itoa(i) + "?"
		calls = append(calls, windowTarget{alias: alias, call: f})
		name := t.Alias
		if name == "" {
			name = f.Name
		}
		out.Targets[i] = tree.Target{Expr: &tree.ColumnRef{Parts: []string{alias, f.Name}, Pos: f.Pos}, Alias: name, Pos: t.Pos}
	}
	if out == nil {
		return sc, nil
	}
	return out, calls
}

// bindWindows binds the calls' windows over the input's scope and extends
// the scope with their columns.
func (b *Binder) bindWindows(input Plan, in *scope, calls []windowTarget) (Plan, error) {
	w := &WindowNode{Input: input, Cols: in.columns()}
	in.noAggReason = "window definitions"
	defer func() { in.noAggReason = "" }()
	for _, c := range calls {
		f := c.call
		if !rankingFunctions[f.Name] || f.Schema != "" && f.Schema != "pg_catalog" {
			return nil, notSupported("window function " + f.Name)
		}
		if len(f.Args) > 0 || f.Star || f.Distinct || f.Filter != nil || f.Over.Name != "" {
			return nil, notSupported("this form of window function call")
		}
		wf := WindowFunc{Name: f.Name}
		for _, e := range f.Over.PartitionBy {
			x, err := b.bindExpr(e, in)
			if err != nil {
				return nil, err
			}
			wf.Partition = append(wf.Partition, x)
		}
		for _, it := range f.Over.OrderBy {
			if it.Using != "" {
				return nil, notSupported("ORDER BY ... USING")
			}
			x, err := b.bindExpr(it.Expr, in)
			if err != nil {
				return nil, err
			}
			nullsFirst := it.Desc
			switch it.Nulls {
			case "first":
				nullsFirst = true
			case "last":
				nullsFirst = false
			}
			wf.Order = append(wf.Order, SortKey{Expr: x, Desc: it.Desc, NullsFirst: nullsFirst})
		}
		col := Column{Name: f.Name, Table: c.alias, T: types.Int8}
		w.Funcs = append(w.Funcs, wf)
		w.Cols = append(w.Cols, col)
		in.cols = append(in.cols, scopeCol{Column: col})
	}
	return w, nil
}
