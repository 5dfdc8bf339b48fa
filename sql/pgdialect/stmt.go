package pgdialect

import (
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/sql/tree"
)

// stmt parses one statement and requires the input to end after it.
func (p *parser) stmt() tree.Statement {
	s := p.stmtNoEnd()
	if p.peek().kind != tEOF {
		p.fail()
	}
	return s
}

func (p *parser) stmtNoEnd() tree.Statement {
	t := p.peek()
	switch {
	case t.kind == tEOF:
		return &tree.Empty{}
	case t.isPunct("("):
		return p.topSelect()
	case t.kind != tIdent:
		p.fail()
	}
	switch t.val {
	case "select", "values", "table":
		return p.topSelect()
	case "with":
		return p.withStmt()
	case "insert":
		return p.insertStmt(nil)
	case "update":
		return p.updateStmt(nil)
	case "delete":
		return p.deleteStmt(nil)
	case "create":
		return p.createStmt()
	case "drop":
		return p.dropStmt()
	case "alter":
		return p.alterStmt()
	case "set":
		return p.setStmt()
	case "show":
		return p.showStmt()
	case "reset":
		return p.resetStmt()
	case "begin":
		p.i++
		if !p.kw("work") {
			p.kw("transaction")
		}
		return &tree.Begin{Modes: p.txnModes()}
	case "start":
		p.i++
		p.expectKw("transaction")
		return &tree.Begin{Modes: p.txnModes()}
	case "commit", "end":
		p.i++
		if t.val == "commit" && p.peek().is("prepared") {
			return p.skipUnsupported("COMMIT PREPARED")
		}
		if !p.kw("work") {
			p.kw("transaction")
		}
		return &tree.Commit{Chain: p.chain()}
	case "rollback", "abort":
		p.i++
		if t.val == "rollback" && p.peek().is("prepared") {
			return p.skipUnsupported("ROLLBACK PREPARED")
		}
		if !p.kw("work") {
			p.kw("transaction")
		}
		if t.val == "rollback" && p.kw("to") {
			p.kw("savepoint")
			return &tree.Rollback{Savepoint: p.ident()}
		}
		return &tree.Rollback{Chain: p.chain()}
	case "savepoint":
		p.i++
		return &tree.Savepoint{Name: p.ident()}
	case "release":
		p.i++
		p.kw("savepoint")
		return &tree.ReleaseSavepoint{Name: p.ident()}
	case "explain":
		return p.explainStmt()
	case "copy":
		return p.copyStmt()
	case "prepare":
		p.i++
		if p.peek().is("transaction") {
			return p.skipUnsupported("PREPARE TRANSACTION")
		}
		pr := &tree.Prepare{Name: p.ident()}
		if p.punct("(") {
			for {
				pr.Types = append(pr.Types, p.typeName())
				if !p.punct(",") {
					break
				}
			}
			p.expectPunct(")")
		}
		p.expectKw("as")
		start := p.peek().off
		if p.peek().kind == tEOF {
			p.fail()
		}
		pr.Stmt = p.stmtNoEnd()
		pr.Text = p.src[start:p.prevEnd()]
		return pr
	case "execute":
		p.i++
		ex := &tree.Execute{Name: p.ident()}
		if p.punct("(") {
			ex.Params = p.exprList()
			p.expectPunct(")")
		}
		return ex
	case "deallocate":
		p.i++
		p.kw("prepare")
		if p.kw("all") {
			return &tree.Deallocate{All: true}
		}
		return &tree.Deallocate{Name: p.ident()}
	case "discard":
		p.i++
		w := p.advance()
		switch w.val {
		case "all", "plans", "sequences", "temp":
		case "temporary":
			w.val = "temp"
		default:
			p.failAt(w)
		}
		return &tree.Discard{What: w.val}
	case "listen":
		p.i++
		return &tree.Listen{Channel: p.ident()}
	case "unlisten":
		p.i++
		if p.op("*") {
			return &tree.Unlisten{Channel: "*"}
		}
		return &tree.Unlisten{Channel: p.ident()}
	case "notify":
		p.i++
		n := &tree.Notify{Channel: p.ident()}
		if p.punct(",") {
			s := p.advance()
			if s.kind != tString {
				p.failAt(s)
			}
			n.Payload = s.val
		}
		return n
	case "truncate":
		p.i++
		p.kw("table")
		p.kw("only")
		tr := &tree.Truncate{Names: p.objectNames()}
		for {
			switch {
			case p.kws("restart", "identity"):
				tr.RestartIdentity = true
			case p.kws("continue", "identity"):
			case p.kw("cascade"):
				tr.Cascade = true
			case p.kw("restrict"):
			default:
				return tr
			}
		}
	case "vacuum", "analyze", "analyse":
		return p.vacuumStmt()
	case "comment":
		return p.commentStmt()
	case "grant", "revoke":
		start := t.off
		for p.peek().kind != tEOF {
			p.i++
		}
		return &tree.Grant{Revoke: t.val == "revoke", Text: p.src[start:p.prevEnd()]}
	case "reindex":
		p.i++
		k := p.advance()
		if !(k.is("index") || k.is("table")) {
			return p.skipUnsupported("REINDEX " + strings.ToUpper(k.val))
		}
		p.kw("concurrently")
		return &tree.Reindex{Kind: k.val, Name: p.objectName()}
	case "do":
		return p.skipUnsupported("DO")
	case "merge":
		return p.skipUnsupported("MERGE")
	case "declare":
		return p.declareCursor()
	case "fetch", "move":
		return p.fetchCursor()
	case "close":
		p.i++
		if p.kw("all") {
			return &tree.CloseCursor{All: true}
		}
		return &tree.CloseCursor{Name: p.ident()}
	case "lock":
		return p.lockStmt()
	case "refresh":
		p.i++
		p.expectKw("materialized")
		p.expectKw("view")
		r := &tree.RefreshMatview{Concurrently: p.kw("concurrently"), Name: p.objectName()}
		r.WithNoData = p.withData()
		return r
	case "checkpoint", "load", "cluster", "call", "reassign", "security", "import":
		return p.skipUnsupported(strings.ToUpper(t.val))
	}
	p.fail()
	return nil
}

