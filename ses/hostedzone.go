package ses

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/zone"
)

// Route 53 public hosted zones: what Route 53 creates with a new zone
// (Route 53 Developer Guide, "NS and SOA records that Route 53 creates for a
// public hosted zone", and real zones, FACTS §7.4).
const (
	// Route53NSTTL is the TTL of the apex NS record set.
	Route53NSTTL = 172800
	// Route53SOATTL is the TTL of the SOA record set.
	Route53SOATTL = 900
	// Route53Hostmaster is the SOA mailbox Route 53 writes.
	Route53Hostmaster = "awsdns-hostmaster.amazon.com"
)

// Route53SOA returns the SOA Route 53 creates, with mname as primary name
// server: serial 1 (never incremented), refresh 7200, retry 900, expire
// 1209600 (two weeks), negative-caching TTL 86400 (RFC 2308).
func Route53SOA(mname string) zone.SOA {
	return zone.SOA{MName: dnsname.Canonical(mname), RName: Route53Hostmaster, Serial: 1,
		Refresh: 7200, Retry: 900, Expire: 1209600, Minimum: 86400}
}

// NewHostedZoneRecords describes the records Route 53 creates in a new public
// hosted zone for domain with the four given name servers: the NS record set
// (TTL 172800) and the SOA (TTL 900) naming the first server.
func NewHostedZoneRecords(domain string, nameServers []string) ([]zone.RR, error) {
	d, err := dnsname.Normalize(domain)
	if err != nil {
		return nil, fmt.Errorf("ses: hosted zone %q: not a domain name: %w", domain, err)
	}
	if len(nameServers) == 0 {
		return nil, fmt.Errorf("ses: hosted zone %s: no name servers; give the four of its delegation set ('aws route53 get-hosted-zone')", d)
	}
	var out []zone.RR
	for _, ns := range nameServers {
		out = append(out, zone.RR{Name: d, Type: zone.TypeNS, TTL: Route53NSTTL, Target: dnsname.Canonical(ns)})
	}
	soa := Route53SOA(nameServers[0])
	out = append(out, zone.RR{Name: d, Type: zone.TypeSOA, TTL: Route53SOATTL, SOA: &soa})
	return out, nil
}

// route53TLDs are the top-level domains of a zone's four name servers, with
// the ns-<N> range each uses.
var route53TLDs = []struct {
	tld    string
	lo, hi int
}{{"com", 0, 511}, {"net", 512, 1023}, {"org", 1024, 1535}, {"co.uk", 1536, 2047}}

// ParseRoute53NameServer reports whether host has the form of a Route 53
// name server, ns-<N>.awsdns-<NN>.<tld>, with N in the range of its TLD and
// NN = (N mod 512) / 8 (an empirical rule that holds for every real zone
// seen; FACTS §7.4). It returns the TLD.
func ParseRoute53NameServer(host string) (tld string, ok bool) {
	h := dnsname.Canonical(host)
	rest, ok := strings.CutPrefix(h, "ns-")
	if !ok {
		return "", false
	}
	num, rest, ok := strings.Cut(rest, ".awsdns-")
	if !ok {
		return "", false
	}
	nn, tld, ok := strings.Cut(rest, ".")
	if !ok {
		return "", false
	}
	n, err1 := strconv.Atoi(num)
	m, err2 := strconv.Atoi(nn)
	if err1 != nil || err2 != nil || len(nn) != 2 || num != strconv.Itoa(n) {
		return "", false
	}
	for _, t := range route53TLDs {
		if t.tld == tld {
			return tld, n >= t.lo && n <= t.hi && m == (n%512)/8
		}
	}
	return "", false
}

