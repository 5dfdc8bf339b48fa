package pgcatalog

import (
	"time"

	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/types"
)

// Activity is one session as pg_stat_activity shows it; the server fills
// it in, since only it sees every connection.
type Activity struct {
	PID             int32
	Database        string
	User            string
	ApplicationName string
	// ClientAddr and ClientPort are empty/0 for Unix-socket clients.
	ClientAddr   string
	ClientPort   int32
	BackendStart time.Time
	// XactStart is zero outside a transaction; QueryStart zero before the
	// first statement.
	XactStart   time.Time
	QueryStart  time.Time
	StateChange time.Time
	// State is PostgreSQL's: active, idle, idle in transaction, idle in
	// transaction (aborted).
	State string
	// Query is the running statement, or the last one when idle.
	Query string
}

// activityRows builds pg_stat_activity. Without a server's list the
// calling session is the only one known.
func activityRows(c *Context) [][]types.Datum {
	var list []Activity
	if c.Activity != nil {
		list = c.Activity()
	} else {
		app := ""
		if c.Setting != nil {
			app = c.Setting("application_name")
		}
		list = []Activity{{PID: c.PID, Database: c.DB.Name, User: c.User, ApplicationName: app, State: "active"}}
	}
	ts := func(t time.Time) types.Datum {
		if t.IsZero() {
			return types.Null
		}
		return builtins.TimestampTZ(t)
	}
	null := types.Null
	rows := make([][]types.Datum, 0, len(list))
	for _, a := range list {
		datid := null
		if db := c.Cat.DatabaseByName(a.Database); db != nil {
			datid = dO(uint32(db.ID))
		}
		port := null
		if a.ClientAddr != "" {
			port = types.DInt(a.ClientPort)
		}
		rows = append(rows, []types.Datum{datid, dS(a.Database), types.DInt(a.PID), null, dO(roleOID(c, a.User)), dS(a.User),
			dS(a.ApplicationName), dSnull(a.ClientAddr), null, port, ts(a.BackendStart),
			ts(a.XactStart), ts(a.QueryStart), ts(a.StateChange), null, null, dS(a.State), null, null, null, dS(a.Query),
			dS("client backend")})
	}
	return rows
}
