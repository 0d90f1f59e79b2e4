package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/domainauth/domainauth/internal/tagvalue"
)

// KeyType is the k= tag of a key record: the public-key algorithm.
type KeyType string

// The key types this package implements.
const (
	KeyTypeRSA     KeyType = "rsa"     // RFC 6376 §3.6.1, the default
	KeyTypeEd25519 KeyType = "ed25519" // RFC 8463 §4
)

// KeyRecord is a DKIM public-key record, the TXT record published at
// <selector>._domainkey.<domain> (RFC 6376 §3.6.1). Unknown tags are ignored
// when parsing and are not kept.
type KeyRecord struct {
	// HashAlgorithms is the h= tag: the hash algorithms the key may be used
	// with ("sha256", "sha1"). Nil means any.
	HashAlgorithms []string
	// KeyType is the k= tag; "" in a record being built means the type of
	// PublicKey.
	KeyType KeyType
	// Notes is the n= tag, decoded from quoted-printable.
	Notes string
	// PublicKey is the p= tag, decoded: *rsa.PublicKey or
	// ed25519.PublicKey. Nil means revoked (an empty p=).
	PublicKey crypto.PublicKey
	// Services is the s= tag: the service types the key may serve
	// ("email", "*"). Nil means any ("*").
	Services []string
	// Testing is the y flag of t=: the domain is testing DKIM, and verifiers
	// must treat its messages as unsigned whatever the result (RFC 6376 §3.6.1).
	Testing bool
	// NoSubdomains is the s flag of t=: the i= domain of a signature must
	// equal its d= domain.
	NoSubdomains bool
}

// NewKeyRecord returns a record publishing pub (*rsa.PublicKey or
// ed25519.PublicKey) with every other tag at its default.
func NewKeyRecord(pub crypto.PublicKey) (*KeyRecord, error) {
	kt, err := keyTypeOf(pub)
	if err != nil {
		return nil, err
	}
	return &KeyRecord{KeyType: kt, PublicKey: pub}, nil
}

func keyTypeOf(pub crypto.PublicKey) (KeyType, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		return KeyTypeRSA, nil
	case ed25519.PublicKey:
		return KeyTypeEd25519, nil
	}
	return "", fmt.Errorf("dkim: unsupported public key type %T", pub)
}

// Revoked reports whether the record has an empty p=, which revokes the key.
func (k *KeyRecord) Revoked() bool { return k.PublicKey == nil }

// Bits returns the key size in bits: the RSA modulus length, 256 for
// Ed25519, 0 for a revoked key.
func (k *KeyRecord) Bits() int {
	switch p := k.PublicKey.(type) {
	case *rsa.PublicKey:
		if p.N == nil {
			return 0
		}
		return p.N.BitLen()
	case ed25519.PublicKey:
		return 8 * len(p)
	}
	return 0
}

// AllowsHash reports whether h= permits the hash algorithm ("sha256").
func (k *KeyRecord) AllowsHash(alg string) bool {
	return k.HashAlgorithms == nil || slices.Contains(k.HashAlgorithms, alg)
}

// ForEmail reports whether s= permits use for email ("email" or "*").
func (k *KeyRecord) ForEmail() bool {
	return k.Services == nil || slices.Contains(k.Services, "email") || slices.Contains(k.Services, "*")
}

// Usable returns nil when the record can verify email signatures in
// principle, or why not: revoked (ErrKeyRevoked), an RSA key under 1024 bits
// (ErrKeyTooShort, RFC 8301 §3.2), or s= without email (ErrKeyMismatch).
func (k *KeyRecord) Usable() error {
	switch {
	case k.Revoked():
		return ErrKeyRevoked
	case k.KeyType == KeyTypeRSA && k.Bits() < 1024:
		return fmt.Errorf("%w: %d bits, RFC 8301 requires at least 1024", ErrKeyTooShort, k.Bits())
	case !k.ForEmail():
		return fmt.Errorf("%w: s=%s does not include email", ErrKeyMismatch, strings.Join(k.Services, ":"))
	}
	return nil
}

