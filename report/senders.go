package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// senders.json is the default sender map: each provider with the page of
// its own documentation the entry rests on.
//
//go:embed senders.json
var sendersJSON []byte

// SenderCategory says what kind of service a Sender is.
type SenderCategory string

// Sender categories.
const (
	// SenderCategoryMailbox: a mailbox provider (Gmail, Outlook.com, Yahoo) whose
	// users, or hosted domains, send through it.
	SenderCategoryMailbox SenderCategory = "mailbox"
	// SenderCategoryESP: an email service provider that sends for its customers'
	// domains, often with its own bounce and signing domains until the
	// customer sets up its own.
	SenderCategoryESP SenderCategory = "esp"
	// SenderCategoryPlatform: a CRM, help desk or other application that sends
	// mail for its customers' domains.
	SenderCategoryPlatform SenderCategory = "platform"
	// SenderCategoryGateway: a security gateway that relays its customers' mail.
	SenderCategoryGateway SenderCategory = "gateway"
)

// Sender is one sending service and what identifies it in reports.
type Sender struct {
	// Name is the provider, as people know it: "Amazon SES".
	Name string `json:"name"`
	// Category is what kind of service it is.
	Category SenderCategory `json:"category"`
	// Domains are the provider's own signing (DKIM d=) and bounce (SPF
	// MAIL FROM) domains; subdomains match.
	Domains []string `json:"domains,omitempty"`
	// PTRSuffixes are the domains under which the provider's outbound
	// hosts have their reverse-DNS names; the name itself and names below
	// it match.
	PTRSuffixes []string `json:"ptr_suffixes,omitempty"`
	// Source is the provider's public documentation the entry rests on.
	Source string `json:"source"`
	// MailFromAdvice and DKIMAdvice complete the diagnoses
	// report.spf-esp-envelope and report.dkim-esp-only; %s is the From
	// domain. If empty, a general wording is used.
	MailFromAdvice string `json:"mail_from_advice,omitempty"`
	DKIMAdvice     string `json:"dkim_advice,omitempty"`
}

// SenderMap names the services behind the sources of a report. A Summary
// uses DefaultSenders unless given another; a caller extends the default
// with With, or replaces it with NewSenderMap or ParseSenders.
//
// Matching rules, all case-insensitive on domain names without a trailing
// dot, a suffix matching at a label boundary ("mail.yahoo.com" matches
// "x.mail.yahoo.com", not "xmail.yahoo.com"):
//
//   - ByPTR: a forward-confirmed reverse-DNS name of the source IP (see
//     Enricher) against PTRSuffixes;
//   - ByDomain: a DKIM d= domain of a passing signature, or the domain of
//     a passing SPF result (the MAIL FROM domain, or HELO when that is the
//     one evaluated), against Domains.
//
// The longest matching suffix wins, over all entries, and between equal
// suffixes the earlier entry. A Summary attributes each record to the
// provider of the first of these that matches: the PTR names of its
// source IP, then its passing DKIM domains in report order, then its
// passing SPF domains. The PTR comes first because it names the host
// that actually handed the message to the reporter (a forwarder that
// kept an ESP's DKIM signature is the forwarder); a spoofer cannot make a
// signature pass nor an SPF check pass for a provider's domain.
//
// A SenderMap is read-only once built and safe for concurrent use.
type SenderMap struct {
	senders []Sender
	domain  map[string]int // domain -> index of the first sender with it
	ptr     map[string]int
}

// NewSenderMap returns a map of the given senders, earlier entries first.
// It fails with a *SenderMapError on an entry without a name or with a
// string in Domains or PTRSuffixes that is no domain name.
func NewSenderMap(senders ...Sender) (*SenderMap, error) {
	m := &SenderMap{senders: make([]Sender, 0, len(senders)), domain: map[string]int{}, ptr: map[string]int{}}
	for i, s := range senders {
		if s.Name == "" {
			return nil, &SenderMapError{Entry: i, Field: "name", Index: -1, Msg: "missing: every entry needs a name"}
		}
		s = cloneSender(s)
		for _, set := range []struct {
			field string
			list  []string
			idx   map[string]int
		}{{"domains", s.Domains, m.domain}, {"ptr_suffixes", s.PTRSuffixes, m.ptr}} {
			for j, d := range set.list {
				c := dnsname.Canonical(d)
				if dnsname.Check(c) != nil || dnsname.Labels(c) < 2 {
					return nil, &SenderMapError{Entry: i, Name: s.Name, Field: set.field, Index: j, Value: d,
						Msg: "not a domain name of two labels or more (such as \"example.com\")"}
				}
				set.list[j] = c
				if _, ok := set.idx[c]; !ok {
					set.idx[c] = len(m.senders)
				}
			}
		}
		m.senders = append(m.senders, s)
	}
	return m, nil
}

