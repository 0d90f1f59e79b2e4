package dmarc

// RFC requirement coverage: every MUST / MUST NOT / SHOULD of RFC 9989
// (draft-ietf-dmarc-dmarcbis-41), RFC 9990 §3 (draft-ietf-dmarc-aggregate-
// reporting-32, "Verifying External Destinations") and RFC 7489 that
// concerns a record parser, policy discovery, alignment, evaluation or the
// external destination check, in our words, with the test that checks it.
// Requirements on report generation, senders or operators are out of
// scope and listed at the end.
//
// COVERAGE_TABLE

import (
	"context"
	"errors"
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

	if ok, err := c.Aligned(ctx, "example.com", "evil.com", Relaxed); ok || err != nil {
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
	checkDiscovery(t, d, discoveryWant{StatusFound, "example.com", SourceOrganizational, "example.com",
		dmarcNames("mail.example.com", "example.com", "com"), nil})
	res := c.Evaluate(ctx, Input{FromDomain: "example.com", DKIM: []Identifier{{Domain: "evil.com", Result: AuthPass}}})
	if res.Code != CodeFail || res.DKIMAligned || res.Disposition != DispositionReject {
		t.Errorf("§4.4 evil.com DKIM pass for example.com: %s aligned=%v %s", res.Code, res.DKIMAligned, res.Disposition)
	}
	// With no valid record at all, the broken one is still reported
	// (permerror, RFC 9989 §9.2) instead of "none".
	d = c.Lookup(ctx, "a.evil.com")
	if d.Status != StatusPermError || d.PolicyDomain != "com" || d.OrgDomain != "a.evil.com" {
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
		{"v=DMARC1; fo=1", FOAll},
		{"v=DMARC1; fo=d:s", FOAll},
		{"v=DMARC1; fo=1; ruf=mailto:f@example.org", FOAny},
		{"v=DMARC1; ruf=mailto:f@example.org", FOAll},
		{"v=DMARC1; fo=1; ruf=", FOAll}, // an empty ruf is no ruf
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
		SPF: Identifier{Domain: "Bounce.Example.ORG", Result: AuthFail},
		DKIM: []Identifier{
			{Domain: "example.org", Selector: "s1", Result: AuthFail},
			{Domain: "esp.example", Selector: "s2", Result: AuthPass},
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
	want := []id{{MethodSPF, "bounce.example.org", "", AuthFail}, {MethodDKIM, "example.org", "s1", AuthFail},
		{MethodDKIM, "esp.example", "s2", AuthPass}}
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
		{"v=DMARC1; p=none; t=y", "example.org", AuthFail, CodeFail, None, DispositionNone,
			"dmarc=fail (p=none dis=none) header.from=example.org policy.dmarc=none"},
		{"v=DMARC1; p=reject; t=y", "example.org", AuthPass, CodePass, Quarantine, DispositionNone,
			"dmarc=pass (p=reject dis=none) header.from=example.org policy.dmarc=quarantine"},
		{"v=DMARC1; p=none; sp=reject; t=y", "a.example.org", AuthFail, CodeFail, Quarantine, DispositionQuarantine,
			"dmarc=fail (p=none sp=reject dis=quarantine) header.from=a.example.org policy.dmarc=quarantine"},
		{"v=DMARC1; p=none; np=reject; t=y", "ghost.example.org", AuthFail, CodeFail, Quarantine, DispositionQuarantine,
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
		if got := res.AuthenticationResults(); got != tt.ar {
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
		{"author and identifier", Input{FromDomain: "a." + long, DKIM: []Identifier{{Domain: "b." + long, Result: AuthPass}}}, 16},
	} {
		r := &countingResolver{Zone: zone.New()}
		r.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
		res := Evaluate(context.Background(), r, tt.in)
		if res.Discovery.Status != StatusFound || len(res.Discovery.Queried) > 8 || r.n > tt.max {
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
	if d := Lookup(context.Background(), z, "example.org"); d.Status != StatusFound || d.Record.Policy != Reject {
		t.Errorf("§4.10 step 2: %v %v", d.Status, d.Err)
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
	for _, mode := range []Mode{RFC9989, RFC7489} {
		for _, from := range []string{"none.example", "multi.example", "a.multi.example"} {
			c := Checker{Resolver: z, Mode: mode}
			res := c.Evaluate(context.Background(), Input{FromDomain: from, SPF: Identifier{Domain: from, Result: AuthFail}})
			if res.Code != CodeNone || res.Policy != PolicyUnset || res.Disposition != DispositionNone {
				t.Errorf("%v %s: %s %s %s", mode, from, res.Code, res.Policy, res.Disposition)
			}
			if got := res.AuthenticationResults(); got != "dmarc=none header.from="+from {
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
	for _, mode := range []Mode{RFC9989, RFC7489} {
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
		{"team.example.com", "mailto:d@example.com", DestinationUnauthorized, "team.example.com._report._dmarc.example.com", 0},
		{"a.example.com", "mailto:d@b.example.com", DestinationInternal, "", 0},
		{"bücher.example", "mailto:d@r.example.net", DestinationAuthorized, "xn--bcher-kva.example._report._dmarc.r.example.net", 0},
		{"blue.example.com", "mailto:d@multi.example", DestinationAuthorized, "blue.example.com._report._dmarc.multi.example", 1},
		{"blue.example.com", "mailto:d@mixed.example", DestinationUnauthorized, "blue.example.com._report._dmarc.mixed.example", 0},
	}
	for _, tt := range tests {
		d := c.CheckDestination(ctx, tt.policy, URI{Address: tt.uri}, false)
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
			Record{Policy: Reject, Explicit: TagSet(TagP), Malformed: []string{"garbage"}}},
		{"tag name not ALPHA", "v=DMARC1; 1x=2; p=reject",
			Record{Policy: Reject, Explicit: TagSet(TagP), Malformed: []string{"1x=2"}}},
		{"space inside the tag name", "v=DMARC1; p=reject; a b=c ; sp=none",
			Record{Policy: Reject, SubdomainPolicy: None, Explicit: TagSet(TagP | TagSP), Malformed: []string{"a b=c"}}},
		{"non-ASCII value: default applies", "v=DMARC1; p=reject; adkim=ś",
			Record{Policy: Reject, Explicit: TagSet(TagP | TagADKIM), Invalid: []TagValue{{"adkim", "ś"}}}},
		{"non-ASCII rua: no valid URI, p kept", "v=DMARC1; p=none; rua=mailto:é@example.org",
			Record{Policy: None, Explicit: TagSet(TagP | TagRUA), Invalid: []TagValue{{"rua", "mailto:é@example.org"}}}},
		{"non-ASCII unknown tag", "v=DMARC1; p=quarantine; x=ü",
			Record{Policy: Quarantine, Explicit: TagSet(TagP), Unknown: []TagValue{{"x", "ü"}}}},
		{"bare line break in a value", "v=DMARC1; p=reject; fo=1\r; ruf=mailto:d@example.org",
			Record{Policy: Reject, FailureURIs: rua, Explicit: TagSet(TagP | TagFO | TagRUF), Invalid: []TagValue{{"fo", "1\r"}}}},
		{"known tag without a value, valid rua: p=none", "v=DMARC1; p; rua=mailto:d@example.org",
			Record{AggregateURIs: rua, Explicit: TagSet(TagP | TagRUA), Invalid: []TagValue{{"p", ""}}}},
		{"malformed spec last, no ';'", "v=DMARC1; p=reject;=",
			Record{Policy: Reject, Explicit: TagSet(TagP), Malformed: []string{"="}}},
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
