package storage

import (
	"context"
	"testing"
)

func TestSavepointRollback(t *testing.T) {
	e, err := Open(Options{InMemory: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	txn := e.Begin()
	defer txn.Rollback()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	get := func(k string) string {
		v, ok, err := txn.lookup([]byte(k))
		must(err)
		if !ok {
			return "<none>"
		}
		return string(v)
	}
	must(txn.set([]byte("a"), []byte("1")))
	sp := txn.Savepoint()
	must(txn.set([]byte("a"), []byte("2")))
	must(txn.set([]byte("b"), []byte("x")))
	inner := txn.Savepoint()
	must(txn.del([]byte("a")))
	must(txn.RollbackTo(inner))
	if got := get("a"); got != "2" {
		t.Fatalf("after inner rollback a=%s, want 2", got)
	}
	must(txn.RollbackTo(sp))
	if a, b := get("a"), get("b"); a != "1" || b != "<none>" {
		t.Fatalf("after outer rollback a=%s b=%s, want 1 and <none>", a, b)
	}
	txn.Release(inner)
	txn.Release(sp)
	must(txn.Commit(ctx))
	check := e.Begin()
	defer check.Rollback()
	v, ok, err := check.lookup([]byte("a"))
	if err != nil || !ok || string(v) != "1" {
		t.Fatalf("committed a=%q %v %v", v, ok, err)
	}
}
