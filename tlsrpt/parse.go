package tlsrpt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/domainauth/domainauth/internal/container"
	"github.com/domainauth/domainauth/internal/sat"
)

// parser reads one JSON document into a Report, tolerating what real
// reports get wrong and saying so in warnings.
type parser struct {
	lim       limits
	container string
	warns     []Warning
	idx       map[string]int // code and member (indices dropped) → warns index
	details   int            // failure-details entries read
}

type obj map[string]json.RawMessage

func (p *parser) fail(kind error, path, msg string, off int64, err error) error {
	return &DecodeError{Kind: kind, Container: p.container, Path: path, Offset: off, Msg: msg, Err: err}
}

func (p *parser) limit(field, path, msg string) error {
	return &DecodeError{Kind: ErrLimit, Container: p.container, Path: path, Offset: -1, Msg: msg, Limit: field}
}

// warnAt records a warning; repeats of one code at one member (whatever
// the array indices) are counted, so their number is bounded by the
// vocabulary, not by the input.
func (p *parser) warnAt(code, path, msg string) {
	key := code + " " + stripIndices(path)
	if i, ok := p.idx[key]; ok {
		p.warns[i].Count++
		return
	}
	if p.idx == nil {
		p.idx = map[string]int{}
	}
	p.idx[key] = len(p.warns)
	p.warns = append(p.warns, Warning{Code: code, Message: msg, Path: path, Count: 1})
}

