package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The reference decoder: encoding/xml unmarshalling into a mirror of the
// schema, converted with the same value rules. On well-formed input the
// purpose-built scanner must agree with it (differential fuzzing).

type refFeedback struct {
	XMLName  xml.Name `xml:"feedback"`
	Version  *string  `xml:"version"`
	Metadata struct {
		OrgName          *string  `xml:"org_name"`
		Email            *string  `xml:"email"`
		ExtraContactInfo *string  `xml:"extra_contact_info"`
		ReportID         *string  `xml:"report_id"`
		Begin            *string  `xml:"date_range>begin"`
		End              *string  `xml:"date_range>end"`
		Errors           []string `xml:"error"`
		Generator        *string  `xml:"generator"`
	} `xml:"report_metadata"`
	Policy struct {
		Domain          *string `xml:"domain"`
		DiscoveryMethod *string `xml:"discovery_method"`
		ADKIM           *string `xml:"adkim"`
		ASPF            *string `xml:"aspf"`
		P               *string `xml:"p"`
		SP              *string `xml:"sp"`
		NP              *string `xml:"np"`
		PCT             *string `xml:"pct"`
		FO              *string `xml:"fo"`
		Testing         *string `xml:"testing"`
	} `xml:"policy_published"`
	Records []struct {
		Row struct {
			SourceIP        *string `xml:"source_ip"`
			Count           *string `xml:"count"`
			PolicyEvaluated struct {
				Disposition *string `xml:"disposition"`
				DKIM        *string `xml:"dkim"`
				SPF         *string `xml:"spf"`
				Reasons     []struct {
					Type    *string `xml:"type"`
					Comment *string `xml:"comment"`
				} `xml:"reason"`
			} `xml:"policy_evaluated"`
		} `xml:"row"`
		Identifiers struct {
			HeaderFrom   *string `xml:"header_from"`
			EnvelopeFrom *string `xml:"envelope_from"`
			EnvelopeTo   *string `xml:"envelope_to"`
		} `xml:"identifiers"`
		AuthResults struct {
			DKIM []struct {
				Domain      *string `xml:"domain"`
				Selector    *string `xml:"selector"`
				Result      *string `xml:"result"`
				HumanResult *string `xml:"human_result"`
			} `xml:"dkim"`
			SPF []struct {
				Domain      *string `xml:"domain"`
				Scope       *string `xml:"scope"`
				Result      *string `xml:"result"`
				HumanResult *string `xml:"human_result"`
			} `xml:"spf"`
		} `xml:"auth_results"`
	} `xml:"record"`
}

func refStr(p *string) string {
	if p == nil {
		return ""
	}
	return string(trimSpace([]byte(*p)))
}

func refEnum[T ~string](p *string, vocab []T) T {
	s := refStr(p)
	if s == "" {
		return ""
	}
	for _, k := range vocab {
		if strings.EqualFold(s, string(k)) {
			return k
		}
	}
	return T(s)
}

