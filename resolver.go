package domainauth

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"
)

// Resolver is the DNS surface every package in this module uses.
// *net.Resolver satisfies it, so net.DefaultResolver works as is; zone.Zone
// satisfies it for tests, files and pre-publication checks.
//
// Errors follow *net.DNSError: an error for which IsNotFound reports true
// means NXDOMAIN or no records of the asked type (a "void" lookup in SPF
// terms); any other error is a temporary failure. Classify sorts them.
type Resolver interface {
	// LookupTXT returns the TXT records at name, each record's
	// character-strings joined into one string.
	LookupTXT(ctx context.Context, name string) ([]string, error)
	// LookupMX returns the MX records at name sorted by preference; hosts
	// end with a dot, and a null MX (RFC 7505) has host ".".
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	// LookupNetIP looks up host's addresses; network is "ip4" (A records),
	// "ip6" (AAAA) or "ip" (both).
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	// LookupAddr returns the names (ending with a dot) that PTR records
	// give for the address addr.
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// TXTStringsResolver is an optional capability of a Resolver: it returns the
// TXT records at name with their character-strings kept apart, one []string
// per record. *net.Resolver cannot offer it (it joins the strings); zone.Zone
// does. The spf lint uses it for the 255-byte string check; without it that
// check reports "unknown" (spf.long-string-unknown) instead of "ok".
type TXTStringsResolver interface {
	LookupTXTStrings(ctx context.Context, name string) ([][]string, error)
}

// CNAMEResolver is an optional capability of a Resolver: it returns the
// target of the CNAME record owned by name itself (one hop, no chain
// following, trailing dot removed). A name without a CNAME gives a not-found
// error. The ses audit uses it for the Easy DKIM records and the MAIL FROM
// conflict checks, mx for MX targets that are aliases (RFC 2181 §10.3) and
// the domainauth command for DKIM selectors published as CNAMEs.
// The method deliberately differs from net.Resolver.LookupCNAME, which
// follows the chain and cannot tell "no CNAME" from "a CNAME".
type CNAMEResolver interface {
	LookupCNAMETarget(ctx context.Context, name string) (string, error)
}

// ExistenceResolver is an optional capability of a Resolver: it tells
// NXDOMAIN (the name does not exist) from NODATA (the name exists, perhaps
// only as an empty non-terminal, but has no records of the asked type), which
// the not-found errors of the other methods cannot. LookupExists returns
// (false, nil) for NXDOMAIN, (true, nil) for a name that exists, and an error
// only when the answer could not be had (a temporary failure).
//
// dmarc uses it for the np= policy (RFC 9989 §4.7: a non-existent domain is
// one that yields NXDOMAIN), and the audit uses it to refuse a resolver that
// answers NXDOMAIN for every name (some networks do), by checking that a name
// that must exist, such as the domain's top-level domain, exists.
type ExistenceResolver interface {
	LookupExists(ctx context.Context, name string) (bool, error)
}

// A fourth, narrower capability lives where it is used: spf.SPFRRResolver
// (LookupSPFRR) lets the spf linter see deprecated type SPF (99) records.
// zone.Zone implements all four.

// Clock gives the current time: DKIM t= and x=, the SPF %{t} macro and
// report windows all read it. A nil Clock means the system clock; see Now.
type Clock interface{ Now() time.Time }

// ClockFunc adapts a function to the Clock interface.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// FixedClock is a Clock that always reports the same instant; for tests and
// for reproducing an evaluation at a given moment.
type FixedClock time.Time

// Now returns the fixed instant.
func (c FixedClock) Now() time.Time { return time.Time(c) }

// Now returns c.Now(), or the system time when c is nil. Packages call it
// instead of time.Now so that a nil Clock field means "the real clock".
func Now(c Clock) time.Time {
	if c == nil {
		return time.Now()
	}
	return c.Now()
}

// ErrorKind classifies the outcome of a DNS lookup.
type ErrorKind uint8

// The kinds of DNS outcome. Their order carries no meaning.
const (
	// ErrorKindOK means the lookup succeeded (a nil error).
	ErrorKindOK ErrorKind = iota
	// ErrorKindNotFound means NXDOMAIN or no records of the asked type: a void
	// lookup (RFC 7208 §4.6.4).
	ErrorKindNotFound
	// ErrorKindTemporary means any other failure: a timeout, SERVFAIL, a refused or
	// unreachable server. SPF and DMARC map it to temperror.
	ErrorKindTemporary
	// ErrorKindCanceled means the caller's own context was cancelled or ran out of
	// time. It is kept apart from Temporary so that an evaluation abandoned by
	// its caller is not mistaken for a fault of the queried domain.
	ErrorKindCanceled
)

// String returns "ok", "not-found", "temporary" or "canceled".
func (k ErrorKind) String() string {
	switch k {
	case ErrorKindOK:
		return "ok"
	case ErrorKindNotFound:
		return "not-found"
	case ErrorKindTemporary:
		return "temporary"
	case ErrorKindCanceled:
		return "canceled"
	}
	return "unknown"
}

// Classify sorts the error a Resolver returned. ctx is the context the lookup
// ran under (nil is allowed): when it is done, the outcome is Canceled
// whatever the error says, since a resolver usually reports its caller's
// deadline as a timeout.
func Classify(ctx context.Context, err error) ErrorKind {
	if err == nil {
		return ErrorKindOK
	}
	if ctx != nil && ctx.Err() != nil {
		return ErrorKindCanceled
	}
	return classify(err)
}

// classify is Classify without a context.
func classify(err error) ErrorKind {
	if err == nil {
		return ErrorKindOK
	}
	// The common void lookup, a bare not-found *net.DNSError that wraps
	// nothing, is answered without walking the chain: Classify runs on every
	// void lookup of an SPF evaluation.
	if dnsErr, ok := err.(*net.DNSError); ok && dnsErr.IsNotFound && dnsErr.UnwrapErr == nil {
		return ErrorKindNotFound
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ErrorKindCanceled
	}
	// errors.AsType, unlike errors.As, does not allocate.
	if dnsErr, ok := errors.AsType[*net.DNSError](err); ok && dnsErr.IsNotFound {
		return ErrorKindNotFound
	}
	return ErrorKindTemporary
}

// IsNotFound reports whether err says the name or the record type does not
// exist: a void lookup.
func IsNotFound(err error) bool { return classify(err) == ErrorKindNotFound }

// NotFoundError returns the error a Resolver gives for NXDOMAIN or no data at
// name, in the form *net.Resolver uses.
func NotFoundError(name string) *net.DNSError {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// TemporaryError returns a temporary-failure error for name with the text
// msg (for example "server misbehaving", the text *net.Resolver uses for
// SERVFAIL). TimeoutError is the one for a lookup that timed out.
func TemporaryError(name, msg string) *net.DNSError {
	return &net.DNSError{Err: msg, Name: name, IsTemporary: true}
}

// TimeoutError returns the error a Resolver gives when a lookup of name
// timed out ("i/o timeout"): a temporary failure that reports itself as a
// timeout.
func TimeoutError(name string) *net.DNSError {
	return &net.DNSError{Err: "i/o timeout", Name: name, IsTimeout: true, IsTemporary: true}
}
