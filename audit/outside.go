package audit

import (
	"slices"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

// FindingNotInZone: a record the audit needs lies at a name the Auditor's Zone
// does not cover (a provider's DKIM key or SPF record, such as those under
// amazonses.com), so it was not checked; the finding the check would have
// made (a missing key, an include without a record) is not reported.
// Severity Info; the area's facts name the names.
const FindingNotInZone = "audit.not-in-zone"

// outsideAdvice ends the fact line and the finding about names outside the
// zone. The flag is the command's; the library equivalent is a Resolver
// that answers those names (live DNS for the rest).
const outsideAdvice = "check with --live-outside, or add the records to the file"

// Coverage tells which names a zone read from files answers for; the rule
// is zone's (see zone.Coverage), which zone.Overlay follows too.
type Coverage = zone.Coverage

// NewCoverage builds the Coverage of z with the given apexes; the owners
// of z's SOA records are apexes too. See zone.NewCoverage.
func NewCoverage(z *zone.Zone, apexes []string) *Coverage { return zone.NewCoverage(z, apexes) }

// outside reports whether name is outside Auditor.Zone when the Resolver
// is that Zone, answering from it alone: not covered by it (see Coverage;
// the apexes are Auditor.ZoneApexes and the audited domain). It is false
// when another Resolver answers, which may know the name.
func (ru *run) outside(name string) bool {
	if ru.a.Zone == nil || name == "" {
		return false
	}
	if z, ok := ru.a.Resolver.(*zone.Zone); !ok || z != ru.a.Zone {
		return false
	}
	ru.coverOnce.Do(func() {
		ru.cover = NewCoverage(ru.a.Zone, append([]string{ru.domain}, ru.a.ZoneApexes...))
	})
	return !ru.cover.Covers(name)
}

// notInZone is the finding that replaces one about a missing record at a
// name outside the zone.
func notInZone(f domainauth.Finding, name string) domainauth.Finding {
	return domainauth.Finding{Code: FindingNotInZone, Severity: domainauth.SeverityInfo, Where: f.Where,
		Message: name + " is not in the zone file, so " + f.Code + " (" + f.Message + ") could not be checked",
		Fix:     outsideAdvice}
}

// dkimOutside rewrites a selector check whose key name (the CNAME target,
// or the selector's name) lies outside the zone and has no record there:
// its missing-key finding becomes FindingNotInZone. It reports whether it did.
func (ru *run) dkimOutside(k *dkim.SelectorCheck) bool {
	name := k.Name
	if k.CNAME != "" {
		name = k.CNAME
	}
	if k.Record != "" || !ru.outside(name) {
		return false
	}
	changed := false
	for i, f := range k.Findings {
		if f.Code == dkim.FindingSelectorNoKey {
			k.Findings[i] = notInZone(f, name)
			changed = true
		}
	}
	return changed
}

// mxOutside rewrites the findings that say an MX target has no address,
// when the target lies outside the zone, and returns the targets.
func (ru *run) mxOutside(fs []domainauth.Finding) []string {
	var names []string
	for i, f := range fs {
		if f.Code == mx.FindingUnresolvable && ru.outside(f.Where) {
			fs[i] = notInZone(f, f.Where)
			names = append(names, f.Where)
		}
	}
	return names
}

// outsideFact is the fact line that names the names outside the zone an
// area could not check, and marks the area unknown when nothing else is
// wrong in it.
func outsideFact(ar *Area, names []string, what string) {
	if len(names) == 0 {
		return
	}
	ar.Facts = append(ar.Facts, "not in the zone file, so "+what+": "+strings.Join(names, ", ")+"; "+outsideAdvice)
	if !slices.ContainsFunc(ar.Findings, func(f domainauth.Finding) bool { return f.Severity > domainauth.SeverityInfo }) {
		ar.Status = StatusUnknown
	}
}

// spfOutside rewrites the findings of an SPF lint that say an include or
// redirect target has no record, when the target lies outside the zone,
// and returns the targets.
func (ru *run) spfOutside(fs []domainauth.Finding) []string {
	var names []string
	for i, f := range fs {
		if f.Code != spf.FindingIncludeNoRecord {
			continue
		}
		// Where is "DOMAIN: TERM", the term include:TARGET or
		// redirect=TARGET; a target with macros is not a name.
		term := f.Where[strings.LastIndex(f.Where, ": ")+len(": "):]
		target, ok := strings.CutPrefix(term, "include:")
		if !ok {
			target, ok = strings.CutPrefix(term, "redirect=")
		}
		if !ok || strings.Contains(target, "%") || !ru.outside(target) {
			continue
		}
		fs[i] = notInZone(f, target)
		names = append(names, target)
	}
	return names
}
