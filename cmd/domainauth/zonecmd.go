package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/domainauth/domainauth/audit"

	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/zone"
)

func zoneCommand() *command {
	return &command{
		name:    "zone",
		summary: "read, check and reformat zone files",
		long: `Read RFC 1035 master files (BIND zone files) or Route 53 record-set JSON,
check their structure, and print them in canonical master-file form.`,
		examples: []string{"domainauth zone check examples/zones/example.org.zone"},
		subs: []*command{
			{
				name:    "check",
				args:    "FILE...",
				summary: "parse zone files and report structural problems",
				long: `Parse each master file and report what DNS servers or resolvers would trip
over: a CNAME beside other records (RFC 1034 §3.6.2), MX and NS records that
point at a CNAME (RFC 2181 §10.3), the obsolete SPF record type (RFC 7208
§3.1). Exit status 1 when a file has errors.`,
				examples: []string{
					"domainauth zone check examples/zones/example.org.zone",
					"domainauth zone check --route53 records.json",
				},
				minArgs: 0, maxArgs: -1,
				setup: zoneCheckSetup,
			},
			{
				name:    "fmt",
				args:    "[FILE]",
				summary: "print a zone file or Route 53 listing as a canonical master file",
				long: `Print the records of a master file (or, with --route53, of a Route 53
list-resource-record-sets JSON file) as a canonical master file: absolute
names, one record per line, long TXT values split into 255-byte strings.`,
				examples: []string{
					"domainauth zone fmt examples/zones/example.org.zone",
					"domainauth zone fmt --route53 records.json > example.org.zone",
				},
				minArgs: 0, maxArgs: 1,
				setup: zoneFmtSetup,
			},
		},
	}
}

func zoneCheckSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	origin := fs.String("origin", "", "relative names in files without $ORIGIN are under `DOMAIN` (default: the file name without .zone)")
	var r53 listFlag
	fs.Var(&r53, "route53", "also check this Route 53 record-set JSON `FILE`; repeatable")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	return func(ctx context.Context, files []string) error {
		if len(files) == 0 && len(r53) == 0 {
			return usagef("want at least one FILE")
		}
		type result struct {
			File     string              `json:"file"`
			Records  int                 `json:"records"`
			Findings []audit.AreaFinding `json:"findings"`
		}
		var results []result
		var all []audit.AreaFinding
		check := func(file string, z *zone.Zone) {
			fs := audit.CheckZone(z)
			all = append(all, fs...)
			results = append(results, result{File: file, Records: len(z.Records()), Findings: fs})
		}
		for _, f := range files {
			z, err := readZoneFile(f, *origin)
			if err != nil {
				return err
			}
			check(f, z)
		}
		for _, f := range r53 {
			z, err := readRoute53File(f)
			if err != nil {
				return err
			}
			check(f, z)
		}
		if *asJSON {
			for i := range results {
				if results[i].Findings == nil {
					results[i].Findings = []audit.AreaFinding{}
				}
			}
			if err := writeJSON(a.stdout, results); err != nil {
				return err
			}
		} else {
			for _, r := range results {
				fmt.Fprintf(a.stdout, "%s: %s, %s\n", termsafe.String(r.File), audit.Plural(r.Records, "record"), audit.SummaryLine(r.Findings))
				audit.WriteFindings(a.stdout, "  ", r.Findings)
			}
		}
		if errs, _ := audit.CountSeverities(all); errs > 0 {
			return errFindings
		}
		return nil
	}
}

func zoneFmtSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	origin := fs.String("origin", "", "relative names in a file without $ORIGIN are under `DOMAIN` (default: the file name without .zone)")
	r53 := fs.String("route53", "", "read this Route 53 record-set JSON `FILE` instead of a master file")
	return func(ctx context.Context, args []string) error {
		var z *zone.Zone
		var err error
		switch {
		case *r53 != "" && len(args) > 0:
			return usagef("give either FILE or --route53 FILE, not both")
		case *r53 != "":
			z, err = readRoute53File(*r53)
		case len(args) == 1:
			z, err = readZoneFile(args[0], *origin)
		default:
			return usagef("want FILE or --route53 FILE")
		}
		if err != nil {
			return err
		}
		_, err = z.WriteTo(a.stdout)
		return err
	}
}
