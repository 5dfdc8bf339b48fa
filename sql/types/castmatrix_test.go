package types

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// castMatrixTypes are the scalar types whose cast contexts are compared
// with pg_cast (plus the automatic I/O conversion rules).
var castMatrixTypes = []*T{Bool, Int2, Int4, Int8, Float4, Float8, Numeric, Text, Varchar, Bpchar, Name, Bytea, Date,
	Timestamp, TimestampTZ, Interval, UUID, JSON, JSONB, Oid, Regclass, Regtype, Regproc}

var castContextNames = map[CastContext]string{CastImplicit: "i", CastAssignment: "a", CastExplicit: "e"}

func ourCastContext(f, g *T) string {
	c, ok := castContextOf(f, g)
	if !ok {
		return "-"
	}
	return castContextNames[c]
}

// TestCastMatrixAgainstPostgres derives each pair's cast context from a
// live server's pg_cast; QUIVER_TEST_PG_UPDATE records it for TestCastMatrix.
func TestCastMatrixAgainstPostgres(t *testing.T) {
	dsn := os.Getenv("QUIVER_TEST_PG_DSN")
	if dsn == "" {
		t.Skip("QUIVER_TEST_PG_DSN not set")
	}
	ctx := context.Background()
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	rr := conn.ExecParams(ctx, "select castsource::int, casttarget::int, castcontext::text from pg_cast", nil, nil, nil, nil).Read()
	if rr.Err != nil {
		t.Fatal(rr.Err)
	}
	pgc := map[[2]uint32]string{}
	for _, r := range rr.Rows {
		a, _ := strconv.Atoi(string(r[0]))
		b, _ := strconv.Atoi(string(r[1]))
		pgc[[2]uint32{uint32(a), uint32(b)}] = string(r[2])
	}
	defer conn.Close(ctx)
	str := func(x *T) bool { return isStringFam(x.Family) }
	var lines []string
	for _, f := range castMatrixTypes {
		for _, g := range castMatrixTypes {
			if f == g {
				continue
			}
			want, ok := pgc[[2]uint32{f.OID(), g.OID()}]
			if !ok {
				switch {
				case str(g):
					want = "a"
				case str(f):
					want = "e"
				default:
					want = "-"
				}
			}
			lines = append(lines, f.TypeName()+" "+g.TypeName()+" "+want)
			if got := ourCastContext(f, g); got != want {
				t.Errorf("%s -> %s: pg %s ours %s", f, g, want, got)
			}
		}
	}
	if os.Getenv("QUIVER_TEST_PG_UPDATE") != "" {
		if err := os.WriteFile("testdata/pgcasts.txt", []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCastMatrix checks every pair against contexts recorded from
// PostgreSQL 15 (i implicit, a assignment, e explicit, - none).
func TestCastMatrix(t *testing.T) {
	for _, l := range readLines(t, "testdata/pgcasts.txt") {
		var from, to, want string
		if _, err := fmt.Sscan(l, &from, &to, &want); err != nil {
			t.Fatalf("bad line %q", l)
		}
		f, err1 := Resolve(from, nil)
		g, err2 := Resolve(to, nil)
		if err1 != nil || err2 != nil {
			t.Fatalf("resolve %q: %v %v", l, err1, err2)
		}
		if got := ourCastContext(f, g); got != want {
			t.Errorf("%s -> %s: postgres %s, quiver %s", from, to, want, got)
		}
	}
}
