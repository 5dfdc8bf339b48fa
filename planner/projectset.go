package planner

import (
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
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
		if srf.ReturnsRecord() {
			return nil, errRecordRowType(c.call.Name)
		}
		if len(fcols) == 1 {
			col := Column{Name: c.call.Name, Table: c.alias, T: fcols[0].Type}
			ps.Funcs = append(ps.Funcs, &FuncScan{Fn: srf, Args: args, Cols: []Column{col}})
			ps.Cols = append(ps.Cols, col)
			in.cols = append(in.cols, scopeCol{Column: col})
			continue
		}
		// A composite result: its fields, then the whole row as a record
		// named after the function (the select list refers to either).
		var fields []Column
		for _, fc := range fcols {
			fields = append(fields, Column{Name: fc.Name, Table: c.alias, T: fc.Type})
		}
		rec := Column{Name: c.call.Name, Table: c.alias, T: types.Record, Fields: fields}
		ps.Funcs = append(ps.Funcs, &FuncScan{Fn: srf, Args: args, Cols: append(append([]Column(nil), fields...), rec)})
		for _, col := range append(fields, rec) {
			ps.Cols = append(ps.Cols, col)
			in.cols = append(in.cols, scopeCol{Column: col})
		}
	}
	return ps, nil
}

// bindFieldAccess binds (record).field over a record column whose fields
// are known (a composite set-returning function's result).
func (b *Binder) bindFieldAccess(n *tree.FieldAccess, sc *scope) (Expr, error) {
	x, err := b.bindExpr(n.Operand, sc)
	if err != nil {
		return nil, err
	}
	if r, ok := x.(*ColRef); ok && r.Idx < len(sc.cols) {
		for i, f := range sc.cols[r.Idx].Fields {
			if f.Name == n.Field {
				return &FieldExpr{Operand: x, Idx: i, T: f.T}, nil
			}
		}
		if len(sc.cols[r.Idx].Fields) > 0 {
			return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" not found in data type record", n.Field).WithPosition(int(n.Pos))
		}
	}
	return nil, notSupported("field selection")
}
