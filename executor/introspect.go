package executor

import (
	"context"
	"strings"

	"github.com/quiverdb/quiver/executor/pgcatalog"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

var _ builtins.CatalogSession = (*Session)(nil)

// withCatalog runs fn over the catalog as the session's transaction sees
// it (a throwaway snapshot outside a transaction).
func (s *Session) withCatalog(fn func(*pgcatalog.Context) error) error {
	txn := s.txn
	if txn == nil {
		txn = s.eng.store.Begin()
		defer txn.Rollback()
	}
	cat, err := txn.Catalog()
	if err != nil {
		return err
	}
	return fn(s.catalogContext(cat))
}

// catalogContext is what pg_catalog relations read for this session.
func (s *Session) catalogContext(cat *storage.Catalog) *pgcatalog.Context {
	return &pgcatalog.Context{Cat: cat, DB: s.db, User: s.user, Setting: s.Setting0, SearchPath: s.searchPathSetting(), PID: s.pid,
		Activity: s.activity(), Progress: s.eng.buildProgress, Locks: s.advisoryLockRows}
}

// RelationVisible implements builtins.CatalogSession.
func (s *Session) RelationVisible(oid uint32) (bool, error) {
	var v bool
	err := s.withCatalog(func(c *pgcatalog.Context) error {
		v = pgcatalog.RelationVisible(c, append([]string{s.tempSchemaName()}, s.searchPathSetting()...), oid)
		return nil
	})
	return v, err
}

// RoleName implements builtins.CatalogSession.
func (s *Session) RoleName(oid uint32) (string, bool, error) {
	var name string
	var ok bool
	err := s.withCatalog(func(c *pgcatalog.Context) error {
		name, ok = pgcatalog.RoleName(c, oid)
		return nil
	})
	return name, ok, err
}

// IndexDef implements builtins.CatalogSession.
func (s *Session) IndexDef(oid uint32, column int, pretty bool) (string, bool, error) {
	var def string
	var ok bool
	err := s.withCatalog(func(c *pgcatalog.Context) error {
		if column > 0 {
			def, ok = pgcatalog.IndexColumn(c, oid, column, pretty)
		} else {
			def, ok = pgcatalog.IndexDef(c, oid, pretty)
		}
		return nil
	})
	return def, ok, err
}

// ConstraintDef implements builtins.CatalogSession.
func (s *Session) ConstraintDef(oid uint32) (string, bool, error) {
	var def string
	var ok bool
	err := s.withCatalog(func(c *pgcatalog.Context) error {
		def, ok = pgcatalog.ConstraintDef(c, oid)
		return nil
	})
	return def, ok, err
}

// ConstraintDefPretty implements builtins.PrettyConstraintDefSession.
func (s *Session) ConstraintDefPretty(oid uint32) (string, bool, error) {
	var def string
	var ok bool
	err := s.withCatalog(func(c *pgcatalog.Context) error {
		def, ok = pgcatalog.ConstraintDefPretty(c, oid)
		return nil
	})
	return def, ok, err
}

// Description implements builtins.CatalogSession.
func (s *Session) Description(oid uint32, subid int) (string, bool, error) {
	var d string
	var ok bool
	err := s.withCatalog(func(c *pgcatalog.Context) error {
		d, ok = pgcatalog.Description(c, oid, subid)
		return nil
	})
	return d, ok, err
}

// SerialSequence implements builtins.CatalogSession: the table name is
// parsed as SQL (quoted parts keep their case), the column name is taken
// as is, as pg_get_serial_sequence does.
func (s *Session) SerialSequence(table, column string) (string, bool, error) {
	var seq string
	var ok bool
	err := s.withCatalog(func(c *pgcatalog.Context) error {
		name, err := parseObjectName(table)
		if err != nil {
			return err
		}
		t, err := s.binder(c.Cat, nil).ResolveTable(name)
		if err != nil {
			return err
		}
		seq, ok = pgcatalog.SerialSequence(c, uint32(t.ID), column)
		return nil
	})
	return seq, ok, err
}

var _ builtins.ViewDefSession = (*Session)(nil)

// ViewDef implements builtins.ViewDefSession.
func (s *Session) ViewDef(oid uint32) (string, bool, error) {
	var def string
	var ok bool
	err := s.withCatalog(func(c *pgcatalog.Context) error {
		def, ok = pgcatalog.ViewDefinition(c, oid)
		return nil
	})
	return def, ok, err
}

// ViewDefByName implements builtins.ViewDefSession.
func (s *Session) ViewDefByName(name string) (string, bool, error) {
	var def string
	var ok bool
	err := s.withCatalog(func(c *pgcatalog.Context) error {
		d, err := s.binder(c.Cat, nil).RegclassByName(name)
		if err != nil {
			return err
		}
		if oid, isOID := d.(types.DOid); isOID {
			def, ok = pgcatalog.ViewDefinition(c, uint32(oid))
		}
		return nil
	})
	return def, ok, err
}

// parseObjectName splits a possibly qualified, possibly quoted name.
func parseObjectName(s string) (tree.ObjectName, error) {
	if strings.TrimSpace(s) == "" {
		return tree.ObjectName{}, pgerror.New("42602", "invalid name syntax")
	}
	var parts []string
	for _, p := range strings.Split(s, ".") {
		p = strings.TrimSpace(p)
		if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
			parts = append(parts, strings.ReplaceAll(p[1:len(p)-1], `""`, `"`))
		} else {
			parts = append(parts, strings.ToLower(p))
		}
	}
	var n tree.ObjectName
	switch len(parts) {
	case 1:
		n.Name = parts[0]
	case 2:
		n.Schema, n.Name = parts[0], parts[1]
	default:
		n.Schema, n.Name = parts[len(parts)-2], parts[len(parts)-1]
	}
	return n, nil
}

