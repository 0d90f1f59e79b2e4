package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/ses"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

// WithFixes fills in, with Fix, the Fix of the findings that have none, and
// returns fs.
func WithFixes(fs []domainauth.Finding) []domainauth.Finding {
	for i := range fs {
		if fs[i].Fix == "" {
			fs[i].Fix = Fix(fs[i])
		}
	}
	return fs
}

func (ru *run) checkMX(ctx context.Context, rep *Report) Area {
	ar := Area{Name: AreaMX, Title: "MX (where mail for " + ru.domain + " goes)"}
	ru.prefetchMXHosts(ctx, ru.domain)
	res, err := (&mx.Checker{Resolver: ru.r}).Check(ctx, ru.domain)
	if err == nil && (res.State == mx.StateNone || res.State == mx.StateImplicit) {
		ru.prefetchExistence()
	}
	if err != nil {
		ar.Status = StatusUnknown
		ar.Facts = append(ar.Facts, "not checked: "+err.Error())
		return ar
	}
	rep.MX = res
	switch res.State {
	case mx.StateNull:
		ar.Facts = append(ar.Facts, "null MX: the domain accepts no mail (RFC 7505)")
		ar.Records = append(ar.Records, Record{ru.domain, "MX", "0 ."})
	case mx.StateImplicit:
		ar.Facts = append(ar.Facts, "no MX records; mail goes to the domain's own addresses")
	case mx.StateNone:
		ar.Facts = append(ar.Facts, "no MX and no address records: the domain cannot receive mail")
	case mx.StateUnknown:
		ar.Status = StatusUnknown
	}
	for _, h := range res.Hosts {
		if h.Name == "" {
			continue
		}
		ar.Records = append(ar.Records, Record{ru.domain, "MX", fmt.Sprintf("%d %s", h.Preference, h.Name)})
		line := fmt.Sprintf("MX %d %s", h.Preference, h.Name)
		if len(h.Addrs) > 0 {
			addrs := make([]string, len(h.Addrs))
			for i, a := range h.Addrs {
				addrs[i] = a.String()
			}
			line += " (" + strings.Join(addrs, ", ") + ")"
		}
		ar.Facts = append(ar.Facts, line)
	}
	out := ru.mxOutside(res.Findings)
	ar.Findings = WithFixes(res.Findings)
	ar.Findings = append(ar.Findings, ru.checkFCrDNS(ctx, res)...)
	outsideFact(&ar, out, "their addresses were not checked")
	return ar
}

func (ru *run) checkSPF(ctx context.Context, rep *Report) Area {
	ar := Area{Name: AreaSPF, Title: "SPF (who may send as " + ru.domain + ")"}
	res := (&spf.Linter{Resolver: ru.r}).Lint(ctx, ru.domain)
	if res.Record == "" && hasCode(res.Findings, spf.FindingNoRecord) {
		ru.prefetchExistence()
	}
	rep.SPF = res
	rep.SPFTree = Tree(res.Terms)
	switch {
	case res.Record != "":
		ar.Records = append(ar.Records, Record{res.Domain, "TXT", res.Record})
		ar.Facts = append(ar.Facts,
			fmt.Sprintf("%s: %s", res.Domain, quote(res.Record)),
			fmt.Sprintf("DNS lookups: %d of 10 (worst case), void lookups: %d of 2", res.Lookups, res.VoidLookups))
	case hasCode(res.Findings, spf.FindingMultipleRecords):
		ar.Facts = append(ar.Facts, res.Domain+": more than one SPF record")
	default:
		ar.Facts = append(ar.Facts, res.Domain+": no SPF record")
	}
	out := ru.spfOutside(res.Findings)
	ar.Findings = WithFixes(res.Findings)
	outsideFact(&ar, out, "they were not checked, and their lookups are not counted")
	return ar
}

