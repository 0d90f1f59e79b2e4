package dkim

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// refBody is a plain, non-streaming rendering of RFC 6376 §3.4.3 and
// §3.4.4 (after bare LF is read as CRLF), to check bodyCanon against.
func refBody(body string, relaxed bool) string {
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if body[i] == '\n' && (i == 0 || body[i-1] != '\r') {
			b.WriteByte('\r')
		}
		b.WriteByte(body[i])
	}
	body = b.String()
	lines := strings.Split(body, "\r\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1] // the body ended with CRLF
	}
	wsp := regexp.MustCompile(`[ \t]+`)
	for i, l := range lines {
		if relaxed {
			l = wsp.ReplaceAllString(l, " ")
			l = strings.TrimRight(l, " ")
		}
		lines[i] = l
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		if relaxed {
			return ""
		}
		return "\r\n"
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

// canonChunks canonicalises body written in the given chunk sizes.
func canonChunks(body []byte, relaxed bool, limit int64, chunks []int) (string, int64) {
	var out bytes.Buffer
	c := newBodyCanon(relaxed, &out, limit)
	for i := 0; len(body) > 0; i++ {
		n := len(body)
		if len(chunks) > 0 {
			n = min(n, max(1, chunks[i%len(chunks)]))
		}
		c.Write(body[:n])
		body = body[n:]
	}
	n := c.finish()
	return out.String(), n
}

// TestBodyCanon checks the body canonicalisations of RFC 6376 §3.4.3 and
// §3.4.4, including the examples of §3.4.5.
func TestBodyCanon(t *testing.T) {
	tests := []struct {
		name, in, simple, relaxed string
	}{
		{"§3.4.5 example", " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n", " C\r\nD E\r\n"},
		{"empty body: simple is CRLF, relaxed empty", "", "\r\n", ""},
		{"only empty lines", "\r\n\r\n", "\r\n", ""},
		{"only whitespace lines", " \r\n\t\r\n", " \r\n\t\r\n", ""},
		{"no final CRLF", "a", "a\r\n", "a\r\n"},
		{"bare LF", "a\nb\n\n", "a\r\nb\r\n", "a\r\nb\r\n"},
		{"bare CR is content", "a\rb\r\n", "a\rb\r\n", "a\rb\r\n"},
		{"CR CR LF", "a\r\r\n", "a\r\r\n", "a\r\r\n"},
		{"final bare CR", "a\r", "a\r\r\n", "a\r\r\n"},
		{"inner empty lines kept", "a\r\n\r\n\r\nb\r\n", "a\r\n\r\n\r\nb\r\n", "a\r\n\r\n\r\nb\r\n"},
		{"leading empty lines kept", "\r\n\r\na\r\n", "\r\n\r\na\r\n", "\r\n\r\na\r\n"},
		{"leading whitespace becomes one SP", "  \t a  b\t\r\n", "  \t a  b\t\r\n", " a b\r\n"},
		{"8-bit bytes untouched", "caf\xc3\xa9 \xff\r\n", "caf\xc3\xa9 \xff\r\n", "caf\xc3\xa9 \xff\r\n"},
		{"form feed is not WSP", "a\f b\r\n", "a\f b\r\n", "a\f b\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, relaxed := range []bool{false, true} {
				want := tt.simple
				if relaxed {
					want = tt.relaxed
				}
				if ref := refBody(tt.in, relaxed); ref != want {
					t.Fatalf("reference(%q, relaxed=%v) = %q, want %q", tt.in, relaxed, ref, want)
				}
				for _, chunks := range [][]int{nil, {1}, {2}, {3, 1}} {
					got, n := canonChunks([]byte(tt.in), relaxed, -1, chunks)
					if got != want || n != int64(len(want)) {
						t.Errorf("canon(%q, relaxed=%v, chunks %v) = %q (%d), want %q", tt.in, relaxed, chunks, got, n, want)
					}
				}
			}
		})
	}
}

// TestBodyCanonLimit: l= cuts what reaches the hash, not the count.
func TestBodyCanonLimit(t *testing.T) {
	got, n := canonChunks([]byte("hello\r\nworld\r\n"), false, 7, nil)
	if got != "hello\r\n" || n != 14 {
		t.Errorf("got %q, %d", got, n)
	}
	got, n = canonChunks([]byte("hello\r\n"), true, 0, nil)
	if got != "" || n != 7 {
		t.Errorf("l=0: got %q, %d", got, n)
	}
}

