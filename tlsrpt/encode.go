package tlsrpt

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/domainauth/domainauth/internal/container"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// The JSON shape of RFC 8460 §4.4, members in the template's order.
type (
	jsonReport struct {
		OrganizationName string       `json:"organization-name"`
		DateRange        jsonRange    `json:"date-range"`
		ContactInfo      string       `json:"contact-info"`
		ReportID         string       `json:"report-id"`
		Policies         []jsonResult `json:"policies"`
	}
	jsonRange struct {
		Start string `json:"start-datetime"`
		End   string `json:"end-datetime"`
	}
	jsonResult struct {
		Policy         jsonPolicy   `json:"policy"`
		Summary        jsonSummary  `json:"summary"`
		FailureDetails []jsonDetail `json:"failure-details"`
	}
	jsonPolicy struct {
		Type   PolicyType `json:"policy-type"`
		String []string   `json:"policy-string,omitempty"`
		Domain string     `json:"policy-domain"`
		MXHost []string   `json:"mx-host,omitempty"`
	}
	jsonSummary struct {
		Successful uint64 `json:"total-successful-session-count"`
		Failure    uint64 `json:"total-failure-session-count"`
	}
	jsonDetail struct {
		ResultType            ResultType `json:"result-type"`
		SendingMTAIP          string     `json:"sending-mta-ip,omitempty"`
		ReceivingMXHostname   string     `json:"receiving-mx-hostname,omitempty"`
		ReceivingMXHelo       string     `json:"receiving-mx-helo,omitempty"`
		ReceivingIP           string     `json:"receiving-ip,omitempty"`
		FailedSessionCount    uint64     `json:"failed-session-count"`
		AdditionalInformation string     `json:"additional-information,omitempty"`
		FailureReasonCode     string     `json:"failure-reason-code,omitempty"`
	}
)

