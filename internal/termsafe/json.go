package termsafe

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// JSON rewrites, in encoded JSON, the non-ASCII runes String would escape
// (C1 controls such as U+009B, bidi controls) as \uXXXX
// escapes, which encoding/json writes raw. Outside strings JSON is ASCII,
// so every non-ASCII rune is inside a string, where the escape means the
// same rune: the result is valid JSON, equal once decoded, and inert on a
// terminal. The encoder already escapes C0 controls and replaces invalid
// UTF-8. js is returned as is when nothing needs escaping.
func JSON(js []byte) []byte {
	unsafe := func(r rune) bool { return r >= utf8.RuneSelf && needsEscape(r) }
	i := bytes.IndexFunc(js, unsafe)
	if i < 0 {
		return js
	}
	out := make([]byte, 0, len(js)+16)
	out = append(out, js[:i]...)
	for i < len(js) {
		r, size := utf8.DecodeRune(js[i:])
		if unsafe(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, js[i:i+size]...)
		}
		i += size
	}
	return out
}
