package ses

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/domainauth/domainauth/internal/shared"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	dir := sharedDir(t)
	if dir == "" {
		shared.Skip(t, "../shared not present: no SES samples")
	}
	data, err := os.ReadFile(filepath.Join(dir, "reference", "ses", "samples", name))
	if err != nil {
		shared.Skip(t, "SES sample %s not available: %v", name, err)
	}
	return data
}

func TestParseSamples(t *testing.T) {
	tests := []struct {
		file         string
		kind         EventKind
		notification bool
		check        func(t *testing.T, e *Event)
	}{
		{"notification-bounce-with-dsn.json", EventKindBounce, true, func(t *testing.T, e *Event) {
			b := e.Bounce
			if b.BounceType != BouncePermanent || b.BounceSubType != "General" || b.RemoteMtaIP != "127.0.2.0" ||
				b.BouncedRecipients[0].Status != "5.1.1" || b.ReportingMTA != "dns; email.example.com" {
				t.Errorf("bounce %+v", b)
			}
			if len(e.Mail.Destination) != 3 || e.Mail.CallerIdentity != "IAM_user_or_role_name" || e.Mail.CommonHeaders.Subject != "Hello" {
				t.Errorf("mail %+v", e.Mail)
			}
		}},
		{"notification-bounce-no-dsn.json", EventKindBounce, true, nil},
		{"notification-complaint-with-feedback.json", EventKindComplaint, true, func(t *testing.T, e *Event) {
			if c := e.Complaint; c.ComplaintFeedbackType != "abuse" || c.ComplainedRecipients[0].EmailAddress != "richard@example.com" {
				t.Errorf("complaint %+v", c)
			}
		}},
		{"notification-complaint-no-feedback.json", EventKindComplaint, true, nil},
		{"notification-delivery.json", EventKindDelivery, true, func(t *testing.T, e *Event) {
			if d := e.Delivery; d.SMTPResponse == "" || len(d.Recipients) == 0 || d.Timestamp.IsZero() {
				t.Errorf("delivery %+v", d)
			}
		}},
		{"event-bounce.json", EventKindBounce, false, func(t *testing.T, e *Event) {
			if e.Mail.Tags["ses:configuration-set"][0] != "ConfigSet" {
				t.Errorf("tags %v", e.Mail.Tags)
			}
			want := time.Date(2017, 8, 5, 0, 41, 2, 669e6, time.UTC)
			if !e.Bounce.Timestamp.Equal(want) {
				t.Errorf("timestamp %v", e.Bounce.Timestamp)
			}
		}},
		{"event-complaint.json", EventKindComplaint, false, nil},
		{"event-delivery.json", EventKindDelivery, false, nil},
		{"event-send.json", EventKindSend, false, func(t *testing.T, e *Event) {
			if e.Send == nil {
				t.Error("send object lost")
			}
		}},
		{"event-reject.json", EventKindReject, false, func(t *testing.T, e *Event) {
			if e.Reject.Reason != "Bad content" {
				t.Errorf("reject %+v", e.Reject)
			}
		}},
		{"event-open.json", EventKindOpen, false, nil},
		{"event-click.json", EventKindClick, false, func(t *testing.T, e *Event) {
			if e.Click.LinkTags["samplekey0"][0] != "samplevalue0" {
				t.Errorf("click %+v", e.Click)
			}
		}},
		{"event-failure.json", EventKindRenderingFailure, false, func(t *testing.T, e *Event) {
			if e.Failure.TemplateName != "MyTemplate" {
				t.Errorf("failure %+v", e.Failure)
			}
		}},
		{"event-delayed-delivery.json", EventKindDeliveryDelay, false, func(t *testing.T, e *Event) {
			if d := e.DeliveryDelay; d.DelayType != "TransientCommunicationFailure" || d.DelayedRecipients[0].Status != "4.4.1" {
				t.Errorf("delay %+v", d)
			}
		}},
		{"event-subscription.json", EventKindSubscription, false, func(t *testing.T, e *Event) {
			if s := e.Subscription; !s.NewTopicPreferences.UnsubscribeAll || s.NewTopicPreferences.TopicSubscriptionStatus[0].SubscriptionStatus != "OptOut" {
				t.Errorf("subscription %+v", s)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readSample(t, tt.file)
			e, err := ParseEvent(data)
			if err != nil {
				t.Fatal(err)
			}
			if e.Kind() != tt.kind || e.IsNotification() != tt.notification {
				t.Errorf("kind %v notification %v", e.Kind(), e.IsNotification())
			}
			if e.Mail.MessageID == "" || e.Mail.Source == "" || e.Mail.Timestamp.IsZero() {
				t.Errorf("mail %+v", e.Mail)
			}
			if tt.check != nil {
				tt.check(t, e)
			}
			// The same record inside an SNS envelope.
			env, _ := json.Marshal(SNSEnvelope{Type: "Notification", MessageID: "m1", TopicArn: "arn:aws:sns:us-east-1:123456789012:t", Message: string(data)})
			e2, err := ParseEvent(env)
			if err != nil {
				t.Fatal(err)
			}
			if e2.SNS == nil || e2.SNS.TopicArn == "" || e2.Kind() != tt.kind {
				t.Errorf("SNS: %+v", e2.SNS)
			}
			e2.SNS = nil
			if diff := cmp.Diff(e, e2); diff != "" {
				t.Errorf("SNS-wrapped differs:\n%s", diff)
			}
			// Round trip.
			out, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			e3, err := ParseEvent(out)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(e, e3); diff != "" {
				t.Errorf("round trip differs:\n%s", diff)
			}
		})
	}
}

func TestParseEventEnvelopes(t *testing.T) {
	eb := `{"version": "0", "detail-type": "Email Bounced", "source": "aws.ses", "detail": {"eventType": "Bounce",
	  "bounce": {"bounceType": "Transient", "bounceSubType": "MailboxFull", "bouncedRecipients": [{"emailAddress": "a@example.com"}],
	  "timestamp": "2024-01-01T00:00:00Z", "feedbackId": "f"}, "mail": {"timestamp": "2024-01-01T00:00:00Z", "messageId": "m", "source": "s@example.org"}}}`
	e, err := ParseEvent([]byte(eb))
	if err != nil || e.Kind() != EventKindBounce || e.Bounce.BounceSubType != "MailboxFull" {
		t.Fatalf("EventBridge: %v %+v", err, e)
	}
	// SESv2 enum spellings and unknown kinds.
	for s, k := range map[string]EventKind{"RENDERING_FAILURE": EventKindRenderingFailure, "DELIVERY_DELAY": EventKindDeliveryDelay, "Rendering Failure": EventKindRenderingFailure, "Shiny": EventKindUnknown} {
		if got := parseKind(s); got != k {
			t.Errorf("parseKind(%q) = %v", s, got)
		}
	}
	e, err = ParseEvent([]byte(`{"eventType": "Shiny", "mail": {"messageId": "m"}}`))
	if err != nil || e.Kind() != EventKindUnknown || e.EventType != "Shiny" {
		t.Errorf("unknown kind: %v %+v", err, e)
	}
}

func TestParseEventErrors(t *testing.T) {
	for name, in := range map[string]string{
		"not JSON":          `{`,
		"no type":           `{"mail": {}}`,
		"bounce without it": `{"eventType": "Bounce", "mail": {}}`,
		"failure without":   `{"eventType": "Rendering Failure", "mail": {}}`,
		"SNS subscription":  `{"Type": "SubscriptionConfirmation", "Message": "x"}`,
		"SNS bad message":   `{"Type": "Notification", "Message": "{"}`,
		"bad timestamp":     `{"eventType": "Send", "mail": {"timestamp": "yesterday"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseEvent([]byte(in))
			var ee *EventError
			if !errors.As(err, &ee) || !strings.HasPrefix(err.Error(), "ses: event: ") {
				t.Errorf("err = %v", err)
			}
		})
	}
	if _, err := (&EventParser{MaxBytes: 10}).Parse([]byte(`{"eventType": "Send", "mail": {}}`)); !errors.Is(err, ErrEventTooLarge) {
		t.Errorf("limit: %v", err)
	}
}

func bounceEvent(typ, sub string, addrs ...string) *Event {
	b := &Bounce{BounceType: typ, BounceSubType: sub, FeedbackID: "fb"}
	for _, a := range addrs {
		b.BouncedRecipients = append(b.BouncedRecipients, Recipient{EmailAddress: a})
	}
	return &Event{NotificationType: "Bounce", Bounce: b, Mail: Mail{MessageID: "m1"}}
}

func complaintEvent(sub, feedback string, addrs ...string) *Event {
	c := &Complaint{ComplaintSubType: sub, ComplaintFeedbackType: feedback, FeedbackID: "fc"}
	for _, a := range addrs {
		c.ComplainedRecipients = append(c.ComplainedRecipients, Recipient{EmailAddress: a})
	}
	return &Event{EventType: "Complaint", Complaint: c, Mail: Mail{MessageID: "m2"}}
}

// TestSuppressionDecisions covers every bounce type/sub-type and complaint
// kind of the SES Developer Guide (FACTS §6.3, §6.4, §6.6).
func TestSuppressionDecisions(t *testing.T) {
	tests := []struct {
		name     string
		e        *Event
		suppress bool
		reason   SuppressionReason
	}{
		{"Undetermined/Undetermined", bounceEvent(BounceUndetermined, "Undetermined", "a@example.com"), false, SuppressionReasonBounce},
		{"Permanent/General", bounceEvent(BouncePermanent, "General", "a@example.com"), true, SuppressionReasonBounce},
		{"Permanent/NoEmail", bounceEvent(BouncePermanent, "NoEmail", "a@example.com"), true, SuppressionReasonBounce},
		{"Permanent/Suppressed (global list)", bounceEvent(BouncePermanent, SubTypeSuppressed, "a@example.com"), true, SuppressionReasonBounce},
		{"Permanent/OnAccountSuppressionList", bounceEvent(BouncePermanent, SubTypeOnAccountSuppressionList, "a@example.com"), false, SuppressionReasonBounce},
		{"Transient/General", bounceEvent(BounceTransient, "General", "a@example.com"), false, SuppressionReasonBounce},
		{"Transient/MailboxFull", bounceEvent(BounceTransient, "MailboxFull", "a@example.com"), false, SuppressionReasonBounce},
		{"Transient/MessageTooLarge", bounceEvent(BounceTransient, "MessageTooLarge", "a@example.com"), false, SuppressionReasonBounce},
		{"Transient/ContentRejected", bounceEvent(BounceTransient, "ContentRejected", "a@example.com"), false, SuppressionReasonBounce},
		{"Transient/AttachmentRejected", bounceEvent(BounceTransient, "AttachmentRejected", "a@example.com"), false, SuppressionReasonBounce},
		{"complaint abuse", complaintEvent("", "abuse", "a@example.com"), true, SuppressionReasonComplaint},
		{"complaint without feedback report", complaintEvent("", "", "a@example.com"), true, SuppressionReasonComplaint},
		{"complaint fraud", complaintEvent("", "fraud", "a@example.com"), true, SuppressionReasonComplaint},
		{"complaint virus", complaintEvent("", "virus", "a@example.com"), true, SuppressionReasonComplaint},
		{"complaint auth-failure", complaintEvent("", "auth-failure", "a@example.com"), true, SuppressionReasonComplaint},
		{"complaint not-spam", complaintEvent("", "not-spam", "a@example.com"), true, SuppressionReasonComplaint},
		{"complaint other", complaintEvent("", "other", "a@example.com"), true, SuppressionReasonComplaint},
		{"complaint OnAccountSuppressionList", complaintEvent(SubTypeOnAccountSuppressionList, "", "a@example.com"), false, SuppressionReasonComplaint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := SuppressionPolicy{}.Decide(tt.e)
			if len(ds) != 1 || ds[0].Suppress != tt.suppress || ds[0].Reason != tt.reason || ds[0].Address != "a@example.com" || ds[0].Why == "" {
				t.Errorf("decisions %+v", ds)
			}
		})
	}
	// Policies that enable one reason only.
	onlyBounce := SuppressionPolicy{Reasons: []SuppressionReason{SuppressionReasonBounce}}
	if ds := onlyBounce.Decide(complaintEvent("", "abuse", "a@example.com")); ds[0].Suppress {
		t.Error("BOUNCE-only policy suppressed a complaint")
	}
	if ds := onlyBounce.Decide(bounceEvent(BouncePermanent, "General", "a@example.com")); !ds[0].Suppress {
		t.Error("BOUNCE-only policy did not suppress a hard bounce")
	}
	if ds := (SuppressionPolicy{Reasons: []SuppressionReason{}}).Decide(bounceEvent(BouncePermanent, "General", "a@example.com")); ds[0].Suppress {
		t.Error("disabled list suppressed")
	}
	// Other kinds decide nothing.
	if ds := (SuppressionPolicy{}).Decide(&Event{EventType: "Delivery", Delivery: &Delivery{}}); len(ds) != 0 {
		t.Errorf("delivery decided %v", ds)
	}
}

func TestSuppressionListSamples(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	l := &SuppressionList{Clock: domainauth.FixedClock(now)}
	ctx := context.Background()
	for _, f := range []string{"notification-bounce-with-dsn.json", "event-complaint.json", "event-delayed-delivery.json"} {
		e, err := ParseEvent(readSample(t, f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Apply(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	d, ok, err := l.Suppressed(ctx, "Jane Doe <JANE@example.com>")
	if err != nil || !ok || d.Reason != SuppressionReasonBounce || !d.LastUpdateTime.Equal(now) || d.FeedbackID == "" || d.MessageID == "" {
		t.Errorf("jane: %+v %v %v", d, ok, err)
	}
	if d, ok, _ := l.Suppressed(ctx, "recipient@example.com"); !ok || d.Reason != SuppressionReasonComplaint {
		t.Errorf("recipient: %+v", d)
	}
	if _, ok, _ := l.Suppressed(ctx, "mary@example.com"); ok {
		t.Error("mary was not bounced")
	}
	if err := l.Remove(ctx, "jane@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := l.Suppressed(ctx, "jane@example.com"); ok {
		t.Error("remove failed")
	}
	if l.mem.Len() != 1 {
		t.Errorf("len %d", l.mem.Len())
	}
}

type failingStore struct{ MemoryStore }

func (*failingStore) Put(context.Context, SuppressedDestination) error {
	return errors.New("disk full")
}

func TestSuppressionListStoreError(t *testing.T) {
	l := &SuppressionList{Store: &failingStore{}}
	_, err := l.Apply(context.Background(), bounceEvent(BouncePermanent, "General", "a@example.com"))
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err %v", err)
	}
}

func TestEventKindStrings(t *testing.T) {
	var names []string
	for k := EventKindUnknown; k <= EventKindSubscription+1; k++ {
		names = append(names, k.String())
	}
	if !slices.Contains(names, "Rendering Failure") || names[len(names)-1] != "EventKind(11)" {
		t.Errorf("%q", names)
	}
}

// FuzzParseEvent: whatever parses, written back as JSON, parses to the same
// event.
func FuzzParseEvent(f *testing.F) {
	dir := sharedDir(f)
	if dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "reference", "ses", "samples", "*-*.json"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(`{"eventType": "Send", "send": {}, "mail": {"timestamp": "2024-01-01T00:00:00.5Z", "messageId": "m"}}`))
	f.Add([]byte(`{"Type": "Notification", "Message": "{\"notificationType\": \"Delivery\", \"delivery\": {}, \"mail\": {}}"}`))
	f.Add([]byte(`{"source": "aws.ses", "detail": {"eventType": "Open", "open": {}, "mail": {}}}`))
	f.Add([]byte(`{"eventTYpe": "00", "mAil": {"CommonHeAders": {"from": []}}}`))
	f.Add([]byte(`{"eventType": "Subscription", "mail": {}, "subscription": {"newTopicPreferences": {"topicDefaultSubscriptionStatus": [ {"topicName": "T", "subscriptionStatus": "OptIn"}, 1e400, null ]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEvent(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		e2, err := ParseEvent(out)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out)
		}
		e.SNS = nil
		// JSON does not tell an empty list from an absent one.
		if diff := cmp.Diff(e, e2, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip:\n%s\n%s", diff, out)
		}
		SuppressionPolicy{}.Decide(e)
	})
}

func BenchmarkParseEvent(b *testing.B) {
	data := readSample(b, "event-bounce.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEvent(data); err != nil {
			b.Fatal(err)
		}
	}
}
