package mx

import "github.com/domainauth/domainauth"

// Severity ranks a Finding; it is the module-wide domainauth.Severity.
type Severity = domainauth.Severity

// Severities, from least to most serious.
const (
	SeverityInfo    = domainauth.SeverityInfo
	SeverityWarning = domainauth.SeverityWarning
	SeverityError   = domainauth.SeverityError
)

// Finding is one observation about an MX set; it is the module-wide domainauth.Finding, so that
// tools can gather findings from every package. Code is one of the stable
// Finding* constants; Message is for people.
type Finding = domainauth.Finding

// Finding codes. They are stable: users match on them.
const (
	// FindingLookupFailed: the MX lookup failed temporarily; the state is StateUnknown.
	FindingLookupFailed = "mx.lookup-failed"
	// FindingNone: no MX and no address record (or no such domain); the domain
	// cannot receive mail. An Error: RFC 5321 §5.1 requires a sender to
	// report it as one, and a domain that means to receive no mail says so
	// with a null MX (RFC 7505 §3).
	FindingNone = "mx.none"
	// FindingImplicit: no MX record; mail goes to the domain's address records
	// (RFC 5321 §5.1). Legal but fragile.
	FindingImplicit = "mx.implicit"
	// FindingNull: the domain publishes a null MX and accepts no mail (RFC 7505).
	FindingNull = "mx.null"
	// FindingNullMixed: a null MX beside other MX records (RFC 7505 §3).
	FindingNullMixed = "mx.null-mixed"
	// FindingNullPreference: a null MX whose preference is not 0 (RFC 7505 §3).
	FindingNullPreference = "mx.null-preference"
	// FindingIPLiteral: an MX target that is an IP address, not a host name
	// (RFC 1035 §3.3.9: the exchange is a domain name; RFC 5321 §5.1: the
	// data field MUST contain a domain name).
	FindingIPLiteral = "mx.ip-literal"
	// FindingCNAMETarget: an MX target that is an alias (RFC 2181 §10.3).
	FindingCNAMETarget = "mx.cname-target"
	// FindingCNAMEUnknown: the Resolver cannot say whether targets are aliases.
	FindingCNAMEUnknown = "mx.cname-unknown"
	// FindingUnresolvable: an MX target without A or AAAA records.
	FindingUnresolvable = "mx.target-unresolvable"
	// FindingTargetLookupFailed: the address lookup of a target failed temporarily.
	FindingTargetLookupFailed = "mx.target-lookup-failed"
	// FindingDuplicate: the same target listed more than once.
	FindingDuplicate = "mx.duplicate-target"
	// FindingTooManyHosts: more targets than Checker.MaxHosts; the rest were not checked.
	FindingTooManyHosts = "mx.too-many-hosts"

	// FindingMailFromNoMX: an envelope-sender domain without MX or address
	// record: bounces cannot be delivered (RFC 5321 §4.5.5, §6.1).
	FindingMailFromNoMX = "mx.mailfrom-no-mx"
	// FindingMailFromImplicitMX: an envelope-sender domain that receives bounces
	// only through an implicit MX.
	FindingMailFromImplicitMX = "mx.mailfrom-implicit-mx"
	// FindingMailFromNullMX: an envelope-sender domain with a null MX: it refuses
	// the bounces it asks for (RFC 7505 §4.2).
	FindingMailFromNullMX = "mx.mailfrom-null-mx"
	// FindingMailFromSPFLookupFailed: the TXT lookup failed temporarily.
	FindingMailFromSPFLookupFailed = "mx.mailfrom-spf-lookup-failed"

	// Reported by the whole-domain audit (package audit), which holds the
	// checks that need more than the MX set: listed here, because the
	// defect is the MX set's.

	// FindingNullMXSender: the domain publishes a null MX but sends mail (its
	// SPF record authorises senders, it has DKIM keys, or an SES identity):
	// bounces are lost and receivers may refuse its mail (RFC 7505 §4.2).
	FindingNullMXSender = "mx.null-mx-sender"
	// FindingNoFCrDNS: an MX host address has no PTR record, or none whose
	// name resolves back to the address (forward-confirmed reverse DNS),
	// which many receivers expect of a mail server.
	FindingNoFCrDNS = "mx.no-fcrdns"
)
