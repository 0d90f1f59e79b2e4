package report

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRedact(t *testing.T) {
	r := &Redactor{Key: []byte("0123456789abcdef-test-key")}
	f := sampleFailure(t)
	f.Text = "alice@sender.example sent it"
	f.AuthenticationResults[0].Raw = "mx.receiver.example; dmarc=fail smtp.mailfrom=bounce@forwarder.example header.from=sender.example"
	f.Fields = []Field{{"X-Secret", "s"}}
	g, err := r.Redact(f)
	if err != nil {
		t.Fatal(err)
	}
	tok := func(local, domain string) string { return r.token(local, domain) + "@" + domain }
	if g.OriginalMailFrom != tok("bounce", "forwarder.example") || g.OriginalRcptTo[0] != tok("bob", "receiver.example") {
		t.Errorf("envelope = %q %q", g.OriginalMailFrom, g.OriginalRcptTo)
	}
	if want := "smtp.mailfrom=" + tok("bounce", "forwarder.example"); !strings.Contains(g.AuthenticationResults[0].Raw, want) {
		t.Errorf("Authentication-Results = %q, want %q in it", g.AuthenticationResults[0].Raw, want)
	}
	if g.AuthenticationResults[0].Parsed == nil {
		t.Error("redacted Authentication-Results does not parse")
	}
	if g.Original.Body != nil || g.Original.MediaType != "text/rfc822-headers" || g.Text != "" || g.Fields != nil ||
		g.DKIMCanonicalizedHeader != nil {
		t.Errorf("body, text, fields or canonicalized header kept: %+v", g)
	}
	if g.Original.Get("Subject") != "" {
		t.Error("Subject kept")
	}
	if got := g.Original.Get("From"); got != "Alice <"+tok("alice", "sender.example")+">" {
		t.Errorf("From = %q", got)
	}
	if g.DKIMIdentity != "@sender.example" {
		t.Errorf("DKIM-Identity with an empty local part = %q", g.DKIMIdentity)
	}
	all := g.Original.Header
	for _, h := range all {
		for _, local := range []string{"alice@", "bob@", "bounce@"} {
			if strings.Contains(h.Value, local) {
				t.Errorf("%s still holds %s: %q", h.Name, local, h.Value)
			}
		}
	}
	if f.OriginalMailFrom != "bounce@forwarder.example" || f.Original.Body == nil {
		t.Error("Redact changed its argument")
	}
	// One address, one token, whatever the domain's case; another key,
	// another token.
	if r.Address("bob@Receiver.Example") != strings.Replace(r.Address("bob@receiver.example"), "receiver.example", "Receiver.Example", 1) {
		t.Error("token depends on the domain's case")
	}
	r2 := &Redactor{Key: []byte("another key, 16 bytes or more")}
	if r2.Address("bob@receiver.example") == r.Address("bob@receiver.example") {
		t.Error("two keys give one token")
	}
	if n := len(strings.Split(r.Address("bob@receiver.example"), "@")[0]); n != 16 {
		t.Errorf("token of %d digits, want 16", n)
	}
	// The redacted report is still a valid report.
	var buf bytes.Buffer
	if err := EncodeFailure(&buf, g, FailureEmail{From: "r@receiver.example", Date: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeFailure(&buf); err != nil {
		t.Fatal(err)
	}
}

func TestRedactKeyRequired(t *testing.T) {
	for _, k := range [][]byte{nil, []byte("short")} {
		if _, err := (&Redactor{Key: k}).Redact(sampleFailure(t)); !errors.Is(err, ErrRedactKey) {
			t.Errorf("key %q: err = %v", k, err)
		}
	}
}

// TestRedactTokens: the token is the truncated HMAC-SHA-256 of the
// address under the caller's key, stable across Redactors with one key,
// of TokenLength digits (16 by default, at most 64).
func TestRedactTokens(t *testing.T) {
	key := []byte("0123456789abcdef-test-key")
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("alice@sender.example"))
	full := hex.EncodeToString(mac.Sum(nil))
	for _, c := range []struct {
		name   string
		length int
		addr   string
		want   string
	}{
		{"default 16 digits", 0, "alice@sender.example", full[:16] + "@sender.example"},
		{"8 digits", 8, "alice@sender.example", full[:8] + "@sender.example"},
		{"64 digits", 64, "alice@sender.example", full + "@sender.example"},
		{"past 64: the whole HMAC", 100, "alice@sender.example", full + "@sender.example"},
		{"domain lower-cased before hashing, kept as written", 0, "alice@Sender.Example", full[:16] + "@Sender.Example"},
		{"no local part: unchanged", 0, "@sender.example", "@sender.example"},
		{"no address: unchanged", 0, "sender.example", "sender.example"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &Redactor{Key: key, TokenLength: c.length}
			if got := r.Address(c.addr); got != c.want {
				t.Errorf("Address(%q) = %q, want %q", c.addr, got, c.want)
			}
			// Another Redactor with the same key gives the same token.
			if got := (&Redactor{Key: slices.Clone(key), TokenLength: c.length}).Address(c.addr); got != c.want {
				t.Errorf("second Redactor: %q", got)
			}
		})
	}
}

// TestRedactKeeps: only the kept header fields (KeptHeaderFields and
// KeepHeader) remain; DKIM-Canonicalized-Body goes with the header
// (RFC 6591 §3.2.4: no redacted data in them); addresses in free text of
// kept fields are tokenised, quoted local parts too.
func TestRedactKeeps(t *testing.T) {
	r := &Redactor{Key: []byte("0123456789abcdef-test-key"), KeepHeader: []string{"x-mailer"}}
	f := sampleFailure(t)
	f.DKIMCanonicalizedBody = []byte("Hello Bob,\r\n")
	f.Original.Header = append(f.Original.Header,
		Field{"X-Mailer", "mua 1"}, Field{"X-Other", "secret"}, Field{"Cc", `"carol smith"@example.net, dave@example.net`})
	g, err := r.Redact(f)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range g.Original.Header {
		names = append(names, h.Name)
	}
	want := []string{"Received", "DKIM-Signature", "From", "To", "Date", "Message-ID", "X-Mailer", "Cc"}
	if !slices.Equal(names, want) {
		t.Errorf("kept %q, want %q", names, want)
	}
	if g.DKIMCanonicalizedBody != nil || g.DKIMCanonicalizedHeader != nil {
		t.Error("canonicalised header or body kept")
	}
	if cc := g.Original.Get("Cc"); cc != r.Address(`"carol smith"@example.net`)+", "+r.Address("dave@example.net") {
		t.Errorf("Cc = %q", cc)
	}
	if g.Incidents != f.Incidents || g.SourceIP != f.SourceIP || !slices.Equal(g.ReportedDomain, f.ReportedDomain) || g.DKIMSelector != f.DKIMSelector {
		t.Error("a field the report needs was changed")
	}
}
