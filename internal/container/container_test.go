package container

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

var jsonFormat = &Format{
	Name:       "JSON",
	Prefix:     "test",
	Start:      func(b []byte) bool { return b[0] == '{' },
	MediaTypes: map[string]bool{"application/tlsrpt+gzip": true, "application/tlsrpt+json": true},
	Extensions: []string{".json", ".gz"},
	Member:     func(n string) bool { return strings.HasSuffix(n, ".json") },
	MemberWhat: ".json",
}

var defaults = Limits{Archive: 64 << 20, Entries: 16, Parts: 100}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zipped(names ...string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, _ := w.Create(n)
		f.Write([]byte(`{"a":1}`))
	}
	w.Close()
	return buf.Bytes()
}

func email(ct string, body []byte) []byte {
	return []byte("From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: " + ct +
		"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(body) + "\r\n--b--\r\n")
}

func TestOpen(t *testing.T) {
	doc := []byte(`{"a":1}`)
	tests := []struct {
		name  string
		in    []byte
		lim   Limits
		chain string
		warn  string
		kind  error
		limit string
	}{
		{name: "plain", in: doc},
		{name: "bom and space", in: append([]byte("\xEF\xBB\xBF \n"), doc...)},
		{name: "gzip", in: gz(doc), chain: "gzip"},
		{name: "nested gzip", in: gz(gz(doc)), chain: "gzip/gzip", warn: "test.nested-gzip"},
		{name: "zip", in: zipped("r.json"), chain: "zip"},
		{name: "zip two members", in: zipped("r.json", "readme.txt"), chain: "zip", warn: "test.zip-extra-members"},
		{name: "zip two json", in: zipped("a.json", "b.json"), kind: ErrNotReport},
		{name: "email gzip", in: email("application/tlsrpt+gzip", gz(doc)), chain: "email/gzip"},
		{name: "email json", in: email("application/tlsrpt+json", doc), chain: "email"},
		{name: "email no report", in: email("image/png", doc), kind: ErrNotReport},
		{name: "empty", in: nil, kind: ErrEmpty},
		{name: "white space", in: []byte("  \n"), kind: ErrEmpty},
		{name: "binary", in: []byte("\x00\x01\x02"), kind: ErrNotReport},
		{name: "bad gzip", in: []byte("\x1f\x8b\x00"), kind: ErrContainer},
		{name: "zip past Archive", in: zipped("r.json"), lim: Limits{Archive: 10, Entries: 16, Parts: 100}, kind: ErrLimit, limit: "MaxArchiveSize"},
		{name: "zip past Entries", in: zipped("a", "b", "c"), lim: Limits{Archive: 1 << 20, Entries: 2, Parts: 100}, kind: ErrLimit, limit: "MaxArchiveEntries"},
		{name: "email past Parts", in: email("image/png", doc), lim: Limits{Archive: 1 << 20, Entries: 16, Parts: 1}, kind: ErrLimit, limit: "MaxEmailParts"},
		{name: "email past Archive", in: email("image/png", doc), lim: Limits{Archive: 130, Entries: 16, Parts: 100}, kind: ErrLimit, limit: "MaxArchiveSize"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lim := tc.lim
			if lim == (Limits{}) {
				lim = defaults
			}
			o := &Opener{Limits: lim, Format: jsonFormat}
			defer o.Close()
			r, err := o.Open(bytes.NewReader(tc.in))
			if tc.kind != nil {
				var ce *Error
				if !errors.Is(err, tc.kind) || !errors.As(err, &ce) || ce.Limit != tc.limit {
					t.Fatalf("err %v, want %v (limit %q)", err, tc.kind, tc.limit)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(TrimSpace(got), doc) {
				t.Fatalf("got %q, %v", got, err)
			}
			if c := strings.Join(o.Chain(), "/"); c != tc.chain {
				t.Errorf("chain %q, want %q", c, tc.chain)
			}
			var codes []string
			for _, w := range o.Warnings() {
				codes = append(codes, w.Code)
			}
			if fmt.Sprint(codes) != fmt.Sprint(nonEmpty(tc.warn)) {
				t.Errorf("warnings %v, want %q", codes, tc.warn)
			}
			if _, err := o.Trailing(1 << 20); err != nil {
				t.Errorf("trailing: %v", err)
			}
		})
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// TestTrailingGzipData: bytes after a gzip member are reported, and a
// corrupt CRC is an ErrContainer error.
func TestTrailingGzipData(t *testing.T) {
	doc := []byte(`{"a":1}`)
	o := &Opener{Limits: defaults, Format: jsonFormat}
	r, err := o.Open(bytes.NewReader(append(gz(doc), "\r\n"...)))
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(r)
	ws, err := o.Trailing(1 << 20)
	if err != nil || len(ws) != 1 || ws[0].Code != "test.gzip-trailing-data" {
		t.Fatalf("%v %v", ws, err)
	}
	bad := gz(doc)
	bad[len(bad)-8] ^= 0xff // CRC-32
	o = &Opener{Limits: defaults, Format: jsonFormat}
	r, err = o.Open(bytes.NewReader(bad))
	if err == nil {
		_, err = io.ReadAll(r)
		if err == nil {
			_, err = o.Trailing(1 << 20)
		}
	}
	if err == nil {
		t.Fatal("corrupt CRC accepted")
	}
}

// TestProbeTriesNextPart: an email part the probe rejects with ErrNotReport
// is skipped for the next.
func TestProbeTriesNextPart(t *testing.T) {
	msg := "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: application/tlsrpt+json\r\n\r\n{\"no\":1}\r\n" +
		"--b\r\nContent-Type: application/tlsrpt+json\r\n\r\n{\"yes\":1}\r\n--b--\r\n"
	o := &Opener{Limits: defaults, Format: jsonFormat}
	var got string
	o.Probe = func(doc io.Reader) error {
		b, _ := io.ReadAll(doc)
		if bytes.Contains(b, []byte("no")) {
			return &Error{Kind: ErrNotReport, Msg: "not this one"}
		}
		got = string(TrimSpace(b))
		return nil
	}
	if _, err := o.Open(strings.NewReader(msg)); err != nil || !o.Found || got != `{"yes":1}` {
		t.Fatalf("found %v, got %q, err %v", o.Found, got, err)
	}
}

func TestLimitedReader(t *testing.T) {
	r := NewLimitedReader(strings.NewReader("12345"), 4, "document", "MaxDocumentSize")
	_, err := io.ReadAll(r)
	var le *LimitError
	if !errors.As(err, &le) || le.Field != "MaxDocumentSize" || le.Max != 4 {
		t.Fatalf("err %v", err)
	}
	r = NewLimitedReader(strings.NewReader("1234"), 4, "document", "MaxDocumentSize")
	if b, err := io.ReadAll(r); err != nil || string(b) != "1234" || r.Left() != 0 {
		t.Fatalf("%q %v", b, err)
	}
}