// lockStmt parses LOCK [TABLE] [ONLY] name [*] [, ...] [IN mode MODE]
// [NOWAIT].
func (p *parser) lockStmt() tree.Statement {
	p.expectKw("lock")
	p.kw("table")
	l := &tree.Lock{Mode: "access exclusive"}
	for {
		p.kw("only")
		l.Names = append(l.Names, p.objectName())
		p.op("*")
		if !p.punct(",") {
			break
		}
	}
	if p.kw("in") {
		var words []string
		for !p.kw("mode") {
			w := p.advance()
			switch {
			case w.is("access") || w.is("row") || w.is("share") || w.is("update") || w.is("exclusive"):
				words = append(words, w.val)
			default:
				p.failAt(w)
			}
		}
		l.Mode = strings.Join(words, " ")
		switch l.Mode {
		case "access share", "row share", "row exclusive", "share update exclusive", "share", "share row exclusive",
			"exclusive", "access exclusive":
		default:
			p.fail()
		}
	}
	l.NoWait = p.kw("nowait")
	return l
}

// skipUnsupported consumes the rest of the statement and returns an
// Unsupported node naming it.
func (p *parser) skipUnsupported(what string) tree.Statement {
	for p.peek().kind != tEOF {
		p.i++
	}
	return &tree.Unsupported{What: what}
}

func (p *parser) withStmt() tree.Statement {
	save := p.i
	w := p.withClause()
	switch t := p.peek(); {
	case t.is("insert"):
		return p.insertStmt(w)
	case t.is("update"):
		return p.updateStmt(w)
	case t.is("delete"):
		return p.deleteStmt(w)
	}
	p.i = save
	return p.topSelect()
}

