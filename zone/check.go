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
	FindingParserNote        = "zone.parser-note"          // something the parser noted while reading a master file (Info)
	FindingMultipleCNAMEs    = "zone.multiple-cnames"      // a name with more than one CNAME (RFC 2181 §10.1)
	FindingCNAMEAndOtherData = "zone.cname-and-other-data" // a CNAME beside other records (RFC 1034 §3.6.2)
	FindingTargetIsCNAME     = "zone.target-is-cname"      // an NS target that is a CNAME (RFC 2181 §10.3)
	FindingCNAMELoop         = "zone.cname-loop"           // CNAMEs that lead back to themselves: lookups fail (RFC 1034 §3.6.2)
	FindingCNAMEChainTooLong = "zone.cname-chain-too-long" // more CNAMEs in a row than resolvers follow (RFC 1034 §5.2.2)
)

// maxLoopNames bounds the names a CNAME loop finding lists.
const maxLoopNames = 10

// Check reports what DNS servers or resolvers would trip over in the zone:
// several CNAMEs at a name, a CNAME beside other data, CNAME loops and
// chains longer than the zone (and resolvers) follow, NS records that point
// at a CNAME, and the parser's notes. Each finding carries a Fix.
// Records of the obsolete type SPF (99) are a defect of the SPF record, and
// an MX target that is a CNAME one of the MX set, so the spf and mx packages
// report them (spf.RRTypeFinding, mx.CNAMETargetFinding; audit.CheckZone
// adds them to these findings for a zone file). Errors come first, then warnings, then infos;
// within a severity, in record order. It costs one pass over the records,
// one lookup per MX or NS record, and time linear in the CNAME records for
// the chains.
func (z *Zone) Check() []domainauth.Finding {
	var out []domainauth.Finding
	for _, n := range z.Notes() {
		out = append(out, domainauth.Finding{Code: FindingParserNote, Severity: domainauth.SeverityInfo,
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
	out = z.checkChains(out, rrs)
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
		out = append(out, domainauth.Finding{Code: FindingMultipleCNAMEs, Severity: domainauth.SeverityError,
			Where: name + " CNAME", Message: fmt.Sprintf("%s has %d CNAME records; a name can have only one", name, cnames),
			Fix: "keep one CNAME and delete the others", RFC: "RFC 2181 §10.1"})
	}
	if cnames > 0 && others > 0 {
		out = append(out, domainauth.Finding{Code: FindingCNAMEAndOtherData, Severity: domainauth.SeverityError,
			Where: name + " CNAME", Message: fmt.Sprintf("%s has a CNAME and other records (%s); resolvers will see only the CNAME", name, otherTypes(rrs)),
			Fix: "move the other records to the CNAME's target, or replace the CNAME with the records it points at", RFC: "RFC 1034 §3.6.2"})
	}
	for _, rr := range rrs {
		switch rr.Type {
		case TypeNS:
			// An MX target that is a CNAME is the MX set's defect: the mx
			// package reports it (mx.CNAMETargetFinding; audit.CheckZone
			// adds it for a zone file).
			if t := z.Lookup(rr.Target, TypeCNAME); len(t) > 0 {
				out = append(out, domainauth.Finding{Code: FindingTargetIsCNAME, Severity: domainauth.SeverityWarning,
					Where:   fmt.Sprintf("%s %v %s", name, rr.Type, rr.Target),
					Message: fmt.Sprintf("the %v target %s is a CNAME (to %s); it must name the host itself", rr.Type, rr.Target, t[0].Target),
					Fix:     fmt.Sprintf("point the %v record at %s", rr.Type, t[0].Target), RFC: "RFC 2181 §10.3"})
			}
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

// checkChains appends a finding for each CNAME loop and for each chain of
// more than maxCNAMEChain CNAMEs, which the zone answers as SERVFAIL, as
// recursive resolvers do (RFC 1034 §3.6.2 forbids neither, but a loop can
// never be answered and §5.2.2 lets resolvers bound the chase). The chain
// from each name is followed the way lookups follow it (wildcards
// included), and each name is visited once: the cost is linear in the
// CNAME records.
func (z *Zone) checkChains(out []domainauth.Finding, rrs []RR) []domainauth.Finding {
	z.mu.RLock()
	defer z.mu.RUnlock()
	const (
		unseen = iota
		onPath
		done
	)
	const looping = -1
	state := make(map[string]int)
	hops := make(map[string]int) // CNAMEs followed from a name, or looping
	targeted := make(map[string]bool)
	next := func(k string) (string, bool) {
		n := z.nodes[k]
		if n == nil {
			n = z.wildcard(k)
		}
		if n == nil || n.cname == "" {
			return "", false
		}
		return n.cname, true
	}
	var path []string
	for _, rr := range rrs {
		if rr.Type != TypeCNAME {
			continue
		}
		start := key(rr.Name)
		targeted[key(rr.Target)] = true
		if state[start] != unseen {
			continue
		}
		// Walk until a name with a known answer, a name on the path (a
		// loop) or the end of the chain; then fill in the path backwards.
		path = path[:0]
		k := start
		base := 0
		for {
			if s := state[k]; s == done {
				base = hops[k]
				break
			} else if s == onPath {
				i := slices.Index(path, k)
				out = append(out, loopFinding(path[i:]))
				for _, m := range path[i:] {
					state[m], hops[m] = done, looping
				}
				path = path[:i]
				base = looping
				break
			}
			t, ok := next(k)
			if !ok {
				state[k], hops[k] = done, 0
				break
			}
			state[k] = onPath
			path = append(path, k)
			k = t
		}
		for i := len(path) - 1; i >= 0; i-- {
			if base != looping {
				base++
			}
			state[path[i]], hops[path[i]] = done, base
		}
	}
	// A long chain is reported at each name where one starts: a name that
	// no CNAME of the zone points at.
	for _, rr := range rrs {
		k := key(rr.Name)
		if rr.Type != TypeCNAME || targeted[k] || hops[k] <= maxCNAMEChain {
			continue
		}
		out = append(out, domainauth.Finding{Code: FindingCNAMEChainTooLong, Severity: domainauth.SeverityWarning,
			Where:   rr.Name + " CNAME",
			Message: fmt.Sprintf("%s starts a chain of %d CNAMEs; resolvers give up after a few (this zone after %d), so lookups of it fail", rr.Name, hops[k], maxCNAMEChain),
			Fix:     "point each CNAME straight at the final name", RFC: "RFC 1034 §5.2.2"})
	}
	return out
}

// loopFinding reports the CNAME loop through names, in chain order.
func loopFinding(names []string) domainauth.Finding {
	shown := names[:min(len(names), maxLoopNames)]
	chain := strings.Join(shown, " -> ")
	if len(names) > len(shown) {
		chain += fmt.Sprintf(" -> … (%d more)", len(names)-len(shown))
	}
	return domainauth.Finding{Code: FindingCNAMELoop, Severity: domainauth.SeverityError,
		Where:   names[0] + " CNAME",
		Message: fmt.Sprintf("the CNAMEs %s -> %s form a loop: lookups of these names fail", chain, names[0]),
		Fix:     "point one of the CNAMEs at a name with the records themselves", RFC: "RFC 1034 §3.6.2"}
}
