package tlsrpt

// Finding codes of a domain's TLSRPT record (RFC 8460 §3). The whole-domain
// audit (package audit) reports them: this package reads records and
// reports, judging a domain's publication is the audit's; the codes are
// declared here because the defects are the TLSRPT record's. They are
// stable: users match on them.
const (
	// FindingNoRecord: no _smtp._tls record, so sending MTAs report
	// TLS failures to nobody. Info, but a Warning next to an MTA-STS
	// policy in enforce or testing mode, whose failures (mail refused by
	// senders, or the reports testing mode exists for) then go unseen.
	FindingNoRecord = "tlsrpt.no-record"
	// FindingMultipleRecords: several TLSRPT records; senders take
	// the domain as having none (RFC 8460 §3).
	FindingMultipleRecords = "tlsrpt.multiple-records"
	// FindingInvalidRecord: the TLSRPT record does not parse (RFC
	// 8460 §3): senders send no reports.
	FindingInvalidRecord = "tlsrpt.invalid-record"
	// FindingNoDestination: the record names no mailto: or https:
	// destination, the only schemes RFC 8460 §3 defines.
	FindingNoDestination = "tlsrpt.no-destination"
	// FindingLookupFailed: the TXT lookup failed temporarily.
	FindingLookupFailed = "tlsrpt.lookup-failed"
	// FindingDestinationCannotReceive: a rua mailto: destination's domain
	// has a null MX, or no MX and no address: the reports sent there are
	// lost (the check dmarc.destination-cannot-receive makes of the DMARC
	// record's destinations).
	FindingDestinationCannotReceive = "tlsrpt.destination-cannot-receive"
)
