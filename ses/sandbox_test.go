package ses

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
)

// stepClock is a settable clock for the sandbox tests.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestSandboxVerified(t *testing.T) {
	c := &SandboxChecker{Verified: []string{"example.org", "Alice@Example.NET"}, Clock: &stepClock{t: time.Unix(0, 0)}}
	for addr, ok := range map[string]bool{
		"bob@example.org":                 true,
		"bob@mail.example.org":            true,
		"Alice <alice@example.net>":       true,
		"carol@example.net":               false,
		"success@simulator.amazonses.com": true,
		"bounce@simulator.amazonses.com":  true,
		"nobody":                          false,
		"x@notexample.org":                false,
	} {
		c2 := &SandboxChecker{Verified: c.Verified, MaxSendRate: 100}
		err := c2.Allow([]string{addr})
		if ok != (err == nil) {
			t.Errorf("%s: %v", addr, err)
		}
		if !ok && !errors.Is(err, ErrNotVerified) {
			t.Errorf("%s: %v, want ErrNotVerified", addr, err)
		}
	}
}

func TestSandboxRateAndQuota(t *testing.T) {
	clk := &stepClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := &SandboxChecker{Verified: []string{"example.org"}, Clock: clk}
	to := []string{"a@example.org"}
	if err := c.Allow(to); err != nil {
		t.Fatal(err)
	}
	// 1 message per second.
	err := c.Allow(to)
	var se *SandboxError
	if !errors.Is(err, ErrSendRate) || !errors.As(err, &se) || se.RetryAfter != time.Second {
		t.Fatalf("rate: %v", err)
	}
	if err := c.Allow([]string{"a@example.org", "b@example.org"}); !errors.Is(err, ErrSendRate) {
		t.Errorf("two recipients at rate 1: %v", err)
	}
	// 200 per 24 hours, each recipient counting.
	for i := 1; i < 200; i++ {
		clk.add(time.Second)
		if err := c.Allow(to); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
	}
	if got := c.SentLast24Hours(); got != 200 {
		t.Errorf("sent %d", got)
	}
	clk.add(time.Second)
	err = c.Allow(to)
	if !errors.Is(err, ErrDailyQuota) || !errors.As(err, &se) || se.RetryAfter != 24*time.Hour-200*time.Second {
		t.Fatalf("quota: %v", err)
	}
	if !strings.Contains(err.Error(), "retry after") {
		t.Errorf("message %q", err)
	}
	clk.add(se.RetryAfter)
	if err := c.Allow(to); err != nil {
		t.Errorf("after the oldest expired: %v", err)
	}
	// More recipients than the whole quota: no retry helps.
	big := &SandboxChecker{Verified: []string{"example.org"}, Max24HourSend: 2, MaxSendRate: 10}
	if err := big.Allow([]string{"a@example.org", "b@example.org", "c@example.org"}); !errors.As(err, &se) || se.RetryAfter != 0 {
		t.Errorf("oversized: %v", err)
	}
	// Unlimited quota (SES reports -1): only the rate applies.
	un := &SandboxChecker{Verified: []string{"example.org"}, Max24HourSend: -1, MaxSendRate: 1000, Clock: clk}
	for range 5000 {
		clk.add(time.Millisecond)
		if err := un.Allow(to); err != nil {
			t.Fatal(err)
		}
	}
	if len(un.sent) > 1000 {
		t.Errorf("unlimited quota keeps %d entries", len(un.sent))
	}
}

