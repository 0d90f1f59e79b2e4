package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/zone"
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
	var reps []audit.ReportJSON
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
		"shop.example " + audit.FindingDestinationCannotReceive,
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

// loopZone has a DKIM selector whose CNAMEs form a loop, and one whose
// CNAME leads out of the file, into amazonses.com.
const loopZone = `$ORIGIN loop.example.
$TTL 3600
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
ns A 192.0.2.53
@ MX 10 mx
mx A 192.0.2.25
@ TXT "v=spf1 mx -all"
_dmarc TXT "v=DMARC1; p=reject"
s1._domainkey CNAME s2._domainkey
s2._domainkey CNAME s1._domainkey
`

// writeTemp writes content to a file named name in a new temporary
// directory and returns its path.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestZoneCheckCNAMELoop: zone check reports a CNAME loop (it said "no
// problems found").
func TestZoneCheckCNAMELoop(t *testing.T) {
	file := writeTemp(t, "loop.example.zone", loopZone)
	out, stderr, status := runCLI(t, "", "zone", "check", file)
	if status != exitFailed || !strings.Contains(out, zone.FindingCNAMELoop) {
		t.Errorf("status %d, want 1 with %s\nstdout:\n%s\nstderr:\n%s", status, zone.FindingCNAMELoop, out, stderr)
	}
}

// TestCheckZoneDNSFailureAdvice: a lookup that fails in a zone file (a
// CNAME loop) is not advised away with "check again later, or offline with
// --zone": the check is offline already.
func TestCheckZoneDNSFailureAdvice(t *testing.T) {
	file := writeTemp(t, "loop.example.zone", loopZone)
	_, stderr, status := runCLI(t, "", "check", "--zone", file, "loop.example")
	if status != exitTrouble {
		t.Errorf("status %d, want 2", status)
	}
	if strings.Contains(stderr, "--zone") || strings.Contains(stderr, "again later") || !strings.Contains(stderr, "zone check") {
		t.Errorf("stderr %q: want advice for a zone file (zone check), not for live DNS", stderr)
	}
	if n := strings.Count(stderr, "\n"); n != 1 {
		t.Errorf("stderr has %d lines, want 1", n)
	}
	for _, tt := range []struct {
		name string
		src  *source
		want string
	}{
		{"live DNS", &source{what: "DNS", live: true}, "offline with --zone"},
		{"files and live DNS", &source{what: "a.zone and DNS", files: zone.New(), live: true}, "may answer later"},
	} {
		if msg := dnsFailureError(tt.src, 2).Error(); !strings.Contains(msg, tt.want) {
			t.Errorf("%s: %q, want %q in it", tt.name, msg, tt.want)
		}
	}
}

// largeSPFZone is a zone whose apex SPF record is about 19 KB: 90 includes
// of distinct records that all include one shared record of many terms,
// with a and mx terms between them and after them.
func largeSPFZone() string {
	var b, root strings.Builder
	b.WriteString("$ORIGIN big.example.\n$TTL 3600\n@ SOA ns hostmaster 1 3600 600 86400 300\n")
	root.WriteString("v=spf1")
	n := 0
	for ; root.Len() < 19000; n++ {
		switch n % 4 {
		case 0:
			if n >= 4*90 {
				// Below the linter's 100 records: past them the walk
				// stops with spf.dns-error, which check takes for DNS
				// trouble (exit status 2).
				fmt.Fprintf(&root, " a:h%d.big.example", n)
				continue
			}
			fmt.Fprintf(&root, " include:i%d.big.example", n)
			fmt.Fprintf(&b, "i%d TXT \"v=spf1 a:h%d.big.example include:shared.big.example -all\"\n", n, n)
		case 1:
			fmt.Fprintf(&root, " a:h%d.big.example", n)
		case 2:
			fmt.Fprintf(&root, " mx:m%d.big.example", n)
		default:
			root.WriteString(" include:shared.big.example")
		}
	}
	root.WriteString(" -all")
	b.WriteString("@ TXT " + zoneStrings(root.String()) + "\n")
	var shared strings.Builder
	shared.WriteString("v=spf1")
	for i := range 40 {
		fmt.Fprintf(&shared, " a:s%d.big.example", i)
	}
	b.WriteString("shared TXT " + zoneStrings(shared.String()+" -all") + "\n")
	return b.String()
}

// zoneStrings splits s into quoted character-strings of 255 bytes.
func zoneStrings(s string) string {
	var parts []string
	for len(s) > 255 {
		parts = append(parts, `"`+s[:255]+`"`)
		s = s[255:]
	}
	return strings.Join(append(parts, `"`+s+`"`), " ")
}

