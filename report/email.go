package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/container"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Filename returns the attachment name RFC 9990 §3 (and RFC 7489 §7.2.1.1)
// prescribe: receiver!policy-domain!begin!end[!unique-id].xml[.gz].
// receiver is the reporting domain; both domains are written as A-labels
// in lower case (characters a domain-name cannot hold are dropped), the
// timestamps as non-negative seconds; uniqueID, if not empty, must be
// letters and digits only (others are dropped). The name depends only on
// its arguments, so a re-sent report gets the same name, as RFC 9990 §3.5.2
// requires. c says whether the name ends in .xml.gz (the zero value,
// CompressionGzip) or .xml.
func Filename(a *Aggregate, receiver, uniqueID string, c Compression) string {
	var b strings.Builder
	b.WriteString(dnsname.Grammar(receiver))
	b.WriteByte('!')
	b.WriteString(dnsname.Grammar(a.Policy.Domain))
	b.WriteByte('!')
	b.WriteString(itoa(timestamp(a.Metadata.DateRange.Begin)))
	b.WriteByte('!')
	b.WriteString(itoa(timestamp(a.Metadata.DateRange.End)))
	if id := alnum(uniqueID); id != "" {
		b.WriteByte('!')
		b.WriteString(id)
	}
	b.WriteString(".xml")
	if c == CompressionGzip {
		b.WriteString(".gz")
	}
	return b.String()
}

// Compression is how a report file is stored: CompressionGzip (the zero
// value) for name.xml.gz, the compression RFC 9990 §3.5.2 and RFC 7489
// §7.2.1.1 require of every receiver, or CompressionNone for name.xml. It
// is the same type as tlsrpt.Compression, so one value serves both kinds,
// and it prints as "gzip" or "none".
type Compression = container.Compression

// The compressions of a report file.
const (
	CompressionGzip Compression = container.CompressionGzip // gzip: name.xml.gz
	CompressionNone Compression = container.CompressionNone // plain XML: name.xml
)

// timestamp is a date_range bound as the file name's 1*DIGIT: seconds
// since the epoch, never negative.
func timestamp(t time.Time) int64 {
	return max(0, wholeSeconds(t).Unix())
}

func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// Subject returns the Subject field value RFC 9990 §3 prescribes:
// "Report Domain: <policy domain> Submitter: <receiver> Report-ID: <id>".
// The Report-ID part is included only when the report ID fits the ridtxt
// grammar (dot-atom-text, optionally @ dot-atom-text, optionally in angle
// brackets), which it MUST for the field to be valid.
func Subject(a *Aggregate, receiver string) string {
	s := "Report Domain: " + dnsname.Grammar(a.Policy.Domain) + " Submitter: " + dnsname.Grammar(receiver)
	if rid := strings.TrimSuffix(strings.TrimPrefix(a.Metadata.ReportID, "<"), ">"); isRidFmt(rid) {
		s += " Report-ID: <" + rid + ">"
	}
	return s
}

// isRidFmt checks the RFC 9990 §3.5.1 ridfmt grammar. An ID too long to
// sit on one header line (RFC 5322 §2.1.1: at most 998 octets, and a
// dot-atom cannot be folded) is refused too, so that Subject and
// Message-ID stay valid.
func isRidFmt(s string) bool {
	if len(s) > maxRidLen {
		return false
	}
	local, domain, hasAt := strings.Cut(s, "@")
	return isDotAtom(local) && (!hasAt || isDotAtom(domain))
}

// maxRidLen leaves room on a folded header line for " Report-ID: <...>"
// and for "Message-ID: <...@receiver>".
const maxRidLen = 700

// isDotAtom checks RFC 5322 dot-atom-text.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' ||
			strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// Email describes the message that carries a report (RFC 9990 §3).
type Email struct {
	From, To string // addresses (RFC 5322 address lists)
	// Receiver is the reporting domain, used in Subject and file name.
	// Required.
	Receiver string
	// Date of the message; if zero, the Clock's time.
	Date  time.Time
	Clock domainauth.Clock // nil: system clock
	// MessageID without angle brackets; if empty, one is derived from the
	// report ID and the receiver.
	MessageID string
	// UniqueID is the optional unique-id of the file name.
	UniqueID string
	// Uncompressed attaches text/xml instead of application/gzip.
	Uncompressed bool
	// Text is the human-readable first part; if empty, a short default.
	Text string
}

