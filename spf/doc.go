// Package spf implements the Sender Policy Framework, RFC 7208 as updated
// by RFC 8616 for internationalised mail: parsing and building records,
// evaluating check_host() for the MAIL FROM and HELO identities, linting a
// domain's policy tree, and writing the Received-SPF header field and the
// spf= part of Authentication-Results (RFC 8601).
//
// # Parse and build
//
// ParseRecord reads a record over the full ABNF of RFC 7208 §12 and returns a
// *Record whose String method gives a canonical form that parses back
// equal. Text that is not an SPF record at all (it does not start with
// "v=spf1" and a space or its end) gives an error wrapping ErrNotSPF; a
// broken record gives a *ParseError naming the term, its index and the
// byte offset, wrapping one error class (ErrBadCIDR, ErrBadMacro, ...).
//
// # Evaluate
//
// A Checker evaluates check_host() with every mechanism and modifier of
// §5 and §6, macros (§7) and the limits of §4.6.4 (10 DNS-querying terms,
// 2 void lookups, 10 MX names, 10 PTR names), each configurable. DNS goes
// through a domainauth.Resolver; a zone.Zone serves tests and files.
// Results carry a typed Code, the matched term, the deciding domain, the
// explanation, the lookups spent, an optional trace, and an error detail
// for temperror and permerror.
//
// Checker.Prefetch starts the queries of later terms and included records
// concurrently while evaluation proceeds in RFC order; results are the
// same as sequential evaluation, wall time is lower on slow DNS: a tree of
// includes costs about one round trip per level instead of one per record.
// At most MaxLookups terms are prefetched per evaluation, only terms
// whose position in evaluation order can be within that budget, and only
// while the whole check provably stays within MaxQueries.
//
// # Bounds
//
// Every cost a record or a DNS answer can drive is bounded; each bound is
// a Checker or Linter field whose zero value gives the default:
//
//   - Checker.MaxLookups: 10 DNS-querying terms (§4.6.4); more is permerror.
//   - Checker.MaxVoidLookups: 2 void lookups (§4.6.4); more is permerror.
//   - Checker.MaxMXNames: 10 MX names per mx term (§4.6.4); more is permerror.
//   - Checker.MaxPTRNames: 10 PTR names (§4.6.4); the rest are ignored. The
//     PTR query is made once per check and each distinct name is confirmed
//     by at most one address query, shared by ptr and every %{p}.
//   - Checker.MaxQueries: 200 DNS queries of every kind per check, the
//     prefetched ones included; the evaluation needing more is a permerror
//     wrapping ErrTooManyQueries. The other defaults allow at most 123.
//   - Checker.Timeout: 20 seconds per check (§4.6.4); temperror.
//   - Checker.CacheSize: 512 parsed records.
//   - A name with U-labels (MAIL FROM, HELO, a macro expansion) is
//     converted only up to 1,012 octets; a longer one cannot become a name
//     of 253 and is refused before the IDNA work.
//   - Linter.MaxRecords: 100 records fetched per lint; each distinct
//     include or redirect target is fetched and walked once, a repeated one
//     adds its subtree's cost (TermCost.Repeated).
//   - Linter.MaxProbes: 500 address and MX probes per lint, each distinct
//     target probed once; past it a FindingLintLimit finding counts the terms
//     not probed.
//   - Linter.MaxTerms: 1,000 entries in Report.Terms (plus the includes
//     leading to them); Report.TermsOmitted counts the rest.
//   - Linter.MaxFindings: 1,000 findings about terms and records, then one
//     FindingLintLimit finding with the count; the findings about the whole
//     tree are always reported.

