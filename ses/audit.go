package ses

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

// Status is the outcome of checking one planned record against DNS.
type Status uint8

// The statuses of a record check.
const (
	// StatusUnknown: the record could not be checked (a temporary DNS
	// failure, or a Resolver without a needed capability).
	StatusUnknown Status = iota
	// StatusPresent: DNS holds the record as planned (or an equivalent one).
	StatusPresent
	// StatusMissing: DNS has no such record.
	StatusMissing
	// StatusWrong: DNS holds a record there, but not the planned one.
	StatusWrong
)

// String returns "unknown", "present", "missing" or "wrong".
func (s Status) String() string {
	switch s {
	case StatusPresent:
		return "present"
	case StatusMissing:
		return "missing"
	case StatusWrong:
		return "wrong"
	}
	return "unknown"
}

// MarshalText writes the status's name, for JSON.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// RecordCheck is the audit of one planned record.
type RecordCheck struct {
	Record Record
	Status Status
	// Found holds what DNS answered at the record's name for its type
	// (CNAME target, "pref host" MX values, TXT texts).
	Found []string
}

// Audit is the result of comparing DNS with a Plan.
type Audit struct {
	Plan *Plan
	// Checks has one entry per planned record, in plan order, and a last one
	// for DMARC when the plan skips it (Identity.SkipDMARC).
	Checks []RecordCheck
	// Findings are the problems found, each with a stable Code. An audit of
	// a zone built from the plan (Plan.Zone) has none.
	Findings []Finding
	// Alignment predicts DMARC for SES mail from the audited From domain
	// given what DNS holds now (a MAIL FROM whose MX is missing is not in
	// effect, DKIM records that are missing or wrong do not sign, the
	// published DMARC record's modes apply).
	Alignment Alignment
	// DMARC is the published DMARC record, nil when absent or broken.
	DMARC *dmarc.Record
}

// OK reports whether the audit found nothing of Severity Warning or Error.
func (a *Audit) OK() bool {
	for _, f := range a.Findings {
		if f.Severity >= SeverityWarning {
			return false
		}
	}
	return true
}

