// Command audit-domains audits the mail authentication of each domain named
// on the command line, several at once, and prints each one's problems with
// what to publish instead, as each audit finishes. Without -zone it asks the
// system resolver (live DNS).
//
// Example:
//
//	go run ./examples/audit-domains -zone examples/zones/broken.example.zone -region eu-south-1 broken.example
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"slices"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/zone"
)

func main() {
	log.SetFlags(0)
	zoneFile := flag.String("zone", "", "read DNS records from this master file instead of live DNS")
	region := flag.String("region", "", "the Amazon SES region the domains send from, if any")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("usage: audit-domains [-zone FILE] [-region REGION] DOMAIN...")
	}
	a := &audit.Auditor{Resolver: net.DefaultResolver, Region: *region, Timeout: 30 * time.Second}
	if *zoneFile != "" {
		f, err := os.Open(*zoneFile)
		if err != nil {
			log.Fatal(err)
		}
		z, err := zone.Parse(f, ".")
		f.Close()
		if err != nil {
			log.Fatal(err)
		}
		// A zone lets the audit list the DKIM selectors it holds.
		a.Resolver, a.Zone, a.TrustNotFound = z, z, true
	}
	failed := false
	for rep, err := range a.AuditAll(context.Background(), slices.Values(flag.Args())) {
		if err != nil {
			log.Fatal(err) // unusable DNS, an invalid name: the audit could not be made
		}
		fmt.Printf("%s: %d errors, %d warnings\n", rep.Domain, rep.Errors, rep.Warnings)
		for _, ar := range rep.Areas {
			for _, f := range ar.Findings {
				if f.Severity == domainauth.SeverityInfo {
					continue
				}
				fmt.Printf("  %s %s (%s)\n    %s\n", f.Severity, f.Code, f.Where, f.Message)
				if f.Fix != "" {
					fmt.Printf("    fix: %s\n", f.Fix)
				}
			}
		}
		failed = failed || rep.Errors > 0
	}
	if failed {
		os.Exit(1)
	}
}
