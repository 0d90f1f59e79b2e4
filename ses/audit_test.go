package ses

import (
	"context"
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

func TestAuditPlanZoneIsClean(t *testing.T) {
	for _, region := range []string{"ap-northeast-2", "af-south-1", "us-east-1", "eu-south-1"} {
		id := seedIdentity(t)
		id.Region = region
		id.VerificationToken = "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU="
		p, err := id.Plan()
		if err != nil {
			t.Fatal(err)
		}
		a := (&Auditor{Resolver: p.Zone()}).Audit(context.Background(), p)
		if len(a.Findings) != 0 || !a.OK() {
			t.Errorf("%s: findings %v", region, a.Findings)
		}
		for _, c := range a.Checks {
			if c.Status != StatusPresent {
				t.Errorf("%s: %s %v is %v", region, c.Record.Name, c.Record.Type, c.Status)
			}
		}
		if a.Alignment.Verdict != VerdictPassBoth || a.DMARC == nil {
			t.Errorf("%s: verdict %v", region, a.Alignment.Verdict)
		}
	}
}

// brokenZones: each case plants one defect in the seed plan's zone and
// expects exactly one finding code.
var brokenZones = []struct {
	name   string
	break_ func(z *zone.Zone)
	want   string
	status Status // of the check concerned
}{
	{"DKIM CNAME missing", func(z *zone.Zone) {
		z.Remove(seedTokens[1]+"._domainkey.example.org", zone.TypeCNAME)
	}, FindingDKIMMissing, StatusMissing},
	{"DKIM CNAME to a foreign host", func(z *zone.Zone) {
		z.Remove(seedTokens[0]+"._domainkey.example.org", zone.TypeCNAME)
		z.AddCNAME(seedTokens[0]+"._domainkey.example.org", seedTokens[0]+".dkim.example.net")
	}, FindingDKIMWrongTarget, StatusWrong},
	{"DKIM CNAME into another region's zone", func(z *zone.Zone) {
		z.Remove(seedTokens[2]+"._domainkey.example.org", zone.TypeCNAME)
		z.AddCNAME(seedTokens[2]+"._domainkey.example.org", seedTokens[2]+".dkim.af-south-1.amazonses.com")
	}, FindingDKIMWrongRegion, StatusWrong},
	{"DKIM name holds a TXT, not a CNAME", func(z *zone.Zone) {
		z.Remove(seedTokens[0]+"._domainkey.example.org", zone.TypeCNAME)
		z.AddTXT(seedTokens[0]+"._domainkey.example.org", "v=DKIM1; p="+testKeyB64)
	}, FindingDKIMNotCNAME, StatusWrong},
	{"MAIL FROM MX missing", func(z *zone.Zone) {
		z.Remove("mail.example.org", zone.TypeMX)
	}, FindingMailFromMXMissing, StatusMissing},
	{"MAIL FROM MX at another region's feedback endpoint", func(z *zone.Zone) {
		z.Remove("mail.example.org", zone.TypeMX)
		z.AddMX("mail.example.org", 10, "feedback-smtp.us-east-1.amazonses.com")
	}, FindingMailFromMXWrongRegion, StatusWrong},
	{"MAIL FROM MX priority not 10", func(z *zone.Zone) {
		z.Remove("mail.example.org", zone.TypeMX)
		z.AddMX("mail.example.org", 20, "feedback-smtp.ap-northeast-2.amazonses.com")
	}, FindingMailFromMXPriority, StatusPresent},
	{"MAIL FROM MX at the company's own server", func(z *zone.Zone) {
		z.Remove("mail.example.org", zone.TypeMX)
		z.AddMX("mail.example.org", 10, "mx1.example.org")
	}, FindingMailFromMXWrong, StatusWrong},
	{"MAIL FROM domain also receives mail", func(z *zone.Zone) {
		z.AddMX("mail.example.org", 20, "mx1.example.org")
	}, FindingMailFromMXConflict, StatusWrong},
	{"CNAME at the MAIL FROM name", func(z *zone.Zone) {
		z.Remove("mail.example.org", zone.TypeANY)
		z.AddCNAME("mail.example.org", "example.org")
	}, FindingMailFromCNAME, StatusWrong},
	{"MAIL FROM SPF missing", func(z *zone.Zone) {
		z.Remove("mail.example.org", zone.TypeTXT)
	}, spf.FindingNoRecord, StatusMissing},
	{"MAIL FROM SPF without amazonses.com", func(z *zone.Zone) {
		z.Remove("mail.example.org", zone.TypeTXT)
		z.AddTXT("mail.example.org", "v=spf1 mx -all")
	}, FindingMailFromSPFNoSES, StatusWrong},
	{"RFC 7208 §4.6.2 include:amazonses.com with a neutral qualifier", func(z *zone.Zone) {
		z.Remove("mail.example.org", zone.TypeTXT)
		z.AddTXT("mail.example.org", "v=spf1 ?include:amazonses.com ~all")
	}, FindingMailFromSPFNoSES, StatusWrong},
	{"RFC 7208 §5.1 include:amazonses.com after all is never reached", func(z *zone.Zone) {
		z.Remove("mail.example.org", zone.TypeTXT)
		z.AddTXT("mail.example.org", "v=spf1 -all include:amazonses.com")
	}, FindingMailFromSPFNoSES, StatusWrong},
	{"DKIM CNAME to another token in the right zone", func(z *zone.Zone) {
		z.Remove(seedTokens[1]+"._domainkey.example.org", zone.TypeCNAME)
		z.AddCNAME(seedTokens[1]+"._domainkey.example.org", seedTokens[0]+".dkim.amazonses.com")
	}, FindingDKIMWrongTarget, StatusWrong},
	{"RFC 7208 §4.5 two SPF records at MAIL FROM", func(z *zone.Zone) {
		z.AddTXT("mail.example.org", "v=spf1 mx -all")
	}, spf.FindingMultipleRecords, StatusWrong},
	{"RFC 7208 §12 SPF syntax error", func(z *zone.Zone) {
		z.Remove("mail.example.org", zone.TypeTXT)
		z.AddTXT("mail.example.org", "v=spf1 include:amazonses.com ip4:192.0.2.300 ~all")
	}, spf.FindingSyntax, StatusWrong},
	{"RFC 7208 §4.6.4 SPF over 10 lookups", func(z *zone.Zone) {
		z.Remove("mail.example.org", zone.TypeTXT)
		z.AddTXT("mail.example.org", "v=spf1 include:amazonses.com include:_spf.example.org ~all")
		z.AddTXT("_spf.example.org", "v=spf1 a:a1.example.org a:a2.example.org a:a3.example.org a:a4.example.org a:a5.example.org include:_spf2.example.org -all")
		z.AddTXT("_spf2.example.org", "v=spf1 a:b1.example.org a:b2.example.org a:b3.example.org mx -all")
	}, spf.FindingTooManyLookups, StatusWrong},
	{"DMARC missing", func(z *zone.Zone) {
		z.Remove("_dmarc.example.org", zone.TypeTXT)
	}, dmarc.FindingNoRecord, StatusMissing},
	{"DMARC p=none without rua", func(z *zone.Zone) {
		z.Remove("_dmarc.example.org", zone.TypeTXT)
		z.AddTXT("_dmarc.example.org", "v=DMARC1; p=none")
	}, dmarc.FindingPNoneWithoutRUA, StatusWrong},
	{"two DMARC records", func(z *zone.Zone) {
		z.AddTXT("_dmarc.example.org", "v=DMARC1; p=none; rua=mailto:other@example.org")
	}, dmarc.FindingMultipleRecords, StatusWrong},
	{"DMARC record broken", func(z *zone.Zone) {
		z.Remove("_dmarc.example.org", zone.TypeTXT)
		z.AddTXT("_dmarc.example.org", "v=DMARC1; p=quarantine; p=reject")
	}, dmarc.FindingSyntax, StatusWrong},
	{"DMARC policy differs from the plan", func(z *zone.Zone) {
		z.Remove("_dmarc.example.org", zone.TypeTXT)
		z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject; rua=mailto:mail-master@example.org")
	}, FindingDMARCDiffers, StatusWrong},
	{"RFC 9989 §4.4.2 aspf=s breaks SPF alignment", func(z *zone.Zone) {
		z.Remove("_dmarc.example.org", zone.TypeTXT)
		z.AddTXT("_dmarc.example.org", seedDMARC+"; aspf=s")
	}, FindingStrictSPF, StatusPresent},
	{"MX lookup fails", func(z *zone.Zone) {
		z.SetFault("mail.example.org", zone.TypeMX, zone.FaultServFail)
	}, FindingLookupFailed, StatusUnknown},
}

func TestAuditBrokenZones(t *testing.T) {
	if len(brokenZones) < 15 {
		t.Fatalf("only %d broken zones", len(brokenZones))
	}
	for _, tt := range brokenZones {
		t.Run(tt.name, func(t *testing.T) {
			p := seedPlan(t)
			z := p.Zone()
			tt.break_(z)
			a := (&Auditor{Resolver: z}).Audit(context.Background(), p)
			if got := codes(a.Findings); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("codes = %q, want [%q]\nzone:\n%s", got, tt.want, z)
			}
			// The check of the record concerned has the expected status.
			var statuses []Status
			for _, c := range a.Checks {
				if c.Status != StatusPresent {
					statuses = append(statuses, c.Status)
				}
			}
			// Every other check is present: one defect, one record.
			if tt.status == StatusPresent && len(statuses) != 0 || tt.status != StatusPresent && (len(statuses) == 0 ||
				slices.ContainsFunc(statuses, func(s Status) bool { return s != tt.status })) {
				t.Errorf("statuses %v, want only %v", statuses, tt.status)
			}
		})
	}
}

