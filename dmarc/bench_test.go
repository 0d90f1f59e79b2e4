package dmarc

import "testing"

const seedRecord = "v=DMARC1; p=quarantine; pct=100; rua=mailto:mail-master@example.org; aspf=r; adkim=r; fo=0; ri=86400;"

func BenchmarkParseRecord(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRecord(seedRecord); err != nil {
			b.Fatal(err)
		}
	}
}
