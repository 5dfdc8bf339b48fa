package executor

import (
	"fmt"
	"unicode/utf8"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgdialect"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// createMatview is CREATE MATERIALIZED VIEW: a table (relkind 'm') whose
// rows are the query's, keeping the query as a view keeps it (text, the
// relations it names by OID, the search path) so that REFRESH can run it
// again and the relations it reads cannot be dropped under it.
func (s *Session) createMatview(ec *execCtx, b *planner.Binder, n *tree.CreateView) (Result, error) {
	sc, err := s.relationSchema(ec, b, n.Name, false)
	if err != nil {
		return nil, err
	}
	if skip, err := s.checkNewRelationName(b, sc, n.Name.Name, n.IfNotExists); err != nil || skip {
		return doneResult("CREATE MATERIALIZED VIEW"), err
	}
	plan, err := bindViewDefinition(b, n.Query)
	if err != nil {
		return nil, err
	}
	cols := plan.Columns()
	if len(n.Columns) > len(cols) {
		return nil, pgerror.New(pgerror.CodeSyntaxError, "too many column names were specified")
	}
	deps := b.Relations()
	for _, id := range deps {
		if s.inTempSchema(b.Cat, id) {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "materialized views must not use temporary tables or views")
		}
	}
	vcols, err := viewColumns(cols, n.Columns)
	if err != nil {
		return nil, err
	}
	t := &catalog.Table{DatabaseID: s.db.ID, SchemaID: sc.ID, Name: n.Name.Name, Owner: s.user}
	for i, c := range vcols {
		if err := checkNotSystemColumn(c.Name); err != nil {
			return nil, err
		}
		t.Columns = append(t.Columns, catalog.Column{ID: uint32(i + 1), Name: c.Name, Type: c.Type})
	}
	if len(t.Columns) == 0 {
		return nil, notSupportedStmt("materialized views without columns")
	}
	addRowid(t)
	query, refs := viewText(n, vcols, b.RelationRefs())
	m := &catalog.Matview{Query: query, Refs: refs, DependsOn: deps, Populated: !n.WithNoData}
	for _, c := range vcols {
		m.Sources = append(m.Sources, c.Source)
	}
	m.SearchPath = s.viewSearchPath(b)
	t.Matview = m
	if t.ID, err = s.eng.store.AllocateID(ec.ctx); err != nil {
		return nil, fmt.Errorf("create materialized view %s: %w", t.Name, err)
	}
	if m.RuleOID, err = s.eng.store.AllocateID(ec.ctx); err != nil {
		return nil, fmt.Errorf("create materialized view %s: %w", t.Name, err)
	}
	if err := ec.txn.PutTable(t); err != nil {
		return nil, fmt.Errorf("create materialized view %s: %w", t.Name, err)
	}
	if n.WithNoData {
		return doneResult("CREATE MATERIALIZED VIEW"), nil
	}
	count, err := ec.insertQueryRows(t, plan, len(cols))
	if err != nil {
		return nil, fmt.Errorf("create materialized view %s: %w", t.Name, err)
	}
	return doneResult(fmt.Sprintf("SELECT %d", count)), nil
}

// insertQueryRows inserts what plan returns into t, a table made for its
// first ncols columns plus the hidden rowid, row by row as the plan
// yields them (CREATE TABLE AS, materialized views).
func (ec *execCtx) insertQueryRows(t *catalog.Table, plan planner.Plan, ncols int) (int64, error) {
	it, err := ec.build(plan)
	if err != nil {
		return 0, err
	}
	defer it.Close()
	var count int64
	for {
		in, err := it.Next()
		if err != nil {
			return count, err
		}
		if in == nil {
			return count, nil
		}
		if count&255 == 0 {
			if err := ec.ctx.Err(); err != nil {
				return count, canceled(err)
			}
		}
		row := make([]types.Datum, len(t.Columns))
		copy(row, in[:ncols])
		row[len(row)-1] = types.Null // the rowid, assigned on insert
		if err := ec.txn.InsertRow(ec.ctx, t, row); err != nil {
			return count, err
		}
		count++
	}
}

// lookupMatview resolves a name DROP MATERIALIZED VIEW gives; other
// relations get PostgreSQL's error with its hint. A missing relation
// gives nil, nil.
func (s *Session) lookupMatview(b *planner.Binder, name tree.ObjectName) (*catalog.Table, error) {
	t, err := b.LookupTable(name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		if v, _ := b.LookupView(name); v != nil {
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a materialized view", name.Name).
				WithHint("Use DROP VIEW to remove a view.")
		}
		return nil, nil
	}
	if t.Matview == nil {
		return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a materialized view", name.Name).
			WithHint("Use DROP TABLE to remove a table.")
	}
	return t, nil
}

