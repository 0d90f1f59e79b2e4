package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

// evil holds what a hostile record, message or event may carry to act on
// a terminal: a screen clear (ESC [2J), an OSC 52 clipboard write ended by
// BEL, an 8-bit CSI (U+009B), a bidi override (U+202E), a line separator
// (U+2028) and bytes that are not UTF-8.
const evil = "\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\u009b31m\u202egro\u2028x\xff\xfe"

// rawDanger returns what in s a terminal could act on: a C0 control other
// than newline and tab, DEL, a C1 control, U+2028/2029, a bidi control, or
// bytes that are not UTF-8. "" means s is safe.
func rawDanger(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for i, r := range s {
		switch {
		case r < 0x20 && r != '\n' && r != '\t', r == 0x7f, r >= 0x80 && r <= 0x9f,
			r == 0x2028, r == 0x2029, r == 0x061c, r == 0x200e, r == 0x200f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return fmt.Sprintf("%U at byte %d", r, i)
		}
	}
	return ""
}

// zoneQuote writes s as a master-file quoted string, every byte outside
// printable ASCII as \DDD (RFC 1035 §5.1).
func zoneQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// evilZone is a zone whose records carry evil wherever a TXT value can:
// SPF terms and the exp= explanation, DMARC tags and URIs, DKIM key text.
func evilZone() string {
	q := zoneQuote
	return `$ORIGIN evil.example.
$TTL 300
@ MX 10 mx
mx A 192.0.2.25
@ TXT ` + q("v=spf1 mx include:inc.evil.example -all") + `
inc TXT ` + q("v=spf1 a:"+evil+".evil.example -all") + `
spfx TXT "v=spf1 -all exp=exp.evil.example"
exp TXT ` + q(evil) + `
badspf TXT ` + q("v=spf1 ip4:"+evil+" -all") + `
_dmarc TXT ` + q("v=DMARC1; p=reject; rua=mailto:"+evil+"@evil.example; x"+evil+"=1; "+evil) + `
_dmarc.badp TXT ` + q("v=DMARC1; p="+evil) + `
s1._domainkey TXT ` + q("v=DKIM1; k=rsa; p="+evil) + `
s2._domainkey TXT ` + q("v=DKIM1; "+evil) + `
`
}

// evilMessage is a message whose From and DKIM-Signature carry evil.
func evilMessage() string {
	return "DKIM-Signature: v=1; a=rsa-sha256; d=evil.example; s=s1" + evil + "; h=from; bh=AAAA; b=AAAA\r\n" +
		"From: cfo@evil.example" + evil + "\r\nSubject: x\r\n\r\nbody\r\n"
}

// evilEvent is an SES bounce notification whose remote-controlled fields
// (subject, message ID, reporting MTA, diagnostic code, address) carry evil.
func evilEvent() string {
	e, _ := json.Marshal(evil) // JSON escapes it; the decoder restores it
	v := string(e[1 : len(e)-1])
	return `{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",
"reportingMTA":"dns; mta` + v + `","timestamp":"2026-01-27T14:59:38.237Z","feedbackId":"f",
"bouncedRecipients":[{"emailAddress":"jane` + v + `@example.com","status":"5.1.1` + v + `","action":"failed","diagnosticCode":"smtp; 550 ` + v + `"}]},
"mail":{"timestamp":"2026-01-27T14:59:38.237Z","source":"john` + v + `@example.com","messageId":"id` + v + `",
"destination":["jane@example.com"],"commonHeaders":{"subject":"Hello` + v + `","from":["x@example.com"]}}}`
}