// Hosted-zone finding codes.
const (
	// FindingHostedZoneNSMissing: no NS record set at the zone apex.
	FindingHostedZoneNSMissing = "ses.hostedzone-ns-missing"
	// FindingHostedZoneNSPattern: the NS set is not four Route 53 name servers,
	// one under each of .com, .net, .org and .co.uk.
	FindingHostedZoneNSPattern = "ses.hostedzone-ns-pattern"
	// FindingHostedZoneSOAMissing: no SOA at the zone apex.
	FindingHostedZoneSOAMissing = "ses.hostedzone-soa-missing"
	// FindingHostedZoneSOA: the SOA differs from what Route 53 writes (primary
	// one of the zone's name servers, awsdns-hostmaster.amazon.com, timers
	// 7200 900 1209600 86400).
	FindingHostedZoneSOA = "ses.hostedzone-soa"
	// FindingHostedZoneTTL: NS or SOA TTL other than 172800 / 900.
	FindingHostedZoneTTL = "ses.hostedzone-ttl"
)

// CheckHostedZone checks the apex NS and SOA of a zone (for example a
// Route 53 list-resource-record-sets export read with zone.ReadRoute53)
// against what Route 53 creates for a public hosted zone. Findings are
// Warning for NS problems and Info for SOA and TTL differences, which may be
// deliberate.
func CheckHostedZone(z *zone.Zone, domain string) []Finding {
	d := dnsname.Canonical(domain)
	var fs []Finding
	ns := z.Lookup(d, zone.TypeNS)
	var hosts []string
	if len(ns) == 0 {
		fs = append(fs, finding(FindingHostedZoneNSMissing, SeverityWarning, d, "Route 53 Developer Guide: NS and SOA records of a public hosted zone", "no NS record set at the zone apex"))
	} else {
		var tlds []string
		bad := []string{}
		for _, rr := range ns {
			hosts = append(hosts, rr.Target)
			tld, ok := ParseRoute53NameServer(rr.Target)
			if !ok {
				bad = append(bad, rr.Target)
			}
			tlds = append(tlds, tld)
		}
		slices.Sort(tlds)
		if len(bad) > 0 || !slices.Equal(tlds, []string{"co.uk", "com", "net", "org"}) {
			fs = append(fs, finding(FindingHostedZoneNSPattern, SeverityWarning, d, "Route 53 Developer Guide: NS and SOA records of a public hosted zone",
				"NS set %s is not four Route 53 name servers (one each under .com, .net, .org, .co.uk)", strings.Join(hosts, " ")))
		}
		if ns[0].TTL != Route53NSTTL {
			fs = append(fs, finding(FindingHostedZoneTTL, SeverityInfo, d, "Route 53 Developer Guide: NS and SOA records of a public hosted zone", "NS TTL %d; Route 53 creates %d", ns[0].TTL, Route53NSTTL))
		}
	}
	soas := z.Lookup(d, zone.TypeSOA)
	if len(soas) == 0 {
		fs = append(fs, finding(FindingHostedZoneSOAMissing, SeverityWarning, d, "RFC 1035 §3.3.13", "no SOA at the zone apex"))
		return fs
	}
	s := soas[0].SOA
	want := Route53SOA(s.MName)
	if (len(hosts) > 0 && !slices.Contains(hosts, s.MName)) || *s != want {
		fs = append(fs, finding(FindingHostedZoneSOA, SeverityInfo, d, "Route 53 Developer Guide: NS and SOA records of a public hosted zone",
			"SOA %s %s %d %d %d %d %d differs from Route 53's <one of the NS> %s 1 7200 900 1209600 86400",
			s.MName, s.RName, s.Serial, s.Refresh, s.Retry, s.Expire, s.Minimum, Route53Hostmaster))
	}
	if soas[0].TTL != Route53SOATTL {
		fs = append(fs, finding(FindingHostedZoneTTL, SeverityInfo, d, "Route 53 Developer Guide: NS and SOA records of a public hosted zone", "SOA TTL %d; Route 53 creates %d", soas[0].TTL, Route53SOATTL))
	}
	return fs
}
