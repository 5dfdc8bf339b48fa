package planner

import (
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// bindFrom binds the FROM list; comma-separated items are cross joined.
// Without FROM the input is a single empty row.
func (b *Binder) bindFrom(items []tree.TableExpr, outer *scope) (Plan, *scope, error) {
	if len(items) == 0 {
		return &ValuesNode{Rows: [][]Expr{{}}}, &scope{parent: outer}, nil
	}
	var p Plan
	var sc *scope
	for _, it := range items {
		if p == nil {
			var err error
			if p, sc, err = b.bindTableExpr(it, outer); err != nil {
				return nil, nil, err
			}
			continue
		}
		ip, isc, lat, err := b.bindRightItem(it, sc, outer)
		if err != nil {
			return nil, nil, err
		}
		p, sc = b.crossJoin(p, sc, ip, isc, outer)
		p.(*Join).Lateral = lat != nil
	}
	return p, sc, nil
}

// bindRightItem binds a FROM item that has items to its left (scope
// ls). A LATERAL subquery, and a function in FROM (lateral in PostgreSQL
// without the keyword), may refer to their columns; when one does, it
// runs once per left row, and the scope of those columns comes back as
// lateral (its first reference names the range table a RIGHT or FULL
// JOIN's error names). One that does not is bound again without that
// scope, so its outer references keep an ordinary FROM item's depths and
// its join can hash.
func (b *Binder) bindRightItem(te tree.TableExpr, ls *scope, outer *scope) (p Plan, sc *scope, lateral *scope, err error) {
	if lateralCapable(te) {
		lat := &scope{cols: ls.cols, parent: outer, lateral: true}
		if n, ok := te.(*tree.SubqueryTable); ok {
			p, sc, err = b.bindSubqueryTable(n, lat, outer)
		} else {
			p, sc, err = b.bindTableExpr(te, lat)
		}
		if err != nil || lat.lateralUsed {
			return p, sc, lat, err
		}
	}
	p, sc, err = b.bindTableExpr(te, outer)
	return p, sc, nil, err
}

// lateralCapable reports whether a FROM item may read the items on its
// left: a subquery marked LATERAL, or a function.
func lateralCapable(te tree.TableExpr) bool {
	switch n := te.(type) {
	case *tree.SubqueryTable:
		return n.Lateral
	case *tree.FuncTable, *tree.RowsFrom:
		return true
	}
	return false
}

func (b *Binder) crossJoin(l Plan, ls *scope, r Plan, rs *scope, outer *scope) (Plan, *scope) {
	cols := append(append([]Column(nil), l.Columns()...), r.Columns()...)
	sc := &scope{parent: outer}
	sc.cols = append(append(sc.cols, ls.cols...), rs.cols...)
	return &Join{Kind: InnerJoin, Left: l, Right: r, Cols: cols}, sc
}

func (b *Binder) bindTableExpr(te tree.TableExpr, outer *scope) (Plan, *scope, error) {
	switch n := te.(type) {
	case *tree.TableRef:
		if n.Name.Schema == "" {
			if cte := b.lookupCTE(n.Name.Name); cte != nil {
				if cte.refErr != nil {
					return nil, nil, cte.refErr
				}
				if cte.refs != nil {
					if b.sublinks > cte.sublinks {
						return nil, nil, pgerror.New("42P19", "recursive reference to query \"%s\" must not appear within a subquery", n.Name.Name).WithPosition(int(n.Name.Pos))
					}
					*cte.refs++
				}
				alias := n.Name.Name
				if n.Alias != "" {
					alias = n.Alias
				}
				cols := renameColumns(cte.cols, alias, n.ColAliases)
				return &CTERef{CTE: cte.def, Cols: cols}, newScope(cols, outer), nil
			}
		}
		if vt := b.lookupVirtual(n.Name); vt != nil {
			alias := vt.Name
			if n.Alias != "" {
				alias = n.Alias
			}
			cols := renameColumns(vt.Columns, alias, n.ColAliases)
			return &VirtualScan{Table: vt, Cols: cols}, newScope(cols, outer), nil
		}
		v, err := b.LookupView(n.Name)
		if err != nil {
			return nil, nil, err
		}
		if v != nil {
			return b.bindView(v, n, outer)
		}
		t, err := b.ResolveTable(n.Name)
		if err != nil {
			if seq := b.lookupSequenceRef(n.Name); seq != nil {
				alias := seq.Name
				if n.Alias != "" {
					alias = n.Alias
				}
				cols := renameColumns(SequenceColumns, alias, n.ColAliases)
				return &SequenceScan{Seq: seq, Cols: cols}, newScope(cols, outer), nil
			}
			return nil, nil, err
		}
		alias := t.Name
		if n.Alias != "" {
			alias = n.Alias
		}
		cols := TableColumns(t, alias)
		if len(n.ColAliases) > 0 {
			j := 0
			for i := range cols {
				if cols[i].Hidden || j >= len(n.ColAliases) {
					continue
				}
				cols[i].Name = n.ColAliases[j]
				j++
			}
		}
		sc := newScope(cols, outer)
		for i := range sc.cols {
			sc.cols[i].relName, sc.cols[i].rel = t.Name, t
		}
		b.noteRelation(t.ID, n.Name)
		return &Scan{Table: t, Cols: cols}, sc, nil
	case *tree.SubqueryTable:
		// A subquery in FROM sees the enclosing queries, not the FROM
		// items beside it (unless LATERAL: bindRightItem).
		return b.bindSubqueryTable(n, outer, outer)
	case *tree.FuncTable:
		if n.Ordinality && len(n.ColDefs) > 0 {
			return nil, nil, pgerror.New(pgerror.CodeSyntaxError, "WITH ORDINALITY cannot be used with a column definition list").
				WithHint("Put the column definition list inside ROWS FROM().").WithPosition(int(n.ColDefs[0].Pos))
		}
		return b.bindFuncTable(n, outer)
	case *tree.RowsFrom:
		return b.bindRowsFrom(n, outer)
	case *tree.ParenTable:
		p, sc, err := b.bindTableExpr(n.Inner, outer)
		if err != nil {
			return nil, nil, err
		}
		if n.Alias != "" {
			for i := range sc.cols {
				sc.cols[i].Table = n.Alias
			}
		}
		return p, sc, nil
	case *tree.Join:
		return b.bindJoin(n, outer)
	}
	return nil, nil, notSupported("this FROM item")
}

// bindSubqueryTable binds a subquery in FROM whose references reach the
// scope inner and its parents; its columns' scope has parent outer.
func (b *Binder) bindSubqueryTable(n *tree.SubqueryTable, inner, outer *scope) (Plan, *scope, error) {
	p, err := b.bindSelect(n.Select, inner)
	if err != nil {
		return nil, nil, err
	}
	p = stripHidden(p)
	cols := renameColumns(p.Columns(), n.Alias, n.ColAliases)
	for i := range cols {
		cols[i].TableOID, cols[i].AttNum = 0, 0
	}
	return &renamed{Plan: p, cols: cols}, newScope(cols, outer), nil
}

// lookupVirtual finds pg_catalog and information_schema relations: by
// schema when qualified; unqualified, pg_catalog comes first and
// information_schema only when it is on the search path.
func (b *Binder) lookupVirtual(n tree.ObjectName) *VirtualTable {
	if b.Virtual == nil {
		return nil
	}
	if n.Schema != "" {
		return b.Virtual(n.Schema, n.Name)
	}
	if vt := b.Virtual("pg_catalog", n.Name); vt != nil {
		return vt
	}
	for _, s := range b.SearchPath {
		if s == "information_schema" {
			return b.Virtual(s, n.Name)
		}
	}
	return nil
}

// renamed gives a subplan the column names of its FROM alias.
type renamed struct {
	Plan
	cols []Column
}

func (r *renamed) Columns() []Column { return r.cols }

// Unwrap returns the plan underneath the renaming.
func (r *renamed) Unwrap() Plan { return r.Plan }

func (b *Binder) bindFuncTable(n *tree.FuncTable, outer *scope) (Plan, *scope, error) {
	srfs := builtins.SRFs(n.Func.Name)
	if srfs == nil {
		// A scalar function in FROM yields one row of one column.
		if builtins.Functions(n.Func.Name) == nil {
			return nil, nil, pgerror.New(pgerror.CodeUndefinedFunction, "function %s does not exist", n.Func.Name).WithPosition(int(n.Func.Pos))
		}
		sc := &scope{parent: outer, noAggReason: "functions in FROM"}
		x, err := b.bindExpr(n.Func, sc)
		if err != nil {
			return nil, nil, err
		}
		alias := n.Func.Name
		if n.Alias != "" {
			alias = n.Alias
		}
		name := n.Func.Name
		if len(n.ColAliases) > 0 {
			name = n.ColAliases[0]
		} else if n.Alias != "" {
			name = n.Alias
		}
		if len(n.ColDefs) > 0 {
			return nil, nil, errColDefNotAllowed(n.ColDefs)
		}
		cols := []Column{{Name: name, Table: alias, T: x.Type()}}
		return &ValuesNode{Rows: [][]Expr{{x}}, Cols: cols}, newScope(cols, outer), nil
	}
	sc := &scope{parent: outer, noAggReason: "functions in FROM"}
	srf, args, fcols, err := b.bindSRFCall(n.Func, sc)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case srf.ReturnsRecord() && n.Target:
		return nil, nil, errRecordRowType(n.Func.Name)
	case srf.ReturnsRecord() && len(n.ColDefs) == 0:
		return nil, nil, pgerror.New(pgerror.CodeSyntaxError, "a column definition list is required for functions returning \"record\"").WithPosition(int(n.Func.Pos))
	case srf.ReturnsRecord():
		if fcols, err = b.colDefColumns(n.ColDefs); err != nil {
			return nil, nil, err
		}
		srf = srf.WithColumns(fcols)
	case len(n.ColDefs) > 0:
		return nil, nil, errColDefNotAllowed(n.ColDefs)
	}
	alias := n.Func.Name
	if n.Alias != "" {
		alias = n.Alias
	}
	cols := make([]Column, 0, len(fcols)+1)
	for i, c := range fcols {
		name := c.Name
		if len(fcols) == 1 && len(n.ColDefs) == 0 {
			name = n.Func.Name
			if n.Alias != "" {
				name = n.Alias
			}
		}
		if i < len(n.ColAliases) {
			name = n.ColAliases[i]
		}
		cols = append(cols, Column{Name: name, Table: alias, T: c.Type})
	}
	if n.Ordinality {
		name := "ordinality"
		if len(fcols) < len(n.ColAliases) {
			name = n.ColAliases[len(fcols)]
		}
		cols = append(cols, Column{Name: name, Table: alias, T: types.Int8})
	}
	if len(n.ColAliases) > len(cols) {
		return nil, nil, pgerror.New(pgerror.CodeInvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified", alias, len(cols), len(n.ColAliases))
	}
	return &FuncScan{Fn: srf, Args: args, Cols: cols, Ordinality: n.Ordinality}, newScope(cols, outer), nil
}

// errRecordRowType rejects a function returning record where no column
// definition list can say what its rows hold.
func errRecordRowType(name string) error {
	return pgerror.New(pgerror.CodeFeatureNotSupported, "could not determine row type for result of %s", name).
		WithHint("Provide a non-null record argument, or call the function in the FROM clause using a column definition list.")
}

func errColDefNotAllowed(defs []tree.ColDef) error {
	return pgerror.New(pgerror.CodeSyntaxError, "a column definition list is only allowed for functions returning \"record\"").WithPosition(int(defs[0].Pos))
}

// colDefColumns resolves a column definition list's types.
func (b *Binder) colDefColumns(defs []tree.ColDef) ([]builtins.Column, error) {
	cols := make([]builtins.Column, len(defs))
	for i, d := range defs {
		t, err := b.ResolveType(d.Type)
		if err != nil {
			return nil, err
		}
		if d.CollatePos != 0 && !t.Collatable() {
			return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "collations are not supported by type %s", t.BaseString()).WithPosition(int(d.CollatePos))
		}
		cols[i] = builtins.Column{Name: d.Name, Type: t}
	}
	for i, c := range cols {
		for _, prev := range cols[:i] {
			if prev.Name == c.Name {
				return nil, pgerror.New(pgerror.CodeDuplicateColumn, "column name \"%s\" specified more than once", c.Name)
			}
		}
	}
	return cols, nil
}

