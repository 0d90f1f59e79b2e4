// Package termsafe makes text from untrusted input safe to print on a
// terminal or in a CSV file. Every string the domainauth command prints that
// came from input (DNS TXT records, report fields, message headers, event
// JSON) goes through String, so that a crafted value cannot clear the screen,
// move the cursor, set the window title, write to the clipboard (OSC 52),
// reorder what is shown with bidi controls, or break a one-line message.
// Printable is the matching test for a value the module writes as is (into
// a header field, such as an Authentication-Results property value or
// authserv-id) rather than escapes.
package termsafe

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// String returns s with every byte or rune that a terminal could act on
// escaped in Go's notation: C0 controls (tab and newline included, since the
// output is one line per value), DEL, C1 controls (U+0080–U+009F, such as
// U+009B, an 8-bit CSI), the line and paragraph separators U+2028/U+2029,
// the bidi controls U+061C, U+200E, U+200F, U+202A–U+202E and U+2066–U+2069,
// and bytes that are not valid UTF-8 (written as \xNN). A backslash is
// written as \\ so that an escape in the output is never ambiguous with one
// in the input. Printable text, including non-ASCII letters, is unchanged.
func String(s string) string { return escape(s, false) }

// Message is String for a message that may already cite its input in Go
// syntax, as error messages do with %q: it escapes the same bytes and runes
// but keeps a backslash as it is, so that the escapes already in the message
// are not doubled. Message(Message(s)) == Message(s), so a message is never
// escaped twice, whichever of its parts were escaped before. The price is
// that a backslash in the input reads like an escape: use String for a value
// printed on its own.
func Message(s string) string { return escape(s, true) }

// Printable reports whether s is valid UTF-8 holding none of the runes
// String escapes (a backslash aside): no C0 control (tab included), DEL,
// C1 control, line or paragraph separator, or bidi control. A valid U+FFFD
// is printable: it is a character like any other, and only invalid bytes
// are refused. It is the one test for a value this module writes into a
// header field or prints as is (an authserv-id, a HELO name, a property
// value): such a value is safe in both places, since what a terminal
// could act on also has no place in a header value, and what a header
// cannot hold (a control, invalid UTF-8) a terminal must not be sent.
func Printable(s string) bool { return unsafeIndex(s, true) < 0 }

func escape(s string, keepBackslash bool) string {
	i := unsafeIndex(s, keepBackslash)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case r == '\\' && !keepBackslash:
			b.WriteString(`\\`)
		case needsEscape(r):
			b.WriteString(escapeRune(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// unsafeIndex returns the index of the first byte of s that escape would
// change, or -1. ASCII text, the common case, is scanned without decoding.
func unsafeIndex(s string, keepBackslash bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || (c == '\\' && !keepBackslash) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || needsEscape(r) {
			return i
		}
		i += size
	}
	return -1
}

// needsEscape reports whether the rune is a control, a separator that ends a
// line, or a bidi control.
func needsEscape(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

func escapeRune(r rune) string {
	switch r {
	case '\t':
		return `\t`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	}
	if r < 0x100 {
		return `\x` + hex2(byte(r))
	}
	q := strconv.FormatInt(int64(r), 16)
	return `\u` + strings.Repeat("0", 4-len(q)) + q
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// CSVCell returns s made safe for a CSV cell that a spreadsheet may open:
// escaped as by String, and prefixed with a single quote when it starts with
// a character a spreadsheet reads as the start of a formula (=, +, -, @), so
// that a value from a report such as "=HYPERLINK(...)" stays text. The CSV
// quoting itself is left to encoding/csv.
func CSVCell(s string) string {
	s = String(s)
	if s != "" && strings.IndexByte("=+-@", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// Strings applies String to every element of ss, in place, and returns ss.
func Strings(ss []string) []string {
	for i, s := range ss {
		ss[i] = String(s)
	}
	return ss
}
