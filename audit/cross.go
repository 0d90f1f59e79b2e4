package audit

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/tlsrpt"
	"github.com/domainauth/domainauth/zone"
)

// Defaults of the bounds on the lookups of the audit's own checks (see the
// Auditor fields of the same names).
const (
	// DefaultMaxPTRNames bounds the PTR names checked per MX host address,
	// as RFC 7208 §4.6.4 bounds those of the SPF ptr mechanism.
	DefaultMaxPTRNames = 10
	// DefaultMaxFCrDNSAddrs bounds the MX host addresses checked for a PTR.
	DefaultMaxFCrDNSAddrs = 20
	// DefaultMaxDestinations bounds the rua and ruf destination domains
	// checked, of the DMARC record and, separately, of the TLSRPT record.
	DefaultMaxDestinations = 10
)

// orDefault returns v, or def when v is zero or less.
func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// checkFCrDNS reports MX host addresses without forward-confirmed reverse
// DNS. A lookup that fails temporarily gives no finding: "unknown", not
// "wrong".
func (ru *run) checkFCrDNS(ctx context.Context, res *mx.Result) []domainauth.Finding {
	type target struct {
		host string
		addr netip.Addr
	}
	var targets []target
	for _, h := range res.Hosts {
		for _, a := range h.Addrs {
			if len(targets) < orDefault(ru.a.MaxFCrDNSAddrs, DefaultMaxFCrDNSAddrs) && !slices.ContainsFunc(targets, func(t target) bool { return t.addr == a }) {
				targets = append(targets, target{h.Name, a})
			}
		}
	}
	// Every address at once: each costs two round trips or more.
	found := make([]*domainauth.Finding, len(targets))
	parallel(len(targets), func(i int) { found[i] = ru.fcrdns(ctx, res, targets[i].host, targets[i].addr) })
	var out []domainauth.Finding
	for _, f := range found {
		if f != nil {
			out = append(out, *f)
		}
	}
	return out
}

// fcrdns checks one address of the MX host host, one of res's.
func (ru *run) fcrdns(ctx context.Context, res *mx.Result, host string, addr netip.Addr) *domainauth.Finding {
	f := &domainauth.Finding{Code: mx.FindingNoFCrDNS, Severity: domainauth.SeverityWarning, Where: host + " " + addr.String(), RFC: "RFC 1912 §2.1",
		Fix: fmt.Sprintf("ask the owner of %s to publish %s PTR %s", addr, zone.ReverseName(addr), host)}
	names, err := ru.r.LookupAddr(ctx, addr.String())
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindOK:
	case domainauth.ErrorKindNotFound:
		f.Message = fmt.Sprintf("the MX host address %s has no PTR record; many receivers distrust mail servers without one", addr)
		return f
	default:
		return nil
	}
	for _, n := range names[:min(len(names), orDefault(ru.a.MaxPTRNames, DefaultMaxPTRNames))] {
		// A PTR name that is one of the MX hosts was resolved by the MX
		// check: the usual case, confirmed without asking again.
		if slices.ContainsFunc(res.Hosts, func(h mx.Host) bool {
			return dnsname.Equal(h.Name, n) && (slices.Contains(h.Addrs, addr.Unmap()) || slices.Contains(h.Addrs, addr))
		}) {
			return nil
		}
		addrs, err := ru.r.LookupNetIP(ctx, "ip", n)
		if err == nil && (slices.Contains(addrs, addr.Unmap()) || slices.Contains(addrs, addr)) {
			return nil
		}
	}
	f.Message = fmt.Sprintf("the PTR record of the MX host address %s names %s, which does not resolve back to it (no forward-confirmed reverse DNS)", addr, strings.Join(names, ", "))
	return f
}

// reportDest is a mailto: destination of reports: a rua or ruf URI of the
// DMARC record, or a rua URI of the TLSRPT record.
type reportDest struct{ tag, addr, domain string }

// destSet collects the distinct domains of report destinations, at most
// MaxDestinations.
type destSet struct {
	dests []reportDest
	max   int
}

// add adds the destination uri (a mailto: URI) of tag, if it names a
// domain not seen yet and the bound leaves room.
func (s *destSet) add(tag, uri string) {
	rest, ok := strings.CutPrefix(strings.ToLower(uri), "mailto:")
	_, dom, ok2 := strings.Cut(rest, "@")
	dom, _, _ = strings.Cut(dom, "?") // hfields
	if !ok || !ok2 || dom == "" || len(s.dests) >= s.max || slices.ContainsFunc(s.dests, func(x reportDest) bool { return x.domain == dom }) {
		return
	}
	s.dests = append(s.dests, reportDest{tag, uri, dom})
}

// destinations lists the distinct domains of the DMARC record's rua and ruf
// destinations, at most MaxDestinations.
func (ru *run) destinations(rep *Report) []reportDest {
	d := rep.DMARC
	if d == nil || d.Record == nil {
		return nil
	}
	s := destSet{max: orDefault(ru.a.MaxDestinations, DefaultMaxDestinations)}
	for _, u := range d.Record.AggregateURIs {
		s.add("rua", u.Address)
	}
	for _, u := range d.Record.FailureURIs {
		s.add("ruf", u.Address)
	}
	return s.dests
}

