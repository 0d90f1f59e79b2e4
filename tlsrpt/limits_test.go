package tlsrpt

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// policiesDoc is a report with n policies, each with details failure
// entries and strs mx-host entries.
func policiesDoc(n, details, strs int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"organization-name":"x","date-range":{"start-datetime":"2016-04-01T00:00:00Z","end-datetime":"2016-04-01T23:59:59Z"},"contact-info":"a@x.example","report-id":"1","policies":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"policy":{"policy-type":"sts","policy-domain":"x.example","mx-host":[`)
		for k := range strs {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"mx.x.example"`)
		}
		fmt.Fprintf(&b, `]},"summary":{"total-successful-session-count":1,"total-failure-session-count":%d},"failure-details":[`, details)
		for k := range details {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"result-type":"starttls-not-supported","failed-session-count":1}`)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func zipWith(entries int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range entries {
		name := "report.json"
		if i > 0 {
			name = fmt.Sprintf("readme%d.txt", i)
		}
		f, _ := zw.Create(name)
		f.Write([]byte(rfcExample))
	}
	zw.Close()
	return buf.Bytes()
}

func emailWithParts(parts int) []byte {
	var b strings.Builder
	b.WriteString("From: a@x.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for range parts {
		b.WriteString("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n")
	}
	b.WriteString("--b\r\nContent-Type: application/tlsrpt+json\r\n\r\n" + rfcExample + "\r\n--b--\r\n")
	return []byte(b.String())
}

// TestLimitsAtDefaults: each default bound is met exactly without an
// error and exceeded by one with ErrLimit naming the field.
func TestLimitsAtDefaults(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("builds inputs of tens of megabytes; CI runs it without -race")
	}
	bigDoc := func(n int) []byte {
		// rfcExample padded with white space to n bytes.
		return append([]byte(rfcExample), bytes.Repeat([]byte(" "), n-len(rfcExample))...)
	}
	type input func() []byte // built when run: inputs of tens of megabytes
	tests := []struct {
		name     string
		at, past input
		field    string
	}{
		{"MaxPolicies 10,000", func() []byte { return policiesDoc(10_000, 0, 0) }, func() []byte { return policiesDoc(10_001, 0, 0) }, "MaxPolicies"},
		{"MaxFailureDetails 100,000", func() []byte { return policiesDoc(10, 10_000, 0) }, func() []byte { return policiesDoc(1, 100_001, 0) }, "MaxFailureDetails"},
		{"MaxStrings 1,000", func() []byte { return policiesDoc(1, 0, 1_000) }, func() []byte { return policiesDoc(1, 0, 1_001) }, "MaxStrings"},
		{"MaxArchiveEntries 16", func() []byte { return zipWith(16) }, func() []byte { return zipWith(17) }, "MaxArchiveEntries"},
		{"MaxEmailParts 100", func() []byte { return emailWithParts(99) }, func() []byte { return emailWithParts(100) }, "MaxEmailParts"},
		{"MaxDocumentSize 32 MiB", func() []byte { return gzipped(bigDoc(32 << 20)) }, func() []byte { return gzipped(bigDoc(32<<20 + 1)) }, "MaxDocumentSize"},
		{"MaxArchiveSize 64 MiB (email)", func() []byte { return emailPadded(64 << 20) }, func() []byte { return emailPadded(64<<20 + 1) }, "MaxArchiveSize"},
		{"MaxArchiveSize 64 MiB (zip)", func() []byte { return zipPadded(64 << 20) }, func() []byte { return zipPadded(64<<20 + 1) }, "MaxArchiveSize"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(bytes.NewReader(tc.at())); err != nil {
				t.Fatalf("at the limit: %v", err)
			}
			_, err := Decode(bytes.NewReader(tc.past()))
			var de *DecodeError
			if !errors.Is(err, ErrLimit) || !errors.As(err, &de) || de.Limit != tc.field {
				t.Fatalf("past the limit: err %v, want ErrLimit on %s", err, tc.field)
			}
		})
	}
}

// zipPadded is a zip archive of exactly n bytes: the report and a stored
// padding member.
func zipPadded(n int) []byte {
	build := func(pad int) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		f, _ := zw.Create("report.json")
		f.Write([]byte(rfcExample))
		f, _ = zw.CreateHeader(&zip.FileHeader{Name: "padding.bin", Method: zip.Store})
		f.Write(make([]byte, pad))
		zw.Close()
		return buf.Bytes()
	}
	overhead := len(build(0))
	return build(n - overhead)
}

// emailPadded is a report email of exactly n bytes (padded in a text part).
func emailPadded(n int) []byte {
	head := "From: a@x.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/tlsrpt+json\r\n\r\n" + rfcExample + "\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
	tail := "\r\n--b--\r\n"
	pad := n - len(head) - len(tail)
	lines := bytes.Repeat([]byte(strings.Repeat("x", 998)+"\r\n"), pad/1000)
	lines = append(lines, bytes.Repeat([]byte("y"), pad-len(lines))...)
	return append(append([]byte(head), lines...), tail...)
}

// TestLimitsReduced: each limit is a Decoder field; a negative value
// removes it.
func TestLimitsReduced(t *testing.T) {
	doc := policiesDoc(3, 2, 2)
	tests := []struct {
		name  string
		dec   Decoder
		field string
	}{
		{"MaxPolicies", Decoder{MaxPolicies: 2}, "MaxPolicies"},
		{"MaxFailureDetails", Decoder{MaxFailureDetails: 5}, "MaxFailureDetails"},
		{"MaxStrings", Decoder{MaxStrings: 1}, "MaxStrings"},
		{"MaxDocumentSize", Decoder{MaxDocumentSize: int64(len(doc) - 1)}, "MaxDocumentSize"},
		{"no limits", Decoder{MaxPolicies: -1, MaxFailureDetails: -1, MaxStrings: -1, MaxDocumentSize: -1}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.dec.Decode(context.Background(), bytes.NewReader(doc))
			var de *DecodeError
			if tc.field == "" && err != nil || tc.field != "" && (!errors.As(err, &de) || de.Limit != tc.field) {
				t.Fatalf("err %v, want limit %q", err, tc.field)
			}
		})
	}
}
