package bimi

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/domainauth/domainauth/internal/tagvalue"
)

// Sentinel errors, matched with errors.Is on the errors ParseRecord returns.
var (
	// ErrNotBIMI means the text is not a BIMI Assertion Record: its first
	// tag is not v=BIMI1 (draft -12 §4.3: such records MUST be ignored).
	ErrNotBIMI = errors.New("bimi: not a BIMI record")
	// ErrSyntax means the tag-list does not follow the tag=value syntax of
	// RFC 6376 §3.2, which draft -12 §4.3 adopts.
	ErrSyntax = errors.New("bimi: malformed tag-list")
	// ErrDuplicateTag means a tag occurs twice (RFC 6376 §3.2: the whole
	// tag-list is then invalid).
	ErrDuplicateTag = errors.New("bimi: duplicate tag")
	// ErrMissingLocation means the required l= tag is absent (draft -12
	// §4.3: "If a required tag is missing ... it is an error").
	ErrMissingLocation = errors.New("bimi: no l= tag")
	// ErrInvalidValue means a known tag's value is not well-formed (draft
	// -12 §4.3: receivers MUST NOT fix it; it is an error).
	ErrInvalidValue = errors.New("bimi: invalid tag value")
)

// ParseError describes a BIMI Assertion Record that cannot be used. Err is
// one of the sentinel errors above.
type ParseError struct {
	Record string // the input
	Tag    string // the tag concerned, if any
	Offset int    // byte offset of the problem in Record
	Msg    string
	Err    error
}

// Error names the tag and the offset of the problem.
func (e *ParseError) Error() string {
	if e.Tag != "" {
		return fmt.Sprintf("bimi: tag %q at offset %d: %s", e.Tag, e.Offset, e.Msg)
	}
	return fmt.Sprintf("bimi: offset %d: %s", e.Offset, e.Msg)
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }

// Avatar is the Domain Owner's avatar preference, the avp= tag (draft -12
// §4.3).
type Avatar uint8

// The avatar preferences.
const (
	// AvatarBrand ("brand", the default): show the BIMI logo even when the
	// sender has a personal avatar.
	AvatarBrand Avatar = iota
	// AvatarPersonal ("personal"): show the sender's personal avatar when
	// there is one.
	AvatarPersonal
)

// String returns "brand" or "personal".
func (a Avatar) String() string {
	if a == AvatarPersonal {
		return "personal"
	}
	return "brand"
}

// TagValue is a tag and its value as written in a record.
type TagValue struct {
	Tag   string
	Value string
}

// Record is a BIMI Assertion Record (draft -12 §4.3). A zero string field
// means an empty or absent tag; the Has fields tell the two apart where
// the draft gives them different meanings or where String must write the
// tag back.
//
// A Record can be built in code and written with String:
//
//	r := &bimi.Record{Location: "https://example.com/logo.svg"}
//	r.String() // "v=BIMI1; l=https://example.com/logo.svg"
type Record struct {
	// Location is the l= URI of the Indicator, "" for an empty l=
	// (declination, or evidence only).
	Location string
	// Evidence is the a= URI of the BIMI Evidence Document (a Mark
	// Certificate), "" when a= is empty or absent (the same thing,
	// draft -12 §4.3).
	Evidence string
	// HasEvidence records that an a= tag was written, so that String
	// gives "a=;" back for a declination record.
	HasEvidence bool
	// LocalPartPrefixes are the lps= prefixes, in order; HasLPS tells an
	// absent lps= from an empty one ("lps=": every local-part matches).
	LocalPartPrefixes []string
	HasLPS            bool
	// AvatarPreference is the avp= value as written; "" when absent.
	// Values other than "brand" and "personal" MUST be ignored (draft -12
	// §4.3); Avatar applies that rule, Lint reports them.
	AvatarPreference string
	// Unknown holds tags this package does not know, in record order. They
	// MUST be ignored (draft -12 §4.3) and are kept for String.
	Unknown []TagValue
}

