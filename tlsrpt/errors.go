package tlsrpt

import (
	"strconv"
	"strings"

	"github.com/domainauth/domainauth/internal/container"
)

// sentinel wraps the shared container package's kind (if any), so that
// code shared by every report kind can match it.
type sentinel struct {
	msg    string
	shared error
}

func (e *sentinel) Error() string { return e.msg }
func (e *sentinel) Unwrap() error { return e.shared }

// Sentinel errors; every decoding error wraps one of them (errors.Is).
var (
	// ErrEmpty: the input, or the member or attachment holding the report,
	// has no bytes (or only white space).
	ErrEmpty error = &sentinel{"tlsrpt: empty input", container.ErrEmpty}
	// ErrNotReport: the input is readable but is no SMTP TLS report: JSON
	// that is not an object or has none of the report's members, an email
	// without a report attachment, or bytes that are neither JSON, gzip,
	// zip nor an email message.
	ErrNotReport error = &sentinel{"tlsrpt: not an SMTP TLS report", container.ErrNotReport}
	// ErrSyntax: the document is not well-formed JSON.
	ErrSyntax error = &sentinel{"tlsrpt: malformed JSON", nil}
	// ErrLimit: a configured limit was exceeded (DecodeError.Limit names
	// the Decoder field).
	ErrLimit error = &sentinel{"tlsrpt: limit exceeded", container.ErrLimit}
	// ErrContainer: a gzip, zip or MIME layer is corrupt.
	ErrContainer error = &sentinel{"tlsrpt: corrupt container", container.ErrContainer}
	// ErrUnverified: Decoder.DropUnverified is set and the report arrived
	// by email without a valid DKIM signature by the reporting domain
	// (RFC 8460 §3: such reports MUST be ignored).
	ErrUnverified error = &sentinel{"tlsrpt: report email without a valid DKIM signature by the reporting domain", nil}
)

// DecodeError describes why a report could not be decoded: what was found
// and where.
type DecodeError struct {
	// Kind is one of ErrEmpty, ErrNotReport, ErrSyntax, ErrLimit,
	// ErrContainer, ErrUnverified.
	Kind error
	// Container is the chain of layers unwrapped, outermost first, as in
	// "email/gzip/json".
	Container string
	// Path is the member being read ("policies[0].summary"), if any.
	Path string
	// Offset is the byte offset in the JSON document of a syntax error,
	// -1 if not applicable.
	Offset int64
	// Msg says what was found.
	Msg string
	// Limit names the Decoder field whose limit was exceeded
	// ("MaxDocumentSize", "MaxArchiveSize", "MaxArchiveEntries",
	// "MaxEmailParts", "MaxPolicies", "MaxFailureDetails", "MaxStrings")
	// when Kind is ErrLimit.
	Limit string
	// Err is the underlying error.
	Err error
}

// Error says what was found and where: "tlsrpt: email/gzip/json: offset 7: ...".
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("tlsrpt: ")
	if e.Container != "" {
		b.WriteString(e.Container)
		b.WriteString(": ")
	}
	if e.Offset >= 0 {
		b.WriteString("offset ")
		b.WriteString(strconv.FormatInt(e.Offset, 10))
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

// fromContainer turns the shared package's errors into DecodeError values.
func fromContainer(err error) error {
	ce, ok := err.(*container.Error)
	if !ok {
		return err
	}
	var kind error
	switch ce.Kind {
	case container.ErrEmpty:
		kind = ErrEmpty
	case container.ErrNotReport:
		kind = ErrNotReport
	case container.ErrLimit:
		kind = ErrLimit
	default:
		kind = ErrContainer
	}
	return &DecodeError{Kind: kind, Container: ce.Container, Offset: -1, Msg: ce.Msg, Limit: ce.Limit, Err: ce.Err}
}
