package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
)

// TestReportServeRefusesUnsafeAddress: serve refuses a non-loopback
// address without a token and TLS, and a short token, with exit status 2
// and one line, before it opens (and so creates) the database.
func TestReportServeRefusesUnsafeAddress(t *testing.T) {
	t.Setenv("DOMAINAUTH_TOKEN", "")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"all interfaces", []string{"--listen", ":8080"}, "not a loopback address"},
		{"no token", []string{"--listen", "192.0.2.1:8080", "--behind-tls-proxy"}, "no access token"},
		{"no TLS", []string{"--listen", "192.0.2.1:8080", "--token", "0123456789abcdef0123"}, "neither TLS nor a TLS proxy"},
		{"short token", []string{"--token", "short"}, "at least 16"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "reports.db")
			_, stderr, status := runCLI(t, "", append([]string{"report", "serve", "--db", db}, tc.args...)...)
			if status != exitTrouble || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("status %d, stderr %q; want 2 and one line with %q", status, stderr, tc.want)
			}
			if _, err := os.Stat(db); err == nil {
				t.Errorf("the database was created before the address was refused")
			}
		})
	}
}

// TestReportServe: serve answers on the loopback address and exits 0 when
// its context ends (as on Ctrl-C).
func TestReportServe(t *testing.T) {
	url, stop := startServe(t, "--db", filepath.Join(t.TempDir(), "r.db"))
	for _, p := range []string{"healthz", ""} {
		resp, err := http.Get(url + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /%s: %d", p, resp.StatusCode)
		}
	}
	if status := stop(); status != exitOK {
		t.Errorf("exit status %d after shutdown", status)
	}
}

// startServe runs "report serve" with args on a free loopback port and
// without DNS, waits for the line naming its URL (ending in "/"), and
// returns the URL and a function that stops it as Ctrl-C does and
// returns its exit status.
func startServe(t *testing.T, args ...string) (url string, stop func() int) {
	t.Helper()
	pr, pw := io.Pipe()
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: pw, clock: domainauth.FixedClock(testNow)}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan int, 1)
	go func() {
		done <- a.run(ctx, append([]string{"report", "serve", "--listen", "127.0.0.1:0", "--no-dns"}, args...))
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no line on stderr: %v", err)
	}
	go io.Copy(io.Discard, pr)
	_, url, ok := strings.Cut(strings.TrimSpace(line), " at ")
	url, _, _ = strings.Cut(url, " ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		cancel()
		t.Fatalf("stderr %q names no loopback URL", line)
	}
	return url, func() int {
		cancel()
		select {
		case status := <-done:
			return status
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop")
			return -1
		}
	}
}
