package dkim

import (
	"strings"
	"testing"
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
