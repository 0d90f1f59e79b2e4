package web

import (
	"context"
	"net/netip"
	"time"

	"github.com/domainauth/domainauth/report"
)

// DefaultDNSTimeout bounds the DNS lookups of one page.
const DefaultDNSTimeout = 2 * time.Second

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
// budget (Config.MaxDNSQueries); an address whose lookups fail or time
// out has no name, and skipped counts the addresses left unnamed because
// the budget was spent. With no Config.Resolver, nothing is looked up.
func (h *handler) namesOf(ctx context.Context, ips []string) (names map[string]sourceName, skipped int) {
	if h.cfg.Resolver == nil || len(ips) == 0 {
		return nil, 0
	}
	addrs := make([]netip.Addr, 0, len(ips))
	for _, s := range ips {
		if a, err := netip.ParseAddr(s); err == nil && validIP(a) {
			addrs = append(addrs, a)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, orDefault(h.cfg.DNSTimeout, DefaultDNSTimeout))
	defer cancel()
	e := &report.Enricher{Resolver: h.cfg.Resolver, MaxQueries: h.cfg.maxDNSQueries(), MaxNames: h.cfg.maxPTRNames()}
	found, _ := e.Names(ctx, addrs) // a timeout leaves the rest unnamed
	out := make(map[string]sourceName, len(found))
	senders := report.DefaultSenders()
	for a, ns := range found {
		if len(ns) == 0 || !validDomain(ns[0]) {
			continue
		}
		n := sourceName{PTR: ns[0]}
		if s := senders.ByPTR(ns[0]); s != nil {
			n.Provider = s.Name
		}
		out[a.String()] = n
	}
	return out, e.Stats().Skipped
}
