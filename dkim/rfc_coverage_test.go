package dkim

// RFC requirement coverage for package dkim: every MUST / MUST NOT / SHOULD
// of RFC 6376 (§3.1-3.7, §5 as far as the Signer goes, §6, §8), RFC 8301 and
// RFC 8463 that binds a verifier, a signer, the key-record parser or the
// signature parser, and the test that checks it. Tests in this file are
// marked (*); the others live in the *_test.go file of the same topic.
//
// §      requirement (own words)                                   test
// ------ --------------------------------------------------------- -------------------------------------------
// 3.2    tags are case-sensitive ("V=1" is not v=)                  TestRFCVerify/3.2-tag-names-case-sensitive (*)
// 3.2    a duplicated tag invalidates the whole tag-list (unknown   TestParseSignature/§3.2: duplicate tag, TestParseKeyRecord/§3.2: duplicate tag,
//        tags too)                                                 TestRFCParseSignature/3.2-duplicate-unknown-tag* (*), TestRFCParseKeyRecord (*)
// 3.2    unrecognised tags are ignored                             TestParseSignature/unknown tags ignored, TestParseKeyRecord/unknown tags ignored
// 3.2    an empty value is not an omitted tag                       TestRFCParseSignature/3.2-empty-* (*)
// 3.5    ... but unknown signature tags are covered by the hash     TestRFCVerify/3.5-unknown-tag-signed, .../3.5-unknown-tag-altered (*)
// 3.2    whitespace inside a value is kept unless the tag says not  TestParseSignature/h= with FWS, TestQP
// 3.3    rsa-sha256 verifies; Ed25519-SHA256 verifies (RFC 8463 §5) TestVerifyStatuses/pass rsa, /pass ed25519, TestConformanceVerify
// 3.3    RSA key of 1024 to 4096 bits verifies (RFC 8301 §3.2)      TestRFCVerify/8301-3.2-4096-bit-key (*), TestConformanceVerify (1024 bits)
// 3.3    hash not truncated; signer uses e=65537                   TestSignDeterministic (b= equals the published vectors), TestRFCSigner/3.3-e-65537 (*)
// 3.4    unknown c= algorithm: signature ignored (permerror)       TestParseSignature/§3.5 c=: unknown
// 3.4.1  simple header: fields as they are, no case/WSP change     TestHeaderCanon/§3.4.5 A, /§3.4.5 B
// 3.4.2  relaxed header: lower-case name, unfold, WSP runs to SP,  TestHeaderCanon, TestRFCVerify/3.4.2-relaxed-dkim-signature-whitespace (*)
//        no WSP at ends of value or around ':', CRLF kept
// 3.4.3  simple body: trailing empty lines dropped, empty -> CRLF   TestBodyCanon, TestBodyCanonRandom
// 3.4.4  relaxed body: trailing WSP dropped, WSP runs to SP, CRLF   TestBodyCanon/§3.4.5 example, /only whitespace lines
//        kept, trailing empty lines dropped, CRLF added if missing
// 3.4.5  the RFC's canonicalisation examples                      TestBodyCanon/§3.4.5 example, TestHeaderCanon/§3.4.5 A|B
// 3.5    v= is required and must be exactly "1"                    TestParseSignature/§3.5 v=: must be 1, TestRFCVerify/3.5-v-1.0 (*)
// 3.5    a=, b=, bh=, d=, h=, s= are required                       TestParseSignature/§6.1.1: ..., TestVerifyStatuses/§6.1.1: required bh= missing
// 3.5    b= and bh=: whitespace ignored when reassembling           TestParseSignature/folded b= with spaces, TestRFCVerify/3.5-b-folded-mid-field (*)
// 3.5    d=, s=: domain names (U-labels allowed by RFC 8616 §5);    TestParseSignature/§3.5 d=: ..., TestRFCVerify/3.5-d-U-label,
//        anything else ignored                                     TestRFCVerify/3.5-d-invalid-U-label (*), TestRFC8616Section5
// 3.5    h= must not be empty; entries are field names               TestRFCParseSignature/3.5-h-empty, /3.5-h-name-* (*), TestRFCSigner/3.5-h-names-are-field-names (*)
// 3.5    h= names compared case-insensitively                       TestRFCVerify/3.5-h-FROM-upper-case (*)
// 3.5    h= entries with no field sign the null string             TestSignedFields, TestRFCVerify/5.4-missing-field-null, /5.4-missing-field-added (*)
// 3.5    i= domain is d= or a subdomain of it                       TestParseSignature/§3.5 i=: ..., TestRFCVerify/3.5-i-parent-of-d, /3.5-i-case (*)
// 3.5    l= at most 76 digits, checked for overflow                 TestRFCParseSignature/3.5-l-77-digits, /3.5-l-overflow (*)
// 3.5    l= must not exceed the canonical body                      TestBodyLength, TestRFCVerify/3.5-l-longer-than-body (*)
// 3.5    q= must include dns/txt; unknown methods ignored           TestParseSignature/§3.5 q=: no dns/txt, TestRFCVerify/3.5-q-unknown-method (*)
// 3.5    t=, x=: decimal, at most 12 digits                         TestParseSignature/§3.5 t=: over 12 digits
// 3.5    x= must be greater than t=                                 TestParseSignature/§3.5 x=: not after t=, TestRFCParseSignature/3.5-x-equals-t (*)
// 3.5    x= in the past: signature may be refused (permerror)      TestVerifyStatuses/§3.5 x=: expired
// 3.5    t= in the future: MAY be refused; accepted here (doc.go)  (no test: a MAY)
// 3.5    z= is diagnostic only: parsed, kept, never verified       TestParseSignature/t=, x=, l=, q=, z=, TestSignatureString
// 3.6.1  key v= optional, first when present, exactly DKIM1        TestParseKeyRecord/§3.6.1: v= ..., TestRFCVerify/3.6.1-key-v-not-first, /3.6.1-key-v-DKIM2 (*)
// 3.6.1  key h=: hash of a= must be listed; unknown ones ignored   TestVerifyStatuses/§6.1.2: h= excludes sha256, TestRFCVerify/3.6.1-key-h-* (*)
// 3.6.1  key k=: rsa by default; must match a=; unknown refused    TestVerifyStatuses/§6.1.2: k= does not fit a=, /§3.6.1: unknown k=, TestRFCVerify/3.6.1-key-no-k-ed25519 (*)
// 3.6.1  key p=: required; empty means revoked                     TestParseKeyRecord/§3.6.1: p= required, TestVerifyStatuses/§3.6.1: revoked key
// 3.6.1  key s=: "email" or "*" needed; unknown types ignored      TestVerifyStatuses/§3.6.1: s= without email, TestRFCVerify/3.6.1-key-s-* (*)
// 3.6.1  key t=y: treated as unsigned (reported as Testing)        TestVerifyStatuses/§3.6.1: t=y is reported
// 3.6.1  key t=s: i= domain must equal d= exactly                  TestVerifyStatuses/§3.6.1: t=s ..., TestRFCVerify/3.6.1-key-t-s-* (*)
// 3.6.1  key t=: unknown flags ignored                             TestParseKeyRecord/all tags (t=y:s:z), TestRFCVerify/3.6.1-key-t-unknown-flag (*)
// 3.6.1  key tags case-sensitive, unknown tags (g=, x=) ignored    TestParseKeyRecord/unknown tags ignored, TestRFCParseKeyRecord (*),
//                                                                  TestRFCVerify/3.6.1-key-tag-case-sensitive (*)
// 3.6.2.2 TXT strings joined; one key record per name              TestVerifyStatuses/two key records (the Resolver joins strings)
// 3.7    body hash, then header hash over the h= fields and the    TestSignVerifyRoundTrip, TestConformanceVerify
//        DKIM-Signature with b= emptied, no final CRLF
// 3.7    b= value removed with its whitespace, wherever b= stands   TestRFCVerify/3.5-b-folded-mid-field, /3.7-b-first-simple (*)
// 3.7    unknown tags of the signature stay in the hash            TestRFCVerify/3.5-unknown-tag-altered (*)
// 5.3    signer converts bare LF to CRLF before hashing             TestSignVerifyRoundTrip/*/bare-lf (LF -> CRLF in transit still passes)
// 5.3    signer: rsa-sha256 (never rsa-sha1), keys >= 1024 bits     TestRFCSigner/8301-* (*), TestSignerRefuses
// 5.4    From must be signed                                       TestSignerRefuses/no From, /h= without From, TestParseSignature/§5.4: h= must include From
// 5.4.1  signer SHOULD sign the recommended fields (and oversign)  TestSignerHeaders
// 8301 3.2 signer SHOULD use >= 2048 bits                          GenerateRSAKey defaults to 2048 (TestGenerateKey checks it and the 1024 floor)
// 5.4.2  several instances of a field: signed bottom-up            TestSignedFields, TestSignerHeaders, TestRFCVerify/5.4.2-* (*)
// 5.5    l= counted after canonicalisation                          TestBodyLength, TestSignVerifyRoundTrip/*/l=true
// 5.5    x= after t=, both from the Clock                           TestSignerHeaders, TestRFCSigner/3.5-x-after-t (*)
// 5.6    the field is prepended; b= may be folded                   TestSignVerifyRoundTrip, TestSignerHeaders (lines <= 78)
// 6.1    each signature gets its own result, others go on           TestVerifyMaxSignatures, TestConformanceVerify (rfc8463-a3: two)
// 6.1.1  malformed signature: permerror, no DNS query              TestVerifyStatuses/§3.5 d=: not a domain name, no DNS query
// 6.1.1  h= without From: permerror                                TestParseSignature/§5.4: h= must include From
// 6.1.2  DNS failure: temperror; no record: permerror              TestVerifyStatuses/§6.1.2: ...
// 6.1.2  key syntax error / v= not implemented: permerror          TestVerifyStatuses/§3.6.1: malformed key record, TestRFCVerify/3.6.1-key-v-DKIM2 (*)
// 6.1.2  revoked key: permerror                                    TestVerifyStatuses/§3.6.1: revoked key
// 6.1.2  key unsuitable for a=/k=: permerror                       TestVerifyStatuses/§6.1.2: k= does not fit a=
// 6.1.3  h= names matched case-insensitively                        TestRFCVerify/3.5-h-FROM-upper-case (*)
// 6.1.3  bh= mismatch and b= mismatch are told apart               TestSignTampering/bh= altered, /b= altered, TestRFCVerify/6.1.3-* (*)
// 8.2    l= content appended is reported, can be refused            TestBodyLength, TestRFCVerify/3.5-l-zero (*)
// 8.4    bounded work: signatures, header, line length, key size   TestVerifyMaxSignatures, TestVerifyMessageErrors, TestRFCVerify/8.4-* (*),
//        and h= size                                                TestRFCSignedFieldsLarge (*)
// 8.8    malformed key records never panic                         FuzzParseKeyRecord, TestParseKeyRecord
// 8.9    malformed signature fields never panic                    FuzzParseSignature, FuzzVerify
// 8301 3.1 rsa-sha1 never verifies                                  TestVerifyStatuses/RFC 8301 §3.1: rsa-sha1
// 8301 3.2 RSA keys under 1024 bits never valid                     TestRFCVerify/8301-3.2-512-bit-key, /8301-3.2-1023-bit-key (*)
// 8463 3 Ed25519 signs the SHA-256 header hash (PureEdDSA)          TestConformanceVerify (rfc8463-a3), TestSignDeterministic
// 8463 4.2 p= is the raw 32-byte Ed25519 key                        TestParseKeyRecord/RFC 8463 A.2 ed25519
// 8601 2.7.1 dkim= with header.d, header.s, header.i, header.b      TestAuthResult, TestRFCAuthResults (*)
//        (header.b at least 8 characters, unique per message)
// 8616 3 U-labels become A-labels before the DNS query             TestRFC8616Section5Verify (queried names), FuzzVerify (only ASCII asked),
//        (the key name <s>._domainkey.<d>)                          FuzzParseSignature (key name converts)
// 8616 5 dkim-safe-char takes UTF-8: i= UTF-8 unquoted; QP still   TestRFC8616Section5Parse/§5 i= *, TestRFC8616Section5Verify/§5 i= *
//        decodes; invalid UTF-8 refused
// 8616 5 d=, i=, s= may be U-labels (SHOULD); A-labels still valid  TestRFC8616Section5Verify/§5 d=*, /§5 s=*, TestRFCVerify/3.5-d-U-label
// 8616 5 i= local part in UTF-8 (RFC 6532 §3.2)                     TestRFC8616Section5Verify/§5 i= UTF-8 local part*, TestInteropPythonDKIM
// 8616 5 i= within d= compared after conversion (also key t=s)      TestRFC8616Section5Parse/§3 i= domain outside*, /§5 i= A-label*,
//                                                                  TestRFC8616Section5Verify/§5 i= U-label subdomain*
// 8616 5 invalid U-labels refused, naming tag and offset; no DNS    TestRFC8616Section5Parse (refused cases), TestRFC8616Section5Signer
// 8616 5 the hash MUST use the domain as it occurs in the field     TestRFC8616Section5Verify/§5 the hash covers d= as written*, /... i= as written*
// 8616 5 relaxed header canonicalisation: ASCII case conversion     TestRFC8616Section5HeaderCanon, TestRFC8616Section5Verify/§5 relaxed*
// 8616 5 key records unchanged (ASCII only)                         TestRFC8616Section5KeyRecord
// 8616 5 interoperates with another implementation (python3-dkim) TestInteropPythonDKIM

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/authres"
)