// HasCode reports whether a finding with the given code was reported.
func (a *Audit) HasCode(code string) bool {
	for _, f := range a.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

// Auditor compares what DNS says with a Plan. A zero Auditor with a Resolver
// is ready to use; it is safe for concurrent use.
type Auditor struct {
	// Resolver answers DNS queries: live DNS (net.DefaultResolver) or a
	// zone.Zone read from a master file or a Route 53 export. Required. The
	// Easy DKIM and MAIL FROM CNAME checks need domainauth.CNAMEResolver;
	// without it they report "ses.dkim-unknown".
	Resolver domainauth.Resolver
	// From is the RFC5322.From domain to predict alignment for. If empty,
	// the identity's domain.
	From string
	// MaxSPFLookups is the DNS-querying term limit the MAIL FROM SPF record
	// is checked against. If zero, 10 (RFC 7208 §4.6.4).
	MaxSPFLookups int
}

// auditState carries what the checks learnt for the alignment prediction.
type auditState struct {
	ctx        context.Context
	a          *Audit
	dkimOK     bool // every DKIM record present
	mailFromOK bool // the feedback MX is in place and no CNAME
	spfOK      bool // exactly one SPF record, valid, including amazonses.com, within limits
	// mailFromCNAME: a CNAME owns the MAIL FROM name (reported once).
	mailFromCNAME bool
	// dkimUnknown: "ses.dkim-unknown" was reported (once per audit).
	dkimUnknown bool
}

// Audit checks every planned record and the DMARC record, then predicts
// alignment from what it found. DNS failures are findings
// ("ses.lookup-failed"), never a returned error.
func (au *Auditor) Audit(ctx context.Context, p *Plan) *Audit {
	if p == nil || au.Resolver == nil {
		return &Audit{Plan: p, Findings: []Finding{finding(FindingLookupFailed, SeverityError, "", "",
			"nothing to audit: the plan or the Auditor's Resolver is nil")}}
	}
	st := &auditState{ctx: ctx, a: &Audit{Plan: p}, dkimOK: true}
	for _, r := range p.Records {
		c := RecordCheck{Record: r}
		switch r.Purpose {
		case PurposeEasyDKIM:
			au.checkEasyDKIM(st, &c)
		case PurposeBYODKIM:
			au.checkBYODKIM(st, &c)
		case PurposeMailFromMX:
			au.checkMailFromMX(st, &c)
		case PurposeMailFromSPF:
			au.checkMailFromSPF(st, &c)
		case PurposeDMARC:
			au.checkDMARC(st, &c)
		case PurposeVerification:
			au.checkVerification(st, &c)
		}
		if c.Status != StatusPresent && (r.Purpose == PurposeEasyDKIM || r.Purpose == PurposeBYODKIM) {
			st.dkimOK = false
		}
		st.a.Checks = append(st.a.Checks, c)
	}
	if p.Identity.SkipDMARC {
		c := RecordCheck{Record: Record{Name: "_dmarc." + p.Identity.Domain, Type: zone.TypeTXT, Purpose: PurposeDMARC}}
		au.checkDMARC(st, &c)
		st.a.Checks = append(st.a.Checks, c)
	}
	id := p.Identity
	in := alignmentInput{
		domain:    id.Domain,
		from:      au.From,
		defaultMF: p.Region.DefaultMailFrom,
		dkim:      (len(id.EasyDKIMTokens) > 0 || id.BYODKIM != nil) && st.dkimOK,
		dkimNote:  "the identity's DKIM records are not all in place, so SES cannot sign with d=" + id.Domain,
		rec:       st.a.DMARC,
	}
	if len(id.EasyDKIMTokens) == 0 && id.BYODKIM == nil {
		in.dkimNote = "the identity has no DKIM"
	}
	if id.MailFrom != "" {
		switch {
		case st.mailFromOK:
			in.mailFrom = id.MailFrom
			in.spfFails = !st.spfOK
		case id.BehaviorOnMXFailure == MXFailureBehaviorRejectMessage:
			in.fallbackNote = "the MAIL FROM MX is not verified and BehaviorOnMXFailure is RejectMessage: SES refuses to send"
		default:
			in.fallbackNote = "the MAIL FROM MX is not verified, so SES falls back to its default MAIL FROM (UseDefaultValue)"
		}
	}
	st.a.Alignment = predict(in)
	for _, f := range st.a.Alignment.Findings {
		if !st.a.HasCode(f.Code) {
			st.a.Findings = append(st.a.Findings, f)
		}
	}
	return st.a
}

func (st *auditState) add(f Finding) { st.a.Findings = append(st.a.Findings, f) }

// failed records a temporary DNS failure; it reports whether err was one.
func (st *auditState) failed(c *RecordCheck, name string, err error) bool {
	switch domainauth.Classify(st.ctx, err) {
	case domainauth.ErrorKindOK, domainauth.ErrorKindNotFound:
		return false
	}
	c.Status = StatusUnknown
	st.add(finding(FindingLookupFailed, SeverityWarning, name, "", "DNS lookup failed: %v; the record was not checked, audit again later", err))
	return true
}

func (au *Auditor) checkEasyDKIM(st *auditState, c *RecordCheck) {
	r := c.Record
	cr, ok := au.Resolver.(domainauth.CNAMEResolver)
	if !ok {
		// Without the capability, a missing key record is still visible:
		// the CNAME chain must end at a TXT record.
		_, err := au.Resolver.LookupTXT(st.ctx, r.Name)
		if st.failed(c, r.Name, err) {
			return
		}
		if err != nil {
			c.Status = StatusMissing
			st.add(finding(FindingDKIMMissing, SeverityError, r.Name, "SES Developer Guide: Easy DKIM", "no DKIM key reachable at %s; publish CNAME %s", r.Name, r.Target))
			return
		}
		c.Status = StatusUnknown
		if !st.dkimUnknown {
			st.dkimUnknown = true
			st.add(finding(FindingDKIMUnknown, SeverityInfo, st.a.Plan.Identity.Domain, "",
				"the resolver cannot report CNAME targets; the Easy DKIM CNAMEs were not compared with the plan (audit a zone.Zone, e.g. a Route 53 export, to compare them)"))
		}
		return
	}
	target, err := cr.LookupCNAMETarget(st.ctx, r.Name)
	if st.failed(c, r.Name, err) {
		return
	}
	if err != nil {
		txts, terr := au.Resolver.LookupTXT(st.ctx, r.Name)
		if terr == nil && len(txts) > 0 {
			c.Status, c.Found = StatusWrong, txts
			st.add(finding(FindingDKIMNotCNAME, SeverityError, r.Name, "SES Developer Guide: Easy DKIM",
				"TXT record where SES needs CNAME %s; replace it with the CNAME (SES rotates Easy DKIM keys behind it)", r.Target))
			return
		}
		c.Status = StatusMissing
		st.add(finding(FindingDKIMMissing, SeverityError, r.Name, "SES Developer Guide: Easy DKIM", "Easy DKIM CNAME missing; publish CNAME %s", r.Target))
		return
	}
	target = dnsname.Canonical(target)
	c.Found = []string{target}
	if target == r.Target {
		c.Status = StatusPresent
		return
	}
	c.Status = StatusWrong
	token, _, _ := strings.Cut(r.Name, ".")
	if rest, ok := strings.CutPrefix(target, token+"."); ok && (rest == DefaultDKIMZone || RegionOfDKIMZone(rest) != "") {
		st.add(finding(FindingDKIMWrongRegion, SeverityError, r.Name, "SES Developer Guide: Regions and Amazon SES",
			"CNAME points into %s, but %s signs with keys in %s", rest, st.a.Plan.Region.Code, st.a.Plan.DKIMZone.Value))
		return
	}
	st.add(finding(FindingDKIMWrongTarget, SeverityError, r.Name, "SES Developer Guide: Easy DKIM", "CNAME points to %s; point it at %s", target, r.Target))
}

func (au *Auditor) checkBYODKIM(st *auditState, c *RecordCheck) {
	r := c.Record
	txts, err := au.Resolver.LookupTXT(st.ctx, r.Name)
	if st.failed(c, r.Name, err) {
		return
	}
	c.Found = txts
	if len(txts) == 0 {
		c.Status = StatusMissing
		st.add(finding(FindingDKIMMissing, SeverityError, r.Name, "RFC 6376 §3.6.2.1", "BYODKIM key record missing; publish TXT %q", r.Value))
		return
	}
	want, _, _ := parseBYOKey(r.Value)
	var valid []*dkim.KeyRecord
	for _, t := range txts {
		k, err := dkim.ParseKeyRecord(t)
		if err == nil && k.Usable() == nil {
			valid = append(valid, k)
		}
	}
	if len(valid) == 0 {
		// A key record that is no usable key is dkim's subject: pass on
		// what the dkim selector check says of it.
		c.Status = StatusWrong
		id := st.a.Plan.Identity
		for _, f := range dkim.CheckSelector(st.ctx, au.Resolver, id.Domain, id.BYODKIM.Selector).Findings {
			if f.Severity == SeverityError {
				st.add(f)
			}
		}
		return
	}
	for _, k := range valid {
		if eq, ok := k.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); ok && want != nil && eq.Equal(want.PublicKey) {
			c.Status = StatusPresent
			return
		}
	}
	c.Status = StatusWrong
	st.add(finding(FindingBYODKIMKeyWrong, SeverityError, r.Name, "RFC 6376 §3.6.2.1",
		"the published key is not the BYODKIM key given to SES, so signatures will fail; publish TXT %q or give SES the matching private key", r.Value))
}

