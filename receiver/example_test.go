package receiver_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/domainauth/domainauth/receiver"
	"github.com/domainauth/domainauth/zone"
)

func ExampleChecker_Check() {
	z := zone.New()
	z.AddTXT("mail.example.org", "v=spf1 ip4:192.0.2.0/24 -all")
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
	msg := "From: Alice <alice@example.org>\r\nSubject: hello\r\n\r\nHi.\r\n"

	c := &receiver.Checker{Resolver: z, AuthServID: "mx.example.net"}
	res, err := c.Check(context.Background(), receiver.Envelope{
		IP:       netip.MustParseAddr("192.0.2.10"),
		HELO:     "out.example.org",
		MailFrom: `<"alice@home"@mail.example.org>`,
	}, strings.NewReader(msg))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.SPF.Code, res.DMARC.Code, res.DMARC.Disposition)
	// Header folds with CRLF, as a message needs; print it with LF.
	fmt.Println(strings.ReplaceAll(res.Header(), "\r\n", "\n"))
	// Output:
	// pass pass none
	// Authentication-Results: mx.example.net;
	// 	spf=pass smtp.mailfrom="alice@home"@mail.example.org;
	// 	spf=none smtp.helo=out.example.org;
	// 	dkim=none;
	// 	dmarc=pass header.from=example.org policy.dmarc=reject
}

func ExampleParsePath() {
	for _, s := range []string{
		`<"a@b"@mail.example.org>`,
		"<@relay.example:user@example.org>",
		"bounce@example.org",
		"<>",
		"<user@example.org",
	} {
		p, err := receiver.ParsePath(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s local=%s domain=%s null=%v\n", p, p.Local, p.Domain, p.Null)
	}
	// Output:
	// <"a@b"@mail.example.org> local="a@b" domain=mail.example.org null=false
	// <user@example.org> local=user domain=example.org null=false
	// <bounce@example.org> local=bounce domain=example.org null=false
	// <> local= domain= null=true
	// receiver: malformed reverse-path "<user@example.org" at offset 17: no '>' closing the path
}
