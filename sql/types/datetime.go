package types

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// PostgreSQL's date/time internals: Julian day numbers, an epoch of
// 2000-01-01, and the extreme values that stand for ±infinity.
const (
	pgEpochJDate   = 2451545 // date2j(2000, 1, 1)
	unixEpochJDate = 2440588 // date2j(1970, 1, 1)
	usecsPerDay    = int64(86400000000)
	usecsPerHour   = int64(3600000000)
	usecsPerMinute = int64(60000000)
	usecsPerSec    = int64(1000000)
	dateEndJulian  = 2147483494 // date2j(5874898, 1, 1)
	tsEndJulian    = 109203528  // date2j(294277, 1, 1)

	DateNegInfinity = DDate(math.MinInt32)
	DatePosInfinity = DDate(math.MaxInt32)
	TSNegInfinity   = math.MinInt64
	TSPosInfinity   = math.MaxInt64
)

func date2j(y, m, d int) int {
	if m > 2 {
		m++
		y += 4800
	} else {
		m += 13
		y += 4799
	}
	century := y / 100
	j := y*365 - 32167
	j += y/4 - century + century/4
	j += 7834*m/256 + d
	return j
}

func j2date(jd int) (year, month, day int) {
	julian := uint32(jd)
	julian += 32044
	quad := julian / 146097
	extra := (julian-quad*146097)*4 + 3
	julian += 60 + quad*3 + extra/146097
	quad = julian / 1461
	julian -= quad * 1461
	y := int(julian * 4 / 1461)
	if y != 0 {
		julian = (julian+305)%365 + 123
	} else {
		julian = (julian+306)%366 + 123
	}
	y += int(quad) * 4
	year = y - 4800
	q := julian * 2141 / 65536
	day = int(julian - 7834*q/256)
	month = int((q+10)%12 + 1)
	return
}

