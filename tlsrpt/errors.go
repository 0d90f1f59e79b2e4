package tlsrpt

import (
	"strconv"

	"github.com/domainauth/domainauth/internal/container"
)

// Sentinel errors; every decoding error wraps one of them (errors.Is).
var (
	// ErrEmpty: the input, or the member or attachment holding the report,
	// has no bytes (or only white space).
	ErrEmpty error = &container.Sentinel{Msg: "tlsrpt: empty input", Shared: container.ErrEmpty}
	// ErrNotReport: the input is readable but is no SMTP TLS report: JSON
	// that is not an object or has none of the report's members, an email
	// without a report attachment, or bytes that are neither JSON, gzip,
	// zip nor an email message.
	ErrNotReport error = &container.Sentinel{Msg: "tlsrpt: not an SMTP TLS report", Shared: container.ErrNotReport}
	// ErrSyntax: the document is not well-formed JSON.
	ErrSyntax error = &container.Sentinel{Msg: "tlsrpt: malformed JSON"}
	// ErrLimit: a configured limit was exceeded (DecodeError.Limit names
	// the Decoder field).
	ErrLimit error = &container.Sentinel{Msg: "tlsrpt: limit exceeded", Shared: container.ErrLimit}
	// ErrContainer: a gzip, zip or MIME layer is corrupt.
	ErrContainer error = &container.Sentinel{Msg: "tlsrpt: corrupt container", Shared: container.ErrContainer}
	// ErrUnverified: Decoder.DropUnverified is set and the report arrived
	// by email without a valid DKIM signature by the reporting domain
	// (RFC 8460 §3: such reports MUST be ignored).
	ErrUnverified error = &container.Sentinel{Msg: "tlsrpt: report email without a valid DKIM signature by the reporting domain"}
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
	where := ""
	if e.Offset >= 0 {
		where = "offset " + strconv.FormatInt(e.Offset, 10)
	}
	return container.Message("tlsrpt", e.Container, where, e.Path, e.Msg, e.Limit, e.Err)
}

// Unwrap returns the sentinel kind and the underlying error.
func (e *DecodeError) Unwrap() []error { return container.Unwrap(e.Kind, e.Err) }

// fromContainer turns the shared package's errors into DecodeError values.
func fromContainer(err error) error {
	if ce, ok := err.(*container.Error); ok {
		return &DecodeError{Kind: ce.Map(ErrEmpty, ErrNotReport, ErrLimit, ErrContainer),
			Container: ce.Container, Offset: -1, Msg: ce.Msg, Limit: ce.Limit, Err: ce.Err}
	}
	return err
}
