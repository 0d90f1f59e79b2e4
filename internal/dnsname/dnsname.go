// Package dnsname normalises and checks domain names the way every package of
// the module needs them: lower case, no trailing dot, A-labels (IDNA 2008 via
// golang.org/x/net/idna), RFC 1035 length limits.
package dnsname

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// Limits from RFC 1035 §2.3.4, counted on the presentation form without the
// trailing dot.
const (
	MaxLabel = 63
	MaxName  = 253
	// MaxUTF8Name bounds a name with U-labels before conversion, to bound
	// the IDNA work: four octets (the longest UTF-8 character) for each
	// octet of a 253-octet name. It is a cut-off, not a proof that no
	// longer input converts: every name whose characters each leave at
	// least one octet in the A-label fits under it, but the lookup
	// mapping deletes some characters outright (U+00AD SOFT HYPHEN,
	// U+200B, variation selectors) and NFC joins others, so a longer
	// input padded with them could map to a valid name. Such an input is
	// refused all the same; no domain name mail uses is written so.
	MaxUTF8Name = 4 * MaxName
)

// Error reports a malformed domain name.
type Error struct {
	Name string // the input
	Msg  string
	Err  error // ErrEmpty, ErrIDNA, or nil for the other problems
}

// Error returns the message with the name it concerns.
func (e *Error) Error() string { return fmt.Sprintf("domain name %q: %s", e.Name, e.Msg) }

// Unwrap returns the class of the problem, if it has one.
func (e *Error) Unwrap() error { return e.Err }

// ErrEmpty is returned (wrapped in *Error) for an empty name.
var ErrEmpty = errors.New("empty name")

// ErrIDNA is returned (wrapped in *Error) for a name with non-ASCII
// characters that are not valid U-labels under the lookup rules.
var ErrIDNA = errors.New("not a valid internationalised name")

// lookupProfile converts U-labels to A-labels with the lookup rules of
// RFC 5891 §5 as UTS #46 implements them (nontransitional mapping, the
// label validity checks, the Bidi rule of RFC 5893), but without the
// strict STD3 rules, so that names such as "_dmarc.example.org" and
// "s1._domainkey.x" pass: DNS names used by mail authentication are not
// host names (RFC 8616 §3: U-labels become A-labels before a DNS query).
var lookupProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false), idna.StrictDomainName(false))

// Normalize returns name in canonical form: A-labels, lower case, no trailing
// dot. It fails on empty labels, labels over 63 octets, names over 253
// octets and names that IDNA rejects.
func Normalize(name string) (string, error) {
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return "", &Error{Name: name, Msg: ErrEmpty.Error(), Err: ErrEmpty}
	}
	if !IsASCII(name) {
		// Refused before the IDNA work, which grows faster than the
		// input; MaxUTF8Name says what the cut-off costs.
		if len(name) > MaxUTF8Name {
			return "", &Error{Name: name, Msg: fmt.Sprintf("%d octets with U-labels, more than %d", len(name), MaxUTF8Name)}
		}
		a, err := lookupProfile.ToASCII(name)
		if err != nil {
			return "", &Error{Name: name, Msg: ErrIDNA.Error() + ": " + err.Error(), Err: ErrIDNA}
		}
		name = a
	}
	name = Lower(name)
	if err := Check(name); err != nil {
		return "", err
	}
	for i := 0; i < len(name); i++ {
		// Legal in DNS wire data, but never in a domain that mail uses: a
		// space or control character means the input was mistyped or hostile.
		if c := name[i]; c <= ' ' || c == 0x7f {
			return "", &Error{Name: name, Msg: fmt.Sprintf("white space or control character %q at offset %d", c, i)}
		}
	}
	return name, nil
}

// Check reports whether an ASCII name (without trailing dot) has only
// non-empty labels of at most 63 octets and at most 253 octets in all.
func Check(name string) error {
	if name == "" {
		return &Error{Name: name, Msg: ErrEmpty.Error(), Err: ErrEmpty}
	}
	if len(name) > MaxName {
		return &Error{Name: name, Msg: fmt.Sprintf("%d octets, more than %d", len(name), MaxName)}
	}
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '.' {
			continue
		}
		switch n := i - start; {
		case n == 0:
			return &Error{Name: name, Msg: fmt.Sprintf("empty label at offset %d", start)}
		case n > MaxLabel:
			return &Error{Name: name, Msg: fmt.Sprintf("label %q is %d octets, more than %d", name[start:i], n, MaxLabel)}
		}
		start = i + 1
	}
	return nil
}

// Canonical lower-cases ASCII letters and removes one trailing dot. It does
// no IDNA work and no checks, and it does not allocate when name is already
// canonical: lookups on hot paths use it to form map keys.
func Canonical(name string) string {
	return Lower(strings.TrimSuffix(name, "."))
}

// Lower lower-cases ASCII letters only (DNS names compare case-insensitively
// in ASCII, RFC 4343), allocating only when there is an upper-case letter.
func Lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// Equal reports whether two names are the same, ignoring ASCII case and a
// trailing dot on either.
func Equal(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

// IsSubdomain reports whether child equals parent or lies below it
// (case-insensitive, trailing dots ignored).
func IsSubdomain(child, parent string) bool {
	child, parent = strings.TrimSuffix(child, "."), strings.TrimSuffix(parent, ".")
	if len(child) < len(parent) {
		return false
	}
	if !strings.EqualFold(child[len(child)-len(parent):], parent) {
		return false
	}
	return len(child) == len(parent) || parent == "" || child[len(child)-len(parent)-1] == '.'
}

// Labels returns how many labels name has ("" has none).
func Labels(name string) int {
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return 0
	}
	return strings.Count(name, ".") + 1
}

// Parent returns name without its leftmost label, or "" for a single label.
func Parent(name string) string {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return ""
}

// MaybeAddr reports whether s could be an IP address literal, without the
// cost of netip.ParseAddr (which allocates its error) on ordinary names:
// every IPv6 literal has a ':', and an IPv4 literal ends with a digit, which
// a resolvable name (its last label is a top-level domain) does not.
func MaybeAddr(s string) bool {
	return s != "" && ('0' <= s[len(s)-1] && s[len(s)-1] <= '9' || strings.IndexByte(s, ':') >= 0)
}

// IsAddr reports whether s is an IP address literal.
func IsAddr(s string) bool {
	if !MaybeAddr(s) {
		return false
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// IsASCII reports whether s has only ASCII bytes: a name without U-labels
// (it may still hold A-labels).
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Grammar returns name as the domain-name a report's file name and Subject
// grammars carry (RFC 9990 §3, RFC 8460 §5.1): A-labels, lower case, no
// trailing dot. A name Normalize rejects keeps only letters (lower-cased),
// digits, '-' and '.', so it cannot break the grammar ('!', spaces) or a
// file name ('/').
func Grammar(name string) string {
	if n, err := Normalize(name); err == nil {
		name = n
	}
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '-', r == '.':
			return r
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, name)
}
