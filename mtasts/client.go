package mtasts

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Defaults of the Client's bounds.
const (
	// DefaultMaxEntries is the default number of policy domains a Client
	// caches. With DefaultMaxPolicySize the cache holds at most 64 MiB of
	// policies; real policies are a few hundred bytes.
	DefaultMaxEntries = 1000
	// DefaultRetryInterval is the default pause after a failed fetch before
	// the same record id is fetched again: five minutes (RFC 8461 §3.3:
	// "implementers SHOULD limit further attempts to a period of five
	// minutes or longer per version ID").
	DefaultRetryInterval = 5 * time.Minute
	// DefaultRefreshInterval is the default age after which a cached
	// policy is fetched again even when the record's id has not changed:
	// a day (RFC 8461 §3.3 suggests refreshing once per day; §10.2).
	DefaultRefreshInterval = 24 * time.Hour
)

// Client finds the MTA-STS policy in force for a recipient domain, as a
// sending MTA does (RFC 8461 §3, §5.1 and Appendix B): it looks up the
// _mta-sts record, fetches the policy when the record's id differs from the
// cached one (or the cached policy is older than RefreshInterval), and
// caches policies per Policy Domain until their max_age runs out on Clock.
// When discovery or the fetch fails, an unexpired cached policy stays in
// force (§3.3: the sender MUST apply it); without one the domain is treated
// as having no policy.
//
// Get always queries the _mta-sts record, so calling it again before failing
// a message permanently is the check for an updated policy that RFC 8461 §5
// and §5.1 step 3 require.
//
// A Client with a Resolver and a Fetcher is ready to use; it is safe for
// concurrent use. Two concurrent Gets for the same uncached domain may
// both fetch.
type Client struct {
	// Resolver answers the TXT lookups. Required.
	Resolver domainauth.Resolver
	// Fetcher fetches policies; it must verify certificates (HTTPFetcher
	// around a client with the system roots does). Required.
	Fetcher domainauth.Fetcher
	// Clock tells the time for max_age. If nil, the system clock.
	Clock domainauth.Clock
	// MaxPolicySize bounds a policy body in bytes. If zero,
	// DefaultMaxPolicySize (64 KiB, RFC 8461 §3.3).
	MaxPolicySize int64
	// FetchTimeout bounds one fetch. If zero, DefaultFetchTimeout (one
	// minute, RFC 8461 §3.3).
	FetchTimeout time.Duration
	// MaxEntries bounds the number of cached domains; when full, the
	// expired entries go first, then the one that expires soonest (a scan
	// of the cache, done only when it is full). If zero, DefaultMaxEntries.
	MaxEntries int
	// RetryInterval is the pause after a failed fetch before the same id is
	// tried again. If zero, DefaultRetryInterval (five minutes).
	RetryInterval time.Duration
	// RefreshInterval is the age after which a cached policy is fetched
	// again although the id is unchanged. If zero,
	// DefaultRefreshInterval (a day).
	RefreshInterval time.Duration

	mu      sync.Mutex
	entries map[string]*entry
}

// entry is the cache state of one Policy Domain.
type entry struct {
	id      string  // the record id the policy was fetched for
	policy  *Policy // nil when only a failure is remembered
	fetched time.Time
	expires time.Time

	failedID  string // the id whose last fetch failed
	failedAt  time.Time
	failedErr error
}

func (e *entry) valid(now time.Time) bool { return e.policy != nil && now.Before(e.expires) }

// Source says where a Result's policy comes from.
type Source uint8

// Sources of a Result.
const (
	// SourceNone: no policy is in force for the domain.
	SourceNone Source = iota
	// SourceFetched: the policy was fetched by this Get.
	SourceFetched
	// SourceCache: the policy comes from the cache, either because the
	// record's id is unchanged or because discovery or the fetch failed
	// (then Err says why).
	SourceCache
)

// String returns "none", "fetched" or "cache".
func (s Source) String() string {
	switch s {
	case SourceNone:
		return "none"
	case SourceFetched:
		return "fetched"
	case SourceCache:
		return "cache"
	}
	return fmt.Sprintf("source(%d)", uint8(s))
}