// refDecode decodes with encoding/xml; ok is false when the input is not
// in the subset where the two decoders must agree.
func refDecode(data []byte) (*Aggregate, bool) {
	if !refComparable(data) {
		return nil, false
	}
	var f refFeedback
	if err := xml.Unmarshal(data, &f); err != nil {
		return nil, false
	}
	a := &Aggregate{XMLNS: f.XMLName.Space}
	a.Version = refStr(f.Version)
	m := &a.Metadata
	m.OrgName, m.Email = refStr(f.Metadata.OrgName), refStr(f.Metadata.Email)
	m.ExtraContactInfo, m.ReportID = refStr(f.Metadata.ExtraContactInfo), refStr(f.Metadata.ReportID)
	m.Generator = refStr(f.Metadata.Generator)
	for _, e := range f.Metadata.Errors {
		m.Errors = append(m.Errors, refStr(&e))
	}
	if s := refStr(f.Metadata.Begin); s != "" {
		m.DateRange.Begin, _ = parseTime([]byte(s))
	}
	if s := refStr(f.Metadata.End); s != "" {
		m.DateRange.End, _ = parseTime([]byte(s))
	}
	p := &a.Policy
	p.Domain, p.FO = refStr(f.Policy.Domain), refStr(f.Policy.FO)
	p.DiscoveryMethod = refEnum(f.Policy.DiscoveryMethod, discoveryMethods)
	p.ADKIM, p.ASPF = refEnum(f.Policy.ADKIM, alignments), refEnum(f.Policy.ASPF, alignments)
	p.P, p.SP, p.NP = refEnum(f.Policy.P, dispositions), refEnum(f.Policy.SP, dispositions), refEnum(f.Policy.NP, dispositions)
	p.Testing = refEnum(f.Policy.Testing, testings)
	if s := refStr(f.Policy.PCT); s != "" { // the last <pct> counts
		if n, ok, _ := parseCount([]byte(s)); ok {
			v := int(min(n, 1<<31))
			p.PCT = &v
		}
	}
	for _, fr := range f.Records {
		var r Record
		r.Row.SourceIP, _ = parseIP([]byte(refStr(fr.Row.SourceIP)))
		if s := refStr(fr.Row.Count); s != "" {
			r.Row.Count, _, _ = parseCount([]byte(s))
		}
		pe := fr.Row.PolicyEvaluated
		r.Row.PolicyEvaluated.Disposition = refEnum(pe.Disposition, dispositions)
		r.Row.PolicyEvaluated.DKIM = refEnum(pe.DKIM, dmarcResults)
		r.Row.PolicyEvaluated.SPF = refEnum(pe.SPF, dmarcResults)
		for _, rs := range pe.Reasons {
			r.Row.PolicyEvaluated.Reasons = append(r.Row.PolicyEvaluated.Reasons,
				PolicyOverrideReason{Type: refEnum(rs.Type, overrideTypes), Comment: refStr(rs.Comment)})
		}
		id := fr.Identifiers
		r.Identifiers = Identifiers{HeaderFrom: refStr(id.HeaderFrom), EnvelopeFrom: refStr(id.EnvelopeFrom), EnvelopeTo: refStr(id.EnvelopeTo)}
		for _, d := range fr.AuthResults.DKIM {
			r.AuthResults.DKIM = append(r.AuthResults.DKIM, DKIMAuthResult{Domain: refStr(d.Domain), Selector: refStr(d.Selector),
				Result: refEnum(d.Result, dkimResults), HumanResult: refStr(d.HumanResult)})
		}
		for _, s := range fr.AuthResults.SPF {
			r.AuthResults.SPF = append(r.AuthResults.SPF, SPFAuthResult{Domain: refStr(s.Domain), Scope: refEnum(s.Scope, spfScopes),
				Result: refEnum(s.Result, spfResults), HumanResult: refStr(s.HumanResult)})
		}
		a.Records = append(a.Records, r)
	}
	return a, true
}

// refLeaves are the paths whose elements hold text only.
var refLeaves = map[string]bool{}

func init() {
	for _, p := range []string{
		"feedback/version", "feedback/report_metadata/org_name", "feedback/report_metadata/email",
		"feedback/report_metadata/extra_contact_info", "feedback/report_metadata/report_id",
		"feedback/report_metadata/date_range/begin", "feedback/report_metadata/date_range/end",
		"feedback/report_metadata/error", "feedback/report_metadata/generator",
		"feedback/record/row/source_ip", "feedback/record/row/count",
		"feedback/record/row/policy_evaluated/disposition", "feedback/record/row/policy_evaluated/dkim",
		"feedback/record/row/policy_evaluated/spf", "feedback/record/row/policy_evaluated/reason/type",
		"feedback/record/row/policy_evaluated/reason/comment",
		"feedback/record/identifiers/header_from", "feedback/record/identifiers/envelope_from",
		"feedback/record/identifiers/envelope_to",
	} {
		refLeaves[p] = true
	}
	for _, l := range []string{"domain", "discovery_method", "adkim", "aspf", "p", "sp", "np", "pct", "fo", "testing"} {
		refLeaves["feedback/policy_published/"+l] = true
	}
	for _, l := range []string{"domain", "selector", "result", "human_result"} {
		refLeaves["feedback/record/auth_results/dkim/"+l] = true
	}
	for _, l := range []string{"domain", "scope", "result", "human_result"} {
		refLeaves["feedback/record/auth_results/spf/"+l] = true
	}
}

// refComparable reports whether data is in the subset both decoders read
// the same way: well-formed, root <feedback>, no prefixed names, no element
// inside a leaf, no processing instruction or directive after the prolog
// (a leaf's text is the only place they could differ, and the schema has
// none).
func refComparable(data []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(data))
	var path []string
	root := false
	for {
		t, err := d.RawToken()
		if err == io.EOF {
			return root && len(path) == 0
		}
		if err != nil {
			return false
		}
		switch t := t.(type) {
		case xml.StartElement:
			if t.Name.Space != "" {
				return false
			}
			if len(path) == 0 {
				if root || t.Name.Local != "feedback" {
					return false
				}
				root = true
			} else if refLeaves[strings.Join(path, "/")] {
				return false
			}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" {
					return false
				}
			}
			path = append(path, t.Name.Local)
		case xml.EndElement:
			if len(path) == 0 {
				return false
			}
			path = path[:len(path)-1]
		case xml.ProcInst, xml.Directive:
			if root {
				return false
			}
		case xml.CharData:
			if len(path) == 0 && root && len(bytes.TrimSpace(t)) > 0 {
				return false
			}
		}
	}
}

