package executor

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/storage"
)

// createView is CREATE [OR REPLACE] [TEMP] VIEW. The query is bound now —
// so a view that would not work is refused here, as in PostgreSQL — and
// stored as its text with the schemas its names were resolved against
// (catalog.View).
func (s *Session) createView(ec *execCtx, b *planner.Binder, n *tree.CreateView) (Result, error) {
	plan, err := bindViewDefinition(b, n.Query)
	if err != nil {
		return nil, err
	}
	cols := plan.Columns()
	if len(n.Columns) > len(cols) {
		return nil, pgerror.New(pgerror.CodeSyntaxError, "CREATE VIEW specifies more column names than columns")
	}
	vcols, err := viewColumns(cols, n.Columns)
	if err != nil {
		return nil, err
	}
	deps := b.Relations()
	temp := n.Temporary
	if !temp {
		for _, id := range deps {
			if s.inTempSchema(b.Cat, id) {
				// PostgreSQL's rule: a view over a temporary relation
				// cannot outlive the session either.
				s.notice("view \"%s\" will be a temporary view", n.Name.Name)
				temp = true
				break
			}
		}
	}
	sc, err := s.relationSchema(ec, b, n.Name, temp)
	if err != nil {
		return nil, err
	}
	query, refs := viewText(n, vcols, b.RelationRefs())
	v := &catalog.View{DatabaseID: s.db.ID, SchemaID: sc.ID, Name: n.Name.Name, Owner: s.user, Columns: vcols,
		Query: query, Refs: refs, DependsOn: deps}
	v.SearchPath = s.viewSearchPath(b)
	if old := b.Cat.ViewByName(sc.ID, v.Name); old != nil && n.Replace {
		if err := checkViewReplacement(old, v); err != nil {
			return nil, err
		}
		v.ID, v.RuleOID, v.Owner, v.Comment = old.ID, old.RuleOID, old.Owner, old.Comment
		for i := range old.Columns {
			v.Columns[i].Comment = old.Columns[i].Comment
		}
	} else if b.Cat.RelationNameTaken(sc.ID, v.Name) {
		if n.Replace && b.Cat.TableByName(sc.ID, v.Name) != nil {
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a view", v.Name)
		}
		return nil, pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", v.Name)
	} else {
		if v.ID, err = s.eng.store.AllocateID(ec.ctx); err != nil {
			return nil, fmt.Errorf("create view %s: %w", v.Name, err)
		}
		if v.RuleOID, err = s.eng.store.AllocateID(ec.ctx); err != nil {
			return nil, fmt.Errorf("create view %s: %w", v.Name, err)
		}
	}
	if err := ec.txn.PutView(v); err != nil {
		return nil, fmt.Errorf("create view %s: %w", v.Name, err)
	}
	return doneResult("CREATE VIEW"), nil
}

// bindViewDefinition binds the query of a view being created, which
// cannot take parameters: it is kept to run later, without them.
func bindViewDefinition(b *planner.Binder, sel *tree.Select) (planner.Plan, error) {
	plan, err := b.BindViewDefinition(sel)
	if err != nil {
		return nil, err
	}
	for i, t := range b.Params {
		if t != nil {
			return nil, pgerror.New("42P02", "there is no parameter $%d", i+1)
		}
	}
	return plan, nil
}

// viewColumns names a view's columns: the column list's names, then
// the query's own.
func viewColumns(cols []planner.Column, names []string) ([]catalog.ViewColumn, error) {
	vcols := make([]catalog.ViewColumn, len(cols))
	seen := map[string]bool{}
	for i, c := range cols {
		vcols[i] = catalog.ViewColumn{Name: c.Name, Source: c.Name, Type: c.T}
		if i < len(names) {
			vcols[i].Name = names[i]
		}
		if seen[vcols[i].Name] {
			return nil, pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" specified more than once", vcols[i].Name)
		}
		seen[vcols[i].Name] = true
	}
	return vcols, nil
}

// viewSearchPath is the search path a view's query is bound with again
// later: the existing schemas of the one in force, less the session's
// temporary schema.
func (s *Session) viewSearchPath(b *planner.Binder) []string {
	var path []string
	for _, name := range b.SearchPath {
		if x := b.Cat.SchemaByName(s.db.ID, name); x != nil && !strings.HasPrefix(name, "pg_temp_") {
			path = append(path, name)
		}
	}
	return path
}

