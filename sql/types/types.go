// Package types owns Quiver's SQL types and values: PostgreSQL type OIDs,
// typmods and names, the Go representation of each value (Datum), and the
// text and binary forms clients see. It imports nothing else of Quiver's.
package types

import (
	"fmt"
	"strings"
)

// Family groups types that share a value representation.
type Family int

// Families. Int2/Int4/Int8 share DInt, Float4/Float8 share DFloat, the text
// family shares DString; the family still decides OIDs, ranges and formats.
const (
	FamUnknown Family = iota // an untyped literal or parameter not yet resolved
	FamBool
	FamInt2
	FamInt4
	FamInt8
	FamFloat4
	FamFloat8
	FamNumeric
	FamText
	FamVarchar
	FamChar // bpchar
	FamName
	FamBytea
	FamDate
	FamTimestamp
	FamTimestampTZ
	FamInterval
	FamUUID
	FamJSON
	FamJSONB
	FamOid
	FamRegclass
	FamRegtype
	FamRegproc
	FamVector
	FamArray
	FamVoid
	FamRecord
	FamRegnamespace
	FamRegrole
	FamHalfvec
	FamSparsevec
	FamBit
	FamVarbit
	FamEnum
	FamXid
	FamCid
	FamTid
	// FamCitext is the citext extension's case-insensitive text: DString
	// values kept as spelled, compared (and index keys encoded) lowered.
	FamCitext
)

// Well-known PostgreSQL type OIDs.
const (
	OidBool    uint32 = 16
	OidBytea   uint32 = 17
	OidChar1   uint32 = 18 // "char"
	OidName    uint32 = 19
	OidInt8    uint32 = 20
	OidInt2    uint32 = 21
	OidInt4    uint32 = 23
	OidRegproc uint32 = 24
	// OidRegnamespace and OidRegrole name schemas and roles.
	OidRegnamespace uint32 = 4089
	OidRegrole      uint32 = 4096
	OidText         uint32 = 25
	OidOid          uint32 = 26
	OidTid          uint32 = 27
	OidXid          uint32 = 28
	OidCid          uint32 = 29
	OidJSON         uint32 = 114
	OidFloat4       uint32 = 700
	OidFloat8       uint32 = 701
	OidUnknown      uint32 = 705
	OidBit          uint32 = 1560
	OidVarbit       uint32 = 1562
	OidBpchar       uint32 = 1042
	OidVarchar      uint32 = 1043
	OidDate         uint32 = 1082
	OidTimestamp    uint32 = 1114
	OidTimestampTZ  uint32 = 1184
	OidInterval     uint32 = 1186
	OidNumeric      uint32 = 1700
	OidRegclass     uint32 = 2205
	OidRegtype      uint32 = 2206
	OidRecord       uint32 = 2249
	OidVoid         uint32 = 2278
	OidUUID         uint32 = 2950
	OidJSONB        uint32 = 3802
	// OidVector is Quiver's fixed OID for pgvector's vector type. Clients
	// look it up by name (to_regtype('vector')), so only stability matters;
	// it sits in the range PostgreSQL leaves to extensions' first objects.
	OidVector      uint32 = 16385
	OidVectorArray uint32 = 16386
	// OidHalfvec and OidHalfvecArray are pgvector's halfvec and _halfvec,
	// fixed for the same reason; 16387 to 16394 are taken by extension
	// vector's other objects.
	OidHalfvec      uint32 = 16395
	OidHalfvecArray uint32 = 16396
	// OidSparsevec and OidSparsevecArray are pgvector's sparsevec and
	// _sparsevec; 16397 is halfvec_ops.
	OidSparsevec      uint32 = 16398
	OidSparsevecArray uint32 = 16399
	// OidCitext and OidCitextArray are citext and _citext, fixed for the
	// same reason (clients know citext by name; PostgreSQL has no fixed
	// OID for it). They lie below 16384, where no enum type of an existing
	// database can already have them, in the range PostgreSQL's own
	// catalogs never use (8000-9999 is kept for its development).
	OidCitext      uint32 = 9010
	OidCitextArray uint32 = 9011
)

