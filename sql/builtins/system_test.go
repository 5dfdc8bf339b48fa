package builtins

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

type fakeSession struct {
	settings map[string]string
	seq      int64
}

func (s *fakeSession) CurrentUser() string     { return "alice" }
func (s *fakeSession) CurrentDatabase() string { return "shop" }
func (s *fakeSession) SearchPath() []string    { return []string{"$user", "app", "public"} }
func (s *fakeSession) Setting(n string) (string, bool) {
	v, ok := s.settings[n]
	return v, ok
}
func (s *fakeSession) SetSetting(n, v string, local bool) error { s.settings[n] = v; return nil }
func (s *fakeSession) BackendPID() int32                        { return 4242 }
func (s *fakeSession) NextVal(ctx context.Context, name string) (int64, error) {
	if name != "s" {
		return 0, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", name)
	}
	s.seq++
	return s.seq, nil
}
func (s *fakeSession) CurrVal(name string) (int64, error) { return s.seq, nil }
func (s *fakeSession) SetVal(ctx context.Context, name string, v int64, called bool) (int64, error) {
	s.seq = v
	return v, nil
}

// callBound resolves and calls a function the way the planner does:
// Resolve, then Callable with the resolved types.
func callBound(t *testing.T, ctx *EvalContext, name string, typs []*types.T, args ...types.Datum) (types.Datum, error) {
	t.Helper()
	o, casts, err := Resolve(name, Functions(name), typs)
	if err != nil {
		return nil, err
	}
	return o.Callable(casts)(ctx, args)
}

