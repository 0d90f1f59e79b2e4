package zone

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/shared"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var addrEqual = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

// route53SharedDir finds ../shared beside the repository root, walking up from the
// package directory.
func route53SharedDir(t testing.TB) string {
	return shared.Find()
}

func TestReadRoute53NewZoneSample(t *testing.T) {
	dir := route53SharedDir(t)
	path := filepath.Join(dir, "reference", "ses", "samples", "route53-new-public-zone-list-resource-record-sets.json")
	f, err := os.Open(path)
	if dir == "" || err != nil {
		shared.Skip(t, "Route 53 sample not available (%v)", err)
	}
	defer f.Close()
	z, err := ReadRoute53(f)
	if err != nil {
		t.Fatal(err)
	}
	ns := z.Lookup("edukb.site", TypeNS)
	if len(ns) != 4 || ns[0].TTL != 172800 || ns[0].Target != "ns-187.awsdns-23.com" {
		t.Errorf("NS = %+v", ns)
	}
	soa := z.Lookup("EDUKB.site.", TypeSOA)
	want := &SOA{MName: "ns-187.awsdns-23.com", RName: "awsdns-hostmaster.amazon.com", Serial: 1,
		Refresh: 7200, Retry: 900, Expire: 1209600, Minimum: 86400}
	if len(soa) != 1 || soa[0].TTL != 900 || !cmp.Equal(soa[0].SOA, want) {
		t.Errorf("SOA = %+v", soa)
	}
}

const r53Example = `{
  "ResourceRecordSets": [
    {"Name": "example.org.", "Type": "MX", "TTL": 300, "ResourceRecords": [{"Value": "10 mx.example.org."}, {"Value": "20 mx2.example.org"}]},
    {"Name": "mail.example.org.", "Type": "TXT", "TTL": 600, "ResourceRecords": [{"Value": "\"v=spf1 include:amazonses.com ~all\""}]},
    {"Name": "k._domainkey.example.org.", "Type": "TXT", "TTL": 600, "ResourceRecords": [{"Value": "\"p=abc\" \"def\""}]},
    {"Name": "\\052.example.org.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]},
    {"Name": "x.example.org.", "Type": "TXT", "TTL": 60, "ResourceRecords": [{"Value": "\"ex\\344mple \\\"q\\\" \\\\\""}]},
    {"Name": "t._domainkey.example.org.", "Type": "CNAME", "TTL": 1800, "ResourceRecords": [{"Value": "t.dkim.amazonses.com"}]},
    {"Name": "example.org.", "Type": "CAA", "TTL": 60, "ResourceRecords": [{"Value": "0 issue \"amazon.com\""}]},
    {"Name": "www.example.org.", "Type": "A", "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d111111abcdef8.cloudfront.net.", "EvaluateTargetHealth": false}}
  ],
  "IsTruncated": false,
  "MaxItems": "100"
}`

func TestReadRoute53(t *testing.T) {
	z, err := ReadRoute53(strings.NewReader(r53Example))
	if err != nil {
		t.Fatal(err)
	}
	if got := z.Lookup("example.org", TypeMX); len(got) != 2 || got[1].Target != "mx2.example.org" || got[1].Pref != 20 {
		t.Errorf("MX %+v", got)
	}
	if got := z.Lookup("k._domainkey.example.org", TypeTXT); len(got) != 1 || !cmp.Equal(got[0].Text, []string{"p=abc", "def"}) {
		t.Errorf("TXT %+v", got)
	}
	if got := z.Lookup("*.example.org", TypeA); len(got) != 1 {
		t.Errorf("wildcard %+v", got)
	}
	if got := z.Lookup("x.example.org", TypeTXT); len(got) != 1 || got[0].Text[0] != "ex\xe4mple \"q\" \\" {
		t.Errorf("escapes %+v", got)
	}
	if got := z.Lookup("example.org", 257); len(got) != 1 || got[0].Data != `0 issue "amazon.com"` {
		t.Errorf("CAA %+v", got)
	}
	if z.Lookup("www.example.org", TypeA) != nil || len(z.Notes()) != 1 {
		t.Errorf("alias not skipped: notes %v", z.Notes())
	}
	// Written out and read back: the same records.
	var buf bytes.Buffer
	if _, err := z.WriteRoute53(&buf); err != nil {
		t.Fatal(err)
	}
	z2, err := ReadRoute53(&buf)
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if diff := cmp.Diff(z.Records(), z2.Records(), addrEqual); diff != "" {
		t.Errorf("round trip (-first +second):\n%s", diff)
	}
}

