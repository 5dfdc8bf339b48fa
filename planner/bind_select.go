package planner

import (
	"slices"
	"strconv"

	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// bindSelect binds a full query. The result may carry hidden trailing
// columns; BindQuery strips them.
func (b *Binder) bindSelect(s *tree.Select, outer *scope) (Plan, error) {
	var with *WithNode
	if s.With != nil {
		frame := map[string]*cteBinding{}
		b.ctes = append(b.ctes, frame)
		defer func() { b.ctes = b.ctes[:len(b.ctes)-1] }()
		with = &WithNode{}
		for _, cte := range s.With.CTEs {
			q, ok := cte.Stmt.(*tree.Select)
			if !ok {
				return nil, notSupported("data-modifying statements in WITH")
			}
			var def *CTEDef
			var cols []Column
			var err error
			if s.With.Recursive {
				def, cols, err = b.bindRecursiveCTE(&cte, q, frame, outer)
			} else {
				def, cols, err = b.bindCTE(&cte, q, outer)
			}
			if err != nil {
				return nil, err
			}
			frame[cte.Name] = &cteBinding{def: def, cols: cols}
			with.CTEs = append(with.CTEs, def)
		}
	}
	lock, err := b.beginRowLock(s)
	if err != nil {
		return nil, err
	}
	var p Plan
	if sc, ok := s.Body.(*tree.SelectClause); ok {
		saved := b.lock
		b.lock = lock
		p, err = b.bindSelectClause(sc, s.OrderBy, outer)
		b.lock = saved
	} else {
		p, err = b.bindSetBody(s.Body, outer)
		if err == nil && len(s.OrderBy) > 0 {
			p, err = b.bindOutputOrder(p, s.OrderBy)
		}
	}
	if err != nil {
		return nil, err
	}
	if s.Limit != nil || s.Offset != nil {
		lim := &Limit{Input: p}
		if s.Limit != nil {
			if lim.Count, err = b.bindLimitExpr(s.Limit, "LIMIT"); err != nil {
				return nil, err
			}
		}
		if s.Offset != nil {
			if lim.Offset, err = b.bindLimitExpr(s.Offset, "OFFSET"); err != nil {
				return nil, err
			}
		}
		if s.WithTies {
			sort, ok := p.(*Sort)
			if !ok {
				return nil, notSupported("WITH TIES over this query form")
			}
			if c, ok := lim.Count.(*Const); ok && types.IsNull(c.Val) {
				return nil, pgerror.New("2201W", "row count cannot be null in FETCH FIRST ... WITH TIES clause")
			}
			lim.TieKeys = sort.Keys
		} else if sort, ok := p.(*Sort); ok && lim.Count != nil && (lock == nil || s.LockWait != "skip locked") {
			// SKIP LOCKED may pass rows over, so the sort keeps them all
			// for LIMIT to take the first it can lock.
			sort.TopK = lim.Count
			if lim.Offset != nil {
				sort.TopK = &LimitSum{Count: lim.Count, Offset: lim.Offset}
			}
			useVectorIndex(sort, b.partialIndexImplied)
		}
		if lock != nil {
			if lim.Input, err = lockRows(lim.Input, lock, s); err != nil {
				return nil, err
			}
		}
		p = lim
	} else if lock != nil {
		if p, err = lockRows(p, lock, s); err != nil {
			return nil, err
		}
	}
	if with != nil && len(with.CTEs) > 0 {
		with.Input = p
		p = with
	}
	return p, nil
}

// bindCTE binds a WITH query that does not refer to itself.
func (b *Binder) bindCTE(cte *tree.CTE, q *tree.Select, outer *scope) (*CTEDef, []Column, error) {
	p, err := b.bindSelect(q, outer)
	if err != nil {
		return nil, nil, err
	}
	p = stripHidden(p)
	cols := renameColumns(p.Columns(), cte.Name, cte.Columns)
	b.nextCTE++
	return &CTEDef{Name: cte.Name, Plan: p, ID: b.nextCTE}, cols, nil
}

// bindRecursiveCTE binds a query of WITH RECURSIVE. One that refers to
// itself must be `non-recursive term UNION [ALL] recursive term`, as in
// PostgreSQL: the non-recursive term fixes the columns and their types,
// and the recursive term reads the rows the previous round produced (the
// work table) through its one reference to the query's name. A query
// that does not refer to itself is an ordinary WITH query.
func (b *Binder) bindRecursiveCTE(cte *tree.CTE, q *tree.Select, frame map[string]*cteBinding, outer *scope) (*CTEDef, []Column, error) {
	recursiveErr := func(format string) error {
		return pgerror.New("42P19", format, cte.Name)
	}
	// While a term that must not refer to the query is bound, its name
	// resolves to a binding that fails.
	frame[cte.Name] = &cteBinding{refErr: recursiveErr(`recursive reference to query "%s" must not appear within its non-recursive term`)}
	op, isUnion := q.Body.(*tree.SetOp)
	if !isUnion || op.Op != "union" {
		frame[cte.Name].refErr = recursiveErr(`recursive query "%s" does not have the form non-recursive-term UNION [ALL] recursive-term`)
		return b.bindCTE(cte, q, outer)
	}
	left, err := b.bindSetBody(op.Left, outer)
	if err != nil {
		return nil, nil, err
	}
	left = stripHidden(left)
	cols := renameColumns(left.Columns(), cte.Name, cte.Columns)
	if len(cte.Columns) > len(cols) {
		return nil, nil, pgerror.New("42P10", "WITH query \"%s\" has %d columns available but %d columns specified", cte.Name, len(cols), len(cte.Columns))
	}
	b.nextCTE++
	work := &CTEDef{Name: cte.Name, ID: b.nextCTE, WorkTable: true}
	refs := 0
	frame[cte.Name] = &cteBinding{def: work, cols: cols, refs: &refs, sublinks: b.sublinks}
	right, err := b.bindSetBody(op.Right, outer)
	if err != nil {
		return nil, nil, err
	}
	if refs == 0 {
		// Not recursive after all: bind it as the ordinary query it is.
		delete(frame, cte.Name)
		return b.bindCTE(cte, q, outer)
	}
	if refs > 1 {
		return nil, nil, recursiveErr(`recursive reference to query "%s" must not appear more than once`)
	}
	if aggregates(right) {
		return nil, nil, pgerror.New("42P19", "aggregate functions are not allowed in a recursive query's recursive term")
	}
	if len(q.OrderBy) > 0 {
		return nil, nil, pgerror.New("0A000", "ORDER BY in a recursive query is not implemented")
	}
	if q.Limit != nil || q.Offset != nil {
		return nil, nil, pgerror.New("0A000", "OFFSET/LIMIT in a recursive query is not implemented")
	}
	right = stripHidden(right)
	rc := right.Columns()
	if len(rc) != len(cols) {
		return nil, nil, pgerror.New(pgerror.CodeSyntaxError, "each UNION query must have the same number of columns")
	}
	exprs := make([]Expr, len(cols))
	cast := false
	for i := range cols {
		exprs[i] = &ColRef{Idx: i, T: rc[i].T}
		if rc[i].T.Identical(cols[i].T) {
			continue
		}
		t, err := commonType([]*types.T{cols[i].T, rc[i].T}, "UNION")
		if err == nil && !t.Identical(cols[i].T) {
			err = pgerror.New(pgerror.CodeDatatypeMismatch, "recursive query \"%s\" column %d has type %s in non-recursive term but type %s overall", cte.Name, i+1, cols[i].T, t).
				WithHint("Cast the output of the non-recursive term to the correct type.")
		}
		if err != nil {
			return nil, nil, err
		}
		if exprs[i], err = b.coerce(exprs[i], cols[i].T, types.CastImplicit, "UNION"); err != nil {
			return nil, nil, err
		}
		cast = true
	}
	if cast {
		right = &Project{Input: right, Exprs: exprs, Cols: cols}
	}
	b.nextCTE++
	plan := &RecursiveUnion{NonRecursive: left, Recursive: right, All: op.All, Work: work, Cols: cols}
	return &CTEDef{Name: cte.Name, Plan: plan, ID: b.nextCTE}, cols, nil
}

// partialIndexImplied reports whether filter implies idx's WHERE
// (PredicateImplied); a predicate that no longer binds implies nothing.
func (b *Binder) partialIndexImplied(t *catalog.Table, idx *catalog.Index, filter Expr) bool {
	if b.ParseExpr == nil {
		return false
	}
	e, err := b.ParseExpr(idx.Where)
	if err != nil {
		return false
	}
	pred, err := b.BindIndexPredicate(t, e)
	return err == nil && PredicateImplied(t, pred, filter)
}

// aggregates reports whether query p aggregates at its own level (not in
// a subquery in its FROM or its expressions).
func aggregates(p Plan) bool {
	for {
		switch n := p.(type) {
		case *Aggregate:
			return true
		case *Project:
			p = n.Input
		case *Filter:
			p = n.Input
		case *Sort:
			p = n.Input
		case *Limit:
			p = n.Input
		case *Distinct:
			p = n.Input
		default:
			return false
		}
	}
}

// LimitSum is LIMIT + OFFSET, the number of rows a top-k sort keeps.
type LimitSum struct{ Count, Offset Expr }

func (e *LimitSum) Type() *types.T { return types.Int8 }

func (b *Binder) bindLimitExpr(e tree.Expr, clause string) (Expr, error) {
	sc := &scope{noAggReason: clause}
	x, err := b.bindExpr(e, sc)
	if err != nil {
		return nil, err
	}
	return b.coerce(x, types.Int8, types.CastAssignment, clause)
}

// bindSetBody binds a UNION/INTERSECT/EXCEPT, VALUES or nested query.
func (b *Binder) bindSetBody(body tree.SelectBody, outer *scope) (Plan, error) {
	switch n := body.(type) {
	case *tree.SelectClause:
		return b.bindSelectClause(n, nil, outer)
	case *tree.ParenSelect:
		p, err := b.bindSelect(n.Select, outer)
		if err != nil {
			return nil, err
		}
		return stripHidden(p), nil
	case *tree.Values:
		return b.bindValues(n, outer, nil)
	case *tree.SetOp:
		l, err := b.bindSetBody(n.Left, outer)
		if err != nil {
			return nil, err
		}
		r, err := b.bindSetBody(n.Right, outer)
		if err != nil {
			return nil, err
		}
		l, r = stripHidden(l), stripHidden(r)
		lc, rc := l.Columns(), r.Columns()
		if len(lc) != len(rc) {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "each %s query must have the same number of columns", opName(n.Op))
		}
		cols := make([]Column, len(lc))
		lx := make([]Expr, len(lc))
		rx := make([]Expr, len(lc))
		castL, castR := false, false
		for i := range lc {
			t, err := commonType([]*types.T{lc[i].T, rc[i].T}, opName(n.Op))
			if err != nil {
				return nil, err
			}
			cols[i] = Column{Name: lc[i].Name, T: t}
			lx[i], rx[i] = &ColRef{Idx: i, T: lc[i].T}, &ColRef{Idx: i, T: rc[i].T}
			if !lc[i].T.Identical(t) {
				castL = true
				if lx[i], err = b.coerce(lx[i], t, types.CastImplicit, opName(n.Op)); err != nil {
					return nil, err
				}
			}
			if !rc[i].T.Identical(t) {
				castR = true
				if rx[i], err = b.coerce(rx[i], t, types.CastImplicit, opName(n.Op)); err != nil {
					return nil, err
				}
			}
		}
		if castL {
			l = &Project{Input: l, Exprs: lx, Cols: cols}
		}
		if castR {
			r = &Project{Input: r, Exprs: rx, Cols: cols}
		}
		return &SetOpNode{Op: n.Op, All: n.All, Left: l, Right: r, Cols: cols}, nil
	}
	return nil, notSupported("this query form")
}

