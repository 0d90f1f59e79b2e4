package report

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// tinyRecords returns a report of n minimal records.
func tinyRecords(n int) []byte {
	var b bytes.Buffer
	b.WriteString("<feedback><report_metadata><report_id>1</report_id></report_metadata><policy_published><domain>example.com</domain></policy_published>")
	for range n {
		b.WriteString("<record><row><count>1</count></row></record>")
	}
	b.WriteString("</feedback>")
	return b.Bytes()
}

// TestDecodeManyRecordsNoPanic guards the record chunking: the 55,280th
// record made the chunk size 16<<60, which overflowed int and panicked
// (makeslice: cap out of range).
func TestDecodeManyRecordsNoPanic(t *testing.T) {
	const n = 60_001
	a, err := Decode(bytes.NewReader(tinyRecords(n)))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Records) != n || a.Messages() != n {
		t.Errorf("%d records, %d messages; want %d", len(a.Records), a.Messages(), n)
	}
}

const bigCount = "9999999999999999999"

func countReport(counts ...string) string {
	var b strings.Builder
	b.WriteString("<feedback><report_metadata><report_id>1</report_id></report_metadata><policy_published><domain>example.com</domain></policy_published>")
	for _, c := range counts {
		fmt.Fprintf(&b, "<record><row><source_ip>192.0.2.1</source_ip><count>%s</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers></record>", c)
	}
	b.WriteString("</feedback>")
	return b.String()
}

// TestCountsSaturateNeverWrap guards every sum of counts: two counts of
// 9,999,999,999,999,999,999 wrapped to a small total and a pass rate far
// above 100 %.
func TestCountsSaturateNeverWrap(t *testing.T) {
	a := mustDecode(t, countReport(bigCount, bigCount))
	if got := a.Messages(); got != math.MaxUint64 {
		t.Errorf("Messages() = %d, want saturation at %d", got, uint64(math.MaxUint64))
	}
	s := Summarize(a)
	s.Merge(Summarize(a))
	for name, c := range map[string]Counts{"total": s.Total, "by org": *s.ByOrg[""], "by day": *s.ByDay[""], "by from": *s.ByHeaderFrom["example.com"]} {
		if c.Messages != math.MaxUint64 || c.DMARCPass != math.MaxUint64 || c.Rate(c.DMARCPass) != 1 {
			t.Errorf("%s: %+v, rate %v; want saturated counts and rate 1", name, c, c.Rate(c.DMARCPass))
		}
	}
	for _, f := range s.Findings {
		if f.Messages != math.MaxUint64 {
			t.Errorf("finding %s: %d messages, want saturation", f.Code, f.Messages)
		}
	}
}

// TestCountOutOfRangeSaturates guards count parsing: a count of 10^19 or
// more decoded as 0 (so Decode(Encode(x)) lost it); now every uint64
// round-trips and a larger count saturates with a warning.
func TestCountOutOfRangeSaturates(t *testing.T) {
	for _, tc := range []struct {
		name, count string
		want        uint64
		warn        string
	}{
		{"ten to the 19", "10000000000000000000", 1e19, ""},
		{"max uint64", "18446744073709551615", math.MaxUint64, ""},
		{"one past max uint64", "18446744073709551616", math.MaxUint64, "report.out-of-range"},
		{"forty digits", strings.Repeat("9", 40), math.MaxUint64, "report.out-of-range"},
		{"forty digits with fraction", strings.Repeat("9", 40) + ".0", math.MaxUint64, "report.out-of-range"},
		{"leading zeros", strings.Repeat("0", 30) + "7", 7, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := mustDecode(t, countReport(tc.count))
			if got := a.Records[0].Row.Count; got != tc.want {
				t.Errorf("count %s read as %d, want %d", tc.count, got, tc.want)
			}
			if tc.warn != "" && !hasWarning(a, tc.warn) {
				t.Errorf("no %s warning: %v", tc.warn, a.Warnings)
			}
			if tc.warn == "" && len(a.Warnings) > 0 {
				t.Errorf("unexpected warnings %v", a.Warnings)
			}
			// Decode(Encode(x)) keeps the count.
			var e Encoder
			b, err := e.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			back := mustDecode(t, string(b))
			if back.Records[0].Row.Count != tc.want {
				t.Errorf("after a round trip: %d, want %d", back.Records[0].Row.Count, tc.want)
			}
		})
	}
}

