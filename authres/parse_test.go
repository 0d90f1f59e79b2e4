package authres

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var equateEmpty = cmpopts.EquateEmpty()

func prop(t, n, v string) Property { return Property{Type: t, Name: n, Value: v} }

// TestParse covers the grammar of RFC 8601 §2.2 with fields that every
// mode accepts; each case is parsed with the zero Parser and the Strict one.
func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Results
	}{
		{
			name: "B.1 no-result with version (§2.2 no-result)",
			in:   "Authentication-Results: example.org 1; none",
			want: Results{AuthServID: "example.org", Version: 1},
		},
		{
			name: "no-result without version",
			in:   "example.org; none",
			want: Results{AuthServID: "example.org"},
		},
		{
			name: "no-result keyword is case-insensitive",
			in:   "example.org;NONE",
			want: Results{AuthServID: "example.org"},
		},
		{
			name: "B.2 one method",
			in:   "example.com;\r\n          spf=pass smtp.mailfrom=example.net",
			want: Results{AuthServID: "example.com", Methods: []MethodResult{
				{Method: "spf", Result: ResultPass, Props: []Property{prop("smtp", "mailfrom", "example.net")}},
			}},
		},
		{
			name: "B.3 comment and address value",
			in:   "example.com;\r\n auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n spf=pass smtp.mailfrom=example.net",
			want: Results{AuthServID: "example.com", Methods: []MethodResult{
				{Method: "auth", Result: ResultPass, Props: []Property{prop("smtp", "auth", "sender@example.net")}},
				{Method: "spf", Result: ResultPass, Props: []Property{prop("smtp", "mailfrom", "example.net")}},
			}},
		},
		{
			name: "B.3 policy ptype (§2.4)",
			in:   "example.com; iprev=pass\r\n\tpolicy.iprev=192.0.2.200",
			want: Results{AuthServID: "example.com", Methods: []MethodResult{
				{Method: "iprev", Result: ResultPass, Props: []Property{prop("policy", "iprev", "192.0.2.200")}},
			}},
		},
		{
			name: "B.5 reason quoted and local-part-less address",
			in: "example.com;\r\n      dkim=pass reason=\"good signature\"\r\n        header.i=@mail-router.example.net;\r\n" +
				"      dkim=fail reason=\"bad signature\"\r\n        header.i=@newyork.example.com",
			want: Results{AuthServID: "example.com", Methods: []MethodResult{
				{Method: "dkim", Result: ResultPass, Reason: "good signature", Props: []Property{prop("header", "i", "@mail-router.example.net")}},
				{Method: "dkim", Result: ResultFail, Reason: "bad signature", Props: []Property{prop("header", "i", "@newyork.example.com")}},
			}},
		},
		{
			name: "B.7 comments everywhere the grammar allows CFWS",
			in: "Authentication-Results: foo.example.net (foobar) 1 (baz);\r\n" +
				"    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n" +
				"      policy (A dot can go here) . (like that) expired\r\n" +
				"      (this surprised me) = (as I wasn't expecting it) 1362471462",
			want: Results{AuthServID: "foo.example.net", Version: 1, Methods: []MethodResult{
				{Method: "dkim", MethodVersion: 1, Result: ResultFail, Props: []Property{prop("policy", "expired", "1362471462")}},
			}},
		},
		{
			name: "nested comments and quoted pairs in comments",
			in:   "(lead (in (deep)) \\) ) example.org (a \\( b); spf=pass (x (y) z) smtp.mailfrom=example.org (t)",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "spf", Result: ResultPass, Props: []Property{prop("smtp", "mailfrom", "example.org")}},
			}},
		},
		{
			name: "quoted authserv-id",
			in:   `"my auth service"; dkim=none`,
			want: Results{AuthServID: "my auth service", Methods: []MethodResult{{Method: "dkim", Result: ResultNone}}},
		},
		{
			name: "keywords lower-cased, values keep case",
			in:   "Example.ORG; DKIM=Pass Header.D=Example.COM",
			want: Results{AuthServID: "Example.ORG", Methods: []MethodResult{
				{Method: "dkim", Result: ResultPass, Props: []Property{prop("header", "d", "Example.COM")}},
			}},
		},
		{
			name: "unknown method, result and ptype kept as given",
			in:   "example.org; x-frob=maybe reason=why body.frob=1 x-thing.k=v",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "x-frob", Result: "maybe", Reason: "why", Props: []Property{prop("body", "frob", "1"), prop("x-thing", "k", "v")}},
			}},
		},
		{
			name: "quoted values with escapes, empty quoted value",
			in:   `example.org; spf=neutral smtp.mailfrom="" smtp.helo="a \"b\" \\ c"`,
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "spf", Result: ResultNeutral, Props: []Property{prop("smtp", "mailfrom", ""), prop("smtp", "helo", `a "b" \ c`)}},
			}},
		},
		{
			name: "address with quoted local part kept as written",
			in:   `example.org; spf=pass smtp.mailfrom="a b"@example.org`,
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "spf", Result: ResultPass, Props: []Property{prop("smtp", "mailfrom", `"a b"@example.org`)}},
			}},
		},
		{
			name: "quoted value followed directly by a property",
			in:   `example.org; dkim=pass header.d="example.org"header.s=sel`,
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "dkim", Result: ResultPass, Props: []Property{prop("header", "d", "example.org"), prop("header", "s", "sel")}},
			}},
		},
		{
			name: "escaped UTF-8 character in a quoted string (RFC 6532)",
			in:   "example.org; dkim=fail reason=\"caf\\é\"",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{{Method: "dkim", Result: ResultFail, Reason: "café"}}},
		},
		{
			name: "folded quoted string loses the line end, keeps the white space",
			in:   "example.org; dkim=fail reason=\"bad\r\n signature\"",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{{Method: "dkim", Result: ResultFail, Reason: "bad signature"}}},
		},
		{
			name: "UTF-8 authserv-id and address (§1.5.2)",
			in:   "例え.jp; spf=pass smtp.mailfrom=ユーザー@例え.jp",
			want: Results{AuthServID: "例え.jp", Methods: []MethodResult{
				{Method: "spf", Result: ResultPass, Props: []Property{prop("smtp", "mailfrom", "ユーザー@例え.jp")}},
			}},
		},
		{
			name: "trailing CRLF belongs to the field",
			in:   "example.org; arc=none\r\n",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{{Method: "arc", Result: ResultNone}}},
		},
		{
			name: "field name with white space before the colon",
			in:   "authentication-results : example.org; dmarc=pass header.from=example.org",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "dmarc", Result: ResultPass, Props: []Property{prop("header", "from", "example.org")}},
			}},
		},
		{
			name: "special-smtp-verb rcptto",
			in:   "example.org; x=pass smtp.rcptto=a@example.org",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "x", Result: ResultPass, Props: []Property{prop("smtp", "rcptto", "a@example.org")}},
			}},
		},
		{
			name: "method version and authres version with leading zero",
			in:   "example.org 01; dkim/2=pass",
			want: Results{AuthServID: "example.org", Version: 1, Methods: []MethodResult{{Method: "dkim", MethodVersion: 2, Result: ResultPass}}},
		},
	}
	for _, tt := range tests {
		for _, strict := range []bool{false, true} {
			p := Parser{Strict: strict}
			got, err := p.Parse(tt.in)
			if err != nil {
				t.Errorf("%s (strict=%v): Parse(%q): %v", tt.name, strict, tt.in, err)
				continue
			}
			if d := cmp.Diff(&tt.want, got, equateEmpty); d != "" {
				t.Errorf("%s (strict=%v): Parse(%q) (-want +got):\n%s", tt.name, strict, tt.in, d)
			}
		}
	}
}

