package mtasts

import (
	"errors"
	"fmt"
	"slices"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Suggested max_age values, in seconds, by mode.
const (
	// SuggestedMaxAgeEnforce is two weeks: RFC 8461 §3.2 expects weeks or
	// more, and §10.2 prefers long values.
	SuggestedMaxAgeEnforce = 14 * 86400
	// SuggestedMaxAgeTesting is a day, so that switching to enforce takes
	// effect soon.
	SuggestedMaxAgeTesting = 86400
	// SuggestedMaxAgeNone is a day, as RFC 8461 §8.3 suggests for removal.
	SuggestedMaxAgeNone = 86400
)

// Publication is what a domain publishes for MTA-STS.
type Publication struct {
	// RecordName is the TXT record's name, _mta-sts.<domain>.
	RecordName string
	// Record is the TXT record; Record.String() is its text.
	Record *Record
	// PolicyURL is where the policy is served, with status 200,
	// Content-Type text/plain and a certificate valid for PolicyHost.
	PolicyURL string
	// PolicyHost is mta-sts.<domain>.
	PolicyHost string
	// Policy is the policy; Policy.String() is the body to serve.
	Policy *Policy
}

// Suggest returns the record and the policy that domain should publish for
// its MX hosts mx in mode: one exact mx pattern per distinct host (in
// A-label form, lower case, without trailing dot), the max_age suggested
// for the mode, and a fresh id made from clock's time in UTC
// ("20060102150405Z", as in RFC 8461 §3.1's example; two suggestions in the
// same second share it). A null MX or an empty set is an error unless mode
// is none.
func Suggest(domain string, mx []string, mode Mode, clock domainauth.Clock) (*Publication, error) {
	d, err := dnsname.Normalize(domain)
	if err != nil {
		return nil, fmt.Errorf("mtasts: %w", err)
	}
	p := &Policy{Mode: mode}
	for _, h := range mx {
		if dnsname.Canonical(h) == "" {
			continue // a null MX
		}
		n, err := dnsname.Normalize(h)
		if err != nil {
			return nil, fmt.Errorf("mtasts: MX host: %w", err)
		}
		if msg := checkPattern(n); msg != "" {
			return nil, errors.New("mtasts: " + msg)
		}
		if !slices.Contains(p.MX, n) {
			p.MX = append(p.MX, n)
		}
	}
	switch mode {
	case ModeEnforce:
		p.MaxAge = SuggestedMaxAgeEnforce
	case ModeTesting:
		p.MaxAge = SuggestedMaxAgeTesting
	case ModeNone:
		p.MaxAge = SuggestedMaxAgeNone
	default:
		return nil, fmt.Errorf("mtasts: unknown mode %s", mode)
	}
	if len(p.MX) == 0 && mode != ModeNone {
		return nil, fmt.Errorf("mtasts: no MX host to list in a %s policy for %s", mode, d)
	}
	id := domainauth.Now(clock).UTC().Format("20060102150405") + "Z"
	return &Publication{
		RecordName: RecordName(d),
		Record:     &Record{ID: id},
		PolicyURL:  PolicyURL(d),
		PolicyHost: PolicyHost(d),
		Policy:     p,
	}, nil
}
