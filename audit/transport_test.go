package audit_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/internal/tlstest"
	"github.com/domainauth/domainauth/mtasts"
	"github.com/domainauth/domainauth/zone"
)

const (
	enforcePolicy = "version: STSv1\nmode: enforce\nmx: mx1.example.org\nmax_age: 1209600\n"
	testingPolicy = "version: STSv1\nmode: testing\nmx: mx1.example.org\nmx: mx2.example.org\nmax_age: 86400\n"
)

// transportZone is example.org with two MX hosts, SPF and an enforcing
// DMARC record; add puts the records a case is about.
func transportZone(add func(z *zone.Zone)) *zone.Zone {
	z := zone.New()
	z.AddMX("example.org", 10, "mx1.example.org")
	z.AddMX("example.org", 20, "mx2.example.org")
	z.AddA("mx1.example.org", "192.0.2.1")
	z.AddA("mx2.example.org", "192.0.2.2")
	z.AddTXT("example.org", "v=spf1 mx -all")
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject; rua=mailto:d@example.org")
	add(z)
	return z
}

// areaCodes returns the codes of the area's findings with their severity,
// "code/severity", in report order.
func areaCodes(ar *audit.Area) []string {
	var out []string
	for _, f := range ar.Findings {
		out = append(out, f.Code+"/"+f.Severity.String())
	}
	return out
}

