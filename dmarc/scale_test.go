package dmarc

import (
	"fmt"
	"runtime"
	"runtime/debug"
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

// checkLinear times f on an input of 2,000 items and on one of 32,000
// (make builds them): linear work takes about 16 times as long (somewhat
// more: the larger input does not fit in the caches), quadratic work over
// 250 times. It fails above 100, and skips under the race detector and
// -short, which make timings meaningless or the test slow.
func checkLinear(t *testing.T, make func(n int) string, f func(string)) {
	t.Helper()
	if raceEnabled || testing.Short() {
		t.Skip("timing test: run without -race and -short")
	}
	small, large := make(2000), make(32000)
	// Garbage collection is kept out of the timings: its cost depends
	// on the heap the rest of the test run left.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	run := func(in string) time.Duration {
		runtime.GC()
		start := time.Now()
		f(in)
		return time.Since(start)
	}
	// The best of five, taken in turns, so that a busy machine slows both
	// sizes alike; and up to three such rounds, since a burst of load can
	// still land on the large size alone. Work that grows faster than
	// linearly (32k items are 256 times 2k for a quadratic) fails all three.
	var ts, tl time.Duration
	for round := range 3 {
		ts, tl = time.Duration(1<<63-1), time.Duration(1<<63-1)
		for range 5 {
			ts, tl = min(ts, run(small)), min(tl, run(large))
		}
		t.Logf("round %d: 2k items %v, 32k items %v (%d bytes)", round+1, ts, tl, len(large))
		if tl <= 100*ts+20*time.Millisecond {
			return
		}
	}
	t.Errorf("32k items take %v, 2k take %v: more than linear", tl, ts)
}

// TestManyTagsLinear guards issue 11 item 13: 40,000 tags took 0.9 s in
// ParseRecord and LintText (a duplicate check that scanned every earlier
// unknown tag; at 32,000 tags it was over 1,000 times slower than at
// 2,000). The benchmarks BenchmarkParseRecordManyTags and
// BenchmarkLintTextManyTags give the figures at 40,000.
func TestManyTagsLinear(t *testing.T) {
	shapes := []struct{ name, shape string }{
		{"unknown tags", "x%d=1"},
		{"malformed tag-specs", "x%d"},
		{"non-ASCII values of unknown tags", "x%d=é"},
		{"tag names in mixed case", "Xy%d=1"},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			if _, err := ParseRecord(manyTags(100, sh.shape)); err != nil {
				t.Fatalf("ParseRecord: %v", err)
			}
			checkLinear(t, func(n int) string { return manyTags(n, sh.shape) }, func(txt string) {
				_, _ = ParseRecord(txt)
				_ = LintText(txt, ModeRFC9989)
			})
		})
	}
}

// TestManyAuthorDomainsLinear guards AuthorDomains against a From field
// with thousands of mailboxes in distinct domains: each new domain was
// compared with every earlier one.
func TestManyAuthorDomainsLinear(t *testing.T) {
	header := func(n int) string {
		var b strings.Builder
		b.WriteString("From: ")
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "a@d%d.example, b@D%d.example", i, i)
		}
		b.WriteString("\r\n\r\n")
		return b.String()
	}
	if ds, err := AuthorDomains(header(20), AuthorChoiceAll); err != nil || len(ds) != 20 || ds[19] != "d19.example" {
		t.Fatalf("AuthorDomains: %q, %v; want 20 distinct domains in order", ds, err)
	}
	checkLinear(t, header, func(h string) { _, _ = AuthorDomains(h, AuthorChoiceAll) })
}
