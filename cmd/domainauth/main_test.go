package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/domainauth/domainauth/audit"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/shared"
	"github.com/domainauth/domainauth/zone"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testNow is the fixed time every golden run sees, so that DKIM t=/x= and
// report windows print the same on every machine.
var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// repoRoot is the module root, found from this file's location, so that the
// golden command lines use the same paths as the README.
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test file")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// sharedDir finds the project's read-only data folder ("shared", a sibling
// of the repository) by walking up from the repository root; tests that
// need it skip when it is absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	return filepath.Dir(shared.Require(t, "conformance"))
}

// runCLI runs the tool in-process from the repository root.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errb,
		clock:  domainauth.FixedClock(testNow),
		random: fixedRandom{},
		// No test reaches a real web server: an HTTPS fetch of check on
		// live DNS fails at once unless a test dials a loopback server.
		httpDial: refuseDial,
	}
	status = a.run(context.Background(), args)
	return out.String(), errb.String(), status
}

// refuseDial is the dialer of the command's HTTPS client in tests.
func refuseDial(ctx context.Context, network, addr string) (net.Conn, error) {
	return nil, fmt.Errorf("dial %s: tests do not reach the network", addr)
}

// fixedRandom is a deterministic "random" source so that generated Ed25519
// keys are the same on every run. Never use such a thing outside tests.
type fixedRandom struct{}

func (fixedRandom) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*7 + 1)
	}
	return len(p), nil
}

// golden runs args from the repository root and compares the transcript
// (stdout, stderr, exit status) with testdata/golden/NAME.txt.
func golden(t *testing.T, name string, wantStatus int, args ...string) string {
	t.Helper()
	return goldenIn(t, repoRoot(t), name, wantStatus, args...)
}

