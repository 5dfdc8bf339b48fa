package executor

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// firstUserTypeOID is above the fixed pg_type OIDs of pgvector's types
// (16385 to 16399), which the ID counter, shared with tables (whose OIDs
// are in pg_class, not pg_type), hands out on a new server.
const firstUserTypeOID = catalog.ID(types.OidSparsevecArray + 1)

// maxEnumLabel is NAMEDATALEN-1: pg_enum.enumlabel is a name.
const maxEnumLabel = 63

func checkEnumLabel(l string) error {
	if len(l) > maxEnumLabel || l == "" {
		return pgerror.New("42602", "invalid enum label \"%s\"", l).
			WithDetail("Labels must be %d bytes or less.", maxEnumLabel)
	}
	return nil
}

func (s *Session) createType(ec *execCtx, b *planner.Binder, n *tree.CreateType) (Result, error) {
	sc, err := s.creationSchema(b, n.Name)
	if err != nil {
		return nil, err
	}
	if b.Cat.TypeByName(sc.ID, n.Name.Name) != nil || b.Cat.RelationNameTaken(sc.ID, n.Name.Name) {
		return nil, pgerror.New(pgerror.CodeDuplicateObject, "type \"%s\" already exists", n.Name.Name)
	}
	if _, err := types.Resolve(n.Name.Name, nil); err == nil && sc.Name == "pg_catalog" {
		return nil, pgerror.New(pgerror.CodeDuplicateObject, "type \"%s\" already exists", n.Name.Name)
	}
	ids := make([]catalog.ID, 2+len(n.Labels))
	for i := range ids {
		for ids[i] < firstUserTypeOID {
			if ids[i], err = s.eng.store.AllocateID(ec.ctx); err != nil {
				return nil, fmt.Errorf("create type %s: %w", n.Name.Name, err)
			}
		}
	}
	ty := &catalog.Type{ID: ids[0], DatabaseID: s.db.ID, SchemaID: sc.ID, Owner: s.user,
		Enum: types.EnumType{OID: uint32(ids[0]), ArrayOID: uint32(ids[1]), Name: n.Name.Name}}
	for i, l := range n.Labels {
		if err := checkEnumLabel(l); err != nil {
			return nil, err
		}
		if _, dup := ty.Enum.ByLabel(l); dup {
			// PostgreSQL reports the unique index of pg_enum (23505); its
			// detail names the type's OID, so the two texts cannot agree.
			return nil, pgerror.New(pgerror.CodeUniqueViolation, "duplicate key value violates unique constraint \"pg_enum_typid_label_index\"").
				WithDetail("Key (enumtypid, enumlabel)=(%d, %s) already exists.", ty.ID, l)
		}
		ty.Enum.Labels = append(ty.Enum.Labels, types.EnumLabel{OID: uint32(ids[2+i]), Sort: float32(i + 1), Label: l})
	}
	if err := ec.txn.PutType(ty); err != nil {
		return nil, fmt.Errorf("create type %s: %w", n.Name.Name, err)
	}
	return doneResult("CREATE TYPE"), nil
}

// resolveUserType finds the type a DROP or ALTER TYPE names; nil, nil when
// it does not exist.
func (s *Session) resolveUserType(b *planner.Binder, name tree.ObjectName) (*catalog.Type, error) {
	if name.Schema != "" && b.Cat.SchemaByName(s.db.ID, name.Schema) == nil {
		return nil, pgerror.New(pgerror.CodeInvalidSchemaName, "schema \"%s\" does not exist", name.Schema)
	}
	return b.LookupType(name)
}

func typeDisplayName(name tree.ObjectName) string {
	if name.Schema != "" {
		return name.Schema + "." + name.Name
	}
	return name.Name
}

// enumColumn is a table column whose type is an enum or an array of it.
type enumColumn struct {
	table *catalog.Table
	col   int
}

// columnsUsingType lists the live columns of the database's tables whose
// type is the enum or an array of it, in pg_depend's reporting order
// (newest table first, later columns first).
func (s *Session) columnsUsingType(cat *storage.Catalog, ty *catalog.Type) []enumColumn {
	var out []enumColumn
	for _, t := range cat.Tables {
		if t.DatabaseID != s.db.ID {
			continue
		}
		for i := range t.Columns {
			c := &t.Columns[i]
			if !c.Dropped && catalog.UsesType(c.Type, uint32(ty.ID)) {
				out = append(out, enumColumn{t, i})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].table.ID != out[j].table.ID {
			return out[i].table.ID > out[j].table.ID
		}
		return out[i].col > out[j].col
	})
	return out
}

