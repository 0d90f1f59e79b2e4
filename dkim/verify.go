package dkim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Status is the result of verifying one signature, named as in RFC 8601
// §2.7.1.
type Status uint8

// The verification results.
const (
	// StatusNone: the message has no signature (only in AuthResults).
	StatusNone Status = iota
	// StatusPass: the signature verified.
	StatusPass
	// StatusFail: the signature was well formed and its key found, but the body
	// hash or the signature did not verify.
	StatusFail
	// StatusNeutral: the signature was not processed (more signatures than
	// Verifier.MaxSignatures).
	StatusNeutral
	// StatusTempError: the key could not be fetched for a reason that may pass
	// (DNS failure, cancelled context). A later attempt may succeed.
	StatusTempError
	// StatusPermError: the signature cannot be verified: malformed, expired, no
	// key, key revoked, malformed or not fitting the signature.
	StatusPermError
	// StatusPolicy: the signature is well formed but unacceptable: rsa-sha1 or an
	// RSA key under 1024 bits (RFC 8301), an RSA key outside
	// Verifier.MinRSABits..MaxRSABits, or a partial l= body when the
	// Verifier rejects those.
	StatusPolicy
)

// String returns the RFC 8601 result word: "none", "pass", "fail",
// "neutral", "temperror", "permerror" or "policy".
func (s Status) String() string {
	switch s {
	case StatusNone:
		return "none"
	case StatusPass:
		return "pass"
	case StatusFail:
		return "fail"
	case StatusNeutral:
		return "neutral"
	case StatusTempError:
		return "temperror"
	case StatusPermError:
		return "permerror"
	case StatusPolicy:
		return "policy"
	}
	return "unknown"
}

// Verification is the outcome for one DKIM-Signature field.
type Verification struct {
	// Status is the result; Err says why for anything but StatusPass.
	Status Status
	Err    error

	Domain    string    // d=, the signing domain (SDID)
	Selector  string    // s=
	Identity  string    // i=, or "@" plus d= when absent (the AUID)
	Algorithm Algorithm // a=

	// KeyBits is the size of the key used (RSA modulus bits, 256 for
	// Ed25519); 0 when no key was found.
	KeyBits int
	// Testing is set when the key record has t=y: the signer is testing
	// DKIM and RFC 6376 §3.6.1 asks that the message be treated as unsigned.
	Testing bool

	// BodyLength is l=, -1 when absent. UnsignedBody is the number of
	// canonical body bytes after the first l= that the signature does not
	// cover: content that anyone could have appended (RFC 6376 §8.2).
	BodyLength   int64
	UnsignedBody int64

	// Signature is the parsed field, as far as it parsed; nil for a
	// signature past Verifier.MaxSignatures (StatusNeutral), which is
	// parsed only to fill in Domain, Selector, Algorithm and BodyLength
	// (and its b= for AuthResult's header.b).
	Signature *Signature
	// Key is the key record used; nil when none was found. It may be
	// shared with other results through the Verifier's key cache: treat
	// it as read-only.
	Key *KeyRecord

	// bRaw is b= as written of a signature past MaxSignatures (a
	// substring of the header, as Domain is), so that header.b still
	// tells it apart from the others (RFC 6008 §4).
	bRaw string
}

