package builtins

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

func str(d types.Datum) string { return string(d.(types.DString)) }

func i64(d types.Datum) int64 { return int64(d.(types.DInt)) }

func textFn(f func(s string) string) evalFn {
	return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) { return types.DString(f(str(a[0]))), nil }
}

var t1 = params(types.Text)
var t2 = params(types.Text, types.Text)

func registerStrings() {
	charLen := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(utf8.RuneCountInString(str(a[0]))), nil
	}
	bpLen := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(utf8.RuneCountInString(strings.TrimRight(str(a[0]), " "))), nil
	}
	for _, n := range []string{"length", "char_length", "character_length"} {
		addFunc(n, fn(t1, types.Int4, charLen))
		addFunc(n, fn(params(types.Bpchar), types.Int4, bpLen))
	}
	addFunc("length", fn(params(types.Bytea), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(len(a[0].(types.DBytes))), nil
	}))
	addFunc("octet_length", fn(t1, types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(len(str(a[0]))), nil
	}))
	addFunc("octet_length", fn(params(types.Bytea), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(len(a[0].(types.DBytes))), nil
	}))
	addFunc("bit_length", fn(t1, types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(8 * len(str(a[0]))), nil
	}))
	addFunc("bit_length", fn(params(types.Bytea), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(8 * len(a[0].(types.DBytes))), nil
	}))
	addFunc("bit_count", fn(params(types.Bytea), types.Int8, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(popcount(a[0].(types.DBytes))), nil
	}))
	addFunc("lower", fn(t1, types.Text, textFn(strings.ToLower)))
	addFunc("upper", fn(t1, types.Text, textFn(strings.ToUpper)))
	addFunc("initcap", fn(t1, types.Text, textFn(initcap)))
	addFunc("reverse", fn(t1, types.Text, textFn(func(s string) string {
		r := []rune(s)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r)
	})))
	addFunc("md5", fn(t1, types.Text, textFn(func(s string) string { return md5Hex([]byte(s)) })))
	sub2 := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return substring(str(a[0]), i64(a[1]), -1, false)
	}
	sub3 := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return substring(str(a[0]), i64(a[1]), i64(a[2]), true)
	}
	for _, n := range []string{"substr", "substring"} {
		addFunc(n, fn(params(types.Text, types.Int4), types.Text, sub2))
		addFunc(n, fn(params(types.Text, types.Int4, types.Int4), types.Text, sub3))
	}
	overlay := func(s, repl string, sp, sl int64) (types.Datum, error) {
		head, tail, err := overlayParts(sp, sl, func(start, count int64, hasCount bool) (types.Datum, error) {
			return substring(s, start, count, hasCount)
		})
		if err != nil {
			return nil, err
		}
		return types.DString(str(head) + repl + str(tail)), nil
	}
	addFunc("overlay", fn(params(types.Text, types.Text, types.Int4, types.Int4), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return overlay(str(a[0]), str(a[1]), i64(a[2]), i64(a[3]))
	}))
	addFunc("overlay", fn(params(types.Text, types.Text, types.Int4), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return overlay(str(a[0]), str(a[1]), i64(a[2]), int64(utf8.RuneCountInString(str(a[1]))))
	}))
	pos := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		s, sub := str(a[0]), str(a[1])
		i := strings.Index(s, sub)
		if i < 0 {
			return types.DInt(0), nil
		}
		return types.DInt(utf8.RuneCountInString(s[:i]) + 1), nil
	}
	addFunc("position", fn(t2, types.Int4, pos))
	addFunc("strpos", fn(t2, types.Int4, pos))
	addFunc("replace", fn(params(types.Text, types.Text, types.Text), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if str(a[1]) == "" {
			return a[0], nil
		}
		return types.DString(strings.ReplaceAll(str(a[0]), str(a[1]), str(a[2]))), nil
	}))
	trims := map[string]func(s, cut string) string{
		"btrim": strings.Trim, "ltrim": strings.TrimLeft, "rtrim": strings.TrimRight,
	}
	for n, f := range trims {
		addFunc(n, fn(t1, types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return types.DString(f(str(a[0]), " ")), nil
		}))
		addFunc(n, fn(t2, types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return types.DString(f(str(a[0]), str(a[1]))), nil
		}))
	}
	addFunc("trim", registry.funcs["btrim"][0])
	addFunc("trim", registry.funcs["btrim"][1])
	for _, left := range []bool{true, false} {
		name := "rpad"
		if left {
			name = "lpad"
		}
		addFunc(name, fn(params(types.Text, types.Int4), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return pad(str(a[0]), i64(a[1]), " ", left)
		}))
		addFunc(name, fn(params(types.Text, types.Int4, types.Text), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return pad(str(a[0]), i64(a[1]), str(a[2]), left)
		}))
	}
	addFunc("left", fn(params(types.Text, types.Int4), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		r := []rune(str(a[0]))
		n := int(i64(a[1]))
		if n < 0 {
			n = max(len(r)+n, 0)
		}
		return types.DString(string(r[:min(n, len(r))])), nil
	}))
	addFunc("right", fn(params(types.Text, types.Int4), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		r := []rune(str(a[0]))
		n := int(i64(a[1]))
		if n < 0 {
			n = max(len(r)+n, 0)
		}
		n = min(n, len(r))
		return types.DString(string(r[len(r)-n:])), nil
	}))
	addFunc("repeat", fn(params(types.Text, types.Int4), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		n := i64(a[1])
		if n <= 0 {
			return types.DString(""), nil
		}
		if int64(len(str(a[0])))*n > maxStringBytes {
			return nil, pgerror.New(pgerror.CodeProgramLimitExceeded, "requested length too large")
		}
		return types.DString(strings.Repeat(str(a[0]), int(n))), nil
	}))
	addFunc("split_part", fn(params(types.Text, types.Text, types.Int4), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		s, d, n := str(a[0]), str(a[1]), i64(a[2])
		if n == 0 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "field position must not be zero")
		}
		var parts []string
		if d == "" {
			parts = []string{s}
			if s == "" {
				parts = nil
			}
		} else {
			parts = strings.Split(s, d)
		}
		if n < 0 {
			n = int64(len(parts)) + n + 1
		}
		if n < 1 || n > int64(len(parts)) {
			return types.DString(""), nil
		}
		return types.DString(parts[n-1]), nil
	}))
	addFunc("concat", textOverload(&Overload{Variadic: Any, Return: types.Text, NullCall: true},
		func(tx texter, at []*types.T) evalFn {
			return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				var b strings.Builder
				for i, d := range a {
					if !types.IsNull(d) {
						b.WriteString(tx(ctx, argType(at, i), d))
					}
				}
				return types.DString(b.String()), nil
			}
		}))
	addFunc("concat_ws", textOverload(&Overload{Params: params(types.Text), Variadic: Any, Return: types.Text, NullCall: true},
		func(tx texter, at []*types.T) evalFn {
			return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				if types.IsNull(a[0]) {
					return types.Null, nil
				}
				var parts []string
				for i, d := range a[1:] {
					if !types.IsNull(d) {
						parts = append(parts, tx(ctx, argType(at, i+1), d))
					}
				}
				return types.DString(strings.Join(parts, str(a[0]))), nil
			}
		}))
	addFunc("format", textOverload(&Overload{Params: params(types.Text), Variadic: Any, Return: types.Text, NullCall: true},
		func(tx texter, at []*types.T) evalFn {
			return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) { return formatFn(ctx, tx, at, a) }
		}))
	addFunc("starts_with", fn(t2, types.Bool, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DBool(strings.HasPrefix(str(a[0]), str(a[1]))), nil
	}))
	addFunc("translate", fn(params(types.Text, types.Text, types.Text), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		from, to := []rune(str(a[1])), []rune(str(a[2]))
		var b strings.Builder
		for _, r := range str(a[0]) {
			i := indexRune(from, r)
			switch {
			case i < 0:
				b.WriteRune(r)
			case i < len(to):
				b.WriteRune(to[i])
			}
		}
		return types.DString(b.String()), nil
	}))
	addFunc("ascii", fn(t1, types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		r, n := utf8.DecodeRuneInString(str(a[0]))
		if n == 0 {
			return types.DInt(0), nil
		}
		return types.DInt(r), nil
	}))
	addFunc("chr", fn(params(types.Int4), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		c := i64(a[0])
		if c == 0 {
			return nil, pgerror.New("54000", "null character not permitted")
		}
		if c < 0 || c > unicode.MaxRune || (c >= 0xD800 && c <= 0xDFFF) {
			return nil, pgerror.New(pgerror.CodeProgramLimitExceeded, "requested character too large for encoding: %d", c)
		}
		return types.DString(string(rune(c))), nil
	}))
	addFunc("quote_ident", fn(t1, types.Text, textFn(QuoteIdent)))
	addFunc("quote_literal", fn(t1, types.Text, textFn(quoteLiteral)))
	addFunc("quote_literal", textOverload(&Overload{Params: params(Any), Return: types.Text}, func(tx texter, at []*types.T) evalFn {
		return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return types.DString(quoteLiteral(tx(ctx, argType(at, 0), a[0]))), nil
		}
	}))
	addFunc("quote_nullable", &Overload{Params: params(types.Text), Return: types.Text, NullCall: true, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if types.IsNull(a[0]) {
			return types.DString("NULL"), nil
		}
		return types.DString(quoteLiteral(str(a[0]))), nil
	}})
	addFunc("to_hex", fn(params(types.Int8), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DString(strconv.FormatUint(uint64(i64(a[0])), 16)), nil
	}))
}