func stripIndices(path string) string {
	if !strings.Contains(path, "[") {
		return path
	}
	var b strings.Builder
	in := false
	for _, c := range path {
		switch {
		case c == '[':
			in = true
			b.WriteString("[]")
		case c == ']':
			in = false
		case !in:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func join(path, member string) string {
	switch {
	case member == "":
		return path
	case path == "":
		return member
	}
	return path + "." + member
}

// simpleString decodes a JSON string without escapes: the common case,
// without a pass through encoding/json.
func simpleString(v json.RawMessage) (string, bool) {
	if len(v) < 2 || v[len(v)-1] != '"' {
		return "", false
	}
	b := v[1 : len(v)-1]
	for _, c := range b {
		if c == '\\' || c == '"' || c < 0x20 || c >= utf8.RuneSelf {
			return "", false
		}
	}
	return string(b), true
}

// read reads the document from r (bounded by MaxDocumentSize) and decodes it.
func (p *parser) read(r io.Reader) (*Report, error) {
	data, err := io.ReadAll(container.NewLimitedReader(r, p.lim.doc, "document", "MaxDocumentSize"))
	if err != nil {
		if le, ok := errors.AsType[*container.LimitError](err); ok {
			return nil, &DecodeError{Kind: ErrLimit, Container: p.container, Offset: -1, Msg: le.Error(), Limit: le.Field}
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, p.fail(ErrContainer, "", "reading the document", -1, err)
		}
		// A cut-off gzip member: decode what was read.
		p.warnAt("tlsrpt.container-truncated", "", "the compressed data ends early: "+err.Error())
	}
	return p.parse(data)
}

func (p *parser) parse(data []byte) (*Report, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if len(container.TrimSpace(data)) == 0 {
		return nil, p.fail(ErrEmpty, "", "the document is empty", -1, nil)
	}
	if t := container.TrimSpace(data); t[0] != '{' {
		if json.Valid(t) {
			return nil, p.fail(ErrNotReport, "", fmt.Sprintf("the JSON document is %s, not a report object", jsonKind(t)), -1, nil)
		}
		return nil, p.fail(ErrSyntax, "", "not well-formed JSON", -1, nil)
	}
	// Decode the top object straight into its members: one pass over
	// the document, and the decoder tells where it ends.
	d := json.NewDecoder(bytes.NewReader(data))
	var m obj
	if err := d.Decode(&m); err != nil {
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			return nil, p.fail(ErrSyntax, "", "not well-formed JSON", se.Offset, se)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, p.fail(ErrSyntax, "", "the JSON document ends early", int64(len(data)), nil)
		}
		return nil, p.fail(ErrSyntax, "", "not well-formed JSON", -1, err)
	}
	if rest := container.TrimSpace(data[d.InputOffset():]); len(rest) > 0 {
		p.warnAt("tlsrpt.trailing-content", "", fmt.Sprintf("%d bytes after the JSON document ignored", len(rest)))
	}
	if m["policies"] == nil && m["organization-name"] == nil && m["date-range"] == nil && m["report-id"] == nil {
		return nil, p.fail(ErrNotReport, "", "a JSON object without organization-name, date-range, report-id or policies", -1, nil)
	}
	return p.report(m)
}

func jsonKind(raw json.RawMessage) string {
	switch raw[0] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// The members of RFC 8460 §4.4 at each level.
var (
	reportMembers  = []string{"organization-name", "date-range", "contact-info", "report-id", "policies"}
	rangeMembers   = []string{"start-datetime", "end-datetime"}
	resultMembers  = []string{"policy", "summary", "failure-details"}
	policyMembers  = []string{"policy-type", "policy-string", "policy-domain", "mx-host"}
	summaryMembers = []string{"total-successful-session-count", "total-failure-session-count"}
	detailMembers  = []string{"result-type", "sending-mta-ip", "receiving-mx-hostname", "receiving-mx-helo",
		"receiving-ip", "failed-session-count", "additional-information", "failure-reason-code"}
)

// unknown warns about members RFC 8460 §4.4 does not define (ignored).
func (p *parser) unknown(path string, m obj, known []string) {
	var extra []string
	for k := range m {
		if !slices.Contains(known, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		p.warnAt("tlsrpt.unknown-member", join(path, k), fmt.Sprintf("member %q is not in RFC 8460 §4.4; ignored", k))
	}
}

// member returns a member's value; a missing or null required member is
// warned about.
func (p *parser) member(path string, m obj, name string, required bool) (json.RawMessage, bool) {
	v, ok := m[name]
	switch {
	case !ok:
		if required {
			p.warnAt("tlsrpt.missing-member", join(path, name), fmt.Sprintf("no %q member", name))
		}
		return nil, false
	case string(v) == "null":
		if required {
			p.warnAt("tlsrpt.null-member", join(path, name), fmt.Sprintf("%q is null", name))
		}
		return nil, false
	}
	return v, true
}

func (p *parser) object(path string, v json.RawMessage) (obj, bool) {
	if v[0] != '{' {
		p.warnAt("tlsrpt.wrong-type", path, fmt.Sprintf("%s where an object belongs; ignored", jsonKind(v)))
		return nil, false
	}
	var m obj
	json.Unmarshal(v, &m) // the document is well-formed
	return m, true
}

func (p *parser) array(path string, v json.RawMessage) ([]json.RawMessage, bool) {
	if v[0] != '[' {
		p.warnAt("tlsrpt.wrong-type", path, fmt.Sprintf("%s where an array belongs; ignored", jsonKind(v)))
		return nil, false
	}
	var a []json.RawMessage
	json.Unmarshal(v, &a)
	return a, true
}

// str reads a string member; a number or boolean is kept as written.
func (p *parser) str(path string, m obj, name string, required bool) string {
	v, ok := p.member(path, m, name, required)
	if !ok {
		return ""
	}
	return p.strValue(path, name, v)
}

// strValue reads a string at path.name (the path is only built for a
// warning: decoding stays cheap on well-formed reports).
func (p *parser) strValue(path, name string, v json.RawMessage) string {
	if v[0] == '"' {
		if s, ok := simpleString(v); ok {
			return s
		}
		var s string
		json.Unmarshal(v, &s)
		return s
	}
	path = join(path, name)
	if v[0] == '{' || v[0] == '[' {
		p.warnAt("tlsrpt.wrong-type", path, fmt.Sprintf("%s where a string belongs; ignored", jsonKind(v)))
		return ""
	}
	p.warnAt("tlsrpt.wrong-type", path, fmt.Sprintf("%s where a string belongs; read as %q", jsonKind(v), v))
	return string(v)
}

// strings reads an array of strings; a lone string is read as an array of
// one (RFC 8460 Appendix B prints mx-host that way).
func (p *parser) strings(path string, m obj, name string, required bool) ([]string, error) {
	v, ok := p.member(path, m, name, required)
	if !ok {
		return nil, nil
	}
	path = join(path, name)
	if v[0] == '"' {
		p.warnAt("tlsrpt.string-not-array", path, fmt.Sprintf("%q is a string, not an array of strings (RFC 8460 §4.4); read as one entry", name))
		return []string{p.strValue(path, "", v)}, nil
	}
	a, ok := p.array(path, v)
	if !ok {
		return nil, nil
	}
	if len(a) > p.lim.strings {
		return nil, p.limit("MaxStrings", path, fmt.Sprintf("more than %d entries", p.lim.strings))
	}
	out := make([]string, len(a))
	for i, e := range a {
		if e[0] == '"' {
			out[i] = p.strValue(path, "", e)
		} else {
			out[i] = p.strValue(fmt.Sprintf("%s[%d]", path, i), "", e)
		}
	}
	return out, nil
}

// count reads a session count: a non-negative integer JSON number (RFC 8460
// §4.4). A string, a fraction or a negative number is repaired; a number
// above 2^64-1 saturates.
func (p *parser) count(path string, m obj, name string) uint64 {
	v, ok := p.member(path, m, name, true)
	if !ok {
		return 0
	}
	if v[0] >= '0' && v[0] <= '9' {
		if n, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			return n // the common case
		}
	}
	path = join(path, name)
	s := string(v)
	if v[0] == '"' {
		json.Unmarshal(v, &s)
		s = strings.TrimSpace(s)
	} else if v[0] == '{' || v[0] == '[' || v[0] == 't' || v[0] == 'f' {
		p.warnAt("tlsrpt.wrong-type", path, fmt.Sprintf("%s where a count belongs; read as 0", jsonKind(v)))
		return 0
	}
	n, err := strconv.ParseUint(s, 10, 64)
	switch {
	case err == nil && v[0] != '"':
		return n
	case err == nil:
		p.warnAt("tlsrpt.bad-number", path, fmt.Sprintf("count %s is a string, not a JSON number", v))
		return n
	case errors.Is(err, strconv.ErrRange):
		p.warnAt("tlsrpt.out-of-range", path, fmt.Sprintf("count %s is larger than 2^64-1; read as 2^64-1", clip(s, 40)))
		return math.MaxUint64
	}
	f, ferr := strconv.ParseFloat(s, 64)
	switch {
	case ferr != nil && !errors.Is(ferr, strconv.ErrRange):
		p.warnAt("tlsrpt.bad-number", path, fmt.Sprintf("count %q is no number; read as 0", clip(s, 40)))
		return 0
	case f < 0:
		p.warnAt("tlsrpt.bad-number", path, fmt.Sprintf("count %s is negative; read as 0", clip(s, 40)))
		return 0
	case f >= math.MaxUint64:
		p.warnAt("tlsrpt.out-of-range", path, fmt.Sprintf("count %s is larger than 2^64-1; read as 2^64-1", clip(s, 40)))
		return math.MaxUint64
	}
	p.warnAt("tlsrpt.bad-number", path, fmt.Sprintf("count %s is not an integer; read as %d", clip(s, 40), uint64(f)))
	return uint64(f)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// date reads an RFC 3339 date-time (RFC 8460 §4.4), in UTC. Near misses
// (no time zone, a space for 'T', a date alone) are read with a warning.
func (p *parser) date(path string, m obj, name string) time.Time {
	s := p.str(path, m, name, true)
	if s == "" {
		return time.Time{}
	}
	path = join(path, name)
	t, ok := parseDate(s)
	if ok {
		return t
	}
	// RFC 3339 §5.6 allows lower-case 't' and 'z'.
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.ToUpper(strings.TrimSpace(s))); err == nil {
			p.warnAt("tlsrpt.bad-date", path, fmt.Sprintf("%q is not an RFC 3339 date-time; read as %s", clip(s, 40), t.UTC().Format(time.RFC3339)))
			return t.UTC()
		}
	}
	p.warnAt("tlsrpt.bad-date", path, fmt.Sprintf("%q is not an RFC 3339 date-time; ignored", clip(s, 40)))
	return time.Time{}
}

// parseDate parses the RFC 3339 date-time grammar (case-insensitive T and
// Z, RFC 3339 §5.6) into UTC.
func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

func (p *parser) ip(path string, m obj, name string) netip.Addr {
	s := p.str(path, m, name, false)
	if s == "" {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		p.warnAt("tlsrpt.bad-ip", join(path, name), fmt.Sprintf("%q is not an IP address; ignored", clip(s, 60)))
		return netip.Addr{}
	}
	return a
}

func (p *parser) report(m obj) (*Report, error) {
	r := &Report{}
	p.unknown("", m, reportMembers)
	r.OrganizationName = p.str("", m, "organization-name", true)
	if v, ok := p.member("", m, "date-range", true); ok {
		if dr, ok := p.object("date-range", v); ok {
			p.unknown("date-range", dr, rangeMembers)
			r.DateRange.Start = p.date("date-range", dr, "start-datetime")
			r.DateRange.End = p.date("date-range", dr, "end-datetime")
			if !r.DateRange.Start.IsZero() && !r.DateRange.End.IsZero() && r.DateRange.End.Before(r.DateRange.Start) {
				p.warnAt("tlsrpt.date-range-inverted", "date-range", "end-datetime is before start-datetime")
			}
		}
	}
	r.ContactInfo = p.str("", m, "contact-info", true)
	r.ReportID = p.str("", m, "report-id", true)
	v, ok := p.member("", m, "policies", true)
	if !ok {
		return r, nil
	}
	pols, ok := p.array("policies", v)
	if !ok {
		return r, nil
	}
	if len(pols) > p.lim.policies {
		return nil, p.limit("MaxPolicies", "policies", fmt.Sprintf("more than %d policies", p.lim.policies))
	}
	if len(pols) == 0 {
		p.warnAt("tlsrpt.no-policies", "policies", "the report has no policies")
	}
	for i, e := range pols {
		path := fmt.Sprintf("policies[%d]", i)
		pm, ok := p.object(path, e)
		if !ok {
			continue
		}
		pr, err := p.policyResult(path, pm)
		if err != nil {
			return nil, err
		}
		r.Policies = append(r.Policies, pr)
	}
	return r, nil
}

func (p *parser) policyResult(path string, m obj) (PolicyResult, error) {
	var pr PolicyResult
	p.unknown(path, m, resultMembers)
	if v, ok := p.member(path, m, "policy", true); ok {
		if pm, ok := p.object(join(path, "policy"), v); ok {
			if err := p.policy(join(path, "policy"), pm, &pr.Policy); err != nil {
				return pr, err
			}
		}
	}
	if v, ok := p.member(path, m, "summary", true); ok {
		sp := join(path, "summary")
		if sm, ok := p.object(sp, v); ok {
			p.unknown(sp, sm, summaryMembers)
			pr.Summary.Successful = p.count(sp, sm, "total-successful-session-count")
			pr.Summary.Failure = p.count(sp, sm, "total-failure-session-count")
		}
	}
	// failure-details may be absent when nothing failed.
	if v, ok := p.member(path, m, "failure-details", false); ok {
		fp := join(path, "failure-details")
		a, _ := p.array(fp, v)
		if p.details += len(a); p.details > p.lim.details {
			return pr, p.limit("MaxFailureDetails", fp, fmt.Sprintf("more than %d failure-details entries in the report", p.lim.details))
		}
		var sum uint64
		for i, e := range a {
			dp := fmt.Sprintf("%s[%d]", fp, i)
			dm, ok := p.object(dp, e)
			if !ok {
				continue
			}
			fd := p.detail(dp, dm)
			sum = sat.Add(sum, fd.FailedSessionCount)
			pr.FailureDetails = append(pr.FailureDetails, fd)
		}
		if len(pr.FailureDetails) > 0 && sum != pr.Summary.Failure {
			p.warnAt("tlsrpt.summary-mismatch", path, fmt.Sprintf("the failure-details count %d failed sessions, the summary %d", sum, pr.Summary.Failure))
		}
	}
	return pr, nil
}

func (p *parser) policy(path string, m obj, pol *Policy) error {
	p.unknown(path, m, policyMembers)
	t := p.str(path, m, "policy-type", true)
	pol.Type = normPolicyType(t)
	switch {
	case t == "":
	case string(pol.Type) != t:
		p.warnAt("tlsrpt.enum-case", join(path, "policy-type"), fmt.Sprintf("policy-type %q read as %q", t, pol.Type))
	case !pol.Type.Known():
		p.warnAt("tlsrpt.unknown-value", join(path, "policy-type"), fmt.Sprintf("policy-type %q is not one of tlsa, sts, no-policy-found; kept", clip(t, 40)))
	}
	var err error
	if pol.String, err = p.strings(path, m, "policy-string", false); err != nil {
		return err
	}
	pol.Domain = p.str(path, m, "policy-domain", true)
	if !isASCII(pol.Domain) {
		p.warnAt("tlsrpt.u-label", join(path, "policy-domain"), "the policy domain is not in A-labels (RFC 8460 §4.4 requires them)")
	}
	if pol.MXHost, err = p.strings(path, m, "mx-host", false); err != nil {
		return err
	}
	for i, h := range pol.MXHost {
		if n := normMX(h); n != h {
			p.warnAt("tlsrpt.mx-host-prefix", fmt.Sprintf("%s.mx-host[%d]", path, i), fmt.Sprintf("mx-host %q holds the policy line; read as %q", clip(h, 60), n))
			pol.MXHost[i] = n
		}
	}
	return nil
}

func (p *parser) detail(path string, m obj) FailureDetail {
	var fd FailureDetail
	p.unknown(path, m, detailMembers)
	t := p.str(path, m, "result-type", true)
	fd.ResultType = normResultType(t)
	switch {
	case t == "":
	case string(fd.ResultType) != t:
		p.warnAt("tlsrpt.enum-case", join(path, "result-type"), fmt.Sprintf("result-type %q read as %q", t, fd.ResultType))
	case !fd.ResultType.Known():
		p.warnAt("tlsrpt.unknown-value", join(path, "result-type"), fmt.Sprintf("result-type %q is not in RFC 8460 §4.3; kept", clip(t, 40)))
	}
	fd.SendingMTAIP = p.ip(path, m, "sending-mta-ip")
	fd.ReceivingMXHostname = p.str(path, m, "receiving-mx-hostname", false)
	fd.ReceivingMXHelo = p.str(path, m, "receiving-mx-helo", false)
	fd.ReceivingIP = p.ip(path, m, "receiving-ip")
	fd.FailedSessionCount = p.count(path, m, "failed-session-count")
	fd.AdditionalInformation = p.str(path, m, "additional-information", false)
	fd.FailureReasonCode = p.str(path, m, "failure-reason-code", false)
	return fd
}

// normPolicyType lower-cases a policy type when that makes it a known one.
func normPolicyType(s string) PolicyType {
	if l := PolicyType(strings.ToLower(s)); l.Known() {
		return l
	}
	return PolicyType(s)
}

func normResultType(s string) ResultType {
	if l := ResultType(strings.ToLower(s)); l.Known() {
		return l
	}
	return ResultType(s)
}

// normMX removes the "mx:" key some reporters copy from the policy line
// into mx-host ("mx: mx.example.com").
func normMX(s string) string {
	if len(s) > 3 && strings.EqualFold(s[:3], "mx:") {
		return strings.TrimLeft(s[3:], " \t")
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