func opName(op string) string {
	switch op {
	case "union":
		return "UNION"
	case "intersect":
		return "INTERSECT"
	}
	return "EXCEPT"
}

// bindValues binds VALUES rows; when targets is non-nil each column is
// coerced to that type (INSERT), otherwise to the rows' common type.
func (b *Binder) bindValues(v *tree.Values, outer *scope, targets []*types.T) (*ValuesNode, error) {
	if len(v.Rows) == 0 {
		return nil, pgerror.New(pgerror.CodeSyntaxError, "VALUES lists must not be empty")
	}
	width := len(v.Rows[0])
	sc := &scope{parent: outer, noAggReason: "VALUES"}
	rows := make([][]Expr, len(v.Rows))
	for i, r := range v.Rows {
		if len(r) != width {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "VALUES lists must all be the same length")
		}
		rows[i] = make([]Expr, width)
		for j, e := range r {
			if _, ok := e.(*tree.DefaultExpr); ok && targets != nil {
				rows[i][j] = nil // filled by the caller with the column default
				continue
			}
			x, err := b.bindExpr(e, sc)
			if err != nil {
				return nil, err
			}
			rows[i][j] = x
		}
	}
	cols := make([]Column, width)
	for j := 0; j < width; j++ {
		var t *types.T
		if targets != nil && j < len(targets) {
			t = targets[j]
		} else {
			ts := make([]*types.T, 0, len(rows))
			for _, r := range rows {
				if r[j] != nil {
					ts = append(ts, r[j].Type())
				}
			}
			var err error
			if t, err = commonType(ts, "VALUES"); err != nil {
				return nil, err
			}
		}
		ctx := types.CastImplicit
		if targets != nil {
			ctx = types.CastAssignment
		}
		for _, r := range rows {
			if r[j] == nil {
				continue
			}
			x, err := b.coerce(r[j], t, ctx, "VALUES")
			if err != nil {
				return nil, err
			}
			r[j] = x
		}
		cols[j] = Column{Name: "column" + strconv.Itoa(j+1), T: t}
	}
	return &ValuesNode{Rows: rows, Cols: cols}, nil
}

