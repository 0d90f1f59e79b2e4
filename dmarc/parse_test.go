package dmarc

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRecordTags(t *testing.T) {
	rua := []URI{{Address: "mailto:d@example.org"}}
	tests := []struct {
		name string
		in   string
		want Record
	}{
		// RFC 9989 §4.7 v: the only tag required.
		{"§4.7 v only", "v=DMARC1", Record{}},
		{"§4.8 trailing separator", "v=DMARC1;", Record{}},
		{"§4.8 whitespace around = and ;", "v = DMARC1 ;  p = reject ; ", Record{Policy: PolicyReject, Explicit: TagSet(TagP)}},
		// §4.7 p.
		{"§4.7 p=none", "v=DMARC1; p=none", Record{Policy: PolicyNone, Explicit: TagSet(TagP)}},
		{"§4.7 p=quarantine", "v=DMARC1; p=quarantine", Record{Policy: PolicyQuarantine, Explicit: TagSet(TagP)}},
		{"§4.7 p=reject", "v=DMARC1; p=reject", Record{Policy: PolicyReject, Explicit: TagSet(TagP)}},
		{"§4.8 keywords ignore case", "v=DMARC1; P=Reject", Record{Policy: PolicyReject, Explicit: TagSet(TagP)}},
		{"§4.10.1 invalid p with valid rua", "v=DMARC1; p=block; rua=mailto:d@example.org",
			Record{AggregateURIs: rua, Explicit: TagSet(TagP | TagRUA), Invalid: []TagValue{{"p", "block"}}}},
		// §4.7 sp, np.
		{"§4.7 sp", "v=DMARC1; p=none; sp=reject", Record{Policy: PolicyNone, SubdomainPolicy: PolicyReject, Explicit: TagSet(TagP | TagSP)}},
		{"§4.7 np", "v=DMARC1; p=none; np=quarantine", Record{Policy: PolicyNone, NonexistentPolicy: PolicyQuarantine, Explicit: TagSet(TagP | TagNP)}},
		{"§4.10.1 invalid sp with valid rua", "v=DMARC1; p=reject; sp=x; rua=mailto:d@example.org",
			Record{Policy: PolicyReject, AggregateURIs: rua, Explicit: TagSet(TagP | TagSP | TagRUA), Invalid: []TagValue{{"sp", "x"}}}},
		// §4.7 adkim, aspf.
		{"§4.7 adkim=s aspf=r", "v=DMARC1; adkim=s; aspf=r", Record{DKIMAlignment: AlignmentStrict, SPFAlignment: AlignmentRelaxed, Explicit: TagSet(TagADKIM | TagASPF)}},
		{"§4.8 invalid adkim ignored", "v=DMARC1; adkim=x", Record{Explicit: TagSet(TagADKIM), Invalid: []TagValue{{"adkim", "x"}}}},
		{"§4.8 invalid aspf ignored", "v=DMARC1; aspf=strict", Record{Explicit: TagSet(TagASPF), Invalid: []TagValue{{"aspf", "strict"}}}},
		// §4.7 fo.
		{"§4.7 fo=1", "v=DMARC1; fo=1", Record{FailureOptions: FailureOptionsAny, Explicit: TagSet(TagFO)}},
		{"§4.7 fo=d:s", "v=DMARC1; fo=d:s", Record{FailureOptions: FailureOptionsDKIM | FailureOptionsSPF, Explicit: TagSet(TagFO)}},
		{"RFC 7489 §6.4 fo with WSP", "v=DMARC1; fo=0 : d", Record{FailureOptions: FailureOptionsAll | FailureOptionsDKIM, Explicit: TagSet(TagFO)}},
		{"§4.8 invalid fo", "v=DMARC1; fo=2", Record{Explicit: TagSet(TagFO), Invalid: []TagValue{{"fo", "2"}}}},
		{"§4.8 fo trailing colon", "v=DMARC1; fo=0:", Record{Explicit: TagSet(TagFO), Invalid: []TagValue{{"fo", "0:"}}}},
		// §4.7 psd, t.
		{"§4.7 psd=y", "v=DMARC1; psd=y", Record{PSD: PSDYes, Explicit: TagSet(TagPSD)}},
		{"§4.7 psd=n", "v=DMARC1; psd=n", Record{PSD: PSDNo, Explicit: TagSet(TagPSD)}},
		{"§4.7 psd=u", "v=DMARC1; psd=u", Record{PSD: PSDUnknown, Explicit: TagSet(TagPSD)}},
		{"§4.8 invalid psd", "v=DMARC1; psd=yes", Record{Explicit: TagSet(TagPSD), Invalid: []TagValue{{"psd", "yes"}}}},
		{"§4.7 t=y", "v=DMARC1; t=y", Record{Testing: TestingYes, Explicit: TagSet(TagT)}},
		{"§4.7 t=n", "v=DMARC1; t=n", Record{Testing: TestingNo, Explicit: TagSet(TagT)}},
		{"§4.8 invalid t", "v=DMARC1; t=1", Record{Explicit: TagSet(TagT), Invalid: []TagValue{{"t", "1"}}}},
		// §4.7 rua, ruf; §4.8 dmarc-urilist with obs-dmarc-report-size.
		{"§4.8 rua list with WSP", "v=DMARC1; rua=mailto:a@example.org , mailto:b@example.net",
			Record{AggregateURIs: []URI{{Address: "mailto:a@example.org"}, {Address: "mailto:b@example.net"}}, Explicit: TagSet(TagRUA)}},
		{"RFC 7489 §6.2 size suffix", "v=DMARC1; rua=mailto:a@example.org!10m,https://r.example.org/x!512",
			Record{AggregateURIs: []URI{{Address: "mailto:a@example.org", Size: "10m"}, {Address: "https://r.example.org/x", Size: "512"}}, Explicit: TagSet(TagRUA)}},
		{"§4.8 bad size kept in address", "v=DMARC1; ruf=mailto:a@example.org!x",
			Record{FailureURIs: []URI{{Address: "mailto:a@example.org!x"}}, Explicit: TagSet(TagRUF)}},
		{"§4.8 empty rua invalid", "v=DMARC1; rua=", Record{Explicit: TagSet(TagRUA), Invalid: []TagValue{{"rua", ""}}}},
		// RFC 7489 tags.
		{"RFC 7489 §6.3 pct", "v=DMARC1; pct=50", Record{Pct: 50, Explicit: TagSet(TagPct)}},
		{"RFC 7489 §6.3 pct=0", "v=DMARC1; pct=0", Record{Explicit: TagSet(TagPct)}},
		{"RFC 7489 §6.3 pct above 100", "v=DMARC1; pct=101", Record{Explicit: TagSet(TagPct), Invalid: []TagValue{{"pct", "101"}}}},
		{"RFC 7489 §6.3 ri", "v=DMARC1; ri=3600", Record{ReportInterval: 3600, Explicit: TagSet(TagRI)}},
		{"RFC 7489 §6.3 ri beyond 32 bits", "v=DMARC1; ri=4294967296", Record{Explicit: TagSet(TagRI), Invalid: []TagValue{{"ri", "4294967296"}}}},
		{"RFC 7489 §6.3 rf", "v=DMARC1; rf=afrf", Record{ReportFormat: "afrf", Explicit: TagSet(TagRF)}},
		{"RFC 7489 §6.4 rf bad keyword", "v=DMARC1; rf=a_b", Record{Explicit: TagSet(TagRF), Invalid: []TagValue{{"rf", "a_b"}}}},
		// §4.7: unknown tags MUST be ignored.
		{"§4.7 unknown tag", "v=DMARC1; p=none; foo=bar", Record{Policy: PolicyNone, Explicit: TagSet(TagP), Unknown: []TagValue{{"foo", "bar"}}}},
		// §4.8 any order after v.
		{"§4.8 any order after v", "v=DMARC1; rua=mailto:d@example.org; p=reject",
			Record{Policy: PolicyReject, AggregateURIs: rua, Explicit: TagSet(TagP | TagRUA)}},
		{"§4.8 empty tag-specs tolerated", "v=DMARC1;; p=none;;", Record{Policy: PolicyNone, Explicit: TagSet(TagP)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRecord(tt.in)
			if err != nil {
				t.Fatalf("ParseRecord(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("ParseRecord(%q) (-want +got):\n%s", tt.in, diff)
			}
			again, err := ParseRecord(got.String())
			if err != nil {
				t.Fatalf("ParseRecord(String() = %q): %v", got.String(), err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("round trip of %q via %q (-first +second):\n%s", tt.in, got.String(), diff)
			}
		})
	}
}

func TestParseRecordErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   error
		offset int
	}{
		{"§4.7 v absent", "p=reject", ErrNotDMARC, 0},
		{"§4.7 v not first", "p=reject; v=DMARC1", ErrNotDMARC, 0},
		{"§4.7 v value case-sensitive", "v=dmarc1; p=reject", ErrNotDMARC, 0},
		{"§4.7 other version", "v=DMARC2; p=reject", ErrNotDMARC, 0},
		{"empty", "", ErrNotDMARC, 0},
		{"SPF record", "v=spf1 -all", ErrNotDMARC, 0},
		{"missing ; after version", "v=DMARC1 p=reject", ErrSyntax, 8},
		{"§4.7 missing ; after version: not a DMARC record", "v=DMARC1 p=none", ErrNotDMARC, 8},
		{"RFC 6376 §3.2 duplicate p", "v=DMARC1; p=none; p=reject", ErrDuplicateTag, 18},
		{"RFC 6376 §3.2 duplicate any case", "v=DMARC1; p=none; P=none", ErrDuplicateTag, 18},
		{"RFC 6376 §3.2 duplicate v", "v=DMARC1; v=DMARC1", ErrDuplicateTag, 10},
		{"RFC 6376 §3.2 duplicate unknown", "v=DMARC1; x=1; x=2", ErrDuplicateTag, 15},
		{"RFC 6376 §3.2 duplicate unknown among more than 8, other case", "v=DMARC1; a=1; b=1; c=1; d=1; e=1; f=1; g=1; h=1; i=1; j=1; B=2",
			ErrDuplicateTag, 60},
		{"RFC 6376 §3.2 duplicate of the first unknown among more than 8", "v=DMARC1; Ab=1; b=1; c=1; d=1; e=1; f=1; g=1; h=1; i=1; j=1; aB=2",
			ErrDuplicateTag, 61},
		{"§4.8 non-ASCII p value: invalid p without rua", "v=DMARC1; p=réject", ErrInvalidPolicy, 10},
		{"RFC 6376 §3.2 duplicate after a malformed spec", "v=DMARC1; p=none; p=ré", ErrDuplicateTag, 18},
		{"§4.10.1 invalid p without rua", "v=DMARC1; p=bogus", ErrInvalidPolicy, 10},
		{"§4.10.1 invalid np with invalid rua", "v=DMARC1; p=none; np=x; rua=bogus", ErrInvalidPolicy, 18},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRecord(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseRecord(%q) = %v, %v; want %v", tt.in, r, err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Offset != tt.offset {
				t.Errorf("ParseRecord(%q) error %v: want offset %d", tt.in, err, tt.offset)
			}
			if r != nil {
				t.Errorf("ParseRecord(%q) returned a record with an error", tt.in)
			}
		})
	}
}

