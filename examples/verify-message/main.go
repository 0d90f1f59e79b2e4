// Command verify-message runs SPF, DKIM and DMARC on a received message the
// way a receiving MTA does, with the receiver package, and prints the
// Authentication-Results header field to add to it.
//
//	go run ./examples/verify-message -zone examples/zones/example.org.zone \
//		-ip 54.240.0.1 -mail-from bounce@mail.example.org examples/verify-message/message.eml
//
// -mail-from takes the reverse-path as the MAIL command gives it: "<>" is
// the null sender, and `"a@b"@mail.example.org` is a mailbox of
// mail.example.org. Without -zone it asks the system's DNS resolver.
package main

import (
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
	"github.com/domainauth/domainauth/receiver"
	"github.com/domainauth/domainauth/zone"
)

func main() {
	log.SetFlags(0)
	zoneFile := flag.String("zone", "", "answer DNS from this zone file instead of the network")
	ip := flag.String("ip", "", "the SMTP client's IP address (required)")
	mailFrom := flag.String("mail-from", "<>", "the SMTP MAIL FROM reverse-path")
	helo := flag.String("helo", "", "the client's HELO name")
	flag.Parse()
	client, err := netip.ParseAddr(*ip)
	if err != nil || flag.NArg() != 1 {
		log.Fatal("usage: verify-message -ip ADDR [-mail-from PATH] [-helo NAME] [-zone FILE] MESSAGE-FILE")
	}
	msg, err := os.Open(flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	defer msg.Close()
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

	// One call: SPF for the HELO and MAIL FROM identities (RFC 7208), every
	// DKIM signature (RFC 6376), DMARC for the From domain (RFC 9989).
	c := &receiver.Checker{Resolver: r, AuthServID: "mx.example.net"}
	res, err := c.Check(ctx, receiver.Envelope{IP: client, HELO: *helo, MailFrom: *mailFrom}, msg)
	if res == nil {
		log.Fatal(err)
	}
	if err != nil {
		// A malformed reverse-path: an MTA would have refused the MAIL command.
		log.Print(err)
	}
	// Header folds with CRLF for the message; print it with the local line end.
	fmt.Println(strings.ReplaceAll(res.Header(), "\r\n", "\n"))
	fmt.Printf("DMARC disposition: %s\n", res.DMARC.Disposition)
}
