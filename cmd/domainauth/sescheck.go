package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/ses"
)

// sesSignals is what DNS says about an Amazon SES set-up: the Easy DKIM
// tokens (selectors whose CNAME points into an SES signing zone), the SES
// include in the apex SPF record, and the custom MAIL FROM domain's
// feedback MX.
type sesSignals struct {
	tokens       []string
	dkimZone     string // the zone the token CNAMEs point into
	spfInclude   bool
	mailFrom     string
	feedbackHost string
}

func (s *sesSignals) detected() bool {
	return len(s.tokens) > 0 || s.spfInclude || s.feedbackHost != ""
}

func (au *auditor) sesSignals(ctx context.Context, mailFrom string) *sesSignals {
	sig := &sesSignals{mailFrom: mailFrom}
	if txts, err := au.src.r.LookupTXT(ctx, au.domain); err == nil {
		for _, t := range txts {
			if mx.IsSPF(t) && strings.Contains(strings.ToLower(t), "include:amazonses.com") {
				sig.spfInclude = true
			}
		}
	}
	if cr, ok := au.src.r.(domainauth.CNAMEResolver); ok {
		for _, sel := range au.selectors(ctx) {
			t, err := cr.LookupCNAMETarget(ctx, sel+"._domainkey."+au.domain)
			if err != nil {
				continue
			}
			zone, ok := strings.CutPrefix(dnsname.Canonical(t), dnsname.Canonical(sel)+".")
			if ok && strings.HasSuffix(zone, ".amazonses.com") {
				sig.tokens = append(sig.tokens, sel)
				sig.dkimZone = zone
			}
		}
	}
	if mailFrom != "" {
		sig.feedbackHost = au.feedbackMX(ctx, mailFrom)
	}
	return sig
}

