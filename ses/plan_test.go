package ses

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/zone"
	"github.com/google/go-cmp/cmp"
)

// The seed example's records, as the seed shows them.
const seedBIND = `; Amazon SES domain identity example.org in ap-northeast-2 (Asia Pacific (Seoul))
; easy-dkim
ee3iyktt6a52swhlzrcnadeiwwa27oo6._domainkey.example.org.	3600	IN	CNAME	ee3iyktt6a52swhlzrcnadeiwwa27oo6.dkim.amazonses.com.
hleoy2vma4pcnkbbyeekmttjnef4mcgf._domainkey.example.org.	3600	IN	CNAME	hleoy2vma4pcnkbbyeekmttjnef4mcgf.dkim.amazonses.com.
b743qnjojiphl56mvjxi2ietqlhb774b._domainkey.example.org.	3600	IN	CNAME	b743qnjojiphl56mvjxi2ietqlhb774b.dkim.amazonses.com.
; mail-from-mx
mail.example.org.	3600	IN	MX	10 feedback-smtp.ap-northeast-2.amazonses.com.
; mail-from-spf
mail.example.org.	3600	IN	TXT	"v=spf1 include:amazonses.com ~all"
; dmarc
_dmarc.example.org.	3600	IN	TXT	"v=DMARC1; p=quarantine; rua=mailto:mail-master@example.org"
`

// seedRecords is the seed's record list: name, type, value.
var seedRecords = [][3]string{
	{"ee3iyktt6a52swhlzrcnadeiwwa27oo6._domainkey.example.org", "CNAME", "ee3iyktt6a52swhlzrcnadeiwwa27oo6.dkim.amazonses.com"},
	{"hleoy2vma4pcnkbbyeekmttjnef4mcgf._domainkey.example.org", "CNAME", "hleoy2vma4pcnkbbyeekmttjnef4mcgf.dkim.amazonses.com"},
	{"b743qnjojiphl56mvjxi2ietqlhb774b._domainkey.example.org", "CNAME", "b743qnjojiphl56mvjxi2ietqlhb774b.dkim.amazonses.com"},
	{"mail.example.org", "MX", "10 feedback-smtp.ap-northeast-2.amazonses.com"},
	{"mail.example.org", "TXT", "v=spf1 include:amazonses.com ~all"},
	{"_dmarc.example.org", "TXT", "v=DMARC1; p=quarantine; rua=mailto:mail-master@example.org"},
}

func TestSeedRecords(t *testing.T) {
	recs, err := seedIdentity(t).Records()
	if err != nil {
		t.Fatal(err)
	}
	var got [][3]string
	for _, r := range recs {
		got = append(got, [3]string{r.Name, r.Type.String(), r.Value})
		if r.TTL != 3600 {
			t.Errorf("%s TTL %d", r.Name, r.TTL)
		}
	}
	if diff := cmp.Diff(seedRecords, got); diff != "" {
		t.Errorf("records (-seed +plan):\n%s", diff)
	}
	p := seedPlan(t)
	if len(p.Findings) != 0 {
		t.Errorf("findings %v", p.Findings)
	}
	if p.Alignment.Verdict != VerdictPassBoth {
		t.Errorf("verdict %v: %+v", p.Alignment.Verdict, p.Alignment)
	}
}

func TestSeedBIND(t *testing.T) {
	p := seedPlan(t)
	if diff := cmp.Diff(seedBIND, p.BIND()); diff != "" {
		t.Errorf("BIND (-want +got):\n%s", diff)
	}
	// The fragment is a valid master file holding exactly the plan.
	z, err := zone.ParseString(p.BIND(), "example.org.")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(z.Records()), len(seedRecords); got != want {
		t.Errorf("parsed %d records, want %d", got, want)
	}
	var b strings.Builder
	if err := p.WriteBIND(&b); err != nil || b.String() != seedBIND {
		t.Errorf("WriteBIND: %v", err)
	}
}

