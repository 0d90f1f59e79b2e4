package authres

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFormatComment: Format writes Comment in parentheses after the result,
// escaping what would end or nest it (RFC 5322 §3.2.2); Parse skips it.
func TestFormatComment(t *testing.T) {
	tests := []struct {
		name    string
		comment string
		want    string // the statement line; "" for an error
	}{
		{"plain", "p=reject dis=none", "\tdmarc=pass (p=reject dis=none) header.from=example.org"},
		{"parentheses and backslash escaped", `a (b) \c`, "\tdmarc=pass (a \\(b\\) \\\\c) header.from=example.org"},
		{"control character refused", "a\r\nb", ""},
		{"invalid UTF-8 refused", "a\xffb", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := MethodResult{Method: "dmarc", Result: ResultPass, Comment: tt.comment, Props: []Property{prop("header", "from", "example.org")}}
			out, err := Format(&Results{AuthServID: "mx.example.net", Methods: []MethodResult{m}})
			if tt.want == "" {
				if !errors.Is(err, ErrFormat) {
					t.Fatalf("Format = %q, %v; want an error wrapping ErrFormat", out, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, line, _ := strings.Cut(out, "\r\n"); line != tt.want {
				t.Errorf("Format wrote %q, want %q", line, tt.want)
			}
			back, err := (&Parser{Strict: true}).Parse(out)
			if err != nil {
				t.Fatalf("Parse(%q): %v", out, err)
			}
			m.Comment = ""
			if d := cmp.Diff([]MethodResult{m}, back.Methods); d != "" {
				t.Errorf("Parse(Format) differs (-want +got):\n%s", d)
			}
		})
	}
}

func TestMethodResultString(t *testing.T) {
	tests := []struct {
		name string
		m    MethodResult
		want string
	}{
		{"result only", MethodResult{Method: "dkim", Result: ResultNone}, "dkim=none"},
		{"version, comment, reason, properties", MethodResult{Method: "dkim", MethodVersion: 1, Result: ResultFail, Comment: "bad (key)", Reason: "body hash",
			Props: []Property{prop("header", "d", "example.org"), prop("header", "b", "ab/cd")}},
			`dkim/1=fail (bad \(key\)) reason="body hash" header.d=example.org header.b="ab/cd"`},
		{"address and token values bare", MethodResult{Method: "spf", Result: ResultPass, Reason: "ok",
			Props: []Property{prop("smtp", "mailfrom", `"a b"@example.org`)}}, `spf=pass reason=ok smtp.mailfrom="a b"@example.org`},
		{"a property without a ptype", MethodResult{Method: "dmarc", Result: ResultFail, Props: []Property{{Name: "action", Value: "oreject"}}}, "dmarc=fail action=oreject"},
		{"control characters replaced", MethodResult{Method: "spf", Result: ResultPermError, Reason: "a\r\nb", Props: []Property{prop("smtp", "helo", "x\x00y")}},
			`spf=permerror reason="a??b" smtp.helo="x?y"`},
		// String replaces what Format refuses, no more and no less: DEL and
		// invalid UTF-8 go, a tab, a C1 control and a valid U+FFFD stay (Format
		// writes them: RFC 6532 UTF8-non-ascii). A lone U+FFFD used to become
		// '?', which made String differ from Format for no reason.
		{"what Format refuses replaced, no more", MethodResult{Method: "spf", Result: ResultPermError, Reason: "a\x7fb\xffc", Comment: "t\tu\u0085v\ufffdw"},
			"spf=permerror (t\tu\u0085v\ufffdw) reason=\"a?b?c\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.String(); got != tt.want {
				t.Errorf("String() = %s\nwant       %s", got, tt.want)
			}
		})
	}
}

func TestAddProperty(t *testing.T) {
	tests := []struct {
		name, value string
		kept        bool
	}{
		{"address", "a@example.org", true},
		{"UTF-8", "jürgen@bücher.example", true},
		{"empty left out", "", false},
		{"control character left out", "a\r\nb", false},
		{"C1 control left out", "a\u0085b", false},
		{"C1 CSI left out", "a\u009b2J", false},
		{"DEL left out", "a\x7fb", false},
		{"tab left out", "a\tb", false},
		{"bidi control left out", "a\u202eb", false},
		{"invalid UTF-8 left out", "a\xffb", false},
		// A valid U+FFFD is a character Format writes and a terminal shows;
		// it was refused only because a range loop cannot tell it from an
		// invalid byte. termsafe.Printable tells them apart.
		{"valid U+FFFD kept", "a\ufffdb", true},
		{"at the bound", strings.Repeat("a", MaxValueLength), true},
		{"just past the bound", strings.Repeat("a", MaxValueLength+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m MethodResult
			m.AddProperty("smtp", "mailfrom", tt.value)
			if got := len(m.Props) == 1; got != tt.kept {
				t.Fatalf("kept %v, want %v (%+v)", got, tt.kept, m.Props)
			}
			if tt.kept {
				if m.Props[0] != (Property{Type: "smtp", Name: "mailfrom", Value: tt.value}) {
					t.Errorf("property %+v", m.Props[0])
				}
				m.Method, m.Result = "spf", ResultPass
				if _, err := Format(&Results{AuthServID: "x", Methods: []MethodResult{m}}); err != nil {
					t.Errorf("Format: %v", err)
				}
			}
		})
	}
}

func TestErrorReason(t *testing.T) {
	tests := []struct {
		name   string
		method string
		err    error
		want   string
	}{
		{"nil", "spf", nil, ""},
		{"prefix of the method removed", "spf", errors.New("spf: example.org: no record"), "example.org: no record"},
		{"only a leading prefix", "spf", fmt.Errorf("x: %w", errors.New("spf: y")), "x: spf: y"},
		{"another method's prefix kept", "dkim", errors.New("spf: y"), "spf: y"},
		{"control characters and invalid UTF-8 replaced", "dmarc", errors.New("a\r\n\xffb"), "a???b"},
		{"non-ASCII replaced, one '?' a character", "spf", errors.New("spf: term \"bücher\""), `term "b?cher"`},
		{"cut at the bound", "dkim", errors.New("dkim: " + strings.Repeat("x", 2*MaxValueLength)), strings.Repeat("x", MaxValueLength)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorReason(tt.method, tt.err); got != tt.want {
				t.Errorf("ErrorReason = %q, want %q", got, tt.want)
			}
		})
	}
}
