package report

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/netip"
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	"github.com/domainauth/domainauth/authres"
	"github.com/domainauth/domainauth/internal/container"
)

// failureFormat is what the shared container package looks for around a
// failure report: the report message itself, possibly gzipped or zipped
// (as stored by report collectors). The message's own MIME structure is
// read here, since a failure report is the whole message, not one part.
var failureFormat = &container.Format{
	Name:   "email",
	Prefix: "report",
	Start:  container.LooksLikeEmail,
	MediaTypes: map[string]bool{
		"message/rfc822": true, "application/gzip": true, "application/zip": true,
	},
	Extensions: []string{".eml", ".gz", ".zip"},
	Member: func(n string) bool {
		return strings.HasSuffix(n, ".eml") || strings.HasSuffix(n, ".msg")
	},
	MemberWhat: ".eml",
}

// DecodeFailure reads one DMARC failure report with the default limits
// (see Decoder.DecodeFailure).
func DecodeFailure(r io.Reader) (*Failure, error) {
	var dec Decoder
	return dec.DecodeFailure(r)
}

// DecodeFailure reads one failure report: an ARF message (RFC 5965,
// RFC 6591, RFC 9991), possibly gzipped or zipped, possibly forwarded as a
// message/rfc822 attachment, or the bare message/feedback-report part. A
// message without a message/feedback-report part (a plain-text "forensic"
// notice, an aggregate report) fails with ErrNotReport; an ARF report of
// another feedback type (abuse, fraud, ...) fails with ErrOtherFeedback,
// which wraps ErrNotReport. Repairs and
// deviations are listed in Failure.Warnings.
//
// Limits: MaxArchiveSize bounds the message (and, as for aggregate
// reports, the zip archives around it), MaxDocumentSize the data read
// after it through a decompressing layer, MaxArchiveEntries the zip
// entries, MaxEmailParts the MIME parts examined, MaxElementSize one
// header field and the kept text part, MaxRecordEntries the fields of one
// header block, MaxResults the values kept of each repeatable field, and
// MaxWarnings the distinct warnings.
func (dec *Decoder) DecodeFailure(r io.Reader) (*Failure, error) {
	lim := dec.limits(false)
	o := &container.Opener{Format: failureFormat,
		Limits: container.Limits{Archive: lim.archive, Entries: lim.entries, Parts: lim.parts}}
	defer o.Close()
	doc, err := o.Open(r)
	if err != nil {
		return nil, fromContainer(err)
	}
	path := strings.Join(append(slices.Clone(o.Chain()), "email"), "/")
	data, err := io.ReadAll(container.NewLimitedReader(doc, lim.archive, "email message", "MaxArchiveSize"))
	if err != nil {
		if le, ok := errors.AsType[*container.LimitError](err); ok {
			return nil, &DecodeError{Kind: ErrLimit, Container: path, Limit: le.Field, Msg: le.Error()}
		}
		return nil, &DecodeError{Kind: ErrContainer, Container: path, Msg: "reading the message", Err: err}
	}
	tw, err := o.Trailing(lim.doc)
	if err != nil {
		return nil, fromContainer(err)
	}
	fd := &failureDecoder{lim: lim, path: path}
	for _, w := range append(slices.Clone(o.Warnings()), tw...) {
		fd.warn(w.Code, w.Path, w.Message)
	}
	f, err := fd.message(data, 0)
	if err != nil {
		return nil, err
	}
	f.Container = path
	f.Warnings = fd.warns
	return f, nil
}

// failureDecoder holds the state of one DecodeFailure call.
type failureDecoder struct {
	lim   limits
	path  string
	parts int
	warns []Warning
}

// warn records a warning; a repeat of a code at one place is counted.
func (fd *failureDecoder) warn(code, where, msg string) {
	for i := range fd.warns {
		if fd.warns[i].Code == code && fd.warns[i].Path == where {
			fd.warns[i].Count++
			return
		}
	}
	if len(fd.warns) < fd.lim.warnings {
		fd.warns = append(fd.warns, Warning{Code: code, Message: msg, Path: where, Count: 1})
	}
}

func (fd *failureDecoder) fail(kind error, where, msg string) error {
	return &DecodeError{Kind: kind, Container: fd.path, Path: where, Msg: msg}
}

// maxMessageDepth bounds message/rfc822 and multipart nesting around the
// report, as the container package bounds its layers.
const maxMessageDepth = 6

