package executor

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// Foreign keys follow PostgreSQL's MATCH SIMPLE semantics unless declared
// MATCH FULL: a referencing row with a NULL in any key column is not
// checked. The referencing side is checked right after the row is stored
// (after the rest of the statement for a table referencing itself, so one
// statement may insert a parent and its children in any order; at COMMIT
// for a deferred key). The referenced side's actions run once the
// statement's own changes are done, as PostgreSQL's triggers do.
//
// Snapshot isolation alone would let a transaction insert a child while a
// concurrent one deletes its parent, each seeing the other's row absent or
// present. The child's check therefore locks the parent row FOR KEY SHARE
// (storage.Txn.LockReferencedRow), as PostgreSQL's does: a delete of the
// parent, or an update of its key, waits for the child's transaction and
// then fails (READ COMMITTED runs it again and meets the child), while
// other children and updates of the parent's other columns go on.

// fkLink is one foreign key with both tables resolved.
type fkLink struct {
	fk     *catalog.ForeignKey
	child  *catalog.Table
	parent *catalog.Table
	// parentIdx is the unique index on the referenced columns, nil when
	// they are the primary key; pkOrder[i] is then the position in
	// fk.RefColumns of the parent's i-th primary key column.
	parentIdx *catalog.Index
	pkOrder   []int
	// childIdx is a b-tree index whose leading columns are the referencing
	// ones (childPK when the primary key's are), for finding dependents.
	childIdx *catalog.Index
	childPK  bool
}

// resolveFK completes a link for fk of child; false when the referenced
// table no longer exists.
func resolveFK(cat *storage.Catalog, child *catalog.Table, fk *catalog.ForeignKey) (*fkLink, bool) {
	parent := cat.Tables[fk.RefTable]
	if fk.RefTable == child.ID {
		parent = child
	}
	if parent == nil {
		return nil, false
	}
	l := &fkLink{fk: fk, child: child, parent: parent}
	if order := permutation(parent.PrimaryKey, fk.RefColumns); order != nil {
		l.pkOrder = order
	} else {
		for i := range parent.Indexes {
			idx := &parent.Indexes[i]
			if isUsableUnique(idx) && permutation(idx.Columns, fk.RefColumns) != nil {
				l.parentIdx = idx
				break
			}
		}
	}
	if hasPrefix(child.PrimaryKey, fk.Columns) {
		l.childPK = true
	} else {
		for i := range child.Indexes {
			idx := &child.Indexes[i]
			if (idx.Method == "btree" || idx.Method == "") && idx.Where == "" && !idx.Building && hasPrefix(idx.Columns, fk.Columns) {
				l.childIdx = idx
				break
			}
		}
	}
	return l, true
}

func isUsableUnique(idx *catalog.Index) bool {
	return idx.Unique && (idx.Method == "btree" || idx.Method == "") && idx.Where == "" && !idx.Building
}

// permutation returns, for each element of set, its position in cols, or
// nil when the two are not the same set of columns.
func permutation(set, cols []int) []int {
	if len(set) != len(cols) {
		return nil
	}
	out := make([]int, len(set))
	for i, c := range set {
		out[i] = -1
		for j, d := range cols {
			if c == d {
				out[i] = j
			}
		}
		if out[i] < 0 {
			return nil
		}
	}
	return out
}

func hasPrefix(cols, prefix []int) bool {
	if len(cols) < len(prefix) {
		return false
	}
	for i := range prefix {
		if cols[i] != prefix[i] {
			return false
		}
	}
	return true
}

// keyValues returns row's values at cols, nil when one is NULL (MATCH
// SIMPLE: such a key references nothing).
func keyValues(row []types.Datum, cols []int) []types.Datum {
	vals := make([]types.Datum, len(cols))
	for i, c := range cols {
		if types.IsNull(row[c]) {
			return nil
		}
		vals[i] = row[c]
	}
	return vals
}

func allNull(row []types.Datum, cols []int) bool {
	for _, c := range cols {
		if !types.IsNull(row[c]) {
			return false
		}
	}
	return true
}

