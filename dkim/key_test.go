package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

const (
	// RFC 8463 Appendix A.2.
	edRecord = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
	// RFC 6376 Appendix C (SubjectPublicKeyInfo, 1024 bits).
	rfcRSARecord = "v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB"
)

func TestParseKeyRecord(t *testing.T) {
	rk, _ := testKeys(t)
	pkcs1 := "p=" + base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&rk.PublicKey))
	tests := []struct {
		name string
		in   string
		want func(*KeyRecord) bool
		err  error
		tag  string
	}{
		{"RFC 8463 A.2 ed25519", edRecord, func(k *KeyRecord) bool { return k.KeyType == KeyTypeEd25519 && k.Bits() == 256 }, nil, ""},
		{"RFC 6376 C: no k= means rsa", rfcRSARecord, func(k *KeyRecord) bool { return k.KeyType == KeyTypeRSA && k.Bits() == 1024 }, nil, ""},
		{"§3.6.1 p= as PKCS#1 RSAPublicKey", pkcs1, func(k *KeyRecord) bool { return k.Bits() == 2048 }, nil, ""},
		{"§3.6.1: v= optional", "k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", nil, nil, ""},
		{"empty p= is revoked", "v=DKIM1; p=", func(k *KeyRecord) bool { return k.Revoked() && k.Usable() == ErrKeyRevoked }, nil, ""},
		{"all tags", "v=DKIM1; h=sha256:sha1; k=rsa; n=hello=20world; s=email; t=y:s:z; p=", func(k *KeyRecord) bool {
			return slices.Equal(k.HashAlgorithms, []string{"sha256", "sha1"}) && k.Notes == "hello world" &&
				slices.Equal(k.Services, []string{"email"}) && k.Testing && k.NoSubdomains
		}, nil, ""},
		{"unknown tags ignored (g=, x=)", "v=DKIM1; g=*; x=5; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", nil, nil, ""},
		{"folded base64", "k=ed25519; p=11qYAYKxCrfVS/7Ty\r\n WQHOg7hcvPapiMlrwIaaPcHURo=", nil, nil, ""},
		{"§3.6.1: v= must come first", "k=rsa; v=DKIM1; p=", nil, ErrKeySyntax, "v"},
		{"§3.6.1: v= must be DKIM1", "v=DKIM1: g=*; p=", nil, ErrKeySyntax, "v"},
		{"§3.6.1: p= required", "v=DKIM1; k=rsa", nil, ErrKeySyntax, ""},
		{"§3.2: duplicate tag", "v=DKIM1; p=; p=", nil, ErrKeySyntax, "p"},
		{"unknown k=", "k=ed25519-sha256; p=", nil, ErrKeyUnknownType, "k"},
		{"bad base64", "p=MIGf!", nil, ErrKeySyntax, "p"},
		{"truncated DER", "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ==", nil, ErrKeySyntax, "p"},
		{"ed25519 of the wrong size", "k=ed25519; p=AAAA", nil, ErrKeySyntax, "p"},
		{"k=rsa with an Ed25519 SPKI", "k=rsa; p=MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", nil, ErrKeySyntax, "p"},
		{"k=ed25519 with an SPKI is tolerated", "k=ed25519; p=MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", func(k *KeyRecord) bool { return k.Bits() == 256 }, nil, ""},
		{"syntax error", "v=DKIM1; =x", nil, ErrKeySyntax, ""},
		{"empty", "", nil, ErrKeySyntax, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKeyRecord(tt.in)
			if tt.err != nil {
				var ke *KeyRecordError
				if !errors.Is(err, tt.err) || !errors.As(err, &ke) || ke.Tag != tt.tag || !strings.HasPrefix(err.Error(), "dkim: ") {
					t.Fatalf("ParseKeyRecord(%q) = %v, want %v on tag %q", tt.in, err, tt.err, tt.tag)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKeyRecord(%q): %v", tt.in, err)
			}
			if tt.want != nil && !tt.want(k) {
				t.Errorf("ParseKeyRecord(%q) = %+v", tt.in, k)
			}
			k2, err := ParseKeyRecord(k.String())
			if err != nil || !keyRecordsEqual(k, k2) {
				t.Errorf("round trip via %q: %v", k.String(), err)
			}
		})
	}
}

func TestKeyRecordString(t *testing.T) {
	_, ek := testKeys(t)
	k := &KeyRecord{PublicKey: ek.Public()} // KeyType from the key
	if got := k.String(); !strings.HasPrefix(got, "v=DKIM1; k=ed25519; p=") {
		t.Errorf("String = %q", got)
	}
	k = &KeyRecord{KeyType: KeyTypeRSA, HashAlgorithms: []string{"sha256"}, Services: []string{"email"}, Notes: "a; b=c", Testing: true, NoSubdomains: true}
	want := "v=DKIM1; h=sha256; k=rsa; n=a=3B=20b=3Dc; s=email; t=y:s; p="
	if got := k.String(); got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if _, err := NewKeyRecord("not a key"); err == nil {
		t.Error("NewKeyRecord accepted a string")
	}
}

// generateKey calls the generator of key type kt.
func generateKey(kt KeyType, bits int, random io.Reader) (crypto.Signer, *KeyRecord, error) {
	if kt == KeyTypeEd25519 {
		return GenerateEd25519Key(random)
	}
	return GenerateRSAKey(random, bits)
}

func TestGenerateKey(t *testing.T) {
	for _, tt := range []struct {
		kt   KeyType
		bits int
		want int
	}{{KeyTypeEd25519, 0, 256}, {KeyTypeRSA, 1024, 1024}} {
		priv, rec, err := generateKey(tt.kt, tt.bits, nil)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := ParseKeyRecord(rec.String())
		if err != nil || parsed.Bits() != tt.want || parsed.Usable() != nil {
			t.Errorf("%s: %v, %d bits", tt.kt, err, parsed.Bits())
		}
		switch p := priv.(type) {
		case *rsa.PrivateKey:
			if !p.PublicKey.Equal(parsed.PublicKey) {
				t.Error("rsa public key differs")
			}
		case ed25519.PrivateKey:
			if !p.Public().(ed25519.PublicKey).Equal(parsed.PublicKey) {
				t.Error("ed25519 public key differs")
			}
		}
	}
	if _, _, err := GenerateRSAKey(nil, 512); !errors.Is(err, ErrKeyTooShort) {
		t.Errorf("512 bits: %v", err)
	}
	// RSA 0 bits: the RFC 8301 §3.2 default of 2048.
	if k, _, err := GenerateRSAKey(nil, 0); err != nil || k.N.BitLen() != 2048 {
		t.Errorf("0 bits: %v", err)
	}
}

func TestQP(t *testing.T) {
	for _, s := range []string{"", "plain", "a b", " lead", "=;\x00\xff", "é"} {
		if got := decodeQP(encodeQP(s, false)); got != s {
			t.Errorf("qp round trip of %q: %q", s, got)
		}
	}
	if got := decodeQP("a=2"); got != "a=2" {
		t.Errorf("malformed = kept: %q", got)
	}
}