// signTemplate returns msg (CRLF line ends, with a body) with a
// DKIM-Signature field prepended. tmpl is the whole field, name, colon and
// final CRLF included, written as the test wants it (odd spacing, tag
// order, unknown tags); in it "{bh}" becomes the body hash and "{b}" the
// signature, passed through bfmt when that is not nil (to fold it). A
// template that does not parse gets placeholder hashes, for the tests of
// malformed fields.
func signTemplate(t *testing.T, key crypto.Signer, tmpl, msg string, bfmt func(string) string) string {
	t.Helper()
	_, body, ok := strings.Cut(msg, "\r\n\r\n")
	if !ok {
		t.Fatal("signTemplate: message without an empty line")
	}
	_, probe, _ := strings.Cut(strings.NewReplacer("{bh}", "YQ==", "{b}", "").Replace(tmpl), ":")
	sig, err := ParseSignature(strings.TrimSuffix(probe, "\r\n"))
	if err != nil {
		return strings.NewReplacer("{bh}", "YQ==", "{b}", "YQ==").Replace(tmpl) + msg
	}
	h := sha256.New()
	c := newBodyCanon(sig.BodyCanon == CanonicalizationRelaxed, h, sig.BodyLength)
	c.Write([]byte(body))
	c.finish()
	tmpl = strings.ReplaceAll(tmpl, "{bh}", encodeB64(h.Sum(nil)))
	unsigned := strings.ReplaceAll(tmpl, "{b}", "") + msg
	fields := splitFields(unsigned[:strings.Index(unsigned, "\r\n\r\n")+2], nil)
	sig, err = ParseSignature(fields[0].value())
	if err != nil {
		t.Fatalf("signTemplate: %v", err)
	}
	digest := headerDigest(nil, fields, &fields[0], sig, &headerCanon{})
	b, err := signDigest(key, sig.Algorithm, digest)
	if err != nil {
		t.Fatal(err)
	}
	bs := encodeB64(b)
	if bfmt != nil {
		bs = bfmt(bs)
	}
	return strings.ReplaceAll(tmpl, "{b}", bs) + msg
}

