package tlsrpt

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/google/go-cmp/cmp"
)

var addrCmp = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

// roundTrip checks Decode(Encode(r)) = Normalize(r), warnings aside.
func roundTrip(t testing.TB, r *Report, gz bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := Encode
	if gz {
		enc = EncodeGzip
	}
	if err := enc(&buf, r); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("decoding the encoding: %v\n%s", err, buf.Bytes())
	}
	got.Warnings = nil
	if d := cmp.Diff(Normalize(r), got, addrCmp); d != "" {
		t.Fatalf("Decode(Encode(x)) != Normalize(x) (-want +got)\n%s", d)
	}
	return buf.Bytes()
}

func TestEncodeRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		r    *Report
	}{
		{"empty", &Report{}},
		{"full", &Report{
			OrganizationName: "Sender Inc.", ContactInfo: "tls@sender.example", ReportID: "2026-12-03_x",
			DateRange: DateRange{time.Date(2026, 12, 3, 0, 0, 0, 0, time.FixedZone("x", 3600)), time.Date(2026, 12, 3, 23, 59, 59, 5, time.UTC)},
			Policies: []PolicyResult{{
				Policy:  Policy{Type: "STS", String: []string{"version: STSv1"}, Domain: "example.com", MXHost: []string{"mx: *.example.com"}},
				Summary: SessionCounts{1 << 63, 3},
				FailureDetails: []FailureDetail{{ResultType: "Certificate-Expired", SendingMTAIP: netip.MustParseAddr("192.0.2.1"),
					ReceivingMXHostname: "mx.example.com", ReceivingMXHelo: "mx", ReceivingIP: netip.MustParseAddr("2001:db8::1"),
					FailedSessionCount: 3, AdditionalInformation: "https://x.example/<a>&", FailureReasonCode: "bad \xff utf-8"}},
			}, {Policy: Policy{Type: PolicyTypeNoPolicyFound, Domain: "example.org"}, FailureDetails: []FailureDetail{}}},
		}},
		{"year out of range", &Report{DateRange: DateRange{Start: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			roundTrip(t, tc.r, false)
			roundTrip(t, tc.r, true)
		})
	}
}

// TestEncodeSamples: every shared sample survives a round trip.
func TestEncodeSamples(t *testing.T) {
	dir, oracle := loadOracle(t)
	for _, e := range oracle {
		b, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		r, err := Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, r, false)
	}
}

func TestFilename(t *testing.T) {
	r := &Report{DateRange: DateRange{time.Unix(1470013207, 0), time.Unix(1470186007, 0)}}
	// RFC 8460 §5.1's example.
	got := Filename(r, "mail.sndr.example.com", "example.net", "001", CompressionGzip)
	if want := "mail.sndr.example.com!example.net!1470013207!1470186007!001.json.gz"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	if got := Filename(r, "A!b", "x/y", "", CompressionNone); got != "ab!xy!1470013207!1470186007.json" {
		t.Fatalf("%q", got)
	}
}

// TestCompressionSharedWithReport guards that tlsrpt.Compression and
// report.Compression are one type (both alias internal/container's), so a
// caller writing both kinds passes the same value to both Filenames, and
// that the zero value is gzip for both.
func TestCompressionSharedWithReport(t *testing.T) {
	r := &Report{DateRange: DateRange{time.Unix(1, 0), time.Unix(2, 0)}}
	a := &report.Aggregate{}
	a.Policy.Domain = "example.net"
	a.Metadata.DateRange.Begin, a.Metadata.DateRange.End = time.Unix(1, 0), time.Unix(2, 0)
	tests := []struct {
		name      string
		c         report.Compression
		json, xml string
		str       string
	}{
		{"zero value", 0, "s.example!example.net!1!2.json.gz", "s.example!example.net!1!2.xml.gz", "gzip"},
		{"tlsrpt.CompressionNone", CompressionNone, "s.example!example.net!1!2.json", "s.example!example.net!1!2.xml", "none"},
		{"report.CompressionGzip", report.CompressionGzip, "s.example!example.net!1!2.json.gz", "s.example!example.net!1!2.xml.gz", "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Filename(r, "s.example", "example.net", "", tt.c); got != tt.json {
				t.Errorf("tlsrpt.Filename = %q, want %q", got, tt.json)
			}
			if got := report.Filename(a, "s.example", "", tt.c); got != tt.xml {
				t.Errorf("report.Filename = %q, want %q", got, tt.xml)
			}
			if got := tt.c.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
		})
	}
}

// TestFilenameIDNAUsesALabels guards that an internationalized domain is
// written as its A-labels (RFC 8460 §5.1's domain grammar is ASCII), not
// stripped of its non-ASCII letters.
func TestFilenameIDNAUsesALabels(t *testing.T) {
	r := &Report{DateRange: DateRange{time.Unix(1470013207, 0), time.Unix(1470186007, 0)}}
	got := Filename(r, "Bücher.example", "example.net", "", CompressionNone)
	if want := "xn--bcher-kva.example!example.net!1470013207!1470186007.json"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}
