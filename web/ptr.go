package web

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Bounds of the reverse-DNS naming of sources.
const (
	// DefaultDNSTimeout bounds the DNS lookups of one page.
	DefaultDNSTimeout = 2 * time.Second
	// maxPTRNames is how many PTR names of one address are checked
	// forward (RFC 8601 §2.7.3 "iprev" stops at 10; a page needs one).
	maxPTRNames = 3
	// ptrConcurrency bounds the addresses looked up at once.
	ptrConcurrency = 8
)

// ptrNames returns the forward-confirmed PTR name of each address, for
// those that have one: a name whose own addresses include the address
// (iprev, RFC 8601 §2.7.3). An unconfirmed name is not shown, since
// whoever holds an address's reverse zone can claim any name. Lookups share
// one deadline (Config.DNSTimeout); an address whose lookups fail or time
// out simply has no name. With no Config.Resolver, none is looked up.
func (h *handler) ptrNames(ctx context.Context, addrs []netip.Addr) map[netip.Addr]string {
	r := h.cfg.Resolver
	if r == nil || len(addrs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, orDuration(h.cfg.DNSTimeout, DefaultDNSTimeout))
	defer cancel()
	out := make(map[netip.Addr]string, len(addrs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, ptrConcurrency)
	for _, a := range addrs {
		if !validIP(a) {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if name := confirmedName(ctx, r, a); name != "" {
				mu.Lock()
				out[a] = name
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}

func confirmedName(ctx context.Context, r domainauth.Resolver, a netip.Addr) string {
	names, err := r.LookupAddr(ctx, a.String())
	if err != nil {
		return ""
	}
	for _, n := range names[:min(len(names), maxPTRNames)] {
		n = dnsname.Canonical(strings.TrimSuffix(n, "."))
		if !validDomain(n) {
			continue
		}
		ips, err := r.LookupNetIP(ctx, "ip", n)
		if err != nil {
			continue
		}
		for _, ip := range ips {
			if ip.Unmap() == a.Unmap() {
				return n
			}
		}
	}
	return ""
}
