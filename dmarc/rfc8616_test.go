package dmarc

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/zone"
)

// RFC 8616 §6 (DMARC and internationalised mail, advice rather than
// requirements): U-labels in the RFC5322.From domain and in every domain
// handled are converted to A-labels before further processing (updating
// RFC 7489 §6.6.1 and §7.1); rua and ruf stay conventional addresses.

// TestRFC8616Section6AuthorDomains: From fields of internationalised mail
// (RFC 6532: raw UTF-8 local parts and U-label domains) give A-label
// Author Domains; a domain whose U-labels do not convert is named in a
// *FromError.
func TestRFC8616Section6AuthorDomains(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   []string
		errMsg string // part of the error, "" for none
	}{
		{"§6 UTF-8 local part and U-label domain", "From: J\u00fcrgen <j\u00fcrgen@b\u00fccher.example>\r\n", []string{"xn--bcher-kva.example"}, ""},
		{"§6 bare internationalised address", "From: \u5c0f\u660e@\u4f8b\u3048.\u30c6\u30b9\u30c8\r\n", []string{"xn--r8jz45g.xn--zckzah"}, ""},
		{"§6 upper-case U-label maps to the same A-label", "From: a@B\u00dcCHER.Example\r\n", []string{"xn--bcher-kva.example"}, ""},
		{"§6 U-label and A-label forms are one Author Domain", "From: a@b\u00fccher.example, b@xn--bcher-kva.example\r\n", []string{"xn--bcher-kva.example"}, ""},
		{"§6 U-label failing the Bidi rule", "From: a@a\u05d0.example\r\n", nil, "a\u05d0.example"},
		{"§6 U-label domain just past 1,012 octets refused before IDNA", "From: a@" + strings.Repeat("\u00fc.", 337) + "ee\r\n", nil, "1013 octets with U-labels"},
		{"§6 U-label with a leading combining mark", "From: j\u00fcrgen@\u0301b.example\r\n", nil, "\u0301b.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AuthorDomains(tt.header, AuthorChoiceSingle)
			if tt.errMsg == "" {
				if err != nil || !slices.Equal(got, tt.want) {
					t.Fatalf("AuthorDomains = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var fe *FromError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalidDomain) || !strings.Contains(err.Error(), tt.errMsg) || got != nil {
				t.Fatalf("AuthorDomains = %q, %v; want a *FromError naming %q", got, err, tt.errMsg)
			}
		})
	}
}

// rfc8616Zone publishes DMARC records at A-label names only.
func rfc8616Zone() *zone.Zone {
	z := zone.New()
	z.AddTXT("_dmarc.xn--bcher-kva.example", "v=DMARC1; p=reject; adkim=s")
	z.AddTXT("_dmarc.xn--e1afmkfd.xn--p1ai", "v=DMARC1; p=quarantine")
	return z
}

// askLog records the TXT names asked of a zone.
type askLog struct {
	*zone.Zone
	asked []string
}

func (a *askLog) LookupTXT(ctx context.Context, name string) ([]string, error) {
	a.asked = append(a.asked, name)
	return a.Zone.LookupTXT(ctx, name)
}

