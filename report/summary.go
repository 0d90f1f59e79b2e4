package report

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/sat"
)

// Counts are message counts (sums of <count>) by outcome.
type Counts struct {
	Messages uint64 `json:"messages"`
	// DMARCPass counts messages for which the aligned DKIM or the aligned
	// SPF verdict is pass (RFC 7489 §6.6.2).
	DMARCPass   uint64 `json:"dmarc_pass"`
	DMARCFail   uint64 `json:"dmarc_fail"`
	DKIMAligned uint64 `json:"dkim_aligned"` // policy_evaluated/dkim = pass
	SPFAligned  uint64 `json:"spf_aligned"`  // policy_evaluated/spf = pass
	Quarantined uint64 `json:"quarantined"`  // disposition quarantine
	Rejected    uint64 `json:"rejected"`     // disposition reject
}

// Add adds o, each count saturating at math.MaxUint64 (so a part never
// exceeds Messages and a rate never exceeds 1).
func (c *Counts) Add(o Counts) {
	c.Messages = sat.Add(c.Messages, o.Messages)
	c.DMARCPass = sat.Add(c.DMARCPass, o.DMARCPass)
	c.DMARCFail = sat.Add(c.DMARCFail, o.DMARCFail)
	c.DKIMAligned = sat.Add(c.DKIMAligned, o.DKIMAligned)
	c.SPFAligned = sat.Add(c.SPFAligned, o.SPFAligned)
	c.Quarantined = sat.Add(c.Quarantined, o.Quarantined)
	c.Rejected = sat.Add(c.Rejected, o.Rejected)
}

// Rate returns part/Messages, 0 when there are no messages.
func (c Counts) Rate(part uint64) float64 {
	if c.Messages == 0 {
		return 0
	}
	return float64(part) / float64(c.Messages)
}

func recordCounts(r *Record) Counts {
	n := r.Row.Count
	pe := &r.Row.PolicyEvaluated
	c := Counts{Messages: n}
	dk := pe.DKIM.Canonical() == DMARCResultPass
	sp := pe.SPF.Canonical() == DMARCResultPass
	if dk {
		c.DKIMAligned = n
	}
	if sp {
		c.SPFAligned = n
	}
	if dk || sp {
		c.DMARCPass = n
	} else {
		c.DMARCFail = n
	}
	switch pe.Disposition.Canonical() {
	case DispositionQuarantine:
		c.Quarantined = n
	case DispositionReject:
		c.Rejected = n
	}
	return c
}

// Summary condenses any number of reports. Summaries merge: Merge is
// associative and commutative, so reports can be summarised in parallel
// (one Summary per worker) and combined in any grouping with the same
// result. A report added twice (the same ReportIdentity) is counted once
// by Add and AddStream; when two merged summaries both counted it, Merge
// cannot take it out again and only lists it in Duplicates, so reports
// that may repeat are best added to one Summary. The zero Summary is empty
// and ready to use.
type Summary struct {
	Reports int    `json:"reports"`
	Total   Counts `json:"total"`
	// ByOrg is keyed by <org_name>.
	ByOrg map[string]*Counts `json:"by_org,omitempty"`
	// BySourceIP is keyed by the source address ("" when unparseable).
	BySourceIP map[string]*Counts `json:"by_source_ip,omitempty"`
	// ByHeaderFrom is keyed by the lower-cased header From domain.
	ByHeaderFrom map[string]*Counts `json:"by_header_from,omitempty"`
	// ByDay is keyed by UTC date (2006-01-02). A report's window that
	// spans several days is split over them in proportion to the seconds
	// of the window in each day, with exact integer rounding so that the
	// days add up to the report's counts (the RFCs do not say where in the
	// window messages arrived; uniform is the least surprising guess).
	// Windows longer than MaxSplitDays are counted on their end day.
	ByDay map[string]*Counts `json:"by_day,omitempty"`
	// Evidence accumulates what the diagnoses rest on, sorted by code,
	// domain and detail; Diagnoses renders it. (Its JSON key stays
	// "findings", the name summaries were stored under.)
	Evidence []Evidence `json:"findings,omitempty"`
	// Failures counts the failure reports added with AddFailure; Reports
	// and the tables above count aggregate reports only.
	Failures FailureCounts `json:"failures,omitzero"`

	// BySender is keyed by the name of the provider each record is
	// attributed to (see SenderMap for the rules; "" when none matches).
	BySender map[string]*Counts `json:"by_sender,omitempty"`
	// SourceNames are the forward-confirmed reverse-DNS names of source
	// addresses, set by Enrich; records added afterwards use them too.
	SourceNames map[string][]string `json:"source_names,omitempty"`
	// Selectors lists, per DKIM signing domain (lower case), the
	// selectors the reports name (aggregate reports' DKIM results and
	// failure reports' DKIM-Domain and DKIM-Selector), sorted; at most
	// MaxSelectors each.
	Selectors map[string][]string `json:"dkim_selectors,omitempty"`
	// Duplicates counts the reports not counted because one with the same
	// identity (ReportIdentity) had been; DuplicateReports lists the first
	// MaxDuplicatesListed of them.
	Duplicates       int              `json:"duplicates,omitempty"`
	DuplicateReports []ReportIdentity `json:"duplicate_reports,omitempty"`

	// Senders names providers; nil means DefaultSenders().
	Senders *SenderMap `json:"-"`

	idx    map[ekey]int // index in Evidence
	sorted int          // Evidence[:sorted] are in order; the rest were appended since
	// bySourceSender keeps the counts per source IP and provider matched
	// by domain ("" for none), so that Enrich can attribute again.
	bySourceSender map[sourceSender]Counts
	seen           map[ReportIdentity]struct{}
	seenFailures   map[[sha256.Size]byte]struct{} // Failure.Identity of the failure reports added
}

