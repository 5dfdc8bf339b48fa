package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// Row values are a format byte followed by (tag, payload) pairs for the
// non-NULL columns. The tag is uvarint(columnID<<3 | wire) and the wire type
// says how long the payload is, so a reader can skip a column it no longer
// knows. Columns are found by ID, never by position: adding or dropping a
// column never rewrites stored rows, and a column absent from a row is NULL.
const rowFormatV1 byte = 1

const (
	wireVarint  = 0 // zigzag or plain varint
	wireFixed64 = 1 // 8 bytes little-endian
	wireBytes   = 2 // uvarint length + bytes
)

var errCorruptRow = errors.New("storage: corrupt row value")

// encodeRow encodes a full-width row of tb, version v first (so that
// reading it back needs no walk over the columns).
func encodeRow(buf []byte, tb *catalog.Table, row []types.Datum, v RowVersion) ([]byte, error) {
	if len(row) != len(tb.Columns) {
		return nil, fmt.Errorf("storage: row has %d values, table %q has %d columns", len(row), tb.Name, len(tb.Columns))
	}
	buf = append(buf, rowFormatV1)
	buf = appendVersion(buf, v)
	for i := range tb.Columns {
		c := &tb.Columns[i]
		d := row[i]
		if c.Dropped || types.IsNull(d) {
			continue
		}
		var err error
		if buf, err = appendColumn(buf, uint64(c.ID), d); err != nil {
			return nil, fmt.Errorf("storage: column %q: %w", c.Name, err)
		}
	}
	return buf, nil
}

func appendColumn(buf []byte, id uint64, d types.Datum) ([]byte, error) {
	tag := func(wire uint64) { buf = binary.AppendUvarint(buf, id<<3|wire) }
	switch v := d.(type) {
	case types.DBool:
		tag(wireVarint)
		if v {
			return append(buf, 1), nil
		}
		return append(buf, 0), nil
	case types.DInt:
		tag(wireVarint)
		return binary.AppendVarint(buf, int64(v)), nil
	case types.DDate:
		tag(wireVarint)
		return binary.AppendVarint(buf, int64(v)), nil
	case types.DTimestamp:
		tag(wireVarint)
		return binary.AppendVarint(buf, int64(v)), nil
	case types.DTimestampTZ:
		tag(wireVarint)
		return binary.AppendVarint(buf, int64(v)), nil
	case types.DOid:
		tag(wireVarint)
		return binary.AppendUvarint(buf, uint64(v)), nil
	case types.DFloat:
		tag(wireFixed64)
		return binary.LittleEndian.AppendUint64(buf, math.Float64bits(float64(v))), nil
	}
	payload, err := appendPayload(nil, d)
	if err != nil {
		return nil, err
	}
	tag(wireBytes)
	buf = binary.AppendUvarint(buf, uint64(len(payload)))
	return append(buf, payload...), nil
}