func md5Hex(b []byte) string {
	h := md5.Sum(b)
	return hex.EncodeToString(h[:])
}

func indexRune(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}

func initcap(s string) string {
	var b strings.Builder
	inWord := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if inWord {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToUpper(r))
			}
			inWord = true
		} else {
			b.WriteRune(r)
			inWord = false
		}
	}
	return b.String()
}

// substring is PostgreSQL's text_substr: positions before 1 still count
// against the length.
func substring(s string, start, count int64, hasCount bool) (types.Datum, error) {
	r := []rune(s)
	if hasCount && count < 0 {
		return nil, pgerror.New(pgerror.CodeSubstringError, "negative substring length not allowed")
	}
	from := start
	to := int64(len(r)) + 1
	if hasCount {
		to = start + count
	}
	from = max(from, 1)
	to = min(to, int64(len(r))+1)
	if from >= to {
		return types.DString(""), nil
	}
	return types.DString(string(r[from-1 : to-1])), nil
}

// maxStringBytes is PostgreSQL's 1GB limit on a text value.
const maxStringBytes = 1<<30 - 1

func pad(s string, n int64, fill string, left bool) (types.Datum, error) {
	r := []rune(s)
	if n <= 0 {
		return types.DString(""), nil
	}
	if int64(len(r)) >= n {
		return types.DString(string(r[:n])), nil
	}
	f := []rune(fill)
	if len(f) == 0 {
		return types.DString(s), nil
	}
	if n*4 > maxStringBytes {
		return nil, pgerror.New(pgerror.CodeProgramLimitExceeded, "requested length too large")
	}
	padding := make([]rune, 0, n-int64(len(r)))
	for i := 0; int64(len(padding)) < n-int64(len(r)); i++ {
		padding = append(padding, f[i%len(f)])
	}
	if left {
		return types.DString(string(padding) + s), nil
	}
	return types.DString(s + string(padding)), nil
}

