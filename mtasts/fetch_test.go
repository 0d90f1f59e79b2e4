package mtasts

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
)

// testCA is a certificate authority made for the tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mtasts test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// leaf issues a server certificate for the DNS names, valid from
// notBefore to notAfter.
func (ca *testCA) leaf(t testing.TB, notAfter time.Time, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    time.Now().Add(-2 * time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// serve starts an HTTPS server on the loopback address presenting cert and
// returns a client that reaches it whatever host name a URL gives (the
// dialer ignores the address asked for) and trusts roots.
func serve(t *testing.T, cert tls.Certificate, roots *x509.CertPool, h http.HandlerFunc) (*http.Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	if host, _, _ := net.SplitHostPort(addr); !net.ParseIP(host).IsLoopback() {
		t.Fatalf("test server on %s, not loopback", addr)
	}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		},
		TLSClientConfig: &tls.Config{RootCAs: roots},
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}, srv
}

func policyHandler(contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/mta-sts.txt" || r.Host != "mta-sts.example.com" {
			http.NotFound(w, r)
			return
		}
		if contentType == "" {
			w.Header()["Content-Type"] = nil // no sniffing
		} else {
			w.Header().Set("Content-Type", contentType)
		}
		w.Write([]byte(body))
	}
}

func TestFetchPolicy(t *testing.T) {
	ca := newTestCA(t)
	later := time.Now().Add(time.Hour)
	good := ca.leaf(t, later, "mta-sts.example.com")
	other := ca.leaf(t, later, "mta-sts.other.org")
	wildcard := ca.leaf(t, later, "*.example.com")
	deep := ca.leaf(t, later, "*.sts.example.com", "*.*.example.com")
	expired := ca.leaf(t, time.Now().Add(-time.Hour), "mta-sts.example.com")
	untrusted := newTestCA(t).leaf(t, later, "mta-sts.example.com")
	exact := strings.Repeat("x", DefaultMaxPolicySize-len(rfcPolicy)-4)

	tests := []struct {
		name     string
		cert     tls.Certificate
		handler  http.HandlerFunc
		opt      FetchOptions
		tweak    func(*http.Client)
		err      error
		cert2    CertStatus
		contains string
	}{
		{name: "§3.3 valid", cert: good, handler: policyHandler("text/plain", rfcPolicy), cert2: CertStatusValid},
		{name: "§3.2 media type parameters ignored", cert: good, handler: policyHandler("Text/Plain; charset=utf-8; format=flowed", rfcPolicy), cert2: CertStatusValid},
		{name: "§3.3 wildcard certificate as whole leftmost label", cert: wildcard, handler: policyHandler("text/plain", rfcPolicy), cert2: CertStatusValid},
		{name: "§3.2 size limit: exactly the default", cert: good, handler: policyHandler("text/plain", rfcPolicy+"x: "+exact+"\n"), cert2: CertStatusValid},
		{name: "§3.2 wrong media type", cert: good, handler: policyHandler("text/html", rfcPolicy), err: ErrContentType, cert2: CertStatusValid, contains: "text/html"},
		{name: "§3.2 no media type", cert: good, handler: policyHandler("", rfcPolicy), err: ErrContentType, cert2: CertStatusValid},
		{name: "§3.3 redirect not followed", cert: good, handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://mta-sts.example.com/elsewhere.txt", http.StatusMovedPermanently)
		}, err: ErrRedirect, cert2: CertStatusValid, contains: "https://mta-sts.example.com/elsewhere.txt"},
		{name: "§3.3 status other than 200", cert: good, handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "gone", http.StatusNotFound)
		}, err: ErrStatus, cert2: CertStatusValid, contains: "404"},
		{name: "§3.3 204 is not 200", cert: good, handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}, err: ErrStatus, cert2: CertStatusValid},
		{name: "§3.3 body over the default size limit", cert: good, handler: policyHandler("text/plain", rfcPolicy+"x: "+exact+"y\n"), err: ErrPolicyTooLarge, cert2: CertStatusValid},
		{name: "§3.3 body over a reduced size limit", cert: good, handler: policyHandler("text/plain", rfcPolicy), opt: FetchOptions{MaxSize: 50}, err: ErrPolicyTooLarge, cert2: CertStatusValid},
		{name: "§3.2 invalid policy", cert: good, handler: policyHandler("text/plain", "<html>hello</html>"), err: ErrSyntax, cert2: CertStatusValid},
		{name: "§3.3 certificate for another name fails the handshake", cert: other, handler: policyHandler("text/plain", rfcPolicy), err: ErrFetch, contains: "mta-sts.other.org"},
		{name: "§3.3 certificate for another name, client verifying another name", cert: other, handler: policyHandler("text/plain", rfcPolicy),
			tweak: func(c *http.Client) { c.Transport.(*http.Transport).TLSClientConfig.ServerName = "mta-sts.other.org" }, err: ErrCertificate, cert2: CertStatusInvalid},
		{name: "§3.3 wildcard only as the whole leftmost label", cert: deep, handler: policyHandler("text/plain", rfcPolicy),
			tweak: func(c *http.Client) { c.Transport.(*http.Transport).TLSClientConfig.ServerName = "a.sts.example.com" }, err: ErrCertificate, cert2: CertStatusInvalid},
		{name: "§3.3 expired certificate", cert: expired, handler: policyHandler("text/plain", rfcPolicy), err: ErrFetch, contains: "expired"},
		{name: "§3.3 untrusted root", cert: untrusted, handler: policyHandler("text/plain", rfcPolicy), err: ErrFetch, contains: "unknown authority"},
		{name: "§3.3 unverified client", cert: other, handler: policyHandler("text/plain", rfcPolicy),
			tweak: func(c *http.Client) { c.Transport.(*http.Transport).TLSClientConfig.InsecureSkipVerify = true }, err: ErrCertificateUnknown},
		{name: "unverified client accepted offline", cert: other, handler: policyHandler("text/plain", rfcPolicy), opt: FetchOptions{AcceptUnverified: true},
			tweak: func(c *http.Client) { c.Transport.(*http.Transport).TLSClientConfig.InsecureSkipVerify = true }, cert2: CertStatusUnknown},
		{name: "§3.3 slow server: timeout", cert: good, handler: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, opt: FetchOptions{Timeout: 200 * time.Millisecond}, err: context.DeadlineExceeded},
		{name: "§3.3 slow server: client timeout", cert: good, handler: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, tweak: func(c *http.Client) { c.Timeout = 200 * time.Millisecond }, err: ErrFetch, contains: "Client.Timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, _ := serve(t, tt.cert, ca.pool, tt.handler)
			if tt.tweak != nil {
				tt.tweak(client)
			}
			start := time.Now()
			f, err := FetchPolicy(context.Background(), domainauth.HTTPFetcher(client), "example.com", tt.opt)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("fetch took %v", d)
			}
			if f == nil || f.URL != "https://mta-sts.example.com/.well-known/mta-sts.txt" {
				t.Fatalf("Fetched = %+v", f)
			}
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				if tt.contains != "" && !strings.Contains(err.Error(), tt.contains) {
					t.Errorf("err = %q, want it to mention %q", err, tt.contains)
				}
				if f.Policy != nil {
					t.Errorf("policy %+v returned with error", f.Policy)
				}
			} else {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if f.Policy == nil || f.Policy.Mode != ModeEnforce || len(f.Policy.MX) != 3 {
					t.Errorf("policy = %+v", f.Policy)
				}
			}
			if f.Certificate != tt.cert2 {
				t.Errorf("certificate %v, want %v", f.Certificate, tt.cert2)
			}
		})
	}
}

