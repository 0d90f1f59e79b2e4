package dkim

import (
	"context"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// bodyReader produces size bytes of text lines without holding them.
type bodyReader struct {
	left int64
	line string
	off  int
}

func (r *bodyReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.left > 0 {
		k := copy(p[n:], r.line[r.off:])
		if int64(k) > r.left {
			k = int(r.left)
		}
		n += k
		r.left -= int64(k)
		r.off = (r.off + k) % len(r.line)
	}
	return n, nil
}

// TestVerifyStreamsBody: memory use of Sign and Verify does not grow with
// the body: a 16 MiB body costs about what a small one does.
func TestVerifyStreamsBody(t *testing.T) {
	if testing.Short() {
		t.Skip("long body")
	}
	_, ek := testKeys(t)
	const size = 16 << 20
	hdr := "From: alice@example.org\r\nSubject: big\r\n\r\n"
	body := func() io.Reader { return &bodyReader{left: size, line: "a line  of\ttext \r\n\r\n"} }
	s := &Signer{Domain: "example.org", Selector: "sel", Key: ek, Clock: testClock}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	h, err := s.Sign(io.MultiReader(strings.NewReader(hdr), body()))
	if err != nil {
		t.Fatal(err)
	}
	r := &mapResolver{}
	r.add("sel._domainkey.example.org", pubRecord(t, ek))
	v := &Verifier{Resolver: r, Clock: testClock}
	res, err := v.Verify(context.Background(), io.MultiReader(strings.NewReader(h+hdr), body()))
	runtime.ReadMemStats(&after)
	if err != nil || res[0].Status != StatusPass {
		t.Fatalf("%v %+v", err, res)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("Sign and Verify of a %d-byte body allocated %d bytes", size, alloc)
	}
}

// TestVerifyOddReaders: short reads, one byte at a time, and data with the
// final error must all give the same result.
func TestVerifyOddReaders(t *testing.T) {
	rk, _ := testKeys(t)
	signed := signWith(t, &Signer{Domain: "example.org", Selector: "sel", Key: rk, Clock: testClock}, roundTripMessages["trailing-blank-lines"])
	r := &mapResolver{}
	r.add("sel._domainkey.example.org", pubRecord(t, rk))
	v := &Verifier{Resolver: r, Clock: testClock}
	for name, rd := range map[string]func() io.Reader{
		"one byte": func() io.Reader { return iotest.OneByteReader(strings.NewReader(signed)) },
		"half":     func() io.Reader { return iotest.HalfReader(strings.NewReader(signed)) },
		"data+EOF": func() io.Reader { return iotest.DataErrReader(strings.NewReader(signed)) },
	} {
		res, err := v.Verify(context.Background(), rd())
		if err != nil || len(res) != 1 || res[0].Status != StatusPass {
			t.Errorf("%s: %v %+v", name, err, res)
		}
	}
	_, err := v.Verify(context.Background(), iotest.TimeoutReader(strings.NewReader(signed)))
	if err == nil {
		t.Error("a failing reader gave no error")
	}
}

// TestVerifyReadBufferGrowth: a new Verifier reads with a small buffer and
// moves to bigger chunks for a long body; bodies on either side of that
// point, read whole or in halves, verify.
func TestVerifyReadBufferGrowth(t *testing.T) {
	_, ek := testKeys(t)
	rec, _ := NewKeyRecord(ek.Public())
	r := &mapResolver{}
	r.add("sel._domainkey.example.org", rec.String())
	for _, size := range []int{firstRead - 200, firstRead, firstRead + 100, 2*firstRead + 1, readChunk + firstRead, 3 * readChunk} {
		msg := benchMessageMessy(size)
		s := &Signer{Domain: "example.org", Selector: "sel", Key: ek, Clock: testClock}
		h, err := s.Sign(strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		for _, half := range []bool{false, true} {
			var rd io.Reader = strings.NewReader(h + msg)
			if half {
				rd = iotest.HalfReader(rd)
			}
			v := &Verifier{Resolver: r, Clock: testClock}
			res, err := v.Verify(context.Background(), rd)
			if err != nil || len(res) != 1 || res[0].Status != StatusPass {
				t.Errorf("size %d, half reads %v: %v %+v", size, half, err, res)
			}
		}
	}
}

// TestReadHeaderFieldStarts: the field starts readHeader records while it
// reads agree with splitFields on the header it returns, however the
// reads cut the lines (continuation lines, bare LF and CR, a first line
// led by WSP, no empty line at all).
func TestReadHeaderFieldStarts(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	lines := []string{"From: a\r\n", "To: b\n", "\tcontinued\r\n", " also\n", "\rodd: x\r\n", "no colon\r\n", "X:\r\n", "Subject: s\r"}
	for n := range 2000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(lines[rng.IntN(len(lines))])
		}
		if rng.IntN(4) > 0 {
			b.WriteString([]string{"\r\n", "\n"}[rng.IntN(2)] + "body\r\n")
		}
		msg := b.String()
		var r io.Reader = strings.NewReader(msg)
		switch rng.IntN(3) {
		case 0:
			r = iotest.OneByteReader(r)
		case 1:
			r = iotest.HalfReader(r)
		}
		rd := reader{r: r, buf: make([]byte, 0, 1+rng.IntN(64)), maxHdr: defaultMaxHeaderBytes, maxLine: defaultMaxLineBytes}
		hdr, _, err := rd.readHeader(context.Background())
		if err != nil {
			t.Fatalf("case %d: %v", n, err)
		}
		got, want := fieldsAt(hdr, rd.starts, nil), splitFields(hdr, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("case %d, header %q: fields from starts %v\n%+v\nsplitFields\n%+v", n, hdr, rd.starts, got, want)
		}
	}
}
