package mtasts

import (
	"errors"
	"fmt"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/errs"
)

// Sentinel errors, matched with errors.Is on what this package returns.
var (
	// ErrNotSTS means a TXT record does not begin with v=STSv1 (RFC 8461
	// §3.1): it is not an MTA-STS record and discovery discards it.
	ErrNotSTS = errors.New("mtasts: not an MTA-STS record")
	// ErrNoRecord means no TXT record at _mta-sts.<domain> begins with
	// v=STSv1: the domain has no MTA-STS policy (RFC 8461 §3.1).
	ErrNoRecord = errs.New("mtasts: no MTA-STS record", domainauth.ErrNotFound)
	// ErrMultipleRecords means more than one TXT record at
	// _mta-sts.<domain> begins with v=STSv1. RFC 8461 §3.1: "If the number
	// of resulting records is not one ... senders MUST assume the recipient
	// domain does not have an available MTA-STS Policy".
	ErrMultipleRecords = errors.New("mtasts: more than one MTA-STS record")
	// ErrSyntax means a record or a policy does not follow the grammar of
	// RFC 8461 §3.1 or §3.2; it is wrapped in a *ParseError.
	ErrSyntax = errors.New("mtasts: syntax error")
	// ErrPolicyTooLarge means a policy is longer than the size limit
	// (RFC 8461 §3.3 suggests 64 kilobytes; see DefaultMaxPolicySize).
	ErrPolicyTooLarge = errors.New("mtasts: policy larger than the size limit")
	// ErrRedirect means the policy URL answered with a 3xx redirect, which
	// MUST NOT be followed (RFC 8461 §3.3).
	ErrRedirect = errors.New("mtasts: policy URL redirects")
	// ErrStatus means the policy URL answered with a status other than 200
	// (RFC 8461 §3.3: "only valid if the HTTP response code is 200").
	ErrStatus = errors.New("mtasts: policy URL did not answer 200 OK")
	// ErrContentType means the policy was not served as text/plain
	// (RFC 8461 §3.2).
	ErrContentType = errors.New("mtasts: policy not served as text/plain")
	// ErrCertificate means the policy host's certificate is not valid for
	// mta-sts.<domain> (RFC 8461 §3.3).
	ErrCertificate = errors.New("mtasts: certificate not valid for the policy host")
	// ErrCertificateUnknown means the fetcher returned no verified
	// certificate chain (a fake serving a file, or a client that skips
	// verification), so the certificate rule of RFC 8461 §3.3 could not be
	// checked. FetchOptions.AcceptUnverified accepts such a policy.
	ErrCertificateUnknown = errors.New("mtasts: certificate of the policy host not verified")
	// ErrFetch means the policy could not be fetched at all (connection,
	// TLS handshake, timeout); the Fetcher's error is wrapped as well.
	ErrFetch = errors.New("mtasts: policy fetch failed")
	// ErrLookup means the TXT lookup of _mta-sts.<domain> failed
	// temporarily; the resolver's error is wrapped as well.
	ErrLookup = errs.New("mtasts: TXT lookup failed", domainauth.ErrTemporary)
)

// ParseError describes a malformed MTA-STS record or policy. It wraps
// ErrSyntax, or ErrPolicyTooLarge for an oversized policy.
type ParseError struct {
	// What is "record" or "policy".
	What string
	// Line is the 1-based line of a policy; 0 for a record.
	Line int
	// Field is the key of the field concerned, if known.
	Field string
	// Offset is the byte offset of the problem in the input.
	Offset int
	// Msg says what is wrong.
	Msg string
	// Err is ErrSyntax or ErrPolicyTooLarge.
	Err error
}

// Error names the field, the line and the offset of the problem.
func (e *ParseError) Error() string {
	s := "mtasts: " + e.What
	if e.Line > 0 {
		s += fmt.Sprintf(" line %d", e.Line)
	}
	if e.Field != "" {
		s += fmt.Sprintf(" field %q", e.Field)
	}
	return s + fmt.Sprintf(" at offset %d: %s", e.Offset, e.Msg)
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }
