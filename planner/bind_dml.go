package planner

import (
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// columnDefault binds a column's DEFAULT (nil when it has none).
func (b *Binder) columnDefault(t *catalog.Table, i int) (Expr, error) {
	c := &t.Columns[i]
	if c.Default == "" {
		return nil, nil
	}
	e, err := b.ParseExpr(c.Default)
	if err != nil {
		return nil, pgerror.Wrap(err, pgerror.CodeInternal, "default of column "+c.Name)
	}
	x, err := b.bindExpr(e, &scope{noAggReason: "DEFAULT expressions"})
	if err != nil {
		return nil, err
	}
	return b.coerce(x, c.Type, types.CastAssignment, "column \""+c.Name+"\"")
}

// BindInsert binds INSERT.
func (b *Binder) BindInsert(n *tree.Insert) (*Insert, error) {
	if n.With != nil {
		return nil, notSupported("WITH in INSERT")
	}
	if v, err := b.LookupView(n.Table); err != nil {
		return nil, err
	} else if v != nil {
		return b.bindInsertIntoView(v, n)
	}
	t, err := b.ResolveTable(n.Table)
	if err != nil {
		return nil, err
	}
	if err := refuseMatviewWrite(t); err != nil {
		return nil, err
	}
	var targets []int
	if len(n.Columns) == 0 {
		for i, c := range t.Columns {
			if !c.Hidden && !c.Dropped {
				targets = append(targets, i)
			}
		}
	} else {
		seen := map[int]bool{}
		for _, name := range n.Columns {
			i := t.ColumnByName(name)
			if i < 0 || t.Columns[i].Hidden {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, t.Name)
			}
			if seen[i] {
				return nil, pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" specified more than once", name)
			}
			seen[i] = true
			targets = append(targets, i)
		}
	}
	ins := &Insert{Table: t, Targets: targets, Defaults: make([]Expr, len(t.Columns))}
	for i := range t.Columns {
		if ins.Defaults[i], err = b.columnDefault(t, i); err != nil {
			return nil, err
		}
	}
	targetTypes := make([]*types.T, len(targets))
	for j, i := range targets {
		targetTypes[j] = t.Columns[i].Type
	}
	var overridden map[int]bool // target positions OVERRIDING USER VALUE ignores
	switch {
	case n.Source == nil:
		ins.Targets = nil
		ins.Source = &ValuesNode{Rows: [][]Expr{{}}}
	default:
		if v, ok := n.Source.Body.(*tree.Values); ok && n.Source.With == nil && len(n.Source.OrderBy) == 0 && n.Source.Limit == nil && n.Source.Offset == nil {
			for _, r := range v.Rows {
				if len(r) != len(v.Rows[0]) {
					return nil, pgerror.New(pgerror.CodeSyntaxError, "VALUES lists must all be the same length")
				}
			}
			if len(n.Columns) == 0 && len(v.Rows[0]) < len(targets) {
				// without a column list the values fill the leading columns
				targets = targets[:len(v.Rows[0])]
				ins.Targets = targets
			}
			for _, r := range v.Rows {
				if len(r) > len(targets) {
					return nil, pgerror.New(pgerror.CodeSyntaxError, "INSERT has more expressions than target columns")
				}
				if len(r) < len(targets) {
					return nil, pgerror.New(pgerror.CodeSyntaxError, "INSERT has more target columns than expressions")
				}
			}
			replace, err := checkInsertTargets(t, targets, n.Overriding, func(j int) bool {
				for _, r := range v.Rows {
					if _, ok := r[j].(*tree.DefaultExpr); !ok {
						return false
					}
				}
				return true
			})
			if err != nil {
				return nil, err
			}
			overridden = replace
			vals, err := b.bindValuesFor(v, t, targets)
			if err != nil {
				return nil, err
			}
			ins.Source = vals
		} else {
			p, err := b.BindQuery(n.Source)
			if err != nil {
				return nil, err
			}
			cols := p.Columns()
			if len(cols) > len(targets) {
				return nil, pgerror.New(pgerror.CodeSyntaxError, "INSERT has more expressions than target columns")
			}
			if len(cols) < len(targets) {
				ins.Targets = targets[:len(cols)]
			}
			if overridden, err = checkInsertTargets(t, ins.Targets, n.Overriding, func(int) bool { return false }); err != nil {
				return nil, err
			}
			exprs := make([]Expr, len(cols))
			needCast := false
			for j, c := range cols {
				col := &t.Columns[targets[j]]
				x, err := b.coerce(&ColRef{Idx: j, T: c.T}, col.Type, types.CastAssignment, "column \""+col.Name+"\"")
				if err != nil {
					return nil, err
				}
				if _, ok := x.(*ColRef); !ok {
					needCast = true
				}
				exprs[j] = x
			}
			if needCast {
				p = &Project{Input: p, Exprs: exprs, Cols: cols}
			}
			ins.Source = p
		}
	}
	if len(overridden) > 0 {
		dropTargets(ins, overridden)
	}
	if ins.Generated, err = b.generatedExprs(t); err != nil {
		return nil, err
	}
	rowScope := tableScope(t, tableAlias(t, n.Alias), nil)
	if n.OnConflict != nil {
		if ins.OnConflict, err = b.bindOnConflict(n.OnConflict, t, n.Alias); err != nil {
			return nil, err
		}
	}
	if ins.Returning, ins.ReturningCols, err = b.bindReturning(n.Returning, rowScope); err != nil {
		return nil, err
	}
	return ins, nil
}

