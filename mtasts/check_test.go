package mtasts

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/zone"
)

func TestCheckerCheck(t *testing.T) {
	const name = "_mta-sts.example.com"
	const url = "https://mta-sts.example.com/.well-known/mta-sts.txt"
	tests := []struct {
		name    string
		records []string
		body    string
		fault   bool
		want    []codeSev
	}{
		{"complete", []string{"v=STSv1; id=1;"}, "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.mail.example.net\nmax_age: 604800\n", false, nil},
		{"no record", nil, "", false, []codeSev{{FindingNoRecord, domainauth.SeverityInfo, name}}},
		{"§3.1 several records", []string{"v=STSv1; id=1;", "v=STSv1; id=2;"}, "", false, []codeSev{{FindingMultipleRecords, domainauth.SeverityError, name}}},
		{"§3.1 invalid record", []string{"v=STSv1; id=2024-01-01;"}, "", false, []codeSev{{FindingInvalidRecord, domainauth.SeverityError, name}}},
		{"lookup failure", nil, "", true, []codeSev{{FindingLookupFailed, domainauth.SeverityWarning, name}}},
		{"§3.3 no policy served", []string{"v=STSv1; id=1;"}, "", false, []codeSev{{FindingFetchFailed, domainauth.SeverityError, url}}},
		{"§3.2 invalid policy", []string{"v=STSv1; id=1;"}, "version: STSv1\nmode: enforce\n", false, []codeSev{{FindingInvalidPolicy, domainauth.SeverityError, url}}},
		{"§4.1 MX not covered", []string{"v=STSv1; id=1; x=y; id=2"}, "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 604800\n", false,
			[]codeSev{{FindingDuplicateField, domainauth.SeverityWarning, name}, {FindingUnknownField, domainauth.SeverityInfo, name}, {FindingMXNotCovered, domainauth.SeverityError, "mx2.mail.example.net"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			z.AddMX("example.com", 10, "mx1.example.com")
			z.AddMX("example.com", 20, "mx2.mail.example.net")
			for _, r := range tt.records {
				z.AddTXT(name, r)
			}
			if tt.fault {
				z.SetFault(name, zone.TypeTXT, zone.FaultTimeout)
			}
			f := newFakeFetcher()
			if tt.body != "" {
				f.set("example.com", tt.body, nil)
			}
			c := &Checker{Resolver: z, Fetcher: f}
			rep := c.Check(context.Background(), "example.com")
			if got := codes(rep.Findings); !slices.Equal(got, tt.want) {
				t.Errorf("findings %v, want %v\n%v", got, tt.want, rep.Findings)
			}
			for _, fd := range rep.Findings {
				if fd.Message == "" || fd.RFC == "" {
					t.Errorf("finding without message or RFC: %+v", fd)
				}
			}
		})
	}
}

func TestCheckerInvalidDomain(t *testing.T) {
	rep := (&Checker{Resolver: zone.New(), Fetcher: newFakeFetcher()}).Check(context.Background(), "a..b")
	want := []codeSev{{FindingInvalidDomain, domainauth.SeverityError, "a..b"}}
	if got := codes(rep.Findings); !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}

// TestCheckerOffline checks a policy read from a file: the certificate is
// reported unknown, never valid.
func TestCheckerOffline(t *testing.T) {
	z := zone.New()
	z.AddMX("example.com", 10, "mx.example.com")
	z.AddTXT("_mta-sts.example.com", "v=STSv1; id=1;")
	c := &Checker{Resolver: z, Fetcher: StaticFetcher{Body: []byte(policyA)}, Fetch: FetchOptions{AcceptUnverified: true}}
	rep := c.Check(context.Background(), "example.com")
	want := []codeSev{{FindingCertificateUnknown, domainauth.SeverityInfo, "mta-sts.example.com"}}
	if got := codes(rep.Findings); !slices.Equal(got, want) || rep.Policy == nil || rep.Fetched.Certificate != CertStatusUnknown {
		t.Errorf("findings %v, policy %v; want %v", got, rep.Policy, want)
	}
	c.Fetch.AcceptUnverified = false
	rep = c.Check(context.Background(), "example.com")
	want = []codeSev{{FindingCertificateUnknown, domainauth.SeverityWarning, "https://mta-sts.example.com/.well-known/mta-sts.txt"}}
	if got := codes(rep.Findings); !slices.Equal(got, want) {
		t.Errorf("without AcceptUnverified: findings %v, want %v", got, want)
	}
}

func TestSuggest(t *testing.T) {
	clock := domainauth.FixedClock(time.Date(2026, 12, 3, 10, 4, 5, 0, time.FixedZone("x", 3600)))
	p, err := Suggest("Example.COM.", []string{"mx1.example.com.", "MX1.example.com", "mx2.example.net."}, ModeEnforce, clock)
	if err != nil {
		t.Fatal(err)
	}
	if p.RecordName != "_mta-sts.example.com" || p.PolicyURL != "https://mta-sts.example.com/.well-known/mta-sts.txt" || p.PolicyHost != "mta-sts.example.com" {
		t.Errorf("names: %+v", p)
	}
	if got, want := p.Record.String(), "v=STSv1; id=20261203090405Z;"; got != want {
		t.Errorf("record %q, want %q", got, want)
	}
	want := "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: mx2.example.net\r\nmax_age: 1209600\r\n"
	if got := p.Policy.String(); got != want {
		t.Errorf("policy %q, want %q", got, want)
	}
	// What Suggest gives parses, and covers every MX with no finding.
	if _, err := ParseRecord(p.Record.String()); err != nil {
		t.Error(err)
	}
	pol, err := ParsePolicy(p.Policy.String())
	if err != nil {
		t.Fatal(err)
	}
	if fs := CheckMX(pol, []string{"mx1.example.com.", "mx2.example.net."}); len(fs) != 0 {
		t.Errorf("findings on the suggestion: %v", fs)
	}

	for _, tt := range []struct {
		name string
		mx   []string
		mode Mode
		ok   bool
	}{
		{"null MX in enforce", []string{"."}, ModeEnforce, false},
		{"no MX in testing", nil, ModeTesting, false},
		{"no MX in none", nil, ModeNone, true},
		{"U-label MX becomes an A-label", []string{"mx.bücher.example"}, ModeTesting, true},
		{"invalid MX", []string{"mx_1.example"}, ModeTesting, false},
		{"unknown mode", []string{"mx.example"}, Mode(9), false},
	} {
		p, err := Suggest("example.com", tt.mx, tt.mode, clock)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %+v, %v", tt.name, p, err)
			continue
		}
		if err == nil {
			if _, err := ParsePolicy(p.Policy.String()); err != nil {
				t.Errorf("%s: suggested policy does not parse: %v", tt.name, err)
			}
		}
	}
}

