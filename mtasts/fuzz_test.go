package mtasts

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseRecord checks that ParseRecord never panics and that a parsed
// record round-trips: ParseRecord(r.String()) equals r.
func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{
		"v=STSv1; id=20160831085700Z;",
		"v=STSv1;id=1",
		"v=STSv1 \t; id=1; x=y; id=2; x=z;",
		"v=STSv1; id=1; a.b-c_d=!\"#$%&'()*+,-./:<>?@[]^_`{|}~",
		"v=STSv1",
		"v=STSv10; id=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRecord(s)
		if err != nil {
			if r != nil {
				t.Fatalf("ParseRecord(%q) returned a record with error %v", s, err)
			}
			return
		}
		again, err := ParseRecord(r.String())
		if err != nil {
			t.Fatalf("ParseRecord(%q) ok, but its String() %q: %v", s, r.String(), err)
		}
		if d := cmp.Diff(r, again); d != "" {
			t.Fatalf("round trip of %q through %q (-first +second):\n%s", s, r.String(), d)
		}
	})
}

// FuzzParsePolicy checks that ParsePolicy never panics, that a parsed
// policy round-trips, and that every mx pattern matches a host made from it.
func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		rfcPolicy,
		"version: STSv1\nmode: none\nmax_age: 0",
		"version: STSv1\nmode: testing\nmx: *.example.com\nmax_age: 86400\nfoo: bär baz\nmode: enforce\n",
		"version:STSv1\r\nmode:\tenforce \r\nmx: a\r\nmax_age: 0000000001\r\n",
		"version: STSv1\n\nmode: none\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePolicy(s)
		if err != nil {
			if p != nil {
				t.Fatalf("ParsePolicy(%q) returned a policy with error %v", s, err)
			}
			return
		}
		// String may be longer than the input (": " and CRLF), so the
		// round trip is checked without the size limit.
		again, err := parsePolicy(p.String(), math.MaxInt64)
		if err != nil {
			t.Fatalf("ParsePolicy(%q) ok, but its String() %q: %v", s, p.String(), err)
		}
		if d := cmp.Diff(p, again); d != "" {
			t.Fatalf("round trip of %q through %q (-first +second):\n%s", s, p.String(), d)
		}
		if p.MaxAge < 0 || p.MaxAge > MaxMaxAge {
			t.Fatalf("max_age %d out of range", p.MaxAge)
		}
		for _, pat := range p.MX {
			host := pat
			if pat[0] == '*' {
				host = "x" + pat[1:]
			}
			if _, ok := p.Matches(host); !ok {
				t.Fatalf("pattern %q does not match %q", pat, host)
			}
		}
	})
}
