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
	want := `Received-SPF: permerror (unknown: domain of a@broken.example.com has a broken SPF record) client-ip=192.0.2.1; envelope-from="a@broken.example.com"; identity=mailfrom; problem="spf: broken.example.com: term 0 \"foo\" at offset 7: unknown mechanism \"foo\"";`
	if got := ReceivedSPF(r, Input{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "a@broken.example.com"}, ""); got != want {
		t.Errorf("permerror:\n%s\nwant\n%s", got, want)
	}
}

func TestResultAuthResult(t *testing.T) {
	in := Input{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "user@example.net", HELO: "foo.example.com"}
	for _, tt := range []struct {
		name string
		r    Result
		in   Input
		want string
	}{
		// RFC 7208 §9.2.
		{"mailfrom", Result{Code: CodePass, Identity: IdentityMailFrom}, in, "spf=pass smtp.mailfrom=user@example.net"},
		{"helo", Result{Code: CodePass, Identity: IdentityHELO}, in, "spf=pass smtp.helo=foo.example.com"},
		{"null reverse-path", Result{Code: CodeFail}, Input{HELO: "foo.example.com"}, "spf=fail smtp.mailfrom=postmaster@foo.example.com"},
		{"permerror reason without the package prefix", Result{Code: CodePermError, Err: errors.New(`spf: bad "x"`)}, Input{MailFrom: "a b@example.net"},
			`spf=permerror reason="bad \"x\"" smtp.mailfrom="a b@example.net"`},
		{"no reason for none", Result{Code: CodeNone, Err: ErrNoIP}, in, "spf=none smtp.mailfrom=user@example.net"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := checked(tt.r, tt.in).AuthResult().String(); got != tt.want {
				t.Errorf("got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestCheckSetsChecked guards the identity AuthResult writes: Check and
// CheckHELO record it, not the domain of a redirect target.
func TestCheckSetsChecked(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.org", "v=spf1 redirect=_spf.example.net")
	z.AddTXT("_spf.example.net", "v=spf1 ip4:192.0.2.0/24 -all")
	z.AddTXT("mx.example.org", "v=spf1 a -all")
	z.AddA("mx.example.org", "192.0.2.1")
	c := &Checker{Resolver: z}
	ip := netip.MustParseAddr("192.0.2.1")
	for _, tt := range []struct {
		name string
		r    Result
		want string
	}{
		{"mailfrom through a redirect", c.Check(context.Background(), Input{IP: ip, MailFrom: "a@example.org"}), "spf=pass smtp.mailfrom=a@example.org"},
		{"null reverse-path", c.Check(context.Background(), Input{IP: ip, HELO: "mx.example.org"}), "spf=pass smtp.mailfrom=postmaster@mx.example.org"},
		{"helo", c.CheckHELO(context.Background(), Input{IP: ip, HELO: "mx.example.org"}), "spf=pass smtp.helo=mx.example.org"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.AuthResult().String(); got != tt.want {
				t.Errorf("got %s, want %s (Domain %q)", got, tt.want, tt.r.Domain)
			}
		})
	}
}
