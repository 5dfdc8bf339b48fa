package types

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/pgerror"
)

// Sign words of PostgreSQL's binary numeric.
const (
	numericPos    = 0x0000
	numericNeg    = 0x4000
	numericNaN    = 0xC000
	numericPInf   = 0xD000
	numericNInf   = 0xF000
	jsonbVersion1 = 1
)

func badBinary(format string, args ...any) error {
	return pgerror.New(pgerror.CodeInvalidBinaryRepresentation, format, args...)
}

func wrongDatum(t *T) error {
	return pgerror.New(pgerror.CodeInternal, "value does not match type %s", t)
}

// EncodeBinary appends the binary wire form of d (PostgreSQL's typsend).
func EncodeBinary(buf []byte, t *T, d Datum) ([]byte, error) {
	switch t.Family {
	case FamBool:
		v, ok := d.(DBool)
		if !ok {
			return nil, wrongDatum(t)
		}
		if v {
			return append(buf, 1), nil
		}
		return append(buf, 0), nil
	case FamInt2, FamInt4, FamInt8:
		v, ok := d.(DInt)
		if !ok {
			return nil, wrongDatum(t)
		}
		switch t.Family {
		case FamInt2:
			return binary.BigEndian.AppendUint16(buf, uint16(v)), nil
		case FamInt4:
			return binary.BigEndian.AppendUint32(buf, uint32(v)), nil
		}
		return binary.BigEndian.AppendUint64(buf, uint64(v)), nil
	case FamFloat4:
		v, ok := d.(DFloat)
		if !ok {
			return nil, wrongDatum(t)
		}
		return binary.BigEndian.AppendUint32(buf, math.Float32bits(float32(v))), nil
	case FamFloat8:
		v, ok := d.(DFloat)
		if !ok {
			return nil, wrongDatum(t)
		}
		bits := math.Float64bits(float64(v))
		if math.IsNaN(float64(v)) {
			// Go's math.NaN() sets a payload bit PostgreSQL's NaN lacks.
			bits = canonicalNaNBits | bits&(1<<63)
		}
		return binary.BigEndian.AppendUint64(buf, bits), nil
	case FamNumeric:
		v, ok := d.(*DDecimal)
		if !ok {
			return nil, wrongDatum(t)
		}
		return appendNumericBinary(buf, v), nil
	case FamText, FamVarchar, FamChar, FamName, FamUnknown, FamCitext:
		v, ok := d.(DString)
		if !ok {
			return nil, wrongDatum(t)
		}
		return append(buf, v...), nil
	case FamBytea:
		v, ok := d.(DBytes)
		if !ok {
			return nil, wrongDatum(t)
		}
		return append(buf, v...), nil
	case FamDate:
		v, ok := d.(DDate)
		if !ok {
			return nil, wrongDatum(t)
		}
		return binary.BigEndian.AppendUint32(buf, uint32(v)), nil
	case FamTimestamp:
		v, ok := d.(DTimestamp)
		if !ok {
			return nil, wrongDatum(t)
		}
		return binary.BigEndian.AppendUint64(buf, uint64(v)), nil
	case FamTimestampTZ:
		v, ok := d.(DTimestampTZ)
		if !ok {
			return nil, wrongDatum(t)
		}
		return binary.BigEndian.AppendUint64(buf, uint64(v)), nil
	case FamInterval:
		v, ok := d.(DInterval)
		if !ok {
			return nil, wrongDatum(t)
		}
		buf = binary.BigEndian.AppendUint64(buf, uint64(v.Micros))
		buf = binary.BigEndian.AppendUint32(buf, uint32(v.Days))
		return binary.BigEndian.AppendUint32(buf, uint32(v.Months)), nil
	case FamUUID:
		v, ok := d.(DUUID)
		if !ok {
			return nil, wrongDatum(t)
		}
		return append(buf, v[:]...), nil
	case FamEnum:
		// enum_send: the label's bytes.
		v, ok := d.(DEnum)
		if !ok {
			return nil, wrongDatum(t)
		}
		return append(buf, v.Label...), nil
	case FamJSON, FamJSONB:
		v, ok := d.(DJSON)
		if !ok {
			return nil, wrongDatum(t)
		}
		if t.Family == FamJSONB {
			buf = append(buf, jsonbVersion1)
		}
		return append(buf, v...), nil
	case FamTid:
		v, ok := d.(DTid)
		if !ok {
			return nil, wrongDatum(t)
		}
		return appendTidBinary(buf, v), nil
	case FamOid, FamRegclass, FamRegtype, FamRegproc, FamRegnamespace, FamRegrole, FamXid, FamCid:
		if n, ok := d.(DNamedOid); ok {
			return binary.BigEndian.AppendUint32(buf, n.Oid), nil
		}
		v, ok := d.(DOid)
		if !ok {
			return nil, wrongDatum(t)
		}
		return binary.BigEndian.AppendUint32(buf, uint32(v)), nil
	case FamVector:
		v, ok := d.(DVector)
		if !ok {
			return nil, wrongDatum(t)
		}
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(v)))
		buf = binary.BigEndian.AppendUint16(buf, 0)
		for _, f := range v {
			buf = binary.BigEndian.AppendUint32(buf, math.Float32bits(f))
		}
		return buf, nil
	case FamSparsevec:
		v, ok := d.(*DSparsevec)
		if !ok {
			return nil, wrongDatum(t)
		}
		return appendSparsevecBinary(buf, v), nil
	case FamBit, FamVarbit:
		v, ok := d.(*DBit)
		if !ok {
			return nil, wrongDatum(t)
		}
		return appendBitBinary(buf, v), nil
	case FamHalfvec:
		// halfvec_send: int16 dim, int16 unused (0), big-endian halves.
		v, ok := d.(DHalfvec)
		if !ok {
			return nil, wrongDatum(t)
		}
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(v)))
		buf = binary.BigEndian.AppendUint16(buf, 0)
		for _, f := range v {
			buf = binary.BigEndian.AppendUint16(buf, Float32ToHalf(f))
		}
		return buf, nil
	case FamArray:
		v, ok := d.(*DArray)
		if !ok {
			return nil, wrongDatum(t)
		}
		return appendArrayBinary(buf, t, v)
	case FamRecord:
		v, ok := d.(DTuple)
		if !ok {
			return nil, wrongDatum(t)
		}
		return appendRecordBinary(buf, v)
	}
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "binary output of type %s is not supported", t)
}

