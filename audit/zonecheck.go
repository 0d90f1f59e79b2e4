package audit

import (
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

// CheckZone is the check of a zone file on its own ("domainauth zone
// check"): zone.Check's structural findings, and for each name that
// publishes records of the obsolete type SPF (99), spf's finding about them
// (spf.RRTypeFinding: the defect is the SPF record's, so it carries spf's
// code, as in the SPF area of an audit). Each finding has a Fix; errors
// come first.
func CheckZone(z *zone.Zone) []AreaFinding {
	fs := z.Check()
	var names []string
	for _, rr := range z.Records() {
		if rr.Type == zone.TypeSPF && (len(names) == 0 || names[len(names)-1] != rr.Name) {
			names = append(names, rr.Name)
		}
	}
	for _, n := range names {
		fs = append(fs, spf.RRTypeFinding(n))
	}
	out := AreaFindings("zone", WithFixes(fs))
	SortBySeverity(out)
	return out
}