// IsDeclination reports whether the record is a Declination to Publish:
// both l= and a= empty (draft -12 §4.3.1).
func (r *Record) IsDeclination() bool { return r.Location == "" && r.Evidence == "" }

// Avatar returns the avatar preference that applies: avp= when it is
// "personal" or "brand", otherwise the default "brand" (an invalid value is
// ignored, draft -12 §4.3).
func (r *Record) Avatar() Avatar {
	if r.AvatarPreference == "personal" {
		return AvatarPersonal
	}
	return AvatarBrand
}

// String returns the record in canonical form: v=BIMI1, l=, then a=, lps=
// and avp= when present, then unknown tags as written. ParseRecord(r.String())
// gives r back.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=BIMI1; l=")
	b.WriteString(r.Location)
	if r.HasEvidence || r.Evidence != "" {
		b.WriteString("; a=")
		b.WriteString(r.Evidence)
	}
	if r.HasLPS || len(r.LocalPartPrefixes) > 0 {
		b.WriteString("; lps=")
		b.WriteString(strings.Join(r.LocalPartPrefixes, ","))
	}
	if r.AvatarPreference != "" {
		b.WriteString("; avp=")
		b.WriteString(r.AvatarPreference)
	}
	for _, tv := range r.Unknown {
		b.WriteString("; ")
		b.WriteString(tv.Tag)
		b.WriteByte('=')
		b.WriteString(tv.Value)
	}
	return b.String()
}

// MaxRecordBytes bounds the text ParseRecord accepts: a TXT record's
// character-strings joined. A BIMI record is a few URIs long; 4096 bytes
// is well above any real one and below what a single DNS answer can carry
// in practice.
const MaxRecordBytes = 4096

// ParseRecord parses a BIMI Assertion Record (draft -12 §4.3), the TXT
// record text with its character-strings joined (draft -12 §4: as SPF
// §3.3 does).
//
// It returns an error wrapping ErrNotBIMI when the first tag is not exactly
// v=BIMI1 (the draft has such records discarded, §7.2 step 4), and one
// wrapping ErrSyntax, ErrDuplicateTag, ErrMissingLocation or
// ErrInvalidValue for a BIMI record that cannot be used. The draft forbids
// fixing syntax or capitalisation, so tag names and "BIMI1" are matched
// exactly; unknown tags are kept in Record.Unknown. An avp= value other
// than "brand" or "personal" is kept but ignored, as the draft says.
func ParseRecord(txt string) (*Record, error) {
	if len(txt) > MaxRecordBytes {
		return nil, &ParseError{Record: txt, Offset: MaxRecordBytes, Msg: fmt.Sprintf("record longer than %d bytes", MaxRecordBytes), Err: ErrSyntax}
	}
	s := tagvalue.Scanner{Input: txt}
	if !s.Next() || s.Tag() != "v" || s.Value() != "BIMI1" {
		return nil, &ParseError{Record: txt, Msg: "first tag is not v=BIMI1", Err: ErrNotBIMI}
	}
	r := &Record{}
	var seenL, seenA, seenLPS, seenAVP bool
	seen := func(flag *bool) bool {
		if *flag {
			return true
		}
		*flag = true
		return false
	}
	for s.Next() {
		tag, val, off := s.Tag(), s.Value(), s.ValueOffset()
		bad := func(msg string) error {
			return &ParseError{Record: txt, Tag: tag, Offset: off, Msg: msg, Err: ErrInvalidValue}
		}
		var dup bool
		switch tag {
		case "v":
			dup = true
		case "l":
			if dup = seen(&seenL); !dup {
				if msg := checkURI(val); msg != "" {
					return nil, bad(msg)
				}
				r.Location = val
			}
		case "a":
			if dup = seen(&seenA); !dup {
				if msg := checkURI(val); msg != "" {
					return nil, bad(msg)
				}
				r.Evidence, r.HasEvidence = val, true
			}
		case "lps":
			if dup = seen(&seenLPS); !dup {
				p, msg := parsePrefixes(val)
				if msg != "" {
					return nil, bad(msg)
				}
				r.LocalPartPrefixes, r.HasLPS = p, true
			}
		case "avp":
			if dup = seen(&seenAVP); !dup {
				r.AvatarPreference = val
			}
		default:
			for _, u := range r.Unknown {
				if u.Tag == tag {
					dup = true
				}
			}
			if !dup {
				r.Unknown = append(r.Unknown, TagValue{Tag: tag, Value: val})
			}
		}
		if dup {
			return nil, &ParseError{Record: txt, Tag: tag, Offset: s.TagOffset(), Msg: "tag occurs twice", Err: ErrDuplicateTag}
		}
	}
	if err := s.Err(); err != nil {
		var te *tagvalue.Error
		if errors.As(err, &te) {
			return nil, &ParseError{Record: txt, Offset: te.Offset, Msg: te.Msg, Err: ErrSyntax}
		}
		return nil, &ParseError{Record: txt, Msg: err.Error(), Err: ErrSyntax}
	}
	if !seenL {
		return nil, &ParseError{Record: txt, Tag: "l", Offset: len(txt), Msg: "the required l= tag is missing", Err: ErrMissingLocation}
	}
	return r, nil
}

