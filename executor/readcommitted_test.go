package executor

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// TestReadCommittedTransfers: sessions move money between a few hot rows
// in transaction blocks at READ COMMITTED, as pgbench's TPC-B does. No
// transfer fails with 40001 (each waits for the rows' other writers and
// runs on their commits), the ones a deadlock stops (40P01) are retried,
// and the total is what it was.
func TestReadCommittedTransfers(t *testing.T) {
	s := newTestSession(t)
	const accounts, sessions, transfers = 4, 4, 60
	mustRun(t, s, "CREATE TABLE acct (id int PRIMARY KEY, bal int)")
	mustRun(t, s, fmt.Sprintf("INSERT INTO acct SELECT g, 1000 FROM generate_series(1, %d) g", accounts))
	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	deadlocks := make([]int, sessions)
	for w := range sessions {
		ws := openSession(t, s)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for range transfers {
				from, to := 1+rng.IntN(accounts), 1+rng.IntN(accounts)
				for {
					_, err := run(t, ws, fmt.Sprintf("BEGIN; UPDATE acct SET bal = bal - 7 WHERE id = %d; UPDATE acct SET bal = bal + 7 WHERE id = %d; COMMIT", from, to))
					if err == nil {
						break
					}
					_, _ = run(t, ws, "ROLLBACK")
					if pgerror.CodeOf(err) != pgerror.CodeDeadlockDetected {
						errs <- fmt.Errorf("transfer %d -> %d: %w", from, to, err)
						return
					}
					deadlocks[w]++
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := flat(mustRun(t, s, "SELECT sum(bal) FROM acct")); got != fmt.Sprint(accounts*1000) {
		t.Fatalf("sum after the transfers = %s, want %d", got, accounts*1000)
	}
	t.Logf("deadlocks retried: %v", deadlocks)
}
