package pgdialect

import (
	"fmt"
	"strings"

	"github.com/quiverdb/quiver/sql/tree"
)

// sexpr renders a node compactly so tests compare meaning, not pointers.
func sexpr(n any) string {
	var b strings.Builder
	pr(&b, n)
	return b.String()
}

func prList[T any](b *strings.Builder, l []T) {
	for i, x := range l {
		if i > 0 {
			b.WriteString(" ")
		}
		pr(b, x)
	}
}

func typeStr(t tree.TypeName) string {
	s := t.Name
	if t.Schema != "" {
		s = t.Schema + "." + s
	}
	if len(t.Mods) > 0 {
		var m []string
		for _, x := range t.Mods {
			m = append(m, fmt.Sprint(x))
		}
		s += "(" + strings.Join(m, ",") + ")"
	}
	return s + strings.Repeat("[]", t.ArrayDims)
}

func objStr(o tree.ObjectName) string {
	s := o.Name
	if o.Schema != "" {
		s = o.Schema + "." + s
	}
	if o.Catalog != "" {
		s = o.Catalog + "." + s
	}
	return s
}

func pr(b *strings.Builder, n any) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	switch x := n.(type) {
	case nil:
		b.WriteString("nil")
	case *tree.ColumnRef:
		b.WriteString(strings.Join(x.Parts, "."))
	case *tree.Star:
		b.WriteString("*")
	case *tree.NumberLit:
		b.WriteString(x.Text)
	case *tree.StringLit:
		w("%q", x.Val)
	case *tree.BitLit:
		b.WriteString(x.Val)
	case *tree.BoolLit:
		w("%v", x.Val)
	case *tree.NullLit:
		b.WriteString("NULL")
	case *tree.Param:
		w("$%d", x.N)
	case *tree.DefaultExpr:
		b.WriteString("DEFAULT")
	case *tree.BinaryExpr:
		op := x.Op
		if x.Schema != "" {
			op = "OPERATOR(" + x.Schema + "." + op + ")"
		}
		w("(%s ", op)
		pr(b, x.Left)
		b.WriteString(" ")
		pr(b, x.Right)
		if x.Escape != nil {
			b.WriteString(" escape ")
			pr(b, x.Escape)
		}
		b.WriteString(")")
	case *tree.UnaryExpr:
		w("(%s ", x.Op)
		pr(b, x.Operand)
		b.WriteString(")")
	case *tree.IsExpr:
		b.WriteString("(is ")
		if x.Not {
			b.WriteString("not ")
		}
		w("%s ", x.What)
		pr(b, x.Operand)
		b.WriteString(")")
	case *tree.BetweenExpr:
		b.WriteString("(")
		if x.Not {
			b.WriteString("not ")
		}
		b.WriteString("between ")
		if x.Symmetric {
			b.WriteString("symmetric ")
		}
		prList(b, []tree.Expr{x.Operand, x.Lo, x.Hi})
		b.WriteString(")")
	case *tree.InExpr:
		b.WriteString("(")
		if x.Not {
			b.WriteString("not ")
		}
		b.WriteString("in ")
		pr(b, x.Operand)
		b.WriteString(" ")
		if x.Subquery != nil {
			pr(b, x.Subquery)
		} else {
			b.WriteString("[")
			prList(b, x.List)
			b.WriteString("]")
		}
		b.WriteString(")")
	case *tree.ExistsExpr:
		b.WriteString("(exists ")
		pr(b, x.Subquery)
		b.WriteString(")")
	case *tree.SubqueryExpr:
		b.WriteString("(subquery ")
		pr(b, x.Subquery)
		b.WriteString(")")
	case *tree.ArraySubquery:
		b.WriteString("(array ")
		pr(b, x.Subquery)
		b.WriteString(")")
	case *tree.QuantifiedExpr:
		q := "any"
		if x.All {
			q = "all"
		}
		w("(%s %s ", x.Op, q)
		pr(b, x.Operand)
		b.WriteString(" ")
		if x.Subquery != nil {
			pr(b, x.Subquery)
		} else {
			pr(b, x.Array)
		}
		b.WriteString(")")
	case *tree.CaseExpr:
		b.WriteString("(case")
		if x.Operand != nil {
			b.WriteString(" ")
			pr(b, x.Operand)
		}
		for _, wh := range x.Whens {
			b.WriteString(" (when ")
			pr(b, wh.Cond)
			b.WriteString(" ")
			pr(b, wh.Result)
			b.WriteString(")")
		}
		if x.Else != nil {
			b.WriteString(" (else ")
			pr(b, x.Else)
			b.WriteString(")")
		}
		b.WriteString(")")
	case *tree.CastExpr:
		b.WriteString("(cast ")
		pr(b, x.Operand)
		w(" %s)", typeStr(x.Type))
	case *tree.CollateExpr:
		b.WriteString("(collate ")
		pr(b, x.Operand)
		w(" %s)", x.Collation)
	case *tree.FuncCall:
		name := x.Name
		if x.Schema != "" {
			name = x.Schema + "." + name
		}
		w("%s(", name)
		if x.Distinct {
			b.WriteString("distinct ")
		}
		if x.Star {
			b.WriteString("*")
		}
		prList(b, x.Args)
		if len(x.OrderBy) > 0 {
			b.WriteString(" order by ")
			prList(b, x.OrderBy)
		}
		b.WriteString(")")
		if x.Filter != nil {
			b.WriteString(" filter ")
			pr(b, x.Filter)
		}
		if x.Over != nil {
			b.WriteString(" over(")
			prList(b, x.Over.PartitionBy)
			if len(x.Over.OrderBy) > 0 {
				b.WriteString(" order by ")
				prList(b, x.Over.OrderBy)
			}
			b.WriteString(")")
		}
	case *tree.ArrayExpr:
		b.WriteString("array[")
		prList(b, x.Elems)
		b.WriteString("]")
	case *tree.RowExpr:
		b.WriteString("row(")
		prList(b, x.Elems)
		b.WriteString(")")
	case *tree.Subscript:
		b.WriteString("(sub ")
		pr(b, x.Operand)
		b.WriteString(" ")
		pr(b, x.Index)
		if x.Slice {
			b.WriteString(":")
			pr(b, x.Upper)
		}
		b.WriteString(")")
	case *tree.FieldAccess:
		b.WriteString("(field ")
		pr(b, x.Operand)
		w(" %s)", x.Field)
	case *tree.ParenExpr:
		b.WriteString("(paren ")
		pr(b, x.Inner)
		b.WriteString(")")
	case tree.OrderItem:
		pr(b, x.Expr)
		if x.Desc {
			b.WriteString(" desc")
		}
		if x.Nulls != "" {
			b.WriteString(" nulls " + x.Nulls)
		}
	case tree.Target:
		pr(b, x.Expr)
		if x.Alias != "" {
			b.WriteString(" as " + x.Alias)
		}
	case *tree.Select:
		b.WriteString("{")
		if x.With != nil {
			b.WriteString("with ")
			if x.With.Recursive {
				b.WriteString("recursive ")
			}
			for _, c := range x.With.CTEs {
				w("%s%v as ", c.Name, c.Columns)
				pr(b, c.Stmt)
				b.WriteString(" ")
			}
		}
		pr(b, x.Body)
		if len(x.OrderBy) > 0 {
			b.WriteString(" order by ")
			prList(b, x.OrderBy)
		}
		if x.Limit != nil {
			b.WriteString(" limit ")
			pr(b, x.Limit)
		}
		if x.Offset != nil {
			b.WriteString(" offset ")
			pr(b, x.Offset)
		}
		if x.ForUpdate != "" {
			b.WriteString(" for " + x.ForUpdate)
		}
		b.WriteString("}")
	case *tree.SelectClause:
		b.WriteString("select ")
		if x.Distinct {
			b.WriteString("distinct ")
			if x.DistinctOn != nil {
				b.WriteString("on(")
				prList(b, x.DistinctOn)
				b.WriteString(") ")
			}
		}
		prList(b, x.Targets)
		if x.From != nil {
			b.WriteString(" from ")
			prList(b, x.From)
		}
		if x.Where != nil {
			b.WriteString(" where ")
			pr(b, x.Where)
		}
		if x.GroupBy != nil {
			b.WriteString(" group by ")
			prList(b, x.GroupBy)
		}
		if x.Having != nil {
			b.WriteString(" having ")
			pr(b, x.Having)
		}
	case *tree.SetOp:
		w("(%s", x.Op)
		if x.All {
			b.WriteString(" all")
		}
		b.WriteString(" ")
		pr(b, x.Left)
		b.WriteString(" ")
		pr(b, x.Right)
		b.WriteString(")")
	case *tree.Values:
		b.WriteString("values")
		for _, r := range x.Rows {
			b.WriteString(" (")
			prList(b, r)
			b.WriteString(")")
		}
	case *tree.ParenSelect:
		pr(b, x.Select)
	case *tree.TableRef:
		b.WriteString(objStr(x.Name))
		if x.Alias != "" {
			w(" as %s", x.Alias)
		}
		if x.ColAliases != nil {
			w("%v", x.ColAliases)
		}
	case *tree.SubqueryTable:
		pr(b, x.Select)
		if x.Alias != "" {
			w(" as %s", x.Alias)
		}
		if x.ColAliases != nil {
			w("%v", x.ColAliases)
		}
	case *tree.FuncTable:
		pr(b, x.Func)
		if x.Ordinality {
			b.WriteString(" with ordinality")
		}
		if x.Alias != "" {
			w(" as %s", x.Alias)
		}
		if x.ColAliases != nil {
			w("%v", x.ColAliases)
		}
		for _, d := range x.ColDefs {
			w(" %s:%s", d.Name, typeStr(d.Type))
		}
	case *tree.Join:
		w("(%s join ", x.Kind)
		pr(b, x.Left)
		b.WriteString(" ")
		pr(b, x.Right)
		if x.On != nil {
			b.WriteString(" on ")
			pr(b, x.On)
		}
		if x.Using != nil {
			w(" using %v", x.Using)
		}
		b.WriteString(")")
	case *tree.ParenTable:
		b.WriteString("(")
		pr(b, x.Inner)
		b.WriteString(")")
	case tree.SetClause:
		if x.Columns != nil {
			w("%v", x.Columns)
		} else {
			b.WriteString(x.Column)
		}
		b.WriteString("=")
		pr(b, x.Value)
	case *tree.Insert:
		w("insert %s%v ", objStr(x.Table), x.Columns)
		if x.Source == nil {
			b.WriteString("default values")
		} else {
			pr(b, x.Source)
		}
		if oc := x.OnConflict; oc != nil {
			w(" on conflict %v", oc.Columns)
			if oc.DoNothing {
				b.WriteString(" do nothing")
			} else {
				b.WriteString(" do update ")
				prList(b, oc.Set)
			}
		}
		if x.Returning != nil {
			b.WriteString(" returning ")
			prList(b, x.Returning)
		}
	case *tree.Update:
		w("update %s", objStr(x.Table))
		if x.Alias != "" {
			w(" as %s", x.Alias)
		}
		b.WriteString(" set ")
		prList(b, x.Set)
		if x.From != nil {
			b.WriteString(" from ")
			prList(b, x.From)
		}
		if x.Where != nil {
			b.WriteString(" where ")
			pr(b, x.Where)
		}
		if x.Returning != nil {
			b.WriteString(" returning ")
			prList(b, x.Returning)
		}
	case *tree.Delete:
		w("delete %s", objStr(x.Table))
		if x.Where != nil {
			b.WriteString(" where ")
			pr(b, x.Where)
		}
		if x.Returning != nil {
			b.WriteString(" returning ")
			prList(b, x.Returning)
		}
	default:
		w("%+v", x)
	}
}

// collectPositions lists column refs, calls, strings and params with their
// positions in tree order.
func collectPositions(n any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case *tree.Select:
			walk(x.Body)
		case *tree.SelectClause:
			for _, tg := range x.Targets {
				walk(tg.Expr)
			}
			for _, f := range x.From {
				walk(f)
			}
			walk(x.Where)
		case *tree.BinaryExpr:
			walk(x.Left)
			walk(x.Right)
		case *tree.ColumnRef:
			out = append(out, fmt.Sprintf("%s@%d", strings.Join(x.Parts, "."), x.Pos))
		case *tree.FuncCall:
			out = append(out, fmt.Sprintf("%s@%d", x.Name, x.Pos))
			for _, a := range x.Args {
				walk(a)
			}
		case *tree.StringLit:
			out = append(out, fmt.Sprintf("'%s'@%d", x.Val, x.Pos))
		case *tree.Param:
			out = append(out, fmt.Sprintf("$%d@%d", x.N, x.Pos))
		}
	}
	walk(n)
	return out
}
