package server

import (
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/sql/types"
)

// inputReady reports whether sql/types parses text input yet.
var inputReady = func() bool {
	d, err := types.ParseText(types.Int4, "7")
	return err == nil && d == types.DInt(7)
}()

// binaryReady reports whether sql/types has binary send/receive yet.
var binaryReady = func() bool {
	b, err := types.EncodeBinary(nil, types.Int4, types.DInt(1))
	return err == nil && len(b) == 4
}()

func TestExtendedProtocol(t *testing.T) {
	_, _, addr := startServer(t, Config{})
	row1 := rowText("1")
	tests := []struct {
		name   string
		msgs   []pgproto3.FrontendMessage
		want   []string
		binary bool // needs sql/types binary formats
		input  bool // needs sql/types text input
	}{
		{
			name: "describe statement",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Name: "s_two", Query: "select two"},
				&pgproto3.Describe{ObjectType: 'S', Name: "s_two"},
				&pgproto3.Sync{},
			},
			want: []string{"ParseOk", "ParamDesc []", "RowDesc a:20/8/-1/16384.1/f0 b:1043/-1/14/16384.2/f0", "Ready I"},
		},
		{
			name: "bind describe execute a named statement",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Bind{PreparedStatement: "s_two"},
				&pgproto3.Describe{ObjectType: 'P'},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{"BindOk", "RowDesc a:20/8/-1/16384.1/f0 b:1043/-1/14/16384.2/f0",
				rowText("1", "x"), rowText("2", "NULL"), "Complete SELECT 2", "Ready I"},
		},
		{
			name: "portal suspension",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "gen 5"},
				&pgproto3.Bind{DestinationPortal: "p"},
				&pgproto3.Execute{Portal: "p", MaxRows: 2},
				&pgproto3.Execute{Portal: "p", MaxRows: 2},
				&pgproto3.Execute{Portal: "p", MaxRows: 2},
				&pgproto3.Sync{},
			},
			want: []string{"ParseOk", "BindOk", rowText("1"), rowText("2"), "Suspended",
				rowText("3"), rowText("4"), "Suspended", rowText("5"), "Complete SELECT 5", "Ready I"},
		},
		{
			name: "portals outside a block end at Sync",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Execute{Portal: "p"},
				&pgproto3.Sync{},
			},
			want: []string{`ERROR 34000 portal "p" does not exist`, "Ready I"},
		},
		{
			name: "error skips to Sync",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "missing"},
				&pgproto3.Bind{},
				&pgproto3.Execute{},
				&pgproto3.Parse{Query: "select 1"},
				&pgproto3.Bind{},
				&pgproto3.Execute{},
				&pgproto3.Query{String: "select 1"},
				&pgproto3.Sync{},
				&pgproto3.Parse{Query: "select 1"},
				&pgproto3.Bind{},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{"ParseOk", "BindOk", `ERROR 42P01 relation "nope" does not exist @15`, "Ready I",
				"ParseOk", "BindOk", row1, "Complete SELECT 1", "Ready I"},
		},
		{
			name: "parse error",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "bad"},
				&pgproto3.Bind{},
				&pgproto3.Describe{ObjectType: 'P'},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{`ERROR 42601 syntax error at or near "bad" @1`, "Ready I"},
		},
		{
			name: "parameter types",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Name: "echo", Query: "echo $1 $2", ParameterOIDs: []uint32{25, 0}},
				&pgproto3.Describe{ObjectType: 'S', Name: "echo"},
				&pgproto3.Sync{},
			},
			want: []string{"ParseOk", "ParamDesc [25 23]", "RowDesc p1:25/-1/-1/0.0/f0 p2:23/4/-1/0.0/f0", "Ready I"},
		},
		{
			name: "text parameters",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Bind{PreparedStatement: "echo", Parameters: [][]byte{[]byte("hello"), nil}},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want:  []string{"BindOk", rowText("hello", "NULL"), "Complete SELECT 1", "Ready I"},
			input: true,
		},
		{
			name: "binary parameters and results",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Bind{PreparedStatement: "echo", ParameterFormatCodes: []int16{0, 1},
					Parameters: [][]byte{[]byte("hi"), {0, 0, 0, 42}}, ResultFormatCodes: []int16{1}},
				&pgproto3.Describe{ObjectType: 'P'},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{"BindOk", "RowDesc p1:25/-1/-1/0.0/f1 p2:23/4/-1/0.0/f1",
				`Row "hi","\x00\x00\x00*"`, "Complete SELECT 1", "Ready I"},
			binary: true,
		},
		{
			name: "bind errors",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Bind{PreparedStatement: "nope"},
				&pgproto3.Sync{},
				&pgproto3.Bind{PreparedStatement: "echo", Parameters: [][]byte{[]byte("x")}},
				&pgproto3.Sync{},
				&pgproto3.Bind{PreparedStatement: "s_two", ResultFormatCodes: []int16{0, 1, 0}},
				&pgproto3.Sync{},
				&pgproto3.Parse{Name: "echo", Query: "select 1"},
				&pgproto3.Sync{},
			},
			want: []string{
				`ERROR 26000 prepared statement "nope" does not exist`, "Ready I",
				`ERROR 08P01 bind message supplies 1 parameters, but prepared statement "echo" requires 2`, "Ready I",
				"ERROR 08P01 bind message has 3 result formats but query has 2 columns", "Ready I",
				`ERROR 42P05 prepared statement "echo" already exists`, "Ready I",
			},
		},
		{
			name: "close",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Close{ObjectType: 'S', Name: "echo"},
				&pgproto3.Close{ObjectType: 'P', Name: "never-opened"},
				&pgproto3.Describe{ObjectType: 'S', Name: "echo"},
				&pgproto3.Sync{},
			},
			want: []string{"CloseOk", "CloseOk", `ERROR 26000 prepared statement "echo" does not exist`, "Ready I"},
		},
		{
			name: "empty query and no-data statements",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: ""},
				&pgproto3.Bind{},
				&pgproto3.Describe{ObjectType: 'P'},
				&pgproto3.Execute{},
				&pgproto3.Parse{Query: "begin"},
				&pgproto3.Describe{ObjectType: 'S'},
				&pgproto3.Bind{},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{"ParseOk", "BindOk", "NoData", "Empty",
				"ParseOk", "ParamDesc []", "NoData", "BindOk", "Complete BEGIN", "Ready T"},
		},
		{
			name: "portals survive Sync inside a block",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Name: "g3", Query: "gen 3"},
				&pgproto3.Bind{PreparedStatement: "g3", DestinationPortal: "c"},
				&pgproto3.Execute{Portal: "c", MaxRows: 2},
				&pgproto3.Sync{},
				&pgproto3.Execute{Portal: "c", MaxRows: 2},
				&pgproto3.Execute{Portal: "c", MaxRows: 2},
				&pgproto3.Parse{Query: "commit"},
				&pgproto3.Bind{},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{"ParseOk", "BindOk", rowText("1"), rowText("2"), "Suspended", "Ready T",
				rowText("3"), "Complete SELECT 3", "Complete SELECT 0", "ParseOk", "BindOk", "Complete COMMIT", "Ready I"},
		},
		{
			name: "row error",
			msgs: []pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "rowfail"},
				&pgproto3.Bind{},
				&pgproto3.Execute{},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
			},
			want: []string{"ParseOk", "BindOk", rowText("1"), "ERROR 22012 division by zero", "Ready I"},
		},
	}
	c, _ := connect(t, addr, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.binary && (!binaryReady || !inputReady) {
				// Keep the connection's statements in step with the table.
				c.send(&pgproto3.Sync{})
				c.untilReady()
				t.Skip("sql/types has no binary formats yet")
			}
			if tc.input && !inputReady {
				c.send(&pgproto3.Sync{})
				c.untilReady()
				t.Skip("sql/types has no text input yet")
			}
			c.send(tc.msgs...)
			var got []string
			for range countSyncs(tc.msgs) {
				got = append(got, c.untilReady()...)
			}
			expectSeq(t, tc.name, got, tc.want)
		})
	}
}

