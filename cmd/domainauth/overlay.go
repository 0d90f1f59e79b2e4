package main

import (
	"context"
	"net"
	"net/netip"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/zone"
)

// overlay answers from the files for the names they cover and from live
// DNS for the rest (--live-outside): a zone about to be published can then
// be checked with the records it points at (amazonses.com's SPF record, an
// SES DKIM key) as they are on the Internet. A name is covered when the
// files hold records at it or it lies under one of their apexes, where the
// files' silence is an authoritative "no". CNAMEs in the files that lead
// outside are followed into live DNS.
type overlay struct {
	files  *zone.Zone
	owners map[string]bool
	apexes []string
	live   domainauth.Resolver
}

var (
	_ domainauth.CNAMEResolver      = (*overlay)(nil)
	_ domainauth.TXTStringsResolver = (*overlay)(nil)
)

func newOverlay(files *zone.Zone, apexes []string, live domainauth.Resolver) *overlay {
	o := &overlay{files: files, owners: map[string]bool{}, apexes: apexes, live: live}
	for _, rr := range files.Records() {
		o.owners[dnsname.Canonical(rr.Name)] = true
	}
	return o
}

// covered reports whether the files answer for name.
func (o *overlay) covered(name string) bool {
	n := dnsname.Canonical(name)
	if o.owners[n] {
		return true
	}
	for _, a := range o.apexes {
		if dnsname.IsSubdomain(n, a) {
			return true
		}
	}
	return false
}

// route follows the files' CNAMEs from name until the chain ends in the
// files or leaves them, and says who answers for the name reached. A chain
// longer than the zone's own limit is left to the zone to report.
func (o *overlay) route(name string) (domainauth.Resolver, string) {
	for range 8 {
		if !o.covered(name) {
			return o.live, name
		}
		c := o.files.Lookup(name, zone.TypeCNAME)
		if len(c) == 0 {
			return o.files, name
		}
		name = c[0].Target
	}
	return o.files, name
}

func (o *overlay) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r, n := o.route(name)
	return r.LookupTXT(ctx, n)
}

func (o *overlay) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	r, n := o.route(name)
	return r.LookupMX(ctx, n)
}

func (o *overlay) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	r, n := o.route(host)
	return r.LookupNetIP(ctx, network, n)
}

func (o *overlay) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	if ip, err := netip.ParseAddr(addr); err == nil && o.covered(zone.ReverseName(ip)) {
		return o.files.LookupAddr(ctx, addr)
	}
	return o.live.LookupAddr(ctx, addr)
}

// LookupCNAMETarget is one hop, so no chain is followed.
func (o *overlay) LookupCNAMETarget(ctx context.Context, name string) (string, error) {
	if o.covered(name) {
		return o.files.LookupCNAMETarget(ctx, name)
	}
	if cr, ok := o.live.(domainauth.CNAMEResolver); ok {
		return cr.LookupCNAMETarget(ctx, name)
	}
	return "", domainauth.TemporaryError(name, "live DNS cannot show CNAME records", false)
}

func (o *overlay) LookupTXTStrings(ctx context.Context, name string) ([][]string, error) {
	r, n := o.route(name)
	if sr, ok := r.(domainauth.TXTStringsResolver); ok {
		return sr.LookupTXTStrings(ctx, n)
	}
	return nil, domainauth.TemporaryError(name, "live DNS cannot show TXT strings", false)
}
