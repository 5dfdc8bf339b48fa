// Package keys encodes SQL values into memcomparable byte strings: comparing
// two encodings with bytes.Compare gives the same answer as comparing the
// values in SQL (PostgreSQL's btree order, C collation for text), so primary
// keys and index entries can live in an ordered KV store and range scans
// follow SQL order. Every encoding is prefix-free, which lets several values
// be concatenated into one composite key and lets a descending column be
// encoded by complementing its bytes.
package keys

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/types"
)

// Markers open every encoded value. NULL sorts after every value ascending
// (PostgreSQL's NULLS LAST default) and, complemented, before every value
// descending (NULLS FIRST for DESC).
const (
	markerValue byte = 0x01
	markerNull  byte = 0xFF
)

// Numeric sub-markers order the classes of decimals.
const (
	decNegInf byte = 0x01
	decNeg    byte = 0x02
	decZero   byte = 0x03
	decPos    byte = 0x04
	decPosInf byte = 0x05
	decNaN    byte = 0x06
)

// Encode appends the memcomparable encoding of d to buf; desc reverses the
// order. Values of different Datum kinds are not comparable with each other,
// so callers encode a column's values with one kind.
func Encode(buf []byte, d types.Datum, desc bool) ([]byte, error) {
	start := len(buf)
	buf, err := encodeAsc(buf, d)
	if err != nil {
		return nil, err
	}
	if desc {
		// Complementing a prefix-free encoding reverses its order.
		for i := start; i < len(buf); i++ {
			buf[i] = ^buf[i]
		}
	}
	return buf, nil
}

func encodeAsc(buf []byte, d types.Datum) ([]byte, error) {
	if types.IsNull(d) {
		return append(buf, markerNull), nil
	}
	buf = append(buf, markerValue)
	switch v := d.(type) {
	case types.DBool:
		if v {
			return append(buf, 1), nil
		}
		return append(buf, 0), nil
	case types.DInt:
		return appendInt64(buf, int64(v)), nil
	case types.DFloat:
		return appendFloat(buf, float64(v)), nil
	case *types.DDecimal:
		return appendDecimal(buf, &v.Decimal), nil
	case types.DString:
		return appendBytes(buf, []byte(v)), nil
	case types.DBytes:
		return appendBytes(buf, v), nil
	case types.DJSON:
		return appendBytes(buf, []byte(v)), nil
	case types.DDate:
		return appendInt64(buf, int64(v)), nil
	case types.DTimestamp:
		return appendInt64(buf, int64(v)), nil
	case types.DTimestampTZ:
		return appendInt64(buf, int64(v)), nil
	case types.DInterval:
		return appendInterval(buf, v), nil
	case types.DUUID:
		return append(buf, v[:]...), nil
	case types.DEnum:
		// The sort order, so that keys follow the enum's order.
		return appendFloat(buf, float64(v.Sort)), nil
	case types.DOid:
		return binary.BigEndian.AppendUint32(buf, uint32(v)), nil
	case types.DTid:
		return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint32(buf, v.Block), v.Offset), nil
	case types.DVector:
		return appendVectorKey(buf, v), nil
	case types.DHalfvec:
		return appendVectorKey(buf, v), nil
	case *types.DSparsevec:
		return appendSparseKey(buf, v), nil
	case *types.DBit:
		// bit_cmp's order: the packed bytes (their padding is zero, so
		// comparing them compares the bits), then the length.
		return binary.BigEndian.AppendUint32(appendBytes(buf, v.Bytes), uint32(v.Len)), nil
	case *types.DArray:
		// PostgreSQL compares arrays element by element (NULL elements
		// greater than any value), then by length.
		var err error
		for _, e := range v.Elems {
			buf = append(buf, 0x01)
			if buf, err = encodeAsc(buf, e); err != nil {
				return nil, err
			}
		}
		return append(buf, 0x00), nil
	case types.DTuple:
		var err error
		for _, e := range v {
			buf = append(buf, 0x01)
			if buf, err = encodeAsc(buf, e); err != nil {
				return nil, err
			}
		}
		return append(buf, 0x00), nil
	}
	return nil, fmt.Errorf("keys: cannot encode %T", d)
}

func appendInt64(buf []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(buf, uint64(v)^(1<<63))
}

// appendFloat orders floats as PostgreSQL does: -Inf < negatives < -0 = 0 <
// positives < +Inf < NaN, all NaNs equal.
func appendFloat(buf []byte, f float64) []byte {
	var u uint64
	switch {
	case math.IsNaN(f):
		u = math.MaxUint64
	case f == 0:
		u = 1 << 63 // -0 encodes as +0
	default:
		u = math.Float64bits(f)
		if u&(1<<63) != 0 {
			u = ^u
		} else {
			u |= 1 << 63
		}
	}
	return binary.BigEndian.AppendUint64(buf, u)
}

