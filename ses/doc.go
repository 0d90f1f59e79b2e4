// Package ses plans, audits and operates the DNS set-up of an Amazon SES
// sending domain: the Easy DKIM or BYODKIM records, a custom MAIL FROM domain
// (MX and SPF), DMARC and the legacy verification token; the SES event and
// notification JSON; the account-level suppression list; the sandbox limits
// and the production-access request.
//
// # Planning
//
// An Identity says what the caller has from SES (domain, region, the three
// Easy DKIM tokens or a BYODKIM key, the MAIL FROM subdomain, a DMARC
// policy); IdentityFromSESv2 builds one from `aws sesv2 get-email-identity`
// output, and an Identity reads and writes JSON. Identity.Plan checks it and lists the records to publish
// (Plan.Records), each with the confidence of its value: the region table
// (Regions, LookupRegion) was assembled from AWS's API model, the SES
// Developer Guide and third-party copies of the General Reference, and a
// value no authoritative source confirms is flagged
// ("ses.region-value-unconfirmed") rather than trusted. SigningHostedZone,
// from the SES API, wins over the table. A plan is written as a BIND
// fragment (Plan.BIND), Route 53 ChangeResourceRecordSets batches
// (Plan.ChangeBatches: UPSERT, TXT quoted and split into 255-character
// strings, split within Route 53's per-request limits) or JSON
// (Plan.MarshalJSON).
//
// A plan holds what SES needs. A domain that also receives mail usually
// publishes more, which no SES identity covers: an MTA-STS record and policy
// (package mtasts; mtasts.Suggest writes them for the domain's MX hosts), a
// TLS reporting record at _smtp._tls (package tlsrpt) and, once DMARC
// enforces, a BIMI record (package bimi). The audit package checks them
// beside the SES set-up.
//
// # Auditing
//
// Auditor.Audit compares what a domainauth.Resolver answers (live DNS, or a
// zone.Zone read from a master file or from a Route 53
// list-resource-record-sets export with zone.ReadRoute53) with a Plan. Each
// planned record is present, missing, wrong or unknown; problems are
// Findings with stable codes (the Finding* constants), and Audit.Alignment
// predicts whether SES mail will pass DMARC through SPF, DKIM, both or
// neither, and why:
//
//   - SES's default MAIL FROM (amazonses.com in us-east-1,
//     <region>.amazonses.com elsewhere) never aligns with the From domain;
//   - a custom MAIL FROM subdomain aligns in relaxed SPF mode only (aspf=s
//     breaks it), and only while its MX is verified: otherwise SES falls back
//     to its default MAIL FROM (MXFailureBehaviorUseDefaultValue) or refuses to send;
//   - Easy DKIM and BYODKIM sign with d=<identity>, which aligns in relaxed
//     mode, and in strict mode only for From = the identity itself.
//
// CheckHostedZone checks the NS and SOA of a Route 53 public hosted zone.
//
// # Events, suppression, sandbox
//
// ParseEvent reads SES identity notifications (notificationType) and
// event-publishing records (eventType), bare or inside an SNS envelope.
// Suppression decisions follow the account-level suppression list:
// permanent bounces (reason BOUNCE) and complaints (COMPLAINT) suppress,
// transient and undetermined bounces do not. SandboxChecker models the
// sandbox limits; ProductionAccessRequest validates and drafts the request
// to leave the sandbox.
//
// # Bounds
//
//   - EventParser.MaxBytes: 1 MiB of event JSON (an SNS message is at most
//     256 KiB); past it, ErrEventTooLarge.
//   - Auditor.MaxSPFLookups: the MAIL FROM SPF record is checked against 10
//     DNS-querying terms (RFC 7208 §4.6.4); the SPF linter's own bounds apply
//     beneath it (spf.Linter).
//   - An Identity has at most three Easy DKIM tokens; a plan is a fixed
//     handful of records, whatever the input.
//
// # References
//
// RFC 7208 (SPF), RFC 6376 (DKIM), RFC 9989 and RFC 7489 (DMARC), RFC 7505
// (null MX), RFC 2181 §10 (CNAME rules); the SES Developer Guide, the SES and
// Route 53 API models, as summarised with sources in the project's
// reference/ses/FACTS.md (comments cite it as "FACTS §n"; findings cite the
// public guide it draws on, e.g. "SES Developer Guide: Easy DKIM").
//
// # Deliberate divergences
//
//   - DKIM tokens that are not 32 characters of [a-z2-7] are a warning, not
//     an error: the API does not constrain them.
//   - Without domainauth.CNAMEResolver (as with *net.Resolver) the Easy DKIM
//     CNAME targets cannot be compared; the audit reports
//     "ses.dkim-unknown" and does not count DKIM toward alignment.
//   - The MAIL FROM SPF lookup count is the spf linter's worst case (every
//     term of the include/redirect tree), not one evaluation's count.
//   - IdentityFromSESv2 plans a DEED replica with its parent's records (in
//     the parent region's signing zone): the replica publishes nothing of
//     its own, but signs d=<domain> through them, so the audit checks them
//     and the prediction counts DKIM.
//   - The region table is checked against reference/ses/FACTS.md and the
//     botocore enum extract at test time (skipped when absent); a value
//     FACTS.md marks as a pattern, inferred or UNCONFIRMED is never
//     Confirmed, so plans that use it carry "ses.region-value-unconfirmed".
//   - Organizational domains for the alignment prediction use the public
//     suffix list (RFC 7489 §3.2), not the RFC 9989 DNS tree walk, so that a
//     prediction needs no DNS.
package ses
