package builtins

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// CatalogSession is implemented by sessions that can answer questions
// about the catalog, as psql's and drivers' introspection functions ask
// them (pg_table_is_visible, pg_get_indexdef, obj_description, ...). It is
// separate from Session so that sessions without a catalog (tests) need
// not implement it; the functions answer NULL or false there.
type CatalogSession interface {
	// RelationVisible is pg_table_is_visible.
	RelationVisible(oid uint32) (bool, error)
	// RoleName is pg_get_userbyid (false when no role has the OID).
	RoleName(oid uint32) (string, bool, error)
	// IndexDef is pg_get_indexdef: the whole CREATE INDEX when column is
	// 0, else that key column's name; pretty as PostgreSQL's pretty flag.
	IndexDef(oid uint32, column int, pretty bool) (string, bool, error)
	// ConstraintDef is pg_get_constraintdef.
	ConstraintDef(oid uint32) (string, bool, error)
	// Description is obj_description / col_description (subid = attnum).
	Description(oid uint32, subid int) (string, bool, error)
	// SerialSequence is pg_get_serial_sequence.
	SerialSequence(table, column string) (string, bool, error)
}

// UserTypeSession is a session that knows the database's user-defined
// (enum) types.
type UserTypeSession interface {
	// UserType is format_type's spelling of user type oid (its array
	// type included: "mood[]"), schema-qualified when the type is not
	// visible on the search path, and whether it is visible.
	UserType(oid uint32) (name string, visible, ok bool, err error)
}

func userType(ctx *EvalContext, oid uint32) (name string, visible, ok bool, err error) {
	if ctx == nil || ctx.Session == nil {
		return "", false, false, nil
	}
	us, isUS := ctx.Session.(UserTypeSession)
	if !isUS {
		return "", false, false, nil
	}
	return us.UserType(oid)
}

// TxnIDSession is a session that can name its open transaction
// (txid_current).
type TxnIDSession interface {
	CurrentTxnID(ctx context.Context) (int64, error)
}

// SizeKind says which of PostgreSQL's size functions is asked.
type SizeKind int

const (
	SizeRelation SizeKind = iota // pg_relation_size: the relation's own data
	SizeTable                    // pg_table_size: the same, Quiver having no TOAST or maps
	SizeIndexes                  // pg_indexes_size: a table's indexes
	SizeTotal                    // pg_total_relation_size: data and indexes
)

// RelationSizeSession is a session that can measure relations (false
// when no relation has the OID).
type RelationSizeSession interface {
	RelationSize(ctx context.Context, oid uint32, kind SizeKind) (int64, bool, error)
}

// PrettyConstraintDefSession is a CatalogSession that also answers
// pg_get_constraintdef(oid, true), whose CHECK expressions drop the
// parentheses precedence makes unnecessary.
type PrettyConstraintDefSession interface {
	ConstraintDefPretty(oid uint32) (string, bool, error)
}

// ProcLookupSession is a session that knows pg_proc rows beyond the
// registry's (types' I/O and cast functions), for pg_get_function_*.
type ProcLookupSession interface {
	ProcRowByOID(oid uint32) (*ProcRow, bool)
}

// ViewDefSession is a session that answers pg_get_viewdef: a view's
// definition by OID, or by a relation name as regclass reads it (an error
// when no relation has the name; ok false when it is no view).
type ViewDefSession interface {
	ViewDef(oid uint32) (string, bool, error)
	ViewDefByName(name string) (string, bool, error)
}

// ObjectDescriberSession is a session that answers pg_describe_object
// for built-in objects (extension vector's members).
type ObjectDescriberSession interface {
	DescribeObject(classid, objid uint32) (string, bool)
}

// postmasterStart is pg_postmaster_start_time: when this process started.
// Set once at package init, read-only afterwards.
var postmasterStart = time.Now()

func catalogSession(ctx *EvalContext) CatalogSession {
	if ctx == nil || ctx.Session == nil {
		return nil
	}
	cs, _ := ctx.Session.(CatalogSession)
	return cs
}

