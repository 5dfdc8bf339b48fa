package planner

import (
	"errors"
	"strings"

	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// relationSchemas are the schemas a relation name is looked up in, in
// order: its own schema when qualified, else the search path's (the
// temporary schema first). nil when the named schema does not exist —
// PostgreSQL then reports the relation, not the schema, as missing.
func (b *Binder) relationSchemas(n tree.ObjectName) ([]catalog.ID, error) {
	if n.Catalog != "" && n.Catalog != b.DB.Name {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cross-database references are not implemented: %s", displayName(n))
	}
	if n.Schema == "" {
		return b.schemaIDs(), nil
	}
	schema := n.Schema
	if schema == "pg_temp" && b.TempSchema != "" {
		schema = b.TempSchema
	}
	if s := b.Cat.SchemaByName(b.DB.ID, schema); s != nil {
		return []catalog.ID{s.ID}, nil
	}
	return nil, nil
}

// LookupView finds a view by possibly qualified name; nil when the first
// relation of that name on the path is not a view, or there is none.
func (b *Binder) LookupView(n tree.ObjectName) (*catalog.View, error) {
	ids, err := b.relationSchemas(n)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if b.Cat.TableByName(id, n.Name) != nil {
			return nil, nil
		}
		if v := b.Cat.ViewByName(id, n.Name); v != nil {
			return v, nil
		}
	}
	return nil, nil
}

// Relations returns the tables and views the bound statement read
// directly (not through a view): what a view defined by it depends on.
func (b *Binder) Relations() []catalog.ID { return b.relations }

// RelationRef is where a statement named a table or view it read, and
// which relation the name resolved to.
type RelationRef struct {
	Pos, End tree.Pos
	Relation catalog.ID
}

// RelationRefs returns the names in FROM that resolved to tables and
// views, each once, in the order bound.
func (b *Binder) RelationRefs() []RelationRef { return b.relationRefs }

func (b *Binder) noteRelation(id catalog.ID, name tree.ObjectName) {
	if name.Pos > 0 && name.End > name.Pos {
		seen := false
		for _, r := range b.relationRefs {
			seen = seen || r.Pos == name.Pos
		}
		if !seen {
			b.relationRefs = append(b.relationRefs, RelationRef{Pos: name.Pos, End: name.End, Relation: id})
		}
	}
	for _, r := range b.relations {
		if r == id {
			return
		}
	}
	b.relations = append(b.relations, id)
}

// ViewQueryText is v's query with each table and view it names spelled
// by its current name, schema-qualified when qualify says so (always
// when the text is to be bound; when not visible on the search path,
// for display, as pg_get_viewdef qualifies).
func ViewQueryText(cat *storage.Catalog, v *catalog.View, qualify func(rel catalog.ID, schema catalog.ID) bool) string {
	var sb strings.Builder
	at := 0
	for _, r := range v.Refs {
		if r.Offset < at || r.Offset+r.Len > len(v.Query) {
			continue
		}
		var schema catalog.ID
		var name string
		if t := cat.Tables[r.Relation]; t != nil {
			schema, name = t.SchemaID, t.Name
		} else if w := cat.Views[r.Relation]; w != nil {
			schema, name = w.SchemaID, w.Name
		} else {
			continue // gone: the text as written
		}
		sb.WriteString(v.Query[at:r.Offset])
		if sc := cat.Schemas[schema]; sc != nil && qualify(r.Relation, schema) {
			sb.WriteString(builtins.QuoteIdent(sc.Name))
			sb.WriteByte('.')
		}
		sb.WriteString(builtins.QuoteIdent(name))
		at = r.Offset + r.Len
	}
	sb.WriteString(v.Query[at:])
	return sb.String()
}

// BindViewQuery binds a view's stored query as the view sees it: the
// tables and views it read at creation under their current names
// (ViewQueryText), other names resolved against the search path saved
// with the view, no CTEs or parameters of the statement that reads it. A view's columns may be
// fewer than the query yields now (SELECT * over a table that has gained
// columns since, which PostgreSQL expanded at creation): those are the
// first ones.
func (b *Binder) BindViewQuery(v *catalog.View) (Plan, error) {
	return b.bindViewQuery(v, nil)
}

