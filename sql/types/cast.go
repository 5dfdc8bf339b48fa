package types

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/pgerror"
)

func isOidFamily(f Family) bool {
	return f == FamOid || f == FamRegclass || f == FamRegtype || f == FamRegproc || f == FamRegnamespace || f == FamRegrole
}

// PrintsName reports whether t's values print as names found in the
// catalog (regclass, regproc, regnamespace, regrole, and regtype for
// user-defined types): the executor, which reads the catalog, turns them
// into text.
func PrintsName(t *T) bool {
	switch t.Family {
	case FamRegclass, FamRegproc, FamRegnamespace, FamRegrole, FamRegtype:
		return true
	}
	return false
}

func isStringFam(f Family) bool {
	return f == FamText || f == FamVarchar || f == FamChar || f == FamName || f == FamCitext
}

func isBitFam(f Family) bool { return f == FamBit || f == FamVarbit }

// numRank orders the numeric families along PostgreSQL's implicit
// widening chain int2 -> int4 -> int8 -> numeric -> float4 -> float8.
func numRank(f Family) int {
	switch f {
	case FamInt2:
		return 1
	case FamInt4:
		return 2
	case FamInt8:
		return 3
	case FamNumeric:
		return 4
	case FamFloat4:
		return 5
	case FamFloat8:
		return 6
	}
	return 0
}

// castContextOf returns the most permissive-needed context PostgreSQL's
// pg_cast (plus automatic I/O conversion casts) requires for from -> to,
// and whether any cast exists.
func castContextOf(from, to *T) (CastContext, bool) {
	f, g := from.Family, to.Family
	if f == FamUnknown {
		return CastImplicit, true
	}
	if f == FamEnum && g == FamEnum {
		// Distinct enum types have no cast between them.
		return CastImplicit, from.Identical(to)
	}
	if f == g && f != FamArray {
		return CastImplicit, true
	}
	if f == FamArray && g == FamArray {
		return castContextOf(from.Elem, to.Elem)
	}
	if f == FamArray && (g == FamVector || g == FamHalfvec || g == FamSparsevec) {
		switch from.Elem.Family {
		case FamInt4, FamFloat4, FamFloat8, FamNumeric:
			return CastAssignment, true
		}
		return 0, false
	}
	if f == FamVector && g == FamArray {
		return CastImplicit, to.Elem.Family == FamFloat4
	}
	// pgvector's casts: vector to halfvec is implicit, back is on
	// assignment, and halfvec to real[] is on assignment only.
	if f == FamHalfvec && g == FamArray {
		return CastAssignment, to.Elem.Family == FamFloat4
	}
	if f == FamVector && g == FamHalfvec {
		return CastImplicit, true
	}
	if f == FamHalfvec && g == FamVector {
		return CastAssignment, true
	}
	// pgvector's sparsevec casts: from vector and halfvec implicit, back
	// on assignment.
	if (f == FamVector || f == FamHalfvec) && g == FamSparsevec {
		return CastImplicit, true
	}
	if f == FamSparsevec && (g == FamVector || g == FamHalfvec) {
		return CastAssignment, true
	}
	// bit and bit varying convert into each other implicitly; int4 and
	// int8 to bit and back only explicitly.
	if isBitFam(f) && isBitFam(g) {
		return CastImplicit, true
	}
	if (f == FamInt4 || f == FamInt8) && g == FamBit || f == FamBit && (g == FamInt4 || g == FamInt8) {
		return CastExplicit, true
	}
	if rf, rg := numRank(f), numRank(g); rf > 0 && rg > 0 {
		if rf < rg {
			return CastImplicit, true
		}
		return CastAssignment, true
	}
	if isStringFam(f) && isStringFam(g) {
		// citext's pg_cast: to text and varchar implicitly, everything
		// else (into citext, to bpchar) on assignment, so that citext =
		// text compares as text, case-sensitively, as in PostgreSQL.
		if f == FamCitext || g == FamCitext {
			if f == FamCitext && (g == FamText || g == FamVarchar) {
				return CastImplicit, true
			}
			return CastAssignment, true
		}
		if f == FamName && g != FamText {
			return CastAssignment, true
		}
		return CastImplicit, true
	}
	switch {
	case isOidFamily(f) && isOidFamily(g):
		// The reg* types convert through oid, not directly into each other.
		return CastImplicit, f == FamOid || g == FamOid
	case f == FamInt8 && isOidFamily(g), (f == FamInt2 || f == FamInt4) && isOidFamily(g):
		return CastImplicit, true
	case isOidFamily(f) && (g == FamInt4 || g == FamInt8):
		return CastAssignment, true
	case (f == FamText || f == FamVarchar) && g == FamRegclass:
		return CastImplicit, true
	case f == FamDate && (g == FamTimestamp || g == FamTimestampTZ):
		return CastImplicit, true
	case f == FamTimestamp && g == FamTimestampTZ:
		return CastImplicit, true
	case (f == FamTimestamp || f == FamTimestampTZ) && (g == FamDate || g == FamTimestamp):
		return CastAssignment, true
	case (f == FamJSON && g == FamJSONB) || (f == FamJSONB && g == FamJSON):
		return CastAssignment, true
	case f == FamJSONB && (g == FamBool || numRank(g) > 0):
		return CastExplicit, true
	case (f == FamBool && g == FamInt4) || (f == FamInt4 && g == FamBool):
		return CastExplicit, true
	case isStringFam(g) && f != FamRecord && f != FamVoid:
		// Automatic I/O conversion to a string type is allowed on assignment.
		return CastAssignment, true
	case isStringFam(f) && g != FamRecord && g != FamVoid:
		return CastExplicit, true
	}
	return 0, false
}

