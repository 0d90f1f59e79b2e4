package spf

import "fmt"

// SelectRecord picks the SPF record among the TXT records published at
// name and parses it, as a receiver does (RFC 7208 §4.5): exactly one TXT
// record starting "v=spf1" must be there, and it must parse. It returns the
// record, or nil and the finding that says why none applies, with the code
// and text the Linter gives the same defect: FindingNoRecord, FindingMultipleRecords
// or FindingSyntax, Where name.
//
// Packages that check an SPF record as part of their own subject (mx and ses
// at a MAIL FROM domain) report these findings as they are, so that one
// defect carries one code whichever package found it; they may raise the
// severity and fill in Fix for their context.
func SelectRecord(name string, txts []string) (*Record, *Finding) {
	var found []string
	for _, t := range txts {
		if IsSPF(t) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return nil, noRecordFinding(name)
	case 1:
	default:
		return nil, multipleRecordsFinding(name, len(found))
	}
	rec, err := ParseRecord(found[0])
	if err != nil {
		return nil, syntaxFinding(name, err)
	}
	return rec, nil
}

// The findings the Linter and SelectRecord share.

func noRecordFinding(name string) *Finding {
	return &Finding{Code: FindingNoRecord, Severity: SeverityWarning, Message: "no SPF record: receivers get none", Where: name, RFC: "RFC 7208 §4.5"}
}

func multipleRecordsFinding(name string, n int) *Finding {
	return &Finding{Code: FindingMultipleRecords, Severity: SeverityError, Message: fmt.Sprintf("%d SPF records: receivers return permerror", n),
		Where: name, RFC: "RFC 7208 §4.5"}
}

func syntaxFinding(name string, err error) *Finding {
	return &Finding{Code: FindingSyntax, Severity: SeverityError, Message: err.Error(), Where: name, RFC: "RFC 7208 §4.6"}
}

// RRTypeFinding is the finding that name publishes records of the obsolete
// type SPF (99) (RFC 7208 §3.1): receivers ignore them, and they can drift
// from the TXT record. The Linter reports it through an SPFRRResolver; a
// tool that reads a zone's records itself (such as a zone-file check)
// reports it with this function, so the defect carries spf's code there too.
func RRTypeFinding(name string) Finding {
	return Finding{Code: FindingSPFRRType, Severity: SeverityWarning, Where: name, RFC: "RFC 7208 §3.1",
		Message: "type SPF (99) records are published; receivers ignore them and they can drift from the TXT record"}
}
