package storage

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"

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
