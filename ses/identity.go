package ses

import (
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/zone"
)

// Identity describes an SES domain identity and the DNS set-up it needs:
// Easy DKIM (three tokens) or BYODKIM, an optional custom MAIL FROM domain,
// a DMARC policy and the legacy verification token. Plan turns it into the
// records to publish.
type Identity struct {
	// Domain is the identity, e.g. "example.org". Required.
	Domain string
	// Region is the SES region code, e.g. "ap-northeast-2". Required; an
	// unknown code is an *UnknownRegionError.
	Region string

	// EasyDKIMTokens are the three tokens SES returned
	// (DkimAttributes.Tokens). Leave empty with BYODKIM.
	EasyDKIMTokens []string
	// SigningHostedZone is DkimAttributes.SigningHostedZone from the SES
	// API. When set it wins over the region table's DKIM zone.
	SigningHostedZone string
	// BYODKIM, when set, publishes the caller's own key instead of Easy
	// DKIM.
	BYODKIM *BYODKIM

	// MailFrom is the custom MAIL FROM domain, a subdomain of Domain
	// ("mail.example.org"). Empty means SES's default MAIL FROM, which never
	// aligns with the From domain under DMARC.
	MailFrom string
	// BehaviorOnMXFailure says what SES does while the MAIL FROM MX is not
	// verified. The zero value is MXFailureBehaviorUseDefaultValue.
	BehaviorOnMXFailure MXFailureBehavior
	// MailFromSPF is the SPF record of the MAIL FROM domain. If empty,
	// "v=spf1 include:amazonses.com ~all" (SES Developer Guide).
	MailFromSPF string

	// DMARC is the policy to publish at _dmarc.<Domain>. If nil, the plan
	// recommends "v=DMARC1; p=none" with rua=mailto:<DMARCReports> when that
	// is set, and says so with a "ses.dmarc-default" finding.
	DMARC *dmarc.Record
	// DMARCReports is the mailbox for aggregate reports in the recommended
	// record ("dmarc@example.org"); ignored when DMARC is set.
	DMARCReports string
	// SkipDMARC leaves the DMARC record out of the plan, for a domain whose
	// DMARC record is managed elsewhere. The audit still checks DMARC.
	SkipDMARC bool

	// VerificationToken is the legacy SES v1 domain verification token,
	// published as TXT at _amazonses.<Domain>. Optional.
	VerificationToken string

	// TTL is the TTL of every planned record. If zero, 3600 (zone.DefaultTTL).
	TTL uint32
}

// BYODKIM is a bring-your-own DKIM key.
type BYODKIM struct {
	// Selector is the DKIM selector: one DNS label of letters, digits and
	// hyphens (SESv2 DomainSigningSelector).
	Selector string
	// PublicKey is the public key: base64 DER (SubjectPublicKeyInfo), with
	// or without the PEM armour lines and line breaks, or a whole key record
	// ("p=..." or "v=DKIM1; k=rsa; p=...").
	PublicKey string
}

// MXFailureBehavior is SES's BehaviorOnMxFailure.
type MXFailureBehavior uint8

// The behaviours.
const (
	// MXFailureBehaviorUseDefaultValue: send with SES's own MAIL FROM while the custom one is
	// not verified; SPF alignment is silently lost.
	MXFailureBehaviorUseDefaultValue MXFailureBehavior = iota
	// MXFailureBehaviorRejectMessage: refuse to send (MailFromDomainNotVerified).
	MXFailureBehaviorRejectMessage
)

// String returns the SES v1 spelling, "UseDefaultValue" or "RejectMessage".
func (b MXFailureBehavior) String() string {
	if b == MXFailureBehaviorRejectMessage {
		return "RejectMessage"
	}
	return "UseDefaultValue"
}

// MarshalText writes the SES v1 spelling, for JSON.
func (b MXFailureBehavior) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// DefaultMailFromSPF is the SPF record SES documents for a custom MAIL FROM
// domain.
const DefaultMailFromSPF = "v=spf1 include:amazonses.com ~all"

