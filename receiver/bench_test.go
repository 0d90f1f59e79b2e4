package receiver

import (
	"bytes"
	"context"
	"net/netip"
	"testing"
)

// BenchmarkCheck runs the whole inbound check on the bundled message
// against the bundled zone (in memory, so DNS costs nothing): SPF through
// amazonses.com's record, one RSA-2048 DKIM signature, DMARC, and the
// Authentication-Results field.
func BenchmarkCheck(b *testing.B) {
	z, msg := bundled(b)
	c := &Checker{Resolver: z, AuthServID: "mx.example.net"}
	env := Envelope{IP: netip.MustParseAddr("54.240.0.1"), HELO: "mx1.example.org", MailFrom: "<bounce@mail.example.org>"}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		res, err := c.Check(ctx, env, bytes.NewReader(msg))
		if err != nil || res.Header() == "" {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePath(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePath(`<@relay.example:"a@b"@mail.example.org>`); err != nil {
			b.Fatal(err)
		}
	}
}
