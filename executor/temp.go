package executor

import (
	"context"
	"fmt"
	"time"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/storage"
)

// Temporary tables live in a schema of the session's own, pg_temp_<pid>,
// as in PostgreSQL: created with the first temporary table, searched
// before search_path, named pg_temp by the session, and dropped with
// everything in it when the session ends. A server crash leaves it
// behind; the next session with that pid drops it first, as PostgreSQL
// cleans a temporary schema when its backend slot is reused.

func (s *Session) tempSchemaName() string { return fmt.Sprintf("pg_temp_%d", s.tempID) }

// tableSchema is the schema CREATE TABLE [TEMP] creates n in.
func (s *Session) tableSchema(ec *execCtx, b *planner.Binder, n *tree.CreateTable) (*catalog.Schema, error) {
	if !n.Temporary && n.Name.Schema != "pg_temp" && n.OnCommit != "" {
		return nil, pgerror.New("42P16", "ON COMMIT can only be used on temporary tables")
	}
	return s.relationSchema(ec, b, n.Name, n.Temporary)
}

// relationSchema is the schema CREATE [TEMP] TABLE or SEQUENCE creates
// name in: the session's temporary schema (made on first use) for a
// temporary relation or one named in pg_temp.
func (s *Session) relationSchema(ec *execCtx, b *planner.Binder, name tree.ObjectName, temporary bool) (*catalog.Schema, error) {
	if !temporary && name.Schema != "pg_temp" {
		return s.creationSchema(b, name)
	}
	if name.Schema != "" && name.Schema != "pg_temp" && name.Schema != s.tempSchemaName() {
		return nil, pgerror.New("42P16", "cannot create temporary relation in non-temporary schema").WithPosition(int(name.Pos))
	}
	if sc := b.Cat.SchemaByName(s.db.ID, s.tempSchemaName()); sc != nil {
		return sc, nil
	}
	id, err := s.eng.store.AllocateID(ec.ctx)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", s.tempSchemaName(), err)
	}
	sc := &catalog.Schema{ID: id, DatabaseID: s.db.ID, Name: s.tempSchemaName(), Owner: s.user}
	if err := ec.txn.PutSchema(sc); err != nil {
		return nil, fmt.Errorf("create %s: %w", s.tempSchemaName(), err)
	}
	return sc, nil
}

// dropTempSchema drops the session's temporary schema and its tables, if
// it has one, in a transaction of its own.
func (s *Session) dropTempSchema(ctx context.Context) error {
	if s.db == nil || s.eng.store.Closed() {
		return nil
	}
	// Every DDL commit writes the catalog's version, so another
	// session's DDL can fail this one with 40001; a session that ends
	// must still take its tables with it, so it tries again.
	var err error
	for attempt := 0; attempt < tempDropAttempts; attempt++ {
		if err = s.dropTempSchemaOnce(ctx); pgerror.CodeOf(err) != pgerror.CodeSerializationFailure {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * time.Millisecond)
	}
	return err
}

// tempDropAttempts bounds dropTempSchema's retries after 40001.
const tempDropAttempts = 20

func (s *Session) dropTempSchemaOnce(ctx context.Context) error {
	txn := s.eng.store.Begin()
	defer txn.Rollback()
	dropped, err := s.dropTempSchemaIn(ctx, txn)
	if err != nil || !dropped {
		return err
	}
	if err := txn.Commit(ctx); err != nil {
		return fmt.Errorf("commit drop of %s: %w", s.tempSchemaName(), err)
	}
	return nil
}

// discardTemp is DISCARD TEMP: inside a transaction block the drop is
// part of the transaction, as in PostgreSQL. The ON COMMIT entries stay:
// applyOnCommit forgets those whose table is gone, and a rollback brings
// the tables back with their actions.
func (s *Session) discardTemp(ctx context.Context) error {
	if s.txn == nil {
		return s.dropTempSchema(ctx)
	}
	_, err := s.dropTempSchemaIn(ctx, s.txn)
	return err
}

// dropTempSchemaIn drops the temporary schema within txn; dropped says
// whether there was one.
func (s *Session) dropTempSchemaIn(ctx context.Context, txn *storage.Txn) (dropped bool, err error) {
	cat, err := txn.Catalog()
	if err != nil {
		return false, fmt.Errorf("read catalog: %w", err)
	}
	if cat.SchemaByName(s.db.ID, s.tempSchemaName()) == nil {
		return false, nil
	}
	ec := &execCtx{ctx: ctx, txn: txn, sess: s, eval: s.evalContext(ctx)}
	if _, err := s.dropSchemas(ec, cat, &tree.DropSchema{Names: []string{s.tempSchemaName()}, Cascade: true}); err != nil {
		return false, fmt.Errorf("drop %s: %w", s.tempSchemaName(), err)
	}
	return true, nil
}

// onCommitTable is a temporary table with ON COMMIT DROP (drop) or ON
// COMMIT DELETE ROWS.
type onCommitTable struct {
	id   catalog.ID
	drop bool
}

func (s *Session) registerOnCommit(n *tree.CreateTable, id catalog.ID) {
	switch n.OnCommit {
	case "drop", "delete rows":
		s.onCommitTables = append(s.onCommitTables, onCommitTable{id: id, drop: n.OnCommit == "drop"})
	}
}

// applyOnCommit runs, inside txn just before it commits, the ON COMMIT
// actions of the session's temporary tables; entries whose table is gone
// (dropped, or created by a transaction that rolled back) are forgotten.
func (s *Session) applyOnCommit(ctx context.Context, txn *storage.Txn) error {
	if len(s.onCommitTables) == 0 {
		return nil
	}
	cat, err := txn.Catalog()
	if err != nil {
		return fmt.Errorf("ON COMMIT actions: read catalog: %w", err)
	}
	ec := &execCtx{ctx: ctx, txn: txn, sess: s, eval: s.evalContext(ctx)}
	keep := s.onCommitTables[:0]
	for _, oc := range s.onCommitTables {
		t := cat.Tables[oc.id]
		switch {
		case t == nil:
		case oc.drop:
			if err := s.dropTable(ec, cat, t); err != nil {
				return fmt.Errorf("ON COMMIT DROP of %s: %w", t.Name, err)
			}
		default:
			if err := ec.deleteAllRows(t); err != nil {
				return fmt.Errorf("ON COMMIT DELETE ROWS of %s: %w", t.Name, err)
			}
			keep = append(keep, oc)
		}
	}
	s.onCommitTables = keep
	return nil
}