// Verifier verifies DKIM signatures (RFC 6376 §6). A Verifier with a
// Resolver is ready to use and safe for concurrent use. It keeps a small
// cache of parsed keys and scratch buffers, created on first use; copies
// made after that share them, which is harmless.
type Verifier struct {
	// Resolver looks up key records. Required.
	Resolver domainauth.Resolver
	// Clock gives the time against which x= is checked. If nil, the system clock.
	Clock domainauth.Clock

	// MaxSignatures bounds the signatures verified per message; later ones
	// get StatusNeutral with ErrTooManySignatures. If zero, 8.
	MaxSignatures int
	// MaxHeaderBytes bounds the header section. If zero, 256 KiB.
	MaxHeaderBytes int
	// MaxLineBytes bounds one physical header line. If zero, 64 KiB (far
	// above the 998 of RFC 5322 §2.1.1, which real mail exceeds).
	MaxLineBytes int
	// MinRSABits is the shortest RSA key accepted. If zero or below 1024,
	// 1024 (RFC 8301 §3.2).
	MinRSABits int
	// MaxRSABits is the longest RSA key accepted: verification time grows
	// with the square of the modulus size, and a key record of 64 KiB
	// could hold a modulus of several hundred thousand bits. Longer keys
	// give StatusPolicy with ErrKeyTooLong. If zero, 8192 (RFC 8301 §3.2 asks
	// verifiers to handle 1024 to 4096 bits, and allows more); never
	// below MinRSABits.
	MaxRSABits int
	// RejectBodyLength makes a signature whose l= leaves part of the body
	// unsigned a StatusPolicy result instead of a StatusPass (RFC 6376 §8.2).
	RejectBodyLength bool
	// KeyCacheSize bounds the cache of parsed key records, keyed by the TXT
	// text (DNS is still asked every time). If zero, 64; negative disables.
	KeyCacheSize int

	inner atomic.Value // *verifierInner, created on first use
}

// verifierInner holds what a Verifier reuses between calls.
type verifierInner struct {
	states sync.Pool // *verifyState
	mu     sync.Mutex
	keys   map[string]keyEntry
}

type keyEntry struct {
	rec *KeyRecord
	err error
}

// verifyState is the scratch space of one Verify call.
type verifyState struct {
	rd     reader
	fields []field
	canons []*bodyCanon
	hashes []hash.Hash
	hdr    headerCanon
	spare  sigStorage // parse space for signatures past MaxSignatures
	sum    [sha256.Size]byte
	jobs   []job
}

// job is a signature waiting for its body hash.
type job struct {
	res   *Verification
	sig   *Signature
	field *field
	canon int // index into canons
}

func (v *Verifier) getInner() *verifierInner {
	if in, ok := v.inner.Load().(*verifierInner); ok {
		return in
	}
	v.inner.CompareAndSwap(nil, &verifierInner{})
	return v.inner.Load().(*verifierInner)
}

func (in *verifierInner) getState() *verifyState {
	if st, ok := in.states.Get().(*verifyState); ok {
		return st
	}
	return &verifyState{rd: reader{buf: make([]byte, 0, firstRead)}}
}

func (in *verifierInner) putState(st *verifyState) {
	st.rd.r = nil
	if cap(st.rd.buf) > 4*readChunk {
		st.rd.buf = make([]byte, 0, readChunk) // do not keep a huge header's buffer
	}
	if cap(st.rd.starts) > 1024 {
		st.rd.starts = nil // nor the offsets of a header of many fields
	}
	clear(st.fields)
	clear(st.jobs)
	st.spare = sigStorage{} // its strings are substrings of the header
	st.fields, st.jobs = st.fields[:0], st.jobs[:0]
	for _, c := range st.canons {
		c.w = nil
	}
	in.states.Put(st)
}

