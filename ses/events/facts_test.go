package events

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/shared"
)

// TestSuppressionReasonsMatchFACTS: the suppression reasons are the ones
// FACTS.md §6.6 states.
func TestSuppressionReasonsMatchFACTS(t *testing.T) {
	facts, err := os.ReadFile(shared.Require(t, "reference", "ses", "FACTS.md"))
	if err != nil {
		t.Fatal(err)
	}
	if s := "`" + string(SuppressionReasonBounce) + "` | `" + string(SuppressionReasonComplaint) + "`"; !strings.Contains(string(facts), s) {
		t.Errorf("FACTS.md no longer says %q; re-check the constants that encode it", s)
	}
}

// TestAPIEnums checks the event and suppression enumerations against the
// botocore extract in reference/ses/samples/api-enums-botocore.json.
func TestAPIEnums(t *testing.T) {
	var enums map[string]json.RawMessage
	if err := json.Unmarshal(readSample(t, "api-enums-botocore.json"), &enums); err != nil {
		t.Fatal(err)
	}
	list := func(key string) (v []string) {
		if err := json.Unmarshal(enums[key], &v); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		return v
	}
	if got := list("sesv2.SuppressionListReason"); !slices.Equal(got, []string{string(SuppressionReasonBounce), string(SuppressionReasonComplaint)}) {
		t.Errorf("SuppressionListReason %q", got)
	}
	for _, key := range []string{"sesv2.EventType", "ses.EventType", "ses.NotificationType"} {
		for _, v := range list(key) {
			if parseKind(v) == EventKindUnknown {
				t.Errorf("%s %q is not recognised", key, v)
			}
		}
	}
	if got := list("sesv2.BounceType"); len(got) != 3 {
		t.Errorf("BounceType %q", got)
	} else {
		for _, v := range got {
			// SESv2 spells the bounce types in upper case; the decision
			// must treat them as the notification spelling.
			e := bounceEvent(v, "General", "a@example.com")
			ds := SuppressionPolicy{}.Decide(e)
			if ds[0].Suppress != strings.EqualFold(v, BouncePermanent) {
				t.Errorf("bounce type %q: suppress %v", v, ds[0].Suppress)
			}
		}
	}
}

// TestSampleFieldNames: every field of every SES sample has a place in
// Event (a misspelt JSON tag would leave one unknown), and the field names
// FACTS.md §6 lists beyond the samples are read too.
func TestSampleFieldNames(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(shared.Require(t, "reference", "ses", "samples"), "*.json"))
	n := 0
	for _, f := range files {
		base := filepath.Base(f)
		if !strings.HasPrefix(base, "event-") && !strings.HasPrefix(base, "notification-") {
			continue
		}
		n++
		d := json.NewDecoder(strings.NewReader(string(readSample(t, base))))
		d.DisallowUnknownFields()
		var e Event
		if err := d.Decode(&e); err != nil {
			t.Errorf("%s: %v", base, err)
		}
	}
	if n != 15 {
		t.Errorf("%d samples, FACTS §6 lists 15", n)
	}
	const extra = `{"eventType": "Subscription", "mail": {"sourceIp": "192.0.2.1", "callerIdentity": "me", "headersTruncated": true},
	  "subscription": {"contactList": "L", "source": "UnsubscribeHeader", "newTopicPreferences": {"unsubscribeAll": false,
	    "topicDefaultSubscriptionStatus": [{"topicName": "T", "subscriptionStatus": "OptIn"}]}}}`
	d := json.NewDecoder(strings.NewReader(extra))
	d.DisallowUnknownFields()
	var e Event
	if err := d.Decode(&e); err != nil {
		t.Error(err)
	}
	const more = `{"notificationType": "Delivery", "mail": {}, "delivery": {"remoteMtaIp": "192.0.2.2", "reportingMTA": "a8-70.smtp-out.amazonses.com"}}
	{"eventType": "DeliveryDelay", "mail": {}, "deliveryDelay": {"reportingMTA": "x", "expirationTime": "2022-01-12T01:00:17.910Z"}}
	{"notificationType": "Complaint", "mail": {}, "complaint": {"complaintSubType": null, "userAgent": "u", "arrivalDate": "2016-01-27T14:59:38.237Z"}}
	{"notificationType": "Bounce", "mail": {}, "bounce": {"remoteMtaIp": "192.0.2.3", "reportingMTA": "dsn; x"}}`
	d = json.NewDecoder(strings.NewReader(more))
	d.DisallowUnknownFields()
	for d.More() {
		var e Event
		if err := d.Decode(&e); err != nil {
			t.Error(err)
		}
	}
}
