// Package web is the DMARC report dashboard behind `domainauth report
// serve`: HTTP handlers, html/template pages and the assets embedded in the
// binary. It is an I/O package: it listens on a TCP socket and reads a
// report store (the store package's database, through the Store
// interface); optionally it asks DNS for the sources' names. No library
// package imports it.
//
// # Pages and API
//
//	/                  overview: totals, messages and DMARC pass rate per
//	                   day (SVG drawn on the server), top failing sources
//	                   with provider and diagnosis, the policy published
//	                   over time, reporters, reports
//	/source/IP         one source: reverse DNS, provider, results by day
//	/report/ID         one report: metadata, policy, rows, warnings,
//	                   conflicting copies
//	/tls               SMTP TLS reports (RFC 8460): successful and failed
//	                   sessions per day (SVG) and per policy domain and
//	                   day, failure details grouped by result type,
//	                   receiving MX and address, sending address and
//	                   failure-reason-code
//	/failures          DMARC failure reports, newest arrival first, 50
//	                   a page (?page=N)
//	/failure/ID        one failure report as stored (redacted by
//	                   default): its fields and the reported message's
//	                   header fields, as text
//	/api/overview      the overview as JSON
//	/api/TABLE[.csv]   days, failing (sources with diagnoses), sources,
//	                   orgs, policies, reports, domains as JSON or CSV
//	/api/report/ID     a report as JSON; /api/report/ID/rows[.csv],
//	                   /api/report/ID/warnings[.csv] and
//	                   /api/report/ID/conflicts[.csv] its tables
//	/api/tls/TABLE[.csv]  days and failures of the TLS page
//	/api/failures[.csv]   the failure report list
//	/api/failure/ID    a failure report as JSON; /api/failure/ID/header[.csv]
//	                   and /api/failure/ID/fields[.csv] its tables
//	/healthz           "ok" when the store answers (no token needed)
//	/login, /logout    the token form and its cookie
//
// Every page and table takes the filter in its query: domain (a policy
// domain), org (a reporting organisation), from and to (UTC days,
// inclusive) and, for the tables, ip. Per-day figures are the store's,
// which split a report's window over its days by report.Summary's rule, so
// the dashboard and `domainauth report summary` agree to the message; the
// other tables count a report whole on its day (the day holding the
// middle of its window), as the store does. On the TLS page the domain
// is a TLS report's policy domain and org its organization-name; a TLS
// report counts on the day of its start (RFC 8460 §4.1: a report covers
// one UTC day), as tlsrpt.Summary counts it. On the failure report pages
// the domain is the reported domain (report.Failure.Domain) and the day
// that of its Arrival-Date; org does not apply. The overview's line on
// TLS sessions and failure reports takes the same filter.
//
// # Safety with hostile reports
//
// Anyone can mail a report, so every string in one is untrusted. Pages are
// html/template output, which escapes by context; report text goes into a
// URL only after validation (a domain name's characters, an organisation
// name without control or format characters, a parsed IP address, a
// numeric id) and percent-encoding, and never into a script: the pages
// have no JavaScript at all and work without it. The Content-Security-Policy
// allows only the dashboard's own stylesheet and icon (no script, no inline
// style, no framing). CSV cells go through termsafe.CSVCell, so a value
// such as "=HYPERLINK(...)" stays text in a spreadsheet; JSON escapes <, >
// and &.
//
// # Access
//
// The server listens on 127.0.0.1:8080 by default, and there answers only
// to requests whose Host names localhost or a loopback address (421
// otherwise), so that a web page cannot read it by pointing its own name
// at 127.0.0.1 (DNS rebinding). Another address is
// refused (Config.CheckAddress) unless an access token is set (at least
// MinTokenLength bytes) and either TLS is configured or the operator says
// a TLS-terminating proxy is in front. The token is accepted in an
// "Authorization: Bearer" header or through the login form, which opens a
// session: an HttpOnly, SameSite=Strict cookie (Secure under TLS) holding
// a random id and its HMAC under a key drawn at start-up, checked in
// constant time. The server keeps the sessions it issued (at most
// Config.MaxSessions, default 1,000, each for 12 hours; when full, a new
// login ends the oldest), so logging out ends the session and a restart
// ends them all. The token is compared in constant time and never
// accepted in a URL (a request with a token-like query parameter is
// refused). The login form shows nothing from the store (not even the
// last ingest time) until the request carries the token or a session. The
// only requests that change state are the login and logout forms, which are
// refused cross-site (Sec-Fetch-Site, else Origin). There is no upload:
// reports enter through `domainauth report ingest`.
//
// # Bounds
//
// An overview is computed once per filter after each ingest and kept (at
// most 64 of them) until the store's last-ingest time changes: its queries
// read every record of the selection. Each request is bounded in time
// (Config.RequestTimeout, default 30 s) and header size (16 KiB); the
// login form's body is at most 4 KiB. What a page or export lists:
//
//	Config.MaxRows          10,000  rows of a table or export; of the TLS page's table of days and
//	                                domains and of /api/tls/days, the latest (a day has a row per policy domain: its totals and chart
//	                                read one row per day, store's TLSDayTotals); rows and conflicting
//	                                copies on a report's page (one report may hold a million rows,
//	                                store.Options.MaxRecords: the page reads only the rows it lists,
//	                                store's ReportHead, and its totals count them all, and
//	                                /api/report/ID is the whole report as stored); failure reports
//	                                the list pages through, 50 a page (a page past it is refused:
//	                                narrow the date range); days the overview and the TLS page read,
//	                                the latest (every report may add days of its own: the totals
//	                                count every day, and /api/overview says more_days)
//	Config.MaxDays          1,000   days a date-range filter spans; a chart draws the latest 1,000
//	                                days (saying so under it; the totals cover all)
//	Config.TopSources       20      failing sources on the overview
//	Config.PageReports      50      latest reports on the overview and on a source's page
//	Config.PagePolicies     100     published policies on the overview, those seen last
//	Config.PageOrgs         500     reporters in the overview's table (most messages first) and in
//	                                its filter's list (first by name)
//	Config.PageDomains      500     policy domains in the filter's list of the overview and the TLS
//	                                page, first by name (one TLS report may name a million)
//	Config.PageTLSFailures  50      failure groups on the TLS page, most failed sessions first
//
// The Page sizes are at most store.MaxLimit-1: a page asks the store for
// one item more than it shows, to know whether it left some out. A page
// that leaves items out says so: its export lists them (as far as
// MaxRows), and a filter's list still keeps the selected item (any
// domain or reporter can be chosen in the address, ?domain= or ?org=).
//
// Guessing the token is bounded: after 10 wrong tokens (the form's or a
// Bearer header's) tokens are checked at one a second, and one refused
// meanwhile, right or wrong, answers 429 on the form and 401 on the API;
// open sessions are not affected.
//
// With a Config.Resolver, the sources shown are named by their
// forward-confirmed PTR names (RFC 8601 §2.7.3 iprev, through
// report.Enricher) and by the provider report.DefaultSenders knows for such
// a name: at most Config.MaxPTRNames names per address (default 3) and
// Config.MaxDNSQueries DNS queries per page (default 100), 8 at once, all
// within Config.DNSTimeout (default 2 s); a name that does not resolve back
// is not shown, and the overview says how many sources it left unnamed
// when the queries ran out.
//
// Serve shuts down gracefully on SIGINT or SIGTERM, waiting up to
// Config.ShutdownTimeout (default 10 s) for requests in flight, then closing
// the connections of those still running.
package web
