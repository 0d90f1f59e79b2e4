package dkim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
)

var (
	testKeysOnce sync.Once
	testRSA      *rsa.PrivateKey
	testEd       ed25519.PrivateKey
)

// testKeys returns an RSA-2048 and an Ed25519 key, generated once.
func testKeys(t testing.TB) (*rsa.PrivateKey, ed25519.PrivateKey) {
	testKeysOnce.Do(func() {
		k, _, err := GenerateRSAKey(nil, 2048)
		if err != nil {
			panic(err)
		}
		testRSA = k
		e, _, err := GenerateEd25519Key(nil)
		if err != nil {
			panic(err)
		}
		testEd = e
	})
	return testRSA, testEd
}

var testClock = domainauth.FixedClock(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))

// signVerify signs msg with s, prepends the header and verifies the result
// against a resolver publishing s.Key at the selector.
func signVerify(t *testing.T, s *Signer, msg string, tamper func(string) string) (Verification, string) {
	t.Helper()
	h, err := s.Sign(strings.NewReader(msg))
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	signed := h + msg
	if tamper != nil {
		signed = tamper(signed)
	}
	rec, err := NewKeyRecord(s.Key.Public())
	if err != nil {
		t.Fatal(err)
	}
	r := &mapResolver{}
	r.add(s.Selector+"._domainkey."+s.Domain, rec.String())
	v := &Verifier{Resolver: r, Clock: testClock}
	res, err := v.Verify(context.Background(), strings.NewReader(signed))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(res) != 1 {
		t.Fatalf("%d results, want 1\n%s", len(res), signed)
	}
	return res[0], signed
}

var roundTripMessages = map[string]string{
	"crlf":                  "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: hello\r\nDate: Fri, 27 Nov 2026 12:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\nHi Bob,\r\n\r\nsee you.\r\n",
	"bare-lf":               "From: Alice <alice@example.org>\nTo: bob@example.net\nSubject: hello\n\nHi Bob,\n\n  spaced   out \t line  \nbye\n",
	"trailing-blank-lines":  "From: alice@example.org\r\nSubject: x\r\n\r\nbody\r\n\r\n\r\n \r\n\r\n",
	"folded-headers":        "From: Alice\r\n <alice@example.org>\r\nSubject: a very\r\n\tlong   subject\r\n  folded twice \r\nTo:   bob@example.net  \r\n\r\nbody\r\n",
	"8bit-body":             "From: alice@example.org\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\ncafé crème \xff\xfe brûlée\r\n",
	"8bit-header":           "From: alice@example.org\r\nSubject: caf\xe9 raw\r\n\r\nx\r\n",
	"empty-body":            "From: alice@example.org\r\nSubject: nothing\r\n\r\n",
	"no-body":               "From: alice@example.org\r\nSubject: nothing",
	"no-final-crlf":         "From: alice@example.org\r\nSubject: x\r\n\r\nlast line without end",
	"mixed-line-ends":       "From: alice@example.org\r\nSubject: x\n\r\nline one\nline two\r\nbare\rcr\r\n",
	"whitespace-only-lines": "From: alice@example.org\r\n\r\n \t \r\ntext\t\r\n\t\r\n",
}

// TestSignVerifyRoundTrip signs and verifies with both algorithms, all four
// canonicalisation pairs, with and without l=, over messages with CRLF and
// bare LF line ends, trailing blank lines, folded headers and 8-bit bytes.
func TestSignVerifyRoundTrip(t *testing.T) {
	rk, ek := testKeys(t)
	keys := map[string]crypto.Signer{"rsa": rk, "ed25519": ek}
	canons := []Canonicalization{CanonicalizationSimple, CanonicalizationRelaxed}
	for kname, key := range keys {
		for _, hc := range canons {
			for _, bc := range canons {
				for _, l := range []bool{false, true} {
					for mname, msg := range roundTripMessages {
						name := fmt.Sprintf("%s/%v-%v/l=%v/%s", kname, hc, bc, l, mname)
						t.Run(name, func(t *testing.T) {
							s := &Signer{Domain: "example.org", Selector: "sel", Key: key, HeaderCanon: hc, BodyCanon: bc, BodyLength: l, Clock: testClock, Expiration: time.Hour}
							got, signed := signVerify(t, s, msg, nil)
							if got.Status != StatusPass {
								t.Fatalf("status %v (%v)\n%q", got.Status, got.Err, signed)
							}
							if l && got.UnsignedBody != 0 {
								t.Errorf("UnsignedBody = %d, want 0", got.UnsignedBody)
							}
							// A bare-LF message converted to CRLF in transit still verifies.
							if strings.Contains(msg, "\r") {
								return
							}
							crlf := strings.ReplaceAll(signed, "\n", "\r\n")
							crlf = strings.ReplaceAll(crlf, "\r\r\n", "\r\n")
							got, _ = signVerify(t, s, msg, func(string) string { return crlf })
							if got.Status != StatusPass {
								t.Fatalf("after LF to CRLF: %v (%v)", got.Status, got.Err)
							}
						})
					}
				}
			}
		}
	}
}

