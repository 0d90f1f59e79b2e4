package spf

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/zone"
)

// rfc8616Zone publishes the records of TestRFC8616Section4. Names that a
// non-ASCII local part would expand to exist, in both forms, so that a
// term matching them would show.
func rfc8616Zone() *zone.Zone {
	z := zone.New()
	// Checked domains in U-labels are queried as A-labels.
	z.AddTXT("xn--bcher-kva.example", "v=spf1 ip4:192.0.2.0/24 -all")
	// %{d}, %{o} and %{h} expand to A-labels.
	z.AddTXT("xn--mcro-loa.example", "v=spf1 exists:%{d}._d.s.example.net exists:%{o}._o.s.example.net -all")
	z.AddA("xn--mcro-loa.example._d.s.example.net", "127.0.0.2")
	z.AddTXT("helo-macro.example", "v=spf1 exists:%{h}._h.s.example.net -all")
	z.AddA("xn--bcher-kva.example._h.s.example.net", "127.0.0.2")
	z.AddTXT("xn--e1afmkfd.xn--p1ai", "v=spf1 exists:%{d2r}._r.s.example.net -all")
	z.AddA("xn--p1ai.xn--e1afmkfd._r.s.example.net", "127.0.0.2")
	// %{l} and %{s} terms: each kind of term.
	for _, n := range []string{"alice", "j\u00fcrgen", "xn--jrgen-kva", "J%C3%BCrgen", "j%C3%BCrgen"} {
		z.AddA(n+".users.example.net", "127.0.0.2")
		z.AddA(n+".users.example.net", "192.0.2.1")
		z.AddMX(n+".users.example.net", 10, "mx.example.net")
		z.AddTXT(n+".inc.example.net", "v=spf1 +all")
		z.AddTXT(n+".r.example.net", "v=spf1 +all")
		z.AddTXT(n+".exp.example.net", "%{l} may not send")
	}
	z.AddA("mx.example.net", "192.0.2.1")
	z.AddPTR("1.2.0.192.in-addr.arpa", "alice.users.example.net")
	z.AddTXT("exists.example.com", "v=spf1 exists:%{l}.users.example.net ?all")
	z.AddTXT("exists-upper.example.com", "v=spf1 exists:%{L}.users.example.net ?all")
	z.AddTXT("exists-s.example.com", "v=spf1 exists:%{s1r}.users.example.net ?all")
	z.AddTXT("a.example.com", "v=spf1 a:%{l}.users.example.net ?all")
	z.AddTXT("mx.example.com", "v=spf1 mx:%{l}.users.example.net ?all")
	z.AddTXT("ptr.example.com", "v=spf1 ptr:%{l}.users.example.net ?all")
	z.AddTXT("include.example.com", "v=spf1 include:%{l}.inc.example.net -all")
	z.AddTXT("redirect.example.com", "v=spf1 redirect=%{l}.r.example.net")
	z.AddTXT("exp.example.com", "v=spf1 -all exp=%{l}.exp.example.net")
	z.AddTXT("exp-text.example.com", "v=spf1 -all exp=why.exp-text.example.com")
	z.AddTXT("why.exp-text.example.com", "%{l} may not send")
	z.AddTXT("later.example.com", "v=spf1 exists:%{l}.users.example.net ip4:192.0.2.0/24 -all")
	z.AddTXT("other-macros.example.com", "v=spf1 exists:%{o}.%{d}._x.s.example.net ?all")
	z.AddA("other-macros.example.com.other-macros.example.com._x.s.example.net", "127.0.0.2")
	z.AddTXT("voids.example.com", "v=spf1 exists:%{l}.v1.example.net exists:%{l}.v2.example.net exists:%{l}.v3.example.net ?all")
	z.AddTXT("eleven.example.com", "v=spf1 "+repeat("exists:%{l}.v1.example.net", 11)+" ?all")
	return z
}

