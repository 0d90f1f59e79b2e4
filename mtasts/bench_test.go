package mtasts

import (
	"fmt"
	"strings"
	"testing"
)

func BenchmarkParsePolicy(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(rfcPolicy)))
	for b.Loop() {
		if _, err := ParsePolicy(rfcPolicy); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRecord(b *testing.B) {
	const rec = "v=STSv1; id=20160831085700Z;"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRecord(rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckMX(b *testing.B) {
	p, err := ParsePolicy(rfcPolicy)
	if err != nil {
		b.Fatal(err)
	}
	mx := []string{"mail.example.com.", "mx1.example.net.", "backupmx.example.com."}
	b.ReportAllocs()
	for b.Loop() {
		if fs := CheckMX(p, mx); len(fs) != 0 {
			b.Fatal(fs)
		}
	}
}

// BenchmarkParsePolicyMaxSize parses a policy of about DefaultMaxPolicySize
// bytes, all mx lines: the most a fetched policy can cost.
func BenchmarkParsePolicyMaxSize(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("version: STSv1\nmode: enforce\nmax_age: 86400\n")
	for i := 0; sb.Len() < DefaultMaxPolicySize-40; i++ {
		fmt.Fprintf(&sb, "mx: mx%d.example.com\n", i)
	}
	text := sb.String()
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := ParsePolicy(text); err != nil {
			b.Fatal(err)
		}
	}
}
