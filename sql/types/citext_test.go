package types

import "testing"

func TestCitextCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b       string
		citext, tx int
	}{
		{"abc", "ABC", 0, 1},
		{"a", "B", -1, 1},
		{"Zebra", "apple", 1, -1},
		{"ÄB", "äb", 0, -1},
		{"a", "ab", -1, -1},
	} {
		if got := Compare(Citext, DString(tc.a), DString(tc.b)); got != tc.citext {
			t.Errorf("citext %q vs %q = %d, want %d", tc.a, tc.b, got, tc.citext)
		}
		if got := Compare(Text, DString(tc.a), DString(tc.b)); got != tc.tx {
			t.Errorf("text %q vs %q = %d, want %d", tc.a, tc.b, got, tc.tx)
		}
	}
}

// TestCitextCastContexts follows extension citext's pg_cast: only citext
// to text and varchar are implicit, so citext = text resolves to text's
// operator.
func TestCitextCastContexts(t *testing.T) {
	for _, tc := range []struct {
		from, to *T
		want     CastContext
	}{
		{Citext, Text, CastImplicit},
		{Citext, Varchar, CastImplicit},
		{Citext, Bpchar, CastAssignment},
		{Text, Citext, CastAssignment},
		{Varchar, Citext, CastAssignment},
		{Bpchar, Citext, CastAssignment},
		{Bool, Citext, CastAssignment},
		{Citext, Int4, CastExplicit},
	} {
		got, ok := castContextOf(tc.from, tc.to)
		if !ok || got != tc.want {
			t.Errorf("%s -> %s: %v %v, want %v", tc.from, tc.to, got, ok, tc.want)
		}
	}
	d, err := Cast(DString("ab  "), BpcharN(4), Citext, CastAssignment)
	if err != nil || d != DString("ab") {
		t.Fatalf("bpchar to citext: %v %v", d, err)
	}
	if r, err := Resolve("citext", nil); err != nil || r.Family != FamCitext || r.String() != "citext" || r.OID() != OidCitext {
		t.Fatalf("Resolve(citext) = %v %v", r, err)
	}
	if a := ArrayOf(Citext); a.OID() != OidCitextArray || a.TypeName() != "_citext" || a.String() != "citext[]" {
		t.Fatalf("citext[]: %d %s %s", a.OID(), a.TypeName(), a)
	}
}
