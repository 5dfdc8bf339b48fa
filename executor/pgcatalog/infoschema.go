package pgcatalog

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// information_schema's domains: sql_identifier is name, character_data and
// yes_or_no are varchar, cardinal_number is int4 (the values are what
// clients read; the domain names are not).
var (
	tIdent = types.Name
	tChars = types.Varchar
	tYesNo = types.Varchar
	tCard  = types.Int4
)

func yesNo(b bool) types.Datum {
	if b {
		return dS("YES")
	}
	return dS("NO")
}

// userTypeSchema names the schema of an enum type.
func userTypeSchema(c *Context, e *types.EnumType) string {
	if e != nil {
		if ty := c.Cat.Types[catalog.ID(e.OID)]; ty != nil {
			return schemaName(c, ty.SchemaID)
		}
	}
	return "public"
}

// columnTypeInfo is what information_schema.columns says about a type.
type columnTypeInfo struct {
	dataType, udtSchema, udtName string
	charMax, charOctets          types.Datum
	precision, radix, scale      types.Datum
	datetimePrecision            types.Datum
}

func typeInfo(c *Context, t *types.T) columnTypeInfo {
	ti := columnTypeInfo{dataType: t.BaseString(), udtSchema: "pg_catalog", udtName: t.TypeName(),
		charMax: null, charOctets: null, precision: null, radix: null, scale: null, datetimePrecision: null}
	if elem := t; elem.Family == types.FamEnum || elem.Family == types.FamArray && elem.Elem.Family == types.FamEnum {
		if elem.Family == types.FamArray {
			elem = elem.Elem
		}
		ti.udtSchema = userTypeSchema(c, elem.Enum)
	}
	switch t.Family {
	case types.FamEnum:
		ti.dataType = "USER-DEFINED"
	case types.FamArray:
		ti.dataType = "ARRAY"
		if t.Elem.Family == types.FamCitext {
			ti.udtSchema = "public"
		}
	case types.FamVector, types.FamHalfvec, types.FamSparsevec, types.FamCitext:
		ti.dataType, ti.udtSchema = "USER-DEFINED", "public"
	case types.FamVarchar, types.FamChar, types.FamText:
		if t.Width > 0 {
			ti.charMax, ti.charOctets = dI(int64(t.Width)), dI(int64(t.Width)*4)
		} else {
			ti.charOctets = dI(1073741824)
		}
	case types.FamBit, types.FamVarbit:
		// _pg_char_max_length counts bits for them; octets stay NULL.
		if t.Width > 0 {
			ti.charMax = dI(int64(t.Width))
		}
	case types.FamInt2:
		ti.precision, ti.radix, ti.scale = dI(16), dI(2), dI(0)
	case types.FamInt4:
		ti.precision, ti.radix, ti.scale = dI(32), dI(2), dI(0)
	case types.FamInt8:
		ti.precision, ti.radix, ti.scale = dI(64), dI(2), dI(0)
	case types.FamFloat4:
		ti.precision, ti.radix = dI(24), dI(2)
	case types.FamFloat8:
		ti.precision, ti.radix = dI(53), dI(2)
	case types.FamNumeric:
		ti.radix = dI(10)
		if t.Width > 0 {
			ti.precision, ti.scale = dI(int64(t.Width)), dI(int64(t.Scale))
		}
	case types.FamDate:
		ti.datetimePrecision = dI(0)
	case types.FamTimestamp, types.FamTimestampTZ, types.FamInterval:
		p, ok := t.TimePrecision()
		if !ok {
			p = 6
		}
		ti.datetimePrecision = dI(int64(p))
	}
	return ti
}

func fkRule(a string) string {
	if _, s := fkAction(a); s != "" {
		return s
	}
	return "NO ACTION"
}