// TestDateOutOfRangeRejected guards <begin>/<end>: 19-digit values
// overflowed int64 into a year of −267666662216; a date outside the years
// 1 to 9999 is now dropped with a warning.
func TestDateOutOfRangeRejected(t *testing.T) {
	for _, tc := range []struct {
		name, begin string
		want        time.Time
		warn        string
	}{
		{"nineteen digits", "9999999999999999999", time.Time{}, "report.out-of-range"},
		{"negative nineteen digits", "-9999999999999999999", time.Time{}, "report.out-of-range"},
		{"year 10000", "253402300800", time.Time{}, "report.out-of-range"},
		{"year 9999", "253402300799", time.Unix(253402300799, 0).UTC(), ""},
		{"year 1", "-62135596800", time.Unix(-62135596800, 0).UTC(), ""},
		{"year 0", "-62135596801", time.Time{}, "report.out-of-range"},
		{"fraction", "1700000000.5", time.Unix(1700000000, 0).UTC(), "report.bad-number"},
		{"garbage", "soon", time.Time{}, "report.bad-number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(minimal, "<begin>1700000000</begin>", "<begin>"+tc.begin+"</begin>", 1)
			a := mustDecode(t, doc)
			if got := a.Metadata.DateRange.Begin; !got.Equal(tc.want) {
				t.Errorf("begin %s read as %v, want %v", tc.begin, got, tc.want)
			}
			if tc.warn != "" && !hasWarning(a, tc.warn) {
				t.Errorf("no %s warning: %v", tc.warn, a.Warnings)
			}
			if tc.warn == "" && (hasWarning(a, "report.out-of-range") || hasWarning(a, "report.bad-number")) {
				t.Errorf("unexpected warnings %v", a.Warnings)
			}
		})
	}
}

// distinctFromReport returns a report with n records, each from its own
// header From domain, all failing DMARC.
func distinctFromReport(n int) *Aggregate {
	a := &Aggregate{Metadata: Metadata{OrgName: "r", ReportID: "1"}, Policy: PolicyPublished{Domain: "example.com"}}
	for i := range n {
		var r Record
		r.Row.Count = 1
		r.Row.PolicyEvaluated = PolicyEvaluated{Disposition: DispositionNone, DKIM: DMARCResultFail, SPF: DMARCResultFail}
		r.Identifiers.HeaderFrom = fmt.Sprintf("d%07d.example", (i*7919)%n)
		r.AuthResults.SPF = []SPFAuthResult{{Domain: fmt.Sprintf("bounce%d.example.net", i), Result: SPFResultPass}}
		a.Records = append(a.Records, r)
	}
	return a
}

// TestSummaryManyDistinctFindings guards Summary.Add's cost in distinct
// findings (each insertion shifted and re-indexed every later finding:
// 20,000 From domains took 17 s): the findings stay sorted and complete,
// and one report or the merge of its halves give the same summary.
func TestSummaryManyDistinctFindings(t *testing.T) {
	n := 20_000
	if raceEnabled {
		n = 2_000
	}
	a := distinctFromReport(n)
	start := time.Now()
	s := Summarize(a)
	took := time.Since(start)
	if got := len(s.Findings); got != n {
		t.Fatalf("%d findings, want %d", got, n)
	}
	if !slices.IsSortedFunc(s.Findings, compareFinding) {
		t.Error("findings not sorted")
	}
	h1, h2 := *a, *a
	h1.Records, h2.Records = a.Records[:n/2], a.Records[n/2:]
	m := Summarize(&h2)
	m.Merge(Summarize(&h1))
	if !slices.Equal(findingKeys(m), findingKeys(s)) {
		t.Error("merged halves differ from the whole")
	}
	t.Logf("%d distinct From domains summarised in %v", n, took)
}

