package builtins

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// JSON values are held as text (types.DJSON). Operators parse with
// encoding/json keeping raw sub-values, so json results keep their input
// spelling while jsonb results are re-rendered in jsonb's canonical form.

func jtext(d types.Datum) string { return string(d.(types.DJSON)) }

func errInvalidJSON(s string) error {
	return pgerror.New(pgerror.CodeInvalidJSONText, "invalid input syntax for type json").WithDetail("Token \"%s\" is invalid.", s)
}

// jsonKind is the JSON type of raw text: object, array, string, number,
// boolean or null.
func jsonKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func jsonField(raw []byte, key string) ([]byte, bool) {
	if jsonKind(raw) != "object" {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	var found []byte
	ok := false
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		if k, _ := kt.(string); k == key {
			found, ok = v, true // the last duplicate wins, as in jsonb
		}
	}
	return found, ok
}

func jsonElems(raw []byte) ([]json.RawMessage, bool) {
	if jsonKind(raw) != "array" {
		return nil, false
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, false
	}
	return elems, true
}

func jsonIndex(raw []byte, i int64) ([]byte, bool) {
	elems, ok := jsonElems(raw)
	if !ok {
		return nil, false
	}
	if i < 0 {
		i += int64(len(elems))
	}
	if i < 0 || i >= int64(len(elems)) {
		return nil, false
	}
	return elems[i], true
}

func jsonPath(raw []byte, path []types.Datum) ([]byte, bool) {
	cur := raw
	for _, p := range path {
		if types.IsNull(p) {
			return nil, false
		}
		k := str(p)
		switch jsonKind(cur) {
		case "object":
			v, ok := jsonField(cur, k)
			if !ok {
				return nil, false
			}
			cur = v
		case "array":
			i, err := strconv.ParseInt(k, 10, 64)
			if err != nil {
				return nil, false
			}
			v, ok := jsonIndex(cur, i)
			if !ok {
				return nil, false
			}
			cur = v
		default:
			return nil, false
		}
	}
	return cur, true
}

// jsonOut renders a sub-value as json (trimmed input text) or jsonb
// (canonical).
func jsonOut(raw []byte, jsonb bool) types.Datum {
	if jsonb {
		return types.DJSON(jsonbCanonical(raw))
	}
	return types.DJSON(bytes.TrimSpace(raw))
}

// jsonAsText is ->>: strings lose their quotes, null becomes SQL NULL.
func jsonAsText(raw []byte, jsonb bool) types.Datum {
	switch jsonKind(raw) {
	case "string":
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return types.DString(s)
		}
	case "null":
		return types.Null
	}
	return types.DString(string(jsonOut(raw, jsonb).(types.DJSON)))
}

func jsonDecode(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// jsonbCanonical renders JSON as jsonb's output function does: ", " and
// ": " separators, object keys ordered by length then bytes, duplicate
// keys collapsed to the last.
func jsonbCanonical(raw []byte) string {
	v, err := jsonDecode(raw)
	if err != nil {
		return string(bytes.TrimSpace(raw))
	}
	var b strings.Builder
	writeJSONB(&b, v)
	return b.String()
}

// jsonbKeys returns an object's keys in jsonb's order: by length, then
// bytes.
func jsonbKeys(x map[string]any) []string {
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) < len(keys[j])
		}
		return keys[i] < keys[j]
	})
	return keys
}

func writeJSONB(b *strings.Builder, v any) { writeJSONAs(b, v, false) }

