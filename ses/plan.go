package ses

import (
	"fmt"

	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/zone"
)

// Purpose says why a planned record exists.
type Purpose uint8

// The purposes of planned records.
const (
	PurposeEasyDKIM     Purpose = iota + 1 // <token>._domainkey CNAME <token>.<zone>
	PurposeBYODKIM                         // <selector>._domainkey TXT p=...
	PurposeMailFromMX                      // <mailfrom> MX 10 feedback-smtp.<region>.amazonses.com
	PurposeMailFromSPF                     // <mailfrom> TXT v=spf1 include:amazonses.com ~all
	PurposeDMARC                           // _dmarc.<domain> TXT v=DMARC1; ...
	PurposeVerification                    // _amazonses.<domain> TXT <token>
)

// String returns "easy-dkim", "byodkim", "mail-from-mx", "mail-from-spf",
// "dmarc" or "verification".
func (p Purpose) String() string {
	switch p {
	case PurposeEasyDKIM:
		return "easy-dkim"
	case PurposeBYODKIM:
		return "byodkim"
	case PurposeMailFromMX:
		return "mail-from-mx"
	case PurposeMailFromSPF:
		return "mail-from-spf"
	case PurposeDMARC:
		return "dmarc"
	case PurposeVerification:
		return "verification"
	}
	return fmt.Sprintf("purpose(%d)", uint8(p))
}

// MarshalText writes the purpose's name, for JSON.
func (p Purpose) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// Record is one DNS record to publish.
type Record struct {
	Name    string    // owner name, lower case, no trailing dot
	Type    zone.Type // zone.TypeCNAME, zone.TypeMX or zone.TypeTXT
	TTL     uint32
	Value   string  // CNAME: target host; MX: "10 host"; TXT: the text, unquoted and unsplit
	Purpose Purpose // why it is needed
	// Confidence is how well the value is established: ConfidenceDocumented for
	// values the caller supplied, the region table's confidence for the
	// DKIM zone and the feedback endpoint.
	Confidence Confidence
	// Pref and Target are the MX fields, Target the CNAME target too.
	Pref   uint16
	Target string
}

// RR returns the record as a zone.RR (TXT split into 255-byte strings).
func (r Record) RR() zone.RR {
	rr := zone.RR{Name: r.Name, Type: r.Type, TTL: r.TTL}
	switch r.Type {
	case zone.TypeCNAME:
		rr.Target = r.Target
	case zone.TypeMX:
		rr.Pref, rr.Target = r.Pref, r.Target
	case zone.TypeTXT:
		rr.Text = zone.SplitString(r.Value)
	}
	return rr
}

// Plan is the DNS set-up of one SES identity: the records to publish and the
// planner's warnings. Build it with Identity.Plan.
type Plan struct {
	// Identity is the input, normalised: names lower case without trailing
	// dot, defaults filled in.
	Identity Identity
	// Region is the region table entry used.
	Region Region
	// DKIMZone is the Easy DKIM signing zone used (SigningHostedZone or the
	// region table's), empty without Easy DKIM.
	DKIMZone Fact
	// DMARC is the DMARC record planned (the caller's or the recommended
	// one); nil with SkipDMARC.
	DMARC *dmarc.Record
	// DMARCRecommended is set when DMARC is the planner's recommendation
	// rather than the caller's record; the audit then accepts any valid
	// published policy.
	DMARCRecommended bool
	// Records lists every record to publish, in a fixed order: DKIM, MAIL
	// FROM MX and SPF, DMARC, verification.
	Records []Record
	// Findings are the planner's warnings (unconfirmed region values, token
	// format, weak keys, DMARC recommendations, alignment problems).
	Findings []Finding
	// Alignment predicts how DMARC will pass for mail from Identity.Domain
	// once the records are published.
	Alignment Alignment
}

// Records returns the records to publish for id; see Plan.
func (id Identity) Records() ([]Record, error) {
	p, err := id.Plan()
	if err != nil {
		return nil, err
	}
	return p.Records, nil
}

// Plan checks id and lists the records it needs. Errors are
// *IdentityError or *UnknownRegionError; warnings are Plan.Findings.
func (id Identity) Plan() (*Plan, error) {
	n, fs, err := id.normalize()
	if err != nil {
		return nil, err
	}
	p := &Plan{Identity: n.Identity, Region: n.region, DMARC: n.dmarc, DMARCRecommended: n.dmarcDef, Findings: fs}
	p.Identity.TTL = n.ttl
	p.Identity.DMARC = n.dmarc
	add := func(r Record) {
		r.TTL = n.ttl
		if r.Confidence == ConfidenceUnknown {
			r.Confidence = ConfidenceDocumented
		}
		p.Records = append(p.Records, r)
	}
	if len(n.EasyDKIMTokens) > 0 {
		p.DKIMZone = n.dkimZone
	}
	for _, t := range n.EasyDKIMTokens {
		target := t + "." + n.dkimZone.Value
		add(Record{Name: t + "._domainkey." + n.Domain, Type: zone.TypeCNAME, Value: target, Target: target,
			Purpose: PurposeEasyDKIM, Confidence: n.dkimZone.Confidence})
	}
	if n.BYODKIM != nil {
		add(Record{Name: n.BYODKIM.Selector + "._domainkey." + n.Domain, Type: zone.TypeTXT, Value: n.byoValue, Purpose: PurposeBYODKIM})
	}
	if n.MailFrom != "" {
		fb := n.region.FeedbackHost
		add(Record{Name: n.MailFrom, Type: zone.TypeMX, Value: "10 " + fb.Value, Pref: 10, Target: fb.Value,
			Purpose: PurposeMailFromMX, Confidence: fb.Confidence})
		add(Record{Name: n.MailFrom, Type: zone.TypeTXT, Value: n.MailFromSPF, Purpose: PurposeMailFromSPF})
	}
	if n.dmarc != nil {
		add(Record{Name: "_dmarc." + n.Domain, Type: zone.TypeTXT, Value: n.dmarc.String(), Purpose: PurposeDMARC})
	}
	if n.VerificationToken != "" {
		add(Record{Name: "_amazonses." + n.Domain, Type: zone.TypeTXT, Value: n.VerificationToken, Purpose: PurposeVerification})
	}
	p.Alignment = p.PredictAlignment("")
	p.Findings = append(p.Findings, p.Alignment.Findings...)
	return p, nil
}

// RRs returns the planned records as zone records.
func (p *Plan) RRs() []zone.RR {
	out := make([]zone.RR, len(p.Records))
	for i, r := range p.Records {
		out[i] = r.RR()
	}
	return out
}

// Zone returns a zone holding exactly the planned records: what DNS should
// answer once they are published. Auditing it reports no findings.
func (p *Plan) Zone() *zone.Zone {
	z := zone.New()
	for _, rr := range p.RRs() {
		// Cannot fail: every planned record has the fields its type needs.
		_ = z.Add(rr)
	}
	return z
}
