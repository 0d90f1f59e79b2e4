package dkim

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/domainauth/domainauth"
)

// Signer adds DKIM signatures (RFC 6376 §5) with RSA-SHA256 or
// Ed25519-SHA256 (RFC 8463). A Signer with Domain, Selector and Key is ready
// to use and safe for concurrent use.
type Signer struct {
	// Domain is d=, the signing domain. Required. It may be written in
	// U-labels, as RFC 8616 §5 recommends for internationalised mail; it
	// is signed as written, and verifiers look the key up in A-labels.
	Domain string
	// Selector is s=: the key record is at <Selector>._domainkey.<Domain>
	// (in A-labels). Required; U-labels allowed as in Domain.
	Selector string
	// Key signs: an *rsa.PrivateKey of at least 1024 bits (RFC 8301 §3.2;
	// 2048 recommended), an ed25519.PrivateKey, or any crypto.Signer whose
	// public key is one of those. Required.
	Key crypto.Signer

	// Identity is i=, the agent or user the signature stands for, such as
	// "@mail.example.org" or "alice@example.org". Its domain must be Domain
	// or below it, compared in A-labels. It may have a UTF-8 local part and
	// U-labels (RFC 8616 §5), which are written unquoted; it must be valid
	// UTF-8. If empty, i= is left out (meaning "@" plus Domain).
	Identity string
	// Headers is h=, the field names to sign, in order. A name listed once
	// more than the message has instances of it is "oversigned": no one can
	// add such a field without breaking the signature (RFC 6376 §8.15).
	// If nil, the fields that RFC 6376 §5.4.1 recommends which the message
	// has, and a second, oversigning entry for From, To, Cc, Subject,
	// Reply-To, Date, Message-ID, MIME-Version, the Content-* and List-Unsubscribe
	// fields, In-Reply-To and References.
	Headers []string
	// HeaderCanon and BodyCanon are c=. If zero, CanonicalizationRelaxed.
	HeaderCanon, BodyCanon Canonicalization
	// BodyLength adds l= with the length of the whole canonical body. It
	// lets mailing lists append to the body without breaking the signature,
	// and lets anyone else do so too (RFC 6376 §8.2): leave it off unless needed.
	BodyLength bool
	// Expiration, if positive, adds x= that far after t=.
	Expiration time.Duration
	// Clock gives t=. If nil, the system clock.
	Clock domainauth.Clock
	// MaxHeaderBytes bounds the header section read. If zero, 256 KiB.
	MaxHeaderBytes int
}

// recommended lists the fields RFC 6376 §5.4.1 suggests signing, plus
// List-Unsubscribe-Post (RFC 8058 §4 requires it signed), with whether an
// extra oversigning entry is added.
var recommended = [...]struct {
	name     string
	oversign bool
}{
	{"from", true}, {"reply-to", true}, {"subject", true}, {"date", true},
	{"to", true}, {"cc", true}, {"resent-date", false}, {"resent-from", false},
	{"resent-to", false}, {"resent-cc", false}, {"in-reply-to", true},
	{"references", true}, {"list-id", false}, {"list-help", false},
	{"list-unsubscribe", true}, {"list-unsubscribe-post", true},
	{"list-subscribe", false}, {"list-post", false}, {"list-owner", false},
	{"list-archive", false}, {"message-id", true}, {"mime-version", true},
	{"content-type", true}, {"content-transfer-encoding", true},
}

