package dkim

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// RFC 8616 (email authentication for internationalised mail) as it binds
// DKIM: §3 (U-labels become A-labels before a DNS query) and §5 (d=, i=
// and s= may be U-labels, i= may have a UTF-8 local part, dkim-safe-char
// takes UTF-8, the hash covers the field as written, relaxed header
// canonicalisation lower-cases ASCII only, key records are unchanged).

// queryLog is a Resolver that records the TXT names asked.
type queryLog struct {
	mapResolver
	asked []string
}

func (q *queryLog) LookupTXT(ctx context.Context, name string) ([]string, error) {
	q.asked = append(q.asked, name)
	return q.mapResolver.LookupTXT(ctx, name)
}

func (q *queryLog) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	return q.mapResolver.LookupMX(ctx, name)
}

func (q *queryLog) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return q.mapResolver.LookupNetIP(ctx, network, host)
}

func (q *queryLog) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	return q.mapResolver.LookupAddr(ctx, addr)
}

const eaiMsg = "From: J\u00fcrgen <j\u00fcrgen@b\u00fccher.example>\r\n" +
	"To: \u5c0f\u660e@\u4f8b\u3048.example\r\n" +
	"Subject: Gr\u00fc\u00dfe \u00c4\u00d6\u00dc\u00a0end\r\n\r\nHallo \u00e4\u00f6\u00fc.\r\n"

