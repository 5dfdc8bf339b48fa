package executor

import (
	"context"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/builtins"
)

// TestAdvisoryQueueOrder: a shared request queues behind a waiting
// exclusive one (so shared lockers cannot starve it), a holder's request
// goes ahead of the queue, and a freed lock is granted in queue order.
func TestAdvisoryQueueOrder(t *testing.T) {
	var tbl advisoryLocks
	tag := advisoryTag{db: 1, key: builtins.AdvisoryKey{ObjID: 9, ObjSubID: 1}}
	to := lockTimeouts{deadlock: time.Minute}
	ctx := context.Background()
	a, b, c := &advisoryOwner{pid: 1}, &advisoryOwner{pid: 2}, &advisoryOwner{pid: 3}
	try := func(o *advisoryOwner, m advisoryMode) bool {
		ok, err := tbl.lock(ctx, o, tag, m, false, true, to)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !try(a, advisoryShare) {
		t.Fatal("first shared lock refused")
	}
	bDone := make(chan error, 1)
	go func() { _, err := tbl.lock(ctx, b, tag, advisoryExclusive, false, false, to); bDone <- err }()
	for {
		tbl.mu.Lock()
		queued := len(tbl.locks[tag].queue)
		tbl.mu.Unlock()
		if queued == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if try(c, advisoryShare) {
		t.Error("a shared try went ahead of a waiting exclusive request")
	}
	if !try(a, advisoryShare) {
		t.Error("the holder's second shared lock waited behind the queue")
	}
	tbl.release(a, tag, advisoryShare, false)
	select {
	case err := <-bDone:
		t.Fatalf("exclusive lock granted while shared still held: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	tbl.release(a, tag, advisoryShare, false)
	if err := <-bDone; err != nil {
		t.Fatal(err)
	}
	if try(c, advisoryShare) {
		t.Error("shared try granted while an exclusive lock is held")
	}
	tbl.releaseLevel(b, true, true)
	if !try(c, advisoryShare) {
		t.Error("shared try refused on a free lock")
	}
	tbl.releaseLevel(c, true, true)
	if len(tbl.locks) != 0 {
		t.Errorf("%d locks left in the table after every release", len(tbl.locks))
	}
}
