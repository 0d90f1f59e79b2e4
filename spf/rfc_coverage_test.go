// RFC 7208 coverage: every MUST, MUST NOT, SHOULD and SHOULD NOT of sections
// 2 to 9 and 11 that binds a check_host() implementation, a record parser
// or the header writers, in our own words, with the tests that pin it.
// "suite:" names cases of the openspf RFC 7208 suite run by TestRFC7208Suite
// (suite_test.go; both sequentially and with Checker.Prefetch). Rules for
// publishers are pinned by Lint tests; rules for what an MTA does with a
// result are outside this package (marked n/a).
//
// §     requirement                                             tests
// ----  ------------------------------------------------------  ----------------------------------------------
// 2.2   evaluate check_host() with <ip>, <domain>, <sender>     TestMechanisms, ExampleChecker_Check
// 2.3   HELO checked only when a valid multi-label name         TestCheckHELO; suite: helo-not-fqdn, helo-domain-literal
// 2.4   null reverse-path: MAIL FROM is postmaster@HELO         TestMechanisms "empty MAIL FROM uses HELO",
//                                                               TestRFCCheckHost "§2.4 null reverse-path"
// 3.1   TXT only; SPF (99) records are never used               suite: spfonly, spfoverride, multispf2, txtonly
// 3.1   records are US-ASCII (else permerror)                   TestParseErrors "invalid char: non-ASCII";
//                                                               suite: non-ascii-policy, non-ascii-mech, non-ascii-result
// 3.2   a name MUST NOT publish several records (publisher)     TestLintFindings (FindingMultipleRecords)
// 3.3   character-strings MUST be joined without spaces         suite: nospace1; TestRFCCheckHost "§6.2 ... joined"
// 3.4   answers SHOULD fit in 512 octets (publisher)            TestLintFindings (FindingResponseSize)
// 4     results MUST be equivalent to check_host()              TestRFC7208Suite (203/203), TestRFC4408Suite
// 4.1   the lookup limit is global across include/redirect     TestLimits "include counts its terms: over"
// 4.3   malformed, single-label or literal domain: none         TestRFCInitialProcessing; TestMechanisms §4.3 rows;
//                                                               suite: emptylabel, toolonglabel, domain-literal
// 4.3   NXDOMAIN for the record lookup: none                    TestMechanisms "no record"; suite: nospf
// 4.3   IDNs MUST be queried as A-labels                        TestRFCCheckHost "§4.3 IDN ..."
// 4.3   no local-part: "postmaster"                             suite: nolocalpart; TestMechanisms "no local part"
// 4.4   TXT SERVFAIL or timeout: temperror                      TestRFCCheckHost "§4.4 TXT SERVFAIL";
//                                                               suite: txttimeout, alltimeout, nospftxttimeout
// 4.5   keep only "v=spf1" + SP/end records (any case)          TestIsSPF; suite: nospace1, case-insensitive, nospf
// 4.5   none left: none; more than one: permerror               TestErrorsAreTyped; suite: multitxt1, multitxt2, multispf1
// 4.6   a syntax error anywhere: permerror, no evaluation       TestParseErrors; suite: detect-errors-anywhere
// 4.6.1 names are case-insensitive; terms split on SP only      TestParseValid; suite: two-spaces, trailing-space, badip4
// 4.6.2 left to right; qualifier gives the result, "+" default  TestMechanisms, TestParseValid
// 4.6.4 MUST: more than 10 DNS-querying terms is permerror      TestLimits (at and over, through include, lowered);
//                                                               suite: mech-at-limit, mech-over-limit, include-at-limit,
//                                                               include-over-limit, include-loop, redirect-loop
// 4.6.4 all, ip4, ip6 and exp do not count                      TestLimits "ip4 after 10 terms is free",
//                                                               TestRFCCheckHost "§4.6.4 exp is not ..."
// 4.6.4 MUST NOT: over 10 address lookups per MX answer;        TestLimits "11 MX names", TestRFCAddressQueryLimits;
//       MUST: permerror                                         suite: mx-limit
// 4.6.4 MUST NOT: over 10 per PTR answer; MUST: ignore rest     TestLimits "11th PTR name is ignored",
//                                                               TestRFCAddressQueryLimits; suite: ptr-limit
// 4.6.4 SHOULD: time limit, at least 20 s, then temperror       TestRFCTimeLimit, TestCancel, TestRFCTimeLimitPTR
// 4.6.4 SHOULD: more than 2 void lookups is permerror           TestLimits (void rows); suite: void-at-limit,
//                                                               void-over-limit, exp-void (exp is not counted)
// 4.7   no match and no redirect: neutral                       suite: default-result, all-neutral
// 4.8   omitted domain-spec is <domain>                         suite: redirect-implicit, ptr-match-implicit
// 4.8   invalid target name (our choice: permerror)             TestErrorsAreTyped, TestRFCCheckHost "§4.8 ...";
//                                                               suite: invalid-domain-empty-label, invalid-domain-long
// 5     A for IPv4 clients, AAAA for IPv6; mapped IPv4 is IPv4  TestMechanisms; suite: a-cidr6-0-ip4, a-cidr4-0-ip6,
//                                                               ip4-mapped-ip6, cidr6-ip4, a-colon-domain-ip4mapped
// 5     RCODE other than 0/3: temperror; NXDOMAIN: no match     TestRFCCheckHost "§5 MX ..."; suite: exists-dnserr,
//                                                               a-nxdomain, mx-nxdomain, include-temperror
// 5.1   MUST ignore mechanisms after all                        TestRFCCheckHost "§5.1 mechanisms after all"
// 5.1   MUST ignore redirect beside all, in any order           TestRFCCheckHost "§5.1 §6.1 redirect ignored";
//                                                               suite: redirect-after-mechanisms1
// 5.2   include result table (pass match, none permerror, ...)  TestMechanisms §5.2 rows; suite: include-fail,
//                                                               include-softfail, include-neutral, include-none,
//                                                               include-permerror, include-temperror
// 5.2   <ip> and <sender> unchanged in include, <domain> new    TestRFCCheckHost "§4.1 ... include"
// 5.3   a matches any returned address, with dual CIDR          suite: a-multi-ip1, a-multi-ip2, a-dual-cidr-*
// 5.4   MUST follow the MX limits                               TestLimits, TestRFCAddressQueryLimits
// 5.4   MUST NOT apply implicit MX                              suite: mx-implicit; TestRFCAddressQueryLimits
// 5.5   MUST support ptr; MUST apply the PTR limits             suite: ptr-match-target, ptr-match-implicit,
//                                                               ptr-match-ip6, ptr-nomatch-invalid; TestLimits
// 5.5   PTR DNS error: no match; address error: skip name       TestRFCCheckHost "§5.5 ..."
// 5.5   SHOULD NOT be published (publisher)                     TestLintFindings "ptr"
// 5.6   no length means /32 or /128; no short addresses         TestRFCCheckHost "§5.6 ..."; suite: bad-ip4-short
// 5.7   exists queries A, even for IPv6 clients                 suite: exists-ip6, exists-ip6only
// 6     MUST NOT repeat redirect or exp: permerror              TestParseErrors "exp twice", "redirect twice";
//                                                               suite: exp-twice, redirect-twice
// 6     MUST ignore unknown modifiers, wherever, repeated       TestRFCCheckHost "§6 unknown modifiers";
//                                                               suite: default-modifier-obsolete(2)
// 6.1   redirect only when no mechanism matched                 TestMechanisms §6.1 rows; suite:
//                                                               redirect-after-mechanisms2
// 6.1   redirect to none or a malformed name: permerror         TestMechanisms "redirect to none"; suite: redirect-none;
//                                                               TestRFCCheckHost "§6.1 malformed redirect target"
// 6.2   exp only for fail; default or empty when none           TestExplanation
// 6.2   exp DNS error, no or several TXT, bad syntax: ignored   suite: exp-dns-error, exp-no-txt, exp-multiple-txt,
//                                                               two-exp-records, explanation-syntax-error
// 6.2   MUST be US-ASCII                                        suite: non-ascii-exp; TestRFCExplanationASCII
// 6.2   MUST NOT use exp of an include target                   suite: include-ignores-exp
// 6.2   MUST NOT use the original exp after redirect            suite: redirect-cancels-exp, redirect-cancels-prior-exp
// 7.1   macro-string and domain-end syntax                      TestParseErrors §7.1 rows, TestMacroSyntax;
//                                                               suite: invalid-domain, a-only-toplabel, undef-macro
// 7.2   c, r, t only in explanations                            TestParseErrors "macro r letter in domain";
//                                                               suite: exp-only-macro-char
// 7.3   '%' not followed by { % - _ is a syntax error           TestParseErrors "macro lone percent";
//                                                               suite: invalid-macro-char, invalid-embedded-macro-char
// 7.3   MUST accept trailing dots                               TestRFCInitialProcessing; suite: trailing-dot-domain
// 7.3   a digit transformer MUST be nonzero                     TestParseErrors "macro zero digits", TestRFCMacroDigits
// 7.3   MUST support at least 127 parts                         TestMacroLetters "digits 127", TestRFCMacroDigits
// 7.3   split, reverse, keep rightmost n, join with "."         TestMacroRFCExamples (§7.4), TestMacroLetters;
//                                                               suite: macro-reverse-split-on-dash
// 7.3   upper-case letters MUST URL-escape non-unreserved       TestMacroLetters "S escaped"; suite: upper-macro
// 7.3   %{p} SHOULD prefer <domain>, then a subdomain           TestRFCValidatedNamePreference; suite: p-macro-multiple
// 7.3   %{r} SHOULD be a FQDN or "unknown"                      TestMacroLetters "r", "r unknown"
// 7.3   expanded names over 253 octets lose left labels         TestTruncateDomain, TestRFCCheckHost "§7.3 ...";
//                                                               suite: domain-name-truncation
// 8     handling of each result (reject codes, neutral = none)  n/a: MTA policy
// 9.1   SHOULD prepend, MUST be above other Received-SPF        n/a: the caller places the field
// 9.1   grammar: result, comment, key=dot-atom/quoted-string    TestReceivedSPF, TestRFCReceivedSPFGrammar, FuzzHeaders
// 9.1   SHOULD give client-ip, helo, envelope-from              TestRFCReceivedSPFGrammar
// 9.1   MUST: no invalid characters, not excessively long       TestRFCReceivedSPFGrammar (998 limit, CR LF, non-ASCII)
//       (998), no sender data breaking out of a value           FuzzHeaders
// 9.2   Authentication-Results spf= and RFC 8601 pvalues        TestAuthResultsSPF, TestRFCAuthResultsGrammar
// 11.1  limits; no excessive memory or CPU on hostile records   FuzzCheck, TestLimits, TestPrefetchBudget
// 11.5.1 recorded results checked for bad characters, length    as 9.1
// 11.5.3 hostile text injected through macros                   TestRFCCheckHost "§7.3 §11.5.3 ..." and "§4.8 §11.5.3 ...",
//                                                               TestRFCExplanationASCII, FuzzMacro
// (prefetch) results identical to sequential evaluation         TestPrefetchSameAsSequential, TestPrefetchUnreachedFailures,
//                                                               TestPrefetchNoLeakOnEarlyResult, TestPrefetchSkipsInvalidTargets,
//                                                               FuzzCheck, and every table above run both ways
//
// RFC 8616 §4 (SPF and internationalised mail), in TestRFC8616Section4 (rfc8616_test.go; run both ways):
// 8616 §4 EHLO name MUST be A-labels; U-labels tolerated, converted  "§4 HELO identity in U-labels ...", "§4 null reverse-path ..."
// 8616 §4 all U-labels MUST be converted before use: the MAIL FROM   "§4 MAIL FROM U-label ...", "§4 MAIL FROM mixed-case ...",
//         domain of the first lookup                                TestRFCCheckHost "§4.3 IDN ..."
// 8616 §4 ... and those of the macro expansion of domain-spec        "§4 %{d} and %{o} ...", "§4 %{h} ...", "§4 transformers ...",
//                                                                   FuzzMacro (targets ASCII), FuzzCheck (queries ASCII)
// 8616 §4 a domain whose U-labels do not convert: none, named        "§4 invalid U-label domain ...", "§4 invalid U-label HELO ..."
// 8616 §4 IDNs in records stay A-labels (RFC 7208 §4.3 unchanged)    TestParseErrors "invalid char: non-ASCII"; suite: non-ascii-*
// 8616 §4 non-ASCII local part: terms with %{s}/%{l} match nothing   "§4 non-ASCII %{l}: <exists|a|mx|ptr|include|redirect|exp=> ...",
//         (no query; still a counted term; no void lookup)          "§4 non-ASCII %{L} ...", "§4 non-ASCII %{s} ...", "§4 terms that
//                                                                   match nothing ...", "§4 RFC 7208 §4.6.4 ...", TestUsesLocalPart,
//                                                                   FuzzMacro (errLocalPart), FuzzCheck

