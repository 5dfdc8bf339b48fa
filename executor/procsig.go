package executor

import (
	"github.com/quiverdb/quiver/executor/pgcatalog"
	"github.com/quiverdb/quiver/sql/builtins"
)

// ProcRowByOID implements builtins.ProcLookupSession: pg_proc rows of
// types' I/O and cast functions, which the registry does not hold.
func (s *Session) ProcRowByOID(oid uint32) (*builtins.ProcRow, bool) {
	return pgcatalog.ProcRowByOID(oid)
}

// DescribeObject implements builtins.ObjectDescriberSession.
func (s *Session) DescribeObject(classid, objid uint32) (string, bool) {
	return pgcatalog.DescribeObject(classid, objid)
}
