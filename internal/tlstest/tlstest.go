// Package tlstest starts HTTPS servers on the loopback address for tests of
// the code that fetches documents (the MTA-STS policy, BIMI logos): a
// throw-away certificate authority issues the server a certificate for the
// names a test chooses, and the client side gets a dialer that reaches the
// server whatever host name is asked for, so that no test ever connects to
// the addresses of the names it checks.
package tlstest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Server is an HTTPS server on the loopback address.
type Server struct {
	// Roots holds the certificate authority that issued the server's
	// certificate: a client's RootCAs.
	Roots *x509.CertPool
	// Addr is the server's address, host:port.
	Addr string
}

// Dial connects to the server, whatever addr says: a client's
// http.Transport.DialContext.
func (s *Server) Dial(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, s.Addr)
}

// Client returns an HTTP client that reaches the server for every URL and
// trusts its certificate authority.
func (s *Server) Client() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: s.Roots},
		DialContext:     s.Dial,
	}}
}

// Start starts an HTTPS server that answers with h, presenting a
// certificate for hosts (DNS names; the first is also the subject's common
// name), valid from an hour ago to an hour ahead. It is closed when the
// test ends; handshakes the client refuses are not logged.
func Start(t testing.TB, h http.Handler, hosts ...string) *Server {
	t.Helper()
	now := time.Now()
	caKey := newKey(t)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tlstest root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	ca := sign(t, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	key := newKey(t)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: hosts[0]}, DNSNames: hosts,
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leaf := sign(t, leafTmpl, ca, &key.PublicKey, caKey)
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.Raw}, PrivateKey: key}}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &Server{Roots: pool, Addr: srv.Listener.Addr().String()}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t testing.TB, tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, key *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Files is a handler that serves files by host and path
// ("mta-sts.example.org/.well-known/mta-sts.txt"): each is {content type,
// body}; a content type "redirect" answers 302 to the body instead.
type Files map[string][2]string

// ServeHTTP implements http.Handler.
func (fs Files) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := fs[r.Host+r.URL.Path]
	switch {
	case !ok:
		http.NotFound(w, r)
	case f[0] == "redirect":
		http.Redirect(w, r, f[1], http.StatusFound)
	default:
		w.Header().Set("Content-Type", f[0])
		io.WriteString(w, f[1])
	}
}
