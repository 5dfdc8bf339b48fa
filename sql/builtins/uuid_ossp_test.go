package builtins

import (
	"crypto/md5"
	"crypto/sha1"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/types"
)

func mustUUID(t *testing.T, s string) types.DUUID {
	t.Helper()
	d, err := types.ParseText(types.UUID, s)
	if err != nil {
		t.Fatal(err)
	}
	return d.(types.DUUID)
}

// The expected values were made by PostgreSQL 15's uuid-ossp.
func TestNameUUIDsMatchUUIDOssp(t *testing.T) {
	for _, c := range []struct {
		version byte
		ns      string
		name    string
		want    string
	}{
		{3, "uuid_ns_dns", "www.example.com", "5df41881-3aed-3515-88a7-2f4a814cf09e"},
		{5, "uuid_ns_url", "http://www.postgresql.org", "e1ee1ad4-cd4e-5889-962a-4f605a68d94e"},
		{5, "uuid_ns_oid", "", "0a68eb57-c88a-5f34-9e9d-27f85e68af4f"},
	} {
		h := md5.New
		if c.version == 5 {
			h = sha1.New
		}
		if got := nameUUID(c.version, h, uuidNamespaces[c.ns], c.name); got != mustUUID(t, c.want) {
			t.Errorf("v%d(%s, %q) = %x, want %s", c.version, c.ns, c.name, got, c.want)
		}
	}
}

func TestTimeUUIDLayout(t *testing.T) {
	at := time.Date(2025, 12, 18, 10, 0, 0, 0, time.UTC)
	node := [6]byte{2, 0xfc, 0, 0, 0, 1}
	u, err := timeUUID(at, node)
	if err != nil {
		t.Fatal(err)
	}
	// Reassemble the 60-bit timestamp from time_low, time_mid and
	// time_hi_and_version.
	ts := uint64(u[6]&0x0f)<<56 | uint64(u[7])<<48 | uint64(u[4])<<40 | uint64(u[5])<<32 |
		uint64(u[0])<<24 | uint64(u[1])<<16 | uint64(u[2])<<8 | uint64(u[3])
	if got := time.Unix(0, int64(ts-uuidEpochOffset)*100).UTC(); !got.Equal(at) {
		t.Errorf("timestamp %v, want %v", got, at)
	}
	if u[6]>>4 != 1 || u[8]>>6 != 2 || [6]byte(u[10:]) != node {
		t.Errorf("layout of %x", u)
	}
	mc, err := randomNode()
	if err != nil || mc[0]&1 != 1 {
		t.Errorf("v1mc node %x without the multicast bit", mc)
	}
}
