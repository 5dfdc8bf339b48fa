package builtins

import (
	"strings"

	"github.com/quiverdb/quiver/sql/types"
)

// Any as a parameter type is PostgreSQL's "any": it accepts every argument
// type unchanged and, unlike a nil (anyelement) parameter, is not tied to
// other parameters. Resolve reports the argument's own type for it (text
// for an unknown literal).
var Any = types.Unknown

// AnyArray as a parameter type is PostgreSQL's anyarray: any array whose
// element type ties to the nil (anyelement) parameters of the overload.
var AnyArray = &types.T{Family: types.FamArray}

// AnyEnum as a parameter type is PostgreSQL's anyenum: any enum type,
// tied to the overload's other polymorphic parameters.
var AnyEnum = &types.T{Family: types.FamEnum}

// Callable returns the function to evaluate the overload with, given the
// argument types Resolve returned.
func (o *Overload) Callable(argTypes []*types.T) func(ctx *EvalContext, args []types.Datum) (types.Datum, error) {
	if o.Bind != nil {
		return o.Bind(argTypes)
	}
	return o.Fn
}

// ReturnType is the overload's result type for the argument types Resolve
// returned.
func (o *Overload) ReturnType(args []*types.T) *types.T {
	if o.ReturnFn != nil {
		return o.ReturnFn(args)
	}
	return o.Return
}

// ReturnType is the aggregate's result type for the argument types.
func (o *AggOverload) ReturnType(args []*types.T) *types.T {
	if o.ReturnFn != nil {
		return o.ReturnFn(args)
	}
	return o.Return
}

// OutputColumns is the SRF's result columns for the resolved argument types.
func (o *SRFOverload) OutputColumns(args []*types.T) []Column {
	if o.ColumnsFn != nil {
		return o.ColumnsFn(args)
	}
	return o.Columns
}

type registryT struct {
	funcs  map[string][]*Overload
	binary map[string][]*Overload
	unary  map[string][]*Overload
	aggs   map[string][]*AggOverload
	srfs   map[string][]*SRFOverload
}

// registry is filled once by init and read-only afterwards.
var registry = registryT{
	funcs:  map[string][]*Overload{},
	binary: map[string][]*Overload{},
	unary:  map[string][]*Overload{},
	aggs:   map[string][]*AggOverload{},
	srfs:   map[string][]*SRFOverload{},
}

func init() {
	registerOperators()
	registerMath()
	registerStrings()
	registerDatetime()
	registerSystem()
	registerJSON()
	registerJSONBEdit()
	registerArrays()
	registerEnums()
	registerRegex()
	registerVector()
	registerSparsevec()
	registerBit()
	registerToChar()
	registerJSONSets()
	registerBytea()
	registerAggregates()
	registerSRFs()
	registerNotify()
	registerAdvisory()
	registerHash()
	registerUUIDOssp()
	registerPgcrypto()
	registerCitext()
}

func stripCatalog(name string) string {
	name = strings.ToLower(name)
	return strings.TrimPrefix(name, "pg_catalog.")
}

// normalizeOp maps the parser's spellings of an operator to one key.
func normalizeOp(op string) string {
	switch o := strings.ToUpper(strings.TrimSpace(op)); o {
	case "!=":
		return "<>"
	case "LIKE", "NOT LIKE", "ILIKE", "NOT ILIKE", "~~", "!~~", "~~*", "!~~*":
		switch o {
		case "~~":
			return "LIKE"
		case "!~~":
			return "NOT LIKE"
		case "~~*":
			return "ILIKE"
		case "!~~*":
			return "NOT ILIKE"
		}
		return o
	default:
		return strings.TrimSpace(op)
	}
}

type evalFn = func(ctx *EvalContext, args []types.Datum) (types.Datum, error)

func addFunc(name string, o *Overload) {
	registry.funcs[name] = append(registry.funcs[name], o)
}

func fn(params []*types.T, ret *types.T, f evalFn) *Overload {
	return &Overload{Params: params, Return: ret, Fn: f}
}

func addBin(op string, l, r, ret *types.T, f evalFn) {
	registry.binary[op] = append(registry.binary[op], &Overload{Params: []*types.T{l, r}, Return: ret, Fn: f})
}

func addUnary(op string, t, ret *types.T, f evalFn) {
	registry.unary[op] = append(registry.unary[op], &Overload{Params: []*types.T{t}, Return: ret, Fn: f})
}

func params(ts ...*types.T) []*types.T { return ts }
