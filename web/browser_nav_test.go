package web

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/domainauth/domainauth/internal/shared"
)

// TestBrowserNavOtherReports drives headless Chromium from the overview
// through the layout's navigation to the TLS page and the failure report
// list, and from the list to a report's page: the links lead where they
// say, and the TLS page's failed-session figure is the overview's.
func TestBrowserNavOtherReports(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped under -short")
	}
	o := newOtherStore(t, 0)
	ctx, base := serveToBrowser(t, o.st, 2*time.Minute)

	// Each step: the actions, the page they lead to, and the element whose
	// text to read there.
	steps := []struct {
		what, page, read string
		actions          []chromedp.Action[chromedp.Void]
	}{
		{"open the overview", "overview", `#other-reports a[href^="/tls"]`, []chromedp.Action[chromedp.Void]{chromedp.Navigate(base)}},
		{"follow the TLS link", "tls", "#tls-failed", []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS("#nav-tls"))}},
		{"follow the failure reports link", "failures", "#failures tbody tr td:nth-child(2)",
			[]chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS("#nav-failures"))}},
		{"open the first failure report", "failure", "#reported-domain", []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS("#failures a.failure"))}},
	}
	read := make([]string, len(steps))
	for i, s := range steps {
		wait := chromedp.WaitReady(chromedp.CSS(`body[data-page="` + s.page + `"]`))
		if err := chromedp.Do(ctx, append(s.actions, wait)...); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		var err error
		if read[i], err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(s.read))); err != nil {
			t.Fatalf("%s: reading %s: %v", s.what, s.read, err)
		}
	}
	overviewFailed, tlsFailed, firstDomain, detailDomain := read[0], read[1], read[2], read[3]
	if digits(t, overviewFailed) != digits(t, tlsFailed) {
		t.Errorf("the overview says %q, the TLS page %q failed sessions", overviewFailed, tlsFailed)
	}
	if strings.TrimSpace(firstDomain) != strings.TrimSpace(detailDomain) {
		t.Errorf("the list's first report is about %q, the page it links to about %q", firstDomain, detailDomain)
	}
}

// serveToBrowser serves the dashboard over st on a loopback port for the
// test's duration and starts a headless Chromium (skipping t when there is
// none); it returns the browser's context, bounded by timeout, and the
// dashboard's URL. Everything stops when t ends.
func serveToBrowser(t *testing.T, st Store, timeout time.Duration) (context.Context, string) {
	t.Helper()
	bin := browserPath()
	if bin == "" {
		shared.Skip(t, "no Chromium found (install the chromium package, or set DOMAINAUTH_CHROME)")
	}
	srv, err := Listen(Config{Store: st, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	flags := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin))
	if os.Geteuid() == 0 {
		flags = append(flags, chromedp.NoSandbox) // Chromium's sandbox refuses to run as root (CI)
	}
	alloc, closeAlloc := chromedp.NewExecAllocator(context.Background(), flags...)
	t.Cleanup(closeAlloc)
	ctx, closeTab := chromedp.NewContext(alloc)
	t.Cleanup(closeTab)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel)
	return ctx, srv.URL()
}
