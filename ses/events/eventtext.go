package events

import (
	"fmt"
	"io"
	"strings"

	"github.com/domainauth/domainauth/internal/termsafe"
)

// eventTimeFormat is how WriteText prints the times of an event (in UTC).
const eventTimeFormat = "2006-01-02 15:04 MST"

// dashIfEmpty is s, or "-" for an empty field.
func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Form says which of the forms SES uses e came in: "identity notification"
// or "event-publishing record", followed by " in an SNS message" when it
// was wrapped in one.
func (e *Event) Form() string {
	form := "event-publishing record"
	if e.IsNotification() {
		form = "identity notification"
	}
	if e.SNS != nil {
		form += " in an SNS message"
	}
	return form
}

// WriteText writes a summary of e for people: its kind and form, the
// message it concerns, what happened to which recipients, and the decision
// of policy (the zero SuppressionPolicy is the SES account-level default)
// for each recipient. Nearly every field is written by someone else (the
// subject and message ID by the sender, the reporting MTA and the
// diagnostic code by a remote MTA), so each is escaped with termsafe before
// it is written. The output grows linearly with the recipients of e, which
// ParseEvent bounds (see the package doc).
func (e *Event) WriteText(w io.Writer, policy SuppressionPolicy) error {
	ts := termsafe.String
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n", ts(fmt.Sprint(e.Kind())), e.Form())
	m := e.Mail
	fmt.Fprintf(&b, "  message %s sent %s by %s\n", ts(dashIfEmpty(m.MessageID)), m.Timestamp.UTC().Format(eventTimeFormat), ts(dashIfEmpty(m.Source)))
	if m.CommonHeaders != nil && m.CommonHeaders.Subject != "" {
		fmt.Fprintf(&b, "  subject: %s\n", ts(m.CommonHeaders.Subject))
	}
	switch {
	case e.Bounce != nil:
		bo := e.Bounce
		fmt.Fprintf(&b, "  bounce: %s/%s from %s\n", ts(fmt.Sprint(bo.BounceType)), ts(fmt.Sprint(bo.BounceSubType)), ts(dashIfEmpty(bo.ReportingMTA)))
		for _, r := range bo.BouncedRecipients {
			fmt.Fprintf(&b, "    %s %s %s\n", ts(r.EmailAddress), ts(dashIfEmpty(r.Status)), ts(r.DiagnosticCode))
		}
	case e.Complaint != nil:
		c := e.Complaint
		fmt.Fprintf(&b, "  complaint: %s from %s\n", ts(dashIfEmpty(c.ComplaintFeedbackType)), ts(dashIfEmpty(c.UserAgent)))
		for _, r := range c.ComplainedRecipients {
			fmt.Fprintf(&b, "    %s\n", ts(r.EmailAddress))
		}
	case e.Delivery != nil:
		d := e.Delivery
		fmt.Fprintf(&b, "  delivered to %s by %s in %d ms\n", ts(strings.Join(d.Recipients, ", ")), ts(dashIfEmpty(d.ReportingMTA)), d.ProcessingTimeMillis)
	case e.DeliveryDelay != nil:
		d := e.DeliveryDelay
		fmt.Fprintf(&b, "  delayed (%s) until %s\n", ts(fmt.Sprint(d.DelayType)), d.ExpirationTime.UTC().Format(eventTimeFormat))
	case e.Reject != nil:
		fmt.Fprintf(&b, "  rejected: %s\n", ts(e.Reject.Reason))
	}
	for _, d := range policy.Decide(e) {
		fmt.Fprintf(&b, "  suppression list: %s %s: %s\n", ts(d.Address), ts(d.Verb()), ts(d.Why))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Verb is the decision in words: "not suppressed", or "suppressed" and
// the reason, such as "suppressed (BOUNCE)".
func (d Decision) Verb() string {
	if d.Suppress {
		return "suppressed (" + string(d.Reason) + ")"
	}
	return "not suppressed"
}
