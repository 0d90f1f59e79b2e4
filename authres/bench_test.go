package authres

import "testing"

// benchField is a typical field of three methods, as a border MTA writes it.
const benchField = "Authentication-Results: mx.example.org;\r\n" +
	"\tspf=pass (mx.example.org: domain of alice@example.com designates 192.0.2.1 as permitted sender) smtp.mailfrom=alice@example.com;\r\n" +
	"\tdkim=pass (2048-bit key) header.d=example.com header.i=@example.com header.s=sel1 header.b=AbCdEf12;\r\n" +
	"\tdmarc=pass (p=reject dis=none) header.from=example.com"

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchField)))
	for b.Loop() {
		if _, err := Parse(benchField); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormat(b *testing.B) {
	r, err := Parse(benchField)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Format(r); err != nil {
			b.Fatal(err)
		}
	}
}