func (s *Session) dropTypes(ec *execCtx, b *planner.Binder, n *tree.DropType) (Result, error) {
	cat := b.Cat
	var targets []*catalog.Type
	for _, name := range n.Names {
		if name.Schema != "" && n.IfExists && cat.SchemaByName(s.db.ID, name.Schema) == nil {
			s.notice("schema \"%s\" does not exist, skipping", name.Schema)
			continue
		}
		ty, err := s.resolveUserType(b, name)
		if err != nil {
			return nil, err
		}
		if ty == nil {
			if n.IfExists {
				s.notice("type \"%s\" does not exist, skipping", typeDisplayName(name))
				continue
			}
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "type \"%s\" does not exist", typeDisplayName(name))
		}
		if r := s.currentRole(cat); !r.Superuser && r.Name != ty.Owner {
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be owner of type %s", types.QuoteIdent(ty.Enum.Name))
		}
		if !slices.Contains(targets, ty) {
			targets = append(targets, ty)
		}
	}
	// Dependents of all the types are reported together, the last type's
	// first, as PostgreSQL's deletion of several objects finds them.
	var deps []enumColumn
	var lines, detail []string
	var views []*catalog.View
	for i := len(targets) - 1; i >= 0; i-- {
		ty := targets[i]
		for _, d := range s.columnsUsingType(cat, ty) {
			deps = append(deps, d)
			col := fmt.Sprintf("column %s of table %s", d.table.Columns[d.col].Name, d.table.Name)
			lines = append(lines, col)
			detail = append(detail, col+" depends on type "+d.table.Columns[d.col].Type.String())
			vs, err := s.viewsReadingColumn(ec, d.table, d.col)
			if err != nil {
				return nil, err
			}
			for _, v := range vs {
				if slices.Contains(views, v) {
					continue
				}
				on := col
				for _, w := range vs {
					if slices.Contains(v.DependsOn, w.ID) {
						on = "view " + w.Name
						// The column of w carrying the type, as
						// pg_depend's column-level entry names it.
						for _, wc := range w.Columns {
							if catalog.UsesType(wc.Type, uint32(ty.ID)) {
								on = fmt.Sprintf("column %s of view %s", wc.Name, w.Name)
								break
							}
						}
					}
				}
				views = append(views, v)
				lines = append(lines, "view "+v.Name)
				detail = append(detail, "view "+v.Name+" depends on "+on)
			}
		}
	}
	if len(lines) > 0 {
		obj := ""
		if len(targets) == 1 {
			obj = "type " + types.QuoteIdent(targets[0].Enum.Name)
		}
		if err := s.reportDependents(obj, lines, detail, n.Cascade); err != nil {
			return nil, err
		}
	}
	for _, v := range views {
		if err := ec.txn.DropView(v.ID); err != nil {
			return nil, fmt.Errorf("drop type: %w", err)
		}
	}
	for _, d := range deps {
		sc := cat.Schemas[d.table.SchemaID]
		at := &tree.AlterTable{Name: tree.ObjectName{Schema: sc.Name, Name: d.table.Name},
			Cmds: []tree.AlterTableCmd{{Kind: "drop column", Name: d.table.Columns[d.col].Name, Cascade: true}}}
		if _, err := s.execUtility(ec, at); err != nil {
			return nil, fmt.Errorf("drop type: %w", err)
		}
	}
	for _, ty := range targets {
		if err := ec.txn.DropType(ty.ID); err != nil {
			return nil, fmt.Errorf("drop type %s: %w", ty.Enum.Name, err)
		}
	}
	return doneResult("DROP TYPE"), nil
}

