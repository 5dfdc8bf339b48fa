package pgcatalog

import (
	"sort"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// Datum shorthands for the row builders below.
func dB(b bool) types.Datum { return types.DBool(b) }
func dS(s string) types.Datum {
	return types.DString(s)
}
func dO(o uint32) types.Datum { return types.DOid(o) }
func dI(i int64) types.Datum  { return types.DInt(i) }
func dF(f float64) types.Datum {
	return types.DFloat(f)
}

// dSnull is a text datum that is NULL when empty.
func dSnull(s string) types.Datum {
	if s == "" {
		return types.Null
	}
	return types.DString(s)
}

func int2Array(vals []int) types.Datum {
	a := &types.DArray{Elem: types.Int2}
	for _, v := range vals {
		a.Elems = append(a.Elems, types.DInt(v))
	}
	return a
}

func oidArray(vals []uint32) types.Datum {
	a := &types.DArray{Elem: types.Oid}
	for _, v := range vals {
		a.Elems = append(a.Elems, types.DOid(v))
	}
	return a
}

var null = types.Null

// Column type shorthands: PostgreSQL's "char" is shown as text (same text
// output), pg_node_tree and aclitem as text.
var (
	tChar   = types.Text
	tInt2v  = types.Int2Vector
	tOidv   = types.OidVectorT
	tInt2A  = types.ArrayOf(types.Int2)
	tOidA   = types.ArrayOf(types.Oid)
	tTextA  = types.ArrayOf(types.Text)
	tACL    = types.ArrayOf(types.Text)
	tXid    = types.Int8
	tNode   = types.Text
	tRegp   = types.Name
	tFloat4 = types.Float4
)

// PublicSchemaComment is initdb's comment on schema public.
const PublicSchemaComment = "standard public schema"

// builtinExtension is an extension Quiver has built in: always
// installed in every database (its objects cannot come and go), so
// pg_extension lists it and CREATE EXTENSION has nothing to do.
type builtinExtension struct {
	name, version, comment string
	oid                    uint32
	// pgCatalog: installed in pg_catalog (plpgsql) rather than public.
	pgCatalog   bool
	relocatable bool
	trusted     bool
}

// builtinExtensions, ordered by name; versions are those of PostgreSQL
// 15's contrib and of pgvector whose SQL Quiver speaks. Read-only.
var builtinExtensions = []builtinExtension{
	{name: "citext", version: "1.6", comment: "data type for case-insensitive character strings", oid: oidCitextExt, relocatable: true, trusted: true},
	{name: "pgcrypto", version: "1.3", comment: "cryptographic functions", oid: oidPgcryptoExt, relocatable: true, trusted: true},
	{name: "plpgsql", version: "1.0", comment: "PL/pgSQL procedural language", oid: oidPlpgsql, pgCatalog: true, trusted: true},
	{name: "uuid-ossp", version: "1.1", comment: "generate universally unique identifiers (UUIDs)", oid: oidUUIDOsspExt, relocatable: true, trusted: true},
	{name: "vector", version: "0.8.0", comment: "vector data type and ivfflat and hnsw access methods", oid: oidVectorExt, relocatable: true},
}

func findExtension(name string) (builtinExtension, bool) {
	for _, e := range builtinExtensions {
		if e.name == name {
			return e, true
		}
	}
	return builtinExtension{}, false
}

// ExtensionVersion is a built-in extension's version (ALTER EXTENSION
// UPDATE's test); false when Quiver has no extension of that name.
func ExtensionVersion(name string) (string, bool) {
	e, ok := findExtension(name)
	return e.version, ok
}

// ExtensionComment is a built-in extension's comment; false when Quiver
// has no extension of that name (CREATE EXTENSION's test).
func ExtensionComment(name string) (string, bool) {
	e, ok := findExtension(name)
	return e.comment, ok
}

// ExtensionNames lists the built-in extensions, for CREATE EXTENSION's
// hint.
func ExtensionNames() []string {
	var names []string
	for _, e := range builtinExtensions {
		if e.name != "plpgsql" {
			names = append(names, e.name)
		}
	}
	return names
}

// extensionSchemaOID is extnamespace: pg_catalog for plpgsql, public
// for the others, where CREATE EXTENSION puts them by default.
func extensionSchemaOID(c *Context, e builtinExtension) uint32 {
	if e.pgCatalog {
		return nsOID(c, storage.PgCatalogSchemaID)
	}
	return nsOID(c, storage.PublicSchemaID)
}

// storageOf is a type's typstorage, which its columns' attstorage
// repeats (pg_dump emits SET STORAGE where the two differ): plain for
// fixed-length types, main for numeric, external for pgvector's vector
// (as its CREATE TYPE declares), extended for other variable-length ones.
func storageOf(typid uint32, length int16) string {
	switch {
	case length != -1:
		return "p"
	case typid == types.OidNumeric:
		return "m"
	case typid == types.OidVector, typid == types.OidHalfvec, typid == types.OidSparsevec:
		return "e"
	}
	return "x"
}

// empty is the generator of relations Quiver never has rows for.
func empty(*Context) ([][]types.Datum, error) { return nil, nil }

// collationOf is a type's typcollation / a column's attcollation.
func collationOf(t *types.T) uint32 {
	if t.Family == types.FamArray {
		return collationOf(t.Elem)
	}
	switch t.Family {
	case types.FamText, types.FamVarchar, types.FamChar, types.FamCitext:
		return oidDefColl
	case types.FamName:
		return oidCColl
	}
	return 0
}

// builtinTypes are pg_type's base types (their arrays are added too).
var builtinTypes = []*types.T{
	types.Bool, types.Bytea, types.Name, types.Int8, types.Int2, types.Int4, types.Regproc, types.Text, types.Oid,
	types.Tid, types.Xid, types.Cid,
	types.JSON, types.Float4, types.Float8, types.Unknown, types.Bpchar, types.Varchar, types.Date, types.Timestamp,
	types.TimestampTZ, types.Interval, types.Numeric, types.Regclass, types.Regtype, types.Record, types.Void,
	types.UUID, types.JSONB, types.Vector, types.Regnamespace, types.Regrole, types.Halfvec,
	types.Sparsevec, types.Bit, types.Varbit, types.Citext,
}

// typeMeta is what pg_type needs beyond types.T (whose Category and
// Preferred give typcategory and typispreferred).
type typeMeta struct {
	io    string // prefix of typinput/typoutput/typreceive/typsend
	align string
}

var typeMetas = map[types.Family]typeMeta{
	types.FamBool:         {"bool", "c"},
	types.FamBytea:        {"bytea", "i"},
	types.FamName:         {"name", "c"},
	types.FamInt8:         {"int8", "d"},
	types.FamInt2:         {"int2", "s"},
	types.FamInt4:         {"int4", "i"},
	types.FamRegproc:      {"regproc", "i"},
	types.FamText:         {"text", "i"},
	types.FamOid:          {"oid", "i"},
	types.FamTid:          {"tid", "s"},
	types.FamXid:          {"xid", "i"},
	types.FamCid:          {"cid", "i"},
	types.FamJSON:         {"json", "i"},
	types.FamFloat4:       {"float4", "i"},
	types.FamFloat8:       {"float8", "d"},
	types.FamUnknown:      {"unknown", "c"},
	types.FamChar:         {"bpchar", "i"},
	types.FamVarchar:      {"varchar", "i"},
	types.FamDate:         {"date", "i"},
	types.FamTimestamp:    {"timestamp", "d"},
	types.FamTimestampTZ:  {"timestamptz", "d"},
	types.FamInterval:     {"interval", "d"},
	types.FamNumeric:      {"numeric", "i"},
	types.FamRegclass:     {"regclass", "i"},
	types.FamRegtype:      {"regtype", "i"},
	types.FamRegnamespace: {"regnamespace", "i"},
	types.FamRegrole:      {"regrole", "i"},
	types.FamRecord:       {"record", "d"},
	types.FamVoid:         {"void", "i"},
	types.FamUUID:         {"uuid", "c"},
	types.FamJSONB:        {"jsonb", "i"},
	types.FamVector:       {"vector", "i"},
	types.FamHalfvec:      {"halfvec", "i"},
	types.FamSparsevec:    {"sparsevec", "i"},
	types.FamBit:          {"bit", "i"},
	types.FamVarbit:       {"varbit", "i"},
	types.FamCitext:       {"citext", "i"},
}

// ioProc is the name of a type's I/O function (suffix _in, _out, _recv
// or _send after the typeMeta.io prefix): citext's script names its own
// without the underscore (citextin).
func ioProc(io, suffix string) string {
	if io == "citext" {
		return io + suffix[1:]
	}
	return io + suffix
}

// typeRow is one pg_type row.
type typeRow struct {
	oid       uint32
	name      string
	namespace uint32
	length    int16
	byval     bool
	typtype   string
	category  string
	preferred bool
	elem      uint32
	array     uint32
	io        string
	align     string
	coll      uint32
	owner     uint32 // 0: the bootstrap superuser
}

func typeRows() []typeRow {
	var rows []typeRow
	for _, t := range builtinTypes {
		m := typeMetas[t.Family]
		tt := "b"
		if t.Category() == 'P' || t.Family == types.FamUnknown {
			tt = "p"
		}
		ns := uint32(storage.PgCatalogSchemaID)
		if isPgvectorType(t.OID()) || t.Family == types.FamCitext {
			ns = uint32(storage.PublicSchemaID)
		}
		l := t.Len()
		byval := l > 0 && l <= 8 && t.Family != types.FamName && t.Family != types.FamUUID && t.Family != types.FamTid
		rows = append(rows, typeRow{oid: t.OID(), name: t.TypeName(), namespace: ns, length: l, byval: byval, typtype: tt,
			category: string(t.Category()), preferred: t.Preferred(), io: m.io, align: m.align, coll: collationOf(t)})
		if a := types.ArrayOf(t); a.OID() != 0 {
			rows[len(rows)-1].array = a.OID()
			rows = append(rows, typeRow{oid: a.OID(), name: a.TypeName(), namespace: ns, length: -1, typtype: "b", category: "A",
				elem: t.OID(), io: "array", align: m.align, coll: collationOf(t)})
		}
	}
	// "char", which Quiver has no type for, is still referenced by name.
	rows = append(rows, typeRow{oid: types.OidChar1, name: "char", namespace: uint32(storage.PgCatalogSchemaID), length: 1, byval: true,
		typtype: "b", category: "Z", io: "char", align: "c", array: 1002},
		typeRow{oid: 1002, name: "_char", namespace: uint32(storage.PgCatalogSchemaID), length: -1, typtype: "b", category: "A",
			elem: types.OidChar1, io: "array", align: "i"})
	// The pseudo-types pg_proc's polymorphic and internal signatures use.
	for _, p := range []struct {
		oid   uint32
		name  string
		len   int16
		align string
	}{{oidCstring, "cstring", -2, "c"}, {2276, "any", 4, "i"}, {2277, "anyarray", -1, "d"}, {oidInternal, "internal", 8, "d"}, {2283, "anyelement", 4, "i"}, {builtins.OidAnyEnum, "anyenum", 4, "i"}} {
		rows = append(rows, typeRow{oid: p.oid, name: p.name, namespace: uint32(storage.PgCatalogSchemaID), length: p.len,
			byval: p.len == 4 || p.len == 8, typtype: "p", category: "P", io: p.name, align: p.align})
	}
	// int2vector and oidvector (pg_index.indkey, pg_proc.proargtypes) and
	// their arrays.
	pgcat := uint32(storage.PgCatalogSchemaID)
	for _, v := range []struct {
		oid, elem, array uint32
		name             string
	}{{22, uint32(types.OidInt2), 1006, "int2vector"}, {30, uint32(types.OidOid), 1013, "oidvector"}} {
		rows = append(rows, typeRow{oid: v.oid, name: v.name, namespace: pgcat, length: -1, typtype: "b", category: "A",
			elem: v.elem, array: v.array, io: v.name, align: "i"},
			typeRow{oid: v.array, name: "_" + v.name, namespace: pgcat, length: -1, typtype: "b", category: "A",
				elem: v.oid, io: "array", align: "i"})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].oid < rows[j].oid })
	return rows
}

