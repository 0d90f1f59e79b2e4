package events

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/domainauth/domainauth"
)

// SuppressionReason is why an address is on the account-level suppression
// list (SESv2 SuppressionListReason).
type SuppressionReason string

// The reasons.
const (
	SuppressionReasonBounce    SuppressionReason = "BOUNCE"    // a hard bounce
	SuppressionReasonComplaint SuppressionReason = "COMPLAINT" // a complaint
)

// Decision is the suppression decision for one recipient of an event.
type Decision struct {
	// Address is the recipient's bare address, lower case.
	Address string
	// Suppress says to add the address to the suppression list.
	Suppress bool
	// Reason is the reason the entry would have (BOUNCE for a bounce,
	// COMPLAINT for a complaint), also when Suppress is false.
	Reason SuppressionReason
	// Why explains the decision, for people.
	Why string
}

// SuppressionPolicy says which reasons the account suppresses for
// (PutAccountSuppressionAttributes.SuppressedReasons). The zero value
// suppresses for both, the default of accounts created after 2019-11-25.
type SuppressionPolicy struct {
	// Reasons lists the reasons that add addresses. If nil, BOUNCE and
	// COMPLAINT. An empty non-nil slice disables the list.
	Reasons []SuppressionReason
}

func (p SuppressionPolicy) enabled(r SuppressionReason) bool {
	if p.Reasons == nil {
		return true
	}
	return slices.Contains(p.Reasons, r)
}

// Decide returns the suppression decisions an event implies, the way SES's
// account-level suppression list makes them: a permanent (hard) bounce adds
// each bounced recipient with reason BOUNCE; a complaint adds each
// complained recipient with reason COMPLAINT; transient and undetermined
// bounces add nothing, nor do the other event kinds. A bounce or complaint
// caused by the list itself (sub-type OnAccountSuppressionList) changes
// nothing. Reasons the policy does not enable give Suppress false. Types
// compare case-insensitively: the SESv2 API spells them "PERMANENT" and
// "TRANSIENT".
func (p SuppressionPolicy) Decide(e *Event) []Decision {
	var out []Decision
	switch e.Kind() {
	case EventKindBounce:
		b := e.Bounce
		for _, r := range b.BouncedRecipients {
			d := Decision{Address: normalizeAddress(r.EmailAddress), Reason: SuppressionReasonBounce}
			switch {
			case strings.EqualFold(b.BounceSubType, SubTypeOnAccountSuppressionList):
				d.Why = "already on the account-level suppression list"
			case strings.EqualFold(b.BounceType, BouncePermanent):
				d.Suppress = true
				d.Why = fmt.Sprintf("hard bounce (Permanent/%s)", b.BounceSubType)
			case strings.EqualFold(b.BounceType, BounceTransient):
				d.Why = fmt.Sprintf("soft bounce (Transient/%s): not suppressed", b.BounceSubType)
			default:
				d.Why = fmt.Sprintf("bounce type %s/%s: not suppressed", b.BounceType, b.BounceSubType)
			}
			out = append(out, p.apply(d))
		}
	case EventKindComplaint:
		c := e.Complaint
		for _, r := range c.ComplainedRecipients {
			d := Decision{Address: normalizeAddress(r.EmailAddress), Reason: SuppressionReasonComplaint}
			if strings.EqualFold(c.ComplaintSubType, SubTypeOnAccountSuppressionList) {
				d.Why = "already on the account-level suppression list"
			} else {
				d.Suppress = true
				d.Why = "complaint"
				if c.ComplaintFeedbackType != "" {
					d.Why += " (feedback type " + c.ComplaintFeedbackType + ")"
				}
			}
			out = append(out, p.apply(d))
		}
	}
	return out
}

func (p SuppressionPolicy) apply(d Decision) Decision {
	if d.Suppress && !p.enabled(d.Reason) {
		d.Suppress = false
		d.Why += "; the account does not suppress for " + string(d.Reason)
	}
	return d
}

