package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
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

// TestRelativeDBPath guards against "invalid uri authority": a relative
// SQLite path (the help's own "--db reports.db", or DOMAINAUTH_DB=t.db)
// names a file in the working directory, for ingest and for serve.
func TestRelativeDBPath(t *testing.T) {
	agg := filepath.Join(sharedDir(t), "conformance", "dmarc-aggregate", "domainaware+parsedmarc")
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "xdg")) // the default path, were it used
	t.Setenv(store.EnvDB, "")

	out, errOut, status := runCLI(t, "", "report", "ingest", "--db", "reports.db", "--offline", "--quiet", agg)
	if status != exitOK || !strings.HasPrefix(out, "ingested ") || strings.HasPrefix(out, "ingested 0 ") {
		t.Fatalf("ingest --db reports.db: status %d\n%s%s", status, out, errOut)
	}
	s, err := store.Open(context.Background(), filepath.Join(dir, "reports.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reps, err := s.Reports(context.Background(), store.Filter{}, store.Page{Limit: 1})
	s.Close()
	if err != nil || len(reps) != 1 {
		t.Errorf("%s holds %d reports (%v), want the ingested ones", filepath.Join(dir, "reports.db"), len(reps), err)
	}

	t.Setenv(store.EnvDB, "t.db")
	url, stop := startServe(t)
	resp, err := http.Get(url + "healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz: %d", resp.StatusCode)
	}
	if status := stop(); status != exitOK {
		t.Errorf("serve: exit status %d", status)
	}
	if fi, err := os.Stat(filepath.Join(dir, "t.db")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("DOMAINAUTH_DB=t.db serve: no t.db in the working directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "xdg")); err == nil {
		t.Error("a relative --db or DOMAINAUTH_DB fell back to the default path")
	}
}

// TestAbbreviateHome guards the help's default database path: "~" stands
// for HOME only when HOME is set and the path is under it (with HOME
// unset, $XDG_DATA_HOME=/srv/data once showed as ~/srv/data/...).
func TestAbbreviateHome(t *testing.T) {
	for _, tc := range []struct {
		name, path, home, want string
	}{
		{"home unset", "/srv/data/domainauth/reports.db", "", "/srv/data/domainauth/reports.db"},
		{"under home", "/home/ann/.local/share/domainauth/reports.db", "/home/ann", "~/.local/share/domainauth/reports.db"},
		{"home with a trailing slash", "/home/ann/.local/share/domainauth/reports.db", "/home/ann/", "~/.local/share/domainauth/reports.db"},
		{"outside home", "/srv/data/domainauth/reports.db", "/home/ann", "/srv/data/domainauth/reports.db"},
		{"home as a name prefix", "/home/anne/reports.db", "/home/ann", "/home/anne/reports.db"},
		{"home further in", "/data/home/ann/reports.db", "/home/ann", "/data/home/ann/reports.db"},
		{"home is the root", "/srv/data/domainauth/reports.db", "/", "/srv/data/domainauth/reports.db"},
		{"relative home", "data/reports.db", "data", "data/reports.db"},
		{"home itself", "/home/ann", "/home/ann", "~"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := abbreviateHome(tc.path, tc.home); got != tc.want {
				t.Errorf("abbreviateHome(%q, %q) = %q, want %q", tc.path, tc.home, got, tc.want)
			}
		})
	}
}