// RelationSize implements builtins.RelationSizeSession: the pg_*_size
// functions over the store's bytes. A table's primary key is the order its
// rows are stored in, so its index adds nothing of its own.
func (s *Session) RelationSize(ctx context.Context, oid uint32, kind builtins.SizeKind) (int64, bool, error) {
	var table *catalog.Table
	var index *catalog.Index
	view := false
	err := s.withCatalog(func(c *pgcatalog.Context) error {
		if v := c.Cat.Views[catalog.ID(oid)]; v != nil && v.DatabaseID == c.DB.ID {
			view = true // a view stores nothing
			return nil
		}
		for _, t := range c.Cat.Tables {
			if t.DatabaseID != c.DB.ID {
				continue
			}
			if uint32(t.ID) == oid || pgcatalog.PKIndexOID(t) == oid && pgcatalog.HasPrimaryKey(t) {
				table = t
				return nil
			}
			for i := range t.Indexes {
				if uint32(t.Indexes[i].ID) == oid {
					table, index = t, &t.Indexes[i]
					return nil
				}
			}
		}
		return nil
	})
	if err != nil || view {
		return 0, view, err
	}
	if table == nil {
		return 0, false, nil
	}
	store := s.eng.store
	if index != nil || uint32(table.ID) != oid {
		// An index: pg_relation_size and pg_table_size are its own bytes.
		if index == nil || kind == builtins.SizeIndexes {
			return 0, true, nil
		}
		n, err := store.IndexBytes(ctx, table.ID, index.ID)
		return n, err == nil, err
	}
	var n int64
	if kind != builtins.SizeIndexes {
		if n, err = store.TableBytes(ctx, table.ID); err != nil {
			return 0, false, err
		}
	}
	if kind == builtins.SizeIndexes || kind == builtins.SizeTotal {
		for i := range table.Indexes {
			b, err := store.IndexBytes(ctx, table.ID, table.Indexes[i].ID)
			if err != nil {
				return 0, false, err
			}
			n += b
		}
	}
	return n, true, nil
}

// UserType implements builtins.UserTypeSession.
func (s *Session) UserType(oid uint32) (name string, visible, ok bool, err error) {
	err = s.withCatalog(func(c *pgcatalog.Context) error {
		name, visible, ok = pgcatalog.UserType(c, append([]string{s.tempSchemaName()}, s.searchPathSetting()...), oid)
		return nil
	})
	return name, visible, ok, err
}
