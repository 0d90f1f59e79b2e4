package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/ses"
	"github.com/domainauth/domainauth/tlsrpt"
)

func checkCommand() *command {
	return &command{
		name:    "check",
		args:    "DOMAIN...",
		summary: "audit a domain's whole mail authentication set-up",
		long: `Audit each DOMAIN's mail authentication ("-" reads domains from standard input,
one a line): MX and null MX, SPF (the include tree and
its DNS lookup count), DMARC (discovery, the record, external report
authorisation), DKIM keys (the selectors given with --selector or named for
the domain by the DMARC aggregate and failure reports in
--selectors-from-reports DIR,
every selector a zone file has, or on live DNS the common selector names that
have a key), the MAIL FROM domain
(--mail-from, or the SES custom MAIL FROM found in the zone), when the
domain sends through Amazon SES the SES set-up with its DMARC alignment
prediction, and what a receiving domain publishes beyond that: MTA-STS (the
record, the policy and whether it covers every MX host), TLS reporting, and
BIMI (the record, DMARC's enforcement, the logo and the mark certificate).

On live DNS the MTA-STS policy and the BIMI logo and certificate are fetched
over HTTPS (no redirect followed, 30 seconds and 64 KiB at most each). With
--zone or --route53 alone nothing is fetched: give the documents as files
(--mta-sts-policy, --bimi-svg, --bimi-cert; a policy from a file has no
certificate to check), or the area says what it could not check and is
"unknown", never "ok".

Findings are grouped by area; each has a severity, a stable code, the record it
concerns and the fix. Info findings are shown with --verbose and always in
--json and --csv. --json prints one document: the report of one DOMAIN, or an
array of reports; --csv one row per finding. Several domains are audited
concurrently and printed as they finish. Exit status 0 when there is no
error finding, 1 when there is, 2 for usage mistakes or when DNS cannot be
reached or is unusable.`,
		examples: []string{
			"domainauth check --zone examples/zones/example.org.zone example.org",
			"domainauth check --zone examples/zones/broken.example.zone --region eu-south-1 broken.example",
			"domainauth check --zone examples/zones/secure.example.zone --mta-sts-policy examples/zones/secure.example.mta-sts.txt --bimi-svg examples/zones/secure.example.logo.svg secure.example",
			"domainauth check --selector google --selector s1 --json example.com",
		},
		minArgs: 1, maxArgs: -1,
		setup: checkSetup,
	}
}

// checkOptions are the flags of "check".
type checkOptions struct {
	dns         *dnsFlags
	selectors   listFlag
	fromReports string
	mailFrom    string
	region      string
	json, csv   bool
	verbose     bool
	// Offline documents: the MTA-STS policy, the BIMI logo and mark
	// certificate, read from files instead of fetched.
	mtaSTSPolicy, bimiSVG, bimiCert string
}

// maxDomainLine bounds a line of the domain list read from standard input.
const maxDomainLine = 1024

func checkSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	o := &checkOptions{dns: addDNSFlags(fs)}
	fs.Var(&o.selectors, "selector", "check the DKIM key of this `SELECTOR`; repeatable")
	fs.StringVar(&o.fromReports, "selectors-from-reports", "", "check the DKIM keys of the selectors that the DMARC aggregate and failure reports in `DIR` name for the domain")
	fs.StringVar(&o.mailFrom, "mail-from", "", "check this envelope-sender (MAIL FROM) `DOMAIN` too")
	fs.StringVar(&o.region, "region", "", "the Amazon SES `REGION` the domain sends from (default: inferred from the MAIL FROM MX or the DKIM zone)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.BoolVar(&o.csv, "csv", false, "print the findings as CSV, one row per finding")
	fs.BoolVar(&o.verbose, "verbose", false, "show info findings too")
	fs.StringVar(&o.mtaSTSPolicy, "mta-sts-policy", "", "check the MTA-STS policy in this `FILE` instead of fetching it (its certificate is then unknown)")
	fs.StringVar(&o.bimiSVG, "bimi-svg", "", "check the BIMI logo (SVG Tiny PS) in this `FILE` instead of fetching the one at l=")
	fs.StringVar(&o.bimiCert, "bimi-cert", "", "check the BIMI mark certificate chain (PEM) in this `FILE` instead of fetching the one at a=")
	return func(ctx context.Context, args []string) error {
		if o.region != "" {
			if _, err := ses.LookupRegion(o.region); err != nil {
				return usagef("unknown SES region %q (known: %s)", o.region, strings.Join(ses.RegionCodes(), ", "))
			}
		}
		if o.json && o.csv {
			return usagef("give --json or --csv, not both")
		}
		fromStdin := len(args) == 1 && args[0] == "-"
		if (o.mtaSTSPolicy != "" || o.bimiSVG != "" || o.bimiCert != "") && (fromStdin || len(args) > 1) {
			return usagef("--mta-sts-policy, --bimi-svg and --bimi-cert describe one domain: give exactly one DOMAIN")
		}
		var files [3][]byte
		for i, f := range []struct{ flag, file string }{{"--mta-sts-policy", o.mtaSTSPolicy}, {"--bimi-svg", o.bimiSVG}, {"--bimi-cert", o.bimiCert}} {
			var err error
			if files[i], err = readOfflineFile(f.flag, f.file); err != nil {
				return err
			}
		}
		if !fromStdin {
			for _, d := range args {
				if _, err := dnsname.Normalize(d); err != nil {
					return usagef("%q is not a domain name: %v", d, err)
				}
			}
		}
		if o.fromReports != "" {
			sels, err := a.reportSelectors(ctx, o.fromReports, args, fromStdin)
			if err != nil {
				return err
			}
			for _, sel := range sels {
				if !slices.Contains(o.selectors, sel) {
					o.selectors = append(o.selectors, sel)
				}
			}
		}
		src, err := o.dns.open()
		if err != nil {
			return err
		}
		au := &audit.Auditor{Resolver: src.r, Clock: a.clock, Zone: src.files, Selectors: o.selectors,
			MailFrom: o.mailFrom, Region: o.region, Timeout: src.timeout,
			// Files cannot be unusable DNS: a domain they do not cover
			// is reported as having no records.
			TrustNotFound: !src.live, ZoneApexes: zoneOrigins(o.dns),
			MTASTSPolicy: files[0], BIMILogo: files[1], BIMICertificate: files[2]}
		if src.live {
			// Documents are fetched only when the network is used for
			// DNS too: a check on files alone stays offline, and says
			// what it could not check.
			au.Fetcher = a.fetcher(src.r)
		}
		domains, stop := checkDomains(ctx, a, src, args, fromStdin)
		p := &presenter{a: a, o: o, src: src, array: fromStdin || len(args) > 1}
		for rep, err := range au.AuditAll(ctx, domains) {
			if err != nil {
				return p.abort(checkError(src, rep.Domain, err))
			}
			if err := p.present(rep); err != nil {
				return err
			}
		}
		if err := stop(); err != nil {
			return p.abort(err)
		}
		return p.end()
	}
}

// zoneOrigins are the origins of the --zone files, the names they are
// authoritative for besides their SOA owners: a file's --origin (or its
// name without .zone) and the name of each $ORIGIN line in it, such as the
// "$ORIGIN amazonses.com." of a file that carries Amazon's records. The
// files parsed already, so they are read again only for those lines; a
// file that cannot be read gives its initial origin alone.
func zoneOrigins(d *dnsFlags) []string {
	var out []string
	add := func(name string) {
		if name != "." && name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	for _, file := range d.zones {
		origin := d.origin
		if origin == "" {
			origin = defaultOrigin(file)
		}
		origin = dnsname.Canonical(origin)
		add(origin)
		data, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(data)) {
			f := strings.Fields(line)
			if len(f) < 2 || line[0] != '$' || !strings.EqualFold(f[0], "$ORIGIN") {
				continue
			}
			// RFC 1035 §5.1: a relative $ORIGIN is under the current one.
			if name := f[1]; strings.HasSuffix(name, ".") || origin == "." {
				origin = dnsname.Canonical(name)
			} else {
				origin = dnsname.Canonical(name + "." + origin)
			}
			add(origin)
		}
	}
	return out
}

// checkDomains yields the domains to audit, from args or standard input,
// after probing live DNS with the first. stop returns what ended the list
// early: a bad line, unreadable input, or DNS that cannot be reached.
func checkDomains(ctx context.Context, a *app, src *source, args []string, fromStdin bool) (iter.Seq[string], func() error) {
	var failed error
	seq := func(yield func(string) bool) {
		first := true
		each := func(d string) bool {
			if first {
				first = false
				pctx, cancel := src.context(ctx)
				defer cancel()
				if failed = src.probe(pctx, d); failed != nil {
					return false
				}
			}
			return yield(d)
		}
		if !fromStdin {
			for _, d := range args {
				if !each(d) {
					return
				}
			}
			return
		}
		sc := bufio.NewScanner(a.stdin)
		sc.Buffer(make([]byte, 0, 256), maxDomainLine)
		for line := 1; sc.Scan(); line++ {
			d := strings.TrimSpace(sc.Text())
			if d == "" || strings.HasPrefix(d, "#") {
				continue
			}
			if _, err := dnsname.Normalize(d); err != nil {
				failed = fmt.Errorf("standard input, line %d: %q is not a domain name: %v", line, d, err)
				return
			}
			if !each(d) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			failed = fmt.Errorf("reading standard input: %v", err)
		}
	}
	return seq, func() error { return failed }
}

