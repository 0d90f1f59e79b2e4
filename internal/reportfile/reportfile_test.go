package reportfile

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/tlsrpt"
)

const (
	aggXML = `<?xml version="1.0"?><feedback><version>2.0</version>` +
		`<report_metadata><org_name>example.net</org_name><email>postmaster@example.net</email>` +
		`<report_id>r1</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range></report_metadata>` +
		`<policy_published><domain>example.com</domain><p>reject</p></policy_published>` +
		`<record><row><source_ip>192.0.2.1</source_ip><count>1</count>` +
		`<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>` +
		`<identifiers><header_from>example.com</header_from></identifiers>` +
		`<auth_results><spf><domain>example.com</domain><result>pass</result></spf></auth_results></record></feedback>`
	tlsJSON = `{"organization-name":"Company-X","date-range":{"start-datetime":"2016-04-01T00:00:00Z","end-datetime":"2016-04-01T23:59:59Z"},` +
		`"contact-info":"sts-reporting@company-x.example","report-id":"t1","policies":[{"policy":{"policy-type":"no-policy-found",` +
		`"policy-domain":"company-y.example"},"summary":{"total-successful-session-count":1,"total-failure-session-count":0}}]}`
)

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

// mail is an email with one base64 attachment of the media type.
func mail(contentType, headers, attachment string) string {
	return "From: reporter@example.net\r\nTo: rua@example.com\r\nSubject: report\r\n" + headers +
		"MIME-Version: 1.0\r\nContent-Type: " + contentType + "; boundary=B\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\na report\r\n" +
		"--B\r\nContent-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString([]byte(gz(attachment))) + "\r\n--B--\r\n"
}

// failure is an ARF failure report (RFC 6591) whose original message is
// original.
func failure(original string) string {
	return "From: ruf@receiver.example\r\nTo: ruf@example.com\r\nSubject: DMARC failure report\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=F\r\n\r\n" +
		"--F\r\nContent-Type: text/plain\r\n\r\nA message failed DMARC.\r\n" +
		"--F\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: auth-failure\r\nUser-Agent: t/1\r\nVersion: 1\r\n" +
		"Auth-Failure: dmarc\r\nReported-Domain: example.com\r\nSource-IP: 192.0.2.1\r\n\r\n" +
		"--F\r\nContent-Type: message/rfc822\r\n\r\n" + original + "\r\n--F--\r\n"
}

var (
	aggMail = mail("multipart/mixed", "", aggXML)
	tlsMail = mail("multipart/report; report-type=tlsrpt", "TLS-Report-Domain: company-y.example\r\nTLS-Report-Submitter: company-x.example\r\n", tlsJSON)
)

func tlsDecode(r io.Reader) (*tlsrpt.Report, error) {
	return (&tlsrpt.Decoder{}).Decode(context.Background(), r)
}

// TestDecode: each file is read as the kind it is, whatever other reports
// it carries inside. A failure report about a report email holds that
// email's XML or JSON in its copy of the original message: it is still a
// failure report (the aggregate and TLS decoders, tried first, would find
// the inner report).
func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "failure", "aggregate", "stream", "tls", or "" for a *NoReportError
	}{
		{"aggregate XML", aggXML, "aggregate"},
		{"aggregate gzip", gz(aggXML), "aggregate"},
		{"aggregate email", aggMail, "aggregate"},
		{"TLS JSON", tlsJSON, "tls"},
		{"TLS gzip", gz(tlsJSON), "tls"},
		{"TLS email", tlsMail, "tls"},
		{"failure report", failure("From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n"), "failure"},
		{"failure report, gzip", gz(failure("From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n")), "failure"},
		{"failure report about an aggregate report email (XML inside)", failure(aggMail), "failure"},
		{"failure report about a TLS report email (JSON inside)", failure(tlsMail), "failure"},
		{"email without a report", "From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n", ""},
		{"text", "no report here\n", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, stream := range []bool{false, true} {
				f, err := Decode(strings.NewReader(tt.in), Decoders{Stream: stream, TLS: tlsDecode})
				got := kindOf(f)
				if got != tt.want {
					t.Errorf("stream %v: read as %q (err %v), want %q", stream, got, err, tt.want)
				}
				if _, ok := errors.AsType[*NoReportError](err); ok != (tt.want == "") {
					t.Errorf("stream %v: error %v, want a *NoReportError: %v", stream, err, tt.want == "")
				}
			}
		})
	}
}