// checkURI checks an l= or a= value: empty, or a single https URI whose
// host is a fully qualified domain name (draft -12 §4.3). It returns why
// not, or "".
func checkURI(v string) string {
	if v == "" {
		return ""
	}
	if strings.ContainsRune(v, ',') {
		// -12 §4.3: "a single URI"; commas within a URI MUST be encoded.
		return "more than one URI (a comma; draft -12 allows a single URI, and commas within one must be percent-encoded)"
	}
	if strings.ContainsAny(v, " \t\r\n") {
		return "white space inside the URI"
	}
	u, err := url.Parse(v)
	if err != nil {
		return "not a URI: " + err.Error()
	}
	if u.Scheme != "https" {
		return fmt.Sprintf("scheme %q is not https (the only transport draft -12 allows)", u.Scheme)
	}
	host := u.Hostname()
	if host == "" || u.Opaque != "" {
		return "no host in the URI"
	}
	if u.User != nil {
		return "user information in the URI"
	}
	if !isFQDN(host) {
		return fmt.Sprintf("host %q is not a fully qualified domain name", host)
	}
	return ""
}

// isFQDN reports whether host is a domain name of at least two labels made
// of letters, digits and hyphens (not an address literal).
func isFQDN(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if len(host) > 253 || !strings.Contains(host, ".") {
		return false
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !isLDH(label[i]) {
				return false
			}
		}
	}
	last := host[strings.LastIndexByte(host, '.')+1:]
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return true
		}
	}
	return false // all-digit last label: an IPv4 literal
}

func isLDH(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

// parsePrefixes parses an lps= value (draft -12 §4.3):
//
//	local-part-prefix-list = local-part-prefix *( *WSP "," *WSP local-part-prefix )
//	local-part-prefix      = 1*63( ALPHA / DIGIT / "-" )
func parsePrefixes(v string) ([]string, string) {
	if v == "" {
		return nil, ""
	}
	var out []string
	for p := range strings.SplitSeq(v, ",") {
		p = strings.Trim(p, " \t")
		switch {
		case p == "":
			return nil, "empty local-part prefix in lps="
		case len(p) > 63:
			return nil, fmt.Sprintf("local-part prefix %q longer than 63 characters", p)
		}
		for i := 0; i < len(p); i++ {
			if !isLDH(p[i]) {
				return nil, fmt.Sprintf("local-part prefix %q has %q (only letters, digits and '-' are allowed)", p, p[i])
			}
		}
		out = append(out, p)
	}
	return out, ""
}
