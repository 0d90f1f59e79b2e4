package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/store"
)

// TestReportKindAgreesWithIngest: report json and report ingest tell the
// kind of a file the same way (internal/reportfile), also for files that
// confused them when each tried the kinds in its own order: a failure
// report about a report email carries that email, with its XML or JSON,
// as the original message, and is a failure report for both (ingest used
// to store the inner TLS report); a gzip'd TLS report is a TLS report.
func TestReportKindAgreesWithIngest(t *testing.T) {
	conf := filepath.Join(sharedDir(t), "conformance")
	xmlDoc, err := os.ReadFile(filepath.Join(conf, "dmarc-aggregate", "domainaware+parsedmarc", "rfc9990-example.net!example.com!1700000000!1700086399.xml"))
	if err != nil {
		t.Fatal(err)
	}
	tlsMail, err := os.ReadFile(filepath.Join(conf, "tlsrpt", "domainaware+parsedmarc", "samples", "smtp_tls", "google.com_smtp_tls_report.eml"))
	if err != nil {
		t.Fatal(err)
	}
	tlsDoc, err := os.ReadFile(filepath.Join(conf, "tlsrpt", "domainaware+parsedmarc", "samples", "smtp_tls", "rfc8460.json"))
	if err != nil {
		t.Fatal(err)
	}
	aggMail := "From: dmarc@example.net\r\nSubject: Report Domain: example.com\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: application/xml\r\nContent-Disposition: attachment; filename=r.xml\r\n\r\n" + string(xmlDoc)
	arf := func(original string) string {
		return "From: ruf@receiver.example\r\nSubject: DMARC failure report\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/report; report-type=feedback-report; boundary=ARF\r\n\r\n" +
			"--ARF\r\nContent-Type: message/feedback-report\r\n\r\n" +
			"Feedback-Type: auth-failure\r\nVersion: 1\r\nAuth-Failure: dmarc\r\nReported-Domain: example.com\r\n\r\n" +
			"--ARF\r\nContent-Type: message/rfc822\r\n\r\n" + original + "\r\n--ARF--\r\n"
	}
	var gz strings.Builder
	zw := gzip.NewWriter(&gz)
	zw.Write(tlsDoc)
	zw.Close()

	dir := t.TempDir()
	for _, tt := range []struct{ name, data, want string }{
		{"failure-about-aggregate.eml", arf(aggMail), "failure"},
		{"failure-about-tls.eml", arf(string(tlsMail)), "failure"},
		{"tls.json.gz", gz.String(), "tls"},
		{"aggregate.eml", aggMail, "aggregate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, tt.name)
			if err := os.WriteFile(file, []byte(tt.data), 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, status := runCLI(t, "", "report", "json", "--offline", file)
			var got []map[string]json.RawMessage
			if err := json.Unmarshal([]byte(out), &got); status != exitOK || err != nil || len(got) != 1 {
				t.Fatalf("report json: status %d, %v\n%s%s", status, err, out, errOut)
			}
			shown := "aggregate"
			if got[0]["failure_report"] != nil {
				shown = "failure"
			} else if got[0]["smtp_tls_report"] != nil {
				shown = "tls"
			}

			db := filepath.Join(dir, tt.name+".db")
			if out, errOut, status := runCLI(t, "", "report", "ingest", "--db", db, "--offline", file); status != exitOK {
				t.Fatalf("report ingest: status %d\n%s%s", status, out, errOut)
			}
			s, err := store.Open(context.Background(), db, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var stored []string
			if r, err := s.Reports(context.Background(), store.Filter{}, store.Page{}); err != nil || len(r) > 0 {
				stored = append(stored, "aggregate")
			}
			if r, err := s.Failures(context.Background(), store.Filter{}, store.Page{}); err != nil || len(r) > 0 {
				stored = append(stored, "failure")
			}
			if r, err := s.TLSDays(context.Background(), store.Filter{}, 0); err != nil || len(r) > 0 {
				stored = append(stored, "tls")
			}
			if shown != tt.want || len(stored) != 1 || stored[0] != tt.want {
				t.Errorf("report json reads a %s report, ingest stores %v; want %s for both", shown, stored, tt.want)
			}
		})
	}
}
