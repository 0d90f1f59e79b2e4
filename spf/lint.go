package spf

import (
	"context"
	"fmt"
	"strings"

	"github.com/domainauth/domainauth"
)

// Severity ranks a Finding; it is the module-wide domainauth.Severity.
type Severity = domainauth.Severity

// Severities, from least to most serious.
const (
	SeverityInfo    = domainauth.SeverityInfo
	SeverityWarning = domainauth.SeverityWarning
	SeverityError   = domainauth.SeverityError
)

// Finding is one SPF lint observation; it is the module-wide domainauth.Finding, so that
// tools can gather findings from every package. Code is stable (see the Code
// constants); Message is for people.
type Finding = domainauth.Finding

// Finding codes. They are stable: match on them, not on messages.
const (
	FindingNoRecord          = "spf.no-record"        // the linted domain publishes no SPF record
	FindingMultipleRecords   = "spf.multiple-records" // more than one SPF record at a name (§4.5)
	FindingSyntax            = "spf.syntax"           // a record that does not parse (§4.6)
	FindingDNSError          = "spf.dns-error"        // a lookup failed temporarily; the walk is incomplete
	FindingTooManyLookups    = "spf.too-many-lookups" // worst-case DNS-querying terms over the limit (§4.6.4)
	FindingLookupCost        = "spf.lookup-cost"      // what one include/redirect costs, when the total is over the limit
	FindingVoidLookup        = "spf.void-lookup"      // a term's target does not exist (§4.6.4)
	FindingTooManyVoids      = "spf.too-many-void-lookups"
	FindingTooManyMXNames    = "spf.too-many-mx-names"   // an mx target with more than 10 MX names (§4.6.4)
	FindingLoop              = "spf.loop"                // include/redirect loop (§4.6.4, §5.2)
	FindingIncludeNoRecord   = "spf.include-no-record"   // include/redirect target without a record: permerror (§5.2, §6.1)
	FindingPTR               = "spf.ptr"                 // ptr mechanism or %{p} used (§5.5: do not use)
	FindingPassAll           = "spf.pass-all"            // +all: anyone may send (§5.1)
	FindingNeutralAll        = "spf.neutral-all"         // ?all: no protection
	FindingNoAll             = "spf.no-all"              // neither all nor redirect: implicit ?all (§4.7)
	FindingTermsAfterAll     = "spf.terms-after-all"     // terms after all are never evaluated (§5.1)
	FindingRedirectWithAll   = "spf.redirect-with-all"   // redirect is ignored when all is present (§6.1)
	FindingUnknownModifier   = "spf.unknown-modifier"    // ignored by receivers (§6)
	FindingLongString        = "spf.long-string"         // a character-string over 255 bytes: not publishable as is (§3.3)
	FindingLongStringUnknown = "spf.long-string-unknown" // over 255 bytes; the resolver cannot show how it is split
	FindingResponseSize      = "spf.response-size"       // name + TXT text over 450 bytes (§3.4)
	FindingSPFRRType         = "spf.spf-rr-type"         // a deprecated type SPF (99) record is published (§3.1)
	FindingMacro             = "spf.macro"               // a target built from macros cannot be checked statically (§7)
	FindingLintLimit         = "spf.lint-limit"          // a Linter bound was reached: the report is incomplete
)

// TermCost is the worst-case number of DNS-querying terms one term costs:
// 1 for a, mx, ptr and exists, 1 plus its target's total for include and
// redirect.
type TermCost struct {
	Domain  string // the domain whose record holds the term
	Term    string // the term, canonical form
	Depth   int    // 0 for the linted domain
	Lookups int
	// Repeated marks an include or redirect whose target was walked
	// already, through an earlier term: its Lookups include the target's
	// whole cost, but the target's terms are listed only under that
	// earlier term, not again here.
	Repeated bool `json:",omitempty"`
}

