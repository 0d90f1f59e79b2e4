package authres

import (
	"errors"
	"strings"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// HeaderField is one field of a message header: its name and its value
// as it follows the colon (folding may be kept).
type HeaderField struct {
	// Name is the field name, e.g. "Authentication-Results".
	Name string
	// Value is everything after the colon, line ends and folding kept
	// or unfolded.
	Value string
}

// IsAuthResults reports whether the field is an Authentication-Results
// field (the name compares case-insensitively, RFC 5322 §1.2.2).
func (f HeaderField) IsAuthResults() bool {
	return strings.EqualFold(strings.TrimRight(f.Name, " \t"), FieldName)
}

// RemovalReason says why an Authentication-Results field must go.
type RemovalReason uint8

// Reasons for removal (RFC 8601 §5).
const (
	// RemovalReasonOwnID: the field claims, by its authserv-id, to have been
	// added inside the receiver's trust boundary (MUST delete, §5).
	RemovalReasonOwnID RemovalReason = iota + 1
	// RemovalReasonVersion: the field bears a version the parser does not
	// support (MUST remove when not from a trusted internal MTA, §5).
	RemovalReasonVersion
	// RemovalReasonMalformed: the field cannot be read, so whether it claims
	// the receiver's authserv-id is unknown; removing it is the safe
	// choice (§7.8), and the caller may keep it instead.
	RemovalReasonMalformed
)

// String returns a short name of the reason.
func (r RemovalReason) String() string {
	switch r {
	case RemovalReasonOwnID:
		return "own-authserv-id"
	case RemovalReasonVersion:
		return "unsupported-version"
	case RemovalReasonMalformed:
		return "malformed"
	}
	return "unknown"
}

// Removal names one Authentication-Results field to delete.
type Removal struct {
	// Index is the position of the field in the slice given.
	Index int
	// AuthServID is the field's authserv-id, or "" when it could not be
	// read.
	AuthServID string
	// Reason says why the field goes.
	Reason RemovalReason
	// Err is the parse error for RemovalReasonVersion and RemovalReasonMalformed.
	Err error
}

// ForRemoval reports, in header order, the Authentication-Results fields
// among fields that a receiver must delete before adding its own, for a
// message that did not come directly from a trusted MTA of its own ADMD
// (RFC 8601 §5): those whose authserv-id is one of own or lies below one
// of them as a domain name (a hierarchical authserv-id, §2.5), those with
// an unsupported version, and those that cannot be read. Names compare
// case-insensitively and with A-labels and U-labels taken as equal (§5).
// Empty entries of own are ignored. Other fields are not reported.
func (p *Parser) ForRemoval(fields []HeaderField, own ...string) []Removal {
	ids := canonicalIDs(own)
	var out []Removal
	for i, f := range fields {
		if !f.IsAuthResults() {
			continue
		}
		r, err := p.Parse(f.Value)
		if err == nil {
			if claims(r.AuthServID, ids) {
				out = append(out, Removal{Index: i, AuthServID: r.AuthServID, Reason: RemovalReasonOwnID})
			}
			continue
		}
		var pe *ParseError
		id := ""
		if errors.As(err, &pe) {
			id = pe.AuthServID
		}
		switch {
		case id != "" && claims(id, ids):
			// A field that claims the receiver's identity goes whatever
			// else is wrong with it.
			out = append(out, Removal{Index: i, AuthServID: id, Reason: RemovalReasonOwnID, Err: err})
		case errors.Is(err, ErrVersion):
			out = append(out, Removal{Index: i, AuthServID: id, Reason: RemovalReasonVersion, Err: err})
		default:
			out = append(out, Removal{Index: i, AuthServID: id, Reason: RemovalReasonMalformed, Err: err})
		}
	}
	return out
}

// ForRemoval is Parser.ForRemoval with the zero Parser.
func ForRemoval(fields []HeaderField, own ...string) []Removal {
	var p Parser
	return p.ForRemoval(fields, own...)
}

// Strip returns fields without those ForRemoval reports, and the
// reports. The input slice is not modified.
func (p *Parser) Strip(fields []HeaderField, own ...string) ([]HeaderField, []Removal) {
	rm := p.ForRemoval(fields, own...)
	kept := make([]HeaderField, 0, len(fields)-len(rm))
	j := 0
	for i, f := range fields {
		if j < len(rm) && rm[j].Index == i {
			j++
			continue
		}
		kept = append(kept, f)
	}
	return kept, rm
}

// Strip is Parser.Strip with the zero Parser.
func Strip(fields []HeaderField, own ...string) ([]HeaderField, []Removal) {
	var p Parser
	return p.Strip(fields, own...)
}

// Trusted returns, in header order, the parsed Authentication-Results
// fields among fields whose authserv-id is exactly one of trusted
// (case-insensitive, A-labels and U-labels equal). Subdomains of a trusted
// authserv-id are not trusted: an upstream ADMD removes forgeries of its
// own identifier (§5) but not necessarily of names below it. Fields that
// cannot be read, fields without an authserv-id, and fields whose
// authserv-id is not at their head (tolerance 2: a filter upstream may not
// have recognised it as its own) are never returned.
// Call it after ForRemoval/Strip, so that no forged field claiming the
// receiver's own authserv-id remains (RFC 8601 §5, §7.1).
func (p *Parser) Trusted(fields []HeaderField, trusted ...string) []*Results {
	ids := canonicalIDs(trusted)
	var out []*Results
	for _, f := range fields {
		if !f.IsAuthResults() {
			continue
		}
		r, err := p.Parse(f.Value)
		if err != nil || r.AuthServID == "" {
			continue
		}
		if id, ok := headID(f.Value); !ok || id != r.AuthServID {
			// The authserv-id was found only by tolerance 2: the
			// upstream's own §5 filter may not have recognised it.
			continue
		}
		c := canonicalID(r.AuthServID)
		for _, t := range ids {
			if c == t {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// Trusted is Parser.Trusted with the zero Parser.
func Trusted(fields []HeaderField, trusted ...string) []*Results {
	var p Parser
	return p.Trusted(fields, trusted...)
}

// canonicalID gives the form authserv-ids compare in: for a domain name,
// A-labels in lower case without a trailing dot (so that A-labels and
// U-labels match, §5); for anything else, the lower-cased string.
func canonicalID(id string) string {
	if n, err := dnsname.Normalize(id); err == nil {
		return n
	}
	return strings.ToLower(id)
}

func canonicalIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" {
			out = append(out, canonicalID(id))
		}
	}
	return out
}

// claims reports whether id equals one of own or lies below it.
func claims(id string, own []string) bool {
	if id == "" {
		return false
	}
	c := canonicalID(id)
	for _, o := range own {
		if dnsname.IsSubdomain(c, o) {
			return true
		}
	}
	return false
}
