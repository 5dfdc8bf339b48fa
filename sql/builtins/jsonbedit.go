package builtins

import (
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// jsonb's editing operators and functions (||, -, #-, jsonb_set,
// jsonb_insert, jsonb_strip_nulls, jsonb_pretty, *_extract_path), as
// PostgreSQL 15's jsonfuncs.c behaves: they work on the decoded value
// (objects as maps, arrays as slices, numbers as their text) and render
// it canonically again.

// decodeJSONB decodes a jsonb argument.
func decodeJSONB(d types.Datum) (any, error) {
	v, err := jsonDecode([]byte(jtext(d)))
	if err != nil {
		return nil, errInvalidJSON(jtext(d))
	}
	return v, nil
}

func renderJSONB(v any) types.Datum {
	var b strings.Builder
	writeJSONB(&b, v)
	return types.DJSON(b.String())
}

// jsonbConcat is ||: two objects merge, the right one's keys winning;
// otherwise both sides, a non-array taken as a one-element array, are
// concatenated.
func jsonbConcat(x, y any) any {
	xo, xObj := x.(map[string]any)
	yo, yObj := y.(map[string]any)
	if xObj && yObj {
		out := make(map[string]any, len(xo)+len(yo))
		for k, v := range xo {
			out[k] = v
		}
		for k, v := range yo {
			out[k] = v
		}
		return out
	}
	asArray := func(v any) []any {
		if a, ok := v.([]any); ok {
			return a
		}
		return []any{v}
	}
	return append(append([]any{}, asArray(x)...), asArray(y)...)
}

var errDeleteFromScalar = pgerror.New(pgerror.CodeInvalidParameterValue, "cannot delete from scalar")

// jsonbDeleteKeys is jsonb - text and jsonb - text[]: an object loses the
// keys, an array its string elements equal to one of them.
func jsonbDeleteKeys(v any, keys []string) (any, error) {
	drop := make(map[string]bool, len(keys))
	for _, k := range keys {
		drop[k] = true
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if !drop[k] {
				out[k] = e
			}
		}
		return out, nil
	case []any:
		out := []any{}
		for _, e := range x {
			if s, ok := e.(string); !ok || !drop[s] {
				out = append(out, e)
			}
		}
		return out, nil
	}
	return nil, errDeleteFromScalar
}

// arrayIndex resolves a possibly negative array index against n elements.
func arrayIndex(i, n int) (int, bool) {
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}

// pathIndex reads a path element that must address an array element.
func pathIndex(path jsonbPath, pos int) (int, error) {
	i, err := strconv.Atoi(path.elems[pos])
	if err != nil {
		return 0, pgerror.New(pgerror.CodeInvalidTextRepresentation, "path element at position %d is not an integer: \"%s\"", pos+1, path.elems[pos])
	}
	return i, nil
}

// jsonbPath is a text[] path argument; a NULL element is an error only
// where a path walk reaches it.
type jsonbPath struct {
	elems []string
	nulls []bool
}

func pathArg(d types.Datum) jsonbPath {
	elems := d.(*types.DArray).Elems
	p := jsonbPath{elems: make([]string, len(elems)), nulls: make([]bool, len(elems))}
	for i, e := range elems {
		if p.nulls[i] = types.IsNull(e); !p.nulls[i] {
			p.elems[i] = str(e)
		}
	}
	return p
}

// editAt rebuilds v with edit's result in place of the container that
// path's last element indexes (edit gets that container and the element);
// the containers on the way are copied, and a step that is missing or
// meets a scalar leaves v as it is, as PostgreSQL's setPath and
// deletePath do.
func editAt(v any, path jsonbPath, edit func(parent any, pos int) (any, error)) (any, error) {
	var walk func(v any, pos int) (any, error)
	walk = func(v any, pos int) (any, error) {
		switch v.(type) {
		case map[string]any, []any:
			if path.nulls[pos] {
				// Only an element the walk reaches must not be NULL.
				return nil, pgerror.New(pgerror.CodeNullValueNotAllowed, "path element at position %d is null", pos+1)
			}
		}
		if pos == len(path.elems)-1 {
			return edit(v, pos)
		}
		switch x := v.(type) {
		case map[string]any:
			e, ok := x[path.elems[pos]]
			if !ok {
				return v, nil
			}
			sub, err := walk(e, pos+1)
			if err != nil {
				return nil, err
			}
			out := cloneObject(x)
			out[path.elems[pos]] = sub
			return out, nil
		case []any:
			i, err := pathIndex(path, pos)
			if err != nil {
				return nil, err
			}
			j, ok := arrayIndex(i, len(x))
			if !ok {
				return v, nil
			}
			sub, err := walk(x[j], pos+1)
			if err != nil {
				return nil, err
			}
			out := append([]any{}, x...)
			out[j] = sub
			return out, nil
		}
		return v, nil
	}
	if len(path.elems) == 0 {
		return v, nil
	}
	return walk(v, 0)
}