func TestAuditAlignment(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(z *zone.Zone)
		from    string
		verdict Verdict
		codes   []string
	}{
		{"seed", nil, "", VerdictPassBoth, nil},
		{"MX missing: SES falls back, only DKIM aligns", func(z *zone.Zone) {
			z.Remove("mail.example.org", zone.TypeMX)
		}, "", VerdictPassDKIMOnly, []string{FindingMailFromMXMissing}},
		{"DKIM missing: only SPF aligns", func(z *zone.Zone) {
			z.Remove(seedTokens[0]+"._domainkey.example.org", zone.TypeCNAME)
		}, "", VerdictPassSPFOnly, []string{FindingDKIMMissing}},
		{"both broken", func(z *zone.Zone) {
			z.Remove(seedTokens[0]+"._domainkey.example.org", zone.TypeCNAME)
			z.Remove("mail.example.org", zone.TypeTXT)
		}, "", VerdictPassNeither, []string{FindingDKIMMissing, spf.FindingNoRecord, FindingNoAlignment}},
		{"SPF broken at the custom MAIL FROM: only DKIM aligns", func(z *zone.Zone) {
			z.Remove("mail.example.org", zone.TypeTXT)
			z.AddTXT("mail.example.org", "v=spf1 mx -all")
		}, "", VerdictPassDKIMOnly, []string{FindingMailFromSPFNoSES}},
		{"RFC 9989 §4.4.1 adkim=s with a subdomain From", func(z *zone.Zone) {
			z.Remove("_dmarc.example.org", zone.TypeTXT)
			z.AddTXT("_dmarc.example.org", seedDMARC+"; adkim=s")
		}, "news.example.org", VerdictPassSPFOnly, []string{FindingStrictDKIM}},
		{"From outside the organisation", nil, "example.net", VerdictPassNeither, []string{FindingNoAlignment}},
		// FACTS §1.3: one MX serves a MAIL FROM domain shared by several
		// regions; SES verifies it, so SPF still aligns.
		{"MAIL FROM MX at another region's endpoint: still in effect", func(z *zone.Zone) {
			z.Remove("mail.example.org", zone.TypeMX)
			z.AddMX("mail.example.org", 10, "feedback-smtp.us-east-1.amazonses.com")
		}, "", VerdictPassBoth, []string{FindingMailFromMXWrongRegion}},
		{"another region's endpoint beside another MX: not in effect", func(z *zone.Zone) {
			z.Remove("mail.example.org", zone.TypeMX)
			z.AddMX("mail.example.org", 10, "feedback-smtp.us-east-1.amazonses.com")
			z.AddMX("mail.example.org", 20, "mx1.example.org")
		}, "", VerdictPassDKIMOnly, []string{FindingMailFromMXWrongRegion}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := seedPlan(t)
			z := p.Zone()
			if tt.edit != nil {
				tt.edit(z)
			}
			a := (&Auditor{Resolver: z, From: tt.from}).Audit(context.Background(), p)
			if a.Alignment.Verdict != tt.verdict {
				t.Errorf("verdict %v, want %v\nSPF: %s\nDKIM: %s", a.Alignment.Verdict, tt.verdict, a.Alignment.SPF.Reason, a.Alignment.DKIM.Reason)
			}
			if got := codes(a.Findings); !slices.Equal(got, tt.codes) {
				t.Errorf("codes %q, want %q", got, tt.codes)
			}
			if a.Alignment.SPF.Reason == "" || a.Alignment.DKIM.Reason == "" {
				t.Error("reasons missing")
			}
		})
	}
}

