package audit_test

import (
	"strings"
	"testing"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/spf"
)

// TestTreeLinesBound: TreeLines renders at most MaxTreeLines lines of the SPF
// lookup tree, then how many terms are left out.
func TestTreeLinesBound(t *testing.T) {
	tree := make([]spf.TermCost, audit.MaxTreeLines+7)
	for i := range tree {
		tree[i].Term = "a"
	}
	lines := audit.TreeLines(tree, 0, "")
	if len(lines) != audit.MaxTreeLines+1 || lines[audit.MaxTreeLines] != "… 7 more terms" {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
	// The terms the linter left out (Report.TermsOmitted) are counted too.
	lines = audit.TreeLines(tree[:3], 5, "")
	if len(lines) != 4 || lines[3] != "… 5 more terms" {
		t.Errorf("with omitted terms: %q", lines)
	}
}

// TestWriteFindingsBound: WriteFindings prints at most MaxInfoFindings infos as
// text, then how many more; errors and warnings are all printed.
func TestWriteFindingsBound(t *testing.T) {
	fs := make([]audit.AreaFinding, audit.MaxInfoFindings+1, audit.MaxInfoFindings+2)
	for i := range fs {
		fs[i] = audit.AreaFinding{Severity: domainauth.SeverityInfo, Code: "x.info", Message: "m"}
	}
	fs = append(fs, audit.AreaFinding{Severity: domainauth.SeverityError, Code: "x.error", Message: "m"})
	var b strings.Builder
	audit.WriteFindings(&b, "", fs)
	out := b.String()
	if n := strings.Count(out, "x.info"); n != audit.MaxInfoFindings {
		t.Errorf("%d infos printed, want %d", n, audit.MaxInfoFindings)
	}
	if !strings.Contains(out, "x.error") || !strings.Contains(out, "… 1 more info findings") {
		t.Errorf("the error or the count of the rest is missing:\n%s", out[max(0, len(out)-300):])
	}
}

// TestClipBound: a finding's record, message and fix, and a tree line's
// term, are cut just past their bounds, at a rune boundary.
func TestClipBound(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"at the bound", strings.Repeat("a", audit.MaxRecordBytes), audit.MaxRecordBytes, strings.Repeat("a", audit.MaxRecordBytes)},
		{"one past the bound", strings.Repeat("a", audit.MaxRecordBytes+1), audit.MaxRecordBytes, strings.Repeat("a", audit.MaxRecordBytes) + "… (1 more bytes)"},
		{"inside a rune", "aé", 2, "a… (2 more bytes)"},
	}
	for _, tt := range tests {
		if got := audit.Clip(tt.in, tt.n); got != tt.want {
			t.Errorf("%s: Clip = %q, want %q", tt.name, got, tt.want)
		}
	}
	var b strings.Builder
	long := strings.Repeat("m", audit.MaxMessageBytes+1)
	audit.WriteFinding(&b, "", audit.AreaFinding{Severity: domainauth.SeverityWarning, Code: "x", Record: strings.Repeat("r", audit.MaxRecordBytes+1), Message: long, Fix: long})
	if n := strings.Count(b.String(), "(1 more bytes)"); n != 3 {
		t.Errorf("%d fields clipped, want 3:\n%s", n, b.String())
	}
}
