package dkim

import (
	"crypto"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/tagvalue"
)

// Algorithm is the a= tag of a signature: signing and hash algorithm.
type Algorithm uint8

// The signing algorithms of RFC 6376 §3.3 and RFC 8463. AlgorithmRSASHA1 is parsed
// so that it can be reported, but never verifies (RFC 8301 §3.1).
const (
	AlgorithmRSASHA256 Algorithm = iota + 1
	AlgorithmEd25519SHA256
	AlgorithmRSASHA1
)

// String returns the a= form: "rsa-sha256", "ed25519-sha256", "rsa-sha1".
func (a Algorithm) String() string {
	switch a {
	case AlgorithmRSASHA256:
		return "rsa-sha256"
	case AlgorithmEd25519SHA256:
		return "ed25519-sha256"
	case AlgorithmRSASHA1:
		return "rsa-sha1"
	}
	return "unknown"
}

// KeyType returns the key type the algorithm needs.
func (a Algorithm) KeyType() KeyType {
	if a == AlgorithmEd25519SHA256 {
		return KeyTypeEd25519
	}
	return KeyTypeRSA
}

// Hash returns the digest the algorithm uses.
func (a Algorithm) Hash() crypto.Hash {
	if a == AlgorithmRSASHA1 {
		return crypto.SHA1
	}
	return crypto.SHA256
}

// hashName is the name h= in a key record uses for the algorithm's digest.
func (a Algorithm) hashName() string {
	if a == AlgorithmRSASHA1 {
		return "sha1"
	}
	return "sha256"
}

// Canonicalization is one half of the c= tag (RFC 6376 §3.4).
type Canonicalization uint8

// The canonicalisation algorithms. The zero value is unset: a Signer reads it
// as CanonicalizationRelaxed, and a parsed signature always holds one of the two.
const (
	CanonicalizationSimple Canonicalization = iota + 1
	CanonicalizationRelaxed
)

// String returns "simple" or "relaxed".
func (c Canonicalization) String() string {
	switch c {
	case CanonicalizationSimple:
		return "simple"
	case CanonicalizationRelaxed:
		return "relaxed"
	}
	return "unset"
}

func parseCanon(s string) (Canonicalization, bool) {
	switch s {
	case "simple":
		return CanonicalizationSimple, true
	case "relaxed":
		return CanonicalizationRelaxed, true
	}
	return 0, false
}

// Signature is a parsed DKIM-Signature field (RFC 6376 §3.5). Strings are
// as written in the field; the byte slices are decoded base64.
type Signature struct {
	Algorithm   Algorithm        // a=
	Value       []byte           // b=, the signature itself
	BodyHash    []byte           // bh=
	HeaderCanon Canonicalization // c=, header part (default simple)
	BodyCanon   Canonicalization // c=, body part (default simple)
	Domain      string           // d=, the SDID
	Headers     []string         // h=, the signed field names in order
	// Identity is i=, the AUID, with quoted-printable decoded; "" when
	// absent (the default is "@" plus Domain, see AUID).
	Identity   string
	BodyLength int64     // l=, -1 when absent
	Selector   string    // s=
	Timestamp  time.Time // t=, zero when absent
	Expiration time.Time // x=, zero when absent
	// QueryMethods is q=, nil when absent (meaning dns/txt).
	QueryMethods []string
	// CopiedHeaders is z=, as written (dkim-quoted-printable).
	CopiedHeaders string

	// bStart and bEnd delimit the b= value in the field value: from just
	// after "b=" to the following ';' or the end. The signed form of the
	// field has this span removed (RFC 6376 §3.7).
	bStart, bEnd int
	bRaw         string // b= as written, for header.b
}

// AUID returns the Agent or User Identifier: i=, or "@" plus d= when i= is absent.
func (s *Signature) AUID() string {
	if s.Identity != "" {
		return s.Identity
	}
	return "@" + s.Domain
}

// ParseSignature parses the value of a DKIM-Signature field (everything
// after the colon; folding whitespace allowed) and checks it as RFC 6376
// §6.1.1 requires: v=1; a=, b=, bh=, d=, h= and s= present; no tag twice
// (unknown ones included); a= and c= known; d= and s= domain names; h= a
// list of field names including From; i= within d=; x= after t=; q=
// offering dns/txt. RFC 8616 §5: d=, s= and the domain of i= may be
// U-labels (checked in their A-label form) and i= may have a UTF-8 local
// part, written as is or quoted-printable. Errors are *SignatureError and
// match ErrSignatureSyntax. On error the returned Signature holds what was parsed
// before the problem (useful for reporting d= and s=); it is never nil.
func ParseSignature(value string) (*Signature, error) {
	return parseSignature(value, new(sigStorage))
}