func TestReadRoute53ChangeBatch(t *testing.T) {
	in := `{"Comment": "c", "Changes": [
	  {"Action": "UPSERT", "ResourceRecordSet": {"Name": "mail.example.org", "Type": "MX", "TTL": 1800, "ResourceRecords": [{"Value": "10 feedback-smtp.ap-northeast-2.amazonses.com"}]}},
	  {"Action": "DELETE", "ResourceRecordSet": {"Name": "old.example.org", "Type": "A", "TTL": 1, "ResourceRecords": [{"Value": "192.0.2.1"}]}}]}`
	for _, doc := range []string{in, `{"ChangeBatch": ` + in + `, "HostedZoneId": "Z1"}`} {
		z, err := ReadRoute53(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if got := z.Records(); len(got) != 1 || got[0].Target != "feedback-smtp.ap-northeast-2.amazonses.com" {
			t.Errorf("records %+v", got)
		}
	}
	z, err := ReadRoute53(strings.NewReader(`[{"Name": "a.example", "Type": "A", "ResourceRecords": [{"Value": "192.0.2.7"}]}]`))
	if err != nil || len(z.Records()) != 1 {
		t.Errorf("bare array: %v", err)
	}
}

func TestReadRoute53Errors(t *testing.T) {
	set := func(typ, ttl, value string) string {
		return `{"ResourceRecordSets": [{"Name": "a.example.", "Type": "` + typ + `", "TTL": ` + ttl +
			`, "ResourceRecords": [{"Value": "` + value + `"}]}]}`
	}
	tests := []struct{ name, in string }{
		{"not JSON", `{`},
		{"unknown type", set("BOGUS", "60", "x")},
		{"negative TTL", set("A", "-1", "192.0.2.1")},
		{"huge TTL", set("A", "2147483648", "192.0.2.1")},
		{"bad A", set("A", "60", "192.0.2")},
		{"AAAA with v4", set("AAAA", "60", "192.0.2.1")},
		{"MX one field", set("MX", "60", "mx.example.")},
		{"MX preference", set("MX", "60", "70000 mx.example.")},
		{"TXT unquoted", set("TXT", "60", "v=spf1 -all")},
		{"TXT unterminated", set("TXT", "60", `\"abc`)},
		{"TXT bad octal", set("TXT", "60", `\"\\39a\"`)},
		{"TXT octal too big", set("TXT", "60", `\"\\400\"`)},
		{"TXT long string", set("TXT", "60", `\"`+strings.Repeat("a", 256)+`\"`)},
		{"SOA fields", set("SOA", "60", "a. b. 1 2 3")},
		{"SOA number", set("SOA", "60", "a. b. 1 2 3 4 x")},
		{"unknown action", `{"Changes": [{"Action": "FROB", "ResourceRecordSet": {}}]}`},
		{"empty label", set("CNAME", "60", "a..example.")},
		{"escaped dot in a name", set("CNAME", "60", `a\\056b.example.`)},
		{"opaque value with a comment", set("CAA", "60", `0 issue x;y`)},
		{"opaque value with an open quote", set("CAA", "60", `0 issue \"x`)},
		{"empty name", `{"ResourceRecordSets": [{"Name": "", "Type": "A", "ResourceRecords": [{"Value": "192.0.2.1"}]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadRoute53(strings.NewReader(tt.in))
			var re *Route53Error
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want *Route53Error", err)
			}
			if !strings.HasPrefix(err.Error(), "zone: route53: ") {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestReadRoute53Limits(t *testing.T) {
	rd := &Route53Reader{MaxBytes: 10}
	if _, err := rd.Read(strings.NewReader(r53Example)); !errors.Is(err, ErrRoute53TooLarge) {
		t.Errorf("MaxBytes: %v", err)
	}
	rd = &Route53Reader{MaxRecords: 3}
	if _, err := rd.Read(strings.NewReader(r53Example)); !errors.Is(err, ErrRoute53TooLarge) {
		t.Errorf("MaxRecords: %v", err)
	}
}

func TestRoute53Value(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		rr   RR
		want string
	}{
		{RR{Type: TypeTXT, Text: []string{"v=spf1 include:amazonses.com ~all"}}, `"v=spf1 include:amazonses.com ~all"`},
		{RR{Type: TypeTXT, Text: []string{long}}, `"` + long[:255] + `" "` + long[255:] + `"`},
		{RR{Type: TypeTXT, Text: []string{"a\"b\\c\x01"}}, `"a\"b\\c\001"`},
		{RR{Type: TypeMX, Pref: 10, Target: "feedback-smtp.us-east-1.amazonses.com"}, "10 feedback-smtp.us-east-1.amazonses.com."},
		{RR{Type: TypeMX, Pref: 0, Target: "."}, "0 ."},
		{RR{Type: TypeCNAME, Target: "t.dkim.amazonses.com"}, "t.dkim.amazonses.com."},
	}
	for _, tt := range tests {
		if got := Route53Value(tt.rr); got != tt.want {
			t.Errorf("Route53Value(%+v) = %q, want %q", tt.rr, got, tt.want)
		}
	}
	if got := route53Name("*.example.org"); got != `\052.example.org.` {
		t.Errorf("route53Name = %q", got)
	}
}

// FuzzReadRoute53: whatever the reader accepts, written out and read back,
// gives the same records.
func FuzzReadRoute53(f *testing.F) {
	f.Add(r53Example)
	f.Add(`{"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {"Name": "m.example", "Type": "MX", "TTL": 1, "ResourceRecords": [{"Value": "0 ."}]}}]}`)
	f.Add(`[{"Name": "a\\101.example", "Type": "SOA", "ResourceRecords": [{"Value": "ns. host. 1 2 3 4 5"}]}]`)
	f.Add(`{"ResourceRecordSets": [{"Name": "t.example", "Type": "TXT", "TTL": 0, "ResourceRecords": [{"Value": "\"\" \"\\000\""}]}]}`)
	f.Add(`{"ResourceRecordSets": [{"Name": "example.org.", "Type": "A", "ResourceRecords": [{"Value": "192.0.2.1"}]}, {"Name": ".example.org.", "Type": "CNAME", "ResourceRecords": [{"Value": "\\042."}]}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		rd := &Route53Reader{MaxRecords: 1000}
		z, err := rd.Read(strings.NewReader(in))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if _, err := z.WriteRoute53(&buf); err != nil {
			t.Fatal(err)
		}
		z2, err := rd.Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("re-read: %v\n%s", err, buf.String())
		}
		if diff := cmp.Diff(z.Records(), z2.Records(), addrEqual); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s\n%s", diff, buf.String())
		}
		// The same records written as a master file read back the same too.
		text := z.String()
		z3, err := ParseString(text, "")
		if err != nil {
			t.Fatalf("master file of a Route 53 zone does not parse: %v\n%s", err, text)
		}
		if diff := cmp.Diff(z.Records(), z3.Records(), addrEqual, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("Route 53 -> master file (-first +second):\n%s\n%s", diff, text)
		}
	})
}

func BenchmarkReadRoute53(b *testing.B) {
	data := []byte(r53Example)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadRoute53(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRoute53OpaqueAndMasterFile: an opaque value keeps the white space
// inside its quotes, and a zone read from Route 53 JSON written as a master
// file reads back to the same records.
func TestRoute53OpaqueAndMasterFile(t *testing.T) {
	in := `{"ResourceRecordSets": [
	  {"Name": "example.org.", "Type": "CAA", "TTL": 60, "ResourceRecords": [{"Value": "0  issue \"a  b;c\""}]},
	  {"Name": "example.org.", "Type": "TXT", "TTL": 60, "ResourceRecords": [{"Value": "\"x\\073y\" \"\""}]}]}`
	z, err := ReadRoute53(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := z.Lookup("example.org", 257); len(got) != 1 || got[0].Data != `0 issue "a  b;c"` {
		t.Errorf("CAA %+v", got)
	}
	z2, err := ParseString(z.String(), "")
	if err != nil {
		t.Fatalf("%v\n%s", err, z.String())
	}
	if diff := cmp.Diff(z.Records(), z2.Records(), addrEqual); diff != "" {
		t.Errorf("Route 53 -> master file -> records (-want +got):\n%s", diff)
	}
}
