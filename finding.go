package domainauth

import "fmt"

// Severity ranks a Finding.
type Severity uint8

// Severities, from least to most serious.
const (
	// Info is worth knowing; nothing is wrong.
	Info Severity = iota
	// Warning is probably not what the domain owner wants, or will break
	// under some receivers.
	Warning
	// Error makes receivers ignore a record or fail a check.
	Error
)

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", uint8(s))
}

// MarshalText writes the severity's name, for JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads "info", "warning" or "error".
func (s *Severity) UnmarshalText(b []byte) error {
	for v := Info; v <= Error; v++ {
		if v.String() == string(b) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("domainauth: unknown severity %q", b)
}

// Finding is one observation of a lint or an audit: something that parses
// but is unwise, missing or wrong. Every package's lint returns Findings, so
// a tool can gather them from all areas. Users match on Code, which is
// stable and documented by the package that reports it ("spf.too-many-lookups",
// "dmarc.p-none-without-rua", ...); Message is for people and may change.
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