// T is a SQL type: a family plus its modifiers.
type T struct {
	Family Family
	// Width is varchar(n)/char(n)'s and bit(n)/varbit(n)'s n, numeric's
	// precision, vector's and halfvec's dimensions; 0 means unconstrained. For timestamp, timestamptz and
	// interval it is the fractional-second precision plus one (so that
	// timestamp(0) differs from timestamp); use TimePrecision to read it.
	Width int32
	// Scale is numeric's scale (meaningful only when Width > 0).
	Scale int32
	// Elem is the element type of an array.
	Elem *T
	// Enum identifies an enum type and holds its labels (FamEnum only).
	Enum *EnumType `json:",omitempty"`
	// Fields name a record's columns (FamRecord: a whole-row reference's
	// type); nil for an anonymous record.
	Fields []Field `json:",omitempty"`
}

// Field is one named column of a record type.
type Field struct {
	Name string
	Type *T
}

// Unconstrained instances, shared and never mutated.
var (
	Unknown      = &T{Family: FamUnknown}
	Bool         = &T{Family: FamBool}
	Int2         = &T{Family: FamInt2}
	Int4         = &T{Family: FamInt4}
	Int8         = &T{Family: FamInt8}
	Float4       = &T{Family: FamFloat4}
	Float8       = &T{Family: FamFloat8}
	Numeric      = &T{Family: FamNumeric}
	Text         = &T{Family: FamText}
	Varchar      = &T{Family: FamVarchar}
	Bpchar       = &T{Family: FamChar}
	Name         = &T{Family: FamName}
	Bytea        = &T{Family: FamBytea}
	Date         = &T{Family: FamDate}
	Timestamp    = &T{Family: FamTimestamp}
	TimestampTZ  = &T{Family: FamTimestampTZ}
	Interval     = &T{Family: FamInterval}
	UUID         = &T{Family: FamUUID}
	JSON         = &T{Family: FamJSON}
	JSONB        = &T{Family: FamJSONB}
	Oid          = &T{Family: FamOid}
	Regclass     = &T{Family: FamRegclass}
	Regtype      = &T{Family: FamRegtype}
	Regproc      = &T{Family: FamRegproc}
	Regnamespace = &T{Family: FamRegnamespace}
	Regrole      = &T{Family: FamRegrole}
	Xid          = &T{Family: FamXid}
	Cid          = &T{Family: FamCid}
	Tid          = &T{Family: FamTid}
	Vector       = &T{Family: FamVector}
	Halfvec      = &T{Family: FamHalfvec}
	Sparsevec    = &T{Family: FamSparsevec}
	Bit          = &T{Family: FamBit}
	Varbit       = &T{Family: FamVarbit}
	Void         = &T{Family: FamVoid}
	Record       = &T{Family: FamRecord}
	Citext       = &T{Family: FamCitext}
)

// ArrayOf returns the array type with elements of type elem.
func ArrayOf(elem *T) *T { return &T{Family: FamArray, Elem: elem} }

// vectorForm marks, in an array type's Width, int2vector and oidvector:
// one-dimensional arrays whose text form lists the elements separated by
// spaces ("1 2"), the types of pg_index.indkey and indclass.
const vectorForm = -1

// Int2Vector and OidVectorT are int2vector and oidvector.
var (
	Int2Vector = &T{Family: FamArray, Elem: Int2, Width: vectorForm}
	OidVectorT = &T{Family: FamArray, Elem: Oid, Width: vectorForm}
)

// isVectorForm reports whether t is int2vector or oidvector.
func (t *T) isVectorForm() bool { return t != nil && t.Family == FamArray && t.Width == vectorForm }

// LowerBound is the first subscript of t's values: 0 for int2vector and
// oidvector (indkey[0] is an index's first column), 1 for other arrays.
func (t *T) LowerBound() int {
	if t.isVectorForm() {
		return 0
	}
	return 1
}

// vectorFormInfo is int2vector's or oidvector's OID and name.
func (t *T) vectorFormInfo() (uint32, string) {
	if t.Elem.Family == FamOid {
		return 30, "oidvector"
	}
	return 22, "int2vector"
}