// mimePart is one body part read from a multipart body.
type mimePart struct {
	mediaType string
	params    map[string]string
	header    textproto.MIMEHeader
	body      []byte
}

// message finds the failure report in a message: its own multipart/report
// body, or one nested in a message/rfc822 or multipart part.
func (fd *failureDecoder) message(data []byte, depth int) (*Failure, error) {
	if depth > maxMessageDepth {
		return nil, fd.fail(ErrContainer, "", fmt.Sprintf("more than %d nested MIME layers", maxMessageDepth))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fd.fail(ErrEmpty, "", "the message is empty")
	}
	hdr, body, err := fd.readHeader(data, "header")
	if err != nil {
		return nil, err
	}
	if len(hdr) == 0 {
		return nil, fd.fail(ErrNotReport, "", "the data holds no header fields: not an email message")
	}
	ct := getField(hdr, "Content-Type")
	if ct == "" && getField(hdr, "Feedback-Type") != "" {
		// The message/feedback-report part on its own.
		f := &Failure{}
		if err := fd.feedback(f, data, "feedback-report"); err != nil {
			return nil, err
		}
		fd.warn("report.failure-no-original", "", "the input is a feedback-report part alone: no original message (RFC 6591 §3.1 requires it)")
		return f, nil
	}
	mt, params := container.MediaType(ct)
	enc := getField(hdr, "Content-Transfer-Encoding")
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		return fd.multipart(mt, params, body, depth)
	case mt == "message/rfc822":
		return fd.message(fd.transfer(body, enc, "body"), depth+1)
	}
	return nil, fd.fail(ErrNotReport, "", fmt.Sprintf("the message body is %s, not a multipart/report failure report", orNoType(mt)))
}

func orNoType(mt string) string {
	if mt == "" {
		return "of no media type"
	}
	return mt
}

