package builtins

import (
	"math"
	"math/bits"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// PostgreSQL's operators, functions and aggregates over bit strings
// (varbit.c), and pgvector's over bit (bitvec.c). As in PostgreSQL they
// take bit; a bit varying argument converts to bit implicitly, so they
// serve both types, and only || and the comparisons have varbit forms.

func bitArg(d types.Datum) *types.DBit { return d.(*types.DBit) }

// bitBinary is &, | and #: bytewise over two strings of one length.
func bitBinary(name string, op func(x, y byte) byte) evalFn {
	return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		x, y := bitArg(a[0]), bitArg(a[1])
		if x.Len != y.Len {
			return nil, pgerror.New(pgerror.CodeStringDataLengthMismatch, "cannot %s bit strings of different sizes", name)
		}
		out := types.NewBit(x.Len)
		for i := range out.Bytes {
			out.Bytes[i] = op(x.Bytes[i], y.Bytes[i])
		}
		return out, nil
	}
}

// concatBits is bit_catenate.
func concatBits(x, y *types.DBit) (*types.DBit, error) {
	if x.Len > types.MaxBitLen-y.Len {
		return nil, types.BitTooLong()
	}
	out := types.NewBit(x.Len + y.Len)
	copy(out.Bytes, x.Bytes)
	for i := 0; i < y.Len; i++ {
		if y.Bit(i) {
			out.SetBit(x.Len+i, true)
		}
	}
	return out, nil
}

// shiftBits moves the bits n places towards the start (n > 0) or the end
// (n < 0), filling with zeros, as bitshiftleft and bitshiftright do.
func shiftBits(x *types.DBit, n int64) *types.DBit {
	out := types.NewBit(x.Len)
	for i := 0; i < x.Len; i++ {
		if src := int64(i) + n; src >= 0 && src < int64(x.Len) && x.Bit(int(src)) {
			out.SetBit(i, true)
		}
	}
	return out
}

// substringBits is bitsubstring: 1-based start s, length l (none when
// !hasLen); positions before 1 still count against the length.
func substringBits(x *types.DBit, s, l int64, hasLen bool) (*types.DBit, error) {
	end := int64(x.Len) + 1
	if hasLen {
		if l < 0 {
			return nil, pgerror.New(pgerror.CodeSubstringError, "negative substring length not allowed")
		}
		end = min(s+l, end)
	}
	s = max(s, 1)
	if s > int64(x.Len) || end <= s {
		return types.NewBit(0), nil
	}
	out := types.NewBit(int(end - s))
	for i := range out.Len {
		if x.Bit(int(s-1) + i) {
			out.SetBit(i, true)
		}
	}
	return out, nil
}

// overlayParts is the SQL standard's OVERLAY as PostgreSQL's
// text_overlay and bit_overlay spell it out: the value's part before sp
// and its part from sp + sl on, which the replacement goes between; sub
// is the type's substring(value, start, count). Its checks of sp and sl
// are theirs.
func overlayParts[V any](sp, sl int64, sub func(start, count int64, hasCount bool) (V, error)) (head, tail V, err error) {
	if sp <= 0 {
		return head, tail, pgerror.New(pgerror.CodeSubstringError, "negative substring length not allowed")
	}
	end := sp + sl
	if end < math.MinInt32 || end > math.MaxInt32 {
		return head, tail, pgerror.New(pgerror.CodeNumericValueOutOfRange, "integer out of range")
	}
	if head, err = sub(1, sp-1, true); err != nil {
		return head, tail, err
	}
	tail, err = sub(end, 0, false)
	return head, tail, err
}

// overlayBits is bit_overlay.
func overlayBits(x, y *types.DBit, sp, sl int64) (types.Datum, error) {
	head, tail, err := overlayParts(sp, sl, func(start, count int64, hasCount bool) (*types.DBit, error) {
		return substringBits(x, start, count, hasCount)
	})
	if err != nil {
		return nil, err
	}
	out, err := concatBits(head, y)
	if err != nil {
		return nil, err
	}
	return concatBits(out, tail)
}

