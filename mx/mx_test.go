package mx

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/spf"
)

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(f *fakeDNS)
		noCNAME   bool // resolver without the CNAME capability
		wantState State
		wantCodes []string
	}{
		{"plain MX", func(f *fakeDNS) {
			f.addMX("example.org", 10, "mx1.example.org.")
			f.addMX("example.org", 20, "mx2.example.org.")
			f.addA("mx1.example.org", "192.0.2.1")
			f.addA("mx2.example.org", "192.0.2.2")
		}, false, StateExplicit, nil},
		{"RFC 7505 §3 null MX", func(f *fakeDNS) {
			f.addMX("example.org", 0, ".")
		}, false, StateNull, []string{FindingNull}},
		{"RFC 7505 §3 null MX with preference 10", func(f *fakeDNS) {
			f.addMX("example.org", 10, ".")
		}, false, StateNull, []string{FindingNull, FindingNullPreference}},
		{"RFC 7505 §3 null MX mixed", func(f *fakeDNS) {
			f.addMX("example.org", 0, ".")
			f.addMX("example.org", 10, "mx1.example.org.")
			f.addA("mx1.example.org", "192.0.2.1")
		}, false, StateNullMixed, []string{FindingNullMixed}},
		{"RFC 5321 §5.1 implicit MX", func(f *fakeDNS) {
			f.addA("example.org", "192.0.2.9")
		}, false, StateImplicit, []string{FindingImplicit}},
		{"no MX no address", func(*fakeDNS) {}, false, StateNone, []string{FindingNone}},
		{"MX lookup fails", func(f *fakeDNS) { f.fail["example.org"] = true }, false, StateUnknown, []string{FindingLookupFailed}},
		{"IP literal target", func(f *fakeDNS) {
			f.addMX("example.org", 10, "192.0.2.1")
		}, false, StateExplicit, []string{FindingIPLiteral}},
		{"RFC 2181 §10.3 CNAME target", func(f *fakeDNS) {
			f.addMX("example.org", 10, "mail.example.org.")
			f.cname["mail.example.org"] = "host.example.net."
			f.addA("host.example.net", "192.0.2.1")
		}, false, StateExplicit, []string{FindingCNAMETarget}},
		{"CNAME unknown without capability", func(f *fakeDNS) {
			f.addMX("example.org", 10, "mail.example.org.")
			f.cname["mail.example.org"] = "host.example.net."
			f.addA("host.example.net", "192.0.2.1")
		}, true, StateExplicit, []string{FindingCNAMEUnknown}},
		{"unresolvable target", func(f *fakeDNS) {
			f.addMX("example.org", 10, "nowhere.example.org.")
		}, false, StateExplicit, []string{FindingUnresolvable}},
		{"target lookup fails", func(f *fakeDNS) {
			f.addMX("example.org", 10, "mx.example.org.")
			f.fail["mx.example.org"] = true
		}, false, StateExplicit, []string{FindingTargetLookupFailed}},
		{"duplicate target", func(f *fakeDNS) {
			f.addMX("example.org", 10, "mx.example.org.")
			f.addMX("example.org", 20, "MX.example.org")
			f.addA("mx.example.org", "192.0.2.1")
		}, false, StateExplicit, []string{FindingDuplicate}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := checkFake(t, tt.setup, tt.noCNAME, "Example.ORG.")
			if res.State != tt.wantState {
				t.Errorf("state = %v, want %v", res.State, tt.wantState)
			}
			if got := codes(res.Findings); !slices.Equal(got, tt.wantCodes) {
				t.Errorf("codes = %q, want %q", got, tt.wantCodes)
			}
		})
	}
}

