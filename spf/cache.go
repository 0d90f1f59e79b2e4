package spf

import "sync"

// recordCache keeps parsed records keyed by their text, so that a busy
// Checker parses each popular record (an ESP's include, say) once. The
// first few records live in a small array (a fresh Checker allocates no
// map), the rest in a map. It is bounded: when full, an arbitrary entry is
// evicted.
type recordCache struct {
	mu    sync.RWMutex
	small [8]cacheEntry
	n     int // entries used in small
	next  int // small entry to evict next
	m     map[string]cacheEntry
}

type cacheEntry struct {
	txt string
	rec *Record
	err error
}

func (rc *recordCache) len() int {
	if rc == nil {
		return 0
	}
	rc.mu.RLock()
	defer rc.mu.RUnlock()
	return rc.n + len(rc.m)
}

func (rc *recordCache) get(txt string) (cacheEntry, bool) {
	rc.mu.RLock()
	defer rc.mu.RUnlock()
	for i := 0; i < rc.n; i++ {
		if rc.small[i].txt == txt {
			return rc.small[i], true
		}
	}
	ent, ok := rc.m[txt]
	return ent, ok
}

func (rc *recordCache) put(ent cacheEntry, size int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.n < len(rc.small) && rc.n < size {
		rc.small[rc.n] = ent
		rc.n++
		return
	}
	if rc.n+len(rc.m) >= size {
		if len(rc.m) == 0 {
			// Only the array is in use: overwrite in turn.
			rc.small[rc.next%rc.n] = ent
			rc.next++
			return
		}
		for k := range rc.m {
			delete(rc.m, k)
			break
		}
	}
	if rc.m == nil {
		rc.m = make(map[string]cacheEntry)
	}
	rc.m[ent.txt] = ent
}

// useCache is called at the start of every evaluation. The cache is
// created when the Checker starts its second one: a Checker made for a
// single check never pays for it, and one that is reused has it from then
// on.
func (c *Checker) useCache() {
	if c.CacheSize < 0 || c.cache.Load() != nil {
		return
	}
	if c.used.Swap(true) {
		c.cache.CompareAndSwap(nil, new(recordCache))
	}
}

// parse returns the parsed record for txt, from the cache when there is
// one. Cached records are shared and never modified.
func (c *Checker) parse(txt string) (*Record, error) {
	rc := c.cache.Load()
	if rc == nil || c.CacheSize < 0 {
		return Parse(txt)
	}
	size := c.CacheSize
	if size == 0 {
		size = 512
	}
	if ent, ok := rc.get(txt); ok {
		return ent.rec, ent.err
	}
	rec, err := Parse(txt)
	rc.put(cacheEntry{txt, rec, err}, size)
	return rec, err
}
