package report

// RFC requirement coverage for the report package.
//
// Every MUST / MUST NOT / SHOULD of RFC 9990 (final draft
// draft-ietf-dmarc-aggregate-reporting-32; section numbers as in that
// draft: §3 DMARC Feedback, §5 Extensible Reporting) and of RFC 7489 §7.2
// and Appendix C that binds a report generator (Encoder, Builder, Filename,
// Subject, EncodeEmail) or a report consumer (Decoder), and the test that
// covers it. "n/a" rows are outside this package: it builds and reads
// reports, it does not choose report IDs, schedule or deliver them.
//
// Generator
//
//	source             requirement                                            test
//	9990 §3.1, §3.1.2  MUST one report per policy domain, one domain and one  TestRFCElementOrder (one <policy_published>);
//	                   policy configuration per report (SHOULD: the last)     by construction: Aggregate/Builder hold one Policy
//	9990 §3.1.1.2      first-level elements MUST appear in order              TestRFCElementOrder, TestSchemaValid
//	9990 §3.1.1.2      version MUST have the value 1.0                        TestRFCVersion (fixed: "2.0" was written as is)
//	9990 §3.1.1.2      MUST be at least one <record>                          TestEncodeNoRecords
//	9990 §3.1.1.3      org_name, email, report_id, date_range required        TestRFCElementOrder, TestSchemaValid
//	9990 §3.1.1.4      begin/end: seconds since the epoch, UTC                TestRFCDateRange
//	9990 §3.1.1.4      SHOULD NOT overlap periods; 7489 §7.2 SHOULD use hour  n/a: the caller sets DateRange
//	                   boundaries
//	9990 §3.1.1.6, §5  extension elements MUST be namespaced, MUST carry a    TestRFCExtensions (fixed: unprefixed and
//	                   URI (namespace) to their definition                    undeclared-prefix extensions and xmlns:p=""
//	                                                                          were written)
//	9990 §5            extensions MUST be well-formed XML                     TestRFCExtensions ("not well-formed")
//	9990 §3.1.1.7      record elements in order, extensions after             TestRFCElementOrder, TestSchemaValid
//	                   auth_results, one record per (IP, result, ids) tuple   TestRFCBuilder, TestBuilderGroups
//	9990 §3.1.1.9      policy_evaluated in order                              TestRFCElementOrder
//	9990 §3.1.1.9      reason MUST be included when alignment fails and the   TestRFCBuilderReason (fixed: the Builder
//	                   applied disposition differs from the configured policy now supplies one when the caller gave none)
//	9990 §3.1.1.9      dkim/spf MUST be the DMARC-evaluated values            TestRFCBuilder (Evaluation.DKIM/SPF kept, raw
//	                                                                          results separate)
//	9990 §3.1.1.10     envelope_from MAY be empty (null reverse-path)         TestRFCNullReversePath
//	9990 §3.1.1.11     attempted DKIM results MUST be included; order dkim*,  TestRFCBuilder, TestRFCEncodedValues,
//	                   spf?                                                   TestRFCElementOrder
//	9990 §3.1.1.12     DKIM result lower-case RFC 8601 value; selector        TestRFCEncodedValues
//	                   required
//	9990 §3.1.1.13     SPF scope only mfrom; at most one <spf>; lower-case    TestRFCEncodedValues
//	9990 §3.1.3        SHOULD: at most 100 signatures per row, by priority    TestRFCBuilder (fixed: no cap, no priority;
//	                                                                          Builder.MaxDKIMResults)
//	9990 §3.1.4        Report-ID and unique-id MUST be identical when used    TestRFCEmail (Subject Report-ID == report_id),
//	                                                                          TestRFCFilename (unique-id as given)
//	9990 §3.1.6        reason type MUST be a pre-defined value                TestRFCEncodedValues (others become other)
//	9990 §3.5.1        Report-ID MUST be unique among reports to a domain     n/a: the caller sets Metadata.ReportID
//	9990 §3.5, 7489    MUST evaluate rua URIs in order, deliver to each, MUST  n/a: delivery is not in this package
//	  §7.2.1           NOT use a URI whose size limit is exceeded; SHOULD TLS
//	9990 §3.5.2        message MUST be RFC 5322 formatted per MIME; report    TestRFCEmail (fixed: a long report ID made
//	  (7489 §7.2.1.1)  MUST be in a part, as an attachment                    lines over 998 octets), TestEncodeEmail
//	9990 §3.5.2        XML MUST be the data, SHOULD be gzipped; media type    TestRFCEmail (both), TestEncodeGzipRoundTrip
//	                   MUST be application/gzip, else text/xml (7489 SHOULD)
//	9990 §3.5.2        file name MUST follow the ABNF; extension MUST be      TestRFCFilename (fixed: U-labels, '!' or '/'
//	  (7489 §7.2.1.1)  xml or xml.gz                                          from a domain, negative times), TestFilenameAndSubject
//	9990 §3.5.2        a re-sent report MUST use the same file name           TestRFCFilename (deterministic)
//	9990 §3.5.2        Subject MUST follow the ABNF (7489: SHOULD, msg-id)    TestRFCSubject, TestRFCEmail (folded field)
//	                   divergence: without a Report-ID the ABNF wants
//	                   trailing FWS after the submitter; none is written
//	9990 §3.5.2        mail MUST pass DMARC (aligned)                         n/a: signing and sending are the caller's
//	7489 §7.2.2        error reports (SHOULD/MUST)                            n/a: not implemented
//	7489 App. C        version, sp, pct, fo, envelope_from, scope, >=1 spf    TestSchemaValid (RFC 7489 mode, every sample
//	                   required; IPv6 as 8 groups                             and the Builder sample), TestRFCVersion
//	both schemas       encoder output validates with xmllint --schema         TestSchemaValid (93 reports x 2 schemas),
//	                                                                          TestRFCElementOrder, TestRFCVersion,
//	                                                                          TestRFCExtensions, TestRFCEncodedValues, TestRFCEmail
//	issue 5            decode(encode(x)) == Normalize(x); == x when x is      TestRoundTrip, TestRoundTripRebuilt (samples
//	                   normalized                                             through the Builder), FuzzDecode, TestRFCExtensions
//
// Consumer
//
//	source             requirement                                            test
//	9990 §3.1.1        SHOULD discard a report not matching the format, MAY   TestRepairs, TestConformance (repairs are
//	                   use some data                                          warnings; not-a-report is a typed error)
//	9990 §3.2, §5      extensions SHOULD NOT cause an error; unknown ones     TestRFCDecodeExtensions
//	                   SHOULD be ignored and processing continue
//	9990 §3.3, §3.5.4  mixed-policy and duplicate reports: the consumer's     n/a (Summary merges what it is given)
//	                   choice
//	7489 App. C        version often missing, required fields absent          TestConformance, TestRepairs
//	issue 5            limits: document size (gzip and zip bombs), archive    TestLimits, TestLimitsNamed (ErrLimit,
//	                   and email size, records, depth, element size           DecodeError.Limit names the field)
//	issue 5            every repair a warning: bytes after a gzip member      TestGzipTrailingData (fixed: were ignored
//	                                                                          silently)

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"github.com/domainauth/domainauth/internal/shared"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestGzipTrailingData: bytes after a gzip member are ignored but reported
// as the report.gzip-trailing-data warning (the issue: every repair is
// reported, never silent), in the whole-document and streaming paths, for
// nested gzip too; a clean member gives no such warning.
func TestGzipTrailingData(t *testing.T) {
	x := []byte(minimal)
	for _, c := range []struct {
		name string
		in   []byte
		want string // substring of the warning message; "" = no warning
	}{
		{"clean", gz(x), ""},
		{"CRLF", append(gz(x), '\r', '\n'), "2 bytes after the end of the gzip member ignored (white space"},
		{"NUL padding", append(gz(x), make([]byte, 512)...), "512 bytes"},
		{"junk", append(gz(x), "garbage!"...), `"garbage!"`},
		{"second member", append(gz(x), gz(x)...), "another gzip member"},
		{"much junk", append(gz(x), bytes.Repeat([]byte("z"), 10000)...), "at least 4096 bytes"},
		{"nested, inner trailing", gz(append(gz(x), "zz"...)), `"zz"`},
		{"nested, outer trailing", append(gz(gz(x)), "yy"...), `"yy"`},
		{"email base64 with CRLF", []byte("From: a@b\r\nContent-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			b64(append(gz(x), '\r', '\n'))), "2 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			check := func(path string, ws []Warning) {
				t.Helper()
				var got *Warning
				for i := range ws {
					if ws[i].Code == "report.gzip-trailing-data" {
						got = &ws[i]
					}
				}
				switch {
				case c.want == "" && got != nil:
					t.Errorf("%s: unexpected warning %v", path, got)
				case c.want != "" && got == nil:
					t.Errorf("%s: no report.gzip-trailing-data warning in %v", path, ws)
				case got != nil && !strings.Contains(got.Message, c.want):
					t.Errorf("%s: warning %q, want it to contain %q", path, got.Message, c.want)
				}
			}
			a, err := Decode(bytes.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Records) != 1 {
				t.Fatalf("records %d", len(a.Records))
			}
			check("Decode", a.Warnings)
			st, err := (&Decoder{}).Stream(bytes.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			for _, err := range st.All() {
				if err != nil {
					t.Fatal(err)
				}
			}
			check("Stream", st.Header().Warnings)
		})
	}
}

// TestLimitsNamed: every limit, exceeded, gives a *DecodeError of kind
// ErrLimit whose message names the Decoder field and its value, so an
// operator knows which knob to turn. Includes a zip bomb (the member
// inflates past MaxDocumentSize while the archive is small).
func TestLimitsNamed(t *testing.T) {
	zipBomb := zipped(t, false, "r.xml", "<feedback><report_metadata><org_name>"+strings.Repeat("a", 256<<10))
	deep := strings.Replace(minimal, "<p>none</p>", strings.Repeat("<x>", 25)+strings.Repeat("</x>", 25)+"<p>none</p>", 1)
	email := []byte("From: a@b\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\n" +
		strings.Repeat("text ", 1000) + "\r\n--XX\r\nContent-Type: text/xml\r\n\r\n" + minimal + "\r\n--XX--\r\n")
	for _, c := range []struct {
		name, field string
		dec         Decoder
		in          []byte
	}{
		{"gzip bomb", "MaxDocumentSize", Decoder{MaxDocumentSize: 64 << 10},
			gz(append([]byte("<feedback>"), bytes.Repeat([]byte(" "), 256<<10)...))},
		{"zip bomb", "MaxDocumentSize", Decoder{MaxDocumentSize: 64 << 10}, zipBomb},
		{"gzip bomb, streaming", "MaxDocumentSize", Decoder{MaxDocumentSize: 64 << 10},
			gz(append([]byte(minimal[:strings.Index(minimal, "<record>")]), bytes.Repeat([]byte("<!-- -->"), 32<<10)...))},
		{"records", "MaxRecords", Decoder{MaxRecords: 3}, genBytes(10)},
		{"depth", "MaxDepth", Decoder{MaxDepth: 20}, []byte(deep)},
		{"element size", "MaxElementSize", Decoder{MaxElementSize: 1000},
			[]byte(replace("<org_name>Receiver", "<org_name>"+strings.Repeat("a", 5000)))},
		{"zip archive size", "MaxArchiveSize", Decoder{MaxArchiveSize: 100}, zipped(t, false, "r.xml", minimal)},
		// The zero Decoder's defaults (depth 32, element 1 MiB) are limits too.
		{"default depth", "MaxDepth", Decoder{},
			[]byte(strings.Replace(minimal, "<p>none</p>", strings.Repeat("<x>", 40)+strings.Repeat("</x>", 40)+"<p>none</p>", 1))},
		{"default element size", "MaxElementSize", Decoder{},
			[]byte(replace("<org_name>Receiver", "<org_name>"+strings.Repeat("a", 1<<20+1)))},
		{"email size", "MaxArchiveSize", Decoder{MaxArchiveSize: 1000}, email},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.dec.Decode(bytes.NewReader(c.in))
			if err == nil && strings.Contains(c.name, "streaming") {
				t.Fatal("no error")
			}
			if c.name == "gzip bomb, streaming" {
				st, serr := c.dec.Stream(bytes.NewReader(c.in))
				if serr == nil {
					for _, e := range st.All() {
						if e != nil {
							serr = e
						}
					}
					st.Close()
				}
				err = serr
			}
			var de *DecodeError
			if !errors.Is(err, ErrLimit) || !errors.As(err, &de) {
				t.Fatalf("got %v (%T), want a *DecodeError wrapping ErrLimit", err, err)
			}
			if !strings.Contains(err.Error(), "Decoder."+c.field) {
				t.Errorf("error %q does not name Decoder.%s", err, c.field)
			}
		})
	}
}