// rsaRecordBits returns a key record holding an RSA public key of the
// given size. The modulus is not a product of two primes: the record is
// for the size checks, which come before any use of the key.
func rsaRecordBits(t *testing.T, bits int) string {
	t.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	n.Add(n, big.NewInt(0x10001))
	der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n, E: 65537})
	if err != nil {
		t.Fatal(err)
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
}

// rsa4096 is a 4096-bit test key, kept here because generating one takes
// seconds under -race. RFC 8301 §3.2: verifiers must handle 1024 to 4096 bits.
const rsa4096PEM = `
-----BEGIN PRIVATE KEY-----
MIIJQgIBADANBgkqhkiG9w0BAQEFAASCCSwwggkoAgEAAoICAQCizgGOUjC3US4r
pA0acXbyI8oy8KHeOPExdvyXv7YT31RBm/MQXdgbWdPJxZDvuqNnyOJH8B4JLGU1
fuASx6X6aJwxBkOiXSQ/1mknR609AOTjkaJbFJWT/mxsiScTMNL/nzy697utN7SC
vCZip5ldybPLd/v1oOmP3H8jrTw3eNujsA4iGWsSMKsWG61n50E0PYgmiLMrzcNG
FRKmnmewLO6E8O2JEexYvnzXQeHJKcCB/+RTLafVJbpwyPMlM4RUyn8FlKpE+fqc
d+aoXbnn6IL7cli4sEXU3ScKQIC0zI/fu4HipfInL6O+J/vE4fqFTgsaHszYvoFe
hE5nUZQ8WVRYXu5dHffwF6ixSuGE8PwY45NTguaVgzV3P2T4hsCgfPgzbsbfX/dn
qT5JMg84d/PQD053UQTQRMU7MW8OplPRkOzlod6EZ+y94q3wqzQa/4HKCX4jnOA6
iHAF8+6QUOd3/ZdKo/GyTilZ2DKlGK/U3DUgoJxzqHVeKkG+MeHD3l/X+bR2sX4F
6cuieRHg0d0IuXVQ5eOAkWoDNfLW9OjDlVUogW++3lNVtwmyahyYPDdStpf1vptm
gGKzoB+LlJkqA4/g3O7iMc/+RMjn8V0EeRbCdjk1z7vjqa6M2YzYqCAu2ar8rHNZ
m8y/SaTFPp7VGdqI84nbxHGipBxsVQIDAQABAoICAB+aB9TJsPGghSsM8ssve6R4
XIMjUPRLDsxoeZL2MGBuoRMEM7v5T13Nw62+lwnlq1rVtFC89AOZVcL60AFtNhNj
k2/ztJSzajonAy3P/Lli70saJY7y8a7yu7acr9RKjaZ3USlEta4jqjsXTQco270I
DkmgTmzpMXUOmrJA6felktLU9YVadD1pa4hE0pXg3ngGuqMqNUc7L1yu8focNOnO
avUstBr/euZmAWMiQ3LSEy9Yzcf0jIe0BVrnssTFmXoA/YOGjj+J24LcRk5ntRKm
QCiRU1X0R3XQgMe9ag5OR94orkdhqV3AYlMivT0EFWYjVkXZdS9cWU3QtkxZWkHG
A37zpCjnRzNM9RwjwscZqnrdJqkE1ECMP+jm0h75CGVOcK/BjwCkPKDOuhsFg6pr
mDLanAUX1wmKFZPD55P/5kqKymJ+FCjjnZOY0qmU6y9GQWXsEPwoGrQ8RIxktPIQ
yATAFHZyQoRGAwJ3tOd0N9lrJGtASRj1Bds09Wm7eswXfn3oZY3MH1hljAYefbir
j93/MEl2NOYw5Wo5yuSKvNS5FQUuDUfYT6PCQO508jgSJIxk5v4WR4eBTQwjV9Xu
Npbv1ewlXfURlfPoclzBFgSzeQjo1KgDFyzs6QVVmZ/p4DEUxhxiF3J8xqzPNKkd
27jaNFuMM5aUp0MGYFgRAoIBAQDgcLTskjEEbUATVtU5mEptid7a9ZRj/BQu7/nD
YaoSX9/UHcDnZPK5cd4JEM1Deu0l0JX65t2R1fQCZpVCzpuGVeDZZjX8wsnHwijB
FuDyXAEmOfS8KTIwp+gIQqhpsF/yKFxHid//BwuLPYjPxWS9/S2D6xiFmVCIVXtv
N+XujJah0hDqSfUB6PFgJGVcgqFKYfI/Lm6R8/ygNjZMKPM0i4/E2R1ImBo74NOl
KxyjaYPHWouFrChyV6Ro8FTGjOMmMomYX6LwlZGP3XZSBOP8WRNPU7toobwpgYfn
WIeiyy22UcEW670RLsda11aHnteJbEp41mQJemP5qXHT9QFFAoIBAQC5spKBNtYv
/N5UIfFhmMfhGxcKbpAYv2cISOh+QFDhpyJA1/K1IPiGE52m3EttFr+FQn7KkWTG
EVs1NiB7QU0d18lnRNCwYS6UGlF3iJ1L43OynonAw4tHC0iLhXWK5nLdWpBkXE0n
P8tpTJJ9IeEkHGgV+r75/LKe9B3l+agHRcplynU2wkSEGNICtGGZyxFmVg3El+tt
0pl727iaqNCBYlb8zq/iNxZeESCoWfriu8XmpSKQcjGo8UpEjZ/Y0uSFHDX3G2oD
gmJJDM7OZsxFQOvlWenH2zmj/Y3UmXXcCL/y4so1z6a3go+kqe7ir0i2Wk6UvIdO
9/FLeM2+74fRAoIBAGdXffbv2WIQa9B7yvIaDSsisFpheVIQX7q9BGPSNF0BiC5D
BO+Gq7x3kaTa96h6kXc389bzNlJQEWqJkXCRcUsJf96aEYGwrvgrjlhaEHmHo3/W
b7mzvkhpB43GI4WGkKcPrm3CLkFfHRGf477HRPu1958mQMRDM7GSqqMrOdP9J96a
uu8l3opil8GNAJ74BwwYzVIKLx9FGK0sSRQIRvOKz0f0MGecoXewrcL/dtBHZUYF
ivihrH35nNo0ztQdSvnriy992aitNbjoX/KkDdXDrgB4rXIgBmOWIN2FBe8PXpz0
R9Ql94hR4bkSLeWEXfoIwsGg9a7ni+EJBEB0L4ECggEAQ0FhvlrWCFtVSrNgcTCc
c/MTzTtuBQiNkHqXeeJhaNjXlxSfWuquGCFSn/R5fPEYPHNw6HzwOqxelE8eRIXK
IFzfHP/XdYo9DHbbuqdIEQw4AyFYUvB/qSN1CtMzVzNPtsvuL+seJnD8gw6wn5F9
sU54hD1knbXgG6HekkRxjvC/9U32VfbWSeGTbldWYhUiICZapjE/m28DF9Dkc19g
5Ptw9e8F1LCO8VLSuSadrzDC5F46voYdZkq900ZX9nerPGqTQQQ0yUCXyE1TOX4R
zaNNzKtb+H51yeczTySlgyPIIXfyNLsYbq5iyAij9IX3l9PtUgFWIEu8oNEH83dd
gQKCAQEArxcHE0tUjVslz8ujRuitm69ZytqRAyY1FjxSt/bvtLrpSkFyjb5bkyAX
bzYskzjnCZRGkys1amws09FavnBJSHvwO2d2JZbrsptyaTsMDYdL9PIt+RBXTpRy
7I2NieWth69CTaBqf9H2E4U1VdA7m/j7qMK6ix/suV21gTOBRzK0bjE8s65Hhf9P
f6scUenzqiXIpcVrjPTgcGQO2gzQOZ88vfyjsNMvgRZIfGl7xOfrx51YdmpeoEUH
gFliT23619Mkw+oX8YZM+IkMlay3khFEl0IEQQPTbhLKS8u9cVf+DDkttKS+gDCg
fpTmPRtec+LOv8L/9S13kJg+dmbMTg==
-----END PRIVATE KEY-----
`