package spf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/zone"
)

// TestRFCMacroDigits: RFC 7208 §7.3 — a digit transformer must be nonzero;
// one naming more parts than there are means all of them, however many
// digits it has (it is not an overflow error).
func TestRFCMacroDigits(t *testing.T) {
	for s, ok := range map[string]bool{
		"%{d1}": true, "%{d01}": true, "%{d127}": true,
		"%{d99999999999999999999}": true, "%{d00000000000000000001r}": true,
		"%{d0}": false, "%{d00}": false, "%{d0000000000000000000000}": false,
	} {
		if _, msg := scanMacroString(s, false); (msg == "") != ok {
			t.Errorf("scan %q: %q, want ok=%v", s, msg, ok)
		}
	}
	e := testEval(&Checker{Resolver: zone.New()}, "192.0.2.1", "l", "a.b.example.com", "h")
	for in, want := range map[string]string{
		"%{d99999999999999999999}":  "a.b.example.com",
		"%{d00000000000000000002r}": "b.a",
	} {
		if got := string(e.expand(nil, in, "a.b.example.com", false)); got != want {
			t.Errorf("%s = %q, want %q", in, got, want)
		}
	}
}

// TestRFCExplanationASCII: RFC 7208 §6.2 — the explanation string MUST be
// limited to US-ASCII, also when macros copy sender-supplied bytes (an
// SMTPUTF8 local-part, a control byte in HELO) into it; the default
// explanation likewise.
func TestRFCExplanationASCII(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 -all exp=why.example.com")
	z.AddTXT("why.example.com", "%{l} from %{h} via %{o}")
	z.AddTXT("noexp.example.com", "v=spf1 -all")
	c := &Checker{Resolver: z, DefaultExplanation: "%{s} rejected"}
	ip := netip.MustParseAddr("192.0.2.9")
	for _, tt := range []struct{ from, helo, want string }{
		{"j\u00fcrgen\x01@example.com", "h\x7f\u00e9.example", "j??rgen? from h???.example via example.com"},
		{"j\u00fcrgen@noexp.example.com", "h.example", "j??rgen@noexp.example.com rejected"},
	} {
		for _, pf := range []bool{false, true} {
			c.Prefetch = pf
			r := c.Check(context.Background(), Input{IP: ip, MailFrom: tt.from, HELO: tt.helo})
			if r.Code != CodeFail || r.Explanation != tt.want {
				t.Errorf("%q prefetch %v: got %v %q, want fail %q", tt.from, pf, r.Code, r.Explanation, tt.want)
			}
		}
	}
}

