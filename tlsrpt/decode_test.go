package tlsrpt

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rfcExample is the report of RFC 8460 Appendix B, with mx-host as the
// array §4.4 asks for.
const rfcExample = `{
  "organization-name": "Company-X",
  "date-range": {"start-datetime": "2016-04-01T00:00:00Z", "end-datetime": "2016-04-01T23:59:59Z"},
  "contact-info": "sts-reporting@company-x.example",
  "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
  "policies": [{
    "policy": {
      "policy-type": "sts",
      "policy-string": ["version: STSv1", "mode: testing", "mx: *.mail.company-y.example", "max_age: 86400"],
      "policy-domain": "company-y.example",
      "mx-host": ["*.mail.company-y.example"]
    },
    "summary": {"total-successful-session-count": 5326, "total-failure-session-count": 303},
    "failure-details": [{
      "result-type": "certificate-expired",
      "sending-mta-ip": "2001:db8:abcd:0012::1",
      "receiving-mx-hostname": "mx1.mail.company-y.example",
      "failed-session-count": 100
    }, {
      "result-type": "starttls-not-supported",
      "sending-mta-ip": "2001:db8:abcd:0013::1",
      "receiving-mx-hostname": "mx2.mail.company-y.example",
      "receiving-ip": "203.0.113.56",
      "failed-session-count": 200,
      "additional-information": "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"
    }, {
      "result-type": "validation-failure",
      "sending-mta-ip": "198.51.100.62",
      "receiving-ip": "203.0.113.58",
      "receiving-mx-hostname": "mx-backup.mail.company-y.example",
      "failed-session-count": 3,
      "failure-reason-code": "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"
    }]
  }]
}`

func TestDecodeRFCExample(t *testing.T) {
	r, err := Decode(strings.NewReader(rfcExample))
	if err != nil {
		t.Fatal(err)
	}
	want := &Report{
		OrganizationName: "Company-X",
		DateRange:        DateRange{time.Date(2016, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 4, 1, 23, 59, 59, 0, time.UTC)},
		ContactInfo:      "sts-reporting@company-x.example",
		ReportID:         "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
		Policies: []PolicyResult{{
			Policy: Policy{Type: PolicyTypeSTS, Domain: "company-y.example", MXHost: []string{"*.mail.company-y.example"},
				String: []string{"version: STSv1", "mode: testing", "mx: *.mail.company-y.example", "max_age: 86400"}},
			Summary: SessionCounts{5326, 303},
			FailureDetails: []FailureDetail{
				{ResultType: ResultTypeCertificateExpired, SendingMTAIP: netip.MustParseAddr("2001:db8:abcd:12::1"),
					ReceivingMXHostname: "mx1.mail.company-y.example", FailedSessionCount: 100},
				{ResultType: ResultTypeSTARTTLSNotSupported, SendingMTAIP: netip.MustParseAddr("2001:db8:abcd:13::1"),
					ReceivingMXHostname: "mx2.mail.company-y.example", ReceivingIP: netip.MustParseAddr("203.0.113.56"),
					FailedSessionCount: 200, AdditionalInformation: "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"},
				{ResultType: ResultTypeValidationFailure, SendingMTAIP: netip.MustParseAddr("198.51.100.62"),
					ReceivingMXHostname: "mx-backup.mail.company-y.example", ReceivingIP: netip.MustParseAddr("203.0.113.58"),
					FailedSessionCount: 3, FailureReasonCode: "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"},
			},
		}},
	}
	if d := cmp.Diff(want, r, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
		t.Fatalf("(-want +got)\n%s", d)
	}
}

