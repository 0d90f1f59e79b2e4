package dkim

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
)

const verifyMsg = "From: alice@example.org\r\nTo: bob@example.net\r\nSubject: hi\r\n\r\nHello.\r\n"

// signWith returns verifyMsg signed by s.
func signWith(t *testing.T, s *Signer, msg string) string {
	t.Helper()
	h, err := s.Sign(strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	return h + msg
}

func pubRecord(t *testing.T, k crypto.Signer) string {
	t.Helper()
	rec, err := NewKeyRecord(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return rec.String()
}

// TestVerifyStatuses covers each way a signature can end, with the RFC
// rule behind it.
func TestVerifyStatuses(t *testing.T) {
	rk, ek := testKeys(t)
	rsaRec, edRec := pubRecord(t, rk), pubRecord(t, ek)
	p := func(rec string) string { return rec[strings.Index(rec, "p="):] }
	rsaSigned := signWith(t, &Signer{Domain: "example.org", Selector: "sel", Key: rk, Clock: testClock}, verifyMsg)
	edSigned := signWith(t, &Signer{Domain: "example.org", Selector: "sel", Key: ek, Clock: testClock}, verifyMsg)
	subSigned := signWith(t, &Signer{Domain: "example.org", Selector: "sel", Key: ek, Identity: "@mail.example.org", Clock: testClock}, verifyMsg)
	expiring := signWith(t, &Signer{Domain: "example.org", Selector: "sel", Key: ek, Clock: testClock, Expiration: time.Hour}, verifyMsg)
	sha1Signed := strings.Replace(rsaSigned, "a=rsa-sha256", "a=rsa-sha1", 1)
	noBH := strings.Replace(edSigned, "bh=", "xh=", 1)
	badD := strings.Replace(edSigned, "d=example.org", "d=exa_mple.org", 1)

	tests := []struct {
		name    string
		msg     string
		records []string
		fail    bool // DNS temporary failure
		clock   time.Duration
		minBits int
		want    Status
		err     error
		testing bool
	}{
		{"pass rsa", rsaSigned, []string{rsaRec}, false, 0, 0, StatusPass, nil, false},
		{"pass ed25519 (RFC 8463)", edSigned, []string{edRec}, false, 0, 0, StatusPass, nil, false},
		{"§6.1.2: no key record", edSigned, nil, false, 0, 0, StatusPermError, ErrNoKey, false},
		{"§6.1.2: DNS failure is temperror", edSigned, nil, true, 0, 0, StatusTempError, nil, false},
		{"two key records", edSigned, []string{edRec, edRec}, false, 0, 0, StatusPermError, ErrMultipleKeys, false},
		{"§3.6.1: revoked key", edSigned, []string{"v=DKIM1; k=ed25519; p="}, false, 0, 0, StatusPermError, ErrKeyRevoked, false},
		{"§3.6.1: malformed key record", edSigned, []string{"v=DKIM1; k=ed25519; p=!!"}, false, 0, 0, StatusPermError, ErrKeySyntax, false},
		{"§3.6.1: unknown k=", edSigned, []string{"v=DKIM1; k=dsa; " + p(edRec)}, false, 0, 0, StatusPermError, ErrKeyUnknownType, false},
		{"§6.1.2: k= does not fit a=", rsaSigned, []string{"v=DKIM1; k=ed25519; " + p(edRec)}, false, 0, 0, StatusPermError, ErrKeyMismatch, false},
		{"§6.1.2: h= excludes sha256", rsaSigned, []string{"v=DKIM1; h=sha1; " + p(rsaRec)}, false, 0, 0, StatusPermError, ErrKeyMismatch, false},
		{"§3.6.1: s= without email", rsaSigned, []string{"v=DKIM1; s=tlsrpt; " + p(rsaRec)}, false, 0, 0, StatusPermError, ErrKeyMismatch, false},
		{"§3.6.1: t=s and i= in a subdomain", subSigned, []string{"v=DKIM1; k=ed25519; t=s; " + p(edRec)}, false, 0, 0, StatusPermError, ErrKeyMismatch, false},
		{"§3.6.1: t=s and i= in d= itself", edSigned, []string{"v=DKIM1; k=ed25519; t=s; " + p(edRec)}, false, 0, 0, StatusPass, nil, false},
		{"§3.6.1: t=y is reported", edSigned, []string{"v=DKIM1; k=ed25519; t=y; " + p(edRec)}, false, 0, 0, StatusPass, nil, true},
		{"§3.5 x=: not yet expired", expiring, []string{edRec}, false, 59 * time.Minute, 0, StatusPass, nil, false},
		{"§3.5 x=: expired", expiring, []string{edRec}, false, 61 * time.Minute, 0, StatusPermError, ErrExpired, false},
		{"RFC 8301 §3.1: rsa-sha1", sha1Signed, []string{rsaRec}, false, 0, 0, StatusPolicy, ErrSHA1, false},
		{"RFC 8301 §3.2: key shorter than the minimum", rsaSigned, []string{rsaRec}, false, 0, 3072, StatusPolicy, ErrKeyTooShort, false},
		{"§6.1.1: required bh= missing", noBH, []string{edRec}, false, 0, 0, StatusPermError, ErrSignatureSyntax, false},
		{"§3.5 d=: not a domain name, no DNS query", badD, []string{edRec}, false, 0, 0, StatusPermError, ErrSignatureSyntax, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &mapResolver{fail: map[string]bool{}}
			for _, rec := range tt.records {
				r.add("sel._domainkey.example.org", rec)
			}
			if tt.fail {
				r.fail["sel._domainkey.example.org"] = true
			}
			v := &Verifier{Resolver: r, Clock: domainauth.FixedClock(time.Time(testClock).Add(tt.clock)), MinRSABits: tt.minBits}
			res, err := v.Verify(context.Background(), strings.NewReader(tt.msg))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if len(res) != 1 {
				t.Fatalf("%d results", len(res))
			}
			g := res[0]
			if g.Status != tt.want || (tt.err != nil && !errors.Is(g.Err, tt.err)) || g.Testing != tt.testing {
				t.Errorf("got %v (%v) testing=%v, want %v (%v) testing=%v", g.Status, g.Err, g.Testing, tt.want, tt.err, tt.testing)
			}
			if (g.Status == StatusPass) != (g.Err == nil) {
				t.Errorf("status %v with error %v", g.Status, g.Err)
			}
			if g.Domain == "" || g.Selector != "sel" {
				t.Errorf("d=%q s=%q", g.Domain, g.Selector)
			}
		})
	}
}

func TestVerifyDetails(t *testing.T) {
	rk, _ := testKeys(t)
	signed := signWith(t, &Signer{Domain: "example.org", Selector: "sel", Key: rk, Identity: "alice@example.org", Clock: testClock}, verifyMsg)
	r := &mapResolver{}
	r.add("sel._domainkey.example.org", pubRecord(t, rk))
	res, err := (&Verifier{Resolver: r}).Verify(context.Background(), strings.NewReader(signed))
	if err != nil {
		t.Fatal(err)
	}
	g := res[0]
	if g.Status != StatusPass || g.Identity != "alice@example.org" || g.Algorithm != AlgorithmRSASHA256 || g.KeyBits != 2048 ||
		g.BodyLength != -1 || g.Key == nil || g.Signature == nil {
		t.Errorf("%+v", g)
	}
}

// TestVerifyMaxSignatures: signatures past the limit are neutral, not verified.
func TestVerifyMaxSignatures(t *testing.T) {
	_, ek := testKeys(t)
	s := &Signer{Domain: "example.org", Selector: "sel", Key: ek, Clock: testClock}
	msg := signWith(t, s, verifyMsg)
	msg = signWith(t, s, msg)
	msg = signWith(t, s, msg)
	r := &mapResolver{}
	r.add("sel._domainkey.example.org", pubRecord(t, ek))
	res, err := (&Verifier{Resolver: r, MaxSignatures: 2}).Verify(context.Background(), strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	want := []Status{StatusPass, StatusPass, StatusNeutral}
	for i, g := range res {
		if g.Status != want[i] {
			t.Errorf("sig %d: %v (%v), want %v", i, g.Status, g.Err, want[i])
		}
	}
	if !errors.Is(res[2].Err, ErrTooManySignatures) || res[2].Domain != "example.org" {
		t.Errorf("third: %+v", res[2])
	}
}

// TestVerifyManySignaturesMemory: a header section as large as the
// default MaxHeaderBytes allows, made of nothing but signature fields,
// costs memory in proportion to its size and no more: signatures past
// the default MaxSignatures keep no parsed form (each took about 1 KiB).
func TestVerifyManySignaturesMemory(t *testing.T) {
	const field = "DKIM-Signature: d=example.org; s=x\r\n"
	n := (defaultMaxHeaderBytes - 64) / len(field)
	msg := strings.Repeat(field, n) + "From: a@example.org\r\n\r\nbody\r\n"
	v := &Verifier{Resolver: &mapResolver{}}
	var res []Verification
	var err error
	allocated := bytesAllocated(func() {
		res, err = v.Verify(context.Background(), strings.NewReader(msg))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != n {
		t.Fatalf("%d results, want %d", len(res), n)
	}
	for i, r := range res {
		want := StatusPermError // v=, a=, b=, bh= and h= are missing
		if i >= 8 {
			want = StatusNeutral
		}
		if r.Status != want || r.Domain != "example.org" || r.Selector != "x" {
			t.Fatalf("signature %d: %v %q %q (%v), want %v naming example.org and x", i, r.Status, r.Domain, r.Selector, r.Err, want)
		}
		if i >= 8 && r.Signature != nil {
			t.Fatalf("signature %d past MaxSignatures kept its parsed form", i)
		}
	}
	// The header's copy and its index of fields, both grown by doubling,
	// and a result of about 128 bytes per 37-byte field: 4.4 MB, about 17
	// times the header (11.6 MB, 44 times, when every signature kept its
	// parsed form).
	if limit := uint64(20 * len(msg)); allocated > limit {
		t.Errorf("Verify allocated %d bytes for a %d-byte header of %d signatures, want at most %d", allocated, len(msg), n, limit)
	}
}

// bytesAllocated returns the bytes f allocates on the heap.
func bytesAllocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestVerifyMessageErrors: problems with the message as a whole come back
// as the error of Verify.
func TestVerifyMessageErrors(t *testing.T) {
	r := &mapResolver{}
	tests := []struct {
		name string
		v    Verifier
		msg  string
		ctx  func() context.Context
		want error
	}{
		{"header too large", Verifier{Resolver: r, MaxHeaderBytes: 100}, "From: a@b\r\n" + strings.Repeat("X-A: b\r\n", 100) + "\r\n", nil, ErrHeaderTooLarge},
		{"line too long", Verifier{Resolver: r, MaxLineBytes: 50}, "From: a@b\r\nSubject: " + strings.Repeat("x", 100) + "\r\n\r\n", nil, ErrLineTooLong},
		{"line too long, no end", Verifier{Resolver: r, MaxLineBytes: 50}, "Subject: " + strings.Repeat("x", 100), nil, ErrLineTooLong},
		{"cancelled", Verifier{Resolver: r}, "From: a@b\r\n\r\n", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx()
			}
			_, err := tt.v.Verify(ctx, strings.NewReader(tt.msg))
			if !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyUnsignedAndOdd(t *testing.T) {
	v := &Verifier{Resolver: &mapResolver{}}
	for _, msg := range []string{"", "\r\n", "\n\nbody", "From: a@b\r\n\r\nbody", "From: a@b", "no colon line\r\n\r\n"} {
		res, err := v.Verify(context.Background(), strings.NewReader(msg))
		if err != nil || len(res) != 0 {
			t.Errorf("Verify(%q) = %v, %v", msg, res, err)
		}
	}
	if got := joinResults(AuthResults(nil)); got != "dkim=none" {
		t.Errorf("AuthResults(nil) = %q", got)
	}
}

func TestVerifyNoResolver(t *testing.T) {
	_, ek := testKeys(t)
	res, err := (&Verifier{}).Verify(context.Background(), strings.NewReader(signWith(t, &Signer{Domain: "example.org", Selector: "sel", Key: ek}, verifyMsg)))
	if err != nil || res[0].Status != StatusTempError {
		t.Errorf("%v %+v", err, res)
	}
}

// TestVerifyKeyCache: the cache holds parsed keys by TXT text, stays
// bounded, and a changed record is parsed afresh.
func TestVerifyKeyCache(t *testing.T) {
	rk, ek := testKeys(t)
	signed := signWith(t, &Signer{Domain: "example.org", Selector: "sel", Key: ek}, verifyMsg)
	r := &mapResolver{}
	r.add("sel._domainkey.example.org", pubRecord(t, ek))
	v := &Verifier{Resolver: r, KeyCacheSize: 2}
	for i := range 5 {
		res, _ := v.Verify(context.Background(), strings.NewReader(signed))
		if res[0].Status != StatusPass {
			t.Fatalf("round %d: %v", i, res[0].Err)
		}
		// Rotate to a different text for the same key.
		r.txt["sel._domainkey.example.org"] = []string{pubRecord(t, ek) + strings.Repeat(" ", i+1)}
	}
	if n := len(v.inner.Load().(*verifierInner).keys); n > 2 {
		t.Errorf("cache holds %d keys", n)
	}
	r.txt["sel._domainkey.example.org"] = []string{pubRecord(t, rk)}
	res, _ := v.Verify(context.Background(), strings.NewReader(signed))
	if res[0].Status == StatusPass {
		t.Error("verified with a replaced key")
	}
}

func TestStatusString(t *testing.T) {
	want := map[Status]string{StatusNone: "none", StatusPass: "pass", StatusFail: "fail", StatusNeutral: "neutral", StatusTempError: "temperror", StatusPermError: "permerror", StatusPolicy: "policy", 99: "unknown"}
	for s, w := range want {
		if s.String() != w {
			t.Errorf("%d: %q, want %q", s, s.String(), w)
		}
	}
}

// TestVerifyConcurrent shares one Verifier (its key cache and buffers)
// between goroutines; run with -race.
func TestVerifyConcurrent(t *testing.T) {
	rk, ek := testKeys(t)
	r := &mapResolver{}
	r.add("rsa._domainkey.example.org", pubRecord(t, rk))
	r.add("ed._domainkey.example.org", pubRecord(t, ek))
	msgs := []string{
		signWith(t, &Signer{Domain: "example.org", Selector: "rsa", Key: rk}, verifyMsg),
		signWith(t, &Signer{Domain: "example.org", Selector: "ed", Key: ek, BodyCanon: CanonicalizationSimple}, roundTripMessages["bare-lf"]),
	}
	v := &Verifier{Resolver: r}
	done := make(chan error)
	for g := range 8 {
		go func() {
			for i := range 20 {
				res, err := v.Verify(context.Background(), strings.NewReader(msgs[(g+i)%2]))
				if err == nil && (len(res) != 1 || res[0].Status != StatusPass) {
					err = fmt.Errorf("%v %v", res[0].Status, res[0].Err)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestIdentitiesCutFromOneString: the AUID and key name Verify cuts from
// one concatenation are what AUID and keyName give, with i= and without.
func TestIdentitiesCutFromOneString(t *testing.T) {
	for _, tt := range []struct{ name, value string }{
		{"no i=", "v=1; a=ed25519-sha256; d=example.org; s=sel; h=from; bh=; b="},
		{"i=", "v=1; a=ed25519-sha256; d=example.org; s=sel; i=joe@mail.example.org; h=from; bh=; b="},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := ParseSignature(tt.value)
			if err != nil {
				t.Fatal(err)
			}
			auid, name := identities(sig)
			want, _ := keyName(sig.Selector, sig.Domain)
			if auid != sig.AUID() || name != want {
				t.Errorf("identities = %q, %q; want %q, %q", auid, name, sig.AUID(), want)
			}
		})
	}
}

// TestAuthResultsPastMaxSignatures: a signature past the default
// MaxSignatures, which keeps no parsed form, still gets its header.b in
// AuthResults, so that neutral results of one d= and s= stay told apart
// (RFC 6008 §4).
func TestAuthResultsPastMaxSignatures(t *testing.T) {
	var msg strings.Builder
	for i := range 10 {
		fmt.Fprintf(&msg, "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=x; h=from; bh=AAAA; b=QUJD REVG%02d\r\n", i)
	}
	msg.WriteString("From: a@example.org\r\n\r\nbody\r\n")
	res, err := (&Verifier{Resolver: &mapResolver{}}).Verify(context.Background(), strings.NewReader(msg.String()))
	if err != nil || len(res) != 10 {
		t.Fatalf("Verify: %d results, %v; want 10", len(res), err)
	}
	for i, m := range AuthResults(res) {
		want := fmt.Sprintf("QUJDREVG%02d", i) // all ten share their first eight characters
		if b, _ := m.Prop("header", "b"); b != want {
			t.Errorf("signature %d (%v): header.b %q, want %q", i, res[i].Status, b, want)
		}
	}
}

// TestPutStateKeepsNoSignature: a pooled verifyState keeps nothing of the
// last message, also not the scratch parse of a signature past
// MaxSignatures (its strings would keep the whole header alive).
func TestPutStateKeepsNoSignature(t *testing.T) {
	in := &verifierInner{}
	st := in.getState()
	parseSignature("d=example.org; s=x; b=QUJD", &st.spare)
	in.putState(st)
	if sig := st.spare.sig; sig.Domain != "" || sig.bRaw != "" || sig.Value != nil {
		t.Errorf("pooled state keeps a parsed signature: %+v", sig)
	}
}
