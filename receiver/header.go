package receiver

import (
	"github.com/domainauth/domainauth/authres"
	"github.com/domainauth/domainauth/dkim"
)

// ptypeSMTP is the ptype of the envelope properties AuthResult writes
// (RFC 8601 §2.7.2).
const ptypeSMTP = "smtp"

// AuthResult returns the Authentication-Results field of r as data (RFC
// 8601): the SPF result of the MAIL FROM identity with smtp.mailfrom, the
// HELO one with smtp.helo when it was checked, one dkim result per
// signature with header.d, header.i, header.s and header.b (eight
// characters of b=, more where two signatures share them, RFC 6008), or
// dkim=none, and the DMARC result with header.from and, when a policy
// record applied, policy.dmarc (the policy after t= or pct=, RFC 9989
// §9.1). temperror and permerror carry the error as a reason. The method
// results are those of spf.Result.AuthResult, dkim.AuthResults and
// dmarc.Result.AuthResult, with the envelope's identities and without
// DMARC's comment.
func (r *Result) AuthResult() *authres.Results {
	out := &authres.Results{AuthServID: r.AuthServID}
	// spf.Result.AuthResult names the identity its check was given; the
	// field names the one the reverse-path gave (none when it was
	// unreadable).
	m := r.SPF.AuthResult()
	m.Props = nil
	if r.PathErr != nil {
		m.Reason = "malformed reverse-path"
	}
	m.AddProperty(ptypeSMTP, "mailfrom", r.MailFrom)
	out.Methods = append(out.Methods, m)
	if r.HELO != nil {
		// For the null path HELO is the MAIL FROM result: name the HELO.
		m := r.HELO.AuthResult()
		m.Props = nil
		m.AddProperty(ptypeSMTP, "helo", r.Envelope.HELO)
		out.Methods = append(out.Methods, m)
	}
	out.Methods = append(out.Methods, dkim.AuthResults(r.DKIM)...)
	if r.DMARC != nil {
		m := r.DMARC.AuthResult()
		m.Comment = "" // the field keeps to results and properties; policy.dmarc has the policy
		out.Methods = append(out.Methods, m)
	}
	return out
}

// Header returns the complete field, "Authentication-Results: " and the
// value of AuthResult folded at 78 columns with CRLF and a tab (RFC 5322
// §2.2.3), without a final line end. Every value Check puts in a Result
// is one authres.Format can write; for a Result built or changed
// otherwise that it cannot write, Header returns "".
func (r *Result) Header() string {
	v, err := authres.Format(r.AuthResult())
	if err != nil {
		return ""
	}
	return authres.FieldName + ": " + v
}
