package types

import "strings"

// QuoteIdent quotes an identifier as PostgreSQL's quote_ident does: unless
// it is a plain lower-case name that is not a reserved word. Everything in
// Quiver that spells an identifier back into SQL uses it.
func QuoteIdent(s string) string {
	plain := s != ""
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_' || i > 0 && (r >= '0' && r <= '9' || r == '$')) {
			plain = false
			break
		}
	}
	if plain && !reservedWords[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// reservedWords are PostgreSQL's keywords other than the unreserved
// ones (reserved, type and function names, and column names such as bit
// and position), which quote_ident must quote.
var reservedWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric both case cast check collate column
constraint create current_catalog current_date current_role current_time current_timestamp current_user default
deferrable desc distinct do else end except false fetch for foreign from grant group having in initially intersect
into lateral leading limit localtime localtimestamp not null offset on only or order placing primary references
returning select session_user some symmetric table then to trailing true union unique user using variadic when where
window with authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull join
left like natural notnull outer overlaps right similar tablesample verbose between bigint bit boolean char character
coalesce dec decimal exists extract float greatest grouping inout int integer interval least national nchar none
normalize nullif numeric out overlay position precision real row setof smallint substring time timestamp treat trim
values varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot
xmlserialize xmltable`) {
		m[w] = true
	}
	return m
}()