// TestDefaultDBHintWithoutHome: with HOME unset and XDG_DATA_HOME set,
// the help of ingest and serve names $XDG_DATA_HOME's file as it is.
func TestDefaultDBHintWithoutHome(t *testing.T) {
	t.Setenv("HOME", "")
	t.Setenv("XDG_DATA_HOME", "/srv/data")
	want := filepath.Join("/srv/data", "domainauth", "reports.db")
	if got := defaultDBHint(); got != want {
		t.Errorf("defaultDBHint() = %q, want %q", got, want)
	}
	for _, cmd := range []string{"ingest", "serve"} {
		out, _, _ := runCLI(t, "", "report", cmd, "--help")
		if strings.Count(out, want) != 2 || strings.Contains(out, "~"+want) {
			t.Errorf("report %s --help does not name %s as it is, in its text and at --db:\n%s", cmd, want, out)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for writers on several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// aggregateXML returns a minimal aggregate report with records rows.
func aggregateXML(id string, records int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0"?><feedback><report_metadata><org_name>r.example</org_name><email>d@r.example</email><report_id>%s</report_id><date_range><begin>1767225600</begin><end>1767311999</end></date_range></report_metadata><policy_published><domain>example.com</domain><p>none</p></policy_published>`, id)
	for i := range records {
		fmt.Fprintf(&b, `<record><row><source_ip>192.0.%d.%d</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><spf><domain>example.com</domain><result>fail</result></spf></auth_results></record>`, i/256%256, i%256)
	}
	b.WriteString("</feedback>\n")
	return b.Bytes()
}

// TestReportIngestProgress: on a terminal, ingest draws a progress bar on
// stderr, each frame returning to the start of the line and clearing it
// (\r ESC[K), and erases it before the rejected items and the summary
// line; a rejected file name's control characters are escaped.
func TestReportIngestProgress(t *testing.T) {
	dir := t.TempDir()
	const small = 30
	for i := range small {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("r%02d.xml", i)), aggregateXML(fmt.Sprint(i), 3))
	}
	// The last file takes a while, so that the walk has counted the files
	// (and the bar is drawn) before the last item is done.
	writeFile(t, filepath.Join(dir, "zz.xml"), aggregateXML("big", 5000))
	hostile := "bad\x1b[31m.xml"
	writeFile(t, filepath.Join(dir, hostile), []byte("not a report\n"))

	var all syncBuffer // stdout and stderr in the order written
	a := &app{stdout: &all, stderr: &all, terminal: true, progressDelay: -1, clock: domainauth.FixedClock(testNow)}
	args := []string{"report", "ingest", "--db", filepath.Join(t.TempDir(), "r.db"), "--offline", "--concurrency", "2", dir}
	if status := a.run(context.Background(), args); status != exitOK {
		t.Fatalf("status %d: %q", status, all.String())
	}
	out := all.String()
	const clear = "\r\033[K"
	last := strings.LastIndex(out, clear)
	if last < 0 {
		t.Fatalf("no progress drawn: %q", out)
	}
	frames := strings.Split(out[:last], clear)
	if frames[0] != "" {
		t.Errorf("output before the first frame: %q", frames[0])
	}
	bar := regexp.MustCompile(`^ingesting: \[#*\.*\] (\d+) of (\d+) files$`)
	items := regexp.MustCompile(`^ingesting: \d+ items$`)
	bars := 0
	for _, f := range frames[1:] {
		switch {
		case bar.MatchString(f):
			if m := bar.FindStringSubmatch(f); len(m[0]) != len("ingesting: [] ")+20+len(m[1])+len(" of ")+len(m[2])+len(" files") {
				t.Errorf("frame %q: the bar is not 20 cells", f)
			}
			bars++
		case items.MatchString(f):
		default:
			t.Errorf("frame %q is neither a bar nor a count", f)
		}
	}
	if bars == 0 {
		t.Errorf("no bar among %d frames: %q", len(frames)-1, frames)
	}
	if want := fmt.Sprintf("ingesting: [%s] %d of %d files", strings.Repeat("#", 20), small+2, small+2); frames[len(frames)-1] != want {
		t.Errorf("last frame %q, want %q", frames[len(frames)-1], want)
	}
	// After the erase: the rejected file, escaped, then the summary line.
	rest := out[last+len(clear):]
	wantRest := "rejected " + filepath.Join(dir, `bad\x1b[31m.xml`) + ": "
	if !strings.HasPrefix(rest, wantRest) || strings.Contains(rest, "\x1b") || strings.Contains(rest, "ingesting") {
		t.Errorf("after the erase %q, want the rejected file escaped (%q...) and no progress", rest, wantRest)
	}
	if !regexp.MustCompile(`\ningested 31 reports \(5090 records\), 0 duplicates, 0 conflicts, 1 rejected \(not a report: 1\)\n$`).MatchString(rest) {
		t.Errorf("no summary line at the end: %q", rest)
	}
}

// TestREADMENamesTheDatabase: the README's dashboard tour names the
// default database paths store.DefaultPath gives (on Unix), the
// environment variable and --db, and the PostgreSQL URL form.
func TestREADMENamesTheDatabase(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, tour, ok := strings.Cut(string(data), "## A third tour")
	tour, _, _ = strings.Cut(tour, "\n## ")
	if !ok {
		t.Fatal("README.md has no third tour")
	}
	tour = strings.Join(strings.Fields(tour), " ")
	t.Setenv("XDG_DATA_HOME", "/xdg")
	xdg, err := store.DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/ann")
	home, err := store.DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"`--db`", "`" + store.EnvDB + "`", "`postgres://USER:PASSWORD@HOST:5432/DBNAME"}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" && runtime.GOOS != "ios" && runtime.GOOS != "plan9" {
		want = append(want, "`$XDG_DATA_HOME"+strings.TrimPrefix(xdg, "/xdg")+"`", "`"+abbreviateHome(home, "/home/ann")+"`")
	}
	for _, w := range want {
		if !strings.Contains(tour, w) {
			t.Errorf("the README's third tour does not name %s", w)
		}
	}
	if strings.Contains(tour, "same default path") {
		t.Error("the README's third tour still says only \"the same default path\"")
	}
}