// rfcZone holds the records of TestRFCCheckHost.
func rfcZone() *zone.Zone {
	z := zone.New()
	z.AddA("hit.example.com", "192.0.2.1")
	z.AddA("miss.example.com", "198.51.100.1")
	z.AddTXT("pass.example.com", "v=spf1 +all")
	// §2.4, §4.1: <sender> (and so %{l} %{o}) stays the same through
	// include and redirect, <domain> (%{d}) changes.
	z.AddTXT("helo.example.org", "v=spf1 exists:%{l}.%{o}.s.example.net -all")
	z.AddA("postmaster.helo.example.org.s.example.net", "127.0.0.2")
	z.AddTXT("sender.example.com", "v=spf1 include:inc.example.net -all")
	z.AddTXT("redir-sender.example.com", "v=spf1 redirect=inc.example.net")
	z.AddTXT("inc.example.net", "v=spf1 exists:%{l}.%{o}.%{d}.s.example.net -all")
	z.AddA("alice.sender.example.com.inc.example.net.s.example.net", "127.0.0.2")
	z.AddA("alice.redir-sender.example.com.inc.example.net.s.example.net", "127.0.0.2")
	// §4.3: internationalized names are queried as A-labels.
	z.AddTXT("xn--bcher-kva.example", "v=spf1 ip4:192.0.2.0/24 -all")
	// §4.4: a TXT lookup that fails gives temperror.
	z.AddTXT("servfail.example.com", "v=spf1 +all")
	z.SetFault("servfail.example.com", zone.TypeTXT, zone.FaultServFail)
	// §4.6.4: exp is not a DNS-querying term.
	z.AddTXT("exp10.example.com", "v=spf1 "+repeat("a:miss.example.com", 10)+" -all exp=why.example.com")
	z.AddTXT("why.example.com", "Not %{d}'s server")
	// §5: a DNS error while looking up MX names or their addresses is
	// temperror.
	z.AddTXT("mx-servfail.example.com", "v=spf1 mx:mxfault.example.com -all")
	z.SetFault("mxfault.example.com", zone.TypeMX, zone.FaultServFail)
	z.AddTXT("mxhost-servfail.example.com", "v=spf1 mx -all")
	z.AddMX("mxhost-servfail.example.com", 10, "broken.example.com")
	z.SetFault("broken.example.com", zone.TypeA, zone.FaultServFail)
	// §5.1: mechanisms after all, and redirect beside all, are ignored.
	z.AddTXT("after-all.example.com", "v=spf1 -all include:nx.example.com a:%{l}.example.com")
	z.AddTXT("redirect-all.example.com", "v=spf1 redirect=pass.example.com ~all")
	// §5.5: a PTR lookup error means no match; an address lookup error
	// skips that name.
	z.AddTXT("ptr.example.com", "v=spf1 ptr -all")
	z.AddPTR("1.2.0.192.in-addr.arpa", "bad.ptr.example.com")
	z.AddPTR("1.2.0.192.in-addr.arpa", "good.ptr.example.com")
	z.SetFault("bad.ptr.example.com", zone.TypeA, zone.FaultServFail)
	z.AddA("good.ptr.example.com", "192.0.2.1")
	z.SetFault("2.2.0.192.in-addr.arpa", zone.TypePTR, zone.FaultServFail)
	// §5.6: no prefix length means /32 and /128.
	z.AddTXT("host-ip.example.com", "v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 -all")
	// §6: unknown modifiers are ignored wherever and however often.
	z.AddTXT("mods.example.com", "v=spf1 foo=1 ip4:192.0.2.0/24 foo=2 bar=%{d} -all baz=%{l}")
	// §6.1: a redirect target that is not a valid name is permerror.
	z.AddTXT("redirect-bad.example.com", "v=spf1 redirect=%{l}.example.com")
	// §6.2: the explanation's strings are joined without spaces.
	z.AddTXT("exp-split.example.com", "v=spf1 -all exp=split.example.com")
	z.AddTXTStrings("split.example.com", "Not ", "per", "mitted")
	// §7.3, §11.5.3: hostile sender text in a macro target.
	z.AddTXT("hostile.example.com", "v=spf1 exists:%{l}.x.example.com -all")
	return z
}

