package dmarc

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
	"golang.org/x/net/publicsuffix"
)

// Mode selects the specification whose receiver behaviour applies.
type Mode uint8

const (
	// ModeRFC9989 (the zero value) discovers policy and Organizational Domains
	// with the DNS tree walk of RFC 9989 §4.10, honours t= and np=, and
	// ignores pct=.
	ModeRFC9989 Mode = iota
	// ModeRFC7489 discovers policy at the Author Domain and then at its
	// Organizational Domain taken from the public suffix list (RFC 7489
	// §3.2, §6.6.3), and applies pct= sampling (§6.6.4). t=, np= and psd=
	// are ignored.
	ModeRFC7489
)

// String returns "RFC 9989" or "RFC 7489".
func (m Mode) String() string {
	if m == ModeRFC7489 {
		return "RFC 7489"
	}
	return "RFC 9989"
}

// MaxTreeWalkQueries is the RFC 9989 §4.10 bound on the queries of one DNS
// tree walk.
const MaxTreeWalkQueries = 8

// DefaultMaxQueries is the default of Checker.MaxQueries: the Author
// Domain's tree walk and three more full walks.
const DefaultMaxQueries = 4 * MaxTreeWalkQueries

// Checker discovers DMARC policies and evaluates messages against them. A
// Checker with a Resolver is ready to use; the zero value of every other
// field is the RFC 9989 default. It is safe for concurrent use.
type Checker struct {
	// Resolver answers DNS queries. Required.
	Resolver domainauth.Resolver

	// Mode selects RFC 9989 (default) or RFC 7489 behaviour.
	Mode Mode

	// PublicSuffix returns the public suffix of a canonical domain name,
	// for RFC 7489 mode. If nil, golang.org/x/net/publicsuffix (the
	// compiled-in public suffix list, ICANN and private sections).
	PublicSuffix func(domain string) string

	// Rand picks the messages that pct= applies to in RFC 7489 mode: a
	// message is selected when Rand.IntN(100) < pct (RFC 7489 §6.3). If nil,
	// math/rand/v2's global source. A *rand.Rand satisfies it but is not
	// safe for concurrent use: guard it when the Checker is shared.
	Rand interface{ IntN(n int) int }

	// DomainExists tells whether a domain exists, for np= (RFC 9989
	// §3.2.13: NXDOMAIN means it does not); it overrides the Resolver. If
	// nil and the Resolver implements domainauth.ExistenceResolver, its
	// LookupExists decides (NXDOMAIN against NODATA, exactly). Otherwise
	// the domain exists when an address, MX or TXT lookup returns data,
	// an approximation: a plain Resolver cannot tell NXDOMAIN from NODATA.
	DomainExists func(ctx context.Context, domain string) (bool, error)

	// MaxQueries bounds the DMARC TXT queries of one Evaluate, Lookup,
	// Aligned or CheckDestinations call, over all its tree walks and
	// authorisation queries (answers are shared, so repeated names count
	// once). A walk that would exceed it fails with ErrTooManyQueries,
	// which counts as a temporary error for the identifier or destination
	// concerned. If zero, DefaultMaxQueries (32): the Author Domain's walk
	// and three more full walks.
	MaxQueries int

	// MaxAuthorDomains bounds how many Author Domains EvaluateAll processes
	// (RFC 9989 §11.5). If zero, 4.
	MaxAuthorDomains int
}

// Source says where the applied DMARC Policy Record was found
// (RFC 9989 §4.10.1).
type Source uint8

// The sources of a policy record.
const (
	SourceNone           Source = iota // no record applies
	SourceAuthor                       // at the Author Domain itself
	SourceOrganizational               // at the Author Domain's Organizational Domain
	SourcePSD                          // at its Public Suffix Domain (psd=y)
)

// String returns "none", "author", "organizational" or "psd".
func (s Source) String() string {
	switch s {
	case SourceAuthor:
		return "author"
	case SourceOrganizational:
		return "organizational"
	case SourcePSD:
		return "psd"
	}
	return "none"
}

// DiscoveryStatus is the outcome of policy discovery.
type DiscoveryStatus uint8

// The discovery outcomes.
const (
	// DiscoveryStatusNone: no DMARC Policy Record applies; DMARC does not apply.
	DiscoveryStatusNone DiscoveryStatus = iota
	// DiscoveryStatusFound: Record holds the applicable DMARC Policy Record.
	DiscoveryStatusFound
	// DiscoveryStatusTempError: a DNS query failed temporarily (or ctx ended).
	DiscoveryStatusTempError
	// DiscoveryStatusPermError: the applicable record is broken (Err says why), so
	// no DMARC processing applies (RFC 9989 §4.10.1).
	DiscoveryStatusPermError
)

