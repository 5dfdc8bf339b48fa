package builtins

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

func errTimestampRange() error {
	return pgerror.New(pgerror.CodeDatetimeFieldOverflow, "timestamp out of range")
}

func errIntervalRange() error {
	return pgerror.New(pgerror.CodeDatetimeFieldOverflow, "interval out of range")
}

func errDateRange() error {
	return pgerror.New(pgerror.CodeDatetimeFieldOverflow, "date out of range")
}

func location(ctx *EvalContext) *time.Location {
	if ctx == nil || ctx.Location == nil {
		return time.UTC
	}
	return ctx.Location
}

// addIntervalMicros is timestamp(tz)_pl_interval: months then days move
// the calendar date (in the session zone for timestamptz, so a day stays a
// day across DST), then the time part is added.
func addIntervalMicros(ctx *EvalContext, us int64, iv types.DInterval, tz bool) (int64, error) {
	if iv.Months != 0 || iv.Days != 0 {
		t := microsToTime(us)
		if tz {
			t = t.In(location(ctx))
		}
		y, m, d := t.Date()
		if iv.Months != 0 {
			first := time.Date(y, m+time.Month(iv.Months), 1, 0, 0, 0, 0, time.UTC)
			y, m = first.Year(), first.Month()
			d = min(d, daysIn(y, m))
		}
		t = time.Date(y, m, d+int(iv.Days), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
		us = timeToMicros(t)
	}
	r := us + iv.Micros
	if (iv.Micros > 0 && r < us) || (iv.Micros < 0 && r > us) {
		return 0, errTimestampRange()
	}
	return r, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func negInterval(v types.DInterval) types.DInterval {
	return types.DInterval{Months: -v.Months, Days: -v.Days, Micros: -v.Micros}
}

func intervalAdd(a, b types.DInterval) (types.DInterval, error) {
	m := int64(a.Months) + int64(b.Months)
	d := int64(a.Days) + int64(b.Days)
	us := a.Micros + b.Micros
	if m != int64(int32(m)) || d != int64(int32(d)) || (a.Micros > 0 && b.Micros > 0 && us < 0) || (a.Micros < 0 && b.Micros < 0 && us >= 0) {
		return types.DInterval{}, errIntervalRange()
	}
	return types.DInterval{Months: int32(m), Days: int32(d), Micros: us}, nil
}

func tsRound(x float64) float64 { return math.RoundToEven(x*1e6) / 1e6 }

// intervalMul is PostgreSQL's interval_mul: fractional months spill into
// days (30 per month) and fractional days into time.
func intervalMul(v types.DInterval, f float64) (types.DInterval, error) {
	return intervalScale(v, func(x float64) float64 { return x * f })
}

func intervalDiv(v types.DInterval, f float64) (types.DInterval, error) {
	if f == 0 {
		return types.DInterval{}, errDivZero()
	}
	return intervalScale(v, func(x float64) float64 { return x / f })
}

func intervalScale(v types.DInterval, op func(float64) float64) (types.DInterval, error) {
	monthsF := op(float64(v.Months))
	daysF := op(float64(v.Days))
	if math.IsNaN(monthsF) || math.Abs(monthsF) > math.MaxInt32 || math.Abs(daysF) > math.MaxInt32 {
		return types.DInterval{}, errIntervalRange()
	}
	months := int32(monthsF)
	days := int32(daysF)
	monthRemDays := tsRound((monthsF - float64(months)) * 30)
	secRem := tsRound((daysF - float64(days) + monthRemDays - float64(int32(monthRemDays))) * 86400)
	if math.Abs(secRem) >= 86400 {
		days += int32(secRem / 86400)
		secRem -= float64(int32(secRem/86400)) * 86400
	}
	days += int32(monthRemDays)
	t := math.RoundToEven(op(float64(v.Micros)) + secRem*1e6)
	if math.IsNaN(t) || math.Abs(t) > math.MaxInt64 {
		return types.DInterval{}, errIntervalRange()
	}
	return types.DInterval{Months: months, Days: days, Micros: int64(t)}, nil
}

// tsDiff is timestamp_mi: whole days split off the time (justify_hours).
func tsDiff(a, b int64) types.DInterval {
	us := a - b
	days := us / usPerDay
	return types.DInterval{Days: int32(days), Micros: us - days*usPerDay}
}

func dateToTS(d types.DDate) int64 { return int64(d) * usPerDay }

func tsVal(d types.Datum) int64 {
	switch x := d.(type) {
	case types.DTimestamp:
		return int64(x)
	case types.DTimestampTZ:
		return int64(x)
	}
	return 0
}

func registerDatetimeOps() {
	ts, tstz, iv, date := types.Timestamp, types.TimestampTZ, types.Interval, types.Date
	addBin("+", date, types.Int4, date, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return dateAddDays(a[0].(types.DDate), i64(a[1]))
	})
	addBin("+", types.Int4, date, date, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return dateAddDays(a[1].(types.DDate), i64(a[0]))
	})
	addBin("-", date, types.Int4, date, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return dateAddDays(a[0].(types.DDate), -i64(a[1]))
	})
	addBin("-", date, date, types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(int64(a[0].(types.DDate)) - int64(a[1].(types.DDate))), nil
	})
	addBin("+", date, iv, ts, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		r, err := addIntervalMicros(ctx, dateToTS(a[0].(types.DDate)), a[1].(types.DInterval), false)
		return types.DTimestamp(r), err
	})
	addBin("+", iv, date, ts, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		r, err := addIntervalMicros(ctx, dateToTS(a[1].(types.DDate)), a[0].(types.DInterval), false)
		return types.DTimestamp(r), err
	})
	addBin("-", date, iv, ts, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		r, err := addIntervalMicros(ctx, dateToTS(a[0].(types.DDate)), negInterval(a[1].(types.DInterval)), false)
		return types.DTimestamp(r), err
	})
	for _, t := range []*types.T{ts, tstz} {
		tz := t == tstz
		wrap := func(v int64) types.Datum {
			if tz {
				return types.DTimestampTZ(v)
			}
			return types.DTimestamp(v)
		}
		addBin("+", t, iv, t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			r, err := addIntervalMicros(ctx, tsVal(a[0]), a[1].(types.DInterval), tz)
			return wrap(r), err
		})
		addBin("+", iv, t, t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			r, err := addIntervalMicros(ctx, tsVal(a[1]), a[0].(types.DInterval), tz)
			return wrap(r), err
		})
		addBin("-", t, iv, t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			r, err := addIntervalMicros(ctx, tsVal(a[0]), negInterval(a[1].(types.DInterval)), tz)
			return wrap(r), err
		})
		addBin("-", t, t, iv, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return tsDiff(tsVal(a[0]), tsVal(a[1])), nil
		})
	}
	addBin("+", iv, iv, iv, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return intervalAdd(a[0].(types.DInterval), a[1].(types.DInterval))
	})
	addBin("-", iv, iv, iv, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return intervalAdd(a[0].(types.DInterval), negInterval(a[1].(types.DInterval)))
	})
	addBin("*", iv, types.Float8, iv, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return intervalMul(a[0].(types.DInterval), flt(a[1]))
	})
	addBin("*", types.Float8, iv, iv, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return intervalMul(a[1].(types.DInterval), flt(a[0]))
	})
	addBin("/", iv, types.Float8, iv, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return intervalDiv(a[0].(types.DInterval), flt(a[1]))
	})
	addUnary("-", iv, iv, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return negInterval(a[0].(types.DInterval)), nil
	})
}

