// Package dmarc implements DMARC, Domain-based Message Authentication,
// Reporting, and Conformance: RFC 9989 (May 2026, which obsoletes RFC 7489
// and RFC 9091) by default, with RFC 7489 behaviour as an option.
//
// # What it does
//
//   - Records: ParseRecord parses a DMARC Policy Record (RFC 9989 §4.7,
//     §4.8) into a Record; Record.String writes one back (it round-trips)
//     and a Record can be built in code.
//   - Discovery: Lookup and Checker.Lookup find the record that applies to
//     an Author Domain with the DNS tree walk of RFC 9989 §4.10 (at most
//     8 queries, psd= handling), or under ModeRFC7489 at the Author Domain
//     and then its public-suffix-list Organizational Domain (RFC 7489
//     §6.6.3, golang.org/x/net/publicsuffix).
//   - Alignment: Checker.OrgDomain, Checker.Aligned, OrgDomainPSL and
//     AlignedPSL (RFC 9989 §3.2.10, §4.10.2; RFC 7489 §3.1, §3.2).
//   - Evaluation: Evaluate and Checker.Evaluate combine discovery with SPF
//     and DKIM results given as plain domain+result pairs (Identifier,
//     AuthResult), giving pass/fail, the aligned identifiers, the policy
//     (p, sp, np), t=y testing and the disposition; under ModeRFC7489 pct=
//     sampling with an injectable random source. Checker.EvaluateAll and
//     Strictest handle several Author Domains (RFC 9989 §11.5).
//   - AuthorDomains extracts the Author Domain(s) from a header block
//     (RFC 9989 §5.3.1) and Checker.EvaluateHeader evaluates a message
//     from its header block; Result.AuthResult gives the dmarc
//     part of an Authentication-Results field (RFC 8601).
//   - External report destinations: Checker.CheckDestinations verifies
//     <policy-domain>._report._dmarc.<host> (RFC 9990 §3, RFC 7489 §7.1).
//   - Lint: LintText, Record.Lint and Checker.LintDomain.
//
// # Bounds
//
// Every cost that input can drive has a bound; the configurable ones are
// Checker fields whose zero value gives the default.
//
//   - DNS queries of one tree walk: MaxTreeWalkQueries (8, RFC 9989
//     §4.10), fixed by the RFC.
//   - DMARC and report-authorisation TXT queries of one Evaluate, Lookup,
//     Aligned or CheckDestinations call: Checker.MaxQueries, default
//     DefaultMaxQueries (32); past it, ErrTooManyQueries (a temperror for
//     the identifier or destination concerned). Answers are shared within
//     the call, so a rua list of a thousand URIs of one host costs one
//     authorisation query.
//   - Existence queries for np=: at most one ExistenceResolver query, or
//     three (address, MX, TXT) without the capability, per evaluation, and
//     only for a failing message whose policy np changes.
//   - Author Domains evaluated by EvaluateAll: Checker.MaxAuthorDomains,
//     default 4 (RFC 9989 §11.5); the rest give one permerror result.
//   - Record size, tag count and URI count: not capped, since a record
//     from DNS is under 64 KiB and a zone file is the caller's to bound;
//     ParseRecord, LintText and Record.String take time and memory linear
//     in the text instead (BenchmarkParseRecordManyTags and
//     BenchmarkLintTextManyTags measure 40,000 tags), and lint reports at
//     most a few findings per tag-spec or URI. Reporting URIs cost DNS only within MaxQueries.
//   - Header blocks: AuthorDomains takes time linear in the header,
//     however many From fields and mailboxes it holds.
//   - Domains with U-labels are converted only up to 1,012 octets (four
//     per octet of a 253-octet name); a longer one is a *DomainError
//     before the IDNA work, which grows faster than its input.
//
// # Internationalised mail (RFC 8616 §6)
//
// Every domain handled is converted from U-labels to A-labels before
// further processing, as RFC 8616 §6 advises (updating RFC 7489 §6.6.1 and
// §7.1), with golang.org/x/net/idna and the lookup rules (UTS #46
// nontransitional mapping, the RFC 5891 label checks, the RFC 5893 Bidi
// rule): Author Domains read from From fields of internationalised mail
// (RFC 6532: a UTF-8 local part, a U-label domain), Input.FromDomain,
// SPF and DKIM identifiers (a DKIM d= is reported as written, so it may be
// a U-label), domains to look up, lint or check destinations for. So
// discovery queries A-label names, RFC 7489 mode finds the Organizational
// Domain with the public suffix list on A-labels (its IDN entries are
// A-labels), and alignment compares A-labels whichever form each name
// came in. A name whose U-labels do not convert is a *DomainError naming
// it; as an identifier it aligns with nothing, in a From field it makes a
// *FromError. Report URIs must stay conventional addresses (§6): a rua or
// ruf with non-ASCII characters is not a valid URI.
//
// # Using results of other SPF and DKIM implementations
//
// Evaluate takes AuthResult values, not the types of the spf and dkim
// packages, so that results from anywhere can be used. The receiver
// package runs SPF, DKIM and DMARC together and maps this module's results
// without names (receiver.SPFAuthResult, receiver.DKIMAuthResult). Results
// of other implementations map by name, and a name that is no result is an
// error (ErrUnknownResult), never a silent none:
//
//	r, err := dmarc.ParseAuthResult(name) // "pass", "temperror", ...
//	if err != nil {
//		return err
//	}
//	in := dmarc.Input{
//		FromDomain: "example.org",
//		SPF:        dmarc.Identifier{Domain: mailFromDomain, Result: r},
//	}
//
// # Lint codes
//
// Record text and tags (LintText, Record.Lint):
//
//	dmarc.not-dmarc                 the text does not start with v=DMARC1
//	dmarc.syntax                    a malformed tag-spec (ignored), or a missing ';' after v=DMARC1 (not a record)
//	dmarc.duplicate-tag             a tag appears twice; the record is invalid
//	dmarc.invalid-policy            invalid p, sp or np (record acts as p=none, or is ignored without rua)
//	dmarc.invalid-value             another tag has an invalid value; the default applies
//	dmarc.unknown-tag               a tag this package does not know (ignored)
//	dmarc.leading-whitespace        whitespace before v=DMARC1
//	dmarc.missing-p                 no p tag
//	dmarc.p-not-second              p not right after v (RFC 7489 mode)
//	dmarc.p-none-without-rua        p=none and nobody receives reports
//	dmarc.weaker-subdomain-policy   sp weaker than p
//	dmarc.weaker-nonexistent-policy np weaker than p
//	dmarc.testing-without-effect    t=y with every policy none
//	dmarc.pct-below-100             pct less than 100
//	dmarc.obsolete-tag              pct, rf or ri under RFC 9989
//	dmarc.obsolete-size             !size suffix on a URI under RFC 9989
//	dmarc.unknown-report-format     rf other than afrf
//	dmarc.fo-conflict               fo with both 0 and 1 (RFC 9989)
//	dmarc.ruf-without-fo            ruf with the default fo=0
//	dmarc.fo-without-ruf            fo without ruf (ignored)
//	dmarc.too-many-destinations     more than two rua or ruf URIs
//	dmarc.invalid-uri               a rua or ruf URI that is not valid
//	dmarc.unsupported-scheme        a URI scheme other than mailto
//
// DNS (Checker.LintDomain), in addition:
//
//	dmarc.invalid-domain            the domain name is not valid
//	dmarc.dns-error                 a lookup failed
//	dmarc.no-record                 no DMARC policy applies
//	dmarc.multiple-records          several DMARC records at _dmarc.<domain>
//	dmarc.spf-at-dmarc              an SPF record at _dmarc.<domain>
//	dmarc.record-at-apex            a DMARC record at the domain, not at _dmarc
//	dmarc.broken-policy             the record that applies (above the domain) is broken
//	dmarc.inherited-policy          the policy comes from an Organizational or PSD record
//	dmarc.unauthorized-destination  an external rua/ruf destination without authorisation
//
// # Deliberate choices and divergences
//
//   - Duplicate tags make the record invalid, as RFC 6376 §3.2 (whose
//     tag-list syntax RFC 9989 §4.7 adopts) says. Other syntax errors
//     after v=DMARC1 are discarded as RFC 9989 §4.8 requires: invalid
//     values of known tags (including values with characters the syntax
//     forbids) are ignored in favour of the defaults and kept in
//     Record.Invalid; tag-specs that are not tag=value are kept in
//     Record.Malformed and ignored (lint reports them as dmarc.syntax).
//   - A text that starts with v=DMARC1 and white space but lacks the ';'
//     after it ("v=DMARC1 p=none") is not a DMARC record: under the
//     tag-list grammar its v value is "DMARC1 p=none" (RFC 9989 §4.7,
//     §4.10; RFC 7489 §6.3). Discovery ignores it and goes on to the
//     Organizational Domain, so that it cannot switch off a parent's
//     policy; ParseRecord's error wraps ErrSyntax and ErrNotDMARC, and
//     lint reports it at its name (dmarc.syntax). A tag name without '='
//     ("p" alone) is a malformed tag-spec, discarded (§4.8), never a
//     duplicate. A rua or ruf list with a URI the tag-list syntax
//     forbids (non-ASCII) keeps its other URIs; the invalid one is
//     ignored and reported (dmarc.invalid-uri).
//   - Tag names and keyword values match without regard to case (the ABNF
//     literals of RFC 9989 §4.8 are case-insensitive); "DMARC1" is
//     case-sensitive.
//   - An absent p acts as p=none (RFC 9989 §4.7); an invalid p, sp or np
//     acts as p=none only with a valid rua URI, and otherwise the record is
//     a permerror (§4.10.1). Under ModeRFC7489 an absent p also needs a
//     valid rua (RFC 7489 §6.3, §6.6.3).
//   - A broken record (it starts with v=DMARC1 but cannot be used) at
//     the Author Domain gives permerror rather than continuing the walk.
//     Above the Author Domain, broken records are not valid DMARC Policy
//     Records: they never determine the Organizational Domain (RFC 9989
//     §4.10.2) nor outrank a valid record, and one is reported as
//     permerror only when no valid record applies.
//   - Whether an Author Domain exists (for np=) is decided, in this
//     order, by Checker.DomainExists when set, by the Resolver's
//     domainauth.ExistenceResolver capability (LookupExists: NXDOMAIN
//     against NODATA) when it has one, and otherwise by address, MX and
//     TXT lookups, since a plain Resolver does not tell NXDOMAIN from
//     NODATA: a name with only other record types then counts as
//     non-existent.
//   - A From field with a control or format character (C0 but HT, DEL,
//     C1, U+2028/2029, bidi controls) or invalid UTF-8, or one net/mail
//     cannot parse, has no Author Domain (FromError, ErrMalformedFrom):
//     there is no lenient "text after the last @" reading, which once let
//     "cfo@bank.example<NUL>x@attacker.example" pass for attacker.example.
//     The one field net/mail rejects that is still read is a display
//     name with unquoted specials in a field with a single '@' inside a
//     single <...> (see AuthorDomains). Any such field among several
//     makes the whole header unusable, for AuthorChoiceAll too.
//   - Where a domain name belongs (an Author Domain, an identifier, a
//     domain to look up or lint, a policy domain, a reporting URI host),
//     text that is not one is refused with a *DomainError
//     (ErrInvalidDomain) naming it, before any query: an address
//     ("a@b.example.org"), quotes, brackets, white space, control and
//     format characters. Such an identifier aligns with nothing; such an
//     Author Domain gives permerror.
//   - Alignment is computed only for identifiers whose result is pass or
//     temperror, the only ones that can change the outcome; an aligned
//     temperror without an aligned pass gives temperror (RFC 7489 §6.6.2).
//   - Besides the 8-query bound of each tree walk (RFC 9989 §4.10), one
//     evaluation makes at most Checker.MaxQueries DMARC queries (32 by
//     default), so that a message with many DKIM signatures cannot make a
//     receiver walk the tree for each.
//   - ModeRFC7489 ignores t=, np= and psd= (RFC 9091 PSD DMARC is not
//     implemented for it); its discovery treats np as an unknown tag, so
//     an invalid np value does not void the record there.
package dmarc
