// Package dkim implements DomainKeys Identified Mail: key records, the
// DKIM-Signature field, canonicalisation, verification and signing.
//
// References:
//   - RFC 6376, DKIM Signatures (key records §3.6.1, signatures §3.5,
//     canonicalisation §3.4, verification §6, signing §5)
//   - RFC 8463, Ed25519-SHA256 for DKIM
//   - RFC 8301, cryptographic algorithm and key usage update: rsa-sha1 and
//     RSA keys under 1024 bits are not accepted
//   - RFC 8601 §2.7.1, the dkim= result of Authentication-Results, and
//     RFC 6008 for header.b
//   - RFC 8616 §5, DKIM in internationalised mail
//
// # Internationalised mail (RFC 8616)
//
// A DKIM-Signature may carry d=, s= and i= as U-labels and an i= local
// part in UTF-8 (RFC 8616 §5, RFC 6532 §3.2); UTF-8 characters need not be
// quoted in i= (dkim-safe-char), and =XX-quoted UTF-8 still decodes.
// ParseSignature accepts them, checking that each name converts to
// A-labels under the IDNA lookup rules (golang.org/x/net/idna: UTS #46
// nontransitional mapping, RFC 5891 label checks, the RFC 5893 Bidi rule)
// and that the A-label form is a valid name; a name that does not convert
// is a *SignatureError naming the tag and offset, and is never looked up.
// The key is asked for at <selector>._domainkey.<domain> in A-labels
// (RFC 8616 §3). The i=/d= relation (RFC 6376 §3.5) and the t=s key flag
// compare the domains after conversion, so i=@mail.bücher.example lies
// within d=xn--bcher-kva.example. The header hash covers the field as it
// is written (RFC 8616 §5): a U-label replaced by its A-label breaks the
// signature. Relaxed header canonicalisation lower-cases field names in
// ASCII only and folds only SP and HTAB; other bytes pass unchanged.
// Verification.Domain, Selector and Identity report the values as
// written; callers comparing them (DMARC alignment) convert them first.
// The Signer accepts U-labels in Domain and Selector and UTF-8 in
// Identity, and writes them unquoted. Key records hold no domain names
// and stay ASCII (RFC 8616 §5): UTF-8 in one is a syntax error.
//
// Verifier.Verify reads a message once: the header section is kept (it is
// bounded by MaxHeaderBytes), the body streams through the canonicalisers
// and hashes, so memory does not grow with the body. Key records are fetched
// through a domainauth.Resolver at <selector>._domainkey.<domain>.
// Signer.Sign produces the DKIM-Signature field to prepend to a message.
// ParseKeyRecord, KeyRecord.String, GenerateRSAKey, GenerateEd25519Key and
// LintKeyRecord deal with
// the DNS side; LintKeyRecord's findings carry stable codes (FindingKey*).
// Verification.AuthResult gives a signature's dkim method result of an
// Authentication-Results field, and AuthResults those of all of a message's
// signatures, as authres.MethodResult values that authres.Format writes.
//
// Speed: Verify parses each key record once (a small cache keyed by the TXT
// text), reuses its buffers between calls, copies clean lines and header
// fields in whole runs, and folds the whitespace of lines that need relaxed
// canonicalisation eight bytes at a time. On a 4 KiB message it costs about
// 1.11 (Ed25519) to 1.18 (RSA-2048) times the bare cryptographic work
// (SHA-256 of the message and one signature check) when the lines are
// clean, and about 1.14 (Ed25519) to 1.21 (RSA-2048) times when every body
// line has trailing whitespace, tabs or doubled spaces (medians of seven
// runs of BenchmarkVerifyVsBare). A fifth of the bare RSA cost is
// crypto/rsa setting up the modulus again on every call, which it gives no
// way to keep; the first use of a key (cold cache) adds its parsing, about
// 1.25 to 1.5 times bare in all.
//
// # Bounds
//
// What a message or a key record can make a Verifier do is bounded, each
// bound an option field with its default:
//   - MaxSignatures: 8 signatures verified per message; later ones are
//     neutral with ErrTooManySignatures, parsed only to name d=, s= and a=
//     (and b= for header.b) and kept without their parsed form, so that a header of nothing but
//     signature fields costs memory in proportion to its size (about 17
//     times it, TestVerifyManySignaturesMemory).
//   - MaxHeaderBytes: 256 KiB of header section (Signer too);
//     MaxLineBytes: 64 KiB per physical header line.
//   - MaxRSABits: 8192-bit RSA keys (policy with ErrKeyTooLong past it);
//     MinRSABits: 1024 (RFC 8301).
//   - KeyCacheSize: 64 parsed key records.
//   - A d=, s= or i= domain with U-labels is converted only up to 1,012
//     octets (four per octet of a 253-octet name); longer is refused
//     before the IDNA work, which grows faster than its input.
//   - The body is read in chunks and hashed as it streams, so its length
//     costs time, never memory; one DNS query per signature (MaxSignatures
//     of them at most).
//
// Deliberate choices and divergences:
//   - Bare LF line ends are read as CRLF (for headers and body), as every
//     verifier does: messages on disk or in programs often have them.
//   - RSA keys are accepted both as SubjectPublicKeyInfo (what Appendix C
//     and nearly every publisher use) and as the PKCS#1 RSAPublicKey that
//     §3.6.1 literally specifies. Ed25519 keys are the raw 32 bytes of
//     RFC 8463; a SubjectPublicKeyInfo is tolerated.
//   - A key name holding several TXT records is a permerror, where §3.6.2.2
//     allows trying each: ambiguous keys are a publishing error worth seeing.
//   - d= and s= are checked as domain names before any DNS query, so a d=
//     such as "legitimate.com(.attacker.com" never reaches the resolver;
//     a U-label one is checked in its A-label form, after the IDNA
//     mapping (so a fullwidth parenthesis does not slip through either).
//   - Results map onto RFC 8601 words: bad body hash or signature is fail;
//     malformed, expired, keyless, revoked or mismatched is permerror; DNS
//     trouble is temperror; rsa-sha1, short RSA keys (RFC 8301), RSA keys
//     over Verifier.MaxRSABits (8192 bits unless set: verification time
//     grows with the square of the key size) and, when asked, a partial
//     l= body are policy; signatures beyond MaxSignatures are neutral.
//   - t= in the future is not an error (§3.5 makes rejecting it optional).
//   - The g= tag of RFC 4871 key records is ignored, as RFC 6376 Appendix
//     C.2 requires; LintKeyRecord reports it.
package dkim
