// Package account models the account-level state of Amazon SES that
// governs whether a domain may send at all: the sandbox a new account
// starts in, and the request that takes it out.
//
// SandboxChecker applies the sandbox rules of one region before a message
// is sent: only verified identities (addresses or domains) and the mailbox
// simulator as recipients, at most 200 messages per rolling 24 hours and
// 1 per second by default, each recipient counting as one message; a
// refusal is a *SandboxError matching ErrNotVerified, ErrDailyQuota or
// ErrSendRate, with when to retry. ProductionAccessRequest is the SESv2
// PutAccountDetails input that asks to leave the sandbox; Validate checks
// it against the API model, and DraftUseCase writes the use-case answers
// AWS reviewers ask for from the caller's UseCaseFacts.
//
// The DNS set-up of the sending domain (plan, audit, regions, Route 53) is
// package ses; SES event notifications and the suppression list are package
// ses/events.
//
// # Bounds
//
//   - SandboxChecker remembers one timestamp per counted message:
//     Max24HourSend (default 200) of them, or one second's worth when the
//     quota is unlimited.
//   - A ProductionAccessRequest is validated to the API model's limits
//     (WebsiteURL 1000 characters, use case 5000, 4 additional contacts).
//
// # References
//
// The SES Developer Guide ("Request production access", the mailbox
// simulator) and the SESv2 API model, as summarised with sources in the
// project's reference/ses/FACTS.md §5.
package account