// TestRFC8616Section5Verify signs with U-labels and UTF-8 identities,
// verifies, and checks which key names were asked.
func TestRFC8616Section5Verify(t *testing.T) {
	rk, ek := testKeys(t)
	tests := []struct {
		name   string
		s      Signer
		keyAt  string // the A-label name the key is published at
		tamper func(string) string
		want   Status
		err    error
		inSig  string // a tag as it must appear in the field, unquoted
	}{
		{name: "§5 d= U-label, key asked at the A-label name (§3)",
			s:     Signer{Domain: "b\u00fccher.example", Selector: "sel", Key: ek},
			keyAt: "sel._domainkey.xn--bcher-kva.example", want: StatusPass, inSig: "d=b\u00fccher.example"},
		{name: "§5 s= U-label",
			s:     Signer{Domain: "example.org", Selector: "schl\u00fcssel", Key: ek},
			keyAt: "xn--schlssel-95a._domainkey.example.org", want: StatusPass, inSig: "s=schl\u00fcssel"},
		{name: "§5 i= UTF-8 local part written unquoted (dkim-safe-char)",
			s:     Signer{Domain: "b\u00fccher.example", Selector: "sel", Key: rk, Identity: "j\u00fcrgen@b\u00fccher.example"},
			keyAt: "sel._domainkey.xn--bcher-kva.example", want: StatusPass, inSig: "i=j\u00fcrgen@b\u00fccher.example"},
		{name: "§5 i= U-label subdomain of an A-label d=",
			s:     Signer{Domain: "xn--bcher-kva.example", Selector: "sel", Key: ek, Identity: "\u5c0f\u660e@mail.b\u00fccher.example"},
			keyAt: "sel._domainkey.xn--bcher-kva.example", want: StatusPass, inSig: "i=\u5c0f\u660e@mail.b\u00fccher.example"},
		{name: "§5 i= A-label within a U-label d=",
			s:     Signer{Domain: "B\u00dcCHER.example", Selector: "sel", Key: ek, Identity: "@xn--bcher-kva.example"},
			keyAt: "sel._domainkey.xn--bcher-kva.example", want: StatusPass},
		{name: "§5 i= quoted-printable UTF-8 decodes to the same identity",
			s:     Signer{Domain: "b\u00fccher.example", Selector: "sel", Key: ek, Identity: "j\u00fcrgen;x@b\u00fccher.example"},
			keyAt: "sel._domainkey.xn--bcher-kva.example", want: StatusPass, inSig: "i=j\u00fcrgen=3Bx@b\u00fccher.example"},
		{name: "§5 the hash covers d= as written: U-label replaced by its A-label fails",
			s:     Signer{Domain: "b\u00fccher.example", Selector: "sel", Key: ek},
			keyAt: "sel._domainkey.xn--bcher-kva.example",
			tamper: func(m string) string {
				return strings.Replace(m, "d=b\u00fccher.example", "d=xn--bcher-kva.example", 1)
			},
			want: StatusFail, err: ErrBadSignature},
		{name: "§5 the hash covers i= as written: UTF-8 replaced by quoted-printable fails",
			s:      Signer{Domain: "example.org", Selector: "sel", Key: ek, Identity: "j\u00fcrgen@example.org"},
			keyAt:  "sel._domainkey.example.org",
			tamper: func(m string) string { return strings.Replace(m, "i=j\u00fcrgen@", "i=j=C3=BCrgen@", 1) },
			want:   StatusFail, err: ErrBadSignature},
		{name: "§5 relaxed header canonicalisation keeps non-ASCII bytes: altering one fails",
			s:      Signer{Domain: "example.org", Selector: "sel", Key: ek},
			keyAt:  "sel._domainkey.example.org",
			tamper: func(m string) string { return strings.Replace(m, "\u00c4\u00d6\u00dc", "\u00e4\u00f6\u00fc", 1) },
			want:   StatusFail, err: ErrBadSignature},
		{name: "§5 relaxed header canonicalisation: NBSP is not WSP",
			s:      Signer{Domain: "example.org", Selector: "sel", Key: ek},
			keyAt:  "sel._domainkey.example.org",
			tamper: func(m string) string { return strings.Replace(m, "\u00a0end", " end", 1) },
			want:   StatusFail, err: ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.Clock = testClock
			h, err := tt.s.Sign(strings.NewReader(eaiMsg))
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if tt.inSig != "" && !strings.Contains(h, tt.inSig) {
				t.Errorf("field lacks %q:\n%s", tt.inSig, h)
			}
			msg := h + eaiMsg
			if tt.tamper != nil {
				msg = tt.tamper(msg)
			}
			r := &queryLog{}
			r.add(tt.keyAt, pubRecord(t, tt.s.Key))
			v := &Verifier{Resolver: r, Clock: testClock}
			res, err := v.Verify(context.Background(), strings.NewReader(msg))
			if err != nil || len(res) != 1 {
				t.Fatalf("Verify: %v, %d results", err, len(res))
			}
			g := res[0]
			if g.Status != tt.want || (tt.err != nil && !errors.Is(g.Err, tt.err)) {
				t.Fatalf("got %v (%v), want %v (%v)\n%s", g.Status, g.Err, tt.want, tt.err, msg)
			}
			if !slices.Equal(r.asked, []string{tt.keyAt}) {
				t.Errorf("asked %q, want only %q", r.asked, tt.keyAt)
			}
			// Results report the identities as written in the field.
			if tt.tamper == nil && g.Domain != tt.s.Domain || g.Selector != tt.s.Selector {
				t.Errorf("Domain, Selector = %q, %q; want %q, %q", g.Domain, g.Selector, tt.s.Domain, tt.s.Selector)
			}
			if want := tt.s.Identity; want != "" && g.Identity != want {
				t.Errorf("Identity = %q, want %q", g.Identity, want)
			}
		})
	}
}

