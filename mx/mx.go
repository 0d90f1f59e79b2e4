package mx

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/spf"
)

// State is what a domain's MX set says about its mail service.
type State uint8

// The states of an MX set.
const (
	// StateUnknown: the MX lookup failed temporarily (or the context ended).
	StateUnknown State = iota
	// StateExplicit: one or more ordinary MX records.
	StateExplicit
	// StateNull: a single null MX, "0 ." (RFC 7505): the domain accepts no mail.
	StateNull
	// StateNullMixed: a null MX beside other MX records; invalid (RFC 7505 §3).
	StateNullMixed
	// StateImplicit: no MX record, but the domain has A or AAAA records, which
	// act as an implicit MX of preference 0 (RFC 5321 §5.1).
	StateImplicit
	// StateNone: no MX record and no address record: no mail can be delivered.
	StateNone
)

// String returns "unknown", "mx", "null-mx", "null-mx-mixed", "implicit-mx" or "none".
func (s State) String() string {
	switch s {
	case StateUnknown:
		return "unknown"
	case StateExplicit:
		return "mx"
	case StateNull:
		return "null-mx"
	case StateNullMixed:
		return "null-mx-mixed"
	case StateImplicit:
		return "implicit-mx"
	case StateNone:
		return "none"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Answer is a yes/no that may be unknown (a missing Resolver capability or a
// temporary DNS failure).
type Answer uint8

// The answers.
const (
	AnswerUnknown Answer = iota
	AnswerNo
	AnswerYes
)

// String returns "unknown", "no" or "yes".
func (a Answer) String() string {
	switch a {
	case AnswerNo:
		return "no"
	case AnswerYes:
		return "yes"
	}
	return "unknown"
}

// Host is one MX target and what was learnt about it.
type Host struct {
	Preference uint16
	Name       string       // as published, lower case, no trailing dot; "" for a null MX
	IPLiteral  bool         // Name is an IP address, not a host name
	CNAME      Answer       // whether Name owns a CNAME record (RFC 2181 §10.3)
	Alias      string       // the CNAME target when CNAME is AnswerYes
	Resolves   Answer       // whether Name has A or AAAA records (following aliases)
	Addrs      []netip.Addr // the addresses found
	Duplicate  bool         // an earlier record has the same Name
}

// Result is the outcome of Check.
type Result struct {
	Domain   string // the checked domain, normalised
	State    State
	Hosts    []Host       // MX records sorted by preference, then name
	Implicit []netip.Addr // the domain's own addresses, for StateImplicit
	Findings []Finding
	Err      error // the DNS error behind StateUnknown
}

// HasErrors reports whether any finding has Severity Error.
func (r *Result) HasErrors() bool { return hasSeverity(r.Findings, SeverityError) }

// Deliverable reports whether an SMTP client could deliver mail to the
// domain (RFC 5321 §5.1): AnswerYes when the implicit MX or at least one MX target
// has an address, AnswerNo for a null MX, no mail service at all, or MX records
// none of which is usable (each such target also has an Error finding, as
// §5.1 requires the situation to be reported as an error), and
// AnswerUnknown when a lookup failed or a target was not examined.
func (r *Result) Deliverable() Answer {
	switch r.State {
	case StateImplicit:
		return AnswerYes
	case StateNull, StateNone:
		return AnswerNo
	case StateUnknown:
		return AnswerUnknown
	}
	ans := AnswerNo
	for _, h := range r.Hosts {
		switch {
		case h.Name == "" || h.IPLiteral || h.Duplicate:
		case h.Resolves == AnswerYes:
			return AnswerYes
		case h.Resolves == AnswerUnknown:
			ans = AnswerUnknown
		}
	}
	return ans
}

func hasSeverity(fs []Finding, s Severity) bool {
	for _, f := range fs {
		if f.Severity >= s {
			return true
		}
	}
	return false
}

// Checker checks MX sets. A zero Checker with a Resolver is ready to use; it
// is safe for concurrent use.
type Checker struct {
	// Resolver answers DNS queries. Required. If it also implements
	// domainauth.CNAMEResolver, MX targets are checked for aliases.
	Resolver domainauth.Resolver

	// MaxHosts bounds how many MX targets are examined (each costs address
	// lookups). If zero, 16.
	MaxHosts int
}

func (c *Checker) maxHosts() int {
	if c.MaxHosts > 0 {
		return c.MaxHosts
	}
	return 16
}

// Check looks up domain's MX records and examines each target. The result
// always carries a State; lookup failures are findings and Result.Err, not a
// returned error. An error is returned only for a malformed domain name.
func (c *Checker) Check(ctx context.Context, domain string) (*Result, error) {
	name, err := dnsname.Normalize(domain)
	if err != nil {
		return nil, fmt.Errorf("mx: cannot check %q, not a domain name: %w", domain, err)
	}
	if c.Resolver == nil {
		return nil, errors.New("mx: Checker has no Resolver; set Checker.Resolver (net.DefaultResolver, or a zone.Zone)")
	}
	res := &Result{Domain: name}
	mxs, err := c.Resolver.LookupMX(ctx, name)
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindOK:
	case domainauth.ErrorKindNotFound:
		c.implicit(ctx, res)
		return res, nil
	default:
		res.State, res.Err = StateUnknown, fmt.Errorf("mx: %w", domainauth.WrapDNSError(ctx, err))
		res.Findings = append(res.Findings, Finding{Code: FindingLookupFailed, Severity: SeverityWarning,
			Message: "MX lookup failed: " + err.Error() + "; check again later (senders queue and retry, RFC 5321 §5.1)", Where: name})
		return res, nil
	}
	if len(mxs) == 0 {
		c.implicit(ctx, res)
		return res, nil
	}
	for _, m := range mxs {
		if m == nil {
			continue
		}
		res.Hosts = append(res.Hosts, Host{Preference: m.Pref, Name: dnsname.Canonical(m.Host)})
	}
	slices.SortStableFunc(res.Hosts, func(a, b Host) int {
		if a.Preference != b.Preference {
			return int(a.Preference) - int(b.Preference)
		}
		return strings.Compare(a.Name, b.Name)
	})
	nulls := 0
	for _, h := range res.Hosts {
		if h.Name == "" {
			nulls++
		}
	}
	switch {
	case nulls > 0 && len(res.Hosts) == nulls && nulls == 1:
		res.State = StateNull
		h := res.Hosts[0]
		res.Findings = append(res.Findings, Finding{Code: FindingNull, Severity: SeverityInfo,
			Message: "null MX: the domain accepts no mail", Where: name, RFC: "RFC 7505 §3"})
		if h.Preference != 0 {
			res.Findings = append(res.Findings, Finding{Code: FindingNullPreference, Severity: SeverityWarning,
				Message: fmt.Sprintf("null MX has preference %d; publish it as \"0 .\"", h.Preference), Where: name, RFC: "RFC 7505 §3"})
		}
		return res, nil
	case nulls > 0:
		res.State = StateNullMixed
		res.Findings = append(res.Findings, Finding{Code: FindingNullMixed, Severity: SeverityError,
			Message: "a null MX must be the only MX record of its domain; remove either the null MX or the others", Where: name, RFC: "RFC 7505 §3"})
	default:
		res.State = StateExplicit
	}
	c.examine(ctx, res)
	return res, nil
}

// implicit handles a domain without MX records (RFC 5321 §5.1).
func (c *Checker) implicit(ctx context.Context, res *Result) {
	addrs, err := c.Resolver.LookupNetIP(ctx, "ip", res.Domain)
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindOK:
		if len(addrs) > 0 {
			res.State, res.Implicit = StateImplicit, addrs
			res.Findings = append(res.Findings, Finding{Code: FindingImplicit, Severity: SeverityWarning,
				Message: "no MX record; mail is delivered to the domain's own address records; publish an MX naming the mail host (or a null MX if it receives no mail)", Where: res.Domain, RFC: "RFC 5321 §5.1"})
			return
		}
		fallthrough
	case domainauth.ErrorKindNotFound:
		// RFC 5321 §5.1: a non-existent domain, or an implicit MX that is
		// unusable, MUST be reported as an error.
		res.State = StateNone
		res.Findings = append(res.Findings, Finding{Code: FindingNone, Severity: SeverityError,
			Message: "no MX and no address record: the domain cannot receive mail", Where: res.Domain, RFC: "RFC 5321 §5.1"})
	default:
		res.State, res.Err = StateUnknown, fmt.Errorf("mx: %w", domainauth.WrapDNSError(ctx, err))
		res.Findings = append(res.Findings, Finding{Code: FindingLookupFailed, Severity: SeverityWarning,
			Message: "address lookup for implicit MX failed: " + err.Error() + "; check again later", Where: res.Domain})
	}
}

// examine checks every non-null target.
func (c *Checker) examine(ctx context.Context, res *Result) {
	cr, hasCNAME := c.Resolver.(domainauth.CNAMEResolver)
	seen := make(map[string]bool, len(res.Hosts))
	checked := 0
	for i := range res.Hosts {
		h := &res.Hosts[i]
		if h.Name == "" {
			continue
		}
		if seen[h.Name] {
			h.Duplicate = true
			res.Findings = append(res.Findings, Finding{Code: FindingDuplicate, Severity: SeverityWarning,
				Message: "MX target listed more than once; delete the duplicate record", Where: h.Name})
			continue
		}
		seen[h.Name] = true
		// An address, bare or as an RFC 5321 §4.1.3 address literal
		// ("[192.0.2.1]", "[IPv6:2001:db8::1]").
		lit := strings.TrimPrefix(strings.Trim(h.Name, "[]"), "ipv6:")
		if _, err := netip.ParseAddr(lit); err == nil {
			h.IPLiteral = true
			res.Findings = append(res.Findings, Finding{Code: FindingIPLiteral, Severity: SeverityError,
				Message: "MX target is an IP address, not a host name; name a host with A/AAAA records instead", Where: h.Name, RFC: "RFC 1035 §3.3.9"})
			continue
		}
		if checked == c.maxHosts() {
			res.Findings = append(res.Findings, Finding{Code: FindingTooManyHosts, Severity: SeverityWarning,
				Message: fmt.Sprintf("more than %d MX targets; the rest were not checked (raise Checker.MaxHosts to check them)", c.maxHosts()), Where: res.Domain})
			return
		}
		checked++
		if hasCNAME {
			target, err := cr.LookupCNAMETarget(ctx, h.Name)
			switch domainauth.Classify(ctx, err) {
			case domainauth.ErrorKindOK:
				h.CNAME, h.Alias = AnswerYes, dnsname.Canonical(target)
				res.Findings = append(res.Findings, CNAMETargetFinding(h.Name, h.Alias))
			case domainauth.ErrorKindNotFound:
				h.CNAME = AnswerNo
			}
		}
		addrs, err := c.Resolver.LookupNetIP(ctx, "ip", h.Name)
		switch domainauth.Classify(ctx, err) {
		case domainauth.ErrorKindOK:
			h.Addrs = addrs
			h.Resolves = AnswerNo
			if len(addrs) > 0 {
				h.Resolves = AnswerYes
			} else {
				res.Findings = append(res.Findings, unresolvable(h.Name))
			}
		case domainauth.ErrorKindNotFound:
			h.Resolves = AnswerNo
			res.Findings = append(res.Findings, unresolvable(h.Name))
		default:
			res.Findings = append(res.Findings, Finding{Code: FindingTargetLookupFailed, Severity: SeverityWarning,
				Message: "address lookup failed: " + err.Error() + "; check again later", Where: h.Name})
		}
	}
	if !hasCNAME && checked > 0 {
		res.Findings = append(res.Findings, Finding{Code: FindingCNAMEUnknown, Severity: SeverityInfo,
			Message: "the resolver cannot tell whether MX targets are aliases (use one with domainauth.CNAMEResolver, such as a zone.Zone, to check)", Where: res.Domain, RFC: "RFC 2181 §10.3"})
	}
}

func unresolvable(name string) Finding {
	return Finding{Code: FindingUnresolvable, Severity: SeverityError,
		Message: "MX target has no A or AAAA record", Where: name, RFC: "RFC 5321 §5.1"}
}

// CNAMETargetFinding is the finding that the MX target host is an alias
// (a CNAME) for alias (RFC 2181 §10.3). Check reports it through a
// domainauth.CNAMEResolver; a tool that reads a zone's records itself (such
// as a zone-file check) reports it with this function, so the defect carries
// mx's code there too.
func CNAMETargetFinding(host, alias string) Finding {
	return Finding{Code: FindingCNAMETarget, Severity: SeverityError, Where: host, RFC: "RFC 2181 §10.3",
		Message: "MX target is an alias for " + alias + "; name " + alias + " (or the host it ends at) in the MX instead"}
}

// MailFromResult is the outcome of CheckMailFrom.
type MailFromResult struct {
	Domain   string
	MX       *Result  // the MX check of Domain
	SPF      []string // the SPF records found at Domain (TXT starting "v=spf1")
	Findings []Finding
}

// Suitable reports whether no finding of the MAIL FROM check (the MX
// findings included) has Severity Error.
func (r *MailFromResult) Suitable() bool { return !hasSeverity(r.Findings, SeverityError) }

// CheckMailFrom checks whether domain is fit to be an envelope sender
// (MAIL FROM) domain: it must be able to receive bounces (an MX; an implicit
// MX is a warning, a null MX or none an error) and publish exactly one SPF
// record that parses. Findings include those of the MX check; the SPF
// record's defects are reported with spf's codes (spf.SelectRecord), as the
// SPF lint reports them, with spf.no-record raised to an Error.
func (c *Checker) CheckMailFrom(ctx context.Context, domain string) (*MailFromResult, error) {
	mxr, err := c.Check(ctx, domain)
	if err != nil {
		return nil, err
	}
	res := &MailFromResult{Domain: mxr.Domain, MX: mxr}
	for _, f := range mxr.Findings {
		if f.Code == FindingNone || f.Code == FindingImplicit || f.Code == FindingNull {
			continue // restated below from the envelope sender's point of view
		}
		res.Findings = append(res.Findings, f)
	}
	switch mxr.State {
	case StateNone:
		res.Findings = append(res.Findings, Finding{Code: FindingMailFromNoMX, Severity: SeverityError,
			Message: "envelope-sender domain has no MX: bounces cannot be delivered; publish an MX for it", Where: mxr.Domain, RFC: "RFC 5321 §6.1"})
	case StateImplicit:
		res.Findings = append(res.Findings, Finding{Code: FindingMailFromImplicitMX, Severity: SeverityWarning,
			Message: "envelope-sender domain has no MX; bounces rely on its address records; publish an MX for it", Where: mxr.Domain, RFC: "RFC 5321 §5.1"})
	case StateNull:
		res.Findings = append(res.Findings, Finding{Code: FindingMailFromNullMX, Severity: SeverityError,
			Message: "envelope-sender domain publishes a null MX and refuses its own bounces; replace it with an MX that receives them, or send from another domain", Where: mxr.Domain, RFC: "RFC 7505 §4.2"})
	}
	txts, err := c.Resolver.LookupTXT(ctx, mxr.Domain)
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindOK, domainauth.ErrorKindNotFound:
		for _, t := range txts {
			if IsSPF(t) {
				res.SPF = append(res.SPF, t)
			}
		}
		// The SPF record is spf's subject: its defects carry spf's codes.
		// Without one, an envelope sender's mail gets SPF none, which is
		// an error here, where it is a warning for a domain in general.
		if _, f := spf.SelectRecord(mxr.Domain, txts); f != nil {
			if f.Code == spf.FindingNoRecord {
				f.Severity = SeverityError
			}
			res.Findings = append(res.Findings, *f)
		}
	default:
		res.Findings = append(res.Findings, Finding{Code: FindingMailFromSPFLookupFailed, Severity: SeverityWarning,
			Message: "TXT lookup failed: " + err.Error() + "; check again later", Where: mxr.Domain})
	}
	return res, nil
}

// IsSPF reports whether a TXT record is an SPF record: "v=spf1" followed by
// a space or the end, case-insensitive (RFC 7208 §4.5). It is spf.IsSPF.
func IsSPF(txt string) bool { return spf.IsSPF(txt) }