func countSyncs(msgs []pgproto3.FrontendMessage) int {
	n := 0
	for _, m := range msgs {
		if _, ok := m.(*pgproto3.Sync); ok {
			n++
		}
	}
	return n
}

func TestFlush(t *testing.T) {
	_, _, addr := startServer(t, Config{})
	c, _ := connect(t, addr, nil)
	c.send(&pgproto3.Parse{Query: "select 1"}, &pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Flush{})
	got := []string{c.receive(), c.receive(), c.receive()}
	expectSeq(t, "flush", got, []string{"ParseOk", "ParamDesc []", "RowDesc ?column?:23/4/-1/0.0/f0"})
	c.send(&pgproto3.Sync{})
	expectSeq(t, "sync", c.untilReady(), []string{"Ready I"})
}

func TestImplicitTransactions(t *testing.T) {
	_, eng, addr := startServer(t, Config{})
	c, _ := connect(t, addr, nil)
	tests := []struct {
		name string
		msgs []pgproto3.FrontendMessage
		want []string
	}{
		{"single statement", []pgproto3.FrontendMessage{&pgproto3.Query{String: "select 1"}}, nil},
		{"multi-statement query", []pgproto3.FrontendMessage{&pgproto3.Query{String: "select 1; select 1"}},
			[]string{"start", "end"}},
		{"multi-statement query with an error", []pgproto3.FrontendMessage{&pgproto3.Query{String: "select 1; missing"}},
			[]string{"start", "abort"}},
		{"extended batch", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "select 1"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{},
		}, []string{"start", "end"}},
		{"extended batch with an error", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "select 1"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Parse{Query: "missing"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{},
		}, []string{"start", "abort"}},
		{"simple query ends an unsynced batch", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "select 1"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Query{String: "select 1"},
		}, []string{"start", "end"}},
		{"parse and describe only", []pgproto3.FrontendMessage{
			&pgproto3.Parse{Query: "select 1"}, &pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Sync{},
		}, nil},
	}
	for _, tc := range tests {
		c.send(tc.msgs...)
		c.untilReady()
		expectSeq(t, tc.name, eng.takeEvents(), tc.want)
	}
}

