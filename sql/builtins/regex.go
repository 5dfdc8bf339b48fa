package builtins

import (
	"regexp"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// regexFlags reads PostgreSQL's regex flag string: g (all matches), i
// (case-insensitive), c (case-sensitive).
func regexFlags(flags string, fnName string) (global, insensitive bool, err error) {
	for _, f := range flags {
		switch f {
		case 'g':
			global = true
		case 'i':
			insensitive = true
		case 'c':
			insensitive = false
		case 'n', 'p', 'w', 's', 'x':
			// Newline-sensitivity and expanded-syntax flags are accepted;
			// RE2's defaults match PostgreSQL's for common patterns.
		default:
			return false, false, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid regular expression option: \"%c\"", f)
		}
	}
	return global, insensitive, nil
}

// pgReplacement converts PostgreSQL's \1 and \& references to Go's.
func pgReplacement(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] >= '1' && s[i+1] <= '9':
			b.WriteString("${" + s[i+1:i+2] + "}")
			i++
		case c == '\\' && i+1 < len(s) && s[i+1] == '&':
			b.WriteString("${0}")
			i++
		case c == '\\' && i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		case c == '$':
			b.WriteString("$$")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func matchArray(re *regexp.Regexp, m []int, s string) *types.DArray {
	out := &types.DArray{Elem: types.Text}
	if re.NumSubexp() == 0 {
		out.Elems = append(out.Elems, types.DString(s[m[0]:m[1]]))
		return out
	}
	for g := 1; g <= re.NumSubexp(); g++ {
		if m[2*g] < 0 {
			out.Elems = append(out.Elems, types.Null)
		} else {
			out.Elems = append(out.Elems, types.DString(s[m[2*g]:m[2*g+1]]))
		}
	}
	return out
}

func registerRegex() {
	replace := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		flags := ""
		if len(a) == 4 {
			flags = str(a[3])
		}
		global, insensitive, err := regexFlags(flags, "regexp_replace")
		if err != nil {
			return nil, err
		}
		re, err := compileRegex(str(a[1]), insensitive)
		if err != nil {
			return nil, err
		}
		s, repl := str(a[0]), pgReplacement(str(a[2]))
		if global {
			return types.DString(re.ReplaceAllString(s, repl)), nil
		}
		m := re.FindStringSubmatchIndex(s)
		if m == nil {
			return a[0], nil
		}
		var dst []byte
		dst = re.ExpandString(dst, repl, s, m)
		return types.DString(s[:m[0]] + string(dst) + s[m[1]:]), nil
	}
	addFunc("regexp_replace", fn(params(types.Text, types.Text, types.Text), types.Text, replace))
	addFunc("regexp_replace", fn(params(types.Text, types.Text, types.Text, types.Text), types.Text, replace))
	match := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		flags := ""
		if len(a) == 3 {
			flags = str(a[2])
		}
		global, insensitive, err := regexFlags(flags, "regexp_match")
		if err != nil {
			return nil, err
		}
		if global {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "regexp_match() does not support the \"global\" option").
				WithHint("Use the regexp_matches function instead.")
		}
		re, err := compileRegex(str(a[1]), insensitive)
		if err != nil {
			return nil, err
		}
		s := str(a[0])
		m := re.FindStringSubmatchIndex(s)
		if m == nil {
			return types.Null, nil
		}
		return matchArray(re, m, s), nil
	}
	// substring(string FROM pattern): the first parenthesized part of
	// the first match, or the whole match when the pattern has none.
	addFunc("substring", fn(t2, types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		re, err := compileRegex(str(a[1]), false)
		if err != nil {
			return nil, err
		}
		s := str(a[0])
		m := re.FindStringSubmatchIndex(s)
		switch {
		case m == nil:
			return types.Null, nil
		case len(m) > 2:
			if m[2] < 0 {
				return types.Null, nil
			}
			return types.DString(s[m[2]:m[3]]), nil
		}
		return types.DString(s[m[0]:m[1]]), nil
	}))
	textArr := types.ArrayOf(types.Text)
	addFunc("regexp_match", fn(t2, textArr, match))
	addFunc("regexp_match", fn(params(types.Text, types.Text, types.Text), textArr, match))
	split := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		flags := ""
		if len(a) == 3 {
			flags = str(a[2])
		}
		_, insensitive, err := regexFlags(flags, "regexp_split_to_array")
		if err != nil {
			return nil, err
		}
		re, err := compileRegex(str(a[1]), insensitive)
		if err != nil {
			return nil, err
		}
		out := &types.DArray{Elem: types.Text}
		for _, p := range re.Split(str(a[0]), -1) {
			out.Elems = append(out.Elems, types.DString(p))
		}
		return out, nil
	}
	addFunc("regexp_split_to_array", fn(t2, textArr, split))
	addFunc("regexp_split_to_array", fn(params(types.Text, types.Text, types.Text), textArr, split))
	matches := func(ctx *EvalContext, a []types.Datum) (generator, error) {
		flags := ""
		if len(a) == 3 {
			flags = str(a[2])
		}
		global, insensitive, err := regexFlags(flags, "regexp_matches")
		if err != nil {
			return nil, err
		}
		re, err := compileRegex(str(a[1]), insensitive)
		if err != nil {
			return nil, err
		}
		s := str(a[0])
		n := 1
		if global {
			n = -1
		}
		all := re.FindAllStringSubmatchIndex(s, n)
		i := 0
		return func() ([]types.Datum, bool, error) {
			if i >= len(all) {
				return nil, true, nil
			}
			i++
			return []types.Datum{matchArray(re, all[i-1], s)}, false, nil
		}, nil
	}
	col := []Column{{Name: "regexp_matches", Type: textArr}}
	addSRF("regexp_matches", &SRFOverload{Params: t2, Columns: col, Fn: matches})
	addSRF("regexp_matches", &SRFOverload{Params: params(types.Text, types.Text, types.Text), Columns: col, Fn: matches})
	splitRows := func(ctx *EvalContext, a []types.Datum) (generator, error) {
		d, err := split(ctx, a)
		if err != nil {
			return nil, err
		}
		elems := d.(*types.DArray).Elems
		i := 0
		return func() ([]types.Datum, bool, error) {
			if i >= len(elems) {
				return nil, true, nil
			}
			i++
			return []types.Datum{elems[i-1]}, false, nil
		}, nil
	}
	scol := []Column{{Name: "regexp_split_to_table", Type: types.Text}}
	addSRF("regexp_split_to_table", &SRFOverload{Params: t2, Columns: scol, Fn: splitRows})
	addSRF("regexp_split_to_table", &SRFOverload{Params: params(types.Text, types.Text, types.Text), Columns: scol, Fn: splitRows})
}
