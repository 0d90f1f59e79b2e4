package bimi

import (
	"fmt"

	"github.com/domainauth/domainauth"
)

// Lint returns findings for a record that parses but is unwise or will not
// show a logo: a declination, an invalid avp=, no evidence document, an
// empty l= next to an a=, unknown tags. where names the record (its DNS
// name) in the findings.
func (r *Record) Lint(where string) []domainauth.Finding {
	var out []domainauth.Finding
	add := func(code string, sev domainauth.Severity, ref, msg string) {
		out = append(out, finding(code, sev, where, ref, msg))
	}
	if r.IsDeclination() {
		add(FindingDeclined, domainauth.SeverityInfo, refDraft+" §4.3.1", "a Declination to Publish: no logo is shown for this selector")
		return out
	}
	if r.AvatarPreference != "" && r.AvatarPreference != "brand" && r.AvatarPreference != "personal" {
		add(FindingAvatarInvalid, domainauth.SeverityWarning, refDraft+" §4.3",
			fmt.Sprintf("avp=%q is neither brand nor personal; it is ignored (some receivers fail the record)", clip(r.AvatarPreference)))
	}
	if r.Evidence == "" {
		add(FindingNoEvidence, domainauth.SeverityInfo, refDraft+" §7.4",
			"no a= evidence document: mailbox providers that require a Mark Certificate (VMC or CMC) show no logo")
	}
	if r.Location == "" && r.Evidence != "" {
		add(FindingNoLocation, domainauth.SeverityInfo, refDraft+" §7.4",
			"l= is empty: receivers that do not take the logo from the certificate show none")
	}
	for _, u := range r.Unknown {
		add(FindingUnknownTag, domainauth.SeverityInfo, refDraft+" §4.3",
			fmt.Sprintf("tag %s= is not defined by draft -12; receivers ignore it", u.Tag))
	}
	return out
}
