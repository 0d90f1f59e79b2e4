package report

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"io"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"
)

// Schema selects the XML vocabulary the Encoder writes.
type Schema uint8

const (
	// SchemaRFC9990 writes <feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">,
	// valid against the RFC 9990 schema.
	SchemaRFC9990 Schema = iota
	// SchemaRFC7489 writes the namespace-less RFC 7489 Appendix C vocabulary,
	// valid against that schema as repaired so that it compiles
	// (targetNamespace removed, IPAddress pattern joined).
	SchemaRFC7489
)

// String names the RFC.
func (s Schema) String() string {
	if s == SchemaRFC7489 {
		return "RFC 7489"
	}
	return "RFC 9990"
}

// Encoder writes aggregate reports as schema-valid XML. The zero Encoder
// writes RFC 9990.
type Encoder struct {
	Schema Schema
}

// ErrNoRecords is returned when asked to encode a report without records:
// both schemas require at least one.
var ErrNoRecords = errors.New("report: encode: a report needs at least one record")

// Normalize returns the report as Encode writes it: a deep copy changed only
// as far as the schema requires. Decode(Encode(a)) equals Normalize(a)
// (warnings aside), and Normalize is idempotent. The changes:
//
//   - text: XML white space trimmed at both ends, invalid UTF-8 and
//     characters XML forbids replaced or removed;
//   - enumerations: Canonical spelling; values still outside the schema
//     become the nearest safe value (disposition none, DMARC result fail,
//     DKIM/SPF result none, override reason other with the original in the
//     comment, alignment/testing/discovery dropped);
//   - times: whole seconds in UTC, a missing bound becoming the epoch;
//   - RFC 7489: version "1.0" unless a decimal is given; sp defaults to p,
//     pct to 100, fo to "0"; SPF scope defaults to mfrom; a record without
//     an SPF result gets one with result none for its envelope (or header)
//     domain; disposition pass becomes none, override policy_test_mode
//     becomes other, SPF result policy becomes neutral; the RFC 9990-only
//     elements (np, testing, discovery_method, generator, SPF human_result,
//     extensions, namespace declarations) are dropped; an unparseable source
//     IP becomes 0.0.0.0;
//   - RFC 9990: a version other than "1.0" becomes "1.0" (§3.1.1.2);
//     extension elements that are not namespaced (§3.1.1.6, §5: an unprefixed
//     top-level element, one in the report's namespace, or an undeclared
//     prefix) are dropped; pct is dropped; several <error> elements are joined with
//     "; "; at most one SPF result is kept, the first with scope mfrom or
//     none (helo results are dropped); forwarded and sampled_out become
//     other; extensions that are not well-formed XML are dropped.
func (e *Encoder) Normalize(a *Aggregate) *Aggregate {
	v7489 := e.Schema == SchemaRFC7489
	n := &Aggregate{
		Version: a.Version,
		Metadata: Metadata{
			OrgName:          clean(a.Metadata.OrgName),
			Email:            clean(a.Metadata.Email),
			ExtraContactInfo: clean(a.Metadata.ExtraContactInfo),
			ReportID:         clean(a.Metadata.ReportID),
			DateRange: DateRange{
				Begin: wholeSeconds(a.Metadata.DateRange.Begin),
				End:   wholeSeconds(a.Metadata.DateRange.End),
			},
			Generator: clean(a.Metadata.Generator),
		},
	}
	if !isDecimal(n.Version) {
		n.Version = ""
	}
	var errs []string
	for _, s := range a.Metadata.Errors {
		if s = clean(s); s != "" {
			errs = append(errs, s)
		}
	}
	p := &n.Policy
	src := a.Policy
	p.Domain = clean(src.Domain)
	p.P = policyDisposition(src.P)
	if p.P == "" {
		p.P = DispositionNone
	}
	p.SP = policyDisposition(src.SP)
	p.ADKIM = knownOrEmpty(src.ADKIM.Canonical())
	p.ASPF = knownOrEmpty(src.ASPF.Canonical())
	p.FO = clean(src.FO)
	if v7489 {
		if n.Version == "" {
			n.Version = "1.0"
		}
		n.Metadata.Errors = errs
		n.Metadata.Generator = ""
		if p.SP == "" {
			p.SP = p.P
		}
		pct := 100
		if src.PCT != nil {
			pct = *src.PCT
		}
		p.PCT = &pct
		if p.FO == "" {
			p.FO = "0"
		}
	} else {
		n.XMLNS = Namespace
		if n.Version != "" {
			n.Version = "1.0" // RFC 9990 §3.1.1.2: version "MUST have the value 1.0"
		}
		if len(errs) > 0 {
			n.Metadata.Errors = []string{strings.Join(errs, "; ")}
		}
		p.NP = policyDisposition(src.NP)
		p.Testing = knownOrEmpty(src.Testing.Canonical())
		p.DiscoveryMethod = knownOrEmpty(src.DiscoveryMethod.Canonical())
		for _, d := range a.Namespaces {
			// Namespaces in XML 1.0 §3: a prefix cannot be bound to
			// the empty name (xmlns:p="" is a namespace error).
			if isNCName(d.Prefix) && d.Prefix != "xmlns" && d.Prefix != "xml" && d.URI != "" &&
				utf8.ValidString(d.URI) && validXMLText(d.URI) {
				n.Namespaces = append(n.Namespaces, d)
			}
		}
		if ext := strings.TrimSpace(a.Extension); ext != "" && wellFormed("<x>"+ext+"</x>", "x") &&
			namespaced(ext, n.Namespaces) {
			n.Extension = ext
		}
	}
	n.Records = make([]Record, len(a.Records))
	for i := range a.Records {
		e.normalizeRecord(&n.Records[i], &a.Records[i], n.Namespaces)
	}
	return n
}

