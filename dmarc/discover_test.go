package dmarc

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/zone"
	"github.com/google/go-cmp/cmp"
)

type discoveryWant struct {
	status   DiscoveryStatus
	policy   string // PolicyDomain
	source   Source
	org      string
	queried  []string
	multiple []string
}

func dmarcNames(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "_dmarc." + n
	}
	return out
}

func TestLookupTreeWalk(t *testing.T) {
	tests := []struct {
		name  string
		setup func(z *zone.Zone)
		from  string
		want  discoveryWant
	}{
		{"§4.10.1 record at the author domain", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
		}, "example.org", discoveryWant{DiscoveryStatusFound, "example.org", SourceAuthor, "example.org",
			dmarcNames("example.org", "org"), nil}},
		{"§4.10.1 organisational record", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
		}, "mail.Example.ORG.", discoveryWant{DiscoveryStatusFound, "example.org", SourceOrganizational, "example.org",
			dmarcNames("mail.example.org", "example.org", "org"), nil}},
		{"§4.10.2 rule 3: fewest labels is the org domain", func(z *zone.Zone) {
			z.AddTXT("_dmarc.mail.example.com", "v=DMARC1; p=none")
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, "a.mail.example.com", discoveryWant{DiscoveryStatusFound, "example.com", SourceOrganizational, "example.com",
			dmarcNames("a.mail.example.com", "mail.example.com", "example.com", "com"), nil}},
		{"§4.10.2 rule 1: psd=n stops the walk", func(z *zone.Zone) {
			z.AddTXT("_dmarc.mail.example.com", "v=DMARC1; p=quarantine; psd=n")
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, "a.mail.example.com", discoveryWant{DiscoveryStatusFound, "mail.example.com", SourceOrganizational, "mail.example.com",
			dmarcNames("a.mail.example.com", "mail.example.com"), nil}},
		{"§4.10.2 rule 2 / B.4.3: PSD record", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example", "v=DMARC1; p=reject; psd=y")
		}, "a.b.example", discoveryWant{DiscoveryStatusFound, "example", SourcePSD, "b.example",
			dmarcNames("a.b.example", "b.example", "example"), nil}},
		{"§4.10.1 note: PSD policy not used when the org domain has a record", func(z *zone.Zone) {
			z.AddTXT("_dmarc.b.example", "v=DMARC1; p=none")
			z.AddTXT("_dmarc.example", "v=DMARC1; p=reject; psd=y")
		}, "a.b.example", discoveryWant{DiscoveryStatusFound, "b.example", SourceOrganizational, "b.example",
			dmarcNames("a.b.example", "b.example", "example"), nil}},
		{"§4.10.2 psd=y at the start is not used for the org domain", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example", "v=DMARC1; p=reject; psd=y")
		}, "example", discoveryWant{DiscoveryStatusFound, "example", SourceAuthor, "example", dmarcNames("example"), nil}},
		{"§4.10 eight labels: parent then each ancestor", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, "a.b.c.d.e.mail.example.com", discoveryWant{DiscoveryStatusFound, "example.com", SourceOrganizational, "example.com",
			dmarcNames("a.b.c.d.e.mail.example.com", "b.c.d.e.mail.example.com", "c.d.e.mail.example.com", "d.e.mail.example.com",
				"e.mail.example.com", "mail.example.com", "example.com", "com"), nil}},
		{"§4.10 example: thirteen labels, eight queries", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, "a.b.c.d.e.f.g.h.i.j.mail.example.com", discoveryWant{DiscoveryStatusFound, "example.com", SourceOrganizational, "example.com",
			dmarcNames("a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
				"i.j.mail.example.com", "j.mail.example.com", "mail.example.com", "example.com", "com"), nil}},
		{"§4.10 nine labels skip to seven", func(z *zone.Zone) {
			z.AddTXT("_dmarc.x2.x3.x4.x5.x6.x7.example", "v=DMARC1; p=reject")
		}, "x0.x1.x2.x3.x4.x5.x6.x7.example", discoveryWant{DiscoveryStatusFound, "x2.x3.x4.x5.x6.x7.example", SourceOrganizational,
			"x2.x3.x4.x5.x6.x7.example",
			dmarcNames("x0.x1.x2.x3.x4.x5.x6.x7.example", "x2.x3.x4.x5.x6.x7.example", "x3.x4.x5.x6.x7.example",
				"x4.x5.x6.x7.example", "x5.x6.x7.example", "x6.x7.example", "x7.example", "example"), nil}},
		{"§4.10 labels skipped are never queried", func(z *zone.Zone) {
			z.AddTXT("_dmarc.x1.x2.x3.x4.x5.x6.x7.example", "v=DMARC1; p=reject")
		}, "x0.x1.x2.x3.x4.x5.x6.x7.example", discoveryWant{DiscoveryStatusNone, "", SourceNone, "x0.x1.x2.x3.x4.x5.x6.x7.example",
			dmarcNames("x0.x1.x2.x3.x4.x5.x6.x7.example", "x2.x3.x4.x5.x6.x7.example", "x3.x4.x5.x6.x7.example",
				"x4.x5.x6.x7.example", "x5.x6.x7.example", "x6.x7.example", "x7.example", "example"), nil}},
		{"§4.10 step 2: multiple records are discarded", func(z *zone.Zone) {
			z.AddTXT("_dmarc.mail.example.org", "v=DMARC1; p=none")
			z.AddTXT("_dmarc.mail.example.org", "v=DMARC1; p=reject")
			z.AddTXT("_dmarc.example.org", "v=DMARC1; p=quarantine")
		}, "mail.example.org", discoveryWant{DiscoveryStatusFound, "example.org", SourceOrganizational, "example.org",
			dmarcNames("mail.example.org", "example.org", "org"), []string{"mail.example.org"}}},
		{"§4.10 step 2: non-DMARC TXT records are skipped", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example.org", "v=spf1 -all")
			z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
			z.AddTXT("_dmarc.example.org", "google-site-verification=abc")
		}, "example.org", discoveryWant{DiscoveryStatusFound, "example.org", SourceAuthor, "example.org",
			dmarcNames("example.org", "org"), nil}},
		{"§4.10.1 no record anywhere", func(z *zone.Zone) {}, "mail.example.org",
			discoveryWant{DiscoveryStatusNone, "", SourceNone, "mail.example.org", dmarcNames("mail.example.org", "example.org", "org"), nil}},
		{"§4.10.1 broken record at the author domain", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example.org", "v=DMARC1; p=bogus")
			z.AddTXT("_dmarc.org", "v=DMARC1; p=none; psd=y")
		}, "example.org", discoveryWant{DiscoveryStatusPermError, "example.org", SourceAuthor, "example.org",
			dmarcNames("example.org", "org"), nil}},
		{"§4.5 character-strings are concatenated", func(z *zone.Zone) {
			z.AddTXTStrings("_dmarc.example.org", "v=DMARC1; p=rej", "ect; rua=mailto:d@example.org")
		}, "example.org", discoveryWant{DiscoveryStatusFound, "example.org", SourceAuthor, "example.org",
			dmarcNames("example.org", "org"), nil}},
		{"§5.3.1 IDN author domain in A-labels", func(z *zone.Zone) {
			z.AddTXT("_dmarc.xn--bcher-kva.example", "v=DMARC1; p=reject")
		}, "Bücher.example", discoveryWant{DiscoveryStatusFound, "xn--bcher-kva.example", SourceAuthor, "xn--bcher-kva.example",
			dmarcNames("xn--bcher-kva.example", "example"), nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			tt.setup(z)
			d := Lookup(context.Background(), z, tt.from)
			checkDiscovery(t, d, tt.want)
		})
	}
}

