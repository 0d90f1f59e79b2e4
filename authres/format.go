package authres

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Folding of Format's output (RFC 5322 §2.1.1): lines of at most 78
// characters where the content allows, never more than 998.
const (
	foldWidth = 78
	maxLine   = 998
	fold      = "\r\n\t"
	// maxVersion is the largest version the parser reads (nine digits).
	maxVersion = 999999999
)

// ErrFormat is wrapped by the errors of Format: Results that cannot be
// written as a valid field.
var ErrFormat = errors.New("authres: cannot format")

// Format writes r as an Authentication-Results field value (without the
// field name; the caller writes "Authentication-Results: " before it, and
// the first line is measured with that prefix). The authserv-id and
// version come first, then each resinfo statement on its own folded line
// (CRLF and a tab), its reason and properties folded at 78 columns. A
// Results without methods is written "; none" (RFC 8601 §2.2).
//
// Values are written bare when they are an RFC 2045 token, or for a
// property value also an address ([local-part] "@" domain-name, which
// §2.2 requires for email identities); otherwise as a quoted string with
// '"' and '\' escaped. Format fails, with an error wrapping ErrFormat,
// when a keyword is not an RFC 5321 Keyword, the authserv-id is empty, a
// property has no ptype, a version is negative or not 1 for the field, a
// value holds a control character or invalid UTF-8, or one item would
// make a line longer than 998 octets.
func Format(r *Results) (string, error) {
	if r == nil || r.AuthServID == "" {
		return "", fmt.Errorf("%w: empty authserv-id", ErrFormat)
	}
	if r.Version != 0 && r.Version != 1 {
		return "", fmt.Errorf("%w: version %d (only 1 is defined, RFC 8601 §2.6)", ErrFormat, r.Version)
	}
	id, err := quoteValue(r.AuthServID, false)
	if err != nil {
		return "", fmt.Errorf("%w: authserv-id: %v", ErrFormat, err)
	}
	var b strings.Builder
	size := len(id) + 8
	for _, m := range r.Methods {
		size += len(m.Method) + len(m.Result) + len(m.Reason) + 20
		for _, p := range m.Props {
			size += len(p.Type) + len(p.Name) + len(p.Value) + 8
		}
	}
	b.Grow(size)
	b.WriteString(id)
	if r.Version != 0 {
		b.WriteString(" 1")
	}
	if len(FieldName)+2+b.Len() > maxLine {
		return "", fmt.Errorf("%w: authserv-id makes a line longer than %d octets", ErrFormat, maxLine)
	}
	if len(r.Methods) == 0 {
		b.WriteString("; none")
		return b.String(), nil
	}
	var buf []item
	for i, m := range r.Methods {
		if err := writeMethod(&b, m, &buf); err != nil {
			return "", fmt.Errorf("%w: method %d (%q): %v", ErrFormat, i, m.Method, err)
		}
	}
	return b.String(), nil
}

// item is one reason or property of a statement: the pieces before the
// value ("reason=", or ptype, ".", property) and the written value.
type item struct {
	pre [3]string
	v   string
}

// writeMethod writes one statement; buf is scratch space reused across
// statements.
func writeMethod(b *strings.Builder, m MethodResult, buf *[]item) error {
	if !isKeyword(m.Method) {
		return fmt.Errorf("method %q is not a keyword", m.Method)
	}
	if !isKeyword(string(m.Result)) {
		return fmt.Errorf("result %q is not a keyword", m.Result)
	}
	if m.MethodVersion < 0 || m.MethodVersion > maxVersion {
		return fmt.Errorf("method version %d out of range 0-%d", m.MethodVersion, maxVersion)
	}
	// Each item is written as its pieces, so that no item string is
	// built only to be copied.
	items := (*buf)[:0]
	defer func() { *buf = items }()
	if m.Reason != "" {
		v, err := quoteValue(m.Reason, false)
		if err != nil {
			return fmt.Errorf("reason: %v", err)
		}
		items = append(items, item{pre: [3]string{"reason="}, v: v})
	}
	for _, p := range m.Props {
		if !isKeyword(p.Type) || !isKeyword(p.Name) {
			return fmt.Errorf("property %q.%q: ptype and property must be keywords", p.Type, p.Name)
		}
		v, err := quoteValue(p.Value, true)
		if err != nil {
			return fmt.Errorf("property %s.%s: %v", p.Type, p.Name, err)
		}
		items = append(items, item{pre: [3]string{p.Type, ".", p.Name}, v: v})
	}
	b.WriteString(";" + fold)
	b.WriteString(m.Method)
	col := 1 + len(m.Method) // the tab counts as one column here
	if m.MethodVersion != 0 {
		v := strconv.Itoa(m.MethodVersion)
		b.WriteString("/" + v)
		col += 1 + len(v)
	}
	b.WriteString("=")
	b.WriteString(string(m.Result))
	col += 1 + len(m.Result)
	if m.Comment != "" {
		if err := checkText(m.Comment); err != nil {
			return fmt.Errorf("comment: %v", err)
		}
		c := quoteComment(m.Comment)
		b.WriteString(" (")
		b.WriteString(c)
		b.WriteByte(')')
		col += 3 + len(c)
	}
	if col > maxLine {
		return fmt.Errorf("line longer than %d octets", maxLine)
	}
	for _, it := range items {
		eq := "="
		if it.pre[1] == "" {
			eq = "" // "reason=" carries its own
		}
		n := len(it.pre[0]) + len(it.pre[1]) + len(it.pre[2]) + len(eq) + len(it.v)
		if 1+n > maxLine {
			return fmt.Errorf("%s%s%s%s%q makes a line longer than %d octets", it.pre[0], it.pre[1], it.pre[2], eq, truncate(it.v), maxLine)
		}
		if col+1+n > foldWidth {
			b.WriteString(fold)
			col = 1 + n
		} else {
			b.WriteByte(' ')
			col += 1 + n
		}
		b.WriteString(it.pre[0])
		b.WriteString(it.pre[1])
		b.WriteString(it.pre[2])
		b.WriteString(eq)
		b.WriteString(it.v)
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// isKeyword: RFC 5321 ldh-str, letters, digits and hyphens, not ending
// in a hyphen.
func isKeyword(s string) bool {
	if s == "" || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isKeyChar(s[i]) {
			return false
		}
	}
	return true
}

// checkText fails for invalid UTF-8 and for control characters other than
// tab, which no part of a field may hold.
func checkText(v string) error {
	if !utf8.ValidString(v) {
		return errors.New("invalid UTF-8")
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; isCTL(c) && c != '\t' {
			return fmt.Errorf("control character %#02x", c)
		}
	}
	return nil
}

// quoteComment escapes '(', ')' and '\' of a comment's text with '\'
// (RFC 5322 §3.2.2 quoted-pair), so that it is one comment.
func quoteComment(v string) string {
	if !strings.ContainsAny(v, `()\`) {
		return v
	}
	var b strings.Builder
	b.Grow(len(v) + 4)
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '(' || c == ')' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// quoteValue writes v as a token, an address (pvalue only) or a quoted
// string (RFC 8601 §2.2).
func quoteValue(v string, pvalue bool) (string, error) {
	if err := checkText(v); err != nil {
		return "", err
	}
	if isToken(v) || pvalue && isAddress(v) {
		return v, nil
	}
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
	return b.String(), nil
}