func (b *Binder) bindJoin(n *tree.Join, outer *scope) (Plan, *scope, error) {
	l, ls, err := b.bindTableExpr(n.Left, outer)
	if err != nil {
		return nil, nil, err
	}
	r, rs, lat, err := b.bindRightItem(n.Right, ls, outer)
	if err != nil {
		return nil, nil, err
	}
	lateral := lat != nil
	if lateral && (n.Kind == "right" || n.Kind == "full") {
		return nil, nil, pgerror.New(pgerror.CodeInvalidColumnReference, "invalid reference to FROM-clause entry for table \"%s\"", lat.lateralTable).
			WithDetail("The combining JOIN type must be INNER or LEFT for a LATERAL reference.").WithPosition(int(lat.lateralPos))
	}
	if n.Kind == "cross" {
		p, sc := b.crossJoin(l, ls, r, rs, outer)
		p.(*Join).Lateral = lateral
		return p, sc, nil
	}
	kind := map[string]JoinKind{"inner": InnerJoin, "left": LeftJoin, "right": RightJoin, "full": FullJoin}[n.Kind]
	cols := append(append([]Column(nil), l.Columns()...), r.Columns()...)
	sc := &scope{parent: outer}
	sc.cols = append(append(sc.cols, ls.cols...), rs.cols...)
	nl := len(ls.cols)
	// Outer joins make the nullable side's columns nullable; types stay.
	var cond Expr
	using := n.Using
	if n.Natural {
		for _, lc := range ls.cols {
			if lc.Hidden || lc.mergedAway {
				continue
			}
			for _, rc := range rs.cols {
				if !rc.Hidden && !rc.mergedAway && rc.Name == lc.Name {
					using = append(using, lc.Name)
				}
			}
		}
	}
	for _, name := range using {
		li, lok, err := ls.resolve("", name, 0)
		if err != nil {
			return nil, nil, err
		}
		ri, rok, err := rs.resolve("", name, 0)
		if err != nil {
			return nil, nil, err
		}
		if !lok || !rok {
			side := "left"
			if lok {
				side = "right"
			}
			return nil, nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" specified in USING clause does not exist in %s table", name, side)
		}
		eq, err := b.bindBinary("=", &ColRef{Idx: li, T: ls.cols[li].T}, &ColRef{Idx: nl + ri, T: rs.cols[ri].T}, 0)
		if err != nil {
			return nil, nil, err
		}
		cond = andExpr(cond, eq)
		if kind == RightJoin {
			sc.cols[li].mergedAway = true
		} else {
			sc.cols[nl+ri].mergedAway = true
		}
	}
	if n.On != nil {
		sc.noAggReason = "JOIN conditions"
		on, err := b.bindCondition(n.On, sc, "JOIN/ON")
		if err != nil {
			return nil, nil, err
		}
		sc.noAggReason = ""
		cond = andExpr(cond, on)
	}
	j := &Join{Kind: kind, Left: l, Right: r, Cols: cols, Lateral: lateral}
	if lateral {
		// The right rows change with each left row: no hash table.
		j.Cond = cond
	} else {
		splitJoinCondition(j, cond, nl)
	}
	if n.Alias != "" {
		for i := range sc.cols {
			sc.cols[i].Table = n.Alias
		}
	}
	return j, sc, nil
}

