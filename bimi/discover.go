package bimi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// DiscoveryStatus is the outcome of Assertion Record discovery (draft -12 §7.2).
type DiscoveryStatus uint8

// The discovery outcomes; String gives the bimi= result of draft -12 §7.7
// each maps to.
const (
	// DiscoveryStatusNone: no BIMI record (bimi=none).
	DiscoveryStatusNone DiscoveryStatus = iota
	// DiscoveryStatusFound: Record holds the Assertion Record to use.
	DiscoveryStatusFound
	// DiscoveryStatusDeclined: the record found is a Declination to Publish
	// (bimi=declined).
	DiscoveryStatusDeclined
	// DiscoveryStatusTempError: a DNS lookup failed temporarily (bimi=temperror).
	DiscoveryStatusTempError
	// DiscoveryStatusPermError: several records, or a v=BIMI1 record that does not
	// parse (bimi=fail).
	DiscoveryStatusPermError
)

// String returns "none", "found", "declined", "temperror" or "fail".
func (s DiscoveryStatus) String() string {
	switch s {
	case DiscoveryStatusFound:
		return "found"
	case DiscoveryStatusDeclined:
		return "declined"
	case DiscoveryStatusTempError:
		return "temperror"
	case DiscoveryStatusPermError:
		return "fail"
	}
	return "none"
}

// ErrMultipleRecords is Discovery.Err when a name holds more than one BIMI
// record (draft -12 §7.2 step 9).
var ErrMultipleRecords = errors.New("bimi: more than one BIMI record")

// Discovery is the result of Assertion Record discovery.
type Discovery struct {
	Status DiscoveryStatus
	// AuthorDomain is the domain looked up, in canonical form.
	AuthorDomain string
	// OrgDomain is its Organizational Domain (RFC 7489 §3.2).
	OrgDomain string
	// Domain is the domain whose record was used: AuthorDomain, or
	// OrgDomain after the fallback (the header.d of draft -12 §7.7).
	Domain string
	// Selector is the selector of the record used (header.selector): the
	// one asked for, or the normalised local-part when lps= led to it.
	Selector string
	// Name is the DNS name the record came from.
	Name string
	// Text is the record as published; Record is it parsed (nil when it
	// does not parse).
	Text   string
	Record *Record
	// Queried lists the TXT names queried, in order.
	Queried []string
	// Err explains DiscoveryStatusTempError and DiscoveryStatusPermError.
	Err error
}

// Fallback reports whether the record used is the Organizational Domain's.
func (d *Discovery) Fallback() bool { return d.Domain != "" && d.Domain != d.AuthorDomain }

// Lookup discovers the BIMI Assertion Record for mail from
// localPart@domain with the given selector ("" for "default"), following
// draft -12 §7.2: <selector>._bimi.<domain>, then the local-part selector
// when the record has lps=, then the same at the Organizational Domain
// when nothing was found. localPart may be empty (no lps= lookups).
// Organizational Domains are taken from the public suffix list
// (dmarc.OrgDomainPSL), as draft -12 §7.2 step 6 defines them by RFC 7489.
// It makes at most three TXT queries (a record at the domain ends discovery there).
func Lookup(ctx context.Context, r domainauth.Resolver, domain, selector, localPart string) *Discovery {
	c := Checker{Resolver: r}
	return c.Lookup(ctx, domain, selector, localPart)
}

// Lookup is the package-level Lookup with c's Resolver and OrgDomain.
func (c *Checker) Lookup(ctx context.Context, domain, selector, localPart string) *Discovery {
	d := &Discovery{}
	name, err := dnsname.Normalize(domain)
	if err != nil {
		d.Status, d.Err = DiscoveryStatusPermError, fmt.Errorf("bimi: domain: %w", err)
		return d
	}
	if selector == "" {
		selector = "default"
	}
	selector = strings.ToLower(strings.TrimSuffix(selector, "."))
	if err := dnsname.Check(selector); err != nil {
		d.Status, d.Err = DiscoveryStatusPermError, fmt.Errorf("bimi: selector %q: %w", selector, err)
		return d
	}
	d.AuthorDomain, d.OrgDomain = name, c.orgDomain(name)
	for _, dom := range []string{name, d.OrgDomain} {
		if dom == name && len(d.Queried) > 0 {
			break
		}
		if c.lookupAt(ctx, d, dom, selector, localPart) {
			return d
		}
	}
	d.Status = DiscoveryStatusNone
	return d
}

