package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/ses"
)

// SESSignals is what DNS says about an Amazon SES set-up.
type SESSignals struct {
	// Tokens are the Easy DKIM tokens: selectors whose CNAME points into
	// an SES signing zone.
	Tokens []string `json:"tokens,omitempty"`
	// DKIMZone is the zone the token CNAMEs point into.
	DKIMZone string `json:"dkim_zone,omitempty"`
	// SPFInclude says the domain's SPF record includes amazonses.com.
	SPFInclude bool `json:"spf_include"`
	// MailFrom is the MAIL FROM domain looked at, "" if none.
	MailFrom string `json:"mail_from,omitempty"`
	// FeedbackHost is the SES feedback endpoint MailFrom's MX names.
	FeedbackHost string `json:"feedback_host,omitempty"`
}

// Detected reports whether any signal shows an SES set-up.
func (s *SESSignals) Detected() bool {
	return len(s.Tokens) > 0 || s.SPFInclude || s.FeedbackHost != ""
}

// DetectSES looks for an SES set-up of domain the way Audit does: the MAIL
// FROM domain (Auditor.MailFrom or a name below the domain whose MX is an
// SES feedback endpoint), the Easy DKIM CNAMEs among the selectors, and the
// SPF include.
func (a *Auditor) DetectSES(ctx context.Context, domain string) (*SESSignals, error) {
	name, err := dnsname.Normalize(domain)
	if err != nil {
		return nil, fmt.Errorf("audit: %q is not a domain name: %w", domain, err)
	}
	if a.Resolver == nil {
		return nil, errors.New("audit: the Auditor has no Resolver")
	}
	ru := a.newRun(ctx, name)
	defer ru.close()
	return ru.sesSignals(ctx, ru.mailFromDomain(ctx)), ctx.Err()
}

func (ru *run) sesSignals(ctx context.Context, mailFrom string) *SESSignals {
	sig := &SESSignals{MailFrom: mailFrom}
	if txts, err := ru.r.LookupTXT(ctx, ru.domain); err == nil {
		for _, t := range txts {
			if mx.IsSPF(t) && strings.Contains(strings.ToLower(t), "include:amazonses.com") {
				sig.SPFInclude = true
			}
		}
	}
	if cr, ok := ru.r.(domainauth.CNAMEResolver); ok {
		for _, sel := range ru.selectors(ctx) {
			t, err := cr.LookupCNAMETarget(ctx, sel+"._domainkey."+ru.domain)
			if err != nil {
				continue
			}
			zone, ok := strings.CutPrefix(dnsname.Canonical(t), dnsname.Canonical(sel)+".")
			if ok && strings.HasSuffix(zone, ".amazonses.com") {
				sig.Tokens = append(sig.Tokens, sel)
				sig.DKIMZone = zone
			}
		}
	}
	if mailFrom != "" {
		sig.FeedbackHost = ru.feedbackMX(ctx, mailFrom)
	}
	return sig
}

