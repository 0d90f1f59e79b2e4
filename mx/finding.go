package mx

import "github.com/domainauth/domainauth"

// Severity ranks a Finding; it is the module-wide domainauth.Severity.
type Severity = domainauth.Severity

// Severities, from least to most serious.
const (
	Info    = domainauth.Info
	Warning = domainauth.Warning
	Error   = domainauth.Error
)

// Finding is one observation about an MX set; it is the module-wide domainauth.Finding, so that
// tools can gather findings from every package. Code is stable (see the Code
// constants); Message is for people.
type Finding = domainauth.Finding

// Finding codes. They are stable: users match on them.
const (
	// CodeLookupFailed: the MX lookup failed temporarily; the state is Unknown.
	CodeLookupFailed = "mx.lookup-failed"
	// CodeNone: no MX and no address record (or no such domain); the domain
	// cannot receive mail. An Error: RFC 5321 §5.1 requires a sender to
	// report it as one, and a domain that means to receive no mail says so
	// with a null MX (RFC 7505 §3).
	CodeNone = "mx.none"
	// CodeImplicit: no MX record; mail goes to the domain's address records
	// (RFC 5321 §5.1). Legal but fragile.
	CodeImplicit = "mx.implicit"
	// CodeNull: the domain publishes a null MX and accepts no mail (RFC 7505).
	CodeNull = "mx.null"
	// CodeNullMixed: a null MX beside other MX records (RFC 7505 §3).
	CodeNullMixed = "mx.null-mixed"
	// CodeNullPreference: a null MX whose preference is not 0 (RFC 7505 §3).
	CodeNullPreference = "mx.null-preference"
	// CodeIPLiteral: an MX target that is an IP address, not a host name
	// (RFC 1035 §3.3.9: the exchange is a domain name; RFC 5321 §5.1: the
	// data field MUST contain a domain name).
	CodeIPLiteral = "mx.ip-literal"
	// CodeCNAMETarget: an MX target that is an alias (RFC 2181 §10.3).
	CodeCNAMETarget = "mx.cname-target"
	// CodeCNAMEUnknown: the Resolver cannot say whether targets are aliases.
	CodeCNAMEUnknown = "mx.cname-unknown"
	// CodeUnresolvable: an MX target without A or AAAA records.
	CodeUnresolvable = "mx.target-unresolvable"
	// CodeTargetLookupFailed: the address lookup of a target failed temporarily.
	CodeTargetLookupFailed = "mx.target-lookup-failed"
	// CodeDuplicate: the same target listed more than once.
	CodeDuplicate = "mx.duplicate-target"
	// CodeTooManyHosts: more targets than Checker.MaxHosts; the rest were not checked.
	CodeTooManyHosts = "mx.too-many-hosts"

	// CodeMailFromNoMX: an envelope-sender domain without MX or address
	// record: bounces cannot be delivered (RFC 5321 §4.5.5, §6.1).
	CodeMailFromNoMX = "mx.mailfrom-no-mx"
	// CodeMailFromImplicitMX: an envelope-sender domain that receives bounces
	// only through an implicit MX.
	CodeMailFromImplicitMX = "mx.mailfrom-implicit-mx"
	// CodeMailFromNullMX: an envelope-sender domain with a null MX: it refuses
	// the bounces it asks for (RFC 7505 §4.2).
	CodeMailFromNullMX = "mx.mailfrom-null-mx"
	// CodeMailFromNoSPF: an envelope-sender domain without an SPF record.
	CodeMailFromNoSPF = "mx.mailfrom-no-spf"
	// CodeMailFromMultipleSPF: more than one SPF record (RFC 7208 §4.5: permerror).
	CodeMailFromMultipleSPF = "mx.mailfrom-multiple-spf"
	// CodeMailFromInvalidSPF: the SPF record does not parse (RFC 7208 §4.6: permerror).
	CodeMailFromInvalidSPF = "mx.mailfrom-invalid-spf"
	// CodeMailFromSPFLookupFailed: the TXT lookup failed temporarily.
	CodeMailFromSPFLookupFailed = "mx.mailfrom-spf-lookup-failed"
)