func rsa4096(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	blk, _ := pem.Decode([]byte(rsa4096PEM))
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

const rfcMsg = "From: alice@example.org\r\nSubject: hi\r\nX-A: top\r\nX-A: bottom\r\n\r\nHello.\r\n\r\n"

// TestRFCVerify checks the verifier rules of RFC 6376 §3 and §6 and RFC
// 8301 with signatures built field by field.
func TestRFCVerify(t *testing.T) {
	rk, ek := testKeys(t)
	big := rsa4096(t)
	edP := "p=" + base64.StdEncoding.EncodeToString(ek.Public().(ed25519.PublicKey))
	edRec := "v=DKIM1; k=ed25519; " + edP
	const (
		ed    = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.org; s=sel; h=from:subject; bh={bh}; b={b}\r\n"
		edSim = "DKIM-Signature: v=1; a=ed25519-sha256; c=simple/simple; d=example.org; s=sel; h=from:subject; bh={bh}; b={b}\r\n"
	)
	with := func(tmpl, old, new string) string {
		if !strings.Contains(tmpl, old) {
			t.Fatalf("template %q lacks %q", tmpl, old)
		}
		return strings.Replace(tmpl, old, new, 1)
	}
	replace := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				t.Fatalf("message lacks %q", old)
			}
			return strings.Replace(s, old, new, 1)
		}
	}
	fold := func(b string) string { return " " + b[:10] + "\r\n\t " + b[10:30] + " \t" + b[30:] + "  " }
	tests := []struct {
		name   string
		key    crypto.Signer
		tmpl   string
		bfmt   func(string) string
		record string // "" for the ed25519 record of ek
		tamper func(string) string
		v      Verifier
		want   Status
		err    error
		check  func(*Verification) bool
	}{
		{name: "base relaxed", tmpl: ed, want: StatusPass},
		{name: "base simple", tmpl: edSim, want: StatusPass},
		{name: "3.2-tag-names-case-sensitive", tmpl: with(ed, "v=1", "V=1"), want: StatusPermError, err: ErrSignatureSyntax},
		{name: "3.5-unknown-tag-signed", tmpl: with(ed, "s=sel;", "s=sel; foo=bar;"), want: StatusPass},
		{name: "3.5-unknown-tag-altered", tmpl: with(ed, "s=sel;", "s=sel; foo=bar;"), tamper: replace("foo=bar", "foo=baz"), want: StatusFail, err: ErrBadSignature},
		{name: "3.5-v-1.0", tmpl: with(ed, "v=1", "v=1.0"), want: StatusPermError, err: ErrSignatureSyntax},
		{name: "3.5-b-folded-mid-field relaxed", tmpl: "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; b={b}; d=example.org; s=sel; h=from:subject; bh={bh}; unk_1=x\r\n", bfmt: fold, want: StatusPass},
		{name: "3.5-b-folded-mid-field simple", tmpl: "DKIM-Signature: v=1; a=ed25519-sha256; c=simple/simple; b={b}; d=example.org; s=sel; h=from:subject; bh={bh}\r\n", bfmt: fold, want: StatusPass},
		{name: "3.7-b-first-simple", tmpl: "DKIM-Signature: b={b}; v=1; a=ed25519-sha256; d=example.org; s=sel; h=from; bh={bh}\r\n", bfmt: fold, want: StatusPass},
		{name: "3.7-b-altered-in-place", tmpl: "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; b={b}; d=example.org; s=sel; h=from:subject; bh={bh}\r\n", tamper: func(s string) string { return tamperTag(s, "b=") }, want: StatusFail, err: ErrBadSignature},
		{name: "3.4.2-relaxed-dkim-signature-whitespace",
			tmpl:   "DKIM-Signature :  v=1;\r\n\t a=ed25519-sha256 ;c=relaxed/relaxed;  d=example.org; s=sel;\r\n h=from:subject; bh={bh};\r\n\tb={b}\r\n",
			tamper: replace(" a=ed25519-sha256 ;c=", "  a=ed25519-sha256\t;c="), want: StatusPass},
		{name: "3.4.1-simple-dkim-signature-whitespace",
			tmpl:   "DKIM-Signature :  v=1;\r\n\t a=ed25519-sha256 ;c=simple/simple;  d=example.org; s=sel;\r\n h=from:subject; bh={bh};\r\n\tb={b}\r\n",
			tamper: replace(" a=ed25519-sha256 ;c=", "  a=ed25519-sha256\t;c="), want: StatusFail, err: ErrBadSignature},
		{name: "3.4.2-relaxed-field-name-case", tmpl: ed, tamper: replace("Subject: hi", "SUBJECT:   hi  "), want: StatusPass},
		{name: "3.4.1-simple-field-name-case", tmpl: edSim, tamper: replace("Subject: hi", "SUBJECT: hi"), want: StatusFail, err: ErrBadSignature},
		// RFC 8616 §5 relaxes §3.5: a U-label d= is valid, its key is at the A-label name.
		{name: "3.5-d-U-label", tmpl: with(ed, "d=example.org", "d=exämple.org"), want: StatusPass,
			check: func(v *Verification) bool { return v.Domain == "exämple.org" }},
		{name: "3.5-d-invalid-U-label", tmpl: with(ed, "d=example.org", "d=a\u05d0.org"), want: StatusPermError, err: ErrSignatureSyntax},
		{name: "3.5-h-FROM-upper-case", tmpl: with(ed, "h=from:subject", "h=FROM:SuBjEcT"), want: StatusPass},
		{name: "3.5-h-FROM-upper-case-altered", tmpl: with(ed, "h=from:subject", "h=FROM:SuBjEcT"), tamper: replace("alice@", "eve@"), want: StatusFail, err: ErrBadSignature},
		{name: "5.4-missing-field-null", tmpl: with(ed, "h=from:subject", "h=from:subject:x-missing"), want: StatusPass},
		{name: "5.4-missing-field-added", tmpl: with(ed, "h=from:subject", "h=from:subject:x-missing"), tamper: replace("Subject: hi\r\n", "Subject: hi\r\nX-Missing: 1\r\n"), want: StatusFail, err: ErrBadSignature},
		{name: "5.4.2-bottom-instance-signed", tmpl: with(ed, "h=from:subject", "h=from:x-a"), tamper: replace("X-A: top", "X-A: changed"), want: StatusPass},
		{name: "5.4.2-bottom-instance-altered", tmpl: with(ed, "h=from:subject", "h=from:x-a"), tamper: replace("X-A: bottom", "X-A: changed"), want: StatusFail, err: ErrBadSignature},
		{name: "5.4.2-both-instances-order", tmpl: with(ed, "h=from:subject", "h=from:x-a:x-a"), tamper: replace("X-A: top\r\nX-A: bottom", "X-A: bottom\r\nX-A: top"), want: StatusFail, err: ErrBadSignature},
		{name: "5.4.2-oversigned-instance-added", tmpl: with(ed, "h=from:subject", "h=from:x-a:x-a:x-a"), tamper: replace("X-A: top", "X-A: new\r\nX-A: top"), want: StatusFail, err: ErrBadSignature},
		{name: "3.5-i-parent-of-d", tmpl: with(ed, "d=example.org", "d=mail.example.org; i=@example.org"), want: StatusPermError, err: ErrSignatureSyntax},
		{name: "3.5-i-case", tmpl: with(ed, "s=sel;", "s=sel; i=Alice@Mail.EXAMPLE.org;"), want: StatusPass,
			check: func(v *Verification) bool { return v.Identity == "Alice@Mail.EXAMPLE.org" }},
		{name: "3.5-l-longer-than-body", tmpl: with(ed, "s=sel;", "s=sel; l=1000;"), want: StatusFail, err: ErrBodyLength},
		{name: "3.5-l-zero", tmpl: with(ed, "s=sel;", "s=sel; l=0;"), tamper: replace("Hello.", "Bye."), want: StatusPass,
			check: func(v *Verification) bool { return v.BodyLength == 0 && v.UnsignedBody == int64(len("Bye.\r\n")) }},
		{name: "8.2-l-zero-refused", tmpl: with(ed, "s=sel;", "s=sel; l=0;"), v: Verifier{RejectBodyLength: true}, want: StatusPolicy, err: ErrBodyLength},
		{name: "3.5-l-overflow", tmpl: with(ed, "s=sel;", "s=sel; l=99999999999999999999;"), want: StatusPermError, err: ErrSignatureSyntax},
		{name: "3.5-q-unknown-method", tmpl: with(ed, "s=sel;", "s=sel; q=http/well-known:dns/txt;"), want: StatusPass},
		{name: "3.6.1-key-v-not-first", tmpl: ed, record: "k=ed25519; v=DKIM1; " + edP, want: StatusPermError, err: ErrKeySyntax},
		{name: "3.6.1-key-v-DKIM2", tmpl: ed, record: "v=DKIM2; k=ed25519; " + edP, want: StatusPermError, err: ErrKeySyntax},
		{name: "3.6.1-key-v-lower-case", tmpl: ed, record: "v=dkim1; k=ed25519; " + edP, want: StatusPermError, err: ErrKeySyntax},
		{name: "3.6.1-key-tag-case-sensitive", tmpl: ed, record: "v=DKIM1; k=ed25519; P" + edP[1:], want: StatusPermError, err: ErrKeySyntax},
		{name: "3.6.1-key-h-unknown-ignored", tmpl: ed, record: "v=DKIM1; h=sha512:sha256; k=ed25519; " + edP, want: StatusPass},
		{name: "3.6.1-key-h-only-unknown", tmpl: ed, record: "v=DKIM1; h=sha512; k=ed25519; " + edP, want: StatusPermError, err: ErrKeyMismatch},
		{name: "3.6.1-key-s-star", tmpl: ed, record: "v=DKIM1; s=*; k=ed25519; " + edP, want: StatusPass},
		{name: "3.6.1-key-s-email-and-unknown", tmpl: ed, record: "v=DKIM1; s=foo:email; k=ed25519; " + edP, want: StatusPass},
		{name: "3.6.1-key-s-unknown-only", tmpl: ed, record: "v=DKIM1; s=foo; k=ed25519; " + edP, want: StatusPermError, err: ErrKeyMismatch},
		{name: "3.6.1-key-t-s-local-part", tmpl: with(ed, "s=sel;", "s=sel; i=alice@example.org;"), record: "v=DKIM1; k=ed25519; t=s; " + edP, want: StatusPass},
		{name: "3.6.1-key-t-s-case", tmpl: with(ed, "s=sel;", "s=sel; i=@EXAMPLE.org;"), record: "v=DKIM1; k=ed25519; t=s; " + edP, want: StatusPass},
		{name: "3.6.1-key-t-s-subdomain", tmpl: with(ed, "s=sel;", "s=sel; i=alice@mail.example.org;"), record: "v=DKIM1; k=ed25519; t=y:s; " + edP, want: StatusPermError, err: ErrKeyMismatch},
		{name: "3.6.1-key-t-unknown-flag", tmpl: ed, record: "v=DKIM1; k=ed25519; t=z:y; " + edP, want: StatusPass,
			check: func(v *Verification) bool { return v.Testing }},
		{name: "3.6.1-key-no-k-ed25519", tmpl: ed, record: "v=DKIM1; " + edP, want: StatusPermError, err: ErrKeySyntax},
		{name: "6.1.3-bh-mismatch", tmpl: ed, tamper: replace("Hello.", "Hello!"), want: StatusFail, err: ErrBodyHash},
		{name: "6.1.3-b-mismatch", tmpl: ed, tamper: replace("Subject: hi", "Subject: ho"), want: StatusFail, err: ErrBadSignature},
		{name: "8301-3.2-4096-bit-key", key: big, tmpl: with(ed, "ed25519-sha256", "rsa-sha256"), record: pubRecord(t, big), want: StatusPass,
			check: func(v *Verification) bool { return v.KeyBits == 4096 }},
		{name: "8301-3.2-2048-bit-key", key: rk, tmpl: with(ed, "ed25519-sha256", "rsa-sha256"), record: pubRecord(t, rk), want: StatusPass},
		{name: "8301-3.2-512-bit-key", key: rk, tmpl: with(ed, "ed25519-sha256", "rsa-sha256"), record: rsaRecordBits(t, 512), want: StatusPolicy, err: ErrKeyTooShort},
		{name: "8301-3.2-1023-bit-key", key: rk, tmpl: with(ed, "ed25519-sha256", "rsa-sha256"), record: rsaRecordBits(t, 1023), want: StatusPolicy, err: ErrKeyTooShort},
		{name: "8301-3.2-MinRSABits-below-1024-ignored", key: rk, tmpl: with(ed, "ed25519-sha256", "rsa-sha256"), record: rsaRecordBits(t, 1000), v: Verifier{MinRSABits: 512}, want: StatusPolicy, err: ErrKeyTooShort},
		{name: "8301-3.1-rsa-sha1", key: rk, tmpl: with(ed, "ed25519-sha256", "rsa-sha1"), record: pubRecord(t, rk), want: StatusPolicy, err: ErrSHA1},
		{name: "8.4-rsa-key-too-long", key: rk, tmpl: with(ed, "ed25519-sha256", "rsa-sha256"), record: rsaRecordBits(t, 16384), want: StatusPolicy, err: ErrKeyTooLong},
		{name: "8.4-MaxRSABits-raised", key: big, tmpl: with(ed, "ed25519-sha256", "rsa-sha256"), record: pubRecord(t, big), v: Verifier{MaxRSABits: 2048}, want: StatusPolicy, err: ErrKeyTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := tt.key
			if key == nil {
				key = ek
			}
			msg := signTemplate(t, key, tt.tmpl, rfcMsg, tt.bfmt)
			if tt.tamper != nil {
				msg = tt.tamper(msg)
			}
			r := &mapResolver{}
			rec := tt.record
			if rec == "" {
				rec = edRec
			}
			for _, d := range []string{"example.org", "mail.example.org", "xn--exmple-cua.org"} {
				r.add("sel._domainkey."+d, rec)
			}
			v := tt.v
			v.Resolver, v.Clock = r, testClock
			res, err := v.Verify(context.Background(), strings.NewReader(msg))
			if err != nil || len(res) != 1 {
				t.Fatalf("Verify: %v, %d results", err, len(res))
			}
			g := &res[0]
			if g.Status != tt.want || (tt.err != nil && !errors.Is(g.Err, tt.err)) || (g.Status == StatusPass) != (g.Err == nil) {
				t.Fatalf("got %v (%v), want %v (%v)\n%q", g.Status, g.Err, tt.want, tt.err, msg)
			}
			if tt.check != nil && !tt.check(g) {
				t.Errorf("unexpected details: %+v", g)
			}
		})
	}
}

