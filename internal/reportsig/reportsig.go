// Package reportsig decides whether a report email (DMARC aggregate or
// failure, SMTP TLS) is signed by its reporter, from the results of
// dkim.Verifier. It is the one rule tlsrpt.Decoder and store/ingest apply,
// so that a report one of them calls verified the other does too.
package reportsig

import (
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Status is what the signatures of a report email say about its reporter.
type Status uint8

// The outcomes of Check.
const (
	StatusFail      Status = iota // no signature counts
	StatusTempError               // none counts, and one could not be checked for now
	StatusPass                    // a signature by the reporter passes
)

// Check returns StatusPass and the signing domain (d=, as written) of the
// first verification that passes, does not use l= (RFC 8460 §3: report
// signatures MUST NOT use it; a partly signed body proves nothing about
// the report attached after it), is not made with a testing (t=y) key, and
// whose signer is a reporter's domain or a parent of one (an organisation
// signing for its mail host) that is not a top-level domain. Without one,
// it returns StatusTempError when a verification failed for now (a retry
// may pass) and StatusFail otherwise.
func Check(res []dkim.Verification, reporters []string) (Status, string) {
	st := StatusFail
	for _, r := range res {
		switch {
		case r.Status == dkim.StatusTempError:
			st = StatusTempError
		case r.Status != dkim.StatusPass || r.BodyLength >= 0 || r.Testing:
		case byReporter(r.Domain, reporters):
			return StatusPass, r.Domain
		}
	}
	return st, ""
}

// byReporter reports whether signer is one of the reporters' domains or a
// parent of one that is not a top-level domain.
func byReporter(signer string, reporters []string) bool {
	for _, r := range reporters {
		if dnsname.Equal(r, signer) || dnsname.IsSubdomain(r, signer) && dnsname.Labels(signer) >= 2 {
			return true
		}
	}
	return false
}
