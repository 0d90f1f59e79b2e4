package zone_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/zone"
)

func ExampleZone_LookupTXT() {
	z := zone.New()
	z.AddTXT("example.org", "v=spf1 include:amazonses.com ~all")
	z.AddMX("example.org", 10, "feedback-smtp.us-east-1.amazonses.com")

	txt, err := z.LookupTXT(context.Background(), "Example.ORG.")
	fmt.Println(txt, err)
	_, err = z.LookupTXT(context.Background(), "nothing.example.org")
	fmt.Println(err)
	// Output:
	// [v=spf1 include:amazonses.com ~all] <nil>
	// lookup nothing.example.org: no such host
}

func ExampleParse() {
	const file = `
$ORIGIN example.org.
$TTL 300
@        IN MX  10 feedback-smtp.ap-northeast-2.amazonses.com.
_dmarc   IN TXT "v=DMARC1; p=quarantine; " "rua=mailto:mail-master@example.org"
`
	z, err := zone.Parse(strings.NewReader(file), "")
	if err != nil {
		fmt.Println(err)
		return
	}
	z.WriteTo(os.Stdout)
	// Output:
	// example.org.	300	IN	MX	10 feedback-smtp.ap-northeast-2.amazonses.com.
	// _dmarc.example.org.	300	IN	TXT	"v=DMARC1; p=quarantine; " "rua=mailto:mail-master@example.org"
}

func ExampleMasterFileReader() {
	const file = "$ORIGIN example.org.\n@ 300 TXT \"v=spf1 -all\"\nwww 300 A 192.0.2.1\n"
	rd := &zone.MasterFileReader{MaxRecords: 1}
	_, err := rd.Read(strings.NewReader(file))
	fmt.Println(errors.Is(err, zone.ErrTooLarge), err)
	// Output:
	// true zone: master file exceeds limit: line 3: more than 1 records
}

func ExampleZone_SetFault() {
	z := zone.New()
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=reject")
	z.SetFault("_dmarc.example.org", zone.TypeTXT, zone.FaultServFail)
	_, err := z.LookupTXT(context.Background(), "_dmarc.example.org")
	fmt.Println(domainauth.Classify(context.Background(), err), err)
	// Output:
	// temporary lookup _dmarc.example.org: server misbehaving
}
