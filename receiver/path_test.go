package receiver

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Path
	}{
		{"null", "<>", Path{Null: true}},
		{"empty is null", "", Path{Null: true}},
		{"null with white space", " <> ", Path{Null: true}},
		{"bracketed", "<bounce@mail.example.org>", Path{Local: "bounce", Domain: "mail.example.org"}},
		{"bare mailbox", "bounce@mail.example.org", Path{Local: "bounce", Domain: "mail.example.org"}},
		{"dot-string", "<a.b+tag@Example.ORG>", Path{Local: "a.b+tag", Domain: "Example.ORG"}},
		{"atext specials", "<!#$%&'*+-/=?^_`{|}~@example.org>", Path{Local: "!#$%&'*+-/=?^_`{|}~", Domain: "example.org"}},
		// RFC 5321 §4.1.2: a quoted local part may hold '@'; the domain is after the last.
		{"quoted local part with @", `<"a@b"@mail.example.org>`, Path{Local: `"a@b"`, Domain: "mail.example.org"}},
		{"quoted local part with space and pair", `<"a b\"c"@example.org>`, Path{Local: `"a b\"c"`, Domain: "example.org"}},
		{"empty quoted local part", `<""@example.org>`, Path{Local: `""`, Domain: "example.org"}},
		// RFC 5321 §4.1.2 and Appendix C: the source route is ignored.
		{"source route", "<@a.example,@b.example:user@d.example>", Path{Local: "user", Domain: "d.example"}},
		{"one-hop source route", "<@a.example:user@d.example>", Path{Local: "user", Domain: "d.example"}},
		{"IPv4 literal", "<user@[192.0.2.1]>", Path{Local: "user", Domain: "[192.0.2.1]"}},
		{"IPv6 literal", "<user@[IPv6:2001:db8::1]>", Path{Local: "user", Domain: "[IPv6:2001:db8::1]"}},
		{"general literal", "<user@[x-tag:abc]>", Path{Local: "user", Domain: "[x-tag:abc]"}},
		// RFC 6531: UTF-8 local parts and U-labels.
		{"UTF-8", "<jöran@bücher.example>", Path{Local: "jöran", Domain: "bücher.example"}},
		{"single label domain", "<user@localhost>", Path{Local: "user", Domain: "localhost"}},
		{"63-octet label", "<u@" + strings.Repeat("a", 63) + ".example>", Path{Local: "u", Domain: strings.Repeat("a", 63) + ".example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParsePath(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			again, err := ParsePath(got.String())
			if err != nil || again != got {
				t.Fatalf("ParsePath(%q) = %+v, %v; want %+v", got.String(), again, err, got)
			}
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	long := "<" + strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61) + ">"
	tests := []struct {
		name   string
		in     string
		offset int
		err    error
	}{
		{"no @", "<user>", 5, ErrPathSyntax},
		{"no closing bracket", "<user@example.org", 17, ErrPathSyntax},
		{"space in local part", "<a b@example.org>", 2, ErrPathSyntax},
		{"empty local part", "<@example.org>", 13, ErrPathSyntax},
		{"leading dot", "<.a@example.org>", 1, ErrPathSyntax},
		{"double dot", "<a..b@example.org>", 3, ErrPathSyntax},
		{"trailing dot in local part", "<a.@example.org>", 3, ErrPathSyntax},
		{"unterminated quote", `<"ab@example.org>`, 16, ErrPathSyntax},
		{"control in quote", "<\"a\x01\"@example.org>", 3, ErrPathSyntax},
		{"bad quoted pair", "<\"a\\\x01\"@example.org>", 4, ErrPathSyntax},
		{"empty domain", "<user@>", 6, ErrPathSyntax},
		{"empty label", "<user@a..example>", 8, ErrPathSyntax},
		{"trailing dot in domain", "<user@example.org.>", 18, ErrPathSyntax},
		{"hyphen at label start", "<user@-a.example>", 8, ErrPathSyntax},
		{"underscore", "<user@a_b.example>", 7, ErrPathSyntax},
		{"64-octet label", "<u@" + strings.Repeat("a", 64) + ".example>", 67, ErrPathSyntax},
		{"bad IPv4 literal", "<u@[192.0.2.256]>", 3, ErrPathSyntax},
		{"general literal without content", "<u@[x-tag:]>", 3, ErrPathSyntax},
		{"IPv6 tag with IPv4", "<u@[IPv6:192.0.2.1]>", 3, ErrPathSyntax},
		{"unterminated literal", "<u@[192.0.2.1>", 3, ErrPathSyntax},
		{"source route without colon", "<@a.example,user@d.example>", 12, ErrPathSyntax},
		{"ESMTP parameter", "<u@example.org> SIZE=100", 24, ErrPathSyntax},
		{"stray after domain", "u@example.org>", 13, ErrPathSyntax},
		{"invalid UTF-8", "<a\xff@example.org>", 2, ErrPathSyntax},
		{"C1 control", "<a\u0085@example.org>", 2, ErrPathSyntax},
		// RFC 5321 §4.5.3.1.3: 256 octets with the brackets; one more fails.
		{"257 octets", long[:len(long)-2] + "dd>", 256, ErrPathTooLong},
	}
	if len(long) != 256 {
		t.Fatalf("test path has %d octets, want 256", len(long))
	}
	if _, err := ParsePath(long); err != nil {
		t.Fatalf("a path of 256 octets: %v", err)
	}
	// A bare mailbox counts with the brackets String adds.
	if _, err := ParsePath(long[1 : len(long)-1]); err != nil {
		t.Fatalf("a bare mailbox of 254 octets: %v", err)
	}
	if _, err := ParsePath(long[1:len(long)-1] + "d"); !errors.Is(err, ErrPathTooLong) {
		t.Fatalf("a bare mailbox of 255 octets: %v, want ErrPathTooLong", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			var pe *PathError
			if !errors.As(err, &pe) {
				t.Fatalf("ParsePath(%q) = %+v, %v; want a *PathError", tt.in, got, err)
			}
			if !errors.Is(err, tt.err) || pe.Offset != tt.offset {
				t.Fatalf("ParsePath(%q): %v (offset %d); want %v at offset %d", tt.in, err, pe.Offset, tt.err, tt.offset)
			}
		})
	}
}

func TestCheckerMaxPathLength(t *testing.T) {
	c := &Checker{MaxPathLength: 10}
	if _, err := c.ParsePath("<a@b.example>"); !errors.Is(err, ErrPathTooLong) {
		t.Fatalf("13 octets with MaxPathLength 10: %v, want ErrPathTooLong", err)
	}
	if _, err := c.ParsePath("<a@b.exa>"); err != nil {
		t.Fatalf("9 octets with MaxPathLength 10: %v", err)
	}
}

func TestPathErrorCutsLongInput(t *testing.T) {
	_, err := ParsePath("<" + strings.Repeat("a", 1000) + ">")
	var pe *PathError
	if !errors.As(err, &pe) || len(pe.Path) != 64 {
		t.Fatalf("got %v; want a *PathError with the input cut to 64 octets", err)
	}
}
