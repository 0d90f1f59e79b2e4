package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
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