// parseSignature is ParseSignature into storage the caller provides, zero
// or cleared (Verify allocates it together with the results).
func parseSignature(value string, st *sigStorage) (*Signature, error) {
	sig := &st.sig
	sig.BodyLength = -1
	err := sig.parse(value, st)
	return sig, err
}

// sigStorage is a Signature with room for its decoded b= and bh= values
// and its h= list, so that a signature made with a key of up to 2048 bits
// (and its folding whitespace), signing up to 24 field names (oversigning
// signers list about that many), takes one allocation, not four. Longer
// values and lists get memory of their own.
type sigStorage struct {
	sig      Signature
	value    [288]byte // b=: 256 bytes for RSA-2048, 3/4 of the characters with FWS
	bodyHash [48]byte  // bh=: 32 bytes of SHA-256
	headers  [24]string
}

func sigErr(tag string, off int, msg string) *SignatureError {
	return &SignatureError{Tag: tag, Offset: off, Msg: msg}
}

// Tag bits for presence and duplicate tracking.
const (
	tagV = 1 << iota
	tagA
	tagB
	tagBH
	tagC
	tagD
	tagH
	tagI
	tagL
	tagQ
	tagS
	tagT
	tagX
	tagZ
)

func (sig *Signature) parse(value string, st *sigStorage) error {
	// RFC 8616 §5: in internationalised mail, d=, i= and s= may hold
	// U-labels and i= a UTF-8 local part; other tags validate their own
	// characters, so UTF-8 there is refused by each tag's grammar.
	s := tagvalue.Scanner{Input: value, UTF8: true}
	var seen int
	var off tagOffsets
	var others tagSet
	// After a bad tag the scan goes on, so that d= and s= can still be
	// reported; the first error is returned.
	var firstErr error
	for s.Next() {
		err := sig.parseTag(&s, value, &seen, &off, st)
		if err == nil && !knownSigTag(s.Tag()) && others.add(s.Tag()) {
			// RFC 6376 §3.2: a duplicated tag invalidates the whole list,
			// unknown tags included.
			err = sigErr(s.Tag(), s.TagOffset(), "duplicate tag")
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if err := s.Err(); err != nil {
		te := err.(*tagvalue.Error)
		return sigErr("", te.Offset, te.Msg)
	}
	if firstErr != nil {
		return firstErr
	}
	for _, req := range [...]struct {
		bit  int
		name string
	}{{tagV, "v"}, {tagA, "a"}, {tagB, "b"}, {tagBH, "bh"}, {tagD, "d"}, {tagH, "h"}, {tagS, "s"}} {
		if seen&req.bit == 0 {
			return sigErr(req.name, len(value), "required tag missing")
		}
	}
	if seen&tagC == 0 {
		sig.HeaderCanon, sig.BodyCanon = CanonicalizationSimple, CanonicalizationSimple
	}
	if !hasFrom(sig.Headers) {
		return sigErr("h", off.h, "From is not signed (RFC 6376 §5.4)")
	}
	if seen&tagI != 0 {
		if msg := checkIdentity(sig.Identity, sig.Domain); msg != "" {
			return sigErr("i", off.i, msg)
		}
	}
	if !sig.Expiration.IsZero() && !sig.Timestamp.IsZero() && !sig.Expiration.After(sig.Timestamp) {
		return sigErr("x", off.x, "expiration is not after the timestamp t=")
	}
	if seen&tagQ != 0 && !hasDNSTXT(sig.QueryMethods) {
		return sigErr("q", len(value), "no dns/txt query method")
	}
	return nil
}

func knownSigTag(tag string) bool {
	switch tag {
	case "v", "a", "b", "bh", "c", "d", "h", "i", "l", "q", "s", "t", "x", "z":
		return true
	}
	return false
}

// tagSet remembers the names of tags that have no presence bit, to find
// duplicates among them: the first few in an array, the rest in a map, so
// that a list of thousands of tags costs linear time.
type tagSet struct {
	small [8]string
	n     int
	m     map[string]struct{}
}

// add records tag and reports whether it was already there.
func (t *tagSet) add(tag string) bool {
	for _, s := range t.small[:t.n] {
		if s == tag {
			return true
		}
	}
	if t.n < len(t.small) {
		t.small[t.n] = tag
		t.n++
		return false
	}
	if _, ok := t.m[tag]; ok {
		return true
	}
	if t.m == nil {
		t.m = make(map[string]struct{})
	}
	t.m[tag] = struct{}{}
	return false
}

// tagOffsets keeps where some values start, for errors found after the scan.
type tagOffsets struct{ h, i, x int }

// parseTag handles the tag the scanner is on.
func (sig *Signature) parseTag(s *tagvalue.Scanner, value string, seen *int, offs *tagOffsets, st *sigStorage) error {
	tag, val, off := s.Tag(), s.Value(), s.ValueOffset()
	bit := 0
	switch tag {
	case "v":
		bit = tagV
		if val != "1" {
			return sigErr(tag, off, fmt.Sprintf("version %q is not 1", val))
		}
	case "a":
		bit = tagA
		switch val {
		case "rsa-sha256":
			sig.Algorithm = AlgorithmRSASHA256
		case "ed25519-sha256":
			sig.Algorithm = AlgorithmEd25519SHA256
		case "rsa-sha1":
			sig.Algorithm = AlgorithmRSASHA1
		default:
			return sigErr(tag, off, fmt.Sprintf("unknown algorithm %q", val))
		}
	case "b":
		bit = tagB
		v, err := decodeBase64(val, st.value[:])
		if err != nil {
			return sigErr(tag, off, err.Error())
		}
		sig.Value, sig.bRaw = v, val
		// Everything from after '=' to the next ';' is removed when the
		// field is hashed, surrounding whitespace included (§3.7).
		eq := strings.IndexByte(value[s.TagOffset():], '=') + s.TagOffset() + 1
		end := strings.IndexByte(value[eq:], ';')
		if end < 0 {
			end = len(value)
		} else {
			end += eq
		}
		sig.bStart, sig.bEnd = eq, end
	case "bh":
		bit = tagBH
		v, err := decodeBase64(val, st.bodyHash[:])
		if err != nil {
			return sigErr(tag, off, err.Error())
		}
		sig.BodyHash = v
	case "c":
		bit = tagC
		h, b, slash := strings.Cut(val, "/")
		hc, ok1 := parseCanon(h)
		bc, ok2 := CanonicalizationSimple, true
		if slash {
			bc, ok2 = parseCanon(b)
		}
		if !ok1 || !ok2 {
			return sigErr(tag, off, fmt.Sprintf("unknown canonicalization %q", val))
		}
		sig.HeaderCanon, sig.BodyCanon = hc, bc
	case "d":
		bit = tagD
		sig.Domain = val
		if msg := checkDomain(val, false); msg != "" {
			return sigErr(tag, off, msg)
		}
	case "h":
		bit = tagH
		offs.h = off
		if names, ok := fieldNames(val, st.headers[:0]); ok {
			sig.Headers = names
			break
		}
		// Something is wrong: split it the general way to say what.
		sig.Headers = splitList(val)
		if len(sig.Headers) == 0 {
			return sigErr(tag, off, "empty list of signed header fields")
		}
		for _, name := range sig.Headers {
			if !isFieldName(name) {
				return sigErr(tag, off, fmt.Sprintf("%q is not a header field name", name))
			}
		}
	case "i":
		bit = tagI
		sig.Identity = decodeQP(val)
		offs.i = off
	case "l":
		bit = tagL
		n, ok := parseDigits(val, 76)
		if !ok {
			msg := fmt.Sprintf("body length %q is not a number of at most 76 digits", val)
			if val != "" && len(val) <= 76 && strings.Trim(val, "0123456789") == "" {
				msg = fmt.Sprintf("body length %q is too large (more than 2^63-1)", val)
			}
			return sigErr(tag, off, msg)
		}
		sig.BodyLength = n
	case "q":
		bit = tagQ
		sig.QueryMethods = splitList(val)
	case "s":
		bit = tagS
		sig.Selector = val
		if msg := checkDomain(val, true); msg != "" {
			return sigErr(tag, off, msg)
		}
	case "t":
		bit = tagT
		n, ok := parseDigits(val, 12)
		if !ok {
			return sigErr(tag, off, fmt.Sprintf("timestamp %q is not a number of at most 12 digits", val))
		}
		sig.Timestamp = time.Unix(n, 0).UTC()
	case "x":
		bit = tagX
		n, ok := parseDigits(val, 12)
		if !ok {
			return sigErr(tag, off, fmt.Sprintf("expiration %q is not a number of at most 12 digits", val))
		}
		sig.Expiration = time.Unix(n, 0).UTC()
		offs.x = off
	case "z":
		bit = tagZ
		sig.CopiedHeaders = val
	}
	if bit != 0 {
		if *seen&bit != 0 {
			// RFC 6376 §3.2: a duplicated tag invalidates the whole list.
			return sigErr(tag, s.TagOffset(), "duplicate tag")
		}
		*seen |= bit
	}
	return nil
}

// fieldNames splits h= into the field names it lists (RFC 6376 §3.5:
// hdr-name *( *FWS ":" *FWS hdr-name )), in one pass over it: h= is the
// longest tag after b=, and every message with a signature has one. It
// reports false for a list with no names or with an entry that is not a
// field name; splitList and isFieldName then say which. Empty entries are
// skipped, as splitList does. The names go in buf when it has room for
// them all, else in new memory.
func fieldNames(v string, buf []string) ([]string, bool) {
	names := buf[:0]
	if n := strings.Count(v, ":") + 1; cap(names) < n {
		names = make([]string, 0, n)
	}
	for i := 0; ; i++ {
		for i < len(v) && isFWS(v[i]) {
			i++
		}
		start := i
		i = tagvalue.PrintableRun(v, i, ':') // ftext: printable, not ':'
		if i > start {
			names = append(names, v[start:i])
		}
		for i < len(v) && isFWS(v[i]) {
			i++
		}
		if i == len(v) {
			return names, len(names) > 0
		}
		if v[i] != ':' {
			return nil, false
		}
	}
}

// isFieldName reports whether s is a header field name: one or more
// printable ASCII characters other than ':' (RFC 5322 §3.6.8 ftext).
func isFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 || s[i] == ':' {
			return false
		}
	}
	return true
}

