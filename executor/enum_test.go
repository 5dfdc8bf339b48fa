package executor

import (
	"errors"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// TestEnumSurvivesRestart closes the store and opens it again: the enum
// types keep their OIDs (pg_type, pg_enum), their labels' sort orders,
// and the rows and index entries written before decode in that order.
func TestEnumSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s, store := openDirSession(t, dir)
	mustRun(t, s, `CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN')`)
	mustRun(t, s, `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`)
	mustRun(t, s, `ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'`)
	mustRun(t, s, `ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'`)
	mustRun(t, s, `CREATE TABLE d (id int PRIMARY KEY, m mood, r "Role" DEFAULT 'ADMIN', ms mood[])`)
	mustRun(t, s, `CREATE INDEX d_m ON d (m)`)
	mustRun(t, s, `INSERT INTO d (id, m, ms) VALUES (1, 'happy', '{ok,meh}'), (2, 'meh', NULL), (3, 'blue', '{}'), (4, 'ok', NULL)`)
	catalogQ := `SELECT t.oid, t.typname, t.typarray, e.oid, e.enumsortorder, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid ORDER BY t.oid, e.enumsortorder`
	before := flat(mustRun(t, s, catalogQ))
	ordered := `SELECT id, m, r, ms FROM d WHERE m >= 'blue' ORDER BY m`
	want := "3|blue|ADMIN|{}\n2|meh|ADMIN|NULL\n4|ok|ADMIN|NULL\n1|happy|ADMIN|{ok,meh}"
	if got := flat(mustRun(t, s, ordered)); got != want {
		t.Fatalf("before restart: %q", got)
	}
	closeDirSession(t, s, store)

	s2, store2 := openDirSession(t, dir)
	defer store2.Close()
	defer s2.Close()
	if got := flat(mustRun(t, s2, catalogQ)); got != before {
		t.Fatalf("catalog after restart:\n%s\nbefore:\n%s", got, before)
	}
	if got := flat(mustRun(t, s2, ordered)); got != want {
		t.Fatalf("after restart: %q", got)
	}
	// The type still takes new labels and rows.
	mustRun(t, s2, `ALTER TYPE mood ADD VALUE 'content' AFTER 'meh'`)
	mustRun(t, s2, `INSERT INTO d (id, m) VALUES (5, 'content')`)
	if got := flat(mustRun(t, s2, `SELECT id FROM d WHERE m > 'blue' AND m < 'ok' ORDER BY m`)); got != "2\n5" {
		t.Fatalf("after ADD VALUE: %q", got)
	}
}

// TestNewEnumSortOrder checks the sort orders ADD VALUE gives, as
// PostgreSQL's AddEnumLabel does: max+1 at the end, neighbour -/+ 1 past
// either end, the midpoint between two labels, and an error (not a
// duplicate order) once float4 has no value left between two labels.
func TestNewEnumSortOrder(t *testing.T) {
	e := &types.EnumType{Labels: []types.EnumLabel{{Sort: 1, Label: "a"}, {Sort: 2, Label: "b"}}}
	cases := []struct {
		n    tree.AlterType
		want float32
	}{
		{tree.AlterType{Value: "x"}, 3},
		{tree.AlterType{Value: "x", HasNeighbor: true, Neighbor: "a"}, 0},
		{tree.AlterType{Value: "x", HasNeighbor: true, Neighbor: "b", After: true}, 3},
		{tree.AlterType{Value: "x", HasNeighbor: true, Neighbor: "a", After: true}, 1.5},
		{tree.AlterType{Value: "x", HasNeighbor: true, Neighbor: "b"}, 1.5},
	}
	for _, c := range cases {
		got, err := newEnumSortOrder(e, &c.n)
		if err != nil || got != c.want {
			t.Errorf("%+v: got %v, %v; want %v", c.n, got, err, c.want)
		}
	}
	if _, err := newEnumSortOrder(&types.EnumType{}, &tree.AlterType{Value: "x"}); err != nil {
		t.Errorf("first label of an empty enum: %v", err)
	}
	if _, err := newEnumSortOrder(e, &tree.AlterType{Value: "x", HasNeighbor: true, Neighbor: "zz"}); err == nil {
		t.Error("missing neighbour accepted")
	}
	// Halving the gap before "b" runs out of float4 precision after about
	// 24 insertions; each one before it must have found a new order.
	seen := map[float32]bool{1: true, 2: true}
	for i := 0; ; i++ {
		got, err := newEnumSortOrder(e, &tree.AlterType{Value: "x", HasNeighbor: true, Neighbor: "b"})
		if err != nil {
			if i < 20 {
				t.Fatalf("no room after only %d insertions: %v", i, err)
			}
			break
		}
		if seen[got] {
			t.Fatalf("sort order %v given twice", got)
		}
		seen[got] = true
		e.Labels = append(e.Labels, types.EnumLabel{Sort: got, Label: "x" + string(rune('A'+i%26)) + string(rune('a'+i/26))})
	}
}

// TestEnumCopy copies enum and enum-array columns in and out in the text
// and binary formats (an enum's binary form is its label's bytes), and
// checks a bad label's error and COPY context.
func TestEnumCopy(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE d (id int PRIMARY KEY, m mood, ms mood[])")
	if tag, err := copyIn(t, s, "COPY d FROM STDIN", "1\tok\t{sad,happy}\n2\thappy\t\\N\n3\t\\N\t{}\n"); err != nil || tag != "COPY 3" {
		t.Fatalf("copy in = %q, %v", tag, err)
	}
	const want = "1\tok\t{sad,happy}\n2\thappy\t\\N\n3\t\\N\t{}\n"
	if _, out := copyOut(t, s, "COPY d TO STDOUT"); out != want {
		t.Fatalf("copy out = %q", out)
	}
	_, bin := copyOut(t, s, "COPY d TO STDOUT (FORMAT binary)")
	if !strings.Contains(bin, "happy") {
		t.Errorf("binary COPY lacks the label's bytes: %q", bin)
	}
	mustRun(t, s, "CREATE TABLE e (id int PRIMARY KEY, m mood, ms mood[])")
	if tag, err := copyIn(t, s, "COPY e FROM STDIN (FORMAT binary)", bin); err != nil || tag != "COPY 3" {
		t.Fatalf("binary copy in = %q, %v", tag, err)
	}
	if _, out := copyOut(t, s, "COPY e TO STDOUT"); out != want {
		t.Fatalf("binary round trip = %q", out)
	}
	_, err := copyIn(t, s, "COPY d FROM STDIN", "4\tmeh\t\\N\n")
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != "22P02" || pe.Message != `invalid input value for enum mood: "meh"` {
		t.Fatalf("bad label: %v", err)
	}
}
