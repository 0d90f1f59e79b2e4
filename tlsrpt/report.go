package tlsrpt

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/domainauth/domainauth/dkim"
)

// Report is an SMTP TLS report (RFC 8460 §4.4). Field names follow the JSON
// member names.
type Report struct {
	OrganizationName string    // "organization-name"
	DateRange        DateRange // "date-range"
	ContactInfo      string    // "contact-info": an addr-spec
	ReportID         string    // "report-id"
	Policies         []PolicyResult

	// Warnings lists the repairs made while decoding (not encoded).
	Warnings []Warning
	// Email is set for a report that arrived in an email message: its
	// TLS-Report-* fields and the DKIM verdict RFC 8460 §3 requires.
	Email *EmailInfo
}

// DateRange is the reporting period (RFC 8460 §4.1), in UTC.
type DateRange struct {
	Start, End time.Time
}

// PolicyResult is one entry of "policies": the policy applied, its counts
// and its failures.
type PolicyResult struct {
	Policy         Policy
	Summary        SessionCounts
	FailureDetails []FailureDetail
}

// Policy is the "policy" object.
type Policy struct {
	Type PolicyType // "policy-type"
	// String is "policy-string": the TLSA records or the MTA-STS policy
	// lines (RFC 8460 §4.5).
	String []string
	Domain string   // "policy-domain", A-labels
	MXHost []string // "mx-host": the MTA-STS policy's mx patterns
}

// SessionCounts is the "summary" object. Its JSON names (for summaries;
// Encode writes the RFC's) are "successful" and "failed".
type SessionCounts struct {
	Successful uint64 `json:"successful"` // "total-successful-session-count"
	Failure    uint64 `json:"failed"`     // "total-failure-session-count"
}

// FailureDetail is one entry of "failure-details".
type FailureDetail struct {
	ResultType          ResultType // "result-type"
	SendingMTAIP        netip.Addr // "sending-mta-ip"
	ReceivingMXHostname string     // "receiving-mx-hostname"
	ReceivingMXHelo     string     // "receiving-mx-helo" (optional)
	ReceivingIP         netip.Addr // "receiving-ip"
	FailedSessionCount  uint64     // "failed-session-count"
	// AdditionalInformation is "additional-information", a URI (optional).
	AdditionalInformation string
	FailureReasonCode     string // "failure-reason-code"
}

// PolicyType is "policy-type" (RFC 8460 §4.4). Values outside the three
// the RFC defines are kept as written.
type PolicyType string

// The policy types of RFC 8460 §4.4.
const (
	PolicyTypeTLSA          PolicyType = "tlsa"
	PolicyTypeSTS           PolicyType = "sts"
	PolicyTypeNoPolicyFound PolicyType = "no-policy-found"
)

// Known reports whether t is one of the RFC's policy types.
func (t PolicyType) Known() bool {
	return t == PolicyTypeTLSA || t == PolicyTypeSTS || t == PolicyTypeNoPolicyFound
}

// ResultType is "result-type": a value of the STARTTLS Validation Result
// Types registry (RFC 8460 §4.3, §6.6). Values outside it are kept as
// written.
type ResultType string

// The result types of RFC 8460 §4.3.
const (
	// §4.3.1 negotiation failures.
	ResultTypeSTARTTLSNotSupported    ResultType = "starttls-not-supported"
	ResultTypeCertificateHostMismatch ResultType = "certificate-host-mismatch"
	ResultTypeCertificateExpired      ResultType = "certificate-expired"
	ResultTypeCertificateNotTrusted   ResultType = "certificate-not-trusted"
	ResultTypeValidationFailure       ResultType = "validation-failure"
	// §4.3.2.1 DANE policy failures.
	ResultTypeTLSAInvalid   ResultType = "tlsa-invalid"
	ResultTypeDNSSECInvalid ResultType = "dnssec-invalid"
	ResultTypeDANERequired  ResultType = "dane-required"
	// §4.3.2.2 MTA-STS policy failures.
	ResultTypeSTSPolicyFetchError ResultType = "sts-policy-fetch-error"
	ResultTypeSTSPolicyInvalid    ResultType = "sts-policy-invalid"
	ResultTypeSTSWebPKIInvalid    ResultType = "sts-webpki-invalid"
)

