package builtins

import (
	"context"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// The expectations are PostgreSQL 15's jsonb_to_record / json_to_record
// output for the same value and column type.
func TestPopulateField(t *testing.T) {
	ctx := &EvalContext{Ctx: context.Background(), Location: time.UTC}
	varchar2 := &types.T{Family: types.FamVarchar, Width: 2}
	for _, c := range []struct {
		raw  string
		t    *types.T
		want string // text form, or the SQLSTATE of the error
	}{
		{`1`, types.Int4, "1"},
		{`"42"`, types.Int4, "42"},
		{`1.7`, types.Int4, "22P02"},
		{`true`, types.Text, "true"},
		{`null`, types.Int4, "NULL"},
		{`"a\"b"`, types.Text, `a"b`},
		{`"\u00e9\ud83d\ude00"`, types.Text, "é😀"},
		{`"\u0000"`, types.Text, "22P05"},
		{`"\udc00"`, types.Text, "22P02"},
		{`"a\"b"`, types.JSON, `"a\"b"`},
		{`"abc"`, types.JSONB, `"abc"`},
		{`{"b":  [1,2]}`, types.JSON, `{"b":  [1,2]}`},
		{`{"b": [1, 2]}`, types.Text, `{"b": [1, 2]}`},
		{`{"b": 1}`, types.Int4, "22P02"},
		{`[1, null, "3"]`, types.ArrayOf(types.Int4), "{1,NULL,3}"},
		{`[1, [2]]`, types.ArrayOf(types.Text), "{1,[2]}"},
		{`[[1], [2]]`, types.ArrayOf(types.Int4), "0A000"},
		{`5`, types.ArrayOf(types.Int4), "22P02"},
		{`"{4,5}"`, types.ArrayOf(types.Int4), "{4,5}"},
		{`"abc"`, varchar2, "22001"},
		{`"1"`, types.Record, "0A000"},
	} {
		got, err := populateField(ctx, []byte(c.raw), c.t, "k")
		s := ""
		if err != nil {
			s = pgerror.Convert(err).Code
		} else if types.IsNull(got) {
			s = "NULL"
		} else {
			s = types.FormatText(c.t, got)
		}
		if s != c.want {
			t.Errorf("%s as %s: got %s (%v), want %s", c.raw, c.t, s, err, c.want)
		}
	}
}