// TestRFCCheckHost covers check_host() requirements of RFC 7208 that the
// suite and the other tables leave out (see the coverage table). Each case
// runs sequentially and with prefetching.
func TestRFCCheckHost(t *testing.T) {
	z := rfcZone()
	ip2 := netip.MustParseAddr("192.0.2.2")
	tests := []struct {
		name    string
		in      Input
		want    Code
		err     error
		lookups int
		exp     string
	}{
		{"§2.4 null reverse-path: postmaster@HELO, %{l} is postmaster", Input{IP: ip1, HELO: "helo.example.org"}, CodePass, nil, 1, ""},
		{"§4.1 %{l} %{o} unchanged and %{d} changed through include", from(ip1, "alice@sender.example.com"), CodePass, nil, 2, ""},
		{"§4.1 %{l} %{o} unchanged and %{d} changed through redirect", from(ip1, "alice@redir-sender.example.com"), CodePass, nil, 2, ""},
		{"§4.3 IDN domain queried as A-labels", from(ip1, "a@b\u00fccher.example"), CodePass, nil, 0, ""},
		{"§4.3 IDN HELO for the null reverse-path", Input{IP: ip1, HELO: "B\u00dcCHER.example"}, CodePass, nil, 0, ""},
		{"§4.4 TXT SERVFAIL is temperror", from(ip1, "a@servfail.example.com"), CodeTempError, ErrDNS, 0, ""},
		{"§4.6.4 exp is not a DNS-querying term", from(ip1, "a@exp10.example.com"), CodeFail, nil, 10, "Not exp10.example.com's server"},
		{"§5 MX lookup SERVFAIL is temperror", from(ip1, "a@mx-servfail.example.com"), CodeTempError, ErrDNS, 1, ""},
		{"§5 MX host address SERVFAIL is temperror", from(ip1, "a@mxhost-servfail.example.com"), CodeTempError, ErrDNS, 1, ""},
		{"§5.1 mechanisms after all are ignored", from(ip1, "a@after-all.example.com"), CodeFail, nil, 0, ""},
		{"§5.1 §6.1 redirect ignored beside all, before it", from(ip1, "a@redirect-all.example.com"), CodeSoftFail, nil, 0, ""},
		{"§5.5 address lookup error skips that PTR name, the next validates", from(ip1, "a@ptr.example.com"), CodePass, nil, 1, ""},
		{"§5.5 PTR lookup error is no match, not temperror", from(ip2, "a@ptr.example.com"), CodeFail, nil, 1, ""},
		{"§5.6 ip4 without length is /32: exact", from(ip1, "a@host-ip.example.com"), CodePass, nil, 0, ""},
		{"§5.6 ip4 without length is /32: neighbour", from(ip2, "a@host-ip.example.com"), CodeFail, nil, 0, ""},
		{"§5.6 ip6 without length is /128: exact", from(netip.MustParseAddr("2001:db8::1"), "a@host-ip.example.com"), CodePass, nil, 0, ""},
		{"§5.6 ip6 without length is /128: neighbour", from(netip.MustParseAddr("2001:db8::2"), "a@host-ip.example.com"), CodeFail, nil, 0, ""},
		{"§6 unknown modifiers ignored anywhere, repeated", from(ip1, "a@mods.example.com"), CodePass, nil, 0, ""},
		{"§6.1 malformed redirect target is permerror", from(ip1, strings.Repeat("x", 64)+"@redirect-bad.example.com"), CodePermError, ErrInvalidTarget, 0, ""},
		{"§6.2 explanation strings joined without spaces", from(ip1, "a@exp-split.example.com"), CodeFail, nil, 0, "Not permitted"},
		{"§7.3 §11.5.3 spaces and punctuation from the sender", from(ip1, "a b%c\"d@hostile.example.com"), CodeFail, nil, 1, ""},
		{"§4.8 §11.5.3 a 64-byte label from the sender is permerror", from(ip1, strings.Repeat("x", 64)+"@hostile.example.com"), CodePermError, ErrInvalidTarget, 1, ""},
		{"§4.8 §11.5.3 an empty label from the sender is permerror", from(ip1, "a..b@hostile.example.com"), CodePermError, ErrInvalidTarget, 1, ""},
		{"§7.3 §11.5.3 a 300-byte label is truncated away (253 octets)", from(ip1, strings.Repeat("x", 300)+"@hostile.example.com"), CodeFail, nil, 1, ""},
		{"§7.3 §11.5.3 a local-part of 150 labels is truncated to 253 octets", from(ip1, strings.Repeat("x.", 149)+"x@hostile.example.com"), CodeFail, nil, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, pf := range []bool{false, true} {
				r := (&Checker{Resolver: z, Prefetch: pf}).Check(context.Background(), tt.in)
				if r.Code != tt.want || !errors.Is(r.Err, tt.err) || (tt.err == nil) != (r.Err == nil) {
					t.Errorf("prefetch %v: got %v (%v), want %v (%v)", pf, r.Code, r.Err, tt.want, tt.err)
				}
				if r.Lookups != tt.lookups || r.Explanation != tt.exp {
					t.Errorf("prefetch %v: lookups %d explanation %q, want %d %q", pf, r.Lookups, r.Explanation, tt.lookups, tt.exp)
				}
			}
		})
	}
}

