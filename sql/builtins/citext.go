package builtins

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/quiverdb/quiver/sql/types"
)

// registerCitext adds the citext extension's overloads of the string
// functions, which match case-insensitively. Like citext's SQL wrappers
// they run the text functions: the regexp_* ones with the i flag (unless
// the flags say c), replace and split_part through regexp_replace and
// regexp_split_to_array on the quoted separator, so empty and special
// patterns behave as in PostgreSQL. Their results are text, as there.
// The comparison, LIKE and regular-expression operators and min/max are
// registered beside text's.
func registerCitext() {
	c, t := types.Citext, types.Text
	textArr := types.ArrayOf(types.Text)
	match := textFuncFn("regexp_match", t, t, t)
	addFunc("regexp_match", fn(params(c, c), textArr, withI(match, 2)))
	addFunc("regexp_match", fn(params(c, c, t), textArr, withI(match, 2)))
	split := textFuncFn("regexp_split_to_array", t, t, t)
	addFunc("regexp_split_to_array", fn(params(c, c), textArr, withI(split, 2)))
	addFunc("regexp_split_to_array", fn(params(c, c, t), textArr, withI(split, 2)))
	repl := textFuncFn("regexp_replace", t, t, t, t)
	addFunc("regexp_replace", fn(params(c, c, t), t, withI(repl, 3)))
	addFunc("regexp_replace", fn(params(c, c, t, t), t, withI(repl, 3)))
	matches := textSRFFn("regexp_matches", t, t, t)
	col := []Column{{Name: "regexp_matches", Type: textArr}}
	addSRF("regexp_matches", &SRFOverload{Params: params(c, c), Columns: col, Fn: withI(matches, 2)})
	addSRF("regexp_matches", &SRFOverload{Params: params(c, c, t), Columns: col, Fn: withI(matches, 2)})
	splitRows := textSRFFn("regexp_split_to_table", t, t, t)
	scol := []Column{{Name: "regexp_split_to_table", Type: t}}
	addSRF("regexp_split_to_table", &SRFOverload{Params: params(c, c), Columns: scol, Fn: withI(splitRows, 2)})
	addSRF("regexp_split_to_table", &SRFOverload{Params: params(c, c, t), Columns: scol, Fn: withI(splitRows, 2)})

	pos := textFuncFn("strpos", t, t)
	addFunc("strpos", fn(params(c, c), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return pos(ctx, []types.Datum{types.DString(types.CitextFold(str(a[0]))), types.DString(types.CitextFold(str(a[1])))})
	}))
	addFunc("replace", fn(params(c, c, c), t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return repl(ctx, []types.Datum{a[0], types.DString(regexp.QuoteMeta(str(a[1]))), a[2], types.DString("gi")})
	}))
	addFunc("split_part", fn(params(c, c, types.Int4), t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		d, err := split(ctx, []types.Datum{a[0], types.DString(regexp.QuoteMeta(str(a[1]))), types.DString("i")})
		if err != nil {
			return nil, err
		}
		// An array subscript: out of range (zero, negative) is NULL.
		parts, n := d.(*types.DArray).Elems, i64(a[2])
		if n < 1 || n > int64(len(parts)) {
			return types.Null, nil
		}
		return parts[n-1], nil
	}))
	translate := textFuncFn("translate", t, t, t)
	addFunc("translate", fn(params(c, c, t), t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		from := str(a[1])
		d, err := translate(ctx, []types.Datum{a[0], types.DString(strings.ToLower(from)), a[2]})
		if err != nil {
			return nil, err
		}
		return translate(ctx, []types.Datum{d, types.DString(strings.ToUpper(from)), a[2]})
	}))
}

// withI wraps a regexp function f so that its flags argument (ordinal
// at, added when the call has none) gets citext's i flag.
func withI[R any](f func(*EvalContext, []types.Datum) (R, error), at int) func(*EvalContext, []types.Datum) (R, error) {
	return func(ctx *EvalContext, a []types.Datum) (R, error) {
		args := make([]types.Datum, at+1)
		copy(args, a)
		args[at] = types.DString(citextFlags(a, at))
		return f(ctx, args)
	}
}

// citextFlags is the flags argument at ordinal at (empty when absent)
// with i appended unless it asks for case-sensitive matching.
func citextFlags(a []types.Datum, at int) string {
	flags := ""
	if at < len(a) {
		flags = str(a[at])
	}
	if !strings.ContainsRune(flags, 'c') {
		flags += "i"
	}
	return flags
}

// textFuncFn is the implementation of the built-in scalar overload
// name(ps...), which registerCitext wraps; its absence is a bug in the
// registrations, caught by the first test run.
func textFuncFn(name string, ps ...*types.T) evalFn {
	for _, o := range registry.funcs[name] {
		if o.Fn != nil && sameParams(o.Params, ps) {
			return o.Fn
		}
	}
	panic(fmt.Sprintf("builtins: no overload %s%v to wrap", name, ps))
}

// textSRFFn is textFuncFn for a set-returning function.
func textSRFFn(name string, ps ...*types.T) srfFn {
	for _, o := range registry.srfs[name] {
		if o.Fn != nil && sameParams(o.Params, ps) {
			return o.Fn
		}
	}
	panic(fmt.Sprintf("builtins: no set-returning overload %s%v to wrap", name, ps))
}

func sameParams(a, b []*types.T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Identical(b[i]) {
			return false
		}
	}
	return true
}

// srfFn is a set-returning overload's Fn.
type srfFn = func(ctx *EvalContext, args []types.Datum) (generator, error)
