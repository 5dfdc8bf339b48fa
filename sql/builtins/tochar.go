package builtins

import (
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/types"
)

// toCharNumber implements to_char's common numeric patterns: 9 and 0
// digits, . and D, , and G, S, MI, FM and literal text. The sign floats
// next to the leftmost digit unless MI places it.
func toCharNumber(v *apd.Decimal, pat string) string {
	type tok struct {
		kind byte // '9', '0', '.', ',', 'S', 'M' (MI), 'L' (literal)
		lit  string
	}
	var toks []tok
	fm := false
	for i := 0; i < len(pat); {
		up := strings.ToUpper(pat[i:])
		switch {
		case strings.HasPrefix(up, "FM"):
			fm = true
			i += 2
		case strings.HasPrefix(up, "MI"):
			toks = append(toks, tok{kind: 'M'})
			i += 2
		case pat[i] == '9' || pat[i] == '0' || pat[i] == '.' || pat[i] == ',':
			toks = append(toks, tok{kind: pat[i]})
			i++
		case up[0] == 'D':
			toks = append(toks, tok{kind: '.'})
			i++
		case up[0] == 'G':
			toks = append(toks, tok{kind: ','})
			i++
		case up[0] == 'S':
			toks = append(toks, tok{kind: 'S'})
			i++
		case pat[i] == '"':
			j := strings.IndexByte(pat[i+1:], '"')
			if j < 0 {
				toks = append(toks, tok{kind: 'L', lit: pat[i+1:]})
				i = len(pat)
			} else {
				toks = append(toks, tok{kind: 'L', lit: pat[i+1 : i+1+j]})
				i += j + 2
			}
		default:
			toks = append(toks, tok{kind: 'L', lit: pat[i : i+1]})
			i++
		}
	}
	intPos, fracPos, seenPoint := 0, 0, false
	hasMI, explicitS := false, false
	for _, t := range toks {
		switch t.kind {
		case '9', '0':
			if seenPoint {
				fracPos++
			} else {
				intPos++
			}
		case '.':
			seenPoint = true
		case 'M':
			hasMI = true
		case 'S':
			explicitS = true
		}
	}
	var r apd.Decimal
	c := exactCtx
	if _, err := c.Quantize(&r, v, -int32(fracPos)); err != nil {
		r.Set(v)
	}
	neg := r.Negative && !r.IsZero()
	r.Negative = false
	digits := r.Text('f')
	intStr, fracStr := digits, ""
	if k := strings.IndexByte(digits, '.'); k >= 0 {
		intStr, fracStr = digits[:k], digits[k+1:]
	}
	intStr = strings.TrimLeft(intStr, "0")
	overflow := len(intStr) > intPos

	var out []string // one entry per output position
	signAt := -1     // index in out where the floating sign goes
	started := false
	k, f := 0, 0
	afterPoint := false
	for _, t := range toks {
		switch t.kind {
		case '9', '0':
			if overflow {
				out = append(out, "#")
				continue
			}
			if afterPoint {
				d := byte('0')
				if f < len(fracStr) {
					d = fracStr[f]
				}
				f++
				out = append(out, string(d))
				continue
			}
			idx := k - (intPos - len(intStr))
			k++
			last := k == intPos
			switch {
			case idx >= 0:
				out = append(out, intStr[idx:idx+1])
				started = true
			case t.kind == '0' || started:
				out = append(out, "0")
				started = true
			case last && fracPos == 0 && intStr == "":
				out = append(out, "0")
				started = true
			default:
				out = append(out, " ")
				continue
			}
			if signAt < 0 {
				signAt = len(out) - 1
			}
		case '.':
			afterPoint = true
			if overflow {
				out = append(out, ".")
				continue
			}
			if signAt < 0 {
				signAt = len(out)
			}
			out = append(out, ".")
		case ',':
			if started || overflow {
				out = append(out, ",")
			} else {
				out = append(out, " ")
			}
		case 'M':
			if neg {
				out = append(out, "-")
			} else {
				out = append(out, " ")
			}
		case 'S':
			// Handled as the floating sign.
		case 'L':
			out = append(out, t.lit)
		}
	}
	if signAt < 0 {
		signAt = len(out)
	}
	if !hasMI {
		sign := " "
		switch {
		case neg:
			sign = "-"
		case explicitS:
			sign = "+"
		case fm:
			sign = ""
		}
		if overflow {
			signAt = 0
		}
		out = append(out[:signAt], append([]string{sign}, out[signAt:]...)...)
	}
	s := strings.Join(out, "")
	if fm {
		s = strings.TrimLeft(s, " ")
		if fracPos > 0 && !overflow {
			// FM drops trailing zeros that only 9s asked for.
			trim := 0
			for i := len(toks) - 1; i >= 0 && toks[i].kind == '9' && trim < len(s) && s[len(s)-1-trim] == '0'; i-- {
				trim++
			}
			s = s[:len(s)-trim]
		}
	}
	return s
}

func registerToChar() {
	addFunc("to_char", fn(params(types.Numeric, types.Text), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DString(toCharNumber(dec(a[0]), str(a[1]))), nil
	}))
	// PostgreSQL has an overload per numeric type, so integers never
	// take the float path.
	for _, t := range []*types.T{types.Int4, types.Int8} {
		addFunc("to_char", fn(params(t, types.Text), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return types.DString(toCharNumber(&decFromInt(i64(a[0])).Decimal, str(a[1]))), nil
		}))
	}
	for _, t := range []*types.T{types.Float4, types.Float8} {
		addFunc("to_char", fn(params(t, types.Text), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			d, err := decFromFloat(flt(a[0]))
			if err != nil {
				return nil, err
			}
			return types.DString(toCharNumber(&d.Decimal, str(a[1]))), nil
		}))
	}
}