func cloneObject(x map[string]any) map[string]any {
	out := make(map[string]any, len(x)+1)
	for k, e := range x {
		out[k] = e
	}
	return out
}

// jsonbDeletePath is #-: the element at path goes, when there is one.
func jsonbDeletePath(v any, path jsonbPath) (any, error) {
	switch v.(type) {
	case map[string]any, []any:
	default:
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot delete path in scalar")
	}
	return editAt(v, path, func(parent any, pos int) (any, error) {
		switch x := parent.(type) {
		case map[string]any:
			if _, ok := x[path.elems[pos]]; !ok {
				return parent, nil
			}
			out := cloneObject(x)
			delete(out, path.elems[pos])
			return out, nil
		case []any:
			i, err := pathIndex(path, pos)
			if err != nil {
				return nil, err
			}
			if i, ok := arrayIndex(i, len(x)); ok {
				return append(append([]any{}, x[:i]...), x[i+1:]...), nil
			}
		}
		return parent, nil
	})
}

// jsonbSetPath is jsonb_set (insert false) and jsonb_insert (insert
// true): the value at path is replaced, or, with create (jsonb_set's
// create_if_missing, always for jsonb_insert), a missing last element is
// added: a key to an object, an element past either end of an array at
// that end. jsonb_insert puts the value before the addressed array
// element (after it with after) and refuses an existing key.
func jsonbSetPath(v any, path jsonbPath, nv any, create, insert, after bool) (any, error) {
	switch v.(type) {
	case map[string]any, []any:
	default:
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot set path in scalar")
	}
	return editAt(v, path, func(parent any, pos int) (any, error) {
		switch x := parent.(type) {
		case map[string]any:
			_, ok := x[path.elems[pos]]
			switch {
			case ok && insert:
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot replace existing key").
					WithHint("Try using the function jsonb_set to replace key value.")
			case !ok && !create:
				return parent, nil
			}
			out := cloneObject(x)
			out[path.elems[pos]] = nv
			return out, nil
		case []any:
			i, err := pathIndex(path, pos)
			if err != nil {
				return nil, err
			}
			j, ok := arrayIndex(i, len(x))
			switch {
			case !ok && !create:
				return parent, nil
			case !ok && j < 0:
				return append([]any{nv}, x...), nil
			case !ok:
				return append(append([]any{}, x...), nv), nil
			case insert:
				if after {
					j++
				}
				out := append(append([]any{}, x[:j]...), nv)
				return append(out, x[j:]...), nil
			}
			out := append([]any{}, x...)
			out[j] = nv
			return out, nil
		}
		return parent, nil
	})
}

// jsonStripNulls drops object fields whose value is null, at every depth
// (array elements stay).
func jsonStripNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if e != nil {
				out[k] = jsonStripNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonStripNulls(e)
		}
		return out
	}
	return v
}

// writeJSONPretty renders v as jsonb_pretty does: four spaces a level,
// one element per line, an empty container's brackets on two lines.
func writeJSONPretty(b *strings.Builder, v any, indent int) {
	pad := strings.Repeat("    ", indent)
	switch x := v.(type) {
	case map[string]any:
		b.WriteString("{\n")
		for i, k := range jsonbKeys(x) {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString(pad + "    ")
			writeJSONString(b, k)
			b.WriteString(": ")
			writeJSONPretty(b, x[k], indent+1)
		}
		if len(x) > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(pad + "}")
	case []any:
		b.WriteString("[\n")
		for i, e := range x {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString(pad + "    ")
			writeJSONPretty(b, e, indent+1)
		}
		if len(x) > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(pad + "]")
	default:
		writeJSONB(b, v)
	}
}

