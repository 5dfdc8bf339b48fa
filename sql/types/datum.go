package types

import (
	"github.com/cockroachdb/apd/v3"
)

// Datum is one SQL value. The static type of a value is known from the plan,
// so a Datum need not carry it: DInt serves int2/int4/int8 alike.
type Datum interface {
	datum()
}

// DNull is SQL NULL. Use the Null value; compare with d == Null.
type DNull struct{}

// Null is the only NULL value.
var Null Datum = DNull{}

// DBool is a boolean.
type DBool bool

// DInt is an integer of any width.
type DInt int64

// DFloat is a float4 or float8 (float4 values are stored rounded).
type DFloat float64

// DDecimal is an exact numeric. Always used by pointer.
type DDecimal struct{ apd.Decimal }

// DString is text, varchar, char (blank padded) or name.
type DString string

// DBytes is bytea.
type DBytes []byte

// DDate is a date as days since 2000-01-01 (PostgreSQL's epoch).
type DDate int32

// DTimestamp is a timestamp without time zone, microseconds since
// 2000-01-01 00:00:00 (PostgreSQL's internal form).
type DTimestamp int64

// DTimestampTZ is a timestamp with time zone, microseconds since
// 2000-01-01 00:00:00 UTC.
type DTimestampTZ int64

// DInterval is an interval as PostgreSQL keeps it: months, days and
// microseconds, never normalised across the three.
type DInterval struct {
	Months int32
	Days   int32
	Micros int64
}

// DUUID is a uuid.
type DUUID [16]byte

// DJSON is json or jsonb held as validated text (jsonb normalised).
type DJSON string

// DOid is an oid, regclass, regtype or regproc.
type DOid uint32

// DNamedOid is a regclass or regproc value on its way to a client: the
// executor, which knows the catalog, has looked its name up. Text output
// shows the name, binary output the OID.
type DNamedOid struct {
	Oid  uint32
	Name string
}

// DVector is a pgvector vector.
type DVector []float32

// DHalfvec is a pgvector halfvec. Its elements are float32s holding
// values exactly representable in IEEE half precision (RoundHalf has
// rounded them): arithmetic and distances run in float32 as pgvector's
// do, and storage and the binary wire form keep two bytes per element.
type DHalfvec []float32

// VectorElems returns the elements of a vector or halfvec; ok is false
// for any other datum (NULL included).
func VectorElems(d Datum) (elems []float32, ok bool) {
	switch v := d.(type) {
	case DVector:
		return v, true
	case DHalfvec:
		return v, true
	}
	return nil, false
}

// DArray is a one-dimensional array; Elems may hold Null.
type DArray struct {
	Elem  *T
	Elems []Datum
}

// DTuple is a row value (ROW(...), record).
type DTuple []Datum

func (DNull) datum()        {}
func (DBool) datum()        {}
func (DInt) datum()         {}
func (DFloat) datum()       {}
func (*DDecimal) datum()    {}
func (DString) datum()      {}
func (DBytes) datum()       {}
func (DDate) datum()        {}
func (DTimestamp) datum()   {}
func (DTimestampTZ) datum() {}
func (DInterval) datum()    {}
func (DUUID) datum()        {}
func (DJSON) datum()        {}
func (DOid) datum()         {}
func (DVector) datum()      {}
func (DHalfvec) datum()     {}
func (DNamedOid) datum()    {}
func (*DArray) datum()      {}
func (DTuple) datum()       {}

// IsNull reports whether d is SQL NULL (a nil Datum counts as NULL).
func IsNull(d Datum) bool {
	if d == nil {
		return true
	}
	_, ok := d.(DNull)
	return ok
}
