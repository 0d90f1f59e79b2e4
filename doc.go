// Package domainauth is the root of a pure-Go toolkit for domain email
// authentication: SPF, DKIM, DMARC, MX and the DNS set-up of an AWS SES
// sending domain. It parses, validates, builds and evaluates the records and
// the DMARC aggregate reports, and does no I/O of its own.
//
// # The two seams
//
// DNS goes through a Resolver that the caller passes in. *net.Resolver
// satisfies it (net.DefaultResolver works as is); zone.Zone satisfies it
// with data held in memory, for tests, zone files and Route 53 exports.
// Optional capabilities are found by type assertion, as io.WriterTo is:
// TXTStringsResolver (TXT character-strings kept apart; used by the spf lint),
// CNAMEResolver (one-hop CNAME targets; used by the ses audit, mx and the
// domainauth command) and ExistenceResolver (NXDOMAIN told from NODATA).
// For live DNS with all of them, see livedns. A check that needs a capability the resolver lacks reports
// "unknown", never "ok".
//
// HTTPS, which only the MTA-STS policy and BIMI's logo and mark
// certificate need, goes through a Fetcher the caller passes in the same way;
// HTTPFetcher adapts an *http.Client and never follows redirects.
//
// Time comes from a Clock (DKIM t= and x=, the SPF %{t} macro, report
// windows); a nil Clock means the system clock (see Now).
//
// Every package classifies resolver errors the same way (Classify): not
// found (NXDOMAIN or no data, a "void" lookup), temporary (timeouts, SERVFAIL,
// anything else) and the caller's own cancellation, kept apart from the
// others.
//
// Every lint and audit in the module reports its observations as Finding
// values (a stable Code, a Severity, a message, where and the rule), so a
// tool such as cmd/domainauth gathers them from all areas alike.
//
// # The packages
//
//   - spf: RFC 7208 records: parse, build, check_host() evaluation with
//     include/redirect, macros and every lookup limit, lint, Received-SPF.
//   - dkim: RFC 6376/8463/8301 key records, DKIM-Signature parsing,
//     canonicalisation, verification and signing (RSA-SHA256, Ed25519).
//   - dmarc: RFC 9989 (with RFC 7489 as an option) records, policy discovery,
//     alignment, policy evaluation and report-destination checks.
//   - receiver: the inbound check: envelope (client IP, HELO, reverse-path
//     read by RFC 5321) and message in, SPF, DKIM and DMARC results and the
//     complete Authentication-Results field out.
//   - mx: MX sets (null MX, RFC 7505) and MAIL FROM domain suitability.
//   - report: DMARC aggregate reports (RFC 7489, RFC 9990): decode from XML,
//     gzip, zip or email, stream, encode, summarise.
//   - ses: the records an AWS SES domain identity needs, planned and audited,
//     Route 53 change batches, SES event notifications and suppression.
//   - zone: DNS data in memory (a Resolver), RFC 1035 master files, Route 53
//     record-set JSON, zone consistency checks.
//   - audit: the whole-domain audit (what domainauth check prints) as a
//     library: every area's findings with fixes, many domains concurrently,
//     and the text, JSON and CSV views the command prints.
//   - livedns (does I/O): the system's name server, or a given one, as a
//     Resolver with every capability, over UDP and TCP, with a bounded cache.
//   - authres: RFC 8601 Authentication-Results fields: parse, format, and
//     which upstream results to trust (§5).
//   - mtasts: RFC 8461 MTA-STS records and policies, MX matching, the fetch
//     rules applied to what a Fetcher returns, a policy cache for senders.
//   - tlsrpt: RFC 8460 TLSRPT records and SMTP TLS reports: decode from
//     JSON, gzip, zip or email (with the DKIM check of §3), encode,
//     summarise.
//   - bimi: BIMI records (draft -12), the DMARC preconditions, SVG Tiny PS
//     logo checks and mark certificates.
//   - cmd/domainauth: the command-line tool; examples/: programs to copy.
//
// # Vocabulary
//
// Per protocol, the names of its parse, evaluate, lint and result steps;
// result constants carry their type's name, finding codes the word Finding.
//
//	package  parse                           evaluate                                lint / findings                          result
//	mtasts   ParseRecord, ParsePolicy        Checker.Check, Client.Get, CheckMX       Finding* ("mtasts.mx-not-covered")       Report, Result; Mode*, CertStatus*, Source*
//	tlsrpt   ParseRecord, Decoder.Decode     Summary.Add, Report.Verified             Warning codes ("tlsrpt.bad-date")        Report; SignatureStatus*, PolicyType*, ResultType*
//	bimi     ParseRecord, CertificateLogo    Checker.Check, Lookup, CheckDMARC,       Record.Lint, Finding* ("bimi.svg-title") Result, Discovery; DiscoveryStatus*, Avatar*
//	                                         CheckSVG, CheckCertificate
//
// # Hostile input
//
// Every package sits in front of data from strangers: DNS answers, messages,
// reports, logos. The rule every package follows: every cost that input can
// drive (memory, CPU, DNS queries, HTTPS fetches, output size) has a bound,
// with a documented default (each package's doc lists its bounds) that an
// option field can change, and reaching it gives a typed error or a coded
// warning, never a crash, a wrapped number or silent truncation. Text from
// input that the command prints goes through one sanitiser
// (internal/termsafe) before it reaches a terminal.
//
// # End to end
//
// A receiving MTA makes one call, receiver.Checker.Check, which checks the
// client IP against the HELO and MAIL FROM domains with spf.Checker,
// verifies each DKIM-Signature with dkim.Verifier and evaluates the From
// domain's DMARC policy with dmarc.Checker, and writes
// Authentication-Results from the three. A sending team plans
// its SES identity with ses.Identity.Records, publishes the records (a
// Route 53 change batch), audits the live zone against the plan, and later
// decodes the aggregate reports that come back with report.Decode to see
// whether SPF and DKIM align.
package domainauth
