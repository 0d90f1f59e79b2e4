package authres

// RFC requirement coverage: the MUSTs of RFC 8601 §2, §4.1 and §5 that
// concern a parser, a writer or the removal of fields, in our words, with
// the tests that check them.
//
//	§      requirement (paraphrased)                                    test(s)
//	2.2    the grammar: authserv-id [version] (; none / 1*resinfo),    TestParse, TestParseErrors, TestParseTolerances (strict)
//	       methodspec, reasonspec, propspec, CFWS where allowed
//	2.2    an email identity in a pvalue MUST use the address form     TestRFCIdentityAddressForm, TestFormat
//	       ([local-part] "@" domain-name), not a quoted string
//	2.2    "value" is an RFC 2045 token or a quoted-string (RFC 6532)  TestFormat, TestRFCValueQuoting, FuzzFormat
//	2.3    results with unknown ptypes MUST NOT be used in decisions   TestResultHelpers (Usable)
//	2.6    a field version the parser does not know: stop parsing      TestParseErrors (case "§2.6 unknown version"), TestForRemoval
//	4.1    consumers MUST ignore unregistered results and methods      TestResultHelpers (Usable, Registered)
//	       they do not support
//	5      MUST delete fields claiming the receiver's authserv-id      TestForRemoval, ExampleStrip
//	       (hierarchical ids: names below it claim it too)
//	5      for EAI, compare after A-label/U-label conversion           TestForRemovalUnicodeOwn
//	5      MUST remove fields of an unsupported version from an        TestForRemoval (index 5)
//	       untrusted connection
//	5      upstream results only from listed authserv-ids              TestTrusted
//
// Out of scope: the producer's duties of §2.5 (unique authserv-id), §2.7
// (result tables of new methods) and §4 (where to add the field).

import (
	"strings"
	"testing"
)

// TestRFCIdentityAddressForm: RFC 8601 §2.2, an email identity in a pvalue
// MUST use the right-hand side of pvalue (an address), so Format never
// quotes one, even with a quoted local part.
func TestRFCIdentityAddressForm(t *testing.T) {
	for _, v := range []string{"alice@example.org", "@example.org", `"a b"@example.org`, "a.b+c@sub.example.org", "ユーザー@例え.jp"} {
		out, err := Format(&Results{AuthServID: "x", Methods: []MethodResult{{Method: "spf", Result: ResultPass, Props: []Property{prop("smtp", "mailfrom", v)}}}})
		if err != nil {
			t.Errorf("Format(%q): %v", v, err)
			continue
		}
		if !strings.HasSuffix(out, "smtp.mailfrom="+v) {
			t.Errorf("Format wrote %q, want the address %s unquoted", out, v)
		}
	}
}

// TestRFCValueQuoting: RFC 8601 §2.2 "value" is an RFC 2045 token or a
// quoted-string: every tspecial, white space and an empty value force
// quotes; '"' and '\' are escaped.
func TestRFCValueQuoting(t *testing.T) {
	for _, c := range `()<>@,;:\"/[]?= ` {
		v := "a" + string(c) + "b"
		got, err := quoteValue(v, false)
		if err != nil {
			t.Fatal(err)
		}
		want := `"` + v + `"`
		if c == '"' || c == '\\' {
			want = `"a\` + string(c) + `b"`
		}
		if got != want {
			t.Errorf("quoteValue(%q) = %q, want %q", v, got, want)
		}
	}
	for v, want := range map[string]string{"": `""`, "abc.def-1_x": "abc.def-1_x", "a\tb": "\"a\tb\""} {
		if got, _ := quoteValue(v, false); got != want {
			t.Errorf("quoteValue(%q) = %q, want %q", v, got, want)
		}
	}
}
