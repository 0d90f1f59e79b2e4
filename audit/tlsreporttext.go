package audit

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/internal/sat"
	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/tlsrpt"
)

// WriteTLSReport prints rep, an SMTP TLS report (RFC 8460) read from file,
// for people: who sent it, for which day, the DKIM verdict of an emailed
// report, one line per policy with its session counts, at most maxRows
// failure details (0: all) as a table, then the decoder's warnings. Every
// string from the report goes through termsafe.String.
func WriteTLSReport(w io.Writer, file string, rep *tlsrpt.Report, maxRows int) {
	ts := termsafe.String
	fmt.Fprintf(w, "%s\n", ts(file))
	fmt.Fprintf(w, "  TLS report %s from %s", ts(dashIfEmpty(rep.ReportID)), ts(dashIfEmpty(rep.OrganizationName)))
	if rep.ContactInfo != "" {
		fmt.Fprintf(w, " <%s>", ts(rep.ContactInfo))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  period: %s to %s\n", tlsTime(rep.DateRange.Start), tlsTime(rep.DateRange.End))
	if e := rep.Email; e != nil {
		writeTLSSignature(w, e)
	}
	var sum tlsrpt.Summary // its Total is the report's saturating session counts
	sum.Add(rep)
	total := sum.Total
	details := 0
	for _, p := range rep.Policies {
		details += len(p.FailureDetails)
	}
	fmt.Fprintf(w, "  sessions: %d successful, %d failed, in %s\n", total.Successful, total.Failure, policies(len(rep.Policies)))
	if total.Successful == math.MaxUint64 || total.Failure == math.MaxUint64 {
		fmt.Fprintln(w, "  "+saturatedNote)
	}
	if len(rep.Policies) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  policy\tdomain\tsuccessful\tfailed\tmx")
		for _, p := range rep.Policies {
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%s\n", ts(dashIfEmpty(string(p.Policy.Type))), ts(dashIfEmpty(p.Policy.Domain)),
				p.Summary.Successful, p.Summary.Failure, ts(dashIfEmpty(strings.Join(p.Policy.MXHost, ", "))))
		}
		tw.Flush()
	}
	if details > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  result type\tsessions\treceiving MX\treceiving IP\tsending MTA IP\treason")
		n := 0
	rows:
		for _, p := range rep.Policies {
			for _, d := range p.FailureDetails {
				if maxRows > 0 && n == maxRows {
					fmt.Fprintf(tw, "  ... %d more failure details\n", details-maxRows)
					break rows
				}
				n++
				fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%s\n", ts(dashIfEmpty(string(d.ResultType))), d.FailedSessionCount,
					ts(dashIfEmpty(d.ReceivingMXHostname)), addrString(d.ReceivingIP), addrString(d.SendingMTAIP),
					ts(dashIfEmpty(d.FailureReasonCode)))
			}
		}
		tw.Flush()
	}
	for _, wn := range rep.Warnings {
		fmt.Fprintf(w, "  note: %s\n", ts(wn.String()))
	}
}

