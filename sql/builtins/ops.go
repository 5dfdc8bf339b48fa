package builtins

import (
	"math"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

var intTypes = []*types.T{types.Int2, types.Int4, types.Int8}

func intRangeErr(f types.Family) error {
	switch f {
	case types.FamInt2:
		return pgerror.New(pgerror.CodeNumericValueOutOfRange, "smallint out of range")
	case types.FamInt4:
		return pgerror.New(pgerror.CodeNumericValueOutOfRange, "integer out of range")
	}
	return pgerror.New(pgerror.CodeNumericValueOutOfRange, "bigint out of range")
}

func checkInt(v int64, f types.Family) (types.Datum, error) {
	switch f {
	case types.FamInt2:
		if v < math.MinInt16 || v > math.MaxInt16 {
			return nil, intRangeErr(f)
		}
	case types.FamInt4:
		if v < math.MinInt32 || v > math.MaxInt32 {
			return nil, intRangeErr(f)
		}
	}
	return types.DInt(v), nil
}

func wider(a, b *types.T) *types.T {
	if a.Family >= b.Family {
		return a
	}
	return b
}

func intArith(op string, a, b int64, f types.Family) (types.Datum, error) {
	switch op {
	case "+":
		s := a + b
		if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) {
			return nil, intRangeErr(f)
		}
		return checkInt(s, f)
	case "-":
		s := a - b
		if (a >= 0 && b < 0 && s < 0) || (a < 0 && b > 0 && s >= 0) {
			return nil, intRangeErr(f)
		}
		return checkInt(s, f)
	case "*":
		r := a * b
		if a != 0 && (r/a != b || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64)) {
			return nil, intRangeErr(f)
		}
		return checkInt(r, f)
	case "/":
		if b == 0 {
			return nil, errDivZero()
		}
		if b == -1 {
			if a == math.MinInt64 {
				return nil, intRangeErr(f)
			}
			return checkInt(-a, f)
		}
		return checkInt(a/b, f)
	case "%":
		if b == 0 {
			return nil, errDivZero()
		}
		if b == -1 {
			return types.DInt(0), nil
		}
		return types.DInt(a % b), nil
	}
	return nil, pgerror.New(pgerror.CodeInternal, "unknown integer operator %s", op)
}

