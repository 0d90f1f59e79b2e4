package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"
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
	zipBomb := zipped(t, false, "r.xml", "<feedback><report_metadata><org_name>"+strings.Repeat("a", 4<<20))
	deep := strings.Replace(minimal, "<p>none</p>", strings.Repeat("<x>", 25)+strings.Repeat("</x>", 25)+"<p>none</p>", 1)
	email := []byte("From: a@b\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\n" +
		strings.Repeat("text ", 1000) + "\r\n--XX\r\nContent-Type: text/xml\r\n\r\n" + minimal + "\r\n--XX--\r\n")
	for _, c := range []struct {
		name, field string
		dec         Decoder
		in          []byte
	}{
		{"gzip bomb", "MaxDocumentSize", Decoder{MaxDocumentSize: 1 << 20},
			gz(append([]byte("<feedback>"), bytes.Repeat([]byte(" "), 4<<20)...))},
		{"zip bomb", "MaxDocumentSize", Decoder{MaxDocumentSize: 1 << 20}, zipBomb},
		{"gzip bomb, streaming", "MaxDocumentSize", Decoder{MaxDocumentSize: 1 << 20},
			gz(append([]byte(minimal[:strings.Index(minimal, "<record>")]), bytes.Repeat([]byte("<!-- -->"), 1<<19)...))},
		{"records", "MaxRecords", Decoder{MaxRecords: 3}, genBytes(10)},
		{"depth", "MaxDepth", Decoder{MaxDepth: 20}, []byte(deep)},
		{"element size", "MaxElementSize", Decoder{MaxElementSize: 1000},
			[]byte(replace("<org_name>Receiver", "<org_name>"+strings.Repeat("a", 5000)))},
		{"zip archive size", "MaxArchiveSize", Decoder{MaxArchiveSize: 100}, zipped(t, false, "r.xml", minimal)},
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