// IdentityError reports an Identity that cannot be planned.
type IdentityError struct {
	Field string // "Domain", "EasyDKIMTokens", "MailFrom", ...
	Value string
	Msg   string
	Err   error // underlying error, if any
}

// Error describes the problem and what to do about it.
func (e *IdentityError) Error() string {
	s := fmt.Sprintf("ses: identity %s %q: %s", e.Field, e.Value, e.Msg)
	if e.Err != nil && !strings.Contains(e.Msg, e.Err.Error()) {
		s += " (" + e.Err.Error() + ")"
	}
	return s
}

// Unwrap returns the underlying error.
func (e *IdentityError) Unwrap() error { return e.Err }

// maxTTL is the largest TTL (RFC 2181 §8), also Route 53's.
const maxTTL = 2147483647

var (
	tokenRE    = regexp.MustCompile(`^[a-z2-7]{32}$`)
	selectorRE = regexp.MustCompile(`^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$`)
)

// normalized is an Identity with its names checked and canonical.
type normalized struct {
	Identity
	region   Region
	dkimZone Fact
	byoKey   *dkim.KeyRecord
	byoValue string // the TXT value of the BYODKIM record
	dmarc    *dmarc.Record
	dmarcDef bool // dmarc is the recommended default
	ttl      uint32
}

