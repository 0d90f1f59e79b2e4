package account_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/ses/account"
)

// A service in the sandbox checks each message before it sends.
func ExampleSandboxChecker_Allow() {
	c := &account.SandboxChecker{
		Verified: []string{"example.org"},
		Clock:    domainauth.FixedClock(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)),
	}
	fmt.Println(c.Allow([]string{"alice@example.org"}))
	fmt.Println(errors.Is(c.Allow([]string{"success@simulator.amazonses.com"}), account.ErrSendRate))
	fmt.Println(errors.Is(c.Allow([]string{"bob@example.net"}), account.ErrNotVerified))
	// Output:
	// <nil>
	// true
	// true
}

// The request to leave the sandbox, drafted from what the sender does.
func ExampleNewProductionAccessRequest() {
	r, err := account.NewProductionAccessRequest(account.UseCaseFacts{
		Domain:         "example.org",
		Description:    "order confirmations and password resets",
		Audience:       "customers who placed an order",
		Frequency:      "when a customer acts",
		HandlesBounces: true, HandlesComplaints: true,
	}, "https://example.org", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.MailType, r.ContactLanguage, r.ProductionAccessEnabled)
	// Output:
	// TRANSACTIONAL EN true
}
