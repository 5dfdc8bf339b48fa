package planner

import (
	"strings"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// scope is the set of columns a name can refer to at one query level.
type scope struct {
	cols   []scopeCol
	parent *scope
	// agg is set while binding the select list, HAVING and ORDER BY of an
	// aggregating query: aggregate calls are collected there.
	agg *aggState
	// noAggReason, when set, names the clause in which aggregates are not
	// allowed (WHERE, JOIN conditions, GROUP BY).
	noAggReason string
	// win collects window function calls where they are allowed (the
	// select list and ORDER BY of the query level); nil elsewhere.
	win *winState
	// lateral marks the scope of the FROM items left of a LATERAL one;
	// lateralUsed records that the LATERAL item referred to them, and
	// lateralTable and lateralPos the first such reference.
	lateral, lateralUsed bool
	lateralTable         string
	lateralPos           tree.Pos
}

type scopeCol struct {
	Column
	// relName is the table behind an aliased range-table entry, for the
	// "invalid reference to FROM-clause entry" diagnosis.
	relName string
	// rel is the stored table whose rows the column comes from, directly
	// from its range-table entry (not through a subquery or view): its
	// system columns can be read.
	rel *catalog.Table
	// mergedAway hides a USING column from unqualified references and
	// from *, because its merged twin on the other side answers for it.
	mergedAway bool
}

func newScope(cols []Column, parent *scope) *scope {
	s := &scope{parent: parent}
	for _, c := range cols {
		s.cols = append(s.cols, scopeCol{Column: c})
	}
	return s
}

func (s *scope) columns() []Column {
	out := make([]Column, len(s.cols))
	for i, c := range s.cols {
		out[i] = c.Column
	}
	return out
}

// resolve finds a column reference at this level. found=false means not
// here (try the parent); an error means ambiguous.
func (s *scope) resolve(table, name string, pos tree.Pos) (int, bool, error) {
	idx := -1
	for i, c := range s.cols {
		if c.Name != name {
			continue
		}
		if table == "" && (c.mergedAway || c.Hidden) {
			continue
		}
		if table != "" && c.Table != table {
			continue
		}
		if idx >= 0 {
			ref := name
			if table != "" {
				ref = table + "." + name
			}
			return 0, false, pgerror.New(pgerror.CodeAmbiguousColumn, "column reference \"%s\" is ambiguous", ref).WithPosition(int(pos))
		}
		idx = i
	}
	return idx, idx >= 0, nil
}

// tableOID answers the system column tableoid (after real columns, so a
// column of that name wins): the OID of the stored table behind the
// range-table entry named table, or of the only one at this level.
func (s *scope) tableOID(table string, pos tree.Pos) (uint32, bool, error) {
	var oid uint32
	for _, c := range s.cols {
		if c.TableOID == 0 || (table != "" && c.Table != table) {
			continue
		}
		if oid != 0 && c.TableOID != oid {
			return 0, false, pgerror.New(pgerror.CodeAmbiguousColumn, "column reference \"tableoid\" is ambiguous").WithPosition(int(pos))
		}
		oid = c.TableOID
	}
	return oid, oid != 0, nil
}

func (s *scope) hasTable(table string) bool {
	for _, c := range s.cols {
		if c.Table == table {
			return true
		}
	}
	return false
}

// resolveColumn binds a column reference through this scope and its
// parents, producing a ColRef or an OuterRef.
func (s *scope) resolveColumn(ref *tree.ColumnRef) (Expr, error) {
	var table, name string
	switch len(ref.Parts) {
	case 1:
		name = ref.Parts[0]
	case 2:
		table, name = ref.Parts[0], ref.Parts[1]
	case 3, 4:
		// schema.table.column (database.schema.table.column): the range
		// table is named by its last qualifier.
		table, name = ref.Parts[len(ref.Parts)-2], ref.Parts[len(ref.Parts)-1]
	default:
		return nil, pgerror.New(pgerror.CodeSyntaxError, "improper qualified name (too many dotted names): %s", strings.Join(ref.Parts, ".")).WithPosition(int(ref.Pos))
	}
	if ref.Ordinal > 0 && ref.Ordinal <= len(s.cols) {
		return &ColRef{Idx: ref.Ordinal - 1, T: s.cols[ref.Ordinal-1].T}, nil
	}
	tableSeen := false
	depth := 0
	for cur := s; cur != nil; cur = cur.parent {
		idx, ok, err := cur.resolve(table, name, ref.Pos)
		if err != nil {
			return nil, err
		}
		if ok {
			t := cur.cols[idx].T
			if depth == 0 {
				return &ColRef{Idx: idx, T: t}, nil
			}
			if cur.lateral && !cur.lateralUsed {
				cur.lateralUsed, cur.lateralTable, cur.lateralPos = true, cur.cols[idx].Table, ref.Pos
			}
			return &OuterRef{Depth: depth, Idx: idx, T: t}, nil
		}
		if name == "tableoid" {
			oid, ok, err := cur.tableOID(table, ref.Pos)
			if err != nil {
				return nil, err
			}
			if ok {
				return &Const{Val: types.DOid(oid), T: types.Oid}, nil
			}
		}
		if x, ok, err := cur.resolveSysColumn(table, name, depth, ref.Pos); err != nil || ok {
			return x, err
		}
		if table != "" && cur.hasTable(table) {
			tableSeen = true
		}
		depth++
	}
	if row := s.wholeRow(table, name, ref.Pos); row != nil {
		return row, nil
	}
	if table != "" {
		if !tableSeen {
			for cur := s; cur != nil; cur = cur.parent {
				for _, c := range cur.cols {
					if c.relName == table && c.Table != table {
						return nil, pgerror.New(pgerror.CodeUndefinedTable, "invalid reference to FROM-clause entry for table \"%s\"", table).
							WithHint("Perhaps you meant to reference the table alias \"%s\".", c.Table).WithPosition(int(ref.Pos))
					}
				}
			}
			return nil, pgerror.New(pgerror.CodeUndefinedTable, "missing FROM-clause entry for table \"%s\"", table).WithPosition(int(ref.Pos))
		}
		return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column %s.%s does not exist", table, name).WithPosition(int(ref.Pos))
	}
	return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" does not exist", name).WithPosition(int(ref.Pos))
}

// wholeRow binds a reference to a range-table entry itself, t (no column
// of that name) or t.* where an expression is expected, to the record of
// its columns (nil when no entry has that name).
func (s *scope) wholeRow(table, name string, pos tree.Pos) Expr {
	rel := name
	if table != "" {
		if name != "*" {
			return nil
		}
		rel = table
	}
	depth := 0
	for cur := s; cur != nil; cur = cur.parent {
		if cur.hasTable(rel) {
			row := &RowExpr{T: &types.T{Family: types.FamRecord}}
			for i, c := range cur.cols {
				if c.Table != rel || c.Hidden {
					continue
				}
				var ref Expr = &ColRef{Idx: i, T: c.T}
				if depth > 0 {
					ref = &OuterRef{Depth: depth, Idx: i, T: c.T}
					if cur.lateral && !cur.lateralUsed {
						cur.lateralUsed, cur.lateralTable, cur.lateralPos = true, rel, pos
					}
				}
				row.Fields = append(row.Fields, ref)
				row.T.Fields = append(row.T.Fields, types.Field{Name: c.Name, Type: c.T})
			}
			return row
		}
		depth++
	}
	return nil
}

// aggState collects the aggregates and grouping expressions of one query
// level while its select list is bound.
type aggState struct {
	groupKeys []string
	groupT    []*types.T
	aggs      []AggCall
	aggKeys   []string
}