// checkSES audits the SES set-up when DNS shows one. The region is
// Auditor.Region, else the one the MAIL FROM MX or a regional DKIM zone names.
func (ru *run) checkSES(ctx context.Context, rep *Report, mailFrom string) (Area, bool) {
	ar := Area{Name: AreaSES, Title: "Amazon SES"}
	sig := ru.sesSignals(ctx, mailFrom)
	if !sig.Detected() && ru.a.Region == "" {
		return ar, false
	}
	res := &SES{Region: ru.a.Region, RegionFrom: "given", Signals: sig}
	rep.SES = res
	why := "given with --region"
	if res.Region == "" {
		if r := ses.RegionOfFeedbackHost(sig.FeedbackHost); r != "" {
			res.Region, res.RegionFrom, why = r, "mail-from-mx", "from the MAIL FROM MX"
		} else if r := ses.RegionOfDKIMZone(sig.DKIMZone); r != "" {
			res.Region, res.RegionFrom, why = r, "dkim-zone", "from the DKIM zone"
		}
	}
	region := res.Region
	if region == "" {
		res.RegionFrom = ""
		ar.Status = StatusUnknown
		ar.Facts = append(ar.Facts, "the domain sends through SES, but DNS does not say from which region: give it with --region to audit the set-up")
		return ar, true
	}
	// The DMARC area audits the published policy; the SES plan would only
	// recommend one.
	id := ses.Identity{Domain: ru.domain, Region: region, EasyDKIMTokens: sig.Tokens, SkipDMARC: true}
	if sig.MailFrom != "" && dnsname.IsSubdomain(sig.MailFrom, ru.domain) && !dnsname.Equal(sig.MailFrom, ru.domain) {
		id.MailFrom = sig.MailFrom
	}
	plan, err := id.Plan()
	if err != nil {
		ar.Status = StatusUnknown
		ar.Facts = append(ar.Facts, "cannot plan the identity: "+oneLine(err.Error()))
		return ar, true
	}
	res.Plan = plan
	ar.Title = fmt.Sprintf("Amazon SES (identity %s in %s)", ru.domain, region)
	ar.Facts = append(ar.Facts, fmt.Sprintf("region %s (%s), %s", region, plan.Region.Name, why))
	// Live DNS cannot list the Easy DKIM tokens (random selector names):
	// without selectors their absence means nothing.
	tokensUnknown := len(sig.Tokens) == 0 && ru.a.Zone == nil && len(ru.a.Selectors) == 0
	switch {
	case len(sig.Tokens) > 0:
		ar.Facts = append(ar.Facts, fmt.Sprintf("Easy DKIM: %d CNAMEs into %s; %s signs from %s", len(sig.Tokens), sig.DKIMZone, region, plan.DKIMZone.Value))
	case tokensUnknown:
		ar.Facts = append(ar.Facts, "Easy DKIM: DNS cannot list the tokens; give them with --selector (three times) to audit the DKIM records; the prediction below assumes none")
	default:
		ar.Facts = append(ar.Facts, "Easy DKIM: no CNAME into an SES signing zone found")
	}
	if id.MailFrom != "" {
		ar.Facts = append(ar.Facts, fmt.Sprintf("custom MAIL FROM %s: MX %s; %s expects %s", id.MailFrom, orDash(sig.FeedbackHost), region, plan.Region.FeedbackHost.Value))
	} else {
		ar.Facts = append(ar.Facts, "no custom MAIL FROM domain found: SES mail uses its own MAIL FROM, which never aligns with "+ru.domain)
	}
	audit := (&ses.Auditor{Resolver: ru.r}).Audit(ctx, plan)
	res.Audit = audit
	al := audit.Alignment
	res.Alignment = &al
	ar.Facts = append(ar.Facts,
		fmt.Sprintf("DMARC prediction for mail from %s: %s", al.From, al.Verdict),
		fmt.Sprintf("  SPF: %s", al.SPF.Reason),
		fmt.Sprintf("  DKIM: %s", al.DKIM.Reason))
	for _, f := range append(append(plan.Findings, audit.Findings...), al.Findings...) {
		if tokensUnknown && f.Code == ses.FindingNoDKIM {
			continue
		}
		if f.Fix == "" {
			f.Fix = SESFix(f.Code, plan)
		}
		ar.Findings = appendUnique(ar.Findings, f)
	}
	return ar, true
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// appendUnique appends f unless the same code and subject is already there
// (the plan, the audit and the alignment may report one problem twice).
func appendUnique(fs []domainauth.Finding, f domainauth.Finding) []domainauth.Finding {
	for _, g := range fs {
		if g.Code == f.Code && g.Where == f.Where {
			return fs
		}
	}
	return append(fs, f)
}

// SESFix is the advice for a finding of the ses package with code, naming
// the plan's records; "" for codes it has no advice for.
func SESFix(code string, p *ses.Plan) string {
	switch code {
	case ses.FindingDKIMMissing, ses.FindingDKIMWrongTarget, ses.FindingDKIMWrongRegion, ses.FindingDKIMNotCNAME:
		return fmt.Sprintf("publish each token as TOKEN._domainkey.%s CNAME TOKEN.%s ('domainauth ses plan' prints them)", p.Identity.Domain, p.DKIMZone.Value)
	case ses.FindingMailFromMXMissing, ses.FindingMailFromMXWrong, ses.FindingMailFromMXWrongRegion, ses.FindingMailFromMXPriority, ses.FindingMailFromMXConflict:
		return fmt.Sprintf("publish exactly one MX at %s: \"10 %s\"", p.Identity.MailFrom, p.Region.FeedbackHost.Value)
	case ses.FindingMailFromSPFMissing, ses.FindingMailFromSPFNoSES, ses.FindingMailFromSPFInvalid:
		return fmt.Sprintf("publish \"%s\" at %s", ses.DefaultMailFromSPF, p.Identity.MailFrom)
	case ses.FindingMailFromSPFMultiple:
		return "keep one SPF record at " + p.Identity.MailFrom + ", e.g. \"" + ses.DefaultMailFromSPF + "\""
	case ses.FindingStrictSPF, ses.FindingStrictDKIM:
		return "remove aspf=s / adkim=s from the DMARC record: SES aligns in relaxed mode only"
	case ses.FindingNoAlignment:
		return "fix the DKIM CNAMEs, or the MAIL FROM MX and SPF, above: SES mail aligns through them"
	case ses.FindingDMARCMissing:
		return "publish \"v=DMARC1; p=none; rua=mailto:dmarc-reports@" + p.Identity.Domain + "\" at _dmarc." + p.Identity.Domain
	}
	return ""
}

// duplicateOf lists SES codes that restate a finding of another area; the
// SES one is dropped when the other is present, so each defect is reported
// once, in the area that explains it best.
var duplicateOf = map[string]string{
	ses.FindingDMARCNoneNoRUA:      dmarc.FindingPNoneWithoutRUA,
	ses.FindingDMARCMissing:        dmarc.FindingNoRecord,
	ses.FindingDMARCMultiple:       dmarc.FindingMultipleRecords,
	ses.FindingMailFromSPFMultiple: mx.FindingMailFromMultipleSPF,
	ses.FindingMailFromSPFMissing:  mx.FindingMailFromNoSPF,
}

// dedupe drops SES findings that another area already reports, and DKIM
// "no key" findings for Easy DKIM records the SES area explains (the DKIM
// area keeps its error status and the fact line says what is missing).
func dedupe(areas []Area) {
	present := map[string]bool{}
	sesWhere := map[string]bool{}
	for _, ar := range areas {
		for _, f := range ar.Findings {
			if ar.Name == AreaSES {
				if strings.HasPrefix(f.Code, "ses.dkim-") {
					sesWhere[recordName(f.Where)] = true
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
			case ar.Name == AreaSES && present[duplicateOf[f.Code]]:
				continue
			case ar.Name == AreaDKIM && f.Code == "dkim.no-key" && sesWhere[recordName(f.Where)]:
				ar.Status = StatusError // the error is counted once, under SES
				continue
			}
			kept = append(kept, f)
		}
		ar.Findings = kept
	}
}

// recordName is the DNS name a finding's subject starts with ("x.example
// TXT" gives "x.example"), canonical.
func recordName(where string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(where), " ")
	return dnsname.Canonical(name)
}
