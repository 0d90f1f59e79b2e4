package audit_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/bimi"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/shared"
	"github.com/domainauth/domainauth/mtasts"
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/ses"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/tlsrpt"
	"github.com/domainauth/domainauth/zone"
)

// owners maps each package that reports findings to its FindingCodes.
var owners = map[string]func() []string{
	"audit": audit.FindingCodes, "bimi": bimi.FindingCodes, "dkim": dkim.FindingCodes,
	"dmarc": dmarc.FindingCodes, "mtasts": mtasts.FindingCodes, "mx": mx.FindingCodes,
	"report": report.FindingCodes, "ses": ses.FindingCodes, "spf": spf.FindingCodes,
	"tlsrpt": tlsrpt.FindingCodes, "zone": zone.FindingCodes,
}

// reuses lists whose findings a package passes on as they are, because it
// checks a record the other package owns (spf.SelectRecord,
// dmarc.SelectRecord, dkim.CheckSelector and the linters they share their
// findings with).
var reuses = map[string][]string{
	"mx":  {"spf"},
	"ses": {"spf", "dmarc", "dkim"},
}

// emission is one finding and the package whose call returned it.
type emission struct {
	by string
	f  domainauth.Finding
}

// fixtureZone is a zone file of the repository's fixtures, the domains its
// tests check in it and the SES region they give.
type fixtureZone struct {
	file, origin, region string
	domains              []string
	policy, logo         string // the MTA-STS policy and BIMI logo files given with it, if any
}

var fixtureZones = []fixtureZone{
	{"../examples/zones/example.org.zone", "example.org.", "ap-northeast-2", []string{"example.org"}, "", ""},
	{"../examples/zones/broken.example.zone", "broken.example.", "eu-south-1", []string{"broken.example"}, "../examples/zones/broken.example.mta-sts.txt", ""},
	{"../examples/zones/secure.example.zone", "secure.example.", "", []string{"secure.example"}, "../examples/zones/secure.example.mta-sts.txt", "../examples/zones/secure.example.logo.svg"},
	{"../cmd/domainauth/testdata/misc.zone", "example.", "", []string{"nomail.example", "shop.example", "open.example", "nullsend.example", "typo.example"}, "", ""},
	{"../cmd/domainauth/testdata/structure.zone", "structure.example.", "", []string{"structure.example"}, "", ""},
}

// TestFindingCodesOneOwnerOneCode is the module's code-collision test
// (issue 13): every package's lints, checks and audits run over the
// repository's fixtures (the example and test zones, the SES identities of
// those zones, and the report samples in ../shared when present), and
//
//   - each finding code is listed by exactly one package, the one its
//     prefix names, and every code emitted is in that list;
//   - a package emits only its own codes, or those of a package whose
//     record it checks and whose finding it passes on (mx and ses: spf's;
//     ses: dmarc's and dkim's);
//   - one defect carries one code: two findings from different packages
//     about the same DNS name and resting on the same rule are the same
//     code.
func TestFindingCodesOneOwnerOneCode(t *testing.T) {
	owner := map[string]string{} // code -> package
	for pkg, list := range owners {
		for _, c := range list() {
			if prev, ok := owner[c]; ok {
				t.Errorf("%s is listed by %s and %s", c, prev, pkg)
			}
			if !strings.HasPrefix(c, pkg+".") {
				t.Errorf("%s lists %s, which another package's prefix names", pkg, c)
			}
			owner[c] = pkg
		}
	}

	var all []emission
	for _, fz := range fixtureZones {
		all = append(all, zoneEmissions(t, fz)...)
	}
	all = append(all, reportEmissions(t)...)

	seen := map[string]bool{}
	for _, e := range all {
		c := e.f.Code
		seen[c] = true
		pkg, _, _ := strings.Cut(c, ".")
		switch {
		case owner[c] == "":
			t.Errorf("%s emitted %s, which no package lists (%s.FindingCodes lacks it)", e.by, c, pkg)
		case e.by != pkg && e.by != "audit" && !slices.Contains(reuses[e.by], pkg):
			t.Errorf("%s emitted %s, a code of %s: it should report its own defect or pass on %s's finding through a function of %s", e.by, c, pkg, pkg, pkg)
		}
	}

	// One defect, one code: same name, same rule, different packages.
	type subject struct{ name, rfc string }
	codes := map[subject]map[string]string{} // subject -> code -> emitted by
	for _, e := range all {
		if e.f.RFC == "" {
			continue
		}
		k := subject{recordName(e.f.Where), e.f.RFC}
		if codes[k] == nil {
			codes[k] = map[string]string{}
		}
		codes[k][e.f.Code] = e.by
	}
	for k, cs := range codes {
		pkgs := map[string][]string{}
		for c := range cs {
			p, _, _ := strings.Cut(c, ".")
			pkgs[p] = append(pkgs[p], c)
		}
		if len(pkgs) > 1 {
			var list []string
			for c, by := range cs {
				list = append(list, c+" (from "+by+")")
			}
			sort.Strings(list)
			t.Errorf("%s, %s: one defect under several packages' codes: %s", k.name, k.rfc, strings.Join(list, ", "))
		}
	}

	// The fixtures must exercise the test: the broken zone alone plants
	// defects in five packages' subjects.
	for _, c := range []string{spf.FindingTooManyLookups, spf.FindingMultipleRecords, dmarc.FindingPNoneWithoutRUA,
		ses.FindingDKIMWrongRegion, mx.FindingNullMXSender, dmarc.FindingUnauthorizedDestination, zone.FindingCNAMEAndOtherData, spf.FindingSPFRRType, mx.FindingCNAMETarget} {
		if !seen[c] {
			t.Errorf("the fixtures no longer produce %s; the test would miss a collision there", c)
		}
	}
	by := map[string]int{}
	for _, e := range all {
		by[e.by]++
	}
	t.Logf("%d findings, %d distinct codes; by package: %v", len(all), len(seen), by)
}

