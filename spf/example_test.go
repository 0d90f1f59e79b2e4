package spf_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

func ExampleChecker_Check() {
	z := zone.New()
	z.AddTXT("example.org", "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all exp=why.example.org")
	z.AddTXT("_spf.example.net", "v=spf1 ip6:2001:db8::/32 -all")
	z.AddTXT("why.example.org", "%{i} may not send mail for %{d}")
	c := &spf.Checker{Resolver: z}
	for _, ip := range []string{"192.0.2.10", "2001:db8::25", "203.0.113.7"} {
		r := c.Check(context.Background(), spf.Input{
			IP:       netip.MustParseAddr(ip),
			MailFrom: "alice@example.org",
			HELO:     "mail.example.org",
		})
		fmt.Printf("%s %v %v lookups=%d %q\n", ip, r.Code, r.Matched, r.Lookups, r.Explanation)
	}
	// Output:
	// 192.0.2.10 pass ip4:192.0.2.0/24 lookups=0 ""
	// 2001:db8::25 pass include:_spf.example.net lookups=1 ""
	// 203.0.113.7 fail -all lookups=1 "203.0.113.7 may not send mail for example.org"
}

func ExampleChecker_CheckHELO() {
	z := zone.New()
	z.AddTXT("mail.example.org", "v=spf1 a -all")
	z.AddA("mail.example.org", "192.0.2.25")
	c := &spf.Checker{Resolver: z}
	r := c.CheckHELO(context.Background(), spf.Input{IP: netip.MustParseAddr("192.0.2.25"), HELO: "mail.example.org"})
	fmt.Println(r.Code, r.Identity)
	// Output: pass helo
}

func ExampleParseRecord() {
	r, err := spf.ParseRecord("v=spf1 +MX a:mail.example.org/28 ip4:192.0.2.1/32 ~all")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r)
	_, err = spf.ParseRecord("v=spf1 mx ip4:192.0.2.0/33 -all")
	fmt.Println(err)
	// Output:
	// v=spf1 mx a:mail.example.org/28 ip4:192.0.2.1 ~all
	// spf: term 1 "ip4:192.0.2.0/33" at offset 23: bad prefix length "/33" (at most 32, no leading zeros)
}

func ExampleLinter_Lint() {
	z := zone.New()
	z.AddTXT("example.org", "v=spf1 ptr include:_spf.example.net")
	l := &spf.Linter{Resolver: z}
	rep := l.Lint(context.Background(), "example.org")
	for _, f := range rep.Findings {
		fmt.Println(f.Code, f.Severity)
	}
	// Output:
	// spf.ptr warning
	// spf.no-all warning
	// spf.include-no-record error
}

func ExampleReceivedSPF() {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 ip4:192.0.2.0/24 -all")
	in := spf.Input{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "myname@example.com", HELO: "foo.example.com"}
	r := (&spf.Checker{Resolver: z}).Check(context.Background(), in)
	fmt.Println(spf.ReceivedSPF(r, in, "mybox.example.org"))
	fmt.Println("Authentication-Results: mybox.example.org; " + r.AuthResult().String())
	// Output:
	// Received-SPF: pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1; envelope-from="myname@example.com"; helo=foo.example.com; identity=mailfrom; mechanism="ip4:192.0.2.0/24";
	// Authentication-Results: mybox.example.org; spf=pass smtp.mailfrom=myname@example.com
}
