package tlsrpt

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/errs"
)

// Record is a TLSRPT policy record, the TXT record at _smtp._tls.<domain>
// (RFC 8460 §3).
type Record struct {
	// RUA are the report destinations, in the order written: mailto: and
	// https: URIs (other schemes are kept, and skipped by Destinations).
	RUA []string
	// Extensions are the other fields, in the order written (RFC 8460 §3:
	// unknown fields are ignored, and kept here for String).
	Extensions []Extension
}

// Extension is a tlsrpt-extension field.
type Extension struct{ Name, Value string }

// ErrNoRecord: no TXT record at _smtp._tls.<domain> starts with
// "v=TLSRPTv1;" (the domain does not implement TLSRPT).
var ErrNoRecord = errs.New("tlsrpt: no TLSRPT record", domainauth.ErrNotFound)

// ErrMultipleRecords: more than one record starts with "v=TLSRPTv1;"; RFC
// 8460 §3: the sender MUST assume the domain does not implement TLSRPT.
var ErrMultipleRecords = errors.New("tlsrpt: more than one TLSRPT record")

// ErrNotRecord: the text is not a TLSRPT record (it does not start with
// "v=TLSRPTv1"), as opposed to a broken one (*ParseError).
var ErrNotRecord = errors.New("tlsrpt: not a TLSRPT record")

// ParseError describes a malformed record.
type ParseError struct {
	Record string // the input
	Field  int    // 0-based index of the field
	Offset int    // byte offset of the field in Record
	Msg    string
}

// Error names the field, the offset and what is wrong.
func (e *ParseError) Error() string {
	return fmt.Sprintf("tlsrpt: record field %d at offset %d: %s", e.Field, e.Offset, e.Msg)
}

// RecordName returns the name of a domain's TLSRPT record.
func RecordName(domain string) string {
	return "_smtp._tls." + strings.TrimSuffix(domain, ".")
}

// ParseRecord parses a TLSRPT record (RFC 8460 §3 grammar). The version
// field must come first, exactly "v=TLSRPTv1" (case-sensitive, %s); rua is
// required, once; URIs are comma separated with optional white space.
func ParseRecord(txt string) (*Record, error) {
	if !strings.HasPrefix(txt, "v=TLSRPTv1") || len(txt) > 10 && !isFieldDelimStart(txt[10]) {
		return nil, ErrNotRecord
	}
	r := &Record{}
	seenRUA := false
	for i, f := range splitFields(txt) {
		if f.text == "" {
			if f.last {
				break // a trailing field-delim
			}
			return nil, &ParseError{txt, i, f.off, "empty field"}
		}
		if i == 0 {
			if f.text != "v=TLSRPTv1" {
				return nil, &ParseError{txt, 0, 0, "the version field must be followed by ';'"}
			}
			continue
		}
		off := f.off
		name, value, ok := strings.Cut(f.text, "=")
		if !ok {
			return nil, &ParseError{txt, i, off, fmt.Sprintf("%q has no '='", f.text)}
		}
		switch {
		case name == "rua":
			if seenRUA {
				return nil, &ParseError{txt, i, off, "rua appears twice"}
			}
			seenRUA = true
			for j, u := range strings.Split(value, ",") {
				u = strings.Trim(u, " \t")
				if err := checkURI(u); err != nil {
					return nil, &ParseError{txt, i, off, fmt.Sprintf("rua URI %d %q: %v", j+1, u, err)}
				}
				r.RUA = append(r.RUA, u)
			}
		case name == "v":
			return nil, &ParseError{txt, i, off, "v appears twice"}
		default:
			if !isExtName(name) {
				return nil, &ParseError{txt, i, off, fmt.Sprintf("%q is not a field name", name)}
			}
			if !isExtValue(value) {
				return nil, &ParseError{txt, i, off, fmt.Sprintf("the value of %q is empty or holds a space, '=' or a control character", name)}
			}
			r.Extensions = append(r.Extensions, Extension{name, value})
		}
	}
	if !seenRUA {
		return nil, &ParseError{txt, 0, 0, "no rua field (RFC 8460 §3: it is required)"}
	}
	return r, nil
}

