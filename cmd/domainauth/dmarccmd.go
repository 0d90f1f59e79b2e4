package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/netip"
	"strings"

	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/receiver"
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
				args:    "[FROM-DOMAIN]",
				summary: "evaluate DMARC for a message, or for its SPF and DKIM results",
				long: `Evaluate DMARC for a message whose RFC5322.From domain is FROM-DOMAIN, given
the SPF result of its MAIL FROM domain (--spf DOMAIN=RESULT) and the result of
each DKIM signature (--dkim DOMAIN=RESULT, repeatable). Or give the message
itself with --message FILE and the client's --ip (and --mail-from): SPF and
DKIM are checked first, as a receiving server does, and the From domain is
read from the message. Prints the result, the alignment of each identifier,
the policy and the Authentication-Results header field. Exit status 0 for
pass and none, 1 for fail and permerror, 2 for temperror.`,
				examples: []string{
					"domainauth dmarc eval --zone examples/zones/example.org.zone --spf mail.example.org=pass --dkim example.org=pass example.org",
					"domainauth dmarc eval --zone examples/zones/example.org.zone --message examples/verify-message/message.eml --ip 54.240.0.1 --mail-from bounce@mail.example.org",
				},
				minArgs: 0, maxArgs: 1,
				setup: dmarcEvalSetup,
			},
		},
	}
}

func dmarcMode(rfc7489 bool) dmarc.Mode {
	if rfc7489 {
		return dmarc.ModeRFC7489
	}
	return dmarc.ModeRFC9989
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
		if d.Status == dmarc.DiscoveryStatusTempError {
			if err := src.trouble(ctx, "_dmarc."+domain, d.Err); err != nil {
				return err
			}
			return fmt.Errorf("temperror: %s", audit.ErrString(d.Err))
		}
		fs := audit.AreaFindings("dmarc", audit.WithFixes(c.LintDomain(ctx, domain)))
		if *asJSON {
			out := struct {
				Domain       string              `json:"domain"`
				Status       string              `json:"status"`
				PolicyDomain string              `json:"policy_domain,omitempty"`
				Source       string              `json:"source,omitempty"`
				Record       string              `json:"record,omitempty"`
				Queried      []string            `json:"queried"`
				Findings     []audit.AreaFinding `json:"findings"`
			}{Domain: domain, Status: d.Status.String(), PolicyDomain: d.PolicyDomain, Queried: d.Queried, Findings: fs}
			if d.Record != nil {
				out.Record = d.Record.String()
				out.Source = d.Source.String()
			}
			if err := writeJSON(a.stdout, out); err != nil {
				return err
			}
		} else {
			audit.WriteDiscovery(a.stdout, d)
			audit.WriteFindings(a.stdout, "  ", fs)
		}
		if errs, _ := audit.CountSeverities(fs); errs > 0 || d.Status != dmarc.DiscoveryStatusFound {
			return errFindings
		}
		return nil
	}
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
			fmt.Fprintf(a.stdout, "invalid: %s\n", audit.SafeLine(perr.Error()))
		} else {
			fmt.Fprintf(a.stdout, "%s\n", termsafe.String(rec.String()))
			fmt.Fprintf(a.stdout, "  %s\n", termsafe.String(fmt.Sprintf("policy %s, subdomains %s, alignment dkim=%s spf=%s",
				rec.PolicyFor(dmarc.DomainKindPolicyDomain), rec.PolicyFor(dmarc.DomainKindSubdomain), rec.DKIMMode(), rec.SPFMode())))
		}
		fs := audit.AreaFindings("dmarc", audit.WithFixes(dmarc.LintText(txt, dmarcMode(*rfc7489))))
		audit.WriteFindings(a.stdout, "  ", fs)
		if errs, _ := audit.CountSeverities(fs); errs > 0 || perr != nil {
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
	r, err := dmarc.ParseAuthResult(result)
	if err != nil {
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
	msgFile := fs.String("message", "", "check SPF and DKIM for the message in this `FILE` (\"-\": standard input) and evaluate DMARC on the results")
	ipArg := fs.String("ip", "", "with --message: the SMTP client's `ADDRESS`")
	mailFrom := fs.String("mail-from", "", "with --message: the SMTP MAIL FROM `ADDRESS` (empty: the null sender, checked as postmaster@HELO)")
	helo := fs.String("helo", "", "with --message: the client's HELO `NAME`")
	return func(ctx context.Context, args []string) error {
		if len(spfID) > 1 {
			return usagef("--spf given more than once")
		}
		if *msgFile == "" {
			if len(args) != 1 {
				return usagef("want FROM-DOMAIN, or --message FILE")
			}
			s, err := dns.begin(ctx, args[0], "_dmarc.")
			if err != nil {
				return err
			}
			defer s.cancel()
			in := dmarc.Input{FromDomain: s.domain, DKIM: dkimIDs}
			if len(spfID) == 1 {
				in.SPF = spfID[0]
			}
			res := (&dmarc.Checker{Resolver: s.r, Mode: dmarcMode(*rfc7489)}).Evaluate(s.ctx, in)
			audit.WriteDMARCResult(a.stdout, res)
			audit.WriteDMARCAuthResult(a.stdout, res)
			return dmarcStatus(res)
		}
		if len(args) > 0 || len(spfID) > 0 || len(dkimIDs) > 0 {
			return usagef("--message takes no FROM-DOMAIN, --spf or --dkim: they come from the message")
		}
		ip, err := netip.ParseAddr(*ipArg)
		if err != nil {
			return usagef("--message needs --ip with the client's address")
		}
		msg, err := a.readMessage(*msgFile)
		if err != nil {
			return err
		}
		froms, err := dmarc.AuthorDomains(string(msg), dmarc.AuthorChoiceSingle)
		if err != nil {
			return fmt.Errorf("%s: %w", *msgFile, err)
		}
		s, err := dns.begin(ctx, froms[0], "_dmarc.")
		if err != nil {
			return err
		}
		defer s.cancel()
		c := &receiver.Checker{Resolver: s.r, Clock: a.clock, AuthServID: "domainauth",
			DMARC: dmarc.Checker{Mode: dmarcMode(*rfc7489)}}
		env := receiver.Envelope{IP: ip, HELO: *helo, MailFrom: *mailFrom}
		res, err := c.Check(s.ctx, env, bytes.NewReader(msg))
		if res == nil {
			return fmt.Errorf("%s: %w", *msgFile, err)
		}
		audit.WriteReceived(a.stdout, res)
		return dmarcStatus(res.DMARC)
	}
}

// dmarcStatus maps a DMARC result to the command's error: nil for pass and
// none, errFindings for fail and permerror, an error for temperror.
func dmarcStatus(res *dmarc.Result) error {
	switch res.Code {
	case dmarc.CodeTempError:
		return fmt.Errorf("temperror: %s", audit.ErrString(res.Err))
	case dmarc.CodeFail, dmarc.CodePermError:
		return errFindings
	}
	return nil
}