// bindSelectClause binds SELECT ... FROM ... WHERE ... GROUP BY ... HAVING
// plus the query's ORDER BY, which may refer to input columns.
func (b *Binder) bindSelectClause(sc *tree.SelectClause, orderBy []tree.OrderItem, outer *scope) (Plan, error) {
	// Select-list set-returning functions over FROM rows run per row
	// (ProjectSet); without FROM, or below aggregation, they are hoisted
	// into FROM as function scans.
	plain := len(sc.GroupBy) == 0 && sc.Having == nil && !hasAggregate(targetList(sc.Targets))
	perRow := len(sc.From) > 0 && plain
	sc, calls := hoistSetReturning(sc, perRow)
	input, in, err := b.bindFrom(sc.From, outer)
	if err != nil {
		return nil, err
	}
	if sc.Where != nil {
		in.noAggReason = "WHERE"
		cond, err := b.bindCondition(sc.Where, in, "WHERE")
		if err != nil {
			return nil, err
		}
		in.noAggReason = ""
		input = b.pushDownFilter(input, cond)
	}
	if len(calls) > 0 {
		if input, err = b.bindProjectSet(input, in, calls); err != nil {
			return nil, err
		}
	}

	ws := &winState{named: sc.Windows}
	targets, err := b.expandTargets(sc.Targets, in)
	if err != nil {
		return nil, err
	}
	aggregating := len(sc.GroupBy) > 0 || sc.Having != nil || hasAggregate(targetExprs(targets)) || hasAggregate(orderExprs(orderBy))

	var exprs []Expr
	// Not nil even for an empty select list (SELECT; SELECT FROM t): the
	// query still returns rows, described by a RowDescription without
	// fields, where nil columns mean a statement without a result set.
	cols := []Column{}
	var post *scope // scope in which ORDER BY expressions are bound
	var proj Plan
	if aggregating {
		st := &aggState{}
		var groupExprs []Expr
		var sets [][]int
		if hasGroupingSets(sc.GroupBy) {
			if groupExprs, sets, err = b.bindGroupingSets(sc.GroupBy, sc.GroupByDistinct, targets, in, st); err != nil {
				return nil, err
			}
		}
		for _, g := range sc.GroupBy {
			if sets != nil {
				break
			}
			ge, err := b.bindGroupItem(g, targets, in)
			if err != nil {
				return nil, err
			}
			groupExprs = append(groupExprs, ge)
			st.groupKeys = append(st.groupKeys, exprKey(ge))
			st.groupT = append(st.groupT, ge.Type())
		}
		in.agg = st
		in.win = ws
		for _, t := range targets {
			x, err := b.bindExpr(t.expr, in)
			if err != nil {
				return nil, err
			}
			x, err = b.finishAggExpr(x, st, in, t.pos)
			if err != nil {
				return nil, err
			}
			exprs = append(exprs, x)
			cols = append(cols, t.column(x))
		}
		var having Expr
		if sc.Having != nil {
			in.win = nil
			in.noAggReason = "HAVING"
			h, err := b.bindCondition(sc.Having, in, "HAVING")
			in.win, in.noAggReason = ws, ""
			if err != nil {
				return nil, err
			}
			if having, err = b.finishAggExpr(h, st, in, 0); err != nil {
				return nil, err
			}
		}
		// ORDER BY expressions of an aggregating query are bound now, while
		// the aggregate state is open, and carried as hidden columns.
		orderKeys, extra, extraCols, err := b.bindOrderKeys(orderBy, cols, func(e tree.Expr) (Expr, error) {
			x, err := b.bindExpr(e, in)
			if err != nil {
				return nil, err
			}
			return b.finishAggExpr(x, st, in, 0)
		}, len(exprs))
		if err != nil {
			return nil, err
		}
		in.agg = nil
		aggCols := make([]Column, 0, len(groupExprs)+len(st.aggs))
		for i, g := range groupExprs {
			aggCols = append(aggCols, Column{Name: "?group" + strconv.Itoa(i) + "?", T: g.Type()})
		}
		for _, a := range st.aggs {
			aggCols = append(aggCols, Column{Name: a.Name, T: a.T})
		}
		var agg Plan = &Aggregate{Input: input, GroupBy: groupExprs, Aggs: st.aggs, Cols: aggCols, Sets: sets}
		if having != nil {
			agg = &Filter{Input: agg, Cond: having}
		}
		exprs = append(exprs, extra...)
		cols = append(cols, extraCols...)
		in.win = nil
		agg, exprs, err = finishWindows(ws, agg, aggCols, exprs, func(x Expr) (Expr, error) { return b.finishAggExpr(x, st, in, 0) })
		if err != nil {
			return nil, err
		}
		var on []int
		if len(sc.DistinctOn) > 0 {
			in.agg = st
			on, orderKeys, exprs, cols, err = b.bindDistinctOn(sc.DistinctOn, orderKeys, exprs, cols, func(e tree.Expr) (Expr, error) {
				x, err := b.bindExpr(e, in)
				if err != nil {
					return nil, err
				}
				return b.finishAggExpr(x, st, in, 0)
			})
			in.agg = nil
			if err != nil {
				return nil, err
			}
		}
		proj = &Project{Input: agg, Exprs: exprs, Cols: cols}
		return b.finishSelect(proj, sc.Distinct, on, orderKeys, len(extra))
	}
	in.win = ws
	for _, t := range targets {
		x, err := b.bindExpr(t.expr, in)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, x)
		c := t.column(x)
		if r, ok := x.(*ColRef); ok && t.src == nil && r.Idx < len(in.cols) {
			// A plain column keeps its table attribution (RowDescription's
			// table OID and attnum, which JDBC uses for getTableName and
			// isNullable) and a record's fields.
			c.TableOID, c.AttNum, c.Fields = in.cols[r.Idx].TableOID, in.cols[r.Idx].AttNum, in.cols[r.Idx].Fields
		}
		cols = append(cols, c)
	}
	post = in
	orderKeys, extra, extraCols, err := b.bindOrderKeys(orderBy, cols, func(e tree.Expr) (Expr, error) {
		return b.bindExpr(e, post)
	}, len(exprs))
	if err != nil {
		return nil, err
	}
	exprs = append(exprs, extra...)
	cols = append(cols, extraCols...)
	var on []int
	if len(sc.DistinctOn) > 0 {
		if on, orderKeys, exprs, cols, err = b.bindDistinctOn(sc.DistinctOn, orderKeys, exprs, cols, func(e tree.Expr) (Expr, error) {
			return b.bindExpr(e, post)
		}); err != nil {
			return nil, err
		}
	}
	if exprs, cols, err = b.lock.lockKeys(sc, input, exprs, cols); err != nil {
		return nil, err
	}
	in.win = nil
	if ps, ok := input.(*ProjectSet); ok && len(calls) > 0 {
		input, exprs, err = finishWindowsBelow(ws, ps, exprs)
	} else {
		input, exprs, err = finishWindows(ws, input, input.Columns(), exprs, nil)
	}
	if err != nil {
		return nil, err
	}
	proj = &Project{Input: input, Exprs: exprs, Cols: cols}
	return b.finishSelect(proj, sc.Distinct, on, orderKeys, len(extra))
}