// Verify reads a message (header and body, CRLF or bare LF line ends) and
// verifies each DKIM-Signature field in it, returning one Verification per
// field, in header order; none for an unsigned message. The body streams
// through: memory does not grow with its size. The error is for the message
// as a whole (reading failed, header section over the limits, ctx done
// while reading); per-signature problems are in each Verification.
func (v *Verifier) Verify(ctx context.Context, msg io.Reader) ([]Verification, error) {
	in := v.getInner()
	st := in.getState()
	defer in.putState(st)
	st.rd.r = msg
	st.rd.maxHdr = orDefault(v.MaxHeaderBytes, defaultMaxHeaderBytes)
	st.rd.maxLine = orDefault(v.MaxLineBytes, defaultMaxLineBytes)
	hdr, rest, err := st.rd.readHeader(ctx)
	if err != nil {
		return nil, err
	}
	st.fields = fieldsAt(hdr, st.rd.starts, st.fields[:0])
	n := 0
	for i := range st.fields {
		if equalFold(st.fields[i].name, "DKIM-Signature") {
			n++
		}
	}
	if n == 0 {
		return nil, nil
	}
	maxSigs := orDefault(v.MaxSignatures, 8)
	results, storage := newResults(n, min(n, maxSigs))
	canons := 0
	k := 0
	for i := range st.fields {
		f := &st.fields[i]
		if !equalFold(f.name, "DKIM-Signature") {
			continue
		}
		res := &results[k]
		k++
		res.BodyLength = -1
		if k > maxSigs {
			skipped(res, f.value(), &st.spare)
			continue
		}
		sig, perr := parseSignature(f.value(), &storage[k-1])
		res.Signature = sig
		res.Domain, res.Selector, res.Algorithm = sig.Domain, sig.Selector, sig.Algorithm
		res.BodyLength = sig.BodyLength
		if perr != nil {
			res.Status, res.Err = StatusPermError, perr
			continue
		}
		var name string
		res.Identity, name = identities(sig)
		if !v.preCheck(ctx, res, sig, name) {
			continue
		}
		// Share a body hasher between signatures that need the same one.
		ci := -1
		for j := range st.jobs {
			o := st.jobs[j].sig
			if o.BodyCanon == sig.BodyCanon && o.BodyLength == sig.BodyLength {
				ci = st.jobs[j].canon
				break
			}
		}
		if ci < 0 {
			ci = canons
			canons++
			if ci == len(st.canons) {
				st.canons = append(st.canons, &bodyCanon{})
				st.hashes = append(st.hashes, sha256.New())
			}
			h := st.hashes[ci]
			h.Reset()
			st.canons[ci].reset(sig.BodyCanon == CanonicalizationRelaxed, h, sig.BodyLength)
		}
		st.jobs = append(st.jobs, job{res: res, sig: sig, field: f, canon: ci})
	}
	if len(st.jobs) == 0 {
		return results, nil
	}
	active := st.canons[:canons]
	err = st.rd.readBody(ctx, rest, func(p []byte) {
		for _, c := range active {
			c.Write(p)
		}
	})
	if err != nil {
		return nil, err
	}
	for _, c := range active {
		c.finish()
	}
	for i := range st.jobs {
		v.finish(st, &st.jobs[i], st.fields)
	}
	return results, nil
}

// newResults returns the results for a message with n signatures and
// the storage the parsed forms of the first parsed of them go in. Most
// signed mail has one signature: its result and storage then take one
// allocation.
func newResults(n, parsed int) ([]Verification, []sigStorage) {
	if n == 1 && parsed == 1 {
		one := new(struct {
			res [1]Verification
			st  [1]sigStorage
		})
		return one.res[:], one.st[:]
	}
	return make([]Verification, n), make([]sigStorage, parsed)
}

// skipped fills in the result of a signature past MaxSignatures: neutral,
// naming its d=, s= and a= when they parse. It is parsed into scratch
// storage and keeps no Signature: a header section of MaxHeaderBytes could
// hold thousands of signature fields, and storage of their own (about
// 1 KiB each) would multiply the header's size in memory by about 60.
func skipped(res *Verification, value string, spare *sigStorage) {
	*spare = sigStorage{}
	sig, _ := parseSignature(value, spare)
	res.Domain, res.Selector, res.Algorithm = sig.Domain, sig.Selector, sig.Algorithm
	res.BodyLength, res.bRaw = sig.BodyLength, sig.bRaw
	res.Status, res.Err = StatusNeutral, ErrTooManySignatures
}

