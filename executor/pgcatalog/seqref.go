package pgcatalog

import (
	"github.com/quiverdb/quiver/sql/types"
	"regexp"
	"strings"

	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
)

// Quiver stores a column default as SQL text. A sequence a default calls
// nextval on is spelled there as CanonicalSeqRef writes it, schema-
// qualified, so the default finds it whatever the search_path of the
// session using it (descriptors written before leave public's sequences
// unqualified). PostgreSQL keeps the sequence's OID instead and names it
// relative to the reader's search_path; the functions below give the same
// answers from the text: which sequence a default uses (pg_depend, so
// pg_dump creates the sequence before setting the default) and how
// pg_get_expr names it.

// nextvalRef matches nextval('name') with an optional ::regclass cast.
var nextvalRef = regexp.MustCompile(`nextval\(\s*'((?:[^']|'')+)'\s*(?:::\s*regclass\s*)?\)`)

// SplitRelName splits a regclass literal ("s.t", `"My T"`) into its
// schema ("" when unqualified) and name, folding unquoted parts to lower
// case as the parser does.
func SplitRelName(lit string) (schema, name string) {
	var parts []string
	cur, quoted := strings.Builder{}, false
	for i := 0; i < len(lit); i++ {
		ch := lit[i]
		switch {
		case ch == '"' && quoted && i+1 < len(lit) && lit[i+1] == '"':
			cur.WriteByte('"')
			i++
		case ch == '"':
			quoted = !quoted
		case ch == '.' && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		case quoted:
			cur.WriteByte(ch)
		default:
			cur.WriteString(strings.ToLower(string(ch)))
		}
	}
	parts = append(parts, cur.String())
	if len(parts) == 1 {
		return "", parts[0]
	}
	return parts[len(parts)-2], parts[len(parts)-1]
}

// CanonicalSeqRef is nextval's call on a sequence in schema as a stored
// default spells it.
func CanonicalSeqRef(schema, name string) string {
	lit := builtins.QuoteIdent(schema) + "." + builtins.QuoteIdent(name)
	return "nextval('" + strings.ReplaceAll(lit, "'", "''") + "'::regclass)"
}

// RewriteSeqRefs replaces each nextval('name') in a default's text by
// what rewrite returns for the named schema ("" when unqualified) and
// sequence; rewrite returns ok false to leave a call as written.
func RewriteSeqRefs(text string, rewrite func(schema, name string) (string, bool)) string {
	if !strings.Contains(text, "nextval") {
		return text // most defaults; the regexp is comparatively slow
	}
	return nextvalRef.ReplaceAllStringFunc(text, func(m string) string {
		lit := strings.ReplaceAll(nextvalRef.FindStringSubmatch(m)[1], "''", "'")
		if out, ok := rewrite(SplitRelName(lit)); ok {
			return out
		}
		return m
	})
}

// defaultSequences lists the sequences a stored default calls nextval on.
func defaultSequences(c *Context, text string) []*catalog.Sequence {
	var out []*catalog.Sequence
	RewriteSeqRefs(text, func(schema, name string) (string, bool) {
		if seq := storedSeqRef(c, schema, name); seq != nil {
			out = append(out, seq)
		}
		return "", false
	})
	return out
}

// storedSeqRef resolves a sequence as a stored default names it
// (unqualified meaning public).
func storedSeqRef(c *Context, schema, name string) *catalog.Sequence {
	if schema == "" {
		schema = "public"
	}
	sc := c.Cat.SchemaByName(c.DB.ID, schema)
	if sc == nil {
		return nil
	}
	return c.Cat.SequenceByName(sc.ID, name)
}

// defaultForReader is a stored default as pg_get_expr shows it to this
// reader: a sequence is qualified unless its schema is on the search path.
func defaultForReader(c *Context, col *catalog.Column) string {
	d := DefaultExpr(col)
	if col.Type != nil && col.Type.Family == types.FamEnum {
		// The literal's cast names the type as regtypeout would: with
		// its schema when that is not on the path (pg_dump's empty one).
		if ty := c.Cat.Types[catalog.ID(col.Type.Enum.OID)]; ty != nil {
			if sc := c.Cat.Schemas[ty.SchemaID]; sc != nil && !onPath(c.SearchPath, sc.Name) {
				if cast := "::" + col.Type.BaseString(); strings.HasSuffix(d, cast) {
					d = strings.TrimSuffix(d, cast) + "::" + types.QuoteIdent(sc.Name) + "." + col.Type.BaseString()
				}
			}
		}
	}
	return RewriteSeqRefs(d, func(schema, name string) (string, bool) {
		seq := storedSeqRef(c, schema, name)
		if seq == nil {
			return "", false
		}
		sc := c.Cat.Schemas[seq.SchemaID]
		lit := builtins.QuoteIdent(seq.Name)
		if !onPath(c.SearchPath, sc.Name) {
			lit = builtins.QuoteIdent(sc.Name) + "." + lit
		}
		return "nextval('" + strings.ReplaceAll(lit, "'", "''") + "'::regclass)", true
	})
}

func onPath(path []string, schema string) bool {
	for _, p := range path {
		if p == schema {
			return true
		}
	}
	return false
}
