package types

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// jsonNode is a parsed JSON value kept only long enough to print jsonb's
// normal form.
type jsonNode struct {
	kind byte // 'o' object, 'a' array, 's' string, 'n' number, 'l' literal
	text string
	keys []string
	vals []*jsonNode
}

type jsonParser struct {
	s     string
	pos   int
	build bool // build nodes (jsonb) or only validate (json)
}

func jsonErr(detail string) error {
	e := pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type json")
	if detail != "" {
		return e.WithDetail("%s", detail)
	}
	return e
}

func (p *jsonParser) skipWS() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (*jsonNode, error) {
	if depth > 6400 {
		return nil, pgerror.New(pgerror.CodeProgramLimitExceeded, "stack depth limit exceeded")
	}
	p.skipWS()
	if p.pos >= len(p.s) {
		return nil, jsonErr("The input string ended unexpectedly.")
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		p.pos++
		n := &jsonNode{kind: 'o'}
		p.skipWS()
		if p.pos < len(p.s) && p.s[p.pos] == '}' {
			p.pos++
			return n, nil
		}
		for {
			p.skipWS()
			if p.pos >= len(p.s) {
				return nil, jsonErr("The input string ended unexpectedly.")
			}
			if p.s[p.pos] != '"' {
				return nil, jsonErr("Expected string or \"}\", but found \"" + p.token() + "\".")
			}
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.skipWS()
			if p.pos >= len(p.s) || p.s[p.pos] != ':' {
				if p.pos >= len(p.s) {
					return nil, jsonErr("The input string ended unexpectedly.")
				}
				return nil, jsonErr("Expected \":\", but found \"" + p.token() + "\".")
			}
			p.pos++
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			if p.build {
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, v)
			}
			p.skipWS()
			if p.pos >= len(p.s) {
				return nil, jsonErr("The input string ended unexpectedly.")
			}
			if p.s[p.pos] == ',' {
				p.pos++
				continue
			}
			if p.s[p.pos] == '}' {
				p.pos++
				return n, nil
			}
			return nil, jsonErr("Expected \",\" or \"}\", but found \"" + p.token() + "\".")
		}
	case c == '[':
		p.pos++
		n := &jsonNode{kind: 'a'}
		p.skipWS()
		if p.pos < len(p.s) && p.s[p.pos] == ']' {
			p.pos++
			return n, nil
		}
		for {
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			if p.build {
				n.vals = append(n.vals, v)
			}
			p.skipWS()
			if p.pos >= len(p.s) {
				return nil, jsonErr("The input string ended unexpectedly.")
			}
			if p.s[p.pos] == ',' {
				p.pos++
				continue
			}
			if p.s[p.pos] == ']' {
				p.pos++
				return n, nil
			}
			return nil, jsonErr("Expected \",\" or \"]\", but found \"" + p.token() + "\".")
		}
	case c == '"':
		t, err := p.str()
		if err != nil {
			return nil, err
		}
		return &jsonNode{kind: 's', text: t}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		tok := p.token()
		if tok == "true" || tok == "false" || tok == "null" {
			p.pos += len(tok)
			return &jsonNode{kind: 'l', text: tok}, nil
		}
		return nil, jsonErr("Token \"" + tok + "\" is invalid.")
	}
}

// token returns the lexeme at pos as PostgreSQL's error details show it.
func (p *jsonParser) token() string {
	i := p.pos
	if i >= len(p.s) {
		return ""
	}
	c := p.s[i]
	if c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' || c == '"' {
		return string(c)
	}
	for i < len(p.s) {
		c := p.s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' || c == '{' || c == '}' || c == '[' || c == ']' || c == '"' {
			break
		}
		i++
	}
	if i == p.pos {
		i++
	}
	return p.s[p.pos:i]
}

func (p *jsonParser) number() (*jsonNode, error) {
	start := p.pos
	i := p.pos
	if p.s[i] == '-' {
		i++
	}
	bad := func() error {
		p.pos = start
		return jsonErr("Token \"" + p.token() + "\" is invalid.")
	}
	if i >= len(p.s) || p.s[i] < '0' || p.s[i] > '9' {
		return nil, bad()
	}
	if p.s[i] == '0' {
		i++
	} else {
		for i < len(p.s) && p.s[i] >= '0' && p.s[i] <= '9' {
			i++
		}
	}
	if i < len(p.s) && p.s[i] == '.' {
		i++
		if i >= len(p.s) || p.s[i] < '0' || p.s[i] > '9' {
			return nil, bad()
		}
		for i < len(p.s) && p.s[i] >= '0' && p.s[i] <= '9' {
			i++
		}
	}
	if i < len(p.s) && (p.s[i] == 'e' || p.s[i] == 'E') {
		i++
		if i < len(p.s) && (p.s[i] == '+' || p.s[i] == '-') {
			i++
		}
		if i >= len(p.s) || p.s[i] < '0' || p.s[i] > '9' {
			return nil, bad()
		}
		for i < len(p.s) && p.s[i] >= '0' && p.s[i] <= '9' {
			i++
		}
	}
	if i < len(p.s) {
		c := p.s[i]
		if (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' {
			return nil, bad()
		}
	}
	p.pos = i
	return &jsonNode{kind: 'n', text: p.s[start:i]}, nil
}

