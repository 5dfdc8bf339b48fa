// Package pgdialect owns "PostgreSQL text in, statements out": a
// PostgreSQL lexer, the rewriting of PostgreSQL-only syntax into forms the
// TiDB grammar parses faithfully, parsing of PostgreSQL-only statements, and
// the conversion of the result into sql/tree nodes. Nothing else in Quiver
// imports the TiDB parser.
package pgdialect

import (
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

// Parsed is one statement of a query string.
type Parsed struct {
	Stmt tree.Statement
	// SQL is the statement's own text (without the separating ';').
	SQL string
	// NumParams is the highest $n referenced (0 when none).
	NumParams int
}

// Parse splits a simple-protocol query string into statements, following
// PostgreSQL's lexical rules (strings, dollar quotes, comments), and parses
// each. An empty string or one holding only ';' and comments yields one
// *tree.Empty. Errors are *pgerror.Error with a 1-based position into sql.
func Parse(sql string) ([]Parsed, error) {
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "parser not implemented")
}

// ParseOne parses exactly one statement (extended protocol: Parse message).
func ParseOne(sql string) (Parsed, error) {
	return Parsed{}, pgerror.New(pgerror.CodeFeatureNotSupported, "parser not implemented")
}

// ParseExpr parses a standalone scalar expression (a stored DEFAULT or
// CHECK text).
func ParseExpr(sql string) (tree.Expr, error) {
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "parser not implemented")
}
