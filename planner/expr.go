// Package planner owns the path from a parsed statement to an executable
// plan: binding names to catalog objects and types, resolving functions and
// operators, inferring parameter types, and choosing access paths (primary
// key spans, joins, top-k sorts). The executor runs what it produces.
package planner

import (
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// Expr is a bound, typed scalar expression.
type Expr interface {
	Type() *types.T
}

// ColRef reads column Idx of the operator's input row.
type ColRef struct {
	Idx int
	T   *types.T
}

// OuterRef reads column Idx of the row of an enclosing query, Depth levels
// out (1 = the immediately enclosing query), for correlated subqueries.
type OuterRef struct {
	Depth int
	Idx   int
	T     *types.T
}

// Const is a constant value.
type Const struct {
	Val types.Datum
	T   *types.T
}

// ParamRef is $N (1-based); its type lives in the statement's parameter
// list and may be refined during binding, so it is read through Params.
type ParamRef struct {
	N      int
	Params *[]*types.T
}

// Call invokes a resolved function or operator overload.
type Call struct {
	Name string
	Fn   *builtins.Overload
	Args []Expr
	T    *types.T
}

// CastExpr converts its operand.
type CastExpr struct {
	Operand Expr
	T       *types.T
	Ctx     types.CastContext
}

// BoolOp is AND/OR over two or more operands with SQL's three-valued logic.
type BoolOp struct {
	Or   bool
	Args []Expr
}

// NotExpr is NOT.
type NotExpr struct{ Operand Expr }

// IsNullExpr is IS [NOT] NULL.
type IsNullExpr struct {
	Operand Expr
	Not     bool
}

// IsBoolExpr is IS [NOT] TRUE/FALSE/UNKNOWN.
type IsBoolExpr struct {
	Operand Expr
	Not     bool
	What    string // "true", "false", "unknown"
}

// CaseExpr is a searched CASE (a simple CASE is rewritten into one).
type CaseExpr struct {
	Whens []CaseWhen
	Else  Expr
	T     *types.T
}

// CaseWhen is one arm.
type CaseWhen struct{ Cond, Result Expr }

// CoalesceExpr returns its first non-NULL argument.
type CoalesceExpr struct {
	Args []Expr
	T    *types.T
}

// NullIfExpr is NULLIF(a, b).
type NullIfExpr struct {
	Left, Right Expr
	Eq          *builtins.Overload
}

// MinMaxExpr is GREATEST/LEAST (NULLs ignored, as PostgreSQL).
type MinMaxExpr struct {
	Greatest bool
	Args     []Expr
	T        *types.T
}

// InListExpr is x [NOT] IN (a, b, ...) with the resolved equality.
type InListExpr struct {
	Operand Expr
	List    []Expr
	Eq      *builtins.Overload
	Not     bool
}

// SubqueryKind says how a subquery's rows are used.
type SubqueryKind int

const (
	SubScalar SubqueryKind = iota // (SELECT x): at most one row
	SubExists                     // EXISTS (...)
	SubIn                         // x IN (SELECT ...), x op ANY (SELECT ...)
	SubAll                        // x op ALL (SELECT ...)
	SubArray                      // ARRAY(SELECT ...)
)

// SubqueryExpr runs a subplan. Correlated subplans (with OuterRefs to this
// level) run once per outer row; others once per statement.
type SubqueryExpr struct {
	Kind       SubqueryKind
	Plan       Plan
	Operand    Expr               // SubIn/SubAll
	Cmp        *builtins.Overload // SubIn/SubAll comparison
	Not        bool
	Correlated bool
	T          *types.T
}

// QuantifiedArrayExpr is x op ANY|ALL (array).
type QuantifiedArrayExpr struct {
	Operand Expr
	Array   Expr
	Cmp     *builtins.Overload
	All     bool
}

// ArrayExpr is ARRAY[...].
type ArrayExpr struct {
	Elems []Expr
	T     *types.T
}

// RowExpr is a whole-row reference (t, or t.* as an argument): the
// relation's columns as one record, whose type names them.
type RowExpr struct {
	Fields []Expr
	T      *types.T
}

// FieldExpr is (record).field: field Idx of a record value.
type FieldExpr struct {
	Operand Expr
	Idx     int
	T       *types.T
}

func (e *FieldExpr) Type() *types.T { return e.T }

// SubscriptExpr is arr[i].
type SubscriptExpr struct {
	Operand, Index Expr
	T              *types.T
}

// SeqFuncExpr is nextval/currval/setval on a sequence resolved at bind time.
type SeqFuncExpr struct {
	Func string // "nextval", "currval"
	Seq  *catalog.Sequence
}

// AggRef reads aggregate result Idx of an Aggregate node's output; it
// appears only while binding and is rewritten to a ColRef.
type AggRef struct {
	Idx int
	T   *types.T
}

func (e *ColRef) Type() *types.T              { return e.T }
func (e *OuterRef) Type() *types.T            { return e.T }
func (e *Const) Type() *types.T               { return e.T }
func (e *ParamRef) Type() *types.T            { return (*e.Params)[e.N-1] }
func (e *Call) Type() *types.T                { return e.T }
func (e *CastExpr) Type() *types.T            { return e.T }
func (e *BoolOp) Type() *types.T              { return types.Bool }
func (e *NotExpr) Type() *types.T             { return types.Bool }
func (e *IsNullExpr) Type() *types.T          { return types.Bool }
func (e *IsBoolExpr) Type() *types.T          { return types.Bool }
func (e *CaseExpr) Type() *types.T            { return e.T }
func (e *CoalesceExpr) Type() *types.T        { return e.T }
func (e *NullIfExpr) Type() *types.T          { return e.Left.Type() }
func (e *MinMaxExpr) Type() *types.T          { return e.T }
func (e *InListExpr) Type() *types.T          { return types.Bool }
func (e *SubqueryExpr) Type() *types.T        { return e.T }
func (e *QuantifiedArrayExpr) Type() *types.T { return types.Bool }
func (e *ArrayExpr) Type() *types.T           { return e.T }
func (e *RowExpr) Type() *types.T             { return e.T }
func (e *SubscriptExpr) Type() *types.T       { return e.T }
func (e *SeqFuncExpr) Type() *types.T         { return types.Int8 }
func (e *AggRef) Type() *types.T              { return e.T }
