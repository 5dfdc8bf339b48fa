package planner

import (
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// CodeGeneratedAlways is SQLSTATE 428C9 (generated_always): a write to a
// generated column or a GENERATED ALWAYS identity column.
const CodeGeneratedAlways = "428C9"

// stableFuncs are functions PostgreSQL marks STABLE (not immutable) that
// the builtins registry does not flag as volatile: a generation
// expression may not call them either.
var stableFuncs = map[string]bool{
	"now": true, "current_date": true, "current_time": true, "current_timestamp": true, "localtime": true,
	"localtimestamp": true, "statement_timestamp": true, "transaction_timestamp": true, "clock_timestamp": true,
	"timeofday": true, "current_setting": true, "current_user": true, "session_user": true, "current_schema": true,
	"current_database": true, "to_char": true, "to_timestamp": true, "age": true,
	// these format values through their types' output functions
	"to_json": true, "to_jsonb": true, "array_to_json": true, "row_to_json": true, "json_build_object": true,
	"jsonb_build_object": true, "json_build_array": true, "jsonb_build_array": true, "concat": true, "concat_ws": true,
	"format": true,
}

// BindGenerated binds the expression of column col of t, GENERATED ALWAYS
// AS (e) STORED, over t's full row; it returns the expression coerced to
// the column's type (what is computed) and as bound (what is shown), with
// PostgreSQL's restrictions: immutable, no subqueries, no aggregates,
// no reference to another generated column. t's other generated columns
// must already carry a non-empty Generated text.
func (b *Binder) BindGenerated(t *catalog.Table, col int, e tree.Expr) (coerced, bound Expr, err error) {
	if bad := firstSubquery(e); bad != nil {
		return nil, nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot use subquery in column generation expression").WithPosition(int(exprPos(bad)))
	}
	sc := newScope(TableColumns(t, t.Name), nil)
	sc.noAggReason = "column generation expressions"
	x, err := b.bindExpr(e, sc)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range CheckColumns(x) {
		if c == col || t.Columns[c].Generated != "" {
			return nil, nil, pgerror.New("42P17", "cannot use generated column \"%s\" in column generation expression", t.Columns[c].Name).
				WithDetail("A generated column cannot reference another generated column.").WithPosition(int(columnRefPos(e, t.Columns[c].Name)))
		}
	}
	if !immutable(x) {
		return nil, nil, pgerror.New("42P17", "generation expression is not immutable")
	}
	c := &t.Columns[col]
	out, err := b.coerce(x, c.Type, types.CastAssignment, "column \""+c.Name+"\"")
	if err != nil {
		return nil, nil, pgerror.New(pgerror.CodeDatatypeMismatch, "column \"%s\" is of type %s but generation expression is of type %s", c.Name, c.Type, x.Type()).
			WithHint("You will need to rewrite or cast the expression.")
	}
	return out, x, nil
}

// DeparseGenerated spells a generation expression as pg_get_expr does,
// plain and pretty. x is the expression bound over t's row before the
// coercion to the column type, which PostgreSQL stores as an implicit cast
// and does not show; pretty mode still parenthesizes an operator under it.
func DeparseGenerated(t *catalog.Table, x Expr, colType *types.T) (plain, pretty string) {
	if _, isConst := x.(*Const); isConst || x.Type().Identical(colType) {
		return DeparseCheck(t, x, false), DeparseCheck(t, x, true)
	}
	plain, pretty = DeparseCheck(t, x, false), DeparseCheck(t, x, true)
	if !isFunctionLike(x) {
		pretty = "(" + pretty + ")"
	}
	return plain, pretty
}

// columnRefPos is the position of the first reference to column name in e.
func columnRefPos(e tree.Expr, name string) tree.Pos {
	var pos tree.Pos
	walkTree(e, func(n tree.Expr) bool {
		if r, ok := n.(*tree.ColumnRef); ok && pos == 0 && r.Parts[len(r.Parts)-1] == name {
			pos = r.Pos
		}
		return pos == 0
	})
	return pos
}

// generatedExprs binds every generated column of t (nil entries for the
// others) over the full row, for INSERT, UPDATE and COPY to compute.
func (b *Binder) generatedExprs(t *catalog.Table) ([]Expr, error) {
	var out []Expr
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.Generated == "" || c.Dropped {
			continue
		}
		e, err := b.ParseExpr(c.Generated)
		if err != nil {
			return nil, pgerror.Wrap(err, pgerror.CodeInternal, "generation expression of column "+c.Name)
		}
		sc := newScope(TableColumns(t, t.Name), nil)
		x, err := b.bindExpr(e, sc)
		if err != nil {
			return nil, err
		}
		if x, err = b.coerce(x, c.Type, types.CastAssignment, "column \""+c.Name+"\""); err != nil {
			return nil, err
		}
		if out == nil {
			out = make([]Expr, len(t.Columns))
		}
		out[i] = x
	}
	return out, nil
}