func dateAddDays(d types.DDate, n int64) (types.Datum, error) {
	r := int64(d) + n
	if r < math.MinInt32 || r > math.MaxInt32 {
		return nil, errDateRange()
	}
	return types.DDate(r), nil
}

func registerDatetime() {
	registerDatetimeOps()
	txn := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DTimestampTZ(timeToMicros(ctx.TxnTime)), nil
	}
	for _, n := range []string{"now", "current_timestamp", "transaction_timestamp"} {
		addFunc(n, fn(nil, types.TimestampTZ, txn))
	}
	addFunc("current_timestamp", fn(params(types.Int4), types.TimestampTZ, txn))
	addFunc("statement_timestamp", fn(nil, types.TimestampTZ, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DTimestampTZ(timeToMicros(ctx.StmtTime)), nil
	}))
	addFunc("clock_timestamp", &Overload{Return: types.TimestampTZ, Volatile: true, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DTimestampTZ(timeToMicros(time.Now())), nil
	}})
	addFunc("timeofday", &Overload{Return: types.Text, Volatile: true, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DString(time.Now().In(location(ctx)).Format("Mon Jan 02 15:04:05.000000 2006 MST")), nil
	}})
	addFunc("current_date", fn(nil, types.Date, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return timeToDate(ctx.TxnTime.In(location(ctx))), nil
	}))
	local := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		t := ctx.TxnTime.In(location(ctx))
		_, off := t.Zone()
		return types.DTimestamp(timeToMicros(t) + int64(off)*1000000), nil
	}
	addFunc("localtimestamp", fn(nil, types.Timestamp, local))
	addFunc("localtimestamp", fn(params(types.Int4), types.Timestamp, local))

	addFunc("date_trunc", fn(params(types.Text, types.Timestamp), types.Timestamp, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		r, err := truncTime(str(a[0]), microsToTime(tsVal(a[1])), "timestamp without time zone")
		if err != nil {
			return nil, err
		}
		return types.DTimestamp(timeToMicros(r)), nil
	}))
	addFunc("date_trunc", fn(params(types.Text, types.TimestampTZ), types.TimestampTZ, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		r, err := truncTime(str(a[0]), microsToTime(tsVal(a[1])).In(location(ctx)), "timestamp with time zone")
		if err != nil {
			return nil, err
		}
		return types.DTimestampTZ(timeToMicros(r)), nil
	}))
	addFunc("date_trunc", fn(params(types.Text, types.TimestampTZ, types.Text), types.TimestampTZ, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		loc, err := time.LoadLocation(str(a[2]))
		if err != nil {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "time zone \"%s\" not recognized", str(a[2]))
		}
		r, err := truncTime(str(a[0]), microsToTime(tsVal(a[1])).In(loc), "timestamp with time zone")
		if err != nil {
			return nil, err
		}
		return types.DTimestampTZ(timeToMicros(r)), nil
	}))
	for _, name := range []string{"date_part", "extract"} {
		asNumeric := name == "extract"
		ret := types.Float8
		if asNumeric {
			ret = types.Numeric
		}
		addFunc(name, fn(params(types.Text, types.Timestamp), ret, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return extractTime(str(a[0]), microsToTime(tsVal(a[1])), "timestamp without time zone", false, asNumeric)
		}))
		addFunc(name, fn(params(types.Text, types.TimestampTZ), ret, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return extractTime(str(a[0]), microsToTime(tsVal(a[1])).In(location(ctx)), "timestamp with time zone", true, asNumeric)
		}))
		addFunc(name, fn(params(types.Text, types.Interval), ret, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return extractInterval(str(a[0]), a[1].(types.DInterval), asNumeric)
		}))
	}
	// extract(field from date) has its own rules; date_part(text, date)
	// goes through timestamp like PostgreSQL's SQL-language wrapper.
	addFunc("extract", fn(params(types.Text, types.Date), types.Numeric, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		f := strings.ToLower(str(a[0]))
		switch f {
		case "hour", "minute", "second", "milliseconds", "microseconds", "millisecond", "microsecond", "timezone", "timezone_hour", "timezone_minute":
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "unit \"%s\" not supported for type date", f)
		}
		d, err := extractTime(f, dateToTime(a[1].(types.DDate)), "date", false, true)
		if err != nil {
			return nil, err
		}
		// Dates have no fraction, so epoch shows no scale.
		r := d.(*types.DDecimal)
		return r, roundTo(&r.Decimal, 0)
	}))
	addFunc("date_part", fn(params(types.Text, types.Date), types.Float8, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return extractTime(str(a[0]), dateToTime(a[1].(types.DDate)), "timestamp without time zone", false, false)
	}))
	addFunc("age", fn(params(types.Timestamp, types.Timestamp), types.Interval, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return age(microsToTime(tsVal(a[0])), microsToTime(tsVal(a[1]))), nil
	}))
	addFunc("age", fn(params(types.TimestampTZ, types.TimestampTZ), types.Interval, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		loc := location(ctx)
		return age(microsToTime(tsVal(a[0])).In(loc), microsToTime(tsVal(a[1])).In(loc)), nil
	}))
	addFunc("age", fn(params(types.Timestamp), types.Interval, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		y, m, d := ctx.TxnTime.In(location(ctx)).Date()
		return age(time.Date(y, m, d, 0, 0, 0, 0, time.UTC), microsToTime(tsVal(a[0]))), nil
	}))
	addFunc("make_date", fn(params(types.Int4, types.Int4, types.Int4), types.Date, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		y, m, d := i64(a[0]), i64(a[1]), i64(a[2])
		if y < 0 {
			y++ // negative years are BC
		}
		if y == 0 || m < 1 || m > 12 || d < 1 || d > int64(daysIn(int(y), time.Month(m))) {
			return nil, pgerror.New(pgerror.CodeDatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", i64(a[0]), m, d)
		}
		return timeToDate(time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC)), nil
	}))
	addFunc("make_timestamp", fn(params(types.Int4, types.Int4, types.Int4, types.Int4, types.Int4, types.Float8), types.Timestamp, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		y, mo, d, h, mi, s := int(i64(a[0])), i64(a[1]), int(i64(a[2])), int(i64(a[3])), int(i64(a[4])), flt(a[5])
		if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, time.Month(mo)) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s >= 60 {
			return nil, pgerror.New(pgerror.CodeDatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y, mo, d)
		}
		t := time.Date(y, time.Month(mo), d, h, mi, 0, 0, time.UTC)
		return types.DTimestamp(timeToMicros(t) + int64(math.Round(s*1e6))), nil
	}))
	addFunc("make_interval", &Overload{Params: params(types.Int4, types.Int4, types.Int4, types.Int4, types.Int4, types.Int4, types.Float8),
		Return: types.Interval, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			us := (i64(a[4])*3600+i64(a[5])*60)*1000000 + int64(math.Round(flt(a[6])*1e6))
			return types.DInterval{Months: int32(i64(a[0])*12 + i64(a[1])), Days: int32(i64(a[2])*7 + i64(a[3])), Micros: us}, nil
		}})
	addFunc("to_timestamp", fn(params(types.Float8), types.TimestampTZ, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		f := flt(a[0])
		if math.IsNaN(f) {
			return nil, pgerror.New(pgerror.CodeDatetimeFieldOverflow, "timestamp cannot be NaN")
		}
		if math.IsInf(f, 0) || math.Abs(f) > 9.2e12 {
			return nil, pgerror.New(pgerror.CodeDatetimeFieldOverflow, "timestamp out of range: \"%s\"", formatFloat(f, 15))
		}
		return types.DTimestampTZ(int64(math.RoundToEven((f - pgEpochUnix) * 1e6))), nil
	}))
	addFunc("to_char", fn(params(types.Timestamp, types.Text), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DString(toCharTime(microsToTime(tsVal(a[0])), str(a[1]))), nil
	}))
	addFunc("to_char", fn(params(types.TimestampTZ, types.Text), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DString(toCharTime(microsToTime(tsVal(a[0])).In(location(ctx)), str(a[1]))), nil
	}))
	addFunc("isfinite", fn(params(types.Date), types.Bool, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		d := a[0].(types.DDate)
		return types.DBool(d != math.MinInt32 && d != math.MaxInt32), nil
	}))
	addFunc("justify_days", fn(params(types.Interval), types.Interval, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		v := a[0].(types.DInterval)
		v.Months += v.Days / 30
		v.Days %= 30
		return v, nil
	}))
	addFunc("justify_hours", fn(params(types.Interval), types.Interval, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		v := a[0].(types.DInterval)
		v.Days += int32(v.Micros / usPerDay)
		v.Micros %= usPerDay
		return v, nil
	}))
}

