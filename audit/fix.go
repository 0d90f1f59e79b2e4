package audit

import (
	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dmarc"
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
	case mx.FindingNullMixed:
		return "publish either the single null MX \"0 .\" or real MX records, not both"
	case mx.FindingNullPreference:
		return "publish the null MX as \"0 .\""
	case mx.FindingIPLiteral:
		return "point the MX at a host name with A/AAAA records"
	case mx.FindingCNAMETarget:
		return "point the MX at the CNAME's target host"
	case mx.FindingUnresolvable:
		return "publish A/AAAA records for " + where + " or point the MX elsewhere"
	case mx.FindingDuplicate:
		return "delete the duplicate MX record"
	case mx.FindingNone:
		return "publish MX records, or a null MX \"0 .\" if the domain receives no mail"
	case mx.FindingImplicit:
		return "publish an MX record naming the mail host"
	case mx.FindingMailFromNoMX, mx.FindingMailFromNullMX, mx.FindingMailFromImplicitMX:
		return "publish an MX record at " + where + " for bounces (for SES: \"10 feedback-smtp.REGION.amazonses.com\")"
	case mx.FindingMailFromNoSPF:
		return "publish an SPF record at " + where + ", e.g. \"v=spf1 include:amazonses.com ~all\" for SES"
	case mx.FindingMailFromMultipleSPF:
		return "merge the SPF records at " + where + " into one"

	case spf.FindingNoRecord:
		return `publish one TXT record "v=spf1 ... -all" listing the hosts and services that send for the domain`
	case spf.FindingMultipleRecords:
		return "merge the SPF records into one: receivers give permerror while there are several"
	case spf.FindingTooManyLookups:
		return "remove includes of services no longer used, replace a, mx and small includes by ip4:/ip6: ranges, or move a sender to its own subdomain"
	case spf.FindingLookupCost:
		return "this include is a candidate for removal or for replacement by its ip4:/ip6: ranges"
	case spf.FindingVoidLookup, spf.FindingIncludeNoRecord:
		return "remove the term, or publish the record it points to"
	case spf.FindingTooManyVoids:
		return "remove the terms whose targets do not exist"
	case spf.FindingLoop:
		return "break the include/redirect loop"
	case spf.FindingPTR:
		return "replace ptr by ip4:/ip6: or a: terms"
	case spf.FindingPassAll:
		return "end the record with -all or ~all; +all lets anyone send as the domain"
	case spf.FindingNeutralAll, spf.FindingNoAll:
		return "end the record with -all (or ~all while testing)"
	case spf.FindingTermsAfterAll:
		return "move the terms before all, or delete them"
	case spf.FindingRedirectWithAll:
		return "drop either the redirect or the all"
	case spf.FindingLongString:
		return "split the record into character-strings of at most 255 bytes"
	case spf.FindingSPFRRType:
		return "delete the SPF-type record; publish the policy as TXT only"

	case dmarc.FindingNoRecord:
		return "publish a TXT record at _dmarc.DOMAIN, e.g. \"v=DMARC1; p=none; rua=mailto:dmarc-reports@DOMAIN\", then tighten p as the reports allow"
	case dmarc.FindingPNoneWithoutRUA:
		return "add rua=mailto:ADDRESS to receive aggregate reports, and move to p=quarantine or p=reject once they show only legitimate mail failing"
	case dmarc.FindingMultipleRecords:
		return "keep one DMARC record at " + where + "; receivers ignore them all while there are several"
	case dmarc.FindingSPFAtDMARC:
		return "move the SPF record from " + where + " to the domain itself"
	case dmarc.FindingRecordAtApex:
		return "publish the DMARC record at _dmarc." + where + ", not at the domain itself"
	case dmarc.FindingUnauthorizedDestination:
		return "ask the destination's owner to publish \"v=DMARC1\" at DOMAIN._report._dmarc.HOST, or send reports to a mailbox in your own domain"
	case dmarc.FindingMissingP:
		return "add p=none, p=quarantine or p=reject"
	case dmarc.FindingDuplicateTag:
		return "remove the repeated tag " + where
	case dmarc.FindingInvalidPolicy:
		return "use none, quarantine or reject"
	case dmarc.FindingWeakerSubdomainPolicy, dmarc.FindingWeakerNonexistentPolicy:
		return "remove " + where + " or make it at least as strict as p"
	case dmarc.FindingPctBelow100:
		return "remove pct (RFC 9989 ignores it) and use t=y while testing"
	case dmarc.FindingObsoleteTag:
		return "remove " + where + "; RFC 9989 receivers ignore it"
	case dmarc.FindingTooManyDestinations:
		return "list at most two report URIs"
	case dmarc.FindingUnknownTag:
		return "correct the name of " + where + " or remove it: receivers ignore unknown tags"
	case dmarc.FindingLeadingWhitespace:
		return "start the record with v=DMARC1"
	}
	return ""
}
