package spf

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"
)

// Independent checkers for the header grammars, written from the RFCs
// rather than from header.go, so that the tests do not grade the code
// against itself.

const atextSpecials = "!#$%&'*+-/=?^_`{|}~"

func atext(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(atextSpecials, c) >= 0
}

// quotedString reads an RFC 5322 §3.2.4 quoted-string (unfolded) at the
// start of s and returns its length.
func quotedString(s string) (int, error) {
	if s == "" || s[0] != '"' {
		return 0, errors.New("no opening quote")
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			if i+1 == len(s) || s[i+1] < 0x20 || s[i+1] > 0x7e {
				return 0, fmt.Errorf("bad quoted-pair at %d", i)
			}
			i++
		case c == '"':
			return i + 1, nil
		case c < 0x20 || c > 0x7e:
			return 0, fmt.Errorf("byte 0x%02x in quoted-string", c)
		}
	}
	return 0, errors.New("unterminated quoted-string")
}

// dotAtomText reads an RFC 5322 §3.2.3 dot-atom-text at the start of s.
func dotAtomText(s string) (int, error) {
	i := 0
	for i < len(s) && (atext(s[i]) || s[i] == '.') {
		i++
	}
	v := s[:i]
	if v == "" || v[0] == '.' || v[len(v)-1] == '.' || strings.Contains(v, "..") {
		return 0, fmt.Errorf("%q is not a dot-atom", v)
	}
	return i, nil
}

// checkReceivedSPF checks h against RFC 7208 §9.1 (unfolded, no CRLF) and
// RFC 5322 §2.1.1 (at most 998 characters), returning the key-value pairs.
func checkReceivedSPF(h string) (map[string]string, error) {
	if len(h) > 998 {
		return nil, fmt.Errorf("%d characters, more than 998", len(h))
	}
	s, ok := strings.CutPrefix(h, "Received-SPF: ")
	if !ok {
		return nil, errors.New("no field name")
	}
	end := strings.IndexByte(s, ' ')
	if end < 0 {
		end = len(s)
	}
	switch s[:end] {
	case "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror":
	default:
		return nil, fmt.Errorf("bad result %q", s[:end])
	}
	s = strings.TrimPrefix(s[end:], " ")
	if strings.HasPrefix(s, "(") { // comment: ctext, quoted-pair, nested comments
		depth, i := 0, 0
		for ; i < len(s); i++ {
			c := s[i]
			if c < 0x20 || c > 0x7e {
				return nil, fmt.Errorf("byte 0x%02x in comment", c)
			}
			if c == '\\' {
				i++
				continue
			}
			if c == '(' {
				depth++
			} else if c == ')' {
				if depth--; depth == 0 {
					break
				}
			}
		}
		if depth != 0 {
			return nil, errors.New("unbalanced comment")
		}
		s = strings.TrimPrefix(s[i+1:], " ")
	}
	kv := map[string]string{}
	for s != "" {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("no key at %q", s)
		}
		key := s[:eq]
		for i := 0; i < len(key); i++ {
			if !atext(key[i]) || key[i] == '=' {
				return nil, fmt.Errorf("bad key %q", key)
			}
		}
		s = s[eq+1:]
		var n int
		var err error
		if strings.HasPrefix(s, `"`) {
			n, err = quotedString(s)
		} else {
			n, err = dotAtomText(s)
		}
		if err != nil {
			return nil, fmt.Errorf("key %s: %v", key, err)
		}
		kv[key] = s[:n]
		s = s[n:]
		if s == "" {
			break
		}
		if s[0] != ';' {
			return nil, fmt.Errorf("key %s: %q follows the value", key, s)
		}
		s = strings.TrimPrefix(s[1:], " ")
	}
	return kv, nil
}

// pvalue checks an RFC 8601 §2.2 pvalue: value (RFC 2045 token or
// quoted-string) or [[local-part] "@"] domain-name (RFC 6376 §3.5), the
// local-part a dot-atom or a quoted-string (RFC 5322 §3.4.1).
func pvalue(v string) error {
	if strings.HasPrefix(v, `"`) {
		n, err := quotedString(v)
		if err == nil && n != len(v) {
			if v[n] != '@' {
				return fmt.Errorf("%q follows the quoted-string", v[n:])
			}
			return pvalue(v[n:])
		}
		return err
	}
	// RFC 8601 §1.5.2 and RFC 6532: UTF-8 is allowed in values (an
	// internationalised HELO name or mailbox).
	if utf8Token(v) {
		return nil
	}
	at := strings.LastIndexByte(v, '@')
	if at < 0 {
		return fmt.Errorf("%q is neither a token nor a domain-name", v)
	}
	if local := v[:at]; local != "" {
		if n, err := dotAtomText(local); err != nil || n != len(local) {
			return fmt.Errorf("local-part %q is not a dot-string", local)
		}
	}
	labels := strings.Split(v[at+1:], ".")
	if len(labels) < 2 {
		return fmt.Errorf("domain %q has one label", v[at+1:])
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' || strings.Trim(l, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			return fmt.Errorf("domain %q: bad sub-domain %q", v[at+1:], l)
		}
	}
	return nil
}

