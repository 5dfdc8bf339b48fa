package executor

import (
	"strconv"

	"github.com/quiverdb/quiver/executor/pgcatalog"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// nameRegclass makes regclass result values print as relation names, as
// PostgreSQL's regclassout does: the name alone when its schema is on the
// search path, schema-qualified otherwise, the number when no relation
// has that OID; regproc values print as function names (regprocout).
func (s *Session) nameRegclass(ec *execCtx, cols []ResultColumn, it rowIter) (rowIter, error) {
	var idx, procs []int
	for i, c := range cols {
		switch c.Type.Family {
		case types.FamRegclass:
			idx = append(idx, i)
		case types.FamRegproc:
			procs = append(procs, i)
		}
	}
	if len(procs) > 0 {
		it = &mapIter{in: it, fn: func(row []types.Datum) {
			for _, i := range procs {
				if o, ok := row[i].(types.DOid); ok {
					row[i] = types.DNamedOid{Oid: uint32(o), Name: pgcatalog.ProcName(uint32(o))}
				}
			}
		}}
	}
	if len(idx) == 0 {
		return it, nil
	}
	cat, err := ec.txn.Catalog()
	if err != nil {
		return nil, err
	}
	visible := s.visibleSchemas(cat)
	return &mapIter{in: it, fn: func(row []types.Datum) {
		for _, i := range idx {
			if o, ok := row[i].(types.DOid); ok {
				row[i] = types.DNamedOid{Oid: uint32(o), Name: relationName(cat, visible, catalog.ID(o))}
			}
		}
	}}, nil
}

// visibleSchemas are the schemas of the search path, whose relations
// regclassout names without a qualifier.
func (s *Session) visibleSchemas(cat *storage.Catalog) map[catalog.ID]bool {
	visible := map[catalog.ID]bool{}
	for _, name := range s.searchPathSetting() {
		if sc := cat.SchemaByName(s.db.ID, name); sc != nil {
			visible[sc.ID] = true
		}
	}
	return visible
}

// compileRegName casts a regclass or regproc value to a string type
// through its name, as regclassout/regprocout do ('t'::regclass::text).
func (ec *execCtx) compileRegName(arg evalFn, from, to *types.T, cctx types.CastContext) evalFn {
	return func(row []types.Datum) (types.Datum, error) {
		v, err := arg(row)
		if err != nil || types.IsNull(v) {
			return types.Null, err
		}
		o, ok := v.(types.DOid)
		if !ok {
			return types.Cast(v, from, to, cctx)
		}
		var name string
		if from.Family == types.FamRegproc {
			name = pgcatalog.ProcName(uint32(o))
		} else {
			cat, err := ec.txn.Catalog()
			if err != nil {
				return nil, err
			}
			name = relationName(cat, ec.sess.visibleSchemas(cat), catalog.ID(o))
		}
		return types.Cast(types.DString(name), types.Text, to, cctx)
	}
}

func relationName(cat *storage.Catalog, visible map[catalog.ID]bool, id catalog.ID) string {
	if id == 0 {
		return "-" // regclassout's InvalidOid
	}
	var schema catalog.ID
	var name string
	if t := cat.Tables[id]; t != nil {
		schema, name = t.SchemaID, t.Name
	} else if q := cat.Sequences[id]; q != nil {
		schema, name = q.SchemaID, q.Name
	} else if t, idx := indexByOID(cat, id); t != nil {
		schema, name = t.SchemaID, idx
	} else if vt := pgcatalog.LookupOID(uint32(id)); vt != nil {
		// pg_catalog is always on the search path; information_schema
		// is not.
		if vt.Schema == "pg_catalog" {
			return quoteIdentIfNeeded(vt.Name)
		}
		return quoteIdentIfNeeded(vt.Schema) + "." + quoteIdentIfNeeded(vt.Name)
	} else {
		return strconv.FormatUint(uint64(id), 10)
	}
	name = quoteIdentIfNeeded(name)
	if !visible[schema] {
		if sc := cat.Schemas[schema]; sc != nil {
			name = quoteIdentIfNeeded(sc.Name) + "." + name
		}
	}
	return name
}

// indexByOID finds the index with OID id (a primary key's included) and
// its table.
func indexByOID(cat *storage.Catalog, id catalog.ID) (*catalog.Table, string) {
	for _, t := range cat.Tables {
		if pgcatalog.HasPrimaryKey(t) && catalog.ID(pgcatalog.PKIndexOID(t)) == id {
			name := t.PrimaryKeyName
			if name == "" {
				name = t.Name + "_pkey"
			}
			return t, name
		}
		for i := range t.Indexes {
			if t.Indexes[i].ID == id {
				return t, t.Indexes[i].Name
			}
		}
	}
	return nil, ""
}

// mapIter rewrites each row in place.
type mapIter struct {
	in rowIter
	fn func([]types.Datum)
}

func (m *mapIter) Next() ([]types.Datum, error) {
	row, err := m.in.Next()
	if row != nil {
		m.fn(row)
	}
	return row, err
}
func (m *mapIter) Close() { m.in.Close() }
