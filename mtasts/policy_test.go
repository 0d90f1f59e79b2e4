package mtasts

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rfcPolicy is the example of RFC 8461 §3.2.
const rfcPolicy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n"

func TestParsePolicy(t *testing.T) {
	base := "version: STSv1\nmode: testing\nmx: mx.example.com\nmax_age: 86400\n"
	tests := []struct {
		name string
		in   string
		want *Policy
		err  error
	}{
		{"§3.2 example, CRLF", rfcPolicy, &Policy{Mode: ModeEnforce, MX: []string{"mail.example.com", "*.example.net", "backupmx.example.com"}, MaxAge: 604800}, nil},
		{"§3.2 LF line ends", base, &Policy{Mode: ModeTesting, MX: []string{"mx.example.com"}, MaxAge: 86400}, nil},
		{"§3.2 mixed line ends, last one optional", "version: STSv1\r\nmode: testing\nmx: mx.example.com\r\nmax_age: 86400", &Policy{Mode: ModeTesting, MX: []string{"mx.example.com"}, MaxAge: 86400}, nil},
		{"§3.2 field order free", "max_age: 1\nmx: a.example\nmode: enforce\nversion: STSv1\n", &Policy{Mode: ModeEnforce, MX: []string{"a.example"}, MaxAge: 1}, nil},
		{"§3.2 white space after : and at line end", "version:STSv1\nmode:\t enforce \t\nmx:  a.example \nmax_age: 1\n", &Policy{Mode: ModeEnforce, MX: []string{"a.example"}, MaxAge: 1}, nil},
		{"§3.2 mode none needs no mx", "version: STSv1\nmode: none\nmax_age: 86400\n", &Policy{Mode: ModeNone, MaxAge: 86400}, nil},
		{"§3.2 max_age 0", strings.Replace(base, "86400", "0", 1), &Policy{Mode: ModeTesting, MX: []string{"mx.example.com"}}, nil},
		{"§3.2 max_age maximum 31557600", strings.Replace(base, "86400", "31557600", 1), &Policy{Mode: ModeTesting, MX: []string{"mx.example.com"}, MaxAge: 31557600}, nil},
		{"§3.2 max_age leading zeros, 10 digits", strings.Replace(base, "86400", "0000086400", 1), &Policy{Mode: ModeTesting, MX: []string{"mx.example.com"}, MaxAge: 86400}, nil},
		{"§3.2 unknown fields kept", base + "foo_bar: some value, with ünïcode\n", &Policy{Mode: ModeTesting, MX: []string{"mx.example.com"}, MaxAge: 86400, Extensions: []Field{{"foo_bar", "some value, with ünïcode"}}}, nil},
		{"§3.2 key case-sensitive: Mode is an extension", base + "Mode: enforce\n", &Policy{Mode: ModeTesting, MX: []string{"mx.example.com"}, MaxAge: 86400, Extensions: []Field{{"Mode", "enforce"}}}, nil},
		{"§3.2 mx repeats", base + "mx: *.example.org\n", &Policy{Mode: ModeTesting, MX: []string{"mx.example.com", "*.example.org"}, MaxAge: 86400}, nil},
		{"§3.2 duplicate mode: first wins", base + "mode: enforce\n", &Policy{Mode: ModeTesting, MX: []string{"mx.example.com"}, MaxAge: 86400, Ignored: []Field{{"mode", "enforce"}}}, nil},
		{"§3.2 duplicate may be invalid", base + "max_age: forever\nversion: STSv2\n", &Policy{Mode: ModeTesting, MX: []string{"mx.example.com"}, MaxAge: 86400, Ignored: []Field{{"max_age", "forever"}, {"version", "STSv2"}}}, nil},
		{"§3.2 duplicate extension", base + "x: 1\nx: 2\n", &Policy{Mode: ModeTesting, MX: []string{"mx.example.com"}, MaxAge: 86400, Extensions: []Field{{"x", "1"}}, Ignored: []Field{{"x", "2"}}}, nil},
		{"§3.2 mx with uppercase kept as written", strings.Replace(base, "mx.example.com", "MX.Example.COM", 1), &Policy{Mode: ModeTesting, MX: []string{"MX.Example.COM"}, MaxAge: 86400}, nil},

		{"§3.2 version required", "mode: testing\nmx: a.example\nmax_age: 1\n", nil, ErrSyntax},
		{"§3.2 version STSv1 only", strings.Replace(base, "STSv1", "STSv2", 1), nil, ErrSyntax},
		{"§3.2 mode required", "version: STSv1\nmx: a.example\nmax_age: 1\n", nil, ErrSyntax},
		{"§3.2 mode values", strings.Replace(base, "testing", "report", 1), nil, ErrSyntax},
		{"§3.2 mode case-sensitive", strings.Replace(base, "testing", "Testing", 1), nil, ErrSyntax},
		{"§3.2 max_age required", "version: STSv1\nmode: testing\nmx: a.example\n", nil, ErrSyntax},
		{"§3.2 max_age over 31557600", strings.Replace(base, "86400", "31557601", 1), nil, ErrSyntax},
		{"§3.2 max_age over 10 digits", strings.Replace(base, "86400", "00000086400", 1), nil, ErrSyntax},
		{"§3.2 max_age negative", strings.Replace(base, "86400", "-1", 1), nil, ErrSyntax},
		{"§3.2 max_age not an integer", strings.Replace(base, "86400", "1.5", 1), nil, ErrSyntax},
		{"§3.2 mx required in testing", "version: STSv1\nmode: testing\nmax_age: 1\n", nil, ErrSyntax},
		{"§3.2 mx required in enforce", "version: STSv1\nmode: enforce\nmax_age: 1\n", nil, ErrSyntax},
		{"§3.2 each mx on its own line", strings.Replace(base, "mx.example.com", "a.example b.example", 1), nil, ErrSyntax},
		{"§3.2 mx comma list", strings.Replace(base, "mx.example.com", "a.example,b.example", 1), nil, ErrSyntax},
		{"§3.2 mx A-label, not U-label", strings.Replace(base, "mx.example.com", "mx.bücher.example", 1), nil, ErrSyntax},
		{"§3.2 mx wildcard only leftmost", strings.Replace(base, "mx.example.com", "mx.*.example.com", 1), nil, ErrSyntax},
		{"§3.2 mx partial wildcard label", strings.Replace(base, "mx.example.com", "mx*.example.com", 1), nil, ErrSyntax},
		{"§3.2 mx double wildcard", strings.Replace(base, "mx.example.com", "*.*.example.com", 1), nil, ErrSyntax},
		{"§3.2 mx bare wildcard", strings.Replace(base, "mx.example.com", "*", 1), nil, ErrSyntax},
		{"§3.2 mx trailing dot (RFC 5321 Domain)", strings.Replace(base, "mx.example.com", "mx.example.com.", 1), nil, ErrSyntax},
		{"§3.2 mx label with hyphen at end", strings.Replace(base, "mx.example.com", "mx-.example.com", 1), nil, ErrSyntax},
		{"§3.2 mx label over 63", strings.Replace(base, "mx.example.com", strings.Repeat("a", 64)+".example", 1), nil, ErrSyntax},
		{"§3.2 empty line", "version: STSv1\n\nmode: none\nmax_age: 1\n", nil, ErrSyntax},
		{"§3.2 trailing empty line", "version: STSv1\nmode: none\nmax_age: 1\n\n", nil, ErrSyntax},
		{"§3.2 lone CR is no line end", "version: STSv1\rmode: none\nmax_age: 1\n", nil, ErrSyntax},
		{"§3.2 lone CR at the end", "version: STSv1\nmode: none\nmax_age: 1\r", nil, ErrSyntax},
		{"§3.2 white space before key", " version: STSv1\nmode: none\nmax_age: 1\n", nil, ErrSyntax},
		{"§3.2 white space before :", "version : STSv1\nmode: none\nmax_age: 1\n", nil, ErrSyntax},
		{"§3.2 no :", "version STSv1\nmode: none\nmax_age: 1\n", nil, ErrSyntax},
		{"§3.2 empty value", base + "x:\n", nil, ErrSyntax},
		{"§3.2 control character in value", base + "x: a\x00b\n", nil, ErrSyntax},
		{"§3.2 tab inside value", base + "x: a\tb\n", nil, ErrSyntax},
		{"§3.2 invalid UTF-8", base + "x: a\xffb\n", nil, ErrSyntax},
		{"§3.2 key over 32 characters", base + strings.Repeat("k", 33) + ": v\n", nil, ErrSyntax},
		{"§3.2 HTML", "<html><body>hello</body></html>", nil, ErrSyntax},
		{"empty", "", nil, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicy(tt.in)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("ParsePolicy(%q) = %+v, %v; want error %v", tt.in, got, err, tt.err)
				}
				var pe *ParseError
				if !errors.As(err, &pe) || pe.What != "policy" {
					t.Errorf("error %v is not a policy *ParseError", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePolicy(%q): %v", tt.in, err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ParsePolicy(%q) (-want +got):\n%s", tt.in, d)
			}
			again, err := ParsePolicy(got.String())
			if err != nil {
				t.Fatalf("ParsePolicy(String() = %q): %v", got.String(), err)
			}
			if d := cmp.Diff(got, again); d != "" {
				t.Errorf("round trip through %q (-first +second):\n%s", got.String(), d)
			}
		})
	}
}

