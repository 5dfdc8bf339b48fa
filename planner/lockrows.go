package planner

import (
	"strings"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

// rowLock is a SELECT's locking clause (FOR UPDATE, NO KEY UPDATE, SHARE
// or KEY SHARE) while its SELECT clause is bound:
// bindSelectClause adds the table's primary key to the output as hidden
// columns and records them here.
type rowLock struct {
	clause   *tree.SelectClause
	strength string // as in messages: "UPDATE", "KEY SHARE"
	table    *catalog.Table
	keyCols  []int
}

// beginRowLock checks that a SELECT's locking clause can be served (one
// table in FROM; no DISTINCT, GROUP BY, HAVING or set operation, as
// PostgreSQL requires) and returns the lock its SELECT clause fills in;
// nil without a locking clause.
func (b *Binder) beginRowLock(s *tree.Select) (*rowLock, error) {
	if s.ForUpdate == "" {
		return nil, nil
	}
	strength := strings.ToUpper(s.ForUpdate)
	notAllowed := func(what string) error {
		return pgerror.New(pgerror.CodeFeatureNotSupported, "FOR %s is not allowed with %s", strength, what)
	}
	sc, ok := s.Body.(*tree.SelectClause)
	if !ok {
		return nil, notAllowed("UNION/INTERSECT/EXCEPT")
	}
	switch {
	case sc.Distinct || len(sc.DistinctOn) > 0:
		return nil, notAllowed("DISTINCT clause")
	case len(sc.GroupBy) > 0:
		return nil, notAllowed("GROUP BY clause")
	case sc.Having != nil:
		return nil, notAllowed("HAVING clause")
	case hasAggregate(targetList(sc.Targets)):
		return nil, notAllowed("aggregate functions")
	}
	if len(sc.From) != 1 {
		return nil, notSupported("SELECT FOR " + strength + " over other than one table")
	}
	ref, ok := sc.From[0].(*tree.TableRef)
	if !ok {
		return nil, notSupported("SELECT FOR " + strength + " over other than one table")
	}
	for _, of := range s.LockOf {
		if of.Name != ref.Name.Name && of.Name != ref.Alias {
			return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" in FOR %s clause not found in FROM clause", of.Name, strength)
		}
	}
	return &rowLock{clause: sc, strength: strength}, nil
}

// lockKeys appends the hidden primary key columns of a locking clause's table
// to a SELECT clause's output, when lk belongs to that clause and its
// input is a scan of one table.
func (lk *rowLock) lockKeys(sc *tree.SelectClause, input Plan, exprs []Expr, cols []Column) ([]Expr, []Column, error) {
	if lk == nil || lk.clause != sc {
		return exprs, cols, nil
	}
	var tb *catalog.Table
	var in []Column
	switch n := input.(type) {
	case *Scan:
		tb, in = n.Table, n.Cols
	case *IndexScan:
		tb, in = n.Table, n.Cols
	}
	// The scan's columns are the table's, in order (TableColumns).
	if tb == nil || len(in) != len(tb.Columns) {
		return nil, nil, notSupported("SELECT FOR " + lk.strength + " over a view, a WITH query or a function")
	}
	lk.table = tb
	for _, c := range tb.PrimaryKey {
		lk.keyCols = append(lk.keyCols, len(exprs))
		exprs = append(exprs, &ColRef{Idx: c, T: in[c].T})
		cols = append(cols, Column{Name: "?lock?", T: in[c].T, Hidden: true})
	}
	return exprs, cols, nil
}

// lockRows puts a filled rowLock's LockRows on p.
func lockRows(p Plan, lk *rowLock, s *tree.Select) (Plan, error) {
	if lk.table == nil {
		return nil, notSupported("SELECT FOR " + lk.strength + " in this query form")
	}
	if s.WithTies {
		return nil, notSupported("SELECT FOR " + lk.strength + " with WITH TIES")
	}
	return &LockRows{Input: p, Table: lk.table, KeyCols: lk.keyCols, Strength: lk.strength, Wait: s.LockWait}, nil
}
