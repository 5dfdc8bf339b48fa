package types

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// CastContext says how a conversion was asked for; PostgreSQL allows more
// conversions explicitly (CAST, ::) than on assignment or implicitly.
type CastContext int

const (
	CastImplicit CastContext = iota
	CastAssignment
	CastExplicit
)

// ParseText runs t's input function on s. Bad input is 22P02 (or 22003,
// 22007, 22008 ...) with PostgreSQL's message, e.g.
// `invalid input syntax for type integer: "abc"`. A timestamptz without an
// explicit zone is read as UTC; see ParseTextLoc.
func ParseText(t *T, s string) (Datum, error) { return ParseTextLoc(t, s, time.UTC) }

// ParseTextLoc is ParseText with the session's time zone, which decides
// the meaning of a timestamptz written without a zone.
func ParseTextLoc(t *T, s string, loc *time.Location) (Datum, error) {
	if loc == nil {
		loc = time.UTC
	}
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return nil, checkUTF8([]byte(s))
	}
	switch t.Family {
	case FamBool:
		return parseBool(s)
	case FamInt2, FamInt4, FamInt8:
		return parseInt(t, s)
	case FamFloat4, FamFloat8:
		return parseFloat(t, s)
	case FamNumeric:
		d, err := parseNumeric(s)
		if err != nil {
			return nil, err
		}
		if t.Width > 0 {
			return applyNumericTypmod(d, t)
		}
		return d, nil
	case FamText, FamUnknown, FamCitext:
		return DString(s), nil
	case FamVarchar, FamChar:
		// With a length, the input function enforces it as on assignment.
		return applyTypmod(DString(s), t, false)
	case FamName:
		return DString(truncateName(s)), nil
	case FamBytea:
		return parseBytea(s)
	case FamDate:
		return parseDate(s, loc)
	case FamTimestamp, FamTimestampTZ, FamInterval:
		var d Datum
		var err error
		switch t.Family {
		case FamTimestamp:
			d, err = parseTimestamp(s, false, loc)
		case FamTimestampTZ:
			d, err = parseTimestamp(s, true, loc)
		default:
			d, err = parseInterval(s)
		}
		if err != nil {
			return nil, err
		}
		return applyTypmod(d, t, false)
	case FamUUID:
		return parseUUID(s)
	case FamEnum:
		return parseEnum(t, s)
	case FamJSON:
		if err := validateJSON(s); err != nil {
			return nil, err
		}
		return DJSON(s), nil
	case FamJSONB:
		n, err := normalizeJSONB(s)
		if err != nil {
			return nil, err
		}
		return DJSON(n), nil
	case FamOid, FamRegclass, FamRegtype, FamRegproc, FamRegnamespace, FamRegrole:
		return parseOid(t, s)
	case FamXid, FamCid:
		return parseXid(s), nil
	case FamTid:
		return parseTid(s)
	case FamVector, FamHalfvec:
		return parseVector(t, s)
	case FamSparsevec:
		return parseSparsevec(t, s)
	case FamBit, FamVarbit:
		return parseBit(t, s)
	case FamArray:
		d, err := parseArray(t, s, loc)
		if err != nil {
			return nil, err
		}
		return applyTypmod(d, t, false)
	case FamVoid:
		return Null, nil
	}
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "input of type %s is not supported", t)
}

// AppendText appends t's output-function text form of d (not NULL), with
// DateStyle ISO and TimeZone UTC.
func AppendText(buf []byte, t *T, d Datum) []byte { return AppendTextLoc(buf, t, d, time.UTC) }

// FormatText is AppendText into a new string.
func FormatText(t *T, d Datum) string { return string(AppendText(nil, t, d)) }

// AppendTextLoc is AppendText showing timestamptz values in loc, the
// session's TimeZone.
func AppendTextLoc(buf []byte, t *T, d Datum, loc *time.Location) []byte {
	if loc == nil {
		loc = time.UTC
	}
	return appendText(buf, t, d, loc)
}