// QuoteIdent is quote_ident; see types.QuoteIdent.
func QuoteIdent(s string) string { return types.QuoteIdent(s) }

func quoteLiteral(s string) string {
	if strings.Contains(s, `\`) {
		return `E'` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `''`) + `'`
	}
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}

// formatFn is format() with %s, %I, %L and %%, plus positional n$ forms.
func formatFn(ctx *EvalContext, tx texter, at []*types.T, a []types.Datum) (types.Datum, error) {
	if types.IsNull(a[0]) {
		return types.Null, nil
	}
	f := str(a[0])
	args := a[1:]
	var b strings.Builder
	next := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(f) {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "unterminated format() type specifier").
				WithHint(`For a single "%%" use "%%%%".`)
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		j := i
		for j < len(f) && f[j] >= '0' && f[j] <= '9' {
			j++
		}
		argIdx := next
		if j < len(f) && f[j] == '$' && j > i {
			n, _ := strconv.Atoi(f[i:j])
			if n == 0 {
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "format specifies argument 0, but arguments are numbered from 1")
			}
			argIdx = n - 1
			i = j + 1
		}
		if i >= len(f) {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "unterminated format() type specifier").
				WithHint(`For a single "%%" use "%%%%".`)
		}
		if argIdx >= len(args) {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "too few arguments for format()")
		}
		next = argIdx + 1
		d := args[argIdx]
		dt := argType(at, argIdx+1)
		switch f[i] {
		case 's':
			if !types.IsNull(d) {
				b.WriteString(tx(ctx, dt, d))
			}
		case 'I':
			if types.IsNull(d) {
				return nil, pgerror.New(pgerror.CodeNullValueNotAllowed, "null values cannot be formatted as an SQL identifier")
			}
			b.WriteString(QuoteIdent(tx(ctx, dt, d)))
		case 'L':
			if types.IsNull(d) {
				b.WriteString("NULL")
			} else {
				b.WriteString(quoteLiteral(tx(ctx, dt, d)))
			}
		default:
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "unrecognized format() type specifier \"%c\"", f[i]).
				WithHint(`For a single "%%" use "%%%%".`)
		}
	}
	return types.DString(b.String()), nil
}
