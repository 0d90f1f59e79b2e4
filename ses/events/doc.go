// Package events reads what Amazon SES reports about sent mail, and keeps
// the account-level suppression list those reports feed.
//
// ParseEvent (EventParser.Parse with limits) reads SES identity
// notifications (notificationType: Bounce, Complaint, Delivery) and
// event-publishing records (eventType: also Send, Reject, Open, Click,
// Rendering Failure, DeliveryDelay, Subscription), bare, inside an SNS
// HTTP/S envelope, or inside an EventBridge event. Event mirrors SES's JSON,
// so json.Marshal writes the SES shape back; Event.WriteText summarises one
// for people, with every field escaped for a terminal.
//
// Suppression decisions follow the account-level suppression list:
// permanent bounces (reason BOUNCE) and complaints (COMPLAINT) suppress,
// transient and undetermined bounces do not, and SuppressionPolicy says
// which reasons the account enables. SuppressionList applies events to a
// SuppressionStore (MemoryStore in memory, or the caller's own).
//
// The DNS set-up of the sending domain (plan, audit, regions, Route 53) is
// package ses; the sandbox and production access are package ses/account.
//
// # Bounds
//
//   - EventParser.MaxBytes: 1 MiB of event JSON (an SNS message is at most
//     256 KiB); past it, ErrEventTooLarge. The recipients of one event, and
//     so the decisions and the WriteText output, grow with the input only.
//
// # References
//
// The SES Developer Guide (notification contents, event publishing, the
// account-level suppression list) and the SESv2 API model, as summarised
// with sources in the project's reference/ses/FACTS.md §6.
package events
