package zone

import (
	"context"
	"net"
	"net/netip"
	"slices"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Overlay is a Zone laid over another Resolver: the names the zone covers
// are answered from it and every other name from Outside. It lets a zone
// about to be published be checked with the records it points at (a
// provider's SPF include, a DKIM key under a provider's domain) as they are
// elsewhere, usually live DNS. It does no I/O of its own.
//
// The zone covers a name when it holds records at the name itself or the
// name lies under one of its apexes, where the zone's silence is an
// authoritative "no": the owner of an SOA record in the zone, or a name
// listed in Apexes (a master file's origin). A CNAME in the zone whose target
// it does not cover is followed into Outside; a chain that stays in the zone
// is the zone's to follow, with its own limit.
//
// Overlay has every capability of the root package: CNAME targets, TXT
// strings and name existence come from the zone for covered names and from
// Outside for the rest, which gives a temporary error for a capability it
// lacks (a check then says "unknown", never "ok"). It is safe for concurrent
// use when Outside is; its fields must not change once lookups start.
type Overlay struct {
	// Zone answers for the names it covers. Required.
	Zone *Zone
	// Outside answers for every other name. Required.
	Outside domainauth.Resolver
	// Apexes are further names under which the zone is authoritative, as
	// the origin of a master file without an SOA record is.
	Apexes []string
}

var (
	_ domainauth.Resolver           = (*Overlay)(nil)
	_ domainauth.CNAMEResolver      = (*Overlay)(nil)
	_ domainauth.TXTStringsResolver = (*Overlay)(nil)
	_ domainauth.ExistenceResolver  = (*Overlay)(nil)
)

// Covers reports whether the zone answers for name (see Coverage).
func (o *Overlay) Covers(name string) bool {
	return o.Zone.covers(key(name), o.Apexes)
}

// Coverage tells which names a zone answers for: the names it holds records
// at, and every name at or below one of its apexes (the owners of its SOA
// records, and further names such as a master file's origins), where its
// silence is an authoritative "no such record". For any other name the zone
// knows nothing. Overlay follows the same rule. A Coverage reads the zone
// as it is when asked; it is safe for concurrent use.
type Coverage struct {
	zone   *Zone
	apexes []string
}

// NewCoverage returns the Coverage of z with the given further apexes; the
// owners of z's SOA records are apexes too.
func NewCoverage(z *Zone, apexes []string) *Coverage {
	c := &Coverage{zone: z}
	for _, a := range apexes {
		c.apexes = append(c.apexes, key(a))
	}
	return c
}

// Covers reports whether the zone answers for name.
func (c *Coverage) Covers(name string) bool {
	return c.zone.covers(key(name), c.apexes)
}

// covers reports whether the zone has records at k, or k lies at or under
// one of apexes or the owner of an SOA record in the zone.
func (z *Zone) covers(k string, apexes []string) bool {
	if slices.ContainsFunc(apexes, func(a string) bool { return dnsname.IsSubdomain(k, a) }) {
		return true
	}
	z.mu.RLock()
	defer z.mu.RUnlock()
	if z.nodes[k] != nil {
		return true
	}
	for n := k; n != "" && n != "."; n = dnsname.Parent(n) {
		if nd := z.nodes[n]; nd != nil && slices.ContainsFunc(nd.rrs, isSOA) {
			return true
		}
	}
	return false
}

func isSOA(rr RR) bool { return rr.Type == TypeSOA }

// route follows the zone's CNAMEs from name while they stay in what the
// zone covers, and returns who answers for the name reached.
func (o *Overlay) route(name string) (domainauth.Resolver, string) {
	for range maxCNAMEChain {
		if !o.Covers(name) {
			return o.Outside, name
		}
		o.Zone.mu.RLock()
		nd := o.Zone.nodes[key(name)]
		o.Zone.mu.RUnlock()
		if nd == nil || nd.cname == "" {
			return o.Zone, name
		}
		name = nd.cname
	}
	return o.Zone, name
}

// LookupTXT returns the TXT records at name, joined.
func (o *Overlay) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r, n := o.route(name)
	return r.LookupTXT(ctx, n)
}

// LookupMX returns the MX records at name.
func (o *Overlay) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	r, n := o.route(name)
	return r.LookupMX(ctx, n)
}

// LookupNetIP returns host's addresses.
func (o *Overlay) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	r, n := o.route(host)
	return r.LookupNetIP(ctx, network, n)
}

// LookupAddr returns the PTR names of addr, from the zone when it covers
// the reverse name.
func (o *Overlay) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	if ip, err := netip.ParseAddr(addr); err == nil && o.Covers(ReverseName(ip)) {
		return o.Zone.LookupAddr(ctx, addr)
	}
	return o.Outside.LookupAddr(ctx, addr)
}

// LookupCNAMETarget returns the target of name's own CNAME (one hop, so no
// chain is followed).
func (o *Overlay) LookupCNAMETarget(ctx context.Context, name string) (string, error) {
	if o.Covers(name) {
		return o.Zone.LookupCNAMETarget(ctx, name)
	}
	if cr, ok := o.Outside.(domainauth.CNAMEResolver); ok {
		return cr.LookupCNAMETarget(ctx, name)
	}
	return "", domainauth.TemporaryError(name, "the outside resolver cannot show CNAME records")
}

// LookupTXTStrings returns the TXT records at name, strings apart.
func (o *Overlay) LookupTXTStrings(ctx context.Context, name string) ([][]string, error) {
	r, n := o.route(name)
	if sr, ok := r.(domainauth.TXTStringsResolver); ok {
		return sr.LookupTXTStrings(ctx, n)
	}
	return nil, domainauth.TemporaryError(name, "the outside resolver cannot show TXT strings")
}

// LookupExists reports whether name exists: the zone says for the names it
// covers (a name owning a CNAME exists whatever its target), Outside for
// the rest.
func (o *Overlay) LookupExists(ctx context.Context, name string) (bool, error) {
	if o.Covers(name) {
		return o.Zone.LookupExists(ctx, name)
	}
	if er, ok := o.Outside.(domainauth.ExistenceResolver); ok {
		return er.LookupExists(ctx, name)
	}
	return false, domainauth.TemporaryError(name, "the outside resolver cannot tell whether a name exists")
}
