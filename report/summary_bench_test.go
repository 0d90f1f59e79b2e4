package report

import (
	"bytes"
	"testing"
)

// BenchmarkSummaryAdd: Summary.Add of a generated 10,000-record report.
func BenchmarkSummaryAdd(b *testing.B) {
	a, err := Decode(bytes.NewReader(genBytes(10_000)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Summarize(a)
	}
}