// TestSignTampering alters each part of a signed message and checks the
// result (RFC 6376 §6.1.3).
func TestSignTampering(t *testing.T) {
	rk, ek := testKeys(t)
	msg := roundTripMessages["crlf"]
	tests := []struct {
		name   string
		tamper func(string) string
		want   Status
		err    error
	}{
		{"untouched", nil, StatusPass, nil},
		{"body altered", func(s string) string { return strings.Replace(s, "see you.", "see me.", 1) }, StatusFail, ErrBodyHash},
		{"body appended", func(s string) string { return s + "P.S. send money\r\n" }, StatusFail, ErrBodyHash},
		{"trailing blank lines added", func(s string) string { return s + "\r\n\r\n" }, StatusPass, nil},
		{"signed header altered", func(s string) string { return strings.Replace(s, "Subject: hello", "Subject: HELLO", 1) }, StatusFail, ErrBadSignature},
		{"oversigned header added", func(s string) string {
			return strings.Replace(s, "Subject: hello", "Subject: hello\r\nSubject: evil", 1)
		}, StatusFail, ErrBadSignature},
		{"unsigned header added", func(s string) string { return strings.Replace(s, "Subject: hello", "Subject: hello\r\nX-Spam: no", 1) }, StatusPass, nil},
		{"unsigned header on top", func(s string) string { return "Received: by mx\r\n" + s }, StatusPass, nil},
		{"b= altered", func(s string) string { return tamperTag(s, "b=") }, StatusFail, ErrBadSignature},
		{"bh= altered", func(s string) string { return tamperTag(s, "bh=") }, StatusFail, ErrBodyHash},
		{"d= altered", func(s string) string { return strings.Replace(s, "d=example.org", "d=example.net", 1) }, StatusPermError, ErrNoKey},
	}
	for kname, key := range map[string]crypto.Signer{"rsa": rk, "ed25519": ek} {
		for _, hc := range []Canonicalization{CanonicalizationSimple, CanonicalizationRelaxed} {
			for _, tt := range tests {
				t.Run(kname+"/"+hc.String()+"/"+tt.name, func(t *testing.T) {
					s := &Signer{Domain: "example.org", Selector: "sel", Key: key, HeaderCanon: hc, BodyCanon: hc, Clock: testClock}
					got, signed := signVerify(t, s, msg, tt.tamper)
					if got.Status != tt.want || (tt.err != nil && !errors.Is(got.Err, tt.err)) {
						t.Errorf("got %v (%v), want %v (%v)\n%s", got.Status, got.Err, tt.want, tt.err, signed)
					}
				})
			}
		}
	}
}

// tamperTag flips the first base64 character of the tag value after marker
// ("b=" or "bh=") in the DKIM-Signature field.
func tamperTag(s, marker string) string {
	i := strings.Index(s, "; "+marker)
	j := i + 2 + len(marker)
	if i < 0 {
		i = strings.Index(s, "\t"+marker)
		j = i + 1 + len(marker)
	}
	c := byte('A')
	if s[j] == 'A' {
		c = 'B'
	}
	return s[:j] + string(c) + s[j+1:]
}

// TestBodyLength: with l=, content appended after signing passes but is
// reported, and is refused when the Verifier says so (RFC 6376 §8.2).
func TestBodyLength(t *testing.T) {
	_, ek := testKeys(t)
	s := &Signer{Domain: "example.org", Selector: "sel", Key: ek, BodyLength: true, Clock: testClock}
	msg := roundTripMessages["crlf"]
	got, signed := signVerify(t, s, msg, func(s string) string { return s + "appended\r\n" })
	if got.Status != StatusPass || got.UnsignedBody != int64(len("appended\r\n")) || got.BodyLength < 0 {
		t.Fatalf("got %v (%v), unsigned %d, l=%d", got.Status, got.Err, got.UnsignedBody, got.BodyLength)
	}
	rec, _ := NewKeyRecord(ek.Public())
	r := &mapResolver{}
	r.add("sel._domainkey.example.org", rec.String())
	v := &Verifier{Resolver: r, Clock: testClock, RejectBodyLength: true}
	res, err := v.Verify(context.Background(), strings.NewReader(signed))
	if err != nil || res[0].Status != StatusPolicy || !errors.Is(res[0].Err, ErrBodyLength) {
		t.Fatalf("RejectBodyLength: %v, %+v", err, res)
	}
	// A body shorter than l= fails.
	cut := strings.Replace(strings.TrimSuffix(signed, "appended\r\n"), "see you.\r\n", "", 1)
	res, err = (&Verifier{Resolver: r, Clock: testClock}).Verify(context.Background(), strings.NewReader(cut))
	if err != nil || res[0].Status != StatusFail || !errors.Is(res[0].Err, ErrBodyLength) {
		t.Fatalf("short body: %v, %v %v", err, res[0].Status, res[0].Err)
	}
}

