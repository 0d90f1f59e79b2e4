// Package mx checks the MX set of a domain through a domainauth.Resolver.
//
// Check sorts a domain into one State: ordinary MX records, a null MX
// (RFC 7505: a single "0 ." record, the domain accepts no mail), a null MX
// mixed with other records (invalid, RFC 7505 §3), an implicit MX (no MX
// record but an address record, RFC 5321 §5.1), no mail service at all, or
// unknown when DNS failed. For every target it records whether it is an IP
// literal, an alias (RFC 2181 §10.3), a duplicate, and whether it resolves.
// Each problem is a Finding with a stable Code ("mx.cname-target", ...).
// Result.Deliverable sums it up as an SMTP client would (RFC 5321 §5.1):
// whether any target, or the implicit MX, has an address. A domain without
// any mail service ("mx.none") is an Error, as §5.1 requires a sender to
// report it as one; a domain that means to receive no mail publishes a
// null MX.
//
// CheckMailFrom checks a domain meant for the SMTP envelope sender (MAIL FROM,
// RFC 5321 §4.1.1.2): it needs an MX to receive bounces (a null MX refuses
// them) and exactly one SPF record that parses (RFC 7208 §4.5, §4.6).
//
// Deliberate divergences:
//   - Whether a target is a CNAME needs the domainauth.CNAMEResolver
//     capability; *net.Resolver lacks it, and the answer is then AnswerUnknown (a
//     "mx.cname-unknown" Info finding), never "no".
//   - At most Checker.MaxHosts targets are examined (default 16); the rest
//     are reported with "mx.too-many-hosts".
//
// # Bounds
//
// Checker.MaxHosts (default 16) is the one bound input can reach: each MX
// target costs address lookups, so targets past it are reported with
// "mx.too-many-hosts", not looked up.
package mx
