package tlsrpt

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/domainauth/domainauth/internal/shared"
	"github.com/google/go-cmp/cmp"
)

// FuzzParseRecord: a record that parses formats to text that parses to the
// same record.
func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{"v=TLSRPTv1;rua=mailto:reports@example.com", "v=TLSRPTv1; rua=https://r.example/v1 , mailto:a@b;x=y;",
		"v=TLSRPTv1;rua=mailto:a@b;rua=x:y", "v=TLSRPTv1 ; ext=1 ;rua=a:b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRecord(s)
		if err != nil {
			return
		}
		r2, err := ParseRecord(r.String())
		if err != nil {
			t.Fatalf("%q -> %q: %v", s, r.String(), err)
		}
		if !cmp.Equal(r, r2) {
			t.Fatalf("%q -> %q: %+v != %+v", s, r.String(), r, r2)
		}
	})
}

// FuzzDecode: decoding never panics, and a decoded report round-trips
// through Encode: Decode(Encode(r)) = Normalize(r).
func FuzzDecode(f *testing.F) {
	f.Add([]byte(rfcExample))
	f.Add(gzipped([]byte(rfcExample)))
	f.Add([]byte(reportEmail(true, "")))
	if dir := shared.Find("conformance", "tlsrpt"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*", "*"))
		more, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*", "*", "*"))
		for _, p := range append(files, more...) {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	dec := &Decoder{MaxDocumentSize: 1 << 20, MaxArchiveSize: 1 << 20}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := dec.Decode(t.Context(), bytes.NewReader(b))
		if err != nil {
			return
		}
		roundTrip(t, r, false)
	})
}

// FuzzEncode: a report built from arbitrary values round-trips.
func FuzzEncode(f *testing.F) {
	f.Add("Company-X", "a@x.example", "id", "sts", "x.example", "mx: *.x.example", "certificate-expired", "mx.x.example", "192.0.2.1", int64(1459468800), uint64(5), uint64(3))
	f.Add("\xff", "", "", "STS", "bücher.example", "", "NEW", "", "::1", int64(-1), uint64(1<<64-1), uint64(0))
	f.Fuzz(func(t *testing.T, org, contact, id, ptype, domain, mx, rtype, mxname, ip string, start int64, succ, failed uint64) {
		addr, _ := netip.ParseAddr(ip)
		r := &Report{
			OrganizationName: org, ContactInfo: contact, ReportID: id,
			DateRange: DateRange{time.Unix(start, 0), time.Unix(start, 999)},
			Policies: []PolicyResult{{
				Policy:         Policy{Type: PolicyType(ptype), String: []string{mx, org}, Domain: domain, MXHost: []string{mx}},
				Summary:        SessionCounts{succ, failed},
				FailureDetails: []FailureDetail{{ResultType: ResultType(rtype), SendingMTAIP: addr, ReceivingMXHostname: mxname, FailedSessionCount: failed, FailureReasonCode: id}},
			}},
		}
		roundTrip(t, r, false)
	})
}
