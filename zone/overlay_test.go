package zone

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"

	"github.com/domainauth/domainauth"
)

// plainResolver hides every optional capability of the zone it wraps.
type plainResolver struct{ domainauth.Resolver }

// overlayFixture is a zone about to be published (example.org, its origin
// an apex without SOA, and a zone with an SOA at corp.example) over an
// "outside" that also has records at the covered names, so that an answer
// from the wrong side shows.
func overlayFixture(t testing.TB) (*Overlay, *Zone) {
	t.Helper()
	files, err := ParseString(`
@        TXT   "v=spf1 include:amazonses.com -all"
mail     CNAME feedback-smtp.eu-west-1.amazonses.com.
alias    CNAME www
www      A     192.0.2.1
sel._domainkey CNAME sel.dkim.amazonses.com.
`, "example.org")
	if err != nil {
		t.Fatal(err)
	}
	files.AddTXT("corp.example", "v=spf1 -all")
	if err := files.Add(RR{Name: "corp.example", Type: TypeSOA, TTL: 60, SOA: &SOA{MName: "ns.corp.example", RName: "h.corp.example", Serial: 1}}); err != nil {
		t.Fatal(err)
	}
	files.AddPTR("1.2.0.192.in-addr.arpa", "www.example.org")
	outside := New()
	outside.AddTXT("example.org", "v=spf1 outside")
	outside.AddTXT("nothere.example.org", "outside")
	outside.AddTXT("x.corp.example", "outside")
	outside.AddTXT("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all")
	outside.AddTXTStrings("sel.dkim.amazonses.com", "v=DKIM1; ", "p=abc")
	outside.AddMX("feedback-smtp.eu-west-1.amazonses.com", 10, "feedback-smtp.eu-west-1.amazonses.com")
	outside.AddA("elsewhere.example", "198.51.100.7")
	outside.AddPTR("7.100.51.198.in-addr.arpa", "elsewhere.example")
	outside.AddCNAME("alias.elsewhere.example", "elsewhere.example")
	return &Overlay{Zone: files, Outside: outside, Apexes: []string{"example.org"}}, outside
}

