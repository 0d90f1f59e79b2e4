package spf

import (
	"sync"
	"sync/atomic"
)

// recordCache keeps parsed records keyed by their text, so that a busy
// Checker parses each popular record (an ESP's include, say) once. Reads
// take no lock. It is bounded: when full, an arbitrary entry is evicted.
type recordCache struct {
	m sync.Map // string -> cacheEntry
	n atomic.Int64
}

type cacheEntry struct {
	rec *Record
	err error
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
	if v, ok := rc.m.Load(txt); ok {
		ent := v.(*cacheEntry)
		return ent.rec, ent.err
	}
	rec, err := Parse(txt)
	for i := 0; i < 4 && rc.n.Load() >= int64(size); i++ {
		rc.m.Range(func(k, _ any) bool {
			if _, loaded := rc.m.LoadAndDelete(k); loaded {
				rc.n.Add(-1)
			}
			return false
		})
	}
	if _, loaded := rc.m.LoadOrStore(txt, &cacheEntry{rec, err}); !loaded {
		rc.n.Add(1)
	}
	return rec, err
}
