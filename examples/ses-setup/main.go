// Command ses-setup plans the DNS records an Amazon SES domain identity
// needs (Easy DKIM, a custom MAIL FROM domain, DMARC) and prints them as a
// Route 53 change batch, ready for
//
//	aws route53 change-resource-record-sets --hosted-zone-id Z... --change-batch file://batch.json
//
// Example:
//
//	go run ./examples/ses-setup -domain example.org -region ap-northeast-2 \
//		-tokens ee3iyktt6a52swhlzrcnadeiwwa27oo6,hleoy2vma4pcnkbbyeekmttjnef4mcgf,b743qnjojiphl56mvjxi2ietqlhb774b \
//		-mail-from mail.example.org -dmarc-reports dmarc@example.org > batch.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/domainauth/domainauth/ses"
)

func main() {
	log.SetFlags(0)
	domain := flag.String("domain", "", "the domain identity (required)")
	region := flag.String("region", "", "the SES region, e.g. eu-west-1 (required)")
	tokens := flag.String("tokens", "", "the three Easy DKIM tokens from SES, comma-separated")
	mailFrom := flag.String("mail-from", "", "the custom MAIL FROM domain, e.g. mail.example.org")
	reports := flag.String("dmarc-reports", "", "the mailbox for DMARC aggregate reports")
	flag.Parse()
	if *domain == "" || *region == "" {
		log.Fatal("usage: ses-setup -domain DOMAIN -region REGION [-tokens T1,T2,T3] [-mail-from DOMAIN] [-dmarc-reports ADDRESS]")
	}

	id := ses.Identity{
		Domain:       *domain,
		Region:       *region,
		MailFrom:     *mailFrom,
		DMARCReports: *reports,
	}
	if *tokens != "" {
		id.EasyDKIMTokens = strings.Split(*tokens, ",")
	}
	plan, err := id.Plan() // checks the region and the tokens, fills in defaults
	if err != nil {
		log.Fatal(err)
	}

	// What the records are for, and anything the planner is unsure of,
	// goes to stderr; the change batch alone goes to stdout.
	for _, r := range plan.Records {
		fmt.Fprintf(os.Stderr, "%-14s %s %s %s\n", r.Purpose, r.Name, r.Type, r.Value)
	}
	for _, f := range plan.Findings {
		fmt.Fprintf(os.Stderr, "note: %s\n", f)
	}
	fmt.Fprintf(os.Stderr, "DMARC once published: %s\n", plan.Alignment.Verdict)

	batches, err := plan.ChangeBatches("SES identity " + *domain + " in " + *region)
	if err != nil {
		log.Fatal(err)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	for _, b := range batches {
		if err := enc.Encode(b); err != nil {
			log.Fatal(err)
		}
	}
}
