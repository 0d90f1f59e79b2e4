package audit_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/zone"
)

// The bundled zones audited through the audit package alone: the findings
// are those "domainauth check" prints for them (info findings left out, as
// check does without --verbose).
func Example_bundledZones() {
	for _, c := range []struct{ file, domain, region, policy string }{
		{"../examples/zones/example.org.zone", "example.org", "", ""},
		{"../examples/zones/broken.example.zone", "broken.example", "eu-south-1", "../examples/zones/broken.example.mta-sts.txt"},
		{"../examples/zones/secure.example.zone", "secure.example", "", "../examples/zones/secure.example.mta-sts.txt"},
	} {
		f, err := os.Open(c.file)
		if err != nil {
			fmt.Println(err)
			return
		}
		z, err := zone.Parse(f, c.domain)
		f.Close()
		if err != nil {
			fmt.Println(err)
			return
		}
		a := &audit.Auditor{Resolver: z, Zone: z, Region: c.region}
		if c.policy != "" {
			// The MTA-STS policy the domain serves over HTTPS, read from
			// a file (check's --mta-sts-policy).
			if a.MTASTSPolicy, err = os.ReadFile(c.policy); err != nil {
				fmt.Println(err)
				return
			}
		}
		rep, err := a.Audit(context.Background(), c.domain)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %d errors, %d warnings\n", rep.Domain, rep.Errors, rep.Warnings)
		for _, ar := range rep.Areas {
			for _, f := range ar.Findings {
				if f.Severity != domainauth.SeverityInfo {
					fmt.Printf("  %-9s %-7s %s  %s\n", ar.Name, f.Severity, f.Code, f.Where)
				}
			}
		}
	}
	// Output:
	// example.org: 0 errors, 0 warnings
	// broken.example: 9 errors, 2 warnings
	//   spf       error   spf.too-many-lookups  broken.example
	//   dmarc     warning dmarc.p-none-without-rua  _dmarc.broken.example p
	//   mail-from error   spf.multiple-records  bounce.broken.example
	//   ses       error   ses.dkim-wrong-region  m2ex6rhtwq5bzkjd3fyn7lvsc4apo6gu._domainkey.broken.example
	//   ses       error   ses.dkim-wrong-region  q4zd7mxk2vbn6wchj3tyrlfpe5sgua2o._domainkey.broken.example
	//   ses       error   ses.dkim-wrong-region  w7n3kbyx5qj2tmr6dhaezlc4vgfup7si._domainkey.broken.example
	//   ses       error   ses.dmarc-no-alignment  broken.example
	//   ses       warning ses.mailfrom-mx-wrong-region  bounce.broken.example
	//   mta-sts   error   mtasts.mx-not-covered  mx.broken.example
	//   tls-rpt   error   tlsrpt.invalid-record  _smtp._tls.broken.example
	//   bimi      error   bimi.dmarc-not-enforcing  _dmarc.broken.example
	// secure.example: 0 errors, 0 warnings
}

func ExampleAuditor_Audit() {
	z := zone.New()
	z.AddMX("example.org", 0, ".")                          // null MX: the domain receives no mail...
	z.AddTXT("example.org", "v=spf1 ip4:192.0.2.0/24 -all") // ...but sends some
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject; rua=mailto:d@reports.example.net")
	a := &audit.Auditor{Resolver: z, Zone: z}
	rep, err := a.Audit(context.Background(), "example.org")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range rep.Findings() {
		fmt.Println(f.Severity, f.Code)
		if f.Fix != "" {
			fmt.Println("  fix:", f.Fix)
		}
	}
	// Output:
	// error mx.null-mx-sender
	//   fix: replace the null MX at example.org by MX records naming a host that accepts bounces, or stop sending as example.org
	// info mx.null
	// error dmarc.unauthorized-destination
	//   fix: ask the destination's owner to publish "v=DMARC1" at DOMAIN._report._dmarc.HOST, or send reports to a mailbox in your own domain
	// warning dmarc.destination-cannot-receive
	//   fix: publish MX records at reports.example.net, or send rua reports to an address whose domain receives mail
	// info bimi.record-missing
}

func ExampleAuditor_AuditAll() {
	z := zone.New()
	z.AddMX("a.example", 0, ".")
	z.AddTXT("a.example", "v=spf1 -all")
	z.AddTXT("_dmarc.a.example", "v=DMARC1; p=reject")
	z.AddMX("b.example", 0, ".")
	z.AddTXT("_dmarc.b.example", "v=DMARC1; p=reject")
	a := &audit.Auditor{Resolver: z, Zone: z, Concurrency: 2}
	var lines []string
	// Reports come as they finish; sort them for a stable output.
	for rep, err := range a.AuditAll(context.Background(), slices.Values([]string{"a.example", "b.example"})) {
		if err != nil {
			fmt.Println(err)
			continue
		}
		lines = append(lines, fmt.Sprintf("%s: %d errors, %d warnings", rep.Domain, rep.Errors, rep.Warnings))
	}
	slices.Sort(lines)
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// a.example: 0 errors, 0 warnings
	// b.example: 0 errors, 1 warnings
}