func TestRecordDefaults(t *testing.T) {
	// RFC 9989 §4.7 defaults: adkim/aspf r, fo 0, psd u, t n; RFC 7489
	// §6.3: pct 100, ri 86400; an absent p acts as none.
	r, err := ParseRecord("v=DMARC1")
	if err != nil {
		t.Fatal(err)
	}
	if r.DKIMMode() != AlignmentRelaxed || r.SPFMode() != AlignmentRelaxed || r.Options() != FailureOptionsAll || r.IsTesting() ||
		r.Percent() != 100 || r.Interval() != 86400 || r.EffectivePolicy() != PolicyNone {
		t.Errorf("defaults wrong: %+v", r)
	}
	// pct=0 is not the default.
	r, _ = ParseRecord("v=DMARC1; pct=0; ri=0")
	if r.Percent() != 0 || r.Interval() != 0 {
		t.Errorf("pct=0 ri=0 gave %d %d", r.Percent(), r.Interval())
	}
	// An invalid pct falls back to 100 (RFC 9989 §4.8 defaults).
	r, _ = ParseRecord("v=DMARC1; pct=abc")
	if r.Percent() != 100 {
		t.Errorf("invalid pct gave %d", r.Percent())
	}
}

func TestPolicyFor(t *testing.T) {
	tests := []struct {
		rec     string
		kind    DomainKind
		want    Policy
		wantTag Tag
	}{
		{"v=DMARC1; p=reject", DomainKindPolicyDomain, PolicyReject, TagP},
		{"v=DMARC1; p=reject", DomainKindSubdomain, PolicyReject, TagP},   // §4.7 sp absent: p
		{"v=DMARC1; p=reject", DomainKindNonexistent, PolicyReject, TagP}, // §4.7 np and sp absent: p
		{"v=DMARC1; p=reject; sp=none", DomainKindSubdomain, PolicyNone, TagSP},
		{"v=DMARC1; p=reject; sp=none", DomainKindNonexistent, PolicyNone, TagSP}, // §4.7 np absent: sp
		{"v=DMARC1; p=reject; sp=none", DomainKindPolicyDomain, PolicyReject, TagP},
		{"v=DMARC1; p=none; np=reject", DomainKindNonexistent, PolicyReject, TagNP},
		{"v=DMARC1; p=none; np=reject", DomainKindSubdomain, PolicyNone, TagP},
		{"v=DMARC1; p=none; np=reject", DomainKindPolicyDomain, PolicyNone, TagP}, // np only for subdomains: the policy domain gets p
		// §4.10.1: an invalid sp with a valid rua: the whole record acts as p=none.
		{"v=DMARC1; p=reject; sp=bad; rua=mailto:a@example.org", DomainKindPolicyDomain, PolicyNone, TagP},
		{"v=DMARC1; rua=mailto:a@example.org", DomainKindSubdomain, PolicyNone, TagP},
	}
	for _, tt := range tests {
		r, err := ParseRecord(tt.rec)
		if err != nil {
			t.Fatal(err)
		}
		p, tag := r.policyFor(tt.kind)
		if p != tt.want || tag != tt.wantTag || r.PolicyFor(tt.kind) != tt.want {
			t.Errorf("%q %s: got %v from %v, want %v from %v", tt.rec, tt.kind, p, tag, tt.want, tt.wantTag)
		}
	}
}

