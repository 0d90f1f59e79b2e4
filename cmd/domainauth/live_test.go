package main

import (
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/dnstest"
	"github.com/domainauth/domainauth/zone"
)

// serveZone serves z on a loopback name server and returns its address.
func serveZone(t *testing.T, z *zone.Zone) string {
	t.Helper()
	return dnstest.Start(t, z, dnstest.Options{}).Addr()
}

// TestLiveDNS runs check against a name server that serves the bundled
// zones: the report must be the one --zone gives, capabilities included
// (the Easy DKIM CNAMEs and the SES audit need LookupCNAMETarget).
func TestLiveDNS(t *testing.T) {
	t.Chdir(repoRoot(t))
	// On live DNS check fetches the MTA-STS policy and the BIMI logo
	// (which runCLI refuses); given as files, they are the same for both.
	for _, tc := range []struct {
		file, domain, region string
		files                []string
	}{
		{"examples/zones/example.org.zone", "example.org", "", nil},
		{"examples/zones/broken.example.zone", "broken.example", "eu-south-1", []string{
			"--mta-sts-policy", "examples/zones/broken.example.mta-sts.txt", "--bimi-svg", "examples/zones/secure.example.logo.svg"}},
	} {
		data, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		z, err := zone.ParseString(string(data), tc.domain)
		if err != nil {
			t.Fatal(err)
		}
		addr := serveZone(t, z)
		fromFile, _, wantStatus := runCLI(t, "", slices.Concat([]string{"check", "--zone", tc.file, "--region", tc.region}, tc.files, []string{tc.domain})...)
		// Live DNS cannot list selectors; give the ones the zone has.
		args := slices.Concat([]string{"check", "--nameserver", addr, "--timeout", "5s", "--region", tc.region}, tc.files)
		for _, rr := range z.Records() {
			if sel, ok := strings.CutSuffix(rr.Name, "._domainkey."+tc.domain); ok {
				args = append(args, "--selector", sel)
			}
		}
		live, stderr, status := runCLI(t, "", append(args, tc.domain)...)
		if status != wantStatus {
			t.Errorf("%s: live status %d, from file %d (stderr %q)", tc.domain, status, wantStatus, stderr)
		}
		// The reports differ in their first line (the source) only.
		strip := func(s string) string {
			_, rest, _ := strings.Cut(s, "\n")
			return rest
		}
		if !strings.Contains(live, "Amazon SES (identity") {
			t.Errorf("%s: live check did not audit the SES set-up:\n%s", tc.domain, live)
		}
		// Without --selector, live DNS cannot show the Easy DKIM tokens:
		// check says so rather than report that the domain has no DKIM.
		bare, _, _ := runCLI(t, "", "check", "--nameserver", addr, "--timeout", "5s", "--region", tc.region, tc.domain)
		if strings.Contains(bare, "ses.dkim-none") || !strings.Contains(bare, "DNS cannot list the tokens") {
			t.Errorf("%s: without --selector:\n%s", tc.domain, bare)
		}
		if strip(live) != strip(fromFile) {
			t.Errorf("%s: live report differs from the zone file's\n--- live\n%s\n--- file\n%s", tc.domain, live, fromFile)
		}
	}
}

