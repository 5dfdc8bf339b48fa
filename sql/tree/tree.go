// Package tree owns Quiver's syntax tree: the PostgreSQL statements and
// expressions the front end (sql/pgdialect) produces and the planner binds.
// Nodes carry PostgreSQL's meaning only; no later stage sees TiDB's AST.
package tree

// Statement is any parsed SQL statement.
type Statement interface{ stmt() }

// Expr is any scalar expression.
type Expr interface{ expr() }

// TableExpr is anything in a FROM clause.
type TableExpr interface{ tableExpr() }

// Pos is a 1-based character offset into the statement text, 0 if unknown.
type Pos int

// ---- names and types ----

// ObjectName is a possibly qualified name: [catalog.][schema.]name.
// Parts are already case-folded (unquoted) or kept (quoted).
type ObjectName struct {
	Catalog string
	Schema  string
	Name    string
	Pos     Pos
	// End is the position just past the name as written (qualifiers,
	// quotes and all), so the name's text can be found again.
	End Pos
}

// TypeName is a type as written: Name is PostgreSQL's canonical spelling
// lower-cased ("int4", "varchar", "timestamptz", "double precision",
// "vector", "serial"), Mods its modifiers, ArrayDims the number of [].
type TypeName struct {
	Schema    string
	Name      string
	Mods      []int32
	ArrayDims int
	Pos       Pos
}

// ---- expressions ----

// ColumnRef is a column name, possibly qualified: Parts = [t, col] etc.
// A trailing "*" part means t.* (only valid in a select list).
type ColumnRef struct {
	Parts []string
	Pos   Pos
	// Ordinal, when > 0, is the 1-based position of the column among the
	// FROM clause's columns: a star expansion's reference, which stays
	// unambiguous when two columns share a name.
	Ordinal int
}

// Star is the unqualified * of a select list or count(*).
type Star struct{ Pos Pos }

// NumberLit is a numeric literal exactly as written ("42", "1.5e3").
type NumberLit struct {
	Text string
	Pos  Pos
}

// StringLit is a string constant (of unknown type until context decides).
type StringLit struct {
	Val string
	Pos Pos
}

// BitLit is a bit-string constant, B'0101' or X'1F': Val is the text
// bit_in reads, its digits after "b" or "x" as PostgreSQL's lexer hands
// them on (unchecked: the digits are checked when the constant is typed).
type BitLit struct {
	Val string
	Pos Pos
}

// BoolLit is TRUE or FALSE.
type BoolLit struct {
	Val bool
	Pos Pos
}

// NullLit is NULL.
type NullLit struct{ Pos Pos }

// Param is $N (1-based).
type Param struct {
	N   int
	Pos Pos
}

// DefaultExpr is DEFAULT in INSERT VALUES or UPDATE SET.
type DefaultExpr struct{ Pos Pos }

// BinaryExpr is a binary operator. Op is PostgreSQL's spelling, lower-case
// for words: "+", "-", "*", "/", "%", "^", "||", "=", "<>", "<", "<=", ">",
// ">=", "and", "or", "like", "not like", "ilike", "not ilike", "~", "~*",
// "!~", "!~*", "<->", "<#>", "<=>", "<+>", "->", "->>", "#>", "#>>", "@>",
// "<@", "?", "?|", "?&", "&&", "#", "&", "|", "<<", ">>", "#-",
// "similar to", "not similar to", "is distinct from",
// "is not distinct from". Schema is set for OPERATOR(schema.op).
type BinaryExpr struct {
	Op     string
	Schema string
	Left   Expr
	Right  Expr
	Escape Expr // LIKE ... ESCAPE
	Pos    Pos
}

// UnaryExpr is a prefix operator: "not", "-", "+", "~", "|/", "@".
type UnaryExpr struct {
	Op      string
	Operand Expr
	Pos     Pos
}

// IsExpr is X IS [NOT] NULL / TRUE / FALSE / UNKNOWN.
type IsExpr struct {
	Operand Expr
	Not     bool
	What    string // "null", "true", "false", "unknown", "document"
	Pos     Pos
}

// BetweenExpr is X [NOT] BETWEEN [SYMMETRIC] Lo AND Hi.
type BetweenExpr struct {
	Operand   Expr
	Lo, Hi    Expr
	Not       bool
	Symmetric bool
	Pos       Pos
}

// InExpr is X [NOT] IN (list) or X [NOT] IN (subquery).
type InExpr struct {
	Operand  Expr
	List     []Expr
	Subquery *Select
	Not      bool
	Pos      Pos
}

// ExistsExpr is EXISTS (subquery).
type ExistsExpr struct {
	Subquery *Select
	Pos      Pos
}

// SubqueryExpr is a scalar subquery.
type SubqueryExpr struct {
	Subquery *Select
	Pos      Pos
}