func TestRecordString(t *testing.T) {
	tests := []struct {
		rec  Record
		want string
	}{
		{Record{}, "v=DMARC1"},
		{Record{Policy: PolicyReject, AggregateURIs: []URI{{Address: "mailto:d@example.org"}}}, "v=DMARC1; p=reject; rua=mailto:d@example.org"},
		{Record{Policy: PolicyQuarantine, SubdomainPolicy: PolicyNone, NonexistentPolicy: PolicyReject, DKIMAlignment: AlignmentStrict, SPFAlignment: AlignmentRelaxed,
			PSD: PSDNo, Testing: TestingYes, FailureOptions: FailureOptionsAny | FailureOptionsDKIM, FailureURIs: []URI{{Address: "mailto:f@example.org", Size: "1m"}}},
			"v=DMARC1; p=quarantine; sp=none; np=reject; adkim=s; aspf=r; psd=n; t=y; ruf=mailto:f@example.org!1m; fo=1:d"},
		{Record{Pct: 20, ReportInterval: 3600, ReportFormat: "afrf"}, "v=DMARC1; pct=20; rf=afrf; ri=3600"},
		{Record{Explicit: TagSet(TagPct)}, "v=DMARC1; pct=0"},
	}
	for _, tt := range tests {
		if got := tt.rec.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
		if _, err := ParseRecord(tt.rec.String()); err != nil {
			t.Errorf("ParseRecord(%q): %v", tt.rec.String(), err)
		}
	}
}

