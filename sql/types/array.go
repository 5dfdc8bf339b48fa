package types

import (
	"strings"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
)

func malformedArray(s, detail string) error {
	return pgerror.New(pgerror.CodeInvalidTextRepresentation, "malformed array literal: %q", s).WithDetail("%s", detail)
}

// parseArray reads a one-dimensional array literal such as {1,2,NULL} or
// {"a b",c}; each element goes through the element type's input function.
func parseArray(t *T, s string, loc *time.Location) (Datum, error) {
	v := trimPGSpace(s)
	if t.isVectorForm() && (v == "" || v[0] != '{') {
		arr := &DArray{Elem: t.Elem}
		for _, f := range strings.Fields(v) {
			d, err := ParseTextLoc(t.Elem, f, loc)
			if err != nil {
				return nil, err
			}
			arr.Elems = append(arr.Elems, d)
		}
		return arr, nil
	}
	if v == "" || v[0] != '{' {
		if v != "" && v[0] == '[' {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "array bounds are not supported")
		}
		return nil, malformedArray(s, "Array value must start with \"{\" or dimension information.")
	}
	arr := &DArray{Elem: t.Elem}
	i := 1
	skip := func() {
		for i < len(v) && pgSpace(v[i]) {
			i++
		}
	}
	skip()
	if i < len(v) && v[i] == '}' {
		i++
		skip()
		if i != len(v) {
			return nil, malformedArray(s, "Junk after closing right brace.")
		}
		return arr, nil
	}
	for {
		skip()
		if i >= len(v) {
			return nil, malformedArray(s, "Unexpected end of input.")
		}
		if v[i] == '{' {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "multidimensional arrays are not supported")
		}
		var elem []byte
		quoted := false
		if v[i] == '"' {
			quoted = true
			i++
			for {
				if i >= len(v) {
					return nil, malformedArray(s, "Unexpected end of input.")
				}
				c := v[i]
				if c == '"' {
					i++
					break
				}
				if c == '\\' {
					i++
					if i >= len(v) {
						return nil, malformedArray(s, "Unexpected end of input.")
					}
					c = v[i]
				}
				elem = append(elem, c)
				i++
			}
			skip()
		} else {
			lastNonSpace := 0
			for i < len(v) && v[i] != ',' && v[i] != '}' {
				c := v[i]
				switch c {
				case '"', '{':
					return nil, malformedArray(s, "Unexpected \""+string(c)+"\" character.")
				case '\\':
					i++
					if i >= len(v) {
						return nil, malformedArray(s, "Unexpected end of input.")
					}
					elem = append(elem, v[i])
					lastNonSpace = len(elem)
					i++
					continue
				}
				elem = append(elem, c)
				if !pgSpace(c) {
					lastNonSpace = len(elem)
				}
				i++
			}
			elem = elem[:lastNonSpace]
			if len(elem) == 0 {
				if i < len(v) {
					return nil, malformedArray(s, "Unexpected \""+string(v[i])+"\" character.")
				}
				return nil, malformedArray(s, "Unexpected end of input.")
			}
		}
		if i >= len(v) {
			return nil, malformedArray(s, "Unexpected end of input.")
		}
		if !quoted && strings.EqualFold(string(elem), "null") {
			arr.Elems = append(arr.Elems, Null)
		} else {
			d, err := ParseTextLoc(baseOf(t.Elem), string(elem), loc)
			if err != nil {
				return nil, err
			}
			arr.Elems = append(arr.Elems, d)
		}
		c := v[i]
		i++
		if c == '}' {
			break
		}
		if c != ',' {
			return nil, malformedArray(s, "Unexpected \""+string(c)+"\" character.")
		}
	}
	skip()
	if i != len(v) {
		return nil, malformedArray(s, "Junk after closing right brace.")
	}
	return arr, nil
}

// appendArray writes {a,b,NULL}, quoting elements as array_out does.
func appendArray(buf []byte, t *T, a *DArray, loc *time.Location) []byte {
	elemT := a.Elem
	if elemT == nil {
		elemT = t.Elem
	}
	if t.isVectorForm() {
		for i, e := range a.Elems {
			if i > 0 {
				buf = append(buf, ' ')
			}
			buf = appendText(buf, elemT, e, loc)
		}
		return buf
	}
	buf = append(buf, '{')
	for i, e := range a.Elems {
		if i > 0 {
			buf = append(buf, ',')
		}
		if IsNull(e) {
			buf = append(buf, "NULL"...)
			continue
		}
		text := appendText(nil, elemT, e, loc)
		if !arrayNeedsQuote(text) {
			buf = append(buf, text...)
			continue
		}
		buf = append(buf, '"')
		for _, c := range text {
			if c == '"' || c == '\\' {
				buf = append(buf, '\\')
			}
			buf = append(buf, c)
		}
		buf = append(buf, '"')
	}
	return append(buf, '}')
}

func arrayNeedsQuote(text []byte) bool {
	if len(text) == 0 || strings.EqualFold(string(text), "null") {
		return true
	}
	for _, c := range text {
		switch c {
		case '"', '\\', '{', '}', ',':
			return true
		}
		if pgSpace(c) {
			return true
		}
	}
	return false
}