func checkDiscovery(t *testing.T, d *Discovery, want discoveryWant) {
	t.Helper()
	got := discoveryWant{d.Status, d.PolicyDomain, d.Source, d.OrgDomain, d.Queried, d.Multiple}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(discoveryWant{})); diff != "" {
		t.Errorf("discovery (-want +got):\n%s\nerr: %v", diff, d.Err)
	}
	if (d.Status == DiscoveryStatusFound) != (d.Record != nil) {
		t.Errorf("status %v with record %v", d.Status, d.Record)
	}
	if (d.Status == DiscoveryStatusTempError || d.Status == DiscoveryStatusPermError) != (d.Err != nil) {
		t.Errorf("status %v with err %v", d.Status, d.Err)
	}
}

func TestLookupDNSFailures(t *testing.T) {
	for _, fault := range []zone.Fault{zone.FaultTimeout, zone.FaultServFail} {
		for _, at := range []string{"_dmarc.mail.example.org", "_dmarc.example.org", "_dmarc.org"} {
			z := zone.New()
			z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
			z.SetFault(at, zone.TypeTXT, fault)
			d := Lookup(context.Background(), z, "mail.example.org")
			if d.Status != DiscoveryStatusTempError || d.Err == nil || !strings.Contains(d.Err.Error(), at) {
				t.Errorf("fault %v at %s: status %v, err %v", fault, at, d.Status, d.Err)
			}
		}
	}
	// A cancelled context is reported as such.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
	d := Lookup(ctx, z, "example.org")
	if d.Status != DiscoveryStatusTempError || !errors.Is(d.Err, context.Canceled) {
		t.Errorf("cancelled: status %v, err %v", d.Status, d.Err)
	}
	// An invalid author domain is a permerror without any query.
	d = Lookup(context.Background(), z, "a..b")
	if d.Status != DiscoveryStatusPermError || len(d.Queried) != 0 {
		t.Errorf("invalid domain: %+v", d)
	}
}

