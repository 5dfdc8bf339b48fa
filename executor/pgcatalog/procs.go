package pgcatalog

import (
	"sort"
	"strings"

	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// OIDs of pseudo-types pg_proc refers to besides the polymorphic ones.
const (
	oidCstring  = 2275
	oidInternal = 2281
)

// isPgvectorType reports pgvector's types, vector, halfvec and sparsevec:
// the objects involving them belong to extension vector and live in
// schema public.
func isPgvectorType(oid uint32) bool {
	return oid == types.OidVector || oid == types.OidHalfvec || oid == types.OidSparsevec
}

// pgvectorOverBit names pgvector's functions and operators over bit, a
// type of PostgreSQL's own: they belong to extension vector too.
var pgvectorOverBit = map[string]bool{"hamming_distance": true, "jaccard_distance": true, "<~>": true, "<%>": true}

// isPgvectorOperator reports the operators of extension vector.
func isPgvectorOperator(name string, left, right uint32) bool {
	return isPgvectorType(left) || isPgvectorType(right) || pgvectorOverBit[name]
}

// procEntry is one pg_proc row: a built-in from the registry, a type's
// I/O function, or a cast function.
type procEntry struct {
	oid  uint32
	name string
	// ext is the extension the function belongs to; extensions' objects
	// live in schema public.
	ext      string
	kind     string
	args     []uint32
	variadic uint32
	ret      uint32
	retset   bool
	strict   bool
	volatile bool
	argNames []string
	defaults int
	out      []builtins.Column
	src      string
}

// vectorExt is procEntry.ext of an object that is pgvector's or not.
func vectorExt(pgvector bool) string {
	if pgvector {
		return "vector"
	}
	return ""
}

// procTable is pg_proc's content, built once from the registry and the
// type and cast tables; read-only afterwards.
var procTable = func() []procEntry {
	var rows []procEntry
	have := map[string]bool{}
	for _, r := range builtins.ProcRows() {
		e := procEntry{oid: r.OID, name: r.Name, kind: string(r.Kind), args: r.ArgTypes, variadic: r.VariadicOID, ret: r.RetOID,
			retset: r.RetSet, strict: r.Strict, volatile: r.Volatile, argNames: r.ArgNames, defaults: r.Defaults, out: r.Out, src: r.Src}
		vector := isPgvectorType(e.ret) || pgvectorOverBit[e.name]
		for _, a := range e.args {
			vector = vector || isPgvectorType(a)
		}
		e.ext = r.Extension
		if vector {
			e.ext = "vector"
		}
		// citext's overloads of the string functions and its min/max
		// belong to extension citext, as its script creates them.
		for _, a := range append([]uint32{e.ret}, e.args...) {
			if a == types.OidCitext && e.ext == "" {
				e.ext = "citext"
			}
		}
		rows = append(rows, e)
		have[r.Name] = true
	}
	// The I/O functions pg_type.typinput etc. name (regproc values JDBC
	// compares with 'array_in'::regproc) are pg_proc rows too.
	for _, t := range typeRows() {
		ret := t.oid
		if t.io == "array" {
			ret = builtins.OidAnyArray
		}
		for _, f := range []struct {
			suffix string
			args   []uint32
			ret    uint32
		}{{"_in", []uint32{oidCstring}, ret}, {"_out", []uint32{ret}, oidCstring}, {"_recv", []uint32{oidInternal}, ret}, {"_send", []uint32{ret}, types.OidBytea}} {
			name := ioProc(t.io, f.suffix)
			if have[name] {
				continue
			}
			have[name] = true
			ext := vectorExt(isPgvectorType(t.oid))
			if t.oid == types.OidCitext {
				ext = "citext"
			}
			rows = append(rows, procEntry{oid: types.RegprocOID(name), name: name, ext: ext, kind: "f",
				args: f.args, ret: f.ret, strict: true})
		}
	}
	haveOID := map[uint32]bool{}
	for _, r := range rows {
		haveOID[r.oid] = true
	}
	for _, c := range castTable {
		// One function may serve several casts (PostgreSQL's oid(int8)).
		if c.fn == "" || haveOID[c.fnOID()] {
			continue
		}
		haveOID[c.fnOID()] = true
		rows = append(rows, procEntry{oid: c.fnOID(), name: c.fn,
			ext:  vectorExt(isPgvectorType(c.source) || isPgvectorType(c.target)),
			kind: "f", args: []uint32{c.source}, ret: c.target, strict: true})
	}
	return rows
}()

// procNameByOID is regprocout's table over pg_proc.
var procNameByOID = func() map[uint32]string {
	m := make(map[uint32]string, len(procTable))
	for _, p := range procTable {
		m[p.oid] = p.name
	}
	return m
}()

// procOIDFor is the pg_proc OID of the function name(args); a name with
// no overload of exactly those arguments yields its only overload, or 0.
func procOIDFor(name string, args []uint32) uint32 {
	var only uint32
	n := 0
	for _, p := range procTable {
		if p.name != name {
			continue
		}
		if len(p.args) == len(args) {
			same := true
			for i := range args {
				same = same && p.args[i] == args[i]
			}
			if same {
				return p.oid
			}
		}
		only = p.oid
		n++
	}
	if n == 1 {
		return only
	}
	return 0
}

func procRowsOf(c *Context) ([][]types.Datum, error) {
	pgcat, public := dO(nsOID(c, storage.PgCatalogSchemaID)), dO(nsOID(c, storage.PublicSchemaID))
	rows := make([][]types.Datum, 0, len(procTable))
	for _, p := range procTable {
		ns := pgcat
		if p.ext != "" {
			ns = public
		}
		vol := "i"
		if p.volatile {
			vol = "v"
		}
		rowsEst := 0.0
		if p.retset {
			rowsEst = 1000
		}
		allArgs, modes, names := null, null, null
		if len(p.out) > 0 || p.variadic != 0 {
			all := append([]uint32(nil), p.args...)
			m := &types.DArray{Elem: types.Text}
			for i := range p.args {
				mode := "i"
				if p.variadic != 0 && i == len(p.args)-1 {
					mode = "v"
				}
				m.Elems = append(m.Elems, dS(mode))
			}
			for _, o := range p.out {
				all = append(all, o.Type.OID())
				m.Elems = append(m.Elems, dS("o"))
			}
			if len(p.out) > 0 {
				allArgs = oidArray(all)
			}
			modes = m
		}
		if len(p.argNames) > 0 || len(p.out) > 0 {
			n := &types.DArray{Elem: types.Text}
			for i := range p.args {
				name := ""
				if i < len(p.argNames) {
					name = p.argNames[i]
				}
				n.Elems = append(n.Elems, dS(name))
			}
			for _, o := range p.out {
				n.Elems = append(n.Elems, dS(o.Name))
			}
			names = n
		}
		src := p.src
		if sym, ok := pgcryptoSymbols[p.name]; ok && p.ext == "pgcrypto" {
			src = sym
			if p.name == "gen_salt" && len(p.args) == 2 {
				src = "pg_gen_salt_rounds"
			}
		}
		if src == "" {
			src = p.name
			if p.kind == "f" && len(p.args) > 0 {
				// pgvector's C symbols for halfvec's and sparsevec's
				// overloads carry the type's prefix (halfvec_l2_distance),
				// as \df+ shows.
				for _, t := range []*types.T{types.Halfvec, types.Sparsevec} {
					if p.args[0] == t.OID() && !strings.HasPrefix(src, t.String()) {
						src = t.String() + "_" + src
					}
				}
			}
		}
		lang := uint32(12) // internal
		if p.ext != "" {
			lang = 13 // extensions' functions are LANGUAGE C
		}
		rows = append(rows, []types.Datum{dO(p.oid), dS(p.name), ns, dO(10), dO(lang), dF(1), dF(rowsEst), dO(p.variadic),
			dS("-"), dS(p.kind), dB(false), dB(false), dB(p.strict), dB(p.retset), dS(vol), dS("s"),
			dI(int64(len(p.args))), dI(int64(p.defaults)), dO(p.ret), oidArray(p.args), allArgs, modes, names, null,
			null, dS(src), null, null, null, null})
	}
	return rows, nil
}

// operatorRowsOf is pg_operator. An operator's OID is derived from its
// name and operand types, as pg_proc's are.
func operatorRowsOf(c *Context) ([][]types.Datum, error) {
	pgcat, public := dO(nsOID(c, storage.PgCatalogSchemaID)), dO(nsOID(c, storage.PublicSchemaID))
	var rows [][]types.Datum
	for _, op := range builtins.Operators() {
		var left uint32
		kind := "l"
		if !op.Prefix {
			left, kind = builtins.ParamOID(op.Left), "b"
		}
		right := builtins.ParamOID(op.Right)
		ret := uint32(builtins.OidAnyElement)
		if op.Return != nil {
			ret = builtins.ParamOID(op.Return)
		} else if left == builtins.OidAnyArray || right == builtins.OidAnyArray {
			ret = builtins.OidAnyArray // array || element and the like
		}
		ns := pgcat
		if isPgvectorOperator(op.Name, left, right) {
			ns = public
		}
		var code uint32
		if op.Func != "" {
			args := []uint32{right}
			if !op.Prefix {
				args = []uint32{left, right}
			}
			code = procOIDFor(op.Func, args)
		}
		oid := operatorOID(op.Name, left, right)
		rows = append(rows, []types.Datum{dO(oid), dS(op.Name), ns, dO(10), dS(kind), dB(false), dB(false), dO(left), dO(right),
			dO(ret), dO(0), dO(0), dO(code), dO(0), dO(0)})
	}
	return rows, nil
}

// operatorOID is an operator's pg_operator OID, derived from its name and
// operand types (left is 0 for a prefix operator).
func operatorOID(name string, left, right uint32) uint32 {
	if oid, ok := builtins.PGOperatorOID(name, left, right); ok {
		return oid
	}
	return types.RegprocOID("operator " + name + "(" + formatOIDs([]uint32{left, right}) + ")")
}

// castEntry is one pg_cast row.
type castEntry struct {
	source, target uint32
	context        string // i, a, e
	method         string // f, b
	fn             string // the cast function's name for method f
}

func (c castEntry) sig() string { return formatOIDs([]uint32{c.source, c.target}) }

func (c castEntry) oid() uint32 {
	if oid, _, _, ok := builtins.PGCast(c.source, c.target); ok {
		return oid
	}
	if oid, ok := quiverCastOIDs[c.sig()]; ok {
		return oid
	}
	return types.RegprocOID("cast(" + c.sig() + ")")
}

// firstQuiverCastOID starts the OIDs of the built-in casts PostgreSQL
// lacks: below 16384 (FirstNormalObjectId), where pg_dump takes objects
// for the system's own and leaves them out of a dump, yet above the
// OIDs initdb hands out.
const firstQuiverCastOID = 16000

// quiverCastOIDs numbers the built-in casts PostgreSQL lacks (pgvector's
// keep their own OIDs: they belong to extension vector) in castTable's
// fixed order. Read-only after init.
var quiverCastOIDs = func() map[string]uint32 {
	m := map[string]uint32{}
	for _, c := range castTable {
		if _, _, _, ok := builtins.PGCast(c.source, c.target); ok || isPgvectorType(c.source) || isPgvectorType(c.target) {
			continue
		}
		m[c.sig()] = firstQuiverCastOID + uint32(len(m))
	}
	return m
}()

// fnOID is the cast function's OID: PostgreSQL's when its cast has a
// function of the same name.
func (c castEntry) fnOID() uint32 {
	if _, fn, name, ok := builtins.PGCast(c.source, c.target); ok && fn != 0 && name == c.fn {
		return fn
	}
	return types.RegprocOID("cast " + c.fn + "(" + c.sig() + ")")
}

func formatOIDs(oids []uint32) string {
	b := make([]byte, 0, 16)
	for i, o := range oids {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendUint(b, o)
	}
	return string(b)
}

func appendUint(b []byte, v uint32) []byte {
	if v >= 10 {
		b = appendUint(b, v/10)
	}
	return append(b, byte('0'+v%10))
}

// castTable derives pg_cast from the type system's cast rules between the
// built-in base types. Conversions through text I/O, which PostgreSQL
// does without pg_cast rows, are left out.
var castTable = func() []castEntry {
	isString := func(f types.Family) bool {
		return f == types.FamText || f == types.FamVarchar || f == types.FamChar || f == types.FamName || f == types.FamCitext
	}
	isOid := func(f types.Family) bool {
		switch f {
		case types.FamOid, types.FamRegclass, types.FamRegtype, types.FamRegproc, types.FamRegnamespace, types.FamRegrole:
			return true
		}
		return false
	}
	var out []castEntry
	for _, from := range builtinTypes {
		for _, to := range builtinTypes {
			f, g := from.Family, to.Family
			if f == g || from.OID() == to.OID() || f == types.FamUnknown || g == types.FamUnknown ||
				f == types.FamRecord || g == types.FamRecord || f == types.FamVoid || g == types.FamVoid {
				continue
			}
			if isString(f) != isString(g) && !(isString(f) && g == types.FamRegclass) {
				continue
			}
			if isPgvectorType(from.OID()) && isPgvectorType(to.OID()) {
				continue // pgvector's own casts, with its function names, follow
			}
			if f == types.FamCitext && (g == types.FamName || g == types.FamRegclass) || f == types.FamName && g == types.FamCitext {
				continue // extension citext declares no cast with name or regclass
			}
			var ctx string
			switch {
			case types.CanCast(from, to, types.CastImplicit):
				ctx = "i"
			case types.CanCast(from, to, types.CastAssignment):
				ctx = "a"
			case types.CanCast(from, to, types.CastExplicit):
				ctx = "e"
			default:
				continue
			}
			e := castEntry{source: from.OID(), target: to.OID(), context: ctx, method: "f", fn: to.TypeName()}
			if isOid(g) {
				// Integers become reg* values through oid(int8) or,
				// from smallint, int4(int2).
				e.fn = "oid"
				if f == types.FamInt2 {
					e.fn = "int4"
				}
			} else if isOid(f) && g == types.FamInt8 {
				e.fn = "int8"
			}
			isBit := func(f types.Family) bool { return f == types.FamBit || f == types.FamVarbit }
			if (isOid(f) && isOid(g)) || (isString(f) && isString(g) && f != types.FamName && g != types.FamName) ||
				(f == types.FamInt4 && isOid(g)) || (isOid(f) && g == types.FamInt4) || (isBit(f) && isBit(g)) {
				// Same representation: oid and the reg* types are
				// unsigned 4-byte integers; bit and varbit share theirs.
				e.method, e.fn = "b", ""
			}
			out = append(out, e)
		}
	}
	// boolean to the string types is a cast of its own in PostgreSQL,
	// through text(boolean).
	for _, s := range []uint32{types.OidBpchar, types.OidVarchar, types.OidText} {
		out = append(out, castEntry{source: types.OidBool, target: s, context: "a", method: "f", fn: "text"})
	}
	// pgvector's casts: arrays to each of its types on assignment, and
	// those between its types. The typmod casts (sparsevec to sparsevec
	// and the like) are implicit in Quiver's casts rather than rows.
	for _, t := range []struct {
		oid uint32
		fn  string
	}{{types.OidVector, "array_to_vector"}, {types.OidHalfvec, "array_to_halfvec"}, {types.OidSparsevec, "array_to_sparsevec"}} {
		for _, a := range []*types.T{types.Int4, types.Float4, types.Float8, types.Numeric} {
			out = append(out, castEntry{source: types.ArrayOf(a).OID(), target: t.oid, context: "a", method: "f", fn: t.fn})
		}
	}
	out = append(out,
		castEntry{source: types.OidVector, target: types.ArrayOf(types.Float4).OID(), context: "i", method: "f", fn: "vector_to_float4"},
		castEntry{source: types.OidHalfvec, target: types.ArrayOf(types.Float4).OID(), context: "a", method: "f", fn: "halfvec_to_float4"},
		castEntry{source: types.OidHalfvec, target: types.OidVector, context: "a", method: "f", fn: "halfvec_to_vector"},
		castEntry{source: types.OidVector, target: types.OidHalfvec, context: "i", method: "f", fn: "vector_to_halfvec"},
		castEntry{source: types.OidSparsevec, target: types.OidVector, context: "a", method: "f", fn: "sparsevec_to_vector"},
		castEntry{source: types.OidVector, target: types.OidSparsevec, context: "i", method: "f", fn: "vector_to_sparsevec"},
		castEntry{source: types.OidSparsevec, target: types.OidHalfvec, context: "a", method: "f", fn: "sparsevec_to_halfvec"},
		castEntry{source: types.OidHalfvec, target: types.OidSparsevec, context: "i", method: "f", fn: "halfvec_to_sparsevec"})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].source != out[j].source {
			return out[i].source < out[j].source
		}
		return out[i].target < out[j].target
	})
	return out
}()

