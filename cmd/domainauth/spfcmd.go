package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/spf"
)

func spfCommand() *command {
	return &command{
		name:    "spf",
		summary: "check, lint and parse SPF records",
		long: `Evaluate SPF for a client address, lint a domain's SPF tree, or parse a record
(RFC 7208).`,
		examples: []string{"domainauth spf check --zone examples/zones/example.org.zone example.org 54.240.0.1"},
		subs: []*command{
			{
				name:    "check",
				args:    "DOMAIN IP",
				summary: "evaluate SPF (check_host) for a client IP sending as DOMAIN",
				long: `Evaluate RFC 7208 check_host() for mail from DOMAIN (MAIL FROM
postmaster@DOMAIN unless --mail-from is given) sent by the client at IP, and
print the result, the term that decided and the DNS lookups spent.
Exit status 0 for pass, neutral and none; 1 for fail, softfail and permerror;
2 for temperror.`,
				examples: []string{
					"domainauth spf check --zone examples/zones/example.org.zone example.org 54.240.0.1",
					"domainauth spf check --trace --mail-from bounce@mail.example.org mail.example.org 192.0.2.1",
				},
				minArgs: 2, maxArgs: 2,
				setup: spfCheckSetup,
			},
			{
				name:    "lint",
				args:    "DOMAIN",
				summary: "lint DOMAIN's SPF record and its include tree",
				long: `Fetch DOMAIN's SPF record, walk its include and redirect tree and report what
is wrong or unwise: more than 10 DNS-querying terms in the worst case (with
the cost of each include), void lookups, loops, missing includes, ptr, +all,
records that cannot be published as is. Exit status 1 when a finding is an
error.`,
				examples: []string{
					"domainauth spf lint --zone examples/zones/broken.example.zone broken.example",
				},
				minArgs: 1, maxArgs: 1,
				setup: spfLintSetup,
			},
			{
				name:    "parse",
				args:    "RECORD",
				summary: "parse an SPF record and print its terms",
				long: `Parse RECORD (or standard input when RECORD is "-") as an SPF record and
print its canonical form and its terms. A record that does not parse is
reported with the term and byte offset, and exit status 1.`,
				examples: []string{
					`domainauth spf parse "v=spf1 mx include:amazonses.com -all"`,
				},
				minArgs: 1, maxArgs: 1,
				setup: spfParseSetup,
			},
		},
	}
}

func spfCheckSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	dns := addDNSFlags(fs)
	mailFrom := fs.String("mail-from", "", "the MAIL FROM `ADDRESS` (default: postmaster@DOMAIN)")
	helo := fs.String("helo", "", "the HELO/EHLO `NAME` of the client")
	trace := fs.Bool("trace", false, "print every step of the evaluation")
	heloID := fs.Bool("helo-identity", false, "check DOMAIN as the HELO identity (RFC 7208 §2.3) instead of the MAIL FROM")
	return func(ctx context.Context, args []string) error {
		if *heloID && (*mailFrom != "" || *helo != "") {
			return usagef("--helo-identity checks DOMAIN as the HELO name; leave out --mail-from and --helo")
		}
		ip, err := netip.ParseAddr(args[1])
		if err != nil {
			return usagef("%q is not an IP address", args[1])
		}
		s, err := dns.begin(ctx, args[0], "")
		if err != nil {
			return err
		}
		defer s.cancel()
		ctx, src, domain := s.ctx, s.source, s.domain
		from := *mailFrom
		if from == "" {
			from = "postmaster@" + domain
		} else if !strings.Contains(from, "@") {
			return usagef("--mail-from %q is not an address (want local@domain)", from)
		} else if _, d, _ := strings.Cut(from, "@"); !dnsname.Equal(d, domain) {
			return usagef("--mail-from %q is not in DOMAIN %s", from, domain)
		}
		c := &spf.Checker{Resolver: src.r, Clock: a.clock, Trace: *trace, Timeout: src.timeout}
		in := spf.Input{IP: ip, MailFrom: from, HELO: *helo}
		check := c.Check
		if *heloID {
			in = spf.Input{IP: ip, HELO: domain}
			check = c.CheckHELO
		}
		res := check(ctx, in)
		if res.Code == spf.CodeTempError {
			if err := src.trouble(ctx, domain, res.Err); err != nil && src.live {
				return err
			}
		}
		writeSPFResult(a.stdout, domain, ip, res)
		fmt.Fprintf(a.stdout, "  %s\n", audit.SafeHeader(spf.ReceivedSPF(res, in, "")))
		fmt.Fprintf(a.stdout, "  Authentication-Results: %s\n", audit.SafeHeader(res.AuthResult().String()))
		switch res.Code {
		case spf.CodeTempError:
			return fmt.Errorf("temperror: %s", audit.ErrString(res.Err))
		case spf.CodeFail, spf.CodeSoftFail, spf.CodePermError:
			return errFindings
		}
		return nil
	}
}

