package zone_test

import (
	"strings"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		codes []string // in the order Check returns them
	}{
		{"clean zone", "@ MX 10 mx\nmx A 192.0.2.1\n", nil},
		{"CNAME and other data (RFC 1034 §3.6.2)", "www CNAME host\nwww TXT \"x\"\n", []string{zone.CodeCNAMEAndOtherData}},
		{"two CNAMEs (RFC 2181 §10.1)", "www CNAME a\nwww CNAME b\n", []string{zone.CodeMultipleCNAMEs}},
		{"MX target is a CNAME (RFC 2181 §10.3)", "@ MX 10 mail\nmail CNAME host\nhost A 192.0.2.1\n", []string{zone.CodeTargetIsCNAME}},
		{"null MX is not a CNAME target", "@ MX 0 .\n", nil},
		{"SPF type (RFC 7208 §3.1)", "@ SPF \"v=spf1 -all\"\n", []string{zone.CodeSPFType}},
		{"errors before warnings", "@ SPF \"v=spf1 -all\"\nwww CNAME a\nwww CNAME b\n", []string{zone.CodeMultipleCNAMEs, zone.CodeSPFType}},
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