// VarcharN, BpcharN, NumericPS, VectorN and HalfvecN build constrained types.
func VarcharN(n int32) *T         { return &T{Family: FamVarchar, Width: n} }
func BpcharN(n int32) *T          { return &T{Family: FamChar, Width: n} }
func NumericPS(p, s int32) *T     { return &T{Family: FamNumeric, Width: p, Scale: s} }
func VectorN(dims int32) *T       { return &T{Family: FamVector, Width: dims} }
func HalfvecN(dims int32) *T      { return &T{Family: FamHalfvec, Width: dims} }
func SparsevecN(dims int32) *T    { return &T{Family: FamSparsevec, Width: dims} }
func BitN(n int32) *T             { return &T{Family: FamBit, Width: n} }
func VarbitN(n int32) *T          { return &T{Family: FamVarbit, Width: n} }
func (t *T) IsArray() bool        { return t.Family == FamArray }
func (t *T) Equal(o *T) bool      { return t.Identical(o) }
func (t *T) SameFamily(o *T) bool { return t.Family == o.Family }

// Identical reports whether t and o are the same type including modifiers.
func (t *T) Identical(o *T) bool {
	if t == o {
		return true
	}
	if t == nil || o == nil || t.Family != o.Family || t.Width != o.Width || t.Scale != o.Scale {
		return false
	}
	if t.Family == FamArray {
		return t.Elem.Identical(o.Elem)
	}
	if t.Family == FamEnum {
		return t.Enum != nil && o.Enum != nil && t.Enum.OID == o.Enum.OID
	}
	return true
}

type famInfo struct {
	oid, arrayOid uint32
	name          string // pg_type.typname
	sqlName       string // format_type's spelling
	size          int16  // typlen
}

var famInfos = map[Family]famInfo{
	FamUnknown:      {OidUnknown, 0, "unknown", "unknown", -2},
	FamBool:         {OidBool, 1000, "bool", "boolean", 1},
	FamInt2:         {OidInt2, 1005, "int2", "smallint", 2},
	FamInt4:         {OidInt4, 1007, "int4", "integer", 4},
	FamInt8:         {OidInt8, 1016, "int8", "bigint", 8},
	FamFloat4:       {OidFloat4, 1021, "float4", "real", 4},
	FamFloat8:       {OidFloat8, 1022, "float8", "double precision", 8},
	FamNumeric:      {OidNumeric, 1231, "numeric", "numeric", -1},
	FamText:         {OidText, 1009, "text", "text", -1},
	FamVarchar:      {OidVarchar, 1015, "varchar", "character varying", -1},
	FamChar:         {OidBpchar, 1014, "bpchar", "character", -1},
	FamName:         {OidName, 1003, "name", "name", 64},
	FamBytea:        {OidBytea, 1001, "bytea", "bytea", -1},
	FamDate:         {OidDate, 1182, "date", "date", 4},
	FamTimestamp:    {OidTimestamp, 1115, "timestamp", "timestamp without time zone", 8},
	FamTimestampTZ:  {OidTimestampTZ, 1185, "timestamptz", "timestamp with time zone", 8},
	FamInterval:     {OidInterval, 1187, "interval", "interval", 16},
	FamUUID:         {OidUUID, 2951, "uuid", "uuid", 16},
	FamJSON:         {OidJSON, 199, "json", "json", -1},
	FamJSONB:        {OidJSONB, 3807, "jsonb", "jsonb", -1},
	FamOid:          {OidOid, 1028, "oid", "oid", 4},
	FamRegclass:     {OidRegclass, 2210, "regclass", "regclass", 4},
	FamRegtype:      {OidRegtype, 2211, "regtype", "regtype", 4},
	FamRegproc:      {OidRegproc, 1008, "regproc", "regproc", 4},
	FamRegnamespace: {OidRegnamespace, 4090, "regnamespace", "regnamespace", 4},
	FamRegrole:      {OidRegrole, 4097, "regrole", "regrole", 4},
	FamVector:       {OidVector, OidVectorArray, "vector", "vector", -1},
	FamHalfvec:      {OidHalfvec, OidHalfvecArray, "halfvec", "halfvec", -1},
	FamSparsevec:    {OidSparsevec, OidSparsevecArray, "sparsevec", "sparsevec", -1},
	FamBit:          {OidBit, 1561, "bit", "bit", -1},
	FamVarbit:       {OidVarbit, 1563, "varbit", "bit varying", -1},
	FamVoid:         {OidVoid, 0, "void", "void", 4},
	FamRecord:       {OidRecord, 2287, "record", "record", -1},
	FamXid:          {OidXid, 1011, "xid", "xid", 4},
	FamCid:          {OidCid, 1012, "cid", "cid", 4},
	FamTid:          {OidTid, 1010, "tid", "tid", 6},
	FamCitext:       {OidCitext, OidCitextArray, "citext", "citext", -1},
}

