// Package tlsrpt reads, writes and summarises SMTP TLS reports (RFC 8460,
// TLSRPT) and parses the _smtp._tls policy record.
//
// # Record
//
// ParseRecord parses the TXT record at _smtp._tls.<domain> (RFC 8460 §3):
// "v=TLSRPTv1" first, a required rua= with one or more comma-separated
// URIs (mailto: and https: are the schemes reports go to; Destinations
// picks them), and extension fields, kept in order so that
// ParseRecord(r.String()) equals r. SelectRecord applies the §3 rule for a
// name's TXT set: records not starting with "v=TLSRPTv1" are discarded, and
// anything but exactly one left means the domain does not take reports
// (ErrNoRecord, ErrMultipleRecords). LookupRecord does the DNS query
// through a domainauth.Resolver.
//
// # Decoding
//
// Decoder.Decode reads a report in any form it arrives in: JSON (RFC 8460
// §4.4; I-JSON, RFC 7493), gzip (§5.2; nested, or followed by stray bytes),
// zip, or a whole email message (§5.3: multipart/report with an
// application/tlsrpt+gzip or application/tlsrpt+json part, §6.4, §6.5;
// other shapes are tolerated). Content is sniffed; media types and file
// names are only hints. The container handling is shared with the DMARC
// report package (internal/container).
//
// Real reports bend the §4.4 template, so the decoder is tolerant, and
// every repair is reported as a Warning with a stable code, never silently:
//
//	tlsrpt.string-not-array    mx-host or policy-string as a lone string (RFC 8460 Appendix B prints mx-host so)
//	tlsrpt.mx-host-prefix      "mx: mx.example.com", the policy line, in mx-host: the prefix is dropped
//	tlsrpt.missing-member      a member the template requires is absent (organization-name, date-range,
//	                           its dates, contact-info, report-id, policies, policy, policy-type,
//	                           policy-domain, summary, the counts, result-type, failed-session-count)
//	tlsrpt.null-member         such a member is JSON null (read as absent)
//	tlsrpt.wrong-type          a value of the wrong JSON type (a number for a string: kept as written)
//	tlsrpt.bad-number          a count as a string, a fraction or negative
//	tlsrpt.out-of-range        a count above 2^64-1 (read as 2^64-1)
//	tlsrpt.bad-date            a date that is not RFC 3339 (near misses are read, others dropped)
//	tlsrpt.bad-ip              an address that does not parse (dropped)
//	tlsrpt.enum-case           "STS" read as sts
//	tlsrpt.unknown-value       a policy-type or result-type outside RFC 8460 §4.3/§4.4, kept as written
//	tlsrpt.unknown-member      a member the template does not have (ignored)
//	tlsrpt.u-label             a policy domain not in A-labels
//	tlsrpt.no-policies         an empty policies array
//	tlsrpt.summary-mismatch    failure-details that do not add up to total-failure-session-count
//	tlsrpt.date-range-inverted end before start
//	tlsrpt.trailing-content    bytes after the JSON document
//	tlsrpt.container-truncated a gzip or zip member cut off: what was read is decoded
//	tlsrpt.missing-header      an email without TLS-Report-Domain or TLS-Report-Submitter (§5.3)
//	tlsrpt.submitter-mismatch  TLS-Report-Submitter is not the domain of contact-info (§5.3)
//	tlsrpt.nested-gzip, tlsrpt.gzip-trailing-data, tlsrpt.zip-extra-members
//
// Repeats of one warning at one member are counted, not repeated (array
// indices aside), so the number of warnings is bounded by the vocabulary.
// The members for the failed host (sending-mta-ip, receiving-mx-hostname,
// receiving-ip) may be absent without a warning: a policy fetch failure
// (§4.3.2.2) happens before any MX is contacted.
//
// Inputs that are no report fail with a *DecodeError wrapping ErrEmpty,
// ErrNotReport, ErrSyntax, ErrLimit (DecodeError.Limit names the Decoder
// field) or ErrContainer. A gzip or zip CRC-32 mismatch is an error: every
// decompressing layer is read to its end.
//
// # Signatures
//
// RFC 8460 §3: reports sent by email MUST carry a valid DKIM signature by
// the reporting domain, without l=, and reports lacking one MUST be
// ignored. With Decoder.Resolver set, the message's signatures are
// verified with dkim.Verifier; Report.Email.Signature is SignatureStatusPass only
// when one passes whose d= is the TLS-Report-Submitter domain or the
// contact-info domain, or a parent of it (not a top-level domain); a
// signature with l= or by a t=y (testing) key does not count, and a
// temporary DNS failure gives SignatureStatusTempError. A pass says who sent the
// report (EmailInfo.SignedBy), not that the sender is to be believed:
// anyone may report on any policy domain under their own name. Without a Resolver the report is
// marked SignatureStatusUnverified. Report.Verified tells a caller whether to
// keep it; Decoder.DropUnverified turns unverified email reports into
// ErrUnverified errors. Summary counts the unverified reports it adds, and
// the emailed ones per verdict (Summary.BySignature).
//
// # Limits
//
// Every cost that input can drive is bounded. Each bound is a Decoder field
// whose zero value is the default below; a negative value removes it.
// Reaching one is an ErrLimit error naming the field:
//
//	MaxDocumentSize   32 MiB   JSON bytes after every layer is removed (held in memory)
//	MaxArchiveSize    64 MiB   all zip archives of one input together, and an email message
//	                           (both held in memory)
//	MaxArchiveEntries 16       zip directory entries, counted before the directory is parsed
//	MaxEmailParts     100      MIME parts examined, over all nesting levels
//	MaxPolicies       10,000   entries of "policies"
//	MaxFailureDetails 100,000  "failure-details" entries of one report
//	MaxStrings        1,000    entries of one policy-string or mx-host array
//
// Fixed bounds: six nested container layers, 4 KiB looked at after a gzip
// member, JSON nesting of 10,000 (encoding/json's own bound). DKIM
// verification is bounded by dkim.Verifier's defaults (8 signatures, a
// 256 KiB header). Peak memory is a few times MaxArchiveSize for an email
// (the message is held for DKIM while its attachment is decoded) or
// MaxDocumentSize for JSON (the document and its parsed form). Summary maps
// grow with the distinct policy domains, MX hosts, result types and days of
// the reports added: a caller summarising untrusted reports in bulk bounds
// the reports it adds.
//
// # Summaries and encoding
//
// Summary adds reports up per policy domain, MX host, result type and day;
// Merge combines summaries built separately. Encode writes a report as
// RFC 8460 §4.4 JSON (EncodeGzip compressed, as §5.2 recommends), and
// Decode(Encode(x)) equals Normalize(x). Filename gives the §5.1 name.
package tlsrpt