// TestRFC8616Section6Discovery: policy discovery queries A-label names in
// both modes, and RFC 7489 mode finds the Organizational Domain with the
// public suffix list on A-labels (its entries for IDN TLDs are A-labels).
func TestRFC8616Section6Discovery(t *testing.T) {
	tests := []struct {
		name    string
		mode    Mode
		from    string
		policy  string
		org     string
		queried []string
	}{
		{"§6 tree walk from a U-label subdomain", ModeRFC9989, "mail.b\u00fccher.example", "xn--bcher-kva.example", "xn--bcher-kva.example",
			[]string{"_dmarc.mail.xn--bcher-kva.example", "_dmarc.xn--bcher-kva.example", "_dmarc.example"}},
		{"§6 RFC 7489 §6.6.3: Author Domain then PSL Organizational Domain", ModeRFC7489, "\u043f\u043e\u0447\u0442\u0430.\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", "xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai",
			[]string{"_dmarc.xn--80a1acny.xn--e1afmkfd.xn--p1ai", "_dmarc.xn--e1afmkfd.xn--p1ai"}},
		{"§6 RFC 7489 mode, U-label Author Domain with its own record", ModeRFC7489, "B\u00dcCHER.example", "xn--bcher-kva.example", "xn--bcher-kva.example",
			[]string{"_dmarc.xn--bcher-kva.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &askLog{Zone: rfc8616Zone()}
			c := &Checker{Resolver: r, Mode: tt.mode}
			d := c.Lookup(context.Background(), tt.from)
			if d.Status != DiscoveryStatusFound || d.PolicyDomain != tt.policy || d.OrgDomain != tt.org {
				t.Fatalf("Lookup(%q) = %v policy %q org %q (%v); want found at %q, org %q", tt.from, d.Status, d.PolicyDomain, d.OrgDomain, d.Err, tt.policy, tt.org)
			}
			// The tree walk may stop early once it has its answer; what it
			// asked must be a prefix of the walk, in A-labels.
			if len(r.asked) == 0 || !slices.Equal(r.asked, tt.queried[:len(r.asked)]) || !slices.Equal(d.Queried, r.asked) {
				t.Errorf("asked %q (Queried %q), want a prefix of %q", r.asked, d.Queried, tt.queried)
			}
			for _, q := range r.asked {
				if !dnsname.IsASCII(q) {
					t.Errorf("asked %q", q)
				}
			}
		})
	}
	// The PSL functions take canonical (A-label) names; Checker.OrgDomain
	// converts a U-label name first.
	if got := OrgDomainPSL("xn--80a1acny.xn--e1afmkfd.xn--p1ai"); got != "xn--e1afmkfd.xn--p1ai" {
		t.Errorf("OrgDomainPSL = %q", got)
	}
	c := &Checker{Resolver: rfc8616Zone(), Mode: ModeRFC7489}
	if got, err := c.OrgDomain(context.Background(), "\u043f\u043e\u0447\u0442\u0430.\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444"); err != nil || got != "xn--e1afmkfd.xn--p1ai" {
		t.Errorf("OrgDomain(U-labels) = %q, %v", got, err)
	}
}