func textArray(d types.Datum) []string {
	elems := d.(*types.DArray).Elems
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		if !types.IsNull(e) {
			out = append(out, str(e))
		}
	}
	return out
}

func registerJSONBEdit() {
	jb := types.JSONB
	textArr := types.ArrayOf(types.Text)
	addBin("||", jb, jb, jb, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		x, err := decodeJSONB(a[0])
		if err != nil {
			return nil, err
		}
		y, err := decodeJSONB(a[1])
		if err != nil {
			return nil, err
		}
		return renderJSONB(jsonbConcat(x, y)), nil
	})
	deleteKeys := func(keys func(a []types.Datum) []string) evalFn {
		return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			v, err := decodeJSONB(a[0])
			if err != nil {
				return nil, err
			}
			if v, err = jsonbDeleteKeys(v, keys(a)); err != nil {
				return nil, err
			}
			return renderJSONB(v), nil
		}
	}
	addBin("-", jb, types.Text, jb, deleteKeys(func(a []types.Datum) []string { return []string{str(a[1])} }))
	addBin("-", jb, textArr, jb, deleteKeys(func(a []types.Datum) []string { return textArray(a[1]) }))
	addBin("-", jb, types.Int4, jb, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		v, err := decodeJSONB(a[0])
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case map[string]any:
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot delete from object using integer index")
		case []any:
			if i, ok := arrayIndex(int(i64(a[1])), len(x)); ok {
				v = append(append([]any{}, x[:i]...), x[i+1:]...)
			}
			return renderJSONB(v), nil
		}
		return nil, errDeleteFromScalar
	})
	addBin("#-", jb, textArr, jb, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		v, err := decodeJSONB(a[0])
		if err != nil {
			return nil, err
		}
		if v, err = jsonbDeletePath(v, pathArg(a[1])); err != nil {
			return nil, err
		}
		return renderJSONB(v), nil
	})
	setPath := func(insert bool) evalFn {
		return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			v, err := decodeJSONB(a[0])
			if err != nil {
				return nil, err
			}
			nv, err := decodeJSONB(a[2])
			if err != nil {
				return nil, err
			}
			flag := bool(a[3].(types.DBool)) // create_if_missing or insert_after
			create, after := flag, false
			if insert {
				create, after = true, flag
			}
			if v, err = jsonbSetPath(v, pathArg(a[1]), nv, create, insert, after); err != nil {
				return nil, err
			}
			return renderJSONB(v), nil
		}
	}
	for _, f := range []struct {
		name   string
		insert bool
	}{{"jsonb_set", false}, {"jsonb_insert", true}} {
		// The flag's default comes from paramInfo.
		addFunc(f.name, fn(params(jb, textArr, jb, types.Bool), jb, setPath(f.insert)))
	}
	addFunc("jsonb_strip_nulls", fn(params(jb), jb, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		v, err := decodeJSONB(a[0])
		if err != nil {
			return nil, err
		}
		return renderJSONB(jsonStripNulls(v)), nil
	}))
	addFunc("json_strip_nulls", fn(params(types.JSON), types.JSON, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		v, err := decodeJSONB(a[0])
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		writeJSONAs(&b, jsonStripNulls(v), true)
		return types.DJSON(b.String()), nil
	}))
	addFunc("jsonb_pretty", fn(params(jb), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		v, err := decodeJSONB(a[0])
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		writeJSONPretty(&b, v, 0)
		return types.DString(b.String()), nil
	}))
	for _, jt := range []*types.T{types.JSON, jb} {
		jsonb := jt == jb
		prefix := "json"
		if jsonb {
			prefix = "jsonb"
		}
		extract := func(asText bool) evalFn {
			return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				raw, ok := jsonPath([]byte(jtext(a[0])), a[1:])
				switch {
				case !ok:
					return types.Null, nil
				case asText:
					return jsonAsText(raw, jsonb), nil
				}
				return jsonOut(raw, jsonb), nil
			}
		}
		addFunc(prefix+"_extract_path", &Overload{Params: params(jt), Variadic: types.Text, Return: jt, Fn: extract(false)})
		addFunc(prefix+"_extract_path_text", &Overload{Params: params(jt), Variadic: types.Text, Return: types.Text, Fn: extract(true)})
	}
}
