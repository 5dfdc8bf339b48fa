//go:build pgonly

package logictest

import "testing"

// With the pgonly build tag the tests do not link Quiver's packages, so
// expected results can be recorded and checked against PostgreSQL
// (QUIVER_LOGIC_DSN) even while the engine does not build.
func startInProcess(t *testing.T) string {
	t.Helper()
	t.Fatal("built with -tags pgonly: set QUIVER_LOGIC_DSN to an external server")
	return ""
}

// startSCRAMServer needs Quiver: with pgonly, the clients run against
// QUIVER_LOGIC_DSN (its password, if any, is used).
func startSCRAMServer(t *testing.T) logicServer {
	t.Helper()
	t.Fatal("built with -tags pgonly: set QUIVER_LOGIC_DSN to an external server")
	return logicServer{}
}