func TestSeedChangeBatch(t *testing.T) {
	p := seedPlan(t)
	batches, err := p.ChangeBatches("")
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 {
		t.Fatalf("%d batches", len(batches))
	}
	var got [][3]string
	for _, c := range batches[0].Changes {
		if c.Action != "UPSERT" {
			t.Errorf("action %q", c.Action)
		}
		set := c.ResourceRecordSet
		if set.TTL == nil || *set.TTL != 3600 || len(set.ResourceRecords) != 1 {
			t.Errorf("set %+v", set)
		}
		got = append(got, [3]string{set.Name, set.Type, set.ResourceRecords[0].Value})
	}
	want := [][3]string{}
	for _, r := range seedRecords {
		v := r[2]
		switch r[1] {
		case "TXT":
			v = `"` + v + `"`
		default:
			v += "."
		}
		want = append(want, [3]string{r[0] + ".", r[1], v})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("change batch (-want +got):\n%s", diff)
	}
	// The batch JSON reads back into the planned records.
	data, err := json.Marshal(batches[0])
	if err != nil {
		t.Fatal(err)
	}
	z, err := zone.ReadRoute53(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p.Zone().String(), z.String()); diff != "" {
		t.Errorf("batch read back (-plan +batch):\n%s", diff)
	}
	if !strings.Contains(string(data), `"Comment":"Amazon SES set-up of example.org in ap-northeast-2"`) {
		t.Errorf("comment missing: %s", data)
	}
}

func TestSeedJSON(t *testing.T) {
	data, err := json.Marshal(seedPlan(t))
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Domain, Region string
		Records        []struct{ Name, Type, Value, Purpose, Confidence, Route53Value string }
		Findings       []Finding
		Alignment      struct{ Verdict string }
	}
	if err := json.Unmarshal(data, &j); err != nil {
		t.Fatal(err)
	}
	var got [][3]string
	for _, r := range j.Records {
		got = append(got, [3]string{r.Name, r.Type, r.Value})
	}
	if diff := cmp.Diff(seedRecords, got); diff != "" {
		t.Errorf("JSON records (-seed +json):\n%s", diff)
	}
	if j.Domain != "example.org" || j.Region != "ap-northeast-2" || j.Alignment.Verdict != "both" || len(j.Findings) != 0 {
		t.Errorf("JSON %s", data)
	}
	if j.Records[0].Purpose != "easy-dkim" || j.Records[3].Confidence != "documented" {
		t.Errorf("purpose/confidence: %s", data)
	}
}

func TestRegionalDKIMZone(t *testing.T) {
	id := seedIdentity(t)
	id.Region = "af-south-1"
	p, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Records[0].Value; got != seedTokens[0]+".dkim.af-south-1.amazonses.com" {
		t.Errorf("af-south-1 DKIM target %q", got)
	}
	if got := p.Records[3].Value; got != "10 feedback-smtp.af-south-1.amazonses.com" {
		t.Errorf("MX %q", got)
	}
	if len(p.Findings) != 0 {
		t.Errorf("findings %v", p.Findings)
	}
	// SigningHostedZone from the API wins over the table.
	id.SigningHostedZone = "dkim.example-zone.amazonses.com."
	p, err = id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Records[0].Value; got != seedTokens[0]+".dkim.example-zone.amazonses.com" || p.DKIMZone.Confidence != ConfidenceDocumented {
		t.Errorf("SigningHostedZone target %q (%v)", got, p.DKIMZone.Confidence)
	}
}

func TestUnconfirmedRegionValues(t *testing.T) {
	id := seedIdentity(t)
	id.Region = "ap-south-2" // DKIM zone third-party, feedback host by pattern only
	p, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(p.Findings); !slices.Equal(got, []string{FindingRegionValueUnconfirmed}) {
		t.Errorf("codes %q", got)
	}
	if !strings.Contains(p.BIND(), "; value pattern, check the SES console") {
		t.Errorf("BIND does not flag the unconfirmed value:\n%s", p.BIND())
	}
	id.Region = "me-south-1" // DKIM zone inferred
	p, err = id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(p.Findings); !slices.Equal(got, []string{FindingRegionValueUnconfirmed}) || p.Records[0].Confidence != ConfidenceUnconfirmed {
		t.Errorf("me-south-1 codes %q", got)
	}
	id.Region = "eusc-de-east-1" // nothing known
	if _, err := id.Plan(); err == nil {
		t.Error("eusc-de-east-1 without SigningHostedZone: want error")
	}
}

