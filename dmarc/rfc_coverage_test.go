package dmarc

// RFC requirement coverage: every MUST / MUST NOT / SHOULD of RFC 9989
// (draft-ietf-dmarc-dmarcbis-41), RFC 9990 §3 (draft-ietf-dmarc-aggregate-
// reporting-32, "Verifying External Destinations") and RFC 7489 that
// concerns a record parser, policy discovery, alignment, evaluation or the
// external destination check, in our words, with the test that checks it.
// Requirements on report generation, senders or operators are out of
// scope and listed at the end.
//
// Test names are functions of this package (subtests after a slash).
//
// RFC 9989 (DMARCbis)
//
//	§       requirement (paraphrased)                                  test(s)
//	4.4     domain names compare case-insensitively; Table 1 examples  TestAligned
//	4.4     no alignment with a malformed From field: no Author Domain, TestFromSeparatorNeverPassesForAttacker, TestFromFieldErrors,
//	        permerror, never pass (fixed: the text after the last '@'  TestFromPassProperty, FuzzAuthorDomains
//	        of 'a@b<NUL>x@c' was taken)
//	3.2.10  alignment compares domain names; other text is refused     TestNotADomainRefused (fixed: "a@b.example.org" aligned)
//	4.4.1-2 only an aligned identifier that passes counts; any DKIM     TestEvaluateMatrix, TestEvaluateSES
//	        signature may; only SPF's MAIL FROM identity counts
//	4.5     MUST join a TXT record's character-strings before parsing   TestLookupJoinsStrings, TestLookupTreeWalk/§4.5_*
//	4.7     unknown tags MUST be ignored                                TestParseRecordTags/§4.7_unknown_tag, TestRFCSyntaxErrorsDiscarded
//	4.7     v MUST be first, value exactly "DMARC1" (case-sensitive),   TestParseRecordErrors, TestRFCVersionTag,
//	        else the record MUST be ignored ("v=DMARC1 p=none" too:     TestMissingSeparatorIsNotARecord
//	        fixed, it was a permerror that hid the parent's policy)
//	4.7     np: a non-existent domain is NXDOMAIN                       TestNonexistentPolicyExistenceResolver
//	4.7     fo MUST be ignored without ruf                              TestRFCFailureOptionsNeedRUF
//	4.7     np absent: sp, else p, MUST apply to non-existent subdomains TestPolicyFor, TestEvaluatePolicies
//	4.7     sp absent (np absent or not applicable): p MUST apply        TestPolicyFor, TestEvaluatePolicies
//	4.7     p absent in a valid record: as p=none                       TestRecordDefaults, TestPolicyFor
//	4.7     defaults adkim=r aspf=r fo=0 psd=u t=n                      TestRecordDefaults, TestParseRecordTags
//	4.7     t=y: one level below the policy; no effect on none          TestEvaluatePolicies, TestRFCTestingMode
//	4.7     rua/ruf URIs of unsupported schemes MUST be ignored         TestCheckDestinations (ftp: invalid), TestURI
//	4.8     each tag's value follows its ABNF rule (Table 2)            TestParseRecordTags
//	4.8     syntax errors after v MUST be discarded for the defaults     TestRFCSyntaxErrorsDiscarded, TestParseRecordTags/§4.8_invalid_*
//	        or ignored (fixed: a malformed tag-spec used to void the record;
//	        a bare "p" after p= was a duplicate; one non-ASCII URI voided rua)
//	4.8     ',' and '!' in a dmarc-uri MUST be percent-encoded          TestURI
//	4.8     obs-dmarc-report-size is parsed apart (and ignored)         TestParseRecordTags/RFC_7489_§6.2_size_suffix, TestURI
//	4.10    steps 1-2/5-6: non-DMARC TXT records discarded              TestLookupTreeWalk/§4.10_step_2_*, TestRFCVersionTag
//	4.10    steps 2/6: several DMARC records at a name: all discarded   TestLookupTreeWalk/§4.10_step_2:_multiple_*, TestRFCNoRecordNoDMARC
//	4.10    steps 2/6: psd=y or psd=n in the single record stops        TestLookupTreeWalk/§4.10.2_rule_*
//	4.10    steps 3-4/7: >= 8 labels skip to 7; at most 8 queries        TestLookupTreeWalk/§4.10_*labels*, TestRFCTreeWalkBound,
//	                                                                   TestAppendixB4/B.4.2
//	4.10.1  record of the Author Domain, else its Organizational        TestLookupTreeWalk, TestAppendixB4
//	        Domain, else its PSD; PSD not used if the Org Domain has one
//	4.10.1  p for the Author Domain's own record; sp (existing) or np   TestEvaluatePolicies, TestRFCTestingMode
//	        (non-existent) for a subdomain
//	4.10.1  invalid p/sp/np with a valid rua URI: MUST act as p=none    TestParseRecordTags/§4.10.1_*, TestPolicyFor, TestEvaluatePolicies
//	4.10.1  invalid p/sp/np without one: no DMARC processing            TestParseRecordErrors/§4.10.1_*, TestEvaluatePolicies/§4.10.1_broken_*
//	4.10.1  no record found: MUST NOT apply DMARC                       TestRFCNoRecordNoDMARC, TestEvaluatePolicies/§4.10.1_no_record*
//	4.10.2  Org Domain from VALID records: psd=n; one below psd=y       TestLookupTreeWalk, TestOrgDomain, TestAppendixB4,
//	        (not at the start); else fewest labels; else the name       TestRFCOrgDomainValidRecordsOnly (fixed: a broken record counted)
//	4.10.2  walks start at the Author Domain and at passing SPF/DKIM    TestAppendixB4, TestEvaluateMatrix, TestRFCTreeWalkBound
//	        identifiers; strict mode is a plain comparison
//	5.3.1   a U-label Author Domain MUST become an A-label              TestAuthorDomains, TestLookupTreeWalk/§5.3.1_*, TestAligned
//	5.3.1   zero or several From domains: no DMARC, or (MAY) each one   TestAuthorDomains, TestEvaluateAll
//	5.3.3   results MUST keep pass/fail and the SPF domain, the DKIM    TestRFCResultsKeepIdentifiers (fixed: s= was dropped)
//	        d= and s=
//	5.3.5   pass iff an Authenticated Identifier aligns                 TestEvaluateMatrix
//	5.3.6   DNS errors: neither pass nor fail, no policy applied        TestEvaluateTempErrors, TestLookupDNSFailures, TestEvaluateMaxQueries
//	5.4     p=none MUST NOT change mail handling                        TestRFCPolicyNoneChangesNothing, TestEvaluateMatrix
//	5.4     SHOULD add Authentication-Results                           TestAuthenticationResults, TestRFCAuthenticationResultsSyntax
//	9.1     header.from = Author Domain; policy.dmarc after policy      TestRFCAuthenticationResultsSyntax, TestRFCTestingMode
//	        options, one of none/quarantine/reject                      (fixed: t=y was not reflected for passing mail)
//	9.2     dmarc result names pass/fail/none/temperror/permerror       TestRFCAuthenticationResultsSyntax, TestStrings
//	11.5    limit the Author Domains processed; mark it incomplete      TestEvaluateAll, TestManyAuthorDomainsLinear
//	11.6    external destinations: see RFC 9990 below
//
// RFC 9990 §3 (draft-ietf-dmarc-aggregate-reporting-32 "Verifying External Destinations")
//
//	MUST verify when the Org Domains of policy domain and host differ   TestCheckDestinations, TestRFCExternalDestinations (psd=n)
//	step 3  policy domain in A-labels                                   TestRFCExternalDestinations
//	step 4  name beyond DNS limits: not authorised                      TestCheckDestinations
//	step 5  temporary DNS error: MAY retry (temperror)                  TestCheckDestinations
//	step 6  v=DMARC1 MUST be first; others discarded                    TestCheckDestinations (wrong.example), TestRFCExternalDestinations
//	step 7-8 no record: not authorised; one record: authorised          TestCheckDestinations
//	step 9  override rua MUST use the same destination host             TestCheckDestinations (over, loop)
//	        unverified URI MUST be ignored; override on another host:  TestCheckDestinations, TestRFCExternalDestinations (mixed)
//	        MUST NOT report to either
//	        wildcard *._report._dmarc.<host>                            TestCheckDestinations (reports.example)
//
// RFC 7489 (ModeRFC7489)
//
//	3.2     Org Domain from the public suffix list                      TestOrgDomain, TestLookupRFC7489, TestAligned (AlignedPSL)
//	6.3     unknown tags MUST be ignored (np is one: an invalid np      TestParseRecordTags, TestRFC7489UnknownNP
//	        must not void the record; fixed)
//	6.3     v MUST be first, exact                                      TestParseRecordErrors, TestRFCVersionTag
//	6.3     v and p MUST be present, in that order                      TestLookupRFC7489/§6.3_*, TestLintText/RFC_7489_§6.3_p_not_second
//	6.3     pct 0-100, default 100; ri 32-bit, default 86400            TestParseRecordTags, TestRecordDefaults
//	6.3     rf values MUST be registered (SHOULD ignore others)         TestLintText/unknown_rf
//	6.3     sp absent: p MUST apply to subdomains                       TestPolicyFor
//	6.3     fo MUST be ignored without ruf                              TestRFCFailureOptionsNeedRUF
//	6.3     syntax errors SHOULD be discarded                           TestRFCSyntaxErrorsDiscarded
//	6.3/6.4 ',' and '!' MUST be encoded; !size suffix                   TestURI, TestParseRecordTags
//	6.6.1   U-label to A-label; several From domains: each, strictest   TestAuthorDomains, TestEvaluateAll
//	6.6.2   results MUST include d= and the SPF domain                  TestRFCResultsKeepIdentifiers
//	6.6.2   no aligned pass + aligned temporary error: not a failure    TestEvaluateMatrix, TestEvaluateTempErrors
//	6.6.3   MUST query the Author Domain, then (MUST) the Org Domain    TestLookupRFC7489
//	        if different; discard non-DMARC; several or none: stop;
//	        invalid p/sp with valid rua SHOULD act as p=none;
//	        no record: SHOULD NOT apply DMARC                           TestRFCNoRecordNoDMARC
//	6.6.4   MUST NOT enact the policy on more than pct%; not sampled:   TestEvaluatePolicies/RFC_7489_§6.6.4_*, TestRFC7489PctShare
//	        reject -> quarantine, quarantine -> none
//	7.1     external destinations (same steps; Org Domains by PSL;      TestCheckDestinations
//	        wildcard)
//
// RFC 8616 §6 (advice for DMARC, updating RFC 7489 §6.6.1 and §7.1)
//
//	§       requirement (paraphrased)                                  test(s)
//	6       U-labels of the RFC5322.From domain become A-labels before  TestRFC8616Section6AuthorDomains, TestRFC8616Section6Header,
//	        further processing (RFC 6532 UTF-8 From fields)            FuzzAuthorDomains (Author Domains ASCII)
//	6       discovery queries in A-labels; RFC 7489 Org Domain from     TestRFC8616Section6Discovery, FuzzEvaluate (queries ASCII)
//	        the PSL on A-labels
//	6       all domains handled converted: alignment compares A-labels TestRFC8616Section6Alignment, TestAligned (IDN rows),
//	        whichever form author and identifier come in               FuzzEvaluate (A-label forms give the same result)
//	6       invalid U-labels refused, naming the input                 TestRFC8616Section6AuthorDomains/§6 U-label failing*,
//	                                                                   TestRFC8616Section6Alignment/§6 invalid U-label d=*
//	6       7.1 destinations: U-label policy domain in A-labels         TestRFCExternalDestinations (bücher.example row)
//	6       rua/ruf remain conventional addresses                       TestRFC8616Section6ReportAddresses, TestURI
//
// Not covered here, by design: requirements on report generation and
// delivery (mailto support, report intervals, pct not limiting reports,
// storing results: package report), on senders and operators (§5.1,
// §5.2), and on SMTP rejection (§7.2).
//
// Known divergences (doc.go): fo=0:1 (forbidden by the RFC 9989 ABNF) is
// accepted and linted (dmarc.fo-conflict); an absent p without rua acts as
// p=none (§4.7) rather than "no DMARC" (one reading of §4.10.1); domain
// existence for np uses A/AAAA/MX/TXT data unless Checker.DomainExists is
// set or the Resolver is a domainauth.ExistenceResolver.

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