// TestTerminalInjection is issue 11 item 3: whatever a record, message or
// event holds, no command writes a byte a terminal acts on to stdout or
// stderr; text goes through termsafe and JSON stays valid JSON.
func TestTerminalInjection(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	zf := write("evil.example.zone", evilZone())
	evilFile := write("evil\x1b[2J\u202e.zone", evilZone())
	msg := write("evil.eml", evilMessage())
	event := write("bounce.json", evilEvent())
	tests := []struct {
		name  string
		stdin string
		args  []string
		json  bool   // stdout is one JSON document
		want  string // the escaped payload must show (the input reached the output)
	}{
		{"check", "", []string{"check", "--zone", zf, "--verbose", "evil.example"}, false, `\x1b[2J`},
		{"check json", "", []string{"check", "--zone", zf, "--json", "evil.example"}, true, ""},
		{"check csv", "", []string{"check", "--zone", zf, "--csv", "evil.example"}, false, `\x1b[2J`},
		{"check stdin", evil + "\n", []string{"check", "--zone", zf, "-"}, false, ""},
		{"spf lint", "", []string{"spf", "lint", "--zone", zf, "evil.example"}, false, `\x1b[2J`},
		{"spf lint json", "", []string{"spf", "lint", "--zone", zf, "--json", "evil.example"}, true, ""},
		{"spf lint broken record", "", []string{"spf", "lint", "--zone", zf, "badspf.evil.example"}, false, `\x1b[2J`},
		{"spf check explanation", "", []string{"spf", "check", "--zone", zf, "--trace", "spfx.evil.example", "203.0.113.9"}, false, ""},
		{"spf check broken record", "", []string{"spf", "check", "--zone", zf, "--trace", "badspf.evil.example", "203.0.113.9"}, false, `\x1b[2J`},
		{"spf check include", "", []string{"spf", "check", "--zone", zf, "--trace", "evil.example", "203.0.113.9"}, false, ""},
		{"spf parse", "", []string{"spf", "parse", "v=spf1 a:" + evil + " -all"}, false, `\x1b[2J`},
		{"spf parse stdin", "v=spf1 x=" + evil + " -all", []string{"spf", "parse", "-"}, false, `\x1b[2J`},
		{"dmarc lookup", "", []string{"dmarc", "lookup", "--zone", zf, "evil.example"}, false, ""},
		{"dmarc lookup json", "", []string{"dmarc", "lookup", "--zone", zf, "--json", "evil.example"}, true, ""},
		{"dmarc lookup bad policy", "", []string{"dmarc", "lookup", "--zone", zf, "badp.evil.example"}, false, `\x1b[2J`},
		{"dmarc parse", "", []string{"dmarc", "parse", "v=DMARC1; p=reject; rua=mailto:" + evil + "@x.example; " + evil}, false, ""},
		{"dmarc parse invalid", "", []string{"dmarc", "parse", "v=DMARC1; p=" + evil}, false, `\x1b[2J`},
		{"dmarc eval", "", []string{"dmarc", "eval", "--zone", zf, "--dkim", "evil.example=pass", "evil.example"}, false, ""},
		{"dmarc eval message", "", []string{"dmarc", "eval", "--zone", zf, "--message", msg, "--ip", "192.0.2.25"}, false, `\x1b[2J`},
		{"dkim lookup", "", []string{"dkim", "lookup", "--zone", zf, "evil.example", "s1", "s2"}, false, `x1b`},
		{"dkim verify", "", []string{"dkim", "verify", "--zone", zf, msg}, false, `x1b`},
		{"zone check", "", []string{"zone", "check", "--origin", "evil.example", evilFile}, false, `\x1b[2J`},
		{"zone check json", "", []string{"zone", "check", "--origin", "evil.example", "--json", evilFile}, true, ""},
		{"ses event", "", []string{"ses", "event", event}, false, `\x1b[2J`},
		{"ses event json", "", []string{"ses", "event", "--json", event}, true, ""},
		{"ses audit", "", []string{"ses", "audit", "--zone", zf, "--region", "eu-west-1", "evil.example"}, false, `\x1b[2J`},
		{"ses event not an event", "", []string{"ses", "event", evilFile}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := runCLI(t, tt.stdin, tt.args...)
			if d := rawDanger(stdout); d != "" {
				t.Errorf("stdout has %s (status %d):\n%q", d, status, stdout)
			}
			if d := rawDanger(stderr); d != "" {
				t.Errorf("stderr has %s (status %d):\n%q", d, status, stderr)
			}
			if tt.json && !json.Valid([]byte(stdout)) {
				t.Errorf("stdout is not valid JSON:\n%s", stdout)
			}
			if tt.want != "" && !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("no %s in the output (the payload should show, escaped); status %d\nstdout:\n%s\nstderr:\n%s", tt.want, status, stdout, stderr)
			}
		})
	}
}