// appendPayload encodes a value self-delimited by the caller's length; it
// also serves array elements.
func appendPayload(buf []byte, d types.Datum) ([]byte, error) {
	switch v := d.(type) {
	case types.DBool:
		if v {
			return append(buf, 1), nil
		}
		return append(buf, 0), nil
	case types.DInt:
		return binary.AppendVarint(buf, int64(v)), nil
	case types.DDate:
		return binary.AppendVarint(buf, int64(v)), nil
	case types.DTimestamp:
		return binary.AppendVarint(buf, int64(v)), nil
	case types.DTimestampTZ:
		return binary.AppendVarint(buf, int64(v)), nil
	case types.DOid:
		return binary.AppendUvarint(buf, uint64(v)), nil
	case types.DEnum:
		// The label's OID: RENAME VALUE leaves stored rows valid.
		return binary.AppendUvarint(buf, uint64(v.OID)), nil
	case types.DFloat:
		return binary.LittleEndian.AppendUint64(buf, math.Float64bits(float64(v))), nil
	case types.DString:
		return append(buf, v...), nil
	case types.DBytes:
		return append(buf, v...), nil
	case types.DJSON:
		return append(buf, v...), nil
	case types.DUUID:
		return append(buf, v[:]...), nil
	case types.DTid:
		return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint32(buf, v.Block), v.Offset), nil
	case types.DInterval:
		buf = binary.AppendVarint(buf, int64(v.Months))
		buf = binary.AppendVarint(buf, int64(v.Days))
		return binary.AppendVarint(buf, v.Micros), nil
	case types.DVector:
		for _, f := range v {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(f))
		}
		return buf, nil
	case *types.DSparsevec:
		return appendSparsePayload(buf, v), nil
	case *types.DBit:
		// The length, then the packed bytes.
		return append(binary.AppendUvarint(buf, uint64(v.Len)), v.Bytes...), nil
	case types.DHalfvec:
		// Two bytes per element, as pgvector stores halfvec: the reason
		// to choose the type over vector.
		for _, f := range v {
			buf = binary.LittleEndian.AppendUint16(buf, types.Float32ToHalf(f))
		}
		return buf, nil
	case *types.DDecimal:
		// form|negative, exponent, big-endian coefficient magnitude: exact,
		// and keeps the scale (1.00 stays 1.00).
		flags := byte(v.Form) << 1
		if v.Negative {
			flags |= 1
		}
		buf = append(buf, flags)
		buf = binary.AppendVarint(buf, int64(v.Exponent))
		var abs apd.BigInt
		abs.Abs(&v.Coeff)
		return append(buf, abs.Bytes()...), nil
	case *types.DArray:
		buf = binary.AppendUvarint(buf, uint64(len(v.Elems)))
		for _, e := range v.Elems {
			if types.IsNull(e) {
				buf = append(buf, 0)
				continue
			}
			p, err := appendPayload(nil, e)
			if err != nil {
				return nil, err
			}
			buf = append(buf, 1)
			buf = binary.AppendUvarint(buf, uint64(len(p)))
			buf = append(buf, p...)
		}
		return buf, nil
	}
	return nil, fmt.Errorf("cannot store a value of kind %T", d)
}

// decodeRow decodes a stored row into a full-width row of tb; colIdx maps
// column IDs to ordinals (see columnIndex; nil for columnOrdinal's direct
// lookup).
func decodeRow(tb *catalog.Table, colIdx map[uint32]int, b []byte) ([]types.Datum, error) {
	return decodeRowColumns(tb, colIdx, b, nil)
}

// decodeRowColumns is decodeRow leaving the columns whose ordinal want
// does not hold (want[ord] false) NULL; a nil want decodes every column.
func decodeRowColumns(tb *catalog.Table, colIdx map[uint32]int, b []byte, want []bool) ([]types.Datum, error) {
	row := make([]types.Datum, len(tb.Columns))
	for i := range row {
		row[i] = types.Null
	}
	err := eachColumn(tb, colIdx, b, func(ord int, raw []byte) error {
		if want != nil && (ord >= len(want) || !want[ord]) {
			return nil
		}
		d, err := decodePayload(tb.Columns[ord].Type, raw)
		if err != nil {
			return fmt.Errorf("storage: column %q: %w", tb.Columns[ord].Name, err)
		}
		row[ord] = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	return row, nil
}

// eachColumn calls fn with the ordinal and encoded payload of every
// non-NULL live column of a stored row, in stored order.
func eachColumn(tb *catalog.Table, colIdx map[uint32]int, b []byte, fn func(ord int, raw []byte) error) error {
	if len(b) == 0 || b[0] != rowFormatV1 {
		return errCorruptRow
	}
	b = b[1:]
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		if n <= 0 {
			return errCorruptRow
		}
		b = b[n:]
		id, wire := uint32(tag>>3), tag&7
		var raw []byte
		switch wire {
		case wireVarint:
			_, n = binary.Uvarint(b)
			if n <= 0 {
				return errCorruptRow
			}
			raw, b = b[:n], b[n:]
		case wireFixed64:
			if len(b) < 8 {
				return errCorruptRow
			}
			raw, b = b[:8], b[8:]
		case wireBytes:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errCorruptRow
			}
			raw, b = b[n:n+int(l)], b[n+int(l):]
		default:
			return errCorruptRow
		}
		if id == 0 {
			continue // the version record (rowversion.go)
		}
		ord, ok := columnOrdinal(tb, colIdx, id)
		if !ok || tb.Columns[ord].Dropped {
			continue
		}
		if err := fn(ord, raw); err != nil {
			return err
		}
	}
	return nil
}

