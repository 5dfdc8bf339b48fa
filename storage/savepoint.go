package storage

// Savepoints undo a transaction's buffered writes back to a mark: while a
// savepoint is open every write first records the buffer entry it
// replaces. Keys written after the mark keep their conflict fingerprints
// after a rollback to it, which can only make a commit conflict more
// eagerly, never let a conflict through.

type undoEntry struct {
	key     string
	prev    wentry
	existed bool
}

// Savepoint is a mark in a transaction's writes.
type Savepoint struct {
	observer   int
	undo       int
	drops      int
	catWritten bool
}

func (t *Txn) remember(key []byte) {
	if t.savepoint == 0 {
		return
	}
	prev, ok := t.buf[string(key)]
	t.undo = append(t.undo, undoEntry{key: string(key), prev: prev, existed: ok})
}

// Savepoint marks the current state of the transaction's writes.
func (t *Txn) Savepoint() Savepoint {
	t.savepoint++
	sp := Savepoint{undo: len(t.undo), drops: len(t.drops), catWritten: t.catWritten}
	if t.observer != nil {
		sp.observer = t.observer.Savepoint()
	}
	return sp
}

// RollbackTo undoes every write made since sp; sp stays open.
func (t *Txn) RollbackTo(sp Savepoint) error {
	if err := t.usable(); err != nil {
		return err
	}
	for i := len(t.undo) - 1; i >= sp.undo; i-- {
		u := t.undo[i]
		if u.existed {
			t.buf[u.key] = u.prev
		} else {
			delete(t.buf, u.key)
		}
	}
	t.undo = t.undo[:sp.undo]
	if t.observer != nil {
		t.observer.RollbackTo(sp.observer)
	}
	t.drops = t.drops[:sp.drops]
	t.catWritten = sp.catWritten
	t.cat = nil
	t.sortedBuf = nil
	return nil
}

// Release closes sp (and keeps its writes). Its undo records stay while an
// enclosing savepoint may still need them.
func (t *Txn) Release(sp Savepoint) {
	if t.savepoint > 0 {
		t.savepoint--
	}
	if t.savepoint == 0 {
		t.undo = nil
	}
}