func TestPredictDefaultMailFrom(t *testing.T) {
	for _, tt := range []struct{ region, mailFrom string }{
		{"us-east-1", "amazonses.com"}, {"eu-west-1", "eu-west-1.amazonses.com"}, {"ap-northeast-2", "ap-northeast-2.amazonses.com"},
	} {
		id := seedIdentity(t)
		id.Region, id.MailFrom = tt.region, ""
		p, err := id.Plan()
		if err != nil {
			t.Fatal(err)
		}
		a := p.Alignment
		if a.Verdict != VerdictPassDKIMOnly || a.SPF.Aligned || a.SPF.Domain != tt.mailFrom || !strings.Contains(a.SPF.Reason, "never aligns") {
			t.Errorf("%s: %+v", tt.region, a)
		}
	}
	// Strict SPF with a custom MAIL FROM never aligns; strict DKIM does for From = identity.
	id := seedIdentity(t)
	id.DMARC = mustDMARC(t, "v=DMARC1; p=reject; aspf=s; adkim=s; rua=mailto:d@example.org")
	p, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if p.Alignment.Verdict != VerdictPassDKIMOnly || !strings.Contains(p.Alignment.SPF.Reason, "aspf=s") {
		t.Errorf("strict: %+v", p.Alignment)
	}
}

