package executor

import (
	"fmt"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// createTableAs runs CREATE TABLE ... AS query and SELECT ... INTO: a new
// table with the query's column names and types (no constraints, no
// defaults) filled with its rows, unless WITH NO DATA.
func (s *Session) createTableAs(ec *execCtx, b *planner.Binder, n *tree.CreateTable) (Result, error) {
	sc, err := s.tableSchema(ec, b, n)
	if err != nil {
		return nil, err
	}
	if skip, err := s.checkNewRelationName(b, sc, n.Name.Name, n.IfNotExists); err != nil || skip {
		return doneResult("CREATE TABLE AS"), err
	}
	plan, err := b.BindQuery(n.AsSelect)
	if err != nil {
		return nil, err
	}
	var cols []planner.Column
	for _, c := range plan.Columns() {
		if !c.Hidden {
			cols = append(cols, c)
		}
	}
	if len(n.AsColumns) > len(cols) {
		return nil, pgerror.New(pgerror.CodeSyntaxError, "too many column names were specified")
	}
	id, err := s.eng.store.AllocateID(ec.ctx)
	if err != nil {
		return nil, err
	}
	t := &catalog.Table{ID: id, DatabaseID: s.db.ID, SchemaID: sc.ID, Name: n.Name.Name, Owner: s.user}
	for i, c := range cols {
		name := c.Name
		if i < len(n.AsColumns) {
			name = n.AsColumns[i]
		}
		if t.ColumnByName(name) >= 0 {
			return nil, pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" specified more than once", name)
		}
		typ := c.T
		if typ.Family == types.FamUnknown {
			typ = types.Text
		}
		t.Columns = append(t.Columns, catalog.Column{ID: uint32(i + 1), Name: name, Type: typ})
	}
	for _, c := range t.Columns {
		if err := checkNotSystemColumn(c.Name); err != nil {
			return nil, err
		}
	}
	if len(t.Columns) == 0 {
		return nil, notSupportedStmt("tables without columns")
	}
	addRowid(t)
	if err := ec.txn.PutTable(t); err != nil {
		return nil, err
	}
	s.registerOnCommit(n, t.ID)
	if n.WithNoData {
		return doneResult("CREATE TABLE AS"), nil
	}
	count, err := ec.insertQueryRows(t, plan, len(cols))
	if err != nil {
		return nil, fmt.Errorf("CREATE TABLE AS: %w", err)
	}
	return doneResult(fmt.Sprintf("SELECT %d", count)), nil
}

// checkNewRelationName is CREATE ... AS's check that the name is free, made
// before the query is looked at, as PostgreSQL makes it: with IF NOT
// EXISTS a taken name is skipped with a notice.
func (s *Session) checkNewRelationName(b *planner.Binder, sc *catalog.Schema, name string, ifNotExists bool) (skip bool, err error) {
	if !b.Cat.RelationNameTaken(sc.ID, name) {
		return false, nil
	}
	if ifNotExists {
		s.noticeCode(pgerror.CodeDuplicateTable, "relation \"%s\" already exists, skipping", name)
		return true, nil
	}
	return false, pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", name)
}

// addRowid gives a table made without a primary key the hidden rowid
// column that serves as one.
func addRowid(t *catalog.Table) {
	t.Columns = append(t.Columns, catalog.Column{ID: uint32(len(t.Columns) + 1), Name: rowidColumn, Type: types.Int8, NotNull: true, Hidden: true})
	t.PrimaryKey = []int{len(t.Columns) - 1}
}