// TestLiveOutside: with --live-outside, a Route 53 export that includes
// amazonses.com in its SPF record is checked against amazonses.com's record
// from live DNS, while the exported names are answered from the file.
func TestLiveOutside(t *testing.T) {
	t.Chdir(repoRoot(t))
	data, err := os.ReadFile("examples/zones/example.org.zone")
	if err != nil {
		t.Fatal(err)
	}
	full, err := zone.ParseString(string(data), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	// "Live DNS" knows only Amazon's records.
	amazon := zone.New()
	for _, rr := range full.Records() {
		if dnsname.IsSubdomain(rr.Name, "amazonses.com") {
			if err := amazon.Add(rr); err != nil {
				t.Fatal(err)
			}
		}
	}
	addr := serveZone(t, amazon)
	const listing = "cmd/domainauth/testdata/route53-listing.json"

	offline, _, _ := runCLI(t, "", "check", "--route53", listing, "example.net")
	// Issue 11 item 17: offline, amazonses.com is not in the file, which
	// the check says, rather than that its SPF record is missing.
	if strings.Contains(offline, "spf.include-no-record") || !strings.Contains(offline, "not in the zone file, so they were not checked, and their lookups are not counted: amazonses.com; check with --live-outside") {
		t.Fatalf("offline check should say that amazonses.com is not in the file:\n%s", offline)
	}
	out, stderr, _ := runCLI(t, "", "check", "--route53", listing, "--live-outside", "--nameserver", addr, "--timeout", "5s", "example.net")
	if strings.Contains(out, "spf.include-no-record") || strings.Contains(out, "not in the zone file") || !strings.Contains(out, "DNS lookups: 1 of 10") {
		t.Errorf("--live-outside did not resolve include:amazonses.com:\n%s\n%s", out, stderr)
	}
	if !strings.Contains(out, `_dmarc.example.net: "v=DMARC1; p=reject`) {
		t.Errorf("--live-outside lost the file's own records:\n%s", out)
	}

	// The bundled zone answers everything itself: same report either way.
	plain, _, _ := runCLI(t, "", "check", "--zone", "examples/zones/example.org.zone", "example.org")
	over, _, status := runCLI(t, "", "check", "--zone", "examples/zones/example.org.zone", "--live-outside", "--nameserver", addr, "example.org")
	_, plainRest, _ := strings.Cut(plain, "\n")
	_, overRest, _ := strings.Cut(over, "\n")
	if status != 0 || plainRest != overRest {
		t.Errorf("status %d; with --live-outside:\n%s\nwithout:\n%s", status, over, plain)
	}

	if _, stderr, status := runCLI(t, "", "check", "--live-outside", "example.org"); status != exitTrouble || !strings.Contains(stderr, "--live-outside needs --zone") {
		t.Errorf("--live-outside alone: status %d, stderr %q", status, stderr)
	}
}

// TestLiveSelectorProbe: on live DNS without --selector, check tries the
// common selector names and checks the keys it finds.
func TestLiveSelectorProbe(t *testing.T) {
	z := mailZone("probe.example", "v=spf1 mx -all")
	// The Ed25519 public key of RFC 8463 Appendix A.
	z.AddTXT("google._domainkey.probe.example", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	addr := serveZone(t, z)
	out, stderr, status := runCLI(t, "", "check", "--nameserver", addr, "--timeout", "5s", "probe.example")
	if status != 0 {
		t.Errorf("status %d, stderr %q", status, stderr)
	}
	for _, want := range []string{
		"selectors found by trying common names: google",
		"google._domainkey.probe.example: ed25519 key, 256 bits",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

// mailZone is a domain with an MX, the SPF record spf and DMARC p=reject.
func mailZone(domain, spf string) *zone.Zone {
	z := zone.New()
	z.AddMX(domain, 10, "mx."+domain)
	z.AddA("mx."+domain, "192.0.2.7")
	z.AddTXT(domain, spf)
	z.AddTXT("_dmarc."+domain, "v=DMARC1; p=reject; rua=mailto:d@"+domain)
	return z
}

// includeZone is example.org with an SPF record that includes another
// domain's, on a loopback server.
func includeZone(t *testing.T) *dnstest.Server {
	t.Helper()
	z := mailZone("example.org", "v=spf1 include:spf.provider.example -all")
	z.AddTXT("spf.provider.example", "v=spf1 ip4:192.0.2.0/24 -all")
	return dnstest.Start(t, z, dnstest.Options{})
}

// TestCheckUnusableDNSEndToEnd: a name server that answers NXDOMAIN for
// every name makes check exit 2 with one line saying DNS is unusable, and
// claim nothing about the domain (no "no MX", no report).
func TestCheckUnusableDNSEndToEnd(t *testing.T) {
	z := zone.New()
	z.AddMX("example.org", 10, "mx.example.org")
	srv := dnstest.Start(t, z, dnstest.Options{NXDomainAll: true})
	stdout, stderr, status := runCLI(t, "", "check", "--nameserver", srv.Addr(), "--timeout", "5s", "example.org")
	if status != exitTrouble || stdout != "" || strings.Count(stderr, "\n") != 1 ||
		!strings.Contains(stderr, "DNS server "+srv.Addr()+" is unusable for example.org") ||
		strings.Contains(stderr, "MX") {
		t.Errorf("status %d\nstdout:\n%s\nstderr:\n%s", status, stdout, stderr)
	}
}

// TestTempErrorIsAResult (issue 11 item 18): a SERVFAIL for one included
// name is a temperror result, printed like any other with its trace and
// Received-SPF (exit status 2), not "DNS ... could not be reached".
func TestTempErrorIsAResult(t *testing.T) {
	srv := includeZone(t)
	for _, f := range []dnstest.Failure{dnstest.Timeout, dnstest.ServFail} {
		// A server that answered the probe but not for the included name
		// (within --timeout) is as much a temperror as a SERVFAIL.
		srv.FailName("spf.provider.example", f)
		stdout, stderr, status := runCLI(t, "", "spf", "check", "--nameserver", srv.Addr(), "--timeout", "1s", "--trace", "example.org", "192.0.2.1")
		for _, want := range []string{
			"temperror for example.org from 192.0.2.1\n",
			"Received-SPF: temperror",
			"include:spf.provider.example", // the trace
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("spf check, failure %d: missing %q in:\n%s", f, want, stdout)
			}
		}
		if status != exitTrouble || strings.Contains(stderr, "reach") || strings.Contains(stderr, "did not answer") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("spf check, failure %d: status %d, stderr %q", f, status, stderr)
		}
	}

	stdout, stderr, status := runCLI(t, "", "check", "--nameserver", srv.Addr(), "--timeout", "5s", "--selector", "s1", "example.org")
	if !strings.Contains(stdout, "Result: example.org") || !strings.Contains(stdout, "spf.dns-error  spf.provider.example") {
		t.Errorf("check: no report with the temperror:\n%s", stdout)
	}
	if status != exitTrouble || strings.Contains(stderr, "could not be reached") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("check: status %d, stderr %q", status, stderr)
	}
}

// TestUnreachableDNS: a name server that does not answer at all, or a
// closed port, is still one line saying DNS cannot be reached, with no
// result.
func TestUnreachableDNS(t *testing.T) {
	srv := includeZone(t)
	srv.FailName("example.org", dnstest.Timeout)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := pc.LocalAddr().String()
	pc.Close()
	for _, tc := range []struct {
		name, addr, want string
	}{
		{"no answer", srv.Addr(), "DNS server " + srv.Addr() + " did not answer for example.org within 1s"},
		{"closed port", closed, "DNS server " + closed + " could not be reached for example.org (connection refused)"},
	} {
		for _, args := range [][]string{
			{"spf", "check", "example.org", "192.0.2.1"},
			{"check", "example.org"},
		} {
			stdout, stderr, status := runCLI(t, "", append(args, "--nameserver", tc.addr, "--timeout", "1s")...)
			if status != exitTrouble || stdout != "" || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("%s: %v: status %d\nstdout:\n%s\nstderr: %s", tc.name, args, status, stdout, stderr)
			}
		}
	}
}

// TestProbeAnswerReused: the reachability probe asks the evaluation's first
// TXT question, and the evaluation takes its answer from the cache instead
// of asking again.
func TestProbeAnswerReused(t *testing.T) {
	for _, args := range [][]string{
		{"spf", "check", "example.org", "192.0.2.1"},
		{"check", "--selector", "s1", "example.org"},
	} {
		srv := includeZone(t)
		if _, stderr, status := runCLI(t, "", append(args, "--nameserver", srv.Addr(), "--timeout", "5s")...); status == exitTrouble {
			t.Fatalf("%v: status %d, stderr %q", args, status, stderr)
		}
		n := 0
		for _, q := range srv.Queries() {
			if q.Type == dnsmessage.TypeTXT && dnsname.Equal(q.Name, "example.org") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%v: TXT example.org asked %d times, want once (queries: %v)", args, n, srv.Queries())
		}
	}
}