// TestRFCParseSignature adds the §3.5 syntax rules TestParseSignature
// does not cover.
func TestRFCParseSignature(t *testing.T) {
	const base = "v=1; a=ed25519-sha256; d=example.org; s=sel; h=from; bh=YQ==; b=YQ=="
	tests := []struct {
		name string
		in   string
		tag  string // "" for no error
	}{
		{"3.5-h-empty", strings.Replace(base, "h=from", "h=", 1), "h"},
		{"3.5-h-only-colons", strings.Replace(base, "h=from", "h= : :", 1), "h"},
		{"3.5-x-equals-t", base + "; t=100; x=100", "x"},
		{"3.5-x-without-t", base + "; x=100", ""},
		{"3.5-l-76-digits", base + "; l=" + strings.Repeat("0", 75) + "7", ""},
		{"3.5-l-77-digits", base + "; l=" + strings.Repeat("1", 77), "l"},
		{"3.5-l-overflow", base + "; l=99999999999999999999", "l"},
		{"3.5-l-plus-sign", base + "; l=+5", "l"},
		{"3.5-t-negative", base + "; t=-5", "t"},
		{"3.5-s-dotted-selector", strings.Replace(base, "s=sel", "s=2026.sel", 1), ""},
		{"3.5-d-trailing-hyphen-label", strings.Replace(base, "d=example.org", "d=example-.org", 1), "d"},
		{"3.5-i-empty-local-part", base + "; i=@example.org", ""},
		{"3.5-b-empty-value-parses", strings.Replace(base, "b=YQ==", "b=", 1), ""},
		{"3.5-h-name-with-space", strings.Replace(base, "h=from", "h=from:sub ject", 1), "h"},
		{"3.2-duplicate-unknown-tag", base + "; foo=1; foo=2", "foo"},
		{"3.2-duplicate-unknown-tag-after-many", base + "; u1=1; u2=1; u3=1; u4=1; u5=1; u6=1; u7=1; u8=1; u9=1; u10=1; u9=2", "u9"},
		{"3.2-unknown-tags-differing-in-case", base + "; foo=1; FOO=2", ""},
		{"3.2-empty-i-is-not-absent", base + "; i=", "i"},
		{"3.2-empty-q-is-not-absent", base + "; q=", "q"},
		{"3.5-a-case-sensitive", strings.Replace(base, "ed25519-sha256", "ED25519-SHA256", 1), "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSignature(tt.in)
			var se *SignatureError
			switch {
			case tt.tag == "" && err != nil:
				t.Errorf("ParseSignature(%q): %v", tt.in, err)
			case tt.tag != "" && (!errors.As(err, &se) || se.Tag != tt.tag):
				t.Errorf("ParseSignature(%q) = %v, want an error on %s=", tt.in, err, tt.tag)
			}
		})
	}
}