// identities returns the AUID of sig (see Signature.AUID) and the name
// of its key record as written (<selector>._domainkey.<domain>, before any
// conversion to A-labels). When i= is absent the AUID is "@" plus d=, and
// both strings are cut from one concatenation: one allocation, not two,
// for every signature verified.
func identities(sig *Signature) (auid, name string) {
	if sig.Identity != "" {
		return sig.Identity, sig.Selector + "._domainkey." + sig.Domain
	}
	both := "@" + sig.Domain + sig.Selector + "._domainkey." + sig.Domain
	return both[:1+len(sig.Domain)], both[1+len(sig.Domain):]
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// preCheck does what can be done before the body is read: the algorithm,
// expiry and the key (RFC 6376 §6.1.1, §6.1.2). It reports whether the
// signature goes on to the hashes.
func (v *Verifier) preCheck(ctx context.Context, res *Verification, sig *Signature, name string) bool {
	if sig.Algorithm == AlgorithmRSASHA1 {
		res.Status, res.Err = StatusPolicy, ErrSHA1
		return false
	}
	if !sig.Expiration.IsZero() {
		if now := domainauth.Now(v.Clock); now.After(sig.Expiration) {
			res.Status = StatusPermError
			res.Err = fmt.Errorf("%w: x=%d is before %s", ErrExpired, sig.Expiration.Unix(), now.UTC().Format("2006-01-02T15:04:05Z"))
			return false
		}
	}
	key, st, err := v.lookupKey(ctx, name)
	if err != nil {
		res.Status, res.Err = st, err
		return false
	}
	res.Key, res.KeyBits, res.Testing = key, key.Bits(), key.Testing
	if st, err := v.keyFits(key, sig); err != nil {
		res.Status, res.Err = st, err
		return false
	}
	return true
}

// lookupKey fetches and parses the key record (RFC 6376 §6.1.2) at name,
// <selector>._domainkey.<domain> (RFC 6376 §3.6.2.1) as the signature
// writes it: RFC 8616 §3 and §5 let d= and s= be U-labels, and DNS is
// asked in A-labels.
func (v *Verifier) lookupKey(ctx context.Context, name string) (*KeyRecord, Status, error) {
	if v.Resolver == nil {
		return nil, StatusTempError, errors.New("dkim: Verifier has no Resolver")
	}
	name, err := aLabels(name)
	if err != nil {
		// Cannot happen after ParseSignature, which checks d= and s=.
		return nil, StatusPermError, fmt.Errorf("%w: key name: %w", ErrSignatureSyntax, err)
	}
	txts, err := v.Resolver.LookupTXT(ctx, name)
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindOK:
	case domainauth.ErrorKindNotFound:
		return nil, StatusPermError, fmt.Errorf("%w at %s", ErrNoKey, name)
	default:
		return nil, StatusTempError, fmt.Errorf("dkim: looking up key %s: %w", name, domainauth.WrapDNSError(ctx, err))
	}
	switch len(txts) {
	case 0:
		return nil, StatusPermError, fmt.Errorf("%w at %s", ErrNoKey, name)
	case 1:
	default:
		return nil, StatusPermError, fmt.Errorf("%w: %d TXT records at %s", ErrMultipleKeys, len(txts), name)
	}
	key, err := v.parseKey(txts[0])
	if err != nil {
		return nil, StatusPermError, fmt.Errorf("%w (at %s)", err, name)
	}
	return key, StatusPass, nil
}

// parseKey parses a key record through the cache.
func (v *Verifier) parseKey(txt string) (*KeyRecord, error) {
	size := v.KeyCacheSize
	if size < 0 {
		return ParseKeyRecord(txt)
	}
	if size == 0 {
		size = 64
	}
	in := v.getInner()
	in.mu.Lock()
	e, ok := in.keys[txt]
	in.mu.Unlock()
	if ok {
		return e.rec, e.err
	}
	rec, err := ParseKeyRecord(txt)
	in.mu.Lock()
	if in.keys == nil || len(in.keys) >= size {
		in.keys = make(map[string]keyEntry, min(size, 16))
	}
	in.keys[txt] = keyEntry{rec, err}
	in.mu.Unlock()
	return rec, err
}

