package ses

import (
	"github.com/domainauth/domainauth/internal/shared"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

func TestParseRoute53NameServer(t *testing.T) {
	// FACTS §7.4: real names, and the rule NN = (N mod 512) / 8.
	for _, ok := range []string{"ns-187.awsdns-23.com", "ns-976.awsdns-58.net.", "ns-1051.awsdns-03.org",
		"NS-1659.awsdns-15.co.uk", "ns-1529.awsdns-63.org", "ns-1591.awsdns-06.co.uk", "ns-0.awsdns-00.com"} {
		if _, good := ParseRoute53NameServer(ok); !good {
			t.Errorf("%s rejected", ok)
		}
	}
	for _, bad := range []string{"ns1.example.org", "ns-187.awsdns-22.com", "ns-187.awsdns-23.net",
		"ns-2048.awsdns-64.com", "ns-0187.awsdns-23.com", "ns-187.awsdns-23.de", "ns-x.awsdns-00.com", "ns-1.awsdns-0.com"} {
		if _, good := ParseRoute53NameServer(bad); good {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestCheckHostedZone(t *testing.T) {
	ns := []string{"ns-187.awsdns-23.com", "ns-1051.awsdns-03.org", "ns-1659.awsdns-15.co.uk", "ns-976.awsdns-58.net"}
	build := func(edit func(rrs []zone.RR) []zone.RR) *zone.Zone {
		rrs, err := NewHostedZoneRecords("example.org", ns)
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			rrs = edit(rrs)
		}
		z := zone.New()
		for _, rr := range rrs {
			if err := z.Add(rr); err != nil {
				t.Fatal(err)
			}
		}
		return z
	}
	tests := []struct {
		name string
		edit func([]zone.RR) []zone.RR
		want []string
	}{
		{"as Route 53 creates it", nil, nil},
		{"three name servers", func(r []zone.RR) []zone.RR { return r[1:] }, []string{FindingHostedZoneNSPattern, FindingHostedZoneSOA}},
		{"foreign name server", func(r []zone.RR) []zone.RR { r[1].Target = "ns1.example.net"; return r }, []string{FindingHostedZoneNSPattern}},
		{"NS TTL", func(r []zone.RR) []zone.RR {
			for i := range 4 {
				r[i].TTL = 3600
			}
			return r
		}, []string{FindingHostedZoneTTL}},
		{"SOA serial bumped", func(r []zone.RR) []zone.RR { r[4].SOA.Serial = 2; return r }, []string{FindingHostedZoneSOA}},
		{"SOA TTL", func(r []zone.RR) []zone.RR { r[4].TTL = 3600; return r }, []string{FindingHostedZoneTTL}},
		{"no SOA", func(r []zone.RR) []zone.RR { return r[:4] }, []string{FindingHostedZoneSOAMissing}},
		{"no NS", func(r []zone.RR) []zone.RR { return r[4:] }, []string{FindingHostedZoneNSMissing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codes(CheckHostedZone(build(tt.edit), "example.org.")); !slices.Equal(got, tt.want) {
				t.Errorf("codes %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := NewHostedZoneRecords("example.org", nil); err == nil {
		t.Error("no name servers: want error")
	}
	if _, err := NewHostedZoneRecords("a..b", ns); err == nil {
		t.Error("bad domain: want error")
	}
}

func TestCheckHostedZoneSample(t *testing.T) {
	dir := sharedDir(t)
	f, err := os.Open(filepath.Join(dir, "reference", "ses", "samples", "route53-new-public-zone-list-resource-record-sets.json"))
	if dir == "" || err != nil {
		shared.Skip(t, "Route 53 sample not available: %v", err)
	}
	defer f.Close()
	z, err := zone.ReadRoute53(f)
	if err != nil {
		t.Fatal(err)
	}
	if fs := CheckHostedZone(z, "edukb.site"); len(fs) != 0 {
		t.Errorf("findings %v", fs)
	}
}
