package builtins

import (
	"encoding/json"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// registerJSONRecords adds prefix_to_record and prefix_to_recordset for
// json or jsonb, whose columns come from the caller's column definition
// list.
func registerJSONRecords(jt *types.T, jsonb bool, prefix string) {
	addSRF(prefix+"_to_record", &SRFOverload{Params: params(jt), SingleRow: true,
		RecordFn: func(cols []Column) func(*EvalContext, []types.Datum) (generator, error) {
			return func(ctx *EvalContext, a []types.Datum) (generator, error) {
				raw := []byte(jtext(a[0]))
				switch jsonKind(raw) {
				case "object":
				case "array":
					return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot call populate_composite on an array")
				default:
					return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot call populate_composite on a scalar")
				}
				row, err := populateRow(ctx, raw, cols, jsonb)
				if err != nil {
					return nil, err
				}
				return rowsOf([][]types.Datum{row}), nil
			}
		}})
	setName := prefix + "_to_recordset"
	addSRF(setName, &SRFOverload{Params: params(jt),
		RecordFn: func(cols []Column) func(*EvalContext, []types.Datum) (generator, error) {
			return func(ctx *EvalContext, a []types.Datum) (generator, error) {
				raw := []byte(jtext(a[0]))
				switch k := jsonKind(raw); {
				case k == "array":
				case jsonb:
					return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot call %s on a non-array", setName)
				case k == "object":
					return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot call %s on an object", setName)
				default:
					return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot call %s on a scalar", setName)
				}
				elems, _ := jsonElems(raw)
				// All rows are converted before the first is returned, so
				// that a bad element fails the query even under a LIMIT,
				// as PostgreSQL's materialized result does.
				rows := make([][]types.Datum, len(elems))
				for i, e := range elems {
					if i&1023 == 0 && ctx != nil && ctx.Ctx != nil && ctx.Ctx.Err() != nil {
						return nil, canceledError(ctx.Ctx)
					}
					if jsonKind(e) != "object" {
						return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "argument of %s must be an array of objects", setName)
					}
					row, err := populateRow(ctx, e, cols, jsonb)
					if err != nil {
						return nil, err
					}
					rows[i] = row
				}
				return rowsOf(rows), nil
			}
		}})
}

// populateRow converts a JSON object's members to the columns named like
// its keys, as PostgreSQL's populate_record does: a missing key or JSON
// null is NULL, extra keys are ignored, and a json document's repeated
// key takes its last value.
func populateRow(ctx *EvalContext, raw []byte, cols []Column, jsonb bool) ([]types.Datum, error) {
	keys, vals, err := jsonObjectPairs(raw, jsonb)
	if err != nil {
		return nil, errInvalidJSON(string(raw))
	}
	byKey := make(map[string]json.RawMessage, len(keys))
	for i, k := range keys {
		byKey[k] = vals[i]
	}
	row := make([]types.Datum, len(cols))
	for i, c := range cols {
		v, ok := byKey[c.Name]
		if !ok {
			row[i] = types.Null
			continue
		}
		if row[i], err = populateField(ctx, v, c.Type, c.Name); err != nil {
			return nil, err
		}
	}
	return row, nil
}

// populateField converts one JSON value (raw text; jsonb's in canonical
// form) to t by PostgreSQL's rules: null is NULL; a string's contents,
// or any other value's text, go through t's input function, except that
// json and jsonb keep the value as JSON and an array column takes a JSON
// array element by element.
func populateField(ctx *EvalContext, raw []byte, t *types.T, key string) (types.Datum, error) {
	kind := jsonKind(raw)
	isJSON := t.Family == types.FamJSON || t.Family == types.FamJSONB
	var text string
	switch {
	case kind == "null":
		return types.Null, nil
	case kind == "string":
		s, err := types.DecodeJSONString(string(raw))
		if err != nil {
			return nil, err
		}
		text = s
		if isJSON {
			var b strings.Builder
			writeJSONString(&b, s)
			text = b.String()
		}
	case t.Family == types.FamArray:
		if kind != "array" {
			return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation, "expected JSON array").WithHint("See the value of key \"%s\".", key)
		}
		return populateArray(ctx, raw, t, key)
	default:
		text = strings.TrimSpace(string(raw))
	}
	if t.Family == types.FamRecord {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "input of anonymous composite types is not implemented")
	}
	return types.CastLoc(types.DString(text), types.Text, t, types.CastAssignment, ctx.Location)
}

// populateArray converts a JSON array to a one-dimensional SQL array; a
// JSON array as the first element would make a multidimensional one,
// which Quiver's arrays cannot hold.
func populateArray(ctx *EvalContext, raw []byte, t *types.T, key string) (types.Datum, error) {
	elems, _ := jsonElems(raw)
	out := &types.DArray{Elem: t.Elem, Elems: make([]types.Datum, len(elems))}
	for i, e := range elems {
		if i == 0 && jsonKind(e) == "array" {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "multidimensional arrays are not supported")
		}
		v, err := populateField(ctx, e, t.Elem, key)
		if err != nil {
			return nil, err
		}
		out.Elems[i] = v
	}
	return out, nil
}