// xmllintValidate validates doc with xmllint against the RFC 9990 schema
// (verbatim) or the repaired RFC 7489 one; it skips when xmllint or the
// schemas are absent.
func xmllintValidate(t *testing.T, s Schema, doc []byte) error {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		shared.Skip(t, "xmllint not installed (apt-get install libxml2-utils)")
	}
	xsd := filepath.Join(sharedDir(t, "schemas"), "dmarc-aggregate-2.0.xsd")
	if s == SchemaRFC7489 {
		xsd = filepath.Join(sharedDir(t, "schemas"), "derived", "dmarc-rfc7489.nonamespace.xsd")
	}
	f := filepath.Join(t.TempDir(), "r.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", xsd, f).CombinedOutput()
	// xmllint reports namespace errors (an undeclared prefix, xmlns:p="")
	// but may still say "validates"; they count as failures.
	if err != nil || !strings.Contains(string(out), " validates") || strings.Contains(string(out), "error") {
		return errors.New(string(out))
	}
	return nil
}

// elementOrder returns the local names of the children of the first
// element called parent in doc, in document order.
func elementOrder(t *testing.T, doc []byte, parent string) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	var out []string
	depth, in := 0, -1
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if in < 0 && tok.Name.Local == parent {
				in = depth
			} else if in >= 0 && depth == in+1 {
				out = append(out, tok.Name.Local)
			}
		case xml.EndElement:
			if depth == in {
				return out
			}
			depth--
		}
	}
}