func castRowsOf(c *Context) ([][]types.Datum, error) {
	rows := make([][]types.Datum, 0, len(castTable))
	for _, e := range castTable {
		var fn uint32
		if e.fn != "" {
			fn = e.fnOID()
		}
		oid := e.oid()
		rows = append(rows, []types.Datum{dO(oid), dO(e.source), dO(e.target), dO(fn), dS(e.context), dS(e.method)})
	}
	return rows, nil
}

// pgcryptoSymbols are pgcrypto's C symbols (prosrc) where they are not
// the function's name.
var pgcryptoSymbols = map[string]string{
	"crypt": "pg_crypt", "digest": "pg_digest", "gen_random_bytes": "pg_random_bytes", "gen_salt": "pg_gen_salt", "hmac": "pg_hmac",
}

// procPublic marks the pg_proc rows in schema public (extensions').
var procPublic = func() map[uint32]bool {
	m := map[uint32]bool{}
	for _, p := range procTable {
		if p.ext != "" {
			m[p.oid] = true
		}
	}
	return m
}()

// ProcRowByOID describes the pg_proc row with OID oid as the builtins
// package formats signatures (pg_get_function_arguments and _result).
func ProcRowByOID(oid uint32) (*builtins.ProcRow, bool) {
	for _, p := range procTable {
		if p.oid == oid {
			r := &builtins.ProcRow{OID: p.oid, ArgTypes: p.args, VariadicOID: p.variadic, RetOID: p.ret}
			r.Name, r.RetSet, r.Out, r.ArgNames, r.Defaults = p.name, p.retset, p.out, p.argNames, p.defaults
			return r, true
		}
	}
	return nil, false
}

