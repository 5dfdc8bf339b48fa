package builtins

import (
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// Overload resolution follows PostgreSQL's func_select_candidate
// (doc: "Type Conversion" chapter); implicit casts are pg_cast's, as
// types.CanCast reports them.

// sameType compares types for matching purposes: modifiers do not matter.
func sameType(a, b *types.T) bool {
	if a == nil || b == nil || a.Family != b.Family {
		return false
	}
	if a.Family == types.FamArray {
		if a.Elem == nil || b.Elem == nil {
			return a.Elem == b.Elem
		}
		return sameType(a.Elem, b.Elem)
	}
	if a.Family == types.FamEnum {
		return a.Enum != nil && b.Enum != nil && a.Enum.OID == b.Enum.OID
	}
	return true
}

// ImplicitCast reports whether PostgreSQL converts from to to without an
// explicit cast (unknown literals convert to anything).
func ImplicitCast(from, to *types.T) bool {
	if from.Family == types.FamUnknown || sameType(from, to) {
		return true
	}
	if from.Family == types.FamArray && to.Family == types.FamArray && from.Elem != nil && to.Elem != nil {
		return ImplicitCast(from.Elem, to.Elem) && from.Elem.Family != types.FamUnknown
	}
	if from.Family == types.FamArray || to.Family == types.FamArray {
		return false
	}
	return types.CanCast(from, to, types.CastImplicit)
}

// CommonType is PostgreSQL's select_common_type for polymorphic arguments:
// the type every known input converts to implicitly, preferring the
// category's preferred type; unknown inputs alone give text. ok is false
// when the inputs have no common type.
func CommonType(ts []*types.T) (*types.T, bool) {
	var res *types.T
	for _, t := range ts {
		if t == nil || t.Family == types.FamUnknown {
			continue
		}
		switch {
		case res == nil:
			res = t
		case sameType(res, t):
		case res.Category() != t.Category():
			return nil, false
		case !res.Preferred() && ImplicitCast(res, t) && !ImplicitCast(t, res):
			res = t
		case ImplicitCast(t, res):
		default:
			return nil, false
		}
	}
	if res == nil {
		return types.Text, true
	}
	for _, t := range ts {
		if t != nil && !ImplicitCast(t, res) {
			return nil, false
		}
	}
	return res, true
}

type candidate struct {
	o        *Overload
	resolved []*types.T
	pseudo   []bool // parameter is polymorphic or "any" (category P)
	exact    int
}

func (c *candidate) category(i int) byte {
	if c.pseudo[i] {
		return 'P'
	}
	return c.resolved[i].Category()
}

func paramAt(o *Overload, i int) *types.T {
	if i < len(o.Params) {
		return o.Params[i]
	}
	return o.Variadic
}

func isAnyArray(p *types.T) bool { return p != nil && p.Family == types.FamArray && p.Elem == nil }

func isAnyEnum(p *types.T) bool { return p != nil && p.Family == types.FamEnum && p.Enum == nil }

// matchOverload checks whether args can call o, returning the parameter
// type each argument takes and the number of known args whose type equals
// a non-polymorphic parameter's.
func matchOverload(o *Overload, args []*types.T) (*candidate, bool) {
	if len(args) < len(o.Params) || (len(args) > len(o.Params) && o.Variadic == nil) {
		return nil, false
	}
	c := &candidate{o: o, resolved: make([]*types.T, len(args)), pseudo: make([]bool, len(args))}
	var poly []*types.T
	hasPoly := false
	for i, a := range args {
		p := paramAt(o, i)
		c.pseudo[i] = p == nil || isAnyArray(p) || isAnyEnum(p) || p.Family == types.FamUnknown
		switch {
		case p == nil:
			hasPoly = true
			poly = append(poly, a)
		case isAnyEnum(p):
			if a.Family != types.FamUnknown && a.Family != types.FamEnum {
				return nil, false
			}
			hasPoly = true
			poly = append(poly, a)
		case isAnyArray(p):
			hasPoly = true
			switch {
			case a.Family == types.FamArray && a.Elem != nil:
				poly = append(poly, a.Elem)
			case a.Family != types.FamUnknown:
				return nil, false
			}
		case p.Family == types.FamUnknown: // "any"
			c.resolved[i] = a
			if a.Family == types.FamUnknown && !o.keepUnknown {
				c.resolved[i] = types.Text
			}
		case a.Family == types.FamUnknown:
			c.resolved[i] = p
		case sameType(a, p):
			c.resolved[i] = p
			c.exact++
		case ImplicitCast(a, p):
			c.resolved[i] = p
		default:
			return nil, false
		}
	}
	if hasPoly {
		common, ok := CommonType(poly)
		if !ok {
			return nil, false
		}
		for i := range args {
			p := paramAt(o, i)
			switch {
			case isAnyEnum(p):
				if common.Family != types.FamEnum {
					return nil, false
				}
				c.resolved[i] = common
			case p == nil:
				c.resolved[i] = common
			case isAnyArray(p):
				c.resolved[i] = types.ArrayOf(common)
			}
		}
	}
	return c, true
}

func isOperatorName(name string) bool {
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r == '_' {
			return false
		}
	}
	return true
}

