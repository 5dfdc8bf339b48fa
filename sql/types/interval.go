package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
)

func intervalSyntax(s string) error {
	return pgerror.New(pgerror.CodeInvalidDatetimeFormat, "invalid input syntax for type interval: %q", s)
}

// intervalAcc accumulates an interval's parts in wide types so overflow
// can be reported instead of wrapping.
type intervalAcc struct {
	months, days float64
	micros       float64
}

// unitKind classifies an interval unit word.
func unitKind(u string) (kind string, ok bool) {
	switch u {
	case "microsecond", "microseconds", "us", "usec", "usecs", "useconds":
		return "us", true
	case "millisecond", "milliseconds", "ms", "msec", "msecs", "mseconds":
		return "ms", true
	case "second", "seconds", "s", "sec", "secs":
		return "s", true
	case "minute", "minutes", "m", "min", "mins":
		return "min", true
	case "hour", "hours", "h", "hr", "hrs":
		return "h", true
	case "day", "days", "d":
		return "d", true
	case "week", "weeks", "w":
		return "w", true
	case "month", "months", "mon", "mons":
		return "mon", true
	case "year", "years", "y", "yr", "yrs":
		return "y", true
	case "decade", "decades", "dec", "decs":
		return "dec", true
	case "century", "centuries", "c", "cent":
		return "c", true
	case "millennium", "millennia", "mil", "mils":
		return "mil", true
	}
	return "", false
}

func (a *intervalAcc) add(kind string, v float64) {
	switch kind {
	case "us":
		a.micros += v
	case "ms":
		a.micros += v * 1000
	case "s":
		a.micros += v * 1e6
	case "min":
		a.micros += v * 60e6
	case "h":
		a.micros += v * 3600e6
	case "d":
		a.addDays(v)
	case "w":
		a.addDays(v * 7)
	case "mon":
		a.addMonths(v)
	case "y":
		a.addYears(v)
	case "dec":
		a.addYears(v * 10)
	case "c":
		a.addYears(v * 100)
	case "mil":
		a.addYears(v * 1000)
	}
}

// Fractions spill downwards as PostgreSQL does: years to whole months,
// months to 30-day months, days to 24-hour days.
func (a *intervalAcc) addYears(v float64) {
	whole := math.Trunc(v)
	a.months += whole*12 + math.RoundToEven((v-whole)*12)
}

func (a *intervalAcc) addMonths(v float64) {
	whole := math.Trunc(v)
	a.months += whole
	a.addDays((v - whole) * 30)
}

func (a *intervalAcc) addDays(v float64) {
	whole := math.Trunc(v)
	a.days += whole
	a.micros += math.RoundToEven((v - whole) * 86400e6)
}

func parseInterval(s string) (Datum, error) {
	v := strings.ToLower(trimPGSpace(s))
	if v == "" {
		return nil, intervalSyntax(s)
	}
	if v[0] == 'p' {
		return parseISOInterval(s, v[1:])
	}
	var a intervalAcc
	words := strings.Fields(v)
	ago := false
	sawTime := false
	seen := map[string]bool{}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "@" && i == 0:
			continue
		case w == "ago" && i == len(words)-1 && i > 0:
			ago = true
			continue
		case strings.Contains(w, ":"):
			if sawTime || seen["h"] || seen["min"] || seen["s"] {
				return nil, intervalSyntax(s)
			}
			us, ok := parseIntervalTime(w)
			if !ok {
				return nil, intervalSyntax(s)
			}
			a.micros += us
			sawTime = true
			continue
		}
		if ym := yearMonthToken(w); ym != nil {
			// SQL-standard year-month literal: 1-2 is 1 year 2 months.
			if seen["y"] || seen["mon"] {
				return nil, intervalSyntax(s)
			}
			seen["y"], seen["mon"] = true, true
			a.months += float64(ym[0]*12 + ym[1])
			continue
		}
		// A number, with its unit attached ("10min") or as the next word.
		j := 0
		if j < len(w) && (w[j] == '+' || w[j] == '-') {
			j++
		}
		for j < len(w) && (w[j] >= '0' && w[j] <= '9' || w[j] == '.') {
			j++
		}
		numStr, unit := w[:j], w[j:]
		if numStr == "" || numStr == "+" || numStr == "-" {
			return nil, intervalSyntax(s)
		}
		num, err := strconv.ParseFloat(numStr, 64)
		if err != nil {
			return nil, intervalSyntax(s)
		}
		if unit == "" && i+1 < len(words) {
			if _, ok := unitKind(words[i+1]); ok {
				unit = words[i+1]
				i++
			}
		}
		if unit == "" && i+1 < len(words) && strings.Contains(words[i+1], ":") {
			unit = "d" // SQL-standard day-time literal: 1 2:03:04
		}
		if unit == "" {
			if i != len(words)-1 {
				return nil, intervalSyntax(s)
			}
			unit = "s" // a trailing bare number counts seconds
		}
		kind, ok := unitKind(unit)
		if !ok || seen[kind] || (sawTime && (kind == "h" || kind == "min" || kind == "s")) {
			// Each field may appear once, as in PostgreSQL's DecodeInterval.
			return nil, intervalSyntax(s)
		}
		seen[kind] = true
		a.add(kind, num)
	}
	if ago {
		a.months, a.days, a.micros = -a.months, -a.days, -a.micros
	}
	return a.finish(s)
}

