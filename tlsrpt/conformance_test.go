package tlsrpt

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/domainauth/domainauth/internal/shared"
)

type oracleEntry struct {
	File             string            `json:"file"`
	Form             string            `json:"form"`
	OrganizationName *string           `json:"organization_name"`
	ReportID         *string           `json:"report_id"`
	ContactInfo      *string           `json:"contact_info"`
	Start            *string           `json:"start_datetime"`
	End              *string           `json:"end_datetime"`
	Policies         int               `json:"policies"`
	PolicyTypes      []string          `json:"policy_types"`
	PolicyDomains    []string          `json:"policy_domains"`
	Successful       uint64            `json:"total_successful_session_count"`
	Failed           uint64            `json:"total_failure_session_count"`
	FailureDetails   int               `json:"failure_details"`
	FailedSum        uint64            `json:"failure_details_failed_session_sum"`
	ResultTypes      map[string]uint64 `json:"result_types"`
	ReportDomain     *string           `json:"tls_report_domain"`
	Submitter        *string           `json:"tls_report_submitter"`
}

func loadOracle(t testing.TB) (string, []oracleEntry) {
	dir := shared.Require(t, "conformance", "tlsrpt")
	b, err := os.ReadFile(filepath.Join(dir, "oracle.json"))
	if err != nil {
		t.Fatal(err)
	}
	var o []oracleEntry
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return dir, o
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// TestConformance: every shared sample decodes to the oracle's figures.
func TestConformance(t *testing.T) {
	dir, oracle := loadOracle(t)
	if len(oracle) < 12 {
		t.Fatalf("%d oracle entries, want 12", len(oracle))
	}
	for _, e := range oracle {
		t.Run(e.File, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, e.File))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, got, want any) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("organization-name", r.OrganizationName, str(e.OrganizationName))
			check("report-id", r.ReportID, str(e.ReportID))
			check("contact-info", r.ContactInfo, str(e.ContactInfo))
			check("start", r.DateRange.Start.Format("2006-01-02T15:04:05Z07:00"), str(e.Start))
			check("end", r.DateRange.End.Format("2006-01-02T15:04:05Z07:00"), str(e.End))
			check("policies", len(r.Policies), e.Policies)
			var succ, fail, sum uint64
			details := 0
			types := map[string]uint64{}
			for i, p := range r.Policies {
				if i < len(e.PolicyTypes) {
					check("policy-type", string(p.Policy.Type), e.PolicyTypes[i])
					check("policy-domain", p.Policy.Domain, e.PolicyDomains[i])
				}
				succ += p.Summary.Successful
				fail += p.Summary.Failure
				details += len(p.FailureDetails)
				for _, d := range p.FailureDetails {
					sum += d.FailedSessionCount
					types[string(d.ResultType)] += d.FailedSessionCount
				}
			}
			check("successful", succ, e.Successful)
			check("failed", fail, e.Failed)
			check("failure-details", details, e.FailureDetails)
			check("failed-session sum", sum, e.FailedSum)
			check("result types", len(types), len(e.ResultTypes))
			for k, v := range e.ResultTypes {
				check("result type "+k, types[k], v)
			}
			if e.Form == "json" {
				check("email", r.Email == nil, true)
			} else {
				if r.Email == nil {
					t.Fatal("no Email info for an email sample")
				}
				check("TLS-Report-Domain", r.Email.ReportDomain, str(e.ReportDomain))
				check("TLS-Report-Submitter", r.Email.Submitter, str(e.Submitter))
				check("signature", r.Email.Signature, SignatureStatusUnverified)
			}
			for _, w := range r.Warnings {
				t.Log(w)
			}
		})
	}
}
