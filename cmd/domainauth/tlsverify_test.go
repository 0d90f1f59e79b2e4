package main

import (
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/internal/dnstest"
	"github.com/domainauth/domainauth/zone"
)

// tlsReportJSONDoc is a small RFC 8460 §4.4 report.
const tlsReportJSONDoc = `{"organization-name":"Mail Example","date-range":{"start-datetime":"2026-11-26T00:00:00Z","end-datetime":"2026-11-26T23:59:59Z"},` +
	`"contact-info":"tlsrpt@mail.example.org","report-id":"2026-11-26-1","policies":[{"policy":{"policy-type":"sts",` +
	`"policy-string":["version: STSv1","mode: enforce","mx: mx.example.net","max_age: 86400"],"policy-domain":"example.net","mx-host":["mx.example.net"]},` +
	`"summary":{"total-successful-session-count":90,"total-failure-session-count":10},"failure-details":[{"result-type":"certificate-expired",` +
	`"sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx.example.net","receiving-ip":"198.51.100.7","failed-session-count":10}]}]}`

// tlsReportMail is tlsReportJSONDoc in an RFC 8460 §5.3 message from
// mail.example.org, DKIM-signed by signer with the test key (selector
// "tls"), and the zone file line that publishes the key.
func tlsReportMail(t *testing.T, signer string) (msg, keyLine string) {
	t.Helper()
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	body := "From: tlsrpt@mail.example.org\r\nTo: tls@example.net\r\n" +
		"Subject: Report Domain: example.net Submitter: mail.example.org Report-ID: <2026-11-26-1@mail.example.org>\r\n" +
		"Date: Fri, 27 Nov 2026 01:00:00 +0000\r\nTLS-Report-Domain: example.net\r\nTLS-Report-Submitter: mail.example.org\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=\"tlsrpt\"; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain\r\n\r\nThis is an aggregate TLS report.\r\n" +
		"--b1\r\nContent-Type: application/tlsrpt+json\r\nContent-Disposition: attachment; filename=\"r.json\"\r\n\r\n" +
		tlsReportJSONDoc + "\r\n--b1--\r\n"
	s := &dkim.Signer{Domain: signer, Selector: "tls", Key: key, Clock: domainauth.FixedClock(testNow),
		Headers: []string{"from", "subject", "date", "tls-report-domain", "tls-report-submitter"}}
	h, err := s.Sign(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := dkim.NewKeyRecord(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return h + body, "tls._domainkey." + signer + ". 300 IN TXT \"" + rec.String() + "\"\n"
}

// TestTLSReportSignature: report show, summary and json verify the DKIM
// signature of an emailed SMTP TLS report (RFC 8460 §3) with the
// command's DNS source, say verified, failed or not checked (--offline),
// and drop the ones without a valid signature with --verified-only.
func TestTLSReportSignature(t *testing.T) {
	dir := t.TempDir()
	good, key := tlsReportMail(t, "mail.example.org")
	forged, _ := tlsReportMail(t, "example.com") // signed, but not by the reporter
	files := map[string]string{
		"good.eml":         good,
		"forged.eml":       forged,
		"keys.zone":        "$ORIGIN example.org.\n" + key,
		"nokey.zone":       "$ORIGIN example.org.\nwww 300 IN A 192.0.2.80\n",
		"report.json":      tlsReportJSONDoc,
		"both/good.eml":    good,
		"both/forged.eml":  forged,
		"both/report.json": tlsReportJSONDoc,
	}
	for name, content := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		status int
		args   []string
	}{
		{"show-verified", 0, []string{"report", "show", "--zone", "keys.zone", "good.eml"}},
		{"show-no-key", 0, []string{"report", "show", "--zone", "nokey.zone", "good.eml"}},
		{"show-forged", 0, []string{"report", "show", "--zone", "keys.zone", "forged.eml"}},
		{"show-offline", 0, []string{"report", "show", "--offline", "good.eml"}},
		{"show-verified-only", 0, []string{"report", "show", "--zone", "keys.zone", "--verified-only", "forged.eml", "good.eml", "report.json"}},
		{"summary", 0, []string{"report", "summary", "--zone", "keys.zone", "both"}},
		{"summary-verified-only", 0, []string{"report", "summary", "--zone", "keys.zone", "--verified-only", "both"}},
		{"summary-offline", 0, []string{"report", "summary", "--offline", "both"}},
		{"offline-and-verified-only", 2, []string{"report", "show", "--offline", "--verified-only", "good.eml"}},
		{"offline-and-zone", 2, []string{"report", "show", "--offline", "--zone", "keys.zone", "good.eml"}},
		// Nothing answers on port 9 of the loopback address: the first
		// key lookup stops the command with one plain message instead of
		// waiting out --timeout for every report.
		{"unreachable", 2, []string{"report", "summary", "--nameserver", "127.0.0.1:9", "--timeout", "2s", "both"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			goldenIn(t, dir, "report-tls-sig-"+tt.name, tt.status, tt.args...)
		})
	}
}

// TestReportJSONTLS: report json prints SMTP TLS reports beside DMARC
// ones: the report in RFC 8460 §4.4 form, its warnings and, for an email,
// the DKIM verdict.
func TestReportJSONTLS(t *testing.T) {
	dir := t.TempDir()
	good, key := tlsReportMail(t, "mail.example.org")
	for name, content := range map[string]string{"good.eml": good, "keys.zone": "$ORIGIN example.org.\n" + key, "report.json": tlsReportJSONDoc} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const dmarc = "dmarc.xml"
	if err := os.WriteFile(filepath.Join(dir, dmarc), []byte(`<?xml version="1.0"?><feedback><report_metadata><org_name>Receiver</org_name>`+
		`<email>r@receiver.example</email><report_id>1</report_id><date_range><begin>1795651200</begin><end>1795737599</end></date_range></report_metadata>`+
		`<policy_published><domain>example.net</domain><p>reject</p></policy_published><record><row><source_ip>192.0.2.1</source_ip><count>2</count>`+
		`<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>`+
		`<identifiers><header_from>example.net</header_from></identifiers><auth_results><spf><domain>example.net</domain><result>pass</result></spf></auth_results></record></feedback>`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	out, stderr, status := runCLI(t, "", "report", "json", "--zone", "keys.zone", "report.json", "good.eml", dmarc)
	if status != 0 {
		t.Fatalf("status %d: %s", status, stderr)
	}
	var got []struct {
		File   string `json:"file"`
		Report *struct {
			OrganizationName string `json:"organization-name"`
			Policies         []struct {
				Summary struct {
					Successful uint64 `json:"total-successful-session-count"`
					Failure    uint64 `json:"total-failure-session-count"`
				} `json:"summary"`
			} `json:"policies"`
		} `json:"smtp_tls_report"`
		Email *struct {
			Submitter string `json:"tls_report_submitter"`
			Signature string `json:"signature"`
			SignedBy  string `json:"signed_by"`
		} `json:"email"`
		Warnings []json.RawMessage `json:"warnings"`
		Metadata *struct {
			OrgName string `json:"org_name"`
		} `json:"report_metadata"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got) != 3 {
		t.Fatalf("%d elements, want 3\n%s", len(got), out)
	}
	for i, e := range got[:2] {
		if e.Report == nil || e.Report.OrganizationName != "Mail Example" || len(e.Report.Policies) != 1 ||
			e.Report.Policies[0].Summary.Successful != 90 || e.Report.Policies[0].Summary.Failure != 10 || e.Warnings == nil {
			t.Errorf("element %d (%s): not the TLS report\n%s", i, e.File, out)
		}
	}
	if got[0].Email != nil {
		t.Errorf("report.json has email info %+v", got[0].Email)
	}
	if e := got[1].Email; e == nil || e.Signature != "pass" || e.SignedBy != "mail.example.org" || e.Submitter != "mail.example.org" {
		t.Errorf("good.eml email info %+v", e)
	}
	if got[2].Report != nil || got[2].Metadata == nil || got[2].Metadata.OrgName == "" {
		t.Errorf("element 2 (%s) is not the DMARC report\n%s", got[2].File, out)
	}
}

// TestTLSReportSignatureLive: on live DNS (a loopback name server) the
// keys are looked up there; once DNS has answered, a key lookup that times
// out is a fact about that report (unverified), not a reason to stop.
func TestTLSReportSignatureLive(t *testing.T) {
	good, key := tlsReportMail(t, "mail.example.org")
	forged, _ := tlsReportMail(t, "example.com")
	z, err := zone.Parse(strings.NewReader("$ORIGIN example.org.\n"+key), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	srv := dnstest.Start(t, z, dnstest.Options{})
	dir := t.TempDir()
	// Read in name order: the good report first.
	for name, content := range map[string]string{"a-good.eml": good, "b-forged.eml": forged} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	tests := []struct {
		name    string
		timeout bool // the forged report's key lookup times out
		want    string
	}{
		{"answers", false, "2 reports arrived by email, DKIM signature by the reporter (RFC 8460 §3): 1 verified, 1 failed\n"},
		{"timeout after an answer", true, "2 reports arrived by email, DKIM signature by the reporter (RFC 8460 §3): 1 verified, 1 unverified\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.timeout {
				srv.FailName("tls._domainkey.example.com", dnstest.Timeout)
			}
			stdout, stderr, status := runCLI(t, "", "report", "summary", "--nameserver", srv.Addr(), "--timeout", "1s", ".")
			if status != 0 || stderr != "" || !strings.Contains(stdout, tt.want) {
				t.Errorf("status %d, stderr %q, stdout:\n%s\nwant the line %q", status, stderr, stdout, tt.want)
			}
		})
	}
}