// Encode writes r as RFC 8460 §4.4 JSON, indented, members in the
// template's order; the members the template marks optional, and the
// addresses and MX name of a failure that has none, are left out when
// empty. Dates are written in UTC as RFC 3339. Warnings and Email are not
// encoded. Decode(Encode(r)) equals Normalize(r), warnings aside.
func Encode(w io.Writer, r *Report) error {
	j := jsonReport{
		OrganizationName: r.OrganizationName,
		DateRange:        jsonRange{formatDate(r.DateRange.Start), formatDate(r.DateRange.End)},
		ContactInfo:      r.ContactInfo,
		ReportID:         r.ReportID,
		Policies:         make([]jsonResult, len(r.Policies)),
	}
	for i, p := range r.Policies {
		jr := jsonResult{
			Policy:         jsonPolicy{p.Policy.Type, p.Policy.String, p.Policy.Domain, p.Policy.MXHost},
			Summary:        jsonSummary{p.Summary.Successful, p.Summary.Failure},
			FailureDetails: make([]jsonDetail, len(p.FailureDetails)),
		}
		for k, d := range p.FailureDetails {
			jr.FailureDetails[k] = jsonDetail{
				ResultType: d.ResultType, SendingMTAIP: addrString(d.SendingMTAIP.String()),
				ReceivingMXHostname: d.ReceivingMXHostname, ReceivingMXHelo: d.ReceivingMXHelo,
				ReceivingIP: addrString(d.ReceivingIP.String()), FailedSessionCount: d.FailedSessionCount,
				AdditionalInformation: d.AdditionalInformation, FailureReasonCode: d.FailureReasonCode,
			}
		}
		j.Policies[i] = jr
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(j)
}

// addrString maps the zero netip.Addr's "invalid IP" to "".
func addrString(s string) string {
	if s == "invalid IP" {
		return ""
	}
	return s
}

// EncodeGzip writes r gzip-compressed (RFC 8460 §5.2).
func EncodeGzip(w io.Writer, r *Report) error {
	zw := gzip.NewWriter(w)
	if err := Encode(zw, r); err != nil {
		return err
	}
	return zw.Close()
}

// formatDate writes an RFC 3339 date-time in UTC; a date outside the years
// 0 to 9999 (which RFC 3339 cannot write) as the zero time.
func formatDate(t time.Time) string {
	return normDate(t).Format(time.RFC3339Nano)
}

func normDate(t time.Time) time.Time {
	t = t.UTC()
	if t.Year() < 0 || t.Year() > 9999 {
		return time.Time{}
	}
	return t
}

// Normalize returns a copy of r as decoding its encoding gives it back:
// dates in UTC (outside the years 0–9999: zero), invalid UTF-8 replaced
// byte by byte with U+FFFD, known policy and result types in lower case,
// "mx:" prefixes dropped from mx-host, empty lists as nil, and no Warnings
// or Email.
func Normalize(r *Report) *Report {
	n := &Report{
		OrganizationName: validUTF8(r.OrganizationName),
		DateRange:        DateRange{normDate(r.DateRange.Start), normDate(r.DateRange.End)},
		ContactInfo:      validUTF8(r.ContactInfo),
		ReportID:         validUTF8(r.ReportID),
	}
	for _, p := range r.Policies {
		q := PolicyResult{Summary: p.Summary}
		q.Policy.Type = normPolicyType(validUTF8(string(p.Policy.Type)))
		q.Policy.Domain = validUTF8(p.Policy.Domain)
		q.Policy.String = normStrings(p.Policy.String, validUTF8)
		q.Policy.MXHost = normStrings(p.Policy.MXHost, func(s string) string { return normMX(validUTF8(s)) })
		for _, d := range p.FailureDetails {
			d.ResultType = normResultType(validUTF8(string(d.ResultType)))
			d.ReceivingMXHostname = validUTF8(d.ReceivingMXHostname)
			d.ReceivingMXHelo = validUTF8(d.ReceivingMXHelo)
			d.AdditionalInformation = validUTF8(d.AdditionalInformation)
			d.FailureReasonCode = validUTF8(d.FailureReasonCode)
			q.FailureDetails = append(q.FailureDetails, d)
		}
		n.Policies = append(n.Policies, q)
	}
	return n
}

func normStrings(in []string, f func(string) string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}

// validUTF8 replaces each byte of invalid UTF-8 with U+FFFD, as
// encoding/json does.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Filename returns the report file name RFC 8460 §5.1 recommends:
// sender!policy-domain!begin!end[!unique-id].json[.gz]. Characters the
// grammar does not allow are dropped (domains are written as A-labels in
// lower case; uniqueID keeps letters and digits). c says whether the name
// ends in .json.gz (the zero value, CompressionGzip) or .json.
func Filename(r *Report, sender, policyDomain, uniqueID string, c Compression) string {
	var b bytes.Buffer
	b.WriteString(dnsname.Grammar(sender))
	b.WriteByte('!')
	b.WriteString(dnsname.Grammar(policyDomain))
	b.WriteByte('!')
	b.WriteString(strconv.FormatInt(max(0, r.DateRange.Start.Unix()), 10))
	b.WriteByte('!')
	b.WriteString(strconv.FormatInt(max(0, r.DateRange.End.Unix()), 10))
	if id := strings.Map(func(c rune) rune {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			return c
		}
		return -1
	}, uniqueID); id != "" {
		b.WriteByte('!')
		b.WriteString(id)
	}
	b.WriteString(".json")
	if c == CompressionGzip {
		b.WriteString(".gz")
	}
	return b.String()
}

// Compression is how a report file is stored: CompressionGzip (the zero
// value) for name.json.gz, which RFC 8460 §5.3 uses for reports sent by
// email, or CompressionNone for name.json. It is the same type as
// report.Compression, so one value serves both kinds, and it prints as
// "gzip" or "none".
type Compression = container.Compression

// The compressions of a report file.
const (
	CompressionGzip Compression = container.CompressionGzip // gzip: name.json.gz
	CompressionNone Compression = container.CompressionNone // plain JSON: name.json
)
