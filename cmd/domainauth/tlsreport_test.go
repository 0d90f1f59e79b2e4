package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/shared"
)

// TestTLSReport: report show and summary read SMTP TLS reports (RFC 8460)
// beside DMARC ones, told apart by content: the shared samples as JSON and
// as an email with a gzip attachment.
func TestTLSReport(t *testing.T) {
	dir := shared.Require(t, "conformance", "tlsrpt")
	const pm = "domainaware+parsedmarc/samples/smtp_tls/"
	// A DMARC sample beside the TLS ones, named from the TLS folder.
	dmarc := filepath.Join("..", "dmarc-aggregate", "domainaware+parsedmarc", "rfc9990-sample.xml")
	tests := []struct {
		name   string
		status int
		args   []string
	}{
		{"show", 0, []string{"report", "show", pm + "rfc8460.json"}},
		{"show-eml", 0, []string{"report", "show", pm + "google.com_smtp_tls_report.eml"}},
		{"show-rows", 0, []string{"report", "show", "--rows", "1", pm + "rfc8460.json"}},
		{"summary-folder", 0, []string{"report", "summary", "."}},
		{"summary-json", 0, []string{"report", "summary", "--json", pm}},
		// One DMARC and one TLS report: both summaries, one after the
		// other.
		{"summary-mixed", 0, []string{"report", "summary", dmarc, pm + "mail.ru.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "summary-mixed" {
				if _, err := os.Stat(filepath.Join(dir, dmarc)); err != nil {
					shared.Skip(t, "the DMARC sample %s is absent", dmarc)
				}
			}
			goldenIn(t, dir, "report-tls-"+tt.name, tt.status, tt.args...)
		})
	}
}

// TestTLSReportSummaryOracle: the JSON summary of every shared TLS-RPT
// sample adds up to the oracle's session counts.
func TestTLSReportSummaryOracle(t *testing.T) {
	dir := shared.Require(t, "conformance", "tlsrpt")
	b, err := os.ReadFile(filepath.Join(dir, "oracle.json"))
	if err != nil {
		t.Fatal(err)
	}
	var oracle []struct {
		Decodes    bool   `json:"decodes"`
		Successful uint64 `json:"total_successful_session_count"`
		Failed     uint64 `json:"total_failure_session_count"`
	}
	if err := json.Unmarshal(b, &oracle); err != nil {
		t.Fatal(err)
	}
	var reports int
	var ok, failed uint64
	for _, e := range oracle {
		if e.Decodes {
			reports++
			ok += e.Successful
			failed += e.Failed
		}
	}
	t.Chdir(dir)
	out, stderr, status := runCLI(t, "", "report", "summary", "--json", "--quiet", "--offline", ".")
	if status != 0 {
		t.Fatalf("status %d: %s", status, stderr)
	}
	var got struct {
		TLS struct {
			Reports int `json:"reports"`
			Total   struct {
				Successful uint64 `json:"successful"`
				Failure    uint64 `json:"failed"`
			} `json:"total"`
		} `json:"tls_reports"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.TLS.Reports != reports || got.TLS.Total.Successful != ok || got.TLS.Total.Failure != failed {
		t.Errorf("summary: %d reports, %d successful, %d failed; oracle: %d, %d, %d",
			got.TLS.Reports, got.TLS.Total.Successful, got.TLS.Total.Failure, reports, ok, failed)
	}
	if !strings.Contains(out, `"by_result_type"`) {
		t.Errorf("no result types in\n%s", out)
	}
}
