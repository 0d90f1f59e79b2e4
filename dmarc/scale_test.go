package dmarc

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// manyTags returns a DMARC record with n tag-specs of the given shape
// after v=DMARC1; p=reject: "%d" in shape is replaced by the index.
func manyTags(n int, shape string) string {
	var b strings.Builder
	b.WriteString("v=DMARC1; p=reject")
	for i := range n {
		b.WriteString("; ")
		fmt.Fprintf(&b, shape, i)
	}
	return b.String()
}

// TestManyTagsLinear guards issue 11 item 13: 40,000 tags took 0.9 s in
// ParseRecord and LintText (a duplicate check that scanned every earlier
// unknown tag). Each shape is timed at 5,000 and 20,000 tags: a linear
// parser takes about 4 times as long, a quadratic one 16 times (the
// benchmarks BenchmarkParseRecordManyTags and BenchmarkLintTextManyTags
// give the figures at 40,000).
func TestManyTagsLinear(t *testing.T) {
	shapes := []struct{ name, shape string }{
		{"unknown tags", "x%d=1"},
		{"malformed tag-specs", "x%d"},
		{"non-ASCII values of unknown tags", "x%d=é"},
		{"tag names in mixed case", "Xy%d=1"},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			small, large := manyTags(5000, sh.shape), manyTags(20000, sh.shape)
			if _, err := ParseRecord(large); err != nil {
				t.Fatalf("ParseRecord: %v", err)
			}
			best := func(txt string) time.Duration {
				d := time.Duration(1<<63 - 1)
				for range 3 {
					start := time.Now()
					_, _ = ParseRecord(txt)
					_ = LintText(txt, RFC9989)
					d = min(d, time.Since(start))
				}
				return d
			}
			ts, tl := best(small), best(large)
			t.Logf("5k tags %v, 20k tags %v (%d bytes)", ts, tl, len(large))
			if tl > 10*ts+20*time.Millisecond {
				t.Errorf("20k tags take %v, 5k take %v: more than linear", tl, ts)
			}
		})
	}
}