func TestCheckSortsAndTooMany(t *testing.T) {
	f := newFake()
	for i, h := range []string{"c.example", "a.example", "b.example"} {
		f.addMX("example.org", uint16(30-10*i), h)
		f.addA(h, "192.0.2.1")
	}
	c := &Checker{Resolver: withCNAME{f}, MaxHosts: 2}
	res, err := c.Check(context.Background(), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range res.Hosts {
		names = append(names, h.Name)
	}
	if want := []string{"b.example", "a.example", "c.example"}; !slices.Equal(names, want) {
		t.Errorf("order %q, want %q", names, want)
	}
	if got := codes(res.Findings); !slices.Equal(got, []string{FindingTooManyHosts}) {
		t.Errorf("codes %q", got)
	}
	if res.Hosts[0].Resolves != AnswerYes || res.Hosts[0].CNAME != AnswerNo || res.Hosts[2].Resolves != AnswerUnknown {
		t.Errorf("hosts %+v", res.Hosts)
	}
}

func TestCheckBadName(t *testing.T) {
	c := &Checker{Resolver: newFake()}
	if _, err := c.Check(context.Background(), "a..b"); err == nil {
		t.Fatal("want error for empty label")
	}
}

func TestCheckMailFrom(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(f *fakeDNS)
		suitable bool
		want     []string
	}{
		{"SES style", func(f *fakeDNS) {
			f.addMX("mail.example.org", 10, "feedback-smtp.ap-northeast-2.amazonses.com")
			f.addA("feedback-smtp.ap-northeast-2.amazonses.com", "192.0.2.1")
			f.txt["mail.example.org"] = []string{"v=spf1 include:amazonses.com ~all"}
		}, true, nil},
		{"no MX", func(f *fakeDNS) {
			f.txt["mail.example.org"] = []string{"v=spf1 -all"}
		}, false, []string{FindingMailFromNoMX}},
		{"implicit MX", func(f *fakeDNS) {
			f.addA("mail.example.org", "192.0.2.1")
			f.txt["mail.example.org"] = []string{"v=spf1 -all"}
		}, true, []string{FindingMailFromImplicitMX}},
		{"RFC 7505 §4.2 null MX", func(f *fakeDNS) {
			f.addMX("mail.example.org", 0, ".")
			f.txt["mail.example.org"] = []string{"v=spf1 -all"}
		}, false, []string{FindingMailFromNullMX}},
		{"no SPF", func(f *fakeDNS) {
			f.addMX("mail.example.org", 10, "mx.example.org")
			f.addA("mx.example.org", "192.0.2.1")
			f.txt["mail.example.org"] = []string{"v=spf10", "hello"}
		}, false, []string{spf.FindingNoRecord}},
		{"RFC 7208 §4.6 broken SPF", func(f *fakeDNS) {
			f.addMX("mail.example.org", 10, "mx.example.org")
			f.addA("mx.example.org", "192.0.2.1")
			f.txt["mail.example.org"] = []string{"v=spf1 ip4:192.0.2.1/40 -all"}
		}, false, []string{spf.FindingSyntax}},
		{"RFC 7208 §4.5 two SPF", func(f *fakeDNS) {
			f.addMX("mail.example.org", 10, "mx.example.org")
			f.addA("mx.example.org", "192.0.2.1")
			f.txt["mail.example.org"] = []string{"v=spf1 -all", "V=SPF1 +all"}
		}, false, []string{spf.FindingMultipleRecords}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			tt.setup(f)
			c := &Checker{Resolver: withCNAME{f}}
			res, err := c.CheckMailFrom(context.Background(), "mail.example.org")
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(res.Findings); !slices.Equal(got, tt.want) {
				t.Errorf("codes = %q, want %q", got, tt.want)
			}
			if res.Suitable() != tt.suitable {
				t.Errorf("suitable = %v", res.Suitable())
			}
		})
	}
}

func TestStrings(t *testing.T) {
	for s := StateUnknown; s <= StateNone+1; s++ {
		if s.String() == "" {
			t.Error("empty state string")
		}
	}
	f := Finding{Code: FindingNull, Severity: SeverityInfo, Message: "m", Where: "w", RFC: "RFC 7505"}
	if got, want := f.String(), "info mx.null (w): m [RFC 7505]"; got != want {
		t.Errorf("%q", got)
	}
	if Severity(9).String() != "severity(9)" || AnswerYes.String() != "yes" || AnswerNo.String() != "no" || AnswerUnknown.String() != "unknown" {
		t.Error("strings")
	}
}

func BenchmarkCheck(b *testing.B) {
	f := newFake()
	f.addMX("example.org", 10, "mx1.example.org.")
	f.addMX("example.org", 20, "mx2.example.org.")
	f.addA("mx1.example.org", "192.0.2.1")
	f.addA("mx2.example.org", "192.0.2.2")
	c := &Checker{Resolver: withCNAME{f}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Check(ctx, "example.org"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCheckNilResolver(t *testing.T) {
	if _, err := (&Checker{}).Check(context.Background(), "example.org"); err == nil {
		t.Error("want error without a Resolver")
	}
}

func TestErrorsSayWhatToDo(t *testing.T) {
	_, err := (&Checker{}).Check(context.Background(), "example.org")
	if err == nil || !strings.Contains(err.Error(), "set Checker.Resolver") {
		t.Errorf("no resolver: %v", err)
	}
	_, err = (&Checker{Resolver: newFake()}).Check(context.Background(), "a..b")
	if err == nil || !strings.HasPrefix(err.Error(), `mx: cannot check "a..b", not a domain name: `) {
		t.Errorf("bad name: %v", err)
	}
}

// checkFake runs Check on domain against a fake DNS that setup fills; the
// resolver lacks the CNAME capability when noCNAME is set.
func checkFake(t *testing.T, setup func(*fakeDNS), noCNAME bool, domain string) *Result {
	t.Helper()
	f := newFake()
	setup(f)
	c := &Checker{Resolver: withCNAME{f}}
	if noCNAME {
		c.Resolver = f
	}
	res, err := c.Check(context.Background(), domain)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