// badSigner is a crypto.Signer with a public key of any size, for the
// signer's key checks: it must never be asked to sign.
type badSigner struct{ pub crypto.PublicKey }

func (b badSigner) Public() crypto.PublicKey { return b.pub }
func (b badSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("badSigner must not sign")
}

// TestRFCSigner checks the signer rules of RFC 6376 §5 and RFC 8301.
func TestRFCSigner(t *testing.T) {
	rk, _ := testKeys(t)
	msg := "From: alice@example.org\r\nSubject: x\r\n\r\nbody\r\n"
	t.Run("8301-3.1-rsa-key-signs-rsa-sha256", func(t *testing.T) {
		h, err := (&Signer{Domain: "example.org", Selector: "sel", Key: rk, Clock: testClock}).Sign(strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		sig, err := ParseSignature(strings.TrimSuffix(strings.TrimPrefix(h, "DKIM-Signature:"), "\r\n"))
		if err != nil || sig.Algorithm != AlgorithmRSASHA256 {
			t.Errorf("%v, a=%v", err, sig.Algorithm)
		}
	})
	for _, bits := range []int{512, 1023} {
		t.Run("8301-3.2-refuses-"+big.NewInt(int64(bits)).String()+"-bit-key", func(t *testing.T) {
			n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
			s := &Signer{Domain: "example.org", Selector: "sel", Key: badSigner{&rsa.PublicKey{N: n.Add(n, big.NewInt(1)), E: 65537}}}
			if _, err := s.Sign(strings.NewReader(msg)); !errors.Is(err, ErrKeyTooShort) {
				t.Errorf("Sign = %v, want ErrKeyTooShort", err)
			}
		})
	}
	t.Run("8301-3.2-refuses-key-without-modulus", func(t *testing.T) {
		s := &Signer{Domain: "example.org", Selector: "sel", Key: badSigner{&rsa.PublicKey{E: 65537}}}
		if _, err := s.Sign(strings.NewReader(msg)); !errors.Is(err, ErrKeyTooShort) {
			t.Errorf("Sign = %v, want ErrKeyTooShort", err)
		}
	})
	t.Run("3.5-h-names-are-field-names", func(t *testing.T) {
		for _, names := range [][]string{{"from", "x:y"}, {"from", ""}, {"from", "a b"}} {
			s := &Signer{Domain: "example.org", Selector: "sel", Key: rk, Headers: names}
			if _, err := s.Sign(strings.NewReader(msg)); err == nil {
				t.Errorf("Headers %q accepted", names)
			}
		}
	})
	t.Run("3.3-e-65537", func(t *testing.T) {
		if rk.E != 65537 { // rk comes from GenerateRSAKey
			t.Errorf("GenerateRSAKey: e=%d", rk.E)
		}
	})
	t.Run("3.5-x-after-t", func(t *testing.T) {
		s := &Signer{Domain: "example.org", Selector: "sel", Key: rk, Clock: testClock, Expiration: 400 * time.Millisecond}
		h, err := s.Sign(strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		sig, err := ParseSignature(strings.TrimSuffix(strings.TrimPrefix(h, "DKIM-Signature:"), "\r\n"))
		if err != nil || !sig.Expiration.After(sig.Timestamp) {
			t.Errorf("%v: t=%v x=%v", err, sig.Timestamp, sig.Expiration)
		}
	})
	t.Run("3.5-identity-case-insensitive", func(t *testing.T) {
		s := &Signer{Domain: "example.org", Selector: "sel", Key: rk, Clock: testClock, Identity: "bob@Mail.Example.ORG"}
		if _, err := s.Sign(strings.NewReader(msg)); err != nil {
			t.Error(err)
		}
	})
}

// TestRFCSignedFieldsLarge: the sorted path that bounds the cost of a huge
// h= over a huge header (§8.4) picks the same fields as the scan.
func TestRFCSignedFieldsLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"To", "to", "TO", "Subject", "X-A", "x-a", "From", "Received", "x-b"}
	for round := 0; round < 50; round++ {
		var hdr strings.Builder
		for i := rng.IntN(60); i >= 0; i-- {
			hdr.WriteString(names[rng.IntN(len(names))] + ": " + string(rune('a'+i%26)) + "\r\n")
		}
		h := make([]string, rng.IntN(80)+1)
		for i := range h {
			h[i] = names[rng.IntN(len(names))]
		}
		fs := splitFields(hdr.String(), nil)
		var scan, sorted headerCanon
		if len(h)*len(fs) <= signedFieldsScanMax {
			scan.signedFields(fs, h, CanonicalizationRelaxed)
		} else {
			t.Fatal("test sizes exceed the scan limit")
		}
		sorted.signedFieldsSorted(fs, h, CanonicalizationRelaxed)
		if string(scan.buf) != string(sorted.buf) {
			t.Fatalf("h=%v over %q:\nscan   %q\nsorted %q", h, hdr.String(), scan.buf, sorted.buf)
		}
	}
	// 20000 fields and 40000 h= names: the scan would take seconds.
	fs := splitFields(strings.Repeat("a: b\r\n", 20000), nil)
	h := strings.Split("from"+strings.Repeat(":a:x-none", 20000), ":")
	var hc headerCanon
	start := time.Now()
	hc.signedFields(fs, h, CanonicalizationRelaxed)
	if len(hc.buf) != 20000*len("a:b\r\n") {
		t.Errorf("%d bytes", len(hc.buf))
	}
	t.Logf("%d names over %d fields: %v", len(h), len(fs), time.Since(start))
}

