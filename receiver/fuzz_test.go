package receiver

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/authres"
	"github.com/domainauth/domainauth/zone"
)

// FuzzParsePath: any input gives a Path or a *PathError, never a panic, and
// a parsed path written with String reads back equal.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{
		"<>", "", "<bounce@mail.example.org>", "bounce@mail.example.org",
		`<"a@b"@mail.example.org>`, `<"a\"b c"@example.org>`, "<@a.example,@b.example:u@d.example>",
		"<u@[192.0.2.1]>", "<u@[IPv6:2001:db8::1]>", "<u@[tag:x]>", "<jöran@bücher.example>",
		"<a..b@example.org>", "<u@-x.example>", `<"unterminated@example.org>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			var pe *PathError
			if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(s) {
				t.Fatalf("ParsePath(%q): %v, want a *PathError within the input", s, err)
			}
			return
		}
		again, err := ParsePath(p.String())
		if err != nil || again != p {
			t.Fatalf("ParsePath(%q) = %+v; ParsePath(%q) = %+v, %v", s, p, p.String(), again, err)
		}
		if p.Null != (p.Local == "" && p.Domain == "") || !p.Null && (p.Domain == "" || len(p.String()) > DefaultMaxPathLength) {
			t.Fatalf("ParsePath(%q) = %+v: inconsistent", s, p)
		}
	})
}

// FuzzCheckHeader: whatever the client says in HELO and MAIL FROM, Check
// gives a Result whose Header is a field authres reads back.
func FuzzCheckHeader(f *testing.F) {
	f.Add("mx1.example.org", "<bounce@mail.example.org>")
	f.Add("mx1.example.org", "<>")
	f.Add("[192.0.2.1]", `<"a\"b"@example.org>`)
	f.Add("bad\r\nhelo", "<a b@c>")
	z := zone.New()
	z.AddTXT("example.org", "v=spf1 ip4:192.0.2.0/24 -all")
	z.AddTXT("mx1.example.org", "v=spf1 -all")
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
	c := &Checker{Resolver: z, AuthServID: "mx.example.net"}
	const msg = "From: a@example.org\r\n\r\nbody\r\n"
	f.Fuzz(func(t *testing.T, helo, mailFrom string) {
		env := Envelope{IP: netip.MustParseAddr("192.0.2.1"), HELO: helo, MailFrom: mailFrom}
		start := time.Now()
		res, err := c.Check(context.Background(), env, strings.NewReader(msg))
		if d := time.Since(start); d > time.Second {
			t.Fatalf("slow %v %q %q", d, helo, mailFrom)
		}
		if res == nil {
			t.Fatalf("Check(%+v): no result, error %v", env, err)
		}
		h := res.Header()
		if _, perr := authres.Parse(h); perr != nil {
			t.Fatalf("Check(%+v).Header() = %q, which does not parse: %v", env, h, perr)
		}
	})
}
