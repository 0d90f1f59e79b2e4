package domainauth_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/bimi"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/mtasts"
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/tlsrpt"
	"github.com/domainauth/domainauth/zone"
)

// signed is a message whose DKIM signature needs the key at
// sel._domainkey.example.org.
const signed = "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=YQ==; b=YWI=\r\n" +
	"From: a@example.org\r\n\r\nbody\r\n"

// lookupErrors runs every package's lookup against z for example.org and
// returns the error each reports, by package name.
func lookupErrors(t *testing.T, z *zone.Zone) map[string]error {
	t.Helper()
	ctx := context.Background()
	ip := netip.MustParseAddr("192.0.2.1")
	out := map[string]error{}
	out["spf"] = (&spf.Checker{Resolver: z}).Check(ctx, spf.Input{IP: ip, MailFrom: "a@example.org"}).Err
	out["spf include"] = (&spf.Checker{Resolver: z}).Check(ctx, spf.Input{IP: ip, MailFrom: "a@inc.example"}).Err
	vs, err := (&dkim.Verifier{Resolver: z}).Verify(ctx, strings.NewReader(signed))
	if err != nil || len(vs) != 1 {
		t.Fatalf("Verify: %v, %v", vs, err)
	}
	out["dkim"] = vs[0].Err
	out["dmarc"] = dmarc.Evaluate(ctx, z, dmarc.Input{FromDomain: "example.org"}).Err
	res, err := (&mx.Checker{Resolver: z}).Check(ctx, "example.org")
	if err != nil {
		t.Fatalf("mx Check: %v", err)
	}
	out["mx"] = res.Err
	_, out["mtasts"] = mtasts.LookupRecord(ctx, z, "example.org")
	_, out["tlsrpt"] = tlsrpt.LookupRecord(ctx, z, "example.org")
	out["bimi"] = (&bimi.Checker{Resolver: z}).Lookup(ctx, "example.org", "default", "").Err
	return out
}

// TestTemporaryFailureEverywhere: a SERVFAIL or a timeout met by any
// package gives an error that errors.Is matches to ErrTemporary, through
// which errors.As still finds the resolver's *net.DNSError, and whose text
// names the package once, at its start.
func TestTemporaryFailureEverywhere(t *testing.T) {
	for _, f := range []struct {
		name  string
		fault zone.Fault
	}{{"servfail", zone.FaultServFail}, {"timeout", zone.FaultTimeout}} {
		fault := f.fault
		z := zone.New()
		z.AddTXT("inc.example", "v=spf1 include:example.org -all")
		for _, n := range []string{"example.org", "_dmarc.example.org", "sel._domainkey.example.org",
			"_mta-sts.example.org", "_smtp._tls.example.org", "default._bimi.example.org"} {
			z.SetFault(n, zone.TypeTXT, fault)
		}
		z.SetFault("example.org", zone.TypeMX, fault)
		for pkg, err := range lookupErrors(t, z) {
			t.Run(pkg+"/"+f.name, func(t *testing.T) {
				if !errors.Is(err, domainauth.ErrTemporary) {
					t.Fatalf("errors.Is(%v, ErrTemporary) = false", err)
				}
				if errors.Is(err, domainauth.ErrNotFound) {
					t.Errorf("%v matches ErrNotFound too", err)
				}
				if _, ok := errors.AsType[*net.DNSError](err); !ok {
					t.Errorf("%v: no *net.DNSError in the chain", err)
				}
				prefix := strings.Fields(pkg)[0] + ": "
				if msg := err.Error(); !strings.HasPrefix(msg, prefix) || strings.Count(msg, prefix) != 1 {
					t.Errorf("%q: want the prefix %q once, at the start", msg, prefix)
				}
			})
		}
	}
}

// TestNotFoundWhereARecordIsMissing: a missing DKIM key, SPF include
// target, MTA-STS or TLSRPT record matches ErrNotFound, and its package's
// own sentinel.
func TestNotFoundWhereARecordIsMissing(t *testing.T) {
	z := zone.New()
	z.AddTXT("inc.example", "v=spf1 include:example.org -all")
	errs := lookupErrors(t, z)
	for _, tt := range []struct {
		pkg string
		own error
	}{
		{"spf include", spf.ErrNoRecord},
		{"dkim", dkim.ErrNoKey},
		{"mtasts", mtasts.ErrNoRecord},
		{"tlsrpt", tlsrpt.ErrNoRecord},
	} {
		t.Run(tt.pkg, func(t *testing.T) {
			err := errs[tt.pkg]
			if !errors.Is(err, domainauth.ErrNotFound) || !errors.Is(err, tt.own) {
				t.Errorf("%v: want ErrNotFound and %v", err, tt.own)
			}
			if errors.Is(err, domainauth.ErrTemporary) {
				t.Errorf("%v matches ErrTemporary", err)
			}
		})
	}
}

// TestPrefixOnce guards the nesting of spf's errors: each include level
// used to repeat "spf: ".
func TestPrefixOnce(t *testing.T) {
	z := zone.New()
	z.AddTXT("nest.example", "v=spf1 include:mid.example -all")
	z.AddTXT("mid.example", "v=spf1 include:multi.example -all")
	z.AddTXT("multi.example", "v=spf1 -all")
	z.AddTXT("multi.example", "v=spf1 +all")
	r := (&spf.Checker{Resolver: z}).Check(context.Background(), spf.Input{IP: netip.MustParseAddr("192.0.2.1"), MailFrom: "a@nest.example"})
	want := `spf: nest.example: term "include:mid.example": mid.example: term "include:multi.example": multi.example: more than one SPF record`
	if r.Code != spf.CodePermError || r.Err.Error() != want || !errors.Is(r.Err, spf.ErrMultipleRecords) {
		t.Errorf("%v %v\nwant permerror %s", r.Code, r.Err, want)
	}
}

func TestWrapDNSError(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	temp := domainauth.TemporaryError("example.org", "server misbehaving")
	notFound := domainauth.NotFoundError("example.org")
	for _, tt := range []struct {
		name     string
		ctx      context.Context
		err      error
		kind     error // nil: returned as is
		sameText bool
	}{
		{"nil", context.Background(), nil, nil, true},
		{"temporary", context.Background(), temp, domainauth.ErrTemporary, true},
		{"timeout", nil, domainauth.TimeoutError("example.org"), domainauth.ErrTemporary, true},
		{"not found", context.Background(), notFound, domainauth.ErrNotFound, true},
		{"the caller's context ended", canceled, temp, nil, true},
		{"a context error", context.Background(), context.DeadlineExceeded, nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := domainauth.WrapDNSError(tt.ctx, tt.err)
			if tt.kind == nil {
				if got != tt.err {
					t.Fatalf("WrapDNSError = %v, want %v as it is", got, tt.err)
				}
				return
			}
			if !errors.Is(got, tt.kind) || !errors.Is(got, tt.err) {
				t.Errorf("WrapDNSError(%v): errors.Is %v = %v, the original = %v", tt.err, tt.kind, errors.Is(got, tt.kind), errors.Is(got, tt.err))
			}
			if got.Error() != tt.err.Error() {
				t.Errorf("text %q, want %q", got.Error(), tt.err.Error())
			}
			if again := domainauth.WrapDNSError(tt.ctx, got); again != got {
				t.Errorf("wrapping twice gave a new error")
			}
		})
	}
}