// generatedWriteError is the 428C9 for writing value to column c: a
// generated column, or an identity column GENERATED ALWAYS (insert only
// names OVERRIDING SYSTEM VALUE). It returns nil for other columns.
func generatedWriteError(c *catalog.Column, update bool) error {
	switch {
	case c.Generated != "":
		msg := "cannot insert a non-DEFAULT value into column \"%s\""
		if update {
			msg = "column \"%s\" can only be updated to DEFAULT"
		}
		return pgerror.New(CodeGeneratedAlways, msg, c.Name).WithDetail("Column \"%s\" is a generated column.", c.Name)
	case c.Identity == "always":
		if update {
			return pgerror.New(CodeGeneratedAlways, "column \"%s\" can only be updated to DEFAULT", c.Name).
				WithDetail("Column \"%s\" is an identity column defined as GENERATED ALWAYS.", c.Name)
		}
		return pgerror.New(CodeGeneratedAlways, "cannot insert a non-DEFAULT value into column \"%s\"", c.Name).
			WithDetail("Column \"%s\" is an identity column defined as GENERATED ALWAYS.", c.Name).
			WithHint("Use OVERRIDING SYSTEM VALUE to override.")
	}
	return nil
}

// checkInsertTargets applies the generated-column and identity rules to
// an INSERT's target columns: isDefault(j) reports whether every row gives
// DEFAULT for target j. It returns the targets whose given values are to
// be replaced by the column default (OVERRIDING USER VALUE).
func checkInsertTargets(t *catalog.Table, targets []int, overriding string, isDefault func(j int) bool) (map[int]bool, error) {
	var replace map[int]bool
	for j, i := range targets {
		c := &t.Columns[i]
		if isDefault(j) {
			continue
		}
		if c.Identity != "" && overriding == "user" {
			if replace == nil {
				replace = map[int]bool{}
			}
			replace[j] = true
			continue
		}
		if c.Identity == "always" && overriding == "system" {
			continue
		}
		if err := generatedWriteError(c, false); err != nil {
			return nil, err
		}
	}
	return replace, nil
}

// dropTargets removes the target positions in drop from an INSERT (their
// columns then take their defaults), projecting them out of the source.
func dropTargets(ins *Insert, drop map[int]bool) {
	cols := ins.Source.Columns()
	var exprs []Expr
	var keep []Column
	var targets []int
	for j, i := range ins.Targets {
		if drop[j] {
			continue
		}
		exprs = append(exprs, &ColRef{Idx: j, T: cols[j].T})
		keep = append(keep, cols[j])
		targets = append(targets, i)
	}
	ins.Source = &Project{Input: ins.Source, Exprs: exprs, Cols: keep}
	ins.Targets = targets
}

// GeneratedExprs binds the generated columns of t over its full row (nil
// entries for other columns, nil when it has none).
func (b *Binder) GeneratedExprs(t *catalog.Table) ([]Expr, error) { return b.generatedExprs(t) }

// BindIndexExpr binds an expression element of CREATE INDEX over t's row,
// with PostgreSQL's restrictions on index expressions.
func (b *Binder) BindIndexExpr(t *catalog.Table, e tree.Expr) (Expr, error) {
	if err := checkExprTree(e, "index expression"); err != nil {
		return nil, err
	}
	sc := newScope(TableColumns(t, t.Name), nil)
	sc.noAggReason = "index expressions"
	x, err := b.bindExpr(e, sc)
	if err != nil {
		return nil, err
	}
	if !immutable(x) {
		return nil, pgerror.New("42P17", "functions in index expression must be marked IMMUTABLE")
	}
	return x, nil
}

// IndexExprColumn returns the hidden generated column of t that holds
// the value of x (an expression bound over t's row) for an expression
// index, or -1. Expressions are compared as pg_get_expr spells them.
func IndexExprColumn(t *catalog.Table, x Expr) int {
	var text string
	for i := range t.Columns {
		c := &t.Columns[i]
		if !c.Hidden || c.Dropped || c.Generated == "" {
			continue
		}
		if text == "" {
			text = DeparseCheck(t, x, false)
		}
		if c.Generated == text {
			return i
		}
	}
	return -1
}

// IndexElemText spells an index's expression element as pg_get_indexdef
// does: parenthesized unless ruleutils' looks_like_function says the
// grammar takes it bare (a function call, COALESCE, NULLIF, GREATEST,
// LEAST).
func IndexElemText(t *catalog.Table, x Expr, pretty bool) string {
	s := DeparseCheck(t, x, pretty)
	bare := false
	switch n := x.(type) {
	case *Call:
		bare = !isOperatorName(n.Name)
	case *CoalesceExpr, *NullIfExpr, *MinMaxExpr:
		bare = true
	}
	if !bare {
		s = "(" + s + ")"
	}
	return s
}

// IndexColumnName is the name PostgreSQL's FigureIndexColname gives an
// index expression element (which default index names are made of):
// the column or function it names, else "expr".
func IndexColumnName(e tree.Expr) string {
	if name, strength := figureColname(e); strength > 0 {
		return name
	}
	return "expr"
}