// appendNumericBinary writes numeric_send's form: ndigits, weight, sign,
// dscale and base-10000 digits.
func appendNumericBinary(buf []byte, d *DDecimal) []byte {
	put := func(ndigits, weight int16, sign, dscale uint16, digits []int16) []byte {
		buf = binary.BigEndian.AppendUint16(buf, uint16(ndigits))
		buf = binary.BigEndian.AppendUint16(buf, uint16(weight))
		buf = binary.BigEndian.AppendUint16(buf, sign)
		buf = binary.BigEndian.AppendUint16(buf, dscale)
		for _, g := range digits {
			buf = binary.BigEndian.AppendUint16(buf, uint16(g))
		}
		return buf
	}
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return put(0, 0, numericNaN, 0, nil)
	case apd.Infinite:
		// PostgreSQL's infinities carry a display scale of 32 on the wire.
		if d.Negative {
			return put(0, 0, numericNInf, 32, nil)
		}
		return put(0, 0, numericPInf, 32, nil)
	}
	coeff := d.Coeff.String()
	exp := int(d.Exponent)
	dscale := 0
	if exp < 0 {
		dscale = -exp
	}
	var intPart, frac string
	switch {
	case exp >= 0:
		intPart = coeff + strings.Repeat("0", exp)
	case len(coeff) > -exp:
		intPart, frac = coeff[:len(coeff)+exp], coeff[len(coeff)+exp:]
	default:
		frac = strings.Repeat("0", -exp-len(coeff)) + coeff
	}
	if r := len(intPart) % 4; r != 0 {
		intPart = strings.Repeat("0", 4-r) + intPart
	}
	if r := len(frac) % 4; r != 0 {
		frac += strings.Repeat("0", 4-r)
	}
	all := intPart + frac
	groups := make([]int16, 0, len(all)/4)
	for i := 0; i < len(all); i += 4 {
		g, _ := strconv.Atoi(all[i : i+4])
		groups = append(groups, int16(g))
	}
	weight := len(intPart)/4 - 1
	for len(groups) > 0 && groups[0] == 0 {
		groups = groups[1:]
		weight--
	}
	for len(groups) > 0 && groups[len(groups)-1] == 0 {
		groups = groups[:len(groups)-1]
	}
	sign := uint16(numericPos)
	if d.Negative && len(groups) > 0 {
		sign = numericNeg
	}
	if len(groups) == 0 {
		weight = 0
	}
	return put(int16(len(groups)), int16(weight), sign, uint16(dscale), groups)
}

