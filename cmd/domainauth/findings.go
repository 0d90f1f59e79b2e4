package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

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

// maxInfoFindings bounds the info findings a command prints as text: an
// SPF tree of many includes has one lookup-cost info per include. Errors
// and warnings are all printed (the packages bound them); --json has all.
const maxInfoFindings = 100

// Bounds on the text of one finding as printed: a term or record quoted in
// it can be as long as the TXT record.
const (
	maxRecordBytes  = 300
	maxMessageBytes = 600
)

// writeFindings prints fs with writeFinding, at most maxInfoFindings infos,
// then how many more there are.
func writeFindings(w io.Writer, indent string, fs []finding) {
	infos := 0
	for _, f := range fs {
		if f.Severity == sevInfo {
			if infos++; infos > maxInfoFindings {
				continue
			}
		}
		writeFinding(w, indent, f)
	}
	if infos > maxInfoFindings {
		fmt.Fprintf(w, "%s… %d more info findings (--json lists them all)\n", indent, infos-maxInfoFindings)
	}
}

// clip shortens s to at most n bytes, cut at a rune boundary, and says how
// much was left out.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", s[:cut], len(s)-cut)
}

// writeFinding prints one finding as an indented block:
//
//	error   spf.too-many-lookups  broken.example TXT "v=spf1 ..."
//	        the message
//	        fix: what to do
func writeFinding(w io.Writer, indent string, f finding) {
	fmt.Fprintf(w, "%s%-7s %s", indent, f.Severity, termsafe.String(f.Code))
	if f.Record != "" {
		fmt.Fprintf(w, "  %s", termsafe.String(clip(f.Record, maxRecordBytes)))
	}
	fmt.Fprintln(w)
	pad := indent + strings.Repeat(" ", 8)
	msg := clip(f.Message, maxMessageBytes)
	if f.RFC != "" {
		msg += " (" + f.RFC + ")"
	}
	fmt.Fprintf(w, "%s%s\n", pad, termsafe.String(msg))
	if f.Fix != "" {
		fmt.Fprintf(w, "%sfix: %s\n", pad, termsafe.String(clip(f.Fix, maxMessageBytes)))
	}
}

// safeLine is an error or message text from input as one printable line:
// folded onto one line, then escaped by termsafe.
func safeLine(s string) string { return termsafe.String(oneLine(s)) }

// safeHeader is a header field the library built (Received-SPF,
// Authentication-Results) for printing: printable ASCII, which cannot act on
// a terminal, is kept as is, so that the field's own quoting (\" inside a
// quoted-string) survives a copy and paste; anything else goes through
// termsafe.String.
func safeHeader(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return termsafe.String(s)
		}
	}
	return s
}

// errString is err's text, "" for nil.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// writeJSON prints v as indented JSON with a final newline. The encoder
// escapes C0 controls and U+2028/2029 and replaces invalid UTF-8; the other
// runes termsafe escapes (C1 controls such as U+009B, bidi controls) it
// writes raw, so they are written as \uXXXX here (termsafe.JSON).
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(termsafe.JSON(buf.Bytes()))
	return err
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
