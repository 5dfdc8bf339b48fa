package storage

import (
	"context"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// LockRow makes this transaction conflict, at commit, with any other that
// changes or deletes the row (a full-width row as read) after this one's
// snapshot — PostgreSQL's SELECT ... FOR KEY SHARE under first-updater-wins.
// A foreign key check takes it on the referenced row so that a concurrent
// delete of the parent and insert of a child cannot both commit. Nothing
// is written.
func (t *Txn) LockRow(tb *catalog.Table, row []types.Datum) error {
	if err := t.usable(); err != nil {
		return err
	}
	key, _, err := t.pkKey(tb, row)
	if err != nil {
		return err
	}
	t.noteWrite(key)
	return nil
}

// BeforeCommit registers fn to run when Commit starts, while the
// transaction can still read and write (PostgreSQL's deferred constraint
// checks run there). An error from fn rolls the transaction back and is
// what Commit returns.
func (t *Txn) BeforeCommit(fn func(context.Context) error) {
	t.beforeCommit = append(t.beforeCommit, fn)
}
