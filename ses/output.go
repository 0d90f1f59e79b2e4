package ses

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/domainauth/domainauth/zone"
)

// MarshalText writes the confidence's name, for JSON.
func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// BIND returns the planned records as a master-file fragment (RFC 1035 §5):
// absolute names, explicit TTL and class, TXT values quoted and split into
// 255-byte strings, one comment line per group saying what the records are
// for and flagging values the region table does not confirm.
func (p *Plan) BIND() string {
	var b strings.Builder
	fmt.Fprintf(&b, "; Amazon SES domain identity %s in %s (%s)\n", p.Identity.Domain, p.Region.Code, p.Region.Name)
	var last Purpose
	for _, r := range p.Records {
		if r.Purpose != last {
			fmt.Fprintf(&b, "; %s\n", r.Purpose)
			last = r.Purpose
		}
		b.WriteString(zone.FormatRR(r.RR()))
		if !r.Confidence.Confirmed() {
			fmt.Fprintf(&b, " ; value %s, check the SES console", r.Confidence)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// WriteBIND writes BIND() to w.
func (p *Plan) WriteBIND(w io.Writer) error {
	_, err := io.WriteString(w, p.BIND())
	return err
}

// Change is one change of a Route 53 ChangeResourceRecordSets request.
type Change struct {
	Action            string                `json:"Action"` // "UPSERT", "CREATE" or "DELETE"
	ResourceRecordSet zone.Route53RecordSet `json:"ResourceRecordSet"`
}

// ChangeBatch is the JSON that `aws route53 change-resource-record-sets
// --change-batch file://batch.json` takes.
type ChangeBatch struct {
	Comment string   `json:"Comment,omitempty"`
	Changes []Change `json:"Changes"`
}

// Route 53 per-request limits (Route 53 Developer Guide, DNS limitations):
// ResourceRecord elements and characters across all Values, where UPSERT
// counts each element and character twice.
const (
	Route53MaxRecords    = 1000
	Route53MaxValueChars = 32000
	// Route53MaxValueLength bounds one ResourceRecord Value (the API
	// model's RData length; for TXT, all quoted strings of one record).
	Route53MaxValueLength = 4000
)

// ErrChangeTooLarge is returned when one record set alone exceeds Route 53's
// per-request limits.
var ErrChangeTooLarge = errors.New("ses: record set exceeds Route 53's per-request limits")

// ChangeBatches returns the plan as Route 53 UPSERT change batches, one
// record set per name and type, TXT values quoted and split into
// 255-character strings. A plan fits in one batch; the result is a slice so
// that callers handle SplitChanges's general case the same way.
//
// UPSERT replaces the whole record set: a _amazonses TXT shared with another
// region's token, or an SPF record at the MAIL FROM domain with other
// values, must be merged by the caller before applying.
func (p *Plan) ChangeBatches(comment string) ([]ChangeBatch, error) {
	var changes []Change
	for _, set := range zone.Route53RecordSets(p.RRs()) {
		changes = append(changes, Change{Action: "UPSERT", ResourceRecordSet: set})
	}
	if comment == "" {
		comment = fmt.Sprintf("Amazon SES set-up of %s in %s", p.Identity.Domain, p.Region.Code)
	}
	return SplitChanges(comment, changes)
}

// SplitChanges packs changes, in order, into as few batches as Route 53's
// per-request limits allow (Route53MaxRecords elements and
// Route53MaxValueChars characters, UPSERT counting double). A change that
// alone exceeds the limits, or holds a Value longer than
// Route53MaxValueLength, gives ErrChangeTooLarge.
func SplitChanges(comment string, changes []Change) ([]ChangeBatch, error) {
	var out []ChangeBatch
	cur := ChangeBatch{Comment: comment}
	records, chars := 0, 0
	for _, c := range changes {
		n, l := len(c.ResourceRecordSet.ResourceRecords), 0
		for _, v := range c.ResourceRecordSet.ResourceRecords {
			if len(v.Value) > Route53MaxValueLength {
				return nil, fmt.Errorf("%w: a %s value at %s has %d characters, more than Route 53's %d per value; shorten the record (for SPF, move terms into an include)",
					ErrChangeTooLarge, c.ResourceRecordSet.Type, c.ResourceRecordSet.Name, len(v.Value), Route53MaxValueLength)
			}
			l += len(v.Value)
		}
		if strings.EqualFold(c.Action, "UPSERT") {
			n, l = 2*n, 2*l
		}
		if n > Route53MaxRecords || l > Route53MaxValueChars {
			return nil, fmt.Errorf("%w: %s %s has %d elements, %d characters (as counted; at most %d and %d per request); split its values across several names or send it without the other changes",
				ErrChangeTooLarge, c.ResourceRecordSet.Name, c.ResourceRecordSet.Type, n, l, Route53MaxRecords, Route53MaxValueChars)
		}
		if records+n > Route53MaxRecords || chars+l > Route53MaxValueChars {
			out = append(out, cur)
			cur = ChangeBatch{Comment: comment}
			records, chars = 0, 0
		}
		cur.Changes = append(cur.Changes, c)
		records += n
		chars += l
	}
	if len(cur.Changes) > 0 {
		out = append(out, cur)
	}
	return out, nil
}

// planJSON is the JSON form of a Plan.
type planJSON struct {
	Domain              string            `json:"domain"`
	Region              string            `json:"region"`
	RegionName          string            `json:"regionName"`
	DKIMZone            *factJSON         `json:"dkimZone,omitempty"`
	BYODKIMSelector     string            `json:"byodkimSelector,omitempty"`
	MailFrom            string            `json:"mailFrom,omitempty"`
	BehaviorOnMXFailure MXFailureBehavior `json:"behaviorOnMxFailure"`
	DMARC               string            `json:"dmarc,omitempty"`
	Records             []recordJSON      `json:"records"`
	Findings            []Finding         `json:"findings"`
	Alignment           Alignment         `json:"alignment"`
}

type factJSON struct {
	Value      string     `json:"value"`
	Confidence Confidence `json:"confidence"`
}

type recordJSON struct {
	Name       string     `json:"name"`
	Type       string     `json:"type"`
	TTL        uint32     `json:"ttl"`
	Value      string     `json:"value"`
	Route53    string     `json:"route53Value"`
	Purpose    Purpose    `json:"purpose"`
	Confidence Confidence `json:"confidence"`
}

// MarshalJSON writes the plan as a JSON object: identity, region, records
// (name, type, TTL, value as published and as Route 53 wants it, purpose,
// confidence), findings and the alignment prediction.
func (p *Plan) MarshalJSON() ([]byte, error) {
	j := planJSON{
		Domain: p.Identity.Domain, Region: p.Region.Code, RegionName: p.Region.Name,
		MailFrom: p.Identity.MailFrom, BehaviorOnMXFailure: p.Identity.BehaviorOnMXFailure,
		Records: []recordJSON{}, Findings: p.Findings, Alignment: p.Alignment,
	}
	if j.Findings == nil {
		j.Findings = []Finding{}
	}
	if p.DKIMZone.Known() {
		j.DKIMZone = &factJSON{p.DKIMZone.Value, p.DKIMZone.Confidence}
	}
	if p.Identity.BYODKIM != nil {
		j.BYODKIMSelector = p.Identity.BYODKIM.Selector
	}
	if p.DMARC != nil {
		j.DMARC = p.DMARC.String()
	}
	for _, r := range p.Records {
		j.Records = append(j.Records, recordJSON{Name: r.Name, Type: r.Type.String(), TTL: r.TTL, Value: r.Value,
			Route53: zone.Route53Value(r.RR()), Purpose: r.Purpose, Confidence: r.Confidence})
	}
	return json.Marshal(j)
}

type checkJSON struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Purpose  Purpose  `json:"purpose"`
	Status   Status   `json:"status"`
	Expected string   `json:"expected"`
	Found    []string `json:"found"`
}

// MarshalJSON writes the audit as a JSON object: domain and region, one
// entry per checked record (name, type, purpose, status, expected value,
// what DNS holds), the findings, the alignment prediction and "ok".
func (a *Audit) MarshalJSON() ([]byte, error) {
	j := struct {
		Domain    string      `json:"domain"`
		Region    string      `json:"region"`
		OK        bool        `json:"ok"`
		Checks    []checkJSON `json:"checks"`
		Findings  []Finding   `json:"findings"`
		Alignment Alignment   `json:"alignment"`
	}{OK: a.OK(), Checks: []checkJSON{}, Findings: a.Findings, Alignment: a.Alignment}
	if a.Plan != nil {
		j.Domain, j.Region = a.Plan.Identity.Domain, a.Plan.Region.Code
	}
	if j.Findings == nil {
		j.Findings = []Finding{}
	}
	for _, c := range a.Checks {
		found := c.Found
		if found == nil {
			found = []string{}
		}
		j.Checks = append(j.Checks, checkJSON{Name: c.Record.Name, Type: c.Record.Type.String(), Purpose: c.Record.Purpose,
			Status: c.Status, Expected: c.Record.Value, Found: found})
	}
	return json.Marshal(j)
}