func TestAuditRejectMessageNote(t *testing.T) {
	id := seedIdentity(t)
	id.BehaviorOnMXFailure = MXFailureBehaviorRejectMessage
	p, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	z := p.Zone()
	z.Remove("mail.example.org", zone.TypeMX)
	a := (&Auditor{Resolver: z}).Audit(context.Background(), p)
	if !strings.Contains(a.Alignment.SPF.Reason, "RejectMessage") {
		t.Errorf("reason %q", a.Alignment.SPF.Reason)
	}
}

func TestAuditBYODKIM(t *testing.T) {
	id := seedIdentity(t)
	id.EasyDKIMTokens = nil
	id.BYODKIM = &BYODKIM{Selector: "sel1", PublicKey: testKeyB64}
	p, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	const name = "sel1._domainkey.example.org"
	for _, tt := range []struct {
		name string
		edit func(z *zone.Zone)
		want []string
	}{
		{"as planned", nil, nil},
		{"with v= and k= tags", func(z *zone.Zone) {
			z.Remove(name, zone.TypeTXT)
			z.AddTXT(name, "v=DKIM1; k=rsa; p="+testKeyB64)
		}, nil},
		{"missing", func(z *zone.Zone) { z.Remove(name, zone.TypeTXT) }, []string{FindingDKIMMissing}},
		{"another key", func(z *zone.Zone) {
			z.Remove(name, zone.TypeTXT)
			z.AddTXT(name, "p="+otherKeyB64)
		}, []string{FindingBYODKIMKeyWrong}},
		{"RFC 6376 §3.6.1 not a key", func(z *zone.Zone) {
			z.Remove(name, zone.TypeTXT)
			z.AddTXT(name, "v=DKIM1; p=!!!")
		}, []string{dkim.FindingKeySyntax}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			z := p.Zone()
			if tt.edit != nil {
				tt.edit(z)
			}
			a := (&Auditor{Resolver: z}).Audit(context.Background(), p)
			if got := codes(a.Findings); !slices.Equal(got, tt.want) {
				t.Errorf("codes %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAuditVerificationToken(t *testing.T) {
	id := seedIdentity(t)
	id.VerificationToken = "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU="
	p, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	z := p.Zone()
	z.Remove("_amazonses.example.org", zone.TypeTXT)
	a := (&Auditor{Resolver: z}).Audit(context.Background(), p)
	if got := codes(a.Findings); !slices.Equal(got, []string{FindingVerificationMissing}) {
		t.Errorf("codes %q", got)
	}
	// The Developer Guide's alternative: the apex, with an "amazonses:" prefix.
	z.AddTXT("example.org", "amazonses:"+id.VerificationToken)
	a = (&Auditor{Resolver: z}).Audit(context.Background(), p)
	if len(a.Findings) != 0 {
		t.Errorf("apex token: %v", a.Findings)
	}
}

// noCNAME hides the zone's CNAME capability, as *net.Resolver lacks it.
type noCNAME struct{ z *zone.Zone }

func (n noCNAME) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return n.z.LookupTXT(ctx, name)
}
func (n noCNAME) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	return n.z.LookupMX(ctx, name)
}
func (n noCNAME) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return n.z.LookupNetIP(ctx, network, host)
}
func (n noCNAME) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	return n.z.LookupAddr(ctx, addr)
}

