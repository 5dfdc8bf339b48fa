package executor

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// CHECK constraints are stored as expression text (PostgreSQL's deparsed
// form, which is also what pg_get_constraintdef shows) and bound again
// when a statement needs them. Binding is cached per descriptor version;
// compiling the bound form is per statement because compiled expressions
// keep per-statement state.

// checkCache holds the bound CHECK expressions of each table's latest
// descriptor version seen.
type checkCache struct {
	mu sync.Mutex
	m  map[catalog.ID]*boundChecks
	// refs are the tables some foreign key of refCat references, so that
	// UPDATE and DELETE of other tables skip constraint work without
	// scanning the catalog each time.
	refCat *storage.Catalog
	refs   map[catalog.ID]bool
}

// referenced returns the set of tables foreign keys in cat reference.
// Catalog views are immutable and shared per version, so one is cached.
func (cc *checkCache) referenced(cat *storage.Catalog) map[catalog.ID]bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.refCat == cat {
		return cc.refs
	}
	refs := map[catalog.ID]bool{}
	for _, t := range cat.Tables {
		for _, fk := range t.ForeignKeys {
			refs[fk.RefTable] = true
		}
	}
	cc.refCat, cc.refs = cat, refs
	return refs
}

type boundChecks struct {
	version uint64
	// texts guard against a descriptor of the same version from a
	// transaction that rolled back.
	texts []string
	exprs []planner.Expr
}

func (bc *boundChecks) matches(t *catalog.Table) bool {
	if bc == nil || bc.version != t.Version || len(bc.texts) != len(t.Checks) {
		return false
	}
	for i, c := range t.Checks {
		if bc.texts[i] != c.Expr {
			return false
		}
	}
	return true
}

// boundChecks returns t's CHECK expressions bound over its row.
func (s *Session) boundChecks(cat *storage.Catalog, t *catalog.Table) ([]planner.Expr, error) {
	cc := &s.eng.checks
	cc.mu.Lock()
	if bc := cc.m[t.ID]; bc.matches(t) {
		cc.mu.Unlock()
		return bc.exprs, nil
	}
	cc.mu.Unlock()
	b := s.binder(cat, nil)
	exprs := make([]planner.Expr, len(t.Checks))
	texts := make([]string, len(t.Checks))
	for i, ck := range t.Checks {
		texts[i] = ck.Expr
		x, err := bindCheckText(b, t, ck.Expr)
		if err != nil {
			return nil, fmt.Errorf("check constraint %q of relation %q: %w", ck.Name, t.Name, err)
		}
		exprs[i] = x
	}
	cc.mu.Lock()
	if cc.m == nil {
		cc.m = map[catalog.ID]*boundChecks{}
	}
	if bc := cc.m[t.ID]; bc == nil || bc.version <= t.Version {
		cc.m[t.ID] = &boundChecks{version: t.Version, texts: texts, exprs: exprs}
	}
	cc.mu.Unlock()
	return exprs, nil
}

func bindCheckText(b *planner.Binder, t *catalog.Table, text string) (planner.Expr, error) {
	e, err := b.ParseExpr(text)
	if err != nil {
		return nil, err
	}
	return b.BindCheck(t, e)
}

// compiledCheck is a CHECK constraint compiled for one statement.
type compiledCheck struct {
	name string
	f    evalFn
}

