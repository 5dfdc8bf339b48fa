package pgdialect

import (
	"reflect"
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

func parseClean(t *testing.T, sql string) tree.Statement {
	t.Helper()
	p, err := ParseOne(sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	clearPos(reflect.ValueOf(p.Stmt))
	return p.Stmt
}

// errMessage is err's PostgreSQL message, "" for no error.
func errMessage(err error) string {
	if err == nil {
		return ""
	}
	return pgerror.Convert(err).Message
}

func col(name string) *tree.ColumnRef { return &tree.ColumnRef{Parts: []string{name}} }

// TestGroupingSets checks the shape GROUP BY elements parse to: ROLLUP,
// CUBE and GROUPING SETS with nested sets, () and parenthesised lists.
func TestGroupingSets(t *testing.T) {
	sel := parseClean(t, "SELECT a FROM t GROUP BY DISTINCT a, ROLLUP (b, (c, d)), GROUPING SETS ((), CUBE (e), (f, g))").(*tree.Select)
	sc := sel.Body.(*tree.SelectClause)
	want := []tree.Expr{
		col("a"),
		&tree.GroupingSet{Kind: "rollup", Items: []tree.Expr{col("b"), &tree.RowExpr{Elems: []tree.Expr{col("c"), col("d")}}}},
		&tree.GroupingSet{Kind: "sets", Items: []tree.Expr{
			&tree.GroupingSet{Kind: "empty"},
			&tree.GroupingSet{Kind: "cube", Items: []tree.Expr{col("e")}},
			&tree.RowExpr{Elems: []tree.Expr{col("f"), col("g")}},
		}},
	}
	if !sc.GroupByDistinct || !reflect.DeepEqual(sc.GroupBy, want) {
		t.Errorf("got distinct=%v %s\nwant %s", sc.GroupByDistinct, dump(sc.GroupBy), dump(want))
	}
	// cube(x) in an expression is still a function call
	sel = parseClean(t, "SELECT cube(1)").(*tree.Select)
	if _, ok := sel.Body.(*tree.SelectClause).Targets[0].Expr.(*tree.FuncCall); !ok {
		t.Errorf("cube(1) in a select list: %s", dump(sel.Body))
	}
}

func TestSelectIntoAndCreateTableAs(t *testing.T) {
	ct := parseClean(t, "SELECT a, b INTO TEMP TABLE n FROM t WHERE a > 1").(*tree.CreateTable)
	if ct.Name.Name != "n" || !ct.Temporary || !ct.SelectInto || ct.AsSelect == nil {
		t.Fatalf("SELECT INTO: %s", dump(ct))
	}
	if sc := ct.AsSelect.Body.(*tree.SelectClause); len(sc.Targets) != 2 || sc.Where == nil || len(sc.From) != 1 {
		t.Errorf("SELECT INTO query: %s", dump(ct.AsSelect))
	}
	ct = parseClean(t, "CREATE TABLE n (x, y) AS SELECT 1, 2 WITH NO DATA").(*tree.CreateTable)
	if !reflect.DeepEqual(ct.AsColumns, []string{"x", "y"}) || !ct.WithNoData || ct.AsSelect == nil {
		t.Errorf("CREATE TABLE AS: %s", dump(ct))
	}
	for _, sql := range []string{"SELECT * FROM (SELECT 1 INTO x) s", "INSERT INTO t SELECT 1 INTO x", "WITH q AS (SELECT 1 INTO x) SELECT 1"} {
		_, err := ParseOne(sql)
		if pgerror.CodeOf(err) != pgerror.CodeSyntaxError || errMessage(err) != "SELECT ... INTO is not allowed here" {
			t.Errorf("%s: %v", sql, err)
		}
	}
}

func TestFetchWithTies(t *testing.T) {
	sel := parseClean(t, "SELECT a FROM t ORDER BY a FETCH FIRST 3 ROWS WITH TIES").(*tree.Select)
	if !sel.WithTies || !reflect.DeepEqual(sel.Limit, &tree.NumberLit{Text: "3"}) {
		t.Errorf("got %s", dump(sel))
	}
	if _, err := ParseOne("SELECT a FROM t FETCH FIRST ROW WITH TIES"); errMessage(err) != "WITH TIES cannot be specified without ORDER BY clause" {
		t.Errorf("without ORDER BY: %v", err)
	}
}

func TestGeneratedAndIdentityColumns(t *testing.T) {
	ct := parseClean(t, "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (START WITH 5), a int, b int GENERATED ALWAYS AS (a * 2) STORED, LIKE s INCLUDING ALL EXCLUDING INDEXES)").(*tree.CreateTable)
	if len(ct.Columns) != 4 {
		t.Fatalf("columns: %s", dump(ct.Columns))
	}
	if c := ct.Columns[0]; c.Identity != "always" || !reflect.DeepEqual(c.IdentityOptions, []tree.SeqOption{{Name: "start", Value: "5"}}) {
		t.Errorf("identity: %s", dump(c))
	}
	want := &tree.BinaryExpr{Op: "*", Left: col("a"), Right: &tree.NumberLit{Text: "2"}}
	if !reflect.DeepEqual(ct.Columns[2].Generated, want) {
		t.Errorf("generated: %s", dump(ct.Columns[2].Generated))
	}
	like := ct.Columns[3].Like
	if like == nil || like.Table.Name != "s" || !like.Including["defaults"] || !like.Including["generated"] || like.Including["indexes"] {
		t.Errorf("LIKE: %s", dump(ct.Columns[3]))
	}
	ins := parseClean(t, "INSERT INTO t (id) OVERRIDING SYSTEM VALUE VALUES (1)").(*tree.Insert)
	if ins.Overriding != "system" {
		t.Errorf("OVERRIDING: %s", dump(ins))
	}
}

func TestNamedArguments(t *testing.T) {
	sel := parseClean(t, "SELECT make_interval(1, days => 3, hours := 2)").(*tree.Select)
	fc := sel.Body.(*tree.SelectClause).Targets[0].Expr.(*tree.FuncCall)
	if !reflect.DeepEqual(fc.ArgNames, []string{"", "days", "hours"}) || len(fc.Args) != 3 {
		t.Errorf("got %s", dump(fc))
	}
	for sql, msg := range map[string]string{
		"SELECT f(a => 1, 2)":      "positional argument cannot follow named argument",
		"SELECT f(a => 1, a => 2)": `argument name "a" used more than once`,
	} {
		if _, err := ParseOne(sql); errMessage(err) != msg {
			t.Errorf("%s: %v", sql, err)
		}
	}
}

func TestRowsFromAndConflictTargets(t *testing.T) {
	sel := parseClean(t, "SELECT * FROM ROWS FROM (generate_series(1, 2), upper('a')) WITH ORDINALITY AS t(a, b, n)").(*tree.Select)
	rf, ok := sel.Body.(*tree.SelectClause).From[0].(*tree.RowsFrom)
	if !ok || len(rf.Funcs) != 2 || rf.Funcs[1].Name != "upper" || !rf.Ordinality || rf.Alias != "t" || len(rf.ColAliases) != 3 {
		t.Errorf("ROWS FROM: %s", dump(sel.Body))
	}
	ins := parseClean(t, "INSERT INTO t VALUES (1) ON CONFLICT ((a), lower(b), c int4_ops) WHERE c > 0 DO NOTHING").(*tree.Insert)
	oc := ins.OnConflict
	if !reflect.DeepEqual(oc.Columns, []string{"a", "c"}) || len(oc.Exprs) != 1 || oc.Where == nil {
		t.Errorf("ON CONFLICT target: %s", dump(oc))
	}
	is := parseClean(t, "SELECT x IS NOT DOCUMENT").(*tree.Select).Body.(*tree.SelectClause).Targets[0].Expr
	if !reflect.DeepEqual(is, &tree.IsExpr{Operand: col("x"), Not: true, What: "document"}) {
		t.Errorf("IS DOCUMENT: %s", dump(is))
	}
}

func TestCreateMaterializedView(t *testing.T) {
	cv := parseClean(t, "CREATE MATERIALIZED VIEW IF NOT EXISTS s.mv (x, y) AS SELECT a, b FROM t WITH NO DATA").(*tree.CreateView)
	if !cv.Materialized || !cv.IfNotExists || !cv.WithNoData || cv.Name.Schema != "s" || cv.Name.Name != "mv" ||
		!reflect.DeepEqual(cv.Columns, []string{"x", "y"}) || cv.QueryText != "SELECT a, b FROM t" {
		t.Errorf("CREATE MATERIALIZED VIEW: %s", dump(cv))
	}
	cv = parseClean(t, "CREATE MATERIALIZED VIEW mv AS SELECT 1 WITH DATA").(*tree.CreateView)
	if !cv.Materialized || cv.WithNoData || cv.QueryText != "SELECT 1" {
		t.Errorf("CREATE MATERIALIZED VIEW WITH DATA: %s", dump(cv))
	}
}

func TestColumnDefinitionLists(t *testing.T) {
	from := func(sql string) tree.TableExpr {
		return parseClean(t, sql).(*tree.Select).Body.(*tree.SelectClause).From[0]
	}
	intT := tree.TypeName{Name: "int4"}
	numT := tree.TypeName{Name: "numeric", Mods: []int32{10, 2}}
	for sql, want := range map[string]*tree.FuncTable{
		"SELECT * FROM f() AS r(a int, b numeric(10,2))": {Alias: "r", ColDefs: []tree.ColDef{{Name: "a", Type: intT}, {Name: "b", Type: numT}}},
		"SELECT * FROM f() r(a int)":                     {Alias: "r", ColDefs: []tree.ColDef{{Name: "a", Type: intT}}},
		"SELECT * FROM f() AS (a int)":                   {ColDefs: []tree.ColDef{{Name: "a", Type: intT}}},
		`SELECT * FROM f() AS r(a text COLLATE "C")`:     {Alias: "r", ColDefs: []tree.ColDef{{Name: "a", Type: tree.TypeName{Name: "text"}}}},
		"SELECT * FROM f() AS r(a, b)":                   {Alias: "r", ColAliases: []string{"a", "b"}},
		"SELECT * FROM f() AS r(a)":                      {Alias: "r", ColAliases: []string{"a"}},
		"SELECT * FROM f() r":                            {Alias: "r"},
	} {
		ft, ok := from(sql).(*tree.FuncTable)
		if !ok {
			t.Errorf("%s: %s", sql, dump(from(sql)))
			continue
		}
		want.Func = ft.Func
		if !reflect.DeepEqual(ft, want) {
			t.Errorf("%s:\n got %s\nwant %s", sql, dump(ft), dump(want))
		}
	}
	// A COLLATE clause is kept by position, for the binder's type check.
	p, err := ParseOne(`SELECT * FROM f() AS r(a int COLLATE "C")`)
	if err != nil {
		t.Fatal(err)
	}
	if d := p.Stmt.(*tree.Select).Body.(*tree.SelectClause).From[0].(*tree.FuncTable).ColDefs[0]; d.Pos != 24 || d.CollatePos != 30 {
		t.Errorf("positions: %s", dump(d))
	}
	rf := from("SELECT * FROM ROWS FROM (f() AS (a int), g()) WITH ORDINALITY AS t(x, y, n)").(*tree.RowsFrom)
	if !reflect.DeepEqual(rf.ColDefs, [][]tree.ColDef{{{Name: "a", Type: intT}}, nil}) || !reflect.DeepEqual(rf.ColAliases, []string{"x", "y", "n"}) {
		t.Errorf("ROWS FROM: %s", dump(rf))
	}
	// The first entry decides: names only, or names with types.
	for sql, msg := range map[string]string{
		"SELECT * FROM f() AS r(a, b int)":          `syntax error at or near "int"`,
		"SELECT * FROM f() AS r(a int, b)":          `syntax error at or near ")"`,
		"SELECT * FROM f() AS r(a int)(b)":          `syntax error at or near "("`,
		"SELECT * FROM ROWS FROM (f() AS r(a int))": `syntax error at or near "r"`,
	} {
		if _, err := ParseOne(sql); errMessage(err) != msg {
			t.Errorf("%s: %v", sql, err)
		}
	}
}
