package planner

import (
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// SysColumn reads a system column of the row version a range-table entry
// of a stored table produced: xmin, xmax or ctid. Scans do not carry
// versions, so the executor looks the version up by the row's primary key
// (Key), as the transaction sees it: only queries naming these columns pay
// for it. A NULL key (the NULL side of an outer join) gives NULL.
type SysColumn struct {
	Name  string
	Table *catalog.Table
	Key   []Expr
}

func (s *SysColumn) Type() *types.T {
	if s.Name == "ctid" {
		return types.Tid
	}
	return types.Xid
}

// resolveSysColumn binds a system column other than tableoid (after real
// columns, so a column of that name would win) at scope level cur, depth
// levels up: ok=false when the name is no system column or no stored
// table at that level answers it.
func (s *scope) resolveSysColumn(table, name string, depth int, pos tree.Pos) (Expr, bool, error) {
	switch name {
	case "cmin", "cmax":
		// Quiver numbers no commands within a transaction: every row
		// shows command 0, as one written by a transaction's first does.
		if s.sysEntry(table) < 0 {
			return nil, false, nil
		}
		return &Const{Val: types.DOid(0), T: types.Cid}, true, nil
	case "xmin", "xmax", "ctid":
	default:
		return nil, false, nil
	}
	first := s.sysEntry(table)
	if first < 0 {
		return nil, false, nil
	}
	rel, alias := s.cols[first].rel, s.cols[first].Table
	for _, c := range s.cols {
		if c.rel != nil && (table == "" || c.Table == table) && c.Table != alias {
			return nil, false, pgerror.New(pgerror.CodeAmbiguousColumn, "column reference \"%s\" is ambiguous", name).WithPosition(int(pos))
		}
	}
	sc := &SysColumn{Name: name, Table: rel}
	for _, ord := range rel.PrimaryKey {
		idx := -1
		for i, c := range s.cols {
			if c.rel == rel && c.Table == alias && int(c.AttNum) == ord+1 {
				idx = i
				break
			}
		}
		if idx < 0 {
			return nil, false, nil
		}
		t := s.cols[idx].T
		if depth == 0 {
			sc.Key = append(sc.Key, &ColRef{Idx: idx, T: t})
		} else {
			sc.Key = append(sc.Key, &OuterRef{Depth: depth, Idx: idx, T: t})
		}
	}
	return sc, true, nil
}

// sysEntry finds the first column of a stored table's range-table entry
// named table (any, when table is empty): -1 when there is none.
func (s *scope) sysEntry(table string) int {
	for i, c := range s.cols {
		if c.rel != nil && (table == "" || c.Table == table) {
			return i
		}
	}
	return -1
}

// tableScope is the scope of a stored table's rows under alias, whose
// system columns are answered from rel.
func tableScope(t *catalog.Table, alias string, parent *scope) *scope {
	sc := newScope(TableColumns(t, alias), parent)
	for i := range sc.cols {
		sc.cols[i].rel = t
	}
	return sc
}