// compiledChecks compiles t's CHECK constraints for one statement, in
// name order: PostgreSQL evaluates them so, which decides the one a row
// failing several is reported against.
func (ec *execCtx) compiledChecks(t *catalog.Table) ([]compiledCheck, error) {
	if len(t.Checks) == 0 {
		return nil, nil
	}
	cat, err := ec.txn.Catalog()
	if err != nil {
		return nil, err
	}
	exprs, err := ec.sess.boundChecks(cat, t)
	if err != nil {
		return nil, err
	}
	fns, err := ec.compileAll(exprs)
	if err != nil {
		return nil, err
	}
	out := make([]compiledCheck, len(fns))
	for i, f := range fns {
		out[i] = compiledCheck{name: t.Checks[i].Name, f: f}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// checkViolation is PostgreSQL's report of a row failing a CHECK.
func checkViolation(t *catalog.Table, name string, row []types.Datum) error {
	return &pgerror.Error{
		Severity:   "ERROR",
		Code:       pgerror.CodeCheckViolation,
		Message:    fmt.Sprintf("new row for relation \"%s\" violates check constraint \"%s\"", t.Name, name),
		Detail:     "Failing row contains " + failingRow(t, row) + ".",
		Table:      t.Name,
		Constraint: name,
	}
}

// runChecks evaluates compiled CHECKs on a full row; NULL passes.
func runChecks(t *catalog.Table, checks []compiledCheck, row []types.Datum) error {
	for _, c := range checks {
		v, err := c.f(row)
		if err != nil {
			return err
		}
		if b, ok := v.(types.DBool); ok && !bool(b) {
			return checkViolation(t, c.name, row)
		}
	}
	return nil
}

// constraintNames lists every constraint name in a schema: PostgreSQL
// keeps constraint names unique per namespace when it chooses one.
func constraintNames(cat *storage.Catalog, schemaID catalog.ID, extra ...*catalog.Table) map[string]bool {
	names := map[string]bool{}
	add := func(t *catalog.Table) {
		if t.PrimaryKeyName != "" {
			names[t.PrimaryKeyName] = true
		}
		for _, idx := range t.Indexes {
			if idx.Constraint {
				names[idx.Name] = true
			}
		}
		for _, c := range t.Checks {
			names[c.Name] = true
		}
		for _, f := range t.ForeignKeys {
			names[f.Name] = true
		}
	}
	for _, t := range cat.Tables {
		if t.SchemaID == schemaID {
			add(t)
		}
	}
	for _, t := range extra {
		add(t)
	}
	return names
}

// chooseConstraintName is PostgreSQL's ChooseConstraintName: table,
// optional column part and label joined by "_", then a number appended
// until the name is free. Names are truncated to 63 bytes as PostgreSQL's
// NAMEDATALEN requires.
func chooseConstraintName(table, cols, label string, taken map[string]bool) string {
	for n := 0; ; n++ {
		suffix := label
		if n > 0 {
			suffix = fmt.Sprintf("%s%d", label, n)
		}
		t, c := table, cols
		for len(t)+len(c)+len(suffix)+2 > 63 {
			if len(t) > len(c) {
				t = t[:len(t)-1]
			} else {
				c = c[:len(c)-1]
			}
		}
		name := t
		if c != "" {
			name += "_" + c
		}
		name += "_" + suffix
		if !taken[name] {
			taken[name] = true
			return name
		}
	}
}

// hasConstraintNamed reports whether t already has a constraint called name.
func hasConstraintNamed(t *catalog.Table, name string) bool {
	if !t.Columns[t.PrimaryKey[0]].Hidden && t.PrimaryKeyName == name {
		return true
	}
	for _, idx := range t.Indexes {
		if idx.Constraint && idx.Name == name {
			return true
		}
	}
	for _, c := range t.Checks {
		if c.Name == name {
			return true
		}
	}
	for _, f := range t.ForeignKeys {
		if f.Name == name {
			return true
		}
	}
	return false
}

// addCheck binds a CHECK constraint over t, names it and appends it to
// t.Checks; the caller validates existing rows when there are any.
func (s *Session) addCheck(b *planner.Binder, t *catalog.Table, c tree.Constraint, taken map[string]bool) (*catalog.Check, error) {
	x, err := b.BindCheck(t, c.Check)
	if err != nil {
		return nil, err
	}
	name := c.Name
	if name == "" {
		col := ""
		if cols := planner.CheckColumns(x); len(cols) == 1 {
			col = t.Columns[cols[0]].Name
		}
		name = chooseConstraintName(t.Name, col, "check", taken)
	} else {
		if hasConstraintNamed(t, name) {
			return nil, pgerror.New(pgerror.CodeDuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", name, t.Name)
		}
		taken[name] = true
	}
	t.Checks = append(t.Checks, spellCheck(t, name, x))
	return &t.Checks[len(t.Checks)-1], nil
}

// validateCheck scans t's rows for one failing a new CHECK.
func (s *Session) validateCheck(ec *execCtx, b *planner.Binder, t *catalog.Table, ck *catalog.Check) error {
	x, err := bindCheckText(b, t, ck.Expr)
	if err != nil {
		return err
	}
	f, err := ec.compile(x)
	if err != nil {
		return err
	}
	// A row a concurrent transaction adds unseen must not escape the
	// check (DependOnRows).
	ec.txn.DependOnRows(t)
	return scanRows(ec, t, func(row []types.Datum) error {
		v, err := f(row)
		if err != nil {
			return err
		}
		if bv, ok := v.(types.DBool); ok && !bool(bv) {
			return &pgerror.Error{Severity: "ERROR", Code: pgerror.CodeCheckViolation,
				Message: fmt.Sprintf("check constraint \"%s\" of relation \"%s\" is violated by some row", ck.Name, t.Name),
				Table:   t.Name, Constraint: ck.Name}
		}
		return nil
	})
}

// scanRows calls fn for every row of t visible to the statement.
func scanRows(ec *execCtx, t *catalog.Table, fn func([]types.Datum) error) error {
	it, err := ec.txn.ScanTable(ec.ctx, t, storage.Span{}, false)
	if err != nil {
		return err
	}
	defer it.Close()
	for n := 0; ; n++ {
		if n&255 == 0 {
			if err := ec.ctx.Err(); err != nil {
				return canceled(err)
			}
		}
		row, err := it.Next()
		if err != nil || row == nil {
			return err
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

// checkUsesColumn reports whether a stored CHECK reads column i of t.
func checkUsesColumn(b *planner.Binder, t *catalog.Table, ck catalog.Check, i int) bool {
	x, err := bindCheckText(b, t, ck.Expr)
	if err != nil {
		return false
	}
	for _, c := range planner.CheckColumns(x) {
		if c == i {
			return true
		}
	}
	return false
}

// renameInChecks re-spells t's CHECK expressions after a column rename:
// each is bound against the old names and deparsed with the new ones.
func renameInChecks(b *planner.Binder, old, t *catalog.Table) error {
	for i, ck := range t.Checks {
		x, err := bindCheckText(b, old, ck.Expr)
		if err != nil {
			return err
		}
		t.Checks[i] = spellCheck(t, ck.Name, x)
		t.Checks[i].OID = ck.OID
	}
	return nil
}

// spellCheck builds the stored form of a bound CHECK over t.
func spellCheck(t *catalog.Table, name string, x planner.Expr) catalog.Check {
	cols := planner.CheckColumns(x)
	sort.Ints(cols)
	return catalog.Check{Name: name, Expr: planner.DeparseCheck(t, x, false), Pretty: planner.DeparseCheck(t, x, true), Columns: cols}
}

// dropCheckOrFK removes the named CHECK or FOREIGN KEY constraint of t;
// false when t has none by that name.
func dropCheckOrFK(t *catalog.Table, name string) bool {
	for k, c := range t.Checks {
		if c.Name == name {
			t.Checks = append(t.Checks[:k:k], t.Checks[k+1:]...)
			return true
		}
	}
	for k, f := range t.ForeignKeys {
		if f.Name == name {
			t.ForeignKeys = append(t.ForeignKeys[:k:k], t.ForeignKeys[k+1:]...)
			return true
		}
	}
	return false
}

// quoteNameList joins column names for messages (unquoted, as
// PostgreSQL's key details spell them).
func quoteNameList(t *catalog.Table, cols []int) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = t.Columns[c].Name
	}
	return strings.Join(names, ", ")
}

// newTableConstraints adds the CHECK and FOREIGN KEY constraints of a
// CREATE TABLE to t, named as PostgreSQL names them: CHECKs first, in
// the order written, then foreign keys.
func (s *Session) newTableConstraints(b *planner.Binder, t *catalog.Table, checks, fks []tree.Constraint) error {
	if len(checks) == 0 && len(fks) == 0 {
		return nil
	}
	taken := constraintNames(b.Cat, t.SchemaID, t)
	for _, c := range checks {
		if _, err := s.addCheck(b, t, c, taken); err != nil {
			return err
		}
	}
	for _, c := range fks {
		fk, err := s.fkFromDef(b, t, c, taken)
		if err != nil {
			return err
		}
		t.ForeignKeys = append(t.ForeignKeys, *fk)
	}
	return nil
}

// dropReferencingFKs handles the foreign keys of other tables that
// reference t when t is dropped (tables in dropping go too).
func (s *Session) dropReferencingFKs(ec *execCtx, t *catalog.Table, cascade bool, dropping map[catalog.ID]bool, what string) error {
	cat, err := ec.txn.Catalog()
	if err != nil {
		return err
	}
	var deps []fkRef
	for _, r := range referencingFKs(cat, t) {
		if !dropping[r.child.ID] {
			deps = append(deps, r)
		}
	}
	return s.dropDependentFKs(ec, deps, cascade, fmt.Sprintf("%s %s", what, t.Name), fmt.Sprintf("%s %s", what, t.Name))
}

// reportDependents is PostgreSQL's reportDependentObjects for the
// objects (lines) that depend on obj being dropped ("" when a statement
// drops several): without CASCADE the drop fails with 2BP01, detail
// saying what each depends on; with it, the "drop cascades to" notice is
// queued and the caller drops them.
func (s *Session) reportDependents(obj string, lines, detail []string, cascade bool) error {
	if !cascade {
		msg := "cannot drop desired object(s) because other objects depend on them"
		if obj != "" {
			msg = "cannot drop " + obj + " because other objects depend on it"
		}
		return pgerror.New(pgerror.CodeDependentObjectsStillExist, "%s", msg).
			WithDetail("%s", strings.Join(detail, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	if len(lines) == 1 {
		s.notice("drop cascades to %s", lines[0])
		return nil
	}
	n := pgerror.Notice("drop cascades to %d other objects", len(lines))
	n.Detail = "drop cascades to " + strings.Join(lines, "\ndrop cascades to ")
	s.notices = append(s.notices, n)
	return nil
}

// dropDependentFKs is PostgreSQL's dependency check for foreign keys that
// depend on an object being dropped (named obj in the error, dependsOn in
// its detail): without CASCADE the drop fails with 2BP01; with it the
// keys are removed from their tables, with PostgreSQL's notice.
func (s *Session) dropDependentFKs(ec *execCtx, deps []fkRef, cascade bool, obj, dependsOn string) error {
	if len(deps) == 0 {
		return nil
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].child.ID < deps[j].child.ID })
	lines := make([]string, len(deps))
	for i, r := range deps {
		lines[i] = fmt.Sprintf("constraint %s on table %s", r.fk.Name, r.child.Name)
	}
	detail := make([]string, len(deps))
	for i, l := range lines {
		detail[i] = l + " depends on " + dependsOn
	}
	if err := s.reportDependents(obj, lines, detail, cascade); err != nil {
		return err
	}
	for _, r := range deps {
		cur, err := ec.txn.Catalog()
		if err != nil {
			return err
		}
		child := cur.Tables[r.child.ID]
		if child == nil {
			continue
		}
		c := *child
		c.Checks = append([]catalog.Check(nil), child.Checks...)
		c.ForeignKeys = append([]catalog.ForeignKey(nil), child.ForeignKeys...)
		dropCheckOrFK(&c, r.fk.Name)
		if err := ec.txn.PutTable(&c); err != nil {
			return err
		}
	}
	return nil
}

// dropKeyDependents handles the foreign keys of other tables that use the
// primary key or unique constraint name of t (on cols) being dropped.
func (s *Session) dropKeyDependents(ec *execCtx, t *catalog.Table, cols []int, name string, cascade bool) error {
	cat, err := ec.txn.Catalog()
	if err != nil {
		return err
	}
	var deps []fkRef
	for _, r := range referencingFKs(cat, t) {
		if permutation(cols, r.fk.RefColumns) != nil {
			deps = append(deps, r)
		}
	}
	// A key of t referencing itself goes with the constraint.
	kept := t.ForeignKeys[:0:0]
	for _, fk := range t.ForeignKeys {
		if fk.RefTable == t.ID && permutation(cols, fk.RefColumns) != nil {
			if !cascade {
				deps = append(deps, fkRef{t, &fk})
				continue
			}
			s.notice("drop cascades to constraint %s on table %s", fk.Name, t.Name)
			continue
		}
		kept = append(kept, fk)
	}
	if cascade {
		t.ForeignKeys = kept
	}
	return s.dropDependentFKs(ec, deps, cascade, fmt.Sprintf("constraint %s on table %s", name, t.Name), "index "+name)
}

// dropColumnConstraints removes t's CHECK and FOREIGN KEY constraints that
// involve column i, as PostgreSQL's DROP COLUMN does, and handles other
// tables' keys referencing the column.
func (s *Session) dropColumnConstraints(ec *execCtx, b *planner.Binder, t *catalog.Table, i int, cascade bool) error {
	kept := t.Checks[:0:0]
	for _, ck := range t.Checks {
		if !checkUsesColumn(b, t, ck, i) {
			kept = append(kept, ck)
		}
	}
	t.Checks = kept
	fks := t.ForeignKeys[:0:0]
	for _, fk := range t.ForeignKeys {
		uses := false
		for _, c := range fk.Columns {
			uses = uses || c == i
		}
		if fk.RefTable == t.ID {
			for _, c := range fk.RefColumns {
				uses = uses || c == i
			}
		}
		if !uses {
			fks = append(fks, fk)
		}
	}
	t.ForeignKeys = fks
	cat, err := ec.txn.Catalog()
	if err != nil {
		return err
	}
	var deps []fkRef
	for _, r := range referencingFKs(cat, t) {
		for _, c := range r.fk.RefColumns {
			if c == i {
				deps = append(deps, r)
				break
			}
		}
	}
	col := t.Columns[i].Name
	return s.dropDependentFKs(ec, deps, cascade, fmt.Sprintf("column %s of table %s", col, t.Name), fmt.Sprintf("column %s of table %s", col, t.Name))
}

// validateNewConstraints checks existing rows against the CHECK and
// FOREIGN KEY constraints an ALTER TABLE added.
func (s *Session) validateNewConstraints(ec *execCtx, b *planner.Binder, t *catalog.Table, checks, fks []string) error {
	for _, name := range checks {
		for k := range t.Checks {
			if t.Checks[k].Name == name {
				if err := s.validateCheck(ec, b, t, &t.Checks[k]); err != nil {
					return err
				}
			}
		}
	}
	for _, name := range fks {
		for k := range t.ForeignKeys {
			if t.ForeignKeys[k].Name == name {
				if err := s.validateFK(ec, t, &t.ForeignKeys[k]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// truncateReferenced refuses to truncate a table other tables reference
// unless they are truncated too; CASCADE adds them (with PostgreSQL's
// notice) and returns the widened list.
func (s *Session) truncateReferenced(cat *storage.Catalog, tables []*catalog.Table, cascade bool) ([]*catalog.Table, error) {
	in := map[catalog.ID]bool{}
	for _, t := range tables {
		in[t.ID] = true
	}
	for i := 0; i < len(tables); i++ {
		for _, r := range referencingFKs(cat, tables[i]) {
			if in[r.child.ID] {
				continue
			}
			if !cascade {
				return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot truncate a table referenced in a foreign key constraint").
					WithDetail("Table \"%s\" references \"%s\".", r.child.Name, tables[i].Name).
					WithHint("Truncate table \"%s\" at the same time, or use TRUNCATE ... CASCADE.", r.child.Name)
			}
			s.notice("truncate cascades to table \"%s\"", r.child.Name)
			in[r.child.ID] = true
			tables = append(tables, r.child)
		}
	}
	return tables, nil
}

// renameConstraint is ALTER TABLE RENAME CONSTRAINT; a primary key's or
// unique constraint's index takes the new name too, as in PostgreSQL.
func renameConstraint(t *catalog.Table, name, newName string) error {
	if !hasConstraintNamed(t, name) {
		return pgerror.New(pgerror.CodeUndefinedObject, "constraint \"%s\" for table \"%s\" does not exist", name, t.Name)
	}
	if hasConstraintNamed(t, newName) {
		return pgerror.New(pgerror.CodeDuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", newName, t.Name)
	}
	switch {
	case !t.Columns[t.PrimaryKey[0]].Hidden && t.PrimaryKeyName == name:
		t.PrimaryKeyName = newName
	default:
		for i := range t.Indexes {
			if t.Indexes[i].Constraint && t.Indexes[i].Name == name {
				t.Indexes[i].Name = newName
				return nil
			}
		}
		for i := range t.Checks {
			if t.Checks[i].Name == name {
				t.Checks[i].Name = newName
				return nil
			}
		}
		for i := range t.ForeignKeys {
			if t.ForeignKeys[i].Name == name {
				t.ForeignKeys[i].Name = newName
				return nil
			}
		}
	}
	return nil
}