// resultTypes lists the result types of RFC 8460 §4.3 in the RFC's order.
var resultTypes = []ResultType{
	ResultTypeSTARTTLSNotSupported, ResultTypeCertificateHostMismatch, ResultTypeCertificateExpired,
	ResultTypeCertificateNotTrusted, ResultTypeValidationFailure, ResultTypeTLSAInvalid,
	ResultTypeDNSSECInvalid, ResultTypeDANERequired, ResultTypeSTSPolicyFetchError,
	ResultTypeSTSPolicyInvalid, ResultTypeSTSWebPKIInvalid,
}

// Known reports whether t is one of the RFC's result types.
func (t ResultType) Known() bool {
	for _, k := range resultTypes {
		if t == k {
			return true
		}
	}
	return false
}

// Warning is a repair or oddity met while decoding. Code is stable and
// meant for matching ("tlsrpt.mx-host-string"); Message is for people.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Path is the member concerned ("policies[0].failure-details[1]") or,
	// for container warnings, the layers ("email/gzip").
	Path string `json:"path,omitempty"`
	// Count is how many times it occurred.
	Count int `json:"count"`
}

// String formats the warning for people.
func (w Warning) String() string {
	s := w.Code + ": " + w.Message
	if w.Path != "" {
		s += " (" + w.Path + ")"
	}
	if w.Count > 1 {
		s += fmt.Sprintf(" ×%d", w.Count)
	}
	return s
}

// EmailInfo describes the message a report arrived in (RFC 8460 §5.3).
type EmailInfo struct {
	// ReportDomain and Submitter are the TLS-Report-Domain and
	// TLS-Report-Submitter fields ("" when absent).
	ReportDomain, Submitter string
	// Signature is the DKIM verdict: SignatureStatusPass only for a valid
	// signature by the reporting domain (RFC 8460 §3).
	Signature SignatureStatus
	// SignedBy is the d= of the signature that passed, if any.
	SignedBy string
	// DKIM lists every signature's result (nil when not verified).
	DKIM []dkim.Verification
}

// SignatureStatus is the DKIM verdict on a report's email (RFC 8460 §3:
// reports sent by SMTP MUST carry a valid DKIM signature by the reporting
// domain, and reports lacking one MUST be ignored).
type SignatureStatus uint8

// The signature verdicts.
const (
	// SignatureStatusUnverified: no Resolver was given, so no check was made.
	SignatureStatusUnverified SignatureStatus = iota
	// SignatureStatusPass: a signature by the reporting domain verified, without
	// l= (which RFC 8460 §3 forbids).
	SignatureStatusPass
	// SignatureStatusFail: no valid signature by the reporting domain.
	SignatureStatusFail
	// SignatureStatusTempError: a key lookup failed temporarily and no
	// signature passed; verifying again later may succeed.
	SignatureStatusTempError
)

// String returns the status as a word, e.g. "pass".
func (s SignatureStatus) String() string {
	switch s {
	case SignatureStatusUnverified:
		return "unverified"
	case SignatureStatusPass:
		return "pass"
	case SignatureStatusFail:
		return "fail"
	case SignatureStatusTempError:
		return "temperror"
	}
	return "unknown"
}

// Verified reports whether the report may be trusted as RFC 8460 §3
// requires: it did not arrive by email (HTTPS delivery, or a file), or its
// email carries a valid signature by the reporting domain.
func (r *Report) Verified() bool {
	return r.Email == nil || r.Email.Signature == SignatureStatusPass
}
