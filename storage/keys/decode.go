package keys

import (
	"encoding/binary"
	"math"

	"github.com/quiverdb/quiver/sql/types"
)

// Decode reads one ascending encoding of a value of type t from the front
// of b and returns the value and the rest of b. Only the types whose
// encoding is one-to-one decode (booleans, integers, text and varchar,
// bytea, uuid, date and timestamps); for the others (floats fold -0 into
// 0, decimals drop trailing zeros, intervals fold months into days) and
// on malformed input ok is false, and the caller reads the value some
// other way.
func Decode(b []byte, t *types.T) (d types.Datum, rest []byte, ok bool) {
	if len(b) == 0 || t == nil {
		return nil, nil, false
	}
	if b[0] == markerNull {
		return types.Null, b[1:], true
	}
	if b[0] != markerValue {
		return nil, nil, false
	}
	b = b[1:]
	switch t.Family {
	case types.FamBool:
		if len(b) < 1 || b[0] > 1 {
			return nil, nil, false
		}
		return types.DBool(b[0] == 1), b[1:], true
	case types.FamInt2, types.FamInt4, types.FamInt8, types.FamDate, types.FamTimestamp, types.FamTimestampTZ:
		if len(b) < 8 {
			return nil, nil, false
		}
		v := int64(binary.BigEndian.Uint64(b) ^ (1 << 63))
		switch t.Family {
		case types.FamDate:
			d = types.DDate(v)
		case types.FamTimestamp:
			d = types.DTimestamp(v)
		case types.FamTimestampTZ:
			d = types.DTimestampTZ(v)
		default:
			d = types.DInt(v)
		}
		return d, b[8:], true
	case types.FamText, types.FamVarchar, types.FamBytea:
		s, rest, ok := decodeBytes(b)
		if !ok {
			return nil, nil, false
		}
		if t.Family == types.FamBytea {
			return types.DBytes(s), rest, true
		}
		return types.DString(s), rest, true
	case types.FamEnum:
		if len(b) < 8 || t.Enum == nil {
			return nil, nil, false
		}
		u := binary.BigEndian.Uint64(b)
		if u&(1<<63) != 0 {
			u &^= 1 << 63
		} else {
			u = ^u
		}
		l, found := t.Enum.BySort(float32(math.Float64frombits(u)))
		if !found {
			return nil, nil, false
		}
		return l.Datum(), b[8:], true
	case types.FamUUID:
		if len(b) < 16 {
			return nil, nil, false
		}
		var u types.DUUID
		copy(u[:], b)
		return u, b[16:], true
	}
	return nil, nil, false
}

// decodeBytes undoes appendBytes: 0x00 0xFF is an escaped zero byte,
// 0x00 0x01 the terminator.
func decodeBytes(b []byte) (out, rest []byte, ok bool) {
	out = []byte{}
	for i := 0; i < len(b); i++ {
		if b[i] != 0 {
			out = append(out, b[i])
			continue
		}
		if i+1 >= len(b) {
			return nil, nil, false
		}
		switch b[i+1] {
		case 0xFF:
			out = append(out, 0)
			i++
		case 0x01:
			return out, b[i+2:], true
		default:
			return nil, nil, false
		}
	}
	return nil, nil, false
}