// TestBodyCanonRandom compares the streaming canonicaliser with the
// reference on random bodies made of the bytes that matter, written in
// random chunks.
func TestBodyCanonRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// The second alphabet makes long lines, which take the eight-bytes-at-a-time paths.
	alphabets := [][]byte{[]byte("ab  \t\r\n\n\r\nxyz é"), []byte("abcdefghijklmnopqrstuvwxyz    \t\t!\x01\xff\r\n\r\n")}
	for n := range 6000 {
		alphabet := alphabets[n%2]
		body := make([]byte, rng.IntN(200))
		for i := range body {
			body[i] = alphabet[rng.IntN(len(alphabet))]
		}
		chunks := []int{1 + rng.IntN(20), 1 + rng.IntN(5), 1 + rng.IntN(70)}
		for _, relaxed := range []bool{false, true} {
			want := refBody(string(body), relaxed)
			got, _ := canonChunks(body, relaxed, -1, chunks)
			if got != want {
				t.Fatalf("canon(%q, relaxed=%v, chunks %v)\n got %q\nwant %q", body, relaxed, chunks, got, want)
			}
		}
	}
}

// TestBodyCanonBufferBoundary: bodies longer than the output buffer, with
// runs of empty and whitespace-only lines (held back as trailing until
// content follows) falling across the points where the buffer is handed
// on, and at the end.
func TestBodyCanonBufferBoundary(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"\r\n", "\r\n", " \t \r\n", "\n", "word  word\t\r\n", "x\r\n", "clean line here\r\n", " ", "\r"}
	for n := range 300 {
		var b strings.Builder
		size := canonBufSize/2 + rng.IntN(3*canonBufSize)
		for b.Len() < size {
			p := pieces[rng.IntN(len(pieces))]
			if rng.IntN(40) == 0 {
				p = strings.Repeat(p, 1+rng.IntN(3000)) // long runs: thousands of empty lines
			}
			b.WriteString(p)
		}
		body := []byte(b.String())
		chunks := []int{1 + rng.IntN(readChunk), 1 + rng.IntN(5000)}
		for _, relaxed := range []bool{false, true} {
			want := refBody(string(body), relaxed)
			got, cn := canonChunks(body, relaxed, -1, chunks)
			if got != want || cn != int64(len(want)) {
				t.Fatalf("case %d (relaxed=%v, chunks %v): canonical body of %d bytes differs from the reference (%d bytes)", n, relaxed, chunks, len(got), len(want))
			}
		}
	}
}

func TestRelaxedClean(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("abcdefgh  \t\x01\xff")
	for range 20000 {
		line := make([]byte, rng.IntN(40))
		for i := range line {
			line[i] = alphabet[rng.IntN(len(alphabet))]
		}
		want := len(line) > 0 && refBody(string(line)+"\r\n", true) == string(line)+"\r\n" && bytes.IndexByte(line, '\x01') < 0
		if got := relaxedClean(line); got != want {
			t.Fatalf("relaxedClean(%q) = %v, want %v", line, got, want)
		}
	}
}

// TestHeaderCanon checks §3.4.1 and §3.4.2, with the §3.4.5 example.
func TestHeaderCanon(t *testing.T) {
	tests := []struct {
		name, raw, simple, relaxed string
	}{
		{"§3.4.5 A", "A: X\r\n", "A: X\r\n", "a:X\r\n"},
		{"§3.4.5 B", "B : Y\t\r\n\tZ  \r\n", "B : Y\t\r\n\tZ  \r\n", "b:Y Z\r\n"},
		{"bare LF fold", "Subject: a\n b\n", "Subject: a\r\n b\r\n", "subject:a b\r\n"},
		{"empty value", "X-Empty:\r\n", "X-Empty:\r\n", "x-empty:\r\n"},
		{"no terminator (body-less message)", "From: a", "From: a\r\n", "from:a\r\n"},
		{"8-bit", "Subject: caf\xe9  x\r\n", "Subject: caf\xe9  x\r\n", "subject:caf\xe9 x\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := splitFields(tt.raw, nil)
			if len(fs) != 1 {
				t.Fatalf("%d fields", len(fs))
			}
			for _, c := range []Canonicalization{CanonicalizationSimple, CanonicalizationRelaxed} {
				var h headerCanon
				h.add(&fs[0], c, nil)
				want := tt.simple
				if c == CanonicalizationRelaxed {
					want = tt.relaxed
				}
				if string(h.buf) != want {
					t.Errorf("%v: %q, want %q", c, h.buf, want)
				}
			}
		})
	}
}

// TestSignedFields: fields are taken bottom-up, one instance per h= entry,
// and entries with no instance left add nothing (RFC 6376 §5.4.2).
func TestSignedFields(t *testing.T) {
	fs := splitFields("Received: 1\r\nTo: first\r\nSubject: s\r\nTo: second\r\n", nil)
	var h headerCanon
	h.signedFields(fs, []string{"to", "TO", "to", "subject", "x-missing"}, CanonicalizationRelaxed)
	want := "to:second\r\nto:first\r\nsubject:s\r\n"
	if string(h.buf) != want {
		t.Errorf("got %q, want %q", h.buf, want)
	}
}