func appendArrayBinary(buf []byte, t *T, a *DArray) ([]byte, error) {
	elemT := a.Elem
	if elemT == nil {
		elemT = t.Elem
	}
	hasNull := uint32(0)
	for _, e := range a.Elems {
		if IsNull(e) {
			hasNull = 1
		}
	}
	if len(a.Elems) == 0 {
		buf = binary.BigEndian.AppendUint32(buf, 0)
		buf = binary.BigEndian.AppendUint32(buf, 0)
		return binary.BigEndian.AppendUint32(buf, elemT.OID()), nil
	}
	buf = binary.BigEndian.AppendUint32(buf, 1)
	buf = binary.BigEndian.AppendUint32(buf, hasNull)
	buf = binary.BigEndian.AppendUint32(buf, elemT.OID())
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(a.Elems)))
	buf = binary.BigEndian.AppendUint32(buf, 1)
	for _, e := range a.Elems {
		if IsNull(e) {
			buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32)
			continue
		}
		at := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		buf, err = EncodeBinary(buf, elemT, e)
		if err != nil {
			return nil, err
		}
		binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	}
	return buf, nil
}

// appendRecordBinary writes record_send's form: the column count, then
// each column's type OID and length-prefixed value (-1 for NULL). A tuple
// carries no column types, so each is inferred from its value (text for
// NULL).
func appendRecordBinary(buf []byte, tup DTuple) ([]byte, error) {
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(tup)))
	for _, e := range tup {
		if IsNull(e) {
			buf = binary.BigEndian.AppendUint32(buf, OidText)
			buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32)
			continue
		}
		et := typeOfDatum(e)
		buf = binary.BigEndian.AppendUint32(buf, et.OID())
		at := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		if buf, err = EncodeBinary(buf, et, e); err != nil {
			return nil, err
		}
		binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	}
	return buf, nil
}