// sourceSender is a source IP and the provider its record's domains name.
type sourceSender struct{ ip, sender string }

// MaxSelectors bounds Summary.Selectors per domain.
const MaxSelectors = 32

// MaxDuplicatesListed bounds Summary.DuplicateReports.
const MaxDuplicatesListed = 100

// ReportIdentity identifies a report: a report re-sent, or stored twice,
// has the same one (RFC 9990 §3.5.2: the file name and Report-ID stay the
// same). It is the key a report store uses.
type ReportIdentity struct {
	OrgName      string `json:"org_name"`
	ReportID     string `json:"report_id"`
	PolicyDomain string `json:"policy_domain"`
	Begin        int64  `json:"begin"` // seconds since the epoch
	End          int64  `json:"end"`
}

// Identity returns the report's identity.
func (a *Aggregate) Identity() ReportIdentity {
	return identity(&a.Metadata, &a.Policy)
}

func identity(m *Metadata, p *PolicyPublished) ReportIdentity {
	return ReportIdentity{OrgName: m.OrgName, ReportID: m.ReportID, PolicyDomain: dnsname.Canonical(p.Domain),
		Begin: m.DateRange.Begin.Unix(), End: m.DateRange.End.Unix()}
}

// duplicate records id and reports whether it was seen before.
func (s *Summary) duplicate(id ReportIdentity) bool {
	if _, ok := s.seen[id]; ok {
		s.Duplicates++
		if len(s.DuplicateReports) < MaxDuplicatesListed {
			s.DuplicateReports = append(s.DuplicateReports, id)
		}
		return true
	}
	if s.seen == nil {
		s.seen = make(map[ReportIdentity]struct{})
	}
	s.seen[id] = struct{}{}
	return false
}

func (s *Summary) senders() *SenderMap {
	if s.Senders != nil {
		return s.Senders
	}
	return DefaultSenders()
}

// MaxSplitDays bounds how many days one report's window is split over.
const MaxSplitDays = 62

// Evidence is what one diagnosis about one header From domain rests on,
// accumulated over reports. Diagnoses turns it into a Diagnosis, the
// report's finding.
type Evidence struct {
	Code       string `json:"code"`
	HeaderFrom string `json:"header_from"`
	// Detail is the other domain involved: the ESP's envelope or signing
	// domain, or the unaligned domain that passed.
	Detail   string `json:"detail,omitempty"`
	Messages uint64 `json:"messages"`
	// SourceIPs is a sample: the smallest addresses seen, at most
	// MaxSampleIPs (a deterministic choice, so merging stays associative).
	SourceIPs []string `json:"source_ips,omitempty"`
}

// MaxSampleIPs bounds Evidence.SourceIPs.
const MaxSampleIPs = 5

// Summarize returns the summary of one report.
func Summarize(a *Aggregate) *Summary {
	s := &Summary{}
	s.Add(a)
	return s
}

func bucket(m *map[string]*Counts, k string) *Counts {
	if *m == nil {
		*m = make(map[string]*Counts)
	}
	c := (*m)[k]
	if c == nil {
		c = &Counts{}
		(*m)[k] = c
	}
	return c
}

