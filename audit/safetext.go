package audit

import (
	"strings"

	"github.com/domainauth/domainauth/internal/termsafe"
)

// OneLine folds a multi-line message so that every error is a single line.
func OneLine(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	return strings.Join(fields, "; ")
}

// SafeLine is an error or message text from input as one printable line:
// folded onto one line, then escaped by termsafe.
func SafeLine(s string) string { return termsafe.String(OneLine(s)) }

// SafeHeader is a header field the library built (Received-SPF,
// Authentication-Results) for printing: printable ASCII, which cannot act on
// a terminal, is kept as is, so that the field's own quoting (\" inside a
// quoted-string) survives a copy and paste; anything else goes through
// termsafe.String.
func SafeHeader(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return termsafe.String(s)
		}
	}
	return s
}

// ErrString is err's text, "" for nil.
func ErrString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