func (e *Encoder) normalizeRecord(r, src *Record, decls []NamespaceDecl) {
	v7489 := e.Schema == SchemaRFC7489
	r.Row.SourceIP = src.Row.SourceIP.WithZone("")
	if v7489 && !r.Row.SourceIP.IsValid() {
		r.Row.SourceIP = netip.IPv4Unspecified()
	}
	r.Row.Count = src.Row.Count
	pe, spe := &r.Row.PolicyEvaluated, &src.Row.PolicyEvaluated
	pe.Disposition = spe.Disposition.Canonical()
	if !pe.Disposition.Known() || v7489 && pe.Disposition == DispositionPass {
		pe.Disposition = DispositionNone
	}
	pe.DKIM = dmarcResult(spe.DKIM)
	pe.SPF = dmarcResult(spe.SPF)
	for _, rs := range spe.Reasons {
		t := rs.Type.Canonical()
		c := clean(rs.Comment)
		if !t.Known() || v7489 && t == OverrideTypePolicyTestMode ||
			!v7489 && (t == OverrideTypeForwarded || t == OverrideTypeSampledOut) {
			if c == "" {
				c = clean(string(rs.Type))
			}
			t = OverrideTypeOther
		}
		pe.Reasons = append(pe.Reasons, PolicyOverrideReason{Type: t, Comment: c})
	}
	r.Identifiers = Identifiers{
		HeaderFrom:   clean(src.Identifiers.HeaderFrom),
		EnvelopeFrom: clean(src.Identifiers.EnvelopeFrom),
		EnvelopeTo:   clean(src.Identifiers.EnvelopeTo),
	}
	for _, d := range src.AuthResults.DKIM {
		res := d.Result.Canonical()
		if !res.Known() {
			res = DKIMResultNone
		}
		r.AuthResults.DKIM = append(r.AuthResults.DKIM, DKIMAuthResult{
			Domain: clean(d.Domain), Selector: clean(d.Selector), Result: res, HumanResult: clean(d.HumanResult),
		})
	}
	for _, s := range src.AuthResults.SPF {
		res := s.Result.Canonical()
		if !res.Known() {
			res = SPFResultNone
		}
		scope := s.Scope.Canonical()
		if !scope.Known() {
			scope = ""
		}
		out := SPFAuthResult{Domain: clean(s.Domain), Scope: scope, Result: res, HumanResult: clean(s.HumanResult)}
		if v7489 {
			if out.Scope == "" {
				out.Scope = SPFScopeMFrom
			}
			if out.Result == SPFResultPolicy {
				out.Result = SPFResultNeutral
			}
			out.HumanResult = ""
		} else {
			if out.Scope == SPFScopeHELO || len(r.AuthResults.SPF) > 0 {
				continue
			}
		}
		r.AuthResults.SPF = append(r.AuthResults.SPF, out)
	}
	if v7489 {
		if len(r.AuthResults.SPF) == 0 {
			dom := r.Identifiers.EnvelopeFrom
			if dom == "" {
				dom = r.Identifiers.HeaderFrom
			}
			r.AuthResults.SPF = []SPFAuthResult{{Domain: dom, Scope: SPFScopeMFrom, Result: SPFResultNone}}
		}
	} else {
		for _, x := range src.Extensions {
			x = strings.TrimSpace(x)
			if name, ok := rootName(x); ok && wellFormed(x, name) && namespaced(x, decls) {
				r.Extensions = append(r.Extensions, x)
			}
		}
	}
}

