package dkim

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// refLowerASCII lower-cases the ASCII letters of s only: header field
// names compare case-insensitively in ASCII (RFC 5322 §1.2.2), never by
// Unicode folding (which would match "K" with U+212A KELVIN SIGN).
func refLowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// refHeaderSimple is RFC 6376 §3.4.1 for one field: as is, with every line
// ending CRLF (a bare LF read as one) and a CRLF after the last line.
func refHeaderSimple(raw string) string {
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	if !strings.HasSuffix(raw, "\n") {
		raw += "\n"
	}
	return strings.ReplaceAll(raw, "\n", "\r\n")
}

// refSignedFields is RFC 6376 §5.4.2 read plainly: for each h= name in
// order, the last instance of that name (compared case-insensitively) not
// yet used, canonicalised; a name with no instance left is the null string
// (§5.4), so it adds nothing — also when it is listed more times than the
// message has instances of it (oversigning, §8.15).
func refSignedFields(fields []field, names []string, c Canonicalization) string {
	used := make([]bool, len(fields))
	var b strings.Builder
	for _, name := range names {
		for k := len(fields) - 1; k >= 0; k-- {
			if used[k] || fields[k].colon < 0 || refLowerASCII(fields[k].name) != refLowerASCII(name) {
				continue
			}
			used[k] = true
			if c == CanonicalizationRelaxed {
				b.WriteString(refHeaderRelaxed(fields[k].raw))
			} else {
				b.WriteString(refHeaderSimple(fields[k].raw))
			}
			break
		}
	}
	return b.String()
}

// TestSignedFieldsAgainstReference: signedFields (which skips, without a
// scan, a name whose bucket holds no unused field) and signedFieldsSorted
// select and canonicalise exactly the fields the plain reading of RFC 6376
// §5.4.2 does, in both canonicalisations, over random headers with
// duplicated fields, names differing only in case, names that share
// nameKey ("@x" and "`x"), lines without a colon, and h= lists that
// oversign, name missing fields and list one name many times.
func TestSignedFieldsAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	pool := []string{"To", "to", "TO", "Subject", "From", "from", "X-A", "x-a", "X-B",
		"DKIM-Signature", "dkim-signature", "Received", "@x", "`x", "Cc", "a", "A", "Reply-To"}
	missing := []string{"X-Missing", "List-Id", "b", "@y", "Date"}
	values := []string{"v", " folded\r\n\tline ", "\t a  b \r\n  c", "", "x\ny"}
	for round := range 3000 {
		var hdr strings.Builder
		for range rng.IntN(40) {
			if rng.IntN(20) == 0 {
				hdr.WriteString("no colon here\r\n")
				continue
			}
			hdr.WriteString(pool[rng.IntN(len(pool))])
			hdr.WriteString([]string{":", " :", "\t: "}[rng.IntN(3)])
			hdr.WriteString(values[rng.IntN(len(values))])
			hdr.WriteString("\r\n")
		}
		names := make([]string, 1+rng.IntN(30))
		for i := range names {
			if rng.IntN(4) == 0 {
				names[i] = missing[rng.IntN(len(missing))]
			} else {
				names[i] = pool[rng.IntN(len(pool))]
			}
		}
		fs := splitFields(hdr.String(), nil)
		for _, c := range []Canonicalization{CanonicalizationSimple, CanonicalizationRelaxed} {
			want := refSignedFields(fs, names, c)
			var scan, sorted headerCanon
			scan.signedFields(fs, names, c)
			sorted.signedFieldsSorted(fs, names, c)
			if string(scan.buf) != want || string(sorted.buf) != want {
				t.Fatalf("round %d, %v, h=%q over %q:\nscan   %q\nsorted %q\nwant   %q",
					round, c, names, hdr.String(), scan.buf, sorted.buf, want)
			}
		}
	}
}