// normalizeAddress returns the bare address, lower case.
func normalizeAddress(s string) string {
	s = strings.TrimSpace(s)
	if a, err := mail.ParseAddress(s); err == nil {
		s = a.Address
	}
	return strings.ToLower(s)
}

// SuppressedDestination is one entry of a suppression list.
type SuppressedDestination struct {
	// EmailAddress is the suppressed address, lower case.
	EmailAddress string
	// Reason is why it is on the list.
	Reason SuppressionReason
	// LastUpdateTime is when the entry was added or last changed.
	LastUpdateTime time.Time
	// MessageID is the SES message id of the message that caused the
	// entry.
	MessageID string
	// FeedbackID is the id of the bounce or complaint that caused it.
	FeedbackID string
}

// SuppressionStore is where a suppression list keeps its entries; a service
// implements it over its own database. Addresses arrive lower case.
type SuppressionStore interface {
	// Get returns the entry for address, and whether there is one.
	Get(ctx context.Context, address string) (SuppressedDestination, bool, error)
	// Put adds d, or replaces the entry for its address.
	Put(ctx context.Context, d SuppressedDestination) error
	// Delete removes the entry for address.
	Delete(ctx context.Context, address string) error
}

// SuppressionList applies SES's suppression rules to events and answers
// whether an address may be sent to. The zero value keeps its entries in
// memory and is ready to use; it is safe for concurrent use (a Store must be
// too).
type SuppressionList struct {
	// Policy selects the reasons that suppress; the zero value both.
	Policy SuppressionPolicy
	// Store holds the entries. If nil, an in-memory map.
	Store SuppressionStore
	// Clock stamps new entries. If nil, the system clock.
	Clock domainauth.Clock

	once sync.Once
	mem  *MemoryStore
}

func (l *SuppressionList) store() SuppressionStore {
	if l.Store != nil {
		return l.Store
	}
	l.once.Do(func() { l.mem = &MemoryStore{} })
	return l.mem
}

// Apply decides the event's suppressions and stores those to add. It
// returns the decisions; on a store error it stops and returns it.
func (l *SuppressionList) Apply(ctx context.Context, e *Event) ([]Decision, error) {
	ds := l.Policy.Decide(e)
	var feedbackID string
	switch {
	case e.Bounce != nil:
		feedbackID = e.Bounce.FeedbackID
	case e.Complaint != nil:
		feedbackID = e.Complaint.FeedbackID
	}
	for _, d := range ds {
		if !d.Suppress {
			continue
		}
		err := l.store().Put(ctx, SuppressedDestination{EmailAddress: d.Address, Reason: d.Reason,
			LastUpdateTime: domainauth.Now(l.Clock), MessageID: e.Mail.MessageID, FeedbackID: feedbackID})
		if err != nil {
			return ds, fmt.Errorf("ses: suppression list: %w", err)
		}
	}
	return ds, nil
}

// Suppressed reports whether address is on the list, with its entry.
func (l *SuppressionList) Suppressed(ctx context.Context, address string) (SuppressedDestination, bool, error) {
	return l.store().Get(ctx, normalizeAddress(address))
}

// Remove takes address off the list.
func (l *SuppressionList) Remove(ctx context.Context, address string) error {
	return l.store().Delete(ctx, normalizeAddress(address))
}

// MemoryStore is an in-memory SuppressionStore, safe for concurrent use.
// The zero value is empty and ready to use.
type MemoryStore struct {
	mu sync.RWMutex
	m  map[string]SuppressedDestination
}

// Get returns the entry for address.
func (s *MemoryStore) Get(_ context.Context, address string) (SuppressedDestination, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.m[address]
	return d, ok, nil
}

// Put adds or replaces the entry for d.EmailAddress.
func (s *MemoryStore) Put(_ context.Context, d SuppressedDestination) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]SuppressedDestination)
	}
	s.m[d.EmailAddress] = d
	return nil
}

// Delete removes the entry for address.
func (s *MemoryStore) Delete(_ context.Context, address string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, address)
	return nil
}

// Len returns the number of entries.
func (s *MemoryStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}
