package report

import (
	"bytes"
	"html"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// rfc9991Example returns the example failure report of RFC 9991
// Appendix A, read from the final draft in the shared RFC folder.
func rfc9991Example(t *testing.T) []byte {
	p := sharedDir(t, "rfc/draft-ietf-dmarc-failure-reporting-24.xml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<sourcecode type="RFC5322">(.*?)</sourcecode>`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no RFC5322 sourcecode in the draft")
	}
	return []byte(html.UnescapeString(string(m[1])))
}

// TestFailureRFC9991Example decodes the example of RFC 9991 Appendix A
// field by field, and redacts it as its closing note suggests: the local
// parts of To and From replaced throughout the reported entity.
func TestFailureRFC9991Example(t *testing.T) {
	f, err := DecodeFailure(bytes.NewReader(rfc9991Example(t)))
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		UA, Version, Type, Align, AR, DKIM, EnvID, MailFrom, IP, Domain, Orig, OrigFrom string
		Port                                                                            int
	}
	got := view{UA: f.UserAgent, Version: f.Version, Type: string(f.AuthFailure), Align: strings.Join(f.IdentityAlignment, ","),
		DKIM: f.DKIMDomain + " " + f.DKIMIdentity + " " + f.DKIMSelector, EnvID: f.OriginalEnvelopeID, MailFrom: f.OriginalMailFrom,
		IP: f.SourceIP.String(), Port: f.SourcePort, Domain: strings.Join(f.ReportedDomain, ","), Orig: f.Original.MediaType,
		OrigFrom: f.Original.HeaderFrom()}
	if len(f.AuthenticationResults) == 1 && f.AuthenticationResults[0].Parsed != nil {
		p := f.AuthenticationResults[0].Parsed
		for _, m := range p.Methods {
			v, _ := m.Prop("header", "from")
			got.AR += p.AuthServID + " " + m.Method + "=" + string(m.Result) + " header.from=" + v
		}
	}
	want := view{UA: "DMARC-Filter/1.2.3", Version: "1", Type: "dmarc", Align: "dkim",
		AR: "gen.example dmarc=fail header.from=consumer.example", DKIM: "consumer.example @consumer.example epsilon",
		EnvID: "65E1A3F0A0", MailFrom: "author=gen.example@forwarder.example", IP: "192.0.2.2", Port: 12345,
		Domain: "consumer.example", Orig: "message/rfc822", OrigFrom: "consumer.example"}
	if got != want {
		t.Errorf("decoded\n %+v\nwant\n %+v", got, want)
	}
	if n := len(f.Original.Header); n != 31 {
		t.Errorf("%d header fields in the original, want 31", n)
	}
	if !bytes.Contains(f.Original.Body, []byte("[ Message body was here ]")) {
		t.Errorf("body = %q", f.Original.Body)
	}
	for _, w := range f.Warnings {
		t.Logf("warning: %v", w)
	}

	// The appendix's closing note: redact the local parts of To and From.
	r := &Redactor{Key: []byte("the key of the RFC 9991 example")}
	g, err := r.Redact(f)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := EncodeFailure(&buf, g, FailureEmail{From: "DMARC@gen.example", To: "dmarcfail@consumer.example", Date: time.Unix(1658210268, 0)}); err != nil {
		t.Fatal(err)
	}
	for _, local := range []string{"users@", "author@", "author=gen.example@"} {
		if bytes.Contains(buf.Bytes(), []byte(local)) {
			t.Errorf("%s left in the redacted report", local)
		}
	}
	back, err := DecodeFailure(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.Original.MediaType != "text/rfc822-headers" || back.Original.Body != nil ||
		back.Original.Get("To") != r.Address("users@forwarder.example") || back.OriginalMailFrom != r.Address("author=gen.example@forwarder.example") {
		t.Errorf("redacted: %s To %q, Original-Mail-From %q", back.Original.MediaType, back.Original.Get("To"), back.OriginalMailFrom)
	}
	if !slices.Equal(back.ReportedDomain, f.ReportedDomain) || back.SourceIP != f.SourceIP || back.DKIMSelector != "epsilon" {
		t.Error("the redacted report lost a field the report needs")
	}
}

