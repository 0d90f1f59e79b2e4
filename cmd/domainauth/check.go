package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/ses"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

func checkCommand() *command {
	return &command{
		name:    "check",
		args:    "DOMAIN",
		summary: "audit a domain's whole mail authentication set-up",
		long: `Audit DOMAIN's mail authentication: MX and null MX, SPF (the include tree and
its DNS lookup count), DMARC (discovery, the record, external report
authorisation), DKIM keys (the selectors given with --selector, every
selector a zone file has, or on live DNS the common selector names that have
a key), the MAIL FROM domain
(--mail-from, or the SES custom MAIL FROM found in the zone) and, when the
domain sends through Amazon SES, the SES set-up with its DMARC alignment
prediction.

Findings are grouped by area; each has a severity, a stable code, the record it
concerns and the fix. Info findings are shown with --verbose and always in
--json. Exit status 0 when there is no error finding, 1 when there is, 2 for
usage mistakes or when DNS cannot be reached.`,
		examples: []string{
			"domainauth check --zone examples/zones/example.org.zone example.org",
			"domainauth check --zone examples/zones/broken.example.zone --region eu-south-1 broken.example",
			"domainauth check --selector google --selector s1 --json example.com",
		},
		minArgs: 1, maxArgs: 1,
		setup: checkSetup,
	}
}

// checkOptions are the flags of "check".
type checkOptions struct {
	dns       *dnsFlags
	selectors listFlag
	mailFrom  string
	region    string
	json      bool
	verbose   bool
}

// area is one group of the check report.
type area struct {
	Name     string    `json:"area"`            // "mx", "spf", "dmarc", "dkim", "mail-from", "ses"
	Title    string    `json:"title"`           // heading for people
	Status   string    `json:"status"`          // "ok", "warning", "error", "unknown"
	Facts    []string  `json:"facts,omitempty"` // what was found, one line each
	Findings []finding `json:"findings"`
}

// checkReport is what "check" prints, and its --json form.
type checkReport struct {
	Domain   string `json:"domain"`
	Source   string `json:"source"`
	Areas    []area `json:"areas"`
	Errors   int    `json:"errors"`
	Warnings int    `json:"warnings"`
}

// auditor holds one run of "check".
type auditor struct {
	src    *source
	opts   *checkOptions
	domain string

	selOnce sync.Once
	sels    []string // see selectors
	probed  bool     // sels came from trying common names
}

func checkSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	o := &checkOptions{dns: addDNSFlags(fs)}
	fs.Var(&o.selectors, "selector", "check the DKIM key of this `SELECTOR`; repeatable")
	fs.StringVar(&o.mailFrom, "mail-from", "", "check this envelope-sender (MAIL FROM) `DOMAIN` too")
	fs.StringVar(&o.region, "region", "", "the Amazon SES `REGION` the domain sends from (default: inferred from the MAIL FROM MX or the DKIM zone)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.BoolVar(&o.verbose, "verbose", false, "show info findings too")
	return func(ctx context.Context, args []string) error {
		if o.region != "" {
			if _, err := ses.LookupRegion(o.region); err != nil {
				return usagef("unknown SES region %q (known: %s)", o.region, strings.Join(ses.RegionCodes(), ", "))
			}
		}
		s, err := o.dns.begin(ctx, args[0], "")
		if err != nil {
			return err
		}
		defer s.cancel()
		au := &auditor{src: s.source, opts: o, domain: s.domain}
		rep := au.run(s.ctx)
		if o.json {
			if err := writeJSON(a.stdout, rep); err != nil {
				return err
			}
		} else {
			writeCheckReport(a.stdout, rep, o.verbose)
		}
		if n := dnsFailures(rep); n > 0 {
			return fmt.Errorf("%s failed temporarily, so the report above is incomplete; check again later, or offline with --zone FILE", plural(n, "DNS lookup"))
		}
		if rep.Errors > 0 {
			return errFindings
		}
		return nil
	}
}

// dnsFailures counts the findings that say a lookup failed temporarily:
// the audit could not finish, which is DNS trouble (exit status 2), not a
// verdict on the domain.
func dnsFailures(rep *checkReport) int {
	n := 0
	for _, ar := range rep.Areas {
		for _, f := range ar.Findings {
			if strings.HasSuffix(f.Code, "lookup-failed") || strings.HasSuffix(f.Code, ".dns-error") {
				n++
			}
		}
	}
	return n
}

