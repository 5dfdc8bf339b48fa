package planner

import (
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// Column is one output column of a plan node.
type Column struct {
	Name string
	// Table is the range-table name (alias) that qualifies the column.
	Table string
	T     *types.T
	// TableOID and AttNum attribute a plain table column (RowDescription).
	TableOID uint32
	AttNum   int16
	// Hidden columns (rowid, sort keys carried for ORDER BY) are not part
	// of SELECT * or the final result.
	Hidden bool
	// Fields are a record column's fields (a set-returning function's
	// composite result), which (col).field selects.
	Fields []Column
}

// Plan is a node of an executable plan tree.
type Plan interface {
	Columns() []Column
}

// Scan reads a table in primary-key order, optionally within key bounds.
type Scan struct {
	Table *catalog.Table
	Cols  []Column
	// Lower/Upper bound the leading primary-key columns; each value is an
	// expression evaluated once when the scan starts (constants, params).
	Lower, Upper         []Expr
	LowerIncl, UpperIncl bool
	Filter               Expr
	Reverse              bool
}

// IndexScan reads a table through a secondary b-tree index.
type IndexScan struct {
	Table                *catalog.Table
	Index                *catalog.Index
	Cols                 []Column
	Lower, Upper         []Expr
	LowerIncl, UpperIncl bool
	Filter               Expr
}

// VirtualTable is a read-only relation computed on demand from the
// catalog (pg_catalog, information_schema); the executor produces its rows.
type VirtualTable struct {
	Schema  string
	Name    string
	OID     uint32
	Columns []Column
}

// VirtualScan reads a virtual table.
type VirtualScan struct {
	Table  *VirtualTable
	Cols   []Column
	Filter Expr
}

// SequenceScan reads a sequence as PostgreSQL exposes it as a relation:
// one row of last_value, log_cnt and is_called (pg_dump reads it so).
type SequenceScan struct {
	Seq  *catalog.Sequence
	Cols []Column
}

// SequenceColumns are a sequence relation's columns.
var SequenceColumns = []Column{{Name: "last_value", T: types.Int8}, {Name: "log_cnt", T: types.Int8}, {Name: "is_called", T: types.Bool}}

// VectorScan answers ORDER BY col <op> q LIMIT k from an HNSW index: rows
// visible to the reader and passing Filter, nearest first, at most K.
type VectorScan struct {
	Table  *catalog.Table
	Index  *catalog.Index
	Cols   []Column
	Query  Expr
	K      Expr
	Filter Expr
	// Order is the ORDER BY distance expression, for EXPLAIN.
	Order *Call
	// KeyOnly: the query reads only primary-key columns and the indexed
	// vector, which the index holds, so rows need not be fetched.
	KeyOnly bool
	// ReadsVector: the query reads the indexed vector column itself, not
	// only its distance, which each row carries in the column after the
	// table's (the last of Cols).
	ReadsVector bool
	// Prefilter, when set, is a b-tree index scan whose span holds every
	// row Filter passes. When few rows lie in the span, the executor
	// computes their exact distances instead of searching the graph,
	// where a selective filter rejects nearly every candidate.
	Prefilter *IndexScan
	// PrefilterExact: the span is exactly Filter (equalities on the
	// index's columns), so rows of the span need not be read to check it.
	PrefilterExact bool
}

// HNSWOperator maps each HNSW operator class to the distance operator it
// answers; a cosine index never answers an L2 query.
var HNSWOperator = map[string]string{
	"vector_l2_ops":      "<->",
	"vector_cosine_ops":  "<=>",
	"vector_ip_ops":      "<#>",
	"vector_l1_ops":      "<+>",
	"halfvec_l2_ops":     "<->",
	"halfvec_cosine_ops": "<=>",
	"halfvec_ip_ops":     "<#>",
	"halfvec_l1_ops":     "<+>",
	"bit_hamming_ops":    "<~>",
	"bit_jaccard_ops":    "<%>",
}

// LockRows locks the rows of Table its input returns, as SELECT ... FOR
// UPDATE/SHARE does, by the primary key values in its input's KeyCols (hidden
// columns the binder added). It sits below LIMIT, so only the rows
// returned are locked.
type LockRows struct {
	Input   Plan
	Table   *catalog.Table
	KeyCols []int
	// Strength is the clause's words ("UPDATE", "NO KEY UPDATE",
	// "SHARE", "KEY SHARE"); Wait
	// is "", "nowait" or "skip locked".
	Strength, Wait string
}

func (p *LockRows) Columns() []Column { return p.Input.Columns() }

// ValuesNode produces constant rows (VALUES, SELECT without FROM).
type ValuesNode struct {
	Rows [][]Expr
	Cols []Column
}

// FuncScan runs a set-returning function.
type FuncScan struct {
	Fn         *builtins.SRFOverload
	Args       []Expr
	Cols       []Column
	Ordinality bool
}

// Filter drops rows whose condition is not true.
type Filter struct {
	Input Plan
	Cond  Expr
}

// Project computes output expressions over each input row.
type Project struct {
	Input Plan
	Exprs []Expr
	Cols  []Column
}

// JoinKind is the kind of a join.
type JoinKind int

const (
	InnerJoin JoinKind = iota
	LeftJoin
	RightJoin
	FullJoin
	// SemiJoin and AntiJoin are not produced yet; subqueries run as
	// SubqueryExpr.
)

// Join combines two inputs. With equality keys it runs as a hash join
// (building a hash table over Right, memory grows with Right's size);
// otherwise as a nested loop over a materialised Right.
type Join struct {
	Kind        JoinKind
	Left, Right Plan
	// LeftKeys[i] = RightKeys[i] are equi-join conditions (expressions over
	// each side's own columns), Cond the rest (over the joined row).
	LeftKeys, RightKeys []Expr
	Cond                Expr
	Cols                []Column
	// Lateral: Right refers to Left's columns (a LATERAL subquery, a
	// function in FROM), so it runs once per left row, which it reads as
	// its innermost outer row (OuterRef depth 1 at its top level).
	Lateral bool
}

// AggCall is one aggregate computation.
type AggCall struct {
	Name     string
	Fn       *builtins.AggOverload
	Args     []Expr
	ArgTypes []*types.T
	Distinct bool
	Filter   Expr
	Star     bool
	// OrderBy sorts the group's inputs before they are fed (string_agg(v,
	// ',' ORDER BY id)); the executor buffers each group's inputs for it.
	OrderBy []SortKey
	T       *types.T
	// IsGrouping marks GROUPING(...): no accumulation, the result is the
	// bit mask of the Grouping group columns (leftmost argument highest)
	// that the output row's grouping set leaves out.
	IsGrouping bool
	Grouping   []int
}

// Aggregate groups its input. Output columns are the group expressions
// followed by the aggregates. Memory grows with the number of groups.
type Aggregate struct {
	Input   Plan
	GroupBy []Expr
	Aggs    []AggCall
	Cols    []Column
	// Sets, when non-nil, are the grouping sets (GROUPING SETS, ROLLUP,
	// CUBE): indexes into GroupBy. Each set groups the input by its own
	// columns and emits NULL for the group columns it leaves out.
	Sets [][]int
}

// SortKey is one ORDER BY key over the input row.
type SortKey struct {
	Expr       Expr
	Desc       bool
	NullsFirst bool
}

// Sort orders its input. It holds all rows in memory (no spill to disk
// yet); with Limit set it keeps only the top Limit+Offset rows in a heap.
type Sort struct {
	Input Plan
	Keys  []SortKey
	// TopK, when non-nil, bounds how many rows the sort must keep.
	TopK Expr
}

// Limit applies LIMIT/OFFSET (either may be nil).
type Limit struct {
	Input         Plan
	Count, Offset Expr
	// TieKeys, for FETCH ... WITH TIES, are the input's sort keys: rows
	// past Count are returned while they tie with the last row on them.
	TieKeys []SortKey
}

// Distinct removes duplicate rows. With On (DISTINCT ON) rows are
// duplicates when those columns agree, and the first of each is kept: the
// input is sorted so that it is the one ORDER BY puts first. Memory grows
// with distinct rows.
type Distinct struct {
	Input Plan
	On    []int
}

// SetOpNode is UNION/INTERSECT/EXCEPT.
type SetOpNode struct {
	Op          string
	All         bool
	Left, Right Plan
	Cols        []Column
}

// CTERef reads a WITH query's materialised rows.
type CTERef struct {
	CTE  *CTEDef
	Cols []Column
}

// CTEDef is a WITH query evaluated once per statement. A WorkTable def has
// no plan: its rows are those a RecursiveUnion's previous round produced.
type CTEDef struct {
	Name      string
	Plan      Plan
	ID        int
	WorkTable bool
}

// RecursiveUnion is WITH RECURSIVE's query: the non-recursive term's rows,
// then rounds of the recursive term, each reading the previous round's
// new rows as Work, until a round adds none. Without All, rows already
// produced are not produced again (nor fed to the next round).
type RecursiveUnion struct {
	NonRecursive, Recursive Plan
	All                     bool
	Work                    *CTEDef
	Cols                    []Column
}

// WithNode evaluates its CTEs lazily for its input.
type WithNode struct {
	CTEs  []*CTEDef
	Input Plan
}

func (p *Scan) Columns() []Column           { return p.Cols }
func (p *IndexScan) Columns() []Column      { return p.Cols }
func (p *ValuesNode) Columns() []Column     { return p.Cols }
func (p *VirtualScan) Columns() []Column    { return p.Cols }
func (p *SequenceScan) Columns() []Column   { return p.Cols }
func (p *VectorScan) Columns() []Column     { return p.Cols }
func (p *FuncScan) Columns() []Column       { return p.Cols }
func (p *Filter) Columns() []Column         { return p.Input.Columns() }
func (p *Project) Columns() []Column        { return p.Cols }
func (p *Join) Columns() []Column           { return p.Cols }
func (p *Aggregate) Columns() []Column      { return p.Cols }
func (p *Sort) Columns() []Column           { return p.Input.Columns() }
func (p *Limit) Columns() []Column          { return p.Input.Columns() }
func (p *Distinct) Columns() []Column       { return p.Input.Columns() }
func (p *SetOpNode) Columns() []Column      { return p.Cols }
func (p *CTERef) Columns() []Column         { return p.Cols }
func (p *WithNode) Columns() []Column       { return p.Input.Columns() }
func (p *RecursiveUnion) Columns() []Column { return p.Cols }

// ---- statements ----

// Insert inserts the rows of Source into Table. Source yields one value per
// entry of Targets (column ordinals); other columns take Defaults.
type Insert struct {
	Table    *catalog.Table
	Source   Plan
	Targets  []int
	Defaults []Expr // per table column; nil means NULL
	// Returning is evaluated over the full new row.
	Returning     []Expr
	ReturningCols []Column
	OnConflict    *OnConflict
	// Generated computes the generated columns over the full new row (nil
	// entries for other columns; nil when the table has none).
	Generated []Expr
}

// OnConflict is the ON CONFLICT action.
type OnConflict struct {
	// Index is the unique index (nil: the primary key) whose conflict is
	// handled; Any means DO NOTHING on any unique conflict.
	Index     *catalog.Index
	Any       bool
	DoNothing bool
	// Set computes new values over the row [existing row..., excluded row...].
	SetCols []int
	Set     []Expr
	Where   Expr
}

// Update changes rows of Table read by Source (full-width table rows,
// possibly followed by columns of FROM tables).
type Update struct {
	Table         *catalog.Table
	Source        Plan
	SetCols       []int
	Set           []Expr
	Returning     []Expr
	ReturningCols []Column
	// Generated is as Insert's.
	Generated []Expr
}

// Delete deletes the rows of Table read by Source.
type Delete struct {
	Table         *catalog.Table
	Source        Plan
	Returning     []Expr
	ReturningCols []Column
}

func (p *Insert) Columns() []Column { return p.ReturningCols }
func (p *Update) Columns() []Column { return p.ReturningCols }
func (p *Delete) Columns() []Column { return p.ReturningCols }
