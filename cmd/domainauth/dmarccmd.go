package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/domainauth/domainauth/dmarc"
)

func dmarcCommand() *command {
	return &command{
		name:    "dmarc",
		summary: "look up, parse and evaluate DMARC policies",
		long: `Find the DMARC policy that applies to a domain, lint a record, or evaluate a
message's SPF and DKIM results against the policy (RFC 9989; RFC 7489 with
--rfc7489).`,
		examples: []string{"domainauth dmarc lookup --zone examples/zones/example.org.zone example.org"},
		subs: []*command{
			{
				name:    "lookup",
				args:    "DOMAIN",
				summary: "find and lint the DMARC policy that applies to DOMAIN",
				long: `Discover the DMARC policy for mail from DOMAIN (the RFC 9989 DNS tree walk, or
with --rfc7489 the Organizational Domain from the public suffix list), print
where it was found and the record, and lint it, including whether external
report destinations have authorised the domain. Exit status 1 when no policy
applies or a finding is an error.`,
				examples: []string{
					"domainauth dmarc lookup --zone examples/zones/example.org.zone example.org",
					"domainauth dmarc lookup --json gmail.com",
				},
				minArgs: 1, maxArgs: 1,
				setup: dmarcLookupSetup,
			},
			{
				name:    "parse",
				args:    "RECORD",
				summary: "parse and lint a DMARC record",
				long: `Parse RECORD (or standard input when RECORD is "-") as a DMARC record, print its
canonical form and lint it. Exit status 1 when it is not usable or a finding
is an error.`,
				examples: []string{
					`domainauth dmarc parse "v=DMARC1; p=none"`,
				},
				minArgs: 1, maxArgs: 1,
				setup: dmarcParseSetup,
			},
			{
				name:    "eval",
				args:    "FROM-DOMAIN",
				summary: "evaluate DMARC for a message's SPF and DKIM results",
				long: `Evaluate DMARC for a message whose RFC5322.From domain is FROM-DOMAIN, given
the SPF result of its MAIL FROM domain (--spf DOMAIN=RESULT) and the result of
each DKIM signature (--dkim DOMAIN=RESULT, repeatable). Prints the result, the
alignment of each identifier, the policy and the dmarc= part of an
Authentication-Results header field. Exit status 0 for pass and none, 1 for
fail and permerror, 2 for temperror.`,
				examples: []string{
					"domainauth dmarc eval --zone examples/zones/example.org.zone --spf mail.example.org=pass --dkim example.org=pass example.org",
				},
				minArgs: 1, maxArgs: 1,
				setup: dmarcEvalSetup,
			},
		},
	}
}

func dmarcMode(rfc7489 bool) dmarc.Mode {
	if rfc7489 {
		return dmarc.RFC7489
	}
	return dmarc.RFC9989
}

// dmarcFindings converts the dmarc package's findings.
func dmarcFindings(fs []dmarc.Finding) []finding {
	out := make([]finding, 0, len(fs))
	for _, f := range fs {
		out = append(out, finding{
			Area: "dmarc", Severity: f.Severity.String(), Code: f.Code,
			Record: f.Where, Message: f.Message, RFC: f.RFC, Fix: dmarcFix(f.Code, f.Where),
		})
	}
	return out
}

// dmarcFix is the advice for a dmarc finding code.
func dmarcFix(code, where string) string {
	switch code {
	case "dmarc.no-record":
		return "publish a TXT record at _dmarc.DOMAIN, e.g. \"v=DMARC1; p=none; rua=mailto:dmarc-reports@DOMAIN\", then tighten p as the reports allow"
	case "dmarc.p-none-without-rua":
		return "add rua=mailto:ADDRESS to receive aggregate reports, and move to p=quarantine or p=reject once they show only legitimate mail failing"
	case "dmarc.multiple-records":
		return "keep one DMARC record at " + where + "; receivers ignore them all while there are several"
	case "dmarc.spf-at-dmarc":
		return "move the SPF record from " + where + " to the domain itself"
	case "dmarc.record-at-apex":
		return "publish the DMARC record at _dmarc." + where + ", not at the domain itself"
	case "dmarc.unauthorized-destination":
		return "ask the destination's owner to publish \"v=DMARC1\" at DOMAIN._report._dmarc.HOST, or send reports to a mailbox in your own domain"
	case "dmarc.missing-p":
		return "add p=none, p=quarantine or p=reject"
	case "dmarc.duplicate-tag":
		return "remove the repeated tag " + where
	case "dmarc.invalid-policy":
		return "use none, quarantine or reject"
	case "dmarc.weaker-subdomain-policy", "dmarc.weaker-nonexistent-policy":
		return "remove " + where + " or make it at least as strict as p"
	case "dmarc.pct-below-100":
		return "remove pct (RFC 9989 ignores it) and use t=y while testing"
	case "dmarc.obsolete-tag":
		return "remove " + where + "; RFC 9989 receivers ignore it"
	case "dmarc.too-many-destinations":
		return "list at most two report URIs"
	case "dmarc.leading-whitespace":
		return "start the record with v=DMARC1"
	}
	return ""
}

func dmarcLookupSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	dns := addDNSFlags(fs)
	rfc7489 := fs.Bool("rfc7489", false, "discover the policy as RFC 7489 receivers do (public suffix list)")
	asJSON := fs.Bool("json", false, "print the discovery and findings as JSON")
	return func(ctx context.Context, args []string) error {
		s, err := dns.begin(ctx, args[0], "_dmarc.")
		if err != nil {
			return err
		}
		defer s.cancel()
		ctx, src, domain := s.ctx, s.source, s.domain
		c := &dmarc.Checker{Resolver: src.r, Mode: dmarcMode(*rfc7489)}
		d := c.Lookup(ctx, domain)
		if d.Status == dmarc.StatusTempError {
			if err := src.trouble(ctx, "_dmarc."+domain, d.Err); err != nil {
				return err
			}
			return fmt.Errorf("temperror: %v", d.Err)
		}
		fs := dmarcFindings(c.LintDomain(ctx, domain))
		if *asJSON {
			out := struct {
				Domain       string    `json:"domain"`
				Status       string    `json:"status"`
				PolicyDomain string    `json:"policy_domain,omitempty"`
				Source       string    `json:"source,omitempty"`
				Record       string    `json:"record,omitempty"`
				Queried      []string  `json:"queried"`
				Findings     []finding `json:"findings"`
			}{Domain: domain, Status: d.Status.String(), PolicyDomain: d.PolicyDomain, Queried: d.Queried, Findings: fs}
			if d.Record != nil {
				out.Record = d.Record.String()
				out.Source = d.Source.String()
			}
			if err := writeJSON(a.stdout, out); err != nil {
				return err
			}
		} else {
			writeDiscovery(a.stdout, d)
			for _, f := range fs {
				writeFinding(a.stdout, "  ", f)
			}
		}
		if errs, _ := countSeverities(fs); errs > 0 || d.Status != dmarc.StatusFound {
			return errFindings
		}
		return nil
	}
}

