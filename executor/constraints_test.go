package executor

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

func pgErr(t *testing.T, err error) *pgerror.Error {
	t.Helper()
	var pe *pgerror.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *pgerror.Error", err, err)
	}
	return pe
}

// A COPY into a child table with a row whose parent is missing aborts
// as a whole with PostgreSQL's 23503 and its detail and context.
func TestCopyForeignKeyViolation(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "create table p (id int primary key)")
	mustRun(t, s, "create table c (id int primary key, pid int references p, n int check (n > 0))")
	mustRun(t, s, "insert into p values (1), (2)")

	_, err := copyIn(t, s, "copy c from stdin", "1\t1\t1\n2\t\\N\t1\n3\t5\t1\n4\t2\t1\n")
	pe := pgErr(t, err)
	if pe.Code != pgerror.CodeForeignKeyViolation ||
		pe.Message != `insert or update on table "c" violates foreign key constraint "c_pid_fkey"` ||
		pe.Detail != `Key (pid)=(5) is not present in table "p".` || pe.Where != "COPY c, line 3" {
		t.Fatalf("got %s %q detail %q where %q", pe.Code, pe.Message, pe.Detail, pe.Where)
	}
	if got := flat(mustRun(t, s, "select count(*) from c")); got != "0" {
		t.Fatalf("rows after the failed COPY: %s, want 0", got)
	}

	_, err = copyIn(t, s, "copy c from stdin", "1\t1\t1\n2\t2\t0\n")
	pe = pgErr(t, err)
	if pe.Code != pgerror.CodeCheckViolation || pe.Detail != "Failing row contains (2, 2, 0)." {
		t.Fatalf("got %s %q detail %q", pe.Code, pe.Message, pe.Detail)
	}

	tag, err := copyIn(t, s, "copy c from stdin", "1\t1\t1\n2\t\\N\t1\n3\t2\t1\n")
	if err != nil || tag != "COPY 3" {
		t.Fatalf("valid COPY = %q, %v", tag, err)
	}
}

// A transaction deleting a parent and one inserting a child of it, each
// consistent in its own snapshot, must not both commit: the child's
// check locks the parent row FOR KEY SHARE, so whichever comes second
// waits for the first. A child inserted after the delete then fails with
// 23503 (READ COMMITTED runs the insert again on a snapshot without the
// parent); a delete after the child cascades to it once the child
// commits. No round leaves an orphan.
func TestForeignKeyConcurrentParentDeleteChildInsert(t *testing.T) {
	eng := newTestSession(t).eng
	open := func() *Session {
		s, err := eng.NewSession(context.Background(), SessionOptions{User: "postgres", Database: "postgres"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	}
	a, b := open(), open()
	mustRun(t, a, "create table p (id int primary key)")
	mustRun(t, a, "create table c (id int primary key, pid int references p on delete cascade)")
	const rounds = 10
	for i := 1; i <= rounds; i++ {
		mustRun(t, a, fmt.Sprintf("insert into p values (%d)", i))
	}
	// second runs sql on s in the background and checks that it waits.
	second := func(s *Session, sql string) <-chan error {
		t.Helper()
		done := make(chan error, 1)
		go func() {
			_, err := run(t, s, sql)
			done <- err
		}()
		select {
		case err := <-done:
			t.Fatalf("%s did not wait for the other transaction: %v", sql, err)
		case <-time.After(100 * time.Millisecond):
		}
		return done
	}
	for i := 1; i <= rounds; i++ {
		mustRun(t, a, "begin")
		mustRun(t, b, "begin")
		if i%2 == 1 {
			mustRun(t, a, fmt.Sprintf("delete from p where id = %d", i))
			done := second(b, fmt.Sprintf("insert into c values (%d, %d)", i, i))
			mustRun(t, a, "commit")
			if err := <-done; err == nil || pgErr(t, err).Code != pgerror.CodeForeignKeyViolation {
				t.Fatalf("round %d: child insert after the parent's delete committed: %v, want 23503", i, err)
			}
			mustRun(t, b, "rollback")
		} else {
			mustRun(t, b, fmt.Sprintf("insert into c values (%d, %d)", i, i))
			done := second(a, fmt.Sprintf("delete from p where id = %d", i))
			mustRun(t, b, "commit")
			if err := <-done; err != nil {
				t.Fatalf("round %d: delete after the child committed: %v", i, err)
			}
			mustRun(t, a, "commit")
		}
	}
	if got := flat(mustRun(t, a, "select count(*) from p")); got != "0" {
		t.Fatalf("%s parents left, want 0", got)
	}
	if got := flat(mustRun(t, a, "select count(*) from c")); got != "0" {
		t.Fatalf("%s children left, want 0 (each was cascaded or never inserted)", got)
	}
}

// Deleting the parent of a long chain cascades through every level.
func TestForeignKeyCascadeChain(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "create table n (id int primary key, up int references n on delete cascade on update cascade)")
	mustRun(t, s, "insert into n select g, nullif(g - 1, 0) from generate_series(1, 200) g")
	mustRun(t, s, "update n set id = 1000 where id = 1")
	if got := flat(mustRun(t, s, "select up from n where id = 2")); got != "1000" {
		t.Fatalf("child key after ON UPDATE CASCADE: %s", got)
	}
	mustRun(t, s, "delete from n where id = 1000")
	if got := flat(mustRun(t, s, "select count(*) from n")); got != "0" {
		t.Fatalf("%s rows left after the cascade", got)
	}
}

func benchmarkInsert(b *testing.B, ddl string) {
	s := newTestSession(b)
	mustRun(b, s, "create table p (id int primary key)")
	mustRun(b, s, "insert into p values (1)")
	mustRun(b, s, ddl)
	p := prepareOne(b, s, "insert into t values ($1, 1, 'x')")
	mustRun(b, s, "begin")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		executeCount(b, s, p, types.DInt(i))
	}
	b.StopTimer()
	mustRun(b, s, "rollback")
}

// BenchmarkInsertConstraints compares single-row INSERTs into a table
// without constraints, with a CHECK and with a FOREIGN KEY.
func BenchmarkInsertConstraints(b *testing.B) {
	b.Run("none", func(b *testing.B) { benchmarkInsert(b, "create table t (id int primary key, pid int, s text)") })
	b.Run("check", func(b *testing.B) {
		benchmarkInsert(b, "create table t (id int primary key, pid int check (pid > 0), s text)")
	})
	b.Run("fk", func(b *testing.B) {
		benchmarkInsert(b, "create table t (id int primary key, pid int references p, s text)")
	})
}