// enumTypeRows are the pg_type rows of the database's enum types and
// their arrays.
func enumTypeRows(c *Context) []typeRow {
	var rows []typeRow
	for _, ty := range dbTypes(c) {
		ns := nsOID(c, ty.SchemaID)
		e := &ty.Enum
		rows = append(rows, typeRow{oid: e.OID, name: e.Name, namespace: ns, length: 4, byval: true, typtype: "e",
			category: "E", array: e.ArrayOID, io: "enum", align: "i", owner: roleOID(c, ty.Owner)},
			typeRow{oid: e.ArrayOID, name: "_" + e.Name, namespace: ns, length: -1, typtype: "b", category: "A",
				elem: e.OID, io: "array", align: "i", owner: roleOID(c, ty.Owner)})
	}
	return rows
}

// dProc is a regproc value naming a function ("-" is none, OID 0).
func dProc(name string) types.Datum {
	if name == "-" {
		return types.DOid(0)
	}
	return types.DOid(types.RegprocOID(name))
}

// amHandlers are pg_am's handler functions (heap, btree, hash, hnsw).
var amHandlers = [...]string{"heap_tableam_handler", "bthandler", "hashhandler", "hnswhandler"}

// procNames maps the regproc OIDs pg_type refers to back to their names
// (read-only after init).
var procNames = func() map[uint32]string {
	m := map[uint32]string{}
	add := func(name string) { m[types.RegprocOID(name)] = name }
	add("array_subscript_handler")
	for _, suffix := range []string{"_in", "_out", "_recv", "_send"} {
		add("enum" + suffix)
	}
	for _, h := range amHandlers {
		add(h)
	}
	for _, r := range typeRows() {
		for _, suffix := range []string{"_in", "_out", "_recv", "_send"} {
			add(ioProc(r.io, suffix))
		}
	}
	return m
}()

// ProcName is regprocout: the name of the function with OID oid, "-" for
// OID 0, the number when there is no such function.
func ProcName(oid uint32) string {
	if oid == 0 {
		return "-"
	}
	if name, ok := procNames[oid]; ok {
		return name
	}
	if name, ok := procNameByOID[oid]; ok {
		// regprocout qualifies a name that alone would not find the
		// function (an overloaded one).
		if procByName[name].count > 1 {
			schema := "pg_catalog."
			if procPublic[oid] {
				schema = "public."
			}
			return schema + builtins.QuoteIdent(name)
		}
		return builtins.QuoteIdent(name)
	}
	return strconv.FormatUint(uint64(oid), 10)
}

// pg_settings metadata for the settings Quiver knows; rows appear only for
// settings the session reports.
var settingNames = []string{
	"application_name", "bytea_output", "client_encoding", "client_min_messages", "DateStyle", "default_transaction_isolation",
	"default_transaction_read_only", "extra_float_digits", "hnsw.ef_search", "idle_in_transaction_session_timeout",
	"integer_datetimes", "IntervalStyle", "lc_collate", "lc_ctype", "lc_messages", "lc_monetary", "lc_numeric", "lc_time",
	"lock_timeout", "max_connections", "max_identifier_length", "max_index_keys", "search_path", "server_encoding", "server_version",
	"server_version_num", "session_authorization", "standard_conforming_strings", "statement_timeout", "TimeZone",
	"transaction_isolation", "transaction_read_only", "work_mem",
}

