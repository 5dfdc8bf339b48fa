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

// intervalAcc accumulates an interval's parts in 64-bit integers, noting
// overflow instead of wrapping; fractions spill into the smaller fields.
type intervalAcc struct {
	months, days, micros int64
	overflow             bool
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

// addInt adds a*b to *dst, recording overflow.
func (a *intervalAcc) addInt(dst *int64, x, mult int64) {
	if x != 0 && (x > math.MaxInt64/mult || x < math.MinInt64/mult) {
		a.overflow = true
		return
	}
	p := x * mult
	sum := *dst + p
	if (p > 0 && sum < *dst) || (p < 0 && sum > *dst) {
		a.overflow = true
		return
	}
	*dst = sum
}

// add adds ip+frac of a unit; frac has the same sign as ip.
func (a *intervalAcc) add(kind string, ip int64, frac float64) {
	switch kind {
	case "us":
		a.addInt(&a.micros, ip, 1)
		a.addInt(&a.micros, int64(math.RoundToEven(frac)), 1)
	case "ms":
		a.addMicros(ip, frac, 1000)
	case "s":
		a.addMicros(ip, frac, usecsPerSec)
	case "min":
		a.addMicros(ip, frac, usecsPerMinute)
	case "h":
		a.addMicros(ip, frac, usecsPerHour)
	case "d":
		a.addInt(&a.days, ip, 1)
		a.addMicros(0, frac, usecsPerDay)
	case "w":
		a.addInt(&a.days, ip, 7)
		a.addDayFraction(frac * 7)
	case "mon":
		a.addInt(&a.months, ip, 1)
		a.addDayFraction(frac * 30)
	case "y":
		a.addYears(ip, frac, 1)
	case "dec":
		a.addYears(ip, frac, 10)
	case "c":
		a.addYears(ip, frac, 100)
	case "mil":
		a.addYears(ip, frac, 1000)
	}
}

func (a *intervalAcc) addMicros(ip int64, frac float64, mult int64) {
	a.addInt(&a.micros, ip, mult)
	a.addInt(&a.micros, int64(math.RoundToEven(frac*float64(mult))), 1)
}

// addDayFraction adds whole days and spills the rest into microseconds.
func (a *intervalAcc) addDayFraction(d float64) {
	whole := math.Trunc(d)
	a.addInt(&a.days, int64(whole), 1)
	a.addMicros(0, d-whole, usecsPerDay)
}

// addYears adds years, a fraction of a year becoming whole months.
func (a *intervalAcc) addYears(ip int64, frac float64, mult int64) {
	a.addInt(&a.months, ip, 12*mult)
	a.addInt(&a.months, int64(math.RoundToEven(frac*float64(12*mult))), 1)
}

// splitNumber reads a signed decimal as an integer part and a fraction
// carrying the same sign.
func splitNumber(s string) (int64, float64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	ipStr, fracStr, _ := strings.Cut(s, ".")
	if ipStr == "" && fracStr == "" || strings.ContainsAny(fracStr, ".+-") {
		return 0, 0, false
	}
	var ip int64
	if ipStr != "" {
		v, err := strconv.ParseInt(ipStr, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		ip = v
	}
	var frac float64
	if fracStr != "" {
		f, err := strconv.ParseFloat("0."+fracStr, 64)
		if err != nil {
			return 0, 0, false
		}
		frac = f
	}
	if neg {
		return -ip, -frac, true
	}
	return ip, frac, true
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
			a.addInt(&a.micros, us, 1)
			sawTime = true
			continue
		}
		if ym := yearMonthToken(w); ym != nil {
			// SQL-standard year-month literal: 1-2 is 1 year 2 months.
			if seen["y"] || seen["mon"] {
				return nil, intervalSyntax(s)
			}
			seen["y"], seen["mon"] = true, true
			a.addInt(&a.months, int64(ym[0])*12+int64(ym[1]), 1)
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
		ip, frac, ok := splitNumber(numStr)
		if !ok {
			if _, err := strconv.ParseFloat(numStr, 64); err == nil {
				return nil, pgerror.New("22015", "interval field value out of range: %q", s)
			}
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
		a.add(kind, ip, frac)
	}
	if ago {
		a.months, a.days, a.micros = -a.months, -a.days, -a.micros
	}
	return a.finish(s)
}

func (a intervalAcc) finish(s string) (Datum, error) {
	if a.overflow || a.months > math.MaxInt32 || a.months < math.MinInt32 || a.days > math.MaxInt32 || a.days < math.MinInt32 {
		return nil, pgerror.New("22015", "interval field value out of range: %q", s)
	}
	return DInterval{Months: int32(a.months), Days: int32(a.days), Micros: a.micros}, nil
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
func parseIntervalTime(w string) (int64, bool) {
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
	var acc intervalAcc
	mult := []int64{usecsPerHour, usecsPerMinute, usecsPerSec}
	for i, part := range p {
		n, err := strconv.ParseInt(part, 10, 64)
		if err != nil || n < 0 {
			return 0, false
		}
		acc.addInt(&acc.micros, n, mult[i])
	}
	if frac != "" {
		us, ok := fracMicros(frac)
		if !ok || len(p) != 3 {
			return 0, false
		}
		acc.addInt(&acc.micros, us, 1)
	}
	if acc.overflow {
		return 0, false
	}
	if neg {
		return -acc.micros, true
	}
	return acc.micros, true
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
		ip, frac, ok := splitNumber(v[:j])
		if !ok {
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
		a.add(kind, ip, frac)
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
