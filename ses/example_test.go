package ses_test

import (
	"context"
	"fmt"

	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/ses"
	"github.com/domainauth/domainauth/zone"
)

func ExampleIdentity_Plan() {
	policy, _ := dmarc.ParseRecord("v=DMARC1; p=quarantine; rua=mailto:mail-master@example.org")
	id := ses.Identity{
		Domain: "example.org",
		Region: "ap-northeast-2",
		EasyDKIMTokens: []string{
			"ee3iyktt6a52swhlzrcnadeiwwa27oo6",
			"hleoy2vma4pcnkbbyeekmttjnef4mcgf",
			"b743qnjojiphl56mvjxi2ietqlhb774b",
		},
		MailFrom: "mail.example.org",
		DMARC:    policy,
	}
	plan, err := id.Plan()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(plan.BIND())
	fmt.Println("DMARC passes through:", plan.Alignment.Verdict)
	// Output:
	// ; Amazon SES domain identity example.org in ap-northeast-2 (Asia Pacific (Seoul))
	// ; easy-dkim
	// ee3iyktt6a52swhlzrcnadeiwwa27oo6._domainkey.example.org.	3600	IN	CNAME	ee3iyktt6a52swhlzrcnadeiwwa27oo6.dkim.amazonses.com.
	// hleoy2vma4pcnkbbyeekmttjnef4mcgf._domainkey.example.org.	3600	IN	CNAME	hleoy2vma4pcnkbbyeekmttjnef4mcgf.dkim.amazonses.com.
	// b743qnjojiphl56mvjxi2ietqlhb774b._domainkey.example.org.	3600	IN	CNAME	b743qnjojiphl56mvjxi2ietqlhb774b.dkim.amazonses.com.
	// ; mail-from-mx
	// mail.example.org.	3600	IN	MX	10 feedback-smtp.ap-northeast-2.amazonses.com.
	// ; mail-from-spf
	// mail.example.org.	3600	IN	TXT	"v=spf1 include:amazonses.com ~all"
	// ; dmarc
	// _dmarc.example.org.	3600	IN	TXT	"v=DMARC1; p=quarantine; rua=mailto:mail-master@example.org"
	// DMARC passes through: both
}

func ExampleAuditor_Audit() {
	id := ses.Identity{
		Domain:         "example.org",
		Region:         "af-south-1",
		EasyDKIMTokens: []string{"q4zd7mxk2vbn6wchj3tyrlfpe5sgua2o", "w7n3kbyx5qj2tmr6dhaezlc4vgfup7si", "m2ex6rhtwq5bzkjd3fyn7lvsc4apo6gu"},
		MailFrom:       "bounce.example.org",
		DMARCReports:   "dmarc@example.org",
	}
	plan, err := id.Plan()
	if err != nil {
		fmt.Println(err)
		return
	}
	// The zone as published: a DKIM CNAME copied from a us-east-1 set-up
	// (that key does not exist: the signature fails) and the MAIL FROM MX
	// pointing at us-east-1's feedback endpoint (SES accepts it, as for a
	// MAIL FROM domain shared across regions, so SPF still aligns).
	z, err := zone.ParseString(`
$ORIGIN example.org.
q4zd7mxk2vbn6wchj3tyrlfpe5sgua2o._domainkey CNAME q4zd7mxk2vbn6wchj3tyrlfpe5sgua2o.dkim.amazonses.com.
w7n3kbyx5qj2tmr6dhaezlc4vgfup7si._domainkey CNAME w7n3kbyx5qj2tmr6dhaezlc4vgfup7si.dkim.af-south-1.amazonses.com.
m2ex6rhtwq5bzkjd3fyn7lvsc4apo6gu._domainkey CNAME m2ex6rhtwq5bzkjd3fyn7lvsc4apo6gu.dkim.af-south-1.amazonses.com.
bounce MX 10 feedback-smtp.us-east-1.amazonses.com.
bounce TXT "v=spf1 include:amazonses.com ~all"
_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.org"
`, "example.org.")
	if err != nil {
		fmt.Println(err)
		return
	}
	audit := (&ses.Auditor{Resolver: z}).Audit(context.Background(), plan)
	for _, f := range audit.Findings {
		fmt.Println(f.Severity, f.Code, f.Where)
	}
	fmt.Println("DMARC passes through:", audit.Alignment.Verdict)
	fmt.Println("SPF:", audit.Alignment.SPF.Reason)
	// Output:
	// error ses.dkim-wrong-region q4zd7mxk2vbn6wchj3tyrlfpe5sgua2o._domainkey.example.org
	// warning ses.mailfrom-mx-wrong-region bounce.example.org
	// DMARC passes through: spf
	// SPF: custom MAIL FROM bounce.example.org and From example.org share the organizational domain example.org (relaxed)
}

func ExampleLookupRegion() {
	r, err := ses.LookupRegion("eu-south-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Name)
	fmt.Println(r.DKIMZone.Value, r.DKIMZone.Confidence)
	fmt.Println(r.FeedbackHost.Value, r.FeedbackHost.Confidence)
	_, err = ses.LookupRegion("eu-south-3")
	fmt.Println(err)
	// Output:
	// Europe (Milan)
	// dkim.eu-south-1.amazonses.com third-party
	// feedback-smtp.eu-south-1.amazonses.com documented
	// ses: unknown region "eu-south-3"; known regions: af-south-1, ap-northeast-1, ap-northeast-2, ap-northeast-3, ap-south-1, ap-south-2, ap-southeast-1, ap-southeast-2, ap-southeast-3, ap-southeast-5, ca-central-1, ca-west-1, eu-central-1, eu-central-2, eu-north-1, eu-south-1, eu-west-1, eu-west-2, eu-west-3, eusc-de-east-1, il-central-1, me-central-1, me-south-1, sa-east-1, us-east-1, us-east-2, us-gov-east-1, us-gov-west-1, us-west-1, us-west-2
}
