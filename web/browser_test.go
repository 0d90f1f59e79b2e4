package web

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/domainauth/domainauth/internal/shared"
	"github.com/domainauth/domainauth/report"
)

// screenshot, when set, makes TestBrowser write the overview of a store
// holding only the shared samples to docs/dashboard.png (off by default,
// so that test runs leave the tree clean):
// go test ./web -run TestBrowser -screenshot
var screenshot = flag.Bool("screenshot", false, "write a screenshot of the overview of the shared samples to ../docs/dashboard.png")

// browserPath finds a Chromium or Chrome binary: $DOMAINAUTH_CHROME, then
// the usual names on PATH.
func browserPath() string {
	if p := os.Getenv("DOMAINAUTH_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// sampleReports decodes the shared aggregate-report samples (the ones a
// decoder refuses are left out, as ingest leaves them out).
func sampleReports(t *testing.T) []*report.Aggregate {
	t.Helper()
	dir := shared.Require(t, "conformance", "dmarc-aggregate")
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !strings.HasSuffix(p, ".md") && !strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	slices.Sort(files)
	var out []*report.Aggregate
	dec := &report.Decoder{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		a, err := dec.Decode(fh)
		fh.Close()
		if err == nil {
			out = append(out, a)
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d reports decode in %s", len(out), dir)
	}
	return out
}

// serveBrowserStore serves st on a loopback port until the test ends and
// returns its base URL, without the trailing slash.
func serveBrowserStore(t *testing.T, st Store) string {
	t.Helper()
	srv, stop, served := startServer(t, Config{Store: st, Listen: "127.0.0.1:0"})
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return strings.TrimSuffix(srv.URL(), "/")
}

// digits keeps the digits of a figure as shown ("1 234" -> 1234).
func digits(t *testing.T, s string) uint64 {
	t.Helper()
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	n, err := strconv.ParseUint(b.String(), 10, 64)
	if err != nil {
		t.Fatalf("figure %q: %v", s, err)
	}
	return n
}

// TestBrowser drives a real headless Chromium over the dashboard, seeded
// with the shared report samples and one hostile report, and checks what a
// person sees: the overview's figures equal report.Summary's over the same
// reports, a filter changes them, the drill-down links lead to a source's
// and a report's page, an org name holding <script> shows as text, and the
// overview fits a phone's width.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped under -short")
	}
	bin := browserPath()
	if bin == "" {
		shared.Skip(t, "no Chromium found (install the chromium package, or set DOMAINAUTH_CHROME)")
	}
	samples := sampleReports(t)
	st, kept := seedBrowserStore(t, append(samples[:len(samples):len(samples)], fixture()[2]))
	base := serveBrowserStore(t, st)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.WindowSize(1280, 900))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium's sandbox refuses to run as root (CI)
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelT()

	// Any dialog is a script that ran: fail, and close it so the page goes on.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			t.Errorf("a JavaScript dialog opened: %q", ev.Message)
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()

	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	open := func(url, pageName string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS(`body[data-page="`+pageName+`"]`))); err != nil {
			t.Fatalf("open %s: %v", url, err)
		}
	}
	// follow clicks the link sel and waits for the page it leads to.
	follow := func(sel, pageName string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitReady(chromedp.CSS(`body[data-page="`+pageName+`"]`))); err != nil {
			t.Fatalf("follow %s: %v", sel, err)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	checkTotals := func(what string, want report.Counts) {
		t.Helper()
		for sel, n := range map[string]uint64{"#total-messages": want.Messages, "#total-pass": want.DMARCPass,
			"#total-fail": want.DMARCFail, "#total-dkim": want.DKIMAligned, "#total-spf": want.SPFAligned} {
			if got := digits(t, text(sel)); got != n {
				t.Errorf("%s: %s shows %d, the library summary says %d", what, sel, got, n)
			}
		}
	}

	// The overview equals report.Summary over every report the store kept.
	all := &report.Summary{}
	for _, a := range kept {
		all.Add(a)
	}
	open(base+"/", "overview")
	checkTotals("overview", all.Total)

	// The domain filter, set in the form as a person would, changes them.
	one := &report.Summary{}
	for _, a := range kept {
		if strings.EqualFold(a.Policy.Domain, "test.net") {
			one.Add(a)
		}
	}
	if one.Total.Messages == 0 || one.Total == all.Total {
		t.Fatalf("the samples have no test.net reports to filter on")
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`select[name="domain"]`), "test.net"),
		chromedp.Click(chromedp.CSS(`form.filters button`)),
		chromedp.WaitReady(chromedp.CSS(`body[data-page="overview"] select[name="domain"] option[value="test.net"][selected]`))); err != nil {
		t.Fatalf("filter by domain: %v", err)
	}
	checkTotals("filtered to test.net", one.Total)
	if h1 := text("#title"); h1 != "test.net" {
		t.Errorf("filtered overview's title %q", h1)
	}

	// Drill down: a failing source, then a report.
	open(base+"/", "overview")
	firstIP := text("#sources a.source")
	loc := follow("#sources a.source", "source")
	if !strings.Contains(loc, "/source/") || text("#title") != firstIP {
		t.Errorf("the source link led to %s titled %q, want the page of %s", loc, text("#title"), firstIP)
	}
	if n := digits(t, text("#total-messages")); n == 0 {
		t.Errorf("source %s: no messages on its page", firstIP)
	}
	open(base+"/", "overview")
	rid := text("#reports a.report")
	loc = follow("#reports a.report", "report")
	if !strings.Contains(loc, "/report/") || !strings.Contains(text("#title"), rid) {
		t.Errorf("the report link led to %s titled %q, want report %s", loc, text("#title"), rid)
	}

	// The hostile report: its org name is text, and no script ran.
	open(base+"/?domain=evil.example", "overview")
	follow("#reports a.report", "report")
	if got := text("#org-name"); got != hostileOrg {
		t.Errorf("the hostile org name shows as %q, want the text %q", got, hostileOrg)
	}
	scripts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("script, img, iframe").length`))
	if err != nil || scripts != 0 {
		t.Errorf("the hostile report's page has %d script/img/iframe elements (%v)", scripts, err)
	}

	// Readable on a phone: the overview is no wider than the screen (wide
	// tables scroll inside their box).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	open(base+"/", "overview")
	over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil || over {
		t.Errorf("on a phone the overview is wider than the screen (%v)", err)
	}

	if *screenshot {
		// The top of the overview, as a laptop shows it, in PNG, of a
		// store holding the shared samples alone (the README says so):
		// not the hostile report above.
		sst, skept := seedBrowserStore(t, samples)
		sbase := serveBrowserStore(t, sst)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 1500)); err != nil {
			t.Fatal(err)
		}
		open(sbase+"/", "overview")
		shown := &report.Summary{}
		for _, a := range skept {
			shown.Add(a)
		}
		checkTotals("the screenshot's overview", shown.Total)
		if strings.Contains(text("body"), "evil.example") {
			t.Fatalf("the screenshot's store holds the hostile report")
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "docs", "dashboard.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
