package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/bimi"
	"github.com/domainauth/domainauth/mtasts"
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/tlsrpt"
)

// The areas of what a receiving domain publishes beyond SPF, DKIM and
// DMARC: MTA-STS (RFC 8461), TLS reporting (RFC 8460) and BIMI. The first
// and the last need documents from the web, which come through
// Auditor.Fetcher or, for offline checks, from Auditor.MTASTSPolicy,
// BIMILogo and BIMICertificate; without them the area says what it could
// not check and is never "ok" for it.

// unfetchedNote is the fact line of a document served over HTTPS (the
// MTA-STS policy, the BIMI logo and mark certificate) that was not fetched:
// what it is, the words that name it in the advice, and the flag that
// gives it from a file.
func unfetchedNote(what, it, flag string) string {
	return what + " not checked: it is served over HTTPS, and this check reads records from files; give " + it + " with " + flag + " FILE, or check on live DNS"
}

func (ru *run) checkMTASTS(ctx context.Context, rep *Report) Area {
	ar := Area{Name: AreaMTASTS, Title: "MTA-STS (TLS required for mail to " + ru.domain + ")"}
	c := &mtasts.Checker{Resolver: ru.r, Fetcher: ru.a.Fetcher}
	from := ""
	if ru.a.MTASTSPolicy != nil {
		// A policy read from a file: no certificate to check, which the
		// mtasts package reports as unknown, never as valid.
		c.Fetcher = mtasts.StaticFetcher{Body: ru.a.MTASTSPolicy}
		c.Fetch.AcceptUnverified = true
		from = " (from the policy file)"
	}
	res := c.Check(ctx, ru.domain)
	rep.MTASTS = res
	ar.Findings = res.Findings
	name := mtasts.RecordName(ru.domain)
	switch {
	case res.Record != nil:
		rec := res.Record.String()
		ar.Records = append(ar.Records, Record{name, "TXT", rec})
		ar.Facts = append(ar.Facts, fmt.Sprintf("%s: %s", name, quote(rec)))
	case hasCode(res.Findings, mtasts.FindingNoRecord):
		ar.Facts = append(ar.Facts, name+": no record; MTA-STS is not in use (it is optional)")
		if ru.a.MTASTSPolicy != nil {
			ar.Facts = append(ar.Facts, "the policy file was not checked: senders fetch a policy only when the record exists (RFC 8461 §3)")
		}
		return ar
	case hasCode(res.Findings, mtasts.FindingLookupFailed):
		ar.Status = StatusUnknown
		return ar
	default:
		return ar // the findings say what is wrong with the record
	}
	switch {
	case res.Policy != nil:
		p := res.Policy
		if from == "" && res.Fetched != nil {
			from = " (" + res.Fetched.URL + ", certificate " + res.Fetched.Certificate.String() + ")"
		}
		ar.Facts = append(ar.Facts, fmt.Sprintf("policy%s: mode %s, max_age %d, mx %s", from, p.Mode, p.MaxAge, strings.Join(p.MX, ", ")))
		if len(res.MX) > 0 {
			ar.Facts = append(ar.Facts, "MX hosts matched against it: "+strings.Join(res.MX, ", "))
		}
	case res.Fetched == nil:
		ar.Facts = append(ar.Facts, unfetchedNote("policy", "the policy", "--mta-sts-policy"))
		if !hasSeverity(ar.Findings, domainauth.SeverityWarning) {
			ar.Status = StatusUnknown // an unchecked policy is not "ok"
		}
	}
	return ar
}

