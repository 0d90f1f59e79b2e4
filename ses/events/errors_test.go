package events

import (
	"errors"
	"strings"
	"testing"
)

// TestErrorsSayWhatToDo: an error a person can cause carries the package
// prefix, names what is wrong and says what to do about it.
func TestErrorsSayWhatToDo(t *testing.T) {
	_, notSES := ParseEvent([]byte(`{"mail": {}}`))
	if notSES == nil || !strings.HasPrefix(notSES.Error(), "ses: event: ") ||
		!strings.Contains(notSES.Error(), "not an SES notification or event record") {
		t.Errorf("not an SES record: %v", notSES)
	}
	_, tooLarge := (&EventParser{MaxBytes: 10}).Parse([]byte(`{"eventType": "Send", "send": {}}`))
	if !errors.Is(tooLarge, ErrEventTooLarge) || !strings.HasPrefix(tooLarge.Error(), "ses: ") ||
		!strings.Contains(tooLarge.Error(), "raise EventParser.MaxBytes") {
		t.Errorf("too large: %v", tooLarge)
	}
}