func decodePayload(t *types.T, b []byte) (types.Datum, error) {
	varint := func() (int64, error) {
		v, n := binary.Varint(b)
		if n <= 0 || n != len(b) {
			return 0, errCorruptRow
		}
		return v, nil
	}
	switch t.Family {
	case types.FamBool:
		if len(b) != 1 {
			return nil, errCorruptRow
		}
		return types.DBool(b[0] != 0), nil
	case types.FamInt2, types.FamInt4, types.FamInt8:
		v, err := varint()
		return types.DInt(v), err
	case types.FamDate:
		v, err := varint()
		return types.DDate(v), err
	case types.FamTimestamp:
		v, err := varint()
		return types.DTimestamp(v), err
	case types.FamTimestampTZ:
		v, err := varint()
		return types.DTimestampTZ(v), err
	case types.FamEnum:
		v, n := binary.Uvarint(b)
		if n <= 0 || n != len(b) || t.Enum == nil {
			return nil, errCorruptRow
		}
		l, ok := t.Enum.ByOID(uint32(v))
		if !ok {
			return nil, errCorruptRow
		}
		return l.Datum(), nil
	case types.FamOid, types.FamRegclass, types.FamRegtype, types.FamRegproc, types.FamXid, types.FamCid:
		v, n := binary.Uvarint(b)
		if n <= 0 || n != len(b) {
			return nil, errCorruptRow
		}
		return types.DOid(v), nil
	case types.FamFloat4, types.FamFloat8:
		if len(b) != 8 {
			return nil, errCorruptRow
		}
		return types.DFloat(math.Float64frombits(binary.LittleEndian.Uint64(b))), nil
	case types.FamText, types.FamVarchar, types.FamChar, types.FamName, types.FamUnknown, types.FamCitext:
		return types.DString(b), nil
	case types.FamBytea:
		return types.DBytes(append([]byte(nil), b...)), nil
	case types.FamJSON, types.FamJSONB:
		return types.DJSON(b), nil
	case types.FamUUID:
		var u types.DUUID
		if len(b) != len(u) {
			return nil, errCorruptRow
		}
		copy(u[:], b)
		return u, nil
	case types.FamTid:
		if len(b) != 6 {
			return nil, errCorruptRow
		}
		return types.DTid{Block: binary.BigEndian.Uint32(b), Offset: binary.BigEndian.Uint16(b[4:])}, nil
	case types.FamInterval:
		var vals [3]int64
		for i := range vals {
			v, n := binary.Varint(b)
			if n <= 0 {
				return nil, errCorruptRow
			}
			vals[i], b = v, b[n:]
		}
		if len(b) != 0 {
			return nil, errCorruptRow
		}
		return types.DInterval{Months: int32(vals[0]), Days: int32(vals[1]), Micros: vals[2]}, nil
	case types.FamVector:
		if len(b)%4 != 0 {
			return nil, errCorruptRow
		}
		return types.DVector(decodeFloat32s(make([]float32, len(b)/4), b)), nil
	case types.FamSparsevec:
		return decodeSparsePayload(b)
	case types.FamBit, types.FamVarbit:
		return decodeBitPayload(b)
	case types.FamHalfvec:
		if len(b)%2 != 0 {
			return nil, errCorruptRow
		}
		return types.DHalfvec(decodeHalves(make([]float32, len(b)/2), b)), nil
	case types.FamNumeric:
		if len(b) < 2 {
			return nil, errCorruptRow
		}
		d := &types.DDecimal{}
		d.Form = apd.Form(b[0] >> 1)
		d.Negative = b[0]&1 != 0
		exp, n := binary.Varint(b[1:])
		if n <= 0 {
			return nil, errCorruptRow
		}
		d.Exponent = int32(exp)
		d.Coeff.SetBytes(b[1+n:])
		return d, nil
	case types.FamArray:
		if t.Elem == nil {
			return nil, errCorruptRow
		}
		cnt, n := binary.Uvarint(b)
		if n <= 0 || cnt > uint64(len(b)) {
			return nil, errCorruptRow
		}
		b = b[n:]
		arr := &types.DArray{Elem: t.Elem, Elems: make([]types.Datum, 0, cnt)}
		for range cnt {
			if len(b) == 0 {
				return nil, errCorruptRow
			}
			present := b[0]
			b = b[1:]
			if present == 0 {
				arr.Elems = append(arr.Elems, types.Null)
				continue
			}
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return nil, errCorruptRow
			}
			e, err := decodePayload(t.Elem, b[n:n+int(l)])
			if err != nil {
				return nil, err
			}
			arr.Elems = append(arr.Elems, e)
			b = b[n+int(l):]
		}
		return arr, nil
	}
	return nil, fmt.Errorf("cannot decode a value of type %v", t)
}

