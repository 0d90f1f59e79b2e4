package tlsrpt

import (
	"bytes"
	"context"
	"strings"

	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/reportsig"
)

// verify checks the DKIM signatures of a report's email (RFC 8460 §3): the
// report is verified when a signature passes whose signing domain is the
// reporting domain — the TLS-Report-Submitter field, or the domain of
// contact-info, which §5.3 says must match it — or a parent of it (not a
// top-level domain), and that does not use l= (§3: DKIM signatures MUST
// NOT use it). A t=y (testing) key does not count. The rule is
// internal/reportsig's, which store/ingest applies to every report kind.
func (dec *Decoder) verify(ctx context.Context, raw []byte, rep *Report, p *parser) *EmailInfo {
	h := readHeader(raw)
	e := &EmailInfo{
		ReportDomain: strings.TrimSpace(h.Get("TLS-Report-Domain")),
		Submitter:    strings.TrimSpace(h.Get("TLS-Report-Submitter")),
	}
	// RFC 8460 §5.3: both fields MUST be included, and the submitter MUST
	// match the domain of contact-info.
	for _, f := range []struct{ name, v string }{{"TLS-Report-Domain", e.ReportDomain}, {"TLS-Report-Submitter", e.Submitter}} {
		if f.v == "" {
			p.warnAt("tlsrpt.missing-header", "email", "no "+f.name+" field (RFC 8460 §5.3 requires it)")
		}
	}
	if _, d, ok := strings.Cut(rep.ContactInfo, "@"); ok && e.Submitter != "" && !dnsname.Equal(strings.TrimSpace(d), e.Submitter) {
		p.warnAt("tlsrpt.submitter-mismatch", "email", "TLS-Report-Submitter "+clip(e.Submitter, 60)+" is not the domain of contact-info "+clip(rep.ContactInfo, 60)+" (RFC 8460 §5.3)")
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
	e.Signature = SignatureStatusFail
	if err != nil {
		return e
	}
	switch st, signer := reportsig.Check(res, reporters); st {
	case reportsig.StatusPass:
		e.Signature, e.SignedBy = SignatureStatusPass, signer
	case reportsig.StatusTempError:
		e.Signature = SignatureStatusTempError
	}
	return e
}
