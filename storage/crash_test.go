package storage

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

const crashDirEnv = "QUIVER_STORAGE_CRASH_HELPER_DIR"

// TestCrashHelper is the child process of TestCrashDurability: it keeps an
// uncommitted transaction open and commits rows one by one, printing each
// id only after Commit returned.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashDurability")
	}
	ctx := context.Background()
	e, err := Open(Options{Dir: dir, Logger: quiet})
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(2)
	}
	tb := createTable(t, e, usersTable(20000))
	pending := e.Begin()
	for i := int64(1_000_000); i < 1_000_100; i++ {
		if err := pending.InsertRow(ctx, tb, user(i, "uncommitted", "", 0)); err != nil {
			fmt.Println("ERR", err)
			os.Exit(2)
		}
	}
	for i := int64(1); i < 100_000; i++ {
		tx := e.Begin()
		if err := tx.InsertRow(ctx, tb, user(i, "committed", fmt.Sprintf("%d@x", i), i%7)); err != nil {
			fmt.Println("ERR", err)
			os.Exit(2)
		}
		if err := tx.Commit(ctx); err != nil {
			fmt.Println("ERR", err)
			os.Exit(2)
		}
		fmt.Println(i)
	}
	os.Exit(0)
}

func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var acked int64
	for acked < 300 && sc.Scan() {
		n, err := strconv.ParseInt(sc.Text(), 10, 64)
		if err != nil {
			_ = cmd.Process.Kill()
			t.Fatalf("helper said %q", sc.Text())
		}
		acked = n
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if acked < 300 {
		t.Fatalf("helper acknowledged only %d commits", acked)
	}

	e := openDir(t, dir)
	defer e.Close()
	tx := e.Begin()
	defer tx.Rollback()
	c, err := tx.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	tb := c.TableByName(PublicSchemaID, "users")
	if tb == nil {
		t.Fatal("table lost in crash")
	}
	rows := collect(t)(tx.ScanTable(context.Background(), tb, Span{}, false))
	// Every acknowledged commit is there, rows form a prefix 1..k (commits
	// are atomic and ordered) and nothing of the open transaction is.
	if int64(len(rows)) < acked {
		t.Fatalf("found %d rows, %d commits were acknowledged", len(rows), acked)
	}
	for i, r := range rows {
		if r[0] != types.DInt(i+1) || r[1] != types.DString("committed") {
			t.Fatalf("row %d after crash = %v", i, r)
		}
	}
	// Secondary index entries survived with their rows.
	idxRows := collect(t)(tx.ScanIndex(context.Background(), tb, &tb.Indexes[1], Span{}, false))
	if len(idxRows) != len(rows) {
		t.Fatalf("index has %d entries, table %d rows", len(idxRows), len(rows))
	}
}

const largeCrashDirEnv = "QUIVER_STORAGE_LARGE_CRASH_HELPER_DIR"

// TestLargeCrashHelper is the child of TestLargeCommitCrashRollsBack: it
// SIGKILLs itself in the middle of a multi-batch commit.
func TestLargeCrashHelper(t *testing.T) {
	dir := os.Getenv(largeCrashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestLargeCommitCrashRollsBack")
	}
	ctx := context.Background()
	e, err := Open(Options{Dir: dir, Logger: quiet})
	if err != nil {
		os.Exit(2)
	}
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 10)
	e.afterBatch = func(i int) {
		if i == 1 {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	wide := strings.Repeat("x", 1024)
	tx := e.Begin()
	if err := tx.UpdateRow(ctx, tb, user(1, "u1", "u1@x", 1), user(1, "changed", "new@x", 2)); err != nil {
		os.Exit(2)
	}
	if err := tx.DeleteRow(ctx, tb, user(2, "u2", "u2@x", 2)); err != nil {
		os.Exit(2)
	}
	for i := int64(11); i <= 12_000; i++ {
		if err := tx.InsertRow(ctx, tb, user(i, wide, fmt.Sprintf("%d@x", i), i%50)); err != nil {
			os.Exit(2)
		}
	}
	_ = tx.Commit(ctx)
	os.Exit(3) // not reached: the hook kills the process
}

// scanUsers reads the "users" table a crash test created, through tx's
// catalog (the test's own descriptor is gone with its process).
func scanUsers(t *testing.T, tx *Txn) (*catalog.Table, [][]types.Datum) {
	t.Helper()
	c, err := tx.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	tb := c.TableByName(PublicSchemaID, "users")
	return tb, collect(t)(tx.ScanTable(context.Background(), tb, Span{}, false))
}

func TestLargeCommitCrashRollsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLargeCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), largeCrashDirEnv+"="+dir)
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper did not die by SIGKILL mid-commit: %v", err)
	}
	e := openDir(t, dir)
	defer e.Close()
	ctx := context.Background()
	tx := e.Begin()
	defer tx.Rollback()
	tb, rows := scanUsers(t, tx)
	if len(rows) != 10 {
		t.Fatalf("%d rows after the interrupted commit, want the 10 committed before", len(rows))
	}
	for i, r := range rows {
		want := user(int64(i+1), fmt.Sprintf("u%d", i+1), fmt.Sprintf("u%d@x", i+1), int64(i+1))
		if !reflect.DeepEqual(r, want) {
			t.Fatalf("row %d = %v, want %v", i, r, want)
		}
	}
	if got := collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[0], Span{}, false)); len(got) != 10 {
		t.Fatalf("unique index has %d entries", len(got))
	}
	if got := collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[1], Span{}, false)); len(got) != 10 {
		t.Fatalf("age index has %d entries", len(got))
	}
	// The bookkeeping of the interrupted commit is gone.
	it := tx.newMergeIter(badger.IteratorOptions{Prefix: prefixLarge})
	defer it.Close()
	if it.Seek(prefixLarge); it.Valid() {
		t.Fatalf("large-commit marker %x left behind", it.Key())
	}
}