func policyDisposition(d Disposition) Disposition {
	if d == "" {
		return ""
	}
	c := d.Canonical()
	if !c.Known() || c == DispositionPass {
		return ""
	}
	return c
}

func dmarcResult(r DMARCResult) DMARCResult {
	c := r.Canonical()
	if !c.Known() {
		return DMARCResultFail
	}
	return c
}

func knownOrEmpty[T interface {
	~string
	Known() bool
}](v T) T {
	if v.Known() {
		return v
	}
	return ""
}

func wholeSeconds(t time.Time) time.Time {
	// A date outside the years 1 to 9999 does not decode (see parseTime):
	// it is written as an absent one.
	if t.IsZero() || t.Unix() < minUnix || t.Unix() > maxUnix {
		return time.Unix(0, 0).UTC()
	}
	return time.Unix(t.Unix(), 0).UTC()
}

// clean makes s representable as trimmed XML character data.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if !validXMLText(s) {
		s = strings.Map(func(r rune) rune {
			if isXMLChar(r) {
				return r
			}
			return -1
		}, s)
	}
	return strings.Trim(s, " \t\r\n")
}

func validXMLText(s string) bool {
	for _, r := range s {
		if !isXMLChar(r) {
			return false
		}
	}
	return true
}

func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	t := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	dot := false
	digits := 0
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0 && s == strings.TrimSpace(s)
}

func isNCName(s string) bool {
	if s == "" || !isNameStart(s[0]) || s[0] == ':' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) || s[i] == ':' || s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// rootName returns the qualified name of the element x starts with.
func rootName(x string) (string, bool) {
	if len(x) < 3 || x[0] != '<' || !isNameStart(x[1]) {
		return "", false
	}
	i := 1
	for i < len(x) && isNameByte(x[i]) {
		i++
	}
	name := x[1:i]
	_, local := splitName([]byte(name))
	switch lookupElem(local) {
	case eRow, eIdentifiers, eAuthResults:
		return "", false
	}
	return name, true
}

// namespaced reports whether the extension elements in x obey RFC 9990 §5
// ("these elements MUST be namespaced", in "the namespace of the related
// extension declared in the XML root element"): every top-level element of
// x is in a namespace other than the report's, and every prefix used in x
// is declared, by decls (the <feedback> element's declarations) or inside
// x. An undeclared prefix would make the document not namespace-well-formed
// and fail schema validation.
func namespaced(x string, decls []NamespaceDecl) bool {
	scope := []map[string]string{{"xml": "http://www.w3.org/XML/1998/namespace", "": Namespace}}
	for _, d := range decls {
		scope[0][d.Prefix] = d.URI
	}
	resolve := func(prefix string) (string, bool) {
		for i := len(scope) - 1; i >= 0; i-- {
			if u, ok := scope[i][prefix]; ok {
				return u, true
			}
		}
		return "", false
	}
	d := xml.NewDecoder(strings.NewReader(x))
	for {
		t, err := d.RawToken()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
		switch t := t.(type) {
		case xml.StartElement:
			m := map[string]string{}
			for _, at := range t.Attr {
				switch {
				case at.Name.Space == "xmlns":
					if at.Value == "" || at.Name.Local == "xmlns" || at.Name.Local == "xml" {
						return false // not namespace-well-formed
					}
					m[at.Name.Local] = at.Value
				case at.Name.Space == "" && at.Name.Local == "xmlns":
					m[""] = at.Value
				}
			}
			scope = append(scope, m)
			uri, ok := resolve(t.Name.Space)
			if !ok || len(scope) == 2 && (uri == Namespace || uri == "") {
				return false
			}
			for _, at := range t.Attr {
				if at.Name.Space != "" && at.Name.Space != "xmlns" {
					if _, ok := resolve(at.Name.Space); !ok {
						return false
					}
				}
			}
		case xml.EndElement:
			scope = scope[:len(scope)-1]
		}
	}
}