// bindViewQuery is BindViewQuery; the table columns the query reads
// itself are added to reads when it is not nil.
func (b *Binder) bindViewQuery(v *catalog.View, reads map[TableColumn]bool) (Plan, error) {
	for _, id := range b.viewStack {
		if id == v.ID {
			return nil, pgerror.New("42P17", "infinite recursion detected in rules for relation \"%s\"", v.Name)
		}
	}
	if b.ParseQuery == nil {
		return nil, errors.New("planner: binder cannot parse view queries")
	}
	text := ViewQueryText(b.Cat, v, func(catalog.ID, catalog.ID) bool { return true })
	sel, err := b.ParseQuery(text)
	if err != nil {
		return nil, viewError(v, err)
	}
	vb := &Binder{
		Cat: b.Cat, DB: b.DB, SearchPath: v.SearchPath,
		ParseExpr: b.ParseExpr, ParseQuery: b.ParseQuery, Virtual: b.Virtual, IndexOID: b.IndexOID, Proc: b.Proc,
		viewStack:   append(append([]catalog.ID(nil), b.viewStack...), v.ID),
		columnReads: reads,
	}
	if sc := b.Cat.Schemas[v.SchemaID]; sc != nil && sc.Name == b.TempSchema {
		// Only a temporary view may read temporary tables.
		vb.TempSchema = b.TempSchema
	}
	p, err := vb.BindViewDefinition(sel)
	if err != nil {
		return nil, viewError(v, err)
	}
	cols := p.Columns()
	if len(cols) < len(v.Columns) {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "view \"%s\" no longer matches its definition: its query yields %d columns, the view has %d", v.Name, len(cols), len(v.Columns))
	}
	for i, vc := range v.Columns {
		if cols[i].Name != vc.Source {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "view \"%s\" no longer matches its definition: its column \"%s\" now reads \"%s\", not \"%s\"", v.Name, vc.Name, cols[i].Name, vc.Source)
		}
		if !cols[i].T.Identical(vc.Type) {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "view \"%s\" no longer matches its definition: column \"%s\" is now of type %s, not %s", v.Name, vc.Name, cols[i].T, vc.Type)
		}
	}
	if len(cols) > len(v.Columns) {
		exprs := make([]Expr, len(v.Columns))
		for i := range exprs {
			exprs[i] = &ColRef{Idx: i, T: cols[i].T}
		}
		p = &Project{Input: p, Exprs: exprs, Cols: append([]Column(nil), cols[:len(v.Columns)]...)}
	}
	return p, nil
}

// BindViewDefinition binds the query of CREATE VIEW, or a stored view's:
// its visible columns, those of unknown type (a bare string literal) made
// text as PostgreSQL makes them.
func (b *Binder) BindViewDefinition(sel *tree.Select) (Plan, error) {
	p, err := b.bindSelect(sel, nil)
	if err != nil {
		return nil, err
	}
	p = stripHidden(p)
	cols := p.Columns()
	unknown := false
	for _, c := range cols {
		unknown = unknown || c.T.Family == types.FamUnknown
	}
	if !unknown {
		return p, nil
	}
	exprs := make([]Expr, len(cols))
	out := append([]Column(nil), cols...)
	for i, c := range cols {
		exprs[i] = &ColRef{Idx: i, T: c.T}
		if c.T.Family == types.FamUnknown {
			if exprs[i], err = b.coerce(exprs[i], types.Text, types.CastImplicit, "column \""+c.Name+"\""); err != nil {
				return nil, err
			}
			out[i].T = types.Text
		}
	}
	return &Project{Input: p, Exprs: exprs, Cols: out}, nil
}

// viewError drops the position of an error raised inside a view's
// query: it would point into the view's text, not the statement's.
func viewError(v *catalog.View, err error) error {
	var pe *pgerror.Error
	if errors.As(err, &pe) {
		if pe.Position == 0 {
			return err
		}
		return pe.WithPosition(0)
	}
	return err
}

// bindView expands a view named in FROM into its query, under the view's
// column names (or n's column aliases).
func (b *Binder) bindView(v *catalog.View, n *tree.TableRef, outer *scope) (Plan, *scope, error) {
	p, err := b.BindViewQuery(v)
	if err != nil {
		return nil, nil, err
	}
	b.noteRelation(v.ID, n.Name)
	alias := v.Name
	if n.Alias != "" {
		alias = n.Alias
	}
	pcols := p.Columns()
	cols := make([]Column, len(v.Columns))
	for i, vc := range v.Columns {
		cols[i] = Column{Name: vc.Name, Table: alias, T: pcols[i].T, TableOID: uint32(v.ID), AttNum: int16(i + 1)}
		if i < len(n.ColAliases) {
			cols[i].Name = n.ColAliases[i]
		}
	}
	sc := newScope(cols, outer)
	for i := range sc.cols {
		sc.cols[i].relName = v.Name
	}
	if proj := scanProjection(p, len(cols)); proj != nil {
		// A view that only picks columns of one table (and filters it)
		// stays open to what the reading query does with it: a WHERE
		// reaches the scan's filter (addFilter), an ORDER BY distance
		// LIMIT k the table's HNSW index (useVectorIndex), as with the
		// table itself.
		proj.Cols = cols
		return proj, sc, nil
	}
	return &renamed{Plan: p, cols: cols}, sc, nil
}

