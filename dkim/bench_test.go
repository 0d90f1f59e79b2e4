package dkim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// benchMessage builds a message of about size bytes: a realistic header
// section and a text body of short lines.
func benchMessage(size int) string {
	var b strings.Builder
	b.WriteString("Received: from mail.example.org (mail.example.org [192.0.2.1])\r\n\tby mx.example.net with ESMTPS id abc123\r\n\tfor <bob@example.net>; Fri, 27 Nov 2026 12:00:00 +0000\r\n")
	b.WriteString("From: Alice Example <alice@example.org>\r\nTo: Bob Example <bob@example.net>\r\nCc: carol@example.net\r\n")
	b.WriteString("Subject: Quarterly figures and the plan for next week\r\nDate: Fri, 27 Nov 2026 12:00:00 +0000\r\n")
	b.WriteString("Message-ID: <20261127120000.12345@mail.example.org>\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	line := "The quick brown fox jumps over the lazy dog, then reads the report.\r\n"
	for i := 0; b.Len() < size; i++ {
		if i%12 == 11 {
			b.WriteString("\r\n")
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

type benchCase struct {
	name   string
	key    crypto.Signer
	signed []byte
	msg    []byte
	r      *mapResolver
}

func benchCases(b testing.TB) []benchCase {
	rk, ek := testKeys(b)
	msg := benchMessage(4096)
	var cases []benchCase
	for _, c := range []struct {
		name string
		key  crypto.Signer
	}{{"rsa-2048", rk}, {"ed25519", ek}} {
		s := &Signer{Domain: "example.org", Selector: "sel", Key: c.key, Clock: testClock}
		h, err := s.Sign(strings.NewReader(msg))
		if err != nil {
			b.Fatal(err)
		}
		rec, _ := NewKeyRecord(c.key.Public())
		r := &mapResolver{}
		r.add("sel._domainkey.example.org", rec.String())
		cases = append(cases, benchCase{c.name, c.key, []byte(h + msg), []byte(msg), r})
	}
	return cases
}

// BenchmarkVerify verifies one relaxed/relaxed signature on a 4 KiB message.
func BenchmarkVerify(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name+"/4KiB", func(b *testing.B) {
			v := &Verifier{Resolver: c.r, Clock: testClock}
			ctx := context.Background()
			rd := bytes.NewReader(c.signed)
			b.SetBytes(int64(len(c.signed)))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(c.signed)
				res, err := v.Verify(ctx, rd)
				if err != nil || res[0].Status != Pass {
					b.Fatalf("%v %v", err, res)
				}
			}
		})
	}
}

// BenchmarkBareCost is the floor Verify is measured against: SHA-256 of the
// whole message and one signature verification, nothing else.
func BenchmarkBareCost(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name+"/4KiB", func(b *testing.B) {
			d := sha256.Sum256(c.signed)
			var opts crypto.SignerOpts = crypto.SHA256
			if _, ok := c.key.(ed25519.PrivateKey); ok {
				opts = crypto.Hash(0)
			}
			sig, err := c.key.Sign(nil, d[:], opts)
			if err != nil {
				b.Fatal(err)
			}
			pub := c.key.Public()
			b.SetBytes(int64(len(c.signed)))
			b.ReportAllocs()
			for b.Loop() {
				d := sha256.Sum256(c.signed)
				switch p := pub.(type) {
				case *rsa.PublicKey:
					if err := rsa.VerifyPKCS1v15(p, crypto.SHA256, d[:], sig); err != nil {
						b.Fatal(err)
					}
				case ed25519.PublicKey:
					if !ed25519.Verify(p, d[:], sig) {
						b.Fatal("ed25519 verify failed")
					}
				}
			}
		})
	}
}

// BenchmarkSign signs a 4 KiB message, relaxed/relaxed.
func BenchmarkSign(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name+"/4KiB", func(b *testing.B) {
			s := &Signer{Domain: "example.org", Selector: "sel", Key: c.key, Clock: testClock}
			rd := bytes.NewReader(c.msg)
			b.SetBytes(int64(len(c.msg)))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(c.msg)
				if _, err := s.Sign(rd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCanonicalizeBody canonicalises a 1 MiB body, written in 32 KiB
// chunks as Verify does, into SHA-256 and into nothing (the canonicaliser alone).
func BenchmarkCanonicalizeBody(b *testing.B) {
	body := []byte(benchMessage(1 << 20))
	for _, relaxed := range []bool{false, true} {
		for _, sink := range []string{"sha256", "discard"} {
			name := fmt.Sprintf("%s/%s/1MiB", map[bool]string{false: "simple", true: "relaxed"}[relaxed], sink)
			b.Run(name, func(b *testing.B) {
				var w io.Writer = io.Discard
				h := sha256.New()
				if sink == "sha256" {
					w = h
				}
				c := newBodyCanon(relaxed, w, -1)
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					h.Reset()
					c.reset(relaxed, w, -1)
					for p := body; len(p) > 0; {
						n := min(len(p), readChunk)
						c.Write(p[:n])
						p = p[n:]
					}
					c.finish()
				}
			})
		}
	}
}

// BenchmarkVerifyVsBare alternates Verify and the bare cost in one loop and
// reports their ratio, timed with the thread's CPU clock: steadier than two
// separate benchmarks on a busy machine. The goal is a ratio of at most 1.25.
func BenchmarkVerifyVsBare(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name+"/4KiB", func(b *testing.B) {
			v := &Verifier{Resolver: c.r, Clock: testClock}
			ctx := context.Background()
			rd := bytes.NewReader(c.signed)
			d := sha256.Sum256(c.signed)
			var opts crypto.SignerOpts = crypto.SHA256
			if _, ok := c.key.(ed25519.PrivateKey); ok {
				opts = crypto.Hash(0)
			}
			sig, _ := c.key.Sign(nil, d[:], opts)
			pub := c.key.Public()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var tv, tb time.Duration
			n := 0
			for b.Loop() {
				t0 := threadCPU()
				rd.Reset(c.signed)
				res, err := v.Verify(ctx, rd)
				if err != nil || res[0].Status != Pass {
					b.Fatalf("%v %v", err, res)
				}
				t1 := threadCPU()
				d := sha256.Sum256(c.signed)
				switch p := pub.(type) {
				case *rsa.PublicKey:
					if rsa.VerifyPKCS1v15(p, crypto.SHA256, d[:], sig) != nil {
						b.Fatal("rsa")
					}
				case ed25519.PublicKey:
					if !ed25519.Verify(p, d[:], sig) {
						b.Fatal("ed25519")
					}
				}
				t2 := threadCPU()
				tv += t1 - t0
				tb += t2 - t1
				n++
			}
			b.ReportMetric(float64(tv.Nanoseconds())/float64(n), "verify-ns/op")
			b.ReportMetric(float64(tb.Nanoseconds())/float64(n), "bare-ns/op")
			b.ReportMetric(float64(tv)/float64(tb), "ratio")
		})
	}
}