// topSelect parses a statement that is a query, which may be SELECT ...
// INTO: then it is CREATE TABLE AS.
func (p *parser) topSelect() tree.Statement {
	p.intoAllowed = true
	s := p.selectStmt()
	p.intoAllowed = false
	if ct := p.into; ct != nil {
		p.into = nil
		ct.AsSelect = s
		return ct
	}
	return s
}

func (p *parser) chain() bool {
	if p.kw("and") {
		no := p.kw("no")
		p.expectKw("chain")
		return !no
	}
	return false
}

// txnModes reads transaction modes as lower-case word groups.
func (p *parser) txnModes() []string {
	var modes []string
	for {
		switch {
		case p.kws("isolation", "level"):
			switch {
			case p.kw("serializable"):
				modes = append(modes, "isolation level serializable")
			case p.kws("repeatable", "read"):
				modes = append(modes, "isolation level repeatable read")
			case p.kws("read", "committed"):
				modes = append(modes, "isolation level read committed")
			case p.kws("read", "uncommitted"):
				modes = append(modes, "isolation level read uncommitted")
			default:
				p.fail()
			}
		case p.kws("read", "only"):
			modes = append(modes, "read only")
		case p.kws("read", "write"):
			modes = append(modes, "read write")
		case p.kws("not", "deferrable"):
			modes = append(modes, "not deferrable")
		case p.kw("deferrable"):
			modes = append(modes, "deferrable")
		default:
			return modes
		}
		p.punct(",")
	}
}

// ---- SET / SHOW / RESET ----

// varName reads a possibly dotted configuration parameter name.
func (p *parser) varName() string {
	name := p.colLabel()
	for p.punct(".") {
		name += "." + p.colLabel()
	}
	return name
}

func (p *parser) setStmt() tree.Statement {
	p.expectKw("set")
	local := false
	if p.kw("local") {
		local = true
	} else {
		p.kw("session")
	}
	switch {
	case p.peek().is("transaction"):
		p.i++
		if p.peek().is("snapshot") {
			// Imported snapshots (pg_dump -j, --snapshot) need a
			// transaction to read another's snapshot, which Quiver's
			// sessions cannot yet.
			return p.skipUnsupported("SET TRANSACTION SNAPSHOT")
		}
		return &tree.SetTransaction{Modes: p.txnModes()}
	case p.kws("characteristics", "as", "transaction"):
		return &tree.SetTransaction{Modes: p.txnModes(), Session: true}
	case p.kws("time", "zone"):
		s := &tree.Set{Name: "timezone", Local: local}
		switch {
		case p.kw("local"), p.kw("default"):
			s.Default = true
		case p.peek().is("interval"):
			e := p.expr()
			c, ok := e.(*tree.CastExpr)
			lit, ok2 := (*tree.StringLit)(nil), false
			if ok {
				lit, ok2 = c.Operand.(*tree.StringLit)
			}
			if !ok2 {
				p.unsupported("SET TIME ZONE INTERVAL with this form")
			}
			s.Values = []string{lit.Val}
		default:
			s.Values = []string{p.setValue()}
		}
		return s
	case p.peek().is("schema") && p.peekN(1).kind == tString:
		p.i++
		return &tree.Set{Name: "search_path", Values: []string{p.advance().val}, Local: local}
	case p.peek().is("names"):
		p.i++
		s := &tree.Set{Name: "client_encoding", Local: local}
		if p.kw("default") {
			s.Default = true
		} else {
			s.Values = []string{p.setValue()}
		}
		return s
	case p.peek().is("role"):
		p.i++
		return &tree.Set{Name: "role", Values: []string{p.setValue()}, Local: local}
	case p.kws("session", "authorization"):
		s := &tree.Set{Name: "session_authorization", Local: local}
		if p.kw("default") {
			s.Default = true
		} else {
			s.Values = []string{p.setValue()}
		}
		return s
	case p.kw("constraints"):
		sc := &tree.SetConstraints{}
		if p.kw("all") {
			sc.All = true
		} else {
			sc.Names = p.objectNames()
		}
		if !p.kw("immediate") {
			p.expectKw("deferred")
			sc.Deferred = true
		}
		return sc
	}
	s := &tree.Set{Name: p.varName(), Local: local}
	if !p.kw("to") {
		p.expectOp("=")
	}
	if p.kw("default") {
		s.Default = true
		return s
	}
	for {
		s.Values = append(s.Values, p.setValue())
		if !p.punct(",") {
			return s
		}
	}
}