// CanCast reports whether from converts to to in the given context.
func CanCast(from, to *T, ctx CastContext) bool {
	need, ok := castContextOf(from, to)
	return ok && need <= ctx
}

func cannotCast(from, to *T) error {
	return pgerror.New(pgerror.CodeCannotCoerce, "cannot cast type %s to %s", from, to)
}

// Cast converts d from one type to another, applying to's modifiers.
func Cast(d Datum, from, to *T, ctx CastContext) (Datum, error) {
	return CastLoc(d, from, to, ctx, time.UTC)
}

// CastLoc is Cast with the session time zone, which matters between
// timestamptz and date, timestamp or text.
func CastLoc(d Datum, from, to *T, ctx CastContext, loc *time.Location) (Datum, error) {
	if IsNull(d) {
		return Null, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	if _, ok := castContextOf(from, to); !ok {
		return nil, cannotCast(from, to)
	}
	v, err := convert(d, from, to, loc)
	if err != nil {
		return nil, err
	}
	return applyTypmod(v, to, ctx == CastExplicit)
}

func convert(d Datum, from, to *T, loc *time.Location) (Datum, error) {
	f, g := from.Family, to.Family
	if !datumFits(f, d) {
		return nil, pgerror.New(pgerror.CodeInternal, "value of Go type %T does not belong to type %s", d, from)
	}
	switch {
	case f == FamUnknown || (isStringFam(f) && !isStringFam(g)):
		s, ok := d.(DString)
		if !ok {
			return nil, cannotCast(from, to)
		}
		// bpchar goes through I/O with its padding, as PostgreSQL's does.
		return ParseTextLoc(baseOf(to), string(s), loc)
	case isStringFam(g):
		if s, ok := d.(DString); ok {
			if f == FamChar && g != FamChar {
				return DString(strings.TrimRight(string(s), " ")), nil
			}
			return s, nil
		}
		if b, ok := d.(DBool); ok && g != FamName {
			// bool's casts to text, varchar and bpchar are booltext, not
			// boolout: true/false.
			if b {
				return DString("true"), nil
			}
			return DString("false"), nil
		}
		return DString(AppendTextLoc(nil, from, d, loc)), nil
	case f == g && f != FamArray:
		return d, nil
	case f == FamArray && g == FamArray:
		a, ok := d.(*DArray)
		if !ok {
			return nil, cannotCast(from, to)
		}
		out := &DArray{Elem: to.Elem, Elems: make([]Datum, len(a.Elems))}
		for i, e := range a.Elems {
			if IsNull(e) {
				out.Elems[i] = Null
				continue
			}
			// Element typmods are applied to the whole array afterwards,
			// with the cast context's rules.
			c, err := convert(e, from.Elem, to.Elem, loc)
			if err != nil {
				return nil, err
			}
			out.Elems[i] = c
		}
		return out, nil
	case f == FamArray && (g == FamVector || g == FamHalfvec || g == FamSparsevec):
		return arrayToVector(d, to)
	case (f == FamVector || f == FamHalfvec) && g == FamArray:
		v := vectorElems(d)
		out := &DArray{Elem: Float4, Elems: make([]Datum, len(v))}
		for i, x := range v {
			out.Elems[i] = DFloat(x)
		}
		return out, nil
	case f == FamVector && g == FamHalfvec:
		// vector_to_halfvec: Float4ToHalf on each element.
		v := d.(DVector)
		if err := checkVectorDimCount(to, len(v)); err != nil {
			return nil, err
		}
		out := make(DHalfvec, len(v))
		for i, x := range v {
			h, err := HalfvecElem(x)
			if err != nil {
				return nil, err
			}
			out[i] = h
		}
		return out, nil
	case (f == FamVector || f == FamHalfvec) && g == FamSparsevec:
		return SparseFromDense(to, vectorElems(d))
	case f == FamSparsevec && (g == FamVector || g == FamHalfvec):
		return sparseToDense(d.(*DSparsevec), to)
	case isBitFam(f) && isBitFam(g):
		return d, nil
	case g == FamBit && (f == FamInt4 || f == FamInt8):
		return BitFromInt(int64(d.(DInt)), int(to.Width)), nil
	case f == FamBit:
		return bitToInt(d.(*DBit), g)
	case f == FamHalfvec && g == FamVector:
		// Every half is exactly a float4.
		return append(DVector(nil), d.(DHalfvec)...), nil
	case numRank(f) > 0 && numRank(g) > 0:
		return convertNumber(d, f, g)
	case isOidFamily(g):
		switch v := d.(type) {
		case DInt:
			if f == FamInt8 && (v < 0 || v > math.MaxUint32) {
				return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "OID out of range")
			}
			return DOid(uint32(v)), nil
		case DOid:
			return v, nil
		}
	case isOidFamily(f) && (g == FamInt4 || g == FamInt8):
		if v, ok := d.(DOid); ok {
			if g == FamInt4 {
				return DInt(int32(v)), nil
			}
			return DInt(v), nil
		}
	case f == FamBool && g == FamInt4:
		if d.(DBool) {
			return DInt(1), nil
		}
		return DInt(0), nil
	case f == FamInt4 && g == FamBool:
		return DBool(d.(DInt) != 0), nil
	case f == FamDate && g == FamTimestamp:
		return DTimestamp(dateToTimestamp(d.(DDate))), nil
	case f == FamDate && g == FamTimestampTZ:
		ts := dateToTimestamp(d.(DDate))
		if ts != TSPosInfinity && ts != TSNegInfinity {
			ts -= int64(zoneOffsetAtLocal(ts, loc)) * usecsPerSec
		}
		return DTimestampTZ(ts), nil
	case f == FamTimestamp && g == FamTimestampTZ:
		ts := int64(d.(DTimestamp))
		if ts != TSPosInfinity && ts != TSNegInfinity {
			ts -= int64(zoneOffsetAtLocal(ts, loc)) * usecsPerSec
		}
		return DTimestampTZ(ts), nil
	case f == FamTimestampTZ && (g == FamTimestamp || g == FamDate):
		ts := int64(d.(DTimestampTZ))
		if ts != TSPosInfinity && ts != TSNegInfinity {
			ts += int64(zoneOffsetAtUTC(ts, loc)) * usecsPerSec
		}
		if g == FamDate {
			return timestampToDate(ts), nil
		}
		return DTimestamp(ts), nil
	case f == FamTimestamp && g == FamDate:
		return timestampToDate(int64(d.(DTimestamp))), nil
	case f == FamJSON && g == FamJSONB:
		n, err := normalizeJSONB(string(d.(DJSON)))
		if err != nil {
			return nil, err
		}
		return DJSON(n), nil
	case f == FamJSONB && g == FamJSON:
		return d, nil
	case f == FamJSONB:
		return jsonbToScalar(string(d.(DJSON)), to)
	}
	return nil, cannotCast(from, to)
}