func TestRegionTable(t *testing.T) {
	regs := Regions()
	if len(regs) != 30 {
		t.Errorf("%d regions", len(regs))
	}
	regional := 0
	for _, r := range regs {
		if r.DKIMZone.Value != "" && r.DKIMZone.Value != DefaultDKIMZone {
			regional++
			if RegionOfDKIMZone(r.DKIMZone.Value) != r.Code {
				t.Errorf("%s: zone %s", r.Code, r.DKIMZone.Value)
			}
		}
		if r.FeedbackHost.Known() && RegionOfFeedbackHost(r.FeedbackHost.Value) != r.Code {
			t.Errorf("%s: feedback %s", r.Code, r.FeedbackHost.Value)
		}
		if r.Name == "" {
			t.Errorf("%s: no name", r.Code)
		}
	}
	// FACTS §1.2: the eleven regions of the newest General Reference copies.
	if regional != 11 {
		t.Errorf("%d regional DKIM zones, want 11", regional)
	}
	r, err := LookupRegion("US-EAST-1")
	if err != nil || r.DefaultMailFrom.Value != "amazonses.com" || r.SMTPEndpoint.Value != "email-smtp.us-east-1.amazonaws.com" {
		t.Errorf("us-east-1: %+v %v", r, err)
	}
	_, err = LookupRegion("mars-north-1")
	var ue *UnknownRegionError
	if !errors.As(err, &ue) || len(ue.Known) != 30 || !strings.Contains(err.Error(), "ap-northeast-2") {
		t.Errorf("unknown region error: %v", err)
	}
	for c := ConfidenceUnknown; c <= ConfidenceDocumented+1; c++ {
		if c.String() == "" {
			t.Error("empty confidence name")
		}
	}
}

func TestPlanErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Identity)
		field string
	}{
		{"bad domain", func(id *Identity) { id.Domain = "a..b" }, "Domain"},
		{"two tokens", func(id *Identity) { id.EasyDKIMTokens = id.EasyDKIMTokens[:2] }, "EasyDKIMTokens"},
		{"token with dot", func(id *Identity) { id.EasyDKIMTokens[1] = "a.b" }, "EasyDKIMTokens"},
		{"tokens and BYODKIM", func(id *Identity) { id.BYODKIM = &BYODKIM{Selector: "s1", PublicKey: testKeyB64} }, "BYODKIM"},
		{"MAIL FROM outside domain", func(id *Identity) { id.MailFrom = "mail.example.net" }, "MailFrom"},
		{"MAIL FROM is the domain", func(id *Identity) { id.MailFrom = "example.org" }, "MailFrom"},
		{"bad signing zone", func(id *Identity) { id.SigningHostedZone = "a..b" }, "SigningHostedZone"},
		{"bad reports", func(id *Identity) { id.DMARC = nil; id.DMARCReports = "nobody" }, "DMARCReports"},
		{"bad selector", func(id *Identity) {
			id.EasyDKIMTokens = nil
			id.BYODKIM = &BYODKIM{Selector: "a_b", PublicKey: testKeyB64}
		}, "BYODKIM.Selector"},
		{"bad key", func(id *Identity) {
			id.EasyDKIMTokens = nil
			id.BYODKIM = &BYODKIM{Selector: "s1", PublicKey: "not base64!"}
		}, "BYODKIM.PublicKey"},
		{"empty key", func(id *Identity) {
			id.EasyDKIMTokens = nil
			id.BYODKIM = &BYODKIM{Selector: "s1"}
		}, "BYODKIM.PublicKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := seedIdentity(t)
			tt.edit(&id)
			_, err := id.Plan()
			var ie *IdentityError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("err = %v, want IdentityError on %s", err, tt.field)
			}
			if !strings.HasPrefix(err.Error(), "ses: identity "+tt.field) {
				t.Errorf("message %q", err)
			}
		})
	}
	if _, err := (Identity{Domain: "example.org", Region: "nowhere-1"}).Plan(); err == nil {
		t.Error("unknown region: want error")
	}
}

