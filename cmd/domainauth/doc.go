// Command domainauth audits and works with a domain's mail authentication:
// SPF, DKIM, DMARC, MX, MTA-STS, TLS reporting, BIMI, DMARC aggregate and
// SMTP TLS reports and the DNS set-up of an Amazon SES sending domain.
//
// The main job is
//
//	domainauth check example.org
//
// which presents the report of the audit package: it looks the domain up in
// DNS (or in a master file given with --zone, or
// a Route 53 record-set listing given with --route53) and prints, grouped by
// area, every problem it finds with its severity, a stable code, the record it
// concerns and what to publish instead. It takes several domains (or "-" for
// a list on standard input), audits them concurrently and prints each report
// as it finishes; --json prints one document (an array for several domains),
// --csv one row per finding. The other commands expose one package
// each: spf, dkim, dmarc, report, ses and zone. Run "domainauth help" for the
// list and "domainauth COMMAND --help" for a command's flags and an example.
//
// Exit status: 0 when nothing is wrong, 1 when the command found errors (an
// audit with error findings, a failed evaluation or verification), 2 for a
// usage mistake, unreadable input or DNS trouble. Errors are one line on
// standard error.
//
// # DNS sources
//
// By default records come from live DNS through package livedns: the name
// servers of /etc/resolv.conf, or the one given with --nameserver, asked
// directly, so that CNAME targets (the Easy DKIM and MX alias checks), TXT
// records with their strings apart (the SPF 255-byte check) and NXDOMAIN
// told from NODATA (DMARC np=, the unusable-DNS guard) are all known. One
// resolver, with its cache, serves one run; --timeout bounds the whole run.
// --zone and --route53 read records from files, for offline and
// pre-publication checks; several files merge into one zone. With
// --live-outside, names the files do not cover (a provider's SPF include,
// SES's DKIM keys) come from live DNS (zone.Overlay), so a zone about to be
// published is checked against the Internet it will join.
//
// Before an evaluation on live DNS the command asks its first question once
// (the answer is cached for the evaluation): a name server that does not
// answer at all, or a closed port, gives one line saying DNS cannot be
// reached, and suggests --zone. Any answer shows the server working, and a
// failure met later (a SERVFAIL, or no answer, for an included name) is
// part of the result: spf check prints the temperror result with its trace
// and Received-SPF field and exits 2; check prints the report with the
// failed lookup and exits 2.
//
// # Deliberate choices
//
//   - DKIM selectors cannot be listed from DNS: check looks at the ones given
//     with --selector and, in zone files, every SELECTOR._domainkey name; on
//     live DNS without --selector it tries a dozen common names (google,
//     selector1, s1, ...) and checks the keys it finds.
//   - The custom MAIL FROM domain is --mail-from, or the name under the
//     domain whose MX is an SES feedback endpoint: found in zone files, and
//     probed among common names (mail, bounce, mailfrom, ses, email) on live
//     DNS.
//   - The SES region is --region, or the one the MAIL FROM MX or a regional
//     DKIM zone names; dkim.amazonses.com serves most regions and names none.
//   - A defect is reported once: SES findings that restate an MX, SPF or
//     DMARC finding are dropped in favour of the general one, and a missing
//     Easy DKIM key is reported by the SES area, which knows the right zone.
//   - Info findings are shown with --verbose and always in --json and --csv.
//   - check fetches the MTA-STS policy and the BIMI logo and certificate over
//     HTTPS only when it uses the network for DNS (live DNS, or
//     --live-outside): a client with timeouts (30 s a fetch) and a header
//     bound, which never follows a redirect; the packages bound the bodies.
//     Host names are looked up through the check's resolver (so
//     --nameserver applies), at most 4 addresses tried per host.
//     On files alone nothing is fetched: --mta-sts-policy, --bimi-svg and
//     --bimi-cert give the documents (for one DOMAIN), or the area is
//     "unknown".
//   - report show, summary and json read SMTP TLS reports (RFC 8460) beside
//     DMARC ones: a file that holds no DMARC report is read again as a TLS
//     report. An emailed TLS report's DKIM signature is verified (RFC 8460
//     §3) with keys from live DNS or --zone/--route53 (--timeout per
//     report); it prints as verified, failed, unverified (a key lookup
//     failed) or, with --offline, not checked. --verified-only drops the
//     ones that are not verified (stderr lists them; not an error). A key
//     lookup that gets no answer before DNS answered any stops the command
//     with one line (exit 2). DMARC reports are never looked up.
//   - With one DOMAIN, --json prints the report object as before; with
//     several, or "-", an array of them.
//   - When the resolver says that the domain's top-level domain does not
//     exist (audit.ErrDNSUnusable), check exits 2 with one line rather than
//     report "no MX" and "no SPF record".
package main