// writeJSONAs renders a decoded value as jsonb's output does or, compact,
// as json functions that rebuild their input do (json_strip_nulls): no
// spaces after separators, numbers as written.
func writeJSONAs(b *strings.Builder, v any, compact bool) {
	itemSep, keySep := ", ", ": "
	if compact {
		itemSep, keySep = ",", ":"
	}
	switch x := v.(type) {
	case map[string]any:
		b.WriteByte('{')
		for i, k := range jsonbKeys(x) {
			if i > 0 {
				b.WriteString(itemSep)
			}
			writeJSONString(b, k)
			b.WriteString(keySep)
			writeJSONAs(b, x[k], compact)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(itemSep)
			}
			writeJSONAs(b, e, compact)
		}
		b.WriteByte(']')
	case string:
		writeJSONString(b, x)
	case json.Number:
		if compact {
			b.WriteString(string(x))
		} else {
			b.WriteString(canonicalNumber(string(x)))
		}
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case nil:
		b.WriteString("null")
	}
}

// canonicalNumber shows a JSON number as jsonb's numeric would.
func canonicalNumber(s string) string {
	d := newDec()
	if _, _, err := d.SetString(s); err != nil {
		return s
	}
	return d.Text('f')
}

func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				b.WriteString(`\u00`)
				b.WriteString(strconv.FormatInt(int64(r)>>4, 16))
				b.WriteString(strconv.FormatInt(int64(r)&15, 16))
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// withArgTypes gives o's function its arguments' static types, which
// name a whole-row reference's fields, through Bind; Fn, for callers that
// do not bind, sees none.
func withArgTypes(o *Overload, f func(ts []*types.T) evalFn) *Overload {
	o.Fn = f(nil)
	o.Bind = func(ts []*types.T) func(*EvalContext, []types.Datum) (types.Datum, error) { return f(ts) }
	return o
}

// toJSON renders a SQL value as JSON text, as to_json does.
func toJSON(d types.Datum) string { return toJSONTyped(d, nil) }

// toJSONTyped is toJSON for a value of static type t (nil: unknown): a
// record becomes an object keyed by t's field names (f1, f2, ... for an
// anonymous one), arrays pass their element type down.
func toJSONTyped(d types.Datum, t *types.T) string {
	var b strings.Builder
	switch x := d.(type) {
	case types.DTuple:
		return recordJSON(x, t, ",")
	case *types.DArray:
		var et *types.T
		if t != nil && t.Family == types.FamArray {
			et = t.Elem
		}
		b.WriteByte('[')
		for i, e := range x.Elems {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(toJSONTyped(e, et))
		}
		b.WriteByte(']')
		return b.String()
	}
	return scalarJSON(d)
}

// recordJSON is row_to_json: the fields as an object, separated by sep.
func recordJSON(r types.DTuple, t *types.T, sep string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range r {
		if i > 0 {
			b.WriteString(sep)
		}
		name, ft := "f"+strconv.Itoa(i+1), (*types.T)(nil)
		if t != nil && t.Family == types.FamRecord && i < len(t.Fields) {
			name, ft = t.Fields[i].Name, t.Fields[i].Type
		}
		writeJSONString(&b, name)
		b.WriteByte(':')
		b.WriteString(toJSONTyped(v, ft))
	}
	b.WriteByte('}')
	return b.String()
}

func scalarJSON(d types.Datum) string {
	var b strings.Builder
	switch x := d.(type) {
	case types.DNull, nil:
		return "null"
	case types.DInt:
		return strconv.FormatInt(int64(x), 10)
	case types.DFloat:
		s := datumText(x)
		if s == "NaN" || strings.HasSuffix(s, "Infinity") {
			writeJSONString(&b, s)
			return b.String()
		}
		return s
	case *types.DDecimal:
		return x.Text('f')
	case types.DBool:
		return strconv.FormatBool(bool(x))
	case types.DJSON:
		return string(x)
	case types.DTimestamp:
		writeJSONString(&b, strings.Replace(datumText(x), " ", "T", 1))
		return b.String()
	case types.DTimestampTZ:
		s := strings.Replace(datumText(x), " ", "T", 1)
		if strings.HasSuffix(s, "+00") {
			s += ":00"
		}
		writeJSONString(&b, s)
		return b.String()
	}
	writeJSONString(&b, datumText(d))
	return b.String()
}

