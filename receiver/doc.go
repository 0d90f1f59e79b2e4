// Package receiver is the inbound check of a receiving MTA or milter: from
// the SMTP envelope (client address, HELO, the MAIL FROM reverse-path as
// given) and the message, Checker.Check runs SPF (RFC 7208), verifies every
// DKIM signature (RFC 6376) and evaluates DMARC (RFC 9989, or RFC 7489 by
// the dmarc options), and its Result writes the complete
// Authentication-Results field (RFC 8601) through the authres package.
//
//	c := &receiver.Checker{Resolver: net.DefaultResolver, AuthServID: "mx.example.net"}
//	res, err := c.Check(ctx, receiver.Envelope{IP: ip, HELO: helo, MailFrom: "<bounce@mail.example.org>"}, msg)
//	...
//	fmt.Println(res.Header()) // Authentication-Results: mx.example.net; spf=pass ...
//
// # The envelope
//
// ParsePath reads the reverse-path by RFC 5321 §4.1.2, so that a quoted
// local part such as `"a@b"@mail.example.org` names the domain
// mail.example.org; a source route ("<@a,@b:user@d>") is read and dropped
// (RFC 5321 Appendix C); "<>" is the null sender. For the null sender the
// SPF "MAIL FROM" identity is postmaster@HELO and its check is the HELO
// check (RFC 7208 §2.4). The HELO identity is also checked on its own,
// first, as RFC 7208 §2.3 recommends (Checker.SkipHELO turns that off),
// when it is a multi-label domain name.
//
// A reverse-path that does not follow the grammar gives a *PathError
// (wrapping ErrPathSyntax or ErrPathTooLong) together with a complete
// Result: no domain could be taken from it, and RFC 7208 §4.3 gives none
// for a domain that is malformed, so its SPF result is none and SPF cannot
// align for DMARC; DKIM and DMARC are evaluated as usual.
//
// # Typed bridges
//
// Results go from spf and dkim to dmarc, and from all three to authres,
// through switch statements over their constants (SPFAuthResult,
// DKIMAuthResult), never through their names as strings. DMARC aligns the
// identity SPF was asked about (the MAIL FROM domain, or the HELO for the
// null sender), not spf.Result.Domain, which after a redirect= names the
// redirect target.
//
// # The Authentication-Results field
//
// Result.AuthResult gives the field as an *authres.Results and
// Result.Header the folded text:
//
//   - spf with smtp.mailfrom (the MAIL FROM identity), and spf with
//     smtp.helo when the HELO was checked (RFC 8601 §2.7.2);
//   - one dkim per signature with header.d, header.i, header.s and
//     header.b, the first eight characters of b= or more where two
//     signatures share them (RFC 6008 §4), or dkim=none (§2.7.1);
//   - dmarc with header.from and, when a policy record applied to a pass or
//     fail, policy.dmarc, the policy after t= or pct= (RFC 9989 §9.1, whose
//     registry entries for dmarc are these two; the disposition is in
//     Result.DMARC.Disposition).
//
// temperror and permerror results carry their error as a reason.
//
// # Bounds
//
// Every cost an input can drive is bounded, by a field of Checker or of
// the checkers it holds, whose zero value is the default:
//
//   - the reverse-path: MaxPathLength, DefaultMaxPathLength (256 octets, RFC
//     5321 §4.5.3.1.3); its domain 255 octets, labels 63;
//   - SPF: the DNS limits of spf.Checker (10 DNS-querying terms, 2 void
//     lookups, MaxQueries, Timeout), for each of the two identities;
//   - DKIM: dkim.Verifier's MaxSignatures (8), MaxHeaderBytes (256 KiB),
//     MaxLineBytes and key sizes; Check keeps one copy of the header
//     section for DMARC, at most MaxHeaderBytes, and streams the body;
//   - DMARC: dmarc.Checker's MaxQueries (32);
//   - the field: reasons are cut to 300 bytes; a property value over 300
//     bytes (only a DKIM tag can be that long) is left out, so that no
//     line of the field approaches the 998 octets of RFC 5322 §2.1.1.
//
// Check does no I/O but DNS through the Resolver and the reading of msg.
package receiver
