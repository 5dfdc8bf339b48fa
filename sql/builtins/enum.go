package builtins

import (
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// registerEnums adds enum_first, enum_last and enum_range (Return is
// pg_proc's prorettype; ReturnFn the bound type). They read the
// labels from the argument's type, not its value, so a NULL of the type
// serves (enum_first(NULL::mood)), as in PostgreSQL.
func registerEnums() {
	labels := func(argTypes []*types.T) ([]types.EnumLabel, error) {
		t := argTypes[0]
		if t.Family != types.FamEnum || t.Enum == nil {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "could not determine actual enum type")
		}
		ls := t.Enum.Sorted()
		for _, l := range ls {
			if err := t.Enum.CheckSafe(l); err != nil {
				return nil, err
			}
		}
		return ls, nil
	}
	for _, last := range []bool{false, true} {
		name := "enum_first"
		if last {
			name = "enum_last"
		}
		addFunc(name, &Overload{Params: params(AnyEnum), NullCall: true, Return: AnyEnum,
			ReturnFn: func(args []*types.T) *types.T { return args[0] },
			Bind: func(argTypes []*types.T) func(*EvalContext, []types.Datum) (types.Datum, error) {
				return func(*EvalContext, []types.Datum) (types.Datum, error) {
					ls, err := labels(argTypes)
					if err != nil || len(ls) == 0 {
						return types.Null, err
					}
					if last {
						return ls[len(ls)-1].Datum(), nil
					}
					return ls[0].Datum(), nil
				}
			}})
	}
	rangeOf := func(argTypes []*types.T, lo, hi types.Datum) (types.Datum, error) {
		ls, err := labels(argTypes)
		if err != nil {
			return nil, err
		}
		out := &types.DArray{Elem: argTypes[0], Elems: []types.Datum{}}
		for _, l := range ls {
			if x, ok := lo.(types.DEnum); ok && l.Sort < x.Sort {
				continue
			}
			if x, ok := hi.(types.DEnum); ok && l.Sort > x.Sort {
				continue
			}
			out.Elems = append(out.Elems, l.Datum())
		}
		return out, nil
	}
	retArray := func(args []*types.T) *types.T { return types.ArrayOf(args[0]) }
	addFunc("enum_range", &Overload{Params: params(AnyEnum), NullCall: true, Return: AnyArray, ReturnFn: retArray,
		Bind: func(argTypes []*types.T) func(*EvalContext, []types.Datum) (types.Datum, error) {
			return func(_ *EvalContext, a []types.Datum) (types.Datum, error) {
				return rangeOf(argTypes, types.Null, types.Null)
			}
		}})
	addFunc("enum_range", &Overload{Params: params(AnyEnum, AnyEnum), NullCall: true, Return: AnyArray, ReturnFn: retArray,
		Bind: func(argTypes []*types.T) func(*EvalContext, []types.Datum) (types.Datum, error) {
			return func(_ *EvalContext, a []types.Datum) (types.Datum, error) {
				return rangeOf(argTypes, a[0], a[1])
			}
		}})
}