// checkAuthResultsSPF checks a "spf=result [reason=value] [ptype.prop=pvalue]"
// method result against RFC 8601 §2.2 and returns the property value ("" when
// there is none).
func checkAuthResultsSPF(s string) (string, error) {
	if len(s) > 998 {
		return "", fmt.Errorf("%d characters", len(s))
	}
	// RFC 8601 §1.5.2 and RFC 6532 §3.2: UTF-8 is allowed where the ASCII
	// grammar allows a printable character; check the grammar on the text
	// with each non-ASCII character standing as one.
	if !utf8.ValidString(s) {
		return "", errors.New("invalid UTF-8")
	}
	s = strings.Map(func(r rune) rune {
		if r >= 0x80 {
			return 'u'
		}
		return r
	}, s)
	rest, ok := strings.CutPrefix(s, "spf=")
	if !ok {
		return "", errors.New("no spf=")
	}
	end := strings.IndexByte(rest, ' ')
	if end < 0 {
		end = len(rest)
	}
	switch rest[:end] {
	case "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror":
	default:
		return "", fmt.Errorf("bad result %q", rest[:end])
	}
	if end == len(rest) {
		return "", nil
	}
	rest = rest[end+1:]
	if r, ok := strings.CutPrefix(rest, "reason="); ok {
		// RFC 8601 §2.2: reasonspec = "reason" "=" value (RFC 2045: a
		// token or a quoted-string).
		n := strings.IndexByte(r, ' ')
		if n < 0 {
			n = len(r)
		}
		if strings.HasPrefix(r, `"`) {
			var err error
			if n, err = quotedString(r); err != nil {
				return "", fmt.Errorf("reason: %v", err)
			}
		} else if !utf8Token(r[:n]) {
			return "", fmt.Errorf("reason %q is neither a token nor a quoted-string", r[:n])
		}
		if n == len(r) {
			return "", nil
		}
		if !strings.HasPrefix(r[n:], " ") {
			return "", errors.New("no space after the reason")
		}
		rest = r[n+1:]
	}
	for _, p := range []string{"smtp.mailfrom=", "smtp.helo="} {
		if v, ok := strings.CutPrefix(rest, p); ok {
			return v, pvalue(v)
		}
	}
	return "", fmt.Errorf("unknown property in %q", rest)
}

