// Package mtasts implements SMTP MTA Strict Transport Security (MTA-STS,
// RFC 8461): the _mta-sts TXT record, the policy file, the fetch rules, MX
// host matching, a policy cache for sending MTAs, and the checks and
// suggestions an audit of a receiving domain needs.
//
// The package does no I/O of its own: DNS goes through a
// domainauth.Resolver, HTTPS through a domainauth.Fetcher (usually
// domainauth.HTTPFetcher, which never follows redirects), time through a
// domainauth.Clock.
//
// # Records and policies
//
// ParseRecord reads the record of RFC 8461 §3.1 ("v=STSv1; id=...;") and
// SelectRecord picks it among a name's TXT records: non-STS records are
// discarded, and none or several left (ErrNoRecord, ErrMultipleRecords) or
// a broken one mean "no policy" to a sender. ParsePolicy reads the policy
// of §3.2. Both follow the grammar strictly, as the RFC has senders treat a
// syntactically invalid record or policy as none; unknown fields are kept
// (Extensions), and a repeated field other than mx counts only once, the
// later ones kept in Ignored (§3.2). Record.String and Policy.String
// round-trip: parsing their output gives the same value (a policy's text
// may grow by a few bytes per line, ": " and CRLF).
//
// Policy.Matches and MatchPattern match an MX host against the mx patterns
// (§4.1: a "*." pattern stands for exactly one leftmost label; no case, no
// trailing dot). CheckMX turns a policy and a domain's MX hosts into
// findings (an MX an enforce policy does not cover is an Error: mail to it
// fails); Checker.Check audits a whole domain (without a Fetcher, its
// record only: the policy is then unknown, not fine); Suggest gives the record
// and the policy a domain should publish for its MX hosts.
//
// # Fetching
//
// FetchPolicy gets https://mta-sts.<domain>/.well-known/mta-sts.txt and
// enforces §3.2 and §3.3 on what the Fetcher returns: status 200 only
// (a redirect is an error naming its target), media type text/plain (any
// parameters), a verified certificate chain whose leaf is valid for
// mta-sts.<domain>, the size limit. A Fetcher that returns no verified
// chain (a fake, or StaticFetcher serving a file) cannot show the
// certificate is valid: the fetch fails with ErrCertificateUnknown unless
// FetchOptions.AcceptUnverified is set, for offline checks, and the
// certificate is then reported as CertStatusUnknown, never as valid.
//
// # The sender's cache
//
// Client.Get returns the policy in force for a recipient domain (RFC 8461
// §5.1, Appendix B): it checks the record, fetches when the id changed, and
// caches per Policy Domain until max_age runs out on the Clock; when
// discovery or a fetch fails, an unexpired cached policy stays in force
// (§3.3). It is safe for concurrent use.
//
// # Bounds
//
// Every bound is a field whose zero value means the default:
//
//   - policy size: FetchOptions.MaxSize, Client.MaxPolicySize; default
//     DefaultMaxPolicySize, 64 KiB (RFC 8461 §3.3 suggests 64 kilobytes).
//     ParsePolicy always applies the default. The record is bounded by
//     the resolver (a TXT answer), and its id by the grammar (32
//     characters, MaxIDLength).
//   - fetch time: FetchOptions.Timeout, Client.FetchTimeout; default
//     DefaultFetchTimeout, one minute (RFC 8461 §3.3), on top of ctx and
//     the HTTP client's own timeout.
//   - cache entries: Client.MaxEntries; default DefaultMaxEntries, 1000
//     domains (at most 64 MiB of policies at the default size limit);
//     making room scans the cache once, only when it is full.
//   - fetch attempts: after a failure, the same record id is not fetched
//     again for Client.RetryInterval; default DefaultRetryInterval, five
//     minutes (RFC 8461 §3.3).
//   - refresh: a cached policy is fetched again after
//     Client.RefreshInterval even when its id is unchanged; default
//     DefaultRefreshInterval, a day (RFC 8461 §3.3, §10.2).
//   - DNS queries: one TXT query per Client.Get; one TXT and one MX query
//     per Checker.Check. One fetch at most per Get or Check.
//
// Findings of CheckMX and Checker.Check carry the codes of the Finding...
// constants; their advice is in Finding.Fix.
//
// # Deliberate choices
//
//   - RFC 8461 §3.1's prose discards records not beginning with "v=STSv1;"
//     while its grammar allows white space before the ';': IsRecord counts
//     both.
//   - The policy grammar has no empty lines; one is a syntax error, as is
//     a lone CR, white space before a key, or an mx pattern with a
//     trailing dot or a U-label.
//   - text/plain is required although §3.2 says SHOULD: a sender that
//     skips the check exposes itself to what the rule guards against.
//   - The certificate's chain, trust and expiry are checked by the TLS
//     layer of the Fetcher's client; this package checks the host name on
//     the verified leaf (x509.Certificate.VerifyHostname: DNS-ID subject
//     alternative names, wildcard as the whole leftmost label).
package mtasts