// normalize checks the identity and fills in defaults; findings are the
// plan-time warnings.
func (id Identity) normalize() (*normalized, []Finding, error) {
	var fs []Finding
	n := &normalized{Identity: id}
	d, err := dnsname.Normalize(id.Domain)
	if err != nil {
		return nil, nil, &IdentityError{Field: "Domain", Value: id.Domain, Msg: "not a domain name; give the identity's domain, e.g. example.org", Err: err}
	}
	n.Domain = d
	if n.region, err = LookupRegion(id.Region); err != nil {
		return nil, nil, err
	}
	n.Region = n.region.Code
	n.ttl = id.TTL
	if n.ttl > maxTTL {
		return nil, nil, &IdentityError{Field: "TTL", Value: fmt.Sprint(id.TTL),
			Msg: fmt.Sprintf("more than %d (RFC 2181 §8; Route 53's limit too); leave it 0 for 3600", maxTTL)}
	}
	if n.ttl == 0 {
		n.ttl = zone.DefaultTTL
	}

	switch {
	case len(id.EasyDKIMTokens) > 0 && id.BYODKIM != nil:
		return nil, nil, &IdentityError{Field: "BYODKIM", Value: id.BYODKIM.Selector, Msg: "Easy DKIM tokens and BYODKIM are exclusive; set EasyDKIMTokens or BYODKIM, not both"}
	case len(id.EasyDKIMTokens) > 0:
		if len(id.EasyDKIMTokens) != 3 {
			return nil, nil, &IdentityError{Field: "EasyDKIMTokens", Value: strings.Join(id.EasyDKIMTokens, " "),
				Msg: fmt.Sprintf("Easy DKIM has exactly 3 tokens, got %d; copy all three from DkimAttributes.Tokens ('aws sesv2 get-email-identity')", len(id.EasyDKIMTokens))}
		}
		n.EasyDKIMTokens = make([]string, 3)
		for i, t := range id.EasyDKIMTokens {
			lt := strings.ToLower(strings.TrimSpace(t))
			if lt == "" || strings.ContainsAny(lt, ". ") || len(lt) > dnsname.MaxLabel {
				return nil, nil, &IdentityError{Field: "EasyDKIMTokens", Value: t, Msg: "a token must be one DNS label; copy it as SES shows it, without \"._domainkey\" or the signing zone"}
			}
			if !tokenRE.MatchString(lt) {
				fs = append(fs, finding(FindingDKIMTokenFormat, SeverityWarning, lt, "SES Developer Guide: Easy DKIM",
					"token is not 32 characters of [a-z2-7] like every real SES token"))
			}
			n.EasyDKIMTokens[i] = lt
		}
		if id.SigningHostedZone != "" {
			z, err := dnsname.Normalize(id.SigningHostedZone)
			if err != nil {
				return nil, nil, &IdentityError{Field: "SigningHostedZone", Value: id.SigningHostedZone, Msg: "not a domain name; copy DkimAttributes.SigningHostedZone from the SES API, e.g. dkim.amazonses.com", Err: err}
			}
			n.dkimZone = Fact{z, ConfidenceDocumented}
		} else {
			n.dkimZone = n.region.DKIMZone
			if !n.dkimZone.Known() {
				return nil, nil, &IdentityError{Field: "Region", Value: n.Region,
					Msg: "the DKIM signing zone of this region is unknown; set SigningHostedZone from the SES API"}
			}
			if !n.dkimZone.Confidence.Confirmed() {
				fs = append(fs, finding(FindingRegionValueUnconfirmed, SeverityWarning, n.Region, "SES Developer Guide: Regions and Amazon SES",
					"DKIM signing zone %s for %s is %s; prefer SigningHostedZone from the SES API", n.dkimZone.Value, n.Region, n.dkimZone.Confidence))
			}
		}
	case id.BYODKIM != nil:
		b := *id.BYODKIM
		if len(b.Selector) > 63 || !selectorRE.MatchString(b.Selector) {
			return nil, nil, &IdentityError{Field: "BYODKIM.Selector", Value: b.Selector, Msg: "a selector is one DNS label of at most 63 letters, digits and inner hyphens (no dots or underscores), e.g. ses2026"}
		}
		b.Selector = strings.ToLower(b.Selector)
		key, value, err := parseBYOKey(b.PublicKey)
		if err != nil {
			return nil, nil, &IdentityError{Field: "BYODKIM.PublicKey", Value: abbreviate(b.PublicKey), Msg: err.Error(), Err: err}
		}
		// SES takes 1024- to 2048-bit RSA keys only (DomainSigningPrivateKey;
		// FACTS §2.3).
		if bits := key.Bits(); bits > 2048 {
			return nil, nil, &IdentityError{Field: "BYODKIM.PublicKey", Value: abbreviate(b.PublicKey),
				Msg: fmt.Sprintf("%d-bit RSA key; SES BYODKIM takes 1024- to 2048-bit keys: generate a 2048-bit one with 'openssl genrsa -f4 -out private.key 2048'", bits)}
		} else if bits < 2048 {
			fs = append(fs, finding(FindingBYODKIMKeyWeak, SeverityWarning, b.Selector, "RFC 8301 §3.2",
				"%d-bit RSA key; 2048 bits is SES's default and the current recommendation", bits))
		}
		n.BYODKIM, n.byoKey, n.byoValue = &b, key, value
	default:
		fs = append(fs, finding(FindingNoDKIM, SeverityWarning, n.Domain, "RFC 7489 §3.1",
			"no Easy DKIM tokens and no BYODKIM key: DMARC can pass only through SPF"))
	}

	if id.MailFrom != "" {
		m, err := dnsname.Normalize(id.MailFrom)
		if err != nil {
			return nil, nil, &IdentityError{Field: "MailFrom", Value: id.MailFrom, Msg: "not a domain name; give a subdomain such as mail." + n.Domain, Err: err}
		}
		if m == n.Domain || !dnsname.IsSubdomain(m, n.Domain) {
			return nil, nil, &IdentityError{Field: "MailFrom", Value: id.MailFrom, Msg: "must be a subdomain of " + n.Domain + ", e.g. mail." + n.Domain}
		}
		n.MailFrom = m
		if !n.region.FeedbackHost.Known() {
			return nil, nil, &IdentityError{Field: "Region", Value: n.Region, Msg: "the MAIL FROM feedback endpoint of this region is unknown; leave MailFrom empty, or publish the MX record the SES console shows"}
		}
		if !n.region.FeedbackHost.Confidence.Confirmed() {
			fs = append(fs, finding(FindingRegionValueUnconfirmed, SeverityWarning, n.Region, "SES Developer Guide: Regions and Amazon SES",
				"MAIL FROM MX target %s is %s; check the SES console", n.region.FeedbackHost.Value, n.region.FeedbackHost.Confidence))
		}
		if n.MailFromSPF == "" {
			n.MailFromSPF = DefaultMailFromSPF
		}
	}

	if !id.SkipDMARC {
		switch {
		case id.DMARC != nil:
			n.dmarc = id.DMARC
		default:
			rec := &dmarc.Record{Policy: dmarc.PolicyNone}
			if id.DMARCReports != "" {
				addr := strings.TrimPrefix(id.DMARCReports, "mailto:")
				if !strings.Contains(addr, "@") {
					return nil, nil, &IdentityError{Field: "DMARCReports", Value: id.DMARCReports, Msg: "not a mailbox; give an address such as dmarc@" + n.Domain}
				}
				rec.AggregateURIs = []dmarc.URI{{Address: "mailto:" + addr}}
			}
			n.dmarc, n.dmarcDef = rec, true
			if len(rec.AggregateURIs) == 0 {
				// The plan's own recommendation is incomplete without a report
				// address: say so once, here, rather than recommend p=none and
				// then warn about it with dmarc.p-none-without-rua.
				fs = append(fs, finding(FindingDMARCDefault, SeverityWarning, "_dmarc."+n.Domain, "RFC 9989 §4.7",
					"no DMARC policy given; recommending %q (monitoring) to start, which does nothing until reports reach you: give a report address (DMARCReports; --dmarc-rua in the command) and move to quarantine or reject once they show SES mail aligning", rec.String()))
				break
			}
			fs = append(fs, finding(FindingDMARCDefault, SeverityInfo, "_dmarc."+n.Domain, "RFC 9989 §4.7",
				"no DMARC policy given; recommending %q (monitoring) to start; move to quarantine or reject once reports show SES mail aligning", rec.String()))
		}
		if !n.dmarcDef {
			if f := noneWithoutRUA(n.dmarc, "_dmarc."+n.Domain); f != nil {
				fs = append(fs, *f)
			}
		}
	}

	if id.VerificationToken != "" {
		n.VerificationToken = strings.TrimSpace(id.VerificationToken)
	}
	return n, fs, nil
}