func oidArg(d types.Datum) uint32 {
	switch v := d.(type) {
	case types.DOid:
		return uint32(v)
	case types.DNamedOid:
		return v.Oid
	case types.DInt:
		return uint32(v)
	}
	return 0
}

func intArg(d types.Datum) int64 {
	if v, ok := d.(types.DInt); ok {
		return int64(v)
	}
	return 0
}

func textOrNull(s string, ok bool, err error) (types.Datum, error) {
	if err != nil || !ok {
		return types.Null, err
	}
	return types.DString(s), nil
}

// FormatType is format_type(oid, typmod): the type's SQL spelling with the
// modifier applied; "???" for an unknown OID as PostgreSQL prints it.
func FormatType(oid uint32, typmod int32, hasTypmod bool) string {
	if oid == types.OidChar1 {
		return `"char"`
	}
	t := types.ByOID(oid)
	if t == nil {
		if name, ok := pseudoTypeName(oid); ok {
			return name
		}
		return "???"
	}
	base := t
	if t.IsArray() {
		base = t.Elem
	}
	if !hasTypmod || typmod < 0 {
		// bpchar with typmod -1 is "bpchar"; with no typmod at all
		// (format_type(oid, NULL)) it is "character", as in PostgreSQL.
		if base.Family == types.FamBit && hasTypmod {
			// bit with typmod -1 is not BIT, which means bit(1): it is
			// quoted, as PostgreSQL's format_type quotes it.
			name := `"bit"`
			if t.IsArray() {
				return name + "[]"
			}
			return name
		}
		if base.Family == types.FamChar {
			name := "bpchar"
			if !hasTypmod {
				name = "character"
			}
			if t.IsArray() {
				return name + "[]"
			}
			return name
		}
		return t.String()
	}
	m := *base
	switch base.Family {
	case types.FamVarchar, types.FamChar:
		m.Width = typmod - 4
	case types.FamNumeric:
		m.Width, m.Scale = (typmod-4)>>16, (typmod-4)&0xffff
	case types.FamVector, types.FamHalfvec, types.FamSparsevec, types.FamBit, types.FamVarbit:
		m.Width = typmod
	case types.FamTimestamp, types.FamTimestampTZ:
		m.Width = typmod + 1
	case types.FamInterval:
		if p := typmod & 0xffff; p != 0xffff {
			m.Width = p + 1
		}
	}
	if t.IsArray() {
		return types.ArrayOf(&m).String()
	}
	return m.String()
}

// ACLDefault is acldefault(kind, owner) as aclitem texts: the
// privileges an object of that kind has before any GRANT or REVOKE (the
// PUBLIC item first, as PostgreSQL builds it). pg_dump compares an
// object's ACL against it to decide which GRANTs to emit.
func ACLDefault(kind, owner string) ([]string, error) {
	var world, own string
	switch kind {
	case "c":
	case "r":
		own = "arwdDxt"
	case "s":
		own = "rwU"
	case "d":
		world, own = "Tc", "CTc"
	case "f":
		world, own = "X", "X"
	case "l", "T":
		world, own = "U", "U"
	case "L":
		own = "rw"
	case "n":
		own = "UC"
	case "t":
		own = "C"
	case "p":
		own = "sA"
	case "F", "S":
		own = "U"
	default:
		return nil, pgerror.New(pgerror.CodeInternal, "unrecognized objtype abbreviation: %s", kind)
	}
	who := aclRoleName(owner)
	var items []string
	if world != "" {
		items = append(items, "="+world+"/"+who)
	}
	if own != "" {
		items = append(items, who+"="+own+"/"+who)
	}
	return items, nil
}

// aclRoleName spells a role as aclitem output does: double-quoted unless
// it is all letters, digits and underscores.
func aclRoleName(name string) string {
	for _, r := range name {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127) {
			return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
		}
	}
	return name
}

