package pgcatalog

import (
	"time"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/types"
)

// Lock is one advisory lock held or awaited by a session, as pg_locks
// shows it; the executor's lock table fills it in.
type Lock struct {
	Database    uint32
	Key         builtins.AdvisoryKey
	VirtualXact string
	PID         int32
	Mode        string
	Granted     bool
	// WaitStart is when a waiter began to wait (zero when granted).
	WaitStart time.Time
}

func init() {
	// Only advisory locks are shown: Quiver's other locks (row locks) are
	// not PostgreSQL's heavyweight locks.
	register("pg_catalog", "pg_locks", 12073, []planner.Column{
		col("locktype", types.Text), col("database", types.Oid), col("relation", types.Oid), col("page", types.Int4),
		col("tuple", types.Int2), col("virtualxid", types.Text), col("transactionid", tXid), col("classid", types.Oid),
		col("objid", types.Oid), col("objsubid", types.Int2), col("virtualtransaction", types.Text), col("pid", types.Int4),
		col("mode", types.Text), col("granted", types.Bool), col("fastpath", types.Bool), col("waitstart", types.TimestampTZ),
	}, func(c *Context) ([][]types.Datum, error) {
		if c.Locks == nil {
			return nil, nil
		}
		null := types.Null
		var rows [][]types.Datum
		for _, l := range c.Locks() {
			var waitStart types.Datum = null
			if !l.Granted {
				waitStart = builtins.TimestampTZ(l.WaitStart)
			}
			rows = append(rows, []types.Datum{dS("advisory"), dO(l.Database), null, null, null, null, null, dO(l.Key.ClassID),
				dO(l.Key.ObjID), types.DInt(l.Key.ObjSubID), dS(l.VirtualXact), types.DInt(l.PID), dS(l.Mode), dB(l.Granted),
				dB(false), waitStart})
		}
		return rows, nil
	})
}