// TestRFCOrgDomainValidRecordsOnly: RFC 9989 §4.10.2 selects the
// Organizational Domain "from the domains for which valid DMARC Policy
// Records were retrieved". A broken record (here at the TLD) must not
// become the Organizational Domain: before the fix, rule 3 took the
// fewest-labels record whether it parsed or not, which put example.com and
// evil.com in one Organizational Domain "com" (so they aligned) and made a
// valid organisational record lose to a broken TLD record (permerror).
func TestRFCOrgDomainValidRecordsOnly(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.com", "v=DMARC1; p=bogus") // broken: invalid p, no rua
	z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
	c := Checker{Resolver: z}
	ctx := context.Background()

	if ok, err := c.Aligned(ctx, "example.com", "evil.com", AlignmentRelaxed); ok || err != nil {
		t.Errorf("§4.10.2: example.com aligned with evil.com through a broken _dmarc.com: %v %v", ok, err)
	}
	for _, tt := range []struct{ name, want string }{
		{"mail.example.com", "example.com"},
		{"example.com", "example.com"},
		{"evil.com", "evil.com"}, // no valid record: the name itself
	} {
		if got, err := c.OrgDomain(ctx, tt.name); got != tt.want || err != nil {
			t.Errorf("§4.10.2 OrgDomain(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	d := c.Lookup(ctx, "mail.example.com")
	checkDiscovery(t, d, discoveryWant{DiscoveryStatusFound, "example.com", SourceOrganizational, "example.com",
		dmarcNames("mail.example.com", "example.com", "com"), nil})
	res := c.Evaluate(ctx, Input{FromDomain: "example.com", DKIM: []Identifier{{Domain: "evil.com", Result: AuthResultPass}}})
	if res.Code != CodeFail || res.DKIMAligned || res.Disposition != DispositionReject {
		t.Errorf("§4.4 evil.com DKIM pass for example.com: %s aligned=%v %s", res.Code, res.DKIMAligned, res.Disposition)
	}
	// With no valid record at all, the broken one is still reported
	// (permerror, RFC 9989 §9.2) instead of "none".
	d = c.Lookup(ctx, "a.evil.com")
	if d.Status != DiscoveryStatusPermError || d.PolicyDomain != "com" || d.OrgDomain != "a.evil.com" {
		t.Errorf("only a broken record: %v at %q, org %q", d.Status, d.PolicyDomain, d.OrgDomain)
	}
}

// TestRFCFailureOptionsNeedRUF: RFC 9989 §4.7 (RFC 7489 §6.3) fo "MUST be
// ignored if a ruf tag is not also specified".
func TestRFCFailureOptionsNeedRUF(t *testing.T) {
	tests := []struct {
		rec  string
		want FailureOptions
	}{
		{"v=DMARC1; fo=1", FailureOptionsAll},
		{"v=DMARC1; fo=d:s", FailureOptionsAll},
		{"v=DMARC1; fo=1; ruf=mailto:f@example.org", FailureOptionsAny},
		{"v=DMARC1; ruf=mailto:f@example.org", FailureOptionsAll},
		{"v=DMARC1; fo=1; ruf=", FailureOptionsAll}, // an empty ruf is no ruf
	}
	for _, tt := range tests {
		r, err := ParseRecord(tt.rec)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Options(); got != tt.want {
			t.Errorf("§4.7 %q Options() = %v, want %v", tt.rec, got, tt.want)
		}
	}
}

// TestRFCResultsKeepIdentifiers: RFC 9989 §5.3.3 (RFC 7489 §6.6.2 steps 3
// and 4): the results MUST include the SPF domain, and the d= and s= of
// each DKIM signature checked.
func TestRFCResultsKeepIdentifiers(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
	res := Evaluate(context.Background(), z, Input{FromDomain: "example.org",
		SPF: Identifier{Domain: "Bounce.Example.ORG", Result: AuthResultFail},
		DKIM: []Identifier{
			{Domain: "example.org", Selector: "s1", Result: AuthResultFail},
			{Domain: "esp.example", Selector: "s2", Result: AuthResultPass},
		}})
	type id struct {
		m        Method
		dom, sel string
		r        AuthResult
	}
	var got []id
	for _, ch := range res.Checks {
		got = append(got, id{ch.Method, ch.Domain, ch.Selector, ch.Result})
	}
	want := []id{{MethodSPF, "bounce.example.org", "", AuthResultFail}, {MethodDKIM, "example.org", "s1", AuthResultFail},
		{MethodDKIM, "esp.example", "s2", AuthResultPass}}
	if len(got) != len(want) {
		t.Fatalf("checks %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("check %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestRFCTestingMode: RFC 9989 §4.7 t=y: failing mail gets the policy one
// level below; t has no effect on a policy of none; policy.dmarc
// (§9.1) is the policy after policy options, for passing mail too.
func TestRFCTestingMode(t *testing.T) {
	tests := []struct {
		rec     string
		from    string
		dkim    AuthResult
		code    Code
		applied Policy
		dis     Disposition
		ar      string
	}{
		{"v=DMARC1; p=none; t=y", "example.org", AuthResultFail, CodeFail, PolicyNone, DispositionNone,
			"dmarc=fail (p=none dis=none) header.from=example.org policy.dmarc=none"},
		{"v=DMARC1; p=reject; t=y", "example.org", AuthResultPass, CodePass, PolicyQuarantine, DispositionNone,
			"dmarc=pass (p=reject dis=none) header.from=example.org policy.dmarc=quarantine"},
		{"v=DMARC1; p=none; sp=reject; t=y", "a.example.org", AuthResultFail, CodeFail, PolicyQuarantine, DispositionQuarantine,
			"dmarc=fail (p=none sp=reject dis=quarantine) header.from=a.example.org policy.dmarc=quarantine"},
		{"v=DMARC1; p=none; np=reject; t=y", "ghost.example.org", AuthResultFail, CodeFail, PolicyQuarantine, DispositionQuarantine,
			"dmarc=fail (p=none dis=quarantine) header.from=ghost.example.org policy.dmarc=quarantine"},
	}
	for _, tt := range tests {
		z := zone.New()
		z.AddTXT("_dmarc.example.org", tt.rec)
		z.AddA("a.example.org", "192.0.2.1")
		res := Evaluate(context.Background(), z, Input{FromDomain: tt.from,
			DKIM: []Identifier{{Domain: tt.from, Result: tt.dkim}}})
		if res.Code != tt.code || res.AppliedPolicy != tt.applied || res.Disposition != tt.dis || !res.Testing {
			t.Errorf("%q from %s: %s applied=%s dis=%s testing=%v", tt.rec, tt.from, res.Code, res.AppliedPolicy, res.Disposition, res.Testing)
		}
		if got := res.AuthResult().String(); got != tt.ar {
			t.Errorf("%q from %s: A-R\n got %q\nwant %q", tt.rec, tt.from, got, tt.ar)
		}
	}
}

// countingResolver counts the TXT queries for _dmarc names.
type countingResolver struct {
	*zone.Zone
	n int
}

func (c *countingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if strings.HasPrefix(name, "_dmarc.") {
		c.n++
	}
	return c.Zone.LookupTXT(ctx, name)
}

// TestRFCTreeWalkBound: RFC 9989 §4.10: a DNS tree walk makes at most eight
// queries, whatever the number of labels, for the Author Domain and for
// each Authenticated Identifier (§4.10.2).
func TestRFCTreeWalkBound(t *testing.T) {
	long := strings.Repeat("x.", 30) + "example.org"
	for _, tt := range []struct {
		name string
		in   Input
		max  int
	}{
		{"author", Input{FromDomain: long}, 8},
		{"author and identifier", Input{FromDomain: "a." + long, DKIM: []Identifier{{Domain: "b." + long, Result: AuthResultPass}}}, 16},
	} {
		r := &countingResolver{Zone: zone.New()}
		r.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
		res := Evaluate(context.Background(), r, tt.in)
		if res.Discovery.Status != DiscoveryStatusFound || len(res.Discovery.Queried) > 8 || r.n > tt.max {
			t.Errorf("%s: %s, %d queried in discovery, %d in all (max %d)", tt.name, res.Discovery.Status,
				len(res.Discovery.Queried), r.n, tt.max)
		}
	}
}

// TestRFCVersionTag: RFC 9989 §4.7 / §4.8: v MUST be first; its value is
// case-sensitive "DMARC1" (%s in the ABNF), while the tag name "v" is an
// ABNF literal and so case-insensitive; otherwise the record MUST be
// ignored (ErrNotDMARC: discovery skips it, §4.10 step 2).
func TestRFCVersionTag(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"V=DMARC1; p=none", nil},
		{"v=DMARC1", nil},
		{"v=DMARC1;", nil},
		{"v=Dmarc1; p=none", ErrNotDMARC},
		{"v=DMARC1x; p=none", ErrNotDMARC},
		{"v=DMARC; p=none", ErrNotDMARC},
		{"p=none; v=DMARC1", ErrNotDMARC},
		{"x=1; v=DMARC1; p=none", ErrNotDMARC},
		{"v=DMARC1.0", ErrNotDMARC},
	}
	for _, tt := range tests {
		_, err := ParseRecord(tt.in)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("§4.7 ParseRecord(%q) = %v, want %v", tt.in, err, tt.want)
		}
	}
	// §4.10 step 2: a record that is not DMARC is discarded, so a single
	// DMARC record next to one with the wrong version still applies.
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=dmarc1; p=none")
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
	for _, mode := range []Mode{ModeRFC9989, ModeRFC7489} { // RFC 7489 §6.6.3 steps 2 and 4
		c := Checker{Resolver: z, Mode: mode}
		if d := c.Lookup(context.Background(), "example.org"); d.Status != DiscoveryStatusFound || d.Record.Policy != PolicyReject {
			t.Errorf("%v §4.10 step 2: %v %v", mode, d.Status, d.Err)
		}
	}
}

// TestRFCNoRecordNoDMARC: RFC 9989 §4.10.1 (RFC 7489 §6.6.3): without a
// DMARC Policy Record the receiver MUST NOT apply DMARC: code none, no
// policy, no disposition, even when every identifier fails; and multiple
// records at the only name are no record.
func TestRFCNoRecordNoDMARC(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.multi.example", "v=DMARC1; p=reject")
	z.AddTXT("_dmarc.multi.example", "v=DMARC1; p=reject")
	for _, mode := range []Mode{ModeRFC9989, ModeRFC7489} {
		for _, from := range []string{"none.example", "multi.example", "a.multi.example"} {
			c := Checker{Resolver: z, Mode: mode}
			res := c.Evaluate(context.Background(), Input{FromDomain: from, SPF: Identifier{Domain: from, Result: AuthResultFail}})
			if res.Code != CodeNone || res.Policy != PolicyUnset || res.Disposition != DispositionNone {
				t.Errorf("%v %s: %s %s %s", mode, from, res.Code, res.Policy, res.Disposition)
			}
			if got := res.AuthResult().String(); got != "dmarc=none header.from="+from {
				t.Errorf("%v %s: A-R %q", mode, from, got)
			}
		}
	}
}

// TestRFCPolicyNoneChangesNothing: RFC 9989 §5.4: p=none MUST NOT modify
// mail handling: the disposition of failing mail is none for p, sp and np
// of none, in both modes.
func TestRFCPolicyNoneChangesNothing(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=none; sp=none; np=none; pct=100")
	for _, mode := range []Mode{ModeRFC9989, ModeRFC7489} {
		for _, from := range []string{"example.org", "ghost.example.org"} {
			c := Checker{Resolver: z, Mode: mode}
			res := c.Evaluate(context.Background(), Input{FromDomain: from})
			if res.Code != CodeFail || res.Disposition != DispositionNone {
				t.Errorf("%v %s: %s %s", mode, from, res.Code, res.Disposition)
			}
		}
	}
}

// TestRFCExternalDestinations covers the RFC 9990 §3 (RFC 7489 §7.1)
// requirements the table test of CheckDestinations leaves out: the check
// is made only when the Organizational Domains differ (by tree walk, so
// psd=n separates two names under one registered domain); the policy
// domain is converted to A-labels (step 3); several records at the name
// authorise when one passes basic parsing (steps 6-8); an override on the
// same host is used, one on another host voids both (step 9, MUST NOT).
func TestRFCExternalDestinations(t *testing.T) {
	z := zone.New()
	z.AddTXT("_dmarc.example.com", "v=DMARC1; p=reject")
	z.AddTXT("_dmarc.team.example.com", "v=DMARC1; p=reject; psd=n")
	z.AddTXT("xn--bcher-kva.example._report._dmarc.r.example.net", "v=DMARC1")
	z.AddTXT("blue.example.com._report._dmarc.multi.example", "not dmarc")
	z.AddTXT("blue.example.com._report._dmarc.multi.example", "v=DMARC1; rua=mailto:x@multi.example")
	z.AddTXT("blue.example.com._report._dmarc.mixed.example", "v=DMARC1; rua=mailto:a@mixed.example,mailto:b@other.example")
	c := Checker{Resolver: z}
	ctx := context.Background()
	tests := []struct {
		policy, uri string
		status      DestinationStatus
		queried     string
		override    int
	}{
		// psd=n makes team.example.com its own Organizational Domain.
		{"team.example.com", "mailto:d@example.com", DestinationStatusUnauthorized, "team.example.com._report._dmarc.example.com", 0},
		{"a.example.com", "mailto:d@b.example.com", DestinationStatusInternal, "", 0},
		{"bücher.example", "mailto:d@r.example.net", DestinationStatusAuthorized, "xn--bcher-kva.example._report._dmarc.r.example.net", 0},
		{"blue.example.com", "mailto:d@multi.example", DestinationStatusAuthorized, "blue.example.com._report._dmarc.multi.example", 1},
		{"blue.example.com", "mailto:d@mixed.example", DestinationStatusUnauthorized, "blue.example.com._report._dmarc.mixed.example", 0},
	}
	for _, tt := range tests {
		d := c.CheckDestination(ctx, tt.policy, URI{Address: tt.uri}, ReportKindAggregate)
		if d.Status != tt.status || d.Queried != tt.queried || len(d.Override) != tt.override {
			t.Errorf("%s -> %s: %s at %q override %v (%v); want %s at %q", tt.policy, tt.uri, d.Status, d.Queried, d.Override, d.Err,
				tt.status, tt.queried)
		}
	}
}

// TestRFCSyntaxErrorsDiscarded: RFC 9989 §4.8 "Syntax errors in the
// remainder of the record MUST be discarded in favor of default values (if
// any) or ignored outright" (RFC 7489 §6.3: SHOULD). Before the fix a
// single malformed tag-spec made the whole record a permerror, so
// "v=DMARC1; p=reject; <garbage>" lost its reject policy.
func TestRFCSyntaxErrorsDiscarded(t *testing.T) {
	rua := []URI{{Address: "mailto:d@example.org"}}
	tests := []struct {
		name string
		in   string
		want Record
	}{
		{"spec without =", "v=DMARC1; p=reject; garbage",
			Record{Policy: PolicyReject, Explicit: TagSet(TagP), Malformed: []string{"garbage"}}},
		{"tag name not ALPHA", "v=DMARC1; 1x=2; p=reject",
			Record{Policy: PolicyReject, Explicit: TagSet(TagP), Malformed: []string{"1x=2"}}},
		{"space inside the tag name", "v=DMARC1; p=reject; a b=c ; sp=none",
			Record{Policy: PolicyReject, SubdomainPolicy: PolicyNone, Explicit: TagSet(TagP | TagSP), Malformed: []string{"a b=c"}}},
		{"non-ASCII value: default applies", "v=DMARC1; p=reject; adkim=ś",
			Record{Policy: PolicyReject, Explicit: TagSet(TagP | TagADKIM), Invalid: []TagValue{{"adkim", "ś"}}}},
		{"non-ASCII rua: kept as an invalid URI, p kept", "v=DMARC1; p=none; rua=mailto:é@example.org",
			Record{Policy: PolicyNone, Explicit: TagSet(TagP | TagRUA), AggregateURIs: []URI{{Address: "mailto:é@example.org"}}}},
		{"one non-ASCII URI keeps the valid ones", "v=DMARC1; p=reject; rua=mailto:d@example.org, mailto:é@example.org",
			Record{Policy: PolicyReject, Explicit: TagSet(TagP | TagRUA), AggregateURIs: append(rua[:1:1], URI{Address: "mailto:é@example.org"})}},
		{"non-ASCII unknown tag", "v=DMARC1; p=quarantine; x=ü",
			Record{Policy: PolicyQuarantine, Explicit: TagSet(TagP), Unknown: []TagValue{{"x", "ü"}}}},
		{"bare line break in a value", "v=DMARC1; p=reject; fo=1\r; ruf=mailto:d@example.org",
			Record{Policy: PolicyReject, FailureURIs: rua, Explicit: TagSet(TagP | TagFO | TagRUF), Invalid: []TagValue{{"fo", "1\r"}}}},
		{"known tag name without '=': discarded", "v=DMARC1; p; rua=mailto:d@example.org",
			Record{AggregateURIs: rua, Explicit: TagSet(TagRUA), Malformed: []string{"p"}}},
		{"bare p after p=none: discarded, not a duplicate", "v=DMARC1; p=none; p",
			Record{Policy: PolicyNone, Explicit: TagSet(TagP), Malformed: []string{"p"}}},
		{"bare rua after rua: discarded, not a duplicate", "v=DMARC1; p=reject; rua=mailto:d@example.org; rua ",
			Record{Policy: PolicyReject, AggregateURIs: rua, Explicit: TagSet(TagP | TagRUA), Malformed: []string{"rua"}}},
		{"malformed spec last, no ';'", "v=DMARC1; p=reject;=",
			Record{Policy: PolicyReject, Explicit: TagSet(TagP), Malformed: []string{"="}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRecord(tt.in)
			if err != nil {
				t.Fatalf("ParseRecord(%q): %v", tt.in, err)
			}
			if !equalRecords(&tt.want, got) {
				t.Errorf("ParseRecord(%q)\n got %#v\nwant %#v", tt.in, got, &tt.want)
			}
			again, err := ParseRecord(got.String())
			if err != nil || !equalRecords(got, again) {
				t.Errorf("round trip via %q: %v %#v", got.String(), err, again)
			}
		})
	}
	// The policy survives discovery and evaluation.
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject; rua=mailto:d@example.org; oops")
	res := Evaluate(context.Background(), z, Input{FromDomain: "example.org"})
	if res.Code != CodeFail || res.Disposition != DispositionReject {
		t.Errorf("evaluation: %s %s %v", res.Code, res.Disposition, res.Err)
	}
}

func equalRecords(a, b *Record) bool { return a.String() == b.String() && fmtRecord(a) == fmtRecord(b) }

func fmtRecord(r *Record) string {
	return strings.Join([]string{r.String(), fmtTV(r.Invalid), fmtTV(r.Unknown), strings.Join(r.Malformed, "|"),
		string(rune(r.Explicit))}, "#")
}

func fmtTV(tvs []TagValue) string {
	var b strings.Builder
	for _, tv := range tvs {
		b.WriteString(tv.Tag + "=" + tv.Value + "|")
	}
	return b.String()
}

// TestRFCAuthenticationResultsSyntax: every dmarc= result this package
// writes is an RFC 8601 §2.2 methodspec [CFWS reasonspec] [CFWS
// 1*propspec] with method "dmarc", a result from the RFC 9989 §9.2
// registry, the properties header.from (the Author Domain) and
// policy.dmarc (none, quarantine or reject, §9.1) only for pass and fail.
func TestRFCAuthenticationResultsSyntax(t *testing.T) {
	re := regexp.MustCompile(`^dmarc=(none|pass|fail|temperror|permerror)` +
		`( \([^()\\]*\))?` + // a comment (CFWS)
		`( reason="(?:[^"\\]|\\.)*")?` + // reasonspec, temperror and permerror only
		`( header\.from=[a-z0-9.-]+)?` +
		`( policy\.dmarc=(none|quarantine|reject))?$`)
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject; sp=quarantine")
	z.AddTXT("_dmarc.broken.example", "v=DMARC1; p=nope")
	z.SetFault("_dmarc.slow.example", zone.TypeTXT, zone.FaultTimeout)
	tests := []struct {
		from   string
		dkim   AuthResult
		code   Code
		policy bool
	}{
		{"example.org", AuthResultPass, CodePass, true},
		{"a.example.org", AuthResultFail, CodeFail, true},
		{"nothing.example", AuthResultPass, CodeNone, false},
		{"broken.example", AuthResultPass, CodePermError, false},
		{"slow.example", AuthResultPass, CodeTempError, false},
		{"", AuthResultPass, CodePermError, false},
	}
	for _, tt := range tests {
		res := Evaluate(context.Background(), z, Input{FromDomain: tt.from, DKIM: []Identifier{{Domain: tt.from, Result: tt.dkim}}})
		ar := res.AuthResult().String()
		m := re.FindStringSubmatch(ar)
		if res.Code != tt.code || m == nil {
			t.Errorf("%q: %s, A-R %q does not match RFC 8601 / RFC 9989 §9", tt.from, res.Code, ar)
			continue
		}
		if (m[5] != "") != tt.policy || (tt.from != "" && m[4] != " header.from="+tt.from) {
			t.Errorf("%q: A-R %q: policy.dmarc present %v, want %v; header.from %q", tt.from, ar, m[5] != "", tt.policy, m[4])
		}
		if (m[3] != "") != (tt.code == CodeTempError || tt.code == CodePermError) {
			t.Errorf("%q: A-R %q: a reason for %s", tt.from, ar, tt.code)
		}
	}
}

// TestRFC7489UnknownNP: np does not exist in RFC 7489, whose receivers MUST
// ignore unknown tags (§6.3). Before the fix an invalid np value made the
// record unusable (no rua) or turned it into p=none (with rua) in ModeRFC7489
// mode as it does under RFC 9989 §4.10.1.
func TestRFC7489UnknownNP(t *testing.T) {
	tests := []struct {
		rec        string
		mode       Mode
		code       Code
		dis        Disposition
		nonexistNP bool
	}{
		{"v=DMARC1; p=reject; np=bogus", ModeRFC7489, CodeFail, DispositionReject, false},
		{"v=DMARC1; p=reject; np=bogus; rua=mailto:d@example.org", ModeRFC7489, CodeFail, DispositionReject, false},
		{"v=DMARC1; p=reject; np=bogus", ModeRFC9989, CodePermError, DispositionNone, false},
		{"v=DMARC1; p=reject; np=bogus; rua=mailto:d@example.org", ModeRFC9989, CodeFail, DispositionNone, false},
		{"v=DMARC1; p=reject; np=none", ModeRFC7489, CodeFail, DispositionReject, false},
		{"v=DMARC1; p=reject; np=none", ModeRFC9989, CodeFail, DispositionNone, true},
	}
	for _, tt := range tests {
		z := zone.New()
		z.AddTXT("_dmarc.example.org", tt.rec)
		c := Checker{Resolver: z, Mode: tt.mode}
		res := c.Evaluate(context.Background(), Input{FromDomain: "ghost.example.org"})
		if res.Code != tt.code || res.Disposition != tt.dis || res.Nonexistent != tt.nonexistNP {
			t.Errorf("%v %q: %s %s nonexistent=%v (%v)", tt.mode, tt.rec, res.Code, res.Disposition, res.Nonexistent, res.Err)
		}
	}
}

// cycleRand returns 0, 1, 2, ... n-1, 0, ... (not safe for concurrent use).
type cycleRand struct{ i int }

func (c *cycleRand) IntN(n int) int { v := c.i % n; c.i++; return v }

// TestRFC7489PctShare: RFC 7489 §6.6.4: the policy MUST NOT be enacted on
// more than pct percent of the failing messages (§6.3: selected when
// (random mod 100) < pct); the others get the next lower policy. Over 100
// messages with every random value once, exactly pct are selected.
func TestRFC7489PctShare(t *testing.T) {
	for _, pct := range []int{0, 1, 33, 99, 100} {
		z := zone.New()
		z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject; pct="+strconv.Itoa(pct))
		c := Checker{Resolver: z, Mode: ModeRFC7489, Rand: &cycleRand{}}
		rejected, quarantined := 0, 0
		for range 100 {
			switch c.Evaluate(context.Background(), Input{FromDomain: "example.org"}).Disposition {
			case DispositionReject:
				rejected++
			case DispositionQuarantine:
				quarantined++
			}
		}
		if rejected != pct || quarantined != 100-pct {
			t.Errorf("pct=%d: %d rejected, %d quarantined", pct, rejected, quarantined)
		}
	}
}
