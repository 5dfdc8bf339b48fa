package types

import (
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// Limits PostgreSQL and pgvector put on type modifiers.
const (
	maxVarcharLen  = 10485760
	maxNumericPrec = 1000
	maxVectorDims  = 16000
)

// baseByName maps every spelling PostgreSQL accepts (after normalizeName)
// to the unconstrained type. float and float(p) are handled separately.
var baseByName = map[string]*T{
	"bool": Bool, "boolean": Bool,
	"int2": Int2, "smallint": Int2, "smallserial": Int2, "serial2": Int2,
	"int": Int4, "int4": Int4, "integer": Int4, "serial": Int4, "serial4": Int4,
	"int8": Int8, "bigint": Int8, "bigserial": Int8, "serial8": Int8,
	"float4": Float4, "real": Float4,
	"float8": Float8, "double precision": Float8,
	"numeric": Numeric, "decimal": Numeric, "dec": Numeric,
	"text":    Text,
	"varchar": Varchar, "character varying": Varchar, "char varying": Varchar,
	"bpchar": Bpchar, "char": Bpchar, "character": Bpchar,
	"name":      Name,
	"bytea":     Bytea,
	"date":      Date,
	"timestamp": Timestamp, "timestamp without time zone": Timestamp,
	"timestamptz": TimestampTZ, "timestamp with time zone": TimestampTZ,
	"interval":     Interval,
	"uuid":         UUID,
	"json":         JSON,
	"jsonb":        JSONB,
	"oid":          Oid,
	"regclass":     Regclass,
	"regtype":      Regtype,
	"regproc":      Regproc,
	"regnamespace": Regnamespace,
	"regrole":      Regrole,
	"xid":          Xid,
	"cid":          Cid,
	"tid":          Tid,
	"vector":       Vector,
	"halfvec":      Halfvec,
	"sparsevec":    Sparsevec,
	"bit":          Bit,
	"varbit":       Varbit, "bit varying": Varbit,
	"citext":  Citext,
	"void":    Void,
	"record":  Record,
	"unknown": Unknown,
}

// unsupportedTypes are PostgreSQL (and pgvector) types Quiver does not
// have yet; naming one is 0A000 rather than "does not exist".
var unsupportedTypes = map[string]bool{
	"time": true, "time without time zone": true, "timetz": true, "time with time zone": true,
	"money": true, "inet": true, "cidr": true,
	"macaddr": true, "macaddr8": true, "point": true, "line": true, "lseg": true, "box": true,
	"path": true, "polygon": true, "circle": true, "xml": true, "tsvector": true, "tsquery": true,
	"int4range": true, "int8range": true, "numrange": true, "tsrange": true, "tstzrange": true,
	"daterange": true, "jsonpath": true, "pg_lsn": true,
	"txid_snapshot": true, "pg_snapshot": true,
	"regoper": true, "regoperator": true, "regprocedure": true, "regconfig": true, "regdictionary": true,
	"xid8": true, `"char"`: true,
}

// Resolve maps a SQL type name as written (already lower-cased unless it
// was quoted) and its modifiers to a type: "int", "int4", "integer",
// "character varying", "varchar", "timestamp with time zone",
// "double precision", "vector", "serial" (-> int4) ... Unknown names give
// 42704 `type "x" does not exist`.
func Resolve(name string, mods []int32) (*T, error) {
	n := normalizeName(name)
	if strings.HasPrefix(n, "pg_catalog.") {
		n = n[len("pg_catalog."):]
	}
	if strings.HasSuffix(n, "[]") {
		elem, err := Resolve(strings.TrimSpace(n[:len(n)-2]), mods)
		if err != nil {
			return nil, err
		}
		return ArrayOf(elem), nil
	}
	if strings.HasPrefix(n, "_") && len(n) > 1 {
		if elem, ok := baseByName[n[1:]]; ok && elem.Family != FamUnknown && elem.Family != FamVoid {
			if n[1:] != elem.TypeName() {
				// Only pg_type.typname spellings have array types (_int4, not _integer).
				return nil, pgerror.New(pgerror.CodeUndefinedObject, "type %q does not exist", name)
			}
			e, err := applyMods(elem, n[1:], mods)
			if err != nil {
				return nil, err
			}
			return ArrayOf(e), nil
		}
	}
	if n == "float" {
		return resolveFloat(mods)
	}
	base, ok := baseByName[n]
	if !ok {
		if unsupportedTypes[strings.TrimPrefix(n, "_")] {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "type %s is not supported yet", n)
		}
		return nil, pgerror.New(pgerror.CodeUndefinedObject, "type %q does not exist", name)
	}
	return applyMods(base, n, mods)
}

