package ses

import (
	"slices"
	"testing"

	"github.com/domainauth/domainauth/dmarc"
)

// TestPredictAlignmentBothWays states the alignment rules for SES mail
// (RFC 9989 §4.4.1, §4.4.2; FACTS §3.5, §8) and checks each in both
// directions: where it aligns and where it breaks.
func TestPredictAlignmentBothWays(t *testing.T) {
	useast1 := Fact{"amazonses.com", ConfidenceObserved}
	euwest1 := Fact{"eu-west-1.amazonses.com", ConfidenceObserved}
	const (
		relaxed    = "v=DMARC1; p=reject"
		strictSPF  = "v=DMARC1; p=reject; aspf=s"
		strictDKIM = "v=DMARC1; p=reject; adkim=s"
		strictBoth = "v=DMARC1; p=reject; aspf=s; adkim=s"
	)
	tests := []struct {
		name     string
		domain   string // identity; example.org when empty
		mailFrom string // custom MAIL FROM; "" = SES's default
		defMF    Fact
		dkim     bool
		spfFails bool
		dmarc    string // "" = no DMARC record (relaxed defaults)
		from     string
		spf      bool // SPF aligns
		dkimOK   bool // DKIM aligns
		verdict  Verdict
		codes    []string
	}{
		// The default MAIL FROM never aligns, in any mode, for any From.
		{name: "default MAIL FROM us-east-1, relaxed", defMF: useast1, dkim: true, dmarc: relaxed, from: "example.org",
			dkimOK: true, verdict: VerdictPassDKIMOnly},
		{name: "default MAIL FROM eu-west-1, relaxed", defMF: euwest1, dkim: true, dmarc: relaxed, from: "example.org",
			dkimOK: true, verdict: VerdictPassDKIMOnly},
		{name: "default MAIL FROM, aspf=s: nothing more to break", defMF: euwest1, dkim: true, dmarc: strictSPF, from: "example.org",
			dkimOK: true, verdict: VerdictPassDKIMOnly},
		{name: "default MAIL FROM, no DKIM: DMARC fails", defMF: useast1, dmarc: relaxed, from: "example.org",
			verdict: VerdictPassNeither, codes: []string{FindingNoAlignment}},
		{name: "default MAIL FROM unknown for the region", dkim: true, from: "example.org",
			dkimOK: true, verdict: VerdictPassDKIMOnly},

		// A custom MAIL FROM subdomain aligns in relaxed mode only.
		{name: "custom MAIL FROM, relaxed", mailFrom: "mail.example.org", dkim: true, dmarc: relaxed, from: "example.org",
			spf: true, dkimOK: true, verdict: VerdictPassBoth},
		{name: "custom MAIL FROM, no DMARC record: relaxed defaults", mailFrom: "mail.example.org", dkim: true, from: "example.org",
			spf: true, dkimOK: true, verdict: VerdictPassBoth},
		{name: "custom MAIL FROM, relaxed, From a sibling subdomain", mailFrom: "mail.example.org", dkim: true, dmarc: relaxed,
			from: "news.example.org", spf: true, dkimOK: true, verdict: VerdictPassBoth},
		{name: "custom MAIL FROM, aspf=s breaks SPF", mailFrom: "mail.example.org", dkim: true, dmarc: strictSPF, from: "example.org",
			dkimOK: true, verdict: VerdictPassDKIMOnly, codes: []string{FindingStrictSPF}},
		{name: "custom MAIL FROM, aspf=s, From is the MAIL FROM domain itself", mailFrom: "mail.example.org", dkim: true,
			dmarc: strictSPF, from: "mail.example.org", spf: true, dkimOK: true, verdict: VerdictPassBoth},
		{name: "custom MAIL FROM, no DKIM: SPF only", mailFrom: "mail.example.org", dmarc: relaxed, from: "example.org",
			spf: true, verdict: VerdictPassSPFOnly},
		{name: "custom MAIL FROM, no DKIM, aspf=s: DMARC fails", mailFrom: "mail.example.org", dmarc: strictSPF, from: "example.org",
			verdict: VerdictPassNeither, codes: []string{FindingStrictSPF, FindingNoAlignment}},
		{name: "custom MAIL FROM whose SPF does not pass SES", mailFrom: "mail.example.org", spfFails: true, dkim: true,
			dmarc: relaxed, from: "example.org", dkimOK: true, verdict: VerdictPassDKIMOnly},

		// Easy DKIM signs d=<identity>: relaxed and strict for From = identity.
		{name: "DKIM relaxed, From = identity", defMF: useast1, dkim: true, dmarc: relaxed, from: "example.org",
			dkimOK: true, verdict: VerdictPassDKIMOnly},
		{name: "DKIM strict, From = identity", defMF: useast1, dkim: true, dmarc: strictDKIM, from: "example.org",
			dkimOK: true, verdict: VerdictPassDKIMOnly},
		{name: "DKIM relaxed, From a subdomain", defMF: useast1, dkim: true, dmarc: relaxed, from: "news.example.org",
			dkimOK: true, verdict: VerdictPassDKIMOnly},
		{name: "DKIM strict, From a subdomain: breaks", defMF: useast1, dkim: true, dmarc: strictDKIM, from: "news.example.org",
			verdict: VerdictPassNeither, codes: []string{FindingStrictDKIM, FindingNoAlignment}},
		{name: "adkim=s with a custom MAIL FROM: SPF carries it", mailFrom: "mail.example.org", dkim: true, dmarc: strictDKIM,
			from: "news.example.org", spf: true, verdict: VerdictPassSPFOnly, codes: []string{FindingStrictDKIM}},
		{name: "both strict, From = identity: DKIM carries it", mailFrom: "mail.example.org", dkim: true, dmarc: strictBoth,
			from: "example.org", dkimOK: true, verdict: VerdictPassDKIMOnly, codes: []string{FindingStrictSPF}},
		{name: "both strict, From a subdomain: nothing aligns", mailFrom: "mail.example.org", dkim: true, dmarc: strictBoth,
			from: "news.example.org", verdict: VerdictPassNeither, codes: []string{FindingStrictSPF, FindingStrictDKIM, FindingNoAlignment}},

		// A From outside the organization aligns with nothing, and relaxing
		// the modes would not help, so no strict-mode advice.
		{name: "From another organization, relaxed", mailFrom: "mail.example.org", dkim: true, dmarc: relaxed, from: "example.net",
			verdict: VerdictPassNeither, codes: []string{FindingNoAlignment}},
		{name: "From another organization, strict", mailFrom: "mail.example.org", dkim: true, dmarc: strictBoth, from: "example.net",
			verdict: VerdictPassNeither, codes: []string{FindingNoAlignment}},

		// Organizational domains come from the public suffix list.
		{name: "PSL: identity under co.uk, relaxed", domain: "example.co.uk", mailFrom: "mail.example.co.uk", dkim: true,
			dmarc: relaxed, from: "shop.example.co.uk", spf: true, dkimOK: true, verdict: VerdictPassBoth},
		{name: "PSL: co.uk is no organization", domain: "example.co.uk", mailFrom: "mail.example.co.uk", dkim: true,
			dmarc: relaxed, from: "other.co.uk", verdict: VerdictPassNeither, codes: []string{FindingNoAlignment}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := alignmentInput{domain: tt.domain, from: tt.from, mailFrom: tt.mailFrom, defaultMF: tt.defMF,
				dkim: tt.dkim, spfFails: tt.spfFails, dkimNote: "no DKIM"}
			if in.domain == "" {
				in.domain = "example.org"
			}
			if tt.dmarc != "" {
				var err error
				if in.rec, err = dmarc.ParseRecord(tt.dmarc); err != nil {
					t.Fatal(err)
				}
			}
			a := predict(in)
			if a.SPF.Aligned != tt.spf || a.DKIM.Aligned != tt.dkimOK || a.Verdict != tt.verdict {
				t.Errorf("SPF %v DKIM %v verdict %v, want %v %v %v\nSPF: %s\nDKIM: %s",
					a.SPF.Aligned, a.DKIM.Aligned, a.Verdict, tt.spf, tt.dkimOK, tt.verdict, a.SPF.Reason, a.DKIM.Reason)
			}
			if got := codes(a.Findings); !slices.Equal(got, tt.codes) {
				t.Errorf("codes %q, want %q", got, tt.codes)
			}
			if a.SPF.Reason == "" || a.DKIM.Reason == "" {
				t.Error("a prediction without its reason")
			}
			// What SPF authenticates: the MAIL FROM in effect.
			wantSPF := tt.mailFrom
			if wantSPF == "" {
				wantSPF = tt.defMF.Value
				if wantSPF == "" {
					wantSPF = "amazonses.com"
				}
			}
			if a.SPF.Domain != wantSPF {
				t.Errorf("SPF domain %q, want %q", a.SPF.Domain, wantSPF)
			}
		})
	}
}