// hoistSetReturning takes set-returning calls out of the select list
// (SELECT generate_series(1, 3)), leaving references to their columns.
// With perRow the calls are returned, to run once per FROM row; otherwise
// they move into FROM as function scans, where their arguments may not
// refer to other FROM items, and several such calls produce their cross
// product rather than PostgreSQL's row-by-row zip.
func hoistSetReturning(sc *tree.SelectClause, perRow bool) (*tree.SelectClause, []srfTarget) {
	var out *tree.SelectClause
	var calls []srfTarget
	for i, t := range sc.Targets {
		// (srf(...)).field selects one column of a composite result.
		field := ""
		e := t.Expr
		if fa, ok := e.(*tree.FieldAccess); ok && perRow {
			field, e = fa.Field, fa.Operand
			for {
				p, ok := e.(*tree.ParenExpr)
				if !ok {
					break
				}
				e = p.Inner
			}
		}
		f, ok := e.(*tree.FuncCall)
		if !ok || f.Over != nil || builtins.SRFs(f.Name) == nil || builtins.Functions(f.Name) != nil {
			continue
		}
		if out == nil {
			c := *sc
			c.Targets = append([]tree.Target(nil), sc.Targets...)
			c.From = append([]tree.TableExpr(nil), sc.From...)
			out = &c
		}
		alias := "?srf" + strconv.Itoa(i) + "?"
		if field != "" {
			calls = append(calls, srfTarget{alias: alias, call: f})
			name := t.Alias
			if name == "" {
				name = field
			}
			out.Targets[i] = tree.Target{Expr: &tree.ColumnRef{Parts: []string{alias, field}, Pos: f.Pos}, Alias: name, Pos: t.Pos}
			continue
		}
		if perRow {
			calls = append(calls, srfTarget{alias: alias, call: f})
		} else {
			out.From = append(out.From, &tree.FuncTable{Func: f, Alias: alias, ColAliases: []string{f.Name}, Target: true})
		}
		name := t.Alias
		if name == "" {
			name = f.Name
		}
		out.Targets[i] = tree.Target{Expr: &tree.ColumnRef{Parts: []string{alias, f.Name}, Pos: f.Pos}, Alias: name, Pos: t.Pos}
	}
	if out == nil {
		return sc, nil
	}
	return out, calls
}

