package domainauth

import (
	"context"
	"errors"
)

// The module-wide error sentinels. Every package wraps the one that fits a
// failed DNS lookup, whatever its own error says, so that
//
//	errors.Is(err, domainauth.ErrTemporary)
//
// holds for a SERVFAIL or a timeout met by spf, dkim, dmarc, mx, mtasts,
// tlsrpt or bimi alike. A package's own sentinel for the same condition
// (spf.ErrDNS, mtasts.ErrLookup, dkim.ErrNoKey, ...) stays, and matches the
// module-wide one too.
var (
	// ErrTemporary: a DNS lookup failed temporarily (SERVFAIL, a timeout,
	// a refused or unreachable server: ErrorKindTemporary). SPF, DKIM and
	// DMARC map it to temperror. The caller's own cancelled or expired
	// context is not a temporary failure of the domain and does not match.
	ErrTemporary = errors.New("temporary DNS failure")
	// ErrNotFound: the name does not exist (NXDOMAIN) or has no records of
	// the type asked (ErrorKindNotFound), or, where a package looks for a
	// record of its protocol at a name (a DKIM key, an SPF include target,
	// an MTA-STS or TLSRPT record), it has none.
	ErrNotFound = errors.New("DNS name or record not found")
)

// WrapDNSError returns err, the error a Resolver gave for a lookup made
// under ctx, marked with the module-wide sentinel of its kind (see
// Classify): errors.Is reports ErrTemporary or ErrNotFound for the result,
// whose text is err's and through which errors.As still finds the
// *net.DNSError. A nil err, the error of a lookup cut short by ctx
// (ErrorKindCanceled) and an error already marked are returned as they are.
func WrapDNSError(ctx context.Context, err error) error {
	var kind error
	switch Classify(ctx, err) {
	case ErrorKindTemporary:
		kind = ErrTemporary
	case ErrorKindNotFound:
		kind = ErrNotFound
	default:
		return err
	}
	if errors.Is(err, kind) {
		return err
	}
	return &kindError{err: err, kind: kind}
}

// kindError is a Resolver's error marked with its kind.
type kindError struct{ err, kind error }

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.err, e.kind} }
