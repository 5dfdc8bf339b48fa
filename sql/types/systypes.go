package types

import (
	"encoding/binary"
	"math"
	"strconv"
)

// The types of PostgreSQL's system columns: xid (xmin, xmax), cid (cmin,
// cmax) and tid (ctid). xid and cid values are DOid, being unsigned 32-bit
// numbers that print in decimal; a tid is a DTid.

// DTid is a tuple identifier: a block number and an offset within it.
type DTid struct {
	Block  uint32
	Offset uint16
}

func (DTid) datum() {}

func appendTid(buf []byte, v DTid) []byte {
	buf = append(buf, '(')
	buf = strconv.AppendUint(buf, uint64(v.Block), 10)
	buf = append(buf, ',')
	buf = strconv.AppendUint(buf, uint64(v.Offset), 10)
	return append(buf, ')')
}

func compareTid(a, b DTid) int {
	if c := cmp3(a.Block, b.Block); c != 0 {
		return c
	}
	return cmp3(uint32(a.Offset), uint32(b.Offset))
}

// cStrtoul is C's strtoul on an LP64 platform, which PostgreSQL 15's
// xidin and cidin call without checking anything: leading white space, a
// sign (a minus negates modulo 2^64), base 0's 0x and 0 prefixes, digits
// as far as they go. It returns the value, the text after the digits (s
// itself when there were none) and whether the value overflowed (then
// the value is 2^64-1).
func cStrtoul(s string, base int) (uint64, string, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	digit := func(c byte) int {
		switch {
		case c >= '0' && c <= '9':
			return int(c - '0')
		case c >= 'a' && c <= 'z':
			return int(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			return int(c-'A') + 10
		}
		return 99
	}
	if (base == 0 || base == 16) && i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && digit(s[i+2]) < 16 {
		base, i = 16, i+2
	} else if base == 0 {
		base = 10
		if i < len(s) && s[i] == '0' {
			base = 8
		}
	}
	start := i
	var v uint64
	over := false
	for i < len(s) && digit(s[i]) < base {
		d := uint64(digit(s[i]))
		if v > (math.MaxUint64-d)/uint64(base) {
			over = true
		}
		v = v*uint64(base) + d
		i++
	}
	if i == start {
		return 0, s, false
	}
	if over {
		return math.MaxUint64, s[i:], true
	}
	if neg {
		v = -v
	}
	return v, s[i:], false
}

// parseXid is xidin and cidin: never an error, as in PostgreSQL 15.
func parseXid(s string) Datum {
	v, _, _ := cStrtoul(s, 0)
	return DOid(uint32(v))
}

// parseTid is tidin: "(block,offset)", parsed as PostgreSQL does (white
// space before either number is allowed, anything after the closing
// parenthesis is ignored).
func parseTid(s string) (Datum, error) {
	var coord [2]int
	n := 0
	for p := 0; p < len(s) && n < 2 && s[p] != ')'; p++ {
		if s[p] == ',' || (s[p] == '(' && n == 0) {
			coord[n] = p + 1
			n++
		}
	}
	if n < 2 {
		return nil, invalidSyntax("tid", s)
	}
	blk, rest, over := cStrtoul(s[coord[0]:], 10)
	if over || rest == "" || rest[0] != ',' {
		return nil, invalidSyntax("tid", s)
	}
	// strtoul accepts a minus sign; PostgreSQL lets through what fits
	// block numbers either as unsigned or as a negative int32.
	if blk > math.MaxUint32 && int64(blk) < math.MinInt32 {
		return nil, invalidSyntax("tid", s)
	}
	off, rest, over := cStrtoul(s[coord[1]:], 10)
	// A negative offset wraps past MaxUint16 here.
	if over || rest == "" || rest[0] != ')' || off > math.MaxUint16 {
		return nil, invalidSyntax("tid", s)
	}
	return DTid{Block: uint32(blk), Offset: uint16(off)}, nil
}

func appendTidBinary(buf []byte, v DTid) []byte {
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint32(buf, v.Block), v.Offset)
}
