package web

import (
	"context"
	"net/netip"
	"time"

	"github.com/domainauth/domainauth/report"
)

// Bounds of the reverse-DNS naming of sources.
const (
	// DefaultDNSTimeout bounds the DNS lookups of one page.
	DefaultDNSTimeout = 2 * time.Second
	// ptrQueries bounds the DNS queries of one page: a PTR query and a
	// forward query for each of the (at most 20 by default) sources shown,
	// with room for a second name.
	ptrQueries = 100
	// ptrNamesPerAddr is how many PTR names of one address are checked;
	// one is shown.
	ptrNamesPerAddr = 3
)

// sourceName is what reverse DNS says about a source address.
type sourceName struct {
	PTR      string // the first forward-confirmed PTR name
	Provider string // the sender whose PTR suffix the name is under (report.DefaultSenders)
}

// namesOf returns the forward-confirmed PTR name (RFC 8601 §2.7.3 iprev,
// through report.Enricher) of each address that has one, and the provider
// the default sender map names for it. An unconfirmed name is not shown,
// since whoever holds an address's reverse zone can claim any name. The
// lookups of one page share one deadline (Config.DNSTimeout) and one query
// budget; an address whose lookups fail or time out has no name. With no
// Config.Resolver, nothing is looked up.
func (h *handler) namesOf(ctx context.Context, ips []string) map[string]sourceName {
	if h.cfg.Resolver == nil || len(ips) == 0 {
		return nil
	}
	addrs := make([]netip.Addr, 0, len(ips))
	for _, s := range ips {
		if a, err := netip.ParseAddr(s); err == nil && validIP(a) {
			addrs = append(addrs, a)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, orDefault(h.cfg.DNSTimeout, DefaultDNSTimeout))
	defer cancel()
	e := &report.Enricher{Resolver: h.cfg.Resolver, MaxQueries: ptrQueries, MaxNames: ptrNamesPerAddr}
	names, _ := e.Names(ctx, addrs) // a timeout leaves the rest unnamed
	out := make(map[string]sourceName, len(names))
	senders := report.DefaultSenders()
	for a, ns := range names {
		if len(ns) == 0 || !validDomain(ns[0]) {
			continue
		}
		n := sourceName{PTR: ns[0]}
		if s := senders.ByPTR(ns[0]); s != nil {
			n.Provider = s.Name
		}
		out[a.String()] = n
	}
	return out
}