// TestRFC8616Section4 checks SPF on internationalised mail (RFC 8616 §4):
// U-labels of the MAIL FROM and HELO identities and of every macro
// expansion of a domain-spec are converted to A-labels before use, and
// "if the local part contains non-ASCII characters, terms that include
// %{s} or %{l} do not match anything". Each case runs sequentially and
// with prefetching; no query may carry a non-ASCII name or the local part.
func TestRFC8616Section4(t *testing.T) {
	z := rfc8616Zone()
	const utf8Local = "j\u00fcrgen"
	tests := []struct {
		name    string
		in      Input
		helo    bool // CheckHELO instead of Check
		want    Code
		err     error
		lookups int
		voids   int
		exp     string
	}{
		{name: "§4 MAIL FROM U-label domain queried as A-labels", in: from(ip1, utf8Local+"@b\u00fccher.example"), want: CodePass},
		{name: "§4 MAIL FROM mixed-case U-label domain", in: from(ip1, "a@B\u00dcCHER.Example."), want: CodePass},
		{name: "§4 HELO identity in U-labels converted (MUST be A-labels; tolerated)", in: Input{IP: ip1, HELO: "b\u00fccher.example"}, helo: true, want: CodePass},
		{name: "§4 null reverse-path: postmaster@ U-label HELO", in: Input{IP: ip1, HELO: "b\u00fccher.example"}, want: CodePass},
		{name: "§4 %{d} and %{o} expand to A-labels", in: from(ip1, "a@m\u00e4cro.example"), want: CodePass, lookups: 1},
		{name: "§4 %{h} expands to A-labels", in: Input{IP: ip1, MailFrom: "a@helo-macro.example", HELO: "b\u00fccher.example"}, want: CodePass, lookups: 1},
		{name: "§4 transformers split the A-label form (%{d2r})", in: from(ip1, "a@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444"), want: CodePass, lookups: 1},
		{name: "§4 invalid U-label domain: none, with the domain named", in: from(ip1, "a@a\u05d0.example"), want: CodeNone, err: ErrInvalidIDN},
		{name: "§4 invalid U-label HELO: none", in: Input{IP: ip1, HELO: "-\u00fc.example"}, helo: true, want: CodeNone, err: ErrInvalidIDN},
		{name: "§4 control: ASCII local part matches exists:%{l}", in: from(ip1, "alice@exists.example.com"), want: CodePass, lookups: 1},
		{name: "§4 non-ASCII %{l}: exists matches nothing", in: from(ip1, utf8Local+"@exists.example.com"), want: CodeNeutral, lookups: 1},
		{name: "§4 non-ASCII %{L} (URL-escaped): matches nothing", in: from(ip1, utf8Local+"@exists-upper.example.com"), want: CodeNeutral, lookups: 1},
		{name: "§4 non-ASCII %{s} with transformers: matches nothing", in: from(ip1, utf8Local+"@exists-s.example.com"), want: CodeNeutral, lookups: 1},
		{name: "§4 control: ASCII local part matches a:%{l}", in: from(ip1, "alice@a.example.com"), want: CodePass, lookups: 1},
		{name: "§4 non-ASCII %{l}: a matches nothing", in: from(ip1, utf8Local+"@a.example.com"), want: CodeNeutral, lookups: 1},
		{name: "§4 non-ASCII %{l}: mx matches nothing", in: from(ip1, utf8Local+"@mx.example.com"), want: CodeNeutral, lookups: 1},
		{name: "§4 control: ASCII local part matches ptr:%{l}", in: from(ip1, "alice@ptr.example.com"), want: CodePass, lookups: 1},
		{name: "§4 non-ASCII %{l}: ptr matches nothing", in: from(ip1, utf8Local+"@ptr.example.com"), want: CodeNeutral, lookups: 1},
		{name: "§4 non-ASCII %{l}: include matches nothing, evaluation goes on", in: from(ip1, utf8Local+"@include.example.com"), want: CodeFail, lookups: 1},
		{name: "§4 control: ASCII local part follows redirect=%{l}", in: from(ip1, "alice@redirect.example.com"), want: CodePass, lookups: 1},
		{name: "§4 non-ASCII %{l}: redirect matches nothing, so neutral (RFC 7208 §4.7)", in: from(ip1, utf8Local+"@redirect.example.com"), want: CodeNeutral, lookups: 1},
		{name: "§4 control: ASCII local part gets the exp= explanation", in: from(ip1, "alice@exp.example.com"), want: CodeFail, exp: "alice may not send"},
		{name: "§4 non-ASCII %{l}: exp= gives no explanation", in: from(ip1, utf8Local+"@exp.example.com"), want: CodeFail},
		{name: "§4 explanation text is not a term: %{l} expands, non-ASCII bytes become '?' (RFC 7208 §6.2)", in: from(ip1, utf8Local+"@exp-text.example.com"), want: CodeFail, exp: "j??rgen may not send"},
		{name: "§4 later terms still match", in: from(ip1, utf8Local+"@later.example.com"), want: CodePass, lookups: 1},
		{name: "§4 other macros still expand for a non-ASCII local part", in: from(ip1, utf8Local+"@other-macros.example.com"), want: CodePass, lookups: 1},
		{name: "§4 terms that match nothing make no void lookups", in: from(ip1, utf8Local+"@voids.example.com"), want: CodeNeutral, lookups: 3},
		{name: "§4 control: the same terms with an ASCII local part are void", in: from(ip1, "bob@voids.example.com"), want: CodePermError, err: ErrTooManyVoidLookups, lookups: 3, voids: 3},
		{name: "§4 RFC 7208 §4.6.4 terms that match nothing still count", in: from(ip1, utf8Local+"@eleven.example.com"), want: CodePermError, err: ErrTooManyLookups, lookups: 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, pf := range []bool{false, true} {
				cr := &countingResolver{z: z}
				c := &Checker{Resolver: cr, Prefetch: pf, Trace: true}
				var r Result
				if tt.helo {
					r = c.CheckHELO(context.Background(), tt.in)
				} else {
					r = c.Check(context.Background(), tt.in)
				}
				if r.Code != tt.want || !errors.Is(r.Err, tt.err) || (tt.err == nil) != (r.Err == nil) {
					t.Fatalf("prefetch %v: got %v (%v), want %v (%v)\n%s", pf, r.Code, r.Err, tt.want, tt.err, traceText(r))
				}
				if r.Lookups != tt.lookups || r.VoidLookups != tt.voids || r.Explanation != tt.exp {
					t.Errorf("prefetch %v: lookups %d voids %d explanation %q, want %d %d %q", pf, r.Lookups, r.VoidLookups, r.Explanation, tt.lookups, tt.voids, tt.exp)
				}
				var ce *CheckError
				if errors.Is(tt.err, ErrInvalidIDN) && (!errors.As(r.Err, &ce) || ce.Domain == "" || !strings.Contains(r.Err.Error(), ce.Domain)) {
					t.Errorf("error %v does not name the domain", r.Err)
				}
				cr.mu.Lock()
				for q := range cr.n {
					if !dnsname.IsASCII(q) || strings.Contains(q, "jrgen") || strings.Contains(q, "%C3") {
						t.Errorf("prefetch %v: queried %q", pf, q)
					}
				}
				cr.mu.Unlock()
			}
		})
	}
}

// TestUsesLocalPart checks the scan for the macros RFC 8616 §4 names.
func TestUsesLocalPart(t *testing.T) {
	for spec, want := range map[string]bool{
		"%{l}.x.example": true, "%{L}.x": true, "%{s}": true, "%{S2r+}.x": true, "x.%{l1r-}": true,
		"%{d}.%{o}.%{h}.%{i}.%{p}.%{v}": false, "%%{l}.x": false, "%%%{l}": true, "%_%-%{d}": false,
		"example.org": false, "%{ir}.%{l}": true,
	} {
		if got := usesLocalPart(spec); got != want {
			t.Errorf("usesLocalPart(%q) = %v, want %v", spec, got, want)
		}
	}
}

// traceText renders a result's trace for a failure message.
func traceText(r Result) string {
	var b strings.Builder
	for _, s := range r.Trace {
		b.WriteString(s.String())
		b.WriteByte('\n')
	}
	return b.String()
}