// nativeLittleEndian: stored float32s have the machine's own layout, so
// vectors decode with one copy.
var nativeLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// decodeFloat32s decodes len(dst) little-endian float32s from b (at least
// 4*len(dst) bytes long) into dst.
func decodeFloat32s(dst []float32, b []byte) []float32 {
	b = b[:4*len(dst)]
	if nativeLittleEndian && len(dst) > 0 {
		// A float32 is its IEEE bits in memory: copying the bytes is the
		// conversion (a full scan decodes a vector per row, and the
		// element loop was a sixth of an exact k-NN query's time).
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), len(b)), b)
		return dst
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i : 4*i+4]))
	}
	return dst
}

// decodeHalves decodes len(dst) little-endian halves from b (at least
// 2*len(dst) bytes long) into dst as float32s.
func decodeHalves(dst []float32, b []byte) []float32 {
	for i := range dst {
		dst[i] = types.HalfToFloat32(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return dst
}

// columnOrdinal finds column id's ordinal: through colIdx when given (a
// scan builds it once), else directly, since a column's ID is its ordinal
// + 1 unless columns were dropped and added, so a single-row read needs
// no map.
func columnOrdinal(tb *catalog.Table, colIdx map[uint32]int, id uint32) (int, bool) {
	if colIdx != nil {
		ord, ok := colIdx[id]
		return ord, ok
	}
	if i := int(id) - 1; i >= 0 && i < len(tb.Columns) && tb.Columns[i].ID == id {
		return i, true
	}
	for i := range tb.Columns {
		if tb.Columns[i].ID == id {
			return i, true
		}
	}
	return 0, false
}

// columnIndex maps column IDs to ordinals.
func columnIndex(tb *catalog.Table) map[uint32]int {
	m := make(map[uint32]int, len(tb.Columns))
	for i := range tb.Columns {
		m[tb.Columns[i].ID] = i
	}
	return m
}

// appendSparsePayload stores a sparsevec in space proportional to its
// non-zero elements: uvarint dimensions and count, each index as a
// uvarint gap from the one before (they ascend, so gaps are small), then
// the little-endian float32 values.
func appendSparsePayload(buf []byte, v *types.DSparsevec) []byte {
	buf = binary.AppendUvarint(buf, uint64(v.Dim))
	buf = binary.AppendUvarint(buf, uint64(len(v.Indices)))
	prev := int32(0)
	for _, ix := range v.Indices {
		buf = binary.AppendUvarint(buf, uint64(ix-prev))
		prev = ix
	}
	for _, f := range v.Values {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(f))
	}
	return buf
}

// decodeSparsePayload reverses appendSparsePayload, rejecting any value
// that could not have come from it.
func decodeSparsePayload(b []byte) (*types.DSparsevec, error) {
	dim, n := binary.Uvarint(b)
	if n <= 0 || dim == 0 || dim > math.MaxInt32 {
		return nil, errCorruptRow
	}
	b = b[n:]
	nnz, n := binary.Uvarint(b)
	if n <= 0 || nnz > dim || nnz > uint64(len(b)) {
		return nil, errCorruptRow
	}
	b = b[n:]
	v := &types.DSparsevec{Dim: int32(dim), Indices: make([]int32, nnz), Values: make([]float32, nnz)}
	next := uint64(0)
	for i := range v.Indices {
		gap, n := binary.Uvarint(b)
		if n <= 0 || (i > 0 && gap == 0) || next+gap >= dim {
			return nil, errCorruptRow
		}
		next += gap
		v.Indices[i] = int32(next)
		b = b[n:]
	}
	if uint64(len(b)) != 4*nnz {
		return nil, errCorruptRow
	}
	decodeFloat32s(v.Values, b)
	return v, nil
}

// decodeBitPayload reads a bit string's length and packed bytes,
// rejecting a byte count that does not fit the length and set padding
// bits, which no bit string has.
func decodeBitPayload(b []byte) (*types.DBit, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > types.MaxBitLen || uint64(len(b)-k) != (n+7)/8 {
		return nil, errCorruptRow
	}
	v := &types.DBit{Len: int(n), Bytes: append([]byte(nil), b[k:]...)}
	if r := n % 8; r != 0 && v.Bytes[len(v.Bytes)-1]<<r != 0 {
		return nil, errCorruptRow
	}
	return v, nil
}
