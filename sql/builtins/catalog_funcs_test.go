package builtins

import (
	"testing"

	"github.com/quiverdb/quiver/sql/types"
)

func TestFormatType(t *testing.T) {
	tests := []struct {
		oid    uint32
		typmod int32
		hasMod bool
		want   string
	}{
		{types.OidInt4, -1, true, "integer"},
		{types.OidVarchar, 14, true, "character varying(10)"},
		{types.OidVarchar, -1, true, "character varying"},
		{types.OidBpchar, -1, true, "bpchar"},
		{types.OidBpchar, 8, true, "character(4)"},
		{types.OidNumeric, (10<<16 | 2) + 4, true, "numeric(10,2)"},
		{types.OidTimestampTZ, 3, true, "timestamp(3) with time zone"},
		{types.OidTimestamp, -1, true, "timestamp without time zone"},
		{types.OidVector, 3, true, "vector(3)"},
		{types.OidVector, -1, false, "vector"},
		{1007, -1, true, "integer[]"},
		{1015, 14, true, "character varying(10)[]"},
		{types.OidChar1, -1, true, `"char"`},
		{types.OidBool, 0, false, "boolean"},
		{999999, -1, true, "???"},
	}
	for _, tc := range tests {
		if got := FormatType(tc.oid, tc.typmod, tc.hasMod); got != tc.want {
			t.Errorf("format_type(%d, %d) = %q, want %q", tc.oid, tc.typmod, got, tc.want)
		}
	}
}

func TestSizePretty(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 bytes"},
		{10239, "10239 bytes"},
		{10240, "10 kB"},
		{-10240, "-10 kB"},
		{1048576, "1024 kB"},
		{10 * 1024 * 1024, "10 MB"},
		{5000000000, "4768 MB"},
		{1 << 50, "1024 TB"},
		{10 << 50, "10 PB"},
	}
	for _, tc := range tests {
		if got := sizePretty(tc.in); got != tc.want {
			t.Errorf("pg_size_pretty(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Without a catalog-aware session the introspection functions answer
// NULL rather than failing.
func TestCatalogFunctionsWithoutCatalog(t *testing.T) {
	ctx := &EvalContext{}
	for _, name := range []string{"pg_table_is_visible", "pg_get_indexdef", "pg_get_constraintdef", "obj_description"} {
		o := Functions(name)[0]
		got, err := o.Fn(ctx, []types.Datum{types.DOid(16384)})
		if err != nil || got != types.Null {
			t.Errorf("%s without a catalog = %v, %v; want NULL", name, got, err)
		}
	}
}