// TestRFCAddressQueryLimits: RFC 7208 §4.6.4 — evaluating one MX or PTR
// answer MUST NOT query more than 10 address records: an mx target with
// 11 names is permerror before any address query, and only the first 10
// PTR names are validated. §5.4: no implicit MX (no address query for a
// target without MX records).
func TestRFCAddressQueryLimits(t *testing.T) {
	z := zone.New()
	for i := range 11 {
		host := fmt.Sprintf("mx%d.example.com", i)
		z.AddA(host, "198.51.100.1")
		z.AddMX("mx11.example.com", uint16(i), host)
		z.AddPTR("1.2.0.192.in-addr.arpa", fmt.Sprintf("p%d.example.net", i))
		z.AddA(fmt.Sprintf("p%d.example.net", i), "198.51.100.1")
	}
	z.AddA("nomx.example.com", "192.0.2.1")
	z.AddTXT("mx.example.com", "v=spf1 mx:mx11.example.com -all")
	z.AddTXT("ptr.example.com", "v=spf1 ptr:example.org -all")
	z.AddTXT("implicit.example.com", "v=spf1 mx:nomx.example.com -all")
	for _, tt := range []struct {
		domain   string
		want     Code
		maxAddrs int
	}{
		{"mx.example.com", CodePermError, 0},
		{"ptr.example.com", CodeFail, 10},
		{"implicit.example.com", CodeFail, 0},
	} {
		for _, pf := range []bool{false, true} {
			cr := &countingResolver{z: z}
			r := (&Checker{Resolver: cr, Prefetch: pf}).Check(context.Background(), from(ip1, "a@"+tt.domain))
			addrs := 0
			for q, n := range cr.n {
				if strings.HasPrefix(q, "ip4 ") || strings.HasPrefix(q, "ip6 ") {
					addrs += n
				}
			}
			if r.Code != tt.want || addrs > tt.maxAddrs {
				t.Errorf("%s prefetch %v: %v with %d address queries, want %v with at most %d: %v", tt.domain, pf, r.Code, addrs, tt.want, tt.maxAddrs, cr.n)
			}
		}
	}
}