// fullSample is a report that uses every element RFC 9990 defines.
func fullSample() *Aggregate {
	a := builtSample()
	a.Version = "1.0"
	a.Metadata.ExtraContactInfo = "https://receiver.example/dmarc"
	a.Metadata.Errors = []string{"bad rua URI"}
	a.Metadata.Generator = "domainauth/report"
	a.Policy.SP, a.Policy.FO, a.Policy.ADKIM, a.Policy.ASPF = DispositionQuarantine, "1", AlignmentStrict, AlignmentRelaxed
	a.Policy.DiscoveryMethod = DiscoveryMethodTreeWalk
	a.Namespaces = []NamespaceDecl{{Prefix: "ext", URI: "urn:example:arc"}}
	a.Extension = "<ext:arc-override>never</ext:arc-override>"
	a.Records[0].Identifiers.EnvelopeTo = "example.net"
	a.Records[0].Extensions = []string{"<ext:arc-results>pass</ext:arc-results>"}
	a.Records[0].AuthResults.SPF[0].HumanResult = "sender is authorized"
	a.Records[0].AuthResults.DKIM[0].HumanResult = "good signature"
	return a
}

// TestRFCElementOrder: RFC 9990 §3.1.1.2, §3.1.1.7, §3.1.1.9 and
// §3.1.1.11: "The elements in this table MUST appear in the order
// listed"; §3.1.1.3: the report_metadata elements in the table's order;
// one policy_published (§3.1, §3.1.2: one policy domain per report).
func TestRFCElementOrder(t *testing.T) {
	doc, err := (&Encoder{}).Marshal(fullSample())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		parent string
		want   []string
	}{
		{"feedback", []string{"version", "report_metadata", "policy_published", "extension", "record", "record"}},
		{"report_metadata", []string{"org_name", "email", "extra_contact_info", "report_id", "date_range", "error", "generator"}},
		{"date_range", []string{"begin", "end"}},
		{"record", []string{"row", "identifiers", "auth_results", "arc-results"}},
		{"row", []string{"source_ip", "count", "policy_evaluated"}},
		{"policy_evaluated", []string{"disposition", "dkim", "spf"}},
		{"identifiers", []string{"header_from", "envelope_from", "envelope_to"}},
		{"auth_results", []string{"dkim", "dkim", "spf"}},
	} {
		if got := elementOrder(t, doc, c.parent); strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("<%s> children %v, want %v", c.parent, got, c.want)
		}
	}
	if err := xmllintValidate(t, SchemaRFC9990, doc); err != nil {
		t.Errorf("full sample does not validate: %v\n%s", err, doc)
	}
	if n := bytes.Count(doc, []byte("<policy_published>")); n != 1 {
		t.Errorf("%d policy_published elements", n)
	}
}

