package spf

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/shared"
	"github.com/domainauth/domainauth/zone"
)

// sharedFile finds ../shared/<rel> by walking up from the package directory
// until a directory holding shared/<rel> is found.
func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	return shared.Require(t, rel)
}

type suiteScenario struct {
	Description string                       `json:"description"`
	Tests       map[string]suiteCase         `json:"tests"`
	ZoneData    map[string][]json.RawMessage `json:"zonedata"`
}

type suiteCase struct {
	Description string          `json:"description"`
	Spec        json.RawMessage `json:"spec"`
	Helo        string          `json:"helo"`
	Host        string          `json:"host"`
	MailFrom    string          `json:"mailfrom"`
	Result      json.RawMessage `json:"result"`
	Explanation *string         `json:"explanation"`
}

func (c suiteCase) results() []string {
	var one string
	if json.Unmarshal(c.Result, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(c.Result, &many)
	return many
}

func loadSuite(t testing.TB, file string) []suiteScenario {
	data, err := os.ReadFile(sharedFile(t, filepath.Join("conformance", "spf", file)))
	if err != nil {
		t.Fatal(err)
	}
	var s []suiteScenario
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// suiteZone maps a scenario's zonedata onto a zone.Zone following the
// suite's README: SPF records are served as TXT when the name lists no TXT
// at all ("TXT: NONE" counts as listing one), and "TIMEOUT" makes every
// type without a real record listed before it time out.
func suiteZone(t testing.TB, data map[string][]json.RawMessage) *zone.Zone {
	z := zone.New()
	for name, recs := range data {
		listsTXT := false
		for _, raw := range recs {
			var m map[string]json.RawMessage
			if json.Unmarshal(raw, &m) == nil {
				if _, ok := m["TXT"]; ok {
					listsTXT = true
				}
			}
		}
		have := map[zone.Type]bool{}
		for _, raw := range recs {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				if s != "TIMEOUT" {
					t.Fatalf("%s: unknown entry %q", name, s)
				}
				// zone.SetFault with TypeANY would also fail the types that
				// have records, so faults are set per type instead.
				for _, ty := range []zone.Type{zone.TypeTXT, zone.TypeA, zone.TypeAAAA, zone.TypeMX, zone.TypePTR, zone.TypeCNAME, zone.TypeSPF} {
					if !have[ty] {
						z.SetFault(name, ty, zone.FaultTimeout)
					}
				}
				continue
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for typ, v := range m {
				var err error
				switch typ {
				case "TXT", "SPF":
					strs, isNone := suiteStrings(v)
					if isNone {
						continue
					}
					ty := zone.TypeTXT
					if typ == "SPF" {
						ty = zone.TypeSPF
					}
					err = z.Add(zone.RR{Name: name, Type: ty, Text: strs})
					have[ty] = true
					if typ == "SPF" && !listsTXT {
						err = z.Add(zone.RR{Name: name, Type: zone.TypeTXT, Text: strs})
						have[zone.TypeTXT] = true
					}
				case "A", "AAAA":
					var s string
					_ = json.Unmarshal(v, &s)
					ty := zone.TypeA
					if typ == "AAAA" {
						ty = zone.TypeAAAA
					}
					err = z.Add(zone.RR{Name: name, Type: ty, Addr: netip.MustParseAddr(s)})
					have[ty] = true
				case "MX":
					var mx [2]json.RawMessage
					_ = json.Unmarshal(v, &mx)
					var pref uint16
					var host string
					_ = json.Unmarshal(mx[0], &pref)
					_ = json.Unmarshal(mx[1], &host)
					if host == "" {
						host = "."
					}
					err = z.Add(zone.RR{Name: name, Type: zone.TypeMX, Pref: pref, Target: host})
					have[zone.TypeMX] = true
				case "PTR", "CNAME":
					var s string
					_ = json.Unmarshal(v, &s)
					ty := zone.TypePTR
					if typ == "CNAME" {
						ty = zone.TypeCNAME
					}
					err = z.Add(zone.RR{Name: name, Type: ty, Target: s})
					have[ty] = true
				default:
					t.Fatalf("%s: unknown record type %s", name, typ)
				}
				if err != nil {
					t.Fatalf("%s %s: %v", name, typ, err)
				}
			}
		}
	}
	return z
}

// suiteStrings decodes a TXT/SPF value: a string, a list of strings, or the
// placeholder NONE. Code points U+0080..U+00FF (YAML escapes in the
// original) are sent as UTF-8, as pyspf does; either choice makes the
// records non-ASCII.
func suiteStrings(v json.RawMessage) ([]string, bool) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		if s == "NONE" {
			return nil, true
		}
		return []string{s}, false
	}
	var l []string
	_ = json.Unmarshal(v, &l)
	return l, false
}