func tableAlias(t *catalog.Table, alias string) string {
	if alias != "" {
		return alias
	}
	return t.Name
}

// bindValuesFor binds INSERT ... VALUES, replacing DEFAULT by the column's
// default expression and casting each value to its column's type.
func (b *Binder) bindValuesFor(v *tree.Values, t *catalog.Table, targets []int) (*ValuesNode, error) {
	sc := &scope{noAggReason: "VALUES"}
	rows := make([][]Expr, len(v.Rows))
	cols := make([]Column, len(targets))
	for j, i := range targets {
		cols[j] = Column{Name: t.Columns[i].Name, T: t.Columns[i].Type}
	}
	for r, row := range v.Rows {
		rows[r] = make([]Expr, len(targets))
		for j, e := range row {
			col := &t.Columns[targets[j]]
			if _, ok := e.(*tree.DefaultExpr); ok {
				d, err := b.columnDefault(t, targets[j])
				if err != nil {
					return nil, err
				}
				if d == nil {
					d = &Const{Val: types.Null, T: col.Type}
				}
				rows[r][j] = d
				continue
			}
			x, err := b.bindExpr(e, sc)
			if err != nil {
				return nil, err
			}
			if x, err = b.coerce(x, col.Type, types.CastAssignment, "column \""+col.Name+"\""); err != nil {
				return nil, withPos(err, exprPos(e))
			}
			rows[r][j] = x
		}
	}
	return &ValuesNode{Rows: rows, Cols: cols}, nil
}

func (b *Binder) bindReturning(items []tree.Target, sc *scope) ([]Expr, []Column, error) {
	if len(items) == 0 {
		return nil, nil, nil
	}
	sc.noAggReason = "RETURNING"
	targets, err := b.expandTargets(items, sc)
	if err != nil {
		return nil, nil, err
	}
	exprs := make([]Expr, len(targets))
	cols := make([]Column, len(targets))
	for i, t := range targets {
		x, err := b.bindExpr(t.expr, sc)
		if err != nil {
			return nil, nil, err
		}
		exprs[i] = x
		cols[i] = t.column(x)
	}
	return exprs, cols, nil
}