// setValue reads one SET value: a string (unquoted), a signed number, or a
// word (identifier or keyword, folded).
func (p *parser) setValue() string {
	t := p.advance()
	switch t.kind {
	case tString:
		return t.val
	case tNumber:
		return t.val
	case tIdent, tQIdent:
		v := t.val
		for p.peek().isPunct(".") && (p.peekN(1).kind == tIdent || p.peekN(1).kind == tQIdent) {
			p.i++
			v += "." + p.advance().val
		}
		return v
	case tOp:
		if (t.val == "-" || t.val == "+") && p.peek().kind == tNumber {
			n := p.advance()
			if t.val == "-" {
				return "-" + n.val
			}
			return n.val
		}
	}
	p.failAt(t)
	return ""
}

func (p *parser) showStmt() tree.Statement {
	p.expectKw("show")
	switch {
	case p.kws("time", "zone"):
		return &tree.Show{Name: "timezone"}
	case p.kws("transaction", "isolation", "level"):
		return &tree.Show{Name: "transaction_isolation"}
	case p.kws("session", "authorization"):
		return &tree.Show{Name: "session_authorization"}
	case p.kw("all"):
		return &tree.Show{Name: "all"}
	}
	return &tree.Show{Name: p.varName()}
}

func (p *parser) resetStmt() tree.Statement {
	p.expectKw("reset")
	switch {
	case p.kw("all"):
		return &tree.Reset{All: true}
	case p.kws("time", "zone"):
		return &tree.Reset{Name: "timezone"}
	case p.kws("session", "authorization"):
		return &tree.Reset{Name: "session_authorization"}
	case p.kws("transaction", "isolation", "level"):
		return &tree.Reset{Name: "transaction_isolation"}
	}
	return &tree.Reset{Name: p.varName()}
}

// ---- EXPLAIN / COPY / VACUUM / COMMENT ----

func (p *parser) explainStmt() tree.Statement {
	p.expectKw("explain")
	ex := &tree.Explain{}
	if p.peek().isPunct("(") {
		p.i++
		for {
			name := p.colLabel()
			sp := tree.StorageParam{Name: name}
			if v := p.peek(); !v.isPunct(",") && !v.isPunct(")") {
				sp.Value = p.optionValue()
			}
			on := sp.Value == "" || isTrueWord(sp.Value)
			switch name {
			case "analyze", "analyse":
				ex.Analyze = on
			case "verbose":
				ex.Verbose = on
			case "costs":
				c := on
				ex.Costs = &c
			case "format":
				ex.Format = strings.ToLower(sp.Value)
			}
			ex.Options = append(ex.Options, sp)
			if !p.punct(",") {
				break
			}
		}
		p.expectPunct(")")
	} else {
		if p.kw("analyze") || p.kw("analyse") {
			ex.Analyze = true
		}
		if p.kw("verbose") {
			ex.Verbose = true
		}
	}
	if p.peek().kind == tEOF {
		p.fail()
	}
	ex.Stmt = p.stmtNoEnd()
	return ex
}

func isTrueWord(s string) bool {
	switch strings.ToLower(s) {
	case "true", "on", "1", "yes":
		return true
	}
	return false
}