func targetList(ts []tree.Target) []tree.Expr {
	out := make([]tree.Expr, len(ts))
	for i, t := range ts {
		out[i] = t.Expr
	}
	return out
}

func (b *Binder) finishSelect(p Plan, distinct bool, on []int, keys []SortKey, hiddenKeys int) (Plan, error) {
	if on != nil {
		// The sort puts first the row each DISTINCT ON group keeps.
		return &Distinct{Input: &Sort{Input: p, Keys: keys}, On: on}, nil
	}
	if distinct {
		if hiddenKeys > 0 {
			return nil, pgerror.New(pgerror.CodeInvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
		}
		p = &Distinct{Input: p}
	}
	if len(keys) > 0 {
		p = &Sort{Input: p, Keys: keys}
	}
	return p, nil
}

// bindDistinctOn binds DISTINCT ON items as ORDER BY items are bound (an
// output name or ordinal, else an expression over the input) and returns
// their columns, the sort the query needs and its projection with any
// new hidden columns. As in PostgreSQL the items must match the leftmost
// ORDER BY keys, in any order among themselves; the sort is the ORDER BY
// followed by the items it lacks. An item equal to a column already
// projected (select list or ORDER BY) is that column.
func (b *Binder) bindDistinctOn(on []tree.Expr, order []SortKey, exprs []Expr, cols []Column, bindInput func(tree.Expr) (Expr, error)) ([]int, []SortKey, []Expr, []Column, error) {
	items := make([]tree.OrderItem, len(on))
	for i, e := range on {
		items[i] = tree.OrderItem{Expr: e}
	}
	base := len(exprs)
	keys, extra, extraCols, err := b.bindOrderKeys(items, cols, bindInput, base)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	// canon is the first projected column computing the same expression.
	canon := func(idx int) int {
		k := exprKey(exprs[idx])
		for i := range idx {
			if exprKey(exprs[i]) == k {
				return i
			}
		}
		return idx
	}
	onCols := make([]int, len(keys))
	for i, k := range keys {
		idx := k.Expr.(*ColRef).Idx
		if idx >= base {
			x := extra[idx-base]
			exprs = append(exprs, x)
			cols = append(cols, extraCols[idx-base])
			idx = len(exprs) - 1
		}
		onCols[i] = canon(idx)
	}
	mismatch := func(i int) error {
		return pgerror.New(pgerror.CodeInvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions").WithPosition(int(exprPos(on[i])))
	}
	matched := map[int]bool{}
	skipped := false
	for _, k := range order {
		c := canon(k.Expr.(*ColRef).Idx)
		i := slices.Index(onCols, c)
		if i < 0 {
			skipped = true
			continue
		}
		if skipped {
			return nil, nil, nil, nil, mismatch(i)
		}
		matched[c] = true
	}
	sort := slices.Clone(order)
	for i, c := range onCols {
		if matched[c] {
			continue
		}
		if skipped {
			return nil, nil, nil, nil, mismatch(i)
		}
		matched[c] = true
		sort = append(sort, SortKey{Expr: &ColRef{Idx: c, T: cols[c].T}})
	}
	return onCols, sort, exprs, cols, nil
}

// bindOrderKeys binds ORDER BY items against the select list: an output
// column name or ordinal refers to that column; anything else is an
// expression over the input, appended as a hidden column.
func (b *Binder) bindOrderKeys(items []tree.OrderItem, cols []Column, bindInput func(tree.Expr) (Expr, error), base int) ([]SortKey, []Expr, []Column, error) {
	var keys []SortKey
	var extra []Expr
	var extraCols []Column
	for _, it := range items {
		if it.Using != "" {
			return nil, nil, nil, notSupported("ORDER BY ... USING")
		}
		idx := -1
		switch e := it.Expr.(type) {
		case *tree.NumberLit:
			n, err := strconv.Atoi(e.Text)
			if err != nil || n < 1 || n > len(cols) {
				return nil, nil, nil, pgerror.New(pgerror.CodeInvalidColumnReference, "ORDER BY position %s is not in select list", e.Text).WithPosition(int(e.Pos))
			}
			idx = n - 1
		case *tree.ColumnRef:
			if len(e.Parts) == 1 {
				for i, c := range cols {
					if c.Name == e.Parts[0] && !c.Hidden {
						if idx >= 0 {
							return nil, nil, nil, pgerror.New(pgerror.CodeAmbiguousColumn, "ORDER BY \"%s\" is ambiguous", e.Parts[0]).WithPosition(int(e.Pos))
						}
						idx = i
					}
				}
			}
		}
		var x Expr
		if idx >= 0 {
			x = &ColRef{Idx: idx, T: cols[idx].T}
		} else {
			bound, err := bindInput(it.Expr)
			if err != nil {
				return nil, nil, nil, err
			}
			x = &ColRef{Idx: base + len(extra), T: bound.Type()}
			extra = append(extra, bound)
			extraCols = append(extraCols, Column{Name: "?sort?", T: bound.Type(), Hidden: true})
		}
		nullsFirst := orderNullsFirst(it)
		keys = append(keys, SortKey{Expr: x, Desc: it.Desc, NullsFirst: nullsFirst})
	}
	return keys, extra, extraCols, nil
}

// bindOutputOrder sorts a set operation or VALUES by its output columns.
func (b *Binder) bindOutputOrder(p Plan, items []tree.OrderItem) (Plan, error) {
	cols := p.Columns()
	sc := newScope(cols, nil)
	keys, extra, _, err := b.bindOrderKeys(items, cols, func(e tree.Expr) (Expr, error) {
		return b.bindExpr(e, sc)
	}, len(cols))
	if err != nil {
		return nil, err
	}
	if len(extra) > 0 {
		exprs := make([]Expr, 0, len(cols)+len(extra))
		out := append([]Column(nil), cols...)
		for i, c := range cols {
			exprs = append(exprs, &ColRef{Idx: i, T: c.T})
		}
		for _, x := range extra {
			exprs = append(exprs, x)
			out = append(out, Column{Name: "?sort?", T: x.Type(), Hidden: true})
		}
		p = &Project{Input: p, Exprs: exprs, Cols: out}
	}
	return &Sort{Input: p, Keys: keys}, nil
}

// boundTarget is a select-list item after star expansion.
type boundTarget struct {
	expr  tree.Expr
	name  string
	pos   tree.Pos
	named bool
	// star columns keep their source attribution
	src *Column
}

func (t boundTarget) column(x Expr) Column {
	c := Column{Name: t.name, T: x.Type()}
	if t.src != nil {
		c.TableOID, c.AttNum = t.src.TableOID, t.src.AttNum
	}
	return c
}

func targetExprs(ts []boundTarget) []tree.Expr {
	out := make([]tree.Expr, len(ts))
	for i, t := range ts {
		out[i] = t.expr
	}
	return out
}

func orderExprs(items []tree.OrderItem) []tree.Expr {
	out := make([]tree.Expr, len(items))
	for i, it := range items {
		out[i] = it.Expr
	}
	return out
}

// expandTargets expands * and t.* and names each item as PostgreSQL does.
func (b *Binder) expandTargets(items []tree.Target, in *scope) ([]boundTarget, error) {
	var out []boundTarget
	for _, it := range items {
		table := ""
		star := false
		switch e := it.Expr.(type) {
		case *tree.Star:
			star = true
		case *tree.ColumnRef:
			if len(e.Parts) >= 2 && e.Parts[len(e.Parts)-1] == "*" {
				star = true
				table = e.Parts[len(e.Parts)-2]
				if !in.hasTable(table) {
					return nil, pgerror.New(pgerror.CodeUndefinedTable, "missing FROM-clause entry for table \"%s\"", table).WithPosition(int(e.Pos))
				}
			}
		}
		if !star {
			name := it.Alias
			named := name != ""
			if !named {
				name = deriveName(it.Expr)
			}
			out = append(out, boundTarget{expr: it.Expr, name: name, pos: it.Pos, named: named})
			continue
		}
		if len(in.cols) == 0 && table == "" {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "SELECT * with no tables specified is not valid").WithPosition(int(it.Pos))
		}
		for i := range in.cols {
			c := in.cols[i]
			if c.Hidden || (table == "" && c.mergedAway) || (table != "" && c.Table != table) {
				continue
			}
			src := c.Column
			out = append(out, boundTarget{
				expr: &tree.ColumnRef{Parts: []string{c.Table, c.Name}, Ordinal: i + 1},
				name: c.Name,
				src:  &src,
			})
		}
	}
	return out, nil
}

// deriveName is PostgreSQL's FigureColname: the column name, the function
// name, the cast's type name, or ?column?.
func deriveName(e tree.Expr) string {
	name, _ := figureColname(e)
	return name
}

// figureColname is FigureColnameInternal: a name and its strength. A
// cast names its column after its type unless the operand gave a strong
// name (2: a column, a function), so `1::int::text` is text and `a::text`
// is a.
func figureColname(e tree.Expr) (string, int) {
	switch n := e.(type) {
	case *tree.ColumnRef:
		return n.Parts[len(n.Parts)-1], 2
	case *tree.FuncCall:
		return n.Name, 2
	case *tree.CastExpr:
		if name, strength := figureColname(n.Operand); strength > 1 {
			return name, strength
		}
		return castDisplayName(n.Type), 1
	case *tree.CaseExpr:
		return "case", 1
	case *tree.ParenExpr:
		return figureColname(n.Inner)
	case *tree.ExistsExpr:
		return "exists", 2
	case *tree.ArrayExpr, *tree.ArraySubquery:
		return "array", 2
	case *tree.SubqueryExpr:
		if sc, ok := n.Subquery.Body.(*tree.SelectClause); ok && len(sc.Targets) == 1 {
			// The subquery's output name, whatever it is, is strong.
			if sc.Targets[0].Alias != "" {
				return sc.Targets[0].Alias, 2
			}
			name, _ := figureColname(sc.Targets[0].Expr)
			return name, 2
		}
	case *tree.CollateExpr:
		return figureColname(n.Operand)
	case *tree.Subscript:
		return figureColname(n.Operand)
	}
	return "?column?", 0
}

// castDisplayName is the column name PostgreSQL gives `'x'::type`.
func castDisplayName(t tree.TypeName) string {
	switch t.Name {
	case "int4", "integer", "int":
		return "int4"
	case "int8", "bigint":
		return "int8"
	case "int2", "smallint":
		return "int2"
	case "float8", "double precision":
		return "float8"
	case "float4", "real":
		return "float4"
	case "bool", "boolean":
		return "bool"
	case "varchar", "character varying":
		return "varchar"
	case "char", "character", "bpchar":
		return "bpchar"
	case "timestamptz", "timestamp with time zone":
		return "timestamptz"
	case "timestamp", "timestamp without time zone":
		return "timestamp"
	case "decimal":
		return "numeric"
	}
	return t.Name
}

// bindGroupItem binds a GROUP BY item: an output ordinal, an input
// expression, or (PostgreSQL's extension) an output column alias.
func (b *Binder) bindGroupItem(g tree.Expr, targets []boundTarget, in *scope) (Expr, error) {
	in.noAggReason = "GROUP BY"
	defer func() { in.noAggReason = "" }()
	if n, ok := g.(*tree.NumberLit); ok {
		i, err := strconv.Atoi(n.Text)
		if err != nil || i < 1 || i > len(targets) {
			return nil, pgerror.New(pgerror.CodeInvalidColumnReference, "GROUP BY position %s is not in select list", n.Text).WithPosition(int(n.Pos))
		}
		return b.bindExpr(targets[i-1].expr, in)
	}
	x, err := b.bindExpr(g, in)
	if err == nil {
		return x, nil
	}
	if ref, ok := g.(*tree.ColumnRef); ok && len(ref.Parts) == 1 && pgerror.CodeOf(err) == pgerror.CodeUndefinedColumn {
		for _, t := range targets {
			if t.name == ref.Parts[0] {
				return b.bindExpr(t.expr, in)
			}
		}
	}
	return nil, err
}

// finishAggExpr rewrites an expression bound in an aggregating query so it
// reads the Aggregate node's output: group expressions and aggregates
// become column references, and any other input column is an error.
func (b *Binder) finishAggExpr(e Expr, st *aggState, in *scope, pos tree.Pos) (Expr, error) {
	var err error
	var rewrite func(Expr) Expr
	rewrite = func(x Expr) Expr {
		if err != nil {
			return x
		}
		if _, isConst := x.(*Const); !isConst {
			key := exprKey(x)
			for i, k := range st.groupKeys {
				if k == key {
					return &ColRef{Idx: i, T: st.groupT[i]}
				}
			}
		}
		switch n := x.(type) {
		case *AggRef:
			return &ColRef{Idx: len(st.groupKeys) + n.Idx, T: n.T}
		case *ColRef:
			name := "?column?"
			if n.Idx < len(in.cols) {
				name = in.cols[n.Idx].Name
				if t := in.cols[n.Idx].Table; t != "" {
					name = t + "." + name
				}
			}
			err = pgerror.New(pgerror.CodeGroupingError, "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function", name).WithPosition(int(pos))
			return x
		case *SubqueryExpr:
			// A correlated subquery's OuterRefs point into the input row,
			// which the Aggregate node does not pass on.
			if n.Correlated {
				err = notSupported("correlated subqueries in an aggregating query's select list")
			}
			return x
		}
		return mapChildren(x, rewrite)
	}
	out := rewrite(e)
	return out, err
}

// hasAggregate reports whether any expression calls an aggregate at this
// query level (walkTree does not enter subqueries, whose aggregates are
// their own).
func hasAggregate(es []tree.Expr) bool {
	found := false
	for _, e := range es {
		walkTree(e, func(n tree.Expr) bool {
			f, ok := n.(*tree.FuncCall)
			if ok && f.Over == nil && (builtins.Aggregates(f.Name) != nil || isGroupingCall(f)) {
				found = true
			}
			if ok && f.Over != nil {
				// A window's PARTITION BY and ORDER BY may aggregate too.
				var keys []tree.Expr
				keys = append(keys, f.Over.PartitionBy...)
				for _, it := range f.Over.OrderBy {
					keys = append(keys, it.Expr)
				}
				found = found || hasAggregate(keys)
			}
			return !found
		})
	}
	return found
}

func renameColumns(cols []Column, table string, names []string) []Column {
	out := make([]Column, len(cols))
	for i, c := range cols {
		c.Table = table
		if i < len(names) {
			c.Name = names[i]
		}
		out[i] = c
	}
	return out
}

// pushDownFilter places the conjuncts of a WHERE clause over inner joins
// (FROM a, b, c) at the lowest join input that has all their columns, and
// makes `left = right` conjuncts hash-join keys: catalog queries that join
// nine relations by WHERE equalities (JDBC's getImportedKeys) must not
// enumerate the relations' cross product.
func (b *Binder) pushDownFilter(p Plan, cond Expr) Plan {
	j, ok := p.(*Join)
	if !ok || j.Kind != InnerJoin || j.Lateral {
		// A lateral join's right side runs with the left row as its
		// innermost outer row, which would shift the outer references
		// of a conjunct pushed into it.
		return b.addFilter(p, cond)
	}
	nl := len(j.Left.Columns())
	var left, right, both []Expr
	for _, c := range conjunctsOf(cond) {
		switch sideOf(c, nl) {
		case sideLeft:
			left = append(left, c)
		case sideRight:
			right = append(right, shiftCols(c, -nl))
		default:
			both = append(both, c)
		}
	}
	if len(left) > 0 {
		j.Left = b.pushDownFilter(j.Left, andAll(left))
	}
	if len(right) > 0 {
		j.Right = b.pushDownFilter(j.Right, andAll(right))
	}
	if len(both) > 0 {
		var split Join
		splitJoinCondition(&split, andAll(both), nl)
		j.LeftKeys = append(j.LeftKeys, split.LeftKeys...)
		j.RightKeys = append(j.RightKeys, split.RightKeys...)
		j.Cond = andExpr(j.Cond, split.Cond)
	}
	return j
}

func andAll(xs []Expr) Expr {
	if len(xs) == 1 {
		return xs[0]
	}
	return &BoolOp{Args: xs}
}

func (b *Binder) addFilter(p Plan, cond Expr) Plan {
	if s, ok := p.(*Scan); ok {
		s.Filter = andExpr(s.Filter, cond)
		pushSpan(s)
		return chooseIndex(s, b.partialIndexImplied)
	}
	if v, ok := p.(*VirtualScan); ok {
		v.Filter = andExpr(v.Filter, cond)
		return v
	}
	if pr, ok := p.(*Project); ok && columnsOnly(pr) {
		switch pr.Input.(type) {
		case *Scan, *IndexScan:
			// A view over one table (bindView).
			return b.filterThroughProjection(pr, cond)
		}
	}
	return &Filter{Input: p, Cond: cond}
}

func andExpr(a, b Expr) Expr {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	return &BoolOp{Args: append(conjuncts(a), conjuncts(b)...)}
}

func conjuncts(e Expr) []Expr {
	if bo, ok := e.(*BoolOp); ok && !bo.Or {
		var out []Expr
		for _, a := range bo.Args {
			out = append(out, conjuncts(a)...)
		}
		return out
	}
	return []Expr{e}
}
