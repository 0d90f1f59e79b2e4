package mtasts

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// PolicyHost returns the Policy Host of domain: "mta-sts." + domain
// (RFC 8461 §3.2).
func PolicyHost(domain string) string {
	return "mta-sts." + strings.TrimSuffix(domain, ".")
}

// PolicyURL returns the URL of domain's policy:
// https://mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461 §3.2).
func PolicyURL(domain string) string {
	return "https://" + PolicyHost(domain) + "/.well-known/mta-sts.txt"
}

// DefaultFetchTimeout is the default time limit of a policy fetch: one
// minute, the timeout RFC 8461 §3.3 suggests.
const DefaultFetchTimeout = time.Minute

// FetchOptions are the options of FetchPolicy. The zero value applies the
// RFC's suggestions and every rule of RFC 8461 §3.3.
type FetchOptions struct {
	// MaxSize bounds the policy body in bytes; a longer body is an error
	// wrapping ErrPolicyTooLarge. If zero, DefaultMaxPolicySize (64 KiB).
	MaxSize int64
	// Timeout bounds the fetch, on top of ctx and the client's own
	// timeout. If zero, DefaultFetchTimeout (one minute); negative means
	// no limit but ctx's.
	Timeout time.Duration
	// AcceptUnverified accepts a policy for which the fetcher returned no
	// verified certificate chain, reporting CertStatusUnknown instead of failing
	// with ErrCertificateUnknown: for offline checks of a policy read from
	// a file (see StaticFetcher). A sender never sets it.
	AcceptUnverified bool
}

func (o *FetchOptions) maxSize() int64 {
	if o.MaxSize <= 0 {
		return DefaultMaxPolicySize
	}
	return o.MaxSize
}

// CertStatus says what is known of the policy host's certificate.
type CertStatus uint8

// Certificate states.
const (
	// CertStatusUnknown: no verified chain came with the answer (a file, a
	// fake fetcher, or a client that skips verification).
	CertStatusUnknown CertStatus = iota
	// CertStatusValid: the TLS layer verified the chain against the client's
	// roots and the leaf is valid for mta-sts.<domain>.
	CertStatusValid
	// CertStatusInvalid: the leaf is not valid for mta-sts.<domain>.
	CertStatusInvalid
)

// String returns "unknown", "valid" or "invalid".
func (s CertStatus) String() string {
	switch s {
	case CertStatusUnknown:
		return "unknown"
	case CertStatusValid:
		return "valid"
	case CertStatusInvalid:
		return "invalid"
	}
	return fmt.Sprintf("cert-status(%d)", uint8(s))
}

// Fetched is the outcome of FetchPolicy.
type Fetched struct {
	// URL is the policy URL fetched.
	URL string
	// Result is what the fetcher returned; nil when it returned an error.
	Result *domainauth.FetchResult
	// Certificate is what is known of the policy host's certificate.
	Certificate CertStatus
	// Policy is the parsed policy; nil on error.
	Policy *Policy
}