func TestLookupRecordJoinsStrings(t *testing.T) {
	// §3.1: strings of one record are concatenated without spaces.
	z := zone.New()
	z.AddTXTStrings("_mta-sts.example.com", "v=STSv1; id=2016", "0831085700Z;")
	r, err := LookupRecord(context.Background(), z, "example.com")
	if err != nil || r.ID != "20160831085700Z" {
		t.Fatalf("LookupRecord = %+v, %v", r, err)
	}
	// §3.1: a CNAME is followed (policy delegation, §8.2).
	z.AddCNAME("_mta-sts.user.example", "_mta-sts.example.com")
	r, err = LookupRecord(context.Background(), z, "user.example")
	if err != nil || r.ID != "20160831085700Z" {
		t.Fatalf("through a CNAME: %+v, %v", r, err)
	}
}

func TestCheckerNullMX(t *testing.T) {
	z := zone.New()
	z.AddMX("example.com", 0, ".")
	z.AddTXT("_mta-sts.example.com", "v=STSv1; id=1;")
	f := newFakeFetcher()
	f.set("example.com", policyB, nil)
	rep := (&Checker{Resolver: z, Fetcher: f}).Check(context.Background(), "example.com")
	want := []codeSev{{FindingNullMX, domainauth.SeverityWarning, ".well-known/mta-sts.txt"}, {FindingModeTesting, domainauth.SeverityInfo, ".well-known/mta-sts.txt"}}
	if got := codes(rep.Findings); !slices.Equal(got, want) || !slices.Equal(rep.MX, []string{"."}) {
		t.Errorf("findings %v, MX %q; want %v", got, rep.MX, want)
	}
}

// TestFindingsCarryFix guards the move of the advice from the end of the
// Message into Finding.Fix: every Error and Warning of Check and CheckMX
// says what to do in Fix, and no Message still carries a "fix:".
func TestFindingsCarryFix(t *testing.T) {
	z := zone.New()
	z.AddMX("example.com", 10, "mx1.example.com")
	z.AddMX("example.com", 20, "mx2.example.com")
	z.AddTXT("_mta-sts.example.com", "v=STSv1; id=1; id=2")
	body := "version: STSv1\nmode: enforce\nmode: testing\nmx: mx1.example.com\nmx: old.example.com\nmax_age: 600\n"
	c := &Checker{Resolver: z, Fetcher: StaticFetcher{Body: []byte(body)}, Fetch: FetchOptions{AcceptUnverified: true}}
	rep := c.Check(context.Background(), "example.com")
	var fs []domainauth.Finding
	fs = append(fs, rep.Findings...)
	for _, rec := range [][]string{nil, {"v=STSv1; id=1;", "v=STSv1; id=2;"}, {"v=STSv1; id=a-b;"}} {
		z := zone.New()
		for _, r := range rec {
			z.AddTXT("_mta-sts.example.com", r)
		}
		fs = append(fs, (&Checker{Resolver: z, Fetcher: newFakeFetcher()}).Check(context.Background(), "example.com").Findings...)
	}
	if len(fs) < 8 {
		t.Fatalf("only %d findings: %v", len(fs), fs)
	}
	for _, f := range fs {
		if strings.Contains(f.Message, "fix:") {
			t.Errorf("%s: Message still carries the fix: %q", f.Code, f.Message)
		}
		if f.Severity > domainauth.SeverityInfo && f.Fix == "" && f.Code != FindingLookupFailed {
			t.Errorf("%s (%s): no Fix", f.Code, f.Severity)
		}
	}
}

// TestCheckerWithoutFetcher: without a Fetcher only the record is checked;
// the policy is left unknown (nil), not reported fine.
func TestCheckerWithoutFetcher(t *testing.T) {
	z := zone.New()
	z.AddMX("example.com", 10, "mx.example.com")
	z.AddTXT("_mta-sts.example.com", "v=STSv1; id=1;")
	rep := (&Checker{Resolver: z}).Check(context.Background(), "example.com")
	if rep.Record == nil || rep.Fetched != nil || rep.Policy != nil || len(rep.Findings) != 0 {
		t.Errorf("record %v, fetched %v, policy %v, findings %v; want the record alone", rep.Record, rep.Fetched, rep.Policy, rep.Findings)
	}
}