func TestSystemFunctions(t *testing.T) {
	sess := &fakeSession{settings: map[string]string{"search_path": "app, public"}}
	ctx := testCtx()
	ctx.Session = sess
	for _, c := range []struct {
		name string
		typs []*types.T
		args []types.Datum
		want string
		code string
	}{
		{name: "version", want: "PostgreSQL 15.0 (Quiver 0.1.0) on x86_64-pc-linux-gnu, compiled by " + runtime.Version() + ", 64-bit"},
		{name: "current_database", want: "shop"},
		{name: "current_user", want: "alice"},
		{name: "session_user", want: "alice"},
		{name: "user", want: "alice"},
		{name: "current_schema", want: "app"},
		{name: "current_schemas", typs: ts(types.Bool), args: ds(bv(true)), want: "{pg_catalog,app,public}"},
		{name: "pg_backend_pid", want: "4242"},
		{name: "current_setting", typs: ts(unk), args: ds(sv("search_path")), want: "app, public"},
		{name: "current_setting", typs: ts(unk), args: ds(sv("nope")), code: "42704"},
		{name: "current_setting", typs: ts(unk, types.Bool), args: ds(sv("nope"), bv(true)), want: "NULL"},
		{name: "set_config", typs: ts(unk, unk, types.Bool), args: ds(sv("work_mem"), sv("8MB"), bv(false)), want: "8MB"},
		{name: "nextval", typs: ts(unk), args: ds(sv("s")), want: "1"},
		{name: "nextval", typs: ts(unk), args: ds(sv("s")), want: "2"},
		{name: "currval", typs: ts(unk), args: ds(sv("s")), want: "2"},
		{name: "setval", typs: ts(unk, i4), args: ds(sv("s"), iv(10)), want: "10"},
		{name: "nextval", typs: ts(unk), args: ds(sv("t")), code: "42P01"},
		{name: "pg_typeof", typs: ts(i8), args: ds(iv(1)), want: "20"},
		{name: "pg_typeof", typs: ts(unk), args: ds(sv("x")), want: "705"},
		{name: "pg_typeof", typs: ts(types.ArrayOf(txt)), args: ds(types.Null), want: "1009"},
	} {
		res, err := callBound(t, ctx, c.name, c.typs, c.args...)
		if c.code != "" {
			if pgerror.CodeOf(err) != c.code {
				t.Errorf("%s: want %s, got %v", c.name, c.code, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := "NULL"
		if !types.IsNull(res) {
			got = datumText(res)
		}
		if got != c.want {
			t.Errorf("%s: got %q want %q", c.name, got, c.want)
		}
	}
	for _, n := range []string{"random", "nextval", "gen_random_uuid", "clock_timestamp"} {
		if !Functions(n)[0].Volatile {
			t.Errorf("%s must be volatile", n)
		}
	}
	u, _ := callBound(t, ctx, "gen_random_uuid", nil)
	if s := datumText(u); len(s) != 36 || s[14] != '4' {
		t.Errorf("gen_random_uuid() = %s", s)
	}
	if len(Functions("pg_catalog.lower")) == 0 {
		t.Errorf("pg_catalog-qualified lookup failed")
	}
}

func TestTypedTextOutput(t *testing.T) {
	ctx := testCtx()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata")
	}
	ctx.Location = loc
	res, err := callBound(t, ctx, "concat", ts(f4, unk, tstzT), fv(float64(float32(0.1))), sv("|"), tstzv("2024-01-01 12:00:00"))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.(types.DString)); got != "0.1|2024-01-01 13:00:00+01" {
		t.Errorf("concat typed = %q", got)
	}
	res, err = callBound(t, ctx, "array_to_string", ts(types.ArrayOf(f4), unk), &types.DArray{Elem: f4, Elems: ds(fv(float64(float32(1.1))), types.Null)}, sv(","))
	if err != nil || string(res.(types.DString)) != "1.1" {
		t.Errorf("array_to_string typed = %v %v", res, err)
	}
}

func TestArrayFunctions(t *testing.T) {
	ia := func(vs ...types.Datum) types.Datum { return &types.DArray{Elem: i4, Elems: vs} }
	i4a := types.ArrayOf(i4)
	runFuncs(t, []evalCase{
		{name: "array_length", typs: ts(i4a, i4), args: ds(ia(iv(1), iv(2)), iv(1)), want: "2"},
		{name: "array_length", typs: ts(i4a, i4), args: ds(ia(), iv(1)), want: "NULL"},
		{name: "cardinality", typs: ts(i4a), args: ds(ia(iv(1), types.Null)), want: "2"},
		{name: "array_upper", typs: ts(i4a, i4), args: ds(ia(iv(1), iv(2), iv(3)), iv(1)), want: "3"},
		{name: "array_lower", typs: ts(i4a, i4), args: ds(ia(iv(1)), iv(1)), want: "1"},
		{name: "array_to_string", typs: ts(i4a, unk), args: ds(ia(iv(1), types.Null, iv(3)), sv(",")), want: "1,3"},
		{name: "array_to_string", typs: ts(i4a, unk, unk), args: ds(ia(iv(1), types.Null), sv(","), sv("*")), want: "1,*"},
		{name: "array_position", typs: ts(i4a, i4), args: ds(ia(iv(5), iv(6)), iv(6)), want: "2"},
		{name: "array_position", typs: ts(i4a, unk), args: ds(ia(iv(5), iv(6)), iv(7)), want: "NULL"},
		{name: "array_position", typs: ts(i4a, i4), args: ds(ia(iv(5), types.Null), types.Null), want: "2"},
		{name: "array_positions", typs: ts(i4a, i4), args: ds(ia(iv(5), iv(6), iv(5)), iv(5)), want: "{1,3}"},
		{name: "array_append", typs: ts(i4a, i4), args: ds(ia(iv(1)), iv(2)), want: "{1,2}"},
		{name: "array_prepend", typs: ts(i4, i4a), args: ds(iv(0), ia(iv(1))), want: "{0,1}"},
		{name: "array_cat", typs: ts(i4a, i4a), args: ds(ia(iv(1)), ia(iv(2), iv(3))), want: "{1,2,3}"},
		{name: "array_cat", typs: ts(i4a, i4a), args: ds(types.Null, ia(iv(2))), want: "{2}"},
		{name: "array_remove", typs: ts(i4a, i4), args: ds(ia(iv(1), iv(2), iv(1)), iv(1)), want: "{2}"},
		{name: "array_replace", typs: ts(i4a, i4, i4), args: ds(ia(iv(1), iv(2)), iv(1), iv(9)), want: "{9,2}"},
		{name: "string_to_array", typs: ts(txt, unk), args: ds(sv("a,b,,c"), sv(",")), want: `{a,b,"",c}`},
		{name: "string_to_array", typs: ts(txt, unk, unk), args: ds(sv("a,*,c"), sv(","), sv("*")), want: "{a,NULL,c}"},
		{name: "string_to_array", typs: ts(txt, unk), args: ds(sv("ab"), types.Null), want: "{a,b}"},
		{name: "array_length", typs: ts(i4, i4), code: "42883", msg: "function array_length(integer, integer) does not exist"},
	})
	runBinary(t, []evalCase{
		{name: "||", typs: ts(i4a, i4a), args: ds(ia(iv(1)), ia(iv(2))), want: "{1,2}"},
		{name: "||", typs: ts(i4a, i4), args: ds(ia(iv(1)), iv(2)), want: "{1,2}"},
		{name: "||", typs: ts(i4, i4a), args: ds(iv(0), ia(iv(1))), want: "{0,1}"},
		{name: "||", typs: ts(unk, i4), args: ds(sv("a"), iv(1)), want: "a1"},
		{name: "=", typs: ts(i4a, i4a), args: ds(ia(iv(1), iv(2)), ia(iv(1), iv(2))), want: "t"},
		{name: "<", typs: ts(i4a, i4a), args: ds(ia(iv(1)), ia(iv(1), iv(2))), want: "t"},
	})
}
