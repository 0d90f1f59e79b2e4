package report

import (
	"net/netip"
	"strings"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/sat"
)

// Namespace is the XML namespace of RFC 9990 aggregate reports. RFC 7489
// reports carry no namespace.
const Namespace = "urn:ietf:params:xml:ns:dmarc-2.0"

// Aggregate is one DMARC aggregate report: the <feedback> element of RFC 7489
// Appendix C and RFC 9990 Appendix A. Field names follow the element names;
// JSON names are the element names themselves (snake_case).
type Aggregate struct {
	// Version is the text of <version>, "" when absent (most reporters
	// omit it although the RFC 7489 schema requires it).
	Version string `json:"version,omitempty"`
	// XMLNS is the namespace of the <feedback> element: Namespace for
	// RFC 9990 documents, "" for RFC 7489 ones.
	XMLNS string `json:"xmlns,omitempty"`
	// Namespaces lists the prefixed namespace declarations of the root
	// element (xmlns:p="uri"), which extension elements may use.
	Namespaces []NamespaceDecl `json:"namespaces,omitempty"`

	Metadata Metadata        `json:"report_metadata"`
	Policy   PolicyPublished `json:"policy_published"`
	// Extension is the raw content of the RFC 9990 top-level <extension>
	// element, "" when absent.
	Extension string `json:"extension,omitempty"`

	Records []Record `json:"record"`

	// Warnings lists every repair and oddity the decoder met (never part
	// of the encoded report). Repeated warnings are counted, not repeated.
	Warnings []Warning `json:"warnings,omitempty"`
}

// NamespaceDecl is one xmlns:Prefix="URI" declaration.
type NamespaceDecl struct {
	Prefix string `json:"prefix"`
	URI    string `json:"uri"`
}

// Metadata is <report_metadata>: who sent the report and for which period.
type Metadata struct {
	OrgName          string    `json:"org_name"`
	Email            string    `json:"email"`
	ExtraContactInfo string    `json:"extra_contact_info,omitempty"`
	ReportID         string    `json:"report_id"`
	DateRange        DateRange `json:"date_range"`
	// Errors holds the <error> elements (RFC 7489 allows several,
	// RFC 9990 one).
	Errors []string `json:"error,omitempty"`
	// Generator is the RFC 9990 <generator> element.
	Generator string `json:"generator,omitempty"`
}

// DateRange is the reporting period (<date_range>, seconds since the epoch
// in the XML), in UTC. A missing bound is the zero time.
type DateRange struct {
	Begin time.Time `json:"begin"`
	End   time.Time `json:"end"`
}

// PolicyPublished is <policy_published>: the DMARC policy the receiver found.
// Empty enum values mean the element was absent.
type PolicyPublished struct {
	Domain          string          `json:"domain"`
	DiscoveryMethod DiscoveryMethod `json:"discovery_method,omitempty"` // RFC 9990
	ADKIM           Alignment       `json:"adkim,omitempty"`
	ASPF            Alignment       `json:"aspf,omitempty"`
	P               Disposition     `json:"p"`
	SP              Disposition     `json:"sp,omitempty"`
	NP              Disposition     `json:"np,omitempty"` // RFC 9990
	// PCT is the RFC 7489 pct value, nil when absent (RFC 9990 dropped it).
	PCT     *int    `json:"pct,omitempty"`
	FO      string  `json:"fo,omitempty"`
	Testing Testing `json:"testing,omitempty"` // RFC 9990
}

// Record is one <record>: a row of identical results for one source IP.
type Record struct {
	Row         Row         `json:"row"`
	Identifiers Identifiers `json:"identifiers"`
	AuthResults AuthResults `json:"auth_results"`
	// Extensions holds unknown elements after <auth_results>
	// (RFC 9990 record-level extensions), as raw XML.
	Extensions []string `json:"extensions,omitempty"`
}

// Row is <row>: the connecting IP, the message count and the DMARC outcome.
type Row struct {
	// SourceIP is the connecting address; the zero Addr when the report
	// gave none or an unparseable one (a warning says which).
	SourceIP        netip.Addr      `json:"source_ip"`
	Count           uint64          `json:"count"`
	PolicyEvaluated PolicyEvaluated `json:"policy_evaluated"`
}

