package builtins

import (
	"context"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

func iv(v int64) types.Datum   { return types.DInt(v) }
func fv(v float64) types.Datum { return types.DFloat(v) }
func sv(v string) types.Datum  { return types.DString(v) }
func bv(v bool) types.Datum    { return types.DBool(v) }
func nv(s string) types.Datum {
	d := newDec()
	if _, _, err := d.SetString(s); err != nil {
		panic(err)
	}
	return d
}

// testCast converts a value to the representation of the type Resolve
// chose, standing in for the planner's casts.
func testCast(d types.Datum, to *types.T) types.Datum {
	switch x := d.(type) {
	case types.DInt:
		switch to.Family {
		case types.FamNumeric:
			return decFromInt(int64(x))
		case types.FamFloat4, types.FamFloat8:
			return types.DFloat(x)
		}
	case *types.DDecimal:
		if to.Family == types.FamFloat8 || to.Family == types.FamFloat4 {
			return types.DFloat(decToFloat(x))
		}
	case types.DDate:
		switch to.Family {
		case types.FamTimestamp:
			return types.DTimestamp(dateToTS(x))
		case types.FamTimestampTZ:
			return types.DTimestampTZ(dateToTS(x))
		}
	}
	return d
}

func testCtx() *EvalContext {
	t := time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC)
	return &EvalContext{Ctx: context.Background(), StmtTime: t, TxnTime: t, Location: time.UTC}
}

type evalCase struct {
	name string // function name or operator
	typs []*types.T
	args []types.Datum
	want string // text of the result ("NULL" for NULL)
	code string // expected SQLSTATE when the call fails
	msg  string
}

func runCase(t *testing.T, ovs []*Overload, c evalCase) {
	t.Helper()
	o, casts, err := Resolve(c.name, ovs, c.typs)
	if err == nil && len(c.args) != len(c.typs) {
		t.Errorf("%s%v: resolved, but the case has no arguments to call with", c.name, c.typs)
		return
	}
	if err == nil {
		args := make([]types.Datum, len(c.args))
		null := false
		for i, a := range c.args {
			if types.IsNull(a) {
				null = true
			}
			args[i] = testCast(a, casts[i])
		}
		var res types.Datum = types.Null
		if !null || o.NullCall {
			res, err = o.Fn(testCtx(), args)
		}
		if err == nil {
			if c.code != "" {
				t.Errorf("%s%v: want error %s, got %v", c.name, c.args, c.code, datumText(res))
				return
			}
			got := "NULL"
			if !types.IsNull(res) {
				got = datumText(res)
			}
			if got != c.want {
				t.Errorf("%s%v: got %q want %q", c.name, c.args, got, c.want)
			}
			return
		}
	}
	if c.code == "" {
		t.Errorf("%s%v: unexpected error %v", c.name, c.args, err)
		return
	}
	pe := pgerror.Convert(err)
	if pe.Code != c.code || (c.msg != "" && pe.Message != c.msg) {
		t.Errorf("%s%v: got error %s %q, want %s %q", c.name, c.args, pe.Code, pe.Message, c.code, c.msg)
	}
}

func runFuncs(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		runCase(t, Functions(c.name), c)
	}
}

func runBinary(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		if len(c.typs) == 1 {
			runCase(t, UnaryOps(c.name), c)
		} else {
			runCase(t, BinaryOps(c.name), c)
		}
	}
}

var (
	i2, i4, i8 = types.Int2, types.Int4, types.Int8
	f4, f8     = types.Float4, types.Float8
	num        = types.Numeric
	txt        = types.Text
	unk        = types.Unknown
)

func ts(ts ...*types.T) []*types.T       { return ts }
func ds(ds ...types.Datum) []types.Datum { return ds }