// Result is the policy in force for a domain.
type Result struct {
	// Domain is the Policy Domain, normalised.
	Domain string
	// Source says where Policy comes from; SourceNone when Policy is nil.
	Source Source
	// Policy is the policy in force, nil when none is. A policy in mode
	// none means the same as no policy (RFC 8461 §5).
	Policy *Policy
	// ID is the record id the policy was fetched for.
	ID string
	// FetchedAt is when the policy was fetched; Expires is FetchedAt plus
	// its max_age.
	FetchedAt, Expires time.Time
	// Err says why discovery or the fetch failed, when it did: detail, not
	// the status (a cached policy may still be in force). ErrNoRecord when
	// the domain publishes no record.
	Err error
}

// Enforced reports whether mail to the domain must only go to MX hosts
// that pass validation (RFC 8461 §5: mode enforce).
func (r *Result) Enforced() bool { return r.Policy != nil && r.Policy.Mode == ModeEnforce }

// Get returns the policy in force for the recipient domain (the domain of
// the recipient address, or the smart host's domain, RFC 8461 §3.4; never
// a parent domain).
func (c *Client) Get(ctx context.Context, domain string) *Result {
	key, err := dnsname.Normalize(domain)
	if err != nil {
		return &Result{Domain: domain, Err: fmt.Errorf("mtasts: %w", err)}
	}
	now := domainauth.Now(c.Clock)
	cached := c.load(key)

	rec, err := LookupRecord(ctx, c.Resolver, key)
	if err != nil {
		// §3.1: no usable record does not by itself remove a cached policy.
		return fromCache(key, cached, now, err)
	}
	if cached.valid(now) && cached.id == rec.ID && now.Sub(cached.fetched) < or(c.RefreshInterval, DefaultRefreshInterval) {
		return fromCache(key, cached, now, nil)
	}
	if cached.failedID == rec.ID && now.Sub(cached.failedAt) < or(c.RetryInterval, DefaultRetryInterval) {
		return fromCache(key, cached, now, cached.failedErr)
	}
	f, err := FetchPolicy(ctx, c.Fetcher, key, FetchOptions{MaxSize: c.MaxPolicySize, Timeout: c.FetchTimeout})
	if err != nil {
		if ctx.Err() == nil { // the caller's cancellation is not the domain's fault
			c.store(key, now, func(e *entry) { e.failedID, e.failedAt, e.failedErr = rec.ID, now, err })
		}
		return fromCache(key, cached, now, err)
	}
	e := entry{id: rec.ID, policy: f.Policy, fetched: now, expires: now.Add(f.Policy.MaxAgeDuration())}
	c.store(key, now, func(p *entry) { *p = e })
	return &Result{Domain: key, Source: SourceFetched, Policy: e.policy, ID: e.id, FetchedAt: e.fetched, Expires: e.expires}
}

// fromCache returns the cached policy when it is unexpired, else no policy.
func fromCache(key string, e entry, now time.Time, err error) *Result {
	if !e.valid(now) {
		return &Result{Domain: key, Err: err}
	}
	return &Result{Domain: key, Source: SourceCache, Policy: e.policy, ID: e.id, FetchedAt: e.fetched, Expires: e.expires, Err: err}
}

// Len returns the number of domains in the cache.
func (c *Client) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// load returns a copy of key's entry (the zero entry when there is none).
func (c *Client) load(key string) entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[key]; e != nil {
		return *e
	}
	return entry{}
}

// store updates key's entry with set, making room first when the cache is
// full.
func (c *Client) store(key string, now time.Time, set func(*entry)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*entry{}
	}
	e := c.entries[key]
	if e == nil {
		c.makeRoom(now)
		e = &entry{}
		c.entries[key] = e
	}
	set(e)
}

// makeRoom removes entries until one more fits: the expired ones (and
// failures past the retry interval) first, then the soonest to expire.
func (c *Client) makeRoom(now time.Time) {
	limit := c.MaxEntries
	if limit <= 0 {
		limit = DefaultMaxEntries
	}
	if len(c.entries) < limit {
		return
	}
	retry := or(c.RetryInterval, DefaultRetryInterval)
	var victim string
	var soonest time.Time
	for k, e := range c.entries {
		if !e.valid(now) && now.Sub(e.failedAt) >= retry {
			delete(c.entries, k)
			continue
		}
		t := e.expires
		if e.policy == nil {
			t = e.failedAt.Add(retry)
		}
		if victim == "" || t.Before(soonest) {
			victim, soonest = k, t
		}
	}
	if len(c.entries) >= limit {
		delete(c.entries, victim)
	}
}

func or(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
