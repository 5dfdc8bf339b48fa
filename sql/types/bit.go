package types

import (
	"encoding/binary"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// Limits of PostgreSQL's bit strings: VARBITMAXLEN, the longest value, and
// MaxAttrSize * BITS_PER_BYTE, the largest bit(n) or varbit(n).
const (
	MaxBitLen    = math.MaxInt32 - 7
	maxBitTypmod = 10485760 * 8
)

// DBit is a bit or bit varying value: Len bits, the first in the
// high-order bit of Bytes[0], packed into (Len+7)/8 bytes whose bits past
// Len are zero. PostgreSQL's varbit functions keep that padding zero, and
// comparison, equality, hashing and key encoding read the packed bytes
// relying on it. It is a pointer datum so that values stay comparable as
// interfaces; nothing mutates one after it is built.
type DBit struct {
	Len   int
	Bytes []byte
}

func (*DBit) datum() {}

// NewBit returns an all-zero bit string of n bits.
func NewBit(n int) *DBit { return &DBit{Len: n, Bytes: make([]byte, (n+7)/8)} }

// Bit reports bit i (0-based, from the left).
func (b *DBit) Bit(i int) bool { return b.Bytes[i>>3]&(0x80>>(i&7)) != 0 }

// SetBit sets bit i of a value still being built.
func (b *DBit) SetBit(i int, on bool) {
	if on {
		b.Bytes[i>>3] |= 0x80 >> (i & 7)
	} else {
		b.Bytes[i>>3] &^= 0x80 >> (i & 7)
	}
}

// Pad clears the bits past Len in the last byte (VARBIT_PAD), after an
// operation that may have set them.
func (b *DBit) Pad() {
	if r := b.Len & 7; r != 0 {
		b.Bytes[len(b.Bytes)-1] &= byte(0xFF << (8 - r))
	}
}

// Resized is b truncated or zero-padded to n bits, as an explicit cast to
// bit(n) or varbit(n) makes it.
func (b *DBit) Resized(n int) *DBit {
	out := NewBit(n)
	copy(out.Bytes, b.Bytes)
	out.Pad()
	return out
}

// BitLengthMismatch is bit(n)'s error for a value of another length, on
// input and on implicit or assignment casts.
func BitLengthMismatch(got, want int) error {
	return pgerror.New(pgerror.CodeStringDataLengthMismatch, "bit string length %d does not match type bit(%d)", got, want)
}

func varbitTooLong(max int32) error {
	return pgerror.New(pgerror.CodeStringDataRightTruncation, "bit string too long for type bit varying(%d)", max)
}

// BitTooLong is the error for a bit string that would pass VARBITMAXLEN.
func BitTooLong() error {
	return pgerror.New(pgerror.CodeProgramLimitExceeded, "bit string length exceeds the maximum allowed (%d)", MaxBitLen)
}

// checkBitTypmod enforces t's length on a value as bit_in, bit_recv,
// varbit_in and varbit_recv do: bit(n) wants exactly n bits, varbit(n)
// at most n.
func checkBitTypmod(t *T, n int) error {
	if t == nil || t.Width <= 0 {
		return nil
	}
	switch {
	case t.Family == FamBit && n != int(t.Width):
		return BitLengthMismatch(n, int(t.Width))
	case t.Family == FamVarbit && n > int(t.Width):
		return varbitTooLong(t.Width)
	}
	return nil
}

// parseBit is bit_in and varbit_in: binary digits, optionally after a b
// or B, or hexadecimal digits after an x or X (the forms B'...' and
// X'...' literals arrive in). The length is checked against t's before
// the digits, as PostgreSQL does.
func parseBit(t *T, s string) (Datum, error) {
	hex := false
	if s != "" {
		switch s[0] {
		case 'b', 'B':
			s = s[1:]
		case 'x', 'X':
			hex = true
			s = s[1:]
		}
	}
	n := len(s)
	if hex {
		if n > MaxBitLen/4 {
			return nil, BitTooLong()
		}
		n *= 4
	}
	if err := checkBitTypmod(t, n); err != nil {
		return nil, err
	}
	out := NewBit(n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !hex {
			switch c {
			case '1':
				out.SetBit(i, true)
			case '0':
			default:
				return nil, badDigit("binary", s[i:])
			}
			continue
		}
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return nil, badDigit("hexadecimal", s[i:])
		}
		if i&1 == 0 {
			out.Bytes[i>>1] = v << 4
		} else {
			out.Bytes[i>>1] |= v
		}
	}
	return out, nil
}