// tlsDestinations lists the distinct domains of the TLSRPT record's
// mailto: destinations (RFC 8460 §3), at most MaxDestinations.
func (ru *run) tlsDestinations(rep *Report) []reportDest {
	if rep.TLSRPT == nil {
		return nil
	}
	s := destSet{max: orDefault(ru.a.MaxDestinations, DefaultMaxDestinations)}
	for _, d := range rep.TLSRPT.Destinations() {
		if d.Scheme == "mailto" {
			s.add("rua", "mailto:"+d.Address)
		}
	}
	return s.dests
}

// prefetchDestinations asks, as soon as the DMARC area is done, what
// checkDestinations will ask about destinations in other domains, so that
// the answers are there when it runs after the areas.
func (ru *run) prefetchDestinations(ctx context.Context, rep *Report, dests func(*Report) []reportDest) {
	if ru.local {
		return
	}
	for _, x := range dests(rep) {
		if x.domain != ru.domain {
			ru.goPrefetch(func() { ru.cannotReceive(ctx, x.domain) })
		}
	}
}

// checkDestinations reports the destinations dests, of the record named
// record, whose domain cannot receive mail, as findings with code. It runs
// after the areas, so that a destination in the audited domain itself is
// judged by the MX area's result.
func (ru *run) checkDestinations(ctx context.Context, rep *Report, dests []reportDest, record, code, rfc string) []domainauth.Finding {
	var out []domainauth.Finding
	for _, x := range dests {
		why := ""
		switch {
		case x.domain != ru.domain || rep.MX == nil:
			why = ru.cannotReceive(ctx, x.domain)
		case rep.MX.State == mx.StateNull:
			why = "has a null MX"
		case rep.MX.State == mx.StateNone:
			why = "has no MX and no address"
		}
		if why == "" {
			continue
		}
		out = append(out, domainauth.Finding{Code: code, Severity: domainauth.SeverityWarning,
			Where:   fmt.Sprintf("%s %s %s", record, x.tag, x.addr),
			Message: fmt.Sprintf("%s %s: the reports sent to %s are lost", x.domain, why, x.addr),
			Fix:     fmt.Sprintf("publish MX records at %s, or send %s reports to an address whose domain receives mail", x.domain, x.tag),
			RFC:     rfc})
	}
	return out
}

// cannotReceive says why domain cannot receive mail ("has a null MX", "has
// no MX and no address"), or "" when it can or DNS cannot tell.
func (ru *run) cannotReceive(ctx context.Context, domain string) string {
	mxs, err := ru.r.LookupMX(ctx, domain)
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindOK:
		if len(mxs) == 1 && (mxs[0].Host == "." || mxs[0].Host == "") {
			return "has a null MX"
		}
		return ""
	case domainauth.ErrorKindNotFound:
		// RFC 5321 §5.1: without MX, mail goes to the domain's address.
		_, err := ru.r.LookupNetIP(ctx, "ip", domain)
		if domainauth.Classify(ctx, err) == domainauth.ErrorKindNotFound {
			return "has no MX and no address"
		}
	}
	return ""
}

// crossChecks adds the findings that need several areas: report
// destinations that cannot receive mail, and a null MX on a domain that
// sends mail.
func (ru *run) crossChecks(ctx context.Context, rep *Report) {
	if d := rep.DMARC; d != nil {
		if fs := ru.checkDestinations(ctx, rep, ru.destinations(rep), "_dmarc."+d.PolicyDomain, dmarc.FindingDestinationCannotReceive, "RFC 7505 §3"); len(fs) > 0 {
			ar := rep.Area(AreaDMARC)
			ar.Findings = append(ar.Findings, fs...)
		}
	}
	if fs := ru.checkDestinations(ctx, rep, ru.tlsDestinations(rep), tlsrpt.RecordName(ru.domain), tlsrpt.FindingDestinationCannotReceive, "RFC 8460 §3, RFC 7505 §3"); len(fs) > 0 {
		if ar := rep.Area(AreaTLSRPT); ar != nil {
			ar.Findings = append(ar.Findings, fs...)
		}
	}
	if rep.MX == nil || rep.MX.State != mx.StateNull {
		return
	}
	var senders []string
	if rep.SPF != nil && spfAuthorises(rep.SPF.Record) {
		senders = append(senders, "its SPF record authorises senders")
	}
	for _, k := range rep.DKIM {
		if k.Key != nil && k.Key.Usable() == nil {
			senders = append(senders, "it publishes DKIM keys")
			break
		}
	}
	if rep.SES != nil {
		senders = append(senders, "it is an Amazon SES identity")
	}
	if len(senders) == 0 {
		return
	}
	ar := rep.Area(AreaMX)
	ar.Findings = append(ar.Findings, domainauth.Finding{Code: mx.FindingNullMXSender, Severity: domainauth.SeverityError, Where: rep.Domain,
		Message: fmt.Sprintf("null MX on a domain that sends mail (%s): bounces cannot be delivered and receivers may refuse its mail", strings.Join(senders, "; ")),
		Fix:     fmt.Sprintf("replace the null MX at %s by MX records naming a host that accepts bounces, or stop sending as %s", rep.Domain, rep.Domain),
		RFC:     "RFC 7505 §4.2"})
}

// spfAuthorises reports whether an SPF record can give pass: a mechanism
// with the + qualifier, or a redirect.
func spfAuthorises(record string) bool {
	rec, err := spf.ParseRecord(record)
	if err != nil {
		return false
	}
	for _, t := range rec.Terms {
		if t.Kind == spf.KindRedirect || !t.Kind.IsModifier() && (t.Qualifier == spf.QualifierPass || t.Qualifier == 0) {
			return true
		}
	}
	return false
}
