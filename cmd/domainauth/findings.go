package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/termsafe"
)

// finding is the tool's common form of a package's lint or audit finding:
// what every command prints and what --json emits. The packages' own
// finding types are converted to it, so that one printer serves them all.
type finding struct {
	Area     string `json:"area"`             // "spf", "dmarc", "dkim", "mx", "ses", "zone"
	Severity string `json:"severity"`         // "error", "warning" or "info"
	Code     string `json:"code"`             // the package's stable code, e.g. "spf.too-many-lookups"
	Record   string `json:"record,omitempty"` // the name and record, term or tag it concerns
	Message  string `json:"message"`          // for people
	Fix      string `json:"fix,omitempty"`    // what to publish or change instead
	RFC      string `json:"rfc,omitempty"`    // the rule's source, e.g. "RFC 7208 §4.6.4"
}

// findingsOf converts a package's findings to the tool's form.
func findingsOf(area string, fs []domainauth.Finding) []finding {
	out := make([]finding, 0, len(fs))
	for _, f := range fs {
		out = append(out, finding{Area: area, Severity: f.Severity.String(), Code: f.Code,
			Record: f.Where, Message: f.Message, RFC: f.RFC, Fix: f.Fix})
	}
	return out
}

// Severities, in the order findings are sorted.
const (
	sevError   = "error"
	sevWarning = "warning"
	sevInfo    = "info"
)

func sevRank(s string) int {
	switch s {
	case sevError:
		return 0
	case sevWarning:
		return 1
	}
	return 2
}

// countSeverities returns the number of errors and warnings.
func countSeverities(fs []finding) (errs, warns int) {
	for _, f := range fs {
		switch f.Severity {
		case sevError:
			errs++
		case sevWarning:
			warns++
		}
	}
	return errs, warns
}

// writeFinding prints one finding as an indented block:
//
//	error   spf.too-many-lookups  broken.example TXT "v=spf1 ..."
//	        the message
//	        fix: what to do
func writeFinding(w io.Writer, indent string, f finding) {
	fmt.Fprintf(w, "%s%-7s %s", indent, f.Severity, termsafe.String(f.Code))
	if f.Record != "" {
		fmt.Fprintf(w, "  %s", termsafe.String(f.Record))
	}
	fmt.Fprintln(w)
	pad := indent + strings.Repeat(" ", 8)
	msg := f.Message
	if f.RFC != "" {
		msg += " (" + f.RFC + ")"
	}
	fmt.Fprintf(w, "%s%s\n", pad, termsafe.String(msg))
	if f.Fix != "" {
		fmt.Fprintf(w, "%sfix: %s\n", pad, termsafe.String(f.Fix))
	}
}

// writeJSON prints v as indented JSON with a final newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// plural returns "1 error" or "2 errors".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// summaryLine is the last line of a report: "no problems found", or counts.
func summaryLine(fs []finding) string {
	errs, warns := countSeverities(fs)
	if errs == 0 && warns == 0 {
		return "no problems found"
	}
	return plural(errs, "error") + ", " + plural(warns, "warning")
}