// TestRFCAuthResults: RFC 8601 §2.7.1 dkim= with header.d, header.s,
// header.i and header.b; header.b is at least eight characters of b=
// without whitespace and long enough to tell different signatures apart.
func TestRFCAuthResults(t *testing.T) {
	v := func(st Status, b string) Verification {
		return Verification{Status: st, Domain: "example.org", Selector: "sel", Identity: "@example.org", Signature: &Signature{bRaw: b}}
	}
	vs := []Verification{
		v(StatusPass, "abcdefgh1234"),
		v(StatusFail, "abcdefgh12\r\n\t99"),
		v(StatusPass, "zzzzzzzzzzzz"),
		v(StatusPass, "zzzzzzzzzzzz"), // the same signature twice cannot be told apart
		v(StatusPass, "short"),
	}
	want := "dkim=pass header.d=example.org header.i=@example.org header.s=sel header.b=abcdefgh123; " +
		"dkim=fail header.d=example.org header.i=@example.org header.s=sel header.b=abcdefgh129; " +
		"dkim=pass header.d=example.org header.i=@example.org header.s=sel header.b=zzzzzzzz; " +
		"dkim=pass header.d=example.org header.i=@example.org header.s=sel header.b=zzzzzzzz; " +
		"dkim=pass header.d=example.org header.i=@example.org header.s=sel header.b=short"
	if got := joinResults(AuthResults(vs)); got != want {
		t.Errorf("AuthResults =\n%s\nwant\n%s", got, want)
	}
	if got := vs[0].AuthResult().String(); !strings.HasSuffix(got, " header.b=abcdefgh") {
		t.Errorf("AuthResult = %s", got)
	}
	// Real verification: the properties come from the signature.
	_, ek := testKeys(t)
	msg := signTemplate(t, ek, "DKIM-Signature: v=1; a=ed25519-sha256; d=example.org; s=sel; i=joe@example.org; h=from; bh={bh}; b={b}\r\n", rfcMsg, nil)
	r := &mapResolver{}
	r.add("sel._domainkey.example.org", pubRecord(t, ek))
	res, err := (&Verifier{Resolver: r, Clock: testClock}).Verify(context.Background(), strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	got := joinResults(AuthResults(res))
	b := res[0].Signature.bRaw
	if want := "dkim=pass header.d=example.org header.i=joe@example.org header.s=sel header.b=" + token(b[:8]); got != want {
		t.Errorf("AuthResults = %s\nwant %s", got, want)
	}
}

// TestRFCParseKeyRecord adds the §3.2 / §3.6.1 rules TestParseKeyRecord
// does not cover.
func TestRFCParseKeyRecord(t *testing.T) {
	const p = "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
	tests := []struct {
		name string
		in   string
		tag  string // "" for no error
	}{
		{"3.2-duplicate-unknown-tag", "v=DKIM1; k=ed25519; foo=1; foo=2; " + p, "foo"},
		{"3.2-duplicate-upper-case-tag", "v=DKIM1; k=ed25519; P=1; P=2; " + p, "P"},
		{"3.2-tags-case-sensitive", "v=DKIM1; k=ed25519; K=rsa; " + p, ""},
		{"3.6.1-v-DKIM1.0", "v=DKIM1.0; k=ed25519; " + p, "v"},
		{"3.6.1-v-with-FWS", "v = DKIM1 ; k=ed25519; " + p, ""},
		{"3.6.1-h-FWS-around-colons", "v=DKIM1; h= sha1 : sha256 ; k=ed25519; " + p, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKeyRecord(tt.in)
			var ke *KeyRecordError
			switch {
			case tt.tag == "" && err != nil:
				t.Errorf("ParseKeyRecord(%q): %v", tt.in, err)
			case tt.tag != "" && (!errors.As(err, &ke) || ke.Tag != tt.tag):
				t.Errorf("ParseKeyRecord(%q) = %v, want an error on %s=", tt.in, err, tt.tag)
			}
		})
	}
}

// joinResults writes method results as a field value after the
// authserv-id would: each String, separated by "; ".
func joinResults(ms []authres.MethodResult) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, "; ")
}

// token returns v as an RFC 2045 value: as is when it is a token, else a
// quoted-string (base64 holds no '"' or '\\').
func token(v string) string {
	if strings.ContainsAny(v, `()<>@,;:\"/[]?= `) {
		return `"` + v + `"`
	}
	return v
}