// convertKey casts key values from one table's column types to another's
// where the families differ (an int8 column referencing an int4 key).
func convertKey(vals []types.Datum, from *catalog.Table, fromCols []int, to *catalog.Table, toCols []int) ([]types.Datum, error) {
	out := make([]types.Datum, len(vals))
	for i, v := range vals {
		ft, tt := from.Columns[fromCols[i]].Type, to.Columns[toCols[i]].Type
		if ft.Family == tt.Family {
			out[i] = v
			continue
		}
		c, err := types.Cast(v, ft, tt, types.CastImplicit)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// findParent returns the referenced row for key values in the child's
// column order, locking it against a concurrent change of its key.
func (ec *execCtx) findParent(l *fkLink, key []types.Datum) ([]types.Datum, error) {
	vals, err := convertKey(key, l.child, l.fk.Columns, l.parent, l.fk.RefColumns)
	if err != nil {
		return nil, err
	}
	var row []types.Datum
	if l.parentIdx == nil {
		pk := make([]types.Datum, len(l.pkOrder))
		for i, j := range l.pkOrder {
			pk[i] = vals[j]
		}
		if row, err = ec.txn.GetRow(ec.ctx, l.parent, pk); err != nil {
			return nil, err
		}
	} else {
		bound := make([]types.Datum, len(l.parentIdx.Columns))
		for i, j := range permutation(l.parentIdx.Columns, l.fk.RefColumns) {
			bound[i] = vals[j]
		}
		b := &storage.Bound{Values: bound, Inclusive: true}
		it, err := ec.txn.ScanIndex(ec.ctx, l.parent, l.parentIdx, storage.Span{Start: b, End: b}, false)
		if err != nil {
			return nil, err
		}
		row, err = it.Next()
		it.Close()
		if err != nil {
			return nil, err
		}
	}
	if row != nil {
		if err := ec.txn.LockReferencedRow(ec.ctx, l.parent, row); err != nil {
			return nil, err
		}
	}
	return row, nil
}

// childViolation is the referencing side's 23503.
func childViolation(l *fkLink, row []types.Datum) error {
	vals := make([]string, len(l.fk.Columns))
	for i, c := range l.fk.Columns {
		vals[i] = datumText(l.child.Columns[c].Type, row[c])
	}
	return &pgerror.Error{Severity: "ERROR", Code: pgerror.CodeForeignKeyViolation,
		Message: fmt.Sprintf("insert or update on table \"%s\" violates foreign key constraint \"%s\"", l.child.Name, l.fk.Name),
		Detail: fmt.Sprintf("Key (%s)=(%s) is not present in table \"%s\".", quoteNameList(l.child, l.fk.Columns),
			strings.Join(vals, ", "), l.parent.Name),
		Table: l.child.Name, Constraint: l.fk.Name}
}

// parentViolation is the referenced side's 23503.
func parentViolation(l *fkLink, row []types.Datum) error {
	vals := make([]string, len(l.fk.RefColumns))
	for i, c := range l.fk.RefColumns {
		vals[i] = datumText(l.parent.Columns[c].Type, row[c])
	}
	return &pgerror.Error{Severity: "ERROR", Code: pgerror.CodeForeignKeyViolation,
		Message: fmt.Sprintf("update or delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"", l.parent.Name, l.fk.Name, l.child.Name),
		Detail: fmt.Sprintf("Key (%s)=(%s) is still referenced from table \"%s\".", quoteNameList(l.parent, l.fk.RefColumns),
			strings.Join(vals, ", "), l.child.Name),
		Table: l.child.Name, Constraint: l.fk.Name}
}

func datumText(t *types.T, d types.Datum) string {
	if types.IsNull(d) {
		return "null"
	}
	return types.FormatText(t, d)
}

// checkParent verifies that row's key (if it has no NULL) exists in the
// referenced table.
func (ec *execCtx) checkParent(l *fkLink, row []types.Datum) error {
	key := keyValues(row, l.fk.Columns)
	if key == nil {
		if l.fk.MatchFull && !allNull(row, l.fk.Columns) {
			return &pgerror.Error{Severity: "ERROR", Code: pgerror.CodeForeignKeyViolation,
				Message: fmt.Sprintf("insert or update on table \"%s\" violates foreign key constraint \"%s\"", l.child.Name, l.fk.Name),
				Detail:  "MATCH FULL does not allow mixing of null and nonnull key values.",
				Table:   l.child.Name, Constraint: l.fk.Name}
		}
		return nil
	}
	p, err := ec.findParent(l, key)
	if err != nil {
		return err
	}
	if p == nil {
		return childViolation(l, row)
	}
	return nil
}

// findChildren returns the rows of l.child referencing the parent row.
func (ec *execCtx) findChildren(l *fkLink, parentRow []types.Datum) ([][]types.Datum, error) {
	key := keyValues(parentRow, l.fk.RefColumns)
	if key == nil {
		return nil, nil
	}
	vals, err := convertKey(key, l.parent, l.fk.RefColumns, l.child, l.fk.Columns)
	if err != nil {
		return nil, err
	}
	var it storage.RowIterator
	filter := true
	b := &storage.Bound{Values: vals, Inclusive: true}
	switch {
	case l.childPK:
		it, err = ec.txn.ScanTable(ec.ctx, l.child, storage.Span{Start: b, End: b}, false)
		filter = false
	case l.childIdx != nil:
		it, err = ec.txn.ScanIndex(ec.ctx, l.child, l.childIdx, storage.Span{Start: b, End: b}, false)
		filter = false
	default:
		it, err = ec.txn.ScanTable(ec.ctx, l.child, storage.Span{}, false)
	}
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out [][]types.Datum
	for n := 0; ; n++ {
		if n&255 == 0 {
			if err := ec.ctx.Err(); err != nil {
				return nil, canceled(err)
			}
		}
		r, err := it.Next()
		if err != nil {
			return nil, err
		}
		if r == nil {
			return out, nil
		}
		if filter && !keyEqual(l.child, l.fk.Columns, r, vals) {
			continue
		}
		out = append(out, r)
	}
}

func keyEqual(t *catalog.Table, cols []int, row, vals []types.Datum) bool {
	for i, c := range cols {
		if types.IsNull(row[c]) {
			return false
		}
		if types.Compare(t.Columns[c].Type, row[c], vals[i]) != 0 {
			return false
		}
	}
	return true
}

// tableCons is what one statement enforces for one table: its CHECKs and
// foreign keys, and the foreign keys of other tables referencing it.
type tableCons struct {
	t      *catalog.Table
	checks []compiledCheck
	fks    []*fkLink
	// refs is filled on first need (deletes and key updates only).
	refs       []*fkLink
	refsLoaded bool
	// defaults of the table's columns for ON ... SET DEFAULT, compiled on
	// first need.
	defaults []evalFn
}

// consWriter applies a statement's writes with constraint enforcement.
// Like PostgreSQL's referential-integrity triggers, which fire after the
// statement's own changes, the referenced side's checks and actions (and
// the referencing side's checks of a table referencing itself) are queued
// and run by finish; actions queue further events as they change rows.
type consWriter struct {
	ec     *execCtx
	tables map[catalog.ID]*tableCons
	queue  []fkEvent
}

// fkEvent is a queued referential check or action.
type fkEvent struct {
	l *fkLink
	// child: check that row's key exists in l.parent. Otherwise old is a
	// row of l.parent deleted (row nil) or updated to row.
	child    bool
	old, row []types.Datum
}

func (ec *execCtx) newConsWriter() *consWriter {
	return &consWriter{ec: ec, tables: map[catalog.ID]*tableCons{}}
}

// needsConstraints reports whether updates and deletes of t must go
// through a consWriter: t has CHECKs or foreign keys, or another table
// references it.
func (ec *execCtx) needsConstraints(cat *storage.Catalog, t *catalog.Table) bool {
	if len(t.Checks) > 0 || len(t.ForeignKeys) > 0 {
		return true
	}
	return ec.sess.eng.checks.referenced(cat)[t.ID]
}

func (w *consWriter) table(t *catalog.Table) (*tableCons, error) {
	if tc := w.tables[t.ID]; tc != nil {
		return tc, nil
	}
	tc := &tableCons{t: t}
	var err error
	if tc.checks, err = w.ec.compiledChecks(t); err != nil {
		return nil, err
	}
	cat, err := w.ec.txn.Catalog()
	if err != nil {
		return nil, err
	}
	for i := range t.ForeignKeys {
		if l, ok := resolveFK(cat, t, &t.ForeignKeys[i]); ok {
			tc.fks = append(tc.fks, l)
		}
	}
	w.tables[t.ID] = tc
	return tc, nil
}

func (w *consWriter) referencing(tc *tableCons) ([]*fkLink, error) {
	if tc.refsLoaded {
		return tc.refs, nil
	}
	tc.refsLoaded = true
	cat, err := w.ec.txn.Catalog()
	if err != nil {
		return nil, err
	}
	var children []*catalog.Table
	for _, o := range cat.Tables {
		children = append(children, o)
	}
	// Creation order, as PostgreSQL fires the constraints' triggers.
	sort.Slice(children, func(i, j int) bool { return children[i].ID < children[j].ID })
	for _, o := range children {
		for i := range o.ForeignKeys {
			if o.ForeignKeys[i].RefTable != tc.t.ID {
				continue
			}
			child := o
			if o.ID == tc.t.ID {
				child = tc.t
			}
			if l, ok := resolveFK(cat, child, &child.ForeignKeys[i]); ok {
				l.parent = tc.t
				tc.refs = append(tc.refs, l)
			}
		}
	}
	return tc.refs, nil
}

// checkNew enforces CHECKs on a row about to be stored.
func (w *consWriter) checkNew(t *catalog.Table, row []types.Datum) error {
	tc, err := w.table(t)
	if err != nil {
		return err
	}
	return runChecks(t, tc.checks, row)
}

// afterWrite checks the referencing side of a stored row; old is nil for
// an insert, else only keys that changed are checked. A table referencing
// itself is checked when the statement ends, so one statement may insert
// a parent and its children in any order.
func (w *consWriter) afterWrite(t *catalog.Table, old, row []types.Datum) error {
	tc, err := w.table(t)
	if err != nil {
		return err
	}
	for _, l := range tc.fks {
		if old != nil && t.SameValues(l.fk.Columns, old, row) {
			continue
		}
		if w.ec.isDeferred(l.fk) {
			w.ec.deferFK(fkEvent{l: l, child: true, row: row})
			continue
		}
		if l.parent == l.child {
			w.queue = append(w.queue, fkEvent{l: l, child: true, row: row})
			continue
		}
		if err := w.ec.checkParent(l, row); err != nil {
			return err
		}
	}
	return nil
}

// update replaces old by row in t, checking it and queueing the actions of
// keys referencing a changed key.
func (w *consWriter) update(t *catalog.Table, old, row []types.Datum) error {
	return w.updateWith(w.ec.txn.UpdateRow, t, old, row)
}

// upsert is update for ON CONFLICT DO UPDATE (storage.Txn.UpsertRow).
func (w *consWriter) upsert(t *catalog.Table, old, row []types.Datum) error {
	return w.updateWith(w.ec.txn.UpsertRow, t, old, row)
}

func (w *consWriter) updateWith(write func(context.Context, *catalog.Table, []types.Datum, []types.Datum) error, t *catalog.Table, old, row []types.Datum) error {
	if err := checkRow(t, row); err != nil {
		return err
	}
	if err := w.checkNew(t, row); err != nil {
		return err
	}
	if err := write(w.ec.ctx, t, old, row); err != nil {
		return err
	}
	if err := w.afterWrite(t, old, row); err != nil {
		return err
	}
	return w.queueReferenced(t, old, row)
}

// delete removes a row of t (as read) and queues the ON DELETE actions of
// the keys referencing it.
func (w *consWriter) delete(t *catalog.Table, row []types.Datum) error {
	if err := w.ec.txn.DeleteRow(w.ec.ctx, t, row); err != nil {
		return err
	}
	return w.queueReferenced(t, row, nil)
}

func (w *consWriter) queueReferenced(t *catalog.Table, old, row []types.Datum) error {
	tc, err := w.table(t)
	if err != nil {
		return err
	}
	refs, err := w.referencing(tc)
	if err != nil {
		return err
	}
	for _, l := range refs {
		if row != nil && t.SameValues(l.fk.RefColumns, old, row) {
			continue
		}
		w.queue = append(w.queue, fkEvent{l: l, old: old, row: row})
	}
	return nil
}

// finish runs the queued checks and actions, including those the actions
// queue in turn.
func (w *consWriter) finish() error {
	for i := 0; i < len(w.queue); i++ {
		if i&255 == 0 {
			if err := w.ec.ctx.Err(); err != nil {
				return canceled(err)
			}
		}
		ev := w.queue[i]
		var err error
		if ev.child {
			err = w.ec.checkParent(ev.l, ev.row)
		} else {
			err = w.referencedChanged(ev.l, ev.old, ev.row)
		}
		if err != nil {
			return err
		}
	}
	w.queue = w.queue[:0]
	return nil
}

// referencedChanged applies l's action for a referenced row that was
// deleted (row nil) or whose key was updated.
func (w *consWriter) referencedChanged(l *fkLink, old, row []types.Datum) error {
	key := keyValues(old, l.fk.RefColumns)
	if key == nil {
		return nil
	}
	action := l.fk.OnDelete
	if row != nil {
		action = l.fk.OnUpdate
	}
	if action == "" || action == "no action" {
		if w.ec.isDeferred(l.fk) {
			w.ec.deferFK(fkEvent{l: l, old: old, row: row})
			return nil
		}
		return w.noAction(l, old, key)
	}
	children, err := w.ec.findChildren(l, old)
	if err != nil || len(children) == 0 {
		return err
	}
	switch action {
	case "restrict":
		return parentViolation(l, old)
	case "cascade":
		for _, c := range children {
			if row == nil {
				if err := w.delete(l.child, c); err != nil {
					return err
				}
				continue
			}
			next := append([]types.Datum(nil), c...)
			for i, col := range l.fk.Columns {
				v := row[l.fk.RefColumns[i]]
				ft, tt := l.parent.Columns[l.fk.RefColumns[i]].Type, l.child.Columns[col].Type
				if ft.Family != tt.Family {
					if v, err = types.Cast(v, ft, tt, types.CastAssignment); err != nil {
						return err
					}
				}
				next[col] = v
			}
			if err := w.update(l.child, c, next); err != nil {
				return err
			}
		}
	case "set null", "set default":
		ctc, err := w.table(l.child)
		if err != nil {
			return err
		}
		if action == "set default" && ctc.defaults == nil {
			if ctc.defaults, err = w.columnDefaults(l.child); err != nil {
				return err
			}
		}
		for _, c := range children {
			next := append([]types.Datum(nil), c...)
			for _, col := range l.fk.Columns {
				next[col] = types.Null
				if action == "set default" && ctc.defaults[col] != nil {
					if next[col], err = ctc.defaults[col](nil); err != nil {
						return err
					}
				}
			}
			if err := w.update(l.child, c, next); err != nil {
				return err
			}
		}
		if action == "set default" {
			// A default equal to the removed key left the rows
			// referencing it (PostgreSQL then runs the NO ACTION check).
			return w.noAction(l, old, key)
		}
	}
	return nil
}

// noAction fails when rows still reference the removed key old, unless
// the key exists again (an update that swapped keys, a row re-inserted).
func (w *consWriter) noAction(l *fkLink, old, key []types.Datum) error {
	probe := &fkLink{fk: &catalog.ForeignKey{Columns: l.fk.RefColumns, RefColumns: l.fk.RefColumns}, child: l.parent,
		parent: l.parent, parentIdx: l.parentIdx, pkOrder: l.pkOrder}
	p, err := w.ec.findParent(probe, key)
	if err != nil || p != nil {
		return err
	}
	children, err := w.ec.findChildren(l, old)
	if err != nil || len(children) == 0 {
		return err
	}
	return parentViolation(l, old)
}

// columnDefaults compiles the DEFAULT of every column of t (nil where none).
func (w *consWriter) columnDefaults(t *catalog.Table) ([]evalFn, error) {
	cat, err := w.ec.txn.Catalog()
	if err != nil {
		return nil, err
	}
	b := w.ec.sess.binder(cat, nil)
	out := make([]evalFn, len(t.Columns))
	for i, c := range t.Columns {
		if c.Default == "" || c.Dropped {
			continue
		}
		e, err := b.ParseExpr(c.Default)
		if err != nil {
			return nil, err
		}
		x, err := b.BindScalar(e)
		if err == nil {
			x, err = b.Coerce(x, c.Type)
		}
		if err != nil {
			return nil, err
		}
		if out[i], err = w.ec.compile(x); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// deferredFKs is a session transaction's state of deferrable foreign
// keys: the checks it owes at commit, and the modes SET CONSTRAINTS chose.
type deferredFKs struct {
	txn    *storage.Txn
	events []fkEvent
	hooked bool
	// all is SET CONSTRAINTS ALL: 1 deferred, -1 immediate, 0 unset;
	// modes holds the named constraints' choices (true = deferred).
	all   int8
	modes map[string]bool
}

// fkState returns the deferrable-key state of txn, fresh for a new one.
func (s *Session) fkState(txn *storage.Txn) *deferredFKs {
	if s.deferredFK.txn != txn {
		s.deferredFK = deferredFKs{txn: txn}
	}
	return &s.deferredFK
}

// isDeferred reports whether fk's checks wait for commit in this
// transaction: INITIALLY DEFERRED unless SET CONSTRAINTS said otherwise.
func (ec *execCtx) isDeferred(fk *catalog.ForeignKey) bool {
	if !fk.Deferrable {
		return false
	}
	st := &ec.sess.deferredFK
	if st.txn == ec.txn {
		if m, ok := st.modes[fk.Name]; ok {
			return m
		}
		if st.all != 0 {
			return st.all > 0
		}
	}
	return fk.Deferred
}

// deferFK queues a deferred check, registering the commit hook with the
// transaction's first.
func (ec *execCtx) deferFK(ev fkEvent) {
	s, txn := ec.sess, ec.txn
	st := s.fkState(txn)
	if !st.hooked {
		st.hooked = true
		txn.BeforeCommit(func(ctx context.Context) error { return s.checkDeferredFKs(ctx, txn) })
	}
	st.events = append(st.events, ev)
}

// checkDeferredFKs runs the deferred checks txn owes, as PostgreSQL does
// at COMMIT.
func (s *Session) checkDeferredFKs(ctx context.Context, txn *storage.Txn) error {
	d := s.deferredFK
	s.deferredFK = deferredFKs{}
	if d.txn != txn {
		return nil
	}
	return s.runFKEvents(ctx, txn, d.events)
}

func (s *Session) runFKEvents(ctx context.Context, txn *storage.Txn, events []fkEvent) error {
	ec := &execCtx{ctx: ctx, txn: txn, sess: s, eval: s.evalContext(ctx)}
	w := ec.newConsWriter()
	for i, ev := range events {
		if i&255 == 0 {
			if err := ctx.Err(); err != nil {
				return canceled(err)
			}
		}
		if !ev.child {
			if key := keyValues(ev.old, ev.l.fk.RefColumns); key != nil {
				if err := w.noAction(ev.l, ev.old, key); err != nil {
					return err
				}
			}
			continue
		}
		// Only the row's current version counts: it may have been
		// updated, deleted or rolled back to a savepoint since.
		pk := make([]types.Datum, len(ev.l.child.PrimaryKey))
		for k, c := range ev.l.child.PrimaryKey {
			pk[k] = ev.row[c]
		}
		cur, err := txn.GetRow(ctx, ev.l.child, pk)
		if err != nil {
			return err
		}
		if cur == nil || !ev.l.child.SameValues(ev.l.fk.Columns, cur, ev.row) {
			continue
		}
		if err := ec.checkParent(ev.l, cur); err != nil {
			return err
		}
	}
	return nil
}

// setConstraints is SET CONSTRAINTS: it changes when deferrable foreign
// keys are checked for the rest of the transaction; switching to
// IMMEDIATE runs the checks already owed.
func (s *Session) setConstraints(ec *execCtx, b *planner.Binder, n *tree.SetConstraints) (Result, error) {
	if !s.inBlock {
		s.notices = append(s.notices, &pgerror.Error{Severity: "WARNING", Code: pgerror.CodeNoActiveSQLTransaction,
			Message: "SET CONSTRAINTS can only be used in transaction blocks"})
	}
	names := map[string]bool{}
	if !n.All {
		for _, name := range n.Names {
			found, deferrable := false, true
			for _, t := range b.Cat.Tables {
				if t.DatabaseID != s.db.ID {
					continue
				}
				if sc := b.Cat.Schemas[t.SchemaID]; name.Schema != "" && (sc == nil || sc.Name != name.Schema) {
					continue
				}
				for _, fk := range t.ForeignKeys {
					if fk.Name == name.Name {
						found = true
						deferrable = deferrable && fk.Deferrable
					}
				}
				if hasConstraintNamed(t, name.Name) && !found {
					found, deferrable = true, false
				}
			}
			if !found {
				return nil, pgerror.New(pgerror.CodeUndefinedObject, "constraint \"%s\" does not exist", name.Name)
			}
			if !deferrable {
				return nil, pgerror.New(pgerror.CodeWrongObjectType, "constraint \"%s\" is not deferrable", name.Name)
			}
			names[name.Name] = true
		}
	}
	if !s.inBlock {
		return doneResult("SET CONSTRAINTS"), nil
	}
	st := s.fkState(ec.txn)
	affects := func(fk *catalog.ForeignKey) bool { return n.All }
	if n.All {
		st.all = -1
		if n.Deferred {
			st.all = 1
		}
		st.modes = nil
	} else {
		if st.modes == nil {
			st.modes = map[string]bool{}
		}
		for name := range names {
			st.modes[name] = n.Deferred
		}
		affects = func(fk *catalog.ForeignKey) bool { return names[fk.Name] }
	}
	if !n.Deferred {
		var now, later []fkEvent
		for _, ev := range st.events {
			if affects(ev.l.fk) {
				now = append(now, ev)
			} else {
				later = append(later, ev)
			}
		}
		st.events = later
		if err := s.runFKEvents(ec.ctx, ec.txn, now); err != nil {
			return nil, err
		}
	}
	return doneResult("SET CONSTRAINTS"), nil
}

// ---- DDL ----

// fkFromDef resolves a FOREIGN KEY definition of child, whose columns are
// final; a table being created may reference itself. taken holds the
// constraint names in use, for an automatic name.
func (s *Session) fkFromDef(b *planner.Binder, child *catalog.Table, c tree.Constraint, taken map[string]bool) (*catalog.ForeignKey, error) {
	var parent *catalog.Table
	sc := b.Cat.Schemas[child.SchemaID]
	if b.Cat.Tables[child.ID] == nil && c.RefTable.Name == child.Name && (c.RefTable.Schema == "" || (sc != nil && c.RefTable.Schema == sc.Name)) {
		parent = child // CREATE TABLE referencing itself
	} else {
		p, err := b.LookupTable(c.RefTable)
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", c.RefTable.Name)
		}
		parent = p
		if p.ID == child.ID {
			parent = child
		}
	}
	if c.Match == "partial" {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "MATCH PARTIAL not yet implemented")
	}
	if c.InitiallyDeferred && !c.Deferrable && c.Kind == "foreign key" {
		// INITIALLY DEFERRED implies DEFERRABLE in PostgreSQL.
		c.Deferrable = true
	}
	fk := &catalog.ForeignKey{Name: c.Name, RefTable: parent.ID, OnDelete: c.OnDelete, OnUpdate: c.OnUpdate, MatchFull: c.Match == "full",
		Deferrable: c.Deferrable, Deferred: c.InitiallyDeferred}
	for _, name := range c.Columns {
		i := child.ColumnByName(name)
		if i < 0 || child.Columns[i].Hidden {
			return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" referenced in foreign key constraint does not exist", name)
		}
		fk.Columns = append(fk.Columns, i)
	}
	if len(c.RefColumns) == 0 {
		if parent.Columns[parent.PrimaryKey[0]].Hidden {
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "there is no primary key for referenced table \"%s\"", parent.Name)
		}
		fk.RefColumns = append([]int(nil), parent.PrimaryKey...)
	} else {
		for _, name := range c.RefColumns {
			i := parent.ColumnByName(name)
			if i < 0 || parent.Columns[i].Hidden {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" referenced in foreign key constraint does not exist", name)
			}
			fk.RefColumns = append(fk.RefColumns, i)
		}
	}
	if len(fk.Columns) != len(fk.RefColumns) {
		return nil, pgerror.New("42830", "number of referencing and referenced columns for foreign key disagree")
	}
	unique := !parent.Columns[parent.PrimaryKey[0]].Hidden && permutation(parent.PrimaryKey, fk.RefColumns) != nil
	for i := range parent.Indexes {
		if idx := &parent.Indexes[i]; !unique && idx.Unique && (idx.Method == "btree" || idx.Method == "") && idx.Where == "" && permutation(idx.Columns, fk.RefColumns) != nil {
			unique = true
		}
	}
	if !unique {
		return nil, pgerror.New("42830", "there is no unique constraint matching given keys for referenced table \"%s\"", parent.Name)
	}
	if fk.Name == "" {
		names := make([]string, len(fk.Columns))
		for i, ci := range fk.Columns {
			names[i] = child.Columns[ci].Name
		}
		fk.Name = chooseConstraintName(child.Name, strings.Join(names, "_"), "fkey", taken)
	} else {
		if hasConstraintNamed(child, fk.Name) {
			return nil, pgerror.New(pgerror.CodeDuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", fk.Name, child.Name)
		}
		taken[fk.Name] = true
	}
	if err := fkTypeError(fk, child, parent); err != nil {
		return nil, err
	}
	return fk, nil
}

// fkTypeError is PostgreSQL's 42804 for a foreign key whose referencing
// and referenced columns cannot be compared (nil when they can).
func fkTypeError(fk *catalog.ForeignKey, child, parent *catalog.Table) error {
	for i := range fk.Columns {
		ct, pt := child.Columns[fk.Columns[i]].Type, parent.Columns[fk.RefColumns[i]].Type
		if !fkTypesCompatible(ct, pt) {
			return pgerror.New(pgerror.CodeDatatypeMismatch, "foreign key constraint \"%s\" cannot be implemented", fk.Name).
				WithDetail("Key columns \"%s\" and \"%s\" are of incompatible types: %s and %s.",
					child.Columns[fk.Columns[i]].Name, parent.Columns[fk.RefColumns[i]].Name, ct.BaseString(), pt.BaseString())
		}
	}
	return nil
}

// fkTypesCompatible approximates PostgreSQL's requirement of an equality
// operator between the key types: same family, or types of one category
// that convert implicitly.
func fkTypesCompatible(a, b *types.T) bool {
	if a.Family == b.Family {
		return true
	}
	num := func(t *types.T) bool {
		switch t.Family {
		case types.FamInt2, types.FamInt4, types.FamInt8, types.FamNumeric, types.FamFloat4, types.FamFloat8:
			return true
		}
		return false
	}
	str := func(t *types.T) bool {
		return t.Family == types.FamText || t.Family == types.FamVarchar || t.Family == types.FamChar
	}
	return (num(a) && num(b)) || (str(a) && str(b))
}

// validateFK checks every existing row of the child against the parent.
func (s *Session) validateFK(ec *execCtx, child *catalog.Table, fk *catalog.ForeignKey) error {
	cat, err := ec.txn.Catalog()
	if err != nil {
		return err
	}
	l, ok := resolveFK(cat, child, fk)
	if !ok {
		return nil
	}
	// A child row a concurrent transaction adds unseen must not escape
	// the check (DependOnRows).
	ec.txn.DependOnRows(child)
	return scanRows(ec, child, func(row []types.Datum) error {
		return ec.checkParent(l, row)
	})
}

// fkRef is a foreign key of another table referencing a given one.
type fkRef struct {
	child *catalog.Table
	fk    *catalog.ForeignKey
}

// referencingFKs lists the foreign keys of other tables that reference t.
func referencingFKs(cat *storage.Catalog, t *catalog.Table) []fkRef {
	var out []fkRef
	for _, o := range cat.Tables {
		if o.ID == t.ID {
			continue
		}
		for i := range o.ForeignKeys {
			if o.ForeignKeys[i].RefTable == t.ID {
				out = append(out, fkRef{o, &o.ForeignKeys[i]})
			}
		}
	}
	return out
}