// String returns the record in TXT form: v=DKIM1 first, then h, k, n, s, t
// when they differ from the default, and p= last. The public key is written
// as a SubjectPublicKeyInfo for RSA and as the raw 32 bytes for Ed25519
// (RFC 8463 §4). The result parses back to an equal record.
func (k *KeyRecord) String() string {
	var b strings.Builder
	b.WriteString("v=DKIM1")
	if len(k.HashAlgorithms) > 0 {
		b.WriteString("; h=")
		b.WriteString(strings.Join(k.HashAlgorithms, ":"))
	}
	kt := k.KeyType
	if kt == "" && k.PublicKey != nil {
		kt, _ = keyTypeOf(k.PublicKey)
	}
	if kt != "" {
		b.WriteString("; k=")
		b.WriteString(string(kt))
	}
	if k.Notes != "" {
		b.WriteString("; n=")
		b.WriteString(encodeQP(k.Notes, false))
	}
	if len(k.Services) > 0 {
		b.WriteString("; s=")
		b.WriteString(strings.Join(k.Services, ":"))
	}
	switch {
	case k.Testing && k.NoSubdomains:
		b.WriteString("; t=y:s")
	case k.Testing:
		b.WriteString("; t=y")
	case k.NoSubdomains:
		b.WriteString("; t=s")
	}
	b.WriteString("; p=")
	b.WriteString(encodePublicKey(k.PublicKey))
	return b.String()
}

func encodePublicKey(pub crypto.PublicKey) string {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(p)
		if err != nil {
			return ""
		}
		return base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		return base64.StdEncoding.EncodeToString(p)
	}
	return ""
}

// ParseKeyRecord parses a DKIM key record (RFC 6376 §3.6.1): the TXT
// record's strings joined. Unknown tags are ignored; v=, when present, must
// come first and be DKIM1; p= is required (empty means revoked). RSA keys
// are accepted as SubjectPublicKeyInfo (what nearly everyone publishes) and
// as the bare PKCS#1 RSAPublicKey that §3.6.1 literally specifies; Ed25519
// keys are the raw 32 bytes of RFC 8463. A record whose k= is unknown gives
// an error matching ErrKeyUnknownType; other errors match ErrKeySyntax.
// Errors are *KeyRecordError.
func ParseKeyRecord(txt string) (*KeyRecord, error) {
	k := &KeyRecord{KeyType: KeyTypeRSA}
	s := tagvalue.Scanner{Input: txt}
	var seen uint32 // bit per lower-case letter tag, for duplicates
	var others tagSet
	p, pOff, havePub := "", 0, false
	for s.Next() {
		tag, val := s.Tag(), s.Value()
		dup := false
		if len(tag) == 1 && tag[0] >= 'a' && tag[0] <= 'z' {
			bit := uint32(1) << (tag[0] - 'a')
			dup = seen&bit != 0
			seen |= bit
		} else {
			dup = others.add(tag)
		}
		if dup {
			// RFC 6376 §3.2: a duplicated tag invalidates the whole list.
			return nil, keyErr(tag, s.TagOffset(), "duplicate tag", ErrKeySyntax)
		}
		switch tag {
		case "v":
			if s.Index() != 0 {
				return nil, keyErr(tag, s.TagOffset(), "v= must be the first tag", ErrKeySyntax)
			}
			if val != "DKIM1" {
				return nil, keyErr(tag, s.ValueOffset(), fmt.Sprintf("version %q is not DKIM1", val), ErrKeySyntax)
			}
		case "h":
			k.HashAlgorithms = splitList(val)
		case "k":
			switch KeyType(val) {
			case KeyTypeRSA, KeyTypeEd25519:
				k.KeyType = KeyType(val)
			default:
				return nil, keyErr(tag, s.ValueOffset(), fmt.Sprintf("unknown key type %q", val), ErrKeyUnknownType)
			}
		case "n":
			k.Notes = decodeQP(val)
		case "p":
			p, pOff, havePub = val, s.ValueOffset(), true
		case "s":
			k.Services = splitList(val)
		case "t":
			for _, f := range splitList(val) {
				switch f {
				case "y":
					k.Testing = true
				case "s":
					k.NoSubdomains = true
				}
			}
		}
	}
	if err := s.Err(); err != nil {
		te := err.(*tagvalue.Error)
		return nil, keyErr("", te.Offset, te.Msg, ErrKeySyntax)
	}
	if !havePub {
		return nil, keyErr("", len(txt), "no p= tag", ErrKeySyntax)
	}
	if p == "" {
		return k, nil // revoked
	}
	pub, err := decodePublicKey(k.KeyType, p)
	if err != nil {
		return nil, keyErr("p", pOff, err.Error(), ErrKeySyntax)
	}
	k.PublicKey = pub
	return k, nil
}

