package ses

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
	EventKindUnknown EventKind = iota // a type this package does not know; kept as written
	EventKindBounce
	EventKindComplaint
	EventKindDelivery
	EventKindSend
	EventKindReject
	EventKindOpen
	EventKindClick
	EventKindRenderingFailure
	EventKindDeliveryDelay
	EventKindSubscription
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
	EventType        string `json:"eventType,omitempty"`

	Mail          Mail              `json:"mail"`
	Bounce        *Bounce           `json:"bounce,omitempty"`
	Complaint     *Complaint        `json:"complaint,omitempty"`
	Delivery      *Delivery         `json:"delivery,omitempty"`
	Send          *struct{}         `json:"send,omitempty"`
	Reject        *Reject           `json:"reject,omitempty"`
	Open          *Open             `json:"open,omitempty"`
	Click         *Click            `json:"click,omitempty"`
	Failure       *RenderingFailure `json:"failure,omitempty"`
	DeliveryDelay *DeliveryDelay    `json:"deliveryDelay,omitempty"`
	Subscription  *Subscription     `json:"subscription,omitempty"`

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
	Type             string    `json:"Type"` // "Notification"
	MessageID        string    `json:"MessageId"`
	TopicArn         string    `json:"TopicArn"`
	Subject          string    `json:"Subject,omitempty"`
	Message          string    `json:"Message"`
	Timestamp        time.Time `json:"Timestamp"`
	SignatureVersion string    `json:"SignatureVersion,omitempty"`
	Signature        string    `json:"Signature,omitempty"`
	SigningCertURL   string    `json:"SigningCertURL,omitempty"`
	UnsubscribeURL   string    `json:"UnsubscribeURL,omitempty"`
}

// Mail describes the original message.
type Mail struct {
	Timestamp        time.Time           `json:"timestamp"`
	MessageID        string              `json:"messageId"`
	Source           string              `json:"source"` // the envelope sender (MAIL FROM)
	SourceArn        string              `json:"sourceArn,omitempty"`
	SourceIP         string              `json:"sourceIp,omitempty"`
	SendingAccountID string              `json:"sendingAccountId,omitempty"`
	CallerIdentity   string              `json:"callerIdentity,omitempty"`
	Destination      []string            `json:"destination,omitempty"`
	HeadersTruncated bool                `json:"headersTruncated,omitempty"`
	Headers          []Header            `json:"headers,omitempty"`
	CommonHeaders    *CommonHeaders      `json:"commonHeaders,omitempty"`
	Tags             map[string][]string `json:"tags,omitempty"` // event publishing only
}

// Header is one header field of the original message.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// CommonHeaders are the parsed common header fields.
type CommonHeaders struct {
	From       []string `json:"from,omitempty"`
	To         []string `json:"to,omitempty"`
	Cc         []string `json:"cc,omitempty"`
	Bcc        []string `json:"bcc,omitempty"`
	Sender     []string `json:"sender,omitempty"`
	ReplyTo    []string `json:"replyTo,omitempty"`
	ReturnPath string   `json:"returnPath,omitempty"`
	Date       string   `json:"date,omitempty"`
	MessageID  string   `json:"messageId,omitempty"`
	Subject    string   `json:"subject,omitempty"`
}

// Bounce types (bounceType). Other values are kept as written.
const (
	BounceUndetermined = "Undetermined"
	BouncePermanent    = "Permanent"
	BounceTransient    = "Transient"
)

// Bounce sub-types (bounceSubType) that the suppression decision looks at.
const (
	SubTypeOnAccountSuppressionList = "OnAccountSuppressionList"
	SubTypeSuppressed               = "Suppressed"
)

// Bounce is the bounce object.
type Bounce struct {
	BounceType        string      `json:"bounceType"`
	BounceSubType     string      `json:"bounceSubType"`
	BouncedRecipients []Recipient `json:"bouncedRecipients"`
	Timestamp         time.Time   `json:"timestamp"`
	FeedbackID        string      `json:"feedbackId"`
	RemoteMtaIP       string      `json:"remoteMtaIp,omitempty"`
	ReportingMTA      string      `json:"reportingMTA,omitempty"`
}

