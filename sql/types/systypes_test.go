package types

import (
	"bytes"
	"testing"
)

// TestSystemTypesText: xid and cid take input as PostgreSQL 15's xidin and
// cidin do (C's strtoul, no errors); tid as tidin, values recorded from
// PostgreSQL 15.
func TestSystemTypesText(t *testing.T) {
	for _, c := range []struct {
		t       *T
		in, out string
	}{
		{Xid, "123", "123"}, {Xid, "-1", "4294967295"}, {Xid, "0x10", "16"}, {Xid, "010", "8"},
		{Xid, "abc", "0"}, {Xid, " 12x", "12"}, {Xid, "99999999999", "1215752191"},
		{Xid, "99999999999999999999999", "4294967295"}, {Xid, "0x", "0"}, {Cid, "7", "7"},
		{Tid, "(0,1)", "(0,1)"}, {Tid, "( 1,2)", "(1,2)"}, {Tid, "(-1,1)", "(4294967295,1)"},
		{Tid, "(,1)", "(0,1)"}, {Tid, "(4294967295,65535)", "(4294967295,65535)"}, {Tid, "(3,4)junk", "(3,4)"},
	} {
		d, err := ParseText(c.t, c.in)
		if err != nil {
			t.Errorf("%s %q: %v", c.t, c.in, err)
			continue
		}
		if got := string(AppendText(nil, c.t, d)); got != c.out {
			t.Errorf("%s %q = %s, want %s", c.t, c.in, got, c.out)
		}
	}
	for _, bad := range []string{"x", "(0,1", "(0,65536)", "(1 ,2)", " ( 1 , 2 ) ", "(0,-1)", "(-3000000000,1)", "(99999999999999999999,1)"} {
		if _, err := ParseText(Tid, bad); err == nil {
			t.Errorf("tid %q: no error", bad)
		}
	}
}

// TestSystemTypesBinary: xid and cid are 4-byte unsigned integers, tid a
// 4-byte block and a 2-byte offset, big-endian (xidsend, tidsend).
func TestSystemTypesBinary(t *testing.T) {
	for _, c := range []struct {
		t   *T
		d   Datum
		enc []byte
	}{
		{Xid, DOid(4294967295), []byte{0xFF, 0xFF, 0xFF, 0xFF}},
		{Cid, DOid(1), []byte{0, 0, 0, 1}},
		{Tid, DTid{Block: 258, Offset: 3}, []byte{0, 0, 1, 2, 0, 3}},
	} {
		enc, err := EncodeBinary(nil, c.t, c.d)
		if err != nil || !bytes.Equal(enc, c.enc) {
			t.Errorf("%s %v: %x, %v; want %x", c.t, c.d, enc, err, c.enc)
		}
		d, err := DecodeBinary(c.t, c.enc)
		if err != nil || Compare(c.t, d, c.d) != 0 {
			t.Errorf("%s %x: %v, %v", c.t, c.enc, d, err)
		}
	}
	if _, err := DecodeBinary(Tid, []byte{0, 0, 0, 1}); err == nil {
		t.Error("tid from 4 bytes: no error")
	}
}
