package web

import (
	"net/url"
	"testing"
)

// FuzzParseFilter: any query either is refused or gives a filter whose
// own query parses back to the same filter, holding only values that may
// go into a URL.
func FuzzParseFilter(f *testing.F) {
	for _, q := range []string{"", "domain=example.org", "domain=EXAMPLE.org.&org=Yahoo&from=2025-01-01&to=2025-02-01",
		"org=%3Cscript%3E", "ip=192.0.2.1", "ip=fe80::1%25eth0", "from=2025-13-01", "domain=a%00b", "org=a%E2%80%AEb"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, err := parseFilter(q, DefaultMaxDays)
		if err != nil {
			return
		}
		if fl.Domain != "" && !validDomain(fl.Domain) || fl.Org != "" && !validOrg(fl.Org) || fl.IP.IsValid() && !validIP(fl.IP) {
			t.Fatalf("parseFilter(%q) = %+v: a value that may not go into a URL", raw, fl)
		}
		back, err := parseFilter(fl.values(true), DefaultMaxDays)
		if err != nil || back != fl {
			t.Fatalf("parseFilter(%q) = %+v; its query %q parses to %+v, %v", raw, fl, fl.values(true).Encode(), back, err)
		}
	})
}