func (ru *run) checkDMARC(ctx context.Context, rep *Report) Area {
	ar := Area{Name: AreaDMARC, Title: "DMARC (policy for mail from " + ru.domain + ")"}
	c := &dmarc.Checker{Resolver: ru.r}
	d := c.Lookup(ctx, ru.domain)
	rep.DMARC = d
	switch d.Status {
	case dmarc.DiscoveryStatusFound:
		rec := d.Record.String()
		ar.Records = append(ar.Records, Record{"_dmarc." + d.PolicyDomain, "TXT", rec})
		ar.Facts = append(ar.Facts, fmt.Sprintf("_dmarc.%s: %s", d.PolicyDomain, quote(rec)))
	case dmarc.DiscoveryStatusTempError:
		ar.Status = StatusUnknown
		ar.Facts = append(ar.Facts, "lookup failed: "+oneLine(errString(d.Err)))
	}
	ar.Findings = WithFixes(c.LintDomain(ctx, ru.domain))
	// Tag findings name only the tag; say which record it is in.
	if d.Status == dmarc.DiscoveryStatusFound {
		for i := range ar.Findings {
			if f := &ar.Findings[i]; !strings.Contains(f.Where, ".") {
				f.Where = strings.TrimSpace("_dmarc." + d.PolicyDomain + " " + f.Where)
			}
		}
	}
	return ar
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// CommonSelectors are DKIM selector names senders often use; without Zone or
// Selectors, the audit looks for keys under them.
func CommonSelectors() []string {
	return []string{"default", "dkim", "google", "k1", "k2", "k3", "mail", "s1", "s2", "selector1", "selector2", "smtp"}
}

// selectors are the DKIM selectors to check: Auditor.Selectors, every
// SELECTOR._domainkey.DOMAIN name of Zone, and without either, the common
// names that have a key record. Computed once per audit.
func (ru *run) selectors(ctx context.Context) []string {
	ru.selOnce.Do(func() {
		sels := slices.Clone(ru.a.Selectors)
		if ru.a.Zone != nil {
			suffix := "._domainkey." + ru.domain
			for _, rr := range ru.records() {
				if sel, ok := strings.CutSuffix(dnsname.Canonical(rr.Name), suffix); ok && sel != "" && !slices.Contains(sels, sel) {
					sels = append(sels, sel)
				}
			}
		}
		if len(sels) == 0 && ru.a.Zone == nil {
			ru.probed = true
			common := CommonSelectors()
			found := make([]bool, len(common))
			var wg sync.WaitGroup
			for i, sel := range common {
				wg.Go(func() {
					_, err := ru.r.LookupTXT(ctx, sel+"._domainkey."+ru.domain)
					found[i] = err == nil
				})
			}
			wg.Wait()
			for i, sel := range common {
				if found[i] {
					sels = append(sels, sel)
				}
			}
		}
		ru.sels = sels
	})
	return ru.sels
}

func (ru *run) checkDKIM(ctx context.Context, rep *Report) Area {
	ar := Area{Name: AreaDKIM, Title: "DKIM (keys that sign for " + ru.domain + ")"}
	sels := ru.selectors(ctx)
	switch {
	case len(sels) == 0 && ru.probed:
		ar.Status = StatusUnknown
		ar.Facts = append(ar.Facts, "no key under the common selector names ("+strings.Join(CommonSelectors(), ", ")+"); name the ones your senders use with --selector")
		return ar
	case len(sels) == 0:
		ar.Status = StatusUnknown
		ar.Facts = append(ar.Facts, "no selector to check: DNS cannot list them; name the ones your senders use with --selector")
		return ar
	case ru.probed:
		ar.Facts = append(ar.Facts, "selectors found by trying common names: "+strings.Join(sels, ", "))
	}
	outside := false
	checks := make([]*dkim.SelectorCheck, len(sels))
	parallel(len(sels), func(i int) { checks[i] = dkim.CheckSelector(ctx, ru.r, ru.domain, sels[i]) })
	for _, k := range checks {
		rep.DKIM = append(rep.DKIM, k)
		if ru.dkimOutside(k) {
			outside = true
			where := k.Name
			if k.CNAME != "" {
				where += ": CNAME " + k.CNAME
			}
			ar.Facts = append(ar.Facts, where+", not in the zone file; "+outsideAdvice)
			ar.Findings = append(ar.Findings, k.Findings...)
			continue
		}
		if k.CNAME != "" {
			ar.Records = append(ar.Records, Record{k.Name, "CNAME", k.CNAME})
		}
		if k.Record != "" {
			ar.Records = append(ar.Records, Record{k.Name, "TXT", k.Record})
		}
		ar.Facts = append(ar.Facts, fmt.Sprintf("%s: %s", k.Name, k.Summary()))
		ar.Findings = append(ar.Findings, k.Findings...)
	}
	if outside && !slices.ContainsFunc(ar.Findings, func(f domainauth.Finding) bool { return f.Severity > domainauth.SeverityInfo }) {
		ar.Status = StatusUnknown // a key that could not be checked is not "ok"
	}
	return ar
}

// mailFromDomain is the envelope-sender domain to check: Auditor.MailFrom,
// or the first candidate name below the domain whose MX is an SES feedback
// endpoint.
func (ru *run) mailFromDomain(ctx context.Context) string {
	if ru.a.MailFrom != "" {
		if n, err := dnsname.Normalize(ru.a.MailFrom); err == nil {
			return n
		}
		return ru.a.MailFrom
	}
	// Ask about every candidate at once; the first in order wins.
	names := ru.namesUnder()
	hit := make([]bool, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() { hit[i] = ru.feedbackMX(ctx, name) != "" })
	}
	wg.Wait()
	for i, name := range names {
		if hit[i] {
			return name
		}
	}
	return ""
}

