package builtins

import (
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/quiverdb/quiver/sql/types"
)

// Proc is one built-in as pg_proc describes it: a scalar function ('f'),
// an aggregate ('a') or a set-returning function ('f' with RetSet).
type Proc struct {
	Name string
	// Kind is pg_proc.prokind: 'f' or 'a' ('w' for window functions).
	Kind byte
	// Params are the declared parameter types as Overload.Params has them
	// (nil is anyelement, Any is "any", AnyArray is anyarray); Variadic,
	// when set, is the element type of a last VARIADIC parameter.
	Params   []*types.T
	Variadic *types.T
	// Return is the result type, nil when it depends on the arguments
	// (pg_proc shows a polymorphic type then).
	Return *types.T
	// Out are a set-returning function's result columns when it has more
	// than one (OUT parameters in pg_proc).
	Out      []Column
	RetSet   bool
	Strict   bool
	Volatile bool
	// ArgNames are PostgreSQL's parameter names, when it has them.
	ArgNames []string
	// Defaults is how many trailing parameters have defaults.
	Defaults int
	// Extension is Overload.Extension.
	Extension string
}

// Op is one built-in operator as pg_operator describes it.
type Op struct {
	// Name is PostgreSQL's spelling (~~ for LIKE).
	Name string
	// Prefix marks a prefix operator (Left unused); otherwise a nil
	// Left or Right is anyelement, as in Overload.Params.
	Prefix              bool
	Left, Right, Return *types.T
	// Func names the function that computes it, when it has one of its
	// own in pg_proc (pgvector's distance operators).
	Func string
}

// Procs lists every built-in function, aggregate and set-returning
// function, ordered by name and then by registration, so a catalog
// derived from it is the same on every start.
func Procs() []Proc {
	var out []Proc
	for name, os := range registry.funcs {
		pi, hasPI := paramInfo[name]
		for _, o := range os {
			p := Proc{Name: name, Kind: 'f', Params: o.Params, Variadic: o.Variadic, Return: o.Return, Strict: !o.NullCall, Volatile: o.Volatile, Extension: o.Extension}
			if hasPI && len(pi.Names) == len(o.Params) {
				p.ArgNames, p.Defaults = pi.Names, len(pi.Defaults)
			}
			out = append(out, p)
		}
	}
	for name, os := range registry.aggs {
		for _, o := range os {
			out = append(out, Proc{Name: name, Kind: 'a', Params: o.Params, Return: o.Return})
		}
	}
	for name, os := range registry.srfs {
		pi, hasPI := paramInfo[name]
		for _, o := range os {
			p := Proc{Name: name, Kind: 'f', Params: o.Params, Variadic: o.Variadic, RetSet: !o.SingleRow, Strict: true}
			if o.ReturnsRecord() {
				// PostgreSQL's json[b]_to_recordset handle NULL themselves.
				p.Return, p.Strict = types.Record, o.SingleRow
			} else if len(o.Columns) == 1 {
				p.Return = o.Columns[0].Type
			} else if len(o.Columns) > 1 {
				p.Return, p.Out = types.Record, o.Columns
			}
			if hasPI && len(pi.Names) == len(o.Params) {
				p.ArgNames, p.Defaults = pi.Names, len(pi.Defaults)
			}
			out = append(out, p)
		}
	}
	// Registration order within a name is kept; names are sorted.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// pgOpName maps the registry's keys to PostgreSQL's operator names.
var pgOpName = map[string]string{"LIKE": "~~", "NOT LIKE": "!~~", "ILIKE": "~~*", "NOT ILIKE": "!~~*"}

// vectorOpFuncs are the functions pgvector's operators call.
var vectorOpFuncs = map[string]string{
	"<->": "l2_distance", "<=>": "cosine_distance", "<#>": "negative_inner_product", "<+>": "l1_distance",
	"<~>": "hamming_distance", "<%>": "jaccard_distance",
}

// Operators lists every built-in binary and prefix operator, ordered by
// name, then binary before prefix, then registration order.
func Operators() []Op {
	var out []Op
	add := func(key string, os []*Overload, binary bool) {
		name := key
		if n, ok := pgOpName[strings.ToUpper(key)]; ok {
			name = n
		}
		for _, o := range os {
			op := Op{Name: name, Return: o.Return}
			if binary && len(o.Params) == 2 {
				op.Left, op.Right = o.Params[0], o.Params[1]
			} else if !binary && len(o.Params) == 1 {
				op.Prefix, op.Right = true, o.Params[0]
			} else {
				continue
			}
			if op.Left.IsVectorFamily() || op.Left != nil && op.Left.Family == types.FamBit {
				op.Func = vectorOpFuncs[name]
			} else if op.Left != nil && op.Left.Family == types.FamSparsevec && vectorOpFuncs[name] != "" {
				// sparsevec has no negative_inner_product of its own name.
				op.Func = vectorOpFuncs[name]
				if name == "<#>" {
					op.Func = "sparsevec_negative_inner_product"
				}
			}
			out = append(out, op)
		}
	}
	for k, os := range registry.binary {
		add(k, os, true)
	}
	for k, os := range registry.unary {
		add(k, os, false)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return !out[i].Prefix && out[j].Prefix
	})
	return out
}