func TestTransportAreas(t *testing.T) {
	logo, err := os.ReadFile("../examples/zones/secure.example.logo.svg")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		add    func(z *zone.Zone)
		policy string
		logo   []byte
		area   string
		status audit.Status
		codes  []string
		fact   string // a fact line of the area contains it
	}{
		{"no MTA-STS record: optional", func(z *zone.Zone) {}, "", nil,
			audit.AreaMTASTS, audit.StatusOK, []string{"mtasts.no-record/info"}, "no record"},
		{"no MTA-STS record: a policy file is not used", func(z *zone.Zone) {}, enforcePolicy, nil,
			audit.AreaMTASTS, audit.StatusOK, []string{"mtasts.no-record/info"}, "policy file was not checked"},
		{"record, no policy file, no fetcher: unknown, not ok", func(z *zone.Zone) {
			z.AddTXT("_mta-sts.example.org", "v=STSv1; id=1;")
		}, "", nil, audit.AreaMTASTS, audit.StatusUnknown, nil, "policy not checked"},
		{"RFC 8461 §4.1: an MX the enforce policy does not cover", func(z *zone.Zone) {
			z.AddTXT("_mta-sts.example.org", "v=STSv1; id=1;")
			z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:tls@example.org")
		}, enforcePolicy, nil, audit.AreaMTASTS, audit.StatusError,
			[]string{"mtasts.mx-not-covered/error", "mtasts.certificate-unknown/info"}, "mode enforce"},
		{"testing policy covering every MX", func(z *zone.Zone) {
			z.AddTXT("_mta-sts.example.org", "v=STSv1; id=1;")
			z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:tls@example.org")
		}, testingPolicy, nil, audit.AreaMTASTS, audit.StatusOK,
			[]string{"mtasts.certificate-unknown/info", "mtasts.mode-testing/info"}, "mx1.example.org, mx2.example.org"},
		{"invalid MTA-STS record", func(z *zone.Zone) {
			z.AddTXT("_mta-sts.example.org", "v=STSv1; id=2026-12-01;")
		}, enforcePolicy, nil, audit.AreaMTASTS, audit.StatusError, []string{"mtasts.invalid-record/error"}, ""},

		{"no TLSRPT record, no policy: info", func(z *zone.Zone) {}, "", nil,
			audit.AreaTLSRPT, audit.StatusOK, []string{"tlsrpt.no-record/info"}, "no record"},
		{"no TLSRPT record next to an enforce policy: warning", func(z *zone.Zone) {
			z.AddTXT("_mta-sts.example.org", "v=STSv1; id=1;")
		}, strings.Replace(enforcePolicy, "mx: mx1.example.org\n", "mx: *.example.org\n", 1), nil,
			audit.AreaTLSRPT, audit.StatusWarning, []string{"tlsrpt.no-record/warning"}, ""},
		{"no TLSRPT record next to an unchecked policy: info", func(z *zone.Zone) {
			z.AddTXT("_mta-sts.example.org", "v=STSv1; id=1;")
		}, "", nil, audit.AreaTLSRPT, audit.StatusOK, []string{"tlsrpt.no-record/info"}, ""},
		{"RFC 8460 §3: rua without a scheme", func(z *zone.Zone) {
			z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua=tls@example.org")
		}, "", nil, audit.AreaTLSRPT, audit.StatusError, []string{"tlsrpt.invalid-record/error"}, ""},
		{"RFC 8460 §3: two records", func(z *zone.Zone) {
			z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:a@example.org")
			z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:b@example.org")
		}, "", nil, audit.AreaTLSRPT, audit.StatusError, []string{"tlsrpt.multiple-records/error"}, ""},
		{"rua with no scheme reports can go to", func(z *zone.Zone) {
			z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua=ftp://example.org/r")
		}, "", nil, audit.AreaTLSRPT, audit.StatusError, []string{"tlsrpt.no-destination/error"}, ""},
		{"TLSRPT record", func(z *zone.Zone) {
			z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:tls@example.org,https://r.example.org/tls")
		}, "", nil, audit.AreaTLSRPT, audit.StatusOK, nil, `"v=TLSRPTv1; rua=mailto:tls@example.org,https://r.example.org/tls"`},

		{"no BIMI record", func(z *zone.Zone) {}, "", nil,
			audit.AreaBIMI, audit.StatusOK, []string{"bimi.record-missing/info"}, "no record"},
		{"BIMI record, logo not fetched: unknown", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.org", "v=BIMI1; l=https://example.org/logo.svg")
		}, "", nil, audit.AreaBIMI, audit.StatusUnknown, []string{"bimi.no-evidence/info"}, "logo not checked"},
		{"BIMI logo from a file", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.org", "v=BIMI1; l=https://example.org/logo.svg")
		}, "", logo, audit.AreaBIMI, audit.StatusOK, []string{"bimi.no-evidence/info"}, "checked from the logo file"},
		{"BIMI mark certificate not fetched: unknown", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.org", "v=BIMI1; l=https://example.org/logo.svg; a=https://example.org/vmc.pem")
		}, "", logo, audit.AreaBIMI, audit.StatusUnknown, nil,
			"mark certificate not checked: it is served over HTTPS, and this check reads records from files; give it with --bimi-cert FILE, or check on live DNS"},
		{"BIMI logo file that breaks the profile", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.org", "v=BIMI1; l=https://example.org/logo.svg")
		}, "", []byte(strings.Replace(string(logo), `baseProfile="tiny-ps"`, `baseProfile="tiny"`, 1)), audit.AreaBIMI, audit.StatusError,
			[]string{"bimi.svg-base-profile/error", "bimi.no-evidence/info"}, ""},
		{"BIMI record while DMARC does not enforce", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.org", "v=BIMI1; l=https://example.org/logo.svg")
			z.AddTXT("_dmarc.sub.example.org", "v=DMARC1; p=none")
			z.AddMX("sub.example.org", 10, "mx1.example.org")
		}, "", nil, audit.AreaBIMI, audit.StatusError, nil, "DMARC does not meet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := transportZone(tt.add)
			domain := "example.org"
			if strings.Contains(tt.name, "DMARC does not enforce") {
				domain = "sub.example.org"
				tt.codes = []string{"bimi.dmarc-not-enforcing/error", "bimi.org-fallback/info", "bimi.no-evidence/info"}
			}
			a := &audit.Auditor{Resolver: z, Zone: z, TrustNotFound: true, BIMILogo: tt.logo}
			if tt.policy != "" {
				a.MTASTSPolicy = []byte(tt.policy)
			}
			rep, err := a.Audit(context.Background(), domain)
			if err != nil {
				t.Fatal(err)
			}
			ar := rep.Area(tt.area)
			if ar == nil {
				t.Fatalf("no %s area in %v", tt.area, rep.Areas)
			}
			if got := areaCodes(ar); !slices.Equal(got, tt.codes) {
				t.Errorf("findings %v, want %v\n%v", got, tt.codes, ar.Findings)
			}
			if ar.Status != tt.status {
				t.Errorf("status %s, want %s (facts %q)", ar.Status, tt.status, ar.Facts)
			}
			if tt.fact != "" && !slices.ContainsFunc(ar.Facts, func(f string) bool { return strings.Contains(f, tt.fact) }) {
				t.Errorf("facts %q, want one with %q", ar.Facts, tt.fact)
			}
			for _, f := range ar.Findings {
				if f.Severity > domainauth.SeverityInfo && f.Fix == "" {
					t.Errorf("%s: no Fix", f.Code)
				}
				if strings.Contains(f.Message, "fix:") {
					t.Errorf("%s: the fix is in the message: %q", f.Code, f.Message)
				}
			}
		})
	}
}