// refHeaderRelaxed is a plain rendering of RFC 6376 §3.4.2 for one field
// with a colon: name lower-cased, line breaks (CRLF, a bare LF read as
// one, and a CR that ends the field) removed, WSP runs made one SP, WSP
// removed at the ends of the value and around the colon.
func refHeaderRelaxed(raw string) string {
	colon := strings.IndexByte(raw, ':')
	name := strings.ToLower(strings.TrimRight(raw[:colon], " \t"))
	v := raw[colon+1:]
	v = strings.TrimSuffix(v, "\n")
	v = strings.TrimSuffix(v, "\r")
	v = regexp.MustCompile(`\r?\n`).ReplaceAllString(v, "")
	v = regexp.MustCompile(`[ \t]+`).ReplaceAllString(v, " ")
	return name + ":" + strings.Trim(v, " ") + "\r\n"
}

// TestHeaderCanonRandom compares relaxed header canonicalisation with the
// reference on random folded fields, short and long (the long ones take
// the eight-bytes-at-a-time path).
func TestHeaderCanonRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := []byte("abcdefghij  \t\t\r\x01\xff!")
	for n := range 5000 {
		var b strings.Builder
		b.WriteString("X-Test \t:")
		for range 1 + rng.IntN(4) {
			for range rng.IntN(10 + 40*(n%2)) {
				b.WriteByte(alphabet[rng.IntN(len(alphabet))])
			}
			b.WriteString([]string{"\r\n ", "\r\n\t", "\n "}[rng.IntN(3)])
		}
		b.WriteString("end\r\n")
		raw := b.String()
		fs := splitFields(raw, nil)
		if len(fs) != 1 {
			t.Fatalf("%q: %d fields", raw, len(fs))
		}
		var h headerCanon
		h.add(&fs[0], CanonicalizationRelaxed, nil)
		if want := refHeaderRelaxed(raw); string(h.buf) != want {
			t.Fatalf("relaxed(%q)\n got %q\nwant %q", raw, h.buf, want)
		}
	}
}

// TestBodyCanonMessyLineRuns guards the relaxed path that goes on from one
// changed line to the next (foldWSP with lines set): runs of whole lines
// that need work, lines led by WSP, WSP-only and empty lines among and
// after them, lines that need none, in chunks that cut anywhere.
func TestBodyCanonMessyLineRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	lines := append([]string{
		"\r\n", " \t\r\n", "  \r\n", "clean line\r\n", "x\r\n", "\tled by a tab  and  runs\t\r\n",
		"  led by spaces\r\n", "ends in WSP \t \r\n", "ctl\x01 in  it\r\n", "bare\rCR  \r\n", "bare LF  \n",
	}, messyLines...)
	for n := range 3000 {
		var b strings.Builder
		for range 1 + rng.IntN(30) {
			b.WriteString(lines[rng.IntN(len(lines))])
		}
		body := []byte(b.String())
		chunks := []int{1 + rng.IntN(200), 1 + rng.IntN(9), len(body)}
		want := refBody(string(body), true)
		if got, _ := canonChunks(body, true, -1, chunks); got != want {
			t.Fatalf("case %d, chunks %v: canon(%q)\n got %q\nwant %q", n, chunks, body, got, want)
		}
	}
}

// TestHeaderCanonSignatureField: the DKIM-Signature field being verified,
// canonicalised relaxed with its b= value left out (RFC 6376 §3.7), is the
// reference canonicalisation of the field with that value cut out, without
// the final CRLF: folded lines that need no work, lines that do, and WSP
// on either side of the b= value.
func TestHeaderCanonSignatureField(t *testing.T) {
	const head = "v=1; a=rsa-sha256; d=example.org; s=sel; h=from:to;\r\n\tbh=YQ==; "
	for _, tt := range []struct{ name, value string }{
		{"b= last, folded", head + "b=YWJj\r\n\tZGVm\r\n\tZw=="},
		{"b= first", "b=YWJj\r\n\tZGVm ; " + head},
		{"WSP around b=", head + "b =  YWJj\t; z=a"},
		{"folds that need work", "v=1;  a=rsa-sha256;\t d=example.org;\r\n \t s=sel; \r\n\th=from ;\r\n\tbh=YQ==; b=YWJj \r\n\t"},
		{"fold before b=", head + "\r\n\tb=YWJj\r\n\t; x=99999999999"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw := "DKIM-Signature: " + tt.value + "\r\n"
			fs := splitFields(raw, nil)
			if len(fs) != 1 {
				t.Fatalf("%d fields", len(fs))
			}
			sig, err := ParseSignature(fs[0].value())
			if err != nil {
				t.Fatal(err)
			}
			var h headerCanon
			h.add(&fs[0], CanonicalizationRelaxed, sig)
			v := fs[0].value()
			cut := "DKIM-Signature:" + v[:sig.bStart] + v[sig.bEnd:] + "\r\n"
			if want := strings.TrimSuffix(refHeaderRelaxed(cut), "\r\n"); string(h.buf) != want {
				t.Errorf("relaxed(%q)\n got %q\nwant %q", raw, h.buf, want)
			}
		})
	}
}