// sizePretty is pg_size_pretty: bytes below 10 kB, then each unit up to
// PB, rounding half away from zero as PostgreSQL 15 does.
func sizePretty(size int64) string {
	const limit = 10 * 1024
	abs := func(v int64) int64 {
		if v < 0 {
			return -v
		}
		return v
	}
	if abs(size) < limit {
		return fmt.Sprintf("%d bytes", size)
	}
	halfRounded := func(v int64) int64 {
		if v < 0 {
			return (v - 1) / 2
		}
		return (v + 1) / 2
	}
	// Keep one extra bit for rounding.
	size >>= 9
	for _, unit := range []string{"kB", "MB", "GB", "TB"} {
		if abs(size) < limit*2-1 {
			return fmt.Sprintf("%d %s", halfRounded(size), unit)
		}
		size >>= 10
	}
	return fmt.Sprintf("%d PB", halfRounded(size))
}

// encodingNames maps PostgreSQL's encoding numbers to names.
var encodingNames = map[int64]string{0: "SQL_ASCII", 6: "UTF8", 8: "LATIN1"}

func alwaysTrue(*EvalContext, []types.Datum) (types.Datum, error) { return types.DBool(true), nil }

func init() { registerCatalogFuncs() }

func registerCatalogFuncs() {
	o, i4, i8, txt, nm, b := types.Oid, types.Int4, types.Int8, types.Text, types.Name, types.Bool
	formatType := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if a[0] == types.Null {
			return types.Null, nil
		}
		hasMod := len(a) > 1 && a[1] != types.Null
		var mod int32 = -1
		if hasMod {
			mod = int32(intArg(a[1]))
		}
		if types.ByOID(oidArg(a[0])) == nil {
			if name, _, ok, err := userType(ctx, oidArg(a[0])); ok || err != nil {
				return types.DString(name), err
			}
		}
		return types.DString(FormatType(oidArg(a[0]), mod, hasMod)), nil
	}
	addFunc("format_type", &Overload{Params: params(o, i4), Return: txt, NullCall: true, Fn: formatType})

	addFunc("pg_table_is_visible", fn(params(o), b, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		cs := catalogSession(ctx)
		if cs == nil {
			return types.Null, nil
		}
		v, err := cs.RelationVisible(oidArg(a[0]))
		return types.DBool(v), err
	}))
	addFunc("pg_type_is_visible", fn(params(o), b, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		id := oidArg(a[0])
		if _, visible, ok, err := userType(ctx, id); ok || err != nil {
			return types.DBool(visible), err
		}
		return types.DBool(types.ByOID(id) != nil || id == types.OidChar1), nil
	}))
	for _, n := range []string{"pg_function_is_visible", "pg_opclass_is_visible", "pg_operator_is_visible", "pg_collation_is_visible",
		"pg_conversion_is_visible", "pg_statistics_obj_is_visible", "pg_ts_config_is_visible"} {
		addFunc(n, fn(params(o), b, alwaysTrue))
	}
	addFunc("pg_get_userbyid", fn(params(o), nm, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		id := oidArg(a[0])
		if cs := catalogSession(ctx); cs != nil {
			name, ok, err := cs.RoleName(id)
			if err != nil {
				return nil, err
			}
			if ok {
				return types.DString(name), nil
			}
		}
		return types.DString(fmt.Sprintf("unknown (OID=%d)", id)), nil
	}))
	indexDef := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		cs := catalogSession(ctx)
		if cs == nil {
			return types.Null, nil
		}
		col, pretty := 0, false
		if len(a) > 2 {
			col, pretty = int(intArg(a[1])), a[2] == types.DBool(true)
		}
		return textOrNull(cs.IndexDef(oidArg(a[0]), col, pretty))
	}
	addFunc("pg_get_indexdef", fn(params(o), txt, indexDef))
	addFunc("pg_get_indexdef", fn(params(o, i4, b), txt, indexDef))
	constraintDef := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		cs := catalogSession(ctx)
		if cs == nil {
			return types.Null, nil
		}
		if len(a) > 1 && !types.IsNull(a[1]) && bool(a[1].(types.DBool)) {
			if ps, ok := cs.(PrettyConstraintDefSession); ok {
				return textOrNull(ps.ConstraintDefPretty(oidArg(a[0])))
			}
		}
		return textOrNull(cs.ConstraintDef(oidArg(a[0])))
	}
	addFunc("pg_get_constraintdef", fn(params(o), txt, constraintDef))
	addFunc("pg_get_constraintdef", fn(params(o, b), txt, constraintDef))
	// Quiver keeps expressions (defaults, CHECKs) as their SQL text, which
	// pg_attrdef.adbin and pg_constraint.conbin hold; deparsing is identity.
	getExpr := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) { return a[0], nil }
	addFunc("pg_get_expr", fn(params(txt, o), txt, getExpr))
	addFunc("pg_get_expr", fn(params(txt, o, b), txt, getExpr))
	// pg_get_viewdef's pretty flag and wrap column change only how
	// PostgreSQL lays out its deparsed query; Quiver shows the query as
	// written, so they change nothing.
	viewDef := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		vs, ok := catalogSession(ctx).(ViewDefSession)
		if !ok {
			return types.Null, nil
		}
		return textOrNull(vs.ViewDef(oidArg(a[0])))
	}
	viewDefByName := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		vs, ok := catalogSession(ctx).(ViewDefSession)
		if !ok {
			return types.Null, nil
		}
		return textOrNull(vs.ViewDefByName(string(a[0].(types.DString))))
	}
	addFunc("pg_get_viewdef", fn(params(o), txt, viewDef))
	addFunc("pg_get_viewdef", fn(params(o, b), txt, viewDef))
	addFunc("pg_get_viewdef", fn(params(o, i4), txt, viewDef))
	addFunc("pg_get_viewdef", fn(params(txt), txt, viewDefByName))
	addFunc("pg_get_viewdef", fn(params(txt, b), txt, viewDefByName))
	for _, n := range []string{"pg_get_triggerdef", "pg_get_ruledef", "pg_get_partkeydef", "pg_get_functiondef",
		"pg_get_statisticsobjdef_columns",
		"pg_get_partition_constraintdef", "pg_tablespace_location"} {
		addFunc(n, &Overload{Params: params(o), Return: txt, Fn: func(*EvalContext, []types.Datum) (types.Datum, error) { return types.Null, nil }})
	}
	procText := func(f func(*ProcRow) string) func(*EvalContext, []types.Datum) (types.Datum, error) {
		return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			if r, ok := ProcByOID(oidArg(a[0])); ok {
				return types.DString(f(r)), nil
			}
			if ps, ok := catalogSession(ctx).(ProcLookupSession); ok {
				if r, ok := ps.ProcRowByOID(oidArg(a[0])); ok {
					return types.DString(f(r)), nil
				}
			}
			return types.Null, nil
		}
	}
	addFunc("pg_get_function_result", fn(params(o), txt, procText((*ProcRow).FunctionResult)))
	addFunc("pg_get_function_arguments", fn(params(o), txt, procText(func(r *ProcRow) string { return r.FunctionArguments(false) })))
	addFunc("pg_get_function_identity_arguments", fn(params(o), txt, procText(func(r *ProcRow) string { return r.FunctionArguments(true) })))
	for _, n := range []string{"pg_get_triggerdef", "pg_get_ruledef", "pg_get_functiondef", "pg_get_function_sqlbody"} {
		addFunc(n, &Overload{Params: params(o, b), Return: txt, Fn: func(*EvalContext, []types.Datum) (types.Datum, error) { return types.Null, nil }})
	}
	addFunc("pg_get_function_sqlbody", &Overload{Params: params(o), Return: txt, Fn: func(*EvalContext, []types.Datum) (types.Datum, error) { return types.Null, nil }})
	addFunc("pg_describe_object", &Overload{Params: params(o, o, i4), Return: txt, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if ds, ok := catalogSession(ctx).(ObjectDescriberSession); ok {
			if d, ok := ds.DescribeObject(oidArg(a[0]), oidArg(a[1])); ok {
				return types.DString(d), nil
			}
		}
		return types.Null, nil
	}})
	// Quiver has no partitioning: a relation is its own only ancestor, as
	// PostgreSQL answers for a plain table.
	addSRF("pg_partition_ancestors", &SRFOverload{Params: params(types.Regclass),
		Columns: []Column{{Name: "relid", Type: types.Regclass}},
		Fn: func(_ *EvalContext, a []types.Datum) (func() ([]types.Datum, bool, error), error) {
			done := false
			return func() ([]types.Datum, bool, error) {
				if done {
					return nil, true, nil
				}
				done = true
				return []types.Datum{types.DOid(oidArg(a[0]))}, false, nil
			}, nil
		}})
	// pg_options_to_table splits reloptions-style "name=value" items at
	// the first '=' (an item without one has a NULL value).
	addSRF("pg_options_to_table", &SRFOverload{Params: params(types.ArrayOf(txt)),
		Columns: []Column{{Name: "option_name", Type: txt}, {Name: "option_value", Type: txt}},
		Fn: func(_ *EvalContext, a []types.Datum) (func() ([]types.Datum, bool, error), error) {
			arr, _ := a[0].(*types.DArray)
			i := 0
			return func() ([]types.Datum, bool, error) {
				for arr != nil && i < len(arr.Elems) {
					e, ok := arr.Elems[i].(types.DString)
					i++
					if !ok {
						continue
					}
					name, value, found := strings.Cut(string(e), "=")
					if !found {
						return []types.Datum{types.DString(name), types.Null}, false, nil
					}
					return []types.Datum{types.DString(name), types.DString(value)}, false, nil
				}
				return nil, true, nil
			}, nil
		}})
	addFunc("getdatabaseencoding", fn(nil, nm, func(*EvalContext, []types.Datum) (types.Datum, error) { return types.DString("UTF8"), nil }))

	description := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		cs := catalogSession(ctx)
		if cs == nil {
			return types.Null, nil
		}
		// Quiver's objects share one OID space, so the OID alone finds
		// the comment whichever catalog (pg_class, pg_namespace) is named.
		return textOrNull(cs.Description(oidArg(a[0]), 0))
	}
	addFunc("obj_description", fn(params(o), txt, description))
	addFunc("obj_description", fn(params(o, nm), txt, description))
	// Columns Quiver types as name where PostgreSQL has regproc
	// (pg_operator.oprcode) name no object with a description.
	addFunc("obj_description", fn(params(nm, nm), txt, func(*EvalContext, []types.Datum) (types.Datum, error) { return types.Null, nil }))
	addFunc("col_description", fn(params(o, i4), txt, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		cs := catalogSession(ctx)
		if cs == nil {
			return types.Null, nil
		}
		return textOrNull(cs.Description(oidArg(a[0]), int(intArg(a[1]))))
	}))
	addFunc("shobj_description", fn(params(o, nm), txt, func(*EvalContext, []types.Datum) (types.Datum, error) { return types.Null, nil }))

	addFunc("pg_encoding_to_char", fn(params(i4), nm, func(_ *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DString(encodingNames[intArg(a[0])]), nil
	}))
	addFunc("pg_char_to_encoding", fn(params(nm), i4, func(_ *EvalContext, a []types.Datum) (types.Datum, error) {
		s, _ := a[0].(types.DString)
		for k, v := range encodingNames {
			if strings.EqualFold(v, string(s)) {
				return types.DInt(k), nil
			}
		}
		return types.DInt(-1), nil
	}))

	// Privileges: every object belongs to a superuser-equivalent owner in
	// Quiver, so every check passes.
	for _, n := range []string{"has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_sequence_privilege",
		"has_function_privilege", "has_column_privilege", "has_any_column_privilege", "has_tablespace_privilege",
		"has_foreign_data_wrapper_privilege", "has_server_privilege", "has_language_privilege", "has_type_privilege", "pg_has_role"} {
		addFunc(n, fn(params(Any, Any), b, alwaysTrue))
		addFunc(n, fn(params(Any, Any, Any), b, alwaysTrue))
		if n == "has_column_privilege" {
			addFunc(n, fn(params(Any, Any, Any, Any), b, alwaysTrue))
		}
	}

	// Sizes: Quiver's storage does not account bytes per relation; report 0.
	zero := func(*EvalContext, []types.Datum) (types.Datum, error) { return types.DInt(0), nil }
	// The relation functions take regclass, as in PostgreSQL, so that
	// pg_relation_size('t') resolves a name; an OID that names no
	// relation is NULL, as there.
	relSize := func(kind SizeKind) func(*EvalContext, []types.Datum) (types.Datum, error) {
		return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			rs, ok := ctx.Session.(RelationSizeSession)
			if !ok {
				return types.DInt(0), nil
			}
			n, found, err := rs.RelationSize(ctx.Ctx, oidArg(a[0]), kind)
			if err != nil || !found {
				return types.Null, err
			}
			return types.DInt(n), nil
		}
	}
	for _, f := range []struct {
		name string
		kind SizeKind
	}{{"pg_relation_size", SizeRelation}, {"pg_total_relation_size", SizeTotal}, {"pg_table_size", SizeTable}, {"pg_indexes_size", SizeIndexes}} {
		addFunc(f.name, &Overload{Params: params(types.Regclass), Return: i8, Volatile: true, Fn: relSize(f.kind)})
	}
	for _, n := range []string{"pg_database_size", "pg_tablespace_size"} {
		addFunc(n, fn(params(o), i8, zero))
	}
	// Only the main fork has data in Quiver; the other forks are empty.
	mainFork := relSize(SizeRelation)
	addFunc("pg_relation_size", &Overload{Params: params(types.Regclass, txt), Return: i8, Volatile: true,
		Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			if s, _ := a[1].(types.DString); s != "main" {
				return types.DInt(0), nil
			}
			return mainFork(ctx, a)
		}})
	addFunc("pg_database_size", fn(params(nm), i8, zero))
	addFunc("pg_size_pretty", fn(params(i8), txt, func(_ *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DString(sizePretty(intArg(a[0]))), nil
	}))

	addFunc("acldefault", fn(params(txt, o), types.ArrayOf(txt), func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		kind, _ := a[0].(types.DString)
		owner := oidArg(a[1])
		name := fmt.Sprintf("%d", owner)
		if cs := catalogSession(ctx); cs != nil {
			n, ok, err := cs.RoleName(owner)
			if err != nil {
				return nil, fmt.Errorf("acldefault: %w", err)
			}
			if ok {
				name = n
			}
		}
		items, err := ACLDefault(string(kind), name)
		if err != nil {
			return nil, err
		}
		arr := &types.DArray{Elem: txt}
		for _, it := range items {
			arr.Elems = append(arr.Elems, types.DString(it))
		}
		return arr, nil
	}))
	// Exported snapshots are what pg_dump -j shares between its
	// connections; Quiver cannot import one (SET TRANSACTION SNAPSHOT).
	addFunc("pg_export_snapshot", &Overload{Params: nil, Return: txt, Volatile: true, Fn: func(*EvalContext, []types.Datum) (types.Datum, error) {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "pg_export_snapshot is not supported yet").
			WithHint("pg_dump -j needs exported snapshots; dump without -j.")
	}})
	addFunc("pg_get_serial_sequence", fn(params(txt, txt), txt, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		cs := catalogSession(ctx)
		if cs == nil {
			return types.Null, nil
		}
		t, _ := a[0].(types.DString)
		c, _ := a[1].(types.DString)
		return textOrNull(cs.SerialSequence(string(t), string(c)))
	}))
	addFunc("pg_postmaster_start_time", fn(nil, types.TimestampTZ, func(*EvalContext, []types.Datum) (types.Datum, error) {
		return types.DTimestampTZ(timeToMicros(postmasterStart)), nil
	}))
	addFunc("pg_conf_load_time", fn(nil, types.TimestampTZ, func(*EvalContext, []types.Datum) (types.Datum, error) {
		return types.DTimestampTZ(timeToMicros(postmasterStart)), nil
	}))
	addFunc("pg_is_in_recovery", fn(nil, b, func(*EvalContext, []types.Datum) (types.Datum, error) { return types.DBool(false), nil }))
	addFunc("pg_relation_is_publishable", fn(params(o), b, func(*EvalContext, []types.Datum) (types.Datum, error) {
		return types.DBool(false), nil
	}))
	addFunc("pg_encoding_max_length", fn(params(i4), i4, func(_ *EvalContext, a []types.Datum) (types.Datum, error) {
		if intArg(a[0]) == 6 {
			return types.DInt(4), nil
		}
		return types.DInt(1), nil
	}))
}
