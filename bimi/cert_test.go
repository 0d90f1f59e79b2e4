package bimi

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/google/go-cmp/cmp"
)

// testPKI is a Mark Verifying Authority: a root, an intermediate with the
// BIMI usage, and a key for leaves.
type testPKI struct {
	root, inter       *x509.Certificate
	rootKey, interKey *ecdsa.PrivateKey
	leafKey           *ecdsa.PrivateKey
	roots             *x509.CertPool
	serial            int64
}

var (
	testNow   = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	testClock = domainauth.FixedClock(testNow)
)

// der encodes one DER element.
func der(class, tag int, compound bool, content ...[]byte) []byte {
	b, err := asn1.Marshal(asn1.RawValue{Class: class, Tag: tag, IsCompound: compound, Bytes: bytes.Join(content, nil)})
	if err != nil {
		panic(err)
	}
	return b
}

func seq(content ...[]byte) []byte { return der(0, asn1.TagSequence, true, content...) }

// logotypeExt builds an RFC 3709 LogotypeExtn whose subject logo is svg,
// gzip-compressed in a base64 data: URI, as the MC Guidelines have it.
func logotypeExt(t testing.TB, svg []byte) pkix.Extension {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(svg)
	w.Close()
	sum := sha256.Sum256(gz.Bytes())
	sha256OID, _ := asn1.Marshal(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1})
	uri := "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(gz.Bytes())
	details := seq(
		der(0, asn1.TagIA5String, false, []byte("image/svg+xml")),
		seq(seq(seq(sha256OID), der(0, asn1.TagOctetString, false, sum[:]))),
		seq(der(0, asn1.TagIA5String, false, []byte(uri))),
	)
	direct := der(asn1.ClassContextSpecific, 0, true, seq(seq(details))) // [0] IMPLICIT LogotypeData
	return pkix.Extension{Id: OIDLogotype, Value: seq(der(asn1.ClassContextSpecific, 2, true, direct))}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (p *testPKI) sign(t testing.TB, tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, key *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	p.serial++
	tmpl.SerialNumber = big.NewInt(p.serial)
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

func newPKI(t testing.TB, interEKU []asn1.ObjectIdentifier) *testPKI {
	p := &testPKI{rootKey: newKey(t), interKey: newKey(t), leafKey: newKey(t)}
	root := &x509.Certificate{
		Subject: pkix.Name{CommonName: "Test Mark Root"}, NotBefore: testNow.AddDate(-5, 0, 0), NotAfter: testNow.AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	p.root = p.sign(t, root, root, &p.rootKey.PublicKey, p.rootKey)
	inter := &x509.Certificate{
		Subject: pkix.Name{CommonName: "Test Mark Issuing CA"}, NotBefore: testNow.AddDate(-2, 0, 0), NotAfter: testNow.AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, UnknownExtKeyUsage: interEKU,
	}
	p.inter = p.sign(t, inter, p.root, &p.interKey.PublicKey, p.rootKey)
	p.roots = x509.NewCertPool()
	p.roots.AddCert(p.root)
	return p
}

// leafOpts describe a Mark Certificate with or without each property.
type leafOpts struct {
	noEKU, wrongEKU, noLogotype bool
	emptyLogotype               bool   // a logotype extension without a subject logo
	logo                        []byte // the embedded logo; testdata/valid.svg when nil
	dnsNames                    []string
	notBefore, notAfter         time.Time
}

func (p *testPKI) leaf(t testing.TB, o leafOpts) *x509.Certificate {
	tmpl := &x509.Certificate{
		Subject:   pkix.Name{CommonName: "Example Brand", Organization: []string{"Example Inc"}},
		NotBefore: testNow.AddDate(0, -1, 0), NotAfter: testNow.AddDate(1, 0, 0),
		DNSNames: []string{"example.com"}, KeyUsage: x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{OIDExtKeyUsageBIMI},
	}
	if o.dnsNames != nil {
		tmpl.DNSNames = o.dnsNames
	}
	if !o.notBefore.IsZero() {
		tmpl.NotBefore, tmpl.NotAfter = o.notBefore, o.notAfter
	}
	switch {
	case o.noEKU:
		tmpl.UnknownExtKeyUsage = nil
	case o.wrongEKU:
		tmpl.UnknownExtKeyUsage = nil
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	switch {
	case o.emptyLogotype:
		tmpl.ExtraExtensions = []pkix.Extension{{Id: OIDLogotype, Value: seq()}}
	case !o.noLogotype:
		logo := o.logo
		if logo == nil {
			logo = readLogo(t, "valid.svg")
		}
		tmpl.ExtraExtensions = []pkix.Extension{logotypeExt(t, logo)}
	}
	return p.sign(t, tmpl, p.inter, &p.leafKey.PublicKey, p.interKey)
}

func pemOf(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

func TestCheckCertificate(t *testing.T) {
	pki := newPKI(t, []asn1.ObjectIdentifier{OIDExtKeyUsageBIMI})
	other := newPKI(t, []asn1.ObjectIdentifier{OIDExtKeyUsageBIMI})
	// An intermediate restricted to TLS: the chain verifies, but not for BIMI.
	tlsOnly := newPKI(t, nil)
	tlsOnly.inter = tlsOnly.sign(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "TLS CA"}, NotBefore: testNow.AddDate(-1, 0, 0), NotAfter: testNow.AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, tlsOnly.root, &tlsOnly.interKey.PublicKey, tlsOnly.rootKey)
	// An intermediate without an EKU extension: unrestricted.
	unrestricted := newPKI(t, nil)

	tests := []struct {
		name     string
		pem      []byte
		opts     CertOptions
		want     []string
		chainLen int
	}{
		{"valid VMC", pemOf(pki.leaf(t, leafOpts{}), pki.inter), CertOptions{Domain: "example.com"}, nil, 3},
		{"valid, unrestricted intermediate", pemOf(unrestricted.leaf(t, leafOpts{}), unrestricted.inter), CertOptions{Domain: "example.com", Roots: unrestricted.roots}, nil, 3},
		{"domain case and dot", pemOf(pki.leaf(t, leafOpts{}), pki.inter), CertOptions{Domain: "Example.COM."}, nil, 3},
		{"selector SAN form", pemOf(pki.leaf(t, leafOpts{dnsNames: []string{"brand._bimi.example.com"}}), pki.inter), CertOptions{Domain: "example.com", Selector: "brand"}, nil, 3},
		{"selector SAN form, other selector", pemOf(pki.leaf(t, leafOpts{dnsNames: []string{"brand._bimi.example.com"}}), pki.inter), CertOptions{Domain: "example.com"}, []string{FindingCertSAN}, 3},
		{"SAN for another domain", pemOf(pki.leaf(t, leafOpts{dnsNames: []string{"example.net"}}), pki.inter), CertOptions{Domain: "example.com"}, []string{FindingCertSAN}, 3},
		{"wildcard SAN does not cover", pemOf(pki.leaf(t, leafOpts{dnsNames: []string{"*.example.com"}}), pki.inter), CertOptions{Domain: "mail.example.com"}, []string{FindingCertSAN}, 3},
		{"no SAN check without a domain", pemOf(pki.leaf(t, leafOpts{dnsNames: []string{"example.net"}}), pki.inter), CertOptions{}, nil, 3},
		{"no BIMI EKU", pemOf(pki.leaf(t, leafOpts{noEKU: true}), pki.inter), CertOptions{Domain: "example.com"}, []string{FindingCertEKU}, 3},
		{"wrong EKU", pemOf(pki.leaf(t, leafOpts{wrongEKU: true}), pki.inter), CertOptions{Domain: "example.com"}, []string{FindingCertEKU}, 3},
		{"no logotype", pemOf(pki.leaf(t, leafOpts{noLogotype: true}), pki.inter), CertOptions{Domain: "example.com"}, []string{FindingCertLogotype}, 3},
		{"logotype without subject logo", pemOf(pki.leaf(t, leafOpts{emptyLogotype: true}), pki.inter), CertOptions{Domain: "example.com"}, []string{FindingCertLogo}, 3},
		{"expired", pemOf(pki.leaf(t, leafOpts{notBefore: testNow.AddDate(-2, 0, 0), notAfter: testNow.AddDate(0, 0, -1)}), pki.inter), CertOptions{Domain: "example.com"}, []string{FindingCertExpired}, 0},
		{"not yet valid", pemOf(pki.leaf(t, leafOpts{notBefore: testNow.AddDate(0, 0, 1), notAfter: testNow.AddDate(1, 0, 0)}), pki.inter), CertOptions{Domain: "example.com"}, []string{FindingCertNotYetValid}, 0},
		{"expired and other CA", pemOf(other.leaf(t, leafOpts{notBefore: testNow.AddDate(-2, 0, 0), notAfter: testNow.AddDate(0, 0, -1)}), other.inter), CertOptions{Domain: "example.com"}, []string{FindingCertChain, FindingCertExpired}, 0},
		{"untrusted root", pemOf(other.leaf(t, leafOpts{}), other.inter), CertOptions{Domain: "example.com"}, []string{FindingCertChain}, 0},
		{"missing intermediate", pemOf(pki.leaf(t, leafOpts{})), CertOptions{Domain: "example.com"}, []string{FindingCertChain}, 0},
		{"intermediate for TLS only", pemOf(tlsOnly.leaf(t, leafOpts{}), tlsOnly.inter), CertOptions{Domain: "example.com", Roots: tlsOnly.roots}, []string{FindingCertChain}, 0},
		{"no roots given", pemOf(pki.leaf(t, leafOpts{}), pki.inter), CertOptions{Domain: "example.com", Roots: nil}, []string{FindingCertChainUnknown}, 0},
		{"not PEM", []byte("hello"), CertOptions{}, []string{FindingCertMalformed}, 0},
		{"garbage DER", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}}), CertOptions{}, []string{FindingCertMalformed}, 0},
		{"other PEM blocks skipped", append(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}), pemOf(pki.leaf(t, leafOpts{}), pki.inter)...), CertOptions{Domain: "example.com"}, nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts.Roots == nil && tt.name != "no roots given" && tt.name != "not PEM" && tt.name != "garbage DER" {
				opts.Roots = pki.roots
			}
			opts.Clock = testClock
			res := CheckCertificate(tt.pem, &opts)
			if diff := cmp.Diff(tt.want, codes(res.Findings)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%v", diff, res.Findings)
			}
			gotLen := 0
			if len(res.Chains) > 0 {
				gotLen = len(res.Chains[0])
			}
			if gotLen != tt.chainLen {
				t.Errorf("chain length %d, want %d", gotLen, tt.chainLen)
			}
		})
	}
}

