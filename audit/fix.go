package audit

import (
	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/spf"
)

// Fix returns advice for a finding of the spf, dmarc or mx packages, which
// report none themselves: what to publish or change instead, naming the
// finding's subject (f.Where) where that helps. It returns "" for codes it
// has no advice for. The audit fills in each finding's Fix with it; the SES
// area's advice, which needs the identity's plan, is its own.
func Fix(f domainauth.Finding) string {
	where := f.Where
	switch f.Code {
	case mx.CodeNullMixed:
		return "publish either the single null MX \"0 .\" or real MX records, not both"
	case mx.CodeNullPreference:
		return "publish the null MX as \"0 .\""
	case mx.CodeIPLiteral:
		return "point the MX at a host name with A/AAAA records"
	case mx.CodeCNAMETarget:
		return "point the MX at the CNAME's target host"
	case mx.CodeUnresolvable:
		return "publish A/AAAA records for " + where + " or point the MX elsewhere"
	case mx.CodeDuplicate:
		return "delete the duplicate MX record"
	case mx.CodeNone:
		return "publish MX records, or a null MX \"0 .\" if the domain receives no mail"
	case mx.CodeImplicit:
		return "publish an MX record naming the mail host"
	case mx.CodeMailFromNoMX, mx.CodeMailFromNullMX, mx.CodeMailFromImplicitMX:
		return "publish an MX record at " + where + " for bounces (for SES: \"10 feedback-smtp.REGION.amazonses.com\")"
	case mx.CodeMailFromNoSPF:
		return "publish an SPF record at " + where + ", e.g. \"v=spf1 include:amazonses.com ~all\" for SES"
	case mx.CodeMailFromMultipleSPF:
		return "merge the SPF records at " + where + " into one"

	case spf.CodeNoRecord:
		return `publish one TXT record "v=spf1 ... -all" listing the hosts and services that send for the domain`
	case spf.CodeMultipleRecords:
		return "merge the SPF records into one: receivers give permerror while there are several"
	case spf.CodeTooManyLookups:
		return "remove includes of services no longer used, replace a, mx and small includes by ip4:/ip6: ranges, or move a sender to its own subdomain"
	case spf.CodeLookupCost:
		return "this include is a candidate for removal or for replacement by its ip4:/ip6: ranges"
	case spf.CodeVoidLookup, spf.CodeIncludeNoRecord:
		return "remove the term, or publish the record it points to"
	case spf.CodeTooManyVoids:
		return "remove the terms whose targets do not exist"
	case spf.CodeLoop:
		return "break the include/redirect loop"
	case spf.CodePTR:
		return "replace ptr by ip4:/ip6: or a: terms"
	case spf.CodePassAll:
		return "end the record with -all or ~all; +all lets anyone send as the domain"
	case spf.CodeNeutralAll, spf.CodeNoAll:
		return "end the record with -all (or ~all while testing)"
	case spf.CodeTermsAfterAll:
		return "move the terms before all, or delete them"
	case spf.CodeRedirectWithAll:
		return "drop either the redirect or the all"
	case spf.CodeLongString:
		return "split the record into character-strings of at most 255 bytes"
	case spf.CodeSPFRRType:
		return "delete the SPF-type record; publish the policy as TXT only"

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
	case "dmarc.unknown-tag":
		return "correct the name of " + where + " or remove it: receivers ignore unknown tags"
	case "dmarc.leading-whitespace":
		return "start the record with v=DMARC1"
	}
	return ""
}
