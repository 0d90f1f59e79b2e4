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

// States of Checker.cacheState.
const (
	cacheUnused   = iota // no evaluation has started
	cacheUsed            // one has: the next one creates the cache
	cacheCreating        // being created; evaluations parse without it
	cacheReady           // Checker.cachePtr is set and never changes
)

// useCache is called at the start of every evaluation and returns the
// cache to use, nil for none. The cache is created when the Checker starts
// its second evaluation: a Checker made for a single check never pays for
// it, and one that is reused has it from then on. The state is an atomic
// integer rather than an atomic pointer so that c does not escape (the
// compiler assumes atomic.LoadPointer leaks its argument); cachePtr is
// written before the state becomes cacheReady and read only after.
func (c *Checker) useCache() *recordCache {
	if c.CacheSize < 0 {
		return nil
	}
	switch c.cacheState.Load() {
	case cacheReady:
		return c.cachePtr
	case cacheUnused:
		if c.cacheState.CompareAndSwap(cacheUnused, cacheUsed) {
			return nil
		}
	}
	if c.cacheState.CompareAndSwap(cacheUsed, cacheCreating) {
		c.cachePtr = new(recordCache)
		c.cacheState.Store(cacheReady)
		return c.cachePtr
	}
	return c.loadCache()
}

// loadCache returns the cache if it has been created, else nil.
func (c *Checker) loadCache() *recordCache {
	if c.cacheState.Load() == cacheReady {
		return c.cachePtr
	}
	return nil
}

// parse returns the parsed record for txt, from c's cache when it has one.
func (c *Checker) parse(txt string) (*Record, error) {
	return parseCached(c.loadCache(), c.CacheSize, txt)
}

// parseCached returns the parsed record for txt, from rc when it is not
// nil. Cached records are shared and never modified.
func parseCached(rc *recordCache, size int, txt string) (*Record, error) {
	if rc == nil || size < 0 {
		return ParseRecord(txt)
	}
	if size == 0 {
		size = 512
	}
	if ent, ok := rc.get(txt); ok {
		return ent.rec, ent.err
	}
	rec, err := ParseRecord(txt)
	rc.put(cacheEntry{txt, rec, err}, size)
	return rec, err
}
