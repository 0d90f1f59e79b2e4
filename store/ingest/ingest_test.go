package ingest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/internal/shared"
	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
	"github.com/domainauth/domainauth/zone"
)

var day = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// aggregate returns a small report from org with the given ID.
func aggregate(org, id string, records int) *report.Aggregate {
	a := &report.Aggregate{
		Metadata: report.Metadata{OrgName: org, Email: "dmarc@" + org, ReportID: id,
			DateRange: report.DateRange{Begin: day, End: day.Add(24*time.Hour - time.Second)}},
		Policy: report.PolicyPublished{Domain: "example.com", P: report.DispositionReject},
	}
	for i := range records {
		var r report.Record
		r.Row.SourceIP = netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})
		r.Row.Count = uint64(i + 1)
		r.Row.PolicyEvaluated = report.PolicyEvaluated{Disposition: report.DispositionNone,
			DKIM: report.DMARCResultPass, SPF: report.DMARCResultFail}
		r.Identifiers.HeaderFrom = "example.com"
		r.AuthResults.DKIM = []report.DKIMAuthResult{{Domain: "example.com", Result: report.DKIMResultPass}}
		a.Records = append(a.Records, r)
	}
	return a
}

// marshal returns a report's XML.
func marshal(t *testing.T, a *report.Aggregate) []byte {
	t.Helper()
	var enc report.Encoder
	data, err := enc.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// email returns a report's email, signed by signer when it is not nil.
func email(t *testing.T, a *report.Aggregate, signer *dkim.Signer) []byte {
	t.Helper()
	var buf bytes.Buffer
	var enc report.Encoder
	if err := enc.EncodeEmail(&buf, a, report.Email{From: a.Metadata.Email, To: "dmarc@example.com",
		Receiver: a.Metadata.OrgName, Date: day.Add(30 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if signer == nil {
		return buf.Bytes()
	}
	sig, err := signer.Sign(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(sig), buf.Bytes()...)
}

// signerFor returns a signer for domain and a zone holding its key.
func signerFor(t *testing.T, domain string, z *zone.Zone) *dkim.Signer {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := dkim.NewKeyRecord(pub)
	if err != nil {
		t.Fatal(err)
	}
	z.AddTXT("sel._domainkey."+domain, kr.String())
	return &dkim.Signer{Domain: domain, Selector: "sel", Key: priv}
}

func newStore(t *testing.T) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// mboxOf joins messages into an mbox, quoting body lines that start with
// "From " as mboxrd does.
func mboxOf(msgs ...[]byte) []byte {
	var b bytes.Buffer
	for _, m := range msgs {
		b.WriteString("From MAILER-DAEMON Thu Mar  2 06:00:00 2026\n")
		for _, line := range strings.SplitAfter(strings.ReplaceAll(string(m), "\r\n", "\n"), "\n") {
			if strings.HasPrefix(strings.TrimLeft(line, ">"), "From ") {
				b.WriteByte('>')
			}
			b.WriteString(line)
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// TestSources: files, an .eml, an mbox, a Maildir and junk, in one run,
// with the summary counts and the trust verdicts.
func TestSources(t *testing.T) {
	dir := t.TempDir()
	z := zone.New()
	good := signerFor(t, "reporter.example", z)
	other := signerFor(t, "elsewhere.example", z)

	xml := marshal(t, aggregate("files.example", "f1", 3))
	write(t, filepath.Join(dir, "files", "a.xml"), xml)
	write(t, filepath.Join(dir, "files", "copy.xml"), xml)
	write(t, filepath.Join(dir, "files", "notes.txt"), []byte("not a report\n"))
	write(t, filepath.Join(dir, "files", ".hidden.xml"), []byte("ignored"))
	write(t, filepath.Join(dir, "signed.eml"), email(t, aggregate("reporter.example", "e1", 2), good))

	// An mbox: signed by the reporter, signed by someone else, unsigned, and
	// one whose body has a line starting with "From ".
	quoted := aggregate("reporter.example", "m4", 1)
	quoted.Metadata.ExtraContactInfo = "x"
	write(t, filepath.Join(dir, "reports.mbox"), mboxOf(
		email(t, aggregate("reporter.example", "m1", 4), good),
		email(t, aggregate("reporter.example", "m2", 4), other),
		email(t, aggregate("reporter.example", "m3", 4), nil),
		[]byte("From: a@b.example\nSubject: hello\n\nFrom the desk of nobody: not a report.\n"),
	))
	// A Maildir: cur and new count, tmp does not.
	md := filepath.Join(dir, "Maildir")
	write(t, filepath.Join(md, "cur", "1:2,S"), email(t, aggregate("reporter.example", "d1", 2), good))
	write(t, filepath.Join(md, "new", "2"), email(t, aggregate("reporter.example", "d2", 2), nil))
	write(t, filepath.Join(md, "tmp", "3"), email(t, aggregate("reporter.example", "d3", 2), nil))

	forEngines(t, store.Options{}, func(t *testing.T, s store.Store) {
		in := &Ingester{Store: s, Resolver: z, Clock: fixedClock{day.Add(48 * time.Hour)}, Concurrency: 3}
		res, err := in.Run(context.Background(), []string{filepath.Join(dir, "files"), filepath.Join(dir, "signed.eml"),
			filepath.Join(dir, "reports.mbox"), md})
		if err != nil {
			t.Fatal(err)
		}
		want := Result{Ingested: 7, Records: 3 + 2 + 4 + 4 + 4 + 2 + 2, Duplicates: 1, Rejected: 2,
			Reasons: map[string]int{ReasonNotReport: 2}}
		res.Rejections = nil
		if fmt.Sprint(res) != fmt.Sprint(want) {
			t.Errorf("Run = %+v\nwant  %+v", res, want)
		}
		if got, wantLine := res.String(), "ingested 7 reports (21 records), 1 duplicate, 0 conflicts, 2 rejected (not a report: 2)"; got != wantLine {
			t.Errorf("summary line %q, want %q", got, wantLine)
		}
		reps, err := s.Reports(context.Background(), store.Filter{}, store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		sigs := map[string]string{}
		for _, r := range reps {
			sigs[r.ReportID] = r.Signature.String() + " " + r.SignedBy
		}
		wantSigs := map[string]string{"f1": "not-email ", "e1": "pass reporter.example", "m1": "pass reporter.example",
			"m2": "fail ", "m3": "fail ", "d1": "pass reporter.example", "d2": "fail "}
		if fmt.Sprint(sigs) != fmt.Sprint(wantSigs) {
			t.Errorf("signatures %v\nwant       %v", sigs, wantSigs)
		}

		// Again: everything is a duplicate.
		res, err = in.Run(context.Background(), []string{dir})
		if err != nil {
			t.Fatal(err)
		}
		if res.Ingested != 0 || res.Duplicates != 8 || res.Rejected != 2 {
			t.Errorf("second run %+v, want 8 duplicates", res)
		}
	})
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// TestMboxMessageLimit: a message past MaxMessageSize is rejected alone,
// and the ones after it are read.
func TestMboxMessageLimit(t *testing.T) {
	dir := t.TempDir()
	small := email(t, aggregate("r.example", "small", 1), nil)
	big := email(t, aggregate("r.example", "big", 300), nil)
	after := email(t, aggregate("r.example", "after", 1), nil)
	limit := int64(len(small) + 100)
	if int64(len(big)) <= limit {
		t.Fatalf("the big message (%d bytes) is not past the limit %d", len(big), limit)
	}
	write(t, filepath.Join(dir, "x.mbox"), mboxOf(small, big, after))
	s := newStore(t)
	in := &Ingester{Store: s, MaxMessageSize: limit}
	res, err := in.Run(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ingested != 2 || res.Rejected != 1 || res.Reasons[ReasonMessageSize] != 1 ||
		!strings.HasSuffix(res.Rejections[0].Item, "x.mbox#2") {
		t.Errorf("Run = %+v, want 2 ingested and message 2 rejected as too large", res)
	}
}

// TestDefaultLimitMaxMessageSize: with the default limits, an .eml of
// 64 MiB plus one byte is rejected without being read further.
func TestDefaultLimitMaxMessageSize(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 64 MiB")
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "big.eml"))
	if err != nil {
		t.Fatal(err)
	}
	head := "From: a@b.example\nSubject: big\n\n"
	f.WriteString(head)
	if err := f.Truncate(64<<20 + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res, err := (&Ingester{Store: newStore(t)}).Run(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rejected != 1 || res.Reasons[ReasonMessageSize] != 1 {
		t.Errorf("Run = %+v, want the message rejected as too large", res)
	}
}

// TestConformance ingests the shared samples of both kinds; what a
// decoder refuses is rejected with a reason, never an error.
func TestConformance(t *testing.T) {
	agg := shared.Require(t, "conformance", "dmarc-aggregate")
	tls := shared.Require(t, "conformance", "tlsrpt")
	ruf := shared.Require(t, "conformance", "dmarc-failure")
	forEngines(t, store.Options{}, func(t *testing.T, s store.Store) {
		res, err := (&Ingester{Store: s}).Run(context.Background(), []string{agg, tls, ruf})
		if err != nil {
			t.Fatal(err)
		}
		if res.Ingested < 40 || res.Rejected == 0 || res.Rejected > 15 {
			t.Errorf("Run = %+v", res)
		}
		td, err := s.TLSDays(context.Background(), store.Filter{}, 0)
		if err != nil || len(td) == 0 {
			t.Errorf("TLSDays: %d rows, %v", len(td), err)
		}
		fs, err := s.Failures(context.Background(), store.Filter{}, store.Page{})
		if err != nil || len(fs) < 2 {
			t.Errorf("Failures: %d, %v", len(fs), err)
		}
		for _, r := range res.Rejections {
			if r.Reason == "" || r.Err == "" {
				t.Errorf("rejection without a reason: %+v", r)
			}
		}
	})
}

// TestFailuresAgreeWithSummary: the store keeps as many failure reports
// of the shared folder as report.Summary counts (repeated copies, such as
// one report saved with LF and with CRLF line ends, once in both).
func TestFailuresAgreeWithSummary(t *testing.T) {
	ruf := shared.Require(t, "conformance", "dmarc-failure")
	var sum report.Summary
	err := filepath.WalkDir(ruf, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if f, err := report.DecodeFailure(bytes.NewReader(data)); err == nil {
			sum.AddFailure(f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	forEngines(t, store.Options{}, func(t *testing.T, s store.Store) {
		if _, err := (&Ingester{Store: s}).Run(context.Background(), []string{ruf}); err != nil {
			t.Fatal(err)
		}
		fs, err := s.Failures(context.Background(), store.Filter{}, store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != sum.Failures.Reports || sum.Failures.Duplicates == 0 {
			t.Errorf("store holds %d failure reports, summary counts %d (%d duplicates)", len(fs), sum.Failures.Reports, sum.Failures.Duplicates)
		}
	})
}

// TestMissingPath: a path that does not exist stops the run.
func TestMissingPath(t *testing.T) {
	_, err := (&Ingester{Store: newStore(t)}).Run(context.Background(), []string{filepath.Join(t.TempDir(), "nope")})
	if err == nil {
		t.Fatal("no error for a missing path")
	}
}

// TestDefaultLimitMaxRejections: with the default limits, one rejection
// past MaxRejections is counted but not listed.
func TestDefaultLimitMaxRejections(t *testing.T) {
	dir := t.TempDir()
	for i := range MaxRejections + 1 {
		write(t, filepath.Join(dir, fmt.Sprintf("%03d.txt", i)), []byte("not a report\n"))
	}
	res, err := (&Ingester{Store: newStore(t)}).Run(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rejected != MaxRejections+1 || len(res.Rejections) != MaxRejections || res.Reasons[ReasonNotReport] != MaxRejections+1 {
		t.Errorf("Run = %d rejected (%v), %d listed; want %d rejected as not reports, %d listed",
			res.Rejected, res.Reasons, len(res.Rejections), MaxRejections+1, MaxRejections)
	}
}

// TestVerifiedOnly: emails without a valid signature of the reporter are
// rejected; files are not emails and pass.
func TestVerifiedOnly(t *testing.T) {
	dir := t.TempDir()
	z := zone.New()
	good := signerFor(t, "reporter.example", z)
	other := signerFor(t, "elsewhere.example", z)
	xml := marshal(t, aggregate("files.example", "f1", 3))
	write(t, filepath.Join(dir, "a.xml"), xml)
	write(t, filepath.Join(dir, "r.mbox"), mboxOf(
		email(t, aggregate("reporter.example", "m1", 4), good),
		email(t, aggregate("reporter.example", "m2", 4), other),
		email(t, aggregate("reporter.example", "m3", 4), nil),
	))
	res, err := (&Ingester{Store: newStore(t), Resolver: z, VerifiedOnly: true, Clock: fixedClock{day.Add(48 * time.Hour)}}).Run(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ingested != 2 || res.Rejected != 2 || res.Reasons[ReasonUnverified] != 2 {
		t.Errorf("Run = %+v, want 2 ingested and 2 rejected as unverified", res)
	}
}