func TestPlanWarnings(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Identity)
		want []string
	}{
		{"token format", func(id *Identity) { id.EasyDKIMTokens[0] = "EXAMPLEtoken" }, []string{FindingDKIMTokenFormat}},
		{"no DKIM, custom MAIL FROM", func(id *Identity) { id.EasyDKIMTokens = nil }, []string{FindingNoDKIM}},
		{"no DKIM, no MAIL FROM", func(id *Identity) { id.EasyDKIMTokens, id.MailFrom = nil, "" },
			[]string{FindingNoDKIM, FindingNoAlignment}},
		{"default DMARC with reports", func(id *Identity) { id.DMARC, id.DMARCReports = nil, "dmarc@example.org" },
			[]string{FindingDMARCDefault}},
		// Issue 11 item 17: the plan does not warn about its own
		// recommendation; the one default finding asks for a report address.
		{"default DMARC without reports", func(id *Identity) { id.DMARC = nil },
			[]string{FindingDMARCDefault}},
		{"given p=none without reports", func(id *Identity) { id.DMARC = mustDMARC(t, "v=DMARC1; p=none") },
			[]string{dmarc.FindingPNoneWithoutRUA}},
		{"aspf=s", func(id *Identity) {
			id.DMARC = mustDMARC(t, "v=DMARC1; p=reject; aspf=s; rua=mailto:d@example.org")
		}, []string{FindingStrictSPF}},
		{"weak BYODKIM key", func(id *Identity) {
			id.EasyDKIMTokens = nil
			id.BYODKIM = &BYODKIM{Selector: "sel1", PublicKey: testKey1024B64}
		}, []string{FindingBYODKIMKeyWeak}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := seedIdentity(t)
			tt.edit(&id)
			p, err := id.Plan()
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(p.Findings); !slices.Equal(got, tt.want) {
				t.Errorf("codes = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDefaultDMARC(t *testing.T) {
	id := seedIdentity(t)
	id.DMARC, id.DMARCReports = nil, "mailto:dmarc@example.org"
	p, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	last := p.Records[len(p.Records)-1]
	if last.Value != "v=DMARC1; p=none; rua=mailto:dmarc@example.org" || !p.DMARCRecommended {
		t.Errorf("default DMARC %q", last.Value)
	}
	id.SkipDMARC = true
	p, err = id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Records {
		if r.Purpose == PurposeDMARC {
			t.Error("SkipDMARC still plans DMARC")
		}
	}
}

func TestVerificationTokenAndBYODKIM(t *testing.T) {
	id := seedIdentity(t)
	id.EasyDKIMTokens = nil
	id.BYODKIM = &BYODKIM{Selector: "Sel1", PublicKey: testKeyPEM}
	id.VerificationToken = "pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU="
	id.TTL = 1800
	p, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	first, last := p.Records[0], p.Records[len(p.Records)-1]
	if first.Name != "sel1._domainkey.example.org" || first.Type != zone.TypeTXT || first.Value != "p="+testKeyB64 || first.TTL != 1800 {
		t.Errorf("BYODKIM record %+v", first)
	}
	if last.Name != "_amazonses.example.org" || last.Value != id.VerificationToken {
		t.Errorf("verification record %+v", last)
	}
	// A 2048-bit key is longer than one TXT string: BIND and Route 53 split it.
	if rr := first.RR(); len(rr.Text) < 2 {
		t.Errorf("key not split: %d strings", len(rr.Text))
	}
	batches, err := p.ChangeBatches("c")
	if err != nil {
		t.Fatal(err)
	}
	// FACTS §7.2: strings of at most 255 characters, each quoted, all in
	// the same Value.
	v := batches[0].Changes[0].ResourceRecordSet.ResourceRecords[0].Value
	parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(v, `"`), `"`), `" "`)
	if len(parts) < 2 || strings.Join(parts, "") != first.Value {
		t.Errorf("Route 53 value not split into quoted strings: %s", v)
	}
	for _, part := range parts {
		if len(part) > 255 {
			t.Errorf("Route 53 string of %d characters", len(part))
		}
	}
	// A whole key record is published as given.
	id.BYODKIM.PublicKey = "v=DKIM1; k=rsa; p=" + testKeyB64
	if p, err = id.Plan(); err != nil || p.Records[0].Value != "v=DKIM1; k=rsa; p="+testKeyB64 {
		t.Errorf("record form: %v", err)
	}
}

func TestSplitChanges(t *testing.T) {
	mk := func(values, size int) Change {
		set := zone.Route53RecordSet{Name: "x.example.", Type: "TXT"}
		for range values {
			set.ResourceRecords = append(set.ResourceRecords, zone.Route53ResourceRecord{Value: strings.Repeat("a", size)})
		}
		return Change{Action: "UPSERT", ResourceRecordSet: set}
	}
	// UPSERT counts double: 300 values use 600 of the 1000 elements.
	batches, err := SplitChanges("", []Change{mk(300, 1), mk(300, 1), mk(100, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 2 || len(batches[0].Changes) != 1 || len(batches[1].Changes) != 2 {
		t.Errorf("element split: %d batches", len(batches))
	}
	// 10 values of 1000 characters count 20000 of 32000.
	batches, err = SplitChanges("", []Change{mk(10, 1000), mk(10, 1000)})
	if err != nil || len(batches) != 2 {
		t.Errorf("character split: %d batches, %v", len(batches), err)
	}
	if _, err := SplitChanges("", []Change{mk(501, 1)}); !errors.Is(err, ErrChangeTooLarge) {
		t.Errorf("oversized change: %v", err)
	}
	if b, err := SplitChanges("", nil); err != nil || len(b) != 0 {
		t.Errorf("empty: %v %v", b, err)
	}
}

func TestEnumStrings(t *testing.T) {
	for p := Purpose(0); p <= PurposeVerification+1; p++ {
		if p.String() == "" {
			t.Error("empty purpose")
		}
	}
	for _, s := range []interface{ String() string }{SeverityInfo, SeverityWarning, SeverityError, Severity(7), StatusUnknown, StatusPresent,
		StatusMissing, StatusWrong, VerdictPassNeither, VerdictPassSPFOnly, VerdictPassDKIMOnly, VerdictPassBoth, MXFailureBehaviorUseDefaultValue, MXFailureBehaviorRejectMessage} {
		if s.String() == "" {
			t.Errorf("empty String for %#v", s)
		}
	}
	var sev Severity
	if err := sev.UnmarshalText([]byte("warning")); err != nil || sev != SeverityWarning || sev.UnmarshalText([]byte("fatal")) == nil {
		t.Errorf("UnmarshalText: %v %v", sev, err)
	}
	f := finding(FindingVerificationMissing, SeverityWarning, "_amazonses.example.org", "SES Developer Guide", "no token")
	if got := f.String(); got != "warning ses.verification-missing (_amazonses.example.org): no token [SES Developer Guide]" {
		t.Errorf("%q", got)
	}
}

func BenchmarkPlan(b *testing.B) {
	id := seedIdentity(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := id.Plan(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRegionOfHosts(t *testing.T) {
	for in, want := range map[string]string{
		"dkim.af-south-1.amazonses.com.": "af-south-1", "DKIM.eu-south-1.amazonses.com": "eu-south-1",
		"dkim.amazonses.com": "", "dkim.a.b.amazonses.com": "", "dkim.x.example.com": "",
	} {
		if got := RegionOfDKIMZone(in); got != want {
			t.Errorf("RegionOfDKIMZone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"feedback-smtp.us-east-1.amazonses.com.": "us-east-1", "feedback-smtp.amazonses.com": "",
		"inbound-smtp.us-east-1.amazonaws.com": "", "feedback-smtp..amazonses.com": "",
	} {
		if got := RegionOfFeedbackHost(in); got != want {
			t.Errorf("RegionOfFeedbackHost(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPlanDefaultDMARCWithoutReportsIsOneWarning: the recommended p=none
// without a report address is one warning that asks for the address.
func TestPlanDefaultDMARCWithoutReportsIsOneWarning(t *testing.T) {
	id := seedIdentity(t)
	id.DMARC = nil
	p, err := id.Plan()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Findings {
		if f.Code == FindingDMARCDefault && (f.Severity != SeverityWarning || !strings.Contains(f.Message, "report address")) {
			t.Errorf("finding %+v: want a warning asking for a report address", f)
		}
	}
}