// ErrSenderMap is wrapped by every SenderMapError (errors.Is).
var ErrSenderMap = errors.New("report: malformed sender map")

// SenderMapError describes a sender map that NewSenderMap, ParseSenders
// or SenderMap.With refuses: the entry and field concerned, or the place
// in the JSON document, and what to fix.
type SenderMapError struct {
	// Entry is the index of the entry concerned in the list of senders
	// (the "senders" array of ParseSenders' document, the arguments of
	// NewSenderMap or With), -1 for the document as a whole.
	Entry int
	// Name is the entry's name, "" when it has none.
	Name string
	// Field is the JSON name of the field concerned ("name", "domains",
	// "ptr_suffixes"), "" for the document as a whole.
	Field string
	// Index is the position of Value in Field's list, -1 when Field is
	// no list.
	Index int
	// Value is the refused value as given.
	Value string
	// Limit names the SenderMapReader field whose bound the document
	// passed ("MaxBytes"), "" otherwise; the error then wraps ErrLimit
	// too.
	Limit string
	// Line and Column locate a JSON error in ParseSenders' input: the
	// byte where encoding/json stopped (1-based, Column in bytes); 0
	// otherwise.
	Line, Column int
	// Msg says what is wrong.
	Msg string
	// Err is the encoding/json error, if any.
	Err error
}