// viewText is the query text a view keeps, and where in it the tables
// and views it reads are named (refs: positions in the statement). When
// the view's column list renames the query's columns, the select list
// gets the names as aliases, as PostgreSQL's stored query has them: the
// text then yields the view's columns by itself, which pg_get_viewdef
// (and a dump made from it) needs.
func viewText(n *tree.CreateView, cols []catalog.ViewColumn, refs []planner.RelationRef) (string, []catalog.ViewRef) {
	text := n.QueryText
	// runeOffsets[i] is the byte offset of the text's i-th rune.
	var runeOffsets []int
	for off := range text {
		runeOffsets = append(runeOffsets, off)
	}
	runeOffsets = append(runeOffsets, len(text))
	span := func(pos, end tree.Pos) (int, int, bool) {
		from, to := int(pos-n.QueryPos), int(end-n.QueryPos)
		if from < 0 || to < from || to >= len(runeOffsets) {
			return 0, 0, false
		}
		return runeOffsets[from], runeOffsets[to], true
	}
	var out []catalog.ViewRef
	for _, r := range refs {
		if from, to, ok := span(r.Pos, r.End); ok && to > from {
			out = append(out, catalog.ViewRef{Offset: from, Len: to - from, Relation: r.Relation})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Offset < out[j].Offset })

	type edit struct {
		from, to int
		text     string
	}
	var edits []edit
	targets := firstSelectList(n.Query)
	for i := range cols {
		if cols[i].Name == cols[i].Source {
			continue
		}
		if i >= len(targets) || isStarTarget(targets[i]) || len(targets) < len(cols) {
			// A star's columns have no item to alias: the text stays.
			edits = nil
			break
		}
		from, to, ok := span(targets[i].ExprEnd, targets[i].End)
		if !ok || targets[i].ExprEnd == 0 {
			edits = nil
			break
		}
		edits = append(edits, edit{from, to, " AS " + builtins.QuoteIdent(cols[i].Name)})
	}
	if len(edits) == 0 {
		return text, out
	}
	var sb strings.Builder
	at := 0
	for _, e := range edits {
		sb.WriteString(text[at:e.from])
		sb.WriteString(e.text)
		at = e.to
	}
	sb.WriteString(text[at:])
	for i := range out {
		shift := 0
		for _, e := range edits {
			if e.to <= out[i].Offset {
				shift += len(e.text) - (e.to - e.from)
			}
		}
		out[i].Offset += shift
	}
	for i := range cols {
		cols[i].Source = cols[i].Name
	}
	return sb.String(), out
}

// firstSelectList is the select list that names a query's columns: its
// own, or its first set-operation branch's (nil for VALUES).
func firstSelectList(sel *tree.Select) []tree.Target {
	body := sel.Body
	for {
		switch b := body.(type) {
		case *tree.SelectClause:
			return b.Targets
		case *tree.SetOp:
			body = b.Left
		case *tree.ParenSelect:
			body = b.Select.Body
		default:
			return nil
		}
	}
}

func isStarTarget(t tree.Target) bool {
	switch e := t.Expr.(type) {
	case *tree.Star:
		return true
	case *tree.ColumnRef:
		return len(e.Parts) > 0 && e.Parts[len(e.Parts)-1] == "*"
	}
	return false
}

// checkViewReplacement is PostgreSQL's rule for CREATE OR REPLACE VIEW:
// the new query may add columns at the end, but the existing ones keep
// their names and types.
func checkViewReplacement(old, v *catalog.View) error {
	if len(v.Columns) < len(old.Columns) {
		return pgerror.New(pgerror.CodeInvalidTableDefinition, "cannot drop columns from view")
	}
	for i, oc := range old.Columns {
		nc := v.Columns[i]
		if nc.Name != oc.Name {
			return pgerror.New(pgerror.CodeInvalidTableDefinition, "cannot change name of view column \"%s\" to \"%s\"", oc.Name, nc.Name).
				WithHint("Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.")
		}
		if !nc.Type.Identical(oc.Type) {
			return pgerror.New(pgerror.CodeInvalidTableDefinition, "cannot change data type of view column \"%s\" from %s to %s", oc.Name, oc.Type, nc.Type)
		}
	}
	return nil
}

// inTempSchema reports whether relation id (a table or view) lives in a
// temporary schema.
func (s *Session) inTempSchema(cat *storage.Catalog, id catalog.ID) bool {
	var schema catalog.ID
	if t := cat.Tables[id]; t != nil {
		schema = t.SchemaID
	} else if v := cat.Views[id]; v != nil {
		schema = v.SchemaID
	}
	sc := cat.Schemas[schema]
	return sc != nil && strings.HasPrefix(sc.Name, "pg_temp_")
}