// datumFits reports whether d has the Go representation of family f, so
// that the conversions below may assert it without risk of a panic.
func datumFits(f Family, d Datum) bool {
	switch d.(type) {
	case DBool:
		return f == FamBool
	case DInt:
		return f == FamInt2 || f == FamInt4 || f == FamInt8
	case DFloat:
		return f == FamFloat4 || f == FamFloat8
	case *DDecimal:
		return f == FamNumeric
	case DString:
		return isStringFam(f) || f == FamUnknown
	case DBytes:
		return f == FamBytea
	case DDate:
		return f == FamDate
	case DTimestamp:
		return f == FamTimestamp
	case DTimestampTZ:
		return f == FamTimestampTZ
	case DInterval:
		return f == FamInterval
	case DUUID:
		return f == FamUUID
	case DEnum:
		return f == FamEnum
	case DJSON:
		return f == FamJSON || f == FamJSONB
	case DOid:
		return isOidFamily(f) || f == FamXid || f == FamCid
	case DTid:
		return f == FamTid
	case DVector:
		return f == FamVector
	case DHalfvec:
		return f == FamHalfvec
	case *DSparsevec:
		return f == FamSparsevec
	case *DBit:
		return isBitFam(f)
	case *DArray:
		return f == FamArray
	case DTuple:
		return f == FamRecord
	}
	return false
}