func (a intervalAcc) finish(s string) (Datum, error) {
	if a.months > math.MaxInt32 || a.months < math.MinInt32 || a.days > math.MaxInt32 || a.days < math.MinInt32 {
		return nil, pgerror.New("22015", "interval field value out of range: %q", s)
	}
	if math.Abs(a.micros) >= 9.2e18 {
		return nil, pgerror.New(pgerror.CodeDatetimeFieldOverflow, "interval out of range")
	}
	return DInterval{Months: int32(a.months), Days: int32(a.days), Micros: int64(math.Round(a.micros))}, nil
}

// yearMonthToken reads [-]Y-M as {years, months}, both carrying the sign.
func yearMonthToken(w string) []int {
	neg := false
	v := w
	if v != "" && (v[0] == '-' || v[0] == '+') {
		neg = v[0] == '-'
		v = v[1:]
	}
	y, m, ok := strings.Cut(v, "-")
	if !ok {
		return nil
	}
	yi, ok1 := atoiAll(y)
	mi, ok2 := atoiAll(m)
	if !ok1 || !ok2 {
		return nil
	}
	if neg {
		return []int{-yi, -mi}
	}
	return []int{yi, mi}
}

// parseIntervalTime reads [-]H:MM[:SS[.frac]] as microseconds.
func parseIntervalTime(w string) (float64, bool) {
	neg := false
	if w[0] == '-' || w[0] == '+' {
		neg = w[0] == '-'
		w = w[1:]
	}
	frac := ""
	if i := strings.IndexByte(w, '.'); i >= 0 {
		w, frac = w[:i], w[i+1:]
	}
	p := strings.Split(w, ":")
	if len(p) < 2 || len(p) > 3 {
		return 0, false
	}
	var total float64
	mult := []float64{3600e6, 60e6, 1e6}
	for i, part := range p {
		n, err := strconv.ParseInt(part, 10, 64)
		if err != nil || n < 0 {
			return 0, false
		}
		total += float64(n) * mult[i]
	}
	if frac != "" {
		us, ok := fracMicros(frac)
		if !ok || len(p) != 3 {
			return 0, false
		}
		total += float64(us)
	}
	if neg {
		total = -total
	}
	return total, true
}

// parseISOInterval reads ISO 8601 "format with designators": P1Y2M3DT4H5M6S.
func parseISOInterval(orig, v string) (Datum, error) {
	var a intervalAcc
	inTime := false
	if v == "" {
		return nil, intervalSyntax(orig)
	}
	for len(v) > 0 {
		if v[0] == 't' {
			if inTime {
				return nil, intervalSyntax(orig)
			}
			inTime = true
			v = v[1:]
			continue
		}
		j := 0
		if v[0] == '-' || v[0] == '+' {
			j++
		}
		for j < len(v) && (v[j] >= '0' && v[j] <= '9' || v[j] == '.') {
			j++
		}
		if j == 0 || j == len(v) {
			return nil, intervalSyntax(orig)
		}
		num, err := strconv.ParseFloat(v[:j], 64)
		if err != nil {
			return nil, intervalSyntax(orig)
		}
		var kind string
		switch d := v[j]; {
		case d == 'y' && !inTime:
			kind = "y"
		case d == 'm' && !inTime:
			kind = "mon"
		case d == 'w' && !inTime:
			kind = "w"
		case d == 'd' && !inTime:
			kind = "d"
		case d == 'h' && inTime:
			kind = "h"
		case d == 'm' && inTime:
			kind = "min"
		case d == 's' && inTime:
			kind = "s"
		default:
			return nil, intervalSyntax(orig)
		}
		a.add(kind, num)
		v = v[j+1:]
	}
	return a.finish(orig)
}

func appendIntervalPart(buf []byte, v int64, unit string, isZero, isBefore *bool) []byte {
	if v == 0 {
		return buf
	}
	if !*isZero {
		buf = append(buf, ' ')
	}
	if *isBefore && v > 0 {
		buf = append(buf, '+')
	}
	buf = strconv.AppendInt(buf, v, 10)
	buf = append(buf, ' ')
	buf = append(buf, unit...)
	if v != 1 {
		buf = append(buf, 's')
	}
	*isBefore = v < 0
	*isZero = false
	return buf
}

// appendInterval follows EncodeInterval for IntervalStyle postgres.
func appendInterval(buf []byte, iv DInterval) []byte {
	isZero, isBefore := true, false
	buf = appendIntervalPart(buf, int64(iv.Months/12), "year", &isZero, &isBefore)
	buf = appendIntervalPart(buf, int64(iv.Months%12), "mon", &isZero, &isBefore)
	buf = appendIntervalPart(buf, int64(iv.Days), "day", &isZero, &isBefore)
	us := iv.Micros
	if isZero || us != 0 {
		hour := us / usecsPerHour
		us -= hour * usecsPerHour
		min := us / usecsPerMinute
		us -= min * usecsPerMinute
		sec := us / usecsPerSec
		fsec := us - sec*usecsPerSec
		minus := hour < 0 || min < 0 || sec < 0 || fsec < 0
		if !isZero {
			buf = append(buf, ' ')
		}
		if minus {
			buf = append(buf, '-')
		} else if isBefore {
			buf = append(buf, '+')
		}
		buf = appendPadded(buf, int(absI64(hour)), 2)
		buf = append(buf, ':')
		buf = appendPadded(buf, int(absI64(min)), 2)
		buf = append(buf, ':')
		buf = appendSeconds(buf, int(absI64(sec)), absI64(fsec))
	}
	return buf
}

func absI64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