// feedbackMX returns the SES feedback endpoint that an MX record at name
// points to (the last, if several), or "" when none does or the lookup fails.
func (au *auditor) feedbackMX(ctx context.Context, name string) string {
	mxs, err := au.src.r.LookupMX(ctx, name)
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

// checkSES audits the SES set-up when DNS shows one. The region is --region,
// else the one the MAIL FROM MX or a regional DKIM zone names.
func (au *auditor) checkSES(ctx context.Context, mailFrom string) (area, bool) {
	ar := area{Name: "ses", Title: "Amazon SES"}
	sig := au.sesSignals(ctx, mailFrom)
	if !sig.detected() && au.opts.region == "" {
		return ar, false
	}
	region, why := au.opts.region, "given with --region"
	if region == "" {
		if r := ses.RegionOfFeedbackHost(sig.feedbackHost); r != "" {
			region, why = r, "from the MAIL FROM MX"
		} else if r := ses.RegionOfDKIMZone(sig.dkimZone); r != "" {
			region, why = r, "from the DKIM zone"
		}
	}
	if region == "" {
		ar.Status = "unknown"
		ar.Facts = append(ar.Facts, "the domain sends through SES, but DNS does not say from which region: give it with --region to audit the set-up")
		return ar, true
	}
	// The DMARC area audits the published policy; the SES plan would only
	// recommend one.
	id := ses.Identity{Domain: au.domain, Region: region, EasyDKIMTokens: sig.tokens, SkipDMARC: true}
	if sig.mailFrom != "" && dnsname.IsSubdomain(sig.mailFrom, au.domain) && !dnsname.Equal(sig.mailFrom, au.domain) {
		id.MailFrom = sig.mailFrom
	}
	plan, err := id.Plan()
	if err != nil {
		ar.Status = "unknown"
		ar.Facts = append(ar.Facts, "cannot plan the identity: "+oneLine(err.Error()))
		return ar, true
	}
	ar.Title = fmt.Sprintf("Amazon SES (identity %s in %s)", au.domain, region)
	ar.Facts = append(ar.Facts, fmt.Sprintf("region %s (%s), %s", region, plan.Region.Name, why))
	// Live DNS cannot list the Easy DKIM tokens (random selector names):
	// without --selector their absence means nothing.
	tokensUnknown := len(sig.tokens) == 0 && au.src.files == nil && len(au.opts.selectors) == 0
	switch {
	case len(sig.tokens) > 0:
		ar.Facts = append(ar.Facts, fmt.Sprintf("Easy DKIM: %d CNAMEs into %s; %s signs from %s", len(sig.tokens), sig.dkimZone, region, plan.DKIMZone.Value))
	case tokensUnknown:
		ar.Facts = append(ar.Facts, "Easy DKIM: DNS cannot list the tokens; give them with --selector (three times) to audit the DKIM records; the prediction below assumes none")
	default:
		ar.Facts = append(ar.Facts, "Easy DKIM: no CNAME into an SES signing zone found")
	}
	if id.MailFrom != "" {
		ar.Facts = append(ar.Facts, fmt.Sprintf("custom MAIL FROM %s: MX %s; %s expects %s", id.MailFrom, orDash(sig.feedbackHost), region, plan.Region.FeedbackHost.Value))
	} else {
		ar.Facts = append(ar.Facts, "no custom MAIL FROM domain found: SES mail uses its own MAIL FROM, which never aligns with "+au.domain)
	}
	audit := (&ses.Auditor{Resolver: au.src.r}).Audit(ctx, plan)
	al := audit.Alignment
	ar.Facts = append(ar.Facts,
		fmt.Sprintf("DMARC prediction for mail from %s: %s", al.From, al.Verdict),
		fmt.Sprintf("  SPF: %s", al.SPF.Reason),
		fmt.Sprintf("  DKIM: %s", al.DKIM.Reason))
	for _, f := range append(append(plan.Findings, audit.Findings...), al.Findings...) {
		if tokensUnknown && f.Code == ses.CodeNoDKIM {
			continue
		}
		ar.Findings = appendUnique(ar.Findings, finding{Area: "ses", Severity: f.Severity.String(), Code: f.Code,
			Record: f.Where, Message: f.Message, RFC: f.RFC, Fix: sesFix(f.Code, plan)})
	}
	return ar, true
}

// appendUnique appends f unless the same code and record is already there
// (the plan, the audit and the alignment may report one problem twice).
func appendUnique(fs []finding, f finding) []finding {
	for _, g := range fs {
		if g.Code == f.Code && g.Record == f.Record {
			return fs
		}
	}
	return append(fs, f)
}

// sesFix is the advice for an ses finding, with the plan's values.
func sesFix(code string, p *ses.Plan) string {
	switch code {
	case ses.CodeDKIMMissing, ses.CodeDKIMWrongTarget, ses.CodeDKIMWrongRegion, ses.CodeDKIMNotCNAME:
		return fmt.Sprintf("publish each token as TOKEN._domainkey.%s CNAME TOKEN.%s ('domainauth ses plan' prints them)", p.Identity.Domain, p.DKIMZone.Value)
	case ses.CodeMailFromMXMissing, ses.CodeMailFromMXWrong, ses.CodeMailFromMXWrongRegion, ses.CodeMailFromMXPriority, ses.CodeMailFromMXConflict:
		return fmt.Sprintf("publish exactly one MX at %s: \"10 %s\"", p.Identity.MailFrom, p.Region.FeedbackHost.Value)
	case ses.CodeMailFromSPFMissing, ses.CodeMailFromSPFNoSES, ses.CodeMailFromSPFInvalid:
		return fmt.Sprintf("publish \"%s\" at %s", ses.DefaultMailFromSPF, p.Identity.MailFrom)
	case ses.CodeMailFromSPFMultiple:
		return "keep one SPF record at " + p.Identity.MailFrom + ", e.g. \"" + ses.DefaultMailFromSPF + "\""
	case ses.CodeStrictSPF, ses.CodeStrictDKIM:
		return "remove aspf=s / adkim=s from the DMARC record: SES aligns in relaxed mode only"
	case ses.CodeNoAlignment:
		return "fix the DKIM CNAMEs, or the MAIL FROM MX and SPF, above: SES mail aligns through them"
	case ses.CodeDMARCMissing:
		return "publish \"v=DMARC1; p=none; rua=mailto:dmarc-reports@" + p.Identity.Domain + "\" at _dmarc." + p.Identity.Domain
	}
	return ""
}

// duplicateOf lists SES codes that restate a finding of another area; the
// SES one is dropped when the other is present, so each defect is reported
// once, in the area that explains it best.
var duplicateOf = map[string]string{
	ses.CodeDMARCNoneNoRUA:      "dmarc.p-none-without-rua",
	ses.CodeDMARCMissing:        "dmarc.no-record",
	ses.CodeDMARCMultiple:       "dmarc.multiple-records",
	ses.CodeMailFromSPFMultiple: mx.CodeMailFromMultipleSPF,
	ses.CodeMailFromSPFMissing:  mx.CodeMailFromNoSPF,
}

// dedupe drops SES findings that another area already reports, and DKIM
// "no key" findings for Easy DKIM records the SES area explains (the DKIM
// area keeps its error status and the fact line says what is missing).
func dedupe(areas []area) {
	present := map[string]bool{}
	sesWhere := map[string]bool{}
	for _, ar := range areas {
		for _, f := range ar.Findings {
			if ar.Name == "ses" {
				if strings.HasPrefix(f.Code, "ses.dkim-") {
					sesWhere[recordName(f.Record)] = true
				}
				continue
			}
			present[f.Code] = true
		}
	}
	for i := range areas {
		ar := &areas[i]
		kept := ar.Findings[:0]
		for _, f := range ar.Findings {
			switch {
			case ar.Name == "ses" && present[duplicateOf[f.Code]]:
				continue
			case ar.Name == "dkim" && f.Code == "dkim.no-key" && sesWhere[recordName(f.Record)]:
				ar.Status = sevError // the error is counted once, under SES
				continue
			}
			kept = append(kept, f)
		}
		ar.Findings = kept
	}
}

// recordName is the DNS name a finding's Record starts with ("x.example TXT"
// gives "x.example"), canonical.
func recordName(record string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(record), " ")
	return dnsname.Canonical(name)
}