func resolve(name string, overloads []*Overload, args []*types.T) (*Overload, []*types.T, error) {
	var cands []*candidate
	for _, o := range overloads {
		if c, ok := matchOverload(o, args); ok {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return nil, nil, notFound(name, args)
	}
	known, unknown := 0, 0
	for _, a := range args {
		if a.Family == types.FamUnknown {
			unknown++
		} else {
			known++
		}
	}
	// An exact match on every known argument wins outright; operators
	// first assume an unknown operand has the other operand's type.
	// (LIKE arrives spelled as the parser has it, "like".)
	if unknown > 0 && known > 0 && isOperatorName(normalizeOp(name)) {
		if c := assumeKnownType(cands, args); c != nil {
			return c.o, c.resolved, nil
		}
	}
	for _, c := range cands {
		if c.exact == known && unknown == 0 && len(cands) > 1 {
			return c.o, c.resolved, nil
		}
	}
	if len(cands) == 1 {
		return cands[0].o, cands[0].resolved, nil
	}
	// Keep the candidates with the most exact matches.
	cands = keepMax(cands, func(c *candidate) int { return c.exact })
	if len(cands) == 1 {
		return cands[0].o, cands[0].resolved, nil
	}
	// Then those taking, at known positions, the input's type or the
	// preferred type of its category. Polymorphic and "any" parameters
	// never count as matches, as in PostgreSQL.
	cands = keepMax(cands, func(c *candidate) int {
		n := 0
		for i, a := range args {
			if a.Family == types.FamUnknown || c.pseudo[i] {
				continue
			}
			p := c.resolved[i]
			if sameType(a, p) || p.Preferred() && p.Category() == a.Category() {
				n++
			}
		}
		return n
	})
	if len(cands) == 1 {
		return cands[0].o, cands[0].resolved, nil
	}
	// Unknown arguments: prefer the string category, else the single
	// category all candidates accept, and within it the preferred type.
	if unknown > 0 {
		for i, a := range args {
			if a.Family != types.FamUnknown {
				continue
			}
			var cat byte
			conflict, sawString := false, false
			for _, c := range cands {
				cc := c.category(i)
				if cc == 'S' {
					sawString = true
				}
				if cat == 0 {
					cat = cc
				} else if cat != cc {
					conflict = true
				}
			}
			if sawString {
				cat = 'S'
			} else if conflict {
				return nil, nil, ambiguous(name, args)
			}
			var keep []*candidate
			pref := false
			for _, c := range cands {
				if c.category(i) == cat {
					keep = append(keep, c)
					if !c.pseudo[i] && c.resolved[i].Preferred() {
						pref = true
					}
				}
			}
			if pref {
				var kp []*candidate
				for _, c := range keep {
					if !c.pseudo[i] && c.resolved[i].Preferred() {
						kp = append(kp, c)
					}
				}
				keep = kp
			}
			cands = keep
		}
		if len(cands) == 1 {
			return cands[0].o, cands[0].resolved, nil
		}
		if known > 0 {
			if c := assumeKnownType(cands, args); c != nil {
				return c.o, c.resolved, nil
			}
		}
	}
	if len(cands) == 1 {
		return cands[0].o, cands[0].resolved, nil
	}
	return nil, nil, ambiguous(name, args)
}

// assumeKnownType implements PostgreSQL's last-resort rule: when all known
// arguments share one type, unknown arguments are taken to be of it.
func assumeKnownType(cands []*candidate, args []*types.T) *candidate {
	var kt *types.T
	for _, a := range args {
		if a.Family == types.FamUnknown {
			continue
		}
		if kt == nil {
			kt = a
		} else if !sameType(kt, a) {
			return nil
		}
	}
	var found *candidate
	for _, c := range cands {
		ok := true
		for i, a := range args {
			want := a
			if a.Family == types.FamUnknown {
				want = kt
			}
			if !sameType(c.resolved[i], want) {
				ok = false
				break
			}
		}
		if ok {
			if found != nil {
				return nil
			}
			found = c
		}
	}
	return found
}

func keepMax(cands []*candidate, score func(*candidate) int) []*candidate {
	best := -1
	var out []*candidate
	for _, c := range cands {
		s := score(c)
		switch {
		case s > best:
			best = s
			out = append(out[:0:0], c)
		case s == best:
			out = append(out, c)
		}
	}
	return out
}

// OperatorSpelling is the operator as PostgreSQL names it in messages and
// deparsed expressions (LIKE is ~~, != is <>).
func OperatorSpelling(name string) string {
	switch strings.ToUpper(name) {
	case "LIKE":
		return "~~"
	case "NOT LIKE":
		return "!~~"
	case "ILIKE":
		return "~~*"
	case "NOT ILIKE":
		return "!~~*"
	case "!=":
		return "<>"
	}
	return name
}

// TypeList spells argument types as PostgreSQL's "does not exist" and
// "is not unique" messages do: without type modifiers (format_type_be).
func TypeList(args []*types.T) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.BaseString()
	}
	return strings.Join(parts, ", ")
}

func opSignature(name string, args []*types.T) string {
	op := OperatorSpelling(name)
	if len(args) == 1 {
		return op + " " + args[0].BaseString()
	}
	if len(args) == 2 {
		return args[0].BaseString() + " " + op + " " + args[1].BaseString()
	}
	return op + "(" + TypeList(args) + ")"
}

func notFound(name string, args []*types.T) error {
	if isOperatorName(name) {
		err := pgerror.New(pgerror.CodeUndefinedFunction, "operator does not exist: %s", opSignature(name, args))
		if len(args) == 1 {
			return err.WithHint("No operator matches the given name and argument type. You might need to add an explicit type cast.")
		}
		return err.WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
	}
	return pgerror.New(pgerror.CodeUndefinedFunction, "function %s(%s) does not exist", name, TypeList(args)).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

func ambiguous(name string, args []*types.T) error {
	if isOperatorName(name) {
		return pgerror.New(pgerror.CodeAmbiguousFunction, "operator is not unique: %s", opSignature(name, args)).
			WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.")
	}
	return pgerror.New(pgerror.CodeAmbiguousFunction, "function %s(%s) is not unique", name, TypeList(args)).
		WithHint("Could not choose a best candidate function. You might need to add explicit type casts.")
}
