package dkim

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/domainauth/domainauth/authres"
	"github.com/domainauth/domainauth/internal/dnsname"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzParseKeyRecord: ParseKeyRecord never panics, and a record that parses
// round-trips: ParseKeyRecord(k.String()) equals k, and String is stable.
func FuzzParseKeyRecord(f *testing.F) {
	for _, s := range []string{
		"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
		"v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB",
		"v=DKIM1; h=sha1:sha256; k=rsa; n=a=20note; s=email:*; t=y:s; p=",
		"k=ed25519; g=*; x=1; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
		"v=DKIM2; p=", "p", ";", "p=;p=", "n==ZZ=4; p=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, txt string) {
		LintKeyRecord(txt)
		k, err := ParseKeyRecord(txt)
		if err != nil {
			return
		}
		s := k.String()
		k2, err := ParseKeyRecord(s)
		if err != nil {
			t.Fatalf("ParseKeyRecord(%q) ok, but its String %q: %v", txt, s, err)
		}
		if !keyRecordsEqual(k, k2) {
			t.Fatalf("round trip of %q via %q changed the record", txt, s)
		}
		if s2 := k2.String(); s2 != s {
			t.Fatalf("String not stable: %q then %q", s, s2)
		}
	})
}

// FuzzParseSignature: ParseSignature never panics, and a field that parses
// round-trips through String.
func FuzzParseSignature(f *testing.F) {
	for _, s := range []string{
		" v=1; a=rsa-sha256; c=relaxed/simple; d=example.org; s=sel; i=a=3Db@mail.example.org; q=dns/txt; l=10; t=1; x=2; h=from:to; z=From:a; bh=AAAA; b=AA\r\n\tAA",
		"v=1; a=ed25519-sha256; d=x.y; s=s; h=From; bh=; b=",
		"v=1; a=rsa-sha1; c=simple; d=a.b; s=_s; h=from : subject; bh=YQ==; b=YWI",
		"v=1; a=rsa-sha256; d=a.b; d=a.b; s=s; h=from; bh=; b=",
		"v=1; a=rsa-sha256; d=legitimate.com(.attacker.com; s=s; h=from; bh=; b=",
		// RFC 8616 §5: U-labels in d=, s= and i=, UTF-8 local parts.
		"v=1; a=ed25519-sha256; d=b\u00fccher.example; s=schl\u00fcssel; i=j\u00fcrgen@mail.b\u00fccher.example; h=from; bh=YQ==; b=YQ==",
		"v=1; a=ed25519-sha256; d=xn--bcher-kva.example; s=s; i=j=C3=BCrgen@B\u00dcCHER.example; h=from; bh=; b=",
		"v=1; a=ed25519-sha256; d=\u4f8b\u3048.\u30c6\u30b9\u30c8; s=s; i=\u5c0f\u660e@\u4f8b\u3048.\u30c6\u30b9\u30c8; h=from; bh=; b=",
		"v=1; a=ed25519-sha256; d=a\u05d0.example; s=s; h=from; bh=; b=",
		"v=1; a=ed25519-sha256; d=example.org; s=s; i=j=C3@example.org; h=from; bh=; b=",
		"v=1; a=ed25519-sha256; d=example.org; s=s; i=j\xc3@example.org; h=from; bh=; b=",
	} {
		f.Add(s)
	}
	opts := cmp.Options{cmpopts.IgnoreUnexported(Signature{}), cmpopts.EquateEmpty()}
	f.Fuzz(func(t *testing.T, value string) {
		sig, err := ParseSignature(value)
		if err != nil {
			return
		}
		// RFC 8616 §3, §5: whatever form d= and s= take, the key name
		// converts to an ASCII name, and i= is UTF-8 within d= after
		// conversion.
		name, err := keyName(sig.Selector, sig.Domain)
		if err != nil || !dnsname.IsASCII(name) {
			t.Fatalf("%q: key name %q, %v", value, name, err)
		}
		if sig.Identity != "" {
			at := strings.LastIndexByte(sig.Identity, '@')
			id, err1 := aLabels(sig.Identity[at+1:])
			d, err2 := aLabels(sig.Domain)
			if !utf8.ValidString(sig.Identity) || err1 != nil || err2 != nil || !dnsname.IsSubdomain(id, d) {
				t.Fatalf("%q: identity %q accepted outside d=%q (%q, %q)", value, sig.Identity, sig.Domain, id, d)
			}
		}
		s := sig.String()
		sig2, err := ParseSignature(s)
		if err != nil {
			t.Fatalf("ParseSignature(%q) ok, but its String %q: %v", value, s, err)
		}
		if diff := cmp.Diff(sig, sig2, opts); diff != "" {
			t.Fatalf("round trip of %q via %q (-first +second):\n%s", value, s, diff)
		}
	})
}

