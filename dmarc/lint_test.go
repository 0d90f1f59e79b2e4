package dmarc

import (
	"context"
	"slices"
	"testing"

	"github.com/domainauth/domainauth/zone"
	"github.com/google/go-cmp/cmp"
)

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	slices.Sort(out)
	return out
}

func TestLintText(t *testing.T) {
	tests := []struct {
		name string
		txt  string
		mode Mode
		want []string
	}{
		{"clean", "v=DMARC1; p=reject; rua=mailto:d@example.org", ModeRFC9989, nil},
		{"not DMARC", "v=spf1 -all", ModeRFC9989, []string{"dmarc.not-dmarc"}},
		{"syntax", "v=DMARC1; p=reject; rua=mailto:d@example.org; x y", ModeRFC9989, []string{"dmarc.syntax"}},
		{"duplicate", "v=DMARC1; p=none; p=none", ModeRFC9989, []string{"dmarc.duplicate-tag"}},
		{"§4.7 missing ';' after v=DMARC1: a broken record", "v=DMARC1 p=none", ModeRFC9989, []string{"dmarc.syntax"}},
		{"§4.8 bare p discarded, not a duplicate", "v=DMARC1; p=reject; rua=mailto:d@example.org; p", ModeRFC9989, []string{"dmarc.syntax"}},
		{"one non-ASCII URI reported, the valid one kept", "v=DMARC1; p=reject; rua=mailto:d@example.org,mailto:é@example.org", ModeRFC9989,
			[]string{"dmarc.invalid-uri"}},
		{"§4.10.1 invalid p without rua", "v=DMARC1; p=x", ModeRFC9989, []string{"dmarc.invalid-policy"}},
		{"§4.10.1 invalid p with rua", "v=DMARC1; p=x; rua=mailto:d@example.org", ModeRFC9989, []string{"dmarc.invalid-policy"}},
		{"leading whitespace", " v=DMARC1; p=reject; rua=mailto:d@example.org", ModeRFC9989, []string{"dmarc.leading-whitespace"}},
		{"§3.2.12 p=none without rua", "v=DMARC1; p=none", ModeRFC9989, []string{"dmarc.p-none-without-rua"}},
		{"§4.7 missing p", "v=DMARC1; rua=mailto:d@example.org", ModeRFC9989, []string{"dmarc.missing-p"}},
		{"pct below 100 and obsolete", "v=DMARC1; p=reject; pct=10; rua=mailto:d@example.org", ModeRFC9989,
			[]string{"dmarc.obsolete-tag", "dmarc.pct-below-100"}},
		{"RFC 7489: pct not obsolete", "v=DMARC1; p=reject; pct=10; rua=mailto:d@example.org", ModeRFC7489, []string{"dmarc.pct-below-100"}},
		{"RFC 9989 Appendix C.5.2 obsolete rf ri", "v=DMARC1; p=reject; rf=afrf; ri=3600; rua=mailto:d@example.org", ModeRFC9989,
			[]string{"dmarc.obsolete-tag", "dmarc.obsolete-tag"}},
		{"unknown rf", "v=DMARC1; p=reject; rf=iodef; rua=mailto:d@example.org", ModeRFC7489, []string{"dmarc.unknown-report-format"}},
		{"weaker sp and np", "v=DMARC1; p=reject; sp=none; np=quarantine; rua=mailto:d@example.org", ModeRFC9989,
			[]string{"dmarc.weaker-nonexistent-policy", "dmarc.weaker-subdomain-policy"}},
		{"invalid and unsupported URIs", "v=DMARC1; p=reject; rua=mailto:d@example.org,bogus,https://r.example/x", ModeRFC9989,
			[]string{"dmarc.invalid-uri", "dmarc.too-many-destinations", "dmarc.unsupported-scheme"}},
		{"obsolete size", "v=DMARC1; p=reject; rua=mailto:d@example.org!10m", ModeRFC9989, []string{"dmarc.obsolete-size"}},
		{"ruf without fo", "v=DMARC1; p=reject; rua=mailto:d@example.org; ruf=mailto:f@example.org", ModeRFC9989, []string{"dmarc.ruf-without-fo"}},
		{"fo without ruf", "v=DMARC1; p=reject; rua=mailto:d@example.org; fo=1", ModeRFC9989, []string{"dmarc.fo-without-ruf"}},
		{"§4.8 fo 0 and 1", "v=DMARC1; p=reject; rua=mailto:d@example.org; ruf=mailto:f@example.org; fo=0:1", ModeRFC9989, []string{"dmarc.fo-conflict"}},
		{"invalid value", "v=DMARC1; p=reject; rua=mailto:d@example.org; adkim=x", ModeRFC9989, []string{"dmarc.invalid-value"}},
		{"unknown tag", "v=DMARC1; p=reject; rua=mailto:d@example.org; foo=1", ModeRFC9989, []string{"dmarc.unknown-tag"}},
		{"RFC 7489 §6.3 p not second", "v=DMARC1; rua=mailto:d@example.org; p=reject", ModeRFC7489, []string{"dmarc.p-not-second"}},
		{"RFC 9989 §4.8 any order", "v=DMARC1; rua=mailto:d@example.org; p=reject", ModeRFC9989, nil},
		{"t=y without effect", "v=DMARC1; p=none; rua=mailto:d@example.org; t=y", ModeRFC9989, []string{"dmarc.testing-without-effect"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := LintText(tt.txt, tt.mode)
			if diff := cmp.Diff(tt.want, codes(fs)); diff != "" {
				t.Errorf("LintText(%q) codes (-want +got):\n%s\n%v", tt.txt, diff, fs)
			}
			for _, f := range fs {
				if f.Message == "" || f.RFC == "" || f.String() == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
		})
	}
}

func TestLintDomain(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.good.example", "v=DMARC1; p=reject; rua=mailto:d@good.example")
	z.AddTXT("_dmarc.multi.example", "v=DMARC1; p=reject; rua=mailto:d@multi.example")
	z.AddTXT("_dmarc.multi.example", "v=DMARC1; p=none; rua=mailto:d@multi.example")
	z.AddTXT("_dmarc.spf.example", "v=spf1 -all")
	z.AddTXT("apex.example", "v=DMARC1; p=reject")
	z.AddTXT("_dmarc.ext.example", "v=DMARC1; p=reject; rua=mailto:d@ext.example,mailto:d@third.example; ruf=mailto:f@ok.example; fo=1")
	z.AddTXT("ext.example._report._dmarc.ok.example", "v=DMARC1")
	z.AddTXT("_dmarc.parent.example", "v=DMARC1; p=reject; rua=mailto:d@parent.example")
	z.AddTXT("_dmarc.broken.example", "v=DMARC1; p=nope")
	z.SetFault("_dmarc.fail.example", zone.TypeTXT, zone.FaultServFail)
	tests := []struct {
		domain string
		want   []string
	}{
		{"good.example", nil},
		{"multi.example", []string{"dmarc.multiple-records"}},
		{"spf.example", []string{"dmarc.no-record", "dmarc.spf-at-dmarc"}},
		{"apex.example", []string{"dmarc.no-record", "dmarc.record-at-apex"}},
		{"ext.example", []string{"dmarc.unauthorized-destination"}},
		{"sub.parent.example", []string{"dmarc.inherited-policy"}},
		{"x.broken.example", []string{"dmarc.broken-policy"}},
		{"broken.example", []string{"dmarc.invalid-policy"}},
		{"fail.example", []string{"dmarc.dns-error"}},
		{"bad..example", []string{"dmarc.invalid-domain"}},
	}
	c := Checker{Resolver: z}
	for _, tt := range tests {
		fs := c.LintDomain(context.Background(), tt.domain)
		if diff := cmp.Diff(tt.want, codes(fs)); diff != "" {
			t.Errorf("LintDomain(%q) codes (-want +got):\n%s\n%v", tt.domain, diff, fs)
		}
	}
}

// TestLintMisspeltTag: an unknown tag within edit distance 2 of a known one
// (adksim for adkim) is a warning; other unknown tags stay info (RFC 9989 §4.7).
func TestLintMisspeltTag(t *testing.T) {
	tests := []struct {
		name, record string
		want         Severity
	}{
		{"adksim near adkim", "v=DMARC1; p=reject; adksim=s", SeverityWarning},
		{"aspff near aspf", "v=DMARC1; p=reject; aspff=s", SeverityWarning},
		{"rue near rua", "v=DMARC1; p=reject; rue=mailto:d@example.org", SeverityWarning},
		{"foo is far from every tag", "v=DMARC1; p=reject; foo=1", SeverityInfo},
		{"x is too short to guess", "v=DMARC1; p=reject; x=1", SeverityInfo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			for _, f := range LintText(tt.record, ModeRFC9989) {
				if f.Code == "dmarc.unknown-tag" {
					n++
					if f.Severity != tt.want {
						t.Errorf("%q: severity %v, want %v (%s)", tt.record, f.Severity, tt.want, f.Message)
					}
				}
			}
			if n != 1 {
				t.Errorf("%q: %d unknown-tag findings, want 1", tt.record, n)
			}
		})
	}
}