// TestParseTolerances checks each documented tolerance: accepted by the
// zero Parser with the result shown, rejected by a Strict one.
func TestParseTolerances(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   Results
		strict string // substring of the strict error
	}{
		{
			name: "1 no authserv-id (ARF report)",
			in:   "Authentication-Results: dmarc=fail (p=none, dis=none) header.from=domain.de",
			want: Results{Methods: []MethodResult{
				{Method: "dmarc", Result: ResultFail, Props: []Property{prop("header", "from", "domain.de")}},
			}},
			strict: `a method without an authserv-id`,
		},
		{
			name:   "1 no authserv-id, method version",
			in:     "dkim/1=pass",
			want:   Results{Methods: []MethodResult{{Method: "dkim", MethodVersion: 1, Result: ResultPass}}},
			strict: `a method without an authserv-id`,
		},
		{
			name: "2 authserv-id among the statements (Exchange Online)",
			in:   "spf=pass smtp.mailfrom=a.example; mx.example.net; dkim=pass header.d=a.example;mx.example.net; dmarc=pass",
			want: Results{AuthServID: "mx.example.net", Methods: []MethodResult{
				{Method: "spf", Result: ResultPass, Props: []Property{prop("smtp", "mailfrom", "a.example")}},
				{Method: "dkim", Result: ResultPass, Props: []Property{prop("header", "d", "a.example")}},
				{Method: "dmarc", Result: ResultPass},
			}},
			strict: `a method without an authserv-id`,
		},
		{
			name: "2 repeated authserv-id is skipped",
			in:   "mx.example.net; spf=pass; MX.example.net; dkim=none",
			want: Results{AuthServID: "mx.example.net", Methods: []MethodResult{
				{Method: "spf", Result: ResultPass}, {Method: "dkim", Result: ResultNone},
			}},
			strict: `expected "=" after method "MX.example.net"`,
		},
		{
			name:   "3 trailing semicolon",
			in:     "example.org; spf=pass;",
			want:   Results{AuthServID: "example.org", Methods: []MethodResult{{Method: "spf", Result: ResultPass}}},
			strict: `expected a method or "none" after ";"`,
		},
		{
			name:   "3 empty statement",
			in:     "example.org;; spf=pass",
			want:   Results{AuthServID: "example.org", Methods: []MethodResult{{Method: "spf", Result: ResultPass}}},
			strict: `expected a method or "none" after ";"`,
		},
		{
			name: "4 property without ptype",
			in:   "example.org; dmarc=fail action=oreject header.from=example.org",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "dmarc", Result: ResultFail, Props: []Property{prop("", "action", "oreject"), prop("header", "from", "example.org")}},
			}},
			strict: `found "action"= without a ptype`,
		},
		{
			name: "4 reason after the properties",
			in:   "example.org; dkim=fail header.d=example.org reason=\"bad\"",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "dkim", Result: ResultFail, Reason: "bad", Props: []Property{prop("header", "d", "example.org")}},
			}},
			strict: `reason= must come once, before the properties`,
		},
		{
			name: "5 IPv6 address unquoted",
			in:   "example.org; iprev=pass policy.iprev=2001:db8::1",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "iprev", Result: ResultPass, Props: []Property{prop("policy", "iprev", "2001:db8::1")}},
			}},
			strict: `value "2001:db8::1" is neither a token`,
		},
		{
			name: "5 base64 fragment unquoted",
			in:   "example.org; dkim=pass header.b=ab/c+d=",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "dkim", Result: ResultPass, Props: []Property{prop("header", "b", "ab/c+d=")}},
			}},
			strict: `value "ab/c+d=" is neither a token`,
		},
		{
			name: "5 single-label domain in an address",
			in:   "example.org; spf=pass smtp.mailfrom=a@localhost",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "spf", Result: ResultPass, Props: []Property{prop("smtp", "mailfrom", "a@localhost")}},
			}},
			strict: `value "a@localhost" is neither a token`,
		},
		{
			name: "5 reason that is not a token",
			in:   "example.org; dkim=fail reason=key:short",
			want: Results{AuthServID: "example.org", Methods: []MethodResult{
				{Method: "dkim", Result: ResultFail, Reason: "key:short"},
			}},
			strict: `reason "key:short" is neither a token nor a quoted string`,
		},
		{
			name:   "6 bare LF folding",
			in:     "example.org;\n\tspf=pass",
			want:   Results{AuthServID: "example.org", Methods: []MethodResult{{Method: "spf", Result: ResultPass}}},
			strict: `line feed without carriage return`,
		},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("%s: Parse(%q): %v", tt.name, tt.in, err)
		} else if d := cmp.Diff(&tt.want, got, equateEmpty); d != "" {
			t.Errorf("%s: Parse(%q) (-want +got):\n%s", tt.name, tt.in, d)
		}
		p := Parser{Strict: true}
		_, err = p.Parse(tt.in)
		if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), tt.strict) {
			t.Errorf("%s: strict Parse(%q) = %v, want ErrSyntax containing %q", tt.name, tt.in, err, tt.strict)
		}
	}
}

