package audit

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/domainauth/domainauth/authres"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/receiver"
)

// WriteDiscovery prints where the policy was found; the record's text
// comes from DNS and goes through termsafe, as every name does.
func WriteDiscovery(w io.Writer, d *dmarc.Discovery) {
	ts := termsafe.String
	switch d.Status {
	case dmarc.DiscoveryStatusFound:
		fmt.Fprintf(w, "%s: policy from _dmarc.%s (%s)\n", ts(d.AuthorDomain), ts(d.PolicyDomain), d.Source)
		fmt.Fprintf(w, "  %s\n", ts(`"`+d.Record.String()+`"`))
	case dmarc.DiscoveryStatusNone:
		fmt.Fprintf(w, "%s: no DMARC policy applies\n", ts(d.AuthorDomain))
	default:
		fmt.Fprintf(w, "%s: %s: %s\n", ts(d.AuthorDomain), d.Status, SafeLine(ErrString(d.Err)))
	}
	if len(d.Queried) > 0 {
		fmt.Fprintf(w, "  queried: %s\n", ts(strings.Join(d.Queried, ", ")))
	}
}

// WriteDMARCResult prints a DMARC result: the result, the record, each
// alignment check and the error. WriteDMARCAuthResult adds its
// Authentication-Results line.
func WriteDMARCResult(w io.Writer, res *dmarc.Result) {
	ts := termsafe.String
	fmt.Fprintf(w, "%s for %s", res.Code, ts(res.AuthorDomain))
	if res.Code == dmarc.CodeFail || res.Code == dmarc.CodePass {
		fmt.Fprintf(w, ": policy %s, disposition %s", res.AppliedPolicy, res.Disposition)
	}
	fmt.Fprintln(w)
	if d := res.Discovery; d != nil && d.Record != nil {
		fmt.Fprintf(w, "  record at _dmarc.%s: %s\n", ts(d.PolicyDomain), ts(`"`+d.Record.String()+`"`))
	}
	for _, ch := range res.Checks {
		mode := "relaxed"
		if ch.Mode == dmarc.AlignmentStrict {
			mode = "strict"
		}
		state := "not aligned (" + mode + ")"
		switch {
		case !ch.Evaluated:
			state = "no pass to align"
		case ch.Aligned:
			state = "aligned (" + mode + ")"
		}
		fmt.Fprintf(w, "  %s %s=%s: %s\n", ch.Method, ts(ch.Domain), ch.Result, state)
	}
	if res.Err != nil {
		fmt.Fprintf(w, "  why: %s\n", SafeLine(res.Err.Error()))
	}
}

// WriteDMARCAuthResult prints the dmarc method result of res as an
// Authentication-Results line, under what WriteDMARCResult printed.
func WriteDMARCAuthResult(w io.Writer, res *dmarc.Result) {
	fmt.Fprintf(w, "  Authentication-Results: %s\n", SafeHeader(res.AuthResult().String()))
}

// WriteReceived prints what a receiver.Checker found: the SPF results, one
// line per DKIM signature, the DMARC result and the Authentication-Results
// field.
func WriteReceived(w io.Writer, res *receiver.Result) {
	ts := termsafe.String
	ip := res.Envelope.IP
	if h := res.HELO; h != nil && !res.Path.Null {
		fmt.Fprintf(w, "SPF %s for HELO %s from %s\n", h.Code, ts(res.Envelope.HELO), ip)
	}
	domain := res.Path.Domain
	if res.Path.Null {
		domain = res.Envelope.HELO
	}
	fmt.Fprintf(w, "SPF %s for %s from %s\n", res.SPF.Code, ts(dashIfEmpty(domain)), ip)
	if res.PathErr != nil {
		fmt.Fprintf(w, "  why: %s\n", SafeLine(res.PathErr.Error()))
	}
	for _, v := range res.DKIM {
		fmt.Fprintf(w, "DKIM %s d=%s s=%s\n", v.Status, ts(dashIfEmpty(v.Domain)), ts(dashIfEmpty(v.Selector)))
	}
	if len(res.DKIM) == 0 {
		fmt.Fprintln(w, "DKIM none: the message has no DKIM-Signature")
	}
	fmt.Fprint(w, "DMARC ")
	WriteDMARCResult(w, res.DMARC)
	// The folded field: each continuation line keeps its tab.
	for line := range strings.SplitSeq(res.Header(), "\r\n") {
		rest, folded := strings.CutPrefix(line, "\t")
		if folded {
			fmt.Fprint(w, "\t")
		}
		fmt.Fprintln(w, SafeHeader(rest))
	}
}

// WriteVerification prints one signature's result; d=, s= and the error
// (which may quote the signature or the key record) go through termsafe.
func WriteVerification(w io.Writer, v dkim.Verification) {
	ts := termsafe.String
	fmt.Fprintf(w, "%s d=%s s=%s", v.Status, ts(dashIfEmpty(v.Domain)), ts(dashIfEmpty(v.Selector)))
	if v.KeyBits > 0 {
		fmt.Fprintf(w, " (%s, %d-bit key)", ts(fmt.Sprint(v.Algorithm)), v.KeyBits)
	}
	fmt.Fprintln(w)
	if v.Err != nil {
		fmt.Fprintf(w, "  why: %s\n", SafeLine(v.Err.Error()))
	}
	if v.Testing {
		fmt.Fprintln(w, "  the key is in testing mode (t=y): treat the message as unsigned")
	}
	if v.UnsignedBody > 0 {
		fmt.Fprintf(w, "  %d body bytes after l= are not signed\n", v.UnsignedBody)
	}
	fmt.Fprintf(w, "  Authentication-Results: %s\n", SafeHeader(DKIMAuthResult(v)))
}

// DKIMAuthResult is the dkim= part of an Authentication-Results field
// (RFC 8601 §2.7.1) as the command prints it under a signature's result:
// v.AuthResult with header.d, header.s and header.b (RFC 6008) only, and
// without the reason, which the "why:" line above it gives.
func DKIMAuthResult(v dkim.Verification) string {
	m := v.AuthResult()
	m.Reason = ""
	m.Props = slices.DeleteFunc(m.Props, func(p authres.Property) bool { return p.Name == "i" })
	return m.String()
}
