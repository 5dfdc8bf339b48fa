package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// vecName is the pgvector type name t's messages use: "halfvec" or
// "sparsevec" for those, "vector" otherwise.
func vecName(t *T) string {
	if t != nil && (t.Family == FamHalfvec || t.Family == FamSparsevec) {
		return famInfos[t.Family].sqlName
	}
	return "vector"
}

func vectorSyntax(t *T, s string) *pgerror.Error {
	return pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", vecName(t), s)
}

// checkVectorElem rejects what pgvector's CheckElement rejects.
func checkVectorElem(t *T, f float32) error {
	if math.IsNaN(float64(f)) {
		return pgerror.New(pgerror.CodeDataException, "NaN not allowed in %s", vecName(t))
	}
	if math.IsInf(float64(f), 0) {
		return pgerror.New(pgerror.CodeDataException, "infinite value not allowed in %s", vecName(t))
	}
	return nil
}

// checkVectorDims applies a vector(n) or halfvec(n) typmod as pgvector's
// CheckExpectedDim.
func checkVectorDims(t *T, n int) error {
	if t != nil && t.Width > 0 && int(t.Width) != n {
		return pgerror.New(pgerror.CodeDataException, "expected %d dimensions, not %d", t.Width, n)
	}
	return nil
}

// checkVectorDimCount is pgvector's CheckDim: 1 to 16000 elements.
func checkVectorDimCount(t *T, n int) error {
	if n < 1 {
		return pgerror.New(pgerror.CodeDataException, "%s must have at least 1 dimension", vecName(t))
	}
	if n > maxVectorDims {
		return pgerror.New(pgerror.CodeProgramLimitExceeded, "%s cannot have more than %d dimensions", vecName(t), maxVectorDims)
	}
	return nil
}

// vectorDatum wraps elements as t's Datum (DHalfvec for halfvec).
func vectorDatum(t *T, v []float32) Datum {
	if t.Family == FamHalfvec {
		return DHalfvec(v)
	}
	return DVector(v)
}

func isVectorElemChar(c byte) bool {
	return c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// parseVector follows pgvector's vector_in and halfvec_in step by step so
// that the same inputs fail with the same messages. halfvec_in reads each
// element as a float4 first and rounds that to half precision, so its
// double rounding is kept.
func parseVector(t *T, s string) (Datum, error) {
	half := t.Family == FamHalfvec
	i := 0
	for i < len(s) && pgSpace(s[i]) {
		i++
	}
	if i >= len(s) || s[i] != '[' {
		return nil, vectorSyntax(t, s).WithDetail("Vector contents must start with \"[\".")
	}
	i++
	for i < len(s) && pgSpace(s[i]) {
		i++
	}
	if i < len(s) && s[i] == ']' {
		return nil, checkVectorDimCount(t, 0)
	}
	// Sized up front (a comma per further element): growing by appends
	// reallocated a 128-element vector five times per parse.
	out := make([]float32, 0, min(strings.Count(s[i:], ",")+1, maxVectorDims))
	for {
		if len(out) == maxVectorDims {
			return nil, checkVectorDimCount(t, maxVectorDims+1)
		}
		for i < len(s) && pgSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return nil, vectorSyntax(t, s)
		}
		f, n, ok := parseDecimalFloat32(s[i:])
		if !ok || (i+n < len(s) && isVectorElemChar(s[i+n])) {
			var err error
			if f, n, err = parseVectorElem(t, s, i); err != nil {
				return nil, err
			}
		}
		if half {
			if halfOverflows(f) {
				return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "\"%s\" is out of range for type halfvec", s[i:i+n])
			}
			f = RoundHalf(f)
		}
		if err := checkVectorElem(t, f); err != nil {
			return nil, err
		}
		out = append(out, f)
		i += n
		for i < len(s) && pgSpace(s[i]) {
			i++
		}
		if i < len(s) && s[i] == ',' {
			i++
			continue
		}
		if i < len(s) && s[i] == ']' {
			i++
			break
		}
		return nil, vectorSyntax(t, s)
	}
	for i < len(s) && pgSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return nil, vectorSyntax(t, s).WithDetail("Junk after closing right brace.")
	}
	if err := checkVectorDims(t, len(out)); err != nil {
		return nil, err
	}
	return vectorDatum(t, out), nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func containsUnderscoreOrHexPrefix(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if tok[i] == '_' {
			return true
		}
	}
	return false
}

// appendVector writes vector_out's and halfvec_out's text: each element in
// float4's shortest form (a half widens to float4 exactly).
func appendVector(buf []byte, v []float32) []byte {
	buf = append(buf, '[')
	for i, f := range v {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendFloat(buf, float64(f), 32)
	}
	return append(buf, ']')
}

// parseVectorElem reads the element at s[i:] with strconv, returning it
// and its length, with pgvector's errors for what strtof rejects.
func parseVectorElem(t *T, s string, i int) (float32, int, error) {
	j := i
	for j < len(s) && isVectorElemChar(s[j]) {
		j++
	}
	tok := s[i:j]
	f, err := strconv.ParseFloat(tok, 32)
	if tok == "" || containsUnderscoreOrHexPrefix(tok) || (err != nil && !isRangeErr(err)) {
		return 0, 0, vectorSyntax(t, s)
	}
	if isRangeErr(err) && math.IsInf(f, 0) {
		// strtof's ERANGE overflow, which pgvector reports as float4in
		// does (an underflow to zero is accepted).
		return 0, 0, pgerror.New(pgerror.CodeNumericValueOutOfRange, "\"%s\" is out of range for type %s", tok, vecName(t))
	}
	return float32(f), len(tok), nil
}

// exactPow10 holds the powers of ten a float64 represents exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseDecimalFloat32 reads a plain decimal ([+-]digits[.digits], no
// exponent) at the start of s as strtof would, returning the value, the
// bytes read and whether the fast path applied; the caller falls back to
// strconv otherwise. Query vectors arrive as text and strconv's generic
// path was a tenth of a k-NN query's server time.
//
// With at most 15 significant digits the mantissa and 10^frac are exact
// float64 values, so their quotient is the correctly rounded float64 of
// the decimal. Rounding that to float32 gives the correctly rounded
// float32 (what strtof returns) unless the float64 landed exactly on a
// midpoint between two float32 values, since no float64 rounding crosses
// one; that case, and results outside float32's normal range, fall back.
func parseDecimalFloat32(s string) (float32, int, bool) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var mant uint64
	digits := 0
	// run reads digits into mant and returns how many it read, or -1
	// past 15 significant digits.
	run := func() int {
		start := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if mant != 0 || s[i] != '0' {
				digits++
			}
			mant = mant*10 + uint64(s[i]-'0')
			if digits > 15 {
				return -1
			}
		}
		return i - start
	}
	intDigits, frac := run(), 0
	if intDigits < 0 {
		return 0, 0, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if frac = run(); frac < 0 {
			return 0, 0, false
		}
	}
	if intDigits+frac == 0 || frac >= len(exactPow10) {
		return 0, 0, false
	}
	d := float64(mant) / exactPow10[frac]
	if d != 0 {
		if d < math.SmallestNonzeroFloat32*(1<<23) || d > math.MaxFloat32 {
			return 0, 0, false
		}
		if math.Float64bits(d)&(1<<29-1) == 1<<28 {
			return 0, 0, false
		}
	}
	if neg {
		d = -d
	}
	return float32(d), i, true
}
