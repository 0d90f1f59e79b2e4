package report

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/authres"
)

// ErrIncompleteFailure: EncodeFailure was given a report that lacks a
// field the RFCs require.
var ErrIncompleteFailure = errors.New("report: encode failure report: incomplete report")

// FailureEmail describes the message that carries a failure report.
type FailureEmail struct {
	// From is the report's author address. Required (RFC 5322 §3.6).
	From string
	// To is the destination: the ruf address of the policy record.
	To string
	// Subject; if empty, "DMARC failure report for <domain> from IP <ip>".
	Subject string
	// Date of the message; if zero, the Clock's time.
	Date  time.Time
	Clock domainauth.Clock // nil: system clock
	// MessageID without angle brackets; if empty, one is derived from the
	// report's content and the From domain.
	MessageID string
	// Text is the human-readable first part; if empty, a short default.
	Text string
}

// OriginalFromMessage returns the third part of a failure report for the
// message msg (RFC 5322): its header fields and, unless headersOnly, its
// body (then written as message/rfc822; with headersOnly, as
// text/rfc822-headers). The message is read with the Decoder's limits:
// MaxElementSize per header field, MaxRecordEntries fields.
func (dec *Decoder) OriginalFromMessage(msg []byte, headersOnly bool) (Original, error) {
	fd := &failureDecoder{lim: dec.limits(false), path: "original"}
	h, b, err := fd.readHeader(msg, "header")
	if err != nil {
		return Original{}, err
	}
	if len(h) == 0 {
		return Original{}, &DecodeError{Kind: ErrNotReport, Container: "original", Msg: "the message has no header fields"}
	}
	o := Original{MediaType: "text/rfc822-headers", Header: h}
	if !headersOnly {
		o.MediaType = "message/rfc822"
		o.Body = append([]byte{}, b...)
	}
	return o, nil
}

// knownFailureFields are the fields EncodeFailure writes from Failure's
// typed fields; other fields in Failure.Fields are written after them.
var knownFailureFields = map[string]bool{
	"feedback-type": true, "user-agent": true, "version": true, "auth-failure": true,
	"identity-alignment": true, "authentication-results": true, "source-ip": true,
	"source-port": true, "reported-domain": true, "reported-uri": true,
	"original-mail-from": true, "original-rcpt-to": true, "original-envelope-id": true,
	"arrival-date": true, "received-date": true, "reporting-mta": true, "incidents": true,
	"delivery-result": true, "dkim-domain": true, "dkim-identity": true, "dkim-selector": true,
	"dkim-canonicalized-header": true, "dkim-canonicalized-body": true, "dkim-adsp-dns": true,
	"dkim-selector-dns": true, "spf-dns": true,
}

