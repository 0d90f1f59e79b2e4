package report

import (
	"strconv"

	"github.com/domainauth/domainauth/internal/container"
)

// Sentinel errors; every decoding error wraps one of them (errors.Is).
var (
	// ErrEmpty: the input (or the archive member or attachment holding
	// the report) has no bytes.
	ErrEmpty error = &container.Sentinel{Msg: "report: empty input", Shared: container.ErrEmpty}
	// ErrNotReport: the input is readable but is no DMARC aggregate
	// report: another XML root, an email without a report attachment,
	// or bytes that are neither XML, gzip, zip nor an email.
	ErrNotReport error = &container.Sentinel{Msg: "report: not a DMARC aggregate report", Shared: container.ErrNotReport}
	// ErrOtherFeedback: the input is an ARF report (RFC 5965) of a
	// feedback type other than auth-failure, or with no feedback fields:
	// not a failure report, and not to be searched for another report
	// (an abuse report may carry a report email as its sample). It wraps
	// ErrNotReport.
	ErrOtherFeedback error = &container.Sentinel{Msg: "report: an ARF report, but not a failure report", Shared: ErrNotReport}
	// ErrTruncated: the document ends before anything useful (the policy
	// domain or a complete record) was read.
	ErrTruncated error = &container.Sentinel{Msg: "report: truncated beyond repair"}
	// ErrLimit: a configured limit was exceeded (see Decoder).
	ErrLimit error = &container.Sentinel{Msg: "report: limit exceeded", Shared: container.ErrLimit}
	// ErrContainer: a gzip, zip or MIME layer is corrupt.
	ErrContainer error = &container.Sentinel{Msg: "report: corrupt container", Shared: container.ErrContainer}
)

// DecodeError describes why a report could not be decoded: what was found
// and where.
type DecodeError struct {
	// Kind is one of ErrEmpty, ErrNotReport, ErrOtherFeedback,
	// ErrTruncated, ErrLimit, ErrContainer.
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
	where := ""
	if e.Line > 0 {
		where = "line " + strconv.Itoa(e.Line)
	}
	return container.Message("report", e.Container, where, e.Path, e.Msg, e.Limit, e.Err)
}

// Unwrap returns the sentinel kind and the underlying error.
func (e *DecodeError) Unwrap() []error { return container.Unwrap(e.Kind, e.Err) }
