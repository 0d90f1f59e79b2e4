package dkim

import (
	"slices"
	"strings"
	"testing"
)

func TestLintKeyRecord(t *testing.T) {
	rk, _ := testKeys(t)
	rec2048 := pubRecord(t, rk)
	p2048 := rec2048[strings.Index(rec2048, "p="):]
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"clean 2048-bit record", rec2048, nil},
		{"clean ed25519 record", edRecord, nil},
		{"RFC 8301 §3.2: 1024 bits is weak", rfcRSARecord, []string{FindingKeyWeak}},
		{"RFC 8301 §3.2: 512 bits is unusable", "k=rsa; s=email;p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52Tb/mPfjC0QJTocVBq6Za/PlzfV+Py92VaCak19F4WrbVTK5Gg5tW220MCAwEAAQ==", []string{FindingKeyTooShort}},
		{"§3.6.1: t=y left on", "v=DKIM1; t=y; " + p2048, []string{FindingKeyTesting}},
		{"RFC 8301 §3.1: h=sha1 only", "v=DKIM1; h=sha1; " + p2048, []string{FindingKeySHA1Only}},
		{"unknown hash", "v=DKIM1; h=sha256:sha512; " + p2048, []string{FindingKeyUnknownHash}},
		{"unknown k=", "v=DKIM1; k=ed448; p=", []string{FindingKeyUnknownType}},
		{"revoked", "v=DKIM1; p=", []string{FindingKeyRevoked}},
		{"RFC 6376 C.2: g=* (info)", "v=DKIM1; g=*; " + p2048, []string{FindingKeyGranularity}},
		{"RFC 6376 C.2: empty g= (warning)", "v=DKIM1; g=; " + p2048, []string{FindingKeyGranularity}},
		{"x= in a key record", "v=DKIM1; x=1700000000; " + p2048, []string{FindingKeyExpirationTag}},
		{"unknown tag", "v=DKIM1; foo=bar; " + p2048, []string{FindingKeyUnknownTag}},
		{"not for email", "v=DKIM1; s=tlsrpt; " + p2048, []string{FindingKeyNotEmail}},
		{"syntax", "v=DKIM1; p=!!", []string{FindingKeySyntax}},
		{"seed-style record: g=, x= and t=y together", "v=DKIM1; g=*; k=rsa; t=y; x=1700000000; " + p2048, []string{FindingKeyGranularity, FindingKeyExpirationTag, FindingKeyTesting}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := LintKeyRecord(tt.in)
			var codes []string
			for _, f := range fs {
				codes = append(codes, f.Code)
				if f.Message == "" || f.RFC == "" || !strings.HasPrefix(f.Code, "dkim.") {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			if !slices.Equal(codes, tt.want) {
				t.Errorf("LintKeyRecord(%q) = %v, want %v", tt.in, codes, tt.want)
			}
		})
	}
	// g=* is harmless; other g= values can break RFC 4871 verifiers.
	if f := LintKeyRecord("g=*; " + p2048); f[0].Severity != SeverityInfo {
		t.Errorf("g=*: %v", f[0])
	}
	if f := LintKeyRecord("g=; " + p2048); f[0].Severity != SeverityWarning || !strings.Contains(f[0].Message, "RFC 4871") {
		t.Errorf("g=: %v", f[0])
	}
	if f := LintKeyRecord("x=1700000000; " + p2048); !strings.Contains(f[0].Message, "2023-11-14") || !strings.Contains(f[0].String(), "warning dkim.key-expiration-tag (x=1700000000)") {
		t.Errorf("x=: %v", f[0])
	}
}
