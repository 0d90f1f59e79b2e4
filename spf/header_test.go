package spf

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

func TestReceivedSPF(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 ip4:192.0.2.0/24 -all")
	z.AddTXT("broken.example.com", "v=spf1 foo")
	c := &Checker{Resolver: z}
	ctx := context.Background()
	in := Input{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "myname@example.com", HELO: "foo.example.com"}
	tests := []struct {
		name string
		r    Result
		in   Input
		want string
	}{
		// RFC 7208 §9.1, the first example, with identity and mechanism.
		{"pass", c.Check(ctx, in), in,
			`Received-SPF: pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1; envelope-from="myname@example.com"; helo=foo.example.com; identity=mailfrom; mechanism="ip4:192.0.2.0/24";`},
		{"fail, ipv6 quoted", c.Check(ctx, Input{IP: netip.MustParseAddr("2001:db8::1"), MailFrom: "myname@example.com", HELO: "foo.example.com"}), Input{IP: netip.MustParseAddr("2001:db8::1"), MailFrom: "myname@example.com", HELO: "foo.example.com"},
			`Received-SPF: fail (mybox.example.org: domain of myname@example.com does not designate 2001:db8::1 as permitted sender) receiver=mybox.example.org; client-ip="2001:db8::1"; envelope-from="myname@example.com"; helo=foo.example.com; identity=mailfrom; mechanism=-all;`},
		{"hostile sender data is cleaned and quoted", Result{Code: CodeNeutral}, Input{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "a\"b)\r\n@example.com", HELO: "x (y"},
			`Received-SPF: neutral (mybox.example.org: 192.0.2.1 is neither permitted nor denied by domain of a"b\)??@example.com) receiver=mybox.example.org; client-ip=192.0.2.1; envelope-from="a\"b)??@example.com"; helo="x (y"; identity=mailfrom; mechanism=default;`},
		{"helo identity", Result{Code: CodeNone, Identity: IdentityHELO}, Input{IP: netip.MustParseAddr("192.0.2.1"), HELO: "foo.example.com"},
			`Received-SPF: none (mybox.example.org: domain of foo.example.com does not publish an SPF record) receiver=mybox.example.org; client-ip=192.0.2.1; helo=foo.example.com; identity=helo;`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReceivedSPF(tt.r, tt.in, "mybox.example.org"); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	r := c.Check(ctx, Input{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "a@broken.example.com"})
	want := `Received-SPF: permerror (unknown: domain of a@broken.example.com has a broken SPF record) client-ip=192.0.2.1; envelope-from="a@broken.example.com"; identity=mailfrom; problem="spf: broken.example.com: spf: term 0 \"foo\" at offset 7: unknown mechanism \"foo\"";`
	if got := ReceivedSPF(r, Input{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "a@broken.example.com"}, ""); got != want {
		t.Errorf("permerror:\n%s\nwant\n%s", got, want)
	}
}

func TestAuthResultsSPF(t *testing.T) {
	in := Input{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "user@example.net", HELO: "foo.example.com"}
	for _, tt := range []struct {
		r    Result
		in   Input
		want string
	}{
		// RFC 7208 §9.2.
		{Result{Code: CodePass, Identity: IdentityMailFrom}, in, "spf=pass smtp.mailfrom=user@example.net"},
		{Result{Code: CodePass, Identity: IdentityHELO}, in, "spf=pass smtp.helo=foo.example.com"},
		{Result{Code: CodeFail}, Input{HELO: "foo.example.com"}, "spf=fail smtp.mailfrom=postmaster@foo.example.com"},
		{Result{Code: CodePermError, Err: errors.New(`spf: bad "x"`)}, Input{MailFrom: "a b@example.net"}, `spf=permerror reason="spf: bad \"x\"" smtp.mailfrom="a b@example.net"`},
	} {
		if got := AuthResultsSPF(tt.r, tt.in); got != tt.want {
			t.Errorf("got %s\nwant %s", got, tt.want)
		}
	}
}
