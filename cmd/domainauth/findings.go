package main

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/domainauth/domainauth/internal/termsafe"
)

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
