package zone_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/zone"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		codes []string // in the order Check returns them
	}{
		{"clean zone", "@ MX 10 mx\nmx A 192.0.2.1\n", nil},
		{"CNAME and other data (RFC 1034 §3.6.2)", "www CNAME host\nwww TXT \"x\"\n", []string{zone.FindingCNAMEAndOtherData}},
		{"two CNAMEs (RFC 2181 §10.1)", "www CNAME a\nwww CNAME b\n", []string{zone.FindingMultipleCNAMEs}},
		{"MX target is a CNAME (RFC 2181 §10.3)", "@ MX 10 mail\nmail CNAME host\nhost A 192.0.2.1\n", []string{zone.FindingTargetIsCNAME}},
		{"null MX is not a CNAME target", "@ MX 0 .\n", nil},
		{"SPF type (RFC 7208 §3.1)", "@ SPF \"v=spf1 -all\"\n", []string{zone.FindingSPFType}},
		{"CNAME loop (RFC 1034 §3.6.2)", "a CNAME b\nb CNAME a\n", []string{zone.FindingCNAMELoop}},
		{"CNAME to itself", "a CNAME a\n", []string{zone.FindingCNAMELoop}},
		{"chain into a loop reports the loop once", "x CNAME y\ny CNAME a\na CNAME b\nb CNAME c\nc CNAME a\n", []string{zone.FindingCNAMELoop}},
		{"two loops", "a CNAME b\nb CNAME a\nc CNAME c\n", []string{zone.FindingCNAMELoop, zone.FindingCNAMELoop}},
		{"loop through a wildcard", "a CNAME x.w\n*.w CNAME a\n", []string{zone.FindingCNAMELoop}},
		{"chain of 8 CNAMEs resolves", chain(8), nil},
		{"chain of 9 CNAMEs is too long (RFC 1034 §5.2.2)", chain(9), []string{zone.FindingCNAMEChainTooLong}},
		{"CNAME out of the zone", "a CNAME host.example.net.\n", nil},
		{"errors before warnings", "@ SPF \"v=spf1 -all\"\nwww CNAME a\nwww CNAME b\n", []string{zone.FindingMultipleCNAMEs, zone.FindingSPFType}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z, err := zone.Parse(strings.NewReader("$TTL 3600\n"+tt.file), "example.org")
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, f := range z.Check() {
				codes = append(codes, f.Code)
				if f.Fix == "" {
					t.Errorf("%s: no Fix", f.Code)
				}
			}
			if strings.Join(codes, " ") != strings.Join(tt.codes, " ") {
				t.Errorf("codes = %v, want %v", codes, tt.codes)
			}
		})
	}
}

// chain is a zone fragment with n CNAMEs in a row, c0 -> c1 -> ... -> cn,
// and an address at the end.
func chain(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "c%d CNAME c%d\n", i, i+1)
	}
	fmt.Fprintf(&b, "c%d A 192.0.2.1\n", n)
	return b.String()
}

// TestCheckCNAMELoopIsLinear: a zone of many long chains and loops is
// checked in time linear in its CNAMEs (each name is followed once).
func TestCheckCNAMELoopIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("$TTL 3600\n")
	const n = 20000
	for i := range n {
		fmt.Fprintf(&b, "c%d CNAME c%d\n", i, i+1)
	}
	fmt.Fprintf(&b, "c%d CNAME c0\n", n) // one loop of n+1 names
	z, err := zone.Parse(strings.NewReader(b.String()), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	fs := z.Check()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Check took %v for %d CNAMEs", d, n)
	}
	if len(fs) != 1 || fs[0].Code != zone.FindingCNAMELoop {
		t.Fatalf("findings %v, want one loop", fs)
	}
	if len(fs[0].Message) > 1000 {
		t.Errorf("the loop message is %d bytes; the names listed should be bounded", len(fs[0].Message))
	}
}
