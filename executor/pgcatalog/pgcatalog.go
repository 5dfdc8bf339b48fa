// Package pgcatalog owns Quiver's virtual catalog relations — pg_catalog
// and information_schema — computed live from the catalog inside the
// reading transaction's snapshot, with PostgreSQL 15's column names and
// types, so psql, drivers and BI tools can introspect a database.
package pgcatalog

import (
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// Context is what row generators may read.
type Context struct {
	Cat  *storage.Catalog
	DB   *catalog.Database
	User string
	// Setting returns a session setting's value.
	Setting func(name string) string
	// SearchPath is the session's resolved search_path, by which
	// pg_get_expr decides whether to qualify a sequence.
	SearchPath []string
	// PID is the calling session's backend PID.
	PID int32
	// Progress lists running index builds (pg_stat_progress_create_index).
	Progress func() []IndexProgress
	// Activity lists the server's sessions (pg_stat_activity); nil when
	// the session runs without a server, which shows only itself.
	Activity func() []Activity
	// Locks lists the server's advisory locks (pg_locks).
	Locks func() []Lock
}

// table is one virtual relation: its shape and its row generator.
type table struct {
	def  *planner.VirtualTable
	rows func(*Context) ([][]types.Datum, error)
}

// col builds a column definition.
func col(name string, t *types.T) planner.Column { return planner.Column{Name: name, T: t} }

// registry maps "schema.name" to a relation. Built once at init, read-only.
var registry = map[string]*table{}

func register(schema, name string, oid uint32, cols []planner.Column, rows func(*Context) ([][]types.Datum, error)) {
	for i := range cols {
		cols[i].Table = name
		cols[i].TableOID = oid
		cols[i].AttNum = int16(i + 1)
	}
	registry[schema+"."+name] = &table{def: &planner.VirtualTable{Schema: schema, Name: name, OID: oid, Columns: cols}, rows: rows}
}

// Lookup finds a virtual relation (planner.Binder.Virtual).
func Lookup(schema, name string) *planner.VirtualTable {
	if t := registry[schema+"."+name]; t != nil {
		return t.def
	}
	return nil
}

// LookupOID finds a virtual relation by its OID.
func LookupOID(oid uint32) *planner.VirtualTable {
	for _, t := range registry {
		if t.def.OID == oid {
			return t.def
		}
	}
	return nil
}

// Rows computes a virtual relation's rows.
func Rows(vt *planner.VirtualTable, ctx *Context) ([][]types.Datum, error) {
	t := registry[vt.Schema+"."+vt.Name]
	if t == nil {
		return nil, nil
	}
	return t.rows(ctx)
}

func init() {
	register("pg_catalog", "pg_namespace", 2615, []planner.Column{
		col("oid", types.Oid), col("nspname", types.Name), col("nspowner", types.Oid), col("nspacl", types.ArrayOf(types.Text)),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		hasInfo := false
		for _, s := range dbSchemas(c) {
			owner := roleOID(c, s.Owner)
			var acl types.Datum = types.Null
			if s.Name == "public" {
				owner = oidDatabaseOwner
				acl = publicSchemaACL()
			}
			hasInfo = hasInfo || s.Name == "information_schema"
			rows = append(rows, []types.Datum{types.DOid(s.ID), types.DString(s.Name), types.DOid(owner), acl})
		}
		if !hasInfo {
			rows = append(rows, []types.Datum{types.DOid(storage.InformationSchemaID), types.DString("information_schema"), types.DOid(10), types.Null})
		}
		return rows, nil
	})
	// Like initdb, Quiver gives the public schema its ACL at creation;
	// pg_dump compares nspacl against initprivs, so that ACL must be
	// recorded here or every dump would re-grant it.
	register("pg_catalog", "pg_init_privs", 3394, []planner.Column{
		col("objoid", types.Oid), col("classoid", types.Oid), col("objsubid", types.Int4), col("privtype", tChar),
		col("initprivs", tACL),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, s := range dbSchemas(c) {
			if s.Name == "public" {
				rows = append(rows, []types.Datum{types.DOid(s.ID), types.DOid(oidPgNsp), types.DInt(0), types.DString("i"), publicSchemaACL()})
			}
		}
		return rows, nil
	})
	register("pg_catalog", "pg_transform", 3576, []planner.Column{
		col("oid", types.Oid), col("trftype", types.Oid), col("trflang", types.Oid), col("trffromsql", types.Regproc), col("trftosql", types.Regproc),
	}, empty)
}

// publicSchemaACL is the public schema's nspacl: PostgreSQL 15 gives it to
// pg_database_owner, with USAGE for everyone.
func publicSchemaACL() types.Datum {
	return &types.DArray{Elem: types.Text, Elems: []types.Datum{
		types.DString("pg_database_owner=UC/pg_database_owner"), types.DString("=U/pg_database_owner")}}
}
