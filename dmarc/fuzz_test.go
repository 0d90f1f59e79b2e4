package dmarc

import (
	"context"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/authres"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/zone"
	"github.com/google/go-cmp/cmp"
)

var fuzzSeeds = []string{
	seedRecord,
	"v=DMARC1",
	"v=DMARC1; p=reject; sp=none; np=quarantine; adkim=s; aspf=s; psd=y; t=y",
	"v=DMARC1; p=bogus; rua=mailto:a@example.org!10m, https://r.example/x",
	"v=DMARC1; P=Reject; RUA=mailto:a@example.org; foo=bar; fo=0:1:d:s",
	"v=DMARC1;; pct=0; ri=0; rf=afrf:iodef;",
	"v=DMARC1; p=none; rua=,,; ruf=mailto:a@b\r\n ,x",
	" v=DMARC1 ; p = quarantine ; pct = 101",
	"v=DMARC1 p=none",
	"p=none",
	// RFC 9989 §4.8: malformed tag-specs are discarded, not fatal.
	"v=DMARC1; p=reject; garbage; 1x=2; a b=c",
	"v=DMARC1; p=ré; rua=mailto:d@example.org; fo=1\r; x=ü",
	"v=DMARC1; p; sp=\n; =;",
}

// FuzzParseRecord checks the round-trip property of every record that
// parses: ParseRecord(r.String()) equals r.
func FuzzParseRecord(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ParseRecord(in)
		if err != nil {
			if r != nil {
				t.Fatalf("record and error for %q", in)
			}
			return
		}
		s := r.String()
		r2, err := ParseRecord(s)
		if err != nil {
			t.Fatalf("ParseRecord(%q) ok, but its String %q fails: %v", in, s, err)
		}
		if diff := cmp.Diff(r, r2); diff != "" {
			t.Fatalf("round trip of %q via %q (-first +second):\n%s", in, s, diff)
		}
		if s2 := r2.String(); s2 != s {
			t.Fatalf("String not stable: %q then %q", s, s2)
		}
		_ = r.Lint(ModeRFC9989)
		_ = LintText(in, ModeRFC7489)
	})
}