// baseOf drops modifiers that the input function must not enforce itself
// (they are applied after conversion with the cast context's rules).
func baseOf(t *T) *T {
	switch t.Family {
	case FamVarchar, FamChar, FamNumeric, FamBit, FamVarbit:
		return &T{Family: t.Family}
	case FamArray:
		return ArrayOf(baseOf(t.Elem))
	}
	return t
}

func timestampToDate(ts int64) DDate {
	switch ts {
	case TSPosInfinity:
		return DatePosInfinity
	case TSNegInfinity:
		return DateNegInfinity
	}
	return DDate(floorDiv(ts, usecsPerDay))
}

func intOutOfRange(g Family) error {
	name, _, _ := intBounds(g)
	return pgerror.New(pgerror.CodeNumericValueOutOfRange, "%s out of range", name)
}

func convertNumber(d Datum, f0, g Family) (Datum, error) {
	switch v := d.(type) {
	case DInt:
		switch g {
		case FamInt2, FamInt4, FamInt8:
			_, lo, hi := intBounds(g)
			if int64(v) < lo || int64(v) > hi {
				return nil, intOutOfRange(g)
			}
			return v, nil
		case FamNumeric:
			return decimalFromInt(int64(v)), nil
		case FamFloat4:
			return DFloat(float32(v)), nil
		case FamFloat8:
			return DFloat(float64(v)), nil
		}
	case DFloat:
		f := float64(v)
		switch g {
		case FamInt2, FamInt4, FamInt8:
			// PostgreSQL rounds with rint(): half to even.
			r := math.RoundToEven(f)
			_, lo, _ := intBounds(g)
			if math.IsNaN(r) || r < float64(lo) || r >= -float64(lo) {
				return nil, intOutOfRange(g)
			}
			return DInt(int64(r)), nil
		case FamNumeric:
			if f0 == FamFloat4 {
				return floatToNumeric(f, 6)
			}
			return floatToNumeric(f, 15)
		case FamFloat4:
			if math.IsInf(f, 0) || math.IsNaN(f) {
				return DFloat(float32(f)), nil
			}
			r := float32(f)
			if math.IsInf(float64(r), 0) {
				return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: overflow")
			}
			if r == 0 && f != 0 {
				return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: underflow")
			}
			return DFloat(r), nil
		case FamFloat8:
			return v, nil
		}
	case *DDecimal:
		switch g {
		case FamInt2, FamInt4, FamInt8:
			name, lo, hi := intBounds(g)
			switch v.Form {
			case apd.NaN, apd.NaNSignaling:
				return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot convert NaN to %s", name)
			case apd.Infinite:
				return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot convert infinity to %s", name)
			}
			var r apd.Decimal
			if _, err := numCtx.RoundToIntegralValue(&r, &v.Decimal); err != nil {
				return nil, intOutOfRange(g)
			}
			n, err := r.Int64()
			if err != nil || n < lo || n > hi {
				return nil, intOutOfRange(g)
			}
			return DInt(n), nil
		case FamNumeric:
			return v, nil
		case FamFloat4, FamFloat8:
			bits := 64
			if g == FamFloat4 {
				bits = 32
			}
			f, err := strconv.ParseFloat(string(appendNumeric(nil, v)), bits)
			if err != nil && !isRangeErr(err) {
				return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid numeric value")
			}
			if isRangeErr(err) {
				return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "%q is out of range for type %s", string(appendNumeric(nil, v)), floatName(g))
			}
			return DFloat(f), nil
		}
	}
	return nil, pgerror.New(pgerror.CodeCannotCoerce, "cannot convert value to %s", famInfos[g].sqlName)
}