// goldenIn is golden run from dir instead of the repository root.
func goldenIn(t *testing.T, dir, name string, wantStatus int, args ...string) string {
	t.Helper()
	root := repoRoot(t)
	goldenFile := filepath.Join(root, "cmd", "domainauth", "testdata", "golden", name+".txt")
	t.Chdir(dir)
	stdout, stderr, status := runCLI(t, "", args...)
	if status != wantStatus {
		t.Errorf("domainauth %s: exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), status, wantStatus, stdout, stderr)
	}
	got := transcript(args, stdout, stderr, status)
	if *update {
		if err := os.MkdirAll(filepath.Dir(goldenFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return stdout
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (run 'go test ./cmd/domainauth -run %s -update' to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("domainauth %s: output differs from %s (rerun with -update after checking)\n--- got\n%s\n--- want\n%s",
			strings.Join(args, " "), goldenFile, got, want)
	}
	return stdout
}

func transcript(args []string, stdout, stderr string, status int) string {
	var b strings.Builder
	b.WriteString("$ domainauth " + strings.Join(args, " ") + "\n")
	b.WriteString("--- stdout\n" + stdout)
	if stdout != "" && !strings.HasSuffix(stdout, "\n") {
		b.WriteString("\n")
	}
	b.WriteString("--- stderr\n" + stderr)
	if stderr != "" && !strings.HasSuffix(stderr, "\n") {
		b.WriteString("\n")
	}
	b.WriteString("--- exit status " + strconv.Itoa(status) + "\n")
	return b.String()
}

// TestUsage covers the command framework: help, unknown commands and flags,
// argument counts. Every mistake is one line on stderr with status 2.
func TestUsage(t *testing.T) {
	tests := []struct {
		name   string
		status int
		args   []string
	}{
		{"help", 0, []string{"help"}},
		{"help-flag", 0, []string{"--help"}},
		{"no-args", 2, nil},
		{"unknown-command", 2, []string{"frobnicate"}},
		{"zone-help", 0, []string{"zone", "--help"}},
		{"zone-check-help", 0, []string{"zone", "check", "--help"}},
		{"help-zone-fmt", 0, []string{"help", "zone", "fmt"}},
		{"unknown-flag", 2, []string{"zone", "check", "--frobnicate", "examples/zones/example.org.zone"}},
		{"flag-needs-value", 2, []string{"zone", "fmt", "--origin"}},
		{"too-many-args", 2, []string{"zone", "fmt", "a.zone", "b.zone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "usage-"+tt.name, tt.status, tt.args...)
		})
	}
}

// TestErrorsAreOneLine checks the promise of the issue: bad input gives one
// line on stderr and the documented status, never a stack trace.
func TestErrorsAreOneLine(t *testing.T) {
	t.Chdir(repoRoot(t))
	bad := filepath.Join(t.TempDir(), "bad.zone")
	if err := os.WriteFile(bad, []byte("$ORIGIN bad.example.\n@ IN MX ten mx\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		status int
		args   []string
	}{
		{"unknown flag", 2, []string{"zone", "check", "--nope", "x"}},
		{"missing file", 2, []string{"zone", "check", "no/such/file.zone"}},
		{"malformed zone", 2, []string{"zone", "check", bad}},
		{"unreachable DNS", 2, []string{"check", "--nameserver", "127.0.0.1:9", "--timeout", "3s", "example.org"}},
		{"bad domain", 2, []string{"check", "--zone", "examples/zones/example.org.zone", "exa mple..org"}},
		{"zone and nameserver", 2, []string{"check", "--zone", "examples/zones/example.org.zone", "--nameserver", "127.0.0.1", "example.org"}},
		{"check malformed zone", 2, []string{"check", "--zone", "cmd/domainauth/testdata/malformed.zone", "example.org"}},
		{"non-report file", 2, []string{"report", "show", "examples/zones/example.org.zone"}},
		{"unknown SES region", 2, []string{"check", "--zone", "examples/zones/example.org.zone", "--region", "xx-nowhere-1", "example.org"}},
		{"unknown SES region in plan", 2, []string{"ses", "plan", "--region", "xx-nowhere-1", "example.org"}},
		{"not an SES event", 2, []string{"ses", "event", "examples/zones/example.org.zone"}},
		{"not a message", 2, []string{"dkim", "sign", "--key", "cmd/domainauth/testdata/ses-dkim-test.pem", "--domain", "example.org", "--selector", "s", "no-such.eml"}},
		{"malformed route53", 2, []string{"zone", "fmt", "--route53", "examples/zones/example.org.zone"}},
		{"missing policy file", 2, []string{"check", "--zone", "examples/zones/secure.example.zone", "--mta-sts-policy", "no/such/policy.txt", "secure.example"}},
		{"missing logo file", 2, []string{"check", "--zone", "examples/zones/secure.example.zone", "--bimi-svg", "no/such/logo.svg", "secure.example"}},
		{"policy file for several domains", 2, []string{"check", "--zone", "examples/zones/secure.example.zone", "--mta-sts-policy", "examples/zones/secure.example.mta-sts.txt", "secure.example", "example.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := runCLI(t, "", tt.args...)
			if status != tt.status {
				t.Errorf("status %d, want %d (stdout %q, stderr %q)", status, tt.status, stdout, stderr)
			}
			if tt.status == exitTrouble {
				if n := strings.Count(stderr, "\n"); n != 1 {
					t.Errorf("stderr has %d lines, want 1: %q", n, stderr)
				}
				if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
					t.Errorf("stderr looks like a stack trace: %q", stderr)
				}
			}
		})
	}
}

func TestZone(t *testing.T) {
	tests := []struct {
		name   string
		status int
		args   []string
	}{
		{"check", 0, []string{"zone", "check", "examples/zones/example.org.zone", "examples/zones/broken.example.zone"}},
		{"check-json", 0, []string{"zone", "check", "--json", "examples/zones/example.org.zone"}},
		{"fmt-example", 0, []string{"zone", "fmt", "examples/zones/example.org.zone"}},
		{"fmt-broken", 0, []string{"zone", "fmt", "examples/zones/broken.example.zone"}},
		{"check-structure", 1, []string{"zone", "check", "cmd/domainauth/testdata/structure.zone"}},
		{"check-route53", 0, []string{"zone", "check", "--route53", "cmd/domainauth/testdata/route53-listing.json"}},
		{"fmt-route53", 0, []string{"zone", "fmt", "--route53", "cmd/domainauth/testdata/route53-listing.json"}},
		{"missing-file", 2, []string{"zone", "check", "examples/zones/nonexistent.zone"}},
		{"malformed", 2, []string{"zone", "check", "cmd/domainauth/testdata/malformed.zone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "zone-"+tt.name, tt.status, tt.args...)
		})
	}
}

// TestCheckDNSTrouble: when lookups fail during the audit, check prints
// what it could and exits 2 with one line saying the report is incomplete.
func TestCheckDNSTrouble(t *testing.T) {
	t.Chdir(repoRoot(t))
	z, err := readZoneFile("examples/zones/example.org.zone", "")
	if err != nil {
		t.Fatal(err)
	}
	z.SetFault("_dmarc.example.org", zone.TypeTXT, zone.FaultServFail)
	au := &audit.Auditor{Resolver: z, Zone: z, Timeout: time.Second}
	rep, err := au.Audit(context.Background(), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.DNSFailures(); n == 0 {
		t.Fatalf("no DNS failure reported:\n%+v", rep)
	}
	var out bytes.Buffer
	rep.WriteText(&out, "test", audit.TextOptions{})
	if !strings.Contains(out.String(), "dmarc.dns-error") && !strings.Contains(out.String(), "lookup failed") {
		t.Errorf("the report does not show the failed lookup:\n%s", out.String())
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		status int
		args   []string
	}{
		// The README's quick start: a correct SES set-up, nothing to report.
		{"example-org", 0, []string{"check", "--zone", "examples/zones/example.org.zone", "example.org"}},
		{"example-org-json", 0, []string{"check", "--zone", "examples/zones/example.org.zone", "--json", "example.org"}},
		{"broken", 1, []string{"check", "--zone", "examples/zones/broken.example.zone", "--region", "eu-south-1", "--mta-sts-policy", "examples/zones/broken.example.mta-sts.txt", "broken.example"}},
		{"broken-json", 1, []string{"check", "--zone", "examples/zones/broken.example.zone", "--region", "eu-south-1", "--mta-sts-policy", "examples/zones/broken.example.mta-sts.txt", "--json", "broken.example"}},
		// The full MTA-STS, TLS-RPT and BIMI set-up, with the policy and
		// the logo from files; without them, what was not checked.
		{"secure", 0, []string{"check", "--zone", "examples/zones/secure.example.zone", "--mta-sts-policy", "examples/zones/secure.example.mta-sts.txt", "--bimi-svg", "examples/zones/secure.example.logo.svg", "--verbose", "secure.example"}},
		{"secure-unfetched", 0, []string{"check", "--zone", "examples/zones/secure.example.zone", "secure.example"}},
		{"null-mx", 0, []string{"check", "--zone", "cmd/domainauth/testdata/misc.zone", "nomail.example"}},
		{"external-rua", 1, []string{"check", "--zone", "cmd/domainauth/testdata/misc.zone", "shop.example"}},
		{"pass-all", 1, []string{"check", "--zone", "cmd/domainauth/testdata/misc.zone", "--verbose", "open.example"}},
		{"route53", 0, []string{"check", "--route53", "cmd/domainauth/testdata/route53-listing.json", "example.net"}},
		{"null-mx-sender", 1, []string{"check", "--zone", "cmd/domainauth/testdata/misc.zone", "nullsend.example"}},
		{"misspelt-dmarc-tag", 0, []string{"check", "--zone", "cmd/domainauth/testdata/misc.zone", "typo.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "check-"+tt.name, tt.status, tt.args...)
		})
	}
}

func TestSPF(t *testing.T) {
	const ex, broken = "examples/zones/example.org.zone", "examples/zones/broken.example.zone"
	tests := []struct {
		name   string
		status int
		args   []string
	}{
		{"help", 0, []string{"spf", "check", "--help"}},
		{"check-pass", 0, []string{"spf", "check", "--zone", ex, "example.org", "54.240.0.1"}},
		{"check-fail", 1, []string{"spf", "check", "--zone", ex, "example.org", "203.0.113.9"}},
		{"check-mailfrom-softfail", 1, []string{"spf", "check", "--zone", ex, "--mail-from", "bounce@mail.example.org", "mail.example.org", "203.0.113.9"}},
		{"check-trace", 0, []string{"spf", "check", "--zone", ex, "--trace", "example.org", "192.0.2.25"}},
		{"check-too-many-lookups", 1, []string{"spf", "check", "--zone", broken, "broken.example", "192.0.2.1"}},
		{"check-multiple-records", 1, []string{"spf", "check", "--zone", broken, "bounce.broken.example", "54.240.0.1"}},
		{"check-helo-identity", 0, []string{"spf", "check", "--zone", ex, "--helo-identity", "mx1.example.org", "192.0.2.25"}},
		{"check-bad-ip", 2, []string{"spf", "check", "--zone", ex, "example.org", "300.1.1.1"}},
		{"lint", 0, []string{"spf", "lint", "--zone", ex, "example.org"}},
		{"lint-too-many-lookups", 1, []string{"spf", "lint", "--zone", broken, "broken.example"}},
		{"lint-json", 1, []string{"spf", "lint", "--zone", broken, "--json", "broken.example"}},
		{"lint-multiple", 1, []string{"spf", "lint", "--zone", broken, "bounce.broken.example"}},
		{"lint-none", 0, []string{"spf", "lint", "--zone", ex, "www.example.org"}},
		{"parse", 0, []string{"spf", "parse", "v=spf1 mx include:amazonses.com ip4:192.0.2.0/24 ~all"}},
		{"parse-invalid", 1, []string{"spf", "parse", "v=spf1 ip4:192.0.2.1/33 -all"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "spf-"+tt.name, tt.status, tt.args...)
		})
	}
}

func TestDMARC(t *testing.T) {
	const ex, broken = "examples/zones/example.org.zone", "examples/zones/broken.example.zone"
	tests := []struct {
		name   string
		status int
		args   []string
	}{
		{"help", 0, []string{"dmarc", "eval", "--help"}},
		{"lookup", 0, []string{"dmarc", "lookup", "--zone", ex, "example.org"}},
		{"lookup-subdomain", 0, []string{"dmarc", "lookup", "--zone", ex, "mail.example.org"}},
		{"lookup-json", 0, []string{"dmarc", "lookup", "--zone", ex, "--json", "example.org"}},
		{"lookup-broken", 0, []string{"dmarc", "lookup", "--zone", broken, "broken.example"}},
		{"lookup-none", 1, []string{"dmarc", "lookup", "--zone", ex, "example.net"}},
		{"parse", 0, []string{"dmarc", "parse", "v=DMARC1; p=reject; rua=mailto:d@example.org; adkim=s"}},
		{"parse-lint", 0, []string{"dmarc", "parse", "v=DMARC1; p=none; pct=50"}},
		{"parse-invalid", 1, []string{"dmarc", "parse", "v=DMARC1; p=reject; p=none"}},
		{"eval-pass", 0, []string{"dmarc", "eval", "--zone", ex, "--spf", "mail.example.org=pass", "--dkim", "example.org=pass", "example.org"}},
		{"eval-fail", 1, []string{"dmarc", "eval", "--zone", ex, "--spf", "amazonses.com=pass", "--dkim", "amazonses.com=pass/224i4yxa5dv7c2xz3womw6peuasteono", "example.org"}},
		{"eval-message", 0, []string{"dmarc", "eval", "--zone", ex, "--message", "examples/verify-message/message.eml", "--ip", "54.240.0.1", "--mail-from", "bounce@mail.example.org"}},
		{"eval-message-fail", 1, []string{"dmarc", "eval", "--zone", ex, "--message", "cmd/domainauth/testdata/tampered.eml", "--ip", "203.0.113.5", "--mail-from", "bounce@mail.example.org"}},
		{"eval-message-no-ip", 2, []string{"dmarc", "eval", "--zone", ex, "--message", "examples/verify-message/message.eml"}},
		{"eval-bad-result", 2, []string{"dmarc", "eval", "--zone", ex, "--spf", "example.org=great", "example.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "dmarc-"+tt.name, tt.status, tt.args...)
		})
	}
}

// TestDMARCEvalQuotedLocalPart guards the MAIL FROM split: a quoted local
// part holding "@" leaves the domain after the last "@" of the mailbox, so
// SPF is checked for mail.example.org with the whole mailbox as identity.
func TestDMARCEvalQuotedLocalPart(t *testing.T) {
	out := golden(t, "dmarc-eval-message-quoted-local", 0, "dmarc", "eval", "--zone", "examples/zones/example.org.zone",
		"--message", "examples/verify-message/message.eml", "--ip", "54.240.0.1", "--mail-from", `"a@b"@mail.example.org`)
	for _, want := range []string{
		"SPF pass for mail.example.org from 54.240.0.1\n",
		`spf=pass smtp.mailfrom="a@b"@mail.example.org;`,
		"spf mail.example.org=pass: aligned (relaxed)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestReport(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "conformance", "dmarc-aggregate")
	const pm = "domainaware+parsedmarc/"
	tests := []struct {
		name   string
		status int
		args   []string
	}{
		{"show-gzip", 0, []string{"report", "show", pm + "fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz"}},
		{"show-zip", 0, []string{"report", "show", pm + "estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip"}},
		{"show-eml", 0, []string{"report", "show", pm + "Report domain- borschow.com Submitter- google.com Report-ID- 949348866075514174.eml"}},
		{"show-rfc9990", 0, []string{"report", "show", pm + "rfc9990-sample.xml"}},
		{"show-repaired", 0, []string{"report", "show", pm + "invalid_xml.xml"}},
		{"show-rows", 0, []string{"report", "show", "--rows", "3", pm + "!large-example.com!1711897200!1711983600.xml"}},
		{"summary-folder", 0, []string{"report", "summary", "."}},
		{"summary-json", 0, []string{"report", "summary", "--json", "--top", "3", pm}},
		{"json", 0, []string{"report", "json", pm + "rfc9990-sample.xml", pm + "fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz"}},
		{"not-a-report", 2, []string{"report", "show", "README.md"}},
		{"empty", 2, []string{"report", "summary", pm + "samples/empty.xml"}},
		{"missing", 2, []string{"report", "json", "no-such-report.xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			goldenIn(t, dir, "report-"+tt.name, tt.status, tt.args...)
		})
	}
}

// TestReportFailure: report show, summary and json read DMARC failure
// reports (RFC 9991), told apart from aggregate reports by content; an
// email with neither is refused, naming what both decoders found.
func TestReportFailure(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "conformance", "dmarc-failure")
	const pm = "domainaware+parsedmarc/"
	tests := []struct {
		name   string
		status int
		args   []string
	}{
		{"show", 0, []string{"report", "show", pm + "[Netease DMARC Failure Report] Rent Reminder.eml", pm + "dmarc_ruf_report_linkedin.eml"}},
		{"summary", 0, []string{"report", "summary", pm}},
		{"summary-json", 0, []string{"report", "summary", "--json", pm}},
		{"json", 0, []string{"report", "json", pm + "DMARC Failure Report for domain.de (mail-from=sharepoint@domain.de, ip=10.10.10.10).eml"}},
		{"not-a-report", 2, []string{"report", "show", pm + "exim_plain_text_only_no_arf_part.eml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			goldenIn(t, dir, "report-failure-"+tt.name, tt.status, tt.args...)
		})
	}
}

func TestDKIM(t *testing.T) {
	const ex, broken = "examples/zones/example.org.zone", "examples/zones/broken.example.zone"
	const td = "cmd/domainauth/testdata/"
	const sel = "ee3iyktt6a52swhlzrcnadeiwwa27oo6"
	tests := []struct {
		name   string
		status int
		args   []string
	}{
		{"help", 0, []string{"dkim", "sign", "--help"}},
		{"verify-pass", 0, []string{"dkim", "verify", "--zone", ex, td + "signed.eml"}},
		{"verify-tampered", 1, []string{"dkim", "verify", "--zone", ex, td + "tampered.eml"}},
		{"verify-no-key", 1, []string{"dkim", "verify", "--zone", broken, td + "signed.eml"}},
		{"verify-unsigned", 1, []string{"dkim", "verify", "--zone", ex, td + "message.eml"}},
		{"verify-missing-file", 2, []string{"dkim", "verify", "--zone", ex, td + "nonexistent.eml"}},
		{"sign", 0, []string{"dkim", "sign", "--key", td + "ses-dkim-test.pem", "--domain", "example.org", "--selector", sel, td + "message.eml"}},
		{"sign-missing-flags", 2, []string{"dkim", "sign", td + "message.eml"}},
		{"sign-bad-key", 2, []string{"dkim", "sign", "--key", ex, "--domain", "example.org", "--selector", "s1", td + "message.eml"}},
		{"keygen-ed25519", 0, []string{"dkim", "keygen", "--type", "ed25519", "--domain", "example.org", "--selector", "ed1"}},
		{"keygen-bad-bits", 2, []string{"dkim", "keygen", "--bits", "512", "--domain", "example.org", "--selector", "s1"}},
		{"lookup", 0, []string{"dkim", "lookup", "--zone", ex, "example.org", sel, "hleoy2vma4pcnkbbyeekmttjnef4mcgf"}},
		{"lookup-wrong-region", 1, []string{"dkim", "lookup", "--zone", broken, "broken.example", "q4zd7mxk2vbn6wchj3tyrlfpe5sgua2o"}},
		{"lookup-missing", 1, []string{"dkim", "lookup", "--zone", ex, "example.org", "nosuchselector"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "dkim-"+tt.name, tt.status, tt.args...)
		})
	}
}

// TestDKIMKeygenRSA checks that an RSA key pair made by keygen signs a
// message that verifies against the printed record.
func TestDKIMKeygenRSA(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "s1.pem")
	out, stderr, status := runCLI(t, "", "dkim", "keygen", "--bits", "1024", "--domain", "example.com", "--selector", "s1", "--out", keyFile)
	if status != 0 {
		t.Fatalf("keygen: status %d, stderr %q", status, stderr)
	}
	zoneFile := filepath.Join(dir, "example.com.zone")
	if err := os.WriteFile(zoneFile, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	msg := filepath.Join(repoRoot(t), "cmd", "domainauth", "testdata", "message.eml")
	signed, stderr, status := runCLI(t, "", "dkim", "sign", "--key", keyFile, "--domain", "example.com", "--selector", "s1", msg)
	if status != 0 {
		t.Fatalf("sign: status %d, stderr %q", status, stderr)
	}
	out, stderr, status = runCLI(t, signed, "dkim", "verify", "--zone", zoneFile, "-")
	if status != 0 || !strings.HasPrefix(out, "pass d=example.com s=s1 (rsa-sha256, 1024-bit key)") {
		t.Errorf("verify: status %d, stdout %q, stderr %q", status, out, stderr)
	}
}

func TestSES(t *testing.T) {
	const ex, broken = "examples/zones/example.org.zone", "examples/zones/broken.example.zone"
	tokens := []string{"--token", "ee3iyktt6a52swhlzrcnadeiwwa27oo6", "--token", "hleoy2vma4pcnkbbyeekmttjnef4mcgf", "--token", "b743qnjojiphl56mvjxi2ietqlhb774b"}
	plan := func(extra ...string) []string {
		args := append([]string{"ses", "plan", "--region", "ap-northeast-2"}, tokens...)
		return append(append(args, extra...), "example.org")
	}
	tests := []struct {
		name   string
		status int
		args   []string
	}{
		{"help", 0, []string{"ses", "plan", "--help"}},
		{"plan-bind", 0, plan("--mail-from", "mail", "--dmarc-rua", "mail-master@example.org")},
		{"plan-route53", 0, plan("--mail-from", "mail", "--format", "route53")},
		{"plan-json", 0, plan("--format", "json")},
		{"plan-regional-dkim", 0, []string{"ses", "plan", "--region", "eu-south-1", "--token", "q4zd7mxk2vbn6wchj3tyrlfpe5sgua2o", "--token", "w7n3kbyx5qj2tmr6dhaezlc4vgfup7si", "--token", "m2ex6rhtwq5bzkjd3fyn7lvsc4apo6gu", "--mail-from", "bounce", "broken.example"}},
		{"plan-unknown-region", 2, plan("--region", "eu-south-7")},
		{"plan-no-region", 2, []string{"ses", "plan", "example.org"}},
		{"audit", 0, []string{"ses", "audit", "--zone", ex, "--region", "ap-northeast-2", "example.org"}},
		{"audit-json", 0, []string{"ses", "audit", "--zone", ex, "--region", "ap-northeast-2", "--json", "example.org"}},
		{"audit-broken", 1, []string{"ses", "audit", "--zone", broken, "--region", "eu-south-1", "broken.example"}},
		{"audit-wrong-region", 0, []string{"ses", "audit", "--zone", ex, "--region", "eu-west-1", "example.org"}},
		{"check-unknown-region", 2, []string{"check", "--zone", ex, "--region", "mars-north-1", "example.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "ses-"+tt.name, tt.status, tt.args...)
		})
	}
}

func TestSESEvent(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "reference", "ses", "samples")
	for _, name := range []string{
		"notification-bounce-with-dsn", "notification-complaint-no-feedback", "notification-delivery",
		"event-bounce", "event-complaint", "event-delivery", "event-delayed-delivery", "event-reject",
		"event-send", "event-open", "event-click",
	} {
		t.Run(name, func(t *testing.T) {
			goldenIn(t, dir, "ses-event-"+name, 0, "ses", "event", name+".json")
		})
	}
	t.Run("not-an-event", func(t *testing.T) {
		goldenIn(t, dir, "ses-event-not-an-event", 2, "ses", "event", "SOURCES.md")
	})
}

// TestCheckPlantedDefects is the acceptance rule: check reports
// every defect planted in broken.example.zone with its code, and nothing on
// example.org.zone.
func TestCheckPlantedDefects(t *testing.T) {
	t.Chdir(repoRoot(t))
	planted := map[string]string{
		"spf.too-many-lookups":         "SPF over 10 lookups",
		"spf.multiple-records":         "two SPF records at the MAIL FROM domain",
		"dmarc.p-none-without-rua":     "DMARC p=none without rua",
		"ses.dkim-wrong-region":        "DKIM CNAME into the wrong region's zone",
		"ses.mailfrom-mx-wrong-region": "MAIL FROM MX at another region",
		"mtasts.mx-not-covered":        "an MX host the enforce policy does not list",
		"tlsrpt.invalid-record":        "a TLS-RPT rua without its mailto: scheme",
		"bimi.dmarc-not-enforcing":     "a BIMI record while DMARC is at p=none",
	}
	out, stderr, status := runCLI(t, "", "check", "--json", "--zone", "examples/zones/broken.example.zone", "--region", "eu-south-1",
		"--mta-sts-policy", "examples/zones/broken.example.mta-sts.txt", "broken.example")
	if status != exitFailed {
		t.Errorf("broken.example: status %d, want %d (stderr %q)", status, exitFailed, stderr)
	}
	var rep audit.ReportJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("broken.example: %v\n%s", err, out)
	}
	found := map[string]bool{}
	for _, ar := range rep.Areas {
		for _, f := range ar.Findings {
			found[f.Code] = true
			if f.Severity != domainauth.SeverityInfo && (f.Fix == "" || f.Record == "") {
				t.Errorf("finding %s lacks a fix or a record: %+v", f.Code, f)
			}
		}
	}
	for code, what := range planted {
		if !found[code] {
			t.Errorf("broken.example: %s (%s) not reported", code, what)
		}
	}

	out, stderr, status = runCLI(t, "", "check", "--json", "--zone", "examples/zones/example.org.zone", "example.org")
	if status != exitOK {
		t.Errorf("example.org: status %d, want 0 (stderr %q)", status, stderr)
	}
	rep = audit.ReportJSON{}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	for _, ar := range rep.Areas {
		if ar.Status != "ok" {
			t.Errorf("example.org: area %s is %q, want ok", ar.Name, ar.Status)
		}
		for _, f := range ar.Findings {
			switch f.Code {
			case "mtasts.no-record", "tlsrpt.no-record", "bimi.record-missing":
				// Optional records the domain does not publish: infos.
				if f.Severity == domainauth.SeverityInfo {
					continue
				}
			}
			t.Errorf("example.org: unexpected finding %s %s: %s", f.Severity, f.Code, f.Message)
		}
	}
}

// TestReportProgress: on a terminal, reading many reports keeps a progress
// line on stderr, erased at the end, so stdout stays clean.
func TestReportProgress(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "conformance", "dmarc-aggregate", "domainaware+parsedmarc")
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb, terminal: true, progressDelay: -1}
	if status := a.run(context.Background(), []string{"report", "summary", dir}); status != 0 {
		t.Fatalf("status %d, stderr %q", status, errb.String())
	}
	progress, notes, _ := strings.Cut(errb.String(), "\r\033[K")
	if !strings.Contains(progress, "\rreading reports: 2 of ") || strings.Contains(notes, "reading reports") {
		t.Errorf("no progress line on the terminal: %q", errb.String())
	}
	if strings.Contains(out.String(), "reading reports") {
		t.Error("progress went to stdout")
	}
}

// BenchmarkCheck measures a whole offline audit of the bundled SES zone:
// every area, the SES plan and audit.
func BenchmarkCheck(b *testing.B) {
	b.Chdir(repoRoot(b))
	args := []string{"check", "--zone", "examples/zones/example.org.zone", "example.org"}
	b.ReportAllocs()
	for b.Loop() {
		a := &app{stdout: io.Discard, stderr: io.Discard}
		if status := a.run(context.Background(), args); status != 0 {
			b.Fatalf("status %d", status)
		}
	}
}
