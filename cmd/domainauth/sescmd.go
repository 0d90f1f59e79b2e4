package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/ses"
	"github.com/domainauth/domainauth/ses/events"
)

func sesCommand() *command {
	return &command{
		name:    "ses",
		summary: "plan and audit an Amazon SES domain identity, read SES events",
		long: `Plan the DNS records of an Amazon SES domain identity (Easy DKIM, custom MAIL
FROM, DMARC), audit DNS or a zone file against them with the DMARC alignment
prediction, and read SES event and notification JSON.`,
		examples: []string{"domainauth ses plan --region eu-west-1 --token TOKEN1 --token TOKEN2 --token TOKEN3 --mail-from mail example.org"},
		subs: []*command{
			{
				name:    "plan",
				args:    "DOMAIN",
				summary: "print the records an SES identity needs (BIND, Route 53 or JSON)",
				long: `Print the DNS records DOMAIN needs to send through SES in --region: the three
Easy DKIM CNAMEs for the tokens SES gave (--token, three times), the custom
MAIL FROM MX and SPF (--mail-from), the DMARC record, as a BIND fragment
(default), a Route 53 change batch (--format route53, for "aws route53
change-resource-record-sets --change-batch file://batch.json") or JSON.`,
				examples: []string{
					"domainauth ses plan --region ap-northeast-2 --token ee3iyktt6a52swhlzrcnadeiwwa27oo6 --token hleoy2vma4pcnkbbyeekmttjnef4mcgf --token b743qnjojiphl56mvjxi2ietqlhb774b --mail-from mail --dmarc-rua mail-master@example.org example.org",
				},
				minArgs: 1, maxArgs: 1,
				setup: sesPlanSetup,
			},
			{
				name:    "audit",
				args:    "DOMAIN",
				summary: "compare DNS with what an SES identity needs, and predict DMARC",
				long: `Compare what DNS (or --zone, --route53) holds for DOMAIN with the records an
SES identity in --region needs, report each record as present, missing or
wrong, and predict whether SES mail from DOMAIN passes DMARC and through
which mechanism. Tokens and the MAIL FROM domain default to what the zone
shows (Easy DKIM CNAMEs into an SES zone, an MX to an SES feedback endpoint).
Exit status 1 when a finding is an error.`,
				examples: []string{
					"domainauth ses audit --zone examples/zones/example.org.zone --region ap-northeast-2 example.org",
					"domainauth ses audit --route53 records.json --region eu-west-1 --token T1 --token T2 --token T3 example.com",
				},
				minArgs: 1, maxArgs: 1,
				setup: sesAuditSetup,
			},
			{
				name:    "event",
				args:    "FILE",
				summary: "read an SES event or notification (JSON, bare or in SNS)",
				long: `Read one SES identity notification or event-publishing record (bare, or inside
an SNS message) from FILE ("-" for standard input) and print what happened to
which recipients and whether the account-level suppression list adds them.`,
				examples: []string{
					"domainauth ses event bounce.json",
				},
				minArgs: 1, maxArgs: 1,
				setup: sesEventSetup,
			},
		},
	}
}

// identityFlags are the flags that describe an SES identity.
type identityFlags struct {
	region, mailFrom, dmarcRUA, signingZone string
	tokens                                  listFlag
}

func addIdentityFlags(fs *flag.FlagSet) *identityFlags {
	f := &identityFlags{}
	fs.StringVar(&f.region, "region", "", "the SES `REGION` of the identity, e.g. eu-west-1 (required)")
	fs.Var(&f.tokens, "token", "an Easy DKIM `TOKEN` from SES (DkimAttributes.Tokens); give all three")
	fs.StringVar(&f.mailFrom, "mail-from", "", "the custom MAIL FROM `SUBDOMAIN` (\"mail\" or \"mail.example.org\")")
	fs.StringVar(&f.signingZone, "signing-zone", "", "DkimAttributes.SigningHostedZone from the SES API, when known; wins over the region table")
	return f
}

// identity builds the ses.Identity; an unknown region is a usage error.
func (f *identityFlags) identity(domain string) (ses.Identity, error) {
	if f.region == "" {
		return ses.Identity{}, usagef("--region is required")
	}
	if _, err := ses.LookupRegion(f.region); err != nil {
		return ses.Identity{}, usagef("unknown SES region %q (known: %s)", f.region, strings.Join(ses.RegionCodes(), ", "))
	}
	id := ses.Identity{Domain: domain, Region: f.region, EasyDKIMTokens: f.tokens, SigningHostedZone: f.signingZone}
	if f.mailFrom != "" {
		id.MailFrom = f.mailFrom
		if !strings.Contains(f.mailFrom, ".") {
			id.MailFrom = f.mailFrom + "." + domain
		}
	}
	if f.dmarcRUA != "" {
		id.DMARCReports = f.dmarcRUA
	}
	return id, nil
}

func sesPlanSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	idf := addIdentityFlags(fs)
	fs.StringVar(&idf.dmarcRUA, "dmarc-rua", "", "the `ADDRESS` for DMARC aggregate reports in the recommended DMARC record")
	format := fs.String("format", "bind", "output `FORMAT`: bind, route53 or json")
	return func(ctx context.Context, args []string) error {
		domain, err := dnsname.Normalize(args[0])
		if err != nil {
			return usagef("%q is not a domain name: %v", args[0], err)
		}
		id, err := idf.identity(domain)
		if err != nil {
			return err
		}
		plan, err := id.Plan()
		if err != nil {
			return err
		}
		switch *format {
		case "bind":
			if err := plan.WriteBIND(a.stdout); err != nil {
				return err
			}
			for _, f := range plan.Findings {
				fmt.Fprintf(a.stdout, "; %s %s: %s\n", f.Severity, f.Code, termsafe.String(f.Message))
			}
		case "route53":
			// The JSON goes to the AWS CLI as is; the planner's notes go
			// to stderr for the person running it.
			for _, f := range plan.Findings {
				fmt.Fprintf(a.stderr, "note: %s %s: %s\n", f.Severity, f.Code, termsafe.String(f.Message))
			}
			batches, err := plan.ChangeBatches("SES identity " + domain + " in " + id.Region)
			if err != nil {
				return err
			}
			if len(batches) == 1 {
				return writeJSON(a.stdout, batches[0])
			}
			return writeJSON(a.stdout, batches)
		case "json":
			return writeJSON(a.stdout, plan)
		default:
			return usagef("--format %q: want bind, route53 or json", *format)
		}
		return nil
	}
}

func sesAuditSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	dns := addDNSFlags(fs)
	idf := addIdentityFlags(fs)
	from := fs.String("from", "", "predict DMARC for mail with this From `DOMAIN` (default: DOMAIN)")
	asJSON := fs.Bool("json", false, "print the audit as JSON")
	return func(ctx context.Context, args []string) error {
		if idf.region == "" {
			return usagef("--region is required")
		}
		s, err := dns.begin(ctx, args[0], "")
		if err != nil {
			return err
		}
		defer s.cancel()
		id, err := idf.identity(s.domain)
		if err != nil {
			return err
		}
		// Audit the published DMARC record, rather than compare it with
		// the planner's recommendation.
		id.SkipDMARC = true
		if len(id.EasyDKIMTokens) == 0 || id.MailFrom == "" {
			// Take what the zone shows, as "check" does.
			sig, err := (&audit.Auditor{Resolver: s.r, Zone: s.files}).DetectSES(s.ctx, s.domain)
			if err != nil {
				return err
			}
			mf := sig.MailFrom
			if len(id.EasyDKIMTokens) == 0 {
				id.EasyDKIMTokens = sig.Tokens
			}
			if id.MailFrom == "" && mf != "" && !dnsname.Equal(mf, s.domain) {
				id.MailFrom = mf
			}
		}
		plan, err := id.Plan()
		if err != nil {
			return err
		}
		res := (&ses.Auditor{Resolver: s.r, From: *from}).Audit(s.ctx, plan)
		fs := audit.SESAuditFindings(plan, res)
		if *asJSON {
			if err := writeJSON(a.stdout, struct {
				*ses.Audit
				Findings []audit.AreaFinding `json:"Findings"`
			}{res, fs}); err != nil {
				return err
			}
		} else {
			audit.WriteSESAudit(a.stdout, res, fs)
		}
		if errs, _ := audit.CountSeverities(fs); errs > 0 {
			return errFindings
		}
		return nil
	}
}

func sesEventSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	asJSON := fs.Bool("json", false, "print the parsed event as JSON")
	return func(ctx context.Context, args []string) error {
		f, err := a.openArg(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxStdinRecord*16+1))
		if err != nil {
			return fileError(err)
		}
		ev, err := events.ParseEvent(data)
		if err != nil {
			return fmt.Errorf("%s: not an SES event or notification: %w", args[0], err)
		}
		if *asJSON {
			return writeJSON(a.stdout, ev)
		}
		return ev.WriteText(a.stdout, events.SuppressionPolicy{})
	}
}