// TestParseErrors checks that malformed fields give a *ParseError with
// the sentinel, the offset and what was expected.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		err    error
		offset int
		msg    string
	}{
		{"empty", "", ErrSyntax, 0, "expected an authserv-id, found end of field"},
		{"name only", "Authentication-Results:", ErrSyntax, 23, "expected an authserv-id"},
		{"§2.2 authserv-id alone needs none or a result", "example.org", ErrSyntax, 11, `expected "; none" or at least one method`},
		{"§2.2 no-result must stand alone", "example.org; none; spf=pass", ErrSyntax, 17, `expected end of field after "none"`},
		{"§2.2 method needs =", "example.org; spf pass", ErrSyntax, 17, `expected "=" after method "spf", found 'p'`},
		{"§2.2 result is required", "example.org; spf=", ErrSyntax, 17, `method "spf": expected a result keyword, found end of field`},
		{"§2.2 result is a Keyword", "example.org; spf=\"pass\"", ErrSyntax, 17, `expected a result keyword, found '"'`},
		{"§2.2 method is a Keyword", "example.org; sp_f=pass", ErrSyntax, 15, `method "sp": expected "=", found '_'`},
		{"§2.2 method-version is digits", "example.org; dkim/x=pass", ErrSyntax, 18, "expected a method-version (digits)"},
		{"§2.2 property needs a name after the dot", "example.org; spf=pass smtp.=x", ErrSyntax, 27, `expected a property name after "smtp."`},
		{"§2.2 property needs =", "example.org; spf=pass smtp.mailfrom x", ErrSyntax, 36, `expected "=" after property smtp.mailfrom`},
		{"§2.2 property needs a value", "example.org; spf=pass smtp.mailfrom=", ErrSyntax, 36, "expected a property value, found end of field"},
		{"§2.2 statements are separated by ;", "example.org spf=pass", ErrSyntax, 12, `expected ";", found 's'`},
		{"§2.6 unknown version", "example.org 2; none", ErrVersion, 11, "version 2 after authserv-id"},
		{"version too long", "example.org 1234567890; none", ErrSyntax, 21, "longer than 9 digits"},
		{"unterminated comment", "example.org (a (b); none", ErrSyntax, 12, "unterminated comment"},
		{"unterminated quoted string", `example.org; spf=pass smtp.helo="abc`, ErrSyntax, 32, "unterminated quoted string"},
		{"line break that is not folding", "example.org;\r\nspf=pass", ErrSyntax, 12, "line break not followed by white space"},
		{"bare CR", "example.org;\rspf=pass", ErrSyntax, 12, "carriage return without line feed"},
		{"control character in a quoted string", "example.org; dkim=fail reason=\"a\x00b\"", ErrSyntax, 32, "control character 0x00"},
		{"invalid UTF-8 in a value", "example.org; spf=pass smtp.helo=a\xffb", ErrSyntax, 33, "invalid UTF-8"},
		{"quoted authserv-id cannot open with a method", `"x"=pass`, ErrSyntax, 3, `expected ";", found '='`},
		{"a property is ptype.property", "example.org; spf=pass smtp", ErrSyntax, 26, `expected "." or "=" after "smtp"`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: Parse(%q) = %v, want a *ParseError", tt.name, tt.in, err)
			continue
		}
		if !errors.Is(err, tt.err) || pe.Offset != tt.offset || !strings.Contains(pe.Msg, tt.msg) {
			t.Errorf("%s: Parse(%q) = %v (offset %d), want %v at offset %d containing %q", tt.name, tt.in, err, pe.Offset, tt.err, tt.offset, tt.msg)
		}
	}
}

