package executor

import (
	"errors"
	"fmt"
	"sort"

	"github.com/quiverdb/quiver/executor/pgcatalog"
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// ALTER COLUMN ... TYPE follows PostgreSQL's three phases. Every type
// change of the statement is first prepared against the table as the
// statement found it (the column, the new type, the USING expression and
// whether an assignment cast leads there); then each is applied to the
// descriptor, refusing what depends on the column's type (views,
// generated columns) and converting its default; last, when a value can
// change, every row is rewritten (rewriteRows) with the new values
// computed from the old row, and the constraints and indexes over the
// changed columns are checked and built again.

// typeChange is one prepared ALTER COLUMN TYPE.
type typeChange struct {
	col       int
	typ       *types.T
	transform planner.Expr // the new value, over the old row
}

// typeRewrite is what a statement's type changes leave for the rewrite
// and the checks after it.
type typeRewrite struct {
	// transforms holds, by column ordinal, the expression computing the
	// column's new value from the old row (nil: the value is kept).
	transforms []planner.Expr
	// rewrite is set when some stored value may change: a change that
	// keeps every value (varchar(n) to text, int to bigint) leaves the
	// stored rows as they are.
	rewrite bool
	// reindex is set when PostgreSQL would rewrite the table, and so
	// build every index again: some change is not binary-coercible (int
	// to bigint is not, though Quiver stores both alike).
	reindex bool
	// pkChanged is set when a primary-key column changed type.
	pkChanged bool
	checks    []string // CHECKs bound again, validated after the rewrite
	fks       []string // t's foreign keys over changed columns
	refFKs    []fkRef  // other tables' foreign keys referencing them
}

// rebuildsGraphs reports whether the table's HNSW graphs must be built
// again: their vectors or their row keys change.
func (tr *typeRewrite) rebuildsGraphs() bool { return tr.rewrite || tr.reindex }

// systemColumns are PostgreSQL's system column names, which ALTER
// COLUMN names in vain and no table column may take.
var systemColumns = map[string]bool{"ctid": true, "xmin": true, "xmax": true, "cmin": true, "cmax": true, "tableoid": true}

// checkNotSystemColumn rejects a new table column named like a system
// column: PostgreSQL reserves those names in every table, even where
// Quiver does not answer them yet, so a schema that loads here loads
// there.
func checkNotSystemColumn(name string) error {
	if systemColumns[name] {
		return pgerror.New(pgerror.CodeDuplicateColumn, "column name \"%s\" conflicts with a system column name", name)
	}
	return nil
}

// alterPass is PostgreSQL's pass of an ALTER TABLE subcommand as far as
// it orders type changes: DROP ... (of columns, constraints, defaults,
// NOT NULL) run before them, everything else after.
func alterPass(kind string) int {
	switch kind {
	case "drop column", "drop constraint", "alter column drop default", "alter column drop not null":
		return 0
	case "alter column type":
		return 1
	}
	return 2
}

// alterOrder returns cmds in the order PostgreSQL executes them when one
// changes a column's type (so `DROP DEFAULT, ALTER TYPE` converts no
// default and `ALTER TYPE, SET DEFAULT` sets one of the new type);
// other statements keep the order written.
func alterOrder(cmds []tree.AlterTableCmd) []tree.AlterTableCmd {
	hasType := false
	for _, c := range cmds {
		hasType = hasType || c.Kind == "alter column type"
	}
	if !hasType {
		return cmds
	}
	out := append([]tree.AlterTableCmd(nil), cmds...)
	sort.SliceStable(out, func(i, j int) bool { return alterPass(out[i].Kind) < alterPass(out[j].Kind) })
	return out
}

// alterColumnTypes applies the statement's ALTER COLUMN TYPE commands to
// t (old is the table as the statement found it).
func (s *Session) alterColumnTypes(ec *execCtx, b *planner.Binder, old, t *catalog.Table, cmds []tree.AlterTableCmd) (*typeRewrite, error) {
	var changes []typeChange
	for _, cmd := range cmds {
		ch, err := s.prepTypeChange(b, old, t, cmd)
		if err != nil {
			return nil, err
		}
		changes = append(changes, ch)
	}
	tr := &typeRewrite{transforms: make([]planner.Expr, len(t.Columns))}
	changed := map[int]bool{}
	for _, ch := range changes {
		if err := s.applyTypeChange(ec, b, old, t, ch, tr); err != nil {
			return nil, err
		}
		changed[ch.col] = true
	}
	if err := s.retypeDependents(ec, b, old, t, changed, tr); err != nil {
		return nil, err
	}
	return tr, nil
}

// prepTypeChange is PostgreSQL's preparation of one ALTER COLUMN TYPE
// (transformAlterTableStmt, then ATPrepAlterColumnType), in its order:
// the USING expression (over the row as the statement found it, old),
// the column (in t, after the statement's DROPs), the type, the
// conversion.
func (s *Session) prepTypeChange(b *planner.Binder, old, t *catalog.Table, cmd tree.AlterTableCmd) (typeChange, error) {
	var using planner.Expr
	if cmd.Using != nil {
		var err error
		if using, err = b.BindUsing(old, cmd.Using); err != nil {
			return typeChange{}, err
		}
	}
	i := t.ColumnByName(cmd.Name)
	if i < 0 || t.Columns[i].Hidden {
		if systemColumns[cmd.Name] {
			return typeChange{}, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot alter system column \"%s\"", cmd.Name)
		}
		return typeChange{}, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", cmd.Name, t.Name)
	}
	c := &t.Columns[i]
	tn := *cmd.Type
	tn.Pos = 0 // PostgreSQL reports no position here
	if _, serial := serialTypes[tn.Name]; serial {
		return typeChange{}, pgerror.New(pgerror.CodeUndefinedObject, "type \"%s\" does not exist", tn.Name)
	}
	typ, err := planner.ResolveTypeName(tn)
	if err != nil {
		return typeChange{}, err
	}
	if c.Identity != "" && !typ.IsIntegerFamily() {
		return typeChange{}, pgerror.New(pgerror.CodeInvalidParameterValue, "identity column type must be smallint, integer, or bigint")
	}
	if cmd.Collate != "" && !typ.Collatable() {
		return typeChange{}, pgerror.New(pgerror.CodeDatatypeMismatch, "collations are not supported by type %s", typ.BaseString())
	}
	if c.Generated != "" && using != nil {
		return typeChange{}, pgerror.New("42611", "cannot specify USING when altering type of generated column").
			WithDetail("Column \"%s\" is a generated column.", c.Name)
	}
	x, err := b.Transform(t, i, using, typ)
	if err != nil {
		return typeChange{}, err
	}
	return typeChange{col: i, typ: typ, transform: x}, nil
}

