package account

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Sandbox limits of a new SES account, per region (SES Developer Guide,
// "Request production access"; GetSendQuota's sandbox example).
const (
	SandboxMax24HourSend = 200 // messages per rolling 24 hours
	SandboxMaxSendRate   = 1   // messages per second
)

// MailboxSimulatorDomain is the domain of the SES mailbox simulator, whose
// addresses (success@, bounce@, complaint@...) may be sent to from the
// sandbox.
const MailboxSimulatorDomain = "simulator.amazonses.com"

// Errors of SandboxChecker.Allow; test with errors.Is.
var (
	// ErrNotVerified: a recipient is neither a verified address, in a
	// verified domain, nor the mailbox simulator.
	ErrNotVerified = errors.New("ses: sandbox: recipient not verified")
	// ErrDailyQuota: the message would exceed the 24-hour quota.
	ErrDailyQuota = errors.New("ses: sandbox: 24-hour sending quota exceeded")
	// ErrSendRate: the message would exceed the maximum send rate.
	ErrSendRate = errors.New("ses: sandbox: maximum send rate exceeded")
)

// SandboxError is the error Allow returns: which limit, for which
// recipient, and when to retry for the quota and rate limits.
type SandboxError struct {
	Err        error  // ErrNotVerified, ErrDailyQuota or ErrSendRate
	Recipient  string // for ErrNotVerified
	RetryAfter time.Duration
}

// Error describes the problem and what to do about it.
func (e *SandboxError) Error() string {
	switch {
	case e.Recipient != "":
		return fmt.Sprintf("%v: %s; verify the address or its domain in this region, send to the mailbox simulator (%s), or request production access",
			e.Err, e.Recipient, MailboxSimulatorDomain)
	case e.RetryAfter > 0:
		return fmt.Sprintf("%v; retry after %v", e.Err, e.RetryAfter)
	}
	return e.Err.Error() + "; the message alone has more recipients than the limit allows: split it, or request production access"
}

// Unwrap returns the sentinel.
func (e *SandboxError) Unwrap() error { return e.Err }

// SandboxChecker models the sandbox of one SES region for a service to call
// before sending: only verified recipients (or the mailbox simulator), at
// most Max24HourSend messages per rolling 24 hours and MaxSendRate per
// second, where each recipient counts as one message, as in SES's quota.
// Use one checker per region: sandbox status and quotas are per region.
// It is safe for concurrent use; the zero value with Verified set applies
// the sandbox defaults.
type SandboxChecker struct {
	// Verified lists verified identities: addresses ("a@example.org") and
	// domains ("example.org", which covers its addresses and subdomains).
	Verified []string
	// Clock gives the time. If nil, the system clock.
	Clock domainauth.Clock
	// Max24HourSend is the rolling 24-hour quota. If zero, 200; negative
	// means unlimited (SES reports -1).
	Max24HourSend int
	// MaxSendRate is messages per second. If zero, 1.
	MaxSendRate int

	mu   sync.Mutex
	sent []time.Time // one entry per counted message, oldest first
}

// Allow checks one message to recipients against the sandbox rules and,
// when it passes, counts it. It returns a *SandboxError otherwise.
func (c *SandboxChecker) Allow(recipients []string) error {
	for _, r := range recipients {
		if !c.verified(r) {
			return &SandboxError{Err: ErrNotVerified, Recipient: r}
		}
	}
	now := domainauth.Now(c.Clock)
	n := len(recipients)
	c.mu.Lock()
	defer c.mu.Unlock()
	// Forget sends older than 24 hours.
	// Memory is O(Max24HourSend); an unlimited quota keeps one second.
	window := 24 * time.Hour
	if c.max24() < 0 {
		window = time.Second
	}
	cut := 0
	for cut < len(c.sent) && now.Sub(c.sent[cut]) >= window {
		cut++
	}
	c.sent = c.sent[cut:]
	if max := c.max24(); max >= 0 && len(c.sent)+n > max {
		if n > max {
			return &SandboxError{Err: ErrDailyQuota}
		}
		oldest := c.sent[len(c.sent)+n-max-1]
		return &SandboxError{Err: ErrDailyQuota, RetryAfter: oldest.Add(24 * time.Hour).Sub(now)}
	}
	rate := c.rate()
	inLastSecond := 0
	for i := len(c.sent) - 1; i >= 0 && now.Sub(c.sent[i]) < time.Second; i-- {
		inLastSecond++
	}
	if inLastSecond+n > rate {
		if n > rate {
			return &SandboxError{Err: ErrSendRate}
		}
		oldest := c.sent[len(c.sent)-inLastSecond+(inLastSecond+n-rate-1)]
		return &SandboxError{Err: ErrSendRate, RetryAfter: oldest.Add(time.Second).Sub(now)}
	}
	for range n {
		c.sent = append(c.sent, now)
	}
	return nil
}

// SentLast24Hours returns how many messages were counted in the last 24
// hours (GetSendQuota.SentLast24Hours); with an unlimited quota, only the
// last second is remembered.
func (c *SandboxChecker) SentLast24Hours() int {
	now := domainauth.Now(c.Clock)
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.sent {
		if now.Sub(t) < 24*time.Hour {
			n++
		}
	}
	return n
}

func (c *SandboxChecker) max24() int {
	if c.Max24HourSend == 0 {
		return SandboxMax24HourSend
	}
	return c.Max24HourSend
}

func (c *SandboxChecker) rate() int {
	if c.MaxSendRate <= 0 {
		return SandboxMaxSendRate
	}
	return c.MaxSendRate
}

// verified reports whether an address is a verified identity, in a verified
// domain, or a mailbox simulator address.
func (c *SandboxChecker) verified(addr string) bool {
	a := strings.ToLower(strings.TrimSpace(addr))
	if pa, err := mail.ParseAddress(a); err == nil {
		a = pa.Address
	}
	at := strings.LastIndexByte(a, '@')
	if at < 1 || at == len(a)-1 {
		return false
	}
	domain := a[at+1:]
	if domain == MailboxSimulatorDomain {
		return true
	}
	for _, v := range c.Verified {
		v = strings.ToLower(strings.TrimSpace(v))
		if strings.Contains(v, "@") {
			if v == a {
				return true
			}
			continue
		}
		if dnsname.IsSubdomain(domain, v) {
			return true
		}
	}
	return false
}
