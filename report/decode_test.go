package report

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"io"
	"mime/quotedprintable"
	"net/netip"
	"strings"
	"testing"
	"time"
)

const minimal = `<?xml version="1.0"?>
<feedback>
 <report_metadata>
  <org_name>Receiver</org_name>
  <email>dmarc@receiver.example</email>
  <report_id>42</report_id>
  <date_range><begin>1700000000</begin><end>1700086399</end></date_range>
 </report_metadata>
 <policy_published><domain>example.com</domain><p>none</p></policy_published>
 <record>
  <row><source_ip>192.0.2.1</source_ip><count>2</count>
   <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated>
  </row>
  <identifiers><header_from>example.com</header_from></identifiers>
  <auth_results>
   <dkim><domain>example.com</domain><selector>s1</selector><result>pass</result></dkim>
   <spf><domain>us-west-2.amazonses.com</domain><result>pass</result></spf>
  </auth_results>
 </record>
</feedback>
`

func mustDecode(t *testing.T, s string) *Aggregate {
	t.Helper()
	a, err := Decode(strings.NewReader(s))
	if err != nil {
		t.Fatalf("Decode: %v\ninput: %s", err, s)
	}
	return a
}

func TestDecodeMinimal(t *testing.T) {
	a := mustDecode(t, minimal)
	if a.Metadata.OrgName != "Receiver" || a.Metadata.ReportID != "42" || a.Policy.Domain != "example.com" {
		t.Errorf("metadata: %+v %+v", a.Metadata, a.Policy)
	}
	if got := a.Metadata.DateRange.Begin; !got.Equal(time.Unix(1700000000, 0)) || got.Location() != time.UTC {
		t.Errorf("begin %v", got)
	}
	r := a.Records[0]
	if r.Row.SourceIP != netip.MustParseAddr("192.0.2.1") || r.Row.Count != 2 ||
		r.Row.PolicyEvaluated.DKIM != DMARCResultPass || r.Identifiers.HeaderFrom != "example.com" ||
		len(r.AuthResults.DKIM) != 1 || r.AuthResults.SPF[0].Domain != "us-west-2.amazonses.com" {
		t.Errorf("record: %+v", r)
	}
	if len(a.Warnings) != 0 {
		t.Errorf("warnings: %v", a.Warnings)
	}
}

// replace substitutes in the minimal report.
func replace(pairs ...string) string {
	return strings.NewReplacer(pairs...).Replace(minimal)
}