// String returns "found", "none", "temperror" or "permerror".
func (s DiscoveryStatus) String() string {
	switch s {
	case DiscoveryStatusFound:
		return "found"
	case DiscoveryStatusTempError:
		return "temperror"
	case DiscoveryStatusPermError:
		return "permerror"
	}
	return "none"
}

// Discovery is the result of DMARC policy discovery for one Author Domain.
type Discovery struct {
	Status DiscoveryStatus
	// AuthorDomain is the domain looked up, in canonical form.
	AuthorDomain string
	// Record is the DMARC Policy Record that applies; nil unless
	// Status is DiscoveryStatusFound.
	Record *Record
	// PolicyDomain is the domain whose record applies ("" if none).
	PolicyDomain string
	// Source says why that domain's record applies.
	Source Source
	// OrgDomain is the Organizational Domain of the Author Domain
	// (RFC 9989 §4.10.2; RFC 7489 §3.2 in RFC 7489 mode); the Author
	// Domain itself when nothing else was determined.
	OrgDomain string
	// Queried lists the TXT names queried, in order.
	Queried []string
	// Multiple lists the names at which more than one DMARC record was
	// found; they were discarded (RFC 9989 §4.10 step 2).
	Multiple []string
	// Err explains DiscoveryStatusTempError and DiscoveryStatusPermError.
	Err error
}

// Lookup discovers the DMARC policy for fromDomain with the RFC 9989 DNS
// tree walk, using r for DNS. It is (&Checker{Resolver: r}).Lookup.
func Lookup(ctx context.Context, r domainauth.Resolver, fromDomain string) *Discovery {
	c := Checker{Resolver: r}
	return c.Lookup(ctx, fromDomain)
}

// Lookup discovers the DMARC Policy Record that applies to mail whose
// RFC5322.From domain is fromDomain (RFC 9989 §4.10.1, or RFC 7489
// §6.6.3 in RFC 7489 mode). fromDomain may use U-labels.
func (c *Checker) Lookup(ctx context.Context, fromDomain string) *Discovery {
	d := &Discovery{}
	name, err := canonicalDomain("author domain", fromDomain)
	if err != nil {
		d.Status, d.Err = DiscoveryStatusPermError, err
		return d
	}
	d.AuthorDomain = name
	w := newWalker(c)
	c.discover(ctx, w, d)
	return d
}

func (c *Checker) discover(ctx context.Context, w *walker, d *Discovery) {
	name := d.AuthorDomain
	if c.Mode == ModeRFC7489 {
		c.discover7489(ctx, w, d)
		return
	}
	tw := w.walk(ctx, name)
	d.Queried = tw.queried
	d.Multiple = tw.multiple
	if tw.err != nil {
		d.Status, d.Err = DiscoveryStatusTempError, tw.err
		return
	}
	d.OrgDomain = tw.orgDomain(name)
	// RFC 9989 §4.10.1: the Author Domain's record first, then that of its
	// Organizational Domain, then that of its Public Suffix Domain.
	var f *found
	switch {
	case len(tw.found) > 0 && tw.found[0].name == name:
		f, d.Source = &tw.found[0], SourceAuthor
	default:
		for i := range tw.found {
			if tw.found[i].name == d.OrgDomain && tw.found[i].rec != nil {
				f, d.Source = &tw.found[i], SourceOrganizational
				break
			}
		}
		if f == nil {
			for i := range tw.found {
				if tw.found[i].rec != nil && tw.found[i].rec.PSD == PSDYes {
					f, d.Source = &tw.found[i], SourcePSD
					break
				}
			}
		}
		if f == nil {
			// No valid record applies. A broken record above the Author
			// Domain is reported (permerror) rather than silently
			// ignored; it never outranks a valid one, so that a broken
			// record at, say, a TLD cannot take over its subtree.
			for i := range tw.found {
				if tw.found[i].rec == nil {
					f, d.Source = &tw.found[i], SourceOrganizational
					break
				}
			}
		}
	}
	if f == nil {
		d.Status = DiscoveryStatusNone
		return
	}
	d.PolicyDomain = f.name
	if f.err != nil {
		d.Status, d.Err = DiscoveryStatusPermError, f.err
		return
	}
	d.Status, d.Record = DiscoveryStatusFound, f.rec
}