func TestSignerRefuses(t *testing.T) {
	rk, ek := testKeys(t)
	small, err := rsa.GenerateKey(strings.NewReader(strings.Repeat("x", 1<<16)), 512)
	if err == nil {
		s := &Signer{Domain: "example.org", Selector: "sel", Key: small}
		if _, err := s.Sign(strings.NewReader("From: a@example.org\r\n\r\n")); !errors.Is(err, ErrKeyTooShort) {
			t.Errorf("512-bit key: %v", err)
		}
	}
	tests := []struct {
		name string
		s    Signer
		msg  string
		want error
	}{
		{"no From (RFC 6376 §5.4)", Signer{Domain: "example.org", Selector: "s", Key: ek}, "Subject: x\r\n\r\nbody\r\n", ErrNoFrom},
		{"bad domain", Signer{Domain: "exa mple.org", Selector: "s", Key: ek}, "From: a@b\r\n\r\n", nil},
		{"bad selector", Signer{Domain: "example.org", Selector: "s;x", Key: ek}, "From: a@b\r\n\r\n", nil},
		{"no key", Signer{Domain: "example.org", Selector: "s"}, "From: a@b\r\n\r\n", nil},
		{"identity outside d= (RFC 6376 §3.5)", Signer{Domain: "example.org", Selector: "s", Key: rk, Identity: "a@example.net"}, "From: a@b\r\n\r\n", nil},
		{"h= without From", Signer{Domain: "example.org", Selector: "s", Key: rk, Headers: []string{"subject"}}, "From: a@b\r\n\r\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.s.Sign(strings.NewReader(tt.msg))
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Sign = %v, want error %v", err, tt.want)
			}
		})
	}
}

func TestSignerHeaders(t *testing.T) {
	_, ek := testKeys(t)
	s := &Signer{Domain: "example.org", Selector: "sel", Key: ek, Identity: "alice@mail.example.org", Clock: testClock, Expiration: 24 * time.Hour}
	h, err := s.Sign(strings.NewReader("From: a@example.org\r\nTo: b@example.net\r\nTo: c@example.net\r\nX-Other: 1\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	value := strings.TrimPrefix(strings.TrimSuffix(h, "\r\n"), "DKIM-Signature: ")
	sig, err := ParseSignature(value)
	if err != nil {
		t.Fatalf("ParseSignature(%q): %v", value, err)
	}
	want := "from:from:reply-to:subject:date:to:to:to:cc:in-reply-to:references:list-unsubscribe:list-unsubscribe-post:message-id:mime-version:content-type:content-transfer-encoding"
	if got := strings.Join(sig.Headers, ":"); got != want {
		t.Errorf("h=%s\nwant %s", got, want)
	}
	if sig.HeaderCanon != CanonicalizationRelaxed || sig.BodyCanon != CanonicalizationRelaxed || sig.Algorithm != AlgorithmEd25519SHA256 {
		t.Errorf("c=%v/%v a=%v", sig.HeaderCanon, sig.BodyCanon, sig.Algorithm)
	}
	if sig.Timestamp.Unix() != time.Time(testClock).Unix() || sig.Expiration.Sub(sig.Timestamp) != 24*time.Hour {
		t.Errorf("t=%v x=%v", sig.Timestamp, sig.Expiration)
	}
	if sig.Identity != "alice@mail.example.org" {
		t.Errorf("i=%q", sig.Identity)
	}
	for line := range strings.SplitSeq(h, "\r\n") {
		if len(line) > 78 {
			t.Errorf("line of %d characters: %q", len(line), line)
		}
	}
}

// TestSignDeterministic reproduces the b= of the deterministic signing
// vectors of ../shared/conformance/dkim (RSA PKCS#1 v1.5 and Ed25519 are
// deterministic): the expected field with b= emptied, signed, gives the
// expected b= byte for byte.
func TestSignDeterministic(t *testing.T) {
	dir := conformanceDir(t)
	pemBytes := readFile(t, filepath.Join(dir, "go-msgauth", "test.private.pem"))
	blk, _ := pem.Decode(pemBytes)
	var rsaKey crypto.Signer
	if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
		rsaKey = k
	} else if k, err := x509.ParsePKCS8PrivateKey(blk.Bytes); err == nil {
		rsaKey = k.(crypto.Signer)
	} else {
		t.Fatal(err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(readFile(t, filepath.Join(dir, "go-msgauth", "ed25519.seed.b64")))))
	if err != nil {
		t.Fatal(err)
	}
	edKey := ed25519.NewKeyFromSeed(seed)
	for _, tt := range []struct {
		file string
		key  crypto.Signer
	}{{"sign-rsa-expected.eml", rsaKey}, {"sign-ed25519-expected.eml", edKey}} {
		t.Run(tt.file, func(t *testing.T) {
			msg := readFile(t, filepath.Join(dir, "go-msgauth", tt.file))
			hdr, _, _ := bytes.Cut(msg, []byte("\r\n\r\n"))
			fields := splitFields(string(hdr)+"\r\n", nil)
			for i := range fields {
				f := &fields[i]
				if !strings.EqualFold(f.name, "DKIM-Signature") {
					continue
				}
				sig, err := ParseSignature(f.value())
				if err != nil {
					t.Fatal(err)
				}
				digest := headerDigest(nil, fields, f, sig, &headerCanon{})
				got, err := signDigest(tt.key, sig.Algorithm, digest)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, sig.Value) {
					t.Errorf("b=%s\nwant %s", encodeB64(got), encodeB64(sig.Value))
				}
				return
			}
			t.Fatal("no DKIM-Signature")
		})
	}
}