func absI(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

func floatResult(r float64, f types.Family, inInf bool, zeroOK bool) (types.Datum, error) {
	if f == types.FamFloat4 {
		r32 := float32(r)
		if math.IsInf(float64(r32), 0) && !inInf {
			return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: overflow")
		}
		if r32 == 0 && r != 0 || r == 0 && !zeroOK {
			return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: underflow")
		}
		return types.DFloat(r32), nil
	}
	if math.IsInf(r, 0) && !inInf {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: overflow")
	}
	if r == 0 && !zeroOK {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: underflow")
	}
	return types.DFloat(r), nil
}

func floatArith(op string, a, b float64, f types.Family) (types.Datum, error) {
	inf := math.IsInf(a, 0) || math.IsInf(b, 0)
	switch op {
	case "+":
		return floatResult(a+b, f, inf, true)
	case "-":
		return floatResult(a-b, f, inf, true)
	case "*":
		return floatResult(a*b, f, inf, a == 0 || b == 0)
	case "/":
		if b == 0 {
			return nil, errDivZero()
		}
		return floatResult(a/b, f, inf, a == 0 || math.IsInf(b, 0))
	}
	return nil, pgerror.New(pgerror.CodeInternal, "unknown float operator %s", op)
}

func powFloat(a, b float64) (types.Datum, error) {
	if a == 0 && b < 0 {
		return nil, pgerror.New("2201F", "zero raised to a negative power is undefined")
	}
	if a < 0 && b != math.Floor(b) && !math.IsInf(b, 0) {
		return nil, pgerror.New("2201F", "a negative number raised to a non-integer power yields a complex result")
	}
	r := math.Pow(a, b)
	return floatResult(r, types.FamFloat8, math.IsInf(a, 0) || math.IsInf(b, 0), a == 0 || math.IsInf(b, -1) || math.Abs(a) < 1 && math.IsInf(b, 1) || math.Abs(a) > 1 && math.IsInf(b, -1))
}

var cmpOps = []string{"=", "<>", "<", "<=", ">", ">="}

func cmpResult(op string, c int) types.Datum {
	switch op {
	case "=":
		return types.DBool(c == 0)
	case "<>":
		return types.DBool(c != 0)
	case "<":
		return types.DBool(c < 0)
	case "<=":
		return types.DBool(c <= 0)
	case ">":
		return types.DBool(c > 0)
	}
	return types.DBool(c >= 0)
}

// comparableTypes get the six comparison operators on same-type operands.
var comparableTypes = []*types.T{
	types.Bool, types.Numeric, types.Text, types.Name, types.Bytea, types.Date, types.Timestamp,
	types.TimestampTZ, types.Interval, types.UUID, types.JSONB, types.Oid, types.Vector, types.Halfvec, types.Sparsevec, types.Bit, types.Varbit, AnyArray, types.Record, AnyEnum,
	types.Citext,
}

// typedCompare orders values with the types package's btree order for t
// (collation, bpchar padding, jsonb's order); arrays and records, whose
// element types are only known once bound, use compareDatums.
func typedCompare(t *types.T) func(a, b types.Datum) int {
	if t.Family == types.FamArray || t.Family == types.FamRecord {
		return compareDatums
	}
	return func(a, b types.Datum) int { return types.Compare(t, a, b) }
}

func addComparisons() {
	for _, op := range cmpOps {
		mk := func(t *types.T) evalFn {
			c := typedCompare(t)
			return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				return cmpResult(op, c(a[0], a[1])), nil
			}
		}
		for _, l := range intTypes {
			for _, r := range intTypes {
				addBin(op, l, r, types.Bool, mk(types.Int8))
			}
		}
		for _, l := range []*types.T{types.Float4, types.Float8} {
			for _, r := range []*types.T{types.Float4, types.Float8} {
				addBin(op, l, r, types.Bool, mk(types.Float8))
			}
		}
		for _, t := range comparableTypes {
			addBin(op, t, t, types.Bool, mk(t))
		}
		addBin(op, types.Bpchar, types.Bpchar, types.Bool, mk(types.Bpchar))
		addBin(op, types.Tid, types.Tid, types.Bool, mk(types.Tid))
		if op != "=" && op != "<>" {
			continue
		}
		// xid and cid have only equality: their values wrap around, so
		// PostgreSQL gives them no order. xid = int4 compares the
		// integer's bits as an xid (xideqint4).
		addBin(op, types.Xid, types.Xid, types.Bool, mk(types.Xid))
		addBin(op, types.Cid, types.Cid, types.Bool, mk(types.Cid))
		addBin(op, types.Xid, types.Int4, types.Bool, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return cmpResult(op, types.Compare(types.Xid, a[0], types.DOid(uint32(int32(a[1].(types.DInt)))))), nil
		})
	}
}

