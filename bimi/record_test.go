package bimi

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRecord(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Record
		err  error
	}{
		{"location only", "v=BIMI1; l=https://example.com/logo.svg",
			&Record{Location: "https://example.com/logo.svg"}, nil},
		{"location and evidence", "v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem;",
			&Record{Location: "https://example.com/logo.svg", Evidence: "https://example.com/vmc.pem", HasEvidence: true}, nil},
		// §4.3.1.
		{"declination", "v=BIMI1; l=; a=;", &Record{HasEvidence: true}, nil},
		{"declination without a", "v=BIMI1; l=", &Record{}, nil},
		{"declination with lps (§4.3.1)", "v=BIMI1; l=; a=; lps=brand-indicators-;",
			&Record{HasEvidence: true, HasLPS: true, LocalPartPrefixes: []string{"brand-indicators-"}}, nil},
		{"empty lps", "v=BIMI1; l=https://example.com/l.svg; lps=", &Record{Location: "https://example.com/l.svg", HasLPS: true}, nil},
		{"lps list with spaces (§4.5)", "v=BIMI1; l=https://example.com/l.svg; lps = brand-one-noreply , brand-two-noreply",
			&Record{Location: "https://example.com/l.svg", HasLPS: true, LocalPartPrefixes: []string{"brand-one-noreply", "brand-two-noreply"}}, nil},
		{"avp personal", "v=BIMI1; l=https://example.com/l.svg; avp=personal",
			&Record{Location: "https://example.com/l.svg", AvatarPreference: "personal"}, nil},
		{"avp invalid kept", "v=BIMI1; l=https://example.com/l.svg; avp=Brand",
			&Record{Location: "https://example.com/l.svg", AvatarPreference: "Brand"}, nil},
		{"unknown tag kept", "v=BIMI1; l=https://example.com/l.svg; x=1; s=q",
			&Record{Location: "https://example.com/l.svg", Unknown: []TagValue{{"x", "1"}, {"s", "q"}}}, nil},
		{"whitespace around tags", "v = BIMI1 ;l= https://example.com/l.svg ;",
			&Record{Location: "https://example.com/l.svg"}, nil},
		{"port and query", "v=BIMI1; l=https://img.example.com:8443/l.svg?v=2",
			&Record{Location: "https://img.example.com:8443/l.svg?v=2"}, nil},

		{"not bimi", "v=spf1 -all", nil, ErrNotBIMI},
		{"version case (§4.3: exact)", "v=bimi1; l=", nil, ErrNotBIMI},
		{"version not first", "l=https://example.com/l.svg; v=BIMI1", nil, ErrNotBIMI},
		{"BIMI2", "v=BIMI2; l=", nil, ErrNotBIMI},
		{"empty", "", nil, ErrNotBIMI},
		{"no l", "v=BIMI1; a=https://example.com/vmc.pem", nil, ErrMissingLocation},
		{"upper-case L is not l (§4.3: no fixing)", "v=BIMI1; L=https://example.com/l.svg", nil, ErrMissingLocation},
		{"http location", "v=BIMI1; l=http://example.com/l.svg", nil, ErrInvalidValue},
		{"http evidence", "v=BIMI1; l=; a=http://example.com/v.pem", nil, ErrInvalidValue},
		{"two locations (-12: one URI)", "v=BIMI1; l=https://a.example/1.svg,https://a.example/2.svg", nil, ErrInvalidValue},
		{"IP host", "v=BIMI1; l=https://192.0.2.1/l.svg", nil, ErrInvalidValue},
		{"single-label host", "v=BIMI1; l=https://localhost/l.svg", nil, ErrInvalidValue},
		{"no host", "v=BIMI1; l=https:///l.svg", nil, ErrInvalidValue},
		{"userinfo", "v=BIMI1; l=https://u:p@example.com/l.svg", nil, ErrInvalidValue},
		{"lps underscore", "v=BIMI1; l=; lps=a_b", nil, ErrInvalidValue},
		{"lps empty item", "v=BIMI1; l=; lps=a,,b", nil, ErrInvalidValue},
		{"lps 64 chars", "v=BIMI1; l=; lps=" + string(make64('a')), nil, ErrInvalidValue},
		{"duplicate l", "v=BIMI1; l=; l=", nil, ErrDuplicateTag},
		{"duplicate v", "v=BIMI1; v=BIMI1; l=", nil, ErrDuplicateTag},
		{"duplicate unknown", "v=BIMI1; l=; x=1; x=2", nil, ErrDuplicateTag},
		{"missing =", "v=BIMI1; l", nil, ErrSyntax},
		{"empty tag-spec", "v=BIMI1;; l=", nil, ErrSyntax},
		{"over MaxRecordBytes", "v=BIMI1; l=; x=" + string(make([]byte, MaxRecordBytes)), nil, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRecord(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParseRecord(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseRecord(%q) (-want +got):\n%s", tt.in, diff)
			}
			if got == nil {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Record != tt.in {
					t.Errorf("error %v is not a *ParseError for the input", err)
				}
				return
			}
			again, err := ParseRecord(got.String())
			if err != nil {
				t.Fatalf("ParseRecord(%q) (String of %q): %v", got.String(), tt.in, err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("round trip of %q via %q (-first +second):\n%s", tt.in, got.String(), diff)
			}
		})
	}
}