// ArraySubquery is ARRAY(subquery).
type ArraySubquery struct {
	Subquery *Select
	Pos      Pos
}

// QuantifiedExpr is X op ANY|SOME|ALL (array expr or subquery).
type QuantifiedExpr struct {
	Op       string
	All      bool
	Operand  Expr
	Array    Expr
	Subquery *Select
	Pos      Pos
}

// CaseExpr is CASE [operand] WHEN .. THEN .. [ELSE ..] END.
type CaseExpr struct {
	Operand Expr
	Whens   []When
	Else    Expr
	Pos     Pos
}

// When is one WHEN arm.
type When struct {
	Cond   Expr
	Result Expr
}

// CastExpr is CAST(x AS t), x::t, or a typed literal (t 'text').
type CastExpr struct {
	Operand Expr
	Type    TypeName
	Pos     Pos
}

// CollateExpr is X COLLATE name.
type CollateExpr struct {
	Operand   Expr
	Collation string
	Pos       Pos
}

// FuncCall is a function or aggregate call. Name is lower-cased unless
// quoted. Coalesce, nullif, greatest, least and the SQL special forms
// (current_date, extract(field from x) as extract('field', x), ...)
// arrive as calls too.
type FuncCall struct {
	Schema      string
	Name        string
	Args        []Expr
	Star        bool // count(*)
	Distinct    bool
	Filter      Expr
	OrderBy     []OrderItem // aggregate ORDER BY
	WithinGroup []OrderItem
	Over        *Window
	Variadic    bool
	// ArgNames, when any argument is named (name => value, name := value),
	// holds each argument's name, "" for the leading positional ones.
	ArgNames []string
	Pos      Pos
}

// Window is an OVER clause (parsed; executing window functions is later work).
type Window struct {
	Name        string
	PartitionBy []Expr
	OrderBy     []OrderItem
	Frame       string // raw frame text, if any
	FramePos    Pos    // where Frame starts, for frame errors
	Pos         Pos    // the window specification's opening parenthesis, or its name
	Parens      bool   // OVER (...) rather than OVER name
}

// ArrayExpr is ARRAY[...].
type ArrayExpr struct {
	Elems []Expr
	Pos   Pos
}

// RowExpr is ROW(...) or (a, b).
type RowExpr struct {
	Elems []Expr
	Pos   Pos
}

// Subscript is X[i] or X[lo:hi].
type Subscript struct {
	Operand Expr
	Index   Expr
	Upper   Expr // non-nil for a slice
	Slice   bool
	Pos     Pos
}

// FieldAccess is (X).field.
type FieldAccess struct {
	Operand Expr
	Field   string
	Pos     Pos
}

// GroupingSet is a GROUP BY element ROLLUP(...), CUBE(...), GROUPING
// SETS(...) or the empty set (). Kind is "rollup", "cube", "sets" or
// "empty". An item written as a parenthesised list arrives as a *RowExpr
// and stands for that list of columns; GROUPING SETS items may also be
// nested GroupingSets.
type GroupingSet struct {
	Kind  string
	Items []Expr
	Pos   Pos
}

// ParenExpr keeps explicit parentheses (only where it matters for display).
type ParenExpr struct {
	Inner Expr
	Pos   Pos
}

func (*ColumnRef) expr()      {}
func (*Star) expr()           {}
func (*NumberLit) expr()      {}
func (*StringLit) expr()      {}
func (*BitLit) expr()         {}
func (*BoolLit) expr()        {}
func (*NullLit) expr()        {}
func (*Param) expr()          {}
func (*DefaultExpr) expr()    {}
func (*BinaryExpr) expr()     {}
func (*UnaryExpr) expr()      {}
func (*IsExpr) expr()         {}
func (*BetweenExpr) expr()    {}
func (*InExpr) expr()         {}
func (*ExistsExpr) expr()     {}
func (*SubqueryExpr) expr()   {}
func (*ArraySubquery) expr()  {}
func (*QuantifiedExpr) expr() {}
func (*CaseExpr) expr()       {}
func (*CastExpr) expr()       {}
func (*CollateExpr) expr()    {}
func (*FuncCall) expr()       {}
func (*ArrayExpr) expr()      {}
func (*RowExpr) expr()        {}
func (*Subscript) expr()      {}
func (*FieldAccess) expr()    {}
func (*ParenExpr) expr()      {}
func (*GroupingSet) expr()    {}

// ---- queries ----

