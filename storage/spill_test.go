package storage

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// spillTestBytes makes a transaction spill every few hundred rows.
const spillTestBytes = 64 << 10

func openSpilling(t *testing.T, dir string) *Engine {
	t.Helper()
	e, err := Open(Options{Dir: dir, NoSync: true, Logger: quiet, SpillBytes: spillTestBytes})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// spillingUsers opens a spilling store in a fresh directory (closed when
// the test ends) with a users table holding 10 committed rows.
func spillingUsers(t *testing.T) (*Engine, *catalog.Table) {
	t.Helper()
	e := openSpilling(t, t.TempDir())
	t.Cleanup(func() { _ = e.Close() })
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 10)
	return e, tb
}

// spillKeys counts what spills left behind: run files in the spill
// folder and keys under the spill prefix older stores used.
func spillKeys(t *testing.T, e *Engine) int {
	t.Helper()
	files, err := os.ReadDir(e.spillDir())
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	btx := e.db.NewTransactionAt(math.MaxUint64, false)
	defer btx.Discard()
	it := btx.NewIterator(badger.IteratorOptions{Prefix: prefixSpill})
	defer it.Close()
	n := len(files)
	for it.Rewind(); it.Valid(); it.Next() {
		n++
	}
	return n
}

// usersModel is what a users table should hold: id -> row.
type usersModel map[int64][]types.Datum

func (m usersModel) sorted() [][]types.Datum {
	ids := slices.Sorted(maps.Keys(m))
	out := make([][]types.Datum, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out
}

// checkUsers compares everything tx reads of the users table with the
// model: forward and reverse primary-key scans, a bounded range, point
// reads, and both index scans.
func checkUsers(t *testing.T, tx *Txn, tb *catalog.Table, m usersModel) {
	t.Helper()
	ctx := context.Background()
	want := m.sorted()
	got := collect(t)(tx.ScanTable(ctx, tb, Span{}, false))
	if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
		t.Fatalf("forward scan: %d rows, want %d (first difference at %d)", len(got), len(want), firstDiff(got, want))
	}
	rev := collect(t)(tx.ScanTable(ctx, tb, Span{}, true))
	slices.Reverse(rev)
	if len(rev) != len(want) || (len(want) > 0 && !reflect.DeepEqual(rev, want)) {
		t.Fatalf("reverse scan: %d rows, want %d (first difference at %d)", len(rev), len(want), firstDiff(rev, want))
	}
	lo, hi := int64(990), int64(1700)
	span := Span{Start: &Bound{Values: []types.Datum{types.DInt(lo)}, Inclusive: true}, End: &Bound{Values: []types.Datum{types.DInt(hi)}}}
	var wantRange [][]types.Datum
	for _, r := range want {
		if id := int64(r[0].(types.DInt)); id >= lo && id < hi {
			wantRange = append(wantRange, r)
		}
	}
	if got := collect(t)(tx.ScanTable(ctx, tb, span, false)); len(got) != len(wantRange) || (len(got) > 0 && !reflect.DeepEqual(got, wantRange)) {
		t.Fatalf("range scan: %d rows, want %d", len(got), len(wantRange))
	}
	for _, id := range []int64{1, 2, 5, 40, 1000, 1001, 1500, 2999, 3000, 4999, 5000, 6000} {
		r, err := tx.GetRow(ctx, tb, []types.Datum{types.DInt(id)})
		if err != nil {
			t.Fatal(err)
		}
		if w := m[id]; !reflect.DeepEqual(r, w) {
			t.Fatalf("GetRow(%d) = %v, want %v", id, r, w)
		}
	}
	byEmail := collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[0], Span{}, false))
	byAge := collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[1], Span{}, false))
	if len(byEmail) != len(want) || len(byAge) != len(want) {
		t.Fatalf("index scans: %d by email, %d by age, want %d", len(byEmail), len(byAge), len(want))
	}
	for i := 1; i < len(byAge); i++ {
		if byAge[i-1][3].(types.DInt) > byAge[i][3].(types.DInt) {
			t.Fatalf("age index out of order at %d", i)
		}
	}
}

