package mtasts_test

import (
	"context"
	"fmt"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/mtasts"
	"github.com/domainauth/domainauth/zone"
)

func ExampleParsePolicy() {
	p, err := mtasts.ParsePolicy("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Mode, p.MX, p.MaxAgeDuration())
	for _, host := range []string{"mail.example.com.", "mx1.example.net.", "a.b.example.net."} {
		_, ok := p.Matches(host)
		fmt.Println(host, ok)
	}
	// Output:
	// enforce [mail.example.com *.example.net] 168h0m0s
	// mail.example.com. true
	// mx1.example.net. true
	// a.b.example.net. false
}

func ExampleParseRecord() {
	r, err := mtasts.ParseRecord("v=STSv1; id=20160831085700Z;")
	fmt.Println(r.ID, err)
	_, err = mtasts.ParseRecord("v=STSv1; id=2016-08-31;")
	fmt.Println(err)
	// Output:
	// 20160831085700Z <nil>
	// mtasts: record field "id" at offset 12: character '-' in id: only letters and digits are allowed
}

// A sending MTA asks the Client for the policy in force before delivering.
// Here the policy comes from a policy file served by StaticFetcher wrapped
// in a fetcher that vouches for the certificate; a real sender passes
// domainauth.HTTPFetcher around an *http.Client with the system roots.
func ExampleClient() {
	z := zone.New()
	z.AddTXT("_mta-sts.example.com", "v=STSv1; id=20260101T000000;")
	policy := "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800\n"
	c := &mtasts.Client{
		Resolver: z,
		Fetcher:  verified{mtasts.StaticFetcher{Body: []byte(policy)}},
		Clock:    domainauth.FixedClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
	}
	ctx := context.Background()
	for range 2 {
		r := c.Get(ctx, "example.com")
		_, ok := r.Policy.Matches("mx.example.com.")
		fmt.Println(r.Source, r.Enforced(), ok, r.Expires.Format(time.DateOnly))
	}
	// Output:
	// fetched true true 2026-01-08
	// cache true true 2026-01-08
}

func ExampleSuggest() {
	clock := domainauth.FixedClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	p, err := mtasts.Suggest("example.com", []string{"mx1.example.com.", "mx2.example.com."}, mtasts.ModeTesting, clock)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s TXT %q\n", p.RecordName, p.Record)
	fmt.Println(p.PolicyURL)
	fmt.Printf("%q\n", p.Policy) // served as text/plain, lines ended by CRLF
	// Output:
	// _mta-sts.example.com TXT "v=STSv1; id=20260301120000Z;"
	// https://mta-sts.example.com/.well-known/mta-sts.txt
	// "version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 86400\r\n"
}
