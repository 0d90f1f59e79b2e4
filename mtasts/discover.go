package mtasts

import (
	"context"
	"fmt"

	"github.com/domainauth/domainauth"
)

// SelectRecord picks the MTA-STS record among the TXT records found at
// _mta-sts.<domain> (RFC 8461 §3.1): records that do not begin with
// v=STSv1 are discarded; none left gives ErrNoRecord, more than one
// ErrMultipleRecords, and a broken one a *ParseError. In each of these
// cases a sender assumes the domain has no available policy (though a
// cached one still applies, §5.1).
func SelectRecord(txts []string) (*Record, error) {
	var found string
	n := 0
	for _, t := range txts {
		if IsRecord(t) {
			found = t
			n++
		}
	}
	switch n {
	case 0:
		return nil, ErrNoRecord
	case 1:
		return ParseRecord(found)
	}
	return nil, fmt.Errorf("%w: %d records begin with v=STSv1", ErrMultipleRecords, n)
}

// LookupRecord looks up the TXT records at _mta-sts.<domain> through r and
// selects the MTA-STS record with SelectRecord. The resolver follows CNAMEs
// as RFC 8461 §3.1 requires (*net.Resolver and zone.Zone do) and joins a
// record's character-strings without spaces. A name without TXT records
// gives ErrNoRecord; a temporary failure an error wrapping ErrLookup and
// the resolver's error; a done ctx an error wrapping ctx's error.
func LookupRecord(ctx context.Context, r domainauth.Resolver, domain string) (*Record, error) {
	name := RecordName(domain)
	txts, err := r.LookupTXT(ctx, name)
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindOK:
	case domainauth.ErrorKindNotFound:
		return nil, fmt.Errorf("%w at %s", ErrNoRecord, name)
	case domainauth.ErrorKindCanceled:
		return nil, fmt.Errorf("mtasts: looking up %s: %w", name, context.Cause(ctx))
	default:
		return nil, fmt.Errorf("%w: %s: %w", ErrLookup, name, err)
	}
	rec, err := SelectRecord(txts)
	if err == ErrNoRecord {
		err = fmt.Errorf("%w at %s", ErrNoRecord, name)
	}
	return rec, err
}
