package web

import (
	"sync"
	"time"
)

// maxCachedOverviews bounds the overviews kept (one per filter seen since
// the last ingest).
const maxCachedOverviews = 64

// overviewCache keeps computed overviews until the store's last ingest
// time changes: the queries behind an overview read every record of the
// selection (the failing sources most of all: seconds over a million
// records), while a new ingest is what changes them. The ingest time has a
// resolution of one second, so an ingest within the same second as the
// one an overview was computed after shows at the next ingest.
type overviewCache struct {
	mu      sync.Mutex
	ingest  time.Time
	entries map[string]*overviewData
}

// get returns the overview for key computed after the ingest at t.
func (c *overviewCache) get(key string, t time.Time) *overviewData {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ingest.Equal(t) {
		return nil
	}
	return c.entries[key]
}

// put keeps d for key; entries from an older ingest are dropped, and when
// the cache is full one entry makes room.
func (c *overviewCache) put(key string, t time.Time, d *overviewData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ingest.Equal(t) || c.entries == nil {
		c.ingest, c.entries = t, make(map[string]*overviewData)
	}
	if len(c.entries) >= maxCachedOverviews {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = d
}
