package builtins

import (
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/types"
)

func tsv(s string) types.DTimestamp {
	t, err := time.Parse("2006-01-02 15:04:05.999999", s)
	if err != nil {
		panic(err)
	}
	return types.DTimestamp(timeToMicros(t))
}

func tstzv(s string) types.DTimestampTZ { return types.DTimestampTZ(tsv(s)) }

func datev(s string) types.DDate {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return timeToDate(t)
}

var (
	tsT, tstzT, dateT, ivT = types.Timestamp, types.TimestampTZ, types.Date, types.Interval
)

func TestDatetimeOperators(t *testing.T) {
	runBinary(t, []evalCase{
		{name: "+", typs: ts(dateT, ivT), args: ds(datev("2024-01-31"), types.DInterval{Months: 1}), want: "2024-02-29 00:00:00"},
		{name: "+", typs: ts(tsT, ivT), args: ds(tsv("2024-01-31 10:00:00"), types.DInterval{Months: 1, Days: 1, Micros: 3600e6}), want: "2024-03-01 11:00:00"},
		{name: "-", typs: ts(tsT, ivT), args: ds(tsv("2024-03-01 00:00:00"), types.DInterval{Days: 1}), want: "2024-02-29 00:00:00"},
		{name: "-", typs: ts(dateT, dateT), args: ds(datev("2024-03-01"), datev("2024-02-01")), want: "29"},
		{name: "+", typs: ts(dateT, i4), args: ds(datev("2024-02-28"), iv(2)), want: "2024-03-01"},
		{name: "-", typs: ts(dateT, i4), args: ds(datev("2024-03-01"), iv(1)), want: "2024-02-29"},
		{name: "-", typs: ts(tsT, tsT), args: ds(tsv("2020-01-02 03:00:00"), tsv("2020-01-01 00:00:00")), want: "1 day 03:00:00"},
		{name: "+", typs: ts(tstzT, ivT), args: ds(tstzv("2024-01-01 00:00:00"), types.DInterval{Micros: 90e6}), want: "2024-01-01 00:01:30+00"},
		{name: "*", typs: ts(ivT, num), args: ds(types.DInterval{Days: 1}, fv(2.5)), want: "2 days 12:00:00"},
		{name: "*", typs: ts(ivT, num), args: ds(types.DInterval{Months: 1}, fv(1.5)), want: "1 mon 15 days"},
		{name: "/", typs: ts(ivT, i4), args: ds(types.DInterval{Days: 10}, fv(3)), want: "3 days 08:00:00"},
		{name: "/", typs: ts(ivT, i4), args: ds(types.DInterval{Days: 10}, fv(0)), code: "22012"},
		{name: "+", typs: ts(ivT, ivT), args: ds(types.DInterval{Days: 1}, types.DInterval{Months: 14}), want: "1 year 2 mons 1 day"},
		{name: "-", typs: ts(ivT), args: ds(types.DInterval{Micros: 3600e6}), want: "-01:00:00"},
	})
}