// appendVectorKey encodes a vector or halfvec: pgvector compares element
// by element, then by dimension count.
func appendVectorKey(buf []byte, v []float32) []byte {
	for _, f := range v {
		buf = append(buf, 0x01)
		buf = appendFloat(buf, float64(f))
	}
	return append(buf, 0x00)
}

// appendBytes escapes 0x00 as 0x00 0xFF and terminates with 0x00 0x01, so a
// string sorts before any longer string it is a prefix of.
func appendBytes(buf []byte, b []byte) []byte {
	for _, c := range b {
		if c == 0 {
			buf = append(buf, 0x00, 0xFF)
			continue
		}
		buf = append(buf, c)
	}
	return append(buf, 0x00, 0x01)
}

// appendInterval orders intervals by PostgreSQL's interval_cmp_value: months
// count as 30 days, days as 24 hours. Equal spans ('1 month', '30 days')
// encode equal, as they are equal in a btree. The span needs 128 bits.
func appendInterval(buf []byte, v types.DInterval) []byte {
	const microsPerDay = 86400 * 1000000
	span := big.NewInt(int64(v.Months) * 30)
	span.Add(span, big.NewInt(int64(v.Days)))
	span.Mul(span, big.NewInt(microsPerDay))
	span.Add(span, big.NewInt(v.Micros))
	// Offset into the unsigned range: span + 2^127 as 16 big-endian bytes.
	off := new(big.Int).Lsh(big.NewInt(1), 127)
	off.Add(off, span)
	var b [16]byte
	off.FillBytes(b[:])
	return append(buf, b[:]...)
}

// appendDecimal writes a class byte, then for finite non-zero values the
// decimal exponent of the most significant digit and the significant digits
// (trailing zeros stripped, so 1.0 and 1.00 encode equal) two per byte.
// Negative values complement exponent and digits so larger magnitudes sort
// first.
func appendDecimal(buf []byte, d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return append(buf, decNaN)
	case apd.Infinite:
		if d.Negative {
			return append(buf, decNegInf)
		}
		return append(buf, decPosInf)
	}
	if d.Coeff.Sign() == 0 {
		return append(buf, decZero)
	}
	var abs apd.BigInt
	abs.Abs(&d.Coeff)
	digits := abs.Text(10)
	exp := int64(d.Exponent)
	for len(digits) > 1 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		exp++
	}
	// value = 0.digits × 10^e
	e := exp + int64(len(digits))
	neg := d.Negative
	if neg {
		buf = append(buf, decNeg)
		e = -e
	} else {
		buf = append(buf, decPos)
	}
	buf = binary.BigEndian.AppendUint64(buf, uint64(e)^(1<<63))
	for i := 0; i < len(digits); i += 2 {
		hi := digits[i] - '0'
		lo := byte(0)
		if i+1 < len(digits) {
			lo = digits[i+1] - '0'
		}
		b := hi*10 + lo + 1 // 1..100, never the terminator
		if neg {
			b = ^b
		}
		buf = append(buf, b)
	}
	if neg {
		return append(buf, 0xFF)
	}
	return append(buf, 0x00)
}

// PrefixEnd returns the smallest key greater than every key that starts
// with prefix (nil when there is none, i.e. prefix is all 0xFF).
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// appendSparseKey encodes a sparsevec in pgvector's sparsevec_cmp order:
// the dense elements in turn, then the dimensions. Walking both vectors'
// non-zero elements, the first difference decides. A positive element
// sorts above the zeros the other vector has there, and the earlier the
// higher: tag 0x03, complemented index, value. A negative element sorts
// below them, the earlier the lower, and below the end of a vector whose
// dimensions cover it but above the end of one whose dimensions stop
// before it (pgvector then compares dimensions): tag 0x02, index+1, 0x00,
// value, against the end's tag 0x02, dimensions, 0x01.
func appendSparseKey(buf []byte, v *types.DSparsevec) []byte {
	for i, ix := range v.Indices {
		f := v.Values[i]
		if f < 0 {
			buf = append(buf, 0x02)
			buf = binary.BigEndian.AppendUint32(buf, uint32(ix)+1)
			buf = append(buf, 0x00)
		} else {
			buf = append(buf, 0x03)
			buf = binary.BigEndian.AppendUint32(buf, ^uint32(ix))
		}
		buf = appendFloat(buf, float64(f))
	}
	buf = append(buf, 0x02)
	buf = binary.BigEndian.AppendUint32(buf, uint32(v.Dim))
	return append(buf, 0x01)
}