// TestAllResultTypes: every result type of RFC 8460 §4.3 decodes without a
// warning; an unknown one is kept with tlsrpt.unknown-value.
func TestAllResultTypes(t *testing.T) {
	for _, rt := range append(slices.Clone(resultTypes), "new-type-2030") {
		t.Run(string(rt), func(t *testing.T) {
			doc := strings.Replace(rfcExample, `"certificate-expired"`, `"`+string(rt)+`"`, 1)
			r, err := Decode(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Policies[0].FailureDetails[0].ResultType; got != rt {
				t.Fatalf("result type %q, want %q", got, rt)
			}
			codes := warningCodes(r)
			if rt.Known() != (len(codes) == 0) || !rt.Known() && codes[0] != "tlsrpt.unknown-value" {
				t.Fatalf("warnings %v", codes)
			}
		})
	}
}

func warningCodes(r *Report) []string {
	var out []string
	for _, w := range r.Warnings {
		out = append(out, w.Code)
	}
	return out
}

// TestDecodeWarnings: each repair gives its coded warning and the value
// read.
func TestDecodeWarnings(t *testing.T) {
	rep := func(old, new string) string { return strings.Replace(rfcExample, old, new, 1) }
	tests := []struct {
		name  string
		doc   string
		code  string
		check func(r *Report) bool
	}{
		{"mx-host as a string (Appendix B)", rep(`"mx-host": ["*.mail.company-y.example"]`, `"mx-host": "*.mail.company-y.example"`),
			"tlsrpt.string-not-array", func(r *Report) bool { return r.Policies[0].Policy.MXHost[0] == "*.mail.company-y.example" }},
		{"mx-host with the policy line", rep(`["*.mail.company-y.example"]`, `["mx: *.mail.company-y.example"]`),
			"tlsrpt.mx-host-prefix", func(r *Report) bool { return r.Policies[0].Policy.MXHost[0] == "*.mail.company-y.example" }},
		{"contact-info null", rep(`"sts-reporting@company-x.example"`, `null`),
			"tlsrpt.null-member", func(r *Report) bool { return r.ContactInfo == "" }},
		{"report-id missing", rep(`"report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",`, ``),
			"tlsrpt.missing-member", func(r *Report) bool { return r.ReportID == "" }},
		{"count as string", rep(`5326`, `"5326"`),
			"tlsrpt.bad-number", func(r *Report) bool { return r.Policies[0].Summary.Successful == 5326 }},
		{"count as fraction", rep(`5326`, `5326.0`),
			"tlsrpt.bad-number", func(r *Report) bool { return r.Policies[0].Summary.Successful == 5326 }},
		{"negative count", rep(`5326`, `-1`),
			"tlsrpt.bad-number", func(r *Report) bool { return r.Policies[0].Summary.Successful == 0 }},
		{"count above 2^64-1", rep(`5326`, `18446744073709551616`),
			"tlsrpt.out-of-range", func(r *Report) bool { return r.Policies[0].Summary.Successful == 1<<64-1 }},
		{"date without zone", rep(`"2016-04-01T00:00:00Z"`, `"2016-04-01T00:00:00"`),
			"tlsrpt.bad-date", func(r *Report) bool { return r.DateRange.Start.Equal(time.Date(2016, 4, 1, 0, 0, 0, 0, time.UTC)) }},
		{"date unreadable", rep(`"2016-04-01T00:00:00Z"`, `"yesterday"`),
			"tlsrpt.bad-date", func(r *Report) bool { return r.DateRange.Start.IsZero() }},
		{"lower-case t and z are RFC 3339", rep(`"2016-04-01T00:00:00Z"`, `"2016-04-01t00:00:00z"`),
			"", func(r *Report) bool { return !r.DateRange.Start.IsZero() }},
		{"offset converted to UTC", rep(`"2016-04-01T00:00:00Z"`, `"2016-04-01T02:00:00+02:00"`),
			"", func(r *Report) bool { return r.DateRange.Start.Equal(time.Date(2016, 4, 1, 0, 0, 0, 0, time.UTC)) }},
		{"bad ip", rep(`"198.51.100.62"`, `"198.51.100.300"`),
			"tlsrpt.bad-ip", func(r *Report) bool { return !r.Policies[0].FailureDetails[2].SendingMTAIP.IsValid() }},
		{"policy-type case", rep(`"sts"`, `"STS"`),
			"tlsrpt.enum-case", func(r *Report) bool { return r.Policies[0].Policy.Type == PolicyTypeSTS }},
		{"unknown policy-type kept", rep(`"sts"`, `"dane-ng"`),
			"tlsrpt.unknown-value", func(r *Report) bool { return r.Policies[0].Policy.Type == "dane-ng" }},
		{"result-type case", rep(`"certificate-expired"`, `"Certificate-Expired"`),
			"tlsrpt.enum-case", func(r *Report) bool {
				return r.Policies[0].FailureDetails[0].ResultType == ResultTypeCertificateExpired
			}},
		{"unknown member", rep(`"report-id"`, `"x-extra": 1, "report-id"`),
			"tlsrpt.unknown-member", func(r *Report) bool { return r.ReportID != "" }},
		{"summary mismatch", rep(`303`, `304`),
			"tlsrpt.summary-mismatch", func(r *Report) bool { return r.Policies[0].Summary.Failure == 304 }},
		{"date range inverted", rep(`"2016-04-01T23:59:59Z"`, `"2016-03-01T23:59:59Z"`),
			"tlsrpt.date-range-inverted", func(r *Report) bool { return true }},
		{"trailing content", rfcExample + "\n{}",
			"tlsrpt.trailing-content", func(r *Report) bool { return r.OrganizationName == "Company-X" }},
		{"no policies", `{"organization-name":"x","date-range":{"start-datetime":"2016-04-01T00:00:00Z","end-datetime":"2016-04-02T00:00:00Z"},"contact-info":"a@b","report-id":"1","policies":[]}`,
			"tlsrpt.no-policies", func(r *Report) bool { return r.Policies == nil }},
		{"wrong type", rep(`"Company-X"`, `42`),
			"tlsrpt.wrong-type", func(r *Report) bool { return r.OrganizationName == "42" }},
		{"u-label domain", rep(`"policy-domain": "company-y.example"`, `"policy-domain": "bücher.example"`),
			"tlsrpt.u-label", func(r *Report) bool { return r.Policies[0].Policy.Domain == "bücher.example" }},
		{"utf-8 BOM", "\xEF\xBB\xBF" + rfcExample, "", func(r *Report) bool { return r.OrganizationName == "Company-X" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Decode(strings.NewReader(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			codes := warningCodes(r)
			if tc.code == "" && len(codes) != 0 || tc.code != "" && !slices.Contains(codes, tc.code) {
				t.Errorf("warnings %v, want %q", r.Warnings, tc.code)
			}
			if !tc.check(r) {
				t.Errorf("value not as expected: %+v", r)
			}
		})
	}
}

// TestWarningsCounted: one repair repeated in many entries is one warning
// with a count.
func TestWarningsCounted(t *testing.T) {
	doc := strings.ReplaceAll(rfcExample, `"failed-session-count": `, `"failed-session-count": 0+`)
	doc = strings.ReplaceAll(doc, `0+`, ``)
	doc = strings.ReplaceAll(doc, `"sending-mta-ip"`, `"x-ip"`)
	r, err := Decode(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Warnings) != 1 || r.Warnings[0].Code != "tlsrpt.unknown-member" || r.Warnings[0].Count != 3 {
		t.Fatalf("warnings %v", r.Warnings)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		kind error
	}{
		{"empty", "", ErrEmpty},
		{"white space", " \n\t", ErrEmpty},
		{"not JSON", "hello, world", ErrNotReport},
		{"DMARC XML", "<?xml version=\"1.0\"?><feedback/>", ErrNotReport},
		{"array", `[{"organization-name":"x"}]`, ErrNotReport},
		{"other object", `{"name":"x"}`, ErrNotReport},
		{"truncated", rfcExample[:200], ErrSyntax},
		{"bad syntax", `{"organization-name": x}`, ErrSyntax},
		{"bad gzip", "\x1f\x8b\x08\x00garbage", ErrContainer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tc.in))
			var de *DecodeError
			if !errors.Is(err, tc.kind) || !errors.As(err, &de) {
				t.Fatalf("err %v, want %v", err, tc.kind)
			}
			if !strings.HasPrefix(err.Error(), "tlsrpt: ") {
				t.Errorf("message %q does not name the package", err)
			}
		})
	}
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestDecodeContainers(t *testing.T) {
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	f, _ := zw.Create("google.com!example.com!1!2.json")
	f.Write([]byte(rfcExample))
	zw.Close()
	tests := []struct {
		name string
		in   []byte
		warn string
	}{
		{"gzip", gzipped([]byte(rfcExample)), ""},
		{"gzip with trailing CRLF", append(gzipped([]byte(rfcExample)), "\r\n"...), "tlsrpt.gzip-trailing-data"},
		{"nested gzip", gzipped(gzipped([]byte(rfcExample))), "tlsrpt.nested-gzip"},
		{"zip", zbuf.Bytes(), ""},
		{"email gzip", []byte(reportEmail(true, "")), ""},
		{"email json", []byte(reportEmail(false, "")), ""},
		{"email from another submitter (§5.3)", []byte(reportEmail(true, "mail.sender.example")), "tlsrpt.submitter-mismatch"},
		{"email without TLS-Report fields (§5.3)", []byte(strings.Replace(reportEmail(true, ""), "TLS-Report-Domain:", "X-Domain:", 1)), "tlsrpt.missing-header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Decode(bytes.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if r.OrganizationName != "Company-X" || len(r.Policies[0].FailureDetails) != 3 {
				t.Fatalf("%+v", r)
			}
			if codes := warningCodes(r); tc.warn == "" && len(codes) > 0 || tc.warn != "" && !slices.Contains(codes, tc.warn) {
				t.Fatalf("warnings %v, want %q", codes, tc.warn)
			}
		})
	}
}

// reportEmail builds an RFC 8460 §5.3 message around rfcExample, from
// submitter (if empty, company-x.example, the domain of its contact-info).
func reportEmail(compressed bool, submitter string) string {
	if submitter == "" {
		submitter = "company-x.example"
	}
	ct, body := "application/tlsrpt+json", []byte(rfcExample)
	if compressed {
		ct, body = "application/tlsrpt+gzip", gzipped(body)
	}
	var b strings.Builder
	b.WriteString("From: tlsrpt@" + submitter + "\r\nTo: tls@company-y.example\r\n" +
		"Subject: Report Domain: company-y.example Submitter: " + submitter + " Report-ID: <1@" + submitter + ">\r\n" +
		"Date: Fri, 01 Apr 2016 16:54:30 -0800\r\nTLS-Report-Domain: company-y.example\r\nTLS-Report-Submitter: " + submitter + "\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=\"tlsrpt\"; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain\r\n\r\nThis is an aggregate TLS report.\r\n" +
		"--b1\r\nContent-Type: " + ct + "\r\nContent-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: attachment; filename=\"x.json.gz\"\r\n\r\n")
	enc := b64(body)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--b1--\r\n")
	return b.String()
}