// Add accounts for one more report; a report whose identity was added
// before is not counted again (see Duplicates).
func (s *Summary) Add(a *Aggregate) {
	if s.duplicate(a.Identity()) {
		return
	}
	var total Counts
	for i := range a.Records {
		total.Add(s.addRecord(&a.Records[i]))
	}
	s.addReport(&a.Metadata, total)
}

// AddStream accounts for one more report read record by record from st,
// to its end: the report's records are never all in memory, and the
// result equals Add of the whole report. On an error nothing is added and
// the error is returned.
func (s *Summary) AddStream(st *Stream) error {
	t := &Summary{Senders: s.Senders, SourceNames: s.SourceNames}
	var total Counts
	for r, err := range st.All() {
		if err != nil {
			return err
		}
		total.Add(t.addRecord(&r))
	}
	// Only a report read to its end is counted, or found a duplicate.
	h := st.Header()
	if s.duplicate(identity(&h.Metadata, &h.Policy)) {
		return nil
	}
	t.addReport(&h.Metadata, total)
	t.SourceNames = nil // s's own, not to be merged into itself
	s.Merge(t)
	return nil
}

// addRecord accounts for one record and returns its counts.
func (s *Summary) addRecord(r *Record) Counts {
	c := recordCounts(r)
	ip := ""
	if r.Row.SourceIP.IsValid() {
		ip = r.Row.SourceIP.String()
	}
	bucket(&s.BySourceIP, ip).Add(c)
	hf := dnsname.Canonical(r.Identifiers.HeaderFrom)
	bucket(&s.ByHeaderFrom, hf).Add(c)
	pc := providers{m: s.senders()}
	byDomain := senderByDomain(r, &pc)
	s.addSourceSender(sourceSender{ip, byDomain}, c)
	bucket(&s.BySender, s.attribute(ip, byDomain)).Add(c)
	for _, d := range r.AuthResults.DKIM {
		s.addSelector(d.Domain, d.Selector)
	}
	s.diagnose(r, hf, ip, &pc)
	return c
}

// providers looks up the providers of one record's domains in the sender
// map, each domain once: the attribution (senderByDomain) and the
// diagnosis (diagnose) ask about the same passing DKIM and SPF domains,
// and the envelope sender is usually the passing SPF domain.
type providers struct {
	m    *SenderMap
	n    int
	seen [4]struct {
		domain string // canonical
		p      *Sender
	}
}

// byDomain is m.ByDomain(domain), from memory when domain was asked
// before. The first four domains of a record are remembered, which covers
// any ordinary record; the rest are looked up each time.
func (pc *providers) byDomain(domain string) *Sender {
	domain = dnsname.Canonical(domain)
	for _, e := range pc.seen[:pc.n] {
		if e.domain == domain {
			return e.p
		}
	}
	p := pc.m.ByDomain(domain)
	if pc.n < len(pc.seen) {
		pc.seen[pc.n].domain, pc.seen[pc.n].p = domain, p
		pc.n++
	}
	return p
}

func (s *Summary) addSourceSender(k sourceSender, c Counts) {
	if s.bySourceSender == nil {
		s.bySourceSender = make(map[sourceSender]Counts)
	}
	v := s.bySourceSender[k]
	v.Add(c)
	s.bySourceSender[k] = v
}

// senderByDomain is the provider of the first passing DKIM domain, else
// of the first passing SPF domain, that the sender map knows ("" for
// none).
func senderByDomain(r *Record, pc *providers) string {
	for _, d := range r.AuthResults.DKIM {
		if d.Result.Canonical() == DKIMResultPass {
			if p := pc.byDomain(d.Domain); p != nil {
				return p.Name
			}
		}
	}
	for _, sp := range r.AuthResults.SPF {
		if sp.Result.Canonical() == SPFResultPass {
			if p := pc.byDomain(sp.Domain); p != nil {
				return p.Name
			}
		}
	}
	return ""
}

// attribute names the provider of a record from ip: by the PTR names of
// ip when one matches, else byDomain.
func (s *Summary) attribute(ip, byDomain string) string {
	m := s.senders()
	for _, n := range s.SourceNames[ip] {
		if p := m.ByPTR(n); p != nil {
			return p.Name
		}
	}
	return byDomain
}

