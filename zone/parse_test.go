package zone

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var cmpRR = cmp.Options{cmp.Comparer(func(a, b netip.Addr) bool { return a == b }), cmpopts.EquateEmpty()}

func TestParseSyntax(t *testing.T) {
	tests := []struct {
		name   string
		origin string
		in     string
		want   []RR
	}{
		{"absolute name and explicit TTL and class", "", "example.org. 300 IN A 192.0.2.1\n",
			[]RR{{Name: "example.org", Type: TypeA, TTL: 300, Addr: netip.MustParseAddr("192.0.2.1")}}},
		{"class before TTL", "", "example.org. IN 300 A 192.0.2.1",
			[]RR{{Name: "example.org", Type: TypeA, TTL: 300, Addr: netip.MustParseAddr("192.0.2.1")}}},
		{"$ORIGIN and relative name", "", "$ORIGIN example.org.\nwww 60 A 192.0.2.2",
			[]RR{{Name: "www.example.org", Type: TypeA, TTL: 60, Addr: netip.MustParseAddr("192.0.2.2")}}},
		{"origin argument and @", "example.org", "@ 60 AAAA 2001:db8::1",
			[]RR{{Name: "example.org", Type: TypeAAAA, TTL: 60, Addr: netip.MustParseAddr("2001:db8::1")}}},
		{"$TTL default with units", "example.org", "$TTL 1h30m\n@ A 192.0.2.1",
			[]RR{{Name: "example.org", Type: TypeA, TTL: 5400, Addr: netip.MustParseAddr("192.0.2.1")}}},
		{"TTL inherited from previous record", "example.org", "a 120 A 192.0.2.1\nb A 192.0.2.2", []RR{
			{Name: "a.example.org", Type: TypeA, TTL: 120, Addr: netip.MustParseAddr("192.0.2.1")},
			{Name: "b.example.org", Type: TypeA, TTL: 120, Addr: netip.MustParseAddr("192.0.2.2")}}},
		{"blank owner repeats previous", "example.org", "@ 60 MX 10 mx1\n   60 MX 20 mx2.other.example.", []RR{
			{Name: "example.org", Type: TypeMX, TTL: 60, Pref: 10, Target: "mx1.example.org"},
			{Name: "example.org", Type: TypeMX, TTL: 60, Pref: 20, Target: "mx2.other.example"}}},
		{"null MX", "example.org", "@ 60 MX 0 .",
			[]RR{{Name: "example.org", Type: TypeMX, TTL: 60, Pref: 0, Target: "."}}},
		{"comments", "example.org", "; header\n@ 60 A 192.0.2.1 ; trailing\n;; end",
			[]RR{{Name: "example.org", Type: TypeA, TTL: 60, Addr: netip.MustParseAddr("192.0.2.1")}}},
		{"parentheses across lines", "example.org", "@ 60 SOA ns1 hostmaster (\n 2026112701 ; serial\n 7200 900 1209600\n 86400 )",
			[]RR{{Name: "example.org", Type: TypeSOA, TTL: 60, SOA: &SOA{MName: "ns1.example.org", RName: "hostmaster.example.org",
				Serial: 2026112701, Refresh: 7200, Retry: 900, Expire: 1209600, Minimum: 86400}}}},
		{"TXT escapes", "example.org", `@ 60 TXT "a \"q\" b\\c \065\066"`,
			[]RR{{Name: "example.org", Type: TypeTXT, TTL: 60, Text: []string{`a "q" b\c AB`}}}},
		{"TXT several strings", "example.org", `@ 60 TXT "v=spf1 " "-all"`,
			[]RR{{Name: "example.org", Type: TypeTXT, TTL: 60, Text: []string{"v=spf1 ", "-all"}}}},
		{"TXT unquoted", "example.org", `@ 60 TXT hello`,
			[]RR{{Name: "example.org", Type: TypeTXT, TTL: 60, Text: []string{"hello"}}}},
		{"TXT semicolon inside quotes", "example.org", `_dmarc 60 TXT "v=DMARC1; p=none" ; comment`,
			[]RR{{Name: "_dmarc.example.org", Type: TypeTXT, TTL: 60, Text: []string{"v=DMARC1; p=none"}}}},
		{"TXT in parentheses", "example.org", "s1._domainkey 60 TXT ( \"v=DKIM1; \"\n  \"p=MIGf\" )",
			[]RR{{Name: "s1._domainkey.example.org", Type: TypeTXT, TTL: 60, Text: []string{"v=DKIM1; ", "p=MIGf"}}}},
		{"CNAME PTR NS", "example.org", "x 60 CNAME y\n1.2.0.192.in-addr.arpa. 60 PTR host.example.org.\n@ 60 NS ns1.example.net.", []RR{
			{Name: "1.2.0.192.in-addr.arpa", Type: TypePTR, TTL: 60, Target: "host.example.org"},
			{Name: "example.org", Type: TypeNS, TTL: 60, Target: "ns1.example.net"},
			{Name: "x.example.org", Type: TypeCNAME, TTL: 60, Target: "y.example.org"}}},
		{"case folded", "Example.ORG", "WWW 60 a 192.0.2.1",
			[]RR{{Name: "www.example.org", Type: TypeA, TTL: 60, Addr: netip.MustParseAddr("192.0.2.1")}}},
		{"SPF type kept", "example.org", `@ 60 SPF "v=spf1 -all"`,
			[]RR{{Name: "example.org", Type: TypeSPF, TTL: 60, Text: []string{"v=spf1 -all"}}}},
		{"CAA kept opaque", "example.org", `@ 60 CAA 0 issue "amazon.com"`,
			[]RR{{Name: "example.org", Type: 257, TTL: 60, Data: `0 issue "amazon.com"`}}},
		{"opaque data keeps a CR inside quotes", "example.org", "@ 60 CAA 0 issue \"a\rb\"",
			[]RR{{Name: "example.org", Type: 257, TTL: 60, Data: "0 issue \"a\rb\""}}},
		{"RFC 3597 generic type", "example.org", `@ 60 TYPE65534 \# 2 abcd`,
			[]RR{{Name: "example.org", Type: 65534, TTL: 60, Data: `\# 2 abcd`}}},
		{"RFC 3597 CLASS1 is IN", "example.org", "@ CLASS1 60 A 192.0.2.1",
			[]RR{{Name: "example.org", Type: TypeA, TTL: 60, Addr: netip.MustParseAddr("192.0.2.1")}}},
		{"RFC 2308 $TTL 0 applies", "example.org", "$TTL 0\n@ A 192.0.2.1",
			[]RR{{Name: "example.org", Type: TypeA, TTL: 0, Addr: netip.MustParseAddr("192.0.2.1")}}},
		{"second $ORIGIN and relative target", "", "$ORIGIN a.example.\nx 60 CNAME y\n$ORIGIN b.example.\nx 60 CNAME y", []RR{
			{Name: "x.a.example", Type: TypeCNAME, TTL: 60, Target: "y.a.example"},
			{Name: "x.b.example", Type: TypeCNAME, TTL: 60, Target: "y.b.example"}}},
		{"wildcard owner", "example.org", "*.wild 60 TXT w",
			[]RR{{Name: "*.wild.example.org", Type: TypeTXT, TTL: 60, Text: []string{"w"}}}},
		{"root owner", "", ". 60 NS a.root-servers.net.",
			[]RR{{Name: ".", Type: TypeNS, TTL: 60, Target: "a.root-servers.net"}}},
		{"U-labels become A-labels", "", "bücher.example. 60 CNAME Straße.example.",
			[]RR{{Name: "xn--bcher-kva.example", Type: TypeCNAME, TTL: 60, Target: "xn--strae-oqa.example"}}},
		{"RFC 3597 generic A", "example.org", `@ 60 A \# 4 C0000201`,
			[]RR{{Name: "example.org", Type: TypeA, TTL: 60, Addr: netip.MustParseAddr("192.0.2.1")}}},
		{"RFC 3597 generic AAAA", "example.org", `@ 60 TYPE28 \# 16 20010db8 00000000 00000000 00000001`,
			[]RR{{Name: "example.org", Type: TypeAAAA, TTL: 60, Addr: netip.MustParseAddr("2001:db8::1")}}},
		{"RFC 3597 generic TXT", "example.org", `@ 60 TXT \# 6 0261620178 00`,
			[]RR{{Name: "example.org", Type: TypeTXT, TTL: 60, Text: []string{"ab", "x", ""}}}},
		{"RFC 3597 generic MX", "example.org", `@ 60 MX \# 10 000A 026D78 03636F6D 00`,
			[]RR{{Name: "example.org", Type: TypeMX, TTL: 60, Pref: 10, Target: "mx.com"}}},
		{"RFC 3597 generic CNAME to root", "example.org", `x 60 CNAME \# 1 00`,
			[]RR{{Name: "x.example.org", Type: TypeCNAME, TTL: 60, Target: "."}}},
		{"RFC 3597 generic SOA", "example.org", `@ 60 SOA \# 26 0161 00 0162 00 00000001 00000002 00000003 00000004 00000005`,
			[]RR{{Name: "example.org", Type: TypeSOA, TTL: 60, SOA: &SOA{MName: "a", RName: "b", Serial: 1, Refresh: 2, Retry: 3, Expire: 4, Minimum: 5}}}},
		{"CRLF line ends", "example.org", "a 60 A 192.0.2.1\r\nb 60 A 192.0.2.2\r\n", []RR{
			{Name: "a.example.org", Type: TypeA, TTL: 60, Addr: netip.MustParseAddr("192.0.2.1")},
			{Name: "b.example.org", Type: TypeA, TTL: 60, Addr: netip.MustParseAddr("192.0.2.2")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z, err := ParseString(tt.in, tt.origin)
			if err != nil {
				t.Fatalf("ParseString(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, z.Records(), cmpRR); diff != "" {
				t.Errorf("ParseString(%q) records (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseNotes(t *testing.T) {
	z, err := ParseString("@ CAA 0 issue \"x\"\n@ TXT", "example.org")
	if err != nil {
		t.Fatal(err)
	}
	notes := z.Notes()
	if len(notes) != 3 { // default TTL, CAA opaque, empty TXT
		t.Fatalf("notes = %v, want 3", notes)
	}
	if notes[1].Line != 1 || !strings.Contains(notes[1].Msg, "opaque") || notes[2].Line != 2 {
		t.Errorf("notes = %v", notes)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string
	}{
		{"unclosed quote", "@ 60 TXT \"abc\n", 1, 10, "not closed"},
		{"unclosed parenthesis", "@ 60 SOA ns hm (\n1 2 3 4\n", 1, 16, "never closed"},
		{"stray close parenthesis", "@ 60 A 192.0.2.1 )", 1, 18, "without a matching"},
		{"bad IPv4", "\n\n@ 60 A 192.0.2.256", 3, 8, "not a valid A address"},
		{"IPv6 in A", "@ 60 A 2001:db8::1", 1, 8, "not a valid A"},
		{"bad MX preference", "@ 60 MX 70000 mx.example.", 1, 9, "preference"},
		{"MX missing host", "@ 60 MX 10", 1, 6, "needs 2 field"},
		{"unknown type", "@ 60 BOGUS x", 1, 6, "unknown record type"},
		{"unknown directive", "$FOO bar", 1, 1, "unknown directive"},
		{"include", "$INCLUDE other.zone", 1, 1, "$INCLUDE is not supported"},
		{"bad TTL", "$TTL 1x", 1, 6, "$TTL"},
		{"TTL too large", "@ 4294967295 A 192.0.2.1", 1, 3, "TTL"},
		{"relative name without origin", "www 60 A 192.0.2.1", 1, 1, "no origin"},
		{"at without origin", "@ 60 A 192.0.2.1", 1, 1, "no origin"},
		{"blank owner first", "  60 A 192.0.2.1", 1, 3, "no earlier record"},
		{"long TXT string", "@ 60 TXT \"" + strings.Repeat("a", 256) + "\"", 1, 10, "longer than 255"},
		{"bad escape", `@ 60 TXT "\25"`, 1, 11, "three decimal digits"},
		{"escape over 255", `@ 60 TXT "\256"`, 1, 11, "more than 255"},
		{"class CH", "@ 60 CH A 192.0.2.1", 1, 6, "class CH"},
		{"label too long", strings.Repeat("a", 64) + " 60 A 192.0.2.1", 1, 1, "more than 63"},
		{"no type", "@ 60 IN", 1, 1, "no type"},
		{"SOA short", "@ 60 SOA ns hm 1 2 3", 1, 6, "needs 7"},
		{"decimal-escaped dot in a label", "a\\046b 60 A 192.0.2.1", 1, 1, "escaped dot"},
		{"escaped dot in a target", "@ 60 CNAME a\\.b.example.", 1, 12, "escaped dot"},
		{"generic RDATA without length", `@ 60 A \#`, 1, 8, "needs a length"},
		{"generic RDATA length mismatch", `@ 60 A \# 4 C00002`, 1, 11, "not 4 bytes"},
		{"generic RDATA bad hex", `@ 60 A \# 4 C00002ZZ`, 1, 11, "not 4 bytes"},
		{"generic A of 16 bytes", `@ 60 A \# 16 20010db8000000000000000000000001`, 1, 6, "wrong length"},
		{"generic TXT past the end", `@ 60 TXT \# 2 0561`, 1, 6, "past the end"},
		{"generic CNAME trailing bytes", `@ 60 CNAME \# 2 0000`, 1, 6, "not one domain name"},
		{"generic MX compressed name", `@ 60 MX \# 4 000AC00C`, 1, 6, "not a preference"},
		{"quoted string across lines", "@ 60 TXT (\"a\nb\")", 1, 11, "not closed"},
		{"directive without value", "$ORIGIN", 1, 1, "$ORIGIN takes one"},
		{"bad SOA serial", "@ 60 SOA ns hm 1x 2 3 4 5", 1, 16, "SOA field"},
		{"A without address", "\n\n\n@ 60 A", 4, 6, "needs 1 field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseString(tt.in, map[bool]string{true: "", false: "example.org"}[strings.Contains(tt.name, "without origin")])
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseString(%q) error = %v, want *ParseError", tt.in, err)
			}
			if pe.Line != tt.line || pe.Column != tt.col || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("ParseString(%q) = line %d col %d %q; want line %d col %d containing %q",
					tt.in, pe.Line, pe.Column, pe.Msg, tt.line, tt.col, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "zone: line ") {
				t.Errorf("error text %q lacks the package prefix and line", err)
			}
		})
	}
}

func TestParseTTLUnits(t *testing.T) {
	for in, want := range map[string]uint32{"0": 0, "300": 300, "1w": 604800, "1d2h": 93600, "90M": 5400, "2147483647": 1<<31 - 1} {
		got, err := parseTTL(in)
		if err != nil || got != want {
			t.Errorf("parseTTL(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"h", "1h5", "2147483648", "99999999999w", "-1"} {
		if _, err := parseTTL(in); err == nil {
			t.Errorf("parseTTL(%q) accepted", in)
		}
	}
}

func TestWriteRoundTrip(t *testing.T) {
	z := New()
	z.AddTXT("example.org", strings.Repeat("x", 600)) // split into 255-byte strings
	z.AddTXTStrings("q.example.org", "quote \" backslash \\ semicolon ; nul \x00 high \xff")
	z.AddTXTStrings("empty.example.org")
	z.AddMX("example.org", 0, ".")
	z.AddA("$weird.example.org", "192.0.2.1")
	z.AddCNAME("a(b).example.org", "target.example.org")
	must(t, z.Add(RR{Name: "example.org", Type: TypeSOA, TTL: 900, SOA: &SOA{MName: "ns", RName: "h", Serial: 1, Refresh: 2, Retry: 3, Expire: 4, Minimum: 5}}))
	must(t, z.Add(RR{Name: "example.org", Type: 257, TTL: 60, Data: `0 issue "amazon.com"`}))

	text := z.String()
	z2, err := ParseString(text, "")
	if err != nil {
		t.Fatalf("written zone does not parse: %v\n%s", err, text)
	}
	if diff := cmp.Diff(z.Records(), z2.Records(), cmpRR); diff != "" {
		t.Errorf("round trip (-wrote +read):\n%s\n%s", diff, text)
	}
	if got := z2.Lookup("example.org", TypeTXT)[0].Text; len(got) != 3 || len(got[0]) != 255 {
		t.Errorf("600-byte TXT stored as %d strings", len(got))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzParse: whatever parses, written out and parsed again, gives the same
// records (issue property: parse -> write -> parse).
func FuzzParse(f *testing.F) {
	seeds := []string{
		"$ORIGIN example.org.\n$TTL 300\n@ MX 10 mx\n_dmarc TXT \"v=DMARC1; p=none\"\n",
		"@ 60 SOA ns hm ( 1 2 3 4 5 )\n  60 NS ns.example.net.\n",
		"x 1h CNAME y\n*.w 60 A 192.0.2.1\nv6 60 AAAA ::1\n",
		"@ 60 TXT \"a\\\"b\" \"\\255\\000\" c\n@ 60 CAA 0 issue \"x;y\"\n",
		"1.2.0.192.in-addr.arpa. 60 PTR h.example.\n",
		"@ 60 MX \\# 10 000A 026D78 03636F6D 00\n@ 60 TXT \\# 3 026162\n@ CLASS1 60 TYPE1 \\# 4 C0000201\n",
		"@ 60 SOA \\# 26 0161 00 0162 00 00000001 00000002 00000003 00000004 00000005\n$TTL 0\nx CNAME \\# 1 00\n",
		"bücher 60 TXT \"\\195\\188\"\n. 60 NS a.\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		z, err := ParseString(in, "example.org")
		if err != nil {
			return
		}
		text := z.String()
		z2, err := ParseString(text, "")
		if err != nil {
			t.Fatalf("written zone does not parse: %v\ninput: %q\nwritten:\n%s", err, in, text)
		}
		if diff := cmp.Diff(z.Records(), z2.Records(), cmpRR); diff != "" {
			t.Fatalf("round trip differs (-first +second):\n%s\ninput: %q", diff, in)
		}
	})
}

func TestRecordsOrderDeterministic(t *testing.T) {
	// Names that differ only by empty labels must still sort one way.
	if compareNames(".example.org", "example.org") == 0 {
		t.Error("compareNames treats .example.org and example.org as equal")
	}
	if c1, c2 := compareNames("a.example.org", "b.example.org"), compareNames("b.example.org", "a.example.org"); c1 >= 0 || c2 <= 0 {
		t.Errorf("compareNames not antisymmetric: %d %d", c1, c2)
	}
}

func TestExplicitZeroTTLKept(t *testing.T) {
	z, err := ParseString("@ 0 A 192.0.2.1", "example.org")
	if err != nil {
		t.Fatal(err)
	}
	if ttl := z.Records()[0].TTL; ttl != 0 {
		t.Errorf("TTL 0 read as %d", ttl)
	}
}

func TestMasterFileReaderLimits(t *testing.T) {
	const file = "$ORIGIN example.org.\na 60 A 192.0.2.1\nb 60 A 192.0.2.2\n"
	if _, err := (&MasterFileReader{MaxBytes: 20}).Read(strings.NewReader(file)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxBytes: %v", err)
	}
	_, err := (&MasterFileReader{MaxRecords: 1}).Read(strings.NewReader(file))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("MaxRecords: %v", err)
	}
	z, err := (&MasterFileReader{Origin: "example.org", MaxRecords: 2, MaxBytes: int64(len(file))}).Read(strings.NewReader(file))
	if err != nil || len(z.Records()) != 2 {
		t.Errorf("within the limits: %v", err)
	}
}

// FuzzCanonicalData: opaque RDATA as the master-file lexer splits it is
// always accepted as is by the check Add applies, so a parsed record of an
// unknown type can never be refused or changed.
func FuzzCanonicalData(f *testing.F) {
	for _, s := range []string{`0 issue "amazon.com"`, `\# 2 abcd`, `a"b"c \;d "e\"f" g\ h`, "x\r\"\ry\"\t z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "\n") {
			return
		}
		lx := lexer{in: s, line: 1, col: 1}
		e, err := lx.entry()
		if err != nil || len(e.tokens) == 0 {
			return
		}
		data := joinFields(e.tokens)
		got, err := canonicalData(data)
		if err != nil || got != data {
			t.Fatalf("canonicalData(%q) = %q, %v; want it unchanged", data, got, err)
		}
	})
}

// FuzzAddRoundTrip: a zone built in code that Add accepts is written as a
// master file that reads back to the same records.
func FuzzAddRoundTrip(f *testing.F) {
	f.Add("example.org", "target.example", "v=spf1 -all", uint16(16), uint16(10))
	f.Add("$x.@y.example", "(t);\"", "a\"b\\c\x00\xff", uint16(5), uint16(0))
	f.Add("Bücher.example.", ".", "", uint16(15), uint16(65535))
	f.Add("*.w.example", "x.example", `0 issue "a;b"`, uint16(257), uint16(1))
	f.Fuzz(func(t *testing.T, name, target, text string, typ, pref uint16) {
		z := New()
		rr := RR{Name: name, Type: Type(typ), TTL: uint32(pref), Target: target, Pref: pref,
			Text: SplitString(text), Data: text, SOA: &SOA{MName: target, RName: name, Serial: uint32(pref)}}
		if err := z.Add(rr); err != nil {
			return
		}
		text2 := z.String()
		z2, err := ParseString(text2, "")
		if err != nil {
			t.Fatalf("written zone does not parse: %v\n%s", err, text2)
		}
		if diff := cmp.Diff(z.Records(), z2.Records(), cmpRR); diff != "" {
			t.Fatalf("round trip (-added +read):\n%s\n%s", diff, text2)
		}
	})
}

func TestRootOrigin(t *testing.T) {
	for _, tt := range []struct{ origin, in string }{
		{".", "b.example 60 A 192.0.2.1"},
		{"", "$ORIGIN .\nb.example 60 A 192.0.2.1"},
	} {
		z, err := ParseString(tt.in, tt.origin)
		if err != nil {
			t.Fatalf("origin %q, %q: %v", tt.origin, tt.in, err)
		}
		if got := z.Records()[0].Name; got != "b.example" {
			t.Errorf("origin %q, %q: name %q, want b.example", tt.origin, tt.in, got)
		}
	}
}

// TestParseRefusesUnservableTXT: a TXT record whose RDATA is over 65,535
// bytes (RFC 1035 §3.2.1: RDLENGTH is 16 bits) cannot be served; the parser
// says so instead of accepting it (issue 11 item 15: a 51 MB record passed).
func TestParseRefusesUnservableTXT(t *testing.T) {
	str := `"` + strings.Repeat("a", 255) + `" `
	// 256 bytes of RDATA per string: 255 strings fit (65,280), 257 do not.
	fits := "example.org. 300 IN TXT ( " + strings.Repeat(str, 255) + ")\n"
	if _, err := ParseString(fits, "example.org."); err != nil {
		t.Fatalf("65,280 bytes of RDATA: %v", err)
	}
	over := "example.org. 300 IN TXT ( " + strings.Repeat(str, 257) + ")\n"
	_, err := ParseString(over, "example.org.")
	if err == nil || !strings.Contains(err.Error(), "65535") {
		t.Fatalf("65,792 bytes of RDATA: err = %v, want one naming the 65535-byte limit", err)
	}
	z := New()
	if err := z.Add(RR{Name: "example.org", Type: TypeTXT, Text: strings.Split(strings.Repeat("x,", 300), ",")}); err != nil {
		t.Fatalf("Add of 300 one-byte strings: %v", err)
	}
	big := make([]string, 257)
	for i := range big {
		big[i] = strings.Repeat("b", 255)
	}
	if err := z.Add(RR{Name: "example.org", Type: TypeTXT, Text: big}); err == nil {
		t.Error("Add of 65,792 bytes of RDATA: no error")
	}
}

// TestParseRefusesNestedParentheses: RFC 1035 §5.1 parentheses group an
// entry's lines; nesting is refused with the place of the first '(' (issue
// 11 item 15: 100,000 nested parentheses passed as "no problems").
func TestParseRefusesNestedParentheses(t *testing.T) {
	for _, n := range []int{2, 100000} {
		in := "example.org. 300 IN TXT " + strings.Repeat("(", n) + `"x"` + strings.Repeat(")", n) + "\n"
		_, err := ParseString(in, "example.org.")
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "do not nest") || pe.Line != 1 {
			t.Errorf("%d nested: err = %v, want a ParseError on line 1 saying parentheses do not nest", n, err)
		}
	}
}
