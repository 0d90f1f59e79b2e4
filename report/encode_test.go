package report

import (
	"bytes"
	"compress/gzip"
	"errors"
	"github.com/domainauth/domainauth/internal/shared"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var cmpOpts = cmp.Options{
	cmpopts.EquateComparable(netip.Addr{}),
	cmpopts.EquateEmpty(),
	cmpopts.IgnoreFields(Aggregate{}, "Warnings"),
}

var (
	samplesOnce  sync.Once
	samplesCache map[string]*Aggregate
)

// samples decodes every conformance file that decodes (once; callers must
// not modify the reports).
func samples(t testing.TB) map[string]*Aggregate {
	dir, es := loadOracle(t)
	samplesOnce.Do(func() { samplesCache = decodeSamples(t, dir, es) })
	out := map[string]*Aggregate{}
	for k, v := range samplesCache {
		out[k] = v
	}
	return out
}

func decodeSamples(t testing.TB, dir string, es []oracleEntry) map[string]*Aggregate {
	out := map[string]*Aggregate{}
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		a, err := Decode(bytes.NewReader(b))
		if err != nil {
			continue
		}
		out[e.File] = a
	}
	return out
}

// TestRoundTrip: Decode(Encode(x)) == Normalize(x) and Normalize is
// idempotent, for every sample in both schemas.
func TestRoundTrip(t *testing.T) {
	for name, a := range samples(t) {
		for _, s := range []Schema{SchemaRFC9990, SchemaRFC7489} {
			enc := &Encoder{Schema: s}
			b, err := enc.Marshal(a)
			if err != nil {
				t.Fatalf("%s %v: %v", name, s, err)
			}
			got, err := Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s %v: decode of encoded: %v\n%s", name, s, err, b)
			}
			want := enc.Normalize(a)
			if d := cmp.Diff(want, got, cmpOpts); d != "" {
				t.Errorf("%s %v: round trip (-normalized +decoded):\n%s", name, s, d)
			}
			if d := cmp.Diff(want, enc.Normalize(want), cmpOpts); d != "" {
				t.Errorf("%s %v: Normalize not idempotent:\n%s", name, s, d)
			}
			// For a report already in schema form, the round trip is exact.
			b2, err := enc.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Decode(bytes.NewReader(b2))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, again, cmpOpts); d != "" || !bytes.Equal(b, b2) {
				t.Errorf("%s %v: decode(encode(x)) != x for normalized x:\n%s", name, s, d)
			}
			for _, w := range got.Warnings {
				if w.Code != "report.multi-day-window" && w.Code != "report.empty-element" {
					t.Errorf("%s %v: encoded report decodes with warning %s", name, s, w)
				}
			}
		}
	}
}

// TestSchemaValid validates the encoder's output for every sample with
// xmllint against the RFC 9990 schema (verbatim) and the RFC 7489 schema
// (repaired so that it compiles: derived/dmarc-rfc7489.nonamespace.xsd).
func TestSchemaValid(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		shared.Skip(t, "xmllint not installed (apt-get install libxml2-utils): no schema validation")
	}
	schemas := sharedDir(t, "schemas")
	tmp := t.TempDir()
	all := samples(t)
	all["builder"] = builtSample()
	// Also every sample rebuilt through the Builder, as a receiver would.
	for name, a := range samples(t) {
		all["rebuilt "+name] = rebuild(a)
	}
	for _, c := range []struct {
		schema Schema
		xsd    string
	}{
		{SchemaRFC9990, filepath.Join(schemas, "dmarc-aggregate-2.0.xsd")},
		{SchemaRFC7489, filepath.Join(schemas, "derived", "dmarc-rfc7489.nonamespace.xsd")},
	} {
		var files []string
		i := 0
		for _, a := range all {
			b, err := (&Encoder{Schema: c.schema}).Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			i++
			f := filepath.Join(tmp, c.schema.String()[4:]+"-"+itoa(int64(i))+".xml")
			if err := os.WriteFile(f, b, 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		args := append([]string{"--noout", "--schema", c.xsd}, files...)
		out, err := exec.Command(xmllint, args...).CombinedOutput()
		if err != nil {
			t.Errorf("%v: xmllint: %v\n%s", c.schema, err, out)
			continue
		}
		if n := strings.Count(string(out), " validates"); n != len(files) || strings.Contains(string(out), "error") {
			t.Errorf("%v: %d of %d files validate:\n%s", c.schema, n, len(files), out)
		}
		t.Logf("%v: %d reports validate against %s", c.schema, len(files), filepath.Base(c.xsd))
	}
}

func builtSample() *Aggregate {
	b := &Builder{
		Metadata: Metadata{OrgName: "receiver.example", Email: "dmarc@receiver.example", ReportID: "r1@receiver.example",
			DateRange: DateRange{Begin: time.Unix(1700000000, 0), End: time.Unix(1700086399, 0)}},
		Policy: PolicyPublished{Domain: "example.com", P: DispositionReject, NP: DispositionReject, Testing: TestingNo},
	}
	ip := netip.MustParseAddr("2001:db8::25")
	for range 3 {
		b.Add(Evaluation{SourceIP: ip, HeaderFrom: "example.com", EnvelopeFrom: "us-west-2.amazonses.com",
			Disposition: DispositionNone, DKIM: DMARCResultPass, SPF: DMARCResultFail,
			DKIMResults: []DKIMAuthResult{{Domain: "example.com", Selector: "abc", Result: DKIMResultPass}, {Domain: "amazonses.com", Selector: "def", Result: DKIMResultPass}},
			SPFResults:  []SPFAuthResult{{Domain: "us-west-2.amazonses.com", Scope: SPFScopeMFrom, Result: SPFResultPass}}})
	}
	b.Add(Evaluation{SourceIP: netip.MustParseAddr("192.0.2.1"), HeaderFrom: "example.com", Disposition: DispositionReject,
		DKIM: DMARCResultFail, SPF: DMARCResultFail, Reasons: []PolicyOverrideReason{{Type: OverrideTypeLocalPolicy, Comment: "x & <y>"}}})
	return b.Aggregate()
}

func TestEncodeNoRecords(t *testing.T) {
	var e Encoder
	if err := e.Encode(io.Discard, &Aggregate{}); !errors.Is(err, ErrNoRecords) {
		t.Fatalf("got %v, want ErrNoRecords", err)
	}
}

func TestEncodeGzipRoundTrip(t *testing.T) {
	a := builtSample()
	var buf bytes.Buffer
	e := Encoder{Schema: SchemaRFC7489}
	if err := e.EncodeGzip(&buf, a); err != nil {
		t.Fatal(err)
	}
	if _, err := gzip.NewReader(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(e.Normalize(a), got, cmpOpts); d != "" {
		t.Error(d)
	}
}

// rebuild feeds a report's records to a Builder as per-message evaluations.
func rebuild(a *Aggregate) *Aggregate {
	b := &Builder{Metadata: a.Metadata, Policy: a.Policy}
	for _, r := range a.Records {
		pe := r.Row.PolicyEvaluated
		b.Add(Evaluation{SourceIP: r.Row.SourceIP, HeaderFrom: r.Identifiers.HeaderFrom, EnvelopeFrom: r.Identifiers.EnvelopeFrom,
			EnvelopeTo: r.Identifiers.EnvelopeTo, Disposition: pe.Disposition, DKIM: pe.DKIM, SPF: pe.SPF, Reasons: pe.Reasons,
			DKIMResults: r.AuthResults.DKIM, SPFResults: r.AuthResults.SPF, Count: r.Row.Count})
	}
	return b.Aggregate()
}