// WriteTLSSummary prints s, SMTP TLS reports added up, for people: the
// totals, then the sessions by policy domain, day and reporter and the
// failed sessions by MX host and result type, each table at most top rows
// (0: all). Every string from the reports goes through termsafe.String.
func WriteTLSSummary(w io.Writer, s *tlsrpt.Summary, top int) {
	ts := termsafe.String
	days := slices.Sorted(maps.Keys(s.ByDay))
	days = slices.DeleteFunc(days, func(d string) bool { return d == "" })
	span := "no dated reports"
	if len(days) > 0 {
		span = days[0] + " to " + days[len(days)-1]
	}
	fmt.Fprintf(w, "%s, %s\n", Plural(s.Reports, "SMTP TLS report"), span)
	if len(s.BySignature) > 0 {
		emailed := 0
		var parts []string
		for _, st := range []tlsrpt.SignatureStatus{tlsrpt.SignatureStatusPass, tlsrpt.SignatureStatusFail, tlsrpt.SignatureStatusTempError, tlsrpt.SignatureStatusUnverified} {
			if n := s.BySignature[st.String()]; n > 0 {
				emailed += n
				parts = append(parts, fmt.Sprintf("%d %s", n, TLSSignatureWord(st)))
			}
		}
		fmt.Fprintf(w, "%s arrived by email, DKIM signature by the reporter (RFC 8460 §3): %s\n", Plural(emailed, "report"), strings.Join(parts, ", "))
	} else if s.Unverified > 0 {
		fmt.Fprintf(w, "%s arrived by email without a verified DKIM signature by the reporter (RFC 8460 §3)\n", Plural(s.Unverified, "report"))
	}
	t := s.Total
	fmt.Fprintf(w, "%s: %d successful, %d failed (%s failed)\n",
		pluralCount(sat.Add(t.Successful, t.Failure), "TLS session"), t.Successful, t.Failure, pct(t.Failure, sat.Add(t.Successful, t.Failure)))
	if t.Successful == math.MaxUint64 || t.Failure == math.MaxUint64 {
		fmt.Fprintln(w, saturatedNote)
	}
	// table prints keys, sorted already, one row each (the counts, then
	// the key), at most top of them.
	table := func(title, header string, keys []string, row func(k string) string) {
		if len(keys) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, header)
		for i, k := range keys {
			if top > 0 && i == top {
				fmt.Fprintf(tw, "... %d more\t\n", len(keys)-top)
				break
			}
			fmt.Fprintf(tw, "%s\t  %s\n", row(k), ts(dashIfEmpty(k)))
		}
		tw.Flush()
	}
	sessions := func(title string, m map[string]*tlsrpt.SessionCounts, byKey bool) {
		keys := slices.Collect(maps.Keys(m))
		if byKey {
			slices.Sort(keys)
		} else {
			slices.SortFunc(keys, func(a, b string) int {
				x, y := m[a], m[b]
				return cmp.Or(cmp.Compare(y.Failure, x.Failure), cmp.Compare(y.Successful, x.Successful), cmp.Compare(a, b))
			})
		}
		table(title, "successful\tfailed\tfailure rate\t", keys, func(k string) string {
			c := m[k]
			return fmt.Sprintf("%d\t%d\t%s", c.Successful, c.Failure, pct(c.Failure, sat.Add(c.Successful, c.Failure)))
		})
	}
	failed := func(title string, m map[string]uint64) {
		keys := slices.Collect(maps.Keys(m))
		slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
		table(title, "failed\t", keys, func(k string) string { return fmt.Sprint(m[k]) })
	}
	sessions("TLS sessions by policy domain:", s.ByPolicyDomain, false)
	failed("Failed TLS sessions by MX host:", s.ByMXHost)
	byType := make(map[string]uint64, len(s.ByResultType))
	for k, n := range s.ByResultType {
		byType[string(k)] = n
	}
	failed("Failed TLS sessions by result type:", byType)
	sessions("TLS sessions by day:", s.ByDay, true)
	sessions("TLS sessions by reporter:", s.ByOrganization, false)
}

// TLSSignatureWord says a DKIM verdict on an emailed SMTP TLS report (RFC
// 8460 §3) in words: verified, failed, unverified (a key lookup failed
// temporarily) or not checked (no resolver was given).
func TLSSignatureWord(s tlsrpt.SignatureStatus) string {
	switch s {
	case tlsrpt.SignatureStatusPass:
		return "verified"
	case tlsrpt.SignatureStatusFail:
		return "failed"
	case tlsrpt.SignatureStatusTempError:
		return "unverified"
	case tlsrpt.SignatureStatusUnverified:
		return "not checked"
	}
	return s.String()
}

// writeTLSSignature prints the DKIM verdict on an emailed report and, when
// it is not a pass, each signature's result: why it did not count.
func writeTLSSignature(w io.Writer, e *tlsrpt.EmailInfo) {
	ts := termsafe.String
	line := "  DKIM signature (RFC 8460 §3): " + TLSSignatureWord(e.Signature)
	reporter := cmp.Or(e.Submitter, "the reporting domain")
	switch e.Signature {
	case tlsrpt.SignatureStatusPass:
		line += ", signed by " + ts(e.SignedBy)
	case tlsrpt.SignatureStatusFail:
		line += ": no valid signature by " + ts(reporter) + " (the report is to be ignored)"
		if len(e.DKIM) == 0 {
			line += "; the message is not signed"
		}
	case tlsrpt.SignatureStatusTempError:
		line += ": a key lookup failed temporarily; read it again later"
	case tlsrpt.SignatureStatusUnverified:
		line += " (offline)"
	}
	fmt.Fprintln(w, line)
	if e.Signature == tlsrpt.SignatureStatusPass {
		return
	}
	for _, v := range e.DKIM {
		l := fmt.Sprintf("    d=%s s=%s: %s", ts(v.Domain), ts(v.Selector), v.Status)
		switch {
		case v.Err != nil:
			l += ": " + ts(OneLine(v.AuthResult().Reason)) // the error without "dkim: "
		case v.BodyLength >= 0:
			l += ": uses l=, which RFC 8460 §3 forbids"
		case v.Testing:
			l += ": the key is in testing mode (t=y)"
		case v.Status == dkim.StatusPass:
			l += ": not the reporting domain"
		}
		fmt.Fprintln(w, l)
	}
}

// policies is "1 policy" or "N policies".
func policies(n int) string {
	if n == 1 {
		return "1 policy"
	}
	return fmt.Sprintf("%d policies", n)
}

// tlsTime is a report time in UTC, "-" when absent.
func tlsTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// addrString is an address from a report, "-" when absent.
func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return "-"
	}
	return a.String()
}