// TestRFC8616Section5Parse checks ParseSignature on internationalised
// d=, i= and s= values: what is accepted, and the tag and offset named
// when a value is refused. No DNS query is made for a refused signature.
func TestRFC8616Section5Parse(t *testing.T) {
	const base = "v=1; a=ed25519-sha256; d=b\u00fccher.example; s=sel; h=from; bh=YQ==; b=YQ=="
	tests := []struct {
		name     string
		in       string
		identity string // wanted i= (decoded) when accepted
		tag      string // "" when accepted
		offset   int
		msg      string // part of the error message
	}{
		{name: "§5 d= U-label", in: base},
		{name: "§5 i= UTF-8 local part, U-label domain", in: base + "; i=j\u00fcrgen@b\u00fccher.example", identity: "j\u00fcrgen@b\u00fccher.example"},
		{name: "§5 i= quoted-printable UTF-8 (RFC 6376 §2.11 still valid)", in: base + "; i=j=C3=BCrgen@b\u00fccher.example", identity: "j\u00fcrgen@b\u00fccher.example"},
		{name: "§5 i= A-label domain within U-label d=", in: base + "; i=@mail.xn--bcher-kva.example", identity: "@mail.xn--bcher-kva.example"},
		{name: "§5 i= upper-case U-label maps for the comparison", in: base + "; i=@MAIL.B\u00dcCHER.example", identity: "@MAIL.B\u00dcCHER.example"},
		{name: "§5 s= U-label", in: strings.Replace(base, "s=sel", "s=schl\u00fcssel", 1)},
		{name: "§3 i= domain outside d= after conversion", in: base + "; i=@xn--bcher-kva.example.net",
			tag: "i", offset: len(base) + 4, msg: "not within d="},
		{name: "§5 i= invalid U-label domain", in: base + "; i=a@a\u05d0.b\u00fccher.example",
			tag: "i", offset: len(base) + 4, msg: "not a valid domain name"},
		{name: "§5 i= quoted-printable that decodes to invalid UTF-8", in: base + "; i=j=C3@b\u00fccher.example",
			tag: "i", offset: len(base) + 4, msg: "not valid UTF-8"},
		{name: "§5 i= raw invalid UTF-8", in: base + "; i=j\xc3@b\u00fccher.example",
			tag: "", offset: len(base) + 5, msg: "invalid UTF-8"},
		{name: "§5 d= not a valid U-label (Bidi rule)", in: strings.Replace(base, "d=b\u00fccher.example", "d=a\u05d0.example", 1),
			tag: "d", offset: strings.Index(base, "d=") + 2, msg: "not a valid internationalised name"},
		{name: "§5 d= U-label whose A-label is too long", in: strings.Replace(base, "d=b\u00fccher.example", "d="+strings.Repeat("\u00fc", 60)+".example", 1),
			tag: "d", offset: strings.Index(base, "d=") + 2, msg: "not a valid internationalised name"},
		{name: "§5 d= with U-labels just past 1,012 octets is refused before IDNA", in: strings.Replace(base, "d=b\u00fccher.example", "d="+strings.Repeat("\u00fc.", 337)+"ee", 1),
			tag: "d", offset: strings.Index(base, "d=") + 2, msg: "1013 octets with U-labels"},
		{name: "§5 d= U-label with a trailing dot", in: strings.Replace(base, "d=b\u00fccher.example", "d=b\u00fccher.example.", 1),
			tag: "d", offset: strings.Index(base, "d=") + 2, msg: "empty label"},
		{name: "§5 d= mapping cannot smuggle in a parenthesis", in: strings.Replace(base, "d=b\u00fccher.example", "d=b\u00fccher.example\uff08.attacker.example", 1),
			tag: "d", offset: strings.Index(base, "d=") + 2, msg: "invalid character '('"},
		{name: "§5 s= U-label with a space", in: strings.Replace(base, "s=sel", "s=s\u00fc\u3000l", 1),
			tag: "s", offset: strings.Index(base, "s=") + 2, msg: "selector"},
		{name: "§5 UTF-8 is still refused where a tag's grammar is ASCII (h=)", in: strings.Replace(base, "h=from", "h=from:\u00fcber", 1),
			tag: "h", offset: strings.Index(base, "h=") + 2, msg: "not a header field name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := ParseSignature(tt.in)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("ParseSignature(%q): %v", tt.in, err)
				}
				if sig.Identity != tt.identity {
					t.Errorf("Identity = %q, want %q", sig.Identity, tt.identity)
				}
				// The String form writes UTF-8 unquoted and parses back equal.
				again, err := ParseSignature(sig.String())
				if err != nil || again.Identity != sig.Identity || again.Domain != sig.Domain || again.Selector != sig.Selector {
					t.Errorf("String %q parses back to %+v, %v", sig.String(), again, err)
				}
				return
			}
			var se *SignatureError
			if !errors.As(err, &se) || !errors.Is(err, ErrSignatureSyntax) {
				t.Fatalf("ParseSignature(%q) = %v, want a *SignatureError", tt.in, err)
			}
			if se.Tag != tt.tag || se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("error %q (tag %q offset %d), want tag %q offset %d containing %q", se.Error(), se.Tag, se.Offset, tt.tag, tt.offset, tt.msg)
			}
			// A refused signature never reaches the resolver.
			r := &queryLog{}
			v := &Verifier{Resolver: r, Clock: testClock}
			res, verr := v.Verify(context.Background(), strings.NewReader("DKIM-Signature: "+tt.in+"\r\nFrom: a@b\u00fccher.example\r\n\r\nx\r\n"))
			if verr != nil || len(res) != 1 || res[0].Status != StatusPermError || len(r.asked) != 0 {
				t.Errorf("Verify: %v, %+v, asked %q", verr, res, r.asked)
			}
		})
	}
}

