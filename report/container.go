package report

import (
	"bytes"
	"errors"
	"strings"

	"github.com/domainauth/domainauth/internal/container"
)

// xmlFormat is what the shared container package looks for: an XML
// aggregate report, attached under any of the media types and file names
// reporters use.
var xmlFormat = &container.Format{
	Name:   "XML",
	Prefix: "report",
	Start:  func(b []byte) bool { return b[0] == '<' },
	// Junk before the document (a stray byte, a BOM in another encoding):
	// the scanner skips text outside elements.
	Garbage: func(head []byte) bool {
		return bytes.Contains(head, []byte("<feedback")) || bytes.Contains(head, []byte("<?xml"))
	},
	MediaTypes: map[string]bool{
		"application/gzip": true, "application/x-gzip": true, "application/gzip-compressed": true,
		"application/zip": true, "application/x-zip": true, "application/x-zip-compressed": true,
		"application/octet-stream": true, "text/xml": true, "application/xml": true,
	},
	Extensions: []string{".xml", ".gz", ".zip", ".gzip"},
	Member: func(n string) bool {
		return strings.HasSuffix(n, ".xml") || strings.HasSuffix(n, ".xml.gz")
	},
	MemberWhat: ".xml",
	Detail: func(err error) (string, bool) {
		if de, ok := errors.AsType[*DecodeError](err); ok {
			return de.Msg, true
		}
		return "", false
	},
}

// fromContainer turns the shared package's errors into DecodeError values
// with report's sentinels; other errors (the decoder's own) pass as they are.
func fromContainer(err error) error {
	if ce, ok := err.(*container.Error); ok {
		return &DecodeError{Kind: ce.Map(ErrEmpty, ErrNotReport, ErrLimit, ErrContainer),
			Container: ce.Container, Msg: ce.Msg, Limit: ce.Limit, Err: ce.Err}
	}
	return err
}

// fromWarnings converts the container's repairs.
func fromWarnings(ws []container.Warning) []Warning {
	out := make([]Warning, len(ws))
	for i, w := range ws {
		out[i] = Warning{Code: w.Code, Message: w.Message, Path: w.Path, Count: 1}
	}
	return out
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
