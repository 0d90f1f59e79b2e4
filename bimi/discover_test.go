package bimi

import (
	"context"
	"errors"
	"testing"

	"github.com/domainauth/domainauth/zone"
	"github.com/google/go-cmp/cmp"
)

const (
	logoURL = "https://img.example.com/logo.svg"
	vmcURL  = "https://img.example.com/vmc.pem"
)

func TestLookup(t *testing.T) {
	type want struct {
		status   DiscoveryStatus
		domain   string
		selector string
		queried  []string
	}
	tests := []struct {
		name      string
		setup     func(z *zone.Zone)
		domain    string
		selector  string
		localPart string
		want      want
	}{
		{"default at author", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL)
		}, "example.com", "", "", want{DiscoveryStatusFound, "example.com", "default", []string{"default._bimi.example.com"}}},
		{"non-BIMI TXT discarded (§7.2 step 4)", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=spf1 -all")
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL)
		}, "example.com", "", "", want{DiscoveryStatusFound, "example.com", "default", []string{"default._bimi.example.com"}}},
		// Appendix A.3: sub.example.com falls back to example.com.
		{"fallback to org domain (§7.2 step 6)", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL)
		}, "foo.example.com", "", "", want{DiscoveryStatusFound, "example.com", "default", []string{"default._bimi.foo.example.com", "default._bimi.example.com"}}},
		// Appendix A.5: a custom selector falls back to the same selector,
		// never to default.
		{"selector falls back to same selector", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL)
		}, "sub.example.com", "myselector", "", want{DiscoveryStatusNone, "", "", []string{"myselector._bimi.sub.example.com", "myselector._bimi.example.com"}}},
		{"selector at org", func(z *zone.Zone) {
			z.AddTXT("myselector._bimi.example.com", "v=BIMI1; l="+logoURL)
		}, "sub.example.com", "MySelector", "", want{DiscoveryStatusFound, "example.com", "myselector", []string{"myselector._bimi.sub.example.com", "myselector._bimi.example.com"}}},
		{"declination", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l=; a=;")
		}, "example.com", "", "", want{DiscoveryStatusDeclined, "example.com", "default", []string{"default._bimi.example.com"}}},
		{"subdomain declines although org publishes (§4.3.1)", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL)
			z.AddTXT("default._bimi.shop.example.com", "v=BIMI1; l=; a=;")
		}, "shop.example.com", "", "", want{DiscoveryStatusDeclined, "shop.example.com", "default", []string{"default._bimi.shop.example.com"}}},
		{"multiple records (§7.2 step 9)", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL)
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l=; a=;")
		}, "example.com", "", "", want{DiscoveryStatusPermError, "example.com", "default", []string{"default._bimi.example.com"}}},
		{"broken record is not skipped", func(z *zone.Zone) {
			z.AddTXT("default._bimi.foo.example.com", "v=BIMI1; l=http://x.example/l.svg")
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL)
		}, "foo.example.com", "", "", want{DiscoveryStatusPermError, "foo.example.com", "default", []string{"default._bimi.foo.example.com"}}},
		{"none", func(z *zone.Zone) {}, "foo.example.com", "", "",
			want{DiscoveryStatusNone, "", "", []string{"default._bimi.foo.example.com", "default._bimi.example.com"}}},
		{"org domain is the domain: one query", func(z *zone.Zone) {}, "example.com", "", "",
			want{DiscoveryStatusNone, "", "", []string{"default._bimi.example.com"}}},
		{"temperror", func(z *zone.Zone) {
			z.SetFault("default._bimi.example.com", zone.TypeTXT, zone.FaultServFail)
		}, "example.com", "", "", want{DiscoveryStatusTempError, "", "", []string{"default._bimi.example.com"}}},
		// §4.5: lps= sends a matching local-part to its own selector.
		{"lps match", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l=; a=; lps=brand-")
			z.AddTXT("brand-news._bimi.example.com", "v=BIMI1; l="+logoURL)
		}, "example.com", "", "Brand.News+x", want{DiscoveryStatusFound, "example.com", "brand-news", []string{"default._bimi.example.com", "brand-news._bimi.example.com"}}},
		{"lps no prefix match: no query", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL+"; lps=brand-")
		}, "example.com", "", "info", want{DiscoveryStatusFound, "example.com", "default", []string{"default._bimi.example.com"}}},
		{"lps selector missing: first record (§4.5 step 7)", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l=; a=; lps=")
		}, "example.com", "", "anyone", want{DiscoveryStatusDeclined, "example.com", "default", []string{"default._bimi.example.com", "anyone._bimi.example.com"}}},
		{"lps selector broken: first record", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l="+logoURL+"; lps=")
			z.AddTXT("x._bimi.example.com", "v=BIMI1; l=http://bad.example/")
		}, "example.com", "", "x", want{DiscoveryStatusFound, "example.com", "default", []string{"default._bimi.example.com", "x._bimi.example.com"}}},
		{"lps at org domain (§7.2 step 8)", func(z *zone.Zone) {
			z.AddTXT("default._bimi.example.com", "v=BIMI1; l=; lps=")
			z.AddTXT("jane._bimi.example.com", "v=BIMI1; l="+logoURL)
		}, "mail.example.com", "", "jane", want{DiscoveryStatusFound, "example.com", "jane", []string{"default._bimi.mail.example.com", "default._bimi.example.com", "jane._bimi.example.com"}}},
		{"bad domain", func(z *zone.Zone) {}, "a..b", "", "", want{DiscoveryStatusPermError, "", "", nil}},
		{"bad selector", func(z *zone.Zone) {}, "example.com", "a..b", "", want{DiscoveryStatusPermError, "", "", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			tt.setup(z)
			d := Lookup(context.Background(), z, tt.domain, tt.selector, tt.localPart)
			got := want{d.Status, d.Domain, d.Selector, d.Queried}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("(-want +got):\n%s\nerr: %v", diff, d.Err)
			}
			if (d.Status == DiscoveryStatusFound || d.Status == DiscoveryStatusDeclined) && d.Record == nil {
				t.Error("found without a Record")
			}
			if (d.Status == DiscoveryStatusTempError || d.Status == DiscoveryStatusPermError) && d.Err == nil {
				t.Error("error status without Err")
			}
		})
	}
}

func TestLookupMultipleErr(t *testing.T) {
	z := zone.New()
	z.AddTXT("default._bimi.example.com", "v=BIMI1; l=")
	z.AddTXT("default._bimi.example.com", "v=BIMI1; l=; a=")
	d := Lookup(context.Background(), z, "example.com", "", "")
	if !errors.Is(d.Err, ErrMultipleRecords) || d.Status.String() != "fail" {
		t.Errorf("status %v, err %v", d.Status, d.Err)
	}
}

// TestLookupQueryBound: at most three TXT queries, whatever the zone holds.
func TestLookupQueryBound(t *testing.T) {
	z := zone.New()
	z.AddTXT("default._bimi.mail.example.com", "v=BIMI1; l=; lps=")
	d := Lookup(context.Background(), z, "mail.example.com", "", "x")
	if len(d.Queried) != 2 {
		t.Errorf("queried %v", d.Queried)
	}
	z = zone.New()
	z.AddTXT("default._bimi.example.com", "v=BIMI1; l=; lps=")
	d = Lookup(context.Background(), z, "mail.example.com", "", "x")
	if len(d.Queried) != 3 || d.Status != DiscoveryStatusDeclined {
		t.Errorf("queried %v, status %v", d.Queried, d.Status)
	}
}