// TestTransportNullMX: a domain that receives no mail is not told to
// publish MTA-STS or TLS-RPT.
func TestTransportNullMX(t *testing.T) {
	z := zone.New()
	z.AddMX("example.org", 0, ".")
	a := &audit.Auditor{Resolver: z, Zone: z, TrustNotFound: true}
	rep, err := a.Audit(context.Background(), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{audit.AreaMTASTS, audit.AreaTLSRPT} {
		if ar := rep.Area(name); ar == nil || len(ar.Findings) != 0 {
			t.Errorf("%s: %+v, want the area with no finding", name, ar)
		}
	}
}

// TestTransportLiveFetch fetches the MTA-STS policy and the BIMI logo over
// HTTPS from a loopback server (reached through an injected dialer, never
// at the names' addresses), as the command does on live DNS.
func TestTransportLiveFetch(t *testing.T) {
	logo, err := os.ReadFile("../examples/zones/secure.example.logo.svg")
	if err != nil {
		t.Fatal(err)
	}
	const policyPath = "mta-sts.example.org/.well-known/mta-sts.txt"
	tests := []struct {
		name     string
		hosts    []string // the names the server's certificate is for
		files    tlstest.Files
		mtaSTS   audit.Status
		stsCodes []string
		bimi     audit.Status
		fact     string
	}{
		{"valid policy and logo", []string{"mta-sts.example.org", "example.org"}, tlstest.Files{
			policyPath:             {"text/plain; charset=utf-8", testingPolicy},
			"example.org/logo.svg": {"image/svg+xml", string(logo)},
		}, audit.StatusOK, []string{"mtasts.mode-testing/info"}, audit.StatusOK, "certificate valid"},
		// The client's TLS layer refuses the name before mtasts sees the
		// chain: the fetch fails, naming the certificate.
		{"RFC 8461 §3.3: certificate for another name", []string{"www.example.org", "example.org"}, tlstest.Files{
			policyPath:             {"text/plain", testingPolicy},
			"example.org/logo.svg": {"image/svg+xml", string(logo)},
		}, audit.StatusError, []string{"mtasts.fetch-failed/error"}, audit.StatusOK, ""},
		{"RFC 8461 §3.3: redirect not followed", []string{"mta-sts.example.org", "example.org"}, tlstest.Files{
			policyPath:             {"redirect", "https://example.org/policy.txt"},
			"example.org/logo.svg": {"image/svg+xml", string(logo)},
		}, audit.StatusError, []string{"mtasts.redirect/error"}, audit.StatusOK, ""},
		{"RFC 8461 §3.2: wrong content type; logo missing", []string{"mta-sts.example.org", "example.org"}, tlstest.Files{
			policyPath: {"text/html", testingPolicy},
		}, audit.StatusError, []string{"mtasts.content-type/error"}, audit.StatusError, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := transportZone(func(z *zone.Zone) {
				z.AddTXT("_mta-sts.example.org", "v=STSv1; id=1;")
				z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:tls@example.org")
				z.AddTXT("default._bimi.example.org", "v=BIMI1; l=https://example.org/logo.svg")
			})
			a := &audit.Auditor{Resolver: z, Zone: z, TrustNotFound: true,
				Fetcher: domainauth.HTTPFetcher(tlstest.Start(t, tt.files, tt.hosts...).Client())}
			rep, err := a.Audit(context.Background(), "example.org")
			if err != nil {
				t.Fatal(err)
			}
			sts := rep.Area(audit.AreaMTASTS)
			if got := areaCodes(sts); sts.Status != tt.mtaSTS || !slices.Equal(got, tt.stsCodes) {
				t.Errorf("MTA-STS: %s %v, want %s %v\n%q", sts.Status, got, tt.mtaSTS, tt.stsCodes, sts.Facts)
			}
			if strings.Contains(tt.name, "another name") && !strings.Contains(sts.Findings[0].Message, "certificate") {
				t.Errorf("the finding does not name the certificate: %s", sts.Findings[0].Message)
			}
			if tt.fact != "" && !slices.ContainsFunc(sts.Facts, func(f string) bool { return strings.Contains(f, tt.fact) }) {
				t.Errorf("MTA-STS facts %q, want one with %q", sts.Facts, tt.fact)
			}
			if b := rep.Area(audit.AreaBIMI); b.Status != tt.bimi {
				t.Errorf("BIMI: %s, want %s\n%v\n%q", b.Status, tt.bimi, b.Findings, b.Facts)
			}
			if tt.mtaSTS == audit.StatusOK && (rep.MTASTS.Fetched == nil || rep.MTASTS.Fetched.Certificate != mtasts.CertStatusValid) {
				t.Errorf("fetched %+v, want a valid certificate", rep.MTASTS.Fetched)
			}
			if tt.bimi == audit.StatusOK && !rep.BIMI.LogoChecked {
				t.Error("the logo was not checked")
			}
		})
	}
}

// TestTransportDNSFailures: a failed lookup in the new areas makes the
// report incomplete (Report.DNSFailures), as in the others, so check exits
// 2 rather than 0.
func TestTransportDNSFailures(t *testing.T) {
	for _, name := range []string{"_mta-sts.example.org", "_smtp._tls.example.org", "default._bimi.example.org"} {
		t.Run(name, func(t *testing.T) {
			z := transportZone(func(z *zone.Zone) { z.SetFault(name, zone.TypeTXT, zone.FaultServFail) })
			rep, err := (&audit.Auditor{Resolver: z, Zone: z, TrustNotFound: true}).Audit(context.Background(), "example.org")
			if err != nil {
				t.Fatal(err)
			}
			if n := rep.DNSFailures(); n != 1 {
				t.Errorf("DNSFailures = %d, want 1\n%v", n, rep.Findings())
			}
		})
	}
}
