package authres

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Default bounds of a Parser whose fields are zero.
const (
	// DefaultMaxLength bounds the input of Parse in bytes (field name,
	// folding and comments included): 32 KiB, room for a field with
	// dozens of results while a hostile field cannot grow without limit.
	DefaultMaxLength = 32 << 10
	// DefaultMaxMethods bounds the resinfo statements of one field.
	DefaultMaxMethods = 64
	// DefaultMaxProperties bounds the propspecs of one resinfo statement.
	DefaultMaxProperties = 32
)

// Sentinel errors, wrapped in a *ParseError; match them with errors.Is.
var (
	// ErrSyntax: the field does not follow the grammar of RFC 8601 §2.2
	// (with the documented tolerances unless Parser.Strict).
	ErrSyntax = errors.New("malformed field")
	// ErrVersion: the field carries an authres-version other than 1, which
	// this parser does not know (RFC 8601 §2.6).
	ErrVersion = errors.New("unsupported version")
	// ErrTooLong: the input exceeds Parser.MaxLength.
	ErrTooLong = errors.New("field too long")
	// ErrTooManyMethods: more resinfo statements than Parser.MaxMethods.
	ErrTooManyMethods = errors.New("too many methods")
	// ErrTooManyProperties: more propspecs in one statement than
	// Parser.MaxProperties.
	ErrTooManyProperties = errors.New("too many properties")
)

// ParseError describes a field that could not be read.
type ParseError struct {
	// Offset is the byte offset in the input where the problem was found.
	Offset int
	// Msg says what was expected and what was found.
	Msg string
	// AuthServID is the authserv-id read before the problem, or "" when
	// the problem came first: RFC 8601 §5 removal needs it even from a
	// field that is otherwise broken.
	AuthServID string
	// Err is one of the sentinel errors of this package.
	Err error
}

// Error returns the message with the offset it concerns.
func (e *ParseError) Error() string {
	return fmt.Sprintf("authres: offset %d: %s: %s", e.Offset, e.Err, e.Msg)
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }

// Parser reads Authentication-Results fields. The zero Parser is ready to
// use with the default bounds and the tolerances described in the package
// documentation; it is safe for concurrent use.
type Parser struct {
	// MaxLength bounds the input in bytes. If zero, DefaultMaxLength.
	MaxLength int
	// MaxMethods bounds the resinfo statements of one field. If zero,
	// DefaultMaxMethods.
	MaxMethods int
	// MaxProperties bounds the propspecs of one statement. If zero,
	// DefaultMaxProperties.
	MaxProperties int
	// Strict turns every tolerance off: the field must follow the grammar
	// of RFC 8601 §2.2 exactly.
	Strict bool
}

// Parse reads one Authentication-Results field value with the zero Parser.
func Parse(field string) (*Results, error) {
	var p Parser
	return p.Parse(field)
}

// Parse reads one Authentication-Results field. The input is the field
// value, with or without a leading "Authentication-Results:" name, folded
// or not, with CRLF or bare LF line ends.
func (p *Parser) Parse(field string) (*Results, error) {
	st := state{s: field, p: p, maxProps: or(p.MaxProperties, DefaultMaxProperties)}
	if max := or(p.MaxLength, DefaultMaxLength); len(field) > max {
		return nil, st.fail(max, ErrTooLong, "%d bytes, more than %d", len(field), max)
	}
	return st.parse(or(p.MaxMethods, DefaultMaxMethods))
}

