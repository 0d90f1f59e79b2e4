package spf

import "sync"

// recordCache keeps parsed records keyed by their text, so that a busy
// Checker parses each popular record (an ESP's include, say) once. It is
// bounded: when full, an arbitrary entry is evicted.
type recordCache struct {
	mu sync.RWMutex
	m  map[string]cacheEntry
}

type cacheEntry struct {
	rec *Record
	err error
}

func (rc *recordCache) len() int {
	rc.mu.RLock()
	defer rc.mu.RUnlock()
	return len(rc.m)
}

// parse returns the parsed record for txt, from the cache when possible.
// Cached records are shared and never modified.
func (c *Checker) parse(txt string) (*Record, error) {
	size := c.CacheSize
	if size < 0 {
		return Parse(txt)
	}
	if size == 0 {
		size = 512
	}
	rc := &c.cache
	rc.mu.RLock()
	ent, ok := rc.m[txt]
	rc.mu.RUnlock()
	if ok {
		return ent.rec, ent.err
	}
	rec, err := Parse(txt)
	rc.mu.Lock()
	if rc.m == nil {
		rc.m = make(map[string]cacheEntry)
	}
	for k := range rc.m {
		if len(rc.m) < size {
			break
		}
		delete(rc.m, k)
	}
	rc.m[txt] = cacheEntry{rec, err}
	rc.mu.Unlock()
	return rec, err
}
