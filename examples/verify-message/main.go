// Command verify-message runs SPF, DKIM and DMARC on a received message the
// way a receiving MTA does, and prints the Authentication-Results header
// field to add to it.
//
//	go run ./examples/verify-message -zone examples/zones/example.org.zone \
//		-ip 54.240.0.1 -mail-from bounce@mail.example.org examples/verify-message/message.eml
//
// Without -zone it asks the system's DNS resolver.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

func main() {
	log.SetFlags(0)
	zoneFile := flag.String("zone", "", "answer DNS from this zone file instead of the network")
	ip := flag.String("ip", "", "the SMTP client's IP address (required)")
	mailFrom := flag.String("mail-from", "", "the SMTP MAIL FROM address")
	helo := flag.String("helo", "", "the client's HELO name")
	flag.Parse()
	client, err := netip.ParseAddr(*ip)
	if err != nil || flag.NArg() != 1 {
		log.Fatal("usage: verify-message -ip ADDR [-mail-from ADDR] [-zone FILE] MESSAGE-FILE")
	}
	msg, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	var r domainauth.Resolver = net.DefaultResolver
	if *zoneFile != "" {
		f, err := os.Open(*zoneFile)
		if err != nil {
			log.Fatal(err)
		}
		z, err := zone.Parse(f, "")
		if err != nil {
			log.Fatal(err)
		}
		f.Close()
		r = z
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// SPF authorises the client for the MAIL FROM domain (RFC 7208).
	in := spf.Input{IP: client, MailFrom: *mailFrom, HELO: *helo}
	spfRes := (&spf.Checker{Resolver: r}).Check(ctx, in)

	// DKIM verifies every signature of the message (RFC 6376).
	sigs, err := (&dkim.Verifier{Resolver: r}).Verify(ctx, bytes.NewReader(msg))
	if err != nil {
		log.Fatal(err)
	}

	// DMARC needs the From domain (AuthorDomains reads the header section
	// and ignores the body) and the domains SPF and DKIM vouched for.
	from, err := dmarc.AuthorDomains(string(msg), dmarc.AuthorSingle)
	if err != nil {
		log.Fatal(err)
	}
	spfDomain := *helo
	if at := strings.LastIndex(*mailFrom, "@"); at >= 0 {
		spfDomain = (*mailFrom)[at+1:]
	}
	dm := dmarc.Input{FromDomain: from[0],
		SPF: dmarc.Identifier{Domain: spfDomain, Result: dmarc.ParseAuthResult(spfRes.Code.String())}}
	results := []string{spf.AuthResultsSPF(spfRes, in)}
	for _, v := range sigs {
		dm.DKIM = append(dm.DKIM, dmarc.Identifier{Domain: v.Domain, Selector: v.Selector,
			Result: dmarc.ParseAuthResult(v.Status.String())})
		results = append(results, fmt.Sprintf("dkim=%s header.d=%s header.s=%s", v.Status, v.Domain, v.Selector))
	}
	if len(sigs) == 0 {
		results = append(results, "dkim=none")
	}
	dmRes := (&dmarc.Checker{Resolver: r}).Evaluate(ctx, dm)
	results = append(results, dmRes.AuthenticationResults())

	fmt.Printf("Authentication-Results: mx.example.net;\n\t%s\n", strings.Join(results, ";\n\t"))
	fmt.Printf("DMARC disposition: %s\n", dmRes.Disposition)
}
