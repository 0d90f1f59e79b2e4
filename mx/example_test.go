package mx_test

import (
	"context"
	"fmt"

	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/zone"
)

func ExampleChecker_Check() {
	z := zone.New()
	z.AddMX("example.org", 10, "mx1.example.org")
	z.AddMX("example.org", 20, "mail.example.org")
	z.AddA("mx1.example.org", "192.0.2.25")
	z.AddCNAME("mail.example.org", "mx1.example.org")
	z.AddMX("nomail.example.org", 0, ".")

	c := &mx.Checker{Resolver: z}
	for _, d := range []string{"example.org", "nomail.example.org", "www.example.org"} {
		res, err := c.Check(context.Background(), d)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(d, res.State)
		for _, f := range res.Findings {
			fmt.Println("  ", f.Code, f.Where)
		}
	}
	// Output:
	// example.org mx
	//    mx.cname-target mail.example.org
	// nomail.example.org null-mx
	//    mx.null nomail.example.org
	// www.example.org none
	//    mx.none www.example.org
}

func ExampleChecker_CheckMailFrom() {
	z := zone.New()
	z.AddMX("mail.example.org", 10, "feedback-smtp.ap-northeast-2.amazonses.com")
	z.AddA("feedback-smtp.ap-northeast-2.amazonses.com", "192.0.2.111")
	z.AddTXT("mail.example.org", "v=spf1 include:amazonses.com ~all")
	z.AddTXT("bounce.example.org", "v=spf1 -all")

	c := &mx.Checker{Resolver: z}
	for _, d := range []string{"mail.example.org", "bounce.example.org"} {
		res, err := c.CheckMailFrom(context.Background(), d)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(d, "suitable:", res.Suitable())
		for _, f := range res.Findings {
			fmt.Println("  ", f.Severity, f.Code)
		}
	}
	// Output:
	// mail.example.org suitable: true
	// bounce.example.org suitable: false
	//    error mx.mailfrom-no-mx
}