// splitJoinCondition moves `left = right` conjuncts into hash-join keys.
func splitJoinCondition(j *Join, cond Expr, nl int) {
	var rest []Expr
	for _, c := range conjunctsOf(cond) {
		call, ok := c.(*Call)
		if ok && call.Name == "=" && len(call.Args) == 2 {
			a, bb := call.Args[0], call.Args[1]
			sa, sb := sideOf(a, nl), sideOf(bb, nl)
			if sa == sideLeft && sb == sideRight && a.Type().Identical(bb.Type()) {
				j.LeftKeys = append(j.LeftKeys, a)
				j.RightKeys = append(j.RightKeys, shiftCols(bb, -nl))
				continue
			}
			if sa == sideRight && sb == sideLeft && a.Type().Identical(bb.Type()) {
				j.LeftKeys = append(j.LeftKeys, bb)
				j.RightKeys = append(j.RightKeys, shiftCols(a, -nl))
				continue
			}
		}
		rest = append(rest, c)
	}
	switch len(rest) {
	case 0:
	case 1:
		j.Cond = rest[0]
	default:
		j.Cond = &BoolOp{Args: rest}
	}
}

func conjunctsOf(e Expr) []Expr {
	if e == nil {
		return nil
	}
	return conjuncts(e)
}

type side int

