package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/internal/shared"
	"github.com/google/go-cmp/cmp"
)

// FuzzDecodeFailure: the failure report decoder never panics and fails
// only with a *DecodeError; what it decodes, EncodeFailure writes (when
// the report is complete) and the decoder reads back the same.
func FuzzDecodeFailure(f *testing.F) {
	f.Add([]byte(failureMessage(okFeedback, "From: a@a.example")))
	f.Add([]byte(okFeedback))
	var buf bytes.Buffer
	EncodeFailure(&buf, sampleFailure(f), FailureEmail{From: "r@receiver.example", Date: time.Unix(0, 0)})
	f.Add(buf.Bytes())
	if p := shared.Find("conformance", "dmarc-failure"); p != "" {
		filepath.WalkDir(p, func(path string, de os.DirEntry, err error) error {
			if err == nil && !de.IsDir() && filepath.Ext(path) == ".eml" {
				if b, err := os.ReadFile(path); err == nil {
					f.Add(b)
				}
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := Decoder{MaxArchiveSize: 1 << 20, MaxRecordEntries: 1000}
		got, err := dec.DecodeFailure(bytes.NewReader(data))
		if err != nil {
			if _, ok := errors.AsType[*DecodeError](err); !ok {
				t.Fatalf("error is not a *DecodeError: %T %v", err, err)
			}
			return
		}
		var out bytes.Buffer
		if err := EncodeFailure(&out, got, FailureEmail{From: "r@receiver.example", Date: time.Unix(0, 0)}); err != nil {
			if !errors.Is(err, ErrIncompleteFailure) {
				t.Fatalf("encode: %v", err)
			}
			return
		}
		again, err := dec.DecodeFailure(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("the encoded report does not decode: %v\n%s", err, out.Bytes())
		}
		if d := cmp.Diff(roundTripView(got), roundTripView(again), failureCmp); d != "" {
			t.Fatalf("round trip (-decoded +re-decoded):\n%s\n%s", d, out.Bytes())
		}
	})
}

// FuzzRedact: whatever the decoder reads, Redact leaves the report it is
// given unchanged, gives the same result twice, and keeps no text part,
// no body, no unnamed field and no header field outside the kept set; a
// redacted envelope address keeps its domain.
func FuzzRedact(f *testing.F) {
	f.Add([]byte(failureMessage(okFeedback, "From: a@a.example\r\nSubject: s\r\nTo: \"b c\"@b.example")))
	var buf bytes.Buffer
	EncodeFailure(&buf, sampleFailure(f), FailureEmail{From: "r@receiver.example", Date: time.Unix(0, 0)})
	f.Add(buf.Bytes())
	r := &Redactor{Key: []byte("0123456789abcdef-fuzz-key"), KeepHeader: []string{"X-Keep"}}
	keep := append(KeptHeaderFields(), r.KeepHeader...)
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := Decoder{MaxArchiveSize: 1 << 20, MaxRecordEntries: 1000}
		in, err := dec.DecodeFailure(bytes.NewReader(data))
		if err != nil {
			return
		}
		before, err := dec.DecodeFailure(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("the second decode fails: %v", err)
		}
		g, err := r.Redact(in)
		if err != nil {
			t.Fatalf("redact: %v", err)
		}
		if d := cmp.Diff(before, in, failureCmp); d != "" {
			t.Fatalf("Redact changed its input (-before +after):\n%s", d)
		}
		again, err := r.Redact(in)
		if err != nil {
			t.Fatalf("redact again: %v", err)
		}
		if d := cmp.Diff(g, again, failureCmp); d != "" {
			t.Fatalf("Redact is not deterministic:\n%s", d)
		}
		if g.Text != "" || g.Original.Body != nil || g.Fields != nil ||
			g.DKIMCanonicalizedHeader != nil || g.DKIMCanonicalizedBody != nil {
			t.Fatalf("text, body, fields or canonicalized data kept: %+v", g)
		}
		for _, h := range g.Original.Header {
			if !slices.ContainsFunc(keep, func(k string) bool { return strings.EqualFold(k, h.Name) }) {
				t.Fatalf("header field %q kept", h.Name)
			}
		}
		if i := strings.LastIndexByte(in.OriginalMailFrom, '@'); i > 0 &&
			!strings.HasSuffix(g.OriginalMailFrom, in.OriginalMailFrom[i:]) {
			t.Fatalf("Original-Mail-From %q redacted to %q: domain lost", in.OriginalMailFrom, g.OriginalMailFrom)
		}
	})
}

// FuzzOriginalFromMessage: any bytes give an Original or a typed error,
// never a panic; an Original has header fields, unfolded (no line break in
// a value), the same whether the body is kept or not, and its media type
// and body follow headersOnly.
func FuzzOriginalFromMessage(f *testing.F) {
	f.Add([]byte("From: a@example.org\r\nSubject: hi\r\n\tthere\r\n\r\nbody\r\n"))
	f.Add([]byte("From: a@example.org\n\nbody"))
	f.Add([]byte("no header\r\n\r\n"))
	f.Add([]byte(""))
	var dec Decoder
	f.Fuzz(func(t *testing.T, msg []byte) {
		whole, err := dec.OriginalFromMessage(msg, false)
		heads, herr := dec.OriginalFromMessage(msg, true)
		if (err == nil) != (herr == nil) {
			t.Fatalf("with the body: %v; headers only: %v", err, herr)
		}
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T %v, want *DecodeError", err, err)
			}
			return
		}
		if len(whole.Header) == 0 || !slices.Equal(whole.Header, heads.Header) {
			t.Fatalf("header %q, headers only %q", whole.Header, heads.Header)
		}
		for _, fl := range whole.Header {
			if strings.ContainsAny(fl.Value, "\n") || fl.Name == "" {
				t.Fatalf("field %q: not unfolded", fl)
			}
		}
		if whole.MediaType != "message/rfc822" || heads.MediaType != "text/rfc822-headers" || heads.Body != nil {
			t.Fatalf("media types %q, %q; headers-only body %q", whole.MediaType, heads.MediaType, heads.Body)
		}
	})
}