func (c *Checker) orgDomain(name string) string {
	if c.OrgDomain != nil {
		return c.OrgDomain(name)
	}
	return dmarc.OrgDomainPSL(name)
}

// lookupAt runs draft -12 §7.2 steps 3-5 (or 6-8) at one domain. It
// reports whether discovery ended there.
func (c *Checker) lookupAt(ctx context.Context, d *Discovery, dom, selector, localPart string) bool {
	qname := selector + "._bimi." + dom
	text, n, err := c.query(ctx, d, qname)
	switch {
	case err != nil:
		d.Status, d.Err, d.Name = DiscoveryStatusTempError, err, qname
		return true
	case n == 0:
		return false
	}
	d.Domain, d.Selector, d.Name = dom, selector, qname
	if n > 1 {
		d.Status, d.Err = DiscoveryStatusPermError, ErrMultipleRecords
		return true
	}
	rec, perr := ParseRecord(text)
	d.Text = text
	if perr == nil && rec.HasLPS && localPart != "" {
		if sel, ok := NormalizeLocalPart(localPart); ok && sel != selector && rec.MatchesLocalPart(sel) {
			lqname := sel + "._bimi." + dom
			ltext, ln, lerr := c.query(ctx, d, lqname)
			if lerr != nil {
				d.Status, d.Err, d.Name = DiscoveryStatusTempError, lerr, lqname
				return true
			}
			// Step 5: a valid record there is used; otherwise the
			// record found first.
			if ln == 1 {
				if lrec, err := ParseRecord(ltext); err == nil {
					rec, d.Text, d.Selector, d.Name = lrec, ltext, sel, lqname
				}
			}
		}
	}
	if perr != nil {
		d.Status, d.Err = DiscoveryStatusPermError, perr
		return true
	}
	d.Record = rec
	d.Status = DiscoveryStatusFound
	if rec.IsDeclination() {
		d.Status = DiscoveryStatusDeclined
	}
	return true
}

// query returns the only BIMI record at name and how many there were
// (records whose first tag is not v=BIMI1 are discarded, step 4).
func (c *Checker) query(ctx context.Context, d *Discovery, name string) (string, int, error) {
	d.Queried = append(d.Queried, name)
	txts, err := c.Resolver.LookupTXT(ctx, name)
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindOK:
	case domainauth.ErrorKindNotFound:
		return "", 0, nil
	default:
		return "", 0, fmt.Errorf("bimi: TXT %s: %w", name, domainauth.WrapDNSError(ctx, err))
	}
	var text string
	n := 0
	for _, t := range txts {
		if isBIMI(t) {
			text = t
			n++
		}
	}
	return text, n, nil
}

// isBIMI reports whether a TXT record starts with the v=BIMI1 tag.
func isBIMI(t string) bool {
	_, err := ParseRecord(t)
	return !errors.Is(err, ErrNotBIMI)
}

// NormalizeLocalPart turns an address's local-part into a local-part
// selector (draft -12 §4.5 step 3): the "+" extension removed, "_" and "."
// made "-" with each run of them (and of "-") made a single "-", leading and
// trailing "-" removed. It reports false
// when the result is empty, longer than 63 characters or has characters
// other than letters, digits and "-". The selector is returned in lower
// case, as selectors are case-insensitive.
func NormalizeLocalPart(localPart string) (string, bool) {
	if i := strings.IndexByte(localPart, '+'); i >= 0 {
		localPart = localPart[:i]
	}
	var b strings.Builder
	dash := false
	for i := 0; i < len(localPart); i++ {
		c := localPart[i]
		if c == '_' || c == '.' || c == '-' {
			// "_" and "." become "-"; a run of them (dashes included)
			// becomes a single "-".
			if !dash {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		dash = false
		if !isLDH(c) {
			return "", false
		}
		b.WriteByte(c)
	}
	s := strings.Trim(b.String(), "-")
	if s == "" || len(s) > 63 {
		return "", false
	}
	return strings.ToLower(s), true
}

// MatchesLocalPart reports whether a normalised local-part selector passes
// the record's lps= prefix list (draft -12 §4.5 step 4): an empty list
// matches everything; otherwise one prefix must be a prefix of it (compared
// without regard to case, selectors being case-insensitive).
func (r *Record) MatchesLocalPart(selector string) bool {
	if !r.HasLPS {
		return false
	}
	if len(r.LocalPartPrefixes) == 0 {
		return true
	}
	for _, p := range r.LocalPartPrefixes {
		if len(selector) >= len(p) && strings.EqualFold(selector[:len(p)], p) {
			return true
		}
	}
	return false
}
