package main

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/domainauth/domainauth/internal/termsafe"
)

// safeLine is an error or message text from input as one printable line:
// folded onto one line, then escaped by termsafe.
func safeLine(s string) string { return termsafe.String(oneLine(s)) }

// safeHeader is a header field the library built (Received-SPF,
// Authentication-Results) for printing: printable ASCII, which cannot act on
// a terminal, is kept as is, so that the field's own quoting (\" inside a
// quoted-string) survives a copy and paste; anything else goes through
// termsafe.String.
func safeHeader(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return termsafe.String(s)
		}
	}
	return s
}

// errString is err's text, "" for nil.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// writeJSON prints v as indented JSON with a final newline. The encoder
// escapes C0 controls and U+2028/2029 and replaces invalid UTF-8; the other
// runes termsafe escapes (C1 controls such as U+009B, bidi controls) it
// writes raw, so they are written as \uXXXX here (termsafe.JSON).
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(termsafe.JSON(buf.Bytes()))
	return err
}
