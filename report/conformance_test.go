package report

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/domainauth/domainauth/internal/shared"
)

// sharedDir finds ../shared (a sibling of the repository root) by walking up
// from the package directory; tests skip when it is absent.
func sharedDir(t testing.TB, sub string) string {
	t.Helper()
	return shared.Require(t, sub)
}

type oracleEntry struct {
	File         string  `json:"file"`
	Container    string  `json:"container"`
	Parses       bool    `json:"parses"`
	ParseError   *string `json:"parse_error"`
	OrgName      *string `json:"org_name"`
	ReportID     *string `json:"report_id"`
	PolicyDomain *string `json:"policy_domain"`
	Begin        *int64  `json:"begin"`
	End          *int64  `json:"end"`
	Records      *int    `json:"records"`
	Messages     *uint64 `json:"messages"`
	DistinctIPs  *int    `json:"source_ips_distinct"`
	Details      struct {
		RootElement *string `json:"root_element"`
	} `json:"details"`
	Lenient *struct {
		OrgName      *string `json:"org_name"`
		ReportID     *string `json:"report_id"`
		PolicyDomain *string `json:"policy_domain"`
		Begin        *int64  `json:"begin"`
		End          *int64  `json:"end"`
		Records      int     `json:"records"`
		Messages     uint64  `json:"messages"`
		DistinctIPs  int     `json:"source_ips_distinct"`
	} `json:"lenient"`
}

func loadOracle(t testing.TB) (string, []oracleEntry) {
	dir := sharedDir(t, filepath.Join("conformance", "dmarc-aggregate"))
	b, err := os.ReadFile(filepath.Join(dir, "oracle.json"))
	if err != nil {
		shared.Skip(t, "no oracle.json: %v", err)
	}
	var es []oracleEntry
	if err := json.Unmarshal(b, &es); err != nil {
		t.Fatal(err)
	}
	return dir, es
}

// What the decoder does with each file the oracle marks unparseable (or not
// a report): either it repairs the document (with warnings) and matches the
// oracle's lenient figures, or it fails with this typed error.
var expectedFailures = map[string]error{
	"domainaware+parsedmarc/samples/empty.xml":                    ErrEmpty,
	"trollByte+dmarc/backend/sample_reports/malformed_report.xml": ErrNotReport, // root <invalid_root>
	"trollByte+dmarc/backend/tests/fixtures/malformed.xml":        ErrTruncated, // cut off after <report_metadata>
}

// Warnings each repaired file must carry.
var expectedRepairs = map[string]string{
	"domainaware+parsedmarc/ikea.com!example.de!1538690400!1538776800.xml": "report.stray-tag",
	"domainaware+parsedmarc/invalid_utf_8.xml":                             "report.invalid-utf8",
	"domainaware+parsedmarc/invalid_xml.xml":                               "report.unescaped-lt",
}

func TestConformance(t *testing.T) {
	dir, es := loadOracle(t)
	var ok, repaired, failed int
	for _, e := range es {
		t.Run(e.File, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, e.File))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			a, err := Decode(f)
			if want, isFail := expectedFailures[e.File]; isFail {
				if err == nil {
					t.Fatalf("decoded; want error %v", want)
				}
				var de *DecodeError
				if !errors.Is(err, want) || !errors.As(err, &de) {
					t.Fatalf("error %v (%T); want %v as *DecodeError", err, err, want)
				}
				t.Logf("fails as expected: %v", err)
				failed++
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			org, rid, dom, begin, end := e.OrgName, e.ReportID, e.PolicyDomain, e.Begin, e.End
			records, messages, ips := 0, uint64(0), 0
			if e.Records != nil {
				records, messages, ips = *e.Records, *e.Messages, *e.DistinctIPs
			}
			if !e.Parses {
				if e.Lenient == nil {
					t.Fatal("oracle has no lenient figures")
				}
				l := e.Lenient
				org, rid, dom, begin, end = l.OrgName, l.ReportID, l.PolicyDomain, l.Begin, l.End
				records, messages, ips = l.Records, l.Messages, l.DistinctIPs
				code := expectedRepairs[e.File]
				if code == "" || !hasWarning(a, code) {
					t.Errorf("repaired without warning %q: %v", code, a.Warnings)
				}
				repaired++
			} else {
				ok++
			}
			check := func(what string, got string, want *string) {
				if want != nil && got != *want {
					t.Errorf("%s = %q, want %q", what, got, *want)
				}
			}
			check("org_name", a.Metadata.OrgName, org)
			check("report_id", a.Metadata.ReportID, rid)
			check("policy domain", a.Policy.Domain, dom)
			if begin != nil && a.Metadata.DateRange.Begin.Unix() != *begin {
				t.Errorf("begin = %d, want %d", a.Metadata.DateRange.Begin.Unix(), *begin)
			}
			if end != nil && a.Metadata.DateRange.End.Unix() != *end {
				t.Errorf("end = %d, want %d", a.Metadata.DateRange.End.Unix(), *end)
			}
			if len(a.Records) != records {
				t.Errorf("records = %d, want %d", len(a.Records), records)
			}
			if a.Messages() != messages {
				t.Errorf("messages = %d, want %d", a.Messages(), messages)
			}
			distinct := map[string]bool{}
			for _, r := range a.Records {
				distinct[r.Row.SourceIP.String()] = true
			}
			if len(distinct) != ips {
				t.Errorf("distinct source IPs = %d, want %d", len(distinct), ips)
			}
			for _, w := range a.Warnings {
				t.Logf("warning: %s", w)
			}
		})
	}
	t.Logf("%d files: %d decoded cleanly, %d repaired with warnings, %d failed with the expected typed error",
		len(es), ok, repaired, failed)
}

func hasWarning(a *Aggregate, code string) bool {
	for _, w := range a.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}

func readFile(t testing.TB, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
