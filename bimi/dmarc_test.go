package bimi

import (
	"context"
	"testing"

	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/zone"
	"github.com/google/go-cmp/cmp"
)

func mustDMARC(t *testing.T, s string) *dmarc.Record {
	t.Helper()
	if s == "" {
		return nil
	}
	r, err := dmarc.ParseRecord(s)
	if err != nil {
		t.Fatalf("dmarc.ParseRecord(%q): %v", s, err)
	}
	return r
}

func TestCheckDMARC(t *testing.T) {
	tests := []struct {
		name        string
		author, org string // records at the Author Domain and at the Organizational Domain
		sameDomain  bool
		mode        dmarc.Mode
		want        []string
	}{
		{"reject at both", "v=DMARC1; p=reject", "v=DMARC1; p=reject", false, dmarc.ModeRFC9989, nil},
		{"quarantine at org, no author record", "", "v=DMARC1; p=quarantine", false, dmarc.ModeRFC9989, nil},
		{"same domain reject", "v=DMARC1; p=reject", "", true, dmarc.ModeRFC9989, nil},
		{"reject with pct (any pct, §2)", "v=DMARC1; p=reject; pct=10", "", true, dmarc.ModeRFC7489, nil},
		{"quarantine pct=100 (§7.1 step 9)", "v=DMARC1; p=quarantine; pct=100", "", true, dmarc.ModeRFC7489, nil},
		{"sp=quarantine fine", "v=DMARC1; p=reject; sp=quarantine", "", true, dmarc.ModeRFC9989, nil},

		{"no record", "", "", true, dmarc.ModeRFC9989, []string{FindingDMARCMissing}},
		{"no record anywhere", "", "", false, dmarc.ModeRFC9989, []string{FindingDMARCMissing}},
		{"author only, org missing", "v=DMARC1; p=reject", "", false, dmarc.ModeRFC9989, []string{FindingDMARCMissing}},
		{"p=none at author (§7.1 step 7)", "v=DMARC1; p=none", "v=DMARC1; p=reject", false, dmarc.ModeRFC9989, []string{FindingDMARCNotEnforcing}},
		{"p=none at org (§7.1 step 7)", "v=DMARC1; p=reject", "v=DMARC1; p=none", false, dmarc.ModeRFC9989, []string{FindingDMARCNotEnforcing}},
		{"p absent is none", "v=DMARC1; rua=mailto:d@example.com", "", true, dmarc.ModeRFC9989, []string{FindingDMARCNotEnforcing}},
		{"sp=none at org (§7.1 step 8)", "", "v=DMARC1; p=reject; sp=none", false, dmarc.ModeRFC9989, []string{FindingDMARCSubdomainNone}},
		{"sp=none at author (§7.1 step 8)", "v=DMARC1; p=reject; sp=none", "v=DMARC1; p=reject", false, dmarc.ModeRFC9989, []string{FindingDMARCSubdomainNone}},
		{"quarantine pct=50 RFC 7489", "v=DMARC1; p=quarantine; pct=50", "", true, dmarc.ModeRFC7489, []string{FindingDMARCPct}},
		{"quarantine pct=0 RFC 7489", "v=DMARC1; p=quarantine; pct=0", "", true, dmarc.ModeRFC7489, []string{FindingDMARCPct}},
		{"quarantine pct=50 RFC 9989 (warning)", "v=DMARC1; p=quarantine; pct=50", "", true, dmarc.ModeRFC9989, []string{FindingDMARCPct}},
		{"t=y RFC 9989", "v=DMARC1; p=reject; t=y", "", true, dmarc.ModeRFC9989, []string{FindingDMARCTesting}},
		{"t=y at org RFC 9989", "v=DMARC1; p=reject", "v=DMARC1; p=reject; t=y", false, dmarc.ModeRFC9989, []string{FindingDMARCTesting}},
		{"t=n fine", "v=DMARC1; p=reject; t=n", "", true, dmarc.ModeRFC9989, nil},
		{"everything wrong", "v=DMARC1; p=none; sp=none; t=y", "v=DMARC1; p=quarantine; pct=5", false, dmarc.ModeRFC9989,
			[]string{FindingDMARCNotEnforcing, FindingDMARCPct, FindingDMARCSubdomainNone, FindingDMARCTesting}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DMARCPolicies{AuthorDomain: "mail.example.com", OrgDomain: "example.com", Author: mustDMARC(t, tt.author), Org: mustDMARC(t, tt.org), Mode: tt.mode}
			if tt.sameDomain {
				p.AuthorDomain, p.Org = "example.com", p.Author
			}
			got := CheckDMARC(p)
			if diff := cmp.Diff(tt.want, codes(got)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%v", diff, got)
			}
		})
	}
}

// TestCheckDMARCSeverityByMode: pct and t= swap severities with the mode.
func TestCheckDMARCSeverityByMode(t *testing.T) {
	for _, tt := range []struct {
		rec  string
		mode dmarc.Mode
		sev  string
	}{
		{"v=DMARC1; p=quarantine; pct=50", dmarc.ModeRFC7489, "error"},
		{"v=DMARC1; p=quarantine; pct=50", dmarc.ModeRFC9989, "warning"},
		{"v=DMARC1; p=reject; t=y", dmarc.ModeRFC9989, "error"},
		{"v=DMARC1; p=reject; t=y", dmarc.ModeRFC7489, "warning"},
	} {
		r := mustDMARC(t, tt.rec)
		got := CheckDMARC(DMARCPolicies{AuthorDomain: "example.com", OrgDomain: "example.com", Author: r, Org: r, Mode: tt.mode})
		if len(got) != 1 || got[0].Severity.String() != tt.sev {
			t.Errorf("%q in %v: %v, want one %s", tt.rec, tt.mode, got, tt.sev)
		}
	}
}

func TestLookupDMARC(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
	z.AddTXT("_dmarc.example.com", "some other text")
	z.AddTXT("_dmarc.mail.example.com", "v=DMARC1; p=none")
	z.AddTXT("_dmarc.mail.example.com", "v=DMARC1; p=reject") // two records: none applies
	c := &Checker{Resolver: z}
	p, err := c.LookupDMARC(context.Background(), "mail.example.com", "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if p.Author != nil || p.Org == nil || p.Org.Policy != dmarc.PolicyReject {
		t.Errorf("author %v, org %v", p.Author, p.Org)
	}
	z.SetFault("_dmarc.example.com", zone.TypeTXT, zone.FaultTimeout)
	if _, err := c.LookupDMARC(context.Background(), "mail.example.com", "example.com"); err == nil {
		t.Error("no error for a timeout")
	}
}