func (s *Session) alterType(ec *execCtx, b *planner.Binder, n *tree.AlterType) (Result, error) {
	old, err := s.resolveUserType(b, n.Name)
	if err != nil {
		return nil, err
	}
	if old == nil {
		if _, berr := types.Resolve(n.Name.Name, nil); berr == nil && n.Name.Schema == "" {
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "%s is not an enum", n.Name.Name)
		}
		return nil, pgerror.New(pgerror.CodeUndefinedObject, "type \"%s\" does not exist", typeDisplayName(n.Name))
	}
	if r := s.currentRole(b.Cat); !r.Superuser && r.Name != old.Owner {
		return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be owner of type %s", types.QuoteIdent(old.Enum.Name))
	}
	ty := *old
	ty.Enum.Labels = append([]types.EnumLabel(nil), old.Enum.Labels...)
	labelsChanged := false
	switch n.Kind {
	case "add value":
		if _, exists := ty.Enum.ByLabel(n.Value); exists {
			if n.IfNotExists {
				s.noticeCode(pgerror.CodeDuplicateObject, "enum label \"%s\" already exists, skipping", n.Value)
				return doneResult("ALTER TYPE"), nil
			}
			return nil, pgerror.New(pgerror.CodeDuplicateObject, "enum label \"%s\" already exists", n.Value)
		}
		if err := checkEnumLabel(n.Value); err != nil {
			return nil, err
		}
		sortOrder, err := newEnumSortOrder(&ty.Enum, n)
		if err != nil {
			return nil, err
		}
		id, err := s.eng.store.AllocateID(ec.ctx)
		if err != nil {
			return nil, fmt.Errorf("alter type %s: %w", ty.Enum.Name, err)
		}
		// The new label cannot be used before its transaction commits;
		// an autocommitted ADD VALUE commits at once.
		pending := s.inBlock || s.implicit
		s.enumPending = s.enumPending || pending
		ty.Enum.Labels = append(ty.Enum.Labels, types.EnumLabel{OID: uint32(id), Sort: sortOrder, Label: n.Value, Uncommitted: pending})
		labelsChanged = true
	case "rename value":
		i := -1
		for k, l := range ty.Enum.Labels {
			if l.Label == n.Value {
				i = k
			}
		}
		if i < 0 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "\"%s\" is not an existing enum label", n.Value)
		}
		if _, exists := ty.Enum.ByLabel(n.NewValue); exists {
			return nil, pgerror.New(pgerror.CodeDuplicateObject, "enum label \"%s\" already exists", n.NewValue)
		}
		if err := checkEnumLabel(n.NewValue); err != nil {
			return nil, err
		}
		ty.Enum.Labels[i].Label = n.NewValue
		labelsChanged = true
	case "rename to":
		if b.Cat.TypeByName(ty.SchemaID, n.Value) != nil || b.Cat.RelationNameTaken(ty.SchemaID, n.Value) {
			return nil, pgerror.New(pgerror.CodeDuplicateObject, "type \"%s\" already exists", n.Value)
		}
		ty.Enum.Name = n.Value
		labelsChanged = true
	case "owner to":
		if b.Cat.RoleByName(n.Value) == nil {
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "role \"%s\" does not exist", n.Value)
		}
		ty.Owner = n.Value
	}
	if err := s.putEnumType(ec.txn, b.Cat, old, &ty, labelsChanged); err != nil {
		return nil, err
	}
	return doneResult("ALTER TYPE"), nil
}

// putEnumType stores ty, the new version of old; relabel says its name
// or labels changed, which column types carry (rows decode by them), so
// every column of the type takes the new version in the same transaction.
func (s *Session) putEnumType(txn *storage.Txn, cat *storage.Catalog, old, ty *catalog.Type, relabel bool) error {
	if err := txn.PutType(ty); err != nil {
		return fmt.Errorf("alter type %s: %w", ty.Enum.Name, err)
	}
	if !relabel {
		return nil
	}
	for _, d := range s.columnsUsingType(cat, old) {
		t := *d.table
		t.Columns = append([]catalog.Column(nil), d.table.Columns...)
		for i := range t.Columns {
			if catalog.UsesType(t.Columns[i].Type, uint32(ty.ID)) {
				t.Columns[i].Type = retypeEnum(t.Columns[i].Type, ty)
			}
		}
		if err := txn.PutTable(&t); err != nil {
			return fmt.Errorf("alter type %s: %w", ty.Enum.Name, err)
		}
	}
	return nil
}

// settleEnumLabels clears, before the transaction commits, the marks of
// the labels its ADD VALUEs made, which then become usable.
func (s *Session) settleEnumLabels(txn *storage.Txn) error {
	if !s.enumPending {
		return nil
	}
	cat, err := txn.Catalog()
	if err != nil {
		return err
	}
	var pending []*catalog.Type
	for _, ty := range cat.Types {
		for _, l := range ty.Enum.Labels {
			if l.Uncommitted {
				pending = append(pending, ty)
				break
			}
		}
	}
	for _, old := range pending {
		ty := *old
		ty.Enum.Labels = append([]types.EnumLabel(nil), old.Enum.Labels...)
		for i := range ty.Enum.Labels {
			ty.Enum.Labels[i].Uncommitted = false
		}
		if err := s.putEnumType(txn, cat, old, &ty, true); err != nil {
			return err
		}
	}
	return nil
}

// viewsReadingColumn returns the views, read directly or through other
// views, whose query no longer binds once column col of t is gone: what
// PostgreSQL's pg_depend records as depending on the column. It tries the
// drop under a savepoint and undoes it.
func (s *Session) viewsReadingColumn(ec *execCtx, t *catalog.Table, col int) ([]*catalog.View, error) {
	cat, err := ec.txn.Catalog()
	if err != nil {
		return nil, err
	}
	views, _ := dependentViews(cat, t.ID, "", nil)
	if len(views) == 0 {
		return nil, nil
	}
	sp := ec.txn.Savepoint()
	defer ec.txn.Release(sp)
	probe := *t
	probe.Columns = append([]catalog.Column(nil), t.Columns...)
	probe.Columns[col].Dropped = true
	probe.Columns[col].Name = fmt.Sprintf("........pg.dropped.%d........", col+1)
	if err := ec.txn.PutTable(&probe); err != nil {
		return nil, err
	}
	pcat, err := ec.txn.Catalog()
	if err != nil {
		return nil, err
	}
	var out []*catalog.View
	for _, v := range views {
		if _, err := s.binder(pcat, nil).BindViewQuery(pcat.Views[v.ID]); err != nil {
			out = append(out, v)
		}
	}
	if err := ec.txn.RollbackTo(sp); err != nil {
		return nil, err
	}
	return out, nil
}