// collatable reports whether values of t have a collation: strings and
// arrays of them.
// applyTypeChange is PostgreSQL's ATExecAlterColumnType for one change.
func (s *Session) applyTypeChange(ec *execCtx, b *planner.Binder, old, t *catalog.Table, ch typeChange, tr *typeRewrite) error {
	c := &t.Columns[ch.col]
	if !c.Type.Identical(old.Columns[ch.col].Type) {
		return pgerror.New(pgerror.CodeFeatureNotSupported, "cannot alter type of column \"%s\" twice", c.Name)
	}
	if err := convertDefault(b, t, ch); err != nil {
		return err
	}
	if err := s.refuseTypeDependents(b, t, ch.col); err != nil {
		return err
	}
	if c.Identity != "" && c.SequenceID != 0 {
		if err := s.retypeIdentitySequence(ec, b, c, ch.typ); err != nil {
			return err
		}
	}
	if !c.Type.Identical(ch.typ) {
		for _, k := range t.PrimaryKey {
			tr.pkChanged = tr.pkChanged || k == ch.col
		}
	}
	keeps := keepsValue(ch.transform, ch.col, c.Type, ch.typ)
	tr.rewrite = tr.rewrite || !keeps
	tr.reindex = tr.reindex || !keeps || !binaryCoercible(c.Type, ch.typ)
	c.Type = ch.typ
	tr.transforms[ch.col] = ch.transform
	if c.Generated != "" {
		return respellGenerated(b, t, t, ch.col)
	}
	return nil
}

