package dkim_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/authres"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/zone"
)

// exampleKey is a fixed Ed25519 key (the seed of RFC 8032 §7.1 test 1), so
// that the examples' output does not change.
func exampleKey() ed25519.PrivateKey {
	seed := []byte{
		0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
		0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
	}
	return ed25519.NewKeyFromSeed(seed)
}

const exampleMsg = "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: lunch\r\n\r\nNoon?\r\n"

func ExampleSigner_Sign() {
	s := &dkim.Signer{
		Domain:   "example.org",
		Selector: "mail2026",
		Key:      exampleKey(),
		Headers:  []string{"from", "from", "to", "subject"},
		Clock:    domainauth.FixedClock(time.Unix(1800000000, 0)),
	}
	h, err := s.Sign(strings.NewReader(exampleMsg))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(strings.ReplaceAll(h, "\r\n", "\n"))
	// Output:
	// DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.org;
	// 	s=mail2026; t=1800000000; h=from:from:to:subject;
	// 	bh=R9he9Obs4VjjxR4503aSjOXMP0rnyxQlgxON/r4aRtE=;
	// 	b=4cea00O5DjVZVW9DJE6HNHX5ovms8VfvYutmbjypVZ6xrxNqgIFPC5euCfmMA+kepKA8A+
	// 	fY/irNQ6kgSqZsAg==
}

func ExampleVerifier_Verify() {
	key := exampleKey()
	signer := &dkim.Signer{Domain: "example.org", Selector: "mail2026", Key: key}
	h, _ := signer.Sign(strings.NewReader(exampleMsg))

	rec, _ := dkim.NewKeyRecord(key.Public())
	z := zone.New()
	z.AddTXT("mail2026._domainkey.example.org", rec.String())

	v := &dkim.Verifier{Resolver: z}
	results, err := v.Verify(context.Background(), strings.NewReader(h+exampleMsg))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Println(r.Status, r.Domain, r.Selector, r.Algorithm, r.KeyBits)
	}
	// Tampered in transit:
	results, _ = v.Verify(context.Background(), strings.NewReader(h+strings.Replace(exampleMsg, "Noon", "Never", 1)))
	fmt.Println(results[0].Status, results[0].Err)
	// Output:
	// pass example.org mail2026 ed25519-sha256 256
	// fail dkim: body hash does not match
}

func ExampleParseKeyRecord() {
	// RFC 8463 Appendix A.2.
	k, err := dkim.ParseKeyRecord("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k.KeyType, k.Bits(), k.Testing, k.Usable())
	fmt.Println(k)
	// Output:
	// ed25519 256 false <nil>
	// v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
}

func ExampleGenerateEd25519Key() {
	// crypto/rand when the reader is nil; a fixed seed here for stable output.
	_, rec, err := dkim.GenerateEd25519Key(bytes.NewReader(make([]byte, 32)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("sel._domainkey.example.org. IN TXT", `"`+rec.String()+`"`)
	// Output:
	// sel._domainkey.example.org. IN TXT "v=DKIM1; k=ed25519; p=O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik="
}

func ExampleLintKeyRecord() {
	// A record as old set-up guides write it, with a test key of 512 bits.
	rec := "v=DKIM1; g=*; k=rsa; t=y; x=1700000000; s=email; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52Tb/mPfjC0QJTocVBq6Za/PlzfV+Py92VaCak19F4WrbVTK5Gg5tW220MCAwEAAQ=="
	for _, f := range dkim.LintKeyRecord(rec) {
		fmt.Println(f.Severity, f.Code, f.Where)
	}
	// Output:
	// info dkim.key-granularity-tag g=*
	// warning dkim.key-expiration-tag x=1700000000
	// error dkim.key-too-short p=
	// warning dkim.key-testing t=y
}

func ExampleAuthResults() {
	key := exampleKey()
	signer := &dkim.Signer{Domain: "example.org", Selector: "mail2026", Key: key, Clock: domainauth.FixedClock(time.Unix(1800000000, 0))}
	h, _ := signer.Sign(strings.NewReader(exampleMsg))
	rec, _ := dkim.NewKeyRecord(key.Public())
	z := zone.New()
	z.AddTXT("mail2026._domainkey.example.org", rec.String())
	results, _ := (&dkim.Verifier{Resolver: z}).Verify(context.Background(), strings.NewReader(h+exampleMsg))
	field, err := authres.Format(&authres.Results{AuthServID: "mx.example.net", Methods: dkim.AuthResults(results)})
	if err != nil {
		panic(err)
	}
	fmt.Println("Authentication-Results: " + strings.ReplaceAll(field, "\r\n", "\n"))
	// Output:
	// Authentication-Results: mx.example.net;
	// 	dkim=pass header.d=example.org header.i=@example.org header.s=mail2026
	// 	header.b="XbB9M/qd"
}

func ExampleParseSignature() {
	// The value of a DKIM-Signature field, folded as it arrives.
	sig, err := dkim.ParseSignature(` v=1; a=rsa-sha256; c=relaxed/simple; d=example.org;
	s=sel; t=1800000000; h=from:to:subject; bh=YQ==; b=YWJj`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sig.Algorithm, sig.HeaderCanon, sig.BodyCanon, sig.Domain, sig.Selector, sig.AUID(), sig.Headers)

	_, err = dkim.ParseSignature("v=1; a=rsa-sha256; d=example.org; s=sel; h=to; bh=YQ==; b=YWJj")
	fmt.Println(err)
	// Output:
	// rsa-sha256 relaxed simple example.org sel @example.org [from to subject]
	// dkim: DKIM-Signature tag h= at offset 43: From is not signed (RFC 6376 §5.4)
}