// multipart reads the parts of a multipart body. The part holding
// message/feedback-report makes this body the report; otherwise nested
// messages and multiparts are searched in order.
func (fd *failureDecoder) multipart(mt string, params map[string]string, body []byte, depth int) (*Failure, error) {
	boundary := params["boundary"]
	if boundary == "" {
		return nil, fd.fail(ErrContainer, "", mt+" without a boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var parts []mimePart
	truncated := false
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(parts) == 0 {
				return nil, &DecodeError{Kind: ErrContainer, Container: fd.path, Msg: "bad multipart body", Err: err}
			}
			truncated = true
			break
		}
		if fd.parts++; fd.parts > fd.lim.parts {
			return nil, &DecodeError{Kind: ErrLimit, Container: fd.path, Limit: "MaxEmailParts",
				Msg: fmt.Sprintf("more than %d MIME parts", fd.lim.parts)}
		}
		b, err := io.ReadAll(p)
		if err != nil {
			truncated = true
		}
		pmt, pparams := container.MediaType(p.Header.Get("Content-Type"))
		parts = append(parts, mimePart{mediaType: pmt, params: pparams, header: p.Header, body: b})
		if err != nil {
			break
		}
	}
	fb := slices.IndexFunc(parts, func(p mimePart) bool { return p.mediaType == "message/feedback-report" })
	if fb < 0 {
		for _, p := range parts {
			if p.mediaType != "message/rfc822" && !strings.HasPrefix(p.mediaType, "multipart/") {
				continue
			}
			var f *Failure
			var err error
			if p.mediaType == "message/rfc822" {
				f, err = fd.message(fd.transfer(p.body, p.header.Get("Content-Transfer-Encoding"), "part"), depth+1)
			} else {
				f, err = fd.multipart(p.mediaType, p.params, p.body, depth+1)
			}
			if err == nil || !errors.Is(err, ErrNotReport) {
				return f, err
			}
		}
		seen := make([]string, 0, min(len(parts), maxListedFailureParts))
		for _, p := range parts[:min(len(parts), maxListedFailureParts)] {
			seen = append(seen, orNoType(p.mediaType))
		}
		list := strings.Join(seen, ", ")
		if len(parts) > len(seen) {
			list += fmt.Sprintf(", and %d more", len(parts)-len(seen))
		}
		what := fmt.Sprintf("among the %d parts (%s)", len(parts), list)
		if len(parts) == 1 {
			what = fmt.Sprintf("in the one part (%s)", list)
		}
		return nil, fd.fail(ErrNotReport, "", fmt.Sprintf("no message/feedback-report part %s: not an ARF failure report (RFC 6591)", what))
	}
	if truncated {
		fd.warn("report.container-truncated", "", "the multipart body ends without its closing boundary; the parts read are kept")
	}
	// RFC 6522 §3 and RFC 5965 §2: multipart/report; report-type=feedback-report.
	if mt != "multipart/report" {
		fd.warn("report.failure-not-multipart-report", "", fmt.Sprintf("the report is %s, not multipart/report (RFC 5965 §2)", mt))
	} else if rt := strings.ToLower(params["report-type"]); rt != "feedback-report" {
		fd.warn("report.failure-report-type", "", fmt.Sprintf("report-type is %q, not feedback-report (RFC 5965 §2)", rt))
	}
	f := &Failure{}
	for _, p := range parts[:fb] {
		if strings.HasPrefix(p.mediaType, "text/") {
			text := fd.transfer(p.body, p.header.Get("Content-Transfer-Encoding"), "text")
			f.Text = strings.ToValidUTF8(string(clip(text, fd.lim.element)), "\uFFFD")
			break
		}
	}
	if slices.ContainsFunc(parts[fb+1:], func(p mimePart) bool { return p.mediaType == "message/feedback-report" }) {
		fd.warn("report.failure-extra-report", "", "more than one message/feedback-report part; the first is read")
	}
	p := parts[fb]
	enc := strings.ToLower(strings.TrimSpace(p.header.Get("Content-Transfer-Encoding")))
	if enc == "base64" || enc == "quoted-printable" {
		// RFC 5965 §7.3 registers message/feedback-report for 7bit.
		fd.warn("report.failure-encoded-part", "feedback-report", "the feedback-report part is "+enc+"-encoded (decoded)")
	}
	if err := fd.feedback(f, fd.transfer(p.body, enc, "feedback-report"), "feedback-report"); err != nil {
		return nil, err
	}
	orig := slices.IndexFunc(parts[fb+1:], func(p mimePart) bool {
		switch p.mediaType {
		case "message/rfc822", "text/rfc822-headers", "message/rfc822-headers":
			return true
		}
		return false
	})
	if orig < 0 {
		fd.warn("report.failure-no-original", "", "no message/rfc822 or text/rfc822-headers part (RFC 6591 §3.1 requires it)")
		return f, nil
	}
	op := parts[fb+1+orig]
	if op.mediaType == "message/rfc822-headers" {
		fd.warn("report.failure-bad-media-type", "original", "the original's headers are message/rfc822-headers, not text/rfc822-headers (RFC 6522 §4)")
		op.mediaType = "text/rfc822-headers"
	}
	raw := fd.transfer(op.body, op.header.Get("Content-Transfer-Encoding"), "original")
	h, b, err := fd.readHeader(raw, "original")
	if err != nil {
		return nil, err
	}
	f.Original = Original{MediaType: op.mediaType, Header: h}
	if op.mediaType == "message/rfc822" {
		f.Original.Body = b
		if b == nil {
			f.Original.Body = []byte{}
		}
	}
	return f, nil
}

// transfer undoes a Content-Transfer-Encoding, tolerantly: characters
// outside the base64 alphabet are skipped, missing padding is accepted.
// What does not decode is kept as it is, with a warning.
func (fd *failureDecoder) transfer(b []byte, enc, where string) []byte {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "base64":
		out, ok := decodeBase64(b)
		if !ok {
			fd.warn("report.failure-bad-encoding", where, "the base64 content does not decode; read as it is")
			return b
		}
		return out
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
		if err != nil {
			fd.warn("report.failure-bad-encoding", where, "the quoted-printable content does not decode; read as it is")
			return b
		}
		return out
	}
	return b
}

// decodeBase64 decodes base64 text, skipping white space and other bytes
// outside the alphabet, with or without padding.
func decodeBase64(b []byte) ([]byte, bool) {
	if i := bytes.IndexByte(b, '='); i >= 0 {
		b = b[:i] // padding ends the data
	}
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		return nil, false
	}
	return out[:n], true
}

