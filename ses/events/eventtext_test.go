package events

import (
	"strings"
	"testing"
	"time"
)

func TestEventWriteText(t *testing.T) {
	tests := []struct {
		name string
		ev   *Event
		want []string
	}{
		{
			name: "permanent bounce in an identity notification",
			ev: &Event{NotificationType: "Bounce",
				Bounce: &Bounce{BounceType: "Permanent", BounceSubType: "General",
					BouncedRecipients: []Recipient{{EmailAddress: "a@example.org", Status: "5.1.1"}}}},
			want: []string{"Bounce (identity notification)", "  bounce: Permanent/General from -", "    a@example.org 5.1.1 ", "suppressed (BOUNCE)"},
		},
		{
			name: "escapes a subject with a terminal control",
			ev: &Event{EventType: "Reject", Reject: &Reject{Reason: "Bad content"},
				Mail: Mail{CommonHeaders: &CommonHeaders{Subject: "hi\x1b[2J"}}},
			want: []string{"(event-publishing record)", "  rejected: Bad content", "  subject: hi"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.ev.Mail.Timestamp = time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
			var b strings.Builder
			if err := tc.ev.WriteText(&b, SuppressionPolicy{}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
			if strings.Contains(b.String(), "\x1b") {
				t.Errorf("output has a raw escape:\n%q", b.String())
			}
			if !strings.Contains(b.String(), "sent 2026-01-02 03:04 UTC") {
				t.Errorf("output lacks the time:\n%s", b.String())
			}
		})
	}
}