func TestFetchPolicyContextDeadline(t *testing.T) {
	ca := newTestCA(t)
	release := make(chan struct{})
	// The handler answers only when the test ends, never because the
	// request's context ended: under a loaded -race run the server could
	// otherwise see the client's cancellation first and answer an empty 200.
	client, _ := serve(t, ca.leaf(t, time.Now().Add(time.Hour), "mta-sts.example.com"), ca.pool, func(w http.ResponseWriter, r *http.Request) {
		<-release
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := FetchPolicy(ctx, domainauth.HTTPFetcher(client), "example.com", FetchOptions{})
	if !errors.Is(err, ErrFetch) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrFetch and DeadlineExceeded", err)
	}
}

func TestStaticFetcher(t *testing.T) {
	ctx := context.Background()
	_, err := FetchPolicy(ctx, StaticFetcher{Body: []byte(rfcPolicy)}, "example.com", FetchOptions{})
	if !errors.Is(err, ErrCertificateUnknown) {
		t.Errorf("without AcceptUnverified: err = %v, want ErrCertificateUnknown", err)
	}
	f, err := FetchPolicy(ctx, StaticFetcher{Body: []byte(rfcPolicy)}, "example.com", FetchOptions{AcceptUnverified: true})
	if err != nil || f.Certificate != CertStatusUnknown || f.Policy == nil {
		t.Errorf("with AcceptUnverified: %+v, %v", f, err)
	}
	_, err = FetchPolicy(ctx, StaticFetcher{Body: []byte(rfcPolicy)}, "example.com", FetchOptions{AcceptUnverified: true, MaxSize: 10})
	if !errors.Is(err, ErrPolicyTooLarge) {
		t.Errorf("MaxSize 10: err = %v, want ErrPolicyTooLarge", err)
	}
}

// TestFetchPolicyNoHTTPCache guards RFC 8461 §3.3: "HTTP caching ... MUST
// NOT be used": every fetch reaches the server, whatever Cache-Control says.
func TestFetchPolicyNoHTTPCache(t *testing.T) {
	ca := newTestCA(t)
	var mu sync.Mutex
	hits := 0
	client, _ := serve(t, ca.leaf(t, time.Now().Add(time.Hour), "mta-sts.example.com"), ca.pool, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		w.Header().Set("Cache-Control", "max-age=3600")
		policyHandler("text/plain", rfcPolicy)(w, r)
	})
	f := domainauth.HTTPFetcher(client)
	for range 2 {
		if _, err := FetchPolicy(context.Background(), f, "example.com", FetchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != 2 {
		t.Errorf("server saw %d requests for 2 fetches", hits)
	}
}
