package report_test

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/domainauth/domainauth/authres"
	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/zone"
)

func ExampleDecodeFailure() {
	msg := "From: reports@receiver.example\r\n" +
		"Content-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nA DMARC failure report.\r\n" +
		"--b\r\nContent-Type: message/feedback-report\r\n\r\n" +
		"Feedback-Type: auth-failure\r\nUser-Agent: example/1\r\nVersion: 1\r\nAuth-Failure: dmarc\r\n" +
		"Identity-Alignment: dkim,spf\r\nAuthentication-Results: receiver.example; dmarc=fail header.from=sender.example\r\n" +
		"Source-IP: 192.0.2.7\r\nReported-Domain: sender.example\r\nArrival-Date: Tue, 19 Jul 2022 07:57:50 +0200\r\n" +
		"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: someone@sender.example\r\nSubject: hello\r\n" +
		"--b--\r\n"
	f, err := report.DecodeFailure(strings.NewReader(msg))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.AuthFailure, f.Domain(), f.SourceIP, f.IdentityAlignment, f.ArrivalDate.UTC().Format(time.DateTime))
	fmt.Println(f.Original.MediaType, f.Original.Get("Subject"), len(f.Warnings))
	// Output:
	// dmarc sender.example 192.0.2.7 [dkim spf] 2022-07-19 05:57:50
	// text/rfc822-headers hello 0
}

func ExampleEncodeFailure() {
	ar, _ := authres.Parse("mx.receiver.example; dmarc=fail header.from=sender.example")
	var dec report.Decoder
	orig, _ := dec.OriginalFromMessage([]byte("From: a@sender.example\r\nSubject: hi\r\n\r\nbody\r\n"), true)
	f := &report.Failure{
		AuthFailure:           report.AuthFailureDMARC,
		IdentityAlignment:     []string{"dkim", "spf"},
		AuthenticationResults: []report.AuthResultsField{{Parsed: ar}},
		SourceIP:              netip.MustParseAddr("192.0.2.7"),
		Original:              orig,
	}
	var buf bytes.Buffer
	err := report.EncodeFailure(&buf, f, report.FailureEmail{From: "dmarc@receiver.example", To: "ruf@sender.example",
		Date: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	back, _ := report.DecodeFailure(&buf)
	fmt.Println(back.FeedbackType, back.AuthFailure, back.ReportedDomain, back.Original.MediaType)
	// Output: auth-failure dmarc [sender.example] text/rfc822-headers
}

func ExampleRedactor_Redact() {
	r := &report.Redactor{Key: []byte("a secret key of 16 bytes or more")}
	f := &report.Failure{OriginalMailFrom: "alice@sender.example",
		Original: report.Original{MediaType: "message/rfc822", Body: []byte("private"),
			Header: []report.Field{{Name: "From", Value: "Alice <alice@sender.example>"}, {Name: "Subject", Value: "private"}}}}
	g, _ := r.Redact(f)
	fmt.Println(g.OriginalMailFrom == r.Address("alice@sender.example"), strings.HasSuffix(g.OriginalMailFrom, "@sender.example"))
	fmt.Println(len(g.Original.Header), g.Original.Body == nil, g.Original.MediaType)
	// Output:
	// true true
	// 1 true text/rfc822-headers
}

func ExampleSummary_Enrich() {
	z := zone.New()
	ip := netip.MustParseAddr("192.0.2.7")
	z.AddPTR(zone.ReverseName(ip), "a1.smtp-out.amazonses.com")
	z.AddA("a1.smtp-out.amazonses.com", "192.0.2.7")
	b := &report.Builder{Metadata: report.Metadata{OrgName: "receiver.example", ReportID: "1"},
		Policy: report.PolicyPublished{Domain: "example.com"}}
	b.Add(report.Evaluation{SourceIP: ip, HeaderFrom: "example.com", DKIM: report.DMARCResultPass, Count: 5})
	s := report.Summarize(b.Aggregate())
	e := &report.Enricher{Resolver: z}
	if err := s.Enrich(context.Background(), e); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.SourceNames["192.0.2.7"], s.BySender["Amazon SES"].Messages, e.Stats().PTRQueries, e.Stats().ForwardQueries)
	// Output: [a1.smtp-out.amazonses.com] 5 1 1
}
