// Package report reads, writes and summarises DMARC aggregate reports
// (RFC 7489 §7.2 and Appendix C; RFC 9990, the DMARCbis aggregate-reporting
// document, with its namespace urn:ietf:params:xml:ns:dmarc-2.0) and DMARC
// failure reports (RFC 9991, in the Abuse Reporting Format of RFC 5965 and
// RFC 6591).
//
// # Decoding
//
// Decode reads a report in any form it arrives in: raw XML, gzip (nested,
// or followed by stray bytes), zip (one report member; streamed archives
// with data descriptors and empty names) or a whole email message
// (multipart or single-part, base64, quoted-printable or 8bit). Content is
// sniffed; media types and file names are only hints. Both schemas are
// read, including a prefixed namespace, and the result is one Aggregate
// whose field names follow the element names (Metadata.OrgName,
// Policy.Domain, Records[i].Row.SourceIP, AuthResults.DKIM, ...).
//
// Real reports break the schemas, so the decoder is tolerant, and every
// repair is reported as a Warning with a stable code, never silently
// (Warning.Finding gives it as a domainauth.Finding):
//
//	report.stray-tag          <feedback> inside another element (an unclosed <xs:schema ...>)
//	report.invalid-utf8       text that is not UTF-8, decoded as Windows-1252
//	report.unescaped-lt       a '<' in text that starts no markup ("<user@example.com>")
//	report.bare-ampersand     an '&' that starts no reference
//	report.unclosed-element   an element ended by its parent's end tag
//	report.stray-end-tag      an end tag without a start tag
//	report.stray-text         text between elements
//	report.enum-case          "Pass" read as pass
//	report.enum-unknown       a value outside the vocabulary, kept as written
//	report.empty-element      an empty begin, end or source_ip
//	report.bad-number         "12.0" and other imperfect integers
//	report.bad-ip             a source_ip that is no address
//	report.unknown-element    an element the schema does not have there
//	report.missing-element    no report_id or policy domain
//	report.no-records         no <record>
//	report.multi-day-window   a reporting period longer than a day
//	report.date-range-inverted
//	report.truncated          the document ends early; complete records are kept
//	report.leading-garbage    bytes before the XML document
//	report.container-truncated  a gzip or zip member cut off; what was read is kept
//	report.gzip-trailing-data   bytes after the end of a gzip member
//	report.trailing-content     content after </feedback> (a second report appended)
//	report.out-of-range         a count above 2^64-1 (read as 2^64-1) or a date
//	                            outside the years 1 to 9999 (dropped)
//	report.results-dropped      list entries past Decoder.MaxResults in one record
//	report.nested-gzip, report.zip-extra-members
//
// Repeated warnings are counted, not repeated. Inputs that are no report
// fail with a *DecodeError wrapping ErrEmpty, ErrNotReport (another root
// element, no attachment), ErrTruncated (cut off before the policy or any
// record), ErrLimit (DecodeError.Limit names the Decoder field) or
// ErrContainer, and saying what was found. A gzip or zip CRC-32 mismatch is
// an ErrContainer error, never a warning: every decompressing layer is read
// to its end once the document is done (within MaxDocumentSize), so that a
// changed byte cannot alter counts unnoticed. Values never wrap: counts are
// read up to 2^64-1 and saturate beyond, and every sum of counts
// (Aggregate.Messages, Summary) saturates at 2^64-1.
//
// In an email, the parts are tried in order until one holds a report: a
// first XML attachment that is something else does not hide the report in
// the next. A zip inside a zip (directly or through gzip) is refused with
// ErrNotReport: reporters send one zip layer, and each layer would hold
// another archive in memory.
//
// Enumerations are open: Disposition, DKIMResult, SPFResult and the others
// are string types whose constants are the schema vocabulary; a value
// outside it is kept, and Canonical maps the common aliases (hardfail,
// unknown, error). Missing elements leave zero values; nothing the RFC 7489
// schema calls required is required here.
//
// # Limits
//
// Every cost that input can drive is bounded. Each bound is a Decoder field
// whose zero value is the default below; a negative value lifts it.
// Reaching one is an ErrLimit error naming the field (DecodeError.Limit),
// except where a coded warning is said:
//
//	MaxDocumentSize   1 GiB (Decode), 16 GiB (Stream)  XML bytes after every layer is removed,
//	                  also what is read past </feedback> to check the CRCs (gzip and zip bombs)
//	MaxArchiveSize    64 MiB   all zip archives of one input together (held in memory),
//	                  and, separately, one email message
//	MaxArchiveEntries 16       zip directory entries, counted before the directory is parsed
//	MaxEmailParts     100      MIME parts examined, over all nesting levels
//	MaxRecords        1,000,000 (Decode), none (Stream)  <record> elements
//	MaxDepth          32       element nesting
//	MaxElementSize    1 MiB    one tag, leaf text or captured extension
//	MaxResults        100      entries kept per list of one record (DKIM and SPF results,
//	                           reasons, extensions) and of <error>; RFC 9990 §3.1.3 says a
//	                           row SHOULD carry at most 100 DKIM signatures; the rest are
//	                           counted in the warning report.results-dropped
//	MaxRecordEntries  10,000   list entries read in one record (or <error> elements), kept or not
//	MaxWarnings       200      distinct warnings kept; repeats are counted
//
// Summaries: MaxSelectors (32) selectors per domain, MaxDuplicatesListed
// (100) repeated reports listed; enrichment as said under Naming senders.
// Sender maps: SenderMapReader.MaxBytes (DefaultMaxSenderMapBytes, 1 MiB)
// bytes of JSON, past which ParseSenders and ReadSenders fail with a
// *SenderMapError whose Limit is "MaxBytes" (the map's other costs are
// linear in its bytes).
//
// Fixed bounds: six nested container layers, 4 KiB looked at after a gzip
// member, five media types listed in an email's error, MaxSampleIPs
// addresses per Evidence, MaxSplitDays days per report window. Summary.Add
// costs O(n log n) in the evidence entries it adds.
//
// # Failure reports
//
// DecodeFailure (and Decoder.DecodeFailure) reads an ARF failure report
// (RFC 6591 §3, RFC 9991 §4): a multipart/report message with
// report-type=feedback-report whose message/feedback-report part has
// Feedback-Type: auth-failure, and a third part holding the original
// message (message/rfc822) or its header (text/rfc822-headers). The
// result is a Failure with every ARF field typed (Auth-Failure,
// Identity-Alignment, Source-IP, Reported-Domain, Original-Mail-From,
// Original-Rcpt-To, Arrival-Date, DKIM-Domain/-Identity/-Selector,
// Delivery-Result, SPF-DNS, ...), Authentication-Results parsed by package
// authres, and the original's header fields in order. The report may be
// gzipped or zipped, forwarded as a message/rfc822 attachment, or be the
// bare feedback part. The same sentinels and DecodeError serve both kinds:
// a message without a feedback-report part (a plain-text notice) is
// ErrNotReport, and an ARF report of another type ErrOtherFeedback
// (which wraps ErrNotReport). Deviations are warnings:
//
//	report.failure-not-multipart-report  multipart/mixed around the parts
//	report.failure-report-type     report-type missing or not feedback-report
//	report.failure-encoded-part    a base64 or quoted-printable feedback part (decoded)
//	report.failure-bad-encoding    a part whose transfer encoding does not decode
//	report.failure-extra-report    a second feedback-report part (ignored)
//	report.failure-no-original     no third part
//	report.failure-bad-media-type  message/rfc822-headers for text/rfc822-headers
//	report.failure-bad-header      a line that is no header field
//	report.failure-missing-field   a field RFC 5965, RFC 6591 or RFC 9991 requires
//	report.failure-repeated-field  a once-only field repeated (the first is kept)
//	report.failure-empty-field     an empty Original-Mail-From
//	report.failure-bad-field       a value that does not parse (kept where possible)
//	report.bad-ip, report.enum-unknown, report.results-dropped,
//	report.container-truncated     as for aggregate reports
//
// The Decoder's limits apply: MaxArchiveSize (64 MiB) bounds the message,
// MaxEmailParts (100) its parts, MaxElementSize (1 MiB) one header field
// and the text kept, MaxRecordEntries (10,000) the fields of one header,
// MaxResults (100) the values kept of each repeatable field, MaxWarnings
// (200) the warnings; six nested MIME layers at most. The message is held
// in memory with its parts: at most about three times MaxArchiveSize.
//
// EncodeFailure writes a failure report as a receiver sends it (three
// parts, media types and required fields checked: ErrIncompleteFailure),
// and DecodeFailure(EncodeFailure(f)) gives f back. Redactor prepares a
// report for sending or storing (RFC 9991 §7): keyed tokens for local
// parts, no body, only the header fields a diagnosis needs; its doc says
// what stays identifying.
//
// # Streaming
//
// Decoder.Stream reads up to the first record; Stream.Header then gives the
// metadata and policy, and Stream.All (an iter.Seq2[Record, error]) or
// Stream.Next give the records one at a time. Memory stays flat whatever
// the report size (BenchmarkStreamPeakMemory measures it), and whatever
// the size of one record (MaxResults, MaxRecordEntries).
//
// # Why a purpose-built scanner
//
// encoding/xml allocates for every token (BenchmarkEncodingXML decodes the
// report of BenchmarkDecode with it; its Unmarshal, which most report
// parsers use, is slower still), and it stops at the first
// well-formedness error, which is exactly where real reports need help. The report schema is small, flat
// and has no mixed content, so the decoder uses its own scanner
// (scan.go): a sliding buffer, tags matched against a fixed element table
// without allocating, leaf text returned as a slice of the buffer in the
// common case, record-level strings interned, and each record's DKIM and
// SPF results carved from shared slabs. The result decodes a 10,000-record
// report at several times encoding/xml's speed with well under one
// allocation per record, and the repairs above fall out of the structure:
// the scanner knows which elements are leaves, so a '<' inside a leaf that
// opens no known element is text, an end tag of an ancestor closes what is
// open, and anything outside <feedback> is ignored. No DTD is processed and
// no entity beyond the five predefined ones and character references is
// expanded. The scanner is fuzzed against an encoding/xml reference decoder
// on well-formed input (FuzzDifferential) and on arbitrary bytes
// (FuzzDecode). No third-party XML library was considered worth a new
// dependency for a vocabulary of 45 names.
//
// # Encoding
//
// Encoder writes an Aggregate as XML valid against the RFC 9990 schema
// (the default) or the RFC 7489 schema (repaired so that it compiles, see
// Schema). Encoder.Normalize is what gets written: defaults for what a
// schema requires, canonical enumerations, values a schema cannot express
// mapped or dropped (documented there); Decode(Encode(x)) equals
// Normalize(x). EncodeGzip, Filename, Subject and EncodeEmail produce the
// attachment and message RFC 9990 §3 prescribes (file name and Subject
// with A-label domain names, as their grammars require). Builder groups
// per-message evaluations into records, summing counts; it keeps at most
// 100 DKIM results per record in the RFC 9990 §3.1.3 priority order and
// supplies the override reason §3.1.1.9 requires when a failing message
// got another disposition than the published policy and the caller gave
// none. rfc_coverage_test.go maps every MUST and SHOULD of RFC 9990 and
// RFC 7489 §7.2 that binds a generator or a consumer to its test.
//
// # Summaries
//
// Summary condenses many reports (Add, or AddStream for a report read
// record by record) per reporting organisation, source IP,
// header From domain and UTC day, with DMARC, aligned DKIM and aligned SPF
// pass counts. Merge is associative and commutative (reports can be
// summarised in parallel and combined in any order; multi-day windows are
// split over days in proportion, deterministically). Diagnoses explains
// patterns with stable codes: report.spf-esp-envelope (SPF passes for the
// ESP's bounce domain, such as us-west-2.amazonses.com, and so does not
// align: configure a custom MAIL FROM), report.dkim-esp-only (DKIM passes
// only for d=amazonses.com: set up Easy DKIM), report.dmarc-relies-on-dkim,
// report.spf-unaligned, report.dkim-unaligned, report.unauthenticated and
// report.forwarded (DMARC failed but the receiver overrode the policy as
// forwarded, trusted_forwarder, mailing_list or local_policy, or with an
// arc=pass comment: forwarded, not spoofed; it replaces
// report.unauthenticated for those records). JSON output of reports and
// summaries uses the XML element names. A Diagnosis is the package's
// finding, graded with the module-wide domainauth.Severity;
// Diagnosis.Finding gives it as a domainauth.Finding, the form every package
// reports in, and Warning.Finding does the same for a decoding repair. The
// Evidence a diagnosis rests on (messages and a sample of source addresses
// per code, From domain and other domain) accumulates in Summary.Evidence.
//
// A summary also lists the DKIM selectors the reports name per signing
// domain (Summary.Selectors, at most MaxSelectors each: what "check
// --selectors-from-reports" probes), counts failure reports
// (AddFailure, FailureCounts), and counts a report once per identity
// (ReportIdentity: organisation, report ID, policy domain, begin, end; the
// key of a report store): a repeat is not counted again but counted in
// Summary.Duplicates and listed (at most MaxDuplicatesListed). A failure
// report has no report ID; its identity is a digest of its fields and of
// the original's header (Failure.Identity), and a repeat is counted in
// FailureCounts.Duplicates. A summary keeps one identity per report
// counted (a 32-byte digest for a failure report): memory grows with the
// number of reports, not with their size.
//
// # Naming senders
//
// Summary.BySender groups the records by the service that sent them,
// named through a SenderMap: DefaultSenders is an embedded table
// (senders.json) of mailbox providers, ESPs, platforms and gateways, each
// entry with its signing and bounce domains, the reverse-DNS suffixes of
// its outbound hosts and the provider's documentation it rests on. A
// caller passes another map in Summary.Senders (extended with With, or
// its own from NewSenderMap, ParseSenders or ReadSenders, whose
// SenderMapReader bounds the document's size); there is no registry.
// SenderMap documents the matching rules: the forward-confirmed PTR name
// of the source first, then passing DKIM d= domains, then passing SPF
// domains, the longest suffix winning. The ESP diagnoses use the same map
// (entries of category esp and platform).
//
// PTR names come from Summary.Enrich with an Enricher, which asks the
// Resolver one PTR query per distinct address and one forward query per
// distinct name (RFC 8601 §2.7.3 iprev: a name counts only if it resolves
// back to the address), caches the answers for its lifetime, and is
// bounded by Enricher.MaxQueries (10,000 queries), Concurrency (8 in
// flight) and MaxNames (10 names per address).
//
// # Divergences
//
//   - The package does not import dmarc: the few enumerations it needs are
//     defined here, and Evaluation mirrors a DMARC evaluation result.
//   - A gzip stream is read only up to the end of its first member; what
//     follows (a CRLF, padding, junk, even a second member) is ignored and
//     reported as the warning report.gzip-trailing-data. Likewise, only the
//     first <feedback> document is read (report.trailing-content).
//   - Elements whose prefix differs from the <feedback> element's are
//     extensions; an unprefixed element is always taken as the report's
//     own, whatever its declared namespace.
//   - Subject omits the Report-ID part when the report ID does not fit
//     the ridtxt grammar (it must be identical to <report_id>, so it
//     cannot be repaired); the RFC 9990 ABNF then literally asks for
//     white space after the submitter, which is not written.
//   - The Builder's DKIM priority (RFC 9990 §3.1.3) approximates relaxed
//     alignment without a public suffix list.
//   - Failure reports: Delivery-Result and Auth-Failure values outside
//     the registered ones are kept (with report.enum-unknown), and
//     Version "1.0", which several reporters write, is kept as written
//     (with report.failure-bad-field).
package report
