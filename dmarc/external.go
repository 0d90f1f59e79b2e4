package dmarc

import (
	"context"
	"errors"
	"fmt"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// DestinationStatus says whether reports may be sent to a reporting URI.
type DestinationStatus uint8

// The destination outcomes.
const (
	// DestinationStatusInternal: the destination host has the same
	// Organizational Domain as the policy domain; no check is needed.
	DestinationStatusInternal DestinationStatus = iota
	// DestinationStatusAuthorized: an external destination that publishes an
	// authorising record at <policy-domain>._report._dmarc.<host>.
	DestinationStatusAuthorized
	// DestinationStatusUnauthorized: an external destination without a valid
	// authorising record, or whose override points elsewhere; reports
	// must not be sent to it.
	DestinationStatusUnauthorized
	// DestinationStatusTempError: the check failed temporarily; the receiver may
	// retry later (RFC 9990 §3 step 5).
	DestinationStatusTempError
	// DestinationStatusInvalid: the URI is malformed or has no host to check.
	DestinationStatusInvalid
)

// String returns "internal", "authorized", "unauthorized", "temperror" or
// "invalid".
func (s DestinationStatus) String() string {
	switch s {
	case DestinationStatusAuthorized:
		return "authorized"
	case DestinationStatusUnauthorized:
		return "unauthorized"
	case DestinationStatusTempError:
		return "temperror"
	case DestinationStatusInvalid:
		return "invalid"
	}
	return "internal"
}

// Destination is the verdict on one reporting URI.
type Destination struct {
	URI    URI
	Host   string // the destination host, canonical
	Status DestinationStatus
	// Queried is the authorisation name looked up, for external hosts.
	Queried string
	// Override holds the URIs of the authorising record's rua (or ruf)
	// tag, which replace URI (RFC 9990 §3 step 9). Their host is the
	// destination host; otherwise Status is DestinationStatusUnauthorized.
	Override []URI
	Err      error
}

// ErrOverrideHost means an authorising record names a URI on another host,
// so no report may go to either (RFC 9990 §3, RFC 7489 §7.1).
var ErrOverrideHost = errors.New("dmarc: override URI names a different destination host")

// ReportKind says which list a reporting URI comes from: rua for
// aggregate reports, ruf for failure reports. The zero value is
// ReportKindAggregate.
type ReportKind uint8

// The report kinds.
const (
	ReportKindAggregate ReportKind = iota // rua (RFC 9990)
	ReportKindFailure                     // ruf (RFC 9991)
)

// String returns "rua" or "ruf", the tag of the list.
func (k ReportKind) String() string {
	if k == ReportKindFailure {
		return "ruf"
	}
	return "rua"
}

// CheckDestinations verifies every URI of a rua or ruf list (kind)
// published by policyDomain: "Verifying External Destinations" of RFC 9990
// §3 and RFC 7489 §7.1 (RFC 9989 §11.6).
func (c *Checker) CheckDestinations(ctx context.Context, policyDomain string, uris []URI, kind ReportKind) []Destination {
	w := newWalker(c)
	out := make([]Destination, 0, len(uris))
	for _, u := range uris {
		out = append(out, c.checkDestination(ctx, w, policyDomain, u, kind))
	}
	return out
}

// CheckDestination verifies one reporting URI of a rua or ruf list (kind)
// published by policyDomain; see CheckDestinations.
func (c *Checker) CheckDestination(ctx context.Context, policyDomain string, u URI, kind ReportKind) Destination {
	return c.checkDestination(ctx, newWalker(c), policyDomain, u, kind)
}

func (c *Checker) checkDestination(ctx context.Context, w *walker, policyDomain string, u URI, kind ReportKind) Destination {
	d := Destination{URI: u}
	if err := u.Check(); err != nil {
		d.Status, d.Err = DestinationStatusInvalid, err
		return d
	}
	host, err := u.Host()
	if err != nil {
		d.Status, d.Err = DestinationStatusInvalid, err
		return d
	}
	d.Host = host
	pd, err := canonicalDomain("policy domain", policyDomain)
	if err != nil {
		d.Status, d.Err = DestinationStatusInvalid, err
		return d
	}
	if host == pd {
		return d
	}
	orgP, err := w.orgDomain(ctx, pd)
	if err == nil {
		var orgH string
		if orgH, err = w.orgDomain(ctx, host); err == nil && orgH == orgP {
			return d
		}
	}
	if err != nil {
		d.Status, d.Err = DestinationStatusTempError, err
		return d
	}

	// Steps 1-4: <policy-domain>._report._dmarc.<destination host>.
	d.Queried = pd + "._report._dmarc." + host
	if err := dnsname.Check(d.Queried); err != nil {
		d.Status, d.Err = DestinationStatusUnauthorized, fmt.Errorf("dmarc: authorisation name: %w", err)
		return d
	}
	txts, err := w.authorisation(ctx, d.Queried)
	if errors.Is(err, ErrTooManyQueries) {
		d.Status, d.Err = DestinationStatusTempError, err
		return d
	}
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindOK:
	case domainauth.ErrorKindNotFound:
		d.Status, d.Err = DestinationStatusUnauthorized, fmt.Errorf("dmarc: no authorisation record at %s", d.Queried)
		return d
	default:
		d.Status, d.Err = DestinationStatusTempError, fmt.Errorf("dmarc: query %s: %w", d.Queried, domainauth.WrapDNSError(ctx, contextErr(ctx, err)))
		return d
	}
	// Steps 6-8: any record that starts with v=DMARC1 and parses authorises.
	d.Status = DestinationStatusUnauthorized
	d.Err = fmt.Errorf("dmarc: no DMARC1 record at %s", d.Queried)
	for _, t := range txts {
		rec, err := ParseRecord(t)
		if err != nil && !errors.Is(err, ErrInvalidPolicy) {
			continue
		}
		d.Status, d.Err = DestinationStatusAuthorized, nil
		if rec == nil {
			continue
		}
		over := rec.AggregateURIs
		if kind == ReportKindFailure {
			over = rec.FailureURIs
		}
		// Step 9: an override must keep the destination host.
		for _, o := range over {
			if h, err := o.Host(); err != nil || h != host {
				d.Status, d.Err = DestinationStatusUnauthorized, fmt.Errorf("%w: %q", ErrOverrideHost, o.String())
				d.Override = nil
				return d
			}
		}
		if len(over) > 0 {
			d.Override = over
		}
	}
	return d
}

// authAnswer is the answer to an authorisation query.
type authAnswer struct {
	txts []string
	err  error
}

// authorisation looks up the TXT records at an authorisation name. The
// query counts against Checker.MaxQueries like the tree walks' queries,
// and answers are shared, so that a rua list of a thousand URIs of one
// host costs one query and one of a thousand hosts stops at the bound.
func (w *walker) authorisation(ctx context.Context, name string) ([]string, error) {
	if a, ok := w.auth[name]; ok {
		return a.txts, a.err
	}
	if err := w.count(name); err != nil {
		return nil, err
	}
	txts, err := w.c.Resolver.LookupTXT(ctx, name)
	if w.auth == nil {
		w.auth = make(map[string]authAnswer)
	}
	w.auth[name] = authAnswer{txts, err}
	return txts, err
}