// Error says where and what: `report: sender map: senders[3] ("Acme"):
// domains[1] "com": not a domain name of two labels or more ...`, or
// "report: sender map: line 4, column 12: ...".
func (e *SenderMapError) Error() string {
	var b strings.Builder
	b.WriteString("report: sender map: ")
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Column)
	}
	if e.Entry >= 0 {
		fmt.Fprintf(&b, "senders[%d]", e.Entry)
		if e.Name != "" {
			fmt.Fprintf(&b, " (%q)", e.Name)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		if e.Index >= 0 {
			fmt.Fprintf(&b, "[%d] %q", e.Index, e.Value)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns ErrSenderMap, ErrLimit when a bound was passed, and
// the encoding/json error, if any.
func (e *SenderMapError) Unwrap() []error {
	errs := []error{ErrSenderMap}
	if e.Limit != "" {
		errs = append(errs, ErrLimit)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// jsonError is the SenderMapError for an encoding/json error reading
// data: the line and column of its offset, when it has one.
func jsonError(data []byte, err error) *SenderMapError {
	e := &SenderMapError{Entry: -1, Index: -1, Msg: err.Error(), Err: err}
	var off int64 = -1
	if syn, ok := errors.AsType[*json.SyntaxError](err); ok {
		off = syn.Offset
	} else if typ, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		off = typ.Offset
	}
	if off > 0 && off <= int64(len(data)) {
		// The offending byte is the last one read.
		before := data[:off-1]
		e.Line = bytes.Count(before, []byte("\n")) + 1
		e.Column = len(before) - bytes.LastIndexByte(before, '\n')
	}
	return e
}

// cloneSender copies s's lists; an empty list becomes nil, as it reads
// back from JSON (the fields are omitempty).
func cloneSender(s Sender) Sender {
	s.Domains, s.PTRSuffixes = cloneList(s.Domains), cloneList(s.PTRSuffixes)
	return s
}

func cloneList(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return slices.Clone(l)
}

// DefaultMaxSenderMapBytes is the default of SenderMapReader.MaxBytes:
// over a hundred times the embedded table (senders.json, some 8 KiB).
const DefaultMaxSenderMapBytes = 1 << 20

// SenderMapReader reads sender maps in the format of the embedded default
// (senders.json): {"senders": [{"name", "category", "domains",
// "ptr_suffixes", "source", ...}]}, a document of at most MaxBytes. The
// size is the one bound a map needs: every other cost is linear in it
// (decoding; NewSenderMap indexes each domain and PTR suffix once), and a
// lookup walks the labels of the name looked up, whatever the map's size.
// The zero value applies the default.
type SenderMapReader struct {
	// MaxBytes bounds the document's bytes. If zero,
	// DefaultMaxSenderMapBytes; negative: no bound.
	MaxBytes int64
}

func (sr SenderMapReader) maxBytes() int64 {
	if sr.MaxBytes == 0 {
		return DefaultMaxSenderMapBytes
	}
	return sr.MaxBytes
}

// Parse reads a sender map from data. It fails with a *SenderMapError:
// one whose Limit is "MaxBytes" (wrapping ErrLimit) for a document of
// more than MaxBytes.
func (sr SenderMapReader) Parse(data []byte) (*SenderMap, error) {
	if n := sr.maxBytes(); n >= 0 && int64(len(data)) > n {
		return nil, &SenderMapError{Entry: -1, Index: -1, Limit: "MaxBytes",
			Msg: fmt.Sprintf("more than %d bytes (SenderMapReader.MaxBytes): keep the entries the reports need, or raise the limit", n)}
	}
	var doc struct {
		Senders []Sender `json:"senders"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, jsonError(data, err)
	}
	return NewSenderMap(doc.Senders...)
}

// Read reads a sender map from r as Parse does, reading at most one byte
// more than MaxBytes of it. An error reading r is returned wrapped as is.
func (sr SenderMapReader) Read(r io.Reader) (*SenderMap, error) {
	if n := sr.maxBytes(); n >= 0 && n < math.MaxInt64 { // n+1 must not wrap
		r = io.LimitReader(r, n+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("report: reading sender map: %w", err)
	}
	return sr.Parse(data)
}

// ParseSenders reads a sender map with the default bound:
// SenderMapReader{}.Parse(data).
func ParseSenders(data []byte) (*SenderMap, error) { return SenderMapReader{}.Parse(data) }

// ReadSenders reads a sender map with the default bound:
// SenderMapReader{}.Read(r).
func ReadSenders(r io.Reader) (*SenderMap, error) { return SenderMapReader{}.Read(r) }

// defaultSenders is the parsed embedded table, shared read-only.
var defaultSenders = sync.OnceValue(func() *SenderMap {
	m, err := ParseSenders(sendersJSON)
	if err != nil {
		panic(err) // the embedded table is checked by TestDefaultSenders
	}
	return m
})

// DefaultSenders returns the built-in sender map (senders.json: mailbox
// providers, ESPs, platforms and gateways, each with the documentation it
// rests on).
func DefaultSenders() *SenderMap { return defaultSenders() }

// Senders returns a copy of the map's entries, in order.
func (m *SenderMap) Senders() []Sender {
	out := make([]Sender, len(m.senders))
	for i, s := range m.senders {
		out[i] = cloneSender(s)
	}
	return out
}

// With returns a new map with more before m's entries, so that they win
// over m's for the same suffix. m is not changed. It fails as
// NewSenderMap does, SenderMapError.Entry indexing more.
func (m *SenderMap) With(more ...Sender) (*SenderMap, error) {
	return NewSenderMap(append(slices.Clone(more), m.senders...)...)
}

// ByDomain returns the sender whose Domains hold name or a parent of it,
// or nil.
func (m *SenderMap) ByDomain(name string) *Sender { return m.lookup(m.domain, name) }

// ByPTR returns the sender whose PTRSuffixes hold the reverse-DNS name
// host or a parent of it, or nil.
func (m *SenderMap) ByPTR(host string) *Sender { return m.lookup(m.ptr, host) }

// lookup walks from name up to its parents: the first hit is the longest
// matching suffix.
func (m *SenderMap) lookup(idx map[string]int, name string) *Sender {
	if m == nil || name == "" {
		return nil
	}
	for n := dnsname.Canonical(name); strings.Contains(n, "."); n = dnsname.Parent(n) {
		if i, ok := idx[n]; ok {
			return &m.senders[i]
		}
	}
	return nil
}