func registerOperators() {
	addComparisons()
	for _, op := range []string{"+", "-", "*", "/", "%"} {
		for _, l := range intTypes {
			for _, r := range intTypes {
				res := wider(l, r)
				f := res.Family
				addBin(op, l, r, res, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
					return intArith(op, int64(a[0].(types.DInt)), int64(a[1].(types.DInt)), f)
				})
			}
		}
	}
	// Bitwise and, or and xor are defined per integer type, as in
	// PostgreSQL (JDBC's getIndexInfo tests indoption & 1::smallint); the
	// result of two in-range values is in range.
	bitwise := map[string]func(x, y int64) int64{
		"&": func(x, y int64) int64 { return x & y },
		"|": func(x, y int64) int64 { return x | y },
		"#": func(x, y int64) int64 { return x ^ y },
	}
	for op, fn := range bitwise {
		for _, t := range intTypes {
			f := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				return types.DInt(fn(int64(a[0].(types.DInt)), int64(a[1].(types.DInt)))), nil
			}
			addBin(op, t, t, t, f)
			addAgg(bitwiseAggs[op], params(t), t, func([]*types.T) Aggregator { return &bitwiseAgg{op: f} })
		}
	}
	// Shifts take an int4 count. PostgreSQL shifts in C, which on x86
	// uses the count's low five bits (six for bigint), and shifts a
	// smallint as an int, keeping the low 16 bits of the result.
	for _, t := range intTypes {
		f := t.Family
		shift := func(x, n int64, left bool) types.Datum {
			if f == types.FamInt8 {
				if left {
					return types.DInt(x << (n & 63))
				}
				return types.DInt(x >> (n & 63))
			}
			r := int32(x) >> (n & 31)
			if left {
				r = int32(x) << (n & 31)
			}
			if f == types.FamInt2 {
				return types.DInt(int16(r))
			}
			return types.DInt(r)
		}
		addBin("<<", t, types.Int4, t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return shift(i64(a[0]), i64(a[1]), true), nil
		})
		addBin(">>", t, types.Int4, t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return shift(i64(a[0]), i64(a[1]), false), nil
		})
		addUnary("~", t, t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return ^a[0].(types.DInt), nil
		})
	}
	for _, op := range []string{"+", "-", "*", "/"} {
		for _, l := range []*types.T{types.Float4, types.Float8} {
			for _, r := range []*types.T{types.Float4, types.Float8} {
				res := wider(l, r)
				f := res.Family
				addBin(op, l, r, res, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
					return floatArith(op, float64(a[0].(types.DFloat)), float64(a[1].(types.DFloat)), f)
				})
			}
		}
	}
	decOps := map[string]func(a, b *apd.Decimal) (*types.DDecimal, error){
		"+": decAdd, "-": decSub, "*": decMul, "/": decDiv, "%": decMod, "^": decPow,
	}
	for op, f := range decOps {
		addBin(op, types.Numeric, types.Numeric, types.Numeric, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return f(dec(a[0]), dec(a[1]))
		})
	}
	addBin("^", types.Float8, types.Float8, types.Float8, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return powFloat(float64(a[0].(types.DFloat)), float64(a[1].(types.DFloat)))
	})

	// Prefix operators.
	for _, t := range intTypes {
		f := t.Family
		addUnary("-", t, t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			v := int64(a[0].(types.DInt))
			if v == math.MinInt64 {
				return nil, intRangeErr(f)
			}
			return checkInt(-v, f)
		})
		addUnary("@", t, t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			v := int64(a[0].(types.DInt))
			if v == math.MinInt64 {
				return nil, intRangeErr(f)
			}
			return checkInt(absI(v), f)
		})
	}
	for _, t := range []*types.T{types.Float4, types.Float8} {
		addUnary("-", t, t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) { return -a[0].(types.DFloat), nil })
		addUnary("@", t, t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return types.DFloat(math.Abs(float64(a[0].(types.DFloat)))), nil
		})
	}
	addUnary("-", types.Numeric, types.Numeric, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		r := newDec()
		r.Neg(dec(a[0]))
		return r, nil
	})
	addUnary("@", types.Numeric, types.Numeric, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		r := newDec()
		r.Abs(dec(a[0]))
		return r, nil
	})
	for _, t := range []*types.T{types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric, types.Interval} {
		addUnary("+", t, t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) { return a[0], nil })
	}

	// Strings.
	addBin("||", types.Text, types.Text, types.Text, concatOp)
	for _, ps := range [][]*types.T{{Any, types.Text}, {types.Text, Any}} {
		registry.binary["||"] = append(registry.binary["||"], textOverload(&Overload{Params: ps, Return: types.Text},
			func(tx texter, at []*types.T) evalFn {
				return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
					return types.DString(tx(ctx, argType(at, 0), a[0]) + tx(ctx, argType(at, 1), a[1])), nil
				}
			}))
	}
	for _, l := range []struct {
		op          string
		insensitive bool
		negate      bool
	}{{"LIKE", false, false}, {"NOT LIKE", false, true}, {"ILIKE", true, false}, {"NOT ILIKE", true, true}} {
		l := l
		like := func(insensitive bool) evalFn {
			return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				ok, err := likeMatch(string(a[0].(types.DString)), string(a[1].(types.DString)), '\\', insensitive)
				if err != nil {
					return nil, err
				}
				return types.DBool(ok != l.negate), nil
			}
		}
		f := like(l.insensitive)
		addBin(l.op, types.Text, types.Text, types.Bool, f)
		addBin(l.op, types.Bpchar, types.Text, types.Bool, f)
		addBin(l.op, types.Name, types.Text, types.Bool, f)
		// citext's LIKE ignores case whichever operator is spelled.
		addBin(l.op, types.Citext, types.Citext, types.Bool, like(true))
		addBin(l.op, types.Citext, types.Text, types.Bool, like(true))
	}
	for _, r := range []struct {
		op          string
		insensitive bool
		negate      bool
	}{{"~", false, false}, {"!~", false, true}, {"~*", true, false}, {"!~*", true, true}} {
		r := r
		match := func(cache *regexCache, insensitive bool) evalFn {
			return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				re, err := cache.get(string(a[1].(types.DString)), insensitive)
				if err != nil {
					return nil, err
				}
				return types.DBool(re.MatchString(string(a[0].(types.DString))) != r.negate), nil
			}
		}
		for _, ps := range [][]*types.T{{types.Text, types.Text}, {types.Name, types.Text}, {types.Bpchar, types.Text},
			{types.Citext, types.Citext}, {types.Citext, types.Text}} {
			// citext's regular expression operators ignore case whichever
			// operator is spelled.
			insensitive := r.insensitive || ps[0].Family == types.FamCitext
			registry.binary[r.op] = append(registry.binary[r.op], &Overload{
				Params: ps, Return: types.Bool, Fn: match(nil, insensitive),
				// Each bound use keeps the last compiled pattern: a
				// constant pattern compiles once per statement.
				Bind: func([]*types.T) func(ctx *EvalContext, args []types.Datum) (types.Datum, error) {
					return match(&regexCache{}, insensitive)
				},
			})
		}
	}
	addFunc("like_escape", fn(params(types.Text, types.Text), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		s, err := likeEscape(string(a[0].(types.DString)), string(a[1].(types.DString)))
		if err != nil {
			return nil, err
		}
		return types.DString(s), nil
	}))
	similar := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		esc := "\\"
		if len(a) == 2 {
			esc = str(a[1])
		}
		s, err := similarToRegex(str(a[0]), esc)
		if err != nil {
			return nil, err
		}
		return types.DString(s), nil
	}
	addFunc("similar_to_escape", fn(params(types.Text), types.Text, similar))
	addFunc("similar_to_escape", fn(params(types.Text, types.Text), types.Text, similar))
	for _, name := range []string{"like", "ilike", "notlike", "notilike"} {
		insensitive := strings.Contains(name, "ilike")
		negate := strings.HasPrefix(name, "not")
		f := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			pat := string(a[1].(types.DString))
			if len(a) == 3 {
				var err error
				if pat, err = likeEscape(pat, string(a[2].(types.DString))); err != nil {
					return nil, err
				}
			}
			ok, err := likeMatch(string(a[0].(types.DString)), pat, '\\', insensitive)
			if err != nil {
				return nil, err
			}
			return types.DBool(ok != negate), nil
		}
		addFunc(name, fn(params(types.Text, types.Text), types.Bool, f))
		addFunc(name, fn(params(types.Text, types.Text, types.Text), types.Bool, f))
	}
}