// truncTime is date_trunc on a wall-clock time in t's location.
func truncTime(field string, t time.Time, typName string) (time.Time, error) {
	y, m, d := t.Date()
	loc := t.Location()
	switch strings.ToLower(field) {
	case "microseconds", "microsecond":
		return t, nil
	case "milliseconds", "millisecond":
		return t.Truncate(time.Millisecond), nil
	case "second", "seconds":
		return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), 0, loc), nil
	case "minute", "minutes":
		return time.Date(y, m, d, t.Hour(), t.Minute(), 0, 0, loc), nil
	case "hour", "hours":
		return time.Date(y, m, d, t.Hour(), 0, 0, 0, loc), nil
	case "day", "days":
		return time.Date(y, m, d, 0, 0, 0, 0, loc), nil
	case "week", "weeks":
		wd := (int(t.Weekday()) + 6) % 7 // Monday is 0
		return time.Date(y, m, d-wd, 0, 0, 0, 0, loc), nil
	case "month", "months":
		return time.Date(y, m, 1, 0, 0, 0, 0, loc), nil
	case "quarter":
		return time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, loc), nil
	case "year", "years":
		return time.Date(y, 1, 1, 0, 0, 0, 0, loc), nil
	case "decade":
		return time.Date(floorDivInt(y, 10)*10, 1, 1, 0, 0, 0, 0, loc), nil
	case "century":
		c := floorDivInt(y-1, 100)*100 + 1
		return time.Date(c, 1, 1, 0, 0, 0, 0, loc), nil
	case "millennium":
		c := floorDivInt(y-1, 1000)*1000 + 1
		return time.Date(c, 1, 1, 0, 0, 0, 0, loc), nil
	}
	return t, pgerror.New(pgerror.CodeFeatureNotSupported, "unit \"%s\" not recognized for type %s", strings.ToLower(field), typName)
}

