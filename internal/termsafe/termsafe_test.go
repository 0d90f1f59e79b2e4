package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ASCII", "example.org", "example.org"},
		{"non-ASCII letters kept", "bücher.example", "bücher.example"},
		{"empty", "", ""},
		{"ESC screen clear", "a\x1b[2Jb", `a\x1b[2Jb`},
		{"BEL", "a\x07", `a\x07`},
		{"OSC 52 clipboard", "\x1b]52;c;ZXZpbA==\x07", `\x1b]52;c;ZXZpbA==\x07`},
		{"NUL", "a\x00b", `a\x00b`},
		{"tab newline CR", "a\tb\nc\rd", `a\tb\nc\rd`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"C1 CSI U+009B", "a\u009b2Jb", `a\x9b2Jb`},
		{"C1 NEL U+0085", "a\u0085b", `a\x85b`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"paragraph separator", "a\u2029b", `a\u2029b`},
		{"bidi RLO", "a\u202eb", `a\u202eb`},
		{"bidi LRE", "a\u202ab", `a\u202ab`},
		{"bidi isolate FSI", "a\u2068b", `a\u2068b`},
		{"bidi PDI", "a\u2069b", `a\u2069b`},
		{"bidi mark RLM", "a\u200fb", `a\u200fb`},
		{"arabic letter mark", "a\u061cb", `a\u061cb`},
		{"invalid UTF-8", "a\xffb\xc3", `a\xffb\xc3`},
		{"backslash doubled", `a\x1b`, `a\\x1b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", `'=HYPERLINK("http://x")`},
		{"+1", "'+1"},
		{"-1+2", "'-1+2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"example.org", "example.org"},
		{"a=b", "a=b"},
		{"\x1b=", `\x1b=`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := CSVCell(tt.in); got != tt.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStringsInPlace(t *testing.T) {
	ss := []string{"ok", "a\x1bb"}
	got := Strings(ss)
	if got[0] != "ok" || got[1] != `a\x1bb` || &got[0] != &ss[0] {
		t.Errorf("Strings = %q", got)
	}
}

// FuzzString checks the property the package exists for: the output holds no
// byte or rune a terminal acts on, is valid UTF-8, and is unchanged by a
// second pass only when the input needed no escaping.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "x", "\x1b[2J", "\u009b", "\u202e", "\xff", `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if !utf8.ValidString(out) {
			t.Fatalf("String(%q) = %q: invalid UTF-8", s, out)
		}
		for _, r := range out {
			if needsEscape(r) {
				t.Fatalf("String(%q) = %q: holds %U", s, out, r)
			}
		}
		if (out == s) != (unsafeIndex(s) < 0) {
			t.Fatalf("String(%q) = %q: changed iff escaping needed fails", s, out)
		}
		if c := CSVCell(s); c != "" && strings.IndexByte("=+-@", c[0]) >= 0 {
			t.Fatalf("CSVCell(%q) = %q starts a formula", s, c)
		}
	})
}

func BenchmarkStringClean(b *testing.B) {
	s := "v=spf1 include:amazonses.com include:_spf.google.com ~all"
	b.ReportAllocs()
	for b.Loop() {
		String(s)
	}
}
