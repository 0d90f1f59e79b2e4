package bimi

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// ErrNoLogotype means the certificate has no logotype extension, or one
// without a subject logo given directly as a data: URI.
var ErrNoLogotype = errors.New("bimi: no embedded subject logo")

// CertificateLogo returns the Mark Representation embedded in a Mark
// Certificate: the first image of the subject logo of its logotype
// extension (RFC 3709 §4.1), which the MC Guidelines have be a data: URI
// holding the SVG (usually gzip-compressed, RFC 6170 §5.2). The bytes are
// returned as embedded (gzip or not); mediaType is the LogotypeDetails
// media type. The extension is read with encoding/asn1; the URI is decoded
// only when it is base64 and at most DefaultMaxCertBytes long.
func CertificateLogo(c *x509.Certificate) (logo []byte, mediaType string, err error) {
	var ext []byte
	for _, e := range c.Extensions {
		if e.Id.Equal(OIDLogotype) {
			ext = e.Value
		}
	}
	if ext == nil {
		return nil, "", ErrNoLogotype
	}
	bad := func(what string) error { return fmt.Errorf("%w: logotype extension: %s", ErrNoLogotype, what) }
	// LogotypeExtn ::= SEQUENCE { ..., subjectLogo [2] EXPLICIT LogotypeInfo OPTIONAL, ... }
	top, ok := derChild(ext, 0, asn1.TagSequence, true)
	if !ok {
		return nil, "", bad("not a SEQUENCE")
	}
	var subject []byte
	for rest := top; len(rest) > 0; {
		var v asn1.RawValue
		r, err := asn1.Unmarshal(rest, &v)
		if err != nil {
			return nil, "", bad(err.Error())
		}
		rest = r
		if v.Class == asn1.ClassContextSpecific && v.Tag == 2 {
			subject = v.Bytes
		}
	}
	if subject == nil {
		return nil, "", bad("no subjectLogo")
	}
	// LogotypeInfo ::= CHOICE { direct [0] LogotypeData, indirect [1] ... }
	// (IMPLICIT TAGS: [0] replaces LogotypeData's SEQUENCE tag).
	direct, ok := derChild(subject, asn1.ClassContextSpecific, 0, true)
	if !ok {
		return nil, "", bad("subjectLogo is not direct")
	}
	// LogotypeData ::= SEQUENCE { image SEQUENCE OF LogotypeImage OPTIONAL, ... }
	images, ok := derChild(direct, 0, asn1.TagSequence, true)
	if !ok {
		return nil, "", bad("no image")
	}
	// LogotypeImage ::= SEQUENCE { imageDetails LogotypeDetails, ... }
	image, ok := derChild(images, 0, asn1.TagSequence, true)
	if !ok {
		return nil, "", bad("empty image list")
	}
	details, ok := derChild(image, 0, asn1.TagSequence, true)
	if !ok {
		return nil, "", bad("no imageDetails")
	}
	// LogotypeDetails ::= SEQUENCE { mediaType IA5String,
	//   logotypeHash SEQUENCE OF HashAlgAndValue, logotypeURI SEQUENCE OF IA5String }
	var mt, hashes, uris asn1.RawValue
	rest, err := asn1.Unmarshal(details, &mt)
	if err == nil {
		rest, err = asn1.Unmarshal(rest, &hashes)
	}
	if err == nil {
		_, err = asn1.Unmarshal(rest, &uris)
	}
	if err != nil || mt.Tag != asn1.TagIA5String || uris.Tag != asn1.TagSequence {
		return nil, "", bad("malformed LogotypeDetails")
	}
	uri, ok := derChild(uris.Bytes, 0, asn1.TagIA5String, false)
	if !ok {
		return nil, "", bad("no logotypeURI")
	}
	s := string(uri)
	comma := strings.IndexByte(s, ',')
	if !strings.HasPrefix(s, "data:") || comma < 0 || !strings.HasSuffix(s[:comma], ";base64") {
		return nil, "", bad("the logotypeURI is not a base64 data: URI")
	}
	if len(s)-comma > DefaultMaxCertBytes {
		return nil, "", bad("the embedded logo is too large")
	}
	logo, err = base64.StdEncoding.DecodeString(s[comma+1:])
	if err != nil {
		return nil, "", bad("the data: URI is not valid base64")
	}
	return logo, string(mt.Bytes), nil
}

// derChild returns the contents of the first DER element of b if it has
// the given class, tag and form.
func derChild(b []byte, class, tag int, compound bool) ([]byte, bool) {
	var v asn1.RawValue
	if _, err := asn1.Unmarshal(b, &v); err != nil {
		return nil, false
	}
	if v.Class != class || v.Tag != tag || v.IsCompound != compound {
		return nil, false
	}
	return v.Bytes, true
}

// sameLogo reports whether two logos are the same document once SVGZ is
// decompressed (draft -12 §7.8: the l= Indicator must be identical to the
// one in the evidence document).
func sameLogo(a, b []byte, limit int) bool {
	plain := func(x []byte) []byte {
		if len(x) >= 2 && x[0] == 0x1f && x[1] == 0x8b {
			if p, err := gunzip(x, limit); err == nil {
				return p
			}
		}
		return x
	}
	return bytes.Equal(plain(a), plain(b))
}