// TestRepairs: each tolerated defect decodes, with its warning code.
func TestRepairs(t *testing.T) {
	for _, c := range []struct {
		name, in, code string
		check          func(*Aggregate) bool
	}{
		{"stray unclosed wrapper tag", strings.Replace(minimal, "<feedback>", `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><feedback>`, 1),
			"report.stray-tag", func(a *Aggregate) bool { return a.Policy.Domain == "example.com" }},
		{"invalid UTF-8 as Windows-1252", replace("<org_name>Receiver", "<org_name>Receiver\x93q\x94"),
			"report.invalid-utf8", func(a *Aggregate) bool { return a.Metadata.OrgName == "Receiver\u201cq\u201d" }},
		{"declared ISO-8859-1", replace(`<?xml version="1.0"?>`, `<?xml version="1.0" encoding="ISO-8859-1"?>`, "<org_name>Receiver", "<org_name>R\xe9ceiver"),
			"", func(a *Aggregate) bool { return a.Metadata.OrgName == "Réceiverceiver"[:0]+"R\u00e9ceiver" }},
		{"unescaped <addr> in text", replace("<email>dmarc@receiver.example", "<email><dmarc@receiver.example>"),
			"report.unescaped-lt", func(a *Aggregate) bool { return a.Metadata.Email == "<dmarc@receiver.example>" }},
		{"lone < in text", replace("<header_from>example.com", "<header_from>exa<mple.com"),
			"report.unescaped-lt", func(a *Aggregate) bool { return a.Records[0].Identifiers.HeaderFrom == "exa<mple.com" }},
		{"bare ampersand", replace("<org_name>Receiver", "<org_name>R & D"),
			"report.bare-ampersand", func(a *Aggregate) bool { return a.Metadata.OrgName == "R & D" }},
		{"mixed-case enums (RFC 7489 Appendix C vocabulary)", replace("<dkim>pass</dkim>", "<dkim>Pass</dkim>", "<p>none</p>", "<p>None</p>"),
			"report.enum-case", func(a *Aggregate) bool {
				return a.Records[0].Row.PolicyEvaluated.DKIM == DMARCResultPass && a.Policy.P == DispositionNone
			}},
		{"out-of-vocabulary enum kept raw", replace("<result>pass</result></spf>", "<result>hardfail</result></spf>"),
			"report.enum-unknown", func(a *Aggregate) bool {
				r := a.Records[0].AuthResults.SPF[0].Result
				return r == "hardfail" && r.Canonical() == SPFResultFail && !r.Known()
			}},
		{"unknown SPF result", replace("<result>pass</result></spf>", "<result>unknown</result></spf>"),
			"report.enum-unknown", func(a *Aggregate) bool {
				return a.Records[0].AuthResults.SPF[0].Result.Canonical() == SPFResultTempError
			}},
		{"empty elements", replace("<count>2</count>", "<count/>", "<p>none</p>", "<p></p>"),
			"", func(a *Aggregate) bool { return a.Records[0].Row.Count == 0 && a.Policy.P == "" }},
		{"compressed IPv6", replace("192.0.2.1", "2001:db8::1"),
			"", func(a *Aggregate) bool { return a.Records[0].Row.SourceIP == netip.MustParseAddr("2001:db8::1") }},
		{"bad IP", replace("192.0.2.1", "192.0.2.300"),
			"report.bad-ip", func(a *Aggregate) bool { return !a.Records[0].Row.SourceIP.IsValid() }},
		{"count with fraction", replace("<count>2</count>", "<count>2.0</count>"),
			"report.bad-number", func(a *Aggregate) bool { return a.Records[0].Row.Count == 2 }},
		{"multi-day window", replace("1700086399", "1700900000"),
			"report.multi-day-window", func(a *Aggregate) bool { return a.Metadata.DateRange.End.Unix() == 1700900000 }},
		{"missing optional and required fields", replace("<email>dmarc@receiver.example</email>", "", "<report_id>42</report_id>", ""),
			"report.missing-element", func(a *Aggregate) bool { return a.Metadata.ReportID == "" && len(a.Records) == 1 }},
		{"stray text", replace("<p>none</p>", "<p>none</p>11"),
			"report.stray-text", func(a *Aggregate) bool { return a.Policy.P == DispositionNone }},
		{"unclosed leaf", replace("<selector>s1</selector>", "<selector>s1"),
			"report.unclosed-element", func(a *Aggregate) bool {
				d := a.Records[0].AuthResults.DKIM[0]
				return d.Selector == "s1" && d.Result == DKIMResultPass
			}},
		{"stray end tag", replace("</identifiers>", "</identifiers></row>"),
			"report.stray-end-tag", func(a *Aggregate) bool { return len(a.Records[0].AuthResults.DKIM) == 1 }},
		{"unknown element ignored", replace("<p>none</p>", "<p>none</p><foo><bar>1</bar></foo>"),
			"report.unknown-element", func(a *Aggregate) bool { return a.Policy.P == DispositionNone }},
		{"truncated after a record", strings.TrimSuffix(minimal, "</feedback>\n"),
			"report.truncated", func(a *Aggregate) bool { return len(a.Records) == 1 }},
		{"truncated gzip", string(gz([]byte(minimal))[:len(gz([]byte(minimal)))-30]),
			"report.container-truncated", func(a *Aggregate) bool { return a.Policy.Domain == "example.com" }},
		{"truncated inside a record", minimal[:strings.Index(minimal, "<auth_results>")],
			"report.truncated", func(a *Aggregate) bool { return len(a.Records) == 0 && a.Policy.Domain == "example.com" }},
		{"entities, CDATA, comments, CRLF", replace("<org_name>Receiver", "<org_name>A&amp;B&#x20;<![CDATA[<C>]]><!-- x -->\r\nD"),
			"", func(a *Aggregate) bool { return a.Metadata.OrgName == "A&B <C>\nD" }},
		{"RFC 9990 namespace and elements", replace("<feedback>", `<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">`,
			"<p>none</p>", "<p>reject</p><np>reject</np><testing>y</testing><discovery_method>treewalk</discovery_method>",
			"</report_id>", "</report_id><generator>gen 1</generator>",
			"</auth_results>", "</auth_results><x:ext xmlns:x=\"urn:x\">1</x:ext>"),
			"", func(a *Aggregate) bool {
				return a.XMLNS == Namespace && a.Policy.NP == DispositionReject && a.Policy.Testing == TestingYes &&
					a.Policy.DiscoveryMethod == DiscoveryMethodTreeWalk && a.Metadata.Generator == "gen 1" &&
					len(a.Records[0].Extensions) == 1 && a.Records[0].Extensions[0] == `<x:ext xmlns:x="urn:x">1</x:ext>`
			}},
		{"prefixed namespace", strings.Replace(strings.NewReplacer("</", "</d:", "<?", "<?", "<", "<d:").Replace(minimal), "<d:feedback>", `<d:feedback xmlns:d="urn:ietf:params:xml:ns:dmarc-2.0">`, 1),
			"", func(a *Aggregate) bool { return a.XMLNS == Namespace && a.Records[0].Row.Count == 2 }},
		{"BOM and DOCTYPE", "\xef\xbb\xbf" + strings.Replace(minimal, "<feedback>", "<!DOCTYPE feedback [<!ENTITY x \"y\">]>\n<feedback>", 1),
			"", func(a *Aggregate) bool { return a.Policy.Domain == "example.com" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := mustDecode(t, c.in)
			if c.code != "" && !hasWarning(a, c.code) {
				t.Errorf("no %s warning; got %v", c.code, a.Warnings)
			}
			if !c.check(a) {
				t.Errorf("unexpected result: %+v", a)
			}
		})
	}
}

