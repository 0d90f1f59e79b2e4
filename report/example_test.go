package report_test

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/domainauth/domainauth/report"
)

const sesXML = `<?xml version="1.0" encoding="UTF-8" ?>
<feedback>
  <report_metadata>
    <org_name>google.com</org_name>
    <email>noreply-dmarc-support@google.com</email>
    <report_id>5717107811868587391</report_id>
    <date_range><begin>1700006400</begin><end>1700092799</end></date_range>
  </report_metadata>
  <policy_published>
    <domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct>
  </policy_published>
  <record>
    <row>
      <source_ip>54.240.27.17</source_ip>
      <count>12</count>
      <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated>
    </row>
    <identifiers><header_from>example.com</header_from></identifiers>
    <auth_results>
      <dkim><domain>example.com</domain><result>pass</result><selector>ai33r7fqmoefihzcm3c5yksogilyhsfv</selector></dkim>
      <dkim><domain>amazonses.com</domain><result>pass</result><selector>224i4yxa5dv7c2xz3womw6peuasteono</selector></dkim>
      <spf><domain>us-west-2.amazonses.com</domain><result>pass</result></spf>
    </auth_results>
  </record>
</feedback>`

func ExampleDecode() {
	a, err := report.Decode(strings.NewReader(sesXML))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Metadata.OrgName, a.Policy.Domain, a.Metadata.DateRange.Begin.Format(time.DateOnly))
	for _, r := range a.Records {
		pe := r.Row.PolicyEvaluated
		fmt.Println(r.Row.SourceIP, r.Row.Count, "dkim:", pe.DKIM, "spf:", pe.SPF, "envelope:", r.AuthResults.SPF[0].Domain)
	}
	// Output:
	// google.com example.com 2023-11-15
	// 54.240.27.17 12 dkim: pass spf: fail envelope: us-west-2.amazonses.com
}

func ExampleSummary_Diagnoses() {
	a, _ := report.Decode(strings.NewReader(sesXML))
	s := report.Summarize(a)
	fmt.Printf("DMARC pass %.0f%%, aligned SPF %.0f%%\n", 100*s.Total.Rate(s.Total.DMARCPass), 100*s.Total.Rate(s.Total.SPFAligned))
	for _, d := range s.Diagnoses() {
		fmt.Println(strings.TrimSpace(fmt.Sprint(d.Code, " ", d.Severity, " ", d.Detail)))
	}
	// Output:
	// DMARC pass 100%, aligned SPF 0%
	// report.dmarc-relies-on-dkim info
	// report.spf-esp-envelope warning us-west-2.amazonses.com
}

func ExampleStream_All() {
	st, err := new(report.Decoder).Stream(strings.NewReader(sesXML))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	fmt.Println("policy domain:", st.Header().Policy.Domain) // known before any record
	var messages uint64
	for r, err := range st.All() {
		if err != nil {
			fmt.Println(err)
			return
		}
		messages += r.Row.Count
	}
	fmt.Println("messages:", messages)
	// Output:
	// policy domain: example.com
	// messages: 12
}

func ExampleBuilder() {
	b := &report.Builder{
		Metadata: report.Metadata{OrgName: "receiver.example", Email: "dmarc@receiver.example", ReportID: "r1",
			DateRange: report.DateRange{Begin: time.Unix(1700006400, 0), End: time.Unix(1700092799, 0)}},
		Policy: report.PolicyPublished{Domain: "example.com", P: report.DispositionReject},
	}
	for range 3 {
		b.Add(report.Evaluation{SourceIP: netip.MustParseAddr("192.0.2.1"), HeaderFrom: "example.com",
			Disposition: report.DispositionReject, DKIM: report.DMARCResultFail, SPF: report.DMARCResultFail,
			SPFResults: []report.SPFAuthResult{{Domain: "example.com", Scope: report.SPFScopeMFrom, Result: report.SPFResultFail}}})
	}
	a := b.Aggregate()
	fmt.Println(len(a.Records), "record, count", a.Records[0].Row.Count)
	fmt.Println(report.Filename(a, "receiver.example", "", report.CompressionGzip))
	if err := (&report.Encoder{Schema: report.SchemaRFC7489}).Encode(os.Stdout, a); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1 record, count 3
	// receiver.example!example.com!1700006400!1700092799.xml.gz
	// <?xml version="1.0" encoding="UTF-8"?>
	// <feedback>
	//   <version>1.0</version>
	//   <report_metadata>
	//     <org_name>receiver.example</org_name>
	//     <email>dmarc@receiver.example</email>
	//     <report_id>r1</report_id>
	//     <date_range>
	//       <begin>1700006400</begin>
	//       <end>1700092799</end>
	//     </date_range>
	//   </report_metadata>
	//   <policy_published>
	//     <domain>example.com</domain>
	//     <p>reject</p>
	//     <sp>reject</sp>
	//     <pct>100</pct>
	//     <fo>0</fo>
	//   </policy_published>
	//   <record>
	//     <row>
	//       <source_ip>192.0.2.1</source_ip>
	//       <count>3</count>
	//       <policy_evaluated>
	//         <disposition>reject</disposition>
	//         <dkim>fail</dkim>
	//         <spf>fail</spf>
	//       </policy_evaluated>
	//     </row>
	//     <identifiers>
	//       <header_from>example.com</header_from>
	//       <envelope_from></envelope_from>
	//     </identifiers>
	//     <auth_results>
	//       <spf>
	//         <domain>example.com</domain>
	//         <scope>mfrom</scope>
	//         <result>fail</result>
	//       </spf>
	//     </auth_results>
	//   </record>
	// </feedback>
}
