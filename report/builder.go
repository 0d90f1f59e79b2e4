package report

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// Evaluation is what a receiver knows about one message (or Count identical
// messages) after evaluating DMARC: the connecting IP, the identifiers, the
// disposition applied, the DMARC-aligned verdicts and the raw DKIM and SPF
// results. It mirrors what the dmarc package's evaluation result carries, so
// that a receiver converts one into the other field by field.
type Evaluation struct {
	SourceIP     netip.Addr
	HeaderFrom   string // RFC 5322.From domain
	EnvelopeFrom string // RFC 5321.MailFrom domain ("" for the null sender)
	EnvelopeTo   string // optional
	Disposition  Disposition
	DKIM         DMARCResult // DMARC-aligned DKIM verdict
	SPF          DMARCResult // DMARC-aligned SPF verdict
	Reasons      []PolicyOverrideReason
	DKIMResults  []DKIMAuthResult
	SPFResults   []SPFAuthResult
	// Count is the number of messages; 0 means 1.
	Count uint64
}

// Builder groups evaluations into the records of one report: evaluations
// with the same IP, identifiers, verdicts and results become one record whose
// count is their sum (RFC 9990 §3.1.1.7: one record per (IP, result,
// identifiers) tuple). Domains are compared and stored lower-cased. An
// evaluation that fails DMARC with a disposition other than the published
// policy's, and gives no reason, gets one, as RFC 9990 §3.1.1.9 requires:
// policy_test_mode when the policy has t=y, sampled_out when pct is below
// 100, otherwise other with a comment naming both dispositions. The zero
// Builder is usable once Metadata and Policy are set; it is not safe for
// concurrent use.
type Builder struct {
	Metadata Metadata
	Policy   PolicyPublished
	// MaxDKIMResults bounds the DKIM results kept per record: RFC 9990
	// §3.1.3 says a report SHOULD contain no more than 100 signatures for
	// a row, in decreasing priority (passing and strictly aligned with the
	// header From domain, passing and relaxed-aligned, other passing
	// signatures, then the rest). If zero, 100; negative, no limit.
	// Relaxed alignment is approximated without a public suffix list: one
	// domain is the other or a subdomain of it.
	MaxDKIMResults int

	index   map[string]int
	records []Record
	key     []byte
}

// Add accounts for one evaluation.
func (b *Builder) Add(e Evaluation) {
	if b.index == nil {
		b.index = make(map[string]int)
	}
	r := Record{
		Row: Row{SourceIP: e.SourceIP.WithZone(""), Count: max(e.Count, 1), PolicyEvaluated: PolicyEvaluated{
			Disposition: e.Disposition, DKIM: e.DKIM, SPF: e.SPF, Reasons: slices.Clone(e.Reasons),
		}},
		Identifiers: Identifiers{
			HeaderFrom:   dnsname.Canonical(e.HeaderFrom),
			EnvelopeFrom: dnsname.Canonical(e.EnvelopeFrom),
			EnvelopeTo:   dnsname.Canonical(e.EnvelopeTo),
		},
	}
	if len(r.Row.PolicyEvaluated.Reasons) == 0 {
		if rs, ok := b.missingReason(&r); ok {
			r.Row.PolicyEvaluated.Reasons = []PolicyOverrideReason{rs}
		}
	}
	for _, d := range e.DKIMResults {
		d.Domain = dnsname.Canonical(d.Domain)
		r.AuthResults.DKIM = append(r.AuthResults.DKIM, d)
	}
	for _, s := range e.SPFResults {
		s.Domain = dnsname.Canonical(s.Domain)
		r.AuthResults.SPF = append(r.AuthResults.SPF, s)
	}
	slices.SortFunc(r.AuthResults.DKIM, func(x, y DKIMAuthResult) int {
		return cmp.Or(strings.Compare(x.Domain, y.Domain), strings.Compare(x.Selector, y.Selector),
			strings.Compare(string(x.Result), string(y.Result)), strings.Compare(x.HumanResult, y.HumanResult))
	})
	// RFC 9990 §3.1.3: priority order, at most MaxDKIMResults. The
	// stable sort keeps the canonical order within a tier, so that equal
	// evaluations still group.
	slices.SortStableFunc(r.AuthResults.DKIM, func(x, y DKIMAuthResult) int {
		return cmp.Compare(dkimTier(x, r.Identifiers.HeaderFrom), dkimTier(y, r.Identifiers.HeaderFrom))
	})
	if limit := cmp.Or(b.MaxDKIMResults, 100); limit > 0 && len(r.AuthResults.DKIM) > limit {
		r.AuthResults.DKIM = r.AuthResults.DKIM[:limit]
	}
	k := b.recordKey(&r)
	if i, ok := b.index[string(k)]; ok {
		b.records[i].Row.Count += r.Row.Count
		return
	}
	b.index[string(k)] = len(b.records)
	b.records = append(b.records, r)
}

