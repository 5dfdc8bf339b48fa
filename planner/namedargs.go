package planner

import (
	"strings"

	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

// positionalArgs rewrites a call that names its arguments (f(a => 1)) into
// positional form using PostgreSQL's parameter names of the built-in, and
// fills defaulted parameters the call leaves out. hasArity reports whether
// some overload takes that many arguments: a positional call that already
// fits one is left alone. The call itself is not modified.
func positionalArgs(n *tree.FuncCall, hasArity func(int) bool, argType func(tree.Expr) string) (*tree.FuncCall, error) {
	info, ok := builtins.Params(n.Name)
	named := len(n.ArgNames) > 0
	if !named && (!ok || hasArity(len(n.Args)) || len(n.Args) >= len(info.Names) || len(n.Args) < len(info.Names)-len(info.Defaults)) {
		return n, nil
	}
	undefined := func() error {
		parts := make([]string, len(n.Args))
		for i, a := range n.Args {
			parts[i] = argType(a)
			if named && n.ArgNames[i] != "" {
				parts[i] = n.ArgNames[i] + " => " + parts[i]
			}
		}
		return pgerror.New(pgerror.CodeUndefinedFunction, "function %s(%s) does not exist", n.Name, strings.Join(parts, ", ")).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.").WithPosition(int(n.Pos))
	}
	if !ok || len(n.Args) > len(info.Names) {
		return nil, undefined()
	}
	slots := make([]tree.Expr, len(info.Names))
	for i, a := range n.Args {
		k := i
		if named && n.ArgNames[i] != "" {
			k = -1
			for j, pn := range info.Names {
				if pn == n.ArgNames[i] {
					k = j
				}
			}
			if k < 0 || slots[k] != nil {
				return nil, undefined()
			}
		}
		slots[k] = a
	}
	firstDefault := len(info.Names) - len(info.Defaults)
	last := len(slots)
	for last > 0 && slots[last-1] == nil && last-1 >= firstDefault && hasArity(last-1) {
		last-- // an overload without the trailing defaulted parameters
	}
	slots = slots[:last]
	for k := range slots {
		if slots[k] != nil {
			continue
		}
		if k < firstDefault {
			return nil, undefined()
		}
		slots[k] = defaultLiteral(info.Defaults[k-firstDefault], n.Pos)
	}
	out := *n
	out.Args, out.ArgNames = slots, nil
	return &out, nil
}

// defaultLiteral is a parameter default written as a SQL literal.
func defaultLiteral(text string, pos tree.Pos) tree.Expr {
	switch text {
	case "true", "false":
		return &tree.BoolLit{Val: text == "true", Pos: pos}
	}
	return &tree.NumberLit{Text: text, Pos: pos}
}

// argTypeName names an argument's type for a "function ... does not
// exist" message, "unknown" when it does not bind on its own.
func (b *Binder) argTypeName(sc *scope) func(tree.Expr) string {
	return func(e tree.Expr) string {
		x, err := b.bindExpr(e, sc)
		if err != nil {
			return "unknown"
		}
		return x.Type().String()
	}
}

// overloadArity reports whether some overload takes n arguments.
func overloadArity(ovs []*builtins.Overload) func(int) bool {
	return func(n int) bool {
		for _, o := range ovs {
			if len(o.Params) == n || o.Variadic != nil && n >= len(o.Params) {
				return true
			}
		}
		return false
	}
}