// TestParseErrorNamesAuthServID guards the AuthServID of a ParseError,
// which ForRemoval relies on for broken fields.
func TestParseErrorNamesAuthServID(t *testing.T) {
	_, err := Parse("example.com; spf=pass smtp.mailfrom=")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.AuthServID != "example.com" {
		t.Fatalf("Parse = %v, want a *ParseError naming authserv-id example.com", err)
	}
	if !strings.HasPrefix(err.Error(), "authres: offset 36: malformed field: ") {
		t.Errorf("Error() = %q, want the package prefix once, the offset and the sentinel", err.Error())
	}
}

// TestParseBounds goes just past each bound at its default and at a
// reduced value.
func TestParseBounds(t *testing.T) {
	method := func(n, props int) string {
		var b strings.Builder
		b.WriteString("example.org")
		for i := 0; i < n; i++ {
			b.WriteString("; dkim=pass")
			for j := 0; j < props; j++ {
				b.WriteString(" header.d=example.org")
			}
		}
		return b.String()
	}
	tests := []struct {
		name string
		p    Parser
		in   string
		err  error
	}{
		{"methods at the default", Parser{}, method(DefaultMaxMethods, 0), nil},
		{"methods past the default", Parser{}, method(DefaultMaxMethods+1, 0), ErrTooManyMethods},
		{"methods past a reduced bound", Parser{MaxMethods: 2}, method(3, 0), ErrTooManyMethods},
		{"properties at the default", Parser{}, method(1, DefaultMaxProperties), nil},
		{"properties past the default", Parser{}, method(1, DefaultMaxProperties+1), ErrTooManyProperties},
		{"bare properties count too", Parser{}, "x; a=b" + strings.Repeat(" c=d", DefaultMaxProperties+1), ErrTooManyProperties},
		{"properties past a reduced bound", Parser{MaxProperties: 1}, method(1, 2), ErrTooManyProperties},
		{"length at the default", Parser{}, "example.org; none" + strings.Repeat(" ", DefaultMaxLength-17), nil},
		{"length past the default", Parser{}, "example.org; none" + strings.Repeat(" ", DefaultMaxLength-16), ErrTooLong},
		{"length past a reduced bound", Parser{MaxLength: 16}, "example.org; none", ErrTooLong},
	}
	for _, tt := range tests {
		_, err := tt.p.Parse(tt.in)
		if tt.err == nil && err != nil || !errors.Is(err, tt.err) {
			t.Errorf("%s: Parse(%d bytes) = %v, want %v", tt.name, len(tt.in), err, tt.err)
		}
	}
}

