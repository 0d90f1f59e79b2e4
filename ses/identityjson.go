package ses

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/domainauth/domainauth/dmarc"
)

// identityJSON is the JSON form of an Identity; DMARC is the record text.
type identityJSON struct {
	Domain              string   `json:"domain"`
	Region              string   `json:"region"`
	EasyDKIMTokens      []string `json:"easyDkimTokens,omitempty"`
	SigningHostedZone   string   `json:"signingHostedZone,omitempty"`
	BYODKIM             *BYODKIM `json:"byodkim,omitempty"`
	MailFrom            string   `json:"mailFrom,omitempty"`
	BehaviorOnMXFailure string   `json:"behaviorOnMxFailure,omitempty"`
	MailFromSPF         string   `json:"mailFromSpf,omitempty"`
	DMARC               string   `json:"dmarc,omitempty"`
	DMARCReports        string   `json:"dmarcReports,omitempty"`
	SkipDMARC           bool     `json:"skipDmarc,omitempty"`
	VerificationToken   string   `json:"verificationToken,omitempty"`
	TTL                 uint32   `json:"ttl,omitempty"`
}

// MarshalJSON writes the identity with camelCase keys and the DMARC record
// as its text.
func (id Identity) MarshalJSON() ([]byte, error) {
	j := identityJSON{Domain: id.Domain, Region: id.Region, EasyDKIMTokens: id.EasyDKIMTokens,
		SigningHostedZone: id.SigningHostedZone, BYODKIM: id.BYODKIM, MailFrom: id.MailFrom,
		MailFromSPF: id.MailFromSPF, DMARCReports: id.DMARCReports, SkipDMARC: id.SkipDMARC,
		VerificationToken: id.VerificationToken, TTL: id.TTL}
	if id.BehaviorOnMXFailure != MXFailureBehaviorUseDefaultValue {
		j.BehaviorOnMXFailure = id.BehaviorOnMXFailure.String()
	}
	if id.DMARC != nil {
		j.DMARC = id.DMARC.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the form MarshalJSON writes. behaviorOnMxFailure takes
// the SES v1 or SESv2 spelling; dmarc is parsed with dmarc.ParseRecord.
func (id *Identity) UnmarshalJSON(data []byte) error {
	var j identityJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("ses: identity JSON: %w", err)
	}
	b, err := parseBehavior(j.BehaviorOnMXFailure)
	if err != nil {
		return err
	}
	*id = Identity{Domain: j.Domain, Region: j.Region, EasyDKIMTokens: j.EasyDKIMTokens,
		SigningHostedZone: j.SigningHostedZone, BYODKIM: j.BYODKIM, MailFrom: j.MailFrom, BehaviorOnMXFailure: b,
		MailFromSPF: j.MailFromSPF, DMARCReports: j.DMARCReports, SkipDMARC: j.SkipDMARC,
		VerificationToken: j.VerificationToken, TTL: j.TTL}
	if j.DMARC != "" {
		rec, err := dmarc.ParseRecord(j.DMARC)
		if err != nil {
			return &IdentityError{Field: "DMARC", Value: j.DMARC, Msg: "not a DMARC record; give one like \"v=DMARC1; p=none; rua=mailto:dmarc@example.org\"", Err: err}
		}
		id.DMARC = rec
	}
	return nil
}

// parseBehavior accepts "", UseDefaultValue / USE_DEFAULT_VALUE and
// RejectMessage / REJECT_MESSAGE.
func parseBehavior(s string) (MXFailureBehavior, error) {
	switch strings.ToUpper(strings.ReplaceAll(s, "_", "")) {
	case "", "USEDEFAULTVALUE":
		return MXFailureBehaviorUseDefaultValue, nil
	case "REJECTMESSAGE":
		return MXFailureBehaviorRejectMessage, nil
	}
	return 0, &IdentityError{Field: "BehaviorOnMXFailure", Value: s, Msg: "use UseDefaultValue (USE_DEFAULT_VALUE) or RejectMessage (REJECT_MESSAGE)"}
}

// BYODKIM's JSON keys.
type byodkimJSON struct {
	Selector  string `json:"selector"`
	PublicKey string `json:"publicKey"`
}

// MarshalJSON writes {"selector", "publicKey"}.
func (b BYODKIM) MarshalJSON() ([]byte, error) { return json.Marshal(byodkimJSON(b)) }

// UnmarshalJSON reads {"selector", "publicKey"}.
func (b *BYODKIM) UnmarshalJSON(data []byte) error {
	var j byodkimJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*b = BYODKIM(j)
	return nil
}

// IdentityFromSESv2 builds an Identity from the JSON that SESv2
// GetEmailIdentity returns (`aws sesv2 get-email-identity --email-identity
// example.org --region ap-northeast-2`): the Easy DKIM tokens and
// SigningHostedZone, or the BYODKIM selector (the key itself is not in the
// response and must be added), and the MAIL FROM domain and its
// BehaviorOnMxFailure. The DMARC fields are left for the caller.
func IdentityFromSESv2(domain, region string, getEmailIdentity []byte) (Identity, error) {
	var resp struct {
		IdentityType   string
		DkimAttributes *struct {
			Tokens                  []string
			SigningAttributesOrigin string
			SigningHostedZone       string
		}
		MailFromAttributes *struct {
			MailFromDomain      string
			BehaviorOnMxFailure string
		}
	}
	if err := json.Unmarshal(getEmailIdentity, &resp); err != nil {
		return Identity{}, fmt.Errorf("ses: GetEmailIdentity JSON (the output of 'aws sesv2 get-email-identity'): %w", err)
	}
	if resp.IdentityType != "" && resp.IdentityType != "DOMAIN" {
		return Identity{}, fmt.Errorf("ses: GetEmailIdentity: identity type %s, not DOMAIN; plan the domain identity of the address's domain instead", resp.IdentityType)
	}
	id := Identity{Domain: domain, Region: region}
	if d := resp.DkimAttributes; d != nil {
		switch {
		case d.SigningAttributesOrigin == "EXTERNAL" && len(d.Tokens) > 0:
			id.BYODKIM = &BYODKIM{Selector: d.Tokens[0]}
		case strings.HasPrefix(d.SigningAttributesOrigin, "AWS_SES_"):
			// A DEED replica signs with its parent's keys through the
			// parent's records (FACTS §2.4): it needs no records of its
			// own, but DKIM still signs d=<domain>. Plan the parent's
			// records, so that the audit checks them and the prediction
			// counts DKIM; publishing them again changes nothing.
			id.EasyDKIMTokens = d.Tokens
			id.SigningHostedZone = d.SigningHostedZone
			parent := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(d.SigningAttributesOrigin, "AWS_SES_"), "_", "-"))
			if r, err := LookupRegion(parent); err == nil && id.SigningHostedZone == "" {
				id.SigningHostedZone = r.DKIMZone.Value
			}
		default:
			id.EasyDKIMTokens = d.Tokens
			id.SigningHostedZone = d.SigningHostedZone
		}
	}
	if m := resp.MailFromAttributes; m != nil && m.MailFromDomain != "" {
		id.MailFrom = m.MailFromDomain
		b, err := parseBehavior(m.BehaviorOnMxFailure)
		if err != nil {
			return Identity{}, err
		}
		id.BehaviorOnMXFailure = b
	}
	return id, nil
}