// EncodeFailure writes f as a DMARC failure report message (RFC 9991 §4,
// RFC 6591, RFC 5965): multipart/report; report-type=feedback-report with
// a text/plain part, the message/feedback-report part and the original
// (message/rfc822 when Original.Body is not nil, else
// text/rfc822-headers). Feedback-Type defaults to auth-failure, Version to
// 1, User-Agent to "domainauth"; Reported-Domain, which RFC 6591 §3.1
// requires when known, defaults to the original's From domain;
// DKIM-Identity, which RFC 6591 §3.2.3 requires with the other DKIM
// fields, defaults to "@" and DKIM-Domain (the default i=, RFC 6376
// §3.5). A report without a field the RFCs require fails with
// ErrIncompleteFailure: Auth-Failure (RFC 6591 §3.2.1); exactly one
// Authentication-Results field, holding a single method's result (§3.1);
// Identity-Alignment for Auth-Failure dmarc (RFC 9991 §4); DKIM-Domain and
// DKIM-Selector for the DKIM failure types signature, revoked, bodyhash
// (§3.2.3, §3.3), and for any report the one with the other; SPF-DNS for
// spf (§3.2.6); DKIM-ADSP-DNS for adsp (§3.3); the original's header
// (§3.1).
//
// RFC 9991 §4 also requires, in a dmarc report, the DKIM fields of a failed
// DKIM signature of an aligned identifier and the SPF-DNS fields of a
// failed SPF check of an aligned identifier. Only the caller knows whether
// such a signature or check took place (a message may carry no aligned
// signature at all), so EncodeFailure writes them when set and cannot
// demand them.
//
// Values are written as given; line breaks in them become spaces, and
// fields longer than a line are folded at white space. Bare LF line ends
// in Original.Body are written as CRLF. The transfer encoding of the
// original is 7bit, 8bit when it holds other bytes, binary when it has
// lines longer than 998 octets (RFC 2046 §5.2.1 allows no other
// encoding for message/rfc822).
func EncodeFailure(w io.Writer, f *Failure, m FailureEmail) error {
	if err := checkFailure(f, m); err != nil {
		return err
	}
	domain := f.Domain()
	fb, err := feedbackPart(f, domain)
	if err != nil {
		return err
	}
	var orig bytes.Buffer
	for _, h := range f.Original.Header {
		writeField(&orig, h.Name, h.Value)
	}
	origType := "text/rfc822-headers"
	if f.Original.Body != nil {
		origType = "message/rfc822"
		orig.WriteString("\r\n")
		orig.Write(crlf(f.Original.Body))
	}
	date := m.Date
	if date.IsZero() {
		date = domainauth.Now(m.Clock)
	}
	text := m.Text
	if text == "" {
		text = "This is a DMARC failure report (RFC 9991) for an email message"
		if f.SourceIP.IsValid() {
			text += " received from IP " + f.SourceIP.String()
		}
		if !f.ArrivalDate.IsZero() {
			text += " on " + f.ArrivalDate.Format(time.RFC1123Z)
		}
		text += ".\r\n"
		if domain != "" {
			text += "The message claimed to be from " + domain + " and failed authentication.\r\n"
		}
	}
	textBytes := crlf([]byte(text))
	parts := [][]byte{textBytes, fb, orig.Bytes()}
	sum := sha256.New()
	for _, p := range parts {
		sum.Write(p)
	}
	digest := sum.Sum(nil)
	boundary := "failure-" + hex.EncodeToString(digest[:12])
	for n := 0; contains(parts, "--"+boundary); n++ {
		boundary = "failure-" + hex.EncodeToString(digest[:12]) + "-" + strconv.Itoa(n)
	}
	msgID := m.MessageID
	if msgID == "" {
		from := addressDomain(m.From)
		if from == "" {
			from = "localhost"
		}
		msgID = "failure-" + hex.EncodeToString(digest[12:24]) + "@" + from
	}
	subject := m.Subject
	if subject == "" {
		subject = "DMARC failure report for " + cmp.Or(domain, "an unknown domain")
		if f.SourceIP.IsValid() {
			subject += " from IP " + f.SourceIP.String()
		}
	}
	bw := bufio.NewWriter(w)
	writeField(bw, "From", headerValue(m.From))
	if m.To != "" {
		writeField(bw, "To", headerValue(m.To))
	}
	writeField(bw, "Subject", mime.QEncoding.Encode("utf-8", headerValue(subject)))
	writeField(bw, "Date", date.Format(time.RFC1123Z))
	writeField(bw, "Message-ID", "<"+headerValue(msgID)+">")
	writeField(bw, "Auto-Submitted", "auto-generated") // RFC 3834 §5
	writeField(bw, "MIME-Version", "1.0")
	writeField(bw, "Content-Type", `multipart/report; report-type=feedback-report; boundary="`+boundary+`"`)
	bw.WriteString("\r\nThis is a MIME-formatted DMARC failure report.\r\n")
	bw.WriteString("\r\n--" + boundary + "\r\n")
	writeField(bw, "Content-Type", "text/plain; charset=utf-8")
	writeField(bw, "Content-Transfer-Encoding", transferEncoding(textBytes))
	bw.WriteString("\r\n")
	bw.Write(textBytes)
	bw.WriteString("\r\n--" + boundary + "\r\n")
	writeField(bw, "Content-Type", "message/feedback-report")
	writeField(bw, "Content-Transfer-Encoding", transferEncoding(fb))
	bw.WriteString("\r\n")
	bw.Write(fb)
	bw.WriteString("\r\n--" + boundary + "\r\n")
	writeField(bw, "Content-Type", origType)
	writeField(bw, "Content-Transfer-Encoding", transferEncoding(orig.Bytes()))
	bw.WriteString("\r\n")
	bw.Write(orig.Bytes())
	bw.WriteString("\r\n--" + boundary + "--\r\n")
	return bw.Flush()
}