// refreshMatview is REFRESH MATERIALIZED VIEW: the rows are replaced by
// what the query returns now, within the statement's transaction (a
// rollback brings the old rows back). CONCURRENTLY is checked as
// PostgreSQL checks it and then refreshes the same way: Quiver's readers
// see their snapshot whatever a transaction writes, so there is no lock
// for it to avoid.
func (s *Session) refreshMatview(ec *execCtx, b *planner.Binder, n *tree.RefreshMatview) (Result, error) {
	t, err := b.LookupTable(n.Name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		if v, _ := b.LookupView(n.Name); v != nil {
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a table or materialized view", n.Name.Name)
		}
		return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", n.Name.Name)
	}
	if r := s.currentRole(b.Cat); !r.Superuser && r.Name != t.Owner {
		return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be owner of materialized view %s", t.Name)
	}
	if t.Matview == nil {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "\"%s\" is not a materialized view", t.Name)
	}
	if n.Concurrently {
		if !t.Matview.Populated {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "CONCURRENTLY cannot be used when the materialized view is not populated")
		}
		if n.WithNoData {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "CONCURRENTLY and WITH NO DATA options cannot be used together")
		}
		if !hasPlainUniqueIndex(t) {
			return nil, pgerror.New("55000", "cannot refresh materialized view \"%s.%s\" concurrently",
				b.Cat.Schemas[t.SchemaID].Name, t.Name).
				WithHint("Create a unique index with no WHERE clause on one or more columns of the materialized view.")
		}
	}
	var plan planner.Plan
	if !n.WithNoData {
		// Bound before anything changes, so that a query that no longer
		// binds leaves the rows as they were.
		if plan, err = b.BindViewQuery(t.MatviewQuery()); err != nil {
			return nil, err
		}
	}
	if err := ec.deleteAllRows(t); err != nil {
		return nil, fmt.Errorf("refresh materialized view %s: %w", t.Name, err)
	}
	if t.Matview.Populated == n.WithNoData {
		nt := *t
		m := *t.Matview
		m.Populated = !n.WithNoData
		nt.Matview = &m
		if err := ec.txn.PutTable(&nt); err != nil {
			return nil, fmt.Errorf("refresh materialized view %s: %w", t.Name, err)
		}
		t = &nt
	}
	if plan != nil {
		if _, err := ec.insertQueryRows(t, plan, len(t.Matview.Sources)); err != nil {
			return nil, fmt.Errorf("refresh materialized view %s: %w", t.Name, err)
		}
	}
	return doneResult("REFRESH MATERIALIZED VIEW"), nil
}

// hasPlainUniqueIndex reports whether t has a unique index on columns
// alone, without a predicate: what REFRESH ... CONCURRENTLY matches old
// and new rows by.
func hasPlainUniqueIndex(t *catalog.Table) bool {
	for _, ix := range t.Indexes {
		if ix.Unique && ix.Where == "" && !ix.Building && len(ix.Columns) > 0 {
			return true
		}
	}
	return false
}

// checkPopulated is PostgreSQL's refusal to read a materialized view
// created or refreshed WITH NO DATA. It looks at the transaction's
// catalog, not the plan's descriptor, which a cached plan may hold from
// before a REFRESH.
func (ec *execCtx) checkPopulated(t *catalog.Table) error {
	if t.Matview == nil {
		return nil
	}
	cat, err := ec.txn.Catalog()
	if err != nil {
		return err
	}
	if cur := cat.Tables[t.ID]; cur != nil && cur.Matview != nil && !cur.Matview.Populated {
		return pgerror.New("55000", "materialized view \"%s\" has not been populated", cur.Name).
			WithHint("Use the REFRESH MATERIALIZED VIEW command.")
	}
	return nil
}

// renamedMatviewQuery is t's query after RENAME COLUMN renamed columns
// of t (their names in t.Columns, the query's own in Sources): the select
// list gets the new names as aliases, as PostgreSQL's deparsed query has
// them, so that pg_get_viewdef, and a dump restored from it, name the
// columns as t does. A query whose columns cannot take an alias (a star)
// is refused: Quiver keeps the star as written.
func renamedMatviewQuery(t *catalog.Table) (*catalog.Matview, error) {
	m := *t.Matview
	const head = "CREATE MATERIALIZED VIEW x AS "
	parsed, err := pgdialect.ParseOne(head + m.Query)
	if err != nil {
		return nil, fmt.Errorf("materialized view %s: parsing its query: %w", t.Name, err)
	}
	n, ok := parsed.Stmt.(*tree.CreateView)
	if !ok || n.QueryText != m.Query {
		return nil, fmt.Errorf("materialized view %s: its query does not parse back", t.Name)
	}
	// viewText takes the names' positions as the parser gives them:
	// characters from the statement's start.
	refs := make([]planner.RelationRef, len(m.Refs))
	for i, r := range m.Refs {
		from := utf8.RuneCountInString(m.Query[:r.Offset])
		to := from + utf8.RuneCountInString(m.Query[r.Offset:r.Offset+r.Len])
		refs[i] = planner.RelationRef{Pos: n.QueryPos + tree.Pos(from), End: n.QueryPos + tree.Pos(to), Relation: r.Relation}
	}
	vcols := t.MatviewQuery().Columns
	m.Query, m.Refs = viewText(n, vcols, refs)
	m.Sources = nil
	for _, c := range vcols {
		if c.Name != c.Source {
			// The text would still name the column as before, and a
			// dump restored from it would bring the old name back.
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot rename column \"%s\" of materialized view \"%s\": its query's select list has no item to give the new name to", c.Source, t.Name).
				WithHint("Create the materialized view again with the column named in its query or column list.")
		}
		m.Sources = append(m.Sources, c.Source)
	}
	return &m, nil
}