// discover7489 is RFC 7489 §6.6.3: the Author Domain, then its
// Organizational Domain from the public suffix list; a name with several
// DMARC records ends discovery.
func (c *Checker) discover7489(ctx context.Context, w *walker, d *Discovery) {
	name := d.AuthorDomain
	d.OrgDomain = c.orgDomainPSL(name)
	for _, target := range [2]string{name, d.OrgDomain} {
		if target == name && len(d.Queried) > 0 {
			break // the Organizational Domain is the Author Domain
		}
		q := w.query(ctx, target)
		d.Queried = append(d.Queried, q.qname)
		switch {
		case q.err != nil:
			d.Status, d.Err = DiscoveryStatusTempError, q.err
			return
		case q.n > 1:
			d.Multiple = append(d.Multiple, target)
			d.Status = DiscoveryStatusNone
			return
		case q.n == 0:
			continue
		}
		d.PolicyDomain = target
		d.Source = SourceAuthor
		if target != name {
			d.Source = SourceOrganizational
		}
		if q.recErr != nil {
			d.Status, d.Err = DiscoveryStatusPermError, q.recErr
			return
		}
		// RFC 7489 §6.3 makes p required: without it the record acts as
		// p=none only when rua has a valid URI (§6.6.3 step 6).
		if q.rec.Policy == PolicyUnset && !q.rec.Explicit.Has(TagP) && !hasValidURI(q.rec.AggregateURIs) {
			d.Status = DiscoveryStatusPermError
			d.Err = &ParseError{Record: q.text, Tag: "p", Msg: "no p tag and no valid rua URI (RFC 7489 §6.6.3)", Err: ErrInvalidPolicy}
			return
		}
		d.Status, d.Record = DiscoveryStatusFound, q.rec
		return
	}
	d.Status = DiscoveryStatusNone
}

// OrgDomain returns the Organizational Domain of name: by DNS tree walk
// (RFC 9989 §4.10.2) or, in RFC 7489 mode, from the public suffix list
// (RFC 7489 §3.2). The error is a DNS failure of the tree walk.
func (c *Checker) OrgDomain(ctx context.Context, name string) (string, error) {
	n, err := canonicalDomain("domain", name)
	if err != nil {
		return "", err
	}
	return newWalker(c).orgDomain(ctx, n)
}

// OrgDomainPSL returns the RFC 7489 §3.2 Organizational Domain of a
// canonical domain name according to golang.org/x/net/publicsuffix: the
// public suffix plus one label, or name itself when it is a public suffix.
func OrgDomainPSL(name string) string {
	return orgFromSuffix(name, publicSuffix(name))
}

func publicSuffix(name string) string {
	s, _ := publicsuffix.PublicSuffix(name)
	return s
}

func (c *Checker) orgDomainPSL(name string) string {
	if c.PublicSuffix != nil {
		return orgFromSuffix(name, c.PublicSuffix(name))
	}
	return OrgDomainPSL(name)
}