// dropViews is DROP VIEW and DROP MATERIALIZED VIEW.
func (s *Session) dropViews(ec *execCtx, b *planner.Binder, n *tree.DropView) (Result, error) {
	kind, lookup := "view", b.LookupView
	if n.Materialized {
		kind = "materialized view"
		lookup = func(name tree.ObjectName) (*catalog.View, error) {
			t, err := s.lookupMatview(b, name)
			if err != nil || t == nil {
				return nil, err
			}
			return t.MatviewQuery(), nil
		}
	}
	// What the statement drops anyway is no dependent to refuse for.
	dropping := map[catalog.ID]bool{}
	for _, name := range n.Names {
		if v, err := lookup(name); err == nil && v != nil {
			dropping[v.ID] = true
		}
	}
	for _, name := range n.Names {
		v, err := lookup(name)
		if err != nil {
			return nil, err
		}
		if v == nil {
			if !n.Materialized {
				if err := s.notAView(b, name); err != nil {
					return nil, err
				}
			}
			if n.IfExists {
				s.notice("%s \"%s\" does not exist, skipping", kind, name.Name)
				continue
			}
			return nil, pgerror.New(pgerror.CodeUndefinedTable, "%s \"%s\" does not exist", kind, name.Name)
		}
		cat, err := ec.txn.Catalog()
		if err != nil {
			return nil, err
		}
		if cat.Views[v.ID] == nil && cat.Tables[v.ID] == nil {
			continue // dropped already, as a dependent of an earlier name
		}
		if err := s.dropDependentViews(ec, cat, v.ID, viewKind(v), n.Cascade, dropping); err != nil {
			return nil, err
		}
		if err := s.dropAnyView(ec, cat, v); err != nil {
			return nil, err
		}
	}
	return doneResult(ddlCommand(n)), nil
}

// notAView is DROP VIEW's error for a name that is another kind of
// relation (nil when it names none).
func (s *Session) notAView(b *planner.Binder, name tree.ObjectName) error {
	if t, err := b.LookupTable(name); err == nil && t != nil {
		if t.Matview != nil {
			return pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a view", name.Name).WithHint("Use DROP MATERIALIZED VIEW to remove a materialized view.")
		}
		return pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a view", name.Name).WithHint("Use DROP TABLE to remove a table.")
	}
	if seq, err := s.resolveSequence(b, name); err == nil && seq != nil {
		return pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a view", name.Name).WithHint("Use DROP SEQUENCE to remove a sequence.")
	}
	return nil
}

// dependentViews lists the views that read relation id, directly or
// through other views, depth first as PostgreSQL reports them, with the
// "view v depends on <what>" line of each; views in skip (dropped by the
// same statement) and their own dependents are left out.
func dependentViews(cat *storage.Catalog, id catalog.ID, what string, skip map[catalog.ID]bool) ([]*catalog.View, []string) {
	var views []*catalog.View
	var lines []string
	seen := map[catalog.ID]bool{}
	var walk func(id catalog.ID, what string)
	walk = func(id catalog.ID, what string) {
		deps := cat.ViewsDependingOn(id)
		// Creation order, as PostgreSQL's scan of pg_depend finds them.
		sort.Slice(deps, func(i, j int) bool { return deps[i].ID < deps[j].ID })
		for _, d := range deps {
			if skip[d.ID] || seen[d.ID] {
				continue
			}
			seen[d.ID] = true
			views = append(views, d)
			lines = append(lines, fmt.Sprintf("%s depends on %s", viewKind(d), what))
			walk(d.ID, viewKind(d))
		}
	}
	walk(id, what)
	return views, lines
}

