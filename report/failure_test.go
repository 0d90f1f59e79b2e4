package report

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/authres"
	"github.com/google/go-cmp/cmp"
)

// failureWant holds the figures read by hand from each sample of
// conformance/dmarc-failure.
type failureWant struct {
	err               error  // the sentinel, for a file that is refused
	errText           string // part of its message
	userAgent         string
	version           string
	authFailure       AuthFailure
	identityAlignment []string
	sourceIP          string
	reportedDomain    []string
	mailFrom          string
	rcptTo            []string
	arrival           string // RFC 3339
	delivery          DeliveryResult
	dkimDomain        string
	envelopeID        string
	arMethods         string // the methods=results of the first Authentication-Results
	originalType      string
	originalFrom      string // the original's From domain
	originalFields    int
	bodyContains      string
	warnings          []string // codes, in order
}

func TestFailureConformance(t *testing.T) {
	dir := sharedDir(t, filepath.Join("conformance", "dmarc-failure", "domainaware+parsedmarc"))
	linkedin := failureWant{
		userAgent: "Lua/1.0", version: "1.0", authFailure: AuthFailureDMARC,
		sourceIP: "10.10.10.10", reportedDomain: []string{"example.com"},
		rcptTo: []string{"recipient@linkedin.com"}, arrival: "2019-04-30T02:09:00Z",
		delivery: DeliveryResultDelivered, arMethods: "dmarc=fail",
		originalType: "message/rfc822", originalFrom: "example.com", originalFields: 27,
		bodyContains: "HTML Text",
		warnings:     []string{"report.failure-bad-field", "report.failure-empty-field", "report.failure-missing-field"},
	}
	cases := []struct {
		file string
		want failureWant
	}{
		{"DMARC Failure Report for domain.de (mail-from=sharepoint@domain.de, ip=10.10.10.10).eml", failureWant{
			userAgent: "Lua/1.0", version: "1.0", authFailure: AuthFailureDMARC,
			sourceIP: "10.10.10.10", reportedDomain: []string{"domain.de"},
			mailFrom: "sharepoint@domain.de", rcptTo: []string{"peter.pan@domain.de"},
			arrival: "2018-10-01T11:20:27+02:00", delivery: "smg-policy-action", arMethods: "dmarc=fail",
			originalType: "message/rfc822", originalFrom: "domain.de", originalFields: 10,
			bodyContains: "MS Exchange Server version",
			warnings:     []string{"report.failure-bad-field", "report.enum-unknown", "report.failure-missing-field"},
		}},
		{"[Netease DMARC Failure Report] Rent Reminder.eml", failureWant{
			// The feedback part is base64 and the top level multipart/mixed.
			userAgent: "NtesDmarcReporter/1.0", version: "1", identityAlignment: []string{"spf", "dkim"},
			sourceIP: "167.89.69.24", reportedDomain: []string{"cardinal.com"},
			mailFrom: "bounces+1137616-c1ad-xsj399=163.com@email.entrata.com",
			arrival:  "2018-09-28T16:48:42+08:00", delivery: DeliveryResultDelivered, dkimDomain: "entrata.com",
			envelopeID: "N8CowEApcUPo6q1bnXlMAA--.44392S3", arMethods: "dkim=pass spf=pass",
			originalType: "message/rfc822", originalFrom: "cardinal.com", originalFields: 15,
			warnings: []string{"report.failure-not-multipart-report", "report.failure-encoded-part", "report.failure-missing-field"},
		}},
		{"dmarc_ruf_report_linkedin.crlf.eml", linkedin},
		{"dmarc_ruf_report_linkedin.eml", linkedin},
		{"exim_plain_text_only_no_arf_part.eml", failureWant{
			err: ErrNotReport, errText: "no message/feedback-report part in the one part (text/plain)",
		}},
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != len(cases) {
		t.Errorf("%d samples in %s, %d in the table: add the new ones", len(files), dir, len(cases))
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			f, err := DecodeFailure(bytes.NewReader(b))
			w := c.want
			if w.err != nil {
				if !errors.Is(err, w.err) || !strings.Contains(fmt.Sprint(err), w.errText) {
					t.Fatalf("err = %v, want %v containing %q", err, w.err, w.errText)
				}
				if _, ok := errors.AsType[*DecodeError](err); !ok {
					t.Fatalf("error is %T, not *DecodeError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := failureWant{
				userAgent: f.UserAgent, version: f.Version, authFailure: f.AuthFailure,
				identityAlignment: f.IdentityAlignment, reportedDomain: f.ReportedDomain,
				mailFrom: f.OriginalMailFrom, rcptTo: f.OriginalRcptTo, delivery: f.DeliveryResult,
				dkimDomain: f.DKIMDomain, envelopeID: f.OriginalEnvelopeID,
				originalType: f.Original.MediaType, originalFrom: f.Original.HeaderFrom(),
				originalFields: len(f.Original.Header),
			}
			if f.SourceIP.IsValid() {
				got.sourceIP = f.SourceIP.String()
			}
			if !f.ArrivalDate.IsZero() {
				got.arrival = f.ArrivalDate.Format(time.RFC3339)
			}
			if len(f.AuthenticationResults) > 0 && f.AuthenticationResults[0].Parsed != nil {
				var ms []string
				for _, m := range f.AuthenticationResults[0].Parsed.Methods {
					ms = append(ms, m.Method+"="+string(m.Result))
				}
				got.arMethods = strings.Join(ms, " ")
			}
			if w.bodyContains != "" && bytes.Contains(f.Original.Body, []byte(w.bodyContains)) {
				got.bodyContains = w.bodyContains
			}
			for _, x := range f.Warnings {
				got.warnings = append(got.warnings, x.Code)
			}
			if f.FeedbackType != "auth-failure" {
				t.Errorf("FeedbackType = %q", f.FeedbackType)
			}
			if f.Container != "email" {
				t.Errorf("Container = %q", f.Container)
			}
			if d := cmp.Diff(w, got, cmp.AllowUnexported(failureWant{})); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestFailureCRLFEqualsLF: the two LinkedIn samples are one report with
// LF and CRLF line ends; they decode alike, but for the line ends kept in
// the text part and the original's body.
func TestFailureCRLFEqualsLF(t *testing.T) {
	dir := sharedDir(t, filepath.Join("conformance", "dmarc-failure", "domainaware+parsedmarc"))
	read := func(name string) *Failure {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		f, err := DecodeFailure(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		f.Text = strings.ReplaceAll(f.Text, "\r\n", "\n")
		f.Original.Body = bytes.ReplaceAll(f.Original.Body, []byte("\r\n"), []byte("\n"))
		return f
	}
	lf, crlf := read("dmarc_ruf_report_linkedin.eml"), read("dmarc_ruf_report_linkedin.crlf.eml")
	if d := cmp.Diff(lf, crlf, failureCmp); d != "" {
		t.Errorf("(-LF +CRLF):\n%s", d)
	}
	// One report: one identity, counted once in a summary.
	if lf.Identity() != crlf.Identity() {
		t.Error("the LF and CRLF copies have two identities")
	}
	s := &Summary{}
	if !s.AddFailure(lf) || s.AddFailure(crlf) || s.Failures.Reports != 1 || s.Failures.Duplicates != 1 {
		t.Errorf("reports %d, duplicates %d; want 1 and 1", s.Failures.Reports, s.Failures.Duplicates)
	}
}

// TestFailureIdentity: reports that differ in any feedback field or
// header field of the original have different identities; the text part
// and the body do not count.
func TestFailureIdentity(t *testing.T) {
	base := sampleFailure(t).Identity()
	for _, c := range []struct {
		name string
		edit func(*Failure)
		same bool
	}{
		{"another text part", func(f *Failure) { f.Text = "other" }, true},
		{"another body", func(f *Failure) { f.Original.Body = []byte("other") }, true},
		{"another Arrival-Date", func(f *Failure) { f.ArrivalDate = f.ArrivalDate.Add(time.Second) }, false},
		{"another source port", func(f *Failure) { f.SourcePort++ }, false},
		{"another unknown field", func(f *Failure) { f.Fields = append(f.Fields, Field{"X-Reporter-Id", "2"}) }, false},
		{"a field name's case", func(f *Failure) { f.Original.Header[0].Name = "RECEIVED" }, true},
		{"a value moved across fields", func(f *Failure) {
			f.Original.Header = []Field{{"A", "bc"}}
		}, false},
		{"another original header field", func(f *Failure) { f.Original.Header[2].Value = "Alice <alice@other.example>" }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := sampleFailure(t)
			c.edit(f)
			if same := f.Identity() == base; same != c.same {
				t.Errorf("same identity %v, want %v", same, c.same)
			}
		})
	}
	// Split differently, the same bytes give another identity.
	a := &Failure{Fields: []Field{{"A", "bc"}}}
	b := &Failure{Fields: []Field{{"Ab", "c"}}}
	if a.Identity() == b.Identity() {
		t.Error("field boundaries are not part of the identity")
	}
	// Merge: a report both summaries counted is listed as a duplicate.
	s1, s2 := &Summary{}, &Summary{}
	s1.AddFailure(sampleFailure(t))
	s2.AddFailure(sampleFailure(t))
	s1.Merge(s2)
	if s1.Failures.Duplicates != 1 {
		t.Errorf("after Merge: %d duplicates, want 1", s1.Failures.Duplicates)
	}
}

// sampleFailure is a complete DMARC failure report, as a receiver would
// build it, modelled on the example of RFC 9991 Appendix A.
func sampleFailure(t testing.TB) *Failure {
	ar, err := authres.Parse("mx.receiver.example; dmarc=fail header.from=sender.example")
	if err != nil {
		t.Fatal(err)
	}
	var dec Decoder
	orig, err := dec.OriginalFromMessage([]byte("Received: from mail.forwarder.example (mail.forwarder.example [192.0.2.2])\r\n"+
		"\tby mx.receiver.example; Tue, 19 Jul 2022 07:57:50 +0200\r\n"+
		"DKIM-Signature: v=1; a=rsa-sha256; d=sender.example; s=sel1; h=From:To; bh=YQ==; b=YQ==\r\n"+
		"From: Alice <alice@sender.example>\r\nTo: bob@receiver.example\r\nSubject: Quarterly figures\r\n"+
		"Date: Tue, 19 Jul 2022 00:57:48 -0500\r\nMessage-ID: <1@sender.example>\r\n\r\nHello Bob,\r\nthe figures.\r\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	return &Failure{
		FeedbackType: "auth-failure", UserAgent: "test/1", Version: "1",
		AuthFailure: AuthFailureDMARC, IdentityAlignment: []string{"dkim", "spf"},
		AuthenticationResults: []AuthResultsField{{Raw: "mx.receiver.example; dmarc=fail header.from=sender.example", Parsed: ar}},
		SourceIP:              netip.MustParseAddr("192.0.2.2"), SourcePort: 12345,
		ReportedDomain: []string{"sender.example"}, OriginalMailFrom: "bounce@forwarder.example",
		OriginalRcptTo: []string{"bob@receiver.example"}, OriginalEnvelopeID: "65E1A3F0A0",
		ArrivalDate: time.Date(2022, 7, 19, 7, 57, 50, 0, time.FixedZone("", 2*3600)),
		Incidents:   3, DeliveryResult: DeliveryResultReject,
		DKIMDomain: "sender.example", DKIMIdentity: "@sender.example", DKIMSelector: "sel1",
		DKIMCanonicalizedHeader: bytes.Repeat([]byte("from:Alice <alice@sender.example>\r\n"), 5),
		SPFDNS:                  []string{`txt : forwarder.example : "v=spf1 -all"`},
		Original:                orig,
	}
}

// comparable strips what a round trip does not keep: the container, the
// text part, the raw field list and the warnings.
func roundTripView(f *Failure) *Failure {
	g := *f
	g.Container, g.Text, g.Fields, g.Warnings = "", "", nil, nil
	g.FeedbackType = "auth-failure"
	if g.UserAgent == "" {
		g.UserAgent = "domainauth"
	}
	if g.Version == "" {
		g.Version = "1"
	}
	if g.DKIMIdentity == "" && g.DKIMDomain != "" {
		g.DKIMIdentity = "@" + g.DKIMDomain
	}
	if len(g.ReportedDomain) == 0 && f.Domain() != "" {
		g.ReportedDomain = []string{f.Domain()}
	}
	g.Original.Body = bytes.ReplaceAll(g.Original.Body, []byte("\r\n"), []byte("\n"))
	g.Original.MediaType = "text/rfc822-headers"
	if g.Original.Body != nil {
		g.Original.MediaType = "message/rfc822"
	}
	return &g
}

var failureCmp = cmp.Options{cmp.Comparer(func(a, b netip.Addr) bool { return a == b })}

func TestEncodeFailureRoundTrip(t *testing.T) {
	f := sampleFailure(t)
	headersOnly := sampleFailure(t)
	headersOnly.Original.Body = nil
	headersOnly.OriginalMailFrom, headersOnly.NullMailFrom = "", true
	dkimAR, _ := authres.Parse("dkim=fail header.d=sender.example")
	minimalDKIM := &Failure{AuthFailure: AuthFailureSignature, DKIMDomain: "sender.example", DKIMSelector: "s",
		AuthenticationResults: []AuthResultsField{{Raw: "dkim=fail header.d=sender.example", Parsed: dkimAR}},
		Original:              Original{Header: []Field{{"From", "a@sender.example"}}}}
	long := sampleFailure(t)
	long.Original.Header = append(long.Original.Header, Field{"X-Long", strings.Repeat("word ", 400) + strings.Repeat("x", 1200)})
	for _, c := range []struct {
		name string
		f    *Failure
	}{{"full", f}, {"headers only, null sender", headersOnly}, {"minimal signature failure", minimalDKIM}, {"long header fields", long}} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := EncodeFailure(&buf, c.f, FailureEmail{From: "reports@receiver.example", To: "ruf@sender.example",
				Date: time.Date(2022, 7, 19, 8, 0, 0, 0, time.UTC)}); err != nil {
				t.Fatal(err)
			}
			got, err := DecodeFailure(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("%v\n%s", err, buf.Bytes())
			}
			for _, w := range got.Warnings {
				if c.name != "minimal signature failure" {
					t.Errorf("warning on our own report: %v", w)
				}
			}
			if !strings.Contains(got.Text, "failure report") {
				t.Errorf("text part = %q", got.Text)
			}
			if d := cmp.Diff(roundTripView(c.f), roundTripView(got), failureCmp); d != "" {
				t.Errorf("(-built +decoded):\n%s\n%s", d, buf.Bytes())
			}
			for i, line := range strings.Split(buf.String(), "\r\n") {
				if len(line) > maxLine && c.name != "long header fields" {
					t.Errorf("line %d has %d octets", i+1, len(line))
				}
				if strings.Contains(line, "\n") {
					t.Errorf("line %d has a bare LF", i+1)
				}
			}
		})
	}
}

// TestEncodeFailureStructure checks the media types and header fields
// RFC 5965 §2 and RFC 6591 §3.1 prescribe.
func TestEncodeFailureStructure(t *testing.T) {
	var buf bytes.Buffer
	if err := EncodeFailure(&buf, sampleFailure(t), FailureEmail{From: "reports@receiver.example", To: "ruf@sender.example",
		Date: time.Date(2022, 7, 19, 8, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(buf.String(), "\r\n ", " ") // unfolded
	for _, want := range []string{
		"Content-Type: multipart/report; report-type=feedback-report; boundary=",
		"\r\nContent-Type: text/plain; charset=utf-8\r\n",
		"\r\nContent-Type: message/feedback-report\r\n",
		"\r\nContent-Type: message/rfc822\r\n",
		"\r\nFeedback-Type: auth-failure\r\n", "\r\nVersion: 1\r\n", "\r\nUser-Agent: test/1\r\n",
		"\r\nAuth-Failure: dmarc\r\n", "\r\nIdentity-Alignment: dkim,spf\r\n",
		"\r\nSubject: DMARC failure report for sender.example from IP 192.0.2.2\r\n",
		"\r\nMessage-ID: <failure-", "\r\nMIME-Version: 1.0\r\n", "\r\nDate: Tue, 19 Jul 2022 08:00:00 +0000\r\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	// The message is the same whatever the time it is written at.
	var again bytes.Buffer
	EncodeFailure(&again, sampleFailure(t), FailureEmail{From: "reports@receiver.example", To: "ruf@sender.example",
		Date: time.Date(2022, 7, 19, 8, 0, 0, 0, time.UTC)})
	if again.String() != buf.String() {
		t.Error("two encodings of one report differ")
	}
}

func TestEncodeFailureRequired(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*Failure, *FailureEmail)
		want string
	}{
		{"no From (RFC 5322 §3.6)", func(f *Failure, m *FailureEmail) { m.From = "" }, "From"},
		{"another feedback type", func(f *Failure, m *FailureEmail) { f.FeedbackType = "abuse" }, "abuse"},
		{"no Auth-Failure (RFC 6591 §3.2.1)", func(f *Failure, m *FailureEmail) { f.AuthFailure = "" }, "Auth-Failure"},
		{"no Authentication-Results (RFC 6591 §3.1)", func(f *Failure, m *FailureEmail) { f.AuthenticationResults = nil }, "Authentication-Results"},
		{"no Identity-Alignment (RFC 9991 §4)", func(f *Failure, m *FailureEmail) { f.IdentityAlignment = nil }, "Identity-Alignment"},
		{"bad Identity-Alignment (RFC 9991 §4)", func(f *Failure, m *FailureEmail) { f.IdentityAlignment = []string{"none", "spf"} }, "Identity-Alignment"},
		{"signature without selector (RFC 6591 §3.3)", func(f *Failure, m *FailureEmail) {
			f.AuthFailure, f.DKIMSelector = AuthFailureSignature, ""
		}, "DKIM-Selector"},
		{"spf without SPF-DNS (RFC 6591 §3.2.6)", func(f *Failure, m *FailureEmail) { f.AuthFailure, f.SPFDNS = AuthFailureSPF, nil }, "SPF-DNS"},
		{"adsp without DKIM-ADSP-DNS (RFC 6591 §3.3)", func(f *Failure, m *FailureEmail) { f.AuthFailure = AuthFailureADSP }, "DKIM-ADSP-DNS"},
		{"bodyhash without DKIM-Domain (RFC 6591 §3.2.3)", func(f *Failure, m *FailureEmail) {
			f.AuthFailure, f.DKIMDomain = AuthFailureBodyHash, ""
		}, "DKIM-Domain"},
		{"DKIM-Domain without DKIM-Selector (RFC 9991 §4)", func(f *Failure, m *FailureEmail) { f.DKIMSelector = "" }, "DKIM-Selector"},
		{"repeated Identity-Alignment method (RFC 9991 §4)", func(f *Failure, m *FailureEmail) { f.IdentityAlignment = []string{"dkim", "dkim"} }, "Identity-Alignment"},
		{"two Authentication-Results fields (RFC 6591 §3.1)", func(f *Failure, m *FailureEmail) {
			f.AuthenticationResults = append(f.AuthenticationResults, f.AuthenticationResults[0])
		}, "2 Authentication-Results"},
		{"Authentication-Results with two methods (RFC 6591 §3.1)", func(f *Failure, m *FailureEmail) {
			f.AuthenticationResults = []AuthResultsField{{Raw: "mx.receiver.example; spf=fail smtp.mailfrom=a@b.example; dmarc=fail header.from=b.example"}}
		}, "single method"},
		{"Authentication-Results with no method (RFC 6591 §3.1)", func(f *Failure, m *FailureEmail) {
			f.AuthenticationResults = []AuthResultsField{{Raw: "mx.receiver.example; none"}}
		}, "0 method"},
		{"Authentication-Results that does not parse (RFC 8601 §2.2)", func(f *Failure, m *FailureEmail) {
			f.AuthenticationResults = []AuthResultsField{{Raw: "mx.receiver.example; dmarc"}}
		}, "does not parse"},
		{"no original (RFC 6591 §3.1)", func(f *Failure, m *FailureEmail) { f.Original = Original{} }, "original"},
		{"bad original field name", func(f *Failure, m *FailureEmail) { f.Original.Header[0].Name = "Bad Name" }, "Bad Name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := sampleFailure(t)
			m := FailureEmail{From: "reports@receiver.example"}
			c.edit(f, &m)
			err := EncodeFailure(new(bytes.Buffer), f, m)
			if !errors.Is(err, ErrIncompleteFailure) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrIncompleteFailure naming %q", err, c.want)
			}
		})
	}
}

// failureMessage builds a report message around a feedback part.
func failureMessage(feedback, original string) string {
	return "From: r@receiver.example\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=B\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nreport\r\n--B\r\nContent-Type: message/feedback-report\r\n\r\n" + feedback +
		"\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n" + original + "\r\n--B--\r\n"
}

const okFeedback = "Feedback-Type: auth-failure\r\nUser-Agent: t\r\nVersion: 1\r\nAuth-Failure: dmarc\r\n" +
	"Identity-Alignment: none\r\nAuthentication-Results: x; dmarc=fail header.from=a.example\r\n"

func TestDecodeFailureTolerance(t *testing.T) {
	for _, c := range []struct {
		name, msg string
		warn      string // a code expected among the warnings
		check     func(*Failure) string
	}{
		{"clean report", failureMessage(okFeedback, "From: a@a.example"), "", nil},
		{"report-type missing", strings.Replace(failureMessage(okFeedback, "From: a@a.example"), "report-type=feedback-report; ", "", 1),
			"report.failure-report-type", nil},
		{"Auth-Failure with comment (RFC 6591 §3.3)", failureMessage(strings.Replace(okFeedback, "Auth-Failure: dmarc", "Auth-Failure: dmarc (aligned dkim failed)", 1), "From: a@a.example"), "",
			func(f *Failure) string { return cmp.Diff(AuthFailureDMARC, f.AuthFailure) }},
		{"Source-IP in brackets", failureMessage(okFeedback+"Source-IP: [IPv6:2001:db8::1]\r\n", "From: a@a.example"), "",
			func(f *Failure) string { return cmp.Diff("2001:db8::1", f.SourceIP.String()) }},
		{"bad Source-IP", failureMessage(okFeedback+"Source-IP: ten.ten\r\n", "From: a@a.example"), "report.bad-ip", nil},
		{"repeated once-only field", failureMessage(okFeedback+"Delivery-Result: spam\r\nDelivery-Result: reject\r\n", "From: a@a.example"), "report.failure-repeated-field",
			func(f *Failure) string { return cmp.Diff(DeliveryResultSpam, f.DeliveryResult) }},
		{"bad Identity-Alignment", failureMessage(strings.Replace(okFeedback, "none", "dkim, arc", 1), "From: a@a.example"), "report.failure-bad-field", nil},
		{"no original part", strings.Replace(failureMessage(okFeedback, "From: a@a.example"), "text/rfc822-headers", "text/plain", 1), "report.failure-no-original", nil},
		{"quoted-printable feedback part", strings.Replace(failureMessage(strings.Replace(okFeedback, "Version: 1", "Version: =31", 1), "From: a@a.example"),
			"Content-Type: message/feedback-report\r\n", "Content-Type: message/feedback-report\r\nContent-Transfer-Encoding: quoted-printable\r\n", 1),
			"report.failure-encoded-part", func(f *Failure) string { return cmp.Diff("1", f.Version) }},
		{"forwarded as an attachment", "From: me@example.net\r\nContent-Type: multipart/mixed; boundary=O\r\n\r\n--O\r\nContent-Type: text/plain\r\n\r\nfwd\r\n" +
			"--O\r\nContent-Type: message/rfc822\r\n\r\n" + failureMessage(okFeedback, "From: a@a.example") + "\r\n--O--\r\n", "",
			func(f *Failure) string { return cmp.Diff("a.example", f.Domain()) }},
		{"feedback part alone", okFeedback, "report.failure-no-original", nil},
		{"mbox From line and LF", strings.ReplaceAll("From x@y Mon Jan 1 00:00:00 2024\r\n"+failureMessage(okFeedback, "From: a@a.example"), "\r\n", "\n"), "", nil},
		{"gzip", string(gz([]byte(failureMessage(okFeedback, "From: a@a.example")))), "",
			func(f *Failure) string { return cmp.Diff("gzip/email", f.Container) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := DecodeFailure(strings.NewReader(c.msg))
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, w := range f.Warnings {
				codes = append(codes, w.Code)
			}
			if c.warn == "" && len(codes) > 0 && c.name != "feedback part alone" {
				t.Errorf("warnings %v, want none", f.Warnings)
			}
			if c.warn != "" && !slices.Contains(codes, c.warn) {
				t.Errorf("warnings %v, want %s", codes, c.warn)
			}
			if c.check != nil {
				if d := c.check(f); d != "" {
					t.Error(d)
				}
			}
		})
	}
}

func TestDecodeFailureErrors(t *testing.T) {
	for _, c := range []struct {
		name, msg string
		kind      error
		text      string
		other     bool // an ARF report of another kind: ErrOtherFeedback too
	}{
		{"empty", "", ErrEmpty, "empty", false},
		{"aggregate report", minimal, ErrNotReport, "neither email", false},
		{"plain message", "From: a@b.example\r\nSubject: hi\r\n\r\nhello\r\n", ErrNotReport, "the message body is text/plain", false},
		{"abuse report (RFC 5965)", failureMessage(strings.Replace(okFeedback, "auth-failure", "abuse", 1), "From: a@a.example"), ErrNotReport, `feedback type "abuse"`, true},
		{"multipart without boundary", "Content-Type: multipart/report\r\n\r\nx", ErrContainer, "without a boundary", false},
		{"empty feedback part", failureMessage("", "From: a@a.example"), ErrNotReport, "holds no fields", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeFailure(strings.NewReader(c.msg))
			if !errors.Is(err, c.kind) || !strings.Contains(fmt.Sprint(err), c.text) {
				t.Fatalf("err = %v, want %v containing %q", err, c.kind, c.text)
			}
			if got := errors.Is(err, ErrOtherFeedback); got != c.other {
				t.Errorf("errors.Is(err, ErrOtherFeedback) = %v, want %v", got, c.other)
			}
			if _, ok := errors.AsType[*DecodeError](err); !ok {
				t.Fatalf("error is %T, not *DecodeError", err)
			}
		})
	}
}

// TestDecodeFailureDefaultLimits goes just past each default bound that a
// failure report meets.
func TestDecodeFailureDefaultLimits(t *testing.T) {
	parts := func(n int) string {
		var b strings.Builder
		b.WriteString("Content-Type: multipart/mixed; boundary=B\r\n\r\n")
		for range n {
			b.WriteString("--B\r\nContent-Type: text/plain\r\n\r\nx\r\n")
		}
		return b.String() + "--B--\r\n"
	}
	fields := func(n int) string {
		return failureMessage(okFeedback, strings.Repeat("X-A: b\r\n", n))
	}
	for _, c := range []struct {
		name, msg string
		limit     string
	}{
		{"MaxEmailParts 100", parts(101), "MaxEmailParts"},
		{"MaxRecordEntries 10,000", fields(10_001), "MaxRecordEntries"},
		{"MaxElementSize 1 MiB", failureMessage(okFeedback, "X-A: "+strings.Repeat("a", 1<<20)), "MaxElementSize"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeFailure(strings.NewReader(c.msg))
			de, ok := errors.AsType[*DecodeError](err)
			if !errors.Is(err, ErrLimit) || !ok || de.Limit != c.limit {
				t.Fatalf("err = %v, want ErrLimit of %s", err, c.limit)
			}
		})
	}
	t.Run("at the limits", func(t *testing.T) {
		if _, err := DecodeFailure(strings.NewReader(fields(10_000 - 1))); err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeFailure(strings.NewReader(parts(100))); !errors.Is(err, ErrNotReport) {
			t.Fatalf("100 parts: %v, want ErrNotReport (no feedback part)", err)
		}
	})
	t.Run("MaxResults 100", func(t *testing.T) {
		f, err := DecodeFailure(strings.NewReader(failureMessage(okFeedback+strings.Repeat("Original-Rcpt-To: <a@b.example>\r\n", 101), "From: a@a.example")))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.OriginalRcptTo) != 100 || !slices.ContainsFunc(f.Warnings, func(w Warning) bool { return w.Code == "report.results-dropped" }) {
			t.Fatalf("%d recipients kept, warnings %v", len(f.OriginalRcptTo), f.Warnings)
		}
	})
	t.Run("MaxWarnings 200", func(t *testing.T) {
		var b strings.Builder
		for i := range 201 {
			fmt.Fprintf(&b, "bad line %d\r\n", i)
		}
		// Each "no header field" line warns at one place: counted, not repeated.
		f, err := DecodeFailure(strings.NewReader(failureMessage(okFeedback, "From: a@a.example\r\n"+b.String())))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Warnings) != 1 || f.Warnings[0].Count != 201 {
			t.Fatalf("warnings = %v", f.Warnings)
		}
	})
	t.Run("MaxArchiveSize reduced", func(t *testing.T) {
		msg := failureMessage(okFeedback, "From: a@a.example\r\n"+strings.Repeat("X-A: b\r\n", 200))
		dec := Decoder{MaxArchiveSize: int64(len(msg) - 1)}
		_, err := dec.DecodeFailure(strings.NewReader(msg))
		de, ok := errors.AsType[*DecodeError](err)
		if !ok || de.Limit != "MaxArchiveSize" {
			t.Fatalf("err = %v, want ErrLimit of MaxArchiveSize", err)
		}
		dec.MaxArchiveSize++
		if _, err := dec.DecodeFailure(strings.NewReader(msg)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestDecodeFailureDefaultArchiveSize goes past the default 64 MiB bound
// on the message; slow under the race detector.
func TestDecodeFailureDefaultArchiveSize(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("64 MiB message: not under -short or -race")
	}
	body := strings.Repeat(strings.Repeat("a", 76)+"\r\n", (64<<20)/78+1)
	_, err := DecodeFailure(strings.NewReader(failureMessage(okFeedback, "From: a@a.example\r\n\r\n"+body)))
	de, ok := errors.AsType[*DecodeError](err)
	if !ok || de.Limit != "MaxArchiveSize" {
		t.Fatalf("err = %v, want ErrLimit of MaxArchiveSize", err)
	}
}

// TestFailureCountsMerge: summing failure reports in two summaries and
// merging gives what one summary of all of them gives.
func TestFailureCountsMerge(t *testing.T) {
	a, b := sampleFailure(t), sampleFailure(t)
	b.Incidents, b.AuthFailure, b.SourceIP = 0, AuthFailureSPF, netip.Addr{}
	b.ReportedDomain = nil
	a2 := sampleFailure(t) // another report with a's counts
	a2.SourcePort = 2
	var one, x, y Summary
	for _, f := range []*Failure{a, b, a2} {
		one.AddFailure(f)
	}
	x.AddFailure(a)
	y.AddFailure(b)
	y.AddFailure(a2)
	x.Merge(&y)
	if d := cmp.Diff(one.Failures, x.Failures); d != "" {
		t.Errorf("(-one +merged):\n%s", d)
	}
	want := FailureCounts{Reports: 3, Incidents: 7,
		ByDomain:   map[string]uint64{"sender.example": 7},
		ByType:     map[string]uint64{"dmarc": 6, "spf": 1},
		BySourceIP: map[string]uint64{"192.0.2.2": 6, "": 1},
		ByDay:      map[string]uint64{"2022-07-19": 7}}
	if d := cmp.Diff(want, one.Failures); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got := RankedCounts(one.Failures.ByType, 1, false); len(got) != 1 || got[0] != (KeyedCount{"dmarc", 6}) {
		t.Errorf("RankedCounts = %v", got)
	}
}

// TestEncodeFailureDKIMIdentityDefault: RFC 6591 §3.2.3 requires
// DKIM-Identity with DKIM-Domain; without one given, the default i= of
// RFC 6376 §3.5 is written.
func TestEncodeFailureDKIMIdentityDefault(t *testing.T) {
	f := sampleFailure(t)
	f.AuthFailure, f.DKIMIdentity = AuthFailureSignature, ""
	var buf bytes.Buffer
	if err := EncodeFailure(&buf, f, FailureEmail{From: "r@receiver.example", Date: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeFailure(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.DKIMIdentity != "@sender.example" || got.DKIMDomain != "sender.example" || got.DKIMSelector != "sel1" {
		t.Errorf("DKIM fields %q %q %q", got.DKIMDomain, got.DKIMIdentity, got.DKIMSelector)
	}
}

// TestSummaryFailureSelectors: the signature a failure report names is
// listed with the selectors of aggregate reports, for check to probe.
func TestSummaryFailureSelectors(t *testing.T) {
	s := &Summary{}
	f := sampleFailure(t)
	f.DKIMDomain = "Sender.Example"
	s.AddFailure(f)
	s.AddFailure(&Failure{AuthFailure: AuthFailureDMARC}) // no signature named
	if d := cmp.Diff(map[string][]string{"sender.example": {"sel1"}}, s.Selectors); d != "" {
		t.Errorf("Selectors (-want +got):\n%s", d)
	}
}