func hasFrom(names []string) bool {
	for _, n := range names {
		if equalFold(n, "from") {
			return true
		}
	}
	return false
}

func hasDNSTXT(methods []string) bool {
	for _, m := range methods {
		// "dns" alone is what RFC 4871 drafts wrote; it means dns/txt.
		if m == "dns/txt" || m == "dns" {
			return true
		}
	}
	return false
}

// parseDigits parses 1 to max decimal digits into a non-negative int64.
func parseDigits(s string, max int) (int64, bool) {
	if s == "" || len(s) > max {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d := uint64(s[i] - '0')
		if d > 9 {
			return 0, false
		}
		// More digits than fit in an int64: the value is too large to matter.
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return int64(n), true
}

// checkIdentity checks i= (decoded) against d=: an '@', valid UTF-8 (RFC
// 8616 §5 allows a UTF-8 local part, RFC 6532 §3.2) and a domain that is
// d= or below it, compared in A-labels whichever form each is written in
// (RFC 8616 §3). It returns "" when the identity is acceptable.
func checkIdentity(identity, domain string) string {
	// An empty i= is not an absent one (§3.2): it lacks the '@'.
	at := strings.LastIndexByte(identity, '@')
	if at < 0 {
		return "identity has no '@'"
	}
	if !utf8.ValidString(identity) {
		return fmt.Sprintf("identity %q is not valid UTF-8", identity)
	}
	idDomain := identity[at+1:]
	if dnsname.IsASCII(idDomain) && dnsname.IsASCII(domain) {
		if !dnsname.IsSubdomain(idDomain, domain) {
			return fmt.Sprintf("identity domain %q is not within d=%s", idDomain, domain)
		}
		return ""
	}
	a, err := dnsname.Normalize(idDomain)
	if err != nil {
		return fmt.Sprintf("identity domain %q is not a valid domain name: %s", idDomain, idnaMsg(err))
	}
	d, err := dnsname.Normalize(domain)
	if err != nil || !dnsname.IsSubdomain(a, d) {
		return fmt.Sprintf("identity domain %q (%s) is not within d=%s (%s)", idDomain, a, domain, d)
	}
	return ""
}

// idnaMsg returns the problem a *dnsname.Error describes, without the name
// (the caller quotes it as written).
func idnaMsg(err error) string {
	var de *dnsname.Error
	if errors.As(err, &de) {
		return strings.TrimPrefix(de.Msg, dnsname.ErrIDNA.Error()+": ")
	}
	return err.Error()
}

// aLabels returns name with its U-labels converted to A-labels (RFC 8616
// §3), or name itself when it is ASCII. name must have passed checkDomain.
func aLabels(name string) (string, error) {
	if dnsname.IsASCII(name) {
		return name, nil
	}
	return dnsname.Normalize(name)
}

// checkDomain checks d= (RFC 6376 §3.5: domain-name, letters, digits and
// hyphens in dot-separated labels) or s= (selector: the same, and
// underscores are tolerated). RFC 8616 §5 allows U-labels too: a name with
// non-ASCII characters must convert to A-labels under the IDNA lookup
// rules, and the A-label form must pass the same checks. It returns ""
// when the name is acceptable. It runs before any DNS query, so that a
// name such as "legitimate.com(.attacker.com" is never looked up.
func checkDomain(s string, selector bool) string {
	what := "domain"
	if selector {
		what = "selector"
	}
	if s == "" {
		return "empty " + what
	}
	if !dnsname.IsASCII(s) {
		if !utf8.ValidString(s) {
			return fmt.Sprintf("%s %q is not valid UTF-8", what, s)
		}
		a, err := dnsname.Normalize(s)
		if err != nil {
			return fmt.Sprintf("%s %q is not a valid internationalised name (RFC 8616 §5): %s", what, s, idnaMsg(err))
		}
		if strings.HasSuffix(s, ".") {
			a += "." // Normalize drops it; the ASCII rules refuse it
		}
		if msg := checkDomain(a, selector); msg != "" {
			return fmt.Sprintf("%s (the A-label form of %q)", msg, s)
		}
		return ""
	}
	if len(s) > dnsname.MaxName {
		return what + " longer than 253 octets"
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			c := s[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || selector && c == '_') {
				return fmt.Sprintf("invalid character %q in %s %q", c, what, s)
			}
			continue
		}
		label := s[start:i]
		switch {
		case label == "":
			return fmt.Sprintf("empty label in %s %q", what, s)
		case len(label) > dnsname.MaxLabel:
			return fmt.Sprintf("label longer than 63 octets in %s %q", what, s)
		case label[0] == '-' || label[len(label)-1] == '-':
			return fmt.Sprintf("label %q of %s begins or ends with a hyphen", label, what)
		}
		start = i + 1
	}
	return ""
}