func init() {
	register("pg_catalog", "pg_class", oidPgClass, []planner.Column{
		col("oid", types.Oid), col("relname", types.Name), col("relnamespace", types.Oid), col("reltype", types.Oid),
		col("reloftype", types.Oid), col("relowner", types.Oid), col("relam", types.Oid), col("relfilenode", types.Oid),
		col("reltablespace", types.Oid), col("relpages", types.Int4), col("reltuples", tFloat4), col("relallvisible", types.Int4),
		col("reltoastrelid", types.Oid), col("relhasindex", types.Bool), col("relisshared", types.Bool),
		col("relpersistence", tChar), col("relkind", tChar), col("relnatts", types.Int2), col("relchecks", types.Int2),
		col("relhasrules", types.Bool), col("relhastriggers", types.Bool), col("relhassubclass", types.Bool),
		col("relrowsecurity", types.Bool), col("relforcerowsecurity", types.Bool), col("relispopulated", types.Bool),
		col("relreplident", tChar), col("relispartition", types.Bool), col("relrewrite", types.Oid),
		col("relfrozenxid", tXid), col("relminmxid", tXid), col("relacl", tACL), col("reloptions", tTextA), col("relpartbound", tNode),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		rel := func(oid uint32, name string, ns uint32, owner uint32, am uint32, hasIndex bool, kind string, natts, checks int) {
			// A session's temporary schema is pg_temp_N (executor/temp.go).
			persistence := "p"
			if strings.HasPrefix(schemaName(c, catalog.ID(ns)), "pg_temp_") {
				persistence = "t"
			}
			rows = append(rows, []types.Datum{dO(oid), dS(name), dO(ns), dO(0), dO(0), dO(owner), dO(am), dO(oid), dO(0),
				dI(0), dF(-1), dI(0), dO(0), dB(hasIndex), dB(false), dS(persistence), dS(kind), dI(int64(natts)), dI(int64(checks)),
				dB(false), dB(false), dB(false), dB(false), dB(false), dB(true), dS("d"), dB(false), dO(0), dI(0), dI(0), null, null, null})
		}
		triggers := triggerTables(c)
		for _, t := range dbTables(c) {
			owner := roleOID(c, t.Owner)
			idx := tableIndexes(t)
			kind := "r"
			if t.Matview != nil {
				kind = "m"
			}
			rel(uint32(t.ID), t.Name, uint32(t.SchemaID), owner, oidHeapAM, len(idx) > 0, kind, relnatts(t), len(t.Checks))
			rows[len(rows)-1][20] = dB(triggers[t.ID])
			if t.Matview != nil {
				const relHasRulesCol, relIsPopulatedCol = 19, 24
				rows[len(rows)-1][relHasRulesCol] = dB(true) // its _RETURN rule
				rows[len(rows)-1][relIsPopulatedCol] = dB(t.Matview.Populated)
			}
			for _, x := range idx {
				am := uint32(oidBtreeAM)
				switch x.method {
				case "hnsw":
					am = oidHnswAM
				case "hash":
					am = oidHashAM
				}
				rel(x.oid, x.name, uint32(t.SchemaID), owner, am, false, "i", len(x.cols), 0)
				// An index knows its size from the start: reltuples 0, not -1.
				rows[len(rows)-1][10] = dF(0)
			}
		}
		for _, s := range dbSequences(c) {
			rel(uint32(s.ID), s.Name, uint32(s.SchemaID), uint32(storage.BootstrapRoleID), 0, false, "S", 3, 0)
		}
		for _, v := range dbViews(c) {
			rel(uint32(v.ID), v.Name, uint32(v.SchemaID), roleOID(c, v.Owner), 0, false, "v", len(v.Columns), 0)
			const relFilenodeCol, relHasRulesCol = 7, 19
			rows[len(rows)-1][relFilenodeCol] = dO(0)    // no storage
			rows[len(rows)-1][relHasRulesCol] = dB(true) // a view is its _RETURN rule
		}
		names := make([]string, 0, len(registry))
		for k := range registry {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			d := registry[k].def
			ns := nsOID(c, storage.PgCatalogSchemaID)
			if d.Schema == "information_schema" {
				ns = nsOID(c, storage.InformationSchemaID)
			}
			rel(d.OID, d.Name, ns, uint32(storage.BootstrapRoleID), 0, false, "v", len(d.Columns), 0)
		}
		return rows, nil
	})

	register("pg_catalog", "pg_attribute", 1249, []planner.Column{
		col("attrelid", types.Oid), col("attname", types.Name), col("atttypid", types.Oid), col("attstattarget", types.Int4),
		col("attlen", types.Int2), col("attnum", types.Int2), col("attndims", types.Int4), col("attcacheoff", types.Int4),
		col("atttypmod", types.Int4), col("attbyval", types.Bool), col("attalign", tChar), col("attstorage", tChar),
		col("attcompression", tChar), col("attnotnull", types.Bool), col("atthasdef", types.Bool), col("atthasmissing", types.Bool),
		col("attidentity", tChar), col("attgenerated", tChar), col("attisdropped", types.Bool), col("attislocal", types.Bool),
		col("attinhcount", types.Int4), col("attcollation", types.Oid), col("attacl", tACL), col("attoptions", tTextA),
		col("attfdwoptions", tTextA), col("attmissingval", tTextA),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		att := func(rel uint32, name string, t *types.T, num int, notnull, hasdef bool, identity string, dropped bool) {
			typid, typmod, l, ndims := uint32(0), int32(-1), int16(-1), 0
			if t != nil {
				typid, typmod, l = t.OID(), t.Typmod(), t.Len()
				if t.IsArray() {
					ndims = 1
				}
			}
			coll := uint32(0)
			if t != nil {
				coll = collationOf(t)
			}
			rows = append(rows, []types.Datum{dO(rel), dS(name), dO(typid), dI(-1), dI(int64(l)), dI(int64(num)), dI(int64(ndims)), dI(-1),
				dI(int64(typmod)), dB(l > 0 && l <= 8), dS("i"), dS(storageOf(typid, l)), dS(""), dB(notnull), dB(hasdef), dB(false),
				dS(identity), dS(""), dB(dropped), dB(true), dI(0), dO(coll), null, null, null, null})
		}
		for _, t := range dbTables(c) {
			for i := range t.Columns {
				cl := &t.Columns[i]
				if !userColumn(cl) {
					continue
				}
				if cl.Dropped {
					att(uint32(t.ID), "........pg.dropped."+itoa(i+1)+"........", nil, i+1, false, false, "", true)
					continue
				}
				ident := ""
				switch cl.Identity {
				case "always":
					ident = "a"
				case "by default":
					ident = "d"
				}
				att(uint32(t.ID), cl.Name, cl.Type, i+1, cl.NotNull, (cl.Default != "" && ident == "") || cl.Generated != "", ident, false)
				if cl.Storage != "" {
					const attStorageCol = 11 // pg_attribute.attstorage
					rows[len(rows)-1][attStorageCol] = dS(cl.Storage)
				}
				if cl.Generated != "" {
					const attGeneratedCol = 17                   // pg_attribute.attgenerated
					rows[len(rows)-1][attGeneratedCol] = dS("s") // STORED
				}
			}
			for _, x := range tableIndexes(t) {
				for k, ci := range x.cols {
					if ci >= 0 && ci < len(t.Columns) {
						name := t.Columns[ci].Name
						if k < len(x.colNames) {
							name = x.colNames[k]
						}
						att(x.oid, name, t.Columns[ci].Type, k+1, false, false, "", false)
					}
				}
			}
		}
		for _, v := range dbViews(c) {
			for i, cl := range v.Columns {
				att(uint32(v.ID), cl.Name, cl.Type, i+1, false, false, "", false)
			}
		}
		for _, s := range dbSequences(c) {
			att(uint32(s.ID), "last_value", types.Int8, 1, true, false, "", false)
			att(uint32(s.ID), "log_cnt", types.Int8, 2, true, false, "", false)
			att(uint32(s.ID), "is_called", types.Bool, 3, true, false, "", false)
		}
		for _, k := range sortedRegistry() {
			d := registry[k].def
			for i, cl := range d.Columns {
				att(d.OID, cl.Name, cl.T, i+1, false, false, "", false)
			}
		}
		return rows, nil
	})

	register("pg_catalog", "pg_type", 1247, []planner.Column{
		col("oid", types.Oid), col("typname", types.Name), col("typnamespace", types.Oid), col("typowner", types.Oid),
		col("typlen", types.Int2), col("typbyval", types.Bool), col("typtype", tChar), col("typcategory", tChar),
		col("typispreferred", types.Bool), col("typisdefined", types.Bool), col("typdelim", tChar), col("typrelid", types.Oid),
		col("typsubscript", types.Regproc), col("typelem", types.Oid), col("typarray", types.Oid), col("typinput", types.Regproc),
		col("typoutput", types.Regproc), col("typreceive", types.Regproc), col("typsend", types.Regproc), col("typmodin", types.Regproc),
		col("typmodout", types.Regproc), col("typanalyze", types.Regproc), col("typalign", tChar), col("typstorage", tChar), col("typnotnull", types.Bool),
		col("typbasetype", types.Oid), col("typtypmod", types.Int4), col("typndims", types.Int4), col("typcollation", types.Oid),
		col("typdefaultbin", tNode), col("typdefault", types.Text), col("typacl", tACL),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, r := range append(typeRows(), enumTypeRows(c)...) {
			owner := r.owner
			if owner == 0 {
				owner = 10
			}
			sub, modin, modout := "-", "-", "-"
			if r.category == "A" {
				sub = "array_subscript_handler"
			}
			storage := storageOf(r.oid, r.length)
			rows = append(rows, []types.Datum{dO(r.oid), dS(r.name), dO(nsOID(c, catalog.ID(r.namespace))), dO(owner), dI(int64(r.length)), dB(r.byval),
				dS(r.typtype), dS(r.category), dB(r.preferred), dB(true), dS(","), dO(0), dProc(sub), dO(r.elem), dO(r.array),
				dProc(ioProc(r.io, "_in")), dProc(ioProc(r.io, "_out")), dProc(ioProc(r.io, "_recv")), dProc(ioProc(r.io, "_send")), dProc(modin), dProc(modout),
				dProc("-"),
				dS(r.align), dS(storage), dB(false), dO(0), dI(-1), dI(0), dO(r.coll), null, null, null})
		}
		return rows, nil
	})

	register("pg_catalog", "pg_index", 2610, []planner.Column{
		col("indexrelid", types.Oid), col("indrelid", types.Oid), col("indnatts", types.Int2), col("indnkeyatts", types.Int2),
		col("indisunique", types.Bool), col("indnullsnotdistinct", types.Bool), col("indisprimary", types.Bool),
		col("indisexclusion", types.Bool), col("indimmediate", types.Bool), col("indisclustered", types.Bool),
		col("indisvalid", types.Bool), col("indcheckxmin", types.Bool), col("indisready", types.Bool), col("indislive", types.Bool),
		col("indisreplident", types.Bool), col("indkey", tInt2v), col("indcollation", tOidv), col("indclass", tOidv),
		col("indoption", tInt2v), col("indexprs", tNode), col("indpred", tNode),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range dbTables(c) {
			for _, x := range tableIndexes(t) {
				keys, colls, classes, opts := make([]int, len(x.cols)), make([]uint32, len(x.cols)), make([]uint32, len(x.cols)), make([]int, len(x.cols))
				var exprs []string
				for k, ci := range x.cols {
					keys[k] = ci + 1
					if ci >= 0 && ci < len(t.Columns) && t.Columns[ci].Hidden && t.Columns[ci].Generated != "" {
						// an expression: PostgreSQL's indkey holds 0 and
						// indexprs the expression (a node tree there,
						// its text here)
						keys[k] = 0
						exprs = append(exprs, t.Columns[ci].Generated)
					}
					if ci >= 0 && ci < len(t.Columns) {
						colls[k] = collationOf(t.Columns[ci].Type)
					}
					if k < len(x.opclass) {
						classes[k] = opclassOID(x.opclass[k])
					}
					if k < len(x.desc) && x.desc[k] {
						opts[k] = 3 // INDOPTION_DESC | INDOPTION_NULLS_FIRST
					}
				}
				rows = append(rows, []types.Datum{dO(x.oid), dO(uint32(t.ID)), dI(int64(len(x.cols))), dI(int64(len(x.cols))),
					dB(x.unique), dB(false), dB(x.primary), dB(false), dB(true), dB(false), dB(!x.building), dB(false),
					dB(!x.building), dB(true), dB(false), int2Array(keys), oidArray(colls), oidArray(classes), int2Array(opts),
					dSnull(strings.Join(exprs, " ")), dSnull(x.where)})
			}
		}
		return rows, nil
	})

	register("pg_catalog", "pg_attrdef", oidPgAttrdef, []planner.Column{
		col("oid", types.Oid), col("adrelid", types.Oid), col("adnum", types.Int2), col("adbin", tNode), col("adsrc", types.Text),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range dbTables(c) {
			for i := range t.Columns {
				cl := &t.Columns[i]
				if cl.Hidden || cl.Dropped {
					continue
				}
				if cl.Generated != "" {
					// psql's \d asks pg_get_expr(adbin, adrelid, true): the pretty form
					rows = append(rows, []types.Datum{dO(uint32(t.ID)<<10 | uint32(i+1)), dO(uint32(t.ID)), dI(int64(i + 1)), dS(cl.GeneratedPretty), dS(cl.GeneratedPretty)})
					continue
				}
				if cl.Default == "" || cl.Identity != "" {
					continue
				}
				d := defaultForReader(c, cl)
				rows = append(rows, []types.Datum{dO(uint32(t.ID)<<10 | uint32(i+1)), dO(uint32(t.ID)), dI(int64(i + 1)), dS(d), dS(d)})
			}
		}
		return rows, nil
	})

	register("pg_catalog", "pg_constraint", oidPgConstr, []planner.Column{
		col("oid", types.Oid), col("conname", types.Name), col("connamespace", types.Oid), col("contype", tChar),
		col("condeferrable", types.Bool), col("condeferred", types.Bool), col("convalidated", types.Bool), col("conrelid", types.Oid),
		col("contypid", types.Oid), col("conindid", types.Oid), col("conparentid", types.Oid), col("confrelid", types.Oid),
		col("confupdtype", tChar), col("confdeltype", tChar), col("confmatchtype", tChar), col("conislocal", types.Bool),
		col("coninhcount", types.Int4), col("connoinherit", types.Bool), col("conkey", tInt2A), col("confkey", tInt2A),
		col("conpfeqop", tOidA), col("conppeqop", tOidA), col("conffeqop", tOidA), col("confdelsetcols", tInt2A),
		col("conexclop", tOidA), col("conbin", tNode),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range dbTables(c) {
			for _, ci := range tableConstraints(c, t) {
				plus1 := func(cols []int) types.Datum {
					if len(cols) == 0 {
						return null
					}
					out := make([]int, len(cols))
					for i, v := range cols {
						out[i] = v + 1
					}
					return int2Array(out)
				}
				upd, del, match := " ", " ", " "
				if ci.kind == "f" {
					upd, _ = fkAction(ci.onUpd)
					del, _ = fkAction(ci.onDel)
					match = "s"
					if ci.matchFull {
						match = "f"
					}
				}
				var conbin types.Datum = null
				if ci.kind == "c" {
					conbin = dS(ci.expr)
				}
				rows = append(rows, []types.Datum{dO(ci.oid), dS(ci.name), dO(uint32(t.SchemaID)), dS(ci.kind), dB(ci.deferrable), dB(ci.deferred),
					dB(!ci.notValid), dO(uint32(t.ID)), dO(0), dO(ci.index), dO(0), dO(ci.refRel), dS(upd), dS(del), dS(match), dB(true),
					dI(0), dB(ci.kind == "c"), plus1(ci.cols), plus1(ci.refCols), null, null, null, null, null, conbin})
			}
		}
		return rows, nil
	})

	register("pg_catalog", "pg_am", 2601, []planner.Column{
		col("oid", types.Oid), col("amname", types.Name), col("amhandler", types.Regproc), col("amtype", tChar),
	}, func(c *Context) ([][]types.Datum, error) {
		return [][]types.Datum{
			{dO(oidHeapAM), dS("heap"), dProc(amHandlers[0]), dS("t")},
			{dO(oidBtreeAM), dS("btree"), dProc(amHandlers[1]), dS("i")},
			{dO(oidHashAM), dS("hash"), dProc(amHandlers[2]), dS("i")},
			{dO(oidHnswAM), dS("hnsw"), dProc(amHandlers[3]), dS("i")},
		}, nil
	})

	register("pg_catalog", "pg_opclass", 2616, []planner.Column{
		col("oid", types.Oid), col("opcmethod", types.Oid), col("opcname", types.Name), col("opcnamespace", types.Oid),
		col("opcowner", types.Oid), col("opcfamily", types.Oid), col("opcintype", types.Oid), col("opcdefault", types.Bool),
		col("opckeytype", types.Oid),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, o := range opclasses {
			ns := nsOID(c, storage.PgCatalogSchemaID)
			if o.am == oidHnswAM {
				ns = nsOID(c, storage.PublicSchemaID)
			}
			rows = append(rows, []types.Datum{dO(o.oid), dO(o.am), dS(o.name), dO(ns), dO(10), dO(o.oid), dO(o.typ), dB(o.def), dO(0)})
		}
		return rows, nil
	})

	register("pg_catalog", "pg_database", oidPgDB, []planner.Column{
		col("oid", types.Oid), col("datname", types.Name), col("datdba", types.Oid), col("encoding", types.Int4),
		col("datlocprovider", tChar), col("datistemplate", types.Bool), col("datallowconn", types.Bool), col("datconnlimit", types.Int4),
		col("datfrozenxid", tXid), col("datminmxid", tXid), col("dattablespace", types.Oid), col("datcollate", types.Text),
		col("datctype", types.Text), col("daticulocale", types.Text), col("datcollversion", types.Text), col("datacl", tACL),
	}, func(c *Context) ([][]types.Datum, error) {
		var dbs []*catalog.Database
		for _, d := range c.Cat.Databases {
			dbs = append(dbs, d)
		}
		sort.Slice(dbs, func(i, j int) bool { return dbs[i].ID < dbs[j].ID })
		var rows [][]types.Datum
		for _, d := range dbs {
			rows = append(rows, []types.Datum{dO(uint32(d.ID)), dS(d.Name), dO(roleOID(c, d.Owner)), dI(6), dS("c"), dB(false), dB(true),
				dI(-1), dI(0), dI(1), dO(1663), dS("C.UTF-8"), dS("C.UTF-8"), null, null, null})
		}
		return rows, nil
	})

	roleCols := []planner.Column{
		col("rolname", types.Name), col("rolsuper", types.Bool), col("rolinherit", types.Bool), col("rolcreaterole", types.Bool),
		col("rolcreatedb", types.Bool), col("rolcanlogin", types.Bool), col("rolreplication", types.Bool), col("rolconnlimit", types.Int4),
		col("rolpassword", types.Text), col("rolvaliduntil", types.TimestampTZ), col("rolbypassrls", types.Bool),
		col("rolconfig", tTextA), col("oid", types.Oid),
	}
	register("pg_catalog", "pg_roles", 12010, roleCols, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, r := range sortedRoles(c) {
			rows = append(rows, []types.Datum{dS(r.Name), dB(r.Superuser), dB(!r.NoInherit), dB(r.CreateRole), dB(r.CreateDB), dB(r.Login),
				dB(r.Replication), dI(int64(r.ConnectionLimit())), dS("********"), validUntil(r), dB(r.BypassRLS), null, dO(uint32(r.ID))})
		}
		return rows, nil
	})
	register("pg_catalog", "pg_authid", oidPgAuthid, []planner.Column{
		col("oid", types.Oid), col("rolname", types.Name), col("rolsuper", types.Bool), col("rolinherit", types.Bool),
		col("rolcreaterole", types.Bool), col("rolcreatedb", types.Bool), col("rolcanlogin", types.Bool), col("rolreplication", types.Bool),
		col("rolbypassrls", types.Bool), col("rolconnlimit", types.Int4), col("rolpassword", types.Text), col("rolvaliduntil", types.TimestampTZ),
	}, func(c *Context) ([][]types.Datum, error) {
		if r := c.Cat.RoleByName(c.User); r == nil || !r.Superuser {
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "permission denied for table pg_authid")
		}
		var rows [][]types.Datum
		for _, r := range sortedRoles(c) {
			// rolpassword stays NULL: no password material leaves the server.
			rows = append(rows, []types.Datum{dO(uint32(r.ID)), dS(r.Name), dB(r.Superuser), dB(!r.NoInherit), dB(r.CreateRole), dB(r.CreateDB),
				dB(r.Login), dB(r.Replication), dB(r.BypassRLS), dI(int64(r.ConnectionLimit())), null, validUntil(r)})
		}
		return rows, nil
	})
	register("pg_catalog", "pg_user", 12011, []planner.Column{
		col("usename", types.Name), col("usesysid", types.Oid), col("usecreatedb", types.Bool), col("usesuper", types.Bool),
		col("userepl", types.Bool), col("usebypassrls", types.Bool), col("passwd", types.Text), col("valuntil", types.TimestampTZ),
		col("useconfig", tTextA),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, r := range sortedRoles(c) {
			if !r.Login {
				continue
			}
			rows = append(rows, []types.Datum{dS(r.Name), dO(uint32(r.ID)), dB(r.CreateDB), dB(r.Superuser), dB(r.Replication),
				dB(r.BypassRLS), dS("********"), validUntil(r), null})
		}
		return rows, nil
	})
	register("pg_catalog", "pg_auth_members", 1261, []planner.Column{
		col("oid", types.Oid), col("roleid", types.Oid), col("member", types.Oid), col("grantor", types.Oid), col("admin_option", types.Bool),
	}, empty)

	register("pg_catalog", "pg_settings", 12012, []planner.Column{
		col("name", types.Text), col("setting", types.Text), col("unit", types.Text), col("category", types.Text),
		col("short_desc", types.Text), col("extra_desc", types.Text), col("context", types.Text), col("vartype", types.Text),
		col("source", types.Text), col("min_val", types.Text), col("max_val", types.Text), col("enumvals", tTextA),
		col("enumval", types.Text), col("boot_val", types.Text), col("reset_val", types.Text), col("sourcefile", types.Text),
		col("sourceline", types.Int4), col("pending_restart", types.Bool),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		if c.Setting == nil {
			return nil, nil
		}
		for _, n := range settingNames {
			v := c.Setting(n)
			if v == "" && n != "application_name" {
				continue
			}
			rows = append(rows, []types.Datum{dS(n), dS(v), null, dS("Quiver"), dS(""), null, dS("user"), dS("string"),
				dS("default"), null, null, null, null, dS(v), dS(v), null, null, dB(false)})
		}
		return rows, nil
	})

	register("pg_catalog", "pg_extension", 3079, []planner.Column{
		col("oid", types.Oid), col("extname", types.Name), col("extowner", types.Oid), col("extnamespace", types.Oid),
		col("extrelocatable", types.Bool), col("extversion", types.Text), col("extconfig", tOidA), col("extcondition", tTextA),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, e := range builtinExtensions {
			rows = append(rows, []types.Datum{dO(e.oid), dS(e.name), dO(10), dO(extensionSchemaOID(c, e)), dB(e.relocatable), dS(e.version), null, null})
		}
		return rows, nil
	})

	register("pg_catalog", "pg_available_extensions", 12081, []planner.Column{
		col("name", types.Name), col("default_version", types.Text), col("installed_version", types.Text), col("comment", types.Text),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, e := range builtinExtensions {
			rows = append(rows, []types.Datum{dS(e.name), dS(e.version), dS(e.version), dS(e.comment)})
		}
		return rows, nil
	})

	// One version per extension: Quiver has no other versions' scripts
	// (PostgreSQL also lists the older ones it can update from).
	register("pg_catalog", "pg_available_extension_versions", 12085, []planner.Column{
		col("name", types.Name), col("version", types.Text), col("installed", types.Bool), col("superuser", types.Bool),
		col("trusted", types.Bool), col("relocatable", types.Bool), col("schema", types.Name), col("requires", types.ArrayOf(types.Name)),
		col("comment", types.Text),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, e := range builtinExtensions {
			schema := types.Datum(null)
			if e.pgCatalog {
				schema = dS("pg_catalog")
			}
			rows = append(rows, []types.Datum{dS(e.name), dS(e.version), dB(true), dB(true), dB(e.trusted), dB(e.relocatable), schema, null, dS(e.comment)})
		}
		return rows, nil
	})

	register("pg_catalog", "pg_description", 2609, []planner.Column{
		col("objoid", types.Oid), col("classoid", types.Oid), col("objsubid", types.Int4), col("description", types.Text),
	}, func(c *Context) ([][]types.Datum, error) {
		rows := [][]types.Datum{
			// initdb's comment on schema public.
			{dO(nsOID(c, storage.PublicSchemaID)), dO(2615), dI(0), dS(PublicSchemaComment)},
		}
		for _, e := range builtinExtensions {
			rows = append(rows, []types.Datum{dO(e.oid), dO(oidPgExt), dI(0), dS(e.comment)})
		}
		rows = append(rows, builtinDescriptionRows()...)
		for _, v := range dbViews(c) {
			if v.Comment != "" {
				rows = append(rows, []types.Datum{dO(uint32(v.ID)), dO(oidPgClass), dI(0), dS(v.Comment)})
			}
			for i, cl := range v.Columns {
				if cl.Comment != "" {
					rows = append(rows, []types.Datum{dO(uint32(v.ID)), dO(oidPgClass), dI(int64(i + 1)), dS(cl.Comment)})
				}
			}
		}
		for _, ty := range dbTypes(c) {
			if ty.Comment != "" {
				rows = append(rows, []types.Datum{dO(uint32(ty.ID)), dO(oidPgType), dI(0), dS(ty.Comment)})
			}
		}
		for _, t := range dbTables(c) {
			if t.Comment != "" {
				rows = append(rows, []types.Datum{dO(uint32(t.ID)), dO(oidPgClass), dI(0), dS(t.Comment)})
			}
			for i := range t.Columns {
				if cl := &t.Columns[i]; cl.Comment != "" && !cl.Dropped && !cl.Hidden {
					rows = append(rows, []types.Datum{dO(uint32(t.ID)), dO(oidPgClass), dI(int64(i + 1)), dS(cl.Comment)})
				}
			}
		}
		return rows, nil
	})
	register("pg_catalog", "pg_shdescription", 2396, []planner.Column{
		col("objoid", types.Oid), col("classoid", types.Oid), col("description", types.Text),
	}, empty)

	register("pg_catalog", "pg_tables", 12013, []planner.Column{
		col("schemaname", types.Name), col("tablename", types.Name), col("tableowner", types.Name), col("tablespace", types.Name),
		col("hasindexes", types.Bool), col("hasrules", types.Bool), col("hastriggers", types.Bool), col("rowsecurity", types.Bool),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range dbTables(c) {
			rows = append(rows, []types.Datum{dS(schemaName(c, t.SchemaID)), dS(t.Name), dS(t.Owner), null,
				dB(len(tableIndexes(t)) > 0), dB(false), dB(false), dB(false)})
		}
		return rows, nil
	})
	register("pg_catalog", "pg_indexes", 12014, []planner.Column{
		col("schemaname", types.Name), col("tablename", types.Name), col("indexname", types.Name), col("tablespace", types.Name),
		col("indexdef", types.Text),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range dbTables(c) {
			for _, x := range tableIndexes(t) {
				rows = append(rows, []types.Datum{dS(schemaName(c, t.SchemaID)), dS(t.Name), dS(x.name), null, dS(indexDef(c, &x, false))})
			}
		}
		return rows, nil
	})
	register("pg_catalog", "pg_views", 12015, []planner.Column{
		col("schemaname", types.Name), col("viewname", types.Name), col("viewowner", types.Name), col("definition", types.Text),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, v := range dbViews(c) {
			rows = append(rows, []types.Datum{dS(schemaName(c, v.SchemaID)), dS(v.Name), dS(v.Owner), dS(viewDefinition(c, v))})
		}
		return rows, nil
	})
	register("pg_catalog", "pg_matviews", 12016, []planner.Column{
		col("schemaname", types.Name), col("matviewname", types.Name), col("matviewowner", types.Name), col("tablespace", types.Name),
		col("hasindexes", types.Bool), col("ispopulated", types.Bool), col("definition", types.Text),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range dbTables(c) {
			if v := t.MatviewQuery(); v != nil {
				rows = append(rows, []types.Datum{dS(schemaName(c, t.SchemaID)), dS(t.Name), dS(t.Owner), null,
					dB(len(tableIndexes(t)) > 0), dB(t.Matview.Populated), dS(viewDefinition(c, v))})
			}
		}
		return rows, nil
	})
	register("pg_catalog", "pg_sequence", 2224, []planner.Column{
		col("seqrelid", types.Oid), col("seqtypid", types.Oid), col("seqstart", types.Int8), col("seqincrement", types.Int8),
		col("seqmax", types.Int8), col("seqmin", types.Int8), col("seqcache", types.Int8), col("seqcycle", types.Bool),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, s := range dbSequences(c) {
			rows = append(rows, []types.Datum{dO(uint32(s.ID)), dO(seqType(s)), dI(s.Start), dI(s.Increment), dI(s.Max), dI(s.Min), dI(1), dB(s.Cycle)})
		}
		return rows, nil
	})
	register("pg_catalog", "pg_sequences", 12017, []planner.Column{
		col("schemaname", types.Name), col("sequencename", types.Name), col("sequenceowner", types.Name), col("data_type", types.Regtype),
		col("start_value", types.Int8), col("min_value", types.Int8), col("max_value", types.Int8), col("increment_by", types.Int8),
		col("cycle", types.Bool), col("cache_size", types.Int8), col("last_value", types.Int8),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, s := range dbSequences(c) {
			rows = append(rows, []types.Datum{dS(schemaName(c, s.SchemaID)), dS(s.Name), dS(c.DB.Owner), dO(seqType(s)), dI(s.Start),
				dI(s.Min), dI(s.Max), dI(s.Increment), dB(s.Cycle), dI(1), null})
		}
		return rows, nil
	})

	register("pg_catalog", "pg_proc", 1255, []planner.Column{
		col("oid", types.Oid), col("proname", types.Name), col("pronamespace", types.Oid), col("proowner", types.Oid),
		col("prolang", types.Oid), col("procost", tFloat4), col("prorows", tFloat4), col("provariadic", types.Oid),
		col("prosupport", tRegp), col("prokind", tChar), col("prosecdef", types.Bool), col("proleakproof", types.Bool),
		col("proisstrict", types.Bool), col("proretset", types.Bool), col("provolatile", tChar), col("proparallel", tChar),
		col("pronargs", types.Int2), col("pronargdefaults", types.Int2), col("prorettype", types.Oid), col("proargtypes", tOidv),
		col("proallargtypes", tOidA), col("proargmodes", tTextA), col("proargnames", tTextA), col("proargdefaults", tNode),
		col("protrftypes", tOidA), col("prosrc", types.Text), col("probin", types.Text), col("prosqlbody", tNode),
		col("proconfig", tTextA), col("proacl", tACL),
	}, procRowsOf)

	register("pg_catalog", "pg_collation", 3456, []planner.Column{
		col("oid", types.Oid), col("collname", types.Name), col("collnamespace", types.Oid), col("collowner", types.Oid),
		col("collprovider", tChar), col("collisdeterministic", types.Bool), col("collencoding", types.Int4),
		col("collcollate", types.Text), col("collctype", types.Text), col("colliculocale", types.Text), col("collversion", types.Text),
	}, func(c *Context) ([][]types.Datum, error) {
		return [][]types.Datum{
			{dO(oidDefColl), dS("default"), dO(nsOID(c, storage.PgCatalogSchemaID)), dO(10), dS("d"), dB(true), dI(-1), null, null, null, null},
			{dO(oidCColl), dS("C"), dO(nsOID(c, storage.PgCatalogSchemaID)), dO(10), dS("c"), dB(true), dI(-1), dS("C"), dS("C"), null, null},
			{dO(oidPosixColl), dS("POSIX"), dO(nsOID(c, storage.PgCatalogSchemaID)), dO(10), dS("c"), dB(true), dI(-1), dS("POSIX"), dS("POSIX"), null, null},
		}, nil
	})
	register("pg_catalog", "pg_tablespace", 1213, []planner.Column{
		col("oid", types.Oid), col("spcname", types.Name), col("spcowner", types.Oid), col("spcacl", tACL), col("spcoptions", tTextA),
	}, func(c *Context) ([][]types.Datum, error) {
		return [][]types.Datum{
			{dO(1663), dS("pg_default"), dO(10), null, null},
			{dO(1664), dS("pg_global"), dO(10), null, null},
		}, nil
	})
	register("pg_catalog", "pg_stat_activity", 12018, []planner.Column{
		col("datid", types.Oid), col("datname", types.Name), col("pid", types.Int4), col("leader_pid", types.Int4),
		col("usesysid", types.Oid), col("usename", types.Name), col("application_name", types.Text), col("client_addr", types.Text),
		col("client_hostname", types.Text), col("client_port", types.Int4), col("backend_start", types.TimestampTZ),
		col("xact_start", types.TimestampTZ), col("query_start", types.TimestampTZ), col("state_change", types.TimestampTZ),
		col("wait_event_type", types.Text), col("wait_event", types.Text), col("state", types.Text), col("backend_xid", tXid),
		col("backend_xmin", tXid), col("query_id", types.Int8), col("query", types.Text), col("backend_type", types.Text),
	}, func(c *Context) ([][]types.Datum, error) {
		return activityRows(c), nil
	})

	register("pg_catalog", "pg_enum", 3501, []planner.Column{
		col("oid", types.Oid), col("enumtypid", types.Oid), col("enumsortorder", tFloat4), col("enumlabel", types.Name),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, ty := range dbTypes(c) {
			for _, l := range ty.Enum.Labels {
				rows = append(rows, []types.Datum{dO(l.OID), dO(ty.Enum.OID), types.DFloat(l.Sort), dS(l.Label)})
			}
		}
		return rows, nil
	})
	register("pg_catalog", "pg_range", 3541, []planner.Column{
		col("rngtypid", types.Oid), col("rngsubtype", types.Oid), col("rngmultitypid", types.Oid), col("rngcollation", types.Oid),
		col("rngsubopc", types.Oid), col("rngcanonical", tRegp), col("rngsubdiff", tRegp),
	}, empty)
	register("pg_catalog", "pg_inherits", 2611, []planner.Column{
		col("inhrelid", types.Oid), col("inhparent", types.Oid), col("inhseqno", types.Int4), col("inhdetachpending", types.Bool),
	}, empty)
	register("pg_catalog", "pg_trigger", 2620, []planner.Column{
		col("oid", types.Oid), col("tgrelid", types.Oid), col("tgparentid", types.Oid), col("tgname", types.Name), col("tgfoid", types.Oid),
		col("tgtype", types.Int2), col("tgenabled", tChar), col("tgisinternal", types.Bool), col("tgconstrrelid", types.Oid),
		col("tgconstrindid", types.Oid), col("tgconstraint", types.Oid), col("tgdeferrable", types.Bool), col("tginitdeferred", types.Bool),
		col("tgnargs", types.Int2), col("tgattr", tInt2v), col("tgargs", types.Bytea), col("tgqual", tNode),
		col("tgoldtable", types.Name), col("tgnewtable", types.Name),
	}, empty)
	register("pg_catalog", "pg_rewrite", oidPgRewrite, []planner.Column{
		col("oid", types.Oid), col("rulename", types.Name), col("ev_class", types.Oid), col("ev_type", tChar), col("ev_enabled", tChar),
		col("is_instead", types.Bool), col("ev_qual", tNode), col("ev_action", tNode),
	}, func(c *Context) ([][]types.Datum, error) {
		// A view is a relation with an ON SELECT DO INSTEAD rule named
		// _RETURN. Quiver has no rule trees to show: ev_qual and
		// ev_action are NULL.
		var rows [][]types.Datum
		for _, v := range dbViewQueries(c) {
			rows = append(rows, []types.Datum{dO(uint32(v.RuleOID)), dS("_RETURN"), dO(uint32(v.ID)), dS("1"), dS("O"), dB(true), null, null})
		}
		return rows, nil
	})
	register("pg_catalog", "pg_policy", 3256, []planner.Column{
		col("oid", types.Oid), col("polname", types.Name), col("polrelid", types.Oid), col("polcmd", tChar), col("polpermissive", types.Bool),
		col("polroles", tOidA), col("polqual", tNode), col("polwithcheck", tNode),
	}, empty)
	register("pg_catalog", "pg_publication", 6104, []planner.Column{
		col("oid", types.Oid), col("pubname", types.Name), col("pubowner", types.Oid), col("puballtables", types.Bool),
		col("pubinsert", types.Bool), col("pubupdate", types.Bool), col("pubdelete", types.Bool), col("pubtruncate", types.Bool),
		col("pubviaroot", types.Bool),
	}, empty)
	register("pg_catalog", "pg_publication_rel", 6106, []planner.Column{
		col("oid", types.Oid), col("prpubid", types.Oid), col("prrelid", types.Oid), col("prqual", tNode), col("prattrs", tInt2v),
	}, empty)
	register("pg_catalog", "pg_publication_namespace", 6237, []planner.Column{
		col("oid", types.Oid), col("pnpubid", types.Oid), col("pnnspid", types.Oid),
	}, empty)
	register("pg_catalog", "pg_statistic_ext", 3381, []planner.Column{
		col("oid", types.Oid), col("stxrelid", types.Oid), col("stxname", types.Name), col("stxnamespace", types.Oid),
		col("stxowner", types.Oid), col("stxstattarget", types.Int4), col("stxkeys", tInt2v), col("stxkind", tTextA), col("stxexprs", tNode),
	}, empty)
	register("pg_catalog", "pg_foreign_table", 3118, []planner.Column{
		col("ftrelid", types.Oid), col("ftserver", types.Oid), col("ftoptions", tTextA),
	}, empty)
	register("pg_catalog", "pg_partitioned_table", 3350, []planner.Column{
		col("partrelid", types.Oid), col("partstrat", tChar), col("partnatts", types.Int2), col("partdefid", types.Oid),
		col("partattrs", tInt2v), col("partclass", tOidv), col("partcollation", tOidv), col("partexprs", tNode),
	}, empty)
	register("pg_catalog", "pg_operator", 2617, []planner.Column{
		col("oid", types.Oid), col("oprname", types.Name), col("oprnamespace", types.Oid), col("oprowner", types.Oid),
		col("oprkind", tChar), col("oprcanmerge", types.Bool), col("oprcanhash", types.Bool), col("oprleft", types.Oid),
		col("oprright", types.Oid), col("oprresult", types.Oid), col("oprcom", types.Oid), col("oprnegate", types.Oid),
		col("oprcode", types.Regproc), col("oprrest", types.Regproc), col("oprjoin", types.Regproc),
	}, operatorRowsOf)
	register("pg_catalog", "pg_cast", 2605, []planner.Column{
		col("oid", types.Oid), col("castsource", types.Oid), col("casttarget", types.Oid), col("castfunc", types.Oid),
		col("castcontext", tChar), col("castmethod", tChar),
	}, castRowsOf)
	register("pg_catalog", "pg_language", 2612, []planner.Column{
		col("oid", types.Oid), col("lanname", types.Name), col("lanowner", types.Oid), col("lanispl", types.Bool),
		col("lanpltrusted", types.Bool), col("lanplcallfoid", types.Oid), col("laninline", types.Oid), col("lanvalidator", types.Oid),
		col("lanacl", tACL),
	}, func(c *Context) ([][]types.Datum, error) {
		return [][]types.Datum{
			{dO(12), dS("internal"), dO(10), dB(false), dB(false), dO(0), dO(0), dO(0), null},
			{dO(13), dS("c"), dO(10), dB(false), dB(false), dO(0), dO(0), dO(0), null},
			{dO(14), dS("sql"), dO(10), dB(false), dB(true), dO(0), dO(0), dO(0), null},
			{dO(oidPlpgsql + 1), dS("plpgsql"), dO(10), dB(true), dB(true), dO(0), dO(0), dO(0), null},
		}, nil
	})
	// Relations for objects Quiver does not have: present so psql's \des,
	// \dy, \dc, \dF and drivers' queries run, always empty.
	register("pg_catalog", "pg_foreign_server", 1417, []planner.Column{
		col("oid", types.Oid), col("srvname", types.Name), col("srvowner", types.Oid), col("srvfdw", types.Oid),
		col("srvtype", types.Text), col("srvversion", types.Text), col("srvacl", tACL), col("srvoptions", tTextA),
	}, empty)
	register("pg_catalog", "pg_foreign_data_wrapper", 2328, []planner.Column{
		col("oid", types.Oid), col("fdwname", types.Name), col("fdwowner", types.Oid), col("fdwhandler", types.Oid),
		col("fdwvalidator", types.Oid), col("fdwacl", tACL), col("fdwoptions", tTextA),
	}, empty)
	register("pg_catalog", "pg_user_mapping", 1418, []planner.Column{
		col("oid", types.Oid), col("umuser", types.Oid), col("umserver", types.Oid), col("umoptions", tTextA),
	}, empty)
	register("pg_catalog", "pg_event_trigger", 3466, []planner.Column{
		col("oid", types.Oid), col("evtname", types.Name), col("evtevent", types.Name), col("evtowner", types.Oid),
		col("evtfoid", types.Oid), col("evtenabled", tChar), col("evttags", tTextA),
	}, empty)
	register("pg_catalog", "pg_conversion", 2607, []planner.Column{
		col("oid", types.Oid), col("conname", types.Name), col("connamespace", types.Oid), col("conowner", types.Oid),
		col("conforencoding", types.Int4), col("contoencoding", types.Int4), col("conproc", tRegp), col("condefault", types.Bool),
	}, empty)
	register("pg_catalog", "pg_default_acl", 826, []planner.Column{
		col("oid", types.Oid), col("defaclrole", types.Oid), col("defaclnamespace", types.Oid), col("defaclobjtype", tChar),
		col("defaclacl", tACL),
	}, empty)
	register("pg_catalog", "pg_opfamily", 2753, []planner.Column{
		col("oid", types.Oid), col("opfmethod", types.Oid), col("opfname", types.Name), col("opfnamespace", types.Oid),
		col("opfowner", types.Oid),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, o := range opclasses {
			ns := nsOID(c, storage.PgCatalogSchemaID)
			if o.am == oidHnswAM {
				ns = nsOID(c, storage.PublicSchemaID)
			}
			rows = append(rows, []types.Datum{dO(o.oid), dO(o.am), dS(o.name), dO(ns), dO(10)})
		}
		return rows, nil
	})
	register("pg_catalog", "pg_aggregate", 2600, []planner.Column{
		col("aggfnoid", tRegp), col("aggkind", tChar), col("aggnumdirectargs", types.Int2), col("aggtransfn", tRegp),
		col("aggfinalfn", tRegp), col("aggtranstype", types.Oid), col("agginitval", types.Text),
	}, empty)
	register("pg_catalog", "pg_largeobject_metadata", 2995, []planner.Column{
		col("oid", types.Oid), col("lomowner", types.Oid), col("lomacl", tACL),
	}, empty)
	register("pg_catalog", "pg_ts_config", 3602, []planner.Column{
		col("oid", types.Oid), col("cfgname", types.Name), col("cfgnamespace", types.Oid), col("cfgowner", types.Oid),
		col("cfgparser", types.Oid),
	}, empty)
	// Operator-family members are not modelled yet: no rows, rather than
	// rows that might contradict how the executor picks operators.
	register("pg_catalog", "pg_amop", 2602, []planner.Column{
		col("oid", types.Oid), col("amopfamily", types.Oid), col("amoplefttype", types.Oid), col("amoprighttype", types.Oid),
		col("amopstrategy", types.Int2), col("amoppurpose", tChar), col("amopopr", types.Oid), col("amopmethod", types.Oid),
		col("amopsortfamily", types.Oid),
	}, empty)
	register("pg_catalog", "pg_amproc", 2603, []planner.Column{
		col("oid", types.Oid), col("amprocfamily", types.Oid), col("amproclefttype", types.Oid), col("amprocrighttype", types.Oid),
		col("amprocnum", types.Int2), col("amproc", types.Regproc),
	}, empty)
	register("pg_catalog", "pg_ts_config_map", 3603, []planner.Column{
		col("mapcfg", types.Oid), col("maptokentype", types.Int4), col("mapseqno", types.Int4), col("mapdict", types.Oid),
	}, empty)
	register("pg_catalog", "pg_ts_parser", 3601, []planner.Column{
		col("oid", types.Oid), col("prsname", types.Name), col("prsnamespace", types.Oid), col("prsstart", types.Regproc),
		col("prstoken", types.Regproc), col("prsend", types.Regproc), col("prsheadline", types.Regproc), col("prslextype", types.Regproc),
	}, empty)
	register("pg_catalog", "pg_ts_dict", 3600, []planner.Column{
		col("oid", types.Oid), col("dictname", types.Name), col("dictnamespace", types.Oid), col("dictowner", types.Oid),
		col("dicttemplate", types.Oid), col("dictinitoption", types.Text),
	}, empty)
	register("pg_catalog", "pg_ts_template", 3764, []planner.Column{
		col("oid", types.Oid), col("tmplname", types.Name), col("tmplnamespace", types.Oid), col("tmplinit", types.Regproc),
		col("tmpllexize", types.Regproc),
	}, empty)
	// Quiver has no label providers, so no object has a security label.
	register("pg_catalog", "pg_seclabel", 3596, []planner.Column{
		col("objoid", types.Oid), col("classoid", types.Oid), col("objsubid", types.Int4), col("provider", types.Text),
		col("label", types.Text),
	}, empty)
	// Quiver grants no privileges on parameters.
	register("pg_catalog", "pg_parameter_acl", 6243, []planner.Column{
		col("oid", types.Oid), col("parname", types.Text), col("paracl", tACL),
	}, empty)
	register("pg_catalog", "pg_seclabels", 12180, []planner.Column{
		col("objoid", types.Oid), col("classoid", types.Oid), col("objsubid", types.Int4), col("objtype", types.Text),
		col("objnamespace", types.Oid), col("objname", types.Text), col("provider", types.Text), col("label", types.Text),
	}, empty)
	register("pg_catalog", "pg_shseclabel", 3592, []planner.Column{
		col("objoid", types.Oid), col("classoid", types.Oid), col("provider", types.Text), col("label", types.Text),
	}, empty)
	register("pg_catalog", "pg_shdepend", 1214, []planner.Column{
		col("dbid", types.Oid), col("classid", types.Oid), col("objid", types.Oid), col("objsubid", types.Int4),
		col("refclassid", types.Oid), col("refobjid", types.Oid), col("deptype", tChar),
	}, empty)
	register("pg_catalog", "pg_stat_user_tables", 12019, []planner.Column{
		col("relid", types.Oid), col("schemaname", types.Name), col("relname", types.Name), col("seq_scan", types.Int8),
		col("seq_tup_read", types.Int8), col("idx_scan", types.Int8), col("idx_tup_fetch", types.Int8), col("n_tup_ins", types.Int8),
		col("n_tup_upd", types.Int8), col("n_tup_del", types.Int8), col("n_live_tup", types.Int8), col("n_dead_tup", types.Int8),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range dbTables(c) {
			rows = append(rows, []types.Datum{dO(uint32(t.ID)), dS(schemaName(c, t.SchemaID)), dS(t.Name), dI(0), dI(0), dI(0), dI(0),
				dI(0), dI(0), dI(0), dI(0), dI(0)})
		}
		return rows, nil
	})
	register("pg_catalog", "pg_db_role_setting", 2964, []planner.Column{
		col("setdatabase", types.Oid), col("setrole", types.Oid), col("setconfig", tTextA),
	}, empty)
	register("pg_catalog", "pg_subscription", 6100, []planner.Column{
		col("oid", types.Oid), col("subdbid", types.Oid), col("subname", types.Name), col("subowner", types.Oid),
		col("subenabled", types.Bool), col("subbinary", types.Bool), col("substream", types.Bool), col("subtwophasestate", tChar),
		col("subdisableonerr", types.Bool), col("subconninfo", types.Text), col("subslotname", types.Name),
		col("subsynccommit", types.Text), col("subpublications", tTextA),
	}, empty)
	register("pg_catalog", "pg_user_mappings", 12020, []planner.Column{
		col("umid", types.Oid), col("srvid", types.Oid), col("srvname", types.Name), col("umuser", types.Oid),
		col("usename", types.Name), col("umoptions", tTextA),
	}, empty)
	register("pg_catalog", "pg_depend", 2608, []planner.Column{
		col("classid", types.Oid), col("objid", types.Oid), col("objsubid", types.Int4), col("refclassid", types.Oid),
		col("refobjid", types.Oid), col("refobjsubid", types.Int4), col("deptype", tChar),
	}, func(c *Context) ([][]types.Datum, error) {
		// Serial sequences depend on their column ('a'), as
		// pg_get_serial_sequence and \d's "Owned by" read them; an
		// identity column's sequence is part of the column ('i'), which
		// tells pg_dump to recreate it with the column, not on its own.
		rows := extensionDependRows()
		for _, s := range dbSequences(c) {
			if s.OwnedByTable != 0 {
				dep := "a"
				if t := c.Cat.Tables[s.OwnedByTable]; t != nil && s.OwnedByColumn < len(t.Columns) && t.Columns[s.OwnedByColumn].Identity != "" {
					dep = "i"
				}
				rows = append(rows, []types.Datum{dO(oidPgClass), dO(uint32(s.ID)), dI(0), dO(oidPgClass), dO(uint32(s.OwnedByTable)),
					dI(int64(s.OwnedByColumn + 1)), dS(dep)})
			}
		}
		// A view's _RETURN rule is part of the view ('i') and depends on
		// what the query reads ('n'); PostgreSQL records the columns
		// read, Quiver the relation as a whole.
		for _, v := range dbViewQueries(c) {
			rule := uint32(v.RuleOID)
			rows = append(rows, []types.Datum{dO(oidPgRewrite), dO(rule), dI(0), dO(oidPgClass), dO(uint32(v.ID)), dI(0), dS("i")})
			for _, d := range v.DependsOn {
				rows = append(rows, []types.Datum{dO(oidPgRewrite), dO(rule), dI(0), dO(oidPgClass), dO(uint32(d)), dI(0), dS("n")})
			}
		}
		// A default calling nextval depends on its sequence ('n'), as
		// PostgreSQL records for the regclass constant.
		for _, t := range dbTables(c) {
			for i := range t.Columns {
				cl := &t.Columns[i]
				if cl.Default == "" || cl.Identity != "" || cl.Dropped {
					continue
				}
				for _, seq := range defaultSequences(c, cl.Default) {
					rows = append(rows, []types.Datum{dO(oidPgAttrdef), dO(uint32(t.ID)<<10 | uint32(i+1)), dI(0), dO(oidPgClass),
						dO(uint32(seq.ID)), dI(0), dS("n")})
				}
			}
		}
		return rows, nil
	})
}