// IndexOIDByName finds table t's index (its primary key's included) named
// name: regclass's input for index names.
func IndexOIDByName(t *catalog.Table, name string) (uint32, bool) {
	if HasPrimaryKey(t) {
		pk := t.PrimaryKeyName
		if pk == "" {
			pk = t.Name + "_pkey"
		}
		if pk == name {
			return PKIndexOID(t), true
		}
	}
	for i := range t.Indexes {
		if t.Indexes[i].Name == name {
			return uint32(t.Indexes[i].ID), true
		}
	}
	return 0, false
}

// procByName is, for each name, the OID of its first pg_proc row and how
// many rows have it.
var procByName = func() map[string]struct {
	oid   uint32
	count int
} {
	m := map[string]struct {
		oid   uint32
		count int
	}{}
	for _, p := range procTable {
		e, ok := m[p.name]
		if !ok {
			e.oid = p.oid
		}
		e.count++
		m[p.name] = e
	}
	return m
}()

// ProcsNamed is regproc's input of a name: the OID it gives (that of the
// name's first function) and how many functions pg_proc has by the name.
func ProcsNamed(name string) (uint32, int) {
	e := procByName[name]
	return e.oid, e.count
}

// Catalog OIDs of the system catalogs pg_depend and pg_describe_object
// name objects by.
const (
	oidPgType     = 1247
	oidPgProc     = 1255
	oidPgOperator = 2617
	oidPgCast     = 2605
	oidPgOpclass  = 2616
	oidPgAm       = 2601
	oidPgOpfamily = 2753
	oidPgAttrdef  = 2604
	oidPgExt      = 3079
)

