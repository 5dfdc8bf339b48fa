package types

import (
	"strconv"
	"time"
)

func appendText(buf []byte, t *T, d Datum, loc *time.Location) []byte {
	switch v := d.(type) {
	case nil, DNull:
		return buf
	case DBool:
		if v {
			return append(buf, 't')
		}
		return append(buf, 'f')
	case DInt:
		return strconv.AppendInt(buf, int64(v), 10)
	case DFloat:
		bits := 64
		if t.Family == FamFloat4 {
			bits = 32
		}
		return appendFloat(buf, float64(v), bits)
	case *DDecimal:
		return appendNumeric(buf, v)
	case DString:
		return append(buf, v...)
	case DBytes:
		return appendBytea(buf, v)
	case DDate:
		return appendDate(buf, v)
	case DTimestamp:
		return appendTimestamp(buf, int64(v), false, 0)
	case DTimestampTZ:
		return appendTimestampTZ(buf, v, loc)
	case DInterval:
		return appendInterval(buf, v)
	case DUUID:
		return appendUUID(buf, v)
	case DEnum:
		return append(buf, v.Label...)
	case DJSON:
		return append(buf, v...)
	case DTid:
		return appendTid(buf, v)
	case DOid:
		if t != nil && t.Family == FamRegtype && v == 0 {
			return append(buf, '-') // regtypeout's InvalidOid
		}
		if t != nil && t.Family == FamRegtype {
			if named := ByOID(uint32(v)); named != nil {
				return append(buf, named.String()...)
			}
		}
		return strconv.AppendUint(buf, uint64(v), 10)
	case DNamedOid:
		return append(buf, v.Name...)
	case DVector:
		return appendVector(buf, v)
	case DHalfvec:
		return appendVector(buf, v)
	case *DSparsevec:
		return appendSparsevec(buf, v)
	case *DBit:
		return appendBits(buf, v)
	case *DArray:
		return appendArray(buf, t, v, loc)
	case DTuple:
		return appendTuple(buf, v, loc)
	}
	return buf
}

// appendTuple writes a record as record_out does, guessing element types
// from the values since a record carries none.
func appendTuple(buf []byte, tup DTuple, loc *time.Location) []byte {
	buf = append(buf, '(')
	for i, e := range tup {
		if i > 0 {
			buf = append(buf, ',')
		}
		if IsNull(e) {
			continue
		}
		text := appendText(nil, typeOfDatum(e), e, loc)
		quote := len(text) == 0
		for _, c := range text {
			if c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' || pgSpace(c) {
				quote = true
			}
		}
		if !quote {
			buf = append(buf, text...)
			continue
		}
		buf = append(buf, '"')
		for _, c := range text {
			if c == '"' || c == '\\' {
				buf = append(buf, c)
			}
			buf = append(buf, c)
		}
		buf = append(buf, '"')
	}
	return append(buf, ')')
}

// typeOfDatum gives a plausible type for a value whose type is not known.
func typeOfDatum(d Datum) *T {
	switch v := d.(type) {
	case DBool:
		return Bool
	case DInt:
		return Int8
	case DFloat:
		return Float8
	case *DDecimal:
		return Numeric
	case DBytes:
		return Bytea
	case DDate:
		return Date
	case DTimestamp:
		return Timestamp
	case DTimestampTZ:
		return TimestampTZ
	case DInterval:
		return Interval
	case DUUID:
		return UUID
	case DJSON:
		return JSONB
	case DOid:
		return Oid
	case DTid:
		return Tid
	case DVector:
		return Vector
	case DHalfvec:
		return Halfvec
	case *DSparsevec:
		return Sparsevec
	case *DBit:
		return Varbit
	case *DArray:
		if v.Elem != nil {
			return ArrayOf(v.Elem)
		}
		return ArrayOf(Text)
	case DTuple:
		return Record
	}
	return Text
}
