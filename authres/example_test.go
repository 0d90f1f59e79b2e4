package authres_test

import (
	"fmt"
	"strings"

	"github.com/domainauth/domainauth/authres"
)

func ExampleParse() {
	r, err := authres.Parse("Authentication-Results: mx.example.org 1;\r\n" +
		"\tspf=pass (sender permitted) smtp.mailfrom=alice@example.com;\r\n" +
		"\tdkim=pass reason=\"good signature\" header.d=example.com header.s=sel1;\r\n" +
		"\tdmarc=pass header.from=example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.AuthServID, r.Version)
	for _, m := range r.Methods {
		d, _ := m.Prop("header", "d")
		fmt.Printf("%s=%s reason=%q header.d=%q usable=%v\n", m.Method, m.Result, m.Reason, d, m.Usable())
	}
	// Output:
	// mx.example.org 1
	// spf=pass reason="" header.d="" usable=true
	// dkim=pass reason="good signature" header.d="example.com" usable=true
	// dmarc=pass reason="" header.d="" usable=true
}

func ExampleFormat() {
	s, err := authres.Format(&authres.Results{
		AuthServID: "mx.example.org",
		Methods: []authres.MethodResult{
			{Method: "spf", Result: authres.ResultPass, Props: []authres.Property{{Type: "smtp", Name: "mailfrom", Value: `"a b"@example.com`}}},
			{Method: "dkim", Result: authres.ResultFail, Reason: "signature did not verify", Props: []authres.Property{{Type: "header", Name: "d", Value: "example.com"}}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Lines end in CRLF as RFC 5322 requires; shown here as LF.
	fmt.Printf("%s: %s\n", authres.FieldName, strings.ReplaceAll(s, "\r\n", "\n"))
	// Output:
	// Authentication-Results: mx.example.org;
	// 	spf=pass smtp.mailfrom="a b"@example.com;
	// 	dkim=fail reason="signature did not verify" header.d=example.com
}

func ExampleStrip() {
	header := []authres.HeaderField{
		{Name: "Authentication-Results", Value: " mx.example.org; dkim=pass header.d=forged.example"},
		{Name: "Authentication-Results", Value: " relay.example.net; spf=pass smtp.mailfrom=example.com"},
		{Name: "Received", Value: " from relay.example.net"},
	}
	// Arriving from outside: delete what claims our own authserv-id (RFC 8601 §5).
	kept, removed := authres.Strip(header, "mx.example.org")
	for _, r := range removed {
		fmt.Println("removed", r.Index, r.Reason)
	}
	// Read upstream results only from the relay we trust.
	for _, r := range authres.Trusted(kept, "relay.example.net") {
		fmt.Println(r.AuthServID, r.Methods[0].Method, r.Methods[0].Result)
	}
	// Output:
	// removed 0 own-authserv-id
	// relay.example.net spf pass
}
