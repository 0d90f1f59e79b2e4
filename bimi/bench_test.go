package bimi

import "testing"

func BenchmarkParseRecord(b *testing.B) {
	const rec = "v=BIMI1; l=https://images.example.com/brand/logo.svg; a=https://images.example.com/brand/vmc.pem; avp=brand"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRecord(rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckSVG(b *testing.B) {
	for _, tc := range []struct {
		name string
		logo []byte
	}{
		{"valid.svg", readLogo(b, "valid.svg")},
		{"32KiB", atLimitLogo(b)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.logo)))
			b.ReportAllocs()
			for b.Loop() {
				if got := CheckSVG(tc.logo, nil); len(got) != 0 {
					b.Fatal(got)
				}
			}
		})
	}
}
