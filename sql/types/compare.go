package types

import (
	"bytes"
	"math"
	"math/big"
	"sort"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

func cmp3[X int64 | uint32 | int32 | float32](a, b X) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CitextFold is the form citext compares and index keys hold: the
// value lowered, as citext's comparisons lower() both sides and
// compare the results in the database's (C.UTF-8) collation.
func CitextFold(s string) string { return strings.ToLower(s) }

// Compare orders two non-NULL values of type t: -1, 0, +1, as PostgreSQL's
// default btree operator class does.
func Compare(t *T, a, b Datum) int {
	switch x := a.(type) {
	case DBool:
		y, _ := b.(DBool)
		if x == y {
			return 0
		}
		if !x {
			return -1
		}
		return 1
	case DInt:
		switch y := b.(type) {
		case DInt:
			return cmp3(int64(x), int64(y))
		case DFloat:
			return compareFloat(float64(x), float64(y))
		case *DDecimal:
			return compareDecimal(decimalFromInt(int64(x)), y)
		}
	case DFloat:
		switch y := b.(type) {
		case DFloat:
			return compareFloat(float64(x), float64(y))
		case DInt:
			return compareFloat(float64(x), float64(y))
		}
	case *DDecimal:
		switch y := b.(type) {
		case *DDecimal:
			return compareDecimal(x, y)
		case DInt:
			return compareDecimal(x, decimalFromInt(int64(y)))
		}
	case DString:
		y, _ := b.(DString)
		if t != nil && t.Family == FamChar {
			// bpchar ignores trailing blanks when comparing.
			return strings.Compare(strings.TrimRight(string(x), " "), strings.TrimRight(string(y), " "))
		}
		if t != nil && t.Family == FamCitext {
			return strings.Compare(CitextFold(string(x)), CitextFold(string(y)))
		}
		return strings.Compare(string(x), string(y))
	case DBytes:
		y, _ := b.(DBytes)
		return bytes.Compare(x, y)
	case DDate:
		switch y := b.(type) {
		case DDate:
			return cmp3(int32(x), int32(y))
		case DTimestamp:
			return cmp3(dateToTimestamp(x), int64(y))
		}
	case DTimestamp:
		switch y := b.(type) {
		case DTimestamp:
			return cmp3(int64(x), int64(y))
		case DTimestampTZ:
			return cmp3(int64(x), int64(y))
		case DDate:
			return cmp3(int64(x), dateToTimestamp(y))
		}
	case DTimestampTZ:
		switch y := b.(type) {
		case DTimestampTZ:
			return cmp3(int64(x), int64(y))
		case DTimestamp:
			return cmp3(int64(x), int64(y))
		}
	case DInterval:
		y, _ := b.(DInterval)
		return compareInterval(x, y)
	case DUUID:
		y, _ := b.(DUUID)
		return bytes.Compare(x[:], y[:])
	case DEnum:
		y, _ := b.(DEnum)
		return cmp3(x.Sort, y.Sort)
	case DJSON:
		y, _ := b.(DJSON)
		if t != nil && t.Family == FamJSONB {
			return compareJSONB(string(x), string(y))
		}
		return strings.Compare(string(x), string(y))
	case DOid:
		y, _ := b.(DOid)
		return cmp3(uint32(x), uint32(y))
	case DTid:
		y, _ := b.(DTid)
		return compareTid(x, y)
	case DVector:
		y, _ := b.(DVector)
		return compareVector(x, y)
	case DHalfvec:
		y, _ := b.(DHalfvec)
		return compareVector(x, y)
	case *DSparsevec:
		y, _ := b.(*DSparsevec)
		if y == nil {
			return 1
		}
		return compareSparsevec(x, y)
	case *DBit:
		y, _ := b.(*DBit)
		if y == nil {
			return 1
		}
		return compareBit(x, y)
	case *DArray:
		y, _ := b.(*DArray)
		if y == nil {
			return 1
		}
		return compareArray(t, x, y)
	case DTuple:
		y, _ := b.(DTuple)
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := compareNullable(typeOfDatum(x[i]), x[i], y[i]); c != 0 {
				return c
			}
		}
		return cmp3(int64(len(x)), int64(len(y)))
	}
	return 0
}

