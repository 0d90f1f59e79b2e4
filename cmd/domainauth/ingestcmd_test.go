package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/store"
)

func TestReportIngest(t *testing.T) {
	agg := filepath.Join(sharedDir(t), "conformance", "dmarc-aggregate")
	ruf := filepath.Join(sharedDir(t), "conformance", "dmarc-failure")
	db := filepath.Join(t.TempDir(), "reports.db")
	summary := regexp.MustCompile(`^ingested (\d+) reports \(\d+ records\), (\d+) duplicates?, \d+ conflicts?, (\d+) rejected \(.*\)\n`)

	out, errOut, status := runCLI(t, "", "report", "ingest", "--db", db, "--offline", agg)
	m := summary.FindStringSubmatch(out)
	if status != 0 || m == nil || m[1] == "0" {
		t.Fatalf("first ingest: status %d\n%s%s", status, out, errOut)
	}
	if !strings.Contains(errOut, "rejected ") || !strings.Contains(errOut, "empty.xml") {
		t.Errorf("stderr does not list the rejected files:\n%s", errOut)
	}
	// Again, through the environment variable: all duplicates.
	t.Setenv(store.EnvDB, db)
	out, _, status = runCLI(t, "", "report", "ingest", "--offline", "--quiet", agg)
	m2 := summary.FindStringSubmatch(out)
	if status != 0 || m2 == nil || m2[1] != "0" || m2[3] != m[3] {
		t.Errorf("second ingest: status %d: %s", status, out)
	}
	// Failure reports, with their own retention.
	out, _, status = runCLI(t, "", "report", "ingest", "--offline", "--quiet", ruf)
	if m := summary.FindStringSubmatch(out); status != 0 || m == nil || m[1] == "0" {
		t.Errorf("failure reports: status %d: %s", status, out)
	}
	out, _, status = runCLI(t, "", "report", "ingest", "--offline", "--quiet", "--keep-failures", "30d", ruf)
	if status != 0 || !regexp.MustCompile(`deleted [1-9]\d* failure reports older than 30d\n$`).MatchString(out) {
		t.Errorf("--keep-failures 30d: status %d: %s", status, out)
	}
	// Retention: the samples are years older than the test clock.
	out, _, status = runCLI(t, "", "report", "ingest", "--offline", "--quiet", "--keep", "400d", agg)
	if status != 0 || !regexp.MustCompile(`deleted [1-9]\d* aggregate and 0 TLS reports older than 400d\n$`).MatchString(out) {
		t.Errorf("--keep 400d: status %d: %s", status, out)
	}

	for _, tt := range []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"bad keep", []string{"--keep", "soon", agg}, 2, "--keep"},
		{"zero keep", []string{"--keep", "0d", agg}, 2, "--keep"},
		{"bad keep-failures", []string{"--keep-failures", "1y", agg}, 2, "--keep"},
		{"missing path", []string{filepath.Join(agg, "no-such-file")}, 2, "no such file"},
		{"bad concurrency", []string{"--concurrency", "-1", agg}, 2, "--concurrency"},
		{"offline and verified-only", []string{"--verified-only", agg}, 2, "--verified-only"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, status := runCLI(t, "", append([]string{"report", "ingest", "--offline"}, tt.args...)...)
			if status != tt.status || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("status %d, stderr %q; want %d and %q", status, errOut, tt.status, tt.stderr)
			}
		})
	}
}

// FuzzParseKeep: any --keep value is either refused with a usage error or
// gives a positive retention; the day and week forms give whole days.
func FuzzParseKeep(f *testing.F) {
	for _, s := range []string{"400d", "60w", "9600h", "0d", "-1w", "100001d", "d", "1.5d", "1h30m", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseKeep(s)
		if err != nil {
			if _, ok := err.(*usageError); !ok {
				t.Fatalf("parseKeep(%q) error %T, want *usageError", s, err)
			}
			return
		}
		if d <= 0 {
			t.Fatalf("parseKeep(%q) = %v, want > 0", s, d)
		}
		if (strings.HasSuffix(s, "d") || strings.HasSuffix(s, "w")) && d%(24*time.Hour) != 0 {
			t.Fatalf("parseKeep(%q) = %v, want whole days", s, d)
		}
	})
}