// TestHeaderDigestSignsItself: a signature whose h= lists DKIM-Signature
// (more times than the message has such fields) signs the instances
// bottom-up like any field — itself among them, b= and all — and then
// itself with the b= value removed and no final CRLF (RFC 6376 §3.7,
// §5.4.2). The canonical header is the reference's, in both
// canonicalisations.
func TestHeaderDigestSignsItself(t *testing.T) {
	for _, c := range []string{"simple", "relaxed"} {
		t.Run(c, func(t *testing.T) {
			sigValue := " v=1; a=ed25519-sha256; c=" + c + "/simple; d=example.org; s=sel;\r\n" +
				"\th=DKIM-Signature:from:dkim-signature:From:DKIM-SIGNATURE:x-none;\r\n\tbh=YQ==; b=YWJj\r\n\tZGVm"
			hdr := "DKIM-Signature: v=1; d=other.example; b=old\r\n" +
				"From: a@example.org\r\n" +
				"DKIM-Signature:" + sigValue + "\r\n" +
				"FROM:  second \r\n"
			fs := splitFields(hdr, nil)
			f := &fs[2]
			sig, err := ParseSignature(f.value())
			if err != nil {
				t.Fatal(err)
			}
			hc := headerCanon{}
			hc.signedFields(fs, sig.Headers, sig.HeaderCanon)
			hc.add(f, sig.HeaderCanon, sig)

			v := f.value()
			cut := "DKIM-Signature:" + v[:sig.bStart] + v[sig.bEnd:] + "\r\n"
			var self string
			if sig.HeaderCanon == CanonicalizationRelaxed {
				self = refHeaderRelaxed(cut)
			} else {
				self = refHeaderSimple(cut)
			}
			want := refSignedFields(fs, sig.Headers, sig.HeaderCanon) + strings.TrimSuffix(self, "\r\n")
			if !strings.Contains(want, "b=YWJj") || !strings.HasSuffix(want, "b=") {
				t.Fatalf("reference does not sign the field itself with b= and then without: %q", want)
			}
			if string(hc.buf) != want {
				t.Errorf("canonical header\n got %q\nwant %q", hc.buf, want)
			}
		})
	}
}

// TestHeaderCanonSignatureFieldRandom: the DKIM-Signature field with its
// b= value and the whitespace around it removed (RFC 6376 §3.7), relaxed,
// is the reference canonicalisation of the field with that span cut out,
// for random folding and WSP around every tag, '=' and ';' and inside the
// b= value — the clean-line copy and the slow path meeting at the cut.
func TestHeaderCanonSignatureFieldRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	ws := []string{"", "", " ", "\t", "  ", " \t", "\r\n ", "\r\n\t", " \r\n  ", "\r\n \r\n\t"}
	w := func() string { return ws[rng.IntN(len(ws))] }
	tags := []string{"v=1", "a=rsa-sha256", "d=example.org", "s=sel", "h=from:to", "bh=YQ==", "c=relaxed/simple", "x=99999999999", "z=From:a@example.org|To:b"}
	for round := range 5000 {
		ts := slices.Clone(tags)
		rng.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
		ts = slices.Insert(ts, rng.IntN(len(ts)+1), "")
		var b strings.Builder
		for i, tag := range ts {
			if i > 0 || rng.IntN(2) == 0 {
				b.WriteString(w())
			}
			if tag == "" {
				b.WriteString("b" + w() + "=" + w() + "YWJj" + w() + "ZGVm" + w() + "Zw==" + w())
			} else {
				name, val, _ := strings.Cut(tag, "=")
				b.WriteString(name + w() + "=" + w() + val + w())
			}
			if i < len(ts)-1 || rng.IntN(2) == 0 {
				b.WriteString(";")
			}
		}
		b.WriteString(w())
		raw := "DKIM-Signature:" + strings.TrimRight(b.String(), "\r\n") + "\r\n"
		fs := splitFields(raw, nil)
		if len(fs) != 1 {
			continue // a WSP-only last line ended the field early
		}
		sig, err := ParseSignature(fs[0].value())
		if err != nil {
			t.Fatalf("round %d: %q: %v", round, raw, err)
		}
		var h headerCanon
		h.add(&fs[0], CanonicalizationRelaxed, sig)
		v := fs[0].value()
		cut := "DKIM-Signature:" + v[:sig.bStart] + v[sig.bEnd:] + "\r\n"
		if want := strings.TrimSuffix(refHeaderRelaxed(cut), "\r\n"); string(h.buf) != want {
			t.Fatalf("round %d: relaxed(%q)\n got %q\nwant %q", round, raw, h.buf, want)
		}
	}
}