func (ru *run) checkTLSRPT(ctx context.Context, rep *Report) Area {
	ar := Area{Name: AreaTLSRPT, Title: "TLS-RPT (reports of failed TLS to " + ru.domain + ")"}
	name := tlsrpt.RecordName(ru.domain)
	add := func(code string, sev domainauth.Severity, msg, fix string) {
		ar.Findings = append(ar.Findings, domainauth.Finding{Code: code, Severity: sev, Where: name, RFC: "RFC 8460 §3", Message: msg, Fix: fix})
	}
	rec, err := tlsrpt.LookupRecord(ctx, ru.r, ru.domain)
	switch {
	case errors.Is(err, tlsrpt.ErrNoRecord):
		ar.Facts = append(ar.Facts, name+": no record; sending MTAs report TLS failures to nobody")
		add(tlsrpt.FindingNoRecord, domainauth.SeverityInfo, "no TLSRPT record: senders do not report failed TLS sessions to the domain",
			fmt.Sprintf(`publish the TXT record %s "v=TLSRPTv1; rua=mailto:tls-reports@%s"`, name, ru.domain))
		return ar
	case errors.Is(err, tlsrpt.ErrMultipleRecords):
		add(tlsrpt.FindingMultipleRecords, domainauth.SeverityError, oneLine(err.Error())+": senders take the domain as having none",
			"keep exactly one v=TLSRPTv1 record at "+name)
		return ar
	case err != nil && !errors.As(err, new(*tlsrpt.ParseError)):
		ar.Status = StatusUnknown
		add(tlsrpt.FindingLookupFailed, domainauth.SeverityWarning, oneLine(err.Error()), "")
		return ar
	case err != nil:
		add(tlsrpt.FindingInvalidRecord, domainauth.SeverityError, oneLine(err.Error())+": senders send no reports",
			fmt.Sprintf(`publish a record of the form "v=TLSRPTv1; rua=mailto:tls-reports@%s"`, ru.domain))
		return ar
	}
	rep.TLSRPT = rec
	ar.Records = append(ar.Records, Record{name, "TXT", rec.String()})
	ar.Facts = append(ar.Facts, fmt.Sprintf("%s: %s", name, quote(rec.String())))
	if len(rec.Destinations()) == 0 {
		add(tlsrpt.FindingNoDestination, domainauth.SeverityError, "rua names no mailto: or https: destination: senders send no reports",
			fmt.Sprintf("name a mailbox, rua=mailto:tls-reports@%s, or an https: URL", ru.domain))
	}
	return ar
}

// crossMTASTSSuggest gives the advice to publish MTA-STS, when the domain
// has no record, the record and the policy text for the domain's MX hosts
// (mtasts.Suggest), in testing mode: RFC 8461 §8.3 advises starting in
// testing mode and reading TLS reports before enforcing.
func crossMTASTSSuggest(rep *Report, sts *Area, clock domainauth.Clock) {
	if rep.MX == nil || rep.MX.State == mx.StateNull {
		return
	}
	var hosts []string
	for _, h := range rep.MX.Hosts {
		if !h.IPLiteral && h.Name != "" {
			hosts = append(hosts, h.Name)
		}
	}
	if len(hosts) == 0 {
		return
	}
	pub, err := mtasts.Suggest(rep.Domain, hosts, mtasts.ModeTesting, clock)
	if err != nil {
		return // an MX host no pattern can name: the MX area reports it
	}
	for i, f := range sts.Findings {
		if f.Code == mtasts.FindingNoRecord {
			var lines []string
			for l := range strings.Lines(pub.Policy.String()) {
				lines = append(lines, quote(strings.TrimSpace(l)))
			}
			sts.Findings[i].Fix = fmt.Sprintf("serve at %s (Content-Type text/plain, a certificate for %s) a policy of the lines %s, then publish the TXT record %s %s; move to mode: enforce once TLS reports show no failures",
				pub.PolicyURL, pub.PolicyHost, strings.Join(lines, ", "), pub.RecordName, quote(pub.Record.String()))
		}
	}
}

// crossNullMX drops the advice to publish MTA-STS and TLS-RPT for a domain
// with a null MX (RFC 7505): it receives no mail, so there is no transport
// to secure or report on.
func crossNullMX(rep *Report, areas ...*Area) {
	if rep.MX == nil || rep.MX.State != mx.StateNull {
		return
	}
	for _, ar := range areas {
		n := len(ar.Findings)
		ar.Findings = slices.DeleteFunc(ar.Findings, func(f domainauth.Finding) bool {
			return f.Code == mtasts.FindingNoRecord || f.Code == tlsrpt.FindingNoRecord
		})
		if len(ar.Findings) < n {
			for i, f := range ar.Facts {
				if before, _, ok := strings.Cut(f, ": no record;"); ok {
					ar.Facts[i] = before + ": no record, and none is needed: the domain accepts no mail (null MX)"
				}
			}
		}
	}
}

