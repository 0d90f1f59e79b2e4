package mx

import (
	"context"
	"slices"
	"testing"
)

// TestRFCRequirements has one case per requirement of RFC 7505 (null MX),
// RFC 5321 §5.1 (locating the target host) and RFC 2181 §10.3 (MX targets
// are not aliases) that a checker can observe, named by its section.
func TestRFCRequirements(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(f *fakeDNS)
		noCNAME     bool
		state       State
		codes       []string
		deliverable Answer
		errors      bool // HasErrors
	}{
		// RFC 7505 §3: a null MX is a single MX with preference 0 and the
		// root as exchange; it is its own state, distinct from "no MX".
		{"RFC 7505 §3 null MX is its own state", func(f *fakeDNS) {
			f.addMX("example.org", 0, ".")
		}, false, StateNull, []string{FindingNull}, AnswerNo, false},
		// RFC 7505 §3 with RFC 5321 §5.1: a null MX is an MX record, so the
		// domain's address records are no implicit MX.
		{"RFC 7505 §3 null MX beside an A record is still null", func(f *fakeDNS) {
			f.addMX("example.org", 0, ".")
			f.addA("example.org", "192.0.2.80")
		}, false, StateNull, []string{FindingNull}, AnswerNo, false},
		// RFC 7505 §3: "A domain that advertises a null MX MUST NOT
		// advertise any other MX RR."
		{"RFC 7505 §3 MUST NOT: null MX beside an ordinary MX", func(f *fakeDNS) {
			f.addMX("example.org", 0, ".")
			f.addMX("example.org", 10, "mx.example.org")
			f.addA("mx.example.org", "192.0.2.25")
		}, false, StateNullMixed, []string{FindingNullMixed}, AnswerYes, true},
		{"RFC 7505 §3 MUST NOT: two null MX records", func(f *fakeDNS) {
			f.addMX("example.org", 0, ".")
			f.addMX("example.org", 10, ".")
		}, false, StateNullMixed, []string{FindingNullMixed}, AnswerNo, true},
		{"RFC 7505 §3 null MX with a preference other than 0", func(f *fakeDNS) {
			f.addMX("example.org", 5, ".")
		}, false, StateNull, []string{FindingNull, FindingNullPreference}, AnswerNo, false},

		// RFC 5321 §5.1: "If an empty list of MXs is returned, the address
		// is treated as if it was associated with an implicit MX RR".
		{"RFC 5321 §5.1 implicit MX from an A record", func(f *fakeDNS) {
			f.addA("example.org", "192.0.2.80")
		}, false, StateImplicit, []string{FindingImplicit}, AnswerYes, false},
		{"RFC 5321 §5.1 implicit MX from an AAAA record", func(f *fakeDNS) {
			f.addA("example.org", "2001:db8::80")
		}, false, StateImplicit, []string{FindingImplicit}, AnswerYes, false},
		// RFC 5321 §5.1: "If one or more MX RRs are found for a given name,
		// SMTP systems MUST NOT utilize any address RRs associated with that
		// name unless they are located using the MX RRs".
		{"RFC 5321 §5.1 MUST NOT: no implicit MX beside MX records", func(f *fakeDNS) {
			f.addMX("example.org", 10, "mx.example.org")
			f.addA("mx.example.org", "192.0.2.25")
			f.addA("example.org", "192.0.2.80")
		}, false, StateExplicit, nil, AnswerYes, false},
		// RFC 5321 §5.1: "If a non-existent domain error is returned, this
		// situation MUST be reported as an error"; so must an unusable
		// implicit MX.
		{"RFC 5321 §5.1 MUST: no such domain is an error (and not a null MX, RFC 7505 §3)", func(f *fakeDNS) {},
			false, StateNone, []string{FindingNone}, AnswerNo, true},
		// RFC 5321 §5.1: "If a temporary error is returned, the message MUST
		// be queued and retried later": unknown, never "no mail".
		{"RFC 5321 §5.1 MUST: temporary MX failure is unknown", func(f *fakeDNS) {
			f.fail["example.org"] = true
		}, false, StateUnknown, []string{FindingLookupFailed}, AnswerUnknown, false},
		{"RFC 5321 §5.1 MUST: temporary failure of the implicit MX lookup is unknown", func(f *fakeDNS) {
			f.failAddr["example.org"] = true // no MX, and the A/AAAA lookup fails
		}, false, StateUnknown, []string{FindingLookupFailed}, AnswerUnknown, false},
		// RFC 5321 §5.1: "If a CNAME record is found, the resulting name is
		// processed as if it were the initial name."
		{"RFC 5321 §5.1 the domain is an alias: its target's MX counts", func(f *fakeDNS) {
			f.cname["example.org"] = "mailhost.example.net."
			f.addMX("mailhost.example.net", 10, "mx.example.net")
			f.addA("mx.example.net", "192.0.2.25")
		}, false, StateExplicit, nil, AnswerYes, false},
		// RFC 5321 §5.1: "the data field of that response MUST contain a
		// domain name" (RFC 1035 §3.3.9).
		{"RFC 5321 §5.1 MUST: an IP address is no exchange", func(f *fakeDNS) {
			f.addMX("example.org", 10, "192.0.2.25")
		}, false, StateExplicit, []string{FindingIPLiteral}, AnswerNo, true},
		{"RFC 5321 §5.1 MUST: an address literal is no exchange", func(f *fakeDNS) {
			f.addMX("example.org", 10, "[192.0.2.25]")
		}, false, StateExplicit, []string{FindingIPLiteral}, AnswerNo, true},
		{"RFC 5321 §5.1 MUST: an IPv6 address literal is no exchange", func(f *fakeDNS) {
			f.addMX("example.org", 10, "[IPv6:2001:db8::25]")
		}, false, StateExplicit, []string{FindingIPLiteral}, AnswerNo, true},
		// RFC 5321 §5.1: "That domain name, when queried, MUST return at
		// least one address record".
		{"RFC 5321 §5.1 MUST: a target without address records", func(f *fakeDNS) {
			f.addMX("example.org", 10, "mx.example.org")
		}, false, StateExplicit, []string{FindingUnresolvable}, AnswerNo, true},
		// RFC 5321 §5.1: "If MX records are present, but none of them are
		// usable, ... this situation MUST be reported as an error."
		{"RFC 5321 §5.1 MUST: no usable MX at all is an error", func(f *fakeDNS) {
			f.addMX("example.org", 10, "mx1.example.org")
			f.addMX("example.org", 20, "192.0.2.26")
		}, false, StateExplicit, []string{FindingUnresolvable, FindingIPLiteral}, AnswerNo, true},
		{"RFC 5321 §5.1 one usable MX is enough to deliver", func(f *fakeDNS) {
			f.addMX("example.org", 10, "mx1.example.org")
			f.addMX("example.org", 20, "mx2.example.org")
			f.addA("mx2.example.org", "192.0.2.26")
		}, false, StateExplicit, []string{FindingUnresolvable}, AnswerYes, true},
		{"RFC 5321 §5.1 a target whose lookup failed leaves delivery unknown", func(f *fakeDNS) {
			f.addMX("example.org", 10, "mx1.example.org")
			f.fail["mx1.example.org"] = true
		}, false, StateExplicit, []string{FindingTargetLookupFailed}, AnswerUnknown, false},
		// RFC 2181 §10.3 (and RFC 5321 §5.1): the exchange must not be an
		// alias.
		{"RFC 2181 §10.3 MX target is an alias", func(f *fakeDNS) {
			f.addMX("example.org", 10, "mail.example.org")
			f.cname["mail.example.org"] = "mx.example.net."
			f.addA("mx.example.net", "192.0.2.25")
		}, false, StateExplicit, []string{FindingCNAMETarget}, AnswerYes, true},
		{"RFC 2181 §10.3 alias check unknown without the CNAME capability", func(f *fakeDNS) {
			f.addMX("example.org", 10, "mail.example.org")
			f.cname["mail.example.org"] = "mx.example.net."
			f.addA("mx.example.net", "192.0.2.25")
		}, true, StateExplicit, []string{FindingCNAMEUnknown}, AnswerYes, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := checkFake(t, tt.setup, tt.noCNAME, "example.org")
			if res.State != tt.state {
				t.Errorf("state %v, want %v", res.State, tt.state)
			}
			if got := codes(res.Findings); !slices.Equal(got, tt.codes) {
				t.Errorf("codes %q, want %q", got, tt.codes)
			}
			if got := res.Deliverable(); got != tt.deliverable {
				t.Errorf("deliverable %v, want %v", got, tt.deliverable)
			}
			if res.HasErrors() != tt.errors {
				t.Errorf("HasErrors %v, want %v: %v", res.HasErrors(), tt.errors, res.Findings)
			}
			if res.State != StateImplicit && len(res.Implicit) != 0 {
				t.Errorf("implicit addresses %v in state %v", res.Implicit, res.State)
			}
			if (res.State == StateUnknown) != (res.Err != nil) {
				t.Errorf("state %v with Err %v", res.State, res.Err)
			}
		})
	}
}

// TestPreferenceOrder: RFC 5321 §5.1, the preference "MUST be used in
// sorting"; lower is more preferred.
func TestPreferenceOrder(t *testing.T) {
	f := newFake()
	for _, m := range []struct {
		pref uint16
		host string
	}{{20, "b.example"}, {65535, "z.example"}, {0, "y.example"}, {20, "a.example"}, {10, "c.example"}} {
		f.addMX("example.org", m.pref, m.host)
		f.addA(m.host, "192.0.2.1")
	}
	res, err := (&Checker{Resolver: withCNAME{f}}).Check(context.Background(), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hosts {
		got = append(got, h.Name)
	}
	if want := []string{"y.example", "c.example", "a.example", "b.example", "z.example"}; !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}
