package logictest

import "testing"

// startInProcess starts a Quiver server with an in-memory store and returns
// an admin DSN for its "postgres" database.
//
// The server package has no public constructor yet, so for now this runs
// the real binary with --in-memory; it becomes server.New + Serve on a
// loopback listener once that API exists.
func startInProcess(t *testing.T) string {
	t.Helper()
	p := startQuiverProc(t, "--in-memory")
	return p.dsn("postgres")
}
