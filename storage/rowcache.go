package storage

import (
	"sync"
)

// rowCache keeps the newest committed version of recently read keys, so a
// point read of a hot row (pgbench -S, a primary-key lookup, a filtered
// k-NN's row fetch) skips Badger's LSM walk: memtables, then per level a
// bloom filter, an index binary search and a block decode, about a
// quarter of the server's CPU for a prepared primary-key SELECT.
//
// An entry (key, ts, val) claims that the newest committed version of key
// has commit timestamp ts and value val. Two rules keep that true:
//
//   - A commit drops the entries of every key it writes after reserve and
//     before finish, that is before any snapshot can include its
//     timestamp (Engine.commit, Engine.commitTxn).
//   - A reader that found version ts at snapshot readTs adds the entry only
//     if no commit after readTs writes the key (Engine.cacheRow). Every
//     such commit is in e.committed, since the reader's open snapshot holds
//     the pruning horizon at or below readTs, and the check and the add
//     happen under e.mu, which reserve takes too: a commit reserved before
//     the check is seen, one reserved after it drops the entry.
//
// A commit also adds the small values it writes (cacheWritten), after
// dropping its keys and before finish: their versions are the newest from
// the moment any snapshot can see them, so freshly loaded or updated rows
// are read from memory without a first miss. A small commit may evict
// other entries for them; a bulk one (COPY, a table rewrite) adds only
// its table rows and only into free room, so it warms an empty cache (the
// pgbench -S right after -i read each row through Badger's LSM and block
// cache otherwise) without evicting rows that readers brought in.
//
// A reader uses an entry only when ts <= its readTs; an older snapshot
// reads Badger. Keys are found by the fingerprint the conflict check
// already computes, and compared in full.
type rowCache struct {
	shards   [rowCacheShards]rowCacheShard
	capacity int64 // bytes per shard
}

const (
	rowCacheShards = 64
	// rowCacheEntryOverhead approximates an entry's bookkeeping: its map
	// slot (key, entry, control byte, load factor) and allocation header.
	rowCacheEntryOverhead = 64
)

type rowCacheShard struct {
	mu    sync.RWMutex
	m     map[uint64]rowCacheEntry
	bytes int64
}

// rowCacheEntry holds key and value in one allocation (kv, the key first).
type rowCacheEntry struct {
	kv     []byte
	keyLen int
	ts     uint64
}

func (e rowCacheEntry) size() int64 { return int64(len(e.kv) + rowCacheEntryOverhead) }

// rowCacheWriteThroughKeys is the most keys a commit may write and still
// evict entries for its values: an OLTP update keeps its row cached, a
// bulk load does not push out rows that readers use.
const rowCacheWriteThroughKeys = 1024

// rowCacheWriteThroughMax is the largest value a commit adds to the cache.
// A cached key saves the same LSM walk whatever its size, so small rows
// give the most reads per cached byte; a large row (a vector's) enters only
// when it is read, so a bulk load of vectors does not fill memory with
// rows nothing may read by key.
const rowCacheWriteThroughMax = 256

// DefaultRowCacheBytes bounds the row cache of a store whose Options leave
// it zero: enough for the hot rows of a few million-row tables.
const DefaultRowCacheBytes = 256 << 20

func newRowCache(bytes int64) *rowCache {
	if bytes <= 0 {
		return nil
	}
	c := &rowCache{capacity: max(bytes/rowCacheShards, 1)}
	for i := range c.shards {
		c.shards[i].m = map[uint64]rowCacheEntry{}
	}
	return c
}

func (c *rowCache) shard(fp uint64) *rowCacheShard { return &c.shards[fp%rowCacheShards] }

// get returns key's cached value when the entry is visible at readTs: a
// copy when copied is set, else the entry's own bytes, which no one ever
// writes (an entry is replaced, never changed).
func (c *rowCache) get(fp uint64, key []byte, readTs uint64, copied bool) ([]byte, bool) {
	s := c.shard(fp)
	s.mu.RLock()
	e, ok := s.m[fp]
	var val []byte
	ok = ok && e.ts <= readTs && string(e.kv[:e.keyLen]) == string(key)
	switch {
	case ok && copied:
		// Callers own what lookup returns, as they own a ValueCopy.
		val = append(make([]byte, 0, len(e.kv)-e.keyLen), e.kv[e.keyLen:]...)
	case ok:
		val = e.kv[e.keyLen:len(e.kv):len(e.kv)]
	}
	s.mu.RUnlock()
	return val, ok
}