func firstDiff(a, b [][]types.Datum) int {
	for i := range min(len(a), len(b)) {
		if !reflect.DeepEqual(a[i], b[i]) {
			return i
		}
	}
	return min(len(a), len(b))
}

// A transaction far larger than the spill threshold reads its own writes
// (spilled and buffered) exactly, including overwrites and deletions of
// spilled rows and unique checks against them; other transactions see
// none of it and commit meanwhile; its commit makes all of it visible.
func TestSpilledTransactionReadsOwnWrites(t *testing.T) {
	e := openSpilling(t, t.TempDir())
	defer e.Close()
	ctx := context.Background()
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 50)
	m := usersModel{}
	for i := int64(1); i <= 50; i++ {
		m[i] = user(i, fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@x", i), i%50)
	}
	committed := maps.Clone(m)

	tx := e.Begin()
	defer tx.Rollback()
	for i := int64(1000); i < 5000; i++ {
		r := user(i, fmt.Sprintf("big%d", i), fmt.Sprintf("big%d@x", i), i%37)
		if err := tx.InsertRow(ctx, tb, r); err != nil {
			t.Fatal(err)
		}
		m[i] = r
	}
	if tx.spill == nil || tx.Stats().SpilledWrites < 4000 {
		t.Fatalf("4000 rows with 3 keys each did not spill past %d bytes (spilled %d)", spillTestBytes, tx.Stats().SpilledWrites)
	}
	checkUsers(t, tx, tb, m)

	// Overwrite and delete spilled rows, and committed ones.
	for i := int64(1000); i < 1400; i += 3 {
		nr := user(i, "changed", fmt.Sprintf("changed%d@x", i), 99)
		if err := tx.UpdateRow(ctx, tb, m[i], nr); err != nil {
			t.Fatal(err)
		}
		m[i] = nr
	}
	for i := int64(1500); i < 1900; i += 2 {
		if err := tx.DeleteRow(ctx, tb, m[i]); err != nil {
			t.Fatal(err)
		}
		delete(m, i)
	}
	for _, i := range []int64{2, 5} {
		if err := tx.DeleteRow(ctx, tb, m[i]); err != nil {
			t.Fatal(err)
		}
		delete(m, i)
	}
	// A primary key move of a spilled row.
	moved := user(6000, "moved", "big2000@x", 2000%37)
	if err := tx.UpdateRow(ctx, tb, m[2000], moved); err != nil {
		t.Fatal(err)
	}
	delete(m, 2000)
	m[6000] = moved
	checkUsers(t, tx, tb, m)

	// Unique checks see spilled keys, and deleted ones are free again.
	if err := tx.InsertRow(ctx, tb, user(3000, "dup", "other@x", 1)); pgCode(err) != "23505" {
		t.Fatalf("duplicate of a spilled primary key: %v, want 23505", err)
	}
	if err := tx.InsertRow(ctx, tb, user(7000, "dup", "big3000@x", 1)); pgCode(err) != "23505" {
		t.Fatalf("duplicate of a spilled unique email: %v, want 23505", err)
	}
	again := user(1502, "again", "big1502@x", 3)
	if err := tx.InsertRow(ctx, tb, again); err != nil {
		t.Fatalf("re-insert of a deleted spilled row: %v", err)
	}
	m[1502] = again
	// More writes on top spill again over the changed rows.
	for i := int64(8000); i < 9000; i++ {
		r := user(i, "late", fmt.Sprintf("late%d@x", i), i%11)
		if err := tx.InsertRow(ctx, tb, r); err != nil {
			t.Fatal(err)
		}
		m[i] = r
	}
	checkUsers(t, tx, tb, m)
	if !tx.WroteTable(tb.ID) {
		t.Fatal("WroteTable is false for a table with only spilled writes")
	}

	// Another transaction sees the committed rows only, and commits
	// without waiting for the open one.
	other := e.Begin()
	checkUsers(t, other, tb, committed)
	done := make(chan error, 1)
	go func() {
		if err := other.InsertRow(ctx, tb, user(100, "other", "other100@x", 1)); err != nil {
			done <- err
			return
		}
		done <- other.Commit(ctx)
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a small commit waited for the open spilled transaction")
	}
	m[100] = user(100, "other", "other100@x", 1)

	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	check := e.Begin()
	checkUsers(t, check, tb, m)
	check.Rollback()
	if n := spillKeys(t, e); n != 0 {
		t.Fatalf("%d spill keys left after commit", n)
	}
}