// extractResult builds date_part's float8 or extract's numeric with the
// given number of fractional digits (extract shows seconds with 6).
func extractResult(v float64, scale int32, asNumeric bool) (types.Datum, error) {
	if !asNumeric {
		return types.DFloat(v), nil
	}
	d, err := decFromFloat(v)
	if err != nil {
		return nil, err
	}
	return d, roundTo(&d.Decimal, scale)
}

func extractMicros(us int64, scaleDigits int32, asNumeric bool) (types.Datum, error) {
	if !asNumeric {
		return types.DFloat(float64(us) / math.Pow10(int(scaleDigits))), nil
	}
	r := newDec()
	r.SetFinite(us, -scaleDigits)
	return r, roundTo(&r.Decimal, scaleDigits)
}

func extractTime(field string, t time.Time, typName string, tz bool, asNumeric bool) (types.Datum, error) {
	f := strings.ToLower(field)
	y, m, d := t.Date()
	secUS := int64(t.Second())*1000000 + int64(t.Nanosecond()/1000)
	isoY, isoW := t.ISOWeek()
	switch f {
	case "year", "years":
		if y <= 0 {
			y--
		}
		return extractResult(float64(y), 0, asNumeric)
	case "month", "months", "mon":
		return extractResult(float64(m), 0, asNumeric)
	case "day", "days":
		return extractResult(float64(d), 0, asNumeric)
	case "hour", "hours":
		return extractResult(float64(t.Hour()), 0, asNumeric)
	case "minute", "minutes", "min":
		return extractResult(float64(t.Minute()), 0, asNumeric)
	case "second", "seconds", "sec":
		return extractMicros(secUS, 6, asNumeric)
	case "milliseconds", "millisecond", "ms":
		return extractMicros(secUS, 3, asNumeric)
	case "microseconds", "microsecond", "us":
		return extractResult(float64(secUS), 0, asNumeric)
	case "epoch":
		us := timeToMicros(t) + pgEpochUnix*1000000
		return extractMicros(us, 6, asNumeric)
	case "dow":
		return extractResult(float64(t.Weekday()), 0, asNumeric)
	case "isodow":
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return extractResult(float64(wd), 0, asNumeric)
	case "doy":
		return extractResult(float64(t.YearDay()), 0, asNumeric)
	case "week":
		return extractResult(float64(isoW), 0, asNumeric)
	case "isoyear":
		return extractResult(float64(isoY), 0, asNumeric)
	case "quarter":
		return extractResult(float64((int(m)-1)/3+1), 0, asNumeric)
	case "decade":
		return extractResult(float64(floorDivInt(y, 10)), 0, asNumeric)
	case "century":
		c := (y + 99) / 100
		if y <= 0 {
			c = -((99 - (y - 1)) / 100)
		}
		return extractResult(float64(c), 0, asNumeric)
	case "millennium":
		return extractResult(float64((y+999)/1000), 0, asNumeric)
	case "julian":
		days := float64(timeToDate(t)) + 2451545
		return extractResult(days+float64(t.Hour()*3600+t.Minute()*60)/86400+float64(secUS)/86400e6, 0, asNumeric)
	case "timezone":
		if tz {
			_, off := t.Zone()
			return extractResult(float64(off), 0, asNumeric)
		}
	case "timezone_hour":
		if tz {
			_, off := t.Zone()
			return extractResult(float64(off/3600), 0, asNumeric)
		}
	case "timezone_minute":
		if tz {
			_, off := t.Zone()
			return extractResult(float64(off%3600/60), 0, asNumeric)
		}
	}
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "unit \"%s\" not recognized for type %s", f, typName)
}