// Category is pg_type.typcategory, which overload resolution and pg_type
// both read.
func (t *T) Category() byte {
	switch t.Family {
	case FamInt2, FamInt4, FamInt8, FamFloat4, FamFloat8, FamNumeric,
		FamOid, FamRegclass, FamRegtype, FamRegproc, FamRegnamespace, FamRegrole:
		return 'N'
	case FamText, FamVarchar, FamChar, FamName, FamCitext:
		return 'S'
	case FamDate, FamTimestamp, FamTimestampTZ:
		return 'D'
	case FamInterval:
		return 'T'
	case FamBool:
		return 'B'
	case FamBit, FamVarbit:
		return 'V'
	case FamArray:
		return 'A'
	case FamRecord, FamVoid:
		return 'P'
	case FamEnum:
		return 'E'
	case FamUnknown:
		return 'X'
	}
	return 'U'
}

// Preferred is pg_type.typispreferred: the type implicit casts within
// its category favour.
func (t *T) Preferred() bool {
	switch t.Family {
	case FamFloat8, FamOid, FamText, FamTimestampTZ, FamInterval, FamBool, FamVarbit:
		return true
	}
	return false
}

// OID returns the PostgreSQL type OID.
func (t *T) OID() uint32 {
	if t.isVectorForm() {
		oid, _ := t.vectorFormInfo()
		return oid
	}
	if t.Family == FamArray {
		if t.Elem.Family == FamEnum && t.Elem.Enum != nil {
			return t.Elem.Enum.ArrayOID
		}
		return famInfos[t.Elem.Family].arrayOid
	}
	if t.Family == FamEnum && t.Enum != nil {
		return t.Enum.OID
	}
	return famInfos[t.Family].oid
}

// TypeName returns pg_type.typname (e.g. "int4", "_text").
func (t *T) TypeName() string {
	if t.isVectorForm() {
		_, name := t.vectorFormInfo()
		return name
	}
	if t.Family == FamArray {
		return "_" + t.Elem.TypeName()
	}
	if t.Family == FamEnum && t.Enum != nil {
		return t.Enum.Name
	}
	return famInfos[t.Family].name
}

// Len returns pg_type.typlen.
func (t *T) Len() int16 {
	if t.Family == FamArray {
		return -1
	}
	if t.Family == FamEnum {
		return 4
	}
	return famInfos[t.Family].size
}

// Typmod returns the type modifier as PostgreSQL reports it in
// RowDescription and pg_attribute.atttypmod (-1 when unconstrained).
func (t *T) Typmod() int32 {
	switch t.Family {
	case FamVarchar, FamChar:
		if t.Width > 0 {
			return t.Width + 4
		}
	case FamNumeric:
		if t.Width > 0 {
			return ((t.Width << 16) | (t.Scale & 0xffff)) + 4
		}
	case FamVector, FamHalfvec, FamSparsevec, FamBit, FamVarbit:
		if t.Width > 0 {
			return t.Width
		}
	case FamTimestamp, FamTimestampTZ:
		if t.Width > 0 {
			return t.Width - 1
		}
	case FamInterval:
		if t.Width > 0 {
			return intervalFullRange<<16 | (t.Width - 1)
		}
	case FamArray:
		return t.Elem.Typmod()
	}
	return -1
}

