package dmarc

import (
	"context"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

const seedRecord = "v=DMARC1; p=quarantine; pct=100; rua=mailto:mail-master@example.org; aspf=r; adkim=r; fo=0; ri=86400;"

func BenchmarkParseRecord(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRecord(seedRecord); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecordString(b *testing.B) {
	r, _ := ParseRecord(seedRecord)
	b.ReportAllocs()
	for b.Loop() {
		_ = r.String()
	}
}

// BenchmarkLookupEvaluate is discovery plus evaluation of the SES case
// against a zone.Zone: the From domain's record, a relaxed DKIM alignment
// and an unaligned SPF domain.
func BenchmarkLookupEvaluate(b *testing.B) {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", seedRecord)
	z.AddTXT("_dmarc.amazonses.com", "v=DMARC1; p=none")
	c := Checker{Resolver: z}
	in := Input{
		FromDomain: "example.org",
		SPF:        Identifier{Domain: "eu-west-1.amazonses.com", Result: AuthResultPass},
		DKIM: []Identifier{
			{Domain: "example.org", Result: AuthResultPass},
			{Domain: "amazonses.com", Result: AuthResultPass},
		},
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res := c.Evaluate(ctx, in); res.Code != CodePass {
			b.Fatal(res.Code)
		}
	}
}

// BenchmarkLookupEvaluateSubdomain needs two tree walks: the From domain
// is a subdomain and DKIM signs with the organisational domain.
func BenchmarkLookupEvaluateSubdomain(b *testing.B) {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", seedRecord)
	c := Checker{Resolver: z}
	in := Input{
		FromDomain: "news.example.org",
		DKIM:       []Identifier{{Domain: "example.org", Result: AuthResultPass}},
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res := c.Evaluate(ctx, in); res.Code != CodePass {
			b.Fatal(res.Code)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", seedRecord)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if d := Lookup(ctx, z, "a.b.c.d.e.f.g.h.i.example.org"); d.Status != DiscoveryStatusFound {
			b.Fatal(d.Status)
		}
	}
}

// BenchmarkParseRecordManyTags and BenchmarkLintTextManyTags measure a
// record with 40,000 unknown tags (issue 11 item 13: target under 100 ms).
func BenchmarkParseRecordManyTags(b *testing.B) {
	txt := manyTags(40000, "x%d=1")
	b.SetBytes(int64(len(txt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRecord(txt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLintTextManyTags(b *testing.B) {
	txt := manyTags(40000, "x%d=1")
	b.SetBytes(int64(len(txt)))
	b.ReportAllocs()
	for b.Loop() {
		_ = LintText(txt, ModeRFC9989)
	}
}

func BenchmarkParseRecordManyMalformed(b *testing.B) {
	txt := manyTags(40000, "x%d")
	b.SetBytes(int64(len(txt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRecord(txt); err != nil {
			b.Fatal(err)
		}
	}
}