func (au *Auditor) checkMailFromMX(st *auditState, c *RecordCheck) {
	r := c.Record
	if cr, ok := au.Resolver.(domainauth.CNAMEResolver); ok {
		target, err := cr.LookupCNAMETarget(st.ctx, r.Name)
		if st.failed(c, r.Name, err) {
			return
		}
		if err == nil {
			c.Status, c.Found = StatusWrong, []string{"CNAME " + dnsname.Canonical(target)}
			st.mailFromCNAME = true
			st.add(finding(FindingMailFromCNAME, SeverityError, r.Name, "RFC 2181 §10.1",
				"CNAME at the MAIL FROM domain: it cannot hold SES's MX and SPF records beside it; remove the CNAME and publish them"))
			return
		}
	}
	mxs, err := au.Resolver.LookupMX(st.ctx, r.Name)
	if st.failed(c, r.Name, err) {
		return
	}
	want := r.Target
	var found, otherRegion, other int
	var pref uint16
	for _, m := range mxs {
		host := dnsname.Canonical(m.Host)
		c.Found = append(c.Found, fmt.Sprintf("%d %s", m.Pref, host))
		switch {
		case host == want:
			found++
			pref = m.Pref
		case RegionOfFeedbackHost(host) != "":
			otherRegion++
		default:
			other++
		}
	}
	switch {
	case len(mxs) == 0:
		c.Status = StatusMissing
		st.add(finding(FindingMailFromMXMissing, SeverityError, r.Name, "SES Developer Guide: Using a custom MAIL FROM domain", "no MX; publish MX 10 %s", want))
		return
	case found == 0 && otherRegion > 0 && len(mxs) == 1:
		// One MX serves a MAIL FROM domain shared by identities in several
		// regions: bounces reach the named region's feedback endpoint and
		// SES forwards them (FACTS §1.3). SES verifies it, so the custom
		// MAIL FROM is in effect; it is only wrong for a domain used in
		// this region alone.
		c.Status = StatusWrong
		other := RegionOfFeedbackHost(mxs[0].Host)
		region := st.a.Plan.Region.Code
		st.add(finding(FindingMailFromMXWrongRegion, SeverityWarning, r.Name, "SES Developer Guide: Regions and Amazon SES (one MAIL FROM domain in several regions)",
			"MX names %s's feedback endpoint, not %s's; SES accepts one MX for a MAIL FROM domain that several regions share and forwards the bounces, so this is wrong only if %s alone uses it",
			other, region, region))
		st.mailFromOK = true
		if mxs[0].Pref != r.Pref {
			st.add(finding(FindingMailFromMXPriority, SeverityWarning, r.Name, "SES Developer Guide: Using a custom MAIL FROM domain",
				"MX preference %d; SES documents %d", mxs[0].Pref, r.Pref))
		}
		return
	case found == 0 && otherRegion > 0:
		c.Status = StatusWrong
		st.add(finding(FindingMailFromMXWrongRegion, SeverityError, r.Name, "SES Developer Guide: Using a custom MAIL FROM domain",
			"MX names another region's feedback endpoint; %s needs %s", st.a.Plan.Region.Code, want))
		return
	case found == 0 && len(mxs) == 1:
		c.Status = StatusWrong
		st.add(finding(FindingMailFromMXWrong, SeverityError, r.Name, "SES Developer Guide: Using a custom MAIL FROM domain", "MX is not SES's feedback endpoint; replace it with MX 10 %s", want))
		return
	}
	if len(mxs) > 1 {
		c.Status = StatusWrong
		st.add(finding(FindingMailFromMXConflict, SeverityError, r.Name, "SES Developer Guide: Using a custom MAIL FROM domain",
			"%d MX records: SES needs exactly one, to %s; the MAIL FROM domain must not receive mail", len(mxs), want))
		return
	}
	c.Status = StatusPresent
	st.mailFromOK = true
	if pref != r.Pref {
		st.add(finding(FindingMailFromMXPriority, SeverityWarning, r.Name, "SES Developer Guide: Using a custom MAIL FROM domain",
			"MX preference %d; SES documents %d %s", pref, r.Pref, want))
	}
}