// String returns the type as format_type() spells it, e.g.
// "character varying(10)", "numeric(10,2)", "vector(3)", "integer[]".
func (t *T) String() string {
	if t == nil {
		return "<nil>"
	}
	if t.isVectorForm() {
		_, name := t.vectorFormInfo()
		return name
	}
	if t.Family == FamArray {
		return t.Elem.String() + "[]"
	}
	if t.Family == FamEnum && t.Enum != nil {
		// format_type qualifies a type not visible on the search path;
		// Quiver's types know no search path, so the name stands alone.
		return QuoteIdent(t.Enum.Name)
	}
	base := famInfos[t.Family].sqlName
	switch t.Family {
	case FamVarchar, FamChar, FamVector, FamHalfvec, FamSparsevec, FamBit, FamVarbit:
		if t.Width > 0 {
			return fmt.Sprintf("%s(%d)", base, t.Width)
		}
	case FamNumeric:
		if t.Width > 0 {
			return fmt.Sprintf("numeric(%d,%d)", t.Width, t.Scale)
		}
	case FamTimestamp, FamTimestampTZ:
		if t.Width > 0 {
			return fmt.Sprintf("timestamp(%d) %s", t.Width-1, strings.TrimPrefix(base, "timestamp "))
		}
	case FamInterval:
		if t.Width > 0 {
			return fmt.Sprintf("interval(%d)", t.Width-1)
		}
	}
	return base
}

// intervalFullRange is INTERVAL_FULL_RANGE, the field mask PostgreSQL puts
// in the high half of an interval typmod when no fields are named.
const intervalFullRange = 0x7FFF

// TimePrecision returns the fractional-second precision of a timestamp,
// timestamptz or interval type, and false when it is unconstrained.
func (t *T) TimePrecision() (int, bool) {
	switch t.Family {
	case FamTimestamp, FamTimestampTZ, FamInterval:
		if t.Width > 0 {
			return int(t.Width - 1), true
		}
	}
	return 0, false
}

// TimeP builds timestamp(p), timestamptz(p) or interval(p) from one of the
// unconstrained Timestamp, TimestampTZ and Interval.
func TimeP(base *T, p int32) *T { return &T{Family: base.Family, Width: p + 1} }

// BaseString returns the type's name without modifiers, as PostgreSQL's
// format_type_be spells it in messages such as `column "c" is of type
// numeric but expression is of type character`.
func (t *T) BaseString() string {
	if t == nil {
		return "<nil>"
	}
	if t.Family == FamArray {
		return t.Elem.BaseString() + "[]"
	}
	if t.Family == FamEnum && t.Enum != nil {
		return QuoteIdent(t.Enum.Name)
	}
	return famInfos[t.Family].sqlName
}

// ByOID returns the unconstrained type with the given OID, or nil.
func ByOID(oid uint32) *T {
	for fam, info := range famInfos {
		if info.oid == oid && fam != FamUnknown {
			return &T{Family: fam}
		}
		if info.arrayOid == oid && oid != 0 {
			return ArrayOf(&T{Family: fam})
		}
	}
	if oid == OidUnknown {
		return Unknown
	}
	for _, v := range []*T{Int2Vector, OidVectorT} {
		if v.OID() == oid {
			return v
		}
	}
	return nil
}

// IsVectorFamily reports pgvector's dense vector types, vector and
// halfvec: both hold float32s in memory (halfvec's exactly representable
// in half precision), so distance kernels serve both.
func (t *T) IsVectorFamily() bool {
	return t != nil && (t.Family == FamVector || t.Family == FamHalfvec)
}

// IsNumericFamily reports whether values of t take part in arithmetic.
func (t *T) IsNumericFamily() bool {
	switch t.Family {
	case FamInt2, FamInt4, FamInt8, FamFloat4, FamFloat8, FamNumeric:
		return true
	}
	return false
}

// Collatable reports whether a COLLATE clause may name t: string types
// and arrays of them.
func (t *T) Collatable() bool {
	for t.Family == FamArray {
		t = t.Elem
	}
	return t.IsStringFamily()
}

// IsStringFamily reports text-like types (text, varchar, char, name,
// citext).
func (t *T) IsStringFamily() bool {
	switch t.Family {
	case FamText, FamVarchar, FamChar, FamName, FamCitext:
		return true
	}
	return false
}

// IsIntegerFamily reports int2/int4/int8.
func (t *T) IsIntegerFamily() bool {
	switch t.Family {
	case FamInt2, FamInt4, FamInt8:
		return true
	}
	return false
}

// normalizeName lower-cases and collapses internal spaces so that
// "DOUBLE  PRECISION" and "double precision" resolve alike.
func normalizeName(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(name)), " ")
}
