package mtasts

import "testing"

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
