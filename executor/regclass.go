package executor

import (
	"strconv"

	"github.com/quiverdb/quiver/executor/pgcatalog"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// nameRegclass makes regclass, regproc, regnamespace and regrole result
// values print as names, as their output functions do (regName).
func (s *Session) nameRegclass(ec *execCtx, cols []ResultColumn, it rowIter) (rowIter, error) {
	var idx []int
	for i, c := range cols {
		if types.PrintsName(c.Type) {
			idx = append(idx, i)
		}
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
				row[i] = types.DNamedOid{Oid: uint32(o), Name: regName(cat, visible, cols[i].Type, uint32(o))}
			}
		}
	}}, nil
}

// regName is the output function of regclass (the relation name alone
// when its schema is on the search path, schema-qualified otherwise),
// regproc, regnamespace and regrole: the number when no object has the
// OID, "-" for OID 0.
func regName(cat *storage.Catalog, visible map[catalog.ID]bool, t *types.T, oid uint32) string {
	switch t.Family {
	case types.FamRegtype:
		return regtypeName(cat, visible, oid)
	case types.FamRegproc:
		return pgcatalog.ProcName(oid)
	case types.FamRegnamespace, types.FamRegrole:
		if oid == 0 {
			return "-"
		}
		if t.Family == types.FamRegnamespace {
			if sc := cat.Schemas[catalog.ID(oid)]; sc != nil {
				return quoteIdentIfNeeded(sc.Name)
			}
		} else if r := cat.Roles[catalog.ID(oid)]; r != nil {
			return quoteIdentIfNeeded(r.Name)
		}
		return strconv.FormatUint(uint64(oid), 10)
	}
	return relationName(cat, visible, catalog.ID(oid))
}

// regtypeName is regtypeout: built-in types by their SQL names, enum
// types (and their arrays) by name, schema-qualified when the schema is
// not on the search path.
func regtypeName(cat *storage.Catalog, visible map[catalog.ID]bool, oid uint32) string {
	for _, ty := range cat.Types {
		if ty.Enum.OID != oid && ty.Enum.ArrayOID != oid {
			continue
		}
		name := types.QuoteIdent(ty.Enum.Name)
		if !visible[ty.SchemaID] {
			if sc := cat.Schemas[ty.SchemaID]; sc != nil {
				name = types.QuoteIdent(sc.Name) + "." + name
			}
		}
		if oid == ty.Enum.ArrayOID {
			name += "[]"
		}
		return name
	}
	return string(types.AppendText(nil, types.Regtype, types.DOid(oid)))
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

// compileRegName casts a regclass, regproc, regnamespace or regrole
// value to a string type through its name ('t'::regclass::text).
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
		cat, err := ec.txn.Catalog()
		if err != nil {
			return nil, err
		}
		name := regName(cat, ec.sess.visibleSchemas(cat), from, uint32(o))
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
	} else if v := cat.Views[id]; v != nil {
		schema, name = v.SchemaID, v.Name
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