// records returns the records of Auditor.Zone, read once per audit.
func (ru *run) records() []zone.RR {
	ru.rrOnce.Do(func() { ru.rrs = ru.a.Zone.Records() })
	return ru.rrs
}

// namesUnder lists the owner names strictly below the domain: the MX owners
// of Zone, else a few names SES users commonly choose for a custom MAIL FROM
// domain.
func (ru *run) namesUnder() []string {
	var names []string
	if ru.a.Zone != nil {
		for _, rr := range ru.records() {
			if rr.Type == zone.TypeMX && dnsname.IsSubdomain(rr.Name, ru.domain) && !dnsname.Equal(rr.Name, ru.domain) && !slices.Contains(names, rr.Name) {
				names = append(names, rr.Name)
			}
		}
		return names
	}
	for _, l := range []string{"mail", "bounce", "mailfrom", "ses", "email"} {
		names = append(names, l+"."+ru.domain)
	}
	return names
}

// feedbackMX returns the SES feedback endpoint that an MX record at name
// points to (the last, if several), or "" when none does or the lookup fails.
func (ru *run) feedbackMX(ctx context.Context, name string) string {
	mxs, err := ru.r.LookupMX(ctx, name)
	if err != nil {
		return ""
	}
	host := ""
	for _, m := range mxs {
		if ses.RegionOfFeedbackHost(m.Host) != "" {
			host = dnsname.Canonical(m.Host)
		}
	}
	return host
}

func (ru *run) checkMailFrom(ctx context.Context, rep *Report, domain string) Area {
	ar := Area{Name: AreaMailFrom, Title: "MAIL FROM domain " + domain}
	res, err := (&mx.Checker{Resolver: ru.r}).CheckMailFrom(ctx, domain)
	if err != nil {
		ar.Status = StatusUnknown
		ar.Facts = append(ar.Facts, "not checked: "+err.Error())
		return ar
	}
	rep.MailFrom = res
	if res.MX != nil {
		for _, h := range res.MX.Hosts {
			if h.Name != "" {
				ar.Records = append(ar.Records, Record{domain, "MX", fmt.Sprintf("%d %s", h.Preference, h.Name)})
				ar.Facts = append(ar.Facts, fmt.Sprintf("MX %d %s", h.Preference, h.Name))
			}
		}
	}
	for _, s := range res.SPF {
		ar.Records = append(ar.Records, Record{domain, "TXT", s})
		ar.Facts = append(ar.Facts, "SPF "+quote(s))
	}
	out := ru.mxOutside(res.Findings)
	ar.Findings = WithFixes(res.Findings)
	outsideFact(&ar, out, "their addresses were not checked")
	return ar
}

// quote wraps a record value in double quotes, as it appears in a zone file.
func quote(s string) string { return `"` + s + `"` }

// oneLine folds a multi-line message onto one line.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", "; ", "\n", "; ", "\r", "; ").Replace(strings.TrimSpace(s))
}
