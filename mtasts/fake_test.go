package mtasts

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/domainauth/domainauth"
)

// fakeFetcher serves policies from memory with a "verified" chain whose
// leaf is valid for the policy host (x509.Certificate.VerifyHostname only
// reads DNSNames), and counts fetches.
type fakeFetcher struct {
	mu      sync.Mutex
	bodies  map[string]string // policy domain -> body
	fail    map[string]error  // policy domain -> fetch error
	fetches map[string]int
}

func newFakeFetcher() *fakeFetcher {
	return &fakeFetcher{bodies: map[string]string{}, fail: map[string]error{}, fetches: map[string]int{}}
}

func (f *fakeFetcher) set(domain, body string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies[domain], f.fail[domain] = body, err
}

func (f *fakeFetcher) count(domain string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches[domain]
}

var errUnreachable = errors.New("connection refused")

func (f *fakeFetcher) Fetch(ctx context.Context, url string, maxBytes int64) (*domainauth.FetchResult, error) {
	host := strings.TrimPrefix(url, "https://")
	host = host[:strings.IndexByte(host, '/')]
	domain := strings.TrimPrefix(host, "mta-sts.")
	f.mu.Lock()
	f.fetches[domain]++
	body, ok := f.bodies[domain]
	err := f.fail[domain]
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	leaf := &x509.Certificate{DNSNames: []string{host}}
	if !ok {
		return &domainauth.FetchResult{URL: url, StatusCode: http.StatusNotFound, ContentType: "text/plain",
			PeerCertificates: []*x509.Certificate{leaf}, VerifiedChains: [][]*x509.Certificate{{leaf}}}, nil
	}
	res := &domainauth.FetchResult{URL: url, StatusCode: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: []byte(body),
		PeerCertificates: []*x509.Certificate{leaf}, VerifiedChains: [][]*x509.Certificate{{leaf}}}
	if int64(len(body)) > maxBytes {
		res.Body, res.Truncated = res.Body[:maxBytes], true
	}
	return res, nil
}

// testClock is a settable Clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
