package ses

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
)

// MailType is the PutAccountDetails MailType.
type MailType string

// The mail types of the SESv2 model (the Developer Guide's CLI text says
// PROMOTIONAL; the model says MARKETING).
const (
	MailTypeMarketing     MailType = "MARKETING"
	MailTypeTransactional MailType = "TRANSACTIONAL"
)

// ContactLanguage is the PutAccountDetails ContactLanguage.
type ContactLanguage string

// The contact languages of the SESv2 model (EN or JA; the Developer Guide's
// "JP" is not accepted).
const (
	ContactLanguageEnglish  ContactLanguage = "EN"
	ContactLanguageJapanese ContactLanguage = "JA"
)

// ProductionAccessRequest is the SESv2 PutAccountDetails input that asks to
// leave the sandbox. Its JSON is what `aws sesv2 put-account-details
// --cli-input-json` takes.
type ProductionAccessRequest struct {
	MailType        MailType        `json:"MailType"`
	WebsiteURL      string          `json:"WebsiteURL"`
	ContactLanguage ContactLanguage `json:"ContactLanguage,omitempty"`
	// UseCaseDescription is optional and deprecated in the SESv2 model
	// (since 2024-08); AWS reviewers may still ask for these answers.
	UseCaseDescription              string   `json:"UseCaseDescription,omitempty"`
	AdditionalContactEmailAddresses []string `json:"AdditionalContactEmailAddresses,omitempty"`
	ProductionAccessEnabled         bool     `json:"ProductionAccessEnabled"`
}

// RequestError lists what is wrong with a ProductionAccessRequest field.
type RequestError struct {
	Field string
	Msg   string
}

// Error describes the problem and what to do about it.
func (e *RequestError) Error() string { return "ses: production access: " + e.Field + ": " + e.Msg }

// Validate checks the request against the SESv2 model: MailType and
// WebsiteURL are required, WebsiteURL is an http(s) URL of at most 1000
// characters, ContactLanguage is EN or JA when set, the use case is at most
// 5000 characters, and there are at most 4 valid additional contacts. All
// problems are returned, joined (errors.Join of *RequestError).
func (r *ProductionAccessRequest) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &RequestError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	switch r.MailType {
	case MailTypeMarketing, MailTypeTransactional:
	case "":
		bad("MailType", "required (MARKETING or TRANSACTIONAL)")
	default:
		bad("MailType", "%q is not MARKETING or TRANSACTIONAL", r.MailType)
	}
	switch u, err := url.Parse(r.WebsiteURL); {
	case r.WebsiteURL == "":
		bad("WebsiteURL", "required")
	case len(r.WebsiteURL) > 1000:
		bad("WebsiteURL", "%d characters, more than 1000", len(r.WebsiteURL))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		bad("WebsiteURL", "%q is not an http or https URL", r.WebsiteURL)
	}
	switch r.ContactLanguage {
	case "", ContactLanguageEnglish, ContactLanguageJapanese:
	default:
		bad("ContactLanguage", "%q is not EN or JA", r.ContactLanguage)
	}
	if n := len(r.UseCaseDescription); n > 5000 {
		bad("UseCaseDescription", "%d characters, more than 5000", n)
	}
	if n := len(r.AdditionalContactEmailAddresses); n > 4 {
		bad("AdditionalContactEmailAddresses", "%d addresses, at most 4", n)
	}
	for _, a := range r.AdditionalContactEmailAddresses {
		if _, err := mail.ParseAddress(a); err != nil || strings.ContainsAny(a, "<>") {
			bad("AdditionalContactEmailAddresses", "%q is not an email address", a)
		}
	}
	return errors.Join(errs...)
}

// UseCaseFacts are what the caller knows about its sending; DraftUseCase
// turns them into the answers AWS asks for when reviewing a production
// access request.
type UseCaseFacts struct {
	Company     string   // who sends
	Domain      string   // the sending domain
	MailType    MailType // marketing or transactional
	Description string   // what the mail is ("order confirmations and password resets")
	// Audience and ListSource say who receives the mail and how addresses
	// were collected ("customers who create an account on example.org").
	Audience   string
	ListSource string
	// NoThirdPartyLists: addresses are never bought, rented or shared.
	NoThirdPartyLists bool
	// Frequency is how often mail is sent ("on each order", "weekly").
	Frequency string
	// DailyVolume is the expected messages per day; PeakRate per second.
	DailyVolume int
	PeakRate    int
	// DoubleOptIn: subscribers confirm their address before receiving mail.
	DoubleOptIn bool
	// Unsubscribe: every message carries an unsubscribe link and one-click
	// List-Unsubscribe (RFC 8058).
	Unsubscribe bool
	// HandlesBounces and HandlesComplaints: SNS or event destinations for
	// bounces and complaints are processed, with the account-level
	// suppression list enabled.
	HandlesBounces    bool
	HandlesComplaints bool
	// RemovesInactive: addresses without engagement are removed after
	// InactiveMonths months.
	RemovesInactive bool
	InactiveMonths  int
}