func contains(parts [][]byte, s string) bool {
	for _, p := range parts {
		if bytes.Contains(p, []byte(s)) {
			return true
		}
	}
	return false
}

// checkFailure refuses a report without the fields the RFCs require.
func checkFailure(f *Failure, m FailureEmail) error {
	missing := func(what string) error { return fmt.Errorf("%w: %s", ErrIncompleteFailure, what) }
	switch {
	case strings.TrimSpace(m.From) == "":
		return missing("FailureEmail.From is required (RFC 5322 §3.6)")
	case f.FeedbackType != "" && f.FeedbackType != "auth-failure":
		return missing(fmt.Sprintf("Feedback-Type %q is not auth-failure (RFC 6591 §3.1)", f.FeedbackType))
	case f.AuthFailure == "":
		return missing("Auth-Failure is required (RFC 6591 §3.2.1)")
	case len(f.AuthenticationResults) == 0:
		return missing("an Authentication-Results field is required (RFC 6591 §3.1)")
	case f.AuthFailure == AuthFailureDMARC && len(f.IdentityAlignment) == 0:
		return missing("Identity-Alignment is required in a DMARC failure report (RFC 9991 §4)")
	case dkimReport(f.AuthFailure) && (f.DKIMDomain == "" || f.DKIMSelector == ""):
		return missing("DKIM-Domain and DKIM-Selector are required for Auth-Failure " + string(f.AuthFailure) + " (RFC 6591 §3.2.3, §3.3)")
	case (f.DKIMDomain == "") != (f.DKIMSelector == ""):
		return missing("DKIM-Domain and DKIM-Selector name a signature together (RFC 6591 §3.2.3, RFC 9991 §4)")
	case len(f.AuthenticationResults) > 1:
		return missing(fmt.Sprintf("%d Authentication-Results fields: one is required, and at most one allowed (RFC 6591 §3.1)", len(f.AuthenticationResults)))
	case f.AuthFailure == AuthFailureSPF && len(f.SPFDNS) == 0:
		return missing("SPF-DNS is required for Auth-Failure spf (RFC 6591 §3.2.6)")
	case f.AuthFailure == AuthFailureADSP && f.DKIMADSPDNS == "":
		return missing("DKIM-ADSP-DNS is required for Auth-Failure adsp (RFC 6591 §3.3)")
	case len(f.Original.Header) == 0:
		return missing("the original message's header is required (RFC 6591 §3.1)")
	}
	for i, a := range f.IdentityAlignment {
		if a != "dkim" && a != "spf" && a != "none" || a == "none" && len(f.IdentityAlignment) > 1 ||
			slices.Contains(f.IdentityAlignment[:i], a) {
			return missing(fmt.Sprintf("Identity-Alignment %q: none, or dkim and spf each at most once (RFC 9991 §4)", strings.Join(f.IdentityAlignment, ",")))
		}
	}
	for _, h := range f.Original.Header {
		if !validFieldName(h.Name) {
			return missing(fmt.Sprintf("the original's header field name %q is invalid (RFC 5322 §2.2)", h.Name))
		}
	}
	ar := f.AuthenticationResults[0]
	p := ar.Parsed
	if p == nil {
		if ar.Raw == "" {
			return missing("an empty Authentication-Results field")
		}
		var err error
		if p, err = authres.Parse(ar.Raw); err != nil {
			return missing(fmt.Sprintf("Authentication-Results %q does not parse (RFC 8601 §2.2): %v", ar.Raw, err))
		}
	}
	if n := len(p.Methods); n != 1 {
		return missing(fmt.Sprintf("Authentication-Results with %d method results: it MUST reflect a single method's result (RFC 6591 §3.1)", n))
	}
	return nil
}