// compareNullable orders NULL after everything, as arrays and records do.
func compareNullable(t *T, a, b Datum) int {
	an, bn := IsNull(a), IsNull(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return Compare(t, a, b)
}

// CompareFloat orders float8 values as Compare does: NaN above every other
// value and equal to itself, -0 equal to 0.
func CompareFloat(a, b float64) int { return compareFloat(a, b) }

// compareFloat puts NaN above every other value and equal to itself.
func compareFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func decimalFromInt(v int64) *DDecimal {
	d := &DDecimal{}
	d.SetInt64(v)
	return d
}

// compareDecimal orders -Infinity < finite < Infinity < NaN.
func compareDecimal(a, b *DDecimal) int {
	an, bn := a.Form == apd.NaN || a.Form == apd.NaNSignaling, b.Form == apd.NaN || b.Form == apd.NaNSignaling
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return a.Cmp(&b.Decimal)
}

func dateToTimestamp(d DDate) int64 {
	switch d {
	case DatePosInfinity:
		return TSPosInfinity
	case DateNegInfinity:
		return TSNegInfinity
	}
	return int64(d) * usecsPerDay
}

// IntervalSpan is an interval's length in microseconds with 30-day months
// and 24-hour days, the key PostgreSQL's interval_cmp uses (so '1 month'
// equals '30 days'); a big.Int because it can exceed 64 bits.
func IntervalSpan(iv DInterval) *big.Int {
	days := int64(iv.Months)*30 + int64(iv.Days)
	s := new(big.Int).Mul(big.NewInt(days), big.NewInt(usecsPerDay))
	return s.Add(s, big.NewInt(iv.Micros))
}

func compareInterval(a, b DInterval) int {
	da, db := int64(a.Months)*30+int64(a.Days), int64(b.Months)*30+int64(b.Days)
	const small = 1 << 26 // days small enough that days*µs/day + µs fits in int64
	if da < small && da > -small && db < small && db > -small &&
		a.Micros < 1<<61 && a.Micros > -1<<61 && b.Micros < 1<<61 && b.Micros > -1<<61 {
		return cmp3(da*usecsPerDay+a.Micros, db*usecsPerDay+b.Micros)
	}
	return IntervalSpan(a).Cmp(IntervalSpan(b))
}

// compareVector follows pgvector's vector_cmp_internal and
// halfvec_cmp_internal: element by element over the shared prefix, then
// the shorter vector first.
func compareVector(a, b []float32) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := cmp3(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp3(int64(len(a)), int64(len(b)))
}

func compareArray(t *T, a, b *DArray) int {
	elemT := a.Elem
	if elemT == nil && t != nil {
		elemT = t.Elem
	}
	for i := 0; i < len(a.Elems) && i < len(b.Elems); i++ {
		if c := compareNullable(elemT, a.Elems[i], b.Elems[i]); c != 0 {
			return c
		}
	}
	return cmp3(int64(len(a.Elems)), int64(len(b.Elems)))
}

// compareJSONB follows jsonb's btree order: object > array > boolean >
// number > string > null, except that an empty top-level array sorts
// first; containers with more members sort higher, then members compare
// in storage order (keys shortest first).
func compareJSONB(a, b string) int {
	na, err1 := parseJSONTree(a, true)
	nb, err2 := parseJSONTree(b, true)
	if err1 != nil || err2 != nil {
		return strings.Compare(a, b)
	}
	ra, rb := jsonbRank(na), jsonbRank(nb)
	if na.kind == 'a' && len(na.vals) == 0 {
		ra = 0
	}
	if nb.kind == 'a' && len(nb.vals) == 0 {
		rb = 0
	}
	if ra != rb {
		return cmp3(int64(ra), int64(rb))
	}
	return compareJSONNodes(sortedJSONB(na), sortedJSONB(nb))
}

func jsonbRank(n *jsonNode) int {
	switch n.kind {
	case 'l':
		if n.text == "null" {
			return 1
		}
		return 4
	case 's':
		return 2
	case 'n':
		return 3
	case 'a':
		return 5
	}
	return 6
}

// sortedJSONB puts object members in jsonb's storage order, keeping the
// last of duplicate keys.
func sortedJSONB(n *jsonNode) *jsonNode {
	switch n.kind {
	case 'a':
		out := &jsonNode{kind: 'a', vals: make([]*jsonNode, len(n.vals))}
		for i, v := range n.vals {
			out.vals[i] = sortedJSONB(v)
		}
		return out
	case 'o':
		last := map[string]int{}
		for i, k := range n.keys {
			last[k] = i
		}
		out := &jsonNode{kind: 'o'}
		for i, k := range n.keys {
			if last[k] == i {
				out.keys = append(out.keys, k)
				out.vals = append(out.vals, sortedJSONB(n.vals[i]))
			}
		}
		idx := make([]int, len(out.keys))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(x, y int) bool {
			kx, ky := out.keys[idx[x]], out.keys[idx[y]]
			if len(kx) != len(ky) {
				return len(kx) < len(ky)
			}
			return kx < ky
		})
		keys, vals := make([]string, len(idx)), make([]*jsonNode, len(idx))
		for i, j := range idx {
			keys[i], vals[i] = out.keys[j], out.vals[j]
		}
		out.keys, out.vals = keys, vals
		return out
	}
	return n
}

func compareJSONNodes(a, b *jsonNode) int {
	ra, rb := jsonbRank(a), jsonbRank(b)
	if ra != rb {
		return cmp3(int64(ra), int64(rb))
	}
	switch a.kind {
	case 'l':
		return strings.Compare(a.text, b.text) // "false" < "true"
	case 's':
		return strings.Compare(a.text, b.text)
	case 'n':
		da, err1 := parseNumeric(a.text)
		db, err2 := parseNumeric(b.text)
		if err1 != nil || err2 != nil {
			return strings.Compare(a.text, b.text)
		}
		return compareDecimal(da, db)
	case 'a':
		if len(a.vals) != len(b.vals) {
			return cmp3(int64(len(a.vals)), int64(len(b.vals)))
		}
		for i := range a.vals {
			if c := compareJSONNodes(a.vals[i], b.vals[i]); c != 0 {
				return c
			}
		}
		return 0
	}
	if len(a.keys) != len(b.keys) {
		return cmp3(int64(len(a.keys)), int64(len(b.keys)))
	}
	for i := range a.keys {
		if c := strings.Compare(a.keys[i], b.keys[i]); c != 0 {
			return c
		}
		if c := compareJSONNodes(a.vals[i], b.vals[i]); c != 0 {
			return c
		}
	}
	return 0
}
