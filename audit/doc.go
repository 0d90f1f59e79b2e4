// Package audit is the whole-domain audit of mail authentication, what the
// domainauth check command prints, as a library: an Auditor with a Resolver
// audits a domain's MX, SPF, DMARC and DKIM records, its MAIL FROM domain,
// when DNS shows one or a region is given its Amazon SES set-up, and what a
// receiving domain publishes besides: MTA-STS (RFC 8461: the record, the
// policy and whether it covers every MX host), TLS reporting (RFC 8460) and
// BIMI (the record, DMARC's enforcement, the logo and the mark
// certificate).
//
// MTA-STS and BIMI need documents served over HTTPS. They come through
// Auditor.Fetcher (domainauth.HTTPFetcher around the caller's client: the
// library opens no connection itself) or, for offline checks, from the
// bytes in Auditor.MTASTSPolicy, BIMILogo and BIMICertificate (a policy
// given so has no certificate to check: mtasts.FindingCertificateUnknown).
// Without either, the area says what it did not check, and its status is
// StatusUnknown, never StatusOK, unless something else is wrong. A missing
// TLSRPT record is an Info, and a Warning next to an MTA-STS policy in
// enforce or testing mode; a domain with a null MX is not asked for
// either record.
//
// A Report has one Area per part of the audit, each with its status, fact
// lines for people, the records it read and its findings (domainauth.Finding,
// errors first), each with a Fix where there is advice. It also keeps the
// structured results: the mx, spf (with the lookup tree as data, see Tree),
// dmarc and dkim results and, for SES, the plan, the audit and the DMARC
// alignment prediction.
//
// Problems of the domain are findings; Audit returns an error only for what
// stops the audit: an invalid domain name, a cancelled context, or
// ErrDNSUnusable, when the Resolver has the domainauth.ExistenceResolver
// capability and says that a name that must exist (the domain's top-level
// domain, or Auditor.MustExist) does not, so that its answer that the domain
// has no MX or no SPF record cannot be trusted. Auditor.TrustNotFound turns
// the check off, for zones read from files.
//
// AuditAll audits many domains, Concurrency at a time, and yields the
// reports as they finish; memory does not grow with the number of domains.
//
// Besides the findings of the spf, dmarc, dkim, mx and ses packages, the
// audit reports its own (Finding* constants): a null MX on a domain that sends
// mail, MX host addresses without forward-confirmed reverse DNS, DMARC and
// TLS-RPT mailto: report destinations whose domain cannot receive mail (a
// null MX, or no MX and no address), the TLS-RPT
// record's problems (FindingTLSRPT*: the tlsrpt package reads records,
// judging them is the audit's), and, when the
// Resolver is Auditor.Zone, names the zone does not cover (FindingNotInZone:
// a DKIM key, SPF include target or MX host elsewhere, which a zone file
// cannot show missing). A domain without MTA-STS is told, in the fix of
// mtasts.no-record, the record and the testing-mode policy to publish for
// its MX hosts (mtasts.Suggest).
//
// Bounds (every cost is bounded; the constants document the defaults):
//   - DNS queries: those of the packages the areas use (each bounded by
//     its own limits, such as the 10 SPF lookups of RFC 7208 §4.6.4), plus
//     at most len(CommonSelectors()) probes for DKIM selectors when none is
//     given, 5 MAIL FROM candidates on live DNS, Auditor.MaxFCrDNSAddrs MX
//     host addresses (default 20) with Auditor.MaxPTRNames PTR names each
//     (default 10), Auditor.MaxDestinations rua/ruf destination domains
//     of the DMARC record and as many rua domains of the TLSRPT record
//     (default 10 each, two queries each) and one existence query; the MTA-STS
//     area asks 2 (its record, and the MX set shared with the MX area),
//     TLS-RPT 1, BIMI at most 5 (bimi.Checker.Check's bound, of which
//     the DMARC records are shared with the DMARC area).
//   - HTTPS: at most three fetches per audit with a Fetcher (the MTA-STS
//     policy, 64 KiB; the BIMI logo, 32 KiB, and certificate, 64 KiB, the
//     packages' defaults), each bounded in time by the Fetcher's client
//     (and the policy by mtasts.DefaultFetchTimeout). Bytes given in
//     MTASTSPolicy, BIMILogo and BIMICertificate are held to the same
//     sizes.
//   - Concurrency: the areas of one audit run concurrently, the DKIM
//     selectors and the MX host addresses of an area side by side (at most
//     16 at once); AuditAll runs at most Auditor.Concurrency audits at once
//     (DefaultConcurrency, 8).
//   - Memory: one report and the answers of its lookups per running audit;
//     Tree is linear in the terms.
//
// Latency: an audit asks each DNS question once (the areas share one
// memoising view of the Resolver, which keeps its optional capabilities;
// lookups asked at the same time wait for one answer, and a failure is kept
// like an answer), and asks the questions the checks of the other packages
// will ask next as soon as they can be known: the whole SPF include tree
// level by level, every MX host at once, the MAIL FROM domain's records, the
// report destinations' MX. These prefetches mirror the checks, so they cost
// no queries of their own in the usual case; each stays within the bound of
// the check it runs ahead of (the spf linter's 100 records and 500 probes,
// the mx checker's 16 hosts). On live DNS an audit takes about as many round
// trips as its longest chain of dependent questions (MX, host address, PTR),
// not one per question. The MTA-STS, TLS-RPT and BIMI areas ask their
// first questions at once, beside the others, so they add no round trip to
// that chain; their HTTPS fetches are not DNS round trips and are bounded
// by the Fetcher.
//
// Bounds, each an Auditor field whose zero value means the default: the DNS
// work of one audit is the sum of the bounds of the checks it runs (the spf
// linter's records and probes, mx's 16 hosts, dmarc's queries) plus
// MaxFCrDNSAddrs (DefaultMaxFCrDNSAddrs, 20 MX host addresses whose reverse
// DNS is checked), MaxPTRNames (DefaultMaxPTRNames, 10 PTR names confirmed
// per address) and MaxDestinations (DefaultMaxDestinations, 10 report
// destination domains of the DMARC record, and 10 of the TLSRPT record);
// Concurrency (DefaultConcurrency, 8) bounds the
// domains AuditAll audits at once, so its memory does not grow with the
// number of domains. The text writers (WriteText, WriteFindings, TreeLines)
// bound what they print of input: MaxTreeLines (200) tree lines,
// MaxInfoFindings (100) info findings, MaxRecordBytes (300) of a record and
// MaxMessageBytes (600) of a message, each with a count of what was left out;
// the JSON view is complete.
//
// Deliberate choices: a PTR name of an MX host address that is one of the MX
// hosts is confirmed by the addresses the MX check found for that host, not
// asked again. Some fact lines name the command's flags (--region,
// --selector) where they say what to give to learn more; the corresponding
// Auditor fields are Region and Selectors.
package audit