// utf8Token reports whether s is an RFC 2045 token, UTF-8 characters
// allowed as RFC 8601 §1.5.2 and RFC 6532 §3.2 allow them in values.
func utf8Token(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// checked sets r.Checked from in as Check and CheckHELO do.
func checked(r Result, in Input) Result {
	r.Checked = envelopeFrom(in)
	if r.Identity == IdentityHELO {
		r.Checked = in.HELO
	}
	return r
}

// TestRFCReceivedSPFGrammar: RFC 7208 §9.1 — the field follows its ABNF,
// carries client-ip, helo, envelope-from (SHOULD) and identity, and MUST
// NOT contain invalid characters, be excessively long (RFC 5322 §2.1.1:
// at most 998 characters a line) or carry sender data that breaks out of
// a value or the comment.
func TestRFCReceivedSPFGrammar(t *testing.T) {
	long := func(unit string, n int) string { return strings.Repeat(unit, n) }
	perm := &CheckError{Domain: long("d", 250), Term: long("t", 200), Err: ErrNoRecord}
	tests := []struct {
		name     string
		r        Result
		in       Input
		receiver string
	}{
		{"plain pass", Result{Code: CodePass, Matched: &Term{Kind: KindA, Qualifier: QualifierPass}}, Input{IP: ip1, MailFrom: "a@example.com", HELO: "mx.example.com"}, "mx.example.net"},
		{"header injection", Result{Code: CodeFail}, Input{IP: ip1, MailFrom: "a\r\nX-Evil: 1@example.com", HELO: "x\r\n\ty"}, "mx\r\n.example.net"},
		{"quotes, backslashes and parentheses", Result{Code: CodeNeutral}, Input{IP: ip1, MailFrom: `"a\"b(c)"@example.com`, HELO: `h\(`}, `r)(`},
		{"non-ASCII", Result{Code: CodeSoftFail}, Input{IP: ip1, MailFrom: "j\u00fcrgen@b\u00fccher.example", HELO: "\u00e9.example"}, "r\u00e9"},
		{"every value at its longest", Result{Code: CodePermError, Err: perm}, Input{IP: netip.MustParseAddr("2001:db8:1:2:3:4:5:6"), MailFrom: long("a", 300) + "@" + long("b", 300), HELO: long("h.", 200)}, long("r", 400)},
		{"every value hostile and long", Result{Code: CodePass, Matched: &Term{Kind: KindUnknownModifier, Name: "x", Value: long(`"\`, 300)}, Err: perm}, Input{IP: netip.MustParseAddr("2001:db8:1:2:3:4:5:6"), MailFrom: long(`"\`, 300) + "@" + long(`\`, 300), HELO: long("(", 400)}, long(")", 400)},
		{"helo identity", Result{Code: CodeNone, Identity: IdentityHELO}, Input{IP: ip1, HELO: "mx.example.com"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := ReceivedSPF(tt.r, tt.in, tt.receiver)
			kv, err := checkReceivedSPF(h)
			if err != nil {
				t.Fatalf("%v\n%s", err, h)
			}
			want := []string{"client-ip", "helo", "identity"}
			if tt.r.Identity != IdentityHELO {
				want = append(want, "envelope-from")
			}
			for _, k := range want {
				if _, ok := kv[k]; !ok {
					t.Errorf("no %s= in\n%s", k, h)
				}
			}
		})
	}
}

// TestRFCAuthResultsGrammar: RFC 7208 §9.2 and RFC 8601 §2.2 — property
// values are pvalues: a mailbox or domain-name as is, other text a token or
// a quoted-string.
func TestRFCAuthResultsGrammar(t *testing.T) {
	tests := []struct {
		r    Result
		in   Input
		want string // the property value as written
	}{
		{Result{Code: CodePass}, Input{MailFrom: "user@example.net"}, "user@example.net"},
		{Result{Code: CodePass}, Input{MailFrom: "SRS0=ab=cd=example.com=user@fwd.example.net"}, "SRS0=ab=cd=example.com=user@fwd.example.net"},
		{Result{Code: CodePass}, Input{MailFrom: "@example.net"}, "@example.net"},
		{Result{Code: CodePass}, Input{MailFrom: "example.net"}, "example.net"},
		{Result{Code: CodePass}, Input{MailFrom: "a@b=c/d"}, `"a@b=c/d"`},
		{Result{Code: CodePass}, Input{MailFrom: "user@example.net."}, `"user@example.net."`},
		{Result{Code: CodePass}, Input{MailFrom: `"a b"@example.net`}, `"a b"@example.net`},
		{Result{Code: CodePass}, Input{MailFrom: "a\r\nb@example.net"}, "-"}, // left out
		{Result{Code: CodeFail}, Input{HELO: "[192.0.2.1]"}, `"postmaster@[192.0.2.1]"`},
		{Result{Code: CodePass, Identity: IdentityHELO}, Input{HELO: "localhost"}, "localhost"},
		{Result{Code: CodePass, Identity: IdentityHELO}, Input{HELO: "foo/bar"}, `"foo/bar"`},
		{Result{Code: CodePass, Identity: IdentityHELO}, Input{HELO: "[192.0.2.1]"}, `"[192.0.2.1]"`},
		{Result{Code: CodePass, Identity: IdentityHELO}, Input{HELO: ""}, "-"}, // left out
		{Result{Code: CodeTempError, Identity: IdentityHELO, Err: errors.New("x\r\n\"y\"")}, Input{HELO: "mx.example.com"}, "mx.example.com"},
		{Result{Code: CodePermError, Err: errors.New(strings.Repeat(`"`, 400))}, Input{MailFrom: strings.Repeat(`\`, 400) + "@example.com"}, ""},
	}
	for _, tt := range tests {
		s := checked(tt.r, tt.in).AuthResult().String()
		v, err := checkAuthResultsSPF(s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		if tt.want == "-" && v != "" {
			t.Errorf("%s: value %s, want the property left out", s, v)
		} else if tt.want != "" && tt.want != "-" && v != tt.want {
			t.Errorf("%s: value %s, want %s", s, v, tt.want)
		}
	}
}

// FuzzHeaders checks that any input gives a Received-SPF field and an
// Authentication-Results method result that follow their grammars.
func FuzzHeaders(f *testing.F) {
	f.Add("a@example.com", "mx.example.com", "mx.example.net", "spf: x", []byte{192, 0, 2, 1}, uint8(2), true)
	f.Add(`"a\"b(c)"@ex ample`, "x\r\n(y", "", "", []byte{32, 1, 13, 184, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, uint8(6), false)
	f.Fuzz(func(t *testing.T, from, helo, receiver, problem string, ipb []byte, code uint8, heloID bool) {
		ip, _ := netip.AddrFromSlice(ipb)
		r := Result{Code: Code(code % 7)}
		if heloID {
			r.Identity = IdentityHELO
		}
		if problem != "" {
			r.Err = errors.New(problem)
		}
		in := Input{IP: ip, MailFrom: from, HELO: helo}
		if h := ReceivedSPF(r, in, receiver); !strings.HasPrefix(h, "Received-SPF: "+r.Code.String()) {
			t.Fatalf("bad start: %s", h)
		} else if _, err := checkReceivedSPF(h); err != nil {
			t.Fatalf("%v\n%s", err, h)
		}
		if s := checked(r, in).AuthResult().String(); !strings.HasPrefix(s, "spf=") {
			t.Fatalf("bad start: %s", s)
		} else if _, err := checkAuthResultsSPF(s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	})
}
