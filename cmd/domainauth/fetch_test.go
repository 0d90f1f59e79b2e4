package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/tlstest"
	"github.com/domainauth/domainauth/zone"
)

// TestCheckFetchesLive: on live DNS, check fetches the MTA-STS policy and
// the BIMI logo over HTTPS, with the command's own client, here dialling a
// loopback server (never the addresses of secure.example).
func TestCheckFetchesLive(t *testing.T) {
	t.Chdir(repoRoot(t))
	data, err := os.ReadFile("examples/zones/secure.example.zone")
	if err != nil {
		t.Fatal(err)
	}
	z, err := zone.ParseString(string(data), "secure.example")
	if err != nil {
		t.Fatal(err)
	}
	policy, _ := os.ReadFile("examples/zones/secure.example.mta-sts.txt")
	logo, _ := os.ReadFile("examples/zones/secure.example.logo.svg")
	dns := serveZone(t, z)
	const policyPath = "mta-sts.secure.example/.well-known/mta-sts.txt"
	tests := []struct {
		name   string
		hosts  []string
		files  tlstest.Files
		status int
		want   []string // lines of the report
	}{
		{"policy and logo fetched", []string{"mta-sts.secure.example", "secure.example"}, tlstest.Files{
			policyPath:                      {"text/plain", string(policy)},
			"secure.example/brand/logo.svg": {"image/svg+xml", string(logo)},
		}, exitOK, []string{
			"MTA-STS (TLS required for mail to secure.example): ok",
			"policy (https://mta-sts.secure.example/.well-known/mta-sts.txt, certificate valid): mode enforce",
			"logo: checked from https://secure.example/brand/logo.svg",
		}},
		{"RFC 8461 §3.3: a redirect is not followed", []string{"mta-sts.secure.example", "secure.example"}, tlstest.Files{
			policyPath:                      {"redirect", "https://secure.example/policy.txt"},
			"secure.example/brand/logo.svg": {"image/svg+xml", string(logo)},
		}, exitFailed, []string{"mtasts.redirect", "fix: serve the policy itself at the URL, with status 200"}},
		{"RFC 8461 §3.3: a certificate for another name", []string{"www.secure.example", "secure.example"}, tlstest.Files{
			policyPath:                      {"text/plain", string(policy)},
			"secure.example/brand/logo.svg": {"image/svg+xml", string(logo)},
		}, exitFailed, []string{"mtasts.fetch-failed", "certificate"}},
		{"logo not served", []string{"mta-sts.secure.example", "secure.example"}, tlstest.Files{
			policyPath: {"text/plain", string(policy)},
		}, exitFailed, []string{"bimi.fetch-failed", "answered HTTP 404"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tlstest.Start(t, tt.files, tt.hosts...)
			var out, errb bytes.Buffer
			var mu sync.Mutex
			dialled := map[string]bool{}
			// The host names are looked up on the test's name server
			// (both have the zone's 192.0.2.80); the connection goes
			// to the loopback server.
			dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
				mu.Lock()
				dialled[addr] = true
				mu.Unlock()
				return srv.Dial(ctx, network, addr)
			}
			a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, clock: domainauth.FixedClock(testNow),
				httpDial: dial, httpRoots: srv.Roots}
			status := a.run(context.Background(), []string{"check", "--nameserver", dns, "--timeout", "10s",
				"--selector", "rsa1", "--selector", "ed1", "secure.example"})
			if status != tt.status {
				t.Errorf("status %d, want %d\n%s%s", status, tt.status, out.String(), errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("no %q in\n%s", w, out.String())
				}
			}
			if len(dialled) != 1 || !dialled["192.0.2.80:443"] {
				t.Errorf("dialled %v, want the zone's address 192.0.2.80:443 only", dialled)
			}
		})
	}
}

// TestCheckOfflineFiles: the files given for an offline check are checked
// in place of the documents, with each defect reported with its code and
// fix; a file over the bound is refused with one line.
func TestCheckOfflineFiles(t *testing.T) {
	t.Chdir(repoRoot(t))
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	logo, _ := os.ReadFile("examples/zones/secure.example.logo.svg")
	tests := []struct {
		name   string
		flags  []string
		status int
		want   []string
	}{
		{"policy without mx2", []string{"--mta-sts-policy", write("p1.txt", "version: STSv1\nmode: enforce\nmx: mx1.secure.example\nmax_age: 1209600\n")},
			exitFailed, []string{"mtasts.mx-not-covered  mx2.secure.example", `fix: add "mx: mx2.secure.example" to the policy`}},
		{"policy that does not parse", []string{"--mta-sts-policy", write("p2.txt", "version: STSv1\nmode: strict\n")},
			exitFailed, []string{"mtasts.invalid-policy"}},
		{"logo with a script", []string{"--bimi-svg", write("l.svg", strings.Replace(string(logo), "</svg>", "<script>alert(1)</script></svg>", 1))},
			exitFailed, []string{"bimi.svg-script", "fix: remove the script"}},
		{"certificate file that is no certificate", []string{"--bimi-cert", write("c.pem", "not a certificate")},
			exitFailed, []string{"bimi.cert-malformed"}},
		{"file over the bound", []string{"--bimi-svg", write("big.svg", strings.Repeat("x", maxOfflineFile+1))},
			exitTrouble, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"check", "--zone", "examples/zones/secure.example.zone"}, tt.flags...), "secure.example")
			out, stderr, status := runCLI(t, "", args...)
			if status != tt.status {
				t.Errorf("status %d, want %d\n%s%s", status, tt.status, out, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in\n%s", w, out)
				}
			}
			if tt.status == exitTrouble && strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q, want one line", stderr)
			}
		})
	}
}
