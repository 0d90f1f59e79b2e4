package authres

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		in   Results
		want string
	}{
		{
			name: "§2.2 no-result is none",
			in:   Results{AuthServID: "example.org"},
			want: "example.org; none",
		},
		{
			name: "version after the authserv-id",
			in:   Results{AuthServID: "example.org", Version: 1},
			want: "example.org 1; none",
		},
		{
			name: "each statement on its own line",
			in: Results{AuthServID: "mx.example.org", Methods: []MethodResult{
				{Method: "spf", Result: ResultPass, Props: []Property{prop("smtp", "mailfrom", "a@example.com")}},
				{Method: "dkim", MethodVersion: 1, Result: ResultPass, Props: []Property{prop("header", "d", "example.com"), prop("header", "s", "sel")}},
				{Method: "dmarc", Result: ResultPass, Props: []Property{prop("header", "from", "example.com")}},
			}},
			want: "mx.example.org;\r\n\tspf=pass smtp.mailfrom=a@example.com;\r\n\tdkim/1=pass header.d=example.com header.s=sel;\r\n\tdmarc=pass header.from=example.com",
		},
		{
			name: "quoting: RFC 2045 token, address and quoted string (§2.2)",
			in: Results{AuthServID: "my auth", Methods: []MethodResult{
				{Method: "dkim", Result: ResultFail, Reason: `bad "sig" \ here`, Props: []Property{
					prop("header", "i", "@example.com"),
					prop("smtp", "mailfrom", `"a b"@example.com`),
					prop("smtp", "helo", ""),
					prop("policy", "iprev", "2001:db8::1"),
					prop("header", "b", "ab/c+d="),
					prop("smtp", "helo", "a@localhost"),
				}},
			}},
			want: "\"my auth\";\r\n\tdkim=fail reason=\"bad \\\"sig\\\" \\\\ here\" header.i=@example.com\r\n" +
				"\tsmtp.mailfrom=\"a b\"@example.com smtp.helo=\"\" policy.iprev=\"2001:db8::1\"\r\n" +
				"\theader.b=\"ab/c+d=\" smtp.helo=\"a@localhost\"",
		},
	}
	for _, tt := range tests {
		got, err := Format(&tt.in)
		if err != nil {
			t.Errorf("%s: Format: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: Format =\n%q\nwant\n%q", tt.name, got, tt.want)
		}
		back, err := (&Parser{Strict: true}).Parse(got)
		if err != nil {
			t.Errorf("%s: strict Parse(Format) = %v", tt.name, err)
		} else if d := cmp.Diff(&tt.in, back, equateEmpty); d != "" {
			t.Errorf("%s: Parse(Format) (-in +back):\n%s", tt.name, d)
		}
	}
}

// TestFormatFolds checks the line lengths of RFC 5322 §2.1.1: no line
// over 78 columns where items fit, the first line counted after the field
// name.
func TestFormatFolds(t *testing.T) {
	m := MethodResult{Method: "dkim", Result: ResultPass}
	for i := 0; i < 12; i++ {
		m.Props = append(m.Props, prop("header", "d", strings.Repeat("x", i)+".example.com"))
	}
	r := &Results{AuthServID: "mx.example.org", Methods: []MethodResult{m, m}}
	out, err := Format(r)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(FieldName+": "+out, "\r\n")
	if len(lines) < 6 {
		t.Errorf("Format gave %d lines, want the properties folded:\n%s", len(lines), out)
	}
	for i, l := range lines {
		if len(strings.ReplaceAll(l, "\t", " ")) > foldWidth {
			t.Errorf("line %d is %d columns, over %d: %q", i, len(l), foldWidth, l)
		}
		if i > 0 && !strings.HasPrefix(l, "\t") {
			t.Errorf("line %d does not start with white space (not folded): %q", i, l)
		}
	}
	back, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(r, back, equateEmpty); d != "" {
		t.Errorf("Parse(Format) (-in +back):\n%s", d)
	}
}

// TestFormatLongItem: an item longer than 78 columns stands on its own
// line; one that would pass 998 octets is an error, never an overlong line.
func TestFormatLongItem(t *testing.T) {
	long := strings.Repeat("a", 200)
	out, err := Format(&Results{AuthServID: "x", Methods: []MethodResult{{Method: "dkim", Result: ResultPass, Props: []Property{prop("header", "b", long), prop("header", "d", "example.org")}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "x;\r\n\tdkim=pass\r\n\theader.b=" + long + "\r\n\theader.d=example.org"
	if out != want {
		t.Errorf("Format = %q, want %q", out, want)
	}
	tooLong := strings.Repeat("a", maxLine-len("\theader.b=")+1)
	_, err = Format(&Results{AuthServID: "x", Methods: []MethodResult{{Method: "dkim", Result: ResultPass, Props: []Property{prop("header", "b", tooLong)}}}})
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "longer than 998 octets") {
		t.Errorf("Format(item of %d octets) = %v, want ErrFormat about 998 octets", len(tooLong), err)
	}
	fits := tooLong[1:]
	if _, err := Format(&Results{AuthServID: "x", Methods: []MethodResult{{Method: "dkim", Result: ResultPass, Props: []Property{prop("header", "b", fits)}}}}); err != nil {
		t.Errorf("Format(line of exactly 998 octets) = %v", err)
	}
}

func TestFormatErrors(t *testing.T) {
	tests := []struct {
		name string
		in   *Results
		msg  string
	}{
		{"nil", nil, "empty authserv-id"},
		{"§2.2 authserv-id is required", &Results{}, "empty authserv-id"},
		{"§2.6 only version 1", &Results{AuthServID: "x", Version: 2}, "version 2"},
		{"method is a Keyword", &Results{AuthServID: "x", Methods: []MethodResult{{Method: "a b", Result: ResultPass}}}, `method "a b" is not a keyword`},
		{"result is a Keyword", &Results{AuthServID: "x", Methods: []MethodResult{{Method: "spf", Result: ""}}}, `result "" is not a keyword`},
		{"ptype is required", &Results{AuthServID: "x", Methods: []MethodResult{{Method: "dmarc", Result: ResultFail, Props: []Property{prop("", "action", "reject")}}}}, "ptype and property must be keywords"},
		{"negative method version", &Results{AuthServID: "x", Methods: []MethodResult{{Method: "spf", MethodVersion: -1, Result: ResultPass}}}, "method version -1 out of range"},
		{"method version over nine digits", &Results{AuthServID: "x", Methods: []MethodResult{{Method: "spf", MethodVersion: 1e9, Result: ResultPass}}}, "method version 1000000000 out of range"},
		{"control character", &Results{AuthServID: "x", Methods: []MethodResult{{Method: "spf", Result: ResultPass, Reason: "a\r\nX-Injected: 1"}}}, "control character 0x0d"},
		{"invalid UTF-8", &Results{AuthServID: "x\xff"}, "invalid UTF-8"},
	}
	for _, tt := range tests {
		_, err := Format(tt.in)
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: Format = %v, want ErrFormat containing %q", tt.name, err, tt.msg)
		}
	}
}