// FuzzEvaluate checks that Evaluate never panics, whatever the record,
// the From domain and the identifiers, and that its result is consistent.
func FuzzEvaluate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "mail.example.org", "example.org", uint8(1), "x.example.org", uint8(2), false)
	}
	f.Add("v=DMARC1; p=reject; np=reject; psd=n", "a.b.c.d.e.f.g.h.i.example.org", "", uint8(5), "é", uint8(9), true)
	// RFC 8616 §6: U-label From domains and identifiers, either form.
	f.Add("v=DMARC1; p=reject; adkim=s", "b\u00fccher.example", "bounce.xn--bcher-kva.example", uint8(1), "B\u00dcCHER.example", uint8(1), false)
	f.Add("v=DMARC1; p=quarantine", "mail.xn--bcher-kva.example", "b\u00fccher.example", uint8(1), "b\u00fccher\u200d.example", uint8(1), true)
	f.Add("v=DMARC1; p=none", "\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", "\u043f\u043e\u0447\u0442\u0430.\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", uint8(1), "a\u05d0.example", uint8(1), true)
	f.Fuzz(func(t *testing.T, rec, from, spfDom string, spfRes uint8, dkimDom string, dkimRes uint8, rfc7489 bool) {
		z := zone.New()
		z.AddTXT("_dmarc.example.org", rec)
		z.AddTXT("_dmarc.xn--bcher-kva.example", rec)
		z.AddTXT("_dmarc.org", "v=DMARC1; p=none; psd=y")
		r := &askLog{Zone: z}
		c := Checker{Resolver: r, Rand: fixedRand(int(spfRes))}
		if rfc7489 {
			c.Mode = ModeRFC7489
		}
		in := Input{FromDomain: from,
			SPF:  Identifier{Domain: spfDom, Result: AuthResult(spfRes)},
			DKIM: []Identifier{{Domain: dkimDom, Result: AuthResult(dkimRes)}}}
		res := c.Evaluate(context.Background(), in)
		if res == nil || res.Discovery == nil {
			t.Fatal("nil result")
		}
		// RFC 8616 §6: only A-labels are looked up or compared, and the
		// result does not depend on the form the names came in.
		for _, q := range r.asked {
			if !dnsname.IsASCII(q) {
				t.Fatalf("asked %q", q)
			}
		}
		for _, ch := range res.Checks {
			if ch.Err == nil && !dnsname.IsASCII(ch.Domain) {
				t.Fatalf("check of %q not in A-labels", ch.Domain)
			}
		}
		if a, err := canonicalDomain("author domain", from); err == nil {
			in2 := in
			in2.FromDomain = a
			if d, err := canonicalDomain("identifier", spfDom); err == nil {
				in2.SPF.Domain = d
			}
			if d, err := canonicalDomain("identifier", dkimDom); err == nil {
				in2.DKIM = []Identifier{{Domain: d, Result: AuthResult(dkimRes)}}
			}
			res2 := c.Evaluate(context.Background(), in2)
			if res2.Code != res.Code || res2.AuthorDomain != res.AuthorDomain || res2.SPFAligned != res.SPFAligned ||
				res2.DKIMAligned != res.DKIMAligned || res2.Policy != res.Policy || res2.Disposition != res.Disposition {
				t.Fatalf("A-label forms changed the result: %+v\nthen %+v", res, res2)
			}
		}
		if res.Code != CodeFail && res.Disposition != DispositionNone {
			t.Fatalf("%s with disposition %s", res.Code, res.Disposition)
		}
		if (res.Code == CodeTempError || res.Code == CodePermError) != (res.Err != nil) {
			t.Fatalf("%s with err %v", res.Code, res.Err)
		}
		// The result is one authres.Format can write.
		if _, err := authres.Format(&authres.Results{AuthServID: "mx.example", Methods: []authres.MethodResult{res.AuthResult()}}); err != nil {
			t.Fatalf("Format(AuthResult): %v", err)
		}
	})
}

// FuzzAuthorDomains checks that header parsing never panics, that every
// domain it returns is canonical, and (for a one-line From field) the
// property of fromPassProperty: a pass is for the domain net/mail reads.
func FuzzAuthorDomains(f *testing.F) {
	for _, s := range []string{"From: a@example.org\r\n", "From: =?utf-8?q?x?= <a@bücher.example>\r\n", "From: g: a@x.y, b@z.w;\r\nFrom: c@d.e\r\n\r\nFrom: x@y.z",
		"From: cfo@bank.example\x00x@attacker.example\r\n", "From: Bank <cfo@bank.example\u2028x@attacker.example>\r\n",
		"From: [CFO] <cfo@bank.example>\r\n",
		// RFC 8616 §6: internationalised addresses (RFC 6532).
		"From: J\u00fcrgen <j\u00fcrgen@b\u00fccher.example>\r\n", "From: \u5c0f\u660e@\u4f8b\u3048.\u30c6\u30b9\u30c8\r\n",
		"From: a@a\u05d0.example\r\n", "From: a@B\u00dcCHER.example, b@xn--bcher-kva.example\r\n"} {
		f.Add(s)
	}
	c := &Checker{Resolver: fromAttackZone()}
	f.Fuzz(func(t *testing.T, h string) {
		for _, choice := range []AuthorChoice{AuthorChoiceSingle, AuthorChoiceAll} {
			ds, _ := AuthorDomains(h, choice)
			for _, d := range ds {
				// RFC 8616 §6: Author Domains are A-labels.
				if d == "" || d != strings.ToLower(d) || strings.HasSuffix(d, ".") || !dnsname.IsASCII(d) {
					t.Fatalf("domain %q not canonical", d)
				}
			}
		}
		if field, ok := strings.CutPrefix(h, "From: "); ok && !strings.ContainsAny(field, "\r\n") {
			fromPassProperty(t, c, field)
		}
	})
}