// run audits every area and totals the findings.
func (au *auditor) run(ctx context.Context) *checkReport {
	rep := &checkReport{Domain: au.domain, Source: au.src.what}
	// The areas are independent, so their lookups run concurrently: on
	// live DNS the audit takes as long as the slowest area, not the sum.
	// The MAIL FROM and SES areas need the MAIL FROM domain first.
	fixed := make([]area, 4)
	var mf string
	var wg sync.WaitGroup
	wg.Go(func() { fixed[0] = au.checkMX(ctx) })
	wg.Go(func() { fixed[1] = au.checkSPF(ctx) })
	wg.Go(func() { fixed[2] = au.checkDMARC(ctx) })
	wg.Go(func() { fixed[3] = au.checkDKIM(ctx) })
	wg.Go(func() { mf = au.mailFromDomain(ctx) })
	wg.Wait()
	rep.Areas = fixed
	var mailFrom, sesArea area
	var sesFound bool
	if mf != "" {
		wg.Go(func() { mailFrom = au.checkMailFrom(ctx, mf) })
	}
	wg.Go(func() { sesArea, sesFound = au.checkSES(ctx, mf) })
	wg.Wait()
	if mf != "" {
		rep.Areas = append(rep.Areas, mailFrom)
	}
	if sesFound {
		rep.Areas = append(rep.Areas, sesArea)
	}
	dedupe(rep.Areas)
	for i := range rep.Areas {
		ar := &rep.Areas[i]
		if ar.Findings == nil {
			ar.Findings = []finding{}
		}
		slices.SortStableFunc(ar.Findings, func(x, y finding) int { return sevRank(x.Severity) - sevRank(y.Severity) })
		e, w := countSeverities(ar.Findings)
		rep.Errors += e
		rep.Warnings += w
		if ar.Status == "" {
			switch {
			case e > 0:
				ar.Status = sevError
			case w > 0:
				ar.Status = sevWarning
			default:
				ar.Status = "ok"
			}
		}
	}
	return rep
}

// writeCheckReport prints the report for people.
func writeCheckReport(w io.Writer, rep *checkReport, verbose bool) {
	fmt.Fprintf(w, "Checking %s (records from %s)\n", rep.Domain, rep.Source)
	for _, ar := range rep.Areas {
		fmt.Fprintf(w, "\n%s: %s\n", ar.Title, ar.Status)
		for _, f := range ar.Facts {
			fmt.Fprintf(w, "  %s\n", f)
		}
		for _, f := range ar.Findings {
			if f.Severity == sevInfo && !verbose {
				continue
			}
			writeFinding(w, "  ", f)
		}
	}
	fmt.Fprintf(w, "\nResult: ")
	if rep.Errors == 0 && rep.Warnings == 0 {
		fmt.Fprintf(w, "%s: no problems found\n", rep.Domain)
		return
	}
	fmt.Fprintf(w, "%s: %s, %s\n", rep.Domain, plural(rep.Errors, "error"), plural(rep.Warnings, "warning"))
}

// mxFindings converts the mx package's findings.
func mxFindings(fs []mx.Finding, areaName string) []finding {
	out := make([]finding, 0, len(fs))
	for _, f := range fs {
		out = append(out, finding{
			Area: areaName, Severity: f.Severity.String(), Code: f.Code,
			Record: f.Where, Message: f.Message, RFC: f.RFC, Fix: fixFor(f.Code, f.Where),
		})
	}
	return out
}

func (au *auditor) checkMX(ctx context.Context) area {
	ar := area{Name: "mx", Title: "MX (where mail for " + au.domain + " goes)"}
	c := &mx.Checker{Resolver: au.src.r}
	res, err := c.Check(ctx, au.domain)
	if err != nil {
		ar.Status = "unknown"
		ar.Facts = append(ar.Facts, "not checked: "+err.Error())
		return ar
	}
	switch res.State {
	case mx.Null:
		ar.Facts = append(ar.Facts, "null MX: the domain accepts no mail (RFC 7505)")
	case mx.Implicit:
		ar.Facts = append(ar.Facts, "no MX records; mail goes to the domain's own addresses")
	case mx.None:
		ar.Facts = append(ar.Facts, "no MX and no address records: the domain cannot receive mail")
	case mx.Unknown:
		ar.Status = "unknown"
	}
	for _, h := range res.Hosts {
		if h.Name == "" {
			continue
		}
		addrs := make([]string, len(h.Addrs))
		for i, a := range h.Addrs {
			addrs[i] = a.String()
		}
		line := fmt.Sprintf("MX %d %s", h.Preference, h.Name)
		if len(addrs) > 0 {
			line += " (" + strings.Join(addrs, ", ") + ")"
		}
		ar.Facts = append(ar.Facts, line)
	}
	ar.Findings = mxFindings(res.Findings, "mx")
	return ar
}

