package authres

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var fuzzSeeds = []string{
	"Authentication-Results: example.org 1; none",
	"example.com;\r\n auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n spf=pass smtp.mailfrom=example.net",
	"foo.example.net (foobar) 1 (baz);\r\n dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n policy (A dot can go here) . (like that) expired\r\n (this surprised me) = (as I wasn't expecting it) 1362471462",
	`"my auth"; spf=neutral smtp.mailfrom="" smtp.helo="a \"b\" \\ c" header.i="a b"@example.org`,
	"spf=softfail (sender IP is 192.0.2.1)\n smtp.mailfrom=example.com; mx.example.net; dkim=fail\n header.d=example.com;mx.example.net; dmarc=fail\n action=oreject header.from=example.com;",
	"example.org; iprev=pass policy.iprev=2001:db8::1; dkim=pass header.b=ab/c+d= reason=x",
	"例え.jp; spf=pass smtp.mailfrom=ユーザー@例え.jp",
	"x; a=b (c (d) \\) e) f.g=\"h\r\n i\"",
}

// FuzzParse checks that Parse never panics and the parse→format→parse
// property: a field the parser reads (with an authserv-id, and properties
// that all have a ptype) formats, and the strict parser reads the output
// back to the same Results.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(s) {
				t.Fatalf("Parse(%q) = %v, want a *ParseError with an offset in the input", s, err)
			}
			return
		}
		if r.AuthServID == "" {
			return
		}
		for _, m := range r.Methods {
			for _, p := range m.Props {
				if p.Type == "" {
					return
				}
			}
		}
		out, err := Format(r)
		if err != nil {
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "longer than 998") {
				t.Fatalf("Format(Parse(%q)) = %v", s, err)
			}
			return
		}
		back, err := (&Parser{Strict: true, MaxLength: len(out) + 1}).Parse(out)
		if err != nil {
			t.Fatalf("strict Parse(Format(Parse(%q))) = %v\nformatted: %q", s, err, out)
		}
		if d := cmp.Diff(r, back, equateEmpty); d != "" {
			t.Fatalf("Parse(Format(Parse(%q))) differs (-first +second):\n%s\nformatted: %q", s, d, out)
		}
	})
}

// FuzzFormat checks the format→parse property: whatever Format accepts,
// the strict parser reads back to the same Results with its keywords
// lower-cased (the normal form).
func FuzzFormat(f *testing.F) {
	f.Add("example.org", uint8(1), "DKIM", uint8(0), "pass", "good sig", "header", "i", "@example.org")
	f.Add("my auth", uint8(0), "spf", uint8(2), "fail", "", "smtp", "mailfrom", `"a b"@example.org`)
	f.Add("x", uint8(0), "iprev", uint8(0), "pass", `a"b\c`, "policy", "iprev", "2001:db8::1")
	f.Add("例え.jp", uint8(0), "x-new", uint8(0), "maybe", "ü", "x-t", "k", "")
	f.Fuzz(func(t *testing.T, id string, version uint8, method string, mversion uint8, result, reason, ptype, name, value string) {
		x := &Results{AuthServID: id, Version: int(version % 2), Methods: []MethodResult{{
			Method: method, MethodVersion: int(mversion), Result: Result(result), Reason: reason,
			Props: []Property{{Type: ptype, Name: name, Value: value}, {Type: ptype, Name: name, Value: reason}},
		}}}
		if mversion == 255 {
			x.Methods = nil // the no-result form
		}
		out, err := Format(x)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("Format error %v does not wrap ErrFormat", err)
			}
			return
		}
		back, err := (&Parser{Strict: true}).Parse(out)
		if err != nil {
			t.Fatalf("strict Parse(Format(%+v)) = %v\nformatted: %q", x, err, out)
		}
		for i := range x.Methods {
			m := &x.Methods[i]
			m.Method, m.Result = strings.ToLower(m.Method), Result(strings.ToLower(string(m.Result)))
			for j := range m.Props {
				m.Props[j].Type, m.Props[j].Name = strings.ToLower(m.Props[j].Type), strings.ToLower(m.Props[j].Name)
			}
		}
		if d := cmp.Diff(x, back, equateEmpty); d != "" {
			t.Fatalf("Parse(Format(x)) differs (-x +back):\n%s\nformatted: %q", d, out)
		}
	})
}
