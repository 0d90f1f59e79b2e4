// Package zone holds DNS data in memory and answers lookups from it.
//
// A *Zone satisfies domainauth.Resolver and both optional capabilities
// (domainauth.TXTStringsResolver, domainauth.CNAMEResolver), so every check in
// this module can run against it instead of live DNS: in tests, on a zone file
// before it is published, or on a Route 53 export.
//
// Build a zone in code with New and the Add methods, or read an RFC 1035
// master file (BIND format) with Parse; write it back with WriteTo. Lookups
// behave like an authoritative server seen through *net.Resolver:
// case-insensitive names, optional trailing dot, CNAME chains followed (a
// chain longer than 8 or a loop fails like SERVFAIL), wildcards (RFC 4592),
// NXDOMAIN and NODATA both reported as a not-found *net.DNSError. Faults
// (timeouts, SERVFAIL) and latency can be injected for tests.
//
// Deliberate simplifications: one class (IN); no zone cuts or delegation (NS
// records are data only); no DNSSEC; no $INCLUDE or $GENERATE; an escaped
// dot inside a label is rejected rather than kept.
package zone