// DraftUseCase writes the use-case description AWS reviewers ask for:
// what is sent, to whom and how often, how the list is built and kept
// clean, and how bounces, complaints and unsubscribes are handled. It fails
// when a fact the answer cannot do without is missing (Domain, Description,
// Audience, Frequency); practices the facts do not state are left out, not
// invented (the answer is the caller's word to AWS).
func DraftUseCase(f UseCaseFacts) (string, error) {
	var errs []error
	need := func(field, v string) {
		if strings.TrimSpace(v) == "" {
			errs = append(errs, &RequestError{Field: "UseCaseFacts." + field, Msg: "required for the use-case answers"})
		}
	}
	need("Domain", f.Domain)
	need("Description", f.Description)
	need("Audience", f.Audience)
	need("Frequency", f.Frequency)
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	var b strings.Builder
	who := f.Company
	if who == "" {
		who = f.Domain
	}
	kind := "transactional"
	if f.MailType == MailTypeMarketing {
		kind = "marketing"
	}
	fmt.Fprintf(&b, "What we send: %s sends %s email from %s: %s.\n", who, kind, f.Domain, f.Description)
	fmt.Fprintf(&b, "Recipients: %s.", f.Audience)
	if f.ListSource != "" {
		fmt.Fprintf(&b, " Addresses are collected %s.", f.ListSource)
	}
	if f.NoThirdPartyLists {
		b.WriteString(" We do not buy, rent or share lists.")
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "Sending frequency: %s", f.Frequency)
	if f.DailyVolume > 0 {
		fmt.Fprintf(&b, ", about %d messages a day", f.DailyVolume)
	}
	if f.PeakRate > 0 {
		fmt.Fprintf(&b, ", at most %d per second", f.PeakRate)
	}
	b.WriteString(".\n")
	var hygiene []string
	if f.DoubleOptIn {
		hygiene = append(hygiene, "subscribers confirm their address (double opt-in) before they receive mail")
	}
	if f.RemovesInactive {
		m := f.InactiveMonths
		if m <= 0 {
			m = 12
		}
		hygiene = append(hygiene, fmt.Sprintf("addresses without engagement for %d months are removed", m))
	}
	if len(hygiene) > 0 {
		b.WriteString("List hygiene: " + strings.Join(hygiene, "; ") + ".\n")
	}
	switch {
	case f.HandlesBounces && f.HandlesComplaints:
		b.WriteString("Bounces and complaints: bounce and complaint notifications are processed automatically; hard-bounced and complaining addresses are added to the account-level suppression list and never mailed again")
	case f.HandlesBounces:
		b.WriteString("Bounces and complaints: bounce notifications are processed automatically and hard-bounced addresses are suppressed; complaints are reviewed by hand")
	case f.HandlesComplaints:
		b.WriteString("Bounces and complaints: complaint notifications are processed automatically and complaining addresses are suppressed; bounces are reviewed by hand")
	}
	if f.HandlesBounces || f.HandlesComplaints {
		b.WriteString(".\n")
	}
	if f.Unsubscribe {
		b.WriteString("Unsubscribing: every message has an unsubscribe link and a one-click List-Unsubscribe header (RFC 8058); requests are honoured at once.\n")
	}
	return b.String(), nil
}

// NewProductionAccessRequest builds a request from the facts: the drafted
// use case, the mail type, English as contact language unless given, and
// validates it.
func NewProductionAccessRequest(f UseCaseFacts, websiteURL string, lang ContactLanguage, contacts ...string) (*ProductionAccessRequest, error) {
	text, err := DraftUseCase(f)
	if err != nil {
		return nil, err
	}
	if lang == "" {
		lang = ContactLanguageEnglish
	}
	mt := f.MailType
	if mt == "" {
		mt = MailTypeTransactional
	}
	r := &ProductionAccessRequest{MailType: mt, WebsiteURL: websiteURL, ContactLanguage: lang,
		UseCaseDescription: text, AdditionalContactEmailAddresses: contacts, ProductionAccessEnabled: true}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}
