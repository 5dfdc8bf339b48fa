package pgdialect

import (
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

// selectStmt parses a full query: WITH, set operations, ORDER BY,
// LIMIT/OFFSET/FETCH and locking clauses.
func (p *parser) selectStmt() *tree.Select {
	p.enter()
	defer p.leave()
	t := p.peek()
	s := &tree.Select{Pos: p.pos(t.off)}
	if t.is("with") {
		s.With = p.withClause()
	}
	s.Body = p.setExpr()
	p.selectTail(s)
	return s
}

// selectTail parses ORDER BY, LIMIT, OFFSET, FETCH and FOR UPDATE.
func (p *parser) selectTail(s *tree.Select) {
	if p.kw("order") {
		p.expectKw("by")
		s.OrderBy = p.orderItems()
	}
	for {
		switch {
		case p.peek().is("limit"):
			p.i++
			if p.kw("all") {
				s.Limit = nil
			} else {
				s.Limit = p.expr()
			}
		case p.peek().is("offset"):
			p.i++
			s.Offset = p.expr()
			if !p.kw("rows") {
				p.kw("row")
			}
		case p.peek().is("fetch"):
			p.i++
			if !p.kw("first") {
				p.expectKw("next")
			}
			if p.peek().is("row") || p.peek().is("rows") {
				s.Limit = &tree.NumberLit{Text: "1"}
			} else {
				s.Limit = p.unaryExpr()
			}
			if !p.kw("rows") {
				p.expectKw("row")
			}
			if p.kws("with", "ties") {
				s.WithTies = true
			} else {
				p.expectKw("only")
			}
		case p.peek().is("for"):
			p.i++
			switch {
			case p.kw("update"):
				s.ForUpdate = "update"
			case p.kw("share"):
				s.ForUpdate = "share"
			case p.kws("no", "key", "update"):
				s.ForUpdate = "no key update"
			case p.kws("key", "share"):
				s.ForUpdate = "key share"
			default:
				p.fail()
			}
			if p.kw("of") {
				s.LockOf = p.objectNames()
			}
			switch {
			case p.kw("nowait"):
				s.LockWait = "nowait"
			case p.kws("skip", "locked"):
				s.LockWait = "skip locked"
				if s.WithTies {
					panic(syntaxPanic{pgerror.New(pgerror.CodeSyntaxError, "SKIP LOCKED and WITH TIES options cannot be used together")})
				}
			}
		default:
			if s.WithTies && len(s.OrderBy) == 0 {
				// PostgreSQL reports this one without a position
				panic(syntaxPanic{pgerror.New(pgerror.CodeSyntaxError, "WITH TIES cannot be specified without ORDER BY clause")})
			}
			return
		}
	}
}

func (p *parser) withClause() *tree.With {
	p.expectKw("with")
	// a WITH query's SELECTs never take INTO
	allowed := p.intoAllowed
	p.intoAllowed = false
	defer func() { p.intoAllowed = allowed }()
	w := &tree.With{Recursive: p.kw("recursive")}
	for {
		cte := tree.CTE{Name: p.ident()}
		if p.peek().isPunct("(") {
			cte.Columns = p.parenIdentList()
		}
		p.expectKw("as")
		if p.kw("materialized") {
			cte.Materialized = "materialized"
		} else if p.kws("not", "materialized") {
			cte.Materialized = "not materialized"
		}
		p.expectPunct("(")
		switch t := p.peek(); {
		case t.is("insert"):
			cte.Stmt = p.insertStmt(nil)
		case t.is("update"):
			cte.Stmt = p.updateStmt(nil)
		case t.is("delete"):
			cte.Stmt = p.deleteStmt(nil)
		default:
			cte.Stmt = p.selectStmt()
		}
		p.expectPunct(")")
		w.CTEs = append(w.CTEs, cte)
		if !p.punct(",") {
			return w
		}
	}
}

func (p *parser) setExpr() tree.SelectBody {
	l := p.intersectExpr()
	for {
		t := p.peek()
		if !(t.is("union") || t.is("except")) {
			return l
		}
		p.i++
		op := &tree.SetOp{Op: t.val, Left: l}
		if p.kw("all") {
			op.All = true
		} else {
			p.kw("distinct")
		}
		op.Right = p.intersectExpr()
		l = op
	}
}

func (p *parser) intersectExpr() tree.SelectBody {
	l := p.simpleSelect()
	for p.peek().is("intersect") {
		p.i++
		op := &tree.SetOp{Op: "intersect", Left: l}
		if p.kw("all") {
			op.All = true
		} else {
			p.kw("distinct")
		}
		op.Right = p.simpleSelect()
		l = op
	}
	return l
}

func (p *parser) simpleSelect() tree.SelectBody {
	t := p.peek()
	switch {
	case t.isPunct("("):
		p.i++
		inner := p.selectStmt()
		p.expectPunct(")")
		if inner.With == nil && inner.OrderBy == nil && inner.Limit == nil && inner.Offset == nil && inner.ForUpdate == "" {
			return inner.Body
		}
		return &tree.ParenSelect{Select: inner}
	case t.is("values"):
		return p.valuesBody()
	case t.is("table"):
		p.i++
		n := p.objectName()
		return &tree.SelectClause{Targets: []tree.Target{{Expr: &tree.Star{Pos: p.pos(t.off)}}}, From: []tree.TableExpr{&tree.TableRef{Name: n}}}
	case t.is("select"):
		return p.selectClause()
	}
	p.fail()
	return nil
}

func (p *parser) valuesBody() *tree.Values {
	p.expectKw("values")
	v := &tree.Values{}
	for {
		p.expectPunct("(")
		v.Rows = append(v.Rows, p.exprList())
		p.expectPunct(")")
		if !p.punct(",") {
			return v
		}
	}
}

func (p *parser) selectClause() *tree.SelectClause {
	p.expectKw("select")
	first := p.intoAllowed && p.topDepth == 0
	if first {
		p.topDepth = p.depth
	}
	sc := &tree.SelectClause{}
	if p.kw("distinct") {
		sc.Distinct = true
		if p.kw("on") {
			p.expectPunct("(")
			sc.DistinctOn = p.exprList()
			p.expectPunct(")")
		}
	} else {
		p.kw("all")
	}
	if p.startsTarget() {
		sc.Targets = p.targets()
	}
	if t := p.peek(); t.is("into") {
		p.i++
		switch {
		case first:
		case p.intoAllowed && p.depth == p.topDepth:
			p.failMsg(p.peek(), "INTO is only allowed on first SELECT of UNION/INTERSECT/EXCEPT")
		default:
			// PostgreSQL points at the INTO clause's target
			p.failMsg(p.peek(), "SELECT ... INTO is not allowed here")
		}
		ct := &tree.CreateTable{SelectInto: true}
		for {
			if p.kw("temp") || p.kw("temporary") {
				ct.Temporary = true
				continue
			}
			if p.kw("unlogged") || p.kw("local") || p.kw("global") {
				continue
			}
			break
		}
		p.kw("table")
		ct.Name = p.objectName()
		p.into = ct
	}
	if p.kw("from") {
		sc.From = p.fromList()
	}
	if p.kw("where") {
		sc.Where = p.expr()
	}
	if p.kw("group") {
		p.expectKw("by")
		if !p.kw("all") && p.kw("distinct") {
			sc.GroupByDistinct = true
		}
		sc.GroupBy = p.groupByList()
	}
	if p.kw("having") {
		sc.Having = p.expr()
	}
	if p.kw("window") {
		sc.Windows = map[string]*tree.Window{}
		for {
			name := p.ident()
			p.expectKw("as")
			sc.Windows[name] = p.windowSpec()
			if !p.punct(",") {
				break
			}
		}
	}
	return sc
}

// groupByList reads GROUP BY elements up to the end of the list.
func (p *parser) groupByList() []tree.Expr {
	var l []tree.Expr
	for {
		l = append(l, p.groupByItem())
		if !p.punct(",") {
			return l
		}
	}
}

// groupByItem reads an expression, (), ROLLUP(...), CUBE(...) or GROUPING
// SETS(...).
func (p *parser) groupByItem() tree.Expr {
	t := p.peek()
	pos := p.pos(t.off)
	switch {
	case t.isPunct("(") && p.peekN(1).isPunct(")"):
		p.i += 2
		return &tree.GroupingSet{Kind: "empty", Pos: pos}
	case (t.is("rollup") || t.is("cube")) && p.peekN(1).isPunct("("):
		p.i += 2
		gs := &tree.GroupingSet{Kind: t.val, Pos: pos}
		for {
			gs.Items = append(gs.Items, p.expr())
			if !p.punct(",") {
				break
			}
		}
		p.expectPunct(")")
		return gs
	case t.is("grouping") && p.peekN(1).is("sets"):
		p.i += 2
		p.expectPunct("(")
		gs := &tree.GroupingSet{Kind: "sets", Pos: pos, Items: p.groupByList()}
		p.expectPunct(")")
		return gs
	}
	return p.expr()
}

// startsTarget reports whether a select list follows (PostgreSQL allows an
// empty one: SELECT FROM t).
func (p *parser) startsTarget() bool {
	t := p.peek()
	switch {
	case t.kind == tEOF, t.isPunct(")"), t.isPunct(";"):
		return false
	case t.kind == tIdent:
		switch t.val {
		case "from", "where", "group", "having", "window", "union", "intersect", "except", "order", "limit",
			"offset", "fetch", "for", "into":
			return false
		}
	}
	return true
}

func (p *parser) targets() []tree.Target {
	var ts []tree.Target
	for {
		t := p.peek()
		tg := tree.Target{Pos: p.pos(t.off)}
		if t.isOp("*") {
			p.i++
			tg.Expr = &tree.Star{Pos: p.pos(t.off)}
		} else {
			tg.Expr = p.expr()
			tg.ExprEnd = p.pos(p.prevEnd())
			tg.Alias = p.optAlias(true)
		}
		tg.End = p.pos(p.prevEnd())
		ts = append(ts, tg)
		if !p.punct(",") {
			return ts
		}
	}
}

// optAlias reads [AS] label. bare allows a label without AS.
func (p *parser) optAlias(bare bool) string {
	if p.kw("as") {
		return p.colLabel()
	}
	t := p.peek()
	if !bare {
		return ""
	}
	if t.kind == tQIdent {
		p.i++
		return t.val
	}
	if t.kind == tIdent && !reserved[t.val] && !noBareLabel[t.val] {
		p.i++
		return t.val
	}
	return ""
}

func (p *parser) fromList() []tree.TableExpr {
	var l []tree.TableExpr
	for {
		l = append(l, p.joinedTable())
		if !p.punct(",") {
			return l
		}
	}
}

func (p *parser) joinedTable() tree.TableExpr {
	left := p.tablePrimary()
	for {
		j := &tree.Join{Left: left}
		if p.kw("natural") {
			j.Natural = true
		}
		t := p.peek()
		switch {
		case t.is("cross"):
			p.i++
			p.expectKw("join")
			j.Kind = "cross"
			j.Right = p.tablePrimary()
			left = j
			continue
		case t.is("join"):
			p.i++
			j.Kind = "inner"
		case t.is("inner"):
			p.i++
			p.expectKw("join")
			j.Kind = "inner"
		case t.is("left") || t.is("right") || t.is("full"):
			p.i++
			p.kw("outer")
			p.expectKw("join")
			j.Kind = t.val
		default:
			if j.Natural {
				p.fail()
			}
			return left
		}
		j.Right = p.tablePrimary()
		if !j.Natural {
			switch {
			case p.kw("on"):
				j.On = p.expr()
			case p.kw("using"):
				j.Using = p.parenIdentList()
				if p.kw("as") {
					j.Alias = p.ident()
				}
			default:
				p.fail()
			}
		}
		left = j
	}
}

func (p *parser) tablePrimary() tree.TableExpr {
	p.enter()
	defer p.leave()
	lateral := p.kw("lateral")
	t := p.peek()
	if t.isPunct("(") {
		if p.startsQuery() {
			// "((SELECT ...) a JOIN b ...)" also starts like a query: try the
			// query first and fall back to a parenthesised join
			save := p.i
			var st *tree.SubqueryTable
			err := p.run(func() {
				p.i++
				q := p.selectStmt()
				p.expectPunct(")")
				st = &tree.SubqueryTable{Select: q, Lateral: lateral}
				st.Alias, st.ColAliases = p.tableAlias()
			})
			if err == nil {
				// no alias is accepted as PostgreSQL 16 does: pgvector's
				// README relies on it
				return st
			}
			if !p.toks[save+1].isPunct("(") {
				panic(syntaxPanic{pgerror.Convert(err)})
			}
			p.i = save
		}
		p.i++
		inner := p.joinedTable()
		p.expectPunct(")")
		pt := &tree.ParenTable{Inner: inner}
		pt.Alias, _ = p.tableAlias()
		return pt
	}
	only := p.kw("only")
	pos := p.pos(p.peek().off)
	var name tree.ObjectName
	if p.peek().kind == tIdent && sqlValueFuncs[p.peek().val] {
		// FROM current_date etc. are function calls
		fc := p.keywordExpr().(*tree.FuncCall)
		ft := &tree.FuncTable{Func: fc, Lateral: lateral}
		ft.Alias, ft.ColAliases = p.tableAlias()
		return ft
	}
	if p.peek().is("rows") && p.peekN(1).is("from") && p.peekN(2).isPunct("(") {
		p.i += 3
		rf := &tree.RowsFrom{Lateral: lateral}
		for {
			fpos := p.pos(p.peek().off)
			fc, ok := p.primary().(*tree.FuncCall)
			if !ok {
				p.failMsg(p.toks[p.i-1], "syntax error at or near \"%s\"", p.src[p.toks[p.i-1].off:p.toks[p.i-1].end])
			}
			if fc.Pos == 0 {
				fc.Pos = fpos
			}
			var defs []tree.ColDef
			if p.kw("as") {
				defs = p.colDefList()
			}
			rf.Funcs = append(rf.Funcs, fc)
			rf.ColDefs = append(rf.ColDefs, defs)
			if !p.punct(",") {
				break
			}
		}
		p.expectPunct(")")
		rf.Ordinality = p.kws("with", "ordinality")
		rf.Alias, rf.ColAliases = p.tableAlias()
		return rf
	}
	name = p.objectName()
	if p.peek().isPunct("(") {
		parts := []string{name.Name}
		if name.Schema != "" {
			parts = []string{name.Schema, name.Name}
		}
		fc, ok := p.funcCall(parts, pos).(*tree.FuncCall)
		if !ok {
			p.fail()
		}
		ft := &tree.FuncTable{Func: fc, Lateral: lateral}
		if p.kws("with", "ordinality") {
			ft.Ordinality = true
		}
		ft.Alias, ft.ColAliases, ft.ColDefs = p.funcAlias()
		return ft
	}
	if p.op("*") {
		only = false
	}
	tr := &tree.TableRef{Name: name, Only: only}
	tr.Alias, tr.ColAliases = p.tableAlias()
	if p.peek().is("tablesample") {
		p.unsupported("TABLESAMPLE")
	}
	return tr
}

// tableAlias reads [AS] alias [(col, ...)].
func (p *parser) tableAlias() (string, []string) {
	alias := p.aliasName()
	if alias == "" {
		return "", nil
	}
	var cols []string
	if p.peek().isPunct("(") {
		cols = p.parenIdentList()
	}
	return alias, cols
}

// aliasName reads [AS] alias, or nothing when no alias follows.
func (p *parser) aliasName() string {
	if p.kw("as") {
		return p.ident()
	}
	if p.isIdentTok() && !noBareLabel[p.peek().val] || p.peek().kind == tQIdent {
		return p.ident()
	}
	return ""
}

// funcAlias reads a function's alias: an ordinary one, or a column
// definition list (AS (a int, ...) or [AS] r(a int, ...)), which the
// first entry tells apart by having more than a name before its comma.
func (p *parser) funcAlias() (string, []string, []tree.ColDef) {
	if p.peek().is("as") && p.peekN(1).isPunct("(") {
		p.i++
		return "", nil, p.colDefList()
	}
	alias := p.aliasName()
	if alias == "" || !p.peek().isPunct("(") {
		return alias, nil, nil
	}
	if next := p.peekN(2); !next.isPunct(",") && !next.isPunct(")") {
		return alias, nil, p.colDefList()
	}
	return alias, p.parenIdentList(), nil
}

// colDefList reads (name type [COLLATE c], ...).
func (p *parser) colDefList() []tree.ColDef {
	p.expectPunct("(")
	var defs []tree.ColDef
	for {
		pos := p.pos(p.peek().off)
		name := p.ident()
		def := tree.ColDef{Name: name, Type: p.typeName(), Pos: pos}
		if p.peek().is("collate") {
			def.CollatePos = p.pos(p.peek().off)
			p.i++
			p.objectName()
		}
		defs = append(defs, def)
		if !p.punct(",") {
			break
		}
	}
	p.expectPunct(")")
	return defs
}

// ---- DML ----

func (p *parser) insertStmt(with *tree.With) *tree.Insert {
	p.expectKw("insert")
	p.expectKw("into")
	ins := &tree.Insert{With: with, Table: p.objectName()}
	if p.kw("as") {
		ins.Alias = p.ident()
	}
	if p.peek().isPunct("(") && !p.startsQuery() {
		ins.Columns = p.parenIdentList()
	}
	if p.kw("overriding") {
		if p.kw("system") {
			ins.Overriding = "system"
		} else {
			p.expectKw("user")
			ins.Overriding = "user"
		}
		p.expectKw("value")
	}
	if p.kws("default", "values") {
		ins.Source = nil
	} else {
		ins.Source = p.selectStmt()
	}
	if p.kws("on", "conflict") {
		oc := &tree.OnConflict{}
		if p.peek().isPunct("(") {
			p.i++
			for {
				if p.peek().isPunct("(") || p.peekN(1).isPunct("(") {
					// an expression element: (a + b), lower(email)
					e := p.primary()
					if ref, ok := unparen(e).(*tree.ColumnRef); ok && len(ref.Parts) == 1 {
						oc.Columns = append(oc.Columns, ref.Parts[0])
					} else {
						oc.Exprs = append(oc.Exprs, e)
					}
				} else {
					oc.Columns = append(oc.Columns, p.ident())
				}
				if p.kw("collate") {
					p.objectName()
					oc.Collate = true
				}
				if p.isIdentTok() {
					p.objectName() // opclass
				}
				if !p.punct(",") {
					break
				}
			}
			p.expectPunct(")")
			if p.kw("where") {
				oc.Where = p.expr()
			}
		} else if p.kws("on", "constraint") {
			oc.Constraint = p.ident()
		}
		p.expectKw("do")
		if p.kw("nothing") {
			oc.DoNothing = true
		} else {
			p.expectKw("update")
			p.expectKw("set")
			oc.Set = p.setClauses()
			if p.kw("where") {
				oc.UpdWhere = p.expr()
			}
		}
		ins.OnConflict = oc
	}
	if p.kw("returning") {
		ins.Returning = p.targets()
	}
	return ins
}

func (p *parser) setClauses() []tree.SetClause {
	var l []tree.SetClause
	for {
		t := p.peek()
		sc := tree.SetClause{Pos: p.pos(t.off)}
		if p.punct("(") {
			sc.Columns = p.identList()
			p.expectPunct(")")
		} else {
			sc.Column = p.colLabelOrIdent()
			if p.peek().isPunct(".") || p.peek().isPunct("[") {
				p.unsupported("assignment to a field or subscript")
			}
		}
		p.expectOp("=")
		sc.Value = p.expr()
		l = append(l, sc)
		if !p.punct(",") {
			return l
		}
	}
}

func (p *parser) dmlAlias() string {
	if p.kw("as") {
		return p.ident()
	}
	if p.isIdentTok() && !p.peek().is("set") {
		return p.ident()
	}
	return ""
}

func (p *parser) updateStmt(with *tree.With) *tree.Update {
	p.expectKw("update")
	p.kw("only")
	u := &tree.Update{With: with, Table: p.objectName()}
	p.op("*")
	u.Alias = p.dmlAlias()
	p.expectKw("set")
	u.Set = p.setClauses()
	if p.kw("from") {
		u.From = p.fromList()
	}
	if p.kw("where") {
		if p.peek().is("current") && p.peekN(1).is("of") {
			p.unsupported("WHERE CURRENT OF")
		}
		u.Where = p.expr()
	}
	if p.kw("returning") {
		u.Returning = p.targets()
	}
	return u
}

func (p *parser) deleteStmt(with *tree.With) *tree.Delete {
	p.expectKw("delete")
	p.expectKw("from")
	p.kw("only")
	d := &tree.Delete{With: with, Table: p.objectName()}
	p.op("*")
	d.Alias = p.dmlAlias()
	if p.kw("using") {
		d.Using = p.fromList()
	}
	if p.kw("where") {
		if p.peek().is("current") && p.peekN(1).is("of") {
			p.unsupported("WHERE CURRENT OF")
		}
		d.Where = p.expr()
	}
	if p.kw("returning") {
		d.Returning = p.targets()
	}
	return d
}

// unparen strips explicit parentheses.
func unparen(e tree.Expr) tree.Expr {
	for {
		p, ok := e.(*tree.ParenExpr)
		if !ok {
			return e
		}
		e = p.Inner
	}
}
