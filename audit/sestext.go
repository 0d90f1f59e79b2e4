package audit

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/ses"
)

// SESAuditFindings are the findings of planning an SES identity and of
// auditing DNS against the plan, in the "ses" area: each (code, record)
// once, with the fix SESFix gives, errors first (SortBySeverity).
func SESAuditFindings(plan *ses.Plan, res *ses.Audit) []AreaFinding {
	var fs []AreaFinding
	for _, f := range AreaFindings(AreaSES, append(append(plan.Findings, res.Findings...), res.Alignment.Findings...)) {
		if !slices.ContainsFunc(fs, func(g AreaFinding) bool { return g.Code == f.Code && g.Record == f.Record }) {
			f.Fix = SESFix(f.Code, plan)
			fs = append(fs, f)
		}
	}
	SortBySeverity(fs)
	return fs
}

// WriteSESAudit prints an SES audit for people, with its findings fs (see
// SESAuditFindings); what DNS holds (the records found, the DMARC record,
// the reasons that quote them) goes through termsafe.
func WriteSESAudit(w io.Writer, res *ses.Audit, fs []AreaFinding) {
	ts := termsafe.String
	p := res.Plan
	fmt.Fprintf(w, "SES identity %s in %s (%s)\n", ts(p.Identity.Domain), p.Region.Code, p.Region.Name)
	for _, c := range res.Checks {
		found := ""
		if c.Status == ses.StatusWrong && len(c.Found) > 0 {
			found = " (found " + strings.Join(c.Found, ", ") + ")"
		}
		value := c.Record.Value
		if value == "" {
			value = "(any valid record)" // DMARC: audited, not planned
		}
		fmt.Fprintf(w, "  %-8s %s %s %s\n", c.Status, ts(c.Record.Name), c.Record.Type, ts(value+found))
	}
	if res.DMARC != nil {
		fmt.Fprintf(w, "  DMARC    _dmarc.%s %s\n", ts(p.Identity.Domain), ts(`"`+res.DMARC.String()+`"`))
	}
	al := res.Alignment
	fmt.Fprintf(w, "DMARC prediction for mail from %s: %s\n", ts(al.From), al.Verdict)
	fmt.Fprintf(w, "  SPF:  %s\n", ts(al.SPF.Reason))
	fmt.Fprintf(w, "  DKIM: %s\n", ts(al.DKIM.Reason))
	WriteFindings(w, "", fs)
	fmt.Fprintf(w, "Result: %s\n", SummaryLine(fs))
}