// TestRFCTimeLimit: RFC 7208 §4.6.4 — the elapsed-time limit SHOULD allow
// at least 20 seconds (the default) and, when exceeded, SHOULD give
// temperror (TestCancel checks the temperror).
func TestRFCTimeLimit(t *testing.T) {
	for cfg, want := range map[time.Duration]time.Duration{0: 20 * time.Second, time.Minute: time.Minute, -1: -1} {
		if e := testEval(&Checker{Resolver: zone.New(), Timeout: cfg}, "192.0.2.1", "a", "example.com", "h"); e.timeout != want {
			t.Errorf("Timeout %v: evaluation limit %v, want %v", cfg, e.timeout, want)
		}
	}
}

// TestRFCValidatedNamePreference: RFC 7208 §7.3 — %{p} SHOULD be <domain>
// itself when validated, else a validated subdomain of it, else any
// validated name; "unknown" when none validates.
func TestRFCValidatedNamePreference(t *testing.T) {
	z := zone.New()
	z.AddPTR("1.2.0.192.in-addr.arpa", "other.example.net")
	z.AddPTR("1.2.0.192.in-addr.arpa", "mail.example.com")
	z.AddPTR("1.2.0.192.in-addr.arpa", "example.com")
	z.AddPTR("1.2.0.192.in-addr.arpa", "unvalidated.example.org")
	for _, n := range []string{"other.example.net", "mail.example.com", "example.com"} {
		z.AddA(n, "192.0.2.1")
	}
	z.AddA("unvalidated.example.org", "198.51.100.1")
	c := &Checker{Resolver: z}
	for domain, want := range map[string]string{
		"example.com":      "example.com",
		"mail.example.com": "mail.example.com",
		"x.example.com":    "other.example.net", // none equal or below: any validated name
		"example.org":      "other.example.net", // the unvalidated subdomain is not used
	} {
		e := testEval(c, "192.0.2.1", "a", domain, "h")
		if got := string(e.expand(nil, "%{p}", domain, false)); got != want {
			t.Errorf("%%{p} for %s = %q, want %q", domain, got, want)
		}
	}
	if got := string(testEval(c, "192.0.2.2", "a", "example.com", "h").expand(nil, "%{p}", "example.com", false)); got != "unknown" {
		t.Errorf("%%{p} without PTR = %q, want unknown", got)
	}
}

