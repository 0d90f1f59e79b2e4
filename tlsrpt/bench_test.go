package tlsrpt

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// samples reads the shared samples (the benchmarks' input).
func samples(b *testing.B) [][]byte {
	dir, oracle := loadOracle(b)
	var out [][]byte
	for _, e := range oracle {
		data, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// BenchmarkDecodeSamples: decoding all shared samples, with MB/s and
// allocations per report.
func BenchmarkDecodeSamples(b *testing.B) {
	docs := samples(b)
	n := 0
	for _, d := range docs {
		n += len(d)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	for b.Loop() {
		for _, d := range docs {
			if _, err := Decode(bytes.NewReader(d)); err != nil {
				b.Fatal(err)
			}
		}
	}
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N)/float64(len(docs)), "allocs/report")
}

// BenchmarkDecodeLarge: a report with 100 policies of 100 failure details
// each (about 1 MB), for throughput on the JSON path.
func BenchmarkDecodeLarge(b *testing.B) {
	doc := policiesDoc(100, 100, 5)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(doc)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode: encoding the RFC example.
func BenchmarkEncode(b *testing.B) {
	r, err := Decode(bytes.NewReader([]byte(rfcExample)))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Encode(&buf, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseRecord: the _smtp._tls record.
func BenchmarkParseRecord(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRecord("v=TLSRPTv1; rua=mailto:tls@example.com,https://r.example.com/v1"); err != nil {
			b.Fatal(err)
		}
	}
}