func (au *Auditor) checkMailFromSPF(st *auditState, c *RecordCheck) {
	r := c.Record
	if st.mailFromCNAME {
		// Reported by the MX check; SPF lookups would follow the alias.
		c.Status = StatusWrong
		return
	}
	spfs, ok := au.selectTXT(st, c, spf.IsSPF)
	if !ok {
		return
	}
	// The record is spf's subject: its defects carry spf's codes. Without
	// one, SES mail from this MAIL FROM domain gets SPF none, which is an
	// error here (a warning for a domain in general).
	rec, f := spf.SelectRecord(r.Name, spfs)
	if f != nil {
		c.Status = StatusWrong
		if f.Code == spf.FindingNoRecord {
			c.Status, f.Severity = StatusMissing, SeverityError
		}
		st.add(*f)
		return
	}
	if ok, why := includesSES(rec); !ok {
		c.Status = StatusWrong
		st.add(finding(FindingMailFromSPFNoSES, SeverityError, r.Name, "SES Developer Guide: Using a custom MAIL FROM domain",
			"SPF record %s, so SES's servers do not pass SPF", why))
		return
	}
	limit := au.MaxSPFLookups
	if limit <= 0 {
		limit = 10
	}
	// The spf linter walks the include/redirect tree for the worst case.
	lint := (&spf.Linter{Resolver: au.Resolver, MaxLookups: limit}).Lint(st.ctx, r.Name)
	if lint.Lookups > limit {
		c.Status = StatusWrong
		for _, f := range lint.Findings {
			if f.Code == spf.FindingTooManyLookups {
				st.add(f)
			}
		}
		return
	}
	c.Status = StatusPresent
	st.spfOK = true
}

// includesSES reports whether an SPF record makes SES's servers pass: an
// include: of amazonses.com with the pass qualifier that evaluation reaches
// (before any all, RFC 7208 §5.1), or a redirect= to it in a record without
// all (§6.1). why says what is wrong otherwise.
func includesSES(rec *spf.Record) (ok bool, why string) {
	why = "does not include amazonses.com"
	hasAll := false
	for _, t := range rec.Terms {
		hasAll = hasAll || t.Kind == spf.KindAll
	}
	for _, t := range rec.Terms {
		switch {
		case t.Kind == spf.KindAll:
			if why == "does not include amazonses.com" {
				why = "ends at its all term before any include:amazonses.com"
			}
			return false, why
		case t.Kind == spf.KindInclude && dnsname.Equal(t.Domain, "amazonses.com"):
			if q := t.Qualifier; q != 0 && q != spf.QualifierPass {
				why = fmt.Sprintf("has include:amazonses.com with the %q qualifier, which gives SES no pass", string(rune(q)))
				continue
			}
			return true, ""
		case t.Kind == spf.KindRedirect && dnsname.Equal(t.Domain, "amazonses.com") && !hasAll:
			return true, ""
		}
	}
	return false, why
}