// checkError is the one line for an audit that could not finish.
func checkError(src *source, domain string, err error) error {
	switch {
	case errors.Is(err, audit.ErrDNSUnusable):
		return fmt.Errorf("%s is unusable for %s: %w; check the network or the resolver, or check offline with --zone FILE", src.what, domain, err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("the audit of %s did not finish within %s: DNS looks slow or unreachable; raise --timeout, or check offline with --zone FILE", domain, src.timeout)
	}
	return fmt.Errorf("%s: %w", domain, err)
}

// presenter prints reports in the chosen form as they come and keeps the
// totals that decide the exit status.
type presenter struct {
	a          *app
	o          *checkOptions
	src        *source
	array      bool // several domains: --json prints an array
	n          int  // reports printed
	errors     int
	dnsFailing int
	csv        *csv.Writer
}

func (p *presenter) present(rep *audit.Report) error {
	w := p.a.stdout
	p.errors += rep.Errors
	p.dnsFailing += rep.DNSFailures()
	defer func() { p.n++ }()
	switch {
	case p.o.json:
		sep := ""
		if p.array {
			sep = ",\n"
			if p.n == 0 {
				sep = "[\n"
			}
		}
		io.WriteString(w, sep)
		return writeJSON(w, rep.JSON(p.src.what))
	case p.o.csv:
		return p.writeCSV(rep)
	}
	if p.n > 0 {
		fmt.Fprintln(w)
	}
	rep.WriteText(w, p.src.what, audit.TextOptions{Verbose: p.o.verbose})
	return nil
}

// abort ends the output cleanly before an error.
func (p *presenter) abort(err error) error {
	if p.o.json && p.array && p.n > 0 {
		io.WriteString(p.a.stdout, "]\n")
	}
	if p.csv != nil {
		p.csv.Flush()
	}
	return err
}

func (p *presenter) end() error {
	switch {
	case p.o.json && p.array && p.n == 0:
		io.WriteString(p.a.stdout, "[]\n")
	case p.o.json && p.array:
		io.WriteString(p.a.stdout, "]\n")
	case p.o.csv:
		if p.csv == nil {
			p.writeCSV(nil)
		}
		p.csv.Flush()
		if err := p.csv.Error(); err != nil {
			return err
		}
	}
	if p.dnsFailing > 0 {
		return dnsFailureError(p.src, p.dnsFailing)
	}
	if p.errors > 0 {
		return errFindings
	}
	return nil
}

// dnsFailureError is the one line for a report with failed lookups. The
// advice depends on the source: live DNS may answer later, or the check can
// run offline; files answer the same every time, and what fails in them is
// a CNAME loop or a chain too long, which "zone check" shows.
func dnsFailureError(src *source, n int) error {
	lookups := audit.Plural(n, "DNS lookup")
	switch {
	case src.files == nil:
		return fmt.Errorf("%s failed temporarily, so the report above is incomplete; check again later, or offline with --zone FILE", lookups)
	case src.live:
		return fmt.Errorf("%s failed, so the report above is incomplete; those in live DNS may answer later, and a CNAME loop in the files fails every time (see 'domainauth zone check')", lookups)
	}
	return fmt.Errorf("%s failed in %s, so the report above is incomplete; the findings above say why, and files answer the same every time: 'domainauth zone check' shows CNAME loops and chains too long", lookups, src.what)
}

// writeCSV writes one row per finding of rep, after a header row; nil
// writes the header alone.
func (p *presenter) writeCSV(rep *audit.Report) error {
	if p.csv == nil {
		p.csv = csv.NewWriter(p.a.stdout)
		p.csv.Write(audit.CSVHeader)
	}
	if rep == nil {
		return nil
	}
	return p.csv.WriteAll(rep.CSVRows())
}

// maxReportSelectors bounds the selectors --selectors-from-reports adds
// (each costs a DNS query per domain).
const maxReportSelectors = 64

// reportSelectors reads the reports in dir and returns the DKIM selectors
// they name for the given domains (for every domain when the domains come
// from standard input), at most maxReportSelectors, in order.
func (a *app) reportSelectors(ctx context.Context, dir string, domains []string, all bool) ([]string, error) {
	// TLS reports in the folder are read without their DKIM check.
	sum, _, _, err := a.summarize(ctx, []string{dir}, true, &tlsReader{dec: &tlsrpt.Decoder{}})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range slices.Sorted(maps.Keys(sum.Selectors)) {
		if !all && !slices.ContainsFunc(domains, func(x string) bool { return dnsname.Equal(x, d) }) {
			continue
		}
		for _, sel := range sum.Selectors[d] {
			if len(out) < maxReportSelectors && !slices.Contains(out, sel) {
				out = append(out, sel)
			}
		}
	}
	return out, nil
}