func or(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

type state struct {
	s        string
	i        int
	p        *Parser
	maxProps int
	res      Results
}

func (st *state) fail(off int, err error, format string, args ...any) *ParseError {
	return &ParseError{Offset: off, Msg: fmt.Sprintf(format, args...), AuthServID: st.res.AuthServID, Err: err}
}

func (st *state) syntax(format string, args ...any) *ParseError {
	return st.fail(st.i, ErrSyntax, format, args...)
}

// found describes the input at the cursor for messages.
func (st *state) found() string {
	if st.i >= len(st.s) {
		return "end of field"
	}
	r, _ := utf8.DecodeRuneInString(st.s[st.i:])
	if r == utf8.RuneError {
		return fmt.Sprintf("byte %#02x", st.s[st.i])
	}
	return fmt.Sprintf("%q", r)
}

func (st *state) eof() bool { return st.i >= len(st.s) }

func (st *state) peek() byte {
	if st.i < len(st.s) {
		return st.s[st.i]
	}
	return 0
}

func (st *state) parse(maxMethods int) (*Results, error) {
	st.skipName()
	// The grammar ends with [CFWS] CRLF: one line end after the value is
	// part of the field.
	st.s = strings.TrimSuffix(strings.TrimSuffix(st.s, "\n"), "\r")
	if err := st.cfws(); err != nil {
		return nil, err
	}
	start := st.i
	hasID := true
	id, quoted, err := st.value()
	if err != nil {
		return nil, err
	}
	if id == "" && !quoted {
		return nil, st.syntax("expected an authserv-id, found %s", st.found())
	}
	sp := st.i
	if err := st.cfws(); err != nil {
		return nil, err
	}
	if !quoted && (st.peek() == '=' || st.peek() == '/') {
		// No authserv-id: the field opens with a method (tolerance 1).
		if st.p.Strict {
			st.i = sp
			return nil, st.syntax("expected \";\" after the authserv-id %q, found %s (a method without an authserv-id)", id, st.found())
		}
		hasID = false
		st.i = start
	} else {
		st.res.AuthServID = id
		if st.i > sp && isDigit(st.peek()) {
			v, err := st.number("authres-version")
			if err != nil {
				return nil, err
			}
			if v != 1 {
				return nil, st.fail(sp, ErrVersion, "version %d after authserv-id %q; only version 1 is known (RFC 8601 §2.6)", v, id)
			}
			st.res.Version = v
			if err := st.cfws(); err != nil {
				return nil, err
			}
		}
	}
	// One allocation for the statements: at most one per ";" (plus one
	// for a field without an authserv-id), within the bound.
	st.res.Methods = make([]MethodResult, 0, min(strings.Count(st.s[st.i:], ";")+1, maxMethods))
	none := false
	for first := true; ; first = false {
		if hasID || !first {
			if err := st.cfws(); err != nil {
				return nil, err
			}
			if st.eof() {
				break
			}
			if none {
				return nil, st.syntax("expected end of field after \"none\", found %s", st.found())
			}
			if st.peek() != ';' {
				return nil, st.syntax("expected \";\", found %s", st.found())
			}
			st.i++
			if err := st.cfws(); err != nil {
				return nil, err
			}
			if st.eof() || st.peek() == ';' {
				// Empty statement (tolerance 3).
				if st.p.Strict || len(st.res.Methods) == 0 && st.eof() {
					return nil, st.syntax("expected a method or \"none\" after \";\", found %s", st.found())
				}
				continue
			}
		}
		at := st.i
		tok := st.token()
		if err := st.cfws(); err != nil {
			return nil, err
		}
		if c := st.peek(); c == '=' || c == '/' {
			if len(st.res.Methods) >= maxMethods {
				return nil, st.fail(at, ErrTooManyMethods, "more than %d methods", maxMethods)
			}
			st.i = at
			m, err := st.resinfo()
			if err != nil {
				return nil, err
			}
			st.res.Methods = append(st.res.Methods, m)
			continue
		}
		switch {
		case tok == "":
			return nil, st.syntax("expected a method, found %s", st.found())
		case first && hasID && strings.EqualFold(tok, "none") && (st.eof() || st.peek() == ';'):
			// no-result (§2.2); only the end of the field may follow.
			none = true
		case !st.p.Strict && (st.eof() || st.peek() == ';') && st.placeID(tok, hasID):
			// Tolerance 2: an authserv-id among the statements.
		default:
			return nil, st.syntax("expected \"=\" after method %q, found %s", tok, st.found())
		}
	}
	if !none && len(st.res.Methods) == 0 {
		return nil, st.syntax("expected \"; none\" or at least one method")
	}
	r := st.res
	return &r, nil
}

// headID reads the authserv-id at the head of a field value, where RFC
// 8601 §2.2 puts it, and reports whether there is one there (and not
// only after the statements, tolerances 1 and 2).
func headID(field string) (string, bool) {
	st := state{s: field, p: &Parser{}}
	st.skipName()
	if st.cfws() != nil {
		return "", false
	}
	id, quoted, err := st.value()
	if err != nil || id == "" && !quoted {
		return "", false
	}
	if st.cfws() != nil || !quoted && (st.peek() == '=' || st.peek() == '/') {
		return "", false
	}
	return id, true
}

// placeID takes tok as the authserv-id when it stands alone between
// semicolons: Exchange Online writes its authserv-id after the statements
// of a field that opened without one. It reports whether tok was taken.
func (st *state) placeID(tok string, hasID bool) bool {
	switch {
	case st.res.AuthServID == "" && !hasID:
		st.res.AuthServID = tok
		return true
	case st.res.AuthServID != "" && strings.EqualFold(tok, st.res.AuthServID):
		return true
	}
	return false
}

// skipName removes a leading "Authentication-Results:" (any case, white
// space allowed before the colon as in RFC 5322 obsolete syntax).
func (st *state) skipName() {
	if len(st.s) < len(FieldName) || !strings.EqualFold(st.s[:len(FieldName)], FieldName) {
		return
	}
	j := len(FieldName)
	for j < len(st.s) && (st.s[j] == ' ' || st.s[j] == '\t') {
		j++
	}
	if j < len(st.s) && st.s[j] == ':' {
		st.i = j + 1
	}
}

// resinfo reads methodspec [CFWS reasonspec] [CFWS 1*propspec] (§2.2),
// the cursor on the method.
func (st *state) resinfo() (MethodResult, error) {
	var m MethodResult
	m.Method = st.keyword()
	if m.Method == "" {
		return m, st.syntax("expected a method keyword, found %s", st.found())
	}
	if err := st.cfws(); err != nil {
		return m, err
	}
	if st.peek() == '/' {
		st.i++
		if err := st.cfws(); err != nil {
			return m, err
		}
		v, err := st.number("method-version")
		if err != nil {
			return m, err
		}
		m.MethodVersion = v
		if err := st.cfws(); err != nil {
			return m, err
		}
	}
	if st.peek() != '=' {
		return m, st.syntax("method %q: expected \"=\", found %s", m.Method, st.found())
	}
	st.i++
	if err := st.cfws(); err != nil {
		return m, err
	}
	r := st.keyword()
	if r == "" {
		return m, st.syntax("method %q: expected a result keyword, found %s", m.Method, st.found())
	}
	m.Method, m.Result = strings.ToLower(m.Method), Result(strings.ToLower(r))
	reasonSet := false
	for {
		if err := st.cfws(); err != nil {
			return m, err
		}
		if st.eof() || st.peek() == ';' {
			return m, nil
		}
		at := st.i
		k := st.keyword()
		if k == "" {
			return m, st.syntax("method %q: expected a property (ptype.property=value), reason= or \";\", found %s", m.Method, st.found())
		}
		if err := st.cfws(); err != nil {
			return m, err
		}
		switch st.peek() {
		case '.':
			st.i++
			if err := st.cfws(); err != nil {
				return m, err
			}
			name := st.keyword()
			if name == "" {
				return m, st.syntax("method %q: expected a property name after %q, found %s", m.Method, k+".", st.found())
			}
			if err := st.cfws(); err != nil {
				return m, err
			}
			if st.peek() != '=' {
				return m, st.syntax("method %q: expected \"=\" after property %s.%s, found %s", m.Method, k, name, st.found())
			}
			st.i++
			if len(m.Props) >= st.maxProps {
				return m, st.fail(at, ErrTooManyProperties, "method %q: more than %d properties", m.Method, st.maxProps)
			}
			v, err := st.pvalue()
			if err != nil {
				return m, err
			}
			m.Props = append(m.Props, Property{Type: strings.ToLower(k), Name: strings.ToLower(name), Value: v})
		case '=':
			st.i++
			lk := strings.ToLower(k)
			if lk == "reason" && !reasonSet && (len(m.Props) == 0 || !st.p.Strict) {
				// reasonspec (§2.2); after the properties only by
				// tolerance 4.
				if err := st.cfws(); err != nil {
					return m, err
				}
				v, err := st.reason()
				if err != nil {
					return m, err
				}
				m.Reason, reasonSet = v, true
				continue
			}
			if st.p.Strict {
				st.i = at
				if lk == "reason" {
					return m, st.syntax("method %q: reason= must come once, before the properties", m.Method)
				}
				return m, st.syntax("method %q: expected ptype.property=value, found %q= without a ptype", m.Method, k)
			}
			// Tolerance 4: a bare name=value is a property without a ptype.
			if len(m.Props) >= st.maxProps {
				return m, st.fail(at, ErrTooManyProperties, "method %q: more than %d properties", m.Method, st.maxProps)
			}
			v, err := st.pvalue()
			if err != nil {
				return m, err
			}
			m.Props = append(m.Props, Property{Name: lk, Value: v})
		default:
			return m, st.syntax("method %q: expected \".\" or \"=\" after %q, found %s", m.Method, k, st.found())
		}
	}
}

// reason reads the value of reasonspec: value = token / quoted-string
// (RFC 2045 §5.1), or by tolerance 5 any run of visible characters.
func (st *state) reason() (string, error) {
	if st.peek() == '"' {
		return st.quoted()
	}
	at := st.i
	run, err := st.run()
	if err != nil {
		return "", err
	}
	if run == "" {
		return "", st.syntax("expected a reason value, found %s", st.found())
	}
	if st.p.Strict && !isToken(run) {
		st.i = at
		return "", st.syntax("reason %q is neither a token nor a quoted string", run)
	}
	return run, nil
}

// pvalue reads [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS]
// (§2.2).
func (st *state) pvalue() (string, error) {
	if err := st.cfws(); err != nil {
		return "", err
	}
	at := st.i
	if st.peek() == '"' {
		q, err := st.quoted()
		if err != nil {
			return "", err
		}
		if st.peek() != '@' {
			return q, nil
		}
		// A quoted local-part: keep the address as written.
		st.i++
		d, err := st.run()
		if err != nil {
			return "", err
		}
		if st.p.Strict && !isDomain(d) {
			addr := st.s[at:st.i]
			st.i -= len(d)
			return "", st.syntax("address %s: %q is not a domain name", addr, d)
		}
		return st.s[at:st.i], nil
	}
	run, err := st.run()
	if err != nil {
		return "", err
	}
	if run == "" {
		return "", st.syntax("expected a property value, found %s", st.found())
	}
	if st.p.Strict && !isToken(run) && !isAddress(run) {
		st.i = at
		return "", st.syntax("value %q is neither a token, a quoted string nor an address", run)
	}
	return run, nil
}

// run reads the longest run of characters that can form an unquoted
// value: everything but white space, controls, ";", "(", ")" and '"'. A
// strict caller then checks it against the grammar.
func (st *state) run() (string, error) {
	at := st.i
	for st.i < len(st.s) {
		c := st.s[st.i]
		if c < 0x80 {
			if c <= ' ' || c == 0x7f || c == ';' || c == '(' || c == ')' || c == '"' {
				break
			}
			st.i++
			continue
		}
		r, n := utf8.DecodeRuneInString(st.s[st.i:])
		if r == utf8.RuneError && n == 1 {
			return "", st.syntax("invalid UTF-8")
		}
		st.i += n
	}
	return st.s[at:st.i], nil
}

// token reads an RFC 2045 token (UTF-8 allowed, RFC 8601 §1.5.2).
func (st *state) token() string {
	at := st.i
	for st.i < len(st.s) {
		c := st.s[st.i]
		if c >= 0x80 {
			r, n := utf8.DecodeRuneInString(st.s[st.i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			st.i += n
			continue
		}
		if !isTokenChar(c) {
			break
		}
		st.i++
	}
	return st.s[at:st.i]
}

// value reads value = token / quoted-string, reporting whether it was
// quoted.
func (st *state) value() (string, bool, error) {
	if st.peek() == '"' {
		v, err := st.quoted()
		return v, true, err
	}
	return st.token(), false, nil
}

// keyword reads an RFC 5321 Keyword (ldh-str): letters, digits and
// hyphens, not ending in a hyphen.
func (st *state) keyword() string {
	at := st.i
	for st.i < len(st.s) && isKeyChar(st.s[st.i]) {
		st.i++
	}
	for st.i > at && st.s[st.i-1] == '-' {
		st.i--
	}
	return st.s[at:st.i]
}

// number reads 1*DIGIT, at most 9 digits.
func (st *state) number(what string) (int, error) {
	at := st.i
	n := 0
	for st.i < len(st.s) && isDigit(st.s[st.i]) {
		if st.i-at == 9 {
			return 0, st.syntax("%s longer than 9 digits", what)
		}
		n = n*10 + int(st.s[st.i]-'0')
		st.i++
	}
	if st.i == at {
		return 0, st.syntax("expected a %s (digits), found %s", what, st.found())
	}
	return n, nil
}

// quoted reads a quoted-string (RFC 5322 §3.2.4, UTF-8 allowed by RFC
// 6532) and returns its content: escapes resolved, folding removed.
func (st *state) quoted() (string, error) {
	open := st.i
	st.i++
	var b strings.Builder
	seg := st.i
	for {
		if st.i >= len(st.s) {
			st.i = open
			return "", st.syntax("unterminated quoted string")
		}
		c := st.s[st.i]
		switch {
		case c == '"':
			b.WriteString(st.s[seg:st.i])
			st.i++
			return b.String(), nil
		case c == '\\':
			b.WriteString(st.s[seg:st.i])
			if st.i+1 >= len(st.s) {
				st.i = open
				return "", st.syntax("unterminated quoted string")
			}
			e := st.s[st.i+1]
			if e == '\r' || e == '\n' || isCTL(e) && e != '\t' {
				st.i++
				return "", st.syntax("control character %#02x escaped in a quoted string", e)
			}
			n := 1
			if e >= 0x80 {
				// An escaped UTF-8 character: keep all of its bytes.
				r, size := utf8.DecodeRuneInString(st.s[st.i+1:])
				if r == utf8.RuneError && size == 1 {
					st.i++
					return "", st.syntax("invalid UTF-8 in a quoted string")
				}
				n = size
			}
			b.WriteString(st.s[st.i+1 : st.i+1+n])
			st.i += 1 + n
			seg = st.i
		case c == '\r' || c == '\n':
			// FWS inside the string: the line end goes, the white
			// space that follows stays (RFC 5322 §3.2.2).
			b.WriteString(st.s[seg:st.i])
			if err := st.lineEnd(); err != nil {
				return "", err
			}
			seg = st.i
		case isCTL(c) && c != '\t':
			return "", st.syntax("control character %#02x in a quoted string", c)
		case c >= 0x80:
			r, n := utf8.DecodeRuneInString(st.s[st.i:])
			if r == utf8.RuneError && n == 1 {
				return "", st.syntax("invalid UTF-8 in a quoted string")
			}
			st.i += n
		default:
			st.i++
		}
	}
}

// lineEnd consumes CRLF or LF, which must be followed by white space
// (folding); a bare LF is tolerated because stored messages often have
// them (tolerance 6).
func (st *state) lineEnd() error {
	at := st.i
	if st.s[st.i] == '\r' {
		if st.i+1 >= len(st.s) || st.s[st.i+1] != '\n' {
			return st.syntax("carriage return without line feed")
		}
		st.i++
	} else if st.p.Strict {
		return st.syntax("line feed without carriage return")
	}
	st.i++
	if st.i >= len(st.s) || (st.s[st.i] != ' ' && st.s[st.i] != '\t') {
		st.i = at
		return st.syntax("line break not followed by white space (not a folded line)")
	}
	return nil
}

// cfws skips white space, folding and comments, nested to any depth.
func (st *state) cfws() error {
	for st.i < len(st.s) {
		switch c := st.s[st.i]; c {
		case ' ', '\t':
			st.i++
		case '\r', '\n':
			if err := st.lineEnd(); err != nil {
				return err
			}
		case '(':
			if err := st.comment(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

func (st *state) comment() error {
	open := st.i
	depth := 0
	for st.i < len(st.s) {
		switch c := st.s[st.i]; c {
		case '(':
			depth++
			st.i++
		case ')':
			depth--
			st.i++
			if depth == 0 {
				return nil
			}
		case '\\':
			st.i += 2
		case '\r', '\n':
			if err := st.lineEnd(); err != nil {
				return err
			}
		default:
			st.i++
		}
	}
	st.i = open
	return st.syntax("unterminated comment")
}

func isDigit(c byte) bool   { return '0' <= c && c <= '9' }
func isCTL(c byte) bool     { return c < ' ' || c == 0x7f }
func isKeyChar(c byte) bool { return isAlnum(c) || c == '-' }
func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// tokenChars marks the RFC 2045 §5.1 token characters (ASCII).
var tokenChars = func() (t [128]bool) {
	for c := '!'; c < 0x7f; c++ {
		t[c] = !strings.ContainsRune(`()<>@,;:\"/[]?=`, c)
	}
	return t
}()

// isTokenChar: RFC 2045 §5.1 token characters (ASCII).
func isTokenChar(c byte) bool { return c < 0x80 && tokenChars[c] }

// isToken reports whether s is a non-empty RFC 2045 token, UTF-8 allowed
// beyond ASCII (RFC 8601 §1.5.2).
func isToken(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x80 && !isTokenChar(c) {
			return false
		}
	}
	return true
}

// isAtext: RFC 5322 §3.2.3 atext, UTF-8 allowed (RFC 6532).
func isAtext(c byte) bool {
	return isAlnum(c) || c >= 0x80 || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// isAddress reports whether s is [ [ local-part ] "@" ] domain-name with
// an "@" (RFC 8601 §2.2): a dot-atom or quoted-string local part, and a
// domain name of RFC 6376 §3.5.
func isAddress(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 0 || !utf8.ValidString(s) || !isDomain(s[at+1:]) {
		return false
	}
	local := s[:at]
	if local == "" || isDotAtom(local) {
		return true
	}
	return isQuotedLocal(local)
}

func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			if s[i-1] == '.' {
				return false
			}
		} else if !isAtext(s[i]) {
			return false
		}
	}
	return true
}

// isQuotedLocal reports whether s is one quoted-string without folding or
// controls, as the parser keeps a quoted local part.
func isQuotedLocal(s string) bool {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
			if i == len(s)-1 || isCTL(s[i]) && s[i] != '\t' {
				return false
			}
		case c == '"' || isCTL(c) && c != '\t':
			return false
		}
	}
	return true
}

// isDomain: RFC 6376 §3.5 domain-name = sub-domain 1*("." sub-domain),
// sub-domain = Let-dig [Ldh-str] (RFC 5321), U-labels allowed (RFC 8601
// §1.5.2).
func isDomain(s string) bool {
	labels := 0
	for s != "" {
		l, rest, more := strings.Cut(s, ".")
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' || more && rest == "" {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; c < 0x80 && !isKeyChar(c) {
				return false
			}
		}
		labels++
		s = rest
	}
	return labels >= 2
}