// wellFormed reports whether x is exactly one well-formed element named
// name, so that writing it back yields the same bytes when decoded.
func wellFormed(x, name string) bool {
	if strings.Contains(x, "<!") || strings.Contains(x, "<?") {
		// Comments, CDATA and declarations are legal but round-trip
		// poorly through tolerant scanning; keep extensions plain.
		return false
	}
	_, local := splitName([]byte(name))
	d := xml.NewDecoder(strings.NewReader(x))
	depth := 0
	first := true
	for {
		t, err := d.Token() // Token, unlike RawToken, checks that end tags match
		if err == io.EOF {
			return depth == 0 && !first
		}
		if err != nil {
			return false
		}
		switch t := t.(type) {
		case xml.StartElement:
			if first {
				if t.Name.Local != string(local) {
					return false
				}
				first = false
			} else if depth == 0 {
				return false
			}
			depth++
		case xml.EndElement:
			depth--
			if depth < 0 {
				return false
			}
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return false
			}
		}
	}
}

// Encode writes Normalize(a) as XML.
func (e *Encoder) Encode(w io.Writer, a *Aggregate) error {
	if len(a.Records) == 0 {
		return ErrNoRecords
	}
	n := e.Normalize(a)
	x := &xmlWriter{w: bufio.NewWriterSize(w, 32<<10)}
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	e.write(x, n)
	if x.err != nil {
		return x.err
	}
	return x.w.Flush()
}