func TestAuditWithoutCNAMECapability(t *testing.T) {
	p := seedPlan(t)
	z := p.Zone()
	for _, tok := range seedTokens {
		// Keys behind the CNAMEs, as Amazon publishes them.
		z.AddTXT(tok+".dkim.amazonses.com", "v=DKIM1; k=rsa; p="+testKeyB64)
	}
	a := (&Auditor{Resolver: noCNAME{z}}).Audit(context.Background(), p)
	if got := codes(a.Findings); !slices.Equal(got, []string{FindingDKIMUnknown}) {
		t.Errorf("codes %q", got)
	}
	// The DKIM check is unknown, so DKIM alignment is not assumed.
	if a.Alignment.Verdict != VerdictPassSPFOnly {
		t.Errorf("verdict %v", a.Alignment.Verdict)
	}
	z.Remove(seedTokens[0]+".dkim.amazonses.com", zone.TypeTXT)
	a = (&Auditor{Resolver: noCNAME{z}}).Audit(context.Background(), p)
	if got := codes(a.Findings); !slices.Equal(got, []string{FindingDKIMMissing, FindingDKIMUnknown}) {
		t.Errorf("codes %q", got)
	}
}

func TestAuditRoute53Export(t *testing.T) {
	// A list-resource-record-sets export of the seed's zone, as Route 53
	// prints it: names with trailing dots, TXT values quoted, plus the SOA
	// and NS of the hosted zone.
	const export = `{"ResourceRecordSets": [
	{"Name": "example.org.", "Type": "NS", "TTL": 172800, "ResourceRecords": [{"Value": "ns-187.awsdns-23.com."}, {"Value": "ns-976.awsdns-58.net."}, {"Value": "ns-1051.awsdns-03.org."}, {"Value": "ns-1659.awsdns-15.co.uk."}]},
	{"Name": "example.org.", "Type": "SOA", "TTL": 900, "ResourceRecords": [{"Value": "ns-187.awsdns-23.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}]},
	{"Name": "_dmarc.example.org.", "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": "\"v=DMARC1; p=quarantine; rua=mailto:mail-master@example.org\""}]},
	{"Name": "b743qnjojiphl56mvjxi2ietqlhb774b._domainkey.example.org.", "Type": "CNAME", "TTL": 1800, "ResourceRecords": [{"Value": "b743qnjojiphl56mvjxi2ietqlhb774b.dkim.amazonses.com"}]},
	{"Name": "ee3iyktt6a52swhlzrcnadeiwwa27oo6._domainkey.example.org.", "Type": "CNAME", "TTL": 1800, "ResourceRecords": [{"Value": "ee3iyktt6a52swhlzrcnadeiwwa27oo6.dkim.amazonses.com"}]},
	{"Name": "hleoy2vma4pcnkbbyeekmttjnef4mcgf._domainkey.example.org.", "Type": "CNAME", "TTL": 1800, "ResourceRecords": [{"Value": "hleoy2vma4pcnkbbyeekmttjnef4mcgf.dkim.us-east-1.amazonses.com"}]},
	{"Name": "mail.example.org.", "Type": "MX", "TTL": 300, "ResourceRecords": [{"Value": "10 feedback-smtp.ap-northeast-2.amazonses.com"}]},
	{"Name": "mail.example.org.", "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": "\"v=spf1 include:amazonses.com ~all\""}]}
	]}`
	z, err := zone.ReadRoute53(strings.NewReader(export))
	if err != nil {
		t.Fatal(err)
	}
	p := seedPlan(t)
	a := (&Auditor{Resolver: z}).Audit(context.Background(), p)
	if got := codes(a.Findings); !slices.Equal(got, []string{FindingDKIMWrongRegion}) {
		t.Errorf("codes %q", got)
	}
	if got := codes(CheckHostedZone(z, "example.org")); len(got) != 0 {
		t.Errorf("hosted zone codes %q", got)
	}
}