func init() {
	const is = "information_schema"
	register(is, "schemata", 13100, []planner.Column{
		col("catalog_name", tIdent), col("schema_name", tIdent), col("schema_owner", tIdent),
		col("default_character_set_catalog", tIdent), col("default_character_set_schema", tIdent),
		col("default_character_set_name", tIdent), col("sql_path", tChars),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, s := range dbSchemas(c) {
			owner := s.Owner
			if s.Name == "public" {
				owner = "pg_database_owner"
			}
			rows = append(rows, []types.Datum{dS(c.DB.Name), dS(s.Name), dS(owner), null, null, null, null})
		}
		return rows, nil
	})

	register(is, "tables", 13101, []planner.Column{
		col("table_catalog", tIdent), col("table_schema", tIdent), col("table_name", tIdent), col("table_type", tChars),
		col("self_referencing_column_name", tIdent), col("reference_generation", tChars), col("user_defined_type_catalog", tIdent),
		col("user_defined_type_schema", tIdent), col("user_defined_type_name", tIdent), col("is_insertable_into", tYesNo),
		col("is_typed", tYesNo), col("commit_action", tChars),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range sqlTables(c) {
			rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schemaName(c, t.SchemaID)), dS(t.Name), dS("BASE TABLE"),
				null, null, null, null, null, dS("YES"), dS("NO"), null})
		}
		for _, v := range dbViews(c) {
			rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schemaName(c, v.SchemaID)), dS(v.Name), dS("VIEW"),
				null, null, null, null, null, yesNo(viewUpdatable(c, v)), dS("NO"), null})
		}
		for _, k := range sortedRegistry() {
			d := registry[k].def
			rows = append(rows, []types.Datum{dS(c.DB.Name), dS(d.Schema), dS(d.Name), dS("VIEW"),
				null, null, null, null, null, dS("NO"), dS("NO"), null})
		}
		return rows, nil
	})

	register(is, "columns", 13102, []planner.Column{
		col("table_catalog", tIdent), col("table_schema", tIdent), col("table_name", tIdent), col("column_name", tIdent),
		col("ordinal_position", tCard), col("column_default", tChars), col("is_nullable", tYesNo), col("data_type", tChars),
		col("character_maximum_length", tCard), col("character_octet_length", tCard), col("numeric_precision", tCard),
		col("numeric_precision_radix", tCard), col("numeric_scale", tCard), col("datetime_precision", tCard),
		col("interval_type", tChars), col("interval_precision", tCard), col("character_set_catalog", tIdent),
		col("character_set_schema", tIdent), col("character_set_name", tIdent), col("collation_catalog", tIdent),
		col("collation_schema", tIdent), col("collation_name", tIdent), col("domain_catalog", tIdent),
		col("domain_schema", tIdent), col("domain_name", tIdent), col("udt_catalog", tIdent), col("udt_schema", tIdent),
		col("udt_name", tIdent), col("scope_catalog", tIdent), col("scope_schema", tIdent), col("scope_name", tIdent),
		col("maximum_cardinality", tCard), col("dtd_identifier", tIdent), col("is_self_referencing", tYesNo),
		col("is_identity", tYesNo), col("identity_generation", tChars), col("identity_start", tChars),
		col("identity_increment", tChars), col("identity_maximum", tChars), col("identity_minimum", tChars),
		col("identity_cycle", tYesNo), col("is_generated", tChars), col("generation_expression", tChars), col("is_updatable", tYesNo),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range sqlTables(c) {
			schema := schemaName(c, t.SchemaID)
			for i := range t.Columns {
				cl := &t.Columns[i]
				if cl.Hidden || cl.Dropped {
					continue
				}
				ti := typeInfo(c, cl.Type)
				var def types.Datum = null
				if d := defaultForReader(c, cl); d != "" && cl.Identity == "" {
					def = dS(d)
				}
				ident, gen := "NO", types.Datum(null)
				switch cl.Identity {
				case "always":
					ident, gen = "YES", dS("ALWAYS")
				case "by default":
					ident, gen = "YES", dS("BY DEFAULT")
				}
				identStart, identIncr, identMax, identMin, identCycle := types.Datum(null), types.Datum(null), types.Datum(null), types.Datum(null), dS("NO")
				if seq := c.Cat.Sequences[cl.SequenceID]; seq != nil && cl.Identity != "" {
					identStart, identIncr = dS(strconv.FormatInt(seq.Start, 10)), dS(strconv.FormatInt(seq.Increment, 10))
					identMax, identMin = dS(strconv.FormatInt(seq.Max, 10)), dS(strconv.FormatInt(seq.Min, 10))
					identCycle = yesNo(seq.Cycle)
				}
				isGenerated, genExpr := dS("NEVER"), types.Datum(null)
				if cl.Generated != "" {
					isGenerated, genExpr = dS("ALWAYS"), dS(cl.Generated)
				}
				pos := strconv.Itoa(i + 1)
				rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schema), dS(t.Name), dS(cl.Name), dI(int64(i + 1)), def,
					yesNo(!cl.NotNull), dS(ti.dataType), ti.charMax, ti.charOctets, ti.precision, ti.radix, ti.scale,
					ti.datetimePrecision, null, null, null, null, null, null, null, null, null, null, null,
					dS(c.DB.Name), dS(ti.udtSchema), dS(ti.udtName), null, null, null, null, dS(pos), dS("NO"),
					dS(ident), gen, identStart, identIncr, identMax, identMin, identCycle, isGenerated, genExpr, dS("YES")})
			}
		}
		for _, v := range dbViews(c) {
			schema := schemaName(c, v.SchemaID)
			updatable := yesNo(viewUpdatable(c, v))
			for i, cl := range v.Columns {
				ti := typeInfo(c, cl.Type)
				pos := strconv.Itoa(i + 1)
				rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schema), dS(v.Name), dS(cl.Name), dI(int64(i + 1)), null,
					dS("YES"), dS(ti.dataType), ti.charMax, ti.charOctets, ti.precision, ti.radix, ti.scale,
					ti.datetimePrecision, null, null, null, null, null, null, null, null, null, null, null,
					dS(c.DB.Name), dS(ti.udtSchema), dS(ti.udtName), null, null, null, null, dS(pos), dS("NO"),
					dS("NO"), null, null, null, null, null, dS("NO"), dS("NEVER"), null, updatable})
			}
		}
		return rows, nil
	})

	register(is, "table_constraints", 13103, []planner.Column{
		col("constraint_catalog", tIdent), col("constraint_schema", tIdent), col("constraint_name", tIdent),
		col("table_catalog", tIdent), col("table_schema", tIdent), col("table_name", tIdent), col("constraint_type", tChars),
		col("is_deferrable", tYesNo), col("initially_deferred", tYesNo), col("enforced", tYesNo), col("nulls_distinct", tYesNo),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range sqlTables(c) {
			schema := schemaName(c, t.SchemaID)
			for _, ci := range tableConstraints(c, t) {
				kind := map[string]string{"p": "PRIMARY KEY", "u": "UNIQUE", "c": "CHECK", "f": "FOREIGN KEY"}[ci.kind]
				var nd types.Datum = null
				if ci.kind == "u" {
					nd = dS("YES")
				}
				rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schema), dS(ci.name), dS(c.DB.Name), dS(schema), dS(t.Name),
					dS(kind), yesNo(ci.deferrable), yesNo(ci.deferred), dS("YES"), nd})
			}
			for _, nn := range notNullChecks(t) {
				rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schema), dS(nn.name), dS(c.DB.Name), dS(schema), dS(t.Name),
					dS("CHECK"), dS("NO"), dS("NO"), dS("YES"), null})
			}
		}
		return rows, nil
	})

	register(is, "key_column_usage", 13104, []planner.Column{
		col("constraint_catalog", tIdent), col("constraint_schema", tIdent), col("constraint_name", tIdent),
		col("table_catalog", tIdent), col("table_schema", tIdent), col("table_name", tIdent), col("column_name", tIdent),
		col("ordinal_position", tCard), col("position_in_unique_constraint", tCard),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range sqlTables(c) {
			schema := schemaName(c, t.SchemaID)
			for _, ci := range tableConstraints(c, t) {
				if ci.kind == "c" {
					continue
				}
				for k, colIdx := range ci.cols {
					if colIdx < 0 || colIdx >= len(t.Columns) {
						continue
					}
					rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schema), dS(ci.name), dS(c.DB.Name), dS(schema), dS(t.Name),
						dS(t.Columns[colIdx].Name), dI(int64(k + 1)), positionInUnique(c, &ci, k)})
				}
			}
		}
		return rows, nil
	})

	register(is, "constraint_column_usage", 13105, []planner.Column{
		col("table_catalog", tIdent), col("table_schema", tIdent), col("table_name", tIdent), col("column_name", tIdent),
		col("constraint_catalog", tIdent), col("constraint_schema", tIdent), col("constraint_name", tIdent),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range sqlTables(c) {
			schema := schemaName(c, t.SchemaID)
			for _, ci := range tableConstraints(c, t) {
				// A foreign key uses the referenced columns; the others their own.
				target, cols := t, ci.cols
				if ci.kind == "f" {
					target, cols = c.Cat.Tables[catalog.ID(ci.refRel)], ci.refCols
					if target == nil {
						continue
					}
				}
				for _, colIdx := range cols {
					if colIdx < 0 || colIdx >= len(target.Columns) {
						continue
					}
					rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schemaName(c, target.SchemaID)), dS(target.Name),
						dS(target.Columns[colIdx].Name), dS(c.DB.Name), dS(schema), dS(ci.name)})
				}
			}
		}
		return rows, nil
	})

	register(is, "referential_constraints", 13106, []planner.Column{
		col("constraint_catalog", tIdent), col("constraint_schema", tIdent), col("constraint_name", tIdent),
		col("unique_constraint_catalog", tIdent), col("unique_constraint_schema", tIdent), col("unique_constraint_name", tIdent),
		col("match_option", tChars), col("update_rule", tChars), col("delete_rule", tChars),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range sqlTables(c) {
			schema := schemaName(c, t.SchemaID)
			for _, ci := range tableConstraints(c, t) {
				if ci.kind != "f" {
					continue
				}
				uq, uqSchema := types.Datum(null), types.Datum(null)
				if ref := c.Cat.Tables[catalog.ID(ci.refRel)]; ref != nil {
					uqSchema = dS(schemaName(c, ref.SchemaID))
					for _, rc := range tableConstraints(c, ref) {
						if (rc.kind == "p" || rc.kind == "u") && sameColumnSet(rc.cols, ci.refCols) {
							uq = dS(rc.name)
							break
						}
					}
				}
				match := "NONE" // MATCH SIMPLE
				if ci.matchFull {
					match = "FULL"
				}
				rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schema), dS(ci.name), dS(c.DB.Name), uqSchema, uq,
					dS(match), dS(fkRule(ci.onUpd)), dS(fkRule(ci.onDel))})
			}
		}
		return rows, nil
	})

	register(is, "check_constraints", 13111, []planner.Column{
		col("constraint_catalog", tIdent), col("constraint_schema", tIdent), col("constraint_name", tIdent),
		col("check_clause", tChars),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, t := range sqlTables(c) {
			schema := schemaName(c, t.SchemaID)
			for _, ci := range tableConstraints(c, t) {
				if ci.kind == "c" {
					// PostgreSQL's view: pg_get_constraintdef without "CHECK ".
					rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schema), dS(ci.name), dS(strings.TrimPrefix(ci.def, "CHECK "))})
				}
			}
			for _, nn := range notNullChecks(t) {
				rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schema), dS(nn.name), dS(nn.clause)})
			}
		}
		return rows, nil
	})

	register(is, "views", 13107, []planner.Column{
		col("table_catalog", tIdent), col("table_schema", tIdent), col("table_name", tIdent), col("view_definition", tChars),
		col("check_option", tChars), col("is_updatable", tYesNo), col("is_insertable_into", tYesNo),
		col("is_trigger_updatable", tYesNo), col("is_trigger_deletable", tYesNo), col("is_trigger_insertable_into", tYesNo),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, v := range dbViews(c) {
			updatable := yesNo(viewUpdatable(c, v))
			rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schemaName(c, v.SchemaID)), dS(v.Name), dS(viewDefinition(c, v)),
				dS("NONE"), updatable, updatable, dS("NO"), dS("NO"), dS("NO")})
		}
		return rows, nil
	})

	register(is, "view_table_usage", 13112, []planner.Column{
		col("view_catalog", tIdent), col("view_schema", tIdent), col("view_name", tIdent),
		col("table_catalog", tIdent), col("table_schema", tIdent), col("table_name", tIdent),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, v := range dbViews(c) {
			for _, d := range v.DependsOn {
				var schema catalog.ID
				var name string
				if t := c.Cat.Tables[d]; t != nil {
					schema, name = t.SchemaID, t.Name
				} else if w := c.Cat.Views[d]; w != nil {
					schema, name = w.SchemaID, w.Name
				} else {
					continue
				}
				rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schemaName(c, v.SchemaID)), dS(v.Name),
					dS(c.DB.Name), dS(schemaName(c, schema)), dS(name)})
			}
		}
		return rows, nil
	})

	register(is, "sequences", 13108, []planner.Column{
		col("sequence_catalog", tIdent), col("sequence_schema", tIdent), col("sequence_name", tIdent), col("data_type", tChars),
		col("numeric_precision", tCard), col("numeric_precision_radix", tCard), col("numeric_scale", tCard),
		col("start_value", tChars), col("minimum_value", tChars), col("maximum_value", tChars), col("increment", tChars),
		col("cycle_option", tYesNo),
	}, func(c *Context) ([][]types.Datum, error) {
		var rows [][]types.Datum
		for _, s := range dbSequences(c) {
			t := types.ByOID(seqType(s))
			if t == nil {
				t = types.Int8
			}
			ti := typeInfo(c, t)
			rows = append(rows, []types.Datum{dS(c.DB.Name), dS(schemaName(c, s.SchemaID)), dS(s.Name), dS(ti.dataType),
				ti.precision, ti.radix, ti.scale, dS(strconv.FormatInt(s.Start, 10)), dS(strconv.FormatInt(s.Min, 10)),
				dS(strconv.FormatInt(s.Max, 10)), dS(strconv.FormatInt(s.Increment, 10)), yesNo(s.Cycle)})
		}
		return rows, nil
	})

	register(is, "routines", 13109, []planner.Column{
		col("specific_catalog", tIdent), col("specific_schema", tIdent), col("specific_name", tIdent),
		col("routine_catalog", tIdent), col("routine_schema", tIdent), col("routine_name", tIdent), col("routine_type", tChars),
		col("data_type", tChars), col("type_udt_catalog", tIdent), col("type_udt_schema", tIdent), col("type_udt_name", tIdent),
		col("routine_body", tChars), col("routine_definition", tChars), col("external_name", tChars),
		col("external_language", tChars), col("is_deterministic", tYesNo), col("security_type", tChars),
	}, empty)

	register(is, "character_sets", 13110, []planner.Column{
		col("character_set_catalog", tIdent), col("character_set_schema", tIdent), col("character_set_name", tIdent),
		col("character_repertoire", tIdent), col("form_of_use", tIdent), col("default_collate_catalog", tIdent),
		col("default_collate_schema", tIdent), col("default_collate_name", tIdent),
	}, func(c *Context) ([][]types.Datum, error) {
		return [][]types.Datum{{null, null, dS("UTF8"), dS("UCS"), dS("UTF8"), dS(c.DB.Name), dS("pg_catalog"), dS("C.UTF-8")}}, nil
	})
}