// crossTLSRPT makes a missing TLSRPT record a Warning when the MTA-STS
// policy asks senders to enforce or to test: in enforce mode a mistake
// makes senders refuse to deliver, and without reports nobody learns why;
// testing mode is only of use with reports (RFC 8461 §5, RFC 8460 §1).
func crossTLSRPT(rep *Report, tls *Area) {
	if rep.MTASTS == nil || rep.MTASTS.Policy == nil {
		return
	}
	mode := rep.MTASTS.Policy.Mode
	if mode != mtasts.ModeEnforce && mode != mtasts.ModeTesting {
		return
	}
	for i := range tls.Findings {
		if f := &tls.Findings[i]; f.Code == tlsrpt.FindingNoRecord {
			f.Severity = domainauth.SeverityWarning
			f.RFC = "RFC 8460 §3; RFC 8461 §5"
			f.Message = fmt.Sprintf("no TLSRPT record next to an MTA-STS policy in %s mode: senders that cannot deliver under the policy tell nobody", mode)
		}
	}
}

func (ru *run) checkBIMI(ctx context.Context, rep *Report) Area {
	ar := Area{Name: AreaBIMI, Title: "BIMI (the logo shown for mail from " + ru.domain + ")"}
	c := &bimi.Checker{Resolver: ru.r, Fetcher: ru.a.Fetcher, Clock: ru.a.Clock,
		Logo: ru.a.BIMILogo, Evidence: ru.a.BIMICertificate}
	res := c.Check(ctx, ru.domain, "")
	rep.BIMI = res
	ar.Findings = res.Findings
	d := res.Discovery
	switch d.Status {
	case bimi.DiscoveryStatusNone:
		ar.Facts = append(ar.Facts, "default._bimi."+ru.domain+": no record; no logo is shown (BIMI is optional)")
		if ru.a.BIMILogo != nil || ru.a.BIMICertificate != nil {
			ar.Facts = append(ar.Facts, "the logo and certificate files were not checked: receivers look for them only through the record")
		}
		return ar
	case bimi.DiscoveryStatusTempError:
		ar.Status = StatusUnknown
		return ar
	}
	if d.Text != "" {
		ar.Records = append(ar.Records, Record{d.Name, "TXT", d.Text})
		ar.Facts = append(ar.Facts, fmt.Sprintf("%s: %s", d.Name, quote(d.Text)))
	}
	if d.Status != bimi.DiscoveryStatusFound {
		return ar
	}
	if pol := res.DMARC; pol.Author != nil || pol.Org != nil {
		if hasPrefixCode(res.Findings, "bimi.dmarc-") {
			ar.Facts = append(ar.Facts, "DMARC does not meet BIMI's requirements (see below)")
		} else {
			ar.Facts = append(ar.Facts, "DMARC enforces at the domain and its organizational domain, as BIMI requires")
		}
	}
	unchecked := false
	r := d.Record
	switch {
	case res.LogoChecked && ru.a.BIMILogo != nil:
		ar.Facts = append(ar.Facts, "logo: checked from the logo file")
	case res.LogoChecked:
		ar.Facts = append(ar.Facts, "logo: checked from "+r.Location)
	case r.Location != "" && ru.a.Fetcher == nil:
		ar.Facts = append(ar.Facts, unfetchedNote("logo", "it", "--bimi-svg"))
		unchecked = true
	}
	switch {
	case res.Certificate != nil && res.Certificate.Leaf != nil:
		leaf := res.Certificate.Leaf
		from := r.Evidence
		if ru.a.BIMICertificate != nil {
			from = "the certificate file"
		}
		ar.Facts = append(ar.Facts, fmt.Sprintf("mark certificate (from %s): %s, valid until %s", from, leaf.Subject.CommonName, leaf.NotAfter.UTC().Format("2006-01-02")))
	case res.Certificate == nil && r.Evidence != "" && ru.a.Fetcher == nil:
		ar.Facts = append(ar.Facts, unfetchedNote("mark certificate", "it", "--bimi-cert"))
		unchecked = true
	}
	if unchecked && !hasSeverity(ar.Findings, domainauth.SeverityWarning) {
		ar.Status = StatusUnknown
	}
	return ar
}

// hasSeverity reports whether a finding of fs is at least sev.
func hasSeverity(fs []domainauth.Finding, sev domainauth.Severity) bool {
	for _, f := range fs {
		if f.Severity >= sev {
			return true
		}
	}
	return false
}

// hasPrefixCode reports whether a finding of fs has a code starting with
// prefix.
func hasPrefixCode(fs []domainauth.Finding, prefix string) bool {
	for _, f := range fs {
		if strings.HasPrefix(f.Code, prefix) {
			return true
		}
	}
	return false
}
