package types

import (
	"encoding/hex"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/pgerror"
)

// numCtx is the context for exact numeric work: precision far beyond
// PostgreSQL's 1000-digit typmod limit so that only explicit rounding rounds.
var numCtx = &apd.Context{
	Precision:   100000,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Rounding:    apd.RoundHalfUp, // half away from zero, like PostgreSQL's round()
	Traps:       apd.DefaultTraps,
}

const nameMaxBytes = 63 // NAMEDATALEN - 1

// canonicalNaN is the NaN bit pattern PostgreSQL's float8in produces;
// math.NaN() differs in its low bit, which clients see in binary results.
const canonicalNaNBits = 0x7ff8000000000000

var canonicalNaN = math.Float64frombits(canonicalNaNBits)

// pgSpace reports the characters C's isspace accepts, which PostgreSQL's
// input functions skip around numbers and booleans.
func pgSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func trimPGSpace(s string) string {
	i, j := 0, len(s)
	for i < j && pgSpace(s[i]) {
		i++
	}
	for j > i && pgSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

func invalidSyntax(typ, s string) error {
	return pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", typ, s)
}

func parseBool(s string) (Datum, error) {
	v := strings.ToLower(trimPGSpace(s))
	if v != "" {
		switch {
		case strings.HasPrefix("true", v), strings.HasPrefix("yes", v), v == "1", v == "on":
			return DBool(true), nil
		case strings.HasPrefix("false", v), strings.HasPrefix("no", v), v == "0", len(v) >= 2 && strings.HasPrefix("off", v):
			return DBool(false), nil
		}
	}
	return nil, invalidSyntax("boolean", s)
}

// intBounds gives each integer family's SQL name and range.
func intBounds(f Family) (name string, lo, hi int64) {
	switch f {
	case FamInt2:
		return "smallint", math.MinInt16, math.MaxInt16
	case FamInt4:
		return "integer", math.MinInt32, math.MaxInt32
	}
	return "bigint", math.MinInt64, math.MaxInt64
}

func parseInt(t *T, s string) (Datum, error) {
	name, lo, hi := intBounds(t.Family)
	v := trimPGSpace(s)
	digits := v
	if len(digits) > 0 && (digits[0] == '+' || digits[0] == '-') {
		digits = digits[1:]
	}
	if digits == "" {
		return nil, invalidSyntax(name, s)
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return nil, invalidSyntax(name, s)
		}
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 64)
	if err != nil || n < lo || n > hi {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value %q is out of range for type %s", s, name)
	}
	return DInt(n), nil
}

func floatName(f Family) string {
	if f == FamFloat4 {
		return "real"
	}
	return "double precision"
}

func parseFloat(t *T, s string) (Datum, error) {
	name := floatName(t.Family)
	v := trimPGSpace(s)
	switch strings.ToLower(v) {
	case "nan", "+nan":
		return DFloat(canonicalNaN), nil
	case "-nan":
		return DFloat(math.Float64frombits(canonicalNaNBits | 1<<63)), nil
	case "infinity", "+infinity", "inf", "+inf":
		return DFloat(math.Inf(1)), nil
	case "-infinity", "-inf":
		return DFloat(math.Inf(-1)), nil
	}
	body := strings.TrimLeft(v, "+-")
	isHex := len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')
	if v == "" || strings.ContainsAny(v, "_nNiI") || (!isHex && strings.ContainsAny(v, "xXpP")) {
		// Go also reads underscores and spelled-out specials in places
		// strtod does not; the specials were handled above.
		return nil, invalidSyntax(name, s)
	}
	if isHex && !strings.ContainsAny(v, "pP") {
		v += "p0" // strtod's hex floats need no binary exponent, Go's do
	}
	bits := 64
	if t.Family == FamFloat4 {
		bits = 32
	}
	f, err := strconv.ParseFloat(v, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "%q is out of range for type %s", v, name)
		}
		return nil, invalidSyntax(name, s)
	}
	if f == 0 && !isHex && hasNonZeroMantissa(v) {
		// strtod reports underflow to zero as ERANGE, which PostgreSQL rejects.
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "%q is out of range for type %s", v, name)
	}
	return DFloat(f), nil
}

func hasNonZeroMantissa(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == 'e' || c == 'E' {
			return false
		}
		if c >= '1' && c <= '9' {
			return true
		}
	}
	return false
}

