package builtins

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"encoding/binary"
	"hash"
	"net"
	"sync"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// extUUIDOssp is extension uuid-ossp's name, which its functions carry.
const extUUIDOssp = "uuid-ossp"

// uuidEpochOffset is the number of 100 ns intervals between the UUID
// epoch (1582-10-15, the Gregorian reform) and the Unix epoch.
const uuidEpochOffset = 122192928000000000

// uuidNamespaces are RFC 4122's name spaces, as uuid_ns_* return them.
var uuidNamespaces = map[string]types.DUUID{
	"uuid_ns_dns":  {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8},
	"uuid_ns_url":  {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8},
	"uuid_ns_oid":  {0x6b, 0xa7, 0xb8, 0x12, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8},
	"uuid_ns_x500": {0x6b, 0xa7, 0xb8, 0x14, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8},
}

func registerUUIDOssp() {
	constant := func(u types.DUUID) *Overload {
		return &Overload{Return: types.UUID, Extension: extUUIDOssp, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return u, nil
		}}
	}
	addFunc("uuid_nil", constant(types.DUUID{}))
	for name, u := range uuidNamespaces {
		addFunc(name, constant(u))
	}
	volatile := func(f func() (types.DUUID, error)) *Overload {
		return &Overload{Return: types.UUID, Volatile: true, Extension: extUUIDOssp, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			u, err := f()
			if err != nil {
				return nil, err
			}
			return u, nil
		}}
	}
	addFunc("uuid_generate_v1", volatile(func() (types.DUUID, error) {
		node, err := hardwareNode()
		if err != nil {
			return types.DUUID{}, err
		}
		return timeUUID(time.Now(), node)
	}))
	addFunc("uuid_generate_v1mc", volatile(func() (types.DUUID, error) {
		node, err := randomNode()
		if err != nil {
			return types.DUUID{}, err
		}
		return timeUUID(time.Now(), node)
	}))
	addFunc("uuid_generate_v4", volatile(func() (types.DUUID, error) {
		u, err := randomUUID()
		if err != nil {
			return types.DUUID{}, err
		}
		return u.(types.DUUID), nil
	}))
	named := func(version byte, h func() hash.Hash) *Overload {
		return &Overload{Params: params(types.UUID, types.Text), Return: types.UUID, Extension: extUUIDOssp,
			Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				ns := a[0].(types.DUUID)
				return nameUUID(version, h, ns, str(a[1])), nil
			}}
	}
	addFunc("uuid_generate_v3", named(3, md5.New))
	addFunc("uuid_generate_v5", named(5, sha1.New))
}

// nameUUID is RFC 4122's name-based UUID of the given version: the
// hash of the name space's bytes followed by the name's.
func nameUUID(version byte, newHash func() hash.Hash, ns types.DUUID, name string) types.DUUID {
	h := newHash()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u types.DUUID
	copy(u[:], h.Sum(nil))
	return withVersion(u, version)
}

// withVersion sets a UUID's version nibble and RFC 4122 variant bits.
func withVersion(u types.DUUID, version byte) types.DUUID {
	u[6] = u[6]&0x0f | version<<4
	u[8] = u[8]&0x3f | 0x80
	return u
}

// timeUUID is a version 1 UUID for time t and a 6-byte node. The clock
// sequence is random on each call rather than kept between calls: with
// no shared state, it is what keeps two UUIDs of the same 100 ns tick
// (or of a clock set back) apart.
func timeUUID(t time.Time, node [6]byte) (types.DUUID, error) {
	var seq [2]byte
	if _, err := rand.Read(seq[:]); err != nil {
		return types.DUUID{}, pgerror.Wrap(err, pgerror.CodeInternal, "could not generate random values")
	}
	ts := uint64(t.UnixNano()/100) + uuidEpochOffset
	var u types.DUUID
	binary.BigEndian.PutUint32(u[0:4], uint32(ts))
	binary.BigEndian.PutUint16(u[4:6], uint16(ts>>32))
	binary.BigEndian.PutUint16(u[6:8], uint16(ts>>48))
	copy(u[8:10], seq[:])
	copy(u[10:], node[:])
	return withVersion(u, 1), nil
}

// randomNode is uuid_generate_v1mc's node: random, with the multicast
// bit set so it cannot be any card's address.
func randomNode() ([6]byte, error) {
	var n [6]byte
	if _, err := rand.Read(n[:]); err != nil {
		return n, pgerror.Wrap(err, pgerror.CodeInternal, "could not generate random values")
	}
	n[0] |= 0x01
	return n, nil
}

// hardwareNode is uuid_generate_v1's node: the MAC address of the
// host's first network interface that has one, as PostgreSQL's UUID
// library uses; a random multicast node when there is none. The
// interfaces are listed once: they are read-only afterwards.
func hardwareNode() ([6]byte, error) {
	if n, ok := hostMAC(); ok {
		return n, nil
	}
	return randomNode()
}

var hostMAC = sync.OnceValues(func() ([6]byte, bool) {
	var n [6]byte
	ifs, err := net.Interfaces()
	if err != nil {
		return n, false
	}
	for _, i := range ifs {
		if len(i.HardwareAddr) == 6 && i.Flags&net.FlagLoopback == 0 && !allZero(i.HardwareAddr) {
			copy(n[:], i.HardwareAddr)
			return n, true
		}
	}
	return n, false
})

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
