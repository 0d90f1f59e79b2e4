package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

// outsideZone points out of the file: a DKIM CNAME and an SPF include into
// amazonses.com, an MX into a provider, none of which the file holds; and
// a selector under the domain whose key is missing from the file.
const outsideZone = `$ORIGIN out.example.
$TTL 300
@ MX 10 inbound-smtp.eu-west-1.amazonaws.com.
@ TXT "v=spf1 include:amazonses.com -all"
_dmarc TXT "v=DMARC1; p=reject"
abc._domainkey CNAME abc.dkim.amazonses.com.
gone._domainkey CNAME gone2._domainkey
`

// TestAuditNotInZone is issue 11 item 17: names a zone file does not cover
// are "not in the zone file", not missing keys, includes or addresses;
// names it covers are still reported missing; and with a Resolver other
// than the zone (live DNS for the rest) nothing is rewritten.
func TestAuditNotInZone(t *testing.T) {
	z, err := zone.ParseString(outsideZone, "out.example")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := (&audit.Auditor{Resolver: z, Zone: z, TrustNotFound: true}).Audit(context.Background(), "out.example")
	if err != nil {
		t.Fatal(err)
	}
	count := func(rep *audit.Report, code string) int {
		n := 0
		for _, f := range rep.Findings() {
			if f.Code == code {
				n++
			}
		}
		return n
	}
	for code, want := range map[string]int{
		audit.FindingNotInZone:     3, // the key, the include, the MX target
		spf.FindingIncludeNoRecord: 0,
		mx.FindingUnresolvable:     0,
		dkim.FindingSelectorNoKey:  1, // gone2._domainkey.out.example is in the file's domain
	} {
		if got := count(rep, code); got != want {
			t.Errorf("%d %s findings, want %d: %s", got, code, want, codesOf(rep))
		}
	}
	dk := rep.Area(audit.AreaDKIM)
	if !strings.Contains(strings.Join(dk.Facts, "\n"), "abc.dkim.amazonses.com, not in the zone file; check with --live-outside") {
		t.Errorf("DKIM facts %q", dk.Facts)
	}
	if s := rep.Area(audit.AreaSPF).Status; s != audit.StatusUnknown {
		t.Errorf("SPF status %s, want unknown: its include was not checked", s)
	}

	// Another Resolver may know the names: nothing is rewritten.
	rep, err = (&audit.Auditor{Resolver: existence{Zone: z}, Zone: z, TrustNotFound: true}).Audit(context.Background(), "out.example")
	if err != nil {
		t.Fatal(err)
	}
	if n := count(rep, audit.FindingNotInZone); n != 0 || count(rep, spf.FindingIncludeNoRecord) != 1 {
		t.Errorf("with another Resolver: %s", codesOf(rep))
	}

	// ZoneApexes that cover amazonses.com make its missing key a finding.
	rep, err = (&audit.Auditor{Resolver: z, Zone: z, TrustNotFound: true, ZoneApexes: []string{"amazonses.com"}}).Audit(context.Background(), "out.example")
	if err != nil {
		t.Fatal(err)
	}
	if count(rep, dkim.FindingSelectorNoKey) != 2 || count(rep, spf.FindingIncludeNoRecord) != 1 {
		t.Errorf("with amazonses.com an apex: %s", codesOf(rep))
	}
}
