package builtins

import (
	"testing"

	"github.com/quiverdb/quiver/sql/types"
)

func TestAggregates(t *testing.T) {
	for _, c := range []struct {
		name    string
		typs    []*types.T
		rows    [][]types.Datum
		want    string
		wantRet *types.T
	}{
		{"count", nil, [][]types.Datum{{}, {}, {}}, "3", types.Int8},
		{"count", nil, nil, "0", types.Int8},
		{"count", ts(i4), [][]types.Datum{{iv(1)}, {types.Null}, {iv(3)}}, "2", types.Int8},
		{"sum", ts(i4), [][]types.Datum{{iv(1)}, {types.Null}, {iv(3)}}, "4", types.Int8},
		{"sum", ts(i4), nil, "NULL", types.Int8},
		{"sum", ts(i4), [][]types.Datum{{types.Null}}, "NULL", types.Int8},
		{"sum", ts(i8), [][]types.Datum{{iv(9223372036854775807)}, {iv(1)}}, "9223372036854775808", types.Numeric},
		{"sum", ts(num), [][]types.Datum{{nv("1.5")}, {nv("2.25")}}, "3.75", types.Numeric},
		{"sum", ts(f8), [][]types.Datum{{fv(1.5)}, {fv(2)}}, "3.5", types.Float8},
		{"sum", ts(types.Interval), [][]types.Datum{{types.DInterval{Days: 1}}, {types.DInterval{Micros: 3600000000}}}, "1 day 01:00:00", types.Interval},
		{"avg", ts(i4), [][]types.Datum{{iv(1)}, {iv(2)}}, "1.5000000000000000", types.Numeric},
		{"avg", ts(i4), [][]types.Datum{{iv(1)}, {iv(2)}, {iv(2)}}, "1.6666666666666667", types.Numeric},
		{"avg", ts(num), [][]types.Datum{{nv("1.00")}, {nv("2.00")}}, "1.5000000000000000", types.Numeric},
		{"avg", ts(f8), [][]types.Datum{{fv(1)}, {fv(2)}}, "1.5", types.Float8},
		{"avg", ts(i4), nil, "NULL", types.Numeric},
		{"avg", ts(types.Interval), [][]types.Datum{{types.DInterval{Days: 1}}, {types.DInterval{Days: 2, Micros: 3600000000}}}, "1 day 12:30:00", types.Interval},
		{"min", ts(i4), [][]types.Datum{{iv(3)}, {types.Null}, {iv(-1)}}, "-1", types.Int4},
		{"max", ts(txt), [][]types.Datum{{sv("a")}, {sv("c")}, {sv("b")}}, "c", types.Text},
		{"max", ts(types.Varchar), [][]types.Datum{{sv("a")}, {sv("c")}}, "c", types.Text},
		{"max", ts(i4), nil, "NULL", types.Int4},
		{"min", ts(types.ArrayOf(i4)), [][]types.Datum{{&types.DArray{Elem: i4, Elems: ds(iv(2))}}, {&types.DArray{Elem: i4, Elems: ds(iv(1), iv(5))}}}, "{1,5}", types.ArrayOf(i4)},
		{"bool_and", ts(types.Bool), [][]types.Datum{{bv(true)}, {bv(false)}}, "f", types.Bool},
		{"every", ts(types.Bool), [][]types.Datum{{bv(true)}, {types.Null}}, "t", types.Bool},
		{"bool_or", ts(types.Bool), [][]types.Datum{{bv(false)}, {bv(true)}}, "t", types.Bool},
		{"string_agg", ts(txt, unk), [][]types.Datum{{sv("a"), sv(",")}, {types.Null, sv(",")}, {sv("b"), sv(",")}}, "a,b", types.Text},
		{"array_agg", ts(i4), [][]types.Datum{{iv(1)}, {types.Null}, {iv(3)}}, "{1,NULL,3}", types.ArrayOf(i4)},
		{"array_agg", ts(i4), nil, "NULL", types.ArrayOf(i4)},
		{"stddev", ts(i4), [][]types.Datum{{iv(1)}, {iv(2)}, {iv(4)}}, "1.5275252316519467", types.Numeric},
		{"variance", ts(i4), [][]types.Datum{{iv(1)}, {iv(2)}, {iv(4)}}, "2.3333333333333333", types.Numeric},
		{"var_pop", ts(f8), [][]types.Datum{{fv(1)}, {fv(3)}}, "1", types.Float8},
		{"stddev_samp", ts(i4), [][]types.Datum{{iv(1)}}, "NULL", types.Numeric},
	} {
		o, casts, err := ResolveAggregate(c.name, Aggregates(c.name), c.typs)
		if err != nil {
			t.Errorf("%s%v: %v", c.name, c.typs, err)
			continue
		}
		if r := o.ReturnType(casts); !r.Identical(c.wantRet) {
			t.Errorf("%s%v: returns %s, want %s", c.name, c.typs, r, c.wantRet)
		}
		agg := o.New(casts)
		for _, row := range c.rows {
			args := make([]types.Datum, len(row))
			for i, d := range row {
				args[i] = testCast(d, casts[i])
			}
			if err := agg.Add(testCtx(), args); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		res, err := agg.Result(testCtx())
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := "NULL"
		if !types.IsNull(res) {
			got = datumText(res)
		}
		if got != c.want {
			t.Errorf("%s%v: got %s want %s", c.name, c.typs, got, c.want)
		}
	}
	if Aggregates("lower") != nil {
		t.Errorf("lower is not an aggregate")
	}
}

func TestSumOverflow(t *testing.T) {
	o, casts, _ := ResolveAggregate("sum", Aggregates("sum"), ts(i4))
	a := o.New(casts)
	for i := 0; i < 3; i++ {
		if err := a.Add(testCtx(), ds(iv(1<<62))); err != nil {
			if i != 1 {
				t.Fatalf("overflow too early: %v", err)
			}
			return
		}
	}
	t.Errorf("sum(int4) overflow not reported")
}

func collect(t *testing.T, name string, typs []*types.T, args []types.Datum) []string {
	t.Helper()
	o, casts, err := ResolveSRF(name, SRFs(name), typs)
	if err != nil {
		t.Fatalf("%s%v: %v", name, typs, err)
	}
	for i := range args {
		args[i] = testCast(args[i], casts[i])
	}
	next, err := o.Fn(testCtx(), args)
	if err != nil {
		return []string{"error " + err.Error()}
	}
	var out []string
	for {
		row, done, err := next()
		if err != nil {
			return append(out, "error "+err.Error())
		}
		if done {
			return out
		}
		if types.IsNull(row[0]) {
			out = append(out, "NULL")
		} else {
			out = append(out, datumText(row[0]))
		}
		if len(out) > 100 {
			t.Fatalf("%s: runaway generator", name)
		}
	}
}

func TestSetReturningFunctions(t *testing.T) {
	day := types.DInterval{Days: 1}
	for _, c := range []struct {
		name string
		typs []*types.T
		args []types.Datum
		want string
	}{
		{"generate_series", ts(i4, i4), ds(iv(1), iv(3)), "1 2 3"},
		{"generate_series", ts(i4, i4, i4), ds(iv(10), iv(1), iv(-4)), "10 6 2"},
		{"generate_series", ts(i4, i4), ds(iv(3), iv(1)), ""},
		{"generate_series", ts(i8, i8), ds(iv(9223372036854775806), iv(9223372036854775807)), "9223372036854775806 9223372036854775807"},
		{"generate_series", ts(i4, i4, i4), ds(iv(1), iv(3), iv(0)), "error step size cannot equal zero"},
		{"generate_series", ts(num, num, num), ds(nv("0.5"), nv("1.5"), nv("0.5")), "0.5 1.0 1.5"},
		{"generate_series", ts(i4, num), ds(iv(1), nv("2")), "1 2"},
		{"generate_series", ts(types.Timestamp, types.Timestamp, types.Interval), ds(types.DTimestamp(0), types.DTimestamp(2*usPerDay), day),
			"2000-01-01 00:00:00 2000-01-02 00:00:00 2000-01-03 00:00:00"},
		{"generate_series", ts(types.TimestampTZ, types.TimestampTZ, types.Interval), ds(types.DTimestampTZ(0), types.DTimestampTZ(usPerDay), types.DInterval{Micros: 12 * 3600000000}),
			"2000-01-01 00:00:00+00 2000-01-01 12:00:00+00 2000-01-02 00:00:00+00"},
		{"unnest", ts(types.ArrayOf(txt)), ds(&types.DArray{Elem: txt, Elems: ds(sv("a"), types.Null)}), "a NULL"},
		{"generate_subscripts", ts(types.ArrayOf(txt), i4), ds(&types.DArray{Elem: txt, Elems: ds(sv("a"), sv("b"))}, iv(1)), "1 2"},
	} {
		got := collect(t, c.name, c.typs, c.args)
		if s := joinSpace(got); s != c.want {
			t.Errorf("%s%v: got %q want %q", c.name, c.args, s, c.want)
		}
	}
	o, _, err := ResolveSRF("unnest", SRFs("unnest"), ts(types.ArrayOf(i8)))
	if err != nil || !o.OutputColumns(ts(types.ArrayOf(i8)))[0].Type.Identical(i8) {
		t.Errorf("unnest(bigint[]) columns: %v", err)
	}
}

func joinSpace(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}