// optionValue reads an option's value as text: a string, number, word or
// a parenthesised column list (kept as written).
func (p *parser) optionValue() string {
	t := p.peek()
	switch {
	case t.kind == tString || t.kind == tNumber || t.kind == tIdent || t.kind == tQIdent:
		p.i++
		return t.val
	case t.isOp("*"):
		p.i++
		return "*"
	case t.isOp("-") || t.isOp("+"):
		p.i++
		n := p.advance()
		if n.kind != tNumber {
			p.failAt(n)
		}
		if t.val == "-" {
			return "-" + n.val
		}
		return n.val
	case t.isPunct("("):
		p.i++
		cols := p.identList()
		p.expectPunct(")")
		return strings.Join(cols, ",")
	}
	p.fail()
	return ""
}

func (p *parser) copyStmt() tree.Statement {
	p.expectKw("copy")
	c := &tree.Copy{}
	if p.peek().isPunct("(") {
		p.i++
		switch t := p.peek(); {
		case t.is("insert"):
			c.Query = p.insertStmt(nil)
		case t.is("update"):
			c.Query = p.updateStmt(nil)
		case t.is("delete"):
			c.Query = p.deleteStmt(nil)
		default:
			c.Query = p.selectStmt()
		}
		p.expectPunct(")")
	} else {
		p.kw("binary")
		c.Table = p.objectName()
		if p.peek().isPunct("(") {
			c.Columns = p.parenIdentList()
		}
	}
	switch {
	case p.kw("from"):
		c.From = true
	case p.kw("to"):
	default:
		p.fail()
	}
	switch t := p.advance(); {
	case t.is("stdin") || t.is("stdout"):
		c.Target = t.val
	case t.kind == tString:
		c.Target = t.val
	case t.is("program"):
		p.unsupported("COPY PROGRAM")
	default:
		p.failAt(t)
	}
	p.kw("with")
	if p.peek().isPunct("(") {
		p.i++
		for {
			name := p.colLabel()
			if name == "force_quote" || name == "force_not_null" || name == "force_null" {
				if p.op("*") {
					c.Options = append(c.Options, tree.StorageParam{Name: name, Value: "*"})
				} else {
					c.Options = append(c.Options, tree.StorageParam{Name: name, Value: p.optionValue()})
				}
			} else {
				sp := tree.StorageParam{Name: name}
				if v := p.peek(); !v.isPunct(",") && !v.isPunct(")") {
					sp.Value = p.optionValue()
				}
				c.Options = append(c.Options, sp)
			}
			if !p.punct(",") {
				break
			}
		}
		p.expectPunct(")")
	} else {
		// pre-9.0 option syntax still sent by some clients
		for {
			t := p.peek()
			switch {
			case t.is("binary"):
				p.i++
				c.Options = append(c.Options, tree.StorageParam{Name: "format", Value: "binary"})
			case t.is("csv"):
				p.i++
				c.Options = append(c.Options, tree.StorageParam{Name: "format", Value: "csv"})
			case t.is("header"):
				p.i++
				c.Options = append(c.Options, tree.StorageParam{Name: "header", Value: "true"})
			case t.is("delimiter") || t.is("null") || t.is("quote") || t.is("escape"):
				p.i++
				p.kw("as")
				s := p.advance()
				if s.kind != tString {
					p.failAt(s)
				}
				c.Options = append(c.Options, tree.StorageParam{Name: t.val, Value: s.val})
			case t.is("force"):
				p.i++
				name := "force_quote"
				if p.kws("not", "null") {
					name = "force_not_null"
				} else {
					p.expectKw("quote")
				}
				if p.op("*") {
					c.Options = append(c.Options, tree.StorageParam{Name: name, Value: "*"})
				} else {
					c.Options = append(c.Options, tree.StorageParam{Name: name, Value: strings.Join(p.identList(), ",")})
				}
			default:
				if p.kw("where") {
					p.unsupported("COPY ... WHERE")
				}
				return c
			}
		}
	}
	if p.kw("where") {
		p.unsupported("COPY ... WHERE")
	}
	return c
}