func orgFromSuffix(name, suffix string) string {
	if suffix == "" || len(suffix) >= len(name) || !dnsname.IsSubdomain(name, suffix) {
		return name
	}
	rest := name[:len(name)-len(suffix)-1]
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

func (c *Checker) intn(n int) int {
	if c.Rand != nil {
		return c.Rand.IntN(n)
	}
	return rand.IntN(n)
}

// found is one name of a tree walk at which exactly one DMARC record was
// found: rec when it parsed, err when it is broken.
type found struct {
	name string
	rec  *Record
	err  error
}

type treeWalk struct {
	start    string
	found    []found // longest name first
	queried  []string
	multiple []string
	err      error // temporary DNS failure
}

// walker runs tree walks for one evaluation, remembering the answers so
// that the walks for the Author Domain and the identifiers share queries.
type walker struct {
	c       *Checker
	cache   map[string]queryResult
	auth    map[string]authAnswer // authorisation queries (RFC 9990 §3)
	queries int
}

// ErrTooManyQueries means an evaluation reached Checker.MaxQueries.
var ErrTooManyQueries = errors.New("dmarc: too many DNS queries for one evaluation")

func newWalker(c *Checker) *walker { return &walker{c: c} }

// count charges one query for qname against Checker.MaxQueries, or fails
// with ErrTooManyQueries when none is left.
func (w *walker) count(qname string) error {
	limit := w.c.MaxQueries
	if limit <= 0 {
		limit = DefaultMaxQueries
	}
	if w.queries >= limit {
		return fmt.Errorf("%w (%d) at %s", ErrTooManyQueries, limit, qname)
	}
	w.queries++
	return nil
}

type queryResult struct {
	qname  string
	n      int // DMARC records at the name
	text   string
	rec    *Record
	recErr error // the single DMARC record is broken
	err    error // temporary failure
}

// query looks up the DMARC records at _dmarc.<name>.
func (w *walker) query(ctx context.Context, name string) queryResult {
	if q, ok := w.cache[name]; ok {
		return q
	}
	q := queryResult{qname: "_dmarc." + name}
	if q.err = w.count(q.qname); q.err != nil {
		return q // not cached: the limit is not a property of the name
	}
	txts, err := w.c.Resolver.LookupTXT(ctx, q.qname)
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindOK, domainauth.ErrorKindNotFound:
		for _, t := range txts {
			rec, perr := parseRecord(t, w.c.Mode)
			if errors.Is(perr, ErrNotDMARC) {
				continue // RFC 9989 §4.10 step 2: not a DMARC record
			}
			q.n++
			q.text, q.rec, q.recErr = t, rec, perr
		}
		if q.n != 1 {
			q.rec, q.recErr, q.text = nil, nil, ""
		}
	case domainauth.ErrorKindCanceled:
		q.err = fmt.Errorf("dmarc: query %s: %w", q.qname, contextErr(ctx, err))
	default:
		q.err = fmt.Errorf("dmarc: query %s: %w", q.qname, domainauth.WrapDNSError(ctx, err))
	}
	if w.cache == nil {
		w.cache = make(map[string]queryResult)
	}
	w.cache[name] = q
	return q
}

func contextErr(ctx context.Context, err error) error {
	if ctx != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// walk runs the DNS tree walk of RFC 9989 §4.10 from start: start itself,
// then (for more than 8 labels) the 7-label suffix, then each parent up to
// the top-level domain; at most 8 queries. It stops at a record with
// psd=y or psd=n.
func (w *walker) walk(ctx context.Context, start string) *treeWalk {
	tw := &treeWalk{start: start}
	target := start
	for i := 0; target != "" && i < MaxTreeWalkQueries; i++ {
		q := w.query(ctx, target)
		tw.queried = append(tw.queried, q.qname)
		if q.err != nil {
			tw.err = q.err
			return tw
		}
		if q.n > 1 {
			tw.multiple = append(tw.multiple, target)
		}
		if q.n == 1 {
			tw.found = append(tw.found, found{target, q.rec, q.recErr})
			if q.rec != nil && (q.rec.PSD == PSDYes || q.rec.PSD == PSDNo) {
				return tw
			}
		}
		if i == 0 {
			// Steps 3-4: skip to seven labels for long names.
			if n := dnsname.Labels(target); n > 8 {
				target = lastLabels(target, 7)
				continue
			}
		}
		target = dnsname.Parent(target)
	}
	return tw
}

// orgDomain selects the Organizational Domain from a finished walk
// (RFC 9989 §4.10.2).
func (tw *treeWalk) orgDomain(start string) string {
	for _, f := range tw.found {
		if f.rec == nil {
			continue
		}
		switch f.rec.PSD {
		case PSDNo:
			return f.name // rule 1
		case PSDYes:
			if f.name != start {
				return childOf(start, f.name) // rule 2
			}
		}
	}
	// Rule 3: the valid record with the fewest labels. Broken records
	// (ParseRecord errors) are not valid DMARC Policy Records and do not
	// count, or a broken record at a TLD would put every name under it in
	// one Organizational Domain and align them all.
	for i := len(tw.found) - 1; i >= 0; i-- {
		if tw.found[i].rec != nil {
			return tw.found[i].name
		}
	}
	return start
}

// orgDomain returns the Organizational Domain of a canonical name.
func (w *walker) orgDomain(ctx context.Context, name string) (string, error) {
	if w.c.Mode == ModeRFC7489 {
		return w.c.orgDomainPSL(name), nil
	}
	tw := w.walk(ctx, name)
	if tw.err != nil {
		return "", tw.err
	}
	return tw.orgDomain(name), nil
}

// childOf returns the ancestor of name (or name) that has one label more
// than parent.
func childOf(name, parent string) string {
	rest := name[:len(name)-len(parent)-1]
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// lastLabels returns the last n labels of name.
func lastLabels(name string, n int) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			n--
			if n == 0 {
				return name[i+1:]
			}
		}
	}
	return name
}
