package dkim

import (
	"errors"
	"fmt"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/errs"
)

// Sentinel errors carried (wrapped) in Verification.Err and returned by the
// parsers and the Signer. Match them with errors.Is.
var (
	// ErrNoKey: the key record does not exist (NXDOMAIN or no TXT record),
	// RFC 6376 §6.1.2 step 3. It matches domainauth.ErrNotFound too; a
	// temporary failure of the key lookup matches domainauth.ErrTemporary.
	ErrNoKey = errs.New("dkim: no key record", domainauth.ErrNotFound)
	// ErrMultipleKeys: the key name holds more than one TXT record.
	ErrMultipleKeys = errors.New("dkim: more than one key record")
	// ErrKeySyntax: the key record is malformed (RFC 6376 §3.6.1).
	ErrKeySyntax = errors.New("dkim: malformed key record")
	// ErrKeyRevoked: the key record has an empty p= (RFC 6376 §3.6.1).
	ErrKeyRevoked = errors.New("dkim: key revoked")
	// ErrKeyUnknownType: the key record's k= names a key type this package
	// does not know; such a record cannot be used (RFC 6376 §3.6.1).
	ErrKeyUnknownType = errors.New("dkim: unknown key type")
	// ErrKeyMismatch: the key record does not fit the signature: other key
	// type, hash algorithm not allowed by h=, service type without email,
	// or t=s with an i= in a subdomain (RFC 6376 §6.1.2 steps 6 to 9).
	ErrKeyMismatch = errors.New("dkim: key record does not fit the signature")
	// ErrKeyTooShort: an RSA key shorter than the verifier accepts (RFC 8301 §3.2).
	ErrKeyTooShort = errors.New("dkim: RSA key too short")
	// ErrKeyTooLong: an RSA key longer than the verifier accepts
	// (Verifier.MaxRSABits), refused to bound verification time.
	ErrKeyTooLong = errors.New("dkim: RSA key too long")
	// ErrSHA1: an rsa-sha1 signature, which RFC 8301 §3.1 forbids verifiers
	// to consider valid.
	ErrSHA1 = errors.New("dkim: rsa-sha1 signatures are not accepted")
	// ErrSignatureSyntax: the DKIM-Signature field is malformed (RFC 6376 §3.5).
	ErrSignatureSyntax = errors.New("dkim: malformed DKIM-Signature")
	// ErrExpired: the signature's x= lies in the past (RFC 6376 §3.5).
	ErrExpired = errors.New("dkim: signature expired")
	// ErrBodyHash: the computed body hash differs from bh= (RFC 6376 §6.1.3).
	ErrBodyHash = errors.New("dkim: body hash does not match")
	// ErrBadSignature: the b= signature does not verify with the key.
	ErrBadSignature = errors.New("dkim: signature does not verify")
	// ErrBodyLength: the signature's l= was not acceptable: longer than the
	// body, or (with Verifier.RejectBodyLength) shorter.
	ErrBodyLength = errors.New("dkim: l= body length not acceptable")
	// ErrTooManySignatures: the signature was not verified because the
	// message has more than Verifier.MaxSignatures of them.
	ErrTooManySignatures = errors.New("dkim: too many signatures, not verified")
	// ErrHeaderTooLarge: the header section exceeds the configured bound.
	ErrHeaderTooLarge = errors.New("dkim: header section too large")
	// ErrLineTooLong: a header line exceeds the configured bound.
	ErrLineTooLong = errors.New("dkim: header line too long")
	// ErrNoFrom: the message has no From field, which every signature must
	// cover (RFC 6376 §5.4).
	ErrNoFrom = errors.New("dkim: message has no From header field")
)

// KeyRecordError describes a malformed or unusable key record.
type KeyRecordError struct {
	Tag    string // the tag concerned, "" for the record as a whole
	Offset int    // byte offset of the problem in the record
	Msg    string
	Err    error // ErrKeySyntax or ErrKeyUnknownType
}

// Error returns "dkim: key record tag p= at offset 9: ...".
func (e *KeyRecordError) Error() string {
	if e.Tag == "" {
		return fmt.Sprintf("dkim: key record at offset %d: %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("dkim: key record tag %s= at offset %d: %s", e.Tag, e.Offset, e.Msg)
}

// Unwrap returns the sentinel this error belongs to.
func (e *KeyRecordError) Unwrap() error { return e.Err }

// SignatureError describes a malformed or unacceptable DKIM-Signature field.
type SignatureError struct {
	Tag    string // the tag concerned, "" for the field as a whole
	Offset int    // byte offset of the problem in the field value
	Msg    string
}

// Error returns "dkim: DKIM-Signature tag d= at offset 41: ...".
func (e *SignatureError) Error() string {
	if e.Tag == "" {
		return fmt.Sprintf("dkim: DKIM-Signature at offset %d: %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("dkim: DKIM-Signature tag %s= at offset %d: %s", e.Tag, e.Offset, e.Msg)
}

// Unwrap returns ErrSignatureSyntax.
func (e *SignatureError) Unwrap() error { return ErrSignatureSyntax }