// str reads a string literal, decoding escapes when building jsonb.
func (p *jsonParser) str() (string, error) {
	p.pos++ // opening quote
	var out []byte
	for {
		if p.pos >= len(p.s) {
			return "", jsonErr("The input string ended unexpectedly.")
		}
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(out), nil
		case c < 0x20:
			return "", jsonErr("Character with value 0x" + strconv.FormatInt(int64(c)+0x100, 16)[1:] + " must be escaped.")
		case c != '\\':
			out = append(out, c)
			p.pos++
			continue
		}
		if p.pos+1 >= len(p.s) {
			return "", jsonErr("The input string ended unexpectedly.")
		}
		e := p.s[p.pos+1]
		p.pos += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, err := p.hex4()
			if err != nil {
				return "", err
			}
			if r >= 0xD800 && r <= 0xDBFF {
				if p.pos+1 < len(p.s) && p.s[p.pos] == '\\' && p.s[p.pos+1] == 'u' {
					p.pos += 2
					lo, err := p.hex4()
					if err != nil {
						return "", err
					}
					if lo < 0xDC00 || lo > 0xDFFF {
						return "", jsonErr("Unicode low surrogate must follow a high surrogate.")
					}
					r = (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000
				} else if p.build {
					return "", jsonErr("Unicode low surrogate must follow a high surrogate.")
				}
			} else if r >= 0xDC00 && r <= 0xDFFF && p.build {
				return "", jsonErr("Unicode low surrogate must follow a high surrogate.")
			}
			if r == 0 && p.build {
				return "", pgerror.New("22P05", "unsupported Unicode escape sequence").WithDetail("\\u0000 cannot be converted to text.")
			}
			out = utf8.AppendRune(out, rune(r))
		default:
			p.pos -= 2
			return "", jsonErr("Escape sequence \"\\" + string(rune(e)) + "\" is invalid.")
		}
	}
}

// DecodeJSONString is the value of a JSON string literal (raw includes
// the quotes), decoded as PostgreSQL does when a json string becomes text:
// \u0000 and unpaired surrogates are errors.
func DecodeJSONString(raw string) (string, error) {
	p := &jsonParser{s: strings.TrimSpace(raw), build: true}
	return p.str()
}

func (p *jsonParser) hex4() (int, error) {
	if p.pos+4 > len(p.s) {
		return 0, jsonErr("\"\\u\" must be followed by four hexadecimal digits.")
	}
	v := 0
	for i := 0; i < 4; i++ {
		h, ok := unhex(p.s[p.pos+i])
		if !ok {
			return 0, jsonErr("\"\\u\" must be followed by four hexadecimal digits.")
		}
		v = v<<4 | int(h)
	}
	p.pos += 4
	return v, nil
}

func parseJSONTree(s string, build bool) (*jsonNode, error) {
	p := &jsonParser{s: s, build: build}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if p.pos < len(p.s) {
		return nil, jsonErr("Expected end of input, but found \"" + p.token() + "\".")
	}
	return n, nil
}

func validateJSON(s string) error {
	_, err := parseJSONTree(s, false)
	return err
}

// normalizeJSONB returns jsonb's canonical text: keys ordered by length
// then bytes, later duplicates winning, numbers as numeric prints them,
// ", " and ": " separators.
func normalizeJSONB(s string) (string, error) {
	n, err := parseJSONTree(s, true)
	if err != nil {
		return "", err
	}
	return string(appendJSONB(nil, n)), nil
}

func appendJSONB(buf []byte, n *jsonNode) []byte {
	switch n.kind {
	case 'o':
		idx := make([]int, len(n.keys))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool {
			ka, kb := n.keys[idx[a]], n.keys[idx[b]]
			if len(ka) != len(kb) {
				return len(ka) < len(kb)
			}
			return ka < kb
		})
		buf = append(buf, '{')
		first := true
		for i, j := range idx {
			if i+1 < len(idx) && n.keys[idx[i+1]] == n.keys[j] {
				continue // a later duplicate replaces this one
			}
			if !first {
				buf = append(buf, ", "...)
			}
			first = false
			buf = appendJSONString(buf, n.keys[j])
			buf = append(buf, ": "...)
			buf = appendJSONB(buf, n.vals[j])
		}
		return append(buf, '}')
	case 'a':
		buf = append(buf, '[')
		for i, v := range n.vals {
			if i > 0 {
				buf = append(buf, ", "...)
			}
			buf = appendJSONB(buf, v)
		}
		return append(buf, ']')
	case 's':
		return appendJSONString(buf, n.text)
	case 'n':
		d, err := parseNumeric(n.text)
		if err != nil {
			return append(buf, n.text...)
		}
		return appendNumeric(buf, d)
	}
	return append(buf, n.text...)
}

// appendJSONString quotes s as PostgreSQL's escape_json does.
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			buf = append(buf, `\"`...)
		case '\\':
			buf = append(buf, `\\`...)
		case '\b':
			buf = append(buf, `\b`...)
		case '\f':
			buf = append(buf, `\f`...)
		case '\n':
			buf = append(buf, `\n`...)
		case '\r':
			buf = append(buf, `\r`...)
		case '\t':
			buf = append(buf, `\t`...)
		default:
			if c < 0x20 {
				buf = append(buf, `\u00`...)
				buf = append(buf, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			} else {
				buf = append(buf, c)
			}
		}
	}
	return append(buf, '"')
}
