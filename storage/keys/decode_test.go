package keys

import (
	"reflect"
	"testing"

	"github.com/quiverdb/quiver/sql/types"
)

// mood is an enum whose labels' sort orders are not their OIDs' order
// (ADD VALUE BEFORE gave 'meh' 1.5 and 'awful' 0).
var mood = types.EnumOf(&types.EnumType{OID: 20000, Name: "mood", Labels: []types.EnumLabel{
	{OID: 20001, Sort: 1, Label: "sad"}, {OID: 20002, Sort: 2, Label: "ok"},
	{OID: 20003, Sort: 1.5, Label: "meh"}, {OID: 20004, Sort: 0, Label: "awful"},
}})

func TestDecodeRoundTrip(t *testing.T) {
	cases := []struct {
		t *types.T
		d types.Datum
	}{
		{types.Bool, types.DBool(true)},
		{types.Bool, types.DBool(false)},
		{types.Int4, types.DInt(-7)},
		{types.Int8, types.DInt(1 << 62)},
		{types.Int2, types.DInt(0)},
		{types.Text, types.DString("a\x00b")},
		{types.Text, types.DString("")},
		{types.Bytea, types.DBytes{0, 0xFF, 1}},
		{types.Date, types.DDate(-30)},
		{types.Timestamp, types.DTimestamp(1234567)},
		{types.UUID, types.DUUID{1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9}},
		{types.Int4, types.Null},
		{mood, types.DEnum{OID: 20003, Sort: 1.5, Label: "meh"}},
		{mood, types.DEnum{OID: 20004, Sort: 0, Label: "awful"}},
	}
	for _, c := range cases {
		enc, err := Encode(nil, c.d, false)
		if err != nil {
			t.Fatalf("encode %v: %v", c.d, err)
		}
		// A second value behind the first: Decode must stop at its end.
		enc, _ = Encode(enc, types.DInt(42), false)
		got, rest, ok := Decode(enc, c.t)
		if !ok {
			t.Fatalf("decode %v (%s): not ok", c.d, c.t)
		}
		if !reflect.DeepEqual(got, c.d) {
			t.Errorf("decode %v (%s) = %#v", c.d, c.t, got)
		}
		next, rest, ok := Decode(rest, types.Int8)
		if !ok || next != types.DInt(42) || len(rest) != 0 {
			t.Errorf("after %v: next %v, rest %x, ok %v", c.d, next, rest, ok)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	f, _ := Encode(nil, types.DFloat(-0.0), false)
	if _, _, ok := Decode(f, types.Float8); ok {
		t.Error("float decoded, but -0 and 0 encode alike")
	}
	for _, b := range [][]byte{nil, {markerValue}, {markerValue, 1, 2}, {0x7F}, {markerValue, 'a', 0}} {
		if _, _, ok := Decode(b, types.Text); ok {
			t.Errorf("malformed %x decoded as text", b)
		}
	}
}

// TestEnumKeysFollowSortOrder checks that index keys of enum values sort
// by enumsortorder, not by OID or label.
func TestEnumKeysFollowSortOrder(t *testing.T) {
	var prev []byte
	for i, l := range mood.Enum.Sorted() {
		k, err := Encode(nil, l.Datum(), false)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && string(prev) >= string(k) {
			t.Errorf("key of %s does not sort after the previous label's", l.Label)
		}
		prev = k
	}
	// A sort order the type does not have (a dropped label's) decodes
	// to nothing rather than to a wrong label.
	k, _ := Encode(nil, types.DEnum{OID: 1, Sort: 7, Label: "gone"}, false)
	if _, _, ok := Decode(k, mood); ok {
		t.Error("decoded a sort order the type does not have")
	}
}
