package pgdialect

import (
	"strconv"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

// typeAliases maps SQL spellings to PostgreSQL's canonical type names.
var typeAliases = map[string]string{
	"int": "int4", "integer": "int4", "int4": "int4",
	"smallint": "int2", "int2": "int2",
	"bigint": "int8", "int8": "int8",
	"real": "float4", "float4": "float4",
	"float8": "float8", "float": "float8",
	"decimal": "numeric", "numeric": "numeric", "dec": "numeric",
	"boolean": "bool", "bool": "bool",
	"varchar": "varchar", "char": "bpchar", "character": "bpchar", "bpchar": "bpchar",
	"timestamp": "timestamp", "timestamptz": "timestamptz",
	"time": "time", "timetz": "timetz",
	"serial": "serial", "serial4": "serial", "bigserial": "bigserial", "serial8": "bigserial",
	"smallserial": "smallserial", "serial2": "smallserial",
	"varbit": "varbit",
}

// canonicalType returns PostgreSQL's name for an unquoted type word.
func canonicalType(name string, quoted bool) string {
	if quoted {
		return name
	}
	if c, ok := typeAliases[name]; ok {
		return c
	}
	return name
}

// typeName parses a PostgreSQL type reference, including the multi-word
// SQL forms, modifiers and array bounds.
func (p *parser) typeName() tree.TypeName {
	t := p.peek()
	typ := tree.TypeName{Pos: p.pos(t.off)}
	if t.kind == tQIdent {
		p.i++
		typ.Name = t.val
		if p.peek().isPunct(".") {
			p.i++
			typ.Schema = t.val
			n := p.advance()
			if n.kind != tIdent && n.kind != tQIdent {
				p.failAt(n)
			}
			typ.Name = canonicalType(n.val, n.kind == tQIdent)
		}
		p.genericMods(&typ)
		p.arrayBounds(&typ)
		return typ
	}
	if t.kind != tIdent {
		p.fail()
	}
	p.i++
	word := t.val
	if p.peek().isPunct(".") {
		p.i++
		typ.Schema = word
		n := p.advance()
		if n.kind != tIdent && n.kind != tQIdent {
			p.failAt(n)
		}
		word = n.val
		if n.kind == tQIdent {
			typ.Name = n.val
			p.genericMods(&typ)
			p.arrayBounds(&typ)
			return typ
		}
	}
	switch word {
	case "double":
		p.expectKw("precision")
		typ.Name = "float8"
	case "character", "char", "national":
		if word == "national" {
			if !p.kw("character") {
				p.expectKw("char")
			}
		}
		if p.kw("varying") {
			typ.Name = "varchar"
		} else {
			typ.Name = "bpchar"
		}
		p.typeMods(&typ)
		if typ.Name == "bpchar" && len(typ.Mods) == 0 && typ.Schema == "" {
			typ.Mods = []int32{1}
		}
	case "bit":
		if p.kw("varying") {
			typ.Name = "varbit"
		} else {
			typ.Name = "bit"
		}
		p.genericMods(&typ)
		if typ.Name == "bit" && len(typ.Mods) == 0 && typ.Schema == "" {
			// SQL's BIT is BIT(1); bit varying is unbounded.
			typ.Mods = []int32{1}
		}
	case "timestamp", "time":
		p.typeMods(&typ)
		typ.Name = word
		if p.peek().is("with") && p.peekN(1).is("time") && p.peekN(2).is("zone") {
			p.i += 3
			typ.Name = word + "tz"
		} else if p.peek().is("without") {
			p.i++
			p.expectKw("time")
			p.expectKw("zone")
		}
	case "interval":
		typ.Name = "interval"
		if f := p.peek(); f.kind == tIdent && intervalFields[f.val] && !p.peekN(1).isPunct("(") {
			// interval year to month etc.: fields restrict the value; keep the
			// type and skip the qualifier (rare in client SQL)
			p.i++
			if p.kw("to") {
				p.advance()
			}
		}
		p.typeMods(&typ)
	case "float":
		typ.Name = "float8"
		p.typeMods(&typ)
		if len(typ.Mods) == 1 {
			if typ.Mods[0] < 1 || typ.Mods[0] > 53 {
				p.failMsg(t, "precision for type float must be between 1 and 53 bits")
			}
			if typ.Mods[0] <= 24 {
				typ.Name = "float4"
			}
			typ.Mods = nil
		}
	default:
		if reserved[word] && typ.Schema == "" {
			p.failAt(t)
		}
		typ.Name = canonicalType(word, false)
		switch {
		case typ.Schema != "":
			p.genericMods(&typ)
		case word == "int" || word == "integer" || word == "smallint" || word == "bigint" || word == "real" || word == "boolean":
			// SQL keywords without modifiers: a "(" is a syntax error
		case word == "varchar":
			p.typeMods(&typ)
		default:
			p.genericMods(&typ)
		}
	}
	p.arrayBounds(&typ)
	return typ
}

// typeMods reads (n[, m]) integer modifiers of a SQL-standard type, where
// the grammar admits only integers.
func (p *parser) typeMods(typ *tree.TypeName) { p.mods(typ, false) }

// genericMods reads the modifiers of a type named by an identifier (vector,
// varbit, ...), where the grammar admits any constant and the type's
// modifier input rejects what is not an integer.
func (p *parser) genericMods(typ *tree.TypeName) { p.mods(typ, true) }

func (p *parser) mods(typ *tree.TypeName, generic bool) {
	if !p.peek().isPunct("(") {
		return
	}
	p.i++
	for {
		t := p.advance()
		if generic && (t.kind == tString || t.kind == tIdent) {
			// PostgreSQL accepts any constant here and rejects it when the
			// type's modifier input function runs
			e := pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type integer: \"%s\"", t.val)
			panic(syntaxPanic{e.WithPosition(int(typ.Pos))})
		}
		if t.kind != tNumber {
			p.failAt(t)
		}
		v, err := strconv.ParseInt(t.val, 10, 32)
		if err != nil {
			p.failMsg(t, "invalid type modifier")
		}
		typ.Mods = append(typ.Mods, int32(v))
		if !p.punct(",") {
			break
		}
	}
	p.expectPunct(")")
}

func (p *parser) arrayBounds(typ *tree.TypeName) {
	for {
		switch {
		case p.peek().isPunct("["):
			p.i++
			if p.peek().kind == tNumber {
				p.i++
			}
			p.expectPunct("]")
			typ.ArrayDims++
		case p.peek().is("array"):
			p.i++
			if p.peek().isPunct("[") {
				p.i++
				if p.peek().kind == tNumber {
					p.i++
				}
				p.expectPunct("]")
			}
			typ.ArrayDims++
		default:
			return
		}
	}
}