func isFieldDelimStart(c byte) bool { return c == ';' || c == ' ' || c == '\t' }

type field struct {
	text string
	off  int
	last bool
}

// splitFields splits at field-delim (*WSP ";" *WSP).
func splitFields(s string) []field {
	var out []field
	start := 0
	for {
		i := strings.IndexByte(s[start:], ';')
		if i < 0 {
			out = append(out, field{strings.Trim(s[start:], " \t"), start, true})
			return out
		}
		out = append(out, field{strings.Trim(s[start:start+i], " \t"), start, false})
		start += i + 1
	}
}

// checkURI checks a tlsrpt-uri: an absolute URI (RFC 3986) in which ','
// '!' and ';' are percent-encoded (RFC 8460 §3).
func checkURI(u string) error {
	if u == "" {
		return errors.New("empty")
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c <= ' ' || c >= 0x7f || c == '!' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}' {
			return fmt.Errorf("byte %q must be percent-encoded", c)
		}
	}
	p, err := url.Parse(u)
	if err != nil {
		return errors.New("not a URI")
	}
	if p.Scheme == "" {
		return errors.New("no scheme")
	}
	return nil
}

func isExtName(s string) bool {
	if s == "" || len(s) > 32 || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isExtValue: 1*(%x21-3A / %x3C / %x3E-7E).
func isExtValue(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == ';' || c == '=' {
			return false
		}
	}
	return true
}

// String formats the record in its canonical form; ParseRecord(r.String())
// equals r.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=TLSRPTv1; rua=")
	b.WriteString(strings.Join(r.RUA, ","))
	for _, e := range r.Extensions {
		b.WriteString("; ")
		b.WriteString(e.Name)
		b.WriteByte('=')
		b.WriteString(e.Value)
	}
	return b.String()
}

// Destination is one rua URI that a reporter can deliver to.
type Destination struct {
	Scheme string // "mailto" or "https"
	// Address is the mailbox of a mailto: URI (percent-decoded, without
	// hfields); URL is the whole https: URI.
	Address string
	URL     string
}

// Destinations returns the rua URIs with the two schemes RFC 8460 §3
// supports, mailto: and https:, in order; others are skipped.
func (r *Record) Destinations() []Destination {
	var out []Destination
	for _, u := range r.RUA {
		p, err := url.Parse(u)
		if err != nil {
			continue
		}
		switch strings.ToLower(p.Scheme) {
		case "mailto":
			addr := p.Opaque
			if a, _, _ := strings.Cut(addr, "?"); a != "" {
				addr = a
			}
			if d, err := url.PathUnescape(addr); err == nil {
				addr = d
			}
			if addr != "" {
				out = append(out, Destination{Scheme: "mailto", Address: addr})
			}
		case "https":
			if p.Host != "" {
				out = append(out, Destination{Scheme: "https", URL: u})
			}
		}
	}
	return out
}

// SelectRecord picks the TLSRPT record among a name's TXT records (RFC 8460
// §3): records that do not start with "v=TLSRPTv1;" are discarded; none left
// is ErrNoRecord, several is ErrMultipleRecords.
func SelectRecord(txts []string) (*Record, error) {
	var found []string
	for _, t := range txts {
		if strings.HasPrefix(t, "v=TLSRPTv1") && (len(t) == 10 || isFieldDelimStart(t[10])) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return nil, ErrNoRecord
	case 1:
		return ParseRecord(found[0])
	}
	return nil, fmt.Errorf("%w: %d records at _smtp._tls", ErrMultipleRecords, len(found))
}

// LookupRecord fetches and parses a domain's TLSRPT record. A name that does
// not exist, or has no TLSRPT record, gives ErrNoRecord; other DNS errors
// are returned as they are (see domainauth.IsNotFound).
func LookupRecord(ctx context.Context, r domainauth.Resolver, domain string) (*Record, error) {
	txts, err := r.LookupTXT(ctx, RecordName(domain))
	if err != nil {
		if domainauth.IsNotFound(err) {
			return nil, ErrNoRecord
		}
		return nil, fmt.Errorf("tlsrpt: looking up %s: %w", RecordName(domain), domainauth.WrapDNSError(ctx, err))
	}
	return SelectRecord(txts)
}
