package executor

import (
	"testing"

	"github.com/quiverdb/quiver/sql/types"
)

// A column definition list names and types the result columns the client
// is told about, modifiers included.
func TestColumnDefinitionListResultColumns(t *testing.T) {
	s := newTestSession(t)
	p := prepareOne(t, s, `SELECT * FROM jsonb_to_recordset('[{"sku":"a","price":"1.5"}]') AS r(sku text, price numeric(10,2), "At" timestamptz, tags varchar(3)[])`)
	want := []ResultColumn{
		{Name: "sku", Type: types.Text},
		{Name: "price", Type: &types.T{Family: types.FamNumeric, Width: 10, Scale: 2}},
		{Name: "At", Type: types.TimestampTZ},
		{Name: "tags", Type: types.ArrayOf(&types.T{Family: types.FamVarchar, Width: 3})},
	}
	if len(p.Columns) != len(want) {
		t.Fatalf("columns: %+v", p.Columns)
	}
	for i, c := range p.Columns {
		if c.Name != want[i].Name || !c.Type.Identical(want[i].Type) {
			t.Errorf("column %d: got %s %s, want %s %s", i, c.Name, c.Type, want[i].Name, want[i].Type)
		}
	}
	rows, err := run(t, s, `SELECT r.* FROM jsonb_to_recordset('[{"sku":"a","price":"1.505","tags":["x",null]}]') AS r(sku text, price numeric(10,2), "At" timestamptz, tags varchar(3)[])`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0][0] != "a" || rows[0][1] != "1.51" || rows[0][2] != "NULL" || rows[0][3] != "{x,NULL}" {
		t.Errorf("rows: %v", rows)
	}
}