func (b *Builder) recordKey(r *Record) []byte {
	k := b.key[:0]
	add := func(s string) { k = append(k, s...); k = append(k, 0) }
	k = r.Row.SourceIP.AppendTo(k)
	k = append(k, 0)
	pe := &r.Row.PolicyEvaluated
	add(string(pe.Disposition))
	add(string(pe.DKIM))
	add(string(pe.SPF))
	for _, rs := range pe.Reasons {
		add("r")
		add(string(rs.Type))
		add(rs.Comment)
	}
	add(r.Identifiers.HeaderFrom)
	add(r.Identifiers.EnvelopeFrom)
	add(r.Identifiers.EnvelopeTo)
	for _, d := range r.AuthResults.DKIM {
		add("d")
		add(d.Domain)
		add(d.Selector)
		add(string(d.Result))
		add(d.HumanResult)
	}
	for _, s := range r.AuthResults.SPF {
		add("s")
		add(s.Domain)
		add(string(s.Scope))
		add(string(s.Result))
		add(s.HumanResult)
	}
	b.key = k
	return k
}

// missingReason supplies the reason RFC 9990 §3.1.1.9 requires ("If
// alignment fails and the policy applied does not match the DMARC Policy
// Domain's configured policy, the reason element MUST be included") when
// the evaluation gave none: policy_test_mode if the policy has t=y,
// sampled_out if pct is below 100, otherwise other with a comment naming
// both dispositions. The configured policy is p for the policy domain and
// sp (or p) for another header From domain; np is accepted too there,
// since the builder cannot tell whether that domain exists.
func (b *Builder) missingReason(r *Record) (PolicyOverrideReason, bool) {
	pe := &r.Row.PolicyEvaluated
	p := b.Policy.P.Canonical()
	if p == "" || pe.DKIM.Canonical() == DMARCResultPass || pe.SPF.Canonical() == DMARCResultPass {
		return PolicyOverrideReason{}, false
	}
	applied := pe.Disposition.Canonical()
	if applied == "" {
		applied = DispositionNone
	}
	configured := []Disposition{p}
	if hf := r.Identifiers.HeaderFrom; hf != "" && !dnsname.Equal(hf, b.Policy.Domain) {
		if sp := b.Policy.SP.Canonical(); sp != "" {
			configured[0] = sp
		}
		if np := b.Policy.NP.Canonical(); np != "" {
			configured = append(configured, np)
		}
	}
	if slices.Contains(configured, applied) {
		return PolicyOverrideReason{}, false
	}
	switch {
	case b.Policy.Testing.Canonical() == TestingYes:
		return PolicyOverrideReason{Type: OverrideTypePolicyTestMode}, true
	case b.Policy.PCT != nil && *b.Policy.PCT < 100:
		return PolicyOverrideReason{Type: OverrideTypeSampledOut}, true
	}
	return PolicyOverrideReason{Type: OverrideTypeOther,
		Comment: "disposition " + string(applied) + " differs from the published policy " + string(configured[0])}, true
}

// Len returns the number of records so far.
func (b *Builder) Len() int { return len(b.records) }

// Aggregate returns the report: the builder's metadata and policy and one
// record per group, in the order groups first appeared. The builder can go
// on accumulating; the result does not share records with it.
func (b *Builder) Aggregate() *Aggregate {
	a := &Aggregate{Metadata: b.Metadata, Policy: b.Policy, Records: make([]Record, len(b.records))}
	a.Metadata.Errors = slices.Clone(a.Metadata.Errors)
	for i, r := range b.records {
		r.Row.PolicyEvaluated.Reasons = slices.Clone(r.Row.PolicyEvaluated.Reasons)
		r.AuthResults.DKIM = slices.Clone(r.AuthResults.DKIM)
		r.AuthResults.SPF = slices.Clone(r.AuthResults.SPF)
		a.Records[i] = r
	}
	return a
}

// dkimTier ranks a DKIM result for RFC 9990 §3.1.3: 0 pass and strictly
// aligned, 1 pass and (approximately) relaxed-aligned, 2 other passes,
// 3 the rest.
func dkimTier(d DKIMAuthResult, headerFrom string) int {
	switch {
	case d.Result.Canonical() != DKIMResultPass:
		return 3
	case d.Domain == "" || headerFrom == "":
		return 2
	case d.Domain == headerFrom:
		return 0
	case dnsname.IsSubdomain(d.Domain, headerFrom) || dnsname.IsSubdomain(headerFrom, d.Domain):
		return 1
	}
	return 2
}