// FetchPolicy fetches domain's policy through f and applies the rules of
// RFC 8461 §3.2 and §3.3 to what f returns: the answer must come with a
// certificate chain the TLS layer verified whose leaf is valid for
// mta-sts.<domain> (ErrCertificate; ErrCertificateUnknown when there is no
// verified chain, unless opt.AcceptUnverified), the status must be 200 (a
// redirect, which f must not have followed, gives ErrRedirect naming its
// Location; any other status ErrStatus), the media type text/plain, any
// parameters allowed (ErrContentType), and the body at most opt.MaxSize
// bytes (ErrPolicyTooLarge) and a valid policy (a *ParseError). An error of
// f itself is wrapped with ErrFetch. The Fetched value is returned in every
// case, with what was learnt. domain is normalised first (lower case,
// A-labels, no trailing dot).
//
// The chain's trust and expiry are the TLS layer's work (the roots of the
// client behind f); FetchPolicy checks the host name on the leaf, with
// x509.Certificate.VerifyHostname: DNS-ID subject alternative names only,
// a wildcard only as the whole leftmost label (§3.3). HTTP caching is not
// used: the library keeps no HTTP cache.
func FetchPolicy(ctx context.Context, f domainauth.Fetcher, domain string, opt FetchOptions) (*Fetched, error) {
	out := &Fetched{URL: PolicyURL(domain)}
	d, err := dnsname.Normalize(domain)
	if err != nil {
		return out, fmt.Errorf("mtasts: policy domain: %w", err)
	}
	domain = d
	out.URL = PolicyURL(domain)
	timeout := opt.Timeout
	if timeout == 0 {
		timeout = DefaultFetchTimeout
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	limit := opt.maxSize()
	res, err := f.Fetch(ctx, out.URL, limit)
	if err != nil {
		return out, fmt.Errorf("%w: %s: %w", ErrFetch, out.URL, err)
	}
	if res == nil {
		return out, fmt.Errorf("%w: %s: the fetcher returned neither a result nor an error", ErrFetch, out.URL)
	}
	out.Result = res
	host := PolicyHost(domain)
	if len(res.VerifiedChains) > 0 && len(res.VerifiedChains[0]) > 0 {
		if err := res.VerifiedChains[0][0].VerifyHostname(host); err != nil {
			out.Certificate = CertStatusInvalid
			return out, fmt.Errorf("%w: %s: %w", ErrCertificate, host, err)
		}
		out.Certificate = CertStatusValid
	} else if !opt.AcceptUnverified {
		return out, fmt.Errorf("%w: %s: no verified certificate chain", ErrCertificateUnknown, host)
	}
	switch {
	case res.StatusCode == http.StatusOK:
	case res.StatusCode >= 300 && res.StatusCode < 400:
		return out, fmt.Errorf("%w: %s answered %d to %q (RFC 8461 §3.3: redirects MUST NOT be followed)", ErrRedirect, out.URL, res.StatusCode, res.Location)
	default:
		return out, fmt.Errorf("%w: %s answered %d", ErrStatus, out.URL, res.StatusCode)
	}
	if err := checkContentType(res.ContentType); err != nil {
		return out, fmt.Errorf("%w: %s: %s", ErrContentType, out.URL, err)
	}
	if res.Truncated || int64(len(res.Body)) > limit {
		return out, &ParseError{What: "policy", Offset: int(limit), Msg: fmt.Sprintf("body longer than the limit of %d bytes", limit), Err: ErrPolicyTooLarge}
	}
	p, err := parsePolicy(string(res.Body), limit)
	if err != nil {
		return out, err
	}
	out.Policy = p
	return out, nil
}

// checkContentType requires the media type text/plain (RFC 8461 §3.2);
// parameters are ignored, charset included.
func checkContentType(ct string) error {
	if ct == "" {
		return errors.New("no content type")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return fmt.Errorf("content type %q: %v", ct, err)
	}
	if mt != "text/plain" {
		return fmt.Errorf("content type %q, want text/plain", ct)
	}
	return nil
}

// StaticFetcher is a domainauth.Fetcher that answers every URL with Body,
// status 200 and text/plain and no certificates: for offline checks of a
// policy read from a file, with FetchOptions.AcceptUnverified (the
// certificate is then reported as CertStatusUnknown).
type StaticFetcher struct {
	Body []byte
}

// Fetch implements domainauth.Fetcher.
func (s StaticFetcher) Fetch(ctx context.Context, url string, maxBytes int64) (*domainauth.FetchResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &domainauth.FetchResult{URL: url, StatusCode: http.StatusOK, ContentType: "text/plain", Body: s.Body}
	if int64(len(s.Body)) > maxBytes {
		res.Body, res.Truncated = s.Body[:max(maxBytes, 0)], true
	}
	return res, nil
}