func (p *parser) vacuumStmt() tree.Statement {
	t := p.advance()
	v := &tree.Vacuum{Analyze: t.val != "vacuum"}
	if p.peek().isPunct("(") {
		p.i++
		for {
			name := p.colLabel()
			if name == "analyze" || name == "analyse" {
				v.Analyze = true
			}
			if n := p.peek(); !n.isPunct(",") && !n.isPunct(")") {
				p.optionValue()
			}
			if !p.punct(",") {
				break
			}
		}
		p.expectPunct(")")
	}
	for {
		switch {
		case p.kw("full"), p.kw("freeze"), p.kw("verbose"):
		case p.kw("analyze"), p.kw("analyse"):
			v.Analyze = true
		default:
			goto tables
		}
	}
tables:
	if p.peek().kind == tEOF {
		return v
	}
	for {
		v.Tables = append(v.Tables, p.objectName())
		if p.peek().isPunct("(") {
			p.parenIdentList()
		}
		if !p.punct(",") {
			return v
		}
	}
}

func (p *parser) commentStmt() tree.Statement {
	p.expectKw("comment")
	p.expectKw("on")
	c := &tree.CommentOn{}
	k := p.advance()
	switch {
	case k.is("table") || k.is("index") || k.is("schema") || k.is("view") || k.is("sequence") ||
		k.is("extension") || k.is("database") || k.is("type") || k.is("role"):
		c.Kind = k.val
		c.Name = p.objectName()
	case k.is("column"):
		c.Kind = "column"
		n := p.objectName()
		if n.Schema == "" {
			p.failAt(k)
		}
		c.Column = n.Name
		c.Name = tree.ObjectName{Catalog: "", Schema: n.Catalog, Name: n.Schema, Pos: n.Pos}
	case k.is("materialized"):
		p.expectKw("view")
		c.Kind = "materialized view"
		c.Name = p.objectName()
	case k.kind == tIdent:
		return p.skipUnsupported("COMMENT ON " + strings.ToUpper(k.val))
	default:
		p.failAt(k)
	}
	p.expectKw("is")
	if p.kw("null") {
		return c
	}
	s := p.advance()
	if s.kind != tString {
		p.failAt(s)
	}
	v := s.val
	c.Comment = &v
	return c
}

// declareCursor parses DECLARE ... CURSOR ... FOR query.
func (p *parser) declareCursor() tree.Statement {
	p.i++
	dc := &tree.DeclareCursor{Name: p.ident()}
	for {
		switch {
		case p.kw("binary"):
			dc.Binary = true
			continue
		case p.kw("insensitive"), p.kw("asensitive"):
			continue
		case p.kws("no", "scroll"):
			continue
		case p.kw("scroll"):
			return p.skipUnsupported("DECLARE SCROLL CURSOR")
		}
		break
	}
	p.expectKw("cursor")
	switch {
	case p.kws("with", "hold"):
		dc.Hold = true
	case p.kws("without", "hold"):
	}
	p.expectKw("for")
	dc.Query = p.selectStmt()
	return dc
}

// fetchCursor parses FETCH/MOVE with the forward directions.
func (p *parser) fetchCursor() tree.Statement {
	move := p.advance().is("move")
	fc := &tree.FetchCursor{Count: 1, Move: move}
	count := func() bool {
		t := p.peek()
		if t.kind != tNumber {
			return false
		}
		n, err := strconv.ParseInt(t.val, 10, 64)
		if err != nil || n < 0 {
			return false
		}
		p.i++
		fc.Count = n
		return true
	}
	switch {
	case p.kw("next"):
	case p.kw("all"):
		fc.Count = -1
	case p.kw("forward"):
		if p.kw("all") {
			fc.Count = -1
		} else {
			count()
		}
	case p.kw("prior"), p.kw("first"), p.kw("last"), p.kw("absolute"), p.kw("relative"), p.kw("backward"):
		return p.skipUnsupported("FETCH in directions other than forward")
	default:
		count()
	}
	if !p.kw("from") {
		p.kw("in")
	}
	fc.Name = p.ident()
	return fc
}
