package audit_test

import (
	"strings"
	"testing"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/spf"
)

func TestReportTextForms(t *testing.T) {
	rep := &audit.Report{Domain: "example.org", Errors: 1, Areas: []audit.Area{{
		Name: audit.AreaSPF, Title: "SPF", Status: "error", Facts: []string{"a fact"},
		Findings: []domainauth.Finding{
			{Severity: domainauth.SeverityError, Code: "spf.x", Where: "=cmd", Message: "m"},
			{Severity: domainauth.SeverityInfo, Code: "spf.i", Message: "i"},
		},
	}}}
	rows := rep.CSVRows()
	if len(rows) != 2 || len(rows[0]) != len(audit.CSVHeader) || rows[0][4] != "'=cmd" {
		t.Errorf("CSVRows = %q", rows)
	}
	j := rep.JSON("zone file")
	if j.Source != "zone file" || len(j.Areas) != 1 || len(j.Areas[0].Findings) != 2 || j.Areas[0].Facts[0] != "a fact" {
		t.Errorf("JSON = %+v", j)
	}
	var b strings.Builder
	rep.WriteText(&b, "zone file", audit.TextOptions{})
	if out := b.String(); !strings.Contains(out, "spf.x") || strings.Contains(out, "spf.i") || !strings.Contains(out, "1 error, 0 warnings") {
		t.Errorf("WriteText without verbose:\n%s", out)
	}
}

func TestSPFFactsBound(t *testing.T) {
	terms := make([]spf.TermCost, audit.MaxTreeLines+3)
	for i := range terms {
		terms[i].Term = "a"
	}
	lines := audit.SPFFacts(&spf.Report{Domain: "example.org", Record: "v=spf1 a -all", Terms: terms})
	if len(lines) != 2+audit.MaxTreeLines+1 || !strings.HasSuffix(lines[len(lines)-1], "… 3 more terms") {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
	if got := audit.SPFFacts(&spf.Report{Domain: "example.org"}); len(got) != 1 || got[0] != "example.org: no SPF record" {
		t.Errorf("no record: %q", got)
	}
}
