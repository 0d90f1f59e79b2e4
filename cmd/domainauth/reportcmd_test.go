package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// hostileReport is a report whose strings hold terminal controls: ESC
// sequences (screen clear), an OSC 52 clipboard write, U+009B (8-bit CSI)
// and U+202E (right-to-left override), in character references so that the
// XML stays well-formed; its counts overflow int64 and sum past uint64.
const hostileReport = `<feedback>
<report_metadata><org_name>evil&#x1b;[2J&#x1b;]52;c;cm0gLXJmIH4=&#x07;&#x9b;31m&#x202e;gro</org_name>
<email>a&#x1b;[1mb@example.org</email><report_id>id&#x1b;[H</report_id>
<date_range><begin>1700000000</begin><end>1700086399</end></date_range></report_metadata>
<policy_published><domain>example.com&#x1b;[K</domain><p>none&#x1b;[31m</p></policy_published>
<record><row><source_ip>192.0.2.1</source_ip><count>9999999999999999999</count>
<policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail&#x9b;</spf></policy_evaluated></row>
<identifiers><header_from>victim&#x1b;]52;c;eA==&#x07;.example</header_from></identifiers>
<auth_results><dkim><domain>d&#x202e;.example</domain><result>pass</result></dkim></auth_results></record>
<record><row><source_ip>192.0.2.2</source_ip><count>9999999999999999999</count>
<policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
<identifiers><header_from>victim&#x1b;]52;c;eA==&#x07;.example</header_from></identifiers></record>
</feedback>`

var rawControls = strings.NewReplacer("&#x1b;", "\x1b", "&#x07;", "\x07")

// controls are what must never reach the terminal raw.
var controls = []string{"\x1b", "\x07", "\u009b", "\u202e"}

func writeHostile(t *testing.T) string {
	dir := t.TempDir()
	p := filepath.Join(dir, "evil\x1b[2J.xml")
	if err := os.WriteFile(p, []byte(rawControls.Replace(hostileReport)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReportTerminalInjection guards report show and report summary: every
// string from a report (and the file name) goes through termsafe, so no
// ESC, OSC 52, C1 or bidi control reaches the terminal, while --json stays
// valid JSON that keeps the text exactly.
func TestReportTerminalInjection(t *testing.T) {
	p := writeHostile(t)
	for _, args := range [][]string{
		{"report", "show", p},
		{"report", "summary", p},
		{"report", "summary", "--top", "0", p},
	} {
		stdout, stderr, status := runCLI(t, "", args...)
		if status != 0 {
			t.Fatalf("%v: status %d: %s", args, status, stderr)
		}
		for _, c := range controls {
			if strings.Contains(stdout+stderr, c) {
				t.Errorf("%v: raw %q in the output:\n%s", args[:2], c, stdout)
			}
		}
		if !strings.Contains(stdout, `\x1b`) {
			t.Errorf("%v: the escaped text is missing:\n%s", args[:2], stdout)
		}
	}
	stdout, _, status := runCLI(t, "", "report", "summary", "--json", p)
	var v struct {
		ByOrg map[string]any `json:"by_org"`
	}
	if err := json.Unmarshal([]byte(stdout), &v); status != 0 || err != nil {
		t.Fatalf("summary --json: status %d, %v", status, err)
	}
	if _, ok := v.ByOrg["evil\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\u009b31m\u202egro"]; !ok {
		t.Errorf("JSON does not keep the org name exactly: %v", v.ByOrg)
	}
	// A failing named file: the error line is safe too.
	bad := filepath.Join(t.TempDir(), "x\x1b]52;c;eA==\x07.xml")
	os.WriteFile(bad, []byte("<html/>"), 0o644)
	_, stderr, _ := runCLI(t, "", "report", "show", bad)
	for _, c := range controls {
		if strings.Contains(stderr, c) {
			t.Errorf("raw %q in the error: %q", c, stderr)
		}
	}
}

// TestReportCountsNeverNegative guards report show and summary against
// wrapped counts: two counts of 9,999,999,999,999,999,999 printed a
// negative total (int conversion) and a pass rate far above 100 %.
func TestReportCountsNeverNegative(t *testing.T) {
	p := writeHostile(t)
	stdout, _, _ := runCLI(t, "", "report", "show", p)
	if !strings.Contains(stdout, "18446744073709551615 messages in 2 rows") {
		t.Errorf("show does not saturate the total:\n%s", stdout)
	}
	stdout, _, _ = runCLI(t, "", "report", "summary", p)
	if negative.MatchString(stdout) || !strings.Contains(stdout, "18446744073709551615 messages") {
		t.Errorf("summary total:\n%s", stdout)
	}
	for _, m := range rate.FindAllStringSubmatch(stdout, -1) {
		if v, _ := strconv.ParseFloat(m[1], 64); v > 100 {
			t.Errorf("pass rate %s%%", m[1])
		}
	}
}

var (
	negative = regexp.MustCompile(`(^|\s)-\d`)
	rate     = regexp.MustCompile(`(\d+(?:\.\d+)?)%`)
)

// TestReportSummarySkippedAndQuiet: the summary says how many files it
// skipped (text and JSON); --quiet drops the per-file notes on stderr.
func TestReportSummarySkippedAndQuiet(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.xml"), []byte(rawControls.Replace(hostileReport)), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("not a report"), 0o644)
	os.WriteFile(filepath.Join(dir, "c.xml"), nil, 0o644)
	stdout, stderr, status := runCLI(t, "", "report", "summary", dir)
	if status != 0 || !strings.Contains(stdout, "2 files skipped") || strings.Count(stderr, "skipped ") != 2 {
		t.Errorf("status %d\nstdout:\n%s\nstderr:\n%s", status, stdout, stderr)
	}
	stdout, stderr, _ = runCLI(t, "", "report", "summary", "--quiet", dir)
	if !strings.Contains(stdout, "2 files skipped") || stderr != "" {
		t.Errorf("--quiet: stdout:\n%s\nstderr:\n%q", stdout, stderr)
	}
	stdout, stderr, _ = runCLI(t, "", "report", "summary", "--quiet", "--json", dir)
	var v struct {
		Read    *int `json:"files_read"`
		Skipped *int `json:"files_skipped"`
	}
	if err := json.Unmarshal([]byte(stdout), &v); err != nil || v.Read == nil || *v.Read != 1 || v.Skipped == nil || *v.Skipped != 2 || stderr != "" {
		t.Errorf("--json: %v %+v, stderr %q", err, v, stderr)
	}
}
