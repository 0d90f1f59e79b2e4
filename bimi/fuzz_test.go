package bimi

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseRecord checks the round trip: a record that parses is given back
// by ParseRecord(r.String()).
func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{
		"v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem",
		"v=BIMI1; l=; a=;",
		"v=BIMI1; l=; a=; lps=brand-indicators-;",
		"v=BIMI1; l=https://e.example/l.svg; lps = a , b; avp=personal; x=y",
		"v=BIMI1;l=https://e.example:8443/l.svg?q=1#f",
		"v=BIMI1; l=https://e.example/l.svg; avp=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRecord(s)
		if err != nil {
			return
		}
		out := r.String()
		r2, err := ParseRecord(out)
		if err != nil {
			t.Fatalf("ParseRecord(%q) = %q, which does not parse: %v", s, out, err)
		}
		if diff := cmp.Diff(r, r2); diff != "" {
			t.Fatalf("round trip of %q via %q (-first +second):\n%s", s, out, diff)
		}
	})
}

// FuzzCheckSVG checks that CheckSVG never panics, stays within its findings
// bound and returns in bounded time on any input.
func FuzzCheckSVG(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.svg"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		start := time.Now()
		got := CheckSVG(b, nil)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("CheckSVG took %v on %d bytes", d, len(b))
		}
		if len(got) > DefaultMaxSVGFindings {
			t.Fatalf("%d findings", len(got))
		}
		for _, f := range got {
			if f.Code == "" || f.Message == "" {
				t.Fatalf("empty finding %+v", f)
			}
		}
	})
}

// FuzzCertificateLogo checks that reading a logotype extension never
// panics and that whatever it returns is bounded.
func FuzzCertificateLogo(f *testing.F) {
	f.Add(logotypeExt(f, []byte("<svg/>")).Value)
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		c := &x509.Certificate{Extensions: []pkix.Extension{{Id: OIDLogotype, Value: b}}}
		logo, _, err := CertificateLogo(c)
		if err == nil && len(logo) > DefaultMaxCertBytes {
			t.Fatalf("%d-byte logo", len(logo))
		}
		if err != nil && !errors.Is(err, ErrNoLogotype) {
			t.Fatalf("error %v does not wrap ErrNoLogotype", err)
		}
	})
}
