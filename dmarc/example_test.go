package dmarc_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/zone"
)

func ExampleParseRecord() {
	r, err := dmarc.ParseRecord("v=DMARC1; p=quarantine; rua=mailto:reports@example.org!10m; adkim=s")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Policy, r.DKIMMode(), r.SPFMode(), r.AggregateURIs[0].Address)
	fmt.Println(r.String())
	// Output:
	// quarantine s r mailto:reports@example.org
	// v=DMARC1; p=quarantine; adkim=s; rua=mailto:reports@example.org!10m
}

func ExampleRecord_String() {
	r := &dmarc.Record{
		Policy:          dmarc.PolicyReject,
		SubdomainPolicy: dmarc.PolicyQuarantine,
		AggregateURIs:   []dmarc.URI{{Address: "mailto:dmarc@example.org"}},
	}
	fmt.Println(r)
	// Output: v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@example.org
}

func ExampleLookup() {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
	d := dmarc.Lookup(context.Background(), z, "news.example.org")
	fmt.Println(d.Status, d.PolicyDomain, d.Source)
	fmt.Println(d.Queried)
	// Output:
	// found example.org organizational
	// [_dmarc.news.example.org _dmarc.example.org _dmarc.org]
}

func ExampleChecker_Evaluate() {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.org")
	c := &dmarc.Checker{Resolver: z}
	res := c.Evaluate(context.Background(), dmarc.Input{
		FromDomain: "example.org",
		// Amazon SES with its default MAIL FROM: SPF passes for a domain
		// that does not align ...
		SPF: dmarc.Identifier{Domain: "eu-west-1.amazonses.com", Result: dmarc.AuthResultPass},
		// ... and Easy DKIM signs with the From domain, which does.
		DKIM: []dmarc.Identifier{
			{Domain: "example.org", Result: dmarc.AuthResultPass},
			{Domain: "amazonses.com", Result: dmarc.AuthResultPass},
		},
	})
	fmt.Println(res.Code, "spf aligned:", res.SPFAligned, "dkim aligned:", res.DKIMAligned)
	fmt.Println("Authentication-Results: mx.example.net; " + res.AuthResult().String())
	// Output:
	// pass spf aligned: false dkim aligned: true
	// Authentication-Results: mx.example.net; dmarc=pass (p=quarantine dis=none) header.from=example.org policy.dmarc=quarantine
}

func ExampleAuthorDomains() {
	header := "From: Jürgen <j@bücher.example>\r\nSubject: hello\r\n\r\n"
	domains, err := dmarc.AuthorDomains(header, dmarc.AuthorChoiceSingle)
	fmt.Println(domains, err)
	_, err = dmarc.AuthorDomains("From: a@example.org, b@example.net\r\n", dmarc.AuthorChoiceSingle)
	fmt.Println(err)
	// Output:
	// [xn--bcher-kva.example] <nil>
	// dmarc: RFC5322.From has more than one domain: example.org, example.net
}

func ExampleChecker_EvaluateHeader() {
	z := zone.New()
	z.AddTXT("_dmarc.bank.example", "v=DMARC1; p=reject")
	z.AddTXT("_dmarc.attacker.example", "v=DMARC1; p=none")
	c := &dmarc.Checker{Resolver: z}
	in := dmarc.Input{DKIM: []dmarc.Identifier{{Domain: "attacker.example", Result: dmarc.AuthResultPass}}}
	for _, from := range []string{"x@attacker.example", "cfo@bank.example\x00x@attacker.example"} {
		res := c.EvaluateHeader(context.Background(), "From: "+from+"\r\nSubject: wire\r\n\r\n", in)
		var fe *dmarc.FromError
		fmt.Printf("%s author=%q malformed-from=%v\n", res.Code, res.AuthorDomain, errors.As(res.Err, &fe))
	}
	// Output:
	// pass author="attacker.example" malformed-from=false
	// permerror author="" malformed-from=true
}

func ExampleLintText() {
	for _, f := range dmarc.LintText("v=DMARC1; p=none; pct=50", dmarc.ModeRFC9989) {
		fmt.Println(f.Code)
	}
	// Output:
	// dmarc.p-none-without-rua
	// dmarc.pct-below-100
	// dmarc.obsolete-tag
}

func ExampleChecker_CheckDestinations() {
	z := zone.New()
	z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
	z.AddTXT("*._report._dmarc.reports.example.net", "v=DMARC1")
	rec, _ := dmarc.ParseRecord("v=DMARC1; p=reject; rua=mailto:d@example.com,mailto:d@reports.example.net,mailto:d@victim.example")
	c := &dmarc.Checker{Resolver: z}
	for _, d := range c.CheckDestinations(context.Background(), "example.com", rec.AggregateURIs, dmarc.ReportKindAggregate) {
		fmt.Println(d.Host, d.Status)
	}
	// Output:
	// example.com internal
	// reports.example.net authorized
	// victim.example unauthorized
}
