package planner

import (
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// RowsFromScan runs ROWS FROM's functions side by side: output row i holds
// each function's row i, NULLs for a function that has ended, until all
// have. With Ordinality a final int8 column numbers the rows from 1.
type RowsFromScan struct {
	Inputs     []Plan
	Cols       []Column
	Ordinality bool
}

func (p *RowsFromScan) Columns() []Column { return p.Cols }

func (b *Binder) bindRowsFrom(n *tree.RowsFrom, outer *scope) (Plan, *scope, error) {
	if len(n.Funcs) == 1 {
		// one function: exactly a function in FROM
		return b.bindFuncTable(&tree.FuncTable{Func: n.Funcs[0], ColDefs: n.ColDefs[0], Alias: n.Alias, ColAliases: n.ColAliases, Ordinality: n.Ordinality}, outer)
	}
	alias := "rows"
	if n.Alias != "" {
		alias = n.Alias
	}
	rs := &RowsFromScan{Ordinality: n.Ordinality}
	for i, f := range n.Funcs {
		p, _, err := b.bindFuncTable(&tree.FuncTable{Func: f, ColDefs: n.ColDefs[i]}, outer)
		if err != nil {
			return nil, nil, err
		}
		rs.Inputs = append(rs.Inputs, p)
		for _, c := range p.Columns() {
			rs.Cols = append(rs.Cols, Column{Name: c.Name, Table: alias, T: c.T})
		}
	}
	if n.Ordinality {
		rs.Cols = append(rs.Cols, Column{Name: "ordinality", Table: alias, T: types.Int8})
	}
	if len(n.ColAliases) > len(rs.Cols) {
		return nil, nil, pgerror.New(pgerror.CodeInvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified", alias, len(rs.Cols), len(n.ColAliases))
	}
	for i, name := range n.ColAliases {
		rs.Cols[i].Name = name
	}
	return rs, newScope(rs.Cols, outer), nil
}