// Rolling back a spilled transaction leaves nothing behind, its spill
// area included.
func TestSpilledTransactionRollback(t *testing.T) {
	e, tb := spillingUsers(t)
	ctx := context.Background()
	tx := e.Begin()
	for i := int64(100); i < 3000; i++ {
		if err := tx.InsertRow(ctx, tb, user(i, "gone", fmt.Sprintf("g%d@x", i), 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.DeleteRow(ctx, tb, user(3, "u3", "u3@x", 3)); err != nil {
		t.Fatal(err)
	}
	if tx.spill == nil {
		t.Fatal("no spill")
	}
	tx.Rollback()
	check := e.Begin()
	defer check.Rollback()
	if got := collect(t)(check.ScanTable(ctx, tb, Span{}, false)); !reflect.DeepEqual(ids(got), []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) {
		t.Fatalf("after rollback: %v", ids(got))
	}
	if n := spillKeys(t, e); n != 0 {
		t.Fatalf("%d spill keys left after rollback", n)
	}
}

// Write-write conflicts are found for spilled keys, whichever of the two
// transactions commits first.
func TestSpilledTransactionConflicts(t *testing.T) {
	e, tb := spillingUsers(t)
	ctx := context.Background()
	fill := func(tx *Txn) {
		if err := tx.UpdateRow(ctx, tb, user(4, "u4", "u4@x", 4), user(4, "big", "u4@x", 4)); err != nil {
			t.Fatal(err)
		}
		for i := int64(100); i < 3000; i++ {
			if err := tx.InsertRow(ctx, tb, user(i, "big", fmt.Sprintf("b%d@x", i), 1)); err != nil {
				t.Fatal(err)
			}
		}
		if tx.spill == nil || len(tx.writes) > 1000 {
			t.Fatalf("the big transaction did not spill its early writes")
		}
	}
	big := func() *Txn {
		tx := e.Begin()
		fill(tx)
		return tx
	}

	// The small one commits first: the big one, begun before, fails at
	// commit on a key it spilled. (A row both change is locked by the
	// first to change it: the other waits instead, rowlocks_test.go.)
	tx := e.Begin()
	small := e.Begin()
	if err := small.InsertRow(ctx, tb, user(150, "small", "s150@x", 1)); err != nil {
		t.Fatal(err)
	}
	if err := small.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	fill(tx)
	if err := tx.Commit(ctx); pgCode(err) != "40001" {
		t.Fatalf("big commit after a conflicting one: %v, want 40001", err)
	}
	cleanup := e.Begin()
	if err := cleanup.DeleteRow(ctx, tb, user(150, "small", "s150@x", 1)); err != nil {
		t.Fatal(err)
	}
	if err := cleanup.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	// The big one commits first: the small one, begun before, fails on a
	// key the big one spilled.
	tx = big()
	small = e.Begin()
	if err := small.InsertRow(ctx, tb, user(150, "small", "s150@x", 1)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := small.Commit(ctx); pgCode(err) != "40001" {
		t.Fatalf("small commit after a big one wrote the same key: %v, want 40001", err)
	}
	check := e.Begin()
	defer check.Rollback()
	r, err := check.GetRow(ctx, tb, []types.Datum{types.DInt(150)})
	if err != nil || r == nil || r[1] != types.DString("big") {
		t.Fatalf("row 150 = %v %v, want the big transaction's", r, err)
	}
}

// ROLLBACK TO SAVEPOINT stays exact when spills happen before and inside
// the savepoint: writes since the oldest open savepoint stay in memory.
func TestSpillWithSavepoints(t *testing.T) {
	e, tb := spillingUsers(t)
	ctx := context.Background()
	m := usersModel{}
	for i := int64(1); i <= 10; i++ {
		m[i] = user(i, fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@x", i), i%50)
	}
	tx := e.Begin()
	defer tx.Rollback()
	insert := func(from, to int64, name string, m usersModel) {
		for i := from; i < to; i++ {
			r := user(i, name, fmt.Sprintf("%s%d@x", name, i), i%13)
			if err := tx.InsertRow(ctx, tb, r); err != nil {
				t.Fatal(err)
			}
			m[i] = r
		}
	}
	insert(1000, 2000, "before", m)
	if tx.spill == nil {
		t.Fatal("no spill before the savepoint")
	}
	atSp := maps.Clone(m)
	sp := tx.Savepoint()
	// Change spilled rows, committed rows and buffered ones, then write
	// enough to spill again while the savepoint is open.
	for _, i := range []int64{1000, 1001, 1998, 1999, 7} {
		nr := user(i, "inside", fmt.Sprintf("inside%d@x", i), 1)
		if err := tx.UpdateRow(ctx, tb, m[i], nr); err != nil {
			t.Fatal(err)
		}
		m[i] = nr
	}
	if err := tx.DeleteRow(ctx, tb, m[1500]); err != nil {
		t.Fatal(err)
	}
	delete(m, 1500)
	spilled := tx.Stats().SpilledWrites
	insert(3000, 4000, "inside", m)
	checkUsers(t, tx, tb, m)
	if err := tx.RollbackTo(sp); err != nil {
		t.Fatal(err)
	}
	checkUsers(t, tx, tb, atSp)
	tx.Release(sp)
	// With the savepoint gone, everything spills again.
	insert(5000, 6000, "after", atSp)
	if tx.Stats().SpilledWrites <= spilled {
		t.Fatal("no spill after the savepoint was released")
	}
	checkUsers(t, tx, tb, atSp)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	check := e.Begin()
	defer check.Rollback()
	checkUsers(t, check, tb, atSp)
}

// A scan opened before its own statement's writes spill keeps reading the
// state it started from (no row written during the scan shows up in it).
func TestSpillKeepsIteratorSnapshot(t *testing.T) {
	e := openSpilling(t, t.TempDir())
	defer e.Close()
	ctx := context.Background()
	tb := createTable(t, e, usersTable(20000))
	tx := e.Begin()
	defer tx.Rollback()
	for i := int64(1); i <= 2000; i++ {
		if err := tx.InsertRow(ctx, tb, user(i, "a", fmt.Sprintf("a%d@x", i), 1)); err != nil {
			t.Fatal(err)
		}
	}
	it, err := tx.ScanTable(ctx, tb, Span{}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for {
		r, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if r == nil {
			break
		}
		n++
		// INSERT ... SELECT over itself: each row read writes a copy.
		id := int64(r[0].(types.DInt)) + 10_000
		if err := tx.InsertRow(ctx, tb, user(id, "copy", fmt.Sprintf("c%d@x", id), 1)); err != nil {
			t.Fatal(err)
		}
	}
	if n != 2000 {
		t.Fatalf("scan saw %d rows, want the 2000 there when it started", n)
	}
	if got := collect(t)(tx.ScanTable(ctx, tb, Span{}, false)); len(got) != 4000 {
		t.Fatalf("%d rows after the copy, want 4000", len(got))
	}
}

const spillCrashDirEnv = "QUIVER_STORAGE_SPILL_CRASH_HELPER_DIR"
const spillCrashModeEnv = "QUIVER_STORAGE_SPILL_CRASH_HELPER_MODE"

// TestSpillCrashHelper is the child of TestSpillCrash: it spills a large
// transaction and SIGKILLs itself while it is open ("open"), in the middle
// of its commit ("commit"), or after Commit returned ("done").
func TestSpillCrashHelper(t *testing.T) {
	dir := os.Getenv(spillCrashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestSpillCrash")
	}
	mode := os.Getenv(spillCrashModeEnv)
	ctx := context.Background()
	e, err := Open(Options{Dir: dir, Logger: quiet, SpillBytes: spillTestBytes})
	if err != nil {
		os.Exit(2)
	}
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 10)
	kill := func() {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	if mode == "commit" {
		e.afterBatch = func(i int) {
			if i == 1 {
				kill()
			}
		}
	}
	tx := e.Begin()
	if err := tx.UpdateRow(ctx, tb, user(1, "u1", "u1@x", 1), user(1, "changed", "new@x", 2)); err != nil {
		os.Exit(2)
	}
	if err := tx.DeleteRow(ctx, tb, user(2, "u2", "u2@x", 2)); err != nil {
		os.Exit(2)
	}
	for i := int64(11); i <= 60_000; i++ {
		if err := tx.InsertRow(ctx, tb, user(i, "big", fmt.Sprintf("%d@x", i), i%50)); err != nil {
			os.Exit(2)
		}
	}
	if tx.spill == nil {
		os.Exit(4)
	}
	if mode == "open" {
		// Make the spilled writes durable first, as later commits would.
		other := usersTable(30000)
		other.Name = "others"
		insertUsers(t, e, createTable(t, e, other), 1)
		kill()
	}
	if err := tx.Commit(ctx); err != nil {
		os.Exit(2)
	}
	fmt.Println("committed")
	kill()
}

// A spilled transaction killed while open or mid-commit leaves nothing
// after a restart (and no spill area); killed after its commit returned,
// all of it is there.
func TestSpillCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	for _, mode := range []string{"open", "commit", "done"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestSpillCrashHelper$", "-test.count=1")
			cmd.Env = append(os.Environ(), spillCrashDirEnv+"="+dir, spillCrashModeEnv+"="+mode)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			said := ""
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				said += sc.Text()
			}
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("helper did not die by SIGKILL: %v (said %q)", err, said)
			}
			if (said == "committed") != (mode == "done") {
				t.Fatalf("helper said %q in mode %s", said, mode)
			}
			e := openDir(t, dir)
			defer e.Close()
			if n := spillKeys(t, e); n != 0 {
				t.Fatalf("%d spill keys left after restart", n)
			}
			tx := e.Begin()
			defer tx.Rollback()
			tb, rows := scanUsers(t, tx)
			m := usersModel{}
			for i := int64(1); i <= 10; i++ {
				m[i] = user(i, "u"+strconv.FormatInt(i, 10), fmt.Sprintf("u%d@x", i), i%50)
			}
			if mode == "done" {
				m[1] = user(1, "changed", "new@x", 2)
				delete(m, 2)
				for i := int64(11); i <= 60_000; i++ {
					m[i] = user(i, "big", fmt.Sprintf("%d@x", i), i%50)
				}
			}
			if len(rows) != len(m) {
				t.Fatalf("%d rows after restart, want %d", len(rows), len(m))
			}
			checkUsers(t, tx, tb, m)
		})
	}
}

// A memtable log left empty by a kill between its creation and its sizing
// does not keep the store from opening.
func TestOpenIgnoresEmptyMemtableLog(t *testing.T) {
	dir := t.TempDir()
	e := openDir(t, dir)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 3)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "00099.mem"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	e = openDir(t, dir)
	defer e.Close()
	tx := e.Begin()
	defer tx.Rollback()
	if got := collect(t)(tx.ScanTable(context.Background(), tb, Span{}, false)); len(got) != 3 {
		t.Fatalf("%d rows after reopening, want 3", len(got))
	}
}

