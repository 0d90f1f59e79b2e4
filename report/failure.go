package report

import (
	"net/netip"
	"strings"
	"time"

	"github.com/domainauth/domainauth/authres"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Failure is one DMARC failure report: an ARF message (RFC 5965) of
// feedback type auth-failure (RFC 6591) with the fields RFC 9991 §4 adds.
// Field names follow the ARF field names. Repeatable fields are slices;
// a field the report does not carry is the zero value.
type Failure struct {
	// Container is the chain of layers unwrapped, outermost first
	// ("email", "gzip/email").
	Container string `json:"container,omitempty"`
	// Text is the human-readable first part (at most MaxElementSize bytes
	// are kept).
	Text string `json:"text,omitempty"`

	// FeedbackType is "auth-failure" (RFC 6591 §3.1).
	FeedbackType string `json:"feedback_type"`
	// UserAgent names the software that wrote the report (RFC 5965 §3.1,
	// required).
	UserAgent string `json:"user_agent,omitempty"`
	// Version is the ARF version, "1" (RFC 5965 §3.1, required); some
	// reporters write "1.0", which is kept as written.
	Version string `json:"version,omitempty"`
	// AuthFailure is the failed mechanism (RFC 6591 §3.2.1, RFC 9991 §4).
	AuthFailure AuthFailure `json:"auth_failure,omitempty"`
	// IdentityAlignment lists the mechanisms that failed to authenticate
	// an aligned identity ("dkim", "spf"), or holds the one keyword "none"
	// (RFC 9991 §4). Nil when the field is absent.
	IdentityAlignment []string `json:"identity_alignment,omitempty"`
	// AuthenticationResults are the Authentication-Results fields of the
	// report part (RFC 6591 §3.1: one is required).
	AuthenticationResults []AuthResultsField `json:"authentication_results,omitempty"`

	// SourceIP is the address the message came from; SourcePort its port
	// (0 when absent).
	SourceIP   netip.Addr `json:"source_ip,omitzero"`
	SourcePort int        `json:"source_port,omitempty"`
	// ReportedDomain are the domains the report concerns (RFC 6591 §3.1:
	// present when known).
	ReportedDomain []string `json:"reported_domain,omitempty"`
	// ReportedURI are Reported-URI values (RFC 5965 §3.2).
	ReportedURI []string `json:"reported_uri,omitempty"`
	// OriginalMailFrom is the envelope sender without angle brackets;
	// NullMailFrom is true for the null reverse-path "<>".
	OriginalMailFrom string `json:"original_mail_from,omitempty"`
	NullMailFrom     bool   `json:"null_mail_from,omitempty"`
	// OriginalRcptTo are the envelope recipients, without angle brackets.
	OriginalRcptTo     []string `json:"original_rcpt_to,omitempty"`
	OriginalEnvelopeID string   `json:"original_envelope_id,omitempty"`
	// ArrivalDate is when the receiver got the message (Arrival-Date, or
	// its obsolete name Received-Date).
	ArrivalDate  time.Time `json:"arrival_date,omitzero"`
	ReportingMTA string    `json:"reporting_mta,omitempty"`
	// Incidents is how many like messages the report stands for; 0 when
	// the field is absent, which means one (RFC 5965 §3.2).
	Incidents uint64 `json:"incidents,omitempty"`
	// DeliveryResult is what the receiver did with the message (RFC 6591
	// §3.2.2).
	DeliveryResult DeliveryResult `json:"delivery_result,omitempty"`

	// DKIMDomain, DKIMIdentity and DKIMSelector identify the failed
	// signature (d=, i=, s=; RFC 6591 §3.2.3).
	DKIMDomain   string `json:"dkim_domain,omitempty"`
	DKIMIdentity string `json:"dkim_identity,omitempty"`
	DKIMSelector string `json:"dkim_selector,omitempty"`
	// DKIMCanonicalizedHeader and DKIMCanonicalizedBody are the decoded
	// base64 fields of RFC 6591 §3.2.4.
	DKIMCanonicalizedHeader []byte `json:"dkim_canonicalized_header,omitempty"`
	DKIMCanonicalizedBody   []byte `json:"dkim_canonicalized_body,omitempty"`
	// DKIMADSPDNS and DKIMSelectorDNS are kept as written (quoted strings).
	DKIMADSPDNS     string `json:"dkim_adsp_dns,omitempty"`
	DKIMSelectorDNS string `json:"dkim_selector_dns,omitempty"`
	// SPFDNS are the SPF-DNS fields, one per SPF record used (RFC 6591
	// §3.2.6), as written: "txt : example.com : \"v=spf1 ...\"".
	SPFDNS []string `json:"spf_dns,omitempty"`

	// Fields are all the fields of the report part in order, unfolded,
	// those above included (at most MaxRecordEntries are read).
	Fields []Field `json:"fields,omitempty"`
	// Original is the third part: the reported message or its header.
	Original Original `json:"original"`

	// Warnings lists every repair and oddity the decoder met (never part
	// of the encoded report). Repeated warnings are counted, not repeated.
	Warnings []Warning `json:"warnings,omitempty"`
}

// AuthFailure is an Auth-Failure value (RFC 6591 §3.3 and RFC 9991 §4).
// The type is open: an unknown value is kept as written, lower-cased.
type AuthFailure string

// Authentication failure types.
const (
	AuthFailureDMARC     AuthFailure = "dmarc"     // RFC 9991 §4
	AuthFailureSPF       AuthFailure = "spf"       // RFC 6591 §3.3
	AuthFailureDKIM      AuthFailure = "dkim"      // not registered, written by some reporters
	AuthFailureADSP      AuthFailure = "adsp"      // RFC 6591 §3.3
	AuthFailureBodyHash  AuthFailure = "bodyhash"  // RFC 6591 §3.3
	AuthFailureRevoked   AuthFailure = "revoked"   // RFC 6591 §3.3
	AuthFailureSignature AuthFailure = "signature" // RFC 6591 §3.3
)

var authFailures = []AuthFailure{AuthFailureDMARC, AuthFailureSPF, AuthFailureDKIM, AuthFailureADSP,
	AuthFailureBodyHash, AuthFailureRevoked, AuthFailureSignature}

// DeliveryResult is a Delivery-Result value (RFC 6591 §3.2.2). The type is
// open: other values are kept as written, lower-cased.
type DeliveryResult string

// Delivery results.
const (
	DeliveryResultDelivered DeliveryResult = "delivered"
	DeliveryResultSpam      DeliveryResult = "spam"
	DeliveryResultPolicy    DeliveryResult = "policy"
	DeliveryResultReject    DeliveryResult = "reject"
	DeliveryResultOther     DeliveryResult = "other"
)

var deliveryResults = []DeliveryResult{DeliveryResultDelivered, DeliveryResultSpam, DeliveryResultPolicy, DeliveryResultReject, DeliveryResultOther}

// AuthResultsField is one Authentication-Results field: as written, and
// parsed by package authres (nil when it does not parse; a warning says
// why).
type AuthResultsField struct {
	Raw    string           `json:"raw"`
	Parsed *authres.Results `json:"parsed,omitempty"`
}

// Field is one header field, unfolded: the name as written and the value
// without leading and trailing white space.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Original is the third part of a failure report (RFC 6591 §3.1): the
// whole reported message (message/rfc822) or its header only
// (text/rfc822-headers).
type Original struct {
	// MediaType is "message/rfc822" or "text/rfc822-headers"; "" when the
	// report has no third part.
	MediaType string `json:"media_type,omitempty"`
	// Header is the reported message's header, in order, unfolded.
	Header []Field `json:"header,omitempty"`
	// Body is the reported message's body as it was sent (transfer
	// encoding kept); nil for text/rfc822-headers.
	Body []byte `json:"body,omitempty"`
}

// Get returns the value of the first header field named name
// (case-insensitive), or "".
func (o *Original) Get(name string) string {
	return getField(o.Header, name)
}

// Get returns the value of the first report field named name
// (case-insensitive), or "".
func (f *Failure) Get(name string) string {
	return getField(f.Fields, name)
}

func getField(fs []Field, name string) string {
	for _, f := range fs {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// HeaderFrom returns the domain of the reported message's From address,
// lower-cased, or "" when there is none.
func (o *Original) HeaderFrom() string {
	return addressDomain(o.Get("From"))
}

// Domain returns the domain the report is about: the first
// Reported-Domain, else the reported message's From domain, else the
// header.from of a dmarc result in Authentication-Results; lower-cased.
func (f *Failure) Domain() string {
	if len(f.ReportedDomain) > 0 {
		return dnsname.Canonical(f.ReportedDomain[0])
	}
	if d := f.Original.HeaderFrom(); d != "" {
		return d
	}
	for _, ar := range f.AuthenticationResults {
		if ar.Parsed == nil {
			continue
		}
		for _, m := range ar.Parsed.Find("dmarc") {
			if v, ok := m.Prop("header", "from"); ok {
				return dnsname.Canonical(v)
			}
		}
	}
	return ""
}

// addressDomain returns the domain of the last address-like token in an
// address field value ("Name <a@example.com>" gives example.com).
func addressDomain(v string) string {
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		v = v[i+1:]
		if j := strings.IndexByte(v, '>'); j >= 0 {
			v = v[:j]
		}
	}
	i := strings.LastIndexByte(v, '@')
	if i < 0 {
		return ""
	}
	d := strings.TrimSpace(v[i+1:])
	d = strings.TrimRight(d, ">;, \t")
	if strings.ContainsAny(d, " \t<>\"") {
		return ""
	}
	return dnsname.Canonical(d)
}
