package tagvalue

import (
	"math/bits"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

type pair struct{ Tag, Value string }

func scanAll(in string, allowEmpty bool) ([]pair, error) {
	s := Scanner{Input: in, AllowEmpty: allowEmpty}
	var out []pair
	for s.Next() {
		out = append(out, pair{s.Tag(), s.Value()})
	}
	return out, s.Err()
}

func TestScanner(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		allowEmpty bool
		want       []pair
		errOffset  int // -1: no error
	}{
		{"dkim key", "v=DKIM1; k=rsa; p=MIGf", false, []pair{{"v", "DKIM1"}, {"k", "rsa"}, {"p", "MIGf"}}, -1},
		{"trailing semicolon", "v=DMARC1; p=none;", false, []pair{{"v", "DMARC1"}, {"p", "none"}}, -1},
		{"empty value", "v=DKIM1; p=", false, []pair{{"v", "DKIM1"}, {"p", ""}}, -1},
		{"whitespace around =", "a = b ;c=\td", false, []pair{{"a", "b"}, {"c", "d"}}, -1},
		{"folded value", "b=abc\r\n def;", false, []pair{{"b", "abc\r\n def"}}, -1},
		{"LF fold", "b=abc\n\tdef", false, []pair{{"b", "abc\n\tdef"}}, -1},
		{"folded before tag", "a=1;\r\n b=2", false, []pair{{"a", "1"}, {"b", "2"}}, -1},
		{"underscore digits", "x_1=y", false, []pair{{"x_1", "y"}}, -1},
		{"empty input", "", false, nil, -1},
		{"only spaces", "   ", false, nil, -1},
		{"RFC 6376 3.2: empty spec forbidden", "a=1;;b=2", false, []pair{{"a", "1"}}, 4},
		{"empty spec when allowed", "a=1;;b=2; ;", true, []pair{{"a", "1"}, {"b", "2"}}, -1},
		{"tag starts with digit", "1a=b", false, nil, 0},
		{"missing equals", "a=1; b", false, []pair{{"a", "1"}}, 6},
		{"bare CR in value", "a=x\ry", false, nil, 3},
		{"bare LF ends list", "a=x\n", false, nil, 3},
		{"control char", "a=x\x01", false, nil, 3},
		{"non-ASCII", "a=é", false, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scanAll(tt.in, tt.allowEmpty)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Scan(%q) pairs (-want +got):\n%s", tt.in, diff)
			}
			if tt.errOffset < 0 {
				if err != nil {
					t.Errorf("Scan(%q): unexpected error %v", tt.in, err)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Offset != tt.errOffset {
				t.Errorf("Scan(%q) error = %v, want offset %d", tt.in, err, tt.errOffset)
			}
		})
	}
}

// TestScannerUTF8 checks the UTF8 option: RFC 8616 §5 lets the values of a
// DKIM-Signature in internationalised mail hold UTF-8 (RFC 6532 §3.2).
func TestScannerUTF8(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		want      []pair
		errOffset int // -1: no error
	}{
		{"U-label value", "d=bücher.example; s=sel", []pair{{"d", "bücher.example"}, {"s", "sel"}}, -1},
		{"UTF-8 local part", "i=jürgen@bücher.example", []pair{{"i", "jürgen@bücher.example"}}, -1},
		{"four-byte character", "z=a😀b", []pair{{"z", "a😀b"}}, -1},
		{"UTF-8 then fold", "i=ü\r\n x; a=1", []pair{{"i", "ü\r\n x"}, {"a", "1"}}, -1},
		{"lone continuation byte", "i=a\x80b", nil, 3},
		{"truncated sequence", "i=a\xc3", nil, 3},
		{"overlong encoding", "i=\xc0\xaf", nil, 2},
		{"surrogate", "i=\xed\xa0\x80", nil, 2},
		{"control character still refused", "i=ü\x01", nil, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Scanner{Input: tt.in, UTF8: true}
			var got []pair
			for s.Next() {
				got = append(got, pair{s.Tag(), s.Value()})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Scan(%q) pairs (-want +got):\n%s", tt.in, diff)
			}
			err := s.Err()
			if tt.errOffset < 0 {
				if err != nil {
					t.Errorf("Scan(%q): unexpected error %v", tt.in, err)
				}
				return
			}
			if e, ok := err.(*Error); !ok || e.Offset != tt.errOffset {
				t.Errorf("Scan(%q) error = %v, want offset %d", tt.in, err, tt.errOffset)
			}
		})
	}
}

func TestOffsetsAndIndex(t *testing.T) {
	s := Scanner{Input: "v=DKIM1;  k = rsa"}
	s.Next()
	s.Next()
	if s.Tag() != "k" || s.TagOffset() != 10 || s.ValueOffset() != 14 || s.Index() != 1 {
		t.Errorf("tag %q at %d, value at %d, index %d", s.Tag(), s.TagOffset(), s.ValueOffset(), s.Index())
	}
}