// TestNotAReport: typed errors that say what was found.
func TestNotAReport(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     error
		msg      string
	}{
		{"empty", "", ErrEmpty, "empty"},
		{"white space", "  \n", ErrEmpty, "white space"},
		{"other root", "<html><body>hi</body></html>", ErrNotReport, "<html>"},
		{"no element", "<?xml version=\"1.0\"?>", ErrNotReport, "no <feedback>"},
		{"binary", "\x00\x01\x02garbage", ErrNotReport, "neither XML"},
		{"truncated header", minimal[:strings.Index(minimal, "<policy_published>")], ErrTruncated, "ends before"},
		{"bad gzip", "\x1f\x8b\x08\x00garbage", ErrContainer, "gzip"},
		{"email without report", "From: a@b\r\nContent-Type: text/plain\r\n\r\nhello\r\n", ErrNotReport, "text/plain"},
		{"empty feedback", "<feedback/>", ErrNotReport, "empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(c.in))
			var de *DecodeError
			if !errors.Is(err, c.want) || !errors.As(err, &de) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v, want %v mentioning %q", err, c.want, c.msg)
			}
		})
	}
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zipped(t *testing.T, streamed bool, files ...string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := 0; i < len(files); i += 2 {
		var f io.Writer
		var err error
		if streamed {
			// Empty name and data descriptor, as `zip - <file` writes.
			f, err = w.CreateHeader(&zip.FileHeader{Name: files[i], Method: zip.Deflate, Flags: 0x8})
		} else {
			f, err = w.Create(files[i])
		}
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(files[i+1]))
	}
	w.Close()
	return buf.Bytes()
}

func b64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return out.String() + s + "\r\n"
}