// readHeader splits a header block into its fields (unfolded, in order)
// and the body after the empty line (nil when there is none). LF and CRLF
// line ends are both read; an mbox "From " line at the start is skipped.
func (fd *failureDecoder) readHeader(data []byte, where string) ([]Field, []byte, error) {
	var fields []Field
	var cur []byte // the field being unfolded
	flush := func() error {
		if cur == nil {
			return nil
		}
		line := cur
		cur = nil
		name, value, ok := bytes.Cut(line, []byte(":"))
		n := string(bytes.TrimSpace(name))
		if !ok || n == "" || bytes.ContainsAny(name[:len(bytes.TrimRight(name, " \t"))], " \t") {
			fd.warn("report.failure-bad-header", where, fmt.Sprintf("a line that is no header field ignored: %q", clip(line, 40)))
			return nil
		}
		if len(fields) >= fd.lim.recEntries {
			return &DecodeError{Kind: ErrLimit, Container: fd.path, Path: where, Limit: "MaxRecordEntries",
				Msg: fmt.Sprintf("more than %d header fields", fd.lim.recEntries)}
		}
		// A bare CR inside a value is no line end (RFC 5322 §2.2): a space.
		v := strings.ReplaceAll(string(bytes.TrimSpace(value)), "\r", " ")
		fields = append(fields, Field{Name: n, Value: v})
		return nil
	}
	first := true
	for len(data) > 0 {
		var line []byte
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			line, data = data, data[len(data):]
		} else {
			line, data = data[:i], data[i+1:]
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if first && bytes.HasPrefix(line, []byte("From ")) {
			first = false
			continue
		}
		first = false
		if len(line) == 0 {
			if err := flush(); err != nil {
				return nil, nil, err
			}
			return fields, data, nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur == nil {
				fd.warn("report.failure-bad-header", where, "a continuation line without a field ignored")
				continue
			}
			cur = append(cur, line...) // RFC 5322 §2.2.3: unfolding removes the CRLF only
		} else {
			if err := flush(); err != nil {
				return nil, nil, err
			}
			cur = append([]byte{}, line...)
		}
		if len(cur) > fd.lim.element {
			return nil, nil, &DecodeError{Kind: ErrLimit, Container: fd.path, Path: where, Limit: "MaxElementSize",
				Msg: fmt.Sprintf("a header field longer than %d bytes", fd.lim.element)}
		}
	}
	if err := flush(); err != nil {
		return nil, nil, err
	}
	return fields, nil, nil
}

// otherFeedbackTypes are the ARF feedback types (RFC 5965 §7.3) that are
// not failure reports.
var otherFeedbackTypes = []string{"abuse", "fraud", "virus", "other", "not-spam"}