func (s *Summary) addSelector(domain, sel string) {
	if sel == "" || domain == "" {
		return
	}
	d := dnsname.Canonical(domain)
	if s.Selectors == nil {
		s.Selectors = make(map[string][]string)
	}
	list := s.Selectors[d]
	i, found := slices.BinarySearch(list, sel)
	if found || len(list) >= MaxSelectors {
		return
	}
	s.Selectors[d] = slices.Insert(list, i, sel)
}

// Enrich looks up the forward-confirmed reverse-DNS names of every source
// address through e, keeps them in SourceNames and attributes the records
// again, a matching PTR name first (see SenderMap). Addresses already named
// are not asked again. A Summary decoded from JSON has no per-source
// detail to attribute again: only SourceNames is filled in.
func (s *Summary) Enrich(ctx context.Context, e *Enricher) error {
	var addrs []netip.Addr
	for ip := range s.BySourceIP {
		if _, done := s.SourceNames[ip]; done {
			continue
		}
		if a, err := netip.ParseAddr(ip); err == nil {
			addrs = append(addrs, a)
		}
	}
	names, err := e.Names(ctx, addrs)
	for a, ns := range names {
		if s.SourceNames == nil {
			s.SourceNames = make(map[string][]string)
		}
		s.SourceNames[a.String()] = ns
	}
	if len(s.bySourceSender) == 0 {
		// A summary read back from JSON keeps no per-source detail:
		// its BySender stays as it was.
		return err
	}
	s.BySender = nil
	for k, c := range s.bySourceSender {
		bucket(&s.BySender, s.attribute(k.ip, k.sender)).Add(c)
	}
	return err
}

// addReport accounts for a report whose records added up to total.
func (s *Summary) addReport(m *Metadata, total Counts) {
	s.Reports++
	s.Total.Add(total)
	bucket(&s.ByOrg, m.OrgName).Add(total)
	for day, c := range splitDays(m.DateRange, total) {
		bucket(&s.ByDay, day).Add(c)
	}
	s.sortEvidence()
}

// Merge adds o into s.
func (s *Summary) Merge(o *Summary) {
	s.Reports += o.Reports
	s.Total.Add(o.Total)
	s.Failures.Merge(&o.Failures)
	for _, p := range []struct{ dst, src *map[string]*Counts }{
		{&s.ByOrg, &o.ByOrg}, {&s.BySourceIP, &o.BySourceIP}, {&s.ByHeaderFrom, &o.ByHeaderFrom}, {&s.ByDay, &o.ByDay},
		{&s.BySender, &o.BySender},
	} {
		for k, c := range *p.src {
			bucket(p.dst, k).Add(*c)
		}
	}
	for k, c := range o.bySourceSender {
		s.addSourceSender(k, c)
	}
	for ip, ns := range o.SourceNames {
		if _, ok := s.SourceNames[ip]; !ok {
			if s.SourceNames == nil {
				s.SourceNames = make(map[string][]string)
			}
			s.SourceNames[ip] = slices.Clone(ns)
		}
	}
	for d, sels := range o.Selectors {
		for _, sel := range sels {
			s.addSelector(d, sel)
		}
	}
	// A report both sides counted cannot be taken out again: it is only
	// listed as a duplicate.
	for id := range o.seen {
		s.duplicate(id)
	}
	for id := range o.seenFailures {
		s.duplicateFailure(id)
	}
	s.Duplicates += o.Duplicates
	for _, id := range o.DuplicateReports {
		if len(s.DuplicateReports) < MaxDuplicatesListed {
			s.DuplicateReports = append(s.DuplicateReports, id)
		}
	}
	for _, f := range o.Evidence {
		g := s.evidence(f.Code, f.HeaderFrom, f.Detail)
		g.Messages = sat.Add(g.Messages, f.Messages)
		for _, ip := range f.SourceIPs {
			g.addIP(ip)
		}
	}
	s.sortEvidence()
}

// evidence returns the accumulator for (code, hf, detail). A new one is
// appended unsorted; sortEvidence puts it in place once the caller's batch
// is done, so n new entries cost O(n log n), not a shift each.
func (s *Summary) evidence(code, hf, detail string) *Evidence {
	if s.idx == nil || len(s.idx) != len(s.Evidence) {
		s.reindex()
	}
	k := ekey{code, hf, detail}
	if i, ok := s.idx[k]; ok {
		return &s.Evidence[i]
	}
	s.idx[k] = len(s.Evidence)
	s.Evidence = append(s.Evidence, Evidence{Code: code, HeaderFrom: hf, Detail: detail})
	if s.sorted > len(s.Evidence)-1 {
		s.sorted = len(s.Evidence) - 1
	}
	return &s.Evidence[len(s.Evidence)-1]
}

