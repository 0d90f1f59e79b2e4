package tlsrpt

import (
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/sat"
)

// Summary adds SMTP TLS reports up. The zero Summary is ready to use; it is
// not safe for concurrent use (build one per goroutine and Merge them).
type Summary struct {
	Reports int           `json:"reports"`
	Total   SessionCounts `json:"total"`
	// ByPolicyDomain is keyed by policy-domain (lower case).
	ByPolicyDomain map[string]*SessionCounts `json:"by_policy_domain,omitempty"`
	// ByMXHost counts failed sessions per receiving-mx-hostname (lower
	// case, no trailing dot; "" when the report names none, as for a
	// policy fetch failure).
	ByMXHost map[string]uint64 `json:"by_mx_host,omitempty"`
	// ByResultType counts failed sessions per result-type.
	ByResultType map[ResultType]uint64 `json:"by_result_type,omitempty"`
	// ByDay is keyed by the UTC date of the report's start-datetime
	// ("2016-04-01"; "" when it has none): RFC 8460 §4.1 reports cover
	// one UTC day.
	ByDay map[string]*SessionCounts `json:"by_day,omitempty"`
	// ByOrganization is keyed by organization-name.
	ByOrganization map[string]*SessionCounts `json:"by_organization,omitempty"`
	// Unverified counts the reports added that arrived by email without a
	// valid signature by the reporting domain (Report.Verified).
	Unverified int `json:"unverified,omitempty"`
	// BySignature counts the reports added that arrived by email, per DKIM
	// verdict (EmailInfo.Signature as a word: "pass", "fail", "temperror",
	// or "unverified" when no check was made).
	BySignature map[string]int `json:"by_signature,omitempty"`
}

func (c *SessionCounts) add(o SessionCounts) {
	c.Successful = sat.Add(c.Successful, o.Successful)
	c.Failure = sat.Add(c.Failure, o.Failure)
}

func bucket[K comparable](m *map[K]*SessionCounts, k K) *SessionCounts {
	if *m == nil {
		*m = map[K]*SessionCounts{}
	}
	c := (*m)[k]
	if c == nil {
		c = &SessionCounts{}
		(*m)[k] = c
	}
	return c
}

// Add adds one report. Counts saturate at 2^64-1.
func (s *Summary) Add(r *Report) {
	s.Reports++
	if !r.Verified() {
		s.Unverified++
	}
	if r.Email != nil {
		if s.BySignature == nil {
			s.BySignature = map[string]int{}
		}
		s.BySignature[r.Email.Signature.String()]++
	}
	day := ""
	if !r.DateRange.Start.IsZero() {
		day = r.DateRange.Start.UTC().Format("2006-01-02")
	}
	var total SessionCounts
	for _, p := range r.Policies {
		total.add(p.Summary)
		bucket(&s.ByPolicyDomain, dnsname.Canonical(p.Policy.Domain)).add(p.Summary)
		for _, d := range p.FailureDetails {
			sat.AddTo(&s.ByMXHost, dnsname.Canonical(d.ReceivingMXHostname), d.FailedSessionCount)
			sat.AddTo(&s.ByResultType, d.ResultType, d.FailedSessionCount)
		}
	}
	s.Total.add(total)
	bucket(&s.ByDay, day).add(total)
	bucket(&s.ByOrganization, r.OrganizationName).add(total)
}

// Merge adds the reports of o (not changed) to s: adding reports to two
// summaries and merging them equals adding them all to one.
func (s *Summary) Merge(o *Summary) {
	s.Reports += o.Reports
	s.Unverified += o.Unverified
	s.Total.add(o.Total)
	for _, p := range []struct{ dst, src *map[string]*SessionCounts }{
		{&s.ByPolicyDomain, &o.ByPolicyDomain}, {&s.ByDay, &o.ByDay}, {&s.ByOrganization, &o.ByOrganization},
	} {
		for k, c := range *p.src {
			bucket(p.dst, k).add(*c)
		}
	}
	for k, n := range o.BySignature {
		if s.BySignature == nil {
			s.BySignature = map[string]int{}
		}
		s.BySignature[k] += n
	}
	for k, n := range o.ByMXHost {
		sat.AddTo(&s.ByMXHost, k, n)
	}
	for k, n := range o.ByResultType {
		sat.AddTo(&s.ByResultType, k, n)
	}
}
