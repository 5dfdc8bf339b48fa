package planner

import (
	"github.com/quiverdb/quiver/sql/tree"
)

// ProjectSet runs the select list's set-returning functions once per input
// row, as PostgreSQL's ProjectSet does: each output row is the input row
// followed by one value of every function, the functions advancing in
// lockstep, those that have ended giving NULL, until all have ended (an
// input row for which every function is empty yields nothing).
type ProjectSet struct {
	Input Plan
	// Funcs' arguments are evaluated over the input row.
	Funcs []*FuncScan
	Cols  []Column
}

func (p *ProjectSet) Columns() []Column { return p.Cols }

// srfTarget is a select-list set-returning call taken out by
// hoistSetReturning, referred to as column alias.<function name>.
type srfTarget struct {
	alias string
	call  *tree.FuncCall
}

// bindProjectSet binds the calls over the input's scope and extends the
// scope with their columns.
func (b *Binder) bindProjectSet(input Plan, in *scope, calls []srfTarget) (Plan, error) {
	ps := &ProjectSet{Input: input, Cols: in.columns()}
	for _, c := range calls {
		srf, args, fcols, err := b.bindSRFCall(c.call, in)
		if err != nil {
			return nil, err
		}
		if len(fcols) != 1 {
			return nil, notSupported("set-returning functions of several columns in the select list")
		}
		col := Column{Name: c.call.Name, Table: c.alias, T: fcols[0].Type}
		ps.Funcs = append(ps.Funcs, &FuncScan{Fn: srf, Args: args, Cols: []Column{col}})
		ps.Cols = append(ps.Cols, col)
		in.cols = append(in.cols, scopeCol{Column: col})
	}
	return ps, nil
}
