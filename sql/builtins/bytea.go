package builtins

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

func errUnknownEncoding(f string) error {
	return pgerror.New(pgerror.CodeInvalidParameterValue, "unrecognized encoding: \"%s\"", f)
}

func registerBytea() {
	addFunc("encode", fn(params(types.Bytea, types.Text), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		b := []byte(a[0].(types.DBytes))
		switch f := strings.ToLower(str(a[1])); f {
		case "hex":
			return types.DString(hex.EncodeToString(b)), nil
		case "base64":
			// PostgreSQL wraps base64 output at 76 characters.
			s := base64.StdEncoding.EncodeToString(b)
			var out strings.Builder
			for len(s) > 76 {
				out.WriteString(s[:76])
				out.WriteByte('\n')
				s = s[76:]
			}
			out.WriteString(s)
			return types.DString(out.String()), nil
		case "escape":
			var out strings.Builder
			for _, c := range b {
				switch {
				case c == '\\':
					out.WriteString(`\\`)
				case c == 0 || c >= 0x80:
					out.WriteString(`\` + string('0'+(c>>6)) + string('0'+(c>>3)&7) + string('0'+c&7))
				default:
					out.WriteByte(c)
				}
			}
			return types.DString(out.String()), nil
		default:
			return nil, errUnknownEncoding(f)
		}
	}))
	addFunc("decode", fn(params(types.Text, types.Text), types.Bytea, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		s := str(a[0])
		switch f := strings.ToLower(str(a[1])); f {
		case "hex":
			b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
			if err != nil {
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid hexadecimal data: odd number of digits")
			}
			return types.DBytes(b), nil
		case "base64":
			b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
			if err != nil {
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid base64 end sequence").
					WithHint("Input data is missing padding, is truncated, or is otherwise corrupted.")
			}
			return types.DBytes(b), nil
		case "escape":
			var out []byte
			for i := 0; i < len(s); i++ {
				switch {
				case s[i] != '\\':
					out = append(out, s[i])
				case i+1 < len(s) && s[i+1] == '\\':
					out = append(out, '\\')
					i++
				case i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]):
					out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
					i += 3
				default:
					return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type bytea")
				}
			}
			return types.DBytes(out), nil
		default:
			return nil, errUnknownEncoding(f)
		}
	}))
	addFunc("sha256", fn(params(types.Bytea), types.Bytea, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		h := sha256.Sum256(a[0].(types.DBytes))
		return types.DBytes(h[:]), nil
	}))
	addFunc("sha512", fn(params(types.Bytea), types.Bytea, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		h := sha512.Sum512(a[0].(types.DBytes))
		return types.DBytes(h[:]), nil
	}))
	addFunc("md5", fn(params(types.Bytea), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DString(md5Hex(a[0].(types.DBytes))), nil
	}))
	for _, name := range []string{"num_nulls", "num_nonnulls"} {
		nulls := name == "num_nulls"
		addFunc(name, &Overload{Variadic: Any, Return: types.Int4, NullCall: true, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			n := 0
			for _, d := range a {
				if types.IsNull(d) == nulls {
					n++
				}
			}
			return types.DInt(n), nil
		}})
	}
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
