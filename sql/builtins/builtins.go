// Package builtins owns Quiver's built-in functions, operators, aggregates
// and set-returning functions: their signatures (for the planner's overload
// resolution) and their implementations (for the executor).
package builtins

import (
	"context"
	"time"

	"github.com/quiverdb/quiver/sql/types"
)

// Session is what built-ins may ask of the session that runs them.
type Session interface {
	CurrentUser() string
	CurrentDatabase() string
	// SearchPath is the effective schema search path.
	SearchPath() []string
	Setting(name string) (string, bool)
	SetSetting(name, value string, local bool) error
	BackendPID() int32
	// NextVal, CurrVal and SetVal act on the sequence named by text
	// (possibly schema-qualified, as nextval('s') receives it).
	NextVal(ctx context.Context, name string) (int64, error)
	CurrVal(name string) (int64, error)
	SetVal(ctx context.Context, name string, v int64, isCalled bool) (int64, error)
}

// EvalContext carries per-statement state into functions.
type EvalContext struct {
	Ctx context.Context
	// StmtTime is the statement's start (now(), current_timestamp);
	// TxnTime the transaction's start.
	StmtTime time.Time
	TxnTime  time.Time
	Location *time.Location // the session TimeZone
	Session  Session        // may be nil in tests
}

// Overload is one signature of a function or operator.
type Overload struct {
	// Params are the parameter types; a nil entry accepts any type
	// (PostgreSQL's anyelement) and ties to other nil entries and to the
	// element type of AnyArray entries; an Any entry (PostgreSQL's "any")
	// accepts every type untied. Resolve reports the concrete types.
	Params []*types.T
	// Variadic, when set, repeats as the type of any further arguments.
	Variadic *types.T
	// Return is the result type; ReturnFn, when set, computes it from the
	// resolved argument types instead.
	Return   *types.T
	ReturnFn func(args []*types.T) *types.T
	// NullCall means the function is called with NULL arguments; when false
	// (PostgreSQL's STRICT) a NULL argument yields NULL without a call.
	NullCall bool
	// Volatile functions (random, nextval, now is stable) must not be folded.
	Volatile bool
	// Extension names the extension the function belongs to in
	// PostgreSQL (its pg_proc row is in schema public and pg_depend makes
	// it a member); empty for core functions and pgvector's, whose
	// membership follows from their types.
	Extension string
	Fn        func(ctx *EvalContext, args []types.Datum) (types.Datum, error)
	// Bind, when set, is called once at plan time with the argument types
	// Resolve returned and yields the function to call instead of Fn, for
	// built-ins whose result depends on the static types (pg_typeof,
	// to_json). Callable does this choice for the planner.
	Bind func(argTypes []*types.T) func(ctx *EvalContext, args []types.Datum) (types.Datum, error)
	// Distance, set on pgvector's distance functions and operators, is
	// their value for two vectors of equal dimensions (Fn checks the
	// dimensions, then returns exactly this), so an exact nearest-neighbour
	// scan can compute it over decoded float32s without boxing a Datum.
	Distance func(a, b []float32) float64
	// ValueDistance is Distance for the distance operators and functions
	// of the types an exact scan decodes as values (sparsevec, bit): the
	// distance of two operands, with ok false for operands Fn rejects
	// (of different dimensions), so that Fn reports the error.
	ValueDistance func(a, b types.Datum) (d float64, ok bool)
	// keepUnknown leaves unknown literals unknown at Any parameters
	// (pg_typeof('x') is unknown) instead of resolving them to text.
	keepUnknown bool
}

// valueDistance makes an Overload.ValueDistance of a distance f over
// operands of one Go type, given same, which says whether two operands
// have the dimensions f needs.
func valueDistance[V types.Datum](f func(a, b V) float64, same func(a, b V) bool) func(a, b types.Datum) (float64, bool) {
	return func(x, y types.Datum) (float64, bool) {
		a, ok1 := x.(V)
		b, ok2 := y.(V)
		if !ok1 || !ok2 || !same(a, b) {
			return 0, false
		}
		return f(a, b), true
	}
}