// vectorMembers are the objects of extension vector, as pg_depend's 'e'
// rows list them: {classid, objid}.
func vectorMembers() [][2]uint32 {
	m := [][2]uint32{{oidPgType, types.OidVector}, {oidPgType, types.OidVectorArray},
		{oidPgType, types.OidHalfvec}, {oidPgType, types.OidHalfvecArray},
		{oidPgType, types.OidSparsevec}, {oidPgType, types.OidSparsevecArray}, {oidPgAm, oidHnswAM}}
	for _, o := range opclasses {
		if isPgvectorType(o.typ) || o.am == oidHnswAM {
			// Each opclass has its own family (same OID), a member too.
			m = append(m, [2]uint32{oidPgOpclass, o.oid}, [2]uint32{oidPgOpfamily, o.oid})
		}
	}
	for _, op := range builtins.Operators() {
		left, right := uint32(0), builtins.ParamOID(op.Right)
		if !op.Prefix {
			left = builtins.ParamOID(op.Left)
		}
		if isPgvectorOperator(op.Name, left, right) {
			m = append(m, [2]uint32{oidPgOperator, operatorOID(op.Name, left, right)})
		}
	}
	for _, e := range castTable {
		if isPgvectorType(e.source) || isPgvectorType(e.target) {
			m = append(m, [2]uint32{oidPgCast, e.oid()})
		}
	}
	return m
}

