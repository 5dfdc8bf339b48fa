package pgdialect

import (
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

// unsupportedCreate are CREATE forms Quiver recognises but does not run.
var unsupportedCreate = toSet(`function procedure trigger rule aggregate operator cast domain policy publication
subscription server foreign event language collation tablespace statistics transform access conversion text routine
materialized group constraint`)

func (p *parser) createStmt() tree.Statement {
	p.expectKw("create")
	replace := p.kws("or", "replace")
	temp := false
	for {
		if p.kw("temp") || p.kw("temporary") {
			temp = true
			continue
		}
		if p.kw("unlogged") || p.kw("global") || p.kw("local") {
			continue
		}
		break
	}
	t := p.peek()
	switch {
	case t.is("table"):
		return p.createTable(temp)
	case t.is("unique") || t.is("index"):
		return p.createIndex()
	case t.is("schema"):
		p.i++
		cs := &tree.CreateSchema{IfNotExists: p.kws("if", "not", "exists")}
		if p.kw("authorization") {
			cs.Name = p.ident()
			return cs
		}
		cs.Name = p.ident()
		if p.kw("authorization") {
			p.ident()
		}
		return cs
	case t.is("database"):
		p.i++
		cd := &tree.CreateDatabase{Name: p.ident()}
		p.kw("with")
		for p.peek().kind != tEOF {
			// options (OWNER, ENCODING, TEMPLATE, ...) do not change a
			// Quiver database
			p.colLabel()
			p.op("=")
			if p.peek().kind != tEOF {
				p.optionValue()
			}
		}
		return cd
	case t.is("extension"):
		p.i++
		ce := &tree.CreateExtension{IfNotExists: p.kws("if", "not", "exists"), Name: p.ident()}
		p.kw("with")
		for {
			switch {
			case p.kw("schema"):
				ce.Schema = p.ident()
			case p.kw("version"):
				ce.Version = p.optionValue()
			case p.kw("cascade"):
			default:
				return ce
			}
		}
	case t.is("sequence"):
		p.i++
		cs := &tree.CreateSequence{Temporary: temp, IfNotExists: p.kws("if", "not", "exists"), Name: p.objectName()}
		cs.Options = p.seqOptions()
		return cs
	case t.is("view") || (t.is("recursive") && p.peekN(1).is("view")):
		if t.is("recursive") {
			return p.skipUnsupported("CREATE RECURSIVE VIEW")
		}
		p.i++
		cv := &tree.CreateView{Replace: replace, Temporary: temp, Name: p.objectName()}
		if p.peek().isPunct("(") {
			cv.Columns = p.parenIdentList()
		}
		if p.peek().is("with") {
			// security_barrier, security_invoker, check_option: Quiver
			// neither writes through views nor has row security.
			return p.skipUnsupported("CREATE VIEW ... WITH (options)")
		}
		p.expectKw("as")
		start := p.peek().off
		cv.QueryPos = p.pos(start)
		cv.Query = p.selectStmt()
		cv.QueryText = p.src[start:p.prevEnd()]
		if p.peek().is("with") {
			// A check option restricts writes through the view, which
			// Quiver does not do.
			return p.skipUnsupported("CREATE VIEW ... WITH CHECK OPTION")
		}
		return cv
	case t.is("type"):
		p.i++
		name := p.objectName()
		if p.kws("as", "enum") {
			ct := &tree.CreateType{Name: name}
			p.expectPunct("(")
			if !p.peek().isPunct(")") {
				for {
					s := p.advance()
					if s.kind != tString {
						p.failAt(s)
					}
					ct.Labels = append(ct.Labels, s.val)
					if !p.punct(",") {
						break
					}
				}
			}
			p.expectPunct(")")
			return ct
		}
		return p.skipUnsupported("CREATE TYPE")
	case t.is("role") || t.is("user"):
		p.i++
		if t.is("user") && p.peek().is("mapping") {
			return p.skipUnsupported("CREATE USER MAPPING")
		}
		cr := &tree.CreateRole{IsUser: t.is("user"), Name: p.ident()}
		cr.Options = p.roleOptions()
		return cr
	case t.is("default") || t.is("trusted") || t.is("procedural"):
		return p.skipUnsupported("CREATE " + strings.ToUpper(t.val))
	case t.is("materialized") && p.peekN(1).is("view") && !temp && !replace:
		p.i += 2
		cv := &tree.CreateView{Materialized: true, IfNotExists: p.kws("if", "not", "exists"), Name: p.objectName()}
		if p.peek().isPunct("(") {
			cv.Columns = p.parenIdentList()
		}
		if p.peek().is("using") || p.peek().is("with") || p.peek().is("tablespace") {
			// Access methods, storage parameters and tablespaces are
			// Badger's business in Quiver.
			return p.skipUnsupported("CREATE MATERIALIZED VIEW ... " + strings.ToUpper(p.peek().val))
		}
		p.expectKw("as")
		start := p.peek().off
		cv.QueryPos = p.pos(start)
		cv.Query = p.selectStmt()
		cv.QueryText = p.src[start:p.prevEnd()]
		cv.WithNoData = p.withData()
		return cv
	case t.kind == tIdent && unsupportedCreate[t.val]:
		what := "CREATE " + strings.ToUpper(t.val)
		if t.is("materialized") || t.is("event") || t.is("foreign") || t.is("access") || t.is("text") {
			what += " " + strings.ToUpper(p.peekN(1).val)
		}
		return p.skipUnsupported(what)
	}
	p.fail()
	return nil
}

func (p *parser) roleOptions() []tree.RoleOption {
	p.kw("with")
	var opts []tree.RoleOption
	for p.peek().kind != tEOF {
		t := p.advance()
		if t.kind != tIdent {
			p.failAt(t)
		}
		o := tree.RoleOption{Name: t.val, Pos: int(p.pos(t.off))}
		switch t.val {
		case "password":
			if p.kw("null") {
				break
			}
			s := p.advance()
			if s.kind != tString {
				p.failAt(s)
			}
			v := s.val
			o.Value = &v
		case "encrypted":
			continue
		case "unencrypted":
			panic(syntaxPanic{pgerror.New(pgerror.CodeFeatureNotSupported, "UNENCRYPTED PASSWORD is no longer supported").
				WithHint("Remove UNENCRYPTED to store the password in encrypted form instead.").WithPosition(o.Pos)})
		case "valid":
			p.expectKw("until")
			s := p.advance()
			v := s.val
			o.Name, o.Value = "valid until", &v
		case "connection":
			p.expectKw("limit")
			v := p.optionValue()
			o.Name, o.Value = "connection limit", &v
		case "sysid":
			v := p.optionValue()
			o.Value = &v
		case "in", "role", "admin", "user":
			if t.val == "in" {
				p.advance()
			}
			v := strings.Join(p.identList(), ",")
			o.Value = &v
		case "superuser", "nosuperuser", "createrole", "nocreaterole", "createdb", "nocreatedb", "login", "nologin",
			"inherit", "noinherit", "replication", "noreplication", "bypassrls", "nobypassrls":
		default:
			p.failMsg(t, "unrecognized role option \"%s\"", t.val)
		}
		opts = append(opts, o)
	}
	return opts
}

// qualifiedName joins a name's parts with dots, as SeqOption values hold
// them.
func qualifiedName(n tree.ObjectName) string {
	v := n.Name
	if n.Schema != "" {
		v = n.Schema + "." + v
	}
	if n.Catalog != "" {
		v = n.Catalog + "." + v
	}
	return v
}

func (p *parser) seqOptions() []tree.SeqOption {
	var opts []tree.SeqOption
	for {
		switch {
		case p.kw("as"):
			typ := p.typeName()
			opts = append(opts, tree.SeqOption{Name: "as", Value: typ.Name})
		case p.kw("increment"):
			p.kw("by")
			opts = append(opts, tree.SeqOption{Name: "increment", Value: p.optionValue()})
		case p.kw("minvalue"):
			opts = append(opts, tree.SeqOption{Name: "minvalue", Value: p.optionValue()})
		case p.kw("maxvalue"):
			opts = append(opts, tree.SeqOption{Name: "maxvalue", Value: p.optionValue()})
		case p.kws("no", "minvalue"):
			opts = append(opts, tree.SeqOption{Name: "no minvalue"})
		case p.kws("no", "maxvalue"):
			opts = append(opts, tree.SeqOption{Name: "no maxvalue"})
		case p.kws("no", "cycle"):
			opts = append(opts, tree.SeqOption{Name: "no cycle"})
		case p.kw("cycle"):
			opts = append(opts, tree.SeqOption{Name: "cycle"})
		case p.kw("start"):
			p.kw("with")
			opts = append(opts, tree.SeqOption{Name: "start", Value: p.optionValue()})
		case p.kw("restart"):
			o := tree.SeqOption{Name: "restart"}
			if p.kw("with") || p.peek().kind == tNumber || p.peek().isOp("-") {
				o.Value = p.optionValue()
			}
			opts = append(opts, o)
		case p.kw("cache"):
			opts = append(opts, tree.SeqOption{Name: "cache", Value: p.optionValue()})
		case p.kws("sequence", "name"):
			// An identity column's sequence, named by pg_dump's output.
			opts = append(opts, tree.SeqOption{Name: "sequence name", Value: qualifiedName(p.objectName())})
		case p.kws("owned", "by"):
			if p.kw("none") {
				opts = append(opts, tree.SeqOption{Name: "owned by", Value: "none"})
				continue
			}
			opts = append(opts, tree.SeqOption{Name: "owned by", Value: qualifiedName(p.objectName())})
		default:
			return opts
		}
	}
}

// ---- CREATE TABLE ----

func (p *parser) createTable(temp bool) tree.Statement {
	p.expectKw("table")
	ct := &tree.CreateTable{Temporary: temp, IfNotExists: p.kws("if", "not", "exists"), Name: p.objectName()}
	if p.peek().isPunct("(") && p.asColumnList() {
		ct.AsColumns = p.parenIdentList()
		p.expectKw("as")
		ct.AsSelect = p.selectStmt()
		ct.WithNoData = p.withData()
		return ct
	}
	p.onCommit(ct)
	if p.kw("as") || (p.peek().isPunct("(") && p.startsQueryAt(p.i+1)) {
		ct.AsSelect = p.selectStmt()
		ct.WithNoData = p.withData()
		return ct
	}
	if p.peek().is("of") || p.peek().is("partition") {
		return p.skipUnsupported("CREATE TABLE " + strings.ToUpper(p.peek().val))
	}
	p.expectPunct("(")
	if !p.peek().isPunct(")") {
		for {
			t := p.peek()
			switch {
			case t.is("constraint") || t.is("primary") || t.is("unique") || t.is("check") || t.is("foreign") || t.is("exclude"):
				ct.Constraints = append(ct.Constraints, p.tableConstraint())
			case t.is("like"):
				p.i++
				ct.Columns = append(ct.Columns, tree.ColumnDef{Like: p.tableLike(), Pos: p.pos(t.off)})
			default:
				ct.Columns = append(ct.Columns, p.columnDef())
			}
			if !p.punct(",") {
				break
			}
		}
	}
	p.expectPunct(")")
	for {
		switch {
		case p.peek().is("inherits") || p.peek().is("partition"):
			p.unsupported("CREATE TABLE " + strings.ToUpper(p.peek().val))
		case p.kw("with"):
			p.expectPunct("(")
			p.storageParams()
		case p.kw("without"):
			p.expectKw("oids")
		case p.kws("on", "commit"):
			p.onCommitAction(ct)
		case p.kw("tablespace"):
			p.ident()
		case p.kw("using"):
			p.ident()
		default:
			return ct
		}
	}
}

// identityKind reads ALWAYS or BY DEFAULT of an identity column.
func (p *parser) identityKind() string {
	if p.kw("always") {
		return "always"
	}
	p.expectKw("by")
	p.expectKw("default")
	return "by default"
}

// likeOptions are the options of CREATE TABLE's LIKE clause.
var likeOptions = toSet("comments compression constraints defaults generated identity indexes statistics storage")

// tableLike reads LIKE's source table and options (after LIKE).
func (p *parser) tableLike() *tree.TableLike {
	l := &tree.TableLike{Table: p.objectName(), Including: map[string]bool{}}
	for {
		var on bool
		switch {
		case p.kw("including"):
			on = true
		case p.kw("excluding"):
		default:
			return l
		}
		t := p.advance()
		switch {
		case t.is("all"):
			for o := range likeOptions {
				l.Including[o] = on
			}
		case t.kind == tIdent && likeOptions[t.val]:
			l.Including[t.val] = on
		default:
			p.failAt(t)
		}
	}
}

// asColumnList reports whether a parenthesised list of bare names followed
// by AS comes next: CREATE TABLE t (a, b) AS query.
func (p *parser) asColumnList() bool {
	j := p.i + 1
	for {
		if t := p.toks[j]; t.kind != tIdent && t.kind != tQIdent {
			return false
		}
		j++
		if p.toks[j].isPunct(",") {
			j++
			continue
		}
		return p.toks[j].isPunct(")") && p.toks[j+1].is("as")
	}
}

// withData reads CREATE TABLE AS's optional WITH [NO] DATA and reports NO.
func (p *parser) withData() bool {
	if p.kws("with", "no", "data") {
		return true
	}
	p.kws("with", "data")
	return false
}

func (p *parser) startsQueryAt(i int) bool {
	save := p.i
	p.i = i
	ok := p.startsQuery()
	p.i = save
	return ok
}

// storageParams reads name [= value], ... ) after the opening parenthesis.
func (p *parser) storageParams() []tree.StorageParam {
	var l []tree.StorageParam
	for {
		name := p.colLabel()
		for p.punct(".") {
			name += "." + p.colLabel()
		}
		sp := tree.StorageParam{Name: name}
		if p.op("=") {
			sp.Value = p.optionValue()
		}
		l = append(l, sp)
		if !p.punct(",") {
			break
		}
	}
	p.expectPunct(")")
	return l
}

func (p *parser) columnDef() tree.ColumnDef {
	t := p.peek()
	cd := tree.ColumnDef{Name: p.ident(), Pos: p.pos(t.off)}
	cd.Type = p.typeName()
	for {
		var name string
		if p.kw("constraint") {
			name = p.ident()
		}
		c := p.peek()
		switch {
		case p.kws("not", "null"):
			cd.NotNull = true
		case p.kw("null"):
			cd.Null = true
		case p.kw("default"):
			start := p.peek().off
			cd.Default = p.cmpExpr()
			cd.DefaultText = p.src[start:p.prevEnd()]
		case p.kws("primary", "key"):
			cd.Constraints = append(cd.Constraints, tree.Constraint{Name: name, Kind: "primary key"})
			p.indexTail()
		case p.kw("unique"):
			cd.Constraints = append(cd.Constraints, tree.Constraint{Name: name, Kind: "unique"})
			p.indexTail()
		case p.kw("check"):
			ck := tree.Constraint{Name: name, Kind: "check"}
			p.expectPunct("(")
			start := p.peek().off
			ck.Check = p.expr()
			ck.CheckText = p.src[start:p.prevEnd()]
			p.expectPunct(")")
			p.kws("no", "inherit")
			cd.Constraints = append(cd.Constraints, ck)
		case p.kw("references"):
			fk := tree.Constraint{Name: name, Kind: "foreign key"}
			p.references(&fk)
			cd.Constraints = append(cd.Constraints, fk)
		case p.kw("collate"):
			n := p.objectName()
			cd.Collate = n.Name
		case p.kw("generated"):
			switch {
			case p.kw("always"):
				if p.peek().is("as") && p.peekN(1).isPunct("(") {
					p.i += 2
					cd.Generated = p.expr()
					p.expectPunct(")")
					p.expectKw("stored")
					continue
				}
				cd.Identity = "always"
			case p.kws("by", "default"):
				cd.Identity = "by default"
			default:
				p.fail()
			}
			p.expectKw("as")
			p.expectKw("identity")
			if p.punct("(") {
				cd.IdentityOptions = p.seqOptions()
				p.expectPunct(")")
			}
		case p.kw("deferrable"), p.kws("not", "deferrable"), p.kws("initially", "deferred"), p.kws("initially", "immediate"):
			if n := len(cd.Constraints); n > 0 && p.toks[p.i-1].is("deferrable") && !p.toks[p.i-2].is("not") {
				cd.Constraints[n-1].Deferrable = true
			}
			if n := len(cd.Constraints); n > 0 && p.toks[p.i-1].is("deferred") {
				cd.Constraints[n-1].InitiallyDeferred = true
			}
		default:
			if name != "" {
				p.failAt(c)
			}
			return cd
		}
	}
}

// indexTail skips index parameters of PRIMARY KEY/UNIQUE (USING INDEX
// TABLESPACE, WITH (...), INCLUDE (...)).
func (p *parser) indexTail() {
	for {
		switch {
		case p.kw("include"):
			p.parenIdentList()
		case p.kw("with"):
			p.expectPunct("(")
			p.storageParams()
		case p.kws("using", "index", "tablespace"):
			p.ident()
		default:
			return
		}
	}
}

func (p *parser) references(fk *tree.Constraint) {
	fk.RefTable = p.objectName()
	if p.peek().isPunct("(") {
		fk.RefColumns = p.parenIdentList()
	}
	for {
		switch {
		case p.kw("match"):
			switch {
			case p.kw("full"):
				fk.Match = "full"
			case p.kw("simple"):
				fk.Match = "simple"
			default:
				p.expectKw("partial")
				fk.Match = "partial"
			}
		case p.kws("on", "delete"):
			fk.OnDelete = p.refAction()
		case p.kws("on", "update"):
			fk.OnUpdate = p.refAction()
		case p.kws("not", "deferrable"):
		case p.kw("deferrable"):
			fk.Deferrable = true
		case p.kws("initially", "deferred"):
			fk.InitiallyDeferred = true
		case p.kws("initially", "immediate"):
		default:
			return
		}
	}
}

func (p *parser) refAction() string {
	switch {
	case p.kw("cascade"):
		return "cascade"
	case p.kw("restrict"):
		return "restrict"
	case p.kws("set", "null"):
		return "set null"
	case p.kws("set", "default"):
		return "set default"
	case p.kws("no", "action"):
		return "no action"
	}
	p.fail()
	return ""
}

func (p *parser) tableConstraint() tree.Constraint {
	var c tree.Constraint
	if p.kw("constraint") {
		c.Name = p.ident()
	}
	switch {
	case p.kws("primary", "key"):
		c.Kind = "primary key"
		c.Columns = p.parenIdentList()
		p.indexTail()
	case p.kw("unique"):
		c.Kind = "unique"
		if p.kws("nulls", "not", "distinct") || p.kws("nulls", "distinct") {
			p.unsupported("UNIQUE NULLS [NOT] DISTINCT")
		}
		c.Columns = p.parenIdentList()
		p.indexTail()
	case p.kw("check"):
		c.Kind = "check"
		p.expectPunct("(")
		start := p.peek().off
		c.Check = p.expr()
		c.CheckText = p.src[start:p.prevEnd()]
		p.expectPunct(")")
		p.kws("no", "inherit")
	case p.kws("foreign", "key"):
		c.Kind = "foreign key"
		c.Columns = p.parenIdentList()
		p.expectKw("references")
		p.references(&c)
	case p.peek().is("exclude"):
		p.unsupported("EXCLUDE constraints")
	default:
		p.fail()
	}
	for {
		switch {
		case p.kw("deferrable"):
			c.Deferrable = true
		case p.kws("initially", "deferred"):
			c.InitiallyDeferred = true
		case p.kws("not", "valid"):
			c.NotValid = true
		case p.kws("not", "deferrable"), p.kws("initially", "immediate"):
		default:
			return c
		}
	}
}

// ---- CREATE INDEX ----

func (p *parser) createIndex() tree.Statement {
	ci := &tree.CreateIndex{}
	if p.kw("unique") {
		ci.Unique = true
	}
	p.expectKw("index")
	ci.Concurrently = p.kw("concurrently")
	if p.kws("if", "not", "exists") {
		ci.IfNotExists = true
		ci.Name = p.ident()
	} else if !p.peek().is("on") {
		ci.Name = p.ident()
	}
	p.expectKw("on")
	p.kw("only")
	ci.Table = p.objectName()
	if p.kw("using") {
		ci.Method = p.ident()
	}
	p.expectPunct("(")
	for {
		ci.Elems = append(ci.Elems, p.indexElem())
		if !p.punct(",") {
			break
		}
	}
	p.expectPunct(")")
	if p.kw("include") {
		ci.Include = p.parenIdentList()
	}
	if p.kws("nulls", "not", "distinct") || p.kws("nulls", "distinct") {
		p.unsupported("NULLS [NOT] DISTINCT")
	}
	if p.kw("with") {
		p.expectPunct("(")
		ci.With = p.storageParams()
	}
	if p.kw("tablespace") {
		p.ident()
	}
	if p.kw("where") {
		ci.Where = p.expr()
	}
	return ci
}

func (p *parser) indexElem() tree.IndexElem {
	var el tree.IndexElem
	t := p.peek()
	switch {
	case t.isPunct("("):
		p.i++
		el.Expr = p.expr()
		p.expectPunct(")")
	case (t.kind == tIdent || t.kind == tQIdent) && (p.peekN(1).isPunct("(") || p.peekN(1).isPunct(".")):
		el.Expr = p.nameExpr()
		if _, ok := el.Expr.(*tree.FuncCall); !ok {
			p.failAt(p.peek())
		}
	default:
		el.Column = p.ident()
	}
	if p.kw("collate") {
		p.objectName()
	}
	if n := p.peek(); (n.kind == tIdent && !n.is("asc") && !n.is("desc") && !n.is("nulls")) || n.kind == tQIdent {
		on := p.objectName()
		el.Opclass = on.Name
		if p.peek().isPunct("(") {
			p.i++
			p.storageParams()
		}
	}
	if p.kw("desc") {
		el.Desc = true
	} else {
		p.kw("asc")
	}
	if p.kw("nulls") {
		if p.kw("first") {
			el.Nulls = "first"
		} else {
			p.expectKw("last")
			el.Nulls = "last"
		}
	}
	return el
}

// ---- DROP ----

func (p *parser) dropStmt() tree.Statement {
	p.expectKw("drop")
	t := p.advance()
	if t.kind != tIdent {
		p.failAt(t)
	}
	switch t.val {
	case "table", "sequence", "view", "index", "type":
		d := struct {
			conc, ifExists, cascade bool
			names                   []tree.ObjectName
		}{}
		if t.val == "index" {
			d.conc = p.kw("concurrently")
		}
		d.ifExists = p.kws("if", "exists")
		d.names = p.objectNames()
		d.cascade = p.dropBehavior()
		switch t.val {
		case "table":
			return &tree.DropTable{Names: d.names, IfExists: d.ifExists, Cascade: d.cascade}
		case "sequence":
			return &tree.DropSequence{Names: d.names, IfExists: d.ifExists, Cascade: d.cascade}
		case "view":
			return &tree.DropView{Names: d.names, IfExists: d.ifExists, Cascade: d.cascade}
		case "type":
			return &tree.DropType{Names: d.names, IfExists: d.ifExists, Cascade: d.cascade}
		}
		return &tree.DropIndex{Names: d.names, IfExists: d.ifExists, Concurrently: d.conc, Cascade: d.cascade}
	case "materialized":
		p.expectKw("view")
		dv := &tree.DropView{Materialized: true, IfExists: p.kws("if", "exists"), Names: p.objectNames()}
		dv.Cascade = p.dropBehavior()
		return dv
	case "schema":
		ds := &tree.DropSchema{IfExists: p.kws("if", "exists"), Names: p.identList()}
		ds.Cascade = p.dropBehavior()
		return ds
	case "database":
		dd := &tree.DropDatabase{IfExists: p.kws("if", "exists"), Name: p.ident()}
		if p.kw("with") {
			p.expectPunct("(")
			p.storageParams()
		}
		return dd
	case "extension":
		de := &tree.DropExtension{IfExists: p.kws("if", "exists"), Names: p.identList()}
		de.Cascade = p.dropBehavior()
		return de
	case "role", "user":
		if t.val == "user" && p.peek().is("mapping") {
			return p.skipUnsupported("DROP USER MAPPING")
		}
		return &tree.DropRole{IfExists: p.kws("if", "exists"), Names: p.identList()}
	case "owned":
		return p.skipUnsupported("DROP OWNED")
	}
	if unsupportedCreate[t.val] {
		return p.skipUnsupported("DROP " + strings.ToUpper(t.val))
	}
	p.failAt(t)
	return nil
}

func (p *parser) dropBehavior() bool {
	if p.kw("cascade") {
		return true
	}
	p.kw("restrict")
	return false
}

// ---- ALTER ----

func (p *parser) alterStmt() tree.Statement {
	p.expectKw("alter")
	t := p.advance()
	switch {
	case t.is("table"):
		return p.alterTable()
	case t.is("view"):
		at := &tree.AlterTable{View: true, IfExists: p.kws("if", "exists"), Name: p.objectName()}
		switch {
		case p.kws("rename", "to"):
			at.Cmds = []tree.AlterTableCmd{{Kind: "rename to", NewName: p.ident()}}
		case p.kws("owner", "to"):
			at.Cmds = []tree.AlterTableCmd{{Kind: "owner to", NewName: p.ident()}}
		default:
			return p.skipUnsupported("ALTER VIEW " + strings.ToUpper(p.peek().val))
		}
		return at
	case t.is("materialized"):
		p.expectKw("view")
		at := &tree.AlterTable{Matview: true, IfExists: p.kws("if", "exists"), Name: p.objectName()}
		switch {
		case p.kws("rename", "to"):
			at.Cmds = []tree.AlterTableCmd{{Kind: "rename to", NewName: p.ident()}}
		case p.kw("rename"):
			p.kw("column")
			cmd := tree.AlterTableCmd{Kind: "rename column", Name: p.ident()}
			p.expectKw("to")
			cmd.NewName = p.ident()
			at.Cmds = []tree.AlterTableCmd{cmd}
		case p.kws("owner", "to"):
			at.Cmds = []tree.AlterTableCmd{{Kind: "owner to", NewName: p.ident()}}
		default:
			return p.skipUnsupported("ALTER MATERIALIZED VIEW " + strings.ToUpper(p.peek().val))
		}
		return at
	case t.is("sequence"):
		as := &tree.AlterSequence{IfExists: p.kws("if", "exists"), Name: p.objectName()}
		if p.kws("owner", "to") {
			as.OwnerTo = p.ident()
			return as
		}
		if p.peek().is("rename") || p.peek().is("set") {
			return p.skipUnsupported("ALTER SEQUENCE " + strings.ToUpper(p.peek().val))
		}
		as.Options = p.seqOptions()
		return as
	case t.is("schema") || t.is("database"):
		name := p.ident()
		if !p.kws("owner", "to") {
			return p.skipUnsupported("ALTER " + strings.ToUpper(t.val) + " " + strings.ToUpper(p.peek().val))
		}
		return &tree.AlterOwner{Kind: t.val, Name: name, OwnerTo: p.ident()}
	case t.is("role") || t.is("user"):
		name := p.ident()
		if p.peek().is("rename") {
			p.i++
			p.expectKw("to")
			return &tree.AlterRole{Name: name, NewName: p.ident()}
		}
		if p.peek().is("set") || p.peek().is("reset") || p.peek().is("in") {
			return p.skipUnsupported("ALTER ROLE " + strings.ToUpper(p.peek().val))
		}
		return &tree.AlterRole{Name: name, Options: p.roleOptions()}
	case t.is("type"):
		return p.alterType()
	case t.is("extension"):
		name := p.ident()
		if !p.kw("update") {
			return p.skipUnsupported("ALTER EXTENSION " + strings.ToUpper(p.peek().val))
		}
		ae := &tree.AlterExtension{Name: name}
		if p.kw("to") {
			ae.Version = p.optionValue()
		}
		return ae
	case t.kind == tIdent:
		return p.skipUnsupported("ALTER " + strings.ToUpper(t.val))
	}
	p.failAt(t)
	return nil
}

func (p *parser) alterType() tree.Statement {
	at := &tree.AlterType{Name: p.objectName()}
	switch {
	case p.kws("add", "value"):
		at.Kind = "add value"
		at.IfNotExists = p.kws("if", "not", "exists")
		at.Value = p.stringLit()
		if p.peek().is("before") || p.peek().is("after") {
			at.After = p.advance().is("after")
			at.HasNeighbor = true
			at.Neighbor = p.stringLit()
		}
	case p.kws("rename", "value"):
		at.Kind = "rename value"
		at.Value = p.stringLit()
		p.expectKw("to")
		at.NewValue = p.stringLit()
	case p.kws("rename", "to"):
		at.Kind = "rename to"
		at.Value = p.ident()
	case p.kws("owner", "to"):
		at.Kind = "owner to"
		at.Value = p.ident()
	default:
		return p.skipUnsupported("ALTER TYPE " + strings.ToUpper(p.peek().val))
	}
	return at
}

// stringLit consumes a string constant.
func (p *parser) stringLit() string {
	s := p.advance()
	if s.kind != tString {
		p.failAt(s)
	}
	return s.val
}

func (p *parser) alterTable() tree.Statement {
	at := &tree.AlterTable{IfExists: p.kws("if", "exists")}
	p.kw("only")
	at.Name = p.objectName()
	p.op("*")
	for {
		var cmd tree.AlterTableCmd
		switch {
		case p.kw("add"):
			t := p.peek()
			if t.is("constraint") || t.is("primary") || t.is("unique") || t.is("check") || t.is("foreign") || t.is("exclude") {
				c := p.tableConstraint()
				cmd = tree.AlterTableCmd{Kind: "add constraint", Constraint: &c}
				break
			}
			p.kw("column")
			cmd.Kind = "add column"
			cmd.IfExists = p.kws("if", "not", "exists")
			cd := p.columnDef()
			cmd.Column = &cd
		case p.kw("drop"):
			if p.kw("constraint") {
				cmd.Kind = "drop constraint"
			} else {
				p.kw("column")
				cmd.Kind = "drop column"
			}
			cmd.IfExists = p.kws("if", "exists")
			cmd.Name = p.ident()
			cmd.Cascade = p.dropBehavior()
		case p.kw("rename"):
			switch {
			case p.kw("to"):
				cmd.Kind = "rename to"
				cmd.NewName = p.ident()
			case p.kw("constraint"):
				cmd.Kind = "rename constraint"
				cmd.Name = p.ident()
				p.expectKw("to")
				cmd.NewName = p.ident()
			default:
				p.kw("column")
				cmd.Kind = "rename column"
				cmd.Name = p.ident()
				p.expectKw("to")
				cmd.NewName = p.ident()
			}
		case p.kw("alter"):
			p.kw("column")
			cmd.Name = p.ident()
			switch {
			case p.kws("set", "default"):
				cmd.Kind = "alter column set default"
				start := p.peek().off
				cmd.Default = p.cmpExpr()
				cmd.Column = &tree.ColumnDef{Name: cmd.Name, Default: cmd.Default, DefaultText: p.src[start:p.prevEnd()]}
			case p.kws("drop", "default"):
				cmd.Kind = "alter column drop default"
			case p.kws("set", "storage"):
				cmd.Kind = "alter column set storage"
				cmd.Storage = p.ident()
			case p.kws("set", "not", "null"):
				cmd.Kind = "alter column set not null"
			case p.kws("drop", "not", "null"):
				cmd.Kind = "alter column drop not null"
			case p.kws("set", "data", "type"), p.kw("type"):
				cmd.Kind = "alter column type"
				typ := p.typeName()
				cmd.Type = &typ
				if p.kw("collate") {
					cmd.Collate = p.objectName().Name
				}
				if p.kw("using") {
					cmd.Using = p.expr()
				}
			case p.kws("add", "generated"):
				cmd.Kind = "alter column add identity"
				cd := &tree.ColumnDef{Name: cmd.Name, Identity: p.identityKind()}
				p.expectKw("as")
				p.expectKw("identity")
				if p.punct("(") {
					cd.IdentityOptions = p.seqOptions()
					p.expectPunct(")")
				}
				cmd.Column = cd
			case p.kws("set", "generated"):
				cmd.Kind = "alter column set identity"
				cmd.Column = &tree.ColumnDef{Name: cmd.Name, Identity: p.identityKind()}
			case p.kw("restart"):
				cmd.Kind = "alter column restart"
				p.kw("with")
				if t := p.peek(); t.kind == tNumber || t.isOp("-") {
					cmd.Default = p.unaryExpr()
				}
			case p.kws("drop", "identity"):
				cmd.Kind = "alter column drop identity"
				cmd.IfExists = p.kws("if", "exists")
			default:
				return p.skipUnsupported("ALTER TABLE ALTER COLUMN " + strings.ToUpper(p.peek().val))
			}
		case p.kws("owner", "to"):
			cmd.Kind = "owner to"
			cmd.NewName = p.ident()
		case p.kws("validate", "constraint"):
			cmd.Kind = "validate constraint"
			cmd.Name = p.ident()
		default:
			if p.peek().kind == tIdent {
				return p.skipUnsupported("ALTER TABLE " + strings.ToUpper(p.peek().val))
			}
			p.fail()
		}
		at.Cmds = append(at.Cmds, cmd)
		if !p.punct(",") {
			return at
		}
	}
}

// onCommit parses an optional ON COMMIT DROP | DELETE ROWS | PRESERVE ROWS.
func (p *parser) onCommit(ct *tree.CreateTable) {
	if p.kws("on", "commit") {
		p.onCommitAction(ct)
	}
}

// onCommitAction parses what follows ON COMMIT.
func (p *parser) onCommitAction(ct *tree.CreateTable) {
	switch {
	case p.kw("drop"):
		ct.OnCommit = "drop"
	case p.kws("delete", "rows"):
		ct.OnCommit = "delete rows"
	default:
		p.expectKw("preserve")
		p.expectKw("rows")
		ct.OnCommit = "preserve rows"
	}
}
