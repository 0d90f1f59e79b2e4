package zone

import (
	"fmt"
	"slices"
	"strings"

	"github.com/domainauth/domainauth"
)

// Zone consistency finding codes, reported by Check. They are stable: users
// match on them.
const (
	CodeParserNote        = "zone.parser-note"          // something the parser noted while reading a master file (Info)
	CodeMultipleCNAMEs    = "zone.multiple-cnames"      // a name with more than one CNAME (RFC 2181 §10.1)
	CodeCNAMEAndOtherData = "zone.cname-and-other-data" // a CNAME beside other records (RFC 1034 §3.6.2)
	CodeTargetIsCNAME     = "zone.target-is-cname"      // an MX or NS target that is a CNAME (RFC 2181 §10.3)
	CodeSPFType           = "zone.spf-type"             // an obsolete type SPF (99) record (RFC 7208 §3.1)
)

// Check reports what DNS servers or resolvers would trip over in the zone:
// several CNAMEs at a name, a CNAME beside other data, MX and NS records that
// point at a CNAME, the obsolete SPF record type, and the parser's notes.
// Each finding carries a Fix. Errors come first, then warnings, then infos;
// within a severity, in record order. It costs one pass over the records and
// one lookup per MX or NS record.
func (z *Zone) Check() []domainauth.Finding {
	var out []domainauth.Finding
	for _, n := range z.Notes() {
		out = append(out, domainauth.Finding{Code: CodeParserNote, Severity: domainauth.Info,
			Where: fmt.Sprintf("line %d", n.Line), Message: n.Msg})
	}
	// Records sorts by name, so each name's records are one run.
	rrs := z.Records()
	for start := 0; start < len(rrs); {
		end := start + 1
		for end < len(rrs) && strings.EqualFold(rrs[end].Name, rrs[start].Name) {
			end++
		}
		out = z.checkName(out, rrs[start].Name, rrs[start:end])
		start = end
	}
	slices.SortStableFunc(out, func(a, b domainauth.Finding) int { return int(b.Severity) - int(a.Severity) })
	return out
}

// checkName appends the findings about the records rrs of one name.
func (z *Zone) checkName(out []domainauth.Finding, name string, rrs []RR) []domainauth.Finding {
	cnames, others := 0, 0
	for _, rr := range rrs {
		if rr.Type == TypeCNAME {
			cnames++
		} else {
			others++
		}
	}
	if cnames > 1 {
		out = append(out, domainauth.Finding{Code: CodeMultipleCNAMEs, Severity: domainauth.Error,
			Where: name + " CNAME", Message: fmt.Sprintf("%s has %d CNAME records; a name can have only one", name, cnames),
			Fix: "keep one CNAME and delete the others", RFC: "RFC 2181 §10.1"})
	}
	if cnames > 0 && others > 0 {
		out = append(out, domainauth.Finding{Code: CodeCNAMEAndOtherData, Severity: domainauth.Error,
			Where: name + " CNAME", Message: fmt.Sprintf("%s has a CNAME and other records (%s); resolvers will see only the CNAME", name, otherTypes(rrs)),
			Fix: "move the other records to the CNAME's target, or replace the CNAME with the records it points at", RFC: "RFC 1034 §3.6.2"})
	}
	for _, rr := range rrs {
		switch rr.Type {
		case TypeMX, TypeNS:
			if rr.Target == "." {
				continue
			}
			if t := z.Lookup(rr.Target, TypeCNAME); len(t) > 0 {
				out = append(out, domainauth.Finding{Code: CodeTargetIsCNAME, Severity: domainauth.Warning,
					Where:   fmt.Sprintf("%s %v %s", name, rr.Type, rr.Target),
					Message: fmt.Sprintf("the %v target %s is a CNAME (to %s); it must name the host itself", rr.Type, rr.Target, t[0].Target),
					Fix:     fmt.Sprintf("point the %v record at %s", rr.Type, t[0].Target), RFC: "RFC 2181 §10.3"})
			}
		case TypeSPF:
			out = append(out, domainauth.Finding{Code: CodeSPFType, Severity: domainauth.Warning,
				Where: name + " SPF", Message: "the SPF record type is obsolete; receivers only read TXT",
				Fix: "publish the same value as a TXT record and delete the SPF-type record", RFC: "RFC 7208 §3.1"})
		}
	}
	return out
}

// otherTypes lists the types other than CNAME among rrs, once each.
func otherTypes(rrs []RR) string {
	var ts []string
	for _, rr := range rrs {
		if rr.Type != TypeCNAME && !slices.Contains(ts, rr.Type.String()) {
			ts = append(ts, rr.Type.String())
		}
	}
	return strings.Join(ts, ", ")
}
