package storage

import (
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
	t.writes[t.fingerprint(key)] = struct{}{}
	return nil
}