// TestRFC8616Section5Signer checks what the Signer refuses among
// internationalised settings, naming the setting.
func TestRFC8616Section5Signer(t *testing.T) {
	_, ek := testKeys(t)
	tests := []struct {
		name string
		s    Signer
		msg  string // part of the error
	}{
		{"§5 Domain not a valid U-label", Signer{Domain: "a\u05d0.example", Selector: "sel", Key: ek}, "Signer.Domain"},
		{"§5 Selector not a valid U-label", Signer{Domain: "example.org", Selector: "-\u00fc", Key: ek}, "Signer.Selector"},
		{"§5 Identity invalid UTF-8", Signer{Domain: "example.org", Selector: "sel", Key: ek, Identity: "j\xfcrgen@example.org"}, "not valid UTF-8"},
		{"§5 Identity outside Domain after conversion", Signer{Domain: "b\u00fccher.example", Selector: "sel", Key: ek, Identity: "a@xn--bcher-kva.example.net"}, "not within"},
		{"§5 Identity domain not a valid U-label", Signer{Domain: "example.org", Selector: "sel", Key: ek, Identity: "a@a\u05d0.example.org"}, "not a valid domain name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.s.Sign(strings.NewReader(eaiMsg))
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Sign = %v, want an error containing %q", err, tt.msg)
			}
		})
	}
}

// TestRFC8616Section5KeyRecord: key records hold no domain names and stay
// ASCII (§5, §3), so UTF-8 in one is a syntax error.
func TestRFC8616Section5KeyRecord(t *testing.T) {
	_, ek := testKeys(t)
	rec := pubRecord(t, ek)
	if _, err := ParseKeyRecord(rec); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseKeyRecord("n=Schl\u00fcssel; " + rec); !errors.Is(err, ErrKeySyntax) {
		t.Errorf("UTF-8 in a key record: %v, want ErrKeySyntax", err)
	}
}

// TestRFC8616Section5HeaderCanon: relaxed header canonicalisation
// lower-cases field names in ASCII only and treats only SP and HTAB as
// whitespace; UTF-8 in names and values passes through byte for byte.
func TestRFC8616Section5HeaderCanon(t *testing.T) {
	tests := []struct{ name, raw, relaxed string }{
		{"§5 UTF-8 value kept, ASCII WSP folded", "Subject:  Gr\u00fc\u00dfe  \u00c4\u00d6\u00dc \r\n", "subject:Gr\u00fc\u00dfe \u00c4\u00d6\u00dc\r\n"},
		{"§5 NBSP and ideographic space are not WSP", "Subject: a\u00a0\u00a0b\u3000\r\n", "subject:a\u00a0\u00a0b\u3000\r\n"},
		{"§5 upper-case non-ASCII letters not lower-cased", "X-\u00c4: \u00c4\r\n", "x-\u00c4:\u00c4\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := splitFields(tt.raw, nil)
			if len(fs) != 1 {
				t.Fatalf("%d fields", len(fs))
			}
			var h headerCanon
			h.add(&fs[0], CanonicalizationRelaxed, nil)
			if string(h.buf) != tt.relaxed {
				t.Errorf("relaxed %q, want %q", h.buf, tt.relaxed)
			}
		})
	}
}
