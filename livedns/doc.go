// Package livedns is live DNS as a domainauth.Resolver: it sends queries to
// a recursive name server (the system's, from /etc/resolv.conf, or a given
// one) and offers every optional capability of the root package that the
// wire can give: TXT character-strings kept apart
// (domainauth.TXTStringsResolver), one-hop CNAME targets
// (domainauth.CNAMEResolver) and NXDOMAIN told from NODATA
// (domainauth.ExistenceResolver). *net.Resolver offers none of them.
//
// # I/O
//
// This is an I/O package. A Resolver reads /etc/resolv.conf once, on first
// use, when Server is empty (only its nameserver lines; its options are not
// read), and for each lookup that its cache cannot answer it opens a UDP
// socket to the name server, and a TCP connection when the UDP answer is
// truncated (RFC 1035 §4.2, RFC 7766 §5). Nothing else: no other files, no
// listening sockets, no goroutines that outlive a call (LookupNetIP with
// "ip" asks for A and AAAA side by side and waits for both).
//
// # The wire
//
// Queries are built and answers parsed with golang.org/x/net/dns/dnsmessage.
// Each query has a random ID, asks one question with recursion desired and
// advertises an EDNS0 UDP payload size (RFC 6891; Resolver.UDPSize). An
// answer is taken only when it is a response with the query's ID and exactly
// the query's question (name compared without regard to case, type,
// class); anything else that arrives is ignored and the wait goes on until
// the attempt's timeout, after which the query is sent again
// (Resolver.Attempts). CNAME chains are followed, for every lookup but
// LookupCNAMETarget, through the records the server put in the answer and
// by asking for the chain's end when the server stopped short, up to
// Resolver.MaxCNAMEChain hops.
//
// # Errors
//
// Errors are *net.DNSError values shaped as *net.Resolver shapes them, so
// domainauth.Classify sorts them: NXDOMAIN and NODATA are IsNotFound ("no
// such host"); SERVFAIL, REFUSED, other error codes, malformed answers and
// network failures are IsTemporary, and a query that got no answer in time
// is also IsTimeout; the caller's context ending gives an error that wraps
// ctx.Err(). A name that cannot be a domain name (an empty label, over 253
// octets) is not found, without a query.
//
// # Cache
//
// Each Resolver caches answers, positive and negative, keyed by name and
// type, for the answer's TTL (the least TTL of the records used, or for a
// negative answer that of the SOA record in its authority section, RFC 2308
// §5; a negative answer without one is not cached), at most
// Resolver.MaxCacheTTL. Failures are never cached. Lookups of one question
// that run at the same time share one resolution (a caller that stops
// waiting does not stop it for the others). The domainauth command
// makes one Resolver per run (shared by the domains of one check), so a
// run asks each question once, within the cache bound; a
// long-lived service may keep one, bounded as below.
//
// # Bounds
//
// Every cost that an answer or a caller can drive is bounded; each bound is
// a field of Resolver whose zero value gives the default:
//
//   - an answer: at most 65,535 bytes (the protocol's own limit; the UDP read
//     buffer is that size, and a TCP answer's length prefix cannot say more);
//   - records read from one answer section: MaxRecords, default 1,000;
//     an answer with more is a temporary failure;
//   - CNAME hops per lookup: MaxCNAMEChain, default 8; a longer chain or a
//     loop is a temporary failure, as recursive servers report it;
//   - queries per lookup: Attempts (default 2) times the CNAME hops plus
//     one, and one TCP retry per truncated answer;
//   - time per attempt: Timeout, default 5 s (the resolv.conf default), and
//     never past the context's deadline;
//   - cache entries: CacheSize, default 4,096 (a negative value disables
//     the cache); when full, an arbitrary entry, preferring an expired one,
//     makes room;
//   - cache lifetime: MaxCacheTTL, default 5 minutes;
//   - /etc/resolv.conf: the first 64 KiB are read.
package livedns
