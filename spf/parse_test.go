package spf

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		class  error
		term   int
		offset int
	}{
		// RFC 7208 §4.5: not an SPF record at all.
		{"not spf: other version", "v=spf10", ErrNotSPF, -1, 0},
		{"not spf: no space", "v=spf1a", ErrNotSPF, -1, 0},
		{"not spf: empty", "", ErrNotSPF, -1, 0},
		{"not spf: sender id", "spf2.0/pra -all", ErrNotSPF, -1, 0},
		// §3.1, §12: US-ASCII, SP-separated.
		{"invalid char: CR", "v=spf1 a:x.example.com\rptr -all", ErrInvalidChar, 0, 22},
		{"invalid char: LF", "v=spf1 ip4:192.0.2.5\n include:x.example -all", ErrInvalidChar, 0, 20},
		{"invalid char: non-ASCII", "v=spf1 \x80a:example.net -all", ErrInvalidChar, 0, 7},
		{"invalid char: NUL", "v=spf1 a:foo.example.com\x00", ErrInvalidChar, 0, 24},
		// §4.6.1, §12: unknown mechanisms and malformed modifiers.
		{"unknown mechanism", "v=spf1 ip4:1.2.3.4 -all moo", ErrUnknownTerm, 2, 24},
		{"modifier name starts with digit", "v=spf1 1up=foo", ErrUnknownTerm, 0, 7},
		{"empty modifier name", "v=spf1 =all", ErrUnknownTerm, 0, 7},
		{"modifier name with slash", "v=spf1 moo.cow/far_out=man:dog/cat", ErrUnknownTerm, 0, 7},
		{"redirect with colon", "v=spf1 redirect:t2.example.com", ErrUnknownTerm, 0, 7},
		{"qualified modifier", "v=spf1 -redirect=x.example.com", ErrUnknownTerm, 0, 8},
		// §5.1, §5.5, §5.2: arguments a mechanism does not take.
		{"all with dot", "v=spf1 -all.", ErrUnknownTerm, 0, 8},
		{"all with domain", "v=spf1 -all:foobar", ErrUnexpectedArg, 0, 11},
		{"all with cidr", "v=spf1 -all/8", ErrUnexpectedArg, 0, 11},
		{"ptr with cidr", "v=spf1 ptr/0 -all", ErrUnexpectedArg, 0, 10},
		{"exists with cidr only", "v=spf1 exists/24", ErrUnexpectedArg, 0, 13},
		// Missing arguments.
		{"include without domain", "v=spf1 include -all", ErrMissingArg, 0, 14},
		{"include empty domain", "v=spf1 include: -all", ErrMissingArg, 0, 15},
		{"exists bare", "v=spf1 exists", ErrMissingArg, 0, 13},
		{"a empty domain", "v=spf1 a:", ErrMissingArg, 0, 9},
		{"ptr empty domain", "v=spf1 ptr:", ErrMissingArg, 0, 11},
		{"ip4 bare", "v=spf1 ip4", ErrMissingArg, 0, 10},
		{"ip6 bare", "v=spf1 -all ip6", ErrMissingArg, 1, 15},
		{"exp empty", "v=spf1 exp= -all", ErrMissingArg, 0, 11},
		{"redirect empty", "v=spf1 ?all redirect=", ErrMissingArg, 1, 21},
		// §5.6: addresses.
		{"ip4 short", "v=spf1 ip4:1.2.3", ErrBadAddress, 0, 11},
		{"ip4 with port", "v=spf1 ip4:1.2.3.4:8080", ErrBadAddress, 0, 11},
		{"ip4 given IPv6", "v=spf1 ip4:2001:db8::1", ErrBadAddress, 0, 11},
		{"ip6 given IPv4", "v=spf1 ip6:192.0.2.1", ErrBadAddress, 0, 11},
		{"ip6 malformed", "v=spf1 ip6::CAFE::BABE", ErrBadAddress, 0, 11},
		{"ip6 with zone", "v=spf1 ip6:fe80::1%eth0", ErrBadAddress, 0, 11},
		{"ip4 leading zero", "v=spf1 ip4:192.0.2.01", ErrBadAddress, 0, 11},
		// §5.6 ip4-cidr-length / ip6-cidr-length / dual-cidr-length.
		{"ip4 cidr 33", "v=spf1 ip4:1.2.3.4/33 -all", ErrBadCIDR, 0, 18},
		{"ip4 cidr leading zero", "v=spf1 ip4:1.2.3.4/032 -all", ErrBadCIDR, 0, 18},
		{"ip4 dual cidr", "v=spf1 ip4:1.2.3.4//32", ErrBadCIDR, 0, 18},
		{"ip4 empty cidr", "v=spf1 ip4:1.2.3.4/", ErrBadCIDR, 0, 18},
		{"ip6 cidr 129", "v=spf1 ip6:::1.1.1.1/129", ErrBadCIDR, 0, 20},
		{"ip6 dual cidr", "v=spf1 ip6:::1.1.1.1//33", ErrBadCIDR, 0, 20},
		{"a cidr4 33", "v=spf1 a/33 -all", ErrBadCIDR, 0, 8},
		{"a cidr6 129", "v=spf1 a//129 -all", ErrBadCIDR, 0, 9},
		{"a cidr4 then single-slash cidr", "v=spf1 a/24/64 -all", ErrBadCIDR, 0, 8},
		{"mx cidr6 129", "v=spf1 mx//129 -all", ErrBadCIDR, 0, 10},
		{"mx domain cidr 33", "v=spf1 mx:example.com/33", ErrBadCIDR, 0, 21},
		// §7.1 domain-end.
		{"domain no dot", "v=spf1 a:museum", ErrBadDomain, 0, 9},
		{"domain no dot trailing dot", "v=spf1 a:museum.", ErrBadDomain, 0, 9},
		{"domain numeric toplabel", "v=spf1 a:abc.123", ErrBadDomain, 0, 13},
		{"domain literal IP", "v=spf1 a:111.222.33.44", ErrBadDomain, 0, 20},
		{"domain bad toplabel", "v=spf1 a:example.-com", ErrBadDomain, 0, 17},
		{"domain with port", "v=spf1 a:example.com:8080", ErrBadDomain, 0, 17},
		{"domain toplabel too short", "v=spf1 a:foo-bar", ErrBadDomain, 0, 9},
		{"domain empty label", "v=spf1 a:mail.example...com -all", ErrBadDomain, 0, 9},
		{"domain label over 63", "v=spf1 a:" + strings.Repeat("a", 64) + ".example.com -all", ErrBadDomain, 0, 9},
		{"include with cidr", "v=spf1 include:ip5.example.com/24 -all", ErrBadDomain, 0, 27},
		{"exists with cidr", "v=spf1 exists:mail.example.com/24", ErrBadDomain, 0, 27},
		{"redirect to -all", "v=spf1 redirect=-all ?all", ErrBadDomain, 0, 16},
		// §7.1, §7.3 macros.
		{"macro paren", "v=spf1 -exists:%(ir).sbl.example.com ?all", ErrBadMacro, 0, 15},
		{"macro lone percent", "v=spf1 exists:foo%.sbl.example.com ?all", ErrBadMacro, 0, 17},
		{"macro percent at end", "v=spf1 a:x.example.com%", ErrBadMacro, 0, 22},
		{"macro unknown letter", "v=spf1 a:%{a}.example.com -all", ErrBadMacro, 0, 11},
		{"macro r letter in domain", "v=spf1 -all exp=%{r}.example.com", ErrBadMacro, 1, 18},
		{"macro c letter in domain", "v=spf1 a:%{c}.example.com", ErrBadMacro, 0, 11},
		{"macro t letter in domain", "v=spf1 a:%{t}.example.com", ErrBadMacro, 0, 11},
		{"macro zero digits", "v=spf1 a:%{d0}.example.com", ErrBadMacro, 0, 12},
		{"macro bad delimiter", "v=spf1 a:%{d2r:}.example.com", ErrBadMacro, 0, 14},
		{"macro unterminated", "v=spf1 a:%{d", ErrBadMacro, 0, 9},
		{"macro empty", "v=spf1 a:%{}.example.com", ErrBadMacro, 0, 11},
		{"unknown modifier bad macro", "v=spf1 -all foo=%abc", ErrBadMacro, 1, 16},
		// §6: modifiers at most once.
		{"exp twice", "v=spf1 exp=a.example.com -all exp=b.example.com", ErrDuplicateModifier, 2, 30},
		{"redirect twice", "v=spf1 redirect=a.example.com -all Redirect=b.example.com", ErrDuplicateModifier, 2, 35},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRecord(tt.in)
			if err == nil {
				t.Fatalf("ParseRecord(%q) = %v, want error %v", tt.in, r, tt.class)
			}
			if !errors.Is(err, tt.class) {
				t.Fatalf("ParseRecord(%q) error %v, want class %v", tt.in, err, tt.class)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not *ParseError", err)
			}
			if pe.Term != tt.term || pe.Offset != tt.offset {
				t.Errorf("ParseRecord(%q): term %d offset %d, want term %d offset %d (%v)", tt.in, pe.Term, pe.Offset, tt.term, tt.offset, err)
			}
			if !strings.HasPrefix(err.Error(), "spf: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := ParseRecord("v=spf1 mx ip4:1.2.3.4/33")
	want := `spf: term 1 "ip4:1.2.3.4/33" at offset 21: bad prefix length "/33" (at most 32, no leading zeros)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		in, canonical string
		terms         []Term
	}{
		{"v=spf1", "v=spf1", []Term{}},
		{"V=SpF1 ~ALL", "v=spf1 ~all", []Term{{Kind: KindAll, Qualifier: QualifierSoftFail}}},
		// §4.5 trailing and repeated spaces (record = version terms *SP).
		{"v=spf1 a  -all ", "v=spf1 a -all", []Term{{Kind: KindA, Qualifier: QualifierPass}, {Kind: KindAll, Qualifier: QualifierFail}}},
		{"v=spf1 +mx:Example.COM/24//64", "v=spf1 mx:Example.COM/24//64", []Term{{Kind: KindMX, Qualifier: QualifierPass, Domain: "Example.COM", V4Len: 24, HasV4Len: true, V6Len: 64, HasV6Len: true}}},
		{"v=spf1 a//0", "v=spf1 a//0", []Term{{Kind: KindA, Qualifier: QualifierPass, HasV6Len: true}}},
		{"v=spf1 ip4:192.0.2.1/32 ip4:192.0.2.0/24", "v=spf1 ip4:192.0.2.1 ip4:192.0.2.0/24", []Term{
			{Kind: KindIP4, Qualifier: QualifierPass, Net: netip.MustParsePrefix("192.0.2.1/32")},
			{Kind: KindIP4, Qualifier: QualifierPass, Net: netip.MustParsePrefix("192.0.2.0/24")},
		}},
		{"v=spf1 ip6:Cafe:Babe:8000::/33 ?ip6:::FFFF:1.2.3.4", "v=spf1 ip6:cafe:babe:8000::/33 ?ip6:::ffff:1.2.3.4", []Term{
			{Kind: KindIP6, Qualifier: QualifierPass, Net: netip.MustParsePrefix("cafe:babe:8000::/33")},
			{Kind: KindIP6, Qualifier: QualifierNeutral, Net: netip.PrefixFrom(netip.MustParseAddr("::ffff:1.2.3.4"), 128)},
		}},
		// §7.1: a domain-spec may hold ':' and '/' (the suite's a-colon-domain).
		{"v=spf1 a:foo:bar/baz.example.com", "v=spf1 a:foo:bar/baz.example.com", []Term{{Kind: KindA, Qualifier: QualifierPass, Domain: "foo:bar/baz.example.com"}}},
		{"v=spf1 a:foo.example.xn--zckzah", "v=spf1 a:foo.example.xn--zckzah", []Term{{Kind: KindA, Qualifier: QualifierPass, Domain: "foo.example.xn--zckzah"}}},
		{"v=spf1 include:o.spf.example.com.", "v=spf1 include:o.spf.example.com.", []Term{{Kind: KindInclude, Qualifier: QualifierPass, Domain: "o.spf.example.com."}}},
		{"v=spf1 exists:%{i}._spf.%{d}", "v=spf1 exists:%{i}._spf.%{d}", []Term{{Kind: KindExists, Qualifier: QualifierPass, Domain: "%{i}._spf.%{d}"}}},
		{"v=spf1 a:macro%%percent%_%_space%-url-space.example.com", "v=spf1 a:macro%%percent%_%_space%-url-space.example.com", []Term{{Kind: KindA, Qualifier: QualifierPass, Domain: "macro%%percent%_%_space%-url-space.example.com"}}},
		// §6: unknown modifiers are kept; redirect and exp are case-insensitive.
		{"v=spf1 moo.cow-far_out=man:dog/cat default=+ EXP=x.example.com", "v=spf1 moo.cow-far_out=man:dog/cat default=+ exp=x.example.com", []Term{
			{Kind: KindUnknownModifier, Name: "moo.cow-far_out", Value: "man:dog/cat"},
			{Kind: KindUnknownModifier, Name: "default", Value: "+"},
			{Kind: KindExp, Domain: "x.example.com"},
		}},
		{"v=spf1 empty=", "v=spf1 empty=", []Term{{Kind: KindUnknownModifier, Name: "empty"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseRecord(tt.in)
			if err != nil {
				t.Fatalf("ParseRecord(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(r.Terms, tt.terms) {
				t.Errorf("ParseRecord(%q).Terms =\n%+v\nwant\n%+v", tt.in, r.Terms, tt.terms)
			}
			if got := r.String(); got != tt.canonical {
				t.Errorf("String() = %q, want %q", got, tt.canonical)
			}
			r2, err := ParseRecord(r.String())
			if err != nil || !reflect.DeepEqual(r, r2) {
				t.Errorf("round trip: %v, %+v", err, r2)
			}
		})
	}
}

func TestBuildRecord(t *testing.T) {
	r := &Record{Terms: []Term{
		Mechanism(0, KindMX, ""),
		IP(QualifierPass, netip.MustParsePrefix("192.0.2.0/24")),
		IP(QualifierPass, netip.MustParsePrefix("2001:db8::/32")),
		Mechanism(QualifierPass, KindInclude, "amazonses.com"),
		Mechanism(QualifierSoftFail, KindAll, ""),
	}}
	const want = "v=spf1 mx ip4:192.0.2.0/24 ip6:2001:db8::/32 include:amazonses.com ~all"
	if got := r.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if err := r.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	bad := &Record{Terms: []Term{Mechanism(QualifierPass, KindInclude, "")}}
	if err := bad.Validate(); !errors.Is(err, ErrMissingArg) {
		t.Errorf("Validate of include without domain: %v, want ErrMissingArg", err)
	}
	if r.Redirect() != nil || r.Exp() != nil {
		t.Error("Redirect/Exp of a record without them")
	}
}

func TestKindAndCodeStrings(t *testing.T) {
	for k := KindAll; k <= KindUnknownModifier; k++ {
		if s := k.String(); strings.HasPrefix(s, "Kind(") {
			t.Errorf("Kind %d has no name", k)
		}
	}
	if s := Kind(99).String(); s != "Kind(99)" {
		t.Errorf("Kind(99) = %q", s)
	}
	want := []string{"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"}
	for i, w := range want {
		if got := Code(i).String(); got != w {
			t.Errorf("Code(%d) = %q, want %q", i, got, w)
		}
	}
	if QualifierSoftFail.Code() != CodeSoftFail || QualifierNeutral.Code() != CodeNeutral || QualifierFail.Code() != CodeFail || Qualifier(0).Code() != CodePass {
		t.Error("Qualifier.Code mapping")
	}
}

func TestIsSPF(t *testing.T) {
	for in, want := range map[string]bool{
		"v=spf1": true, "v=spf1 -all": true, "V=SPF1 a": true,
		"v=spf10": false, "v=spf1-all": false, " v=spf1": false, "v=spf": false, "": false,
	} {
		if got := IsSPF(in); got != want {
			t.Errorf("IsSPF(%q) = %v", in, got)
		}
	}
}

// FuzzFastPaths checks ParseRecord's fast paths against the general code:
// parseIPv4 against netip.ParseAddr, and literalSpecOK against the full
// domain-spec checks (RFC 7208 §7.1), which it must never contradict.
func FuzzFastPaths(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4",
		"1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.", ".1.2.3", "1.2.3.4/24", "::1", "1.2.3.0004",
		"ip4:192.0.2.1", "-ip4:192.0.2.0/24", "IP4:1.2.3.4/32", "ip4:1.2.3.4/33", "ip4:1.2.3.4/024", "?ip4:1.2.3.4//24",
		"example.com", "example.com.", "a.b-c", "a.-b", "a.1", "a..b", ".a", "com", "%{d}.x", "a.b%",
		strings.Repeat("a", 64) + ".com", strings.Repeat("a.", 127) + "com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := parseIPv4(s)
		if slow, err := netip.ParseAddr(s); ok && (err != nil || slow != fast) {
			t.Errorf("parseIPv4(%q) = %v; netip.ParseAddr gives %v, %v", s, fast, slow, err)
		} else if !ok && err == nil && slow.Is4() {
			t.Errorf("parseIPv4(%q) refused an address netip.ParseAddr accepts", s)
		}
		for i := 0; i < len(s); i++ {
			if s[i] < 0x21 || s[i] > 0x7e {
				return // ParseRecord rejects the term before domain-spec checks
			}
		}
		if s == "" {
			return
		}
		if strings.IndexByte(s, ' ') < 0 && strings.IndexByte(s, '=') < 0 {
			var fast, full Term
			colon, slash := strings.IndexByte(s, ':'), strings.IndexByte(s, '/')
			if ip4Term(&fast, s, colon, slash) {
				p := termParser{rec: s, text: s, bad: -1, eq: -1, colon: colon, slash: slash}
				if err := p.parse(&full); err != nil || fast != full {
					t.Errorf("ip4Term(%q) = %+v; parse gives %+v, %v", s, fast, full, err)
				}
			}
		}
		p := termParser{rec: s, text: s}
		if literalSpecOK(s) {
			if err := p.domainSpecFull(s, 0); err != nil {
				t.Errorf("literalSpecOK(%q) but full check: %v", s, err)
			}
		} else if strings.IndexByte(s, '%') < 0 && p.domainSpecFull(s, 0) == nil {
			t.Errorf("literalSpecOK(%q) refused a domain-spec the full check accepts", s)
		}
	})
}

func TestByteClass(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := classOrdinary
		switch {
		case c == ' ':
			want = classSpace
		case c < 0x21 || c > 0x7e:
			want = classInvalid
		case c == '=':
			want = classEq
		case c == ':':
			want = classColon
		case c == '/':
			want = classSlash
		}
		if got := int(byteClass[c]); got != want {
			t.Errorf("byteClass[%#x] = %d, want %d", c, got, want)
		}
	}
}