// OIDs of the polymorphic pseudo-types built-ins declare.
const (
	OidAny        uint32 = 2276
	OidAnyArray   uint32 = 2277
	OidAnyElement uint32 = 2283
	OidAnyEnum    uint32 = 3500
	oidCstring    uint32 = 2275
	oidInternal   uint32 = 2281
)

// ParamOID is pg_proc's type OID of a declared parameter type.
func ParamOID(t *types.T) uint32 {
	switch {
	case t == nil:
		return OidAnyElement
	case t == Any:
		return OidAny
	case t.Family == types.FamArray && t.Elem == nil:
		return OidAnyArray
	case isAnyEnum(t):
		return OidAnyEnum
	}
	return t.OID()
}

// ProcRow is a built-in with its pg_proc OID.
type ProcRow struct {
	OID uint32
	Proc
	// ArgTypes are proargtypes: the declared parameters, a VARIADIC one
	// last as its array type ("any" stays "any").
	ArgTypes []uint32
	// VariadicOID is provariadic (0 when none).
	VariadicOID uint32
	RetOID      uint32
	// Src is prosrc: PostgreSQL's C symbol for the function when it has
	// one, else empty (the name stands in).
	Src string
}

// pgProc is a PostgreSQL 15 pg_proc row's OID and prosrc.
type pgProc struct {
	oid uint32
	src string
}

// procRows is computed on first use: the registry is filled by several
// init functions, so it cannot be built at init; read-only afterwards.
var procRows = sync.OnceValue(func() []ProcRow {
	var rows []ProcRow
	seen := map[string]bool{}
	used := map[uint32]bool{}
	for _, p := range Procs() {
		r := ProcRow{Proc: p}
		for _, t := range p.Params {
			r.ArgTypes = append(r.ArgTypes, ParamOID(t))
		}
		if p.Variadic != nil {
			r.VariadicOID = ParamOID(p.Variadic)
			// VARIADIC "any" is declared as itself, VARIADIC t as t[].
			if p.Variadic == Any {
				r.ArgTypes = append(r.ArgTypes, OidAny)
			} else {
				r.ArgTypes = append(r.ArgTypes, types.ArrayOf(p.Variadic).OID())
			}
		}
		switch {
		case p.Return != nil:
			r.RetOID = ParamOID(p.Return)
		case len(p.Params) > 0 && ParamOID(p.Params[0]) == OidAnyArray:
			r.RetOID = OidAnyArray
		default:
			r.RetOID = OidAnyElement
		}
		// PostgreSQL's own OID when it has the function; otherwise one
		// derived from the name (the first overload, as regproc's input
		// without a catalog derives it) or from the signature.
		if pg, ok := pgProcOIDs[p.Name+"("+joinOIDs(r.ArgTypes)+")"]; ok && !used[pg.oid] {
			r.OID, r.Src = pg.oid, pg.src
		} else {
			key := p.Name
			if seen[key] {
				key = p.Name + "(" + joinOIDs(r.ArgTypes) + ")" + string(p.Kind)
			}
			seen[key] = true
			r.OID = types.RegprocOID(key)
		}
		used[r.OID] = true
		rows = append(rows, r)
	}
	return rows
})