// TestContainers: the forms in which reports arrive.
func TestContainers(t *testing.T) {
	x := []byte(minimal)
	var qp bytes.Buffer
	qw := quotedprintable.NewWriter(&qp)
	qw.Write(x)
	qw.Close()
	for _, c := range []struct {
		name  string
		in    []byte
		chain string
	}{
		{"gzip", gz(x), "gzip/xml"},
		{"gzip with trailing CRLF", append(gz(x), '\r', '\n'), "gzip/xml"},
		{"gzip inside gzip", gz(gz(x)), "gzip/gzip/xml"},
		{"zip", zipped(t, false, "r.xml", minimal), "zip/xml"},
		{"streamed zip with empty name", zipped(t, true, "", minimal), "zip/xml"},
		{"zip with readme", zipped(t, false, "README.txt", "hi", "r.xml", minimal), "zip/xml"},
		{"zip of gzip", zipped(t, false, "r.xml.gz", string(gz(x))), "zip/gzip/xml"},
		{"email single-part gzip", []byte("From: a@b\r\nSubject: Report Domain: example.com\r\nContent-Type: application/gzip\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + b64(append(gz(x), '\r', '\n'))), "email/gzip/xml"},
		{"email multipart zip", []byte("From: a@b\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" +
			"--XX\r\nContent-Type: text/plain\r\n\r\nreport attached\r\n--XX\r\nContent-Type: application/zip; name=\"r.zip\"\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + b64(zipped(t, false, "r.xml", minimal)) + "--XX--\r\n"), "email/zip/xml"},
		{"email octet-stream", []byte("From: a@b\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n" +
			"--XX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"r.xml.gz\"\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + b64(gz(x)) + "--XX--\r\n"), "email/gzip/xml"},
		{"email text/xml quoted-printable", []byte("From: a@b\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n" +
			"--XX\r\nContent-Type: text/xml\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp.String() + "\r\n--XX--\r\n"), "email/xml"},
		{"email nested multipart, 8bit xml", []byte("From: a@b\r\nContent-Type: multipart/mixed; boundary=A\r\n\r\n--A\r\n" +
			"Content-Type: multipart/alternative; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--\r\n--A\r\n" +
			"Content-Type: application/xml\r\n\r\n" + minimal + "\r\n--A--\r\n"), "email/xml"},
		{"mbox From line", []byte("From a@b Mon Jan  1 00:00:00 2024\r\nFrom: a@b\r\nContent-Type: text/xml\r\n\r\n" + minimal), "email/xml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, err := (&Decoder{}).Stream(bytes.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if st.d.container != c.chain {
				t.Errorf("layers %q, want %q", st.d.container, c.chain)
			}
			a, err := Decode(bytes.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if a.Policy.Domain != "example.com" || len(a.Records) != 1 {
				t.Errorf("got %+v", a)
			}
		})
	}
}

func TestZipErrors(t *testing.T) {
	in := zipped(t, false, "a.xml", minimal, "b.xml", minimal)
	if _, err := Decode(bytes.NewReader(in)); !errors.Is(err, ErrNotReport) || !strings.Contains(err.Error(), "2 members") {
		t.Errorf("two reports: %v", err)
	}
	if _, err := Decode(bytes.NewReader(zipped(t, false))); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty zip: %v", err)
	}
}

// TestLimits: every limit fails with ErrLimit.
func TestLimits(t *testing.T) {
	bomb := gz(append([]byte("<feedback>"), bytes.Repeat([]byte(" "), 2<<20)...)) // 2 MiB in ~2 kB
	deep := strings.Replace(minimal, "<p>none</p>", strings.Repeat("<x>", 25)+strings.Repeat("</x>", 25)+"<p>none</p>", 1)
	long := replace("<org_name>Receiver", "<org_name>"+strings.Repeat("a", 5000))
	for _, c := range []struct {
		name string
		dec  Decoder
		in   []byte
	}{
		{"document size (gzip bomb)", Decoder{MaxDocumentSize: 1 << 20}, bomb},
		{"gzip bomb inside", Decoder{MaxDocumentSize: 1 << 20}, gz(append([]byte("<feedback><report_metadata><org_name>"), bytes.Repeat([]byte("a"), 2<<20)...))},
		{"records", Decoder{MaxRecords: 3}, genBytes(10)},
		{"depth", Decoder{MaxDepth: 20}, []byte(deep)},
		{"element size", Decoder{MaxElementSize: 1000}, []byte(long)},
		{"archive size", Decoder{MaxArchiveSize: 100}, zipped(t, false, "r.xml", minimal)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.dec.Decode(bytes.NewReader(c.in))
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("got %v, want ErrLimit", err)
			}
		})
	}
	// Negative values remove the limits.
	unlimited := Decoder{MaxDocumentSize: -1, MaxArchiveSize: -1, MaxRecords: -1, MaxDepth: -1, MaxElementSize: -1, MaxWarnings: -1}
	if _, err := unlimited.Decode(bytes.NewReader(zipped(t, false, "r.xml", deep))); err != nil {
		t.Error(err)
	}
	// Within the limits, the same inputs decode.
	if _, err := (&Decoder{MaxRecords: 10}).Decode(bytes.NewReader(genBytes(10))); err != nil {
		t.Error(err)
	}
	if _, err := Decode(strings.NewReader(deep)); err != nil {
		t.Error(err)
	}
}

// TestStream: metadata before the first record, constant-memory iteration,
// early exit.
func TestStream(t *testing.T) {
	st, err := (&Decoder{}).Stream(newGen(1000))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := st.Header()
	if h.Metadata.OrgName != "receiver.example" || h.Policy.Domain != "example.com" || len(h.Records) != 0 {
		t.Fatalf("header %+v", h)
	}
	n := 0
	var msgs uint64
	for r, err := range st.All() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		msgs += r.Row.Count
		if n == 600 {
			break
		}
	}
	for r, err := range st.All() { // resumes
		if err != nil {
			t.Fatal(err)
		}
		n++
		msgs += r.Row.Count
	}
	a, _ := Decode(newGen(1000))
	if n != 1000 || msgs != a.Messages() {
		t.Fatalf("%d records, %d messages; want 1000, %d", n, msgs, a.Messages())
	}
	if _, err := st.Next(); err != io.EOF {
		t.Errorf("after the end: %v", err)
	}
}

func TestStreamTruncatedError(t *testing.T) {
	st, err := (&Decoder{}).Stream(strings.NewReader(minimal[:strings.Index(minimal, "<record>")+10]))
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range st.All() {
		t.Fatalf("unexpected record or error %v", err)
	}
	if h := st.Header(); !hasWarning(h, "report.truncated") {
		t.Errorf("warnings %v", h.Warnings)
	}
}

func TestWarningsCounted(t *testing.T) {
	s := strings.Replace(string(genBytes(50)), "<result>pass</result>", "<result>Pass</result>", -1)
	a := mustDecode(t, s)
	n := 0
	for _, w := range a.Warnings {
		if w.Code == "report.enum-case" {
			n += w.Count
		}
	}
	if len(a.Warnings) > 3 || n < 50 {
		t.Errorf("warnings not deduplicated/counted: %v", a.Warnings)
	}
}

func TestParseIPv4(t *testing.T) {
	for in, ok := range map[string]bool{"1.2.3.4": true, "255.255.255.255": true, "0.0.0.0": true,
		"256.1.1.1": false, "1.2.3": false, "1.2.3.4.5": false, "01.2.3.4": false, "1..3.4": false, "": false, "1.2.3.4 ": false} {
		a, got := parseIPv4([]byte(in))
		if got != ok || ok && a != netip.MustParseAddr(in) {
			t.Errorf("parseIPv4(%q) = %v, %v", in, a, got)
		}
	}
}

// TestPathological: inputs built to make a scanner quadratic stay fast.
func TestPathological(t *testing.T) {
	for name, in := range map[string]string{
		"ampersands":     "<feedback><report_metadata><org_name>" + strings.Repeat("&", 500_000),
		"lt in text":     "<feedback><report_metadata><org_name>" + strings.Repeat("<", 500_000),
		"open tags":      "<feedback>" + strings.Repeat("<a ", 300_000),
		"end tags":       "<feedback>" + strings.Repeat("</a>", 300_000),
		"comments":       "<feedback>" + strings.Repeat("<!-", 300_000),
		"PI":             "<feedback>" + strings.Repeat("<?", 300_000),
		"cdata":          "<feedback><report_metadata><org_name>" + strings.Repeat("<![CDATA[", 100_000),
		"nested unknown": "<feedback>" + strings.Repeat("<x>", 30) + strings.Repeat("<y/>", 300_000),
	} {
		// CPU time where available: wall time on a loaded 2-core CI
		// machine made this flaky.
		start, cpu0 := time.Now(), cpuTime()
		Decode(strings.NewReader(in))
		d := time.Since(start)
		if c := cpuTime() - cpu0; c > 0 {
			d = c
		}
		if d > 5*time.Second {
			t.Errorf("%s: %v", name, d)
		}
	}
}
