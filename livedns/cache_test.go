package livedns

import (
	"fmt"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// TestCacheSizeDefault: the cache holds at most 4,096 answers by default;
// one more makes room instead of growing.
func TestCacheSizeDefault(t *testing.T) {
	r := &Resolver{}
	key := func(i int) cacheKey { return cacheKey{fmt.Sprintf("n%d.example", i), dnsmessage.TypeTXT} }
	for i := range defaultCacheSize + 1 {
		r.store(key(i), &answer{}, 60)
	}
	if n := len(r.cache); n != defaultCacheSize {
		t.Fatalf("%d entries; want %d", n, defaultCacheSize)
	}
	if r.cached(key(defaultCacheSize)) == nil {
		t.Error("the newest answer was not kept")
	}
}

// TestCacheEvictsExpiredFirst: with an expired entry among the first
// looked at, it is the one that goes.
func TestCacheEvictsExpiredFirst(t *testing.T) {
	r := &Resolver{CacheSize: 2}
	r.store(cacheKey{"old.example", dnsmessage.TypeTXT}, &answer{}, 60)
	r.store(cacheKey{"live.example", dnsmessage.TypeTXT}, &answer{}, 60)
	r.cache[cacheKey{"old.example", dnsmessage.TypeTXT}].expires = time.Now().Add(-time.Second)
	r.store(cacheKey{"new.example", dnsmessage.TypeTXT}, &answer{}, 60)
	if r.cached(cacheKey{"live.example", dnsmessage.TypeTXT}) == nil || r.cached(cacheKey{"new.example", dnsmessage.TypeTXT}) == nil {
		t.Errorf("a live entry was evicted before the expired one: %v", r.cache)
	}
}

func TestCacheTTL(t *testing.T) {
	r := &Resolver{}
	k := cacheKey{"x.example", dnsmessage.TypeA}
	r.store(k, &answer{}, 0)
	if r.cached(k) != nil {
		t.Error("TTL 0 was cached")
	}
	r.store(k, &answer{}, 1<<31)
	if got := time.Until(r.cache[k].expires); got > defaultMaxCacheTTL {
		t.Errorf("cached for %v; want at most %v", got, defaultMaxCacheTTL)
	}
}
