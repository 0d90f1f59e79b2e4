package ses

import (
	"fmt"

	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Verdict is the predicted DMARC outcome for SES mail: which mechanisms can
// produce an aligned pass.
type Verdict uint8

// The verdicts.
const (
	// VerdictPassNeither: neither SPF nor DKIM aligns; DMARC fails.
	VerdictPassNeither Verdict = iota
	// VerdictPassSPFOnly: only SPF aligns (custom MAIL FROM, no usable DKIM).
	VerdictPassSPFOnly
	// VerdictPassDKIMOnly: only DKIM aligns (the usual case with the default MAIL FROM).
	VerdictPassDKIMOnly
	// VerdictPassBoth: SPF and DKIM both align.
	VerdictPassBoth
)

// String returns "neither", "spf", "dkim" or "both".
func (v Verdict) String() string {
	switch v {
	case VerdictPassSPFOnly:
		return "spf"
	case VerdictPassDKIMOnly:
		return "dkim"
	case VerdictPassBoth:
		return "both"
	}
	return "neither"
}

// MarshalText writes the verdict's name, for JSON.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// PathPrediction is the prediction for one mechanism.
type PathPrediction struct {
	Aligned bool   `json:"aligned"`
	Domain  string `json:"domain,omitempty"` // the authenticated domain: MAIL FROM or DKIM d=
	Reason  string `json:"reason"`
}

// Alignment predicts whether SES mail with a given From domain passes DMARC
// (RFC 9989 §4.4; RFC 7489 §3.1), through which mechanism, and why.
type Alignment struct {
	From     string         `json:"from"`
	SPF      PathPrediction `json:"spf"`
	DKIM     PathPrediction `json:"dkim"`
	Verdict  Verdict        `json:"verdict"`
	Findings []Finding      `json:"findings,omitempty"`
}

// alignmentInput is what the prediction depends on.
type alignmentInput struct {
	domain       string        // the identity (DKIM d=)
	from         string        // RFC5322.From domain
	mailFrom     string        // custom MAIL FROM in effect, "" for SES's default
	fallbackNote string        // why a custom MAIL FROM is not in effect, if so
	spfFails     bool          // the custom MAIL FROM is in effect but its SPF record does not pass SES
	defaultMF    Fact          // SES's default MAIL FROM in the region
	dkim         bool          // SES signs with d=domain
	dkimNote     string        // why DKIM is not usable, if so
	rec          *dmarc.Record // nil: no DMARC record (relaxed defaults)
}

// PredictAlignment predicts DMARC for mail with the given From domain ("" =
// the identity's domain) once the plan's records are published and verified.
func (p *Plan) PredictAlignment(from string) Alignment {
	id := p.Identity
	return predict(alignmentInput{
		domain:    id.Domain,
		from:      from,
		mailFrom:  id.MailFrom,
		defaultMF: p.Region.DefaultMailFrom,
		dkim:      len(id.EasyDKIMTokens) > 0 || id.BYODKIM != nil,
		dkimNote:  "the identity has no DKIM (no Easy DKIM tokens, no BYODKIM key)",
		rec:       p.DMARC,
	})
}

func predict(in alignmentInput) Alignment {
	from := dnsname.Canonical(in.from)
	if from == "" {
		from = in.domain
	}
	a := Alignment{From: from}
	spfMode, dkimMode := dmarc.AlignmentRelaxed, dmarc.AlignmentRelaxed
	if in.rec != nil {
		spfMode, dkimMode = in.rec.SPFMode(), in.rec.DKIMMode()
	}
	fromOrg := dmarc.OrgDomainPSL(from)

	// SPF: the domain that SPF authenticates is the MAIL FROM domain.
	switch {
	case in.mailFrom == "":
		mf, conf := in.defaultMF.Value, in.defaultMF.Confidence.String()
		if mf == "" {
			mf, conf = "amazonses.com", "or a subdomain of it; the region's is unknown"
		}
		a.SPF = PathPrediction{Domain: mf, Reason: fmt.Sprintf(
			"SES sends with its default MAIL FROM %s (%s), which never aligns with %s", mf, conf, from)}
		if in.fallbackNote != "" {
			a.SPF.Reason = in.fallbackNote + "; " + a.SPF.Reason
		}
	case in.spfFails:
		a.SPF = PathPrediction{Domain: in.mailFrom, Reason: fmt.Sprintf(
			"SES uses the custom MAIL FROM %s, but its SPF record does not pass for SES's servers, so there is no SPF pass to align", in.mailFrom)}
	case spfMode == dmarc.AlignmentStrict:
		a.SPF = PathPrediction{Domain: in.mailFrom, Aligned: in.mailFrom == from}
		if a.SPF.Aligned {
			a.SPF.Reason = "MAIL FROM equals the From domain (aspf=s)"
		} else {
			a.SPF.Reason = fmt.Sprintf("aspf=s needs MAIL FROM %s to equal the From domain %s", in.mailFrom, from)
			// Advise relaxing only where relaxed mode would align.
			if dmarc.OrgDomainPSL(in.mailFrom) == fromOrg {
				a.Findings = append(a.Findings, finding(FindingStrictSPF, SeverityWarning, "aspf", "RFC 9989 §4.4.2",
					"strict SPF alignment: mail with custom MAIL FROM %s never aligns with %s; remove aspf=s", in.mailFrom, from))
			}
		}
	default:
		a.SPF = PathPrediction{Domain: in.mailFrom, Aligned: dmarc.OrgDomainPSL(in.mailFrom) == fromOrg}
		if a.SPF.Aligned {
			a.SPF.Reason = fmt.Sprintf("custom MAIL FROM %s and From %s share the organizational domain %s (relaxed)", in.mailFrom, from, fromOrg)
		} else {
			a.SPF.Reason = fmt.Sprintf("custom MAIL FROM %s is not in the organizational domain %s of the From domain", in.mailFrom, fromOrg)
		}
	}

	// DKIM: SES signs with d=<identity> (and d=amazonses.com, which never aligns).
	switch {
	case !in.dkim:
		a.DKIM = PathPrediction{Domain: "amazonses.com", Reason: in.dkimNote + "; only SES's own d=amazonses.com signature remains, which never aligns"}
	case dkimMode == dmarc.AlignmentStrict:
		a.DKIM = PathPrediction{Domain: in.domain, Aligned: in.domain == from}
		if a.DKIM.Aligned {
			a.DKIM.Reason = "d= equals the From domain (adkim=s)"
		} else {
			a.DKIM.Reason = fmt.Sprintf("adkim=s needs d=%s to equal the From domain %s", in.domain, from)
			if dmarc.OrgDomainPSL(in.domain) == fromOrg {
				a.Findings = append(a.Findings, finding(FindingStrictDKIM, SeverityWarning, "adkim", "RFC 9989 §4.4.1",
					"strict DKIM alignment: the signature d=%s does not align with %s; remove adkim=s", in.domain, from))
			}
		}
	default:
		a.DKIM = PathPrediction{Domain: in.domain, Aligned: dmarc.OrgDomainPSL(in.domain) == fromOrg}
		if a.DKIM.Aligned {
			a.DKIM.Reason = fmt.Sprintf("DKIM d=%s and From %s share the organizational domain %s (relaxed)", in.domain, from, fromOrg)
		} else {
			a.DKIM.Reason = fmt.Sprintf("DKIM d=%s is not in the organizational domain %s of the From domain", in.domain, fromOrg)
		}
	}

	switch {
	case a.SPF.Aligned && a.DKIM.Aligned:
		a.Verdict = VerdictPassBoth
	case a.SPF.Aligned:
		a.Verdict = VerdictPassSPFOnly
	case a.DKIM.Aligned:
		a.Verdict = VerdictPassDKIMOnly
	default:
		a.Verdict = VerdictPassNeither
		a.Findings = append(a.Findings, finding(FindingNoAlignment, SeverityError, from, "RFC 9989 §4.4",
			"neither SPF nor DKIM aligns with %s: DMARC fails for SES mail", from))
	}
	return a
}
