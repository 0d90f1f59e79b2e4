package account

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
)

// TestErrorsSayWhatToDo: an error a person can cause carries the package
// prefix, names what is wrong and says what to do about it.
func TestErrorsSayWhatToDo(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	sandbox := &SandboxChecker{Verified: []string{"example.org"}, Clock: domainauth.FixedClock(now)}
	err := sandbox.Allow([]string{"x@example.net"})
	for _, w := range []string{"ses: sandbox: ", "x@example.net", "verify the address", "simulator.amazonses.com"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("unverified recipient: %v does not say %q", err, w)
		}
	}
	if _, err := DraftUseCase(UseCaseFacts{}); err == nil || !strings.HasPrefix(err.Error(), "ses: production access: ") {
		t.Errorf("use case without facts: %v", err)
	}

	// A message with more recipients than the sandbox quota can never pass.
	many := make([]string, SandboxMax24HourSend+1)
	for i := range many {
		many[i] = "a@example.org"
	}
	err = sandbox.Allow(many)
	var se *SandboxError
	if !errors.As(err, &se) || !errors.Is(err, ErrDailyQuota) || !strings.Contains(err.Error(), "split it") {
		t.Errorf("%d recipients: %v", len(many), err)
	}
}