// convertDefault checks that the column's default (or generation
// expression) converts to the new type as an assignment would. A default
// keeps how pg_get_expr shows it: PostgreSQL stores it coerced to the
// old type, so a literal keeps the old type's cast.
func convertDefault(b *planner.Binder, t *catalog.Table, ch typeChange) error {
	c := &t.Columns[ch.col]
	text, what := c.Default, "default for column"
	if c.Generated != "" {
		text, what = c.Generated, "generation expression for column"
	}
	if text == "" || c.Identity != "" {
		return nil
	}
	e, err := b.ParseExpr(text)
	if err != nil {
		return fmt.Errorf("default of column %s: %w", c.Name, err)
	}
	var x planner.Expr
	if c.Generated != "" {
		_, x, err = b.BindGenerated(t, ch.col, e)
	} else {
		x, err = b.BindScalar(e)
	}
	if err != nil {
		return err
	}
	from := x.Type()
	if from.Family == types.FamUnknown {
		from = c.Type
	}
	if !from.Identical(ch.typ) && !types.CanCast(from, ch.typ, types.CastAssignment) {
		return pgerror.New(pgerror.CodeDatatypeMismatch, "%s \"%s\" cannot be cast automatically to type %s", what, c.Name, ch.typ.BaseString())
	}
	if c.Generated == "" {
		c.Default = pgcatalog.DefaultExpr(c)
	}
	return nil
}

// keepsValue reports whether converting a value of type from with
// transform x (over the old row) to type to leaves every value of column
// col as it is, stored the same way: then no row is rewritten.
func keepsValue(x planner.Expr, col int, from, to *types.T) bool {
	if cast, ok := x.(*planner.CastExpr); ok {
		x = cast.Operand
	}
	ref, ok := x.(*planner.ColRef)
	if !ok || ref.Idx != col {
		return false
	}
	if from.IsIntegerFamily() && to.IsIntegerFamily() {
		// Rows hold every integer width alike; only a wider type
		// accepts every value.
		return to.Len() >= from.Len()
	}
	return binaryCoercible(from, to)
}

// binaryCoercible reports whether PostgreSQL converts from to to without
// touching a value (and so keeps the table and its indexes): the same
// type, or one that only relaxes a modifier.
func binaryCoercible(from, to *types.T) bool {
	switch {
	case from.Identical(to):
		return true
	case (from.Family == types.FamVarchar || from.Family == types.FamText) && (to.Family == types.FamVarchar || to.Family == types.FamText):
		return to.Width == 0 || (from.Family == types.FamVarchar && from.Width > 0 && to.Width >= from.Width)
	case from.Family == to.Family && (from.Family == types.FamVector || from.Family == types.FamHalfvec || from.Family == types.FamSparsevec):
		return to.Width == 0
	case from.Family == types.FamNumeric && to.Family == types.FamNumeric:
		// numeric(p,s) to numeric(p',s) with p' >= p, or to numeric.
		return to.Width == 0 || (from.Width > 0 && to.Scale == from.Scale && to.Width >= from.Width)
	}
	return false
}