// put adds an entry, evicting others to make room; the caller has checked
// the second rule above.
func (c *rowCache) put(fp uint64, key, val []byte, ts uint64) {
	c.add(fp, key, val, ts, true)
}

// putIfRoom adds an entry only when its shard has room without evicting.
func (c *rowCache) putIfRoom(fp uint64, key, val []byte, ts uint64) {
	c.add(fp, key, val, ts, false)
}

func (c *rowCache) add(fp uint64, key, val []byte, ts uint64, evict bool) {
	size := int64(len(key) + len(val) + rowCacheEntryOverhead)
	if size > c.capacity/16 {
		return // one huge value would evict a shard's worth of rows
	}
	s := c.shard(fp)
	if !evict {
		// A racy peek: a full shard (the common case once a bulk load
		// has filled it) costs no lock and no copy.
		s.mu.RLock()
		full := s.bytes+size > c.capacity
		s.mu.RUnlock()
		if full {
			return
		}
	}
	kv := make([]byte, 0, len(key)+len(val))
	e := rowCacheEntry{kv: append(append(kv, key...), val...), keyLen: len(key), ts: ts}
	s.mu.Lock()
	if old, ok := s.m[fp]; ok {
		if old.ts > ts {
			// A younger snapshot's fill got here first.
			s.mu.Unlock()
			return
		}
		s.bytes -= old.size()
		delete(s.m, fp)
	}
	if !evict && s.bytes+e.size() > c.capacity {
		s.mu.Unlock()
		return
	}
	// Evict arbitrary entries (map iteration starts at a random one)
	// until the new one fits.
	for k, v := range s.m {
		if s.bytes+e.size() <= c.capacity {
			break
		}
		delete(s.m, k)
		s.bytes -= v.size()
	}
	s.m[fp] = e
	s.bytes += e.size()
	s.mu.Unlock()
}

// drop removes the entries of every key in keys (a commit's writes).
func (c *rowCache) drop(keys keySet) {
	if keys.size() == 0 {
		return
	}
	one := func(fp uint64) {
		s := c.shard(fp)
		s.mu.Lock()
		if e, ok := s.m[fp]; ok {
			delete(s.m, fp)
			s.bytes -= e.size()
		}
		s.mu.Unlock()
	}
	for fp := range keys.m {
		one(fp)
	}
	for _, r := range keys.runs {
		for _, fp := range r {
			one(fp)
		}
	}
}

// clear empties the cache (a table's data removed by DropPrefix).
func (c *rowCache) clear() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		clear(s.m)
		s.bytes = 0
		s.mu.Unlock()
	}
}

// cacheRow adds key's version ts, read at snapshot readTs, to the row cache
// unless a commit after readTs writes the key (see rowCache).
func (e *Engine) cacheRow(fp uint64, key, val []byte, ts, readTs uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.committed {
		if c.ts > readTs && c.keys.has(fp) {
			return
		}
	}
	e.rows.put(fp, key, val, ts)
}

// dropCachedRows applies the first rule of rowCache for a commit that has
// reserved its timestamp and writes keys.
func (e *Engine) dropCachedRows(keys keySet) {
	if e.rows != nil {
		e.rows.drop(keys)
	}
}

// cacheWritten adds t's write of key at ts (see rowCache): called after
// the commit dropped its keys and before finish. bulk says the commit is
// too large to evict entries for its writes; it then adds only table rows
// not keyed by fresh hidden row ids.
func (e *Engine) cacheWritten(t *Txn, key, val []byte, ts uint64, bulk bool) {
	if e.rows == nil || len(val) > rowCacheWriteThroughMax {
		return
	}
	switch {
	case !bulk:
		e.rows.put(t.fingerprint(key), key, val, ts)
	case isRowKey(key) && !t.wroteRowidRow(key):
		e.rows.putIfRoom(t.fingerprint(key), key, val, ts)
	}
}