var procByOID = sync.OnceValue(func() map[uint32]*ProcRow {
	m := map[uint32]*ProcRow{}
	rows := procRows()
	for i := range rows {
		m[rows[i].OID] = &rows[i]
	}
	return m
})

// ProcRows lists the built-ins as pg_proc rows, in Procs' order.
func ProcRows() []ProcRow { return procRows() }

// ProcByOID finds the built-in with pg_proc OID oid.
func ProcByOID(oid uint32) (*ProcRow, bool) {
	r, ok := procByOID()[oid]
	return r, ok
}

func joinOIDs(oids []uint32) string {
	var b strings.Builder
	for i, o := range oids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(o), 10))
	}
	return b.String()
}

// FormatParamType is format_type for pg_proc's types, pseudo-types
// included.
func FormatParamType(oid uint32) string { return formatParamType(oid) }

func formatParamType(oid uint32) string { return FormatType(oid, -1, false) }

// pseudoTypeName names the pseudo-types pg_proc uses, which have no
// types.T.
func pseudoTypeName(oid uint32) (string, bool) {
	switch oid {
	case OidAny:
		return `"any"`, true
	case OidAnyArray:
		return "anyarray", true
	case OidAnyElement:
		return "anyelement", true
	case OidAnyEnum:
		return "anyenum", true
	case oidCstring:
		return "cstring", true
	case oidInternal:
		return "internal", true
	}
	return "", false
}

// FunctionArguments is pg_get_function_arguments (identity: without
// defaults and OUT parameters, pg_get_function_identity_arguments).
func (r *ProcRow) FunctionArguments(identity bool) string {
	var parts []string
	for i, oid := range r.ArgTypes {
		s := formatParamType(oid)
		if i < len(r.ArgNames) && r.ArgNames[i] != "" {
			s = r.ArgNames[i] + " " + s
		}
		if r.VariadicOID != 0 && i == len(r.ArgTypes)-1 {
			s = "VARIADIC " + s
		}
		if !identity && r.Defaults > 0 && i >= len(r.ArgTypes)-r.Defaults {
			if pi, ok := paramInfo[r.Name]; ok {
				s += " DEFAULT " + pi.Defaults[i-(len(r.ArgTypes)-r.Defaults)]
			}
		}
		parts = append(parts, s)
	}
	if !identity {
		for _, c := range r.Out {
			parts = append(parts, "OUT "+c.Name+" "+formatParamType(c.Type.OID()))
		}
	}
	return strings.Join(parts, ", ")
}

// FunctionResult is pg_get_function_result.
func (r *ProcRow) FunctionResult() string {
	if len(r.Out) > 0 {
		// OUT parameters make the result a record.
		return "SETOF record"
	}
	s := formatParamType(r.RetOID)
	if r.RetSet {
		s = "SETOF " + s
	}
	return s
}

// pgCast is a PostgreSQL 15 pg_cast row's OID and cast function.
type pgCast struct {
	oid, fn uint32
	fnName  string
}

// PGCast returns PostgreSQL 15's pg_cast OID for a cast between two
// built-in types and its function's OID and name (0 and "-" for none).
func PGCast(source, target uint32) (oid, fn uint32, fnName string, ok bool) {
	c, ok := pgCastOIDs[joinOIDs([]uint32{source, target})]
	return c.oid, c.fn, c.fnName, ok
}

// PGOperatorOID returns PostgreSQL 15's pg_operator OID of an operator
// (left is 0 for a prefix operator).
func PGOperatorOID(name string, left, right uint32) (uint32, bool) {
	oid, ok := pgOperatorOIDs[name+"("+joinOIDs([]uint32{left, right})+")"]
	return oid, ok
}