// positionBits is bitposition: the 1-based start of sub's first
// occurrence in x, 0 if none; an empty sub is found at 1 in a non-empty
// string. The search runs over the texts, where strings.Index takes
// linear time however long the strings are.
func positionBits(x, sub *types.DBit) int {
	if x.Len == 0 {
		return 0
	}
	text := func(b *types.DBit) string { return types.FormatText(types.Varbit, b) }
	return strings.Index(text(x), text(sub)) + 1
}

func popcount(b []byte) int64 {
	var n int
	for _, c := range b {
		n += bits.OnesCount8(c)
	}
	return int64(n)
}

// bitcmp is PostgreSQL's bitcmp as its result shows: memcmp's over the
// bytes both strings have, which glibc gives as the difference of the
// first bytes that differ, then -1 or 1 by the lengths.
func bitcmp(x, y *types.DBit) int {
	for i := range min(len(x.Bytes), len(y.Bytes)) {
		if d := int(x.Bytes[i]) - int(y.Bytes[i]); d != 0 {
			return d
		}
	}
	return types.Compare(types.Bit, x, y)
}

// bitIndexError is bitgetbit's and bitsetbit's range error.
func bitIndexError(n int64, x *types.DBit) error {
	return pgerror.New(pgerror.CodeArraySubscriptError, "bit index %d out of valid range (0..%d)", n, x.Len-1)
}

// bitwiseAggs are the aggregates of the bitwise operators.
var bitwiseAggs = map[string]string{"&": "bit_and", "|": "bit_or", "#": "bit_xor"}

// bitwiseAgg is bit_and, bit_or and bit_xor (over integers and bit
// strings): the operator applied across the group's non-NULL values.
type bitwiseAgg struct {
	op  evalFn
	acc types.Datum
}

func (a *bitwiseAgg) Add(ctx *EvalContext, args []types.Datum) error {
	if types.IsNull(args[0]) {
		return nil
	}
	if a.acc == nil {
		a.acc = args[0]
		return nil
	}
	v, err := a.op(ctx, []types.Datum{a.acc, args[0]})
	a.acc = v
	return err
}

func (a *bitwiseAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if a.acc == nil {
		return types.Null, nil
	}
	return a.acc, nil
}

func registerBit() {
	b, i4 := types.Bit, types.Int4
	ops := map[string]struct {
		name string
		f    func(x, y byte) byte
	}{
		"&": {"AND", func(x, y byte) byte { return x & y }},
		"|": {"OR", func(x, y byte) byte { return x | y }},
		"#": {"XOR", func(x, y byte) byte { return x ^ y }},
	}
	for op, o := range ops {
		f := bitBinary(o.name, o.f)
		addBin(op, b, b, b, f)
		addAgg(bitwiseAggs[op], params(b), b, func([]*types.T) Aggregator { return &bitwiseAgg{op: f} })
	}
	addUnary("~", b, b, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		x := bitArg(a[0])
		out := types.NewBit(x.Len)
		for i, c := range x.Bytes {
			out.Bytes[i] = ^c
		}
		out.Pad()
		return out, nil
	})
	addBin("<<", b, i4, b, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return shiftBits(bitArg(a[0]), i64(a[1])), nil
	})
	addBin(">>", b, i4, b, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return shiftBits(bitArg(a[0]), -i64(a[1])), nil
	})
	addBin("||", types.Varbit, types.Varbit, types.Varbit, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return concatBits(bitArg(a[0]), bitArg(a[1]))
	})
	for _, name := range []string{"length", "bit_length"} {
		addFunc(name, fn(params(b), i4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return types.DInt(bitArg(a[0]).Len), nil
		}))
	}
	addFunc("octet_length", fn(params(b), i4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(len(bitArg(a[0]).Bytes)), nil
	}))
	addFunc("bit_count", fn(params(b), types.Int8, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(popcount(bitArg(a[0]).Bytes)), nil
	}))
	addFunc("get_bit", fn(params(b, i4), i4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		x, n := bitArg(a[0]), i64(a[1])
		if n < 0 || n >= int64(x.Len) {
			return nil, bitIndexError(n, x)
		}
		if x.Bit(int(n)) {
			return types.DInt(1), nil
		}
		return types.DInt(0), nil
	}))
	addFunc("set_bit", fn(params(b, i4, i4), b, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		x, n, v := bitArg(a[0]), i64(a[1]), i64(a[2])
		if n < 0 || n >= int64(x.Len) {
			return nil, bitIndexError(n, x)
		}
		if v != 0 && v != 1 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "new bit must be 0 or 1")
		}
		out := &types.DBit{Len: x.Len, Bytes: append([]byte(nil), x.Bytes...)}
		out.SetBit(int(n), v == 1)
		return out, nil
	}))
	addFunc("substring", fn(params(b, i4, i4), b, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return substringBits(bitArg(a[0]), i64(a[1]), i64(a[2]), true)
	}))
	addFunc("substring", fn(params(b, i4), b, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return substringBits(bitArg(a[0]), i64(a[1]), 0, false)
	}))
	addFunc("overlay", fn(params(b, b, i4, i4), b, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return overlayBits(bitArg(a[0]), bitArg(a[1]), i64(a[2]), i64(a[3]))
	}))
	addFunc("overlay", fn(params(b, b, i4), b, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		y := bitArg(a[1])
		return overlayBits(bitArg(a[0]), y, i64(a[2]), int64(y.Len))
	}))
	addFunc("position", fn(params(b, b), i4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(positionBits(bitArg(a[0]), bitArg(a[1]))), nil
	}))
	for name, t := range map[string]*types.T{"bitcmp": b, "varbitcmp": types.Varbit} {
		addFunc(name, fn(params(t, t), i4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return types.DInt(bitcmp(bitArg(a[0]), bitArg(a[1]))), nil
		}))
	}
	registerBitvec()
}

