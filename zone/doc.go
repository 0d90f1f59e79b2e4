// Package zone holds DNS data in memory and answers lookups from it.
//
// A *Zone satisfies domainauth.Resolver and every optional capability
// (domainauth.TXTStringsResolver, domainauth.CNAMEResolver,
// domainauth.ExistenceResolver and the spf linter's LookupSPFRR), so every check in this module can run against it
// instead of live DNS: in tests, on a zone file before it is published, or on
// a Route 53 export.
//
// Build a zone in code with New and the Add methods, read an RFC 1035 master
// file (BIND format) with Parse or MasterFileReader, or Route 53 record sets
// (list-resource-record-sets output or a change batch) with ReadRoute53 or
// Route53Reader; write it back with WriteTo or WriteRoute53. Both readers
// bound the input they accept. Lookups behave like an authoritative server
// seen through *net.Resolver: case-insensitive names, optional trailing
// dot, CNAME chains followed (a chain longer than 8 or a loop fails like
// SERVFAIL), wildcards (RFC 4592), NXDOMAIN and NODATA both reported as a
// not-found *net.DNSError that names the query. Faults (timeouts, SERVFAIL)
// and latency can be injected for tests. A Zone is safe for concurrent use.
//
// # Bounds
//
// Input can drive memory and time only through these bounds, each with its
// default; reaching one is an error wrapping ErrTooLarge (master files) or a
// *Route53Error:
//   - MasterFileReader.MaxBytes: 64 MiB of master file; MaxRecords: 1,000,000.
//   - Route53Reader.MaxBytes: 16 MiB of JSON; MaxRecords: 100,000.
//   - MaxStringLen: 255 bytes per character-string; MaxRDATALen: 65,535
//     bytes of RDATA per record (RFC 1035 §3.2.1): a longer TXT record could
//     not be served and is refused by every reader and by Add.
//   - Parentheses do not nest (RFC 1035 §5.1), so their depth is one.
//   - CNAME chains followed by a lookup: 8 hops; a loop fails like SERVFAIL.
//
// Deliberate simplifications and divergences: one class (IN); no zone cuts
// or delegation (NS records are data only); no DNSSEC; no $INCLUDE or
// $GENERATE; an escaped dot inside a label (\. or \046) is rejected rather
// than kept; names with U-labels are looked up and stored as A-labels, where
// *net.Resolver rejects them; records of equal MX preference keep the order
// they were added in (*net.Resolver shuffles them); LookupNetIP returns an
// IPv4 literal as a 4-byte address (*net.Resolver gives it IPv4-mapped).
package zone
