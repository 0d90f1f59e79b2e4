package receiver

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/domainauth/domainauth/authres"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

// The bundled example: examples/verify-message/message.eml is signed with
// the key published for example.org's first Easy DKIM token in
// examples/zones/example.org.zone; 54.240.0.1 is in amazonses.com's SPF
// record, which mail.example.org includes.
var (
	exampleOnce sync.Once
	exampleZone *zone.Zone
	exampleMsg  []byte
	exampleErr  error
)

func bundled(t testing.TB) (*zone.Zone, []byte) {
	t.Helper()
	exampleOnce.Do(func() {
		var f *os.File
		if f, exampleErr = os.Open("../examples/zones/example.org.zone"); exampleErr != nil {
			return
		}
		defer f.Close()
		if exampleZone, exampleErr = zone.Parse(f, ""); exampleErr != nil {
			return
		}
		exampleMsg, exampleErr = os.ReadFile("../examples/verify-message/message.eml")
	})
	if exampleErr != nil {
		t.Fatal(exampleErr)
	}
	return exampleZone, exampleMsg
}

// field joins the lines of an expected field with the folding Format uses.
func field(lines ...string) string { return strings.Join(lines, "\r\n\t") }

const (
	dkimPass    = "dkim=pass header.d=example.org header.i=@example.org"
	dkimPassSel = "header.s=ee3iyktt6a52swhlzrcnadeiwwa27oo6 header.b=gikfTn3g;"
	dmarcPass   = "dmarc=pass header.from=example.org policy.dmarc=quarantine"
)

func TestCheckBundledMessage(t *testing.T) {
	z, msg := bundled(t)
	unsigned := msg[bytes.Index(msg, []byte("\nFrom:"))+1:]
	tampered := bytes.Replace(msg, []byte("quarterly numbers are"), []byte("quarterly numbers were"), 1)
	ses := netip.MustParseAddr("54.240.0.1")
	other := netip.MustParseAddr("192.0.2.99")
	tests := []struct {
		name string
		env  Envelope
		msg  []byte
		want string
	}{
		{"SES MAIL FROM, no HELO", Envelope{IP: ses, MailFrom: "bounce@mail.example.org"}, msg, field(
			"Authentication-Results: mx.example.net;",
			"spf=pass smtp.mailfrom=bounce@mail.example.org;",
			dkimPass, dkimPassSel, dmarcPass)},
		// RFC 5321 §4.1.2: the domain follows the quoted local part, so SPF
		// checks mail.example.org, and RFC 7208 §2.3 checks the HELO first.
		{"quoted local part with @", Envelope{IP: ses, HELO: "mx1.example.org", MailFrom: `<"a@b"@mail.example.org>`}, msg, field(
			"Authentication-Results: mx.example.net;",
			`spf=pass smtp.mailfrom="a@b"@mail.example.org;`,
			"spf=fail smtp.helo=mx1.example.org;",
			dkimPass, dkimPassSel, dmarcPass)},
		// RFC 7208 §2.4: the null sender's MAIL FROM identity is
		// postmaster@HELO; its check is the HELO check.
		{"null sender", Envelope{IP: netip.MustParseAddr("192.0.2.25"), HELO: "mx1.example.org", MailFrom: "<>"}, msg, field(
			"Authentication-Results: mx.example.net;",
			"spf=pass smtp.mailfrom=postmaster@mx1.example.org;",
			"spf=pass smtp.helo=mx1.example.org;",
			dkimPass, dkimPassSel, dmarcPass)},
		{"null sender, HELO without SPF", Envelope{IP: ses, HELO: "a1-2.smtp-out.example.com", MailFrom: "<>"}, msg, field(
			"Authentication-Results: mx.example.net;",
			"spf=none smtp.mailfrom=postmaster@a1-2.smtp-out.example.com;",
			"spf=none smtp.helo=a1-2.smtp-out.example.com;",
			dkimPass, dkimPassSel, dmarcPass)},
		{"null sender, address literal HELO", Envelope{IP: ses, HELO: "[54.240.0.1]", MailFrom: "<>"}, msg, field(
			"Authentication-Results: mx.example.net;",
			`spf=none smtp.mailfrom="postmaster@[54.240.0.1]";`,
			dkimPass, dkimPassSel, dmarcPass)},
		{"source route ignored", Envelope{IP: ses, MailFrom: "<@relay.example.net:bounce@mail.example.org>"}, msg, field(
			"Authentication-Results: mx.example.net;",
			"spf=pass smtp.mailfrom=bounce@mail.example.org;",
			dkimPass, dkimPassSel, dmarcPass)},
		{"SPF softfail, DKIM aligned", Envelope{IP: other, MailFrom: "<bounce@mail.example.org>"}, msg, field(
			"Authentication-Results: mx.example.net;",
			"spf=softfail smtp.mailfrom=bounce@mail.example.org;",
			dkimPass, dkimPassSel, dmarcPass)},
		{"unsigned, SPF aligned", Envelope{IP: ses, MailFrom: "<bounce@mail.example.org>"}, unsigned, field(
			"Authentication-Results: mx.example.net;",
			"spf=pass smtp.mailfrom=bounce@mail.example.org;",
			"dkim=none;",
			dmarcPass)},
		{"tampered body, SPF softfail: DMARC fail", Envelope{IP: other, MailFrom: "<bounce@mail.example.org>"}, tampered, field(
			"Authentication-Results: mx.example.net;",
			"spf=softfail smtp.mailfrom=bounce@mail.example.org;",
			`dkim=fail reason="body hash does not match" header.d=example.org`,
			"header.i=@example.org header.s=ee3iyktt6a52swhlzrcnadeiwwa27oo6",
			"header.b=gikfTn3g;",
			"dmarc=fail header.from=example.org policy.dmarc=quarantine")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Checker{Resolver: z, AuthServID: "mx.example.net"}
			res, err := c.Check(context.Background(), tt.env, bytes.NewReader(tt.msg))
			if err != nil {
				t.Fatalf("Check(%+v): %v", tt.env, err)
			}
			if got := res.Header(); got != tt.want {
				t.Errorf("Check(%+v).Header():\n got %q\nwant %q", tt.env, got, tt.want)
			}
			// The header kept for DMARC does not depend on how msg is read.
			slow, err := c.Check(context.Background(), tt.env, iotest.OneByteReader(bytes.NewReader(tt.msg)))
			if err != nil || slow.Header() != tt.want {
				t.Errorf("read one byte at a time: %v\n got %q\nwant %q", err, slow.Header(), tt.want)
			}
			// The field reads back as what AuthResult gave.
			back, err := authres.Parse(res.Header())
			if err != nil {
				t.Fatalf("authres.Parse(Header()): %v", err)
			}
			if ar := res.AuthResult(); len(back.Methods) != len(ar.Methods) || back.AuthServID != ar.AuthServID {
				t.Errorf("Header() reads back as %+v, want %+v", back, ar)
			}
		})
	}
}