// TestDecodeOtherFeedbackType: an ARF report of another feedback type
// (RFC 5965 §7.3: abuse, fraud, ...) is no report for Decode, even when its
// copy of the original message is a report email: that copy is someone
// else's mail (a spoofed sender can put any XML or JSON in it), and reading
// it as an aggregate or TLS report would credit it to the ARF sender.
func TestDecodeOtherFeedbackType(t *testing.T) {
	for _, ft := range []string{"abuse", "fraud", "virus", "other", "not-spam"} {
		for _, inner := range []struct{ name, mail string }{{"aggregate", aggMail}, {"TLS", tlsMail}} {
			in := strings.Replace(failure(inner.mail), "Feedback-Type: auth-failure", "Feedback-Type: "+ft, 1)
			for _, stream := range []bool{false, true} {
				f, err := Decode(strings.NewReader(in), Decoders{Stream: stream, TLS: tlsDecode})
				if f != (File{}) || !errors.Is(err, report.ErrNotReport) || !strings.Contains(fmt.Sprint(err), ft) {
					if f.Stream != nil {
						f.Stream.Close()
					}
					t.Errorf("%s report about a %s report email (stream %v): %+v, %v; want no report and report.ErrNotReport naming %q",
						ft, inner.name, stream, f, err, ft)
				}
			}
		}
	}
}

// TestDecodeErrors: a broken report of one kind is that kind's error, not
// "no report"; a file of no kind reads as the aggregate decoder's error,
// as before the kinds were told apart in one place.
func TestDecodeErrors(t *testing.T) {
	_, err := Decode(strings.NewReader(`{"broken`), Decoders{TLS: tlsDecode})
	if !errors.Is(err, tlsrpt.ErrSyntax) {
		t.Errorf("broken JSON: %v, want tlsrpt.ErrSyntax", err)
	}
	_, err = Decode(strings.NewReader("no report here\n"), Decoders{TLS: tlsDecode})
	ne, ok := errors.AsType[*NoReportError](err)
	if !ok || !errors.Is(err, report.ErrNotReport) || err.Error() != ne.Aggregate.Error() ||
		!errors.Is(ne.Failure, report.ErrNotReport) || !errors.Is(ne.TLS, tlsrpt.ErrNotReport) {
		t.Errorf("text: %#v, want a *NoReportError reading as report.ErrNotReport", err)
	}
	_, err = Decode(strings.NewReader(""), Decoders{TLS: tlsDecode})
	if !errors.Is(err, report.ErrEmpty) {
		t.Errorf("empty: %v, want report.ErrEmpty", err)
	}
	// The TLS function's own error (a cancelled context) ends the search.
	stop := errors.New("stop")
	_, err = Decode(strings.NewReader(tlsJSON), Decoders{TLS: func(io.Reader) (*tlsrpt.Report, error) { return nil, stop }})
	if !errors.Is(err, stop) {
		t.Errorf("TLS function's error: %v, want it returned", err)
	}
}

// FuzzDecode: any input reads as exactly one kind, or fails with a
// *NoReportError or the error of one decoder; never a panic. A file read
// as a failure report is one for the failure decoder on its own (the
// order only decides between kinds, it never makes one up).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{aggXML, tlsJSON, aggMail, tlsMail, failure(aggMail), failure(tlsMail), gz(tlsJSON), "", "x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, stream := range []bool{false, true} {
			got, err := Decode(bytes.NewReader(data), Decoders{Stream: stream, TLS: tlsDecode})
			set := 0
			for _, p := range []bool{got.Aggregate != nil, got.Stream != nil, got.Failure != nil, got.TLS != nil} {
				if p {
					set++
				}
			}
			if err == nil && set != 1 || err != nil && set != 0 {
				t.Fatalf("stream %v: %d kinds set, error %v", stream, set, err)
			}
			if got.Stream != nil {
				got.Stream.Close()
			}
			if got.Failure != nil {
				if _, err := report.DecodeFailure(bytes.NewReader(data)); err != nil {
					t.Fatalf("read as a failure report, but DecodeFailure says %v", err)
				}
			}
		}
	})
}

// kindOf names the kind of report f holds ("" for none), closing its
// stream.
func kindOf(f File) string {
	switch {
	case f.Failure != nil:
		return "failure"
	case f.Aggregate != nil:
		return "aggregate"
	case f.Stream != nil:
		f.Stream.Close()
		return "aggregate"
	case f.TLS != nil:
		return "tls"
	}
	return ""
}
