package bimi_test

import (
	"context"
	"fmt"

	"github.com/domainauth/domainauth/bimi"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/zone"
)

func ExampleParseRecord() {
	r, err := bimi.ParseRecord("v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem; avp=personal")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Location)
	fmt.Println(r.Avatar())
	fmt.Println(r.String())

	d, _ := bimi.ParseRecord("v=BIMI1; l=; a=;")
	fmt.Println(d.IsDeclination())
	// Output:
	// https://example.com/logo.svg
	// personal
	// v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem; avp=personal
	// true
}

func ExampleLookup() {
	z := zone.New()
	z.AddTXT("default._bimi.example.com", "v=BIMI1; l=https://example.com/logo.svg")
	d := bimi.Lookup(context.Background(), z, "news.example.com", "", "")
	fmt.Println(d.Status, d.Domain, d.Selector, d.Fallback())
	// Output: found example.com default true
}

func ExampleCheckDMARC() {
	author, _ := dmarc.ParseRecord("v=DMARC1; p=reject; t=y")
	org, _ := dmarc.ParseRecord("v=DMARC1; p=quarantine; sp=none")
	for _, f := range bimi.CheckDMARC(bimi.DMARCPolicies{
		AuthorDomain: "mail.example.com", OrgDomain: "example.com",
		Author: author, Org: org,
	}) {
		fmt.Println(f.Severity, f.Code, f.Where)
	}
	// Output:
	// error bimi.dmarc-testing _dmarc.mail.example.com
	// error bimi.dmarc-sp-none _dmarc.example.com
}

func ExampleCheckSVG() {
	logo := []byte(`<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 200 100">
<rect width="200" height="100" fill="#036"/><script>alert(1)</script></svg>`)
	for _, f := range bimi.CheckSVG(logo, nil) {
		fmt.Println(f.Code)
	}
	// Output:
	// bimi.svg-not-square
	// bimi.svg-script
	// bimi.svg-title
}

func ExampleChecker_Check() {
	z := zone.New()
	z.AddTXT("default._bimi.example.com", "v=BIMI1; l=https://example.com/logo.svg")
	z.AddTXT("_dmarc.example.com", "v=DMARC1; p=none")
	// Without a Fetcher, the logo and certificate are not fetched.
	c := &bimi.Checker{Resolver: z}
	for _, f := range c.Check(context.Background(), "example.com", "").Findings {
		fmt.Println(f.Code)
	}
	// Output:
	// bimi.no-evidence
	// bimi.dmarc-not-enforcing
}

func ExampleCheckCertificate() {
	// An offline check of an evidence document read from a file; here one
	// that is not PEM at all.
	res := bimi.CheckCertificate([]byte("not a certificate"), &bimi.CertOptions{Domain: "example.com"})
	for _, f := range res.Findings {
		fmt.Println(f.Code)
	}
	// Output: bimi.cert-malformed
}