const (
	sideNone side = iota
	sideLeft
	sideRight
	sideBoth
)

// sideOf says which join input an expression's columns come from; an
// expression with outer references or subqueries counts as both.
// Parameters belong to no side: they can be evaluated anywhere.
func sideOf(e Expr, nl int) side {
	s := sideNone
	bad := false
	walkExpr(e, func(x Expr) {
		switch n := x.(type) {
		case *ColRef:
			if n.Idx < nl {
				s |= sideLeft
			} else {
				s |= sideRight
			}
		case *OuterRef, *SubqueryExpr:
			bad = true
		case *Call:
			if n.Fn != nil && n.Fn.Volatile {
				bad = true
			}
		}
	})
	if bad {
		return sideBoth
	}
	return s
}

func shiftCols(e Expr, delta int) Expr {
	var f func(Expr) Expr
	f = func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok {
			return &ColRef{Idx: c.Idx + delta, T: c.T}
		}
		return mapChildren(x, f)
	}
	return f(e)
}

// bindSRFCall resolves a set-returning function call, its arguments bound
// in sc, and returns the overload, the coerced arguments and its columns.
func (b *Binder) bindSRFCall(f *tree.FuncCall, sc *scope) (*builtins.SRFOverload, []Expr, []builtins.Column, error) {
	srfs := builtins.SRFs(f.Name)
	srfOvs := make([]*builtins.Overload, len(srfs))
	for i, s := range srfs {
		srfOvs[i] = &builtins.Overload{Params: s.Params, Variadic: s.Variadic}
	}
	call, err := positionalArgs(f, overloadArity(srfOvs), b.argTypeName(sc))
	if err != nil {
		return nil, nil, nil, err
	}
	args := make([]Expr, len(call.Args))
	argTypes := make([]*types.T, len(args))
	for i, a := range call.Args {
		x, err := b.bindExpr(a, sc)
		if err != nil {
			return nil, nil, nil, err
		}
		args[i], argTypes[i] = x, x.Type()
	}
	ovs := make([]*builtins.Overload, len(srfs))
	for i, s := range srfs {
		ovs[i] = &builtins.Overload{Params: s.Params, Variadic: s.Variadic}
	}
	chosen, targets, err := builtins.Resolve(f.Name, ovs, argTypes)
	if err != nil {
		return nil, nil, nil, withPos(err, f.Pos)
	}
	var srf *builtins.SRFOverload
	for i, o := range ovs {
		if o == chosen {
			srf = srfs[i]
		}
	}
	for i := range args {
		if args[i], err = b.coerce(args[i], targets[i], types.CastImplicit, f.Name); err != nil {
			return nil, nil, nil, err
		}
	}
	fcols := srf.Columns
	if srf.ColumnsFn != nil {
		fcols = srf.ColumnsFn(targets)
	}
	// The argument types before coercion: an int2vector stays one.
	return srf.Bound(argTypes), args, fcols, nil
}