// suiteExplanationFold lists cases whose expected explanation differs from
// ours only in letter case, with the reason.
var suiteExplanationFold = map[string]string{
	// RFC 7208 §7.3 and the §7.4 example ("1.0.b.c.0.0.0.0...") give %{i}
	// of an IPv6 address in lower-case nibbles; the suite's expected text
	// has upper-case nibbles. Hex digits are case-insensitive in a DNS name,
	// so the explanation is compared ignoring case.
	"v-macro-ip6": "RFC 7208 §7.3: nibbles are lower case",
}

func runSuite(t *testing.T, file string, prefetch bool) (passed, total int) {
	for _, sc := range loadSuite(t, file) {
		z := suiteZone(t, sc.ZoneData)
		c := &Checker{Resolver: z, DefaultExplanation: "DEFAULT", Prefetch: prefetch}
		names := slices.Sorted(func(yield func(string) bool) {
			for n := range sc.Tests {
				if !yield(n) {
					return
				}
			}
		})
		for _, name := range names {
			tc := sc.Tests[name]
			total++
			t.Run(name, func(t *testing.T) {
				ip, err := netip.ParseAddr(tc.Host)
				if err != nil {
					t.Fatalf("bad host %q", tc.Host)
				}
				in := Input{IP: ip, MailFrom: tc.MailFrom, HELO: tc.Helo}
				r := c.Check(context.Background(), in)
				// c is shared by the scenario: from its second check on it
				// parses records into its cache. A Checker used once keeps
				// no parsed records (lightRecord); both must agree.
				once := (&Checker{Resolver: z, DefaultExplanation: "DEFAULT", Prefetch: prefetch}).Check(context.Background(), in)
				if got, want := summary(once), summary(r); got != want {
					t.Errorf("Checker used once: %s\nreused Checker: %s", got, want)
				}
				want := tc.results()
				if !slices.Contains(want, r.Code.String()) {
					t.Errorf("spec %s: %s: got %v (err %v), want %v\n%s", tc.Spec, tc.Description, r.Code, r.Err, want, dumpTrace(r))
					return
				}
				if tc.Explanation != nil && r.Code == CodeFail {
					got, exp := r.Explanation, *tc.Explanation
					ok := got == exp
					if _, fold := suiteExplanationFold[name]; fold {
						ok = strings.EqualFold(got, exp)
					}
					if !ok {
						t.Errorf("spec %s: explanation %q, want %q", tc.Spec, got, exp)
						return
					}
				}
				passed++
			})
		}
	}
	return passed, total
}

func dumpTrace(r Result) string {
	var b strings.Builder
	for _, s := range r.Trace {
		fmt.Fprintln(&b, "  ", s.String())
	}
	return b.String()
}

// TestRFC7208Suite runs the openspf RFC 7208 suite, sequentially and with
// prefetching; both must give every expected result.
func TestRFC7208Suite(t *testing.T) {
	for _, prefetch := range []bool{false, true} {
		t.Run(fmt.Sprintf("prefetch=%v", prefetch), func(t *testing.T) {
			passed, total := runSuite(t, "rfc7208-tests.json", prefetch)
			t.Logf("RFC 7208 suite: %d/%d passed (prefetch=%v)", passed, total, prefetch)
			if total != 203 {
				t.Errorf("suite has %d cases, want 203", total)
			}
		})
	}
}

// TestRFC4408Suite runs the older RFC 4408 suite too: RFC 7208 kept its
// semantics, and the cases where it changed them list both results.
func TestRFC4408Suite(t *testing.T) {
	passed, total := runSuite(t, "rfc4408-tests.json", false)
	t.Logf("RFC 4408 suite: %d/%d passed", passed, total)
}

// summary renders what two evaluations of the same input must agree on.
func summary(r Result) string {
	m := "<nil>"
	if r.Matched != nil {
		m = r.Matched.String()
	}
	return fmt.Sprintf("%v matched %s domain %q exp %q lookups %d/%d err %v",
		r.Code, m, r.Domain, r.Explanation, r.Lookups, r.VoidLookups, r.Err)
}
