package audit

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/spf"
)

// AreaFinding is the common form of a package's lint or audit finding, with
// the area it belongs to: what the command line prints and what its --json
// emits. Each package's findings convert to it (AreaFindings), so that one
// printer (WriteFindings) serves them all.
type AreaFinding struct {
	Area     string              `json:"area"`             // "spf", "dmarc", "dkim", "mx", "ses", "zone"
	Severity domainauth.Severity `json:"severity"`         // written "error", "warning" or "info"
	Code     string              `json:"code"`             // the package's stable code, e.g. "spf.too-many-lookups"
	Record   string              `json:"record,omitempty"` // the name and record, term or tag it concerns
	Message  string              `json:"message"`          // for people
	Fix      string              `json:"fix,omitempty"`    // what to publish or change instead
	RFC      string              `json:"rfc,omitempty"`    // the rule's source, e.g. "RFC 7208 §4.6.4"
}

// AreaFindings converts a package's findings to the common form.
func AreaFindings(area string, fs []domainauth.Finding) []AreaFinding {
	out := make([]AreaFinding, 0, len(fs))
	for _, f := range fs {
		out = append(out, areaFinding(area, f))
	}
	return out
}

func areaFinding(area string, f domainauth.Finding) AreaFinding {
	return AreaFinding{Area: area, Severity: f.Severity, Code: f.Code,
		Record: f.Where, Message: f.Message, RFC: f.RFC, Fix: f.Fix}
}

// SortBySeverity sorts fs errors first, then warnings, then infos, keeping
// the order of findings of one severity.
func SortBySeverity(fs []AreaFinding) {
	slices.SortStableFunc(fs, func(x, y AreaFinding) int { return int(y.Severity) - int(x.Severity) })
}

// CountSeverities returns the number of errors and warnings in fs.
func CountSeverities(fs []AreaFinding) (errs, warns int) {
	for _, f := range fs {
		switch f.Severity {
		case domainauth.SeverityError:
			errs++
		case domainauth.SeverityWarning:
			warns++
		}
	}
	return errs, warns
}

// MaxInfoFindings bounds the info findings WriteFindings prints: an SPF
// tree of many includes has one lookup-cost info per include. Errors and
// warnings are all printed (the packages bound them); the JSON form has all.
const MaxInfoFindings = 100

// Bounds on the text of one finding as WriteFinding prints it: a term or
// record quoted in it can be as long as the TXT record.
const (
	MaxRecordBytes  = 300
	MaxMessageBytes = 600
)

// WriteFindings prints fs with WriteFinding, at most MaxInfoFindings infos,
// then how many more there are.
func WriteFindings(w io.Writer, indent string, fs []AreaFinding) {
	infos := 0
	for _, f := range fs {
		if f.Severity == domainauth.SeverityInfo {
			if infos++; infos > MaxInfoFindings {
				continue
			}
		}
		WriteFinding(w, indent, f)
	}
	if infos > MaxInfoFindings {
		fmt.Fprintf(w, "%s… %d more info findings (--json lists them all)\n", indent, infos-MaxInfoFindings)
	}
}

// Clip shortens s to at most n bytes, cut at a rune boundary, and says how
// much was left out.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", s[:cut], len(s)-cut)
}

// WriteFinding prints one finding as an indented block, each text escaped
// with termsafe and clipped to MaxRecordBytes or MaxMessageBytes:
//
//	error   spf.too-many-lookups  broken.example TXT "v=spf1 ..."
//	        the message
//	        fix: what to do
func WriteFinding(w io.Writer, indent string, f AreaFinding) {
	fmt.Fprintf(w, "%s%-7s %s", indent, f.Severity, termsafe.String(f.Code))
	if f.Record != "" {
		fmt.Fprintf(w, "  %s", termsafe.String(Clip(f.Record, MaxRecordBytes)))
	}
	fmt.Fprintln(w)
	pad := indent + strings.Repeat(" ", 8)
	msg := Clip(f.Message, MaxMessageBytes)
	if f.RFC != "" {
		msg += " (" + f.RFC + ")"
	}
	fmt.Fprintf(w, "%s%s\n", pad, termsafe.String(msg))
	if f.Fix != "" {
		fmt.Fprintf(w, "%sfix: %s\n", pad, termsafe.String(Clip(f.Fix, MaxMessageBytes)))
	}
}

// Plural returns "1 error" or "2 errors".
func Plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// SummaryLine is the last line of a report: "no problems found", or the
// counts of errors and warnings.
func SummaryLine(fs []AreaFinding) string {
	errs, warns := CountSeverities(fs)
	if errs == 0 && warns == 0 {
		return "no problems found"
	}
	return Plural(errs, "error") + ", " + Plural(warns, "warning")
}

// MaxTreeLines bounds the lines of an SPF lookup tree TreeLines renders.
const MaxTreeLines = 200

// maxTermBytes bounds the text of one term in a tree line.
const maxTermBytes = 300

// TreeLines renders an SPF lookup tree (see Tree), one term a line indented
// by its depth, at most MaxTreeLines lines, then how many terms are not
// shown: those past MaxTreeLines and the omitted ones the linter did not
// list. An include whose target is listed earlier says so. It runs in time
// linear in the lines it returns.
func TreeLines(tree []spf.TermCost, omitted int, indent string) []string {
	var out []string
	for i, t := range tree {
		if i == MaxTreeLines {
			break
		}
		line := fmt.Sprintf("%s%s%s: %s", indent, strings.Repeat("  ", min(t.Depth, 20)), Clip(t.Term, maxTermBytes), Plural(t.Lookups, "lookup"))
		if t.Repeated {
			line += " (its terms are listed above)"
		}
		out = append(out, line)
	}
	if more := len(tree) - len(out) + omitted; more > 0 {
		out = append(out, fmt.Sprintf("%s… %d more terms", indent, more))
	}
	return out
}