// TestCheckCertificateBounds: one byte over DefaultMaxCertBytes, and one
// certificate over DefaultMaxCertificates, with the default options.
func TestCheckCertificateBounds(t *testing.T) {
	pki := newPKI(t, []asn1.ObjectIdentifier{OIDExtKeyUsageBIMI})
	good := pemOf(pki.leaf(t, leafOpts{}), pki.inter)
	pad := make([]byte, DefaultMaxCertBytes-len(good))
	for i := range pad {
		pad[i] = '\n'
	}
	at := append(append([]byte{}, good...), pad...)
	if res := CheckCertificate(at, &CertOptions{Roots: pki.roots, Clock: testClock}); len(res.Findings) != 0 {
		t.Errorf("%d bytes: %v", len(at), res.Findings)
	}
	if res := CheckCertificate(append(at, '\n'), &CertOptions{Roots: pki.roots, Clock: testClock}); !cmp.Equal(codes(res.Findings), []string{FindingCertTooLarge}) {
		t.Errorf("%d bytes: %v", len(at)+1, res.Findings)
	}
	var many []*x509.Certificate
	many = append(many, pki.leaf(t, leafOpts{}))
	for len(many) < DefaultMaxCertificates {
		many = append(many, pki.inter)
	}
	if res := CheckCertificate(pemOf(many...), &CertOptions{Roots: pki.roots, Clock: testClock}); len(res.Findings) != 0 || len(res.Intermediates) != DefaultMaxCertificates-1 {
		t.Errorf("%d certificates: %v", len(many), res.Findings)
	}
	many = append(many, pki.inter)
	if res := CheckCertificate(pemOf(many...), &CertOptions{Roots: pki.roots, Clock: testClock}); !cmp.Equal(codes(res.Findings), []string{FindingCertMalformed}) {
		t.Errorf("%d certificates: %v", len(many), res.Findings)
	}
}

func TestCertificateLogo(t *testing.T) {
	pki := newPKI(t, []asn1.ObjectIdentifier{OIDExtKeyUsageBIMI})
	want := readLogo(t, "valid.svg")
	logo, mt, err := CertificateLogo(pki.leaf(t, leafOpts{}))
	if err != nil || mt != "image/svg+xml" {
		t.Fatalf("media type %q, err %v", mt, err)
	}
	if !sameLogo(logo, want, DefaultMaxSVGBytes) || bytes.Equal(logo, want) {
		t.Error("the embedded logo is not valid.svg gzip-compressed")
	}
	res := CheckCertificate(pemOf(pki.leaf(t, leafOpts{}), pki.inter), &CertOptions{Roots: pki.roots, Clock: testClock})
	if !bytes.Equal(res.Logo, logo) {
		t.Error("CertResult.Logo differs from CertificateLogo")
	}
	for _, o := range []leafOpts{{noLogotype: true}, {emptyLogotype: true}} {
		if _, _, err := CertificateLogo(pki.leaf(t, o)); !errors.Is(err, ErrNoLogotype) {
			t.Errorf("%+v: err %v", o, err)
		}
	}
}