// Sign reads a message (CRLF or bare LF line ends) and returns the
// DKIM-Signature field to prepend to it, folded, ending in CRLF. A message
// without a From field is refused (ErrNoFrom).
func (s *Signer) Sign(msg io.Reader) (string, error) {
	sig, alg, err := s.template()
	if err != nil {
		return "", err
	}
	rd := reader{r: msg, buf: make([]byte, 0, 8<<10), maxHdr: orDefault(s.MaxHeaderBytes, defaultMaxHeaderBytes), maxLine: defaultMaxLineBytes}
	hdr, rest, err := rd.readHeader(context.Background())
	if err != nil {
		return "", err
	}
	fields := fieldsAt(hdr, rd.starts, make([]field, 0, len(rd.starts)))
	if !hasField(fields, "from") {
		return "", ErrNoFrom
	}
	sig.Algorithm = alg
	sig.Headers = s.Headers
	if sig.Headers == nil {
		sig.Headers = recommendedHeaders(fields)
	} else if !hasFrom(sig.Headers) {
		return "", fmt.Errorf("dkim: Signer.Headers must include From (RFC 6376 §5.4)")
	} else {
		for _, name := range sig.Headers {
			if !isFieldName(name) {
				return "", fmt.Errorf("dkim: Signer.Headers: %q is not a header field name", name)
			}
		}
	}
	bh := sha256.New()
	canon := newBodyCanon(sig.BodyCanon == CanonicalizationRelaxed, bh, -1)
	if err := rd.readBody(context.Background(), rest, func(p []byte) { canon.Write(p) }); err != nil {
		return "", err
	}
	n := canon.finish()
	if s.BodyLength {
		sig.BodyLength = n
	}
	sig.BodyHash = bh.Sum(nil)

	var b strings.Builder
	b.Grow(1024)
	b.WriteString("DKIM-Signature:")
	sig.writeFolded(&b)
	raw := b.String() + "\r\n"
	f := field{name: "DKIM-Signature", raw: raw, colon: len("DKIM-Signature")}
	sig.bStart, sig.bEnd = len(f.value()), len(f.value())
	var sum [sha256.Size]byte
	digest := headerDigest(sum[:0], fields, &f, sig, &headerCanon{buf: make([]byte, 0, len(hdr)+len(raw))})
	value, err := signDigest(s.Key, alg, digest)
	if err != nil {
		return "", err
	}
	b.WriteString(foldBase64(encodeB64(value), len("b=")))
	b.WriteString("\r\n")
	return b.String(), nil
}

// template checks the Signer's settings and returns a Signature holding
// them, and the algorithm the key implies.
func (s *Signer) template() (*Signature, Algorithm, error) {
	if msg := checkDomain(s.Domain, false); msg != "" {
		return nil, 0, fmt.Errorf("dkim: Signer.Domain: %s", msg)
	}
	if msg := checkDomain(s.Selector, true); msg != "" {
		return nil, 0, fmt.Errorf("dkim: Signer.Selector: %s", msg)
	}
	if s.Key == nil {
		return nil, 0, errors.New("dkim: Signer.Key is nil")
	}
	var alg Algorithm
	switch pub := s.Key.Public().(type) {
	case *rsa.PublicKey:
		bits := 0
		if pub != nil && pub.N != nil {
			bits = pub.N.BitLen()
		}
		if bits < 1024 {
			return nil, 0, fmt.Errorf("%w: %d bits, RFC 8301 requires at least 1024", ErrKeyTooShort, bits)
		}
		alg = AlgorithmRSASHA256
	case ed25519.PublicKey:
		alg = AlgorithmEd25519SHA256
	default:
		return nil, 0, fmt.Errorf("dkim: unsupported signing key %T", pub)
	}
	if s.Identity != "" {
		// RFC 8616 §5: a UTF-8 local part and U-labels are allowed; the
		// domain is compared with Domain in A-labels.
		if msg := checkIdentity(s.Identity, s.Domain); msg != "" {
			return nil, 0, fmt.Errorf("dkim: Signer.Identity %q: %s (RFC 6376 §3.5 i=)", s.Identity, msg)
		}
	}
	now := domainauth.Now(s.Clock).Truncate(time.Second).UTC()
	sig := &Signature{
		HeaderCanon: orRelaxed(s.HeaderCanon),
		BodyCanon:   orRelaxed(s.BodyCanon),
		Domain:      s.Domain,
		Selector:    s.Selector,
		Identity:    s.Identity,
		BodyLength:  -1,
		Timestamp:   now,
	}
	if s.Expiration > 0 {
		sig.Expiration = now.Add(s.Expiration.Round(time.Second))
		if !sig.Expiration.After(now) {
			sig.Expiration = now.Add(time.Second)
		}
	}
	return sig, alg, nil
}

