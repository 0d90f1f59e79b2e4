package bimi

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"testing"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/zone"
	"github.com/google/go-cmp/cmp"
)

// fakeFetcher serves documents from memory, honouring maxBytes as
// domainauth.HTTPFetcher does.
type fakeFetcher struct {
	docs  map[string]*domainauth.FetchResult
	calls []string
}

func (f *fakeFetcher) Fetch(_ context.Context, url string, maxBytes int64) (*domainauth.FetchResult, error) {
	f.calls = append(f.calls, url)
	d, ok := f.docs[url]
	if !ok {
		return nil, errors.New("connection refused")
	}
	r := *d
	if int64(len(r.Body)) > maxBytes {
		r.Body, r.Truncated = r.Body[:maxBytes], true
	}
	return &r, nil
}

func TestChecker(t *testing.T) {
	pki := newPKI(t, []asn1.ObjectIdentifier{OIDExtKeyUsageBIMI})
	vmc := pemOf(pki.leaf(t, leafOpts{}), pki.inter)
	svg := func(name string) *domainauth.FetchResult {
		return &domainauth.FetchResult{StatusCode: 200, ContentType: "image/svg+xml", Body: readLogo(t, name)}
	}
	tests := []struct {
		name    string
		zone    func(z *zone.Zone)
		docs    map[string]*domainauth.FetchResult
		domain  string
		want    []string
		fetches int
	}{
		{"all good", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL+"; a="+vmcURL)
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, map[string]*domainauth.FetchResult{logoURL: svg("valid.svg"), vmcURL: {StatusCode: 200, ContentType: "application/pem-certificate-chain", Body: vmc}},
			"example.com", nil, 2},
		{"fallback, p=none, bad logo, no evidence", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL)
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=none")
		}, map[string]*domainauth.FetchResult{logoURL: svg("script.svg")},
			"mail.example.com", []string{FindingDMARCNotEnforcing, FindingNoEvidence, FindingOrgFallback, FindingSVGScript}, 1},
		{"logo oversized, served as text/plain", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL+"; a="+vmcURL)
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, map[string]*domainauth.FetchResult{
			logoURL: {StatusCode: 200, ContentType: "text/plain", Body: readLogo(t, "oversized.svg")},
			vmcURL:  {StatusCode: 200, Body: vmc},
		}, "example.com", []string{FindingSVGTooLarge}, 2},
		{"content type", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL+"; a="+vmcURL)
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, map[string]*domainauth.FetchResult{
			logoURL: {StatusCode: 200, ContentType: "text/plain", Body: readLogo(t, "valid.svg")},
			vmcURL:  {StatusCode: 200, Body: vmc},
		}, "example.com", []string{FindingSVGContentType}, 2},
		{"redirect and refused", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL+"; a="+vmcURL)
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, map[string]*domainauth.FetchResult{logoURL: {StatusCode: 301, Location: "https://elsewhere.example/"}},
			"example.com", []string{FindingFetchFailed}, 2},
		{"TLS certificate not verified (§7.5 step 2)", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL+"; a="+vmcURL)
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, map[string]*domainauth.FetchResult{
			logoURL: {StatusCode: 200, ContentType: "image/svg+xml", Body: readLogo(t, "valid.svg"), PeerCertificates: []*x509.Certificate{pki.inter}},
			vmcURL:  {StatusCode: 200, Body: vmc, PeerCertificates: []*x509.Certificate{pki.inter}, VerifiedChains: [][]*x509.Certificate{{pki.inter, pki.root}}},
		}, "example.com", []string{FindingFetchFailed}, 2},
		{"l= logo is not the certificate's (§7.8)", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL+"; a="+vmcURL)
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, map[string]*domainauth.FetchResult{
			logoURL: {StatusCode: 200, ContentType: "image/svg+xml", Body: bytes.Replace(readLogo(t, "valid.svg"), []byte("#fff"), []byte("#eee"), 1)},
			vmcURL:  {StatusCode: 200, Body: vmc},
		}, "example.com", []string{FindingCertLogoMismatch}, 2},
		{"no l=: the certificate's logo is checked", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l=; a="+vmcURL)
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, map[string]*domainauth.FetchResult{vmcURL: {StatusCode: 200, Body: pemOf(pki.leaf(t, leafOpts{logo: readLogo(t, "script.svg")}), pki.inter)}},
			"example.com", []string{FindingNoLocation, FindingSVGScript}, 1},
		{"declined: no fetch, no DMARC findings", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l=; a=;")
		}, nil, "example.com", []string{FindingDeclined}, 0},
		{"none", func(z *zone.Zone) {}, nil, "example.com", []string{FindingRecordMissing}, 0},
		{"invalid record, DMARC still checked", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l=http://example.com/l.svg")
		}, nil, "example.com", []string{FindingDMARCMissing, FindingRecordInvalid}, 0},
		{"multiple", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l=")
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l=; a=")
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, nil, "example.com", []string{FindingRecordMultiple}, 0},
		{"temperror", func(z *zone.Zone) {
			z.SetFault("default._bimi.example.com", zone.TypeTXT, zone.FaultServFail)
		}, nil, "example.com", []string{FindingRecordTempError}, 0},
		{"dmarc temperror", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l=; a="+vmcURL)
			z.SetFault("_dmarc.example.com", zone.TypeTXT, zone.FaultServFail)
		}, map[string]*domainauth.FetchResult{vmcURL: {StatusCode: 200, Body: vmc}}, "example.com", []string{FindingDMARCTempError, FindingNoLocation}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			tt.zone(z)
			f := &fakeFetcher{docs: tt.docs}
			c := &Checker{Resolver: z, Fetcher: f, Clock: testClock, Roots: pki.roots}
			res := c.Check(context.Background(), tt.domain, "")
			if diff := cmp.Diff(tt.want, codes(res.Findings)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%v", diff, res.Findings)
			}
			if len(f.calls) != tt.fetches {
				t.Errorf("fetched %v, want %d fetches", f.calls, tt.fetches)
			}
		})
	}
}