// scanProjection is p — a view's plan with n columns — as a projection
// of plain columns of a table scan, nil when it is anything else.
func scanProjection(p Plan, n int) *Project {
	switch x := p.(type) {
	case *Scan, *IndexScan:
		cols := p.Columns()
		if len(cols) < n {
			return nil
		}
		exprs := make([]Expr, n)
		for i := range exprs {
			if cols[i].Hidden {
				return nil
			}
			exprs[i] = &ColRef{Idx: i, T: cols[i].T}
		}
		return &Project{Input: p, Exprs: exprs}
	case *Project:
		inner := x.Input
		exprs := x.Exprs
		if in, ok := inner.(*Project); ok && columnsOnly(in) {
			// A projection of a projection: the view's columns cut from
			// its query's (BindViewQuery).
			exprs = substituteColumns(exprs, in.Exprs)
			inner = in.Input
		}
		switch inner.(type) {
		case *Scan, *IndexScan:
		default:
			return nil
		}
		if len(exprs) != n || !columnsOnly(&Project{Exprs: exprs}) {
			return nil
		}
		return &Project{Input: inner, Exprs: exprs}
	}
	return nil
}

// columnsOnly reports whether a projection only picks input columns.
func columnsOnly(p *Project) bool {
	for _, e := range p.Exprs {
		if _, ok := e.(*ColRef); !ok {
			return false
		}
	}
	return true
}

// substituteColumns rewrites expressions over a projection's output into
// expressions over its input (inner: the projection's expressions).
func substituteColumns(xs []Expr, inner []Expr) []Expr {
	var f func(Expr) Expr
	f = func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok && c.Idx < len(inner) {
			return inner[c.Idx]
		}
		return mapChildren(x, f)
	}
	out := make([]Expr, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// filterThroughProjection pushes the conjuncts of cond that can be
// rewritten over the input (those without subqueries, whose outer
// references name this projection's columns) below a projection of plain
// columns of a scan; the rest stay above it.
func (b *Binder) filterThroughProjection(p *Project, cond Expr) Plan {
	var keep []Expr
	for _, c := range conjunctsOf(cond) {
		if hasSubqueryExpr(c) {
			keep = append(keep, c)
			continue
		}
		pushed := substituteColumns([]Expr{c}, p.Exprs)[0]
		switch in := p.Input.(type) {
		case *IndexScan:
			// Back to a scan with the whole filter, so the best key
			// range or index is chosen again.
			s := &Scan{Table: in.Table, Cols: in.Cols, Filter: in.Filter, LowerIncl: true, UpperIncl: true}
			p.Input = b.addFilter(s, pushed)
		default:
			p.Input = b.addFilter(p.Input, pushed)
		}
	}
	if len(keep) == 0 {
		return p
	}
	return &Filter{Input: p, Cond: andAll(keep)}
}

// hasSubqueryExpr reports whether a bound expression holds a subquery.
func hasSubqueryExpr(e Expr) bool {
	found := false
	walkExpr(e, func(x Expr) {
		if _, ok := x.(*SubqueryExpr); ok {
			found = true
		}
	})
	return found
}

// updatableView is how INSERT, UPDATE and DELETE write through a view
// PostgreSQL updates automatically — one that selects plain columns of
// one table (directly or through such views) with an optional WHERE:
// the table, the view's WHERE over the table's rows, and which table
// column each view column is.
type updatableView struct {
	view   *catalog.View
	table  *catalog.Table
	filter Expr
	cols   []int
}

// updatableView answers how to write through v (verb, as in errors),
// or PostgreSQL's 55000 when v cannot be written through.
func (b *Binder) updatableView(v *catalog.View, verb string) (*updatableView, error) {
	if b.ParseQuery == nil {
		return nil, errors.New("planner: binder cannot parse view queries")
	}
	sel, err := b.ParseQuery(v.Query)
	if err != nil {
		return nil, viewError(v, err)
	}
	if nonUpdatableReason(sel) != "" {
		return nil, b.viewNotUpdatable(v, verb)
	}
	p, err := b.BindViewQuery(v)
	if err != nil {
		return nil, err
	}
	proj := scanProjection(p, len(v.Columns))
	if proj == nil {
		return nil, b.viewNotUpdatable(v, verb)
	}
	uv := &updatableView{view: v}
	switch in := proj.Input.(type) {
	case *Scan:
		uv.table, uv.filter = in.Table, in.Filter
	case *IndexScan:
		uv.table, uv.filter = in.Table, in.Filter
	}
	seen := map[int]bool{}
	for _, e := range proj.Exprs {
		c := e.(*ColRef) // scanProjection keeps only plain columns
		if seen[c.Idx] {
			// A table column shown twice: PostgreSQL lets only one of
			// them be written; Quiver does not write through such a view.
			return nil, b.viewNotUpdatable(v, verb)
		}
		seen[c.Idx] = true
		uv.cols = append(uv.cols, c.Idx)
	}
	return uv, nil
}

// ViewUpdatable reports whether INSERT, UPDATE and DELETE write through
// v (information_schema's is_updatable and is_insertable_into).
func (b *Binder) ViewUpdatable(v *catalog.View) bool {
	_, err := b.updatableView(v, "update")
	return err == nil
}

// columns are the table's columns as a statement on the view sees them:
// under the view's names, the ones the view does not show hidden.
func (uv *updatableView) columns(alias string) []Column {
	if alias == "" {
		alias = uv.view.Name
	}
	cols := TableColumns(uv.table, alias)
	for j := range cols {
		cols[j].Name, cols[j].Hidden = "", true
	}
	for i, j := range uv.cols {
		cols[j].Name, cols[j].Hidden = uv.view.Columns[i].Name, false
	}
	return cols
}

// tableColumn is the name of the table column view column name is.
func (uv *updatableView) tableColumn(name string) (string, error) {
	for i, c := range uv.view.Columns {
		if c.Name == name {
			return uv.table.Columns[uv.cols[i]].Name, nil
		}
	}
	return "", pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, uv.view.Name)
}