func TestSandboxConcurrent(t *testing.T) {
	c := &SandboxChecker{Verified: []string{"example.org"}, MaxSendRate: 1000, Max24HourSend: 50, Clock: domainauth.FixedClock(time.Unix(100, 0))}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 100 {
		wg.Go(func() {
			if c.Allow([]string{"a@example.org"}) == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 50 {
		t.Errorf("%d allowed, want 50", ok)
	}
}

func TestProductionAccessValidate(t *testing.T) {
	good := ProductionAccessRequest{MailType: MailTypeTransactional, WebsiteURL: "https://example.org", ContactLanguage: ContactLanguageEnglish,
		AdditionalContactEmailAddresses: []string{"ops@example.org"}, ProductionAccessEnabled: true}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		edit   func(r *ProductionAccessRequest)
		fields []string
	}{
		{"no mail type", func(r *ProductionAccessRequest) { r.MailType = "" }, []string{"MailType"}},
		{"PROMOTIONAL is not in the model", func(r *ProductionAccessRequest) { r.MailType = "PROMOTIONAL" }, []string{"MailType"}},
		{"no website", func(r *ProductionAccessRequest) { r.WebsiteURL = "" }, []string{"WebsiteURL"}},
		{"website not a URL", func(r *ProductionAccessRequest) { r.WebsiteURL = "example.org" }, []string{"WebsiteURL"}},
		{"website too long", func(r *ProductionAccessRequest) { r.WebsiteURL = "https://example.org/" + strings.Repeat("a", 1000) }, []string{"WebsiteURL"}},
		{"JP is not in the model", func(r *ProductionAccessRequest) { r.ContactLanguage = "JP" }, []string{"ContactLanguage"}},
		{"use case too long", func(r *ProductionAccessRequest) { r.UseCaseDescription = strings.Repeat("a", 5001) }, []string{"UseCaseDescription"}},
		{"five contacts", func(r *ProductionAccessRequest) {
			r.AdditionalContactEmailAddresses = []string{"a@x.org", "b@x.org", "c@x.org", "d@x.org", "e@x.org"}
		}, []string{"AdditionalContactEmailAddresses"}},
		{"bad contact", func(r *ProductionAccessRequest) { r.AdditionalContactEmailAddresses = []string{"ops"} }, []string{"AdditionalContactEmailAddresses"}},
		{"two problems", func(r *ProductionAccessRequest) { r.MailType, r.WebsiteURL = "", "" }, []string{"MailType", "WebsiteURL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			err := r.Validate()
			for _, f := range tt.fields {
				if err == nil || !strings.Contains(err.Error(), "ses: production access: "+f+":") {
					t.Errorf("err %v, want field %s", err, f)
				}
			}
			var re *RequestError
			if !errors.As(err, &re) {
				t.Errorf("not a *RequestError: %v", err)
			}
		})
	}
}

func TestDraftUseCase(t *testing.T) {
	f := UseCaseFacts{Company: "Example Ltd", Domain: "example.org", MailType: MailTypeMarketing,
		Description: "a weekly newsletter about new products", Audience: "customers who subscribed on example.org",
		ListSource: "through the sign-up form on example.org", Frequency: "weekly", DailyVolume: 5000, PeakRate: 14,
		DoubleOptIn: true, Unsubscribe: true, HandlesBounces: true, HandlesComplaints: true, RemovesInactive: true, InactiveMonths: 6}
	text, err := DraftUseCase(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Example Ltd sends marketing email from example.org", "about 5000 messages a day", "at most 14 per second",
		"double opt-in", "6 months", "account-level suppression list", "List-Unsubscribe", "Sending frequency: weekly"} {
		if !strings.Contains(text, want) {
			t.Errorf("draft lacks %q:\n%s", want, text)
		}
	}
	if _, err := DraftUseCase(UseCaseFacts{Domain: "example.org"}); err == nil || !strings.Contains(err.Error(), "UseCaseFacts.Audience") {
		t.Errorf("missing facts: %v", err)
	}
	r, err := NewProductionAccessRequest(f, "https://example.org", "", "ops@example.org")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(r)
	for _, want := range []string{`"MailType":"MARKETING"`, `"ContactLanguage":"EN"`, `"ProductionAccessEnabled":true`, `"WebsiteURL":"https://example.org"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON lacks %s: %s", want, data)
		}
	}
	if _, err := NewProductionAccessRequest(f, "not a url", ""); err == nil {
		t.Error("bad URL accepted")
	}
	// Without the practices, the draft says less rather than inventing them.
	text, _ = DraftUseCase(UseCaseFacts{Domain: "example.org", Description: "receipts", Audience: "buyers", Frequency: "per order"})
	for _, invented := range []string{"double opt-in", "List-Unsubscribe", "unsubscribe link", "suppression list", "List hygiene",
		"buy, rent", "Bounces and complaints"} {
		if strings.Contains(text, invented) {
			t.Errorf("draft invents %q:\n%s", invented, text)
		}
	}
	if !strings.Contains(text, "transactional") {
		t.Errorf("draft lacks the mail type:\n%s", text)
	}
	f.NoThirdPartyLists = true
	if text, _ := DraftUseCase(f); !strings.Contains(text, "We do not buy, rent or share lists.") {
		t.Errorf("stated practice missing:\n%s", text)
	}
}