func (au *auditor) checkSPF(ctx context.Context) area {
	ar := area{Name: "spf", Title: "SPF (who may send as " + au.domain + ")"}
	rep := (&spf.Linter{Resolver: au.src.r}).Lint(ctx, au.domain)
	facts := spfFacts(rep)
	// The include tree is detail for the spf command; check shows it
	// only when the lookups are over the limit, where it is the fix.
	if rep.Lookups <= 10 && len(facts) > 2 {
		facts = facts[:2]
	}
	for _, f := range facts {
		ar.Facts = append(ar.Facts, strings.TrimPrefix(f, "  "))
	}
	ar.Findings = spfFindings(rep.Findings)
	return ar
}

func (au *auditor) checkDMARC(ctx context.Context) area {
	ar := area{Name: "dmarc", Title: "DMARC (policy for mail from " + au.domain + ")"}
	c := &dmarc.Checker{Resolver: au.src.r}
	d := c.Lookup(ctx, au.domain)
	switch d.Status {
	case dmarc.StatusFound:
		ar.Facts = append(ar.Facts, fmt.Sprintf("_dmarc.%s: %s", d.PolicyDomain, quote(d.Record.String())))
	case dmarc.StatusTempError:
		ar.Status = "unknown"
		ar.Facts = append(ar.Facts, "lookup failed: "+oneLine(errString(d.Err)))
	}
	ar.Findings = dmarcFindings(c.LintDomain(ctx, au.domain))
	// Tag findings name only the tag; say which record it is in.
	if d.Status == dmarc.StatusFound {
		for i := range ar.Findings {
			if f := &ar.Findings[i]; !strings.Contains(f.Record, ".") {
				f.Record = strings.TrimSpace("_dmarc." + d.PolicyDomain + " " + f.Record)
			}
		}
	}
	return ar
}

// commonSelectors are selector names senders often use; on live DNS, with
// no --selector, check looks for keys under them.
func commonSelectors() []string {
	return []string{"default", "dkim", "google", "k1", "k2", "k3", "mail", "s1", "s2", "selector1", "selector2", "smtp"}
}

