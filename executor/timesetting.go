package executor

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// timeUnits are the units PostgreSQL accepts for time settings whose base
// unit is the millisecond (statement_timeout and friends).
var timeUnits = map[string]time.Duration{
	"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second,
	"min": time.Minute, "h": time.Hour, "d": 24 * time.Hour,
}

// ParseTimeSetting reads a millisecond time setting as PostgreSQL does: a
// number, optionally fractional, of milliseconds or of the unit that
// follows it (us, ms, s, min, h, d). 0 disables the timeout.
func ParseTimeSetting(name, v string) (time.Duration, error) {
	return parseTimeSettingMin(name, v, 0)
}

// parseTimeSettingMin is ParseTimeSetting for a setting whose least value
// is minMS milliseconds (deadlock_timeout's is 1).
func parseTimeSettingMin(name, v string, minMS float64) (time.Duration, error) {
	s := strings.TrimSpace(v)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || (i == 0 && (s[i] == '-' || s[i] == '+'))) {
		i++
	}
	num, err := strconv.ParseFloat(s[:i], 64)
	unitName := strings.TrimSpace(s[i:])
	unit, ok := time.Millisecond, true
	if unitName != "" {
		unit, ok = timeUnits[unitName]
	}
	if err != nil || !ok {
		pe := pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v)
		if err == nil {
			pe = pe.WithHint("Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".")
		}
		return 0, pe
	}
	// PostgreSQL rounds to whole milliseconds, refuses what does not fit
	// an int, then checks the setting's range.
	ms := math.RoundToEven(num * float64(unit) / float64(time.Millisecond))
	if ms > math.MaxInt32 || ms < math.MinInt32 {
		return 0, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v).
			WithHint("Value exceeds integer range.")
	}
	if ms < minMS {
		return 0, pgerror.New(pgerror.CodeInvalidParameterValue,
			"%d ms is outside the valid range for parameter \"%s\" (%d .. 2147483647)", int64(ms), name, int64(minMS))
	}
	d := time.Duration(ms) * time.Millisecond
	return d, nil
}

// timeSettingCheck validates a time setting at SET and start-up and keeps
// it as PostgreSQL shows it (SHOW, current_setting), so clients read back
// "200ms" after sending 200 and "1500ms" after "1.5s".
func timeSettingCheck(name string) func(string) (string, error) {
	return timeSettingCheckMin(name, 0)
}

// timeSettingCheckMin is timeSettingCheck for a setting whose least value
// is minMS milliseconds.
func timeSettingCheckMin(name string, minMS float64) func(string) (string, error) {
	return func(v string) (string, error) {
		d, err := parseTimeSettingMin(name, v, minMS)
		if err != nil {
			return "", err
		}
		return formatTimeSetting(d), nil
	}
}

// showUnits are the units PostgreSQL shows a millisecond setting in, the
// largest first: it picks the largest that divides the value exactly.
var showUnits = []struct {
	name string
	ms   int64
}{{"d", 24 * 3600 * 1000}, {"h", 3600 * 1000}, {"min", 60 * 1000}, {"s", 1000}, {"ms", 1}}

// formatTimeSetting is PostgreSQL's display of a millisecond setting: 0
// without a unit, else in the largest unit that divides it exactly.
func formatTimeSetting(d time.Duration) string {
	ms := d.Milliseconds()
	if ms == 0 {
		return "0"
	}
	for _, u := range showUnits {
		if ms%u.ms == 0 {
			return strconv.FormatInt(ms/u.ms, 10) + u.name
		}
	}
	return strconv.FormatInt(ms, 10) + "ms"
}