// concatOp is text || text; a NULL operand makes NULL (the operator is
// strict), unlike concat().
func concatOp(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
	return types.DString(str(a[0]) + str(a[1])), nil
}

// similarToRegex translates a SIMILAR TO pattern with escape character
// esc ("" for none) into the anchored POSIX regular expression that ~
// matches, as PostgreSQL's similar_to_escape does: % and _ become .* and
// ., parentheses do not capture, a bracket expression is copied, the
// regex characters SQL treats literally are escaped, and esc" marks the
// parts of substring(... similar ...).
func similarToRegex(pat, esc string) (string, error) {
	if len([]rune(esc)) > 1 {
		return "", pgerror.New(pgerror.CodeInvalidEscapeSequence, "invalid escape string").WithHint("Escape string must be empty or one character.")
	}
	var e rune = -1
	for _, r := range esc {
		e = r
	}
	var b strings.Builder
	b.WriteString("^(?:")
	quotes, afterEscape, inClass := 0, false, false
	for _, c := range pat {
		switch {
		case afterEscape:
			afterEscape = false
			if c == '"' && !inClass {
				switch quotes {
				case 0:
					b.WriteString("){1,1}?(")
				case 1:
					b.WriteString("){1,1}(?:")
				default:
					return "", pgerror.New("2200C", "SQL regular expression may not contain more than two escape-double-quote separators")
				}
				quotes++
				continue
			}
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == e:
			afterEscape = true
		case inClass:
			if c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
			inClass = c != ']'
		case c == '[':
			b.WriteRune(c)
			inClass = true
		case c == '%':
			b.WriteString(".*")
		case c == '_':
			b.WriteByte('.')
		case c == '(':
			b.WriteString("(?:")
		case c == '\\' || c == '.' || c == '^' || c == '$':
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteString(")$")
	return b.String(), nil
}

// likeEscape rewrites a pattern using escape character esc into one using
// backslash, as PostgreSQL's like_escape does; an empty esc disables
// escaping.
func likeEscape(pat, esc string) (string, error) {
	if utf8.RuneCountInString(esc) > 1 {
		return "", pgerror.New(pgerror.CodeInvalidEscapeSequence, "invalid escape string").WithHint("Escape string must be empty or one character.")
	}
	if esc == "\\" {
		return pat, nil
	}
	var b strings.Builder
	escR, _ := utf8.DecodeRuneInString(esc)
	afterEsc := false
	for _, r := range pat {
		switch {
		case afterEsc:
			if r == '\\' {
				b.WriteString(`\\`)
			} else {
				b.WriteRune('\\')
				b.WriteRune(r)
			}
			afterEsc = false
		case esc != "" && r == escR:
			afterEsc = true
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	if afterEsc {
		return "", pgerror.New(pgerror.CodeInvalidEscapeSequence, "LIKE pattern must not end with escape character")
	}
	return b.String(), nil
}

type likeTok struct {
	r       rune
	any     bool // %
	one     bool // _
	literal bool
}

// likeMatch matches s against a LIKE pattern with % and _ wildcards.
func likeMatch(s, pat string, esc rune, insensitive bool) (bool, error) {
	if insensitive {
		s, pat = strings.ToLower(s), strings.ToLower(pat)
	}
	var toks []likeTok
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == esc:
			if i+1 >= len(rs) {
				return false, pgerror.New(pgerror.CodeInvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			i++
			toks = append(toks, likeTok{r: rs[i], literal: true})
		case r == '%':
			toks = append(toks, likeTok{any: true})
		case r == '_':
			toks = append(toks, likeTok{one: true})
		default:
			toks = append(toks, likeTok{r: r, literal: true})
		}
	}
	str := []rune(s)
	// Iterative wildcard matching with single-star backtracking.
	si, pi, starP, starS := 0, 0, -1, 0
	for si < len(str) {
		switch {
		case pi < len(toks) && (toks[pi].one || toks[pi].literal && toks[pi].r == str[si]):
			si++
			pi++
		case pi < len(toks) && toks[pi].any:
			starP, starS = pi, si
			pi++
		case starP >= 0:
			pi = starP + 1
			starS++
			si = starS
		default:
			return false, nil
		}
	}
	for pi < len(toks) && toks[pi].any {
		pi++
	}
	return pi == len(toks), nil
}

// regexCache remembers the last pattern compiled by one bound operator.
type regexCache struct {
	mu          sync.Mutex
	pat         string
	insensitive bool
	re          *regexp.Regexp
}

func (c *regexCache) get(pat string, insensitive bool) (*regexp.Regexp, error) {
	if c == nil {
		return compileRegex(pat, insensitive)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.re != nil && c.pat == pat && c.insensitive == insensitive {
		return c.re, nil
	}
	re, err := compileRegex(pat, insensitive)
	if err != nil {
		return nil, err
	}
	c.pat, c.insensitive, c.re = pat, insensitive, re
	return re, nil
}

// compileRegex compiles a POSIX regular expression with Go's RE2 engine,
// which covers PostgreSQL's ARE syntax except back-references,
// lookaround and the embedded-option forms other than (?i).
func compileRegex(pat string, insensitive bool) (*regexp.Regexp, error) {
	if insensitive {
		pat = "(?i)" + pat
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, pgerror.New("2201B", "invalid regular expression: %s", regexErrText(err))
	}
	return re, nil
}

func regexErrText(err error) string {
	if e, ok := err.(*syntax.Error); ok {
		return string(e.Code)
	}
	return err.Error()
}