// setClauses renames UPDATE's targets from the view's columns to the
// table's.
func (uv *updatableView) setClauses(set []tree.SetClause) ([]tree.SetClause, error) {
	out := make([]tree.SetClause, len(set))
	for i, sc := range set {
		out[i] = sc
		var err error
		if sc.Column != "" {
			if out[i].Column, err = uv.tableColumn(sc.Column); err != nil {
				return nil, withPos(err, sc.Pos)
			}
		}
		if len(sc.Columns) > 0 {
			out[i].Columns = make([]string, len(sc.Columns))
			for k, name := range sc.Columns {
				if out[i].Columns[k], err = uv.tableColumn(name); err != nil {
					return nil, withPos(err, sc.Pos)
				}
			}
		}
	}
	return out, nil
}

// bindInsertIntoView is INSERT into a view: an INSERT into its table of
// the columns the view's columns are (the others get their defaults, as
// in PostgreSQL; rows need not satisfy the view's WHERE).
func (b *Binder) bindInsertIntoView(v *catalog.View, n *tree.Insert) (*Insert, error) {
	uv, err := b.updatableView(v, "insert into")
	if err != nil {
		return nil, err
	}
	returning, err := uv.returning(n.Returning, n.Alias, false)
	if err != nil {
		return nil, err
	}
	if n.OnConflict != nil {
		return nil, notSupported("ON CONFLICT through a view")
	}
	names := n.Columns
	if len(names) == 0 && n.Source != nil {
		for _, c := range v.Columns {
			names = append(names, c.Name)
		}
		if vals, ok := n.Source.Body.(*tree.Values); ok && len(vals.Rows) > 0 && len(vals.Rows[0]) < len(names) {
			// Without a column list the values fill the leading columns.
			names = names[:len(vals.Rows[0])]
		}
	}
	ins := *n
	ins.Columns = make([]string, len(names))
	for i, name := range names {
		if ins.Columns[i], err = uv.tableColumn(name); err != nil {
			return nil, err
		}
	}
	ins.Table = tree.ObjectName{Name: uv.table.Name, Pos: n.Table.Pos}
	if sc := b.Cat.Schemas[uv.table.SchemaID]; sc != nil {
		ins.Table.Schema = sc.Name
	}
	ins.Alias, ins.Returning = "", nil
	bound, err := b.BindInsert(&ins)
	if err != nil {
		return nil, err
	}
	// RETURNING reads the inserted table row under the view's names.
	if bound.Returning, bound.ReturningCols, err = b.bindReturning(returning, newScope(uv.columns(n.Alias), nil)); err != nil {
		return nil, err
	}
	return bound, nil
}