func TestDatetimeFunctions(t *testing.T) {
	runFuncs(t, []evalCase{
		{name: "now", want: "2024-03-15 10:30:00+00"},
		{name: "current_date", want: "2024-03-15"},
		{name: "localtimestamp", want: "2024-03-15 10:30:00"},
		{name: "age", typs: ts(tsT, tsT), args: ds(tsv("2024-03-15 00:00:00"), tsv("2023-12-20 10:00:00")), want: "2 mons 25 days 14:00:00"},
		{name: "age", typs: ts(tsT, tsT), args: ds(tsv("2023-12-20 10:00:00"), tsv("2024-03-15 00:00:00")), want: "-2 mons -25 days -14:00:00"},
		{name: "date_trunc", typs: ts(unk, tsT), args: ds(sv("week"), tsv("2024-03-15 10:30:00")), want: "2024-03-11 00:00:00"},
		{name: "date_trunc", typs: ts(unk, tsT), args: ds(sv("quarter"), tsv("2024-05-15 10:30:00")), want: "2024-04-01 00:00:00"},
		{name: "date_trunc", typs: ts(unk, tsT), args: ds(sv("hour"), tsv("2024-05-15 10:30:00")), want: "2024-05-15 10:00:00"},
		{name: "date_trunc", typs: ts(unk, tsT), args: ds(sv("fortnight"), tsv("2024-05-15 10:30:00")), code: "0A000", msg: `unit "fortnight" not recognized for type timestamp without time zone`},
		{name: "extract", typs: ts(unk, tsT), args: ds(sv("epoch"), tsv("2020-01-01 00:00:01.5")), want: "1577836801.500000"},
		{name: "extract", typs: ts(unk, tsT), args: ds(sv("second"), tsv("2020-01-01 00:00:01.5")), want: "1.500000"},
		{name: "extract", typs: ts(unk, tsT), args: ds(sv("year"), tsv("2020-01-01 00:00:00")), want: "2020"},
		{name: "extract", typs: ts(unk, tsT), args: ds(sv("millisecond"), tsv("2020-01-01 00:00:01.5")), want: "1500.000"},
		{name: "extract", typs: ts(unk, dateT), args: ds(sv("epoch"), datev("2020-01-01")), want: "1577836800"},
		{name: "extract", typs: ts(unk, dateT), args: ds(sv("dow"), datev("2020-01-01")), want: "3"},
		{name: "extract", typs: ts(unk, dateT), args: ds(sv("week"), datev("2021-01-01")), want: "53"},
		{name: "extract", typs: ts(unk, dateT), args: ds(sv("doy"), datev("2021-02-01")), want: "32"},
		{name: "extract", typs: ts(unk, dateT), args: ds(sv("quarter"), datev("2021-05-01")), want: "2"},
		{name: "extract", typs: ts(unk, dateT), args: ds(sv("century"), datev("2021-05-01")), want: "21"},
		{name: "extract", typs: ts(unk, dateT), args: ds(sv("julian"), datev("2020-01-01")), want: "2458850"},
		{name: "extract", typs: ts(unk, dateT), args: ds(sv("hour"), datev("2020-01-01")), code: "0A000", msg: `unit "hour" not supported for type date`},
		{name: "extract", typs: ts(unk, ivT), args: ds(sv("epoch"), types.DInterval{Days: 1, Micros: 7200e6}), want: "93600.000000"},
		{name: "extract", typs: ts(unk, ivT), args: ds(sv("month"), types.DInterval{Months: 14}), want: "2"},
		{name: "date_part", typs: ts(unk, tsT), args: ds(sv("second"), tsv("2020-01-01 00:00:01.5")), want: "1.5"},
		{name: "date_part", typs: ts(unk, dateT), args: ds(sv("day"), datev("2020-01-07")), want: "7"},
		{name: "make_date", typs: ts(i4, i4, i4), args: ds(iv(2024), iv(2), iv(29)), want: "2024-02-29"},
		{name: "make_date", typs: ts(i4, i4, i4), args: ds(iv(2023), iv(2), iv(29)), code: "22008", msg: "date field value out of range: 2023-02-29"},
		{name: "to_timestamp", typs: ts(i4), args: ds(fv(1700000000.5)), want: "2023-11-14 22:13:20.5+00"},
		{name: "to_char", typs: ts(tsT, unk), args: ds(tsv("2024-03-05 14:07:09"), sv("YYYY-MM-DD HH24:MI:SS Mon Dy HH12 AM")), want: "2024-03-05 14:07:09 Mar Tue 02 PM"},
	})
}

// Expected strings are PostgreSQL 15's.
func TestToCharNumber(t *testing.T) {
	runFuncs(t, []evalCase{
		{name: "to_char", typs: ts(num, unk), args: ds(nv("123.456"), sv("999.99")), want: " 123.46"},
		{name: "to_char", typs: ts(num, unk), args: ds(nv("-123.456"), sv("999.99")), want: "-123.46"},
		{name: "to_char", typs: ts(i4, unk), args: ds(iv(5), sv("000")), want: " 005"},
		{name: "to_char", typs: ts(i4, unk), args: ds(iv(1234567), sv("9,999,999")), want: " 1,234,567"},
		{name: "to_char", typs: ts(i4, unk), args: ds(iv(12), sv("FM999")), want: "12"},
		{name: "to_char", typs: ts(num, unk), args: ds(nv("0.5"), sv("0.99")), want: " 0.50"},
		{name: "to_char", typs: ts(num, unk), args: ds(nv("0.5"), sv("9.99")), want: "  .50"},
		{name: "to_char", typs: ts(i4, unk), args: ds(iv(0), sv("999")), want: "   0"},
		{name: "to_char", typs: ts(i4, unk), args: ds(iv(12345), sv("999")), want: " ###"},
		{name: "to_char", typs: ts(i4, unk), args: ds(iv(-5), sv("S999")), want: "  -5"},
		{name: "to_char", typs: ts(i4, unk), args: ds(iv(5), sv("S999")), want: "  +5"},
		{name: "to_char", typs: ts(num, unk), args: ds(nv("3.5"), sv("FM999.99")), want: "3.5"},
		{name: "to_char", typs: ts(num, unk), args: ds(nv("-0.1"), sv("FM9.9")), want: "-.1"},
		{name: "to_char", typs: ts(f8, unk), args: ds(fv(1234.5), sv("99999.9")), want: "  1234.5"},
		{name: "to_char", typs: ts(i4, unk), args: ds(iv(-12), sv("999MI")), want: " 12-"},
		{name: "to_char", typs: ts(i4, unk), args: ds(iv(1485), sv("9G999D99")), want: " 1,485.00"},
	})
}
