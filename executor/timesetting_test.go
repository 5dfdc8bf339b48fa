package executor

import (
	"errors"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// TestParseTimeSetting checks values and errors against PostgreSQL 15's
// answers to SET statement_timeout = ... (recorded with psql).
func TestParseTimeSetting(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string // "message | hint"
	}{
		{in: "0", want: 0},
		{in: "250", want: 250 * time.Millisecond},
		{in: "1.5s", want: 1500 * time.Millisecond},
		{in: "1 min", want: time.Minute},
		{in: " 2h ", want: 2 * time.Hour},
		{in: "1d", want: 24 * time.Hour},
		{in: "1500us", want: 2 * time.Millisecond},
		{in: "abc", err: `invalid value for parameter "statement_timeout": "abc" | `},
		{in: "10xyz", err: `invalid value for parameter "statement_timeout": "10xyz" | Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".`},
		{in: "1S", err: `invalid value for parameter "statement_timeout": "1S" | Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".`},
		{in: "-1", err: `-1 ms is outside the valid range for parameter "statement_timeout" (0 .. 2147483647) | `},
		{in: "-1s", err: `-1000 ms is outside the valid range for parameter "statement_timeout" (0 .. 2147483647) | `},
		{in: "3000000000", err: `invalid value for parameter "statement_timeout": "3000000000" | Value exceeds integer range.`},
	}
	for _, tc := range tests {
		got, err := ParseTimeSetting("statement_timeout", tc.in)
		if tc.err == "" {
			if err != nil || got != tc.want {
				t.Errorf("%q: %v, %v; want %v", tc.in, got, err, tc.want)
			}
			continue
		}
		var pe *pgerror.Error
		if !errors.As(err, &pe) || pe.Code != pgerror.CodeInvalidParameterValue || pe.Message+" | "+pe.Hint != tc.err {
			t.Errorf("%q: %v; want 22023 %s", tc.in, err, tc.err)
		}
	}
}

// TestTimeSettingShown checks the values SHOW gives after SET against
// PostgreSQL 15's (SET lock_timeout = ...; SHOW lock_timeout, with psql).
func TestTimeSettingShown(t *testing.T) {
	check := timeSettingCheck("lock_timeout")
	for in, want := range map[string]string{
		"0": "0", "200": "200ms", "1.5s": "1500ms", "1000": "1s", "60000": "1min", "90000": "90s",
		"3600000": "1h", "86400000": "1d", "1500us": "2ms", "100us": "0", "2 h": "2h", "2147483647": "2147483647ms",
	} {
		if got, err := check(in); err != nil || got != want {
			t.Errorf("SET lock_timeout = '%s'; SHOW: %q, %v; want %q", in, got, err, want)
		}
	}
}