func make64(c byte) []byte {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return b
}

// TestParseRecordMaxRecordBytes: exactly MaxRecordBytes parses.
func TestParseRecordMaxRecordBytes(t *testing.T) {
	s := "v=BIMI1; l=; x="
	s += string(make64('a'))
	for len(s) < MaxRecordBytes {
		s += "a"
	}
	if _, err := ParseRecord(s); err != nil {
		t.Fatalf("%d bytes: %v", len(s), err)
	}
	if _, err := ParseRecord(s + "a"); !errors.Is(err, ErrSyntax) {
		t.Fatalf("%d bytes: %v", len(s)+1, err)
	}
}

func TestRecordString(t *testing.T) {
	tests := []struct {
		r    Record
		want string
	}{
		{Record{Location: "https://example.com/l.svg"}, "v=BIMI1; l=https://example.com/l.svg"},
		{Record{HasEvidence: true}, "v=BIMI1; l=; a="},
		{Record{Location: "https://e.example/l.svg", Evidence: "https://e.example/v.pem", LocalPartPrefixes: []string{"a", "b"}, AvatarPreference: "personal", Unknown: []TagValue{{"z", "9"}}},
			"v=BIMI1; l=https://e.example/l.svg; a=https://e.example/v.pem; lps=a,b; avp=personal; z=9"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestRecordMethods(t *testing.T) {
	r, err := ParseRecord("v=BIMI1; l=https://e.example/l.svg; avp=personal")
	if err != nil {
		t.Fatal(err)
	}
	if r.Avatar() != AvatarPersonal || r.IsDeclination() {
		t.Errorf("Avatar %v, declination %v", r.Avatar(), r.IsDeclination())
	}
	r.AvatarPreference = "bogus" // ignored (§4.3): the default applies
	if r.Avatar() != AvatarBrand || r.Avatar().String() != "brand" {
		t.Errorf("invalid avp: Avatar %v", r.Avatar())
	}
}

func TestNormalizeLocalPart(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"brand-one-noreply", "brand-one-noreply", true},
		{"Brand.One_NoReply", "brand-one-noreply", true},
		{"news+tag", "news", true},
		{"a.._b", "a-b", true},
		{"._a_.", "a", true},
		{"a-.b", "a-b", true},
		{"über", "", false},
		{"a!b", "", false},
		{"+x", "", false},
		{string(make64('a')), "", false},
		{string(make64('a')[:63]), string(make64('a')[:63]), true},
	}
	for _, tt := range tests {
		got, ok := NormalizeLocalPart(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeLocalPart(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMatchesLocalPart(t *testing.T) {
	r := &Record{HasLPS: true, LocalPartPrefixes: []string{"brand-indicators-", "News"}}
	for sel, want := range map[string]bool{"brand-indicators-x": true, "news-eu": true, "brand": false, "other": false} {
		if got := r.MatchesLocalPart(sel); got != want {
			t.Errorf("MatchesLocalPart(%q) = %v", sel, got)
		}
	}
	if !(&Record{HasLPS: true}).MatchesLocalPart("anything") {
		t.Error("empty lps= must match every local-part")
	}
	if (&Record{}).MatchesLocalPart("anything") {
		t.Error("no lps= must match nothing")
	}
}

func TestLint(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"v=BIMI1; l=https://e.example/l.svg; a=https://e.example/v.pem", nil},
		{"v=BIMI1; l=; a=;", []string{FindingDeclined}},
		{"v=BIMI1; l=https://e.example/l.svg", []string{FindingNoEvidence}},
		{"v=BIMI1; l=; a=https://e.example/v.pem", []string{FindingNoLocation}},
		{"v=BIMI1; l=https://e.example/l.svg; a=https://e.example/v.pem; avp=x; q=1", []string{FindingAvatarInvalid, FindingUnknownTag}},
	}
	for _, tt := range tests {
		r, err := ParseRecord(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, codes(r.Lint("default._bimi.e.example"))); diff != "" {
			t.Errorf("Lint(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