func TestURI(t *testing.T) {
	tests := []struct {
		uri   URI
		valid bool
		host  string
		max   uint64
		maxOK bool
	}{
		{URI{Address: "mailto:a@example.org"}, true, "example.org", 0, false},
		{URI{Address: "MAILTO:a@Example.ORG?subject=x"}, true, "example.org", 0, false},
		{URI{Address: "mailto:a@bücher.example", Size: "10k"}, false, "xn--bcher-kva.example", 10 << 10, true},
		{URI{Address: "https://user@r.example.net:8443/p?q", Size: "1t"}, true, "r.example.net", 1 << 40, true},
		{URI{Address: "mailto:a%2Cb@example.org", Size: "99999999999999999999g"}, true, "example.org", 0, false},
		{URI{Address: "mailto:a@example.org", Size: "18446744073709551615g"}, true, "example.org", 1<<64 - 1, true},
		{URI{Address: "a@example.org"}, false, "", 0, false},
		{URI{Address: "mailto:nobody"}, false, "", 0, false},
		{URI{Address: "mailto:a@b,c"}, false, "b,c", 0, false},
		{URI{Address: "mailto:a@example.org!x"}, false, "", 0, false},
		{URI{Address: "mailto:a b@example.org"}, false, "example.org", 0, false},
		{URI{Address: "ftp://x.example"}, true, "", 0, false},
		{URI{Address: "1x:y"}, false, "", 0, false},
		{URI{Address: "mailto:a@example.org%zz"}, false, "", 0, false},
		{URI{}, false, "", 0, false},
	}
	for _, tt := range tests {
		err := tt.uri.Check()
		if (err == nil) != tt.valid {
			t.Errorf("%q Check() = %v, want valid %v", tt.uri, err, tt.valid)
		}
		if tt.host != "" {
			if h, _ := tt.uri.Host(); h != tt.host && tt.valid {
				t.Errorf("%q Host() = %q, want %q", tt.uri, h, tt.host)
			}
		}
		n, ok := tt.uri.MaxBytes()
		if n != tt.max || ok != tt.maxOK {
			t.Errorf("%q MaxBytes() = %d %v, want %d %v", tt.uri, n, ok, tt.max, tt.maxOK)
		}
	}
}

