package pgdialect

import (
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

// Expression grammar with PostgreSQL 15's precedence, loosest first:
// OR < AND < NOT < IS/ISNULL/NOTNULL < comparison < BETWEEN IN LIKE ILIKE
// SIMILAR < any other operator < + - < * / % < ^ < AT < COLLATE < unary + -
// < [ ] < :: < . — one function per level, so an operator's operands are
// exactly PostgreSQL's.

func (p *parser) expr() tree.Expr {
	p.enter()
	defer p.leave()
	return p.orExpr()
}

func (p *parser) orExpr() tree.Expr {
	l := p.andExpr()
	for p.peek().is("or") {
		t := p.advance()
		r := p.andExpr()
		l = &tree.BinaryExpr{Op: "or", Left: l, Right: r, Pos: p.pos(t.off)}
	}
	return l
}

func (p *parser) andExpr() tree.Expr {
	l := p.notExpr()
	for p.peek().is("and") {
		t := p.advance()
		r := p.notExpr()
		l = &tree.BinaryExpr{Op: "and", Left: l, Right: r, Pos: p.pos(t.off)}
	}
	return l
}

func (p *parser) notExpr() tree.Expr {
	if p.peek().is("not") {
		t := p.advance()
		p.enter()
		defer p.leave()
		return &tree.UnaryExpr{Op: "not", Operand: p.notExpr(), Pos: p.pos(t.off)}
	}
	return p.isExpr()
}

func (p *parser) isExpr() tree.Expr {
	e := p.cmpExpr()
	for {
		t := p.peek()
		switch {
		case t.is("isnull"):
			p.i++
			e = &tree.IsExpr{Operand: e, What: "null", Pos: p.pos(t.off)}
		case t.is("notnull"):
			p.i++
			e = &tree.IsExpr{Operand: e, What: "null", Not: true, Pos: p.pos(t.off)}
		case t.is("is"):
			p.i++
			not := p.kw("not")
			w := p.peek()
			switch {
			case w.is("null") || w.is("true") || w.is("false") || w.is("unknown") || w.is("document"):
				p.i++
				e = &tree.IsExpr{Operand: e, Not: not, What: w.val, Pos: p.pos(t.off)}
			case w.is("distinct"):
				p.i++
				p.expectKw("from")
				r := p.cmpExpr()
				op := "is distinct from"
				if not {
					op = "is not distinct from"
				}
				e = &tree.BinaryExpr{Op: op, Left: e, Right: r, Pos: p.pos(t.off)}
			default:
				p.fail()
			}
		default:
			return e
		}
		if p.continuesOperand() {
			// a finished postfix test is an operand of what follows:
			// x IS NULL = false is (x IS NULL) = false
			p.pending = e
			e = p.cmpExpr()
		}
	}
}

// continuesOperand reports whether the next token continues an expression
// whose left operand is already complete.
func (p *parser) continuesOperand() bool {
	t := p.peek()
	switch {
	case t.kind == tOp, t.isPunct("::"), t.isPunct("["):
		return true
	case t.is("like"), t.is("ilike"), t.is("similar"), t.is("between"), t.is("in"), t.is("operator"), t.is("collate"), t.is("at"):
		return true
	case t.is("not"):
		n := p.peekN(1)
		return n.is("like") || n.is("ilike") || n.is("similar") || n.is("between") || n.is("in")
	}
	return false
}

func isCmpOp(s string) bool {
	switch s {
	case "<", ">", "=", "<=", ">=", "<>":
		return true
	}
	return false
}

func isArithOp(s string) bool {
	switch s {
	case "+", "-", "*", "/", "%", "^":
		return true
	}
	return false
}

// cmpExpr is the non-associative comparison level.
func (p *parser) cmpExpr() tree.Expr {
	p.enter()
	defer p.leave()
	l := p.likeExpr()
	t := p.peek()
	if t.kind != tOp || !isCmpOp(t.val) {
		return l
	}
	p.i++
	if q := p.quantified(t, l); q != nil {
		// x op ANY(...) reduces as soon as it is complete; what follows
		// takes it as its left operand: x = ANY(a) <-> y, x = ANY(a) = true
		if p.continuesOperand() {
			p.pending = q
			return p.cmpExpr()
		}
		return q
	}
	r := p.likeExpr()
	e := &tree.BinaryExpr{Op: t.val, Left: l, Right: r, Pos: p.pos(t.off)}
	if n := p.peek(); n.kind == tOp && isCmpOp(n.val) {
		p.fail()
	}
	return e
}

// quantified parses ANY|SOME|ALL (array or subquery) after operator t.
func (p *parser) quantified(t token, left tree.Expr) tree.Expr {
	k := p.peek()
	if !(k.is("any") || k.is("some") || k.is("all")) {
		return nil
	}
	p.i++
	p.expectPunct("(")
	q := &tree.QuantifiedExpr{Op: t.val, All: k.is("all"), Operand: left, Pos: p.pos(t.off)}
	if p.startsQuery() {
		q.Subquery = p.selectStmt()
	} else {
		q.Array = p.expr()
	}
	p.expectPunct(")")
	return q
}

// startsQuery reports whether the next token begins a query.
func (p *parser) startsQuery() bool {
	t := p.peek()
	if t.is("select") || t.is("with") || t.is("values") || t.is("table") {
		return true
	}
	if t.isPunct("(") {
		// ((SELECT ...)) nests a query only when the parens lead to one
		j := p.i
		for j < len(p.toks) && p.toks[j].isPunct("(") && j-p.i < maxDepth {
			j++
		}
		n := p.toks[j]
		return n.is("select") || n.is("with") || n.is("values")
	}
	return false
}

func (p *parser) likeExpr() tree.Expr {
	p.enter()
	defer p.leave()
	l := p.otherExpr()
	t := p.peek()
	not := false
	if t.is("not") {
		n := p.peekN(1)
		if n.is("like") || n.is("ilike") || n.is("similar") || n.is("between") || n.is("in") {
			p.i++
			not = true
			t = p.peek()
		} else {
			return l
		}
	}
	switch {
	case t.is("like") || t.is("ilike"):
		p.i++
		op := t.val
		if not {
			op = "not " + op
		}
		e := &tree.BinaryExpr{Op: op, Left: l, Right: p.otherExpr(), Pos: p.pos(t.off)}
		if p.kw("escape") {
			e.Escape = p.otherExpr()
		}
		return e
	case t.is("similar"):
		p.i++
		p.expectKw("to")
		op := "similar to"
		if not {
			op = "not similar to"
		}
		e := &tree.BinaryExpr{Op: op, Left: l, Right: p.otherExpr(), Pos: p.pos(t.off)}
		if p.kw("escape") {
			e.Escape = p.otherExpr()
		}
		return e
	case t.is("between"):
		p.i++
		b := &tree.BetweenExpr{Operand: l, Not: not, Pos: p.pos(t.off)}
		if p.kw("symmetric") {
			b.Symmetric = true
		} else {
			p.kw("asymmetric")
		}
		b.Lo = p.otherExpr()
		p.expectKw("and")
		b.Hi = p.otherExpr()
		return b
	case t.is("in"):
		p.i++
		in := &tree.InExpr{Operand: l, Not: not, Pos: p.pos(t.off)}
		p.expectPunct("(")
		if p.startsQuery() {
			in.Subquery = p.selectStmt()
		} else {
			in.List = p.exprList()
		}
		p.expectPunct(")")
		if n := p.peek(); n.kind == tOp && !isCmpOp(n.val) || n.isPunct("::") || n.isPunct("[") {
			// x IN (...) || y is (x IN (...)) || y
			p.pending = in
			return p.likeExpr()
		}
		return in
	}
	return l
}

// isOtherOp reports whether t is a generic ("any other") operator.
func (p *parser) isOtherOp(t token) bool {
	if t.kind == tOp {
		return !isCmpOp(t.val) && !isArithOp(t.val)
	}
	return t.is("operator") && p.peekN(1).isPunct("(")
}

// readOp consumes an operator token or OPERATOR(schema.op).
func (p *parser) readOp() (op, schema string, t token) {
	t = p.advance()
	if t.kind == tOp {
		return t.val, "", t
	}
	p.expectPunct("(")
	for p.isIdentTok() || p.peek().kind == tIdent {
		s := p.colLabel()
		p.expectPunct(".")
		schema = s
	}
	o := p.peek()
	if o.kind != tOp {
		p.fail()
	}
	p.i++
	p.expectPunct(")")
	return o.val, schema, t
}

func (p *parser) otherExpr() tree.Expr {
	return p.otherTail(p.otherOperand())
}

func (p *parser) otherTail(l tree.Expr) tree.Expr {
	for p.isOtherOp(p.peek()) {
		op, schema, t := p.readOp()
		if q := p.quantified(token{val: op, off: t.off}, l); q != nil {
			l = q
			continue
		}
		r := p.otherOperand()
		l = &tree.BinaryExpr{Op: op, Schema: schema, Left: l, Right: r, Pos: p.pos(t.off)}
	}
	return l
}

// otherOperand is an operand of a generic operator: a prefix operator
// applies to an additive expression.
func (p *parser) otherOperand() tree.Expr {
	if p.pending == nil && p.isOtherOp(p.peek()) {
		op, _, t := p.readOp()
		p.enter()
		defer p.leave()
		return &tree.UnaryExpr{Op: op, Operand: p.otherOperand(), Pos: p.pos(t.off)}
	}
	return p.addExpr()
}

func (p *parser) addExpr() tree.Expr {
	l := p.mulExpr()
	for {
		t := p.peek()
		if !(t.isOp("+") || t.isOp("-")) {
			return l
		}
		p.i++
		l = &tree.BinaryExpr{Op: t.val, Left: l, Right: p.mulExpr(), Pos: p.pos(t.off)}
	}
}

func (p *parser) mulExpr() tree.Expr {
	l := p.expExpr()
	for {
		t := p.peek()
		if !(t.isOp("*") || t.isOp("/") || t.isOp("%")) {
			return l
		}
		p.i++
		l = &tree.BinaryExpr{Op: t.val, Left: l, Right: p.expExpr(), Pos: p.pos(t.off)}
	}
}

func (p *parser) expExpr() tree.Expr {
	l := p.atExpr()
	for p.peek().isOp("^") {
		t := p.advance()
		l = &tree.BinaryExpr{Op: "^", Left: l, Right: p.atExpr(), Pos: p.pos(t.off)}
	}
	return l
}

func (p *parser) atExpr() tree.Expr {
	l := p.collateExpr()
	for p.peek().is("at") && p.peekN(1).is("time") && p.peekN(2).is("zone") {
		t := p.advance()
		p.i += 2
		z := p.collateExpr()
		l = &tree.FuncCall{Name: "timezone", Args: []tree.Expr{z, l}, Pos: p.pos(t.off)}
	}
	return l
}

func (p *parser) collateExpr() tree.Expr {
	l := p.unaryExpr()
	for p.peek().is("collate") {
		t := p.advance()
		n := p.objectName()
		name := n.Name
		if n.Schema != "" {
			name = n.Schema + "." + n.Name
		}
		l = &tree.CollateExpr{Operand: l, Collation: name, Pos: p.pos(t.off)}
	}
	return l
}

func (p *parser) unaryExpr() tree.Expr {
	t := p.peek()
	if p.pending == nil && (t.isOp("-") || t.isOp("+")) {
		p.i++
		p.enter()
		defer p.leave()
		operand := p.unaryExpr()
		if t.val == "-" {
			if n, ok := operand.(*tree.NumberLit); ok && !strings.HasPrefix(n.Text, "-") {
				return &tree.NumberLit{Text: "-" + n.Text, Pos: p.pos(t.off)}
			}
		}
		return &tree.UnaryExpr{Op: t.val, Operand: operand, Pos: p.pos(t.off)}
	}
	return p.postfixExpr(p.primary())
}

func (p *parser) postfixExpr(e tree.Expr) tree.Expr {
	for {
		t := p.peek()
		switch {
		case t.isPunct("["):
			p.i++
			s := &tree.Subscript{Operand: e, Pos: p.pos(t.off)}
			if !p.peek().isPunct(":") {
				s.Index = p.expr()
			}
			if p.punct(":") {
				s.Slice = true
				if !p.peek().isPunct("]") {
					s.Upper = p.expr()
				}
			}
			p.expectPunct("]")
			e = s
		case t.isPunct("::"):
			p.i++
			typ := p.typeName()
			e = &tree.CastExpr{Operand: e, Type: typ, Pos: p.pos(t.off)}
		case t.isPunct(".") && isFieldable(e):
			p.i++
			if p.op("*") {
				e = &tree.FieldAccess{Operand: e, Field: "*", Pos: p.pos(t.off)}
			} else {
				e = &tree.FieldAccess{Operand: e, Field: p.colLabel(), Pos: p.pos(t.off)}
			}
		default:
			return e
		}
	}
}

func isFieldable(e tree.Expr) bool {
	switch e.(type) {
	case *tree.ParenExpr, *tree.Subscript, *tree.FieldAccess:
		return true
	}
	return false
}

func (p *parser) exprList() []tree.Expr {
	l := []tree.Expr{p.expr()}
	for p.punct(",") {
		l = append(l, p.expr())
	}
	return l
}

// sqlValueFuncs are the SQL-standard niladic functions written without ().
var sqlValueFuncs = toSet(`current_date current_time current_timestamp localtime localtimestamp current_user
session_user user current_role current_catalog current_schema`)

func (p *parser) primary() tree.Expr {
	if e := p.pending; e != nil {
		p.pending = nil
		return e
	}
	t := p.peek()
	pos := p.pos(t.off)
	switch t.kind {
	case tNumber:
		p.i++
		return &tree.NumberLit{Text: t.val, Pos: pos}
	case tString:
		p.i++
		return &tree.StringLit{Val: t.val, Pos: pos}
	case tHex, tBits:
		p.i++
		prefix := "b"
		if t.kind == tHex {
			prefix = "x"
		}
		return &tree.BitLit{Val: prefix + t.val, Pos: pos}
	case tParam:
		p.i++
		if t.n > p.maxParam {
			p.maxParam = t.n
		}
		return &tree.Param{N: t.n, Pos: pos}
	case tPunct:
		if t.isPunct("(") {
			return p.parenExpr()
		}
		p.fail()
	case tQIdent:
		return p.nameExpr()
	case tIdent:
		return p.keywordExpr()
	}
	p.fail()
	return nil
}

func (p *parser) parenExpr() tree.Expr {
	t := p.advance()
	pos := p.pos(t.off)
	if p.startsQuery() {
		// "((SELECT 1) + 1)" also starts like a query: try the query first
		// and fall back to an expression when the parens only group
		save := p.i
		var q *tree.Select
		err := p.run(func() {
			q = p.selectStmt()
			p.expectPunct(")")
		})
		if err == nil {
			return &tree.SubqueryExpr{Subquery: q, Pos: pos}
		}
		if !p.toks[save].isPunct("(") {
			panic(syntaxPanic{pgerror.Convert(err)})
		}
		p.i = save
	}
	e := p.expr()
	if p.punct(",") {
		elems := append([]tree.Expr{e}, p.exprList()...)
		p.expectPunct(")")
		return &tree.RowExpr{Elems: elems, Pos: pos}
	}
	p.expectPunct(")")
	if p.peek().isPunct(".") {
		return &tree.ParenExpr{Inner: e, Pos: pos}
	}
	return e
}

// keywordExpr handles a primary starting with an unquoted word.
func (p *parser) keywordExpr() tree.Expr {
	t := p.peek()
	pos := p.pos(t.off)
	n := p.peekN(1)
	switch t.val {
	case "true", "false":
		p.i++
		return &tree.BoolLit{Val: t.val == "true", Pos: pos}
	case "null":
		p.i++
		return &tree.NullLit{Pos: pos}
	case "default":
		p.i++
		return &tree.DefaultExpr{Pos: pos}
	case "case":
		return p.caseExpr()
	case "cast":
		p.i++
		p.expectPunct("(")
		e := p.expr()
		p.expectKw("as")
		typ := p.typeName()
		p.expectPunct(")")
		return &tree.CastExpr{Operand: e, Type: typ, Pos: pos}
	case "exists":
		if n.isPunct("(") {
			p.i += 2
			q := p.selectStmt()
			p.expectPunct(")")
			return &tree.ExistsExpr{Subquery: q, Pos: pos}
		}
	case "array":
		if n.isPunct("[") {
			p.i++
			return p.arrayLit()
		}
		if n.isPunct("(") {
			p.i += 2
			q := p.selectStmt()
			p.expectPunct(")")
			return &tree.ArraySubquery{Subquery: q, Pos: pos}
		}
	case "row":
		if n.isPunct("(") {
			p.i += 2
			r := &tree.RowExpr{Pos: pos}
			if !p.peek().isPunct(")") {
				r.Elems = p.exprList()
			}
			p.expectPunct(")")
			return r
		}
	case "extract":
		if n.isPunct("(") {
			p.i += 2
			f := p.peek()
			var field string
			switch f.kind {
			case tIdent, tQIdent, tString:
				field = strings.ToLower(f.val)
				p.i++
			default:
				p.fail()
			}
			p.expectKw("from")
			e := p.expr()
			p.expectPunct(")")
			return &tree.FuncCall{Name: "extract", Args: []tree.Expr{&tree.StringLit{Val: field, Pos: p.pos(f.off)}, e}, Pos: pos}
		}
	case "position":
		if n.isPunct("(") {
			p.i += 2
			a := p.otherExpr()
			p.expectKw("in")
			b := p.otherExpr()
			p.expectPunct(")")
			return &tree.FuncCall{Name: "position", Args: []tree.Expr{b, a}, Pos: pos}
		}
	case "overlay":
		if n.isPunct("(") {
			save := p.i
			p.i += 2
			s := p.expr()
			if p.kw("placing") {
				// overlay(a placing b from c [for d]) is overlay(a, b, c[, d]).
				args := []tree.Expr{s, p.expr()}
				p.expectKw("from")
				args = append(args, p.expr())
				if p.kw("for") {
					args = append(args, p.expr())
				}
				p.expectPunct(")")
				return &tree.FuncCall{Name: "overlay", Args: args, Pos: pos}
			}
			p.i = save
		}
	case "substring":
		if n.isPunct("(") {
			save := p.i
			p.i += 2
			s := p.expr()
			if p.peek().is("from") || p.peek().is("for") {
				args := []tree.Expr{s}
				if p.kw("from") {
					args = append(args, p.expr())
				} else {
					args = append(args, &tree.NumberLit{Text: "1"})
				}
				if p.kw("for") {
					args = append(args, p.expr())
				}
				p.expectPunct(")")
				return &tree.FuncCall{Name: "substring", Args: args, Pos: pos}
			}
			p.i = save
		}
	case "trim":
		if n.isPunct("(") {
			p.i += 2
			name := "btrim"
			if p.kw("leading") {
				name = "ltrim"
			} else if p.kw("trailing") {
				name = "rtrim"
			} else {
				p.kw("both")
			}
			var args []tree.Expr
			if p.kw("from") {
				args = p.exprList()
			} else {
				first := p.expr()
				if p.kw("from") {
					args = append(p.exprList(), first)
				} else {
					args = []tree.Expr{first}
					for p.punct(",") {
						args = append(args, p.expr())
					}
				}
			}
			p.expectPunct(")")
			return &tree.FuncCall{Name: name, Args: args, Pos: pos}
		}
	}
	if sqlValueFuncs[t.val] && !n.isPunct(".") {
		p.i++
		fc := &tree.FuncCall{Name: t.val, Pos: pos}
		if (t.val == "current_time" || t.val == "current_timestamp" || t.val == "localtime" || t.val == "localtimestamp" || t.val == "current_schema") && p.peek().isPunct("(") {
			p.i++
			if !p.peek().isPunct(")") {
				fc.Args = p.exprList()
			}
			p.expectPunct(")")
		}
		return fc
	}
	if typ, ok := p.tryTypedLiteral(); ok {
		return typ
	}
	if reserved[t.val] {
		p.fail()
	}
	return p.nameExpr()
}

// multiWordTypeStart are words that begin a type name which may be followed
// by a string constant to form a typed literal.
var multiWordTypeStart = toSet(`double timestamp time interval character char varchar national bit numeric decimal`)

// tryTypedLiteral parses `type 'string'` (interval '1 day', double precision
// '1', timestamp with time zone '...').
func (p *parser) tryTypedLiteral() (tree.Expr, bool) {
	t := p.peek()
	if !multiWordTypeStart[t.val] {
		return nil, false
	}
	save := p.i
	ok := p.run(func() {
		p.typeName()
	}) == nil
	if !ok || p.peek().kind != tString {
		p.i = save
		return nil, false
	}
	p.i = save
	typ := p.typeName()
	if (typ.Name == "bit" || typ.Name == "bpchar") && !p.tokensHave(save, "(") {
		// As a literal's type (PostgreSQL's ConstBit, ConstCharacter),
		// bit and char without a length are unconstrained, not bit(1)
		// and char(1) as in a column or a cast.
		typ.Mods = nil
	}
	s := p.advance()
	lit := &tree.StringLit{Val: s.val, Pos: p.pos(s.off)}
	if typ.Name == "interval" {
		// interval '1' day: the trailing field qualifies a bare number
		if f := p.peek(); f.kind == tIdent && intervalFields[f.val] {
			p.i++
			if p.peek().is("to") {
				p.i++
				p.advance()
			} else if _, err := strconv.ParseFloat(strings.TrimSpace(lit.Val), 64); err == nil {
				lit.Val = strings.TrimSpace(lit.Val) + " " + f.val
			}
		}
	}
	return &tree.CastExpr{Operand: lit, Type: typ, Pos: p.pos(t.off)}, true
}

var intervalFields = toSet(`year month day hour minute second`)

func (p *parser) arrayLit() tree.Expr {
	p.enter()
	defer p.leave()
	t := p.expectPunct("[")
	a := &tree.ArrayExpr{Pos: p.pos(t.off)}
	if !p.peek().isPunct("]") {
		for {
			if p.peek().isPunct("[") {
				a.Elems = append(a.Elems, p.arrayLit())
			} else {
				a.Elems = append(a.Elems, p.expr())
			}
			if !p.punct(",") {
				break
			}
		}
	}
	p.expectPunct("]")
	return a
}

func (p *parser) caseExpr() tree.Expr {
	t := p.advance()
	c := &tree.CaseExpr{Pos: p.pos(t.off)}
	if !p.peek().is("when") {
		c.Operand = p.expr()
	}
	for p.kw("when") {
		cond := p.expr()
		p.expectKw("then")
		c.Whens = append(c.Whens, tree.When{Cond: cond, Result: p.expr()})
	}
	if len(c.Whens) == 0 {
		p.fail()
	}
	if p.kw("else") {
		c.Else = p.expr()
	}
	p.expectKw("end")
	return c
}

// nameExpr parses a column reference, a qualified star, a function call or
// a typed literal introduced by a (possibly qualified) type name.
func (p *parser) nameExpr() tree.Expr {
	t := p.peek()
	pos := p.pos(t.off)
	parts := []string{p.colLabelOrIdent()}
	for p.peek().isPunct(".") {
		p.i++
		if p.peek().isOp("*") {
			p.i++
			parts = append(parts, "*")
			return &tree.ColumnRef{Parts: parts, Pos: pos}
		}
		parts = append(parts, p.colLabel())
	}
	if len(parts) > 4 {
		p.failMsg(t, "improper qualified name (too many dotted names): %s", strings.Join(parts, "."))
	}
	n := p.peek()
	if n.isPunct("(") {
		return p.funcCall(parts, pos)
	}
	if n.kind == tString && len(parts) <= 2 {
		p.i++
		typ := tree.TypeName{Name: canonicalType(parts[len(parts)-1], t.kind == tQIdent), Pos: pos}
		if len(parts) == 2 {
			typ.Schema = parts[0]
		}
		return &tree.CastExpr{Operand: &tree.StringLit{Val: n.val, Pos: p.pos(n.off)}, Type: typ, Pos: pos}
	}
	return &tree.ColumnRef{Parts: parts, Pos: pos}
}

func (p *parser) colLabelOrIdent() string {
	t := p.peek()
	if t.kind == tIdent && reserved[t.val] {
		p.fail()
	}
	return p.colLabel()
}

func (p *parser) funcCall(parts []string, pos tree.Pos) tree.Expr {
	fc := &tree.FuncCall{Name: parts[len(parts)-1], Pos: pos}
	if len(parts) > 1 {
		fc.Schema = parts[len(parts)-2]
	}
	if len(parts) > 3 {
		p.fail()
	}
	p.expectPunct("(")
	switch {
	case p.peek().isOp("*"):
		p.i++
		fc.Star = true
	case p.peek().isPunct(")"):
	default:
		if p.kw("distinct") {
			fc.Distinct = true
		} else {
			p.kw("all")
		}
		for {
			if p.kw("variadic") {
				fc.Variadic = true
			}
			name := ""
			if (p.peek().kind == tIdent || p.peek().kind == tQIdent) && (p.peekN(1).isOp("=>") || p.peekN(1).isOp(":=")) {
				nt := p.advance()
				name = nt.val
				p.i++
				for _, prev := range fc.ArgNames {
					if prev == name {
						p.failMsg(nt, "argument name \"%s\" used more than once", name)
					}
				}
			} else if len(fc.ArgNames) > 0 {
				p.failMsg(p.peek(), "positional argument cannot follow named argument")
			}
			if name != "" && fc.ArgNames == nil {
				fc.ArgNames = make([]string, len(fc.Args), len(fc.Args)+1)
			}
			if fc.ArgNames != nil {
				fc.ArgNames = append(fc.ArgNames, name)
			}
			fc.Args = append(fc.Args, p.expr())
			if !p.punct(",") {
				break
			}
		}
		if p.kw("order") {
			p.expectKw("by")
			fc.OrderBy = p.orderItems()
		}
	}
	p.expectPunct(")")
	if p.peek().is("within") && p.peekN(1).is("group") {
		p.i += 2
		p.expectPunct("(")
		p.expectKw("order")
		p.expectKw("by")
		fc.WithinGroup = p.orderItems()
		p.expectPunct(")")
	}
	if p.peek().is("filter") && p.peekN(1).isPunct("(") {
		p.i += 2
		p.expectKw("where")
		fc.Filter = p.expr()
		p.expectPunct(")")
	}
	if p.kw("over") {
		if p.peek().isPunct("(") {
			fc.Over = p.windowSpec()
		} else {
			fc.Over = &tree.Window{Pos: p.pos(p.peek().off)}
			fc.Over.Name = p.ident()
		}
	}
	return fc
}

func (p *parser) windowSpec() *tree.Window {
	w := &tree.Window{Pos: p.pos(p.peek().off), Parens: true}
	p.expectPunct("(")
	if p.isIdentTok() && !p.peek().is("partition") && !p.peek().is("rows") && !p.peek().is("range") && !p.peek().is("groups") {
		w.Name = p.ident()
	}
	if p.kw("partition") {
		p.expectKw("by")
		w.PartitionBy = p.exprList()
	}
	if p.kw("order") {
		p.expectKw("by")
		w.OrderBy = p.orderItems()
	}
	if t := p.peek(); t.is("rows") || t.is("range") || t.is("groups") {
		start := t.off
		depth := 0
		for {
			c := p.peek()
			if c.kind == tEOF {
				p.fail()
			}
			if c.isPunct("(") {
				depth++
			}
			if c.isPunct(")") {
				if depth == 0 {
					break
				}
				depth--
			}
			p.i++
		}
		w.Frame = p.src[start:p.prevEnd()]
		w.FramePos = p.pos(start)
	}
	p.expectPunct(")")
	return w
}

func (p *parser) orderItems() []tree.OrderItem {
	var items []tree.OrderItem
	for {
		it := tree.OrderItem{Expr: p.expr()}
		switch {
		case p.kw("desc"):
			it.Desc = true
		case p.kw("asc"):
		case p.kw("using"):
			op, _, _ := p.readOp()
			it.Using = op
			it.Desc = op == ">" || op == ">="
		}
		if p.peek().is("nulls") {
			switch n := p.peekN(1); {
			case n.is("first"), n.is("last"):
				p.i += 2
				it.Nulls = n.val
			default:
				p.fail() // PostgreSQL reports the NULLS itself
			}
		}
		items = append(items, it)
		if !p.punct(",") {
			return items
		}
	}
}