// Aggregator accumulates one group's values.
type Aggregator interface {
	// Add receives one row's arguments (NULLs included: each aggregate
	// decides, e.g. count(x) skips them, count(*) gets no arguments).
	Add(ctx *EvalContext, args []types.Datum) error
	Result(ctx *EvalContext) (types.Datum, error)
}

// AggOverload is one signature of an aggregate.
type AggOverload struct {
	Params   []*types.T
	Return   *types.T
	ReturnFn func(args []*types.T) *types.T
	New      func(argTypes []*types.T) Aggregator
}

// Column is one output column of a set-returning function.
type Column struct {
	Name string
	Type *types.T
}

// SRFOverload is one signature of a set-returning function (generate_series,
// unnest, ...). Columns == nil with ReturnFn set means one column whose type
// depends on the arguments.
type SRFOverload struct {
	Params    []*types.T
	Variadic  *types.T
	Columns   []Column
	ColumnsFn func(args []*types.T) []Column
	// Fn returns a generator called until it reports done.
	Fn func(ctx *EvalContext, args []types.Datum) (func() ([]types.Datum, bool, error), error)
	// Bind, when set, is called at plan time with the resolved argument
	// types and yields the Fn to use, for functions whose result depends
	// on static types (generate_subscripts over int2vector starts at 0).
	Bind func(argTypes []*types.T) func(ctx *EvalContext, args []types.Datum) (func() ([]types.Datum, bool, error), error)
	// RecordFn, set on functions returning record (jsonb_to_record ...),
	// takes the columns of the call's column definition list and yields
	// the Fn producing rows of them.
	RecordFn func(cols []Column) func(ctx *EvalContext, args []types.Datum) (func() ([]types.Datum, bool, error), error)
	// SingleRow marks a function returning one record rather than a set
	// (jsonb_to_record): a NULL argument gives a row of NULLs, where a
	// set-returning function gives no rows.
	SingleRow bool
}

// ReturnsRecord reports whether the function's columns come from a
// column definition list.
func (o *SRFOverload) ReturnsRecord() bool { return o.RecordFn != nil }

// WithColumns is a record-returning overload bound to the columns of a
// column definition list.
func (o *SRFOverload) WithColumns(cols []Column) *SRFOverload {
	b := *o
	b.Columns, b.Fn, b.RecordFn = cols, o.RecordFn(cols), nil
	return &b
}

// Bound is the overload to run for the resolved argument types: o itself,
// or a copy with Bind's Fn.
func (o *SRFOverload) Bound(argTypes []*types.T) *SRFOverload {
	if o.Bind == nil {
		return o
	}
	b := *o
	b.Fn, b.Bind = o.Bind(argTypes), nil
	return &b
}

// Functions returns the overloads of the scalar function name (lower case,
// unqualified; pg_catalog's functions are found with or without the
// pg_catalog prefix).
func Functions(name string) []*Overload { return registry.funcs[stripCatalog(name)] }

// BinaryOps returns the overloads of a binary operator (tree.BinaryExpr.Op
// spelling) other than AND/OR, which the planner handles itself.
func BinaryOps(op string) []*Overload { return registry.binary[normalizeOp(op)] }

// UnaryOps returns the overloads of a prefix operator other than NOT.
func UnaryOps(op string) []*Overload { return registry.unary[normalizeOp(op)] }

// Aggregates returns the overloads of an aggregate, or nil if name is not one.
func Aggregates(name string) []*AggOverload { return registry.aggs[stripCatalog(name)] }

// SRFs returns the overloads of a set-returning function.
func SRFs(name string) []*SRFOverload { return registry.srfs[stripCatalog(name)] }

// Resolve picks the overload that best matches argument types following
// PostgreSQL's rules (exact match, then unknown literals, then implicit
// casts, preferring the category's preferred type), returning the chosen
// overload and the type each argument must be cast to. No match is 42883
// ("function f(integer) does not exist" / "operator does not exist:
// integer + text"); ambiguity is 42725.
func Resolve(name string, overloads []*Overload, args []*types.T) (*Overload, []*types.T, error) {
	return resolve(name, overloads, args)
}