// TestCheckerWithoutFetcher: the record and DMARC are checked, nothing is
// fetched.
func TestCheckerWithoutFetcher(t *testing.T) {
	z := zone.New()
	z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL+"; a="+vmcURL)
	z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
	res := (&Checker{Resolver: z}).Check(context.Background(), "example.com", "")
	if len(res.Findings) != 0 || res.Fetched || res.Discovery.Status != DiscoveryStatusFound {
		t.Errorf("%+v", res)
	}
}

// TestCheckerOffline: Logo and Evidence, read from files, are checked in
// place of the documents at l= and a=, which are not fetched; the logo is
// compared with the certificate's (draft -12 §7.8).
func TestCheckerOffline(t *testing.T) {
	pki := newPKI(t, []asn1.ObjectIdentifier{OIDExtKeyUsageBIMI})
	vmc := pemOf(pki.leaf(t, leafOpts{}), pki.inter)
	other := bytes.Replace(readLogo(t, "valid.svg"), []byte("#fff"), []byte("#eee"), 1)
	tests := []struct {
		name       string
		logo, cert []byte
		fetcher    bool
		want       []string
		checked    bool
	}{
		{"logo and certificate files", readLogo(t, "valid.svg"), vmc, false, nil, true},
		{"logo file only, no fetcher", readLogo(t, "script.svg"), nil, false, []string{FindingSVGScript}, true},
		{"logo file and the certificate fetched", other, nil, true, []string{FindingCertLogoMismatch}, true},
		{"oversized logo file", readLogo(t, "oversized.svg"), nil, false, []string{FindingSVGTooLarge}, true},
		{"certificate file only", nil, vmc, false, nil, false},
		{"a wrong certificate file", nil, pemOf(pki.leaf(t, leafOpts{wrongEKU: true}), pki.inter), false, []string{FindingCertEKU}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL+"; a="+vmcURL)
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
			c := &Checker{Resolver: z, Clock: testClock, Roots: pki.roots, Logo: tt.logo, Evidence: tt.cert}
			f := &fakeFetcher{docs: map[string]*domainauth.FetchResult{vmcURL: {StatusCode: 200, Body: vmc}}}
			if tt.fetcher {
				c.Fetcher = f
			}
			res := c.Check(context.Background(), "example.com", "")
			if diff := cmp.Diff(tt.want, codes(res.Findings)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%v", diff, res.Findings)
			}
			if res.LogoChecked != tt.checked || (tt.cert != nil) != (res.Certificate != nil && !tt.fetcher) {
				t.Errorf("logo checked %v (want %v), certificate %v", res.LogoChecked, tt.checked, res.Certificate)
			}
			for _, u := range f.calls {
				if u == logoURL && tt.logo != nil {
					t.Errorf("fetched %s although a logo file was given", u)
				}
			}
		})
	}
}

// TestFindingsCarryFix: the advice is in Fix, for every error of the record,
// DMARC, logo and certificate checks.
func TestFindingsCarryFix(t *testing.T) {
	for _, code := range []string{FindingRecordInvalid, FindingDMARCNotEnforcing, FindingDMARCTesting, FindingSVGScript, FindingSVGTitle, FindingCertEKU, FindingCertExpired, FindingCertLogoMismatch} {
		if f := finding(code, domainauth.SeverityError, "", "", "m"); f.Fix == "" {
			t.Errorf("%s: no Fix", code)
		}
	}
}