func writeDiscovery(w io.Writer, d *dmarc.Discovery) {
	switch d.Status {
	case dmarc.StatusFound:
		fmt.Fprintf(w, "%s: policy from _dmarc.%s (%s)\n", d.AuthorDomain, d.PolicyDomain, d.Source)
		fmt.Fprintf(w, "  %s\n", quote(d.Record.String()))
	case dmarc.StatusNone:
		fmt.Fprintf(w, "%s: no DMARC policy applies\n", d.AuthorDomain)
	default:
		fmt.Fprintf(w, "%s: %s: %s\n", d.AuthorDomain, d.Status, oneLine(errString(d.Err)))
	}
	if len(d.Queried) > 0 {
		fmt.Fprintf(w, "  queried: %s\n", strings.Join(d.Queried, ", "))
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func dmarcParseSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	rfc7489 := fs.Bool("rfc7489", false, "lint with RFC 7489's tags as current")
	return func(ctx context.Context, args []string) error {
		txt, err := argOrStdin(a, args[0])
		if err != nil {
			return err
		}
		rec, perr := dmarc.ParseRecord(txt)
		if perr != nil {
			fmt.Fprintf(a.stdout, "invalid: %s\n", oneLine(perr.Error()))
		} else {
			fmt.Fprintf(a.stdout, "%s\n", rec.String())
			fmt.Fprintf(a.stdout, "  policy %s, subdomains %s, alignment dkim=%s spf=%s\n",
				rec.PolicyFor(false, false), rec.PolicyFor(true, false), rec.DKIMMode(), rec.SPFMode())
		}
		fs := dmarcFindings(dmarc.LintText(txt, dmarcMode(*rfc7489)))
		for _, f := range fs {
			writeFinding(a.stdout, "  ", f)
		}
		if errs, _ := countSeverities(fs); errs > 0 || perr != nil {
			return errFindings
		}
		return nil
	}
}

// identFlag collects DOMAIN=RESULT[/SELECTOR] pairs.
type identFlag []dmarc.Identifier

func (f *identFlag) String() string { return "" }
func (f *identFlag) Set(s string) error {
	domain, result, ok := strings.Cut(s, "=")
	if !ok || domain == "" || result == "" {
		return fmt.Errorf("want DOMAIN=RESULT, e.g. example.org=pass")
	}
	sel := ""
	result, sel, _ = strings.Cut(result, "/")
	r := dmarc.ParseAuthResult(result)
	if r == dmarc.AuthNone && !strings.EqualFold(result, "none") {
		return fmt.Errorf("unknown result %q (want pass, fail, softfail, neutral, none, temperror, permerror)", result)
	}
	*f = append(*f, dmarc.Identifier{Domain: domain, Result: r, Selector: sel})
	return nil
}

func dmarcEvalSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	dns := addDNSFlags(fs)
	rfc7489 := fs.Bool("rfc7489", false, "evaluate as RFC 7489 receivers do")
	var spfID, dkimIDs identFlag
	fs.Var(&spfID, "spf", "the SPF result of the MAIL FROM domain, as `DOMAIN=RESULT`")
	fs.Var(&dkimIDs, "dkim", "the result of one DKIM signature, as `DOMAIN=RESULT[/SELECTOR]`; repeatable")
	return func(ctx context.Context, args []string) error {
		if len(spfID) > 1 {
			return usagef("--spf given more than once")
		}
		s, err := dns.begin(ctx, args[0], "_dmarc.")
		if err != nil {
			return err
		}
		defer s.cancel()
		ctx, src, from := s.ctx, s.source, s.domain
		in := dmarc.Input{FromDomain: from, DKIM: dkimIDs}
		if len(spfID) == 1 {
			in.SPF = spfID[0]
		}
		c := &dmarc.Checker{Resolver: src.r, Mode: dmarcMode(*rfc7489)}
		res := c.Evaluate(ctx, in)
		writeDMARCResult(a.stdout, res)
		switch res.Code {
		case dmarc.CodeTempError:
			return fmt.Errorf("temperror: %v", res.Err)
		case dmarc.CodeFail, dmarc.CodePermError:
			return errFindings
		}
		return nil
	}
}

func writeDMARCResult(w io.Writer, res *dmarc.Result) {
	fmt.Fprintf(w, "%s for %s", res.Code, res.AuthorDomain)
	if res.Code == dmarc.CodeFail || res.Code == dmarc.CodePass {
		fmt.Fprintf(w, ": policy %s, disposition %s", res.AppliedPolicy, res.Disposition)
	}
	fmt.Fprintln(w)
	if d := res.Discovery; d != nil && d.Record != nil {
		fmt.Fprintf(w, "  record at _dmarc.%s: %s\n", d.PolicyDomain, quote(d.Record.String()))
	}
	for _, ch := range res.Checks {
		state := "not aligned"
		switch {
		case !ch.Evaluated:
			state = "not evaluated (" + ch.Result.String() + ")"
		case ch.Aligned:
			state = "aligned"
		}
		mode := "relaxed"
		if ch.Mode == dmarc.Strict {
			mode = "strict"
		}
		fmt.Fprintf(w, "  %s %s=%s: %s (%s)\n", ch.Method, ch.Domain, ch.Result, state, mode)
	}
	if res.Err != nil {
		fmt.Fprintf(w, "  why: %s\n", oneLine(res.Err.Error()))
	}
	fmt.Fprintf(w, "  Authentication-Results: %s\n", res.AuthenticationResults())
}
