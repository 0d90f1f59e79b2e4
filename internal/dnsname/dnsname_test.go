package dnsname

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"Example.ORG.", "example.org", false},
		{"example.org", "example.org", false},
		{"_dmarc.Example.org", "_dmarc.example.org", false},
		{"s1._domainkey.example.org", "s1._domainkey.example.org", false},
		{"bücher.example", "xn--bcher-kva.example", false},
		{"BÜCHER.example", "xn--bcher-kva.example", false},
		{"", "", true},
		{"exa mple.org", "", true},
		{"example.org\n", "", true},
		{"a\x00b.example", "", true},
		{".", "", true},
		{"a..b", "", true},
		{strings.Repeat("a", 64) + ".example", "", true},
		{strings.Repeat("a", 63) + ".example", strings.Repeat("a", 63) + ".example", false},
		{strings.Repeat("abcdefghi.", 25) + "abc", strings.Repeat("abcdefghi.", 25) + "abc", false}, // 253 octets
		{strings.Repeat("abcdefghi.", 25) + "abcd", "", true},                                       // 254 octets
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		var de *Error
		if err != nil && !errors.As(err, &de) {
			t.Errorf("Normalize(%q) error %T is not *Error", tt.in, err)
		}
	}
}

func TestCanonicalDoesNotAllocate(t *testing.T) {
	n := testing.AllocsPerRun(100, func() { _ = Canonical("mail.example.org") })
	if n != 0 {
		t.Errorf("Canonical allocated %v times on a canonical name", n)
	}
	if got := Canonical("Mail.Example.ORG."); got != "mail.example.org" {
		t.Errorf("Canonical = %q", got)
	}
}

func TestIsSubdomain(t *testing.T) {
	tests := []struct {
		child, parent string
		want          bool
	}{
		{"mail.example.org", "example.org", true},
		{"example.org", "example.org", true},
		{"Mail.Example.org.", "example.ORG", true},
		{"badexample.org", "example.org", false},
		{"org", "example.org", false},
		{"a.b", "", true},
	}
	for _, tt := range tests {
		if got := IsSubdomain(tt.child, tt.parent); got != tt.want {
			t.Errorf("IsSubdomain(%q, %q) = %v", tt.child, tt.parent, got)
		}
	}
}

func TestLabelsParentEqual(t *testing.T) {
	if Labels("a.b.c.") != 3 || Labels("") != 0 || Labels("a") != 1 {
		t.Error("Labels")
	}
	if Parent("a.b.c") != "b.c" || Parent("c") != "" {
		t.Error("Parent")
	}
	if !Equal("A.b.", "a.B") || Equal("a.b", "a.c") {
		t.Error("Equal")
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"example.org", "Bücher.example.", "a..b", "_x._y.z", "xn--bcher-kva.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Normalize(s)
		if err != nil {
			return
		}
		// Idempotent: a normalised name normalises to itself.
		n2, err := Normalize(n)
		if err != nil || n2 != n {
			t.Fatalf("Normalize(%q) = %q, but Normalize(%q) = %q, %v", s, n, n, n2, err)
		}
		if len(n) > MaxName {
			t.Fatalf("normalised name longer than %d: %q", MaxName, n)
		}
	})
}

func TestIsAddr(t *testing.T) {
	for s, want := range map[string]bool{
		"192.0.2.1": true, "2001:db8::1": true, "::ffff:192.0.2.1": true,
		"192.0.2.1.": false, "example.org": false, "a.123": false, "": false, "1.2.3": false,
	} {
		if got := IsAddr(s); got != want {
			t.Errorf("IsAddr(%q) = %v, want %v", s, got, want)
		}
		if want && !MaybeAddr(s) {
			t.Errorf("MaybeAddr(%q) = false for an address", s)
		}
	}
	if n := testing.AllocsPerRun(100, func() { IsAddr("mail.example.org") }); n != 0 {
		t.Errorf("IsAddr allocated %v times on a name", n)
	}
}

// TestNormalizeLookupRules checks the IDNA profile: RFC 5891 §5 lookup
// rules as UTS #46 applies them, the RFC 5893 Bidi rule included, with
// underscores allowed (RFC 8616 §3: U-labels become A-labels before lookup).
func TestNormalizeLookupRules(t *testing.T) {
	tests := []struct {
		name, in, want string
		err            error
	}{
		{"U-label to A-label", "bücher.example", "xn--bcher-kva.example", nil},
		{"A-label kept", "xn--bcher-kva.example", "xn--bcher-kva.example", nil},
		{"mixed U-label and A-label", "xn--bcher-kva.bücher.example", "xn--bcher-kva.xn--bcher-kva.example", nil},
		{"nontransitional sharp s", "ß.example", "xn--zca.example", nil},
		{"right-to-left label", "\u05d0\u05d1.example", "xn--4dbc.example", nil},
		{"underscore label beside a U-label", "_dmarc.bücher.example", "_dmarc.xn--bcher-kva.example", nil},
		{"ideographic full stop maps to a dot", "bücher\u3002example", "xn--bcher-kva.example", nil},
		{"Bidi rule: left-to-right then right-to-left", "a\u05d0.example", "", ErrIDNA},
		{"leading combining mark", "\u0301a.example", "", ErrIDNA},
		{"hyphen at the end of a U-label", "bücher-.example", "", ErrIDNA},
		{"zero width joiner without context", "b\u200dcher.example", "", ErrIDNA},
		{"disallowed line separator", "x\u2028y.example", "", ErrIDNA},
		{"bad punycode beside a U-label", "xn--zz.bücher.example", "", ErrIDNA},
		{"empty", "", "", ErrEmpty},
	}
	// Past MaxUTF8Name octets a name with U-labels is refused before IDNA;
	// just under it, a long name is refused by IDNA or the length check.
	for _, n := range []int{MaxUTF8Name + 1, 1 << 18} {
		in := strings.Repeat("\u00fc", n/2) + ".example"
		if _, err := Normalize(in); err == nil || !strings.Contains(err.Error(), "with U-labels") {
			t.Errorf("Normalize of %d octets with U-labels: %v", len(in), err)
		}
	}
	if _, err := Normalize(strings.Repeat("\u00fc", 100) + ".example"); err == nil || strings.Contains(err.Error(), "with U-labels") {
		t.Errorf("Normalize of a 208-octet U-label name: %v, want the IDNA or length error", err)
	}
	// The cut-off is not a proof: the lookup mapping deletes U+00AD, so
	// padding with it maps to example.org at any length; MaxUTF8Name
	// octets of it pass, one more character is refused.
	for _, tt := range []struct {
		pads int
		ok   bool
	}{{(MaxUTF8Name - len("example.org")) / 2, true}, {(MaxUTF8Name-len("example.org"))/2 + 1, false}} {
		in := "ex" + strings.Repeat("\u00ad", tt.pads) + "ample.org"
		got, err := Normalize(in)
		if tt.ok && (err != nil || got != "example.org") {
			t.Errorf("Normalize of %d octets padded with U+00AD = %q, %v; want example.org", len(in), got, err)
		}
		if !tt.ok && (err == nil || !strings.Contains(err.Error(), "with U-labels")) {
			t.Errorf("Normalize of %d octets padded with U+00AD: %v, want the MaxUTF8Name refusal", len(in), err)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("Normalize(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
			}
			var de *Error
			if err != nil && (!errors.As(err, &de) || de.Name != tt.in) {
				t.Errorf("Normalize(%q) error %#v does not name the input", tt.in, err)
			}
		})
	}
}
