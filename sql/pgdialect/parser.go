package pgdialect

import (
	"strings"
	"unicode/utf8"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

// parser is a recursive-descent parser over one statement's tokens. Errors
// are returned by panicking with a *pgerror.Error that parseStmt recovers;
// this keeps the grammar code readable and is never visible to callers.
type parser struct {
	src      string // the whole query string; offsets refer to it
	ascii    bool
	toks     []token
	i        int
	maxParam int
	depth    int
	// intoAllowed is set while the statement's own top-level query is
	// parsed: only there may SELECT ... INTO appear; into is its target.
	intoAllowed bool
	into        *tree.CreateTable
	// topDepth is the depth of the statement's first SELECT clause (0
	// before it): INTO belongs there, not in a later set operand.
	topDepth int
	// pending is a completed left operand (x IS NULL, x = ANY(a)) that the
	// next primary() returns, so a following operator can take it
	pending tree.Expr
	// rune count of src[:lastOff], for pos
	lastOff, lastRunes int
}

// syntaxPanic carries a user-facing error through the recursive descent.
type syntaxPanic struct{ err *pgerror.Error }

const maxDepth = 1000

func newParser(src string, toks []token) *parser {
	ascii := true
	for i := 0; i < len(src); i++ {
		if src[i] >= 0x80 {
			ascii = false
			break
		}
	}
	return &parser{src: src, ascii: ascii, toks: toks}
}

func (p *parser) pos(off int) tree.Pos {
	if p.ascii {
		return tree.Pos(off + 1)
	}
	// positions are mostly requested left to right: count runes from the
	// last answer instead of from the start (linear, not quadratic, on a
	// large non-ASCII INSERT)
	if off < p.lastOff || off > len(p.src) {
		p.lastOff, p.lastRunes = 0, 0
	}
	if off > len(p.src) {
		off = len(p.src)
	}
	p.lastRunes += utf8.RuneCountInString(p.src[p.lastOff:off])
	p.lastOff = off
	return tree.Pos(p.lastRunes + 1)
}

func (p *parser) peek() token { return p.toks[p.i] }

// tokensHave reports whether the punctuation punct is among the tokens
// from index from up to the current one.
func (p *parser) tokensHave(from int, punct string) bool {
	for _, t := range p.toks[from:p.i] {
		if t.isPunct(punct) {
			return true
		}
	}
	return false
}

func (p *parser) peekN(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// fail raises a syntax error at the given token, worded as PostgreSQL does.
func (p *parser) failAt(t token) {
	var e *pgerror.Error
	// a statement's end token is its ';' (then reported as such) or the
	// end of the text
	if t.kind == tEOF && t.off == t.end {
		e = pgerror.New(pgerror.CodeSyntaxError, "syntax error at end of input")
	} else {
		e = pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near \"%s\"", p.src[t.off:t.end])
	}
	panic(syntaxPanic{e.WithPosition(int(p.pos(t.off)))})
}

func (p *parser) fail() { p.failAt(p.peek()) }

// failMsg raises a 42601 with a custom message at token t.
func (p *parser) failMsg(t token, format string, args ...any) {
	e := pgerror.New(pgerror.CodeSyntaxError, format, args...).WithPosition(int(p.pos(t.off)))
	panic(syntaxPanic{e})
}

func (p *parser) unsupported(what string) {
	e := pgerror.New(pgerror.CodeFeatureNotSupported, "%s is not supported", what)
	panic(syntaxPanic{e.WithPosition(int(p.pos(p.peek().off)))})
}

// kw reports whether the next token is the keyword kw and consumes it.
func (p *parser) kw(kw string) bool {
	if p.peek().is(kw) {
		p.i++
		return true
	}
	return false
}

// kws consumes a sequence of keywords only if all match.
func (p *parser) kws(kws ...string) bool {
	for j, k := range kws {
		if !p.peekN(j).is(k) {
			return false
		}
	}
	p.i += len(kws)
	return true
}

func (p *parser) expectKw(kw string) token {
	t := p.peek()
	if !t.is(kw) {
		p.fail()
	}
	p.i++
	return t
}

func (p *parser) punct(s string) bool {
	if p.peek().isPunct(s) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectPunct(s string) token {
	t := p.peek()
	if !t.isPunct(s) {
		p.fail()
	}
	p.i++
	return t
}

func (p *parser) op(s string) bool {
	if p.peek().isOp(s) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectOp(s string) {
	if !p.op(s) {
		p.fail()
	}
}

// reserved are PostgreSQL's reserved keywords: never a bare column name,
// table name or alias.
var reserved = toSet(`all analyse analyze and any array as asc asymmetric both case cast check collate column
constraint create current_catalog current_date current_role current_time current_timestamp current_user
default deferrable desc distinct do else end except false fetch for foreign from grant group having in
initially intersect into lateral leading limit localtime localtimestamp not null offset on only or order
placing primary references returning select session_user some symmetric table then to trailing true union
unique user using variadic when where window with`)

// noBareLabel are keywords that may not be used as an alias without AS
// (reserved words plus the clause and join keywords that follow a table).
var noBareLabel = toSet(`inner join left right full cross natural outer is isnull notnull like ilike similar
between over filter within escape at collate overlaps`)

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// ident reads an identifier (unquoted non-reserved word or quoted).
func (p *parser) ident() string {
	t := p.peek()
	switch t.kind {
	case tQIdent:
		p.i++
		return t.val
	case tIdent:
		if reserved[t.val] {
			p.fail()
		}
		p.i++
		return t.val
	}
	p.fail()
	return ""
}

// colLabel reads an identifier allowing reserved words (after a '.', in
// option lists and similar places PostgreSQL's ColLabel accepts).
func (p *parser) colLabel() string {
	t := p.peek()
	if t.kind == tIdent || t.kind == tQIdent {
		p.i++
		return t.val
	}
	p.fail()
	return ""
}

func (p *parser) isIdentTok() bool {
	t := p.peek()
	return t.kind == tQIdent || (t.kind == tIdent && !reserved[t.val])
}

// objectName reads name[.name[.name]].
func (p *parser) objectName() tree.ObjectName {
	t := p.peek()
	parts := []string{p.ident()}
	for p.peek().isPunct(".") {
		p.i++
		parts = append(parts, p.colLabel())
	}
	n := tree.ObjectName{Pos: p.pos(t.off), End: p.pos(p.prevEnd())}
	switch len(parts) {
	case 1:
		n.Name = parts[0]
	case 2:
		n.Schema, n.Name = parts[0], parts[1]
	case 3:
		n.Catalog, n.Schema, n.Name = parts[0], parts[1], parts[2]
	default:
		p.failMsg(t, "improper qualified name (too many dotted names): %s", strings.Join(parts, "."))
	}
	return n
}

func (p *parser) objectNames() []tree.ObjectName {
	names := []tree.ObjectName{p.objectName()}
	for p.punct(",") {
		names = append(names, p.objectName())
	}
	return names
}

func (p *parser) identList() []string {
	l := []string{p.ident()}
	for p.punct(",") {
		l = append(l, p.ident())
	}
	return l
}

// parenIdentList reads ( a, b, c ).
func (p *parser) parenIdentList() []string {
	p.expectPunct("(")
	l := p.identList()
	p.expectPunct(")")
	return l
}

// prevEnd is the end offset of the last consumed token.
func (p *parser) prevEnd() int {
	if p.i == 0 {
		return p.toks[0].off
	}
	return p.toks[p.i-1].end
}

// run parses with fn and converts the internal panic into an error.
func (p *parser) run(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			sp, ok := r.(syntaxPanic)
			if !ok {
				err = pgerror.New(pgerror.CodeInternal, "parser failure: %v", r)
				return
			}
			err = sp.err
		}
	}()
	fn()
	return nil
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		e := pgerror.New(pgerror.CodeProgramLimitExceeded, "stack depth limit exceeded").
			WithHint("The statement nests expressions or queries too deeply.")
		panic(syntaxPanic{e.WithPosition(int(p.pos(p.peek().off)))})
	}
}

func (p *parser) leave() { p.depth-- }
