package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRedact(t *testing.T) {
	r := &Redactor{Key: []byte("0123456789abcdef-test-key")}
	f := sampleFailure(t)
	f.Text = "alice@sender.example sent it"
	f.AuthenticationResults[0].Raw = "mx.receiver.example; spf=fail smtp.mailfrom=bounce@forwarder.example; dmarc=fail header.from=sender.example"
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