func TestLookupRFC7489(t *testing.T) {
	tests := []struct {
		name  string
		setup func(z *zone.Zone)
		from  string
		want  discoveryWant
	}{
		{"§6.6.3 step 1: author domain", func(z *zone.Zone) {
			z.AddTXT("_dmarc.mail.example.co.uk", "v=DMARC1; p=none")
			z.AddTXT("_dmarc.example.co.uk", "v=DMARC1; p=reject")
		}, "mail.example.co.uk", discoveryWant{DiscoveryStatusFound, "mail.example.co.uk", SourceAuthor, "example.co.uk",
			dmarcNames("mail.example.co.uk"), nil}},
		{"§6.6.3 step 3: PSL organisational domain", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example.co.uk", "v=DMARC1; p=reject")
		}, "a.b.c.d.e.f.g.h.i.mail.example.co.uk", discoveryWant{DiscoveryStatusFound, "example.co.uk", SourceOrganizational, "example.co.uk",
			dmarcNames("a.b.c.d.e.f.g.h.i.mail.example.co.uk", "example.co.uk"), nil}},
		{"§6.6.3: org domain equals author: one query", func(z *zone.Zone) {}, "example.com",
			discoveryWant{DiscoveryStatusNone, "", SourceNone, "example.com", dmarcNames("example.com"), nil}},
		{"§6.6.3 step 5: multiple records end discovery", func(z *zone.Zone) {
			z.AddTXT("_dmarc.mail.example.com", "v=DMARC1; p=none")
			z.AddTXT("_dmarc.mail.example.com", "v=DMARC1; p=none")
			z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
		}, "mail.example.com", discoveryWant{DiscoveryStatusNone, "", SourceNone, "example.com",
			dmarcNames("mail.example.com"), []string{"mail.example.com"}}},
		{"§6.3: p required unless rua is valid", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example.com", "v=DMARC1; sp=none")
		}, "example.com", discoveryWant{DiscoveryStatusPermError, "example.com", SourceAuthor, "example.com", dmarcNames("example.com"), nil}},
		{"§6.6.3 step 6: no p but valid rua", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example.com", "v=DMARC1; rua=mailto:d@example.com")
		}, "example.com", discoveryWant{DiscoveryStatusFound, "example.com", SourceAuthor, "example.com", dmarcNames("example.com"), nil}},
		{"psd= is not used", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example", "v=DMARC1; p=reject; psd=y")
		}, "a.b.example", discoveryWant{DiscoveryStatusNone, "", SourceNone, "b.example", dmarcNames("a.b.example", "b.example"), nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			tt.setup(z)
			c := Checker{Resolver: z, Mode: ModeRFC7489}
			checkDiscovery(t, c.Lookup(context.Background(), tt.from), tt.want)
		})
	}
	z := zone.New()
	z.SetFault("_dmarc.example.com", zone.TypeTXT, zone.FaultServFail)
	c := Checker{Resolver: z, Mode: ModeRFC7489}
	if d := c.Lookup(context.Background(), "a.example.com"); d.Status != DiscoveryStatusTempError {
		t.Errorf("servfail at org: %v", d.Status)
	}
}

