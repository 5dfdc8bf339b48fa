package builtins

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/quiverdb/quiver/sql/types"
)

// compareDatums orders two non-NULL values of the same type the way
// PostgreSQL's btree operators do (NaN sorts above every float, strings in
// the C collation, intervals by their 30-day-month span).
func compareDatums(a, b types.Datum) int {
	if ta, tb := reflect.TypeOf(a), reflect.TypeOf(b); ta != tb {
		// Mismatched representations mean a missing cast upstream; order
		// them deterministically rather than fail a type assertion.
		return strings.Compare(fmt.Sprint(ta), fmt.Sprint(tb))
	}
	switch x := a.(type) {
	case types.DInt:
		return cmpOrdered(x, b.(types.DInt))
	case types.DFloat:
		return cmpFloat(float64(x), float64(b.(types.DFloat)))
	case *types.DDecimal:
		return x.Cmp(&b.(*types.DDecimal).Decimal)
	case types.DString:
		return strings.Compare(string(x), string(b.(types.DString)))
	case types.DBool:
		y := b.(types.DBool)
		switch {
		case x == y:
			return 0
		case !bool(x):
			return -1
		}
		return 1
	case types.DBytes:
		return bytes.Compare(x, b.(types.DBytes))
	case types.DDate:
		return cmpOrdered(x, b.(types.DDate))
	case types.DTimestamp:
		return cmpOrdered(x, b.(types.DTimestamp))
	case types.DTimestampTZ:
		return cmpOrdered(x, b.(types.DTimestampTZ))
	case types.DInterval:
		return cmpInterval(x, b.(types.DInterval))
	case types.DUUID:
		y := b.(types.DUUID)
		return bytes.Compare(x[:], y[:])
	case types.DJSON:
		return strings.Compare(string(x), string(b.(types.DJSON)))
	case types.DOid:
		return cmpOrdered(x, b.(types.DOid))
	case types.DVector:
		y := b.(types.DVector)
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := cmpFloat(float64(x[i]), float64(y[i])); c != 0 {
				return c
			}
		}
		return cmpOrdered(len(x), len(y))
	case *types.DArray:
		return compareSeq(x.Elems, b.(*types.DArray).Elems)
	case types.DTuple:
		return compareSeq(x, b.(types.DTuple))
	}
	return 0
}

// compareSeq orders arrays and rows element-wise; NULL sorts last.
func compareSeq(x, y []types.Datum) int {
	for i := 0; i < len(x) && i < len(y); i++ {
		xn, yn := types.IsNull(x[i]), types.IsNull(y[i])
		switch {
		case xn && yn:
			continue
		case xn:
			return 1
		case yn:
			return -1
		}
		if c := compareDatums(x[i], y[i]); c != 0 {
			return c
		}
	}
	return cmpOrdered(len(x), len(y))
}

type ordered interface {
	~int | ~int32 | ~int64 | ~uint32
}

func cmpOrdered[T ordered](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
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

// intervalSpan is PostgreSQL's interval_cmp_value: months count 30 days.
func intervalSpan(v types.DInterval) int64 {
	days := int64(v.Months)*30 + int64(v.Days)
	return days*86400000000 + v.Micros
}

func cmpInterval(a, b types.DInterval) int {
	return cmpOrdered(intervalSpan(a), intervalSpan(b))
}