// selectors are the DKIM selectors to check: --selector, and in zone files
// every name SELECTOR._domainkey.DOMAIN; on live DNS without --selector, the
// common names that have a key record. Computed once per audit.
func (au *auditor) selectors(ctx context.Context) []string {
	au.selOnce.Do(func() {
		sels := slices.Clone([]string(au.opts.selectors))
		if z := au.src.files; z != nil {
			suffix := "._domainkey." + au.domain
			for _, rr := range z.Records() {
				if sel, ok := strings.CutSuffix(dnsname.Canonical(rr.Name), suffix); ok && sel != "" && !slices.Contains(sels, sel) {
					sels = append(sels, sel)
				}
			}
		}
		if len(sels) == 0 && au.src.files == nil {
			au.probed = true
			common := commonSelectors()
			found := make([]bool, len(common))
			var wg sync.WaitGroup
			for i, sel := range common {
				wg.Go(func() {
					_, err := au.src.r.LookupTXT(ctx, sel+"._domainkey."+au.domain)
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
		au.sels = sels
	})
	return au.sels
}

func (au *auditor) checkDKIM(ctx context.Context) area {
	ar := area{Name: "dkim", Title: "DKIM (keys that sign for " + au.domain + ")"}
	sels := au.selectors(ctx)
	switch {
	case len(sels) == 0 && au.probed:
		ar.Status = "unknown"
		ar.Facts = append(ar.Facts, "no key under the common selector names ("+strings.Join(commonSelectors(), ", ")+"); name the ones your senders use with --selector")
		return ar
	case len(sels) == 0:
		ar.Status = "unknown"
		ar.Facts = append(ar.Facts, "no selector to check: DNS cannot list them; name the ones your senders use with --selector")
		return ar
	case au.probed:
		ar.Facts = append(ar.Facts, "selectors found by trying common names: "+strings.Join(sels, ", "))
	}
	for _, sel := range sels {
		k := dkim.CheckSelector(ctx, au.src.r, au.domain, sel)
		ar.Facts = append(ar.Facts, fmt.Sprintf("%s: %s", k.Name, k.Summary()))
		ar.Findings = append(ar.Findings, findingsOf("dkim", k.Findings)...)
	}
	return ar
}

// mailFromDomain is the envelope-sender domain to check: --mail-from, or
// the custom MAIL FROM domain of SES found under the domain in a zone file.
func (au *auditor) mailFromDomain(ctx context.Context) string {
	if au.opts.mailFrom != "" {
		if n, err := dnsname.Normalize(au.opts.mailFrom); err == nil {
			return n
		}
		return au.opts.mailFrom
	}
	// Ask about every candidate at once; the first in order wins.
	names := au.namesUnder()
	hit := make([]bool, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() { hit[i] = au.feedbackMX(ctx, name) != "" })
	}
	wg.Wait()
	for i, name := range names {
		if hit[i] {
			return name
		}
	}
	return ""
}

// namesUnder lists the owner names strictly below the domain: from the zone
// when the records come from files, else a few names SES users commonly
// choose for a custom MAIL FROM domain.
func (au *auditor) namesUnder() []string {
	if z := au.src.files; z != nil {
		var names []string
		for _, rr := range z.Records() {
			if rr.Type == zone.TypeMX && dnsname.IsSubdomain(rr.Name, au.domain) && !dnsname.Equal(rr.Name, au.domain) && !slices.Contains(names, rr.Name) {
				names = append(names, rr.Name)
			}
		}
		return names
	}
	var names []string
	for _, l := range []string{"mail", "bounce", "mailfrom", "ses", "email"} {
		names = append(names, l+"."+au.domain)
	}
	return names
}

func (au *auditor) checkMailFrom(ctx context.Context, domain string) area {
	ar := area{Name: "mail-from", Title: "MAIL FROM domain " + domain}
	c := &mx.Checker{Resolver: au.src.r}
	res, err := c.CheckMailFrom(ctx, domain)
	if err != nil {
		ar.Status = "unknown"
		ar.Facts = append(ar.Facts, "not checked: "+err.Error())
		return ar
	}
	if res.MX != nil {
		for _, h := range res.MX.Hosts {
			if h.Name != "" {
				ar.Facts = append(ar.Facts, fmt.Sprintf("MX %d %s", h.Preference, h.Name))
			}
		}
	}
	for _, s := range res.SPF {
		ar.Facts = append(ar.Facts, "SPF "+quote(s))
	}
	ar.Findings = mxFindings(res.Findings, "mail-from")
	return ar
}

// quote wraps a record value in double quotes, as it appears in a zone file.
func quote(s string) string { return `"` + s + `"` }

// fixFor returns the advice for a finding code, for packages whose findings
// do not carry one. where is the finding's subject.
func fixFor(code, where string) string {
	switch code {
	case mx.CodeNullMixed:
		return "publish either the single null MX \"0 .\" or real MX records, not both"
	case mx.CodeNullPreference:
		return "publish the null MX as \"0 .\""
	case mx.CodeIPLiteral:
		return "point the MX at a host name with A/AAAA records"
	case mx.CodeCNAMETarget:
		return "point the MX at the CNAME's target host"
	case mx.CodeUnresolvable:
		return "publish A/AAAA records for " + where + " or point the MX elsewhere"
	case mx.CodeDuplicate:
		return "delete the duplicate MX record"
	case mx.CodeNone:
		return "publish MX records, or a null MX \"0 .\" if the domain receives no mail"
	case mx.CodeImplicit:
		return "publish an MX record naming the mail host"
	case mx.CodeMailFromNoMX, mx.CodeMailFromNullMX, mx.CodeMailFromImplicitMX:
		return "publish an MX record at " + where + " for bounces (for SES: \"10 feedback-smtp.REGION.amazonses.com\")"
	case mx.CodeMailFromNoSPF:
		return "publish an SPF record at " + where + ", e.g. \"v=spf1 include:amazonses.com ~all\" for SES"
	case mx.CodeMailFromMultipleSPF:
		return "merge the SPF records at " + where + " into one"
	}
	return ""
}
