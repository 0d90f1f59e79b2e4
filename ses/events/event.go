package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// EventKind is the kind of an SES notification or event record.
type EventKind uint8

// The kinds of SES event. Identity notifications (notificationType) are
// only Bounce, Complaint and Delivery; event publishing (eventType) has all.
const (
	EventKindUnknown          EventKind = iota // a type this package does not know; kept as written
	EventKindBounce                            // a hard bounce, or a soft one SES stopped retrying
	EventKindComplaint                         // a recipient's complaint, through the ISP
	EventKindDelivery                          // the receiving server accepted the message
	EventKindSend                              // SES accepted the send request (event publishing only)
	EventKindReject                            // SES refused the message: it held a virus
	EventKindOpen                              // a recipient opened the message
	EventKindClick                             // a recipient followed a link
	EventKindRenderingFailure                  // a template failed to render
	EventKindDeliveryDelay                     // a delivery attempt failed for now; SES retries
	EventKindSubscription                      // a contact changed its list subscriptions
)

var kindNames = [...]string{"Unknown", "Bounce", "Complaint", "Delivery", "Send", "Reject", "Open", "Click",
	"Rendering Failure", "DeliveryDelay", "Subscription"}

// String returns the event type as SES writes it ("Rendering Failure" with
// its space), or "Unknown".
func (k EventKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// parseKind accepts the SES spellings and the SESv2 enum ones
// ("RENDERING_FAILURE", "DELIVERY_DELAY").
func parseKind(s string) EventKind {
	norm := strings.ToLower(strings.NewReplacer(" ", "", "_", "").Replace(s))
	for k := EventKindBounce; int(k) < len(kindNames); k++ {
		if strings.ToLower(strings.ReplaceAll(kindNames[k], " ", "")) == norm {
			return k
		}
	}
	return EventKindUnknown
}

// Event is one SES identity notification or event-publishing record. Its
// fields follow SES's JSON, so json.Marshal writes the SES shape back and
// unknown fields are ignored ("Amazon SES reserves the right to add
// additional fields"). Enumerations (bounceType, delayType ...) are strings
// so that values added by AWS are kept.
type Event struct {
	// NotificationType is set for identity notifications ("Bounce",
	// "Complaint", "Delivery"); EventType for event publishing. Use Kind.
	NotificationType string `json:"notificationType,omitempty"`
	// EventType is set for event publishing: "Bounce", "Complaint",
	// "Delivery", "Send", "Reject", "Open", "Click", "Rendering Failure"
	// (with a space), "DeliveryDelay" or "Subscription".
	EventType string `json:"eventType,omitempty"`

	// Mail describes the original message; every record has it.
	Mail Mail `json:"mail"`
	// Bounce is set for a Bounce record, nil otherwise; so is each of
	// the objects below for its own kind.
	Bounce *Bounce `json:"bounce,omitempty"`
	// Complaint is set for a Complaint record.
	Complaint *Complaint `json:"complaint,omitempty"`
	// Delivery is set for a Delivery record.
	Delivery *Delivery `json:"delivery,omitempty"`
	// Send is set for a Send event; SES always writes it as {}.
	Send *struct{} `json:"send,omitempty"`
	// Reject is set for a Reject event.
	Reject *Reject `json:"reject,omitempty"`
	// Open is set for an Open event.
	Open *Open `json:"open,omitempty"`
	// Click is set for a Click event.
	Click *Click `json:"click,omitempty"`
	// Failure is set for a "Rendering Failure" event (JSON "failure").
	Failure *RenderingFailure `json:"failure,omitempty"`
	// DeliveryDelay is set for a DeliveryDelay event.
	DeliveryDelay *DeliveryDelay `json:"deliveryDelay,omitempty"`
	// Subscription is set for a Subscription event.
	Subscription *Subscription `json:"subscription,omitempty"`

	// SNS is the SNS envelope the record arrived in, nil for a bare record.
	SNS *SNSEnvelope `json:"-"`
}

// Kind returns the event's kind from notificationType or eventType.
func (e *Event) Kind() EventKind {
	if e.EventType != "" {
		return parseKind(e.EventType)
	}
	return parseKind(e.NotificationType)
}

// IsNotification reports whether the record is an identity notification
// (notificationType) rather than an event-publishing record.
func (e *Event) IsNotification() bool { return e.EventType == "" }

// SNSEnvelope is the SNS HTTP/S notification around an SES record.
type SNSEnvelope struct {
	// Type is the SNS message type; Parse accepts only "Notification".
	Type string `json:"Type"`
	// MessageID is SNS's id of the notification (JSON "MessageId"), not
	// the mail's.
	MessageID string `json:"MessageId"`
	// TopicArn is the ARN of the SNS topic that published it.
	TopicArn string `json:"TopicArn"`
	// Subject is the notification's subject, when the publisher gave one.
	Subject string `json:"Subject,omitempty"`
	// Message is the SES record, as a JSON string.
	Message string `json:"Message"`
	// Timestamp is when SNS published the notification.
	Timestamp time.Time `json:"Timestamp"`
	// SignatureVersion is "1" (SHA1withRSA) or "2" (SHA256withRSA).
	SignatureVersion string `json:"SignatureVersion,omitempty"`
	// Signature is SNS's base64 signature of the notification; this
	// package does not verify it.
	Signature string `json:"Signature,omitempty"`
	// SigningCertURL is where the certificate that signed it is.
	SigningCertURL string `json:"SigningCertURL,omitempty"`
	// UnsubscribeURL ends the endpoint's subscription to the topic.
	UnsubscribeURL string `json:"UnsubscribeURL,omitempty"`
}

// Mail describes the original message.
type Mail struct {
	// Timestamp is when the message was sent.
	Timestamp time.Time `json:"timestamp"`
	// MessageID is the id SES gave the message (JSON "messageId"), such
	// as "000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000".
	MessageID string `json:"messageId"`
	// Source is the envelope sender (MAIL FROM) address.
	Source string `json:"source"`
	// SourceArn is the ARN of the identity the message was sent with,
	// "arn:aws:ses:REGION:ACCOUNT:identity/DOMAIN-OR-ADDRESS".
	SourceArn string `json:"sourceArn,omitempty"`
	// SourceIP is the address of the client that called SES (JSON
	// "sourceIp"); identity notifications only.
	SourceIP string `json:"sourceIp,omitempty"`
	// SendingAccountID is the AWS account that sent the message.
	SendingAccountID string `json:"sendingAccountId,omitempty"`
	// CallerIdentity is the IAM identity that called SES; identity
	// notifications only.
	CallerIdentity string `json:"callerIdentity,omitempty"`
	// Destination lists the message's recipients (envelope).
	Destination []string `json:"destination,omitempty"`
	// HeadersTruncated says that SES cut Headers short (it does past
	// 10 KB of header).
	HeadersTruncated bool `json:"headersTruncated,omitempty"`
	// Headers are the original header fields, in order; empty when the
	// notification was set up without headers.
	Headers []Header `json:"headers,omitempty"`
	// CommonHeaders are the usual header fields parsed; nil when the
	// record has no headers.
	CommonHeaders *CommonHeaders `json:"commonHeaders,omitempty"`
	// Tags are the message's tags, each with its values: SES's own
	// ("ses:configuration-set", "ses:source-ip", "ses:from-domain",
	// "ses:caller-identity", "ses:outgoing-ip", "ses:operation") and the
	// sender's. Event publishing only.
	Tags map[string][]string `json:"tags,omitempty"`
}

// Header is one header field of the original message.
type Header struct {
	// Name is the field name as written ("From").
	Name string `json:"name"`
	// Value is the field body, without the name and colon.
	Value string `json:"value"`
}

// CommonHeaders are the parsed common header fields.
type CommonHeaders struct {
	// From holds the From field's addresses, each as written
	// ("\"John Doe\" <john@example.com>").
	From []string `json:"from,omitempty"`
	// To holds the To field's addresses.
	To []string `json:"to,omitempty"`
	// Cc holds the Cc field's addresses.
	Cc []string `json:"cc,omitempty"`
	// Bcc holds the Bcc field's addresses, when the message had one.
	Bcc []string `json:"bcc,omitempty"`
	// Sender holds the Sender field's address.
	Sender []string `json:"sender,omitempty"`
	// ReplyTo holds the Reply-To field's addresses (JSON "replyTo").
	ReplyTo []string `json:"replyTo,omitempty"`
	// ReturnPath is the Return-Path field (JSON "returnPath").
	ReturnPath string `json:"returnPath,omitempty"`
	// Date is the Date field as written (RFC 5322 date-time text, not
	// parsed).
	Date string `json:"date,omitempty"`
	// MessageID is the Message-ID field (JSON "messageId").
	MessageID string `json:"messageId,omitempty"`
	// Subject is the Subject field.
	Subject string `json:"subject,omitempty"`
}

// Bounce types (bounceType). Other values are kept as written.
const (
	BounceUndetermined = "Undetermined" // SES could not tell
	BouncePermanent    = "Permanent"    // a hard bounce: remove the address
	BounceTransient    = "Transient"    // a soft bounce SES stopped retrying
)

// Bounce sub-types (bounceSubType) that the suppression decision looks at.
const (
	// SubTypeOnAccountSuppressionList: the address is on the account-level
	// suppression list; SES did not send (not counted in the bounce rate).
	SubTypeOnAccountSuppressionList = "OnAccountSuppressionList"
	// SubTypeSuppressed: the address is on SES's global suppression list
	// (counted in the bounce rate).
	SubTypeSuppressed = "Suppressed"
)

// Bounce is the bounce object.
type Bounce struct {
	// BounceType is BouncePermanent (hard), BounceTransient (soft) or
	// BounceUndetermined.
	BounceType string `json:"bounceType"`
	// BounceSubType refines it: "General", "NoEmail", "Suppressed",
	// "OnAccountSuppressionList" for a permanent bounce; "General",
	// "MailboxFull", "MessageTooLarge", "ContentRejected",
	// "AttachmentRejected" for a transient one; "Undetermined".
	BounceSubType string `json:"bounceSubType"`
	// BouncedRecipients are the recipients that bounced: one or more.
	BouncedRecipients []Recipient `json:"bouncedRecipients"`
	// Timestamp is when the ISP sent the bounce, not when SES received
	// it.
	Timestamp time.Time `json:"timestamp"`
	// FeedbackID is SES's unique id of this feedback (JSON "feedbackId").
	FeedbackID string `json:"feedbackId"`
	// RemoteMtaIP is the address of the receiving MTA SES tried (JSON
	// "remoteMtaIp"), when it reached one; identity notifications only.
	RemoteMtaIP string `json:"remoteMtaIp,omitempty"`
	// ReportingMTA is the DSN's Reporting-MTA ("dns; email.example.com"),
	// when the bounce came with a DSN.
	ReportingMTA string `json:"reportingMTA,omitempty"`
}

// Recipient is one recipient of a bounce, complaint or delay; Action,
// Status and DiagnosticCode come from a DSN when there is one.
type Recipient struct {
	// EmailAddress is the recipient's address (a DSN's Final-Recipient
	// when there is one); for a complaint, SES's best guess when the ISP
	// redacted it.
	EmailAddress string `json:"emailAddress"`
	// Action is the DSN's Action: "failed", "delayed", "delivered",
	// "relayed" or "expanded".
	Action string `json:"action,omitempty"`
	// Status is the DSN's enhanced status code ("5.1.1").
	Status string `json:"status,omitempty"`
	// DiagnosticCode is the DSN's Diagnostic-Code, usually the receiving
	// server's reply ("smtp; 550 5.1.1 ...").
	DiagnosticCode string `json:"diagnosticCode,omitempty"`
}

// Complaint is the complaint object. ComplaintFeedbackType is the ARF
// feedback type (abuse, auth-failure, fraud, not-spam, other, virus) when
// the ISP sent a report.
type Complaint struct {
	// ComplainedRecipients are the recipients the complaint is about
	// (only EmailAddress is set).
	ComplainedRecipients []Recipient `json:"complainedRecipients"`
	// Timestamp is when the ISP sent the complaint, not when SES
	// received it.
	Timestamp time.Time `json:"timestamp"`
	// FeedbackID is SES's unique id of this feedback (JSON "feedbackId").
	FeedbackID string `json:"feedbackId"`
	// ComplaintSubType is empty, or SubTypeOnAccountSuppressionList when
	// the address was on the account-level suppression list.
	ComplaintSubType string `json:"complaintSubType,omitempty"`
	// UserAgent names the system that sent the feedback report (ARF
	// User-Agent); empty without a report.
	UserAgent string `json:"userAgent,omitempty"`
	// ComplaintFeedbackType is the ARF Feedback-Type, empty without a
	// report.
	ComplaintFeedbackType string `json:"complaintFeedbackType,omitempty"`
	// ArrivalDate is the report's Arrival-Date as SES wrote it (ISO 8601
	// in the samples, not parsed); empty without a report.
	ArrivalDate string `json:"arrivalDate,omitempty"`
}

// Delivery is the delivery object.
type Delivery struct {
	// Timestamp is when SES handed the message to the receiving server.
	Timestamp time.Time `json:"timestamp"`
	// ProcessingTimeMillis is the time from SES accepting the message
	// to its delivery, in milliseconds.
	ProcessingTimeMillis int64 `json:"processingTimeMillis"`
	// Recipients are the recipients this delivery was to.
	Recipients []string `json:"recipients"`
	// SMTPResponse is the receiving server's reply to the message
	// (JSON "smtpResponse"; "250 ok: Message 64111812 accepted").
	SMTPResponse string `json:"smtpResponse"`
	// ReportingMTA is the SES host that sent it
	// ("a8-70.smtp-out.amazonses.com").
	ReportingMTA string `json:"reportingMTA,omitempty"`
	// RemoteMtaIP is the receiving server's address (JSON
	// "remoteMtaIp").
	RemoteMtaIP string `json:"remoteMtaIp,omitempty"`
}

// Reject is the reject object; Reason is "Bad content" (a virus).
type Reject struct {
	// Reason is why SES refused the message: "Bad content" (a virus).
	Reason string `json:"reason"`
}

// Open is the open object.
type Open struct {
	// IPAddress is the address of the client that opened the message.
	IPAddress string `json:"ipAddress"`
	// Timestamp is when the message was opened.
	Timestamp time.Time `json:"timestamp"`
	// UserAgent is the User-Agent of the client that opened it.
	UserAgent string `json:"userAgent"`
}

// Click is the click object.
type Click struct {
	// IPAddress is the address of the client that followed the link.
	IPAddress string `json:"ipAddress"`
	// Timestamp is when the link was followed.
	Timestamp time.Time `json:"timestamp"`
	// UserAgent is the User-Agent of the client that followed it.
	UserAgent string `json:"userAgent"`
	// Link is the URL the recipient followed.
	Link string `json:"link"`
	// LinkTags are the tags the sender put on the link (JSON
	// "linkTags"), each with its values.
	LinkTags map[string][]string `json:"linkTags,omitempty"`
}

// RenderingFailure is the failure object of a "Rendering Failure" event.
type RenderingFailure struct {
	// TemplateName is the template that failed to render.
	TemplateName string `json:"templateName"`
	// ErrorMessage says why ("Attribute 'attributeName' is not present
	// in the rendering data.").
	ErrorMessage string `json:"errorMessage"`
}

// DeliveryDelay is the deliveryDelay object. DelayType is one of
// InternalFailure, General, MailboxFull, SpamDetected, RecipientServerError,
// IPFailure, TransientCommunicationFailure, BYOIPHostNameLookupUnavailable,
// Undetermined, SendingDeferral, or a newer value.
type DeliveryDelay struct {
	// Timestamp is when the delay occurred.
	Timestamp time.Time `json:"timestamp"`
	// DelayType is why the delivery was delayed (see above).
	DelayType string `json:"delayType"`
	// ExpirationTime is when SES stops retrying the delivery.
	ExpirationTime time.Time `json:"expirationTime"`
	// DelayedRecipients are the recipients delayed, each with the SMTP
	// status and the receiving server's diagnostic code.
	DelayedRecipients []Recipient `json:"delayedRecipients"`
	// ReportingMTA is the MTA that reported the delay (JSON
	// "reportingMTA"), when given.
	ReportingMTA string `json:"reportingMTA,omitempty"`
}

// Subscription is the subscription object.
type Subscription struct {
	// ContactList is the name of the SES contact list concerned.
	ContactList string `json:"contactList"`
	// Timestamp is when the preferences changed.
	Timestamp time.Time `json:"timestamp"`
	// Source is how the contact changed them ("UnsubscribeHeader" in
	// the Developer Guide's sample).
	Source string `json:"source"`
	// NewTopicPreferences are the contact's preferences after the
	// change.
	NewTopicPreferences *TopicPreferences `json:"newTopicPreferences,omitempty"`
	// OldTopicPreferences are the contact's preferences before it.
	OldTopicPreferences *TopicPreferences `json:"oldTopicPreferences,omitempty"`
}

// TopicPreferences are a contact's topic subscriptions.
type TopicPreferences struct {
	// UnsubscribeAll says that the contact left every topic of the list.
	UnsubscribeAll bool `json:"unsubscribeAll"`
	// TopicSubscriptionStatus is the contact's status in each topic.
	TopicSubscriptionStatus []TopicStatus `json:"topicSubscriptionStatus,omitempty"`
	// TopicDefaultSubscriptionStatus is kept as decoded JSON (any): the
	// Developer Guide lists it, but no sample shows its shape.
	TopicDefaultSubscriptionStatus any `json:"topicDefaultSubscriptionStatus,omitempty"`
}

// TopicStatus is one topic's subscription status ("OptIn" or "OptOut").
type TopicStatus struct {
	// TopicName is the topic's name in the contact list.
	TopicName string `json:"topicName"`
	// SubscriptionStatus is "OptIn" or "OptOut".
	SubscriptionStatus string `json:"subscriptionStatus"`
}

// EventError describes JSON that is not an SES record.
type EventError struct {
	// Msg says what is wrong and what to give instead.
	Msg string
	// Err is the JSON error, if any.
	Err error
}

// Error describes the problem and what to do about it.
func (e *EventError) Error() string { return "ses: event: " + e.Msg }

// Unwrap returns the underlying JSON error.
func (e *EventError) Unwrap() error { return e.Err }

// ErrEventTooLarge is returned (wrapped) for input over EventParser.MaxBytes.
var ErrEventTooLarge = errors.New("ses: event exceeds size limit")

// EventParser parses SES records. The zero value is ready to use.
type EventParser struct {
	// MaxBytes bounds the input. If zero, 1 MiB (an SNS message is at most
	// 256 KiB; its JSON envelope escapes it).
	MaxBytes int
}

// ParseEvent parses data with the default limits; see EventParser.Parse.
func ParseEvent(data []byte) (*Event, error) { return (&EventParser{}).Parse(data) }

// Parse reads one SES record: a bare identity notification or
// event-publishing record, one inside an SNS HTTP/S envelope (whose Message
// string holds it), or one inside an EventBridge event ("detail"). A record
// of an unknown type parses, with Kind EventKindUnknown; a known type without
// its object (an eventType "Bounce" with no "bounce") is an error.
func (p *EventParser) Parse(data []byte) (*Event, error) {
	limit := p.MaxBytes
	if limit <= 0 {
		limit = 1 << 20
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%w: %d bytes, limit %d (raise EventParser.MaxBytes if the input is genuine)", ErrEventTooLarge, len(data), limit)
	}
	// One pass reads a bare record and notices the envelopes.
	var w struct {
		Event
		Type    string          `json:"Type"`
		Message *string         `json:"Message"`
		Detail  json.RawMessage `json:"detail"`
		Source  string          `json:"source"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, &EventError{Msg: "not JSON: " + err.Error(), Err: err}
	}
	switch {
	case w.Message != nil && w.Type != "":
		var env SNSEnvelope
		if err := json.Unmarshal(data, &env); err != nil {
			return nil, &EventError{Msg: "SNS envelope: " + err.Error(), Err: err}
		}
		if env.Type != "Notification" {
			return nil, &EventError{Msg: fmt.Sprintf("SNS message of type %q, not a Notification (a SubscriptionConfirmation is confirmed by visiting its SubscribeURL)", env.Type)}
		}
		e, err := parseRecord([]byte(env.Message))
		if err != nil {
			return nil, err
		}
		e.SNS = &env
		return e, nil
	case len(w.Detail) > 0 && w.Source == "aws.ses":
		return parseRecord(w.Detail)
	}
	return checkRecord(&w.Event)
}

func parseRecord(data []byte) (*Event, error) {
	var e Event
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, &EventError{Msg: "record: " + err.Error(), Err: err}
	}
	return checkRecord(&e)
}

// checkRecord requires a type and, for a known type, its object.
func checkRecord(e *Event) (*Event, error) {
	if e.NotificationType == "" && e.EventType == "" {
		return nil, &EventError{Msg: "neither notificationType nor eventType: not an SES notification or event record (give the SNS message, its Message string, or an EventBridge event from aws.ses)"}
	}
	var missing bool
	switch e.Kind() {
	case EventKindBounce:
		missing = e.Bounce == nil
	case EventKindComplaint:
		missing = e.Complaint == nil
	case EventKindDelivery:
		missing = e.Delivery == nil
	case EventKindReject:
		missing = e.Reject == nil
	case EventKindOpen:
		missing = e.Open == nil
	case EventKindClick:
		missing = e.Click == nil
	case EventKindRenderingFailure:
		missing = e.Failure == nil
	case EventKindDeliveryDelay:
		missing = e.DeliveryDelay == nil
	case EventKindSubscription:
		missing = e.Subscription == nil
	}
	if missing {
		return nil, &EventError{Msg: fmt.Sprintf("%s record without its %s object", e.Kind(), objectName(e.Kind()))}
	}
	return e, nil
}

func objectName(k EventKind) string {
	switch k {
	case EventKindRenderingFailure:
		return "failure"
	case EventKindDeliveryDelay:
		return "deliveryDelay"
	}
	return strings.ToLower(k.String())
}