func TestParsePolicyErrorNamesLineAndField(t *testing.T) {
	_, err := ParsePolicy("version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1\n")
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *ParseError", err)
	}
	if pe.Line != 3 || pe.Field != "mx" || pe.Offset != 33 {
		t.Errorf("error %q: line %d field %q offset %d, want line 3 field mx offset 33", err, pe.Line, pe.Field, pe.Offset)
	}
}

func TestPolicyString(t *testing.T) {
	p, err := ParsePolicy(rfcPolicy)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.String(); got != rfcPolicy {
		t.Errorf("String() = %q, want the RFC example %q", got, rfcPolicy)
	}
}

// TestParsePolicySizeLimit goes just past DefaultMaxPolicySize (RFC 8461
// §3.3: 64 kilobytes suggested).
func TestParsePolicySizeLimit(t *testing.T) {
	head := "version: STSv1\nmode: enforce\nmax_age: 86400\n"
	var b strings.Builder
	b.WriteString(head)
	for i := 0; b.Len() < DefaultMaxPolicySize; i++ {
		b.WriteString("mx: mx" + strings.Repeat("0", 5) + ".example.com\n")
	}
	text := b.String()
	// Trim to exactly the limit by shortening the last mx line, keeping it valid.
	for len(text) > DefaultMaxPolicySize {
		text = text[:strings.LastIndex(text[:len(text)-1], "\n")+1]
	}
	pad := DefaultMaxPolicySize - len(text)
	text += "x: " + strings.Repeat("y", pad-4) + "\n"
	if len(text) != DefaultMaxPolicySize {
		t.Fatalf("built %d bytes, want %d", len(text), DefaultMaxPolicySize)
	}
	if _, err := ParsePolicy(text); err != nil {
		t.Fatalf("policy of exactly %d bytes: %v", len(text), err)
	}
	_, err := ParsePolicy(text + "x")
	if !errors.Is(err, ErrPolicyTooLarge) {
		t.Fatalf("policy of %d bytes: err = %v, want ErrPolicyTooLarge", len(text)+1, err)
	}
}
