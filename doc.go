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
// others. The errors that leave a package wrap the module-wide sentinels
// ErrTemporary and ErrNotFound (see WrapDNSError), so that
// errors.Is(err, domainauth.ErrTemporary) holds for a SERVFAIL met by any
// package; a package's own sentinels (spf.ErrDNS, dkim.ErrNoKey, ...) match
// them too. An error names its package once, at its start
// ("spf: a.example: term \"include:b.example\": b.example: more than one
// SPF record").
//
// Every lint and audit in the module reports its observations as Finding
// values (a stable Code, a Severity, a message, where and the rule), so a
// tool such as cmd/domainauth gathers them from all areas alike.
//
// # Vocabulary
//
// The packages use one set of words, so that what is learnt in one holds in
// the others:
//
//   - ParseRecord parses the DNS TXT record of a protocol (dkim, which has
//     two kinds of record, has ParseKeyRecord and ParseSignature); it
//     returns a typed value or an error naming the term and the offset.
//   - Check, Verify and Evaluate run a protocol against DNS and return a
//     result that always carries its status; an error in it is detail.
//     Lookup finds a policy record (discovery).
//   - Lint and Lint* return []Finding (see below); their codes are string
//     constants named Finding* ("spf.too-many-lookups" is
//     spf.FindingTooManyLookups).
//   - Result and enumeration constants carry their type's name:
//     spf.CodePass, dkim.StatusPass, dmarc.PolicyReject, mx.StateNull,
//     dkim.AlgorithmRSASHA256. Code is the result of an evaluation (spf,
//     dmarc), Status the result of a DKIM verification, DiscoveryStatus the
//     outcome of finding a policy record (dmarc, bimi).
//   - AuthResult returns a result as the authres.MethodResult of its method
//     in an Authentication-Results field; authres.Format writes a field of
//     them, MethodResult.String one statement on a line.
//   - Options are struct fields, or small typed enumerations, whose zero
//     value is the RFC default; no exported function takes a positional
//     bool.
//
// Per protocol:
//
//	spf       parse     ParseRecord -> *Record
//	          evaluate  Checker.Check, Checker.CheckHELO -> Result
//	          lint      Linter.Lint -> *Report, LintRecord -> []Finding
//	          result    Result.Code: Code (CodePass, CodeFail, CodeSoftFail,
//	                    CodeNeutral, CodeNone, CodeTempError, CodePermError)
//	          A-R       Result.AuthResult; ReceivedSPF writes Received-SPF
//	dkim      parse     ParseKeyRecord -> *KeyRecord, ParseSignature -> *Signature
//	          evaluate  Verifier.Verify -> []Verification; Signer.Sign
//	          lint      LintKeyRecord -> []Finding, CheckSelector -> *SelectorCheck
//	          result    Verification.Status: Status (StatusPass, StatusFail,
//	                    StatusNeutral, StatusTempError, StatusPermError,
//	                    StatusPolicy, StatusNone)
//	          A-R       Verification.AuthResult; AuthResults for a message
//	dmarc     parse     ParseRecord -> *Record
//	          evaluate  Checker.Lookup -> *Discovery, Checker.Evaluate -> *Result
//	          lint      LintText, Record.Lint, Checker.LintDomain -> []Finding
//	          result    Result.Code: Code (CodePass, CodeFail, CodeNone,
//	                    CodeTempError, CodePermError); Discovery.Status:
//	                    DiscoveryStatus; Record.Policy: Policy (PolicyNone,
//	                    PolicyQuarantine, PolicyReject)
//	          A-R       Result.AuthResult
//	mx        evaluate  Checker.Check, Checker.CheckMailFrom -> *Result
//	          lint      Result.Findings
//	          result    Result.State: State (StateExplicit, StateNull,
//	                    StateNullMixed, StateImplicit, StateNone, StateUnknown)
//	mtasts    parse     ParseRecord -> *Record, ParsePolicy -> *Policy
//	          evaluate  Client.Get -> *Result, Checker.Check -> *Report
//	          lint      Report.Findings, CheckMX -> []Finding
//	          result    Policy.Mode: Mode (ModeEnforce, ModeTesting, ModeNone);
//	                    CertStatus, Source
//	tlsrpt    parse     ParseRecord -> *Record; Decoder.Decode -> *Report
//	          evaluate  Summary.Add, Report.Verified
//	          lint      Report.Warnings, with codes ("tlsrpt.bad-date")
//	          result    ResultType (ResultTypeSTARTTLSNotSupported, ...),
//	                    PolicyType; Report.Email.Signature: SignatureStatus
//	bimi      parse     ParseRecord -> *Record, CertificateLogo
//	          evaluate  Checker.Lookup -> *Discovery, Checker.Check -> *Result
//	          lint      Record.Lint, CheckSVG, CheckCertificate, CheckDMARC
//	          result    Discovery.Status: DiscoveryStatus; Avatar
//	receiver  evaluate  Checker.Check -> *Result (SPF, HELO, DKIM, DMARC)
//	          A-R       Result.AuthResult (the whole field), Result.Header
//	authres   parse     Parse -> *Results; Format writes them
//	          result    MethodResult.Result: Result (ResultPass, ...)
//	report    parse     Decoder.Decode -> *Aggregate, Decoder.Stream
//	          evaluate  Summarize -> *Summary, Summary.Diagnoses
//	          result    Row.PolicyEvaluated.Disposition: Disposition
//	                    (DispositionNone, ...); DKIMResult, SPFResult
//	ses       evaluate  Identity.Plan -> *Plan, Auditor.Audit -> *Audit
//	          lint      Audit.Findings
//	          result    RecordCheck.Status: Status (StatusPresent, StatusMissing,
//	                    StatusWrong, StatusUnknown)
//	audit     evaluate  Auditor.Audit -> *Report, Auditor.AuditAll
//	          result    Area.Status: Status (StatusOK, StatusWarning, ...)
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
// its SES identity with ses.Identity.Plan, publishes the records (a
// Route 53 change batch), audits the live zone against the plan, and later
// decodes the aggregate reports that come back with report.Decode to see
// whether SPF and DKIM align.
package domainauth