// dropDependentViews is PostgreSQL's dependency check for the views that
// read a relation being dropped (obj: "table t", "view v"): without
// CASCADE the drop fails with 2BP01; with it they are dropped too, with
// PostgreSQL's notice.
func (s *Session) dropDependentViews(ec *execCtx, cat *storage.Catalog, id catalog.ID, obj string, cascade bool, skip map[catalog.ID]bool) error {
	views, lines := dependentViews(cat, id, obj, skip)
	if len(views) == 0 {
		return nil
	}
	if !cascade {
		return pgerror.New(pgerror.CodeDependentObjectsStillExist, "cannot drop %s because other objects depend on it", obj).
			WithDetail("%s", strings.Join(lines, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	if len(views) == 1 {
		s.notice("drop cascades to %s", viewKind(views[0]))
	} else {
		names := make([]string, len(views))
		for i, v := range views {
			names[i] = "drop cascades to " + viewKind(v)
		}
		nt := pgerror.Notice("drop cascades to %d other objects", len(views))
		nt.Detail = strings.Join(names, "\n")
		s.notices = append(s.notices, nt)
	}
	for _, v := range views {
		if err := s.dropAnyView(ec, cat, v); err != nil {
			return err
		}
	}
	return nil
}

// viewKind names a view as PostgreSQL's dependency messages do.
func viewKind(v *catalog.View) string {
	if v.Materialized {
		return "materialized view " + v.Name
	}
	return "view " + v.Name
}

// dropAnyView drops a view, or a materialized view given in the form
// ViewsDependingOn lists it.
func (s *Session) dropAnyView(ec *execCtx, cat *storage.Catalog, v *catalog.View) error {
	if v.Materialized {
		if t := cat.Tables[v.ID]; t != nil {
			if err := s.dropTable(ec, cat, t); err != nil {
				return fmt.Errorf("drop materialized view %s: %w", v.Name, err)
			}
		}
		return nil
	}
	if err := ec.txn.DropView(v.ID); err != nil {
		return fmt.Errorf("drop view %s: %w", v.Name, err)
	}
	return nil
}

// dropViewsOn drops, without a word, every view that reads one of the
// relations ids directly or through other views (DROP SCHEMA ... CASCADE).
func (s *Session) dropViewsOn(ec *execCtx, cat *storage.Catalog, ids []catalog.ID) error {
	gone := map[catalog.ID]bool{}
	for _, id := range ids {
		views, _ := dependentViews(cat, id, "", gone)
		for _, v := range views {
			gone[v.ID] = true
			if err := s.dropAnyView(ec, cat, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkDependentViews binds again, against the catalog as the
// transaction now has it, every view that reads relation id directly or
// through other views. Quiver keeps a view's query as text, so a change
// to what it reads (a renamed or dropped column, a new type) must not
// leave a view that no longer binds; such a change is refused.
func (s *Session) checkDependentViews(ec *execCtx, id catalog.ID, obj string) error {
	cat, err := ec.txn.Catalog()
	if err != nil {
		return err
	}
	views, _ := dependentViews(cat, id, "", nil)
	for _, v := range views {
		if _, err := s.binder(cat, nil).BindViewQuery(v); err != nil {
			return pgerror.New(pgerror.CodeFeatureNotSupported, "cannot alter %s because %s depends on it", obj, viewKind(v)).
				WithDetail("With the change, the view's query fails: %s", viewErrorText(err)).
				WithHint("Quiver binds a view's query again on every use; drop the view, make the change, and create the view again.")
		}
	}
	return nil
}

// viewErrorText is the message of the error binding a view failed with,
// without its code.
func viewErrorText(err error) string {
	var pe *pgerror.Error
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}

// alterView is ALTER VIEW, and ALTER TABLE naming a view: RENAME TO and
// OWNER TO (which pg_dump writes for every view) are what a view can do.
func (s *Session) alterView(ec *execCtx, b *planner.Binder, old *catalog.View, n *tree.AlterTable) (Result, error) {
	v := *old
	for _, cmd := range n.Cmds {
		if cur := s.currentRole(b.Cat); !cur.Superuser && cur.Name != v.Owner {
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be owner of view %s", v.Name)
		}
		switch cmd.Kind {
		case "rename to":
			if b.Cat.RelationNameTaken(v.SchemaID, cmd.NewName) {
				return nil, pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", cmd.NewName)
			}
			v.Name = cmd.NewName
		case "owner to":
			r, err := roleNamed(b, cmd.NewName)
			if err != nil {
				return nil, err
			}
			v.Owner = r.Name
		default:
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "ALTER action %s cannot be performed on relation \"%s\"", strings.ToUpper(cmd.Kind), v.Name).
				WithDetail("This operation is not supported for views.")
		}
	}
	if err := ec.txn.PutView(&v); err != nil {
		return nil, fmt.Errorf("alter view %s: %w", old.Name, err)
	}
	return doneResult(ddlCommand(n)), nil
}

// commentOnView is COMMENT ON VIEW, and COMMENT ON COLUMN of a view's
// column.
func (s *Session) commentOnView(ec *execCtx, b *planner.Binder, old *catalog.View, n *tree.CommentOn, text string) (Result, error) {
	if r := s.currentRole(b.Cat); !r.Superuser && r.Name != old.Owner {
		return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be owner of view %s", old.Name)
	}
	v := *old
	v.Columns = append([]catalog.ViewColumn(nil), old.Columns...)
	if n.Kind == "view" {
		v.Comment = text
	} else {
		found := false
		for i := range v.Columns {
			if v.Columns[i].Name == n.Column {
				v.Columns[i].Comment, found = text, true
			}
		}
		if !found {
			return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", n.Column, v.Name)
		}
	}
	if err := ec.txn.PutView(&v); err != nil {
		return nil, fmt.Errorf("comment on %s: %w", v.Name, err)
	}
	return doneResult("COMMENT"), nil
}