// extensionDependRows are pg_depend's rows making the built-in
// extensions' objects their members (deptype 'e'), which \dx+ lists:
// their functions, and pgvector's types, operators and so on.
func extensionDependRows() [][]types.Datum {
	var rows [][]types.Datum
	member := func(ext, classid, objid uint32) {
		rows = append(rows, []types.Datum{dO(classid), dO(objid), dI(0), dO(oidPgExt), dO(ext), dI(0), dS("e")})
	}
	for _, e := range builtinExtensions {
		if e.name == "vector" {
			for _, m := range vectorMembers() {
				member(e.oid, m[0], m[1])
			}
		}
		if e.name == "citext" {
			// _citext depends on citext ('i'), not on the extension.
			member(e.oid, oidPgType, types.OidCitext)
		}
		for _, p := range procTable {
			if p.ext == e.name {
				member(e.oid, oidPgProc, p.oid)
			}
		}
	}
	return rows
}

// typeNames formats type OIDs as format_procedure and format_operator
// list arguments: format_type names joined by commas.
func typeNames(oids []uint32) string {
	b := make([]byte, 0, 32)
	for i, o := range oids {
		if i > 0 {
			b = append(b, ',')
		}
		if o == 0 {
			b = append(b, "NONE"...)
			continue
		}
		b = append(b, builtins.FormatParamType(o)...)
	}
	return string(b)
}