// TestSPFLintLargeRecordBounded is issue 11 item 12 for the command: spf
// lint of a 19 KB record (16 s and 27.7 MB of output before the linear
// tree) prints at most audit.MaxTreeLines tree lines and well under 1 MB, with
// the default limits; so does check on the same zone.
func TestSPFLintLargeRecordBounded(t *testing.T) {
	file := writeTemp(t, "big.example.zone", largeSPFZone())
	for _, args := range [][]string{
		{"spf", "lint", "--zone", file, "big.example"},
		{"check", "--zone", file, "--verbose", "big.example"},
	} {
		start := time.Now()
		out, stderr, status := runCLI(t, "", args...)
		t.Logf("%v: %v, %d bytes", args[:2], time.Since(start), len(out))
		if status != exitFailed {
			t.Errorf("%v: status %d, want 1 (too many lookups); stderr %q", args, status, stderr)
		}
		if len(out) > 1<<20 {
			t.Errorf("%v: %d bytes of output, want under 1 MB", args, len(out))
		}
		tree := 0
		for l := range strings.Lines(out) {
			if strings.HasSuffix(l, " lookup\n") || strings.HasSuffix(l, " lookups\n") || strings.Contains(l, "lookups (its terms are listed above)") {
				tree++
			}
		}
		if tree > audit.MaxTreeLines || !strings.Contains(out, "more terms") {
			t.Errorf("%v: %d tree lines, want at most %d and a count of the rest", args, tree, audit.MaxTreeLines)
		}
		if !strings.Contains(out, "(its terms are listed above)") {
			t.Errorf("%v: no include marked as repeated", args)
		}
	}
}

// TestCheckZoneNotInFile is issue 11 item 17: with --zone, an Easy DKIM
// CNAME into amazonses.com, which the file does not hold, is "not in the
// zone file" with a pointer to --live-outside, not a missing key; a file
// that carries amazonses.com under its own $ORIGIN covers it.
func TestCheckZoneNotInFile(t *testing.T) {
	base := strings.Replace(loopZone, "s1._domainkey CNAME s2._domainkey\ns2._domainkey CNAME s1._domainkey\n",
		"abc._domainkey CNAME abc.dkim.amazonses.com.\n", 1)
	file := writeTemp(t, "loop.example.zone", base)
	out, stderr, status := runCLI(t, "", "check", "--zone", file, "loop.example")
	if status != exitOK || strings.Contains(out, dkim.FindingSelectorNoKey) ||
		!strings.Contains(out, "abc._domainkey.loop.example: CNAME abc.dkim.amazonses.com, not in the zone file; check with --live-outside") {
		t.Errorf("status %d, want 0 and the key not in the zone file\nstdout:\n%s\nstderr:\n%s", status, out, stderr)
	}
	file = writeTemp(t, "loop.example.zone", base+"$ORIGIN amazonses.com.\n@ TXT \"v=spf1 -all\"\n")
	out, _, status = runCLI(t, "", "check", "--zone", file, "loop.example")
	if status != exitFailed || !strings.Contains(out, dkim.FindingSelectorNoKey) {
		t.Errorf("a file with $ORIGIN amazonses.com covers the key's name: status %d\n%s", status, out)
	}
}

// TestCheckSPFRecordLimitNotDNSTrouble guards the code of spf's MaxRecords
// finding for the command: a zone whose SPF include tree holds more than
// the linter's default 100 records is a finding (exit 1), not a failed DNS
// lookup (exit 2).
func TestCheckSPFRecordLimitNotDNSTrouble(t *testing.T) {
	var b strings.Builder
	b.WriteString("$ORIGIN wide.example.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\n@ MX 10 mx\n")
	var top []string
	for i := range 10 {
		var leaves []string
		for j := range 10 {
			leaves = append(leaves, fmt.Sprintf("include:l%d.i%d.wide.example", j, i))
			fmt.Fprintf(&b, "l%d.i%d TXT \"v=spf1 ip4:192.0.2.1 -all\"\n", j, i)
		}
		top = append(top, fmt.Sprintf("include:i%d.wide.example", i))
		fmt.Fprintf(&b, "i%d TXT %s\n", i, zoneStrings("v=spf1 "+strings.Join(leaves, " ")+" -all"))
	}
	fmt.Fprintf(&b, "@ TXT %s\n", zoneStrings("v=spf1 "+strings.Join(top, " ")+" -all"))
	file := writeTemp(t, "wide.example.zone", b.String())
	out, stderr, status := runCLI(t, "", "check", "--zone", file, "--verbose", "wide.example")
	if status != exitOK && status != exitFailed {
		t.Errorf("status %d, want 0 or 1; stderr %q", status, stderr)
	}
	if !strings.Contains(out, "more than 100 records") {
		t.Errorf("output lacks the record-limit finding:\n%s", out)
	}
}