// bitDims is pgvector's CheckDims for bit strings.
func bitDims(x, y *types.DBit) error {
	if x.Len != y.Len {
		return BitLengthsDiffer(x.Len, y.Len)
	}
	return nil
}

// BitLengthsDiffer is pgvector's error for bit strings of lengths a and
// b in a distance.
func BitLengthsDiffer(a, b int) error {
	return pgerror.New(pgerror.CodeDataException, "different bit lengths %d and %d", a, b)
}

// HammingDistance is pgvector's hamming_distance for two bit strings of
// one length: the count of differing bits.
func HammingDistance(x, y *types.DBit) float64 {
	var n int
	for i, c := range x.Bytes {
		n += bits.OnesCount8(c ^ y.Bytes[i])
	}
	return float64(n)
}

// JaccardDistance is pgvector's jaccard_distance for two bit strings of
// one length: 1 - |x∧y| / |x∨y|, and 1 when they share no set bit.
func JaccardDistance(x, y *types.DBit) float64 {
	var ab, aa, bb uint64
	for i, c := range x.Bytes {
		ab += uint64(bits.OnesCount8(c & y.Bytes[i]))
		aa += uint64(bits.OnesCount8(c))
		bb += uint64(bits.OnesCount8(y.Bytes[i]))
	}
	if ab == 0 {
		return 1
	}
	return 1 - float64(ab)/float64(aa+bb-ab)
}

// registerBitvec adds pgvector's functions over bit: the distances and
// their operators, and binary quantization of vector and halfvec.
func registerBitvec() {
	b := types.Bit
	for _, d := range []struct {
		op, name string
		f        func(x, y *types.DBit) float64
	}{{"<~>", "hamming_distance", HammingDistance}, {"<%>", "jaccard_distance", JaccardDistance}} {
		f := d.f
		o := &Overload{Params: params(b, b), Return: types.Float8, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			x, y := bitArg(a[0]), bitArg(a[1])
			if err := bitDims(x, y); err != nil {
				return nil, err
			}
			return types.DFloat(f(x, y)), nil
		}, ValueDistance: valueDistance(f, func(x, y *types.DBit) bool { return x.Len == y.Len })}
		registry.binary[d.op] = append(registry.binary[d.op], o)
		addFunc(d.name, o)
	}
	for _, v := range []*types.T{types.Vector, types.Halfvec} {
		addFunc("binary_quantize", fn(params(v), b, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			// An element above zero is a 1 (NaN is not).
			x := vec(a[0])
			out := types.NewBit(len(x))
			for i, f := range x {
				out.SetBit(i, f > 0)
			}
			return out, nil
		}))
	}
}