func daysInMonth(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dtFields is a parsed date/time literal before it becomes a value.
type dtFields struct {
	year, month, day     int
	hour, min, sec       int
	usec                 int64
	hasDate, hasTime, bc bool
	hasZone              bool
	zoneOff              int // seconds east of UTC, when zoneLoc is nil
	zoneLoc              *time.Location
	special              int // -1 -infinity, +1 infinity, 2 epoch
}

func dtTypeName(f Family) string {
	switch f {
	case FamDate:
		return "date"
	case FamTimestampTZ:
		return "timestamp with time zone"
	}
	return "timestamp"
}

func dtSyntax(f Family, s string) error {
	return pgerror.New(pgerror.CodeInvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", dtTypeName(f), s)
}

func dtRange(s string) error {
	return pgerror.New(pgerror.CodeDatetimeFieldOverflow, "date/time field value out of range: %q", s)
}

// parseDateTime reads the ISO forms PostgreSQL accepts under DateStyle
// ISO, MDY: 2026-01-02, 2026-01-02 03:04:05.5, 2026-01-02T03:04:05Z,
// ... +02, +05:30, UTC or a zone name, BC/AD, 20260102, 01/02/2026.
func parseDateTime(f Family, s string, loc *time.Location) (dtFields, error) {
	var r dtFields
	v := strings.ToLower(trimPGSpace(s))
	switch v {
	case "now", "today", "tomorrow", "yesterday":
		// These read the clock; PostgreSQL uses the transaction start,
		// which this package cannot see, so the current time stands in.
		now := time.Now().In(loc)
		if v != "now" {
			now = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
			switch v {
			case "tomorrow":
				now = now.AddDate(0, 0, 1)
			case "yesterday":
				now = now.AddDate(0, 0, -1)
			}
		}
		r.year, r.month, r.day = now.Year(), int(now.Month()), now.Day()
		r.hour, r.min, r.sec = now.Hour(), now.Minute(), now.Second()
		r.usec = int64(now.Nanosecond() / 1000)
		r.hasDate, r.hasTime = true, true
		_, off := now.Zone()
		r.hasZone, r.zoneOff = true, off
		return r, nil
	case "infinity", "+infinity":
		r.special = 1
		return r, nil
	case "-infinity":
		r.special = -1
		return r, nil
	case "epoch":
		r.special = 2
		return r, nil
	}
	// Split "date[T| ]time zone..." into words first.
	words := strings.FieldsFunc(v, func(c rune) bool { return c == ' ' || c == ',' || c == '\t' || c == '\n' })
	words = normalizeMonthNames(words)
	if len(words) == 0 {
		return r, dtSyntax(f, s)
	}
	first := words[0]
	rest := words[1:]
	if i := strings.IndexByte(first, 't'); i > 0 && first[0] >= '0' && first[0] <= '9' {
		rest = append([]string{first[i+1:]}, rest...)
		first = first[:i]
	}
	if err := parseDatePart(&r, first); err != nil {
		if err == errFieldRange {
			return r, dtRange(s)
		}
		return r, dtSyntax(f, s)
	}
	for _, w := range rest {
		switch {
		case w == "bc":
			r.bc = true
		case w == "ad":
		case w == "z" || w == "utc" || w == "gmt" || w == "zulu":
			r.hasZone = true
		case !r.hasTime && len(w) > 0 && w[0] >= '0' && w[0] <= '9':
			tp, zp := w, ""
			if i := strings.IndexAny(w, "+-z"); i > 0 {
				tp, zp = w[:i], w[i:]
			}
			if err := parseTimePart(&r, tp); err != nil {
				return r, dtSyntax(f, s)
			}
			if zp != "" {
				if err := parseZone(&r, zp); err != nil {
					return r, dtSyntax(f, s)
				}
			}
		case (w[0] == '+' || w[0] == '-') && !r.hasZone:
			if err := parseZone(&r, w); err != nil {
				return r, dtSyntax(f, s)
			}
		case !r.hasZone && zoneAbbrevs[w] != 0:
			r.hasZone, r.zoneOff = true, zoneAbbrevs[w]%100000
		case !r.hasZone:
			loc, err := time.LoadLocation(zoneName(s, w))
			if err != nil && strings.Contains(w, "/") {
				return r, pgerror.New(pgerror.CodeInvalidParameterValue, "time zone %q not recognized", w)
			}
			if err != nil {
				return r, dtSyntax(f, s)
			}
			r.hasZone, r.zoneLoc = true, loc
		default:
			return r, dtSyntax(f, s)
		}
	}
	if r.bc {
		if r.year <= 0 {
			return r, dtSyntax(f, s)
		}
		r.year = 1 - r.year
	} else if r.year == 0 {
		return r, dtRange(s)
	}
	if r.month < 1 || r.month > 12 || r.day < 1 || r.day > daysInMonth(r.year, r.month) {
		return r, dtRange(s)
	}
	if r.hour > 24 || r.min > 59 || r.sec > 60 || (r.hour == 24 && (r.min > 0 || r.sec > 0 || r.usec > 0)) {
		return r, dtRange(s)
	}
	return r, nil
}

// zoneAbbrevs holds common abbreviations from PostgreSQL's Default
// timezone_abbreviations set, as seconds east of UTC (+100000 so that an
// offset of zero is distinguishable from absence).
var zoneAbbrevs = map[string]int{
	"pst": -8 * 3600, "pdt": -7 * 3600, "mst": -7 * 3600, "mdt": -6 * 3600,
	"cst": -6 * 3600, "cdt": -5 * 3600, "est": -5 * 3600, "edt": -4 * 3600,
	"akst": -9 * 3600, "akdt": -8 * 3600, "hst": -10 * 3600,
	"wet": 100000, "west": 3600, "cet": 3600, "cest": 2 * 3600, "eet": 2 * 3600, "eest": 3 * 3600,
	"bst": 3600, "msk": 3 * 3600, "ist": 2 * 3600, "jst": 9 * 3600, "kst": 9 * 3600, "hkt": 8 * 3600,
	"awst": 8 * 3600, "acst": 9*3600 + 1800, "aest": 10 * 3600, "aedt": 11 * 3600,
	"nzst": 12 * 3600, "nzdt": 13 * 3600,
}

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var weekdayNames = map[string]bool{
	"sun": true, "sunday": true, "mon": true, "monday": true, "tue": true, "tues": true, "tuesday": true,
	"wed": true, "wednesday": true, "thu": true, "thur": true, "thurs": true, "thursday": true,
	"fri": true, "friday": true, "sat": true, "saturday": true,
}

// normalizeMonthNames rewrites dates written with month names (Jan 8 1999,
// 8 January 1999, 1999-Jan-08, 08-Jan-1999) as Y-M-D and drops weekday
// names, so the rest of the parser only sees numeric dates.
func normalizeMonthNames(words []string) []string {
	out := words[:0:0]
	for _, w := range words {
		if strings.HasSuffix(w, ".") {
			w = strings.TrimSuffix(w, ".")
		}
		if !weekdayNames[w] {
			out = append(out, w)
		}
	}
	for i, w := range out {
		if parts := strings.Split(w, "-"); len(parts) == 3 {
			if m, ok := monthNames[parts[1]]; ok {
				if len(parts[0]) >= 3 {
					out[i] = parts[0] + "-" + strconv.Itoa(m) + "-" + parts[2]
				} else {
					out[i] = parts[2] + "-" + strconv.Itoa(m) + "-" + parts[0]
				}
				return out
			}
			if m, ok := monthNames[parts[0]]; ok {
				out[i] = parts[2] + "-" + strconv.Itoa(m) + "-" + parts[1]
				return out
			}
		}
		m, ok := monthNames[w]
		if !ok {
			continue
		}
		// The day and year are the bare numbers around the month name.
		var nums []int
		var idx []int
		for j := i - 1; j <= i+3 && j < len(out); j++ {
			if j < 0 || j == i {
				continue
			}
			if _, isNum := atoiAll(out[j]); isNum && !strings.Contains(out[j], ":") {
				nums = append(nums, j)
				idx = append(idx, j)
			}
			if len(nums) == 2 {
				break
			}
		}
		if len(nums) != 2 {
			return out
		}
		day, year := out[nums[0]], out[nums[1]]
		if len(day) > 2 {
			day, year = year, day
		}
		date := year + "-" + strconv.Itoa(m) + "-" + day
		var rest []string
		for j, x := range out {
			if j != i && j != idx[0] && j != idx[1] {
				rest = append(rest, x)
			}
		}
		return append([]string{date}, rest...)
	}
	return out
}

// zoneName recovers the original spelling of a lower-cased zone word, since
// the tz database is case-sensitive.
func zoneName(orig, lower string) string {
	if i := strings.Index(strings.ToLower(orig), lower); i >= 0 {
		return orig[i : i+len(lower)]
	}
	return lower
}

func atoiAll(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func parseDatePart(r *dtFields, w string) error {
	var parts []string
	ymd := true
	switch {
	case strings.Count(w, "-") == 2:
		parts = strings.Split(w, "-")
	case strings.Count(w, "/") == 2:
		parts = strings.Split(w, "/")
		ymd = len(parts[0]) > 2
	case len(w) == 8:
		parts = []string{w[:4], w[4:6], w[6:]}
	case len(w) == 6:
		parts = []string{w[:2], w[2:4], w[4:]}
		if _, ok := atoiAll(w); ok {
			y, _ := atoiAll(parts[0])
			parts[0] = strconv.Itoa(twoDigitYear(y))
		}
	default:
		if n, ok := atoiAll(w); ok && len(w) <= 2 && n > 31 {
			return errFieldRange // read as a day of month, as PostgreSQL does
		}
		return errBadField
	}
	a, ok1 := atoiAll(parts[0])
	b, ok2 := atoiAll(parts[1])
	c, ok3 := atoiAll(parts[2])
	if !ok1 || !ok2 || !ok3 {
		return errBadField
	}
	if ymd {
		r.year, r.month, r.day = a, b, c
	} else { // MDY, the default DateStyle order
		r.month, r.day, r.year = a, b, c
		if len(parts[2]) <= 2 {
			r.year = twoDigitYear(r.year)
		}
	}
	r.hasDate = true
	return nil
}

// twoDigitYear picks the century closest to 2020, as PostgreSQL does.
func twoDigitYear(y int) int {
	if y < 70 {
		return y + 2000
	}
	return y + 1900
}

var errFieldRange = pgerror.New(pgerror.CodeDatetimeFieldOverflow, "field out of range")

var errBadField = pgerror.New(pgerror.CodeInvalidDatetimeFormat, "bad field")

func parseTimePart(r *dtFields, w string) error {
	frac := ""
	if i := strings.IndexByte(w, '.'); i >= 0 {
		w, frac = w[:i], w[i+1:]
	}
	parts := strings.Split(w, ":")
	if len(parts) == 1 && (len(w) == 4 || len(w) == 6) {
		// Concatenated HHMM or HHMMSS, as ISO 8601 basic format allows.
		parts = []string{w[:2], w[2:4]}
		if len(w) == 6 {
			parts = append(parts, w[4:])
		}
	}
	if len(parts) < 2 || len(parts) > 3 {
		return errBadField
	}
	var ok bool
	if r.hour, ok = atoiAll(parts[0]); !ok {
		return errBadField
	}
	if r.min, ok = atoiAll(parts[1]); !ok {
		return errBadField
	}
	if len(parts) == 3 {
		if r.sec, ok = atoiAll(parts[2]); !ok {
			return errBadField
		}
	} else if frac != "" {
		return errBadField
	}
	if frac != "" {
		us, ok := fracMicros(frac)
		if !ok {
			return errBadField
		}
		r.usec = us
	}
	r.hasTime = true
	return nil
}

// fracMicros turns the digits after a decimal point into microseconds,
// rounding half to even as rint() does.
func fracMicros(frac string) (int64, bool) {
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat("0."+frac, 64)
	if err != nil {
		return 0, false
	}
	return int64(math.RoundToEven(f * 1e6)), true
}

func parseZone(r *dtFields, w string) error {
	if w == "z" {
		r.hasZone = true
		return nil
	}
	sign := 1
	if w[0] == '-' {
		sign = -1
	} else if w[0] != '+' {
		return errBadField
	}
	w = w[1:]
	var h, m, sec int
	var ok bool
	switch {
	case strings.Contains(w, ":"):
		p := strings.Split(w, ":")
		if len(p) > 3 {
			return errBadField
		}
		if h, ok = atoiAll(p[0]); !ok {
			return errBadField
		}
		if m, ok = atoiAll(p[1]); !ok {
			return errBadField
		}
		if len(p) == 3 {
			if sec, ok = atoiAll(p[2]); !ok {
				return errBadField
			}
		}
	case len(w) <= 2:
		if h, ok = atoiAll(w); !ok {
			return errBadField
		}
	case len(w) == 4:
		var ok2 bool
		h, ok = atoiAll(w[:2])
		m, ok2 = atoiAll(w[2:])
		if !ok || !ok2 {
			return errBadField
		}
	default:
		return errBadField
	}
	if h > 15 || m > 59 || sec > 59 {
		return errBadField
	}
	r.hasZone = true
	r.zoneOff = sign * (h*3600 + m*60 + sec)
	return nil
}

func parseDate(s string, loc *time.Location) (Datum, error) {
	r, err := parseDateTime(FamDate, s, loc)
	if err != nil {
		return nil, err
	}
	switch r.special {
	case 1:
		return DatePosInfinity, nil
	case -1:
		return DateNegInfinity, nil
	case 2:
		return DDate(unixEpochJDate - pgEpochJDate), nil
	}
	if !r.hasDate {
		return nil, dtSyntax(FamDate, s)
	}
	j := date2j(r.year, r.month, r.day)
	if j < 0 || j >= dateEndJulian {
		return nil, pgerror.New(pgerror.CodeDatetimeFieldOverflow, "date out of range: %q", s)
	}
	return DDate(j - pgEpochJDate), nil
}

func parseTimestamp(s string, tz bool, loc *time.Location) (Datum, error) {
	fam := FamTimestamp
	if tz {
		fam = FamTimestampTZ
	}
	r, err := parseDateTime(fam, s, loc)
	if err != nil {
		return nil, err
	}
	var v int64
	switch r.special {
	case 1:
		v = TSPosInfinity
	case -1:
		v = TSNegInfinity
	case 2:
		v = int64(unixEpochJDate-pgEpochJDate) * usecsPerDay
	default:
		if !r.hasDate {
			return nil, dtSyntax(fam, s)
		}
		j := date2j(r.year, r.month, r.day)
		if j < 0 || j >= tsEndJulian {
			return nil, pgerror.New(pgerror.CodeDatetimeFieldOverflow, "timestamp out of range: %q", s)
		}
		v = int64(j-pgEpochJDate)*usecsPerDay + int64(r.hour)*usecsPerHour + int64(r.min)*usecsPerMinute +
			int64(r.sec)*usecsPerSec + r.usec
		if tz {
			switch {
			case r.zoneLoc != nil:
				v -= int64(zoneOffsetAtLocal(v, r.zoneLoc)) * usecsPerSec
			case r.hasZone:
				v -= int64(r.zoneOff) * usecsPerSec
			default:
				v -= int64(zoneOffsetAtLocal(v, loc)) * usecsPerSec
			}
		}
		if j2 := v/usecsPerDay + pgEpochJDate; j2 < 0 || j2 >= tsEndJulian {
			return nil, pgerror.New(pgerror.CodeDatetimeFieldOverflow, "timestamp out of range: %q", s)
		}
	}
	if tz {
		return DTimestampTZ(v), nil
	}
	return DTimestamp(v), nil
}

// zoneOffsetAtLocal finds loc's UTC offset (seconds) in force at the given
// local wall-clock time, expressed as µs since 2000-01-01. Like
// PostgreSQL, a time skipped by a forward transition uses the offset from
// before it, and a time repeated by a backward one the offset after it.
func zoneOffsetAtLocal(local int64, loc *time.Location) int {
	if loc == time.UTC {
		return 0
	}
	l := floorDiv(local, usecsPerSec) + int64(pgEpochJDate-unixEpochJDate)*86400
	offAt := func(unix int64) int {
		_, off := time.Unix(unix, 0).In(loc).Zone()
		return off
	}
	before, after := offAt(l-86400), offAt(l+86400)
	if offAt(l-int64(after)) == after {
		return after
	}
	if offAt(l-int64(before)) == before {
		return before
	}
	return before
}

// zoneOffsetAtUTC finds loc's UTC offset at the instant utc (µs since 2000).
func zoneOffsetAtUTC(utc int64, loc *time.Location) int {
	if loc == time.UTC {
		return 0
	}
	secs := floorDiv(utc, usecsPerSec) + int64(pgEpochJDate-unixEpochJDate)*86400
	_, off := time.Unix(secs, 0).In(loc).Zone()
	return off
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// splitMicros breaks µs since 2000-01-01 into civil fields (year 0 = 1 BC).
func splitMicros(v int64) (y, mo, d, h, mi, s int, us int64) {
	days := floorDiv(v, usecsPerDay)
	rem := v - days*usecsPerDay
	y, mo, d = j2date(int(days) + pgEpochJDate)
	h = int(rem / usecsPerHour)
	rem -= int64(h) * usecsPerHour
	mi = int(rem / usecsPerMinute)
	rem -= int64(mi) * usecsPerMinute
	s = int(rem / usecsPerSec)
	us = rem - int64(s)*usecsPerSec
	return
}

func appendPadded(buf []byte, n, width int) []byte {
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		buf = append(buf, '0')
	}
	return append(buf, s...)
}

func appendYMD(buf []byte, y, mo, d int) []byte {
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	buf = appendPadded(buf, y, 4)
	buf = append(buf, '-')
	buf = appendPadded(buf, mo, 2)
	buf = append(buf, '-')
	return appendPadded(buf, d, 2)
}

func appendDate(buf []byte, d DDate) []byte {
	switch d {
	case DatePosInfinity:
		return append(buf, "infinity"...)
	case DateNegInfinity:
		return append(buf, "-infinity"...)
	}
	y, mo, day := j2date(int(d) + pgEpochJDate)
	buf = appendYMD(buf, y, mo, day)
	if y <= 0 {
		buf = append(buf, " BC"...)
	}
	return buf
}

// appendSeconds writes SS[.ffffff] with trailing zeros dropped.
func appendSeconds(buf []byte, sec int, us int64) []byte {
	buf = appendPadded(buf, sec, 2)
	if us != 0 {
		f := strconv.FormatInt(us+1000000, 10)[1:]
		buf = append(buf, '.')
		buf = append(buf, strings.TrimRight(f, "0")...)
	}
	return buf
}

// appendTimestamp writes v (local µs since 2000) and, when tz, the offset.
func appendTimestamp(buf []byte, v int64, tz bool, offset int) []byte {
	switch v {
	case TSPosInfinity:
		return append(buf, "infinity"...)
	case TSNegInfinity:
		return append(buf, "-infinity"...)
	}
	y, mo, d, h, mi, s, us := splitMicros(v)
	buf = appendYMD(buf, y, mo, d)
	buf = append(buf, ' ')
	buf = appendPadded(buf, h, 2)
	buf = append(buf, ':')
	buf = appendPadded(buf, mi, 2)
	buf = append(buf, ':')
	buf = appendSeconds(buf, s, us)
	if tz {
		if offset < 0 {
			buf = append(buf, '-')
			offset = -offset
		} else {
			buf = append(buf, '+')
		}
		buf = appendPadded(buf, offset/3600, 2)
		if offset%3600 != 0 {
			buf = append(buf, ':')
			buf = appendPadded(buf, offset%3600/60, 2)
			if offset%60 != 0 {
				buf = append(buf, ':')
				buf = appendPadded(buf, offset%60, 2)
			}
		}
	}
	if y <= 0 {
		buf = append(buf, " BC"...)
	}
	return buf
}

func appendTimestampTZ(buf []byte, v DTimestampTZ, loc *time.Location) []byte {
	if v == TSPosInfinity || v == TSNegInfinity {
		return appendTimestamp(buf, int64(v), false, 0)
	}
	off := zoneOffsetAtUTC(int64(v), loc)
	return appendTimestamp(buf, int64(v)+int64(off)*usecsPerSec, true, off)
}