// Recipient is one recipient of a bounce, complaint or delay; Action,
// Status and DiagnosticCode come from a DSN when there is one.
type Recipient struct {
	EmailAddress   string `json:"emailAddress"`
	Action         string `json:"action,omitempty"`
	Status         string `json:"status,omitempty"`
	DiagnosticCode string `json:"diagnosticCode,omitempty"`
}

// Complaint is the complaint object. ComplaintFeedbackType is the ARF
// feedback type (abuse, auth-failure, fraud, not-spam, other, virus) when
// the ISP sent a report.
type Complaint struct {
	ComplainedRecipients  []Recipient `json:"complainedRecipients"`
	Timestamp             time.Time   `json:"timestamp"`
	FeedbackID            string      `json:"feedbackId"`
	ComplaintSubType      string      `json:"complaintSubType,omitempty"`
	UserAgent             string      `json:"userAgent,omitempty"`
	ComplaintFeedbackType string      `json:"complaintFeedbackType,omitempty"`
	ArrivalDate           string      `json:"arrivalDate,omitempty"`
}

// Delivery is the delivery object.
type Delivery struct {
	Timestamp            time.Time `json:"timestamp"`
	ProcessingTimeMillis int64     `json:"processingTimeMillis"`
	Recipients           []string  `json:"recipients"`
	SMTPResponse         string    `json:"smtpResponse"`
	ReportingMTA         string    `json:"reportingMTA,omitempty"`
	RemoteMtaIP          string    `json:"remoteMtaIp,omitempty"`
}

// Reject is the reject object; Reason is "Bad content" (a virus).
type Reject struct {
	Reason string `json:"reason"`
}

// Open is the open object.
type Open struct {
	IPAddress string    `json:"ipAddress"`
	Timestamp time.Time `json:"timestamp"`
	UserAgent string    `json:"userAgent"`
}

// Click is the click object.
type Click struct {
	IPAddress string              `json:"ipAddress"`
	Timestamp time.Time           `json:"timestamp"`
	UserAgent string              `json:"userAgent"`
	Link      string              `json:"link"`
	LinkTags  map[string][]string `json:"linkTags,omitempty"`
}

// RenderingFailure is the failure object of a "Rendering Failure" event.
type RenderingFailure struct {
	TemplateName string `json:"templateName"`
	ErrorMessage string `json:"errorMessage"`
}

// DeliveryDelay is the deliveryDelay object. DelayType is one of
// InternalFailure, General, MailboxFull, SpamDetected, RecipientServerError,
// IPFailure, TransientCommunicationFailure, BYOIPHostNameLookupUnavailable,
// Undetermined, SendingDeferral, or a newer value.
type DeliveryDelay struct {
	Timestamp         time.Time   `json:"timestamp"`
	DelayType         string      `json:"delayType"`
	ExpirationTime    time.Time   `json:"expirationTime"`
	DelayedRecipients []Recipient `json:"delayedRecipients"`
	ReportingMTA      string      `json:"reportingMTA,omitempty"`
}

// Subscription is the subscription object.
type Subscription struct {
	ContactList         string            `json:"contactList"`
	Timestamp           time.Time         `json:"timestamp"`
	Source              string            `json:"source"`
	NewTopicPreferences *TopicPreferences `json:"newTopicPreferences,omitempty"`
	OldTopicPreferences *TopicPreferences `json:"oldTopicPreferences,omitempty"`
}

// TopicPreferences are a contact's topic subscriptions.
type TopicPreferences struct {
	UnsubscribeAll          bool          `json:"unsubscribeAll"`
	TopicSubscriptionStatus []TopicStatus `json:"topicSubscriptionStatus,omitempty"`
	// TopicDefaultSubscriptionStatus is kept as decoded JSON (any): the
	// Developer Guide lists it, but no sample shows its shape.
	TopicDefaultSubscriptionStatus any `json:"topicDefaultSubscriptionStatus,omitempty"`
}

// TopicStatus is one topic's subscription status ("OptIn" or "OptOut").
type TopicStatus struct {
	TopicName          string `json:"topicName"`
	SubscriptionStatus string `json:"subscriptionStatus"`
}

// EventError describes JSON that is not an SES record.
type EventError struct {
	Msg string
	Err error // the JSON error, if any
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