// positionInUnique is key_column_usage.position_in_unique_constraint: for
// column k of a foreign key, the position of the column it references in
// the referenced table's key; NULL for other constraints.
func positionInUnique(c *Context, ci *constraintInfo, k int) types.Datum {
	if ci.kind != "f" || k >= len(ci.refCols) {
		return null
	}
	if ref := c.Cat.Tables[catalog.ID(ci.refRel)]; ref != nil {
		for _, rc := range tableConstraints(c, ref) {
			if (rc.kind == "p" || rc.kind == "u") && sameColumnSet(rc.cols, ci.refCols) {
				for i, col := range rc.cols {
					if col == ci.refCols[k] {
						return dI(int64(i + 1))
					}
				}
			}
		}
	}
	return dI(int64(k + 1))
}

// notNullCheck is one of the CHECK constraints information_schema shows
// for NOT NULL columns, named <schema oid>_<table oid>_<attnum>_not_null
// as PostgreSQL 15 names them.
type notNullCheck struct{ name, clause string }

func notNullChecks(t *catalog.Table) []notNullCheck {
	var out []notNullCheck
	for i, cl := range t.Columns {
		if cl.NotNull && !cl.Hidden && !cl.Dropped {
			out = append(out, notNullCheck{
				name:   fmt.Sprintf("%d_%d_%d_not_null", t.SchemaID, t.ID, i+1),
				clause: cl.Name + " IS NOT NULL",
			})
		}
	}
	return out
}

// sqlTables are the tables the SQL standard's views describe: materialized
// views, which the standard lacks, are left out as PostgreSQL leaves them.
func sqlTables(c *Context) []*catalog.Table {
	var out []*catalog.Table
	for _, t := range dbTables(c) {
		if t.Matview == nil {
			out = append(out, t)
		}
	}
	return out
}