func parseNumeric(s string) (*DDecimal, error) {
	v := trimPGSpace(s)
	d := &DDecimal{}
	switch strings.ToLower(v) {
	case "nan":
		d.Form = apd.NaN
		return d, nil
	case "infinity", "+infinity", "inf", "+inf":
		d.Form = apd.Infinite
		return d, nil
	case "-infinity", "-inf":
		d.Form = apd.Infinite
		d.Negative = true
		return d, nil
	}
	if v == "" || !numericLiteral(v) {
		return nil, invalidSyntax("numeric", s)
	}
	mant, exp := v, int64(0)
	if i := strings.IndexAny(v, "eE"); i >= 0 {
		e, err := strconv.ParseInt(v[i+1:], 10, 64)
		if err != nil || e > math.MaxInt32/2 || e < -math.MaxInt32/2 {
			return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value overflows numeric format")
		}
		mant, exp = v[:i], e
	}
	if _, _, err := d.SetString(mant); err != nil {
		return nil, invalidSyntax("numeric", s)
	}
	// apd's own exponent limit (100000) is below PostgreSQL's, so the
	// exponent is applied by hand.
	exp += int64(d.Exponent)
	if exp > math.MaxInt32/2 || exp < -math.MaxInt32/2 {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value overflows numeric format")
	}
	d.Exponent = int32(exp)
	normalizeDecimal(d)
	if err := checkNumericFormat(d); err != nil {
		return nil, err
	}
	return d, nil
}

// Limits of PostgreSQL's numeric storage: a base-10000 weight of at most
// 32767 (131072 digits before the point) and a display scale of 16383.
const (
	numericMaxIntDigits = 4 * (0x7FFF + 1)
	numericMaxDScale    = 0x3FFF
)

func checkNumericFormat(d *DDecimal) error {
	if d.Form != apd.Finite {
		return nil
	}
	if -d.Exponent > numericMaxDScale || (d.Coeff.Sign() != 0 && int64(d.NumDigits())+int64(d.Exponent) > numericMaxIntDigits) {
		return pgerror.New(pgerror.CodeNumericValueOutOfRange, "value overflows numeric format")
	}
	return nil
}

// numericLiteral checks PostgreSQL's numeric_in grammar: sign, digits with
// an optional point (at least one digit), optional exponent.
func numericLiteral(v string) bool {
	i := 0
	if v[i] == '+' || v[i] == '-' {
		i++
	}
	nd := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
		nd++
	}
	if i < len(v) && v[i] == '.' {
		i++
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
			nd++
		}
	}
	if nd == 0 {
		return false
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		ne := 0
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
			ne++
		}
		if ne == 0 {
			return false
		}
	}
	return i == len(v)
}

// normalizeDecimal gives d PostgreSQL's display scale: never a positive
// exponent (1e2 shows as 100) and no negative zero.
func normalizeDecimal(d *DDecimal) {
	if d.Form != apd.Finite {
		return
	}
	if d.Exponent > 0 && int64(d.NumDigits())+int64(d.Exponent) <= numericMaxIntDigits {
		var scale apd.BigInt
		scale.Exp(apd.NewBigInt(10), apd.NewBigInt(int64(d.Exponent)), nil)
		d.Coeff.Mul(&d.Coeff, &scale)
		d.Exponent = 0
	}
	if d.Coeff.Sign() == 0 {
		d.Negative = false
	}
}

// applyNumericTypmod rounds d to t's scale and checks its precision, as
// PostgreSQL's apply_typmod does.
func applyNumericTypmod(d *DDecimal, t *T) (*DDecimal, error) {
	p, sc := t.Width, t.Scale
	if d.Form == apd.NaN {
		return d, nil
	}
	if d.Form == apd.Infinite {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "numeric field overflow").
			WithDetail("A field with precision %d, scale %d cannot hold an infinite value.", p, sc)
	}
	r := &DDecimal{}
	if _, err := numCtx.Quantize(&r.Decimal, &d.Decimal, -sc); err != nil {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "numeric field overflow")
	}
	if sc < 0 {
		// A negative scale rounds to tens, hundreds ... but still shows as an integer.
		var z apd.Decimal
		_, _ = numCtx.Quantize(&z, &r.Decimal, 0)
		r.Decimal.Set(&z)
	}
	if r.Coeff.Sign() == 0 {
		r.Negative = false
	}
	maxDigits := p - sc
	intDigits := int32(r.NumDigits()) + r.Exponent
	if r.Coeff.Sign() != 0 && intDigits > maxDigits {
		e := pgerror.New(pgerror.CodeNumericValueOutOfRange, "numeric field overflow")
		if maxDigits > 0 {
			return nil, e.WithDetail("A field with precision %d, scale %d must round to an absolute value less than 10^%d.", p, sc, maxDigits)
		}
		return nil, e.WithDetail("A field with precision %d, scale %d must round to an absolute value less than 1.", p, sc)
	}
	return r, nil
}