// TestAuditExampleZones audits the repository's example zones (written for
// the command's documentation) when they are present.
func TestAuditExampleZones(t *testing.T) {
	path := repoFile(t, "examples/zones/example.org.zone")
	if path == "" {
		t.Skip("examples/zones/example.org.zone not present")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	z, err := zone.ParseString(string(data), "example.org.")
	if err != nil {
		t.Fatal(err)
	}
	a := (&Auditor{Resolver: z}).Audit(context.Background(), seedPlan(t))
	if len(a.Findings) != 0 || a.Alignment.Verdict != VerdictPassBoth {
		t.Errorf("example.org.zone: %v, %v", a.Findings, a.Alignment.Verdict)
	}
}

func BenchmarkAudit(b *testing.B) {
	p := seedPlan(b)
	au := &Auditor{Resolver: p.Zone()}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		au.Audit(ctx, p)
	}
}

// TestAuditBrokenExampleZone audits the repository's broken example zone
// (eu-south-1, each planted defect marked in the file) when it is present.
func TestAuditBrokenExampleZone(t *testing.T) {
	path := repoFile(t, "examples/zones/broken.example.zone")
	if path == "" {
		t.Skip("examples/zones/broken.example.zone not present")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	z, err := zone.ParseString(string(data), "broken.example.")
	if err != nil {
		t.Fatal(err)
	}
	id := Identity{Domain: "broken.example", Region: "eu-south-1", MailFrom: "bounce.broken.example",
		EasyDKIMTokens: []string{"q4zd7mxk2vbn6wchj3tyrlfpe5sgua2o", "w7n3kbyx5qj2tmr6dhaezlc4vgfup7si", "m2ex6rhtwq5bzkjd3fyn7lvsc4apo6gu"},
		DMARCReports:   "dmarc@broken.example"}
	p, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	a := (&Auditor{Resolver: z}).Audit(context.Background(), p)
	want := []string{FindingDKIMWrongRegion, FindingDKIMWrongRegion, FindingDKIMWrongRegion, FindingMailFromMXWrongRegion,
		spf.FindingMultipleRecords, dmarc.FindingPNoneWithoutRUA, FindingNoAlignment}
	if got := codes(a.Findings); !slices.Equal(got, want) {
		t.Errorf("codes %q, want %q", got, want)
	}
}

func TestAuditNil(t *testing.T) {
	a := (&Auditor{}).Audit(context.Background(), seedPlan(t))
	if got := codes(a.Findings); !slices.Equal(got, []string{FindingLookupFailed}) || a.OK() {
		t.Errorf("nil resolver: %q", got)
	}
	a = (&Auditor{Resolver: zone.New()}).Audit(context.Background(), nil)
	if a.OK() {
		t.Error("nil plan: OK")
	}
}

func TestAuditJSON(t *testing.T) {
	p := seedPlan(t)
	z := p.Zone()
	z.Remove("mail.example.org", zone.TypeMX)
	data, err := json.Marshal((&Auditor{Resolver: z}).Audit(context.Background(), p))
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Domain, Region string
		OK             bool
		Checks         []struct{ Name, Type, Purpose, Status, Expected string }
		Findings       []Finding
		Alignment      struct{ Verdict string }
	}
	if err := json.Unmarshal(data, &j); err != nil {
		t.Fatal(err)
	}
	if j.Domain != "example.org" || j.OK || len(j.Checks) != 6 || j.Checks[3].Status != "missing" || j.Checks[3].Type != "MX" ||
		j.Findings[0].Code != FindingMailFromMXMissing || j.Alignment.Verdict != "dkim" {
		t.Errorf("JSON %s", data)
	}
}