// floatToNumeric converts as float8_numeric does: through "%.15g" (6 for
// real), so 0.1::float8::numeric is 0.1, not its binary expansion.
func floatToNumeric(f float64, digits int) (Datum, error) {
	d := &DDecimal{}
	switch {
	case math.IsNaN(f):
		d.Form = apd.NaN
		return d, nil
	case math.IsInf(f, 0):
		d.Form = apd.Infinite
		d.Negative = f < 0
		return d, nil
	}
	s := strconv.FormatFloat(f, 'g', digits, 64)
	if _, _, err := d.SetString(s); err != nil {
		return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid numeric value %q", s)
	}
	normalizeDecimal(d)
	return d, nil
}

// vectorElems is a vector's or halfvec's elements.
func vectorElems(d Datum) []float32 {
	switch v := d.(type) {
	case DVector:
		return v
	case DHalfvec:
		return v
	}
	return nil
}

// arrayToVector is pgvector's array_to_vector, array_to_halfvec and
// array_to_sparsevec (which keeps the non-zero elements). The
// latter rounds each element's float4 to half with Float4ToHalf's range
// error, then checks every element.
func arrayToVector(d Datum, to *T) (Datum, error) {
	a, ok := d.(*DArray)
	if !ok {
		return nil, cannotCast(ArrayOf(Float4), to)
	}
	for _, e := range a.Elems {
		if IsNull(e) {
			return nil, pgerror.New(pgerror.CodeNullValueNotAllowed, "array must not contain nulls")
		}
	}
	dimCheck := checkVectorDimCount(to, len(a.Elems))
	if to.Family == FamSparsevec {
		dimCheck = checkSparseDim(len(a.Elems))
	}
	if dimCheck != nil {
		return nil, dimCheck
	}
	half := to.Family == FamHalfvec
	out := make([]float32, len(a.Elems))
	for i, e := range a.Elems {
		var f float32
		switch v := e.(type) {
		case DInt:
			f = float32(v)
		case DFloat:
			f = float32(v)
		case *DDecimal:
			x, err := v.Float64()
			if err != nil {
				return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid numeric value")
			}
			f = float32(x)
		default:
			return nil, pgerror.New(pgerror.CodeDataException, "unsupported array type")
		}
		if half {
			var err error
			if f, err = HalfvecElem(f); err != nil {
				return nil, err
			}
		} else if err := checkVectorElem(to, f); err != nil {
			return nil, err
		}
		out[i] = f
	}
	if half {
		for _, f := range out {
			if err := checkVectorElem(to, f); err != nil {
				return nil, err
			}
		}
	}
	if to.Family == FamSparsevec {
		return SparseFromDense(to, out)
	}
	return vectorDatum(to, out), nil
}