// ekey identifies an Evidence.
type ekey struct{ code, hf, detail string }

func (s *Summary) reindex() {
	s.idx = make(map[ekey]int, len(s.Evidence))
	for i, f := range s.Evidence {
		s.idx[ekey{f.Code, f.HeaderFrom, f.Detail}] = i
	}
	s.sorted = len(s.Evidence)
	if !slices.IsSortedFunc(s.Evidence, compareEvidence) {
		s.sorted = 0
	}
}

func compareEvidence(a, b Evidence) int {
	return cmp.Or(strings.Compare(a.Code, b.Code), strings.Compare(a.HeaderFrom, b.HeaderFrom), strings.Compare(a.Detail, b.Detail))
}

// sortEvidence merges the entries appended since the last call into the
// sorted ones: O(n + k log k) for k new entries.
func (s *Summary) sortEvidence() {
	if s.sorted >= len(s.Evidence) {
		return
	}
	head, tail := s.Evidence[:s.sorted], slices.Clone(s.Evidence[s.sorted:])
	slices.SortFunc(tail, compareEvidence)
	out := make([]Evidence, 0, len(s.Evidence))
	i, j := 0, 0
	for i < len(head) && j < len(tail) {
		if compareEvidence(head[i], tail[j]) <= 0 {
			out = append(out, head[i])
			i++
		} else {
			out = append(out, tail[j])
			j++
		}
	}
	out = append(append(out, head[i:]...), tail[j:]...)
	s.Evidence = out
	for i, f := range out {
		s.idx[ekey{f.Code, f.HeaderFrom, f.Detail}] = i
	}
	s.sorted = len(out)
}

func (f *Evidence) addIP(ip string) {
	if ip == "" {
		return
	}
	i, found := slices.BinarySearchFunc(f.SourceIPs, ip, compareIP)
	if found {
		return
	}
	if len(f.SourceIPs) >= MaxSampleIPs && i >= MaxSampleIPs {
		return
	}
	f.SourceIPs = slices.Insert(f.SourceIPs, i, ip)
	if len(f.SourceIPs) > MaxSampleIPs {
		f.SourceIPs = f.SourceIPs[:MaxSampleIPs]
	}
}

func compareIP(a, b string) int {
	x, errx := netip.ParseAddr(a)
	y, erry := netip.ParseAddr(b)
	if errx == nil && erry == nil {
		return x.Compare(y)
	}
	return strings.Compare(a, b)
}

func (s *Summary) note(code, hf, detail, ip string, n uint64) {
	f := s.evidence(code, hf, detail)
	f.Messages = sat.Add(f.Messages, n)
	f.addIP(ip)
}

// splitDays spreads c over the UTC days of the window (see Summary.ByDay).
func splitDays(dr DateRange, c Counts) map[string]Counts {
	out := map[string]Counts{}
	b, e := dr.Begin.UTC(), dr.End.UTC()
	if b.IsZero() && e.IsZero() {
		out[""] = c
		return out
	}
	if b.IsZero() || !e.After(b) || e.Sub(b) > MaxSplitDays*24*time.Hour {
		day := e
		if e.IsZero() || e.Before(b) {
			day = b
		}
		out[day.Format(time.DateOnly)] = c
		return out
	}
	// The window is [begin, end]; RFC 7489 reports usually end at
	// 23:59:59, so the end second counts as part of its day.
	span := e.Sub(b).Seconds() + 1
	var prev Counts
	cum := 0.0
	for d := b.Truncate(24 * time.Hour); !d.After(e); d = d.Add(24 * time.Hour) {
		lo, hi := maxTime(d, b), minTime(d.Add(24*time.Hour), e.Add(time.Second))
		if !hi.After(lo) {
			continue
		}
		cum += hi.Sub(lo).Seconds()
		frac := cum / span
		upto := Counts{
			Messages: share(c.Messages, frac), DMARCPass: share(c.DMARCPass, frac), DMARCFail: share(c.DMARCFail, frac),
			DKIMAligned: share(c.DKIMAligned, frac), SPFAligned: share(c.SPFAligned, frac),
			Quarantined: share(c.Quarantined, frac), Rejected: share(c.Rejected, frac),
		}
		part := Counts{
			Messages: upto.Messages - prev.Messages, DMARCPass: upto.DMARCPass - prev.DMARCPass,
			DMARCFail: upto.DMARCFail - prev.DMARCFail, DKIMAligned: upto.DKIMAligned - prev.DKIMAligned,
			SPFAligned: upto.SPFAligned - prev.SPFAligned, Quarantined: upto.Quarantined - prev.Quarantined,
			Rejected: upto.Rejected - prev.Rejected,
		}
		prev = upto
		if part != (Counts{}) {
			out[d.Format(time.DateOnly)] = part
		}
	}
	return out
}