// DecodeBinary reads the binary wire form of a value of type t (typreceive).
func DecodeBinary(t *T, b []byte) (Datum, error) {
	fixed := func(n int) error {
		if len(b) != n {
			return badBinary("incorrect binary data format")
		}
		return nil
	}
	switch t.Family {
	case FamBool:
		if err := fixed(1); err != nil {
			return nil, err
		}
		return DBool(b[0] != 0), nil
	case FamInt2:
		if err := fixed(2); err != nil {
			return nil, err
		}
		return DInt(int16(binary.BigEndian.Uint16(b))), nil
	case FamInt4:
		if err := fixed(4); err != nil {
			return nil, err
		}
		return DInt(int32(binary.BigEndian.Uint32(b))), nil
	case FamInt8:
		if err := fixed(8); err != nil {
			return nil, err
		}
		return DInt(int64(binary.BigEndian.Uint64(b))), nil
	case FamFloat4:
		if err := fixed(4); err != nil {
			return nil, err
		}
		return DFloat(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case FamFloat8:
		if err := fixed(8); err != nil {
			return nil, err
		}
		return DFloat(math.Float64frombits(binary.BigEndian.Uint64(b))), nil
	case FamNumeric:
		d, err := decodeNumericBinary(b)
		if err != nil {
			return nil, err
		}
		if t.Width > 0 {
			return applyNumericTypmod(d, t)
		}
		return d, nil
	case FamText, FamVarchar, FamChar, FamUnknown, FamCitext:
		if err := checkUTF8(b); err != nil {
			return nil, err
		}
		return applyTypmod(DString(b), t, false)
	case FamName:
		if err := checkUTF8(b); err != nil {
			return nil, err
		}
		return DString(truncateName(string(b))), nil
	case FamBytea:
		return DBytes(append([]byte(nil), b...)), nil
	case FamDate:
		if err := fixed(4); err != nil {
			return nil, err
		}
		return DDate(int32(binary.BigEndian.Uint32(b))), nil
	case FamTimestamp, FamTimestampTZ:
		if err := fixed(8); err != nil {
			return nil, err
		}
		v := int64(binary.BigEndian.Uint64(b))
		if v != TSPosInfinity && v != TSNegInfinity {
			if j := floorDiv(v, usecsPerDay) + pgEpochJDate; j < 0 || j >= tsEndJulian {
				return nil, pgerror.New(pgerror.CodeDatetimeFieldOverflow, "timestamp out of range")
			}
		}
		if t.Family == FamTimestamp {
			return DTimestamp(v), nil
		}
		return DTimestampTZ(v), nil
	case FamInterval:
		if err := fixed(16); err != nil {
			return nil, err
		}
		return DInterval{
			Micros: int64(binary.BigEndian.Uint64(b)),
			Days:   int32(binary.BigEndian.Uint32(b[8:])),
			Months: int32(binary.BigEndian.Uint32(b[12:])),
		}, nil
	case FamEnum:
		if err := checkUTF8(b); err != nil {
			return nil, err
		}
		return parseEnum(t, string(b))
	case FamUUID:
		if err := fixed(16); err != nil {
			return nil, err
		}
		var u DUUID
		copy(u[:], b)
		return u, nil
	case FamJSON:
		if err := validateJSON(string(b)); err != nil {
			return nil, err
		}
		return DJSON(b), nil
	case FamJSONB:
		if len(b) < 1 {
			return nil, badBinary("incorrect binary data format")
		}
		if b[0] != jsonbVersion1 {
			return nil, badBinary("unsupported jsonb version number %d", b[0])
		}
		n, err := normalizeJSONB(string(b[1:]))
		if err != nil {
			return nil, err
		}
		return DJSON(n), nil
	case FamOid, FamRegclass, FamRegtype, FamRegproc, FamRegnamespace, FamRegrole, FamXid, FamCid:
		if err := fixed(4); err != nil {
			return nil, err
		}
		return DOid(binary.BigEndian.Uint32(b)), nil
	case FamTid:
		if err := fixed(6); err != nil {
			return nil, err
		}
		return DTid{Block: binary.BigEndian.Uint32(b), Offset: binary.BigEndian.Uint16(b[4:])}, nil
	case FamVector, FamHalfvec:
		return decodeVectorBinary(t, b)
	case FamSparsevec:
		return decodeSparsevecBinary(t, b)
	case FamBit, FamVarbit:
		return decodeBitBinary(t, b)
	case FamArray:
		return decodeArrayBinary(t, b)
	}
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "binary input of type %s is not supported", t)
}

// checkUTF8 rejects what PostgreSQL's encoding check rejects in text:
// invalid UTF-8 and NUL bytes, naming the offending bytes.
func checkUTF8(b []byte) error {
	for i := 0; i < len(b); {
		if b[i] == 0 {
			return pgerror.New("22021", "invalid byte sequence for encoding \"UTF8\": 0x00")
		}
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			end := i + 1
			for end < len(b) && end < i+4 && b[end]&0xC0 == 0x80 {
				end++
			}
			var hex []string
			for _, c := range b[i:end] {
				hex = append(hex, fmt.Sprintf("0x%02x", c))
			}
			return pgerror.New("22021", "invalid byte sequence for encoding \"UTF8\": %s", strings.Join(hex, " "))
		}
		i += n
	}
	return nil
}

func decodeNumericBinary(b []byte) (*DDecimal, error) {
	if len(b) < 8 {
		return nil, badBinary("incorrect binary data format")
	}
	ndigits := int(int16(binary.BigEndian.Uint16(b)))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if ndigits < 0 || len(b) != 8+2*ndigits {
		return nil, badBinary("incorrect binary data format")
	}
	d := &DDecimal{}
	switch sign {
	case numericNaN:
		d.Form = apd.NaN
		return d, nil
	case numericPInf, numericNInf:
		d.Form = apd.Infinite
		d.Negative = sign == numericNInf
		return d, nil
	case numericPos, numericNeg:
	default:
		return nil, badBinary("invalid sign in external \"numeric\" value")
	}
	if dscale > 0x3FFF {
		return nil, badBinary("invalid scale in external \"numeric\" value")
	}
	var sb strings.Builder
	for i := 0; i < ndigits; i++ {
		g := binary.BigEndian.Uint16(b[8+2*i:])
		if g >= 10000 {
			return nil, badBinary("invalid digit in external \"numeric\" value")
		}
		s := strconv.Itoa(int(g))
		sb.WriteString(strings.Repeat("0", 4-len(s)))
		sb.WriteString(s)
	}
	digits := sb.String()
	if digits == "" {
		digits = "0"
	}
	// The digit string stands for digits * 10000^(weight+1-ndigits).
	exp := 4 * (weight + 1 - ndigits)
	if ndigits == 0 {
		exp = 0
	}
	if _, _, err := d.SetString(digits + "E" + strconv.Itoa(exp)); err != nil {
		return nil, badBinary("incorrect binary data format")
	}
	var r apd.Decimal
	if _, err := numCtx.Quantize(&r, &d.Decimal, int32(-dscale)); err != nil {
		return nil, badBinary("incorrect binary data format")
	}
	d.Decimal.Set(&r)
	d.Negative = sign == numericNeg && d.Coeff.Sign() != 0
	return d, nil
}