// Marshal returns the XML encoding of a.
func (e *Encoder) Marshal(a *Aggregate) ([]byte, error) {
	var b bytes.Buffer
	if err := e.Encode(&b, a); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// EncodeGzip writes the XML gzip-compressed, as RFC 9990 §3 asks reports to
// be sent.
func (e *Encoder) EncodeGzip(w io.Writer, a *Aggregate) error {
	zw := gzip.NewWriter(w)
	if err := e.Encode(zw, a); err != nil {
		zw.Close()
		return err
	}
	return zw.Close()
}

func (e *Encoder) write(x *xmlWriter, n *Aggregate) {
	v7489 := e.Schema == SchemaRFC7489
	x.raw("<feedback")
	if n.XMLNS != "" {
		x.raw(` xmlns="`)
		x.text(n.XMLNS)
		x.raw(`"`)
	}
	for _, d := range n.Namespaces {
		x.raw(" xmlns:" + d.Prefix + `="`)
		x.text(d.URI)
		x.raw(`"`)
	}
	x.raw(">\n")
	x.opt(1, "version", n.Version) // Normalize sets it for RFC 7489
	m := &n.Metadata
	x.open(1, "report_metadata")
	x.leaf(2, "org_name", m.OrgName)
	x.leaf(2, "email", m.Email)
	x.opt(2, "extra_contact_info", m.ExtraContactInfo)
	x.leaf(2, "report_id", m.ReportID)
	x.dateRange(2, m.DateRange)
	for _, s := range m.Errors {
		x.leaf(2, "error", s)
	}
	x.opt(2, "generator", m.Generator)
	x.close(1, "report_metadata")
	// policy_published is xs:all in both schemas; RFC 9990's order.
	p := &n.Policy
	x.open(1, "policy_published")
	x.leaf(2, "domain", p.Domain)
	x.opt(2, "discovery_method", string(p.DiscoveryMethod))
	x.leaf(2, "p", string(p.P))
	x.opt(2, "sp", string(p.SP))
	x.opt(2, "np", string(p.NP))
	x.opt(2, "adkim", string(p.ADKIM))
	x.opt(2, "aspf", string(p.ASPF))
	if p.PCT != nil {
		x.leaf(2, "pct", itoa(int64(*p.PCT)))
	}
	x.opt(2, "fo", p.FO)
	x.opt(2, "testing", string(p.Testing))
	x.close(1, "policy_published")
	if n.Extension != "" {
		x.raw("  <extension>")
		x.raw(n.Extension)
		x.raw("</extension>\n")
	}
	for i := range n.Records {
		r := &n.Records[i]
		x.open(1, "record")
		x.row(r, v7489)
		x.open(2, "identifiers")
		x.leaf(3, "header_from", r.Identifiers.HeaderFrom)
		x.field(3, "envelope_from", r.Identifiers.EnvelopeFrom, v7489) // required by RFC 7489
		x.opt(3, "envelope_to", r.Identifiers.EnvelopeTo)
		x.close(2, "identifiers")
		x.open(2, "auth_results")
		for _, d := range r.AuthResults.DKIM {
			x.open(3, "dkim")
			x.leaf(4, "domain", d.Domain)
			x.field(4, "selector", d.Selector, !v7489) // required by RFC 9990
			x.leaf(4, "result", string(d.Result))
			x.opt(4, "human_result", d.HumanResult)
			x.close(3, "dkim")
		}
		for _, s := range r.AuthResults.SPF {
			x.open(3, "spf")
			x.leaf(4, "domain", s.Domain)
			x.opt(4, "scope", string(s.Scope)) // Normalize sets it for RFC 7489
			x.leaf(4, "result", string(s.Result))
			x.opt(4, "human_result", s.HumanResult)
			x.close(3, "spf")
		}
		x.close(2, "auth_results")
		for _, ext := range r.Extensions {
			x.indent(2)
			x.raw(ext)
			x.raw("\n")
		}
		x.close(1, "record")
	}
	x.raw("</feedback>\n")
}

type xmlWriter struct {
	w   *bufio.Writer
	err error
	num [64]byte
}

func (x *xmlWriter) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func (x *xmlWriter) bytes(b []byte) {
	if x.err == nil {
		_, x.err = x.w.Write(b)
	}
}

func (x *xmlWriter) indent(n int) {
	x.raw("          "[:2*n])
}

func (x *xmlWriter) open(n int, name string) {
	x.indent(n)
	x.raw("<")
	x.raw(name)
	x.raw(">\n")
}

func (x *xmlWriter) close(n int, name string) {
	x.indent(n)
	x.raw("</")
	x.raw(name)
	x.raw(">\n")
}

func (x *xmlWriter) leaf(n int, name, v string) {
	x.indent(n)
	x.raw("<")
	x.raw(name)
	x.raw(">")
	x.text(v)
	x.raw("</")
	x.raw(name)
	x.raw(">\n")
}

// field writes a required element always and an optional one when set.
func (x *xmlWriter) field(n int, name, v string, required bool) {
	if required || v != "" {
		x.leaf(n, name, v)
	}
}

func (x *xmlWriter) opt(n int, name, v string) {
	if v != "" {
		x.leaf(n, name, v)
	}
}

// text writes v escaped as character data (also safe in attribute values).
func (x *xmlWriter) text(v string) {
	last := 0
	for i := 0; i < len(v); i++ {
		var esc string
		switch v[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\r':
			esc = "&#13;"
		case '\t':
			esc = "&#9;"
		case '\n':
			esc = "&#10;"
		default:
			continue
		}
		x.raw(v[last:i])
		x.raw(esc)
		last = i + 1
	}
	x.raw(v[last:])
}

func (x *xmlWriter) dateRange(n int, dr DateRange) {
	x.open(n, "date_range")
	x.leaf(n+1, "begin", itoa(dr.Begin.Unix()))
	x.leaf(n+1, "end", itoa(dr.End.Unix()))
	x.close(n, "date_range")
}

func (x *xmlWriter) row(r *Record, v7489 bool) {
	x.open(2, "row")
	x.indent(3)
	x.raw("<source_ip>")
	if a := r.Row.SourceIP; a.IsValid() {
		if v7489 && !a.Is4() {
			x.raw(a.StringExpanded()) // the RFC 7489 pattern wants all 8 groups
		} else {
			x.bytes(a.AppendTo(x.num[:0]))
		}
	}
	x.raw("</source_ip>\n")
	x.leaf(3, "count", string(appendUint(x.num[:0], r.Row.Count)))
	pe := &r.Row.PolicyEvaluated
	x.open(3, "policy_evaluated")
	x.leaf(4, "disposition", string(pe.Disposition))
	x.leaf(4, "dkim", string(pe.DKIM))
	x.leaf(4, "spf", string(pe.SPF))
	for _, rs := range pe.Reasons {
		x.open(4, "reason")
		x.leaf(5, "type", string(rs.Type))
		x.opt(5, "comment", rs.Comment)
		x.close(4, "reason")
	}
	x.close(3, "policy_evaluated")
	x.close(2, "row")
}
