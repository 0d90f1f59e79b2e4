package dkim

import (
	"errors"
	"fmt"
	"time"

	"github.com/domainauth/domainauth"

	"github.com/domainauth/domainauth/internal/tagvalue"
)

// Severity ranks a Finding; it is the module-wide domainauth.Severity.
type Severity = domainauth.Severity

// Severities, from least to most serious.
const (
	SeverityInfo    = domainauth.SeverityInfo
	SeverityWarning = domainauth.SeverityWarning
	SeverityError   = domainauth.SeverityError
)

// Finding is one observation about a DKIM key record; it is the module-wide domainauth.Finding, so that
// tools can gather findings from every package. Code is one of the stable
// Finding* constants; Message is for people.
type Finding = domainauth.Finding

// Key record finding codes. They are stable: users match on them.
const (
	// FindingKeySyntax: the record does not parse; verifiers will permerror.
	FindingKeySyntax = "dkim.key-syntax"
	// FindingKeyUnknownType: k= names a key type verifiers do not know.
	FindingKeyUnknownType = "dkim.key-unknown-type"
	// FindingKeyRevoked: p= is empty; every signature with this selector fails.
	FindingKeyRevoked = "dkim.key-revoked"
	// FindingKeyTooShort: an RSA key under 1024 bits, which verifiers must
	// not accept (RFC 8301 §3.2).
	FindingKeyTooShort = "dkim.key-too-short"
	// FindingKeyWeak: an RSA key of 1024 to 2047 bits: accepted, but signers
	// should use 2048 (RFC 8301 §3.2).
	FindingKeyWeak = "dkim.key-weak"
	// FindingKeyTooLong: an RSA key over 4096 bits, more than verifiers must
	// handle (RFC 8301 §3.2).
	FindingKeyTooLong = "dkim.key-too-long"
	// FindingKeyTesting: t=y, the testing flag, left on.
	FindingKeyTesting = "dkim.key-testing"
	// FindingKeySHA1Only: h= allows only sha1, and rsa-sha1 signatures are no
	// longer accepted (RFC 8301 §3.1): the key cannot verify anything.
	FindingKeySHA1Only = "dkim.key-sha1-only"
	// FindingKeyUnknownHash: h= lists a hash algorithm other than sha1 and sha256.
	FindingKeyUnknownHash = "dkim.key-unknown-hash"
	// FindingKeyNotEmail: s= does not include email or *.
	FindingKeyNotEmail = "dkim.key-not-email"
	// FindingKeyGranularity: the g= tag of RFC 4871, removed by RFC 6376.
	FindingKeyGranularity = "dkim.key-granularity-tag"
	// FindingKeyExpirationTag: an x= tag, which belongs in DKIM-Signature
	// fields and means nothing in a key record.
	FindingKeyExpirationTag = "dkim.key-expiration-tag"
	// FindingKeyUnknownTag: a tag RFC 6376 §3.6.1 does not define (ignored by verifiers).
	FindingKeyUnknownTag = "dkim.key-unknown-tag"
)