// DescribeObject is pg_describe_object for the built-in objects Quiver
// lists in pg_depend: types, functions, operators, casts, operator
// classes and access methods.
func DescribeObject(classid, objid uint32) (string, bool) {
	switch classid {
	case oidPgType:
		if types.ByOID(objid) != nil {
			return "type " + builtins.FormatType(objid, -1, false), true
		}
	case oidPgProc:
		for _, p := range procTable {
			if p.oid == objid {
				return "function " + p.name + "(" + typeNames(p.args) + ")", true
			}
		}
	case oidPgOperator:
		for _, op := range builtins.Operators() {
			left, right := uint32(0), builtins.ParamOID(op.Right)
			if !op.Prefix {
				left = builtins.ParamOID(op.Left)
			}
			if operatorOID(op.Name, left, right) == objid {
				return "operator " + op.Name + "(" + typeNames([]uint32{left, right}) + ")", true
			}
		}
	case oidPgCast:
		for _, e := range castTable {
			if e.oid() == objid {
				return "cast from " + builtins.FormatType(e.source, -1, false) + " to " + builtins.FormatType(e.target, -1, false), true
			}
		}
	case oidPgOpclass, oidPgOpfamily:
		for _, o := range opclasses {
			if o.oid == objid {
				am := "btree"
				if o.am == oidHnswAM {
					am = "hnsw"
				}
				what := "operator class "
				if classid == oidPgOpfamily {
					what = "operator family "
				}
				return what + o.name + " for access method " + am, true
			}
		}
	case oidPgAm:
		if objid == oidHnswAM {
			return "access method hnsw", true
		}
	}
	return "", false
}

// pgDescription is a built-in object's pg_description row: its catalog's
// OID and the comment.
type pgDescription struct {
	class uint32
	text  string
}

// builtinDescriptionRows are pg_description's rows for the built-in
// types, functions and operators, in OID order.
func builtinDescriptionRows() [][]types.Datum {
	oids := make([]uint32, 0, len(pgDescriptions))
	for o := range pgDescriptions {
		oids = append(oids, o)
	}
	sort.Slice(oids, func(i, j int) bool { return oids[i] < oids[j] })
	rows := make([][]types.Datum, 0, len(oids))
	for _, o := range oids {
		d := pgDescriptions[o]
		rows = append(rows, []types.Datum{dO(o), dO(d.class), dI(0), dS(d.text)})
	}
	return rows
}