func keyErr(tag string, off int, msg string, sentinel error) *KeyRecordError {
	return &KeyRecordError{Tag: tag, Offset: off, Msg: msg, Err: sentinel}
}

func decodePublicKey(kt KeyType, p string) (crypto.PublicKey, error) {
	der, err := decodeBase64(p, nil)
	if err != nil {
		return nil, err
	}
	switch kt {
	case KeyTypeEd25519:
		if len(der) == ed25519.PublicKeySize {
			return ed25519.PublicKey(der), nil
		}
		// Tolerate a SubjectPublicKeyInfo, which some tools publish.
		if pub, err := x509.ParsePKIXPublicKey(der); err == nil {
			if ek, ok := pub.(ed25519.PublicKey); ok {
				return ek, nil
			}
		}
		return nil, fmt.Errorf("ed25519 key is %d bytes, want %d", len(der), ed25519.PublicKeySize)
	default:
		if pub, err := x509.ParsePKIXPublicKey(der); err == nil {
			if rk, ok := pub.(*rsa.PublicKey); ok {
				return rk, nil
			}
			return nil, fmt.Errorf("k=rsa but the key is %T", pub)
		}
		rk, err := x509.ParsePKCS1PublicKey(der)
		if err != nil {
			return nil, fmt.Errorf("neither a SubjectPublicKeyInfo nor a PKCS#1 RSA public key")
		}
		return rk, nil
	}
}

// splitList splits a colon-separated tag value (h=, s=, t=), dropping
// folding whitespace around items and empty items. An empty list is nil.
func splitList(v string) []string {
	var out []string
	for {
		i := strings.IndexByte(v, ':')
		item := v
		if i >= 0 {
			item = v[:i]
		}
		if item = trimFWS(item); item != "" {
			if out == nil {
				out = make([]string, 0, strings.Count(v, ":")+1)
			}
			out = append(out, item)
		}
		if i < 0 {
			return out
		}
		v = v[i+1:]
	}
}