// returning spells RETURNING's stars out as the view's columns, in the
// view's order (a star over the table row would give the table's). With
// FROM or USING items (from) a bare star would need theirs too: not yet.
func (uv *updatableView) returning(items []tree.Target, alias string, from bool) ([]tree.Target, error) {
	if alias == "" {
		alias = uv.view.Name
	}
	var out []tree.Target
	for _, t := range items {
		star := false
		switch e := t.Expr.(type) {
		case *tree.Star:
			if from {
				return nil, notSupported("RETURNING * through a view with FROM or USING")
			}
			star = true
		case *tree.ColumnRef:
			star = len(e.Parts) == 2 && e.Parts[1] == "*" && e.Parts[0] == alias
		}
		if !star {
			out = append(out, t)
			continue
		}
		for i, c := range uv.view.Columns {
			out = append(out, tree.Target{Expr: &tree.ColumnRef{Parts: []string{c.Name}, Pos: t.Pos, Ordinal: uv.cols[i] + 1}, Pos: t.Pos})
		}
	}
	return out, nil
}

// viewNotUpdatable is PostgreSQL's error for INSERT, UPDATE or DELETE
// (verb: "insert into", "update", "delete from") on a view that cannot
// be written through. PostgreSQL also writes through some views Quiver
// does not (a column shown twice, computed columns beside plain ones):
// for those the detail says so instead of giving a PostgreSQL reason.
func (b *Binder) viewNotUpdatable(v *catalog.View, verb string) error {
	detail := "Quiver writes only through views whose columns are distinct plain columns of one table."
	if b.ParseQuery != nil {
		if sel, err := b.ParseQuery(v.Query); err == nil {
			if reason := nonUpdatableReason(sel); reason != "" {
				detail = reason
			}
		}
	}
	var hint string
	switch verb {
	case "insert into":
		hint = "To enable inserting into the view, provide an INSTEAD OF INSERT trigger or an unconditional ON INSERT DO INSTEAD rule."
	case "update":
		hint = "To enable updating the view, provide an INSTEAD OF UPDATE trigger or an unconditional ON UPDATE DO INSTEAD rule."
	default:
		hint = "To enable deleting from the view, provide an INSTEAD OF DELETE trigger or an unconditional ON DELETE DO INSTEAD rule."
	}
	return pgerror.New("55000", "cannot %s view \"%s\"", verb, v.Name).WithDetail("%s", detail).WithHint("%s", hint)
}

// nonUpdatableReason is the first reason PostgreSQL's
// view_query_is_auto_updatable gives for a query that cannot be updated
// through, "" when it has none.
func nonUpdatableReason(sel *tree.Select) string {
	if sel.With != nil {
		return "Views containing WITH are not automatically updatable."
	}
	sc, ok := sel.Body.(*tree.SelectClause)
	if !ok {
		if _, set := sel.Body.(*tree.SetOp); set {
			return "Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable."
		}
		return "Views that do not select from a single table or view are not automatically updatable."
	}
	switch {
	case sc.Distinct || len(sc.DistinctOn) > 0:
		return "Views containing DISTINCT are not automatically updatable."
	case len(sc.GroupBy) > 0:
		return "Views containing GROUP BY are not automatically updatable."
	case sc.Having != nil:
		return "Views containing HAVING are not automatically updatable."
	case sel.Limit != nil || sel.Offset != nil:
		return "Views containing LIMIT or OFFSET are not automatically updatable."
	}
	agg, window, srf := false, false, false
	for _, t := range sc.Targets {
		walkTree(t.Expr, func(e tree.Expr) bool {
			switch f := e.(type) {
			case *tree.FuncCall:
				switch {
				case f.Over != nil:
					window = true
				case builtins.Aggregates(f.Name) != nil:
					agg = true
				case builtins.SRFs(f.Name) != nil:
					srf = true
				}
			case *tree.SubqueryExpr, *tree.ExistsExpr, *tree.ArraySubquery:
				return false
			}
			return true
		})
	}
	switch {
	case agg:
		return "Views that return aggregate functions are not automatically updatable."
	case window:
		return "Views that return window functions are not automatically updatable."
	case srf:
		return "Views that return set-returning functions are not automatically updatable."
	}
	if len(sc.From) != 1 {
		return "Views that do not select from a single table or view are not automatically updatable."
	}
	if _, ok := sc.From[0].(*tree.TableRef); !ok {
		return "Views that do not select from a single table or view are not automatically updatable."
	}
	return ""
}