// TestPresentersEscape: each presenter escapes the input strings it
// prints, even those the libraries would not let through today (the
// presenter does not rely on them for terminal safety).
func TestPresentersEscape(t *testing.T) {
	bad := errors.New("bad " + evil)
	tests := []struct {
		name  string
		write func(w io.Writer)
	}{
		{"spf result", func(w io.Writer) {
			writeSPFResult(w, evil, netip.MustParseAddr("192.0.2.1"), spf.Result{Code: spf.CodeFail, Domain: evil, Explanation: evil, Err: bad})
		}},
		{"dmarc discovery", func(w io.Writer) {
			audit.WriteDiscovery(w, &dmarc.Discovery{Status: dmarc.DiscoveryStatusPermError, AuthorDomain: evil, Err: bad, Queried: []string{evil}})
		}},
		{"dmarc result", func(w io.Writer) {
			audit.WriteDMARCResult(w, &dmarc.Result{Code: dmarc.CodePermError, AuthorDomain: evil, Err: bad})
		}},
		{"dkim verification", func(w io.Writer) {
			audit.WriteVerification(w, dkim.Verification{Status: dkim.StatusPermError, Domain: evil, Selector: evil, Err: bad})
		}},
		{"finding", func(w io.Writer) {
			audit.WriteFinding(w, "", audit.AreaFinding{Severity: domainauth.SeverityError, Code: evil, Record: evil, Message: evil, Fix: evil, RFC: evil})
		}},
		// A command's errors carry the input as it was; fail, which
		// prints them, escapes them.
		{"check error", func(w io.Writer) {
			(&app{stderr: w}).fail("domainauth check", checkError(&source{what: evil}, evil, bad))
		}},
		{"check error DNS unusable", func(w io.Writer) {
			(&app{stderr: w}).fail("domainauth check", checkError(&source{what: evil}, evil, fmt.Errorf("%w: %v", audit.ErrDNSUnusable, bad)))
		}},
		{"DNS failure in files", func(w io.Writer) {
			(&app{stderr: w}).fail("domainauth check", dnsFailureError(&source{what: evil, files: zone.New()}, 2))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			tt.write(&b)
			if d := rawDanger(b.String()); d != "" {
				t.Errorf("output has %s:\n%q", d, b.String())
			}
			if !strings.Contains(b.String(), `\x1b[2J`) {
				t.Errorf("output lacks the escaped payload:\n%s", b.String())
			}
		})
	}
}

// TestWriteJSONInert: JSON output escapes C1 and bidi controls as \u
// escapes, stays valid JSON and decodes to the same text.
func TestWriteJSONInert(t *testing.T) {
	in := map[string]string{"v": "a\u009b31m\u202e\u2066b\x1b\u2028é"}
	var b strings.Builder
	if err := writeJSON(&b, in); err != nil {
		t.Fatal(err)
	}
	if d := rawDanger(b.String()); d != "" {
		t.Errorf("JSON has %s: %q", d, b.String())
	}
	var out map[string]string
	if err := json.Unmarshal([]byte(b.String()), &out); err != nil {
		t.Fatalf("not valid JSON: %v\n%s", err, b.String())
	}
	if out["v"] != in["v"] {
		t.Errorf("decoded %q, want %q", out["v"], in["v"])
	}
	if !strings.Contains(b.String(), "é") {
		t.Errorf("printable non-ASCII text was escaped: %s", b.String())
	}
}