// trimFWS removes whitespace (SP, HTAB, CR, LF) from both ends of s.
func trimFWS(s string) string {
	for len(s) > 0 && isFWS(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isFWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isFWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// decodeQP decodes a qp-section (RFC 2045 §6.7 as used by RFC 6376 §2.11):
// =XX is a byte, folding line breaks are dropped, and a malformed = is kept.
func decodeQP(s string) string {
	if !strings.ContainsAny(s, "=\r\n") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\r' || c == '\n':
		case c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// encodeQP is the inverse of decodeQP: everything but printable ASCII other
// than '=' and ';' is written as =XX. With utf8 set, valid non-ASCII UTF-8
// characters are written as they are, as RFC 8616 §5 lets the
// dkim-quoted-printable of internationalised header fields do.
func encodeQP(s string, utf8ok bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c > 0x20 && c < 0x7f && c != '=' && c != ';' {
			b.WriteByte(c)
			continue
		}
		if utf8ok && c >= utf8.RuneSelf {
			if r, size := utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError || size > 1 {
				b.WriteString(s[i : i+size])
				i += size - 1
				continue
			}
		}
		b.WriteByte('=')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' || 'a' <= c && c <= 'f'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// decodeBase64 decodes a base64 tag value that may contain folding
// whitespace. Padding is optional. The result goes in buf when it has
// room for it (see decodeBase64Fast), else in new memory.
func decodeBase64(s string, buf []byte) ([]byte, error) {
	if b, ok := decodeBase64Fast(s, buf); ok {
		return b, nil
	}
	return decodeBase64Slow(s)
}

// b64Value maps a byte of the standard base64 alphabet to its value, any
// other byte to 0xff.
var b64Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// decodeBase64Fast decodes the values signers write (every b= and bh=
// goes through here) in one pass, four characters at a time between folds,
// with no copy to strip the whitespace first. It declines (ok false)
// anything decodeBase64Slow might treat differently or reject: a byte
// outside the alphabet and FWS, misplaced or miscounted padding, a
// dangling character; decodeBase64Slow then decides. It decodes into buf
// when buf has room for three bytes for every four characters of s (FWS
// counted), so that ParseSignature can give it storage allocated with
// the Signature; otherwise into new memory.
func decodeBase64Fast(s string, buf []byte) (out []byte, ok bool) {
	if need := len(s)*3/4 + 3; cap(buf) >= need {
		out = buf[:0]
	} else {
		out = make([]byte, 0, need)
	}
	var acc uint32
	n, pad := 0, 0 // alphabet characters, '=' characters
	for i := 0; i < len(s); {
		if n%4 == 0 && pad == 0 {
			// Whole quanta between folds, written in place.
			o := len(out)
			buf := out[:cap(out)]
			for i+4 <= len(s) && o+3 <= len(buf) {
				w := s[i : i+4]
				a, b, c, d := b64Value[w[0]], b64Value[w[1]], b64Value[w[2]], b64Value[w[3]]
				if a|b|c|d >= 64 {
					break
				}
				q := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
				r := buf[o : o+3]
				r[0], r[1], r[2] = byte(q>>16), byte(q>>8), byte(q)
				o += 3
				i += 4
			}
			if o > len(out) {
				n += (o - len(out)) / 3 * 4
				out = out[:o]
				continue
			}
		}
		ch := s[i]
		i++
		if v := b64Value[ch]; v != 0xff {
			if pad > 0 {
				return nil, false
			}
			acc = acc<<6 | uint32(v)
			if n++; n%4 == 0 {
				out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			}
			continue
		}
		switch {
		case ch == '=':
			pad++
		case isFWS(ch):
		default:
			return nil, false
		}
	}
	// Accepted as decodeBase64Slow accepts them: no padding, or exactly
	// the padding that completes the last quantum.
	switch r := n % 4; {
	case r == 1, pad != 0 && (r == 0 || pad != 4-r):
		return nil, false
	case r == 2:
		out = append(out, byte(acc>>4))
	case r == 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out, true
}

// decodeBase64Slow is decodeBase64 for any input, with the error messages.
func decodeBase64Slow(s string) ([]byte, error) {
	var stack [768]byte
	src := stack[:0]
	// Copy the runs between whitespace; base64 characters are all above SP.
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] > ' ' {
			j++
		}
		src = append(src, s[i:j]...)
		for j < len(s) && isFWS(s[j]) {
			j++
		}
		if j < len(s) && s[j] <= ' ' {
			return nil, fmt.Errorf("invalid base64: control character at offset %d", j)
		}
		i = j
	}
	enc := base64.StdEncoding
	if len(src)%4 != 0 {
		enc = base64.RawStdEncoding
		for len(src) > 0 && src[len(src)-1] == '=' {
			src = src[:len(src)-1]
		}
	}
	dst := make([]byte, enc.DecodedLen(len(src)))
	n, err := enc.Decode(dst, src)
	if err != nil {
		return nil, fmt.Errorf("invalid base64: %v", err)
	}
	return dst[:n], nil
}

// GenerateRSAKey creates an RSA signing key and the key record that
// publishes its public half, for a selector the caller owns (BYODKIM).
// bits is the modulus size: 0 means 2048, less than 1024 is refused with
// ErrKeyTooShort (RFC 8301 §3.2). random may be nil for crypto/rand.
// There is one function per key type, so that no argument is meaningless
// for one of them; GenerateEd25519Key is the other.
func GenerateRSAKey(random io.Reader, bits int) (*rsa.PrivateKey, *KeyRecord, error) {
	if random == nil {
		random = rand.Reader
	}
	if bits == 0 {
		bits = 2048
	}
	if bits < 1024 {
		return nil, nil, fmt.Errorf("%w: %d bits, RFC 8301 requires at least 1024", ErrKeyTooShort, bits)
	}
	priv, err := rsa.GenerateKey(random, bits)
	if err != nil {
		return nil, nil, fmt.Errorf("dkim: generating RSA key: %w", err)
	}
	return priv, &KeyRecord{KeyType: KeyTypeRSA, PublicKey: &priv.PublicKey}, nil
}

// GenerateEd25519Key creates an Ed25519 signing key (RFC 8463) and the key
// record that publishes its public half. random may be nil for
// crypto/rand.
func GenerateEd25519Key(random io.Reader) (ed25519.PrivateKey, *KeyRecord, error) {
	if random == nil {
		random = rand.Reader
	}
	pub, priv, err := ed25519.GenerateKey(random)
	if err != nil {
		return nil, nil, fmt.Errorf("dkim: generating Ed25519 key: %w", err)
	}
	return priv, &KeyRecord{KeyType: KeyTypeEd25519, PublicKey: pub}, nil
}
