package builtins

import (
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

func TestResolveRules(t *testing.T) {
	o := func(ps ...*types.T) *Overload { return &Overload{Params: ps, Return: types.Bool} }
	dateOrInt := []*Overload{o(types.Int4), o(types.Date)}
	textOrInt := []*Overload{o(types.Int4), o(types.Text)}
	numeric := []*Overload{o(types.Int8), o(types.Numeric), o(types.Float8)}
	poly := []*Overload{{Params: []*types.T{AnyArray, nil}, ReturnFn: func(a []*types.T) *types.T { return a[0] }}}
	for _, c := range []struct {
		name  string
		ovs   []*Overload
		args  []*types.T
		want  []*types.T
		code  string
		msg   string
		hint  string
		which int
	}{
		{name: "f", ovs: dateOrInt, args: ts(types.Unknown), code: "42725", msg: "function f(unknown) is not unique",
			hint: "Could not choose a best candidate function. You might need to add explicit type casts."},
		{name: "f", ovs: textOrInt, args: ts(types.Unknown), want: ts(types.Text), which: 1},
		{name: "f", ovs: numeric, args: ts(types.Int4), want: ts(types.Float8), which: 2},
		{name: "f", ovs: numeric, args: ts(types.Int2), want: ts(types.Float8), which: 2},
		{name: "f", ovs: numeric, args: ts(types.Numeric), want: ts(types.Numeric), which: 1},
		{name: "f", ovs: numeric, args: ts(types.Text), code: "42883", msg: "function f(text) does not exist",
			hint: "No function matches the given name and argument types. You might need to add explicit type casts."},
		{name: "f", ovs: numeric, args: ts(types.Int4, types.Int4), code: "42883", msg: "function f(integer, integer) does not exist"},
		{name: "f", ovs: poly, args: ts(types.ArrayOf(types.Int8), types.Int4), want: ts(types.ArrayOf(types.Int8), types.Int8)},
		{name: "f", ovs: poly, args: ts(types.ArrayOf(types.Int4), types.Unknown), want: ts(types.ArrayOf(types.Int4), types.Int4)},
		{name: "f", ovs: poly, args: ts(types.ArrayOf(types.Int4), types.Text), code: "42883"},
		{name: "f", ovs: poly, args: ts(types.Int4, types.Int4), code: "42883"},
		{name: "+", ovs: BinaryOps("+"), args: ts(types.Int4, types.Text), code: "42883", msg: "operator does not exist: integer + text",
			hint: "No operator matches the given name and argument types. You might need to add explicit type casts."},
	} {
		got, casts, err := Resolve(c.name, c.ovs, c.args)
		if c.code != "" {
			pe := pgerror.Convert(err)
			if err == nil || pe.Code != c.code || (c.msg != "" && pe.Message != c.msg) || (c.hint != "" && pe.Hint != c.hint) {
				t.Errorf("%s%v: want %s %q, got %v", c.name, c.args, c.code, c.msg, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s%v: %v", c.name, c.args, err)
			continue
		}
		if got != c.ovs[c.which] {
			t.Errorf("%s%v: picked %v", c.name, c.args, got.Params)
		}
		for i := range c.want {
			if !casts[i].Identical(c.want[i]) {
				t.Errorf("%s%v: arg %d resolves to %s, want %s", c.name, c.args, i, casts[i], c.want[i])
			}
		}
	}
}

func TestResolveReturnTypes(t *testing.T) {
	for _, c := range []struct {
		name string
		args []*types.T
		want *types.T
	}{
		{"+", ts(types.Int2, types.Int4), types.Int4},
		{"+", ts(types.Int4, types.Int8), types.Int8},
		{"+", ts(types.Int4, types.Numeric), types.Numeric},
		{"+", ts(types.Float4, types.Int4), types.Float8},
		{"+", ts(types.Float4, types.Float4), types.Float4},
		{"+", ts(types.Date, types.Int4), types.Date},
		{"-", ts(types.Date, types.Date), types.Int4},
		{"+", ts(types.Timestamp, types.Interval), types.Timestamp},
		{"-", ts(types.TimestampTZ, types.TimestampTZ), types.Interval},
		{"+", ts(types.Date, types.Interval), types.Timestamp},
		{"||", ts(types.Varchar, types.Varchar), types.Text},
		{"^", ts(types.Int4, types.Int4), types.Float8},
		{"/", ts(types.Numeric, types.Int4), types.Numeric},
		{"*", ts(types.Interval, types.Int4), types.Interval},
	} {
		o, _, err := Resolve(c.name, BinaryOps(c.name), c.args)
		if err != nil {
			t.Errorf("%v %s: %v", c.args, c.name, err)
			continue
		}
		if r := o.ReturnType(c.args); !r.Identical(c.want) {
			t.Errorf("%v %s: returns %s, want %s", c.args, c.name, r, c.want)
		}
	}
}

func TestImplicitCast(t *testing.T) {
	for _, c := range []struct {
		from, to *types.T
		want     bool
	}{
		{types.Int4, types.Int8, true},
		{types.Int8, types.Int4, false},
		{types.Int2, types.Float8, true},
		{types.Numeric, types.Float8, true},
		{types.Float8, types.Numeric, false},
		{types.Varchar, types.Text, true},
		{types.Name, types.Text, true},
		{types.Text, types.Int4, false},
		{types.Int4, types.Text, false},
		{types.Date, types.TimestampTZ, true},
		{types.TimestampTZ, types.Date, false},
		{types.Unknown, types.Date, true},
		{types.ArrayOf(types.Int4), types.ArrayOf(types.Int8), true},
		{types.ArrayOf(types.Int8), types.ArrayOf(types.Int4), false},
		{types.ArrayOf(types.Int4), types.Int4, false},
	} {
		if got := ImplicitCast(c.from, c.to); got != c.want {
			t.Errorf("ImplicitCast(%s, %s) = %v", c.from, c.to, got)
		}
	}
}