// dkimReport: the Auth-Failure types that report a failed DKIM signature
// (RFC 6591 §3.2.3 "Required for DKIM Reports", §3.3), with the
// unregistered "dkim" some reporters write.
func dkimReport(a AuthFailure) bool {
	switch a {
	case AuthFailureSignature, AuthFailureRevoked, AuthFailureBodyHash, AuthFailureDKIM:
		return true
	}
	return false
}

// validFieldName: printable ASCII but the colon (RFC 5322 §2.2), and no
// white space, which would end the name for a reader.
func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}

// feedbackPart writes the message/feedback-report fields.
func feedbackPart(f *Failure, domain string) ([]byte, error) {
	var b bytes.Buffer
	put := func(name, v string) { writeField(&b, name, v) }
	put("Feedback-Type", "auth-failure")
	put("User-Agent", cmp.Or(f.UserAgent, "domainauth"))
	put("Version", cmp.Or(f.Version, "1"))
	put("Auth-Failure", string(f.AuthFailure))
	if f.IdentityAlignment != nil {
		put("Identity-Alignment", strings.Join(f.IdentityAlignment, ","))
	}
	for _, ar := range f.AuthenticationResults {
		v := ar.Raw
		if v == "" {
			s, err := authres.Format(ar.Parsed)
			if err != nil {
				return nil, fmt.Errorf("%w: Authentication-Results: %v", ErrIncompleteFailure, err)
			}
			v = unfold(strings.TrimPrefix(s, authres.FieldName+":"))
		}
		put("Authentication-Results", v)
	}
	if f.OriginalEnvelopeID != "" {
		put("Original-Envelope-Id", f.OriginalEnvelopeID)
	}
	switch {
	case f.NullMailFrom:
		put("Original-Mail-From", "<>")
	case f.OriginalMailFrom != "":
		put("Original-Mail-From", "<"+f.OriginalMailFrom+">")
	}
	for _, r := range f.OriginalRcptTo {
		put("Original-Rcpt-To", "<"+r+">")
	}
	if !f.ArrivalDate.IsZero() {
		put("Arrival-Date", f.ArrivalDate.Format(time.RFC1123Z))
	}
	if f.ReportingMTA != "" {
		put("Reporting-MTA", f.ReportingMTA)
	}
	if f.SourceIP.IsValid() {
		put("Source-IP", f.SourceIP.String())
	}
	if f.SourcePort != 0 {
		put("Source-Port", strconv.Itoa(f.SourcePort))
	}
	if f.Incidents != 0 {
		put("Incidents", strconv.FormatUint(f.Incidents, 10))
	}
	rd := f.ReportedDomain
	if len(rd) == 0 && domain != "" {
		rd = []string{domain} // RFC 6591 §3.1: MUST be present if available
	}
	for _, d := range rd {
		put("Reported-Domain", d)
	}
	for _, u := range f.ReportedURI {
		put("Reported-URI", u)
	}
	if f.DeliveryResult != "" {
		put("Delivery-Result", string(f.DeliveryResult))
	}
	identity := f.DKIMIdentity
	if identity == "" && f.DKIMDomain != "" {
		identity = "@" + f.DKIMDomain // RFC 6376 §3.5: the default i=; RFC 6591 §3.2.3 requires the field
	}
	for _, kv := range [][2]string{{"DKIM-Domain", f.DKIMDomain}, {"DKIM-Identity", identity}, {"DKIM-Selector", f.DKIMSelector}} {
		if kv[1] != "" {
			put(kv[0], kv[1])
		}
	}
	if f.DKIMCanonicalizedHeader != nil {
		put("DKIM-Canonicalized-Header", base64Lines(f.DKIMCanonicalizedHeader, " "))
	}
	if f.DKIMCanonicalizedBody != nil {
		put("DKIM-Canonicalized-Body", base64Lines(f.DKIMCanonicalizedBody, " "))
	}
	if f.DKIMADSPDNS != "" {
		put("DKIM-ADSP-DNS", f.DKIMADSPDNS)
	}
	if f.DKIMSelectorDNS != "" {
		put("DKIM-Selector-DNS", f.DKIMSelectorDNS)
	}
	for _, s := range f.SPFDNS {
		put("SPF-DNS", s)
	}
	for _, fl := range f.Fields {
		if !knownFailureFields[strings.ToLower(fl.Name)] && validFieldName(fl.Name) {
			put(fl.Name, fl.Value)
		}
	}
	return b.Bytes(), nil
}

