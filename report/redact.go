package report

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/domainauth/domainauth/authres"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Redactor removes personal data from failure reports, for receivers that
// send them and for users who store them (RFC 9991 §7, with RFC 6590 as
// the background). The zero value is not usable: Key is required. A
// Redactor is safe for concurrent use.
//
// Redact, applied to a report:
//
//   - replaces the local part of every email address it finds (in the kept
//     header fields of the original, Original-Mail-From, Original-Rcpt-To,
//     DKIM-Identity, Authentication-Results, SPF-DNS) by a token: the first
//     TokenLength hexadecimal digits of HMAC-SHA-256(Key, local "@"
//     domain), the domain lower-cased. One address always maps to one
//     token under one key, so reports can still be correlated; without the
//     key the address cannot be recovered, but anyone holding the key can
//     test a guessed address;
//   - drops the original's body (the report keeps text/rfc822-headers),
//     the human-readable text part, the DKIM-Canonicalized-Header and
//     -Body fields (RFC 6591 §3.2.4: they MUST NOT carry redacted data),
//     and the report fields that the Failure type does not name (Fields);
//   - keeps only the original's header fields that a failure report needs
//     to diagnose authentication (KeptHeaderFields, plus KeepHeader).
//
// What remains identifying: the domains of every address; the source IP
// address (a home or office address for a person sending directly); the
// Received fields (host names and addresses of the path, times); the
// Message-ID and Original-Envelope-Id (which the sender can match with its
// logs); the dates; DKIM-Signature fields (d=, s=, the signed header
// list, and b=, a signature over the unredacted fields); local parts not
// written as addresses (in comments or free text) are not found; and the
// tokens themselves link all reports about one address.
type Redactor struct {
	// Key is the HMAC-SHA-256 key (RFC 2104); keep it secret. Required:
	// at least 16 bytes.
	Key []byte
	// TokenLength is the number of hexadecimal digits of a token. If
	// zero, 16 (64 bits: collisions are unlikely below billions of
	// addresses); at most 64.
	TokenLength int
	// KeepHeader names more header fields of the original to keep,
	// case-insensitively.
	KeepHeader []string
}

// KeptHeaderFields are the header fields of the original message that
// Redact keeps: those DMARC, SPF, DKIM and ARC evaluation rests on
// (RFC 9989 §4, RFC 7208 §9, RFC 6376 §3.5, RFC 8617), the trace fields,
// and the identifiers that let the domain owner find the message in its
// logs. Subject and the other content-bearing fields are dropped.
var KeptHeaderFields = []string{
	"From", "Sender", "To", "Cc", "Date", "Message-ID", "Return-Path",
	"Received", "Received-SPF", "Authentication-Results", "DKIM-Signature",
	"ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results",
	"List-Id", "MIME-Version",
}

// ErrRedactKey: the Redactor's Key is missing or shorter than 16 bytes.
var ErrRedactKey = errors.New("report: redact: Key must hold at least 16 bytes")

// Redact returns a redacted copy of f; f is not changed.
func (r *Redactor) Redact(f *Failure) (*Failure, error) {
	if len(r.Key) < 16 {
		return nil, ErrRedactKey
	}
	g := *f
	g.Text = ""
	g.Fields = nil
	g.DKIMCanonicalizedHeader, g.DKIMCanonicalizedBody = nil, nil
	g.Warnings = slices.Clone(f.Warnings)
	g.OriginalMailFrom = r.Address(f.OriginalMailFrom)
	g.OriginalRcptTo = make([]string, len(f.OriginalRcptTo))
	for i, a := range f.OriginalRcptTo {
		g.OriginalRcptTo[i] = r.Address(a)
	}
	if f.OriginalRcptTo == nil {
		g.OriginalRcptTo = nil
	}
	g.DKIMIdentity = r.Addresses(f.DKIMIdentity)
	g.SPFDNS = r.all(f.SPFDNS)
	g.ReportedDomain = slices.Clone(f.ReportedDomain)
	g.ReportedURI = slices.Clone(f.ReportedURI)
	g.IdentityAlignment = slices.Clone(f.IdentityAlignment)
	g.AuthenticationResults = nil
	for _, ar := range f.AuthenticationResults {
		raw := r.Addresses(ar.Raw)
		p, err := authres.Parse(raw)
		if err != nil {
			p = nil
		}
		g.AuthenticationResults = append(g.AuthenticationResults, AuthResultsField{Raw: raw, Parsed: p})
	}
	keep := append(slices.Clone(KeptHeaderFields), r.KeepHeader...)
	g.Original = Original{}
	if f.Original.MediaType != "" || len(f.Original.Header) > 0 {
		g.Original.MediaType = "text/rfc822-headers"
	}
	for _, h := range f.Original.Header {
		if slices.ContainsFunc(keep, func(k string) bool { return strings.EqualFold(k, h.Name) }) {
			g.Original.Header = append(g.Original.Header, Field{Name: h.Name, Value: r.Addresses(h.Value)})
		}
	}
	return &g, nil
}

func (r *Redactor) all(vs []string) []string {
	if vs == nil {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = r.Addresses(v)
	}
	return out
}

// Address returns addr ("local@domain") with its local part replaced by
// its token; a value without "@" (or an empty local part) is returned as
// it is. It panics if Key is shorter than 16 bytes; Redact checks.
func (r *Redactor) Address(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 {
		return addr
	}
	return r.token(addr[:i], addr[i+1:]) + addr[i:]
}

func (r *Redactor) token(local, domain string) string {
	if len(r.Key) < 16 {
		panic(ErrRedactKey)
	}
	n := r.TokenLength
	if n <= 0 {
		n = 16
	}
	n = min(n, 64)
	m := hmac.New(sha256.New, r.Key)
	m.Write([]byte(local))
	m.Write([]byte{'@'})
	m.Write([]byte(dnsname.Lower(domain)))
	return hex.EncodeToString(m.Sum(nil))[:n]
}

// addrRE finds addresses in free text: a dot-atom or quoted-string local
// part, "@", and a domain or address literal (RFC 5322 §3.4.1).
var addrRE = regexp.MustCompile("(\"(?:[^\"\\\\\r\n]|\\\\.)*\"|[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\\-\u0080-\U0010FFFF]+)@([A-Za-z0-9.\\-\u0080-\U0010FFFF]+|\\[[^\\]]*\\])")

// propPrefix is what precedes an address in Authentication-Results,
// Received-SPF and DKIM-Signature values: "smtp.mailfrom=", "i=",
// "envelope-from=". The match starts after it, since '=' and '.' are
// also characters of a local part.
var propPrefix = regexp.MustCompile(`^(?:[A-Za-z][A-Za-z0-9-]*\.)?[A-Za-z][A-Za-z0-9-]*=`)

// Addresses returns s with the local part of every address in it
// replaced by its token.
func (r *Redactor) Addresses(s string) string {
	return addrRE.ReplaceAllStringFunc(s, func(m string) string {
		at := strings.LastIndexByte(m, '@')
		local, domain := m[:at], m[at+1:]
		prefix := ""
		if p := propPrefix.FindString(local); p != "" && p != local {
			prefix, local = p, local[len(p):]
		}
		return prefix + r.token(local, domain) + "@" + domain
	})
}
