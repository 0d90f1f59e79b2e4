package domainauth

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Fetcher is the HTTPS seam, the counterpart of Resolver for the few checks
// that need a document from the web: the MTA-STS policy (RFC 8461 §3.3), a
// BIMI logo and its mark certificate. Library packages never open a
// connection themselves: the caller passes a Fetcher, usually HTTPFetcher
// around its own *http.Client (with its timeouts, proxy and dialer), or a
// fake that serves files for offline checks and tests.
//
// Fetch gets url with GET and returns what the server answered, whatever the
// status: judging the status, the content type and the certificate is the
// caller's package's job, because the rules differ (MTA-STS wants 200 and
// text/plain; BIMI wants image/svg+xml). It never follows a redirect (RFC
// 8461 §3.3: "HTTP 3xx redirects MUST NOT be followed"); a 3xx comes back as
// a result with its Location. It reads at most maxBytes of the body and says
// whether there was more. An error means no answer was had (refused
// connection, failed TLS handshake, timeout, cancelled ctx).
type Fetcher interface {
	Fetch(ctx context.Context, url string, maxBytes int64) (*FetchResult, error)
}

// FetchResult is what a server answered to a Fetch.
type FetchResult struct {
	// URL is the URL fetched.
	URL string
	// StatusCode is the HTTP status, e.g. 200.
	StatusCode int
	// ContentType is the Content-Type header as sent ("" when absent).
	ContentType string
	// Location is the Location header of a redirect, which was not followed.
	Location string
	// Body holds at most the maxBytes asked for.
	Body []byte
	// Truncated is set when the body was longer than maxBytes.
	Truncated bool
	// PeerCertificates is the chain the server presented, leaf first; nil
	// for a fake that serves files.
	PeerCertificates []*x509.Certificate
	// VerifiedChains are the chains the TLS layer verified against the
	// client's roots; empty when the client did not verify (a fake, or a
	// client with InsecureSkipVerify).
	VerifiedChains [][]*x509.Certificate
}

// ErrNotHTTPS is returned by HTTPFetcher's Fetch for a URL whose scheme is not
// https: every document the library fetches must come over TLS.
var ErrNotHTTPS = errors.New("not an https URL")

// HTTPFetcher returns a Fetcher that uses client (http.DefaultClient when
// nil) for https URLs only, and never follows redirects whatever the
// client's CheckRedirect says: the library cannot leave RFC 8461 §3.3 to the
// caller's configuration. The client's Transport, Timeout and Jar are used as
// they are; the client itself is not modified.
func HTTPFetcher(client *http.Client) Fetcher {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &httpFetcher{client: &c}
}

type httpFetcher struct{ client *http.Client }

// Fetch implements Fetcher.
func (f *httpFetcher) Fetch(ctx context.Context, rawURL string, maxBytes int64) (*FetchResult, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fetch %q: %w", rawURL, err)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("fetch %q: %w", rawURL, ErrNotHTTPS)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %q: %w", rawURL, err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if maxBytes < 0 {
		maxBytes = 0
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %q: reading the body: %w", rawURL, err)
	}
	res := &FetchResult{
		URL:         rawURL,
		StatusCode:  resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"),
		Location:    resp.Header.Get("Location"),
		Body:        body,
	}
	if int64(len(body)) > maxBytes {
		res.Body, res.Truncated = body[:maxBytes], true
	}
	if resp.TLS != nil {
		res.PeerCertificates = resp.TLS.PeerCertificates
		res.VerifiedChains = resp.TLS.VerifiedChains
	}
	return res, nil
}
