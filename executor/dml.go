package executor

import (
	"errors"
	"fmt"
	"strings"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// dmlResult is the outcome of INSERT/UPDATE/DELETE: a count and the
// RETURNING rows, computed before the result is handed back.
func dmlResult(tag string, count int64, cols []planner.Column, rows [][]types.Datum) Result {
	r := &rowsResult{tag: fmt.Sprintf("%s %d", tag, count)}
	if cols != nil {
		r.cols = resultColumns(&planner.Project{Cols: cols})
		r.it = &sliceIter{rows: rows}
	}
	return r
}

// withSchemaName completes a constraint error with the table's schema,
// which clients show as SCHEMA NAME (storage reports only the table).
func (s *Session) withSchemaName(ec *execCtx, t *catalog.Table, err error) error {
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Table == "" || pe.Schema != "" {
		return err
	}
	cat, cerr := ec.txn.Catalog()
	if cerr != nil {
		return err
	}
	if sc := cat.Schemas[t.SchemaID]; sc != nil {
		c := *pe
		c.Schema = sc.Name
		return &c
	}
	return err
}

// checkRow enforces NOT NULL on a full-width row about to be stored.
func checkRow(t *catalog.Table, row []types.Datum) error {
	for i, c := range t.Columns {
		if c.NotNull && !c.Hidden && !c.Dropped && types.IsNull(row[i]) {
			return &pgerror.Error{
				Severity: "ERROR",
				Code:     pgerror.CodeNotNullViolation,
				Message:  fmt.Sprintf("null value in column \"%s\" of relation \"%s\" violates not-null constraint", c.Name, t.Name),
				Detail:   "Failing row contains " + failingRow(t, row) + ".",
				Table:    t.Name,
				Column:   c.Name,
			}
		}
	}
	return nil
}

func failingRow(t *catalog.Table, row []types.Datum) string {
	var parts []string
	for i, c := range t.Columns {
		if c.Hidden || c.Dropped {
			continue
		}
		if types.IsNull(row[i]) {
			parts = append(parts, "null")
		} else {
			parts = append(parts, types.FormatText(c.Type, row[i]))
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func (ec *execCtx) returning(exprs []evalFn, row []types.Datum) ([]types.Datum, error) {
	out := make([]types.Datum, len(exprs))
	for i, f := range exprs {
		v, err := f(row)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// rowInserter widens rows of an INSERT's target columns to full table
// rows (filling defaults) and checks them; INSERT and COPY FROM share it.
type rowInserter struct {
	ec       *execCtx
	t        *catalog.Table
	isTarget []int // per table column: index into the target values or -1
	defaults []evalFn
	// cons enforces CHECK and FOREIGN KEY constraints; nil when the table
	// has none, so such tables pay nothing per row.
	cons *consWriter
	// generated computes the table's generated columns (nil: none)
	generated generatedCols
	// lockKeys: inserts take their keys' locks (InsertRowLockingKeys).
	lockKeys bool
}

func (ec *execCtx) newRowInserter(n *planner.Insert) (*rowInserter, error) {
	t := n.Table
	ri := &rowInserter{ec: ec, t: t, isTarget: make([]int, len(t.Columns)), defaults: make([]evalFn, len(t.Columns))}
	for i, d := range n.Defaults {
		if d != nil {
			f, err := ec.compile(d)
			if err != nil {
				return nil, err
			}
			ri.defaults[i] = f
		}
	}
	for i := range ri.isTarget {
		ri.isTarget[i] = -1
	}
	for j, i := range n.Targets {
		ri.isTarget[i] = j
	}
	var err error
	if ri.generated, err = ec.compileGenerated(n.Generated); err != nil {
		return nil, err
	}
	if len(t.Checks) > 0 || len(t.ForeignKeys) > 0 {
		ri.cons = ec.newConsWriter()
	}
	return ri, nil
}

// build returns the full, checked row for the target values in.
func (ri *rowInserter) build(in []types.Datum) ([]types.Datum, error) {
	row := make([]types.Datum, len(ri.t.Columns))
	var err error
	for i := range ri.t.Columns {
		switch {
		case ri.isTarget[i] >= 0:
			row[i] = in[ri.isTarget[i]]
		case ri.defaults[i] != nil:
			if row[i], err = ri.defaults[i](nil); err != nil {
				return nil, err
			}
		default:
			row[i] = types.Null
		}
	}
	if err := ri.generated.fill(row); err != nil {
		return nil, err
	}
	if err := checkRow(ri.t, row); err != nil {
		return nil, err
	}
	if ri.cons != nil {
		if err := ri.cons.checkNew(ri.t, row); err != nil {
			return nil, err
		}
	}
	return row, nil
}

// insert stores the row for the target values in.
func (ri *rowInserter) insert(in []types.Datum) error {
	row, err := ri.build(in)
	if err != nil {
		return err
	}
	return ri.store(row)
}

// store stores a row build returned.
func (ri *rowInserter) store(row []types.Datum) error {
	insert := ri.ec.txn.InsertRow
	if ri.lockKeys {
		insert = ri.ec.txn.InsertRowLockingKeys
	}
	if err := insert(ri.ec.ctx, ri.t, row); err != nil {
		return err
	}
	if ri.cons != nil {
		return ri.cons.afterWrite(ri.t, nil, row)
	}
	return nil
}

// finish runs the constraint checks due at the end of the statement.
func (ri *rowInserter) finish() error {
	if ri.cons != nil {
		return ri.cons.finish()
	}
	return nil
}

// insertLocksKeys reports whether an INSERT takes the locks of the keys
// it inserts. ON CONFLICT decides between inserting and not on what its
// snapshot shows, so a concurrent insert of the same key must wait. A
// VALUES insert waits too, as in PostgreSQL, and then (READ COMMITTED runs
// it again) meets the committed row as 23505 instead of a 40001 at
// COMMIT; inserts from a query, like COPY, may be bulk loads and take no
// locks.
func insertLocksKeys(n *planner.Insert) bool {
	_, values := n.Source.(*planner.ValuesNode)
	return n.OnConflict != nil || values
}

func (ec *execCtx) execInsert(n *planner.Insert) (Result, error) {
	t := n.Table
	ri, err := ec.newRowInserter(n)
	if err != nil {
		return nil, err
	}
	ri.lockKeys = insertLocksKeys(n)
	ret, err := ec.compileAll(n.Returning)
	if err != nil {
		return nil, err
	}
	var conflictSet []evalFn
	var conflictWhere evalFn
	if oc := n.OnConflict; oc != nil && !oc.DoNothing {
		if conflictSet, err = ec.compileAll(oc.Set); err != nil {
			return nil, err
		}
		if oc.Where != nil {
			if conflictWhere, err = ec.compile(oc.Where); err != nil {
				return nil, err
			}
		}
	}
	if oc := n.OnConflict; oc != nil && !oc.DoNothing && ri.cons == nil {
		// The DO UPDATE arm may change a key other tables reference.
		cat, err := ec.txn.Catalog()
		if err != nil {
			return nil, err
		}
		if ec.needsConstraints(cat, t) {
			ri.cons = ec.newConsWriter()
		}
	}
	src, err := ec.build(n.Source)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	waitLinks := ec.parallelVectorInserts()
	// On failure the statement reports its own error; this wait only
	// keeps graph inserts from outliving it.
	defer waitLinks()
	var count int64
	var out [][]types.Datum
	for {
		in, err := src.Next()
		if err != nil {
			return nil, err
		}
		if in == nil {
			break
		}
		if count&255 == 0 {
			if err := ec.ctx.Err(); err != nil {
				return nil, canceled(err)
			}
		}
		row, err := ri.build(in)
		if err != nil {
			return nil, err
		}
		stored := row
		if oc := n.OnConflict; oc != nil {
			existing, err := ec.findConflict(t, oc, row)
			if err != nil {
				return nil, err
			}
			if existing != nil {
				if oc.DoNothing {
					continue
				}
				both := append(append([]types.Datum(nil), existing...), row...)
				if conflictWhere != nil {
					v, err := conflictWhere(both)
					if err != nil {
						return nil, err
					}
					if !isTrue(v) {
						continue
					}
				}
				updated := append([]types.Datum(nil), existing...)
				for k, ci := range oc.SetCols {
					if updated[ci], err = conflictSet[k](both); err != nil {
						return nil, err
					}
				}
				if err := ri.generated.fill(updated); err != nil {
					return nil, err
				}
				if ri.cons != nil {
					err = ri.cons.upsert(t, existing, updated)
				} else if err = checkRow(t, updated); err == nil {
					err = ec.txn.UpsertRow(ec.ctx, t, existing, updated)
				}
				if err != nil {
					return nil, err
				}
				stored = updated
				goto emitted
			}
		}
		if err := ri.store(row); err != nil {
			return nil, err
		}
	emitted:
		count++
		if ret != nil {
			r, err := ec.returning(ret, stored)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	if err := ri.finish(); err != nil {
		return nil, err
	}
	if err := waitLinks(); err != nil {
		return nil, err
	}
	return dmlResult("INSERT 0", count, n.ReturningCols, out), nil
}

// findConflict returns the stored row that a new row would collide with
// on the ON CONFLICT target, or nil.
func (ec *execCtx) findConflict(t *catalog.Table, oc *planner.OnConflict, row []types.Datum) ([]types.Datum, error) {
	lookupPK := func() ([]types.Datum, error) {
		pk := make([]types.Datum, len(t.PrimaryKey))
		for i, c := range t.PrimaryKey {
			if t.Columns[c].Hidden {
				return nil, nil
			}
			pk[i] = row[c]
		}
		return ec.txn.GetRow(ec.ctx, t, pk)
	}
	lookupIndex := func(idx *catalog.Index) ([]types.Datum, error) {
		if idx.Where != "" {
			// A row a partial index leaves out collides with nothing in it.
			if in, err := ec.sess.eng.partialIndexHolds(t, idx, row); err != nil || !in {
				return nil, err
			}
		}
		vals := make([]types.Datum, len(idx.Columns))
		for i, c := range idx.Columns {
			if types.IsNull(row[c]) {
				return nil, nil // NULLs never conflict
			}
			vals[i] = row[c]
		}
		b := &storage.Bound{Values: vals, Inclusive: true}
		it, err := ec.txn.ScanIndex(ec.ctx, t, idx, storage.Span{Start: b, End: b}, false)
		if err != nil {
			return nil, err
		}
		defer it.Close()
		return it.Next()
	}
	if !oc.Any {
		if oc.Index == nil {
			return lookupPK()
		}
		return lookupIndex(oc.Index)
	}
	if r, err := lookupPK(); err != nil || r != nil {
		return r, err
	}
	for i := range t.Indexes {
		idx := &t.Indexes[i]
		if idx.Unique && idx.Method == "btree" {
			if r, err := lookupIndex(idx); err != nil || r != nil {
				return r, err
			}
		}
	}
	return nil, nil
}

// collectTargets reads every row an UPDATE/DELETE will change before
// changing any, so the statement never sees its own writes.
func (ec *execCtx) collectTargets(p planner.Plan, width int) ([][]types.Datum, error) {
	it, err := ec.build(p)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var rows [][]types.Datum
	seen := map[string]bool{}
	var key []byte
	for {
		r, err := it.Next()
		if err != nil {
			return nil, err
		}
		if r == nil {
			return rows, nil
		}
		if len(r) > width {
			// A joined FROM/USING row: each target row is changed once.
			key = appendRowKey(key[:0], r[:width], nil)
			if seen[string(key)] {
				continue
			}
			seen[string(key)] = true
		}
		rows = append(rows, r)
	}
}

func (ec *execCtx) execUpdate(n *planner.Update) (Result, error) {
	t := n.Table
	sets, err := ec.compileAll(n.Set)
	if err != nil {
		return nil, err
	}
	generated, err := ec.compileGenerated(n.Generated)
	if err != nil {
		return nil, err
	}
	ret, err := ec.compileAll(n.Returning)
	if err != nil {
		return nil, err
	}
	rows, err := ec.collectTargets(n.Source, len(t.Columns))
	if err != nil {
		return nil, err
	}
	cat, err := ec.txn.Catalog()
	if err != nil {
		return nil, err
	}
	var cons *consWriter
	if ec.needsConstraints(cat, t) {
		cons = ec.newConsWriter()
	}
	var out [][]types.Datum
	for i, full := range rows {
		if i&255 == 0 {
			if err := ec.ctx.Err(); err != nil {
				return nil, canceled(err)
			}
		}
		old := full[:len(t.Columns)]
		updated := append([]types.Datum(nil), old...)
		for k, ci := range n.SetCols {
			if updated[ci], err = sets[k](full); err != nil {
				return nil, err
			}
		}
		if err := generated.fill(updated); err != nil {
			return nil, err
		}
		if cons != nil {
			err = cons.update(t, old, updated)
		} else if err = checkRow(t, updated); err == nil {
			err = ec.txn.UpdateRow(ec.ctx, t, old, updated)
		}
		if err != nil {
			return nil, err
		}
		if ret != nil {
			newFull := append(append([]types.Datum(nil), updated...), full[len(t.Columns):]...)
			r, err := ec.returning(ret, newFull)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	if cons != nil {
		if err := cons.finish(); err != nil {
			return nil, err
		}
	}
	return dmlResult("UPDATE", int64(len(rows)), n.ReturningCols, out), nil
}

func (ec *execCtx) execDelete(n *planner.Delete) (Result, error) {
	t := n.Table
	ret, err := ec.compileAll(n.Returning)
	if err != nil {
		return nil, err
	}
	rows, err := ec.collectTargets(n.Source, len(t.Columns))
	if err != nil {
		return nil, err
	}
	cat, err := ec.txn.Catalog()
	if err != nil {
		return nil, err
	}
	var cons *consWriter
	if ec.needsConstraints(cat, t) {
		cons = ec.newConsWriter()
	}
	var out [][]types.Datum
	for i, full := range rows {
		if i&255 == 0 {
			if err := ec.ctx.Err(); err != nil {
				return nil, canceled(err)
			}
		}
		// RETURNING reads the row before it goes, so that its system
		// columns (xmin, ctid) find the deleted version, as in PostgreSQL.
		var r []types.Datum
		if ret != nil {
			if r, err = ec.returning(ret, full); err != nil {
				return nil, err
			}
		}
		if cons != nil {
			err = cons.delete(t, full[:len(t.Columns)])
		} else {
			err = ec.txn.DeleteRow(ec.ctx, t, full[:len(t.Columns)])
		}
		if err != nil {
			return nil, err
		}
		if ret != nil {
			out = append(out, r)
		}
	}
	if cons != nil {
		if err := cons.finish(); err != nil {
			return nil, err
		}
	}
	return dmlResult("DELETE", int64(len(rows)), n.ReturningCols, out), nil
}