// String returns the field value (without "DKIM-Signature:") on one line,
// tags in the order v a c d s i q l t x h z bh b. It parses back to an
// equal Signature.
func (s *Signature) String() string {
	var b strings.Builder
	s.writeTags(&b, "; ")
	b.WriteString("b=")
	b.WriteString(encodeB64(s.Value))
	return b.String()
}

// writeTags writes every tag but b=, each followed by sep. The Signer
// passes a separator that folds.
func (s *Signature) writeTags(b *strings.Builder, sep string) {
	tag := func(name, val string) {
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(val)
		b.WriteString(sep)
	}
	tag("v", "1")
	tag("a", s.Algorithm.String())
	hc, bc := s.HeaderCanon, s.BodyCanon
	if hc == 0 {
		hc = CanonicalizationSimple
	}
	if bc == 0 {
		bc = CanonicalizationSimple
	}
	tag("c", hc.String()+"/"+bc.String())
	tag("d", s.Domain)
	tag("s", s.Selector)
	if s.Identity != "" {
		tag("i", encodeQP(s.Identity, true))
	}
	if s.QueryMethods != nil {
		tag("q", strings.Join(s.QueryMethods, ":"))
	}
	if s.BodyLength >= 0 {
		tag("l", strconv.FormatInt(s.BodyLength, 10))
	}
	if !s.Timestamp.IsZero() {
		tag("t", strconv.FormatInt(s.Timestamp.Unix(), 10))
	}
	if !s.Expiration.IsZero() {
		tag("x", strconv.FormatInt(s.Expiration.Unix(), 10))
	}
	tag("h", strings.Join(s.Headers, ":"))
	if s.CopiedHeaders != "" {
		tag("z", s.CopiedHeaders)
	}
	tag("bh", encodeB64(s.BodyHash))
}