// TestSignConformanceInputs signs the vectors' sign-then-verify inputs with
// their published keys and verifies against the published key records;
// dkimpy's test_nofrom.message must be refused.
func TestSignConformanceInputs(t *testing.T) {
	dir := conformanceDir(t)
	loadKey := func(name string) crypto.Signer {
		b := readFile(t, filepath.Join(dir, name))
		blk, _ := pem.Decode(b)
		if blk == nil {
			// dkimpy's ed25519 key: base64 seed.
			seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			return ed25519.NewKeyFromSeed(seed)
		}
		if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
			return k
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return k.(crypto.Signer)
	}
	tests := []struct{ msg, key, record string }{
		{"rfc6376/a1-unsigned.eml", "rfc6376/c.private.pem", ""},
		{"dkimpy/test.message", "dkimpy/test.private", "dkimpy/test.txt"},
		{"dkimpy/ed25519test.msg", "dkimpy/ed25519test.key", "dkimpy/ed25519test.dns"},
		{"dkimpy/test.message", "dkimpy/1024_testkey.key", "dkimpy/1024_testkey_wo_markers.pub.rsa.txt"},
		{"dkimpy/test.message", "dkimpy/2048_testkey.key", "dkimpy/2048_testkey_wo_markers.pub.txt"},
		{"dkimpy/test.message", "dkimpy/2048_testkey_PKCS8.key", "dkimpy/2048_testkey_PKCS8.key.pub.txt"},
		{"dkimpy/rfc6376.w1258.msg", "dkimpy/test.private", "dkimpy/test.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.msg+"+"+tt.key, func(t *testing.T) {
			key := loadKey(tt.key)
			msg := string(readFile(t, filepath.Join(dir, tt.msg)))
			rec := ""
			if tt.record != "" {
				rec = strings.TrimSpace(string(readFile(t, filepath.Join(dir, tt.record))))
			} else {
				k, _ := NewKeyRecord(key.Public())
				rec = k.String()
			}
			for _, c := range []Canonicalization{CanonicalizationSimple, CanonicalizationRelaxed} {
				s := &Signer{Domain: "example.com", Selector: "test", Key: key, HeaderCanon: c, BodyCanon: c}
				h, err := s.Sign(strings.NewReader(msg))
				if err != nil {
					t.Fatal(err)
				}
				r := &mapResolver{}
				r.add("test._domainkey.example.com", rec)
				res, err := (&Verifier{Resolver: r}).Verify(context.Background(), strings.NewReader(h+msg))
				if err != nil || len(res) == 0 || res[0].Status != StatusPass {
					t.Fatalf("%v: %v %+v", c, err, res)
				}
			}
		})
	}
	_, ek := testKeys(t)
	s := &Signer{Domain: "example.com", Selector: "test", Key: ek}
	if _, err := s.Sign(strings.NewReader(string(readFile(t, filepath.Join(dir, "dkimpy/test_nofrom.message"))))); !errors.Is(err, ErrNoFrom) {
		t.Errorf("test_nofrom.message: %v, want ErrNoFrom", err)
	}
}