// TestRFCVersion: RFC 9990 §3.1.1.2: version "MUST have the value 1.0";
// RFC 7489 Appendix C requires <version> (xs:decimal).
func TestRFCVersion(t *testing.T) {
	for _, c := range []struct {
		schema    Schema
		in, want  string
		validates bool
	}{
		{SchemaRFC9990, "", "", true},
		{SchemaRFC9990, "1.0", "1.0", true},
		{SchemaRFC9990, "2.0", "1.0", true},
		{SchemaRFC9990, "1", "1.0", true},
		{SchemaRFC9990, "bogus", "", true},
		{SchemaRFC7489, "", "1.0", true},
		{SchemaRFC7489, "1.0", "1.0", true},
	} {
		a := builtSample()
		a.Version = c.in
		enc := &Encoder{Schema: c.schema}
		doc, err := enc.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(bytes.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != c.want {
			t.Errorf("%v version %q: wrote %q, want %q", c.schema, c.in, got.Version, c.want)
		}
		if err := xmllintValidate(t, c.schema, doc); err != nil {
			t.Errorf("%v version %q: %v", c.schema, c.in, err)
		}
	}
}

// TestRFCDateRange: RFC 9990 §3.1.1.4: begin and end are seconds since
// the epoch, the period in UTC; whatever the location and precision of the
// time.Time values.
func TestRFCDateRange(t *testing.T) {
	a := builtSample()
	loc := time.FixedZone("UTC+5", 5*3600)
	a.Metadata.DateRange = DateRange{Begin: time.Date(2024, 3, 27, 5, 0, 0, 999, loc), End: time.Date(2024, 3, 28, 4, 59, 59, 5e8, loc)}
	doc, err := (&Encoder{}).Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, []byte("<begin>1711497600</begin>")) || !bytes.Contains(doc, []byte("<end>1711583999</end>")) {
		t.Errorf("date range not in epoch seconds:\n%s", doc)
	}
	got, err := Decode(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if b := got.Metadata.DateRange.Begin; b.Location() != time.UTC || b.Unix() != 1711497600 {
		t.Errorf("begin decoded as %v", b)
	}
}

// TestRFCExtensions: RFC 9990 §3.1.1.6, §3.1.1.7 and §5: extension
// elements "MUST be namespaced" and "MUST contain a URI to the definition
// of the extension" (a namespace declared in the root element or on the
// element). The encoder drops those that are not, so that the output is
// namespace-well-formed and valid; decode(encode(x)) keeps those that are.
func TestRFCExtensions(t *testing.T) {
	for _, c := range []struct {
		name, ext string
		kept      bool
	}{
		{"declared in the root", "<ext:arc>pass</ext:arc>", true},
		{"declared on the element", `<q:arc xmlns:q="urn:example:q">pass</q:arc>`, true},
		{"default namespace of its own", `<arc xmlns="urn:example:q"><x>1</x></arc>`, true},
		{"unprefixed: in the report's namespace", "<arc>pass</arc>", false},
		{"report namespace explicitly", `<q:arc xmlns:q="urn:ietf:params:xml:ns:dmarc-2.0">x</q:arc>`, false},
		{"undeclared prefix", "<zz:arc>pass</zz:arc>", false},
		{"undeclared prefix inside", "<ext:arc><zz:x/></ext:arc>", false},
		{"undeclared attribute prefix", `<ext:arc zz:a="1"/>`, false},
		{"not well-formed", "<ext:arc>", false},
		{"prefix bound to the empty name", `<ext:arc><q:x xmlns:q=""/></ext:arc>`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := builtSample()
			// xmlns:p="" is a namespace error: the declaration is dropped.
			a.Namespaces = []NamespaceDecl{{Prefix: "ext", URI: "urn:example:arc"}, {Prefix: "p"}}
			a.Extension = c.ext
			a.Records[0].Extensions = []string{c.ext}
			enc := &Encoder{}
			n := enc.Normalize(a)
			if len(n.Namespaces) != 1 {
				t.Errorf("namespace declarations %v", n.Namespaces)
			}
			if kept := n.Extension != "" && len(n.Records[0].Extensions) == 1; kept != c.kept {
				t.Errorf("kept = %v, want %v", kept, c.kept)
			}
			doc, err := enc.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			if err := xmllintValidate(t, SchemaRFC9990, doc); err != nil {
				t.Errorf("output does not validate: %v\n%s", err, doc)
			}
			got, err := Decode(bytes.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmpDiff(n, got); d != "" {
				t.Errorf("decode(encode(x)) != Normalize(x):\n%s", d)
			}
		})
	}
}

// TestRFCDecodeExtensions: RFC 9990 §3.2: the absence or existence of
// extensions "SHOULD NOT create an error"; §5: a processor unable to handle
// an extension "SHOULD ignore the data and continue". The §5 example,
// at file and record level, decodes without error and without warnings,
// the extensions kept raw.
func TestRFCDecodeExtensions(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0" xmlns:ext="urn:example:ext">
  <report_metadata><org_name>r</org_name><email>a@r.example</email><report_id>1</report_id>
    <date_range><begin>1700000000</begin><end>1700086399</end></date_range></report_metadata>
  <policy_published><domain>example.com</domain><p>quarantine</p><sp>none</sp><testing>n</testing></policy_published>
  <extension><ext:arc-override>never</ext:arc-override></extension>
  <record>
    <row><source_ip>192.0.2.1</source_ip><count>1</count>
      <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>
    <identifiers><header_from>example.com</header_from></identifiers>
    <auth_results><spf><domain>example.com</domain><result>pass</result></spf></auth_results>
    <ext:arc-results><ext:chain>pass</ext:chain></ext:arc-results>
  </record>
</feedback>`
	a, err := Decode(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Warnings) != 0 {
		t.Errorf("warnings: %v", a.Warnings)
	}
	if a.Extension != "<ext:arc-override>never</ext:arc-override>" ||
		len(a.Records) != 1 || len(a.Records[0].Extensions) != 1 || a.Records[0].Extensions[0] != "<ext:arc-results><ext:chain>pass</ext:chain></ext:arc-results>" {
		t.Errorf("extensions not kept: %q %q", a.Extension, a.Records[0].Extensions)
	}
	if a.Policy.Testing != TestingNo || a.Records[0].AuthResults.SPF[0].Result != SPFResultPass {
		t.Errorf("data around the extensions lost: %+v", a)
	}
}

// TestRFCEncodedValues: the vocabularies RFC 9990 fixes. §3.1.1.12 and
// §3.1.1.13: DKIM and SPF results are lower-case RFC 8601 values; DKIM
// selector is required; "the only valid value for the scope element is
// mfrom", at most one <spf>; §3.1.6: the reason type "MUST have one of the
// pre-defined values" (others become other, the value kept in the comment);
// RFC 7489 Appendix C: SPF scope and at least one <spf> required.
func TestRFCEncodedValues(t *testing.T) {
	a := builtSample()
	r := &a.Records[0]
	r.AuthResults.DKIM = []DKIMAuthResult{{Domain: "example.com", Result: "Pass"}, {Domain: "x.example", Selector: "s", Result: "hardfail"}}
	r.AuthResults.SPF = []SPFAuthResult{{Domain: "example.com", Scope: SPFScopeHELO, Result: "Pass"},
		{Domain: "bounce.example.com", Scope: "MFROM", Result: "softfail"}, {Domain: "x", Result: SPFResultPass}}
	r.Row.PolicyEvaluated.Reasons = []PolicyOverrideReason{{Type: "arc_override"}, {Type: OverrideTypeMailingList}}
	for _, c := range []struct {
		schema Schema
		want   []string
		not    []string
	}{
		{SchemaRFC9990, []string{"<result>pass</result>", "<selector></selector>", "<result>fail</result>",
			"<domain>bounce.example.com</domain>\n        <scope>mfrom</scope>\n        <result>softfail</result>",
			"<type>other</type>\n          <comment>arc_override</comment>", "<type>mailing_list</type>"},
			[]string{"helo", "Pass", "arc_override</type>", "<domain>x</domain>"}},
		{SchemaRFC7489, []string{"<scope>helo</scope>", "<scope>mfrom</scope>", "<type>other</type>"}, []string{"Pass"}},
	} {
		doc, err := (&Encoder{Schema: c.schema}).Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !bytes.Contains(doc, []byte(w)) {
				t.Errorf("%v: no %q in\n%s", c.schema, w, doc)
			}
		}
		for _, w := range c.not {
			if bytes.Contains(doc, []byte(w)) {
				t.Errorf("%v: %q in\n%s", c.schema, w, doc)
			}
		}
		if c.schema == SchemaRFC9990 {
			if n := len(elementOrder(t, doc, "auth_results")); n != 3 {
				t.Errorf("%v: auth_results has %d children, want 2 dkim + 1 spf", c.schema, n)
			}
		}
		if err := xmllintValidate(t, c.schema, doc); err != nil {
			t.Errorf("%v: %v", c.schema, err)
		}
	}
}

// TestRFCBuilder: what RFC 9990 asks of the generator that the Builder
// controls. §3.1.1.7: one record per (IP, result, identifiers) tuple;
// §3.1.1.9: the reason elements are kept (a receiver that overrode the
// policy passes them), and dkim/spf are the DMARC-aligned verdicts, not
// the raw results; §3.1.1.11: every DKIM result attempted is included;
// §3.1.3: at most 100 signatures per row, in decreasing priority.
func TestRFCBuilder(t *testing.T) {
	ip := netip.MustParseAddr("192.0.2.7")
	b := &Builder{Policy: PolicyPublished{Domain: "example.com", P: DispositionReject}}
	var sigs []DKIMAuthResult
	for i := range 150 {
		sigs = append(sigs, DKIMAuthResult{Domain: "other" + itoa(int64(i)) + ".example", Selector: "s", Result: DKIMResultFail})
	}
	sigs = append(sigs,
		DKIMAuthResult{Domain: "esp.example", Selector: "s", Result: DKIMResultPass},
		DKIMAuthResult{Domain: "mail.example.com", Selector: "s", Result: DKIMResultPass},
		DKIMAuthResult{Domain: "example.com", Selector: "s", Result: DKIMResultPass})
	b.Add(Evaluation{SourceIP: ip, HeaderFrom: "Example.COM", Disposition: DispositionNone, DKIM: DMARCResultPass, SPF: DMARCResultFail, DKIMResults: sigs})
	// A raw SPF pass for an unaligned domain stays an aligned-SPF fail.
	override := Evaluation{SourceIP: ip, HeaderFrom: "example.com", Disposition: DispositionNone, DKIM: DMARCResultFail, SPF: DMARCResultFail,
		SPFResults: []SPFAuthResult{{Domain: "bounce.esp.example", Scope: SPFScopeMFrom, Result: SPFResultPass}},
		Reasons:    []PolicyOverrideReason{{Type: OverrideTypeMailingList, Comment: "list"}}}
	b.Add(override)
	b.Add(override)
	withoutReason := override
	withoutReason.Reasons = nil
	b.Add(withoutReason)
	a := b.Aggregate()
	if len(a.Records) != 3 {
		t.Fatalf("%d records, want 3", len(a.Records))
	}
	d := a.Records[0].AuthResults.DKIM
	if len(d) != 100 {
		t.Errorf("%d DKIM results, want 100", len(d))
	}
	if len(d) >= 3 && (d[0].Domain != "example.com" || d[1].Domain != "mail.example.com" || d[2].Domain != "esp.example") {
		t.Errorf("priority order: %v %v %v", d[0], d[1], d[2])
	}
	r := a.Records[1]
	if r.Row.Count != 2 || len(r.Row.PolicyEvaluated.Reasons) != 1 || r.Row.PolicyEvaluated.SPF != DMARCResultFail ||
		r.AuthResults.SPF[0].Result != SPFResultPass || a.Records[2].Row.Count != 1 {
		t.Errorf("records: %+v / %+v", r, a.Records[2])
	}
	unlimited := &Builder{MaxDKIMResults: -1}
	unlimited.Add(Evaluation{SourceIP: ip, HeaderFrom: "example.com", DKIMResults: sigs})
	if n := len(unlimited.Aggregate().Records[0].AuthResults.DKIM); n != len(sigs) {
		t.Errorf("MaxDKIMResults -1 kept %d of %d", n, len(sigs))
	}
}

var (
	// RFC 6376 domain-name (as RFC 9990 §3.5.2 imports it).
	abnfDomain = `[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+`
	// RFC 9990 §3.5.2 filename.
	abnfFilename = regexp.MustCompile(`^` + abnfDomain + `!` + abnfDomain + `![0-9]+![0-9]+(?:![A-Za-z0-9]+)?\.(?:xml|xml\.gz)$`)
	// RFC 9990 §3.5.1 ridtxt (dot-atom-text from RFC 5322).
	abnfAtom   = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
	abnfDotAt  = abnfAtom + `(?:\.` + abnfAtom + `)*`
	abnfRidfmt = abnfDotAt + `(?:@` + abnfDotAt + `)?`
	// RFC 9990 §3.5.2 dmarc-subject, after unfolding (FWS as WSP). The
	// grammar requires 1*FWS after the submitter even without a
	// Report-ID; Subject omits that trailing white space (see the table).
	abnfSubject = regexp.MustCompile(`^Report[ \t]+Domain:[ \t]+` + abnfDomain + `[ \t]+Submitter:[ \t]+` + abnfDomain +
		`(?:[ \t]+Report-ID:[ \t]+(?:<` + abnfRidfmt + `>|` + abnfRidfmt + `))?$`)
)

// TestRFCFilename: RFC 9990 §3.5.2 (RFC 7489 §7.2.1.1): the attachment
// file name "MUST be constructed using the following ABNF", the extension
// "MUST be xml ... or xml.gz"; a re-sent report "MUST use the same
// filename" (the name depends only on its inputs); §3.1.4: the unique-id
// is used as given.
func TestRFCFilename(t *testing.T) {
	for _, c := range []struct {
		name, receiver, domain, uid string
		begin, end                  int64
		comp                        Compression
		want                        string
	}{
		{"RFC example", "mail.receiver.example", "example.com", "", 1013662812, 1013749130, CompressionGzip,
			"mail.receiver.example!example.com!1013662812!1013749130.xml.gz"},
		{"plain, unique id", "mail.receiver.example", "example.com", "abc123", 1013662812, 1013749130, CompressionNone,
			"mail.receiver.example!example.com!1013662812!1013749130!abc123.xml"},
		{"unique id: only ALPHA / DIGIT", "r.example", "example.com", "5f1c-9a_2!", 0, 86399, CompressionGzip,
			"r.example!example.com!0!86399!5f1c9a2.xml.gz"},
		{"U-labels become A-labels, lower case", "Empfänger.Example", "BÜCHER.example", "", 1, 2, CompressionGzip,
			"xn--empfnger-3za.example!xn--bcher-kva.example!1!2.xml.gz"},
		{"trailing dots", "r.example.", "example.com.", "", 1, 2, CompressionNone, "r.example!example.com!1!2.xml"},
		{"no '!' or '/' from a broken domain", "r.example", "ex!am/ple.com", "", 1, 2, CompressionNone, "r.example!example.com!1!2.xml"},
		{"before the epoch: 1*DIGIT", "r.example", "example.com", "", -86400, -1, CompressionNone, "r.example!example.com!0!0.xml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := &Aggregate{Policy: PolicyPublished{Domain: c.domain},
				Metadata: Metadata{DateRange: DateRange{Begin: time.Unix(c.begin, 0), End: time.Unix(c.end, 0)}}}
			got := Filename(a, c.receiver, c.uid, c.comp)
			if got != c.want {
				t.Errorf("Filename = %q, want %q", got, c.want)
			}
			if !abnfFilename.MatchString(got) {
				t.Errorf("%q does not match the ABNF", got)
			}
			if again := Filename(a, c.receiver, c.uid, c.comp); again != got {
				t.Errorf("not deterministic: %q then %q", got, again)
			}
		})
	}
}

// TestRFCSubject: RFC 9990 §3.5.2: the Subject "MUST conform to the
// following ABNF" (RFC 7489 §7.2.1.1: SHOULD, with a msg-id); §3.1.4:
// its Report-ID is identical to <report_id>.
func TestRFCSubject(t *testing.T) {
	for _, c := range []struct {
		name, domain, receiver, rid, want string
	}{
		{"RFC example", "example.com", "mail.receiver.example", "sample-ridtxt@example.com",
			"Report Domain: example.com Submitter: mail.receiver.example Report-ID: <sample-ridtxt@example.com>"},
		{"RFC 7489 example id", "example.com", "mail.receiver.example", "2002.02.15.1",
			"Report Domain: example.com Submitter: mail.receiver.example Report-ID: <2002.02.15.1>"},
		{"id already in brackets", "example.com", "r.example", "<1721054318-example.com@example.org>",
			"Report Domain: example.com Submitter: r.example Report-ID: <1721054318-example.com@example.org>"},
		{"id outside ridtxt: Report-ID omitted", "example.com", "r.example", "2024-03-27 example.com",
			"Report Domain: example.com Submitter: r.example"},
		{"empty id", "example.com", "r.example", "", "Report Domain: example.com Submitter: r.example"},
		{"id too long for one header line (RFC 5322 §2.1.1)", "example.com", "r.example", strings.Repeat("a", 1000),
			"Report Domain: example.com Submitter: r.example"},
		{"IDN domains as A-labels", "bücher.example", "Empfänger.example", "1",
			"Report Domain: xn--bcher-kva.example Submitter: xn--empfnger-3za.example Report-ID: <1>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := &Aggregate{Policy: PolicyPublished{Domain: c.domain}, Metadata: Metadata{ReportID: c.rid}}
			got := Subject(a, c.receiver)
			if got != c.want {
				t.Errorf("Subject = %q, want %q", got, c.want)
			}
			if !abnfSubject.MatchString(got) {
				t.Errorf("%q does not match the ABNF", got)
			}
		})
	}
}

// TestRFCEmail: RFC 9990 §3.5.2 (RFC 7489 §7.2.1.1): the message "MUST be
// a [RFC 5322] message formatted per [RFC 2045]"; the report "MUST be
// included in one of the parts of the message, as an attachment", the XML
// SHOULD be gzip-compressed and "MUST be present using the media type
// application/gzip if compressed, and text/xml otherwise", named by the
// file name grammar; the Subject field (folded) conforms; §3.1.4: the
// Report-ID in the Subject and the report_id in the attachment are
// identical; the Message-ID may reuse the ridtxt.
func TestRFCEmail(t *testing.T) {
	for _, plain := range []bool{false, true} {
		a := builtSample()
		a.Metadata.ReportID = "1700000000-example.com"
		if plain {
			// Every line stays within 998 octets even for a huge ID
			// (no Report-ID in the Subject then, checked below).
			a.Metadata.ReportID = strings.Repeat("x", 2000)
		}
		var buf bytes.Buffer
		err := (&Encoder{}).EncodeEmail(&buf, a, Email{From: "dmarc@receiver.example", To: "rua@example.com",
			Receiver: "receiver.example", Date: time.Date(2023, 11, 16, 1, 0, 0, 0, time.UTC), Uncompressed: plain})
		if err != nil {
			t.Fatal(err)
		}
		raw := buf.Bytes()
		for i, line := range bytes.Split(raw, []byte("\r\n")) {
			if len(line) > 998 || bytes.ContainsAny(line, "\r\n") {
				t.Errorf("line %d: bare CR/LF or longer than 998 octets (RFC 5322 §2.1.1)", i+1)
			}
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		h := msg.Header
		for _, f := range []string{"From", "To", "Date", "Subject", "Message-ID", "MIME-Version"} {
			if h.Get(f) == "" {
				t.Errorf("no %s field", f)
			}
		}
		if _, err := h.Date(); err != nil {
			t.Errorf("Date: %v", err)
		}
		subj := strings.NewReplacer("\r\n", "").Replace(h.Get("Subject"))
		if !abnfSubject.MatchString(subj) {
			t.Errorf("Subject %q", subj)
		}
		if !plain {
			if h.Get("Message-ID") != "<1700000000-example.com@receiver.example>" { // the ridtxt reused
				t.Errorf("Message-ID %q", h.Get("Message-ID"))
			}
			if !strings.HasSuffix(subj, "Report-ID: <"+a.Metadata.ReportID+">") {
				t.Errorf("Subject %q has not the report_id", subj)
			}
		}
		mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
		if err != nil || mt != "multipart/mixed" {
			t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
		}
		mr := multipart.NewReader(msg.Body, params["boundary"])
		var found int
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			if pt == "text/plain" {
				continue
			}
			found++
			wantType, wantName := "application/gzip", Filename(a, "receiver.example", "", CompressionGzip)
			if plain {
				wantType, wantName = "text/xml", Filename(a, "receiver.example", "", CompressionNone)
			}
			disp, dp, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
			if pt != wantType || disp != "attachment" || dp["filename"] != wantName || pp["name"] != wantName {
				t.Errorf("attachment %s %v, %s %v; want %s named %s", pt, pp, disp, dp, wantType, wantName)
			}
			if !abnfFilename.MatchString(dp["filename"]) {
				t.Errorf("file name %q does not match the ABNF", dp["filename"])
			}
			body, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
			if err != nil {
				t.Fatal(err)
			}
			if !plain {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatalf("attachment is not gzip: %v", err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if err := xmllintValidate(t, SchemaRFC9990, body); err != nil {
				t.Errorf("attachment: %v", err)
			}
			got, err := Decode(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if got.Metadata.ReportID != a.Metadata.ReportID {
				t.Errorf("report_id %q, Subject Report-ID %q", got.Metadata.ReportID, a.Metadata.ReportID)
			}
		}
		if found != 1 {
			t.Errorf("%d report attachments, want 1", found)
		}
	}
	for _, c := range []struct {
		name string
		m    Email
		a    *Aggregate
	}{
		{"no receiver", Email{}, builtSample()},
		{"no policy domain", Email{Receiver: "r.example"}, &Aggregate{Records: builtSample().Records}},
	} {
		if err := (&Encoder{}).EncodeEmail(io.Discard, c.a, c.m); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// TestRFCNullReversePath: RFC 9990 §3.1.1.10: envelope_from "MAY be
// existing but empty if the message had a null reverse-path": read without
// error, written back as an empty element.
func TestRFCNullReversePath(t *testing.T) {
	a := mustDecode(t, replace("<header_from>example.com</header_from>",
		"<header_from>example.com</header_from><envelope_from></envelope_from>"))
	if got := a.Records[0].Identifiers.EnvelopeFrom; got != "" {
		t.Errorf("envelope_from %q", got)
	}
	doc, err := (&Encoder{Schema: SchemaRFC7489}).Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, []byte("<envelope_from></envelope_from>")) {
		t.Errorf("RFC 7489 requires <envelope_from>; none written:\n%s", doc)
	}
}

func cmpDiff(want, got *Aggregate) string { return cmp.Diff(want, got, cmpOpts) }

// TestRFCBuilderReason: RFC 9990 §3.1.1.9: "If alignment fails and the
// policy applied does not match the DMARC Policy Domain's configured
// policy, the reason element MUST be included." The Builder supplies one
// when the evaluation has none.
func TestRFCBuilderReason(t *testing.T) {
	pct50 := 50
	for _, c := range []struct {
		name       string
		policy     PolicyPublished
		headerFrom string
		ev         Evaluation
		want       []PolicyOverrideReason
	}{
		{"fail, policy applied", PolicyPublished{Domain: "example.com", P: DispositionReject}, "example.com",
			Evaluation{Disposition: DispositionReject, DKIM: DMARCResultFail, SPF: DMARCResultFail}, nil},
		{"pass, nothing to explain", PolicyPublished{Domain: "example.com", P: DispositionReject}, "example.com",
			Evaluation{Disposition: DispositionNone, DKIM: DMARCResultPass, SPF: DMARCResultFail}, nil},
		{"fail, overridden without reason", PolicyPublished{Domain: "example.com", P: DispositionReject}, "example.com",
			Evaluation{Disposition: DispositionNone, DKIM: DMARCResultFail, SPF: DMARCResultFail},
			[]PolicyOverrideReason{{Type: OverrideTypeOther, Comment: "disposition none differs from the published policy reject"}}},
		{"caller's reason kept", PolicyPublished{Domain: "example.com", P: DispositionReject}, "example.com",
			Evaluation{Disposition: DispositionNone, DKIM: DMARCResultFail, SPF: DMARCResultFail, Reasons: []PolicyOverrideReason{{Type: OverrideTypeMailingList}}},
			[]PolicyOverrideReason{{Type: OverrideTypeMailingList}}},
		{"t=y", PolicyPublished{Domain: "example.com", P: DispositionReject, Testing: TestingYes}, "example.com",
			Evaluation{Disposition: DispositionQuarantine, DKIM: DMARCResultFail, SPF: DMARCResultFail},
			[]PolicyOverrideReason{{Type: OverrideTypePolicyTestMode}}},
		{"pct=50", PolicyPublished{Domain: "example.com", P: DispositionReject, PCT: &pct50}, "example.com",
			Evaluation{Disposition: DispositionNone, DKIM: DMARCResultFail, SPF: DMARCResultFail},
			[]PolicyOverrideReason{{Type: OverrideTypeSampledOut}}},
		{"subdomain follows sp", PolicyPublished{Domain: "example.com", P: DispositionReject, SP: DispositionNone}, "a.example.com",
			Evaluation{Disposition: DispositionNone, DKIM: DMARCResultFail, SPF: DMARCResultFail}, nil},
		{"subdomain may follow np", PolicyPublished{Domain: "example.com", P: DispositionNone, NP: DispositionReject}, "nx.example.com",
			Evaluation{Disposition: DispositionReject, DKIM: DMARCResultFail, SPF: DMARCResultFail}, nil},
		{"subdomain, sp not applied", PolicyPublished{Domain: "example.com", P: DispositionNone, SP: DispositionReject}, "a.example.com",
			Evaluation{Disposition: DispositionNone, DKIM: DMARCResultFail, SPF: DMARCResultFail},
			[]PolicyOverrideReason{{Type: OverrideTypeOther, Comment: "disposition none differs from the published policy reject"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := &Builder{Policy: c.policy}
			ev := c.ev
			ev.SourceIP, ev.HeaderFrom = netip.MustParseAddr("192.0.2.1"), c.headerFrom
			b.Add(ev)
			got := b.Aggregate().Records[0].Row.PolicyEvaluated.Reasons
			if d := cmp.Diff(c.want, got, cmpOpts); d != "" {
				t.Errorf("reasons (-want +got):\n%s", d)
			}
		})
	}
}

// TestRoundTripRebuilt: the issue asks decode(encode(x)) == x for reports
// built from every sample; TestRoundTrip covers the decoded samples, this
// covers the same samples passed through the Builder as a receiver would
// build them (x normalized: encoding it is then lossless).
func TestRoundTripRebuilt(t *testing.T) {
	for name, a := range samples(t) {
		for _, s := range []Schema{SchemaRFC9990, SchemaRFC7489} {
			enc := &Encoder{Schema: s}
			x := enc.Normalize(rebuild(a))
			b, err := enc.Marshal(x)
			if err != nil {
				t.Fatalf("%s %v: %v", name, s, err)
			}
			got, err := Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s %v: %v", name, s, err)
			}
			if d := cmpDiff(x, got); d != "" {
				t.Errorf("%s %v: decode(encode(x)) != x (-x +decoded):\n%s", name, s, d)
			}
		}
	}
}
