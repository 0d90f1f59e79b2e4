package audit

import (
	"github.com/domainauth/domainauth/mx"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

// CheckZone is the check of a zone file on its own ("domainauth zone
// check"): zone.Check's structural findings; mx's finding for each MX
// target that is a CNAME in the zone (mx.CNAMETargetFinding: the defect is
// the MX set's, so it carries mx's code, as in the MX area of an audit);
// and for each name that publishes records of the obsolete type SPF (99),
// spf's finding about them (spf.RRTypeFinding). Each finding has a Fix;
// errors come first.
func CheckZone(z *zone.Zone) []AreaFinding {
	fs := z.Check()
	var names []string
	for _, rr := range z.Records() {
		switch {
		case rr.Type == zone.TypeSPF && (len(names) == 0 || names[len(names)-1] != rr.Name):
			names = append(names, rr.Name)
		case rr.Type == zone.TypeMX && rr.Target != ".":
			if t := z.Lookup(rr.Target, zone.TypeCNAME); len(t) > 0 {
				fs = append(fs, mx.CNAMETargetFinding(rr.Target, t[0].Target))
			}
		}
	}
	for _, n := range names {
		fs = append(fs, spf.RRTypeFinding(n))
	}
	out := AreaFindings("zone", WithFixes(fs))
	SortBySeverity(out)
	return out
}