func appendNumeric(buf []byte, d *DDecimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return append(buf, "NaN"...)
	case apd.Infinite:
		if d.Negative {
			return append(buf, "-Infinity"...)
		}
		return append(buf, "Infinity"...)
	}
	return append(buf, d.Text('f')...)
}

// appendFloat formats like PostgreSQL 12+'s float4out/float8out with
// extra_float_digits = 1: the shortest text that reads back exactly, in
// positional notation for decimal exponents -4 .. digits-1 (below 6 for
// real, 15 for double precision) and %e style otherwise.
func appendFloat(buf []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(buf, "-0"...)
		}
		return append(buf, '0')
	}
	e := shortestFloat(f, bits)
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	neg := false
	if mant[0] == '-' {
		neg = true
		mant = mant[1:]
	}
	digits := strings.Replace(mant, ".", "", 1)
	limit := 15
	if bits == 32 {
		limit = 6
	}
	if neg {
		buf = append(buf, '-')
	}
	if exp < -4 || exp >= limit {
		buf = append(buf, digits[0])
		if len(digits) > 1 {
			buf = append(buf, '.')
			buf = append(buf, digits[1:]...)
		}
		buf = append(buf, 'e')
		if exp < 0 {
			buf = append(buf, '-')
			exp = -exp
		} else {
			buf = append(buf, '+')
		}
		if exp < 10 {
			buf = append(buf, '0')
		}
		return strconv.AppendInt(buf, int64(exp), 10)
	}
	if exp < 0 {
		buf = append(buf, "0."...)
		for i := -1; i > exp; i-- {
			buf = append(buf, '0')
		}
		return append(buf, digits...)
	}
	if len(digits) <= exp+1 {
		buf = append(buf, digits...)
		for i := len(digits); i <= exp; i++ {
			buf = append(buf, '0')
		}
		return buf
	}
	buf = append(buf, digits[:exp+1]...)
	buf = append(buf, '.')
	return append(buf, digits[exp+1:]...)
}

// shortestFloat is strconv's shortest round-trip %e form, except that
// PostgreSQL's Ryū never picks a decimal lying exactly halfway between two
// floats (it would read back only by ties-to-even): 1e23 prints as
// 9.999999999999999e+22. Such ties need at least 2^(mantissa bits - 2)
// in magnitude, so smaller values skip the exact check.
func shortestFloat(f float64, bits int) string {
	e := strconv.FormatFloat(f, 'e', -1, bits)
	limit := 0x1p50
	if bits == 32 {
		limit = 0x1p21
	}
	if math.Abs(f) < limit {
		return e
	}
	digits := strings.IndexByte(e, 'e') - 1
	if strings.IndexByte(e, '.') < 0 {
		digits++
	}
	if f < 0 {
		digits--
	}
	for prec := digits; onFloatMidpoint(e, f, bits) && prec < 17; prec++ {
		e = strconv.FormatFloat(f, 'e', prec, bits)
	}
	return e
}

// onFloatMidpoint reports whether the decimal text s equals, exactly, the
// midpoint between f and one of its neighbours.
func onFloatMidpoint(s string, f float64, bits int) bool {
	dec, ok := new(big.Rat).SetString(s)
	if !ok {
		return false
	}
	var lo, hi float64
	if bits == 32 {
		lo = float64(math.Nextafter32(float32(f), float32(math.Inf(-1))))
		hi = float64(math.Nextafter32(float32(f), float32(math.Inf(1))))
	} else {
		lo, hi = math.Nextafter(f, math.Inf(-1)), math.Nextafter(f, math.Inf(1))
	}
	x := new(big.Rat).SetFloat64(f)
	for _, n := range []float64{lo, hi} {
		if math.IsInf(n, 0) {
			continue
		}
		mid := new(big.Rat).Add(x, new(big.Rat).SetFloat64(n))
		mid.Quo(mid, big.NewRat(2, 1))
		if mid.Cmp(dec) == 0 {
			return true
		}
	}
	return false
}