// decodeVectorBinary is vector_recv and halfvec_recv: int16 dim, int16
// unused, then dim big-endian float4s (vector) or halves (halfvec).
func decodeVectorBinary(t *T, b []byte) (Datum, error) {
	if len(b) < 4 {
		return nil, badBinary("incorrect binary data format")
	}
	dim := int(int16(binary.BigEndian.Uint16(b)))
	unused := int(int16(binary.BigEndian.Uint16(b[2:])))
	if err := checkVectorDimCount(t, dim); err != nil {
		return nil, err
	}
	if err := checkVectorDims(t, dim); err != nil {
		return nil, err
	}
	if unused != 0 {
		return nil, pgerror.New(pgerror.CodeDataException, "expected unused to be 0, not %d", unused)
	}
	size := 4
	if t.Family == FamHalfvec {
		size = 2
	}
	if len(b) != 4+size*dim {
		return nil, badBinary("incorrect binary data format")
	}
	v := make([]float32, dim)
	for i := range v {
		if size == 2 {
			v[i] = HalfToFloat32(binary.BigEndian.Uint16(b[4+2*i:]))
		} else {
			v[i] = math.Float32frombits(binary.BigEndian.Uint32(b[4+4*i:]))
		}
		if err := checkVectorElem(t, v[i]); err != nil {
			return nil, err
		}
	}
	return vectorDatum(t, v), nil
}

func decodeArrayBinary(t *T, b []byte) (Datum, error) {
	if len(b) < 12 {
		return nil, badBinary("incorrect binary data format")
	}
	ndim := int32(binary.BigEndian.Uint32(b))
	flags := int32(binary.BigEndian.Uint32(b[4:]))
	elemOid := binary.BigEndian.Uint32(b[8:])
	if ndim < 0 || ndim > 6 {
		return nil, badBinary("invalid number of dimensions: %d", ndim)
	}
	if flags != 0 && flags != 1 {
		return nil, badBinary("invalid array flags")
	}
	if elemOid != t.Elem.OID() {
		return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "binary data has array element type %d (%s) instead of expected %d (%s)",
			elemOid, oidTypeName(elemOid), t.Elem.OID(), t.Elem.TypeName())
	}
	arr := &DArray{Elem: t.Elem}
	if ndim == 0 {
		if len(b) != 12 {
			return nil, badBinary("incorrect binary data format")
		}
		return arr, nil
	}
	if ndim > 1 {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "multidimensional arrays are not supported")
	}
	if len(b) < 20 {
		return nil, badBinary("incorrect binary data format")
	}
	n := int(int32(binary.BigEndian.Uint32(b[12:])))
	if n < 0 || n > len(b) {
		return nil, badBinary("incorrect binary data format")
	}
	pos := 20
	arr.Elems = make([]Datum, 0, n)
	for i := 0; i < n; i++ {
		if pos+4 > len(b) {
			return nil, badBinary("insufficient data left in message")
		}
		l := int32(binary.BigEndian.Uint32(b[pos:]))
		pos += 4
		if l == -1 {
			arr.Elems = append(arr.Elems, Null)
			continue
		}
		if l < 0 || pos+int(l) > len(b) {
			return nil, badBinary("insufficient data left in message")
		}
		e, err := DecodeBinary(t.Elem, b[pos:pos+int(l)])
		if err != nil {
			return nil, err
		}
		arr.Elems = append(arr.Elems, e)
		pos += int(l)
	}
	if pos != len(b) {
		return nil, badBinary("incorrect binary data format")
	}
	return arr, nil
}

func oidTypeName(oid uint32) string {
	if t := ByOID(oid); t != nil {
		return t.TypeName()
	}
	return "-"
}
