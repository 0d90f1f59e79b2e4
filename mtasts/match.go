package mtasts

import (
	"fmt"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// MatchPattern reports whether the MX host name host matches the policy
// mx pattern (RFC 8461 §4.1): names compare without regard to ASCII case and
// a trailing dot; a pattern "*.example.com" matches exactly one leftmost
// label in its place ("mail.example.com", not "example.com" nor
// "a.b.example.com").
func MatchPattern(pattern, host string) bool {
	pattern = dnsname.Canonical(pattern)
	host = dnsname.Canonical(host)
	if host == "" || pattern == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		dot := strings.IndexByte(host, '.')
		// RFC 8461 Appendix B: the wildcard stands for the whole first
		// label, which must not be empty.
		return dot > 0 && host[dot+1:] == rest
	}
	return host == pattern
}

// Matches reports whether host matches at least one of the policy's mx
// patterns (RFC 8461 §4.1), and returns the first that does.
func (p *Policy) Matches(host string) (pattern string, ok bool) {
	for _, pat := range p.MX {
		if MatchPattern(pat, host) {
			return pat, true
		}
	}
	return "", false
}

// CheckMX checks a domain's MX host names (from its MX records, trailing
// dots allowed) against its policy and returns what an auditor should know,
// in this order:
//
//   - FindingMXNotCovered for each host no mx pattern matches: an Error in
//     enforce mode (RFC 8461 §5: senders MUST NOT deliver to it, so mail
//     to it fails), a Warning in testing mode (senders report it through
//     TLSRPT); not reported in mode none, which asks nothing;
//   - FindingNullMX when the MX set is a null MX (RFC 7505) under a policy
//     other than none, FindingNoMX when it is empty;
//   - FindingModeTesting, FindingModeNone (Info);
//   - FindingPatternUnused for a pattern no MX host matches (Info);
//   - FindingMaxAgeShort for max_age under a day in enforce or testing mode
//     (RFC 8461 §3.2, §10.2: weeks or more are expected);
//   - FindingDuplicateField for each field that was ignored (§3.2) and
//     FindingUnknownField for each extension (Info).
//
// Findings carry their advice in Fix.
func CheckMX(p *Policy, mx []string) []domainauth.Finding {
	var out []domainauth.Finding
	const where = ".well-known/mta-sts.txt"
	used := make([]bool, len(p.MX))
	null := len(mx) == 1 && dnsname.Canonical(mx[0]) == ""
	for _, h := range mx {
		host := dnsname.Canonical(h)
		if host == "" {
			continue
		}
		hit := false
		for i, pat := range p.MX {
			if MatchPattern(pat, host) {
				used[i], hit = true, true
			}
		}
		if hit || p.Mode == ModeNone {
			continue
		}
		f := domainauth.Finding{
			Code: FindingMXNotCovered, Where: host, RFC: "RFC 8461 §4.1, §5",
			Message: fmt.Sprintf("MX host %s matches no mx pattern of the %s policy", host, p.Mode),
			Fix:     fmt.Sprintf("add \"mx: %s\" to the policy, publish it and change the id of the _mta-sts record", host),
		}
		if p.Mode == ModeEnforce {
			f.Severity = domainauth.SeverityError
			f.Message = "mail to MX host " + host + " fails: senders honouring the enforce policy MUST NOT deliver to a host no mx pattern matches"
		} else {
			f.Severity = domainauth.SeverityWarning
		}
		out = append(out, f)
	}
	switch {
	case p.Mode == ModeNone:
	case null:
		out = append(out, domainauth.Finding{Code: FindingNullMX, Severity: domainauth.SeverityWarning, Where: where, RFC: "RFC 7505; RFC 8461 §8.3",
			Message: fmt.Sprintf("the domain publishes a null MX (it accepts no mail) yet an MTA-STS policy in mode %s", p.Mode),
			Fix:     "publish mode none, then remove the policy and the _mta-sts record (RFC 8461 §8.3)"})
	case len(mx) == 0:
		out = append(out, domainauth.Finding{Code: FindingNoMX, Severity: domainauth.SeverityWarning, Where: where, RFC: "RFC 8461 §4.1",
			Message: "no MX host given to check against the policy"})
	}
	switch p.Mode {
	case ModeTesting:
		out = append(out, domainauth.Finding{Code: FindingModeTesting, Severity: domainauth.SeverityInfo, Where: where, RFC: "RFC 8461 §5",
			Message: "the policy is in testing mode: senders report failures but still deliver over unauthenticated connections",
			Fix:     "once TLS reports show no failures, set mode: enforce and change the record's id"})
	case ModeNone:
		out = append(out, domainauth.Finding{Code: FindingModeNone, Severity: domainauth.SeverityInfo, Where: where, RFC: "RFC 8461 §5, §8.3",
			Message: "the policy is in mode none: senders treat the domain as having no MTA-STS policy"})
	}
	if !null {
		for i, pat := range p.MX {
			if !used[i] && len(mx) > 0 {
				out = append(out, domainauth.Finding{Code: FindingPatternUnused, Severity: domainauth.SeverityInfo, Where: "mx: " + pat, RFC: "RFC 8461 §4.1",
					Message: fmt.Sprintf("mx pattern %s matches none of the domain's MX hosts", pat),
					Fix:     "remove it unless it is meant for a future MX"})
			}
		}
	}
	if p.Mode != ModeNone && p.MaxAge < minMaxAge {
		out = append(out, domainauth.Finding{Code: FindingMaxAgeShort, Severity: domainauth.SeverityWarning, Where: fmt.Sprintf("max_age: %d", p.MaxAge), RFC: "RFC 8461 §3.2, §10.2",
			Message: fmt.Sprintf("max_age %d is less than a day: the policy protects little against an attacker who blocks its discovery", p.MaxAge),
			Fix:     "use at least 604800 (a week), typically weeks or more"})
	}
	for _, f := range p.Ignored {
		out = append(out, domainauth.Finding{Code: FindingDuplicateField, Severity: domainauth.SeverityWarning, Where: f.Key + ": " + f.Value, RFC: "RFC 8461 §3.2",
			Message: fmt.Sprintf("field %s repeated: senders ignore every occurrence but the first", f.Key),
			Fix:     "remove the repetition"})
	}
	for _, f := range p.Extensions {
		out = append(out, domainauth.Finding{Code: FindingUnknownField, Severity: domainauth.SeverityInfo, Where: f.Key + ": " + f.Value, RFC: "RFC 8461 §3.2",
			Message: fmt.Sprintf("field %s is not defined by RFC 8461; senders ignore it", f.Key)})
	}
	return out
}

// minMaxAge is the max_age under which CheckMX warns: a day.
const minMaxAge = 86400