// share is round(n*frac), exact at frac 1 and never above n (float64(n)
// rounds up near math.MaxUint64, and converting a float64 beyond the range
// of uint64 is undefined).
func share(n uint64, frac float64) uint64 {
	if frac >= 1 {
		return n
	}
	v := float64(n)*frac + 0.5
	if v >= float64(n) {
		return n
	}
	return uint64(v)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// SourceCount is one source address with its counts.
type SourceCount struct {
	SourceIP string `json:"source_ip"`
	Counts
}

// TopFailing returns up to n source addresses with the most messages that
// failed DMARC, most first (ties by address).
func (s *Summary) TopFailing(n int) []SourceCount {
	var out []SourceCount
	for ip, c := range s.BySourceIP {
		if c.DMARCFail > 0 {
			out = append(out, SourceCount{SourceIP: ip, Counts: *c})
		}
	}
	slices.SortFunc(out, func(a, b SourceCount) int {
		return cmp.Or(cmp.Compare(b.DMARCFail, a.DMARCFail), compareIP(a.SourceIP, b.SourceIP))
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// Severity grades a Diagnosis; it is the module-wide domainauth.Severity.
type Severity = domainauth.Severity

// Diagnosis explains a pattern in the reports, with a stable Code to match
// on and advice: the report's finding, with the counts behind it.
// Diagnosis.Finding gives it as the module-wide domainauth.Finding.
type Diagnosis struct {
	Code       string   `json:"code"`
	Severity   Severity `json:"severity"`
	Message    string   `json:"message"`
	HeaderFrom string   `json:"header_from"`
	Detail     string   `json:"detail,omitempty"`
	Messages   uint64   `json:"messages"`
	SourceIPs  []string `json:"source_ips,omitempty"`
	RFC        string   `json:"rfc,omitempty"`
}

// Finding returns d as a domainauth.Finding, the form every package
// reports in: Where is the header From domain and, when there is one, the
// other domain involved; Message ends with the message count.
func (d Diagnosis) Finding() domainauth.Finding {
	where := d.HeaderFrom
	if d.Detail != "" {
		where += " (" + d.Detail + ")"
	}
	count := strconv.FormatUint(d.Messages, 10) + " messages"
	if d.Messages == 1 {
		count = "1 message"
	}
	return domainauth.Finding{Code: d.Code, Severity: d.Severity, Where: where, RFC: d.RFC,
		Message: d.Message + " [" + count + "]"}
}

// Diagnosis codes.
const (
	// FindingSPFESPEnvelope: SPF passes but does not align because the
	// envelope sender (MAIL FROM) is the ESP's own domain, for example
	// us-west-2.amazonses.com; a custom MAIL FROM domain under the From
	// domain fixes it.
	FindingSPFESPEnvelope = "report.spf-esp-envelope"
	// FindingDKIMESPOnly: DKIM passes only for the ESP's own signing domain
	// (d=amazonses.com), so DKIM does not align; the From domain needs its
	// own DKIM keys at the ESP (Easy DKIM or BYODKIM for SES).
	FindingDKIMESPOnly = "report.dkim-esp-only"
	// FindingDMARCReliesOnDKIM: messages pass DMARC through DKIM alone while
	// SPF is unaligned: one broken DKIM key away from failing.
	FindingDMARCReliesOnDKIM = "report.dmarc-relies-on-dkim"
	// FindingSPFUnaligned: SPF passes for a domain that does not align with
	// the From domain (not a known ESP).
	FindingSPFUnaligned = "report.spf-unaligned"
	// FindingDKIMUnaligned: a DKIM signature passes for a domain that does
	// not align with the From domain (not a known ESP).
	FindingDKIMUnaligned = "report.dkim-unaligned"
	// FindingUnauthenticated: messages with neither a passing DKIM signature
	// nor an SPF pass: spoofing, or a sender not yet set up.
	FindingUnauthenticated = "report.unauthenticated"
	// FindingForwarded: messages that failed DMARC but that the receiver let
	// through as forwarded: a policy override of type forwarded,
	// trusted_forwarder, mailing_list or local_policy, or one whose
	// comment says arc=pass (RFC 8617: the ARC chain vouched for the
	// original authentication). Forwarded, not spoofed; Detail is the
	// override type, or "arc=pass".
	FindingForwarded = "report.forwarded"
)

// forwardedBy returns why a record's override marks the message as
// forwarded, or "".
func forwardedBy(pe *PolicyEvaluated) string {
	why := ""
	for _, r := range pe.Reasons {
		if strings.Contains(strings.ToLower(r.Comment), "arc=pass") {
			return "arc=pass"
		}
		switch t := OverrideType(strings.ToLower(string(r.Type))); t {
		case OverrideTypeForwarded, OverrideTypeTrustedForwarder, OverrideTypeMailingList, OverrideTypeLocalPolicy:
			if why == "" {
				why = string(t)
			}
		}
	}
	return why
}

// ESP describes an email service provider's own domains, which show up in
// reports when a customer's domain is not fully set up.
type ESP struct {
	Name string
	// Domains are the ESP's bounce (MAIL FROM) and signing domains;
	// subdomains match.
	Domains []string
	// MailFromAdvice and DKIMAdvice complete the diagnosis messages.
	MailFromAdvice, DKIMAdvice string
}

// KnownESPs returns the providers of the default sender map that the ESP
// diagnoses (report.spf-esp-envelope, report.dkim-esp-only) recognise:
// those of category esp or platform.
func KnownESPs() []ESP {
	var out []ESP
	for _, s := range DefaultSenders().Senders() {
		if isESP(&s) {
			out = append(out, ESP{Name: s.Name, Domains: s.Domains, MailFromAdvice: mailFromAdvice(&s), DKIMAdvice: dkimAdvice(&s)})
		}
	}
	return out
}

// isESP: a service that sends for its customers' domains, with domains of
// its own that appear until the customer's are set up.
func isESP(s *Sender) bool {
	return s != nil && (s.Category == SenderCategoryESP || s.Category == SenderCategoryPlatform)
}

func mailFromAdvice(s *Sender) string {
	if s.MailFromAdvice != "" {
		return s.MailFromAdvice
	}
	return "set up a custom MAIL FROM (return path) domain under %s at " + strings.ReplaceAll(s.Name, "%", "%%") + " so that SPF aligns"
}

func dkimAdvice(s *Sender) string {
	if s.DKIMAdvice != "" {
		return s.DKIMAdvice
	}
	return "have " + strings.ReplaceAll(s.Name, "%", "%%") + " sign with a DKIM key of %s so that DKIM aligns"
}

// espOrGeneric returns the ESP whose own domain domain is, or a nameless
// provider when the map changed since the finding was noted (a Summary
// merged from one with other Senders).
func (s *Summary) espOrGeneric(domain string) *Sender {
	if p := s.senders().ByDomain(domain); isESP(p) {
		return p
	}
	return &Sender{Name: "the provider"}
}

// relaxedAligned approximates relaxed alignment without the public suffix
// list: one domain is the other or below it. It is used only to word
// diagnoses; the verdicts come from the report.
func relaxedAligned(a, b string) bool {
	return a != "" && b != "" && (dnsname.IsSubdomain(a, b) || dnsname.IsSubdomain(b, a))
}

func (s *Summary) diagnose(r *Record, hf, ip string, pc *providers) {
	n := r.Row.Count
	if n == 0 {
		return
	}
	pe := &r.Row.PolicyEvaluated
	dkAligned := pe.DKIM.Canonical() == DMARCResultPass
	spAligned := pe.SPF.Canonical() == DMARCResultPass

	envelope := dnsname.Canonical(r.Identifiers.EnvelopeFrom)
	spfPass := false
	for _, sp := range r.AuthResults.SPF {
		if sp.Result.Canonical() == SPFResultPass {
			spfPass = true
			if envelope == "" && sp.Scope.Canonical() != SPFScopeHELO {
				envelope = dnsname.Canonical(sp.Domain)
			}
		}
	}
	if !spAligned && envelope != "" && !relaxedAligned(envelope, hf) {
		if isESP(pc.byDomain(envelope)) {
			s.note(FindingSPFESPEnvelope, hf, envelope, ip, n)
		} else if spfPass {
			s.note(FindingSPFUnaligned, hf, envelope, ip, n)
		}
	}
	var passing []string
	for _, d := range r.AuthResults.DKIM {
		if d.Result.Canonical() == DKIMResultPass {
			passing = append(passing, dnsname.Canonical(d.Domain))
		}
	}
	if !dkAligned && len(passing) > 0 {
		allESP, aligned := true, false
		for _, d := range passing {
			if relaxedAligned(d, hf) {
				aligned = true
			}
			if !isESP(pc.byDomain(d)) {
				allESP = false
			}
		}
		switch {
		case aligned:
		case allESP:
			s.note(FindingDKIMESPOnly, hf, passing[0], ip, n)
		default:
			s.note(FindingDKIMUnaligned, hf, passing[0], ip, n)
		}
	}
	if dkAligned && !spAligned {
		s.note(FindingDMARCReliesOnDKIM, hf, "", ip, n)
	}
	if !dkAligned && !spAligned {
		if why := forwardedBy(pe); why != "" {
			s.note(FindingForwarded, hf, why, ip, n)
			return
		}
	}
	if len(passing) == 0 && !spfPass && !dkAligned && !spAligned {
		s.note(FindingUnauthenticated, hf, "", ip, n)
	}
}

// Diagnoses renders the accumulated findings, most messages first (ties by
// code, then domain). Codes and fields are stable; messages may change.
func (s *Summary) Diagnoses() []Diagnosis {
	var out []Diagnosis
	for _, f := range s.Evidence {
		d := Diagnosis{Code: f.Code, HeaderFrom: f.HeaderFrom, Detail: f.Detail, Messages: f.Messages,
			SourceIPs: slices.Clone(f.SourceIPs)}
		hf := f.HeaderFrom
		switch f.Code {
		case FindingSPFESPEnvelope:
			esp := s.espOrGeneric(f.Detail)
			d.Severity, d.RFC = domainauth.SeverityWarning, "RFC 7489 §3.1.2"
			region := ""
			if r, ok := strings.CutSuffix(f.Detail, ".amazonses.com"); ok && !strings.Contains(r, ".") {
				region = " (the default MAIL FROM of region " + r + ")"
			}
			d.Message = fmt.Sprintf("SPF does not align for %s: the envelope sender is %s, %s's own domain%s; %s",
				hf, f.Detail, esp.Name, region, fmt.Sprintf(mailFromAdvice(esp), hf))
		case FindingDKIMESPOnly:
			esp := s.espOrGeneric(f.Detail)
			d.Severity, d.RFC = domainauth.SeverityError, "RFC 7489 §3.1.1"
			d.Message = fmt.Sprintf("DKIM passes only for d=%s, %s's own signing domain, not for %s, so DKIM cannot align; %s",
				f.Detail, esp.Name, hf, fmt.Sprintf(dkimAdvice(esp), hf))
		case FindingDMARCReliesOnDKIM:
			d.Severity, d.RFC = domainauth.SeverityInfo, "RFC 7489 §6.6.2"
			d.Message = fmt.Sprintf("messages from %s pass DMARC through aligned DKIM alone (SPF does not align): a DKIM key problem would make them fail", hf)
		case FindingSPFUnaligned:
			d.Severity, d.RFC = domainauth.SeverityWarning, "RFC 7489 §3.1.2"
			d.Message = fmt.Sprintf("SPF passes for %s, which does not align with %s: use a MAIL FROM domain under %s", f.Detail, hf, hf)
		case FindingDKIMUnaligned:
			d.Severity, d.RFC = domainauth.SeverityWarning, "RFC 7489 §3.1.1"
			d.Message = fmt.Sprintf("DKIM passes for d=%s, which does not align with %s: sign with a key under %s", f.Detail, hf, hf)
		case FindingForwarded:
			d.Severity, d.RFC = domainauth.SeverityInfo, "RFC 7489 §6.6.2, RFC 8617"
			d.Message = fmt.Sprintf("messages from %s failed DMARC but the receiver accepted them as forwarded (%s): forwarded, not spoofed; signing with DKIM keeps most forwarded mail aligned", hf, f.Detail)
		case FindingUnauthenticated:
			d.Severity, d.RFC = domainauth.SeverityError, "RFC 7489 §6.6.2"
			d.Message = fmt.Sprintf("messages claiming to be from %s have neither a DKIM nor an SPF pass: spoofing, or a sender not yet authorised", hf)
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Diagnosis) int {
		return cmp.Or(cmp.Compare(b.Messages, a.Messages), strings.Compare(a.Code, b.Code),
			strings.Compare(a.HeaderFrom, b.HeaderFrom), strings.Compare(a.Detail, b.Detail))
	})
	return out
}
