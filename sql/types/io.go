package types

import "errors"

// errTODO marks functions the types package has yet to implement.
var errTODO = errors.New("types: not implemented")

// CastContext says how a conversion was asked for; PostgreSQL allows more
// conversions explicitly (CAST, ::) than on assignment or implicitly.
type CastContext int

const (
	CastImplicit CastContext = iota
	CastAssignment
	CastExplicit
)

// Resolve maps a SQL type name as written (already lower-cased unless it
// was quoted) and its modifiers to a type: "int", "int4", "integer",
// "character varying", "varchar", "timestamp with time zone",
// "double precision", "vector", "serial" (-> int4) ... Unknown names give
// 42704 `type "x" does not exist`.
func Resolve(name string, mods []int32) (*T, error) { return nil, errTODO }

// ParseText runs t's input function on s. Bad input is 22P02 (or 22003,
// 22007, 22008 ...) with PostgreSQL's message, e.g.
// `invalid input syntax for type integer: "abc"`.
func ParseText(t *T, s string) (Datum, error) { return nil, errTODO }

// AppendText appends t's output-function text form of d (not NULL).
func AppendText(buf []byte, t *T, d Datum) []byte { return buf }

// FormatText is AppendText into a new string.
func FormatText(t *T, d Datum) string { return string(AppendText(nil, t, d)) }

// Compare orders two non-NULL values of type t: -1, 0, +1.
func Compare(t *T, a, b Datum) int { return 0 }

// CanCast reports whether from converts to to in the given context.
func CanCast(from, to *T, ctx CastContext) bool { return false }

// Cast converts d from one type to another, applying to's modifiers.
func Cast(d Datum, from, to *T, ctx CastContext) (Datum, error) { return nil, errTODO }

// EncodeBinary appends the binary wire form of d.
func EncodeBinary(buf []byte, t *T, d Datum) ([]byte, error) { return nil, errTODO }

// DecodeBinary reads the binary wire form of a value of type t.
func DecodeBinary(t *T, b []byte) (Datum, error) { return nil, errTODO }