// opclass is one pg_opclass row.
type opclass struct {
	oid  uint32
	am   uint32
	name string
	typ  uint32
	def  bool
}

var opclasses = []opclass{
	{424, oidBtreeAM, "bool_ops", types.OidBool, true},
	{428, oidBtreeAM, "bytea_ops", types.OidBytea, true},
	{426, oidBtreeAM, "bpchar_ops", types.OidBpchar, true},
	{1970, oidBtreeAM, "float4_ops", types.OidFloat4, true},
	{1971, oidBtreeAM, "float8_ops", types.OidFloat8, true},
	{1978, oidBtreeAM, "int4_ops", types.OidInt4, true},
	{1979, oidBtreeAM, "int2_ops", types.OidInt2, true},
	{1980, oidBtreeAM, "int8_ops", types.OidInt8, true},
	{1986, oidBtreeAM, "name_ops", types.OidName, true},
	{1988, oidBtreeAM, "numeric_ops", types.OidNumeric, true},
	{1989, oidBtreeAM, "oid_ops", types.OidOid, true},
	{3126, oidBtreeAM, "text_ops", types.OidText, true},
	{3122, oidBtreeAM, "date_ops", types.OidDate, true},
	{3127, oidBtreeAM, "timestamptz_ops", types.OidTimestampTZ, true},
	{3128, oidBtreeAM, "timestamp_ops", types.OidTimestamp, true},
	{3125, oidBtreeAM, "interval_ops", types.OidInterval, true},
	{2968, oidBtreeAM, "uuid_ops", types.OidUUID, true},
	{4033, oidBtreeAM, "jsonb_ops", types.OidJSONB, true},
	{16390, oidBtreeAM, "vector_ops", types.OidVector, true},
	{16391, oidHnswAM, "vector_l2_ops", types.OidVector, false},
	{16392, oidHnswAM, "vector_ip_ops", types.OidVector, false},
	{16393, oidHnswAM, "vector_cosine_ops", types.OidVector, false},
	{16394, oidHnswAM, "vector_l1_ops", types.OidVector, false},
	{16397, oidBtreeAM, "halfvec_ops", types.OidHalfvec, true},
	{16400, oidBtreeAM, "sparsevec_ops", types.OidSparsevec, true},
	{10002, oidBtreeAM, "bit_ops", types.OidBit, true},
	{10043, oidBtreeAM, "varbit_ops", types.OidVarbit, true},
	{16401, oidHnswAM, "bit_hamming_ops", types.OidBit, false},
	{16402, oidHnswAM, "bit_jaccard_ops", types.OidBit, false},
}

func opclassOID(name string) uint32 {
	for _, o := range opclasses {
		if o.name == name {
			return o.oid
		}
	}
	return 0
}

func seqType(s *catalog.Sequence) uint32 {
	if s.TypeOID != 0 {
		return s.TypeOID
	}
	return types.OidInt8
}

// validUntil is rolvaliduntil: NULL when the role has no VALID UNTIL.
func validUntil(r *catalog.Role) types.Datum {
	if r.ValidUntil == nil {
		return types.Null
	}
	return types.DTimestampTZ(*r.ValidUntil)
}

// sortedRoles lists the catalog's roles plus pg_database_owner, the
// predefined role PostgreSQL 15 makes public's owner: Quiver reports it as
// nspowner, so clients that map owner OIDs to names (pg_dump) must find it.
func sortedRoles(c *Context) []*catalog.Role {
	out := []*catalog.Role{{ID: oidDatabaseOwner, Name: "pg_database_owner"}}
	for _, r := range c.Cat.Roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func sortedRegistry() []string {
	names := make([]string, 0, len(registry))
	for k := range registry {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
