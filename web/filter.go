package web

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/domainauth/domainauth/store"
)

// Bounds of the filter's text fields.
const (
	maxDomainLen = 253
	maxOrgLen    = 256
)

// filterError is a filter parameter the dashboard refuses.
type filterError struct {
	Param string // the query parameter
	Msg   string
}

func (e *filterError) Error() string { return fmt.Sprintf("web: parameter %q: %s", e.Param, e.Msg) }

// validDomain reports whether s may be used as a domain in a URL: 1 to 253
// bytes of letters (any script, for internationalised names), digits, '-',
// '_' and '.'. Report text that fails it is shown, never linked.
func validDomain(s string) bool {
	if s == "" || len(s) > maxDomainLen || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// validOrg reports whether s may be used as an organisation name in a URL
// (percent-encoded in the query): 1 to 256 bytes of valid UTF-8 without
// control or format characters (bidi controls among them).
func validOrg(s string) bool {
	if s == "" || len(s) > maxOrgLen || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// validIP reports whether a can appear in a URL path: valid and without an
// IPv6 zone (a zone is free text).
func validIP(a netip.Addr) bool { return a.IsValid() && a.Zone() == "" }

// filter is what a page shows: the store's filter with the dates parsed,
// and the source address of a source's page.
type filter struct {
	// Domain is a policy domain, lower case; "" for all.
	Domain string
	// Org is a reporting organisation's name; "" for all.
	Org string
	// From and To bound the UTC days, both inclusive; zero is open.
	From, To time.Time
	// IP is the source address of a source's page and its tables.
	IP netip.Addr
}

// store returns the store's filter.
func (f filter) store() store.Filter {
	sf := store.Filter{Domain: f.Domain, Org: f.Org}
	if !f.From.IsZero() {
		sf.From = f.From.Format(time.DateOnly)
	}
	if !f.To.IsZero() {
		sf.To = f.To.Format(time.DateOnly)
	}
	return sf
}

// ipOK reports whether s, an address from the store, is an address in
// canonical form that may go into a URL path.
func ipOK(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && validIP(a) && a.String() == s
}

// parseFilter reads the filter from the query: domain, org, from, to
// (2006-01-02, inclusive) and ip. A span longer than maxDays is refused.
func parseFilter(q url.Values, maxDays int) (filter, error) {
	var f filter
	if d := strings.TrimSpace(q.Get("domain")); d != "" {
		d = strings.ToLower(strings.TrimSuffix(d, "."))
		if !validDomain(d) {
			return f, &filterError{"domain", "not a domain name"}
		}
		f.Domain = d
	}
	if o := q.Get("org"); o != "" {
		if !validOrg(o) {
			return f, &filterError{"org", "not an organisation name (control characters, or longer than 256 bytes)"}
		}
		f.Org = o
	}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		v := strings.TrimSpace(q.Get(p.name))
		if v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return f, &filterError{p.name, "not a date (YYYY-MM-DD)"}
		}
		*p.t = t
	}
	if !f.From.IsZero() && !f.To.IsZero() {
		if f.To.Before(f.From) {
			return f, &filterError{"to", "before from"}
		}
		if days := int(f.To.Sub(f.From)/(24*time.Hour)) + 1; days > maxDays {
			return f, &filterError{"from", fmt.Sprintf("the range spans %d days; at most %d", days, maxDays)}
		}
	}
	if v := q.Get("ip"); v != "" {
		a, err := netip.ParseAddr(v)
		if err != nil || !validIP(a) {
			return f, &filterError{"ip", "not an IP address"}
		}
		f.IP = a
	}
	return f, nil
}

// values is the query that selects f; the IP is left out unless withIP.
func (f filter) values(withIP bool) url.Values {
	q := url.Values{}
	if f.Domain != "" {
		q.Set("domain", f.Domain)
	}
	if f.Org != "" {
		q.Set("org", f.Org)
	}
	if !f.From.IsZero() {
		q.Set("from", f.From.Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		q.Set("to", f.To.Format(time.DateOnly))
	}
	if withIP && f.IP.IsValid() {
		q.Set("ip", f.IP.String())
	}
	return q
}
