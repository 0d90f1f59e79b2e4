package web

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds of the filter's text fields.
const (
	maxDomainLen = 253
	maxOrgLen    = 256
)

// FilterError is a filter parameter the dashboard refuses.
type FilterError struct {
	Param string // the query parameter
	Msg   string
}

func (e *FilterError) Error() string { return fmt.Sprintf("web: parameter %q: %s", e.Param, e.Msg) }

// ValidDomain reports whether s may be used as a domain in a URL: 1 to 253
// bytes of letters (any script, for internationalised names), digits, '-',
// '_' and '.'. Report text that fails it is shown, never linked.
func ValidDomain(s string) bool {
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

// ValidOrg reports whether s may be used as an organisation name in a URL
// (percent-encoded in the query): 1 to 256 bytes of valid UTF-8 without
// control or format characters (bidi controls among them).
func ValidOrg(s string) bool {
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

// parseFilter reads the filter from the query: domain, org, from, to
// (2006-01-02, inclusive) and ip. A span longer than maxDays is refused.
func parseFilter(q url.Values, maxDays int) (Filter, error) {
	var f Filter
	if d := strings.TrimSpace(q.Get("domain")); d != "" {
		d = strings.ToLower(strings.TrimSuffix(d, "."))
		if !ValidDomain(d) {
			return f, &FilterError{"domain", "not a domain name"}
		}
		f.Domain = d
	}
	if o := q.Get("org"); o != "" {
		if !ValidOrg(o) {
			return f, &FilterError{"org", "not an organisation name (control characters, or longer than 256 bytes)"}
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
			return f, &FilterError{p.name, "not a date (YYYY-MM-DD)"}
		}
		*p.t = t
	}
	if !f.From.IsZero() && !f.To.IsZero() {
		if f.To.Before(f.From) {
			return f, &FilterError{"to", "before from"}
		}
		if days := int(f.To.Sub(f.From)/(24*time.Hour)) + 1; days > maxDays {
			return f, &FilterError{"from", fmt.Sprintf("the range spans %d days; at most %d", days, maxDays)}
		}
	}
	if v := q.Get("ip"); v != "" {
		a, err := netip.ParseAddr(v)
		if err != nil || !validIP(a) {
			return f, &FilterError{"ip", "not an IP address"}
		}
		f.IP = a
	}
	return f, nil
}

// values is the query that selects f; the IP is left out unless withIP.
func (f Filter) values(withIP bool) url.Values {
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

// inDays reports whether the UTC day d (2006-01-02) lies within the filter's
// date range.
func (f Filter) inDays(d string) bool {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return f.From.IsZero() && f.To.IsZero()
	}
	return (f.From.IsZero() || !t.Before(f.From)) && (f.To.IsZero() || !t.After(f.To))
}

// overlaps reports whether a report window [begin, end] overlaps the
// filter's date range.
func (f Filter) overlaps(begin, end time.Time) bool {
	if !f.From.IsZero() && end.Before(f.From) {
		return false
	}
	if !f.To.IsZero() && !begin.Before(f.To.Add(24*time.Hour)) {
		return false
	}
	return true
}