// feedback reads the fields of the message/feedback-report part into f.
// An ARF report that is no failure report is ErrOtherFeedback.
func (fd *failureDecoder) feedback(f *Failure, data []byte, where string) error {
	fields, rest, err := fd.readHeader(data, where)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		fd.warn("report.failure-bad-header", where, "text after the fields of the feedback-report part ignored")
	}
	if len(fields) == 0 {
		return fd.fail(ErrOtherFeedback, where, "the message/feedback-report part holds no fields")
	}
	f.Fields = fields
	seen := map[string]bool{}
	once := func(name string) bool {
		if seen[name] {
			fd.warn("report.failure-repeated-field", where+"/"+name, name+" appears more than once; the first is kept")
			return false
		}
		seen[name] = true
		return true
	}
	add := func(list *[]string, name, v string) {
		if len(*list) >= fd.lim.results {
			fd.warn("report.results-dropped", where+"/"+name, fmt.Sprintf("more than %d %s fields; the rest are not kept", fd.lim.results, name))
			return
		}
		*list = append(*list, v)
	}
	bad := func(name, msg string) {
		fd.warn("report.failure-bad-field", where+"/"+name, msg)
	}
	// Fields that appear at most once and are kept as written, by their
	// canonical key: the name as the RFCs spell it, and where it goes;
	// cfws: the grammar allows comments around the value (RFC 6591 §4),
	// which are removed.
	plain := map[string]struct {
		name string
		dst  *string
		cfws bool
	}{
		"User-Agent": {"User-Agent", &f.UserAgent, false}, "Original-Envelope-Id": {"Original-Envelope-Id", &f.OriginalEnvelopeID, false},
		"Reporting-Mta": {"Reporting-MTA", &f.ReportingMTA, false}, "Dkim-Domain": {"DKIM-Domain", &f.DKIMDomain, true},
		"Dkim-Identity": {"DKIM-Identity", &f.DKIMIdentity, true}, "Dkim-Selector": {"DKIM-Selector", &f.DKIMSelector, true},
		"Dkim-Adsp-Dns": {"DKIM-ADSP-DNS", &f.DKIMADSPDNS, false}, "Dkim-Selector-Dns": {"DKIM-Selector-DNS", &f.DKIMSelectorDNS, false},
	}
	for _, fl := range fields {
		name := textproto.CanonicalMIMEHeaderKey(fl.Name)
		v := fl.Value
		if p, ok := plain[name]; ok {
			if once(p.name) {
				if p.cfws && !strings.Contains(v, `"`) { // a quoted local part may hold parentheses
					v = strings.TrimSpace(stripComments(v))
				}
				*p.dst = v
			}
			continue
		}
		switch name {
		case "Feedback-Type":
			if !once(name) {
				continue
			}
			t := strings.ToLower(keyword(v))
			if slices.Contains(otherFeedbackTypes, t) {
				return fd.fail(ErrOtherFeedback, where, fmt.Sprintf("an ARF report of feedback type %q, not auth-failure (RFC 6591 §3.1)", t))
			}
			if t != "auth-failure" {
				bad(name, fmt.Sprintf("feedback type %q, not auth-failure", t))
			}
			f.FeedbackType = t
		case "Version":
			if once(name) {
				f.Version = v
				if v != "1" {
					bad(name, fmt.Sprintf("version %q, not 1 (RFC 5965 §3.1)", v))
				}
			}
		case "Auth-Failure":
			if !once(name) {
				continue
			}
			f.AuthFailure = failureEnum(fd, v, authFailures, where, name)
		case "Identity-Alignment":
			if once(name) {
				f.IdentityAlignment = fd.alignment(v, where+"/"+name)
			}
		case "Authentication-Results":
			if len(f.AuthenticationResults) >= fd.lim.results {
				fd.warn("report.results-dropped", where+"/"+name, fmt.Sprintf("more than %d %s fields; the rest are not kept", fd.lim.results, name))
				continue
			}
			ar := AuthResultsField{Raw: v}
			if r, err := authres.Parse(v); err == nil {
				ar.Parsed = r
			} else {
				bad(name, "does not parse: "+err.Error())
			}
			f.AuthenticationResults = append(f.AuthenticationResults, ar)
		case "Source-Ip":
			if !once("Source-IP") {
				continue
			}
			ip, ok := parseSourceIP(v)
			if !ok {
				fd.warn("report.bad-ip", where+"/Source-IP", fmt.Sprintf("Source-IP %q is no IP address", clip([]byte(v), 64)))
			}
			f.SourceIP = ip
		case "Source-Port":
			if once(name) {
				if n, err := strconv.ParseUint(v, 10, 16); err == nil {
					f.SourcePort = int(n)
				} else {
					bad(name, fmt.Sprintf("Source-Port %q is no port number", clip([]byte(v), 32)))
				}
			}
		case "Reported-Domain":
			add(&f.ReportedDomain, name, v)
		case "Reported-Uri":
			add(&f.ReportedURI, "Reported-URI", v)
		case "Original-Mail-From":
			if !once(name) {
				continue
			}
			switch a := stripAngle(v); {
			case v == "":
				fd.warn("report.failure-empty-field", where+"/"+name, "Original-Mail-From is empty (the null reverse-path is written <>)")
			case a == "":
				f.NullMailFrom = true
			default:
				f.OriginalMailFrom = a
			}
		case "Original-Rcpt-To":
			add(&f.OriginalRcptTo, name, stripAngle(v))
		case "Arrival-Date", "Received-Date":
			if !once("Arrival-Date") {
				continue
			}
			if t, err := mail.ParseDate(v); err == nil {
				f.ArrivalDate = t
			} else {
				bad(name, fmt.Sprintf("%q is no RFC 5322 date", clip([]byte(v), 64)))
			}
		case "Incidents":
			if once(name) {
				if n, err := strconv.ParseUint(v, 10, 64); err == nil {
					f.Incidents = n
				} else {
					bad(name, fmt.Sprintf("Incidents %q is no count", clip([]byte(v), 32)))
				}
			}
		case "Delivery-Result":
			if !once(name) {
				continue
			}
			f.DeliveryResult = failureEnum(fd, v, deliveryResults, where, name)
		case "Dkim-Canonicalized-Header", "Dkim-Canonicalized-Body":
			n := "DKIM-Canonicalized-" + strings.TrimPrefix(name, "Dkim-Canonicalized-")
			if !once(n) {
				continue
			}
			b, ok := decodeBase64([]byte(v))
			if !ok {
				bad(n, "not base64")
				continue
			}
			if name == "Dkim-Canonicalized-Header" {
				f.DKIMCanonicalizedHeader = b
			} else {
				f.DKIMCanonicalizedBody = b
			}
		case "Spf-Dns":
			add(&f.SPFDNS, "SPF-DNS", v)
		}
	}
	fd.required(f, seen, where)
	return nil
}