func extractInterval(field string, v types.DInterval, asNumeric bool) (types.Datum, error) {
	f := strings.ToLower(field)
	switch f {
	case "year", "years":
		return extractResult(float64(v.Months/12), 0, asNumeric)
	case "month", "months", "mon":
		return extractResult(float64(v.Months%12), 0, asNumeric)
	case "day", "days":
		return extractResult(float64(v.Days), 0, asNumeric)
	case "hour", "hours":
		return extractResult(float64(v.Micros/3600000000), 0, asNumeric)
	case "minute", "minutes", "min":
		return extractResult(float64(v.Micros/60000000%60), 0, asNumeric)
	case "second", "seconds", "sec":
		return extractMicros(v.Micros%60000000, 6, asNumeric)
	case "milliseconds", "millisecond":
		return extractMicros(v.Micros%60000000, 3, asNumeric)
	case "microseconds", "microsecond":
		return extractResult(float64(v.Micros%60000000), 0, asNumeric)
	case "epoch":
		// 365.25 days a year and 30 days a month, as PostgreSQL counts.
		years := int64(v.Months / 12)
		months := int64(v.Months % 12)
		secs := years*31557600 + months*30*86400 + int64(v.Days)*86400
		return extractMicros(secs*1000000+v.Micros, 6, asNumeric)
	}
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "unit \"%s\" not supported for type interval", f)
}