// TestCheckMalformedPath: RFC 7208 §4.3 gives none for a malformed domain;
// with no readable path there is none, and the rest is still checked.
func TestCheckMalformedPath(t *testing.T) {
	z, msg := bundled(t)
	c := &Checker{Resolver: z, AuthServID: "mx.example.net"}
	env := Envelope{IP: netip.MustParseAddr("192.0.2.25"), HELO: "mx1.example.org", MailFrom: "<a b@mail.example.org>"}
	res, err := c.Check(context.Background(), env, bytes.NewReader(msg))
	var pe *PathError
	if !errors.As(err, &pe) || !errors.Is(err, ErrPathSyntax) {
		t.Fatalf("Check: error %v, want a *PathError wrapping ErrPathSyntax", err)
	}
	if res == nil || res.PathErr != err || res.SPF.Code != spf.CodeNone || !errors.Is(res.SPF.Err, ErrPathSyntax) {
		t.Fatalf("Check: result %+v; want SPF none with the PathError", res)
	}
	want := field(
		"Authentication-Results: mx.example.net;",
		`spf=none reason="malformed reverse-path";`,
		"spf=pass smtp.helo=mx1.example.org;",
		dkimPass, dkimPassSel, dmarcPass)
	if got := res.Header(); got != want {
		t.Errorf("Header():\n got %q\nwant %q", got, want)
	}
	if res.DMARC.SPFAligned {
		t.Error("SPF aligned for DMARC although the reverse-path could not be read")
	}
}