func TestScannerDoesNotAllocate(t *testing.T) {
	in := "v=DMARC1; p=quarantine; pct=100; rua=mailto:a@example.org; aspf=r"
	n := testing.AllocsPerRun(100, func() {
		s := Scanner{Input: in}
		for s.Next() {
		}
	})
	if n != 0 {
		t.Errorf("Scanner allocated %v times", n)
	}
}

func TestStripFWS(t *testing.T) {
	if got := StripFWS("ab c\r\n\td"); got != "abcd" {
		t.Errorf("StripFWS = %q", got)
	}
	if got := StripFWS("abcd"); got != "abcd" {
		t.Errorf("StripFWS = %q", got)
	}
}

// FuzzScanner checks that the scanner never panics, that offsets point at
// what it returns, and that re-serialising the pairs scans back to the same
// pairs.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{"v=DKIM1; k=rsa; p=MIGf", "a=1;;b", "b=abc\r\n def;", "x = y ; z=", "d=bücher.example; i=jürgen@bücher.example", "i=a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := Scanner{Input: in, AllowEmpty: true}
		var pairs []pair
		for s.Next() {
			if !strings.HasPrefix(in[s.TagOffset():], s.Tag()) || !strings.HasPrefix(in[s.ValueOffset():], s.Value()) {
				t.Fatalf("offsets do not point at tag %q / value %q", s.Tag(), s.Value())
			}
			pairs = append(pairs, pair{s.Tag(), s.Value()})
		}
		// UTF8 only widens the value grammar: valid UTF-8 values are
		// whole, and what scans without it scans the same with it.
		u := Scanner{Input: in, AllowEmpty: true, UTF8: true}
		var upairs []pair
		for u.Next() {
			if !utf8.ValidString(u.Value()) {
				t.Fatalf("UTF8 scan gave invalid UTF-8 value %q", u.Value())
			}
			upairs = append(upairs, pair{u.Tag(), u.Value()})
		}
		if s.Err() != nil {
			return
		}
		if u.Err() != nil {
			t.Fatalf("UTF8 scan refused %q, which scans without it: %v", in, u.Err())
		}
		if diff := cmp.Diff(pairs, upairs); diff != "" {
			t.Fatalf("UTF8 scan differs:\n%s", diff)
		}
		var b strings.Builder
		for _, p := range pairs {
			b.WriteString(p.Tag + "=" + p.Value + ";")
		}
		again, err := scanAll(b.String(), false)
		if err != nil {
			t.Fatalf("re-serialised %q does not scan: %v", b.String(), err)
		}
		if diff := cmp.Diff(pairs, again); diff != "" && !(len(pairs) == 0 && len(again) == 0) {
			t.Fatalf("round trip differs:\n%s", diff)
		}
	})
}

// TestNotValChars checks the eight-byte test of PrintableRun against
// byte-at-a-time references, for its two uses: VALCHAR (RFC 6376 §3.2,
// %x21-3A / %x3C-7E, stop ';') and a header field name's ftext (RFC 5322
// §3.6.8, %d33-57 / %d59-126, stop ':'). Its lowest mark is the first
// byte outside the set, for every byte value at every position of a word
// inside it, and for pairs of bytes around the borders of the ranges.
func TestNotValChars(t *testing.T) {
	for _, stop := range []byte{';', ':'} {
		ref := func(b []byte) int { // index of the first byte outside the set, 8 if none
			for i, c := range b {
				if stop == ';' && !isValChar(c) || stop == ':' && (c < 33 || c > 126 || c == ':') {
					return i
				}
			}
			return 8
		}
		check := func(b []byte) {
			got := 8
			if m := notPrintableOr(load8(string(b), 0), stop); m != 0 {
				got = bits.TrailingZeros64(m) >> 3
			}
			if want := ref(b); got != want {
				t.Errorf("notPrintableOr(%q, %q): first mark at %d, want %d", b, stop, got, want)
			}
			if run, want := PrintableRun(string(b), 0, stop), ref(b); run != want {
				t.Errorf("PrintableRun(%q, 0, %q) = %d, want %d", b, stop, run, want)
			}
			// Shorter than a word: the byte loop.
			if run, want := PrintableRun(string(b[:5]), 0, stop), min(ref(b), 5); run != want {
				t.Errorf("PrintableRun(%q, 0, %q) = %d, want %d", b[:5], stop, run, want)
			}
		}
		for pos := 0; pos < 8; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte("abc=~!+<")
				b[pos] = byte(c)
				check(b)
			}
		}
		edges := []byte{0, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x39, 0x3a, 0x3b, 0x3c, 0x7e, 0x7f, 0x80, 0x81, 0xfe, 0xff}
		for i := 0; i < 8; i++ {
			for j := i + 1; j < 8; j++ {
				for _, x := range edges {
					for _, y := range edges {
						b := []byte("!!!!!!!!")
						b[i], b[j] = x, y
						check(b)
					}
				}
			}
		}
	}
}
