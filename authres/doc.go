// Package authres reads, writes and filters Authentication-Results header
// fields (RFC 8601), the trace field in which a receiver records the
// outcome of SPF, DKIM, DMARC and other checks for the agents after it.
//
// Parse (or Parser.Parse) turns a field into Results: the authserv-id,
// the optional version and one MethodResult per "method=result"
// statement, with its reason and its "ptype.property=value" properties.
// Keywords (methods, results, ptypes, properties) are lower-cased; values
// keep their case; unknown methods, results and ptypes are kept as given,
// and MethodResult.Usable says whether RFC 8601 §4.1 lets a consumer act
// on one. Format writes Results back, folded; Parse(Format(r)) equals r
// for Results with lower-case keywords and no Comment, which Parse skips
// as it skips every comment (a fuzzed property).
//
// Each protocol package gives its result as a MethodResult:
// spf.Result.AuthResult, dkim.Verification.AuthResult (dkim.AuthResults
// for a whole message), dmarc.Result.AuthResult; MethodResult.String
// writes one on a single line, and AddProperty and ErrorReason are the
// helpers they share to stay writable.
//
// # Trust
//
// ForRemoval, Strip and Trusted apply the trust rules of RFC 8601 §5 to a
// message's header fields. A receiver calls Strip on mail arriving from
// outside its trust boundary: it removes the fields whose authserv-id is
// one of the receiver's own or lies below one (a hierarchical id, §2.5),
// those of an unsupported version, and those it cannot read (their
// authserv-id is unknown, so they may claim the receiver's). Trusted then
// returns the upstream results of the authserv-ids the caller lists, by
// exact match only, and only where the authserv-id stands at the head of
// the field. Both compare ids case-insensitively with A-labels and
// U-labels taken as equal (§5).
//
// # References
//
//   - RFC 8601: Message Header Field for Indicating Message Authentication
//     Status (grammar §2.2, authserv-id §2.5, versions §2.6, removal §5).
//   - RFC 5322 (CFWS, quoted-string, local-part), RFC 2045 §5.1 (token and
//     value), RFC 5321 §4.1.2 (Keyword), RFC 6376 §3.5 (domain-name),
//     RFC 6532 (UTF-8 in quoted strings and addresses).
//
// # Bounds
//
// Every cost the input can drive is bounded by a field of Parser; a zero
// field means the default:
//
//   - MaxLength, DefaultMaxLength (32 KiB): bytes of one field, name,
//     folding and comments included; checked before any work.
//   - MaxMethods, DefaultMaxMethods (64): resinfo statements per field.
//   - MaxProperties, DefaultMaxProperties (32): properties per statement.
//
// Comments nest to any depth without recursion, and parsing is a single
// pass, so time and memory are linear in the (bounded) input. ForRemoval
// and Trusted parse each Authentication-Results field once with the same
// bounds; the number of fields is the caller's header, which the caller
// bounds. Format's output is proportional to the Results it is given.
//
// # Tolerances
//
// By default the parser accepts these deviations, each seen from real
// receivers (the shared conformance samples hold instances); Parser.Strict
// rejects all of them:
//
//  1. No authserv-id: the field opens with "method=result" (the
//     Authentication-Results of ARF failure reports written by several
//     providers, and Exchange Online). AuthServID is then "".
//  2. The authserv-id standing alone between semicolons after the
//     statements ("spf=pass ...; mail.example.org; dkim=..."), as Exchange
//     Online writes it: taken as AuthServID when the field opened without
//     one, skipped when it repeats the authserv-id.
//  3. Empty statements: ";;" and a trailing ";" after the last statement.
//  4. A property without a ptype ("action=oreject", Exchange Online): kept
//     as a Property with an empty Type; and "reason=" after the properties.
//  5. Unquoted values that are neither an RFC 2045 token nor an address:
//     any run of visible characters other than ";", "(", ")" and '"', so
//     IPv6 addresses ("smtp.remote-ip=2001:db8::1"), base64 fragments
//     ("header.b=ab/c+d") and single-label addresses ("a@localhost") read
//     as written.
//  6. Bare LF line ends instead of CRLF (stored messages), in folding too.
//
// In every mode the parser accepts UTF-8 in tokens and addresses (RFC 8601
// §1.5.2 allows U-labels and internationalised local parts), white space
// before the colon of a leading field name (RFC 5322 obsolete syntax),
// and one line end after the value; it rejects control characters and
// invalid UTF-8 in values, line breaks that are not folding, versions
// other than 1 (ErrVersion, §2.6) and numbers of more than nine digits.
// An address inside a property value may not contain comments.
//
// # Writing
//
// Format writes only the strict grammar: values that are not a token (or,
// for a property value, an address) are quoted, each statement starts a
// line, and lines fold at 78 columns; a single item that would exceed 998
// octets on a line is an error rather than an overlong line. Format
// rejects properties without a ptype, so a field read under tolerance 4
// is written only after the caller drops or names them.
package authres