// age is PostgreSQL's symbolic difference: years, months, days, time,
// borrowing from the larger field as a person would.
func age(a, b time.Time) types.DInterval {
	neg := a.Before(b)
	if neg {
		a, b = b, a
	}
	y := a.Year() - b.Year()
	mo := int(a.Month()) - int(b.Month())
	d := a.Day() - b.Day()
	us := (int64(a.Hour()-b.Hour())*3600+int64(a.Minute()-b.Minute())*60+int64(a.Second()-b.Second()))*1000000 +
		int64(a.Nanosecond()-b.Nanosecond())/1000
	if us < 0 {
		us += usPerDay
		d--
	}
	for d < 0 {
		// PostgreSQL borrows the length of the earlier timestamp's month.
		d += daysIn(b.Year(), b.Month())
		mo--
	}
	if mo < 0 {
		mo += 12
		y--
	}
	r := types.DInterval{Months: int32(y*12 + mo), Days: int32(d), Micros: us}
	if neg {
		return negInterval(r)
	}
	return r
}

// toCharTime implements to_char's common timestamp patterns.
func toCharTime(t time.Time, pat string) string {
	var b strings.Builder
	repl := []struct {
		k string
		f func() string
	}{
		{"YYYY", func() string { return pad0(t.Year(), 4) }},
		{"YY", func() string { return pad0(t.Year()%100, 2) }},
		{"MONTH", func() string { return padRight(strings.ToUpper(t.Month().String()), 9) }},
		{"Month", func() string { return padRight(t.Month().String(), 9) }},
		{"month", func() string { return padRight(strings.ToLower(t.Month().String()), 9) }},
		{"MON", func() string { return strings.ToUpper(t.Month().String()[:3]) }},
		{"Mon", func() string { return t.Month().String()[:3] }},
		{"mon", func() string { return strings.ToLower(t.Month().String()[:3]) }},
		{"MM", func() string { return pad0(int(t.Month()), 2) }},
		{"DAY", func() string { return padRight(strings.ToUpper(t.Weekday().String()), 9) }},
		{"Day", func() string { return padRight(t.Weekday().String(), 9) }},
		{"day", func() string { return padRight(strings.ToLower(t.Weekday().String()), 9) }},
		{"DY", func() string { return strings.ToUpper(t.Weekday().String()[:3]) }},
		{"Dy", func() string { return t.Weekday().String()[:3] }},
		{"DDD", func() string { return pad0(t.YearDay(), 3) }},
		{"DD", func() string { return pad0(t.Day(), 2) }},
		{"HH24", func() string { return pad0(t.Hour(), 2) }},
		{"HH12", func() string { return pad0((t.Hour()+11)%12+1, 2) }},
		{"HH", func() string { return pad0((t.Hour()+11)%12+1, 2) }},
		{"MI", func() string { return pad0(t.Minute(), 2) }},
		{"SS", func() string { return pad0(t.Second(), 2) }},
		{"MS", func() string { return pad0(t.Nanosecond()/1000000, 3) }},
		{"US", func() string { return pad0(t.Nanosecond()/1000, 6) }},
		{"AM", func() string { return map[bool]string{true: "PM", false: "AM"}[t.Hour() >= 12] }},
		{"PM", func() string { return map[bool]string{true: "PM", false: "AM"}[t.Hour() >= 12] }},
		{"am", func() string { return map[bool]string{true: "pm", false: "am"}[t.Hour() >= 12] }},
		{"pm", func() string { return map[bool]string{true: "pm", false: "am"}[t.Hour() >= 12] }},
		{"TZ", func() string { n, _ := t.Zone(); return n }},
		{"Q", func() string { return pad0((int(t.Month())-1)/3+1, 1) }},
		{"D", func() string { return pad0(int(t.Weekday())+1, 1) }},
	}
outer:
	for i := 0; i < len(pat); {
		if pat[i] == '"' {
			j := strings.IndexByte(pat[i+1:], '"')
			if j < 0 {
				b.WriteString(pat[i+1:])
				break
			}
			b.WriteString(pat[i+1 : i+1+j])
			i += j + 2
			continue
		}
		for _, r := range repl {
			if strings.HasPrefix(pat[i:], r.k) {
				b.WriteString(r.f())
				i += len(r.k)
				continue outer
			}
		}
		b.WriteByte(pat[i])
		i++
	}
	return b.String()
}

func pad0(n, w int) string { return fmt.Sprintf("%0*d", w, n) }

func padRight(s string, w int) string {
	if len(s) >= w {
		return s
	}
	return s + strings.Repeat(" ", w-len(s))
}
