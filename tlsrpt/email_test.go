package tlsrpt

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/zone"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// signedReport returns a report email signed by domain, and a zone with
// the key.
func signedReport(t *testing.T, domain string, bodyLength bool) (string, *zone.Zone) {
	t.Helper()
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	msg := reportEmail(true, "mail.company-x.example")
	s := &dkim.Signer{Domain: domain, Selector: "tls", Key: key, BodyLength: bodyLength,
		Headers: []string{"from", "subject", "tls-report-domain", "tls-report-submitter"}}
	h, err := s.Sign(strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := dkim.NewKeyRecord(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	z := zone.New()
	z.AddTXT("tls._domainkey."+domain, rec.String())
	return h + msg, z
}

// TestEmailSignature: RFC 8460 §3, a report by email needs a valid DKIM
// signature by the reporting domain, without l=.
func TestEmailSignature(t *testing.T) {
	tests := []struct {
		name     string
		signer   string
		bodyLen  bool
		tamper   bool
		resolver bool
		want     SignatureStatus
		verified bool
	}{
		{name: "by the submitter", signer: "mail.company-x.example", resolver: true, want: SignatureStatusPass, verified: true},
		{name: "by a parent of the submitter", signer: "company-x.example", resolver: true, want: SignatureStatusPass, verified: true},
		{name: "by the top-level domain", signer: "example", resolver: true, want: SignatureStatusFail},
		{name: "by another domain", signer: "other.example", resolver: true, want: SignatureStatusFail},
		{name: "with l= (§3 MUST NOT)", signer: "mail.company-x.example", bodyLen: true, resolver: true, want: SignatureStatusFail},
		{name: "tampered", signer: "mail.company-x.example", tamper: true, resolver: true, want: SignatureStatusFail},
		{name: "no resolver", signer: "mail.company-x.example", want: SignatureStatusUnverified},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg, z := signedReport(t, tc.signer, tc.bodyLen)
			if tc.tamper {
				msg = strings.Replace(msg, "aggregate TLS report", "aggregate TLS rep0rt", 1)
			}
			dec := &Decoder{}
			if tc.resolver {
				dec.Resolver = z
			}
			r, err := dec.Decode(context.Background(), strings.NewReader(msg))
			if err != nil {
				t.Fatal(err)
			}
			if r.Email == nil || r.Email.Signature != tc.want || r.Verified() != tc.verified {
				t.Fatalf("email %+v, want %v", r.Email, tc.want)
			}
			if r.Email.ReportDomain != "company-y.example" || r.Email.Submitter != "mail.company-x.example" {
				t.Fatalf("TLS-Report fields %+v", r.Email)
			}
			dec.DropUnverified = true
			_, err = dec.Decode(context.Background(), strings.NewReader(msg))
			if tc.verified != (err == nil) || !tc.verified && !errors.Is(err, ErrUnverified) {
				t.Fatalf("DropUnverified: err %v", err)
			}
		})
	}
}

// failingTXT answers every TXT query with a temporary DNS failure.
type failingTXT struct{ *zone.Zone }

func (failingTXT) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return nil, &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
}

// TestEmailSignatureTempError: a key lookup that fails temporarily is
// SignatureStatusTempError, not a failure (verifying later may pass).
func TestEmailSignatureTempError(t *testing.T) {
	msg, z := signedReport(t, "mail.company-x.example", false)
	dec := &Decoder{Resolver: failingTXT{z}}
	r, err := dec.Decode(context.Background(), strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if r.Email.Signature != SignatureStatusTempError || r.Verified() {
		t.Fatalf("signature %v", r.Email.Signature)
	}
}
