// Command report-digest summarises a folder of DMARC aggregate reports (XML,
// gzip, zip or the report emails themselves): how much mail claimed to be
// from your domains, how much passed DMARC, which sources fail, and what
// the pattern of failures suggests fixing.
//
//	go run ./examples/report-digest ~/dmarc-reports
package main

import (
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"

	"github.com/domainauth/domainauth/report"
)

func main() {
	log.SetFlags(0)
	if len(os.Args) != 2 {
		log.Fatal("usage: report-digest FOLDER")
	}
	var sum report.Summary // the zero Summary is ready to use
	skipped := 0
	err := filepath.WalkDir(os.Args[1], func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		agg, err := report.Decode(f) // detects XML, gzip, zip and email
		if err != nil {
			skipped++ // not a report, or damaged beyond repair
			return nil
		}
		sum.Add(agg)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}

	t := sum.Total
	fmt.Printf("%d reports (%d files skipped), %d messages\n", sum.Reports, skipped, t.Messages)
	fmt.Printf("DMARC pass %.1f%%: DKIM aligned %d, SPF aligned %d; failed %d (quarantined %d, rejected %d)\n",
		100*t.Rate(t.DMARCPass), t.DKIMAligned, t.SPFAligned, t.DMARCFail, t.Quarantined, t.Rejected)

	fmt.Println("\nSources failing DMARC most:")
	for _, s := range sum.TopFailing(5) {
		fmt.Printf("  %-40s %6d of %6d messages\n", s.SourceIP, s.DMARCFail, s.Messages)
	}

	fmt.Println("\nWhat to look at:")
	for i, d := range sum.Diagnoses() {
		if i == 5 {
			break
		}
		fmt.Printf("  %s %s (%s, %d messages)\n    %s\n", d.Severity, d.Code, d.HeaderFrom, d.Messages, d.Message)
	}
}