// Select is a full query: WITH, a body, ORDER BY, LIMIT/OFFSET, locking.
type Select struct {
	With      *With
	Body      SelectBody
	OrderBy   []OrderItem
	Limit     Expr // nil: none; LIMIT ALL also nil
	Offset    Expr
	ForUpdate string // "", "update", "share", "no key update", "key share"
	// LockWait is what FOR UPDATE does about a row another transaction
	// holds: "" (wait), "nowait" or "skip locked".
	LockWait string
	// LockOf names the tables FOR UPDATE OF locks (all when empty).
	LockOf []ObjectName
	// WithTies is FETCH FIRST n ROWS WITH TIES: rows tying with the last
	// one on the ORDER BY keys are returned too.
	WithTies bool
	Pos      Pos
}

// SelectBody is a SELECT clause, a set operation, VALUES or a nested query.
type SelectBody interface{ selectBody() }

// SelectClause is SELECT ... FROM ... WHERE ... GROUP BY ... HAVING.
type SelectClause struct {
	Distinct   bool
	DistinctOn []Expr
	Targets    []Target
	From       []TableExpr // comma-separated items (cross joined)
	Where      Expr
	GroupBy    []Expr
	// GroupByDistinct is GROUP BY DISTINCT: duplicate grouping sets are
	// dropped after expansion.
	GroupByDistinct bool
	Having          Expr
	Windows         map[string]*Window
}

// SetOp is UNION / INTERSECT / EXCEPT.
type SetOp struct {
	Op    string // "union", "intersect", "except"
	All   bool
	Left  SelectBody
	Right SelectBody
}

// Values is VALUES (...), (...) used as a query.
type Values struct {
	Rows [][]Expr
}

// ParenSelect is a parenthesised query used as a set-operation operand,
// carrying its own ORDER BY/LIMIT.
type ParenSelect struct {
	Select *Select
}

func (*SelectClause) selectBody() {}
func (*SetOp) selectBody()        {}
func (*Values) selectBody()       {}
func (*ParenSelect) selectBody()  {}

// Target is one select-list item. Expr is *Star or a ColumnRef ending in
// "*" for star forms.
type Target struct {
	Expr  Expr
	Alias string // "" when not given
	Pos   Pos
	// ExprEnd and End are the positions just past the expression and
	// just past the whole item (its alias included).
	ExprEnd, End Pos
}

// OrderItem is one ORDER BY element. Nulls is "", "first" or "last".
type OrderItem struct {
	Expr  Expr
	Desc  bool
	Nulls string
	Using string // ORDER BY x USING <op>
}

// With is a WITH clause.
type With struct {
	Recursive bool
	CTEs      []CTE
}

// CTE is one common table expression. Stmt is a *Select, or a data-
// modifying statement (INSERT/UPDATE/DELETE with RETURNING).
type CTE struct {
	Name         string
	Columns      []string
	Stmt         Statement
	Materialized string // "", "materialized", "not materialized"
}

// TableRef is a named table in FROM.
type TableRef struct {
	Name       ObjectName
	Alias      string
	ColAliases []string
	Only       bool
}

// SubqueryTable is (subquery) [AS] alias[(cols)].
type SubqueryTable struct {
	Select     *Select
	Alias      string
	ColAliases []string
	Lateral    bool
}

// FuncTable is a set-returning function in FROM.
type FuncTable struct {
	Func       *FuncCall
	Alias      string
	ColAliases []string
	// ColDefs is the column definition list of AS alias(name type, ...),
	// which a function returning record needs and no other allows.
	ColDefs    []ColDef
	Ordinality bool
	Lateral    bool
	// Target marks a select-list call moved into FROM, where a function
	// returning record cannot get a definition list.
	Target bool
}

// ColDef is one entry of a column definition list.
type ColDef struct {
	Name string
	Type TypeName
	Pos  Pos
	// CollatePos is where a COLLATE clause starts, 0 without one.
	CollatePos Pos
}

// RowsFrom is ROWS FROM (f(...), g(...)) [WITH ORDINALITY]: the
// functions' rows side by side, shorter ones padded with NULLs.
type RowsFrom struct {
	Funcs []*FuncCall
	// ColDefs[i] is Funcs[i]'s column definition list, if any.
	ColDefs    [][]ColDef
	Alias      string
	ColAliases []string
	Ordinality bool
	Lateral    bool
}

// Join is two table expressions joined. Kind is "inner", "left", "right",
// "full" or "cross".
type Join struct {
	Kind    string
	Natural bool
	Left    TableExpr
	Right   TableExpr
	On      Expr
	Using   []string
	Alias   string // JOIN ... AS alias (rare)
}

// ParenTable is a parenthesised join tree with an optional alias.
type ParenTable struct {
	Inner TableExpr
	Alias string
}

func (*TableRef) tableExpr()      {}
func (*SubqueryTable) tableExpr() {}
func (*FuncTable) tableExpr()     {}
func (*RowsFrom) tableExpr()      {}
func (*Join) tableExpr()          {}
func (*ParenTable) tableExpr()    {}
func (*Select) stmt()             {}
