package dmarc

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/mail"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/zone"
	"github.com/google/go-cmp/cmp"
)

func TestAuthorDomains(t *testing.T) {
	tests := []struct {
		name    string
		header  string
		choice  AuthorChoice
		want    []string
		wantErr error
	}{
		{"§5.3.1 one mailbox", "Subject: hi\r\nFrom: Alice <alice@Example.ORG>\r\nTo: bob@example.net\r\n\r\nFrom: body@ignored.example\r\n",
			AuthorChoiceSingle, []string{"example.org"}, nil},
		{"folded From field", "From: \"Alice, A.\"\r\n <alice@example.org>\r\n\r\n", AuthorChoiceSingle, []string{"example.org"}, nil},
		{"case-insensitive field name, LF endings", "FROM: alice@example.org\nx: y\n", AuthorChoiceSingle, []string{"example.org"}, nil},
		{"§5.3.1 U-label converted to A-label", "From: =?utf-8?q?J=C3=BCrgen?= <j@bücher.example>\r\n", AuthorChoiceSingle,
			[]string{"xn--bcher-kva.example"}, nil},
		{"several mailboxes, one domain", "From: a@example.org, b@EXAMPLE.org\r\n", AuthorChoiceSingle, []string{"example.org"}, nil},
		{"§5.3.1 several domains", "From: a@example.org, b@example.net\r\n", AuthorChoiceSingle,
			[]string{"example.org", "example.net"}, ErrMultipleAuthorDomains},
		{"§11.5 several domains, receiver goes on", "From: a@example.org, b@example.net\r\n", AuthorChoiceAll,
			[]string{"example.org", "example.net"}, nil},
		{"RFC 7489 §6.6.1 several From fields", "From: a@example.org\r\nFrom: b@example.org\r\n", AuthorChoiceSingle,
			[]string{"example.org"}, ErrMultipleFromFields},
		{"several From fields, all chosen", "From: a@example.org\r\nFrom: b@example.com\r\n", AuthorChoiceAll,
			[]string{"example.org", "example.com"}, nil},
		{"§5.3.1 no From field", "Subject: x\r\n\r\n", AuthorChoiceSingle, nil, ErrNoAuthorDomain},
		{"RFC 7489 §6.6.1 group without domains", "From: undisclosed-recipients:;\r\n", AuthorChoiceSingle, nil, ErrNoAuthorDomain},
		{"group with a member", "From: team: a@example.org;\r\n", AuthorChoiceSingle, []string{"example.org"}, nil},
		{"lenient fallback for a bad display name", "From: Alice [Sales] <alice@example.org>\r\n", AuthorChoiceSingle, []string{"example.org"}, nil},
		{"unparseable", "From: nobody\r\n", AuthorChoiceSingle, nil, ErrNoAuthorDomain},
		{"invalid domain", "From: a@bad..example\r\n", AuthorChoiceSingle, nil, ErrNoAuthorDomain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AuthorDomains(tt.header, tt.choice)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("domains (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// fromAttackZone has bank.example publish p=reject and attacker.example,
// whose DKIM signature the attacker can make, p=none.
func fromAttackZone() *zone.Zone {
	z := zone.New()
	z.AddTXT("_dmarc.bank.example", "v=DMARC1; p=reject")
	z.AddTXT("_dmarc.attacker.example", "v=DMARC1; p=none")
	z.AddTXT("_dmarc.example", "v=DMARC1; p=reject; psd=y")
	return z
}

// TestFromSeparatorNeverPassesForAttacker guards issue 11 item 1: a From
// field "cfo@bank.example<SEP>x@attacker.example" once gave the Author
// Domain attacker.example (the text after the last '@'), so a message
// DKIM-signed by attacker.example passed DMARC while mail clients that
// stop at SEP showed cfo@bank.example. Such a field has no usable Author
// Domain (RFC 9989 §4.4): AuthorDomains fails with a *FromError and the
// evaluation is permerror.
func TestFromSeparatorNeverPassesForAttacker(t *testing.T) {
	seps := []struct{ name, sep string }{
		{"NUL", "\x00"}, {"DEL", "\x7f"}, {"VT", "\v"}, {"ESC", "\x1b"}, {"semicolon", ";"},
		{"U+2028 line separator", "\u2028"}, {"U+2029 paragraph separator", "\u2029"},
		{"C1 NEL U+0085", "\u0085"}, {"C1 CSI U+009B", "\u009b"}, {"CR alone", "\r"}, {"BS", "\b"},
		{"bidi RLO U+202E", "\u202e"}, {"bidi LRE U+202A", "\u202a"}, {"bidi RLI U+2067", "\u2067"},
		{"bidi PDI U+2069", "\u2069"}, {"invalid UTF-8", "\xff"},
	}
	c := Checker{Resolver: fromAttackZone()}
	dkim := []Identifier{{Domain: "attacker.example", Result: AuthResultPass, Selector: "s"}}
	for _, tt := range seps {
		for _, form := range []string{"%s", "<%s>", "Bank <%s>", "\"CFO\" %s"} {
			field := fmt.Sprintf(form, "cfo@bank.example"+tt.sep+"x@attacker.example")
			t.Run(tt.name+"/"+form, func(t *testing.T) {
				header := "Subject: wire\r\nFrom: " + field + "\r\n\r\n"
				ds, err := AuthorDomains(header, AuthorChoiceSingle)
				var fe *FromError
				if ds != nil || !errors.As(err, &fe) || !errors.Is(err, ErrMalformedFrom) || !errors.Is(err, ErrNoAuthorDomain) {
					t.Fatalf("AuthorDomains(%q) = %q, %v; want no domain and a *FromError", field, ds, err)
				}
				if ds, err := AuthorDomains(header, AuthorChoiceAll); ds != nil || err == nil {
					t.Errorf("AuthorAll: %q, %v; want no domain and an error", ds, err)
				}
				res := c.EvaluateHeader(context.Background(), header, Input{DKIM: dkim})
				if res.Code != CodePermError || !errors.As(res.Err, &fe) {
					t.Errorf("EvaluateHeader: %s (author %q, err %v), want permerror with a *FromError", res.Code, res.AuthorDomain, res.Err)
				}
			})
		}
	}
}

// TestFromFieldErrors checks the offsets and what the *FromError names.
func TestFromFieldErrors(t *testing.T) {
	tests := []struct {
		name, field string
		offset      int
		msg         string
	}{
		{"NUL", "a@b.example\x00x@c.example", 11, "control character U+0000"},
		{"bidi in display name", "\u202eAlice <a@b.example>", 0, "bidirectional control U+202E"},
		{"escape sequence in display name", "\"A\x1b[2J\" <a@b.example>", 2, "control character U+001B"},
		{"invalid UTF-8", "J\xfcrgen <j@b.example>", 1, "invalid UTF-8"},
		{"two addresses, net/mail rejects", "a@b.example x@c.example", -1, "not an RFC 5322 address list"},
		{"soft hyphen in domain (IDNA would drop it)", "a@bank\u00adexample", -1, "control, format or space character U+00AD"},
		{"domain literal", "a@[192.0.2.1]", -1, "cannot occur in a domain name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AuthorDomains("From: "+tt.field+"\r\n", AuthorChoiceSingle)
			var fe *FromError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FromError", err)
			}
			if fe.Field != tt.field || fe.Offset != tt.offset || !strings.Contains(fe.Error(), tt.msg) {
				t.Errorf("got field %q offset %d %q; want field %q offset %d and %q", fe.Field, fe.Offset, fe.Error(), tt.field, tt.offset, tt.msg)
			}
		})
	}
}

// TestFromFallbackDisplayName checks the one kind of field net/mail
// rejects that still has an Author Domain, and near misses that do not.
func TestFromFallbackDisplayName(t *testing.T) {
	tests := []struct {
		name, field string
		want        []string
	}{
		{"brackets in display name", "Alice [Sales] <alice@example.org>", []string{"example.org"}},
		{"trailing white space", "Alice [Sales] <alice@example.org>  ", []string{"example.org"}},
		{"second '@' in display name", "cfo@bank.example [x] <x@attacker.example>", nil},
		{"text after '>'", "Alice [Sales] <alice@example.org> x@attacker.example", nil},
		{"comma in display name", "Alice, [Sales] <alice@example.org>", nil},
		{"two angle-addrs", "[A] <a@example.org> <b", nil},
		{"no angle-addr", "[Sales] alice@example.org", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AuthorDomains("From: "+tt.field+"\r\n", AuthorChoiceSingle)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("domains of %q (-want +got):\n%s", tt.field, diff)
			}
			if (tt.want == nil) != (err != nil) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// fromPassProperty checks the property of issue 11 item 1 for one From
// field value: when EvaluateHeader passes, the Author Domain is what
// net/mail yields for the field; or, for the one documented fallback, the
// field holds exactly one '@' and the domain is the text after it. Every
// "@domain" in the field is given a passing DKIM signature, so any domain
// AuthorDomains wrongly picked would pass. It reports whether the field
// passed.
func fromPassProperty(t *testing.T, c *Checker, field string) bool {
	t.Helper()
	var dkim []Identifier
	for i, part := range strings.Split(field, "@") {
		if i == 0 {
			continue
		}
		end := strings.IndexFunc(part, func(r rune) bool {
			return !(r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		})
		if end < 0 {
			end = len(part)
		}
		if end > 0 {
			dkim = append(dkim, Identifier{Domain: part[:end], Result: AuthResultPass})
		}
	}
	dkim = append(dkim, Identifier{Domain: "bank.example", Result: AuthResultPass}, Identifier{Domain: "attacker.example", Result: AuthResultPass})
	res := c.EvaluateHeader(context.Background(), "From: "+field+"\r\n\r\n", Input{DKIM: dkim})
	if res.Code != CodePass {
		return false
	}
	if list, err := mail.ParseAddressList(field); err == nil {
		for _, a := range list {
			d, err := dnsname.Normalize(a.Address[strings.LastIndexByte(a.Address, '@')+1:])
			if err != nil || d != res.AuthorDomain {
				t.Fatalf("From: %q passed for %q, but net/mail reads the mailbox %q", field, res.AuthorDomain, a.Address)
			}
		}
		return true
	}
	at := strings.IndexByte(field, '@')
	if strings.Count(field, "@") != 1 || !strings.EqualFold(strings.TrimRight(field[at+1:], "> \t"), res.AuthorDomain) {
		t.Fatalf("From: %q passed for %q, which net/mail does not yield", field, res.AuthorDomain)
	}
	return true
}

// TestFromPassProperty runs fromPassProperty over fields built from the
// pieces of the attack: display names, local parts, every separator of
// issue 11 item 1 and the characters of address syntax.
func TestFromPassProperty(t *testing.T) {
	pieces := []string{
		"cfo@bank.example", "x@attacker.example", "@attacker.example", "Bank ", "\"Bank\" ", "[CFO] ", "<", ">",
		"\x00", "\x7f", "\v", "\x1b", ";", "\u2028", "\u2029", "\u0085", "\u202e", "\u2066", "\u00ad", "\u200b", "\xff",
		",", " ", "\t", "(", ")", ":", "\"", "\\", ".", "=?utf-8?q?x?=", "bank.example", "attacker.example",
	}
	c := &Checker{Resolver: fromAttackZone()}
	rng := rand.New(rand.NewPCG(11, 1))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	passes := 0
	for range n {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		if fromPassProperty(t, c, b.String()) {
			passes++
		}
	}
	t.Logf("%d of %d fields passed", passes, n)
	if passes == 0 {
		t.Fatal("no generated field passed: the property was never exercised")
	}
}

// TestErrorsQuoteABoundedPart checks that an error about a huge From field
// or domain quotes only its start, however long the input.
func TestErrorsQuoteABoundedPart(t *testing.T) {
	long := strings.Repeat("é", 1<<19) // 1 MiB
	_, err := AuthorDomains("From: "+long+"\x00@x.example\r\n", AuthorChoiceSingle)
	var fe *FromError
	if !errors.As(err, &fe) || len(fe.Field) < 1<<20 || len(err.Error()) > 1000 || !strings.Contains(err.Error(), "bytes)") {
		t.Errorf("From field error of %d bytes: %.200s", len(err.Error()), err)
	}
	// net/mail quotes the whole field in some of its errors.
	_, err = AuthorDomains("From: <"+long+"@x.example> \"\r\n", AuthorChoiceSingle)
	if !errors.As(err, &fe) || len(err.Error()) > 1000 {
		t.Errorf("net/mail error of %d bytes: %.200s", len(err.Error()), err)
	}
	res := Evaluate(context.Background(), zone.New(), Input{FromDomain: long})
	var de *DomainError
	if !errors.As(res.Err, &de) || de.Input != long || len(res.Err.Error()) > 1000 {
		t.Errorf("domain error of %d bytes: %.200s", len(res.Err.Error()), res.Err)
	}
}
