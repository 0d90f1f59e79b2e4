package tlsrpt

import (
	"bytes"
	"context"
	"strings"

	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// verify checks the DKIM signatures of a report's email (RFC 8460 §3): the
// report is verified when a signature passes whose signing domain is the
// reporting domain — the TLS-Report-Submitter field, or the domain of
// contact-info, which §5.3 says must match it — or a parent of it, and
// that does not use l= (§3: DKIM signatures MUST NOT use it). A t=y
// (testing) key does not count.
func (dec *Decoder) verify(ctx context.Context, raw []byte, rep *Report) *EmailInfo {
	h := readHeader(raw)
	e := &EmailInfo{
		ReportDomain: strings.TrimSpace(h.Get("TLS-Report-Domain")),
		Submitter:    strings.TrimSpace(h.Get("TLS-Report-Submitter")),
	}
	if dec.Resolver == nil {
		return e
	}
	var reporters []string
	if e.Submitter != "" {
		reporters = append(reporters, e.Submitter)
	}
	if _, d, ok := strings.Cut(rep.ContactInfo, "@"); ok {
		reporters = append(reporters, strings.TrimSpace(d))
	}
	v := &dkim.Verifier{Resolver: dec.Resolver, Clock: dec.Clock}
	res, err := v.Verify(ctx, bytes.NewReader(raw))
	e.DKIM = res
	e.Signature = SignatureFail
	if err != nil {
		return e
	}
	for _, r := range res {
		switch {
		case r.Status == dkim.TempError && e.Signature == SignatureFail:
			e.Signature = SignatureTempError
		case r.Status != dkim.Pass || r.BodyLength >= 0 || r.Testing:
		case byReporter(r.Domain, reporters):
			e.Signature, e.SignedBy = SignaturePass, r.Domain
			return e
		}
	}
	return e
}

func byReporter(signer string, reporters []string) bool {
	for _, r := range reporters {
		if dnsname.Equal(r, signer) || dnsname.IsSubdomain(r, signer) {
			return true
		}
	}
	return false
}