func TestOverlayCovers(t *testing.T) {
	o, _ := overlayFixture(t)
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"example.org", true},
		{"WWW.Example.Org.", true},
		{"nothere.example.org", true}, // under an apex: the files' silence is a "no"
		{"corp.example", true},
		{"x.corp.example", true}, // under an SOA
		{"1.2.0.192.in-addr.arpa", true},
		{"amazonses.com", false},
		{"org", false},
		{"2.2.0.192.in-addr.arpa", false},
	} {
		if got := o.Covers(tc.name); got != tc.want {
			t.Errorf("Covers(%q) = %v, want %v", tc.name, got, tc.want)
		}
		// Coverage is the same rule, given the apexes as written.
		if got := NewCoverage(o.Zone, []string{"Example.ORG."}).Covers(tc.name); got != tc.want {
			t.Errorf("Coverage.Covers(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestOverlayRoutes(t *testing.T) {
	o, _ := overlayFixture(t)
	ctx := context.Background()
	txt := func(name string) ([]string, error) { return o.LookupTXT(ctx, name) }
	if got, err := txt("example.org"); err != nil || !slices.Equal(got, []string{"v=spf1 include:amazonses.com -all"}) {
		t.Errorf("covered name: %q, %v", got, err)
	}
	if got, err := txt("amazonses.com"); err != nil || len(got) != 1 {
		t.Errorf("outside name: %q, %v", got, err)
	}
	for _, name := range []string{"nothere.example.org", "x.corp.example"} {
		if _, err := txt(name); !isNotFound(err) {
			t.Errorf("%s: the zone is authoritative there, want not found, got %v", name, err)
		}
	}
	// A CNAME in the zone that leads outside is followed there.
	if mx, err := o.LookupMX(ctx, "mail.example.org"); err != nil || len(mx) != 1 {
		t.Errorf("CNAME into the outside: %v, %v", mx, err)
	}
	if ss, err := o.LookupTXTStrings(ctx, "sel._domainkey.example.org"); err != nil || len(ss) != 1 || len(ss[0]) != 2 {
		t.Errorf("TXT strings through a CNAME: %q, %v", ss, err)
	}
	// A chain inside the zone stays there.
	if ips, err := o.LookupNetIP(ctx, "ip4", "alias.example.org"); err != nil || len(ips) != 1 || ips[0].String() != "192.0.2.1" {
		t.Errorf("CNAME inside the zone: %v, %v", ips, err)
	}
	if ips, err := o.LookupNetIP(ctx, "ip4", "elsewhere.example"); err != nil || len(ips) != 1 {
		t.Errorf("outside address: %v, %v", ips, err)
	}
	if got, err := o.LookupCNAMETarget(ctx, "mail.example.org"); err != nil || got != "feedback-smtp.eu-west-1.amazonses.com" {
		t.Errorf("CNAME target in the zone: %q, %v", got, err)
	}
	if got, err := o.LookupCNAMETarget(ctx, "alias.elsewhere.example"); err != nil || got != "elsewhere.example" {
		t.Errorf("CNAME target outside: %q, %v", got, err)
	}
	if got, err := o.LookupAddr(ctx, "192.0.2.1"); err != nil || !slices.Equal(got, []string{"www.example.org."}) {
		t.Errorf("PTR in the zone: %q, %v", got, err)
	}
	if got, err := o.LookupAddr(ctx, "198.51.100.7"); err != nil || !slices.Equal(got, []string{"elsewhere.example."}) {
		t.Errorf("PTR outside: %q, %v", got, err)
	}
}

// TestOverlayExistence: names the zone covers exist as the zone says (an
// NXDOMAIN there never asks the outside), others as the outside says.
func TestOverlayExistence(t *testing.T) {
	o, _ := overlayFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"example.org", true},
		{"_domainkey.example.org", true}, // an empty non-terminal
		{"nothere.example.org", false},   // the outside has it, but the zone covers it
		{"sel._domainkey.example.org", true},
		{"amazonses.com", true},
		{"nowhere.example", false},
		{"alias.elsewhere.example", true},
	} {
		got, err := o.LookupExists(ctx, tc.name)
		if err != nil || got != tc.want {
			t.Errorf("LookupExists(%q) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

// TestOverlayMissingCapability: an outside resolver without a capability
// gives a temporary error, never a not-found that would read as "no".
func TestOverlayMissingCapability(t *testing.T) {
	o, outside := overlayFixture(t)
	o.Outside = plainResolver{outside}
	ctx := context.Background()
	_, err1 := o.LookupCNAMETarget(ctx, "alias.elsewhere.example")
	_, err2 := o.LookupTXTStrings(ctx, "amazonses.com")
	_, err3 := o.LookupExists(ctx, "amazonses.com")
	for i, err := range []error{err1, err2, err3} {
		if domainauth.Classify(ctx, err) != domainauth.ErrorKindTemporary {
			t.Errorf("capability %d: got %v, want a temporary error", i+1, err)
		}
	}
	// Covered names still have every capability.
	if ok, err := o.LookupExists(ctx, "example.org"); !ok || err != nil {
		t.Errorf("covered name: %v, %v", ok, err)
	}
	if got, err := o.LookupTXT(ctx, "amazonses.com"); err != nil || len(got) != 1 {
		t.Errorf("plain lookups still go outside: %q, %v", got, err)
	}
}

func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// BenchmarkOverlayLookupTXT measures the routing cost an Overlay adds to a
// zone lookup, for a covered name and for one answered outside.
func BenchmarkOverlayLookupTXT(b *testing.B) {
	o, _ := overlayFixture(b)
	ctx := context.Background()
	for _, name := range []string{"example.org", "amazonses.com"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := o.LookupTXT(ctx, name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