func orRelaxed(c Canonicalization) Canonicalization {
	if c == CanonicalizationSimple {
		return CanonicalizationSimple
	}
	return CanonicalizationRelaxed
}

func hasField(fields []field, name string) bool {
	for i := range fields {
		if equalFold(fields[i].name, name) {
			return true
		}
	}
	return false
}

func recommendedHeaders(fields []field) []string {
	names := make([]string, 0, 24)
	for _, r := range recommended {
		n := 0
		for i := range fields {
			if equalFold(fields[i].name, r.name) {
				n++
			}
		}
		if r.oversign {
			n++
		}
		for range n {
			names = append(names, r.name)
		}
	}
	return names
}

// headerDigest appends to dst the SHA-256 of the canonicalised signed
// fields and the signature field f with its b= value removed (RFC 6376
// §3.7), canonicalising into hc's reused buffer.
func headerDigest(dst []byte, fields []field, f *field, sig *Signature, hc *headerCanon) []byte {
	hc.buf = hc.buf[:0]
	hc.signedFields(fields, sig.Headers, sig.HeaderCanon)
	hc.add(f, sig.HeaderCanon, sig)
	sum := sha256.Sum256(hc.buf)
	return append(dst, sum[:]...)
}

func signDigest(key crypto.Signer, alg Algorithm, digest []byte) ([]byte, error) {
	var opts crypto.SignerOpts = crypto.SHA256
	if alg == AlgorithmEd25519SHA256 {
		// RFC 8463 §3: PureEdDSA over the SHA-256 digest.
		opts = crypto.Hash(0)
	}
	v, err := key.Sign(rand.Reader, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("dkim: signing: %w", err)
	}
	return v, nil
}

// writeFolded writes every tag but b='s value, folding lines before 78
// columns, and ends with a line holding "b=". No line ends in whitespace.
func (s *Signature) writeFolded(b *strings.Builder) {
	var flat strings.Builder
	flat.Grow(512)
	s.writeTags(&flat, "; ")
	col := len("DKIM-Signature:")
	fold := func(n int) {
		if col+1+n > 78 {
			b.WriteString("\r\n\t")
			col = 1
		} else {
			b.WriteByte(' ')
			col++
		}
	}
	for tag := range strings.SplitSeq(strings.TrimSuffix(flat.String(), "; "), "; ") {
		if strings.HasPrefix(tag, "h=") && col+1+len(tag) > 78 {
			// A long h= folds between names (FWS is allowed around ':').
			names := strings.Split(tag[2:], ":")
			fold(2 + len(names[0]))
			b.WriteString("h=" + names[0])
			col += 2 + len(names[0])
			for _, name := range names[1:] {
				if col+1+len(name)+1 > 78 {
					b.WriteString("\r\n\t")
					col = 1
				}
				b.WriteString(":" + name)
				col += 1 + len(name)
			}
			b.WriteByte(';')
			col++
			continue
		}
		fold(len(tag) + 1)
		b.WriteString(tag)
		b.WriteByte(';')
		col += len(tag) + 1
	}
	b.WriteString("\r\n\tb=")
}

// foldBase64 folds a base64 value into lines of at most 72 characters after
// the first, which starts at column first.
func foldBase64(s string, first int) string {
	var b strings.Builder
	width := 72 - first
	for len(s) > width {
		b.WriteString(s[:width])
		b.WriteString("\r\n\t")
		s = s[width:]
		width = 72
	}
	b.WriteString(s)
	return b.String()
}
