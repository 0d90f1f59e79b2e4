package mtasts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// Mode is a policy's mode (RFC 8461 §5). The zero value is ModeNone, the
// mode that asks senders for nothing.
type Mode uint8

// The modes of RFC 8461 §5.
const (
	// ModeNone: senders treat the domain as having no active policy
	// (RFC 8461 §5, §8.3).
	ModeNone Mode = iota
	// ModeTesting: senders deliver as though validation had not failed and
	// report failures through TLSRPT.
	ModeTesting
	// ModeEnforce: senders MUST NOT deliver to an MX that fails MX matching
	// or certificate validation or lacks STARTTLS.
	ModeEnforce
)

// String returns "none", "testing" or "enforce".
func (m Mode) String() string {
	switch m {
	case ModeNone:
		return "none"
	case ModeTesting:
		return "testing"
	case ModeEnforce:
		return "enforce"
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// ParseMode reads "none", "testing" or "enforce" (case-sensitive, as the
// policy grammar's %s says).
func ParseMode(s string) (Mode, bool) {
	switch s {
	case "none":
		return ModeNone, true
	case "testing":
		return ModeTesting, true
	case "enforce":
		return ModeEnforce, true
	}
	return 0, false
}

// MaxMaxAge is the largest max_age a policy may give, in seconds (RFC 8461
// §3.2: 31557600, a year).
const MaxMaxAge = 31557600

// DefaultMaxPolicySize is the default limit on a policy's size, 64 KiB
// (65536 bytes): RFC 8461 §3.3 lets senders limit the response body and
// suggests 64 kilobytes. ParsePolicy applies it; FetchOptions.MaxSize and
// Client.MaxPolicySize change it for fetches.
const DefaultMaxPolicySize = 64 << 10

// Policy is an MTA-STS policy (RFC 8461 §3.2), the body served at
// https://mta-sts.<domain>/.well-known/mta-sts.txt. The version is always
// STSv1, the only one defined, and is not stored.
type Policy struct {
	// Mode is the mode field.
	Mode Mode
	// MX holds the mx patterns in the order given: host names, or
	// "*." followed by a host name to allow any one leftmost label.
	// At least one is required unless Mode is ModeNone.
	MX []string
	// MaxAge is the max_age field in seconds, 0 to MaxMaxAge.
	MaxAge int
	// Extensions are the fields this package does not interpret, in the
	// order given; senders ignore them (RFC 8461 §3.2).
	Extensions []Field
	// Ignored are later occurrences of a field that may occur once (all
	// but mx), which senders ignore (RFC 8461 §3.2: "all entries except for
	// the first SHALL be ignored"). Lint reports them.
	Ignored []Field
}

// MaxAgeDuration returns MaxAge as a time.Duration.
func (p *Policy) MaxAgeDuration() time.Duration { return time.Duration(p.MaxAge) * time.Second }

// String formats the policy as it is served: version first, then mode, the
// mx lines, max_age, the extensions and the ignored duplicates, each line
// ended by CRLF (RFC 8461 §3.2 calls the pairs CRLF-separated; its grammar
// accepts LF as well). It does not validate the fields. The text may be
// longer than the one parsed (": " after each key, CRLF), so a policy just
// under the size limit may come out just over it.
func (p *Policy) String() string {
	var b strings.Builder
	b.WriteString("version: STSv1\r\nmode: ")
	b.WriteString(p.Mode.String())
	b.WriteString("\r\n")
	for _, mx := range p.MX {
		b.WriteString("mx: ")
		b.WriteString(mx)
		b.WriteString("\r\n")
	}
	b.WriteString("max_age: ")
	b.WriteString(strconv.Itoa(p.MaxAge))
	b.WriteString("\r\n")
	for _, list := range [2][]Field{p.Extensions, p.Ignored} {
		for _, f := range list {
			b.WriteString(f.Key)
			b.WriteString(": ")
			b.WriteString(f.Value)
			b.WriteString("\r\n")
		}
	}
	return b.String()
}

// ParsePolicy parses an MTA-STS policy body (RFC 8461 §3.2) of at most
// DefaultMaxPolicySize bytes. It follows the grammar strictly, since a
// policy that does not parse is no policy: one "key: value" per line, lines
// ended by CRLF or LF (the last one optionally), no empty lines, no white
// space before the key or the ':', spaces and tabs allowed after the ':' and
// at the end of the line; keys are case-sensitive. version (STSv1), mode
// (enforce, testing or none) and max_age (up to 10 digits, at most
// 31557600) are required; mx is required at least once unless mode is none,
// and each mx value is a host name in A-labels (RFC 5321 Domain), optionally
// after a "*." wildcard label. Other keys are extensions, kept; their value
// is printable, UTF-8 allowed, without control characters. A repeated
// field other than mx is kept in Ignored and does not count (RFC 8461
// §3.2), provided it has the syntax of an extension.
//
// Errors are *ParseError values wrapping ErrSyntax, or ErrPolicyTooLarge.
func ParsePolicy(text string) (*Policy, error) { return parsePolicy(text, DefaultMaxPolicySize) }

// parsePolicy is ParsePolicy with a size limit.
func parsePolicy(text string, maxSize int64) (*Policy, error) {
	if int64(len(text)) > maxSize {
		return nil, &ParseError{What: "policy", Offset: int(maxSize),
			Msg: fmt.Sprintf("%d bytes, more than the limit of %d", len(text), maxSize), Err: ErrPolicyTooLarge}
	}
	p := &Policy{MaxAge: -1}
	var haveVersion, haveMode bool
	seen := map[string]bool{}
	line := 0
	for off := 0; off < len(text); {
		line++
		end := strings.IndexByte(text[off:], '\n')
		next := len(text)
		if end < 0 {
			end = len(text)
		} else {
			end += off
			next = end + 1
		}
		content := text[off:end]
		if next > end { // a CR is part of the terminator only before LF
			content = strings.TrimSuffix(content, "\r")
		}
		if content == "" {
			return nil, policyErr(line, off, "", "empty line")
		}
		f, valueOff, err := scanPolicyLine(content, line, off)
		if err != nil {
			return nil, err
		}
		switch {
		case f.Key == "mx":
			if msg := checkPattern(f.Value); msg != "" {
				return nil, policyErr(line, valueOff, "mx", msg)
			}
			p.MX = append(p.MX, f.Value)
		case seen[f.Key]:
			p.Ignored = append(p.Ignored, f)
		case f.Key == "version":
			if f.Value != "STSv1" {
				return nil, policyErr(line, valueOff, f.Key, fmt.Sprintf("version %q, want STSv1", f.Value))
			}
			haveVersion = true
		case f.Key == "mode":
			m, ok := ParseMode(f.Value)
			if !ok {
				return nil, policyErr(line, valueOff, f.Key, fmt.Sprintf("mode %q, want enforce, testing or none", f.Value))
			}
			p.Mode, haveMode = m, true
		case f.Key == "max_age":
			n, msg := parseMaxAge(f.Value)
			if msg != "" {
				return nil, policyErr(line, valueOff, f.Key, msg)
			}
			p.MaxAge = n
		default:
			p.Extensions = append(p.Extensions, f)
		}
		seen[f.Key] = true
		off = next
	}
	switch {
	case !haveVersion:
		return nil, policyErr(0, len(text), "version", "the required version field is missing")
	case !haveMode:
		return nil, policyErr(0, len(text), "mode", "the required mode field is missing")
	case p.MaxAge < 0:
		return nil, policyErr(0, len(text), "max_age", "the required max_age field is missing")
	case len(p.MX) == 0 && p.Mode != ModeNone:
		return nil, policyErr(0, len(text), "mx", fmt.Sprintf("no mx field; at least one is required in mode %s", p.Mode))
	}
	return p, nil
}

// scanPolicyLine splits one line (without its terminator) into key and
// value: key ":" *WSP value *WSP, the value checked as sts-policy-ext-value.
// It also returns the value's offset in the policy.
func scanPolicyLine(s string, line, off int) (Field, int, error) {
	n := scanName(s, 0)
	if n == 0 {
		return Field{}, 0, policyErr(line, off, "", fmt.Sprintf("expected a field name at %q", excerpt(s)))
	}
	key := s[:n]
	if n > 32 {
		return Field{}, 0, policyErr(line, off, key, "field name longer than 32 characters")
	}
	if n == len(s) || s[n] != ':' {
		return Field{}, 0, policyErr(line, off+n, key, "expected ':' after the field name")
	}
	start := skipWSP(s, n+1)
	end := len(s)
	for end > start && isWSP(s[end-1]) {
		end--
	}
	if start == end {
		return Field{}, 0, policyErr(line, off+start, key, "empty value")
	}
	v := s[start:end]
	for i := 0; i < len(v); {
		c := v[i]
		if c < 0x80 {
			if c < 0x20 || c == 0x7f {
				return Field{}, 0, policyErr(line, off+start+i, key, fmt.Sprintf("control character %q in the value", c))
			}
			if c == '\t' {
				return Field{}, 0, policyErr(line, off+start+i, key, "tab inside the value")
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && size == 1 {
			return Field{}, 0, policyErr(line, off+start+i, key, "invalid UTF-8 in the value")
		}
		i += size
	}
	return Field{Key: key, Value: v}, off + start, nil
}

// parseMaxAge reads sts-policy-max-age-value = 1*10(DIGIT), at most
// MaxMaxAge.
func parseMaxAge(v string) (int, string) {
	if len(v) > 10 {
		return 0, fmt.Sprintf("max_age %q has more than 10 digits", v)
	}
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, fmt.Sprintf("max_age %q is not a non-negative integer", v)
		}
		n = n*10 + int(v[i]-'0')
	}
	if n > MaxMaxAge {
		return 0, fmt.Sprintf("max_age %d is more than the maximum of %d", n, MaxMaxAge)
	}
	return n, ""
}

// checkPattern returns why s is not a valid mx pattern (["*."] Domain, RFC
// 8461 §3.2 with RFC 5321 §4.1.2), or "".
func checkPattern(s string) string {
	name := strings.TrimPrefix(s, "*.")
	if err := dnsname.Check(name); err != nil {
		var de *dnsname.Error
		if errors.As(err, &de) {
			return fmt.Sprintf("mx pattern %q: %s", s, de.Msg)
		}
		return fmt.Sprintf("mx pattern %q: %v", s, err)
	}
	for label := range strings.SplitSeq(name, ".") {
		for i := 0; i < len(label); i++ {
			c := label[i]
			if c == '*' {
				return fmt.Sprintf("mx pattern %q: a wildcard is allowed only as the whole leftmost label", s)
			}
			if c >= 0x80 {
				return fmt.Sprintf("mx pattern %q: not ASCII; use the A-label (Punycode) form", s)
			}
			if !isAlnum(c) && c != '-' {
				return fmt.Sprintf("mx pattern %q: character %q not allowed in a host name", s, c)
			}
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Sprintf("mx pattern %q: label %q begins or ends with '-'", s, label)
		}
	}
	return ""
}

func policyErr(line, off int, field, msg string) error {
	return &ParseError{What: "policy", Line: line, Field: field, Offset: off, Msg: msg, Err: ErrSyntax}
}