// FuzzCanonicalizeBody: the streaming canonicaliser agrees with the plain
// reference, whatever the chunking, and with a body length limit (l=)
// passes exactly the reference's first bytes on.
func FuzzCanonicalizeBody(f *testing.F) {
	for _, s := range []string{"", "a", " C \r\nD \t E\r\n\r\n\r\n", "a\nb\r\rc\r", "x  \t\r\n \r\n"} {
		f.Add([]byte(s), uint8(1), true, int16(-1))
		f.Add([]byte(s), uint8(3), true, int16(4))
	}
	f.Fuzz(func(t *testing.T, body []byte, chunk uint8, relaxed bool, limit int16) {
		want := refBody(string(body), relaxed)
		if limit >= 0 {
			want = want[:min(len(want), int(limit))]
		}
		got, n := canonChunks(body, relaxed, int64(limit), []int{int(chunk)})
		if got != want || n != int64(len(refBody(string(body), relaxed))) {
			t.Fatalf("canon(%q, relaxed=%v, chunk %d, limit %d) = %q, %d; want %q", body, relaxed, chunk, limit, got, n, want)
		}
	})
}

// FuzzVerify: Verify on arbitrary bytes never panics, stays within its
// bounds and returns a status for every signature.
func FuzzVerify(f *testing.F) {
	_, ek := testKeys(f)
	s := &Signer{Domain: "example.org", Selector: "sel", Key: ek, Clock: testClock, BodyLength: true}
	h, err := s.Sign(strings.NewReader(verifyMsg))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(h + verifyMsg))
	f.Add([]byte("DKIM-Signature: v=1\r\n\r\n"))
	f.Add([]byte("From: a\n\nb"))
	// RFC 8616 §5: a U-label d= and a UTF-8 i= on a message with UTF-8
	// header fields.
	s = &Signer{Domain: "b\u00fccher.example", Selector: "sel", Key: ek, Clock: testClock, Identity: "j\u00fcrgen@b\u00fccher.example"}
	h, err = s.Sign(strings.NewReader(eaiMsg))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(h + eaiMsg))
	f.Add([]byte("DKIM-Signature: v=1; a=ed25519-sha256; d=\u4f8b\u3048.example; s=s\u00fc; h=from; bh=; b=\r\nFrom: \u5c0f\u660e@\u4f8b\u3048.example\r\n\r\n"))
	rec, _ := NewKeyRecord(ek.Public())
	r := &queryLog{}
	r.add("sel._domainkey.example.org", rec.String())
	r.add("sel._domainkey.xn--bcher-kva.example", rec.String())
	v := &Verifier{Resolver: r, Clock: testClock, MaxHeaderBytes: 1 << 16, MaxSignatures: 4}
	f.Fuzz(func(t *testing.T, msg []byte) {
		r.asked = r.asked[:0]
		res, err := v.Verify(context.Background(), strings.NewReader(string(msg)))
		// RFC 8616 §3: only A-labels reach the DNS.
		for _, name := range r.asked {
			if !dnsname.IsASCII(name) {
				t.Fatalf("asked the resolver for %q", name)
			}
		}
		if err != nil {
			return
		}
		for _, g := range res {
			if g.Status == StatusNone || (g.Status == StatusPass) != (g.Err == nil) {
				t.Fatalf("status %v with error %v", g.Status, g.Err)
			}
		}
		// Every result is one authres.Format can write.
		if _, err := authres.Format(&authres.Results{AuthServID: "mx.example", Methods: AuthResults(res)}); err != nil {
			t.Fatalf("Format(AuthResults): %v", err)
		}
	})
}

