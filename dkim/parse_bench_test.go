package dkim

import (
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/tagvalue"
)

// BenchmarkParseSignature parses a typical rsa-sha256 DKIM-Signature value.
func BenchmarkParseSignature(b *testing.B) {
	rk, _ := testKeys(b)
	s := &Signer{Domain: "example.org", Selector: "sel", Key: rk, Clock: testClock}
	h, err := s.Sign(strings.NewReader(benchMessage(4096)))
	if err != nil {
		b.Fatal(err)
	}
	value := strings.TrimPrefix(strings.TrimSuffix(h, "\r\n"), "DKIM-Signature:")
	b.SetBytes(int64(len(value)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSignature(value); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScanSignatureTags(b *testing.B) {
	rk, _ := testKeys(b)
	s := &Signer{Domain: "example.org", Selector: "sel", Key: rk, Clock: testClock}
	h, _ := s.Sign(strings.NewReader(benchMessage(4096)))
	value := strings.TrimPrefix(strings.TrimSuffix(h, "\r\n"), "DKIM-Signature:")
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			sc := tagvalue.Scanner{Input: value}
			for sc.Next() {
			}
		}
	})
	sig, _ := ParseSignature(value)
	b.Run("b64", func(b *testing.B) {
		// Into storage of its own, as ParseSignature decodes b=.
		var st sigStorage
		for b.Loop() {
			decodeBase64(sig.bRaw, st.value[:])
		}
	})
	b.Run("fieldNames", func(b *testing.B) {
		h := value[strings.Index(value, "h=")+2:]
		h = h[:strings.IndexByte(h, ';')]
		var st sigStorage
		for b.Loop() {
			fieldNames(h, st.headers[:0])
		}
	})
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			ParseSignature(value)
		}
	})
}

// BenchmarkHeaderDigest canonicalises (relaxed) and hashes the signed
// header fields of the 4 KiB message the Signer signs, as Verify does for
// each signature: the h= fields and the DKIM-Signature field without b=.
func BenchmarkHeaderDigest(b *testing.B) {
	rk, _ := testKeys(b)
	s := &Signer{Domain: "example.org", Selector: "sel", Key: rk, Clock: testClock}
	msg := benchMessage(4096)
	h, err := s.Sign(strings.NewReader(msg))
	if err != nil {
		b.Fatal(err)
	}
	hdr := h + msg[:strings.Index(msg, "\r\n\r\n")+2]
	fields := splitFields(hdr, nil)
	sig, err := ParseSignature(fields[0].value())
	if err != nil {
		b.Fatal(err)
	}
	var hc headerCanon
	var sum [32]byte
	b.ReportAllocs()
	for b.Loop() {
		headerDigest(sum[:0], fields, &fields[0], sig, &hc)
	}
}
