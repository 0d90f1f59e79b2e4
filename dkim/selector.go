package dkim

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/errs"
)

// Selector check finding codes, reported by CheckSelector. They are stable:
// users match on them. A defect of the key record itself (it does not parse,
// it is revoked, too short, weak, or in testing mode) carries the same
// FindingKey* code that LintKeyRecord gives it: one defect, one code.
const (
	// FindingSelectorInvalid: SELECTOR._domainkey.DOMAIN is not a valid DNS name.
	FindingSelectorInvalid = "dkim.invalid-selector"
	// FindingSelectorNoKey: no TXT record at the selector (or at its CNAME's
	// target): signatures with this selector fail.
	FindingSelectorNoKey = "dkim.no-key"
	// FindingSelectorLookupFailed: the key lookup failed temporarily.
	FindingSelectorLookupFailed = "dkim.lookup-failed"
	// FindingSelectorMultipleKeys: several TXT records at the selector.
	FindingSelectorMultipleKeys = "dkim.multiple-keys"
	// FindingSelectorUnusable: the key cannot verify email (s= without email, ...).
	FindingSelectorUnusable = "dkim.unusable-key"
)

// SelectorCheck is what CheckSelector found at one selector.
type SelectorCheck struct {
	Selector string     `json:"selector"`
	Name     string     `json:"name"`            // SELECTOR._domainkey.DOMAIN
	CNAME    string     `json:"cname,omitempty"` // the name's CNAME target; "" when none or the resolver cannot tell
	Record   string     `json:"record,omitempty"`
	Key      *KeyRecord `json:"-"` // the parsed key record; nil when there is none or it does not parse
	Findings []Finding  `json:"findings"`
	// Err is the temporary DNS failure behind FindingSelectorLookupFailed.
	Err error `json:"-"`
}

// CheckSelector looks up the key record of selector under domain through r
// and checks that it can verify email: one record, that parses, is not
// revoked, is RSA of at least 1024 bits (a warning under 2048), and is not in
// testing mode. When r is a domainauth.CNAMEResolver, a CNAME at the selector
// (such as an Easy DKIM record of Amazon SES) is reported in CNAME. Each
// finding's Where is "NAME TXT" and carries a Fix. It makes at most two DNS
// queries.
func CheckSelector(ctx context.Context, r domainauth.Resolver, domain, selector string) *SelectorCheck {
	k := &SelectorCheck{Selector: selector, Name: selector + "._domainkey." + domain}
	add := func(sev Severity, code, msg, fix, rfc string) {
		k.Findings = append(k.Findings, Finding{Code: code, Severity: sev, Message: msg, Where: k.Name + " TXT", RFC: rfc, Fix: fix})
	}
	if _, err := dnsname.Normalize(k.Name); err != nil {
		add(SeverityError, FindingSelectorInvalid, fmt.Sprintf("%q does not make a valid DNS name: %v", selector, err), "use a selector of letters, digits and hyphens", "RFC 6376 §3.1")
		return k
	}
	if cr, ok := r.(domainauth.CNAMEResolver); ok {
		if t, err := cr.LookupCNAMETarget(ctx, k.Name); err == nil {
			k.CNAME = t
		}
	}
	txts, err := r.LookupTXT(ctx, k.Name)
	switch {
	case domainauth.IsNotFound(err):
		where := k.Name
		if k.CNAME != "" {
			where = k.CNAME + " (the CNAME's target)"
		}
		add(SeverityError, FindingSelectorNoKey, "no key record at "+where, "publish the selector's key record, or stop signing with this selector", "RFC 6376 §6.1.2")
		return k
	case err != nil:
		k.Err = domainauth.WrapDNSError(ctx, err)
		add(SeverityError, FindingSelectorLookupFailed, "the key lookup failed: "+oneLine(err.Error()), "", "RFC 6376 §6.1.2")
		return k
	case len(txts) == 0:
		add(SeverityError, FindingSelectorNoKey, "no key record at "+k.Name, "publish the selector's key record, or stop signing with this selector", "RFC 6376 §6.1.2")
		return k
	}
	if len(txts) > 1 {
		add(SeverityError, FindingSelectorMultipleKeys, fmt.Sprintf("%d TXT records; verifiers may pick either", len(txts)), "keep one key record per selector", "RFC 6376 §3.6.2.2")
	}
	k.Record = txts[0]
	rec, err := ParseKeyRecord(k.Record)
	if err != nil {
		add(SeverityError, FindingKeySyntax, oneLine(errs.Detail("dkim", err)), "publish the record dkim keygen prints, v=DKIM1; k=...; p=...", "RFC 6376 §3.6.1")
		return k
	}
	k.Key = rec
	if err := rec.Usable(); err != nil {
		code := FindingSelectorUnusable
		switch {
		case errors.Is(err, ErrKeyRevoked):
			code = FindingKeyRevoked
		case errors.Is(err, ErrKeyTooShort):
			code = FindingKeyTooShort
		}
		add(SeverityError, code, oneLine(errs.Detail("dkim", err)), "publish a 2048-bit RSA or an Ed25519 key and sign with it", "RFC 8301 §3.2")
	} else if rec.KeyType == KeyTypeRSA && rec.Bits() < 2048 {
		add(SeverityWarning, FindingKeyWeak, fmt.Sprintf("%d-bit RSA key; 2048 bits is the norm", rec.Bits()), "rotate to a 2048-bit key", "RFC 8301 §3.2")
	}
	if rec.Testing {
		add(SeverityWarning, FindingKeyTesting, "the key is in testing mode (t=y): verifiers may treat signed mail as unsigned", "remove t=y once signing works", "RFC 6376 §3.6.1")
	}
	return k
}

// Summary describes the selector in one line: "CNAME target; rsa key, 2048
// bits", "no usable key", ...
func (k *SelectorCheck) Summary() string {
	var parts []string
	if k.CNAME != "" {
		parts = append(parts, "CNAME "+k.CNAME)
	}
	if k.Key != nil {
		desc := fmt.Sprintf("%s key, %d bits", k.Key.KeyType, k.Key.Bits())
		if k.Key.Testing {
			desc += ", testing (t=y)"
		}
		parts = append(parts, desc)
	}
	switch {
	case k.Key == nil && k.CNAME != "" && k.Record == "":
		parts = append(parts, "no key record at the target")
	case k.Key == nil:
		parts = append(parts, "no usable key")
	}
	return strings.Join(parts, "; ")
}

// oneLine folds a multi-line error message onto one line.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", "; ", "\n", "; ", "\r", "; ").Replace(strings.TrimSpace(s))
}