// badDigit names the whole (possibly multibyte) character at the start of
// rest, as PostgreSQL's message does.
func badDigit(kind, rest string) error {
	_, size := utf8.DecodeRuneInString(rest)
	return pgerror.New(pgerror.CodeInvalidTextRepresentation, "\"%s\" is not a valid %s digit", rest[:size], kind)
}

// appendBits is varbit_out (and bit_out): one digit per bit.
func appendBits(buf []byte, b *DBit) []byte {
	for i := 0; i < b.Len; i++ {
		if b.Bit(i) {
			buf = append(buf, '1')
		} else {
			buf = append(buf, '0')
		}
	}
	return buf
}

// appendBitBinary is varbit_send: the length as int32, then the bytes.
func appendBitBinary(buf []byte, b *DBit) []byte {
	buf = binary.BigEndian.AppendUint32(buf, uint32(b.Len))
	return append(buf, b.Bytes...)
}

// decodeBitBinary is bit_recv and varbit_recv, checks in their order; like
// them it clears stray bits past the length.
func decodeBitBinary(t *T, b []byte) (Datum, error) {
	if len(b) < 4 {
		return nil, badBinary("insufficient data left in message")
	}
	n := int32(binary.BigEndian.Uint32(b))
	if n < 0 || n > MaxBitLen {
		return nil, badBinary("invalid length in external bit string")
	}
	if err := checkBitTypmod(t, int(n)); err != nil {
		return nil, err
	}
	out := NewBit(int(n))
	switch rest := b[4:]; {
	case len(rest) < len(out.Bytes):
		return nil, badBinary("insufficient data left in message")
	case len(rest) > len(out.Bytes):
		return nil, badBinary("incorrect binary data format")
	default:
		copy(out.Bytes, rest)
	}
	out.Pad()
	return out, nil
}

// compareBit is bit_cmp: the packed bytes the two share a count of, then
// the lengths.
func compareBit(a, b *DBit) int {
	n := min(len(a.Bytes), len(b.Bytes))
	if c := strings.Compare(string(a.Bytes[:n]), string(b.Bytes[:n])); c != 0 {
		return c
	}
	return cmp3(int64(a.Len), int64(b.Len))
}

// applyBitTypmod is the length coercion functions bit() and varbit():
// explicit casts truncate (and, to bit(n), zero-pad); implicit and
// assignment casts reject a value of the wrong length.
func applyBitTypmod(b *DBit, to *T, explicit bool) (Datum, error) {
	if to.Width <= 0 {
		return b, nil
	}
	n := int(to.Width)
	switch {
	case to.Family == FamBit && b.Len != n, to.Family == FamVarbit && b.Len > n:
		if !explicit {
			return nil, checkBitTypmod(to, b.Len)
		}
		return b.Resized(n), nil
	}
	return b, nil
}

// BitFromInt is bitfromint4 and bitfromint8: the low n bits of v,
// sign-extended when n is wider than the integer (v holds an int4
// sign-extended already); n <= 0 means 1.
func BitFromInt(v int64, n int) *DBit {
	if n <= 0 || n > MaxBitLen {
		n = 1
	}
	out := NewBit(n)
	// The bits left of the value's 64 are its sign.
	lead := max(n-64, 0)
	if v < 0 {
		for i := range lead >> 3 {
			out.Bytes[i] = 0xFF
		}
		for i := lead &^ 7; i < lead; i++ {
			out.SetBit(i, true)
		}
	}
	for i := lead; i < n; i++ {
		// Bit i from the left is bit n-1-i of the value.
		out.SetBit(i, v>>uint(n-1-i)&1 != 0)
	}
	return out
}

// bitToInt is bittoint4 and bittoint8: the bits as an unsigned number of
// the integer's width, which must hold them.
func bitToInt(b *DBit, g Family) (Datum, error) {
	width := 32
	if g == FamInt8 {
		width = 64
	}
	if b.Len > width {
		return nil, intOutOfRange(g)
	}
	var u uint64
	for i := 0; i < b.Len; i++ {
		u <<= 1
		if b.Bit(i) {
			u |= 1
		}
	}
	if g == FamInt8 {
		return DInt(int64(u)), nil
	}
	return DInt(int32(uint32(u))), nil
}
