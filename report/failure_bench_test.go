package report

import (
	"bytes"
	"io"
	"testing"
	"time"
)

func BenchmarkDecodeFailure(b *testing.B) {
	var buf bytes.Buffer
	if err := EncodeFailure(&buf, sampleFailure(b), FailureEmail{From: "r@receiver.example", Date: time.Unix(0, 0)}); err != nil {
		b.Fatal(err)
	}
	msg := buf.Bytes()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeFailure(bytes.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeFailure(b *testing.B) {
	f := sampleFailure(b)
	m := FailureEmail{From: "r@receiver.example", Date: time.Unix(0, 0)}
	b.ReportAllocs()
	for b.Loop() {
		if err := EncodeFailure(io.Discard, f, m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedact(b *testing.B) {
	f := sampleFailure(b)
	r := &Redactor{Key: []byte("0123456789abcdef-bench")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Redact(f); err != nil {
			b.Fatal(err)
		}
	}
}