func TestOrgDomain(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
	z.AddTXT("_dmarc.mail.example.com", "v=DMARC1; p=none; psd=n")
	z.AddTXT("_dmarc.example", "v=DMARC1; p=reject; psd=y")
	c := Checker{Resolver: z}
	tests := []struct{ in, tree, psl string }{
		{"a.b.example.com", "example.com", "example.com"},
		{"x.mail.example.com", "mail.example.com", "example.com"},
		{"a.b.c.example", "c.example", "c.example"}, // PSL default rule "*": an unlisted TLD is a suffix
		{"nothing.test", "nothing.test", "nothing.test"},
		{"www.example.co.uk", "www.example.co.uk", "example.co.uk"},
		{"co.uk", "co.uk", "co.uk"},
	}
	for _, tt := range tests {
		got, err := c.OrgDomain(context.Background(), tt.in)
		if err != nil || got != tt.tree {
			t.Errorf("OrgDomain(%q) = %q, %v; want %q", tt.in, got, err, tt.tree)
		}
		if got := OrgDomainPSL(tt.in); got != tt.psl {
			t.Errorf("OrgDomainPSL(%q) = %q, want %q", tt.in, got, tt.psl)
		}
	}
	if _, err := c.OrgDomain(context.Background(), ""); err == nil {
		t.Error("OrgDomain(\"\") succeeded")
	}
	custom := Checker{Resolver: z, Mode: ModeRFC7489, PublicSuffix: func(string) string { return "example.com" }}
	if got, _ := custom.OrgDomain(context.Background(), "a.b.example.com"); got != "b.example.com" {
		t.Errorf("custom PublicSuffix: %q", got)
	}
}

func TestLookupJoinsStrings(t *testing.T) {
	// RFC 9989 §4.5: the character-strings of one TXT record are joined.
	z := zone.New()
	z.AddTXTStrings("_dmarc.example.org", "v=DMARC1; p=rej", "ect; rua=mailto:d@example.org")
	d := Lookup(context.Background(), z, "example.org")
	if d.Record == nil || d.Record.Policy != PolicyReject || len(d.Record.AggregateURIs) != 1 {
		t.Errorf("got %+v", d.Record)
	}
}

// TestMissingSeparatorIsNotARecord guards issue 11 item 6: "v=DMARC1
// p=none" at _dmarc.sub.example.com was a permerror that switched off
// example.com's p=reject for that subdomain. Under the tag-list grammar
// its v value is "DMARC1 p=none", so it is not a DMARC record (RFC 9989
// §4.7, §4.10; RFC 7489 §6.3): discovery ignores it and goes on to the
// Organizational Domain; lint still reports it at its name.
func TestMissingSeparatorIsNotARecord(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.sub.example.com", "v=DMARC1 p=none")
	z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:d@example.com")
	for _, mode := range []Mode{ModeRFC9989, ModeRFC7489} {
		c := Checker{Resolver: z, Mode: mode}
		d := c.Lookup(context.Background(), "sub.example.com")
		if d.Status != DiscoveryStatusFound || d.PolicyDomain != "example.com" || d.Source != SourceOrganizational {
			t.Fatalf("%v: discovery %s at %q (%s), err %v; want example.com's record", mode, d.Status, d.PolicyDomain, d.Source, d.Err)
		}
		res := c.Evaluate(context.Background(), Input{FromDomain: "sub.example.com"})
		if res.Code != CodeFail || res.Disposition != DispositionReject {
			t.Errorf("%v: evaluation %s %s %v; want fail, reject", mode, res.Code, res.Disposition, res.Err)
		}
		fs := c.LintDomain(context.Background(), "sub.example.com")
		found := false
		for _, f := range fs {
			if f.Code == "dmarc.syntax" && f.Where == "_dmarc.sub.example.com" && f.Severity == SeverityError {
				found = true
			}
			if f.Code == "dmarc.multiple-records" || f.Code == "dmarc.broken-policy" {
				t.Errorf("%v: unexpected %v", mode, f)
			}
		}
		if !found {
			t.Errorf("%v: LintDomain does not report the broken record at its name: %v", mode, fs)
		}
	}
	// Next to a valid record it is ignored, not one of two records.
	z.AddTXT("_dmarc.sub.example.com", "v=DMARC1; p=quarantine")
	if d := Lookup(context.Background(), z, "sub.example.com"); d.Status != DiscoveryStatusFound || d.Record.Policy != PolicyQuarantine {
		t.Errorf("with a valid record beside it: %s %v", d.Status, d.Err)
	}
}