func TestResultHelpers(t *testing.T) {
	r, err := Parse("example.org; spf=pass smtp.mailfrom=a@example.org; dkim=pass header.d=example.org; dkim=fail header.d=b.example; x-new=pass; dkim/2=pass; spf=pass x-type.k=v; dmarc=passs")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(r.Find("DKIM")); got != 3 {
		t.Errorf("Find(DKIM) gave %d results, want 3", got)
	}
	if v, ok := r.Methods[0].Prop("SMTP", "MailFrom"); !ok || v != "a@example.org" {
		t.Errorf("Prop(smtp, mailfrom) = %q, %v", v, ok)
	}
	if _, ok := r.Methods[0].Prop("header", "from"); ok {
		t.Errorf("Prop(header, from) found a property that is not there")
	}
	// §4.1 and §2.3: only registered results of supported methods, method version
	// 1 and registered ptypes are usable.
	usable := []bool{true, true, true, false, false, false, false}
	for i, want := range usable {
		if got := r.Methods[i].Usable(); got != want {
			t.Errorf("Methods[%d] %+v: Usable() = %v, want %v", i, r.Methods[i], got, want)
		}
	}
	if ResultSoftFail.Registered("dkim") || !ResultSoftFail.Registered("SPF") {
		t.Errorf("softfail is registered for spf only")
	}
	if !KnownPType("Header") || KnownPType("x-type") {
		t.Errorf("KnownPType: header is registered, x-type is not")
	}
}