// selectTXT looks up the TXT records at the checked record's name and keeps
// those that select reports as records of the kind (RFC 7208 §4.5, RFC 9989
// §4.7: other TXT records are ignored). It sets c.Found; ok is false after a
// temporary failure.
func (au *Auditor) selectTXT(st *auditState, c *RecordCheck, selects func(string) bool) (recs []string, ok bool) {
	txts, err := au.Resolver.LookupTXT(st.ctx, c.Record.Name)
	if st.failed(c, c.Record.Name, err) {
		return nil, false
	}
	for _, t := range txts {
		if selects(t) {
			recs = append(recs, t)
		}
	}
	c.Found = recs
	return recs, true
}

// isDMARC reports whether a receiver would take a TXT record for a DMARC
// record, broken or not (dmarc.SelectRecord decides which applies).
func isDMARC(txt string) bool {
	_, err := dmarc.ParseRecord(txt)
	return !errors.Is(err, dmarc.ErrNotDMARC) || errors.Is(err, dmarc.ErrSyntax)
}

// checkDMARC checks the DMARC record of the identity's domain. The record is
// dmarc's subject: its defects (none, several, broken, p=none without rua)
// carry dmarc's codes, as the DMARC lint reports them.
func (au *Auditor) checkDMARC(st *auditState, c *RecordCheck) {
	r := c.Record
	recs, ok := au.selectTXT(st, c, isDMARC)
	if !ok {
		return
	}
	rec, f := dmarc.SelectRecord(r.Name, recs)
	if f != nil {
		c.Status = StatusWrong
		if f.Code == dmarc.FindingNoRecord {
			c.Status = StatusMissing
		}
		st.add(*f)
		return
	}
	st.a.DMARC = rec
	c.Status = StatusPresent
	if f := noneWithoutRUA(rec, r.Name); f != nil {
		c.Status = StatusWrong
		st.add(*f)
		return
	}
	if want := st.a.Plan.DMARC; want != nil && !st.a.Plan.DMARCRecommended && r.Value != "" && !sameDMARCPolicy(want, rec) {
		c.Status = StatusWrong
		st.add(finding(FindingDMARCDiffers, SeverityWarning, r.Name, "", "published %q, planned %q", recs[0], want.String()))
	}
}

// noneWithoutRUA returns dmarc's finding that rec says p=none without rua
// (the policy does nothing and nobody receives the reports), placed at
// qname as the audit's DMARC area places it ("_dmarc.example.org p"), or
// nil.
func noneWithoutRUA(rec *dmarc.Record, qname string) *Finding {
	for _, f := range rec.Lint(dmarc.ModeRFC9989) {
		if f.Code == dmarc.FindingPNoneWithoutRUA {
			f.Where = qname + " " + f.Where
			return &f
		}
	}
	return nil
}

// sameDMARCPolicy compares what matters to the plan: the policies and the
// aggregate report destinations.
func sameDMARCPolicy(a, b *dmarc.Record) bool {
	if a.EffectivePolicy() != b.EffectivePolicy() || a.PolicyFor(dmarc.DomainKindSubdomain) != b.PolicyFor(dmarc.DomainKindSubdomain) ||
		len(a.AggregateURIs) != len(b.AggregateURIs) {
		return false
	}
	for i := range a.AggregateURIs {
		if !strings.EqualFold(a.AggregateURIs[i].Address, b.AggregateURIs[i].Address) {
			return false
		}
	}
	return true
}

func (au *Auditor) checkVerification(st *auditState, c *RecordCheck) {
	r := c.Record
	token := r.Value
	for _, name := range []string{r.Name, st.a.Plan.Identity.Domain} {
		txts, err := au.Resolver.LookupTXT(st.ctx, name)
		if st.failed(c, name, err) {
			return
		}
		for _, t := range txts {
			// The Developer Guide allows the apex and an "amazonses:" prefix.
			if strings.TrimPrefix(strings.TrimSpace(t), "amazonses:") == token {
				c.Status, c.Found = StatusPresent, []string{t}
				return
			}
		}
		if name == r.Name {
			c.Found = txts
		}
	}
	c.Status = StatusMissing
	st.add(finding(FindingVerificationMissing, SeverityWarning, r.Name, "SES Developer Guide: Verifying a domain (legacy TXT record)", "verification token %q not published", token))
}