func (b *Binder) bindOnConflict(oc *tree.OnConflict, t *catalog.Table, alias string) (*OnConflict, error) {
	out := &OnConflict{DoNothing: oc.DoNothing}
	switch {
	case oc.Constraint != "":
		if oc.Constraint == t.PrimaryKeyName || (t.PrimaryKeyName == "" && oc.Constraint == t.Name+"_pkey") {
			break
		}
		idx := t.IndexByName(oc.Constraint)
		if idx == nil || !idx.Unique {
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "constraint \"%s\" for table \"%s\" does not exist", oc.Constraint, t.Name)
		}
		out.Index = idx
	case oc.Collate:
		// indexes use the columns' default collation
		return nil, pgerror.New(pgerror.CodeInvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
	case len(oc.Columns) > 0 || len(oc.Exprs) > 0:
		var cols []int
		for _, name := range oc.Columns {
			i := t.ColumnByName(name)
			if i < 0 || t.Columns[i].Hidden {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" does not exist", name)
			}
			cols = append(cols, i)
		}
		// An expression element matches an expression index through the
		// hidden column holding the expression's value.
		for _, e := range oc.Exprs {
			x, err := b.bindExpr(e, newScope(TableColumns(t, tableAlias(t, alias)), nil))
			if err != nil {
				return nil, err
			}
			i := IndexExprColumn(t, x)
			if i < 0 {
				return nil, pgerror.New(pgerror.CodeInvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
			}
			cols = append(cols, i)
		}
		if !sameSet(cols, t.PrimaryKey) {
			// A partial unique index is inferred only from a WHERE that
			// implies its predicate, as in PostgreSQL.
			var where Expr
			if oc.Where != nil {
				var err error
				if where, err = b.bindCondition(oc.Where, newScope(TableColumns(t, tableAlias(t, alias)), nil), "WHERE"); err != nil {
					return nil, err
				}
			}
			for k := range t.Indexes {
				idx := &t.Indexes[k]
				if idx.Unique && idx.Method == "btree" && sameSet(cols, idx.Columns) &&
					(idx.Where == "" || where != nil && b.partialIndexImplied(t, idx, where)) {
					out.Index = idx
					break
				}
			}
			if out.Index == nil {
				return nil, pgerror.New(pgerror.CodeInvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
			}
		}
	default:
		if !oc.DoNothing {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "ON CONFLICT DO UPDATE requires inference specification or constraint name").WithHint("For example, ON CONFLICT (column_name).")
		}
		out.Any = true
	}
	if oc.DoNothing {
		return out, nil
	}
	cols := append(TableColumns(t, tableAlias(t, alias)), TableColumns(t, "excluded")...)
	sc := newScope(cols, nil)
	for i := range t.Columns {
		sc.cols[i].rel = t
	}
	var err error
	if out.SetCols, out.Set, err = b.bindSetClauses(oc.Set, t, sc); err != nil {
		return nil, err
	}
	if oc.UpdWhere != nil {
		if out.Where, err = b.bindCondition(oc.UpdWhere, sc, "WHERE"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func sameSet(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[int]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}

func (b *Binder) bindSetClauses(set []tree.SetClause, t *catalog.Table, sc *scope) ([]int, []Expr, error) {
	var cols []int
	var exprs []Expr
	seen := map[int]bool{}
	for _, s := range set {
		if len(s.Columns) > 0 {
			return nil, nil, notSupported("multiple-column assignment in SET")
		}
		i := t.ColumnByName(s.Column)
		if i < 0 || t.Columns[i].Hidden {
			return nil, nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", s.Column, t.Name).WithPosition(int(s.Pos))
		}
		if seen[i] {
			return nil, nil, pgerror.New(pgerror.CodeSyntaxError, "multiple assignments to same column \"%s\"", s.Column)
		}
		seen[i] = true
		col := &t.Columns[i]
		var x Expr
		var err error
		if _, ok := s.Value.(*tree.DefaultExpr); ok {
			if x, err = b.columnDefault(t, i); err != nil {
				return nil, nil, err
			}
			if x == nil {
				x = &Const{Val: types.Null, T: col.Type}
			}
		} else {
			if err := generatedWriteError(col, true); err != nil {
				return nil, nil, err
			}
			if x, err = b.bindExpr(s.Value, sc); err != nil {
				return nil, nil, err
			}
			if x, err = b.coerce(x, col.Type, types.CastAssignment, "column \""+col.Name+"\""); err != nil {
				return nil, nil, withPos(err, exprPos(s.Value))
			}
		}
		cols = append(cols, i)
		exprs = append(exprs, x)
	}
	return cols, exprs, nil
}

// bindTarget binds the source rows of UPDATE/DELETE: the target table's
// rows (filtered), joined with FROM/USING tables when given.
func (b *Binder) bindTarget(name tree.ObjectName, uv *updatableView, alias string, from []tree.TableExpr, where tree.Expr) (*catalog.Table, Plan, *scope, error) {
	var t *catalog.Table
	var cols []Column
	var p Plan
	if uv != nil {
		t = uv.table
		cols = uv.columns(alias)
		p = &Scan{Table: t, Cols: cols}
		if uv.filter != nil {
			p = b.addFilter(p, uv.filter)
		}
	} else {
		var err error
		if t, err = b.ResolveTable(name); err != nil {
			return nil, nil, nil, err
		}
		if err := refuseMatviewWrite(t); err != nil {
			return nil, nil, nil, err
		}
		cols = TableColumns(t, tableAlias(t, alias))
		p = &Scan{Table: t, Cols: cols}
	}
	sc := newScope(cols, nil)
	if uv == nil {
		for i := range sc.cols {
			sc.cols[i].rel = t
		}
	}
	for _, f := range from {
		fp, fsc, err := b.bindTableExpr(f, nil)
		if err != nil {
			return nil, nil, nil, err
		}
		p, sc = b.crossJoin(p, sc, fp, fsc, nil)
	}
	if where != nil {
		sc.noAggReason = "WHERE"
		cond, err := b.bindCondition(where, sc, "WHERE")
		if err != nil {
			return nil, nil, nil, err
		}
		sc.noAggReason = ""
		if j, ok := p.(*Join); ok {
			splitJoinCondition(j, cond, len(j.Left.Columns()))
		} else {
			p = b.addFilter(p, cond)
		}
	}
	return t, p, sc, nil
}

// dmlView resolves the target of UPDATE or DELETE (verb, as in errors)
// when it is a view: how to write through it, or PostgreSQL's 55000 when
// it cannot be written through. nil for a table.
func (b *Binder) dmlView(name tree.ObjectName, verb string) (*updatableView, error) {
	v, err := b.LookupView(name)
	if err != nil || v == nil {
		return nil, err
	}
	return b.updatableView(v, verb)
}

// BindUpdate binds UPDATE.
func (b *Binder) BindUpdate(n *tree.Update) (*Update, error) {
	if n.With != nil {
		return nil, notSupported("WITH in UPDATE")
	}
	uv, err := b.dmlView(n.Table, "update")
	if err != nil {
		return nil, err
	}
	set, returning := n.Set, n.Returning
	if uv != nil {
		if set, err = uv.setClauses(set); err != nil {
			return nil, err
		}
		if returning, err = uv.returning(returning, n.Alias, len(n.From) > 0); err != nil {
			return nil, err
		}
	}
	t, src, sc, err := b.bindTarget(n.Table, uv, n.Alias, n.From, n.Where)
	if err != nil {
		return nil, err
	}
	u := &Update{Table: t, Source: src}
	if u.SetCols, u.Set, err = b.bindSetClauses(set, t, sc); err != nil {
		return nil, err
	}
	if u.Generated, err = b.generatedExprs(t); err != nil {
		return nil, err
	}
	if u.Returning, u.ReturningCols, err = b.bindReturning(returning, sc); err != nil {
		return nil, err
	}
	return u, nil
}

// BindDelete binds DELETE.
func (b *Binder) BindDelete(n *tree.Delete) (*Delete, error) {
	if n.With != nil {
		return nil, notSupported("WITH in DELETE")
	}
	uv, err := b.dmlView(n.Table, "delete from")
	if err != nil {
		return nil, err
	}
	returning := n.Returning
	if uv != nil {
		if returning, err = uv.returning(returning, n.Alias, len(n.Using) > 0); err != nil {
			return nil, err
		}
	}
	t, src, sc, err := b.bindTarget(n.Table, uv, n.Alias, n.Using, n.Where)
	if err != nil {
		return nil, err
	}
	d := &Delete{Table: t, Source: src}
	if d.Returning, d.ReturningCols, err = b.bindReturning(returning, sc); err != nil {
		return nil, err
	}
	return d, nil
}

// BindScalar binds a standalone expression with no columns in scope
// (CHECK/DEFAULT validation, EXECUTE parameters).
func (b *Binder) BindScalar(e tree.Expr) (Expr, error) {
	return b.bindExpr(e, &scope{noAggReason: "this context"})
}

// Coerce converts a bound expression to t as an assignment would.
func (b *Binder) Coerce(x Expr, t *types.T) (Expr, error) {
	return b.coerce(x, t, types.CastAssignment, "parameter")
}

// refuseMatviewWrite is PostgreSQL's refusal of INSERT, UPDATE and DELETE
// on a materialized view, whose rows only REFRESH writes.
func refuseMatviewWrite(t *catalog.Table) error {
	if t.Matview != nil {
		return pgerror.New(pgerror.CodeWrongObjectType, "cannot change materialized view \"%s\"", t.Name)
	}
	return nil
}
