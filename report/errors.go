package report

import (
	"strconv"
	"strings"

	"github.com/domainauth/domainauth/internal/container"
)

// sentinel is one of report's sentinel errors; it wraps the shared
// container package's kind (if any), so that code shared by every report
// kind can match it.
type sentinel struct {
	msg    string
	shared error
}

func (e *sentinel) Error() string { return e.msg }
func (e *sentinel) Unwrap() error { return e.shared }

// Sentinel errors; every decoding error wraps one of them (errors.Is).
var (
	// ErrEmpty: the input (or the archive member or attachment holding
	// the report) has no bytes.
	ErrEmpty error = &sentinel{"report: empty input", container.ErrEmpty}
	// ErrNotReport: the input is readable but is no DMARC aggregate
	// report: another XML root, an email without a report attachment,
	// or bytes that are neither XML, gzip, zip nor an email.
	ErrNotReport error = &sentinel{"report: not a DMARC aggregate report", container.ErrNotReport}
	// ErrTruncated: the document ends before anything useful (the policy
	// domain or a complete record) was read.
	ErrTruncated error = &sentinel{"report: truncated beyond repair", nil}
	// ErrLimit: a configured limit was exceeded (see Decoder).
	ErrLimit error = &sentinel{"report: limit exceeded", container.ErrLimit}
	// ErrContainer: a gzip, zip or MIME layer is corrupt.
	ErrContainer error = &sentinel{"report: corrupt container", container.ErrContainer}
)

// DecodeError describes why a report could not be decoded: what was found
// and where.
type DecodeError struct {
	// Kind is one of ErrEmpty, ErrNotReport, ErrTruncated, ErrLimit,
	// ErrContainer.
	Kind error
	// Container is the chain of layers unwrapped, outermost first, as in
	// "email/zip/xml".
	Container string
	// Path is the element being read ("feedback/record/row"), if any.
	Path string
	// Line is the 1-based line in the XML document, 0 if not applicable.
	Line int
	// Msg says what was found.
	Msg string
	// Limit names the Decoder field whose limit was exceeded
	// ("MaxDocumentSize", "MaxArchiveSize", "MaxArchiveEntries",
	// "MaxEmailParts", "MaxRecords", "MaxDepth", "MaxElementSize",
	// "MaxRecordEntries") when Kind is ErrLimit.
	Limit string
	// Err is the underlying error (from compress/gzip, archive/zip, I/O).
	Err error
}

// Error says what was found and where: "report: email/zip/xml: line 7: ...".
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("report: ")
	if e.Container != "" {
		b.WriteString(e.Container)
		b.WriteString(": ")
	}
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Limit != "" {
		b.WriteString(" (Decoder.")
		b.WriteString(e.Limit)
		b.WriteString(")")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel kind and the underlying error.
func (e *DecodeError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}
