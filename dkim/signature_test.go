package dkim

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseSignature(t *testing.T) {
	const base = "v=1; a=rsa-sha256; d=example.org; s=sel; h=from:to; bh=YQ==; b=YWI="
	with := func(old, new string) string { return strings.Replace(base, old, new, 1) }
	tests := []struct {
		name string
		in   string
		want func(*Signature) bool
		tag  string // tag of the expected error; "-" for none
	}{
		{"minimal, defaults (§3.5)", base, func(s *Signature) bool {
			return s.HeaderCanon == CanonicalizationSimple && s.BodyCanon == CanonicalizationSimple && s.BodyLength == -1 && s.AUID() == "@example.org" &&
				string(s.BodyHash) == "a" && string(s.Value) == "ab" && slices.Equal(s.Headers, []string{"from", "to"})
		}, "-"},
		{"c=relaxed alone is relaxed/simple (§3.5)", base + "; c=relaxed", func(s *Signature) bool {
			return s.HeaderCanon == CanonicalizationRelaxed && s.BodyCanon == CanonicalizationSimple
		}, "-"},
		{"c=simple/relaxed", base + "; c=simple/relaxed", func(s *Signature) bool {
			return s.HeaderCanon == CanonicalizationSimple && s.BodyCanon == CanonicalizationRelaxed
		}, "-"},
		{"folded b= with spaces (degenerate folding)", with("b=YWI=", "b=Y W\r\n\tI ="), func(s *Signature) bool { return string(s.Value) == "ab" }, "-"},
		{"Exim folding d=test.ex CRLF TAB ;", "v=1; a=ed25519-sha256; d=test.ex\r\n\t; s=sed; h=from; bh=YQ==; b=YWI=", func(s *Signature) bool { return s.Domain == "test.ex" && s.Selector == "sed" }, "-"},
		{"h= with FWS", with("h=from:to", "h=From : To\r\n :subject"), func(s *Signature) bool { return slices.Equal(s.Headers, []string{"From", "To", "subject"}) }, "-"},
		{"i= subdomain of d=", base + "; i=joe@football.example.org", func(s *Signature) bool { return s.AUID() == "joe@football.example.org" }, "-"},
		{"i= quoted-printable", base + "; i=j=3Doe@example.org", func(s *Signature) bool { return s.Identity == "j=oe@example.org" }, "-"},
		{"t=, x=, l=, q=, z=", base + "; t=100; x=200; l=5; q=dns/txt; z=From:a|To:b", func(s *Signature) bool {
			return s.Timestamp.Equal(time.Unix(100, 0)) && s.Expiration.Equal(time.Unix(200, 0)) && s.BodyLength == 5 && s.CopiedHeaders == "From:a|To:b"
		}, "-"},
		{"unknown tags ignored", base + "; foo=bar", nil, "-"},
		{"rsa-sha1 parses (rejected at verification)", with("rsa-sha256", "rsa-sha1"), func(s *Signature) bool { return s.Algorithm == AlgorithmRSASHA1 }, "-"},
		{"§3.5 v=: must be 1", with("v=1", "v=2"), nil, "v"},
		{"§3.5 a=: unknown", with("rsa-sha256", "rsa-md5"), nil, "a"},
		{"§3.5 c=: unknown", base + "; c=fancy/simple", nil, "c"},
		{"§6.1.1: bh= required", with("bh=YQ==; ", ""), nil, "bh"},
		{"§6.1.1: s= required", with("s=sel; ", ""), nil, "s"},
		{"§6.1.1: v= required", with("v=1; ", ""), nil, "v"},
		{"§5.4: h= must include From", with("h=from:to", "h=to:subject"), nil, "h"},
		{"§3.5 i=: outside d=", base + "; i=joe@example.com", nil, "i"},
		{"§3.5 i=: look-alike domain", base + "; i=joe@badexample.org", nil, "i"},
		{"§3.5 i=: no @", base + "; i=joe", nil, "i"},
		{"§3.5 x=: not after t=", base + "; t=200; x=100", nil, "x"},
		{"§3.5 t=: over 12 digits", base + "; t=1234567890123", nil, "t"},
		{"§3.5 l=: not a number", base + "; l=-1", nil, "l"},
		{"§3.5 q=: no dns/txt", base + "; q=http", nil, "q"},
		{"§3.5 d=: invalid character", with("d=example.org", "d=legitimate.com(.attacker.com"), nil, "d"},
		{"§3.5 d=: empty label", with("d=example.org", "d=example..org"), nil, "d"},
		{"§3.5 s=: invalid", with("s=sel", "s=se/l"), nil, "s"},
		{"§3.2: duplicate tag", base + "; d=example.org", nil, "d"},
		{"bad base64 in b=", with("b=YWI=", "b=Y!I="), nil, "b"},
		{"tag-list syntax", base + ";; x=1", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := ParseSignature(tt.in)
			if tt.tag != "-" {
				var se *SignatureError
				if !errors.As(err, &se) || se.Tag != tt.tag || !errors.Is(err, ErrSignatureSyntax) {
					t.Fatalf("ParseSignature(%q) = %v, want an error on tag %q", tt.in, err, tt.tag)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSignature(%q): %v", tt.in, err)
			}
			if tt.want != nil && !tt.want(sig) {
				t.Errorf("ParseSignature(%q) = %+v", tt.in, sig)
			}
		})
	}
}

// TestParseSignatureKeepsDomain: d= and s= are reported even when a later
// tag is bad, so that a permerror names the signer.
func TestParseSignatureKeepsDomain(t *testing.T) {
	sig, err := ParseSignature("v=1; a=rsa-md5; d=example.org; s=sel; h=from; bh=; b=")
	if err == nil || sig == nil || sig.Domain != "example.org" || sig.Selector != "sel" {
		t.Errorf("%v %+v", err, sig)
	}
}

func TestSignatureString(t *testing.T) {
	in := " v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.org; s=sel; i=@example.org; q=dns/txt; l=0; t=1; x=2; h=from:to; z=x; bh=YQ==; b=YWI="
	sig, err := ParseSignature(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := sig.String(); got != strings.TrimSpace(in) {
		t.Errorf("String = %q", got)
	}
	for _, a := range []Algorithm{AlgorithmRSASHA256, AlgorithmEd25519SHA256, AlgorithmRSASHA1, 0} {
		_ = a.String()
	}
	if Canonicalization(0).String() != "unset" {
		t.Error("zero Canonicalization")
	}
}

// TestParseDigitsBounds: l=, t= and x= values up to 2^63-1 parse; one more
// is too large, not a wrapped-around number.
func TestParseDigitsBounds(t *testing.T) {
	for _, tt := range []struct {
		in   string
		max  int
		want int64
		ok   bool
	}{
		{"0", 12, 0, true},
		{"000123", 12, 123, true},
		{"9223372036854775807", 76, 1<<63 - 1, true},
		{"9223372036854775808", 76, 0, false},
		{"99999999999999999999", 76, 0, false},
		{"1234567890123", 12, 0, false}, // more digits than max
		{"", 12, 0, false},
		{"12a", 12, 0, false},
		{"-1", 12, 0, false},
	} {
		got, ok := parseDigits(tt.in, tt.max)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseDigits(%q, %d) = %d, %v; want %d, %v", tt.in, tt.max, got, ok, tt.want, tt.ok)
		}
	}
}