// A spill that cannot be written fails the write with PostgreSQL's I/O
// SQLSTATE, leaves the transaction's buffer as it was, and the store goes
// on working once the cause is gone.
func TestSpillWriteErrorHasSQLState(t *testing.T) {
	ctx := context.Background()
	e, tb := spillingUsers(t)
	// A file where the spill folder goes makes every spill fail.
	if err := os.WriteFile(e.spillDir(), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tx := e.Begin()
	var err error
	for i := int64(1000); err == nil && i < 20000; i++ {
		err = tx.InsertRow(ctx, tb, user(i, "spill", "", 1))
	}
	if pgerror.CodeOf(err) != pgerror.CodeIOError {
		t.Fatalf("spill into a file: %v (SQLSTATE %s), want 58030", err, pgerror.CodeOf(err))
	}
	tx.Rollback()
	if err := os.Remove(e.spillDir()); err != nil {
		t.Fatal(err)
	}
	tx = e.Begin()
	for i := int64(1000); i < 5000; i++ {
		if err := tx.InsertRow(ctx, tb, user(i, "spill", "", 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	check := e.Begin()
	defer check.Rollback()
	if rows := collect(t)(check.ScanTable(ctx, tb, Span{}, false)); len(rows) != 4010 {
		t.Fatalf("%d rows after the spilled commit, want 4010", len(rows))
	}
}
