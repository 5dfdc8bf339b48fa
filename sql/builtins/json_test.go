package builtins

import (
	"testing"

	"github.com/quiverdb/quiver/sql/types"
)

func jv(s string) types.Datum { return types.DJSON(s) }

func textArr(ss ...string) types.Datum {
	a := &types.DArray{Elem: types.Text}
	for _, s := range ss {
		a.Elems = append(a.Elems, types.DString(s))
	}
	return a
}

func TestJSON(t *testing.T) {
	jb, js := types.JSONB, types.JSON
	doc := jv(`{"a": {"b": "x", "n": 1.50}, "arr": [1, 2, {"c": null}]}`)
	runBinary(t, []evalCase{
		{name: "->", typs: ts(jb, unk), args: ds(doc, sv("a")), want: `{"b": "x", "n": 1.50}`},
		{name: "->>", typs: ts(jb, unk), args: ds(doc, sv("arr")), want: `[1, 2, {"c": null}]`},
		{name: "->", typs: ts(jb, unk), args: ds(doc, sv("missing")), want: "NULL"},
		{name: "->", typs: ts(js, i4), args: ds(jv(`[1, 2,  3]`), iv(-1)), want: "3"},
		{name: "->>", typs: ts(js, unk), args: ds(jv(`{"k":"v\"q"}`), sv("k")), want: `v"q`},
		{name: "->", typs: ts(js, unk), args: ds(jv(`{"k": {"z":1,  "a":2}}`), sv("k")), want: `{"z":1,  "a":2}`},
		{name: "#>>", typs: ts(jb, unk), args: ds(doc, textArr("a", "b")), want: "x"},
		{name: "#>", typs: ts(jb, unk), args: ds(doc, textArr("arr", "2")), want: `{"c": null}`},
		{name: "#>>", typs: ts(jb, unk), args: ds(doc, textArr("arr", "2", "c")), want: "NULL"},
		{name: "@>", typs: ts(jb, unk), args: ds(doc, jv(`{"a": {"b": "x"}}`)), want: "t"},
		{name: "@>", typs: ts(jb, unk), args: ds(doc, jv(`{"arr": [2]}`)), want: "t"},
		{name: "@>", typs: ts(jb, unk), args: ds(doc, jv(`{"a": {"n": 1.5}}`)), want: "t"},
		{name: "@>", typs: ts(jb, unk), args: ds(doc, jv(`{"a": {"b": "y"}}`)), want: "f"},
		{name: "<@", typs: ts(jb, unk), args: ds(jv(`{"arr": [1]}`), doc), want: "t"},
		{name: "?", typs: ts(jb, unk), args: ds(doc, sv("arr")), want: "t"},
		{name: "?", typs: ts(jb, unk), args: ds(doc, sv("b")), want: "f"},
		{name: "?|", typs: ts(jb, unk), args: ds(doc, textArr("zz", "a")), want: "t"},
		{name: "?&", typs: ts(jb, unk), args: ds(doc, textArr("zz", "a")), want: "f"},
	})
	runFuncs(t, []evalCase{
		{name: "jsonb_typeof", typs: ts(jb), args: ds(jv(`[1]`)), want: "array"},
		{name: "json_typeof", typs: ts(js), args: ds(jv(` "s"`)), want: "string"},
		{name: "jsonb_array_length", typs: ts(jb), args: ds(jv(`[1, [2, 3]]`)), want: "2"},
		{name: "jsonb_array_length", typs: ts(jb), args: ds(jv(`{}`)), code: "22023", msg: "cannot get array length of a non-array"},
		{name: "jsonb_build_object", typs: ts(unk, i4, unk, unk, unk, types.Bool), args: ds(sv("x"), iv(1), sv("y"), sv("two"), sv("z"), bv(true)), want: `{"x": 1, "y": "two", "z": true}`},
		{name: "json_build_object", typs: ts(unk, i4, unk, unk), args: ds(sv("x"), iv(1), sv("y"), sv("two")), want: `{"x" : 1, "y" : "two"}`},
		{name: "json_build_object", typs: ts(unk), args: ds(sv("x")), code: "22023", msg: "argument list must have even number of elements"},
		{name: "jsonb_build_array", typs: ts(i4, unk), args: ds(iv(1), sv("a")), want: `[1, "a"]`},
		{name: "to_json", typs: ts(txt), args: ds(sv(`a"b`)), want: `"a\"b"`},
		{name: "to_jsonb", typs: ts(types.ArrayOf(i4)), args: ds(&types.DArray{Elem: i4, Elems: ds(iv(1), iv(2))}), want: `[1, 2]`},
		{name: "to_json", typs: ts(tsT), args: ds(tsv("2024-01-02 03:04:05")), want: `"2024-01-02T03:04:05"`},
		{name: "to_jsonb", typs: ts(jb), args: ds(jv(`{"b":1,"a":2}`)), want: `{"a": 2, "b": 1}`},
	})
}

func TestJSONBCanonical(t *testing.T) {
	for in, want := range map[string]string{
		`{"b":1,"a":[1,2,{"c":null}]}`: `{"a": [1, 2, {"c": null}], "b": 1}`,
		`{"aa":1,"b":2,"a":3,"a":4}`:   `{"a": 4, "b": 2, "aa": 1}`,
		`"x\u0001"`:                    `"x\u0001"`,
		`1e2`:                          `100`,
	} {
		if got := jsonbCanonical([]byte(in)); got != want {
			t.Errorf("jsonb(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestJSONSetsAndAggregates(t *testing.T) {
	jb := types.JSONB
	if got := joinSpace(collect(t, "jsonb_object_keys", ts(jb), ds(jv(`{"bb": 1, "a": 2}`)))); got != "a bb" {
		t.Errorf("jsonb_object_keys = %q", got)
	}
	if got := joinSpace(collect(t, "json_object_keys", ts(types.JSON), ds(jv(`{"bb": 1, "a": 2}`)))); got != "bb a" {
		t.Errorf("json_object_keys = %q", got)
	}
	if got := joinSpace(collect(t, "jsonb_array_elements_text", ts(jb), ds(jv(`["x", 1, null]`)))); got != "x 1 NULL" {
		t.Errorf("jsonb_array_elements_text = %q", got)
	}
	if got := collect(t, "jsonb_array_elements", ts(jb), ds(jv(`{"a":1}`))); len(got) != 1 || got[0] != "error cannot extract elements from an object" {
		t.Errorf("jsonb_array_elements(object) = %q", got)
	}
	o, casts, err := ResolveAggregate("jsonb_agg", Aggregates("jsonb_agg"), ts(i4))
	if err != nil {
		t.Fatal(err)
	}
	agg := o.New(casts)
	for _, d := range ds(iv(1), types.Null, iv(3)) {
		if err := agg.Add(testCtx(), ds(d)); err != nil {
			t.Fatal(err)
		}
	}
	if r, _ := agg.Result(testCtx()); datumText(r) != "[1, null, 3]" {
		t.Errorf("jsonb_agg = %s", datumText(r))
	}
	o, casts, _ = ResolveAggregate("json_object_agg", Aggregates("json_object_agg"), ts(unk, i4))
	agg = o.New(casts)
	_ = agg.Add(testCtx(), ds(sv("a"), iv(1)))
	_ = agg.Add(testCtx(), ds(sv("b"), types.Null))
	if r, _ := agg.Result(testCtx()); datumText(r) != `{ "a" : 1, "b" : null }` {
		t.Errorf("json_object_agg = %s", datumText(r))
	}
}
