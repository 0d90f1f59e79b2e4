package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// genReport writes an n-record report, one element per line, the way large
// receivers format them; records vary in IP, domains and results.
type genReport struct {
	n, i  int
	buf   []byte
	off   int
	stage int
}

func newGen(n int) *genReport { return &genReport{n: n} }

func (g *genReport) Read(p []byte) (int, error) {
	for g.off >= len(g.buf) {
		g.buf, g.off = g.buf[:0], 0
		switch {
		case g.stage == 0:
			g.buf = append(g.buf, `<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <version>1.0</version>
  <report_metadata>
    <org_name>receiver.example</org_name>
    <email>noreply-dmarc-support@receiver.example</email>
    <extra_contact_info>https://receiver.example/dmarc</extra_contact_info>
    <report_id>12345678901234567890</report_id>
    <date_range>
      <begin>1700000000</begin>
      <end>1700086399</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>example.com</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>quarantine</p>
    <sp>quarantine</sp>
    <pct>100</pct>
    <fo>1</fo>
  </policy_published>
`...)
			g.stage = 1
		case g.stage == 1 && g.i < g.n:
			g.buf = appendGenRecord(g.buf, g.i)
			g.i++
		case g.stage == 1:
			g.buf = append(g.buf, "</feedback>\n"...)
			g.stage = 2
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, g.buf[g.off:])
	g.off += n
	return n, nil
}

var genDomains = []string{"example.com", "mail.example.com", "news.example.com", "example.net"}

func appendGenRecord(b []byte, i int) []byte {
	hf := genDomains[i%len(genDomains)]
	ip := fmt.Sprintf("%d.%d.%d.%d", 10+i%200, (i/200)%250, (i/7)%250, 1+i%250)
	if i%10 == 3 {
		ip = fmt.Sprintf("2001:db8:%x::%x", i%4096, i%65536+1)
	}
	disp, dk, sp := "none", "pass", "fail"
	if i%5 == 0 {
		disp, dk, sp = "quarantine", "fail", "fail"
	}
	b = fmt.Appendf(b, `<record>
<row>
<source_ip>%s</source_ip>
<count>%d</count>
<policy_evaluated>
<disposition>%s</disposition>
<dkim>%s</dkim>
<spf>%s</spf>
</policy_evaluated>
</row>
<identifiers>
<header_from>%s</header_from>
<envelope_from>us-west-2.amazonses.com</envelope_from>
</identifiers>
<auth_results>
<dkim>
<domain>%s</domain>
<selector>ai33r7fqmoefihzcm3c5yksogilyhsfv</selector>
<result>%s</result>
</dkim>
`, ip, 1+i%17, disp, dk, sp, hf, hf, dk)
	if i%8 == 0 {
		b = append(b, `  <dkim>
<domain>amazonses.com</domain>
<selector>224i4yxa5dv7c2xz3womw6peuasteono</selector>
<result>pass</result>
</dkim>
`...)
	}
	b = append(b, `  <spf>
<domain>us-west-2.amazonses.com</domain>
<scope>mfrom</scope>
<result>pass</result>
</spf>
</auth_results>
</record>
`...)
	return b
}

func genBytes(n int) []byte {
	b, _ := io.ReadAll(newGen(n))
	return b
}

func TestGenReport(t *testing.T) {
	b := genBytes(1000)
	a, err := Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Records) != 1000 || len(a.Warnings) != 0 {
		t.Fatalf("%d records, warnings %v", len(a.Records), a.Warnings)
	}
	t.Logf("1000 records: %d bytes", len(b))
}

// BenchmarkDecode: whole-document decoding of a 10,000-record report
// (about 5.5 MB), with MB/s, allocations and allocations per record.
func BenchmarkDecode(b *testing.B) {
	data := genBytes(10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu := cpuTime()
	for b.Loop() {
		a, err := Decode(bytes.NewReader(data))
		if err != nil || len(a.Records) != 10_000 {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu, len(data))
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N)/10_000, "allocs/record")
}

// BenchmarkStream: the same report through the record iterator.
func BenchmarkStream(b *testing.B) {
	data := genBytes(10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	var dec Decoder
	cpu := cpuTime()
	for b.Loop() {
		st, err := dec.Stream(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, err := range st.All() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 10_000 {
			b.Fatal(n)
		}
	}
	reportCPU(b, cpu, len(data))
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N)/10_000, "allocs/record")
}

// streamPeak streams an n-record generated report (never held in memory)
// and returns the peak of live heap bytes sampled every 500 records.
func streamPeak(tb testing.TB, n int) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak uint64
	st, err := (&Decoder{}).Stream(newGen(n))
	if err != nil {
		tb.Fatal(err)
	}
	i := 0
	for _, err := range st.All() {
		if err != nil {
			tb.Fatal(err)
		}
		if i++; i%500 == 0 {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > base && v-base > peak {
				peak = v - base
			}
		}
	}
	if i != n {
		tb.Fatalf("%d records, want %d", i, n)
	}
	return peak
}

// BenchmarkStreamPeakMemory shows that streaming memory stays flat as the
// report grows (peak-heap-MiB: live heap above the starting point).
func BenchmarkStreamPeakMemory(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				peak = max(peak, streamPeak(b, n))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// TestStreamMemoryFlat: the streaming peak stays under 16 MiB.
func TestStreamMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	n := 20_000
	if raceEnabled {
		n = 3_000
	}
	if p := streamPeak(t, n); p > 16<<20 {
		t.Fatalf("peak live heap %d bytes streaming %d records, want < 16 MiB", p, n)
	} else {
		t.Logf("peak live heap streaming %d records: %.2f MiB", n, float64(p)/(1<<20))
	}
}

// BenchmarkEncodingXML is the reference point: the same report unmarshalled
// by encoding/xml into a mirror structure.
func BenchmarkEncodingXML(b *testing.B) {
	data := genBytes(10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		var f refFeedback
		if err := xml.Unmarshal(data, &f); err != nil || len(f.Records) != 10_000 {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu, len(data))
}

// reportCPU adds cpu-MB/s: bytes decoded per second of CPU time used by the
// process (all threads, the garbage collector included), a figure that a
// busy machine does not distort the way it distorts wall-clock MB/s.
func reportCPU(b *testing.B, start time.Duration, size int) {
	if d := cpuTime() - start; d > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/d.Seconds()/1e6, "cpu-MB/s")
	}
}

func BenchmarkEncode(b *testing.B) {
	a, err := Decode(newGen(10_000))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	for _, s := range []Schema{SchemaRFC9990, SchemaRFC7489} {
		b.Run(s.String(), func(b *testing.B) {
			b.ReportAllocs()
			e := Encoder{Schema: s}
			for b.Loop() {
				buf.Reset()
				if err := e.Encode(&buf, a); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}
