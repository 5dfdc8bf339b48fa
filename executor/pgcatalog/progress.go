package pgcatalog

import (
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/types"
)

// IndexProgress is one running CREATE INDEX or REINDEX as
// pg_stat_progress_create_index shows it; the engine fills it in, since
// only it sees every session's builds.
type IndexProgress struct {
	PID                       int32
	DatID                     uint32
	DatName                   string
	RelID, IndexRelID         uint32
	Command                   string // CREATE INDEX, CREATE INDEX CONCURRENTLY, REINDEX
	Phase                     string // PostgreSQL's phase names, the access method's after "building index: "
	LockersTotal, LockersDone int64
	TuplesTotal, TuplesDone   int64
}

func init() {
	register("pg_catalog", "pg_stat_progress_create_index", 12166, []planner.Column{
		col("pid", types.Int4), col("datid", types.Oid), col("datname", types.Name), col("relid", types.Oid),
		col("index_relid", types.Oid), col("command", types.Text), col("phase", types.Text),
		col("lockers_total", types.Int8), col("lockers_done", types.Int8), col("current_locker_pid", types.Int8),
		col("blocks_total", types.Int8), col("blocks_done", types.Int8), col("tuples_total", types.Int8),
		col("tuples_done", types.Int8), col("partitions_total", types.Int8), col("partitions_done", types.Int8),
	}, progressRows)
}

func progressRows(c *Context) ([][]types.Datum, error) {
	if c.Progress == nil {
		return nil, nil
	}
	var out [][]types.Datum
	for _, p := range c.Progress() {
		out = append(out, []types.Datum{
			types.DInt(p.PID), dO(p.DatID), dS(p.DatName), dO(p.RelID), dO(p.IndexRelID), dS(p.Command), dS(p.Phase),
			dI(p.LockersTotal), dI(p.LockersDone), dI(0), dI(0), dI(0), dI(p.TuplesTotal), dI(p.TuplesDone), dI(0), dI(0),
		})
	}
	return out, nil
}
