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
//
// Verifier.Verify reads a message once: the header section is kept (it is
// bounded by MaxHeaderBytes), the body streams through the canonicalisers
// and hashes, so memory does not grow with the body. Key records are fetched
// through a domainauth.Resolver at <selector>._domainkey.<domain>.
// Signer.Sign produces the DKIM-Signature field to prepend to a message.
// ParseKeyRecord, KeyRecord.String, GenerateKey and LintKeyRecord deal with
// the DNS side; LintKeyRecord's findings carry stable codes (FindingKey*).
// AuthResults writes the dkim= part of an Authentication-Results field.
//
// Speed: Verify parses each key record once (a small cache keyed by the TXT
// text), reuses its buffers between calls, copies clean lines and header
// fields in whole runs, and folds the whitespace of lines that need relaxed
// canonicalisation eight bytes at a time. On a 4 KiB message it costs about
// 1.2 times the bare cryptographic work (SHA-256 of the message and one
// signature check) when the lines are clean, and about 1.17 (Ed25519) to
// 1.28 (RSA-2048) times when every body line has trailing whitespace, tabs
// or doubled spaces; see BenchmarkVerifyVsBare.
//
// # Bounds
//
// What a message or a key record can make a Verifier do is bounded, each
// bound an option field with its default:
//   - MaxSignatures: 8 signatures verified per message; later ones are
//     neutral with ErrTooManySignatures.
//   - MaxHeaderBytes: 256 KiB of header section (Signer too);
//     MaxLineBytes: 64 KiB per physical header line.
//   - MaxRSABits: 8192-bit RSA keys (policy with ErrKeyTooLong past it);
//     MinRSABits: 1024 (RFC 8301).
//   - KeyCacheSize: 64 parsed key records.
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
//     such as "legitimate.com(.attacker.com" never reaches the resolver.
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