// refuseTypeDependents is PostgreSQL's refusal to change the type of a
// column a view or a generated column reads (their stored forms would
// not match any more).
func (s *Session) refuseTypeDependents(b *planner.Binder, t *catalog.Table, col int) error {
	name := t.Columns[col].Name
	views := b.Cat.ViewsDependingOn(t.ID)
	sort.Slice(views, func(i, j int) bool { return views[i].ID < views[j].ID })
	for _, v := range views {
		reads, err := b.ColumnsReadByView(v)
		if err != nil {
			continue // a view that no longer binds reads nothing
		}
		if reads[planner.TableColumn{Table: t.ID, AttNum: col + 1}] {
			return pgerror.New(pgerror.CodeFeatureNotSupported, "cannot alter type of a column used by a view or rule").
				WithDetail("rule _RETURN on %s depends on column \"%s\"", viewKind(v), name)
		}
	}
	gens, err := generatedReaders(b, t, col)
	if err != nil {
		return err
	}
	// Expression indexes' hidden columns are bound again instead
	// (retypeDependents), as PostgreSQL rebuilds such indexes.
	kept := gens[:0]
	for _, g := range gens {
		if !t.Columns[g].Hidden {
			kept = append(kept, g)
		}
	}
	if gens = kept; len(gens) > 0 {
		return pgerror.New(pgerror.CodeFeatureNotSupported, "cannot alter type of a column used by a generated column").
			WithDetail("Column \"%s\" is used by generated column \"%s\".", name, t.Columns[gens[0]].Name)
	}
	return nil
}

// retypeIdentitySequence gives an identity column's sequence the
// column's new type, as PostgreSQL does: bounds that were the old type's
// limits become the new type's.
func (s *Session) retypeIdentitySequence(ec *execCtx, b *planner.Binder, c *catalog.Column, typ *types.T) error {
	cur := b.Cat.Sequences[c.SequenceID]
	if cur == nil || cur.TypeOID == typ.OID() {
		return nil
	}
	seq := *cur
	oldLo, oldHi := sequenceTypeBounds(seq.TypeOID)
	lo, hi := sequenceTypeBounds(typ.OID())
	if seq.Max == oldHi {
		seq.Max = hi
	}
	if seq.Min == oldLo {
		seq.Min = lo
	}
	switch {
	case seq.Max > hi || seq.Max < lo:
		return pgerror.New(pgerror.CodeInvalidParameterValue, "MAXVALUE (%d) is out of range for sequence data type %s", seq.Max, typ.BaseString())
	case seq.Min > hi || seq.Min < lo:
		return pgerror.New(pgerror.CodeInvalidParameterValue, "MINVALUE (%d) is out of range for sequence data type %s", seq.Min, typ.BaseString())
	}
	seq.TypeOID = typ.OID()
	if err := ec.txn.PutSequence(&seq); err != nil {
		return fmt.Errorf("retyping sequence %s: %w", seq.Name, err)
	}
	return nil
}

// retypeDependents binds again, over the new column types (t; old is
// the table as the statement found it), what is stored as text over the
// changed columns — CHECK constraints and
// partial-index predicates — and checks that foreign keys over them can
// still compare their keys. The rows are checked after the rewrite.
func (s *Session) retypeDependents(ec *execCtx, b *planner.Binder, old, t *catalog.Table, changed map[int]bool, tr *typeRewrite) error {
	uses := func(cols []int) bool {
		for _, c := range cols {
			if changed[c] {
				return true
			}
		}
		return false
	}
	for g := range t.Columns {
		c := &t.Columns[g]
		if !c.Hidden || c.Dropped || c.Generated == "" {
			continue
		}
		e, err := b.ParseExpr(c.Generated)
		if err != nil {
			return fmt.Errorf("index expression %s: %w", c.Name, err)
		}
		x, err := b.BindIndexExpr(t, e)
		if err != nil {
			return storedTextError(err)
		}
		if !uses(planner.CheckColumns(x)) {
			continue
		}
		setIndexExprColumn(c, t, x)
		// the stored values are computed again by the rewrite
		tr.rewrite, tr.reindex = true, true
	}
	for k, ck := range t.Checks {
		if !uses(ck.Columns) {
			continue
		}
		x, err := bindCheckText(b, t, ck.Expr)
		if err != nil {
			return storedTextError(err)
		}
		t.Checks[k] = spellCheck(t, ck.Name, x)
		t.Checks[k].OID = ck.OID
		tr.checks = append(tr.checks, ck.Name)
	}
	for k := range t.Indexes {
		idx := &t.Indexes[k]
		if idx.Method == "hnsw" && changed[idx.Columns[0]] {
			if err := hnswOpclassError(t, idx); err != nil {
				return err
			}
		}
		if idx.Where == "" || !uses(predicateColumns(b, old, idx.Where)) {
			continue
		}
		e, err := b.ParseExpr(idx.Where)
		if err != nil {
			return fmt.Errorf("predicate of index %s: %w", idx.Name, err)
		}
		pred, err := b.BindIndexPredicate(t, e)
		if err != nil {
			return storedTextError(err)
		}
		idx.Where, idx.WherePretty = planner.DeparseCheck(t, pred, false), planner.DeparseCheck(t, pred, true)
	}
	for k := range t.ForeignKeys {
		fk := &t.ForeignKeys[k]
		self := fk.RefTable == t.ID
		if !uses(fk.Columns) && !(self && uses(fk.RefColumns)) {
			continue
		}
		parent := b.Cat.Tables[fk.RefTable]
		if self {
			parent = t
		}
		if parent == nil {
			continue
		}
		if err := fkTypeError(fk, t, parent); err != nil {
			return err
		}
		tr.fks = append(tr.fks, fk.Name)
	}
	cat, err := ec.txn.Catalog()
	if err != nil {
		return err
	}
	for _, r := range referencingFKs(cat, t) {
		if !uses(r.fk.RefColumns) {
			continue
		}
		if err := fkTypeError(r.fk, r.child, t); err != nil {
			return err
		}
		tr.refFKs = append(tr.refFKs, r)
	}
	return nil
}