// zoneEmissions runs every package that checks DNS over one fixture zone:
// each package's own entry points on the names the zone holds, the SES
// audit of the identity the zone shows, and the whole-domain audit.
func zoneEmissions(t *testing.T, fz fixtureZone) []emission {
	t.Helper()
	data, err := os.ReadFile(fz.file)
	if err != nil {
		t.Fatalf("fixture %s: %v", fz.file, err)
	}
	z, err := zone.ParseString(string(data), fz.origin)
	if err != nil {
		t.Fatalf("fixture %s: %v", fz.file, err)
	}
	ctx := context.Background()
	var out []emission
	add := func(by string, fs []domainauth.Finding) {
		for _, f := range fs {
			out = append(out, emission{by, f})
		}
	}
	add("zone", z.Check())
	for _, f := range audit.CheckZone(z) {
		add("audit", []domainauth.Finding{{Code: f.Code, Severity: f.Severity, Where: f.Record, RFC: f.RFC}})
	}
	for _, d := range fz.domains {
		add("spf", (&spf.Linter{Resolver: z}).Lint(ctx, d).Findings)
		add("dmarc", (&dmarc.Checker{Resolver: z}).LintDomain(ctx, d))
		if res, err := (&mx.Checker{Resolver: z}).Check(ctx, d); err == nil {
			add("mx", res.Findings)
		}
		for _, rr := range z.Records() {
			name := strings.TrimSuffix(rr.Name, ".")
			switch {
			case rr.Type == zone.TypeMX && name != d && strings.HasSuffix(name, "."+d):
				// A MAIL FROM candidate: mx and spf both look at it.
				if res, err := (&mx.Checker{Resolver: z}).CheckMailFrom(ctx, name); err == nil {
					add("mx", res.Findings)
				}
				add("spf", (&spf.Linter{Resolver: z}).Lint(ctx, name).Findings)
			case strings.HasSuffix(name, "._domainkey."+d) && strings.Count(strings.TrimSuffix(name, "._domainkey."+d), ".") == 0:
				add("dkim", dkim.CheckSelector(ctx, z, d, strings.TrimSuffix(name, "._domainkey."+d)).Findings)
			}
		}
		au := &audit.Auditor{Resolver: z, Zone: z, Region: fz.region, TrustNotFound: true, ZoneApexes: []string{fz.origin},
			MTASTSPolicy: readOptional(t, fz.policy), BIMILogo: readOptional(t, fz.logo)}
		rep, err := au.Audit(ctx, d)
		if err != nil {
			t.Fatalf("%s: audit: %v", d, err)
		}
		for _, ar := range rep.Areas {
			add("audit", ar.Findings)
		}
		if rep.SES != nil && rep.SES.Plan != nil {
			// The SES audit on its own, with the DMARC record its plan
			// checks, as "domainauth ses audit" runs it.
			id := rep.SES.Plan.Identity
			id.SkipDMARC, id.DMARCReports = false, "dmarc@"+d
			p, err := id.Plan()
			if err != nil {
				t.Fatalf("%s: plan: %v", d, err)
			}
			a := (&ses.Auditor{Resolver: z}).Audit(ctx, p)
			add("ses", p.Findings)
			add("ses", a.Findings)
			add("ses", a.Alignment.Findings)
		}
	}
	return out
}

// readOptional returns the file's contents, or nil for "".
func readOptional(t *testing.T, file string) []byte {
	t.Helper()
	if file == "" {
		return nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reportEmissions decodes and summarises the aggregate and TLS reports of
// ../shared (when present) and collects the decoders' warnings and the
// summary's diagnoses as findings.
func reportEmissions(t *testing.T) []emission {
	t.Helper()
	var out []emission
	for _, kind := range []string{"dmarc-aggregate", "tlsrpt"} {
		if shared.Find("conformance", kind) != "" {
			continue
		}
		// The zones are checked all the same; only the reports are left out.
		if shared.InCI() {
			t.Errorf("../shared/conformance/%s is absent (CI=true: every component a test needs must be present in CI)", kind)
		} else {
			t.Logf("../shared/conformance/%s is absent: its reports are not checked", kind)
		}
	}
	if dir := shared.Find("conformance", "dmarc-aggregate"); dir != "" {
		sum := &report.Summary{}
		walkFiles(t, dir, func(f *os.File) {
			a, err := report.Decode(f)
			if err != nil || a == nil {
				return
			}
			for _, w := range a.Warnings {
				out = append(out, emission{"report", w.Finding()})
			}
			sum.Add(a)
		})
		for _, d := range sum.Diagnoses() {
			out = append(out, emission{"report", d.Finding()})
		}
	}
	if dir := shared.Find("conformance", "tlsrpt"); dir != "" {
		walkFiles(t, dir, func(f *os.File) {
			r, err := tlsrpt.Decode(f)
			if err != nil || r == nil {
				return
			}
			for _, w := range r.Warnings {
				out = append(out, emission{"tlsrpt", domainauth.Finding{Code: w.Code, Severity: domainauth.SeverityWarning, Message: w.Message}})
			}
		})
	}
	return out
}

func walkFiles(t *testing.T, dir string, fn func(*os.File)) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".json") && filepath.Base(path) == "oracle.json" {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fn(f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// recordName is the DNS name a finding's Where starts with, lower case and
// without a trailing dot ("x.example TXT" and "x.example. p" give
// "x.example").
func recordName(where string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(where), " ")
	return strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(name, ":"), "."))
}
