package types

import (
	"math/rand"
	"os"
	"strconv"
	"testing"
)

// TestRandomInputNeverPanics feeds random text and bytes built from the
// characters the parsers care about to every input function.
func TestRandomInputNeverPanics(t *testing.T) {
	n := 300
	if s := os.Getenv("QUIVER_TYPES_RANDOM_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	typs := []*T{Bool, Int2, Int4, Int8, Float4, Float8, Numeric, NumericPS(5, 2), Text, VarcharN(3), BpcharN(3), Name,
		Bytea, Date, Timestamp, TimestampTZ, TimeP(Timestamp, 0), Interval, UUID, JSON, JSONB, Oid, Vector, VectorN(2),
		ArrayOf(Int4), ArrayOf(Text), ArrayOf(Vector), ArrayOf(JSONB)}
	alphabet := []byte("0123456789+-.eE:/ ,{}[]\"\\xXpPtTzZ@aAnNiIfFyYdDmMsShHwWuUlL'\t\n\x00\xff")
	r := rand.New(rand.NewSource(42))
	for _, typ := range typs {
		for i := 0; i < n; i++ {
			b := make([]byte, r.Intn(24))
			for j := range b {
				b[j] = alphabet[r.Intn(len(alphabet))]
			}
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("%s: panic on %q: %v", typ, b, p)
					}
				}()
				if d, err := ParseText(typ, string(b)); err == nil {
					out := FormatText(typ, d)
					if _, err := ParseText(typ, out); err != nil {
						t.Errorf("%s: output %q of input %q does not read back: %v", typ, out, b, err)
					}
					if enc, err := EncodeBinary(nil, typ, d); err == nil {
						if _, err := DecodeBinary(typ, enc); err != nil {
							t.Errorf("%s: binary of %q does not read back: %v", typ, b, err)
						}
					}
				}
				_, _ = DecodeBinary(typ, b)
			}()
		}
	}
}
