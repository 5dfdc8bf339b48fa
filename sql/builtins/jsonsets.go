package builtins

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// jsonAgg is json_agg / jsonb_agg: NULL inputs become JSON nulls.
type jsonAgg struct {
	parts []string
	jsonb bool
	t     *types.T // the argument's type (a record's field names)
}

func (a *jsonAgg) Add(ctx *EvalContext, args []types.Datum) error {
	a.parts = append(a.parts, toJSONTyped(args[0], a.t))
	return nil
}

func (a *jsonAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if a.parts == nil {
		return types.Null, nil
	}
	sep := ", "
	if a.t != nil && (a.t.Family == types.FamRecord || a.t.Family == types.FamArray) {
		sep = ", \n " // json_agg starts each record or array on a line
	}
	s := "[" + strings.Join(a.parts, sep) + "]"
	if a.jsonb {
		return types.DJSON(jsonbCanonical([]byte(s))), nil
	}
	return types.DJSON(s), nil
}

type jsonObjectAgg struct {
	b     strings.Builder
	n     int
	jsonb bool
}

func (a *jsonObjectAgg) Add(ctx *EvalContext, args []types.Datum) error {
	if types.IsNull(args[0]) {
		return pgerror.New(pgerror.CodeNullValueNotAllowed, "field name must not be null")
	}
	if a.n > 0 {
		a.b.WriteString(", ")
	}
	a.n++
	writeJSONString(&a.b, datumText(args[0]))
	a.b.WriteString(" : ")
	a.b.WriteString(toJSON(args[1]))
	return nil
}

func (a *jsonObjectAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if a.n == 0 {
		return types.Null, nil
	}
	s := "{ " + a.b.String() + " }"
	if a.jsonb {
		return types.DJSON(jsonbCanonical([]byte(s))), nil
	}
	return types.DJSON(s), nil
}

// rowsOf turns precomputed rows into a generator.
func rowsOf(rows [][]types.Datum) generator {
	i := 0
	return func() ([]types.Datum, bool, error) {
		if i >= len(rows) {
			return nil, true, nil
		}
		i++
		return rows[i-1], false, nil
	}
}

// jsonObjectPairs lists an object's members in input order (json) or
// jsonb's key order.
func jsonObjectPairs(raw []byte, jsonb bool) ([]string, []json.RawMessage, error) {
	if jsonb {
		raw = []byte(jsonbCanonical(raw))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		k, _ := kt.(string)
		keys = append(keys, k)
		vals = append(vals, v)
	}
	return keys, vals, nil
}

func registerJSONSets() {
	for _, jt := range []*types.T{types.JSON, types.JSONB} {
		jsonb := jt == types.JSONB
		prefix := "json"
		if jsonb {
			prefix = "jsonb"
		}
		registerJSONRecords(jt, jsonb, prefix)
		registry.aggs[prefix+"_agg"] = append(registry.aggs[prefix+"_agg"], &AggOverload{Params: params(Any), Return: jt,
			New: func(ts []*types.T) Aggregator { return &jsonAgg{jsonb: jsonb, t: argType(ts, 0)} }})
		registry.aggs[prefix+"_object_agg"] = append(registry.aggs[prefix+"_object_agg"], &AggOverload{Params: params(Any, Any), Return: jt,
			New: func([]*types.T) Aggregator { return &jsonObjectAgg{jsonb: jsonb} }})
		objectOnly := func(fnName string, raw []byte) error {
			if jsonKind(raw) != "object" {
				return pgerror.New(pgerror.CodeInvalidParameterValue, "cannot call %s on a non-object", fnName)
			}
			return nil
		}
		arrayOnly := func(raw []byte) error {
			switch jsonKind(raw) {
			case "array":
				return nil
			case "object":
				return pgerror.New(pgerror.CodeInvalidParameterValue, "cannot extract elements from an object")
			}
			return pgerror.New(pgerror.CodeInvalidParameterValue, "cannot extract elements from a scalar")
		}
		for _, asText := range []bool{false, true} {
			suffix, valT := "", jt
			if asText {
				suffix, valT = "_text", types.Text
			}
			name := prefix + "_each" + suffix
			addSRF(name, &SRFOverload{Params: params(jt), Columns: []Column{{Name: "key", Type: types.Text}, {Name: "value", Type: valT}},
				Fn: func(ctx *EvalContext, a []types.Datum) (generator, error) {
					raw := []byte(jtext(a[0]))
					if err := objectOnly(name, raw); err != nil {
						return nil, err
					}
					keys, vals, err := jsonObjectPairs(raw, jsonb)
					if err != nil {
						return nil, errInvalidJSON(jtext(a[0]))
					}
					rows := make([][]types.Datum, len(keys))
					for i := range keys {
						v := jsonOut(vals[i], jsonb)
						if asText {
							v = jsonAsText(vals[i], jsonb)
						}
						rows[i] = []types.Datum{types.DString(keys[i]), v}
					}
					return rowsOf(rows), nil
				}})
			elName := prefix + "_array_elements" + suffix
			addSRF(elName, &SRFOverload{Params: params(jt), Columns: []Column{{Name: "value", Type: valT}},
				Fn: func(ctx *EvalContext, a []types.Datum) (generator, error) {
					raw := []byte(jtext(a[0]))
					if err := arrayOnly(raw); err != nil {
						return nil, err
					}
					elems, _ := jsonElems(raw)
					rows := make([][]types.Datum, len(elems))
					for i, e := range elems {
						v := jsonOut(e, jsonb)
						if asText {
							v = jsonAsText(e, jsonb)
						}
						rows[i] = []types.Datum{v}
					}
					return rowsOf(rows), nil
				}})
		}
		keysName := prefix + "_object_keys"
		addSRF(keysName, &SRFOverload{Params: params(jt), Columns: []Column{{Name: keysName, Type: types.Text}},
			Fn: func(ctx *EvalContext, a []types.Datum) (generator, error) {
				raw := []byte(jtext(a[0]))
				if err := objectOnly(keysName, raw); err != nil {
					return nil, err
				}
				keys, _, err := jsonObjectPairs(raw, jsonb)
				if err != nil {
					return nil, errInvalidJSON(jtext(a[0]))
				}
				rows := make([][]types.Datum, len(keys))
				for i, k := range keys {
					rows[i] = []types.Datum{types.DString(k)}
				}
				return rowsOf(rows), nil
			}})
	}
}