// Report is what Lint found.
type Report struct {
	Domain      string
	Record      string // the linted domain's SPF record, "" if none
	Lookups     int    // worst-case DNS-querying terms of the whole tree, counted past the limit
	VoidLookups int    // void lookups met in the tree, a repeated subtree's counted again
	// Terms lists the DNS-querying terms of the tree in walk order, each
	// record's terms in record order, and the terms of the record an
	// include or redirect names (one Depth deeper) right before that
	// include or redirect: a tree is built in one pass, pushing each term
	// and popping into it the entries one level deeper that precede it.
	// A target reached a second time is not listed again (see
	// TermCost.Repeated). At most Linter.MaxTerms entries, plus the
	// includes and redirects that lead to them, so that every listed
	// term's parent is listed too; TermsOmitted counts the rest.
	Terms        []TermCost
	TermsOmitted int
	Findings     []Finding
}

// HasErrors reports whether some finding has Severity Error.
func (r *Report) HasErrors() bool {
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// SPFRRResolver is an optional Resolver capability: the text of the
// deprecated type SPF (99) records at name. With it, Lint reports
// FindingSPFRRType.
type SPFRRResolver interface {
	LookupSPFRR(ctx context.Context, name string) ([]string, error)
}

// Linter walks a domain's SPF policy without a client address.
type Linter struct {
	// Resolver answers DNS queries. Required. With the
	// domainauth.TXTStringsResolver capability the 255-byte string check
	// is made; without it, the finding is FindingLongStringUnknown.
	Resolver domainauth.Resolver
	// MaxLookups is the limit findings are measured against. If zero, 10
	// (RFC 7208 §4.6.4).
	MaxLookups int
	// MaxVoidLookups likewise; if zero, 2.
	MaxVoidLookups int
	// MaxRecords bounds the records fetched while walking; each distinct
	// domain is fetched and walked once. If zero, 100.
	MaxRecords int
	// MaxProbes bounds the address and MX queries made to look for void
	// lookups and MX lists over 10 names (each distinct target is asked
	// once). Past it, terms are not probed and a FindingLintLimit finding
	// says how many. If zero, 500.
	MaxProbes int
	// MaxTerms bounds Report.Terms (see there). If zero, 1,000.
	MaxTerms int
	// MaxFindings bounds the findings about single terms and records;
	// past it they are counted in one FindingLintLimit finding. The findings
	// about the whole tree (FindingTooManyLookups, FindingTooManyVoids) are
	// always reported. If zero, 1,000.
	MaxFindings int
}

type linter struct {
	l       *Linter
	ctx     context.Context
	rep     *Report
	fetched int
	max     int

	walked                      map[string]subtree // finished domains, by canonical name
	probed                      map[string]bool    // probe targets ("A x", "MX x") and whether void
	probes, maxProbes, unprobed int
	maxTerms, maxFindings       int
	findings, findingsOmitted   int // term and record findings listed, omitted
}

// subtree is what a walked domain's record costs.
type subtree struct{ lookups, voids int }

// Lint fetches domain's SPF record and walks its include/redirect tree,
// reporting findings. It never evaluates against an address, so it counts
// the worst case: every term, every include and the redirect.
func (l *Linter) Lint(ctx context.Context, domain string) *Report {
	domain = strings.TrimSuffix(domain, ".")
	rep := &Report{Domain: domain}
	if l.Resolver == nil {
		rep.Findings = append(rep.Findings, Finding{Code: FindingDNSError, Severity: SeverityError, Message: "the Linter has no Resolver", Where: domain, RFC: "RFC 7208 §4.4"})
		return rep
	}
	w := &linter{l: l, ctx: ctx, rep: rep, max: orDefault(l.MaxRecords, 100),
		walked: make(map[string]subtree), probed: make(map[string]bool),
		maxProbes: orDefault(l.MaxProbes, 500), maxTerms: orDefault(l.MaxTerms, 1000), maxFindings: orDefault(l.MaxFindings, 1000)}
	rec, txt := w.fetch(domain, "", 0)
	rep.Record = txt
	if rec != nil {
		rep.Lookups = w.walk(rec, domain, 0, []string{domain})
	}
	maxL := orDefault(l.MaxLookups, 10)
	// The findings about the whole tree are not subject to MaxFindings.
	tree := func(f Finding) { rep.Findings = append(rep.Findings, f) }
	if rep.Lookups > maxL {
		tree(Finding{Code: FindingTooManyLookups, Severity: SeverityError, Message: fmt.Sprintf("%d DNS-querying terms in the worst case, more than %d: receivers return permerror", rep.Lookups, maxL), Where: domain, RFC: "RFC 7208 §4.6.4"})
		for _, tc := range rep.Terms {
			if tc.Lookups > 1 {
				w.add(FindingLookupCost, SeverityInfo, fmt.Sprintf("costs %d DNS-querying terms", tc.Lookups), tc.Domain+": "+tc.Term, "RFC 7208 §4.6.4")
			}
		}
	}
	if maxV := orDefault(l.MaxVoidLookups, 2); maxV >= 0 && rep.VoidLookups > maxV {
		tree(Finding{Code: FindingTooManyVoids, Severity: SeverityError, Message: fmt.Sprintf("%d void lookups, more than %d: receivers may return permerror", rep.VoidLookups, maxV), Where: domain, RFC: "RFC 7208 §4.6.4"})
	}
	if w.unprobed > 0 {
		tree(Finding{Code: FindingLintLimit, Severity: SeverityWarning, Message: fmt.Sprintf("%d terms not probed for void lookups and MX names: the limit of %d probes was reached", w.unprobed, w.maxProbes), Where: domain, RFC: "RFC 7208 §4.6.4"})
	}
	if rep.TermsOmitted > 0 {
		tree(Finding{Code: FindingLintLimit, Severity: SeverityInfo, Message: fmt.Sprintf("%d terms not listed: the limit of %d was reached", rep.TermsOmitted, w.maxTerms), Where: domain})
	}
	if w.findingsOmitted > 0 {
		tree(Finding{Code: FindingLintLimit, Severity: SeverityWarning, Message: fmt.Sprintf("%d more findings not listed: the limit of %d was reached", w.findingsOmitted, w.maxFindings), Where: domain})
	}
	return rep
}

// add reports a finding, or counts it once MaxFindings are reported.
func (w *linter) add(code string, sev Severity, msg, where, rfc string) {
	w.addFinding(Finding{Code: code, Severity: sev, Message: msg, Where: where, RFC: rfc})
}

func (w *linter) addFinding(f Finding) {
	if w.findings >= w.maxFindings {
		w.findingsOmitted++
		return
	}
	w.findings++
	w.rep.Findings = append(w.rep.Findings, f)
}

// fetch gets and parses the SPF record at name, reporting record-level
// findings. from is the term that led here and via its kind (include or
// redirect); both are zero for the linted domain.
func (w *linter) fetch(name, from string, via Kind) (*Record, string) {
	top := via == 0
	if w.fetched >= w.max {
		w.add(FindingLintLimit, SeverityWarning, fmt.Sprintf("more than %d records; walk stopped", w.max), name, "RFC 7208 §4.6.4")
		return nil, ""
	}
	w.fetched++
	where := name
	if from != "" {
		where = from
	}
	var strs [][]string
	var txts []string
	var err error
	sr, haveStrings := w.l.Resolver.(domainauth.TXTStringsResolver)
	if haveStrings {
		strs, err = sr.LookupTXTStrings(w.ctx, name)
		for _, s := range strs {
			txts = append(txts, strings.Join(s, ""))
		}
	} else {
		txts, err = w.l.Resolver.LookupTXT(w.ctx, name)
	}
	if spfr, ok := w.l.Resolver.(SPFRRResolver); ok {
		if rrs, err := spfr.LookupSPFRR(w.ctx, name); err == nil && len(rrs) > 0 {
			w.addFinding(RRTypeFinding(name))
		}
	}
	if err != nil && domainauth.Classify(w.ctx, err) != domainauth.ErrorKindNotFound {
		w.add(FindingDNSError, SeverityWarning, "TXT lookup failed: "+err.Error(), name, "RFC 7208 §4.4")
		return nil, ""
	}
	var found []int
	size := len(name)
	for i, t := range txts {
		size += len(t)
		if IsSPF(t) {
			found = append(found, i)
		}
	}
	switch {
	case len(found) == 0 && top:
		w.addFinding(*noRecordFinding(name))
		return nil, ""
	case len(found) == 0:
		rfc := "RFC 7208 §5.2"
		if via == KindRedirect {
			rfc = "RFC 7208 §6.1"
		}
		w.add(FindingIncludeNoRecord, SeverityError, "target has no SPF record: receivers return permerror", where, rfc)
		return nil, ""
	case len(found) > 1:
		w.addFinding(*multipleRecordsFinding(name, len(found)))
		return nil, ""
	}
	txt := txts[found[0]]
	if size > 450 {
		w.add(FindingResponseSize, SeverityWarning, fmt.Sprintf("name and TXT records total %d bytes, over 450: the answer may not fit a 512-byte UDP response", size), name, "RFC 7208 §3.4")
	}
	if len(txt) > 255 {
		if !haveStrings {
			w.add(FindingLongStringUnknown, SeverityInfo, fmt.Sprintf("record is %d bytes; the resolver cannot show whether it is split into strings of at most 255", len(txt)), name, "RFC 7208 §3.3")
		} else {
			for _, s := range strs[found[0]] {
				if len(s) > 255 {
					w.add(FindingLongString, SeverityError, fmt.Sprintf("a character-string of %d bytes; split the record into strings of at most 255", len(s)), name, "RFC 7208 §3.3")
					break
				}
			}
		}
	}
	rec, perr := ParseRecord(txt)
	if perr != nil {
		w.addFinding(*syntaxFinding(name, perr))
		return nil, txt
	}
	for _, f := range LintRecord(rec) {
		f.Where = name + ": " + f.Where
		w.addFinding(f)
	}
	return rec, txt
}

// walk counts rec's worst-case DNS-querying terms, following literal
// include and redirect targets, each distinct one once. stack holds the
// domains being walked.
func (w *linter) walk(rec *Record, domain string, depth int, stack []string) int {
	total := 0
	for i := range rec.Terms {
		t := &rec.Terms[i]
		if !t.Kind.QueriesDNS() {
			continue
		}
		where := domain + ": " + t.String()
		cost := 1
		repeated := false
		target := t.Domain
		if target == "" {
			target = domain
		}
		if hasMacro(target) {
			if t.Kind == KindInclude || t.Kind == KindRedirect {
				w.add(FindingMacro, SeverityInfo, "target uses macros; its record cannot be checked statically and its cost is counted as 1", where, "RFC 7208 §7")
			} else {
				w.add(FindingMacro, SeverityInfo, "target uses macros and cannot be checked statically", where, "RFC 7208 §7")
			}
		} else {
			target = strings.TrimSuffix(target, ".")
			switch t.Kind {
			case KindInclude, KindRedirect:
				key := strings.ToLower(target)
				if containsFold(stack, target) {
					w.add(FindingLoop, SeverityError, "loops back to "+target+": receivers return permerror", where, "RFC 7208 §4.6.4")
				} else if st, ok := w.walked[key]; ok {
					// Walked through an earlier term: add its cost, as a
					// receiver would spend it again, without walking again.
					cost += st.lookups
					w.rep.VoidLookups += st.voids
					repeated = true
				} else {
					voids := w.rep.VoidLookups
					var st subtree
					if sub, _ := w.fetch(target, where, t.Kind); sub != nil {
						st.lookups = w.walk(sub, target, depth+1, append(stack, target))
					}
					st.voids = w.rep.VoidLookups - voids
					w.walked[key] = st
					cost += st.lookups
				}
			case KindA, KindExists:
				w.probe(KindA, target, where)
			case KindMX:
				w.probe(KindMX, target, where)
			}
		}
		w.list(TermCost{Domain: domain, Term: t.String(), Depth: depth, Lookups: cost, Repeated: repeated})
		total += cost
	}
	return total
}

// list adds a term to Report.Terms: any term while there are fewer than
// MaxTerms, past that only an include or redirect whose subtree has
// listed terms (its depth-one-deeper entries precede it), so that no
// listed term loses its parent.
func (w *linter) list(tc TermCost) {
	terms := w.rep.Terms
	if len(terms) < w.maxTerms || len(terms) > 0 && terms[len(terms)-1].Depth == tc.Depth+1 {
		w.rep.Terms = append(terms, tc)
		return
	}
	w.rep.TermsOmitted++
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// probe looks up target's addresses (kind KindA, for a and exists) or MX
// names (KindMX), once per target and within MaxProbes, and notes a void
// lookup or an MX list over 10 names.
func (w *linter) probe(kind Kind, target, where string) {
	key := "A " + strings.ToLower(target)
	if kind == KindMX {
		key = "MX " + strings.ToLower(target)
	}
	if void, ok := w.probed[key]; ok {
		// RFC 7208 §4.6.4: a receiver counts every void lookup, the same
		// target's included.
		if void {
			w.rep.VoidLookups++
			w.add(FindingVoidLookup, SeverityWarning, target+" does not exist or has no records of the type asked: a void lookup", where, "RFC 7208 §4.6.4")
		}
		return
	}
	if w.probes >= w.maxProbes {
		w.unprobed++
		return
	}
	w.probes++
	if kind == KindA {
		_, err := w.l.Resolver.LookupNetIP(w.ctx, "ip", target)
		w.probed[key] = w.classifyVoid(err, target, where) && domainauth.Classify(w.ctx, err) == domainauth.ErrorKindNotFound
		return
	}
	mxs, err := w.l.Resolver.LookupMX(w.ctx, target)
	if w.classifyVoid(err, target, where) {
		w.probed[key] = domainauth.Classify(w.ctx, err) == domainauth.ErrorKindNotFound
		return
	}
	w.probed[key] = false
	if len(mxs) > 10 {
		w.add(FindingTooManyMXNames, SeverityError, fmt.Sprintf("%s has %d MX names, more than 10: receivers return permerror", target, len(mxs)), where, "RFC 7208 §4.6.4")
	}
}

// classifyVoid reports a void lookup or a DNS error; it returns true if
// there was no answer.
func (w *linter) classifyVoid(err error, target, where string) bool {
	switch domainauth.Classify(w.ctx, err) {
	case domainauth.ErrorKindOK:
		return false
	case domainauth.ErrorKindNotFound:
		w.rep.VoidLookups++
		w.add(FindingVoidLookup, SeverityWarning, target+" does not exist or has no records of the type asked: a void lookup", where, "RFC 7208 §4.6.4")
	default:
		w.add(FindingDNSError, SeverityWarning, "lookup failed: "+err.Error(), where, "RFC 7208 §5")
	}
	return true
}

// LintRecord reports the findings that need no DNS: ptr use, +all and
// ?all, a missing all, terms after all, redirect beside all, unknown
// modifiers, %{p}. Where holds the term concerned.
func LintRecord(r *Record) []Finding {
	var out []Finding
	add := func(code string, sev Severity, msg, where, rfc string) {
		out = append(out, Finding{Code: code, Severity: sev, Message: msg, Where: where, RFC: rfc})
	}
	allAt := -1
	for i := range r.Terms {
		t := &r.Terms[i]
		ts := t.String()
		if allAt >= 0 && !t.Kind.IsModifier() {
			add(FindingTermsAfterAll, SeverityWarning, "never evaluated: it follows "+r.Terms[allAt].String(), ts, "RFC 7208 §5.1")
		}
		switch t.Kind {
		case KindAll:
			if allAt < 0 {
				allAt = i
			}
			switch t.qualifier() {
			case QualifierPass:
				add(FindingPassAll, SeverityError, "+all lets every host on the Internet pass", ts, "RFC 7208 §5.1")
			case QualifierNeutral:
				add(FindingNeutralAll, SeverityWarning, "?all asserts nothing about other hosts", ts, "RFC 7208 §8.2")
			}
		case KindPTR:
			add(FindingPTR, SeverityWarning, "ptr is slow and unreliable and SHOULD NOT be published", ts, "RFC 7208 §5.5")
		case KindUnknownModifier:
			add(FindingUnknownModifier, SeverityInfo, "unknown modifier "+t.Name+" is ignored by receivers", ts, "RFC 7208 §6")
		}
		if strings.Contains(t.Domain, "%{p") || strings.Contains(t.Domain, "%{P") {
			add(FindingPTR, SeverityWarning, "the %{p} macro SHOULD NOT be published", ts, "RFC 7208 §7.3")
		}
	}
	red := r.Redirect()
	switch {
	case red != nil && allAt >= 0:
		add(FindingRedirectWithAll, SeverityWarning, "redirect is ignored because the record has an all mechanism", red.String(), "RFC 7208 §6.1")
	case red == nil && allAt < 0:
		add(FindingNoAll, SeverityWarning, "no all mechanism and no redirect: the default result is neutral", "v=spf1", "RFC 7208 §4.7")
	}
	return out
}