func TestStatementFailedReported(t *testing.T) {
	_, eng, addr := startServer(t, Config{})
	eng.recordsFailures = true
	c, _ := connect(t, addr, nil)
	tests := []struct {
		name       string
		msgs       []pgproto3.FrontendMessage
		wantEvents []string
		wantLast   string
	}{
		{"parse error in a block", []pgproto3.FrontendMessage{&pgproto3.Query{String: "begin"}, &pgproto3.Query{String: "bad"}},
			[]string{"failed"}, "Ready E"},
		{"no failure", []pgproto3.FrontendMessage{&pgproto3.Query{String: "commit; select 1"}},
			[]string{"start", "end"}, "Ready I"},
		{"execute error in a block", []pgproto3.FrontendMessage{&pgproto3.Query{String: "begin"}, &pgproto3.Query{String: "missing"}},
			[]string{"failed"}, "Ready E"},
		{"extended bind error", []pgproto3.FrontendMessage{&pgproto3.Query{String: "commit"},
			&pgproto3.Bind{PreparedStatement: "nope"}, &pgproto3.Sync{}},
			[]string{"failed"}, "Ready I"},
	}
	for _, tc := range tests {
		var got []string
		for _, m := range tc.msgs {
			c.send(m)
			if _, ok := m.(*pgproto3.Bind); ok {
				continue
			}
			got = c.untilReady()
		}
		// The statement-level errors are reported whatever the session does.
		expectSeq(t, tc.name+" events", eng.takeEvents(), tc.wantEvents)
		if last := got[len(got)-1]; last != tc.wantLast {
			t.Errorf("%s: ended with %s, want %s", tc.name, last, tc.wantLast)
		}
	}
}