// retypeEnum rebuilds t (the enum or an array of it) over ty's labels.
func retypeEnum(t *types.T, ty *catalog.Type) *types.T {
	if t.Family == types.FamArray {
		out := *t
		out.Elem = retypeEnum(t.Elem, ty)
		return &out
	}
	return ty.T()
}

// newEnumSortOrder places a label added by ALTER TYPE ... ADD VALUE as
// PostgreSQL's AddEnumLabel does: after the last label (max + 1), or
// halfway between the neighbour named and the label next to it (the
// neighbour's order -/+ 1 at either end).
func newEnumSortOrder(e *types.EnumType, n *tree.AlterType) (float32, error) {
	sorted := e.Sorted()
	if !n.HasNeighbor {
		if len(sorted) == 0 {
			return 1, nil
		}
		return sorted[len(sorted)-1].Sort + 1, nil
	}
	at := -1
	for i, l := range sorted {
		if l.Label == n.Neighbor {
			at = i
		}
	}
	if at < 0 {
		return 0, pgerror.New(pgerror.CodeInvalidParameterValue, "\"%s\" is not an existing enum label", n.Neighbor)
	}
	var lo, hi float32
	switch {
	case n.After && at == len(sorted)-1:
		return sorted[at].Sort + 1, nil
	case !n.After && at == 0:
		return sorted[at].Sort - 1, nil
	case n.After:
		lo, hi = sorted[at].Sort, sorted[at+1].Sort
	default:
		lo, hi = sorted[at-1].Sort, sorted[at].Sort
	}
	mid := float32((float64(lo) + float64(hi)) / 2)
	if mid <= lo || mid >= hi || math.IsInf(float64(mid), 0) {
		// PostgreSQL renumbers the type's labels here; Quiver's index
		// keys hold the sort orders, so renumbering would rewrite them.
		return 0, pgerror.New(pgerror.CodeFeatureNotSupported, "no room left in enum %s to add a label next to \"%s\"", types.QuoteIdent(e.Name), n.Neighbor).
			WithHint("Quiver does not renumber enum labels; recreate the type.")
	}
	return mid, nil
}

// typeNameClash is PostgreSQL's refusal of a table named as an existing
// type: the table's row type would take the name.
func typeNameClash(b *planner.Binder, schema catalog.ID, name string) error {
	if b.Cat.TypeByName(schema, name) == nil {
		return nil
	}
	return pgerror.New(pgerror.CodeDuplicateObject, "type \"%s\" already exists", name).
		WithHint("A relation has an associated type of the same name, so you must use a name that doesn't conflict with any existing type.")
}

// enumElem returns the enum type t is or holds arrays of, or nil.
func enumElem(t *types.T) *types.T {
	for t != nil && t.Family == types.FamArray {
		t = t.Elem
	}
	if t == nil || t.Family != types.FamEnum || t.Enum == nil {
		return nil
	}
	return t
}

// refreshEnumTypes returns ts with each enum type, or array of one, as
// cat has it now: a statement prepared before ALTER TYPE ADD or RENAME
// VALUE would otherwise read its parameters by the old labels. ts itself
// is returned when it holds no enum.
func refreshEnumTypes(cat *storage.Catalog, ts []*types.T) []*types.T {
	var out []*types.T
	for i, t := range ts {
		elem := enumElem(t)
		if elem == nil {
			continue
		}
		ty := cat.Types[catalog.ID(elem.Enum.OID)]
		if ty == nil {
			continue // dropped: the statement fails when it is bound again
		}
		if out == nil {
			out = append([]*types.T(nil), ts...)
		}
		out[i] = retypeEnum(t, ty)
	}
	if out == nil {
		return ts
	}
	return out
}

// ParamTypes returns p's parameter types for decoding a Bind's values,
// with enum types as the session's catalog has them now.
func (s *Session) ParamTypes(p *Prepared) ([]*types.T, error) {
	if !slices.ContainsFunc(p.Params, func(t *types.T) bool { return enumElem(t) != nil }) {
		return p.Params, nil
	}
	txn, release := s.readTxn()
	defer release()
	cat, err := txn.Catalog()
	if err != nil {
		return nil, err
	}
	return refreshEnumTypes(cat, p.Params), nil
}