func findingKeys(s *Summary) []string {
	var out []string
	for _, f := range s.Findings {
		out = append(out, fmt.Sprint(f.Code, f.HeaderFrom, f.Detail, f.Messages))
	}
	return out
}

// BenchmarkSummaryDistinctDomains: Summary.Add with 20,000 distinct
// failing From domains in one report.
func BenchmarkSummaryDistinctDomains(b *testing.B) {
	a := distinctFromReport(20_000)
	b.ReportAllocs()
	for b.Loop() {
		Summarize(a)
	}
}

// oneRecord returns a report whose single record repeats the list entry
// (element) n times, or whose metadata repeats <error> n times when
// element is "error".
func oneRecord(element string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<feedback xmlns:x="urn:x"><report_metadata><report_id>1</report_id>`)
	if element == "error" {
		for range n {
			b.WriteString("<error>e</error>")
		}
	}
	b.WriteString(`</report_metadata><policy_published><domain>example.com</domain></policy_published><record><row><count>1</count><policy_evaluated><disposition>none</disposition>`)
	if element == "reason" {
		for range n {
			b.WriteString("<reason><type>other</type></reason>")
		}
	}
	b.WriteString(`</policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results>`)
	if element == "dkim" {
		for range n {
			b.WriteString("<dkim><domain>example.com</domain><result>pass</result></dkim>")
		}
	}
	if element == "spf" {
		for range n {
			b.WriteString("<spf><domain>example.com</domain><result>pass</result></spf>")
		}
	}
	b.WriteString(`</auth_results>`)
	if element == "extension" {
		for range n {
			b.WriteString("<x:e>1</x:e>")
		}
	}
	b.WriteString(`</record></feedback>`)
	return b.Bytes()
}

func listLen(a *Aggregate, element string) int {
	r := a.Records[0]
	switch element {
	case "dkim":
		return len(r.AuthResults.DKIM)
	case "spf":
		return len(r.AuthResults.SPF)
	case "reason":
		return len(r.Row.PolicyEvaluated.Reasons)
	case "extension":
		return len(r.Extensions)
	}
	return len(a.Metadata.Errors)
}

var listElements = []string{"dkim", "spf", "reason", "extension", "error"}

// TestRecordListsKeepMaxResults guards one record's lists (RFC 9990 §3.1.3:
// a row SHOULD carry at most 100 DKIM signatures): with the default limits
// the first 100 entries of each list are kept and the rest counted in
// report.results-dropped.
func TestRecordListsKeepMaxResults(t *testing.T) {
	for _, el := range listElements {
		t.Run(el, func(t *testing.T) {
			a, err := Decode(bytes.NewReader(oneRecord(el, 150)))
			if err != nil {
				t.Fatal(err)
			}
			if got := listLen(a, el); got != 100 {
				t.Errorf("%d <%s> kept, want 100", got, el)
			}
			i := slices.IndexFunc(a.Warnings, func(w Warning) bool { return w.Code == "report.results-dropped" })
			if i < 0 || a.Warnings[i].Count != 50 {
				t.Errorf("want report.results-dropped counting 50, got %v", a.Warnings)
			}
		})
	}
}

// TestDefaultLimitRecordEntries guards the hard bound on one record's
// entries at its default (10,000), for Decode and Stream, and the reduced
// MaxResults and MaxRecordEntries settings.
func TestDefaultLimitRecordEntries(t *testing.T) {
	for _, el := range listElements {
		t.Run(el, func(t *testing.T) {
			doc := oneRecord(el, 10_000)
			if _, err := Decode(bytes.NewReader(doc)); err != nil {
				t.Fatalf("10,000 entries: %v", err)
			}
			doc = oneRecord(el, 10_001)
			_, err := Decode(bytes.NewReader(doc))
			if de, ok := errors.AsType[*DecodeError](err); !ok || !errors.Is(err, ErrLimit) || de.Limit != "MaxRecordEntries" {
				t.Fatalf("10,001 entries: got %v, want ErrLimit MaxRecordEntries", err)
			}
			st, err := (&Decoder{}).Stream(bytes.NewReader(doc))
			if err == nil {
				_, err = st.Next()
			}
			if !errors.Is(err, ErrLimit) {
				t.Errorf("Stream, 10,001 entries: got %v, want ErrLimit", err)
			}
			dec := Decoder{MaxResults: 3, MaxRecordEntries: 20}
			if a, err := dec.Decode(bytes.NewReader(oneRecord(el, 20))); err != nil || listLen(a, el) != 3 {
				t.Errorf("MaxResults 3: %v", err)
			}
			if _, err := dec.Decode(bytes.NewReader(oneRecord(el, 21))); !errors.Is(err, ErrLimit) {
				t.Errorf("MaxRecordEntries 20, 21 entries: got %v, want ErrLimit", err)
			}
		})
	}
}

// TestStreamOneHugeRecordFlat guards Stream's flat memory inside one
// record: 10 M <dkim> results used 2.3 GB. With the hard bound lifted, the
// results past MaxResults are read without being kept.
func TestStreamOneHugeRecordFlat(t *testing.T) {
	n := 300_000
	if raceEnabled || testing.Short() {
		n = 30_000
	}
	doc := oneRecord("dkim", n)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	st, err := (&Decoder{MaxRecordEntries: -1}).Stream(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.Next()
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if len(r.AuthResults.DKIM) != 100 {
		t.Errorf("%d results kept, want 100", len(r.AuthResults.DKIM))
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("reading one record of %d results allocated %d bytes, want < 4 MiB", n, got)
	}
}

// storedGzip and storedZip write b without compression, so that a test can
// change one byte of the document inside.
func storedGzip(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func storedZip(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.CreateHeader(&zip.FileHeader{Name: "r.xml", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	f.Write(b)
	w.Close()
	return buf.Bytes()
}

// TestChecksumMismatchIsError guards the CRC-32 checks of gzip and zip: one
// changed byte turned 5 messages into 9 while gzip -t and unzip -t object.
// A mismatch is an ErrContainer error, for Decode and Stream, also when the
// corrupt layer is an outer one.
func TestChecksumMismatchIsError(t *testing.T) {
	doc := []byte(countReport("5"))
	corrupt := func(b []byte) []byte {
		b = bytes.Clone(b)
		i := bytes.Index(b, []byte("<count>5<"))
		if i < 0 {
			t.Fatal("no count in the stored data")
		}
		b[i+7] = '9'
		return b
	}
	trailerFlip := func(b []byte) []byte {
		b = bytes.Clone(b)
		b[len(b)-5] ^= 1 // last byte of the outer CRC-32
		return b
	}
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"gzip", corrupt(storedGzip(doc))},
		{"zip", corrupt(storedZip(t, doc))},
		{"gzip in zip", storedZip(t, corrupt(storedGzip(doc)))},
		{"outer gzip of two", trailerFlip(storedGzip(gz(doc)))},
		{"zip in gzip", gz(corrupt(storedZip(t, doc)))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(bytes.NewReader(tc.in))
			if !errors.Is(err, ErrContainer) {
				t.Errorf("Decode: got %v, want ErrContainer", err)
			}
			st, err := (&Decoder{}).Stream(bytes.NewReader(tc.in))
			if err == nil {
				for _, err = range st.All() {
					if err != nil {
						break
					}
				}
			}
			if !errors.Is(err, ErrContainer) {
				t.Errorf("Stream: got %v, want ErrContainer", err)
			}
		})
	}
	// The intact forms decode.
	for _, in := range [][]byte{storedGzip(doc), storedZip(t, doc), storedGzip(gz(doc))} {
		if a, err := Decode(bytes.NewReader(in)); err != nil || a.Messages() != 5 {
			t.Errorf("intact: %v", err)
		}
	}
}

// TestTrailingContentWarns guards what follows </feedback>: a second
// report there was dropped silently.
func TestTrailingContentWarns(t *testing.T) {
	doc := countReport("5")
	for _, tc := range []struct {
		name, tail string
		warn       bool
		detail     string
	}{
		{"second report", "\n" + doc, true, "another <feedback> report"},
		{"junk", "\nxyz", true, `"xyz"`},
		{"white space and NULs", "\r\n\x00\x00 \n", false, ""},
		{"comment and PI", "\n<!-- done --><?pi x?>\n", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, in := range [][]byte{[]byte(doc + tc.tail), gz([]byte(doc + tc.tail))} {
				a, err := Decode(bytes.NewReader(in))
				if err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(a.Warnings, func(w Warning) bool { return w.Code == "report.trailing-content" })
				if (i >= 0) != tc.warn {
					t.Fatalf("warnings %v; want trailing-content: %v", a.Warnings, tc.warn)
				}
				if tc.warn && !strings.Contains(a.Warnings[i].Message, tc.detail) {
					t.Errorf("message %q does not say %s", a.Warnings[i].Message, tc.detail)
				}
				if a.Messages() != 5 {
					t.Errorf("%d messages, want the first report's 5", a.Messages())
				}
			}
		})
	}
}

// dirBombZip returns a zip archive whose one real member (stored) holds
// member, followed in the central directory by junk entries of 46 bytes
// each; the end record counts the entries modulo 65,536, as archive/zip
// checks them.
func dirBombZip(member []byte, junk int) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	crc := crc32.ChecksumIEEE(member)
	name := []byte("r.xml")
	b.Write([]byte("PK\x03\x04"))
	b.Write(le.AppendUint16(nil, 20))
	b.Write(make([]byte, 4)) // flags, method (stored)
	b.Write(make([]byte, 4)) // time, date
	b.Write(le.AppendUint32(nil, crc))
	b.Write(le.AppendUint32(nil, uint32(len(member))))
	b.Write(le.AppendUint32(nil, uint32(len(member))))
	b.Write(le.AppendUint16(nil, uint16(len(name))))
	b.Write(le.AppendUint16(nil, 0))
	b.Write(name)
	b.Write(member)
	dirOff := b.Len()
	central := func(name []byte, crc uint32, size int) {
		b.Write([]byte("PK\x01\x02"))
		b.Write(le.AppendUint16(nil, 20))
		b.Write(le.AppendUint16(nil, 20))
		b.Write(make([]byte, 8)) // flags, method, time, date
		b.Write(le.AppendUint32(nil, crc))
		b.Write(le.AppendUint32(nil, uint32(size)))
		b.Write(le.AppendUint32(nil, uint32(size)))
		b.Write(le.AppendUint16(nil, uint16(len(name))))
		b.Write(make([]byte, 12))        // extra, comment, disk, attrs
		b.Write(le.AppendUint32(nil, 0)) // external attrs
		b.Write(le.AppendUint32(nil, 0)) // local header offset
		b.Write(name)
	}
	central(name, crc, len(member))
	for range junk {
		central(nil, 0, 0)
	}
	dirSize := b.Len() - dirOff
	b.Write([]byte("PK\x05\x06"))
	b.Write(make([]byte, 4))
	b.Write(le.AppendUint16(nil, uint16(junk+1)))
	b.Write(le.AppendUint16(nil, uint16(junk+1)))
	b.Write(le.AppendUint32(nil, uint32(dirSize)))
	b.Write(le.AppendUint32(nil, uint32(dirOff)))
	b.Write(le.AppendUint16(nil, 0))
	return b.Bytes()
}

// TestZipDirectoryEntriesBounded guards the zip directory: 1.39 M entries
// in a 64 MiB archive made archive/zip hold 437 MB. The entries are counted
// before the directory is parsed.
func TestZipDirectoryEntriesBounded(t *testing.T) {
	doc := []byte(countReport("5"))
	if a, err := Decode(bytes.NewReader(dirBombZip(doc, 0))); err != nil || a.Messages() != 5 {
		t.Fatalf("the hand-made zip without junk does not decode: %v", err)
	}
	for _, tc := range []struct {
		name string
		dec  Decoder
		junk int
	}{
		{"default, 17 entries", Decoder{}, 16},
		{"default, 65,537 entries (end record says 1)", Decoder{}, 65_536},
		{"reduced to 1", Decoder{MaxArchiveEntries: 1}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.dec.Decode(bytes.NewReader(gz(dirBombZip(doc, tc.junk))))
			if de, ok := errors.AsType[*DecodeError](err); !ok || !errors.Is(err, ErrLimit) || de.Limit != "MaxArchiveEntries" {
				t.Errorf("got %v, want ErrLimit MaxArchiveEntries", err)
			}
		})
	}
}

// TestDefaultLimitZipDirectoryBomb: the reported input, a gzip file holding
// nested zips of 64 MiB whose directories have 1.39 M entries, is refused
// at the first layer with the default limits, holding about one archive.
func TestDefaultLimitZipDirectoryBomb(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("builds 64 MiB archives; the reduced limits are tested in TestZipDirectoryEntriesBounded")
	}
	in := []byte(countReport("5"))
	for range 2 {
		in = dirBombZip(in, (64<<20-len(in))/46-100)
	}
	in = gz(in)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Decode(bytes.NewReader(in))
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("got %v, want ErrLimit", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 80<<20 {
		t.Errorf("allocated %d MiB for a %d KB input, want < 80 MiB", got>>20, len(in)>>10)
	}
}

// TestZipInsideZipRefused: a zip inside a zip (directly, or through gzip)
// is not read, so that layers cannot multiply the archives in memory; all
// zip layers share one MaxArchiveSize budget.
func TestZipInsideZipRefused(t *testing.T) {
	doc := []byte(countReport("5"))
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"zip in zip", storedZip(t, storedZip(t, doc))},
		{"zip in gzip in zip", storedZip(t, gz(storedZip(t, doc)))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(bytes.NewReader(tc.in))
			if !errors.Is(err, ErrNotReport) || !strings.Contains(err.Error(), "zip archive inside a zip archive") {
				t.Errorf("got %v, want ErrNotReport for a zip inside a zip", err)
			}
		})
	}
	if a, err := Decode(bytes.NewReader(gz(storedZip(t, gz(doc))))); err != nil || a.Messages() != 5 {
		t.Errorf("gzip/zip/gzip: %v", err)
	}
}

// multipartEmail returns a message whose parts are given as (header,
// body) pairs.
func multipartEmail(parts ...string) []byte {
	var b bytes.Buffer
	b.WriteString("From: dmarc@receiver.example\r\nTo: rua@example.com\r\nSubject: Report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BB\"\r\n\r\n")
	for i := 0; i < len(parts); i += 2 {
		b.WriteString("--BB\r\n" + parts[i] + "\r\n\r\n" + parts[i+1] + "\r\n")
	}
	b.WriteString("--BB--\r\n")
	return b.Bytes()
}

// TestEmailTriesEachPart guards the search for the report in an email: a
// first XML part that is no report made the whole message fail.
func TestEmailTriesEachPart(t *testing.T) {
	doc := countReport("5")
	for _, tc := range []struct {
		name  string
		parts []string
	}{
		{"xml that is no report first", []string{"Content-Type: text/xml", "<html><body>hi</body></html>",
			"Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64", b64(gz([]byte(doc)))}},
		{"empty attachment first", []string{"Content-Type: application/gzip", "",
			"Content-Type: text/xml", doc}},
		{"base64 garbage first", []string{"Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64", "!!!! ????",
			"Content-Type: text/xml", doc}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Decode(bytes.NewReader(multipartEmail(tc.parts...)))
			if err != nil {
				t.Fatal(err)
			}
			if a.Messages() != 5 {
				t.Errorf("%d messages, want 5", a.Messages())
			}
		})
	}
}

// TestEmailBase64GarbageSaysSo guards the error for an attachment that is
// not base64: it was reported as an empty file.
func TestEmailBase64GarbageSaysSo(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"no base64 characters", "!!!! ????", "hold no base64 text"},
		{"bad padding", "A===", "not valid base64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := multipartEmail("Content-Type: text/plain", "hello",
				"Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64", tc.body)
			_, err := Decode(bytes.NewReader(in))
			if !errors.Is(err, ErrNotReport) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// TestEmailManyPartsBoundedError guards the error for an email of many
// non-report parts (1.5 M parts gave an 18 MB one-line error): the parts
// examined are bounded (MaxEmailParts, 100 by default) and the error lists
// a few media types and a count.
func TestEmailManyPartsBoundedError(t *testing.T) {
	var parts []string
	for range 100 {
		parts = append(parts, "Content-Type: text/plain", "x")
	}
	_, err := Decode(bytes.NewReader(multipartEmail(parts...)))
	if !errors.Is(err, ErrNotReport) || !strings.Contains(err.Error(), "among the 100 parts (text/plain, text/plain, text/plain, text/plain, text/plain, and 95 more)") {
		t.Errorf("100 parts: got %v", err)
	}
	parts = append(parts, "Content-Type: text/plain", "x")
	_, err = Decode(bytes.NewReader(multipartEmail(parts...)))
	if de, ok := errors.AsType[*DecodeError](err); !ok || !errors.Is(err, ErrLimit) || de.Limit != "MaxEmailParts" || len(err.Error()) > 200 {
		t.Errorf("101 parts: got %v, want a short ErrLimit MaxEmailParts", err)
	}
	if _, err := (&Decoder{MaxEmailParts: 2}).Decode(bytes.NewReader(multipartEmail(parts[:6]...))); !errors.Is(err, ErrLimit) {
		t.Errorf("MaxEmailParts 2, 3 parts: got %v", err)
	}
}

// TestSummaryAddStreamEqualsAdd: summarising a report streamed record by
// record (what report summary does, so that memory stays flat per file)
// gives the same summary as Add of the decoded report; an error adds
// nothing.
func TestSummaryAddStreamEqualsAdd(t *testing.T) {
	doc := genBytes(2_000)
	a, err := Decode(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := Summarize(a)
	want.Add(sesReport())
	got := &Summary{}
	st, err := (&Decoder{}).Stream(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := got.AddStream(st); err != nil {
		t.Fatal(err)
	}
	got.Add(sesReport())
	if d := cmp.Diff(want, got, summaryCmp); d != "" {
		t.Errorf("AddStream differs from Add (-Add +AddStream):\n%s", d)
	}
	st, err = (&Decoder{MaxRecords: 10}).Stream(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	before := got.Reports
	if err := got.AddStream(st); !errors.Is(err, ErrLimit) || got.Reports != before {
		t.Errorf("a failing stream: err %v, reports %d -> %d", err, before, got.Reports)
	}
}

// spaces is an endless reader of white space after a report's header.
type spaces struct{ head []byte }

func (s *spaces) Read(p []byte) (int, error) {
	if len(s.head) > 0 {
		n := copy(p, s.head)
		s.head = s.head[n:]
		return n, nil
	}
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// TestDefaultLimitDocumentSize: with the default limits, a document past
// 1 GiB fails with ErrLimit (MaxDocumentSize) after reading no more than
// that; TestLimits covers a reduced limit.
func TestDefaultLimitDocumentSize(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("reads 1 GiB")
	}
	_, err := Decode(&spaces{head: []byte("<feedback><policy_published><domain>example.com</domain></policy_published>")})
	if de, ok := errors.AsType[*DecodeError](err); !ok || !errors.Is(err, ErrLimit) || de.Limit != "MaxDocumentSize" {
		t.Fatalf("got %v, want ErrLimit MaxDocumentSize", err)
	}
}

// TestDefaultLimitRecords: with the default limits, Decode reads 1,000,000
// records and fails with ErrLimit (MaxRecords) at the next; TestLimits
// covers a reduced limit.
func TestDefaultLimitRecords(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("decodes a million records")
	}
	_, err := Decode(bytes.NewReader(tinyRecords(1_000_001)))
	if de, ok := errors.AsType[*DecodeError](err); !ok || !errors.Is(err, ErrLimit) || de.Limit != "MaxRecords" {
		t.Fatalf("got %v, want ErrLimit MaxRecords", err)
	}
	a, err := Decode(bytes.NewReader(tinyRecords(1_000_000)))
	if err != nil || len(a.Records) != 1_000_000 {
		t.Fatalf("a million records: %v", err)
	}
}
