package dkim

import (
	"crypto"
	"crypto/rand"
	"errors"
	"testing"
)

// TestPrivateKeyPEMRoundTrip: a generated key written by
// MarshalPrivateKeyPEM reads back with ParsePrivateKeyPEM.
func TestPrivateKeyPEMRoundTrip(t *testing.T) {
	for _, kt := range []KeyType{KeyTypeRSA, KeyTypeEd25519} {
		key, _, err := generateKey(kt, 1024, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		data, err := MarshalPrivateKeyPEM(key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParsePrivateKeyPEM(data)
		if err != nil {
			t.Fatalf("%v: %v", kt, err)
		}
		if eq, ok := got.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(key.Public()) {
			t.Errorf("%v: key read back differs", kt)
		}
	}
}

// TestParsePrivateKeyPEMErrors: what is not a usable private key gives an
// error wrapping ErrNoPrivateKey.
func TestParsePrivateKeyPEMErrors(t *testing.T) {
	for name, data := range map[string]string{
		"not PEM":     "v=DKIM1; p=abc",
		"public key":  "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
		"bad PKCS #8": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
	} {
		if _, err := ParsePrivateKeyPEM([]byte(data)); !errors.Is(err, ErrNoPrivateKey) {
			t.Errorf("%s: error %v, want ErrNoPrivateKey", name, err)
		}
	}
}

// FuzzParsePrivateKeyPEM: the PEM reader never panics, and a key it reads
// round-trips through MarshalPrivateKeyPEM to the same public key.
func FuzzParsePrivateKeyPEM(f *testing.F) {
	for _, kt := range []KeyType{KeyTypeRSA, KeyTypeEd25519} {
		k, _, err := generateKey(kt, 1024, rand.Reader)
		if err != nil {
			f.Fatal(err)
		}
		b, err := MarshalPrivateKeyPEM(k)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"))
	f.Add([]byte("not pem"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePrivateKeyPEM(data)
		if err != nil {
			if !errors.Is(err, ErrNoPrivateKey) {
				t.Fatalf("error %v does not wrap ErrNoPrivateKey", err)
			}
			return
		}
		b, err := MarshalPrivateKeyPEM(k)
		if err != nil {
			t.Fatalf("marshal of a parsed key: %v", err)
		}
		k2, err := ParsePrivateKeyPEM(b)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		type equaler interface{ Equal(crypto.PublicKey) bool }
		if !k2.Public().(equaler).Equal(k.Public()) {
			t.Fatal("public key changed in the round trip")
		}
	})
}