var refCmp = cmp.Options{
	cmpOpts,
	cmpopts.IgnoreFields(Aggregate{}, "Namespaces", "Extension"),
	cmpopts.IgnoreFields(Record{}, "Extensions"),
}

// differential decodes data with both decoders and reports a difference.
func differential(t *testing.T, data []byte) {
	want, ok := refDecode(data)
	if !ok {
		return
	}
	got, err := Decode(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, ErrLimit) || errors.Is(err, ErrNotReport) && len(want.Records) == 0 && want.Policy.Domain == "" {
			return // limits, and <feedback/>, which is no report
		}
		t.Fatalf("encoding/xml reads it, Decode fails: %v\ninput: %q", err, data)
	}
	if d := cmp.Diff(want, got, refCmp); d != "" {
		t.Fatalf("decoders differ (-encoding/xml +report):\n%s\ninput: %q", d, data)
	}
}

func TestDifferentialSamples(t *testing.T) {
	dir, es := loadOracle(t)
	n := 0
	for _, e := range es {
		if e.Container != "xml" {
			continue
		}
		b := readFile(t, dir, e.File)
		if _, ok := refDecode(b); ok {
			n++
			differential(t, b)
		}
	}
	differential(t, genBytes(200))
	t.Logf("%d samples compared with encoding/xml", n)
}

// randomDoc builds a random well-formed document over the report
// vocabulary: any order, repeats, omissions, unknown elements, self-closing
// tags, comments, CDATA, references, CR LF and non-ASCII text.
func randomDoc(rng *rand.Rand) []byte {
	var b strings.Builder
	texts := []string{"", " ", "pass", "Pass", "FAIL", "none", "r", "s", "y", "mfrom", "helo", "hardfail", "quarantine",
		"1700000000", " 42 ", "12.0", "-5", "192.0.2.1", "2001:db8::1", "::ffff:1.2.3.4", "bad ip", "example.com",
		"a&amp;b", "&lt;x&gt;", "&#233;t&#xE9;", "<![CDATA[<cdata> & ]]>", "x<!-- c -->y", "line\r\nbreak", "ünï", "&quot;q&apos;"}
	ws := func() {
		switch rng.IntN(4) {
		case 0:
			b.WriteString("\n ")
		case 1:
			b.WriteString("<!-- note -->")
		}
	}
	var elem func(name string, depth int)
	children := map[string][]string{
		"feedback":         {"version", "report_metadata", "policy_published", "record", "record", "extension", "unknown"},
		"report_metadata":  {"org_name", "email", "extra_contact_info", "report_id", "date_range", "error", "generator", "unknown"},
		"date_range":       {"begin", "end"},
		"policy_published": {"domain", "discovery_method", "adkim", "aspf", "p", "sp", "np", "pct", "fo", "testing"},
		"record":           {"row", "identifiers", "auth_results", "unknown"},
		"row":              {"source_ip", "count", "policy_evaluated"},
		"policy_evaluated": {"disposition", "dkim", "spf", "reason"},
		"reason":           {"type", "comment"},
		"identifiers":      {"header_from", "envelope_from", "envelope_to"},
		"auth_results":     {"dkimres", "dkimres", "spfres"},
		"dkimres":          {"domain", "selector", "result", "human_result"},
		"spfres":           {"domain", "scope", "result", "human_result"},
		"extension":        {"unknown"},
		"unknown":          {"unknown", "org_name"},
	}
	elem = func(name string, depth int) {
		tag := name
		switch name {
		case "dkimres":
			tag = "dkim"
		case "spfres":
			tag = "spf"
		case "unknown":
			tag = []string{"foo", "bar", "zz_top"}[rng.IntN(3)]
		}
		kids, container := children[name]
		if rng.IntN(12) == 0 {
			b.WriteString("<" + tag + "/>")
			return
		}
		b.WriteString("<" + tag + ">")
		if container && depth < 6 {
			for _, k := range kids {
				for n := rng.IntN(3); n > 0; n-- {
					ws()
					elem(k, depth+1)
				}
			}
			ws()
		} else if !container {
			for n := rng.IntN(3); n > 0; n-- {
				b.WriteString(texts[rng.IntN(len(texts))])
			}
		}
		b.WriteString("</" + tag + ">")
	}
	if rng.IntN(2) == 0 {
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	}
	elem("feedback", 0)
	return []byte(b.String())
}

// TestDifferentialRandom compares the decoders on random well-formed
// documents.
func TestDifferentialRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	n := 1500
	if testing.Short() || raceEnabled {
		n = 200
	}
	compared := 0
	for range n {
		doc := randomDoc(rng)
		if _, ok := refDecode(doc); ok {
			compared++
		}
		differential(t, doc)
	}
	if compared < n/2 {
		t.Errorf("only %d of %d random documents were comparable", compared, n)
	}
}