// LintKeyRecord reports problems in a key record given as TXT text: the
// parse error, if any, and things that parse but are unwise. It reads the
// text itself rather than a KeyRecord so that it sees the tags the parser
// ignores, such as g= and x=, which records copied from old guides carry.
func LintKeyRecord(txt string) []Finding {
	var out []Finding
	add := func(code string, sev Severity, where, rfc, format string, args ...any) {
		out = append(out, Finding{Code: code, Severity: sev, Message: fmt.Sprintf(format, args...), Where: where, RFC: rfc})
	}
	rec, err := ParseKeyRecord(txt)
	if err != nil {
		var ke *KeyRecordError
		where := ""
		if errors.As(err, &ke) && ke.Tag != "" {
			where = ke.Tag + "="
		}
		if errors.Is(err, ErrKeyUnknownType) {
			add(FindingKeyUnknownType, SeverityError, where, "RFC 6376 §3.6.1",
				"%v; verifiers ignore a record whose k= they do not know, so every signature with this selector gets permerror (known types: rsa, ed25519)", err)
		} else {
			add(FindingKeySyntax, SeverityError, where, "RFC 6376 §3.6.1", "%v; verifiers will report permerror", err)
		}
	}
	// Tag-level findings, from the text.
	s := tagvalue.Scanner{Input: txt}
	for s.Next() {
		tag, val := s.Tag(), s.Value()
		where := tag + "=" + val
		switch tag {
		case "v", "h", "k", "n", "p", "s", "t":
		case "g":
			sev := SeverityWarning
			extra := "RFC 4871 verifiers still read it: an empty g= matches no address at all, and any value but * restricts the key to i= local-parts that match it"
			if val == "*" {
				sev = SeverityInfo
				extra = "g=* matches every address, so it is harmless, but it is dead weight"
			}
			add(FindingKeyGranularity, sev, where, "RFC 6376 Appendix C.2",
				"g= is the key granularity tag of DomainKeys and RFC 4871, which limited the local-parts of i= the key could sign for; RFC 6376 removed it and verifiers must ignore it, but it advises signers not to publish it, because %s. Delete the tag", extra)
		case "x":
			when := ""
			if n, ok := parseDigits(val, 12); ok {
				when = " (" + time.Unix(n, 0).UTC().Format(time.DateOnly) + ")"
			}
			add(FindingKeyExpirationTag, SeverityWarning, where, "RFC 6376 §3.5, §3.6.1",
				"x= is the expiration tag of a DKIM-Signature field (the signer's \"do not trust this signature after\"), not of a key record: here it means nothing, verifiers ignore it, and the key stays valid after x=%s%s. To retire a key, sign with a new selector, then empty this record's p= to revoke it. Delete the tag",
				val, when)
		default:
			add(FindingKeyUnknownTag, SeverityInfo, where, "RFC 6376 §3.6.1", "tag %s= is not defined for key records; verifiers ignore it", tag)
		}
	}
	if rec == nil {
		return out
	}
	if rec.Revoked() {
		add(FindingKeyRevoked, SeverityWarning, "p=", "RFC 6376 §3.6.1",
			"p= is empty: the key is revoked and every signature made with this selector fails; remove the record once no mail in transit uses it")
	}
	if rec.KeyType == KeyTypeRSA && !rec.Revoked() {
		switch bits := rec.Bits(); {
		case bits < 1024:
			add(FindingKeyTooShort, SeverityError, "p=", "RFC 8301 §3.2",
				"RSA key of %d bits: verifiers must not accept signatures made with keys under 1024 bits; publish a 2048-bit key", bits)
		case bits < 2048:
			add(FindingKeyWeak, SeverityWarning, "p=", "RFC 8301 §3.2",
				"RSA key of %d bits: still accepted, but signers should use at least 2048 bits", bits)
		case bits > 4096:
			add(FindingKeyTooLong, SeverityWarning, "p=", "RFC 8301 §3.2",
				"RSA key of %d bits: verifiers need only handle keys up to 4096 bits, and some will fail", bits)
		}
	}
	if rec.Testing {
		add(FindingKeyTesting, SeverityWarning, "t=y", "RFC 6376 §3.6.1",
			"t=y says the domain is testing DKIM: verifiers are asked to treat its mail as unsigned whatever the result, so DKIM gives no protection; remove y once signing works")
	}
	if rec.HashAlgorithms != nil {
		known := false
		for _, h := range rec.HashAlgorithms {
			switch h {
			case "sha256":
				known = true
			case "sha1":
			default:
				add(FindingKeyUnknownHash, SeverityWarning, "h="+h, "RFC 6376 §3.6.1", "hash algorithm %q is not defined; verifiers ignore it", h)
			}
		}
		if !known {
			add(FindingKeySHA1Only, SeverityError, "h=", "RFC 8301 §3.1",
				"h= does not allow sha256: rsa-sha1 signatures are no longer accepted, so no signature can verify with this key; drop h= or list sha256")
		}
	}
	if !rec.ForEmail() {
		add(FindingKeyNotEmail, SeverityError, "s=", "RFC 6376 §3.6.1", "s= does not include email or *: verifiers must not use this key for mail")
	}
	return out
}