// keyFits applies the key record's constraints to the signature (RFC 6376
// §6.1.2 steps 6 to 9, RFC 8301).
func (v *Verifier) keyFits(key *KeyRecord, sig *Signature) (Status, error) {
	if key.Revoked() {
		return StatusPermError, ErrKeyRevoked
	}
	if key.KeyType != sig.Algorithm.KeyType() {
		return StatusPermError, fmt.Errorf("%w: k=%s key for an %s signature", ErrKeyMismatch, key.KeyType, sig.Algorithm)
	}
	if !key.AllowsHash(sig.Algorithm.hashName()) {
		return StatusPermError, fmt.Errorf("%w: h=%s excludes %s", ErrKeyMismatch, strings.Join(key.HashAlgorithms, ":"), sig.Algorithm.hashName())
	}
	if !key.ForEmail() {
		return StatusPermError, fmt.Errorf("%w: s=%s does not include email", ErrKeyMismatch, strings.Join(key.Services, ":"))
	}
	if key.NoSubdomains && sig.Identity != "" {
		at := strings.LastIndexByte(sig.Identity, '@')
		// RFC 8616 §3: the domains compare in A-labels, whichever form
		// each is written in (ParseSignature has checked both convert).
		id, _ := aLabels(sig.Identity[at+1:])
		d, _ := aLabels(sig.Domain)
		if !dnsname.Equal(id, d) {
			return StatusPermError, fmt.Errorf("%w: key has t=s but i= is in a subdomain of d=", ErrKeyMismatch)
		}
	}
	if key.KeyType == KeyTypeRSA {
		minBits := max(v.MinRSABits, 1024)
		bits := key.Bits()
		if bits < minBits {
			return StatusPolicy, fmt.Errorf("%w: %d bits, at least %d required", ErrKeyTooShort, bits, minBits)
		}
		if maxBits := max(orDefault(v.MaxRSABits, defaultMaxRSABits), minBits); bits > maxBits {
			return StatusPolicy, fmt.Errorf("%w: %d bits, at most %d accepted", ErrKeyTooLong, bits, maxBits)
		}
	}
	return StatusPass, nil
}

// finish compares the body hash and verifies the signature over the
// header hash (RFC 6376 §6.1.3).
func (v *Verifier) finish(st *verifyState, j *job, fields []field) {
	res, sig := j.res, j.sig
	c := st.canons[j.canon]
	if sig.BodyLength >= 0 {
		if c.n < sig.BodyLength {
			res.Status = StatusFail
			res.Err = fmt.Errorf("%w: l=%d but the canonical body has %d bytes", ErrBodyLength, sig.BodyLength, c.n)
			return
		}
		res.UnsignedBody = c.n - sig.BodyLength
	}
	bh := st.hashes[j.canon].Sum(st.sum[:0])
	if !bytes.Equal(bh, sig.BodyHash) {
		res.Status, res.Err = StatusFail, ErrBodyHash
		return
	}
	digest := headerDigest(st.sum[:0], fields, j.field, sig, &st.hdr)
	var err error
	switch pub := res.Key.PublicKey.(type) {
	case *rsa.PublicKey:
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig.Value)
	case ed25519.PublicKey:
		if !ed25519.Verify(pub, digest, sig.Value) {
			err = errors.New("ed25519: invalid signature")
		}
	}
	if err != nil {
		res.Status, res.Err = StatusFail, fmt.Errorf("%w: %v", ErrBadSignature, err)
		return
	}
	if v.RejectBodyLength && res.UnsignedBody > 0 {
		res.Status = StatusPolicy
		res.Err = fmt.Errorf("%w: %d body bytes after l=%d are not signed", ErrBodyLength, res.UnsignedBody, sig.BodyLength)
		return
	}
	res.Status = StatusPass
}