// writeSPFResult prints an SPF result; the record text, the explanation
// (which the domain's exp= record chose) and the trace come from DNS, so
// each goes through termsafe.
func writeSPFResult(w io.Writer, domain string, ip netip.Addr, res spf.Result) {
	ts := termsafe.String
	fmt.Fprintf(w, "%s for %s from %s\n", res.Code, ts(domain), ip)
	if res.Matched != nil {
		fmt.Fprintf(w, "  matched: %s (in the record of %s)\n", ts(res.Matched.String()), ts(res.Domain))
	} else if res.Domain != "" && res.Err == nil && res.Code != spf.CodeNone {
		fmt.Fprintf(w, "  no term matched in the record of %s\n", ts(res.Domain))
	}
	if res.Explanation != "" {
		fmt.Fprintf(w, "  explanation: %s\n", ts(res.Explanation))
	}
	if res.Err != nil {
		fmt.Fprintf(w, "  why: %s\n", audit.SafeLine(res.Err.Error()))
	}
	fmt.Fprintf(w, "  DNS lookups: %d of 10, void lookups: %d of 2\n", res.Lookups, res.VoidLookups)
	for _, s := range res.Trace {
		fmt.Fprintf(w, "  %s%s\n", strings.Repeat("  ", min(s.Depth, 20)), ts(s.String()))
	}
}

func spfParseSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		txt, err := argOrStdin(a, args[0])
		if err != nil {
			return err
		}
		rec, err := spf.ParseRecord(txt)
		if err != nil {
			fmt.Fprintf(a.stdout, "invalid: %s\n", audit.SafeLine(err.Error()))
			return errFindings
		}
		fmt.Fprintf(a.stdout, "%s\n", termsafe.String(rec.String()))
		for i := range rec.Terms {
			fmt.Fprintf(a.stdout, "  %2d  %s\n", i+1, termsafe.String(rec.Terms[i].String()))
		}
		return nil
	}
}

// maxStdinRecord bounds what argOrStdin reads: a record, not a file.
const maxStdinRecord = 64 << 10

// argOrStdin returns arg, or standard input (trimmed) when arg is "-".
func argOrStdin(a *app, arg string) (string, error) {
	if arg != "-" {
		return arg, nil
	}
	data, err := io.ReadAll(io.LimitReader(a.stdin, maxStdinRecord+1))
	if err != nil {
		return "", fmt.Errorf("reading standard input: %v", err)
	}
	if len(data) > maxStdinRecord {
		return "", fmt.Errorf("standard input: more than %d bytes; a record is expected", maxStdinRecord)
	}
	return strings.TrimSpace(string(data)), nil
}

func spfLintSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	dns := addDNSFlags(fs)
	asJSON := fs.Bool("json", false, "print the lint report as JSON")
	return func(ctx context.Context, args []string) error {
		s, err := dns.begin(ctx, args[0], "")
		if err != nil {
			return err
		}
		defer s.cancel()
		rep := (&spf.Linter{Resolver: s.r}).Lint(s.ctx, s.domain)
		fs := audit.AreaFindings("spf", audit.WithFixes(rep.Findings))
		if *asJSON {
			out := struct {
				Domain       string              `json:"domain"`
				Record       string              `json:"record,omitempty"`
				Lookups      int                 `json:"lookups"`
				VoidLookups  int                 `json:"void_lookups"`
				Terms        []spf.TermCost      `json:"terms"`
				TermsOmitted int                 `json:"terms_omitted,omitempty"`
				Findings     []audit.AreaFinding `json:"findings"`
			}{rep.Domain, rep.Record, rep.Lookups, rep.VoidLookups, rep.Terms, rep.TermsOmitted, fs}
			if err := writeJSON(a.stdout, out); err != nil {
				return err
			}
		} else {
			for _, l := range audit.SPFFacts(rep) {
				fmt.Fprintln(a.stdout, termsafe.String(l))
			}
			audit.WriteFindings(a.stdout, "  ", fs)
		}
		if errs, _ := audit.CountSeverities(fs); errs > 0 {
			return errFindings
		}
		return nil
	}
}