// parseBYOKey accepts base64 DER (PEM armour and line breaks allowed) or a
// DKIM key record, and returns the parsed record and the TXT value SES
// documents ("p=<base64>").
func parseBYOKey(s string) (*dkim.KeyRecord, string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, "", errors.New("empty public key; give the base64 public key ('openssl rsa -in private.key -pubout') or a DKIM key record \"p=...\"")
	}
	if strings.HasPrefix(s, "v=") || strings.HasPrefix(s, "p=") || strings.Contains(s, ";") {
		rec, err := dkim.ParseKeyRecord(s)
		if err != nil {
			return nil, "", err
		}
		if err := usableForSES(rec); err != nil {
			return nil, "", err
		}
		// Publish the record as given: the caller chose its tags.
		return rec, strings.Join(strings.Fields(s), " "), nil
	}
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "-----") {
			continue
		}
		lines = append(lines, l)
	}
	b64 := strings.Join(lines, "")
	if _, err := base64.StdEncoding.DecodeString(b64); err != nil {
		return nil, "", fmt.Errorf("not base64 (give the public key PEM or its base64 body): %w", err)
	}
	value := "p=" + b64
	rec, err := dkim.ParseKeyRecord(value)
	if err != nil {
		return nil, "", err
	}
	if err := usableForSES(rec); err != nil {
		return nil, "", err
	}
	return rec, value, nil
}

// usableForSES checks a BYODKIM key record: usable for DKIM (RFC 8301
// §3.2: RSA of at least 1024 bits, not revoked, for email) and RSA, the
// only key type SES BYODKIM takes.
func usableForSES(rec *dkim.KeyRecord) error {
	if err := rec.Usable(); err != nil {
		return err
	}
	if _, ok := rec.PublicKey.(*rsa.PublicKey); !ok || rec.KeyType != "" && rec.KeyType != dkim.KeyTypeRSA {
		return errors.New("SES BYODKIM takes RSA keys only; generate a 2048-bit one with 'openssl genrsa -f4 -out private.key 2048'")
	}
	return nil
}

func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
