// Package reportfile tells report files apart by content: a DMARC failure
// report, a DMARC aggregate report or an SMTP TLS report, each possibly
// inside gzip, zip or email. It is the one detection the domainauth
// command (report show, summary, json) and store/ingest share, so that
// they classify a file the same way.
package reportfile

import (
	"errors"
	"io"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/tlsrpt"
)

// Decoders are the decoders Decode uses, as the caller configured them.
type Decoders struct {
	// Report decodes aggregate and failure reports. If nil, the defaults.
	Report *report.Decoder
	// Stream makes Decode open an aggregate report as a stream
	// (Report.Stream) instead of reading it whole.
	Stream bool
	// TLS decodes an SMTP TLS report (a tlsrpt.Decoder's Decode with the
	// caller's context, resolver and policy). Required.
	TLS func(io.Reader) (*tlsrpt.Report, error)
}

// File is a report file read by Decode: exactly one field is set.
type File struct {
	Aggregate *report.Aggregate // read whole
	Stream    *report.Stream    // or opened as a stream; the caller closes it
	Failure   *report.Failure   // a DMARC failure report
	TLS       *tlsrpt.Report    // an SMTP TLS report
}

// Decode reads r as each kind of report in turn, from its start each time,
// until one decodes: failure, aggregate, TLS.
//
// A failure report goes first because it is the whole message, recognised
// by its own structure (a message/feedback-report part), whereas the
// aggregate and TLS decoders search every part for their document,
// including the copy of the original message inside a failure report: a
// failure report about a report email holds that report's XML or JSON and
// must not be read as it. Aggregate and TLS documents start differently
// ('<' and '{'), so their order matters only for an email that has
// attachments of both kinds.
//
// An error that wraps the decoder's ErrNotReport or ErrEmpty means "not
// this kind", and the next kind is tried. Any other error is that of a
// report of this kind that is broken (or of the TLS function, such as a
// cancelled context), and Decode returns it. So is the failure decoder's
// error for an ARF report of another feedback type (abuse, fraud, ...,
// RFC 5965 §7.3), which wraps report.ErrNotReport: its copy of the
// original message is someone else's mail, which may carry an aggregate or
// TLS report that is not the sender's, so the other kinds are not tried.
// When no kind matches, the error is a *NoReportError.
func Decode(r io.ReadSeeker, d Decoders) (File, error) {
	dec := d.Report
	if dec == nil {
		dec = &report.Decoder{}
	}
	kinds := [...]func(io.Reader) (File, error){
		func(r io.Reader) (f File, err error) { f.Failure, err = dec.DecodeFailure(r); return },
		func(r io.Reader) (f File, err error) {
			if d.Stream {
				f.Stream, err = dec.Stream(r)
			} else {
				f.Aggregate, err = dec.Decode(r)
			}
			return
		},
		func(r io.Reader) (f File, err error) { f.TLS, err = d.TLS(r); return },
	}
	var errs [len(kinds)]error
	for i, decode := range kinds {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return File{}, err
		}
		f, err := decode(r)
		if err == nil {
			return f, nil
		}
		if !notThisKind(err) || i == 0 && otherFeedback(err) {
			return File{}, err
		}
		errs[i] = err
	}
	return File{}, &NoReportError{Failure: errs[0], Aggregate: errs[1], TLS: errs[2]}
}

// notThisKind reports whether a decoder found no report of its kind.
func notThisKind(err error) bool {
	return errors.Is(err, report.ErrNotReport) || errors.Is(err, report.ErrEmpty) ||
		errors.Is(err, tlsrpt.ErrNotReport) || errors.Is(err, tlsrpt.ErrEmpty)
}

// otherFeedback reports whether the failure decoder's err says that the
// message is an ARF report, but not a failure report (another feedback
// type, or no fields).
func otherFeedback(err error) bool {
	return errors.Is(err, report.ErrOtherFeedback)
}

// NoReportError is Decode's error for a file that is no report of any
// kind: each decoder's error. It reads and unwraps as the aggregate
// decoder's error, the most general ("not a DMARC aggregate report: ..."
// names what the input is instead).
type NoReportError struct {
	// Failure, Aggregate and TLS are the errors of the failure, aggregate
	// and TLS decoders, each saying why the file is no report of its kind.
	Failure, Aggregate, TLS error
}

// Error returns the aggregate decoder's message.
func (e *NoReportError) Error() string { return e.Aggregate.Error() }

// Unwrap returns the aggregate decoder's error.
func (e *NoReportError) Unwrap() error { return e.Aggregate }
