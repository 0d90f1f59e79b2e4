package dmarc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

// TestEvaluateMatrix runs every combination of policy, alignment modes and
// SPF/DKIM identifiers and results against a small oracle written from
// RFC 9989 §3.2.10 (alignment), §4.4 and §5.3.5 (pass when any aligned
// identifier passes) and RFC 7489 §6.6.2 (temperror when none passes and an
// aligned one had a temporary error).
func TestEvaluateMatrix(t *testing.T) {
	domains := []string{"example.org", "bounce.example.org", "example.net"}
	results := []AuthResult{AuthResultPass, AuthResultFail, AuthResultTempError, AuthResultSoftFail}
	aligned := func(dom string, mode Alignment) bool {
		return dom == "example.org" || mode == AlignmentRelaxed && strings.HasSuffix(dom, ".example.org")
	}
	n := 0
	for _, p := range []Policy{PolicyNone, PolicyQuarantine, PolicyReject} {
		for _, aspf := range []Alignment{AlignmentRelaxed, AlignmentStrict} {
			for _, adkim := range []Alignment{AlignmentRelaxed, AlignmentStrict} {
				z := zone.New()
				z.AddTXT("_dmarc.example.org", fmt.Sprintf("v=DMARC1; p=%s; aspf=%s; adkim=%s", p, aspf, adkim))
				z.AddTXT("_dmarc.example.net", "v=DMARC1; p=none")
				c := Checker{Resolver: z}
				for _, sd := range domains {
					for _, sr := range results {
						for _, dd := range domains {
							for _, dr := range results {
								in := Input{FromDomain: "example.org",
									SPF:  Identifier{Domain: sd, Result: sr},
									DKIM: []Identifier{{Domain: dd, Result: dr, Selector: "s1"}}}
								wantSPF := sr == AuthResultPass && aligned(sd, aspf)
								wantDKIM := dr == AuthResultPass && aligned(dd, adkim)
								want, wantDis := CodeFail, disposition(p)
								switch {
								case wantSPF || wantDKIM:
									want, wantDis = CodePass, DispositionNone
								case sr == AuthResultTempError && aligned(sd, aspf) || dr == AuthResultTempError && aligned(dd, adkim):
									want, wantDis = CodeTempError, DispositionNone
								}
								res := c.Evaluate(context.Background(), in)
								n++
								if res.Code != want || res.Disposition != wantDis || res.SPFAligned != wantSPF ||
									res.DKIMAligned != wantDKIM || res.Policy != p || res.PolicyTag != TagP {
									t.Errorf("p=%s aspf=%s adkim=%s spf=%s/%s dkim=%s/%s: got %s dis=%s spf=%v dkim=%v policy=%s(%s), want %s dis=%s spf=%v dkim=%v",
										p, aspf, adkim, sd, sr, dd, dr, res.Code, res.Disposition, res.SPFAligned, res.DKIMAligned,
										res.Policy, res.PolicyTag, want, wantDis, wantSPF, wantDKIM)
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d combinations", n)
}

// TestEvaluateSES is the seed case: Amazon SES with the default MAIL FROM
// (<region>.amazonses.com) and Easy DKIM, which signs with d=<identity>
// and d=amazonses.com. SPF passes for amazonses.com and never aligns, so
// DMARC passes through DKIM only.
func TestEvaluateSES(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=quarantine; pct=100; rua=mailto:mail-master@example.org; aspf=r; adkim=r; fo=0; ri=86400;")
	z.AddTXT("_dmarc.amazonses.com", "v=DMARC1; p=none")
	in := Input{
		FromDomain: "example.org",
		SPF:        Identifier{Domain: "eu-west-1.amazonses.com", Result: AuthResultPass},
		DKIM: []Identifier{
			{Domain: "example.org", Selector: "abcdefghijklmnopqrstuvwxyz234567", Result: AuthResultPass},
			{Domain: "amazonses.com", Selector: "224i4yxa5dv7c2xz3womw6peuasteono", Result: AuthResultPass},
		},
	}
	for _, mode := range []Mode{ModeRFC9989, ModeRFC7489} {
		c := Checker{Resolver: z, Mode: mode}
		res := c.Evaluate(context.Background(), in)
		if res.Code != CodePass || res.SPFAligned || !res.DKIMAligned || res.Disposition != DispositionNone {
			t.Fatalf("%v: %+v", mode, res)
		}
		if len(res.Checks) != 3 || res.Checks[0].Aligned || !res.Checks[1].Aligned || res.Checks[2].Aligned {
			t.Errorf("%v: checks %+v", mode, res.Checks)
		}
		if res.Checks[0].OrgDomain != "" && res.Checks[0].OrgDomain == "example.org" {
			t.Errorf("%v: SPF org domain %q", mode, res.Checks[0].OrgDomain)
		}
		if got := res.AuthResult().String(); got != "dmarc=pass (p=quarantine dis=none) header.from=example.org policy.dmarc=quarantine" {
			t.Errorf("%v: A-R %q", mode, got)
		}
	}
	// Without the Easy DKIM signature for example.org, DMARC fails and the
	// quarantine policy applies.
	in.DKIM = in.DKIM[1:]
	res := Evaluate(context.Background(), z, in)
	if res.Code != CodeFail || res.Disposition != DispositionQuarantine {
		t.Errorf("without aligned DKIM: %s %s", res.Code, res.Disposition)
	}
	// With a custom MAIL FROM subdomain, SPF aligns under relaxed aspf.
	in.SPF.Domain = "mail.example.org"
	if res := Evaluate(context.Background(), z, in); res.Code != CodePass || !res.SPFAligned {
		t.Errorf("custom MAIL FROM: %s spf aligned %v", res.Code, res.SPFAligned)
	}
}

func TestEvaluatePolicies(t *testing.T) {
	tests := []struct {
		name      string
		records   map[string]string
		exists    []string // names with an A record
		from      string
		mode      Mode
		rand      int // value IntN returns
		code      Code
		policy    Policy
		tag       Tag
		applied   Policy
		dis       Disposition
		testing   bool
		sampled   bool
		nonexists bool
	}{
		{"§4.10.1 p for the author domain", map[string]string{"example.org": "v=DMARC1; p=reject; sp=none; np=quarantine"},
			nil, "example.org", ModeRFC9989, 0, CodeFail, PolicyReject, TagP, PolicyReject, DispositionReject, false, true, false},
		{"§4.10.1 sp for an existing subdomain", map[string]string{"example.org": "v=DMARC1; p=reject; sp=none; np=quarantine"},
			[]string{"mail.example.org"}, "mail.example.org", ModeRFC9989, 0, CodeFail, PolicyNone, TagSP, PolicyNone, DispositionNone, false, true, false},
		{"§4.10.1 np for a non-existent subdomain", map[string]string{"example.org": "v=DMARC1; p=reject; sp=none; np=quarantine"},
			nil, "ghost.example.org", ModeRFC9989, 0, CodeFail, PolicyQuarantine, TagNP, PolicyQuarantine, DispositionQuarantine, false, true, true},
		{"§4.7 np absent: sp for a non-existent subdomain", map[string]string{"example.org": "v=DMARC1; p=reject; sp=quarantine"},
			nil, "ghost.example.org", ModeRFC9989, 0, CodeFail, PolicyQuarantine, TagSP, PolicyQuarantine, DispositionQuarantine, false, true, false},
		{"§4.7 sp and np absent: p for subdomains", map[string]string{"example.org": "v=DMARC1; p=reject"},
			nil, "ghost.example.org", ModeRFC9989, 0, CodeFail, PolicyReject, TagP, PolicyReject, DispositionReject, false, true, false},
		{"§4.7 t=y lowers reject to quarantine", map[string]string{"example.org": "v=DMARC1; p=reject; t=y"},
			nil, "example.org", ModeRFC9989, 0, CodeFail, PolicyReject, TagP, PolicyQuarantine, DispositionQuarantine, true, true, false},
		{"§4.7 t=y lowers quarantine to none", map[string]string{"example.org": "v=DMARC1; p=quarantine; t=y"},
			nil, "example.org", ModeRFC9989, 0, CodeFail, PolicyQuarantine, TagP, PolicyNone, DispositionNone, true, true, false},
		{"§4.7 t=n applies the policy", map[string]string{"example.org": "v=DMARC1; p=quarantine; t=n"},
			nil, "example.org", ModeRFC9989, 0, CodeFail, PolicyQuarantine, TagP, PolicyQuarantine, DispositionQuarantine, false, true, false},
		{"RFC 9989 ignores pct", map[string]string{"example.org": "v=DMARC1; p=reject; pct=0"},
			nil, "example.org", ModeRFC9989, 99, CodeFail, PolicyReject, TagP, PolicyReject, DispositionReject, false, true, false},
		{"RFC 7489 §6.6.4 pct: selected", map[string]string{"example.org": "v=DMARC1; p=reject; pct=50"},
			nil, "example.org", ModeRFC7489, 49, CodeFail, PolicyReject, TagP, PolicyReject, DispositionReject, false, true, false},
		{"RFC 7489 §6.6.4 pct: not selected, reject becomes quarantine", map[string]string{"example.org": "v=DMARC1; p=reject; pct=50"},
			nil, "example.org", ModeRFC7489, 50, CodeFail, PolicyReject, TagP, PolicyQuarantine, DispositionQuarantine, false, false, false},
		{"RFC 7489 §6.6.4 pct: not selected, quarantine becomes none", map[string]string{"example.org": "v=DMARC1; p=quarantine; pct=0"},
			nil, "example.org", ModeRFC7489, 0, CodeFail, PolicyQuarantine, TagP, PolicyNone, DispositionNone, false, false, false},
		{"RFC 7489 ignores t and np", map[string]string{"example.org": "v=DMARC1; p=reject; np=none; t=y"},
			nil, "ghost.example.org", ModeRFC7489, 0, CodeFail, PolicyReject, TagP, PolicyReject, DispositionReject, false, true, false},
		{"§4.10.1 invalid p with rua acts as none", map[string]string{"example.org": "v=DMARC1; p=rejected; rua=mailto:d@example.org"},
			nil, "example.org", ModeRFC9989, 0, CodeFail, PolicyNone, TagP, PolicyNone, DispositionNone, false, true, false},
		{"§4.10.1 PSD policy for a subdomain", map[string]string{"example": "v=DMARC1; p=quarantine; psd=y; np=reject"},
			nil, "ghost.b.example", ModeRFC9989, 0, CodeFail, PolicyReject, TagNP, PolicyReject, DispositionReject, false, true, true},
		{"§4.10.1 no record: none", map[string]string{}, nil, "example.org", ModeRFC9989, 0, CodeNone, PolicyUnset, 0, PolicyUnset, DispositionNone, false, true, false},
		{"§4.10.1 broken record: permerror", map[string]string{"example.org": "v=DMARC1; p=x"}, nil, "example.org", ModeRFC9989, 0,
			CodePermError, PolicyUnset, 0, PolicyUnset, DispositionNone, false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			for name, rec := range tt.records {
				z.AddTXT("_dmarc."+name, rec)
			}
			for _, name := range tt.exists {
				z.AddA(name, "192.0.2.1")
			}
			c := Checker{Resolver: z, Mode: tt.mode, Rand: fixedRand(tt.rand)}
			res := c.Evaluate(context.Background(), Input{FromDomain: tt.from,
				SPF: Identifier{Domain: "other.example.net", Result: AuthResultPass}})
			if res.Code != tt.code || res.Policy != tt.policy || res.PolicyTag != tt.tag || res.AppliedPolicy != tt.applied ||
				res.Disposition != tt.dis || res.Testing != tt.testing || res.Sampled != tt.sampled || res.Nonexistent != tt.nonexists {
				t.Errorf("got code=%s policy=%s(%s) applied=%s dis=%s testing=%v sampled=%v nonexistent=%v err=%v",
					res.Code, res.Policy, res.PolicyTag, res.AppliedPolicy, res.Disposition, res.Testing, res.Sampled, res.Nonexistent, res.Err)
			}
		})
	}
}

type fixedRand int

func (r fixedRand) IntN(n int) int { return int(r) % n }

func TestEvaluateTempErrors(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
	z.AddTXT("_dmarc.example.net", "v=DMARC1; p=reject")
	z.SetFault("_dmarc.sub.example.org", zone.TypeTXT, zone.FaultTimeout)
	c := Checker{Resolver: z}
	ctx := context.Background()

	// DNS temperror during discovery.
	res := c.Evaluate(ctx, Input{FromDomain: "sub.example.org"})
	if res.Code != CodeTempError || res.Err == nil {
		t.Errorf("discovery temperror: %s %v", res.Code, res.Err)
	}
	// A DNS failure while finding an identifier's org domain, with no
	// other aligned pass, is a temperror.
	res = c.Evaluate(ctx, Input{FromDomain: "example.org", SPF: Identifier{Domain: "a.sub.example.org", Result: AuthResultPass}})
	if res.Code != CodeTempError || res.Checks[0].Err == nil {
		t.Errorf("alignment temperror: %s %+v", res.Code, res.Checks)
	}
	// ... but an aligned pass elsewhere wins.
	res = c.Evaluate(ctx, Input{FromDomain: "example.org", SPF: Identifier{Domain: "a.sub.example.org", Result: AuthResultPass},
		DKIM: []Identifier{{Domain: "example.org", Result: AuthResultPass}}})
	if res.Code != CodePass {
		t.Errorf("pass despite alignment temperror: %s", res.Code)
	}
	// An unaligned temperror does not matter.
	res = c.Evaluate(ctx, Input{FromDomain: "example.org", SPF: Identifier{Domain: "example.net", Result: AuthResultTempError}})
	if res.Code != CodeFail {
		t.Errorf("unaligned temperror: %s", res.Code)
	}
	// A failing existence check (needed for np) is a temperror.
	z.AddTXT("_dmarc.example.com", "v=DMARC1; p=none; np=reject")
	z.SetFault("ghost.example.com", zone.TypeANY, zone.FaultServFail)
	res = c.Evaluate(ctx, Input{FromDomain: "ghost.example.com"})
	if res.Code != CodeTempError {
		t.Errorf("existence temperror: %s %v", res.Code, res.Err)
	}
	// DomainExists overrides the built-in test.
	c.DomainExists = func(context.Context, string) (bool, error) { return false, nil }
	res = c.Evaluate(ctx, Input{FromDomain: "ghost.example.com"})
	if res.Code != CodeFail || !res.Nonexistent || res.Disposition != DispositionReject {
		t.Errorf("DomainExists: %s nonexistent=%v %s", res.Code, res.Nonexistent, res.Disposition)
	}
	c.DomainExists = func(context.Context, string) (bool, error) { return false, errors.New("boom") }
	if res := c.Evaluate(ctx, Input{FromDomain: "ghost.example.com"}); res.Code != CodeTempError {
		t.Errorf("DomainExists error: %s", res.Code)
	}
	// An invalid From domain is a permerror.
	if res := c.Evaluate(ctx, Input{FromDomain: ""}); res.Code != CodePermError {
		t.Errorf("empty From: %s", res.Code)
	}
}

func TestAligned(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
	z.AddTXT("_dmarc.mail.example.com", "v=DMARC1; p=reject; psd=n")
	z.AddTXT("_dmarc.xn--bcher-kva.example", "v=DMARC1; p=reject")
	c := Checker{Resolver: z}
	tests := []struct {
		author, id string
		mode       Alignment
		tree, psl  bool
	}{
		// RFC 9989 §4.4 Table 1.
		{"news.example.com", "foo.example.com", AlignmentRelaxed, true, true},
		{"news.example.com", "news.example.com", AlignmentStrict, true, true},
		{"news.example.com", "foo.example.net", AlignmentRelaxed, false, false},
		{"news.example.com", "foo.example.com", AlignmentStrict, false, false},
		// Case and trailing dot do not matter (RFC 4343).
		{"News.Example.COM.", "news.example.com", AlignmentStrict, true, true},
		// psd=n makes mail.example.com its own Organizational Domain.
		{"a.mail.example.com", "example.com", AlignmentRelaxed, false, true},
		// IDN compared in A-label form.
		{"bücher.example", "mail.xn--bcher-kva.example", AlignmentRelaxed, true, true},
		{"bücher.example", "xn--bcher-kva.example", AlignmentStrict, true, true},
		{"bad..name", "x", AlignmentRelaxed, false, false},
		{"_dmarc.example.com", "example.com", AlignmentRelaxed, true, true},
	}
	for _, tt := range tests {
		got, _ := c.Aligned(context.Background(), tt.author, tt.id, tt.mode)
		if got != tt.tree {
			t.Errorf("Aligned(%q, %q, %v) = %v, want %v", tt.author, tt.id, tt.mode, got, tt.tree)
		}
		if got, _ := AlignedPSL(tt.author, tt.id, tt.mode); got != tt.psl {
			t.Errorf("AlignedPSL(%q, %q, %v) = %v, want %v", tt.author, tt.id, tt.mode, got, tt.psl)
		}
	}
	z.SetFault("_dmarc.foo.example.com", zone.TypeTXT, zone.FaultTimeout)
	if _, err := c.Aligned(context.Background(), "news.example.com", "foo.example.com", AlignmentRelaxed); err == nil {
		t.Error("Aligned with a DNS failure gave no error")
	}
}

func TestEvaluateAll(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
	z.AddTXT("_dmarc.example.net", "v=DMARC1; p=quarantine")
	c := Checker{Resolver: z, MaxAuthorDomains: 2}
	in := Input{DKIM: []Identifier{{Domain: "example.net", Result: AuthResultPass}}}
	best, all := c.EvaluateAll(context.Background(), []string{"example.net", "example.org"}, in)
	if len(all) != 2 || all[0].Code != CodePass || all[1].Code != CodeFail || best != all[1] {
		t.Errorf("EvaluateAll: best %+v", best)
	}
	_, all = c.EvaluateAll(context.Background(), []string{"example.net", "example.org", "example.com"}, in)
	if len(all) != 3 || all[2].Code != CodePermError {
		t.Errorf("limit not applied: %d results", len(all))
	}
	if Strictest(nil) != nil {
		t.Error("Strictest(nil) not nil")
	}
}

func TestParseAuthResult(t *testing.T) {
	for _, s := range []string{"none", "pass", "fail", "softfail", "neutral", "temperror", "permerror", "policy"} {
		if got, err := ParseAuthResult(strings.ToUpper(s)); err != nil || got.String() != s {
			t.Errorf("ParseAuthResult(%q) = %q, %v", s, got, err)
		}
	}
	if r, err := ParseAuthResult("error"); r != AuthResultTempError || err != nil {
		t.Errorf(`ParseAuthResult("error") = %v, %v`, r, err)
	}
	if r, err := ParseAuthResult("unknown"); r != AuthResultPermError || err != nil {
		t.Errorf(`ParseAuthResult("unknown") = %v, %v`, r, err)
	}
	// Issue 13: a typo used to become none silently.
	for _, s := range []string{"passs", "", "what", "pass ", "non\u0435" /* Cyrillic e */} {
		if r, err := ParseAuthResult(s); r != AuthResultNone || !errors.Is(err, ErrUnknownResult) {
			t.Errorf("ParseAuthResult(%q) = %v, %v; want none and ErrUnknownResult", s, r, err)
		}
	}
}

func TestAuthenticationResults(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject; sp=quarantine; t=y")
	res := Evaluate(context.Background(), z, Input{FromDomain: "example.org"})
	want := "dmarc=fail (p=reject sp=quarantine dis=quarantine) header.from=example.org policy.dmarc=quarantine"
	if got := res.AuthResult().String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	res = Evaluate(context.Background(), z, Input{FromDomain: "example.com"})
	if got := res.AuthResult().String(); got != "dmarc=none header.from=example.com" {
		t.Errorf("none: %q", got)
	}
	z.SetFault("_dmarc.example.net", zone.TypeTXT, zone.FaultTimeout)
	res = Evaluate(context.Background(), z, Input{FromDomain: "example.net"})
	if got := res.AuthResult().String(); got != `dmarc=temperror reason="query _dmarc.example.net: lookup _dmarc.example.net: i/o timeout" header.from=example.net` {
		t.Errorf("temperror: %q", got)
	}
}

func TestEvaluateMaxQueries(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
	in := Input{FromDomain: "example.org"}
	for i := range 10 {
		in.DKIM = append(in.DKIM, Identifier{Domain: fmt.Sprintf("d%d.x%d.org", i, i), Result: AuthResultPass})
	}
	c := Checker{Resolver: z, MaxQueries: 6}
	res := c.Evaluate(context.Background(), in)
	if res.Code != CodeTempError || !errors.Is(res.Err, ErrTooManyQueries) {
		t.Errorf("got %s, %v", res.Code, res.Err)
	}
	// An aligned pass still wins.
	in.DKIM = append(in.DKIM, Identifier{Domain: "example.org", Result: AuthResultPass})
	if res := c.Evaluate(context.Background(), in); res.Code != CodePass {
		t.Errorf("got %s", res.Code)
	}
	// The default bound leaves room for the usual walks.
	if res := Evaluate(context.Background(), z, Input{FromDomain: "example.org",
		DKIM: []Identifier{{Domain: "a.example.org", Result: AuthResultPass}}}); res.Code != CodePass {
		t.Errorf("default bound: %s %v", res.Code, res.Err)
	}
}

// TestAppendixB4 follows the tree walk examples of RFC 9989 Appendix B.4.
func TestAppendixB4(t *testing.T) {
	type want struct {
		policyDomain, org string
		source            Source
		orgs              []string // Checks[i].OrgDomain
		aligned           []bool   // Checks[i].Aligned
	}
	tests := []struct {
		name    string
		records map[string]string
		in      Input
		want    want
	}{
		{"B.4.1 simple", map[string]string{"example.com": "v=DMARC1; p=reject", "signing.example.com": "v=DMARC1; p=none"},
			Input{FromDomain: "example.com", SPF: Identifier{Domain: "example.com", Result: AuthResultPass},
				DKIM: []Identifier{{Domain: "signing.example.com", Result: AuthResultPass}}},
			want{"example.com", "example.com", SourceAuthor, []string{"", "example.com"}, []bool{true, true}}},
		{"B.4.2 deep tree walk", map[string]string{"example.com": "v=DMARC1; p=reject", "signing.example.com": "v=DMARC1; p=none"},
			Input{FromDomain: "a.b.c.d.e.f.g.h.i.j.k.example.com", SPF: Identifier{Domain: "example.com", Result: AuthResultPass},
				DKIM: []Identifier{{Domain: "signing.example.com", Result: AuthResultPass}}},
			want{"example.com", "example.com", SourceOrganizational, []string{"example.com", "example.com"}, []bool{true, true}}},
		{"B.4.3 PSD record", map[string]string{"bank.example": "v=DMARC1; p=reject; psd=y", "giant.bank.example": "v=DMARC1; p=quarantine"},
			Input{FromDomain: "giant.bank.example", SPF: Identifier{Domain: "mail.giant.bank.example", Result: AuthResultPass},
				DKIM: []Identifier{{Domain: "mail.mega.bank.example", Result: AuthResultPass}}},
			want{"giant.bank.example", "giant.bank.example", SourceAuthor, []string{"giant.bank.example", "mega.bank.example"}, []bool{true, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			for name, rec := range tt.records {
				z.AddTXT("_dmarc."+name, rec)
			}
			res := Evaluate(context.Background(), z, tt.in)
			d := res.Discovery
			var orgs []string
			var aligned []bool
			for _, ch := range res.Checks {
				orgs = append(orgs, ch.OrgDomain)
				aligned = append(aligned, ch.Aligned)
			}
			got := want{d.PolicyDomain, d.OrgDomain, d.Source, orgs, aligned}
			if res.Code != CodePass || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("%s: got %+v, want %+v", res.Code, got, tt.want)
			}
		})
	}
}

// TestNotADomainRefused guards issue 13: with a _dmarc.example.org record,
// Aligned("example.org", "a@b.example.org", Relaxed) and AlignedPSL were
// true (the tree walk from "a@b.example.org" reached example.org), and a
// FromDomain of x"@example.org evaluated to none without an error. Text
// that is not a domain name gets a *DomainError naming it, before any DNS
// query; it never aligns.
func TestNotADomainRefused(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
	c := Checker{Resolver: z}
	ctx := context.Background()
	bad := []string{
		"a@b.example.org", "x\"@example.org", "\"example.org\"", "<example.org>", "exa mple.org", "example.org;",
		"example.org\x00", "example.org\r\n", "exa\u200bmple.org", "bank\u00adexample.org", "[192.0.2.1]", "example.org,x.org",
		"\u202eexample.org", "example.org/x", "@example.org", "example..org", ".example.org", "", "example.org\t",
	}
	for _, in := range bad {
		t.Run(in, func(t *testing.T) {
			check := func(what string, err error) {
				t.Helper()
				var de *DomainError
				if !errors.As(err, &de) || de.Input != in || !errors.Is(err, ErrInvalidDomain) || !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
					t.Errorf("%s: err = %v, want a *DomainError naming %q", what, err, in)
				}
			}
			ok, err := c.Aligned(ctx, "example.org", in, AlignmentRelaxed)
			check("Aligned identifier", err)
			if ok {
				t.Error("Aligned identifier: true")
			}
			ok, err = c.Aligned(ctx, in, "example.org", AlignmentRelaxed)
			check("Aligned author", err)
			if ok {
				t.Error("Aligned author: true")
			}
			ok, err = AlignedPSL("example.org", in, AlignmentRelaxed)
			check("AlignedPSL", err)
			if ok {
				t.Error("AlignedPSL: true")
			}
			res := c.Evaluate(ctx, Input{FromDomain: in, DKIM: []Identifier{{Domain: "example.org", Result: AuthResultPass}}})
			if res.Code != CodePermError {
				t.Errorf("Evaluate FromDomain: %s, want permerror", res.Code)
			}
			check("Evaluate FromDomain", res.Err)
			d := c.Lookup(ctx, in)
			check("Lookup", d.Err)
			_, err = c.OrgDomain(ctx, in)
			check("OrgDomain", err)
			res = c.Evaluate(ctx, Input{FromDomain: "example.org", DKIM: []Identifier{{Domain: in, Result: AuthResultPass}}})
			if res.Code != CodeFail || res.Checks[1].Aligned || res.Checks[1].Evaluated {
				t.Errorf("Evaluate with DKIM d=%q: %s, aligned %v; want fail, not aligned", in, res.Code, res.Checks[1].Aligned)
			}
			dest := c.CheckDestination(ctx, in, URI{Address: "mailto:d@example.org"}, ReportKindAggregate)
			if dest.Status != DestinationStatusInvalid {
				t.Errorf("CheckDestination policy domain: %s, want invalid", dest.Status)
			}
			check("CheckDestination", dest.Err)
			if fs := c.LintDomain(ctx, in); len(fs) != 1 || fs[0].Code != FindingInvalidDomain {
				t.Errorf("LintDomain: %v, want one %s", fs, FindingInvalidDomain)
			}
			if in != "" { // an empty identifier is no identifier, not bad input
				check("Check.Err", res.Checks[1].Err)
			}
		})
	}
}
