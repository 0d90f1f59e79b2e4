package domainauth

import "fmt"

// Severity ranks a Finding. It is the module's only severity type: the
// packages' Severity names are aliases of it.
type Severity uint8

// Severities, from least to most serious.
const (
	// SeverityInfo is worth knowing; nothing is wrong.
	SeverityInfo Severity = iota
	// SeverityWarning is probably not what the domain owner wants, or will break
	// under some receivers.
	SeverityWarning
	// SeverityError makes receivers ignore a record or fail a check.
	SeverityError
)

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", uint8(s))
}

// MarshalText writes the severity's name, for JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads "info", "warning" or "error".
func (s *Severity) UnmarshalText(b []byte) error {
	for v := SeverityInfo; v <= SeverityError; v++ {
		if v.String() == string(b) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("domainauth: unknown severity %q", b)
}

// Finding is one observation of a lint or an audit: something that parses
// but is unwise, missing or wrong. It is the module's only finding type:
// every package's lint and audit returns Findings (the packages' own
// Finding names are aliases of this one), and report's Diagnosis and
// Warning convert to it, so a tool can gather them from all areas. Users
// match on Code, which is stable and documented by the package that
// reports it ("spf.too-many-lookups", "dmarc.p-none-without-rua", ...);
// Message is for people and may change.
//
// # One defect, one code
//
// A code is "<package>.<word>", and the package its prefix names owns it:
// it declares the code as a Finding constant and lists it in its
// FindingCodes function. Each defect is reported by the package that owns
// the record it concerns, with that package's code, whichever package
// found it:
//
//   - an SPF record (none, several, does not parse, too many lookups, the
//     obsolete type SPF) is spf's, wherever it is published: mx and ses
//     check the MAIL FROM domain's through spf.SelectRecord and the spf
//     Linter and report spf's findings (raising spf.no-record to an Error
//     there), and a zone-file check reports spf.RRTypeFinding;
//   - a DMARC record (none, several, broken, p=none without rua) is
//     dmarc's: ses checks the identity's through dmarc.SelectRecord and
//     Record.Lint;
//   - a DKIM key record is dkim's: ses passes on dkim.CheckSelector's
//     findings for a BYODKIM record that is no usable key;
//   - an MX set (also an MX target that is a CNAME in a zone file, which
//     a zone-file check reports with mx.CNAMETargetFinding), and the MAIL
//     FROM domain's fitness to receive bounces, is mx's; what only SES requires (the Easy DKIM CNAME targets, the
//     feedback MX, amazonses.com in the MAIL FROM SPF record, the BYODKIM
//     key being the one SES holds, the alignment prediction) is ses's, and
//     the audit leaves the DKIM area's "no key" behind a wrong Easy DKIM
//     CNAME to it;
//   - findings the whole-domain audit makes by combining areas carry the
//     code of the record they concern (mx.null-mx-sender, mx.no-fcrdns,
//     dmarc.destination-cannot-receive, declared by mx and dmarc); only
//     audit.not-in-zone is the audit's own.
//
// A package may set Severity and Fix of a finding it passes on for its
// context, never the Code. The audit keeps one finding per code and subject
// when two areas see the same defect. audit's codes_collision_test.go runs
// every package over the repository's fixtures and fails when a code
// belongs to no list or to two, or when one defect comes with two codes.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Where    string   `json:"where,omitempty"` // the record, term, tag or DNS name concerned
	RFC      string   `json:"rfc,omitempty"`   // the rule it rests on, e.g. "RFC 7208 §4.6.4"
	// Fix says what to publish or change instead, with the real names and
	// values where the reporter knows them; "" when it has no advice.
	Fix string `json:"fix,omitempty"`
}

// String formats the finding on one line:
// "error spf.too-many-lookups (example.org): message [RFC 7208 §4.6.4]".
func (f Finding) String() string {
	s := f.Severity.String() + " " + f.Code
	if f.Where != "" {
		s += " (" + f.Where + ")"
	}
	s += ": " + f.Message
	if f.RFC != "" {
		s += " [" + f.RFC + "]"
	}
	return s
}
