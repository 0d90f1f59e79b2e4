package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/spf"
)

const miscZone = "cmd/domainauth/testdata/misc.zone"

// TestCheckSeveralJSON: several domains give one JSON document, an array
// of reports, in the order they finish.
func TestCheckSeveralJSON(t *testing.T) {
	t.Chdir(repoRoot(t))
	out, stderr, status := runCLI(t, "", "check", "--zone", miscZone, "--json", "nomail.example", "shop.example")
	if status != exitFailed {
		t.Errorf("status %d, want %d (shop.example has an error); stderr %q", status, exitFailed, stderr)
	}
	var reps []checkReport
	if err := json.Unmarshal([]byte(out), &reps); err != nil {
		t.Fatalf("not one JSON array: %v\n%s", err, out)
	}
	var domains []string
	for _, r := range reps {
		domains = append(domains, r.Domain)
		if len(r.Areas) < 4 {
			t.Errorf("%s: %d areas", r.Domain, len(r.Areas))
		}
	}
	slices.Sort(domains)
	if want := []string{"nomail.example", "shop.example"}; !slices.Equal(domains, want) {
		t.Errorf("domains %v, want %v", domains, want)
	}
}

// TestCheckSeveralCSV: one row per finding, with the domain, after a header.
func TestCheckSeveralCSV(t *testing.T) {
	t.Chdir(repoRoot(t))
	out, stderr, status := runCLI(t, "", "check", "--zone", miscZone, "--csv", "nomail.example", "shop.example", "typo.example")
	if status != exitFailed {
		t.Errorf("status %d, want %d; stderr %q", status, exitFailed, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, out)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "domain,area,severity,code,record,message,fix,rfc" {
		t.Fatalf("header %v", rows)
	}
	var got []string
	for _, r := range rows[1:] {
		if len(r) != 8 {
			t.Fatalf("row %v has %d cells", r, len(r))
		}
		got = append(got, r[0]+" "+r[3])
	}
	for _, want := range []string{
		"shop.example dmarc.unauthorized-destination",
		"shop.example " + audit.CodeDestinationCannotReceive,
		"typo.example dmarc.unknown-tag",
		"nomail.example mx.null", // info rows too
	} {
		if !slices.Contains(got, want) {
			t.Errorf("no row %q in\n%s", want, out)
		}
	}
}

// TestCheckStdin: "-" reads the domains from standard input, one a line;
// blank lines and # comments are skipped, a bad line stops with status 2.
func TestCheckStdin(t *testing.T) {
	t.Chdir(repoRoot(t))
	out, stderr, status := runCLI(t, "nomail.example\n\n# a comment\ntypo.example\n", "check", "--zone", miscZone, "-")
	if status != exitOK {
		t.Errorf("status %d, want 0; stderr %q", status, stderr)
	}
	for _, want := range []string{"Result: nomail.example: no problems found", "Result: typo.example: 0 errors, 1 warning"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	_, stderr, status = runCLI(t, "nomail.example\nexa mple..org\n", "check", "--zone", miscZone, "--json", "-")
	if status != exitTrouble || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "line 2") {
		t.Errorf("bad line: status %d, stderr %q; want 2 and one line naming line 2", status, stderr)
	}
	out, _, status = runCLI(t, "", "check", "--zone", miscZone, "--json", "-")
	if status != exitOK || strings.TrimSpace(out) != "[]" {
		t.Errorf("empty list: status %d, output %q; want 0 and []", status, out)
	}
}

func TestCheckUsage(t *testing.T) {
	t.Chdir(repoRoot(t))
	for _, args := range [][]string{
		{"check", "--zone", miscZone, "--json", "--csv", "nomail.example"},
		{"check", "--zone", miscZone, "nomail.example", "exa mple..org"},
	} {
		if _, _, status := runCLI(t, "", args...); status != exitTrouble {
			t.Errorf("%v: status %d, want 2", args, status)
		}
	}
}

// TestCheckErrorUnusableDNS: an audit stopped by unusable DNS is one line
// that says so, and claims nothing about the domain's records.
func TestCheckErrorUnusableDNS(t *testing.T) {
	src := &source{what: "DNS", timeout: time.Second}
	err := checkError(src, "example.org", fmt.Errorf("%w: it says org does not exist", audit.ErrDNSUnusable))
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "unusable") || strings.Contains(msg, "no MX") {
		t.Errorf("message %q", msg)
	}
}

// TestTreeLinesBound: check prints at most maxTreeLines lines of the SPF
// lookup tree, then how many terms are left out.
func TestTreeLinesBound(t *testing.T) {
	tree := make([]spf.TermCost, maxTreeLines+7)
	for i := range tree {
		tree[i].Term = "a"
	}
	lines := treeLines(tree, "")
	if len(lines) != maxTreeLines+1 || lines[maxTreeLines] != "… 7 more terms" {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}
