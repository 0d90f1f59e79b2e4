package tlsrpt_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/domainauth/domainauth/tlsrpt"
	"github.com/domainauth/domainauth/zone"
)

func ExampleParseRecord() {
	r, err := tlsrpt.ParseRecord("v=TLSRPTv1; rua=mailto:tls@example.com,https://reports.example.com/v1")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range r.Destinations() {
		fmt.Println(d.Scheme, d.Address+d.URL)
	}
	fmt.Println(r)
	// Output:
	// mailto tls@example.com
	// https https://reports.example.com/v1
	// v=TLSRPTv1; rua=mailto:tls@example.com,https://reports.example.com/v1
}

func ExampleLookupRecord() {
	z := zone.New()
	z.AddTXT("_smtp._tls.example.com", "v=TLSRPTv1;rua=mailto:tls@example.com")
	z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1;rua=mailto:a@example.org")
	z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1;rua=mailto:b@example.org")
	for _, d := range []string{"example.com", "example.org", "example.net"} {
		r, err := tlsrpt.LookupRecord(context.Background(), z, d)
		fmt.Println(d, r, err)
	}
	// Output:
	// example.com v=TLSRPTv1; rua=mailto:tls@example.com <nil>
	// example.org <nil> tlsrpt: more than one TLSRPT record: 2 records at _smtp._tls
	// example.net <nil> tlsrpt: no TLSRPT record
}

func ExampleDecoder_Decode() {
	doc := `{"organization-name":"Company-X",
 "date-range":{"start-datetime":"2016-04-01T00:00:00Z","end-datetime":"2016-04-01T23:59:59Z"},
 "contact-info":"sts-reporting@company-x.example","report-id":"5065427c",
 "policies":[{"policy":{"policy-type":"sts","policy-domain":"company-y.example","mx-host":"*.mail.company-y.example"},
  "summary":{"total-successful-session-count":5326,"total-failure-session-count":303},
  "failure-details":[{"result-type":"starttls-not-supported","receiving-mx-hostname":"mx2.mail.company-y.example","failed-session-count":303}]}]}`
	var dec tlsrpt.Decoder // with a Resolver, email reports get their DKIM check
	r, err := dec.Decode(context.Background(), strings.NewReader(doc))
	if err != nil {
		fmt.Println(err)
		return
	}
	p := r.Policies[0]
	fmt.Println(r.OrganizationName, p.Policy.Domain, p.Summary.Successful, p.Summary.Failure, r.Verified())
	for _, d := range p.FailureDetails {
		fmt.Println(d.ResultType, d.ReceivingMXHostname, d.FailedSessionCount)
	}
	for _, w := range r.Warnings {
		fmt.Println(w.Code)
	}
	// Output:
	// Company-X company-y.example 5326 303 true
	// starttls-not-supported mx2.mail.company-y.example 303
	// tlsrpt.string-not-array
}

func ExampleSummary() {
	var a, b tlsrpt.Summary
	day := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	a.Add(&tlsrpt.Report{DateRange: tlsrpt.DateRange{Start: day}, Policies: []tlsrpt.PolicyResult{{
		Policy:  tlsrpt.Policy{Type: tlsrpt.PolicyTypeSTS, Domain: "example.com"},
		Summary: tlsrpt.SessionCounts{Successful: 90, Failure: 10},
		FailureDetails: []tlsrpt.FailureDetail{{ResultType: tlsrpt.ResultTypeCertificateExpired,
			ReceivingMXHostname: "mx1.example.com", FailedSessionCount: 10}},
	}}})
	b.Add(&tlsrpt.Report{DateRange: tlsrpt.DateRange{Start: day}, Policies: []tlsrpt.PolicyResult{{
		Policy:  tlsrpt.Policy{Type: tlsrpt.PolicyTypeSTS, Domain: "example.com"},
		Summary: tlsrpt.SessionCounts{Successful: 50},
	}}})
	a.Merge(&b)
	fmt.Println(a.Reports, *a.ByPolicyDomain["example.com"], *a.ByDay["2026-12-03"])
	fmt.Println(a.ByResultType[tlsrpt.ResultTypeCertificateExpired], a.ByMXHost["mx1.example.com"])
	// Output:
	// 2 {140 10} {140 10}
	// 10 10
}

func ExampleEncode() {
	r := &tlsrpt.Report{
		OrganizationName: "Sender Inc.",
		DateRange:        tlsrpt.DateRange{Start: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 3, 23, 59, 59, 0, time.UTC)},
		ContactInfo:      "tlsrpt@sender.example",
		ReportID:         "2026-12-03-example.com",
		Policies: []tlsrpt.PolicyResult{{
			Policy:  tlsrpt.Policy{Type: tlsrpt.PolicyTypeNoPolicyFound, Domain: "example.com"},
			Summary: tlsrpt.SessionCounts{Successful: 12},
		}},
	}
	fmt.Println(tlsrpt.Filename(r, "sender.example", "example.com", "", tlsrpt.CompressionGzip))
	if err := tlsrpt.Encode(os.Stdout, r); err != nil {
		fmt.Println(err)
	}
	// Output:
	// sender.example!example.com!1796256000!1796342399.json.gz
	// {
	//   "organization-name": "Sender Inc.",
	//   "date-range": {
	//     "start-datetime": "2026-12-03T00:00:00Z",
	//     "end-datetime": "2026-12-03T23:59:59Z"
	//   },
	//   "contact-info": "tlsrpt@sender.example",
	//   "report-id": "2026-12-03-example.com",
	//   "policies": [
	//     {
	//       "policy": {
	//         "policy-type": "no-policy-found",
	//         "policy-domain": "example.com"
	//       },
	//       "summary": {
	//         "total-successful-session-count": 12,
	//         "total-failure-session-count": 0
	//       },
	//       "failure-details": []
	//     }
	//   ]
	// }
}
