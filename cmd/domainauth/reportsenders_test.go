package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// reportXML is a one-record aggregate report for example.org whose DKIM
// result names the selector sel, from the organisation org.
func reportXML(org, id, sel string) string {
	return `<?xml version="1.0"?><feedback><report_metadata><org_name>` + org + `</org_name><email>r@receiver.example</email>` +
		`<report_id>` + id + `</report_id><date_range><begin>1700006400</begin><end>1700092799</end></date_range></report_metadata>` +
		`<policy_published><domain>example.org</domain><p>none</p></policy_published>` +
		`<record><row><source_ip>192.0.2.1</source_ip><count>2</count><policy_evaluated><disposition>none</disposition>` +
		`<dkim>fail</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.org</header_from></identifiers>` +
		`<auth_results><dkim><domain>example.org</domain><selector>` + sel + `</selector><result>fail</result></dkim>` +
		`<spf><domain>example.org</domain><result>fail</result></spf></auth_results></record></feedback>`
}

// TestCheckSelectorsFromReports: check --selectors-from-reports probes the
// DKIM selectors the reports name for the domain checked.
func TestCheckSelectorsFromReports(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.xml"), []byte(reportXML("receiver.example", "1", "rptsel1")), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repoRoot(t))
	out, stderr, _ := runCLI(t, "", "check", "--zone", "examples/zones/example.org.zone", "--selectors-from-reports", dir, "--json", "example.org")
	if !strings.Contains(out, "rptsel1") {
		t.Fatalf("the report's selector is not probed:\n%s\n%s", out, stderr)
	}
	out, _, _ = runCLI(t, "", "check", "--zone", "examples/zones/example.org.zone", "--json", "example.org")
	if strings.Contains(out, "rptsel1") {
		t.Fatal("the selector appears without --selectors-from-reports")
	}
	// Only the checked domain's selectors are probed, each once: one the
	// zone already publishes is not listed twice, another domain's is not
	// asked for, and a missing one is a dkim.no-key finding.
	const published = "ee3iyktt6a52swhlzrcnadeiwwa27oo6"
	other := strings.ReplaceAll(reportXML("receiver.example", "2", "othersel"), "example.org<", "other.example<")
	for name, body := range map[string]string{"p.xml": reportXML("receiver.example", "3", published), "o.xml": other} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, _ = runCLI(t, "", "check", "--zone", "examples/zones/example.org.zone", "--selectors-from-reports", dir, "example.org")
	if n := strings.Count(out, "  "+published+"._domainkey.example.org: CNAME"); n != 1 {
		t.Errorf("the published selector listed %d times:\n%s\n%s", n, out, stderr)
	}
	if strings.Contains(out, "othersel") {
		t.Errorf("another domain's selector probed:\n%s", out)
	}
	if !strings.Contains(out, "rptsel1._domainkey.example.org: no usable key") || !strings.Contains(out, "dkim.no-key  rptsel1._domainkey.example.org") {
		t.Errorf("the missing reported selector is not a finding:\n%s", out)
	}
	// A failure report's DKIM-Selector is probed too.
	failure := "From: r@receiver.example\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=B\r\n\r\n" +
		"--B\r\nContent-Type: message/feedback-report\r\n\r\n" +
		"Feedback-Type: auth-failure\r\nUser-Agent: x/1\r\nVersion: 1\r\nAuth-Failure: signature\r\n" +
		"Authentication-Results: mx.receiver.example; dkim=fail header.d=example.org\r\n" +
		"DKIM-Domain: example.org\r\nDKIM-Selector: failsel\r\n" +
		"\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: a@example.org\r\n\r\n--B--\r\n"
	if err := os.WriteFile(filepath.Join(dir, "f.eml"), []byte(failure), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, _ = runCLI(t, "", "check", "--zone", "examples/zones/example.org.zone", "--selectors-from-reports", dir, "example.org")
	if !strings.Contains(out, "failsel._domainkey.example.org: no usable key") {
		t.Errorf("the failure report's selector is not probed:\n%s", out)
	}
}

// TestReportSummaryCSVAndDuplicates: report summary --csv writes one row
// per table entry with cells safe from formula injection; a report read
// twice is counted once, with a note.
func TestReportSummaryCSVAndDuplicates(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"a.xml": reportXML("=HYPERLINK(1)", "1", "s"), "b.xml": reportXML("=HYPERLINK(1)", "1", "s"), // one report, twice
		"c.xml": reportXML("other.example", "2", "s"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, status := runCLI(t, "", "report", "summary", "--csv", dir)
	if status != 0 {
		t.Fatalf("status %d: %s", status, stderr)
	}
	if !strings.Contains(stderr, "b.xml: the same report as one read before") {
		t.Errorf("no note on the duplicate: %q", stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r[0] == "reporter" && r[1] == "'=HYPERLINK(1)" {
			found = true
			if r[2] != "2" {
				t.Errorf("the duplicated report counted %s messages, want 2", r[2])
			}
		}
		if strings.HasPrefix(r[1], "=") {
			t.Errorf("a cell starts a formula: %q", r)
		}
	}
	if !found || rows[0][0] != "table" {
		t.Errorf("rows = %q", rows)
	}
}

// TestReportSummaryResolve: report summary --resolve names the sender of a
// source by its forward-confirmed reverse DNS, here from a zone file.
func TestReportSummaryResolve(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.xml"), []byte(reportXML("receiver.example", "1", "s")), 0o644); err != nil {
		t.Fatal(err)
	}
	zf := filepath.Join(t.TempDir(), "ptr.zone")
	if err := os.WriteFile(zf, []byte("$ORIGIN .\n$TTL 300\n"+
		"1.2.0.192.in-addr.arpa. IN PTR a1-2.smtp-out.amazonses.com.\n"+
		"a1-2.smtp-out.amazonses.com. IN A 192.0.2.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, status := runCLI(t, "", "report", "summary", "--resolve", "--zone", zf, "--json", dir)
	if status != 0 {
		t.Fatalf("status %d: %s", status, stderr)
	}
	for _, want := range []string{`"Amazon SES": {`, `"192.0.2.1": [`, `"a1-2.smtp-out.amazonses.com"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	// In the text summary, each source address carries its name and provider.
	out, _, _ = runCLI(t, "", "report", "summary", "--resolve", "--zone", zf, dir)
	if strings.Count(out, "192.0.2.1 (a1-2.smtp-out.amazonses.com: Amazon SES)") != 2 {
		t.Errorf("the source tables do not name the sender:\n%s", out)
	}
	out, _, _ = runCLI(t, "", "report", "summary", dir)
	if strings.Contains(out, "Amazon SES") {
		t.Errorf("a sender named without --resolve:\n%s", out)
	}
}

// TestReportSummaryResolveOffline: --resolve needs DNS, which --offline
// turns off: a usage error.
func TestReportSummaryResolveOffline(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.xml"), []byte(reportXML("receiver.example", "1", "s")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, status := runCLI(t, "", "report", "summary", "--resolve", "--offline", dir)
	if status != 2 || !strings.Contains(stderr, "--resolve") {
		t.Errorf("status %d, stderr %q; want a usage error naming --resolve", status, stderr)
	}
}

// TestReportSummaryCSVFormulaInjection: every cell that comes from a
// report and starts with a formula character (= + - @) is written as
// text, in the aggregate tables (reporter, header_from) and in the failure
// report tables (reported domain, failure type).
func TestReportSummaryCSVFormulaInjection(t *testing.T) {
	dir := t.TempDir()
	agg := strings.NewReplacer("<org_name>org</org_name>", "<org_name>@SUM(A1)</org_name>",
		"<header_from>example.org</header_from>", "<header_from>-2+3+cmd|' /C calc'!A0</header_from>").
		Replace(reportXML("org", "1", "s"))
	failure := "From: r@receiver.example\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=B\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nreport\r\n--B\r\nContent-Type: message/feedback-report\r\n\r\n" +
		"Feedback-Type: auth-failure\r\nUser-Agent: x/1\r\nVersion: 1\r\nAuth-Failure: +spf\r\n" +
		"Authentication-Results: mx.receiver.example; dmarc=fail header.from=example.org\r\n" +
		"Reported-Domain: =HYPERLINK(\"http://x.example\")\r\nSource-IP: 192.0.2.9\r\n" +
		"\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: a@example.org\r\n\r\n--B--\r\n"
	for name, body := range map[string]string{"a.xml": agg, "f.eml": failure} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, stderr, status := runCLI(t, "", "report", "summary", "--csv", dir)
	if status != 0 {
		t.Fatalf("status %d: %s", status, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"reporter": "'@SUM(A1)", "header_from": "'-2+3+cmd|' /c calc'!a0",
		"failure_domain": `'=hyperlink("http://x.example")`, "failure_type": "'+spf"}
	got := map[string]string{}
	for _, r := range rows {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("a cell starts a formula: %q in %q", cell, r)
			}
		}
		if _, ok := want[r[0]]; ok {
			got[r[0]] = r[1]
		}
	}
	for table, key := range want {
		if got[table] != key {
			t.Errorf("%s key = %q, want %q\n%s", table, got[table], key, out)
		}
	}
}

// TestCheckSelectorsFromReportsBound: --selectors-from-reports adds at most
// maxReportSelectors selectors. The reports name 65 selectors in all (32,
// report.MaxSelectors, for each of two domains and one for a third), one
// past the default bound; the domains come from standard input, so every
// domain's selectors count.
func TestCheckSelectorsFromReportsBound(t *testing.T) {
	dir := t.TempDir()
	n := 0
	for _, c := range []struct {
		domain string
		sels   int
	}{{"a.example", 32}, {"b.example", 32}, {"c.example", 1}} {
		for i := range c.sels {
			n++
			sel := fmt.Sprintf("bnd%s%d", c.domain[:1], i)
			body := strings.ReplaceAll(reportXML("receiver.example", strconv.Itoa(n), sel), "example.org<", c.domain+"<")
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%d.xml", n)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n != maxReportSelectors+1 {
		t.Fatalf("the reports name %d selectors, want %d", n, maxReportSelectors+1)
	}
	t.Chdir(repoRoot(t))
	out, stderr, _ := runCLI(t, "example.org\n", "check", "--zone", "examples/zones/example.org.zone", "--selectors-from-reports", dir, "-")
	got := len(regexp.MustCompile(`(?m)^\s+bnd[abc][0-9]+\._domainkey\.example\.org: `).FindAllString(out, -1))
	if got != maxReportSelectors {
		t.Errorf("%d report selectors probed, want %d:\n%s\n%s", got, maxReportSelectors, out, stderr)
	}
}