// TestRFCTimeLimitPTR: RFC 7208 §4.6.4 — running out of time SHOULD give
// temperror. §5.5 makes a DNS error during ptr a non-match, but an
// evaluation whose time or context has run out must not go on to a
// definitive result such as the -all after ptr.
func TestRFCTimeLimitPTR(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 a:s1.example.net a:s2.example.net ptr:example.org -all")
	z.AddTXT("ptronly.example.com", "v=spf1 ptr -all")
	z.AddTXT("fwd.example.com", "v=spf1 ptr:example.org -all")
	z.AddPTR("1.2.0.192.in-addr.arpa", "mail.example.org")
	z.AddA("mail.example.org", "192.0.2.1")
	for _, pf := range []bool{false, true} {
		// Checker.Timeout passes during the second slow a lookup
		// (sequential) or the slow PTR lookup (prefetch, where both a
		// lookups run at once): the PTR lookup or the address lookup
		// validating its name finds no time left.
		slow := &slowResolver{Zone: z, delay: 30 * time.Millisecond, slow: map[string]bool{"s1.example.net": true, "s2.example.net": true, "192.0.2.1": true}}
		r := (&Checker{Resolver: slow, Prefetch: pf, Timeout: 5 * time.Millisecond}).Check(context.Background(), from(ip1, "a@example.com"))
		if r.Code != CodeTempError || !errors.Is(r.Err, ErrCanceled) {
			t.Errorf("prefetch %v: Timeout before ptr: %v %v, want temperror", pf, r.Code, r.Err)
		}
		// ctx ends during the PTR query, then during the address query
		// that validates a PTR name.
		for _, tt := range []struct{ domain, slowName string }{
			{"ptronly.example.com", "192.0.2.1"},
			{"fwd.example.com", "mail.example.org"},
		} {
			slow := &slowResolver{Zone: z, delay: 10 * time.Second, slow: map[string]bool{tt.slowName: true}}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			r := (&Checker{Resolver: slow, Prefetch: pf}).Check(ctx, from(ip1, "a@"+tt.domain))
			cancel()
			if r.Code != CodeTempError || !errors.Is(r.Err, ErrCanceled) {
				t.Errorf("prefetch %v: %s canceled at %s: %v %v, want temperror", pf, tt.domain, tt.slowName, r.Code, r.Err)
			}
		}
	}
}

// TestRFCInitialProcessing: RFC 7208 §4.3 — a malformed <domain> (an empty
// label anywhere but the end, a label over 63 octets, a single label, an
// address literal) gives none at once, without a DNS query; one trailing
// dot is accepted (§7.3: trailing dots MUST be accepted).
func TestRFCInitialProcessing(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 +all")
	for d, want := range map[string]Code{
		"example.com": CodePass, "example.com.": CodePass, "EXAMPLE.com": CodePass,
		"example.com..": CodeNone, ".example.com": CodeNone, "example..com": CodeNone, "com": CodeNone, "com.": CodeNone, "": CodeNone, ".": CodeNone,
		"[192.0.2.1]": CodeNone, "[IPv6:2001:db8::1]": CodeNone, strings.Repeat("a", 64) + ".example.com": CodeNone,
	} {
		cr := &countingResolver{z: z}
		r := (&Checker{Resolver: cr}).Check(context.Background(), from(ip1, "a@"+d))
		if r.Code != want || (want == CodeNone && cr.total() != 0) {
			t.Errorf("domain %q: %v after %d queries, want %v", d, r.Code, cr.total(), want)
		}
	}
}