// jsonbToScalar implements jsonb::numeric, ::integer, ::boolean ...
func jsonbToScalar(s string, to *T) (Datum, error) {
	n, err := parseJSONTree(s, true)
	if err != nil {
		return nil, err
	}
	rank := jsonbRank(n)
	kind := map[int]string{1: "null", 2: "string", 3: "numeric", 4: "boolean", 5: "array", 6: "object"}[rank]
	if to.Family == FamBool {
		if rank != 4 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot cast jsonb %s to type boolean", kind)
		}
		return DBool(s == "true"), nil
	}
	if rank != 3 {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot cast jsonb %s to type %s", kind, to)
	}
	num, err := parseNumeric(n.text)
	if err != nil {
		return nil, err
	}
	if to.Family == FamNumeric {
		return num, nil
	}
	return convertNumber(num, FamNumeric, to.Family)
}

// charLen counts characters as PostgreSQL does for varchar(n)/char(n).
func charLen(s string) int { return utf8.RuneCountInString(s) }

func truncateChars(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// roundMicrosTo rounds µs to p fractional digits, halves away from zero,
// as AdjustTimestampForTypmod does; infinities stay put.
func roundMicrosTo(v int64, p int) int64 {
	if p >= 6 || v == TSPosInfinity || v == TSNegInfinity {
		return v
	}
	scale := int64(1)
	for i := p; i < 6; i++ {
		scale *= 10
	}
	if v >= 0 {
		return (v + scale/2) / scale * scale
	}
	return -((-v + scale/2) / scale * scale)
}

// applyTypmod enforces to's modifiers: explicit casts truncate strings,
// implicit and assignment casts reject a too-long value unless the excess
// is blanks.
func applyTypmod(d Datum, to *T, explicit bool) (Datum, error) {
	switch to.Family {
	case FamVarchar, FamChar:
		s, ok := d.(DString)
		if !ok {
			return d, nil
		}
		str := string(s)
		if to.Width > 0 {
			n := int(to.Width)
			if charLen(str) > n {
				cut := truncateChars(str, n)
				if !explicit && strings.TrimRight(str[len(cut):], " ") != "" {
					return nil, pgerror.New(pgerror.CodeStringDataRightTruncation, "value too long for type %s", to)
				}
				str = cut
			}
			if to.Family == FamChar {
				if l := charLen(str); l < n {
					str += strings.Repeat(" ", n-l)
				}
			}
		}
		return DString(str), nil
	case FamName:
		if s, ok := d.(DString); ok {
			return DString(truncateName(string(s))), nil
		}
	case FamNumeric:
		if v, ok := d.(*DDecimal); ok && to.Width > 0 {
			return applyNumericTypmod(v, to)
		}
	case FamTimestamp, FamTimestampTZ, FamInterval:
		if p, ok := to.TimePrecision(); ok {
			switch v := d.(type) {
			case DTimestamp:
				return DTimestamp(roundMicrosTo(int64(v), p)), nil
			case DTimestampTZ:
				return DTimestampTZ(roundMicrosTo(int64(v), p)), nil
			case DInterval:
				v.Micros = roundMicrosTo(v.Micros, p)
				return v, nil
			}
		}
	case FamVector, FamHalfvec:
		if v := vectorElems(d); v != nil {
			if err := checkVectorDims(to, len(v)); err != nil {
				return nil, err
			}
		}
	case FamSparsevec:
		if v, ok := d.(*DSparsevec); ok {
			if err := checkVectorDims(to, int(v.Dim)); err != nil {
				return nil, err
			}
		}
	case FamBit, FamVarbit:
		if v, ok := d.(*DBit); ok {
			return applyBitTypmod(v, to, explicit)
		}
	case FamArray:
		if a, ok := d.(*DArray); ok && to.Elem != nil && to.Elem.Typmod() != -1 {
			out := &DArray{Elem: to.Elem, Elems: make([]Datum, len(a.Elems))}
			for i, e := range a.Elems {
				if IsNull(e) {
					out.Elems[i] = Null
					continue
				}
				c, err := applyTypmod(e, to.Elem, explicit)
				if err != nil {
					return nil, err
				}
				out.Elems[i] = c
			}
			return out, nil
		}
	}
	return d, nil
}