// PolicyEvaluated is <policy_evaluated>: the disposition applied and the
// DMARC-aligned DKIM and SPF results.
type PolicyEvaluated struct {
	Disposition Disposition            `json:"disposition"`
	DKIM        DMARCResult            `json:"dkim"`
	SPF         DMARCResult            `json:"spf"`
	Reasons     []PolicyOverrideReason `json:"reason,omitempty"`
}

// PolicyOverrideReason is one <reason>: why the disposition differs from
// the published policy.
type PolicyOverrideReason struct {
	Type    OverrideType `json:"type"`
	Comment string       `json:"comment,omitempty"`
}

// Identifiers is <identifiers>: the domains DMARC evaluated.
type Identifiers struct {
	HeaderFrom   string `json:"header_from"`
	EnvelopeFrom string `json:"envelope_from,omitempty"`
	EnvelopeTo   string `json:"envelope_to,omitempty"`
}

// AuthResults is <auth_results>: raw DKIM and SPF results, uninterpreted
// with respect to DMARC.
type AuthResults struct {
	DKIM []DKIMAuthResult `json:"dkim,omitempty"`
	SPF  []SPFAuthResult  `json:"spf,omitempty"`
}

// DKIMAuthResult is one <dkim> result: a signature's d=, s= and outcome.
type DKIMAuthResult struct {
	Domain      string     `json:"domain"`
	Selector    string     `json:"selector,omitempty"`
	Result      DKIMResult `json:"result"`
	HumanResult string     `json:"human_result,omitempty"`
}

// SPFAuthResult is one <spf> result.
type SPFAuthResult struct {
	Domain      string    `json:"domain"`
	Scope       SPFScope  `json:"scope,omitempty"`
	Result      SPFResult `json:"result"`
	HumanResult string    `json:"human_result,omitempty"` // RFC 9990
}

// Messages returns the sum of the records' counts, saturating at
// math.MaxUint64 (never wrapping).
func (a *Aggregate) Messages() uint64 {
	var n uint64
	for i := range a.Records {
		n = sat.Add(n, a.Records[i].Row.Count)
	}
	return n
}

// Warning is a repair or oddity met while decoding. Code is stable and meant
// for matching ("report.unescaped-lt"); Message is for people.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Path is the element concerned ("feedback/record/identifiers/header_from").
	Path string `json:"path,omitempty"`
	// Line is the 1-based line of the first occurrence in the decompressed
	// document (0 for container-level warnings).
	Line int `json:"line,omitempty"`
	// Count is how many times it occurred.
	Count int `json:"count"`
}

// String formats the warning for people: code, message, place, count.
func (w Warning) String() string {
	s := w.Code + ": " + w.Message
	if w.Path != "" {
		s += " (at " + w.Path
		if w.Line > 0 {
			s += ", line " + itoa(int64(w.Line))
		}
		s += ")"
	}
	if w.Count > 1 {
		s += " (x" + itoa(int64(w.Count)) + ")"
	}
	return s
}

// Finding returns w as a domainauth.Finding, the form every package
// reports in: a Warning (a repair the decoder made, or an oddity it met),
// Where the element path and line, and the count in the message.
func (w Warning) Finding() domainauth.Finding {
	where := w.Path
	if w.Line > 0 {
		where += " line " + itoa(int64(w.Line))
	}
	msg := w.Message
	if w.Count > 1 {
		msg += " (x" + itoa(int64(w.Count)) + ")"
	}
	return domainauth.Finding{Code: w.Code, Severity: domainauth.SeverityWarning, Where: strings.TrimSpace(where), Message: msg}
}

func itoa(n int64) string {
	var b [24]byte
	return string(appendInt(b[:0], n))
}

func appendInt(b []byte, n int64) []byte {
	if n < 0 {
		b = append(b, '-')
		return appendUint(b, uint64(-n))
	}
	return appendUint(b, uint64(n))
}

func appendUint(b []byte, n uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}
