package termsafe

import (
	"fmt"
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

// TestMessage: Message escapes what String escapes but keeps backslashes,
// so the escapes a message already holds (%q, or a part escaped by String)
// are not doubled.
func TestMessage(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ASCII", "example.org: no such file", "example.org: no such file"},
		{"ESC screen clear", "a\x1b[2Jb", `a\x1b[2Jb`},
		{"C1 CSI and bidi", "a\u009b2J\u202eb", `a\x9b2J\u202eb`},
		{"newline", "a\nb", `a\nb`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"backslash kept", `a\x1b`, `a\x1b`},
		{"%q kept, raw escaped", fmt.Sprintf("bad\x1b.zone: name %q", "bad\x1b"), `bad\x1b.zone: name "bad\x1b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Message(tt.in)
			if got != tt.want {
				t.Errorf("Message(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Message(got); again != got {
				t.Errorf("Message is not idempotent: %q, then %q", got, again)
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

// FuzzString checks the property the package exists for: the output of
// String and Message holds no byte or rune a terminal acts on, is valid
// UTF-8, and differs from the input only when it needed escaping; Message
// leaves what is already escaped alone.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "x", "\x1b[2J", "\u009b", "\u202e", "\xff", `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fn := range []struct {
			name string
			f    func(string) string
		}{{"String", String}, {"Message", Message}} {
			out := fn.f(s)
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q: invalid UTF-8", fn.name, s, out)
			}
			for _, r := range out {
				if needsEscape(r) {
					t.Fatalf("%s(%q) = %q: holds %U", fn.name, s, out, r)
				}
			}
			if (out == s) != (unsafeIndex(s, fn.name == "Message") < 0) {
				t.Fatalf("%s(%q) = %q: changed iff escaping needed fails", fn.name, s, out)
			}
			// Message never escapes twice: not its own output, nor String's.
			if again := Message(out); again != out {
				t.Fatalf("Message(%s(%q)) = %q, want %q: escaped twice", fn.name, s, again, out)
			}
		}
		// Printable is "Message would leave s as it is".
		if Printable(s) != (Message(s) == s) {
			t.Fatalf("Printable(%q) = %v, but Message gives %q", s, Printable(s), Message(s))
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

// TestPrintable: Printable refuses what String escapes (but a backslash),
// and keeps a valid U+FFFD and non-ASCII letters.
func TestPrintable(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"plain ASCII", "mx.example.org", true},
		{"empty", "", true},
		{"non-ASCII letters", "bücher.例え.jp", true},
		{"backslash", `a\b`, true},
		{"valid U+FFFD", "a\ufffdb", true},
		{"tab", "a\tb", false},
		{"newline", "a\nb", false},
		{"NUL", "a\x00b", false},
		{"ESC", "a\x1b[2J", false},
		{"DEL", "a\x7fb", false},
		{"C1 CSI U+009B", "a\u009bb", false},
		{"C1 U+009F", "a\u009fb", false},
		{"first after C1 U+00A0", "a\u00a0b", true},
		{"line separator", "a\u2028b", false},
		{"bidi RLO", "a\u202eb", false},
		{"invalid UTF-8", "a\xffb", false},
		{"truncated UTF-8 sequence", "a\xef\xbf", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Printable(tt.in); got != tt.want {
				t.Errorf("Printable(%q) = %v, want %v", tt.in, got, tt.want)
			}
			// The property that ties Printable to String: what String
			// keeps as it is (backslashes aside) is printable.
			if plain := !strings.ContainsRune(tt.in, '\\'); plain && (String(tt.in) == tt.in) != tt.want {
				t.Errorf("String(%q) = %q, yet Printable = %v", tt.in, String(tt.in), tt.want)
			}
		})
	}
}
