package builtins

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/quiverdb/quiver/sql/types"
)

// datumText renders a value the way its output function does, for
// functions that take "any" (concat, format, ||) and so do not know the
// static type. Floats follow float8's rules; timestamptz is shown in UTC.
func datumText(d types.Datum) string {
	switch x := d.(type) {
	case types.DString:
		return string(x)
	case types.DInt:
		return strconv.FormatInt(int64(x), 10)
	case types.DFloat:
		return formatFloat(float64(x), 15)
	case *types.DDecimal:
		return x.Text('f')
	case types.DBool:
		if x {
			return "t"
		}
		return "f"
	case types.DBytes:
		return `\x` + hex.EncodeToString(x)
	case types.DDate:
		return formatDate(x)
	case types.DTimestamp:
		return formatTimestamp(int64(x), false, 0)
	case types.DTimestampTZ:
		return formatTimestamp(int64(x), true, 0)
	case types.DInterval:
		return formatInterval(x)
	case types.DUUID:
		h := hex.EncodeToString(x[:])
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	case types.DJSON:
		return string(x)
	case types.DOid:
		return strconv.FormatUint(uint64(x), 10)
	case types.DVector:
		return types.FormatText(types.Vector, x)
	case types.DHalfvec:
		return types.FormatText(types.Halfvec, x)
	case *types.DSparsevec:
		return types.FormatText(types.Sparsevec, x)
	case *types.DBit:
		return types.FormatText(types.Varbit, x)
	case *types.DArray:
		parts := make([]string, len(x.Elems))
		for i, e := range x.Elems {
			parts[i] = arrayElemText(e)
		}
		return "{" + strings.Join(parts, ",") + "}"
	case types.DTuple:
		parts := make([]string, len(x))
		for i, e := range x {
			if !types.IsNull(e) {
				parts[i] = quoteCompositeElem(datumText(e))
			}
		}
		return "(" + strings.Join(parts, ",") + ")"
	}
	return ""
}

func arrayElemText(e types.Datum) string {
	if types.IsNull(e) {
		return "NULL"
	}
	s := datumText(e)
	if s == "" || strings.EqualFold(s, "null") || strings.ContainsAny(s, "{},\"\\ \t\n") {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	return s
}

func quoteCompositeElem(s string) string {
	if s == "" || strings.ContainsAny(s, "(),\"\\ \t\n") {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `""`) + `"`
	}
	return s
}

// formatFloat is PostgreSQL's shortest-exact float output: plain notation
// for decimal exponents in [-4, digits), scientific otherwise.
func formatFloat(f float64, digits int) string { return formatFloatBits(f, digits, 64) }

func formatFloatBits(f float64, digits int, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	exp := int(math.Floor(math.Log10(math.Abs(f))))
	s := strconv.FormatFloat(f, 'e', -1, bits)
	// Log10 can be off by one at exact powers; read the exponent back.
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		exp, _ = strconv.Atoi(s[i+1:])
	}
	if exp < -4 || exp >= digits {
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// PostgreSQL's epoch (2000-01-01) as Unix seconds.
const pgEpochUnix = 946684800

const usPerDay = 86400 * 1000000

func dateToTime(d types.DDate) time.Time {
	return time.Unix(pgEpochUnix+int64(d)*86400, 0).UTC()
}

func timeToDate(t time.Time) types.DDate {
	y, m, d := t.Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()
	return types.DDate(floorDiv64(u-pgEpochUnix, 86400))
}

// microsToTime converts PostgreSQL microseconds to a UTC time.Time.
func microsToTime(us int64) time.Time {
	return time.Unix(pgEpochUnix, 0).UTC().Add(time.Duration(0)).Add(time.Duration(floorDiv64(us, 1000000))*time.Second + time.Duration(floorMod64(us, 1000000))*time.Microsecond)
}

func timeToMicros(t time.Time) int64 {
	return (t.Unix()-pgEpochUnix)*1000000 + int64(t.Nanosecond()/1000)
}

// TimestampTZ converts a Go time to a timestamptz datum.
func TimestampTZ(t time.Time) types.DTimestampTZ { return types.DTimestampTZ(timeToMicros(t)) }

func floorDiv64(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod64(a, b int64) int64 { return a - floorDiv64(a, b)*b }

func formatYear(y int) (string, string) {
	if y <= 0 {
		return fmt.Sprintf("%04d", 1-y), " BC"
	}
	return fmt.Sprintf("%04d", y), ""
}

func formatDate(d types.DDate) string {
	t := dateToTime(d)
	ys, bc := formatYear(t.Year())
	return fmt.Sprintf("%s-%02d-%02d%s", ys, int(t.Month()), t.Day(), bc)
}

// formatTimestamp shows a timestamp in ISO style; tz adds the offset in
// seconds east of UTC.
func formatTimestamp(us int64, tz bool, offset int) string {
	t := microsToTime(us + int64(offset)*1000000)
	ys, bc := formatYear(t.Year())
	s := fmt.Sprintf("%s-%02d-%02d %02d:%02d:%02d", ys, int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second())
	if frac := t.Nanosecond() / 1000; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")
	}
	if tz {
		sign := '+'
		if offset < 0 {
			sign, offset = '-', -offset
		}
		s += fmt.Sprintf("%c%02d", sign, offset/3600)
		if m, sec := offset%3600/60, offset%60; m != 0 || sec != 0 {
			s += fmt.Sprintf(":%02d", m)
			if sec != 0 {
				s += fmt.Sprintf(":%02d", sec)
			}
		}
	}
	return s + bc
}

// formatInterval is the postgres IntervalStyle output.
func formatInterval(v types.DInterval) string {
	var parts []string
	unit := func(n int64, name string) {
		if n == 0 {
			return
		}
		s := strconv.FormatInt(n, 10) + " " + name
		if n != 1 && n != -1 {
			s += "s"
		}
		parts = append(parts, s)
	}
	unit(int64(v.Months/12), "year")
	unit(int64(v.Months%12), "mon")
	unit(int64(v.Days), "day")
	if v.Micros != 0 || len(parts) == 0 {
		us := v.Micros
		neg := us < 0
		if neg {
			us = -us
		}
		h := us / 3600000000
		m := us / 60000000 % 60
		sec := us / 1000000 % 60
		frac := us % 1000000
		s := fmt.Sprintf("%02d:%02d:%02d", h, m, sec)
		if frac != 0 {
			s += strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")
		}
		if neg {
			s = "-" + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// texter renders a value as the output function of type t shows it; t
// may be nil when the static type is not known.
type texter func(ctx *EvalContext, t *types.T, d types.Datum) string

func untypedText(ctx *EvalContext, t *types.T, d types.Datum) string { return datumText(d) }

// typedText uses the types package's output functions (float4 digits,
// timestamptz in the session zone) once the planner has bound the types.
func typedText(ctx *EvalContext, t *types.T, d types.Datum) string {
	if t == nil || t.Family == types.FamUnknown {
		return datumText(d)
	}
	return string(types.AppendTextLoc(nil, t, d, location(ctx)))
}

func argType(argTypes []*types.T, i int) *types.T {
	if i < len(argTypes) {
		return argTypes[i]
	}
	return nil
}

// textOverload gives o an Fn that renders values from their Go form and a
// Bind that renders them by their static types.
func textOverload(o *Overload, f func(tx texter, argTypes []*types.T) evalFn) *Overload {
	o.Fn = f(untypedText, nil)
	o.Bind = func(argTypes []*types.T) func(ctx *EvalContext, args []types.Datum) (types.Datum, error) {
		return f(typedText, argTypes)
	}
	return o
}
