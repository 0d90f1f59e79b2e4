package report

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Enricher finds the reverse-DNS names of source addresses through a
// Resolver, forward-confirmed as RFC 8601 §2.7.3 defines iprev: a PTR name
// counts only when its own A (or AAAA) records hold the address. It asks
// at most one PTR query per distinct address and one forward query per
// distinct name and address family, whatever the number of reports, and
// caches the answers for its lifetime (one run); a lookup that failed for
// now (SERVFAIL, a timeout, a cancelled context) is asked again by a
// later call, within the query budget. Bounds, each a field
// whose zero value is the default: MaxQueries (total DNS queries),
// Concurrency (queries in flight) and MaxNames (PTR names confirmed per
// address). An Enricher is safe for concurrent use.
type Enricher struct {
	// Resolver answers the queries. Required.
	Resolver domainauth.Resolver
	// MaxQueries bounds the DNS queries of the Enricher's lifetime, PTR
	// and forward together; past it, addresses are left unnamed and
	// counted in Stats.Skipped. If zero, 10,000 (5,000 addresses with one
	// name each).
	MaxQueries int
	// Concurrency bounds the queries in flight. If zero, 8.
	Concurrency int
	// MaxNames bounds the PTR names of one address that are confirmed;
	// the rest are ignored. If zero, 10 (RFC 8601 §2.7.3 refers to the
	// limit of RFC 7208 §5.5).
	MaxNames int

	mu      sync.Mutex
	queries int
	ptr     map[netip.Addr]*lookupEntry[[]string]
	fwd     map[fwdKey]*lookupEntry[[]netip.Addr]
	stats   EnrichStats
}

// EnrichStats says what an Enricher did.
type EnrichStats struct {
	PTRQueries     int `json:"ptr_queries"`
	ForwardQueries int `json:"forward_queries"`
	Named          int `json:"named"`   // addresses with a confirmed name
	Unnamed        int `json:"unnamed"` // no PTR, or none confirmed, or a failed lookup
	Skipped        int `json:"skipped"` // not looked up: MaxQueries reached
}

type fwdKey struct {
	name string
	v6   bool
}

// lookupEntry is one cached query: the first asker runs it, the others
// wait for done.
type lookupEntry[T any] struct {
	done    chan struct{}
	val     T
	ok      bool // answered (no error)
	skipped bool // not asked: the query budget was spent
}

func (e *Enricher) limits() (queries, conc, names int) {
	queries, conc, names = 10_000, 8, 10
	if e.MaxQueries > 0 {
		queries = e.MaxQueries
	}
	if e.Concurrency > 0 {
		conc = e.Concurrency
	}
	if e.MaxNames > 0 {
		names = e.MaxNames
	}
	return
}

// Stats returns the counts so far.
func (e *Enricher) Stats() EnrichStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats
}

// Names returns the forward-confirmed reverse-DNS names of each address
// (lower case, without the trailing dot); an address without one is
// absent from the result. It returns early with ctx's error when ctx ends.
func (e *Enricher) Names(ctx context.Context, addrs []netip.Addr) (map[netip.Addr][]string, error) {
	_, conc, _ := e.limits()
	addrs = slices.Clone(addrs)
	slices.SortFunc(addrs, netip.Addr.Compare)
	addrs = slices.Compact(addrs)
	out := make(map[netip.Addr][]string)
	var mu sync.Mutex
	work := make(chan netip.Addr)
	var wg sync.WaitGroup
	for range min(conc, max(len(addrs), 1)) {
		wg.Go(func() {
			for a := range work {
				names := e.confirmed(ctx, a)
				if len(names) > 0 {
					mu.Lock()
					out[a] = names
					mu.Unlock()
				}
			}
		})
	}
	for _, a := range addrs {
		if ctx.Err() != nil {
			break
		}
		if a.IsValid() {
			work <- a.Unmap()
		}
	}
	close(work)
	wg.Wait()
	return out, ctx.Err()
}

// spend takes one query from the budget.
func (e *Enricher) spend() bool {
	limit, _, _ := e.limits()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.queries >= limit {
		return false
	}
	e.queries++
	return true
}

// cached runs query once for key in m, however many ask at once.
func cached[K comparable, T any](e *Enricher, m *map[K]*lookupEntry[T], key K, query func() (T, error)) (T, bool, bool) {
	e.mu.Lock()
	if *m == nil {
		*m = make(map[K]*lookupEntry[T])
	}
	ent, found := (*m)[key]
	if !found {
		ent = &lookupEntry[T]{done: make(chan struct{})}
		(*m)[key] = ent
	}
	e.mu.Unlock()
	if found {
		<-ent.done
		return ent.val, ent.ok, ent.skipped
	}
	if !e.spend() {
		ent.skipped = true
	} else {
		v, err := query()
		ent.val, ent.ok = v, err == nil
		if transient(err) {
			// Those waiting share the failure; a later call asks again
			// (within the query budget) rather than keep it.
			e.mu.Lock()
			delete(*m, key)
			e.mu.Unlock()
		}
	}
	close(ent.done)
	return ent.val, ent.ok, ent.skipped
}

// transient reports whether a lookup failed for now rather than for good:
// a timeout, a temporary DNS error (SERVFAIL), or its context ended.
func transient(err error) bool {
	var de *net.DNSError
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &de) && (de.IsTemporary || de.IsTimeout)
}

func (e *Enricher) confirmed(ctx context.Context, a netip.Addr) []string {
	_, _, maxNames := e.limits()
	names, ok, skipped := cached(e, &e.ptr, a, func() ([]string, error) {
		e.count(func(s *EnrichStats) { s.PTRQueries++ })
		return e.Resolver.LookupAddr(ctx, a.String())
	})
	if skipped {
		e.count(func(s *EnrichStats) { s.Skipped++ })
		return nil
	}
	var out []string
	for i, n := range names {
		if !ok || i == maxNames {
			break
		}
		n = dnsname.Canonical(n)
		if n == "" || slices.Contains(out, n) {
			continue
		}
		network := "ip4"
		if a.Is6() {
			network = "ip6"
		}
		ips, ok, _ := cached(e, &e.fwd, fwdKey{n, a.Is6()}, func() ([]netip.Addr, error) {
			e.count(func(s *EnrichStats) { s.ForwardQueries++ })
			return e.Resolver.LookupNetIP(ctx, network, n)
		})
		if ok && slices.ContainsFunc(ips, func(x netip.Addr) bool { return x.Unmap() == a }) {
			out = append(out, n)
		}
	}
	e.count(func(s *EnrichStats) {
		if len(out) > 0 {
			s.Named++
		} else {
			s.Unnamed++
		}
	})
	return out
}

func (e *Enricher) count(f func(*EnrichStats)) {
	e.mu.Lock()
	f(&e.stats)
	e.mu.Unlock()
}