// TestRFC8616Section6Alignment: identifiers and Author Domains are
// compared after conversion, whichever form each arrives in (a DKIM d=
// is reported as written, RFC 8616 §5, so it may be a U-label).
func TestRFC8616Section6Alignment(t *testing.T) {
	tests := []struct {
		name     string
		mode     Mode
		from     string
		spf      string
		dkim     string
		want     Code
		spfAlign bool
		dkimAlig bool
		idErr    bool // the DKIM identifier is refused as a domain
	}{
		{"§6 strict DKIM: U-label From, A-label d=", ModeRFC9989, "b\u00fccher.example", "", "xn--bcher-kva.example", CodePass, false, true, false},
		{"§6 strict DKIM: A-label From, U-label d=", ModeRFC9989, "xn--bcher-kva.example", "", "B\u00dcCHER.example", CodePass, false, true, false},
		{"§6 relaxed SPF (tree walk): U-label MAIL FROM subdomain", ModeRFC9989, "xn--bcher-kva.example", "bounce.b\u00fccher.example", "", CodePass, true, false, false},
		{"§6 relaxed SPF with PSL (RFC 7489): U-label subdomain", ModeRFC7489, "\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", "\u043f\u043e\u0447\u0442\u0430.\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", "", CodePass, true, false, false},
		{"§6 strict DKIM: subdomain does not align", ModeRFC9989, "b\u00fccher.example", "", "mail.b\u00fccher.example", CodeFail, false, false, false},
		{"§6 invalid U-label d= aligns with nothing", ModeRFC9989, "b\u00fccher.example", "", "b\u00fccher\u200d.example", CodeFail, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &askLog{Zone: rfc8616Zone()}
			c := &Checker{Resolver: r, Mode: tt.mode}
			in := Input{FromDomain: tt.from}
			if tt.spf != "" {
				in.SPF = Identifier{Domain: tt.spf, Result: AuthResultPass}
			}
			if tt.dkim != "" {
				in.DKIM = []Identifier{{Domain: tt.dkim, Selector: "sel", Result: AuthResultPass}}
			}
			res := c.Evaluate(context.Background(), in)
			if res.Code != tt.want || res.SPFAligned != tt.spfAlign || res.DKIMAligned != tt.dkimAlig {
				t.Fatalf("Evaluate = %v (SPF aligned %v, DKIM aligned %v, %v); want %v (%v, %v)\nchecks %+v",
					res.Code, res.SPFAligned, res.DKIMAligned, res.Err, tt.want, tt.spfAlign, tt.dkimAlig, res.Checks)
			}
			for _, ch := range res.Checks {
				if ch.Err == nil && !dnsname.IsASCII(ch.Domain) {
					t.Errorf("check %+v: domain not in A-labels", ch)
				}
				if ch.Method == MethodDKIM && (ch.Err != nil) != tt.idErr {
					t.Errorf("DKIM check error %v, want error %v", ch.Err, tt.idErr)
				}
			}
			for _, q := range r.asked {
				if !dnsname.IsASCII(q) {
					t.Errorf("asked %q", q)
				}
			}
		})
	}
	// The DNS-free alignment test converts too.
	if ok, err := AlignedPSL("b\u00fccher.example", "mail.xn--bcher-kva.example", AlignmentRelaxed); !ok || err != nil {
		t.Errorf("AlignedPSL(U-label, A-label subdomain) = %v, %v", ok, err)
	}
}

// TestRFC8616Section6Header: a whole internationalised message header,
// its From in UTF-8 and its DKIM d= a U-label as the dkim package reports
// it, passes.
func TestRFC8616Section6Header(t *testing.T) {
	c := &Checker{Resolver: rfc8616Zone()}
	h := "From: J\u00fcrgen <j\u00fcrgen@b\u00fccher.example>\r\nSubject: Gr\u00fc\u00dfe\r\n\r\n"
	res := c.EvaluateHeader(context.Background(), h, Input{DKIM: []Identifier{{Domain: "b\u00fccher.example", Selector: "sel", Result: AuthResultPass}}})
	if res.Code != CodePass || res.AuthorDomain != "xn--bcher-kva.example" || res.Policy != PolicyReject {
		t.Fatalf("EvaluateHeader = %v author %q policy %v (%v)", res.Code, res.AuthorDomain, res.Policy, res.Err)
	}
	if ar := res.AuthResult().String(); !strings.Contains(ar, "header.from=xn--bcher-kva.example") {
		t.Errorf("AuthResult = %q", ar)
	}
}

// TestRFC8616Section6ReportAddresses: rua and ruf "still have to be
// conventional addresses, not internationalized addresses" (§6).
func TestRFC8616Section6ReportAddresses(t *testing.T) {
	for _, addr := range []string{"mailto:j\u00fcrgen@example.org", "mailto:a@b\u00fccher.example"} {
		if err := (URI{Address: addr}).Check(); err == nil {
			t.Errorf("URI %q accepted", addr)
		}
	}
	if err := (URI{Address: "mailto:a@xn--bcher-kva.example"}).Check(); err != nil {
		t.Errorf("A-label address refused: %v", err)
	}
	// A record in the DNS is ASCII (§3): UTF-8 in rua is not a usable URI.
	r, err := ParseRecord("v=DMARC1; p=none; rua=mailto:j\u00fcrgen@example.org")
	if err == nil && hasValidURI(r.AggregateURIs) {
		t.Errorf("ParseRecord kept an internationalised rua: %+v", r.AggregateURIs)
	}
}
