package dkim

import (
	"bufio"
	"context"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/shared"
)

// mapResolver is a minimal Resolver for tests: TXT records by name, a
// missing name is NXDOMAIN, and names in fail give a temporary error.
type mapResolver struct {
	txt  map[string][]string
	fail map[string]bool
}

func (r *mapResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if r.fail[name] {
		return nil, domainauth.TemporaryError(name, "server misbehaving")
	}
	if v, ok := r.txt[name]; ok {
		return v, nil
	}
	return nil, domainauth.NotFoundError(name)
}

func (r *mapResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	return nil, domainauth.NotFoundError(name)
}

func (r *mapResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return nil, domainauth.NotFoundError(host)
}

func (r *mapResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	return nil, domainauth.NotFoundError(addr)
}

func (r *mapResolver) add(name, txt string) {
	if r.txt == nil {
		r.txt = map[string][]string{}
	}
	name = strings.ToLower(name)
	r.txt[name] = append(r.txt[name], txt)
}

// conformanceDir returns ../shared/conformance/dkim found by walking up from
// the package directory, or skips the test.
func conformanceDir(t testing.TB) string {
	t.Helper()
	return shared.Require(t, "conformance", "dkim")
}

// loadDNS reads a "<name>\t<TXT value>" file into r.
func loadDNS(t testing.TB, r *mapResolver, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, val, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s: line without a tab: %q", path, line)
		}
		r.add(name, val)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyName returns <selector>._domainkey.<domain>, the name of the key
// record (RFC 6376 §3.6.2.1), in A-labels: the name Verify asks, built
// the plain way for tests to compare with.
func keyName(selector, domain string) (string, error) {
	return aLabels(selector + "._domainkey." + domain)
}