// jsonContains is jsonb @>: objects contain subsets of their pairs, arrays
// any elements (in any order), scalars only equal scalars.
func jsonContains(a, b any) bool {
	switch y := b.(type) {
	case map[string]any:
		x, ok := a.(map[string]any)
		if !ok {
			return false
		}
		for k, bv := range y {
			av, ok := x[k]
			if !ok || !jsonContains(av, bv) {
				return false
			}
		}
		return true
	case []any:
		x, ok := a.([]any)
		if !ok {
			return false
		}
		for _, bv := range y {
			found := false
			for _, av := range x {
				if jsonContains(av, bv) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	case json.Number:
		x, ok := a.(json.Number)
		if !ok {
			return false
		}
		dx, dy := newDec(), newDec()
		if _, _, err := dx.SetString(string(x)); err != nil {
			return false
		}
		if _, _, err := dy.SetString(string(y)); err != nil {
			return false
		}
		return dx.Cmp(&dy.Decimal) == 0
	}
	if x, ok := a.([]any); ok {
		// A top-level array contains a scalar that is one of its elements.
		for _, av := range x {
			if jsonContains(av, b) {
				return true
			}
		}
		return false
	}
	return a == b
}

func registerJSON() {
	for _, jt := range []*types.T{types.JSON, types.JSONB} {
		jsonb := jt == types.JSONB
		addBin("->", jt, types.Text, jt, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			v, ok := jsonField([]byte(jtext(a[0])), str(a[1]))
			if !ok {
				return types.Null, nil
			}
			return jsonOut(v, jsonb), nil
		})
		addBin("->", jt, types.Int4, jt, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			v, ok := jsonIndex([]byte(jtext(a[0])), i64(a[1]))
			if !ok {
				return types.Null, nil
			}
			return jsonOut(v, jsonb), nil
		})
		addBin("->>", jt, types.Text, types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			v, ok := jsonField([]byte(jtext(a[0])), str(a[1]))
			if !ok {
				return types.Null, nil
			}
			return jsonAsText(v, jsonb), nil
		})
		addBin("->>", jt, types.Int4, types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			v, ok := jsonIndex([]byte(jtext(a[0])), i64(a[1]))
			if !ok {
				return types.Null, nil
			}
			return jsonAsText(v, jsonb), nil
		})
		addBin("#>", jt, types.ArrayOf(types.Text), jt, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			v, ok := jsonPath([]byte(jtext(a[0])), a[1].(*types.DArray).Elems)
			if !ok {
				return types.Null, nil
			}
			return jsonOut(v, jsonb), nil
		})
		addBin("#>>", jt, types.ArrayOf(types.Text), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			v, ok := jsonPath([]byte(jtext(a[0])), a[1].(*types.DArray).Elems)
			if !ok {
				return types.Null, nil
			}
			return jsonAsText(v, jsonb), nil
		})
		prefix := "json"
		if jsonb {
			prefix = "jsonb"
		}
		addFunc(prefix+"_typeof", fn(params(jt), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return types.DString(jsonKind([]byte(jtext(a[0])))), nil
		}))
		addFunc(prefix+"_array_length", fn(params(jt), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			raw := []byte(jtext(a[0]))
			elems, ok := jsonElems(raw)
			if !ok {
				if jsonKind(raw) == "object" {
					return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot get array length of a non-array")
				}
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot get array length of a scalar")
			}
			return types.DInt(len(elems)), nil
		}))
		render := func(s string) types.Datum {
			if jsonb {
				return types.DJSON(jsonbCanonical([]byte(s)))
			}
			return types.DJSON(s)
		}
		addFunc("to_"+prefix, withArgTypes(&Overload{Params: params(Any), Return: jt}, func(ts []*types.T) evalFn {
			return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				return render(toJSONTyped(a[0], argType(ts, 0))), nil
			}
		}))
		if !jsonb {
			addFunc("array_to_json", withArgTypes(&Overload{Params: params(AnyArray), Return: jt}, func(ts []*types.T) evalFn {
				return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
					return types.DJSON(toJSONTyped(a[0], argType(ts, 0))), nil
				}
			}))
			rowToJSON := func(ts []*types.T) evalFn {
				return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
					sep := ","
					if len(a) > 1 && bool(a[1].(types.DBool)) {
						sep = ",\n " // pretty: a line per field
					}
					return types.DJSON(recordJSON(a[0].(types.DTuple), argType(ts, 0), sep)), nil
				}
			}
			addFunc("row_to_json", withArgTypes(&Overload{Params: params(types.Record), Return: jt}, rowToJSON))
			addFunc("row_to_json", withArgTypes(&Overload{Params: params(types.Record, types.Bool), Return: jt}, rowToJSON))
		}
		addFunc(prefix+"_build_object", withArgTypes(&Overload{Variadic: Any, Return: jt, NullCall: true}, func(ts []*types.T) evalFn {
			return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				if len(a)%2 != 0 {
					return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "argument list must have even number of elements").
						WithHint("The arguments of %s_build_object() must consist of alternating keys and values.", prefix)
				}
				var b strings.Builder
				b.WriteByte('{')
				for i := 0; i < len(a); i += 2 {
					if types.IsNull(a[i]) {
						return nil, pgerror.New(pgerror.CodeNullValueNotAllowed, "argument %d cannot be null", i+1).
							WithHint("Object keys should be text.")
					}
					if i > 0 {
						b.WriteString(", ")
					}
					writeJSONString(&b, datumText(a[i]))
					b.WriteString(" : ")
					b.WriteString(toJSONTyped(a[i+1], argType(ts, i+1)))
				}
				b.WriteByte('}')
				return render(b.String()), nil
			}
		}))
		addFunc(prefix+"_build_array", withArgTypes(&Overload{Variadic: Any, Return: jt, NullCall: true}, func(ts []*types.T) evalFn {
			return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				parts := make([]string, len(a))
				for i, d := range a {
					parts[i] = toJSONTyped(d, argType(ts, i))
				}
				return render("[" + strings.Join(parts, ", ") + "]"), nil
			}
		}))
	}
	jb := types.JSONB
	contains := func(swap bool) evalFn {
		return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			x, err := jsonDecode([]byte(jtext(a[0])))
			if err != nil {
				return nil, errInvalidJSON(jtext(a[0]))
			}
			y, err := jsonDecode([]byte(jtext(a[1])))
			if err != nil {
				return nil, errInvalidJSON(jtext(a[1]))
			}
			if swap {
				x, y = y, x
			}
			return types.DBool(jsonContains(x, y)), nil
		}
	}
	addBin("@>", jb, jb, types.Bool, contains(false))
	addBin("<@", jb, jb, types.Bool, contains(true))
	hasKey := func(v any, k string) bool {
		switch x := v.(type) {
		case map[string]any:
			_, ok := x[k]
			return ok
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok && s == k {
					return true
				}
			}
		case string:
			return x == k
		}
		return false
	}
	addBin("?", jb, types.Text, types.Bool, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		v, err := jsonDecode([]byte(jtext(a[0])))
		if err != nil {
			return nil, errInvalidJSON(jtext(a[0]))
		}
		return types.DBool(hasKey(v, str(a[1]))), nil
	})
	for _, op := range []string{"?|", "?&"} {
		any := op == "?|"
		addBin(op, jb, types.ArrayOf(types.Text), types.Bool, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			v, err := jsonDecode([]byte(jtext(a[0])))
			if err != nil {
				return nil, errInvalidJSON(jtext(a[0]))
			}
			for _, k := range a[1].(*types.DArray).Elems {
				if types.IsNull(k) {
					continue
				}
				if hasKey(v, str(k)) == any {
					return types.DBool(any), nil
				}
			}
			return types.DBool(!any), nil
		})
	}
}