func TestAuditSkipDMARC(t *testing.T) {
	id := seedIdentity(t)
	id.SkipDMARC = true
	p, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	z := p.Zone()
	a := (&Auditor{Resolver: z}).Audit(context.Background(), p)
	if got := codes(a.Findings); !slices.Equal(got, []string{dmarc.FindingNoRecord}) || a.Findings[0].Where != "_dmarc.example.org" {
		t.Errorf("codes %q %v", got, a.Findings)
	}
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject; rua=mailto:x@example.org")
	a = (&Auditor{Resolver: z}).Audit(context.Background(), p)
	if len(a.Findings) != 0 || len(a.Checks) != len(p.Records)+1 || a.Checks[len(a.Checks)-1].Status != StatusPresent {
		t.Errorf("managed DMARC: %v", a.Findings)
	}
}

// TestAuditEveryPlanZoneIsClean audits the zone built from the plan of every
// region, and of the identity variants, and wants no finding at all, every
// check present and the prediction the plan made.
func TestAuditEveryPlanZoneIsClean(t *testing.T) {
	variants := []struct {
		name string
		edit func(id *Identity)
	}{
		{"seed", func(*Identity) {}},
		{"verification token", func(id *Identity) { id.VerificationToken = "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=" }},
		{"default MAIL FROM", func(id *Identity) { id.MailFrom = "" }},
		{"recommended DMARC with rua", func(id *Identity) { id.DMARC, id.DMARCReports = nil, "dmarc@example.org" }},
		{"BYODKIM", func(id *Identity) {
			id.EasyDKIMTokens = nil
			id.BYODKIM = &BYODKIM{Selector: "sel1", PublicKey: testKeyB64}
		}},
		{"RejectMessage and a deeper MAIL FROM", func(id *Identity) {
			id.BehaviorOnMXFailure, id.MailFrom = MXFailureBehaviorRejectMessage, "bounce.mail.example.org"
		}},
		{"strict DKIM", func(id *Identity) {
			id.DMARC = mustDMARC(t, "v=DMARC1; p=reject; adkim=s; rua=mailto:d@example.org")
		}},
		{"SPF with redirect", func(id *Identity) { id.MailFromSPF = "v=spf1 redirect=amazonses.com" }},
	}
	for _, r := range Regions() {
		for _, v := range variants {
			t.Run(r.Code+"/"+v.name, func(t *testing.T) {
				id := seedIdentity(t)
				id.Region = r.Code
				v.edit(&id)
				if !r.DKIMZone.Known() && len(id.EasyDKIMTokens) > 0 {
					id.SigningHostedZone = "dkim." + r.Code + ".example-ses.test"
				}
				if !r.FeedbackHost.Known() {
					id.MailFrom = ""
				}
				p, err := id.Plan()
				if err != nil {
					t.Fatal(err)
				}
				a := (&Auditor{Resolver: p.Zone()}).Audit(context.Background(), p)
				if len(a.Findings) != 0 {
					t.Errorf("findings %v", a.Findings)
				}
				for _, c := range a.Checks {
					if c.Status != StatusPresent {
						t.Errorf("%s %v is %v", c.Record.Name, c.Record.Type, c.Status)
					}
				}
				if a.Alignment.Verdict != p.Alignment.Verdict {
					t.Errorf("audit predicts %v, plan %v", a.Alignment.Verdict, p.Alignment.Verdict)
				}
			})
		}
	}
}
