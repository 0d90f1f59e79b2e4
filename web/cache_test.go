package web

import (
	"strconv"
	"testing"
	"time"
)

// TestOverviewCacheBounded: past maxCachedOverviews filters, the cache
// still holds maxCachedOverviews overviews, the newest among them; a new
// ingest time drops them all.
func TestOverviewCacheBounded(t *testing.T) {
	var c overviewCache
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range maxCachedOverviews + 1 {
		c.put(strconv.Itoa(i), t0, &overviewData{})
	}
	if n := len(c.entries); n != maxCachedOverviews {
		t.Errorf("%d overviews kept after %d puts, want %d", n, maxCachedOverviews+1, maxCachedOverviews)
	}
	newest := strconv.Itoa(maxCachedOverviews)
	if c.get(newest, t0) == nil {
		t.Errorf("the overview put last is not kept")
	}
	if c.get(newest, t0.Add(time.Second)) != nil {
		t.Errorf("an overview from before the last ingest is served")
	}
	t1 := t0.Add(time.Second)
	c.put("x", t1, &overviewData{})
	if n := len(c.entries); n != 1 || c.get(newest, t1) != nil {
		t.Errorf("after a new ingest, %d overviews kept (want 1) and the old ones served: %v", n, c.get(newest, t1) != nil)
	}
}