func resolveFloat(mods []int32) (*T, error) {
	switch len(mods) {
	case 0:
		return Float8, nil
	case 1:
		p := mods[0]
		if p < 1 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "precision for type float must be at least 1 bit")
		}
		if p <= 24 {
			return Float4, nil
		}
		if p <= 53 {
			return Float8, nil
		}
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "precision for type float must be less than 54 bits")
	}
	return nil, pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near \",\"")
}

// applyMods validates typmods as the type's typmodin function does.
func applyMods(base *T, n string, mods []int32) (*T, error) {
	if base.Family == FamChar && len(mods) == 0 && (n == "char" || n == "character") {
		// SQL says a bare CHARACTER is CHARACTER(1); bpchar stays unbounded.
		return BpcharN(1), nil
	}
	if len(mods) == 0 {
		return base, nil
	}
	typname := base.TypeName()
	switch base.Family {
	case FamVarchar, FamChar:
		if len(mods) != 1 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid type modifier")
		}
		if mods[0] < 1 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "length for type %s must be at least 1", typname)
		}
		if mods[0] > maxVarcharLen {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "length for type %s cannot exceed %d", typname, maxVarcharLen)
		}
		return &T{Family: base.Family, Width: mods[0]}, nil
	case FamNumeric:
		if len(mods) > 2 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid NUMERIC type modifier")
		}
		p := mods[0]
		if p < 1 || p > maxNumericPrec {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "NUMERIC precision %d must be between 1 and %d", p, maxNumericPrec)
		}
		var s int32
		if len(mods) == 2 {
			s = mods[1]
			if s < -maxNumericPrec || s > maxNumericPrec {
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "NUMERIC scale %d must be between %d and %d", s, -maxNumericPrec, maxNumericPrec)
			}
		}
		return NumericPS(p, s), nil
	case FamVector, FamHalfvec, FamSparsevec:
		limit := int32(maxVectorDims)
		if base.Family == FamSparsevec {
			limit = maxSparseDims
		}
		if len(mods) != 1 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid type modifier")
		}
		if mods[0] < 1 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "dimensions for type %s must be at least 1", typname)
		}
		if mods[0] > limit {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "dimensions for type %s cannot exceed %d", typname, limit)
		}
		return &T{Family: base.Family, Width: mods[0]}, nil
	case FamBit, FamVarbit:
		// anybit_typmodin, which names the type by its typname.
		if len(mods) != 1 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid type modifier")
		}
		if mods[0] < 1 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "length for type %s must be at least 1", typname)
		}
		if mods[0] > maxBitTypmod {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "length for type %s cannot exceed %d", typname, maxBitTypmod)
		}
		return &T{Family: base.Family, Width: mods[0]}, nil
	case FamTimestamp, FamTimestampTZ, FamInterval:
		if len(mods) != 1 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid type modifier")
		}
		if mods[0] < 0 {
			switch base.Family {
			case FamTimestamp:
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "TIMESTAMP(%d) precision must not be negative", mods[0])
			case FamTimestampTZ:
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "TIMESTAMP(%d) WITH TIME ZONE precision must not be negative", mods[0])
			}
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "INTERVAL(%d) precision must not be negative", mods[0])
		}
		p := mods[0]
		if p > 6 {
			// PostgreSQL warns and reduces the precision to 6.
			p = 6
		}
		return TimeP(base, p), nil
	}
	return nil, pgerror.New(pgerror.CodeSyntaxError, "type modifier is not allowed for type %q", typname)
}