// TestDecodeFailureFields reads each field the issue lists, in the forms
// RFC 6591 §4 and RFC 9991 §4 allow (CFWS, comments, case), and each
// registered Auth-Failure and Delivery-Result value.
func TestDecodeFailureFields(t *testing.T) {
	base := "Feedback-Type: auth-failure\r\nUser-Agent: t/1\r\nVersion: 1\r\n" +
		"Authentication-Results: mx.example; dkim=fail header.d=a.example\r\n"
	for _, c := range []struct {
		name, fields string
		check        func(*Failure) bool
	}{
		{"Auth-Failure dmarc (RFC 9991 §4)", "Auth-Failure: dmarc\r\nIdentity-Alignment: dkim\r\n", func(f *Failure) bool { return f.AuthFailure == AuthFailureDMARC }},
		{"Auth-Failure spf", "Auth-Failure: spf\r\nSPF-DNS: txt : a.example : \"v=spf1 -all\"\r\nSPF-DNS: txt : b.example : \"v=spf1 ?all\"\r\n",
			func(f *Failure) bool { return f.AuthFailure == AuthFailureSPF && len(f.SPFDNS) == 2 }},
		{"Auth-Failure adsp", "Auth-Failure: adsp\r\nDKIM-ADSP-DNS: \"dkim=all\"\r\n", func(f *Failure) bool {
			return f.AuthFailure == AuthFailureADSP && f.DKIMADSPDNS == `"dkim=all"`
		}},
		{"Auth-Failure bodyhash with the canonicalised body", "Auth-Failure: bodyhash\r\nDKIM-Canonicalized-Body: SGVs\r\n bG8=\r\n",
			func(f *Failure) bool {
				return f.AuthFailure == AuthFailureBodyHash && string(f.DKIMCanonicalizedBody) == "Hello"
			}},
		{"Auth-Failure revoked", "Auth-Failure: revoked\r\n", func(f *Failure) bool { return f.AuthFailure == AuthFailureRevoked }},
		{"Auth-Failure signature, upper case, with a comment (RFC 6591 §3.3)", "Auth-Failure: SIGNATURE (key too short)\r\nDKIM-Canonicalized-Header: ZnJvbTph\r\n",
			func(f *Failure) bool {
				return f.AuthFailure == AuthFailureSignature && string(f.DKIMCanonicalizedHeader) == "from:a"
			}},
		{"DKIM-Domain, -Identity, -Selector with CFWS", "Auth-Failure: signature\r\nDKIM-Domain:  a.example \r\nDKIM-Identity: j\u00fcrgen@mail.a.example\r\nDKIM-Selector: (sel) s1\r\n",
			func(f *Failure) bool {
				return f.DKIMDomain == "a.example" && f.DKIMIdentity == "j\u00fcrgen@mail.a.example" && f.DKIMSelector == "s1"
			}},
		{"Identity-Alignment with CFWS (RFC 9991 §4)", "Auth-Failure: dmarc\r\nIdentity-Alignment: dkim , (x) spf\r\n",
			func(f *Failure) bool { return slices.Equal(f.IdentityAlignment, []string{"dkim", "spf"}) }},
		{"Received-Date, the obsolete Arrival-Date", "Auth-Failure: dmarc\r\nIdentity-Alignment: none\r\nReceived-Date: Tue, 19 Jul 2022 07:57:50 +0200\r\n",
			func(f *Failure) bool { return f.ArrivalDate.Equal(time.Date(2022, 7, 19, 5, 57, 50, 0, time.UTC)) }},
		{"Original-Mail-From, Original-Rcpt-To, Delivery-Result reject", "Auth-Failure: dmarc\r\nIdentity-Alignment: none\r\n" +
			"Original-Mail-From: <b@a.example>\r\nOriginal-Rcpt-To: <c@r.example>\r\nOriginal-Rcpt-To: <d@r.example>\r\nDelivery-Result: reject\r\n",
			func(f *Failure) bool {
				return f.OriginalMailFrom == "b@a.example" && slices.Equal(f.OriginalRcptTo, []string{"c@r.example", "d@r.example"}) &&
					f.DeliveryResult == DeliveryResultReject
			}},
		{"null Original-Mail-From, Delivery-Result spam", "Auth-Failure: dmarc\r\nIdentity-Alignment: none\r\nOriginal-Mail-From: <>\r\nDelivery-Result: spam\r\n",
			func(f *Failure) bool {
				return f.NullMailFrom && f.OriginalMailFrom == "" && f.DeliveryResult == DeliveryResultSpam
			}},
		{"Source-IP IPv6, Reported-Domain twice", "Auth-Failure: dmarc\r\nIdentity-Alignment: none\r\nSource-IP: 2001:db8::1\r\nReported-Domain: a.example\r\nReported-Domain: b.example\r\n",
			func(f *Failure) bool {
				return f.SourceIP.String() == "2001:db8::1" && slices.Equal(f.ReportedDomain, []string{"a.example", "b.example"})
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := DecodeFailure(strings.NewReader(failureMessage(base+c.fields, "From: a@a.example")))
			if err != nil {
				t.Fatal(err)
			}
			if !c.check(f) {
				t.Errorf("fields %q decoded as %+v", c.fields, f)
			}
			if f.AuthenticationResults[0].Parsed == nil {
				t.Error("Authentication-Results not parsed")
			}
		})
	}
}