// TestStderrEscapesInput guards the messages built from what the user typed
// or a file held: a file name, a flag name or a zone file's content with
// terminal controls is escaped once where the error is printed (fail),
// never printed raw, and never escaped twice (no doubled backslashes, not
// even of what a package quoted with %q).
func TestStderrEscapesInput(t *testing.T) {
	dir := t.TempDir()
	badZone := filepath.Join(dir, "bad\x1b[2J.zone")
	if err := os.WriteFile(badZone, []byte("@ 300 IN TXT \"v=spf1 -all\"\n@ 300 IN NOPE x\x1b[2J\n"), 0o644); err != nil {
		t.Skipf("file system refuses the name: %v", err)
	}
	tests := []struct {
		name string
		args []string
		want string // escaped text the message must hold
	}{
		{"missing zone file", []string{"spf", "lint", "--zone", filepath.Join(dir, "no\x1b[2Jfile.zone"), "example.org"}, `no\x1b[2Jfile.zone: no such file`},
		{"bad zone file", []string{"spf", "lint", "--zone", badZone, "example.org"}, `bad\x1b[2J.zone: not a valid zone file`},
		{"unknown flag", []string{"spf", "lint", "--x\x1b[2J", "example.org"}, `unknown flag --x\x1b[2J`},
		{"unknown command", []string{"spf", "x\x1b[2J"}, `unknown command "x\x1b[2J"`},
		{"dkim verify missing message", []string{"dkim", "verify", filepath.Join(dir, "no\x1b[2J.eml")}, `no\x1b[2J.eml: no such file`},
		{"dkim keygen bad name", []string{"dkim", "keygen", "--domain", "x\x1b[2J.example", "--selector", "s1"}, `x\x1b[2J.example is not a valid record name`},
		{"dmarc eval missing message", []string{"dmarc", "eval", "--zone", badZone, "--message", filepath.Join(dir, "no\x1b[2J.eml"), "--ip", "192.0.2.1"}, `no\x1b[2J.eml: no such file`},
		{"report ingest bad database URL", []string{"report", "ingest", "--offline", "--db", "postgres://x\x1b[2J@[", dir}, "`postgres://x\\x1b[2J@[`"},
		// Printed raw before fail escaped every command's error: the web
		// package cites the address as given.
		{"report serve listen address", []string{"report", "serve", "--listen", "x\x1bc\u009b31m.example:8080"}, `x\x1bc\x9b31m.example:8080 is not a loopback address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, status := runCLI(t, "", tt.args...)
			if status != exitTrouble {
				t.Errorf("exit status %d, want %d", status, exitTrouble)
			}
			if d := rawDanger(stderr); d != "" {
				t.Errorf("stderr has %s: %q", d, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q lacks %q", stderr, tt.want)
			}
			if strings.Contains(stderr, `\\x1b`) {
				t.Errorf("stderr escaped twice: %q", stderr)
			}
		})
	}
}

// TestFailEscapesOnce: fail, the printer of every command's error, escapes
// the message once: raw controls become escapes, what a package quoted
// with %q keeps its single backslashes, and the message stays on one line.
func TestFailEscapesOnce(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"raw controls", fmt.Errorf("%s: %w", "a\x1b[2J\u202e.zone", os.ErrNotExist), "domainauth x: a\\x1b[2J\\u202e.zone: file does not exist\n"},
		{"quoted and raw", fmt.Errorf("a\x1b: name %q", "b\x1b"), "domainauth x: a\\x1b: name \"b\\x1b\"\n"},
		{"usage error", usagef("--keep %q: want a positive number", "\x9b"), "domainauth x: --keep \"\\x9b\": want a positive number (see 'domainauth x --help')\n"},
		{"lines folded", errors.New("first\x07\nsecond"), "domainauth x: first\\x07; second\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if status := (&app{stderr: &b}).fail("domainauth x", tt.err); status != exitTrouble {
				t.Errorf("status %d, want %d", status, exitTrouble)
			}
			if b.String() != tt.want {
				t.Errorf("fail printed %q, want %q", b.String(), tt.want)
			}
		})
	}
}