// truncateName cuts s to NAMEDATALEN-1 bytes at a character boundary.
func truncateName(s string) string {
	if len(s) <= nameMaxBytes {
		return s
	}
	n := nameMaxBytes
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func parseBytea(s string) (Datum, error) {
	if strings.HasPrefix(s, `\x`) {
		out := make([]byte, 0, (len(s)-2)/2)
		for i := 2; i < len(s); {
			c := s[i]
			if pgSpace(c) {
				i++
				continue
			}
			hi, ok := unhex(c)
			if !ok {
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid hexadecimal digit: %q", string(rune(c)))
			}
			if i+1 >= len(s) {
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid hexadecimal data: odd number of digits")
			}
			lo, ok := unhex(s[i+1])
			if !ok {
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid hexadecimal digit: %q", string(rune(s[i+1])))
			}
			out = append(out, hi<<4|lo)
			i += 2
		}
		return DBytes(out), nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			out = append(out, s[i])
			i++
			continue
		}
		if i+1 < len(s) && s[i+1] == '\\' {
			out = append(out, '\\')
			i += 2
			continue
		}
		if i+3 < len(s)+0 && s[i+1] >= '0' && s[i+1] <= '3' && isOct(s[i+2]) && isOct(s[i+3]) {
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 4
			continue
		}
		return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type bytea")
	}
	return DBytes(out), nil
}

func isOct(c byte) bool { return c >= '0' && c <= '7' }

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func appendBytea(buf []byte, b []byte) []byte {
	buf = append(buf, `\x`...)
	return hex.AppendEncode(buf, b)
}

// parseUUID accepts PostgreSQL's forms: 32 hex digits, optionally in
// braces, with a hyphen allowed after any group of four digits.
func parseUUID(s string) (Datum, error) {
	v := s
	if strings.HasPrefix(v, "{") {
		if !strings.HasSuffix(v, "}") {
			return nil, invalidSyntax("uuid", s)
		}
		v = v[1 : len(v)-1]
	}
	var u DUUID
	n := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '-' {
			if n == 0 || n%4 != 0 || n == 32 || (i > 0 && v[i-1] == '-') {
				return nil, invalidSyntax("uuid", s)
			}
			continue
		}
		h, ok := unhex(c)
		if !ok || n >= 32 {
			return nil, invalidSyntax("uuid", s)
		}
		if n%2 == 0 {
			u[n/2] = h << 4
		} else {
			u[n/2] |= h
		}
		n++
	}
	if n != 32 || strings.HasSuffix(v, "-") {
		return nil, invalidSyntax("uuid", s)
	}
	return u, nil
}

func appendUUID(buf []byte, u DUUID) []byte {
	var tmp [36]byte
	hex.Encode(tmp[0:8], u[0:4])
	tmp[8] = '-'
	hex.Encode(tmp[9:13], u[4:6])
	tmp[13] = '-'
	hex.Encode(tmp[14:18], u[6:8])
	tmp[18] = '-'
	hex.Encode(tmp[19:23], u[8:10])
	tmp[23] = '-'
	hex.Encode(tmp[24:36], u[10:16])
	return append(buf, tmp[:]...)
}

// parseOid reads an oid as oidin does: a decimal that may be negative
// (wrapping like strtoul) within the 32-bit range.
func parseOid(t *T, s string) (Datum, error) {
	name := t.TypeName()
	v := trimPGSpace(s)
	if v == "" {
		return nil, invalidSyntax(name, s)
	}
	neg := false
	digits := v
	if digits[0] == '-' || digits[0] == '+' {
		neg = digits[0] == '-'
		digits = digits[1:]
	}
	if digits == "" {
		return nil, invalidSyntax(name, s)
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			if t.Family == FamRegproc {
				return DOid(RegprocOID(procName(v))), nil
			}
			return nil, invalidSyntax(name, s)
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > math.MaxUint32 || (neg && n > -math.MinInt32) {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value %q is out of range for type %s", s, name)
	}
	if neg {
		return DOid(uint32(-int64(n))), nil
	}
	return DOid(uint32(n)), nil
}

// RegprocOID is the OID of the function named name in pg_proc and in
// regproc values. Quiver's functions have no stored OIDs; deriving one
// from the name keeps it stable across restarts and lets regproc's input
// ('pg_catalog.array_in'::regproc, which JDBC's type lookup compares with
// pg_type.typinput) work without a catalog. The OIDs lie in [1<<24, 1<<31),
// clear of the type OIDs below 16384 and of small relation OIDs.
func RegprocOID(name string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	return 1<<24 + h%(1<<31-1<<24)
}

// RegprocName normalises regproc input: an optional pg_catalog. or
// public. qualifier (built-ins, pgvector's functions) is dropped and an
// unquoted name is folded to lower case.
func RegprocName(s string) string { return procName(s) }

func procName(s string) string {
	s = strings.TrimPrefix(s, "pg_catalog.")
	s = strings.TrimPrefix(s, "public.")
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return strings.ToLower(s)
}
