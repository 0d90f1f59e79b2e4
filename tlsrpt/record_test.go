package tlsrpt

import (
	"context"
	"errors"
	"testing"

	"github.com/domainauth/domainauth/zone"
	"github.com/google/go-cmp/cmp"
)

func TestParseRecord(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Record
		err  error // ErrNotRecord, or nil for a *ParseError when want is nil
	}{
		{name: "§3.1.1 mailto", in: "v=TLSRPTv1;rua=mailto:reports@example.com",
			want: &Record{RUA: []string{"mailto:reports@example.com"}}},
		{name: "§3.1.2 https with space", in: "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt",
			want: &Record{RUA: []string{"https://reporting.example.com/v1/tlsrpt"}}},
		{name: "comma list with white space", in: "v=TLSRPTv1; rua=mailto:a@example.com , https://r.example.com/x;",
			want: &Record{RUA: []string{"mailto:a@example.com", "https://r.example.com/x"}}},
		{name: "extension kept", in: "v=TLSRPTv1;rua=mailto:a@example.com;ext_1.x=val",
			want: &Record{RUA: []string{"mailto:a@example.com"}, Extensions: []Extension{{"ext_1.x", "val"}}}},
		{name: "other scheme kept", in: "v=TLSRPTv1;rua=ftp://x.example.com",
			want: &Record{RUA: []string{"ftp://x.example.com"}}},
		{name: "§3 version is case-sensitive", in: "v=tlsrptv1;rua=mailto:a@example.com", err: ErrNotRecord},
		{name: "other version", in: "v=TLSRPTv2;rua=mailto:a@example.com", err: ErrNotRecord},
		{name: "version not first", in: "rua=mailto:a@example.com;v=TLSRPTv1", err: ErrNotRecord},
		{name: "spf record", in: "v=spf1 -all", err: ErrNotRecord},
		{name: "§3 rua required", in: "v=TLSRPTv1;"},
		{name: "field-delim needs a semicolon", in: "v=TLSRPTv1 rua=mailto:a@x.example"},
		{name: "rua twice", in: "v=TLSRPTv1;rua=mailto:a@x.example;rua=mailto:b@x.example"},
		{name: "unencoded semicolon splits the URI", in: "v=TLSRPTv1;rua=mailto:a@x.example;b"},
		{name: "unencoded bang", in: "v=TLSRPTv1;rua=mailto:a!b@x.example"},
		{name: "relative URI", in: "v=TLSRPTv1;rua=reports@example.com"},
		{name: "empty URI", in: "v=TLSRPTv1;rua=mailto:a@x.example,,https://x.example"},
		{name: "empty field", in: "v=TLSRPTv1;;rua=mailto:a@x.example"},
		{name: "bad extension name", in: "v=TLSRPTv1;rua=mailto:a@x.example;_x=1"},
		{name: "extension value with space", in: "v=TLSRPTv1;rua=mailto:a@x.example;x=a b"},
		{name: "no equals", in: "v=TLSRPTv1;rua=mailto:a@x.example;junk"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRecord(tc.in)
			switch {
			case tc.want != nil:
				if err != nil {
					t.Fatalf("%q: %v", tc.in, err)
				}
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Fatalf("%q: (-want +got)\n%s", tc.in, d)
				}
				again, err := ParseRecord(got.String())
				if err != nil || !cmp.Equal(got, again) {
					t.Fatalf("round trip of %q: %v, %v", got.String(), again, err)
				}
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("%q: err %v, want %v", tc.in, err, tc.err)
				}
			default:
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("%q: err %v (%v), want a *ParseError", tc.in, err, got)
				}
			}
		})
	}
}

func TestDestinations(t *testing.T) {
	r, err := ParseRecord("v=TLSRPTv1;rua=mailto:tls%2Breports@example.com?subject=x,https://r.example.com/v1,ftp://x.example")
	if err != nil {
		t.Fatal(err)
	}
	want := []Destination{{Scheme: "mailto", Address: "tls+reports@example.com"}, {Scheme: "https", URL: "https://r.example.com/v1"}}
	if d := cmp.Diff(want, r.Destinations()); d != "" {
		t.Fatal(d)
	}
}

// TestSelectRecord: RFC 8460 §3, records not starting with v=TLSRPTv1 are
// discarded; anything but one left means no TLSRPT.
func TestSelectRecord(t *testing.T) {
	one := "v=TLSRPTv1;rua=mailto:a@example.com"
	tests := []struct {
		name string
		txts []string
		err  error
	}{
		{"one among others", []string{"v=spf1 -all", one}, nil},
		{"none", []string{"v=spf1 -all"}, ErrNoRecord},
		{"two", []string{one, one}, ErrMultipleRecords},
		{"prefix of another version discarded", []string{"v=TLSRPTv10;rua=x:y", one}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SelectRecord(tc.txts)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
		})
	}
}

func TestLookupRecord(t *testing.T) {
	z := zone.New()
	z.AddTXTStrings("_smtp._tls.example.com", "v=TLSRPTv1;", "rua=mailto:tls@example.com")
	r, err := LookupRecord(context.Background(), z, "example.com.")
	if err != nil || r.RUA[0] != "mailto:tls@example.com" {
		t.Fatalf("%v %v", r, err)
	}
	if _, err := LookupRecord(context.Background(), z, "example.org"); !errors.Is(err, ErrNoRecord) {
		t.Fatalf("err %v", err)
	}
}