// storedTextError drops the position of an error met binding stored
// text (a constraint, a predicate) again: it would point into that text,
// not into the statement.
func storedTextError(err error) error {
	var pe *pgerror.Error
	if errors.As(err, &pe) && pe.Position != 0 {
		return pe.WithPosition(0)
	}
	return err
}

// predicateColumns are the columns a stored partial-index predicate
// reads over t (none when it does not bind).
func predicateColumns(b *planner.Binder, t *catalog.Table, where string) []int {
	x, err := bindCheckText(b, t, where)
	if err != nil {
		return nil
	}
	return planner.CheckColumns(x)
}

// checkRetyped validates, after the rewrite, the constraints over the
// changed columns against the rows as they now are.
func (s *Session) checkRetyped(ec *execCtx, b *planner.Binder, t *catalog.Table, tr *typeRewrite) error {
	if err := s.validateNewConstraints(ec, b, t, tr.checks, tr.fks); err != nil {
		return err
	}
	cat, err := ec.txn.Catalog()
	if err != nil {
		return err
	}
	for _, r := range tr.refFKs {
		child := cat.Tables[r.child.ID]
		if child == nil {
			continue
		}
		for k := range child.ForeignKeys {
			if child.ForeignKeys[k].Name == r.fk.Name {
				if err := s.validateFK(ec, child, &child.ForeignKeys[k]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// rebuildVectorIndexes builds t's HNSW graphs again after its rows were
// rewritten or their keys changed type: the graphs' vectors and row keys
// must be the table's. A checkpoint on disk names rows by the old key
// type, so it is dropped now (a restart before the next one rebuilds the
// graph from the table rather than misread it).
func (s *Session) rebuildVectorIndexes(ec *execCtx, t *catalog.Table, tr *typeRewrite) error {
	for k := range t.Indexes {
		idx := &t.Indexes[k]
		if idx.Method != "hnsw" {
			continue
		}
		if err := hnswDimsError(t, idx); err != nil {
			return err
		}
		if tr.pkChanged {
			if err := s.eng.store.WriteRaw(map[string][]byte{string(checkpointMetaKey(t.ID, idx.ID)): nil}); err != nil {
				return fmt.Errorf("dropping the checkpoint of index %s: %w", idx.Name, err)
			}
		}
		if err := s.rebuildVectorIndex(ec, t, idx, "REINDEX"); err != nil {
			return err
		}
	}
	return nil
}
