package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

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
			File     string    `json:"file"`
			Records  int       `json:"records"`
			Findings []finding `json:"findings"`
		}
		var results []result
		var all []finding
		check := func(file string, z *zone.Zone) {
			fs := zoneFindings(z)
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
					results[i].Findings = []finding{}
				}
			}
			if err := writeJSON(a.stdout, results); err != nil {
				return err
			}
		} else {
			for _, r := range results {
				fmt.Fprintf(a.stdout, "%s: %s, %s\n", r.File, plural(r.Records, "record"), summaryLine(r.Findings))
				for _, f := range r.Findings {
					writeFinding(a.stdout, "  ", f)
				}
			}
		}
		if errs, _ := countSeverities(all); errs > 0 {
			return errFindings
		}
		return nil
	}
}

// zoneFindings runs the structural checks on a parsed zone.
func zoneFindings(z *zone.Zone) []finding {
	var out []finding
	byName := map[string][]zone.RR{}
	var names []string
	for _, rr := range z.Records() {
		if _, ok := byName[rr.Name]; !ok {
			names = append(names, rr.Name)
		}
		byName[rr.Name] = append(byName[rr.Name], rr)
	}
	for _, n := range z.Notes() {
		out = append(out, finding{Area: "zone", Severity: sevInfo, Code: "zone.parser-note",
			Record: fmt.Sprintf("line %d", n.Line), Message: n.Msg})
	}
	for _, name := range names {
		rrs := byName[name]
		cnames, others := 0, 0
		for _, rr := range rrs {
			if rr.Type == zone.TypeCNAME {
				cnames++
			} else {
				others++
			}
		}
		if cnames > 1 {
			out = append(out, finding{Area: "zone", Severity: sevError, Code: "zone.multiple-cnames",
				Record: name + " CNAME", Message: fmt.Sprintf("%s has %d CNAME records; a name can have only one", name, cnames),
				Fix: "keep one CNAME and delete the others", RFC: "RFC 2181 §10.1"})
		}
		if cnames > 0 && others > 0 {
			types := typesOf(rrs)
			out = append(out, finding{Area: "zone", Severity: sevError, Code: "zone.cname-and-other-data",
				Record: name + " CNAME", Message: fmt.Sprintf("%s has a CNAME and other records (%s); resolvers will see only the CNAME", name, types),
				Fix: "move the other records to the CNAME's target, or replace the CNAME with the records it points at", RFC: "RFC 1034 §3.6.2"})
		}
		for _, rr := range rrs {
			switch rr.Type {
			case zone.TypeMX, zone.TypeNS:
				if rr.Target == "." {
					continue
				}
				if t := z.Lookup(rr.Target, zone.TypeCNAME); len(t) > 0 {
					out = append(out, finding{Area: "zone", Severity: sevWarning, Code: "zone.target-is-cname",
						Record:  fmt.Sprintf("%s %v %s", name, rr.Type, rr.Target),
						Message: fmt.Sprintf("the %v target %s is a CNAME (to %s); it must name the host itself", rr.Type, rr.Target, t[0].Target),
						Fix:     fmt.Sprintf("point the %v record at %s", rr.Type, t[0].Target), RFC: "RFC 2181 §10.3"})
				}
			case zone.TypeSPF:
				out = append(out, finding{Area: "zone", Severity: sevWarning, Code: "zone.spf-type",
					Record: name + " SPF", Message: "the SPF record type is obsolete; receivers only read TXT",
					Fix: "publish the same value as a TXT record and delete the SPF-type record", RFC: "RFC 7208 §3.1"})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b finding) int { return sevRank(a.Severity) - sevRank(b.Severity) })
	return out
}

func typesOf(rrs []zone.RR) string {
	var ts []string
	for _, rr := range rrs {
		if rr.Type != zone.TypeCNAME && !slices.Contains(ts, rr.Type.String()) {
			ts = append(ts, rr.Type.String())
		}
	}
	return strings.Join(ts, ", ")
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