// TestCheckDMARCUsesMailFromNotRedirectTarget guards the trap of
// spf.Result.Domain: after redirect= it is the redirect target, while DMARC
// aligns the MAIL FROM domain (RFC 9989 §3.2.4).
func TestCheckDMARCUsesMailFromNotRedirectTarget(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 redirect=_spf.provider.example")
	z.AddTXT("_spf.provider.example", "v=spf1 ip4:192.0.2.0/24 -all")
	z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject; aspf=s")
	msg := "From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n"
	c := &Checker{Resolver: z, AuthServID: "mx.example.net"}
	res, err := c.Check(context.Background(), Envelope{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "<a@example.com>"}, strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if res.SPF.Domain != "_spf.provider.example" {
		t.Fatalf("spf.Result.Domain = %q; the test needs the redirect target there", res.SPF.Domain)
	}
	want := field(
		"Authentication-Results: mx.example.net;",
		"spf=pass smtp.mailfrom=a@example.com;",
		"dkim=none;",
		"dmarc=pass header.from=example.com policy.dmarc=reject")
	if got := res.Header(); got != want || !res.DMARC.SPFAligned {
		t.Errorf("Header():\n got %q\nwant %q (SPF aligned: %v)", got, want, res.DMARC.SPFAligned)
	}
}

func TestCheckSkipHELO(t *testing.T) {
	z, msg := bundled(t)
	c := &Checker{Resolver: z, AuthServID: "mx.example.net", SkipHELO: true}
	ip := netip.MustParseAddr("192.0.2.25")
	res, err := c.Check(context.Background(), Envelope{IP: ip, HELO: "mx1.example.org", MailFrom: "<bounce@mail.example.org>"}, bytes.NewReader(msg))
	if err != nil || res.HELO != nil {
		t.Fatalf("SkipHELO: HELO result %v, error %v; want none checked", res.HELO, err)
	}
	// For the null sender the HELO check is the MAIL FROM check (§2.4).
	res, err = c.Check(context.Background(), Envelope{IP: ip, HELO: "mx1.example.org", MailFrom: "<>"}, bytes.NewReader(msg))
	if err != nil || res.HELO == nil || res.SPF.Code != spf.CodePass {
		t.Fatalf("SkipHELO, null sender: %+v, %v; want the HELO checked and SPF pass", res, err)
	}
}

func TestCheckErrors(t *testing.T) {
	z, msg := bundled(t)
	env := Envelope{IP: netip.MustParseAddr("54.240.0.1"), MailFrom: "<bounce@mail.example.org>"}
	// The authserv-id follows termsafe.Printable, as authres.AddProperty
	// does for property values: no control (tab, DEL, C1), no bidi control,
	// no invalid UTF-8.
	for _, id := range []string{"", "mx\r\n.example.net", "mx\x00", "mx\t1", "mx\x7f", "mx\u009b2J", "mx\u202e", "mx\xff"} {
		c := &Checker{Resolver: z, AuthServID: id}
		if _, err := c.Check(context.Background(), env, bytes.NewReader(msg)); !errors.Is(err, ErrNoAuthServID) {
			t.Errorf("AuthServID %q: %v, want ErrNoAuthServID", id, err)
		}
	}
	// A valid U+FFFD is a character like any other (it was refused before
	// only because a range loop reads invalid bytes as U+FFFD too).
	for _, id := range []string{"mx.example.net", "mx.bücher.example", "mx\ufffd"} {
		c := &Checker{Resolver: z, AuthServID: id}
		if _, err := c.Check(context.Background(), env, bytes.NewReader(msg)); err != nil {
			t.Errorf("AuthServID %q: %v, want it accepted", id, err)
		}
	}
	// A header over the DKIM verifier's bound is an error of Check.
	c := &Checker{Resolver: z, AuthServID: "mx.example.net", DKIM: dkim.Verifier{MaxHeaderBytes: 100}}
	if res, err := c.Check(context.Background(), env, bytes.NewReader(msg)); err == nil {
		t.Errorf("a header over MaxHeaderBytes: %+v, want an error", res)
	}
}

// TestCheckDefaultHeaderBound: the header kept for DMARC stops at the
// DKIM verifier's default bound, and a header just past it is refused.
func TestCheckDefaultHeaderBound(t *testing.T) {
	z, msg := bundled(t)
	big := append([]byte("X-Filler: "+strings.Repeat("a", 990)+"\r\n"), msg...)
	for len(big) <= defaultMaxHeaderBytes {
		big = append([]byte("X-Filler: "+strings.Repeat("a", 990)+"\r\n"), big...)
	}
	c := &Checker{Resolver: z, AuthServID: "mx.example.net"}
	env := Envelope{IP: netip.MustParseAddr("54.240.0.1"), MailFrom: "<bounce@mail.example.org>"}
	if res, err := c.Check(context.Background(), env, bytes.NewReader(big)); err == nil {
		t.Errorf("a header of %d bytes: %+v, want an error", len(big), res)
	}
}

func TestBridges(t *testing.T) {
	spfs := map[spf.Code]dmarc.AuthResult{spf.CodeNone: dmarc.AuthResultNone, spf.CodeNeutral: dmarc.AuthResultNeutral,
		spf.CodePass: dmarc.AuthResultPass, spf.CodeFail: dmarc.AuthResultFail, spf.CodeSoftFail: dmarc.AuthResultSoftFail,
		spf.CodeTempError: dmarc.AuthResultTempError, spf.CodePermError: dmarc.AuthResultPermError}
	for c, want := range spfs {
		// Names agree as well (spf and dmarc both follow RFC 7208 §2.6).
		if got := SPFAuthResult(c); got != want || got.String() != c.String() {
			t.Errorf("SPFAuthResult(%v) = %v, want %v", c, got, want)
		}
		if got := (spf.Result{Code: c}).AuthResult().Result; string(got) != c.String() {
			t.Errorf("spf.Result{Code: %v}.AuthResult().Result = %v", c, got)
		}
	}
	dkims := map[dkim.Status]dmarc.AuthResult{dkim.StatusNone: dmarc.AuthResultNone, dkim.StatusPass: dmarc.AuthResultPass,
		dkim.StatusFail: dmarc.AuthResultFail, dkim.StatusNeutral: dmarc.AuthResultNeutral, dkim.StatusTempError: dmarc.AuthResultTempError,
		dkim.StatusPermError: dmarc.AuthResultPermError, dkim.StatusPolicy: dmarc.AuthResultPolicy}
	for s, want := range dkims {
		if got := DKIMAuthResult(s); got != want || got.String() != s.String() {
			t.Errorf("DKIMAuthResult(%v) = %v, want %v", s, got, want)
		}
		if got := (&dkim.Verification{Status: s}).AuthResult().Result; string(got) != s.String() {
			t.Errorf("dkim.Verification{Status: %v}.AuthResult().Result = %v", s, got)
		}
	}
	for _, c := range []dmarc.Code{dmarc.CodeNone, dmarc.CodePass, dmarc.CodeFail, dmarc.CodeTempError, dmarc.CodePermError} {
		if got := (&dmarc.Result{Code: c}).AuthResult().Result; string(got) != c.String() {
			t.Errorf("dmarc.Result{Code: %v}.AuthResult().Result = %v", c, got)
		}
	}
}

// countingResolver counts the lookups in progress.
type countingResolver struct {
	*zone.Zone
	active atomic.Int32
}

func (r *countingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r.active.Add(1)
	defer r.active.Add(-1)
	return r.Zone.LookupTXT(ctx, name)
}

// TestCheckWaitsForSPF: SPF runs in its own goroutine; Check returns only
// after it, also when DKIM refuses the message.
func TestCheckWaitsForSPF(t *testing.T) {
	z, msg := bundled(t)
	slow := zone.New()
	for _, rr := range z.Records() {
		if err := slow.Add(rr); err != nil {
			t.Fatal(err)
		}
	}
	slow.SetDelay(20 * time.Millisecond)
	r := &countingResolver{Zone: slow}
	env := Envelope{IP: netip.MustParseAddr("54.240.0.1"), HELO: "mx1.example.org", MailFrom: "<bounce@mail.example.org>"}
	for _, maxHeader := range []int{0, 100} {
		c := &Checker{Resolver: r, AuthServID: "mx.example.net", DKIM: dkim.Verifier{MaxHeaderBytes: maxHeader}}
		res, err := c.Check(context.Background(), env, bytes.NewReader(msg))
		if n := r.active.Load(); n != 0 {
			t.Fatalf("MaxHeaderBytes %d: %d lookups still running after Check returned (%v)", maxHeader, n, err)
		}
		if maxHeader == 0 && (err != nil || res.SPF.Code != spf.CodePass || res.HELO == nil) {
			t.Fatalf("Check: %+v, %v; want SPF pass with the HELO checked", res, err)
		}
	}
}
