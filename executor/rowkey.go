package executor

import (
	"encoding/binary"
	"math"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/types"
)

// appendRowKey appends a canonical encoding of values for hashing: two
// rows get the same bytes exactly when they are equal for grouping,
// DISTINCT, set operations and hash joins (1.0 = 1.00, -0 = 0, NULLs
// group together). Unlike storage keys it need not preserve order. typs
// are the values' types where known (nil or short is fine): only citext
// needs them, since its values are equal in any letter case.
func appendRowKey(buf []byte, row []types.Datum, typs []*types.T) []byte {
	for i, d := range row {
		var t *types.T
		if i < len(typs) {
			t = typs[i]
		}
		buf = appendDatumKey(buf, d, t)
	}
	return buf
}

// columnTypes lists cols' types, appendRowKey's typs.
func columnTypes(cols []planner.Column) []*types.T {
	typs := make([]*types.T, len(cols))
	for i, c := range cols {
		typs[i] = c.T
	}
	return typs
}

// exprTypes lists exprs' types, appendRowKey's typs.
func exprTypes(exprs []planner.Expr) []*types.T {
	typs := make([]*types.T, len(exprs))
	for i, e := range exprs {
		typs[i] = e.Type()
	}
	return typs
}

func appendDatumKey(buf []byte, d types.Datum, t *types.T) []byte {
	switch v := d.(type) {
	case nil, types.DNull:
		return append(buf, 0)
	case types.DBool:
		if v {
			return append(buf, 1, 1)
		}
		return append(buf, 1, 0)
	case types.DInt:
		buf = append(buf, 2)
		return binary.BigEndian.AppendUint64(buf, uint64(v))
	case types.DFloat:
		f := float64(v)
		if f == 0 {
			f = 0 // folds -0 into 0
		}
		if math.IsNaN(f) {
			f = math.NaN()
		}
		buf = append(buf, 3)
		return binary.BigEndian.AppendUint64(buf, math.Float64bits(f))
	case *types.DDecimal:
		var r types.DDecimal
		r.Reduce(&v.Decimal)
		return appendBytesKey(append(buf, 4), []byte(r.Text('E')))
	case types.DString:
		if t != nil && t.Family == types.FamCitext {
			v = types.DString(types.CitextFold(string(v)))
		}
		return appendBytesKey(append(buf, 5), []byte(v))
	case types.DBytes:
		return appendBytesKey(append(buf, 6), v)
	case types.DDate:
		return binary.BigEndian.AppendUint32(append(buf, 7), uint32(v))
	case types.DTimestamp:
		return binary.BigEndian.AppendUint64(append(buf, 8), uint64(v))
	case types.DTimestampTZ:
		return binary.BigEndian.AppendUint64(append(buf, 9), uint64(v))
	case types.DInterval:
		// Intervals compare equal when their spans match (1 day = 24 hours).
		span := types.IntervalSpan(v)
		buf = append(buf, 10, byte(span.Sign()+1))
		return appendBytesKey(buf, span.Bytes())
	case types.DUUID:
		return append(append(buf, 11), v[:]...)
	case types.DJSON:
		return appendBytesKey(append(buf, 12), []byte(v))
	case types.DOid:
		return binary.BigEndian.AppendUint32(append(buf, 13), uint32(v))
	case types.DEnum:
		return binary.BigEndian.AppendUint32(append(buf, 13), v.OID)
	case types.DVector:
		return appendVectorRowKey(buf, v)
	case types.DHalfvec:
		return appendVectorRowKey(buf, v)
	case *types.DSparsevec:
		// Stored values are never zero, so equal sparsevecs have equal
		// index and value lists.
		buf = binary.BigEndian.AppendUint32(append(buf, 17), uint32(v.Dim))
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(v.Indices)))
		for i, ix := range v.Indices {
			buf = binary.BigEndian.AppendUint32(buf, uint32(ix))
			buf = binary.BigEndian.AppendUint32(buf, math.Float32bits(v.Values[i]))
		}
		return buf
	case *types.DBit:
		// Padding bits are zero, so equal bit strings have equal bytes.
		buf = binary.BigEndian.AppendUint32(append(buf, 18), uint32(v.Len))
		return append(buf, v.Bytes...)
	case *types.DArray:
		buf = binary.BigEndian.AppendUint32(append(buf, 15), uint32(len(v.Elems)))
		var elem *types.T
		if t != nil && t.Family == types.FamArray {
			elem = t.Elem
		}
		for _, e := range v.Elems {
			buf = appendDatumKey(buf, e, elem)
		}
		return buf
	case types.DTuple:
		buf = binary.BigEndian.AppendUint32(append(buf, 16), uint32(len(v)))
		var fields []*types.T
		if t != nil {
			for _, f := range t.Fields {
				fields = append(fields, f.Type)
			}
		}
		return appendRowKey(buf, v, fields)
	}
	return append(buf, 255)
}

func appendBytesKey(buf, b []byte) []byte {
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
	return append(buf, b...)
}

// appendVectorRowKey encodes a vector or halfvec for grouping: -0 folds
// into 0, since pgvector's comparison finds them equal.
func appendVectorRowKey(buf []byte, v []float32) []byte {
	buf = binary.BigEndian.AppendUint32(append(buf, 14), uint32(len(v)))
	for _, f := range v {
		if f == 0 {
			f = 0
		}
		buf = binary.BigEndian.AppendUint32(buf, math.Float32bits(f))
	}
	return buf
}
