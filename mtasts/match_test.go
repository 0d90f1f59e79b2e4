package mtasts

import (
	"slices"
	"testing"

	"github.com/domainauth/domainauth"
)

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		name, pattern, host string
		want                bool
	}{
		{"§4.1 exact", "mail.example.com", "mail.example.com", true},
		{"§4.1 wildcard matches one label", "*.example.com", "mail.example.com", true},
		{"§4.1 wildcard not the bare domain", "*.example.com", "example.com", false},
		{"§4.1 wildcard not two labels", "*.example.com", "foo.bar.example.com", false},
		{"§4.1 case-insensitive host", "mail.example.com", "MAIL.Example.COM", true},
		{"§4.1 case-insensitive pattern", "*.EXAMPLE.com", "mx1.example.COM", true},
		{"§4.1 MX name with trailing dot", "mail.example.com", "mail.example.com.", true},
		{"§4.1 wildcard, trailing dot", "*.example.com", "mx.example.com.", true},
		{"§4.1 different name", "mail.example.com", "mail.example.net", false},
		{"§4.1 suffix is not a match", "example.com", "mail.example.com", false},
		{"§4.1 label boundary", "*.example.com", "mailexample.com", false},
		{"§4.1 empty first label", "*.example.com", ".example.com", false},
		{"§4.1 a literal * host is not a wildcard", "mail.example.com", "*.example.com", false},
		{"empty host", "*.example.com", "", false},
		{"root host", "*.example.com", ".", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchPattern(tt.pattern, tt.host); got != tt.want {
				t.Errorf("MatchPattern(%q, %q) = %v, want %v", tt.pattern, tt.host, got, tt.want)
			}
		})
	}
}

func TestPolicyMatches(t *testing.T) {
	p, err := ParsePolicy(rfcPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if pat, ok := p.Matches("mx7.example.net."); !ok || pat != "*.example.net" {
		t.Errorf("Matches(mx7.example.net.) = %q, %v", pat, ok)
	}
	if _, ok := p.Matches("a.b.example.net"); ok {
		t.Error("Matches(a.b.example.net) = true")
	}
}

type codeSev struct {
	Code  string
	Sev   domainauth.Severity
	Where string
}

func codes(fs []domainauth.Finding) []codeSev {
	var out []codeSev
	for _, f := range fs {
		out = append(out, codeSev{f.Code, f.Severity, f.Where})
	}
	return out
}

func TestCheckMX(t *testing.T) {
	const where = ".well-known/mta-sts.txt"
	tests := []struct {
		name   string
		policy string
		mx     []string
		want   []codeSev
	}{
		{"all covered", rfcPolicy, []string{"mail.example.com.", "mx1.example.net.", "backupmx.example.com."}, nil},
		{"§5 enforce: uncovered MX is an error", rfcPolicy, []string{"mail.example.com.", "mx.other.org."},
			[]codeSev{{FindingMXNotCovered, domainauth.SeverityError, "mx.other.org"}, {FindingPatternUnused, domainauth.SeverityInfo, "mx: *.example.net"}, {FindingPatternUnused, domainauth.SeverityInfo, "mx: backupmx.example.com"}}},
		{"§4.1 wildcard covers one label only", "version: STSv1\nmode: enforce\nmx: *.example.net\nmax_age: 604800\n", []string{"a.b.example.net"},
			[]codeSev{{FindingMXNotCovered, domainauth.SeverityError, "a.b.example.net"}, {FindingPatternUnused, domainauth.SeverityInfo, "mx: *.example.net"}}},
		{"§5 testing: uncovered MX is a warning", "version: STSv1\nmode: testing\nmx: a.example\nmax_age: 604800\n", []string{"a.example", "b.example"},
			[]codeSev{{FindingMXNotCovered, domainauth.SeverityWarning, "b.example"}, {FindingModeTesting, domainauth.SeverityInfo, where}}},
		{"§5 none: nothing required", "version: STSv1\nmode: none\nmax_age: 86400\n", []string{"b.example"},
			[]codeSev{{FindingModeNone, domainauth.SeverityInfo, where}}},
		{"null MX under enforce", rfcPolicy, []string{"."},
			[]codeSev{{FindingNullMX, domainauth.SeverityWarning, where}}},
		{"no MX", rfcPolicy, nil, []codeSev{{FindingNoMX, domainauth.SeverityWarning, where}}},
		{"§10.2 short max_age", "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 3600\n", []string{"a.example"},
			[]codeSev{{FindingMaxAgeShort, domainauth.SeverityWarning, "max_age: 3600"}}},
		{"§3.2 duplicates and extensions", "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 86400\nmode: testing\nfoo: bar\n", []string{"a.example"},
			[]codeSev{{FindingDuplicateField, domainauth.SeverityWarning, "mode: testing"}, {FindingUnknownField, domainauth.SeverityInfo, "foo: bar"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolicy(tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			fs := CheckMX(p, tt.mx)
			if got := codes(fs); !slices.Equal(got, tt.want) {
				t.Errorf("CheckMX(%v) = %v, want %v", tt.mx, got, tt.want)
			}
			for _, f := range fs {
				if f.Message == "" || f.RFC == "" {
					t.Errorf("finding without message or RFC: %+v", f)
				}
			}
		})
	}
}
