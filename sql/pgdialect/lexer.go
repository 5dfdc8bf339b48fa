package pgdialect

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// tokKind classifies a lexical token following PostgreSQL's scan.l.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // unquoted identifier or keyword, folded to lower case
	tQIdent         // "quoted identifier", case kept
	tString         // any string constant ('', E'', U&'', $$..$$), decoded
	tBits           // B'0101'
	tHex            // X'ff'
	tNumber         // numeric literal as written
	tParam          // $n
	tOp             // operator (PostgreSQL operator characters)
	tPunct          // ( ) [ ] , ; . : ::
)

// token is one lexical unit. off/end are byte offsets into the source.
type token struct {
	kind tokKind
	val  string // folded ident, decoded string, operator text, punct, number text
	off  int
	end  int
	n    int // parameter number for tParam
}

func (t token) is(kw string) bool { return t.kind == tIdent && t.val == kw }

func (t token) isPunct(p string) bool { return t.kind == tPunct && t.val == p }

func (t token) isOp(op string) bool { return t.kind == tOp && t.val == op }

// lexer scans PostgreSQL text; it never panics and reports errors as 42601.
type lexer struct {
	src string
	pos int
}

const opChars = "+-*/<>=~!@#%^&|`?"

func isOpChar(c byte) bool { return strings.IndexByte(opChars, c) >= 0 }

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentCont(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// charPos converts a byte offset into PostgreSQL's 1-based character position.
func charPos(src string, off int) int {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	return utf8.RuneCountInString(src[:off]) + 1
}

func (lx *lexer) errAt(off int, format string, args ...any) *pgerror.Error {
	return pgerror.New(pgerror.CodeSyntaxError, format, args...).WithPosition(charPos(lx.src, off))
}

// skipSpace skips whitespace and comments (-- and nested /* */).
func (lx *lexer) skipSpace() error {
	s := lx.src
	for lx.pos < len(s) {
		c := s[lx.pos]
		switch {
		case isSpace(c):
			lx.pos++
		case c == '-' && lx.pos+1 < len(s) && s[lx.pos+1] == '-':
			for lx.pos < len(s) && s[lx.pos] != '\n' && s[lx.pos] != '\r' {
				lx.pos++
			}
		case c == '/' && lx.pos+1 < len(s) && s[lx.pos+1] == '*':
			start := lx.pos
			depth := 0
			for {
				if lx.pos+1 >= len(s) {
					return lx.errAt(start, "unterminated /* comment at or near \"%s\"", truncate(s[start:]))
				}
				if s[lx.pos] == '/' && s[lx.pos+1] == '*' {
					depth++
					lx.pos += 2
					continue
				}
				if s[lx.pos] == '*' && s[lx.pos+1] == '/' {
					depth--
					lx.pos += 2
					if depth == 0 {
						break
					}
					continue
				}
				lx.pos++
			}
		default:
			return nil
		}
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 40 {
		// keep whole runes
		cut := 40
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return s[:cut]
	}
	return s
}

// lex returns every token of src followed by a tEOF token.
func lex(src string) ([]token, error) {
	lx := &lexer{src: src}
	toks := make([]token, 0, len(src)/4+2)
	for {
		if err := lx.skipSpace(); err != nil {
			return nil, err
		}
		if lx.pos >= len(src) {
			toks = append(toks, token{kind: tEOF, off: len(src), end: len(src)})
			return toks, nil
		}
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
	}
}

func (lx *lexer) next() (token, error) {
	s := lx.src
	start := lx.pos
	c := s[start]
	// string prefixes: E'', B'', X'', N'', U&''
	if lx.pos+1 < len(s) {
		n := s[lx.pos+1]
		switch {
		case (c == 'e' || c == 'E') && n == '\'':
			lx.pos++
			v, err := lx.quoted(true)
			return token{kind: tString, val: v, off: start, end: lx.pos}, err
		case (c == 'b' || c == 'B') && n == '\'':
			lx.pos++
			v, err := lx.quoted(false)
			return token{kind: tBits, val: v, off: start, end: lx.pos}, err
		case (c == 'x' || c == 'X') && n == '\'':
			lx.pos++
			v, err := lx.quoted(false)
			return token{kind: tHex, val: v, off: start, end: lx.pos}, err
		case (c == 'n' || c == 'N') && n == '\'':
			lx.pos++
			v, err := lx.quoted(false)
			return token{kind: tString, val: v, off: start, end: lx.pos}, err
		case (c == 'u' || c == 'U') && n == '&' && lx.pos+2 < len(s) && (s[lx.pos+2] == '\'' || s[lx.pos+2] == '"'):
			lx.pos += 2
			q := s[lx.pos]
			var v string
			var err error
			if q == '\'' {
				v, err = lx.quoted(false)
			} else {
				v, err = lx.quotedIdent()
			}
			if err != nil {
				return token{}, err
			}
			v, err = lx.unicodeEscapes(v, start)
			if err != nil {
				return token{}, err
			}
			kind := tString
			if q == '"' {
				kind = tQIdent
			}
			return token{kind: kind, val: v, off: start, end: lx.pos}, nil
		}
	}
	switch {
	case c == '\'':
		v, err := lx.quoted(false)
		return token{kind: tString, val: v, off: start, end: lx.pos}, err
	case c == '"':
		v, err := lx.quotedIdent()
		if err == nil && v == "" {
			return token{}, lx.errAt(start, "zero-length delimited identifier at or near \"\"\"\"")
		}
		return token{kind: tQIdent, val: truncateIdent(v), off: start, end: lx.pos}, err
	case c == '$':
		if lx.pos+1 < len(s) && isDigit(s[lx.pos+1]) {
			lx.pos++
			for lx.pos < len(s) && isDigit(s[lx.pos]) {
				lx.pos++
			}
			n, err := strconv.Atoi(s[start+1 : lx.pos])
			if err != nil || n <= 0 || n > 65535 {
				return token{}, pgerror.New(pgerror.CodeUndefinedParameter, "there is no parameter %s", s[start:lx.pos]).
					WithPosition(charPos(s, start))
			}
			return token{kind: tParam, val: s[start:lx.pos], n: n, off: start, end: lx.pos}, nil
		}
		// dollar quote $tag$...$tag$
		j := lx.pos + 1
		for j < len(s) && isIdentCont(s[j]) && s[j] != '$' {
			j++
		}
		if j < len(s) && s[j] == '$' && (j == lx.pos+1 || isIdentStart(s[lx.pos+1])) {
			tag := s[lx.pos : j+1]
			body := j + 1
			k := strings.Index(s[body:], tag)
			if k < 0 {
				return token{}, lx.errAt(start, "unterminated dollar-quoted string at or near \"%s\"", truncate(s[start:]))
			}
			lx.pos = body + k + len(tag)
			return token{kind: tString, val: s[body : body+k], off: start, end: lx.pos}, nil
		}
		lx.pos++
		return token{}, lx.errAt(start, "syntax error at or near \"$\"")
	case isDigit(c) || (c == '.' && lx.pos+1 < len(s) && isDigit(s[lx.pos+1])):
		t := lx.number()
		// PostgreSQL 15 rejects a number running into an identifier (0x1F,
		// 1e, 12abc) instead of reading the rest as an alias
		if lx.pos < len(s) && isIdentStart(s[lx.pos]) {
			j := lx.pos
			for j < len(s) && isIdentCont(s[j]) {
				j++
			}
			// "1e+" (an exponent sign without digits) is matched whole
			if e := s[lx.pos]; (e == 'e' || e == 'E') && lx.pos+1 < len(s) && (s[lx.pos+1] == '+' || s[lx.pos+1] == '-') && lx.pos+2 > j {
				j = lx.pos + 2
			}
			return token{}, lx.errAt(start, "trailing junk after numeric literal at or near \"%s\"", s[start:j])
		}
		return t, nil
	case isIdentStart(c):
		for lx.pos < len(s) && isIdentCont(s[lx.pos]) {
			lx.pos++
		}
		raw := s[start:lx.pos]
		return token{kind: tIdent, val: truncateIdent(foldIdent(raw)), off: start, end: lx.pos}, nil
	case c == ':':
		if lx.pos+1 < len(s) && s[lx.pos+1] == ':' {
			lx.pos += 2
			return token{kind: tPunct, val: "::", off: start, end: lx.pos}, nil
		}
		if lx.pos+1 < len(s) && s[lx.pos+1] == '=' {
			lx.pos += 2
			return token{kind: tOp, val: ":=", off: start, end: lx.pos}, nil
		}
		lx.pos++
		return token{kind: tPunct, val: ":", off: start, end: lx.pos}, nil
	case c == '.' && lx.pos+1 < len(s) && s[lx.pos+1] == '.':
		lx.pos += 2
		return token{kind: tPunct, val: "..", off: start, end: lx.pos}, nil
	case strings.IndexByte("()[],;.", c) >= 0:
		lx.pos++
		return token{kind: tPunct, val: s[start:lx.pos], off: start, end: lx.pos}, nil
	case isOpChar(c):
		return lx.operator(), nil
	}
	_, size := utf8.DecodeRuneInString(s[start:])
	lx.pos += size
	return token{}, lx.errAt(start, "syntax error at or near \"%s\"", s[start:lx.pos])
}

// maxIdentLen is PostgreSQL's NAMEDATALEN-1: longer names are truncated.
const maxIdentLen = 63

// truncateIdent cuts an identifier to 63 bytes on a character boundary, as
// PostgreSQL's truncate_identifier does.
func truncateIdent(s string) string {
	if len(s) <= maxIdentLen {
		return s
	}
	cut := maxIdentLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// foldIdent lower-cases ASCII letters as PostgreSQL's downcase_identifier does.
func foldIdent(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// operator scans an operator with PostgreSQL's rules: it stops before a
// comment start, and a multi-character operator may end in + or - only if
// it contains one of ~ ! @ # % ^ & | ` ?.
func (lx *lexer) operator() token {
	s := lx.src
	start := lx.pos
	j := start
	for j < len(s) && isOpChar(s[j]) {
		if j > start && ((s[j] == '-' && j+1 < len(s) && s[j+1] == '-') || (s[j] == '/' && j+1 < len(s) && s[j+1] == '*')) {
			break
		}
		if s[j] == '-' && j+1 < len(s) && s[j+1] == '-' && j == start {
			break // cannot happen: skipSpace handles comments
		}
		j++
	}
	op := s[start:j]
	if len(op) > 1 && (op[len(op)-1] == '+' || op[len(op)-1] == '-') {
		if !strings.ContainsAny(op, "~!@#%^&|`?") {
			for len(op) > 1 && (op[len(op)-1] == '+' || op[len(op)-1] == '-') {
				op = op[:len(op)-1]
			}
		}
	}
	lx.pos = start + len(op)
	if op == "!=" {
		op = "<>"
	}
	return token{kind: tOp, val: op, off: start, end: lx.pos}
}

func (lx *lexer) number() token {
	s := lx.src
	start := lx.pos
	for lx.pos < len(s) && isDigit(s[lx.pos]) {
		lx.pos++
	}
	if lx.pos < len(s) && s[lx.pos] == '.' && !(lx.pos+1 < len(s) && s[lx.pos+1] == '.') {
		lx.pos++
		for lx.pos < len(s) && isDigit(s[lx.pos]) {
			lx.pos++
		}
	}
	if lx.pos < len(s) && (s[lx.pos] == 'e' || s[lx.pos] == 'E') {
		j := lx.pos + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			lx.pos = j
		}
	}
	return token{kind: tNumber, val: s[start:lx.pos], off: start, end: lx.pos}
}

// quoted scans a '...' string starting at lx.pos (the quote). escapes selects
// E-string backslash processing. Adjacent constants separated by a newline are
// concatenated as PostgreSQL does.
func (lx *lexer) quoted(escapes bool) (string, error) {
	s := lx.src
	start := lx.pos
	var b strings.Builder
	lx.pos++
	for {
		if lx.pos >= len(s) {
			return "", lx.errAt(start, "unterminated quoted string at or near \"%s\"", truncate(s[start:]))
		}
		c := s[lx.pos]
		if c == '\'' {
			if lx.pos+1 < len(s) && s[lx.pos+1] == '\'' {
				b.WriteByte('\'')
				lx.pos += 2
				continue
			}
			lx.pos++
			// continuation: whitespace (and -- comments) including a newline,
			// then another quote
			j := lx.pos
			sawNL := false
			for j < len(s) {
				if isSpace(s[j]) {
					if s[j] == '\n' || s[j] == '\r' {
						sawNL = true
					}
					j++
					continue
				}
				if s[j] == '-' && j+1 < len(s) && s[j+1] == '-' {
					for j < len(s) && s[j] != '\n' && s[j] != '\r' {
						j++
					}
					continue
				}
				break
			}
			if sawNL && j < len(s) && s[j] == '\'' {
				lx.pos = j + 1
				continue
			}
			return b.String(), nil
		}
		if escapes && c == '\\' && lx.pos+1 < len(s) {
			lx.pos++
			e := s[lx.pos]
			switch e {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'x':
				j := lx.pos + 1
				for j < len(s) && j < lx.pos+3 && isHex(s[j]) {
					j++
				}
				if j == lx.pos+1 {
					b.WriteByte('x')
					break
				}
				v, _ := strconv.ParseUint(s[lx.pos+1:j], 16, 8)
				b.WriteByte(byte(v))
				lx.pos = j - 1
			case 'u', 'U':
				n := 4
				if e == 'U' {
					n = 8
				}
				if lx.pos+n >= len(s) || !allHex(s[lx.pos+1:lx.pos+1+n]) {
					return "", pgerror.New(pgerror.CodeInvalidEscapeSequence, "invalid Unicode escape").
						WithHint("Unicode escapes must be \\uXXXX or \\UXXXXXXXX.").WithPosition(charPos(s, lx.pos-1))
				}
				v, err := strconv.ParseUint(s[lx.pos+1:lx.pos+1+n], 16, 32)
				if err != nil || !utf8.ValidRune(rune(v)) {
					return "", lx.errAt(lx.pos-1, "invalid Unicode escape value")
				}
				b.WriteRune(rune(v))
				lx.pos += n
			default:
				if e >= '0' && e <= '7' {
					j := lx.pos
					for j < len(s) && j < lx.pos+3 && s[j] >= '0' && s[j] <= '7' {
						j++
					}
					v, _ := strconv.ParseUint(s[lx.pos:j], 8, 16)
					b.WriteByte(byte(v))
					lx.pos = j - 1
				} else {
					b.WriteByte(e)
				}
			}
			lx.pos++
			continue
		}
		b.WriteByte(c)
		lx.pos++
	}
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (lx *lexer) quotedIdent() (string, error) {
	s := lx.src
	start := lx.pos
	var b strings.Builder
	lx.pos++
	for {
		if lx.pos >= len(s) {
			return "", lx.errAt(start, "unterminated quoted identifier at or near \"%s\"", truncate(s[start:]))
		}
		c := s[lx.pos]
		if c == '"' {
			if lx.pos+1 < len(s) && s[lx.pos+1] == '"' {
				b.WriteByte('"')
				lx.pos += 2
				continue
			}
			lx.pos++
			return b.String(), nil
		}
		b.WriteByte(c)
		lx.pos++
	}
}

// unicodeEscapes decodes U&-string escapes (\XXXX, \+XXXXXX, \\).
func (lx *lexer) unicodeEscapes(v string, start int) (string, error) {
	if !strings.Contains(v, "\\") {
		return v, nil
	}
	// positions point at the escape (exact unless a doubled quote precedes it)
	at := func(i int) int { return start + 3 + i }
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' {
			b.WriteByte(v[i])
			continue
		}
		switch {
		case i+1 < len(v) && v[i+1] == '\\':
			b.WriteByte('\\')
			i++
		case i+7 < len(v) && v[i+1] == '+':
			r, err := strconv.ParseUint(v[i+2:i+8], 16, 32)
			if err != nil || !utf8.ValidRune(rune(r)) {
				return "", lx.errAt(at(i), "invalid Unicode escape value")
			}
			b.WriteRune(rune(r))
			i += 7
		case i+4 < len(v):
			r, err := strconv.ParseUint(v[i+1:i+5], 16, 32)
			if err != nil || !utf8.ValidRune(rune(r)) {
				return "", lx.errAt(at(i), "invalid Unicode escape value")
			}
			b.WriteRune(rune(r))
			i += 4
		default:
			return "", lx.errAt(at(i), "invalid Unicode escape")
		}
	}
	return b.String(), nil
}