func TestStrings(t *testing.T) {
	got := []string{
		PolicyUnset.String(), PolicyNone.String(), PolicyQuarantine.String(), PolicyReject.String(),
		AlignmentUnset.String(), AlignmentRelaxed.String(), AlignmentStrict.String(),
		PSDUnset.String(), PSDYes.String(), PSDNo.String(), PSDUnknown.String(),
		TestingUnset.String(), TestingYes.String(), TestingNo.String(),
		FailureOptions(0).String(), (FailureOptionsAll | FailureOptionsAny | FailureOptionsDKIM | FailureOptionsSPF).String(),
		TagP.String(), TagRI.String(), Tag(0).String(),
		ModeRFC9989.String(), ModeRFC7489.String(),
		SourceNone.String(), SourceAuthor.String(), SourceOrganizational.String(), SourcePSD.String(),
		DiscoveryStatusNone.String(), DiscoveryStatusFound.String(), DiscoveryStatusTempError.String(), DiscoveryStatusPermError.String(),
		AuthResult(200).String(),
		CodeNone.String(), CodePass.String(), CodeFail.String(), CodeTempError.String(), CodePermError.String(),
		DispositionNone.String(), DispositionQuarantine.String(), DispositionReject.String(),
		MethodSPF.String(), MethodDKIM.String(),
		DestinationStatusInternal.String(), DestinationStatusAuthorized.String(), DestinationStatusUnauthorized.String(),
		DestinationStatusTempError.String(), DestinationStatusInvalid.String(),
		SeverityInfo.String(), SeverityWarning.String(), SeverityError.String(),
	}
	want := []string{
		"", "none", "quarantine", "reject",
		"", "r", "s",
		"", "y", "n", "u",
		"", "y", "n",
		"", "0:1:d:s",
		"p", "ri", "",
		"RFC 9989", "RFC 7489",
		"none", "author", "organizational", "psd",
		"none", "found", "temperror", "permerror",
		"none",
		"none", "pass", "fail", "temperror", "permerror",
		"none", "quarantine", "reject",
		"spf", "dkim",
		"internal", "authorized", "unauthorized", "temperror", "invalid",
		"info", "warning", "error",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("String methods (-want +got):\n%s", diff)
	}
	r := &Record{FailureOptions: FailureOptionsDKIM, FailureURIs: []URI{{Address: "mailto:f@example.org"}}}
	if r.Options() != FailureOptionsDKIM {
		t.Error("Options with fo set")
	}
}

// TestTagByName checks the lookup's switch against a case-insensitive
// comparison with every name in tagNames (RFC 9989 §4.8 tag names are
// case-insensitive), over all one- and two-byte strings, every case
// variant of the names and near misses.
func TestTagByName(t *testing.T) {
	want := func(s string) Tag {
		for i, n := range tagNames {
			if equalFoldASCII(s, n) {
				return 1 << i
			}
		}
		return 0
	}
	check := func(s string) {
		if got, w := tagByName(s), want(s); got != w {
			t.Errorf("tagByName(%q) = %v, want %v", s, got, w)
		}
	}
	check("")
	for a := 0; a < 256; a++ {
		check(string([]byte{byte(a)}))
		for b := 0; b < 256; b++ {
			check(string([]byte{byte(a), byte(b)}))
		}
	}
	for _, n := range tagNames {
		for mask := 0; mask < 1<<len(n); mask++ {
			b := []byte(n)
			for i := range b {
				if mask&(1<<i) != 0 {
					b[i] -= 'a' - 'A'
				}
			}
			check(string(b))
			for i := range b { // one byte off: a non-letter or a neighbour
				for _, c := range []byte{b[i] ^ 0x20 ^ 0x40, b[i] + 1, b[i]&^0x20 | 0x40, '@', '`', '_', '0'} {
					bb := append([]byte(nil), b...)
					bb[i] = c
					check(string(bb))
				}
			}
			check(string(b) + "x")
		}
	}
}

// TestURIErrorNamesNonASCII checks that a non-ASCII character in a
// reporting URI is named as the character, not as its first byte.
func TestURIErrorNamesNonASCII(t *testing.T) {
	err := URI{Address: "mailto:é@example.org"}.Check()
	if err == nil || !strings.Contains(err.Error(), `non-ASCII character 'é' at offset 7`) {
		t.Errorf("Check() = %v", err)
	}
}