// failureEnum reads a keyword field (comments allowed, RFC 6591 §3.3),
// lower-cased; a value outside vocab is kept, with a warning.
func failureEnum[T ~string](fd *failureDecoder, v string, vocab []T, where, name string) T {
	t := T(strings.ToLower(keyword(v)))
	if !slices.Contains(vocab, t) {
		fd.warn("report.enum-unknown", where+"/"+name, fmt.Sprintf("unknown %s %q, kept", name, t))
	}
	return t
}

// required warns about the fields RFC 5965 §3.1, RFC 6591 §3.1 and §3.2 and
// RFC 9991 §4 require that the report lacks.
func (fd *failureDecoder) required(f *Failure, seen map[string]bool, where string) {
	missing := func(name, rfc string) {
		fd.warn("report.failure-missing-field", where+"/"+name, name+" is missing ("+rfc+")")
	}
	if !seen["Feedback-Type"] {
		missing("Feedback-Type", "RFC 5965 §3.1")
		f.FeedbackType = "auth-failure"
	}
	if !seen["User-Agent"] {
		missing("User-Agent", "RFC 5965 §3.1")
	}
	if !seen["Version"] {
		missing("Version", "RFC 5965 §3.1")
	}
	if !seen["Auth-Failure"] {
		missing("Auth-Failure", "RFC 6591 §3.2.1")
	}
	if len(f.AuthenticationResults) == 0 {
		missing("Authentication-Results", "RFC 6591 §3.1")
	}
	if f.AuthFailure == AuthFailureDMARC && !seen["Identity-Alignment"] {
		missing("Identity-Alignment", "RFC 9991 §4")
	}
	switch f.AuthFailure {
	case AuthFailureRevoked, AuthFailureSignature, AuthFailureBodyHash:
		if f.DKIMDomain == "" {
			missing("DKIM-Domain", "RFC 6591 §3.2.3")
		}
		if f.DKIMSelector == "" {
			missing("DKIM-Selector", "RFC 6591 §3.2.3")
		}
	case AuthFailureSPF:
		if len(f.SPFDNS) == 0 {
			missing("SPF-DNS", "RFC 6591 §3.2.6")
		}
	}
}

// alignment reads Identity-Alignment: "none" or a comma-separated list of
// dkim and spf, each at most once (RFC 9991 §4).
func (fd *failureDecoder) alignment(v, where string) []string {
	out := []string{}
	for item := range strings.SplitSeq(stripComments(v), ",") {
		m := strings.ToLower(strings.TrimSpace(item))
		if m == "" {
			continue
		}
		if len(out) >= 8 {
			fd.warn("report.failure-bad-field", where, "more entries than the grammar allows; the rest are not kept")
			break
		}
		switch {
		case slices.Contains(out, m):
			fd.warn("report.failure-bad-field", where, fmt.Sprintf("%q listed twice (RFC 9991 §4)", m))
			continue
		case m != "dkim" && m != "spf" && m != "none":
			fd.warn("report.failure-bad-field", where, fmt.Sprintf("%q is neither dkim, spf nor none (RFC 9991 §4)", m))
		}
		out = append(out, m)
	}
	if slices.Contains(out, "none") && len(out) > 1 {
		fd.warn("report.failure-bad-field", where, "none together with a method (RFC 9991 §4)")
	}
	return out
}

// keyword returns the first word of a value, after RFC 5322 comments are
// removed ("dmarc (p=none)" gives "dmarc").
func keyword(v string) string {
	s := strings.TrimSpace(stripComments(v))
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		s = s[:i]
	}
	return s
}

// stripComments removes parenthesised comments, nested or not.
func stripComments(v string) string {
	if !strings.Contains(v, "(") {
		return v
	}
	var b strings.Builder
	depth := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && depth > 0:
			i++
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// stripAngle removes the angle brackets around an address.
func stripAngle(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">") {
		v = strings.TrimSpace(v[1 : len(v)-1])
	}
	return v
}

// parseSourceIP reads an address as reporters write it: plain, in
// brackets, with an "IPv6:" prefix.
func parseSourceIP(v string) (netip.Addr, bool) {
	v = strings.TrimSpace(stripComments(v))
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	if len(v) > 5 && strings.EqualFold(v[:5], "ipv6:") {
		v = v[5:]
	}
	ip, err := netip.ParseAddr(v)
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// maxListedFailureParts bounds the media types an error lists.
const maxListedFailureParts = 5