// Parsed records are cached on the Checker, keyed by record text and
// bounded (Checker.CacheSize). The cache is created when a Checker starts
// its second evaluation; until then (a Checker made for one check), and
// with CacheSize < 0, records are checked in one pass without keeping
// their terms, and evaluation parses the terms it reaches again one at a
// time (ip4, ip6 and all before the first DNS-querying mechanism are
// evaluated during that pass). Without Trace, an evaluation with the cache
// allocates only what the Resolver returns and the names it builds from
// macros; one without it also allocates a Term per record it evaluates
// past its leading ip4/ip6 terms. A Checker does not escape from Check, so
// one made per check can stay on the caller's stack.
//
// # Lint
//
// Linter.Lint walks a domain's include/redirect tree without a client
// address and reports findings with stable codes (the Finding* constants):
// the worst-case count of DNS-querying terms in total and per term
// (counted past 10), void lookups, loops, include targets without a
// record, multiple records, ptr, +all and ?all, a missing all, terms after
// all, redirect beside all, unknown modifiers, strings over 255 bytes,
// answers over 450 bytes, type SPF records and macros that cannot be
// followed. LintRecord gives the checks that need no DNS. Report.Terms
// lists the tree's DNS-querying terms in walk order with their depth and
// worst-case cost, so that a tree is built from it in one pass.
//
// # Internationalised mail (RFC 8616 §4)
//
// U-labels are converted to A-labels before any use (golang.org/x/net/idna
// with the lookup rules: UTS #46 nontransitional mapping, the RFC 5891
// label checks and the RFC 5893 Bidi rule): the MAIL FROM domain, the HELO
// name (which RFC 8616 says MUST already be A-labels; a U-label one is
// converted rather than refused) and every name a domain-spec expands to,
// so %{d}, %{o} and %{h} expand to A-labels. A checked domain whose
// U-labels do not convert gives CodeNone (RFC 7208 §4.3) with a *CheckError
// wrapping ErrInvalidIDN. Records themselves stay ASCII (RFC 7208 §4.3).
//
// RFC 8616 §4 says that when the sender's local part has non-ASCII
// characters, "terms that include %{s} or %{l} do not match anything".
// Such a term (either case, any transformers) is not expanded and makes
// no DNS query: a, mx, ptr, exists and include do not match and
// evaluation goes on; a redirect whose target uses them matches nothing
// either, so the record ends without a match and the result is neutral
// (RFC 7208 §4.7); an exp= using them gives no explanation. The term
// still counts against MaxLookups (RFC 7208 §4.6.4 counts terms, not
// queries) and, making no query, is never a void lookup. Explanation text
// fetched by exp= may still expand %{l}; its non-ASCII bytes become '?'.
//
// # Headers
//
// ReceivedSPF writes the Received-SPF field of RFC 7208 §9.1, quoting and
// cleaning sender-supplied text; it is one line of at most 998 bytes (RFC
// 5322 §2.1.1). Result.AuthResult gives the spf method result of an
// Authentication-Results field (RFC 8601, RFC 7208 §9.2) as an
// authres.MethodResult, which authres.Format writes.
//
// # Deliberate choices
//
//   - Only TXT records are queried (RFC 7208 §3.1, §4.4); type SPF (99) is
//     never looked up during evaluation.
//   - An IPv4-mapped IPv6 client address is evaluated as IPv4.
//   - More than 10 MX names is a permerror, but PTR names past the 10th are
//     ignored, as RFC 7208 §4.6.4 says (the suite's ptr-limit case agrees).
//   - A domain-spec that is, or expands to, an invalid name (an empty label,
//     a label over 63 octets) gives permerror rather than a void lookup; a
//     literal one is caught by ParseRecord, so the whole record is a permerror
//     (the suite accepts fail or permerror for these).
//   - Checker.Timeout (20 s by default, §4.6.4) is checked before each query
//     from the third on; a hard bound on a single query comes from ctx.
//   - An invalid Input.IP gives CodeNone with ErrNoIP.
//   - The %{p} macro's PTR and address lookups and the exp= lookup do not
//     count against the 10-term limit; the terms that use them do. They
//     count against MaxQueries, and each is made at most once per check.
//   - Running out of MaxQueries is permerror, like the limits of §4.6.4:
//     it follows from the published policy, so a retry would meet it again.
//     Inside ptr and %{p}, where a DNS error means no match, it is still
//     permerror (for %{p}: at the term's own query).
//   - Void lookups are counted for a, mx (the MX query itself) and exists;
//     ptr, whose DNS errors mean no match, does not count them.
//   - A DNS error while evaluating ptr (or %{p}) means no match (§5.5), not
//     temperror; running out of time or a canceled context during ptr is
//     temperror (§4.6.4), so it cannot fall through to a later -all.
package spf