// maxLine is the longest line RFC 5322 §2.1.1 allows, without the CRLF.
const maxLine = 998

// writeField writes "Name: value" and CRLF, line breaks in the value made
// spaces, folded before white space where a line would pass 78 octets
// (RFC 5322 §2.1.1 and §2.2.3). Every line keeps some text besides white
// space, and unfolding gives the value back.
func writeField(w io.StringWriter, name, v string) {
	v = headerValue(v)
	if v == "" {
		w.WriteString(name + ":\r\n")
		return
	}
	line := name + ": "
	for len(line)+len(v) > 78 {
		cut, text := -1, false
		for i := 0; i < len(v); i++ {
			if c := v[i]; c != ' ' && c != '\t' {
				text = true
				continue
			}
			if !text {
				continue
			}
			if cut < 0 || len(line)+i <= 78 {
				cut = i
			}
			if len(line)+i > 78 {
				break
			}
		}
		if cut <= 0 {
			break
		}
		w.WriteString(line + v[:cut] + "\r\n")
		line, v = "", v[cut:]
	}
	w.WriteString(line + v + "\r\n")
}

// unfold removes the line breaks of folding (RFC 5322 §2.2.3).
func unfold(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", "", "\n", "").Replace(s))
}

// crlf writes each bare LF as CRLF.
func crlf(b []byte) []byte {
	if !bytes.Contains(b, []byte("\n")) {
		return b
	}
	var out bytes.Buffer
	out.Grow(len(b) + bytes.Count(b, []byte("\n")))
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out.WriteByte('\r')
		}
		out.WriteByte(c)
	}
	return out.Bytes()
}

// transferEncoding is 7bit for ASCII text with short lines, 8bit for
// other text with short lines, binary for lines longer than 998 octets
// (RFC 2045 §2.7 to §2.9).
func transferEncoding(b []byte) string {
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		if len(bytes.TrimSuffix(line, []byte("\r"))) > maxLine {
			return "binary"
		}
	}
	for _, c := range b {
		if c >= 0x80 || c == 0 {
			return "8bit"
		}
	}
	return "7bit"
}

// base64Lines encodes b in base64 with sep after every 76 characters but
// the last: a space in a feedback-report field, where writeField may fold
// (RFC 6591 §4: base64string allows FWS), or CRLF in a body part (RFC 2045
// §6.8).
func base64Lines(b []byte, sep string) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	out.Grow(len(enc) + len(enc)/76*len(sep))
	for len(enc) > 76 {
		out.WriteString(enc[:76])
		out.WriteString(sep)
		enc = enc[76:]
	}
	out.WriteString(enc)
	return out.String()
}