// FuzzDecodeBase64: the one-pass decoder agrees with the general one on
// every input it accepts (it may decline any input; the general one then
// decides).
func FuzzDecodeBase64(f *testing.F) {
	for _, s := range []string{
		"", "QQ", "QQ==", "QQ=", "QUI", "QUI=", "QUJD", "QUJD=", "Q", "Q===",
		"QU JD\r\n\tRA==", "QUJD RA\r\n =\t=", "QQ==QQ", "QU\x01JD", "QU*JD",
		"//+/", "AB==", "AB=\r\n=", "====", "QUJDRA==\r\n", "Q UJD R\tAQ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := decodeBase64Fast(s, nil)
		if !ok {
			return
		}
		slow, err := decodeBase64Slow(s)
		if err != nil {
			t.Fatalf("%q: fast decoded %x, slow failed: %v", s, fast, err)
		}
		if string(fast) != string(slow) {
			t.Fatalf("%q: fast %x, slow %x", s, fast, slow)
		}
	})
}

// TestDecodeBase64Fast: values as signers write them, folded and padded,
// take the one-pass decoder.
func TestDecodeBase64Fast(t *testing.T) {
	for _, s := range []string{"", "QQ", "QQ==", "QUI=", "QUJD", "QU JD\r\n\tRA==", "QUJD RA\r\n =\t=", "Q UJD R\tAQ"} {
		if _, ok := decodeBase64Fast(s, nil); !ok {
			t.Errorf("%q: declined", s)
		}
	}
}

// FuzzFieldNames: the one-pass h= splitter agrees with splitList and
// isFieldName: it accepts exactly the lists they accept, with the same names.
func FuzzFieldNames(f *testing.F) {
	for _, s := range []string{"", "from", "from:to", "from\r\n\t:to :: cc ", "fr om:to", ":", "from:\u00e9", "a\r\n:b", " : from : "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := fieldNames(s, nil)
		want := splitList(s)
		wantOK := len(want) > 0
		for _, n := range want {
			wantOK = wantOK && isFieldName(n)
		}
		if ok != wantOK || ok && !slices.Equal(got, want) {
			t.Fatalf("fieldNames(%q) = %q, %v; splitList gives %q, valid %v", s, got, ok, want, wantOK)
		}
	})
}

// FuzzFieldsAt: the field starts readHeader records while it reads agree
// with splitFields on the header it returns, whatever the read sizes.
func FuzzFieldsAt(f *testing.F) {
	for _, s := range []string{"", "From: a\r\n\r\nbody", "To: b\n\tcontinued\r\n also\n\n", "\rodd: x\r\nno colon\r\nX:\r\n", " led: by WSP\r\n", "Subject: s\r"} {
		f.Add(s, uint8(1))
		f.Add(s, uint8(64))
	}
	f.Fuzz(func(t *testing.T, msg string, bufCap uint8) {
		rd := reader{r: iotest.HalfReader(strings.NewReader(msg)), buf: make([]byte, 0, 1+int(bufCap)), maxHdr: defaultMaxHeaderBytes, maxLine: defaultMaxLineBytes}
		hdr, _, err := rd.readHeader(context.Background())
		if err != nil {
			return
		}
		if got, want := fieldsAt(hdr, rd.starts, nil), splitFields(hdr, nil); !slices.Equal(got, want) {
			t.Fatalf("header %q: fields from starts %v\n%+v\nsplitFields\n%+v", hdr, rd.starts, got, want)
		}
	})
}

// FuzzHeaderCanonRelaxed: relaxed header canonicalisation (with its
// clean-field shortcut and the eight-bytes-at-a-time WSP folding) agrees
// with the plain reference refHeaderRelaxed on any one field.
func FuzzHeaderCanonRelaxed(f *testing.F) {
	for _, s := range []string{"", " X", "a  \t b\r\n c", "caf\xe9 \r x", "end \t", "\x01 !  abcdefghijklmnop   qrst\r\n\t uv"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		raw := "X-Test \t:" + value + "\r\n"
		fs := splitFields(raw, nil)
		if len(fs) != 1 {
			return // value holds a line break that starts a new field
		}
		var h headerCanon
		h.add(&fs[0], CanonicalizationRelaxed, nil)
		if want := refHeaderRelaxed(raw); string(h.buf) != want {
			t.Fatalf("relaxed(%q)\n got %q\nwant %q", raw, h.buf, want)
		}
	})
}