// EncodeEmail writes a complete RFC 5322 message with the report attached
// as RFC 9990 §3 describes: multipart/mixed, a text part, and the report
// gzipped as application/gzip (or text/xml) named by Filename.
func (e *Encoder) EncodeEmail(w io.Writer, a *Aggregate, m Email) error {
	if dnsname.Grammar(m.Receiver) == "" {
		return errors.New("report: encode email: Email.Receiver (the reporting domain) is required")
	}
	if dnsname.Grammar(a.Policy.Domain) == "" {
		// RFC 9990 §3.5.2: the Subject and the file name name it.
		return errors.New("report: encode email: the report has no policy domain")
	}
	var att bytes.Buffer
	var err error
	if m.Uncompressed {
		err = e.Encode(&att, a)
	} else {
		err = e.EncodeGzip(&att, a)
	}
	if err != nil {
		return err
	}
	comp := CompressionGzip
	if m.Uncompressed {
		comp = CompressionNone
	}
	name := Filename(a, m.Receiver, m.UniqueID, comp)
	date := m.Date
	if date.IsZero() {
		date = domainauth.Now(m.Clock)
	}
	sum := sha256.Sum256(att.Bytes())
	boundary := "report-" + hex.EncodeToString(sum[:12])
	msgID := m.MessageID
	if msgID == "" {
		rid := strings.Trim(a.Metadata.ReportID, "<>")
		if !isRidFmt(rid) || strings.Contains(rid, "@") {
			rid = hex.EncodeToString(sum[:8])
		}
		msgID = rid + "@" + dnsname.Grammar(m.Receiver)
	}
	text := m.Text
	if text == "" {
		text = fmt.Sprintf("This is a DMARC aggregate report for %s from %s,\r\ncovering %s to %s (UTC).\r\n",
			a.Policy.Domain, m.Receiver,
			wholeSeconds(a.Metadata.DateRange.Begin).Format(time.DateTime),
			wholeSeconds(a.Metadata.DateRange.End).Format(time.DateTime))
	}
	bw := bufio.NewWriter(w)
	hdr := func(k, v string) { bw.WriteString(k + ": " + v + "\r\n") }
	hdr("From", headerValue(m.From))
	hdr("To", headerValue(m.To))
	hdr("Subject", foldSubject(mime.QEncoding.Encode("utf-8", Subject(a, m.Receiver))))
	hdr("Date", date.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+msgID+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
	bw.WriteString("\r\n--" + boundary + "\r\n")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "8bit")
	bw.WriteString("\r\n" + strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n") + "\r\n")
	bw.WriteString("--" + boundary + "\r\n")
	ct := "application/gzip"
	if m.Uncompressed {
		ct = "text/xml"
	}
	hdr("Content-Type", ct+"; name="+quoteParam(name))
	hdr("Content-Disposition", "attachment; filename="+quoteParam(name))
	hdr("Content-Transfer-Encoding", "base64")
	bw.WriteString("\r\n")
	bw.WriteString(base64Lines(att.Bytes(), "\r\n") + "\r\n")
	bw.WriteString("--" + boundary + "--\r\n")
	return bw.Flush()
}

// quoteParam writes a MIME parameter value as a quoted-string (RFC 2045),
// which mail clients handle best for names containing '!'.
func quoteParam(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", "").Replace(s) + `"`
}

// headerValue keeps a header value on one line.
func headerValue(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// foldSubject folds before "Submitter:" and "Report-ID:" as in the RFC 9990
// example, keeping lines short.
func foldSubject(s string) string {
	s = headerValue(s)
	if len(s) <= 66 {
		return s
	}
	s = strings.Replace(s, " Submitter: ", "\r\n Submitter: ", 1)
	return strings.Replace(s, " Report-ID: ", "\r\n Report-ID: ", 1)
}
